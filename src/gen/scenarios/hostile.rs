//! Captures that once broke synack (found by the mutation test or the fuzzers), each the
//! smallest file that shows it, built here byte for byte rather than committed as found;
//! `tests/regressions.rs` reads them.

use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;

use super::{handshake_close, Fixture, Output};
use crate::gen::frame::{frame, Link};

pub fn hostile_fixtures() -> Vec<Fixture> {
    vec![Fixture {
        name: "far-future.pcapng",
        about: "pcapng whose interface counts one tick a second (if_tsresol 0): the textbook connection, four of its last five frames at 2^40 s (year 36812), the last at 2^64-1 s. Such times overflowed an i64 of nanoseconds (a panic in debug builds, found by the mutation test); they are clamped to 2116-02-20T23:53:38Z.",
        output: Output::Bytes(far_future()),
        truncate_to: None,
    }]
}

fn far_future() -> Vec<u8> {
    let link = Link::ethernet();
    let mut w = PcapNgWriter::new(Vec::new()).expect("pcapng to memory");
    let idb = InterfaceDescriptionBlock {
        linktype: DataLink::from(link.linktype().0),
        snaplen: 0,
        options: vec![InterfaceDescriptionOption::IfTsResol(0)],
    };
    w.write_pcapng_block(idb).expect("pcapng to memory");
    let packets = handshake_close();
    let n = packets.len();
    for (i, p) in packets.iter().enumerate() {
        let secs = p.ts.0 / crate::time::Timestamp::NANOS_PER_SEC;
        let ticks = match n - i {
            1 => u64::MAX,
            2..=5 => 1 << 40,
            _ => secs as u64,
        };
        let data = frame(&link, p, false);
        // pcap-file stores a Duration's nanoseconds as the raw 64-bit timestamp.
        let epb = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: std::time::Duration::from_nanos(ticks),
            original_len: data.len() as u32,
            data: std::borrow::Cow::Owned(data),
            options: Vec::new(),
        };
        w.write_pcapng_block(epb).expect("pcapng to memory");
    }
    w.into_inner()
}
