//! The diagnosis fixtures (`--diagnose`): one scenario per finding kind.

use super::{conv, eth, normal, Fixture, T0};
use crate::decode::Flags;
use crate::gen::conv::{ep, merge, Conv, GenPacket};

/// Scenarios for the diagnosis (`--diagnose`), one per finding kind.
pub fn diag_fixtures() -> Vec<Fixture> {
    vec![
        eth("diag-time-wait-pile.pcap", "TIME_WAIT piles: 12 connections from 10.0.0.9 to 10.0.0.2:80 closed by the client (TIME_WAIT held by the client) and 10 to 10.0.0.3:8080 closed by the server (held by the server).", diag_time_wait_pile()),
        eth("diag-port-reuse.pcap", "New SYNs on 4-tuples whose server still holds TIME_WAIT: one accepted with a SYN+ACK, one answered with an ACK for the old connection (then the client resets), one refused with a RST+ACK.", diag_port_reuse()),
        eth("diag-close-wait.pcap", "A server that never closes: the client's FIN is acknowledged, then 30 s of silence (another connection moves capture time): CLOSE_WAIT on the server, FIN_WAIT_2 on the client.", diag_close_wait()),
        eth("diag-syn-flood.pcap", "SYN flood: 50 SYNs from 50 sources to 10.0.0.2:80 within half a second; the server answers each with a SYN+ACK (retransmitted once), no final ACK comes.", diag_syn_flood()),
        eth("diag-zero-window.pcap", "A receiver that stops reading: 10.0.0.1 advertises a zero window for 15 s while the sender probes, then reopens.", diag_zero_window()),
        eth("diag-half-open-rst.pcap", "A half-open peer: the capture joins a connection whose server has restarted; the client's data is answered by a RST from a server that no longer knows it, and the client keeps sending once more.", diag_half_open_rst()),
        eth("diag-idle.pcap", "An ESTABLISHED connection that goes silent for 400 s (a later connection moves capture time), with no keep-alives.", diag_idle()),
    ]
}

fn diag_time_wait_pile() -> Vec<GenPacket> {
    let mut convs = Vec::new();
    for i in 0..12u16 {
        let mut c = Conv::new(
            ep("10.0.0.9", 50000 + i),
            ep("10.0.0.2", 80),
            1000 + u32::from(i) * 7919,
            5000,
            T0 + f64::from(i) * 0.1,
        );
        normal(&mut c);
        convs.push(c);
    }
    for i in 0..10u16 {
        let mut c = Conv::new(
            ep("10.0.0.9", 51000 + i),
            ep("10.0.0.3", 8080),
            2000 + u32::from(i),
            6000,
            T0 + 2.0 + f64::from(i) * 0.1,
        );
        c.syn(0.0)
            .syn_ack(0.001)
            .ack_c(0.001)
            .data_c(0.001, 100)
            .data_s(0.001, 100);
        c.fin_s(0.001).ack_c(0.001).fin_c(0.001).ack_s(0.001);
        convs.push(c);
    }
    merge(&convs.iter().collect::<Vec<_>>())
}

fn server_closes(c: &mut Conv) -> &mut Conv {
    c.syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .data_c(0.001, 50)
        .data_s(0.001, 500);
    c.fin_s(0.01).ack_c(0.001).fin_c(0.001).ack_s(0.001)
}

fn diag_port_reuse() -> Vec<GenPacket> {
    // Accepted: the server in TIME_WAIT answers the new SYN with a SYN+ACK.
    let mut a = Conv::new(
        ep("10.0.0.1", 45000),
        ep("10.0.0.2", 80),
        100_000,
        200_000,
        T0,
    );
    server_closes(&mut a);
    let mut a2 = Conv::new(
        ep("10.0.0.1", 45000),
        ep("10.0.0.2", 80),
        900_000,
        800_000,
        T0 + 1.0,
    );
    a2.syn(0.0).syn_ack(0.001).ack_c(0.001);
    // Answered with an ACK for the old connection (RFC 9293's TIME-WAIT reply to a SYN);
    // the client resets and tries again.
    let mut b = Conv::new(
        ep("10.0.0.1", 45001),
        ep("10.0.0.2", 80),
        300_000,
        400_000,
        T0,
    );
    server_closes(&mut b);
    let old_s = b.next[1];
    let old_c = b.next[0];
    let mut b2 = Conv::new(
        ep("10.0.0.1", 45001),
        ep("10.0.0.2", 80),
        50_000,
        0,
        T0 + 2.0,
    );
    b2.syn(0.0)
        .raw(0.001, 1, Flags::ACK, old_s, old_c, 0)
        .raw(0.001, 0, Flags::RST, old_c, 0, 0);
    // Refused: the host holding TIME_WAIT answers the new SYN with a RST+ACK.
    let mut d = Conv::new(
        ep("10.0.0.1", 45002),
        ep("10.0.0.2", 80),
        500_000,
        600_000,
        T0,
    );
    server_closes(&mut d);
    let mut d2 = Conv::new(
        ep("10.0.0.1", 45002),
        ep("10.0.0.2", 80),
        70_000,
        0,
        T0 + 3.0,
    );
    d2.syn(0.0).refuse(0.001);
    merge(&[&a, &a2, &b, &b2, &d, &d2])
}

fn diag_close_wait() -> Vec<GenPacket> {
    let mut c = conv(100, T0);
    c.syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .data_c(0.001, 100)
        .data_s(0.001, 1000)
        .ack_c(0.001);
    c.fin_c(1.0).ack_s(0.001);
    let mut later = Conv::new(ep("10.0.0.5", 40000), ep("10.0.0.6", 443), 1, 2, T0 + 31.0);
    later.syn(0.0).syn_ack(0.001).ack_c(0.001);
    merge(&[&c, &later])
}

fn diag_syn_flood() -> Vec<GenPacket> {
    let mut convs = Vec::new();
    for i in 0..50u32 {
        let src = format!("198.51.100.{}", i + 1);
        let mut c = Conv::new(
            ep(&src, 1024 + i as u16),
            ep("10.0.0.2", 80),
            7_000_000 + i * 31,
            9_000_000 + i * 17,
            T0 + f64::from(i) * 0.01,
        );
        c.syn(0.0).syn_ack(0.0001).retransmit(1.0, 1);
        convs.push(c);
    }
    merge(&convs.iter().collect::<Vec<_>>())
}

fn diag_zero_window() -> Vec<GenPacket> {
    let mut c = conv(110, T0);
    c.syn(0.0).syn_ack(0.001).ack_c(0.001);
    c.data_s(0.001, 1000).data_s(0.001, 1000);
    c.set_window(0, 0).ack_c(0.01);
    // Zero-window probes from the server every 5 s, each answered with the closed window.
    for _ in 0..3 {
        let seq = c.next[1];
        let ack = c.rcv[1];
        c.raw(5.0, 1, Flags::ACK, seq.wrapping_sub(1), ack, 0);
        c.ack_c(0.001);
    }
    c.set_window(0, 64240).ack_c(0.01);
    c.data_s(0.01, 1000)
        .ack_c(0.01)
        .fin_c(0.01)
        .fin_s(0.001)
        .ack_c(0.001);
    c.packets
}

fn diag_half_open_rst() -> Vec<GenPacket> {
    let mut c = Conv::new(
        ep("10.0.0.1", 46000),
        ep("10.0.0.2", 22),
        5_000_000,
        6_000_000,
        T0,
    );
    // Mid-stream: the client sends data; the restarted server answers with a RST.
    c.data_c(0.0, 48);
    let ack = c.next[0];
    c.raw(0.0005, 1, Flags::RST, ack, 0, 0);
    c.data_c(0.2, 48);
    c.packets
}

fn diag_idle() -> Vec<GenPacket> {
    let mut c = conv(120, T0);
    c.syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .data_c(0.001, 10)
        .ack_s(0.001);
    let mut later = Conv::new(ep("10.0.0.5", 40001), ep("10.0.0.6", 443), 1, 2, T0 + 400.0);
    later
        .syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .fin_c(0.01)
        .fin_s(0.001)
        .ack_c(0.001);
    merge(&[&c, &later])
}
