//! Handshakes and reuses that break the textbook pattern (issue 13): each fixture is a story a
//! real capture told that the tracker once got wrong.

use super::{conv, eth, Fixture, T0};
use crate::decode::Flags;
use crate::gen::conv::{merge, Conv, GenPacket};

pub fn odd_fixtures() -> Vec<Fixture> {
    vec![eth(
        "split-handshake.pcap",
        "Split handshakes (as in suricata-verify's tcp-split-handshake tests): the server answers the SYN with a SYN of its own, the client answers with SYN+ACK, the server ACKs (4 segments); then the same with a bare ACK of the SYN first (5 segments), which the client in SYN_SENT drops (RFC 9293 3.10.7.3). Each is one connection with a complete handshake.",
        split_handshakes(),
    ),
    eth(
        "reuse-after-rst.pcap",
        "A new ISN after a reset: a connection the client resets after its request; then a copy of its old SYN and a SYN+FIN+URG (odd flags, which a listener drops), neither of which brings the reset connection back; then a SYN with a new ISN, a second connection (`reuses` the first) that the server resets in window.",
        reuse_after_rst(),
    ),
    eth(
        "two-synacks.pcap",
        "Two SYN+ACKs on different ISNs (as TCP Fast Open retries and load balancers send): the client resends its SYN, the server answers on a new ISN, the client's ACK acknowledges that one, which is the server's ISN from the start; a late copy of the first SYN+ACK is outside its sequence space (unexpected).",
        two_synacks(),
    )]
}

/// SYN; SYN+ACK on ISN A; SYN again; SYN+ACK on ISN B; the client ACKs B; data both ways; a
/// late copy of the SYN+ACK on A; the close.
pub fn two_synacks() -> Vec<GenPacket> {
    let mut c = conv(24, T0);
    c.syn(0.0).syn_ack(0.01).retransmit(1.0, 0);
    let b = 2_000_000_000;
    let cisn = 1_000_000 * 24 + 12345;
    c.raw(0.01, 1, Flags::SYN | Flags::ACK, b, cisn + 1, 0);
    c.next[1] = b + 1;
    c.rcv[0] = b + 1;
    c.ack_c(0.01)
        .data_c(0.001, 100)
        .ack_s(0.01)
        .data_s(0.001, 300)
        .ack_c(0.01);
    let a = 3_000_000 * 24 + 777;
    c.raw(0.1, 1, Flags::SYN | Flags::ACK, a, cisn + 1, 0);
    c.fin_c(0.1).fin_s(0.001).ack_c(0.001);
    c.packets
}

/// A connection reset by the client, stale and odd SYNs on its 4-tuple, then a new one.
pub fn reuse_after_rst() -> Vec<GenPacket> {
    let mut c = conv(23, T0);
    c.syn(0.0).syn_ack(0.001).ack_c(0.001);
    c.data_c(0.001, 30).ack_s(0.001).rst_c(0.01);
    let isn = 1_000_000 * 23 + 12345;
    // The old SYN again (a copy the capture holds twice), then one with odd flags.
    c.raw(0.1, 0, Flags::SYN, isn, 0, 0);
    c.raw(
        0.1,
        0,
        Flags::SYN | Flags::FIN | Flags::URG,
        77_000_000,
        0,
        0,
    );
    // A new connection on the same ports, a new ISN, reset in window by the server.
    let mut n = Conv::new(c.client, c.server, 900_000_000, 600_000_000, T0 + 1.0);
    n.syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .data_c(0.001, 10)
        .ack_s(0.001)
        .rst_s(0.01);
    merge(&[&c, &n])
}

/// Two split handshakes: SYN; server SYN; client SYN+ACK; server ACK; then SYN; server ACK;
/// server SYN; client SYN+ACK; server ACK. Each sends a request, acknowledged, then closes.
pub fn split_handshakes() -> Vec<GenPacket> {
    let mut four = conv(21, T0);
    four.syn(0.0).syn_s(0.001).syn_ack_c(0.001).ack_s(0.001);
    four.data_c(0.001, 20)
        .ack_s(0.001)
        .fin_c(0.01)
        .fin_s(0.001)
        .ack_c(0.001);
    let mut five = conv(22, T0 + 1.0);
    five.syn(0.0);
    // The bare ACK answering the SYN: its sequence number is not the server's ISN.
    let ack = 1_000_000 * 22 + 12345 + 1;
    five.raw(0.001, 1, Flags::ACK, 123_456_789, ack, 0);
    five.syn_s(0.001).syn_ack_c(0.001).ack_s(0.001);
    five.data_c(0.001, 20)
        .ack_s(0.001)
        .fin_c(0.01)
        .fin_s(0.001)
        .ack_c(0.001);
    merge(&[&four, &five])
}
