//! Golden `--text` output for every fixture: the ladder diagrams a user reads. A change in
//! output shows up as a diff here; after checking it by eye, refresh with
//! `UPDATE_GOLDEN=1 cargo test --test golden`.

mod common;

use synack::output::Format;

fn check(name: &str) {
    check_with(name, name, &[]);
}

/// The golden file `tests/golden/{golden}.txt` for `synack fixtures/{name} --text {args}`.
fn check_with(name: &str, golden: &str, args: &[&str]) {
    let (out, err) = common::run_batch(&common::fixture(name), Format::Text, args);
    // Paths differ between machines (and clones): keep them relative to the repository.
    let mut got = out.replace(&common::fixture(""), "fixtures/");
    if let Some(e) = err {
        got.push_str(&format!(
            "error: {}\n",
            e.replace(&common::fixture(""), "fixtures/")
        ));
    }
    common::golden(name, golden, &got);
}

macro_rules! golden {
    ($($test:ident => $file:expr),* $(,)?) => {
        $(#[test] fn $test() { check($file); })*
    };
}

golden! {
    handshake_close => "handshake-close.pcap",
    server_closes_first => "server-closes-first.pcap",
    fin_ack_combined => "fin-ack-combined.pcap",
    simultaneous_open => "simultaneous-open.pcap",
    simultaneous_close => "simultaneous-close.pcap",
    half_close => "half-close.pcap",
    refused => "refused.pcap",
    rst_states => "rst-states.pcap",
    retransmissions => "retransmissions.pcap",
    syn_unanswered => "syn-unanswered.pcap",
    missing_segments => "missing-segments.pcap",
    out_of_order => "out-of-order.pcap",
    wraparound => "wraparound.pcap",
    port_reuse => "port-reuse.pcap",
    time_wait_expiry => "time-wait-expiry.pcap",
    mid_stream => "mid-stream.pcap",
    dupack_zero_window => "dupack-zero-window.pcap",
    demo => "demo.pcap",
    ipv6_ext => "ipv6-ext.pcap",
    multi_link => "multi-link.pcapng",
    malformed => "malformed.pcap",
    snaplen_64 => "snaplen-64.pcap",
    truncated_file => "truncated-file.pcap",
    nanosecond => "nanosecond.pcap",
    bulk_transfer => "bulk-transfer.pcap",
    tunnels => "tunnels.pcap",
    fragments => "fragments.pcap",
    app_web => "app-web.pcap",
    app_text => "app-text.pcap",
    app_hostile => "app-hostile.pcap",
    udp_dns => "udp-dns.pcap",
}

#[test]
fn bulk_transfer_past_the_event_cap() {
    // The segments not kept are one row where they fell, between the first data and the
    // teardown (with their count, directions and bytes).
    check_with(
        "bulk-transfer.pcap",
        "bulk-transfer.pcap.max-events-16",
        &["--max-events", "16"],
    );
}
