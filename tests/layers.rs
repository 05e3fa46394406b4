//! Below TCP: connections carried in tunnels and segments cut into IP fragments
//! (`fixtures/tunnels.pcap`, `fixtures/fragments.pcap`) come out as the inner connections,
//! with their bytes, and every frame's fate is counted.

mod common;

use serde_json::Value;

fn run(fixture: &str, extra: &[&str]) -> (Vec<Value>, Value) {
    let lines = common::json_lines(&common::fixture(fixture), extra);
    let conns = common::connections(&lines).into_iter().cloned().collect();
    (conns, common::summary(&lines).clone())
}

/// Each connection as (client, handshake, teardown, client bytes, server bytes).
fn shape(c: &Value) -> (String, String, String, u64, u64) {
    (
        c["client"].as_str().unwrap().to_string(),
        c["handshake"].as_str().unwrap().to_string(),
        c["teardown"].as_str().unwrap().to_string(),
        c["client_bytes"].as_u64().unwrap(),
        c["server_bytes"].as_u64().unwrap(),
    )
}

#[test]
fn every_tunnel_gives_exactly_its_inner_connection() {
    let (conns, summary) = run("tunnels.pcap", &[]);
    // 15 followed; VXLAN on 8472 and the five-deep one are not.
    assert_eq!(conns.len(), 15);
    let v6 = [2, 5, 9, 11, 12, 14];
    for (i, c) in conns.iter().enumerate() {
        let n = i + 1;
        let client = if v6.contains(&n) {
            format!("[2001:db8::1]:{}", 40000 + n)
        } else {
            format!("10.0.0.1:{}", 40000 + n)
        };
        assert_eq!(
            shape(c),
            (client, "complete".into(), "fin".into(), 100, 300),
            "connection {n}"
        );
        assert_eq!(c["packets"], 10, "connection {n}");
    }
    // The tunnels each came through, outermost first, with their outer endpoints.
    let kinds: Vec<String> = conns
        .iter()
        .map(|c| {
            c["tunnel"]
                .as_array()
                .unwrap_or_else(|| panic!("no tunnel on #{}", c["id"]))
                .iter()
                .map(|t| t["kind"].as_str().unwrap())
                .collect::<Vec<_>>()
                .join(">")
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "ip",
            "ip",
            "ip",
            "gre",
            "gre",
            "gre",
            "gre",
            "vxlan",
            "vxlan",
            "geneve",
            "geneve",
            "teredo",
            "gtpv1",
            "gtpv1",
            "vxlan>gre"
        ]
    );
    assert_eq!(conns[0]["tunnel"][0]["src"], "192.0.2.1");
    assert_eq!(conns[2]["tunnel"][0]["dst"], "2001:db8:ffff::2", "4in6");
    assert_eq!(conns[7]["tunnel"][0]["id"], 100, "the VNI");
    assert_eq!(
        conns[14]["tunnel"][1]["src"], "192.0.2.11",
        "the inner level's own endpoints"
    );
    assert_eq!(summary["tcp"], 150);
    assert_eq!(summary["malformed"]["by_reason"]["tunnel_too_deep"], 10);
    assert_eq!(summary["non_tcp"], 10, "VXLAN on 8472 is plain UDP");
    let by_kind = &summary["tunneled"];
    for (kind, n) in [
        ("ip", 30),
        ("gre", 40),
        ("vxlan", 30),
        ("geneve", 20),
        ("teredo", 10),
        ("gtpv1", 20),
    ] {
        assert_eq!(by_kind[kind], n, "{kind}: {by_kind}");
    }
}

#[test]
fn a_tunnel_port_is_followed_only_when_asked() {
    let (conns, summary) = run("tunnels.pcap", &["--tunnel-port", "vxlan=8472"]);
    assert_eq!(conns.len(), 16);
    assert_eq!(summary["non_tcp"], 0);
    assert_eq!(summary["tunneled"]["vxlan"], 40);
}

#[test]
fn fragments_are_reassembled_in_any_order_and_every_fate_is_counted() {
    let (conns, summary) = run("fragments.pcap", &[]);
    let shapes: Vec<_> = conns.iter().map(shape).collect();
    assert_eq!(
        shapes,
        [
            (
                "10.0.0.1:40001".into(),
                "complete".into(),
                "fin".into(),
                1000,
                300
            ),
            (
                "[2001:db8::1]:40002".into(),
                "complete".into(),
                "fin".into(),
                100,
                300
            ),
            // The overlapping datagram is dropped, as the receiver would; its copy sent whole
            // is the one request.
            (
                "10.0.0.1:40003".into(),
                "complete".into(),
                "none".into(),
                1000,
                0
            ),
        ]
    );
    // The reassembled SYN kept its options (they were in the second fragment).
    assert_eq!(conns[0]["client_options"]["mss"], 1460);
    for c in &conns {
        let marks = c["marks"].as_object().unwrap();
        assert!(marks.values().all(|n| n == 0), "no mark: {marks:?}");
    }
    assert_eq!(
        summary["fragments"],
        serde_json::json!({"frames": 14, "reassembled": 4, "duplicate": 0, "overlapping": 1,
                           "conflicting": 1, "incomplete": 2})
    );
    assert_eq!(summary["malformed"]["total"], 0);
}

#[test]
fn captures_without_fragments_or_tunnels_say_nothing_of_them() {
    let (conns, summary) = run("handshake-close.pcap", &[]);
    assert!(summary.get("fragments").is_none() && summary.get("tunneled").is_none());
    assert!(conns[0].get("tunnel").is_none());
}
