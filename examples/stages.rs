//! Times each stage of a batch run on its own, single-threaded, on one capture: read
//! (libpcap), read+decode, track (on segments decoded beforehand), and diagnose+format (on
//! connections tracked beforehand). Where a batch run's time goes, without perf; the numbers
//! in bench/RESULTS.md's third-session notes came from it. Uses the system allocator (the
//! CLI uses mimalloc), so compare runs of this program with each other, not with the CLI.
//!
//!     cargo run --release --example stages -- FILE.pcap [json|json-noev|text|diagnose|track]
//!
//! `track` frees connections as they retire (memory as in a real run) and formats only those
//! left at the end; the other modes keep every connection to format them all afterwards.

use std::time::Instant;

use synack::capture::FileReader;
use synack::decode::Decoder;
use synack::decode::{Segment, Timestamp};
use synack::diagnose::DiagConfig;
use synack::output::{Format, OutputOptions, Sink};
use synack::track::{Connection, Tracker, TrackerConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: stages FILE.pcap [MODE]");
    let mode = args.next().unwrap_or_else(|| "json-noev".into());

    let t = Instant::now();
    let mut r = FileReader::open(&path).expect("open");
    let mut n = 0u64;
    while let Ok(Some(_)) = r.next_packet() {
        n += 1;
    }
    let read = t.elapsed();

    let t = Instant::now();
    let mut r = FileReader::open(&path).expect("open");
    let mut d = Decoder::default();
    let mut items: Vec<Result<(Segment, u64), Timestamp>> = Vec::with_capacity(n as usize);
    while let Ok(Some(p)) = r.next_packet() {
        items.push(d.decode(&p).ok_or(p.ts));
    }
    let decode = t.elapsed();

    let t = Instant::now();
    let mut tr = Tracker::new(TrackerConfig {
        retire: true,
        ..Default::default()
    });
    let mut done: Vec<Box<Connection>> = Vec::new();
    let keep = mode != "track";
    for (i, it) in items.iter().enumerate() {
        match it {
            Ok((s, f)) => {
                tr.ingest(s, *f);
            }
            Err(ts) => tr.advance(*ts),
        }
        if i % 4096 == 0 {
            if keep {
                done.extend(tr.drain_retired());
            } else {
                tr.drain_retired().for_each(drop);
            }
        }
    }
    done.extend(tr.drain_retired());
    done.extend(tr.drain_boxed_by_id());
    let track = t.elapsed();
    let now = tr.now();

    let format = match mode.as_str() {
        "text" => Format::Text,
        "diagnose" => Format::Diagnose,
        _ => Format::Json,
    };
    let opts = OutputOptions {
        no_events: mode == "json-noev",
        two_msl: Timestamp(60 * Timestamp::NANOS_PER_SEC),
        ..Default::default()
    };
    let mut out = std::io::sink();
    let t = Instant::now();
    let mut sink = Sink::new(format, opts, DiagConfig::default(), &mut out);
    for c in &done {
        sink.connection(c, now).expect("write");
    }
    sink.flush().expect("flush");
    let write = t.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "{n} packets, {} connections: read {:.0} ms, read+decode {:.0} ms, track {:.0} ms, {mode} {:.0} ms",
        done.len(),
        ms(read),
        ms(decode),
        ms(track),
        ms(write)
    );
}
