//! `--json`: JSON lines, one `connection` object per connection, then one `summary`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::summary::Report;
use super::{OutputOptions, SeqStyle};
use crate::decode::Timestamp;
use crate::diagnose::report::finding_json;
use crate::diagnose::Finding;
use crate::track::{Connection, EventKind, Marks, State};

#[derive(Serialize)]
struct ZeekEarlier {
    conn_state: &'static str,
    history: String,
}

#[derive(Serialize)]
struct EndOptions {
    isn: Option<u32>,
    mss: Option<u16>,
    wscale: Option<u8>,
    sack_permitted: bool,
}

#[derive(Serialize)]
struct JsonConnection {
    #[serde(rename = "type")]
    typ: &'static str,
    id: u64,
    client: String,
    server: String,
    first_seen: String,
    last_seen: String,
    duration: f64,
    packets: u64,
    bytes: u64,
    client_packets: u64,
    server_packets: u64,
    client_bytes: u64,
    server_bytes: u64,
    client_state: &'static str,
    server_state: &'static str,
    /// Live captures: seconds of 2*MSL left for the end in TIME_WAIT when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    time_wait_remaining: Option<f64>,
    handshake: &'static str,
    teardown: &'static str,
    /// Zeek's conn.log `conn_state` (S0, S1, SF, REJ, ...), computed as Zeek would.
    conn_state: &'static str,
    /// Zeek's conn.log `history` letters (upper case: Zeek's originator).
    history: String,
    /// Connections Zeek would have logged separately on this 4-tuple before (its 5 s
    /// connection-attempt timeout), oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    zeek_earlier: Vec<ZeekEarlier>,
    mid_stream: bool,
    rst_by: Option<&'static str>,
    reuses: Option<u64>,
    client_options: EndOptions,
    server_options: EndOptions,
    marks: BTreeMap<&'static str, u32>,
    findings: Vec<serde_json::Value>,
    events_dropped: u64,
    // `events` comes last and is written by hand: see `write_events`.
}

fn state(s: State) -> &'static str {
    s.name()
}

pub fn connection_value(c: &Connection, opts: &OutputOptions) -> serde_json::Value {
    let mut buf = Vec::new();
    encode(&mut buf, &build(c), c, opts);
    serde_json::from_slice(&buf).unwrap_or(serde_json::Value::Null)
}

fn build(c: &Connection) -> JsonConnection {
    let end_opts = |i: usize| EndOptions {
        isn: c.ends[i].isn,
        mss: c.ends[i].mss,
        wscale: c.ends[i].wscale,
        sack_permitted: c.ends[i].sack_permitted,
    };
    let marks = Marks::NAMES
        .iter()
        .zip(c.mark_counts)
        .filter(|(_, n)| *n > 0)
        .map(|((_, name), n)| (*name, n))
        .collect();
    JsonConnection {
        typ: "connection",
        id: c.id,
        client: c.client().addr.to_string(),
        server: c.server().addr.to_string(),
        first_seen: c.first_seen.rfc3339(),
        last_seen: c.last_seen.rfc3339(),
        duration: round6(c.last_seen.secs_since(c.first_seen)),
        packets: c.packets(),
        bytes: c.bytes(),
        client_packets: c.client().packets,
        server_packets: c.server().packets,
        client_bytes: c.client().bytes,
        server_bytes: c.server().bytes,
        client_state: state(c.client().state),
        server_state: state(c.server().state),
        time_wait_remaining: None,
        handshake: c.handshake().name(),
        teardown: c.teardown().name(),
        conn_state: crate::diagnose::zeek::conn_state(c),
        history: c.history.letters().to_string(),
        zeek_earlier: crate::diagnose::zeek::earlier(c)
            .into_iter()
            .map(|(conn_state, history)| ZeekEarlier {
                conn_state,
                history,
            })
            .collect(),
        mid_stream: c.mid_stream,
        rst_by: c.rst_by.map(|s| s.name()),
        reuses: c.reuses,
        client_options: end_opts(0),
        server_options: end_opts(1),
        marks,
        findings: Vec::new(),
        events_dropped: c.events_dropped,
    }
}

/// Appends the connection object (one line, without the newline) to `buf`: the fixed fields
/// through serde, then `events` unless left out.
fn encode(buf: &mut Vec<u8>, j: &JsonConnection, c: &Connection, opts: &OutputOptions) {
    // Serializing into a Vec cannot fail (the struct has no maps with non-string keys).
    let _ = serde_json::to_writer(&mut *buf, j);
    if !opts.no_events {
        buf.pop(); // the closing brace
        buf.extend_from_slice(b",\"events\":[");
        write_events(buf, c, opts);
        buf.extend_from_slice(b"]}");
    }
}

/// The events array's elements, written by hand. Events are most of a connection's JSON and
/// were most of `--json`'s time in the profile when built as structs (a `String` for the
/// flags and a `Vec` for the marks per event) and sent through serde token by token. The
/// bytes are the same serde_json wrote: integers in decimal, `t` through ryu as serde_json
/// formats an f64, and names that never need escaping.
fn write_events(buf: &mut Vec<u8>, c: &Connection, opts: &OutputOptions) {
    let mut int = itoa::Buffer::new();
    let mut float = ryu::Buffer::new();
    for (i, e) in c.events.iter().enumerate() {
        let (seq, ack) = match (e.kind, opts.seq) {
            (EventKind::TimeWaitExpired, _) => (0, 0),
            (_, SeqStyle::Relative) => (c.rel_seq(e.dir, e.seq), c.rel_ack(e.dir, e.ack)),
            (_, SeqStyle::Absolute) => (e.seq, e.ack),
        };
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"t\":");
        let t = round6(e.ts.secs_since(c.first_seen));
        if t.is_finite() {
            buf.extend_from_slice(float.format_finite(t).as_bytes());
        } else {
            buf.extend_from_slice(b"null");
        }
        buf.extend_from_slice(b",\"frame\":");
        buf.extend_from_slice(int.format(e.frame).as_bytes());
        buf.extend_from_slice(match e.kind {
            EventKind::Segment => b",\"kind\":\"segment\",\"dir\":\"".as_slice(),
            EventKind::TimeWaitExpired => b",\"kind\":\"time_wait_expired\",\"dir\":\"",
        });
        buf.extend_from_slice(e.dir.name().as_bytes());
        buf.extend_from_slice(b"\",\"flags\":\"");
        if e.kind == EventKind::Segment {
            // Writing to a Vec cannot fail.
            let _ = write!(buf, "{}", e.flags);
        }
        buf.extend_from_slice(b"\",\"seq\":");
        buf.extend_from_slice(int.format(seq).as_bytes());
        buf.extend_from_slice(b",\"ack\":");
        buf.extend_from_slice(int.format(ack).as_bytes());
        buf.extend_from_slice(b",\"len\":");
        buf.extend_from_slice(int.format(e.len).as_bytes());
        buf.extend_from_slice(b",\"win\":");
        buf.extend_from_slice(int.format(e.window).as_bytes());
        buf.extend_from_slice(b",\"client_state\":\"");
        buf.extend_from_slice(state(e.states[0]).as_bytes());
        buf.extend_from_slice(b"\",\"server_state\":\"");
        buf.extend_from_slice(state(e.states[1]).as_bytes());
        buf.extend_from_slice(b"\",\"marks\":[");
        for (k, name) in e.marks.names().enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            buf.push(b'"');
            buf.extend_from_slice(name.as_bytes());
            buf.push(b'"');
        }
        buf.extend_from_slice(b"]}");
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// One connection object, with its findings and, for an end in TIME_WAIT, the 2*MSL left at
/// `now`.
pub fn write_connection(
    w: &mut dyn Write,
    c: &Connection,
    opts: &OutputOptions,
    findings: &[Finding],
    now: Timestamp,
) -> io::Result<()> {
    let mut j = build(c);
    j.findings = findings.iter().map(finding_json).collect();
    j.time_wait_remaining = time_wait_remaining(c, now, opts.two_msl);
    // Built in memory and written at once: one call through the `dyn Write` per connection
    // rather than one per JSON token.
    let mut buf = Vec::with_capacity(1024 + 256 * c.events.len());
    encode(&mut buf, &j, c, opts);
    buf.push(b'\n');
    w.write_all(&buf)
}

/// Seconds of 2*MSL left at `now` for the end(s) in TIME_WAIT (the longer if both are).
pub fn time_wait_remaining(c: &Connection, now: Timestamp, two_msl: Timestamp) -> Option<f64> {
    c.ends
        .iter()
        .filter(|e| e.state == State::TimeWait)
        .filter_map(|e| e.time_wait_since)
        .map(|since| round6((since.0 + two_msl.0 - now.0).max(0) as f64 / 1e9))
        .reduce(f64::max)
}

pub fn summary_value(r: &Report<'_>) -> serde_json::Value {
    let mut v = summary_fields(r);
    // Only when it happened, so runs under the cap print what they always printed.
    if r.tracker.evicted > 0 {
        v["evicted"] = serde_json::json!(r.tracker.evicted);
    }
    v
}

fn summary_fields(r: &Report<'_>) -> serde_json::Value {
    let s = r.summary;
    let k = r.counters;
    let per_state = |side: usize| -> BTreeMap<&'static str, u64> {
        State::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| s.states[side][*i] > 0)
            .map(|(i, st)| (st.name(), s.states[side][i]))
            .collect()
    };
    let marks: BTreeMap<&'static str, u64> = Marks::NAMES
        .iter()
        .zip(s.marks)
        .filter(|(_, n)| *n > 0)
        .map(|((_, name), n)| (*name, n))
        .collect();
    serde_json::json!({
        "type": "summary",
        "packets": k.packets,
        "tcp": k.tcp,
        "non_tcp": k.non_tcp,
        "filtered": k.filtered,
        "skipped": {
            "total": k.skipped_total(),
            "by_link_type": k.skipped_link.iter().map(|(lt, n)| (lt.to_string(), *n)).collect::<BTreeMap<_, _>>(),
        },
        "malformed": {
            "total": k.malformed_total(),
            "by_reason": r.malformed(),
        },
        "connections": s.connections,
        "handshakes": {"complete": s.handshakes[0], "partial": s.handshakes[1], "none": s.handshakes[2]},
        "teardowns": {"fin": s.teardowns[0], "rst": s.teardowns[1], "half": s.teardowns[2], "none": s.teardowns[3]},
        "mid_stream": s.mid_stream,
        "port_reuses": r.tracker.port_reuses,
        "time_wait_expired": r.tracker.time_wait_expired,
        "marks": marks,
        "states": {"client": per_state(0), "server": per_state(1)},
        "warning": r.warning,
    })
}

pub fn write_summary(w: &mut dyn Write, r: &Report<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *w, &summary_value(r))?;
    w.write_all(b"\n")
}
