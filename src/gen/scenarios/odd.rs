//! Handshakes and reuses that break the textbook pattern (issue 13): each fixture is a story a
//! real capture told that the tracker once got wrong.

use super::{conv, eth, Fixture, T0};
use crate::decode::Flags;
use crate::gen::conv::{merge, GenPacket};

pub fn odd_fixtures() -> Vec<Fixture> {
    vec![eth(
        "split-handshake.pcap",
        "Split handshakes (as in suricata-verify's tcp-split-handshake tests): the server answers the SYN with a SYN of its own, the client answers with SYN+ACK, the server ACKs (4 segments); then the same with a bare ACK of the SYN first (5 segments), which the client in SYN_SENT drops (RFC 9293 3.10.7.3). Each is one connection with a complete handshake.",
        split_handshakes(),
    )]
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
