//! The TUI and `--json` agree at the same capture time: the TUI's replay is fed by the same
//! capture thread as the batch modes, and every frame (TCP or not) moves its clock, so a
//! TIME_WAIT whose 2*MSL passes during other traffic ends in both.

use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::Value;
use synack::cli::Args;
use synack::config::{Config, Env};
use synack::ui::replay::{Command as Play, Replay};

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The TUI's replay of `path`, opened as `synack PATH` on a terminal opens it, played to its
/// end (End: every frame at once).
fn tui_at_end(path: &str) -> Replay {
    let args = Args::parse_from(["synack", path]);
    let env = Env {
        stdout_is_terminal: true,
        ..Env::default()
    };
    let cfg = Config::from_args(&args, &env).expect("config");
    let mut r = synack::ui::open(&cfg.source, &cfg.core, &cfg.ui).expect("open");
    r.command(Play::JumpEnd);
    let give_up = Instant::now() + Duration::from_secs(20);
    let mut t = Instant::now();
    while !r.at_end() || r.seeking() {
        assert!(Instant::now() < give_up, "the replay never reached the end");
        t += Duration::from_millis(10);
        r.pump(t, Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(1));
    }
    r
}

/// `synack PATH --json --no-events`: the connection records and the summary.
fn json(path: &str) -> (Vec<Value>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args([path, "--json", "--no-events"])
        .output()
        .expect("run synack");
    assert!(out.status.success(), "{out:?}");
    let mut conns = Vec::new();
    let mut summary = Value::Null;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match v["type"].as_str() {
            Some("connection") => conns.push(v),
            Some("summary") => summary = v,
            _ => {}
        }
    }
    (conns, summary)
}

/// Each connection's two final states, by id, as the TUI shows them and as `--json` writes
/// them.
fn states(r: &Replay) -> Vec<(u64, String, String)> {
    let mut v: Vec<_> = r
        .connections()
        .map(|c| {
            let [a, b] = c.states();
            (c.id, a.name().to_string(), b.name().to_string())
        })
        .collect();
    v.sort();
    v
}

fn json_states(conns: &[Value]) -> Vec<(u64, String, String)> {
    let mut v: Vec<_> = conns
        .iter()
        .map(|c| {
            (
                c["id"].as_u64().unwrap(),
                c["client_state"].as_str().unwrap().to_string(),
                c["server_state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn time_wait_expires_in_the_tui_as_in_json_when_only_other_traffic_moves_the_clock() {
    let path = fixture("time-wait-ticks.pcap");
    let r = tui_at_end(&path);
    let (conns, summary) = json(&path);
    // The capture: one connection into TIME_WAIT, then 70 s of UDP only.
    assert_eq!(summary["non_tcp"], 7);
    assert_eq!(summary["time_wait_expired"], 1);
    assert_eq!(
        json_states(&conns),
        vec![(1, "CLOSED".into(), "CLOSED".into())]
    );
    assert_eq!(states(&r), json_states(&conns));
    assert_eq!(r.store.tracker.stats.time_wait_expired, 1);
    // The TUI's clock is at the last frame (a UDP datagram 70 s on), not the last segment.
    let last_seen = conns[0]["duration"].as_f64().unwrap();
    assert!(
        (r.elapsed() - (last_seen + 70.0)).abs() < 1e-3,
        "clock at {} s",
        r.elapsed()
    );
    // Nothing left to count down.
    let c = r.connection(1).unwrap();
    assert!(r
        .findings_of(c)
        .iter()
        .all(|f| f.kind != synack::diagnose::Kind::TimeWait));
}

#[test]
fn the_tui_and_json_agree_on_every_fixture_at_its_end() {
    for name in [
        "demo.pcap",
        "time-wait-expiry.pcap",
        "malformed.pcap",
        "port-reuse.pcap",
        "tunnels.pcap",
        "fragments.pcap",
    ] {
        let path = fixture(name);
        let r = tui_at_end(&path);
        let (conns, _) = json(&path);
        assert_eq!(states(&r), json_states(&conns), "{name}");
    }
}
