//! The diagnosis as the UI keeps it: every connection's findings, the patterns across
//! connections (TIME_WAIT piles, SYN floods) and the problems view's rows, worst first.
//!
//! Cost stays bounded with many connections: [`FindingsCache::refresh`] (called by the event
//! loop a few times a second, and after each step) goes through the connections in order of
//! number in a *pass* that may span several calls, each within a time budget, so that a frame
//! is never held up by 100,000 connections. A connection is diagnosed again only if it changed
//! since its last diagnosis, or if its findings depend on the clock (TIME_WAIT running down,
//! CLOSE_WAIT getting stuck, idle) and the clock moved; the others keep their findings. The
//! counts, patterns and rows are built as the pass goes and published when it ends, all at
//! once, so what the screen shows is always one whole pass (the previous one until then).
//! Rows are built here, so drawing a frame only reads the rows it shows.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;

use crate::decode::{Endpoint, Timestamp};
use crate::diagnose::report::Group;
use crate::diagnose::{diagnose, DiagConfig, Diagnosis, Finding, Kind};
use crate::kernel::View;
use crate::track::{Connection, Side, State};

use super::index::SortedIds;

/// What a connection looked like when it was last diagnosed: if any of it moves, it is
/// diagnosed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    events: usize,
    dropped: u64,
    last_seen: Timestamp,
    states: [State; 2],
    /// Which kernel view it was compared with (live and lab runs: a number that changes with
    /// each new view).
    kernel: Option<u64>,
}

/// The kernel's view (live and lab runs) and a number that changes with each new one.
pub type KernelView<'a> = Option<(&'a View, u64)>;

impl Stamp {
    fn of(c: &Connection, kernel: KernelView) -> Stamp {
        Stamp {
            events: c.events.len(),
            dropped: c.events_dropped(),
            last_seen: c.last_seen,
            states: c.states(),
            kernel: kernel.map(|k| k.1),
        }
    }
}

/// What the diagnosis finds in `c`, and where the kernel's view says otherwise, that too (the
/// `kernel_disagrees` finding the batch modes write, so that the problems view lists it).
pub fn findings_with_kernel(
    c: &Connection,
    now: Timestamp,
    cfg: &DiagConfig,
    kernel: Option<&View>,
) -> Vec<Finding> {
    let mut findings = diagnose(c, now, cfg);
    if let Some(v) = kernel {
        findings.extend(crate::kernel::findings(c, &v.pair(c), true));
    }
    findings
}

#[derive(Clone)]
struct Entry {
    stamp: Stamp,
    /// The time it was diagnosed as of.
    at: Timestamp,
    /// Shared between the published entries and the pass being built.
    findings: Rc<[Finding]>,
}

/// Whose findings can change with the clock alone (no new segment).
fn time_sensitive(c: &Connection) -> bool {
    c.ends
        .iter()
        .any(|e| e.state != State::Closed || e.zero_window_since.is_some())
}

/// What a finding is grouped under in the problems view: a server by its address and port; a
/// client by its address only (its ports are ephemeral, one per connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    Server(Endpoint),
    Client(IpAddr),
}

impl Place {
    pub fn of(f: &Finding) -> Place {
        match f.side {
            Side::Server => Place::Server(f.endpoint),
            Side::Client => Place::Client(f.endpoint.ip),
        }
    }

    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        let place = crate::i18n::messages(lang).problems_view.place;
        match self {
            Place::Server(e) => place(&e.to_string(), false),
            Place::Client(ip) => place(&ip.to_string(), true),
        }
    }
}

/// Findings of one kind and place, as (weight, connection, index among its findings).
type Ranked = Vec<(f64, u64, usize)>;

/// One row of the problems view.
#[derive(Debug, Clone, PartialEq)]
pub enum PRow {
    /// A section: patterns, or one kind of finding.
    Section {
        /// The kind of finding; `None` for the patterns across connections.
        kind: Option<Kind>,
        count: usize,
        problems: usize,
    },
    /// A pattern across connections: `groups[i]`.
    Group(usize),
    /// The endpoint the findings below concern, and how many there are.
    Place { place: Place, count: usize },
    /// The `idx`-th finding of connection `conn`.
    Finding { conn: u64, idx: usize },
}

impl PRow {
    /// Rows the cursor can stand on.
    pub fn selectable(&self) -> bool {
        matches!(self, PRow::Group(_) | PRow::Finding { .. })
    }
}

/// What identifies a selectable row across refreshes (rows move as findings change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PKey {
    Group(&'static str, Endpoint),
    Finding(u64, Kind, Side),
}

/// The findings of every connection shown, kept up to date incrementally.
pub struct FindingsCache {
    pub cfg: DiagConfig,
    /// The findings the published counts and rows were built from, by connection.
    entries: FxHashMap<u64, Entry>,
    /// The pass under way, if any.
    pass: Option<Pass>,
    /// The findings the previous pass published, let go of a piece at a time (freeing a whole
    /// pass's worth at once held a frame up for tens of milliseconds).
    dying: Option<std::collections::hash_map::IntoIter<u64, Entry>>,
    /// Patterns across connections, biggest first.
    pub groups: Vec<Group>,
    /// The problems view, worst first.
    pub rows: Vec<PRow>,
    /// Findings in all, problems among them (patterns count as problems), connections with a
    /// finding, connections diagnosed.
    pub total: usize,
    pub problems: usize,
    pub with_findings: usize,
    pub connections: usize,
    /// Findings per kind, in [`Kind::ALL`]'s order.
    pub by_kind: [usize; Kind::ALL.len()],
    /// The time the findings are as of (capture time for files, wall clock live).
    pub at: Option<Timestamp>,
    /// Connections the pass under way has still to go through.
    pub behind: usize,
    /// Bumped when the rows or counts change.
    pub generation: u64,
}

/// A pass over the connections, in order of number (see the module documentation).
struct Pass {
    /// The next connection to go through: the first at or above this number.
    from: u64,
    /// The newest connection when the pass began: the pass ends there, so that it ends even
    /// while connections keep coming.
    last: u64,
    /// What the pass has found so far: the next published state.
    entries: FxHashMap<u64, Entry>,
    diagnosis: Diagnosis,
    /// kind -> place -> (weight, connection, index among its findings)
    tree: BTreeMap<Kind, BTreeMap<Place, Ranked>>,
    /// Findings, per kind, and problems among them.
    total: usize,
    by_kind: [usize; Kind::ALL.len()],
    problems: usize,
    /// Some connection's findings differ from the published ones.
    changed: bool,
    /// Every connection has been gone through: what is left is to build the patterns and the
    /// rows, and publish.
    visited: bool,
}

impl Pass {
    /// Connection `c` (id `id`) in this pass: its findings as published if nothing they
    /// depend on changed, else diagnosed again as of `now`; counted and placed in the tree.
    fn visit(
        &mut self,
        id: u64,
        c: &Connection,
        published: &FxHashMap<u64, Entry>,
        now: Timestamp,
        cfg: &DiagConfig,
        kernel: KernelView,
    ) {
        let stamp = Stamp::of(c, kernel);
        let entry = match published.get(&id) {
            // Unchanged, and the clock either stood still or does not matter.
            Some(e) if e.stamp == stamp && (e.at == now || !time_sensitive(c)) => e.clone(),
            old => {
                let findings = findings_with_kernel(c, now, cfg, kernel.map(|k| k.0));
                if old.is_none_or(|e| *e.findings != *findings) {
                    self.changed = true;
                }
                Entry {
                    stamp,
                    at: now,
                    findings: findings.into(),
                }
            }
        };
        self.diagnosis.note(c, &entry.findings);
        for (i, f) in entry.findings.iter().enumerate() {
            self.total += 1;
            self.by_kind[f.kind as usize] += 1;
            self.problems += usize::from(f.problem);
            self.tree
                .entry(f.kind)
                .or_default()
                .entry(Place::of(f))
                .or_default()
                .push((f.weight, id, i));
        }
        self.entries.insert(id, entry);
    }
}

impl FindingsCache {
    pub fn new(cfg: DiagConfig) -> FindingsCache {
        FindingsCache {
            cfg,
            entries: FxHashMap::default(),
            pass: None,
            dying: None,
            groups: Vec::new(),
            rows: Vec::new(),
            total: 0,
            problems: 0,
            with_findings: 0,
            connections: 0,
            by_kind: [0; Kind::ALL.len()],
            at: None,
            behind: 0,
            generation: 0,
        }
    }

    /// Forgets everything (the replay starts again).
    pub fn clear(&mut self) {
        *self = FindingsCache {
            generation: self.generation + 1,
            ..FindingsCache::new(self.cfg.clone())
        };
    }

    /// A pass is under way: [`FindingsCache::refresh`] goes on with it.
    pub fn in_pass(&self) -> bool {
        self.pass.is_some()
    }

    /// Findings of the previous pass are still to be let go of (see [`FindingsCache::tidy`]).
    pub fn untidy(&self) -> bool {
        self.dying.is_some()
    }

    /// Lets go of the previous pass's findings, spending at most about `budget` (none: all).
    /// True when nothing is left.
    pub fn tidy(&mut self, budget: Option<Duration>) -> bool {
        let started = Instant::now();
        let Some(old) = self.dying.as_mut() else {
            return true;
        };
        loop {
            for _ in 0..256 {
                if old.next().is_none() {
                    self.dying = None;
                    return true;
                }
            }
            if budget.is_some_and(|b| started.elapsed() >= b) {
                return false;
            }
        }
    }

    /// The findings of connection `id` as of the last published pass.
    pub fn findings(&self, id: u64) -> &[Finding] {
        self.entries.get(&id).map_or(&[], |e| &e.findings)
    }

    /// The finding a row stands for.
    pub fn finding(&self, conn: u64, idx: usize) -> Option<&Finding> {
        self.findings(conn).get(idx)
    }

    pub fn key(&self, row: &PRow) -> Option<PKey> {
        match row {
            PRow::Group(i) => self
                .groups
                .get(*i)
                .map(|g| PKey::Group(g.pattern, g.endpoint)),
            PRow::Finding { conn, idx } => self
                .finding(*conn, *idx)
                .map(|f| PKey::Finding(*conn, f.kind, f.side)),
            _ => None,
        }
    }

    /// Goes on with the pass over the connections `ids` (starting one if none is under way)
    /// as of `now`, spending at most about `budget` (none: to the end of the pass); `get`
    /// finds a connection by number. When the pass ends, what it found is published (and
    /// `generation` bumped if anything changed).
    pub fn refresh<'a>(
        &mut self,
        ids: &SortedIds,
        get: impl Fn(u64) -> Option<&'a Connection>,
        now: Timestamp,
        budget: Option<Duration>,
        kernel: KernelView,
    ) {
        let started = Instant::now();
        if !self.tidy(budget) {
            return;
        }
        let spent = || budget.is_some_and(|b| started.elapsed() >= b);
        // The clock is read every CHUNK connections: at least that many are gone through per
        // call.
        const CHUNK: usize = 16;
        let cfg = &self.cfg;
        let published = &self.entries;
        let pass = self.pass.get_or_insert_with(|| Pass {
            from: 0,
            last: ids.last().unwrap_or(0),
            // Room for them all from the start: no rehash of a large table in one call.
            entries: FxHashMap::with_capacity_and_hasher(
                published.len() + published.len() / 8,
                Default::default(),
            ),
            diagnosis: Diagnosis::new(cfg.clone()),
            tree: BTreeMap::new(),
            total: 0,
            by_kind: [0; Kind::ALL.len()],
            problems: 0,
            changed: false,
            visited: false,
        });
        let mut ended = true;
        for (seen, id) in ids.iter_ge(pass.from).enumerate() {
            if pass.visited || id > pass.last {
                break;
            }
            if seen > 0 && seen.is_multiple_of(CHUNK) && spent() {
                pass.from = id;
                ended = false;
                break;
            }
            if let Some(c) = get(id) {
                pass.visit(id, c, published, now, cfg, kernel);
            }
        }
        if !ended {
            self.behind = ids.count_below(pass.last.saturating_add(1)) - ids.count_below(pass.from);
            return;
        }
        self.behind = 0;
        if !pass.visited {
            pass.visited = true;
            // The patterns and rows in a call of their own if this one has spent its time.
            if spent() {
                return;
            }
        }
        let Some(pass) = self.pass.take() else {
            return;
        };
        // Connections gone since the last pass change the counts too.
        let changed = pass.changed || pass.entries.len() != self.entries.len();
        let old = std::mem::replace(&mut self.entries, pass.entries);
        self.dying = Some(old.into_iter());
        if budget.is_none() {
            self.tidy(None);
        }
        if changed || self.at.is_none() {
            self.total = pass.total;
            self.by_kind = pass.by_kind;
            self.problems = pass.problems;
            self.publish(pass.diagnosis, pass.tree);
            self.generation += 1;
        }
        self.at = Some(now);
    }

    /// Patterns and rows from what a pass found (its findings are in `entries`, its counts of
    /// findings already set); patterns count as problems.
    fn publish(&mut self, d: Diagnosis, tree: BTreeMap<Kind, BTreeMap<Place, Ranked>>) {
        self.groups = d.groups();
        self.connections = d.connections as usize;
        self.with_findings = d.with_findings as usize;
        self.problems += self.groups.len();
        let mut rows = Vec::with_capacity(self.total + 16);
        if !self.groups.is_empty() {
            rows.push(PRow::Section {
                kind: None,
                count: self.groups.len(),
                problems: self.groups.len(),
            });
            rows.extend((0..self.groups.len()).map(PRow::Group));
        }
        for (kind, places) in tree {
            let count: usize = places.values().map(Vec::len).sum();
            let problems = places
                .values()
                .flatten()
                .filter(|(_, c, i)| self.finding(*c, *i).is_some_and(|f| f.problem))
                .count();
            rows.push(PRow::Section {
                kind: Some(kind),
                count,
                problems,
            });
            let mut places: Vec<(Place, Ranked)> = places.into_iter().collect();
            for (_, list) in places.iter_mut() {
                list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            }
            // The place with most findings first, then the worst one.
            places.sort_by(|a, b| {
                b.1.len()
                    .cmp(&a.1.len())
                    .then(b.1[0].0.total_cmp(&a.1[0].0))
                    .then(a.0.cmp(&b.0))
            });
            for (place, list) in places {
                rows.push(PRow::Place {
                    place,
                    count: list.len(),
                });
                rows.extend(
                    list.into_iter()
                        .map(|(_, conn, idx)| PRow::Finding { conn, idx }),
                );
            }
        }
        self.rows = rows;
    }
}
