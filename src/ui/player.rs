//! The pacing player: reads the capture thread's channel and hands frames to the [`Store`]
//! when the replay clock reaches them.
//!
//! Time is the capture's own: the replay clock is capture time, moved forward by wall time
//! multiplied by the speed factor. Every frame is applied when the clock reaches its
//! timestamp, TCP or not: a UDP datagram or an ARP request moves the capture clock (and so
//! TIME_WAIT's timer) exactly as it does for `--json`. The player never blocks: it takes what
//! the channel has (and only as much as it needs, so a file source waits on the bounded
//! channel instead of filling memory) and does a bounded amount of work per call.
//!
//! Stepping back rebuilds the store from the start (the tracker is deterministic): the source
//! is restarted and the player fast-forwards to one segment before.
//!
//! Wall time comes in as arguments, so the player can be driven by tests without a clock.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use super::store::Store;
use crate::capture::source::{SourceMsg, SourceStatus};
use crate::decode::{Item, Segment};
use crate::time::Timestamp;

/// Replay speed factors reachable with `+` and `-` (then `max`).
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// Frames held ahead of the replay clock before the player stops reading the channel.
const PENDING_MAX: usize = 16 * 1024;
/// A paused live capture keeps at most this many frames back; beyond it the oldest are
/// applied (capture must never wait for the screen).
const LIVE_PAUSE_MAX: usize = 200_000;

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
    /// Let the clock run on past a file's last packet, at the replay speed, so that timers
    /// (TIME_WAIT's 2*MSL) run out on a short capture; again: stop it.
    RunOn,
}

/// Starts the source again from its beginning (files only).
pub type Restart = Box<dyn FnMut() -> Result<Receiver<SourceMsg>, String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seek {
    /// Stop when this many segments have been applied.
    target: u64,
    /// Play on (true) or pause (false) once there.
    play_after: bool,
}

/// The pacing player (see the module documentation).
pub struct Player {
    /// [`Player::at_end`] as of the last pump.
    ended: bool,
    pending: VecDeque<Item>,
    rx: Option<Receiver<SourceMsg>>,
    restart: Option<Restart>,
    /// The source's latest status (name, live, counters, drops, done, error).
    pub status: SourceStatus,
    /// Segments applied to the store since the start (frames that are not TCP segments only
    /// move the clock and are not counted: steps go segment by segment).
    pub applied: u64,
    /// Replay clock (capture time); `None` before the first frame.
    pub clock: Option<Timestamp>,
    /// Timestamp of the first frame.
    pub first_ts: Option<Timestamp>,
    pub speed: Speed,
    pub paused: bool,
    /// Idle gaps longer than this (capture seconds) are skipped.
    pub max_gap: Option<f64>,
    /// The clock runs on past a file's last packet ([`Command::RunOn`]).
    pub run_on: bool,
    /// A stream on standard input followed live: its timestamps come from another host's
    /// clock (or an old capture), so the wall clock is taken relative to the newest packet
    /// when the first arrived (the offset once known).
    pub stream: bool,
    stream_offset: Option<i64>,
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
    /// Bumped whenever the player's own state changes visibly (clock, status, mode).
    pub generation: u64,
    /// The wall clock as a timestamp (live capture only), set by the event loop.
    pub wall: Option<Timestamp>,
}

impl Player {
    /// A player with no source yet (see [`Player::attach`]), for `name` (file or interface).
    /// A live source is never paced, stepped back or restarted.
    pub fn new(name: &str, live: bool) -> Player {
        Player {
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
            run_on: false,
            stream: false,
            stream_offset: None,
            gaps_skipped: 0,
            seek: None,
            steps: 0,
            last: None,
            rate: 0.0,
            rate_mark: None,
            last_pump: None,
            note: None,
            generation: 0,
            wall: None,
        }
    }

    /// Reads frames and status from `rx`; `restart` (files) can start the source again.
    pub fn attach(&mut self, rx: Receiver<SourceMsg>, restart: Option<Restart>) {
        self.rx = Some(rx);
        self.restart = restart;
    }

    pub fn is_live(&self) -> bool {
        // A stream's reader reports itself as a file; it is followed live all the same.
        self.status.live || self.stream
    }

    /// The source has ended and every frame it sent has been applied.
    pub fn at_end(&self) -> bool {
        self.status.done && self.rx.is_none() && self.pending.is_empty()
    }

    pub fn seeking(&self) -> bool {
        self.seek.is_some()
    }

    /// Frames read but not yet shown.
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

    /// Seconds of capture time until the next frame, while playing a file at a speed factor.
    pub fn idle_gap(&self) -> Option<f64> {
        if self.paused || self.is_live() || self.seek.is_some() || self.speed == Speed::Max {
            return None;
        }
        let next = self.pending.front()?;
        Some(next.ts().secs_since(self.clock?))
    }

    /// Seconds of capture time since the first frame.
    pub fn elapsed(&self) -> f64 {
        match (self.clock, self.first_ts) {
            (Some(c), Some(f)) => c.secs_since(f).max(0.0),
            _ => 0.0,
        }
    }

    /// The wall clock moved (live capture): timers run up to it, as `--json` live does, so a
    /// TIME_WAIT ends on time even when no packet comes.
    pub fn set_wall(&mut self, store: &mut Store, wall: Timestamp) {
        if !self.is_live() {
            return;
        }
        let wall = if self.stream {
            let Some(clock) = self.clock else { return };
            let offset = *self.stream_offset.get_or_insert(clock.0 - wall.0);
            // Frames that came faster than their timestamps (a file piped in) keep it ahead.
            Timestamp((wall.0 + offset).max(clock.0))
        } else {
            wall
        };
        self.wall = Some(wall);
        // Never past a frame still waiting to be applied.
        let to = self.pending.front().map_or(wall, |i| i.ts().min(wall));
        if self.first_ts.is_some() && to > store.now() {
            store.advance_to(to);
        }
    }

    /// Applies one frame to the store: a segment counts as applied and is the newest arrow;
    /// any frame moves the clock.
    pub fn apply(&mut self, store: &mut Store, item: &Item, now: Instant) {
        self.applied_at(item.ts(), store.apply(item), now);
    }

    /// Applies one segment (tests and benchmarks build a state directly with it).
    pub fn apply_segment(&mut self, store: &mut Store, seg: &Segment, frame: u64, now: Instant) {
        self.applied_at(seg.ts, Some(store.ingest(seg, frame)), now);
    }

    fn applied_at(&mut self, ts: Timestamp, conn: Option<u64>, now: Instant) {
        self.first_ts.get_or_insert(ts);
        if self.clock.is_none_or(|c| c < ts) {
            self.clock = Some(ts);
        }
        if let Some(id) = conn {
            self.applied += 1;
            self.last = Some((id, now));
        }
        self.generation += 1;
    }

    /// Takes messages from the channel until `want` frames are pending (or it is empty).
    fn fill(&mut self, want: usize) {
        while self.pending.len() < want {
            let Some(rx) = &self.rx else { return };
            match rx.try_recv() {
                Ok(SourceMsg::Packets(v)) => self.pending.extend(v),
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

    fn front(&mut self) -> Option<&Item> {
        if self.pending.is_empty() {
            self.fill(PENDING_MAX);
        }
        self.pending.front()
    }

    /// Applies the next frame; false when none is waiting.
    fn apply_next(&mut self, store: &mut Store, now: Instant) -> bool {
        self.front();
        match self.pending.pop_front() {
            Some(item) => {
                self.apply(store, &item, now);
                true
            }
            None => false,
        }
    }

    /// Applies frames up to and including the next segment (a step); false when the source
    /// has no segment left (the frames before the end are applied all the same).
    fn apply_step(&mut self, store: &mut Store, now: Instant) -> bool {
        let before = self.applied;
        while self.applied == before {
            if !self.apply_next(store, now) {
                return false;
            }
        }
        true
    }

    /// Applies frames until `go` says stop, the source runs dry or `budget` is spent.
    fn apply_while(
        &mut self,
        store: &mut Store,
        now: Instant,
        budget: Duration,
        mut go: impl FnMut(&Player, &Item) -> bool,
    ) {
        let started = Instant::now();
        let mut n = 0u32;
        loop {
            self.front();
            let Some(item) = self.pending.front() else {
                return;
            };
            if !go(self, item) {
                return;
            }
            self.apply_next(store, now);
            n += 1;
            if n.is_multiple_of(256) && started.elapsed() >= budget {
                return;
            }
        }
    }

    /// Applies the steps asked for, one segment each.
    fn take_steps(&mut self, store: &mut Store, now: Instant) {
        while self.steps > 0 && self.apply_step(store, now) {
            self.steps -= 1;
        }
    }

    /// Does what is due at wall time `now`, spending about `budget` at most.
    pub fn pump(&mut self, store: &mut Store, now: Instant, budget: Duration) {
        let dt = self
            .last_pump
            .map_or(Duration::ZERO, |t| now.saturating_duration_since(t));
        self.last_pump = Some(now);
        self.fill(PENDING_MAX);
        self.update_rate(now);

        if let Some(seek) = self.seek {
            // A seek lands just after its target segment; to the end, on the last frame.
            self.apply_while(store, now, budget, |p, _| p.applied < seek.target);
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
            self.take_steps(store, now);
            self.apply_while(store, now, budget, |p, _| p.pending.len() > keep);
            // Live ends when the source ends: drain whatever is left.
            if self.rx.is_none() && !self.paused {
                while self.apply_next(store, now) {}
            }
            return;
        }
        if self.paused {
            self.take_steps(store, now);
            if self.at_end() {
                self.steps = 0;
            }
            return;
        }
        match self.speed {
            Speed::Max => self.apply_while(store, now, budget, |_, _| true),
            Speed::X(f) => self.play(store, now, budget, dt, f),
        }
        self.note_end();
    }

    /// Plays at factor `f`: the clock moves `dt * f` and the frames it reaches are applied.
    fn play(&mut self, store: &mut Store, now: Instant, budget: Duration, dt: Duration, f: f64) {
        if self.clock.is_none() {
            self.clock = self.front().map(Item::ts);
        }
        let Some(clock) = self.clock else { return };
        let mut clock = Timestamp(clock.0 + (dt.as_nanos() as f64 * f) as i64);
        if let (Some(gap), Some(next)) = (self.max_gap, self.pending.front()) {
            if next.ts().secs_since(clock) > gap {
                clock = next.ts();
                self.gaps_skipped += 1;
            }
        }
        if self.at_end() {
            // The clock stops at the last frame, unless asked to run on: then the timers
            // run as they would have after the capture ended.
            if self.run_on {
                self.clock = Some(clock);
                store.advance_to(clock);
                self.generation += 1;
            }
            return;
        }
        self.clock = Some(clock);
        if dt > Duration::ZERO {
            self.generation += 1;
        }
        self.apply_while(store, now, budget, move |_, i| i.ts() <= clock);
        if self.pending.is_empty() && self.status.done && self.first_ts.is_some() {
            // Nothing more to come: the clock stops at the last frame.
            self.clock = Some(store.now());
        } else if let Some(next) = self.pending.front() {
            // Timers (TIME_WAIT) run with the replay clock, never past a frame still to be
            // applied (nor past one not yet read: pending is not empty).
            let to = next.ts().min(clock);
            if self.first_ts.is_some() && to > store.now() {
                store.advance_to(to);
            }
        }
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

    /// Starts again from the first frame (files), emptying `store`. False when the source
    /// cannot restart.
    fn reset(&mut self, store: &mut Store) -> bool {
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
                store.clear();
                self.pending.clear();
                self.applied = 0;
                self.clock = None;
                self.first_ts = None;
                self.seek = None;
                self.steps = 0;
                self.last = None;
                self.rate_mark = None;
                self.generation += 1;
                true
            }
            Err(e) => {
                self.note = Some(format!("cannot restart: {e}"));
                false
            }
        }
    }

    /// Carries out a user command; true when the replay started again from the beginning
    /// (what was derived from the store, such as findings, is then stale).
    pub fn command(&mut self, store: &mut Store, cmd: Command) -> bool {
        self.note = None;
        self.generation += 1;
        let mut reset = false;
        match cmd {
            Command::RunOn => {
                self.run_on = !self.run_on;
                if self.run_on {
                    self.paused = false;
                }
            }
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
                } else if self.reset(store) {
                    reset = true;
                    self.seek = Some(Seek {
                        target,
                        play_after: false,
                    });
                }
            }
            Command::Faster => self.speed = self.speed.faster(),
            Command::Slower => self.speed = self.speed.slower(),
            Command::Restart | Command::JumpStart => {
                if self.reset(store) {
                    reset = true;
                    self.paused = cmd == Command::JumpStart;
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
            Command::SkipGap => match self.pending.front().map(Item::ts) {
                Some(ts) if self.clock.is_none_or(|c| c < ts) => {
                    self.clock = Some(ts);
                    self.gaps_skipped += 1;
                }
                Some(_) => {}
                None => self.note = Some("no segment waiting".into()),
            },
        }
        reset
    }
}
