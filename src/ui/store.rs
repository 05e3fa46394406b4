//! The connections the screen shows: the tracker's table and the connections it retired,
//! indexed by id and counted per state as they change, so that the list, the summary strip
//! and lookups by id never scan every connection.

use std::collections::{hash_map, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;

use super::index::SortedIds;
use crate::decode::{Endpoint, Item, Segment};
use crate::time::Timestamp;
use crate::track::table::StateCounts;
use crate::track::{Connection, State, Tracker, TrackerConfig};

/// Connections kept for display after the tracker retires them (closed for 2*MSL).
pub const CLOSED_KEEP: usize = 2_000;

/// Where a connection on screen is: in the tracker's table (on its 4-tuple), or the `n`-th
/// one retired into [`Store::closed`] since the start.
#[derive(Debug, Clone, Copy)]
enum Loc {
    Table(Endpoint, Endpoint),
    Closed(u64),
}

/// Numbers stores, so that caches built on one are never taken for another's.
static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// The store of shown connections (see the module documentation).
pub struct Store {
    pub tracker: Tracker,
    cfg: TrackerConfig,
    /// Connections the tracker retired, newest last, at most [`CLOSED_KEEP`].
    pub closed: VecDeque<Connection>,
    /// Retired connections no longer kept.
    pub closed_dropped: u64,
    /// Connections pushed to `closed` since the start (`closed[0]` is number
    /// `closed_pushed - closed.len()`).
    closed_pushed: u64,
    /// Per-state counts over `closed` (the tracker keeps its own).
    closed_counts: StateCounts,
    /// Where each connection shown is, by id: [`Store::connection`] without a scan.
    locs: FxHashMap<u64, Loc>,
    /// The ids of the connections shown, in order: the list's default order, read without a
    /// pass over the connections.
    pub ids: SortedIds,
    /// Bumped whenever a connection shown appears, changes or goes (caches of the list key on
    /// it, with [`Store::instance`]).
    pub changes: u64,
    instance: u64,
}

impl Store {
    pub fn new(cfg: TrackerConfig) -> Store {
        Store {
            tracker: Tracker::new(cfg.clone()),
            cfg,
            closed: VecDeque::new(),
            closed_dropped: 0,
            closed_pushed: 0,
            closed_counts: [[0; State::ALL.len()]; 2],
            locs: FxHashMap::default(),
            ids: SortedIds::new(),
            changes: 0,
            instance: INSTANCES.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The tracker's configuration (MSL, caps).
    pub fn config(&self) -> &TrackerConfig {
        &self.cfg
    }

    /// Empties the store, as at the start (a replay starting again).
    pub fn clear(&mut self) {
        let changes = self.changes + 1;
        let instance = self.instance;
        *self = Store::new(self.cfg.clone());
        self.changes = changes;
        self.instance = instance;
    }

    /// One frame from the source: a segment goes to its connection (whose id comes back),
    /// anything else only moves the capture clock, so timers run exactly as in `--json`.
    pub fn apply(&mut self, item: &Item) -> Option<u64> {
        match item {
            Item::Segment(seg, frame) => Some(self.ingest(seg, *frame)),
            Item::Tunneled(seg, frame, encap) => {
                let id = self.tracker.ingest_tunneled(seg, *frame, encap);
                Some(self.placed(id, seg))
            }
            Item::Labeled(seg, frame, l) => {
                let id = self.tracker.ingest_labeled(seg, *frame, l);
                Some(self.placed(id, seg))
            }
            Item::Udp(d) => {
                self.advance_to(d.ts);
                self.tracker.udp.add(d);
                None
            }
            Item::Tick(ts) => {
                self.advance_to(*ts);
                None
            }
        }
    }

    /// One segment to its connection; its id comes back.
    pub fn ingest(&mut self, seg: &Segment, frame: u64) -> u64 {
        let id = self.tracker.ingest(seg, frame);
        self.placed(id, seg)
    }

    /// Indexes connection `id`, which `seg` just landed on.
    fn placed(&mut self, id: u64, seg: &Segment) -> u64 {
        if let hash_map::Entry::Vacant(v) = self.locs.entry(id) {
            // A segment counted against an evicted connection no longer shown comes back
            // with that connection's id: it is not on the 4-tuple, so nothing to index.
            let on_tuple = self.tracker.get_on(seg.src, seg.dst).map(|c| c.id);
            if on_tuple == Some(id) {
                v.insert(Loc::Table(seg.src, seg.dst));
                self.ids.insert(id);
            }
        }
        self.changes += 1;
        self.take_retired();
        id
    }

    /// Runs the tracker's timers up to `to` (TIME_WAIT ends, connections retire).
    pub fn advance_to(&mut self, to: Timestamp) {
        self.tracker.advance(to);
        self.after_timers();
    }

    /// The capture clock as the tracker has it (the newest frame's time, or later timers).
    pub fn now(&self) -> Timestamp {
        self.tracker.now()
    }

    fn after_timers(&mut self) {
        let expired = self.tracker.stats.time_wait_expired;
        let retired = self.closed_pushed;
        self.take_retired();
        if self.tracker.stats.time_wait_expired != expired || self.closed_pushed != retired {
            self.changes += 1;
        }
    }

    /// Moves the connections the tracker retired to `closed`, dropping the oldest beyond
    /// [`CLOSED_KEEP`].
    fn take_retired(&mut self) {
        for c in self.tracker.drain_retired() {
            self.locs.insert(c.id, Loc::Closed(self.closed_pushed));
            self.closed_pushed += 1;
            count(&mut self.closed_counts, &c, true);
            self.closed.push_back(*c);
        }
        while self.closed.len() > CLOSED_KEEP {
            if let Some(c) = self.closed.pop_front() {
                self.locs.remove(&c.id);
                self.ids.remove(c.id);
                count(&mut self.closed_counts, &c, false);
            }
            self.closed_dropped += 1;
            self.changes += 1;
        }
    }

    /// Every connection to show: the tracker's, then the retired ones kept.
    pub fn connections(&self) -> impl Iterator<Item = &Connection> {
        self.tracker.connections().chain(self.closed.iter())
    }

    /// How many connections [`Store::connections`] gives.
    pub fn connection_count(&self) -> usize {
        self.tracker.len() + self.closed.len()
    }

    /// Connection `id`, if it is shown (a hash lookup, then the tracker's own).
    pub fn connection(&self, id: u64) -> Option<&Connection> {
        match *self.locs.get(&id)? {
            Loc::Table(a, b) => self
                .tracker
                .get_on(a, b)
                .filter(|c| c.id == id)
                // Replaced on its 4-tuple by port reuse, when the tracker does not retire.
                .or_else(|| self.tracker.get(id)),
            Loc::Closed(n) => {
                let first = self.closed_pushed - self.closed.len() as u64;
                self.closed.get(n.checked_sub(first)? as usize)
            }
        }
    }

    /// Per-state counts over [`Store::connections`], both ends (kept as they change).
    pub fn state_counts(&self) -> StateCounts {
        let mut out = self.tracker.state_counts();
        for (o, c) in out.iter_mut().zip(&self.closed_counts) {
            for (o, c) in o.iter_mut().zip(c) {
                *o += c;
            }
        }
        out
    }

    /// Tells this store apart from others (for caches built on it).
    pub fn instance(&self) -> u64 {
        self.instance
    }
}

/// Counts `c`'s two ends in `counts` (or takes them out).
fn count(counts: &mut StateCounts, c: &Connection, add: bool) {
    for (end, s) in counts.iter_mut().zip(c.states()) {
        let n = &mut end[s as usize];
        *n = if add { *n + 1 } else { *n - 1 };
    }
}
