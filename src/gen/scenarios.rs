//! The fixture catalogue: every scenario the tracker must get right, as small captures.
//! `cargo run --example gen_fixtures` writes them to `fixtures/`; a test checks the committed
//! files are exactly what this code produces.

use std::path::Path;

mod app;
mod diag;
mod hostile;
mod layers;
mod lessons;
mod odd;
mod zeek;

pub use diag::diag_fixtures;
pub use lessons::lesson_packets;

use super::conv::{ep, merge, Conv, GenPacket};
use super::frame::Link;
use super::write::{self, Frame};
use crate::decode::{Flags, Timestamp};

/// How a fixture is stored.
pub enum Output {
    Pcap {
        link: Link,
        frames: Vec<Frame>,
        nano: bool,
        big_endian: bool,
    },
    PcapNg {
        links: Vec<(Link, bool)>,
        frames: Vec<(usize, Frame)>,
    },
    /// A file built byte for byte (what no writer would write).
    Bytes(Vec<u8>),
}

pub struct Fixture {
    pub name: &'static str,
    pub about: &'static str,
    pub output: Output,
    /// Cut the written file to this many bytes (a capture that ends inside a record).
    pub truncate_to: Option<u64>,
}

/// Capture start for every scenario: 2024-03-01T10:00:00Z, a fixed date so output is stable.
pub const T0: f64 = 1_709_287_200.0;

pub(crate) fn pcap(
    name: &'static str,
    about: &'static str,
    link: Link,
    packets: Vec<GenPacket>,
) -> Fixture {
    let frames = write::frames(&link, &packets, false);
    Fixture {
        name,
        about,
        output: Output::Pcap {
            link,
            frames,
            nano: false,
            big_endian: false,
        },
        truncate_to: None,
    }
}

pub(crate) fn eth(name: &'static str, about: &'static str, packets: Vec<GenPacket>) -> Fixture {
    pcap(name, about, Link::ethernet(), packets)
}

/// Client 10.0.0.1, server 10.0.0.2:80; `n` picks the client port and ISNs.
pub(crate) fn conv(n: u16, t0: f64) -> Conv {
    Conv::new(
        ep("10.0.0.1", 40000 + n),
        ep("10.0.0.2", 80),
        1_000_000 * u32::from(n) + 12345,
        3_000_000 * u32::from(n) + 777,
        t0,
    )
}

/// Handshake, a request and a response, and the four-way close started by the client.
pub fn normal(c: &mut Conv) -> &mut Conv {
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .data_c(0.001, 120)
        .ack_s(0.010)
        .data_s(0.005, 1460)
        .data_s(0.0001, 1460)
        .data_s(0.0001, 800)
        .ack_c(0.010)
        .fin_c(0.050)
        .ack_s(0.010)
        .fin_s(0.001)
        .ack_c(0.010)
}

pub fn handshake_close() -> Vec<GenPacket> {
    let mut c = conv(1, T0);
    normal(&mut c);
    c.packets
}

pub fn server_closes_first() -> Vec<GenPacket> {
    let mut c = conv(2, T0);
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .data_c(0.001, 80)
        .data_s(0.010, 300)
        .fin_s(0.001)
        .ack_c(0.010)
        .fin_c(0.002)
        .ack_s(0.010);
    c.packets
}

pub fn fin_ack_combined() -> Vec<GenPacket> {
    // The server's FIN+ACK acknowledges the client's FIN: FIN_WAIT_1 goes straight to
    // TIME_WAIT (a three-segment close).
    let mut c = conv(3, T0);
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .fin_c(0.100)
        .fin_s(0.010)
        .ack_c(0.010);
    c.packets
}

pub fn simultaneous_open() -> Vec<GenPacket> {
    let mut c = Conv::new(ep("10.0.1.1", 5000), ep("10.0.1.2", 5001), 1000, 9000, T0);
    c.syn(0.0)
        .syn_s(0.0001)
        .syn_ack_c(0.010)
        .syn_ack_s_simul(0.0001);
    c.data_c(0.010, 10).ack_s(0.010);
    c.packets
}

pub fn simultaneous_close() -> Vec<GenPacket> {
    let mut c = conv(4, T0);
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .data_c(0.010, 50)
        .ack_s(0.010);
    // Both FINs cross on the wire: neither acknowledges the other.
    c.fins_crossing(0.100, 0.0001);
    c.ack_c(0.010).ack_s(0.0001);
    c.packets
}

pub fn half_close() -> Vec<GenPacket> {
    // The client shuts down its sending side; the server keeps sending, then closes.
    let mut c = conv(5, T0);
    c.syn(0.0)
        .syn_ack(0.010)
        .ack_c(0.010)
        .data_c(0.001, 200)
        .fin_c(0.001)
        .ack_s(0.010)
        .data_s(0.010, 1000)
        .ack_c(0.010)
        .data_s(0.010, 1000)
        .ack_c(0.010)
        .data_s(0.010, 1000)
        .ack_c(0.010)
        .fin_s(0.010)
        .ack_c(0.010);
    c.packets
}

pub fn refused() -> Vec<GenPacket> {
    let mut c = Conv::new(ep("10.0.0.1", 40100), ep("10.0.0.2", 81), 555, 0, T0);
    c.syn(0.0).refuse(0.0002);
    c.packets
}

pub fn rst_states() -> Vec<GenPacket> {
    // One connection reset in each state.
    let mut out = Vec::new();
    // SYN_RECEIVED: the client resets after the SYN+ACK (a half-open scan).
    let mut a = conv(10, T0);
    a.syn(0.0).syn_ack(0.001).rst_c(0.001);
    // ESTABLISHED: an abortive close by the server after data.
    let mut b = conv(11, T0 + 1.0);
    b.syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .data_c(0.001, 100)
        .ack_s(0.001)
        .rst_s(0.5);
    // FIN_WAIT_1 / CLOSE_WAIT: the server resets instead of acknowledging the FIN.
    let mut c = conv(12, T0 + 2.0);
    c.syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .fin_c(0.1)
        .rst_s(0.001);
    // FIN_WAIT_2 / CLOSE_WAIT: the client gives up waiting for the server's FIN.
    let mut d = conv(13, T0 + 3.0);
    d.syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .fin_c(0.1)
        .ack_s(0.001)
        .rst_c(5.0);
    // TIME_WAIT / LAST_ACK: the final ACK is lost, the server resets.
    let mut e = conv(14, T0 + 10.0);
    e.syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .fin_c(0.1)
        .fin_s(0.001)
        .rst_s(0.3);
    // CLOSING: a reset during a simultaneous close.
    let mut f = conv(15, T0 + 11.0);
    f.syn(0.0).syn_ack(0.001).ack_c(0.001);
    f.fins_crossing(0.1, 0.0001).rst_c(0.01);
    out.extend(merge(&[&a, &b, &c, &d, &e, &f]));
    out
}

pub fn retransmissions() -> Vec<GenPacket> {
    let mut c = conv(20, T0);
    c.syn(0.0).retransmit(1.0, 0); // SYN lost once: retransmitted after 1 s
    c.syn_ack(0.010).retransmit(1.0, 1); // the final ACK is slow: SYN+ACK resent
    c.ack_c(0.010);
    c.data_c(0.010, 500).retransmit(0.2, 0); // data retransmitted after an RTO
    c.ack_s(0.010);
    c.fin_c(0.050).retransmit(0.2, 0); // FIN retransmitted
    c.ack_s(0.010).fin_s(0.001).ack_c(0.010);
    c.packets
}

pub fn syn_unanswered() -> Vec<GenPacket> {
    // Linux's SYN backoff: 1 s, 2 s, 4 s between tries.
    let mut c = Conv::new(ep("10.0.0.1", 40300), ep("192.0.2.99", 443), 4242, 0, T0);
    c.syn(0.0)
        .retransmit(1.0, 0)
        .retransmit(2.0, 0)
        .retransmit(4.0, 0);
    c.packets
}

pub fn missing_segments() -> Vec<GenPacket> {
    // The SYN+ACK and one data segment were not captured.
    let mut c = conv(30, T0);
    c.syn(0.0).syn_ack(0.010).lose_last().ack_c(0.010);
    c.data_c(0.001, 100)
        .data_c(0.001, 100)
        .lose_last()
        .data_c(0.001, 100);
    c.ack_s(0.010);
    c.fin_c(0.050).fin_s(0.010).ack_c(0.010);
    c.packets
}

pub fn out_of_order() -> Vec<GenPacket> {
    let mut c = conv(31, T0);
    c.syn(0.0).syn_ack(0.010).ack_c(0.010);
    c.data_s(0.001, 1000)
        .data_s(0.0001, 1000)
        .data_s(0.0001, 1000);
    // The capture saw the second and third segments before the first.
    let n = c.packets.len();
    let first = c.packets.remove(n - 3);
    let mut first = first;
    first.ts = Timestamp(c.packets[n - 2].ts.0 + 50_000);
    c.packets.push(first);
    c.t += 100_000;
    c.ack_c(0.010)
        .fin_s(0.010)
        .ack_c(0.010)
        .fin_c(0.001)
        .ack_s(0.010);
    c.packets
}

pub fn wraparound() -> Vec<GenPacket> {
    // ISNs 100 bytes short of 2^32: data crosses the wrap.
    let mut c = Conv::new(
        ep("10.0.0.1", 40400),
        ep("10.0.0.2", 80),
        u32::MAX - 99,
        u32::MAX - 9,
        T0,
    );
    c.syn(0.0).syn_ack(0.01).ack_c(0.01);
    c.data_c(0.001, 60)
        .data_c(0.001, 60)
        .data_c(0.001, 60)
        .ack_s(0.01);
    c.data_s(0.001, 500).ack_c(0.01);
    c.fin_c(0.01).ack_s(0.01).fin_s(0.001).ack_c(0.01);
    c.packets
}

pub fn port_reuse() -> Vec<GenPacket> {
    // A connection closes (client in TIME_WAIT), then the same ports open again 5 s later with
    // a new ISN; then that one is refused and retried.
    let mut a = conv(40, T0);
    normal(&mut a);
    let mut b = conv(40, T0 + 5.0);
    b.next = [900_000_000, 0];
    b.rcv = [0, 900_000_000];
    b.syn(0.0).syn_ack(0.01).ack_c(0.01).rst_s(0.5);
    let mut c = conv(40, T0 + 7.0);
    c.next = [950_000_000, 0];
    c.rcv = [0, 950_000_000];
    c.syn(0.0).refuse(0.001);
    merge(&[&a, &b, &c])
}

pub fn time_wait_expiry() -> Vec<GenPacket> {
    // A connection ends in TIME_WAIT; another one 61 s later moves capture time past 2*MSL.
    let mut a = conv(50, T0);
    normal(&mut a);
    let mut b = conv(51, T0 + 61.0);
    b.syn(0.0).syn_ack(0.01).ack_c(0.01);
    merge(&[&a, &b])
}

pub fn mid_stream() -> Vec<GenPacket> {
    // The capture starts after the handshake: roles come from the ports.
    let mut c = Conv::new(
        ep("10.0.0.2", 22),
        ep("10.0.0.1", 51234),
        70_000,
        80_000,
        T0,
    );
    // Scripted from the server's point of view, so swap: "client" here is the server.
    c.data_c(0.0, 100).ack_s(0.01).data_c(0.01, 100).ack_s(0.01);
    c.data_s(0.01, 40).ack_c(0.01);
    c.fin_s(0.1).ack_c(0.01).fin_c(0.001).ack_s(0.01);
    c.packets
}

pub fn dupack_zero_window() -> Vec<GenPacket> {
    let mut c = conv(60, T0);
    c.syn(0.0).syn_ack(0.01).ack_c(0.01);
    // Three server segments; the second is lost on the way (and not captured).
    let s1 = c.next[1];
    c.data_s(0.001, 1000)
        .data_s(0.0001, 1000)
        .lose_last()
        .data_s(0.0001, 1000);
    let s3_end = c.next[1];
    let cseq = c.next[0];
    let hole = s1.wrapping_add(1000);
    let sack = c.rcv[1];
    // The client acknowledges up to the hole, then repeats that ACK for the third segment:
    // duplicate ACKs. The server retransmits the lost segment; the client acknowledges all.
    c.raw(0.010, 0, Flags::ACK, cseq, hole, 0)
        .raw(0.0005, 0, Flags::ACK, cseq, hole, 0)
        .raw(0.0005, 0, Flags::ACK, cseq, hole, 0)
        .raw(0.0005, 1, Flags::PSH | Flags::ACK, hole, sack, 1000)
        .raw(0.010, 0, Flags::ACK, cseq, s3_end, 0);
    // The receiver stops reading: its window closes for 2.5 s, then opens.
    c.set_window(0, 0).ack_c(0.3).ack_c(0.5);
    c.set_window(0, 64240).ack_c(2.0);
    c.fin_s(0.1).ack_c(0.01).fin_c(0.01).ack_s(0.01);
    c.packets
}

/// The lecture story behind `synack` with no arguments.
/// A download of 120 full segments with delayed ACKs (one per two segments), one of them
/// retransmitted half-way, then the server closes. Long enough for `--max-events` to bite.
pub fn bulk_transfer() -> Vec<GenPacket> {
    let mut c = conv(40, T0);
    c.syn(0.0).syn_ack(0.010).ack_c(0.010).data_c(0.001, 200);
    for i in 0..60 {
        c.data_s(0.002, 1448).data_s(0.0001, 1448);
        if i == 30 {
            c.retransmit(0.2, 1);
        }
        c.ack_c(0.0005);
    }
    c.fin_s(0.001).ack_c(0.010).fin_c(0.002).ack_s(0.010);
    c.packets
}

pub fn demo() -> Vec<GenPacket> {
    let mut graceful = Conv::new(
        ep("192.168.1.10", 51000),
        ep("192.168.1.20", 80),
        2_000_000_000,
        3_500_000_000,
        T0,
    );
    normal(&mut graceful);
    let mut refused = Conv::new(
        ep("192.168.1.10", 51001),
        ep("192.168.1.20", 81),
        1_234_567,
        0,
        T0 + 1.0,
    );
    refused.syn(0.0).refuse(0.0005);
    let mut reset = Conv::new(
        ep("192.168.1.10", 51002),
        ep("192.168.1.20", 8080),
        77_000,
        88_000,
        T0 + 2.0,
    );
    reset
        .syn(0.0)
        .syn_ack(0.01)
        .ack_c(0.01)
        .data_c(0.01, 300)
        .ack_s(0.01)
        .data_s(0.2, 100)
        .rst_c(0.3);
    let mut close_wait = Conv::new(
        ep("192.168.1.10", 51003),
        ep("192.168.1.20", 5432),
        500_000,
        600_000,
        T0 + 3.0,
    );
    close_wait
        .syn(0.0)
        .syn_ack(0.01)
        .ack_c(0.01)
        .data_c(0.01, 40)
        .data_s(0.01, 400)
        .ack_c(0.01);
    close_wait.fin_c(0.5).ack_s(0.01);
    let mut unanswered = Conv::new(
        ep("192.168.1.10", 51004),
        ep("192.168.1.99", 443),
        99_999,
        0,
        T0 + 4.0,
    );
    unanswered.syn(0.0).retransmit(1.0, 0).retransmit(2.0, 0);
    // Late in the capture, so that the CLOSE_WAIT above has been stuck for more than 10 s.
    let mut simul = Conv::new(
        ep("192.168.1.10", 51005),
        ep("192.168.1.20", 6000),
        10_000,
        20_000,
        T0 + 15.0,
    );
    simul
        .syn(0.0)
        .syn_ack(0.01)
        .ack_c(0.01)
        .data_c(0.01, 10)
        .ack_s(0.01);
    simul.fins_crossing(0.2, 0.0001).ack_c(0.01).ack_s(0.0001);
    merge(&[
        &graceful,
        &refused,
        &reset,
        &close_wait,
        &unanswered,
        &simul,
    ])
}

pub fn malformed_frames() -> Vec<Frame> {
    // Good frames around broken ones: a cut link header, a cut TCP header, a bad IP version,
    // a TCP data offset of 2, a UDP datagram and an ARP request (the last two are not errors).
    let mut c = conv(70, T0);
    c.syn(0.0).syn_ack(0.01).ack_c(0.01);
    let link = Link::ethernet();
    let mut frames = write::frames(&link, &c.packets, false);
    let t = |ms: i64| Timestamp(frames_t0() + ms * 1_000_000);
    let good = frames[0].data.clone();
    let mk = |data: Vec<u8>, ts| Frame {
        ts,
        orig_len: data.len() as u32,
        data,
    };
    frames.push(mk(good[..10].to_vec(), t(100)));
    frames.push(mk(good[..14 + 20 + 12].to_vec(), t(101)));
    let mut badver = good.clone();
    badver[14] = 0x35;
    frames.push(mk(badver, t(102)));
    let mut badoff = good.clone();
    badoff[14 + 20 + 12] = 0x20;
    frames.push(mk(badoff, t(103)));
    let mut udp = Vec::new();
    etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4([10, 0, 0, 1], [10, 0, 0, 3], 64)
        .udp(5353, 53)
        .write(&mut udp, b"hello")
        .expect("udp frame");
    frames.push(mk(udp, t(104)));
    let mut arp = vec![0xff; 6];
    arp.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0x08, 0x06]);
    arp.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
    arp.extend_from_slice(&[2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
    frames.push(mk(arp, t(105)));
    frames.sort_by_key(|f| f.ts);
    frames
}

/// A connection closes into TIME_WAIT, then only UDP datagrams come (one every 10 s for 70 s):
/// capture time passes 2*MSL with no TCP segment at all, so the end's TIME_WAIT must expire
/// on the clock that every frame moves, in the TUI as in `--json`.
pub fn time_wait_ticks_frames() -> Vec<Frame> {
    let mut c = conv(52, T0);
    normal(&mut c);
    let link = Link::ethernet();
    let mut frames = write::frames(&link, &c.packets, false);
    let last = frames.last().map_or(frames_t0(), |f| f.ts.0);
    for i in 1..=7i64 {
        let mut udp = Vec::new();
        etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4([10, 0, 0, 1], [10, 0, 0, 3], 64)
            .udp(5353, 53)
            .write(&mut udp, b"tick")
            .expect("udp frame");
        frames.push(Frame {
            ts: Timestamp(last + i * 10 * Timestamp::NANOS_PER_SEC),
            orig_len: udp.len() as u32,
            data: udp,
        });
    }
    frames
}

pub(crate) fn frames_t0() -> i64 {
    Timestamp::from_secs_f64(T0).0
}

fn snaplen_cut(mut frames: Vec<Frame>, snaplen: usize) -> Vec<Frame> {
    for f in &mut frames {
        f.data.truncate(snaplen);
    }
    frames
}

/// Every fixture, in the order `fixtures/README.md` lists them.
pub fn all() -> Vec<Fixture> {
    let mut v = vec![
        eth("handshake-close.pcap", "Textbook connection: three-way handshake, a request and a response, four-way close started by the client (client ends in TIME_WAIT, server CLOSED).", handshake_close()),
        eth("server-closes-first.pcap", "The server closes first: the server holds TIME_WAIT, the client goes through CLOSE_WAIT and LAST_ACK.", server_closes_first()),
        eth("fin-ack-combined.pcap", "Three-segment close: the server's FIN+ACK acknowledges the client's FIN, so FIN_WAIT_1 goes straight to TIME_WAIT.", fin_ack_combined()),
        eth("simultaneous-open.pcap", "Simultaneous open: both ends send SYN, both pass through SYN_RECEIVED, then each SYN+ACK completes the other's handshake.", simultaneous_open()),
        eth("simultaneous-close.pcap", "Simultaneous close: the two FINs cross (neither acknowledges the other), both ends go FIN_WAIT_1 -> CLOSING -> TIME_WAIT.", simultaneous_close()),
        eth("half-close.pcap", "Half-close: the client sends FIN after its request; the server keeps sending 3000 bytes from CLOSE_WAIT, then closes.", half_close()),
        eth("refused.pcap", "Connection refused: SYN to a closed port answered by RST+ACK acknowledging the SYN.", refused()),
        eth("rst-states.pcap", "Six connections, each reset in a different state: SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1/CLOSE_WAIT, FIN_WAIT_2/CLOSE_WAIT, TIME_WAIT/LAST_ACK, CLOSING.", rst_states()),
        eth("retransmissions.pcap", "Retransmitted SYN (after 1 s), SYN+ACK, data segment and FIN, in one connection that still closes normally.", retransmissions()),
        eth("syn-unanswered.pcap", "A SYN nobody answers, retransmitted with Linux's backoff (1 s, 2 s, 4 s).", syn_unanswered()),
        eth("missing-segments.pcap", "Segments missing from the capture: the SYN+ACK (the server's states are inferred from the client's ACK) and one client data segment (a gap, marked prev_missing, that the server's ACK covers).", missing_segments()),
        eth("out-of-order.pcap", "Out-of-order capture: the first of three server data segments is captured after the other two.", out_of_order()),
        eth("wraparound.pcap", "Sequence-number wraparound: both ISNs are just below 2^32 and the data crosses zero; relative numbers and FIN acknowledgment stay right.", wraparound()),
        eth("port-reuse.pcap", "Port reuse: a closed connection (client in TIME_WAIT), then a new SYN with a new ISN on the same 4-tuple (accepted, later reset), then another (refused). Three connections.", port_reuse()),
        eth("time-wait-expiry.pcap", "TIME_WAIT expiry: a connection closes into TIME_WAIT, a second connection 61 s later moves capture time past 2*MSL (60 s), so the first is shown CLOSED (inferred).", time_wait_expiry()),
        eth("mid-stream.pcap", "Capture joined mid-stream (no handshake): roles inferred from the ports (22 is the server), then a close started by the client.", mid_stream()),
        eth("dupack-zero-window.pcap", "A lost server segment: the client's duplicate ACKs, the retransmission that fills the hole, then a receiver whose window drops to zero for 2.5 s before reopening.", dupack_zero_window()),
        eth("bulk-transfer.pcap", "A download: a request, then 120 full segments from the server with an ACK for every two, one retransmitted half-way (after 0.2 s), and a close started by the server. With `--max-events` the data runs past the cap are folded where they fell.", bulk_transfer()),
        eth("demo.pcap", "The built-in demo (synack with no argument): a graceful close ending in TIME_WAIT, a refused SYN, a reset mid-stream, a connection left in CLOSE_WAIT/FIN_WAIT_2, an unanswered SYN with retries, a simultaneous close.", demo()),
        pcap("vlan-qinq.pcap", "Link layer: Ethernet with 802.1Q (one tag) and QinQ (802.1ad + 802.1Q) frames; the textbook connection.", Link::Ethernet { vlans: vec![100, 200] }, handshake_close()),
        pcap("sll.pcap", "Link layer: Linux cooked capture v1 (LINKTYPE_LINUX_SLL 113); the textbook connection.", Link::Sll, handshake_close()),
        pcap("sll2.pcap", "Link layer: Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 276, what `tcpdump -i any` writes); the textbook connection.", Link::Sll2, handshake_close()),
        pcap("raw-ip.pcap", "Link layer: raw IP (LINKTYPE_RAW 101); the textbook connection.", Link::Raw, handshake_close()),
        pcap("raw-ipv4.pcap", "Link layer: raw IPv4 (LINKTYPE_IPV4 228); the textbook connection.", Link::RawIpv4, handshake_close()),
        pcap("null-le.pcap", "Link layer: BSD loopback (LINKTYPE_NULL 0) with the address family little-endian; the textbook connection.", Link::Null { big_endian: false }, handshake_close()),
        pcap("null-be.pcap", "Link layer: BSD loopback (LINKTYPE_NULL 0) with the address family big-endian; the textbook connection.", Link::Null { big_endian: true }, handshake_close()),
    ];
    // IPv6 with a hop-by-hop extension header, over Ethernet.
    v6_fixture(&mut v);
    v.push(pcap(
        "vlan.pcap",
        "Link layer: Ethernet with one 802.1Q tag (VLAN 42); the textbook connection.",
        Link::Ethernet { vlans: vec![42] },
        handshake_close(),
    ));
    v.push(Fixture {
        name: "nanosecond.pcap",
        about: "Nanosecond-precision pcap (magic a1b23c4d); the textbook connection with sub-microsecond gaps.",
        output: Output::Pcap {
            link: Link::ethernet(),
            frames: write::frames(&Link::ethernet(), &nano_gaps(), false),
            nano: true,
            big_endian: false,
        },
        truncate_to: None,
    });
    v.push(Fixture {
        name: "big-endian.pcap",
        about: "Big-endian pcap header and records (as written by SPARC/PowerPC hosts); the textbook connection.",
        output: Output::Pcap {
            link: Link::ethernet(),
            frames: write::frames(&Link::ethernet(), &handshake_close(), false),
            nano: false,
            big_endian: true,
        },
        truncate_to: None,
    });
    v.push(multi_link_pcapng());
    v.extend(diag_fixtures());
    v.extend(layers::layer_fixtures());
    v.extend(app::app_fixtures());
    v.extend(hostile::hostile_fixtures());
    v.extend(odd::odd_fixtures());
    v.extend(zeek::zeek_fixtures());
    v.extend(lessons::lesson_fixtures());
    v.push(Fixture {
        name: "malformed.pcap",
        about: "A handshake with six odd frames mixed in: a cut Ethernet header, a cut TCP header, IP version 3, TCP data offset 2 (four malformed), a UDP datagram and an ARP request (two non-TCP).",
        output: Output::Pcap {
            link: Link::ethernet(),
            frames: malformed_frames(),
            nano: false,
            big_endian: false,
        },
        truncate_to: None,
    });
    v.push(Fixture {
        name: "time-wait-ticks.pcap",
        about: "TIME_WAIT on a clock moved only by other traffic: a connection closes into TIME_WAIT, then a UDP datagram every 10 s for 70 s and no TCP segment, so TIME_WAIT (2*MSL, 60 s) has expired when the capture ends.",
        output: Output::Pcap {
            link: Link::ethernet(),
            frames: time_wait_ticks_frames(),
            nano: false,
            big_endian: false,
        },
        truncate_to: None,
    });
    v.push(Fixture {
        name: "snaplen-64.pcap",
        about: "The textbook connection captured with a 64-byte snaplen: payloads (and some options) cut, lengths still right from the IP header.",
        output: Output::Pcap {
            link: Link::ethernet(),
            frames: snaplen_cut(write::frames(&Link::ethernet(), &handshake_close(), false), 64),
            nano: false,
            big_endian: false,
        },
        truncate_to: None,
    });
    let frames = write::frames(&Link::ethernet(), &handshake_close(), false);
    // The 24-byte file header, five whole records (16-byte header each), 20 bytes of the sixth.
    let cut = 24
        + frames[..5]
            .iter()
            .map(|f| 16 + f.data.len() as u64)
            .sum::<u64>()
        + 20;
    v.push(Fixture {
        name: "truncated-file.pcap",
        about: "The textbook connection with the file cut in the middle of the sixth packet record: the first five packets read, then a clean truncation error.",
        output: Output::Pcap {
            link: Link::ethernet(),
            frames,
            nano: false,
            big_endian: false,
        },
        truncate_to: Some(cut),
    });
    v
}

fn v6_fixture(v: &mut Vec<Fixture>) {
    let mut c = Conv::new(ep("2001:db8::1", 40500), ep("2001:db8::2", 443), 11, 22, T0);
    normal(&mut c);
    let link = Link::ethernet();
    let frames = write::frames(&link, &c.packets, true);
    v.push(Fixture {
        name: "ipv6-ext.pcap",
        about: "IPv6 over Ethernet with a hop-by-hop extension header on every packet; the textbook connection between [2001:db8::1] and [2001:db8::2]:443.",
        output: Output::Pcap {
            link,
            frames,
            nano: false,
            big_endian: false,
        },
        truncate_to: None,
    });
}

fn nano_gaps() -> Vec<GenPacket> {
    let mut c = conv(80, T0);
    c.syn(0.0).syn_ack(0.000_000_250).ack_c(0.000_000_125);
    c.fin_c(0.000_001_001)
        .fin_s(0.000_000_333)
        .ack_c(0.000_000_001);
    c.packets
}

fn multi_link_pcapng() -> Fixture {
    // Three interfaces (Ethernet, SLL, raw IP; the raw one with nanosecond timestamps), one
    // connection on each: libpcap 1.10 refuses such files, synack must not.
    let links = vec![
        (Link::ethernet(), false),
        (Link::Sll, false),
        (Link::Raw, true),
    ];
    let mut frames = Vec::new();
    for (i, (link, _)) in links.iter().enumerate() {
        let mut c = conv(90 + i as u16, T0 + i as f64 * 0.5);
        c.syn(0.0)
            .syn_ack(0.01)
            .ack_c(0.01)
            .fin_c(0.1)
            .fin_s(0.01)
            .ack_c(0.01);
        for f in write::frames(link, &c.packets, false) {
            frames.push((i, f));
        }
    }
    frames.sort_by_key(|(_, f)| f.ts);
    Fixture {
        name: "multi-link.pcapng",
        about: "pcapng with three interfaces of different link types (Ethernet, Linux SLL, raw IP with if_tsresol=9), one short connection on each.",
        output: Output::PcapNg { links, frames },
        truncate_to: None,
    }
}

/// Writes one fixture into `dir`.
pub fn write(f: &Fixture, dir: &Path) -> Result<(), String> {
    let path = dir.join(f.name);
    match &f.output {
        Output::Pcap {
            link,
            frames,
            nano,
            big_endian,
        } => {
            if *big_endian {
                write::write_pcap_big_endian(&path, link, frames)?
            } else {
                write::write_pcap(&path, link, frames, *nano)?
            }
        }
        Output::PcapNg { links, frames } => write::write_pcapng(&path, links, frames)?,
        Output::Bytes(b) => std::fs::write(&path, b).map_err(|e| e.to_string())?,
    }
    if let Some(n) = f.truncate_to {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| e.to_string())?;
        file.set_len(n).map_err(|e| e.to_string())?;
    }
    Ok(())
}
