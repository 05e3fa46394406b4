//! Bytes to segment: link layer, IP and TCP decoding.
//!
//! Pure and allocation-free: [`decode`] borrows the packet bytes and returns a small owned
//! [`Segment`] (or says why there is none). No I/O, no clock: the timestamp comes in with the
//! packet.

pub mod link;
pub mod segment;

pub use link::{LinkError, LinkType};
pub use segment::{Endpoint, Flags, Segment, TcpOptions, Timestamp};

use etherparse::{LaxNetSlice, LaxSlicedPacket};
use link::NetProto;

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
