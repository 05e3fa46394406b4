//! Wrapping generated segments in link-layer frames.

use std::net::IpAddr;

use etherparse::PacketBuilder;

use super::conv::GenPacket;
use crate::decode::{Flags, LinkType};

/// The link layer a fixture is written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Ethernet II, with 802.1Q tags (outermost first; two or more is QinQ).
    Ethernet { vlans: Vec<u16> },
    /// Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113).
    Sll,
    /// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276), what `-i any` gives.
    Sll2,
    /// Raw IP (LINKTYPE_RAW, 101).
    Raw,
    /// Raw IPv4 (LINKTYPE_IPV4, 228).
    RawIpv4,
    /// BSD loopback (LINKTYPE_NULL, 0) with the family in little- or big-endian order.
    Null { big_endian: bool },
}

impl Link {
    pub fn ethernet() -> Link {
        Link::Ethernet { vlans: Vec::new() }
    }

    pub fn linktype(&self) -> LinkType {
        match self {
            Link::Ethernet { .. } => LinkType::ETHERNET,
            Link::Sll => LinkType::LINUX_SLL,
            Link::Sll2 => LinkType::LINUX_SLL2,
            Link::Raw => LinkType::RAW,
            Link::RawIpv4 => LinkType::IPV4,
            Link::Null { .. } => LinkType::NULL,
        }
    }

    /// The DLT_ value libpcap's `pcap_open_dead` wants for this link type.
    pub fn dlt(&self) -> i32 {
        match self {
            Link::Raw => 12,
            other => other.linktype().0 as i32,
        }
    }
}

const MAC_C: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const MAC_S: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

/// Encodes the IP packet (IPv4 or IPv6 by address) carrying `p`.
pub fn ip_packet(p: &GenPacket, ipv6_hop_by_hop: bool) -> Vec<u8> {
    let ip = match (p.src.ip, p.dst.ip) {
        (IpAddr::V4(s), IpAddr::V4(d)) => PacketBuilder::ipv4(s.octets(), d.octets(), 64),
        (IpAddr::V6(s), IpAddr::V6(d)) => PacketBuilder::ipv6(s.octets(), d.octets(), 64),
        _ => panic!("scenario mixes IPv4 and IPv6 in one segment"),
    };
    let mut tcp = ip.tcp(p.src.port, p.dst.port, p.seq, p.window);
    if p.flags & Flags::SYN != 0 {
        tcp = tcp.syn();
    }
    if p.flags & Flags::ACK != 0 {
        tcp = tcp.ack(p.ack);
    }
    if p.flags & Flags::FIN != 0 {
        tcp = tcp.fin();
    }
    if p.flags & Flags::RST != 0 {
        tcp = tcp.rst();
    }
    if p.flags & Flags::PSH != 0 {
        tcp = tcp.psh();
    }
    if p.flags & Flags::URG != 0 {
        tcp = tcp.urg(0);
    }
    if p.flags & Flags::ECE != 0 {
        tcp = tcp.ece();
    }
    if p.flags & Flags::CWR != 0 {
        tcp = tcp.cwr();
    }
    if !p.options.is_empty() {
        tcp = tcp.options(&p.options).expect("options fit in 40 bytes");
    }
    let mut out = Vec::with_capacity(tcp.size(p.payload.len()));
    tcp.write(&mut out, &p.payload)
        .expect("writing to a Vec cannot fail");
    if ipv6_hop_by_hop && out.first().map(|b| b >> 4) == Some(6) {
        // Splice in an 8-byte hop-by-hop header (a PadN option) after the fixed IPv6 header.
        // The TCP checksum is unaffected: its pseudo-header counts upper-layer bytes only.
        let next = out[6];
        out[6] = 0;
        let plen = u16::from_be_bytes([out[4], out[5]]) + 8;
        out[4..6].copy_from_slice(&plen.to_be_bytes());
        let ext = [next, 0, 1, 4, 0, 0, 0, 0];
        out.splice(40..40, ext);
    }
    out
}

/// Encodes the whole frame for `link`.
pub fn frame(link: &Link, p: &GenPacket, ipv6_hop_by_hop: bool) -> Vec<u8> {
    let ip = ip_packet(p, ipv6_hop_by_hop);
    let v6 = ip.first().map(|b| b >> 4) == Some(6);
    let ethertype: u16 = if v6 { 0x86dd } else { 0x0800 };
    let from_client = p.src.port > p.dst.port;
    let (smac, dmac) = if from_client {
        (MAC_C, MAC_S)
    } else {
        (MAC_S, MAC_C)
    };
    let mut f = Vec::with_capacity(ip.len() + 32);
    match link {
        Link::Ethernet { vlans } => {
            f.extend_from_slice(&dmac);
            f.extend_from_slice(&smac);
            for (i, id) in vlans.iter().enumerate() {
                // 802.1ad (0x88a8) for the outer tag of a QinQ stack, 802.1Q otherwise.
                let tpid: u16 = if vlans.len() > 1 && i == 0 {
                    0x88a8
                } else {
                    0x8100
                };
                f.extend_from_slice(&tpid.to_be_bytes());
                f.extend_from_slice(&(id & 0x0fff).to_be_bytes());
            }
            f.extend_from_slice(&ethertype.to_be_bytes());
        }
        Link::Sll => {
            let pkttype: u16 = if from_client { 4 } else { 0 };
            f.extend_from_slice(&pkttype.to_be_bytes());
            f.extend_from_slice(&1u16.to_be_bytes()); // ARPHRD_ETHER
            f.extend_from_slice(&6u16.to_be_bytes());
            f.extend_from_slice(&smac);
            f.extend_from_slice(&[0, 0]);
            f.extend_from_slice(&ethertype.to_be_bytes());
        }
        Link::Sll2 => {
            f.extend_from_slice(&ethertype.to_be_bytes());
            f.extend_from_slice(&[0, 0]);
            f.extend_from_slice(&2u32.to_be_bytes()); // interface index
            f.extend_from_slice(&1u16.to_be_bytes()); // ARPHRD_ETHER
            f.push(if from_client { 4 } else { 0 });
            f.push(6);
            f.extend_from_slice(&smac);
            f.extend_from_slice(&[0, 0]);
        }
        Link::Raw | Link::RawIpv4 => {}
        Link::Null { big_endian } => {
            let af: u32 = if v6 { 30 } else { 2 };
            if *big_endian {
                f.extend_from_slice(&af.to_be_bytes());
            } else {
                f.extend_from_slice(&af.to_le_bytes());
            }
        }
    }
    f.extend_from_slice(&ip);
    f
}
