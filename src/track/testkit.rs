//! The tracker's unit tests in smoltcp's manner: one connection fed hand-built segments
//! ([`crate::testkit::seg`]), and constructors that drive it into a named state by the segments
//! that take it there (`established()`, `fin_wait_1()`, ...).

pub use crate::testkit::{seg, ACK, FIN_ACK, PSH_ACK, RST, RST_ACK, SYN, SYN_ACK};

use super::{Connection, Event, State};
use crate::decode::{Segment, Timestamp};

/// The client's and the server's initial sequence numbers.
pub const CISN: u32 = 1000;
pub const SISN: u32 = 5000;

/// A segment without payload at `t_s` seconds, window 100 (the table's tests).
pub fn seg_secs(from_client: bool, flags: u16, seq: u32, ack: u32, t_s: f64) -> Segment {
    Segment {
        ts: Timestamp::from_secs_f64(t_s),
        window: 100,
        ..seg(from_client, flags, seq, ack, 0, 0)
    }
}

/// One connection fed segment by segment, numbered as frames from 1, every event logged.
pub struct T {
    pub c: Option<Connection>,
    frame: u64,
}

impl T {
    pub fn new() -> T {
        T { c: None, frame: 0 }
    }
    pub fn feed(&mut self, s: Segment) -> Event {
        self.frame += 1;
        let c = self.c.get_or_insert_with(|| Connection::new(1, &s));
        let e = c.on_segment(&s, self.frame);
        c.events.push(e);
        e
    }
    pub fn conn(&self) -> &Connection {
        self.c.as_ref().unwrap()
    }
    pub fn states(&self) -> [State; 2] {
        self.conn().states()
    }
}

/// The client's SYN sent: `[SYN_SENT, LISTEN]`.
pub fn syn_sent() -> T {
    let mut t = T::new();
    t.feed(seg(true, SYN, CISN, 0, 0, 0));
    t
}

/// The server's SYN+ACK sent: `[ESTABLISHED, SYN_RECEIVED]`.
pub fn syn_received() -> T {
    let mut t = syn_sent();
    t.feed(seg(false, SYN_ACK, SISN, CISN + 1, 0, 1));
    t
}

/// Through the three-way handshake: `[ESTABLISHED, ESTABLISHED]`.
pub fn established() -> T {
    let mut t = syn_received();
    t.feed(seg(true, ACK, CISN + 1, SISN + 1, 0, 2));
    t
}

/// The client's FIN sent at 10 ms: `[FIN_WAIT_1, CLOSE_WAIT]`.
pub fn fin_wait_1() -> T {
    let mut t = established();
    t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 1, 0, 10));
    t
}

/// The server's ACK of it at 11 ms: `[FIN_WAIT_2, CLOSE_WAIT]`.
pub fn fin_wait_2() -> T {
    let mut t = fin_wait_1();
    t.feed(seg(false, ACK, SISN + 1, CISN + 2, 0, 11));
    t
}

/// The server's FIN+ACK of the client's FIN at 11 ms: `[TIME_WAIT, LAST_ACK]`.
pub fn time_wait() -> T {
    let mut t = fin_wait_1();
    t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 2, 0, 11));
    t
}

/// The server's FIN crossed the client's (it does not acknowledge it): `[CLOSING, CLOSING]`.
pub fn closing() -> T {
    let mut t = fin_wait_1();
    t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 1, 0, 10));
    t
}
