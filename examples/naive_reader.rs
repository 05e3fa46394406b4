//! The "straightforward Rust reader": libpcap, etherparse and a HashMap of the TCP
//! flags seen per 4-tuple, no output beyond a count. A reference point between the floor and
//! synack in the benchmark table.
//!
//!     cargo run --release --example naive_reader -- FILE.pcap

use std::collections::HashMap;
use std::net::IpAddr;

use etherparse::{NetSlice, SlicedPacket, TransportSlice};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: naive_reader FILE.pcap");
    let mut cap = pcap::Capture::from_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut flags: HashMap<(IpAddr, u16, IpAddr, u16), u8> = HashMap::new();
    while let Ok(p) = cap.next_packet() {
        let Ok(s) = SlicedPacket::from_ethernet(p.data) else {
            continue;
        };
        let (src, dst) = match &s.net {
            Some(NetSlice::Ipv4(v4)) => (
                IpAddr::V4(v4.header().source_addr()),
                IpAddr::V4(v4.header().destination_addr()),
            ),
            Some(NetSlice::Ipv6(v6)) => (
                IpAddr::V6(v6.header().source_addr()),
                IpAddr::V6(v6.header().destination_addr()),
            ),
            _ => continue,
        };
        let Some(TransportSlice::Tcp(t)) = &s.transport else {
            continue;
        };
        let a = (src, t.source_port());
        let b = (dst, t.destination_port());
        let key = if a <= b {
            (a.0, a.1, b.0, b.1)
        } else {
            (b.0, b.1, a.0, a.1)
        };
        let bits = u8::from(t.syn()) | u8::from(t.fin()) << 1 | u8::from(t.rst()) << 2;
        *flags.entry(key).or_default() |= bits;
    }
    println!("{} 4-tuples", flags.len());
}
