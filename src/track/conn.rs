//! One connection seen from the wire: both ends' states and the segment handler that moves them.
//!
//! The observer sits between the two ends. A segment changes its sender's state when it is seen
//! (the sender has just sent it) and its receiver's state as it would on arrival (RFC 9293
//! section 3.10.7, "SEGMENT ARRIVES"). Transitions are decided from sequence and acknowledgment
//! numbers, not flags alone: a SYN+ACK moves SYN_SENT to ESTABLISHED only if it acknowledges the
//! SYN, a FIN is acknowledged only by an ACK that covers it.

use super::seq;
use super::state::State;
use crate::decode::{Endpoint, Flags, MaybeTs, Segment, Timestamp};
use crate::zeek::History;

/// A hole in a sequence space filled within this time was reordering in the capture path, not
/// a retransmission (Wireshark's default out-of-order threshold, 3 ms).
const OUT_OF_ORDER_WINDOW_NS: i64 = 3_000_000;

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

/// Per-segment analysis marks (a bit set), in the spirit of Wireshark's tcp.analysis flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Marks(pub u16);

impl Marks {
    pub const RETRANSMISSION: u16 = 1 << 0;
    pub const OUT_OF_ORDER: u16 = 1 << 1;
    pub const DUP_ACK: u16 = 1 << 2;
    pub const ZERO_WINDOW: u16 = 1 << 3;
    pub const KEEPALIVE: u16 = 1 << 4;
    /// Sequence space before this segment was never seen (lost or not captured).
    pub const PREV_MISSING: u16 = 1 << 5;
    /// Acknowledges data the capture never showed.
    pub const ACKED_UNSEEN: u16 = 1 << 6;
    /// A RST the receiver would not accept (out of window, or a bad ACK in SYN_SENT).
    pub const RST_IGNORED: u16 = 1 << 7;
    /// A SYN+ACK or ACK whose acknowledgment number does not match (the receiver would reset).
    pub const BAD_ACK: u16 = 1 << 8;
    /// A state was inferred because segments are missing (e.g. a SYN+ACK never captured).
    pub const INFERRED: u16 = 1 << 9;
    /// A segment that makes no sense in the sender's state (e.g. FIN before the handshake).
    pub const UNEXPECTED: u16 = 1 << 10;
    /// A SYN carrying data (TCP Fast Open or a misbehaving stack).
    pub const SYN_DATA: u16 = 1 << 11;
    /// A probe of a peer's zero window (one byte, or none, below the next sequence number).
    pub const ZERO_WINDOW_PROBE: u16 = 1 << 12;

    /// Every mark, in a fixed order (counters are indexed by position here).
    pub const NAMES: [(u16, &'static str); Marks::COUNT] = [
        (Self::RETRANSMISSION, "retransmission"),
        (Self::OUT_OF_ORDER, "out_of_order"),
        (Self::DUP_ACK, "dup_ack"),
        (Self::ZERO_WINDOW, "zero_window"),
        (Self::KEEPALIVE, "keepalive"),
        (Self::PREV_MISSING, "prev_missing"),
        (Self::ACKED_UNSEEN, "acked_unseen"),
        (Self::RST_IGNORED, "rst_ignored"),
        (Self::BAD_ACK, "bad_ack"),
        (Self::INFERRED, "inferred"),
        (Self::UNEXPECTED, "unexpected"),
        (Self::SYN_DATA, "syn_data"),
        (Self::ZERO_WINDOW_PROBE, "zero_window_probe"),
    ];
    pub const COUNT: usize = 13;

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
    pub fn set(&mut self, bit: u16) {
        self.0 |= bit;
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Where `bit` is in [`Marks::NAMES`] (and in per-mark counts).
    pub fn index(bit: u16) -> Option<usize> {
        Self::NAMES.iter().position(|(b, _)| *b == bit)
    }
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |(b, _)| self.has(*b))
            .map(|(_, n)| n)
    }
}

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A captured segment.
    Segment,
    /// TIME_WAIT's 2*MSL ran out in capture time: inferred, no packet shows it.
    TimeWaitExpired,
}

/// One row of the ladder: a segment (or a timer) and both ends' states after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub ts: Timestamp,
    /// 1-based frame number in the capture (as Wireshark numbers them); 0 for timers.
    pub frame: u64,
    pub kind: EventKind,
    pub dir: Dir,
    pub flags: Flags,
    /// Absolute sequence and acknowledgment numbers; relative ones come from
    /// [`Connection::rel_seq`] and [`Connection::rel_ack`].
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    pub window: u16,
    pub marks: Marks,
    /// States after this event: `[client, server]`.
    pub states: [State; 2],
    /// States before it, so each transition can be shown against its cause.
    pub before: [State; 2],
}

impl Event {
    pub fn changed(&self, side: Side) -> bool {
        self.states[side as usize] != self.before[side as usize]
    }
    pub fn any_change(&self) -> bool {
        self.states != self.before
    }
    /// Events that tell the connection's story: never folded into a data run nor dropped.
    pub fn is_notable(&self) -> bool {
        self.kind != EventKind::Segment
            || self.any_change()
            || self.flags.has(Flags::SYN | Flags::FIN | Flags::RST)
            || !self.marks.is_empty()
    }
}

/// A run of plain data/ACK segments not kept once the event log reached its cap
/// (`--max-events`): the handshake, the teardown and every state change always are, so what
/// is left out falls between them, and is shown where it fell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DroppedRun {
    /// Events kept before it: the run sits between `events[at - 1]` and `events[at]`.
    pub at: usize,
    pub segments: u64,
    /// Of those, sent by the client.
    pub c2s: u64,
    /// Payload bytes they carried.
    pub bytes: u64,
    pub first: Timestamp,
    pub last: Timestamp,
    /// Frame numbers of its first and last segments.
    pub first_frame: u64,
    pub last_frame: u64,
}

/// What the event cap left out of a connection: its [`DroppedRun`]s, and the marks those
/// segments carried by direction (so the diagnosis still says who retransmitted when the
/// retransmissions themselves were not kept). Boxed, and only there once the cap is reached:
/// most connections never reach it, and the tracker's memory per connection has a budget.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dropped(Option<Box<DroppedLog>>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct DroppedLog {
    runs: Vec<DroppedRun>,
    /// Per direction (`Dir as usize`), per mark (`Marks::NAMES` order): segments not kept.
    marks: [[u32; Marks::COUNT]; 2],
    /// The first [`Dropped::EVIDENCE`] segments not kept that carried each mark each way, as
    /// (index in `Marks::NAMES`, direction, frame, time), in capture order: the diagnosis's
    /// evidence.
    first_marked: Vec<(u8, Dir, u64, Timestamp)>,
}

impl Dropped {
    pub fn runs(&self) -> &[DroppedRun] {
        self.0.as_deref().map_or(&[], |l| l.runs.as_slice())
    }

    /// The run that fell just before `events[at]` (after the last event when `at` is the
    /// log's length).
    pub fn at(&self, at: usize) -> Option<&DroppedRun> {
        let runs = self.runs();
        runs.binary_search_by_key(&at, |r| r.at)
            .ok()
            .map(|i| &runs[i])
    }

    /// Where the first run after `events[from]` fell: a fold of kept events stops there.
    pub fn next_after(&self, from: usize) -> Option<usize> {
        let runs = self.runs();
        runs.get(runs.partition_point(|r| r.at <= from))
            .map(|r| r.at)
    }

    /// Segments not kept, over every run.
    pub fn total(&self) -> u64 {
        self.runs().iter().map(|r| r.segments).sum()
    }

    /// Segments not kept that went `dir` marked `bit` (one of [`Marks::NAMES`]).
    pub fn marked(&self, dir: Dir, bit: u16) -> u64 {
        match (self.0.as_deref(), Marks::index(bit)) {
            (Some(l), Some(i)) => u64::from(l.marks[dir as usize][i]),
            _ => 0,
        }
    }

    /// Segments not kept that are remembered per mark, as evidence (the diagnosis shows at
    /// most this many frames per finding).
    pub const EVIDENCE: usize = 8;

    /// (frame, time) of the first [`Dropped::EVIDENCE`] segments not kept that went `dir` (or
    /// either way) marked `bit`, in capture order.
    pub fn marked_frames(
        &self,
        bit: u16,
        dir: Option<Dir>,
    ) -> impl Iterator<Item = (u64, Timestamp)> + '_ {
        let i = Marks::index(bit).map_or(u8::MAX, |i| i as u8);
        self.0
            .as_deref()
            .into_iter()
            .flat_map(|l| l.first_marked.iter())
            .filter(move |(m, d, _, _)| *m == i && dir.is_none_or(|dir| dir == *d))
            .map(|(_, _, f, t)| (*f, *t))
    }

    /// Counts `ev` as not kept, `at` events having been kept so far: it joins the last run
    /// when no event was kept since, else starts one.
    pub fn add(&mut self, at: usize, ev: &Event) {
        let log = self.0.get_or_insert_with(Default::default);
        if !ev.marks.is_empty() {
            for (i, (bit, _)) in Marks::NAMES.iter().enumerate() {
                if ev.marks.has(*bit) {
                    let seen = &mut log.marks[ev.dir as usize][i];
                    if (*seen as usize) < Self::EVIDENCE {
                        log.first_marked.push((i as u8, ev.dir, ev.frame, ev.ts));
                    }
                    *seen += 1;
                }
            }
        }
        let runs = &mut log.runs;
        let run = match runs.last_mut() {
            Some(r) if r.at == at => r,
            _ => {
                runs.push(DroppedRun {
                    at,
                    segments: 0,
                    c2s: 0,
                    bytes: 0,
                    first: ev.ts,
                    last: ev.ts,
                    first_frame: ev.frame,
                    last_frame: ev.frame,
                });
                runs.last_mut().expect("just pushed")
            }
        };
        run.segments += 1;
        run.c2s += u64::from(ev.dir == Dir::C2S);
        run.bytes += u64::from(ev.len);
        run.last = ev.ts;
        run.last_frame = ev.frame;
    }
}

/// One end of a connection and what the observer knows of its sequence space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct End {
    pub addr: Endpoint,
    pub state: State,
    /// Initial sequence number, from its SYN (or inferred from the peer's ACK of it).
    pub isn: Option<u32>,
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
    pub after_peer_rst: u64,
}

impl End {
    fn new(addr: Endpoint, state: State) -> End {
        End {
            addr,
            state,
            isn: None,
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
    fn acks_syn(&self, ack: u32) -> bool {
        match self.isn {
            Some(isn) => {
                let nxt = self.next_seq.unwrap_or(isn.wrapping_add(1));
                seq::gt(ack, isn) && seq::le(ack, nxt)
            }
            None => false,
        }
    }

    fn fin_acked_by(&self, ack: u32) -> bool {
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
    hs_syn: bool,
    hs_synack: bool,
    hs_ack: bool,
}

impl Connection {
    /// A new connection whose first captured segment is `seg`. Roles and initial states are
    /// inferred from it: a SYN names its sender the client; a SYN+ACK names its sender the
    /// server; anything else means the capture joined mid-stream and the server is the
    /// well-known (lower) port.
    pub fn new(id: u64, seg: &Segment) -> Connection {
        let f = seg.flags;
        let (client, server, mid) = if f.syn() && !f.ack() {
            (seg.src, seg.dst, false)
        } else if f.syn() && f.ack() {
            (seg.dst, seg.src, false)
        } else if server_by_port(seg.src.port, seg.dst.port) {
            (seg.dst, seg.src, true)
        } else {
            (seg.src, seg.dst, true)
        };
        let (cs, ss) = if mid {
            // Joined mid-stream: both ends were already talking.
            (State::Established, State::Established)
        } else {
            // Before its first SYN the client is CLOSED; the server is assumed LISTEN.
            (State::Closed, State::Listen)
        };
        Connection {
            id,
            ends: [End::new(client, cs), End::new(server, ss)],
            mid_stream: mid,
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
    /// its [`DroppedRun`] (kept events are in capture order; timer events have frame 0).
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
    fn set_state(&mut self, side: Side, state: State, ts: Timestamp) {
        let end = &mut self.ends[side as usize];
        if end.state == state {
            return;
        }
        if state == State::TimeWait {
            end.time_wait_since = ts.into();
        }
        end.state = state;
    }

    /// Feeds one captured segment (frame number `frame`) through both ends' state machines and
    /// returns the event describing it. The caller decides whether to keep the event.
    pub fn on_segment(&mut self, seg: &Segment, frame: u64) -> Event {
        let dir = self.dir_of(seg);
        let s = dir.sender();
        let r = s.other();
        let before = self.states();
        let mut marks = self.analyse(seg, s);
        if seg.flags.rst() {
            self.on_rst(seg, s, &mut marks);
        } else if self.fin_in_used_space(seg, s) {
            // A first FIN placed in sequence space the sender already used (on its SYN, say)
            // is not acceptable (3.10.7.4): no end acts on it; the rest of the segment counts.
            marks.set(Marks::UNEXPECTED);
            let mut no_fin = *seg;
            no_fin.flags = Flags(seg.flags.0 & !Flags::FIN);
            self.sender_side(&no_fin, s, &mut marks);
            self.receiver_side(&no_fin, r, &mut marks);
        } else {
            self.sender_side(seg, s, &mut marks);
            self.receiver_side(seg, r, &mut marks);
        }
        self.account(seg, s);
        self.history.on_segment(seg, s == Side::Client);
        // Captures are not always in time order (multi-queue NICs): keep the true span.
        self.first_seen = self.first_seen.min(seg.ts);
        self.last_seen = self.last_seen.max(seg.ts);
        for (i, (bit, _)) in Marks::NAMES.iter().enumerate() {
            if marks.has(*bit) {
                self.mark_counts[i] += 1;
            }
        }
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

    /// TIME_WAIT held for 2*MSL: the end closes (RFC 9293 3.10.8, "Time-Wait Timeout").
    /// Returns the inferred event, if an end was still in TIME_WAIT.
    pub fn expire_time_wait(&mut self, now: Timestamp, two_msl: i64) -> Option<Event> {
        let before = self.states();
        let mut expired_at = None;
        for side in [Side::Client, Side::Server] {
            let end = &self.ends[side as usize];
            if end.state != State::TimeWait {
                continue;
            }
            let Some(since) = end.time_wait_since.get() else {
                continue;
            };
            let at = Timestamp(since.0 + two_msl);
            if at <= now {
                self.set_state(side, State::Closed, at);
                expired_at = Some(expired_at.map_or(at, |t: Timestamp| t.max(at)));
            }
        }
        let at = expired_at?;
        let side = if before[0] == State::TimeWait && self.ends[0].state == State::Closed {
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
            states: self.states(),
            before,
        })
    }

    /// Sequence analysis of the sender's stream, before any state changes: retransmission,
    /// out-of-order, gaps, keep-alives, duplicate ACKs, zero windows.
    fn analyse(&mut self, seg: &Segment, s: Side) -> Marks {
        let mut m = Marks::default();
        let f = seg.flags;
        let len = seg.seq_len();
        let peer_next = self.ends[s.other() as usize].next_seq;
        let peer = &self.ends[s.other() as usize];
        let (peer_ack, peer_dups) = (peer.last_ack, peer.dup_acks);
        // A segment one below the next sequence number probes the peer: its window if that is
        // closed, else whether it is still alive.
        let probe_kind = if peer.last_ack.is_some() && peer.last_window == 0 {
            Marks::ZERO_WINDOW_PROBE
        } else {
            Marks::KEEPALIVE
        };
        let fast_retransmit_asked = |seq: u32| peer_ack == Some(seq) && peer_dups >= 2;
        let end = &mut self.ends[s as usize];
        if f.syn() && seg.payload_len > 0 {
            m.set(Marks::SYN_DATA);
        }
        if f.syn() {
            // The same SYN (or SYN+ACK) again. A SYN+ACK after our own SYN is the simultaneous
            // open's answer, not a retransmission.
            let same_kind = if f.ack() {
                end.sent_synack
            } else {
                end.sent_syn
            };
            if same_kind && end.isn == Some(seg.seq) {
                m.set(Marks::RETRANSMISSION);
            }
        } else if let Some(nxt) = end.next_seq {
            let seg_end = seg.seq.wrapping_add(len);
            if len > 0 && seq::lt(seg.seq, nxt) {
                let in_hole = end
                    .hole
                    .is_some_and(|(a, b)| seq::ge(seg.seq, a) && seq::le(seg_end, b));
                // A segment filling a hole soon after the hole appeared was captured late
                // (out of order). One the receiver asked for with duplicate ACKs, or one that
                // comes later than that (Wireshark's 3 ms threshold), is a retransmission.
                let soon = end
                    .hole_since
                    .get()
                    .is_some_and(|t| seg.ts.0 - t.0 <= OUT_OF_ORDER_WINDOW_NS);
                if in_hole && soon && !fast_retransmit_asked(seg.seq) {
                    m.set(Marks::OUT_OF_ORDER);
                } else if seg.payload_len <= 1
                    && !f.fin()
                    && !f.rst()
                    && seg.seq == nxt.wrapping_sub(1)
                {
                    m.set(probe_kind);
                } else {
                    m.set(Marks::RETRANSMISSION);
                }
            } else if len == 0 && !f.rst() && !f.fin() && seg.seq == nxt.wrapping_sub(1) && f.ack()
            {
                m.set(probe_kind);
            } else if seq::gt(seg.seq, nxt) && !f.rst() {
                m.set(Marks::PREV_MISSING);
                end.hole = Some((nxt, seg.seq));
                end.hole_since = seg.ts.into();
            }
        }
        // Duplicate ACK (as Wireshark defines it): nothing but an ACK, same ack and window as
        // this end's previous segment, window non-zero.
        if f.ack()
            && !f.syn()
            && !f.fin()
            && !f.rst()
            && seg.payload_len == 0
            && seg.window != 0
            && end.last_ack == Some(seg.ack)
            && end.last_window == seg.window
            && !m.has(Marks::KEEPALIVE)
            && !m.has(Marks::ZERO_WINDOW_PROBE)
        {
            m.set(Marks::DUP_ACK);
        }
        if m.has(Marks::DUP_ACK) {
            end.dup_acks += 1;
        } else if f.ack() && end.last_ack != Some(seg.ack) {
            end.dup_acks = 0;
        }
        if seg.window == 0 && !f.syn() && !f.fin() && !f.rst() {
            m.set(Marks::ZERO_WINDOW);
        }
        if f.ack() && !f.rst() {
            if let Some(pn) = peer_next {
                if seq::gt(seg.ack, pn) {
                    m.set(Marks::ACKED_UNSEEN);
                }
            }
        }
        m
    }

    /// Sender bookkeeping after the state machine: sequence high-water mark, counters.
    fn account(&mut self, seg: &Segment, s: Side) {
        let f = seg.flags;
        let peer_reset = self.rst_by == Some(s.other());
        let end = &mut self.ends[s as usize];
        end.packets += 1;
        end.last_ts = end.last_ts.get().map_or(seg.ts, |t| t.max(seg.ts)).into();
        if peer_reset && !f.rst() {
            end.after_peer_rst += 1;
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
        if f.syn() {
            if f.ack() {
                end.sent_synack = true;
            } else {
                end.sent_syn = true;
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
            match end.next_seq {
                Some(n) if f.syn() || seq::gt(seg_end, n) => end.next_seq = Some(seg_end),
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

    /// RST (RFC 9293 3.10.7.3 for SYN-SENT, 3.10.7.4 "first: check sequence number" otherwise).
    fn on_rst(&mut self, seg: &Segment, s: Side, marks: &mut Marks) {
        let r = s.other();
        let receiver = &self.ends[r as usize];
        let acceptable = match receiver.state {
            // SYN-SENT: a RST is acceptable only if it acknowledges our SYN; that is how a
            // closed port refuses a connection.
            State::SynSent => seg.flags.ack() && receiver.acks_syn(seg.ack),
            // A RST to a listener (or to nothing) changes nothing.
            State::Listen | State::Closed => false,
            // Synchronized states and SYN-RECEIVED: the RST must fall in the receive window.
            // The observer knows the sender's next sequence number; it accepts a RST at it or
            // within the receiver's advertised window of it.
            _ => self.rst_in_window(seg, s),
        };
        if !acceptable {
            // A client aborting its own SYN (SYN_SENT) to a peer that never answered: there is
            // nothing to reset at the receiver, but the sender has given up.
            if self.ends[s as usize].state == State::SynSent && receiver.state.is_gone() {
                self.rst_by = Some(s);
                self.ends[s as usize].sent_rst = true;
                self.set_state(s, State::Closed, seg.ts);
                return;
            }
            marks.set(Marks::RST_IGNORED);
            return;
        }
        self.rst_by = Some(s);
        self.rst_at = seg.ts.into();
        self.ends[s as usize].sent_rst = true;
        self.set_state(s, State::Closed, seg.ts);
        // SYN-RECEIVED from a passive open goes back to LISTEN; everything else to CLOSED.
        let next =
            if self.ends[r as usize].state == State::SynReceived && self.ends[r as usize].passive {
                State::Listen
            } else {
                State::Closed
            };
        self.set_state(r, next, seg.ts);
    }

    /// `seg` carries its sender's first FIN at a sequence number below what the sender had
    /// already sent (its FIN would overlap sent data or its SYN).
    fn fin_in_used_space(&self, seg: &Segment, s: Side) -> bool {
        let end = &self.ends[s as usize];
        seg.flags.fin()
            && !end.sent_fin
            && end
                .next_seq
                .is_some_and(|n| seq::lt(seg.seq.wrapping_add(seg.payload_len), n))
    }

    fn rst_in_window(&self, seg: &Segment, s: Side) -> bool {
        let sender = &self.ends[s as usize];
        let receiver = &self.ends[s.other() as usize];
        let Some(rcv_nxt) = sender.next_seq else {
            return true;
        };
        let scale = match (sender.wscale, receiver.wscale) {
            (Some(_), Some(w)) => u32::from(w.min(14)),
            _ => 0,
        };
        let wnd = (u32::from(receiver.last_window) << scale).max(1);
        let d = seq::diff(seg.seq, rcv_nxt);
        // RCV.NXT <= SEG.SEQ < RCV.NXT + RCV.WND (3.10.7.4). A RST one below (at the seq of
        // the sender's FIN) is out of window: RFC 5961 receivers drop it and answer with a
        // challenge ACK, and the sender's next RST, at RCV.NXT, is the one that closes (as in
        // suricata's ips-state-1 and zeek's qi_internet captures; accepting it showed the
        // receiver CLOSED while it went on acknowledging).
        d >= 0 && (d as i64) < i64::from(wnd)
    }

    /// What sending `seg` says about its sender (RST handled separately).
    fn sender_side(&mut self, seg: &Segment, s: Side, marks: &mut Marks) {
        let f = seg.flags;
        let st = self.ends[s as usize].state;
        if f.syn() && !f.ack() {
            match st {
                // An active OPEN: "send SYN, enter SYN-SENT" (RFC 9293 3.10.1).
                State::Closed | State::Listen => {
                    self.ends[s as usize].isn = Some(seg.seq);
                    self.ends[s as usize].base = Some(seg.seq);
                    self.set_state(s, State::SynSent, seg.ts);
                    if s == Side::Client {
                        self.hs_syn = true;
                    }
                }
                State::SynSent => {
                    let end = &mut self.ends[s as usize];
                    if end.isn != Some(seg.seq) {
                        // A new attempt with a new ISN on the same ports.
                        end.isn = Some(seg.seq);
                        end.base = Some(seg.seq);
                        end.next_seq = None;
                    }
                    if s == Side::Client {
                        self.hs_syn = true;
                    }
                }
                _ => {
                    // A SYN seen late (capture reordering) confirms the ISN we inferred.
                    let end = &mut self.ends[s as usize];
                    if end.isn == Some(seg.seq) {
                        if !end.sent_syn {
                            marks.set(Marks::OUT_OF_ORDER);
                            if s == Side::Client {
                                self.hs_syn = true;
                            }
                        }
                    } else {
                        marks.set(Marks::UNEXPECTED);
                    }
                }
            }
        } else if f.syn() && f.ack() {
            match st {
                // A SYN,ACK resent after a RST ended the connection changes nothing: it is the
                // same answer (marked a retransmission), not a new passive open.
                State::Closed | State::Listen
                    if self.rst_by.is_some() && self.ends[s as usize].sent_synack => {}
                // LISTEN: "send SYN,ACK, enter SYN-RECEIVED" (3.10.7.2).
                State::Closed | State::Listen => {
                    let end = &mut self.ends[s as usize];
                    end.isn = Some(seg.seq);
                    end.base = Some(seg.seq);
                    end.passive = true;
                    self.set_state(s, State::SynReceived, seg.ts);
                }
                // Simultaneous open: SYN-SENT got a SYN and answers SYN,ACK (3.10.7.3).
                State::SynSent => {
                    self.set_state(s, State::SynReceived, seg.ts);
                }
                _ => {
                    if self.ends[s as usize].isn != Some(seg.seq) {
                        marks.set(Marks::UNEXPECTED);
                    }
                }
            }
        } else {
            // Data, ACK or FIN without SYN.
            match st {
                // It could only send this once ESTABLISHED: the ACK that got it there was not
                // captured.
                State::SynReceived
                    if f.ack()
                        && !f.fin()
                        && self.hs_synack_seen_from(s)
                        && !self.peer_acked_syn(s) =>
                {
                    marks.set(Marks::INFERRED);
                    self.set_state(s, State::Established, seg.ts);
                }
                // (Not after an accepted RST: a segment then crossed the RST on the wire, and
                // the connection stays closed. Nor from a CLOSED end that has talked: it closed,
                // and what it sends now is an old copy.)
                State::SynSent | State::Listen | State::Closed
                    if f.ack()
                        && self.rst_by.is_none()
                        && (st != State::Closed || self.ends[s as usize].packets == 0) =>
                {
                    // An end that acknowledges the peer's SYN is past the handshake; the
                    // segments that took it there were not captured.
                    let peer = &self.ends[s.other() as usize];
                    let acks_peer_syn = peer
                        .isn
                        .is_some_and(|i| seq::ge(seg.ack, i.wrapping_add(1)));
                    if acks_peer_syn || peer.isn.is_none() {
                        marks.set(Marks::INFERRED);
                        self.set_state(s, State::Established, seg.ts);
                    } else {
                        marks.set(Marks::UNEXPECTED);
                    }
                }
                _ => {}
            }
            if f.fin() {
                let st = self.ends[s as usize].state;
                let fin_seq = seg.seq.wrapping_add(seg.payload_len);
                match st {
                    // CLOSE in ESTABLISHED or SYN-RECEIVED: "send FIN, enter FIN-WAIT-1".
                    State::Established | State::SynReceived => {
                        self.ends[s as usize].fin_seq = Some(fin_seq);
                        self.set_state(s, State::FinWait1, seg.ts);
                    }
                    // Simultaneous close: the peer's FIN is in our CLOSE_WAIT but this FIN does
                    // not acknowledge it, so it was sent before that FIN arrived: the sender went
                    // FIN-WAIT-1 and, on the peer's FIN, CLOSING (3.10.7.4 "FIN-WAIT-1").
                    State::CloseWait
                        if !(f.ack() && self.ends[s.other() as usize].fin_acked_by(seg.ack)) =>
                    {
                        self.ends[s as usize].fin_seq = Some(fin_seq);
                        self.set_state(s, State::Closing, seg.ts);
                    }
                    // CLOSE in CLOSE-WAIT: "send FIN, enter LAST-ACK".
                    State::CloseWait => {
                        self.ends[s as usize].fin_seq = Some(fin_seq);
                        self.set_state(s, State::LastAck, seg.ts);
                    }
                    // Already sent: a retransmitted FIN (marked by the sequence analysis), also
                    // from an end that has since closed.
                    State::FinWait1
                    | State::FinWait2
                    | State::Closing
                    | State::LastAck
                    | State::TimeWait => {}
                    State::Closed if self.ends[s as usize].sent_fin => {}
                    _ => marks.set(Marks::UNEXPECTED),
                }
                self.ends[s as usize].sent_fin = true;
            }
        }
    }

    fn hs_synack_seen_from(&self, s: Side) -> bool {
        self.ends[s as usize].sent_syn || self.ends[s as usize].sent_synack
    }

    /// Whether the peer of `s` has already been seen acknowledging `s`'s SYN.
    fn peer_acked_syn(&self, s: Side) -> bool {
        let me = &self.ends[s as usize];
        let peer = &self.ends[s.other() as usize];
        match (me.isn, peer.last_ack) {
            (Some(i), Some(a)) => seq::ge(a, i.wrapping_add(1)),
            _ => false,
        }
    }

    /// What `seg` does to its receiver `r` on arrival (RFC 9293 3.10.7).
    fn receiver_side(&mut self, seg: &Segment, r: Side, marks: &mut Marks) {
        let f = seg.flags;
        let st = self.ends[r as usize].state;
        if f.syn() && !f.ack() {
            match st {
                // LISTEN stays LISTEN until it answers: SYN+ACK (accepted) or RST (refused).
                State::Closed | State::Listen => self.set_state(r, State::Listen, seg.ts),
                // Simultaneous open: SYN-SENT receiving a SYN enters SYN-RECEIVED (3.10.7.3).
                State::SynSent => self.set_state(r, State::SynReceived, seg.ts),
                _ => {}
            }
            return;
        }
        if f.syn() && f.ack() {
            let acks_our_syn = self.ends[r as usize].acks_syn(seg.ack);
            match st {
                // SYN-SENT: a SYN,ACK acknowledging our SYN completes our side (3.10.7.3).
                State::SynSent | State::SynReceived => {
                    if acks_our_syn {
                        if r == Side::Client {
                            self.hs_synack = true;
                        } else {
                            // Simultaneous open: the client's SYN,ACK is the final handshake ACK.
                            self.hs_ack = true;
                        }
                        self.set_state(r, State::Established, seg.ts);
                    } else {
                        marks.set(Marks::BAD_ACK);
                    }
                }
                // The SYN was not captured (or came later): infer it from this SYN,ACK. Only
                // for an end not seen yet; a CLOSED end that has talked ignores it.
                State::Closed | State::Listen if self.ends[r as usize].packets == 0 => {
                    let end = &mut self.ends[r as usize];
                    end.isn = Some(seg.ack.wrapping_sub(1));
                    if end.base.is_none() {
                        end.base = end.isn;
                    }
                    if r == Side::Client {
                        self.hs_synack = true;
                    }
                    marks.set(Marks::INFERRED);
                    self.set_state(r, State::Established, seg.ts);
                }
                _ => {
                    if !acks_our_syn {
                        marks.set(Marks::BAD_ACK);
                    }
                }
            }
            return;
        }
        // ACK processing first, then FIN (the order of 3.10.7.4's "fifth" and "eighth" steps).
        if f.ack() {
            let end = &self.ends[r as usize];
            let fin_acked = end.fin_acked_by(seg.ack);
            match st {
                // SYN-RECEIVED: an ACK of our SYN enters ESTABLISHED.
                State::SynReceived => {
                    // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED".
                    let acceptable = end.isn.is_some_and(|i| {
                        let nxt = end.next_seq.unwrap_or(i.wrapping_add(1));
                        seq::gt(seg.ack, i) && seq::le(seg.ack, nxt)
                    });
                    if acceptable {
                        if r == Side::Server {
                            self.hs_ack = true;
                        }
                        self.set_state(r, State::Established, seg.ts);
                        if fin_acked {
                            // Our FIN from SYN-RECEIVED: now in FIN-WAIT-1, acked below.
                        }
                    } else {
                        marks.set(Marks::BAD_ACK);
                    }
                }
                // A receiver that never showed its handshake (SYN+ACK missing from the capture)
                // but is acknowledged by a peer that is past it.
                // Not a CLOSED end that has talked: it closed (a duplicate of the ACK of its
                // FIN can come after).
                State::Listen | State::Closed
                    if self.ends[r.other() as usize].state.is_synchronized()
                        && self.rst_by.is_none()
                        && (st == State::Listen || self.ends[r as usize].packets == 0) =>
                {
                    let end = &mut self.ends[r as usize];
                    if end.isn.is_none() {
                        end.isn = Some(seg.ack.wrapping_sub(1));
                    }
                    if end.base.is_none() {
                        end.base = end.isn;
                    }
                    marks.set(Marks::INFERRED);
                    self.set_state(r, State::Established, seg.ts);
                }
                // FIN-WAIT-1: "if our FIN is now acknowledged then enter FIN-WAIT-2".
                State::FinWait1 if fin_acked => self.set_state(r, State::FinWait2, seg.ts),
                // CLOSING: "if the ACK acknowledges our FIN, enter TIME-WAIT".
                State::Closing if fin_acked => self.set_state(r, State::TimeWait, seg.ts),
                // LAST-ACK: "if our FIN is now acknowledged, delete the TCB, enter CLOSED".
                State::LastAck if fin_acked => self.set_state(r, State::Closed, seg.ts),
                _ => {}
            }
        }
        if f.fin() {
            let st = self.ends[r as usize].state;
            let fin_acked = self.ends[r as usize].fin_acked_by(seg.ack) && f.ack();
            match st {
                // "SYN-RECEIVED, ESTABLISHED: enter the CLOSE-WAIT state".
                State::SynReceived | State::Established => {
                    self.set_state(r, State::CloseWait, seg.ts)
                }
                // "FIN-WAIT-1: if our FIN has been ACKed then enter TIME-WAIT, otherwise
                // enter the CLOSING state" (simultaneous close).
                State::FinWait1 => {
                    let next = if fin_acked {
                        State::TimeWait
                    } else {
                        State::Closing
                    };
                    self.set_state(r, next, seg.ts)
                }
                // "FIN-WAIT-2: enter the TIME-WAIT state".
                State::FinWait2 => self.set_state(r, State::TimeWait, seg.ts),
                // "TIME-WAIT: restart the 2 MSL time-wait timeout" (a retransmitted FIN).
                State::TimeWait => self.ends[r as usize].time_wait_since = seg.ts.into(),
                _ => {}
            }
        }
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

#[cfg(test)]
mod tests {
    //! One test per state and event, named for what it proves (smoltcp style). Segments are
    //! built by hand; `c`/`s` say who sends.
    use super::*;
    use crate::decode::TcpOptions;

    const C: (u8, u16) = (1, 40000);
    const S: (u8, u16) = (2, 80);
    const CISN: u32 = 1000;
    const SISN: u32 = 5000;

    fn ep((host, port): (u8, u16)) -> Endpoint {
        Endpoint {
            ip: std::net::IpAddr::from([10, 0, 0, host]),
            port,
        }
    }

    fn seg(from_client: bool, flags: u16, seq: u32, ack: u32, len: u32, t_ms: i64) -> Segment {
        let (src, dst) = if from_client { (C, S) } else { (S, C) };
        Segment {
            ts: Timestamp(t_ms * 1_000_000),
            src: ep(src),
            dst: ep(dst),
            flags: Flags(flags),
            seq,
            ack,
            window: 1000,
            payload_len: len,
            options: TcpOptions::default(),
        }
    }

    const SYN: u16 = Flags::SYN;
    const SA: u16 = Flags::SYN | Flags::ACK;
    const ACK: u16 = Flags::ACK;
    const FA: u16 = Flags::FIN | Flags::ACK;
    const RA: u16 = Flags::RST | Flags::ACK;
    const RST: u16 = Flags::RST;
    const PA: u16 = Flags::PSH | Flags::ACK;

    struct T {
        c: Option<Connection>,
        frame: u64,
    }

    impl T {
        fn new() -> T {
            T { c: None, frame: 0 }
        }
        fn feed(&mut self, s: Segment) -> Event {
            self.frame += 1;
            let c = self.c.get_or_insert_with(|| Connection::new(1, &s));
            c.on_segment(&s, self.frame)
        }
        fn conn(&self) -> &Connection {
            self.c.as_ref().unwrap()
        }
        fn states(&self) -> [State; 2] {
            self.conn().states()
        }
    }

    use State::*;

    /// A connection through the three-way handshake.
    fn established() -> T {
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        t.feed(seg(false, SA, SISN, CISN + 1, 0, 1));
        t.feed(seg(true, ACK, CISN + 1, SISN + 1, 0, 2));
        t
    }

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
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        let e = t.feed(seg(false, SA, SISN, CISN + 1, 0, 1));
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
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        let e = t.feed(seg(false, SA, SISN, CISN + 7, 0, 1));
        assert_eq!(e.states[0], SynSent);
        assert!(e.marks.has(Marks::BAD_ACK));
        assert_eq!(t.conn().handshake(), Handshake::Partial);
    }

    #[test]
    fn test_syn_received_ack_of_wrong_number_keeps_syn_received() {
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        t.feed(seg(false, SA, SISN, CISN + 1, 0, 1));
        let e = t.feed(seg(true, ACK, CISN + 1, SISN + 9, 0, 2));
        assert_eq!(e.states[1], SynReceived);
        assert!(e.marks.has(Marks::BAD_ACK));
        assert_ne!(t.conn().handshake(), Handshake::Complete);
    }

    #[test]
    fn test_syn_retransmission_is_marked_and_changes_nothing() {
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        let e = t.feed(seg(true, SYN, CISN, 0, 0, 1000));
        assert!(e.marks.has(Marks::RETRANSMISSION));
        assert_eq!(e.states, [SynSent, Listen]);
    }

    #[test]
    fn test_synack_retransmission_is_marked() {
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        t.feed(seg(false, SA, SISN, CISN + 1, 0, 1));
        let e = t.feed(seg(false, SA, SISN, CISN + 1, 0, 1000));
        assert!(e.marks.has(Marks::RETRANSMISSION));
        assert_eq!(e.states, [Established, SynReceived]);
    }

    #[test]
    fn test_syn_sent_rst_ack_of_syn_is_refusal() {
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        let e = t.feed(seg(false, RA, 0, CISN + 1, 0, 1));
        assert_eq!(e.states, [Closed, Closed]);
        assert_eq!(t.conn().rst_by, Some(Side::Server));
        assert_eq!(t.conn().teardown(), Teardown::Rst);
        assert!(t.conn().is_closed());
    }

    #[test]
    fn test_syn_sent_rst_with_wrong_ack_is_ignored() {
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        let e = t.feed(seg(false, RA, 0, CISN + 99, 0, 1));
        assert_eq!(e.states, [SynSent, Listen]);
        assert!(e.marks.has(Marks::RST_IGNORED));
        let e = t.feed(seg(false, RST, 0, 0, 0, 1));
        assert!(e.marks.has(Marks::RST_IGNORED));
    }

    #[test]
    fn test_simultaneous_open_goes_through_syn_received_on_both_ends() {
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        let e = t.feed(seg(false, SYN, SISN, 0, 0, 1));
        assert_eq!(e.states, [SynReceived, SynSent]);
        let e = t.feed(seg(true, SA, CISN, SISN + 1, 0, 2));
        assert_eq!(e.states, [SynReceived, Established]);
        let e = t.feed(seg(false, SA, SISN, CISN + 1, 0, 3));
        assert_eq!(e.states, [Established, Established]);
        assert_eq!(t.conn().handshake(), Handshake::Complete);
    }

    #[test]
    fn test_established_fin_then_ack_then_fin_then_ack_is_the_four_way_close() {
        let mut t = established();
        let e = t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        assert_eq!(e.states, [FinWait1, CloseWait]);
        let e = t.feed(seg(false, ACK, SISN + 1, CISN + 2, 0, 11));
        assert_eq!(e.states, [FinWait2, CloseWait]);
        let e = t.feed(seg(false, FA, SISN + 1, CISN + 2, 0, 12));
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
        let e = t.feed(seg(false, FA, SISN + 1, CISN + 2, 0, 15));
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
        let mut t = established();
        t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        let e = t.feed(seg(false, FA, SISN + 1, CISN + 2, 0, 11));
        assert_eq!(e.before[0], FinWait1);
        assert_eq!(e.states, [TimeWait, LastAck]);
    }

    #[test]
    fn test_fin_wait_1_fin_without_ack_of_our_fin_is_closing() {
        let mut t = established();
        t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        // Server's FIN crossed ours: it does not acknowledge our FIN.
        let e = t.feed(seg(false, FA, SISN + 1, CISN + 1, 0, 10));
        assert_eq!(e.states, [Closing, Closing]);
        let e = t.feed(seg(true, ACK, CISN + 2, SISN + 2, 0, 11));
        assert_eq!(e.states, [Closing, TimeWait]);
        let e = t.feed(seg(false, ACK, SISN + 2, CISN + 2, 0, 11));
        assert_eq!(e.states, [TimeWait, TimeWait]);
    }

    #[test]
    fn test_close_wait_data_then_fin_is_half_close() {
        let mut t = established();
        t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        t.feed(seg(false, ACK, SISN + 1, CISN + 2, 0, 11));
        let e = t.feed(seg(false, PA, SISN + 1, CISN + 2, 500, 12));
        assert_eq!(e.states, [FinWait2, CloseWait]);
        assert!(e.marks.is_empty());
        t.feed(seg(true, ACK, CISN + 2, SISN + 501, 0, 13));
        let e = t.feed(seg(false, FA, SISN + 501, CISN + 2, 0, 14));
        assert_eq!(e.states, [TimeWait, LastAck]);
        assert_eq!(t.conn().server().bytes, 500);
    }

    #[test]
    fn test_fin_retransmission_in_time_wait_restarts_timer() {
        let mut t = established();
        t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        t.feed(seg(false, FA, SISN + 1, CISN + 2, 0, 11));
        let e = t.feed(seg(false, FA, SISN + 1, CISN + 2, 0, 300));
        assert!(e.marks.has(Marks::RETRANSMISSION));
        assert_eq!(e.states[0], TimeWait);
        assert_eq!(
            t.conn().client().time_wait_since.get(),
            Some(Timestamp(300_000_000))
        );
    }

    #[test]
    fn test_time_wait_expires_after_two_msl() {
        let mut t = established();
        t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        t.feed(seg(false, FA, SISN + 1, CISN + 2, 0, 11));
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
        t.feed(seg(true, PA, CISN + 1, SISN + 1, 100, 5));
        let e = t.feed(seg(false, RA, SISN + 1, CISN + 101, 0, 6));
        assert_eq!(e.states, [Closed, Closed]);
        assert_eq!(t.conn().rst_by, Some(Side::Server));
    }

    #[test]
    fn test_closed_by_rst_data_crossing_it_does_not_reopen() {
        let mut t = established();
        t.feed(seg(false, RA, SISN + 1, CISN + 1, 0, 5));
        let e = t.feed(seg(true, PA, CISN + 1, SISN + 1, 100, 6));
        assert_eq!(e.states, [Closed, Closed]);
        assert_eq!(t.conn().client().after_peer_rst, 1);
    }

    #[test]
    fn test_synack_resent_after_reset_does_not_reopen() {
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        t.feed(seg(false, SA, SISN, CISN + 1, 0, 1));
        t.feed(seg(true, RST, CISN + 1, 0, 0, 2));
        let e = t.feed(seg(false, SA, SISN, CISN + 1, 0, 1000));
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
    fn test_a_fin_on_the_syns_sequence_number_is_not_acted_on() {
        // zeek's fin_retransmission.pcap: the client's FIN reuses its SYN's seq, below what
        // the server expects; the server answered with a RST, not an ACK of any FIN.
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 1));
        t.feed(seg(false, SA, SISN, CISN + 1, 0, 2));
        let e = t.feed(seg(true, FA, CISN, SISN + 1, 0, 3));
        assert!(e.marks.has(Marks::UNEXPECTED), "{:?}", e.marks);
        assert_eq!(e.states, [Established, Established]);
        assert_eq!(t.conn().teardown(), Teardown::None);
        // A FIN where the sequence space goes on is taken.
        let e = t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 4));
        assert_eq!(e.states, [FinWait1, CloseWait]);
        assert!(!e.marks.has(Marks::UNEXPECTED), "{:?}", e.marks);
    }

    #[test]
    fn test_rst_at_the_seq_of_the_senders_fin_is_out_of_window() {
        // RCV.NXT counts the FIN: a RST at the FIN's own seq is one below it (RFC 5961's
        // receiver answers with a challenge ACK); the RST after that ACK, at RCV.NXT, closes.
        let mut t = established();
        let e = t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
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
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        t.feed(seg(false, SA, SISN, CISN + 1, 0, 1));
        let e = t.feed(seg(true, RST, CISN + 1, 0, 0, 2));
        assert_eq!(e.states, [Closed, Listen]);
    }

    #[test]
    fn test_rst_in_every_synchronized_state_closes_receiver() {
        // FIN_WAIT_1 / CLOSE_WAIT
        let mut t = established();
        t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        let e = t.feed(seg(false, RA, SISN + 1, CISN + 2, 0, 11));
        assert_eq!(e.before, [FinWait1, CloseWait]);
        assert_eq!(e.states, [Closed, Closed]);
        // FIN_WAIT_2 / CLOSE_WAIT
        let mut t = established();
        t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        t.feed(seg(false, ACK, SISN + 1, CISN + 2, 0, 11));
        let e = t.feed(seg(false, RST, SISN + 1, 0, 0, 12));
        assert_eq!(e.before, [FinWait2, CloseWait]);
        assert_eq!(e.states, [Closed, Closed]);
        // TIME_WAIT / LAST_ACK
        let mut t = established();
        t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        t.feed(seg(false, FA, SISN + 1, CISN + 2, 0, 11));
        let e = t.feed(seg(false, RST, SISN + 2, 0, 0, 12));
        assert_eq!(e.before, [TimeWait, LastAck]);
        assert_eq!(e.states, [Closed, Closed]);
        // CLOSING / CLOSING
        let mut t = established();
        t.feed(seg(true, FA, CISN + 1, SISN + 1, 0, 10));
        t.feed(seg(false, FA, SISN + 1, CISN + 1, 0, 10));
        let e = t.feed(seg(true, RST, CISN + 2, 0, 0, 12));
        assert_eq!(e.before, [Closing, Closing]);
        assert_eq!(e.states, [Closed, Closed]);
    }

    #[test]
    fn test_mid_stream_join_infers_roles_by_port_and_established() {
        let mut t = T::new();
        let e = t.feed(seg(false, PA, 777, 333, 10, 0));
        assert_eq!(e.states, [Established, Established]);
        let c = t.conn();
        assert!(c.mid_stream);
        assert_eq!(c.server().addr.port, 80);
        assert_eq!(c.handshake(), Handshake::None);
    }

    #[test]
    fn test_synack_without_syn_infers_client_isn() {
        let mut t = T::new();
        let e = t.feed(seg(false, SA, SISN, CISN + 1, 0, 0));
        assert_eq!(e.states, [Established, SynReceived]);
        assert!(e.marks.has(Marks::INFERRED));
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
    fn test_missing_synack_is_inferred_from_the_clients_ack() {
        let mut t = T::new();
        t.feed(seg(true, SYN, CISN, 0, 0, 0));
        let e = t.feed(seg(true, ACK, CISN + 1, SISN + 1, 0, 2));
        assert_eq!(e.states, [Established, Established]);
        assert!(e.marks.has(Marks::INFERRED));
        assert_eq!(t.conn().handshake(), Handshake::Partial);
    }

    #[test]
    fn test_retransmission_out_of_order_and_gap_marks() {
        let mut t = established();
        t.feed(seg(true, PA, CISN + 1, SISN + 1, 100, 3));
        // Segment 201..301 arrives before 101..201 (which the capture then shows).
        let e = t.feed(seg(true, PA, CISN + 201, SISN + 1, 100, 4));
        assert!(e.marks.has(Marks::PREV_MISSING));
        let e = t.feed(seg(true, PA, CISN + 101, SISN + 1, 100, 5));
        assert!(e.marks.has(Marks::OUT_OF_ORDER));
        assert!(!e.marks.has(Marks::RETRANSMISSION));
        let e = t.feed(seg(true, PA, CISN + 101, SISN + 1, 100, 300));
        assert!(e.marks.has(Marks::RETRANSMISSION));
    }

    #[test]
    fn test_dup_ack_zero_window_and_keepalive_marks() {
        let mut t = established();
        t.feed(seg(true, PA, CISN + 1, SISN + 1, 100, 3));
        let a = t.feed(seg(false, ACK, SISN + 1, CISN + 101, 0, 4));
        assert!(a.marks.is_empty());
        let d = t.feed(seg(false, ACK, SISN + 1, CISN + 101, 0, 5));
        assert!(d.marks.has(Marks::DUP_ACK));
        let mut z = seg(false, ACK, SISN + 1, CISN + 101, 0, 6);
        z.window = 0;
        assert!(t.feed(z).marks.has(Marks::ZERO_WINDOW));
        // One below the next sequence number, against a closed window: a window probe.
        let p = t.feed(seg(true, ACK, CISN + 100, SISN + 1, 0, 5000));
        assert!(p.marks.has(Marks::ZERO_WINDOW_PROBE));
        assert!(!p.marks.has(Marks::KEEPALIVE));
        // The window reopens; the same segment later is a keep-alive.
        t.feed(seg(false, ACK, SISN + 1, CISN + 101, 0, 5001));
        let k = t.feed(seg(true, ACK, CISN + 100, SISN + 1, 0, 7000));
        assert!(k.marks.has(Marks::KEEPALIVE));
        assert!(!k.marks.has(Marks::RETRANSMISSION));
    }

    #[test]
    fn test_sequence_wraparound_is_not_a_retransmission() {
        let isn = u32::MAX - 50;
        let mut t = T::new();
        t.feed(seg(true, SYN, isn, 0, 0, 0));
        t.feed(seg(false, SA, SISN, isn.wrapping_add(1), 0, 1));
        t.feed(seg(true, ACK, isn.wrapping_add(1), SISN + 1, 0, 2));
        let e = t.feed(seg(true, PA, isn.wrapping_add(1), SISN + 1, 100, 3));
        assert!(e.marks.is_empty());
        let e = t.feed(seg(true, PA, isn.wrapping_add(101), SISN + 1, 100, 4));
        assert!(e.marks.is_empty(), "{:?}", e.marks);
        let c = t.conn();
        assert_eq!(c.rel_seq(Dir::C2S, isn.wrapping_add(101)), 101);
        // FIN after wrap is acknowledged correctly.
        t.feed(seg(true, FA, isn.wrapping_add(201), SISN + 1, 0, 5));
        let e = t.feed(seg(false, ACK, SISN + 1, isn.wrapping_add(202), 0, 6));
        assert_eq!(e.states, [FinWait2, CloseWait]);
    }

    #[test]
    fn test_ack_of_data_never_captured_is_marked() {
        let mut t = established();
        let e = t.feed(seg(false, ACK, SISN + 1, CISN + 500, 0, 4));
        assert!(e.marks.has(Marks::ACKED_UNSEEN));
    }

    #[test]
    fn test_relative_numbers_start_at_zero_for_the_syn() {
        let t = established();
        let c = t.conn();
        assert_eq!(c.rel_seq(Dir::C2S, CISN), 0);
        assert_eq!(c.rel_ack(Dir::S2C, CISN + 1), 1);
        assert_eq!(c.rel_seq(Dir::S2C, SISN + 1), 1);
    }

    #[test]
    fn server_port_heuristic() {
        assert!(server_by_port(80, 40000));
        assert!(!server_by_port(40000, 443));
        assert!(server_by_port(6667, 51000));
    }
}
