//! Wireshark's `tcp.completeness` (JSON `completeness`) against tshark's own values: every
//! TCP stream tshark found in the fixtures and the real-capture corpus, as recorded in
//! tests/tshark/completeness.tsv (made by tests/tshark/completeness.sh with the tshark named
//! in its first line; tshark is not needed to run this test). A stream pairs with the synack
//! connection on the same 4-tuple that starts at the same microsecond.

mod common;

use std::collections::HashMap;

/// Streams where tshark's value is not synack's, as (capture, first source, first epoch,
/// reason). A listed stream that now agrees fails the test: the list must stay honest.
const ALLOWED: &[(&str, &str, &str, &str)] = &[
    (
        "fixtures/tunnels.pcap",
        "10.0.0.1:40017",
        "1709287201.600000000",
        "five levels of IP-in-IP: synack does not follow tunnels that deep (by design)",
    ),
    (
        "corpus/zeek__ipv6-http-atomic-frag.pcap",
        "[2001:db8:1::1]:80",
        "1333039452.497516000",
        "tshark does not take the SYN, an IPv6 atomic fragment, for TCP: its stream starts \
         at the SYN-ACK (no SYN bit), synack's at the SYN",
    ),
    (
        "corpus/zeek__ftp__ipv4.pcap",
        "141.142.220.235:37604",
        "1329843175.736107000",
        "an FTP data connection: tshark's FTP dissector set the conversation up before its \
         SYN, and tshark then leaves the SYN bit out",
    ),
    (
        "corpus/zeek__ftp__ipv4.pcap",
        "141.142.220.235:59378",
        "1329843179.871641000",
        "an FTP data connection, as the one above",
    ),
    (
        "corpus/zeek__tcp__handshake-reorder.pcap",
        "192.150.187.43:80",
        "1362692526.939084000",
        "the SYN comes after its SYN-ACK: tshark restarts its analysis at the SYN and leaves \
         the SYN bit out",
    ),
];

fn micros(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .timestamp_micros()
}

/// `secs.nanos` as tshark prints frame.time_epoch, to microseconds (truncated, as synack's
/// RFC 3339 times are).
fn epoch_micros(s: &str) -> i64 {
    let (secs, frac) = s.split_once('.').unwrap_or((s, "0"));
    let frac = format!("{frac:0<6}");
    secs.parse::<i64>().unwrap() * 1_000_000 + frac[..6].parse::<i64>().unwrap()
}

fn unordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.into(), b.into())
    } else {
        (b.into(), a.into())
    }
}

#[test]
fn completeness_matches_tshark_on_every_stream() {
    let expected = include_str!("tshark/completeness.tsv");
    assert!(expected.starts_with("# tcp.completeness per tcp.stream, by TShark"));
    let mut by_capture: HashMap<&str, Vec<Vec<&str>>> = HashMap::new();
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 5, "{line}");
        by_capture.entry(cols[0]).or_default().push(cols);
    }
    let corpus = common::corpus_dir();
    assert!(by_capture.keys().any(|k| k.starts_with("corpus/")));
    let (mut checked, mut failures) = (0, Vec::new());
    let mut allowed_seen = [false; ALLOWED.len()];
    for (capture, rows) in &by_capture {
        let (dir, name) = capture.split_once('/').unwrap();
        let path = match dir {
            "fixtures" => common::fixture(name),
            _ => corpus.join(name).to_string_lossy().into_owned(),
        };
        let lines = common::json_lines(&path, &["--no-events"]);
        let conns: HashMap<((String, String), i64), u64> = common::connections(&lines)
            .iter()
            .map(|c| {
                let key = unordered(c["client"].as_str().unwrap(), c["server"].as_str().unwrap());
                let t = micros(c["first_seen"].as_str().unwrap());
                ((key, t), c["completeness"].as_u64().expect("completeness"))
            })
            .collect();
        for r in rows {
            // tshark gave no value (it calls the stream's frames malformed).
            if r[4].is_empty() {
                continue;
            }
            let want: u64 = r[4].parse().unwrap();
            let key = (unordered(r[1], r[2]), epoch_micros(r[3]));
            let allowed = ALLOWED
                .iter()
                .position(|a| a.0 == *capture && a.1 == r[1] && a.2 == r[3]);
            if let Some(i) = allowed {
                allowed_seen[i] = true;
            }
            match (conns.get(&key), allowed) {
                (Some(&got), None) if got == want => checked += 1,
                (Some(&got), Some(_)) if got == want => failures.push(format!(
                    "{capture} {} at {}: listed in ALLOWED but agrees now; remove it",
                    r[1], r[3]
                )),
                (_, Some(_)) => {}
                (got, None) => failures.push(format!(
                    "{capture} {} -> {} at {}: tshark {want}, synack {got:?}",
                    r[1], r[2], r[3]
                )),
            }
        }
    }
    for (a, seen) in ALLOWED.iter().zip(allowed_seen) {
        if !seen {
            failures.push(format!(
                "ALLOWED entry {} {} {} matches no stream",
                a.0, a.1, a.2
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 100, "only {checked} streams checked");
}
