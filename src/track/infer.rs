//! What a passive observer must guess. It sees each segment once, from somewhere on the path,
//! and not always all of them: the capture may start mid-stream, or miss a SYN, a SYN+ACK or
//! the handshake's last ACK. RFC 9293 has no rules for that; these guesses fill in:
//!
//! - the roles, from a connection's first segment ([`roles`], [`server_by_port`]);
//! - an end that sends what only a later state sends ([`before_sending`]), or receives what
//!   shows its peer is past the handshake ([`before_arrival`]), was taken there by segments
//!   not captured: it is moved there first (marked `INFERRED`), and RFC 9293's rules
//!   (`track::machine`) then run on the state it is really in;
//! - a guess a later segment proves wrong is corrected in the events already logged
//!   ([`revise`]), never followed by an edge RFC 9293 does not have.

use super::conn::{Connection, Dir, Side};
use super::events::{Event, EventKind};
use super::machine::Control;
use super::marks::Marks;
use super::seq;
use super::state::State;
use crate::decode::{Endpoint, Flags, Segment};
use crate::time::MaybeTs;

/// Client, server, and whether the capture joined mid-stream, from a connection's first
/// segment: a SYN names its sender the client; a SYN+ACK names its sender the server; anything
/// else means the capture joined mid-stream and the server is the well-known (lower) port.
pub(super) fn roles(seg: &Segment) -> (Endpoint, Endpoint, bool) {
    let f = seg.flags;
    if f.syn() && !f.ack() {
        (seg.src, seg.dst, false)
    } else if f.syn() && f.ack() {
        (seg.dst, seg.src, false)
    } else if server_by_port(seg.src.port, seg.dst.port) {
        (seg.dst, seg.src, true)
    } else {
        (seg.src, seg.dst, true)
    }
}

/// The ends' states (client, server) before a connection's first segment.
pub(super) fn initial_states(mid_stream: bool) -> (State, State) {
    if mid_stream {
        // Joined mid-stream: both ends were already talking.
        (State::Established, State::Established)
    } else {
        // Before its first SYN the client is CLOSED; the server is assumed LISTEN.
        (State::Closed, State::Listen)
    }
}

/// Which port of a connection seen mid-stream is the server's: the well-known one, else the
/// lower one (ephemeral ports are high on every common OS).
pub fn server_by_port(src: u16, dst: u16) -> bool {
    let wk = |p: u16| p < 1024;
    match (wk(src), wk(dst)) {
        (true, false) => true,
        (false, true) => false,
        _ => src < dst,
    }
}

/// Before the sender's rules: what `s` sending `seg` shows the capture missed.
#[inline]
pub(super) fn before_sending(
    c: &mut Connection,
    seg: &Segment,
    s: Side,
    ctl: Control,
    marks: &mut Marks,
) {
    let f = seg.flags;
    let st = c.ends[s as usize].state;
    match (st, ctl) {
        (State::Closed | State::Listen | State::SynSent, Control::Syn) => {}
        // A SYN from an end already past SYN-SENT, on the ISN guessed from the peer's ACK of
        // it: the SYN itself, captured late (reordering).
        (_, Control::Syn) => {
            let end = &c.ends[s as usize];
            if end.isn == Some(seg.seq) && !end.sent_syn {
                marks.set(Marks::OUT_OF_ORDER);
                if s == Side::Client {
                    c.hs_syn = true;
                }
            }
        }
        // It could only send this once ESTABLISHED: the ACK that got it there was not
        // captured.
        (State::SynReceived, Control::None)
            if f.ack() && sent_its_syn(c, s) && !peer_acked_syn(c, s) =>
        {
            marks.set(Marks::INFERRED);
            c.set_state(s, State::Established, seg.ts);
        }
        // An end that acknowledges the peer's SYN is past the handshake; the segments that
        // took it there were not captured. (Not after an accepted RST: a segment then crossed
        // the RST on the wire, and the connection stays closed. Nor from a CLOSED end that has
        // talked: it closed, and what it sends now is an old copy.)
        // (Not a bare ACK from an end that sent no SYN to a peer in SYN-SENT: the first step
        // of a split handshake. Its peer drops it, "if neither of the SYN or RST bits is set
        // then drop the segment" (3.10.7.3), and it says nothing of its sender's ISN.)
        (State::Listen | State::Closed, Control::None) if bare_ack_to_syn_sent(c, seg, s) => {
            marks.set(Marks::UNEXPECTED)
        }
        (State::SynSent | State::Listen | State::Closed, Control::Fin | Control::None)
            if f.ack()
                && c.rst_by.is_none()
                && (st != State::Closed || c.ends[s as usize].packets == 0) =>
        {
            let peer = &c.ends[s.other() as usize];
            let acks_peer_syn = peer
                .isn
                .is_some_and(|i| seq::ge(seg.ack, i.wrapping_add(1)));
            if acks_peer_syn || peer.isn.is_none() {
                marks.set(Marks::INFERRED);
                c.set_state(s, State::Established, seg.ts);
            } else {
                marks.set(Marks::UNEXPECTED);
            }
        }
        _ => {}
    }
}

/// Before the receiver's rules: what `seg` arriving at `r` shows the capture missed of it.
#[inline]
pub(super) fn before_arrival(
    c: &mut Connection,
    seg: &Segment,
    r: Side,
    ctl: Control,
    marks: &mut Marks,
) {
    let st = c.ends[r as usize].state;
    match (st, ctl) {
        // An ACK to an end that never showed its handshake (its SYN+ACK missing from the
        // capture) from a peer past it. Not a CLOSED end that has talked: it closed (a
        // duplicate of the ACK of its FIN can come after).
        (State::Listen | State::Closed, Control::Fin | Control::None)
            if seg.flags.ack()
                && c.ends[r.other() as usize].state.is_synchronized()
                && c.rst_by.is_none()
                && (st == State::Listen || c.ends[r as usize].packets == 0) =>
        {
            let end = &mut c.ends[r as usize];
            if end.isn.is_none() {
                end.isn = Some(seg.ack.wrapping_sub(1));
            }
            if end.base.is_none() {
                end.base = end.isn;
            }
            marks.set(Marks::INFERRED);
            c.set_state(r, State::Established, seg.ts);
        }
        _ => {}
    }
}

/// Before the segment's event: what `s` sending `seg` proves wrong in a guess already logged,
/// corrected where it was made (the events keep only RFC 9293's edges).
///
/// The observer takes a segment to arrive when it is captured. A FIN from an end put in
/// CLOSE-WAIT by the peer's FIN, that does not acknowledge that FIN, was sent before it
/// arrived: the FINs crossed (simultaneous close). The end had gone ESTABLISHED -> FIN-WAIT-1
/// (3.10.4), not CLOSE-WAIT; the peer's FIN then takes it to CLOSING (`machine::sends`).
pub(super) fn revise(c: &mut Connection, seg: &Segment, s: Side, ctl: Control) {
    if ctl == Control::Syn {
        return revise_crossing_syn(c, s);
    }
    if ctl == Control::SynAck {
        missing_syn(c, seg, s);
    }
    revise_isn(c, seg, s);
    if ctl == Control::Fin {
        revise_lost_fin_ack(c, seg, s);
    }
    let i = s as usize;
    let crossed = ctl == Control::Fin
        && c.ends[i].state == State::CloseWait
        && !c.ends[i].sent_fin
        && !(seg.flags.ack() && c.ends[s.other() as usize].fin_acked_by(seg.ack));
    if !crossed {
        return;
    }
    // Every event since the peer's FIN showed this end in CLOSE-WAIT: it was in FIN-WAIT-1.
    for e in c.events.iter_mut().rev() {
        let entered = e.before[i] != State::CloseWait;
        if e.states[i] == State::CloseWait {
            e.states[i] = State::FinWait1;
        }
        if e.before[i] == State::CloseWait {
            e.before[i] = State::FinWait1;
        }
        if entered {
            break;
        }
    }
    c.ends[i].fin_seq = Some(seg.seq.wrapping_add(seg.payload_len));
    c.set_state(s, State::FinWait1, seg.ts);
}

/// The state an end is in when the ACK of its FIN, logged as arrived, never did.
fn fin_unacked(st: State) -> Option<State> {
    match st {
        State::FinWait2 => Some(State::FinWait1),
        State::TimeWait => Some(State::Closing),
        State::Closed => Some(State::LastAck),
        _ => None,
    }
}

/// `s` sends its FIN again after the peer's ACK of it was logged as arrived: that ACK was
/// lost after the capture point ("the FIN will be retransmitted" until acknowledged, 3.10.7.4
/// "TIME-WAIT STATE"). Every event since that ACK showed `s` past the state the ACK would have
/// left: FIN-WAIT-2 was FIN-WAIT-1, TIME-WAIT was CLOSING, CLOSED was LAST-ACK.
fn revise_lost_fin_ack(c: &mut Connection, seg: &Segment, s: Side) {
    let i = s as usize;
    let end = &c.ends[i];
    let resent = end.sent_fin && end.fin_seq == Some(seg.seq.wrapping_add(seg.payload_len));
    let Some(now) = fin_unacked(end.state) else {
        return;
    };
    if !resent || c.rst_by.is_some() {
        return;
    }
    // The event whose arrival was taken as the ACK of the FIN: where `s` left the state it
    // had sent its FIN in (FIN-WAIT-1, CLOSING or LAST-ACK) for the next one.
    let acked = c
        .events
        .iter()
        .rposition(|e| e.changed(s) && fin_unacked(e.states[i]) == Some(e.before[i]));
    let Some(at) = acked else { return };
    // Only the FIN again, and nothing else from `s` since: an end that sent other (older)
    // segments after it is a capture holding the connection twice (zeek's vlan-collisions).
    // Those the event cap did not keep count too (else the cap would change the state).
    let sent_since = c.events[at + 1..]
        .iter()
        .any(|e| e.kind == EventKind::Segment && e.dir.sender() == s)
        || c.dropped.runs().iter().filter(|r| r.at > at).any(|r| {
            let from_client = r.c2s;
            match s {
                Side::Client => from_client > 0,
                Side::Server => r.segments > from_client,
            }
        });
    if sent_since {
        return;
    }
    for e in &mut c.events[at..] {
        if let Some(st) = fin_unacked(e.states[i]) {
            e.states[i] = st;
        }
        if e.before[i] != e.states[i] {
            if let Some(st) = fin_unacked(e.before[i]) {
                e.before[i] = st;
            }
        }
    }
    c.ends[i].time_wait_since = MaybeTs::NONE;
    c.set_state(s, now, seg.ts);
}

/// A SYN,ACK from `s` to an end not seen yet: the SYN it answers was not captured (or comes
/// later). It is logged as a [`EventKind::Missing`] event, marked `inferred`, before the
/// SYN,ACK's own: the peer CLOSED -> SYN_SENT, its ISN one below the ACK. The SYN,ACK then
/// takes it to ESTABLISHED by RFC 9293's rules. (A CLOSED end that has talked is not guessed
/// at: it ignores the SYN,ACK.)
fn missing_syn(c: &mut Connection, seg: &Segment, s: Side) {
    let r = s.other();
    let end = &c.ends[r as usize];
    if !matches!(end.state, State::Closed | State::Listen) || end.packets != 0 || !seg.flags.ack() {
        return;
    }
    let before = c.states();
    let isn = seg.ack.wrapping_sub(1);
    let end = &mut c.ends[r as usize];
    end.isn = Some(isn);
    end.base = end.base.or(Some(isn));
    c.set_state(r, State::SynSent, seg.ts);
    c.events.push(Event {
        ts: seg.ts,
        frame: 0,
        kind: EventKind::Missing,
        dir: if r == Side::Client {
            Dir::C2S
        } else {
            Dir::S2C
        },
        flags: Flags(Flags::SYN),
        seq: isn,
        ack: 0,
        len: 0,
        window: 0,
        marks: Marks(Marks::INFERRED),
        states: c.states(),
        before,
    });
}

/// The peer of `s` answered with two SYN+ACKs on different ISNs (`End::alt_isn`): the one
/// `s` acknowledges is its ISN, from the start (relative numbers and the sequence high-water
/// mark follow it; the other SYN+ACK is then outside its sequence space).
fn revise_isn(c: &mut Connection, seg: &Segment, s: Side) {
    let peer = &mut c.ends[s.other() as usize];
    let Some(alt) = peer.alt_isn else {
        return;
    };
    if !seg.flags.ack() || peer.acks_syn(seg.ack) || seg.ack != alt.wrapping_add(1) {
        return;
    }
    peer.isn = Some(alt);
    peer.base = Some(alt);
    peer.next_seq = Some(alt.wrapping_add(1));
    peer.hole = None;
    peer.alt_isn = None;
    // Its SYN+ACKs on that ISN, logged `unexpected`, were the answer that held: the first is
    // plain, the others its retransmissions.
    let dir = s.other();
    let mut first = true;
    for e in c.events.iter_mut() {
        if e.dir.sender() != dir || !e.flags.syn() || !e.flags.ack() || e.seq != alt {
            continue;
        }
        if e.marks.has(Marks::UNEXPECTED) {
            e.marks.0 &= !Marks::UNEXPECTED;
            count(&mut c.mark_counts, Marks::UNEXPECTED, -1);
            if !first && !e.marks.has(Marks::RETRANSMISSION) {
                e.marks.set(Marks::RETRANSMISSION);
                count(&mut c.mark_counts, Marks::RETRANSMISSION, 1);
            }
        }
        first = false;
    }
}

/// Adds `by` to the count of mark `bit`.
fn count(counts: &mut [u32; Marks::COUNT], bit: u16, by: i32) {
    if let Some(i) = Marks::index(bit) {
        counts[i] = counts[i].saturating_add_signed(by);
    }
}

/// The same for SYNs (simultaneous open). An end guessed LISTEN that answers the peer's SYN
/// with a SYN of its own (no ACK) was not listening: it had done an active OPEN, CLOSED ->
/// SYN-SENT (3.10.1), before the peer's SYN reached it. The events so far are corrected; the
/// peer's SYN then takes it to SYN-RECEIVED (`machine::sends`, 3.10.7.3).
fn revise_crossing_syn(c: &mut Connection, s: Side) {
    let i = s as usize;
    let (me, peer) = (&c.ends[i], &c.ends[s.other() as usize]);
    let crossed = me.state == State::Listen
        && !me.sent_syn
        && !me.sent_synack
        && !me.sent_fin
        && peer.state == State::SynSent
        && peer.sent_syn
        && c.rst_by.is_none();
    if !crossed {
        return;
    }
    let mut prev = State::Closed;
    for e in c.events.iter_mut() {
        e.before[i] = prev;
        if e.states[i] == State::Listen {
            e.states[i] = State::SynSent;
        }
        prev = e.states[i];
    }
    c.ends[i].state = State::SynSent;
}

/// A SYN on a connection that is over (reset, closed or in TIME_WAIT) that the table did not
/// take as a new connection: the old SYN again, of a connection that got past its handshake (a
/// copy the capture holds twice), or a SYN with a FIN (a listener drops it; marked
/// `unexpected`). It brings nothing back: no end moves, and no sequence number is re-based.
/// (A SYN resent after a refusal is not stale: the client retries, SYN_SENT again.)
pub(super) fn stale_syn(c: &Connection, seg: &Segment, s: Side, marks: &mut Marks) -> bool {
    let f = seg.flags;
    if !f.syn() || f.ack() || f.rst() || !c.is_over() {
        return false;
    }
    if f.fin() {
        marks.set(Marks::UNEXPECTED);
        return true;
    }
    c.ends[s as usize].isn == Some(seg.seq) && peer_acked_syn(c, s)
}

/// `seg` from `s` is an ACK without data answering the peer's SYN, the peer still in
/// SYN-SENT and `s` having sent no SYN of its own.
fn bare_ack_to_syn_sent(c: &Connection, seg: &Segment, s: Side) -> bool {
    let (me, peer) = (&c.ends[s as usize], &c.ends[s.other() as usize]);
    seg.flags.ack()
        && seg.payload_len == 0
        && !sent_its_syn(c, s)
        && peer.state == State::SynSent
        && peer.isn.is_some_and(|i| seg.ack == i.wrapping_add(1))
        && me.isn.is_none()
}

/// `s` has been seen sending its SYN or its SYN+ACK.
fn sent_its_syn(c: &Connection, s: Side) -> bool {
    c.ends[s as usize].sent_syn || c.ends[s as usize].sent_synack
}

/// Whether the peer of `s` has already been seen acknowledging `s`'s SYN.
fn peer_acked_syn(c: &Connection, s: Side) -> bool {
    let me = &c.ends[s as usize];
    let peer = &c.ends[s.other() as usize];
    match (me.isn, peer.last_ack) {
        (Some(i), Some(a)) => seq::ge(a, i.wrapping_add(1)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    //! What the observer guesses when the capture misses segments or starts mid-stream.
    use super::server_by_port;
    use crate::track::testkit::*;
    use crate::track::*;
    use State::*;

    #[test]
    fn test_mid_stream_join_infers_roles_by_port_and_established() {
        let mut t = T::new();
        let e = t.feed(seg(false, PSH_ACK, 777, 333, 10, 0));
        assert_eq!(e.states, [Established, Established]);
        let c = t.conn();
        assert!(c.mid_stream);
        assert_eq!(c.server().addr.port, 80);
        assert_eq!(c.handshake(), Handshake::None);
    }

    #[test]
    fn test_synack_without_syn_infers_client_isn() {
        let mut t = T::new();
        let e = t.feed(seg(false, SYN_ACK, SISN, CISN + 1, 0, 0));
        assert_eq!(e.before, [SynSent, Listen]);
        assert_eq!(e.states, [Established, SynReceived]);
        // `inferred` is the missing SYN's, logged before it (zeek's handshake-reorder), not
        // the captured SYN+ACK's.
        assert!(!e.marks.has(Marks::INFERRED));
        let syn = t.conn().events[0];
        assert_eq!(
            (syn.kind, syn.frame, syn.dir),
            (EventKind::Missing, 0, Dir::C2S)
        );
        assert!(syn.flags.syn() && syn.marks.has(Marks::INFERRED));
        assert_eq!(
            (syn.before, syn.states),
            ([Closed, Listen], [SynSent, Listen])
        );
        assert_eq!(t.conn().client().isn, Some(CISN));
        // The SYN arrives late (capture reordering).
        let e = t.feed(seg(true, SYN, CISN, 0, 0, 1));
        assert!(e.marks.has(Marks::OUT_OF_ORDER));
        assert_eq!(e.states, [Established, SynReceived]);
        let e = t.feed(seg(true, ACK, CISN + 1, SISN + 1, 0, 2));
        assert_eq!(e.states, [Established, Established]);
        assert_eq!(t.conn().handshake(), Handshake::Complete);
    }

    #[test]
    fn test_a_fin_resent_after_its_ack_was_logged_says_that_ack_was_lost() {
        // Client closes first; the server's FIN is acknowledged, but the server sends it
        // again: the first ACK never reached it, so it was in LAST_ACK all along.
        let mut t = established();
        t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 1, 0, 10));
        t.feed(seg(false, ACK, SISN + 1, CISN + 2, 0, 11));
        t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 2, 0, 12));
        let e = t.feed(seg(true, ACK, CISN + 2, SISN + 2, 0, 13));
        assert_eq!(e.states, [TimeWait, Closed]);
        let e = t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 2, 0, 213));
        assert_eq!(e.before, [TimeWait, LastAck]);
        assert_eq!(e.states, [TimeWait, LastAck]);
        let lost = &t.conn().events[t.conn().events.len() - 2];
        assert_eq!(
            (lost.before, lost.states),
            ([TimeWait, LastAck], [TimeWait, LastAck])
        );
        // 2*MSL starts again on the client (3.10.7.4), and the second ACK closes the server.
        let resent_at = t.conn().events.last().map(|e| e.ts);
        assert_eq!(t.conn().client().time_wait_since.get(), resent_at);
        let e = t.feed(seg(true, ACK, CISN + 2, SISN + 2, 0, 214));
        assert_eq!(e.states, [TimeWait, Closed]);
    }

    #[test]
    fn test_a_fin_resent_in_fin_wait_2_was_never_acknowledged() {
        let mut t = established();
        t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 1, 0, 10));
        let e = t.feed(seg(false, ACK, SISN + 1, CISN + 2, 0, 11));
        assert_eq!(e.states, [FinWait2, CloseWait]);
        let e = t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 1, 0, 211));
        assert_eq!(e.states, [FinWait1, CloseWait]);
        let acked = &t.conn().events[t.conn().events.len() - 2];
        assert_eq!(
            (acked.before, acked.states),
            ([FinWait1, CloseWait], [FinWait1, CloseWait])
        );
    }

    #[test]
    fn test_missing_synack_is_inferred_from_the_clients_ack() {
        let mut t = syn_sent();
        let e = t.feed(seg(true, ACK, CISN + 1, SISN + 1, 0, 2));
        assert_eq!(e.states, [Established, Established]);
        assert!(e.marks.has(Marks::INFERRED));
        assert_eq!(t.conn().handshake(), Handshake::Partial);
    }

    #[test]
    fn test_closed_by_rst_data_crossing_it_does_not_reopen() {
        let mut t = established();
        t.feed(seg(false, RST_ACK, SISN + 1, CISN + 1, 0, 5));
        let e = t.feed(seg(true, PSH_ACK, CISN + 1, SISN + 1, 100, 6));
        assert_eq!(e.states, [Closed, Closed]);
        assert_eq!(t.conn().client().after_peer_rst, 1);
    }

    #[test]
    fn test_roles_by_port_pick_the_well_known_then_the_lower_port() {
        assert!(server_by_port(80, 40000));
        assert!(!server_by_port(40000, 443));
        assert!(server_by_port(6667, 51000));
    }
}
