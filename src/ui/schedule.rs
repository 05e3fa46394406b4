//! When the event loop draws a frame, spends time on segments and findings, and how long it
//! may sleep: one named type instead of a handful of loose variables. Pure: every method takes
//! the wall time it should think is now, so the schedule is tested without a clock.

use std::time::{Duration, Instant};

/// Redraw this often (30 frames a second) while something moves.
pub const FRAME: Duration = Duration::from_nanos(1_000_000_000 / 30);
/// Redraw at least this often when nothing moves.
pub const IDLE: Duration = Duration::from_secs(1);
/// Work per loop turn on applying segments: until the next frame is due, less `RESERVE` for
/// the diagnosis and the draw, and at most `BUDGET`, so keys stay responsive at `max` speed.
const BUDGET: Duration = Duration::from_millis(25);
const RESERVE: Duration = Duration::from_millis(10);
const MIN_BUDGET: Duration = Duration::from_millis(2);
/// A pass over the connections to bring findings up to date starts at most this often while
/// the replay runs (at once after a step or when paused); it does at most `DIAG_BUDGET` of work
/// per turn of the loop, over as many turns as it takes.
const DIAG_EVERY: Duration = Duration::from_millis(250);
pub const DIAG_BUDGET: Duration = Duration::from_millis(8);

/// What the screen shows changes with these: the replay's generation and how far the newest
/// arrow has grown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown {
    pub generation: u64,
    pub anim: f32,
}

/// The frame and diagnosis schedule (see the module documentation).
#[derive(Debug, Clone)]
pub struct FrameSchedule {
    last_draw: Option<Instant>,
    /// When the next frame is due while something moves (see [`next_frame`]).
    frame_at: Option<Instant>,
    drawn: Option<Shown>,
    /// A key, a resize or a signal: draw at once.
    dirty: bool,
    /// When the last findings pass started, and on which generation.
    diag_at: Option<Instant>,
    diag_generation: Option<u64>,
}

impl Default for FrameSchedule {
    fn default() -> Self {
        FrameSchedule {
            last_draw: None,
            frame_at: None,
            drawn: None,
            dirty: true,
            diag_at: None,
            diag_generation: None,
        }
    }
}

impl FrameSchedule {
    /// Something happened that the screen must show now.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Whether to draw at `now`: asked to, something moved and a frame is due, or nothing was
    /// drawn for [`IDLE`].
    pub fn draw_due(&self, now: Instant, shown: Shown) -> bool {
        let moving = self.drawn != Some(shown);
        let since = self
            .last_draw
            .map_or(Duration::MAX, |t| now.saturating_duration_since(t));
        let due = self.frame_at.is_none_or(|t| now >= t);
        self.dirty || (moving && due) || since >= IDLE
    }

    /// A frame showing `shown` was drawn at `now`.
    pub fn drawn(&mut self, now: Instant, shown: Shown) {
        self.last_draw = Some(now);
        self.frame_at = Some(next_frame(self.frame_at, now));
        self.drawn = Some(shown);
        self.dirty = false;
    }

    /// How long applying segments may take at `now`: until the next frame, less a reserve for
    /// the diagnosis and the draw, within bounds.
    pub fn pump_budget(&self, now: Instant) -> Duration {
        let to_frame = self
            .frame_at
            .map_or(FRAME, |t| t.saturating_duration_since(now));
        to_frame.saturating_sub(RESERVE).clamp(MIN_BUDGET, BUDGET)
    }

    /// The findings work to do at `now`, if any: `Some(budget)` for a turn of a pass (a new one
    /// starts when `generation` changed, at most every [`DIAG_EVERY`] while the replay is
    /// `busy`, or after [`IDLE`] in any case).
    pub fn diagnosis(
        &mut self,
        now: Instant,
        generation: u64,
        busy: bool,
        in_pass: bool,
    ) -> Option<Duration> {
        let since = self
            .diag_at
            .map_or(Duration::MAX, |t| now.saturating_duration_since(t));
        let changed = self.diag_generation != Some(generation);
        if !(in_pass || (changed && (since >= DIAG_EVERY || !busy)) || since >= IDLE) {
            return None;
        }
        if !in_pass {
            self.diag_at = Some(now);
            self.diag_generation = Some(generation);
        }
        // More time when nothing else runs.
        Some(if busy { DIAG_BUDGET } else { DIAG_BUDGET * 3 })
    }

    /// How long to wait for a key at `now`: until the next frame while something `moves`,
    /// else a quarter of [`IDLE`].
    pub fn wait(&self, now: Instant, moves: bool, shown: Shown) -> Duration {
        if moves || self.drawn != Some(shown) {
            self.frame_at
                .map_or(Duration::ZERO, |t| t.saturating_duration_since(now))
        } else {
            IDLE / 4
        }
    }
}

/// When the frame after one drawn at `now` is due: `FRAME` after the one before was due if
/// that is still ahead (a frame drawn a little late does not push the next ones back), else
/// `FRAME` from now.
fn next_frame(due: Option<Instant>, now: Instant) -> Instant {
    match due {
        Some(t) if t + FRAME > now => t + FRAME,
        _ => now + FRAME,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn frames_keep_their_rate_after_a_late_one() {
        let t0 = Instant::now();
        // The first frame: the next one FRAME later.
        assert_eq!(next_frame(None, t0), t0 + FRAME);
        // Drawn 5 ms late: the next is still due FRAME after this one was due.
        assert_eq!(
            next_frame(Some(t0 + FRAME), t0 + FRAME + MS(5)),
            t0 + 2 * FRAME
        );
        // Drawn early (a key): the one due stays due.
        assert_eq!(next_frame(Some(t0 + FRAME), t0 + MS(10)), t0 + 2 * FRAME);
        // More than a frame behind (a stop, a long key): start again from now.
        assert_eq!(
            next_frame(Some(t0), t0 + FRAME + MS(1)),
            t0 + 2 * FRAME + MS(1)
        );
    }

    #[test]
    fn draws_when_asked_when_moving_on_frame_and_once_a_second_when_still() {
        let t0 = Instant::now();
        let a = Shown {
            generation: 1,
            anim: 1.0,
        };
        let b = Shown {
            generation: 2,
            anim: 1.0,
        };
        let mut s = FrameSchedule::default();
        assert!(s.draw_due(t0, a), "the first frame");
        s.drawn(t0, a);
        assert!(!s.draw_due(t0 + MS(5), a), "nothing moved");
        assert!(
            !s.draw_due(t0 + MS(5), b),
            "moved, but the frame is not due"
        );
        assert!(s.draw_due(t0 + FRAME, b), "moved and due");
        assert!(!s.draw_due(t0 + FRAME, a), "due, but nothing moved");
        assert!(s.draw_due(t0 + IDLE, a), "still: once a second");
        s.mark_dirty();
        assert!(s.draw_due(t0 + MS(1), a), "a key");
        // Waiting: to the frame while moving, a quarter second when still.
        assert_eq!(s.wait(t0 + MS(3), true, a), FRAME - MS(3));
        assert_eq!(s.wait(t0 + MS(3), false, b), FRAME - MS(3));
        assert_eq!(s.wait(t0 + MS(3), false, a), IDLE / 4);
        // The segment budget: to the frame less the reserve, within bounds.
        assert_eq!(s.pump_budget(t0), FRAME - RESERVE);
        assert_eq!(s.pump_budget(t0 + FRAME), MIN_BUDGET);
    }

    #[test]
    fn a_findings_pass_starts_on_change_at_most_every_quarter_second_while_busy() {
        let t0 = Instant::now();
        let mut s = FrameSchedule::default();
        assert_eq!(s.diagnosis(t0, 1, true, false), Some(DIAG_BUDGET));
        // Changed again 10 ms later while playing: not yet.
        assert_eq!(s.diagnosis(t0 + MS(10), 2, true, false), None);
        // But a pass under way goes on each turn.
        assert_eq!(s.diagnosis(t0 + MS(10), 2, true, true), Some(DIAG_BUDGET));
        assert_eq!(
            s.diagnosis(t0 + DIAG_EVERY, 2, true, false),
            Some(DIAG_BUDGET)
        );
        // Paused (not busy): at once, with more time.
        assert_eq!(
            s.diagnosis(t0 + DIAG_EVERY + MS(1), 3, false, false),
            Some(DIAG_BUDGET * 3)
        );
        // Nothing changed: only after IDLE.
        assert_eq!(s.diagnosis(t0 + DIAG_EVERY + MS(2), 3, false, false), None);
        assert!(s.diagnosis(t0 + IDLE * 2, 3, false, false).is_some());
    }
}
