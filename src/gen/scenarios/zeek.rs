//! Zeek's connection timers (issue 13): each fixture puts a segment of a 4-tuple just after
//! the moment one of Zeek's timers would have removed the connection (Zeek logs it as a new
//! connection, synack keeps one and lists the first in `zeek_earlier`), and a control just
//! before it. The connections of a fixture follow one another without overlapping, because
//! Zeek runs its timers on the clock every packet moves.

use super::{conv, eth, Fixture, T0};
use crate::decode::Flags;
use crate::gen::conv::{ep, merge, Conv, GenPacket};

pub fn zeek_fixtures() -> Vec<Fixture> {
    vec![
        eth(
            "zeek-attempt.pcap",
            "Zeek's tcp_attempt_delay (5 s): a SYN resent after 1 s and answered 5.1 s after the first (Zeek has removed the attempt: two conn.log rows, S0 then one starting with the SYN+ACK); then the same answered after 4.9 s (one row).",
            attempt(),
        ),
        eth(
            "zeek-close-delay.pcap",
            "Zeek's tcp_close_delay (5 s after the segment that completes the close): the server's FIN sent again 5.2 s after its first, once both ends closed (two conn.log rows), and 4.8 s after (one); a connection the server resets, the client's next data 5.2 s after the RST (two rows; synack's own 5 s linger also ends its connection); a RST far outside the window, which the client ignores but Zeek takes as the close, then the connection goes on 5.2 s later (two rows, one synack connection with `zeek_earlier`) and 4.8 s later (one).",
            close_delay(),
        ),
        eth(
            "zeek-expire.pcap",
            "Zeek's expire timer (tcp_connection_linger 5 s, run every tcp_session_timer 6 s): the client sends FIN, then RST, while the server is still open, and the server's data 5.3 s after the RST is a new conn.log row (synack's 5 s linger ends its connection too); the same with the RST far outside the window, which the server ignores but Zeek does not: data 5.3 s after it is a new row (one synack connection with `zeek_earlier`), 4.7 s after it is not; and a server that keeps sending every 4 s after the RST stays one row (Zeek's default scripts set no tcp_reset_delay timer).",
            expire(),
        ),
        eth(
            "zeek-inactivity.pcap",
            "Zeek's tcp_inactivity_timeout (5 min): an established connection silent for 300.5 s, then data (two conn.log rows); the same silent for 299.5 s (one); and to port 22, where base/protocols/conn/inactivity.zeek allows an hour, silent for 300.5 s (one).",
            inactivity(),
        ),
    ]
}

/// Handshake and a request the server acknowledges.
fn opened(c: &mut Conv) -> &mut Conv {
    c.syn(0.0)
        .syn_ack(0.01)
        .ack_c(0.01)
        .data_c(0.001, 100)
        .ack_s(0.01)
}

/// Then a response and a close started by the client.
fn answered_and_closed(c: &mut Conv) -> &mut Conv {
    c.data_s(0.01, 300)
        .ack_c(0.01)
        .fin_c(0.05)
        .fin_s(0.01)
        .ack_c(0.01)
}

pub fn attempt() -> Vec<GenPacket> {
    let answered_after = |n: u16, t0: f64, delay: f64| {
        let mut c = conv(n, t0);
        c.syn(0.0)
            .retransmit(1.0, 0)
            .syn_ack(delay - 1.0)
            .ack_c(0.01);
        answered_and_closed(&mut c);
        c
    };
    let late = answered_after(110, T0, 5.1);
    let control = answered_after(111, T0 + 20.0, 4.9);
    merge(&[&late, &control])
}

pub fn close_delay() -> Vec<GenPacket> {
    // Both ends closed; the client's last ACK is lost and the server sends its FIN again.
    let fin_again = |n: u16, t0: f64, after: f64| {
        let mut c = conv(n, t0);
        opened(&mut c)
            .data_s(0.01, 300)
            .ack_c(0.01)
            .fin_c(0.05)
            .fin_s(0.01)
            .retransmit(after, 1)
            .ack_c(0.001);
        c
    };
    // The server resets; the client, which has not seen the RST yet, sends more.
    let after_rst = |n: u16, t0: f64, after: f64| {
        let mut c = conv(n, t0);
        opened(&mut c).rst_s(0.1).data_c(after, 50);
        c
    };
    // A RST far outside the window (a blind injection): the client ignores it and the
    // connection goes on, but Zeek takes any RST as the close.
    let blind_rst = |n: u16, t0: f64, after: f64| {
        let mut c = conv(n, t0);
        opened(&mut c);
        let next = c.next[1];
        c.raw(0.1, 1, Flags::RST, next.wrapping_add(0x8000_0000), 0, 0);
        c.next[1] = next;
        c.data_c(after, 50).ack_s(0.01);
        answered_and_closed(&mut c);
        c
    };
    let a = fin_again(120, T0, 5.2);
    let b = fin_again(121, T0 + 20.0, 4.8);
    let c = after_rst(122, T0 + 40.0, 5.2);
    let d = blind_rst(123, T0 + 60.0, 5.2);
    let e = blind_rst(124, T0 + 80.0, 4.8);
    merge(&[&a, &b, &c, &d, &e])
}

pub fn expire() -> Vec<GenPacket> {
    // The client shuts down its side, then aborts; the server goes on sending. `blind`: the
    // RST is far outside the window, so the server ignores it (Zeek does not).
    let rst_after_fin = |n: u16, t0: f64, blind: bool| {
        let mut c = conv(n, t0);
        opened(&mut c).fin_c(0.1).ack_s(0.01);
        let next = c.next[0];
        let seq = if blind {
            next.wrapping_add(0x8000_0000)
        } else {
            next
        };
        c.raw(0.5, 0, Flags::RST, seq, 0, 0);
        c.next[0] = next;
        c
    };
    let mut a = rst_after_fin(130, T0, false);
    a.data_s(5.3, 200);
    let mut b = rst_after_fin(131, T0 + 20.0, true);
    b.data_s(5.3, 200).ack_c(0.01);
    let mut c = rst_after_fin(132, T0 + 40.0, true);
    c.data_s(4.7, 200).ack_c(0.01);
    let mut d = rst_after_fin(133, T0 + 60.0, false);
    d.data_s(4.0, 200).data_s(4.0, 200).data_s(4.0, 200);
    merge(&[&a, &b, &c, &d])
}

pub fn inactivity() -> Vec<GenPacket> {
    let silent = |mut c: Conv, secs: f64| {
        opened(&mut c).data_c(secs, 100).ack_s(0.01);
        answered_and_closed(&mut c);
        c
    };
    let a = silent(conv(140, T0), 300.5);
    let b = silent(conv(141, T0 + 400.0), 299.5);
    let ssh = Conv::new(
        ep("10.0.0.1", 40142),
        ep("10.0.0.2", 22),
        142_012_345,
        426_000_777,
        T0 + 800.0,
    );
    let c = silent(ssh, 300.5);
    merge(&[&a, &b, &c])
}
