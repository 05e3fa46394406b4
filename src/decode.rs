//! Bytes to segment: link layer, IP and TCP decoding, tunnels and IP fragments, and the
//! filters before it.
//!
//! Pure: [`decode`] borrows the packet bytes and returns a small owned [`Segment`] (or says
//! why there is none), without allocating for a plain TCP packet. No I/O, no clock: the
//! timestamp comes in with the packet. Tunnels ([`tunnel`]) are followed to the TCP segment
//! inside, up to [`tunnel::MAX_DEPTH`] levels; fragments are put back together when a
//! [`Context`] carries a [`defrag::Reassembly`]. [`Decoder`] wraps it with the user's filters
//! (`-f` as BPF, `--host`, `--port`) and counts every frame's fate; it runs on the capture
//! thread.

pub mod app;
pub mod bpf;
pub mod decoder;
pub mod defrag;
pub mod layers;
pub mod link;
pub mod segment;
pub mod tunnel;
pub mod udp;

pub use bpf::BpfFilter;
pub use decoder::{Counters, Decoder, Item, SegmentFilter};
pub use link::{LinkError, LinkType};
pub use segment::{Endpoint, Flags, Segment, TcpOptions};
pub use udp::Datagram;
// Until every user imports them from `crate::time`.
pub use crate::time::{MaybeTs, Timestamp};

use std::net::IpAddr;
use std::sync::LazyLock;

use etherparse::{LaxNetSlice, LaxSlicedPacket};
use link::NetProto;
use tunnel::{Inner, Tunnel, TunnelKind, TunnelPorts, MAX_DEPTH};

/// One captured frame, borrowed from the reader's buffer until the next read.
#[derive(Debug, Clone, Copy)]
pub struct RawPacket<'a> {
    pub ts: Timestamp,
    pub linktype: LinkType,
    pub data: &'a [u8],
    /// Length on the wire (may exceed `data.len()` when the capture's snaplen cut it).
    pub orig_len: u32,
}

/// What a captured frame turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    Tcp(Segment),
    /// A UDP datagram, when [`Context::udp`] asks for them.
    Udp(Datagram),
    /// A well-formed packet that is not TCP (UDP, ICMP, ARP, ...): counted, not an error.
    NotTcp,
    /// An IP fragment held until the rest of its datagram arrives (counted by the
    /// reassembly).
    Fragment,
}

/// Why a frame gave no segment. Each variant is one counter in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DecodeError {
    /// The frame's link type is not one synack decodes.
    UnsupportedLink(u32),
    /// The link-layer header was short or inconsistent.
    Link(LinkError),
    /// IPv4/IPv6 header short or invalid.
    IpHeader,
    /// An IP fragment read without reassembly ([`decode`] alone): its TCP header may be in
    /// another frame.
    IpFragment,
    /// A tunnel header short or inconsistent.
    TunnelHeader,
    /// Tunnels nested deeper than [`tunnel::MAX_DEPTH`].
    TunnelTooDeep,
    /// TCP header shorter than its 20 fixed bytes (snaplen or a broken packet).
    TcpTruncated,
    /// TCP data offset below 5 or pointing past the IP payload.
    TcpBadOffset,
}

impl DecodeError {
    /// Stable machine name for JSON and the summary.
    pub fn reason(&self) -> &'static str {
        match self {
            DecodeError::UnsupportedLink(_) => "unsupported_link_type",
            DecodeError::Link(LinkError::Truncated) => "link_header_truncated",
            DecodeError::Link(LinkError::Malformed) => "link_header_malformed",
            DecodeError::IpHeader => "ip_header_invalid",
            DecodeError::IpFragment => "ip_fragment",
            DecodeError::TunnelHeader => "tunnel_header_invalid",
            DecodeError::TunnelTooDeep => "tunnel_too_deep",
            DecodeError::TcpTruncated => "tcp_header_truncated",
            DecodeError::TcpBadOffset => "tcp_bad_data_offset",
        }
    }
}

/// The encapsulations a segment came through, outermost first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Encap {
    len: u8,
    levels: [Option<Tunnel>; MAX_DEPTH],
}

impl Encap {
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn tunnels(&self) -> impl Iterator<Item = &Tunnel> {
        self.levels.iter().flatten()
    }

    fn push(&mut self, t: Tunnel) -> Result<(), DecodeError> {
        let slot = self
            .levels
            .get_mut(usize::from(self.len))
            .ok_or(DecodeError::TunnelTooDeep)?;
        *slot = Some(t);
        self.len += 1;
        Ok(())
    }

    /// A number for the tunnel context, so fragments of different tunnels never mix.
    fn channel(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        if self.is_empty() {
            return 0;
        }
        let mut h = rustc_hash::FxHasher::default();
        self.hash(&mut h);
        h.finish()
    }
}

/// What decoding needs beyond the frame: the ports UDP tunnels are recognised on, where
/// fragments wait for the rest of their datagram (none: they are reported as
/// [`DecodeError::IpFragment`]), and, after a frame, the tunnels its segment came through.
pub struct Context<'a> {
    pub ports: &'a TunnelPorts,
    pub defrag: Option<&'a mut defrag::Reassembly>,
    pub encap: Encap,
    /// Read the payload for a label ([`app::sniff`]); after a frame, the label found.
    pub sniff: bool,
    pub label: Option<app::AppLabel>,
    /// TLS hellos split over segments, being joined (the decoder's; none for one frame).
    pub hellos: Option<&'a mut app::HelloJoin>,
    /// Decode UDP datagrams (`--udp`) rather than count them as not TCP.
    pub udp: bool,
}

static STANDARD_PORTS: LazyLock<TunnelPorts> = LazyLock::new(TunnelPorts::default);

/// Decodes one captured frame, following tunnels on their standard ports, without reassembly.
pub fn decode(linktype: LinkType, ts: Timestamp, frame: &[u8]) -> Result<Decoded, DecodeError> {
    let mut cx = Context {
        ports: &STANDARD_PORTS,
        defrag: None,
        encap: Encap::default(),
        sniff: false,
        label: None,
        hellos: None,
        udp: false,
    };
    decode_with(&mut cx, linktype, ts, frame)
}

/// Decodes one captured frame with `cx` (which it leaves holding the frame's tunnels).
pub fn decode_with(
    cx: &mut Context<'_>,
    linktype: LinkType,
    ts: Timestamp,
    frame: &[u8],
) -> Result<Decoded, DecodeError> {
    cx.encap = Encap::default();
    cx.label = None;
    let (proto, net) = link::strip(linktype, frame)?;
    match proto {
        NetProto::Ipv4 | NetProto::Ipv6 => ip(cx, ts, net),
        NetProto::Other => Ok(Decoded::NotTcp),
    }
}

/// Decodes an IP packet (v4 or v6, by its version nibble) into a TCP segment.
pub fn decode_ip(ts: Timestamp, ip_packet: &[u8]) -> Result<Decoded, DecodeError> {
    let mut cx = Context {
        ports: &STANDARD_PORTS,
        defrag: None,
        encap: Encap::default(),
        sniff: false,
        label: None,
        hellos: None,
        udp: false,
    };
    ip(&mut cx, ts, ip_packet)
}

fn ip(cx: &mut Context<'_>, ts: Timestamp, ip: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((plain, tcp)) = decode_plain_tcp(ts, ip) {
        sniff(cx, &plain, tcp);
        return plain;
    }
    decode_ip_lax(cx, ts, ip)
}

/// The common case, read with etherparse's fixed header slices: an IPv4 header (with or
/// without options) or an IPv6 header without extension headers, followed by TCP, whole as
/// its length field declares it and not fragmented. `None` for anything else (extension
/// headers, fragments, lengths cut by snaplen or zeroed by segmentation offload, bad
/// headers, other protocols), which [`decode_ip_lax`] reads; for what this accepts both give
/// the same segment (tested on every truncation and many mutations of real headers). Going
/// through `LaxSlicedPacket` for every packet was half the reading thread's decoding time.
#[inline]
fn decode_plain_tcp(ts: Timestamp, ip: &[u8]) -> Option<(Result<Decoded, DecodeError>, &[u8])> {
    use etherparse::{IpNumber, Ipv4HeaderSlice, Ipv6HeaderSlice};
    let (src, dst, header_len, end) = match ip.first()? >> 4 {
        4 => {
            let h = Ipv4HeaderSlice::from_slice(ip).ok()?;
            if h.protocol() != IpNumber::TCP || h.is_fragmenting_payload() {
                return None;
            }
            (
                std::net::IpAddr::V4(h.source_addr()),
                std::net::IpAddr::V4(h.destination_addr()),
                h.slice().len(),
                usize::from(h.total_len()),
            )
        }
        6 => {
            let h = Ipv6HeaderSlice::from_slice(ip).ok()?;
            if h.next_header() != IpNumber::TCP || h.payload_length() == 0 {
                return None;
            }
            (
                std::net::IpAddr::V6(h.source_addr()),
                std::net::IpAddr::V6(h.destination_addr()),
                h.slice().len(),
                h.slice().len() + usize::from(h.payload_length()),
            )
        }
        _ => return None,
    };
    if end < header_len || end > ip.len() {
        return None;
    }
    let tcp = &ip[header_len..end];
    Some((
        segment::parse_tcp(ts, src, dst, tcp, tcp.len()).map(|s| tcp_in_ip(s, end)),
        tcp,
    ))
}

/// The label of a segment's payload, when asked for one and its first byte could start one
/// (one comparison for most data segments; none for a segment without payload).
#[inline]
fn sniff(cx: &mut Context<'_>, decoded: &Result<Decoded, DecodeError>, tcp: &[u8]) {
    let Ok(Decoded::Tcp(seg)) = decoded else {
        return;
    };
    if !cx.sniff || seg.payload_len == 0 {
        return;
    }
    let offset = tcp.get(12).map_or(20, |b| usize::from(b >> 4) * 4);
    let Some(payload) = tcp.get(offset..).filter(|p| !p.is_empty()) else {
        return;
    };
    let declared = seg.payload_len as usize;
    let payload = &payload[..payload.len().min(declared)];
    if let Some(join) = cx.hellos.as_deref_mut() {
        if let Some(l) = join.feed(seg.src, seg.dst, seg.seq, payload, declared) {
            cx.label = Some(l);
            return;
        }
    }
    if !app::may_label(payload[0]) {
        return;
    }
    cx.label = app::sniff(payload, declared, seg.src.port, seg.dst.port);
    if let (Some(join), Some(l)) = (cx.hellos.as_deref_mut(), &cx.label) {
        if payload.len() == declared {
            join.start(l, seg.src, seg.dst, seg.seq, payload);
        }
    }
}

/// [`decode_ip`] through etherparse's lax slicing, for whatever the plain path leaves:
/// extension headers, fragments, tunnels, lengths cut by snaplen or zeroed by offload.
fn decode_ip_lax(cx: &mut Context<'_>, ts: Timestamp, ip: &[u8]) -> Result<Decoded, DecodeError> {
    let sliced = LaxSlicedPacket::from_ip(ip).map_err(|_| DecodeError::IpHeader)?;
    let Some(net) = sliced.net.as_ref() else {
        return Err(DecodeError::IpHeader);
    };
    let (src_ip, dst_ip, payload, ip_payload_len, ip_header_len) = match net {
        LaxNetSlice::Ipv4(v4) => {
            let h = v4.header();
            let p = v4.payload();
            let declared = usize::from(h.total_len()).saturating_sub(h.slice().len());
            // total_len 0 happens with TCP segmentation offload on the capturing host.
            let len = if h.total_len() == 0 {
                p.payload.len()
            } else {
                declared
            };
            (
                IpAddr::V4(h.source_addr()),
                IpAddr::V4(h.destination_addr()),
                p,
                len,
                h.slice().len(),
            )
        }
        LaxNetSlice::Ipv6(v6) => {
            let h = v6.header();
            let p = v6.payload();
            let ext_len = v6.extensions().slice().len();
            let declared = usize::from(h.payload_length()).saturating_sub(ext_len);
            let len = if h.payload_length() == 0 {
                p.payload.len()
            } else {
                declared
            };
            (
                IpAddr::V6(h.source_addr()),
                IpAddr::V6(h.destination_addr()),
                p,
                len,
                h.slice().len() + ext_len,
            )
        }
        LaxNetSlice::Arp(_) => return Ok(Decoded::NotTcp),
    };
    if payload.fragmented {
        // Atomic fragments (offset 0, no more fragments) are not "fragmented" here and decode
        // as they are; real ones wait for the rest of their datagram.
        let channel = cx.encap.channel();
        let Some(defrag) = cx.defrag.as_deref_mut() else {
            return Err(DecodeError::IpFragment);
        };
        return match defrag.add(ts, ip, channel) {
            Some(d) => {
                let len = d.payload.len();
                // The datagram's length counted with this fragment's header.
                let ip_len = ip_header_len + len;
                transport(cx, ts, (src_ip, dst_ip), d.proto, &d.payload, (len, ip_len))
            }
            None => Ok(Decoded::Fragment),
        };
    }
    transport(
        cx,
        ts,
        (src_ip, dst_ip),
        payload.ip_number.0,
        payload.payload,
        (ip_payload_len, ip_header_len + ip_payload_len),
    )
}

/// A segment with the length of the IP datagram that carried it (Zeek's `ip_bytes`).
fn tcp_in_ip(mut seg: Segment, ip_len: usize) -> Decoded {
    seg.options.ip_len = u32::try_from(ip_len).unwrap_or(u32::MAX);
    Decoded::Tcp(seg)
}

/// What an IP packet from `addrs` carries: TCP, or a tunnel to follow. `lens`: the length
/// the IP header declares for `payload`, and the whole datagram's.
fn transport(
    cx: &mut Context<'_>,
    ts: Timestamp,
    addrs: (IpAddr, IpAddr),
    proto: u8,
    payload: &[u8],
    lens: (usize, usize),
) -> Result<Decoded, DecodeError> {
    let (src, dst) = addrs;
    let (declared_len, ip_len) = lens;
    let (kind, (inner, id)) = match proto {
        6 => {
            let decoded = segment::parse_tcp(ts, src, dst, payload, declared_len)
                .map(|s| tcp_in_ip(s, ip_len));
            sniff(cx, &decoded, payload);
            return decoded;
        }
        // IPv4 (4) or IPv6 (41) directly inside.
        4 | 41 => (TunnelKind::Ip, (Inner::Ip(payload), None)),
        47 => (TunnelKind::Gre, tunnel::gre(payload)?),
        17 => {
            let (Some(sport), Some(dport)) = (be16(payload, 0), be16(payload, 2)) else {
                return Ok(Decoded::NotTcp);
            };
            let Some(kind) = cx.ports.kind(sport, dport) else {
                if !cx.udp {
                    return Ok(Decoded::NotTcp);
                }
                let (s, d) = (Endpoint { ip: src, port: 0 }, Endpoint { ip: dst, port: 0 });
                return Ok(
                    udp::parse(ts, s, d, payload, cx.sniff).map_or(Decoded::NotTcp, Decoded::Udp)
                );
            };
            // The UDP length bounds the datagram (Ethernet padding follows it).
            let udp_len = be16(payload, 4).map_or(payload.len(), usize::from);
            let body = payload
                .get(8..udp_len.clamp(8, payload.len().max(8)))
                .unwrap_or(&[]);
            (kind, tunnel::udp(kind, body)?)
        }
        _ => return Ok(Decoded::NotTcp),
    };
    if inner == Inner::Other {
        return Ok(Decoded::NotTcp);
    }
    cx.encap.push(Tunnel { kind, src, dst, id })?;
    match inner {
        Inner::Ip(b) if matches!(b.first().map(|v| v >> 4), Some(4 | 6)) => ip(cx, ts, b),
        Inner::Ethernet(frame) => match link::strip(LinkType::ETHERNET, frame)? {
            (NetProto::Ipv4 | NetProto::Ipv6, b) => ip(cx, ts, b),
            (NetProto::Other, _) => Ok(Decoded::NotTcp),
        },
        _ => Ok(Decoded::NotTcp),
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Headers to start from: IPv4 plain and with options (SYN with TCP options, data),
    /// IPv6 plain, with a hop-by-hop header, and a fragment.
    fn bases() -> Vec<Vec<u8>> {
        let tcp_syn: &[u8] = &[
            0x9c, 0x40, 0, 80, 0, 0, 0, 7, 0, 0, 0, 0, 0x80, 0x02, 0xff, 0xff, 0, 0, 0, 0, 2, 4,
            0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
        ];
        let tcp_data: Vec<u8> = [
            &[
                0, 80, 0x9c, 0x40, 0, 0, 1, 0, 0, 0, 0, 8, 0x50, 0x18, 0x01, 0x00, 0, 0, 0, 0,
            ][..],
            &[0xab; 30][..],
        ]
        .concat();
        let v4 = |opts: &[u8], tcp: &[u8]| {
            let hl = 20 + opts.len();
            let total = (hl + tcp.len()) as u16;
            let mut p = vec![0x40 | (hl / 4) as u8, 0];
            p.extend(total.to_be_bytes());
            p.extend([0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
            p.extend(opts);
            p.extend(tcp);
            p
        };
        let v6 = |next: u8, ext: &[u8], tcp: &[u8]| {
            let mut p = vec![0x60, 0, 0, 0];
            p.extend(((ext.len() + tcp.len()) as u16).to_be_bytes());
            p.extend([next, 64]);
            p.extend([0x20, 0x01, 0x0d, 0xb8].iter().chain(&[0; 11]).chain(&[1]));
            p.extend([0x20, 0x01, 0x0d, 0xb8].iter().chain(&[0; 11]).chain(&[2]));
            p.extend(ext);
            p.extend(tcp);
            p
        };
        vec![
            v4(&[], tcp_syn),
            v4(&[], &tcp_data),
            v4(&[1, 1, 1, 0], tcp_syn),
            v6(6, &[], tcp_syn),
            v6(6, &[], &tcp_data),
            v6(0, &[6, 0, 1, 4, 0, 0, 0, 0], tcp_syn),
            v6(44, &[6, 0, 0, 1, 0, 0, 0, 1], &tcp_data),
        ]
    }

    #[test]
    fn plain_path_gives_what_the_lax_path_gives() {
        let mut plain = 0;
        let mut check = |p: &[u8]| {
            let mut cx = Context {
                ports: &STANDARD_PORTS,
                defrag: None,
                encap: Encap::default(),
                sniff: false,
                label: None,
                hellos: None,
                udp: false,
            };
            let lax = decode_ip_lax(&mut cx, Timestamp(5), p);
            if let Some((fast, _)) = decode_plain_tcp(Timestamp(5), p) {
                plain += 1;
                assert_eq!(fast, lax, "{p:02x?}");
            }
            assert_eq!(decode_ip(Timestamp(5), p), lax, "{p:02x?}");
        };
        let mut x: u64 = 11;
        for base in bases() {
            // Every truncation, then Ethernet-style padding.
            for n in 0..=base.len() {
                check(&base[..n]);
            }
            let mut padded = base.clone();
            padded.extend([0; 6]);
            check(&padded);
            // Each byte of the headers set to values that matter (lengths, versions, flags).
            for i in 0..base.len().min(80) {
                for v in [0, 1, 4, 5, 6, 0x20, 0x45, 0x46, 0x4f, 0x60, 0x80, 0xff] {
                    let mut m = base.clone();
                    m[i] = v;
                    check(&m);
                }
            }
            // Random pairs of changed bytes (an LCG: deterministic).
            for _ in 0..3000 {
                let mut m = base.clone();
                for _ in 0..2 {
                    x = x
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let i = (x >> 33) as usize % m.len().min(64);
                    m[i] = (x >> 13) as u8;
                }
                check(&m);
            }
        }
        assert!(plain > 1000, "the plain path was taken {plain} times");
    }

    #[test]
    fn a_segment_knows_its_ip_datagram_length() {
        // All but the last (a fragment).
        let lens: Vec<u32> = bases()[..6]
            .iter()
            .map(|p| match decode_ip(Timestamp(5), p) {
                Ok(Decoded::Tcp(s)) => s.options.ip_len,
                other => panic!("{other:?}"),
            })
            .collect();
        // Headers: IPv4 20 (24 with options), IPv6 40 (+8 of extension); TCP 40 or 20 + 30.
        assert_eq!(lens, [60, 70, 64, 80, 90, 88]);
        // Ethernet padding after the datagram is not counted.
        let mut padded = bases()[1].clone();
        padded.extend([0; 6]);
        let Ok(Decoded::Tcp(s)) = decode_ip(Timestamp(5), &padded) else {
            panic!()
        };
        assert_eq!(s.options.ip_len, 70);
    }
}
