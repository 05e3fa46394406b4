//! The socket calls behind a connection's segments: where each end's application called
//! listen(), connect(), accept(), close() or shutdown(), read end-of-file, or got an error,
//! as far as the segments show it (RFC 9293 3.9 maps the calls to the segments: OPEN sends a
//! SYN, CLOSE a FIN, ABORT a RST).

use crate::track::{Connection, Event, EventKind, Side, State};

/// A call (or its result) an end's application made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// The server listens: proven by its SYN+ACK answering a SYN from LISTEN.
    Listen,
    /// An active open: the end's first SYN.
    Connect,
    /// The handshake done on a listening end: accept() returns the new socket.
    Accept,
    /// The end's FIN, with nothing read after it: a full close.
    Close,
    /// The end's FIN, after which it still took the peer's data: shutdown(SHUT_WR).
    Shutdown,
    /// The peer's FIN reached an end that was still reading: read() returns 0.
    ReadEof,
    /// The SYN was answered by a RST: connect() fails.
    Refused,
    /// The SYN was sent again and again and never answered: connect() gives up.
    TimedOut,
    /// A RST ended a synchronized connection: the end's next call fails.
    Reset,
}

impl Call {
    /// How it is written on the lifeline: the call, or the error it returns (a state's width
    /// at most: it stands where the states do). accept() stands where it returns, after the
    /// final ACK; shutdown() is shutdown(SHUT_WR).
    pub fn label(self) -> &'static str {
        match self {
            Call::Listen => "listen()",
            Call::Connect => "connect()",
            Call::Accept => "accept()",
            Call::Close => "close()",
            Call::Shutdown => "shutdown()",
            Call::ReadEof => "read() = 0",
            Call::Refused => "ECONNREFUSED",
            Call::TimedOut => "ETIMEDOUT",
            Call::Reset => "ECONNRESET",
        }
    }
}

impl Call {
    /// A call that makes its end send the next segment (the others follow from the one
    /// before).
    pub fn sends(self) -> bool {
        matches!(self, Call::Connect | Call::Close | Call::Shutdown)
    }

    fn rank(self) -> u8 {
        match self {
            Call::Listen => 0,
            Call::Accept | Call::ReadEof | Call::Refused | Call::TimedOut | Call::Reset => 1,
            Call::Connect | Call::Close | Call::Shutdown => 2,
        }
    }
}

/// A call and where it goes on the ladder: before the event `before` (`events.len()`: after
/// the last one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallAt {
    pub before: usize,
    pub side: Side,
    pub call: Call,
}

/// Every call `c`'s segments show, in ladder order (by position, client first).
pub fn calls(c: &Connection) -> Vec<CallAt> {
    let ev = &c.events;
    let mut out = Vec::new();
    let mut push = |before: usize, side: Side, call: Call| out.push(CallAt { before, side, call });
    let seg = |e: &Event| e.kind != EventKind::TimeWaitExpired;
    for side in [Side::Client, Side::Server] {
        let sent = |e: &&Event| seg(e) && e.dir.sender() == side;
        // A call that sends goes before its segment, or before the first row that already
        // shows the state it caused, if that comes first: in a simultaneous open or close the
        // peer's segment, captured first, shows this end in SYN_SENT or FIN_WAIT_1 already.
        let caused = |at: usize, states: &[State]| {
            ev.iter()
                .position(|e| e.changed(side) && states.contains(&e.states[side as usize]))
                .map_or(at, |j| j.min(at))
        };
        // The first SYN an end sends without ACK is its connect(); a listener's SYN+ACK.
        if let Some(i) = ev
            .iter()
            .position(|e| sent(&e) && e.flags.syn() && !e.flags.ack())
        {
            push(caused(i, &[State::SynSent]), side, Call::Connect);
        } else if c.ends[side as usize].passive {
            push(0, side, Call::Listen);
            if let Some(i) = ev
                .iter()
                .position(|e| e.changed(side) && e.states[side as usize] == State::Established)
            {
                push(i + 1, side, Call::Accept);
            }
        }
        let own_fin = ev.iter().position(|e| sent(&e) && e.flags.fin());
        let closed_at = own_fin.map(|i| caused(i, &[State::FinWait1, State::LastAck]));
        // Still reading after its FIN: the peer's data came after it and was not reset.
        let shut_down = own_fin.is_some_and(|i| {
            ev[i + 1..]
                .iter()
                .any(|e| seg(e) && e.dir.sender() != side && e.len > 0)
                && !ev[i + 1..].iter().any(|e| sent(&e) && e.flags.rst())
        });
        if let Some(i) = closed_at {
            push(
                i,
                side,
                if shut_down {
                    Call::Shutdown
                } else {
                    Call::Close
                },
            );
        }
        // The peer's FIN, to an end that had not closed (or had only shut down its sending
        // side): its application reads end-of-file. One that had closed (a simultaneous
        // close: its FIN crossed the peer's) reads nothing more.
        let peer_fin = ev
            .iter()
            .position(|e| seg(e) && e.dir.sender() != side && e.flags.fin());
        if let Some(i) = peer_fin {
            let reading = closed_at.is_none_or(|j| j > i) || shut_down;
            if reading && ev[i].before[side as usize].is_synchronized() {
                push(i + 1, side, Call::ReadEof);
            }
        }
    }
    errors(c, &mut push);
    // At one place: listen() first (it came before anything was sent), then what the
    // event before caused, then what causes the event after.
    out.sort_by_key(|k| (k.before, k.call.rank(), k.side as usize));
    out
}

/// The errors connect() and later calls return, from how the connection ended.
fn errors(c: &Connection, push: &mut impl FnMut(usize, Side, Call)) {
    let ev = &c.events;
    let client = Side::Client;
    if let Some(i) = ev.iter().position(|e| e.flags.rst()) {
        let e = &ev[i];
        let r = e.dir.sender().other();
        if e.before[r as usize] == State::SynSent {
            push(i + 1, r, Call::Refused);
        } else if e.before[r as usize].is_synchronized() && e.states[r as usize] == State::Closed {
            push(i + 1, r, Call::Reset);
        }
        return;
    }
    // SYNs sent again with no answer: the retries ran out.
    let syns = ev
        .iter()
        .filter(|e| e.dir.sender() == client && e.flags.syn() && !e.flags.ack())
        .count();
    let answered = ev.iter().any(|e| e.dir.sender() == Side::Server);
    if syns > 1 && !answered && c.client().state == State::SynSent {
        push(ev.len(), client, Call::TimedOut);
    }
}

#[cfg(test)]
mod tests {
    use super::{calls, Call};
    use crate::gen::scenarios::lesson_packets;
    use crate::testkit::connections;
    use crate::track::Side::{Client, Server};

    /// `(before, side, call)` for the lesson capture `name`'s one connection.
    fn of(name: &str) -> Vec<(usize, crate::track::Side, Call)> {
        let conns = connections(&lesson_packets(name));
        assert_eq!(conns.len(), 1, "{name}");
        calls(&conns[0])
            .into_iter()
            .map(|k| (k.before, k.side, k.call))
            .collect()
    }

    #[test]
    fn the_handshake_is_listen_connect_and_accept_after_the_final_ack() {
        assert_eq!(
            of("handshake"),
            [
                (0, Server, Call::Listen),
                (0, Client, Call::Connect),
                (3, Server, Call::Accept)
            ]
        );
    }

    #[test]
    fn a_close_is_close_then_end_of_file_on_the_other_side() {
        let c = of("teardown");
        assert!(c.contains(&(6, Client, Call::Close)), "{c:?}");
        assert!(c.contains(&(7, Server, Call::ReadEof)), "{c:?}");
        assert!(c.contains(&(8, Server, Call::Close)), "{c:?}");
        // The client had closed: no read() = 0 for it.
        assert!(
            !c.iter().any(|k| k.1 == Client && k.2 == Call::ReadEof),
            "{c:?}"
        );
    }

    #[test]
    fn a_half_close_is_a_shutdown_and_the_closer_still_reads_to_the_end() {
        let c = of("half-close");
        assert!(c.contains(&(4, Client, Call::Shutdown)), "{c:?}");
        assert!(c.contains(&(11, Client, Call::ReadEof)), "{c:?}");
        assert!(c.contains(&(10, Server, Call::Close)), "{c:?}");
    }

    #[test]
    fn errors_are_refused_timed_out_and_reset() {
        assert_eq!(
            of("refused"),
            [(0, Client, Call::Connect), (2, Client, Call::Refused)]
        );
        assert_eq!(
            of("syn-timeout"),
            [(0, Client, Call::Connect), (7, Client, Call::TimedOut)]
        );
        let c = of("reset");
        assert_eq!(c.last(), Some(&(6, Client, Call::Reset)), "{c:?}");
    }

    #[test]
    fn a_simultaneous_open_is_two_connects_and_no_listener() {
        let c = of("simultaneous-open");
        // The server's connect() before the first row: that row (the client's SYN) already
        // shows it in SYN_SENT, its own SYN having crossed the client's.
        assert_eq!(
            &c[..2],
            [(0, Client, Call::Connect), (0, Server, Call::Connect)]
        );
        assert!(!c.iter().any(|k| matches!(k.2, Call::Listen | Call::Accept)));
    }

    #[test]
    fn a_simultaneous_close_is_two_closes_and_no_end_of_file() {
        let c = of("simultaneous-close");
        // Both FINs crossed: the client's FIN's row (5) already shows the server in FIN_WAIT_1.
        assert!(c.contains(&(5, Client, Call::Close)), "{c:?}");
        assert!(c.contains(&(5, Server, Call::Close)), "{c:?}");
        assert!(!c.iter().any(|k| k.2 == Call::ReadEof), "{c:?}");
    }
}
