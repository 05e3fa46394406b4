//! Link layers: strip the frame header down to the network-layer packet.
//!
//! Hand-written rather than etherparse's `SlicedPacket::from_ethernet` because synack needs more
//! than it offers: any depth of 802.1Q/QinQ tags, MPLS label stacks, SLL2, BSD null in either
//! byte order, NFLOG, FDDI, ARCNET and IPoIB. Each is a few bytes of fixed header.

/// A pcap LINKTYPE_ value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkType(pub u32);

impl LinkType {
    pub const NULL: LinkType = LinkType(0);
    pub const ETHERNET: LinkType = LinkType(1);
    pub const FDDI: LinkType = LinkType(10);
    /// DLT_RAW on most systems writes LINKTYPE_RAW (101), but 12 and 14 occur in old files.
    pub const RAW_12: LinkType = LinkType(12);
    pub const RAW_14: LinkType = LinkType(14);
    pub const RAW: LinkType = LinkType(101);
    pub const LOOP: LinkType = LinkType(108);
    pub const LINUX_SLL: LinkType = LinkType(113);
    pub const ARCNET_LINUX: LinkType = LinkType(129);
    pub const IPV4: LinkType = LinkType(228);
    pub const IPV6: LinkType = LinkType(229);
    pub const NFLOG: LinkType = LinkType(239);
    pub const IPOIB: LinkType = LinkType(242);
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// libpcap's short name, for messages.
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "NULL",
            1 => "EN10MB",
            10 => "FDDI",
            12 | 14 | 101 => "RAW",
            108 => "LOOP",
            113 => "LINUX_SLL",
            129 => "ARCNET_LINUX",
            228 => "IPV4",
            229 => "IPV6",
            239 => "NFLOG",
            242 => "IPOIB",
            276 => "LINUX_SLL2",
            _ => "unsupported",
        }
    }
}

/// What the link layer carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetProto {
    Ipv4,
    Ipv6,
    /// ARP, LLDP, IPX, ...: counted as non-TCP.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkError {
    Truncated,
    Malformed,
}

const ETH_IPV4: u16 = 0x0800;
const ETH_IPV6: u16 = 0x86dd;
const ETH_VLAN: u16 = 0x8100;
const ETH_QINQ: u16 = 0x88a8;
const ETH_QINQ_OLD1: u16 = 0x9100;
const ETH_QINQ_OLD2: u16 = 0x9200;
const ETH_MPLS_UC: u16 = 0x8847;
const ETH_MPLS_MC: u16 = 0x8848;
const ETH_PPPOE_SESSION: u16 = 0x8864;

fn be16(b: &[u8], at: usize) -> Result<u16, super::DecodeError> {
    b.get(at..at + 2)
        .map(|s| u16::from_be_bytes([s[0], s[1]]))
        .ok_or(super::DecodeError::Link(LinkError::Truncated))
}

fn tail(b: &[u8], at: usize) -> Result<&[u8], super::DecodeError> {
    b.get(at..)
        .ok_or(super::DecodeError::Link(LinkError::Truncated))
}

/// Strips the link-layer header of `frame`, returning the network protocol and its bytes.
pub fn strip(linktype: LinkType, frame: &[u8]) -> Result<(NetProto, &[u8]), super::DecodeError> {
    use super::DecodeError;
    match linktype.0 {
        1 => {
            let et = be16(frame, 12)?;
            ethertype(et, tail(frame, 14)?)
        }
        // Linux cooked v1: 16-byte header, protocol in the last two bytes.
        113 => {
            if frame.len() < 16 {
                return Err(DecodeError::Link(LinkError::Truncated));
            }
            ethertype(be16(frame, 14)?, &frame[16..])
        }
        // Linux cooked v2: 20-byte header, protocol first (etherparse has no entry point for it).
        276 => {
            if frame.len() < 20 {
                return Err(DecodeError::Link(LinkError::Truncated));
            }
            ethertype(be16(frame, 0)?, &frame[20..])
        }
        // Raw IP: the version nibble says which.
        12 | 14 | 101 => by_version(frame),
        228 => Ok((NetProto::Ipv4, frame)),
        229 => Ok((NetProto::Ipv6, frame)),
        // BSD loopback: a 4-byte address family, in the capturing host's byte order for NULL
        // and in network order for LOOP. The family values are small, so whichever reading is
        // small is the right one.
        0 | 108 => {
            let h = frame
                .get(..4)
                .ok_or(DecodeError::Link(LinkError::Truncated))?;
            let le = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
            let be = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
            let af = le.min(be);
            let rest = &frame[4..];
            match af {
                2 => Ok((NetProto::Ipv4, rest)),
                // AF_INET6 differs by OS: 10 Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS.
                10 | 24 | 28 | 30 => Ok((NetProto::Ipv6, rest)),
                _ => Ok((NetProto::Other, rest)),
            }
        }
        // FDDI: 13-byte MAC header then 802.2 LLC/SNAP.
        10 => llc(tail(frame, 13)?),
        // Linux ARCNET: src, dst, 2-byte offset, then the RFC 1201 or RFC 1051 header.
        129 => {
            let proto = *frame
                .get(4)
                .ok_or(DecodeError::Link(LinkError::Truncated))?;
            match proto {
                // RFC 1201: protocol, split flag, 2-byte sequence; split flag 0xff marks an
                // exception packet with 4 more bytes.
                212 | 196 => {
                    let split = *frame
                        .get(5)
                        .ok_or(DecodeError::Link(LinkError::Truncated))?;
                    let at = if split == 0xff { 12 } else { 8 };
                    let p = if proto == 212 {
                        NetProto::Ipv4
                    } else {
                        NetProto::Ipv6
                    };
                    Ok((p, tail(frame, at)?))
                }
                // RFC 1051: just the protocol byte.
                240 => Ok((NetProto::Ipv4, tail(frame, 5)?)),
                _ => Ok((NetProto::Other, &[][..])),
            }
        }
        // NFLOG: 4-byte header (family, version, resource id) then TLVs; type 9 is the packet.
        239 => nflog(frame),
        // IP over InfiniBand: 40 bytes of addresses, a 2-byte EtherType, 2 reserved bytes.
        242 => ethertype(be16(frame, 40)?, tail(frame, 44)?),
        other => Err(DecodeError::UnsupportedLink(other)),
    }
}

fn by_version(ip: &[u8]) -> Result<(NetProto, &[u8]), super::DecodeError> {
    match ip.first().map(|b| b >> 4) {
        Some(4) => Ok((NetProto::Ipv4, ip)),
        Some(6) => Ok((NetProto::Ipv6, ip)),
        Some(_) => Err(super::DecodeError::IpHeader),
        None => Err(super::DecodeError::Link(LinkError::Truncated)),
    }
}

/// Follows an EtherType through VLAN tags, MPLS labels and PPPoE to IP.
fn ethertype(mut et: u16, mut rest: &[u8]) -> Result<(NetProto, &[u8]), super::DecodeError> {
    // Bounded: a frame cannot hold more tags than this, and a loop must end on bad input.
    for _ in 0..16 {
        match et {
            ETH_IPV4 => return Ok((NetProto::Ipv4, rest)),
            ETH_IPV6 => return Ok((NetProto::Ipv6, rest)),
            ETH_VLAN | ETH_QINQ | ETH_QINQ_OLD1 | ETH_QINQ_OLD2 => {
                et = be16(rest, 2)?;
                rest = tail(rest, 4)?;
            }
            ETH_MPLS_UC | ETH_MPLS_MC => {
                // Pop labels to the bottom of the stack, then guess IP by version nibble
                // (MPLS does not say what it carries).
                loop {
                    let label = rest
                        .get(..4)
                        .ok_or(super::DecodeError::Link(LinkError::Truncated))?;
                    rest = &rest[4..];
                    if label[2] & 0x01 != 0 {
                        break;
                    }
                }
                return match rest.first().map(|b| b >> 4) {
                    Some(4) => Ok((NetProto::Ipv4, rest)),
                    Some(6) => Ok((NetProto::Ipv6, rest)),
                    _ => Ok((NetProto::Other, rest)),
                };
            }
            ETH_PPPOE_SESSION => {
                let ppp = be16(rest, 6)?;
                rest = tail(rest, 8)?;
                return match ppp {
                    0x0021 => Ok((NetProto::Ipv4, rest)),
                    0x0057 => Ok((NetProto::Ipv6, rest)),
                    _ => Ok((NetProto::Other, rest)),
                };
            }
            // An 802.3 length field: LLC/SNAP may follow.
            len if len <= 1500 => return llc(rest),
            _ => return Ok((NetProto::Other, rest)),
        }
    }
    Err(super::DecodeError::Link(LinkError::Malformed))
}

/// 802.2 LLC: only SNAP (AA AA 03, OUI, EtherType) can carry IP.
fn llc(b: &[u8]) -> Result<(NetProto, &[u8]), super::DecodeError> {
    match b.get(..3) {
        Some([0xaa, 0xaa, 0x03]) => ethertype(be16(b, 6)?, tail(b, 8)?),
        Some(_) => Ok((NetProto::Other, &[][..])),
        None => Err(super::DecodeError::Link(LinkError::Truncated)),
    }
}

fn nflog(frame: &[u8]) -> Result<(NetProto, &[u8]), super::DecodeError> {
    let family = *frame
        .first()
        .ok_or(super::DecodeError::Link(LinkError::Truncated))?;
    let mut at = 4;
    while at + 4 <= frame.len() {
        // TLV length and type are in the capturing host's byte order; NFLOG is Linux-only and
        // nearly always little-endian.
        let len = usize::from(u16::from_le_bytes([frame[at], frame[at + 1]]));
        let typ = u16::from_le_bytes([frame[at + 2], frame[at + 3]]);
        if len < 4 {
            return Err(super::DecodeError::Link(LinkError::Malformed));
        }
        if typ == 9 {
            let end = (at + len).min(frame.len());
            let payload = &frame[at + 4..end];
            return match family {
                2 => Ok((NetProto::Ipv4, payload)),
                10 => Ok((NetProto::Ipv6, payload)),
                _ => by_version(payload),
            };
        }
        at += (len + 3) & !3;
    }
    Ok((NetProto::Other, &[][..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethernet_with_three_vlan_tags_reaches_ipv4() {
        let mut f = vec![0u8; 12];
        for _ in 0..3 {
            f.extend_from_slice(&[0x81, 0x00]);
            f.extend_from_slice(&[0x00, 0x2a]);
        }
        f.extend_from_slice(&[0x08, 0x00, 0x45, 0x00]);
        let (p, rest) = strip(LinkType::ETHERNET, &f).unwrap();
        assert_eq!(p, NetProto::Ipv4);
        assert_eq!(rest, &[0x45, 0x00]);
    }

    #[test]
    fn mpls_stack_is_popped_to_ip() {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x88, 0x47]);
        f.extend_from_slice(&[0, 0, 0x00, 64]); // not bottom
        f.extend_from_slice(&[0, 0, 0x01, 64]); // bottom of stack
        f.extend_from_slice(&[0x60, 0, 0, 0]);
        let (p, rest) = strip(LinkType::ETHERNET, &f).unwrap();
        assert_eq!(p, NetProto::Ipv6);
        assert_eq!(rest[0], 0x60);
    }

    #[test]
    fn null_link_reads_either_byte_order() {
        let le = [2u8, 0, 0, 0, 0x45];
        let be = [0u8, 0, 0, 2, 0x45];
        let v6 = [0u8, 0, 0, 30, 0x60];
        assert_eq!(strip(LinkType::NULL, &le).unwrap().0, NetProto::Ipv4);
        assert_eq!(strip(LinkType::NULL, &be).unwrap().0, NetProto::Ipv4);
        assert_eq!(strip(LinkType::NULL, &v6).unwrap().0, NetProto::Ipv6);
    }

    #[test]
    fn sll2_protocol_is_at_offset_zero() {
        let mut f = vec![0x86, 0xdd];
        f.resize(20, 0);
        f.push(0x60);
        let (p, rest) = strip(LinkType::LINUX_SLL2, &f).unwrap();
        assert_eq!(p, NetProto::Ipv6);
        assert_eq!(rest, &[0x60]);
    }

    #[test]
    fn short_headers_are_truncation_errors_not_panics() {
        for lt in [0u32, 1, 10, 101, 113, 129, 239, 242, 276] {
            for n in 0..4 {
                let f = vec![0x81u8; n];
                let _ = strip(LinkType(lt), &f);
            }
        }
        assert_eq!(
            strip(LinkType::LINUX_SLL, &[0; 10]),
            Err(crate::decode::DecodeError::Link(LinkError::Truncated))
        );
    }

    #[test]
    fn unknown_link_type_is_reported_with_its_number() {
        assert_eq!(
            strip(LinkType(160), &[0; 40]),
            Err(crate::decode::DecodeError::UnsupportedLink(160))
        );
    }

    #[test]
    fn nflog_payload_tlv_is_found() {
        let mut f = vec![2u8, 0, 0, 42];
        f.extend_from_slice(&[8, 0, 1, 0, 0, 0, 0, 0]); // some TLV
        f.extend_from_slice(&[6, 0, 9, 0, 0x45, 0x00, 0, 0]); // payload TLV, padded
        let (p, rest) = strip(LinkType::NFLOG, &f).unwrap();
        assert_eq!(p, NetProto::Ipv4);
        assert_eq!(rest, &[0x45, 0x00]);
    }
}
