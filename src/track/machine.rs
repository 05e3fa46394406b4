//! RFC 9293's rules for each end, state first, as section 3.10 gives them.
//!
//! The observer sits between the two ends and sees each segment once. The segment moves its
//! sender as sending it would ([`sends`]: the OPEN and CLOSE calls of 3.10.1 and 3.10.4, the
//! answers 3.10.7 has an end send) and its receiver as its arrival would ([`arrives`]: "SEGMENT
//! ARRIVES", 3.10.7.2-3.10.7.4); a RST moves both or neither ([`rst`]). Each rule is one arm
//! of a `match (state, control)` with the RFC's words beside it. Transitions are decided from
//! sequence and acknowledgment numbers, not flags alone: a SYN+ACK moves SYN_SENT to
//! ESTABLISHED only if it acknowledges the SYN, a FIN is acknowledged only by an ACK that
//! covers it.
//!
//! What a passive observer must guess (segments it never captured) is not here: before these
//! rules run, `track::infer` brings an end to the state the segment shows it in.

use super::conn::{Connection, Dir, Side};
use super::events::{Event, EventKind};
use super::marks::Marks;
use super::seq;
use super::state::State;
use crate::decode::{Flags, Segment, Timestamp};

/// The control a segment carries, as the rules read it (smoltcp's `TcpControl`): a RST above
/// all; else a SYN, alone or with an ACK; else a FIN; else none (data or a bare ACK). Whether
/// it also acknowledges is `seg.flags.ack()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Control {
    Rst,
    Syn,
    SynAck,
    Fin,
    None,
}

impl Control {
    #[inline]
    pub(super) fn of(f: Flags) -> Control {
        if f.rst() {
            Control::Rst
        } else if f.syn() {
            if f.ack() {
                Control::SynAck
            } else {
                Control::Syn
            }
        } else if f.fin() {
            Control::Fin
        } else {
            Control::None
        }
    }

    /// The same segment with its FIN not acted on.
    pub(super) fn without_fin(self) -> Control {
        match self {
            Control::Fin => Control::None,
            c => c,
        }
    }
}

/// What sending `seg` says of its sender `s` (a RST is [`rst`]'s).
#[inline]
pub(super) fn sends(c: &mut Connection, seg: &Segment, s: Side, ctl: Control, marks: &mut Marks) {
    let i = s as usize;
    match (c.ends[i].state, ctl) {
        // OPEN, active: "send SYN, enter SYN-SENT" (3.10.1).
        (State::Closed | State::Listen, Control::Syn) => {
            let end = &mut c.ends[i];
            end.isn = Some(seg.seq);
            end.base = Some(seg.seq);
            // What it sent before its SYN (a split handshake's bare ACK) was not in this
            // sequence space: the SYN starts it.
            end.next_seq = None;
            c.set_state(s, State::SynSent, seg.ts);
            if s == Side::Client {
                c.hs_syn = true;
            }
        }
        // SYN-SENT before its SYN was captured: `infer::revise` found the SYNs crossed. The
        // peer's SYN, logged as arrived, reached this end after its own left: "enter
        // SYN-RECEIVED" (3.10.7.3; simultaneous open).
        (State::SynSent, Control::Syn) if !c.ends[i].sent_syn => {
            let end = &mut c.ends[i];
            end.isn = Some(seg.seq);
            end.base = Some(seg.seq);
            end.next_seq = None;
            c.set_state(s, State::SynReceived, seg.ts);
        }
        // SYN-SENT: its SYN again (a retransmission, marked as one), or a new attempt with a
        // new ISN on the same ports.
        (State::SynSent, Control::Syn) => {
            let end = &mut c.ends[i];
            if end.isn != Some(seg.seq) {
                end.isn = Some(seg.seq);
                end.base = Some(seg.seq);
                end.next_seq = None;
            }
            if s == Side::Client {
                c.hs_syn = true;
            }
        }
        // Past SYN-SENT its own SYN again (resent, or captured late) changes nothing; no rule
        // sends another.
        (_, Control::Syn) if c.ends[i].isn == Some(seg.seq) => {}
        (_, Control::Syn) => marks.set(Marks::UNEXPECTED),
        // A SYN,ACK resent after a RST ended the connection changes nothing: it is the same
        // answer (marked a retransmission), not a new passive open.
        (State::Closed | State::Listen, Control::SynAck)
            if c.rst_by.is_some() && c.ends[i].sent_synack => {}
        // LISTEN, on a SYN: "send SYN,ACK, enter SYN-RECEIVED" (3.10.7.2).
        (State::Closed | State::Listen, Control::SynAck) => {
            let end = &mut c.ends[i];
            end.isn = Some(seg.seq);
            end.base = Some(seg.seq);
            end.passive = true;
            c.set_state(s, State::SynReceived, seg.ts);
        }
        // SYN-SENT, on a SYN (simultaneous open): "enter SYN-RECEIVED", send SYN,ACK
        // (3.10.7.3).
        (State::SynSent, Control::SynAck) => c.set_state(s, State::SynReceived, seg.ts),
        // SYN-RECEIVED, a SYN,ACK on another ISN: no rule sends it (a retry by another
        // listener, TCP Fast Open), but the peer may take it; which ISN holds is the one the
        // peer's ACK acknowledges (`infer::revise`).
        (State::SynReceived, Control::SynAck) if c.ends[i].isn != Some(seg.seq) => {
            c.ends[i].alt_isn = Some(seg.seq);
            marks.set(Marks::UNEXPECTED)
        }
        // Past it: its SYN,ACK again changes nothing; one on another ISN no rule sends.
        (_, Control::SynAck) if c.ends[i].isn != Some(seg.seq) => marks.set(Marks::UNEXPECTED),
        (_, Control::SynAck) => {}
        // CLOSE in SYN-RECEIVED or ESTABLISHED: "send FIN, enter FIN-WAIT-1" (3.10.4).
        (State::SynReceived | State::Established, Control::Fin) => {
            send_fin(c, seg, s, State::FinWait1)
        }
        // (A FIN from CLOSE-WAIT that does not acknowledge the peer's FIN was sent before that
        // FIN arrived: `infer::revise` has already put the sender in FIN-WAIT-1.)
        // CLOSE in CLOSE-WAIT: "send FIN, enter LAST-ACK" (3.10.4).
        (State::CloseWait, Control::Fin) => send_fin(c, seg, s, State::LastAck),
        // FIN-WAIT-1 before its FIN was captured: `infer::revise` found the FINs crossed. The
        // peer's FIN, logged as arrived, reached this end after its own left: "otherwise,
        // enter the CLOSING state" (3.10.7.4 "eighth").
        (State::FinWait1, Control::Fin) if !c.ends[i].sent_fin => {
            c.set_state(s, State::Closing, seg.ts)
        }
        // Already sent: a retransmitted FIN (marked as one), also from an end that has since
        // closed.
        (
            State::FinWait1 | State::FinWait2 | State::Closing | State::LastAck | State::TimeWait,
            Control::Fin,
        ) => {}
        (State::Closed, Control::Fin) if c.ends[i].sent_fin => {}
        // A FIN before the handshake: no rule sends it.
        (_, Control::Fin) => marks.set(Marks::UNEXPECTED),
        // Data or a bare ACK moves no sender (a RST is `rst`'s).
        (_, Control::None | Control::Rst) => {}
    }
    if ctl == Control::Fin {
        c.ends[i].sent_fin = true;
    }
}

/// The sender's FIN, at the end of its data: it enters `next`.
fn send_fin(c: &mut Connection, seg: &Segment, s: Side, next: State) {
    c.ends[s as usize].fin_seq = Some(seg.seq.wrapping_add(seg.payload_len));
    c.set_state(s, next, seg.ts);
}

/// What `seg` does to its receiver `r` on arrival (3.10.7, "SEGMENT ARRIVES"; a RST is
/// [`rst`]'s). ACK processing ("fifth") comes before the FIN ("eighth"), so one arm may do
/// both.
#[inline]
pub(super) fn arrives(c: &mut Connection, seg: &Segment, r: Side, ctl: Control, marks: &mut Marks) {
    let i = r as usize;
    let end = &c.ends[i];
    let acks_our_fin = seg.flags.ack() && end.fin_acked_by(seg.ack);
    match (end.state, ctl) {
        // LISTEN, a SYN: the listener stays LISTEN until it answers, SYN,ACK (accepted) or RST
        // (refused) (3.10.7.2). A CLOSED end is taken to be listening.
        (State::Closed | State::Listen, Control::Syn) => c.set_state(r, State::Listen, seg.ts),
        // SYN-SENT, a SYN (simultaneous open): "enter SYN-RECEIVED" (3.10.7.3).
        (State::SynSent, Control::Syn) => c.set_state(r, State::SynReceived, seg.ts),
        // Past the handshake a SYN is answered with an ACK (3.10.7.4 "fourth"): no change.
        (_, Control::Syn) => {}
        // SYN-SENT, a SYN,ACK acknowledging our SYN: "our SYN has been ACKed, change the
        // connection state to ESTABLISHED" (3.10.7.3). In SYN-RECEIVED (simultaneous open) it
        // is the ACK of our SYN (3.10.7.4 "fifth").
        (State::SynSent | State::SynReceived, Control::SynAck) if end.acks_syn(seg.ack) => {
            // The handshake's SYN,ACK, from either end (a split handshake's comes from the
            // client); in SYN-RECEIVED with the peer already ESTABLISHED it is also the last
            // ACK (simultaneous open).
            c.hs_synack = true;
            if end.state == State::SynReceived && c.ends[r.other() as usize].state.is_synchronized()
            {
                c.hs_ack = true;
            }
            c.set_state(r, State::Established, seg.ts);
        }
        // One that does not: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset" (3.10.7.3).
        (_, Control::SynAck) if !end.acks_syn(seg.ack) => marks.set(Marks::BAD_ACK),
        (_, Control::SynAck) => {}
        // SYN-RECEIVED, an ACK of our SYN: "enter ESTABLISHED" (3.10.7.4 "fifth")...
        (State::SynReceived, Control::None) => syn_received_ack(c, seg, r, marks),
        // ... and with a FIN: "enter the CLOSE-WAIT state" ("eighth").
        (State::SynReceived, Control::Fin) => {
            syn_received_ack(c, seg, r, marks);
            c.set_state(r, State::CloseWait, seg.ts);
        }
        // ESTABLISHED, a FIN: "enter the CLOSE-WAIT state" (3.10.7.4 "eighth").
        (State::Established, Control::Fin) => c.set_state(r, State::CloseWait, seg.ts),
        // FIN-WAIT-1, a FIN: "If our FIN has been ACKed ... enter TIME-WAIT ...; otherwise,
        // enter the CLOSING state" (3.10.7.4 "eighth"; simultaneous close).
        (State::FinWait1, Control::Fin) => {
            let next = if acks_our_fin {
                State::TimeWait
            } else {
                State::Closing
            };
            c.set_state(r, next, seg.ts)
        }
        // FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter FIN-WAIT-2"
        // (3.10.7.4 "fifth").
        (State::FinWait1, Control::None) if acks_our_fin => c.set_state(r, State::FinWait2, seg.ts),
        // FIN-WAIT-2, a FIN: "Enter the TIME-WAIT state" (3.10.7.4 "eighth").
        (State::FinWait2, Control::Fin) => c.set_state(r, State::TimeWait, seg.ts),
        // CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT state" (3.10.7.4
        // "fifth").
        (State::Closing, Control::Fin | Control::None) if acks_our_fin => {
            c.set_state(r, State::TimeWait, seg.ts)
        }
        // LAST-ACK: "If our FIN is now acknowledged, delete the TCB, enter the CLOSED state"
        // (3.10.7.4 "fifth").
        (State::LastAck, Control::Fin | Control::None) if acks_our_fin => {
            c.set_state(r, State::Closed, seg.ts)
        }
        // TIME-WAIT, a FIN (retransmitted): "Restart the 2 MSL time-wait timeout" (3.10.7.4
        // "eighth").
        (State::TimeWait, Control::Fin) => c.ends[i].time_wait_since = seg.ts.into(),
        // Nothing else moves a receiver: data, ACKs of nothing new, a FIN the receiver already
        // had, anything to a CLOSED or LISTEN end (an end the capture missed is `infer`'s).
        _ => {}
    }
}

/// SYN-RECEIVED, an ACK: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED" (3.10.7.4
/// "fifth"); one out of that range would be answered with a reset.
fn syn_received_ack(c: &mut Connection, seg: &Segment, r: Side, marks: &mut Marks) {
    if !seg.flags.ack() {
        return;
    }
    if c.ends[r as usize].acks_syn(seg.ack) {
        // The handshake's last ACK: it completes the second end's handshake (the server's,
        // or in a split handshake the client's).
        if c.ends[r.other() as usize].state.is_synchronized() {
            c.hs_ack = true;
        }
        c.set_state(r, State::Established, seg.ts);
    } else {
        marks.set(Marks::BAD_ACK);
    }
}

/// A RST from `s`: whether its receiver accepts it (3.10.7.3 in SYN-SENT, else 3.10.7.4
/// "first: check sequence number" and "second: check the RST bit"), then both ends. Handled
/// once for both, since the sender is seen to abort only if the receiver takes the RST.
pub(super) fn rst(c: &mut Connection, seg: &Segment, s: Side, marks: &mut Marks) {
    let r = s.other();
    let receiver = &c.ends[r as usize];
    let next = match receiver.state {
        // SYN-SENT: "If the ACK was acceptable ... drop the segment, enter CLOSED state": how a
        // closed port refuses a connection. Without an acceptable ACK it is dropped.
        State::SynSent if seg.flags.ack() && receiver.acks_syn(seg.ack) => Some(State::Closed),
        // LISTEN: "An incoming RST should be ignored" (3.10.7.2); nor does one to nothing
        // (CLOSED) change anything.
        State::SynSent | State::Listen | State::Closed => None,
        // Out of the receive window: dropped.
        _ if !rst_in_window(c, seg, s) => None,
        // SYN-RECEIVED from a passive OPEN: "return this connection to LISTEN state"
        // (3.10.7.4 "second").
        State::SynReceived if receiver.passive => Some(State::Listen),
        // Every other state: "enter the CLOSED state, delete the TCB" (3.10.7.4 "second").
        _ => Some(State::Closed),
    };
    match next {
        Some(next) => {
            c.rst_by = Some(s);
            c.rst_at = seg.ts.into();
            c.ends[s as usize].sent_rst = true;
            c.set_state(s, State::Closed, seg.ts);
            c.set_state(r, next, seg.ts);
        }
        // A client aborting its own SYN (SYN_SENT) to a peer that never answered: there is
        // nothing to reset at the receiver, but the sender has given up.
        None if c.ends[s as usize].state == State::SynSent && receiver.state.is_gone() => {
            c.rst_by = Some(s);
            c.ends[s as usize].sent_rst = true;
            c.set_state(s, State::Closed, seg.ts);
        }
        None => marks.set(Marks::RST_IGNORED),
    }
}

/// Synchronized states and SYN-RECEIVED: the RST must fall in the receive window. The observer
/// knows the sender's next sequence number; it accepts a RST at it or within the receiver's
/// advertised window of it.
fn rst_in_window(c: &Connection, seg: &Segment, s: Side) -> bool {
    let sender = &c.ends[s as usize];
    let receiver = &c.ends[s.other() as usize];
    let Some(rcv_nxt) = sender.next_seq else {
        return true;
    };
    let scale = match (sender.wscale, receiver.wscale) {
        (Some(_), Some(w)) => u32::from(w.min(14)),
        _ => 0,
    };
    let wnd = (u32::from(receiver.last_window) << scale).max(1);
    let d = seq::diff(seg.seq, rcv_nxt);
    // RCV.NXT <= SEG.SEQ < RCV.NXT + RCV.WND (3.10.7.4). A RST one below (at the seq of the
    // sender's FIN) is out of window: RFC 5961 receivers drop it and answer with a challenge
    // ACK, and the sender's next RST, at RCV.NXT, is the one that closes (as in suricata's
    // ips-state-1 and zeek's qi_internet captures; accepting it showed the receiver CLOSED
    // while it went on acknowledging).
    d >= 0 && (d as i64) < i64::from(wnd)
}

/// `seg` carries its sender's first FIN at a sequence number below what the sender had already
/// sent (its FIN would overlap sent data or its SYN): not acceptable (3.10.7.4 "first: check
/// sequence number"), so no end acts on the FIN (zeek's fin_retransmission.pcap puts it on
/// the SYN's sequence number).
pub(super) fn fin_in_used_space(c: &Connection, seg: &Segment, s: Side) -> bool {
    let end = &c.ends[s as usize];
    seg.flags.fin()
        && !end.sent_fin
        && end
            .next_seq
            .is_some_and(|n| seq::lt(seg.seq.wrapping_add(seg.payload_len), n))
}

/// TIME-WAIT held for 2*MSL: "If the time-wait timeout expires on a connection, delete the
/// TCB, enter the CLOSED state" (3.10.8). Returns the inferred event (no packet shows it), if
/// an end was still in TIME_WAIT by `now`.
pub(super) fn time_wait_timeout(c: &mut Connection, now: Timestamp, two_msl: i64) -> Option<Event> {
    let before = c.states();
    let mut expired_at = None;
    for side in [Side::Client, Side::Server] {
        let end = &c.ends[side as usize];
        if end.state != State::TimeWait {
            continue;
        }
        let Some(since) = end.time_wait_since.get() else {
            continue;
        };
        let at = Timestamp(since.0 + two_msl);
        if at <= now {
            c.set_state(side, State::Closed, at);
            expired_at = Some(expired_at.map_or(at, |t: Timestamp| t.max(at)));
        }
    }
    let at = expired_at?;
    let side = if before[0] == State::TimeWait && c.ends[0].state == State::Closed {
        Side::Client
    } else {
        Side::Server
    };
    Some(Event {
        ts: at,
        frame: 0,
        kind: EventKind::TimeWaitExpired,
        dir: if side == Side::Client {
            Dir::C2S
        } else {
            Dir::S2C
        },
        flags: Flags(0),
        seq: 0,
        ack: 0,
        len: 0,
        window: 0,
        marks: Marks(Marks::INFERRED),
        states: c.states(),
        before,
    })
}

#[cfg(test)]
mod tests {
    //! One test per state and event, named for both (smoltcp style).
    use super::Control;
    use crate::decode::Timestamp;
    use crate::track::testkit::*;
    use crate::track::*;
    use State::*;

    #[test]
    fn test_closed_syn_enters_syn_sent_and_server_listens() {
        let mut t = T::new();
        let e = t.feed(seg(true, SYN, CISN, 0, 0, 0));
        assert_eq!(e.states, [SynSent, Listen]);
        assert_eq!(e.before, [Closed, Listen]);
        assert_eq!(t.conn().handshake(), Handshake::Partial);
    }

    #[test]
    fn test_listen_syn_ack_enters_syn_received_and_client_established() {
        let mut t = syn_sent();
        let e = t.feed(seg(false, SYN_ACK, SISN, CISN + 1, 0, 1));
        assert_eq!(e.states, [Established, SynReceived]);
    }

    #[test]
    fn test_syn_received_ack_completes_handshake() {
        let t = established();
        assert_eq!(t.states(), [Established, Established]);
        assert_eq!(t.conn().handshake(), Handshake::Complete);
        assert!(!t.conn().mid_stream);
    }

    #[test]
    fn test_syn_sent_synack_with_wrong_ack_is_not_accepted() {
        let mut t = syn_sent();
        let e = t.feed(seg(false, SYN_ACK, SISN, CISN + 7, 0, 1));
        assert_eq!(e.states[0], SynSent);
        assert!(e.marks.has(Marks::BAD_ACK));
        assert_eq!(t.conn().handshake(), Handshake::Partial);
    }

    #[test]
    fn test_syn_received_ack_of_wrong_number_keeps_syn_received() {
        let mut t = syn_received();
        let e = t.feed(seg(true, ACK, CISN + 1, SISN + 9, 0, 2));
        assert_eq!(e.states[1], SynReceived);
        assert!(e.marks.has(Marks::BAD_ACK));
        assert_ne!(t.conn().handshake(), Handshake::Complete);
    }

    #[test]
    fn test_syn_sent_rst_ack_of_syn_is_refusal() {
        let mut t = syn_sent();
        let e = t.feed(seg(false, RST_ACK, 0, CISN + 1, 0, 1));
        assert_eq!(e.states, [Closed, Closed]);
        assert_eq!(t.conn().rst_by, Some(Side::Server));
        assert_eq!(t.conn().teardown(), Teardown::Rst);
        assert!(t.conn().is_closed());
    }

    #[test]
    fn test_syn_sent_rst_with_wrong_ack_is_ignored() {
        let mut t = syn_sent();
        let e = t.feed(seg(false, RST_ACK, 0, CISN + 99, 0, 1));
        assert_eq!(e.states, [SynSent, Listen]);
        assert!(e.marks.has(Marks::RST_IGNORED));
        let e = t.feed(seg(false, RST, 0, 0, 0, 1));
        assert!(e.marks.has(Marks::RST_IGNORED));
    }

    #[test]
    fn test_simultaneous_open_goes_through_syn_received_on_both_ends() {
        let mut t = syn_sent();
        // The server's SYN, not answering ours, was sent before ours arrived: it was never
        // LISTEN but CLOSED -> SYN_SENT, revised in the event already logged; our SYN then
        // takes it to SYN_RECEIVED (the README's promise: both ends through SYN_RECEIVED).
        let e = t.feed(seg(false, SYN, SISN, 0, 0, 1));
        assert_eq!(e.before, [SynSent, SynSent]);
        assert_eq!(e.states, [SynReceived, SynReceived]);
        let first = t.conn().events[0];
        assert_eq!((first.before, first.states), ([Closed; 2], [SynSent; 2]));
        assert_eq!(t.conn().initial_states(), [Closed; 2]);
        let e = t.feed(seg(true, SYN_ACK, CISN, SISN + 1, 0, 2));
        assert_eq!(e.states, [SynReceived, Established]);
        let e = t.feed(seg(false, SYN_ACK, SISN, CISN + 1, 0, 3));
        assert_eq!(e.states, [Established, Established]);
        assert_eq!(t.conn().handshake(), Handshake::Complete);
    }

    #[test]
    fn test_established_fin_then_ack_then_fin_then_ack_is_the_four_way_close() {
        let mut t = established();
        let e = t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 1, 0, 10));
        assert_eq!(e.states, [FinWait1, CloseWait]);
        let e = t.feed(seg(false, ACK, SISN + 1, CISN + 2, 0, 11));
        assert_eq!(e.states, [FinWait2, CloseWait]);
        let e = t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 2, 0, 12));
        assert_eq!(e.states, [TimeWait, LastAck]);
        let e = t.feed(seg(true, ACK, CISN + 2, SISN + 2, 0, 13));
        assert_eq!(e.states, [TimeWait, Closed]);
        // A duplicate of that last ACK (the capture holds it twice) does not bring the closed
        // server back: it was not a missing handshake (zeek's ssh-dups.pcap did this).
        let e = t.feed(seg(true, ACK, CISN + 2, SISN + 2, 0, 13));
        assert_eq!(e.states, [TimeWait, Closed]);
        assert!(!e.marks.has(Marks::INFERRED));
        assert_eq!(t.conn().teardown(), Teardown::Fin);
        assert_eq!(
            t.conn().client().time_wait_since.get(),
            Some(Timestamp(12_000_000))
        );
        // Nor do old copies of what the closed server sent before (zeek's vlan-collisions.pcap
        // holds the same connection twice): an ACK from early on, then its FIN again.
        let e = t.feed(seg(false, ACK, SISN + 1, CISN + 1, 0, 14));
        assert_eq!(e.states, [TimeWait, Closed]);
        assert!(!e.marks.has(Marks::INFERRED));
        let e = t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 2, 0, 15));
        assert_eq!(e.states, [TimeWait, Closed]);
        assert!(!e.marks.has(Marks::UNEXPECTED), "{:?}", e.marks);
        // (That FIN, retransmitted, restarts the client's TIME_WAIT: RFC 9293 3.10.7.4.)
        assert_eq!(
            t.conn().client().time_wait_since.get(),
            Some(Timestamp(15_000_000))
        );
    }

    #[test]
    fn test_fin_wait_1_fin_ack_of_our_fin_goes_straight_to_time_wait() {
        let mut t = fin_wait_1();
        let e = t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 2, 0, 11));
        assert_eq!(e.before[0], FinWait1);
        assert_eq!(e.states, [TimeWait, LastAck]);
    }

    #[test]
    fn test_fin_wait_1_fin_without_ack_of_our_fin_is_closing() {
        let mut t = fin_wait_1();
        // Server's FIN crossed ours: it does not acknowledge our FIN, so the server sent it
        // before ours arrived. Its CLOSE_WAIT, logged at our FIN, is revised to FIN_WAIT_1
        // (fixtures/simultaneous-close.pcap, the demo's #6), never CLOSE_WAIT -> CLOSING.
        let e = t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 1, 0, 10));
        assert_eq!(e.before, [FinWait1, FinWait1]);
        assert_eq!(e.states, [Closing, Closing]);
        let ours = t.conn().events[3];
        assert_eq!(
            (ours.before, ours.states),
            ([Established; 2], [FinWait1; 2])
        );
        let e = t.feed(seg(true, ACK, CISN + 2, SISN + 2, 0, 11));
        assert_eq!(e.states, [Closing, TimeWait]);
        let e = t.feed(seg(false, ACK, SISN + 2, CISN + 2, 0, 11));
        assert_eq!(e.states, [TimeWait, TimeWait]);
    }

    #[test]
    fn test_close_wait_data_then_fin_is_half_close() {
        let mut t = fin_wait_2();
        let e = t.feed(seg(false, PSH_ACK, SISN + 1, CISN + 2, 500, 12));
        assert_eq!(e.states, [FinWait2, CloseWait]);
        assert!(e.marks.is_empty());
        t.feed(seg(true, ACK, CISN + 2, SISN + 501, 0, 13));
        let e = t.feed(seg(false, FIN_ACK, SISN + 501, CISN + 2, 0, 14));
        assert_eq!(e.states, [TimeWait, LastAck]);
        assert_eq!(t.conn().server().bytes, 500);
    }

    #[test]
    fn test_fin_retransmission_in_time_wait_restarts_timer() {
        let mut t = time_wait();
        let e = t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 2, 0, 300));
        assert!(e.marks.has(Marks::RETRANSMISSION));
        assert_eq!(e.states[0], TimeWait);
        assert_eq!(
            t.conn().client().time_wait_since.get(),
            Some(Timestamp(300_000_000))
        );
    }

    #[test]
    fn test_time_wait_expires_after_two_msl() {
        let mut t = time_wait();
        t.feed(seg(true, ACK, CISN + 2, SISN + 2, 0, 12));
        let c = t.c.as_mut().unwrap();
        let two_msl = 120 * Timestamp::NANOS_PER_SEC;
        assert!(c
            .expire_time_wait(Timestamp(11_000_000 + two_msl - 1), two_msl)
            .is_none());
        let e = c
            .expire_time_wait(Timestamp(11_000_000 + two_msl), two_msl)
            .unwrap();
        assert_eq!(e.kind, EventKind::TimeWaitExpired);
        assert_eq!(e.before, [TimeWait, Closed]);
        assert_eq!(e.states, [Closed, Closed]);
        assert!(e.marks.has(Marks::INFERRED));
    }

    #[test]
    fn test_established_rst_in_window_closes_both() {
        let mut t = established();
        t.feed(seg(true, PSH_ACK, CISN + 1, SISN + 1, 100, 5));
        let e = t.feed(seg(false, RST_ACK, SISN + 1, CISN + 101, 0, 6));
        assert_eq!(e.states, [Closed, Closed]);
        assert_eq!(t.conn().rst_by, Some(Side::Server));
    }

    #[test]
    fn test_listen_synack_resent_after_reset_does_not_reopen() {
        let mut t = syn_received();
        t.feed(seg(true, RST, CISN + 1, 0, 0, 2));
        let e = t.feed(seg(false, SYN_ACK, SISN, CISN + 1, 0, 1000));
        assert_eq!(e.states, [Closed, Listen]);
        assert!(e.marks.has(Marks::RETRANSMISSION));
    }

    #[test]
    fn test_established_rst_out_of_window_is_ignored() {
        let mut t = established();
        let e = t.feed(seg(false, RST, SISN + 1_000_000, 0, 0, 6));
        assert!(e.marks.has(Marks::RST_IGNORED));
        assert_eq!(e.states, [Established, Established]);
    }

    #[test]
    fn test_established_fin_in_used_sequence_space_is_not_acted_on() {
        // zeek's fin_retransmission.pcap: the client's FIN reuses its SYN's seq, below what
        // the server expects; the server answered with a RST, not an ACK of any FIN.
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 1));
        t.feed(seg(false, SYN_ACK, SISN, CISN + 1, 0, 2));
        let e = t.feed(seg(true, FIN_ACK, CISN, SISN + 1, 0, 3));
        assert!(e.marks.has(Marks::UNEXPECTED), "{:?}", e.marks);
        assert_eq!(e.states, [Established, Established]);
        assert_eq!(t.conn().teardown(), Teardown::None);
        // A FIN where the sequence space goes on is taken.
        let e = t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 1, 0, 4));
        assert_eq!(e.states, [FinWait1, CloseWait]);
        assert!(!e.marks.has(Marks::UNEXPECTED), "{:?}", e.marks);
    }

    #[test]
    fn test_fin_wait_1_rst_at_the_fins_own_seq_is_out_of_window() {
        // RCV.NXT counts the FIN: a RST at the FIN's own seq is one below it (RFC 5961's
        // receiver answers with a challenge ACK); the RST after that ACK, at RCV.NXT, closes.
        let mut t = established();
        let e = t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 1, 0, 10));
        assert_eq!(e.states, [FinWait1, CloseWait]);
        let e = t.feed(seg(true, RST, CISN + 1, 0, 0, 11));
        assert!(e.marks.has(Marks::RST_IGNORED));
        assert_eq!(e.states, [FinWait1, CloseWait]);
        let e = t.feed(seg(false, ACK, SISN + 1, CISN + 2, 0, 12));
        assert_eq!(e.states, [FinWait2, CloseWait]);
        let e = t.feed(seg(true, RST, CISN + 2, 0, 0, 13));
        assert!(!e.marks.has(Marks::RST_IGNORED));
        assert_eq!(e.states, [Closed, Closed]);
    }

    #[test]
    fn test_syn_received_rst_returns_server_to_listen() {
        let mut t = syn_received();
        let e = t.feed(seg(true, RST, CISN + 1, 0, 0, 2));
        assert_eq!(e.states, [Closed, Listen]);
    }

    #[test]
    fn test_rst_in_every_synchronized_state_closes_receiver() {
        // FIN_WAIT_1 / CLOSE_WAIT
        let mut t = fin_wait_1();
        let e = t.feed(seg(false, RST_ACK, SISN + 1, CISN + 2, 0, 11));
        assert_eq!(e.before, [FinWait1, CloseWait]);
        assert_eq!(e.states, [Closed, Closed]);
        // FIN_WAIT_2 / CLOSE_WAIT
        let mut t = fin_wait_2();
        let e = t.feed(seg(false, RST, SISN + 1, 0, 0, 12));
        assert_eq!(e.before, [FinWait2, CloseWait]);
        assert_eq!(e.states, [Closed, Closed]);
        // TIME_WAIT / LAST_ACK
        let mut t = time_wait();
        let e = t.feed(seg(false, RST, SISN + 2, 0, 0, 12));
        assert_eq!(e.before, [TimeWait, LastAck]);
        assert_eq!(e.states, [Closed, Closed]);
        // CLOSING / CLOSING
        let mut t = closing();
        let e = t.feed(seg(true, RST, CISN + 2, 0, 0, 12));
        assert_eq!(e.before, [Closing, Closing]);
        assert_eq!(e.states, [Closed, Closed]);
    }

    #[test]
    fn test_syn_received_fin_with_ack_of_syn_enters_close_wait() {
        // The handshake's ACK and the client's FIN in one segment: the server takes the ACK
        // ("fifth") before the FIN ("eighth").
        let mut t = syn_received();
        let e = t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 1, 0, 2));
        assert_eq!(e.before, [Established, SynReceived]);
        assert_eq!(e.states, [FinWait1, CloseWait]);
        assert_eq!(t.conn().handshake(), Handshake::Complete);
    }

    #[test]
    fn test_control_is_rst_above_syn_above_fin() {
        use crate::decode::Flags;
        let of = |f: u16| Control::of(Flags(f));
        assert_eq!(of(Flags::RST | Flags::SYN | Flags::FIN), Control::Rst);
        assert_eq!(of(Flags::SYN | Flags::FIN), Control::Syn);
        assert_eq!(of(SYN_ACK), Control::SynAck);
        assert_eq!(of(FIN_ACK), Control::Fin);
        assert_eq!(of(PSH_ACK), Control::None);
        assert_eq!(Control::Fin.without_fin(), Control::None);
        assert_eq!(Control::Syn.without_fin(), Control::Syn);
    }
}
