//! Zeek's connection timers on the generated `fixtures/zeek-*.pcap`: a segment just after the
//! moment a timer removes the connection in Zeek is a second conn.log row on the 4-tuple (its
//! own uid, history started afresh, originator the sender Zeek picks for a first segment),
//! and the control just before is not. Rows as `(client port, conn_state, history)`.

mod common;

use synack::output::Format;

fn rows(fixture: &str) -> Vec<(u16, String, String)> {
    let (out, err) = common::run_batch(&common::fixture(fixture), Format::Zeek, &[]);
    assert_eq!(err, None);
    let mut uids = std::collections::HashSet::new();
    let rows: Vec<(u16, String, String)> = out
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert!(uids.insert(c[1].to_string()), "uids differ: {l}");
            // The client's port, whichever end Zeek made the originator.
            let port = c[3].parse::<u16>().unwrap().max(c[5].parse().unwrap());
            (port, c[11].to_string(), c[15].to_string())
        })
        .collect();
    rows
}

fn expect(fixture: &str, want: &[(u16, &str, &str)]) {
    let want: Vec<(u16, String, String)> = want
        .iter()
        .map(|(p, s, h)| (*p, s.to_string(), h.to_string()))
        .collect();
    assert_eq!(rows(fixture), want, "{fixture}");
}

#[test]
fn attempt_delay_splits_an_answer_after_five_seconds() {
    expect(
        "zeek-attempt.pcap",
        &[
            (40110, "S0", "S"),
            // The SYN+ACK opens the new connection: Zeek makes its sender the responder.
            (40110, "SF", "^hAdFf"),
            (40111, "SF", "ShAdFf"),
        ],
    );
}

#[test]
fn close_delay_splits_what_comes_five_seconds_after_a_close_or_a_rst() {
    expect(
        "zeek-close-delay.pcap",
        &[
            (40120, "SF", "ShADadFf"),
            (40120, "SHR", "^fA"),
            (40121, "SF", "ShADadFf"),
            (40122, "RSTR", "ShADar"),
            (40122, "OTH", "D"),
            // A RST the client ignores is still Zeek's close.
            (40123, "RSTR", "ShADar"),
            (40123, "SF", "DadAFf"),
            (40124, "RSTR", "ShADardFf"),
        ],
    );
}

#[test]
fn expire_timer_splits_a_rst_after_fin_idle_over_five_seconds() {
    expect(
        "zeek-expire.pcap",
        &[
            (40130, "RSTO", "ShADaFR"),
            (40130, "OTH", "^d"),
            (40131, "RSTO", "ShADaFR"),
            (40131, "OTH", "^dA"),
            (40132, "RSTO", "ShADaFRd"),
            // Busy every 4 s: no reset timer takes it 5 s after the RST.
            (40133, "RSTO", "ShADaFRd"),
        ],
    );
}

#[test]
fn inactivity_timeout_splits_after_five_minutes_but_not_on_ssh() {
    expect(
        "zeek-inactivity.pcap",
        &[
            (40140, "S1", "ShADa"),
            (40140, "SF", "DadAFf"),
            (40141, "SF", "ShADadFf"),
            (40142, "SF", "ShADadFf"),
        ],
    );
}

/// The one synack connection of `client` in `fixture`'s JSON.
fn connection(fixture: &str, client: &str) -> serde_json::Value {
    let lines = common::json_lines(&common::fixture(fixture), &[]);
    let all: Vec<&serde_json::Value> = common::connections(&lines)
        .into_iter()
        .filter(|c| c["client"] == client)
        .collect();
    assert_eq!(
        all.len(),
        1,
        "{fixture}: synack keeps {client} one connection"
    );
    all[0].clone()
}

#[test]
fn json_lists_the_zeek_connections_before_the_last_where_synack_keeps_one() {
    // Both ends closed, then the server's FIN again: synack's client is in TIME_WAIT.
    let late = connection("zeek-close-delay.pcap", "10.0.0.1:40120");
    assert_eq!(
        late["zeek_earlier"],
        serde_json::json!([{"conn_state": "SF", "history": "ShADadFf"}])
    );
    assert_eq!(
        (&late["conn_state"], &late["history"]),
        (&"SHR".into(), &"^fA".into())
    );
    let control = connection("zeek-close-delay.pcap", "10.0.0.1:40121");
    assert!(control.get("zeek_earlier").is_none());
    // RSTs synack ignores (outside the window), which Zeek's timers still count.
    let blind = connection("zeek-close-delay.pcap", "10.0.0.1:40123");
    assert_eq!(blind["marks"]["rst_ignored"], 1);
    assert_eq!(
        blind["zeek_earlier"],
        serde_json::json!([{"conn_state": "RSTR", "history": "ShADar"}])
    );
    let expired = connection("zeek-expire.pcap", "10.0.0.1:40131");
    assert_eq!(
        expired["zeek_earlier"],
        serde_json::json!([{"conn_state": "RSTO", "history": "ShADaFR"}])
    );
    let idle = connection("zeek-inactivity.pcap", "10.0.0.1:40140");
    assert_eq!(
        idle["zeek_earlier"],
        serde_json::json!([{"conn_state": "S1", "history": "ShADa"}])
    );
}
