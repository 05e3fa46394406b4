//! `--diagnose`: a generated fixture per finding, golden reports, JSON fields and exit codes.

mod common;

use std::process::Command;

use serde_json::Value;
use synack::output::Format;

fn report(name: &str) -> String {
    let (out, err) = common::run_batch(&common::fixture(name), Format::Diagnose, &["--diagnose"]);
    assert!(err.is_none(), "{name}: {err:?}");
    out.replace(&common::fixture(""), "fixtures/")
}

fn golden(name: &str) {
    let got = report(name);
    let path = common::root()
        .join("tests/golden")
        .join(format!("{name}.diagnose.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() && std::env::var("CI").as_deref() != Ok("true") {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing {}; UPDATE_GOLDEN=1 cargo test --test diagnose",
            path.display()
        )
    });
    assert_eq!(
        got,
        want,
        "{name}: --diagnose report differs from {}",
        path.display()
    );
}

/// Findings of every connection, as (connection id, kind, side, problem).
fn findings(name: &str) -> (Vec<(u64, String, String, bool)>, Value) {
    let lines = common::json_lines(&common::fixture(name), &[]);
    let mut out = Vec::new();
    for c in common::connections(&lines) {
        for f in c["findings"].as_array().unwrap() {
            assert!(!f["sentence"].as_str().unwrap().is_empty());
            assert!(f["frames"].is_array());
            assert!(chrono::DateTime::parse_from_rfc3339(f["since"].as_str().unwrap()).is_ok());
            out.push((
                c["id"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().to_string(),
                f["side"].as_str().unwrap().to_string(),
                f["problem"].as_bool().unwrap(),
            ));
        }
    }
    (out, common::summary(&lines)["findings"].clone())
}

fn kinds(f: &[(u64, String, String, bool)]) -> Vec<&str> {
    let mut k: Vec<&str> = f.iter().map(|x| x.1.as_str()).collect();
    k.sort();
    k.dedup();
    k
}

fn exit_code(args: &[&str]) -> i32 {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

#[test]
fn time_wait_held_by_client_and_by_server_make_two_piles() {
    golden("diag-time-wait-pile.pcap");
    let (f, s) = findings("diag-time-wait-pile.pcap");
    assert_eq!(
        f.iter()
            .filter(|x| x.1 == "time_wait" && x.2 == "client")
            .count(),
        12
    );
    assert_eq!(
        f.iter()
            .filter(|x| x.1 == "time_wait" && x.2 == "server")
            .count(),
        10
    );
    let groups = s["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["pattern"], "time_wait_pile");
    assert_eq!(groups[0]["count"], 12);
    assert_eq!(groups[0]["endpoint"], "10.0.0.2:80");
    assert!(groups[0]["sentence"]
        .as_str()
        .unwrap()
        .contains("held by the client 10.0.0.9"));
    assert!(groups[1]["sentence"]
        .as_str()
        .unwrap()
        .contains("held by the server 10.0.0.3"));
    // Under --pile-min, no pile.
    let lines = common::json_lines(
        &common::fixture("diag-time-wait-pile.pcap"),
        &["--pile-min", "11"],
    );
    let groups = common::summary(&lines)["findings"]["groups"].clone();
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups}");
}

#[test]
fn port_reuse_accepted_and_answered_with_an_ack() {
    golden("diag-port-reuse.pcap");
    let lines = common::json_lines(&common::fixture("diag-port-reuse.pcap"), &[]);
    let conns = common::connections(&lines);
    let sentences: Vec<String> = conns
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().iter())
        .map(|f| f["sentence"].as_str().unwrap().to_string())
        .filter(|s| s.contains("new SYN"))
        .collect();
    assert_eq!(sentences.len(), 3, "{sentences:?}");
    assert!(sentences[0].contains("accepted (SYN+ACK)"));
    assert!(sentences[1].contains("answered with an ACK for the old connection"));
    assert!(sentences[2].contains("answered with a RST"));
    // The connections they replaced: no 2*MSL left is claimed for their TIME_WAIT (an
    // accepting end ended it), so no pile counts them.
    for c in &conns[..3] {
        let tw: Vec<&serde_json::Value> = c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "time_wait")
            .collect();
        assert_eq!(tw.len(), 1, "{c}");
        assert!(tw[0]["sentence"]
            .as_str()
            .unwrap()
            .contains("a later SYN reused its 4-tuple"));
        assert_eq!(tw[0]["remaining"], serde_json::Value::Null, "{c}");
    }
}

#[test]
fn close_wait_names_the_stuck_application_and_the_peer_in_fin_wait_2() {
    golden("diag-close-wait.pcap");
    let (f, _) = findings("diag-close-wait.pcap");
    assert_eq!(f, vec![(1, "close_wait".into(), "server".into(), true)]);
    // Below --stuck-after it is not a finding.
    let lines = common::json_lines(
        &common::fixture("diag-close-wait.pcap"),
        &["--stuck-after", "60"],
    );
    assert!(common::connections(&lines)[0]["findings"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn syn_flood_is_a_pattern_over_half_open_connections() {
    golden("diag-syn-flood.pcap");
    let (f, s) = findings("diag-syn-flood.pcap");
    assert_eq!(f.iter().filter(|x| x.1 == "half_open").count(), 50);
    assert_eq!(
        kinds(&f),
        vec!["half_open"],
        "SYN+ACK retransmissions are part of half_open"
    );
    let g = &s["groups"][0];
    assert_eq!(g["pattern"], "syn_flood");
    assert_eq!(g["count"], 50);
    assert!(g["sentence"]
        .as_str()
        .unwrap()
        .contains("from 50 sources, up to 50 per second"));
    // Fewer sources than --flood-sources: no pattern.
    let lines = common::json_lines(
        &common::fixture("diag-syn-flood.pcap"),
        &["--flood-sources", "51"],
    );
    assert!(common::summary(&lines)["findings"]["groups"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn zero_window_lasting_past_stuck_after_means_the_receiver_stopped_reading() {
    golden("diag-zero-window.pcap");
    let lines = common::json_lines(&common::fixture("diag-zero-window.pcap"), &[]);
    let c = common::connections(&lines)[0];
    let zw: Vec<&Value> = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "zero_window")
        .collect();
    assert_eq!(zw.len(), 1);
    assert!(zw[0]["sentence"]
        .as_str()
        .unwrap()
        .contains("the receiver at 10.0.0.1:40110 stopped reading: zero window for 15.0 s"));
    assert_eq!(c["marks"]["zero_window_probe"], 3);
    assert!(
        c["marks"].get("keepalive").is_none(),
        "window probes are not keep-alives"
    );
}

#[test]
fn reset_from_a_half_open_peer_is_told_apart_from_an_abortive_close() {
    golden("diag-half-open-rst.pcap");
    let (f, _) = findings("diag-half-open-rst.pcap");
    assert_eq!(kinds(&f), vec!["half_open", "reset"]);
    let (out, _) = common::run_batch(
        &common::fixture("diag-half-open-rst.pcap"),
        Format::Diagnose,
        &["--diagnose"],
    );
    assert!(out.contains("reset a connection it does not know"));
    let (demo, _) = common::run_batch(
        &common::fixture("demo.pcap"),
        Format::Diagnose,
        &["--diagnose"],
    );
    assert!(
        demo.contains("aborted the connection in ESTABLISHED after 400 bytes (an abortive close")
    );
}

#[test]
fn idle_established_connection_without_keepalives() {
    golden("diag-idle.pcap");
    let (f, _) = findings("diag-idle.pcap");
    assert!(f.contains(&(1, "idle".into(), "client".into(), true)));
    let lines = common::json_lines(&common::fixture("diag-idle.pcap"), &["--idle-after", "500"]);
    assert!(common::connections(&lines)[0]["findings"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn demo_findings_cover_the_lecture_story() {
    golden("demo.pcap");
    let (f, _) = findings("demo.pcap");
    assert_eq!(
        kinds(&f),
        vec![
            "close_wait",
            "refused",
            "reset",
            "syn_unanswered",
            "time_wait"
        ]
    );
    let su: Vec<_> = f.iter().filter(|x| x.1 == "syn_unanswered").collect();
    assert_eq!(su.len(), 1);
    let (out, _) = common::run_batch(
        &common::fixture("demo.pcap"),
        Format::Diagnose,
        &["--diagnose"],
    );
    assert!(out.contains(
        "3 SYNs from 192.168.1.10:51004 to 192.168.1.99:443 at 0 s, 1 s, 3 s, no answer"
    ));
    assert!(out.contains("port 81 closed on 192.168.1.20"));
}

#[test]
fn json_connections_carry_findings_and_the_summary_counts_them() {
    let lines = common::json_lines(&common::fixture("demo.pcap"), &[]);
    for c in common::connections(&lines) {
        assert!(c["findings"].is_array());
    }
    let s = &common::summary(&lines)["findings"];
    // Two TIME_WAITs on the simultaneous close (both ends), one on the graceful close.
    assert_eq!(s["total"], 7);
    assert_eq!(s["by_kind"]["time_wait"], 3);
    assert!(s["problems"].as_u64().unwrap() >= 4);
    // Connection 1 (the graceful close) is still in TIME_WAIT when the capture ends; the
    // others, over and past the linger, were written before it.
    let tw = common::connections(&lines)
        .into_iter()
        .find(|c| c["id"] == 1)
        .unwrap();
    assert!(tw["time_wait_remaining"].as_f64().unwrap() > 0.0);
}

#[test]
fn exit_status_is_zero_when_healthy_and_one_on_problems() {
    assert_eq!(
        exit_code(&[&common::fixture("handshake-close.pcap"), "--diagnose"]),
        0
    );
    assert_eq!(
        exit_code(&[&common::fixture("diag-close-wait.pcap"), "--diagnose"]),
        1
    );
    assert_eq!(
        exit_code(&[
            &common::fixture("diag-close-wait.pcap"),
            "--diagnose",
            "--json"
        ]),
        1
    );
    assert_eq!(
        exit_code(&[&common::fixture("diag-close-wait.pcap"), "--json"]),
        0
    );
    assert_eq!(exit_code(&["/nonexistent.pcap", "--diagnose"]), 2);
}

#[test]
fn past_the_event_cap_json_says_where_segments_went_and_who_retransmitted() {
    let path = common::fixture("bulk-transfer.pcap");
    let all = common::json_lines(&path, &[]);
    let capped = common::json_lines(&path, &["--max-events", "16"]);
    let (all, capped) = (
        &common::connections(&all)[0],
        &common::connections(&capped)[0],
    );
    // Nothing left out: no `dropped_runs` at all.
    assert_eq!(all["events_dropped"], 0);
    assert!(all.get("dropped_runs").is_none(), "{all}");
    assert_eq!(all["events"].as_array().unwrap().len(), 189);
    // Capped: 16 kept before the data runs' remainder, the 4 teardown segments after it.
    let events = capped["events"].as_array().unwrap();
    assert_eq!(events.len(), 20);
    assert_eq!(capped["events_dropped"], 169);
    assert_eq!(
        capped["dropped_runs"],
        serde_json::json!([{"after": 16, "segments": 169, "c2s": 56, "s2c": 113,
                            "bytes": 163624, "frame": 17, "frame_last": 185,
                            "t": 0.0334, "t_last": 0.377}])
    );
    assert!(
        events[16]["flags"].as_str().unwrap().contains("FIN"),
        "{}",
        events[16]
    );
    // The one retransmission (the server's, frame 97) was among the segments not kept: the
    // finding still names the server and the frame.
    for c in [all, capped] {
        let f = c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "retransmission")
            .expect("a retransmission finding");
        assert_eq!(f["side"], "server", "{f}");
        assert_eq!(f["frames"], serde_json::json!([97]), "{f}");
    }
}

#[test]
fn findings_do_not_depend_on_the_event_cap() {
    // With one event kept per connection (plus handshake, teardown and state changes), every
    // finding says the same: who, how many, the same sentence. (Counts of zero windows and who
    // retransmitted used to come from the events kept.)
    let mut dropped = 0;
    for entry in std::fs::read_dir(common::root().join("fixtures")).unwrap() {
        let path = entry.unwrap().path().to_string_lossy().into_owned();
        if !(path.ends_with(".pcap") || path.ends_with(".pcapng")) {
            continue;
        }
        let (all, _) = common::findings_and_dropped(&path, &[]);
        let (capped, n) = common::findings_and_dropped(&path, &["--max-events", "1"]);
        assert_eq!(all, capped, "{path}");
        dropped += n;
    }
    assert!(dropped > 400, "the cap left out only {dropped} events");
}

#[test]
fn the_diagnosis_in_chinese_when_lang_asks_and_only_then() {
    let demo = common::fixture("demo.pcap");
    let (zh, _) = common::run_batch(&demo, Format::Diagnose, &["--lang", "zh"]);
    let shown = zh.replace(&common::fixture(""), "fixtures/");
    common::golden(
        "--diagnose --lang zh on the demo",
        "diagnose-demo.zh",
        &shown,
    );
    assert!(
        zh.contains("被拒绝的连接（1）") && zh.contains("证据：第 15 帧"),
        "{zh}"
    );
    // The same findings as in English, in the same order: connection ids line by line.
    let (en, _) = common::run_batch(&demo, Format::Diagnose, &[]);
    let ids = |s: &str| -> Vec<String> {
        s.lines()
            .filter_map(|l| l.trim_start().strip_prefix('#'))
            .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(ids(&zh), ids(&en));
    assert!(en.starts_with("synack diagnosis of"), "{en}");
    // A Chinese locale alone leaves --diagnose in English: scripts read it.
    let env = synack::config::Env {
        lang: synack::i18n::Lang::Zh,
        ..Default::default()
    };
    let args = <synack::cli::Args as clap::Parser>::parse_from(["synack", &demo, "--diagnose"]);
    let cfg = synack::config::Config::from_args(&args, &env).unwrap();
    assert_eq!(cfg.output.options.report_lang, synack::i18n::Lang::En);
}

#[test]
fn the_text_output_in_chinese_when_lang_asks_and_only_then() {
    let demo = common::fixture("demo.pcap");
    let (zh, _) = common::run_batch(&demo, Format::Text, &["--lang", "zh"]);
    let shown = zh.replace(&common::fixture(""), "fixtures/");
    common::golden("--text --lang zh on the demo", "text-demo.zh", &shown);
    assert!(
        zh.contains("连接 #2") && zh.contains("握手 不完整，拆除 RST"),
        "{zh}"
    );
    assert!(zh.contains("汇总\n  数据包 42"), "{zh}");
    // The ladder itself is the same as in English but for its words: the column titles (as
    // wide in both) and a refused server's label.
    let (en, _) = common::run_batch(&demo, Format::Text, &[]);
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.contains('|'))
            .map(String::from)
            .collect()
    };
    assert!(zh.contains("        时间       客户端 |"), "{zh}");
    assert!(zh.contains("| CLOSED（无监听）"), "{zh}");
    let back: Vec<String> = rows(&zh)
        .iter()
        .map(|r| {
            r.replace("时间", "time")
                .replace("客户端", "client")
                .replace("服务器", "server")
                .replace("CLOSED（无监听）", "CLOSED (no listener)")
        })
        .collect();
    assert_eq!(back, rows(&en));
    assert!(
        en.contains("Connection #2") && en.contains("Summary"),
        "{en}"
    );
}
