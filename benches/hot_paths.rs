//! criterion benchmarks of synack's hot paths (`make bench-micro`, or `cargo bench --bench
//! hot_paths`): decoding one segment per link type, tracking one segment (a new connection,
//! an established one, a teardown), JSON for one connection, and one UI frame over 100,000
//! connections at 160x48 (in the default order, and re-sorted by another column). `make bench`
//! is the end-to-end comparison on large captures.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use synack::capture::FileReader;
use synack::decode::Decoder;
use synack::decode::{self, Endpoint, Flags, Segment, TcpOptions, Timestamp};
use synack::gen::bulk::{write_bulk, BulkConfig};
use synack::gen::conv::{ep, Conv};
use synack::gen::frame::{frame, Link};
use synack::output::{json, OutputOptions};
use synack::track::{Tracker, TrackerConfig};

fn decode_per_link(c: &mut Criterion) {
    let mut conv = Conv::new(ep("10.0.0.1", 40000), ep("10.0.0.2", 80), 1000, 5000, 0.0);
    conv.syn(0.0).syn_ack(0.01).ack_c(0.01).data_c(0.001, 100);
    let data = conv.packets.last().unwrap().clone();
    let links = [
        ("ethernet", Link::ethernet()),
        ("ethernet_vlan", Link::Ethernet { vlans: vec![100] }),
        ("sll", Link::Sll),
        ("sll2", Link::Sll2),
        ("raw", Link::Raw),
        ("null", Link::Null { big_endian: false }),
    ];
    let mut g = c.benchmark_group("decode");
    for (name, link) in links {
        let bytes = frame(&link, &data, false);
        let lt = link.linktype();
        g.bench_function(name, |b| {
            b.iter(|| decode::decode(lt, Timestamp(1), black_box(&bytes)))
        });
    }
    let mut v6 = Conv::new(ep("2001:db8::1", 40000), ep("2001:db8::2", 443), 1, 2, 0.0);
    v6.syn(0.0);
    let bytes = frame(&Link::ethernet(), &v6.packets[0], false);
    g.bench_function("ethernet_ipv6_syn_options", |b| {
        b.iter(|| decode::decode(Link::ethernet().linktype(), Timestamp(1), black_box(&bytes)))
    });
    g.finish();
}

fn segment(
    src: Endpoint,
    dst: Endpoint,
    flags: u16,
    seq: u32,
    ack: u32,
    len: u32,
    ts: i64,
) -> Segment {
    Segment {
        ts: Timestamp(ts),
        src,
        dst,
        flags: Flags(flags),
        seq,
        ack,
        window: 64240,
        payload_len: len,
        options: TcpOptions::default(),
    }
}

fn track(c: &mut Criterion) {
    let cl = ep("10.0.0.1", 40000);
    let sv = ep("10.0.0.2", 80);
    const SA: u16 = Flags::SYN | Flags::ACK;
    const A: u16 = Flags::ACK;
    const FA: u16 = Flags::FIN | Flags::ACK;
    let cfg = TrackerConfig {
        retire: true,
        max_events: 64,
        ..Default::default()
    };
    let mut g = c.benchmark_group("track");
    // A SYN on a 4-tuple the table has never seen, in a table of 10,000 connections.
    g.bench_function("new_connection", |b| {
        b.iter_batched(
            || warm_clone(&cfg, 10_000),
            |mut t| {
                t.ingest(&segment(cl, sv, Flags::SYN, 1, 0, 0, 2), 1);
                t
            },
            BatchSize::LargeInput,
        )
    });
    // Data on an established connection, its event log at the cap (the steady state).
    let mut t = Tracker::new(cfg.clone());
    t.ingest(&segment(cl, sv, Flags::SYN, 100, 0, 0, 1), 1);
    t.ingest(&segment(sv, cl, SA, 900, 101, 0, 2), 2);
    t.ingest(&segment(cl, sv, A, 101, 901, 0, 3), 3);
    let (mut seq, mut ts, mut frame_no) = (101u32, 4i64, 4u64);
    g.bench_function("established", |b| {
        b.iter(|| {
            t.ingest(
                black_box(&segment(cl, sv, A | Flags::PSH, seq, 901, 100, ts)),
                frame_no,
            );
            seq = seq.wrapping_add(100);
            ts += 1000;
            frame_no += 1;
        })
    });
    // The four-way close of an established connection (four segments).
    g.bench_function("teardown_4_segments", |b| {
        b.iter_batched(
            || {
                let mut t = Tracker::new(cfg.clone());
                t.ingest(&segment(cl, sv, Flags::SYN, 100, 0, 0, 1), 1);
                t.ingest(&segment(sv, cl, SA, 900, 101, 0, 2), 2);
                t.ingest(&segment(cl, sv, A, 101, 901, 0, 3), 3);
                t
            },
            |mut t| {
                t.ingest(&segment(cl, sv, FA, 101, 901, 0, 4), 4);
                t.ingest(&segment(sv, cl, A, 901, 102, 0, 5), 5);
                t.ingest(&segment(sv, cl, FA, 901, 102, 0, 6), 6);
                t.ingest(&segment(cl, sv, A, 102, 902, 0, 7), 7);
                t
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// A tracker holding `n` SYN_SENT connections.
fn warm_clone(cfg: &TrackerConfig, n: u32) -> Tracker {
    let sv = ep("10.0.0.2", 80);
    let mut t = Tracker::new(cfg.clone());
    for i in 0..n {
        let src = Endpoint {
            ip: std::net::Ipv4Addr::from(0x0a00_0000 + i).into(),
            port: 40000,
        };
        t.ingest(&segment(src, sv, Flags::SYN, i, 0, 0, 1), u64::from(i));
    }
    t
}

fn json_connection(c: &mut Criterion) {
    // The textbook connection: handshake, request, response, four-way close (10 events).
    let mut conv = Conv::new(ep("10.0.0.1", 40000), ep("10.0.0.2", 80), 1000, 5000, 0.0);
    conv.syn(0.0).syn_ack(0.01).ack_c(0.01).data_c(0.001, 120);
    conv.ack_s(0.01)
        .data_s(0.001, 1448)
        .data_s(0.001, 800)
        .ack_c(0.01);
    conv.fin_c(0.01).ack_s(0.01).fin_s(0.001).ack_c(0.01);
    let mut t = Tracker::new(TrackerConfig::default());
    for (i, p) in conv.packets.iter().enumerate() {
        let bytes = frame(&Link::ethernet(), p, false);
        if let Ok(decode::Decoded::Tcp(s)) =
            decode::decode(Link::ethernet().linktype(), p.ts, &bytes)
        {
            t.ingest(&s, i as u64 + 1);
        }
    }
    let conn = t.finish().remove(0);
    let now = conn.last_seen;
    let mut g = c.benchmark_group("json");
    for (name, no_events) in [
        ("connection_with_events", false),
        ("connection_no_events", true),
    ] {
        let opts = OutputOptions {
            no_events,
            ..Default::default()
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                json::write_connection(&mut std::io::sink(), black_box(&conn), &opts, &[], now)
            })
        });
    }
    g.finish();
}

fn ui_frame(c: &mut Criterion) {
    // 100,000 connections from the bulk generator, replayed into the UI's state. They all
    // start within a second of capture time, so none has retired by the end: the screen holds
    // all 100,000 (at the generator's default 1,000 a second, TIME_WAIT would keep about 65,000).
    let mut bytes = Vec::new();
    write_bulk(
        &BulkConfig {
            packets: 1_000_000,
            connections: 100_000,
            conn_rate: 100_000.0,
            ..Default::default()
        },
        &mut bytes,
    )
    .expect("generate");
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let mut reader = FileReader::from_bytes("bulk", bytes).expect("read");
    let mut dec = Decoder::default();
    let cfg = TrackerConfig {
        retire: true,
        ..Default::default()
    };
    let mut replay = synack::ui::replay::Replay::new(cfg, "bulk", false);
    let t0 = Instant::now();
    while let Some(pkt) = reader.next_packet().expect("read") {
        if let Some((seg, frame)) = dec.decode(&pkt) {
            replay.apply(&seg, frame, t0);
        }
    }
    replay.player.paused = true;
    // Every finding, as the event loop has them (the list marks connections with problems).
    replay.refresh_diagnosis(None);
    let held = replay.connections().count();
    assert!(held >= 100_000, "{held} connections held");
    let mut app = synack::ui::app::App::new(synack::ui::theme::Theme {
        ascii: false,
        color: true,
        ..Default::default()
    });
    let area = Rect::new(0, 0, 160, 48);
    let mut term = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    c.bench_function("ui/frame_100k_connections_160x48", |b| {
        b.iter(|| {
            app.sync(&replay, area);
            term.draw(|f| synack::ui::render::draw(f, &app, &replay))
                .expect("draw");
        })
    });
    // Sorted by another column than #, the connections changed since the last frame: the
    // list is filtered and sorted again, the dearest frame (while the replay plays, at most
    // every list::RESORT_EVERY; in between, frames cost what the default order costs).
    app.list.sort = synack::ui::list::SortKey::Bytes;
    c.bench_function("ui/frame_100k_connections_160x48_resorted_by_bytes", |b| {
        b.iter(|| {
            replay.store.changes += 1;
            app.sync(&replay, area);
            term.draw(|f| synack::ui::render::draw(f, &app, &replay))
                .expect("draw");
        })
    });
}

criterion_group!(benches, decode_per_link, track, json_connection, ui_frame);
criterion_main!(benches);
