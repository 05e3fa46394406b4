//! Real captures written by others (`../shared/corpus`, see its MANIFEST.tsv): synack reads
//! every one without panicking, and its counts of packets, connections, complete handshakes
//! and connections where both ends sent a FIN agree with the manifest's tshark-derived
//! columns, except where a difference is listed here with its reason.

mod common;

use std::collections::HashMap;

use synack::output::Format;

struct Row {
    file: String,
    packets: u64,
    tcp_streams: u64,
    complete_handshakes: u64,
    fin_both_sides: u64,
    notes: String,
}

fn manifest() -> Vec<Row> {
    let dir = common::corpus_dir();
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (f, p, s, ch, fb, n) = (
        col("file"),
        col("packets"),
        col("tcp_streams"),
        col("complete_handshakes"),
        col("fin_both_sides"),
        col("notes"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let num = |i: usize| c[i].parse::<u64>().unwrap();
            Row {
                file: c[f].to_string(),
                packets: num(p),
                tcp_streams: num(s),
                complete_handshakes: num(ch),
                fin_both_sides: num(fb),
                notes: c.get(n).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

/// Where synack and the manifest differ on purpose: (file, column, synack's value, why).
const DIFFERENCES: &[(&str, &str, u64, &str)] = &[
    (
        "zeek__tcp__handshake-reorder.pcap",
        "complete_handshakes",
        1,
        "the SYN+ACK is captured before the SYN; the manifest counts a handshake only in frame \
         order, synack checks the sequence numbers (SYN+ACK acks SYN+1, ACK acks SYN+ACK+1) \
         whatever order the capture has",
    ),
    (
        "zeek__ipv6-http-atomic-frag.pcap",
        "complete_handshakes",
        4,
        "the first stream's SYN+ACK is captured before its SYN (timestamps say the SYN came \
         first); same reason as handshake-reorder",
    ),
    (
        "suricata-verify__tcp-split-handshake-01-4whs__split-handshake-4whs.pcap",
        "complete_handshakes",
        1,
        "a split handshake (SYN; server SYN; client SYN+ACK; server ACK): tshark counts only \
         SYN, server SYN+ACK, client ACK; synack counts the SYN, a SYN+ACK acknowledging a \
         SYN and the ACK of that SYN+ACK, from whichever end",
    ),
    (
        "gopacket__pcapgo__tests__be__test202.pcapng",
        "packets",
        8,
        "tshark counts three non-packet pcapng blocks (a custom block and two unknown ones) as \
         frames; the file holds 8 packet blocks",
    ),
];

/// Files the manifest marks BAD: what synack must say instead of reading them.
const BAD: &[(&str, &str)] = &[
    ("libpcap__shb-option-too-long.pcapng", "pcapng"),
    ("libpcap__pcap-invalid-version-1.pcap", "libpcap error"),
    ("zeek__README-not-a-capture.pcap", "not a capture file"),
];

#[derive(Debug, Default)]
struct Ours {
    packets: u64,
    connections: u64,
    complete_handshakes: u64,
    fin_both_sides: u64,
}

fn read(path: &str) -> Result<(Ours, Option<String>), String> {
    let (text, outcome) = common::batch(path, Format::Json, &[])?;
    let warn = outcome.input_error;
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    Ok((
        Ours {
            packets: last["packets"].as_u64().unwrap(),
            connections: last["connections"].as_u64().unwrap(),
            complete_handshakes: last["handshakes"]["complete"].as_u64().unwrap(),
            fin_both_sides: last["teardowns"]["fin"].as_u64().unwrap(),
        },
        warn.map(|w| w.to_string()),
    ))
}

#[test]
fn every_corpus_capture_agrees_with_the_manifest_or_the_difference_is_explained() {
    let dir = common::corpus_dir();
    let rows = manifest();
    assert!(rows.len() >= 60, "manifest has {} rows", rows.len());
    let diffs: HashMap<(&str, &str), u64> = DIFFERENCES
        .iter()
        .map(|(f, c, v, _)| ((*f, *c), *v))
        .collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in &rows {
        let path = dir.join(&row.file).to_string_lossy().into_owned();
        if let Some((_, msg)) = BAD.iter().find(|(f, _)| *f == row.file) {
            match read(&path) {
                Err(e) => {
                    assert!(
                        e.contains(msg),
                        "{}: error {e:?} should mention {msg:?}",
                        row.file
                    );
                    assert!(
                        !e.contains('\n'),
                        "{}: error must be one line: {e:?}",
                        row.file
                    );
                }
                Ok(_) => failures.push(format!("{}: read, but the file is bad", row.file)),
            }
            continue;
        }
        let (ours, warn) = match read(&path) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{}: {e}", row.file));
                continue;
            }
        };
        if row.notes.contains("truncated mid-record") {
            assert!(
                warn.as_deref().unwrap_or("").contains("truncated"),
                "{}",
                row.file
            );
        } else if let Some(w) = warn {
            failures.push(format!("{}: unexpected warning {w}", row.file));
        }
        for (column, want, got) in [
            ("packets", row.packets, ours.packets),
            ("tcp_streams", row.tcp_streams, ours.connections),
            (
                "complete_handshakes",
                row.complete_handshakes,
                ours.complete_handshakes,
            ),
            ("fin_both_sides", row.fin_both_sides, ours.fin_both_sides),
        ] {
            let want = diffs
                .get(&(row.file.as_str(), column))
                .copied()
                .unwrap_or(want);
            if got != want {
                failures.push(format!(
                    "{}: {column} manifest/expected {want}, synack {got}",
                    row.file
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_listed_difference_is_still_a_difference() {
    // A difference that no longer happens must be removed from the list, not kept as cover.
    let rows = manifest();
    for (file, column, ours, _) in DIFFERENCES {
        let row = rows
            .iter()
            .find(|r| r.file == *file)
            .unwrap_or_else(|| panic!("{file} not in manifest"));
        let manifest_value = match *column {
            "packets" => row.packets,
            "complete_handshakes" => row.complete_handshakes,
            "fin_both_sides" => row.fin_both_sides,
            "tcp_streams" => row.tcp_streams,
            other => panic!("unknown column {other}"),
        };
        assert_ne!(manifest_value, *ours, "{file} {column}: no longer differs");
    }
}

#[test]
fn bad_corpus_files_fail_cleanly_through_the_binary() {
    let dir = common::corpus_dir();
    for (file, _) in BAD {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_synack"))
            .arg(dir.join(file))
            .arg("--text")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{file}: {err}");
        assert!(err.starts_with("synack: "), "{file}: {err}");
        assert!(out.stdout.is_empty(), "{file}");
    }
}

#[test]
fn truncated_corpus_file_prints_what_was_read_then_warns() {
    let path = common::corpus_dir().join("tcpdump__ssh-truncated.pcap");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synack"))
        .arg(&path)
        .arg("--text")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("packets 5: tcp 5"), "{stdout}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("truncated"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn findings_on_real_captures_do_not_depend_on_the_event_cap() {
    // As tests/diagnose.rs checks on the fixtures: one event kept per connection (plus the
    // handshake, teardown and state changes) and every finding still says the same.
    let dir = common::corpus_dir();
    let mut dropped = 0;
    for row in manifest() {
        if BAD.iter().any(|(f, _)| *f == row.file) {
            continue;
        }
        let path = dir.join(&row.file).to_string_lossy().into_owned();
        let (all, _) = common::findings_and_dropped(&path, &[]);
        let (capped, n) = common::findings_and_dropped(&path, &["--max-events", "1"]);
        assert_eq!(all, capped, "{}", row.file);
        dropped += n;
    }
    assert!(dropped > 10_000, "the cap left out only {dropped} events");
}

#[test]
fn inferred_is_the_missing_syns_not_the_captured_synacks() {
    // zeek's handshake-reorder and ipv6-http-atomic-frag: the SYN+ACK is captured first.
    for (file, synack_frame) in [
        ("zeek__tcp__handshake-reorder.pcap", 1),
        ("zeek__ipv6-http-atomic-frag.pcap", 3),
    ] {
        let path = common::corpus_dir().join(file);
        let lines = common::json_lines(&path.to_string_lossy(), &[]);
        let c = common::connections(&lines)[0];
        let evs = c["events"].as_array().unwrap();
        assert_eq!(evs[0]["kind"], "missing", "{file}");
        assert_eq!(evs[0]["flags"], "SYN", "{file}");
        assert_eq!(evs[0]["marks"], serde_json::json!(["inferred"]), "{file}");
        assert_eq!(evs[1]["frame"], synack_frame, "{file}");
        assert_eq!(evs[1]["flags"], "SYN+ACK", "{file}");
        assert_eq!(evs[1]["marks"], serde_json::json!([]), "{file}");
    }
}

/// `--diagnose` of the corpus file `name`.
fn diagnosis_of(name: &str) -> String {
    let path = common::corpus_dir().join(name);
    common::run_batch(
        path.to_str().unwrap(),
        synack::output::Format::Diagnose,
        &[],
    )
    .0
}

/// 200 SYNs in the last 0.2 s of a capture: too recent to be unanswered, but not "healthy".
#[test]
fn a_burst_of_syns_at_the_end_is_not_called_healthy() {
    let out = diagnosis_of(
        "suricata-verify__firewall__tcp-session-syn-flood-drop-precedence__input.pcap",
    );
    assert!(
        out.contains("200 SYNs had no answer yet when the capture ended"),
        "{out}"
    );
    assert!(!out.contains("every connection looks healthy"), "{out}");
}

/// A capture of one RST: nothing it answers is in the file, and the finding says so.
#[test]
fn a_lone_rst_is_not_said_to_answer_a_segment_the_file_lacks() {
    let out = diagnosis_of("zeek__tcp__single-rst.pcap");
    assert!(
        out.contains("no segment from 10.0.0.80:80 before it"),
        "{out}"
    );
    assert!(!out.contains("in reply to a segment"), "{out}");
}

/// A FIN sent again at once with the ACK of the peer's crossing FIN (a simultaneous close,
/// 12-26 µs after the first) is marked a retransmission, as tshark marks it, but it is no
/// loss on the path: of the capture's eight connections with retransmissions, five are only
/// that, and no longer get the finding.
#[test]
fn a_fin_resent_to_answer_a_crossing_fin_is_not_path_loss() {
    let path = common::corpus_dir().join("zeek__ssh__ssh.pcap");
    let lines = common::json_lines(path.to_str().unwrap(), &[]);
    let sum = common::summary(&lines);
    assert_eq!(sum["findings"]["by_kind"]["retransmission"], 3, "{sum}");
    let marked: usize = common::connections(&lines)
        .iter()
        .flat_map(|c| c["events"].as_array().unwrap().iter())
        .filter(|e| {
            e["marks"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m == "retransmission"))
                && e["flags"].as_str().is_some_and(|f| f.contains("FIN"))
        })
        .count();
    assert!(marked >= 5, "the marks stay: {marked}");
}
