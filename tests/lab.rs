//! `synack --lab SCENARIO` end to end, as root: every scenario runs for real (`--json
//! --duration N`), its connections' final states are checked, and, while the scenario holds,
//! compared with what `ss -tan` says in both of the lab's namespaces; every exit path (normal,
//! SIGINT, SIGTERM, a panic) leaves no namespace, veth or nft table behind, and a run killed
//! with SIGKILL leaves namespaces that the next run removes.
//!
//! These tests need root. They never skip: without it they fail, saying so.

mod live_common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use live_common::{bin, require_root};
use serde_json::Value;
use synack::lab::scenarios::{FLOOD_BACKLOG, FLOOD_SYNS};

/// A running `synack --lab ...`, with its stdout and stderr read on threads.
struct LabRun {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
    stderr_seen: Vec<String>,
}

fn lines_of(r: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// What the kernel said in both namespaces while the scenario held.
struct Held {
    client: Vec<Ss>,
    server: Vec<Ss>,
}

/// One line of `ss -Htan`.
#[derive(Debug, Clone)]
struct Ss {
    state: String,
    local: String,
    peer: String,
}

fn ss(ns: &str) -> Vec<Ss> {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "ss", "-Htan"])
        .output()
        .expect("ss");
    assert!(out.status.success(), "ss in {ns}: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 5).then(|| Ss {
                state: f[0].to_string(),
                local: f[3].to_string(),
                peer: f[4].to_string(),
            })
        })
        .collect()
}

/// ss's state names as synack (and the RFC) writes them.
fn rfc_name(ss_state: &str) -> String {
    match ss_state {
        "ESTAB" => "ESTABLISHED".into(),
        "SYN-RECV" => "SYN_RECEIVED".into(),
        "UNCONN" | "CLOSE" => "CLOSED".into(),
        s => s.replace('-', "_"),
    }
}

impl LabRun {
    fn start(scenario: &str, extra: &[&str], env: &[(&str, &str)]) -> LabRun {
        require_root();
        let mut child = Command::new(bin())
            .args(["--lab", scenario])
            .args(extra)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn synack");
        LabRun {
            stdout: lines_of(child.stdout.take().unwrap()),
            stderr: lines_of(child.stderr.take().unwrap()),
            stderr_seen: Vec::new(),
            child,
        }
    }

    /// `synack --lab SCENARIO --json --duration SECS`.
    fn json(scenario: &str, secs: u32) -> LabRun {
        LabRun::start(scenario, &["--json", "--duration", &secs.to_string()], &[])
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn namespaces(&self) -> (String, String) {
        let p = self.pid();
        (format!("synack-lab-{p}-c"), format!("synack-lab-{p}-s"))
    }

    /// Waits for the line that says the scenario holds.
    fn wait_held(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match self.stderr.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    let held = line.contains(" holds");
                    self.stderr_seen.push(line);
                    if held {
                        return;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!("the scenario did not hold: {:?}", self.stderr_seen);
    }

    /// Waits for the hold, then reads `ss` in both namespaces.
    fn held(&mut self) -> Held {
        self.wait_held();
        let (c, s) = self.namespaces();
        Held {
            client: ss(&c),
            server: ss(&s),
        }
    }

    fn signal(&self, sig: libc::c_int) {
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(self.pid() as libc::pid_t, sig);
        }
    }

    /// Waits (bounded) for the exit: code (None: killed by a signal), JSON lines, stderr.
    fn finish(mut self) -> (Option<i32>, Vec<Value>, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("synack --lab did not stop: {:?}", self.stderr_seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut out = Vec::new();
        while let Ok(l) = self.stdout.recv_timeout(Duration::from_millis(500)) {
            out.push(serde_json::from_str(&l).unwrap_or_else(|e| panic!("bad JSON {l:?}: {e}")));
        }
        while let Ok(l) = self.stderr.recv_timeout(Duration::from_millis(200)) {
            self.stderr_seen.push(l);
        }
        (status.code(), out, self.stderr_seen.join("\n"))
    }
}

impl Drop for LabRun {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn connections(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|v| v["type"] == "connection").collect()
}

/// The states as (client, server) for each connection, in order.
fn states(lines: &[Value]) -> Vec<(String, String)> {
    connections(lines)
        .iter()
        .map(|c| {
            (
                c["client_state"].as_str().unwrap().to_string(),
                c["server_state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Each connection's inferred states against the kernel's while the scenario held: the
/// client's socket in the client's namespace, the server's in the server's (no socket on the
/// 4-tuple: CLOSED; a listener on the server's port for an end synack says is LISTEN). Only
/// the newest connection on a 4-tuple is compared (an older one's socket is gone).
fn compare_with_kernel(lines: &[Value], held: &Held) {
    let conns = connections(lines);
    for (i, c) in conns.iter().enumerate() {
        let (client, server) = (c["client"].as_str().unwrap(), c["server"].as_str().unwrap());
        if conns[i + 1..]
            .iter()
            .any(|n| n["client"] == client && n["server"] == server)
        {
            continue;
        }
        let kernel = |list: &[Ss], local: &str, peer: &str, inferred: &str| -> String {
            if let Some(s) = list.iter().find(|s| s.local == local && s.peer == peer) {
                return rfc_name(&s.state);
            }
            let listening = list.iter().any(|s| s.state == "LISTEN" && s.local == local);
            if inferred == "LISTEN" && listening {
                "LISTEN".into()
            } else {
                "CLOSED".into()
            }
        };
        let cs = c["client_state"].as_str().unwrap();
        let ss_ = c["server_state"].as_str().unwrap();
        assert_eq!(
            (
                kernel(&held.client, client, server, cs),
                kernel(&held.server, server, client, ss_)
            ),
            (cs.to_string(), ss_.to_string()),
            "kernel (left) and synack (right) disagree on {client} -> {server}\nclient ss: {:?}\nserver ss: {:?}",
            held.client,
            held.server
        );
    }
}

/// Nothing of lab run `pid` is left: no namespace, and (they would only ever be inside them)
/// no veth end and no nft table in the host's namespace.
fn assert_clean(pid: u32) {
    let netns = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let netns = String::from_utf8_lossy(&netns.stdout);
    let mine = format!("synack-lab-{pid}-");
    assert!(
        !netns.lines().any(|l| l.starts_with(&mine)),
        "namespaces left behind:\n{netns}"
    );
    for (ns, _) in [("c", 0), ("s", 0)] {
        assert!(
            !std::path::Path::new(&format!("/run/netns/{mine}{ns}")).exists(),
            "/run/netns/{mine}{ns} left behind"
        );
    }
    let links = Command::new("ip")
        .args(["-o", "link", "show", "type", "veth"])
        .output()
        .unwrap();
    let links = String::from_utf8_lossy(&links.stdout);
    assert!(
        !links.contains("synack-c") && !links.contains("synack-s"),
        "{links}"
    );
    let tables = Command::new("nft")
        .args(["list", "tables"])
        .output()
        .unwrap();
    let tables = String::from_utf8_lossy(&tables.stdout);
    assert!(!tables.contains("synack_lab"), "{tables}");
}

fn namespaces_exist(pid: u32) -> bool {
    std::path::Path::new(&format!("/run/netns/synack-lab-{pid}-c")).exists()
        || std::path::Path::new(&format!("/run/netns/synack-lab-{pid}-s")).exists()
}

fn kernel_states(list: &[Ss]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.state.clone()).collect();
    v.sort();
    v
}

/// Runs `scenario` for `secs`, checks synack's final states and the kernel's states while it
/// held (both namespaces, sorted), compares the two, and checks nothing is left.
fn scenario(
    name: &str,
    secs: u32,
    want: &[(&str, &str)],
    want_client_ss: &[&str],
    want_server_ss: &[&str],
) -> Vec<Value> {
    let mut run = LabRun::json(name, secs);
    let pid = run.pid();
    let held = run.held();
    let (code, lines, stderr) = run.finish();
    assert_eq!(code, Some(0), "{stderr}");
    let got = states(&lines);
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(c, s)| (c.to_string(), s.to_string()))
        .collect();
    assert_eq!(got, want, "final states of {name}\n{stderr}");
    assert_eq!(
        kernel_states(&held.client),
        want_client_ss,
        "client ss: {:?}",
        held.client
    );
    assert_eq!(
        kernel_states(&held.server),
        want_server_ss,
        "server ss: {:?}",
        held.server
    );
    compare_with_kernel(&lines, &held);
    let summary = lines.last().expect("a summary");
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["lab"]["scenario"], name);
    assert_eq!(
        summary["lab"]["client"]["netns"],
        format!("synack-lab-{pid}-c")
    );
    assert_clean(pid);
    lines
}

fn events(c: &Value) -> &Vec<Value> {
    c["events"].as_array().expect("events")
}

fn kinds(c: &Value) -> Vec<&str> {
    c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect()
}

#[test]
fn lab_list_names_every_scenario_one_a_line() {
    let out = Command::new(bin())
        .args(["--lab", "list"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "normal",
            "server-closes-first",
            "close-wait",
            "refused",
            "syn-dropped",
            "reset",
            "lost-final-ack",
            "half-close",
            "time-wait-reuse",
            "syn-flood",
            "many"
        ]
    );
}

#[test]
fn without_root_one_line_says_what_is_needed() {
    require_root();
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .args([bin(), "--lab", "normal", "--json", "--duration", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--lab needs root") && err.contains("CAP_NET_ADMIN"),
        "{err}"
    );
}

#[test]
fn normal() {
    let lines = scenario(
        "normal",
        2,
        &[("TIME_WAIT", "CLOSED")],
        &["TIME-WAIT"],
        &["LISTEN"],
    );
    let c = connections(&lines)[0];
    assert_eq!(c["history"], "ShADadFf");
    assert!(c["time_wait_remaining"].as_f64().unwrap() > 50.0);
}

#[test]
fn server_closes_first() {
    scenario(
        "server-closes-first",
        2,
        &[("CLOSED", "TIME_WAIT")],
        &[],
        &["LISTEN", "TIME-WAIT"],
    );
}

#[test]
fn close_wait() {
    scenario(
        "close-wait",
        2,
        &[("FIN_WAIT_2", "CLOSE_WAIT")],
        &["FIN-WAIT-2"],
        &["CLOSE-WAIT", "LISTEN"],
    );
}

#[test]
fn refused() {
    let lines = scenario("refused", 2, &[("CLOSED", "CLOSED")], &[], &[]);
    assert_eq!(kinds(connections(&lines)[0]), ["refused"]);
}

#[test]
fn syn_dropped() {
    // 4 s: the SYN, then its retransmissions after 1 s and 3 s (the backoff doubles).
    let lines = scenario(
        "syn-dropped",
        4,
        &[("SYN_SENT", "LISTEN")],
        &["SYN-SENT"],
        &["LISTEN"],
    );
    let c = connections(&lines)[0];
    let syns: Vec<f64> = events(c)
        .iter()
        .filter(|e| e["flags"] == "SYN")
        .map(|e| e["t"].as_f64().unwrap())
        .collect();
    assert_eq!(syns.len(), 3, "{syns:?}");
    assert!(
        (syns[1] - 1.0).abs() < 0.3 && (syns[2] - 3.0).abs() < 0.5,
        "{syns:?}"
    );
    assert_eq!(c["server_packets"], 0);
}

#[test]
fn reset() {
    let lines = scenario("reset", 2, &[("CLOSED", "CLOSED")], &[], &["LISTEN"]);
    let c = connections(&lines)[0];
    assert_eq!(c["rst_by"], "server");
    assert!(kinds(c).contains(&"reset"));
}

#[test]
fn lost_final_ack() {
    let lines = scenario(
        "lost-final-ack",
        3,
        &[("TIME_WAIT", "CLOSED")],
        &["TIME-WAIT"],
        &["LISTEN"],
    );
    let c = connections(&lines)[0];
    let ev = events(c);
    let fins = ev
        .iter()
        .filter(|e| e["dir"] == "s2c" && e["flags"].as_str().unwrap().contains("FIN"))
        .count();
    assert_eq!(fins, 2, "the server's FIN comes again: {ev:#?}");
    // The client answers both from TIME_WAIT: the last two segments are its ACKs.
    let acks = ev
        .iter()
        .filter(|e| e["dir"] == "c2s" && e["flags"] == "ACK" && e["client_state"] == "TIME_WAIT")
        .count();
    assert_eq!(acks, 2, "{ev:#?}");
    assert!(kinds(c).contains(&"retransmission"));
}

#[test]
fn half_close() {
    let lines = scenario(
        "half-close",
        3,
        &[("TIME_WAIT", "CLOSED")],
        &["TIME-WAIT"],
        &["LISTEN"],
    );
    let ev = events(connections(&lines)[0]);
    let client_fin = ev
        .iter()
        .position(|e| e["dir"] == "c2s" && e["flags"].as_str().unwrap().contains("FIN"))
        .expect("the client's FIN");
    let data_after = ev[client_fin..]
        .iter()
        .filter(|e| e["dir"] == "s2c" && e["len"].as_u64().unwrap() > 0)
        .count();
    assert!(
        data_after >= 2,
        "the server sends after the client's FIN: {ev:#?}"
    );
}

#[test]
fn time_wait_reuse() {
    let lines = scenario(
        "time-wait-reuse",
        3,
        &[("CLOSED", "TIME_WAIT"), ("ESTABLISHED", "ESTABLISHED")],
        &["ESTAB"],
        &["ESTAB", "LISTEN"],
    );
    let conns = connections(&lines);
    assert_eq!(conns[0]["client"], conns[1]["client"], "the same 4-tuple");
    assert_eq!(
        conns[0]["client"].as_str().unwrap().rsplit(':').next(),
        Some("40000")
    );
}

/// A counter of `nstat -az` in namespace `ns`.
fn nstat(ns: &str, name: &str) -> u64 {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "nstat", "-az", name])
        .output()
        .expect("nstat");
    assert!(out.status.success(), "nstat in {ns}: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| {
            let mut f = l.split_whitespace();
            (f.next() == Some(name)).then(|| f.next()?.parse().ok())?
        })
        .unwrap_or_else(|| panic!("no {name} in nstat's output: {out:?}"))
}

#[test]
fn syn_flood() {
    let mut run = LabRun::json("syn-flood", 3);
    let pid = run.pid();
    let held = run.held();
    let (_, server_ns) = run.namespaces();
    let cookies = nstat(&server_ns, "TcpExtSyncookiesSent");
    let (code, lines, stderr) = run.finish();
    assert_eq!(code, Some(0), "{stderr}");
    let conns = connections(&lines);
    assert_eq!(
        conns.len(),
        usize::from(FLOOD_SYNS),
        "every SYN is a connection"
    );
    // What synack infers from the wire: a SYN answered by a SYN-ACK; it takes the client to
    // have gone on to ESTABLISHED (the ACK it would send), half open.
    for c in &conns {
        assert_eq!(
            (c["client_state"].as_str(), c["server_state"].as_str()),
            (Some("ESTABLISHED"), Some("SYN_RECEIVED"))
        );
        assert_eq!(kinds(c), ["half_open"]);
    }
    // The kernel: no socket at all on the client's side (a raw socket sent the SYNs); on the
    // server's, the listener and a full SYN queue (the backlog, and one more: the kernel calls
    // it full only past it), the rest answered with SYN cookies and not remembered.
    assert!(held.client.is_empty(), "client ss: {:?}", held.client);
    let recv: Vec<&Ss> = held
        .server
        .iter()
        .filter(|s| s.state == "SYN-RECV")
        .collect();
    assert_eq!(
        recv.len() as i32,
        FLOOD_BACKLOG + 1,
        "server ss: {:?}",
        held.server
    );
    assert_eq!(held.server.len(), recv.len() + 1, "{:?}", held.server);
    assert!(held.server.iter().any(|s| s.state == "LISTEN"));
    assert!(
        cookies >= u64::from(FLOOD_SYNS) - recv.len() as u64,
        "SYN cookies sent: {cookies}"
    );
    // The half-open connections the kernel holds are the ones whose SYN-ACK synack saw sent
    // again (a cookie's SYN-ACK never is).
    let mut again: Vec<&str> = conns
        .iter()
        .filter(|c| events(c).iter().filter(|e| e["flags"] == "SYN+ACK").count() > 1)
        .map(|c| c["client"].as_str().unwrap())
        .collect();
    let mut kernel: Vec<&str> = recv.iter().map(|s| s.peer.as_str()).collect();
    again.sort();
    kernel.sort();
    assert_eq!(again, kernel);
    assert_eq!(lines.last().unwrap()["lab"]["scenario"], "syn-flood");
    assert_clean(pid);
}

#[test]
fn many() {
    let mut run = LabRun::json("many", 4);
    let pid = run.pid();
    let held = run.held();
    let (code, lines, stderr) = run.finish();
    assert_eq!(code, Some(0), "{stderr}");
    let st = states(&lines);
    assert!(st.len() >= 5, "two a second for 4 s: {st:?}");
    // All but the last (perhaps cut by the stop) closed by the client first.
    for s in &st[..st.len() - 1] {
        assert_eq!(
            s,
            &("TIME_WAIT".to_string(), "CLOSED".to_string()),
            "{st:?}"
        );
    }
    assert!(
        held.client.iter().any(|s| s.state == "TIME-WAIT"),
        "{:?}",
        held.client
    );
    assert_clean(pid);
}

/// Runs close-wait until `sig` stops it; everything is written and removed.
fn stopped_by(sig: libc::c_int, code: i32) {
    let mut run = LabRun::json("close-wait", 60);
    let pid = run.pid();
    run.wait_held();
    assert!(namespaces_exist(pid));
    run.signal(sig);
    let (got, lines, stderr) = run.finish();
    assert_eq!(got, Some(code), "{stderr}");
    assert_eq!(states(&lines), [("FIN_WAIT_2".into(), "CLOSE_WAIT".into())]);
    assert_eq!(lines.last().unwrap()["type"], "summary");
    assert_clean(pid);
}

#[test]
fn ctrl_c_leaves_nothing_behind() {
    stopped_by(libc::SIGINT, 130);
}

#[test]
fn sigterm_leaves_nothing_behind() {
    stopped_by(libc::SIGTERM, 143);
}

#[test]
fn a_panic_leaves_nothing_behind() {
    let mut run = LabRun::start(
        "close-wait",
        &["--json", "--duration", "60"],
        &[("SYNACK_LAB_PANIC", "1")],
    );
    let pid = run.pid();
    run.wait_held();
    let (code, _, stderr) = run.finish();
    assert_eq!(code, Some(101), "a panic's exit status: {stderr}");
    assert!(stderr.contains("a panic on purpose"), "{stderr}");
    assert_clean(pid);
}

#[test]
fn the_next_run_removes_what_a_sigkilled_run_left() {
    let mut run = LabRun::json("close-wait", 60);
    let pid = run.pid();
    run.wait_held();
    run.signal(libc::SIGKILL);
    let (code, _, _) = run.finish();
    assert_eq!(code, None, "killed");
    assert!(namespaces_exist(pid), "SIGKILL leaves the namespaces");
    let next = LabRun::json("refused", 1);
    let next_pid = next.pid();
    let (code, _, stderr) = next.finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert_clean(pid);
    assert_clean(next_pid);
}
