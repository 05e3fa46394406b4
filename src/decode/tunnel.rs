//! Tunnels: the headers that carry a whole inner packet, read as Zeek and Wireshark read
//! them, so the TCP connection inside is tracked as a connection. IP-in-IP (protocol 4, and
//! 41 for IPv6: 6in4, 4in6, 6in6), GRE (RFC 2784/2890, and PPTP's enhanced GRE carrying
//! PPP), and on UDP: VXLAN (RFC 7348, port 4789), Geneve (RFC 8926, 6081), Teredo (RFC 4380,
//! 3544) and GTP-U (3GPP TS 29.281, 2152). Pure functions on bytes.

use std::fmt;
use std::net::IpAddr;

use super::DecodeError;

/// Zeek's `Tunnel::max_depth`: encapsulations deeper than this are not followed.
pub const MAX_DEPTH: usize = 4;

/// The kind of an encapsulation, named as Zeek's `Tunnel::Type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TunnelKind {
    /// IP directly in IP (protocol 4 or 41).
    Ip,
    Gre,
    Vxlan,
    Geneve,
    Teredo,
    Gtpv1,
}

impl TunnelKind {
    pub const ALL: [TunnelKind; 6] = [
        TunnelKind::Ip,
        TunnelKind::Gre,
        TunnelKind::Vxlan,
        TunnelKind::Geneve,
        TunnelKind::Teredo,
        TunnelKind::Gtpv1,
    ];

    /// Lower-case name, for JSON and text (`ip`, `gre`, `vxlan`, `geneve`, `teredo`, `gtpv1`).
    pub fn name(self) -> &'static str {
        match self {
            TunnelKind::Ip => "ip",
            TunnelKind::Gre => "gre",
            TunnelKind::Vxlan => "vxlan",
            TunnelKind::Geneve => "geneve",
            TunnelKind::Teredo => "teredo",
            TunnelKind::Gtpv1 => "gtpv1",
        }
    }

    pub fn parse(s: &str) -> Option<TunnelKind> {
        TunnelKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// One level of encapsulation: its kind, the outer packet's addresses, and the tunnel's own
/// identifier where it has one (GRE key, VXLAN/Geneve VNI, GTP TEID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tunnel {
    pub kind: TunnelKind,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub id: Option<u32>,
}

impl fmt::Display for Tunnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} -> {}", self.kind.name(), self.src, self.dst)?;
        match (self.kind, self.id) {
            (TunnelKind::Vxlan | TunnelKind::Geneve, Some(id)) => write!(f, " vni {id}"),
            (TunnelKind::Gtpv1, Some(id)) => write!(f, " teid {id:#x}"),
            (TunnelKind::Gre, Some(id)) => write!(f, " key {id}"),
            _ => Ok(()),
        }
    }
}

/// The UDP ports each UDP tunnel is recognised on: the standard ones unless asked
/// (`--tunnel-port KIND=PORT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelPorts {
    pub vxlan: Vec<u16>,
    pub geneve: Vec<u16>,
    pub teredo: Vec<u16>,
    pub gtpu: Vec<u16>,
}

impl Default for TunnelPorts {
    fn default() -> Self {
        TunnelPorts {
            vxlan: vec![4789],
            geneve: vec![6081],
            teredo: vec![3544],
            gtpu: vec![2152],
        }
    }
}

impl TunnelPorts {
    /// Adds `port` for a UDP tunnel kind; false for a kind not carried on UDP.
    pub fn add(&mut self, kind: TunnelKind, port: u16) -> bool {
        let list = match kind {
            TunnelKind::Vxlan => &mut self.vxlan,
            TunnelKind::Geneve => &mut self.geneve,
            TunnelKind::Teredo => &mut self.teredo,
            TunnelKind::Gtpv1 => &mut self.gtpu,
            TunnelKind::Ip | TunnelKind::Gre => return false,
        };
        if !list.contains(&port) {
            list.push(port);
        }
        true
    }

    /// Which UDP tunnel a datagram between these ports is, if any: by its destination port
    /// (VXLAN, Geneve, GTP-U, as their receivers listen there) or either port (Teredo, whose
    /// server port is the known one).
    pub fn kind(&self, src: u16, dst: u16) -> Option<TunnelKind> {
        if self.vxlan.contains(&dst) {
            Some(TunnelKind::Vxlan)
        } else if self.geneve.contains(&dst) {
            Some(TunnelKind::Geneve)
        } else if self.gtpu.contains(&dst) || self.gtpu.contains(&src) {
            Some(TunnelKind::Gtpv1)
        } else if self.teredo.contains(&dst) || self.teredo.contains(&src) {
            Some(TunnelKind::Teredo)
        } else {
            None
        }
    }
}

/// What a tunnel header carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inner<'a> {
    /// An IP packet (the version nibble says which).
    Ip(&'a [u8]),
    /// An Ethernet frame (VXLAN, Geneve, GRE transparent bridging).
    Ethernet(&'a [u8]),
    /// Not a packet synack follows (another GRE protocol, a GTP signalling message): the
    /// frame counts as non-TCP.
    Other,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

const TRUNCATED: DecodeError = DecodeError::TunnelHeader;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_TEB: u16 = 0x6558;
const ETHERTYPE_PPP: u16 = 0x880b;

fn by_ethertype(et: u16, body: &[u8]) -> Inner<'_> {
    match et {
        ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => Inner::Ip(body),
        ETHERTYPE_TEB => Inner::Ethernet(body),
        _ => Inner::Other,
    }
}

/// A GRE header (RFC 2784 with RFC 2890's key and sequence number; version 1 is PPTP's
/// enhanced GRE, RFC 2637, whose payload is a PPP frame). Returns what it carries and its key
/// (version 0) or call ID (version 1).
pub fn gre(b: &[u8]) -> Result<(Inner<'_>, Option<u32>), DecodeError> {
    let flags = be16(b, 0).ok_or(TRUNCATED)?;
    let proto = be16(b, 2).ok_or(TRUNCATED)?;
    let (csum, key, seq) = (
        flags & 0x8000 != 0,
        flags & 0x2000 != 0,
        flags & 0x1000 != 0,
    );
    let mut at = 4;
    match flags & 0x7 {
        0 => {
            // Checksum and reserved take 4 bytes when the C (or the old R) bit is set.
            if csum || flags & 0x4000 != 0 {
                at += 4;
            }
            let key_value = if key {
                let k = be32(b, at).ok_or(TRUNCATED)?;
                at += 4;
                Some(k)
            } else {
                None
            };
            if seq {
                at += 4;
            }
            let body = b.get(at..).ok_or(TRUNCATED)?;
            Ok((by_ethertype(proto, body), key_value))
        }
        1 => {
            // Enhanced GRE: the key field is always there (payload length, call ID), then
            // the optional sequence and acknowledgment numbers.
            let call = be16(b, 6).ok_or(TRUNCATED)?;
            at += 4;
            if seq {
                at += 4;
            }
            if flags & 0x0080 != 0 {
                at += 4;
            }
            let body = b.get(at..).ok_or(TRUNCATED)?;
            if proto != ETHERTYPE_PPP {
                return Ok((Inner::Other, Some(u32::from(call))));
            }
            Ok((ppp(body), Some(u32::from(call))))
        }
        _ => Ok((Inner::Other, None)),
    }
}

/// A PPP frame's payload (with or without the HDLC address/control bytes, with a one- or
/// two-byte protocol field).
fn ppp(b: &[u8]) -> Inner<'_> {
    let b = if b.starts_with(&[0xff, 0x03]) {
        &b[2..]
    } else {
        b
    };
    let (proto, body) = match b.first() {
        // An odd first byte is a compressed one-byte protocol (RFC 1661 section 6.5).
        Some(&p) if p & 1 == 1 => (u16::from(p), &b[1..]),
        _ => match be16(b, 0) {
            Some(p) => (p, &b[2..]),
            None => return Inner::Other,
        },
    };
    match proto {
        0x0021 | 0x0057 => Inner::Ip(body),
        _ => Inner::Other,
    }
}

/// A VXLAN header: 8 bytes, the I flag marking a valid VNI, then an Ethernet frame.
pub fn vxlan(b: &[u8]) -> Result<(Inner<'_>, Option<u32>), DecodeError> {
    let h = b.get(..8).ok_or(TRUNCATED)?;
    if h[0] & 0x08 == 0 {
        return Ok((Inner::Other, None));
    }
    let vni = u32::from_be_bytes([0, h[4], h[5], h[6]]);
    Ok((Inner::Ethernet(&b[8..]), Some(vni)))
}

/// A Geneve header: 8 bytes, options of the length it says, then what its protocol type names
/// (usually an Ethernet frame).
pub fn geneve(b: &[u8]) -> Result<(Inner<'_>, Option<u32>), DecodeError> {
    let h = b.get(..8).ok_or(TRUNCATED)?;
    if h[0] >> 6 != 0 {
        return Ok((Inner::Other, None));
    }
    let opt_len = usize::from(h[0] & 0x3f) * 4;
    let proto = u16::from_be_bytes([h[2], h[3]]);
    let vni = u32::from_be_bytes([0, h[4], h[5], h[6]]);
    let body = b.get(8 + opt_len..).ok_or(TRUNCATED)?;
    Ok((by_ethertype(proto, body), Some(vni)))
}

/// Teredo: an IPv6 packet in UDP, after an optional authentication header (indicator 0x0001)
/// and an optional origin indication (0x0000, 8 bytes). Anything that is not then a whole
/// IPv6 header is not Teredo (port 3544 also carries plain UDP).
pub fn teredo(b: &[u8]) -> Result<(Inner<'_>, Option<u32>), DecodeError> {
    let mut b = b;
    if be16(b, 0) == Some(0x0001) {
        let id_len = usize::from(*b.get(2).ok_or(TRUNCATED)?);
        let auth_len = usize::from(*b.get(3).ok_or(TRUNCATED)?);
        // Indicator, lengths, client id, authentication value, nonce (8), confirmation (1).
        b = b.get(4 + id_len + auth_len + 9..).ok_or(TRUNCATED)?;
    }
    if be16(b, 0) == Some(0x0000) {
        b = b.get(8..).ok_or(TRUNCATED)?;
    }
    let is_v6 = b.len() >= 40
        && b[0] >> 4 == 6
        && usize::from(u16::from_be_bytes([b[4], b[5]])) + 40 <= b.len();
    Ok((if is_v6 { Inner::Ip(b) } else { Inner::Other }, None))
}

/// A GTPv1-U header: 8 bytes, 4 more when any of the E, S, PN flags is set, then the extension
/// headers the E flag chains. Only a G-PDU (message type 255) carries a user packet.
pub fn gtpu(b: &[u8]) -> Result<(Inner<'_>, Option<u32>), DecodeError> {
    let h = b.get(..8).ok_or(TRUNCATED)?;
    let flags = h[0];
    // Version 1, protocol type GTP (not GTP').
    if flags >> 5 != 1 || flags & 0x10 == 0 {
        return Ok((Inner::Other, None));
    }
    let teid = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
    if h[1] != 255 {
        return Ok((Inner::Other, Some(teid)));
    }
    let mut at = 8;
    if flags & 0x07 != 0 {
        let mut next = *b.get(11).ok_or(TRUNCATED)?;
        at = 12;
        while flags & 0x04 != 0 && next != 0 {
            // Each extension header: its length in 4-byte units, content, next type.
            let units = usize::from(*b.get(at).ok_or(TRUNCATED)?);
            if units == 0 {
                return Err(TRUNCATED);
            }
            at += units * 4;
            next = *b.get(at - 1).ok_or(TRUNCATED)?;
        }
    }
    let body = b.get(at..).ok_or(TRUNCATED)?;
    let ip = matches!(body.first().map(|v| v >> 4), Some(4 | 6));
    Ok((if ip { Inner::Ip(body) } else { Inner::Other }, Some(teid)))
}

/// Reads the tunnel header of a UDP datagram of `kind`.
pub fn udp(kind: TunnelKind, b: &[u8]) -> Result<(Inner<'_>, Option<u32>), DecodeError> {
    match kind {
        TunnelKind::Vxlan => vxlan(b),
        TunnelKind::Geneve => geneve(b),
        TunnelKind::Teredo => teredo(b),
        TunnelKind::Gtpv1 => gtpu(b),
        TunnelKind::Ip | TunnelKind::Gre => Ok((Inner::Other, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gre_headers_with_and_without_their_optional_fields() {
        let ip = [0x45u8, 0, 0, 20];
        // Plain: flags 0, IPv4.
        let plain = [&[0u8, 0, 0x08, 0][..], &ip].concat();
        assert_eq!(gre(&plain).unwrap(), (Inner::Ip(&ip[..]), None));
        // Checksum, key and sequence number: 12 more bytes.
        let full = [
            &[0xb0u8, 0, 0x86, 0xdd, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 7][..],
            &ip,
        ]
        .concat();
        assert_eq!(gre(&full).unwrap(), (Inner::Ip(&ip[..]), Some(42)));
        // Transparent Ethernet bridging.
        let teb = [&[0u8, 0, 0x65, 0x58][..], &ip].concat();
        assert_eq!(gre(&teb).unwrap().0, Inner::Ethernet(&ip[..]));
        // PPTP: version 1, key (length, call id 9), sequence, then PPP with IPv4.
        let pptp = [
            &[
                0x30u8, 0x01, 0x88, 0x0b, 0, 24, 0, 9, 0, 0, 0, 1, 0xff, 0x03, 0, 0x21,
            ][..],
            &ip,
        ]
        .concat();
        assert_eq!(gre(&pptp).unwrap(), (Inner::Ip(&ip[..]), Some(9)));
        // Cut inside the key: an error, not a panic.
        assert_eq!(gre(&full[..9]), Err(DecodeError::TunnelHeader));
        assert_eq!(gre(&[0u8, 0, 0x88, 0xbe]).unwrap().0, Inner::Other);
    }

    #[test]
    fn vxlan_and_geneve_carry_ethernet_with_their_vni() {
        let eth = [1u8; 14];
        let v = [&[0x08u8, 0, 0, 0, 0, 0x12, 0x34, 0][..], &eth].concat();
        assert_eq!(
            vxlan(&v).unwrap(),
            (Inner::Ethernet(&eth[..]), Some(0x1234))
        );
        assert_eq!(vxlan(&[0u8; 8]).unwrap().0, Inner::Other, "no I flag");
        // Geneve with 4 bytes of options.
        let g = [&[0x01u8, 0, 0x65, 0x58, 0, 0, 7, 0, 1, 2, 3, 4][..], &eth].concat();
        assert_eq!(geneve(&g).unwrap(), (Inner::Ethernet(&eth[..]), Some(7)));
        assert_eq!(geneve(&g[..10]), Err(DecodeError::TunnelHeader));
    }

    #[test]
    fn teredo_skips_its_indicators_and_wants_a_whole_ipv6_header() {
        let mut v6 = vec![0x60u8, 0, 0, 0, 0, 0, 6, 64];
        v6.extend([0u8; 32]);
        assert_eq!(teredo(&v6).unwrap().0, Inner::Ip(&v6[..]));
        let origin = [&[0u8, 0, 1, 2, 3, 4, 5, 6][..], &v6].concat();
        assert_eq!(teredo(&origin).unwrap().0, Inner::Ip(&v6[..]));
        let auth = [&[0u8, 1, 0, 0][..], &[0; 9], &origin].concat();
        assert_eq!(teredo(&auth).unwrap().0, Inner::Ip(&v6[..]));
        assert_eq!(
            teredo(b"hello, not teredo at all, just some udp bytes")
                .unwrap()
                .0,
            Inner::Other
        );
    }

    #[test]
    fn gtpu_g_pdus_carry_ip_after_their_extension_headers() {
        let ip = [0x45u8, 0, 0, 20];
        let plain = [&[0x30u8, 255, 0, 4, 0, 0, 0, 5][..], &ip].concat();
        assert_eq!(gtpu(&plain).unwrap(), (Inner::Ip(&ip[..]), Some(5)));
        // E flag, one 4-byte extension header (PDU session container, type 0x85).
        let ext = [
            &[0x34u8, 255, 0, 12, 0, 0, 0, 6, 0, 0, 0, 0x85, 1, 0, 0, 0][..],
            &ip,
        ]
        .concat();
        assert_eq!(gtpu(&ext).unwrap(), (Inner::Ip(&ip[..]), Some(6)));
        // An echo request (type 1) is signalling, not a user packet.
        assert_eq!(
            gtpu(&[0x32u8, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap().0,
            Inner::Other
        );
        assert_eq!(gtpu(&ext[..13]), Err(DecodeError::TunnelHeader));
    }

    #[test]
    fn udp_ports_name_the_tunnel_and_more_can_be_added() {
        let mut p = TunnelPorts::default();
        assert_eq!(p.kind(50000, 4789), Some(TunnelKind::Vxlan));
        assert_eq!(p.kind(3544, 50000), Some(TunnelKind::Teredo));
        assert_eq!(p.kind(50000, 8472), None);
        assert!(p.add(TunnelKind::Vxlan, 8472));
        assert_eq!(p.kind(50000, 8472), Some(TunnelKind::Vxlan));
        assert!(!p.add(TunnelKind::Gre, 1));
        assert_eq!(TunnelKind::parse("geneve"), Some(TunnelKind::Geneve));
    }
}
