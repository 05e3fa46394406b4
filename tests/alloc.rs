//! Memory budgets, counted with a global allocator wrapper (this test binary only): no heap
//! allocation per packet in the hot path (decoding a frame, and tracking a segment of an
//! established connection once its event log is at its cap), and at most 1 KiB held per live
//! connection beyond its event log, under 80 bytes per connection past nothing but its SYN
//! (held compactly in batch modes).

use std::sync::Mutex;

use synack::capture::FileReader;
use synack::decode::Decoder;
use synack::decode::{self, Decoded, LinkType, Timestamp};
use synack::gen::bulk::{write_bulk, BulkConfig};
use synack::gen::{conv::ep, write, Conv, Link};
use synack::memory::{peak_held, Counting};
use synack::track::{Tracker, TrackerConfig};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The counts are the whole binary's: one test at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn frames() -> Vec<Vec<u8>> {
    let mut c = Conv::new(
        ep("10.0.0.1", 40000),
        ep("10.0.0.2", 80),
        1,
        1000,
        1_700_000_000.0,
    );
    c.syn(0.0).syn_ack(0.001).ack_c(0.001);
    for _ in 0..2000 {
        c.data_c(0.001, 100).ack_s(0.0001);
    }
    write::frames(&Link::Ethernet { vlans: vec![7] }, &c.packets, false)
        .into_iter()
        .map(|f| f.data)
        .collect()
}

#[test]
fn decoding_and_steady_state_tracking_do_not_allocate() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let frames = frames();
    let mut tracker = Tracker::new(TrackerConfig {
        max_events: 16,
        ..Default::default()
    });
    // Warm up: the connection, its event log up to the cap, the table.
    let mut ts = 0i64;
    let mut feed = |tracker: &mut Tracker, f: &[u8], n: u64| {
        ts += 1000;
        match decode::decode(LinkType::ETHERNET, Timestamp(ts), f).unwrap() {
            Decoded::Tcp(seg) => {
                tracker.ingest(&seg, n);
            }
            other => panic!("TCP expected, not {other:?}"),
        }
    };
    for (i, f) in frames[..100].iter().enumerate() {
        feed(&mut tracker, f, i as u64 + 1);
    }
    // This thread's: the harness's own threads allocate when they like.
    let before = Counting::thread_allocs();
    for (i, f) in frames[100..].iter().enumerate() {
        feed(&mut tracker, f, i as u64 + 101);
    }
    let allocs = Counting::thread_allocs() - before;
    assert!(frames.len() > 4000);
    assert_eq!(
        allocs,
        0,
        "{allocs} allocations over {} packets",
        frames.len() - 100
    );
    let c = tracker.get(1).unwrap();
    assert_eq!(c.packets(), frames.len() as u64);
    assert!(c.events_dropped() > 3000);
    // One run, growing in place: no allocation per dropped segment either.
    assert_eq!(c.dropped.runs().len(), 1);
}

#[test]
fn a_held_connection_costs_under_1_kib_beyond_its_events() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The bench generator's traffic (closes from either side, resets, refused and unanswered
    // SYNs, half-closes, IPv4 and IPv6), 20,000 connections over about 20 s of capture time:
    // TIME_WAIT (60 s) holds nearly all of them at the end.
    let mut bytes = Vec::new();
    let cfg = BulkConfig {
        packets: 200_000,
        connections: 20_000,
        seed: 3,
        ..Default::default()
    };
    write_bulk(&cfg, &mut bytes).unwrap();
    let mut reader = FileReader::from_bytes("bulk", Box::leak(bytes.into_boxed_slice())).unwrap();
    let mut decoder = Decoder::default();
    let mut items = Vec::new();
    while let Some(p) = reader.next_packet().unwrap() {
        items.push(decoder.item(&p));
    }
    let held = peak_held(items, TrackerConfig::default(), 1000, Counting::live);
    let per = held.per_connection();
    eprintln!(
        "held {} connections: {} bytes, {} of them in event logs; {per:.0} bytes per connection beyond its events",
        held.connections, held.bytes, held.event_bytes
    );
    assert!(held.connections > 15_000, "{held:?}");
    assert!(
        held.event_bytes > 0 && held.bytes > held.event_bytes,
        "{held:?}"
    );
    assert!(
        per < 1024.0,
        "{per:.0} bytes per connection beyond its events: {held:?}"
    );
}

#[test]
fn an_attempt_held_compactly_costs_tens_of_bytes() {
    use synack::decode::{Endpoint, Flags, Segment, TcpOptions};
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // A flood from spoofed sources, as a batch run tracks it: each SYN is an attempt.
    let syn = |i: u32| Segment {
        ts: Timestamp(i64::from(i) * 10_000),
        src: Endpoint {
            ip: std::net::Ipv4Addr::from(0x0a00_0000 + i).into(),
            port: 40000,
        },
        dst: Endpoint {
            ip: "192.0.2.1".parse().unwrap(),
            port: 80,
        },
        flags: Flags(Flags::SYN),
        seq: i.wrapping_mul(2_654_435_761),
        ack: 0,
        window: 64240,
        payload_len: 0,
        options: TcpOptions::default(),
    };
    let mut worst: f64 = 0.0;
    // Just past a doubling of the index (the worst case: 7/16 full) and just before one
    // (7/8 full), and between.
    for n in [57_400u32, 66_000, 114_600, 114_800, 130_000] {
        let base = Counting::live();
        let mut tracker = Tracker::new(TrackerConfig {
            retire: true,
            max_attempts: usize::MAX,
            ..Default::default()
        });
        for i in 0..n {
            tracker.ingest(&syn(i), u64::from(i) + 1);
        }
        assert_eq!(tracker.len(), n as usize);
        let per = Counting::live().saturating_sub(base) as f64 / f64::from(n);
        eprintln!("{n} attempts held: {per:.0} bytes each");
        worst = worst.max(per);
        drop(tracker);
    }
    // What the budget counts an attempt as is what the worst case costs.
    let counted = synack::track::budget::ATTEMPT_BYTES as f64;
    assert!(
        worst <= counted,
        "{worst:.0} bytes an attempt, counted as {counted}"
    );
    assert!(worst < 80.0, "{worst:.0} bytes an attempt");

    // With a pool (as --max-memory sets it), what is allocated stays within it when full.
    let pool = 70_000u32;
    let base = Counting::live();
    let mut tracker = Tracker::new(TrackerConfig {
        retire: true,
        max_attempts: usize::MAX,
        conn_bytes: u64::from(pool) * synack::track::budget::ATTEMPT_BYTES,
        ..Default::default()
    });
    for i in 0..pool {
        tracker.ingest(&syn(i), u64::from(i) + 1);
    }
    assert_eq!((tracker.len(), tracker.stats.evicted), (pool as usize, 0));
    let held = Counting::live().saturating_sub(base) as u64;
    let budget = u64::from(pool) * synack::track::budget::ATTEMPT_BYTES;
    eprintln!("a full pool of {pool} attempts: {held} bytes allocated of {budget}");
    assert!(
        held <= budget,
        "{held} bytes allocated for a pool of {budget}"
    );
}
