//! The owned TCP segment that the tracker consumes, and TCP header/option parsing.

use std::fmt;
use std::net::IpAddr;

use super::DecodeError;
use crate::time::Timestamp;

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
}

impl fmt::Display for Endpoint {
    /// `ip:port`, IPv6 in brackets (as in URLs and `ss`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            IpAddr::V4(ip) => write!(f, "{}:{}", ip, self.port),
            IpAddr::V6(ip) => write!(f, "[{}]:{}", ip, self.port),
        }
    }
}

/// TCP flags as on the wire (the low 8 bits) plus AE (formerly NS) as bit 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u16);

impl Flags {
    pub const FIN: u16 = 0x01;
    pub const SYN: u16 = 0x02;
    pub const RST: u16 = 0x04;
    pub const PSH: u16 = 0x08;
    pub const ACK: u16 = 0x10;
    pub const URG: u16 = 0x20;
    pub const ECE: u16 = 0x40;
    pub const CWR: u16 = 0x80;
    pub const AE: u16 = 0x100;

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
    pub fn syn(self) -> bool {
        self.has(Self::SYN)
    }
    pub fn ack(self) -> bool {
        self.has(Self::ACK)
    }
    pub fn fin(self) -> bool {
        self.has(Self::FIN)
    }
    pub fn rst(self) -> bool {
        self.has(Self::RST)
    }
    pub fn psh(self) -> bool {
        self.has(Self::PSH)
    }
}

/// Order in which flags are named: the connection-control flags first, then the rest, so the
/// label reads like the textbooks' "SYN+ACK", "FIN+ACK", "PSH+ACK", "RST+ACK".
const FLAG_NAMES: [(u16, &str); 9] = [
    (Flags::SYN, "SYN"),
    (Flags::FIN, "FIN"),
    (Flags::RST, "RST"),
    (Flags::PSH, "PSH"),
    (Flags::URG, "URG"),
    (Flags::ACK, "ACK"),
    (Flags::ECE, "ECE"),
    (Flags::CWR, "CWR"),
    (Flags::AE, "AE"),
];

impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("NONE");
        }
        let mut first = true;
        for (bit, name) in FLAG_NAMES {
            if self.has(bit) {
                if !first {
                    f.write_str("+")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// TCP Fast Open cookie (RFC 7413), up to 16 bytes; an empty one is a cookie request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TfoCookie {
    pub len: u8,
    pub bytes: [u8; 16],
}

impl TfoCookie {
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// The TCP options synack understands. Fixed-size: no allocation per packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    pub wscale: Option<u8>,
    pub sack_permitted: bool,
    sack: [(u32, u32); 4],
    sack_count: u8,
    /// (TSval, TSecr)
    pub timestamps: Option<(u32, u32)>,
    pub tfo: Option<TfoCookie>,
    /// The options area was cut short (snaplen) or an option's length was inconsistent.
    pub truncated: bool,
    /// Not an option: the length of the IP datagram that carried the segment (its header
    /// included), for Zeek's `orig_ip_bytes`/`resp_ip_bytes`; 0 when not known. Kept here
    /// with the header's other details so that `Segment` keeps its fields.
    pub ip_len: u32,
}

impl TcpOptions {
    /// SACK blocks (left edge, right edge), at most four.
    pub fn sack_blocks(&self) -> &[(u32, u32)] {
        &self.sack[..usize::from(self.sack_count)]
    }

    /// Parses the options area; stops (marking `truncated`) at the first inconsistency.
    pub fn parse(mut b: &[u8]) -> TcpOptions {
        let mut o = TcpOptions::default();
        while let Some(&kind) = b.first() {
            match kind {
                0 => break,
                1 => {
                    b = &b[1..];
                    continue;
                }
                _ => {}
            }
            let Some(&len) = b.get(1) else {
                o.truncated = true;
                break;
            };
            let len = usize::from(len);
            if len < 2 || len > b.len() {
                o.truncated = true;
                break;
            }
            let body = &b[2..len];
            match (kind, body.len()) {
                (2, 2) => o.mss = Some(u16::from_be_bytes([body[0], body[1]])),
                (3, 1) => o.wscale = Some(body[0]),
                (4, 0) => o.sack_permitted = true,
                (5, n) if n % 8 == 0 => {
                    for chunk in body.chunks_exact(8).take(4) {
                        let l = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                        let r = u32::from_be_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]);
                        o.sack[usize::from(o.sack_count)] = (l, r);
                        o.sack_count += 1;
                    }
                }
                (8, 8) => {
                    let v = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
                    let e = u32::from_be_bytes([body[4], body[5], body[6], body[7]]);
                    o.timestamps = Some((v, e));
                }
                (34, n) if n <= 16 => o.tfo = Some(cookie(body)),
                // Experimental TFO (RFC 6994 ExID 0xF989), used before kind 34 was assigned.
                (254, n) if (2..=18).contains(&n) && body[..2] == [0xf9, 0x89] => {
                    o.tfo = Some(cookie(&body[2..]))
                }
                _ => {}
            }
            b = &b[len..];
        }
        o
    }
}

fn cookie(b: &[u8]) -> TfoCookie {
    let mut c = TfoCookie {
        len: b.len() as u8,
        ..Default::default()
    };
    c.bytes[..b.len()].copy_from_slice(b);
    c
}

/// One TCP segment as captured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub ts: Timestamp,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub flags: Flags,
    pub seq: u32,
    pub ack: u32,
    /// The raw 16-bit window field (scaling is applied by the tracker, which knows the
    /// handshake).
    pub window: u16,
    /// Payload bytes as the IP header declares them, not as captured.
    pub payload_len: u32,
    pub options: TcpOptions,
}

impl Segment {
    /// Sequence space the segment occupies: payload plus one for SYN and one for FIN.
    pub fn seq_len(&self) -> u32 {
        self.payload_len + u32::from(self.flags.syn()) + u32::from(self.flags.fin())
    }
}

/// Parses the TCP header in `tcp` (which may be cut short by snaplen after its fixed 20 bytes).
/// `ip_payload_len` is the TCP header + payload length declared by the IP layer.
pub fn parse_tcp(
    ts: Timestamp,
    src_ip: IpAddr,
    dst_ip: IpAddr,
    tcp: &[u8],
    ip_payload_len: usize,
) -> Result<Segment, DecodeError> {
    // etherparse's TcpSlice wants the whole header including options; a snaplen cut inside the
    // options would lose flags and sequence numbers that are right there, so the 20 fixed
    // bytes are read directly.
    let h = tcp.get(..20).ok_or(DecodeError::TcpTruncated)?;
    let data_offset = usize::from(h[12] >> 4) * 4;
    if data_offset < 20 || data_offset > ip_payload_len.max(20) {
        return Err(DecodeError::TcpBadOffset);
    }
    let opt_end = data_offset.min(tcp.len());
    let mut options = TcpOptions::parse(&tcp[20..opt_end]);
    if opt_end < data_offset {
        options.truncated = true;
    }
    Ok(Segment {
        ts,
        src: Endpoint {
            ip: src_ip,
            port: u16::from_be_bytes([h[0], h[1]]),
        },
        dst: Endpoint {
            ip: dst_ip,
            port: u16::from_be_bytes([h[2], h[3]]),
        },
        seq: u32::from_be_bytes([h[4], h[5], h[6], h[7]]),
        ack: u32::from_be_bytes([h[8], h[9], h[10], h[11]]),
        flags: Flags(u16::from(h[13]) | (u16::from(h[12] & 0x01) << 8)),
        window: u16::from_be_bytes([h[14], h[15]]),
        payload_len: (ip_payload_len.saturating_sub(data_offset)) as u32,
        options,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_labels_read_like_the_textbook() {
        assert_eq!(Flags(Flags::SYN).to_string(), "SYN");
        assert_eq!(Flags(Flags::SYN | Flags::ACK).to_string(), "SYN+ACK");
        assert_eq!(Flags(Flags::FIN | Flags::ACK).to_string(), "FIN+ACK");
        assert_eq!(Flags(Flags::PSH | Flags::ACK).to_string(), "PSH+ACK");
        assert_eq!(Flags(Flags::RST | Flags::ACK).to_string(), "RST+ACK");
        assert_eq!(
            Flags(Flags::SYN | Flags::ECE | Flags::CWR).to_string(),
            "SYN+ECE+CWR"
        );
        assert_eq!(Flags(0).to_string(), "NONE");
    }

    #[test]
    fn options_parse_all_known_kinds() {
        let opts = [
            2, 4, 0x05, 0xb4, // MSS 1460
            1, 3, 3, 7, // NOP, WS 7
            4, 2, // SACK permitted
            8, 10, 0, 0, 0, 1, 0, 0, 0, 2, // TS 1, 2
            5, 10, 0, 0, 0, 10, 0, 0, 0, 20, // SACK 10-20
            34, 6, 1, 2, 3, 4, // TFO cookie
        ];
        let o = TcpOptions::parse(&opts);
        assert_eq!(o.mss, Some(1460));
        assert_eq!(o.wscale, Some(7));
        assert!(o.sack_permitted);
        assert_eq!(o.timestamps, Some((1, 2)));
        assert_eq!(o.sack_blocks(), &[(10, 20)]);
        assert_eq!(o.tfo.unwrap().as_slice(), &[1, 2, 3, 4]);
        assert!(!o.truncated);
    }

    #[test]
    fn options_cut_short_are_marked_not_fatal() {
        let o = TcpOptions::parse(&[2, 4, 0x05, 0xb4, 8, 10, 0, 0]);
        assert_eq!(o.mss, Some(1460));
        assert_eq!(o.timestamps, None);
        assert!(o.truncated);
        let o = TcpOptions::parse(&[3, 0]);
        assert!(o.truncated);
    }

    #[test]
    fn payload_length_comes_from_the_ip_layer_not_the_capture() {
        // A 20-byte header captured alone, while IP says 20 + 1000 bytes.
        let mut h = [0u8; 20];
        h[12] = 5 << 4;
        h[13] = (Flags::PSH | Flags::ACK) as u8;
        let ip = IpAddr::from([10, 0, 0, 1]);
        let s = parse_tcp(Timestamp(0), ip, ip, &h, 1020).unwrap();
        assert_eq!(s.payload_len, 1000);
        assert_eq!(s.flags.to_string(), "PSH+ACK");
    }

    #[test]
    fn bad_data_offset_and_short_headers_are_errors() {
        let ip = IpAddr::from([10, 0, 0, 1]);
        let mut h = [0u8; 20];
        h[12] = 4 << 4;
        assert_eq!(
            parse_tcp(Timestamp(0), ip, ip, &h, 20),
            Err(DecodeError::TcpBadOffset)
        );
        assert_eq!(
            parse_tcp(Timestamp(0), ip, ip, &h[..19], 20),
            Err(DecodeError::TcpTruncated)
        );
    }

    #[test]
    fn endpoints_print_ipv6_in_brackets() {
        let e = Endpoint {
            ip: "2001:db8::1".parse().unwrap(),
            port: 443,
        };
        assert_eq!(e.to_string(), "[2001:db8::1]:443");
    }
}
