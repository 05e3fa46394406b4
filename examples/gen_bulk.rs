//! Writes a large generated capture for the benchmark (see `synack::gen::bulk`).
//!
//!     cargo run --release --example gen_bulk -- OUT.pcap [PACKETS] [CONNECTIONS] [SEED]
//!
//! Defaults: 10,000,000 packets over about 1,000,000 connections, seed 1. `-` writes to
//! standard output. A summary line goes to stderr.

use std::io::{BufWriter, Write};
use std::time::Instant;

use synack::gen::bulk::{write_bulk, BulkConfig, Kind};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: gen_bulk OUT.pcap [PACKETS] [CONNECTIONS] [SEED]");
        std::process::exit(2);
    };
    let num = |i: usize, default: u64| -> u64 {
        args.get(i)
            .map(|s| s.replace('_', "").parse().expect("a number"))
            .unwrap_or(default)
    };
    let mut cfg = BulkConfig::default();
    cfg.packets = num(1, cfg.packets);
    cfg.connections = num(2, cfg.packets / 10);
    cfg.seed = num(3, cfg.seed);
    let start = Instant::now();
    let mut w: Box<dyn Write> = if out == "-" {
        Box::new(BufWriter::with_capacity(1 << 20, std::io::stdout().lock()))
    } else {
        let f = std::fs::File::create(out).unwrap_or_else(|e| panic!("{out}: {e}"));
        Box::new(BufWriter::with_capacity(1 << 20, f))
    };
    let stats = write_bulk(&cfg, &mut w).expect("write");
    drop(w);
    let secs = start.elapsed().as_secs_f64();
    let kinds: Vec<String> = Kind::ALL
        .iter()
        .zip(stats.by_kind)
        .map(|(k, n)| format!("{}={n}", k.name()))
        .collect();
    eprintln!(
        "gen_bulk: {} packets, {} connections ({}), {} bytes, {:.1} s of capture time; \
         written in {secs:.2} s ({:.1} M packets/s)",
        stats.packets,
        stats.connections,
        kinds.join(" "),
        stats.bytes,
        stats.span_ns as f64 / 1e9,
        stats.packets as f64 / secs / 1e6,
    );
}
