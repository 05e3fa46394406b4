//! The event log: one [`Event`] per segment or timer, kept up to a cap (`--max-events`) past
//! which only the connection's story is kept and the rest is folded into [`DroppedRun`]s.

use super::conn::{Connection, Dir, Side};
use super::marks::Marks;
use super::state::State;
use crate::decode::{Flags, Timestamp};

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A captured segment.
    Segment,
    /// TIME_WAIT's 2*MSL ran out in capture time: inferred, no packet shows it.
    TimeWaitExpired,
    /// A segment the capture does not hold, inferred from the one that follows (the SYN a
    /// SYN+ACK answers): the `inferred` mark is its own, not the captured segment's. Frame 0.
    Missing,
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

/// Appends `ev` unless the connection is at its cap (or the global event budget is spent) and
/// the event is a plain data/ACK one.
/// Returns whether the event was dropped.
#[inline]
pub(super) fn push_event(conn: &mut Connection, ev: Event, max: usize, over_budget: bool) -> bool {
    if (over_budget || conn.events.len() >= max) && !kept_past_the_cap(conn, &ev) {
        conn.dropped.add(conn.events.len(), &ev);
        return true;
    }
    conn.events.push(ev);
    false
}

/// Events kept whatever the cap: the story (handshake, teardown, every state change) and the
/// first few segments an end sends after its peer reset the connection (the half-open
/// finding's evidence; a count of them is kept anyway).
fn kept_past_the_cap(conn: &Connection, ev: &Event) -> bool {
    let sender = ev.dir.sender();
    ev.any_change()
        || ev.flags.has(Flags::SYN | Flags::FIN | Flags::RST)
        || (conn.rst_by == Some(sender.other())
            && conn.end(sender).after_peer_rst <= Dropped::EVIDENCE as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::testkit::{seg_secs as seg, ACK, FIN_ACK, SYN, SYN_ACK};
    use crate::track::{Tracker, TrackerConfig};

    #[test]
    fn event_cap_keeps_handshake_and_teardown() {
        let mut t = Tracker::new(TrackerConfig {
            max_events: 4,
            ..Default::default()
        });
        t.ingest(&seg(true, SYN, 100, 0, 0.0), 1);
        t.ingest(&seg(false, SYN_ACK, 9000, 101, 0.001), 2);
        t.ingest(&seg(true, ACK, 101, 9001, 0.002), 3);
        for i in 0..10 {
            let mut s = seg(true, ACK | Flags::PSH, 101 + i * 10, 9001, 0.01);
            s.payload_len = 10;
            t.ingest(&s, 4 + i as u64);
        }
        t.ingest(&seg(true, FIN_ACK, 201, 9001, 0.1), 20);
        for i in 0..3 {
            t.ingest(
                &seg(false, ACK, 9001, 202, 0.2 + f64::from(i) * 0.01),
                21 + i as u64,
            );
        }
        let c = t.get(1).unwrap();
        // Handshake, one data segment, the FIN and the ACK of it (a state change) are kept.
        assert_eq!(c.events.len(), 6);
        assert_eq!(c.events_dropped(), 11);
        assert!(c.events[4].flags.fin());
        assert_eq!(c.packets(), 17);
        // What was not kept is folded where it fell: 9 data segments before the FIN, then
        // the server's two repeated ACKs after the ACK of the FIN.
        let runs = c.dropped.runs();
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(
            (runs[0].at, runs[0].segments, runs[0].c2s, runs[0].bytes),
            (4, 9, 9, 90)
        );
        let ts = Timestamp::from_secs_f64;
        assert_eq!((runs[0].first, runs[0].last), (ts(0.01), ts(0.01)));
        assert_eq!((runs[1].at, runs[1].segments, runs[1].c2s), (6, 2, 0));
        assert_eq!((runs[1].first, runs[1].last), (ts(0.21), ts(0.22)));
        // Which run a frame went to (the UI stands on it to show evidence left out).
        let holding: Vec<_> = [3, 4, 5, 13, 20, 21, 22, 23]
            .map(|f| c.dropped_run_holding(f))
            .to_vec();
        let (no, a, b) = (None, Some(4), Some(6));
        assert_eq!(holding, [no, no, a, a, no, no, b, b]);
    }
}
