//! Generated packets put in tunnels and cut into IP fragments, for the tunnel and fragment
//! fixtures: each function takes a whole IP packet and returns IP packets.

use std::net::IpAddr;

use etherparse::{
    IpFragOffset, IpNumber, Ipv4Header, Ipv6FragmentHeader, Ipv6Header, PacketBuilder,
};

/// How a packet is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// Directly in IP (protocol 4 or 41 by the inner version).
    Ip,
    /// GRE (RFC 2784) with a key (RFC 2890).
    Gre {
        key: u32,
    },
    /// GRE carrying an Ethernet frame (transparent bridging, 0x6558).
    GreEthernet,
    /// PPTP's enhanced GRE (version 1) carrying PPP.
    Pptp {
        call: u16,
    },
    Vxlan {
        vni: u32,
        port: u16,
    },
    Geneve {
        vni: u32,
    },
    /// Teredo with an origin indication (IPv6 inside only).
    Teredo,
    /// A GTP-U G-PDU with one extension header.
    Gtpu {
        teid: u32,
    },
}

const MAC_A: [u8; 6] = [2, 0, 0, 0, 0xaa, 1];
const MAC_B: [u8; 6] = [2, 0, 0, 0, 0xaa, 2];

fn ethertype_of(ip: &[u8]) -> [u8; 2] {
    if ip.first().map(|b| b >> 4) == Some(6) {
        [0x86, 0xdd]
    } else {
        [0x08, 0x00]
    }
}

/// An Ethernet frame around an IP packet.
pub fn ethernet(ip: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(ip.len() + 14);
    f.extend_from_slice(&MAC_B);
    f.extend_from_slice(&MAC_A);
    f.extend_from_slice(&ethertype_of(ip));
    f.extend_from_slice(ip);
    f
}

fn outer_ip(src: IpAddr, dst: IpAddr) -> etherparse::PacketBuilderStep<etherparse::IpHeaders> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => PacketBuilder::ipv4(s.octets(), d.octets(), 64),
        (IpAddr::V6(s), IpAddr::V6(d)) => PacketBuilder::ipv6(s.octets(), d.octets(), 64),
        _ => panic!("outer addresses of one version"),
    }
}

fn ip_with(src: IpAddr, dst: IpAddr, proto: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    outer_ip(src, dst)
        .write(&mut out, IpNumber(proto), payload)
        .expect("writing to a Vec");
    out
}

fn udp(src: IpAddr, dst: IpAddr, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    outer_ip(src, dst)
        .udp(sport, dport)
        .write(&mut out, payload)
        .expect("writing to a Vec");
    out
}

/// `inner` (an IP packet) carried from `src` to `dst` as `how` says; `port` is the outer UDP
/// port that is not the tunnel's own, where there is one. A `reply` goes back towards the
/// end that listens on the tunnel's port (only Teredo's port then is the source).
pub fn wrap(inner: &[u8], how: Wrap, src: IpAddr, dst: IpAddr, port: u16, reply: bool) -> Vec<u8> {
    let sport = port;
    let v6_inside = inner.first().map(|b| b >> 4) == Some(6);
    match how {
        Wrap::Ip => ip_with(src, dst, if v6_inside { 41 } else { 4 }, inner),
        Wrap::Gre { key } => {
            let et = ethertype_of(inner);
            let mut g = vec![0x20, 0, et[0], et[1]];
            g.extend_from_slice(&key.to_be_bytes());
            g.extend_from_slice(inner);
            ip_with(src, dst, 47, &g)
        }
        Wrap::GreEthernet => {
            let mut g = vec![0, 0, 0x65, 0x58];
            g.extend(ethernet(inner));
            ip_with(src, dst, 47, &g)
        }
        Wrap::Pptp { call } => {
            let ppp_proto: u16 = if v6_inside { 0x0057 } else { 0x0021 };
            let mut ppp = vec![0xff, 0x03];
            ppp.extend_from_slice(&ppp_proto.to_be_bytes());
            ppp.extend_from_slice(inner);
            // Version 1, K and S set; key = payload length and call id; a sequence number.
            let mut g = vec![0x30, 0x01, 0x88, 0x0b];
            g.extend_from_slice(&(ppp.len() as u16).to_be_bytes());
            g.extend_from_slice(&call.to_be_bytes());
            g.extend_from_slice(&1u32.to_be_bytes());
            g.extend(ppp);
            ip_with(src, dst, 47, &g)
        }
        Wrap::Vxlan { vni, port } => {
            let v = vni.to_be_bytes();
            let mut h = vec![0x08, 0, 0, 0, v[1], v[2], v[3], 0];
            h.extend(ethernet(inner));
            udp(src, dst, sport, port, &h)
        }
        Wrap::Geneve { vni } => {
            let v = vni.to_be_bytes();
            // One 4-byte option (class 0x0101, type 1, length 0).
            let mut h = vec![
                0x01, 0, 0x65, 0x58, v[1], v[2], v[3], 0, 0x01, 0x01, 0x01, 0,
            ];
            h.extend(ethernet(inner));
            udp(src, dst, sport, 6081, &h)
        }
        Wrap::Teredo => {
            assert!(v6_inside, "Teredo carries IPv6");
            let mut h = vec![0, 0, 0xbf, 0xc6, 0xfe, 0xff, 0xff, 0xfe];
            h.extend_from_slice(inner);
            if reply {
                udp(src, dst, 3544, sport, &h)
            } else {
                udp(src, dst, sport, 3544, &h)
            }
        }
        Wrap::Gtpu { teid } => {
            // Version 1, PT, E: a PDU session container extension header (4 bytes).
            let mut h = vec![0x34, 255];
            h.extend_from_slice(&((inner.len() + 8) as u16).to_be_bytes());
            h.extend_from_slice(&teid.to_be_bytes());
            h.extend_from_slice(&[0, 0, 0, 0x85, 1, 0x10, 0x09, 0]);
            h.extend_from_slice(inner);
            udp(src, dst, sport, 2152, &h)
        }
    }
}

/// One fragment of `ip` (a whole IPv4 or IPv6 packet without extension headers): the bytes
/// `[start, end)` of its payload, `more` unless it is the last. IPv6 gets a fragment header.
pub fn fragment(ip: &[u8], ident: u32, start: usize, end: usize, more: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if ip[0] >> 4 == 4 {
        let (h, payload) = Ipv4Header::from_slice(ip).expect("an IPv4 packet");
        let mut h = h.clone();
        let part = &payload[start..end];
        h.identification = ident as u16;
        h.more_fragments = more;
        h.dont_fragment = false;
        h.fragment_offset = IpFragOffset::try_new((start / 8) as u16).expect("offset");
        h.set_payload_len(part.len()).expect("length");
        h.header_checksum = h.calc_header_checksum();
        h.write(&mut out).expect("writing to a Vec");
        out.extend_from_slice(part);
    } else {
        let (h, payload) = Ipv6Header::from_slice(ip).expect("an IPv6 packet");
        let part = &payload[start..end];
        let mut h = h.clone();
        let f = Ipv6FragmentHeader::new(
            h.next_header,
            IpFragOffset::try_new((start / 8) as u16).expect("offset"),
            more,
            ident,
        );
        h.next_header = IpNumber::IPV6_FRAGMENTATION_HEADER;
        h.payload_length = (8 + part.len()) as u16;
        h.write(&mut out).expect("writing to a Vec");
        f.write(&mut out).expect("writing to a Vec");
        out.extend_from_slice(part);
    }
    out
}

/// The payload length of a whole IPv4 or IPv6 packet (without extension headers).
pub fn payload_len(ip: &[u8]) -> usize {
    if ip[0] >> 4 == 4 {
        ip.len() - usize::from(ip[0] & 0x0f) * 4
    } else {
        ip.len() - 40
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode_ip, Decoded};
    use crate::gen::frame::ip_packet;
    use crate::testkit;

    #[test]
    fn every_wrap_decodes_back_to_the_segment_inside() {
        let mut c = testkit::conv(0.0);
        c.syn(0.0);
        let inner = ip_packet(&c.packets[0], false);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let want = testkit::segment(&c.packets[0]);
        for how in [
            Wrap::Ip,
            Wrap::Gre { key: 7 },
            Wrap::GreEthernet,
            Wrap::Pptp { call: 3 },
            Wrap::Vxlan { vni: 9, port: 4789 },
            Wrap::Geneve { vni: 9 },
            Wrap::Gtpu { teid: 5 },
        ] {
            let outer = wrap(&inner, how, a, b, 50000, false);
            assert_eq!(
                decode_ip(want.ts, &outer),
                Ok(Decoded::Tcp(want)),
                "{how:?}"
            );
        }
    }
}
