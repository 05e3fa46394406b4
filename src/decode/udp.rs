//! UDP datagrams, decoded only when `--udp` asks (the TCP path never looks at them): the
//! endpoints, the payload length and, on DNS's ports, the question as a label.

use super::app::{self, AppLabel};
use super::segment::Endpoint;
use crate::time::Timestamp;

/// One UDP datagram as the tracker takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Datagram {
    pub ts: Timestamp,
    pub src: Endpoint,
    pub dst: Endpoint,
    /// Payload bytes, as the UDP header declares them.
    pub len: u32,
    /// 1-based frame number (set by the decoder).
    pub frame: u64,
    pub label: Option<AppLabel>,
}

/// Ports DNS is read on: DNS, mDNS and LLMNR (one message a datagram, no length prefix).
const DNS_PORTS: [u16; 3] = [53, 5353, 5355];

/// The datagram in `udp` (its UDP header and what was captured after it), or `None` if the
/// header is short. `label`: read a DNS message's question.
pub fn parse(
    ts: Timestamp,
    src: Endpoint,
    dst: Endpoint,
    udp: &[u8],
    label: bool,
) -> Option<Datagram> {
    let h = udp.get(..8)?;
    let (sport, dport) = (
        u16::from_be_bytes([h[0], h[1]]),
        u16::from_be_bytes([h[2], h[3]]),
    );
    let declared = usize::from(u16::from_be_bytes([h[4], h[5]]));
    // A UDP length below 8 is broken; 0 is what offload (or a jumbogram) leaves: take what
    // was captured.
    let len = if declared >= 8 {
        declared - 8
    } else {
        udp.len() - 8
    };
    let body = &udp[8..udp.len().min(8 + len)];
    let src = Endpoint { port: sport, ..src };
    let dst = Endpoint { port: dport, ..dst };
    let label = (label && DNS_PORTS.iter().any(|p| *p == sport || *p == dport))
        .then(|| app::dns_message(body))
        .flatten();
    Some(Datagram {
        ts,
        src,
        dst,
        len: len as u32,
        frame: 0,
        label,
    })
}
