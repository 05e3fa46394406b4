//! The diagnosis as the UI keeps it: every connection's findings, the patterns across
//! connections (TIME_WAIT piles, SYN floods) and the problems view's rows, worst first.
//!
//! Cost stays bounded with many connections: [`DiagCache::refresh`] (called by the event
//! loop a few times a second, and after each step) re-diagnoses the connections that changed
//! since their last diagnosis first, then the ones whose findings depend on the clock alone
//! (TIME_WAIT running down, CLOSE_WAIT getting stuck, idle), taking turns, within a budget.
//! Connections that are closed on both ends and unchanged are never diagnosed again. Rows are
//! built here, at refresh time, so drawing a frame only reads the rows it shows.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::decode::{Endpoint, Timestamp};
use crate::diagnose::report::Group;
use crate::diagnose::{diagnose, DiagConfig, Diagnosis, Finding, Kind};
use crate::track::{Connection, Side, State};

/// What a connection looked like when it was last diagnosed: if any of it moves, it is
/// diagnosed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    events: usize,
    dropped: u64,
    last_seen: Timestamp,
    states: [State; 2],
}

impl Stamp {
    fn of(c: &Connection) -> Stamp {
        Stamp {
            events: c.events.len(),
            dropped: c.events_dropped,
            last_seen: c.last_seen,
            states: c.states(),
        }
    }
}

struct Entry {
    stamp: Stamp,
    /// The round in which it was last diagnosed (see [`DiagCache::refresh`]).
    round: u64,
    /// The refresh pass that last saw the connection (entries not seen are dropped).
    pass: u64,
    findings: Vec<Finding>,
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

    pub fn text(&self) -> String {
        match self {
            Place::Server(e) => format!("{e} (server)"),
            Place::Client(ip) => format!("{ip} (client)"),
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
        title: String,
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
pub struct DiagCache {
    pub cfg: DiagConfig,
    entries: HashMap<u64, Entry>,
    round: u64,
    pass: u64,
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
    /// Connections whose diagnosis is behind (the budget ran out).
    pub behind: usize,
    /// Bumped when the rows or counts change.
    pub generation: u64,
}

impl DiagCache {
    pub fn new(cfg: DiagConfig) -> DiagCache {
        DiagCache {
            cfg,
            entries: HashMap::new(),
            round: 1,
            pass: 0,
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
        *self = DiagCache {
            generation: self.generation + 1,
            ..DiagCache::new(self.cfg.clone())
        };
    }

    /// The findings of connection `id` as of the last refresh.
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

    /// Brings the findings up to date with `conns` as of `now`. Changed connections come
    /// first, then the clock-dependent ones in turns; at most `budget` of work (none: all).
    pub fn refresh<'a, I: Iterator<Item = &'a Connection>>(
        &mut self,
        conns: impl Fn() -> I,
        now: Timestamp,
        budget: Option<Duration>,
    ) {
        let started = Instant::now();
        // The clock is read every CHUNK diagnoses: at least that many are done per refresh.
        const CHUNK: usize = 16;
        let over = |n: usize| {
            n > 0 && n.is_multiple_of(CHUNK) && budget.is_some_and(|b| started.elapsed() >= b)
        };
        self.pass += 1;
        let pass = self.pass;
        let mut changed = false;
        let mut recheck: Vec<&Connection> = Vec::new();
        let mut done = 0usize;
        let mut behind = 0usize;
        // Changed (or new) connections first.
        for c in conns() {
            let stamp = Stamp::of(c);
            match self.entries.get_mut(&c.id) {
                Some(e) if e.stamp == stamp => {
                    e.pass = pass;
                    if e.round < self.round && time_sensitive(c) {
                        recheck.push(c);
                    }
                }
                _ => {
                    if over(done) || behind > 0 {
                        behind += 1;
                        if let Some(e) = self.entries.get_mut(&c.id) {
                            e.pass = pass;
                        }
                        continue;
                    }
                    let findings = diagnose(c, now, &self.cfg);
                    done += 1;
                    changed = true;
                    self.entries.insert(
                        c.id,
                        Entry {
                            stamp,
                            round: self.round,
                            pass,
                            findings,
                        },
                    );
                }
            }
        }
        // Then the ones only the clock moves, each once per round.
        let mut left = recheck.len();
        for c in recheck {
            if behind > 0 || over(done) {
                break;
            }
            let findings = diagnose(c, now, &self.cfg);
            done += 1;
            left -= 1;
            if let Some(e) = self.entries.get_mut(&c.id) {
                if e.findings != findings {
                    e.findings = findings;
                    changed = true;
                }
                e.round = self.round;
            }
        }
        if left == 0 && behind == 0 {
            self.round += 1;
        }
        let before = self.entries.len();
        self.entries.retain(|_, e| e.pass == pass);
        changed |= self.entries.len() != before;
        self.behind = behind + left;
        if changed || self.at.is_none() {
            self.rebuild(conns());
            self.generation += 1;
        }
        self.at = Some(now);
    }

    /// Patterns, counts and rows from the cached findings (no connection is diagnosed).
    fn rebuild<'a>(&mut self, conns: impl Iterator<Item = &'a Connection>) {
        let mut d = Diagnosis::new(self.cfg.clone());
        // In order of connection, as `--diagnose` sees them (patterns list their first ones).
        let mut conns: Vec<&Connection> = conns.collect();
        conns.sort_unstable_by_key(|c| c.id);
        for c in conns {
            if let Some(e) = self.entries.get(&c.id) {
                d.note(c, &e.findings);
            }
        }
        self.groups = d.groups();
        self.connections = d.connections as usize;
        self.with_findings = d.with_findings as usize;
        self.by_kind = [0; Kind::ALL.len()];
        self.total = 0;
        let mut problems = 0;
        // kind -> place -> (weight, conn, idx)
        let mut tree: BTreeMap<Kind, BTreeMap<Place, Ranked>> = BTreeMap::new();
        for (id, e) in &self.entries {
            for (i, f) in e.findings.iter().enumerate() {
                self.total += 1;
                self.by_kind[f.kind as usize] += 1;
                problems += usize::from(f.problem);
                tree.entry(f.kind)
                    .or_default()
                    .entry(Place::of(f))
                    .or_default()
                    .push((f.weight, *id, i));
            }
        }
        self.problems = problems + self.groups.len();
        let mut rows = Vec::with_capacity(self.total + 16);
        if !self.groups.is_empty() {
            rows.push(PRow::Section {
                title: "Patterns across connections".into(),
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
                title: kind.title().into(),
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
