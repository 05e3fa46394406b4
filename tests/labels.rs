//! App labels (the data named): on the generated app fixtures, every output says what each
//! connection carries (JSON `service` and events' `label`, `--zeek`'s service column, every
//! export), and nothing taken from a payload reaches the output with a control character.
//! The labels' exact text is in the `--text` goldens (tests/golden/app-*.txt); Zeek's own
//! service column is compared in tests/zeek_log.rs.

mod common;

use std::process::Command;

use synack::output::Format;

fn services(fixture: &str) -> Vec<Option<String>> {
    let lines = common::json_lines(&common::fixture(fixture), &[]);
    common::connections(&lines)
        .iter()
        .map(|c| c.get("service").and_then(|s| s.as_str()).map(String::from))
        .collect()
}

fn labels(fixture: &str) -> Vec<(u64, String)> {
    let lines = common::json_lines(&common::fixture(fixture), &[]);
    let mut out = Vec::new();
    for c in common::connections(&lines) {
        for e in c["events"].as_array().unwrap() {
            if let Some(l) = e.get("label") {
                out.push((c["id"].as_u64().unwrap(), l.as_str().unwrap().to_string()));
            }
        }
    }
    out
}

#[test]
fn each_connection_names_its_service_from_its_payload() {
    let s = |v: &[Option<&str>]| v.iter().map(|x| x.map(String::from)).collect::<Vec<_>>();
    assert_eq!(
        services("app-web.pcap"),
        s(&[Some("http"), Some("http,websocket"), Some("ssl")])
    );
    // The last: a bare `220 ready` on port 7000 names no service.
    assert_eq!(
        services("app-text.pcap"),
        s(&[
            Some("ssh"),
            Some("smtp"),
            Some("ftp"),
            Some("pop3"),
            Some("imap"),
            Some("redis"),
            Some("dns"),
            None
        ])
    );
    // Connections without payload (the demo's handshakes) carry no service key at all.
    assert!(services("handshake-close.pcap").iter().all(Option::is_none));
}

#[test]
fn the_first_data_segments_carry_their_labels_in_json() {
    let l = labels("app-web.pcap");
    let has = |id: u64, text: &str| l.iter().any(|(i, t)| *i == id && t == text);
    assert!(has(1, "GET /index.html HTTP/1.1"), "{l:?}");
    assert!(has(1, "HTTP/1.1 404 Not Found"), "{l:?}");
    assert!(has(2, "HTTP/1.1 101 Switching Protocols"), "{l:?}");
    // The ClientHello split over two segments is labelled once, on its first.
    let hello: Vec<_> = l
        .iter()
        .filter(|(i, t)| *i == 3 && t.contains("ClientHello"))
        .collect();
    assert_eq!(hello.len(), 1, "{l:?}");
    assert!(
        hello[0].1.contains("www.example.com") && hello[0].1.contains("h2"),
        "{l:?}"
    );
    assert!(has(3, "TLS ServerHello TLS 1.3"), "{l:?}");
}

/// Every char of an output that is a control character other than a line end or a tab
/// (conn.log's separator), or a bidirectional override.
fn controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| {
            c.is_control() && !matches!(c, '\n' | '\t') || matches!(c, '\u{202a}'..='\u{202e}')
        })
        .collect()
}

#[test]
fn hostile_payloads_reach_no_output_raw() {
    let path = common::fixture("app-hostile.pcap");
    for format in [Format::Text, Format::Json, Format::Zeek] {
        let (out, _) = common::run_batch(&path, format, &[]);
        assert!(
            controls(&out).is_empty(),
            "{format:?}: {:?}",
            controls(&out)
        );
    }
    // The escaped form is there instead, and a 300-byte target is cut.
    let l = labels("app-hostile.pcap");
    assert!(l.iter().any(|(_, t)| t.contains("\\x1b[2J\\x07")), "{l:?}");
    assert!(l.iter().all(|(_, t)| t.chars().count() <= 60), "{l:?}");
    for format in ["text", "mermaid", "plantuml", "svg"] {
        let o = Command::new(env!("CARGO_BIN_EXE_synack"))
            .args([&path, "--export", format, "--conn", "1"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{format}");
        let s = String::from_utf8(o.stdout).unwrap();
        assert!(s.contains("[2J"), "{format}: the label is missing");
        assert!(controls(&s).is_empty(), "{format}: {:?}", controls(&s));
    }
}

#[test]
fn every_export_carries_the_labels_and_the_service() {
    let path = common::fixture("app-web.pcap");
    for format in ["text", "mermaid", "plantuml", "svg"] {
        let o = Command::new(env!("CARGO_BIN_EXE_synack"))
            .args([&path, "--export", format, "--conn", "2"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{format}");
        let s = String::from_utf8(o.stdout).unwrap();
        assert!(s.contains("101 Switching Protocols"), "{format}:\n{s}");
        assert!(s.contains("service: http,websocket"), "{format}:\n{s}");
    }
}

#[test]
fn zeek_logs_carry_the_service() {
    let (out, _) = common::run_batch(&common::fixture("app-web.pcap"), Format::Zeek, &[]);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
        .collect();
    let service: Vec<&str> = rows.iter().map(|r| r[7]).collect();
    assert_eq!(service, ["http", "http,websocket", "ssl"]);
}
