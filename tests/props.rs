//! Property tests of the tracker (proptest): random captures of several interleaved
//! conversations, scripted with the generator (`synack::gen::Conv`: handshakes, data both
//! ways, closes, resets, refusals, retransmissions, lost segments, long silences, 4-tuples
//! used again), written as pcap and read back as `synack FILE --json` reads them.
//!
//! - per-connection packet and byte counts add up to the capture's (and each connection's
//!   to its two ends'), in the tracker and in the JSON output;
//! - reading a capture twice, or from memory instead of by path, gives the same output;
//! - with any `--max-events` the connections, their counts and final states are unchanged
//!   and every event is kept or counted as dropped; with any `--max-conns` every 4-tuple is
//!   still there, every packet still counted (in a connection, or as a segment after its
//!   eviction), and the 4-tuples whose connections differ are
//!   no more than the evictions counted (none when the table never filled).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use clap::Parser;
use proptest::prelude::*;
use serde_json::Value;
use synack::gen::conv::{ep, merge};
use synack::gen::write::{frames, write_pcap};
use synack::gen::{Conv, GenPacket, Link};
use synack::output::Format;

/// One step of a conversation script, with the time before it in milliseconds.
#[derive(Debug, Clone)]
enum Step {
    Syn,
    SynAck,
    AckC,
    AckS,
    DataC(usize),
    DataS(usize),
    FinC,
    FinS,
    RstC,
    RstS,
    Refuse,
    RetransmitC,
    RetransmitS,
    LoseLast,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Syn),
        3 => Just(Step::SynAck),
        3 => Just(Step::AckC),
        2 => Just(Step::AckS),
        4 => (1usize..1500).prop_map(Step::DataC),
        4 => (1usize..1500).prop_map(Step::DataS),
        2 => Just(Step::FinC),
        2 => Just(Step::FinS),
        1 => Just(Step::RstC),
        1 => Just(Step::RstS),
        1 => Just(Step::Refuse),
        1 => Just(Step::RetransmitC),
        1 => Just(Step::RetransmitS),
        1 => Just(Step::LoseLast),
    ]
}

/// Time before a step: mostly milliseconds, sometimes past TIME_WAIT (2*MSL = 60 s) or the
/// linger (5 s), so timers fire between segments.
fn gap_ms() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0u32..50, 1 => 1_000u32..8_000, 1 => 55_000u32..70_000]
}

/// A conversation: which of 4 clients (so two scripts may share a 4-tuple), when it starts
/// (ms), its ISNs, and its steps.
#[derive(Debug, Clone)]
struct Script {
    client: u16,
    start_ms: u32,
    isns: (u32, u32),
    steps: Vec<(u32, Step)>,
}

fn script() -> impl Strategy<Value = Script> {
    (
        0u16..4,
        0u32..5_000,
        any::<(u32, u32)>(),
        prop::collection::vec((gap_ms(), step()), 1..24),
    )
        .prop_map(|(client, start_ms, isns, steps)| Script {
            client,
            start_ms,
            isns,
            steps,
        })
}

fn capture() -> impl Strategy<Value = Vec<Script>> {
    prop::collection::vec(script(), 1..8)
}

fn conv_of(s: &Script) -> Conv {
    let mut c = Conv::new(
        ep(&format!("10.0.0.{}", 1 + s.client), 40000 + s.client),
        ep("10.0.0.100", 80),
        s.isns.0,
        s.isns.1,
        1_709_287_200.0 + f64::from(s.start_ms) / 1e3,
    );
    for (gap, st) in &s.steps {
        let dt = f64::from(*gap) / 1e3;
        let sent = |c: &Conv, from: usize| {
            let src = if from == 0 { c.client } else { c.server };
            c.packets.iter().any(|p| p.src == src)
        };
        match st {
            Step::Syn => c.syn(dt),
            Step::SynAck => c.syn_ack(dt),
            Step::AckC => c.ack_c(dt),
            Step::AckS => c.ack_s(dt),
            Step::DataC(n) => c.data_c(dt, *n),
            Step::DataS(n) => c.data_s(dt, *n),
            Step::FinC => c.fin_c(dt),
            Step::FinS => c.fin_s(dt),
            Step::RstC => c.rst_c(dt),
            Step::RstS => c.rst_s(dt),
            Step::Refuse => c.refuse(dt),
            Step::RetransmitC if sent(&c, 0) => c.retransmit(dt, 0),
            Step::RetransmitS if sent(&c, 1) => c.retransmit(dt, 1),
            Step::LoseLast => c.lose_last(),
            Step::RetransmitC | Step::RetransmitS => &mut c,
        };
    }
    c
}

fn packets_of(scripts: &[Script]) -> Vec<GenPacket> {
    let convs: Vec<Conv> = scripts.iter().map(conv_of).collect();
    merge(&convs.iter().collect::<Vec<_>>())
}

/// The capture written as a pcap in `dir`; its path.
fn write(dir: &tempfile::TempDir, packets: &[GenPacket]) -> String {
    let path = dir.path().join("prop.pcap");
    let link = Link::ethernet();
    write_pcap(&path, &link, &frames(&link, packets, false), false).unwrap();
    path.to_string_lossy().into_owned()
}

fn json(path: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["--no-progress"];
    args.extend_from_slice(extra);
    common::json_lines(path, &args)
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// What must not change under the limits: per connection (in id order), its 4-tuple,
/// first packet, counts, final states, handshake and teardown.
fn essence(c: &Value) -> String {
    let keys = [
        "client",
        "server",
        "first_seen",
        "packets",
        "bytes",
        "client_state",
        "server_state",
        "handshake",
        "teardown",
        "mid_stream",
    ];
    keys.iter()
        .map(|k| c[*k].to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each 4-tuple's connections, in id order, by their essence.
fn by_tuple(conns: &[&Value]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in conns {
        m.entry(format!("{} {}", c["client"], c["server"]))
            .or_default()
            .push(essence(c));
    }
    m
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn packet_and_byte_counts_add_up(scripts in capture()) {
        let packets = packets_of(&scripts);
        let bytes: u64 = packets.iter().map(|p| p.payload.len() as u64).sum();
        // In the tracker, kept whole...
        let conns = synack::testkit::connections(&packets);
        let ends = conns.iter().flat_map(|c| &c.ends);
        let (p, b) = ends.fold((0, 0), |(p, b), e| (p + e.packets, b + e.bytes));
        prop_assert_eq!((p, b), (packets.len() as u64, bytes));
        // ...and in a batch run, which retires connections as they end.
        let dir = tempfile::tempdir().unwrap();
        let lines = json(&write(&dir, &packets), &["--no-events"]);
        let sum = common::summary(&lines);
        prop_assert_eq!(u(&sum["packets"]), packets.len() as u64);
        prop_assert_eq!(u(&sum["tcp"]), packets.len() as u64);
        let (mut p, mut b) = (0, 0);
        for c in common::connections(&lines) {
            prop_assert_eq!(u(&c["packets"]), u(&c["client_packets"]) + u(&c["server_packets"]));
            prop_assert_eq!(u(&c["bytes"]), u(&c["client_bytes"]) + u(&c["server_bytes"]));
            p += u(&c["packets"]);
            b += u(&c["bytes"]);
        }
        prop_assert_eq!((p, b), (packets.len() as u64, bytes));
        prop_assert_eq!(u(&sum["connections"]), common::connections(&lines).len() as u64);
    }

    #[test]
    fn reading_a_capture_twice_gives_the_same_output(scripts in capture()) {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, &packets_of(&scripts));
        for (format, extra) in [(Format::Json, &[][..]), (Format::Text, &["--max-conns", "2"][..])] {
            let once = common::batch(&path, format, extra).unwrap().0;
            let twice = common::batch(&path, format, extra).unwrap().0;
            prop_assert!(!once.is_empty());
            prop_assert_eq!(&once, &twice);
        }
        // From memory (libpcap fed through a pipe) as from the path (libpcap opens it).
        let args = synack::cli::Args::try_parse_from(["synack", &path, "--json", "--no-progress"]).unwrap();
        let cfg = synack::config::Config::from_args(&args, &Default::default()).unwrap();
        let reader = synack::capture::FileReader::from_memory(&path, std::fs::read(&path).unwrap()).unwrap();
        let mut out = Vec::new();
        synack::run::file::run(reader, &cfg.core, &cfg.output, Format::Json, &mut out).unwrap();
        prop_assert_eq!(String::from_utf8(out).unwrap(), common::batch(&path, Format::Json, &[]).unwrap().0);
    }

    #[test]
    fn event_and_connection_limits_keep_connections_and_states(
        scripts in capture(),
        max_events in 1usize..12,
        max_conns in 1usize..6,
    ) {
        let packets = packets_of(&scripts);
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, &packets);
        let all = json(&path, &[]);
        let all_conns = common::connections(&all);

        let n = max_events.to_string();
        let capped = json(&path, &["--max-events", &n]);
        let capped_conns = common::connections(&capped);
        prop_assert_eq!(
            all_conns.iter().map(|c| essence(c)).collect::<Vec<_>>(),
            capped_conns.iter().map(|c| essence(c)).collect::<Vec<_>>()
        );
        for (a, c) in all_conns.iter().zip(&capped_conns) {
            let kept = c["events"].as_array().unwrap().len() as u64;
            prop_assert_eq!(kept + u(&c["events_dropped"]), a["events"].as_array().unwrap().len() as u64);
        }

        let n = max_conns.to_string();
        let limited = json(&path, &["--max-conns", &n, "--no-events"]);
        let sum = common::summary(&limited);
        let evicted = sum.get("evicted").map_or(0, u);
        let limited_conns = common::connections(&limited);
        let p: u64 = limited_conns.iter().map(|c| u(&c["packets"])).sum();
        // Segments on an evicted 4-tuple after it was written are counted, not tracked.
        let after = sum.get("memory").map_or(0, |m| u(&m["after_eviction"]));
        prop_assert_eq!(p + after, packets.len() as u64, "every packet counted");
        let (before, after) = (by_tuple(&all_conns), by_tuple(&limited_conns));
        prop_assert_eq!(
            before.keys().collect::<BTreeSet<_>>(),
            after.keys().collect::<BTreeSet<_>>()
        );
        let differing = before.iter().filter(|(k, v)| after[*k] != **v).count() as u64;
        prop_assert!(differing <= evicted, "{differing} 4-tuples differ, {evicted} evictions");
        if before.len() <= max_conns {
            prop_assert_eq!(evicted, 0, "evictions with room for every 4-tuple");
        }
    }
}

/// The properties are not vacuous: over the captures the strategy makes, limits do evict and
/// drop events, 4-tuples are used again, and evicted 4-tuples do come out different.
#[test]
fn the_generated_captures_reach_what_the_properties_are_about() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut evicted, mut differing, mut dropped, mut reuses, mut closed) = (0, 0, 0, 0, 0);
    for _ in 0..48 {
        let scripts = capture().new_tree(&mut runner).unwrap().current();
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, &packets_of(&scripts));
        let all = json(&path, &[]);
        let limited = json(&path, &["--max-conns", "2", "--max-events", "3"]);
        let sum = common::summary(&limited);
        evicted += sum.get("evicted").map_or(0, u);
        reuses += u(&common::summary(&all)["port_reuses"]);
        let conns = common::connections(&limited);
        dropped += conns.iter().map(|c| u(&c["events_dropped"])).sum::<u64>();
        closed += conns.iter().filter(|c| c["teardown"] != "none").count();
        let (before, after) = (by_tuple(&common::connections(&all)), by_tuple(&conns));
        differing += before.iter().filter(|(k, v)| after[*k] != **v).count();
    }
    assert!(evicted > 20, "{evicted} evictions");
    assert!(differing > 0, "no eviction changed what was written");
    assert!(dropped > 100, "{dropped} events dropped");
    assert!(reuses > 0, "no 4-tuple used again");
    assert!(closed > 20, "{closed} connections closed or reset");
}
/// A case proptest found (2026-12-03): the second 4-tuple's last connection ended in
/// FIN_WAIT_2 in full and FIN_WAIT_1 under `--max-events 11`.
#[test]
fn the_event_cap_does_not_change_a_final_state() {
    use Step::*;
    let scripts = vec![
        Script {
            client: 2,
            start_ms: 0,
            isns: (1115504319, 0),
            steps: vec![(4647, SynAck), (5, AckS), (65786, DataC(1))],
        },
        Script {
            client: 2,
            start_ms: 0,
            isns: (48, 1291534257),
            steps: vec![
                (5, DataC(36)),
                (40, AckS),
                (23, LoseLast),
                (32, RetransmitC),
                (47, LoseLast),
                (39, Refuse),
                (49, Syn),
                (68459, Syn),
                (41, AckC),
                (43, RetransmitC),
                (16, RetransmitS),
                (1, Syn),
                (19, SynAck),
                (24, Syn),
                (9, SynAck),
                (19, DataC(823)),
                (41, SynAck),
                (28, FinC),
                (0, DataS(932)),
                (2522, Refuse),
                (56862, RetransmitC),
                (17, Syn),
            ],
        },
    ];
    let packets = packets_of(&scripts);
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, &packets);
    let all = json(&path, &[]);
    let capped = json(&path, &["--max-events", "11"]);
    let e = |l: &[Value]| {
        common::connections(l)
            .iter()
            .map(|c| essence(c))
            .collect::<Vec<_>>()
    };
    assert_eq!(e(&all), e(&capped));
}
