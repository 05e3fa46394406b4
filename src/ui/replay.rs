//! The replay controller: owns the tracker and the replay clock, and is fed from the capture
//! thread's channel.
//!
//! Time is the capture's own: the replay clock is capture time, moved forward by wall time
//! multiplied by the speed factor. Segments are applied to the tracker when the clock reaches
//! their timestamp. The controller never blocks: it takes what the channel has (and only as
//! much as it needs, so a file source waits on the bounded channel instead of filling memory)
//! and does a bounded amount of work per call.
//!
//! Stepping back rebuilds the tracker from the start (the tracker is deterministic): the
//! source is restarted and the controller fast-forwards to one segment before.
//!
//! Wall time comes in as arguments, so the controller can be driven by tests without a clock.

use std::collections::{hash_map, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;

use super::findings_cache::FindingsCache;
use super::index::SortedIds;
use crate::capture::source::{SourceMsg, SourceStatus};
use crate::decode::{Endpoint, Item, Segment, Timestamp};
use crate::diagnose::{diagnose, DiagConfig, Finding};
use crate::track::table::StateCounts;
use crate::track::{Connection, State, Tracker, TrackerConfig};

/// Replay speed factors reachable with `+` and `-` (then `max`).
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// Segments held ahead of the replay clock before the controller stops reading the channel.
const PENDING_MAX: usize = 16 * 1024;
/// A paused live capture keeps at most this many segments back; beyond it the oldest are
/// applied (capture must never wait for the screen).
const LIVE_PAUSE_MAX: usize = 200_000;
/// Connections kept for display after the tracker retires them (closed for 2*MSL).
pub const CLOSED_KEEP: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    X(f64),
    Max,
}

impl Speed {
    /// `1`, `0.25`, `4x`, `max`; factors between 0.25 and 64.
    pub fn parse(s: &str) -> Result<Speed, String> {
        if s.trim().eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        let t = s.trim().trim_end_matches(['x', 'X']);
        match t.parse::<f64>() {
            Ok(f) if (SPEEDS[0]..=SPEEDS[SPEEDS.len() - 1]).contains(&f) => Ok(Speed::X(f)),
            _ => Err(format!(
                "--speed must be a factor from 0.25 to 64, or max; not {s:?}"
            )),
        }
    }

    pub fn faster(self) -> Speed {
        match self {
            Speed::X(f) => SPEEDS
                .iter()
                .find(|s| **s > f + 1e-9)
                .map_or(Speed::Max, |s| Speed::X(*s)),
            Speed::Max => Speed::Max,
        }
    }

    pub fn slower(self) -> Speed {
        match self {
            Speed::X(f) => Speed::X(
                SPEEDS
                    .iter()
                    .rev()
                    .find(|s| **s < f - 1e-9)
                    .copied()
                    .unwrap_or(SPEEDS[0]),
            ),
            Speed::Max => Speed::X(SPEEDS[SPEEDS.len() - 1]),
        }
    }

    pub fn label(self) -> String {
        match self {
            Speed::X(f) => format!("{f}x"),
            Speed::Max => "max".into(),
        }
    }
}

/// What the user asks the replay to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    TogglePause,
    StepForward,
    StepBack,
    Faster,
    Slower,
    /// Back to the start, playing.
    Restart,
    /// Back to the start, paused (Home).
    JumpStart,
    /// Everything at once, then paused (End).
    JumpEnd,
    /// Jump the clock over the idle gap to the next segment.
    SkipGap,
}

/// Where a connection on screen is: in the tracker's table (on its 4-tuple), or the `n`-th
/// one retired into [`Replay::closed`] since the start.
#[derive(Debug, Clone, Copy)]
enum Loc {
    Table(Endpoint, Endpoint),
    Closed(u64),
}

/// Numbers replay controllers, so that caches built on one are never taken for another's.
static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// Starts the source again from its beginning (files only).
pub type Restart = Box<dyn FnMut() -> Result<Receiver<SourceMsg>, String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seek {
    /// Stop when this many segments have been applied.
    target: u64,
    /// Play on (true) or pause (false) once there.
    play_after: bool,
}

/// The replay controller (see the module documentation).
pub struct Replay {
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
    /// Where each connection shown is, by id: [`Replay::connection`] without a scan.
    locs: FxHashMap<u64, Loc>,
    /// The ids of the connections shown, in order: the list's default order, read without a
    /// pass over the connections.
    pub ids: SortedIds,
    /// Bumped whenever a connection shown appears, changes or goes (caches of the list key on
    /// it, with [`Replay::instance`]).
    pub changes: u64,
    instance: u64,
    /// [`Replay::at_end`] as of the last pump.
    ended: bool,
    pending: VecDeque<(Segment, u64)>,
    rx: Option<Receiver<SourceMsg>>,
    restart: Option<Restart>,
    /// The source's latest status (name, live, counters, drops, done, error).
    pub status: SourceStatus,
    /// Segments applied to the tracker since the start.
    pub applied: u64,
    /// Replay clock (capture time); `None` before the first segment.
    pub clock: Option<Timestamp>,
    /// Timestamp of the first segment.
    pub first_ts: Option<Timestamp>,
    pub speed: Speed,
    pub paused: bool,
    /// Idle gaps longer than this (capture seconds) are skipped.
    pub max_gap: Option<f64>,
    pub gaps_skipped: u64,
    seek: Option<Seek>,
    steps: u32,
    /// Connection of the newest applied segment, and when (wall time) it was applied.
    pub last: Option<(u64, Instant)>,
    /// Segments applied per wall second (over the last second or so).
    pub rate: f64,
    rate_mark: Option<(Instant, u64)>,
    last_pump: Option<Instant>,
    /// A one-line note for the status bar (e.g. why a key did nothing).
    pub note: Option<String>,
    /// Bumped whenever something visible changes, so the screen knows when to redraw.
    pub generation: u64,
    /// The findings of every connection, as of [`Replay::diag_now`] (see [`FindingsCache`]).
    pub diag: FindingsCache,
    /// The wall clock as a timestamp (live capture only), set by the event loop.
    pub wall: Option<Timestamp>,
}

impl Replay {
    /// A controller with no source yet (see [`Replay::attach`]), for `name` (file or
    /// interface). A live source is never paced, stepped back or restarted.
    pub fn new(cfg: TrackerConfig, name: &str, live: bool) -> Replay {
        let two_msl = 2.0 * cfg.msl.0 as f64 / 1e9;
        Replay {
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
            ended: false,
            pending: VecDeque::new(),
            rx: None,
            restart: None,
            status: SourceStatus {
                name: name.to_string(),
                live,
                ..Default::default()
            },
            applied: 0,
            clock: None,
            first_ts: None,
            speed: Speed::X(1.0),
            paused: false,
            max_gap: None,
            gaps_skipped: 0,
            seek: None,
            steps: 0,
            last: None,
            rate: 0.0,
            rate_mark: None,
            last_pump: None,
            note: None,
            generation: 0,
            diag: FindingsCache::new(DiagConfig {
                two_msl,
                ..DiagConfig::default()
            }),
            wall: None,
        }
    }

    /// "Now" for the diagnosis: capture time for a file (the replay clock, so a finding
    /// appears when the replay reaches it), the wall clock for a live capture.
    pub fn diag_now(&self) -> Timestamp {
        let capture = self.clock.unwrap_or(self.tracker.now());
        match (self.is_live(), self.wall) {
            (true, Some(w)) => w.max(capture),
            _ => capture,
        }
    }

    /// The findings of `c` as of now, diagnosed afresh (one connection: cheap; used for the
    /// selected connection so its sentences and countdown are exact).
    pub fn findings_of(&self, c: &Connection) -> Vec<Finding> {
        diagnose(c, self.diag_now(), &self.diag.cfg)
    }

    /// Brings the findings up to date (see [`FindingsCache::refresh`]); `budget` bounds the work.
    pub fn refresh_diagnosis(&mut self, budget: Option<Duration>) {
        let now = self.diag_now();
        let before = self.diag.generation;
        // Out for the call, so that it can look connections up in the rest of the replay.
        let mut diag = std::mem::replace(&mut self.diag, FindingsCache::new(DiagConfig::default()));
        diag.refresh(&self.ids, |id| self.connection(id), now, budget);
        self.diag = diag;
        if self.diag.generation != before {
            self.generation += 1;
        }
    }

    /// The wall clock moved (live capture): timers run up to it, as `--json` live does, so a
    /// TIME_WAIT ends on time even when no packet comes.
    pub fn set_wall(&mut self, wall: Timestamp) {
        if !self.is_live() {
            return;
        }
        self.wall = Some(wall);
        // Never past a segment still waiting to be applied.
        let to = self.pending.front().map_or(wall, |(s, _)| s.ts.min(wall));
        if self.applied > 0 && to > self.tracker.now() {
            self.advance_to(to);
        }
    }

    /// Runs the tracker's timers up to `to` (TIME_WAIT ends, connections retire).
    fn advance_to(&mut self, to: Timestamp) {
        let expired = self.tracker.stats.time_wait_expired;
        self.tracker.advance(to);
        if self.tracker.stats.time_wait_expired != expired {
            self.changes += 1;
        }
        self.take_retired();
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

    /// Reads segments and status from `rx`; `restart` (files) can start the source again.
    pub fn attach(&mut self, rx: Receiver<SourceMsg>, restart: Option<Restart>) {
        self.rx = Some(rx);
        self.restart = restart;
    }

    pub fn is_live(&self) -> bool {
        self.status.live
    }

    /// Every connection to show: the tracker's, then the retired ones kept.
    pub fn connections(&self) -> impl Iterator<Item = &Connection> {
        self.tracker.connections().chain(self.closed.iter())
    }

    /// How many connections [`Replay::connections`] gives.
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

    /// Per-state counts over [`Replay::connections`], both ends (kept as they change).
    pub fn state_counts(&self) -> StateCounts {
        let mut out = self.tracker.state_counts();
        for (o, c) in out.iter_mut().zip(&self.closed_counts) {
            for (o, c) in o.iter_mut().zip(c) {
                *o += c;
            }
        }
        out
    }

    /// Tells this controller apart from others (for caches built on it).
    pub fn instance(&self) -> u64 {
        self.instance
    }

    /// The source has ended and every segment it sent has been applied.
    pub fn at_end(&self) -> bool {
        self.status.done && self.rx.is_none() && self.pending.is_empty()
    }

    pub fn seeking(&self) -> bool {
        self.seek.is_some()
    }

    /// Segments read but not yet shown.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Something moves on its own: the screen should redraw often.
    pub fn busy(&self) -> bool {
        self.seek.is_some() || (!self.paused && !self.at_end()) || self.steps > 0
    }

    /// Forgets the last wall time seen, so the clock does not jump over a stop (Ctrl-Z).
    pub fn hold(&mut self) {
        self.last_pump = None;
    }

    /// Seconds of capture time until the next segment, while playing a file at a speed factor.
    pub fn idle_gap(&self) -> Option<f64> {
        if self.paused || self.is_live() || self.seek.is_some() || self.speed == Speed::Max {
            return None;
        }
        let (next, _) = self.pending.front()?;
        Some(next.ts.secs_since(self.clock?))
    }

    /// Seconds of capture time since the first segment.
    pub fn elapsed(&self) -> f64 {
        match (self.clock, self.first_ts) {
            (Some(c), Some(f)) => c.secs_since(f).max(0.0),
            _ => 0.0,
        }
    }

    /// Applies one segment to the tracker (also used by tests to build a state directly).
    pub fn apply(&mut self, seg: &Segment, frame: u64, now: Instant) {
        self.first_ts.get_or_insert(seg.ts);
        if self.clock.is_none_or(|c| c < seg.ts) {
            self.clock = Some(seg.ts);
        }
        let id = self.tracker.ingest(seg, frame);
        if let hash_map::Entry::Vacant(v) = self.locs.entry(id) {
            v.insert(Loc::Table(seg.src, seg.dst));
            self.ids.insert(id);
        }
        self.applied += 1;
        self.last = Some((id, now));
        self.generation += 1;
        self.changes += 1;
        self.take_retired();
    }

    /// Takes messages from the channel until `want` segments are pending (or it is empty).
    fn fill(&mut self, want: usize) {
        while self.pending.len() < want {
            let Some(rx) = &self.rx else { return };
            match rx.try_recv() {
                // Ticks (non-TCP frames) are not applied yet: see the player.
                Ok(SourceMsg::Packets(v)) => {
                    self.pending.extend(v.into_iter().filter_map(|i| match i {
                        Item::Segment(s, f) | Item::Tunneled(s, f, _) => Some((s, f)),
                        Item::Tick(_) => None,
                    }))
                }
                Ok(SourceMsg::Status(s)) => {
                    self.status = *s;
                    self.generation += 1;
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.rx = None;
                    if !self.status.done {
                        self.status.done = true;
                        self.status.error = Some("the capture thread stopped".into());
                    }
                    self.generation += 1;
                }
            }
        }
    }

    fn apply_next(&mut self, now: Instant) -> bool {
        if self.pending.is_empty() {
            self.fill(PENDING_MAX);
        }
        match self.pending.pop_front() {
            Some((seg, frame)) => {
                self.apply(&seg, frame, now);
                true
            }
            None => false,
        }
    }

    /// Applies segments until `stop` says so, the source runs dry or `budget` is spent.
    fn apply_while(
        &mut self,
        now: Instant,
        budget: Duration,
        mut go: impl FnMut(&Replay, &Segment) -> bool,
    ) {
        let started = Instant::now();
        let mut n = 0u32;
        loop {
            if self.pending.is_empty() {
                self.fill(PENDING_MAX);
            }
            let Some((seg, _)) = self.pending.front() else {
                return;
            };
            if !go(self, seg) {
                return;
            }
            self.apply_next(now);
            n += 1;
            if n.is_multiple_of(256) && started.elapsed() >= budget {
                return;
            }
        }
    }

    /// Does what is due at wall time `now`, spending about `budget` at most.
    pub fn pump(&mut self, now: Instant, budget: Duration) {
        let dt = self
            .last_pump
            .map_or(Duration::ZERO, |t| now.saturating_duration_since(t));
        self.last_pump = Some(now);
        self.fill(PENDING_MAX);
        self.update_rate(now);

        if let Some(seek) = self.seek {
            self.apply_while(now, budget, |r, _| r.applied < seek.target);
            if self.applied >= seek.target || self.at_end() {
                self.seek = None;
                self.paused = !seek.play_after;
                // A seek lands on a state: its last segment is not a new arrow to grow.
                self.last = None;
                self.generation += 1;
            }
            return;
        }
        if self.is_live() {
            let keep = if self.paused { LIVE_PAUSE_MAX } else { 0 };
            while self.steps > 0 && self.apply_next(now) {
                self.steps -= 1;
            }
            self.apply_while(now, budget, |r, _| r.pending.len() > keep);
            // Live ends when the source ends: drain whatever is left.
            if self.rx.is_none() && !self.paused {
                while self.apply_next(now) {}
            }
            return;
        }
        if self.paused {
            while self.steps > 0 && self.apply_next(now) {
                self.steps -= 1;
            }
            if self.at_end() {
                self.steps = 0;
            }
            return;
        }
        match self.speed {
            Speed::Max => self.apply_while(now, budget, |_, _| true),
            Speed::X(f) => {
                if self.clock.is_none() {
                    if let Some((s, _)) = self.pending.front() {
                        self.clock = Some(s.ts);
                    }
                }
                let Some(clock) = self.clock else { return };
                let mut clock = Timestamp(clock.0 + (dt.as_nanos() as f64 * f) as i64);
                if let (Some(gap), Some((next, _))) = (self.max_gap, self.pending.front()) {
                    if next.ts.secs_since(clock) > gap {
                        clock = next.ts;
                        self.gaps_skipped += 1;
                    }
                }
                if self.at_end() {
                    // The clock stops at the last segment.
                    return;
                }
                self.clock = Some(clock);
                if dt > Duration::ZERO {
                    self.generation += 1;
                }
                self.apply_while(now, budget, move |_, s| s.ts <= clock);
                if self.pending.is_empty() && self.status.done && self.applied > 0 {
                    // Nothing more to come: the clock stops at the last segment.
                    self.clock = Some(self.tracker.now());
                } else if let Some((next, _)) = self.pending.front() {
                    // Timers (TIME_WAIT) run with the replay clock, never past a segment
                    // still to be applied (nor past one not yet read: pending is not empty).
                    let to = next.ts.min(clock);
                    if self.applied > 0 && to > self.tracker.now() {
                        self.advance_to(to);
                    }
                }
            }
        }
        self.note_end();
    }

    /// The screen redraws once when the end is reached (not on every pump after it: at `max`
    /// speed that redrew and re-diagnosed a finished replay 30 times a second).
    fn note_end(&mut self) {
        let end = self.at_end();
        if end != self.ended {
            self.ended = end;
            self.generation += 1;
        }
    }

    fn update_rate(&mut self, now: Instant) {
        match self.rate_mark {
            None => self.rate_mark = Some((now, self.applied)),
            Some((t, n)) => {
                let dt = now.saturating_duration_since(t).as_secs_f64();
                if dt >= 1.0 {
                    self.rate = self.applied.saturating_sub(n) as f64 / dt;
                    self.rate_mark = Some((now, self.applied));
                    self.generation += 1;
                }
            }
        }
    }

    /// Starts again from the first segment (files). False when the source cannot restart.
    fn reset(&mut self) -> bool {
        let Some(restart) = self.restart.as_mut() else {
            self.note = Some(if self.is_live() {
                "live capture: cannot go back in time".into()
            } else {
                "this input cannot be read again (standard input)".into()
            });
            return false;
        };
        match restart() {
            Ok(rx) => {
                self.rx = Some(rx);
                let name = std::mem::take(&mut self.status.name);
                self.status = SourceStatus {
                    name,
                    ..Default::default()
                };
                self.tracker = Tracker::new(self.cfg.clone());
                self.closed.clear();
                self.closed_dropped = 0;
                self.closed_pushed = 0;
                self.closed_counts = [[0; State::ALL.len()]; 2];
                self.locs.clear();
                self.ids.clear();
                self.changes += 1;
                self.pending.clear();
                self.applied = 0;
                self.clock = None;
                self.first_ts = None;
                self.seek = None;
                self.steps = 0;
                self.last = None;
                self.rate_mark = None;
                self.diag.clear();
                self.generation += 1;
                true
            }
            Err(e) => {
                self.note = Some(format!("cannot restart: {e}"));
                false
            }
        }
    }

    /// Carries out a user command.
    pub fn command(&mut self, cmd: Command) {
        self.note = None;
        self.generation += 1;
        match cmd {
            Command::TogglePause => {
                if self.seek.is_some() {
                    self.seek = None;
                    self.paused = true;
                } else {
                    self.paused = !self.paused;
                }
            }
            Command::StepForward => {
                self.paused = true;
                self.seek = None;
                if self.at_end() {
                    self.note = Some("end of capture".into());
                } else {
                    self.steps = self.steps.saturating_add(1);
                }
            }
            Command::StepBack => {
                self.paused = true;
                let target = self.applied.saturating_sub(1 + u64::from(self.steps));
                if self.applied == 0 {
                    self.note = Some("at the start".into());
                } else if self.reset() {
                    self.seek = Some(Seek {
                        target,
                        play_after: false,
                    });
                }
            }
            Command::Faster => self.speed = self.speed.faster(),
            Command::Slower => self.speed = self.speed.slower(),
            Command::Restart => {
                if self.reset() {
                    self.paused = false;
                }
            }
            Command::JumpStart => {
                if self.reset() {
                    self.paused = true;
                }
            }
            Command::JumpEnd => {
                if self.is_live() {
                    self.paused = false;
                } else {
                    self.seek = Some(Seek {
                        target: u64::MAX,
                        play_after: false,
                    });
                }
            }
            Command::SkipGap => {
                if let Some((s, _)) = self.pending.front() {
                    if self.clock.is_none_or(|c| c < s.ts) {
                        self.clock = Some(s.ts);
                        self.gaps_skipped += 1;
                    }
                } else {
                    self.note = Some("no segment waiting".into());
                }
            }
        }
    }
}

/// Counts `c`'s two ends in `counts` (or takes them out).
fn count(counts: &mut StateCounts, c: &Connection, add: bool) {
    for (end, s) in counts.iter_mut().zip(c.states()) {
        let n = &mut end[s as usize];
        *n = if add { *n + 1 } else { *n - 1 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{FileReader, Input, Source, SourceOptions};
    use crate::decode::Decoder;
    use crate::ui::findings_cache::PRow;

    const DEMO: &[u8] = include_bytes!("../../fixtures/demo.pcap");

    fn demo_replay() -> Replay {
        let mut r = Replay::new(TrackerConfig::default(), "demo", false);
        let start = || -> Result<Receiver<SourceMsg>, String> {
            let reader = FileReader::from_bytes("demo", DEMO).map_err(|e| e.to_string())?;
            let src = Source::spawn(
                Input::File(reader),
                Decoder::default(),
                SourceOptions::INTERACTIVE,
            )?;
            Ok(src.into_receiver())
        };
        let rx = start().unwrap();
        r.attach(rx, Some(Box::new(start)));
        r
    }

    /// Pumps until `done` or a few seconds of wall time.
    fn pump_until(r: &mut Replay, t: &mut Instant, step: Duration, done: impl Fn(&Replay) -> bool) {
        let give_up = Instant::now() + Duration::from_secs(10);
        while !done(r) && Instant::now() < give_up {
            *t += step;
            r.pump(*t, Duration::from_millis(50));
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn speeds_step_through_the_table_and_parse() {
        assert_eq!(Speed::X(1.0).faster(), Speed::X(2.0));
        assert_eq!(Speed::X(64.0).faster(), Speed::Max);
        assert_eq!(Speed::Max.slower(), Speed::X(64.0));
        assert_eq!(Speed::X(0.25).slower(), Speed::X(0.25));
        assert_eq!(Speed::parse("max").unwrap(), Speed::Max);
        assert_eq!(Speed::parse("4x").unwrap(), Speed::X(4.0));
        assert!(Speed::parse("100").is_err());
        assert!(Speed::parse("fast").is_err());
        assert_eq!(Speed::X(0.25).label(), "0.25x");
    }

    #[test]
    fn paced_replay_follows_capture_time() {
        let mut r = demo_replay();
        let mut t = Instant::now();
        r.pump(t, Duration::from_millis(50));
        pump_until(&mut r, &mut t, Duration::ZERO, |r| r.applied > 0);
        // The first segment is applied when the clock starts; 5 ms later (1x), not the
        // SYN+ACK 10 ms after it.
        assert_eq!(r.applied, 1);
        t += Duration::from_millis(5);
        r.pump(t, Duration::from_millis(50));
        assert_eq!(r.applied, 1);
        t += Duration::from_millis(6);
        r.pump(t, Duration::from_millis(50));
        assert_eq!(r.applied, 2);
        // At 64x, 100 ms of wall time is 6.4 s of capture; the demo lasts 15.25 s.
        r.speed = Speed::X(64.0);
        pump_until(&mut r, &mut t, Duration::from_millis(100), |r| r.at_end());
        assert_eq!(r.applied, 42);
        assert_eq!(
            r.clock,
            Some(r.tracker.now()),
            "clock stops at the last segment"
        );
        assert!((r.elapsed() - 15.2502).abs() < 1e-6, "{}", r.elapsed());
    }

    #[test]
    fn step_forward_and_back_while_paused() {
        let mut r = demo_replay();
        r.paused = true;
        let mut t = Instant::now();
        r.command(Command::StepForward);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| r.applied == 1);
        r.command(Command::StepForward);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| r.applied == 2);
        r.command(Command::StepForward);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| r.applied == 3);
        let c = r.connection(1).unwrap();
        assert_eq!(c.states()[0], crate::track::State::Established);
        assert!(r.last.is_some(), "a step forward grows its arrow");
        r.command(Command::StepBack);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| !r.seeking());
        assert_eq!(r.applied, 2);
        assert!(r.paused);
        assert_eq!(r.last, None, "a step back lands without an arrow growing");
        let c = r.connection(1).unwrap();
        assert_eq!(c.events.len(), 2);
        assert_eq!(c.states()[1], crate::track::State::SynReceived);
    }

    #[test]
    fn end_then_home() {
        let mut r = demo_replay();
        let mut t = Instant::now();
        r.command(Command::JumpEnd);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| !r.seeking());
        assert_eq!(r.applied, 42);
        assert!(r.paused);
        assert_eq!(r.connections().count(), 6);
        r.command(Command::JumpStart);
        assert_eq!(r.applied, 0);
        assert_eq!(r.connections().count(), 0);
        assert!(r.paused);
    }

    #[test]
    fn max_gap_skips_idle_time() {
        let mut r = demo_replay();
        r.max_gap = Some(0.5);
        let start = Instant::now();
        let mut t = start;
        // 1x with gaps over 0.5 s skipped: the demo's 15 s (mostly idle gaps of 1 s to 8 s)
        // replays in much less (simulated) wall time.
        pump_until(&mut r, &mut t, Duration::from_millis(20), |r| r.at_end());
        assert!(r.at_end());
        assert!(r.gaps_skipped >= 4, "skipped {}", r.gaps_skipped);
        let wall = t.duration_since(start).as_secs_f64();
        assert!(wall < 3.0, "took {wall} s");
    }
    /// The index (ids in order, lookups by id, state counts) against scans of the connections.
    fn check_index(r: &Replay) {
        let mut scan: Vec<u64> = r.connections().map(|c| c.id).collect();
        scan.sort_unstable();
        assert_eq!(r.ids.iter().collect::<Vec<_>>(), scan);
        assert_eq!(r.connection_count(), scan.len());
        for id in scan.iter().step_by(7) {
            assert_eq!(r.connection(*id).map(|c| c.id), Some(*id));
        }
        assert_eq!(
            r.state_counts(),
            crate::track::table::state_counts(r.connections())
        );
    }

    #[test]
    fn the_index_agrees_with_scans_as_connections_come_retire_and_go() {
        // Enough connections, over quickly enough (MSL 1 s), for more than CLOSED_KEEP to
        // retire, so the oldest are dropped from the screen.
        let bytes = crate::gen::bulk::leaked_capture(&crate::gen::bulk::BulkConfig {
            packets: 60_000,
            connections: 6_000,
            conn_rate: 500.0,
            ..Default::default()
        });
        let cfg = TrackerConfig {
            retire: true,
            msl: Timestamp::from_secs_f64(1.0),
            ..Default::default()
        };
        let mut r = Replay::new(cfg, "bulk", false);
        let mut reader = FileReader::from_bytes("bulk", bytes).unwrap();
        let mut dec = Decoder::default();
        let t = Instant::now();
        let mut changes = r.changes;
        while let Some(pkt) = reader.next_packet().unwrap() {
            if let Some((seg, frame)) = dec.decode(&pkt) {
                r.apply(&seg, frame, t);
                assert!(r.changes > changes);
                changes = r.changes;
                if r.applied.is_multiple_of(499) {
                    check_index(&r);
                }
            }
        }
        check_index(&r);
        // Timers alone: TIME_WAITs end, the rest retires.
        let now = r.tracker.now();
        r.advance_to(Timestamp(now.0 + 600 * Timestamp::NANOS_PER_SEC));
        assert!(r.changes > changes);
        check_index(&r);
        assert!(r.closed_dropped > 0);
        assert_eq!(r.closed.len(), CLOSED_KEEP);
        assert!(r.connection(1).is_none(), "dropped from the screen");
        assert!(r.connection(u64::MAX).is_none());
    }

    #[test]
    fn the_index_follows_a_restart() {
        let mut r = demo_replay();
        let mut t = Instant::now();
        r.command(Command::JumpEnd);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| !r.seeking());
        check_index(&r);
        assert_eq!(r.ids.len(), 6);
        let changes = r.changes;
        r.command(Command::JumpStart);
        assert!(r.changes > changes);
        assert!(r.ids.is_empty());
        assert!(r.connection(1).is_none());
        check_index(&r);
    }
    /// The published diagnosis, as the screen shows it.
    fn published(r: &Replay) -> (usize, usize, usize, usize, Vec<PRow>, usize) {
        let d = &r.diag;
        (
            d.total,
            d.problems,
            d.with_findings,
            d.connections,
            d.rows.clone(),
            d.groups.len(),
        )
    }

    #[test]
    fn a_diagnosis_pass_spans_calls_publishes_whole_and_ends_while_connections_come() {
        let bytes = crate::gen::bulk::leaked_capture(&crate::gen::bulk::BulkConfig {
            packets: 30_000,
            connections: 3_000,
            conn_rate: 500.0,
            ..Default::default()
        });
        let cfg = TrackerConfig {
            retire: true,
            ..Default::default()
        };
        let mut r = Replay::new(cfg.clone(), "bulk", false);
        let mut reader = FileReader::from_bytes("bulk", bytes).unwrap();
        let mut dec = Decoder::default();
        let t = Instant::now();
        let mut feed = |r: &mut Replay, n: u64| {
            let target = r.applied + n;
            while r.applied < target {
                let Some(pkt) = reader.next_packet().unwrap() else {
                    return;
                };
                if let Some((seg, frame)) = dec.decode(&pkt) {
                    r.apply(&seg, frame, t);
                }
            }
        };
        feed(&mut r, 10_000);
        r.refresh_diagnosis(None);
        assert!(!r.diag.in_pass());
        let first = published(&r);
        let generation = r.diag.generation;
        assert!(first.0 > 0, "findings");
        feed(&mut r, 5_000);
        // No time to spare: 16 connections per call; until the pass ends the screen keeps the
        // last whole one.
        let zero = Some(Duration::ZERO);
        r.refresh_diagnosis(zero);
        assert!(r.diag.in_pass());
        let behind = r.diag.behind;
        assert_eq!(behind + 16, r.connection_count());
        assert_eq!(published(&r), first);
        assert_eq!(r.diag.generation, generation);
        // Connections keep coming: the pass still ends, at the newest when it began.
        let mut calls = 1;
        while r.diag.in_pass() {
            feed(&mut r, 50);
            r.refresh_diagnosis(zero);
            calls += 1;
            assert!(calls <= behind / 16 + 3, "the pass does not end");
        }
        assert!(r.diag.generation > generation);
        assert_ne!(published(&r), first);
        // The last pass's findings are let go of in pieces too.
        assert!(r.diag.untidy());
        while !r.diag.tidy(Some(Duration::ZERO)) {}
        assert!(!r.diag.untidy());
        // One more whole pass gives what a diagnosis from scratch gives.
        r.refresh_diagnosis(None);
        let mut fresh = Replay::new(cfg, "bulk", false);
        let mut reader = FileReader::from_bytes("bulk", bytes).unwrap();
        let mut dec = Decoder::default();
        while fresh.applied < r.applied {
            let pkt = reader.next_packet().unwrap().unwrap();
            if let Some((seg, frame)) = dec.decode(&pkt) {
                fresh.apply(&seg, frame, t);
            }
        }
        fresh.refresh_diagnosis(None);
        assert_eq!(published(&r), published(&fresh));
        assert_eq!(r.diag.by_kind, fresh.diag.by_kind);
    }
    #[test]
    fn the_end_is_drawn_once_not_on_every_pump() {
        let mut r = demo_replay();
        r.speed = Speed::Max;
        let mut t = Instant::now();
        pump_until(&mut r, &mut t, Duration::from_millis(10), |r| r.at_end());
        r.pump(t, Duration::from_millis(50));
        let g = r.generation;
        for _ in 0..5 {
            t += Duration::from_millis(33);
            r.pump(t, Duration::from_millis(50));
        }
        assert_eq!(r.generation, g, "nothing moves after the end");
        assert!(!r.busy());
        // Back to the start: playing, then the end again is noted again.
        r.command(Command::Restart);
        assert!(r.busy());
        pump_until(&mut r, &mut t, Duration::from_millis(10), |r| r.at_end());
        let g = r.generation;
        r.pump(t, Duration::from_millis(50));
        r.pump(t, Duration::from_millis(50));
        assert!(r.generation <= g + 1);
    }
}
