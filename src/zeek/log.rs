//! Zeek's conn.log, written as Zeek writes it: `--zeek` in its ASCII (TSV) format, header
//! and `#close` included, so zeek-cut reads it; `--zeek-json` as Zeek's JSON log lines.
//!
//! One row per Zeek connection: a synack connection that Zeek would have split (its timers,
//! see [`super::earlier`]) gives a row for each part, oldest first. The columns are Zeek's (8.0, `base/protocols/conn/main.zeek`) in its order. What
//! synack does not know is unset (`-`, or left out of JSON) as Zeek leaves it unset when it
//! has no answer: `local_orig`/`local_resp` (no `Site::local_nets`), `tunnel_parents`
//! (synack logs no tunnel connections of its own). `service` is what the payload labels showed
//! ([`Connection::service`]), on the connection's last row (a part Zeek's timers split off
//! earlier has none).

use std::net::IpAddr;

use super::{conn_state, Counts, History};
use crate::decode::{Endpoint, Timestamp};
use crate::track::Connection;

/// conn.log's columns, in Zeek's order.
pub const FIELDS: [&str; 22] = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "service",
    "duration",
    "orig_bytes",
    "resp_bytes",
    "conn_state",
    "local_orig",
    "local_resp",
    "missed_bytes",
    "history",
    "orig_pkts",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_ip_bytes",
    "tunnel_parents",
    "ip_proto",
];

/// Their Zeek types, as the `#types` line names them.
pub const TYPES: [&str; 22] = [
    "time",
    "string",
    "addr",
    "port",
    "addr",
    "port",
    "enum",
    "string",
    "interval",
    "count",
    "count",
    "string",
    "bool",
    "bool",
    "count",
    "string",
    "count",
    "count",
    "count",
    "count",
    "set[string]",
    "count",
];

/// The header Zeek writes before the first row; `opened` is the `#open` time (Zeek writes
/// when the log was opened, on the wall clock).
pub fn header(opened: &str) -> String {
    format!(
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n\
         #path\tconn\n#open\t{opened}\n#fields\t{}\n#types\t{}\n",
        FIELDS.join("\t"),
        TYPES.join("\t")
    )
}

/// The last line, `closed` as for [`header`].
pub fn footer(closed: &str) -> String {
    format!("#close\t{closed}\n")
}

/// A wall-clock time as Zeek writes `#open` and `#close`.
pub fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d-%H-%M-%S").to_string()
}

/// One conn.log row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub ts: Timestamp,
    pub uid: String,
    pub orig: Endpoint,
    pub resp: Endpoint,
    /// Nanoseconds; unset for a connection of one instant (Zeek sets duration and sizes only
    /// when it is > 0).
    pub duration: Option<i64>,
    pub bytes: Option<(u64, u64)>,
    pub conn_state: &'static str,
    pub missed_bytes: u64,
    pub history: String,
    pub orig_pkts: u64,
    pub orig_ip_bytes: u64,
    pub resp_pkts: u64,
    pub resp_ip_bytes: u64,
    /// Zeek's service names, comma-separated (`http`, `ssl,http`), when a payload named one.
    pub service: Option<String>,
}

/// The rows for `c`: the Zeek connections split off before, then the current one.
pub fn rows(c: &Connection) -> Vec<Row> {
    let h: &History = &c.history;
    let mut rows: Vec<Row> = h
        .earlier()
        .iter()
        .zip(super::earlier(c))
        .enumerate()
        .map(|(i, (e, (state, letters)))| {
            row(c, i, e.orig_is_client, &e.counts, e.sizes, state, letters)
        })
        .collect();
    rows.push(row(
        c,
        rows.len(),
        h.orig_is_client(),
        h.counts(),
        h.sizes(),
        conn_state(c),
        h.letters().to_string(),
    ));
    if let Some(last) = rows.last_mut() {
        last.service = c.service();
    }
    rows
}

fn row(
    c: &Connection,
    part: usize,
    orig_is_client: bool,
    n: &Counts,
    sizes: (u64, u64),
    conn_state: &'static str,
    history: String,
) -> Row {
    let (o, r) = if orig_is_client { (0, 1) } else { (1, 0) };
    let duration = n.last.0 - n.first.0;
    let lasted = duration > 0;
    Row {
        ts: n.first,
        uid: uid(c, part),
        orig: c.ends[o].addr,
        resp: c.ends[r].addr,
        duration: lasted.then_some(duration),
        bytes: lasted.then_some(sizes),
        conn_state,
        missed_bytes: n.missed,
        history,
        orig_pkts: n.pkts[o],
        orig_ip_bytes: n.ip_bytes[o],
        resp_pkts: n.pkts[r],
        resp_ip_bytes: n.ip_bytes[r],
        service: None,
    }
}

/// A uid in Zeek's style: `C` and 96 bits in base 62, least significant digit first, as
/// Zeek's `UID::Base62` writes its two words (64 bits, then 32). Zeek's are random; these
/// are a hash of the connection (4-tuple, start, id, part), so a run's output is the same
/// every time and two connections' uids differ.
pub fn uid(c: &Connection, part: usize) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    (c.ends[0].addr, c.ends[1].addr, c.first_seen, c.id, part).hash(&mut h);
    let a = mix(h.finish());
    let b = mix(a ^ 0x9e37_79b9_7f4a_7c15) >> 32;
    let mut s = String::with_capacity(18);
    s.push('C');
    base62(&mut s, a);
    base62(&mut s, b);
    s
}

/// SplitMix64's finaliser: every input bit reaches every output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn base62(s: &mut String, mut v: u64) {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    loop {
        s.push(char::from(DIGITS[(v % 62) as usize]));
        v /= 62;
        if v == 0 {
            break;
        }
    }
}

/// Nanoseconds to whole microseconds, rounded (Zeek's logs carry microseconds).
fn to_micros(ns: i64) -> i64 {
    (ns + 500).div_euclid(1000)
}

/// Zeek's `time` and `interval` in ASCII logs: seconds with six decimals.
fn secs(ns: i64) -> String {
    let us = to_micros(ns);
    format!(
        "{}.{:06}",
        us.div_euclid(1_000_000),
        us.rem_euclid(1_000_000)
    )
}

/// The same as a JSON number.
fn secs_f64(ns: i64) -> f64 {
    to_micros(ns) as f64 / 1e6
}

fn addr(ip: IpAddr) -> String {
    ip.to_string()
}

/// Appends `row` as a TSV line.
pub fn write_tsv(buf: &mut Vec<u8>, row: &Row) {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let (ob, rb) = match row.bytes {
        Some((o, r)) => (o.to_string(), r.to_string()),
        None => ("-".into(), "-".into()),
    };
    let cols = [
        secs(row.ts.0),
        row.uid.clone(),
        addr(row.orig.ip),
        row.orig.port.to_string(),
        addr(row.resp.ip),
        row.resp.port.to_string(),
        "tcp".into(),
        opt(row.service.clone()),
        opt(row.duration.map(secs)),
        ob,
        rb,
        row.conn_state.into(),
        "-".into(),
        "-".into(),
        row.missed_bytes.to_string(),
        // An empty history is Zeek's empty field.
        if row.history.is_empty() {
            "(empty)".into()
        } else {
            row.history.clone()
        },
        row.orig_pkts.to_string(),
        row.orig_ip_bytes.to_string(),
        row.resp_pkts.to_string(),
        row.resp_ip_bytes.to_string(),
        "-".into(),
        "6".into(),
    ];
    buf.extend_from_slice(cols.join("\t").as_bytes());
    buf.push(b'\n');
}

/// Appends `row` as one line of Zeek's JSON log (unset fields left out, times as epoch
/// seconds), keys in Zeek's column order as Zeek writes them (serde_json's `Map` would sort
/// them).
pub fn write_json(buf: &mut Vec<u8>, row: &Row) {
    use serde_json::Value;
    let mut fields: Vec<(&str, Value)> = vec![
        ("ts", secs_f64(row.ts.0).into()),
        ("uid", row.uid.clone().into()),
        ("id.orig_h", addr(row.orig.ip).into()),
        ("id.orig_p", row.orig.port.into()),
        ("id.resp_h", addr(row.resp.ip).into()),
        ("id.resp_p", row.resp.port.into()),
        ("proto", "tcp".into()),
    ];
    if let Some(s) = &row.service {
        fields.push(("service", s.clone().into()));
    }
    if let Some(d) = row.duration {
        fields.push(("duration", secs_f64(d).into()));
    }
    if let Some((ob, rb)) = row.bytes {
        fields.push(("orig_bytes", ob.into()));
        fields.push(("resp_bytes", rb.into()));
    }
    fields.extend([
        ("conn_state", row.conn_state.into()),
        ("missed_bytes", row.missed_bytes.into()),
        ("history", row.history.clone().into()),
        ("orig_pkts", row.orig_pkts.into()),
        ("orig_ip_bytes", row.orig_ip_bytes.into()),
        ("resp_pkts", row.resp_pkts.into()),
        ("resp_ip_bytes", row.resp_ip_bytes.into()),
        ("ip_proto", 6.into()),
    ]);
    buf.push(b'{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *buf, k);
        buf.push(b':');
        let _ = serde_json::to_writer(&mut *buf, v);
    }
    buf.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{seg, ACK, FIN_ACK, SYN, SYN_ACK};
    use crate::track::testkit::T;

    fn conn(segs: &[(bool, u16, u32, u32, u32, i64)]) -> Connection {
        let mut t = T::new();
        for &(from_c, flags, seq, ack, len, ms) in segs {
            let mut s = seg(from_c, flags, seq, ack, len, ms);
            s.options.ip_len = 40 + len;
            t.feed(s);
        }
        t.c.expect("segments")
    }

    #[test]
    fn a_closed_connection_as_zeek_logs_it() {
        let c = conn(&[
            (true, SYN, 100, 0, 0, 0),
            (false, SYN_ACK, 500, 101, 0, 10),
            (true, ACK, 101, 501, 0, 20),
            (true, ACK, 101, 501, 5, 30),
            (true, FIN_ACK, 106, 501, 0, 40),
            (false, FIN_ACK, 501, 107, 0, 50),
            (true, ACK, 107, 502, 0, 60),
        ]);
        let rows = rows(&c);
        assert_eq!(rows.len(), 1);
        let mut buf = Vec::new();
        write_tsv(&mut buf, &rows[0]);
        let line = String::from_utf8(buf).unwrap();
        let cols: Vec<&str> = line.trim_end().split('\t').collect();
        assert_eq!(cols.len(), FIELDS.len());
        let col = |name: &str| cols[FIELDS.iter().position(|f| *f == name).unwrap()];
        assert_eq!(col("ts"), "0.000000");
        assert!(col("uid").starts_with('C') && col("uid").len() > 10);
        assert_eq!((col("id.orig_h"), col("id.orig_p")), ("10.0.0.1", "40000"));
        // The last ACK came after both FINs: Zeek's duration stops at the second FIN.
        assert_eq!(col("duration"), "0.050000");
        assert_eq!((col("orig_bytes"), col("resp_bytes")), ("5", "0"));
        assert_eq!((col("conn_state"), col("history")), ("SF", "ShADFf"));
        assert_eq!((col("orig_pkts"), col("orig_ip_bytes")), ("5", "205"));
        assert_eq!((col("resp_pkts"), col("resp_ip_bytes")), ("2", "80"));
        assert_eq!(
            (col("service"), col("local_orig"), col("tunnel_parents")),
            ("-", "-", "-")
        );

        let mut buf = Vec::new();
        write_json(&mut buf, &rows[0]);
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["conn_state"], "SF");
        assert_eq!(v["duration"], 0.05);
        assert_eq!(v["orig_ip_bytes"], 205);
        assert!(v.get("service").is_none() && v.get("local_orig").is_none());
        // Keys come in Zeek's column order, not sorted.
        let text = String::from_utf8(buf).unwrap();
        let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
        let keys: Vec<&str> = FIELDS
            .iter()
            .copied()
            .filter(|f| v.get(*f).is_some())
            .collect();
        assert!(keys.len() > 10);
        assert!(keys.windows(2).all(|w| at(w[0]) < at(w[1])), "{text}");
    }

    #[test]
    fn one_packet_has_no_duration_nor_sizes_and_uids_differ() {
        let c = conn(&[(true, SYN, 100, 0, 0, 0)]);
        let r = &rows(&c)[0];
        assert_eq!((r.duration, r.bytes, r.conn_state), (None, None, "S0"));
        let mut other = c.clone();
        other.id += 1;
        assert_ne!(uid(&c, 0), uid(&other, 0));
        assert_ne!(uid(&c, 0), uid(&c, 1));
        assert_eq!(uid(&c, 0), uid(&c.clone(), 0));
    }

    #[test]
    fn times_are_rounded_to_the_microsecond() {
        assert_eq!(secs(1_329_843_161_968_492_400), "1329843161.968492");
        assert_eq!(secs(1_999_999_600), "2.000000");
        assert_eq!(secs(0), "0.000000");
        assert_eq!(secs_f64(38_055_625_000), 38.055625);
    }

    #[test]
    fn the_header_is_zeeks() {
        let h = header("2026-01-02-03-04-05");
        let lines: Vec<&str> = h.lines().collect();
        assert_eq!(lines[0], "#separator \\x09");
        assert_eq!(lines[3], "#unset_field\t-");
        assert_eq!(lines[5], "#open\t2026-01-02-03-04-05");
        assert!(lines[6].starts_with("#fields\tts\tuid\tid.orig_h\t"));
        assert_eq!(lines[7].split('\t').count(), 23);
    }
}
