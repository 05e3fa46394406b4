//! UDP flows in the batch formats (`--udp`): a `{"type":"udp"}` JSON line, and in `--text` a
//! ladder of datagrams drawn as TCP's is, with no states on the lifelines because UDP has none.

use std::fmt::Write as _;

use crate::i18n::{fill, Lang};
use crate::track::udp::UdpFlow;

/// Columns between the lifelines, as TCP's ladder in `--text`.
use super::text::{self, ARROW};

/// The flow as one JSON line (with its newline): fields as a connection's where they mean the
/// same (`client`, `first_seen`, `client_packets`, ...), `events` unless `no_events`.
pub fn write_json(buf: &mut Vec<u8>, f: &UdpFlow, no_events: bool) {
    let round6 = |x: f64| (x * 1e6).round() / 1e6;
    let mut v = serde_json::json!({
        "type": "udp",
        "id": f.id,
        "client": f.client.to_string(),
        "server": f.server.to_string(),
        "first_seen": f.first_seen.rfc3339(),
        "last_seen": f.last_seen.rfc3339(),
        "duration": round6(f.last_seen.secs_since(f.first_seen)),
        "packets": f.packets(),
        "bytes": f.bytes(),
        "client_packets": f.packets[0],
        "server_packets": f.packets[1],
        "client_bytes": f.bytes[0],
        "server_bytes": f.bytes[1],
        "events_dropped": f.events_dropped,
    });
    let o = v.as_object_mut().expect("an object");
    if let Some(s) = f.service {
        o.insert("service".into(), s.into());
    }
    if !no_events {
        let events: Vec<serde_json::Value> = f
            .events
            .iter()
            .map(|e| {
                let mut ev = serde_json::json!({
                    "t": round6(e.ts.secs_since(f.first_seen)),
                    "frame": e.frame,
                    "dir": if e.from_client { "c2s" } else { "s2c" },
                    "len": e.len,
                });
                if let (Some(l), Some(o)) = (&e.label, ev.as_object_mut()) {
                    o.insert("label".into(), l.to_string().into());
                }
                ev
            })
            .collect();
        o.insert("events".into(), events.into());
    }
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, &v);
    buf.push(b'\n');
}

/// The flow's header and ladder for `--text`, drawn with TCP's rows ([`text::text_row`],
/// [`text::push_label_row`]) so the lifelines stand in the same columns.
pub fn write_text(out: &mut String, f: &UdpFlow, lang: Lang) {
    let w = lang.language().udp;
    let _ = writeln!(out, "{} #{}  {} -> {}", w.flow, f.id, f.client, f.server);
    if let Some(service) = f.service {
        let _ = writeln!(out, "  {}{service}", w.service);
    }
    let _ = writeln!(out, "  {}", w.why);
    let duration = f.last_seen.secs_since(f.first_seen);
    let (p, b) = (f.packets, f.bytes);
    let counts = fill(
        w.counts,
        &[
            ("first", &f.first_seen.rfc3339()),
            ("duration", &format!("{duration:.6}")),
            ("p", &f.packets()),
            ("pc", &p[0]),
            ("ps", &p[1]),
            ("b", &f.bytes()),
            ("bc", &b[0]),
            ("bs", &b[1]),
        ],
    );
    let _ = writeln!(out, "  {counts}\n");
    // The column heads stay as TCP's ladder has them in every language.
    text::text_row(out, "time", "client", "", "server", "");
    for e in &f.events {
        let t = format!("{:.6}", e.ts.secs_since(f.first_seen));
        let label = format!("UDP {} B", e.len);
        let dashes = ARROW.saturating_sub(label.len() + 5);
        let arrow = if e.from_client {
            format!("-- {label} {}>", "-".repeat(dashes))
        } else {
            format!("<{} {label} --", "-".repeat(dashes))
        };
        text::text_row(out, &t, "", &arrow, "", "");
        if let Some(l) = &e.label {
            text::push_label_row(out, l);
        }
    }
    if f.events_dropped > 0 {
        let _ = writeln!(
            out,
            "{:>25} | {}",
            "",
            fill(w.more, &[("n", &f.events_dropped)])
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Datagram, Endpoint};
    use crate::time::Timestamp;
    use crate::track::udp::{UdpConfig, UdpFlows};

    fn flow() -> UdpFlow {
        let ep = |s: &str| s.parse::<std::net::SocketAddr>().unwrap();
        let e = |a: std::net::SocketAddr| Endpoint {
            ip: a.ip(),
            port: a.port(),
        };
        let (c, s) = (e(ep("10.0.0.1:40000")), e(ep("10.0.0.53:53")));
        let mut t = UdpFlows::new(UdpConfig::default());
        for (i, (src, dst, len)) in [(c, s, 29), (s, c, 45)].into_iter().enumerate() {
            t.add(&Datagram {
                ts: Timestamp::from_secs_f64(100.0 + i as f64 * 0.012),
                src,
                dst,
                len,
                frame: i as u64 + 1,
                label: None,
            });
        }
        t.drain_all().remove(0)
    }

    #[test]
    fn json_carries_both_sides_and_each_datagram() {
        let mut buf = Vec::new();
        write_json(&mut buf, &flow(), false);
        assert_eq!(buf.last(), Some(&b'\n'));
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["type"], "udp");
        assert_eq!(v["client"], "10.0.0.1:40000");
        assert_eq!(v["server_bytes"], 45);
        assert_eq!(v["duration"], 0.012);
        assert_eq!(v["events"][1]["dir"], "s2c");
        assert_eq!(v["events"][1]["frame"], 2);
        let mut buf = Vec::new();
        write_json(&mut buf, &flow(), true);
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert!(v.get("events").is_none());
    }

    #[test]
    fn text_draws_one_arrow_a_datagram_and_says_why_there_are_no_states() {
        let mut out = String::new();
        write_text(&mut out, &flow(), Lang::En);
        assert!(out.contains("connectionless: no handshake"), "{out}");
        let arrows: Vec<&str> = out
            .lines()
            .filter(|l| l.contains("|") && l.contains("UDP"))
            .collect();
        assert_eq!(arrows.len(), 2, "{out}");
        assert!(arrows[0].contains("-- UDP 29 B") && arrows[0].ends_with(">|"));
        assert!(arrows[1].contains("<-") && arrows[1].contains("UDP 45 B --|"));
        // The lifelines line up with TCP's (the `|` at the same columns).
        assert_eq!(arrows[0].find('|'), Some(26));
        assert_eq!(arrows[0].rfind('|'), Some(26 + ARROW + 1));
        let mut zh = String::new();
        write_text(&mut zh, &flow(), Lang::Zh);
        assert!(zh.contains("无连接"));
    }
}
