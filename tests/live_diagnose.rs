//! The diagnosis on real kernel traffic: every test builds its own pair of network namespaces
//! (client 10.78.0.1, server 10.78.0.2, joined by a veth pair), makes the kernel produce one
//! kind of trouble with real sockets (or raw SYNs), captures it with `synack -i ... --json`
//! and checks synack's findings against the kernel's own view, `ss -tano` in the same
//! namespace: the same 4-tuples, the same counts.
//!
//! These tests need root. They never skip (CI runs them as root with CI=true): without root
//! they fail, saying so.

mod live_common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use live_common::{
    duration_secs, events, findings, findings_of, kinds, number_after, settle, wait_for, Capture,
    Net, SsLine, SERVER_IP,
};
use serde_json::Value;

fn ss_find<'a>(lines: &'a [SsLine], local: &str, peer: &str) -> Option<&'a SsLine> {
    lines.iter().find(|s| s.local == local && s.peer == peer)
}

/// Stopped with Ctrl-C, everything written: 128 + SIGINT.
fn assert_ok(code: Option<i32>, stderr: &str) {
    assert_eq!(code, Some(130), "synack exit status; stderr: {stderr}");
}

#[test]
fn server_that_closes_first_piles_up_time_wait_as_many_as_ss_counts() {
    const N: usize = 200;
    const PORT: u16 = 8090;
    let net = Net::new("twpile");
    // Captured on the server's side, where the TIME_WAITs are.
    let cap = Capture::start(&net.server, "v1", &["--no-events", "--duration", "60"]);
    let listener = net.listen_with(PORT, 256, None);
    let server = std::thread::spawn(move || {
        for _ in 0..N {
            let (mut s, _) = listener.accept().expect("accept");
            s.write_all(b"bye").unwrap();
            // The server closes first: it will hold TIME_WAIT.
        }
    });
    let addr: SocketAddr = format!("{SERVER_IP}:{PORT}").parse().unwrap();
    let clients: Vec<String> = Net::inside(&net.client, move || {
        (0..N)
            .map(|_| {
                let mut c =
                    TcpStream::connect_timeout(&addr, Duration::from_secs(3)).expect("connect");
                let local = c.local_addr().unwrap().to_string();
                let mut got = Vec::new();
                c.read_to_end(&mut got).unwrap();
                assert_eq!(got, b"bye");
                local
            })
            .collect()
    });
    server.join().unwrap();
    let srv = format!("{SERVER_IP}:{PORT}");
    let tw = |lines: &[SsLine]| -> BTreeSet<String> {
        lines
            .iter()
            .filter(|s| s.state == "TIME-WAIT" && s.local == srv)
            .map(|s| s.peer.clone())
            .collect()
    };
    wait_for(
        Duration::from_secs(5),
        "ss: every server socket in TIME-WAIT",
        || (tw(&net.ss(&net.server)).len() == N).then_some(()),
    );
    settle();
    let ss_s = net.ss(&net.server);
    let done = cap.stop();
    assert_ok(done.code, &done.stderr);

    let kernel = tw(&ss_s);
    let distinct: BTreeSet<&String> = clients.iter().collect();
    assert_eq!(distinct.len(), N, "client ports reused");
    assert_eq!(kernel.len(), N, "ss: {} TIME-WAIT on {srv}", kernel.len());

    let conns = done.to_port(PORT);
    assert_eq!(conns.len(), N, "connections to {srv}");
    let mut ours = BTreeSet::new();
    let mut worst_gap: f64 = 0.0;
    for c in &conns {
        let client = c["client"].as_str().unwrap();
        assert_eq!(
            (c["client_state"].as_str(), c["server_state"].as_str()),
            (Some("CLOSED"), Some("TIME_WAIT")),
            "{c}"
        );
        assert_eq!(c["teardown"], "fin");
        assert_eq!(kinds(c), ["time_wait"], "{client}: {:#?}", findings(c));
        let f = findings_of(c, "time_wait")[0];
        assert_eq!(f["side"], "server");
        assert_eq!(f["endpoint"], srv.as_str());
        assert_eq!(f["problem"], false);
        assert!(
            f["sentence"].as_str().unwrap().contains("closed first"),
            "{f}"
        );
        // The 2*MSL left, against the kernel's own TIME-WAIT timer for the same 4-tuple.
        let k = ss_find(&ss_s, &srv, client).unwrap_or_else(|| panic!("ss has no {client}"));
        let timer = k.timer.as_ref().expect("ss timer");
        assert_eq!(timer.0, "timewait");
        let left = f["remaining"].as_f64().expect("remaining");
        worst_gap = worst_gap.max((left - timer.1).abs());
        assert!(
            (left - timer.1).abs() <= 2.5 && left > 50.0,
            "{client}: synack {left} s left, kernel {} s",
            timer.1
        );
        ours.insert(client.to_string());
    }
    // The same 4-tuples as the kernel's, one for one.
    assert_eq!(ours, kernel);
    let clients: BTreeSet<String> = clients.into_iter().collect();
    assert_eq!(ours, clients);

    let s = done.summary();
    assert_eq!(s["states"]["server"]["TIME_WAIT"], N);
    assert_eq!(s["findings"]["by_kind"]["time_wait"], N);
    let groups = done.groups();
    assert_eq!(groups.len(), 1, "{groups:#?}");
    // No connection has a problem; the pile itself is the one problem (every pattern counts).
    assert_eq!(s["findings"]["problems"], 1, "{}", s["findings"]);
    let g = groups[0];
    assert_eq!(g["pattern"], "time_wait_pile");
    assert_eq!(g["endpoint"], srv.as_str());
    assert_eq!(g["count"], N);
    let sentence = g["sentence"].as_str().unwrap();
    assert!(
        sentence.contains(&format!(
            "{N} connections to {srv} in TIME_WAIT, held by the server {SERVER_IP} ({N})"
        )) && sentence.contains("the server closes first"),
        "{sentence}"
    );
    eprintln!(
        "time_wait: {N} connections, ss TIME-WAIT {}, synack TIME_WAIT {}, \
         largest gap between synack's remaining and ss's timer {worst_gap:.2} s",
        kernel.len(),
        ours.len()
    );
}

#[test]
fn server_that_never_closes_is_close_wait_with_the_client_in_fin_wait_2_as_ss_says() {
    const PORT: u16 = 8091;
    let net = Net::new("closewait");
    let cap = Capture::start(
        &net.client,
        "v0",
        &["--stuck-after", "1", "--duration", "30"],
    );
    // The same capture as a `--diagnose` report.
    let report = Capture::start_args(
        &net.client,
        "v0",
        &["--diagnose", "--stuck-after", "1", "--duration", "30"],
    );
    let listener = net.listen(PORT);
    let srv = format!("{SERVER_IP}:{PORT}");
    let half_close = |net: &Net| {
        let c = net.connect(PORT).expect("connect");
        let local = c.local_addr().unwrap().to_string();
        let (s, _) = listener.accept().unwrap();
        // The client is done sending; the server application never closes.
        c.shutdown(Shutdown::Write).unwrap();
        let srv = srv.clone();
        wait_for(
            Duration::from_secs(3),
            "ss: CLOSE-WAIT on the server, FIN-WAIT-2 on the client",
            || {
                let ks = net.ss(&net.server);
                let kc = net.ss(&net.client);
                let s_ok = ss_find(&ks, &srv, &local).is_some_and(|l| l.state == "CLOSE-WAIT");
                let c_ok = ss_find(&kc, &local, &srv).is_some_and(|l| l.state == "FIN-WAIT-2");
                (s_ok && c_ok).then_some(())
            },
        );
        (c, s, local, Instant::now())
    };
    // Stuck: in CLOSE_WAIT for longer than --stuck-after.
    let (a, sa, a_local, a_since) = half_close(&net);
    std::thread::sleep(Duration::from_millis(1600).saturating_sub(a_since.elapsed()));
    // Not yet stuck: half-closed a moment before the capture stops.
    let (b, sb, b_local, _) = half_close(&net);
    let ss_c = net.ss(&net.client);
    let ss_s = net.ss(&net.server);
    report.interrupt();
    let done = cap.stop();
    let stuck_for = a_since.elapsed().as_secs_f64();
    let report = report.finish(Duration::from_secs(10));
    assert_ok(done.code, &done.stderr);
    drop((a, sa, b, sb));

    for local in [&a_local, &b_local] {
        let c = done.conn(local, PORT);
        assert_eq!(c["client_state"], "FIN_WAIT_2", "{local}");
        assert_eq!(c["server_state"], "CLOSE_WAIT", "{local}");
        assert_eq!(c["teardown"], "half");
        // The kernel agrees on both ends of the same 4-tuple.
        assert_eq!(
            ss_find(&ss_c, local, &srv).map(|l| l.state.as_str()),
            Some("FIN-WAIT-2"),
            "{ss_c:#?}"
        );
        assert_eq!(
            ss_find(&ss_s, &srv, local).map(|l| l.state.as_str()),
            Some("CLOSE-WAIT"),
            "{ss_s:#?}"
        );
    }
    // Every CLOSE-WAIT the kernel has is one synack reports, and no more.
    let kernel: BTreeSet<String> = ss_s
        .iter()
        .filter(|l| l.state == "CLOSE-WAIT" && l.local == srv)
        .map(|l| l.peer.clone())
        .collect();
    let ours: BTreeSet<String> = done
        .to_port(PORT)
        .iter()
        .filter(|c| c["server_state"] == "CLOSE_WAIT")
        .map(|c| c["client"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ours, kernel);

    let a = done.conn(&a_local, PORT);
    assert_eq!(kinds(a), ["close_wait"], "{:#?}", findings(a));
    let f = findings_of(a, "close_wait")[0];
    assert_eq!(f["side"], "server");
    assert_eq!(f["endpoint"], srv.as_str());
    assert_eq!(f["problem"], true);
    let sentence = f["sentence"].as_str().unwrap();
    let secs = number_after(sentence, "CLOSE_WAIT for ").expect(sentence);
    assert!(
        secs >= 1.0 && secs <= stuck_for + 0.5,
        "stuck {secs} s by synack, {stuck_for:.2} s by the test: {sentence}"
    );
    assert!(
        sentence.contains(&format!("the client {a_local} waits in FIN_WAIT_2")),
        "{sentence}"
    );
    // Evidence: the client's FIN (the server entering CLOSE_WAIT) and the server's ACK of it
    // (the client entering FIN_WAIT_2).
    let frames: Vec<u64> = f["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let ev = events(a);
    let frame_of = |dir: &str, flag: &str| {
        ev.iter()
            .find(|e| e["dir"] == dir && e["flags"].as_str().unwrap().contains(flag))
            .map(|e| e["frame"].as_u64().unwrap())
    };
    assert_eq!(frames.first().copied(), frame_of("c2s", "FIN"), "{ev:#?}");
    assert_eq!(frames.len(), 2, "{frames:?}");

    // A CLOSE_WAIT younger than --stuck-after is not (yet) a finding.
    let b = done.conn(&b_local, PORT);
    assert!(
        findings_of(b, "close_wait").is_empty(),
        "{:#?}",
        findings(b)
    );
    let s = done.summary();
    assert_eq!(s["findings"]["by_kind"]["close_wait"], 1);
    // The report says the same, with the same sentence.
    let text = &report.text;
    assert!(
        text.contains("CLOSE_WAIT that never closes (1)")
            && text.contains(&format!("{srv} (server) since"))
            && text.contains(&format!("the client {a_local} waits in FIN_WAIT_2")),
        "{text}"
    );
    assert!(!text.contains(&b_local), "{text}");
    // A problem was found: `--diagnose` says so in its exit status, live as for files.
    assert_eq!(
        report.code,
        Some(1),
        "--diagnose exit status; stderr: {}",
        report.stderr
    );
    eprintln!("close_wait: stuck {secs} s by synack ({stuck_for:.2} s by the test); ss agrees on 2 CLOSE-WAIT / FIN-WAIT-2 pairs");
}

#[test]
fn dropped_syn_is_syn_unanswered_with_the_kernels_exponential_backoff() {
    // tcp_syn_linear_timeouts off: the classic backoff, SYNs at 0 s, 1 s, 3 s, 7 s.
    syn_unanswered_case("synexp", 7777, Some(0));
}

#[test]
fn dropped_syn_is_syn_unanswered_with_the_kernels_default_timeouts() {
    // Linux 6.x (this kernel: 6.18) first retransmits SYNs at a fixed 1 s
    // (tcp_syn_linear_timeouts, 4 by default): 0 s, 1 s, 2 s, 3 s. Older kernels back off.
    syn_unanswered_case("synlin", 7778, None);
}

/// A SYN to `port_no` dropped by an nft rule on the server, with tcp_syn_linear_timeouts set
/// to `linear` in the client's namespace (or left at the kernel's default).
fn syn_unanswered_case(tag: &str, port_no: u16, linear: Option<u32>) {
    let net = Net::new(tag);
    let port = port_no.to_string();
    net.nft_input_rule(&net.server, &["tcp", "dport", &port, "drop"]);
    let has_knob = std::path::Path::new("/proc/sys/net/ipv4/tcp_syn_linear_timeouts").exists();
    if let (Some(n), true) = (linear, has_knob) {
        net.sysctl(
            &net.client,
            &format!("net.ipv4.tcp_syn_linear_timeouts={n}"),
        );
    }
    // The value in force in the client's namespace: the first `linear` retransmissions come
    // 1 s apart, then the timer doubles.
    let linear: u32 = if has_knob {
        let out = net.exec(
            &net.client,
            &["sysctl", "-n", "net.ipv4.tcp_syn_linear_timeouts"],
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    } else {
        0
    };
    let want_retrans: u32 = if linear >= 3 { 3 } else { 2 };
    let cap = Capture::start(&net.client, "v0", &["--duration", "30"]);
    let addr: SocketAddr = format!("{SERVER_IP}:{port_no}").parse().unwrap();
    let client_ns = net.client.clone();
    std::thread::spawn(move || {
        Net::inside(&client_ns, move || {
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(6));
        })
    });
    let srv = format!("{SERVER_IP}:{port_no}");
    // Until the kernel has retransmitted the SYN `want_retrans` times.
    let syn_sent = wait_for(Duration::from_secs(6), "ss: SYN-SENT retransmitted", || {
        net.ss(&net.client)
            .into_iter()
            .find(|l| l.state == "SYN-SENT" && l.peer == srv && l.retrans() >= want_retrans)
    });
    let snap_at = SystemTime::now();
    settle();
    let done = cap.stop();
    assert_ok(done.code, &done.stderr);

    let conns = done.to_port(port_no);
    assert_eq!(conns.len(), 1, "{:#?}", done.lines);
    let c = conns[0];
    // The same 4-tuple as the kernel's SYN-SENT socket.
    assert_eq!(c["client"], syn_sent.local.as_str());
    assert_eq!(c["client_state"], "SYN_SENT");
    assert_eq!(c["server_packets"], 0);
    assert_eq!(kinds(c), ["syn_unanswered"], "{:#?}", findings(c));
    let f = findings_of(c, "syn_unanswered")[0];
    assert_eq!(f["side"], "server");
    assert_eq!(f["endpoint"], srv.as_str());
    assert_eq!(f["problem"], true);
    // As many SYNs as the kernel sent: the first and its retransmissions.
    let n = u64::from(syn_sent.retrans()) + 1;
    assert_eq!(f["count"], n, "ss: {syn_sent:?}");
    let syns: Vec<&Value> = events(c).iter().filter(|e| e["flags"] == "SYN").collect();
    assert_eq!(syns.len() as u64, n);
    let frames: Vec<&Value> = syns.iter().map(|e| &e["frame"]).collect();
    let evidence: Vec<&Value> = f["frames"].as_array().unwrap().iter().collect();
    assert_eq!(evidence, frames);
    // The kernel's timeouts: 1 s each for the first `linear`, then doubling.
    let rto = |k: u32| -> f64 {
        if k < linear {
            1.0
        } else {
            f64::from(1u32 << (k - linear))
        }
    };
    let t: Vec<f64> = syns.iter().map(|e| e["t"].as_f64().unwrap()).collect();
    let gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    for (k, g) in gaps.iter().enumerate() {
        let want = rto(k as u32);
        assert!(
            (want * 0.8..want * 1.5).contains(g),
            "retransmission {} after {g} s, want {want} s (linear timeouts {linear}): {gaps:?}",
            k + 1
        );
    }
    // The sentence gives each SYN's time, as measured.
    let times: Vec<String> = t
        .iter()
        .map(|x| format!("{:.1} s", x - t[0]).replace(".0 s", " s"))
        .collect();
    let sentence = f["sentence"].as_str().unwrap();
    assert!(
        sentence.contains(&format!(
            "{n} SYNs from {} to {srv} at {}, no answer",
            syn_sent.local,
            times.join(", ")
        )),
        "{sentence}"
    );
    // And the kernel's timer for the next SYN goes on the same way (ss: time left).
    let first_seen = chrono::DateTime::parse_from_rfc3339(c["first_seen"].as_str().unwrap())
        .expect("first_seen");
    let first_secs = first_seen.timestamp_micros() as f64 / 1e6;
    let snap_secs = snap_at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let since_last = snap_secs - (first_secs + t[t.len() - 1]);
    let next_rto = since_last + syn_sent.timer.as_ref().unwrap().1;
    let want = rto(syn_sent.retrans());
    assert!(
        (want * 0.8..want * 1.2).contains(&next_rto),
        "kernel's next SYN due {next_rto:.2} s after the last, want {want} s: ss ran \
         {since_last:.3} s after it and said {syn_sent:?}"
    );
    eprintln!(
        "syn_unanswered (linear timeouts {linear}): {n} SYNs at {times:?}; ss retrans {} \
         ({since_last:.3} s after the last SYN, timer {:?}): kernel's next RTO {next_rto:.2} s; \
         {sentence}",
        syn_sent.retrans(),
        syn_sent.timer
    );
}

#[test]
fn closed_port_is_refused() {
    const PORT: u16 = 9999;
    const N: usize = 3;
    let net = Net::new("refused");
    let cap = Capture::start(&net.client, "v0", &["--duration", "30"]);
    for _ in 0..N {
        let err = net.connect(PORT).expect_err("nothing listens");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    }
    settle();
    let ss_c = net.ss(&net.client);
    let done = cap.stop();
    assert_ok(done.code, &done.stderr);
    let srv = format!("{SERVER_IP}:{PORT}");
    let conns = done.to_port(PORT);
    assert_eq!(conns.len(), N, "{:#?}", done.lines);
    let mut after_ms = Vec::new();
    for c in &conns {
        let client = c["client"].as_str().unwrap();
        assert_eq!(kinds(c), ["refused"], "{:#?}", findings(c));
        let f = findings_of(c, "refused")[0];
        assert_eq!(f["side"], "server");
        assert_eq!(f["endpoint"], srv.as_str());
        assert_eq!(f["problem"], true);
        let rst = events(c)
            .iter()
            .find(|e| e["dir"] == "s2c" && e["flags"] == "RST+ACK")
            .unwrap_or_else(|| panic!("no RST+ACK: {c}"));
        assert_eq!(f["frames"], serde_json::json!([rst["frame"]]));
        let sentence = f["sentence"].as_str().unwrap();
        assert!(
            sentence.contains(&format!(
                "port {PORT} closed on {SERVER_IP}: the SYN from {client} was answered by RST+ACK after"
            )),
            "{sentence}"
        );
        let ms = number_after(sentence, "after ").expect(sentence);
        assert!(
            (ms - rst["t"].as_f64().unwrap() * 1000.0).abs() < 0.051,
            "{sentence} vs {rst}"
        );
        after_ms.push(ms);
        // Nothing is left of it in the kernel.
        assert!(
            !ss_c.iter().any(|l| l.local == client),
            "ss still lists {client}: {ss_c:#?}"
        );
    }
    let s = done.summary();
    assert_eq!(s["findings"]["by_kind"]["refused"], N);
    assert!(s["findings"]["by_kind"].get("reset").is_none(), "{s}");
    eprintln!("refused: {N} connections, RST after {after_ms:?} ms");
}

#[test]
fn receiver_that_stops_reading_is_zero_window() {
    const PORT: u16 = 8092;
    let net = Net::new("zerowin");
    let cap = Capture::start(
        &net.client,
        "v0",
        &["--stuck-after", "1", "--duration", "30"],
    );
    // A small receive buffer, and an application that never reads.
    let listener = net.listen_with(PORT, 16, Some(4096));
    let mut client = net.connect(PORT).expect("connect");
    let local = client.local_addr().unwrap().to_string();
    let (receiver, _) = listener.accept().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (stop, written) = (stop.clone(), written.clone());
        client
            .set_write_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        std::thread::spawn(move || {
            let chunk = vec![b'x'; 16 * 1024];
            while !stop.load(Ordering::Relaxed) {
                if let Ok(n) = client.write(&chunk) {
                    written.fetch_add(n as u64, Ordering::Relaxed);
                }
            }
            client
        })
    };
    let srv = format!("{SERVER_IP}:{PORT}");
    // Both queues full and no longer moving: the receiver's Recv-Q, the sender's Send-Q.
    let mut last = (0, 0);
    let full = wait_for(Duration::from_secs(5), "ss: both queues full", || {
        let r = net.ss(&net.server);
        let s = net.ss(&net.client);
        let r = ss_find(&r, &srv, &local)?.recv_q;
        let s = ss_find(&s, &local, &srv)?.send_q;
        let now = (r, s);
        let stable = now == last && r > 0 && s > 0;
        last = now;
        std::thread::sleep(Duration::from_millis(150));
        stable.then_some(now)
    });
    let full_at = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    let ss_r = net.ss(&net.server);
    let ss_s = net.ss(&net.client);
    let done = cap.stop();
    let stalled = full_at.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let client = writer.join().unwrap();
    assert_ok(done.code, &done.stderr);

    let kr = ss_find(&ss_r, &srv, &local).expect("receiver in ss");
    let ks = ss_find(&ss_s, &local, &srv).expect("sender in ss");
    assert_eq!((kr.recv_q, ks.send_q), full, "queues moved while stalled");
    // What the application wrote is exactly what the receiver holds unread plus what the
    // sender still holds.
    assert_eq!(written.load(Ordering::Relaxed), kr.recv_q + ks.send_q);

    let c = done.conn(&local, PORT);
    assert_eq!(c["client_state"], "ESTABLISHED");
    assert_eq!(c["server_state"], "ESTABLISHED");
    // The receiver acknowledged exactly what it holds unread (relative ack = 1 + bytes).
    let acked = events(c)
        .iter()
        .filter(|e| e["dir"] == "s2c" && e["flags"].as_str().unwrap().contains("ACK"))
        .filter_map(|e| e["ack"].as_u64())
        .max()
        .unwrap();
    assert_eq!(acked - 1, kr.recv_q, "receiver's ACKs vs ss Recv-Q");
    // A segment the small buffer could not take may be retransmitted (the kernel's real
    // behaviour, marked on the segment); nothing else.
    for k in kinds(c) {
        assert!(
            k == "zero_window" || k == "retransmission",
            "{:#?}",
            findings(c)
        );
    }
    let zw = findings_of(c, "zero_window");
    assert_eq!(zw.len(), 1, "{:#?}", findings(c));
    let f = zw[0];
    assert_eq!(f["side"], "server", "the receiver");
    assert_eq!(f["endpoint"], srv.as_str());
    assert_eq!(f["problem"], true);
    let sentence = f["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with(&format!(
            "the receiver at {srv} stopped reading: zero window for"
        )) && sentence.ends_with("and still closed"),
        "{sentence}"
    );
    let secs = number_after(sentence, "zero window for ").unwrap();
    assert!(
        secs >= 1.0 && secs <= stalled + 1.0,
        "zero window {secs} s by synack, queues stalled {stalled:.2} s by ss: {sentence}"
    );
    let zero_acks = c["marks"]["zero_window"].as_u64().unwrap_or(0);
    assert!(zero_acks >= 1, "{}", c["marks"]);
    assert!(f["count"].as_u64().unwrap() >= 1);
    let probes = c["marks"]["zero_window_probe"].as_u64().unwrap_or(0);
    eprintln!(
        "zero_window: Recv-Q {} Send-Q {} (written {}), synack: receiver acked {} bytes, \
         zero window for {secs} s, {zero_acks} zero-window ACKs, {probes} probes; \
         findings {:?}",
        kr.recv_q,
        ks.send_q,
        written.load(Ordering::Relaxed),
        acked - 1,
        kinds(c)
    );
    drop((client, receiver));
}

/// Sends one bare SYN per (source, source port) to the server, from a raw socket in `ns`.
fn send_raw_syns(ns: &str, from: Vec<(Ipv4Addr, u16)>, port: u16) {
    Net::inside(ns, move || {
        let err = || std::io::Error::last_os_error();
        // SAFETY: a raw socket we own; sendto gets a buffer and address of the sizes given.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_RAW);
            assert!(fd >= 0, "raw socket: {}", err());
            let fd = OwnedFd::from_raw_fd(fd);
            let dst: Ipv4Addr = SERVER_IP.parse().unwrap();
            let to = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: 0,
                sin_addr: libc::in_addr {
                    s_addr: u32::from(dst).to_be(),
                },
                sin_zero: [0; 8],
            };
            for (i, (src, sport)) in from.into_iter().enumerate() {
                let builder = etherparse::PacketBuilder::ipv4(src.octets(), dst.octets(), 64)
                    .tcp(sport, port, 0x1000_0000 + i as u32 * 7919, 64240)
                    .syn()
                    .options(&[etherparse::TcpOptionElement::MaximumSegmentSize(1460)])
                    .expect("tcp options");
                let mut pkt = Vec::with_capacity(builder.size(0));
                builder.write(&mut pkt, &[]).expect("build SYN");
                let rc = libc::sendto(
                    fd.as_raw_fd(),
                    pkt.as_ptr() as *const libc::c_void,
                    pkt.len(),
                    0,
                    &to as *const libc::sockaddr_in as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                );
                assert_eq!(rc, pkt.len() as isize, "sendto: {}", err());
            }
        }
    });
}

#[test]
fn syn_flood_from_many_sources_is_half_open_while_ss_shows_syn_recv() {
    const PORT: u16 = 9100;
    const SOURCES: usize = 40;
    const PER_SOURCE: usize = 2;
    const N: usize = SOURCES * PER_SOURCE;
    let net = Net::new("flood");
    // No SYN cookies: every SYN gets a request socket (SYN-RECV) and a SYN+ACK.
    net.sysctl(&net.server, "net.ipv4.tcp_syncookies=0");
    net.sysctl(&net.server, "net.ipv4.tcp_max_syn_backlog=4096");
    let listener = net.listen_with(PORT, 1024, None);
    // The spoofed sources exist on the client's interface (so ARP resolves and the SYN+ACKs
    // go out on the wire), but their SYN+ACKs are dropped on the way in, before TCP could
    // answer them with a RST: the handshakes stay half-open.
    let sources: Vec<Ipv4Addr> = (0..SOURCES)
        .map(|i| Ipv4Addr::new(10, 78, 0, 100 + i as u8))
        .collect();
    for ip in &sources {
        let a = format!("{ip}/32");
        sh_ip(&net.client, &["addr", "add", &a, "dev", "v0"]);
    }
    let port = PORT.to_string();
    net.nft_input_rule(&net.client, &["tcp", "sport", &port, "drop"]);
    // Two captures on the server's interface: the flood threshold just met, and just missed.
    let flood_sources = SOURCES.to_string();
    let one_more = (SOURCES + 1).to_string();
    let caps = [&flood_sources, &one_more].map(|n| {
        Capture::start(
            &net.server,
            "v1",
            &[
                "--no-events",
                "--stuck-after",
                "1",
                "--flood-sources",
                n,
                "--duration",
                "30",
            ],
        )
    });
    let from: Vec<(Ipv4Addr, u16)> = (0..PER_SOURCE)
        .flat_map(|j| {
            sources
                .iter()
                .enumerate()
                .map(move |(i, ip)| (*ip, 40000 + (i * PER_SOURCE + j) as u16))
        })
        .collect();
    let sent_at = Instant::now();
    send_raw_syns(&net.client, from.clone(), PORT);
    let srv = format!("{SERVER_IP}:{PORT}");
    let syn_recv = |lines: &[SsLine]| -> Vec<SsLine> {
        lines
            .iter()
            .filter(|l| l.state == "SYN-RECV" && l.local == srv)
            .cloned()
            .collect()
    };
    wait_for(Duration::from_secs(3), "ss: every SYN in SYN-RECV", || {
        (syn_recv(&net.ss(&net.server)).len() == N).then_some(())
    });
    // Half-open past --stuck-after.
    std::thread::sleep(Duration::from_millis(1400).saturating_sub(sent_at.elapsed()));
    let before = syn_recv(&net.ss(&net.server));
    for c in &caps {
        c.interrupt();
    }
    let [at, above] = caps.map(|c| c.finish(Duration::from_secs(10)));
    let after = syn_recv(&net.ss(&net.server));
    drop(listener);
    assert_ok(at.code, &at.stderr);
    assert_ok(above.code, &above.stderr);

    let kernel: BTreeSet<String> = before.iter().map(|l| l.peer.clone()).collect();
    let want: BTreeSet<String> = from.iter().map(|(ip, p)| format!("{ip}:{p}")).collect();
    assert_eq!(kernel, want, "ss SYN-RECV vs the SYNs sent");
    for done in [&at, &above] {
        let conns = done.to_port(PORT);
        assert_eq!(conns.len(), N);
        let mut ours = BTreeSet::new();
        for c in &conns {
            let client = c["client"].as_str().unwrap();
            assert_eq!(c["server_state"], "SYN_RECEIVED", "{c}");
            assert!(c["rst_by"].is_null(), "a RST answered the SYN+ACK: {c}");
            assert_eq!(kinds(c), ["half_open"], "{client}: {:#?}", findings(c));
            let f = findings_of(c, "half_open")[0];
            assert_eq!(f["side"], "server");
            assert_eq!(f["endpoint"], srv.as_str());
            assert_eq!(f["problem"], true);
            // SYN+ACKs synack saw: the kernel's first one and its retransmissions so far.
            let seen = f["count"].as_u64().unwrap();
            let sent = |l: &[SsLine]| {
                l.iter()
                    .find(|s| s.peer == client)
                    .map_or(0, |s| u64::from(s.retrans()) + 1)
            };
            assert!(
                (sent(&before)..=sent(&after).max(sent(&before))).contains(&seen),
                "{client}: synack saw {seen} SYN+ACKs, ss says {} then {}",
                sent(&before),
                sent(&after)
            );
            assert_eq!(c["server_packets"], seen, "{c}");
            ours.insert(client.to_string());
        }
        assert_eq!(ours, kernel, "synack's half-open 4-tuples vs ss SYN-RECV");
        assert_eq!(done.summary()["findings"]["by_kind"]["half_open"], N);
    }
    let groups = at.groups();
    assert_eq!(groups.len(), 1, "{groups:#?}");
    let g = groups[0];
    assert_eq!(g["pattern"], "syn_flood");
    assert_eq!(g["kind"], "half_open");
    assert_eq!(g["endpoint"], srv.as_str());
    assert_eq!(g["count"], N);
    let sentence = g["sentence"].as_str().unwrap();
    assert!(
        sentence.contains(&format!(
            "{N} half-open connections to {srv} from {SOURCES} sources, up to {N} per second"
        )),
        "{sentence}"
    );
    assert!(
        above.groups().is_empty(),
        "--flood-sources {one_more}: {:#?}",
        above.groups()
    );
    let synacks: u64 = at
        .to_port(PORT)
        .iter()
        .map(|c| c["server_packets"].as_u64().unwrap())
        .sum();
    eprintln!(
        "syn_flood: {N} SYNs from {SOURCES} sources; ss SYN-RECV {}, synack half-open {}, \
         {synacks} SYN+ACKs seen; {sentence}",
        kernel.len(),
        N
    );
}

fn sh_ip(ns: &str, args: &[&str]) {
    let mut cmd = vec!["ip", "-n", ns];
    cmd.extend_from_slice(args);
    live_common::sh(&cmd);
}

#[test]
fn ss_lines_and_timers_parse() {
    // No root needed: the parser the other tests rely on.
    for (text, secs) in [
        ("59sec", 59.0),
        ("1min2sec", 62.0),
        ("120ms", 0.12),
        ("3.968ms", 3.968),
        ("1sec", 1.0),
    ] {
        assert!((duration_secs(text) - secs).abs() < 1e-9, "{text}");
    }
    let l =
        SsLine::parse("SYN-SENT 0      1      10.78.0.1:44090 10.78.0.2:7777 timer:(on,3.968ms,2)")
            .unwrap();
    assert_eq!((l.state.as_str(), l.recv_q, l.send_q), ("SYN-SENT", 0, 1));
    assert_eq!(
        (l.local.as_str(), l.peer.as_str()),
        ("10.78.0.1:44090", "10.78.0.2:7777")
    );
    assert_eq!(l.retrans(), 2);
    assert!((l.timer.unwrap().1 - 3.968).abs() < 1e-9);
}
