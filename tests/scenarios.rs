//! What each generated scenario must show, checked on the JSON output: final states of both
//! ends, handshake and teardown, the transitions and the marks on the right segments.

mod common;

use serde_json::Value;

fn conns(fixture: &str) -> Vec<Value> {
    let lines = common::json_lines(&common::fixture(fixture), &[]);
    common::connections(&lines).into_iter().cloned().collect()
}

fn one(fixture: &str) -> Value {
    let c = conns(fixture);
    assert_eq!(c.len(), 1, "{fixture}: one connection expected");
    c.into_iter().next().unwrap()
}

fn states(c: &Value) -> (String, String) {
    (
        c["client_state"].as_str().unwrap().to_string(),
        c["server_state"].as_str().unwrap().to_string(),
    )
}

/// The sequence of (flags, client_state, server_state) of a connection's events.
fn ladder(c: &Value) -> Vec<(String, String, String)> {
    c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["flags"].as_str().unwrap().to_string(),
                e["client_state"].as_str().unwrap().to_string(),
                e["server_state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn l(f: &str, c: &str, s: &str) -> (String, String, String) {
    (f.into(), c.into(), s.into())
}

fn marked(c: &Value, mark: &str) -> Vec<String> {
    c["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["marks"].as_array().unwrap().iter().any(|m| m == mark))
        .map(|e| e["flags"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn textbook_connection_goes_through_every_state_in_order() {
    let c = one("handshake-close.pcap");
    let lad = ladder(&c);
    assert_eq!(lad[0], l("SYN", "SYN_SENT", "LISTEN"));
    assert_eq!(lad[1], l("SYN+ACK", "ESTABLISHED", "SYN_RECEIVED"));
    assert_eq!(lad[2], l("ACK", "ESTABLISHED", "ESTABLISHED"));
    let tail = &lad[lad.len() - 4..];
    assert_eq!(tail[0], l("FIN+ACK", "FIN_WAIT_1", "CLOSE_WAIT"));
    assert_eq!(tail[1], l("ACK", "FIN_WAIT_2", "CLOSE_WAIT"));
    assert_eq!(tail[2], l("FIN+ACK", "TIME_WAIT", "LAST_ACK"));
    assert_eq!(tail[3], l("ACK", "TIME_WAIT", "CLOSED"));
    assert_eq!(c["handshake"], "complete");
    assert_eq!(c["teardown"], "fin");
    assert_eq!(c["mid_stream"], false);
    assert_eq!(c["client"], "10.0.0.1:40001");
    assert_eq!(c["server"], "10.0.0.2:80");
    assert_eq!(c["packets"], 13);
    assert_eq!(c["bytes"], 120 + 1460 + 1460 + 800);
    // Relative numbers: the SYN is 0, the first data byte 1.
    assert_eq!(c["events"][0]["seq"], 0);
    assert_eq!(c["events"][2]["ack"], 1);
    // A SYN's acknowledgment field means nothing: 0, not 0 minus the server's ISN.
    assert_eq!(c["events"][0]["ack"], 0);
    assert_eq!(c["events"][1]["ack"], 1);
    assert_eq!(c["client_options"]["mss"], 1460);
    assert_eq!(c["client_options"]["wscale"], 7);
}

#[test]
fn absolute_numbers_on_request() {
    let lines = common::json_lines(&common::fixture("handshake-close.pcap"), &["--absolute"]);
    let c = common::connections(&lines)[0];
    assert_eq!(c["events"][0]["seq"], 1_000_000 + 12345);
    assert_eq!(c["events"][1]["ack"], 1_000_000 + 12345 + 1);
}

#[test]
fn server_closing_first_holds_time_wait() {
    let c = one("server-closes-first.pcap");
    assert_eq!(states(&c), ("CLOSED".into(), "TIME_WAIT".into()));
    assert!(ladder(&c).contains(&l("FIN+ACK", "CLOSE_WAIT", "FIN_WAIT_1")));
    assert!(ladder(&c).contains(&l("FIN+ACK", "LAST_ACK", "TIME_WAIT")));
}

#[test]
fn fin_ack_of_our_fin_moves_fin_wait_1_straight_to_time_wait() {
    let c = one("fin-ack-combined.pcap");
    let lad = ladder(&c);
    let i = lad
        .iter()
        .position(|x| x.0 == "FIN+ACK" && x.2 == "LAST_ACK")
        .unwrap();
    assert_eq!(lad[i - 1], l("FIN+ACK", "FIN_WAIT_1", "CLOSE_WAIT"));
    assert_eq!(lad[i], l("FIN+ACK", "TIME_WAIT", "LAST_ACK"));
    assert!(!lad.iter().any(|x| x.1 == "FIN_WAIT_2"));
}

#[test]
fn simultaneous_open_passes_through_syn_received_on_both_ends() {
    let c = one("simultaneous-open.pcap");
    let lad = ladder(&c);
    // Neither end listened: both CLOSED -> SYN_SENT -> SYN_RECEIVED -> ESTABLISHED.
    assert_eq!(lad[0], l("SYN", "SYN_SENT", "SYN_SENT"));
    assert_eq!(lad[1], l("SYN", "SYN_RECEIVED", "SYN_RECEIVED"));
    assert_eq!(lad[2], l("SYN+ACK", "SYN_RECEIVED", "ESTABLISHED"));
    assert_eq!(lad[3], l("SYN+ACK", "ESTABLISHED", "ESTABLISHED"));
    assert_eq!(c["handshake"], "complete");
    assert!(marked(&c, "retransmission").is_empty());
}

#[test]
fn simultaneous_close_goes_through_closing_on_both_ends() {
    let c = one("simultaneous-close.pcap");
    let lad = ladder(&c);
    assert!(lad.contains(&l("FIN+ACK", "CLOSING", "CLOSING")));
    assert_eq!(states(&c), ("TIME_WAIT".into(), "TIME_WAIT".into()));
}

#[test]
fn half_close_carries_data_from_close_wait() {
    let c = one("half-close.pcap");
    let evs = c["events"].as_array().unwrap();
    let data_in_close_wait: u64 = evs
        .iter()
        .filter(|e| e["dir"] == "s2c" && e["server_state"] == "CLOSE_WAIT")
        .map(|e| e["len"].as_u64().unwrap())
        .sum();
    assert_eq!(data_in_close_wait, 3000);
    assert_eq!(c["server_bytes"], 3000);
    assert_eq!(states(&c), ("TIME_WAIT".into(), "CLOSED".into()));
}

#[test]
fn refused_syn_is_answered_by_rst_ack() {
    let c = one("refused.pcap");
    assert_eq!(ladder(&c)[1], l("RST+ACK", "CLOSED", "CLOSED"));
    assert_eq!(c["rst_by"], "server");
    assert_eq!(c["teardown"], "rst");
    assert_eq!(c["handshake"], "partial");
}

#[test]
fn rst_in_each_state() {
    let cs = conns("rst-states.pcap");
    assert_eq!(cs.len(), 6);
    let before_rst: Vec<(String, String)> = cs
        .iter()
        .map(|c| {
            let lad = ladder(c);
            let i = lad.iter().position(|x| x.0.starts_with("RST")).unwrap();
            (lad[i - 1].1.clone(), lad[i - 1].2.clone())
        })
        .collect();
    let want = [
        ("ESTABLISHED", "SYN_RECEIVED"),
        ("ESTABLISHED", "ESTABLISHED"),
        ("FIN_WAIT_1", "CLOSE_WAIT"),
        ("FIN_WAIT_2", "CLOSE_WAIT"),
        ("TIME_WAIT", "LAST_ACK"),
        ("CLOSING", "CLOSING"),
    ];
    for (got, want) in before_rst.iter().zip(want) {
        assert_eq!((got.0.as_str(), got.1.as_str()), want);
    }
    // A reset SYN_RECEIVED returns the listener to LISTEN (RFC 9293 3.10.7.4).
    assert_eq!(states(&cs[0]), ("CLOSED".into(), "LISTEN".into()));
    for c in &cs[1..] {
        assert_eq!(states(c), ("CLOSED".into(), "CLOSED".into()));
    }
}

#[test]
fn retransmissions_of_syn_synack_data_and_fin_are_marked() {
    let c = one("retransmissions.pcap");
    assert_eq!(
        marked(&c, "retransmission"),
        vec!["SYN", "SYN+ACK", "PSH+ACK", "FIN+ACK"]
    );
    assert_eq!(c["marks"]["retransmission"], 4);
    assert_eq!(c["handshake"], "complete");
    assert_eq!(states(&c), ("TIME_WAIT".into(), "CLOSED".into()));
}

#[test]
fn unanswered_syn_stays_syn_sent_with_backoff() {
    let c = one("syn-unanswered.pcap");
    let times: Vec<f64> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["t"].as_f64().unwrap())
        .collect();
    assert_eq!(times, vec![0.0, 1.0, 3.0, 7.0]);
    assert_eq!(marked(&c, "retransmission").len(), 3);
    assert_eq!(states(&c), ("SYN_SENT".into(), "LISTEN".into()));
}

#[test]
fn missing_segments_are_inferred_and_marked() {
    let c = one("missing-segments.pcap");
    let lad = ladder(&c);
    // The SYN+ACK was not captured: the client's ACK shows both ends got past it.
    assert_eq!(lad[1], l("ACK", "ESTABLISHED", "ESTABLISHED"));
    assert_eq!(marked(&c, "inferred"), vec!["ACK"]);
    assert_eq!(marked(&c, "prev_missing"), vec!["PSH+ACK"]);
    // The server's ACK covers the client segment the capture missed (the gap, not the end).
    assert_eq!(marked(&c, "acked_unseen"), vec!["ACK"]);
    assert_eq!(c["handshake"], "partial");
    assert_eq!(c["teardown"], "fin");
}

#[test]
fn out_of_order_segment_is_not_a_retransmission() {
    let c = one("out-of-order.pcap");
    assert_eq!(marked(&c, "out_of_order").len(), 1);
    assert!(marked(&c, "retransmission").is_empty());
    assert_eq!(marked(&c, "prev_missing").len(), 1);
}

#[test]
fn wraparound_keeps_relative_numbers_and_fin_ack_right() {
    let c = one("wraparound.pcap");
    assert!(marked(&c, "retransmission").is_empty());
    assert!(marked(&c, "out_of_order").is_empty());
    let fin = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["flags"] == "FIN+ACK" && e["dir"] == "c2s")
        .unwrap();
    assert_eq!(fin["seq"], 181);
    assert_eq!(states(&c), ("TIME_WAIT".into(), "CLOSED".into()));
}

#[test]
fn port_reuse_makes_new_connections_and_keeps_the_old() {
    let cs = conns("port-reuse.pcap");
    assert_eq!(cs.len(), 3);
    assert_eq!(states(&cs[0]), ("TIME_WAIT".into(), "CLOSED".into()));
    assert_eq!(cs[1]["reuses"], cs[0]["id"]);
    assert_eq!(cs[1]["handshake"], "complete");
    assert_eq!(cs[1]["teardown"], "rst");
    assert_eq!(cs[2]["reuses"], cs[1]["id"]);
    assert_eq!(cs[2]["handshake"], "partial");
    for c in &cs {
        assert_eq!(c["client"], "10.0.0.1:40040");
    }
    let lines = common::json_lines(&common::fixture("port-reuse.pcap"), &[]);
    assert_eq!(common::summary(&lines)["port_reuses"], 2);
}

#[test]
fn time_wait_expires_after_two_msl_of_capture_time_and_msl_is_configurable() {
    let cs = conns("time-wait-expiry.pcap");
    assert_eq!(states(&cs[0]), ("CLOSED".into(), "CLOSED".into()));
    let last = cs[0]["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "time_wait_expired");
    assert!(last["marks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == "inferred"));
    assert!((last["t"].as_f64().unwrap() - 60.1072).abs() < 1e-6);
    // With a 2*MSL of 240 s the second connection (61 s later) finds it still in TIME_WAIT.
    let lines = common::json_lines(&common::fixture("time-wait-expiry.pcap"), &["--msl", "120"]);
    let c = common::connections(&lines)[0];
    assert_eq!(c["client_state"], "TIME_WAIT");
}

#[test]
fn mid_stream_join_infers_roles_from_ports() {
    let c = one("mid-stream.pcap");
    assert_eq!(c["mid_stream"], true);
    assert_eq!(c["server"], "10.0.0.2:22");
    assert_eq!(c["handshake"], "none");
    assert_eq!(ladder(&c)[0].1, "ESTABLISHED");
    // The client (port 51234) closed first here.
    assert_eq!(states(&c), ("TIME_WAIT".into(), "CLOSED".into()));
}

#[test]
fn dup_acks_fast_retransmit_and_zero_window_are_marked() {
    let c = one("dupack-zero-window.pcap");
    assert_eq!(marked(&c, "dup_ack").len(), 2);
    assert_eq!(marked(&c, "zero_window").len(), 2);
    assert_eq!(marked(&c, "retransmission"), vec!["PSH+ACK"]);
    assert_eq!(marked(&c, "prev_missing").len(), 1);
}

#[test]
fn link_layers_and_formats_all_give_the_textbook_connection() {
    let reference = one("handshake-close.pcap");
    for f in [
        "vlan.pcap",
        "vlan-qinq.pcap",
        "sll.pcap",
        "sll2.pcap",
        "raw-ip.pcap",
        "raw-ipv4.pcap",
        "null-le.pcap",
        "null-be.pcap",
        "big-endian.pcap",
        "snaplen-64.pcap",
    ] {
        let c = one(f);
        assert_eq!(ladder(&c), ladder(&reference), "{f}");
        assert_eq!(
            c["bytes"], reference["bytes"],
            "{f}: payload length from the IP header"
        );
        assert_eq!(c["first_seen"], reference["first_seen"], "{f}");
    }
    let v6 = one("ipv6-ext.pcap");
    assert_eq!(ladder(&v6), ladder(&reference));
    assert_eq!(v6["server"], "[2001:db8::2]:443");
}

#[test]
fn nanosecond_timestamps_are_kept() {
    let c = one("nanosecond.pcap");
    let t: Vec<f64> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["t"].as_f64().unwrap())
        .collect();
    // 250 ns then 125 ns: JSON keeps microseconds, the text output nanoseconds are exact.
    assert_eq!(c["first_seen"], "2024-03-01T10:00:00.000000Z");
    assert!(t[1] < 1e-6 && t[1] > 0.0 || t[1] == 0.0);
    let (text, _) = common::run_batch(
        &common::fixture("nanosecond.pcap"),
        synack::output::Format::Text,
        &[],
    );
    assert!(
        text.contains("duration 0.000002084 s") || text.contains("duration 0.000002 s"),
        "{text}"
    );
}

#[test]
fn pcapng_with_three_link_types_reads_every_interface() {
    let cs = conns("multi-link.pcapng");
    assert_eq!(cs.len(), 3);
    for c in &cs {
        assert_eq!(c["handshake"], "complete");
        assert_eq!(c["teardown"], "fin");
    }
    // The raw-IP interface uses nanosecond resolution: its start is still exact.
    assert_eq!(cs[2]["first_seen"], "2024-03-01T10:00:01.000000Z");
}

#[test]
fn malformed_frames_are_counted_by_reason_and_reading_goes_on() {
    let lines = common::json_lines(&common::fixture("malformed.pcap"), &[]);
    let s = common::summary(&lines);
    assert_eq!(s["packets"], 9);
    assert_eq!(s["tcp"], 3);
    assert_eq!(s["non_tcp"], 2);
    assert_eq!(s["malformed"]["total"], 4);
    let by = &s["malformed"]["by_reason"];
    assert_eq!(by["link_header_truncated"], 1);
    assert_eq!(by["tcp_header_truncated"], 1);
    assert_eq!(by["ip_header_invalid"], 1);
    assert_eq!(by["tcp_bad_data_offset"], 1);
    assert_eq!(common::connections(&lines)[0]["handshake"], "complete");
}

#[test]
fn demo_tells_the_lecture_story() {
    let cs = conns("demo.pcap");
    let got: Vec<(String, String, String)> = cs
        .iter()
        .map(|c| {
            (
                c["client_state"].as_str().unwrap().into(),
                c["server_state"].as_str().unwrap().into(),
                c["teardown"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            l("TIME_WAIT", "CLOSED", "fin"),
            l("CLOSED", "CLOSED", "rst"),
            l("CLOSED", "CLOSED", "rst"),
            l("FIN_WAIT_2", "CLOSE_WAIT", "half"),
            l("SYN_SENT", "LISTEN", "none"),
            l("TIME_WAIT", "TIME_WAIT", "fin"),
        ]
    );
}

#[test]
fn json_schema_every_connection_has_the_documented_fields() {
    let allowed_states = [
        "CLOSED",
        "LISTEN",
        "SYN_SENT",
        "SYN_RECEIVED",
        "ESTABLISHED",
        "FIN_WAIT_1",
        "FIN_WAIT_2",
        "CLOSE_WAIT",
        "CLOSING",
        "LAST_ACK",
        "TIME_WAIT",
    ];
    for f in [
        "demo.pcap",
        "rst-states.pcap",
        "ipv6-ext.pcap",
        "mid-stream.pcap",
    ] {
        let lines = common::json_lines(&common::fixture(f), &[]);
        for c in common::connections(&lines) {
            for k in ["id", "packets", "bytes"] {
                assert!(c[k].is_u64(), "{f}: {k}");
            }
            for k in ["client", "server", "first_seen", "last_seen"] {
                assert!(c[k].is_string(), "{f}: {k}");
            }
            assert!(
                chrono::DateTime::parse_from_rfc3339(c["first_seen"].as_str().unwrap()).is_ok()
            );
            assert!(allowed_states.contains(&c["client_state"].as_str().unwrap()));
            assert!(allowed_states.contains(&c["server_state"].as_str().unwrap()));
            assert!(["complete", "partial", "none"].contains(&c["handshake"].as_str().unwrap()));
            assert!(["fin", "rst", "half", "none"].contains(&c["teardown"].as_str().unwrap()));
            assert!(c["mid_stream"].is_boolean());
            for e in c["events"].as_array().unwrap() {
                assert!(["c2s", "s2c"].contains(&e["dir"].as_str().unwrap()));
                assert!(e["t"].as_f64().unwrap() >= 0.0);
                for k in ["seq", "ack", "len"] {
                    assert!(e[k].is_u64(), "{f}: event {k}");
                }
                assert!(allowed_states.contains(&e["client_state"].as_str().unwrap()));
                assert!(e["marks"].is_array());
            }
        }
        let s = common::summary(&lines);
        for k in ["packets", "tcp", "non_tcp", "connections"] {
            assert!(s[k].is_u64(), "{f}: summary {k}");
        }
        assert!(s["states"]["client"].is_object());
    }
}

#[test]
fn no_events_leaves_out_events() {
    let lines = common::json_lines(&common::fixture("demo.pcap"), &["--no-events"]);
    for c in common::connections(&lines) {
        assert!(c.get("events").is_none());
        assert!(c["client_state"].is_string());
    }
}

#[test]
fn split_handshakes_are_one_connection_each_with_a_complete_handshake() {
    let cs = conns("split-handshake.pcap");
    assert_eq!(cs.len(), 2, "one connection per split handshake");
    for c in &cs {
        assert_eq!(c["handshake"], "complete", "{}", c["id"]);
        assert_eq!(c["reuses"], Value::Null);
        let lad = ladder(c);
        assert!(
            lad.contains(&l("SYN", "SYN_RECEIVED", "SYN_RECEIVED")),
            "{lad:?}"
        );
        assert!(
            lad.contains(&l("SYN+ACK", "SYN_RECEIVED", "ESTABLISHED")),
            "{lad:?}"
        );
        assert!(marked(c, "dup_ack").is_empty());
    }
    // The 5-segment form's bare ACK: dropped by the client in SYN_SENT (RFC 9293 3.10.7.3),
    // it moves no end and its sequence number is not the server's ISN (its SYN's is).
    let five = &cs[1];
    assert_eq!(ladder(five)[1], l("ACK", "SYN_SENT", "SYN_SENT"));
    assert_eq!(five["server_options"]["isn"], 3_000_000 * 22 + 777);
    assert_eq!(marked(five, "inferred"), Vec::<String>::new());
    // Nor does it count in the server's sequence space: its FIN later is its first, not a
    // retransmission below what it had sent, and the close completes on both ends.
    for c in &cs {
        assert!(marked(c, "retransmission").is_empty(), "{}", c["id"]);
        assert!(marked(c, "unexpected").len() <= 1, "{}", c["id"]);
        assert_eq!(
            (c["client_state"].as_str(), c["server_state"].as_str()),
            (Some("TIME_WAIT"), Some("CLOSED")),
            "{}",
            c["id"]
        );
    }
}

#[test]
fn a_new_isn_after_a_reset_is_a_new_connection_and_old_or_odd_syns_revive_nothing() {
    let cs = conns("reuse-after-rst.pcap");
    assert_eq!(cs.len(), 2, "the reset connection, then the new one");
    let (old, new) = (&cs[0], &cs[1]);
    assert_eq!(states(old), ("CLOSED".into(), "CLOSED".into()));
    let lad = ladder(old);
    // The old SYN again and the SYN+FIN+URG: both ends stay CLOSED.
    assert_eq!(lad[6], l("SYN", "CLOSED", "CLOSED"));
    assert_eq!(lad[7], l("SYN+FIN+URG", "CLOSED", "CLOSED"));
    assert_eq!(marked(old, "unexpected"), ["SYN+FIN+URG"]);
    // Never re-based: the old SYN copy is still at relative 0, the RST at 31.
    let evs = old["events"].as_array().unwrap();
    assert_eq!(
        (evs[5]["seq"].as_u64(), evs[6]["seq"].as_u64()),
        (Some(31), Some(0))
    );
    assert_eq!(old["client_options"]["isn"], 1_000_000 * 23 + 12345);
    assert_eq!(new["reuses"], old["id"]);
    assert_eq!(new["handshake"], "complete");
    assert_eq!(new["teardown"], "rst");
    assert_eq!(new["rst_by"], "server");
    assert!(marked(new, "rst_ignored").is_empty());
    assert_eq!(states(new), ("CLOSED".into(), "CLOSED".into()));
}

#[test]
fn of_two_synacks_on_different_isns_the_one_the_client_acknowledges_is_the_servers_isn() {
    let c = one("two-synacks.pcap");
    assert_eq!(c["server_options"]["isn"], 2_000_000_000u64);
    assert_eq!(c["handshake"], "complete");
    for m in ["prev_missing", "acked_unseen"] {
        assert!(marked(&c, m).is_empty(), "{m}: {:?}", marked(&c, m));
    }
    // Only the late copy of the SYN+ACK the client did not take is unexpected.
    assert_eq!(marked(&c, "unexpected"), ["SYN+ACK"]);
    let evs = c["events"].as_array().unwrap();
    let server_data = evs
        .iter()
        .find(|e| e["dir"] == "s2c" && e["len"].as_u64() > Some(0))
        .unwrap();
    assert_eq!(
        server_data["seq"], 1,
        "server data relative to the ISN acknowledged"
    );
}
