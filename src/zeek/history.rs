//! Zeek-style connection history: which kinds of segment each side sent, in order (the
//! `history` column of Zeek's conn.log). Kept as segments arrive, because a connection's
//! stored events may be capped.
//!
//! This is a small, independent model of Zeek's TCP session adapter, written from Zeek's
//! sources (zeek/zeek master as of 2025, Zeek 7.x/8.0-dev:
//! `src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc`, `src/analyzer/protocol/tcp/
//! TCP_Endpoint.cc`, `src/Conn.cc` and `src/packet_analysis/protocol/ip/IPBasedAnalyzer.cc`).
//! It keeps what `conn_state()` in `base/protocols/conn/main.zeek` needs: each endpoint's
//! `TCP_ENDPOINT_*` state, its size, and the history letters. Zeek's originator is the sender
//! of the connection's first segment unless Zeek's role-flip heuristic says otherwise, so it
//! may differ from synack's client; [`History::orig_is_client`] says which.
//!
//! Zeek also removes a connection on its timers, and a later segment of the 4-tuple then makes
//! a new Zeek connection (a separate conn.log row): see [`ZeekTimer`] for each timer, when it is
//! set, what cancels it and when it removes the connection.
//!
//! Not modelled: checksum errors (`C`), Zeek's `x`, and reassembly itself: a content gap (`G`)
//! is inferred from an acknowledgment that covers bytes the capture never showed, and a close
//! that Zeek defers while its reassembler still holds data (`DataPending`) is taken at once.

use super::Counts;
use crate::decode::{MaybeTs, Segment, Timestamp};

// Zeek's TCP timer settings, the defaults of `scripts/base/init-bare.zeek`.
/// `tcp_attempt_delay`: an unanswered SYN is given up after this long.
const ATTEMPT_DELAY_NS: i64 = 5 * Timestamp::NANOS_PER_SEC;
/// `tcp_close_delay`: a connection whose close is complete is removed this long after.
const CLOSE_DELAY_NS: i64 = 5 * Timestamp::NANOS_PER_SEC;
/// `tcp_SYN_timeout`: the first run of the expire timer, after the first packet.
const SYN_TIMEOUT_NS: i64 = 5 * Timestamp::NANOS_PER_SEC;
/// `tcp_session_timer`: the expire timer runs again this long after each run.
const SESSION_TIMER_NS: i64 = 6 * Timestamp::NANOS_PER_SEC;
/// `tcp_connection_linger`: the expire timer removes a closing connection idle this long.
const CONNECTION_LINGER_NS: i64 = 5 * Timestamp::NANOS_PER_SEC;
/// Zeek's `TOO_LARGE_SEQ_DELTA`.
const TOO_LARGE_SEQ_DELTA: i32 = 1_048_576;

// Zeek's `hist_seen` bits (per endpoint; the responder's are shifted left by 16).
const HIST_SYN: u32 = 0x1;
const HIST_FIN: u32 = 0x2;
const HIST_RST: u32 = 0x4;
const HIST_FIN_RST: u32 = 0x8;
const HIST_DATA: u32 = 0x10;
const HIST_ACK: u32 = 0x20;
const HIST_MULTI_FLAG: u32 = 0x40;

/// The timer that made Zeek remove a connection (after which the 4-tuple's next segment starts
/// a new Zeek connection). From `TCPSessionAdapter.cc` and `session/Session.cc`; Zeek checks
/// timers before it processes a packet, so a segment at or after the due time is already in
/// the new connection. Each timer runs on the time of the capture's next packet; synack has
/// only the connection's own segments for that clock, which is Zeek's when the 4-tuple is the
/// only traffic.
///
/// Two of Zeek's TCP timers are never set with its default scripts, because Zeek arms them
/// only when a script handles their event and none in `base/` does: the reset timer
/// (`tcp_reset_delay`, for a RST after the sender's own FIN; needs `connection_reset`) and
/// the partial-close timer (`tcp_partial_close_delay`, for a FIN as an end's first segment;
/// needs `connection_partial_close`). A RST instead completes the close
/// ([`ZeekTimer::Close`]), and a RST after the sender's own FIN is left to
/// [`ZeekTimer::Expire`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZeekTimer {
    /// `AttemptTimer`, `tcp_attempt_delay` (5 s) after the originator's first SYN: removes the
    /// connection if the responder has sent nothing (the originator still in SYN_SENT).
    Attempt,
    /// `ConnDeleteTimer`, `tcp_close_delay` (5 s) after the segment that completed the close
    /// (`ConnectionClosed` with the closing end reset, or the other end closed or never
    /// seen): removes the connection whatever comes after. A later close of the other end
    /// sets it again from that segment.
    Close,
    /// `ExpireTimer`: first `tcp_SYN_timeout` (5 s) after the first packet, then every
    /// `tcp_session_timer` (6 s), and once more 6 s after an end's FIN that did not complete
    /// the close; it removes the connection when nothing came for more than
    /// `tcp_connection_linger` (5 s) and an end that closed has since sent a RST (its peer
    /// neither closed nor silent, or the close would have been complete).
    Expire,
    /// `Session::InactivityTimer`: no packet for the inactivity timeout: 1 min while both ends
    /// are in the handshake, 5 min after, 1 hour to ports 21, 22, 23 and 513.
    Inactivity,
}

/// The inactivity timeout Zeek gives a TCP connection, changed as the connection goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Inactivity {
    /// Set when Zeek makes the connection: `TCPAnalyzer::MakeSessionAdapter` uses
    /// `udp_inactivity_timeout` (1 min) for TCP too, until the handshake ends.
    #[default]
    Handshake,
    /// `tcp_inactivity_timeout` (5 min): set by `TCP_Endpoint::SetState` when an end leaves
    /// the handshake states (INACTIVE, SYN_SENT, SYN_ACK_SENT) while both were in them.
    Tcp,
    /// 1 hour: `base/protocols/conn/inactivity.zeek` on `connection_established` to ports
    /// 21, 22, 23 and 513 (`port_inactivity_timeouts`).
    Interactive,
}

impl Inactivity {
    fn nanos(self) -> i64 {
        let secs = match self {
            Inactivity::Handshake => 60,
            Inactivity::Tcp => 300,
            Inactivity::Interactive => 3600,
        };
        secs * Timestamp::NANOS_PER_SEC
    }
}

fn is_handshake(s: ZeekState) -> bool {
    matches!(
        s,
        ZeekState::Inactive | ZeekState::SynSent | ZeekState::SynAckSent
    )
}

/// Zeek's per-endpoint TCP state (`TCP_ENDPOINT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZeekState {
    #[default]
    Inactive,
    SynSent,
    SynAckSent,
    Partial,
    Established,
    Closed,
    Reset,
}

/// A letter logged at 1, 10, 100, ... occurrences (Zeek's `ScaledHistoryEntry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scaled {
    count: u32,
    threshold: u32,
}

impl Default for Scaled {
    fn default() -> Self {
        Scaled {
            count: 0,
            threshold: 1,
        }
    }
}

impl Scaled {
    /// Counts one occurrence; true when the letter is due.
    fn hit(&mut self) -> bool {
        self.count = self.count.wrapping_add(1);
        if self.count != self.threshold {
            return false;
        }
        match self.threshold.checked_mul(10) {
            Some(t) => self.threshold = t,
            None => self.count = 0,
        }
        true
    }
}

/// One endpoint as Zeek's `TCP_Endpoint` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct ZEnd {
    state: ZeekState,
    prev_state: ZeekState,
    start_seq: u32,
    last_seq: u32,
    ack_seq: u32,
    /// It sent a FIN (Zeek's `FIN_cnt > 0`, all that its size needs).
    sent_fin: bool,
    hist_last_syn: i64,
    hist_last_fin: i64,
    hist_last_rst: i64,
    rxmt: Scaled,
    win0: Scaled,
    gap: Scaled,
    /// End of the highest data (or SYN) this endpoint was seen sending, for content gaps.
    data_end: Option<u32>,
    /// Sequence number of its FIN.
    fin_seq: Option<u32>,
    /// Zeek's `did_close`: `ConnectionClosed` ran for this end (its first FIN or RST).
    did_close: bool,
}

impl ZEnd {
    fn set_state(&mut self, s: ZeekState) {
        if s != self.state {
            self.prev_state = self.state;
            self.state = s;
        }
    }

    fn init_seqs(&mut self, start: u32, last: u32) {
        self.start_seq = start;
        self.ack_seq = start;
        self.last_seq = last;
    }

    /// `init_endpoint`: the sequence numbers this endpoint starts from, set by its first
    /// segment (or a new SYN); `seq_end` ends `seg` in sequence space.
    fn init_endpoint(&mut self, seg: &Segment, seq_end: u32) {
        let syn = seg.flags.syn();
        match self.state {
            ZeekState::Inactive => {
                if syn {
                    self.init_seqs(seg.seq, seq_end);
                } else {
                    self.init_seqs(seg.seq.wrapping_sub(1), seg.seq);
                }
            }
            ZeekState::SynSent | ZeekState::SynAckSent => {
                if syn && seg.seq != self.start_seq {
                    self.init_seqs(seg.seq, seq_end);
                }
            }
            ZeekState::Established | ZeekState::Partial => {
                if syn {
                    self.init_seqs(seg.seq, seq_end);
                }
            }
            ZeekState::Reset => {
                if syn && self.prev_state == ZeekState::Inactive {
                    self.init_seqs(seg.seq, seq_end);
                }
            }
            ZeekState::Closed => {}
        }
    }

    /// The peer acknowledged this endpoint (`seg` is the peer's, with ACK): `init_peer` for an
    /// endpoint not seen yet, else `update_ack_seq`.
    fn peer_acked(&mut self, seg: &Segment) {
        if self.state == ZeekState::Inactive {
            let a = seg.ack.wrapping_sub(1);
            self.init_seqs(a, a);
        } else if !seg.flags.rst() && seq_delta(seg.ack, self.start_seq) >= 0 {
            let d = seq_delta(seg.ack, self.ack_seq);
            if !(seg.ack == 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0 {
                self.ack_seq = seg.ack;
            }
        }
    }

    /// `update_last_seq` for this endpoint's `seg` (ending at `seq_end`); true when Zeek counts
    /// it a retransmission (payload not beyond what was sent).
    fn update_last_seq(&mut self, seg: &Segment, seq_end: u32) -> bool {
        let f = seg.flags;
        let delta_last = seq_delta(seq_end, self.last_seq);
        if (f.syn() || f.rst())
            && !(-TOO_LARGE_SEQ_DELTA..=TOO_LARGE_SEQ_DELTA).contains(&delta_last)
        {
            false
        } else if f.fin() && self.last_seq == self.start_seq.wrapping_add(1) {
            self.last_seq = seq_end;
            false
        } else if self.state == ZeekState::Reset {
            false
        } else if delta_last > 0 {
            self.last_seq = seq_end;
            false
        } else {
            seg.payload_len > 0
        }
    }

    /// Zeek's `TCP_Endpoint::Size` (payload bytes by sequence numbers), without 32-bit wraps.
    fn size(&self, peer: &ZEnd) -> u64 {
        let no_data_acked = {
            let d = seq_delta(self.ack_seq, self.start_seq);
            d == 0 || d == 1
        };
        if self.prev_state == ZeekState::SynSent
            && self.state == ZeekState::Reset
            && peer.state == ZeekState::Inactive
            && !no_data_acked
        {
            return 0;
        }
        let last = i64::from(seq_delta(self.last_seq, self.start_seq));
        let ack = i64::from(seq_delta(self.ack_seq, self.start_seq));
        // Neither the SYN's nor the FIN's sequence number is payload.
        let size = (last.max(ack).max(0) as u64).saturating_sub(1);
        if self.sent_fin {
            size.saturating_sub(1)
        } else {
            size
        }
    }
}

fn seq_delta(a: u32, b: u32) -> i32 {
    a.wrapping_sub(b) as i32
}

/// Ports Zeek's default scripts put in `likely_server_ports` (the analyzers' well-known ports).
fn likely_server_port(p: u16) -> bool {
    matches!(
        p,
        21 | 22
            | 23
            | 25
            | 53
            | 80
            | 81
            | 88
            | 110
            | 135
            | 139
            | 143
            | 389
            | 443
            | 445
            | 502
            | 587
            | 636
            | 992
            | 993
            | 995
            | 1080
            | 1194
            | 1812
            | 2049
            | 3128
            | 3306
            | 3389
            | 5060
            | 5222
            | 5269
            | 5432
            | 5672
            | 6379
            | 6666..=6669 | 8000 | 8080 | 8888
    )
}

/// Zeek's view of one connection, fed segment by segment; `letters()` is its `history`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    letters: compact_str::CompactString,
    started: bool,
    /// Zeek's originator is synack's client.
    orig_is_client: bool,
    hist_seen: u32,
    /// Indexed by synack side: `[client, server]`.
    ends: [ZEnd; 2],
    /// When Zeek's connection-attempt timer fires (set by the originator's first SYN).
    attempt_at: MaybeTs,
    /// When the close-delay timer removes the connection (set once its close is complete).
    delete_at: MaybeTs,
    /// The expire timer's next runs: the one started with the connection, and the one an
    /// end's incomplete close starts.
    expire_at: [MaybeTs; 2],
    inactivity: Inactivity,
    /// The connection started without a SYN from the originator (Zeek's `is_partial`).
    partial: bool,
    /// Time span, packets, IP bytes and missed bytes of this Zeek connection.
    counts: Counts,
    /// What Zeek logged for each of those earlier connections. Boxed: rare, and the tracker's
    /// memory per connection has a budget (8 bytes here where a `Vec` takes 24; the extra
    /// allocation clippy warns of is paid only by the few connections that have one).
    #[allow(clippy::box_collection)]
    earlier: Option<Box<Vec<Earlier>>>,
}

/// A Zeek connection ended before the current one on the same 4-tuple (see
/// [`History::earlier`]): its endpoint states, sizes and history when Zeek removed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earlier {
    pub states: (ZeekState, ZeekState),
    pub sizes: (u64, u64),
    pub letters: String,
    /// Whether its originator was synack's client.
    pub orig_is_client: bool,
    pub counts: Counts,
    /// The Zeek timer that removed it.
    pub ended_by: ZeekTimer,
}

impl History {
    /// Records one segment; `from_orig` is true when synack's client sent it.
    pub fn on_segment(&mut self, seg: &Segment, from_orig: bool) {
        let sender = usize::from(!from_orig);
        if let Some(ended_by) = self.started.then(|| self.removed_by(seg.ts)).flatten() {
            // One of Zeek's timers removed the connection before this segment, which opens a
            // new one.
            let mut earlier = self.earlier.take().unwrap_or_default();
            earlier.push(Earlier {
                states: self.states(),
                sizes: self.sizes(),
                letters: std::mem::take(&mut self.letters).into_string(),
                orig_is_client: self.orig_is_client,
                counts: self.counts,
                ended_by,
            });
            *self = History::default();
            self.earlier = Some(earlier);
        }
        if !self.started {
            self.start(seg, from_orig);
        } else {
            self.run_expire_timers(seg.ts);
        }
        // TCPSessionAdapter moves the last time only while an endpoint has not closed.
        let closed = self
            .ends
            .iter()
            .all(|e| matches!(e.state, ZeekState::Closed | ZeekState::Reset));
        self.counts.add(seg, sender, closed);
        self.process(seg, sender);
    }

    /// What this Zeek connection counts beside its states (see [`Counts`]).
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    pub fn letters(&self) -> &str {
        &self.letters
    }

    /// Whether Zeek's originator is synack's client (false: Zeek has the roles the other way).
    pub fn orig_is_client(&self) -> bool {
        self.orig_is_client
    }

    /// Zeek endpoint states `(orig, resp)`.
    pub fn states(&self) -> (ZeekState, ZeekState) {
        let (o, r) = self.orig_resp();
        (self.ends[o].state, self.ends[r].state)
    }

    /// Zeek's `c$orig$size` and `c$resp$size`.
    pub fn sizes(&self) -> (u64, u64) {
        let (o, r) = self.orig_resp();
        (
            self.ends[o].size(&self.ends[r]),
            self.ends[r].size(&self.ends[o]),
        )
    }

    /// How many earlier Zeek connections on this 4-tuple Zeek would have logged separately
    /// (its timers removed them, see [`ZeekTimer`]); the letters describe the last one.
    pub fn zeek_splits(&self) -> u32 {
        self.earlier().len() as u32
    }

    /// The Zeek connections split off before the current one, oldest first.
    pub fn earlier(&self) -> &[Earlier] {
        self.earlier.as_deref().map_or(&[], Vec::as_slice)
    }

    fn orig_resp(&self) -> (usize, usize) {
        if self.orig_is_client {
            (0, 1)
        } else {
            (1, 0)
        }
    }

    /// The timer that removed this Zeek connection before a packet at `now`, if one did: of
    /// those due by `now`, the first due.
    fn removed_by(&self, now: Timestamp) -> Option<ZeekTimer> {
        let due = |at: MaybeTs| at.get().filter(|at| *at <= now);
        let (o, r) = self.orig_resp();
        let attempt = due(self.attempt_at).filter(|_| {
            matches!(
                self.ends[o].state,
                ZeekState::SynSent | ZeekState::SynAckSent
            ) && self.ends[r].state == ZeekState::Inactive
        });
        let last = self.counts.last.0;
        let inactive = Timestamp(last + self.inactivity.nanos());
        let expire = self
            .expire_at
            .iter()
            .filter_map(|at| due(*at))
            .min()
            .filter(|_| self.expire_condition() && last + CONNECTION_LINGER_NS < now.0);
        [
            (attempt, ZeekTimer::Attempt),
            (due(self.delete_at), ZeekTimer::Close),
            (expire, ZeekTimer::Expire),
            ((inactive <= now).then_some(inactive), ZeekTimer::Inactivity),
        ]
        .into_iter()
        .filter_map(|(at, t)| Some((at?, t)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, t)| t)
    }

    /// `ExpireTimer`'s test once the connection has been idle long enough: an end closed, and
    /// both did or one was reset or never seen. Only a RST after its sender's own FIN meets it
    /// with an expire timer left: the rest complete the close, which cancels those timers.
    fn expire_condition(&self) -> bool {
        let [a, b] = &self.ends;
        let any = |s| a.state == s || b.state == s;
        (a.did_close || b.did_close)
            && ((a.did_close && b.did_close) || any(ZeekState::Reset) || any(ZeekState::Inactive))
    }

    /// The expire timers due by `now` ran without removing the connection: each runs again
    /// `tcp_session_timer` later.
    fn run_expire_timers(&mut self, now: Timestamp) {
        for at in &mut self.expire_at {
            if at.get().is_some_and(|t| t <= now) {
                *at = Timestamp(now.0 + SESSION_TIMER_NS).into();
            }
        }
    }

    /// A new Zeek connection: its originator is the first segment's sender, unless Zeek flips.
    fn start(&mut self, seg: &Segment, from_client: bool) {
        self.started = true;
        self.expire_at[0] = Timestamp(seg.ts.0 + SYN_TIMEOUT_NS).into();
        let f = seg.flags;
        let flip = if f.syn() && f.ack() {
            // A connection that starts with a SYN-ACK: Zeek's baselines (core.tcp.missing-syn,
            // core.tcp.flip-without-syn) show its sender as the responder, '^' first.
            true
        } else if !f.syn() {
            // WantConnection: without a SYN, guess the responder by likely server ports.
            let (sp, dp) = (seg.src.port, seg.dst.port);
            likely_server_port(sp) && (!likely_server_port(dp) || sp < dp)
        } else {
            false
        };
        self.orig_is_client = from_client != flip;
        self.partial = !f.syn() || f.ack();
        if flip {
            self.letters.push('^');
        }
    }

    fn is_orig(&self, side: usize) -> bool {
        (side == 0) == self.orig_is_client
    }

    /// Zeek's `Connection::CheckHistory` through `TCP_Endpoint::CheckHistory`: adds the letter
    /// the first time; returns whether it had been seen before.
    fn check_history(&mut self, side: usize, mask: u32, code: char) -> bool {
        let (mask, code) = if self.is_orig(side) {
            (mask, code)
        } else {
            (mask << 16, code.to_ascii_lowercase())
        };
        if self.hist_seen & mask == 0 {
            self.hist_seen |= mask;
            self.letters.push(code);
            false
        } else {
            true
        }
    }

    fn add_history(&mut self, side: usize, code: char) {
        let code = if self.is_orig(side) {
            code
        } else {
            code.to_ascii_lowercase()
        };
        self.letters.push(code);
    }

    /// `TCPSessionAdapter::Process`, the parts that bear on states and history.
    fn process(&mut self, seg: &Segment, s: usize) {
        let f = seg.flags;
        let p = 1 - s;
        let len = seg.payload_len;
        let seg_len = if f.rst() {
            u32::from(f.syn()) + u32::from(f.fin())
        } else {
            seg.seq_len()
        };
        let seq_end = seg.seq.wrapping_add(seg_len);

        let e = &mut self.ends[s];
        e.init_endpoint(seg, seq_end);
        let rel_seq = i64::from(seq_delta(seg.seq, e.start_seq));

        self.update_history(seg, s, rel_seq);

        // update_window: a zero window is noted unless it comes with or after a RST, or after
        // the peer's FIN.
        if seg.window == 0
            && !f.rst()
            && self.ends[p].state != ZeekState::Closed
            && self.ends[s].state != ZeekState::Reset
            && self.ends[s].win0.hit()
        {
            self.add_history(s, 'W');
        }

        if f.fin() {
            self.ends[s].sent_fin = true;
            self.ends[s].fin_seq = Some(seg.seq.wrapping_add(len));
        }

        if f.ack() {
            self.ends[p].peer_acked(seg);
        }

        let rxmit = self.ends[s].update_last_seq(seg, seq_end);
        if rxmit && self.ends[s].rxmt.hit() {
            self.add_history(s, 'T');
        }

        // What the reassembler would have seen of this endpoint's data.
        if !f.rst() && (len > 0 || f.syn()) {
            let end = seg.seq.wrapping_add(len).wrapping_add(u32::from(f.syn()));
            let e = &mut self.ends[s];
            if e.data_end.is_none_or(|d| seq_delta(end, d) > 0) {
                e.data_end = Some(end);
            }
        }

        let (do_close, established) = self.update_state_machine(seg, s);

        if f.ack() {
            self.ack_received(seg, s);
        }
        if do_close {
            self.connection_closed(s);
        }
        if established {
            self.connection_established(seg, s);
        }
    }

    /// `update_history`.
    fn update_history(&mut self, seg: &Segment, s: usize, rel_seq: i64) {
        let f = seg.flags;
        let bits = u8::from(f.syn()) + u8::from(f.fin()) + u8::from(f.rst());
        if bits > 1 {
            if f.fin() && f.rst() {
                self.check_history(s, HIST_FIN_RST, 'I');
            } else {
                self.check_history(s, HIST_MULTI_FLAG, 'Q');
            }
        } else if f.syn() {
            let code = if f.ack() { 'H' } else { 'S' };
            if self.check_history(s, HIST_SYN, code) && rel_seq != self.ends[s].hist_last_syn {
                self.add_history(s, code);
            }
            self.ends[s].hist_last_syn = rel_seq;
        } else if f.fin() {
            let at = rel_seq + i64::from(seg.payload_len);
            if self.check_history(s, HIST_FIN, 'F') && at != self.ends[s].hist_last_fin {
                self.add_history(s, 'F');
            }
            self.ends[s].hist_last_fin = at;
        } else if f.rst() {
            if self.check_history(s, HIST_RST, 'R') && rel_seq != self.ends[s].hist_last_rst {
                self.add_history(s, 'R');
            }
            self.ends[s].hist_last_rst = rel_seq;
        } else if seg.payload_len > 0 {
            self.check_history(s, HIST_DATA, 'D');
        } else if f.ack() {
            self.check_history(s, HIST_ACK, 'A');
        }
    }

    /// `UpdateStateMachine` and the per-state handlers, states only. Returns whether Zeek
    /// reports the end closed (`do_close`: its FIN or RST, or a RST after its FIN not yet
    /// reported) and whether it raises `connection_established` (the responder's SYN).
    fn update_state_machine(&mut self, seg: &Segment, s: usize) -> (bool, bool) {
        let f = seg.flags;
        let p = 1 - s;
        let is_orig = self.is_orig(s);
        let mut do_close = false;
        let mut established = false;
        match self.ends[s].state {
            ZeekState::Inactive => {
                if f.syn() {
                    if is_orig {
                        self.set_state(
                            s,
                            if f.ack() {
                                ZeekState::SynAckSent
                            } else {
                                ZeekState::SynSent
                            },
                        );
                        self.attempt_at = Timestamp(seg.ts.0 + ATTEMPT_DELAY_NS).into();
                    } else {
                        if !f.ack()
                            && self.ends[p].state == ZeekState::SynAckSent
                            && seg.seq == self.ends[s].start_seq
                        {
                            // SYN/SYN-ACK reversal: Zeek flips the roles.
                            self.partial = false;
                            self.orig_is_client = !self.orig_is_client;
                            self.letters.push('^');
                            self.set_state(p, ZeekState::Established);
                        }
                        if self.ends[p].state == ZeekState::SynSent {
                            self.set_state(p, ZeekState::Established);
                        }
                        self.set_state(s, ZeekState::Established);
                        established = self.ends[p].state != ZeekState::Partial;
                    }
                }
                if f.fin() {
                    self.set_state(s, ZeekState::Closed);
                    do_close = true;
                }
                if f.rst() {
                    self.set_state(s, ZeekState::Reset);
                    do_close = true;
                }
                if self.ends[s].state == ZeekState::Inactive {
                    let orig = if self.orig_is_client { 0 } else { 1 };
                    if !is_orig
                        && seg.payload_len == 0
                        && self.ends[orig].state == ZeekState::SynSent
                    {
                        // An ACK of the SYN before the SYN-ACK: not a partial connection.
                    } else if f.ack() && self.ends[p].state == ZeekState::Established {
                        self.set_state(s, ZeekState::Established);
                        self.partial = false;
                    } else {
                        self.set_state(s, ZeekState::Partial);
                    }
                }
            }
            ZeekState::SynSent | ZeekState::SynAckSent => {
                if f.fin() {
                    self.set_state(s, ZeekState::Closed);
                }
                if f.rst() {
                    self.set_state(s, ZeekState::Reset);
                }
                do_close = f.fin() || f.rst();
            }
            ZeekState::Established | ZeekState::Partial => {
                if f.syn()
                    && !f.ack()
                    && self.ends[s].state == ZeekState::Partial
                    && self.ends[p].state == ZeekState::Inactive
                {
                    self.set_state(s, ZeekState::SynSent);
                }
                if f.fin() && !f.rst() {
                    self.set_state(s, ZeekState::Closed);
                    let peer = &self.ends[p];
                    if peer.state == ZeekState::Reset && peer.prev_state == ZeekState::Closed {
                        // The peer's FIN then RST was a normal close after all.
                        self.set_state(p, ZeekState::Closed);
                    }
                }
                if f.rst() {
                    self.set_state(s, ZeekState::Reset);
                }
                do_close = f.fin() || f.rst();
            }
            ZeekState::Closed => {
                if f.rst() && self.ends[p].state != ZeekState::Closed {
                    // A RST after its own FIN: Zeek's reset timer would take it, but only
                    // with a `connection_reset` handler (see ZeekTimer).
                    self.set_state(s, ZeekState::Reset);
                    do_close = !self.ends[s].did_close;
                }
            }
            ZeekState::Reset => {}
        }
        (do_close, established)
    }

    /// `TCP_Endpoint::SetState`, which also lengthens the inactivity timeout once the
    /// handshake is over.
    fn set_state(&mut self, side: usize, state: ZeekState) {
        let (e, peer) = (self.ends[side].state, self.ends[1 - side].state);
        if state != e && !is_handshake(state) && is_handshake(e) && is_handshake(peer) {
            self.inactivity = Inactivity::Tcp;
        }
        self.ends[side].set_state(state);
    }

    /// The `connection_established` handler of `base/protocols/conn/inactivity.zeek`, run
    /// once the packet is processed: an interactive service's port gets an hour of
    /// inactivity. `seg` is the responder's SYN, sent by side `s`.
    fn connection_established(&mut self, seg: &Segment, s: usize) {
        let (orig_p, resp_p) = if self.is_orig(s) {
            (seg.src.port, seg.dst.port)
        } else {
            (seg.dst.port, seg.src.port)
        };
        let (o, _) = self.orig_resp();
        // A half-established connection: the originator's port if only it is well known.
        let port = if self.ends[o].state == ZeekState::Inactive
            && !likely_server_port(resp_p)
            && likely_server_port(orig_p)
        {
            orig_p
        } else {
            resp_p
        };
        if matches!(port, 21 | 22 | 23 | 513) {
            self.inactivity = Inactivity::Interactive;
        }
    }

    /// `ConnectionClosed` for side `s`, the timer parts: a complete close cancels the
    /// connection's timers and removes it `tcp_close_delay` after its last packet; an
    /// incomplete one from an end that had sent before runs the expire timer again.
    fn connection_closed(&mut self, s: usize) {
        if self.ends[s].did_close {
            return;
        }
        self.ends[s].did_close = true;
        let peer = &self.ends[1 - s];
        let last = self.counts.last.0;
        if self.ends[s].state == ZeekState::Reset
            || peer.did_close
            || peer.state == ZeekState::Inactive
        {
            self.attempt_at = MaybeTs::NONE;
            self.expire_at = [MaybeTs::NONE; 2];
            self.delete_at = Timestamp(last + CLOSE_DELAY_NS).into();
        } else if self.ends[s].prev_state != ZeekState::Inactive {
            self.expire_at[1] = Timestamp(last + SESSION_TIMER_NS).into();
        }
        // Else the end's first segment closed it: the partial-close timer, not set with
        // Zeek's default scripts (see ZeekTimer).
    }

    /// The acknowledgment reaches the peer's reassembler: bytes acknowledged but never seen
    /// are a content gap, unless the acknowledging side has closed or reset (Zeek does not
    /// trust gaps revealed by a FIN or RST).
    fn ack_received(&mut self, seg: &Segment, s: usize) {
        let p = 1 - s;
        if matches!(self.ends[s].state, ZeekState::Closed | ZeekState::Reset) || seg.flags.rst() {
            return;
        }
        let peer = &self.ends[p];
        let Some(data_end) = peer.data_end else {
            return;
        };
        let mut acked = seg.ack;
        if let Some(fs) = peer.fin_seq {
            if seq_delta(acked, fs) > 0 {
                acked = fs;
            }
        }
        // A partial connection's faked ISN is one below the first byte: acknowledging up
        // to two beyond it is not a gap (TCP_Reassembler::Undelivered).
        if self.partial && seq_delta(acked, peer.start_seq) <= 2 {
            return;
        }
        if seq_delta(acked, data_end) > 0 {
            self.counts.missed += u64::from(acked.wrapping_sub(data_end));
            let peer = &mut self.ends[p];
            peer.data_end = Some(acked);
            if peer.gap.hit() {
                self.add_history(p, 'G');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Flags;
    // The crate's test segments: client 10.0.0.1:40000, server 10.0.0.2:80.
    use crate::testkit::{
        seg, ACK as A, FIN_ACK as FA, PSH_ACK as PA, RST as R, RST_ACK as RA, SYN, SYN_ACK as SA,
    };

    const C: u16 = 40000;

    fn feed(segs: &[Segment]) -> History {
        let mut h = History::default();
        for s in segs {
            h.on_segment(s, s.src.port == C);
        }
        h
    }

    fn full_close() -> Vec<Segment> {
        vec![
            seg(true, SYN, 100, 0, 0, 0),
            seg(false, SA, 500, 101, 0, 1),
            seg(true, A, 101, 501, 0, 2),
            seg(true, PA, 101, 501, 10, 3),
            seg(false, PA, 501, 111, 20, 4),
            seg(true, FA, 111, 521, 0, 5),
            seg(false, FA, 521, 112, 0, 6),
            seg(true, A, 112, 522, 0, 7),
        ]
    }

    #[test]
    fn textbook_connection_is_shadadffa() {
        let h = feed(&full_close());
        assert_eq!(h.letters(), "ShADdFf");
        assert_eq!(h.states(), (ZeekState::Closed, ZeekState::Closed));
        assert_eq!(h.sizes(), (10, 20));
        assert!(h.orig_is_client());
    }

    #[test]
    fn repeated_fin_with_same_seq_is_logged_once_new_seq_twice() {
        let mut segs = full_close();
        segs.push(seg(true, FA, 111, 522, 0, 8));
        assert_eq!(feed(&segs).letters(), "ShADdFf");
        segs.push(seg(true, FA, 112, 522, 0, 9));
        assert_eq!(feed(&segs).letters(), "ShADdFfF");
    }

    #[test]
    fn retransmissions_are_scaled_1_10_100() {
        let mut segs = vec![
            seg(true, SYN, 100, 0, 0, 0),
            seg(false, SA, 500, 101, 0, 1),
            seg(true, PA, 101, 501, 10, 2),
        ];
        for i in 0..9 {
            segs.push(seg(true, PA, 101, 501, 10, 3 + i));
        }
        assert_eq!(feed(&segs).letters(), "ShDT");
        segs.push(seg(true, PA, 101, 501, 10, 20));
        assert_eq!(feed(&segs).letters(), "ShDTT");
    }

    #[test]
    fn zero_window_and_multi_flag_letters() {
        let mut w = seg(false, A, 501, 101, 0, 2);
        w.window = 0;
        let segs = vec![
            seg(true, SYN, 100, 0, 0, 0),
            seg(false, SA, 500, 101, 0, 1),
            w,
            seg(true, Flags::FIN | Flags::RST, 101, 0, 0, 3),
            seg(true, Flags::SYN | Flags::FIN, 101, 0, 0, 4),
        ];
        assert_eq!(feed(&segs).letters(), "ShawIQ");
    }

    #[test]
    fn syn_ack_first_flips_roles() {
        let h = feed(&[seg(false, SA, 500, 101, 0, 0), seg(true, A, 101, 501, 0, 1)]);
        assert_eq!(h.letters(), "^hA");
        assert!(h.orig_is_client());
        assert_eq!(h.states(), (ZeekState::Established, ZeekState::Established));
    }

    #[test]
    fn midstream_from_server_port_flips() {
        let h = feed(&[
            seg(false, PA, 500, 101, 10, 0),
            seg(true, A, 101, 510, 0, 1),
        ]);
        assert_eq!(h.letters(), "^dA");
        assert_eq!(h.states(), (ZeekState::Partial, ZeekState::Partial));
    }

    #[test]
    fn unanswered_syn_expires_after_five_seconds_and_a_new_zeek_connection_starts() {
        let h = feed(&[
            seg(true, SYN, 100, 0, 0, 0),
            seg(true, PA, 101, 501, 10, 1),
            seg(true, PA, 111, 501, 10, 6000),
            seg(true, FA, 121, 501, 0, 6001),
        ]);
        assert_eq!(h.letters(), "DF");
        assert_eq!(h.zeek_splits(), 1);
        assert_eq!(h.states(), (ZeekState::Closed, ZeekState::Inactive));
    }

    #[test]
    fn content_gap_from_an_ack_beyond_seen_data() {
        let h = feed(&[
            seg(true, SYN, 100, 0, 0, 0),
            seg(false, SA, 500, 101, 0, 1),
            seg(true, A, 101, 501, 0, 2),
            seg(false, FA, 600, 101, 0, 3),
            seg(true, A, 101, 602, 0, 4),
        ]);
        assert_eq!(h.letters(), "ShAfg");
    }

    #[test]
    fn rst_letters_repeat_only_with_a_new_sequence_number() {
        let h = feed(&[
            seg(true, SYN, 100, 0, 0, 0),
            seg(false, RA, 0, 101, 0, 1),
            seg(false, RA, 0, 101, 0, 2),
        ]);
        assert_eq!(h.letters(), "Sr");
        assert_eq!(h.states(), (ZeekState::SynSent, ZeekState::Reset));
        let h = feed(&[
            seg(true, SYN, 100, 0, 0, 0),
            seg(true, R, 101, 0, 0, 1),
            seg(true, R, 105, 0, 0, 2),
        ]);
        assert_eq!(h.letters(), "SRR");
    }

    /// Handshake, a request and its answer, starting at 0 ms.
    fn talk() -> Vec<Segment> {
        vec![
            seg(true, SYN, 100, 0, 0, 0),
            seg(false, SA, 500, 101, 0, 1),
            seg(true, A, 101, 501, 0, 2),
            seg(true, PA, 101, 501, 10, 3),
            seg(false, PA, 501, 111, 20, 4),
        ]
    }

    fn with(mut segs: Vec<Segment>, more: &[Segment]) -> Vec<Segment> {
        segs.extend_from_slice(more);
        segs
    }

    fn ended_by(h: &History) -> Vec<ZeekTimer> {
        h.earlier().iter().map(|e| e.ended_by).collect()
    }

    #[test]
    fn close_delay_removes_a_closed_connection_five_seconds_after_the_last_fin() {
        // The final ACK after both FINs does not move Zeek's last time: the server's FIN sent
        // again 5 s after the first is a new connection, 4.999 s after is not.
        let closed = with(
            talk(),
            &[
                seg(true, FA, 111, 521, 0, 10),
                seg(false, FA, 521, 112, 0, 20),
                seg(true, A, 112, 522, 0, 3000),
            ],
        );
        let h = feed(&with(closed.clone(), &[seg(false, FA, 521, 112, 0, 5019)]));
        assert_eq!((h.zeek_splits(), h.letters()), (0, "ShADdFf"));
        let h = feed(&with(closed, &[seg(false, FA, 521, 112, 0, 5020)]));
        assert_eq!(ended_by(&h), [ZeekTimer::Close]);
        assert_eq!(h.earlier()[0].letters, "ShADdFf");
        // The new connection starts with the server's FIN: port 80 makes it the responder.
        assert_eq!(h.letters(), "^f");
        assert_eq!(h.states(), (ZeekState::Inactive, ZeekState::Closed));
    }

    #[test]
    fn close_delay_after_a_rst_counts_from_the_rst_whatever_follows() {
        // A RST completes the close: 5 s later the connection is gone even though the client
        // kept sending in between.
        let reset = with(talk(), &[seg(false, R, 521, 0, 0, 10)]);
        let h = feed(&with(
            reset.clone(),
            &[
                seg(true, PA, 111, 521, 10, 3000),
                seg(true, PA, 121, 521, 10, 5009),
            ],
        ));
        assert_eq!((h.zeek_splits(), h.letters()), (0, "ShADdr"));
        let h = feed(&with(
            reset,
            &[
                seg(true, PA, 111, 521, 10, 3000),
                seg(true, PA, 121, 521, 10, 5010),
            ],
        ));
        assert_eq!(ended_by(&h), [ZeekTimer::Close]);
        assert_eq!(h.letters(), "D");
        assert_eq!(h.states(), (ZeekState::Partial, ZeekState::Inactive));
    }

    #[test]
    fn expire_timer_removes_a_rst_after_fin_once_idle_for_more_than_five_seconds() {
        // The client's FIN leaves the server open, then the client resets: Zeek's reset timer
        // is not set with its default scripts, so the expire timer (first run 5 s after the
        // first packet, then 6 s after each run) ends it once nothing came for over 5 s.
        let rst_after_fin = with(
            talk(),
            &[
                seg(true, FA, 111, 521, 0, 1000),
                seg(false, A, 521, 112, 0, 1001),
                seg(true, R, 112, 0, 0, 2000),
            ],
        );
        let h = feed(&with(
            rst_after_fin.clone(),
            &[seg(false, PA, 521, 112, 10, 7000)],
        ));
        assert_eq!(h.zeek_splits(), 0, "idle exactly 5 s is not enough");
        let h = feed(&with(
            rst_after_fin.clone(),
            &[seg(false, PA, 521, 112, 10, 7001)],
        ));
        assert_eq!(ended_by(&h), [ZeekTimer::Expire]);
        assert_eq!(h.earlier()[0].letters, "ShADdFaR");
        assert_eq!(h.letters(), "^d");
        // Kept busy (a segment every 4 s), it stays, where a reset timer would have ended it
        // 5 s after the RST.
        let busy: Vec<Segment> = (0..4)
            .map(|i| seg(false, PA, 521 + 10 * i, 112, 10, 6000 + 4000 * i64::from(i)))
            .collect();
        let h = feed(&with(rst_after_fin, &busy));
        assert_eq!(h.zeek_splits(), 0);
    }

    #[test]
    fn a_first_segment_that_is_a_fin_sets_no_partial_close_timer() {
        // The client's first segment is its FIN while the server talks: Zeek's partial-close
        // timer needs a connection_partial_close handler, so nothing ends the connection 3 s
        // (or 10 s) later.
        let h = feed(&[
            seg(false, PA, 500, 101, 20, 0),
            seg(true, FA, 101, 520, 0, 1),
            seg(false, PA, 520, 102, 20, 3100),
            seg(false, PA, 540, 102, 20, 13100),
        ]);
        assert_eq!(h.zeek_splits(), 0);
        assert_eq!(h.letters(), "^dF");
    }

    #[test]
    fn inactivity_removes_an_established_connection_after_five_minutes() {
        let h = feed(&with(talk(), &[seg(true, PA, 111, 521, 10, 300_003)]));
        assert_eq!(h.zeek_splits(), 0);
        let h = feed(&with(talk(), &[seg(true, PA, 111, 521, 10, 300_004)]));
        assert_eq!(ended_by(&h), [ZeekTimer::Inactivity]);
        assert_eq!(h.earlier()[0].letters, "ShADd");
        assert_eq!(h.letters(), "D");
    }

    #[test]
    fn inactivity_is_an_hour_for_ssh_and_the_other_interactive_ports() {
        let to_22 = |mut s: Segment| {
            for e in [&mut s.src, &mut s.dst] {
                if e.port == 80 {
                    e.port = 22;
                }
            }
            s
        };
        let ssh = |late: i64| -> History {
            let segs: Vec<Segment> = with(talk(), &[seg(true, PA, 111, 521, 10, late)])
                .into_iter()
                .map(to_22)
                .collect();
            feed(&segs)
        };
        assert_eq!(ssh(3_000_000).zeek_splits(), 0);
        assert_eq!(ssh(3_600_003).zeek_splits(), 0);
        assert_eq!(ended_by(&ssh(3_600_004)), [ZeekTimer::Inactivity]);
    }

    #[test]
    fn timers_due_together_are_told_apart_by_which_was_first() {
        // A reset connection silent for 10 minutes: the close delay came first.
        let h = feed(&with(
            talk(),
            &[
                seg(false, R, 521, 0, 0, 10),
                seg(true, PA, 111, 521, 10, 600_000),
            ],
        ));
        assert_eq!(ended_by(&h), [ZeekTimer::Close]);
        // An unanswered SYN retried after 70 s: the attempt timer, not the handshake's 60 s
        // of inactivity.
        let h = feed(&[
            seg(true, SYN, 100, 0, 0, 0),
            seg(true, SYN, 100, 0, 0, 70_000),
        ]);
        assert_eq!(ended_by(&h), [ZeekTimer::Attempt]);
    }
}
