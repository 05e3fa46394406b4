//! The binary as a user runs it: inputs, filters, errors and exit codes.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn synack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_shows_examples() {
    let o = synack(&["--help"]);
    assert!(o.status.success());
    let s = stdout(&o);
    assert!(s.contains("Examples:"), "{s}");
    assert!(s.contains("synack trace.pcap --text"));
    assert!(s.contains("--json"));
}

#[test]
fn file_can_be_given_with_r_like_tcpdump() {
    let a = synack(&[&common::fixture("refused.pcap"), "--json"]);
    let b = synack(&["-r", &common::fixture("refused.pcap"), "--json"]);
    assert!(a.status.success() && b.status.success());
    assert_eq!(stdout(&a), stdout(&b));
    assert!(stdout(&a).contains("\"client_state\":\"CLOSED\""));
}

#[test]
fn standard_input_is_read_with_dash() {
    let bytes = std::fs::read(common::fixture("handshake-close.pcap")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let want = stdout(&synack(&[
        &common::fixture("handshake-close.pcap"),
        "--json",
    ]));
    assert_eq!(stdout(&o), want);
}

#[test]
fn gzip_compressed_captures_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("t.pcap.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(common::fixture("demo.pcap")).unwrap())
        .unwrap();
    enc.finish().unwrap();
    let o = synack(&[gz.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = stdout(&synack(&[&common::fixture("demo.pcap"), "--json"]));
    assert_eq!(stdout(&o), want);
}

#[test]
fn filters_bpf_port_and_host_select_connections() {
    let demo = common::fixture("demo.pcap");
    let count = |extra: &[&str]| -> usize {
        let mut a = vec![demo.as_str(), "--json"];
        a.extend_from_slice(extra);
        let o = synack(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
            .lines()
            .filter(|l| l.contains("\"type\":\"connection\""))
            .count()
    };
    assert_eq!(count(&[]), 6);
    assert_eq!(count(&["--port", "80"]), 1);
    assert_eq!(count(&["--port", "80", "--port", "81"]), 2);
    assert_eq!(count(&["-f", "tcp port 8080"]), 1);
    assert_eq!(count(&["--host", "192.168.1.99"]), 1);
    assert_eq!(count(&["--host", "10.9.9.9"]), 0);
}

#[test]
fn bad_filter_is_one_clear_line() {
    let o = synack(&[
        &common::fixture("demo.pcap"),
        "--text",
        "-f",
        "tcp port banana",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.starts_with("synack: invalid filter \"tcp port banana\""),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1);
}

#[test]
fn missing_unreadable_and_non_capture_files_fail_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.pcap");
    std::fs::write(&text, "hello, this is not a capture").unwrap();
    let empty = dir.path().join("empty.pcap");
    std::fs::write(&empty, "").unwrap();
    for (path, want) in [
        (
            "/nonexistent/x.pcap".to_string(),
            "No such file or directory",
        ),
        (text.to_string_lossy().into_owned(), "not a capture file"),
        (empty.to_string_lossy().into_owned(), "empty file"),
        (dir.path().to_string_lossy().into_owned(), "is a directory"),
    ] {
        let o = synack(&[&path, "--text"]);
        assert_eq!(o.status.code(), Some(2), "{path}");
        let e = stderr(&o);
        assert_eq!(e.lines().count(), 1, "{path}: {e}");
        assert_eq!(e.matches(want).count(), 1, "said once: {path}: {e}");
        assert!(!e.contains("panicked"));
    }
}

#[test]
fn truncated_file_prints_what_was_read_then_warns_and_fails() {
    let o = synack(&[&common::fixture("truncated-file.pcap"), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(summary["packets"], 5);
    assert!(summary["warning"].as_str().unwrap().contains("truncated"));
    let e = stderr(&o);
    assert!(e.starts_with("synack: warning: "), "{e}");
    assert!(e.contains("truncated"));
}

#[test]
fn unknown_link_type_is_counted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("lt160.pcap");
    // A pcap header with link type 160 and one 4-byte record.
    let mut b = Vec::new();
    b.extend_from_slice(&0xa1b2c3d4u32.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&65535u32.to_le_bytes());
    b.extend_from_slice(&160u32.to_le_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&4u32.to_le_bytes());
    b.extend_from_slice(&4u32.to_le_bytes());
    b.extend_from_slice(&[1, 2, 3, 4]);
    std::fs::write(&p, b).unwrap();
    let o = synack(&[p.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: serde_json::Value = serde_json::from_str(stdout(&o).lines().last().unwrap()).unwrap();
    assert_eq!(s["skipped"]["by_link_type"]["160"], 1);
    let t = stdout(&synack(&[p.to_str().unwrap(), "--text"]));
    assert!(t.contains("skipped link type 160: 1"), "{t}");
}

#[test]
fn stdout_not_a_terminal_gives_text_without_a_flag() {
    let o = synack(&[&common::fixture("refused.pcap")]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Connection #1"));
}

#[test]
fn closed_pipe_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args([&common::fixture("demo.pcap"), "--text"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn snaplen_cut_capture_reads_the_same_from_a_file_stdin_and_gzip() {
    // A file whose header says snaplen 64, as `tcpdump -s 64 -w` writes: every record is
    // longer on the wire than in the file.
    let mut b = std::fs::read(common::fixture("snaplen-64.pcap")).unwrap();
    b[16..20].copy_from_slice(&64u32.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("s64.pcap");
    std::fs::write(&plain, &b).unwrap();
    let gz = dir.path().join("s64.pcap.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&b).unwrap();
    enc.finish().unwrap();
    let want = synack(&[plain.to_str().unwrap(), "--json"]);
    assert!(want.status.success(), "{}", stderr(&want));
    assert!(
        stdout(&want).contains("\"bytes\":3840"),
        "{}",
        stdout(&want)
    );
    let from_gz = synack(&[gz.to_str().unwrap(), "--json"]);
    assert!(from_gz.status.success(), "{}", stderr(&from_gz));
    assert_eq!(stdout(&from_gz), stdout(&want));
    let mut child = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&b).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&want));
}

#[test]
fn no_capture_and_output_redirected_prints_the_built_in_demo() {
    let o = synack(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.matches("Connection #").count(), 6, "{text}");
    assert!(text.contains("192.168.1.10:51003 -> 192.168.1.20:5432"));
    let d = synack(&["--diagnose"]);
    assert_eq!(d.status.code(), Some(1), "the demo has problems to find");
    assert!(stdout(&d).starts_with("synack diagnosis of built-in demo:"));
}

/// A reader that stops after one line while synack is still reading a capture larger than
/// its pipeline's buffers: the writer thread's error ends the run with a success status, no
/// panic and no message from any of the three threads (a send on a closed channel must not
/// be unwrapped), and the line the reader got is whole.
#[test]
fn closed_pipe_mid_capture_exits_quietly() {
    use std::io::{BufRead, BufReader};
    use synack::gen::bulk::{write_bulk, BulkConfig};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.pcap");
    let cfg = BulkConfig {
        packets: 300_000,
        connections: 30_000,
        ..BulkConfig::default()
    };
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write_bulk(&cfg, &mut f).unwrap();
    drop(f);
    let mut child = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args([path.to_str().unwrap(), "--json", "--no-progress"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The pipe is closed here (the reader is dropped).
    let o = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_str(&first).expect("a whole JSON line");
    assert_eq!(v["type"], "connection");
    assert!(v["id"].as_u64().is_some_and(|id| id >= 1), "{first}");
    assert!(o.status.success(), "exit {:?}: {}", o.status, stderr(&o));
    assert_eq!(stderr(&o), "", "a closed pipe is not worth a message");
}

#[test]
fn thread_stats_name_each_stage_only_when_asked() {
    let run = |stats: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_synack"));
        cmd.args([&common::fixture("demo.pcap"), "--json"]);
        if stats {
            cmd.env("SYNACK_THREAD_STATS", "1");
        } else {
            cmd.env_remove("SYNACK_THREAD_STATS");
        }
        cmd.stdin(Stdio::null()).output().unwrap()
    };
    let (with, without) = (run(true), run(false));
    assert!(with.status.success() && without.status.success());
    assert_eq!(with.stdout, without.stdout);
    for stage in ["read", "track", "write"] {
        let line = stderr(&with)
            .lines()
            .find(|l| l.starts_with(&format!("synack: {stage} thread: ")))
            .map(String::from)
            .unwrap_or_else(|| panic!("no {stage} line in {:?}", stderr(&with)));
        assert!(line.contains(" s CPU, done "), "{line}");
    }
    assert!(
        !stderr(&without).contains("thread:"),
        "{}",
        stderr(&without)
    );
}

/// A pcapng of `multi-link.pcapng` with its section header's major version set to `major`.
fn pcapng_version(major: u16) -> tempfile::NamedTempFile {
    let mut bytes = std::fs::read(common::fixture("multi-link.pcapng")).unwrap();
    // Little-endian: block type, length, byte-order magic, then the major version.
    bytes[12..14].copy_from_slice(&major.to_le_bytes());
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(&bytes).unwrap();
    f
}

#[test]
fn a_pcapng_section_of_an_unknown_version_is_a_clean_error() {
    let f = pcapng_version(2);
    let o = synack(&[f.path().to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("pcapng: unsupported version 2.0"), "{err}");
    // Version 1 (as written) reads.
    assert!(
        synack(&[pcapng_version(1).path().to_str().unwrap(), "--json"])
            .status
            .success()
    );
}

/// A reader that went away before anything was written (`| head -c 10` after its bytes):
/// each command that prints and exits stops quietly, exit 0, no panic.
#[test]
fn a_closed_pipe_on_standard_output_is_no_panic() {
    for args in [
        &["--completions", "bash"][..],
        &["--completions", "zsh"],
        &["--man"],
        &["--lab", "list"],
        &["--lesson", "list"],
        &["--text", "fixtures/demo.pcap"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_synack"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

/// `--text --diagnose` printed the diagnosis alone, the ladders silently dropped: an error
/// that says so.
#[test]
fn text_and_diagnose_together_is_an_error_not_a_silent_choice() {
    let o = synack(&["--text", "--diagnose", "fixtures/demo.pcap"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("'--text' cannot be used with '--diagnose'"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}
