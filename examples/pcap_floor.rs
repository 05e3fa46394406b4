//! The benchmark's floor: a minimal libpcap read loop that reads every packet and does
//! nothing with it (beyond touching its length, so the loop cannot be optimised away).
//!
//!     cargo run --release --example pcap_floor -- FILE.pcap

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: pcap_floor FILE.pcap");
    let mut cap = pcap::Capture::from_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (mut n, mut bytes) = (0u64, 0u64);
    while let Ok(p) = cap.next_packet() {
        n += 1;
        bytes += u64::from(p.header.caplen);
    }
    println!("{n} packets, {bytes} bytes captured");
}
