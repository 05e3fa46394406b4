//! Bytes to segment: link layer, IP and TCP decoding, and the filters before it.
//!
//! Pure and allocation-free: [`decode`] borrows the packet bytes and returns a small owned
//! [`Segment`] (or says why there is none). No I/O, no clock: the timestamp comes in with the
//! packet. [`Decoder`] wraps it with the user's filters (`-f` as BPF, `--host`, `--port`) and
//! counts every frame's fate; it runs on the capture thread.

pub mod bpf;
pub mod decoder;
pub mod link;
pub mod segment;

pub use bpf::BpfFilter;
pub use decoder::{Counters, Decoder, Item, SegmentFilter};
pub use link::{LinkError, LinkType};
pub use segment::{Endpoint, Flags, Segment, TcpOptions};
// Until every user imports them from `crate::time`.
pub use crate::time::{MaybeTs, Timestamp};

use etherparse::{LaxNetSlice, LaxSlicedPacket};
use link::NetProto;

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
    /// A well-formed packet that is not TCP (UDP, ICMP, ARP, ...): counted, not an error.
    NotTcp,
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
    /// A non-first IP fragment: its TCP header is in another frame (synack does not reassemble).
    IpFragment,
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
            DecodeError::TcpTruncated => "tcp_header_truncated",
            DecodeError::TcpBadOffset => "tcp_bad_data_offset",
        }
    }
}

/// Decodes one captured frame.
///
/// `orig_len` is the frame's length on the wire; it is not needed for TCP (the IP header gives
/// the real payload length even when the capture was cut by snaplen) but kept for callers.
pub fn decode(linktype: LinkType, ts: Timestamp, frame: &[u8]) -> Result<Decoded, DecodeError> {
    let (proto, net) = link::strip(linktype, frame)?;
    match proto {
        NetProto::Ipv4 | NetProto::Ipv6 => decode_ip(ts, net),
        NetProto::Other => Ok(Decoded::NotTcp),
    }
}

/// Decodes an IP packet (v4 or v6, by its version nibble) into a TCP segment.
pub fn decode_ip(ts: Timestamp, ip: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some(plain) = decode_plain_tcp(ts, ip) {
        return plain;
    }
    decode_ip_lax(ts, ip)
}

/// The common case, read with etherparse's fixed header slices: an IPv4 header (with or
/// without options) or an IPv6 header without extension headers, followed by TCP, whole as
/// its length field declares it and not fragmented. `None` for anything else (extension
/// headers, fragments, lengths cut by snaplen or zeroed by segmentation offload, bad
/// headers, other protocols), which [`decode_ip_lax`] reads; for what this accepts both give
/// the same segment (tested on every truncation and many mutations of real headers). Going
/// through `LaxSlicedPacket` for every packet was half the reading thread's decoding time.
#[inline]
fn decode_plain_tcp(ts: Timestamp, ip: &[u8]) -> Option<Result<Decoded, DecodeError>> {
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
    Some(segment::parse_tcp(ts, src, dst, tcp, tcp.len()).map(Decoded::Tcp))
}

/// [`decode_ip`] through etherparse's lax slicing, for whatever the plain path leaves.
fn decode_ip_lax(ts: Timestamp, ip: &[u8]) -> Result<Decoded, DecodeError> {
    let sliced = LaxSlicedPacket::from_ip(ip).map_err(|_| DecodeError::IpHeader)?;
    let Some(net) = sliced.net.as_ref() else {
        return Err(DecodeError::IpHeader);
    };
    let (src_ip, dst_ip, payload, ip_payload_len) = match net {
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
                std::net::IpAddr::V4(h.source_addr()),
                std::net::IpAddr::V4(h.destination_addr()),
                p,
                len,
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
                std::net::IpAddr::V6(h.source_addr()),
                std::net::IpAddr::V6(h.destination_addr()),
                p,
                len,
            )
        }
        LaxNetSlice::Arp(_) => return Ok(Decoded::NotTcp),
    };
    if payload.ip_number != etherparse::IpNumber::TCP {
        return Ok(Decoded::NotTcp);
    }
    if payload.fragmented {
        // Atomic fragments (offset 0, no more fragments) are not "fragmented" here and decode
        // normally; real fragments would need reassembly, which synack does not do.
        return Err(DecodeError::IpFragment);
    }
    segment::parse_tcp(ts, src_ip, dst_ip, payload.payload, ip_payload_len).map(Decoded::Tcp)
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
            let lax = decode_ip_lax(Timestamp(5), p);
            if let Some(fast) = decode_plain_tcp(Timestamp(5), p) {
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
}
