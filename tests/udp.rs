//! `--udp`: UDP flows beside the TCP connections, checked on the generated fixture and against
//! tshark's UDP conversations on it and on the corpus (tests/tshark/udp.tsv, made by
//! tests/tshark/udp.sh).

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

fn flows(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|v| v["type"] == "udp").collect()
}

#[test]
fn udp_flows_come_only_when_asked_and_tcp_is_unchanged() {
    let path = common::fixture("udp-dns.pcap");
    let without = common::json_lines(&path, &[]);
    let with = common::json_lines(&path, &["--udp"]);
    assert!(flows(&without).is_empty());
    assert_eq!(common::summary(&without)["non_tcp"], 9);
    assert!(common::summary(&without).get("udp").is_none());
    // The TCP connection is the same line either way.
    assert_eq!(common::connections(&without), common::connections(&with));
    let s = common::summary(&with);
    assert_eq!(s["non_tcp"], 0);
    assert_eq!(s["udp"]["flows"], 5);
    assert_eq!(s["udp"]["datagrams"], 9);
}

#[test]
fn each_flow_counts_both_sides_and_labels_dns() {
    let lines = common::json_lines(&common::fixture("udp-dns.pcap"), &["--udp"]);
    let f = flows(&lines);
    assert_eq!(f.len(), 5);
    let by_server: BTreeMap<String, &Value> = f
        .iter()
        .map(|v| (format!("{} {}", v["client"], v["server"]), *v))
        .collect();
    // The query sent twice (the resolver's retry: UDP resends nothing) and its answer.
    let lost = by_server[r#""10.0.0.1:53002" "10.0.0.53:53""#];
    assert_eq!(
        (&lost["client_packets"], &lost["server_packets"]),
        (&Value::from(2), &Value::from(1))
    );
    assert_eq!(lost["service"], "dns");
    let ev = lost["events"].as_array().unwrap();
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[1]["t"], 1.0);
    assert_eq!(ev[1]["label"], "DNS query lost.example.com A");
    assert_eq!(ev[2]["dir"], "s2c");
    assert_eq!(ev[2]["label"], "DNS response lost.example.com A");
    // An answer seen alone: its receiver asked, so it is the client.
    let late = by_server[r#""10.0.0.1:53009" "10.0.0.53:53""#];
    assert_eq!(late["server_packets"], 1);
    assert_eq!(late["events"][0]["dir"], "s2c");
    // No payload names NTP or port 9999's: no service.
    let ntp = by_server[r#""10.0.0.123:123" "10.0.0.124:123""#];
    assert!(ntp.get("service").is_none());
    assert_eq!(ntp["bytes"], 96);
    // The flows' lines say nothing of states: UDP has none.
    assert!(f.iter().all(|v| v.get("client_state").is_none()));
}

#[test]
fn text_draws_the_datagrams_and_says_there_is_no_connection() {
    let (out, _) = common::run_batch(
        &common::fixture("udp-dns.pcap"),
        synack::output::Format::Text,
        &["--udp"],
    );
    common::golden("udp-dns.pcap", "udp-dns.pcap.udp", &out);
    let (zh, _) = common::run_batch(
        &common::fixture("udp-dns.pcap"),
        synack::output::Format::Text,
        &["--udp", "--lang", "zh"],
    );
    common::golden("udp-dns.pcap", "udp-dns.pcap.udp.zh", &zh);
    assert_eq!(out.matches("connectionless: no handshake").count(), 5);
    assert!(zh.contains("UDP 流 #2") && zh.contains("无连接"));
}

/// One UDP conversation as tshark counts it: frames each way, keyed by the unordered pair.
type Conv = BTreeMap<(String, String), (u64, u64)>;

fn insert(m: &mut Conv, a: &str, b: &str, ab: u64, ba: u64) {
    let key = if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    };
    let v = if a <= b { (ab, ba) } else { (ba, ab) };
    assert!(m.insert(key, v).is_none(), "{a} {b} twice");
}

#[test]
fn flows_agree_with_tsharks_udp_conversations() {
    let tsv = std::fs::read_to_string(common::root().join("tests/tshark/udp.tsv")).unwrap();
    let mut want: BTreeMap<String, Conv> = BTreeMap::new();
    for line in tsv.lines().skip(2) {
        let c: Vec<&str> = line.split('\t').collect();
        let n = |i: usize| c[i].parse::<u64>().unwrap();
        insert(
            want.entry(c[0].to_string()).or_default(),
            c[1],
            c[2],
            n(3),
            n(4),
        );
    }
    assert_eq!(want.len(), 6, "the fixture and five corpus captures");
    let corpus = common::corpus_dir();
    for (capture, conv) in &want {
        let path = match capture.strip_prefix("fixtures/") {
            Some(f) => common::fixture(f),
            None => corpus.join(capture).to_string_lossy().into_owned(),
        };
        let mut got = Conv::new();
        for f in flows(&common::json_lines(&path, &["--udp", "--no-events"])) {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            let n = |k: &str| f[k].as_u64().unwrap();
            insert(
                &mut got,
                &s("client"),
                &s("server"),
                n("client_packets"),
                n("server_packets"),
            );
        }
        assert_eq!(&got, conv, "{capture}");
    }
}
