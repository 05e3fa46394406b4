//! The captures `--lesson` plays: one textbook case each, short enough to step through in a
//! class. Frame numbers matter: the lesson notes (`crate::teach::lessons`) are keyed by them.

use super::{conv, eth, Fixture, T0};
use crate::gen::conv::{ep, Conv, GenPacket};

/// Conversation `n`: the handshake, a request of 80 bytes, its answer of 300 and the ACK
/// of that (frames 1 to 6).
fn opened(n: u16) -> Conv {
    let mut c = conv(n, T0);
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .data_c(0.001, 80)
        .data_s(0.010, 300)
        .ack_c(0.010);
    c
}

/// Handshake, one request and its answer; the connection stays open.
fn handshake() -> Vec<GenPacket> {
    opened(60).packets
}

/// The client closes first: four segments, the client ends in TIME_WAIT.
fn teardown() -> Vec<GenPacket> {
    let mut c = opened(61);
    c.fin_c(0.500).ack_s(0.010).fin_s(0.200).ack_c(0.010);
    c.packets
}

/// The server closes first and the client's FIN+ACK acknowledges it: three segments.
fn server_closes_first() -> Vec<GenPacket> {
    let mut c = conv(62, T0);
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .data_c(0.001, 80)
        .data_s(0.010, 300)
        .fin_s(0.001)
        .fin_c(0.010)
        .ack_s(0.010);
    c.packets
}

/// The client's last ACK is lost on the way (captured where it was sent): the server sends
/// its FIN again after its retransmission timeout, and the client, still in TIME_WAIT,
/// acknowledges it again and starts its 2*MSL over.
fn time_wait() -> Vec<GenPacket> {
    let mut c = opened(63);
    c.fin_c(0.500)
        .ack_s(0.010)
        .fin_s(0.200)
        .ack_c(0.010)
        .retransmit(0.200, 1)
        .retransmit(0.0002, 0);
    c.packets
}

/// A SYN to a port nobody listens on, answered by RST+ACK.
fn refused() -> Vec<GenPacket> {
    let mut c = Conv::new(ep("10.0.0.1", 40164), ep("10.0.0.2", 81), 64_000_555, 0, T0);
    c.syn(0.0).refuse(0.0002);
    c.packets
}

/// A SYN nobody answers, sent again with Linux's backoff (1, 2, 4, 8, 16 and 32 s: the six
/// retries of net.ipv4.tcp_syn_retries); connect() gives up 64 s after the last one.
fn syn_timeout() -> Vec<GenPacket> {
    let mut c = Conv::new(
        ep("10.0.0.1", 40165),
        ep("192.0.2.99", 443),
        65_004_242,
        0,
        T0,
    );
    c.syn(0.0);
    for backoff in [1.0, 2.0, 4.0, 8.0, 16.0, 32.0] {
        c.retransmit(backoff, 0);
    }
    c.packets
}

/// Both ends send a SYN at once (peer-to-peer, NAT hole punching).
fn simultaneous_open() -> Vec<GenPacket> {
    let mut c = Conv::new(
        ep("10.0.1.1", 5066),
        ep("10.0.1.2", 5067),
        66_001_000,
        66_009_000,
        T0,
    );
    c.syn(0.0)
        .syn_s(0.0001)
        .syn_ack_c(0.010)
        .syn_ack_s_simul(0.0001);
    c.data_c(0.010, 10).ack_s(0.010);
    c.packets
}

/// Both FINs cross on the wire: CLOSING on both ends.
fn simultaneous_close() -> Vec<GenPacket> {
    let mut c = conv(67, T0);
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .data_c(0.010, 50)
        .ack_s(0.010);
    c.fins_crossing(0.500, 0.0001);
    c.ack_c(0.010).ack_s(0.0001);
    c.packets
}

/// The client shuts down its sending side after its request; the server still answers.
fn half_close() -> Vec<GenPacket> {
    let mut c = conv(68, T0);
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .data_c(0.001, 200)
        .fin_c(0.001)
        .ack_s(0.010)
        .data_s(0.200, 1000)
        .ack_c(0.010)
        .data_s(0.200, 1000)
        .ack_c(0.010)
        .fin_s(0.200)
        .ack_c(0.010);
    c.packets
}

/// The server aborts an established connection with a RST.
fn reset() -> Vec<GenPacket> {
    let mut c = conv(69, T0);
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .data_c(0.001, 100)
        .ack_s(0.010)
        .rst_s(0.500);
    c.packets
}

/// A script: the packets of one capture.
type Script = fn() -> Vec<GenPacket>;

/// Each lesson's capture: its file name, what it holds, its script.
#[rustfmt::skip]
const CAPTURES: &[(&str, &str, Script)] = &[
    ("lesson-handshake.pcap", "Lesson `handshake`: the three-way handshake, one request and its answer; the connection stays open.", handshake),
    ("lesson-teardown.pcap", "Lesson `teardown`: the client closes first, four segments, the client ends in TIME_WAIT.", teardown),
    ("lesson-server-closes-first.pcap", "Lesson `server-closes-first`: the server's FIN is answered by the client's FIN+ACK that acknowledges it, so the close takes three segments; the server holds TIME_WAIT.", server_closes_first),
    ("lesson-time-wait.pcap", "Lesson `time-wait`: the client's last ACK is lost after it was captured; the server's FIN comes again 200 ms later and is acknowledged again from TIME_WAIT.", time_wait),
    ("lesson-refused.pcap", "Lesson `refused`: a SYN to port 81, where nothing listens, answered by RST+ACK.", refused),
    ("lesson-syn-timeout.pcap", "Lesson `syn-timeout`: a SYN nobody answers and its six retries, 1, 2, 4, 8, 16 and 32 s apart (Linux's tcp_syn_retries = 6).", syn_timeout),
    ("lesson-simultaneous-open.pcap", "Lesson `simultaneous-open`: both ends send a SYN at once and each answers the other's with SYN+ACK.", simultaneous_open),
    ("lesson-simultaneous-close.pcap", "Lesson `simultaneous-close`: the two FINs cross; both ends pass through CLOSING into TIME_WAIT.", simultaneous_close),
    ("lesson-half-close.pcap", "Lesson `half-close`: the client's FIN follows its request at once; the server sends 2000 bytes from CLOSE_WAIT, then closes.", half_close),
    ("lesson-reset.pcap", "Lesson `reset`: the server aborts an established connection with a RST 0.5 s after the client's request.", reset),
];

pub fn lesson_fixtures() -> Vec<Fixture> {
    CAPTURES
        .iter()
        .map(|(file, about, script)| eth(file, about, script()))
        .collect()
}

/// The packets of lesson `name`'s capture (`lesson-NAME.pcap`); none for an unknown name.
pub fn lesson_packets(name: &str) -> Vec<GenPacket> {
    let file = format!("lesson-{name}.pcap");
    CAPTURES
        .iter()
        .find(|(f, _, _)| *f == file)
        .map(|(_, _, script)| script())
        .unwrap_or_default()
}
