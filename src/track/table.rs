//! The connection table: 4-tuple to connection, port reuse, and timers in capture time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rustc_hash::FxHashMap;

use super::attempts::{is_opening_syn, AttemptKey, Attempts, Small, Syn};
use super::budget::{ATTEMPT_BYTES, CONN_BYTES};
use super::conn::{Connection, Handshake};
use super::events::push_event;
use super::evicted::{Evicted, Gone};
use super::state::State;
use crate::decode::decoder::Labeled;
use crate::decode::{Encap, Endpoint, Item, Segment, Timestamp};

#[derive(Debug, Clone)]
pub struct TrackerConfig {
    /// Maximum segment lifetime; TIME_WAIT lasts twice this (RFC 9293 3.4.2). Linux holds
    /// TIME_WAIT for 60 s, so the default MSL is 30 s.
    pub msl: Timestamp,
    /// Events kept per connection; past it only the notable ones (handshake, teardown, state
    /// changes) are kept and the rest counted.
    pub max_events: usize,
    /// Hand connections out through [`Tracker::drain_retired`] once they are over, instead of
    /// keeping them: memory then follows the connections open at once, not the file.
    pub retire: bool,
    /// Connections held at most (retire mode only). When a new 4-tuple would pass it, the
    /// tracker evicts a batch: closed connections first, then half-open ones (no complete
    /// handshake), then the rest, least recently seen first. Evicted connections are handed
    /// out through [`Tracker::drain_retired`] as they stand, and counted.
    pub max_conns: usize,
    /// How long a closed connection is kept (retire mode) so that late retransmissions and
    /// stray RSTs still land on it rather than opening a new "mid-stream" connection. Zeek
    /// waits 5 s (tcp_close_delay); so does synack by default.
    pub linger: Timestamp,
    /// Retire mode: a connection whose ends are all closed or in TIME_WAIT is over and handed
    /// out after the linger, without waiting for TIME_WAIT to run out. Live captures use it
    /// so that a clean close is written within seconds; files keep showing the inferred end
    /// of TIME_WAIT.
    pub retire_in_time_wait: bool,
    /// Events held at once across every connection (retire mode counts what the table and
    /// the retired list hold). Past it, as past `max_events`, only the notable events are
    /// kept and the rest counted: the bound that makes memory independent of the traffic.
    pub event_budget: usize,
    /// 4-tuples of evicted connections remembered (retire mode): a later segment on one is
    /// counted against it ([`TrackerStats::after_eviction`]) rather than opening a new
    /// mid-stream connection that evicts another in turn.
    pub evicted_memory: usize,
    /// The `--max-memory` these bounds came from (bytes; 0 when set directly), for reports.
    pub memory_budget: u64,
    /// Retire mode: connections that have sent nothing but their first SYN held compactly
    /// (see `attempts`), at most this many; 0 holds them in full, as the UI needs (it looks
    /// connections up in the table).
    pub max_attempts: usize,
    /// Bytes the table's connections and the compact attempts may take together, at
    /// [`CONN_BYTES`] and [`ATTEMPT_BYTES`] each: past it the oldest attempts are evicted.
    pub conn_bytes: u64,
    /// UDP flows (`--udp`): their own caps and idle time.
    pub udp: super::udp::UdpConfig,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            msl: Timestamp(30 * Timestamp::NANOS_PER_SEC),
            max_events: 10_000,
            retire: false,
            max_conns: usize::MAX,
            linger: Timestamp(5 * Timestamp::NANOS_PER_SEC),
            retire_in_time_wait: false,
            event_budget: usize::MAX,
            evicted_memory: 0,
            memory_budget: 0,
            max_attempts: 0,
            conn_bytes: u64::MAX,
            udp: super::udp::UdpConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackerStats {
    pub segments: u64,
    pub connections: u64,
    /// New SYNs on a 4-tuple whose previous connection was over (closed or in TIME_WAIT).
    pub port_reuses: u64,
    pub time_wait_expired: u64,
    pub events_dropped: u64,
    /// Connections evicted because the table was full (`max_conns`).
    pub evicted: u64,
    /// Segments that came on the 4-tuple of an evicted connection after it was written out
    /// (counted, not tracked: see [`TrackerConfig::evicted_memory`]).
    pub after_eviction: u64,
    /// Events left out because the global budget was spent (`event_budget`); part of
    /// `events_dropped`.
    pub events_over_budget: u64,
    /// [`TrackerConfig::memory_budget`], carried to the reports.
    pub memory_budget: u64,
}

impl TrackerStats {
    /// Whether a bound of the memory budget was reached: something was evicted or folded.
    pub fn budget_reached(&self) -> bool {
        self.evicted > 0 || self.after_eviction > 0 || self.events_over_budget > 0
    }
}

/// Canonical 4-tuple: the two endpoints in order, so both directions find the same entry.
///
/// Packed into machine words (each address as two words, the ports and families in a fifth):
/// hashing and comparing five words is what every packet pays, where the `IpAddr` pairs it
/// replaced were hashed field by field and stalled on being copied byte by byte.
#[derive(Debug, Clone, Copy, Eq)]
struct Key {
    /// Lower endpoint's address (high, low word), the other's, then
    /// `lower.meta << 32 | higher.meta` (meta: IPv6 flag << 16 | port).
    w: [u64; 5],
}

/// An endpoint as (address high word, low word, meta), in the order `Endpoint`'s `Ord` gives
/// when compared as (meta >> 16, high, low, port).
fn words(e: &Endpoint) -> (u64, u64, u64) {
    match e.ip {
        std::net::IpAddr::V4(a) => (0, u64::from(u32::from(a)), u64::from(e.port)),
        std::net::IpAddr::V6(a) => {
            let x = u128::from(a);
            ((x >> 64) as u64, x as u64, 1 << 16 | u64::from(e.port))
        }
    }
}

/// [`words`] undone.
fn endpoint_of(high: u64, low: u64, meta: u64) -> Endpoint {
    let port = (meta & 0xffff) as u16;
    let ip = if meta >> 16 & 1 == 1 {
        std::net::IpAddr::V6(std::net::Ipv6Addr::from(
            u128::from(high) << 64 | u128::from(low),
        ))
    } else {
        std::net::IpAddr::V4(std::net::Ipv4Addr::from(low as u32))
    };
    Endpoint { ip, port }
}

/// (family, address high word, low word, port): `Endpoint`'s order.
type Order = (u64, u64, u64, u64);

fn endpoint_order(a: (u64, u64, u64)) -> Order {
    (a.2 >> 16, a.0, a.1, a.2 & 0xffff)
}

/// IPv4 4-tuples held as attempts in 12 bytes, not 40.
impl AttemptKey for Key {
    fn small(&self) -> Option<Small> {
        let w = &self.w;
        let (lo, hi) = (w[4] >> 32, w[4] & 0xffff_ffff);
        // No IPv6 flag in either meta (a v4 address's high word is 0, its low one 32 bits).
        (lo >> 16 == 0 && hi >> 16 == 0).then(|| [w[1] as u32, w[3] as u32, (lo << 16 | hi) as u32])
    }

    fn from_small(s: Small) -> Key {
        let (lo, hi) = (u64::from(s[2] >> 16), u64::from(s[2] & 0xffff));
        Key {
            w: [0, u64::from(s[0]), 0, u64::from(s[1]), lo << 32 | hi],
        }
    }
}

impl Key {
    fn of(seg: &Segment) -> Key {
        Key::new(&seg.src, &seg.dst)
    }

    fn new(a: &Endpoint, b: &Endpoint) -> Key {
        let (a, b) = (words(a), words(b));
        let (lo, hi) = if endpoint_order(a) <= endpoint_order(b) {
            (a, b)
        } else {
            (b, a)
        };
        Key {
            w: [lo.0, lo.1, hi.0, hi.1, lo.2 << 32 | hi.2],
        }
    }

    /// The two endpoints again: (lower, higher).
    fn endpoints(&self) -> (Endpoint, Endpoint) {
        let w = &self.w;
        (
            endpoint_of(w[0], w[1], w[4] >> 32),
            endpoint_of(w[2], w[3], w[4] & 0xffff_ffff),
        )
    }

    /// Whether `seg`'s source is the key's lower endpoint.
    fn from_lower(seg: &Segment) -> bool {
        endpoint_order(words(&seg.src)) <= endpoint_order(words(&seg.dst))
    }

    /// (lower endpoint, higher endpoint), each as `endpoint_order` sorts.
    fn order(&self) -> (Order, Order) {
        let w = &self.w;
        (
            endpoint_order((w[0], w[1], w[4] >> 32)),
            endpoint_order((w[2], w[3], w[4] & 0xffff_ffff)),
        )
    }
}

impl PartialEq for Key {
    /// Every word, without branching or a call to `memcmp` (which the array comparison
    /// compiled to).
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.w, &other.w);
        ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4])) == 0
    }
}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for w in self.w {
            state.write_u64(w);
        }
    }
}

/// The order of the endpoint pairs (as the `(Endpoint, Endpoint)` key before it): ties
/// between eviction candidates and timers are broken the same way.
impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.order().cmp(&other.order())
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Pending timers, soonest first. Timers are set at "now plus a constant" (2*MSL, the
/// linger), so they nearly always arrive in order within their kind: each kind has its own
/// FIFO (O(1), and its memory is touched in order); the rare one that would not keep its
/// FIFO sorted (a capture whose timestamps step back) goes to a heap. `pop` takes the
/// smallest head, so the order is exactly a single heap's.
struct Timers<T> {
    /// One per lane (timer kind): one shared FIFO sent every 5 s linger set after a 60 s
    /// TIME_WAIT to the heap.
    fifos: [VecDeque<T>; 2],
    heap: BinaryHeap<Reverse<T>>,
}

impl<T> Default for Timers<T> {
    fn default() -> Self {
        Timers {
            fifos: [VecDeque::new(), VecDeque::new()],
            heap: BinaryHeap::new(),
        }
    }
}

/// Where the soonest timer is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Head {
    Fifo(usize),
    Heap,
}

impl<T: Ord + Copy> Timers<T> {
    fn push(&mut self, lane: usize, t: T) {
        let fifo = &mut self.fifos[lane];
        match fifo.back() {
            Some(last) if t < *last => self.heap.push(Reverse(t)),
            _ => fifo.push_back(t),
        }
    }

    /// Where the soonest timer is (FIFOs before the heap on a tie, lower lanes first: equal
    /// timers are the same value, so the choice does not change the order).
    fn head(&self) -> Option<(&T, Head)> {
        let mut best = self.heap.peek().map(|r| (&r.0, Head::Heap));
        for (i, f) in self.fifos.iter().enumerate().rev() {
            if let Some(t) = f.front() {
                if best.is_none_or(|(b, _)| t <= b) {
                    best = Some((t, Head::Fifo(i)));
                }
            }
        }
        best
    }

    fn peek(&self) -> Option<T> {
        self.head().map(|(t, _)| *t)
    }

    fn pop(&mut self) -> Option<T> {
        match self.head()?.1 {
            Head::Fifo(i) => self.fifos[i].pop_front(),
            Head::Heap => self.heap.pop().map(|r| r.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TimerKind {
    TimeWait,
    Retire,
}

/// No timer, no expiry: later than any capture time.
const NEVER: Timestamp = Timestamp(i64::MAX);

/// A table entry: the 4-tuple, the connection, and what its timers need to know without
/// reading it. One cache line, aligned to one: every packet's lookup compares the key here, and
/// an unaligned 64-byte entry straddled two lines three times in four.
#[repr(align(64))]
struct Slot {
    key: Key,
    conn: Box<Connection>,
    /// The connection's id (a timer for an id no longer here is stale).
    id: u64,
    /// Retire mode, files: when its last TIME_WAIT runs out, if nothing more arrives, the
    /// connection is closed and retired on the spot (every end gone or in TIME_WAIT, quiet
    /// for the linger by then). The timer then moves it out of the table without reading it;
    /// its TIME_WAIT expiry is recorded when it is handed out, many at a time. Those
    /// connections sat untouched for 2*MSL: reading each as its timer fired was a string of
    /// cache misses, a tenth of the tracking thread. [`NEVER`] when it does not apply.
    quiet_expiry: Timestamp,
}

impl Slot {
    fn new(key: Key, conn: Box<Connection>) -> Slot {
        Slot {
            key,
            id: conn.id,
            conn,
            quiet_expiry: NEVER,
        }
    }
}

/// The connection table: slots found by their 4-tuple (hashbrown's raw table, so that the key
/// lives in the aligned slot).
#[derive(Default)]
struct Table(hashbrown::HashTable<Slot>);

fn hash_key(k: &Key) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(k)
}

impl Table {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, key: &Key) -> Option<&Slot> {
        self.0.find(hash_key(key), |s| s.key == *key)
    }

    fn get_mut(&mut self, key: &Key) -> Option<&mut Slot> {
        self.0.find_mut(hash_key(key), |s| s.key == *key)
    }

    /// The slot of `key`, inserting `new()` if there is none; and whether it was inserted.
    fn get_or_insert(&mut self, key: Key, new: impl FnOnce() -> Slot) -> (&mut Slot, bool) {
        match self
            .0
            .entry(hash_key(&key), |s| s.key == key, |s| hash_key(&s.key))
        {
            hashbrown::hash_table::Entry::Occupied(o) => (o.into_mut(), false),
            hashbrown::hash_table::Entry::Vacant(v) => (v.insert(new()).into_mut(), true),
        }
    }

    /// Takes out the slot of `key` if `keep_out` says so.
    fn remove_if(&mut self, key: &Key, keep_out: impl FnOnce(&Slot) -> bool) -> Option<Slot> {
        let entry = self.0.find_entry(hash_key(key), |s| s.key == *key).ok()?;
        keep_out(entry.get()).then(|| entry.remove().0)
    }

    fn remove(&mut self, key: &Key) -> Option<Slot> {
        self.remove_if(key, |_| true)
    }

    fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.0.iter()
    }

    fn drain(&mut self) -> impl Iterator<Item = Slot> + '_ {
        self.0.drain()
    }
}

/// [`Slot::quiet_expiry`] for `c` as it stands (`over`: [`Connection::is_over`]).
fn quiet_expiry(c: &Connection, over: bool, cfg: &TrackerConfig) -> Timestamp {
    if !cfg.retire || cfg.retire_in_time_wait || !over {
        return NEVER;
    }
    let mut last = None;
    for e in &c.ends {
        if e.state == State::TimeWait {
            let Some(since) = e.time_wait_since.get() else {
                return NEVER;
            };
            let at = since.0 + 2 * cfg.msl.0;
            last = Some(last.map_or(at, |l: i64| l.max(at)));
        }
    }
    match last {
        Some(at) if c.last_seen.0 + cfg.linger.0 <= at => Timestamp(at),
        _ => NEVER,
    }
}

pub struct Tracker {
    cfg: TrackerConfig,
    /// Boxed: a connection is about 800 bytes, and the table moves its entries when it grows
    /// (and `finish` sorts them); moving a pointer instead was a quarter of a batch run's time
    /// in the profile. One allocation per connection, none per packet.
    table: Table,
    /// Connection id to its 4-tuple, for [`Tracker::get`] (kept only when not retiring: the
    /// UI looks connections up by id; batch runs never do and must not grow a map).
    ids: FxHashMap<u64, Key>,
    /// Connections replaced on their 4-tuple by a new one (kept when not retiring).
    replaced: Vec<Connection>,
    /// Boxed as in the table: retiring, handing out and writing move a pointer, not 800 bytes.
    #[allow(clippy::vec_box)]
    retired: Vec<Box<Connection>>,
    /// Connections in `retired` (by index) whose TIME_WAIT ran out when they were retired
    /// but is not yet recorded on them (see [`Slot::quiet_expiry`]): done when they are
    /// handed out.
    pending_expiry: Vec<(usize, Timestamp)>,
    timers: Timers<(Timestamp, u64, TimerKind, Key)>,
    /// When the soonest timer is due ([`NEVER`] if none): most packets are before it, and
    /// [`Tracker::advance`] (run for every packet) then only compares two numbers.
    next_timer: Timestamp,
    next_id: u64,
    now: Timestamp,
    /// Per-state counts over [`Tracker::connections`], both ends, kept as connections change
    /// (the UI's summary strip reads them every frame).
    counts: StateCounts,
    /// Events held by the table and `retired`, against [`TrackerConfig::event_budget`].
    events_held: usize,
    evicted: Evicted<Key>,
    /// Connections past nothing but their first SYN (retire mode, [`TrackerConfig::max_attempts`]).
    attempts: Attempts<Key>,
    /// Both ends' states after an opening SYN (the same for every one), for the counts of
    /// attempts held: found by replaying the first one.
    syn_states: Option<[State; 2]>,
    pub stats: TrackerStats,
    /// UDP flows, beside the connections (`--udp`; empty otherwise).
    pub udp: super::udp::UdpFlows,
}

/// Connections per state, client end then server end, indexed by [`State::ALL`]'s order.
pub type StateCounts = [[u64; State::ALL.len()]; 2];

fn count_states(counts: &mut StateCounts, states: [State; 2], add: bool) {
    for (end, s) in counts.iter_mut().zip(states) {
        let n = &mut end[s as usize];
        *n = if add { *n + 1 } else { *n - 1 };
    }
}

impl Tracker {
    pub fn new(cfg: TrackerConfig) -> Tracker {
        let cfg_evicted_memory = if cfg.retire { cfg.evicted_memory } else { 0 };
        let memory_budget = cfg.memory_budget;
        let udp = super::udp::UdpFlows::new(cfg.udp.clone());
        Tracker {
            cfg,
            table: Table::default(),
            ids: FxHashMap::default(),
            replaced: Vec::new(),
            retired: Vec::new(),
            pending_expiry: Vec::new(),
            timers: Timers::default(),
            next_timer: NEVER,
            next_id: 1,
            now: Timestamp(i64::MIN),
            counts: [[0; State::ALL.len()]; 2],
            events_held: 0,
            evicted: Evicted::new(cfg_evicted_memory),
            attempts: Attempts::default(),
            syn_states: None,
            stats: TrackerStats {
                memory_budget,
                ..TrackerStats::default()
            },
            udp,
        }
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.cfg
    }

    fn two_msl(&self) -> i64 {
        2 * self.cfg.msl.0
    }

    /// Capture time of the newest packet seen (or of the last `advance`).
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Feeds one segment; returns the id of the connection it belongs to.
    pub fn ingest(&mut self, seg: &Segment, frame: u64) -> u64 {
        self.ingest_with(seg, frame, true)
    }

    /// [`Tracker::ingest`]; `may_hold`: an opening SYN may be held as an attempt.
    fn ingest_with(&mut self, seg: &Segment, frame: u64, may_hold: bool) -> u64 {
        self.advance(seg.ts);
        self.stats.segments += 1;
        let key = Key::of(seg);
        if self.cfg.max_attempts > 0 {
            let opening = may_hold && is_opening_syn(seg);
            if opening || !self.attempts.is_empty() {
                if let Some(id) = self.attempt(key, seg, frame, opening) {
                    return id;
                }
            }
            if !self.attempts.is_empty() && self.over_pool(1, 0) && self.table.get(&key).is_none() {
                // A new connection takes the room of the oldest attempts.
                while self.over_pool(1, 0) && self.evict_attempt() {}
            }
        }
        // Only once something was evicted or the table is full does a segment pay for a lookup
        // before the table's own insert-or-get (the per-packet path).
        let may_be_gone = !self.evicted.is_empty() || self.table.len() >= self.cfg.max_conns;
        if self.cfg.retire && may_be_gone && self.table.get(&key).is_none() {
            if let Some(id) = self.after_eviction(&key, seg) {
                return id;
            }
            if self.table.len() >= self.cfg.max_conns {
                self.evict();
            }
        }
        let max_events = self.cfg.max_events;
        let over_budget = self.events_held >= self.cfg.event_budget;
        let ids_before = self.next_id;
        // The states of the connection the segment lands on, if it was already counted (a new
        // connection is not; one replaced by port reuse stays counted as it is).
        let mut states_before = None;
        let next_id = self.next_id;
        let (slot, inserted) = self.table.get_or_insert(key, || {
            Slot::new(key, Box::new(Connection::new(next_id, seg)))
        });
        let mut replaced = None;
        if inserted {
            self.next_id += 1;
            self.stats.connections += 1;
        } else {
            let c = &mut *slot.conn;
            if starts_new_connection(c, seg) {
                let id = self.next_id;
                self.next_id += 1;
                self.stats.connections += 1;
                self.stats.port_reuses += 1;
                let mut new = Connection::new(id, seg);
                new.reuses = Some(c.id);
                new.reused_from = Some(c.states());
                let mut old = std::mem::replace(c, new);
                old.replaced = true;
                replaced = Some(old);
            } else {
                states_before = Some(c.states());
            }
        }
        let conn = &mut *slot.conn;
        let conn_events_below_cap = conn.events.len() < max_events;
        let tw_before = [conn.ends[0].time_wait_since, conn.ends[1].time_wait_since];
        let ev = conn.on_segment(seg, frame);
        let dropped = push_event(conn, ev, max_events, over_budget);
        let id = conn.id;
        let states_after = conn.states();
        if states_before != Some(states_after) {
            if let Some(b) = states_before {
                count_states(&mut self.counts, b, false);
            }
            count_states(&mut self.counts, states_after, true);
        }
        if !self.cfg.retire && self.next_id != ids_before {
            // A new connection on this 4-tuple (first, or port reuse).
            self.ids.insert(id, key);
        }
        let tw_after = [conn.ends[0].time_wait_since, conn.ends[1].time_wait_since];
        let over = conn.is_over();
        let closed = conn.is_closed() || (self.cfg.retire_in_time_wait && over);
        let last_seen = conn.last_seen;
        if self.cfg.retire && over {
            // A connection that is over waits out TIME_WAIT (in a file) and the linger before
            // it is written out: most of what a batch run holds. Give back its log's spare
            // room meanwhile, keeping a slot for each TIME_WAIT expiry still to come (a no-op
            // when there is no more room than that).
            let expiries = if self.cfg.retire_in_time_wait {
                0
            } else {
                conn.ends
                    .iter()
                    .filter(|e| e.state == State::TimeWait)
                    .count()
            };
            conn.events.shrink_to(conn.events.len() + expiries);
        }
        let quiet = quiet_expiry(conn, over, &self.cfg);
        slot.id = id;
        slot.quiet_expiry = quiet;
        if dropped {
            self.stats.events_dropped += 1;
            if over_budget && conn_events_below_cap {
                self.stats.events_over_budget += 1;
            }
        } else {
            self.events_held += 1;
        }
        for (b, a) in tw_before.iter().zip(tw_after) {
            if let Some(since) = a.get() {
                if *b != a {
                    let at = Timestamp(since.0 + self.two_msl());
                    self.set_timer((at, id, TimerKind::TimeWait, key));
                }
            }
        }
        if closed && self.cfg.retire {
            self.schedule_retire(last_seen, id, key);
        }
        if let Some(old) = replaced {
            if self.cfg.retire {
                // Still held (and counted) until handed out.
                self.retired.push(Box::new(old));
            } else {
                self.replaced.push(old);
            }
        }
        id
    }

    /// [`Tracker::ingest`] for a segment whose payload was labelled (and maybe tunneled): the
    /// connection keeps the label if it still wants one that way ([`Connection::labels`]).
    pub fn ingest_labeled(&mut self, seg: &Segment, frame: u64, l: &Labeled) -> u64 {
        let id = if l.encap.is_empty() {
            self.ingest(seg, frame)
        } else {
            self.ingest_tunneled(seg, frame, &l.encap)
        };
        if let Some(slot) = self.table.get_mut(&Key::of(seg)) {
            if slot.conn.id == id {
                slot.conn.add_label(frame, &l.label);
            }
        }
        id
    }

    /// [`Tracker::ingest`] for a segment that came through `encap`: a connection takes the
    /// tunnels of its first segment.
    pub fn ingest_tunneled(&mut self, seg: &Segment, frame: u64, encap: &Encap) -> u64 {
        // Not held as an attempt: the tunnel goes on the connection in the table.
        let id = self.ingest_with(seg, frame, false);
        if let Some(slot) = self.table.get_mut(&Key::of(seg)) {
            if slot.conn.id == id && slot.conn.tunnel().is_none() {
                slot.conn.extras.get_or_insert_with(Box::default).tunnel = Some(*encap);
            }
        }
        id
    }

    /// The compact path ([`TrackerConfig::max_attempts`]): an opening SYN on a new 4-tuple
    /// is held as an attempt (its id comes back); any segment on an attempt's 4-tuple makes
    /// it a full connection in the table first (`None`: the segment goes on to the table).
    fn attempt(&mut self, key: Key, seg: &Segment, frame: u64, opening: bool) -> Option<u64> {
        if let Some(syn) = self.attempts.take(&key) {
            let conn = self.attempt_connection(&key, &syn);
            while self.over_pool(1, 0) && self.evict_attempt() {}
            if self.table.len() >= self.cfg.max_conns {
                self.evict();
            }
            self.table.get_or_insert(key, || Slot::new(key, conn));
            return None;
        }
        if !opening || self.table.get(&key).is_some() {
            return None;
        }
        if !self.evicted.is_empty() {
            if let Some(id) = self.after_eviction(&key, seg) {
                return Some(id);
            }
        }
        while (self.attempts.len() >= self.cfg.max_attempts || self.over_pool(0, 1))
            && self.evict_attempt()
        {}
        let id = self.next_id;
        self.next_id += 1;
        self.stats.connections += 1;
        let syn = Syn::of(seg, frame, id, Key::from_lower(seg));
        let states = match self.syn_states {
            Some(s) => s,
            None => {
                let (c, _) = connection_of(&key, &syn);
                *self.syn_states.insert(c.states())
            }
        };
        count_states(&mut self.counts, states, true);
        self.attempts.push(key, syn);
        Some(id)
    }

    /// Whether `conns` more connections and `attempts` more attempts would pass
    /// [`TrackerConfig::conn_bytes`].
    fn over_pool(&self, conns: u64, attempts: u64) -> bool {
        let conns = (self.table.len() as u64 + conns) * CONN_BYTES;
        let attempts = (self.attempts.len() as u64 + attempts) * ATTEMPT_BYTES;
        conns + attempts > self.cfg.conn_bytes
    }

    /// The connection an attempt stands for, its SYN's event in its log (held, counted).
    fn attempt_connection(&mut self, key: &Key, syn: &Syn) -> Box<Connection> {
        let (mut c, ev) = connection_of(key, syn);
        debug_assert_eq!(Some(c.states()), self.syn_states);
        let over_budget = self.events_held >= self.cfg.event_budget;
        if push_event(&mut c, ev, self.cfg.max_events, over_budget) {
            self.stats.events_dropped += 1;
        } else {
            self.events_held += 1;
        }
        c
    }

    /// Evicts the oldest attempt (written out as it stands, remembered as evicted
    /// connections are); false if none is held.
    fn evict_attempt(&mut self) -> bool {
        let Some((key, syn)) = self.attempts.pop_oldest() else {
            return false;
        };
        let c = self.attempt_connection(&key, &syn);
        self.evicted.remember(
            key,
            Gone {
                id: syn.id(),
                isns: [Some(syn.seq()), None],
            },
        );
        self.stats.evicted += 1;
        self.retired.push(c);
        true
    }

    fn set_timer(&mut self, t: (Timestamp, u64, TimerKind, Key)) {
        self.next_timer = self.next_timer.min(t.0);
        self.timers.push(t.2 as usize, t);
    }

    fn schedule_retire(&mut self, last_seen: Timestamp, id: u64, key: Key) {
        let at = Timestamp(last_seen.0 + self.cfg.linger.0);
        self.set_timer((at, id, TimerKind::Retire, key));
    }

    /// Makes room in a full table: evicts about 1/64 of it at once, so that the scan over the
    /// table that picks the victims costs a few entries per new connection, not the table.
    fn evict(&mut self) {
        let n = (self.cfg.max_conns / 64).clamp(1, self.table.len().max(1));
        // Closed first (only waiting for stray segments), then half-open (a SYN that may
        // never be answered), then established ones; the least recently seen first in each.
        let mut victims: Vec<(u8, Timestamp, Key)> = self
            .table
            .iter()
            .map(|slot| {
                let (k, c) = (&slot.key, &slot.conn);
                let class = if c.is_closed() {
                    0
                } else if c.handshake() != Handshake::Complete && !c.mid_stream {
                    1
                } else {
                    2
                };
                (class, c.last_seen, *k)
            })
            .collect();
        if n < victims.len() {
            victims.select_nth_unstable(n - 1);
            victims.truncate(n);
        }
        // Out in the order they were opened, as the rest of the output is.
        let mut out: Vec<Box<Connection>> = Vec::with_capacity(victims.len());
        for (_, _, k) in &victims {
            if let Some(s) = self.table.remove(k) {
                let isns = s.conn.ends.each_ref().map(|e| e.isn.filter(|_| e.sent_syn));
                self.evicted.remember(*k, Gone { id: s.id, isns });
                out.push(s.conn);
            }
        }
        out.sort_unstable_by_key(|c| c.id);
        self.stats.evicted += out.len() as u64;
        self.retired.extend(out);
    }

    /// Moves capture time forward to `now`, running TIME_WAIT expiries and retirements due.
    pub fn advance(&mut self, now: Timestamp) {
        if now <= self.now {
            return;
        }
        self.now = now;
        if now < self.next_timer {
            return;
        }
        self.run_timers(now);
        self.next_timer = self.timers.peek().map_or(NEVER, |t| t.0);
    }

    /// One frame as the decoder saw it: a segment is ingested (its connection's id comes
    /// back), anything else moves the capture clock.
    pub fn apply(&mut self, item: &Item) -> Option<u64> {
        match item {
            Item::Segment(seg, frame) => Some(self.ingest(seg, *frame)),
            Item::Tunneled(seg, frame, encap) => Some(self.ingest_tunneled(seg, *frame, encap)),
            Item::Labeled(seg, frame, l) => Some(self.ingest_labeled(seg, *frame, l)),
            Item::Udp(d) => {
                self.advance(d.ts);
                self.udp.add(d);
                None
            }
            Item::Tick(ts) => {
                self.advance(*ts);
                None
            }
        }
    }

    fn run_timers(&mut self, now: Timestamp) {
        let two_msl = self.two_msl();
        while let Some((at, id, kind, key)) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            if kind == TimerKind::TimeWait {
                let quiet = |s: &Slot| s.id == id && s.quiet_expiry == at;
                if let Some(s) = self.table.remove_if(&key, quiet) {
                    self.pending_expiry.push((self.retired.len(), at));
                    self.retired.push(s.conn);
                    continue;
                }
            }
            let Some(conn) = self
                .table
                .get_mut(&key)
                .filter(|s| s.id == id)
                .map(|s| &mut *s.conn)
            else {
                continue;
            };
            match kind {
                TimerKind::TimeWait => {
                    let before = conn.states();
                    if let Some(ev) = conn.expire_time_wait(at, two_msl) {
                        count_states(&mut self.counts, before, false);
                        count_states(&mut self.counts, conn.states(), true);
                        self.stats.time_wait_expired += 1;
                        conn.events.push(ev);
                        self.events_held += 1;
                        let (closed, last) = (conn.is_closed(), conn.last_seen);
                        if closed && self.cfg.retire {
                            // TIME_WAIT already held the 4-tuple for stray segments: once it
                            // runs out the connection needs no linger beyond its last segment's.
                            if last.0 + self.cfg.linger.0 <= at.0 {
                                if let Some(s) = self.table.remove(&key) {
                                    self.retired.push(s.conn);
                                }
                            } else {
                                self.schedule_retire(last, id, key);
                            }
                        }
                    }
                }
                TimerKind::Retire => {
                    let due = Timestamp(conn.last_seen.0 + self.cfg.linger.0);
                    let over = conn.is_closed() || (self.cfg.retire_in_time_wait && conn.is_over());
                    if !over {
                        continue;
                    }
                    if due > now {
                        self.set_timer((due, id, kind, key));
                        continue;
                    }
                    if let Some(s) = self.table.remove(&key) {
                        self.retired.push(s.conn);
                    }
                }
            }
        }
    }

    /// Connections that are over, in the order they ended (retire mode only).
    pub fn drain_retired(&mut self) -> std::vec::Drain<'_, Box<Connection>> {
        // Counted out as they were counted in: before any TIME_WAIT expiry still to record.
        for c in &self.retired {
            count_states(&mut self.counts, c.states(), false);
        }
        self.record_expiries();
        let out: usize = self.retired.iter().map(|c| c.events.len()).sum();
        self.events_held = self.events_held.saturating_sub(out);
        self.retired.drain(..)
    }

    /// A segment for a 4-tuple not in the table whose connection was evicted: counted against
    /// that connection (whose id comes back), unless it is a SYN opening a new one there.
    fn after_eviction(&mut self, key: &Key, seg: &Segment) -> Option<u64> {
        let gone = *self.evicted.get(key)?;
        let f = seg.flags;
        let new_syn =
            f.syn() && !f.ack() && !f.fin() && !f.rst() && !gone.isns.contains(&Some(seg.seq));
        if new_syn {
            self.evicted.forget(key);
            return None;
        }
        self.stats.after_eviction += 1;
        Some(gone.id)
    }

    /// Records the TIME_WAIT expiries of connections retired as it ran out (what the timer
    /// would have done then: the same event, at the same time).
    fn record_expiries(&mut self) {
        let two_msl = self.two_msl();
        for (i, at) in self.pending_expiry.drain(..) {
            let c = &mut self.retired[i];
            if let Some(ev) = c.expire_time_wait(at, two_msl) {
                self.stats.time_wait_expired += 1;
                c.events.push(ev);
                self.events_held += 1;
            }
        }
    }

    /// Per-state counts over [`Tracker::connections`] (what [`state_counts`] gives for them),
    /// kept up to date as segments and timers change states: no pass over the table.
    pub fn state_counts(&self) -> StateCounts {
        self.counts
    }

    /// The connection on the 4-tuple of `a` and `b` (either way round), if the table holds
    /// one.
    pub fn get_on(&self, a: Endpoint, b: Endpoint) -> Option<&Connection> {
        let key = Key::new(&a, &b);
        self.table.get(&key).map(|s| &*s.conn)
    }

    /// Every connection still held: open ones, closed ones not yet retired, and (when not
    /// retiring) the ones replaced by port reuse. Unordered.
    pub fn connections(&self) -> impl Iterator<Item = &Connection> {
        self.table
            .iter()
            .map(|s| &*s.conn)
            .chain(self.replaced.iter())
            .chain(self.retired.iter().map(|c| &**c))
    }

    pub fn get(&self, id: u64) -> Option<&Connection> {
        // The index finds connections still on their 4-tuple; replaced and retired ones (few
        // in the UI, which does not retire) are searched.
        self.ids
            .get(&id)
            .and_then(|k| self.table.get(k))
            .filter(|s| s.id == id)
            .map(|s| &*s.conn)
            .or_else(|| self.connections().find(|c| c.id == id))
    }

    /// Connections held, attempts included (which [`Tracker::connections`], [`Tracker::get`]
    /// and [`Tracker::get_on`] do not see: only batch runs hold them).
    pub fn len(&self) -> usize {
        self.table.len() + self.replaced.len() + self.retired.len() + self.attempts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ends the capture: every connection still held, by id. Timers are not run past the last
    /// packet: a connection whose TIME_WAIT had not run out by then is still in TIME_WAIT.
    pub fn finish(&mut self) -> Vec<Connection> {
        self.drain_by_id().collect()
    }

    /// [`finish`](Self::finish) as a stream: the connections still held, by id, handed out one
    /// at a time so that a batch run writes and frees each before unboxing the next (collecting
    /// them all first would hold two copies of the table at its largest moment).
    pub fn drain_by_id(&mut self) -> impl Iterator<Item = Connection> + '_ {
        self.drain_boxed_by_id().map(|c| *c)
    }

    /// [`drain_by_id`](Self::drain_by_id) without unboxing (no 800-byte move per connection).
    pub fn drain_boxed_by_id(&mut self) -> impl Iterator<Item = Box<Connection>> + '_ {
        self.record_expiries();
        self.counts = [[0; State::ALL.len()]; 2];
        self.events_held = 0;
        // Sorted by the ids the slots hold: at the end of a large capture tens of thousands of
        // connections are held, most untouched for a minute, and comparing ids read from the
        // connections themselves was a cache miss per comparison.
        let mut all: Vec<(u64, Box<Connection>)> = self
            .table
            .drain()
            .map(|s| (s.id, s.conn))
            .chain(self.replaced.drain(..).map(|c| (c.id, Box::new(c))))
            .chain(self.retired.drain(..).map(|c| (c.id, c)))
            .collect();
        // Ids are unique, so an unstable sort gives the same order; it moves pointers only.
        all.sort_unstable_by_key(|(id, _)| *id);
        // Attempts are in id order already, and made full connections one at a time as they
        // are handed out (all at once, a flood's would take a kilobyte each).
        let mut held = self
            .attempts
            .drain()
            .map(|(k, s)| {
                let (mut c, ev) = connection_of(&k, &s);
                c.events.push(ev);
                c
            })
            .peekable();
        let mut rest = all.into_iter().map(|(_, c)| c).peekable();
        std::iter::from_fn(move || match (rest.peek(), held.peek()) {
            (Some(a), Some(b)) if b.id < a.id => held.next(),
            (Some(_), _) => rest.next(),
            (None, _) => held.next(),
        })
    }
}

/// The connection an attempt's SYN opened, and the SYN's event (not yet in its log).
fn connection_of(key: &Key, syn: &Syn) -> (Box<Connection>, super::Event) {
    let (lower, higher) = key.endpoints();
    let (src, dst) = if syn.sent_by_lower() {
        (lower, higher)
    } else {
        (higher, lower)
    };
    let seg = syn.segment(src, dst);
    let mut c = Box::new(Connection::new(syn.id(), &seg));
    let ev = c.on_segment(&seg, syn.frame());
    (c, ev)
}

/// A SYN on a 4-tuple whose connection is over (closed, reset or in TIME_WAIT) opens a new
/// connection, unless it is a retransmission of that connection's own SYN.
fn starts_new_connection(c: &Connection, seg: &Segment) -> bool {
    let f = seg.flags;
    // A SYN+FIN (or +RST) opens nothing: a listener drops it.
    if !f.syn() || f.ack() || f.fin() || f.rst() || !c.is_over() {
        return false;
    }
    let sender = &c.ends[c.dir_of(seg).sender() as usize];
    !(sender.sent_syn && sender.isn == Some(seg.seq))
}

/// Per-state counts over connections, both ends (like `ss -s`).
pub fn state_counts<'a>(conns: impl Iterator<Item = &'a Connection>) -> StateCounts {
    let mut out = [[0u64; State::ALL.len()]; 2];
    for c in conns {
        for (i, e) in c.ends.iter().enumerate() {
            let idx = State::ALL.iter().position(|s| *s == e.state).unwrap_or(0);
            out[i][idx] += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_keys_match_and_sort_as_endpoint_pairs() {
        let ips: [std::net::IpAddr; 7] = [
            [10, 0, 0, 1].into(),
            [10, 0, 0, 2].into(),
            [255, 255, 255, 255].into(),
            "::1".parse().unwrap(),
            "::ffff:10.0.0.1".parse().unwrap(),
            "2001:db8::1".parse().unwrap(),
            "ffff::1".parse().unwrap(),
        ];
        let mut eps = Vec::new();
        for ip in ips {
            for port in [0, 80, 443, 65535] {
                eps.push(Endpoint { ip, port });
            }
        }
        let pairs: Vec<(Endpoint, Endpoint)> = eps
            .iter()
            .flat_map(|a| eps.iter().map(move |b| (*a, *b)))
            .collect();
        for (a, b) in &pairs {
            // Both directions, one key; equal keys only for the same pair of endpoints.
            assert_eq!(Key::new(a, b), Key::new(b, a));
            let canon = |a: Endpoint, b: Endpoint| if a <= b { (a, b) } else { (b, a) };
            for (c, d) in &pairs {
                assert_eq!(
                    Key::new(a, b).cmp(&Key::new(c, d)),
                    canon(*a, *b).cmp(&canon(*c, *d)),
                    "{a} {b} vs {c} {d}"
                );
            }
        }
    }

    #[test]
    fn timers_come_out_in_the_order_a_heap_gives_whatever_order_they_went_in() {
        let mut t = Timers::default();
        let mut heap = BinaryHeap::new();
        // Mostly rising, with steps back and ties (an LCG keeps it deterministic).
        let mut x: u64 = 7;
        let mut base = 0u64;
        let mut used_heap = false;
        for i in 0..5000u64 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            base += x >> 62; // 0..=3
            let v = if (x >> 40).is_multiple_of(10) {
                base.saturating_sub((x >> 20) % 50)
            } else {
                base
            };
            t.push((x >> 33) as usize % 2, (v, i));
            used_heap |= !t.heap.is_empty();
            heap.push(Reverse((v, i)));
            if (x >> 30).is_multiple_of(3) {
                assert_eq!(t.peek(), heap.peek().map(|r| r.0));
                assert_eq!(t.pop(), heap.pop().map(|r| r.0));
            }
        }
        while let Some(Reverse(want)) = heap.pop() {
            assert_eq!(t.pop(), Some(want));
        }
        assert_eq!(t.pop(), None);
        assert!(
            used_heap,
            "the steps back never reached the heap: the test lost its point"
        );
    }
    use crate::decode::Flags;
    use crate::track::testkit::{seg_secs as seg, ACK, FIN_ACK, RST_ACK, SYN, SYN_ACK};
    use crate::track::EventKind;

    fn closed_conn(t: &mut Tracker, isn: u32, t0: f64) {
        t.ingest(&seg(true, SYN, isn, 0, t0), 1);
        t.ingest(&seg(false, SYN_ACK, 9000, isn + 1, t0 + 0.001), 2);
        t.ingest(&seg(true, ACK, isn + 1, 9001, t0 + 0.002), 3);
        t.ingest(&seg(true, FIN_ACK, isn + 1, 9001, t0 + 0.003), 4);
        t.ingest(&seg(false, FIN_ACK, 9001, isn + 2, t0 + 0.004), 5);
        t.ingest(&seg(true, ACK, isn + 2, 9002, t0 + 0.005), 6);
    }

    #[test]
    fn get_finds_current_and_replaced_connections_by_id() {
        let mut t = Tracker::new(TrackerConfig::default());
        closed_conn(&mut t, 100, 0.0);
        let id2 = t.ingest(&seg(true, SYN, 777_777, 0, 1.0), 7);
        assert_eq!(t.get(id2).unwrap().id, id2);
        assert_eq!(t.get(1).unwrap().id, 1);
        assert!(t.get(99).is_none());
    }

    #[test]
    fn both_directions_find_the_same_connection() {
        let mut t = Tracker::new(TrackerConfig::default());
        let a = t.ingest(&seg(true, SYN, 1, 0, 0.0), 1);
        let b = t.ingest(&seg(false, SYN_ACK, 9, 2, 0.1), 2);
        assert_eq!(a, b);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn new_syn_on_time_wait_tuple_is_a_new_connection_and_old_is_kept() {
        let mut t = Tracker::new(TrackerConfig::default());
        closed_conn(&mut t, 100, 0.0);
        let id2 = t.ingest(&seg(true, SYN, 777_777, 0, 1.0), 7);
        assert_eq!(id2, 2);
        assert_eq!(t.stats.port_reuses, 1);
        let all = t.finish();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].states(), [State::TimeWait, State::Closed]);
        assert_eq!(all[0].handshake(), Handshake::Complete);
        assert_eq!(all[1].reuses, Some(1));
        assert_eq!(all[1].reused_from, Some([State::TimeWait, State::Closed]));
        assert_eq!(all[1].states(), [State::SynSent, State::Listen]);
    }

    #[test]
    fn new_syn_after_refusal_is_a_new_connection_but_a_retransmission_is_not() {
        let mut t = Tracker::new(TrackerConfig::default());
        t.ingest(&seg(true, SYN, 100, 0, 0.0), 1);
        t.ingest(&seg(false, RST_ACK, 0, 101, 0.001), 2);
        // Same ISN again: the old SYN retransmitted (stays on connection 1).
        assert_eq!(t.ingest(&seg(true, SYN, 100, 0, 0.5), 3), 1);
        // Not over any more (SYN_SENT again); a reset ends it, then a new ISN is new.
        t.ingest(&seg(false, RST_ACK, 0, 101, 0.501), 4);
        assert_eq!(t.ingest(&seg(true, SYN, 5555, 0, 1.0), 5), 2);
    }

    #[test]
    fn time_wait_expires_after_two_msl_of_capture_time() {
        let mut t = Tracker::new(TrackerConfig {
            msl: Timestamp::from_secs_f64(30.0),
            ..Default::default()
        });
        closed_conn(&mut t, 100, 0.0);
        t.advance(Timestamp::from_secs_f64(59.0));
        assert_eq!(t.get(1).unwrap().states()[0], State::TimeWait);
        t.advance(Timestamp::from_secs_f64(60.1));
        let c = t.get(1).unwrap();
        assert_eq!(c.states(), [State::Closed, State::Closed]);
        let last = c.events.last().unwrap();
        assert_eq!(last.kind, crate::track::EventKind::TimeWaitExpired);
        // Entered at t=0.004 (the server's FIN+ACK), so it ends at 60.004.
        assert_eq!(last.ts, Timestamp::from_secs_f64(60.004));
        assert_eq!(t.stats.time_wait_expired, 1);
    }

    /// A retiring tracker with one connection closed at t=0 (the client closing first).
    fn retiring_with_a_closed_conn(cfg: TrackerConfig) -> Tracker {
        let mut t = Tracker::new(TrackerConfig {
            retire: true,
            ..cfg
        });
        closed_conn(&mut t, 100, 0.0);
        t
    }

    /// Moves capture time to `secs`; nothing is retired yet.
    fn none_retired_at(t: &mut Tracker, secs: f64) {
        t.advance(Timestamp::from_secs_f64(secs));
        assert_eq!(t.drain_retired().count(), 0, "at {secs} s");
    }

    /// Moves capture time to `secs` and takes the one connection retired by then (the table
    /// left empty).
    fn only_retired_at(t: &mut Tracker, secs: f64) -> Box<Connection> {
        t.advance(Timestamp::from_secs_f64(secs));
        let mut out: Vec<_> = t.drain_retired().collect();
        assert_eq!(out.len(), 1);
        assert!(t.is_empty());
        out.pop().unwrap()
    }

    #[test]
    fn retire_in_time_wait_hands_out_a_clean_close_after_the_linger() {
        let mut t = retiring_with_a_closed_conn(TrackerConfig {
            retire_in_time_wait: true,
            ..Default::default()
        });
        none_retired_at(&mut t, 4.0);
        let c = only_retired_at(&mut t, 5.1);
        assert_eq!(c.states(), [State::TimeWait, State::Closed]);
    }

    #[test]
    fn retire_mode_hands_out_closed_connections_and_frees_them() {
        let mut t = retiring_with_a_closed_conn(TrackerConfig {
            msl: Timestamp::from_secs_f64(1.0),
            ..Default::default()
        });
        // TIME_WAIT ends at ~2.004; the connection lingers until 5 s after its last segment
        // (0.005).
        none_retired_at(&mut t, 3.0);
        assert_eq!(t.get(1).unwrap().states(), [State::Closed, State::Closed]);
        none_retired_at(&mut t, 5.0);
        let c = only_retired_at(&mut t, 5.1);
        assert_eq!(c.states(), [State::Closed, State::Closed]);
    }

    #[test]
    fn time_wait_longer_than_the_linger_retires_as_it_runs_out() {
        let mut t = retiring_with_a_closed_conn(TrackerConfig::default());
        // 2*MSL = 60 s from the last FIN (0.004): TIME_WAIT itself held the 4-tuple for strays.
        none_retired_at(&mut t, 59.9);
        let c = only_retired_at(&mut t, 60.01);
        assert_eq!(c.states(), [State::Closed, State::Closed]);
        let last = c.events.last().unwrap();
        assert_eq!(last.kind, EventKind::TimeWaitExpired);
        // Room was kept for the expiry: the log was not grown again for it.
        assert_eq!(c.events.capacity(), c.events.len());
        assert_eq!(t.stats.time_wait_expired, 1);
        assert_eq!(t.state_counts(), [[0; State::ALL.len()]; 2]);
    }

    #[test]
    fn full_table_evicts_closed_then_half_open_then_oldest() {
        let mut t = Tracker::new(TrackerConfig {
            retire: true,
            max_conns: 3,
            ..Default::default()
        });
        let on = |port: u16, c2s: bool, flags: u16, seq: u32, ack: u32, ts: f64| {
            let mut s = seg(c2s, flags, seq, ack, ts);
            if c2s {
                s.src.port = port;
            } else {
                s.dst.port = port;
            }
            s
        };
        // 1: established; 2: refused (closed); 3: a SYN never answered (half-open).
        t.ingest(&on(1001, true, SYN, 100, 0, 0.0), 1);
        t.ingest(&on(1001, false, SYN_ACK, 900, 101, 0.1), 2);
        t.ingest(&on(1001, true, ACK, 101, 901, 0.2), 3);
        t.ingest(&on(1002, true, SYN, 200, 0, 0.3), 4);
        t.ingest(&on(1002, false, RST_ACK, 0, 201, 0.4), 5);
        t.ingest(&on(1003, true, SYN, 300, 0, 0.5), 6);
        // Full: the closed one goes first, then the half-open one, then the oldest.
        t.ingest(&on(1004, true, SYN, 400, 0, 0.6), 7);
        assert_eq!(t.drain_retired().map(|c| c.id).collect::<Vec<_>>(), [2]);
        t.ingest(&on(1005, true, ACK | Flags::PSH, 500, 1, 0.7), 8);
        assert_eq!(t.drain_retired().map(|c| c.id).collect::<Vec<_>>(), [3]);
        t.ingest(&on(1006, true, ACK | Flags::PSH, 600, 1, 0.8), 9);
        // 4 (SYN only) is half-open: evicted before the established 1.
        assert_eq!(t.drain_retired().map(|c| c.id).collect::<Vec<_>>(), [4]);
        t.ingest(&on(1007, true, ACK | Flags::PSH, 700, 1, 0.9), 10);
        assert_eq!(t.drain_retired().map(|c| c.id).collect::<Vec<_>>(), [1]);
        assert_eq!(t.stats.evicted, 4);
        assert_eq!(t.table.len(), 3);
    }

    /// A segment from `port` (client side when `c2s`) to the server of `testkit::seg`.
    fn on(port: u16, c2s: bool, flags: u16, seq: u32, ack: u32, ts: f64) -> Segment {
        let mut s = seg(c2s, flags, seq, ack, ts);
        if c2s {
            s.src.port = port;
        } else {
            s.dst.port = port;
        }
        s
    }

    /// Every connection `segs` make, in id order, as each is written out: those retired on
    /// the way, then the rest at the end.
    fn written(cfg: TrackerConfig, segs: &[Segment]) -> (Vec<String>, Tracker) {
        let mut t = Tracker::new(TrackerConfig {
            retire: true,
            ..cfg
        });
        let mut out = Vec::new();
        for (i, s) in segs.iter().enumerate() {
            t.ingest(s, i as u64 + 1);
            out.extend(t.drain_retired().map(|c| *c));
        }
        out.extend(t.drain_by_id());
        out.sort_by_key(|c| c.id);
        (out.iter().map(|c| format!("{c:?}")).collect(), t)
    }

    /// Connections of every kind interleaved: complete ones, SYNs never answered (some sent
    /// again), refused ones, a SYN with options, one that goes on after a second SYN.
    fn mixed() -> Vec<Segment> {
        let mut segs = Vec::new();
        for i in 0..40u16 {
            let (p, isn, t) = (2000 + i, 100 * u32::from(i), f64::from(i) * 0.1);
            let mut syn = on(p, true, SYN, isn, 0, t);
            syn.options.mss = Some(1400 + i);
            syn.options.wscale = (i % 2 == 0).then_some(7);
            syn.options.sack_permitted = i % 3 == 0;
            syn.options.ip_len = 60;
            segs.push(syn);
            match i % 5 {
                0 => {
                    segs.push(on(p, false, SYN_ACK, 9000, isn + 1, t + 0.01));
                    segs.push(on(p, true, ACK, isn + 1, 9001, t + 0.02));
                    segs.push(on(p, true, FIN_ACK, isn + 1, 9001, t + 0.03));
                    segs.push(on(p, false, FIN_ACK, 9001, isn + 2, t + 0.04));
                    segs.push(on(p, true, ACK, isn + 2, 9002, t + 0.05));
                }
                1 => segs.push(on(p, false, RST_ACK, 0, isn + 1, t + 0.01)),
                2 => segs.push(on(p, true, SYN, isn, 0, t + 1.0)),
                3 => {
                    segs.push(on(p, true, SYN, isn, 0, t + 1.0));
                    segs.push(on(p, false, SYN_ACK, 7000, isn + 1, t + 1.01));
                }
                _ => {}
            }
        }
        // Every third 4-tuple on IPv6: attempts held in two queues, one order.
        for s in segs
            .iter_mut()
            .filter(|s| (s.src.port.max(s.dst.port) - 2000) % 3 == 1)
        {
            let v6 = |e: &mut Endpoint| {
                if let std::net::IpAddr::V4(a) = e.ip {
                    e.ip = std::net::IpAddr::V6(std::net::Ipv6Addr::new(
                        0x2001,
                        0xdb8,
                        0,
                        0,
                        0,
                        0,
                        0,
                        u16::from(a.octets()[3]),
                    ));
                }
            };
            v6(&mut s.src);
            v6(&mut s.dst);
        }
        segs.sort_by_key(|s| s.ts);
        segs
    }

    #[test]
    fn connections_held_as_attempts_are_written_as_if_tracked_in_full() {
        let segs = mixed();
        let (full, _) = written(TrackerConfig::default(), &segs);
        let (compact, t) = written(
            TrackerConfig {
                max_attempts: 1000,
                ..Default::default()
            },
            &segs,
        );
        assert_eq!(full.len(), 40);
        assert!(full.iter().any(|c| c.contains("2001:db8")), "{full:?}");
        assert_eq!(compact, full);
        assert_eq!(t.stats.evicted, 0);
    }

    #[test]
    fn attempts_are_held_apart_from_the_table_and_counted() {
        let mut t = Tracker::new(TrackerConfig {
            retire: true,
            max_attempts: 100,
            ..Default::default()
        });
        for i in 0..10u16 {
            t.ingest(
                &on(3000 + i, true, SYN, u32::from(i), 0, 0.0),
                u64::from(i) + 1,
            );
        }
        assert_eq!((t.table.len(), t.attempts.len(), t.len()), (0, 10, 10));
        let mut counts = [[0; State::ALL.len()]; 2];
        counts[0][State::SynSent as usize] = 10;
        counts[1][State::Listen as usize] = 10;
        assert_eq!(t.state_counts(), counts);
        // An answer makes its attempt a connection in the table.
        t.ingest(&on(3004, false, SYN_ACK, 50, 5, 0.1), 11);
        assert_eq!((t.table.len(), t.attempts.len()), (1, 9));
        let (a, b) = (
            on(3004, true, SYN, 0, 0, 0.0).src,
            seg(true, SYN, 0, 0, 0.0).dst,
        );
        assert_eq!(t.get_on(a, b).map(|c| c.id), Some(5));
        let all: Vec<u64> = t.drain_by_id().map(|c| c.id).collect();
        assert_eq!(all, (1..=10).collect::<Vec<_>>());
    }

    #[test]
    fn past_their_bound_the_oldest_attempts_are_evicted_and_remembered() {
        let mut t = Tracker::new(TrackerConfig {
            retire: true,
            max_attempts: 4,
            evicted_memory: 100,
            ..Default::default()
        });
        for i in 0..10u16 {
            t.ingest(
                &on(4000 + i, true, SYN, u32::from(i), 0, f64::from(i)),
                u64::from(i) + 1,
            );
        }
        assert_eq!(t.attempts.len(), 4);
        assert_eq!(t.stats.evicted, 6);
        let out: Vec<u64> = t.drain_retired().map(|c| c.id).collect();
        assert_eq!(out, (1..=6).collect::<Vec<_>>());
        // The first SYN again (same ISN) is a retransmission of an evicted attempt: counted.
        let id = t.ingest(&on(4000, true, SYN, 0, 0, 11.0), 11);
        assert_eq!((id, t.stats.after_eviction), (1, 1));
        // A new ISN there opens a new connection.
        let id = t.ingest(&on(4000, true, SYN, 77, 0, 12.0), 12);
        assert_eq!(id, 11);
        // It evicted the oldest attempt held (7): counted until it is handed out.
        assert_eq!(t.state_counts()[0][State::SynSent as usize], 5);
        assert_eq!(t.drain_retired().map(|c| c.id).collect::<Vec<_>>(), [7]);
        assert_eq!(t.state_counts()[0][State::SynSent as usize], 4);
    }

    #[test]
    fn a_full_connection_takes_the_room_of_the_oldest_attempts() {
        let mut t = Tracker::new(TrackerConfig {
            retire: true,
            max_attempts: 1000,
            // Room for one connection and one attempt, or for eleven attempts.
            conn_bytes: CONN_BYTES + ATTEMPT_BYTES,
            ..Default::default()
        });
        for i in 0..3u16 {
            t.ingest(
                &on(5000 + i, true, SYN, u32::from(i), 0, 0.0),
                u64::from(i) + 1,
            );
        }
        assert_eq!((t.attempts.len(), t.stats.evicted), (3, 0));
        // 5002 is answered: a connection in the table, which leaves room for one attempt.
        t.ingest(&on(5002, false, SYN_ACK, 9, 3, 0.1), 4);
        assert_eq!(
            (t.table.len(), t.attempts.len(), t.stats.evicted),
            (1, 1, 1)
        );
        let out: Vec<u64> = t.drain_retired().map(|c| c.id).collect();
        assert_eq!(out, [1]);
        assert!(!t.over_pool(0, 0));
        // A connection seen mid-stream takes the last attempt's room.
        t.ingest(&on(6000, true, ACK, 1, 1, 0.2), 5);
        assert_eq!(
            (t.table.len(), t.attempts.len(), t.stats.evicted),
            (2, 0, 2)
        );
        // Twelve SYNs: eleven would fit alone, but the table's two connections leave none.
        for i in 0..12u16 {
            t.ingest(
                &on(7000 + i, true, SYN, u32::from(i), 0, 1.0),
                10 + u64::from(i),
            );
        }
        assert_eq!(t.attempts.len(), 1);
    }

    #[test]
    fn endpoints_come_back_from_the_key() {
        let v4 = |s: &str| Endpoint {
            ip: s.parse().unwrap(),
            port: 443,
        };
        let (a, b) = (v4("10.0.0.9"), v4("10.0.0.1"));
        let k = Key::new(&a, &b);
        assert_eq!(k.endpoints(), (b, a));
        let (c, d) = (
            Endpoint {
                ip: "2001:db8::1".parse().unwrap(),
                port: 80,
            },
            Endpoint {
                ip: "fe80::2:3".parse().unwrap(),
                port: 65535,
            },
        );
        assert_eq!(Key::new(&d, &c).endpoints(), (c, d));
    }

    #[test]
    fn ipv4_keys_fit_in_twelve_bytes_and_come_back_whole() {
        let ep = |s: &str, port| Endpoint {
            ip: s.parse().unwrap(),
            port,
        };
        for (a, b) in [
            (ep("10.0.0.9", 443), ep("10.0.0.1", 65535)),
            (ep("255.255.255.255", 0), ep("0.0.0.0", 1)),
        ] {
            let k = Key::new(&a, &b);
            let small = k.small().expect("IPv4 is small");
            assert_eq!(Key::from_small(small), k);
        }
        // IPv6, also one that looks like IPv4 in its low word, keeps its full key.
        for (a, b) in [
            (ep("::1", 80), ep("::2", 81)),
            (ep("::ffff:10.0.0.1", 80), ep("10.0.0.2", 81)),
        ] {
            assert_eq!(Key::new(&a, &b).small(), None);
        }
    }

    #[test]
    fn an_evicted_connection_that_goes_on_is_counted_not_split() {
        // 50 established connections interleaved, 10 segments each, in a table of 10.
        let mut t = Tracker::new(TrackerConfig {
            retire: true,
            max_conns: 10,
            evicted_memory: 100,
            ..Default::default()
        });
        let mut frame = 0;
        let mut ingest = |t: &mut Tracker, s: Segment| {
            frame += 1;
            t.ingest(&s, frame)
        };
        for p in 0..50u16 {
            let ts = f64::from(p) * 0.01;
            ingest(&mut t, on(2000 + p, true, SYN, 100, 0, ts));
            ingest(&mut t, on(2000 + p, false, SYN_ACK, 900, 101, ts));
            ingest(&mut t, on(2000 + p, true, ACK, 101, 901, ts));
        }
        for round in 0..7u32 {
            for p in 0..50u16 {
                let ts = 1.0 + f64::from(round) + f64::from(p) * 0.001;
                let data = on(2000 + p, true, ACK | Flags::PSH, 101 + round, 901, ts);
                ingest(
                    &mut t,
                    Segment {
                        payload_len: 1,
                        ..data
                    },
                );
            }
        }
        let mut all: Vec<Connection> = t.drain_retired().map(|c| *c).collect();
        all.extend(t.drain_by_id());
        let ids: Vec<u64> = all.iter().map(|c| c.id).collect();
        // One record per connection: without the memory every later segment on an evicted
        // 4-tuple opened a mid-stream connection that evicted another (hundreds of records).
        assert_eq!(ids.len(), 50, "{ids:?}");
        assert_eq!(t.stats.connections, 50);
        assert_eq!(t.stats.evicted, 40);
        // Every segment is in a record or counted: 50 * 10 in all.
        let recorded: u64 = all
            .iter()
            .map(|c| c.ends[0].packets + c.ends[1].packets)
            .sum();
        assert!(t.stats.after_eviction > 0);
        assert_eq!(recorded + t.stats.after_eviction, 500);
    }

    #[test]
    fn a_new_syn_on_an_evicted_4_tuple_opens_a_connection_a_retransmitted_one_does_not() {
        let mut t = Tracker::new(TrackerConfig {
            retire: true,
            max_conns: 1,
            evicted_memory: 8,
            ..Default::default()
        });
        let a = t.ingest(&on(3001, true, SYN, 100, 0, 0.0), 1);
        t.ingest(&on(3002, true, SYN, 500, 0, 0.1), 2); // evicts 3001's
                                                        // 3001's SYN again (same ISN): a retransmission of the evicted attempt.
        assert_eq!(t.ingest(&on(3001, true, SYN, 100, 0, 1.0), 3), a);
        assert_eq!(t.stats.after_eviction, 1);
        // A SYN with a new ISN: a new connection on that 4-tuple.
        let b = t.ingest(&on(3001, true, SYN, 7000, 0, 2.0), 4);
        assert_ne!(b, a);
        assert_eq!(t.stats.connections, 3);
    }

    #[test]
    fn the_event_budget_bounds_events_across_connections_and_keeps_the_story() {
        let mut t = Tracker::new(TrackerConfig {
            retire: true,
            event_budget: 30,
            ..Default::default()
        });
        let mut frame = 0;
        for p in 0..5u16 {
            let ts = f64::from(p);
            for (c2s, flags, seq, ack) in [
                (true, SYN, 100, 0),
                (false, SYN_ACK, 900, 101),
                (true, ACK, 101, 901),
            ] {
                frame += 1;
                t.ingest(&on(4000 + p, c2s, flags, seq, ack, ts), frame);
            }
            for i in 0..20u32 {
                frame += 1;
                let d = on(4000 + p, true, ACK | Flags::PSH, 101 + i, 901, ts + 0.01);
                t.ingest(
                    &Segment {
                        payload_len: 1,
                        ..d
                    },
                    frame,
                );
            }
            frame += 1;
            t.ingest(&on(4000 + p, true, FIN_ACK, 121, 901, ts + 0.5), frame);
        }
        let conns = t.finish();
        let held: usize = conns.iter().map(|c| c.events.len()).sum();
        // Past the budget only the story is kept: every handshake and every FIN.
        assert!(held <= 30 + 5 * 4, "{held}");
        for c in &conns {
            assert!(
                c.events.iter().filter(|e| e.flags.syn()).count() == 2,
                "{}",
                c.id
            );
            assert!(c.events.iter().any(|e| e.flags.fin()), "{}", c.id);
            assert_eq!(c.events.len() as u64 + c.dropped.total(), 24, "{}", c.id);
        }
        assert!(t.stats.events_over_budget > 0);
        assert_eq!(t.stats.events_over_budget, t.stats.events_dropped);
    }

    #[test]
    fn state_counts_are_kept_as_the_table_changes() {
        // Counts are indexed by `s as usize`.
        for (i, s) in State::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
        }
        // 20k packets over 2k interleaved connections at 200 a second: handshakes, closes
        // both ways, resets, TIME_WAIT expiring on timers, port reuse, and (retire mode, a
        // small table) retirement and eviction.
        let bytes = crate::gen::bulk::leaked_capture(&crate::gen::bulk::BulkConfig {
            packets: 20_000,
            connections: 2_000,
            conn_rate: 200.0,
            ..Default::default()
        });
        let cfgs = [
            TrackerConfig::default(),
            TrackerConfig {
                retire: true,
                max_conns: 500,
                msl: Timestamp::from_secs_f64(1.0),
                ..Default::default()
            },
        ];
        for cfg in cfgs {
            let retire = cfg.retire;
            let mut t = Tracker::new(cfg);
            let mut reader = crate::capture::FileReader::from_bytes("bulk", bytes).unwrap();
            let mut dec = crate::decode::Decoder::default();
            let mut n = 0u64;
            let mut drained = 0;
            while let Some(pkt) = reader.next_packet().unwrap() {
                let Some((s, frame)) = dec.decode(&pkt) else {
                    continue;
                };
                t.ingest(&s, frame);
                n += 1;
                if n.is_multiple_of(97) {
                    assert_eq!(t.state_counts(), state_counts(t.connections()), "at {n}");
                }
                if n.is_multiple_of(301) {
                    drained += t.drain_retired().count();
                    assert_eq!(t.state_counts(), state_counts(t.connections()), "at {n}");
                }
            }
            t.advance(Timestamp(t.now().0 + 3600 * Timestamp::NANOS_PER_SEC));
            assert_eq!(t.state_counts(), state_counts(t.connections()));
            assert_eq!(retire, drained > 0);
            assert!(t.stats.time_wait_expired > 0);
            drained += t.drain_retired().count();
            assert_eq!(t.state_counts(), state_counts(t.connections()));
            let total: u64 = t.state_counts()[0].iter().sum();
            assert_eq!(total as usize, t.len());
            assert_eq!(t.finish().len() + drained, t.stats.connections as usize);
            assert_eq!(t.state_counts(), [[0; State::ALL.len()]; 2]);
        }
    }

    #[test]
    fn get_on_finds_a_connection_by_its_4_tuple_either_way() {
        let mut t = Tracker::new(TrackerConfig::default());
        let id = t.ingest(&seg(true, SYN, 1, 0, 0.0), 1);
        let s = seg(true, SYN, 1, 0, 0.0);
        assert_eq!(t.get_on(s.src, s.dst).map(|c| c.id), Some(id));
        assert_eq!(t.get_on(s.dst, s.src).map(|c| c.id), Some(id));
        assert!(t.get_on(s.src, s.src).is_none());
    }
}
