//! The memory bound (issue 14) through the binary's own code path: the table and the event log
//! sized from --max-memory, evicted connections that go on counted instead of split, and the
//! summary, the text and the diagnosis saying what the bound cost. Peak memory itself is a
//! benchmark (`make bench-hostile`), not a test.

mod common;

use synack::gen::bulk::{write_hostile, Hostile};

fn capture(dir: &tempfile::TempDir, name: &str, what: Hostile) -> (String, u64) {
    let path = dir.path().join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let n = write_hostile(what, 1, &mut f).unwrap();
    drop(f);
    (path.to_string_lossy().into_owned(), n)
}

fn u(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn interleaved_connections_past_the_table_come_out_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let (path, packets) = capture(
        &dir,
        "long.pcap",
        Hostile::Long {
            conns: 50,
            segs: 20,
        },
    );
    let lines = common::json_lines(&path, &["--max-conns", "10", "--no-events"]);
    let conns = common::connections(&lines);
    // Without the memory of evicted 4-tuples each later segment opened a new mid-stream
    // connection, which evicted another: thousands of records for 50 connections.
    assert_eq!(conns.len(), 50);
    let sum = common::summary(&lines);
    let mem = &sum["memory"];
    assert_eq!(u(&mem["evicted"]), 40, "{sum}");
    let counted: u64 = conns.iter().map(|c| u(&c["packets"])).sum();
    assert!(u(&mem["after_eviction"]) > 0, "{sum}");
    assert_eq!(counted + u(&mem["after_eviction"]), packets);
    assert_eq!(u(&mem["budget"]), 128 << 20, "the default --max-memory");
    let (text, _) = common::run_batch(&path, synack::output::Format::Text, &["--max-conns", "10"]);
    assert!(
        text.contains(
            "memory bound reached (--max-memory 128 MiB or --max-conns): 40 connections evicted"
        ),
        "{text}"
    );
}

#[test]
fn a_flood_past_the_budget_is_still_reported_with_its_sources_and_each_syn_judged() {
    let dir = tempfile::tempdir().unwrap();
    // 16,000 SYNs over 16 s, one every millisecond.
    let (path, _) = capture(
        &dir,
        "flood.pcap",
        Hostile::SynFlood {
            syns: 16_000,
            gap_ns: 1_000_000,
        },
    );
    // 1 MiB holds about 9,100 attempts (held compactly, 72 bytes each): the oldest are
    // evicted, each many seconds after its SYN.
    let (out, _) = common::run_batch(
        &path,
        synack::output::Format::Diagnose,
        &["--max-memory", "1M"],
    );
    assert!(
        out.contains(
            "SYN flood pattern: 16000 half-open connections to 192.0.2.1:80 from 16000 sources"
        ),
        "{out}"
    );
    assert!(
        out.contains("memory bound reached (--max-memory 1 MiB or --max-conns):"),
        "{out}"
    );
    let lines = common::json_lines(&path, &["--max-memory", "1M", "--no-events"]);
    let sum = common::summary(&lines);
    let evicted = u(&sum["memory"]["evicted"]);
    assert!((6000..8000).contains(&evicted), "{sum}");
    assert_eq!(
        common::connections(&lines).len(),
        16_000,
        "every attempt written once"
    );
    // Every SYN at least 3 s older than the last packet is unanswered, evicted or not: those
    // of the first 13 s, 13,000. Held in full, the attempts were evicted within a second of
    // their SYN, too soon to be judged, and none was.
    assert_eq!(
        u(&sum["findings"]["by_kind"]["syn_unanswered"]),
        13_000,
        "{sum}"
    );
}

#[test]
fn the_event_budget_folds_data_and_keeps_every_handshake_and_close() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = capture(
        &dir,
        "long.pcap",
        Hostile::Long {
            conns: 20,
            segs: 2000,
        },
    );
    // 1 MiB: about 4,000 events across all 20 connections, fewer than their 60,000 segments.
    let lines = common::json_lines(&path, &["--max-memory", "1M"]);
    let sum = common::summary(&lines);
    assert!(u(&sum["memory"]["events_over_budget"]) > 0, "{sum}");
    let conns = common::connections(&lines);
    assert_eq!(conns.len(), 20);
    let held: usize = conns
        .iter()
        .map(|c| c["events"].as_array().unwrap().len())
        .sum();
    assert!(held < 10_000, "{held} events held");
    for c in &conns {
        assert_eq!(c["handshake"], "complete", "{}", c["id"]);
        assert_eq!(c["teardown"], "fin", "{}", c["id"]);
        let ev = c["events"].as_array().unwrap();
        assert!(ev.iter().any(|e| e["flags"] == "SYN"), "{}", c["id"]);
        assert!(
            ev.iter()
                .filter(|e| e["flags"].as_str().is_some_and(|f| f.contains("FIN")))
                .count()
                == 2
        );
        // Every segment is an event or counted as left out.
        assert_eq!(
            ev.len() as u64 + u(&c["events_dropped"]),
            u(&c["packets"]),
            "{}",
            c["id"]
        );
    }
}

#[test]
fn a_bad_max_memory_is_a_one_line_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["--max-memory", "12 parsecs", &common::fixture("demo.pcap")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--max-memory") && err.contains("a size such as 512M"),
        "{err}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synack"))
        .args([
            "--max-memory",
            "100K",
            "--json",
            &common::fixture("demo.pcap"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 1M"));
}
