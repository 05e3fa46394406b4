//! Inputs that once broke synack, found by the mutation test (tests/mutation.rs) or the
//! fuzzers (fuzz/): each stays read cleanly. The inputs are generated fixtures
//! (`src/gen/scenarios/hostile.rs`, described in fixtures/README.md), run in-process, through
//! the binary, and through the fuzz harness that would have caught them.

mod common;

use synack::testkit::fuzz;

#[test]
fn pcapng_times_past_2262_are_clamped_not_a_panic() {
    // The last five frames' 64-bit times overflowed an i64 of nanoseconds on the capture
    // thread; they are now the latest time kept, so the connection still closes as written.
    let path = common::fixture("far-future.pcapng");
    let lines = common::json_lines(&path, &["--no-events"]);
    let conns = common::connections(&lines);
    assert_eq!(conns.len(), 1);
    let c = conns[0];
    assert_eq!(c["first_seen"], "2024-03-01T10:00:00.000000Z");
    assert_eq!(c["last_seen"], "2116-02-20T23:53:38.427387Z");
    assert_eq!(
        (c["packets"].as_u64(), c["teardown"].as_str()),
        (Some(13), Some("fin"))
    );
    assert_eq!(common::summary(&lines)["packets"], 13);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synack"))
        .args([path.as_str(), "--text"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());

    fuzz::read_capture(&std::fs::read(&path).unwrap());
}
