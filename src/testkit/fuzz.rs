//! What each cargo-fuzz target in `fuzz/` does with its input. Kept here, on stable, so that
//! the regression tests in `tests/` run the very code that crashed on the input that crashed
//! it, and so that `examples/fuzz_seeds.rs` writes seeds in the formats the targets read.
//!
//! Each harness also checks what must hold whatever the input: a frame's fate is counted
//! once, every segment tracked lands in one connection's counts, every `--json` line is JSON,
//! and an error is one line. A broken check panics, which the fuzzer reports as a crash.

use clap::Parser;

use crate::capture::FileReader;
use crate::cli::Args;
use crate::config::{Config, Env};
use crate::decode::{self, Decoder, Endpoint, Flags, Item, LinkType, RawPacket, Segment};
use crate::decode::{Decoded, TcpOptions};
use crate::output::summary::Report;
use crate::output::{Format, Sink};
use crate::time::Timestamp;
use crate::track::{Connection, Tracker};

/// The link types the decode targets pick from (by the input's first byte): every one synack
/// decodes, and one it does not (147, a user type) for the "unsupported" path.
pub const LINKS: [LinkType; 15] = [
    LinkType::NULL,
    LinkType::ETHERNET,
    LinkType::FDDI,
    LinkType::RAW_12,
    LinkType::RAW_14,
    LinkType::RAW,
    LinkType::LOOP,
    LinkType::LINUX_SLL,
    LinkType::ARCNET_LINUX,
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType::NFLOG,
    LinkType::IPOIB,
    LinkType::LINUX_SLL2,
    LinkType(147),
];

/// The link type a selector byte picks.
pub fn link_of(selector: u8) -> LinkType {
    LINKS[usize::from(selector) % LINKS.len()]
}

/// The selector byte that picks `lt`, if the targets know it.
pub fn selector_of(lt: LinkType) -> Option<u8> {
    LINKS.iter().position(|l| *l == lt).map(|i| i as u8)
}

/// 2024-03-01T10:00:00Z, the fixtures' clock.
const T0: Timestamp = Timestamp(1_709_287_200 * Timestamp::NANOS_PER_SEC);

/// `decode` target: the first byte picks the link type ([`link_of`]), the rest is one frame.
/// Decodes it alone and through a [`Decoder`] (filters, reassembly, counters): both must
/// agree on a TCP segment, and the decoder must count the frame exactly once.
pub fn decode_frame(data: &[u8]) {
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let linktype = link_of(sel);
    let alone = decode::decode(linktype, T0, frame);
    let mut d = Decoder::default();
    let pkt = RawPacket {
        ts: T0,
        linktype,
        data: frame,
        orig_len: frame.len() as u32,
    };
    let item = d.item(&pkt);
    d.finish();
    let c = &d.counters;
    assert_eq!(c.packets, 1);
    let fates = c.tcp + c.non_tcp + c.filtered + c.skipped_total() + c.malformed_total();
    // A fragment is counted by the reassembly (and as malformed too if it is refused).
    if c.fragments.frames == 0 {
        assert_eq!(fates, 1, "frame counted {fates} times: {c:?}");
    } else {
        assert!(fates <= 1, "fragment counted {fates} times: {c:?}");
    }
    if let Ok(Decoded::Tcp(seg)) = alone {
        match item {
            Item::Segment(s, 1) | Item::Tunneled(s, 1, _) | Item::Labeled(s, 1, _) => {
                assert_eq!(s, seg)
            }
            other => panic!("decode gave {seg:?}, the decoder {other:?}"),
        }
    }
}

/// Output settings and limits a `track` input starts with.
struct TrackSetup {
    format: Format,
    max_events: usize,
    max_conns: usize,
    /// MSL in seconds (TIME_WAIT is twice this): short, so that timers fire within an input.
    msl_secs: i64,
}

impl TrackSetup {
    fn from(head: [u8; 4]) -> TrackSetup {
        TrackSetup {
            format: [Format::Json, Format::Text, Format::Diagnose][usize::from(head[0] % 3)],
            max_events: 1 + usize::from(head[1] % 32),
            max_conns: 1 + usize::from(head[2] % 16),
            msl_secs: i64::from(head[3] % 8),
        }
    }
}

/// Reads little-endian numbers off a byte slice, zeros past its end.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0; N];
        let n = N.min(self.0.len());
        b[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        b
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
}

/// A record of a `track` input: `[kind][dt][len u16 LE][len bytes]`. A kind below 0x80 is a
/// frame of link type [`link_of`]`(kind)`; 0x80 and above, a segment spelled out field by
/// field ([`segment_of`]). `dt` is signed, in 10 ms: captures do go back in time.
pub fn record(kind: u8, dt: i8, body: &[u8]) -> Vec<u8> {
    let len = body.len().min(usize::from(u16::MAX));
    let mut r = vec![kind, dt as u8];
    r.extend_from_slice(&(len as u16).to_le_bytes());
    r.extend_from_slice(&body[..len]);
    r
}

/// A segment from raw fields: one of 8 clients (4 addresses x 2 ports) and one server, so
/// that segments meet on the same connections; either direction; any flags, numbers, window
/// and options.
fn segment_of(ts: Timestamp, body: &[u8]) -> Segment {
    let mut c = Cursor(body);
    let who = c.u8();
    let client = Endpoint {
        ip: std::net::Ipv4Addr::new(10, 0, 0, 1 + (who & 3)).into(),
        port: 40000 + u16::from((who >> 2) & 1),
    };
    let server = Endpoint {
        ip: std::net::Ipv4Addr::new(10, 0, 0, 9).into(),
        port: 80,
    };
    let (src, dst) = if who & 0x10 == 0 {
        (client, server)
    } else {
        (server, client)
    };
    Segment {
        ts,
        src,
        dst,
        flags: Flags(c.u16() & 0x1ff),
        seq: c.u32(),
        ack: c.u32(),
        window: c.u16(),
        payload_len: u32::from(c.u16()),
        options: TcpOptions::parse(c.0),
    }
}

/// `track` target: four bytes of settings ([`TrackSetup`]), then [`record`]s, decoded and
/// tracked as a batch run does (retiring, evicting past `max_conns`), every connection
/// diagnosed and written in one of the three formats. Checks that the segments and payload
/// bytes tracked are those of the connections written, and that JSON output is JSON.
pub fn track_records(data: &[u8]) {
    let mut input = Cursor(data);
    let setup = TrackSetup::from(input.take());
    let max_events = setup.max_events.to_string();
    let max_conns = setup.max_conns.to_string();
    let argv = [
        "synack",
        "--max-events",
        &max_events,
        "--max-conns",
        &max_conns,
    ];
    let cfg = Config::from_args(&Args::parse_from(argv), &Env::default()).expect("valid args");
    let mut tracker_cfg = cfg.core.tracker.clone();
    tracker_cfg.msl = Timestamp(setup.msl_secs * Timestamp::NANOS_PER_SEC);
    let mut tracker = Tracker::new(tracker_cfg);
    let mut decoder = cfg.core.decode.decoder();
    let mut out = Vec::new();
    let mut sink = Sink::new(
        setup.format,
        cfg.output.options,
        cfg.core.diagnosis.clone(),
        &mut out,
    );
    let (mut ts, mut segments, mut bytes) = (T0, 0u64, 0u64);
    let mut written = Totals::default();
    while !input.0.is_empty() {
        let (kind, dt, len) = (input.u8(), input.u8() as i8, input.u16());
        let n = usize::from(len).min(input.0.len());
        let (body, rest) = input.0.split_at(n);
        input.0 = rest;
        ts = Timestamp(ts.0 + i64::from(dt) * 10_000_000);
        let item = if kind < 0x80 {
            let pkt = RawPacket {
                ts,
                linktype: link_of(kind),
                data: body,
                orig_len: body.len() as u32,
            };
            decoder.item(&pkt)
        } else {
            // Numbered as the decoder numbers frames, so frame numbers keep increasing.
            decoder.counters.packets += 1;
            Item::Segment(segment_of(ts, body), decoder.counters.packets)
        };
        if let Item::Segment(s, _) | Item::Tunneled(s, _, _) | Item::Labeled(s, _, _) = &item {
            segments += 1;
            bytes += u64::from(s.payload_len);
        }
        tracker.apply(&item);
        let now = tracker.now();
        for c in tracker.drain_retired() {
            written.add(&c);
            sink.connection(&c, now).expect("writing to memory");
        }
    }
    decoder.finish();
    let now = tracker.now();
    for c in tracker.drain_boxed_by_id() {
        written.add(&c);
        sink.connection(&c, now).expect("writing to memory");
    }
    assert_eq!(tracker.stats.segments, segments);
    assert_eq!(
        (written.packets, written.bytes),
        (segments, bytes),
        "segments and payload bytes tracked vs. in the connections written"
    );
    let report = Report {
        summary: &sink.summary.clone(),
        counters: &decoder.counters,
        tracker: &tracker.stats,
        warning: None,
    };
    sink.finish(&report, "fuzz", None)
        .expect("writing to memory");
    drop(sink);
    if setup.format == Format::Json {
        check_json_lines(&out);
    }
}

/// Packets and payload bytes over the connections written.
#[derive(Default)]
struct Totals {
    packets: u64,
    bytes: u64,
}

impl Totals {
    fn add(&mut self, c: &Connection) {
        for e in &c.ends {
            self.packets += e.packets;
            self.bytes += e.bytes;
        }
    }
}

/// Panics unless every line of `out` is a JSON object.
pub fn check_json_lines(out: &[u8]) {
    let text = std::str::from_utf8(out).expect("JSON output is UTF-8");
    for line in text.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v.is_object(), "not a JSON object: {line}");
    }
}

/// Packets a `read_capture` input is read to at most: bounds the time of one run.
const MAX_PACKETS: u64 = 1 << 16;

/// `read_capture` target: the input is a capture file (pcap, pcapng, gzip of either), read
/// in memory ([`FileReader::from_memory`]), every packet decoded and tracked. An error, when
/// opening or part way, must be one line.
pub fn read_capture(data: &[u8]) {
    let mut reader = match FileReader::from_memory("fuzz.pcap", data.to_vec()) {
        Ok(r) => r,
        Err(e) => return one_line(&e.to_string()),
    };
    let mut decoder = Decoder::default();
    let mut tracker = Tracker::new(crate::track::TrackerConfig {
        retire: true,
        max_conns: 64,
        max_events: 64,
        ..Default::default()
    });
    let mut written = Totals::default();
    while decoder.counters.packets < MAX_PACKETS {
        match reader.next_packet() {
            Ok(Some(pkt)) => {
                tracker.apply(&decoder.item(&pkt));
                tracker.drain_retired().for_each(|c| written.add(&c));
            }
            Ok(None) => break,
            Err(e) => {
                one_line(&e.to_string());
                break;
            }
        }
    }
    tracker.drain_by_id().for_each(|c| written.add(&c));
    assert_eq!(written.packets, tracker.stats.segments);
    assert_eq!(tracker.stats.segments, decoder.counters.tcp);
}

fn one_line(msg: &str) {
    assert!(
        !msg.is_empty() && !msg.contains(['\n', '\r']),
        "error is not one line: {msg:?}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_type_has_a_selector() {
        for (i, lt) in LINKS.iter().enumerate() {
            assert_eq!(selector_of(*lt), Some(i as u8));
            assert_eq!(link_of(i as u8), *lt);
        }
        assert_eq!(link_of(LINKS.len() as u8), LINKS[0]);
    }

    #[test]
    fn a_frame_of_each_link_decodes_through_the_harness() {
        let mut c = crate::testkit::conv(0.0);
        c.syn(0.0);
        let ip = crate::gen::frame::ip_packet(&c.packets[0], false);
        let mut input = vec![selector_of(LinkType::RAW).unwrap()];
        input.extend_from_slice(&ip);
        decode_frame(&input);
        decode_frame(&[]);
        decode_frame(&[0]);
    }

    #[test]
    fn track_records_follows_spelled_out_segments_and_frames() {
        let mut c = crate::testkit::conv(0.0);
        c.syn(0.0).syn_ack(0.01).ack_c(0.01).data_c(0.01, 10);
        let mut input = vec![0, 0, 0, 1];
        for p in &c.packets {
            let ip = crate::gen::frame::ip_packet(p, false);
            input.extend(record(selector_of(LinkType::RAW).unwrap(), 1, &ip));
        }
        // A SYN from client 2, then a RST back: fields as segment_of reads them.
        let mut syn = vec![1];
        syn.extend_from_slice(&Flags::SYN.to_le_bytes());
        input.extend(record(0x80, 1, &syn));
        input.extend(record(0x80, -3, &[0x11, 4, 0]));
        track_records(&input);
        // Settings cut short, a record longer than the input: still read.
        track_records(&[2]);
        track_records(&[1, 0, 0, 0, 0x85, 0, 0xff, 0xff, 1, 2]);
    }

    #[test]
    fn read_capture_reads_a_fixture_and_refuses_garbage_in_one_line() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/");
        read_capture(&std::fs::read(format!("{dir}handshake-close.pcap")).unwrap());
        read_capture(&std::fs::read(format!("{dir}multi-link.pcapng")).unwrap());
        read_capture(b"not a capture");
        read_capture(&[]);
    }

    #[test]
    #[should_panic(expected = "not JSON")]
    fn check_json_lines_catches_a_broken_line() {
        check_json_lines(b"{\"a\":1}\n{\"a\":\n");
    }
}
