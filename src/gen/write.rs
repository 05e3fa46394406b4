//! Writing generated frames as pcap (libpcap) and pcapng / big-endian pcap (pcap-file).

use std::fs::File;
use std::path::Path;

use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::{DataLink, Endianness};

use super::conv::GenPacket;
use super::frame::{frame, Link};
use crate::decode::Timestamp;

/// One frame ready to write.
#[derive(Debug, Clone)]
pub struct Frame {
    pub ts: Timestamp,
    pub data: Vec<u8>,
    /// Length on the wire; more than `data.len()` for a snaplen-cut frame.
    pub orig_len: u32,
}

pub fn frames(link: &Link, packets: &[GenPacket], ipv6_hop_by_hop: bool) -> Vec<Frame> {
    packets
        .iter()
        .map(|p| {
            let data = frame(link, p, ipv6_hop_by_hop);
            Frame {
                ts: p.ts,
                orig_len: data.len() as u32,
                data,
            }
        })
        .collect()
}

/// Writes a classic pcap with libpcap, in microsecond or nanosecond precision.
pub fn write_pcap(path: &Path, link: &Link, frames: &[Frame], nano: bool) -> Result<(), String> {
    let precision = if nano {
        pcap::Precision::Nano
    } else {
        pcap::Precision::Micro
    };
    let dead = pcap::Capture::dead_with_precision(pcap::Linktype(link.dlt()), precision)
        .map_err(|e| e.to_string())?;
    let mut save = dead.savefile(path).map_err(|e| e.to_string())?;
    for f in frames {
        let secs = f.ts.0.div_euclid(Timestamp::NANOS_PER_SEC);
        let nanos = f.ts.0.rem_euclid(Timestamp::NANOS_PER_SEC);
        let frac = if nano { nanos } else { nanos / 1000 };
        let header = pcap::PacketHeader {
            ts: libc::timeval {
                tv_sec: secs as libc::time_t,
                tv_usec: frac as libc::suseconds_t,
            },
            caplen: f.data.len() as u32,
            len: f.orig_len,
        };
        save.write(&pcap::Packet::new(&header, &f.data));
    }
    save.flush().map_err(|e| e.to_string())
}

/// Writes a big-endian pcap (as SPARC and PowerPC hosts did), which libpcap cannot write here.
pub fn write_pcap_big_endian(path: &Path, link: &Link, frames: &[Frame]) -> Result<(), String> {
    use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
    let file = File::create(path).map_err(|e| e.to_string())?;
    let header = PcapHeader {
        datalink: DataLink::from(link.linktype().0),
        endianness: Endianness::Big,
        ..Default::default()
    };
    let mut w = PcapWriter::with_header(file, header).map_err(|e| e.to_string())?;
    for f in frames {
        let ts = std::time::Duration::from_nanos(f.ts.0 as u64);
        w.write_packet(&PcapPacket::new(ts, f.orig_len, &f.data))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Writes a pcapng with one interface per link, each frame tagged with its interface.
/// Interface `i` uses nanosecond timestamps when `nano[i]`.
pub fn write_pcapng(
    path: &Path,
    links: &[(Link, bool)],
    frames: &[(usize, Frame)],
) -> Result<(), String> {
    let file = File::create(path).map_err(|e| e.to_string())?;
    let mut w = PcapNgWriter::new(file).map_err(|e| e.to_string())?;
    for (link, nano) in links {
        let mut options = Vec::new();
        if *nano {
            options.push(InterfaceDescriptionOption::IfTsResol(9));
        }
        let idb = InterfaceDescriptionBlock {
            linktype: DataLink::from(link.linktype().0),
            snaplen: 0,
            options,
        };
        w.write_pcapng_block(idb).map_err(|e| e.to_string())?;
    }
    for (iface, f) in frames {
        let units = if links[*iface].1 {
            f.ts.0 as u64
        } else {
            (f.ts.0 / 1000) as u64
        };
        // pcap-file stores a Duration's nanoseconds as the raw 64-bit timestamp.
        let epb = EnhancedPacketBlock {
            interface_id: *iface as u32,
            timestamp: std::time::Duration::from_nanos(units),
            original_len: f.orig_len,
            data: std::borrow::Cow::Borrowed(&f.data),
            options: Vec::new(),
        };
        w.write_pcapng_block(epb).map_err(|e| e.to_string())?;
    }
    Ok(())
}
