//! Writes the hostile captures the memory bound is measured on (see `synack::gen::bulk`'s
//! `Hostile`), for `make bench`:
//!
//!     cargo run --release --example gen_hostile -- flood OUT.pcap [SYNS] [GAP_NS] # 1,000,000, 10,000
//!     cargo run --release --example gen_hostile -- long OUT.pcap [CONNS] [SEGS] # 200 x 10,000

use std::io::BufWriter;

use synack::gen::bulk::{write_hostile, Hostile};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: u64| -> u64 {
        args.get(i)
            .map(|s| s.replace('_', "").parse().expect("a number"))
            .unwrap_or(default)
    };
    let (what, out) = match (args.first().map(String::as_str), args.get(1)) {
        (Some("flood"), Some(out)) => (
            Hostile::SynFlood {
                syns: num(2, 1_000_000),
                gap_ns: num(3, 10_000) as i64,
            },
            out,
        ),
        (Some("long"), Some(out)) => (
            Hostile::Long {
                conns: num(2, 200),
                segs: num(3, 10_000),
            },
            out,
        ),
        _ => {
            eprintln!("usage: gen_hostile flood|long OUT.pcap [N...]");
            std::process::exit(2);
        }
    };
    let f = std::fs::File::create(out).unwrap_or_else(|e| panic!("{out}: {e}"));
    let n = write_hostile(what, 1, &mut BufWriter::with_capacity(1 << 20, f)).expect("write");
    eprintln!("gen_hostile: {what:?}: {n} packets");
}
