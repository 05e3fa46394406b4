//! `--json`: JSON lines, one `connection` object per connection, then one `summary`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::IpAddr;
use std::sync::OnceLock;

use super::summary::Report;
use super::{OutputOptions, SeqStyle};
use crate::decode::{Endpoint, Timestamp};
use crate::diagnose::report::is_problem;
use crate::diagnose::Finding;
use crate::kernel::KernelPair;
use crate::track::{Connection, EventKind, Marks, State};

fn state(s: State) -> &'static str {
    s.name()
}

/// A small JSON writer over a byte buffer: keys and the values synack writes (names,
/// addresses, times, numbers) never need escaping; free text goes through serde_json.
struct Out<'b> {
    buf: &'b mut Vec<u8>,
    int: itoa::Buffer,
    float: ryu::Buffer,
}

impl Out<'_> {
    fn raw(&mut self, s: &[u8]) {
        self.buf.extend_from_slice(s);
    }
    fn int(&mut self, n: impl itoa::Integer) {
        self.buf.extend_from_slice(self.int.format(n).as_bytes());
    }
    /// As serde_json writes an f64: ryu's shortest form, `null` when not finite.
    fn float(&mut self, x: f64) {
        if x.is_finite() {
            self.buf
                .extend_from_slice(self.float.format_finite(x).as_bytes());
        } else {
            self.buf.extend_from_slice(b"null");
        }
    }
    /// A string known not to need escaping (ASCII names, digits, punctuation).
    fn plain(&mut self, s: &str) {
        debug_assert!(!s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20));
        self.buf.push(b'"');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(b'"');
    }
    /// Any text, escaped by serde_json (writing to a Vec cannot fail).
    fn text(&mut self, s: &str) {
        let _ = serde_json::to_writer(&mut *self.buf, s);
    }
    fn opt_int(&mut self, n: Option<impl itoa::Integer>) {
        match n {
            Some(n) => self.int(n),
            None => self.raw(b"null"),
        }
    }
    fn bool(&mut self, b: bool) {
        self.raw(if b { b"true" } else { b"false" });
    }
    fn time(&mut self, t: Timestamp) {
        self.buf.push(b'"');
        t.write_rfc3339(self.buf);
        self.buf.push(b'"');
    }
    fn endpoint(&mut self, e: Endpoint) {
        self.buf.push(b'"');
        match e.ip {
            IpAddr::V4(ip) => {
                for (i, octet) in ip.octets().into_iter().enumerate() {
                    if i > 0 {
                        self.buf.push(b'.');
                    }
                    self.int(octet);
                }
                self.buf.push(b':');
                self.int(e.port);
            }
            // Writing to a Vec cannot fail.
            IpAddr::V6(_) => {
                let _ = write!(self.buf, "{e}");
            }
        }
        self.buf.push(b'"');
    }
}

/// Mark names in the order serde_json writes a `BTreeMap`'s keys (sorted), as indexes into
/// [`Marks::NAMES`].
fn marks_sorted() -> &'static [usize; Marks::COUNT] {
    static ORDER: OnceLock<[usize; Marks::COUNT]> = OnceLock::new();
    ORDER.get_or_init(|| {
        let mut order: [usize; Marks::COUNT] = std::array::from_fn(|i| i);
        order.sort_by_key(|&i| Marks::NAMES[i].1);
        order
    })
}

/// Appends the connection object (one line, without the newline) to `buf`, field by field
/// in the documented order, then `events` unless left out. Written by hand: building it as a
/// struct for serde took a `String` per address, time and history and a map for the marks,
/// per connection, and was most of `--json --no-events` in the profile.
fn encode(
    buf: &mut Vec<u8>,
    c: &Connection,
    opts: &OutputOptions,
    findings: &[Finding],
    time_wait_remaining: Option<f64>,
    kernel: Option<&KernelPair>,
) {
    let mut o = Out {
        buf,
        int: itoa::Buffer::new(),
        float: ryu::Buffer::new(),
    };
    let (cl, sv) = (c.client(), c.server());
    o.raw(b"{\"type\":\"connection\",\"id\":");
    o.int(c.id);
    o.raw(b",\"client\":");
    o.endpoint(cl.addr);
    o.raw(b",\"server\":");
    o.endpoint(sv.addr);
    o.raw(b",\"first_seen\":");
    o.time(c.first_seen);
    o.raw(b",\"last_seen\":");
    o.time(c.last_seen);
    o.raw(b",\"duration\":");
    o.float(round6(c.last_seen.secs_since(c.first_seen)));
    o.raw(b",\"packets\":");
    o.int(c.packets());
    o.raw(b",\"bytes\":");
    o.int(c.bytes());
    o.raw(b",\"client_packets\":");
    o.int(cl.packets);
    o.raw(b",\"server_packets\":");
    o.int(sv.packets);
    o.raw(b",\"client_bytes\":");
    o.int(cl.bytes);
    o.raw(b",\"server_bytes\":");
    o.int(sv.bytes);
    o.raw(b",\"client_state\":");
    o.plain(state(cl.state));
    o.raw(b",\"server_state\":");
    o.plain(state(sv.state));
    // Live captures: seconds of 2*MSL left for the end in TIME_WAIT when written.
    if let Some(r) = time_wait_remaining {
        o.raw(b",\"time_wait_remaining\":");
        o.float(r);
    }
    // Live and lab runs: each end as the kernel holds it (null: not a socket on this host).
    if let Some(k) = kernel {
        for (key, end) in [
            (&b",\"client_kernel\":"[..], &k.client),
            (&b",\"server_kernel\":"[..], &k.server),
        ] {
            o.raw(key);
            match end {
                Some(e) => o.raw(e.json().to_string().as_bytes()),
                None => o.raw(b"null"),
            }
        }
    }
    o.raw(b",\"handshake\":");
    o.plain(c.handshake().name());
    o.raw(b",\"teardown\":");
    o.plain(c.teardown().name());
    // Zeek's conn.log `conn_state` (S0, S1, SF, REJ, ...) and `history` letters, computed as
    // Zeek would; `zeek_earlier`: connections Zeek would have logged separately on this
    // 4-tuple before (its timers removed them, see zeek::ZeekTimer), oldest first.
    o.raw(b",\"conn_state\":");
    o.plain(crate::zeek::conn_state(c));
    o.raw(b",\"history\":");
    o.text(c.history.letters());
    if !c.history.earlier().is_empty() {
        o.raw(b",\"zeek_earlier\":[");
        for (i, (conn_state, history)) in crate::zeek::earlier(c).iter().enumerate() {
            if i > 0 {
                o.raw(b",");
            }
            o.raw(b"{\"conn_state\":");
            o.plain(conn_state);
            o.raw(b",\"history\":");
            o.text(history);
            o.raw(b"}");
        }
        o.raw(b"]");
    }
    // Wireshark's tcp.completeness bitmask (SYN 1, SYN-ACK 2, ACK 4, DATA 8, FIN 16, RST 32).
    o.raw(b",\"completeness\":");
    o.int(c.completeness.0);
    o.raw(b",\"mid_stream\":");
    o.bool(c.mid_stream);
    o.raw(b",\"rst_by\":");
    match c.rst_by {
        Some(side) => o.plain(side.name()),
        None => o.raw(b"null"),
    }
    o.raw(b",\"reuses\":");
    o.opt_int(c.reuses);
    // Zeek's `service`, only when a payload named one.
    if let Some(service) = c.service() {
        o.raw(b",\"service\":");
        o.plain(&service);
    }
    tunnel(&mut o, c);
    end_options(&mut o, cl, sv);
    mark_counts(&mut o, c);
    findings_and_events(&mut o, c, opts, findings);
    o.raw(b"}");
}

/// `findings`, what the event cap left out, and (unless `--no-events`) the events.
fn findings_and_events(
    o: &mut Out<'_>,
    c: &Connection,
    opts: &OutputOptions,
    findings: &[Finding],
) {
    o.raw(b",\"findings\":[");
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            o.raw(b",");
        }
        finding(o, f);
    }
    o.raw(b"],\"events_dropped\":");
    o.int(c.events_dropped());
    // Where the segments not kept fell: only when there are any (most connections).
    if !c.dropped.runs().is_empty() {
        o.raw(b",\"dropped_runs\":[");
        write_dropped_runs(o.buf, c);
        o.raw(b"]");
    }
    if !opts.no_events {
        o.raw(b",\"events\":[");
        write_events(o.buf, c, opts);
        o.raw(b"]");
    }
}

/// `tunnel`, only for a tunneled connection: its encapsulations, outermost first.
fn tunnel(o: &mut Out<'_>, c: &Connection) {
    if let Some(encap) = c.tunnel() {
        o.raw(b",\"tunnel\":[");
        for (i, t) in encap.tunnels().enumerate() {
            if i > 0 {
                o.raw(b",");
            }
            o.raw(b"{\"kind\":");
            o.plain(t.kind.name());
            o.raw(b",\"src\":");
            o.text(&t.src.to_string());
            o.raw(b",\"dst\":");
            o.text(&t.dst.to_string());
            if let Some(id) = t.id {
                o.raw(b",\"id\":");
                o.int(id);
            }
            o.raw(b"}");
        }
        o.raw(b"]");
    }
}

/// Each end's SYN options (ISN, MSS, window scale, SACK permitted).
fn end_options(o: &mut Out<'_>, cl: &crate::track::End, sv: &crate::track::End) {
    for (key, end) in [
        (b",\"client_options\":".as_slice(), cl),
        (b",\"server_options\":".as_slice(), sv),
    ] {
        o.raw(key);
        o.raw(b"{\"isn\":");
        o.opt_int(end.isn);
        o.raw(b",\"mss\":");
        o.opt_int(end.mss);
        o.raw(b",\"wscale\":");
        o.opt_int(end.wscale);
        o.raw(b",\"sack_permitted\":");
        o.bool(end.sack_permitted);
        o.raw(b"}");
    }
}

/// `marks`: how many segments carry each analysis mark, names sorted, zeros left out.
fn mark_counts(o: &mut Out<'_>, c: &Connection) {
    o.raw(b",\"marks\":{");
    let mut first = true;
    for &i in marks_sorted() {
        let n = c.mark_counts[i];
        if n > 0 {
            if !first {
                o.raw(b",");
            }
            first = false;
            o.plain(Marks::NAMES[i].1);
            o.raw(b":");
            o.int(n);
        }
    }
    o.raw(b"}");
}

/// One finding, keys in sorted order (as a `serde_json::Value` map would write them).
fn finding(o: &mut Out<'_>, f: &Finding) {
    o.raw(b"{");
    if let Some(n) = f.count {
        o.raw(b"\"count\":");
        o.int(n);
        o.raw(b",");
    }
    o.raw(b"\"endpoint\":");
    o.endpoint(f.endpoint);
    o.raw(b",\"frames\":[");
    for (i, n) in f.frames.iter().enumerate() {
        if i > 0 {
            o.raw(b",");
        }
        o.int(*n);
    }
    o.raw(b"],\"kind\":");
    o.plain(f.kind.name());
    o.raw(b",\"problem\":");
    o.bool(is_problem(f));
    if let Some(r) = f.remaining {
        o.raw(b",\"remaining\":");
        o.float((r * 1000.0).round() / 1000.0);
    }
    o.raw(b",\"sentence\":");
    o.text(&f.sentence);
    o.raw(b",\"side\":");
    o.plain(f.side.name());
    o.raw(b",\"since\":");
    o.time(f.since);
    o.raw(b"}");
}

/// The events array's elements, written by hand. Events are most of a connection's JSON and
/// were most of `--json`'s time in the profile when built as structs (a `String` for the
/// flags and a `Vec` for the marks per event) and sent through serde token by token. The
/// bytes are the same serde_json wrote: integers in decimal, `t` through ryu as serde_json
/// formats an f64, and names that never need escaping.
/// `{"after":N,"segments":..,"c2s":..,"s2c":..,"bytes":..,"frame":..,"frame_last":..,"t":..,
/// "t_last":..}` per run of segments not kept: `after` events kept before it, times as the
/// events' `t`.
fn write_dropped_runs(buf: &mut Vec<u8>, c: &Connection) {
    let mut int = itoa::Buffer::new();
    let mut float = ryu::Buffer::new();
    for (i, r) in c.dropped.runs().iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        for (key, n) in [
            (b"{\"after\":".as_slice(), r.at as u64),
            (b",\"segments\":", r.segments),
            (b",\"c2s\":", r.c2s),
            (b",\"s2c\":", r.segments - r.c2s),
            (b",\"bytes\":", r.bytes),
            (b",\"frame\":", r.first_frame),
            (b",\"frame_last\":", r.last_frame),
        ] {
            buf.extend_from_slice(key);
            buf.extend_from_slice(int.format(n).as_bytes());
        }
        buf.extend_from_slice(b",\"t\":");
        write_round6(buf, r.first.secs_since(c.first_seen), &mut float, &mut int);
        buf.extend_from_slice(b",\"t_last\":");
        write_round6(buf, r.last.secs_since(c.first_seen), &mut float, &mut int);
        buf.push(b'}');
    }
}

fn write_events(buf: &mut Vec<u8>, c: &Connection, opts: &OutputOptions) {
    let mut int = itoa::Buffer::new();
    let mut float = ryu::Buffer::new();
    for (i, e) in c.events.iter().enumerate() {
        let (seq, ack) = match (e.kind, opts.seq) {
            (EventKind::TimeWaitExpired, _) => (0, 0),
            // Without the ACK flag the field means nothing (a SYN's is 0 or garbage): 0, as
            // Wireshark's relative numbers show it, rather than 0 minus the peer's ISN.
            (_, SeqStyle::Relative) if !e.flags.ack() => (c.rel_seq(e.dir, e.seq), 0),
            (_, SeqStyle::Relative) => (c.rel_seq(e.dir, e.seq), c.rel_ack(e.dir, e.ack)),
            (_, SeqStyle::Absolute) => (e.seq, e.ack),
        };
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"t\":");
        write_round6(buf, e.ts.secs_since(c.first_seen), &mut float, &mut int);
        buf.extend_from_slice(b",\"frame\":");
        buf.extend_from_slice(int.format(e.frame).as_bytes());
        buf.extend_from_slice(match e.kind {
            EventKind::Segment => b",\"kind\":\"segment\",\"dir\":\"".as_slice(),
            EventKind::TimeWaitExpired => b",\"kind\":\"time_wait_expired\",\"dir\":\"",
            EventKind::Missing => b",\"kind\":\"missing\",\"dir\":\"",
        });
        buf.extend_from_slice(e.dir.name().as_bytes());
        buf.extend_from_slice(b"\",\"flags\":\"");
        if e.kind != EventKind::TimeWaitExpired {
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
        buf.push(b']');
        // The payload's label, only on a labelled segment (escaped already; JSON-quoted here).
        if let Some(l) = c.label_of(e.frame) {
            buf.extend_from_slice(b",\"label\":");
            let _ = serde_json::to_writer(&mut *buf, &*l.text);
        }
        buf.push(b'}');
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Writes `round6(x)` as serde_json (ryu) would. A whole number of microseconds `n` from
/// 1e-5 s up to 1e9 s is written as its decimal, trailing zeros dropped (".0" if none are
/// left): the nearest double to n/10^6 has no shorter decimal that reads back as it (decimals
/// with six places are 1e-6 apart, more than a double's spacing below 2^53 us), and ryu
/// writes that range without an exponent. The rest goes through ryu. Every event has a `t`;
/// ryu was the largest part of writing one.
fn write_round6(buf: &mut Vec<u8>, x: f64, float: &mut ryu::Buffer, int: &mut itoa::Buffer) {
    let n = (x * 1e6).round();
    if (10.0..1e15).contains(&n) {
        let n = n as u64;
        buf.extend_from_slice(int.format(n / 1_000_000).as_bytes());
        buf.push(b'.');
        let frac = n % 1_000_000;
        if frac == 0 {
            buf.push(b'0');
        } else {
            let digits = format_six(frac);
            let keep = 6 - trailing_decimal_zeros(frac);
            buf.extend_from_slice(&digits[..keep]);
        }
        return;
    }
    let t = n / 1e6;
    if t.is_finite() {
        buf.extend_from_slice(float.format_finite(t).as_bytes());
    } else {
        buf.extend_from_slice(b"null");
    }
}

/// `n` (below 10^6) as six digits, zero-padded.
fn format_six(mut n: u64) -> [u8; 6] {
    let mut d = [b'0'; 6];
    for slot in d.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    d
}

/// Decimal zeros at the end of a non-zero number.
fn trailing_decimal_zeros(mut n: u64) -> usize {
    let mut z = 0;
    while n.is_multiple_of(10) {
        n /= 10;
        z += 1;
    }
    z
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
    let mut buf = Vec::with_capacity(1024 + 256 * c.events.len());
    write_connection_into(&mut buf, c, opts, findings, now);
    w.write_all(&buf)
}

/// Appends one connection line (newline included) to `buf`: the sink keeps one buffer for
/// every connection and writes it out in large blocks.
pub fn write_connection_into(
    buf: &mut Vec<u8>,
    c: &Connection,
    opts: &OutputOptions,
    findings: &[Finding],
    now: Timestamp,
) {
    write_connection_kernel_into(buf, c, opts, findings, now, None);
}

/// [`write_connection_into`] with the kernel's view of both ends (`client_kernel`,
/// `server_kernel`) when there is one.
pub fn write_connection_kernel_into(
    buf: &mut Vec<u8>,
    c: &Connection,
    opts: &OutputOptions,
    findings: &[Finding],
    now: Timestamp,
    kernel: Option<&KernelPair>,
) {
    let remaining = time_wait_remaining(c, now, opts.two_msl);
    encode(buf, c, opts, findings, remaining, kernel);
    buf.push(b'\n');
}

/// Seconds of 2*MSL left at `now` for the end(s) in TIME_WAIT (the longer if both are).
pub fn time_wait_remaining(c: &Connection, now: Timestamp, two_msl: Timestamp) -> Option<f64> {
    c.ends
        .iter()
        .filter(|e| e.state == State::TimeWait)
        .filter_map(|e| e.time_wait_since.get())
        .map(|since| round6((since.0 + two_msl.0 - now.0).max(0) as f64 / 1e9))
        .reduce(f64::max)
}

pub fn summary_value(r: &Report<'_>) -> serde_json::Value {
    let mut v = summary_fields(r);
    // Only when it happened, so runs under the cap print what they always printed.
    if r.tracker.evicted > 0 {
        v["evicted"] = serde_json::json!(r.tracker.evicted);
    }
    if r.tracker.budget_reached() {
        v["memory"] = serde_json::json!({
            "budget": r.tracker.memory_budget,
            "evicted": r.tracker.evicted,
            "after_eviction": r.tracker.after_eviction,
            "events_over_budget": r.tracker.events_over_budget,
        });
    }
    let f = &r.counters.fragments;
    if f.frames > 0 {
        v["fragments"] = serde_json::json!({
            "frames": f.frames,
            "reassembled": f.reassembled,
            "duplicate": f.duplicate,
            "overlapping": f.overlapping,
            "conflicting": f.conflicting,
            "incomplete": f.incomplete,
        });
    }
    if !r.counters.tunneled.is_empty() {
        v["tunneled"] = serde_json::json!(r.counters.tunneled);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_serde_json_writes_them() {
        let (mut float, mut int) = (ryu::Buffer::new(), itoa::Buffer::new());
        let serde = |x: f64| serde_json::to_string(&round6(x)).unwrap();
        // Every microsecond up to 3 s, then spread up to 1e10 s (past the fast range), plus
        // values that are not whole microseconds and the edges.
        let mut xs: Vec<f64> = (0..3_000_000u64).map(|n| n as f64 / 1e6).collect();
        let mut r: u64 = 99;
        for _ in 0..300_000 {
            r = r
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let ns = r % 10_000_000_000_000_000_000u64;
            xs.push(ns as f64 / 1e9);
            xs.push((r >> 40) as f64 / 1e6);
        }
        xs.extend([
            1e-5,
            9.9999e-6,
            0.5e-6,
            1e9 - 1e-6,
            1e9,
            1e15,
            -1.0,
            f64::NAN,
            f64::INFINITY,
        ]);
        for x in xs {
            let mut buf = Vec::new();
            write_round6(&mut buf, x, &mut float, &mut int);
            assert_eq!(String::from_utf8(buf).unwrap(), serde(x), "{x:e}");
        }
    }
}
