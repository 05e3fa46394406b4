//! One toolkit for the tests, unit and integration alike: segments built by hand for the
//! state machine, scripted conversations ([`crate::gen::Conv`]) tracked without I/O, and the
//! connections they make. Nothing here runs in the program itself.
//!
//! Two ways to build what a test feeds the tracker:
//! - [`seg`]: one segment between [`CLIENT`] and [`SERVER`] with every number given, for a
//!   test of one rule (`test_fin_wait_1_fin_ack`);
//! - a [`Conv`] script (`c.syn(0.0).syn_ack(0.01).ack_c(0.01)...`, sequence numbers
//!   following by themselves), then [`connections`] or [`track`], for a test of a story.

pub mod fuzz;

use crate::decode::{self, Decoded, Endpoint, Flags, Segment, TcpOptions};
use crate::gen::conv::ep;
use crate::gen::{frame, Conv, GenPacket};
use crate::time::Timestamp;
use crate::track::{Connection, Tracker, TrackerConfig};

/// The client of [`seg`] and [`conv`]: 10.0.0.1:40000.
pub const CLIENT: (&str, u16) = ("10.0.0.1", 40000);
/// The server of [`seg`] and [`conv`]: 10.0.0.2:80.
pub const SERVER: (&str, u16) = ("10.0.0.2", 80);

pub const SYN: u16 = Flags::SYN;
pub const SYN_ACK: u16 = Flags::SYN | Flags::ACK;
pub const ACK: u16 = Flags::ACK;
pub const PSH_ACK: u16 = Flags::PSH | Flags::ACK;
pub const FIN_ACK: u16 = Flags::FIN | Flags::ACK;
pub const RST: u16 = Flags::RST;
pub const RST_ACK: u16 = Flags::RST | Flags::ACK;

pub fn client() -> Endpoint {
    ep(CLIENT.0, CLIENT.1)
}

pub fn server() -> Endpoint {
    ep(SERVER.0, SERVER.1)
}

/// A segment from the client (`from_client`) or the server, with its flags, absolute
/// sequence and acknowledgment numbers, payload length and time in milliseconds; window 1000,
/// no options.
pub fn seg(from_client: bool, flags: u16, seq: u32, ack: u32, len: u32, t_ms: i64) -> Segment {
    let (src, dst) = if from_client {
        (client(), server())
    } else {
        (server(), client())
    };
    Segment {
        ts: Timestamp(t_ms * 1_000_000),
        src,
        dst,
        flags: Flags(flags),
        seq,
        ack,
        window: 1000,
        payload_len: len,
        options: TcpOptions::default(),
    }
}

/// A script between [`CLIENT`] and [`SERVER`] with ISNs 1000 and 5000, starting at time
/// `t0` seconds.
pub fn conv(t0: f64) -> Conv {
    Conv::new(client(), server(), 1000, 5000, t0)
}

/// The segment a generated packet becomes once framed as raw IP and decoded (options and all,
/// as a capture of it would give).
pub fn segment(p: &GenPacket) -> Segment {
    let ip = frame::ip_packet(p, false);
    match decode::decode_ip(p.ts, &ip) {
        Ok(Decoded::Tcp(s)) => s,
        other => panic!("a generated packet decodes as TCP: {other:?}"),
    }
}

/// Feeds `packets` (frame numbers from 1) to a tracker with `cfg`.
pub fn track(packets: &[GenPacket], cfg: TrackerConfig) -> Tracker {
    let mut t = Tracker::new(cfg);
    for (i, p) in packets.iter().enumerate() {
        t.ingest(&segment(p), i as u64 + 1);
    }
    t
}

/// The connections `packets` make, by id, with the default tracker settings.
pub fn connections(packets: &[GenPacket]) -> Vec<Connection> {
    track(packets, TrackerConfig::default()).finish()
}

/// The one connection of a script.
pub fn connection(c: &Conv) -> Connection {
    let mut all = connections(&c.packets);
    assert_eq!(all.len(), 1, "one connection in the script");
    all.remove(0)
}

/// `t` seconds as a capture timestamp.
pub fn at(t: f64) -> Timestamp {
    Timestamp::from_secs_f64(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::State;

    #[test]
    fn a_scripted_handshake_decodes_with_its_options_and_tracks() {
        let mut c = conv(0.0);
        c.syn(0.0).syn_ack(0.01).ack_c(0.01);
        let s = segment(&c.packets[0]);
        assert_eq!((s.src, s.dst, s.seq), (client(), server(), 1000));
        assert_eq!(s.options.mss, Some(1460));
        let conn = connection(&c);
        assert_eq!(conn.states(), [State::Established, State::Established]);
        assert_eq!(
            conn.events.iter().map(|e| e.frame).collect::<Vec<_>>(),
            [1, 2, 3]
        );
    }

    #[test]
    fn seg_builds_what_it_is_told() {
        let s = seg(false, SYN_ACK, 5000, 1001, 0, 10);
        assert_eq!((s.src, s.dst), (server(), client()));
        assert_eq!((s.seq, s.ack, s.ts), (5000, 1001, Timestamp(10_000_000)));
        assert!(s.flags.syn() && s.flags.ack());
    }
}
