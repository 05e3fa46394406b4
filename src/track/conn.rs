//! One connection seen from the wire: both ends ([`End`]), what the observer knows of each, and
//! [`Connection::on_segment`], which takes a segment through the other files' steps in order:
//! the analysis marks ([`super::marks`]), the observer's guesses (`infer`) and RFC 9293's rules
//! for the sender and the receiver (`machine`), then the sender's bookkeeping and Zeek's view
//! ([`crate::zeek`]).

use super::completeness::Completeness;
use super::events::{Dropped, Event, EventKind};
use super::infer;
use super::labels::Labels;

/// A connection's rare parts ([`Connection::extras`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// The tunnels its first segment came through, outermost first (none: not tunneled).
    pub tunnel: Option<Encap>,
    /// What its first data segments each way said (see [`super::labels`]).
    pub labels: Labels,
}
use super::machine::{self, Control};
use super::marks::{self, Marks};
use super::seq;
use super::state::State;
use crate::decode::{Encap, Endpoint, MaybeTs, Segment, Timestamp};
use crate::zeek::History;

/// Which end of the connection: the client sent the first SYN (or was inferred to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Client = 0,
    Server = 1,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }
}

/// Direction of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dir {
    /// Client to server.
    C2S,
    /// Server to client.
    S2C,
}

impl Dir {
    pub fn sender(self) -> Side {
        match self {
            Dir::C2S => Side::Client,
            Dir::S2C => Side::Server,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Dir::C2S => "c2s",
            Dir::S2C => "s2c",
        }
    }
}

/// One end of a connection and what the observer knows of its sequence space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct End {
    pub addr: Endpoint,
    pub state: State,
    /// Initial sequence number, from its SYN (or inferred from the peer's ACK of it).
    pub isn: Option<u32>,
    /// Another ISN this end answered a SYN with (a second SYN+ACK on another ISN, before the
    /// peer acknowledged either): the ISN becomes this one if the peer's ACK acknowledges it.
    pub alt_isn: Option<u32>,
    /// Base for relative sequence numbers: the ISN, else the first sequence number seen.
    pub base: Option<u32>,
    /// Highest sequence number sent plus one (SND.MAX as the observer sees it).
    pub next_seq: Option<u32>,
    /// Sequence number of this end's FIN, once sent.
    pub fin_seq: Option<u32>,
    /// Entered SYN_RECEIVED from LISTEN (a RST then returns it to LISTEN).
    pub passive: bool,
    pub last_ack: Option<u32>,
    pub last_window: u16,
    pub wscale: Option<u8>,
    pub mss: Option<u16>,
    pub sack_permitted: bool,
    /// The most recent gap in this end's sequence space [start, end): a later segment that
    /// falls in it is out of order, not a retransmission.
    pub hole: Option<(u32, u32)>,
    /// When the hole appeared.
    pub hole_since: MaybeTs,
    /// Consecutive duplicate ACKs this end has sent for `last_ack`.
    pub dup_acks: u32,
    /// This end's latest segment asked for an ACK without sending new data (a keep-alive, a
    /// window probe, or a SYN or SYN+ACK again): the peer's answer repeats its last ACK.
    pub probed: bool,
    /// The end of the peer's `hole` this end has been marked `acked_unseen` for covering.
    pub acked_hole: Option<u32>,
    pub packets: u64,
    /// Payload bytes sent (retransmissions included, as on the wire).
    pub bytes: u64,
    /// Sent a SYN without ACK (an active open).
    pub sent_syn: bool,
    /// Sent a SYN+ACK (answering a SYN).
    pub sent_synack: bool,
    pub sent_fin: bool,
    pub sent_rst: bool,
    /// When this end entered TIME_WAIT (restarted by a retransmitted FIN, RFC 9293 3.10.7.4).
    pub time_wait_since: MaybeTs,
    /// Time of this end's last segment.
    pub last_ts: MaybeTs,
    /// This end has advertised a zero window since then (and not reopened it).
    pub zero_window_since: MaybeTs,
    /// Longest zero-window spell that ended, in nanoseconds.
    pub zero_window_longest: i64,
    /// Segments this end sent after the peer's accepted RST (a half-open sign).
    pub after_peer_rst: u32,
}

impl End {
    fn new(addr: Endpoint, state: State) -> End {
        End {
            addr,
            state,
            isn: None,
            alt_isn: None,
            base: None,
            next_seq: None,
            fin_seq: None,
            passive: false,
            last_ack: None,
            last_window: 0,
            wscale: None,
            mss: None,
            sack_permitted: false,
            hole: None,
            hole_since: MaybeTs::NONE,
            dup_acks: 0,
            probed: false,
            acked_hole: None,
            packets: 0,
            bytes: 0,
            sent_syn: false,
            sent_synack: false,
            sent_fin: false,
            sent_rst: false,
            time_wait_since: MaybeTs::NONE,
            last_ts: MaybeTs::NONE,
            zero_window_since: MaybeTs::NONE,
            zero_window_longest: 0,
            after_peer_rst: 0,
        }
    }

    /// An acceptable ACK of our SYN: ISS < SEG.ACK =< SND.NXT (RFC 9293 3.10.7.3). Usually
    /// ISS+1; more when the SYN carried data (TCP Fast Open) that is acknowledged with it.
    pub(super) fn acks_syn(&self, ack: u32) -> bool {
        match self.isn {
            Some(isn) => {
                let nxt = self.next_seq.unwrap_or(isn.wrapping_add(1));
                seq::gt(ack, isn) && seq::le(ack, nxt)
            }
            None => false,
        }
    }

    /// An ACK covering this end's FIN.
    pub(super) fn fin_acked_by(&self, ack: u32) -> bool {
        self.fin_seq
            .is_some_and(|f| seq::ge(ack, f.wrapping_add(1)))
    }
}

/// How far the three-way handshake got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handshake {
    /// SYN, a SYN+ACK acknowledging it, and an ACK acknowledging the SYN+ACK.
    Complete,
    /// Some of it.
    Partial,
    /// None of it was captured.
    None,
}

impl Handshake {
    pub fn name(self) -> &'static str {
        match self {
            Handshake::Complete => "complete",
            Handshake::Partial => "partial",
            Handshake::None => "none",
        }
    }
}

/// How the connection ended (so far).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Teardown {
    /// Both ends sent a FIN.
    Fin,
    /// An accepted RST, without FINs from both ends.
    Rst,
    /// One end sent a FIN.
    Half,
    None,
}

impl Teardown {
    pub fn name(self) -> &'static str {
        match self {
            Teardown::Fin => "fin",
            Teardown::Rst => "rst",
            Teardown::Half => "half",
            Teardown::None => "none",
        }
    }
}

/// A connection: the two ends, their story as events, and counters.
#[derive(Debug, Clone)]
pub struct Connection {
    pub id: u64,
    /// `[client, server]`
    pub ends: [End; 2],
    /// The capture joined after the connection had started (no SYN or SYN+ACK seen first).
    pub mid_stream: bool,
    /// A new connection took its 4-tuple while it was over (port reuse: the new one's
    /// `reuses` names this one): a TIME_WAIT it was in may have ended then, early.
    pub replaced: bool,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub events: Vec<Event>,
    /// Plain data and ACK segments not kept because of the per-connection cap, folded into
    /// runs where they fell among the events kept.
    pub dropped: Dropped,
    /// The id of the connection this one replaced on the same 4-tuple (port reuse).
    pub reuses: Option<u64>,
    /// State the reused connection's ends were in when the new SYN came.
    pub reused_from: Option<[State; 2]>,
    /// Side that sent an accepted RST.
    pub rst_by: Option<Side>,
    /// When that RST was seen.
    pub rst_at: MaybeTs,
    /// Counts of each mark over all segments (kept even when events are dropped).
    pub mark_counts: [u32; Marks::COUNT],
    /// Zeek-style history letters (see [`History`]).
    pub history: History,
    /// Wireshark's `tcp.completeness` bits (see [`Completeness`]).
    pub completeness: Completeness,
    /// What few connections have: tunnels, app labels (boxed together: one pointer for all).
    pub extras: Option<Box<Extras>>,
    /// The handshake's three segments seen (see [`Connection::handshake`]): the client's SYN,
    /// a SYN+ACK acknowledging it, the ACK of that.
    pub(super) hs_syn: bool,
    pub(super) hs_synack: bool,
    pub(super) hs_ack: bool,
}

impl Connection {
    /// A new connection whose first captured segment is `seg`; roles and initial states are
    /// the observer's guess from it (`infer::roles`).
    pub fn new(id: u64, seg: &Segment) -> Connection {
        let (client, server, mid) = infer::roles(seg);
        let (cs, ss) = infer::initial_states(mid);
        Connection {
            id,
            ends: [End::new(client, cs), End::new(server, ss)],
            mid_stream: mid,
            replaced: false,
            first_seen: seg.ts,
            last_seen: seg.ts,
            // Room for a short connection's whole story (handshake, a request and its answer,
            // teardown) without growing: most logs never move (12 tracked the bench capture
            // 5% faster than 8 or 16).
            events: Vec::with_capacity(12),
            dropped: Dropped::default(),
            reuses: None,
            reused_from: None,
            rst_by: None,
            rst_at: MaybeTs::NONE,
            mark_counts: [0; Marks::COUNT],
            history: History::default(),
            completeness: Completeness::default(),
            extras: None,
            hs_syn: false,
            hs_synack: false,
            hs_ack: false,
        }
    }

    pub fn client(&self) -> &End {
        &self.ends[0]
    }
    /// Both ends' states before the first event kept (the current ones when there is none).
    pub fn initial_states(&self) -> [State; 2] {
        self.events.first().map_or(self.states(), |e| e.before)
    }
    /// Where frame `frame` of this connection went if the event cap left it out: the `at` of
    /// its [`DroppedRun`](super::DroppedRun) (kept events are in capture order; timer events
    /// have frame 0).
    pub fn dropped_run_holding(&self, frame: u64) -> Option<usize> {
        if self.events.iter().any(|e| e.frame == frame) {
            return None;
        }
        let at = self
            .events
            .iter()
            .position(|e| e.frame > frame)
            .unwrap_or(self.events.len());
        self.dropped.at(at).map(|r| r.at)
    }
    /// Plain segments not kept because of the per-connection cap.
    pub fn events_dropped(&self) -> u64 {
        self.dropped.total()
    }
    pub fn server(&self) -> &End {
        &self.ends[1]
    }
    pub fn end(&self, side: Side) -> &End {
        &self.ends[side as usize]
    }
    pub fn states(&self) -> [State; 2] {
        [self.ends[0].state, self.ends[1].state]
    }

    pub fn dir_of(&self, seg: &Segment) -> Dir {
        if seg.src == self.ends[0].addr {
            Dir::C2S
        } else {
            Dir::S2C
        }
    }

    pub fn packets(&self) -> u64 {
        self.ends[0].packets + self.ends[1].packets
    }
    pub fn bytes(&self) -> u64 {
        self.ends[0].bytes + self.ends[1].bytes
    }

    pub fn handshake(&self) -> Handshake {
        if self.hs_syn && self.hs_synack && self.hs_ack {
            Handshake::Complete
        } else if self.hs_syn || self.hs_synack {
            Handshake::Partial
        } else {
            Handshake::None
        }
    }

    pub fn teardown(&self) -> Teardown {
        let fins = self.ends.iter().filter(|e| e.sent_fin).count();
        if fins == 2 {
            Teardown::Fin
        } else if self.rst_by.is_some() {
            Teardown::Rst
        } else if fins == 1 {
            Teardown::Half
        } else {
            Teardown::None
        }
    }

    /// Both ends are done (CLOSED, or back to LISTEN): nothing more will change but a new SYN.
    pub fn is_closed(&self) -> bool {
        self.ends.iter().all(|e| e.state.is_gone())
            && (self.rst_by.is_some()
                || self
                    .ends
                    .iter()
                    .any(|e| e.sent_syn || e.sent_synack || e.sent_fin))
    }

    /// The 4-tuple may be used by a new connection: every end is closed or in TIME_WAIT.
    pub fn is_over(&self) -> bool {
        self.ends
            .iter()
            .all(|e| e.state.is_gone() || e.state == State::TimeWait)
            && (self.rst_by.is_some() || self.ends.iter().any(|e| e.sent_fin))
    }

    /// Sequence number relative to the sender's base (as Wireshark shows by default).
    pub fn rel_seq(&self, dir: Dir, seq: u32) -> u32 {
        let base = self.ends[dir.sender() as usize].base.unwrap_or(seq);
        seq.wrapping_sub(base)
    }

    /// Acknowledgment number relative to the receiver's base.
    pub fn rel_ack(&self, dir: Dir, ack: u32) -> u32 {
        let base = self.ends[dir.sender().other() as usize].base.unwrap_or(ack);
        ack.wrapping_sub(base)
    }

    /// One place where an end's state changes, so every transition can be audited.
    pub(super) fn set_state(&mut self, side: Side, state: State, ts: Timestamp) {
        let end = &mut self.ends[side as usize];
        if end.state == state {
            return;
        }
        if state == State::TimeWait {
            // "start the time-wait timer" (3.10.7.4 "eighth"); the table runs it out.
            end.time_wait_since = ts.into();
        }
        end.state = state;
    }

    /// The end on `side` and its peer.
    fn end_and_peer(&mut self, side: Side) -> (&mut End, &End) {
        let [client, server] = &mut self.ends;
        match side {
            Side::Client => (client, server),
            Side::Server => (server, client),
        }
    }

    /// Feeds one captured segment (frame number `frame`) through both ends' state machines and
    /// returns the event describing it. The caller decides whether to keep the event.
    pub fn on_segment(&mut self, seg: &Segment, frame: u64) -> Event {
        let dir = self.dir_of(seg);
        let s = dir.sender();
        let r = s.other();
        let ctl = Control::of(seg.flags);
        // Not acceptable (3.10.7.4): no end acts on the FIN; the rest counts.
        let fin_unacceptable = ctl != Control::Rst && machine::fin_in_used_space(self, seg, s);
        let ctl = if fin_unacceptable {
            ctl.without_fin()
        } else {
            ctl
        };
        // A guess this segment proves wrong is corrected in the events already logged, so
        // this event starts from the corrected state.
        infer::revise(self, seg, s, ctl);
        let before = self.states();
        let (sender, peer) = self.end_and_peer(s);
        let mut marks = marks::analyse(seg, sender, peer);
        if fin_unacceptable {
            marks.set(Marks::UNEXPECTED);
        }
        let stale = infer::stale_syn(self, seg, s, &mut marks);
        match ctl {
            // Accepted or not by the receiver, a RST moves both ends or neither.
            Control::Rst => machine::rst(self, seg, s, &mut marks),
            // An old or odd SYN on a connection that is over: nothing comes back to life.
            _ if stale => {}
            ctl => {
                // Sender first (it has just sent the segment), then the receiver (on arrival);
                // each end brought to the state the segment shows it in before its rules run.
                infer::before_sending(self, seg, s, ctl, &mut marks);
                machine::sends(self, seg, s, ctl, &mut marks);
                infer::before_arrival(self, seg, r, ctl, &mut marks);
                machine::arrives(self, seg, r, ctl, &mut marks);
            }
        }
        self.account(seg, s, stale);
        self.history.on_segment(seg, s == Side::Client);
        self.completeness.on_segment(seg, self.packets() == 1);
        // Captures are not always in time order (multi-queue NICs): keep the true span.
        self.first_seen = self.first_seen.min(seg.ts);
        self.last_seen = self.last_seen.max(seg.ts);
        marks.count_into(&mut self.mark_counts);
        Event {
            ts: seg.ts,
            frame,
            kind: EventKind::Segment,
            dir,
            flags: seg.flags,
            seq: seg.seq,
            ack: seg.ack,
            len: seg.payload_len,
            window: seg.window,
            marks,
            states: self.states(),
            before,
        }
    }

    /// TIME_WAIT held for 2*MSL: the end closes (RFC 9293 3.10.8, `machine::time_wait_timeout`).
    /// Returns the inferred event, if an end was still in TIME_WAIT.
    pub fn expire_time_wait(&mut self, now: Timestamp, two_msl: i64) -> Option<Event> {
        machine::time_wait_timeout(self, now, two_msl)
    }

    /// Sender bookkeeping after the state machine: sequence high-water mark, counters. A
    /// `stale` SYN counts as a packet but leaves the sender's sequence space alone.
    fn account(&mut self, seg: &Segment, s: Side, stale: bool) {
        let f = seg.flags;
        let peer_reset = self.rst_by == Some(s.other());
        let end = &mut self.ends[s as usize];
        end.packets += 1;
        end.last_ts = end.last_ts.get().map_or(seg.ts, |t| t.max(seg.ts)).into();
        if peer_reset && !f.rst() {
            end.after_peer_rst = end.after_peer_rst.saturating_add(1);
        }
        if f.ack() && !f.syn() && !f.rst() {
            if seg.window == 0 {
                if !end.zero_window_since.is_some() {
                    end.zero_window_since = seg.ts.into();
                }
            } else if let Some(since) = end.zero_window_since.take() {
                end.zero_window_longest = end.zero_window_longest.max(seg.ts.0 - since.0);
            }
        }
        end.bytes += u64::from(seg.payload_len);
        // A SYN on another ISN than the sender's (a second SYN+ACK, or an old one after the
        // peer chose the other) is not in its sequence space.
        if stale || (f.syn() && end.isn.is_some_and(|i| i != seg.seq)) {
            return;
        }
        if f.syn() {
            if f.ack() {
                end.sent_synack = true;
            } else {
                end.sent_syn = true;
            }
            if !f.ack() {
                // A SYN starts its sender's sequence space: an ACK it sent before (a split
                // handshake's) is not one a later ACK duplicates.
                end.last_ack = None;
            }
            end.mss = seg.options.mss.or(end.mss);
            end.wscale = seg.options.wscale.or(end.wscale);
            end.sack_permitted |= seg.options.sack_permitted;
        }
        if end.base.is_none() {
            end.base = Some(seg.seq);
        }
        if !f.rst() {
            let seg_end = seg.seq.wrapping_add(seg.seq_len());
            // A SYN seen again mid-connection (the same ISN) does not take the high-water
            // mark back to ISN+1: copies of data already seen stay retransmissions. A SYN on a
            // new ISN has had `next_seq` cleared by the state machine.
            match end.next_seq {
                Some(n) if seq::gt(seg_end, n) => end.next_seq = Some(seg_end),
                None => end.next_seq = Some(seg_end),
                _ => {}
            }
            if let Some((a, b)) = end.hole {
                // A segment that fills the hole's start shrinks it; a filled hole is gone.
                if seg.seq == a {
                    end.hole = if seq::lt(seg_end, b) {
                        Some((seg_end, b))
                    } else {
                        None
                    };
                }
            }
        }
        if f.ack() && !f.rst() {
            end.last_ack = Some(seg.ack);
            end.last_window = seg.window;
        }
    }
}

#[cfg(test)]
mod tests {
    //! A connection's own bookkeeping.
    use crate::track::testkit::*;
    use crate::track::*;

    #[test]
    fn test_relative_numbers_start_at_zero_for_the_syn() {
        let t = established();
        let c = t.conn();
        assert_eq!(c.rel_seq(Dir::C2S, CISN), 0);
        assert_eq!(c.rel_ack(Dir::S2C, CISN + 1), 1);
        assert_eq!(c.rel_seq(Dir::S2C, SISN + 1), 1);
    }
}
