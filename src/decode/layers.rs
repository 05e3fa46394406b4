//! One frame taken apart layer by layer, for the TUI's layers view (`i`): the five-layer model
//! a course teaches (physical, data link, network, transport, application), every header
//! field named.
//!
//! Pure: [`dissect`] takes the frame's bytes and its link type and returns an owned
//! [`Layers`]. It never panics on a short or broken frame: it keeps what it could read and
//! says in [`Layers::stopped`] where it stopped and why. The fixed IP and TCP headers are read
//! with etherparse's slices, as the decoder reads them; link headers, IPv6 extension headers,
//! TCP options and tunnels by hand, since the view wants every field, not just the segment.

use std::net::IpAddr;

use etherparse::{Ipv4HeaderSlice, Ipv6HeaderSlice, TcpHeaderSlice};

use super::link::LinkType;
use super::tunnel::{self, Inner, TunnelKind, TunnelPorts};
use crate::time::Timestamp;

/// How many payload bytes a [`Layers`] keeps (the view shows the first ones).
pub const PAYLOAD_KEEP: usize = 512;

/// What the capture file (or the ring) says about the frame itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameMeta {
    /// 1-based, as Wireshark numbers frames.
    pub number: u64,
    pub ts: Timestamp,
    pub linktype: LinkType,
    /// Length on the wire.
    pub orig_len: u32,
    /// pcapng: the interface's name (`if_name`) or, without one, its index.
    pub interface: Option<String>,
}

/// A frame's bytes and what the file says about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub meta: FrameMeta,
    pub data: Vec<u8>,
}

/// Which of the five layers a field or a stop belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Physical,
    Link,
    Network,
    Transport,
    Application,
}

/// Where the dissection stopped early: the layer, the byte offset in the frame, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub layer: Layer,
    pub offset: usize,
    pub why: String,
}

/// An 802.1Q / 802.1ad tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vlan {
    pub tpid: u16,
    pub pcp: u8,
    pub dei: bool,
    pub vid: u16,
}

/// The link layer's header, by link type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkHeader {
    Ethernet {
        dst: [u8; 6],
        src: [u8; 6],
        vlans: Vec<Vlan>,
        /// MPLS labels, top first (label, traffic class, bottom of stack, TTL).
        mpls: Vec<(u32, u8, bool, u8)>,
        /// PPPoE session id and PPP protocol.
        pppoe: Option<(u16, u16)>,
        /// The EtherType after the tags (or the 802.3 length).
        ethertype: u16,
    },
    /// Linux cooked capture v1 (16 bytes).
    Sll {
        packet_type: u16,
        arphrd: u16,
        addr: Vec<u8>,
        protocol: u16,
    },
    /// Linux cooked capture v2 (20 bytes).
    Sll2 {
        protocol: u16,
        ifindex: u32,
        arphrd: u16,
        packet_type: u8,
        addr: Vec<u8>,
    },
    /// BSD loopback: the address family, and whether it was read little-endian.
    Null { family: u32, little_endian: bool },
    /// Raw IP: no link header at all.
    Raw,
    /// A link type read only as far as the decoder's strip (FDDI, NFLOG, ...): its header
    /// length.
    Other { header_len: usize },
}

/// An IPv6 extension header: its protocol number and length in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv6Ext {
    pub proto: u8,
    pub len: usize,
    /// A fragment header's offset (in bytes), more-fragments flag and id.
    pub fragment: Option<(u16, bool, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4 {
    pub header_len: usize,
    pub dscp: u8,
    pub ecn: u8,
    pub total_len: u16,
    pub id: u16,
    pub df: bool,
    pub mf: bool,
    /// In bytes.
    pub frag_offset: u16,
    pub ttl: u8,
    pub protocol: u8,
    pub checksum: u16,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// Bytes of IPv4 options.
    pub options_len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv6 {
    pub dscp: u8,
    pub ecn: u8,
    pub flow_label: u32,
    pub payload_len: u16,
    pub next_header: u8,
    pub hop_limit: u8,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub ext: Vec<Ipv6Ext>,
}

/// One header of the network layer, outermost first: IP, and for a tunnelled segment the
/// tunnel's own headers and the inner IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetHeader {
    Ipv4(Ipv4),
    Ipv6(Ipv6),
    /// The UDP header a VXLAN, Geneve, Teredo or GTP-U tunnel rides on.
    Udp {
        sport: u16,
        dport: u16,
        len: u16,
    },
    /// A tunnel header and its identifier (GRE key, VNI, TEID).
    Tunnel {
        kind: TunnelKind,
        id: Option<u32>,
    },
    /// An Ethernet frame inside the tunnel (VXLAN, Geneve, GRE's transparent bridging).
    InnerEthernet(LinkHeader),
}

/// A TCP option, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpOpt {
    Eol,
    Nop,
    Mss(u16),
    WindowScale(u8),
    SackPermitted,
    Sack(Vec<(u32, u32)>),
    Timestamps(u32, u32),
    /// Any other kind, with its data.
    Other {
        kind: u8,
        data: Vec<u8>,
    },
    /// An option whose length is wrong or runs past the header.
    Bad {
        kind: u8,
        at: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tcp {
    pub sport: u16,
    pub dport: u16,
    pub seq: u32,
    pub ack: u32,
    pub header_len: usize,
    /// The 12 bits after the data offset: reserved (3), then AE/NS, CWR, ECE, URG, ACK, PSH,
    /// RST, SYN, FIN.
    pub flags: u16,
    pub window: u16,
    pub checksum: u16,
    pub urgent: u16,
    pub options: Vec<TcpOpt>,
}

/// The TCP flag bits, low to high as in the header, with their names.
pub const TCP_FLAGS: [(u16, &str); 9] = [
    (0x001, "FIN"),
    (0x002, "SYN"),
    (0x004, "RST"),
    (0x008, "PSH"),
    (0x010, "ACK"),
    (0x020, "URG"),
    (0x040, "ECE"),
    (0x080, "CWR"),
    (0x100, "AE"),
];

/// The segment's data: its length as the IP header declares it, and the first captured bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// Offset of the first byte in the frame.
    pub offset: usize,
    /// Bytes the IP and TCP headers say the segment carries.
    pub len: usize,
    /// Bytes of it in the capture (less than `len` when the snaplen cut it).
    pub captured: usize,
    /// The first [`PAYLOAD_KEEP`] captured bytes.
    pub bytes: Vec<u8>,
}

/// A frame, layer by layer. Each layer is `None` (or empty) when the frame did not reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layers {
    pub meta: FrameMeta,
    pub captured: usize,
    pub link: Option<LinkHeader>,
    pub net: Vec<NetHeader>,
    pub tcp: Option<Tcp>,
    pub payload: Option<Payload>,
    pub stopped: Option<Stop>,
}

const ETH_IPV4: u16 = 0x0800;
const ETH_IPV6: u16 = 0x86dd;

fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// Where the reading is: the whole frame, and how far into it.
struct Cursor<'a> {
    frame: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a [u8] {
        self.frame.get(self.at..).unwrap_or(&[])
    }
}

/// Takes `frame` apart. `meta.linktype` says how the frame starts.
pub fn dissect(frame: &Frame) -> Layers {
    let mut l = Layers {
        meta: frame.meta.clone(),
        captured: frame.data.len(),
        link: None,
        net: Vec::new(),
        tcp: None,
        payload: None,
        stopped: None,
    };
    let mut c = Cursor {
        frame: &frame.data,
        at: 0,
    };
    if let Err(stop) = dissect_into(&mut l, &mut c) {
        l.stopped = Some(stop);
    }
    l
}

fn stop(layer: Layer, offset: usize, why: impl Into<String>) -> Stop {
    Stop {
        layer,
        offset,
        why: why.into(),
    }
}

fn short(layer: Layer, c: &Cursor<'_>, what: &str, need: usize) -> Stop {
    stop(
        layer,
        c.at,
        format!(
            "{what} needs {need} bytes, {} captured",
            c.rest().len().min(need.saturating_sub(1))
        ),
    )
}

fn dissect_into(l: &mut Layers, c: &mut Cursor<'_>) -> Result<(), Stop> {
    let (link, et) = link_header(l.meta.linktype, c)?;
    l.link = Some(link);
    let Some(et) = et else {
        return Err(stop(
            Layer::Link,
            c.at,
            "the link layer carries something other than IP",
        ));
    };
    network(l, c, et, 0)
}

/// Reads the link header for `linktype`; returns it and the EtherType it carries (`None`:
/// not IP).
fn link_header(linktype: LinkType, c: &mut Cursor<'_>) -> Result<(LinkHeader, Option<u16>), Stop> {
    let b = c.rest();
    match linktype.0 {
        1 => ethernet(c),
        113 => {
            if b.len() < 16 {
                return Err(short(Layer::Link, c, "the SLL header", 16));
            }
            let alen = usize::from(be16(b, 4).unwrap_or(0)).min(8);
            let h = LinkHeader::Sll {
                packet_type: be16(b, 0).unwrap_or(0),
                arphrd: be16(b, 2).unwrap_or(0),
                addr: b[6..6 + alen].to_vec(),
                protocol: be16(b, 14).unwrap_or(0),
            };
            c.at += 16;
            let et = be16(b, 14).unwrap_or(0);
            Ok((h, ip_ethertype(et)))
        }
        276 => {
            if b.len() < 20 {
                return Err(short(Layer::Link, c, "the SLL2 header", 20));
            }
            let alen = usize::from(b[11]).min(8);
            let h = LinkHeader::Sll2 {
                protocol: be16(b, 0).unwrap_or(0),
                ifindex: be32(b, 4).unwrap_or(0),
                arphrd: be16(b, 8).unwrap_or(0),
                packet_type: b[10],
                addr: b[12..12 + alen].to_vec(),
            };
            c.at += 20;
            let et = be16(b, 0).unwrap_or(0);
            Ok((h, ip_ethertype(et)))
        }
        0 | 108 => {
            let Some(h) = b.get(..4) else {
                return Err(short(Layer::Link, c, "the loopback header", 4));
            };
            let le = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
            let be = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
            let family = le.min(be);
            c.at += 4;
            let et = match family {
                2 => Some(ETH_IPV4),
                10 | 24 | 28 | 30 => Some(ETH_IPV6),
                _ => None,
            };
            Ok((
                LinkHeader::Null {
                    family,
                    little_endian: le <= be,
                },
                et,
            ))
        }
        12 | 14 | 101 | 228 | 229 => {
            let et = match b.first().map(|v| v >> 4) {
                Some(4) => Some(ETH_IPV4),
                Some(6) => Some(ETH_IPV6),
                Some(v) => {
                    return Err(stop(
                        Layer::Network,
                        c.at,
                        format!("IP version {v} is neither 4 nor 6"),
                    ))
                }
                None => return Err(short(Layer::Network, c, "an IP header", 20)),
            };
            Ok((LinkHeader::Raw, et))
        }
        other => {
            // Link types the decoder strips without naming their fields.
            match super::link::strip(linktype, b) {
                Ok((proto, rest)) => {
                    let header_len = b.len() - rest.len();
                    c.at += header_len;
                    let et = match proto {
                        super::link::NetProto::Ipv4 => Some(ETH_IPV4),
                        super::link::NetProto::Ipv6 => Some(ETH_IPV6),
                        super::link::NetProto::Other => None,
                    };
                    Ok((LinkHeader::Other { header_len }, et))
                }
                Err(super::DecodeError::UnsupportedLink(_)) => Err(stop(
                    Layer::Link,
                    0,
                    format!("link type {other} is not one synack reads"),
                )),
                Err(e) => Err(stop(Layer::Link, 0, e.reason().replace('_', " "))),
            }
        }
    }
}

fn ip_ethertype(et: u16) -> Option<u16> {
    matches!(et, ETH_IPV4 | ETH_IPV6).then_some(et)
}

/// An Ethernet header with its VLAN tags, MPLS labels or PPPoE session.
fn ethernet(c: &mut Cursor<'_>) -> Result<(LinkHeader, Option<u16>), Stop> {
    let b = c.rest();
    if b.len() < 14 {
        return Err(short(Layer::Link, c, "the Ethernet header", 14));
    }
    let mut dst = [0u8; 6];
    let mut src = [0u8; 6];
    dst.copy_from_slice(&b[..6]);
    src.copy_from_slice(&b[6..12]);
    let mut et = be16(b, 12).unwrap_or(0);
    c.at += 14;
    let mut vlans = Vec::new();
    let mut mpls = Vec::new();
    let mut pppoe = None;
    let header = |vlans, mpls, pppoe, et| LinkHeader::Ethernet {
        dst,
        src,
        vlans,
        mpls,
        pppoe,
        ethertype: et,
    };
    // Bounded as the decoder's: a loop must end on hostile input.
    for _ in 0..16 {
        let r = c.rest();
        match et {
            0x8100 | 0x88a8 | 0x9100 | 0x9200 => {
                let (Some(tci), Some(next)) = (be16(r, 0), be16(r, 2)) else {
                    return Err(short(Layer::Link, c, "a VLAN tag", 4));
                };
                vlans.push(Vlan {
                    tpid: et,
                    pcp: (tci >> 13) as u8,
                    dei: tci & 0x1000 != 0,
                    vid: tci & 0x0fff,
                });
                et = next;
                c.at += 4;
            }
            0x8847 | 0x8848 => {
                loop {
                    let Some(w) = be32(c.rest(), 0) else {
                        return Err(short(Layer::Link, c, "an MPLS label", 4));
                    };
                    let bottom = w & 0x100 != 0;
                    mpls.push((w >> 12, ((w >> 9) & 7) as u8, bottom, w as u8));
                    c.at += 4;
                    if bottom || mpls.len() >= 16 {
                        break;
                    }
                }
                let next = match c.rest().first().map(|v| v >> 4) {
                    Some(4) => Some(ETH_IPV4),
                    Some(6) => Some(ETH_IPV6),
                    _ => None,
                };
                return Ok((header(vlans, mpls, pppoe, et), next));
            }
            0x8864 => {
                let (Some(session), Some(ppp)) = (be16(r, 2), be16(r, 6)) else {
                    return Err(short(Layer::Link, c, "the PPPoE header", 8));
                };
                pppoe = Some((session, ppp));
                c.at += 8;
                let next = match ppp {
                    0x0021 => Some(ETH_IPV4),
                    0x0057 => Some(ETH_IPV6),
                    _ => None,
                };
                return Ok((header(vlans, mpls, pppoe, et), next));
            }
            _ => return Ok((header(vlans, mpls, pppoe, et), ip_ethertype(et))),
        }
    }
    Err(stop(Layer::Link, c.at, "more than 16 VLAN tags"))
}

/// The network layer from `c`, an IP packet (`et`), then what it carries. `depth` counts
/// tunnels.
fn network(l: &mut Layers, c: &mut Cursor<'_>, et: u16, depth: usize) -> Result<(), Stop> {
    let start = c.at;
    let b = c.rest();
    let (proto, ip_end) = if et == ETH_IPV4 {
        let h = Ipv4HeaderSlice::from_slice(b).map_err(|e| {
            if b.len() < 20 || b.len() < usize::from(b[0] & 0x0f) * 4 {
                short(
                    Layer::Network,
                    c,
                    "the IPv4 header",
                    (usize::from(b.first().map_or(5, |v| v & 0x0f)) * 4).max(20),
                )
            } else {
                stop(Layer::Network, c.at, format!("IPv4 header: {e}"))
            }
        })?;
        let hl = h.slice().len();
        let v4 = Ipv4 {
            header_len: hl,
            dscp: h.dcp().value(),
            ecn: h.ecn().value(),
            total_len: h.total_len(),
            id: h.identification(),
            df: h.dont_fragment(),
            mf: h.more_fragments(),
            frag_offset: h.fragments_offset().value() * 8,
            ttl: h.ttl(),
            protocol: h.protocol().0,
            checksum: h.header_checksum(),
            src: IpAddr::V4(h.source_addr()),
            dst: IpAddr::V4(h.destination_addr()),
            options_len: hl - 20,
        };
        let (frag, mf, total) = (v4.frag_offset, v4.mf, usize::from(v4.total_len));
        let proto = v4.protocol;
        l.net.push(NetHeader::Ipv4(v4));
        c.at += hl;
        if frag != 0 || mf {
            return Err(stop(
                Layer::Network,
                c.at,
                "an IP fragment: the rest of the datagram is in other frames",
            ));
        }
        // Total length 0: segmentation offload on the capturing host.
        let end = if total == 0 {
            l_end(c)
        } else {
            start + total.max(hl)
        };
        (proto, end)
    } else {
        let h = Ipv6HeaderSlice::from_slice(b)
            .map_err(|_| short(Layer::Network, c, "the IPv6 header", 40))?;
        let tc = h.traffic_class();
        let mut v6 = Ipv6 {
            dscp: tc >> 2,
            ecn: tc & 3,
            flow_label: h.flow_label().value(),
            payload_len: h.payload_length(),
            next_header: h.next_header().0,
            hop_limit: h.hop_limit(),
            src: IpAddr::V6(h.source_addr()),
            dst: IpAddr::V6(h.destination_addr()),
            ext: Vec::new(),
        };
        c.at += 40;
        let end = if v6.payload_len == 0 {
            l_end(c)
        } else {
            c.at + usize::from(v6.payload_len)
        };
        let mut next = v6.next_header;
        let mut result = Ok(());
        // Extension headers: hop-by-hop, routing, fragment, destination options, AH,
        // mobility, HIP, shim6.
        while matches!(next, 0 | 43 | 44 | 51 | 60 | 135 | 139 | 140) && v6.ext.len() < 16 {
            let r = c.rest();
            let (Some(&nh), Some(&hlen)) = (r.first(), r.get(1)) else {
                result = Err(short(Layer::Network, c, "an IPv6 extension header", 8));
                break;
            };
            let len = match next {
                44 => 8,
                51 => (usize::from(hlen) + 2) * 4,
                _ => (usize::from(hlen) + 1) * 8,
            };
            if r.len() < len {
                result = Err(short(Layer::Network, c, "an IPv6 extension header", len));
                break;
            }
            let fragment = (next == 44).then(|| {
                let off = be16(r, 2).unwrap_or(0);
                (off & 0xfff8, off & 1 != 0, be32(r, 4).unwrap_or(0))
            });
            v6.ext.push(Ipv6Ext {
                proto: next,
                len,
                fragment,
            });
            c.at += len;
            next = nh;
            if let Some((off, mf, _)) = fragment {
                if off != 0 || mf {
                    result = Err(stop(
                        Layer::Network,
                        c.at,
                        "an IP fragment: the rest of the datagram is in other frames",
                    ));
                    break;
                }
            }
        }
        l.net.push(NetHeader::Ipv6(v6));
        result?;
        (next, end)
    };
    transport(l, c, proto, ip_end, depth)
}

/// The end of the captured frame, for an IP header whose length field is 0.
fn l_end(c: &Cursor<'_>) -> usize {
    c.frame.len()
}

/// What the IP packet carries from `c` to `ip_end` (its declared end): TCP or a tunnel.
fn transport(
    l: &mut Layers,
    c: &mut Cursor<'_>,
    proto: u8,
    ip_end: usize,
    depth: usize,
) -> Result<(), Stop> {
    let body_end = ip_end.min(c.frame.len()).max(c.at);
    let body = &c.frame[c.at..body_end];
    if depth >= tunnel::MAX_DEPTH && matches!(proto, 4 | 41 | 47 | 17) {
        return Err(stop(Layer::Network, c.at, "tunnels nested too deep"));
    }
    let inner = match proto {
        6 => return tcp(l, c, ip_end),
        4 => {
            l.net.push(NetHeader::Tunnel {
                kind: TunnelKind::Ip,
                id: None,
            });
            return network(l, c, ETH_IPV4, depth + 1);
        }
        41 => {
            l.net.push(NetHeader::Tunnel {
                kind: TunnelKind::Ip,
                id: None,
            });
            return network(l, c, ETH_IPV6, depth + 1);
        }
        47 => match tunnel::gre(body) {
            Ok((inner, id)) => {
                l.net.push(NetHeader::Tunnel {
                    kind: TunnelKind::Gre,
                    id,
                });
                inner
            }
            Err(_) => return Err(stop(Layer::Network, c.at, "the GRE header is short or bad")),
        },
        17 => {
            let (Some(sport), Some(dport), Some(len)) =
                (be16(body, 0), be16(body, 2), be16(body, 4))
            else {
                return Err(short(Layer::Transport, c, "the UDP header", 8));
            };
            l.net.push(NetHeader::Udp { sport, dport, len });
            let ports = TunnelPorts::default();
            let Some(kind) = ports.kind(sport, dport) else {
                return Err(stop(
                    Layer::Transport,
                    c.at,
                    "UDP, not TCP (and not a tunnel on its standard port)",
                ));
            };
            let end = usize::from(len).clamp(8, body.len().max(8));
            let udp_body = body.get(8..end).unwrap_or(&[]);
            match tunnel::udp(kind, udp_body) {
                Ok((inner, id)) => {
                    l.net.push(NetHeader::Tunnel { kind, id });
                    inner
                }
                Err(_) => {
                    return Err(stop(
                        Layer::Network,
                        c.at + 8,
                        format!("the {} header is short or bad", kind.name()),
                    ))
                }
            }
        }
        other => {
            return Err(stop(
                Layer::Transport,
                c.at,
                format!("IP protocol {other} ({}), not TCP", ip_proto_name(other)),
            ))
        }
    };
    // The inner packet's offset in the frame: tunnel functions return a subslice of `body`.
    let offset_of = |s: &[u8]| {
        (s.as_ptr() as usize)
            .saturating_sub(c.frame.as_ptr() as usize)
            .min(c.frame.len())
    };
    match inner {
        Inner::Ip(b) => {
            c.at = offset_of(b);
            let et = match b.first().map(|v| v >> 4) {
                Some(4) => ETH_IPV4,
                Some(6) => ETH_IPV6,
                _ => return Err(stop(Layer::Network, c.at, "the tunnel carries no IP")),
            };
            network(l, c, et, depth + 1)
        }
        Inner::Ethernet(b) => {
            c.at = offset_of(b);
            let (h, et) = ethernet(c)?;
            l.net.push(NetHeader::InnerEthernet(h));
            match et {
                Some(et) => network(l, c, et, depth + 1),
                None => Err(stop(
                    Layer::Link,
                    c.at,
                    "the tunnel's Ethernet carries no IP",
                )),
            }
        }
        _ => Err(stop(Layer::Network, c.at, "the tunnel carries no IP")),
    }
}

/// The TCP header from `c`, its options and the payload up to `ip_end`.
fn tcp(l: &mut Layers, c: &mut Cursor<'_>, ip_end: usize) -> Result<(), Stop> {
    let b = c.rest();
    let h = match TcpHeaderSlice::from_slice(b) {
        Ok(h) => h,
        Err(_) if b.len() < 20 => return Err(short(Layer::Transport, c, "the TCP header", 20)),
        Err(_) => {
            let off = usize::from(b[12] >> 4) * 4;
            return Err(if off < 20 {
                stop(
                    Layer::Transport,
                    c.at,
                    format!("TCP data offset {off} is below the 20-byte minimum"),
                )
            } else {
                short(Layer::Transport, c, "the TCP header with its options", off)
            });
        }
    };
    let hl = h.slice().len();
    let flags = u16::from_be_bytes([b[12] & 0x0f, b[13]]);
    let t = Tcp {
        sport: h.source_port(),
        dport: h.destination_port(),
        seq: h.sequence_number(),
        ack: h.acknowledgment_number(),
        header_len: hl,
        flags,
        window: h.window_size(),
        checksum: h.checksum(),
        urgent: h.urgent_pointer(),
        options: tcp_options(&b[20..hl]),
    };
    l.tcp = Some(t);
    if c.at + hl > ip_end {
        return Err(stop(
            Layer::Transport,
            c.at,
            "the TCP header runs past the IP packet's declared length",
        ));
    }
    c.at += hl;
    let len = ip_end - c.at;
    let captured = c.frame.len().min(ip_end).saturating_sub(c.at);
    let bytes = c.frame[c.at..c.at + captured.min(PAYLOAD_KEEP)].to_vec();
    l.payload = Some(Payload {
        offset: c.at,
        len,
        captured,
        bytes,
    });
    if captured < len {
        return Err(stop(
            Layer::Application,
            c.at + captured,
            format!("the capture kept {captured} of the segment's {len} data bytes (snaplen)"),
        ));
    }
    Ok(())
}

/// Every option in `b` (the bytes after the fixed 20), in order; a bad one ends the list.
pub fn tcp_options(b: &[u8]) -> Vec<TcpOpt> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let kind = b[i];
        match kind {
            0 => {
                out.push(TcpOpt::Eol);
                break;
            }
            1 => {
                out.push(TcpOpt::Nop);
                i += 1;
                continue;
            }
            _ => {}
        }
        let Some(&len) = b.get(i + 1) else {
            out.push(TcpOpt::Bad { kind, at: i });
            break;
        };
        let len = usize::from(len);
        if len < 2 || i + len > b.len() {
            out.push(TcpOpt::Bad { kind, at: i });
            break;
        }
        let d = &b[i + 2..i + len];
        let opt = match (kind, d.len()) {
            (2, 2) => TcpOpt::Mss(u16::from_be_bytes([d[0], d[1]])),
            (3, 1) => TcpOpt::WindowScale(d[0]),
            (4, 0) => TcpOpt::SackPermitted,
            (5, n) if n % 8 == 0 && n > 0 => TcpOpt::Sack(
                d.chunks_exact(8)
                    .map(|s| {
                        (
                            u32::from_be_bytes([s[0], s[1], s[2], s[3]]),
                            u32::from_be_bytes([s[4], s[5], s[6], s[7]]),
                        )
                    })
                    .collect(),
            ),
            (8, 8) => TcpOpt::Timestamps(
                u32::from_be_bytes([d[0], d[1], d[2], d[3]]),
                u32::from_be_bytes([d[4], d[5], d[6], d[7]]),
            ),
            (2..=5 | 8, _) => TcpOpt::Bad { kind, at: i },
            _ => TcpOpt::Other {
                kind,
                data: d.to_vec(),
            },
        };
        let bad = matches!(opt, TcpOpt::Bad { .. });
        out.push(opt);
        if bad {
            break;
        }
        i += len;
    }
    out
}

/// IANA's name of an IP protocol number, for the ones a capture commonly holds.
pub fn ip_proto_name(p: u8) -> &'static str {
    match p {
        0 => "Hop-by-Hop Options",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPv4",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        43 => "Routing",
        44 => "Fragment",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPv6",
        59 => "No Next Header",
        60 => "Destination Options",
        132 => "SCTP",
        135 => "Mobility",
        139 => "HIP",
        140 => "Shim6",
        _ => "other",
    }
}

/// IANA's name of a TCP option kind, for the ones without a decoder here.
pub fn tcp_option_name(kind: u8) -> &'static str {
    match kind {
        0 => "EOL",
        1 => "NOP",
        2 => "MSS",
        3 => "window scale",
        4 => "SACK permitted",
        5 => "SACK",
        6 => "echo (obsolete)",
        7 => "echo reply (obsolete)",
        8 => "timestamps",
        19 => "MD5 signature",
        28 => "user timeout",
        29 => "TCP-AO",
        30 => "MPTCP",
        34 => "TCP Fast Open cookie",
        69 => "encryption negotiation",
        253 | 254 => "experimental",
        _ => "unknown",
    }
}

/// The name of an EtherType.
pub fn ethertype_name(et: u16) -> &'static str {
    match et {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x86dd => "IPv6",
        0x8100 => "802.1Q VLAN",
        0x88a8 => "802.1ad QinQ",
        0x9100 | 0x9200 => "QinQ (old)",
        0x8847 => "MPLS",
        0x8848 => "MPLS multicast",
        0x8863 => "PPPoE discovery",
        0x8864 => "PPPoE session",
        0x88cc => "LLDP",
        n if n <= 1500 => "802.3 length",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(linktype: LinkType, data: &[u8]) -> Frame {
        Frame {
            meta: FrameMeta {
                number: 1,
                ts: Timestamp(0),
                linktype,
                orig_len: data.len() as u32,
                interface: None,
            },
            data: data.to_vec(),
        }
    }

    /// An Ethernet + IPv4 + TCP SYN with MSS, SACK permitted, timestamps, NOP, window scale.
    fn syn() -> Vec<u8> {
        let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
        let tcp: &[u8] = &[
            0x9c, 0x40, 0, 80, 0, 0, 0, 7, 0, 0, 0, 0, 0xa0, 0x02, 0xff, 0xff, 0x12, 0x34, 0, 0, 2,
            4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ];
        let total = (20 + tcp.len()) as u16;
        f.extend([0x45, 0xb8]);
        f.extend(total.to_be_bytes());
        f.extend([
            0x12, 0x34, 0x40, 0, 64, 6, 0xab, 0xcd, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        f.extend(tcp);
        f
    }

    #[test]
    fn a_syn_is_read_to_every_field_and_option() {
        let l = dissect(&frame(LinkType::ETHERNET, &syn()));
        assert_eq!(l.stopped, None);
        let Some(LinkHeader::Ethernet { src, ethertype, .. }) = &l.link else {
            panic!("{:?}", l.link)
        };
        assert_eq!((src[5], *ethertype), (1, 0x0800));
        let NetHeader::Ipv4(ip) = &l.net[0] else {
            panic!()
        };
        assert_eq!((ip.ttl, ip.id, ip.df, ip.mf), (64, 0x1234, true, false));
        assert_eq!((ip.dscp, ip.ecn, ip.checksum), (46, 0, 0xabcd));
        let t = l.tcp.as_ref().unwrap();
        assert_eq!((t.sport, t.dport, t.seq, t.flags), (40000, 80, 7, 0x002));
        assert_eq!((t.header_len, t.checksum), (40, 0x1234));
        assert_eq!(
            t.options,
            vec![
                TcpOpt::Mss(1460),
                TcpOpt::SackPermitted,
                TcpOpt::Timestamps(1, 0),
                TcpOpt::Nop,
                TcpOpt::WindowScale(7),
            ]
        );
        assert_eq!(l.payload.as_ref().unwrap().len, 0);
    }

    #[test]
    fn every_truncation_stops_with_a_reason_and_never_panics() {
        let f = syn();
        for n in 0..f.len() {
            let l = dissect(&frame(LinkType::ETHERNET, &f[..n]));
            let s = l.stopped.as_ref().unwrap_or_else(|| panic!("cut at {n}"));
            assert!(s.offset <= n, "cut at {n}: {s:?}");
            let layer = match n {
                0..=13 => Layer::Link,
                14..=33 => Layer::Network,
                _ => Layer::Transport,
            };
            assert_eq!(s.layer, layer, "cut at {n}: {s:?}");
        }
    }

    #[test]
    fn every_byte_changed_never_panics() {
        let base = syn();
        for lt in [1u32, 0, 101, 113, 276, 239, 10] {
            for i in 0..base.len() {
                for v in [0u8, 1, 2, 4, 5, 6, 0x11, 0x2f, 0x45, 0x5f, 0x60, 0x81, 0xff] {
                    let mut m = base.clone();
                    m[i] = v;
                    let _ = dissect(&frame(LinkType(lt), &m));
                }
            }
        }
    }

    #[test]
    fn options_with_bad_lengths_are_marked_and_end_the_list() {
        assert_eq!(
            tcp_options(&[1, 2, 3, 0xb4]),
            vec![TcpOpt::Nop, TcpOpt::Bad { kind: 2, at: 1 }]
        );
        assert_eq!(
            tcp_options(&[5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]),
            vec![TcpOpt::Sack(vec![(1, 2), (3, 4)])]
        );
        assert_eq!(
            tcp_options(&[30, 4, 0xaa, 0xbb, 0]),
            vec![
                TcpOpt::Other {
                    kind: 30,
                    data: vec![0xaa, 0xbb]
                },
                TcpOpt::Eol
            ]
        );
        assert_eq!(tcp_options(&[8]), vec![TcpOpt::Bad { kind: 8, at: 0 }]);
    }

    #[test]
    fn a_data_segment_keeps_its_payload_and_not_the_ethernet_padding() {
        let mut f = syn();
        // Data offset 5, no options, 3 bytes of data, then padding.
        f.truncate(34 + 20);
        f[34 + 12] = 0x50;
        f.extend(b"hi\n");
        let total = (20 + 20 + 3) as u16;
        f[16..18].copy_from_slice(&total.to_be_bytes());
        f.extend([0; 7]);
        let l = dissect(&frame(LinkType::ETHERNET, &f));
        assert_eq!(l.stopped, None);
        let p = l.payload.unwrap();
        assert_eq!((p.offset, p.len, p.captured), (54, 3, 3));
        assert_eq!(p.bytes, b"hi\n");
    }
}
