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
//! Not modelled: checksum errors (`C`), Zeek's `x`, and reassembly itself: a content gap (`G`)
//! is inferred from an acknowledgment that covers bytes the capture never showed.

use super::Counts;
use crate::decode::{MaybeTs, Segment, Timestamp};

/// Zeek's `tcp_attempt_delay`: an unanswered SYN is given up after this long; Zeek removes
/// the connection and later segments of the 4-tuple make a new one.
const ATTEMPT_DELAY_NS: i64 = 5 * Timestamp::NANOS_PER_SEC;
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
    fin_cnt: u32,
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
        if self.fin_cnt > 0 {
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
    /// The connection started without a SYN from the originator (Zeek's `is_partial`).
    partial: bool,
    /// Time span, packets, IP bytes and missed bytes of this Zeek connection.
    counts: Counts,
    /// Zeek connections on this 4-tuple that Zeek would have ended before this one.
    splits: u32,
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
}

impl History {
    /// Records one segment; `from_orig` is true when synack's client sent it.
    pub fn on_segment(&mut self, seg: &Segment, from_orig: bool) {
        let sender = usize::from(!from_orig);
        if self.started && self.attempt_expired(seg.ts) {
            // Zeek removed the connection when its SYN went unanswered for
            // tcp_attempt_delay; this segment opens a new one.
            let splits = self.splits + 1;
            let mut earlier = self.earlier.take().unwrap_or_default();
            earlier.push(Earlier {
                states: self.states(),
                sizes: self.sizes(),
                letters: std::mem::take(&mut self.letters).into_string(),
                orig_is_client: self.orig_is_client,
                counts: self.counts,
            });
            *self = History::default();
            self.splits = splits;
            self.earlier = Some(earlier);
        }
        if !self.started {
            self.start(seg, from_orig);
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
    /// (its connection-attempt timeout split them off); the letters describe the last one.
    pub fn zeek_splits(&self) -> u32 {
        self.splits
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

    fn attempt_expired(&self, now: Timestamp) -> bool {
        let (o, r) = self.orig_resp();
        self.attempt_at.get().is_some_and(|at| now >= at)
            && matches!(
                self.ends[o].state,
                ZeekState::SynSent | ZeekState::SynAckSent
            )
            && self.ends[r].state == ZeekState::Inactive
    }

    /// A new Zeek connection: its originator is the first segment's sender, unless Zeek flips.
    fn start(&mut self, seg: &Segment, from_client: bool) {
        self.started = true;
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
            self.ends[s].fin_cnt += 1;
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

        self.update_state_machine(seg, s);

        if f.ack() {
            self.ack_received(seg, s);
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

    /// `UpdateStateMachine` and the per-state handlers, states only.
    fn update_state_machine(&mut self, seg: &Segment, s: usize) {
        let f = seg.flags;
        let p = 1 - s;
        let is_orig = self.is_orig(s);
        match self.ends[s].state {
            ZeekState::Inactive => {
                if f.syn() {
                    if is_orig {
                        self.ends[s].set_state(if f.ack() {
                            ZeekState::SynAckSent
                        } else {
                            ZeekState::SynSent
                        });
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
                            self.ends[p].set_state(ZeekState::Established);
                        }
                        if self.ends[p].state == ZeekState::SynSent {
                            self.ends[p].set_state(ZeekState::Established);
                        }
                        self.ends[s].set_state(ZeekState::Established);
                    }
                }
                if f.fin() {
                    self.ends[s].set_state(ZeekState::Closed);
                }
                if f.rst() {
                    self.ends[s].set_state(ZeekState::Reset);
                }
                if self.ends[s].state == ZeekState::Inactive {
                    let orig = if self.orig_is_client { 0 } else { 1 };
                    if !is_orig
                        && seg.payload_len == 0
                        && self.ends[orig].state == ZeekState::SynSent
                    {
                        // An ACK of the SYN before the SYN-ACK: not a partial connection.
                    } else if f.ack() && self.ends[p].state == ZeekState::Established {
                        self.ends[s].set_state(ZeekState::Established);
                        self.partial = false;
                    } else {
                        self.ends[s].set_state(ZeekState::Partial);
                    }
                }
            }
            ZeekState::SynSent | ZeekState::SynAckSent => {
                if f.fin() {
                    self.ends[s].set_state(ZeekState::Closed);
                }
                if f.rst() {
                    self.ends[s].set_state(ZeekState::Reset);
                }
            }
            ZeekState::Established | ZeekState::Partial => {
                if f.syn()
                    && !f.ack()
                    && self.ends[s].state == ZeekState::Partial
                    && self.ends[p].state == ZeekState::Inactive
                {
                    self.ends[s].set_state(ZeekState::SynSent);
                }
                if f.fin() && !f.rst() {
                    self.ends[s].set_state(ZeekState::Closed);
                    let peer = &mut self.ends[p];
                    if peer.state == ZeekState::Reset && peer.prev_state == ZeekState::Closed {
                        // The peer's FIN then RST was a normal close after all.
                        peer.set_state(ZeekState::Closed);
                    }
                }
                if f.rst() {
                    self.ends[s].set_state(ZeekState::Reset);
                }
            }
            ZeekState::Closed => {
                if f.rst() && self.ends[p].state != ZeekState::Closed {
                    self.ends[s].set_state(ZeekState::Reset);
                }
            }
            ZeekState::Reset => {}
        }
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
}
