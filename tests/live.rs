//! Live capture end to end, on real TCP traffic: every test builds its own pair of network
//! namespaces joined by a veth pair (client 10.78.0.1 on `v0`, server 10.78.0.2 on `v1`; the
//! harness is tests/live_common, shared with tests/live_diagnose.rs),
//! runs real sockets in them (std::net, created on a thread that has entered the namespace),
//! captures with `synack -i ... --json` and checks what synack reports against the kernel's own
//! view of the same sockets (`ss -tan` in that namespace). One runs the TUI in tmux
//! (tests/tmux_common) to open a live segment's layers from the capture's frame ring.
//!
//! These tests need root (network namespaces, packet capture). They never skip: without root
//! they fail, saying so.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

mod live_common;
use live_common::{bin, events, require_root, settle, sh, Capture, Net, SsLine, SERVER_IP};
mod tmux_common;
use tmux_common::Tmux;

/// synack's state names as `ss` prints them.
fn ss_name(state: &str) -> String {
    match state {
        "ESTABLISHED" => "ESTAB".into(),
        "SYN_RECEIVED" => "SYN-RECV".into(),
        other => other.replace('_', "-"),
    }
}

/// (dir, flags, client_state, server_state) of every event, for readable assertions.
fn ladder(c: &Value) -> Vec<(String, String, String, String)> {
    events(c)
        .iter()
        .map(|e| {
            (
                e["dir"].as_str().unwrap().to_string(),
                e["flags"].as_str().unwrap().to_string(),
                e["client_state"].as_str().unwrap().to_string(),
                e["server_state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const STOP_WITHIN: Duration = Duration::from_secs(5);

#[test]
fn normal_exchange_handshake_data_teardown_and_time_wait_matches_ss() {
    let net = Net::new("normal");
    let cap = Capture::start(&net.client, "v0", &["--duration", "20"]);
    let listener = net.listen(8080);
    let mut client = net.connect(8080).expect("connect");
    let local = client.local_addr().unwrap().to_string();
    let (mut server, _) = listener.accept().unwrap();
    client.write_all(b"hello").unwrap();
    let mut buf = [0u8; 5];
    server.read_exact(&mut buf).unwrap();
    server.write_all(b"world").unwrap();
    client.read_exact(&mut buf).unwrap();
    // The client closes first; the server sees the end of the stream and closes too.
    drop(client);
    assert_eq!(server.read(&mut buf).unwrap(), 0);
    drop(server);
    settle();
    let ss_tw = net.ss(&net.client);
    cap.interrupt();
    let done = cap.finish(STOP_WITHIN);
    assert_eq!(done.code, Some(130), "stderr: {}", done.stderr);

    let c = done.conn(&local, 8080);
    assert_eq!(c["handshake"], "complete");
    assert_eq!(c["teardown"], "fin");
    assert_eq!(c["client_state"], "TIME_WAIT");
    assert_eq!(c["server_state"], "CLOSED");
    assert_eq!(c["client_bytes"], 5);
    assert_eq!(c["server_bytes"], 5);
    let l = ladder(c);
    let first3: Vec<(&str, &str)> = l[..3]
        .iter()
        .map(|(d, f, _, _)| (d.as_str(), f.as_str()))
        .collect();
    assert_eq!(
        first3,
        [("c2s", "SYN"), ("s2c", "SYN+ACK"), ("c2s", "ACK")],
        "{l:#?}"
    );
    assert_eq!(
        (l[2].2.as_str(), l[2].3.as_str()),
        ("ESTABLISHED", "ESTABLISHED")
    );
    for dir in ["c2s", "s2c"] {
        assert!(
            events(c).iter().any(|e| e["dir"] == dir && e["len"] == 5),
            "no 5-byte {dir} data segment: {l:#?}"
        );
    }
    // The four-way teardown: FIN (client), its ACK or FIN+ACK (server), last ACK (client).
    let fins: Vec<&(String, String, String, String)> =
        l.iter().filter(|e| e.1.contains("FIN")).collect();
    assert_eq!(fins.len(), 2, "{l:#?}");
    assert_eq!(fins[0].0, "c2s");
    assert_eq!(fins[0].2, "FIN_WAIT_1");
    assert_eq!(fins[1].0, "s2c");
    assert_eq!(fins[1].3, "LAST_ACK");
    let last = l.last().unwrap();
    assert_eq!(
        (
            last.0.as_str(),
            last.1.as_str(),
            last.2.as_str(),
            last.3.as_str()
        ),
        ("c2s", "ACK", "TIME_WAIT", "CLOSED")
    );

    // The kernel agrees: the client's socket is in TIME-WAIT on the same 4-tuple, with about
    // as much of its 60 s left as synack says.
    let server = format!("{SERVER_IP}:8080");
    let tw: Vec<&SsLine> = ss_tw
        .iter()
        .filter(|s| s.state == "TIME-WAIT" && s.local == local && s.peer == server)
        .collect();
    assert_eq!(tw.len(), 1, "ss: {ss_tw:#?}");
    let ours = c["time_wait_remaining"]
        .as_f64()
        .expect("time_wait_remaining");
    let kernel = tw[0].timer.as_ref().expect("ss timer").1;
    assert!(
        (ours - kernel).abs() <= 3.0 && ours > 50.0 && ours <= 60.0,
        "TIME_WAIT left: synack {ours} s, kernel {kernel} s"
    );
    let s = done.summary();
    assert_eq!(s["interface"], "v0");
    assert_eq!(s["states"]["client"]["TIME_WAIT"], 1);
    assert_eq!(s["drops"]["kernel"], 0);
    assert_eq!(s["drops"]["queue"], 0);
}

#[test]
fn refused_connection_is_a_syn_answered_by_rst_on_any() {
    let net = Net::new("refused");
    // `-i any` (Linux cooked capture, SLL2) inside the client namespace.
    let cap = Capture::start(&net.client, "any", &["--duration", "20"]);
    assert!(
        cap.stderr_seen.iter().any(|l| l.contains("LINUX_SLL2")),
        "{:?}",
        cap.stderr_seen
    );
    let err = net.connect(9).expect_err("nothing listens on port 9");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    settle();
    let ss_all = net.ss(&net.client);
    cap.interrupt();
    let done = cap.finish(STOP_WITHIN);
    assert_eq!(done.code, Some(130), "stderr: {}", done.stderr);
    let conns = done.connections();
    assert_eq!(conns.len(), 1, "{:#?}", done.lines);
    let c = conns[0];
    assert_eq!(c["server"], format!("{SERVER_IP}:9"));
    assert_eq!(c["teardown"], "rst");
    assert_eq!(c["rst_by"], "server");
    assert_eq!(c["client_state"], "CLOSED");
    assert_eq!(c["server_state"], "CLOSED");
    let l = ladder(c);
    assert_eq!(l.len(), 2, "{l:#?}");
    assert_eq!((l[0].0.as_str(), l[0].1.as_str()), ("c2s", "SYN"));
    assert_eq!((l[1].0.as_str(), l[1].1.as_str()), ("s2c", "RST+ACK"));
    // Nothing is left of it in the kernel either.
    let client = c["client"].as_str().unwrap();
    assert!(
        !ss_all.iter().any(|s| s.local == client),
        "ss still lists {client}: {ss_all:#?}"
    );
}

#[test]
fn server_that_never_closes_is_close_wait_and_client_fin_wait_2_as_ss_says() {
    let net = Net::new("closewait");
    let cap = Capture::start(&net.client, "v0", &["--duration", "20"]);
    let listener = net.listen(8081);
    let client = net.connect(8081).expect("connect");
    let local = client.local_addr().unwrap().to_string();
    let (server, _) = listener.accept().unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    settle();
    let ss_c = net.ss(&net.client);
    let ss_s = net.ss(&net.server);
    cap.interrupt();
    let done = cap.finish(STOP_WITHIN);
    assert_eq!(done.code, Some(130), "stderr: {}", done.stderr);
    let c = done.conn(&local, 8081);
    assert_eq!(c["client_state"], "FIN_WAIT_2");
    assert_eq!(c["server_state"], "CLOSE_WAIT");
    assert_eq!(c["teardown"], "half");
    let srv = format!("{SERVER_IP}:8081");
    let kc = ss_c.iter().find(|s| s.local == local && s.peer == srv);
    let ks = ss_s.iter().find(|s| s.local == srv && s.peer == local);
    assert_eq!(
        kc.map(|s| s.state.clone()),
        Some(ss_name("FIN_WAIT_2")),
        "{ss_c:#?}"
    );
    assert_eq!(
        ks.map(|s| s.state.clone()),
        Some(ss_name("CLOSE_WAIT")),
        "{ss_s:#?}"
    );
    drop((client, server));
}

#[test]
fn connection_left_open_is_established_on_both_ends() {
    let net = Net::new("open");
    // Stops by itself after a packet count: handshake (3) + 4 bytes each way with ACKs.
    let cap = Capture::start(&net.client, "v0", &["--duration", "20", "--count", "7"]);
    let listener = net.listen(8082);
    let mut client = net.connect(8082).expect("connect");
    let local = client.local_addr().unwrap().to_string();
    let (mut server, _) = listener.accept().unwrap();
    let mut buf = [0u8; 4];
    client.write_all(b"ping").unwrap();
    server.read_exact(&mut buf).unwrap();
    server.write_all(b"pong").unwrap();
    client.read_exact(&mut buf).unwrap();
    settle();
    let ss_c = net.ss(&net.client);
    let ss_s = net.ss(&net.server);
    let done = cap.finish(STOP_WITHIN);
    assert_eq!(done.code, Some(0), "stderr: {}", done.stderr);
    let c = done.conn(&local, 8082);
    assert_eq!(c["handshake"], "complete");
    assert_eq!(c["teardown"], "none");
    assert_eq!(c["client_state"], "ESTABLISHED");
    assert_eq!(c["server_state"], "ESTABLISHED");
    assert!(c.get("time_wait_remaining").is_none());
    assert_eq!(done.summary()["packets"], 7, "--count 7");
    let srv = format!("{SERVER_IP}:8082");
    for (lines, me, peer) in [(&ss_c, &local, &srv), (&ss_s, &srv, &local)] {
        let k = lines.iter().find(|s| &s.local == me && &s.peer == peer);
        assert_eq!(
            k.map(|s| s.state.as_str()),
            Some("ESTAB"),
            "{me} -> {peer}: {lines:#?}"
        );
    }
    drop((client, server));
}

#[test]
fn dropped_syn_is_retransmitted_with_exponential_backoff() {
    let net = Net::new("syndrop");
    let nft = |args: &[&str]| {
        let mut cmd = vec!["ip", "netns", "exec", &net.server, "nft"];
        cmd.extend_from_slice(args);
        sh(&cmd);
    };
    nft(&["add", "table", "inet", "t"]);
    nft(&[
        "add",
        "chain",
        "inet",
        "t",
        "in",
        "{ type filter hook input priority 0; }",
    ]);
    nft(&[
        "add", "rule", "inet", "t", "in", "tcp", "dport", "7777", "drop",
    ]);
    // Linux 6.x may first retransmit SYNs at a fixed 1 s interval (tcp_syn_linear_timeouts,
    // per namespace); turned off here, the classic backoff shows: the SYN, then again after
    // 1 s and 3 s (RTO 1 s, doubled each time). The capture stops by itself after 4.5 s.
    let linear = "/proc/sys/net/ipv4/tcp_syn_linear_timeouts";
    if std::path::Path::new(linear).exists() {
        sh(&[
            "ip",
            "netns",
            "exec",
            &net.client,
            "sysctl",
            "-qw",
            "net.ipv4.tcp_syn_linear_timeouts=0",
        ]);
    }
    let cap = Capture::start(&net.client, "v0", &["--duration", "4.5"]);
    let addr: SocketAddr = format!("{SERVER_IP}:7777").parse().unwrap();
    let client_ns = net.client.clone();
    std::thread::spawn(move || {
        Net::inside(&client_ns, move || {
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(6));
        })
    });
    let done = cap.finish(Duration::from_secs(10));
    assert_eq!(done.code, Some(0), "stderr: {}", done.stderr);
    let conns = done.connections();
    assert_eq!(conns.len(), 1, "{:#?}", done.lines);
    let c = conns[0];
    assert_eq!(c["server"], format!("{SERVER_IP}:7777"));
    assert_eq!(c["client_state"], "SYN_SENT");
    assert_eq!(c["server_packets"], 0);
    let ev = events(c);
    assert!(ev.len() >= 3, "want 3 SYNs or more: {:#?}", ladder(c));
    for (i, e) in ev.iter().enumerate() {
        assert_eq!(e["flags"], "SYN");
        assert_eq!(e["dir"], "c2s");
        let retrans = e["marks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "retransmission");
        assert_eq!(retrans, i > 0, "event {i}: {e}");
    }
    assert_eq!(
        c["marks"]["retransmission"].as_u64(),
        Some(ev.len() as u64 - 1)
    );
    let t: Vec<f64> = ev.iter().map(|e| e["t"].as_f64().unwrap()).collect();
    let (g1, g2) = (t[1] - t[0], t[2] - t[1]);
    assert!(
        (0.8..1.6).contains(&g1),
        "first retransmission after {g1} s"
    );
    assert!(
        (1.6..3.2).contains(&g2),
        "second retransmission after {g2} s"
    );
    assert!(
        (1.6..2.4).contains(&(g2 / g1)),
        "backoff {g1} s then {g2} s"
    );
}

#[test]
fn a_full_disk_stops_the_saving_says_so_and_the_file_stays_readable() {
    let net = Net::new("wfull");
    let dir = tempfile::tempdir().unwrap();
    // A 64 KiB tmpfs fills after a few hundred packets.
    let mount = sh(&[
        "mount",
        "-t",
        "tmpfs",
        "-o",
        "size=64k",
        "tmpfs",
        dir.path().to_str().unwrap(),
    ]);
    assert!(mount.status.success());
    struct Unmount(String);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(dir.path().to_str().unwrap().to_string());
    let file = dir.path().join("full.pcap");
    let path = file.to_str().unwrap();
    let cap = Capture::start(&net.client, "v0", &["--duration", "30", "-w", path]);
    let listener = net.listen(8093);
    // 150 connections, ten packets each: about 130 KB of records with the snaplen's headers.
    for _ in 0..150 {
        let mut a = net.connect(8093).expect("connect");
        let (mut sa, _) = listener.accept().unwrap();
        a.write_all(b"ping").unwrap();
        let mut b = [0u8; 4];
        sa.read_exact(&mut b).unwrap();
        sa.write_all(b"pong").unwrap();
        a.read_exact(&mut b).unwrap();
    }
    settle();
    cap.interrupt();
    let live = cap.finish(STOP_WITHIN);
    assert_eq!(live.code, Some(2), "stderr: {}", live.stderr);
    assert!(
        live.stderr.contains(&format!(
            "saving to {path} stopped: No space left on device"
        )),
        "{}",
        live.stderr
    );
    let saved = &live.summary()["saved"];
    let (kept, lost) = (
        saved["packets"].as_u64().unwrap(),
        saved["unsaved"].as_u64().unwrap(),
    );
    assert!(kept > 0 && lost > 0, "{saved}");
    assert_eq!(
        kept + lost,
        live.summary()["packets"].as_u64().unwrap(),
        "{saved}"
    );
    // The file holds exactly the packets said to be saved, and reads to its end cleanly.
    let out = Command::new(bin())
        .args([path, "--json", "--no-events"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_str(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .expect("a summary"),
    )
    .unwrap();
    assert_eq!(summary["packets"], kept, "{summary}");
    assert!(summary["warning"].is_null(), "{summary}");
}

#[test]
fn each_stopping_signal_writes_everything_and_exits_128_plus_its_number() {
    let net = Net::new("sigs");
    let dir = tempfile::tempdir().unwrap();
    let listener = net.listen(8096);
    for (sig, name) in [
        (libc::SIGINT, "INT"),
        (libc::SIGTERM, "TERM"),
        (libc::SIGHUP, "HUP"),
        (libc::SIGQUIT, "QUIT"),
    ] {
        let file = dir.path().join(format!("{name}.pcap"));
        let path = file.to_str().unwrap();
        let cap = Capture::start(&net.client, "v0", &["--duration", "20", "-w", path]);
        let a = net.connect(8096).expect("connect");
        let (b, _) = listener.accept().unwrap();
        settle();
        // SAFETY: signalling our own child.
        unsafe { libc::kill(cap.pid() as libc::pid_t, sig) };
        let done = cap.finish(STOP_WITHIN);
        drop((a, b));
        assert_eq!(done.code, Some(128 + sig), "SIG{name}: {}", done.stderr);
        // The open connection and the summary were written.
        assert_eq!(done.to_port(8096).len(), 1, "SIG{name}");
        assert_eq!(done.summary()["type"], "summary");
        // The file is whole: it reads to its end with the same handshake.
        let out = Command::new(bin())
            .args([path, "--json", "--no-events"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "SIG{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("\"handshake\":\"complete\""),
            "SIG{name}: {text}"
        );
        assert!(!text.contains("truncated"), "SIG{name}: {text}");
    }
}

#[test]
fn written_pcap_reads_back_to_the_same_connections() {
    let net = Net::new("write");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("live.pcap");
    let path = file.to_str().unwrap();
    let cap = Capture::start(&net.client, "v0", &["--duration", "20", "-w", path]);
    let listener = net.listen(8083);
    let mut a = net.connect(8083).expect("connect");
    let (mut sa, _) = listener.accept().unwrap();
    a.write_all(b"0123456789").unwrap();
    let mut buf = [0u8; 10];
    sa.read_exact(&mut buf).unwrap();
    drop(sa); // this time the server closes first
    assert_eq!(a.read(&mut buf).unwrap(), 0);
    drop(a);
    let _ = net.connect(8084).expect_err("refused");
    let b = net.connect(8083).expect("connect");
    let (sb, _) = listener.accept().unwrap();
    settle();
    cap.interrupt();
    let live = cap.finish(STOP_WITHIN);
    assert_eq!(live.code, Some(130), "stderr: {}", live.stderr);
    drop((b, sb));

    let out = sh(&[bin(), path, "--json"]);
    let replay: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let key = |v: &Value| {
        [
            "client",
            "server",
            "client_state",
            "server_state",
            "handshake",
            "teardown",
            "packets",
            "client_bytes",
            "server_bytes",
        ]
        .map(|k| v[k].to_string())
        .join(" ")
    };
    let mut want: Vec<String> = live.connections().into_iter().map(key).collect();
    let mut got: Vec<String> = replay
        .iter()
        .filter(|v| v["type"] == "connection")
        .map(key)
        .collect();
    want.sort();
    got.sort();
    assert_eq!(want.len(), 3, "{want:#?}");
    assert_eq!(got, want);
    let summary = replay.last().unwrap();
    assert_eq!(summary["packets"], live.summary()["packets"]);
    // The server closed first this time: it is the one in TIME_WAIT.
    assert!(
        want.iter()
            .any(|k| k.contains("\"CLOSED\" \"TIME_WAIT\"") && k.contains("\"fin\"")),
        "{want:#?}"
    );
}

#[test]
fn interface_that_goes_away_ends_the_capture_with_a_message() {
    let net = Net::new("gone");
    let cap = Capture::start(&net.client, "v0", &["--duration", "20"]);
    let t0 = Instant::now();
    sh(&["ip", "-n", &net.client, "link", "del", "v0"]);
    let done = cap.finish(STOP_WITHIN);
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t0.elapsed()
    );
    assert_eq!(done.code, Some(2), "stderr: {}", done.stderr);
    assert!(
        done.stderr.contains("v0") && done.stderr.contains("went away"),
        "{}",
        done.stderr
    );
    assert!(done.summary()["warning"]
        .as_str()
        .is_some_and(|w| w.contains("v0")));
}

#[test]
fn unknown_interface_lists_the_real_ones() {
    let net = Net::new("unknown");
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &net.client,
            bin(),
            "-i",
            "nosuch0",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no interface named nosuch0"), "{err}");
    assert!(err.contains("v0") && err.contains("lo"), "{err}");
}

#[test]
fn list_interfaces_shows_names_and_addresses() {
    let net = Net::new("list");
    let out = sh(&[
        "ip",
        "netns",
        "exec",
        &net.client,
        bin(),
        "--list-interfaces",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let v0 = text
        .lines()
        .find(|l| l.starts_with("v0 "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(v0.contains("10.78.0.1/24") && v0.contains("up"), "{v0}");
    assert!(text.lines().any(|l| l.starts_with("lo ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("any ")), "{text}");
}

#[test]
fn an_interface_name_with_escape_sequences_is_shown_escaped_never_raw() {
    let net = Net::new("esc");
    // Linux takes any bytes but '/', NUL and whitespace in a name (15 at most).
    let evil = "e\x1b[31mv\x1b]0;";
    let add = net.exec(
        &net.client,
        &[
            "ip", "link", "add", evil, "type", "veth", "peer", "name", "pe0",
        ],
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let shown = "e\\x1b[31mv\\x1b]0;";
    let list = net.exec(&net.client, &[bin(), "--list-interfaces"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success());
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.lines().any(|l| l.starts_with(shown)), "{text}");
    // The unknown-interface error lists the real ones: escaped too, and so is the name asked.
    let o = Command::new("ip")
        .args([
            "netns",
            "exec",
            &net.client,
            bin(),
            "-i",
            "x\x1b[2Jy",
            "--json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(
        err.contains("no interface named x\\x1b[2Jy") && err.contains(shown),
        "{err}"
    );
}

/// (Uid, Gid, CapEff, CapPrm, NoNewPrivs) of a running capture.
fn privileges_of(cap: &Capture) -> (String, String, String, String, String) {
    let st = cap.proc_status();
    let get = |k: &str| {
        st.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {k} in {st:?}"))
    };
    (
        get("Uid"),
        get("Gid"),
        get("CapEff"),
        get("CapPrm"),
        get("NoNewPrivs"),
    )
}

/// One connection captured and written, after the privileges went.
fn still_captures(net: &Net, cap: Capture, port: u16) {
    let listener = net.listen(port);
    let a = net.connect(port).expect("connect");
    let (b, _) = listener.accept().unwrap();
    drop((a, b));
    settle();
    let done = cap.stop();
    assert_eq!(done.to_port(port).len(), 1, "{}", done.stderr);
}

#[test]
fn started_as_root_the_capture_runs_as_nobody_with_no_capability() {
    let net = Net::new("dropz");
    let cap = Capture::start(&net.client, "v0", &["--duration", "20"]);
    let (uid, gid, eff, prm, nnp) = privileges_of(&cap);
    assert_eq!(uid, "65534\t65534\t65534\t65534");
    assert!(gid.starts_with("65534\t65534"), "{gid}");
    assert_eq!(
        (eff.as_str(), prm.as_str(), nnp.as_str()),
        ("0000000000000000", "0000000000000000", "1")
    );
    still_captures(&net, cap, 8094);
}

#[test]
fn dash_z_root_keeps_root_and_dash_z_user_names_the_user() {
    let net = Net::new("keepz");
    let cap = Capture::start(&net.client, "v0", &["--duration", "20", "-Z", "root"]);
    let (uid, _, eff, _, _) = privileges_of(&cap);
    assert_eq!(uid, "0\t0\t0\t0");
    assert_ne!(eff, "0000000000000000");
    drop(cap.stop());
    let cap = Capture::start(&net.client, "v0", &["--duration", "20", "-Z", "daemon"]);
    let (uid, ..) = privileges_of(&cap);
    let daemon = sh(&["id", "-u", "daemon"]);
    let want = String::from_utf8_lossy(&daemon.stdout).trim().to_string();
    assert_eq!(uid, [want.as_str(); 4].join("\t"));
    drop(cap.stop());
    let bad = Command::new("ip")
        .args([
            "netns",
            "exec",
            &net.client,
            bin(),
            "-i",
            "v0",
            "-Z",
            "no-such-user",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("-Z: no user named no-such-user"));
}

#[test]
fn started_with_file_capabilities_the_capture_clears_them() {
    let net = Net::new("capz");
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("synack");
    std::fs::copy(bin(), &exe).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let exe = exe.to_str().unwrap();
    let set = sh(&["setcap", "cap_net_raw,cap_net_admin=eip", exe]);
    assert!(set.status.success());
    let cap = Capture::start_program(
        &net.client,
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            exe,
        ],
        "v0",
        &["--json", "--duration", "20"],
    );
    let (uid, _, eff, prm, nnp) = privileges_of(&cap);
    assert!(uid.starts_with("65534"), "{uid}");
    assert_eq!(
        (eff.as_str(), prm.as_str(), nnp.as_str()),
        ("0000000000000000", "0000000000000000", "1")
    );
    still_captures(&net, cap, 8095);
}

#[test]
fn without_privileges_the_message_says_how_to_fix_it() {
    require_root();
    // A copy nobody can run, wherever the build tree is.
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("synack");
    std::fs::copy(bin(), &exe).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .args(["-i", "lo", "--json"])
        .output()
        .expect("setpriv (util-linux)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert!(err.contains("no permission to capture on lo"), "{err}");
    // The same command under sudo, every option kept.
    assert!(
        err.contains(&format!("sudo {} -i lo --json\n", exe.display())),
        "{err}"
    );
    assert!(
        err.contains("setcap cap_net_raw,cap_net_admin=eip"),
        "{err}"
    );
}

/// One connection to `port` with nothing sent, closed by the client first (the server closes
/// once it reads the end of file); returns the client's address.
fn close_one(net: &Net, port: u16) -> String {
    let listener = net.listen(port);
    let client = net.connect(port).expect("connect");
    let local = client.local_addr().unwrap().to_string();
    let (mut server, _) = listener.accept().unwrap();
    drop(client);
    let mut buf = [0u8; 1];
    assert_eq!(server.read(&mut buf).unwrap(), 0);
    drop(server);
    local
}

#[test]
fn time_wait_runs_out_on_the_live_clock_while_the_wire_is_quiet() {
    let net = Net::new("twclock");
    // 2*MSL = 1 s: TIME_WAIT ends 1 s after the last FIN, with no packet to move time on;
    // the connection, over since the FINs, is written once it has lingered 5 s.
    let mut cap = Capture::start(&net.client, "v0", &["--duration", "20", "--msl", "0.5"]);
    let local = close_one(&net, 8085);
    let closed_at = Instant::now();
    // Written while synack still runs, before any Ctrl-C.
    let c = cap
        .next_line(Duration::from_secs(8))
        .expect("the connection should be written once TIME_WAIT ran out");
    let waited = closed_at.elapsed();
    assert!(
        waited >= Duration::from_millis(1500),
        "written after {waited:?}, before TIME_WAIT and the linger ran out"
    );
    cap.interrupt();
    let done = cap.finish(STOP_WITHIN);
    assert_eq!(done.code, Some(130), "stderr: {}", done.stderr);
    assert_eq!(c["client"], local.as_str());
    assert_eq!(c["client_state"], "CLOSED");
    assert_eq!(c["server_state"], "CLOSED");
    assert!(c.get("time_wait_remaining").is_none());
    let ev = events(&c);
    let last = ev.last().unwrap();
    assert_eq!(last["kind"], "time_wait_expired", "{:#?}", ladder(&c));
    // It expired 2*MSL after the client entered TIME_WAIT (on the server's FIN).
    let fin = ev
        .iter()
        .rev()
        .find(|e| e["kind"] == "segment" && e["dir"] == "s2c")
        .unwrap();
    let after = last["t"].as_f64().unwrap() - fin["t"].as_f64().unwrap();
    assert!(
        (after - 1.0).abs() < 0.01,
        "expired {after} s after the FIN"
    );
    let s = done.summary();
    assert_eq!(s["time_wait_expired"], 1);
    assert_eq!(s["connections"], 1);
}

/// One-byte exchanges in the ping-pong of [`capture_while_nobody_reads`].
const ROUNDS: usize = 15_000;

/// Where [`capture_while_nobody_reads`] captures.
#[derive(Clone, Copy, PartialEq)]
enum Wire {
    /// The client namespace's loopback (127.0.0.1 to itself).
    Loopback,
    /// The server's end of the veth pair, `v1` (client to server across namespaces).
    Veth,
}

/// A live capture that nobody reads from until a ping-pong of `ROUNDS` one-byte exchanges is
/// over; then the capture is asked to stop and read to its end. With `busy_at_stop`, the
/// ping-pong goes on until the capture has ended. Returns the segments handed over, the last
/// status, and how long the `ROUNDS` exchanges took.
fn capture_while_nobody_reads(
    tag: &str,
    wire: Wire,
    busy_at_stop: bool,
    flags: &[&str],
) -> (u64, synack::capture::source::SourceStatus, Duration) {
    use clap::Parser;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    use synack::capture::{live, Input, Source, SourceMsg, SourceOptions};
    use synack::config::{Config, SourceConfig};
    use synack::decode::Item;
    let net = Net::new(tag);
    let (ns, iface) = match wire {
        Wire::Loopback => (net.client.clone(), "lo"),
        Wire::Veth => (net.server.clone(), "v1"),
    };
    let mut argv = vec!["synack", "-i", iface, "--duration", "20"];
    argv.extend_from_slice(flags);
    let cfg = Config::from_args(
        &synack::cli::Args::parse_from(argv),
        &synack::config::Env::default(),
    )
    .unwrap();
    let SourceConfig::Live(live_cfg) = cfg.source.clone() else {
        panic!("not a live source")
    };
    // In-process: the capture socket belongs to the namespace of the thread that opens it.
    let cap = Net::inside(&ns, move || {
        let iface = live::open(&live_cfg).expect("open the capture");
        Source::spawn(
            Input::Live(Box::new(iface)),
            cfg.core.decode.decoder(),
            SourceOptions::INTERACTIVE,
        )
        .expect("start the capture thread")
    });
    let (listener, mut sock) = match wire {
        Wire::Loopback => Net::inside(&net.client, || {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            let s = TcpStream::connect(l.local_addr().unwrap()).unwrap();
            (l, s)
        }),
        Wire::Veth => {
            let l = net.listen(8090);
            (l, net.connect(8090).unwrap())
        }
    };
    // Ping-pong, one byte each way: every write is its own segment (bulk data would go by in
    // a few 64 KB offloaded frames).
    let echo = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_nodelay(true).unwrap();
        let mut b = [0u8; 1];
        let mut n = 0usize;
        while s.read_exact(&mut b).is_ok() {
            s.write_all(&b).unwrap();
            n += 1;
        }
        n
    });
    sock.set_nodelay(true).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let (rounds_tx, rounds_rx) = mpsc::channel();
    let client = {
        let done = done.clone();
        std::thread::spawn(move || {
            let t0 = Instant::now();
            let mut b = [1u8; 1];
            let mut n = 0usize;
            while n < ROUNDS || (busy_at_stop && !done.load(Ordering::Relaxed)) {
                sock.write_all(&b).unwrap();
                sock.read_exact(&mut b).unwrap();
                n += 1;
                if n == ROUNDS {
                    rounds_tx.send(t0.elapsed()).unwrap();
                }
            }
            sock.shutdown(Shutdown::Write).unwrap();
            n
        })
    };
    // Nobody reads while 30,000 segments go by: more than the channel (64 batches of 256)
    // and the backlog (4,096) hold.
    let elapsed = rounds_rx.recv().unwrap();
    // The exchange's two threads: joined before the stop, or after the capture ended.
    type Exchange = (
        std::thread::JoinHandle<usize>,
        std::thread::JoinHandle<usize>,
    );
    let join = |(client, echo): Exchange| {
        done.store(true, Ordering::Relaxed);
        let n = client.join().unwrap();
        assert_eq!(echo.join().unwrap(), n);
        n
    };
    let mut threads = Some((client, echo));
    let mut exchanged = 0;
    if !busy_at_stop {
        exchanged = join(threads.take().unwrap());
    }
    cap.stop();
    let mut delivered = 0u64;
    let mut last = None;
    for msg in cap.rx.iter() {
        match msg {
            SourceMsg::Packets(v) => {
                delivered += v.iter().filter(|i| !matches!(i, Item::Tick(_))).count() as u64
            }
            SourceMsg::Status(s) => last = Some(*s),
        }
    }
    cap.join();
    if let Some(t) = threads.take() {
        exchanged = join(t);
    }
    assert!(exchanged >= ROUNDS);
    let last = last.expect("a final status");
    assert!(last.done && last.live);
    assert_eq!(last.error, None);
    eprintln!(
        "{iface} {flags:?}: {} segments read: {delivered} handed over, drops {:?}; \
         {ROUNDS} rounds in {elapsed:?}",
        last.counters.tcp, last.drops
    );
    (delivered, last, elapsed)
}

#[test]
fn a_consumer_that_falls_behind_is_waited_for_with_packets_held_in_the_kernel_buffer() {
    let (delivered, last, _) = capture_while_nobody_reads("behind", Wire::Loopback, false, &[]);
    // The capture stopped reading while the queue was full; the kernel's 8 MiB buffer held the
    // rest, and once asked to stop the thread read what it held: every segment of the
    // exchange (two per round, plus the handshake and the close) was handed over.
    let d = last.drops;
    assert_eq!((d.kernel, d.interface, d.queue), (0, 0, 0), "{d:?}");
    assert_eq!(delivered, last.counters.tcp);
    assert!(
        last.counters.tcp >= 2 * ROUNDS as u64,
        "only {} segments read",
        last.counters.tcp
    );
}

#[test]
fn on_a_veth_a_stop_reads_what_the_kernel_buffer_held_even_while_traffic_goes_on() {
    // Off the loopback, the kernel's counters tell how many packets its buffer held when the
    // capture was asked to stop: those are read, then the capture ends though the wire is
    // still busy, and nothing is counted as dropped.
    let t0 = Instant::now();
    let (delivered, last, _) = capture_while_nobody_reads("vbusy", Wire::Veth, true, &[]);
    let d = last.drops;
    assert_eq!((d.kernel, d.interface, d.queue), (0, 0, 0), "{d:?}");
    assert_eq!(delivered, last.counters.tcp);
    assert!(
        last.counters.tcp >= 2 * ROUNDS as u64,
        "only {} segments read",
        last.counters.tcp
    );
    // Well within the 5 s bound on reading after a stop.
    assert!(t0.elapsed() < Duration::from_secs(15), "{:?}", t0.elapsed());
}

#[test]
fn on_a_veth_a_consumer_that_falls_behind_loses_nothing() {
    let (delivered, last, _) = capture_while_nobody_reads("vquiet", Wire::Veth, false, &[]);
    let d = last.drops;
    assert_eq!((d.kernel, d.interface, d.queue), (0, 0, 0), "{d:?}");
    assert_eq!(delivered, last.counters.tcp);
    assert!(last.counters.tcp >= 2 * ROUNDS as u64);
}

#[test]
fn a_full_kernel_buffer_drops_packets_counted_by_the_kernel() {
    // 256 KiB of kernel buffer: about a thousand packets, far fewer than the exchange.
    let (delivered, last, _) =
        capture_while_nobody_reads("kfull", Wire::Loopback, false, &["--buffer-size", "262144"]);
    let d = last.drops;
    assert!(d.kernel > 0, "no kernel drops: {d:?} {:?}", last.counters);
    assert_eq!(d.queue, 0, "{d:?}");
    // What was read was handed over; what was not was counted.
    assert_eq!(delivered, last.counters.tcp);
    assert!(
        last.counters.tcp + d.kernel >= 2 * ROUNDS as u64,
        "{} read, {d:?}",
        last.counters.tcp
    );
}

#[test]
fn with_w_a_consumer_that_falls_behind_loses_counted_segments_never_the_file() {
    // -w keeps the kernel's buffer drained so the file gets every packet: segments the
    // consumer has no room for are dropped and counted by synack's queue instead.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("behind.pcap");
    let (delivered, last, elapsed) = capture_while_nobody_reads(
        "wbehind",
        Wire::Loopback,
        false,
        &["-w", path.to_str().unwrap()],
    );
    let d = last.drops;
    assert!(
        d.queue > 0,
        "{} segments in {elapsed:?}, none dropped by the queue: {d:?} {:?}",
        last.counters.tcp,
        last.counters
    );
    assert_eq!(d.kernel, 0, "{d:?}");
    // Every decoded segment was either handed over or counted as dropped by the queue.
    assert_eq!(delivered + d.queue, last.counters.tcp, "{d:?}");
    // And the file has them all.
    let out = Command::new(bin())
        .args([path.to_str().unwrap(), "--json", "--no-events"])
        .output()
        .unwrap();
    let summary: Value = serde_json::from_str(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .expect("a summary"),
    )
    .unwrap();
    assert_eq!(summary["tcp"], last.counters.tcp, "{summary}");
}

#[test]
fn a_clean_close_is_written_within_seconds_with_its_time_wait_left() {
    let net = Net::new("twsoon");
    // Default MSL: TIME_WAIT lasts 60 s, but the connection is over once both FINs are
    // acknowledged; it is written after a 5 s linger, still in TIME_WAIT.
    let mut cap = Capture::start(&net.client, "v0", &["--duration", "30"]);
    let local = close_one(&net, 8086);
    let closed_at = Instant::now();
    let c = cap
        .next_line(Duration::from_secs(10))
        .expect("the connection should be written a few seconds after it closed");
    let waited = closed_at.elapsed();
    assert!(waited < Duration::from_secs(8), "written after {waited:?}");
    cap.interrupt();
    let done = cap.finish(STOP_WITHIN);
    assert_eq!(done.code, Some(130), "stderr: {}", done.stderr);
    assert_eq!(c["client"], local.as_str());
    assert_eq!(c["client_state"], "TIME_WAIT");
    assert_eq!(c["server_state"], "CLOSED");
    let left = c["time_wait_remaining"].as_f64().unwrap();
    assert!((50.0..60.0).contains(&left), "time_wait_remaining {left}");
}

#[test]
fn the_tui_opens_a_live_segment_from_the_ring_and_says_when_it_has_left_it() {
    let net = Net::new("layers");
    let t = Tmux::sized("live-layers", 120, 40);
    t.type_line("clear");
    t.type_line(&format!(
        "ip netns exec {} {} -i v0; echo EXIT=$?",
        net.client,
        bin()
    ));
    t.wait("the live TUI", |s| {
        s.contains("LIVE") && s.contains("q quit")
    });
    let listener = net.listen(8080);
    let mut client = net.connect(8080).expect("connect");
    let (mut server, _) = listener.accept().unwrap();
    client.write_all(b"layers\r\n\x1b[2J").unwrap();
    let mut buf = [0u8; 12];
    server.read_exact(&mut buf).unwrap();
    t.wait("the connection", |s| s.contains("10.78.0.2:8080"));
    // The ladder's cursor follows the newest arrow; up it to the data segment, each one opened.
    let mut found = None;
    for _ in 0..6 {
        t.keys(&["i"]);
        let s = t.wait("the layers view", |s| {
            s.contains("layer by layer") && !s.contains("reading frame")
        });
        if s.contains("data            12 bytes") {
            found = Some(s);
            break;
        }
        t.keys(&["Escape", "Tab", "Up", "Tab"]);
        t.wait("the view closed", |s| !s.contains("layer by layer"));
    }
    let s = found.expect("the data segment read from the live ring");
    for want in [
        r#"text            "layers\x0d\x0a\x1b[2J""#,
        "4 Transport layer",
        "→ 8080",
        "IPv4            10.78.0.1 → 10.78.0.2",
        "TTL             64",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    t.keys(&["End"]);
    let s = t.wait("the bottom layers", |s| s.contains("1 Physical layer"));
    assert!(s.contains("link type       1 (EN10MB)"), "{s}");
    assert!(
        s.contains("2 Data link layer") && s.contains("ethertype       0x0800 (IPv4)"),
        "{s}"
    );
    t.keys(&["Escape"]);
    t.wait("the view closed", |s| !s.contains("layer by layer"));

    // Then more frames than the ring holds (4,096): 900 short connections, 7 frames or more
    // each. The first connection's frames have left it.
    let flood = net.listen(9090);
    let acceptor = std::thread::spawn(move || {
        for _ in 0..900 {
            drop(flood.accept().unwrap());
        }
    });
    let addr: SocketAddr = format!("{SERVER_IP}:9090").parse().unwrap();
    Net::inside(&net.client, move || {
        for _ in 0..900 {
            let c = TcpStream::connect_timeout(&addr, Duration::from_secs(3)).unwrap();
            drop(c);
        }
    });
    acceptor.join().unwrap();
    t.wait("the flood seen", |s| s.contains("9090"));
    // Only the first connection, its ladder's newest arrow: gone from the ring.
    t.keys(&["/"]);
    t.type_line("port:8080");
    t.wait("the filter", |s| s.contains("(1 shown)"));
    t.keys(&["i"]);
    let s = t.wait("the view's answer", |s| s.contains("is no longer held"));
    assert!(
        s.contains("a live capture keeps only its newest frames"),
        "{s}"
    );
    t.keys(&["Escape", "q"]);
    let s = t.wait("the shell", |s| s.contains("EXIT=0"));
    assert!(!s.contains("Connections"), "{s}");
    drop((client, server));
}
