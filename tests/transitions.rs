//! Every state change synack reports is an edge of RFC 9293's state diagram (section 3.3.2,
//! Figure 5), or is marked `inferred` (the observer's guess for segments it never captured).
//! Walked over every fixture and every capture of the shared corpus (`../shared/corpus`),
//! each end of each connection, through the library's events (what JSON, `--text`, the TUI
//! and the narration all print).

mod common;

use std::path::Path;

use synack::capture::FileReader;
use synack::decode::Decoder;
use synack::track::{Connection, Marks, State, Tracker, TrackerConfig};

use State::*;

/// RFC 9293 Figure 5, one row per arrow, as `from -> to: why`.
const DIAGRAM: &[(State, State, &str)] = &[
    (Closed, Listen, "passive OPEN"),
    (Closed, SynSent, "active OPEN / snd SYN"),
    (Listen, SynReceived, "rcv SYN / snd SYN,ACK"),
    (Listen, SynSent, "SEND / snd SYN"),
    (Listen, Closed, "CLOSE"),
    (
        SynSent,
        SynReceived,
        "rcv SYN / snd SYN,ACK (simultaneous open)",
    ),
    (SynSent, Established, "rcv SYN,ACK / snd ACK"),
    (SynSent, Closed, "CLOSE, or rcv RST,ACK of our SYN"),
    (SynReceived, Established, "rcv ACK of SYN"),
    (SynReceived, FinWait1, "CLOSE / snd FIN"),
    (SynReceived, Listen, "rcv RST (from a passive OPEN)"),
    (Established, FinWait1, "CLOSE / snd FIN"),
    (Established, CloseWait, "rcv FIN / snd ACK"),
    (FinWait1, FinWait2, "rcv ACK of FIN"),
    (FinWait1, Closing, "rcv FIN / snd ACK"),
    (FinWait2, TimeWait, "rcv FIN / snd ACK"),
    (CloseWait, LastAck, "CLOSE / snd FIN"),
    (Closing, TimeWait, "rcv ACK of FIN"),
    (LastAck, Closed, "rcv ACK of FIN (or rcv RST)"),
    (TimeWait, Closed, "timeout = 2MSL (or rcv RST)"),
];

/// Edges section 3.10 gives in words but the figure leaves out.
const TEXT: &[(State, State, &str)] = &[
    // 3.10.7.4 "eighth", FIN-WAIT-1: "If our FIN has been ACKed (perhaps in this segment),
    // then enter TIME-WAIT".
    (FinWait1, TimeWait, "rcv FIN with the ACK of our FIN"),
    // 3.10.7.4 "fifth" then "eighth": the handshake's ACK and the peer's FIN in one segment.
    (SynReceived, CloseWait, "rcv ACK of SYN with a FIN"),
    // 3.10.7.4 "second" (and ABORT, 3.10.5): a RST closes every synchronized state and a
    // SYN-RECEIVED from an active OPEN.
    (SynReceived, Closed, "rcv RST (from an active OPEN), ABORT"),
    (Established, Closed, "rcv RST, ABORT"),
    (FinWait1, Closed, "rcv RST, ABORT"),
    (FinWait2, Closed, "rcv RST, ABORT"),
    (CloseWait, Closed, "rcv RST, ABORT"),
    (Closing, Closed, "rcv RST, ABORT"),
];

fn allowed(from: State, to: State) -> bool {
    DIAGRAM
        .iter()
        .chain(TEXT)
        .any(|(a, b, _)| (*a, *b) == (from, to))
}

/// Every connection a capture makes (port reuse included), by id.
fn connections(path: &Path) -> Vec<Connection> {
    let Ok(mut reader) = FileReader::open(&path.to_string_lossy()) else {
        return Vec::new();
    };
    let mut decoder = Decoder::default();
    let mut tracker = Tracker::new(TrackerConfig {
        retire: true,
        ..Default::default()
    });
    let mut out = Vec::new();
    // A read that stops part way (a truncated file) still gives what came before.
    while let Ok(Some(pkt)) = reader.next_packet() {
        tracker.apply(&decoder.item(&pkt));
        out.extend(tracker.drain_retired().map(|c| *c));
    }
    out.extend(tracker.drain_by_id());
    out.sort_by_key(|c| c.id);
    out
}

/// The impossible edges of one capture, one line each.
fn impossible(path: &Path) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy();
    let mut bad = Vec::new();
    for c in connections(path) {
        for e in &c.events {
            if e.marks.has(Marks::INFERRED) {
                continue;
            }
            for (i, side) in ["client", "server"].iter().enumerate() {
                let (from, to) = (e.before[i], e.states[i]);
                if from != to && !allowed(from, to) {
                    bad.push(format!(
                        "{name} #{} frame {} ({} {}): {side} {from} -> {to}",
                        c.id,
                        e.frame,
                        e.dir.name(),
                        e.flags,
                    ));
                }
            }
        }
    }
    bad
}

fn captures(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".gz")
        })
        .collect();
    files.sort();
    files
}

fn check(files: &[std::path::PathBuf], min: usize) {
    assert!(files.len() >= min, "only {} captures", files.len());
    let bad: Vec<String> = files.iter().flat_map(|f| impossible(f)).collect();
    assert!(
        bad.is_empty(),
        "{} state changes outside RFC 9293's diagram, not marked inferred:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_fixture_changes_state_only_along_the_diagram() {
    check(&captures(&common::root().join("fixtures")), 30);
}

#[test]
fn every_corpus_capture_changes_state_only_along_the_diagram() {
    // corpus_dir fails (never skips) when the corpus is missing.
    check(&captures(&common::corpus_dir()), 60);
}

#[test]
fn the_edge_table_has_no_duplicates_and_no_self_loops() {
    let all: Vec<_> = DIAGRAM
        .iter()
        .chain(TEXT)
        .map(|(a, b, _)| (*a, *b))
        .collect();
    for (i, e) in all.iter().enumerate() {
        assert_ne!(e.0, e.1);
        assert!(!all[..i].contains(e), "{e:?} twice");
    }
    // Crossing FINs go through FIN-WAIT-1, never CLOSE-WAIT.
    assert!(!allowed(CloseWait, Closing));
}
