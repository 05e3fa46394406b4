//! End to end under tmux: start `synack fixtures/demo.pcap` in a real terminal, press keys as
//! a person would, read the screen with `capture-pane`, and check the terminal is given back
//! (normal screen, no mouse reporting, cursor shown, canonical mode) on `q` and on SIGTERM,
//! SIGINT, SIGHUP and SIGQUIT (each exiting 128 + the signal).
//!
//! Needs tmux (`make deps` installs it); the test fails, never skips, without it.

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

mod tmux_common;
use tmux_common::Tmux;

fn start(t: &Tmux) {
    let bin = env!("CARGO_BIN_EXE_synack");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.pcap");
    t.type_line("clear");
    t.type_line(&format!(
        "{bin} {fixture}; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -E -x -- '-?(icanon|echo)'"
    ));
    t.wait("the TUI", |s| {
        s.contains("Connections") && s.contains("q quit")
    });
    assert_eq!(
        t.flag("alternate_on"),
        "1",
        "the TUI uses the alternate screen"
    );
    assert_eq!(
        t.flag("mouse_any_flag"),
        "1",
        "the TUI asks for mouse events"
    );
}

/// The shell printed the exit status and then stty's modes (`EXIT=` then a digit at a line's
/// start: the typed command line holds `EXIT=$?` and shows before the output does).
fn exited(s: &str) -> bool {
    let mut lines = s.lines().skip_while(|l| {
        !l.strip_prefix("EXIT=")
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    });
    lines.next().is_some() && lines.any(|l| matches!(l.trim(), "echo" | "-echo"))
}

fn assert_restored(t: &Tmux, s: &str, exit: i32) {
    assert!(
        s.contains(&format!("EXIT={exit}")),
        "exit {exit} expected:\n{s}"
    );
    assert!(!s.contains("Connections"), "the TUI's screen is gone:\n{s}");
    assert!(
        s.lines().any(|l| l.trim() == "icanon"),
        "canonical mode back:\n{s}"
    );
    assert!(s.lines().any(|l| l.trim() == "echo"), "echo back:\n{s}");
    assert_eq!(t.flag("alternate_on"), "0", "normal screen back");
    assert_eq!(t.flag("mouse_any_flag"), "0", "mouse reporting off");
    assert_eq!(t.flag("cursor_flag"), "1", "cursor shown");
}

#[test]
fn a_person_pauses_steps_filters_selects_and_quits() {
    let t = Tmux::new("keys");
    start(&t);

    // Home: back to the start, paused, nothing shown yet.
    t.keys(&["Home"]);
    let s = t.wait("paused at the start", |s| {
        s.contains("PAUSED") && s.contains("seg 0")
    });
    assert!(s.contains("No connection yet"), "{s}");

    // Step: the SYN, then the SYN+ACK, each with the states they cause.
    t.keys(&["Right"]);
    let s = t.wait("the SYN", |s| s.contains("SYN seq=0 win=64240"));
    assert!(s.contains("SYN_SENT"), "{s}");
    assert!(!s.contains("SYN+ACK seq"), "{s}");
    assert!(s.contains("The client sends SYN"), "{s}");
    t.keys(&["Right"]);
    let s = t.wait("the SYN+ACK", |s| s.contains("SYN+ACK seq=0 ack=1"));
    assert!(s.contains("SYN_RECEIVED"), "{s}");
    assert!(s.contains("ESTABLISHED"), "{s}");
    // And back one step: the SYN+ACK is gone again.
    t.keys(&["Left"]);
    let s = t.wait("one step back", |s| {
        !s.contains("SYN+ACK seq") && s.contains("seg 1")
    });
    assert!(s.contains("SYN seq=0 win=64240"), "{s}");

    // End: everything; six connections.
    t.keys(&["End"]);
    let s = t.wait("the end", |s| s.contains("seg 42"));
    assert!(s.contains("6 connections"), "{s}");

    // Filter on the PostgreSQL port: only that connection stays, with its half-close.
    t.keys(&["/", "5", "4", "3", "2", "Enter"]);
    let s = t.wait("the filter", |s| s.contains("(1 shown)"));
    assert!(s.contains("192.168.1.20:5432"), "{s}");
    assert!(!s.contains("192.168.1.20:8080"), "{s}");
    assert!(s.contains("CLOSE_WAIT"), "{s}");
    assert!(s.contains("FIN_WAIT_2"), "{s}");

    // Esc clears the filter; Up selects the connection before the newest.
    t.keys(&["Escape"]);
    t.wait("the filter cleared", |s| !s.contains("shown)"));
    t.keys(&["Up"]);
    let s = t.wait("#5 selected", |s| s.contains("#5 192.168.1.10:51004"));
    assert!(s.contains("[retrans"), "{s}");

    // Help lists the keys; any key closes it.
    t.keys(&["?"]);
    t.wait("help", |s| s.contains("synack keys"));
    t.keys(&["x"]);
    t.wait("help closed", |s| !s.contains("synack keys"));

    // p: the problems view, worst first; it opens on the chosen connection's finding (#5).
    t.keys(&["p"]);
    let s = t.wait("the problems view", |s| {
        s.contains("Problems │ 7 findings on 6 of 6 connections │ 4 problems")
    });
    assert!(s.contains("CLOSE_WAIT that never closes (1)"), "{s}");
    assert!(
        s.contains("▸   ! #5     3 SYNs from 192.168.1.10:51004"),
        "{s}"
    );
    assert!(s.contains("frames 31, 32, 33."), "{s}");
    // Up to the worst (#4's CLOSE_WAIT), Enter: its ladder, the evidence marked.
    t.keys(&["Up"]);
    t.wait("#4 chosen", |s| s.contains("▸   ! #4"));
    t.keys(&["Enter"]);
    let s = t.wait("#4's ladder", |s| {
        s.contains("#4 192.168.1.10:51003 → 192.168.1.20:5432")
    });
    assert!(!s.contains("Problems │"), "{s}");
    assert!(
        s.contains("! close_wait: the application on 192.168.1.20:5432"),
        "{s}"
    );
    assert!(s.contains("zeek S2 ShADdFa │"), "{s}");
    let cursor = s.lines().find(|l| l.starts_with('▸')).unwrap_or_default();
    assert!(
        cursor.contains("FIN+ACK") && cursor.contains("CLOSE_WAIT"),
        "{s}"
    );
    // (The list marks anomalies with `!` too; the ladder's rows have lifelines.)
    let marked = s
        .lines()
        .find(|l| l.starts_with('!') && l.contains(" │"))
        .unwrap_or_default();
    assert!(marked.contains("FIN_WAIT_2"), "{s}");
    // p goes back, on the same finding.
    t.keys(&["p"]);
    t.wait("the problems view again", |s| s.contains("▸   ! #4"));
    t.keys(&["p"]);
    t.wait("the connections again", |s| s.contains("Connections 6"));

    t.keys(&["q"]);
    let s = t.wait("the shell", exited);
    assert_restored(&t, &s, 0);
}

/// Sends `sig` to the TUI running in `t`'s shell; checks the terminal is given back and the
/// exit status is 128 + the signal.
fn signal_restores_the_terminal(tag: &str, sig: &str, number: i32) {
    let t = Tmux::new(tag);
    start(&t);
    let shell = t.shell_pid();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
    let pid: u32 = children.split_whitespace().next().unwrap().parse().unwrap();
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let s = t.wait("the shell", exited);
    assert_restored(&t, &s, 128 + number);
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores_the_terminal("term", "TERM", libc::SIGTERM);
}

#[test]
fn sigint_restores_the_terminal() {
    signal_restores_the_terminal("int", "INT", libc::SIGINT);
}

#[test]
fn sighup_restores_the_terminal() {
    // `kill -HUP` with the terminal still there (a hung-up one is the next test).
    signal_restores_the_terminal("hup", "HUP", libc::SIGHUP);
}

#[test]
fn sigquit_restores_the_terminal() {
    signal_restores_the_terminal("quit", "QUIT", libc::SIGQUIT);
}

#[test]
fn a_terminal_that_goes_away_ends_the_tui() {
    // Closing the terminal (here: the whole tmux server) hangs up the TUI's tty. It must exit,
    // not linger reading end-of-file forever.
    let t = Tmux::new("hangup");
    start(&t);
    let shell = t.shell_pid();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
    let pid: u32 = children.split_whitespace().next().unwrap().parse().unwrap();
    drop(t);
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        // Gone, or a zombie nobody reaps any more (its tmux parent is gone too).
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .next();
        if stat.is_empty() || state == Some("Z") {
            break;
        }
        assert!(
            Instant::now() < until,
            "synack (pid {pid}) still running after its terminal went away: {stat}"
        );
        sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_teacher_steps_through_a_lesson_in_both_languages() {
    let t = Tmux::new("lesson");
    let bin = env!("CARGO_BIN_EXE_synack");
    t.type_line("clear");
    t.type_line(&format!("{bin} --lesson handshake; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -E -x -- '-?(icanon|echo)'"));
    // Paused at t=0 on the lesson's introduction.
    let s = t.wait("the lesson", |s| {
        s.contains("Lesson: the three-way handshake")
    });
    assert!(s.contains("PAUSED") && s.contains("seg 0"), "{s}");
    // Three steps: the handshake, the calls on the lifelines, the third segment's note.
    t.keys(&["Right", "Right", "Right"]);
    let s = t.wait("the final ACK", |s| s.contains("seg 3"));
    assert!(s.contains("connect()") && s.contains("listen()"), "{s}");
    assert!(
        s.lines().any(|l| l.trim_end().ends_with("│ accept()")),
        "{s}"
    );
    assert!(s.contains("Why a third segment"), "{s}");
    // l: the note and the interface in Chinese; back one step with ←.
    t.keys(&["l"]);
    let s = t.wait("Chinese", |s| s.contains("为什么要第三个报文段"));
    assert!(s.contains("退出") && s.contains("已暂停"), "{s}");
    t.keys(&["Left"]);
    t.wait("the SYN+ACK's note", |s| {
        s.contains("段 2") && s.contains("处于监听的服务器")
    });
    t.keys(&["q"]);
    let s = t.wait("the shell", exited);
    assert_restored(&t, &s, 0);
}

#[test]
fn a_pcap_stream_on_stdin_is_followed_live_after_an_upstream_prompt() {
    // As `ssh host sudo tcpdump -U -w - | synack -`: upstream asks for a password on the
    // terminal first, then the pcap header comes, then, later, the packets. synack must leave
    // the terminal alone until the first packet, then follow the stream as a live source.
    let t = Tmux::new("stdin");
    let bin = env!("CARGO_BIN_EXE_synack");
    let f = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.pcap");
    t.type_line("clear");
    t.type_line(&format!(
        "{{ printf 'Password: ' >/dev/tty; read pw </dev/tty; echo \"got $pw\" >/dev/tty; \
         head -c 24 {f}; sleep 2; tail -c +25 {f}; sleep 8; }} | {bin} -; echo EXIT=$?; \
         stty -a | tr ' ;' '\\n\\n' | grep -E -x -- '-?(icanon|echo)'"
    ));
    t.wait("the upstream prompt", |s| s.contains("Password: "));
    assert_eq!(t.flag("alternate_on"), "0", "the prompt has the terminal");
    t.type_line("hunter2");
    t.wait("the prompt answered", |s| s.contains("got hunter2"));
    // The header has come, the packets not yet: still the shell's screen.
    sleep(Duration::from_millis(700));
    assert_eq!(
        t.flag("alternate_on"),
        "0",
        "no packet yet, terminal untouched:\n{}",
        t.screen()
    );
    let s = t.wait("the stream live", |s| {
        s.contains("stdin (live)") && s.contains("LIVE") && s.contains("SYN+ACK")
    });
    assert!(!s.contains("live stdin"), "named once:\n{s}");
    assert_eq!(t.flag("alternate_on"), "1");
    // The writer stops: the last states stay on screen.
    let s = t.wait("the stream's end", |s| s.contains("ENDED"));
    assert!(s.contains("TIME_WAIT") && s.contains("CLOSE_WAIT"), "{s}");
    // Standard input is not kept: the layers view says its frames cannot be read again.
    t.keys(&["i"]);
    t.wait("the layers view", |s| {
        s.contains("cannot be read again: standard input is not kept")
    });
    t.keys(&["Escape"]);
    t.wait("the view closed", |s| !s.contains("layer by layer"));
    t.keys(&["q"]);
    let s = t.wait("the shell", exited);
    assert_restored(&t, &s, 0);
}

#[test]
fn a_student_opens_the_syn_layer_by_layer_in_both_languages() {
    let t = Tmux::new("layers");
    start(&t);
    // Paused at the start, one step: the SYN, the ladder's cursor on it (following).
    t.keys(&["Home"]);
    t.wait("paused at the start", |s| s.contains("seg 0"));
    t.keys(&["Right"]);
    t.wait("the SYN", |s| s.contains("SYN seq=0 win=64240"));
    t.keys(&["i"]);
    let s = t.wait("the layers view", |s| s.contains("frame 1, layer by layer"));
    for want in [
        "5 Application layer",
        "no data (a segment of control only)",
        "4 Transport layer",
        "TCP ports       51000 → 80",
        "flags           0x002 SYN",
        "SYN=1 FIN=0",
        "options         MSS 1460",
        "window scale 7 (×128)",
        "3 Network layer",
        "IPv4            192.168.1.10 → 192.168.1.20",
        "i or Esc closes",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    // The rest below: End scrolls to the bottom layers.
    t.keys(&["End"]);
    let s = t.wait("the bottom layers", |s| s.contains("1 Physical layer"));
    for want in [
        "TTL             64",
        "flags           DF 1  MF 0",
        "2 Data link layer",
        "Ethernet        02:00:00:00:00:01 → 02:00:00:00:00:02",
        "ethertype       0x0800 (IPv4)",
        "on the wire     66 bytes",
        "link type       1 (EN10MB)",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    // l: the layers' names in Chinese, the fields' names as they are.
    t.keys(&["Home", "l"]);
    let s = t.wait("Chinese", |s| s.contains("第 1 帧，逐层展开"));
    for want in ["应用层", "传输层", "网络层", "MSS 1460", "i 或 Esc 关闭"] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    t.keys(&["End"]);
    let s = t.wait("the bottom in Chinese", |s| s.contains("物理层"));
    assert!(s.contains("数据链路层"), "{s}");
    // Esc closes it; the ladder is back, still in Chinese, still paused on the SYN.
    t.keys(&["Escape"]);
    let s = t.wait("the view closed", |s| !s.contains("逐层展开"));
    assert!(s.contains("SYN seq=0 win=64240"), "{s}");
    assert!(s.contains("退出"), "{s}");
    t.keys(&["q"]);
    let s = t.wait("the shell", exited);
    assert_restored(&t, &s, 0);
}
