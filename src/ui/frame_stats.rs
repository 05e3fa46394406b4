//! Frame timings, for benchmarks (`bench/ui.sh`): with `SYNACK_FRAME_STATS=FILE` in the
//! environment, the TUI records when each frame is drawn and how long it took, and writes a
//! summary to FILE on exit. Off (the variable unset), the event loop does one `Option` check
//! per frame.
//!
//! The summary is `name value` lines (times in milliseconds unless the name says otherwise):
//!
//! ```text
//! first_frame_ms 1.9         process start (main) to the first frame on the terminal
//! first_data_ms 4.1          ... to the first frame showing a segment of the capture
//! frames 301                 frames drawn
//! run_s 10.01                first frame to exit
//! fps 30.1                   frames / run_s
//! playing_frames 300         frames drawn while the replay moved (playing, seeking)
//! playing_fps 30.0           their rate, first to last
//! draw_ms_p50 1.3            sync + draw + flush of one frame: median, 99th percentile, max
//! draw_ms_p99 3.0
//! draw_ms_max 4.1
//! gap_ms_p50 33.3            time between successive frames while the replay moved
//! gap_ms_p99 35.0
//! gap_ms_max 36.2
//! capture_packets 2523648    frames read by the capture thread (as it last reported)
//! capture_pps 250000         capture_packets / seconds from start to the end of the
//!                            capture (or to exit, if the replay did not reach it)
//! segments_applied 2510000   segments the replay applied to the tracker
//! connections 71234          connections on screen at exit
//! ended_s -                  seconds from start until the replay reached the end (- if not)
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::replay::Replay;

/// The environment variable naming the file to write.
pub const ENV: &str = "SYNACK_FRAME_STATS";

static START: OnceLock<Instant> = OnceLock::new();

/// Marks the start of the process (called first thing in `main`; later calls do nothing).
pub fn mark_start() {
    START.get_or_init(Instant::now);
}

/// When the process started (as marked by [`mark_start`], else now).
pub fn started() -> Instant {
    *START.get_or_init(Instant::now)
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    /// When the frame was done, since the start.
    at: Duration,
    /// How long the frame took (sync, draw, flush).
    took: Duration,
    /// The replay was moving (playing or seeking).
    playing: bool,
}

/// What the event loop records when [`ENV`] is set.
#[derive(Debug, Clone)]
pub struct FrameStats {
    path: PathBuf,
    start: Instant,
    frames: Vec<Frame>,
    /// When the first frame showing a segment was done.
    first_data: Option<Duration>,
    ended: Option<Duration>,
}

impl FrameStats {
    /// Recording on when [`ENV`] names a file.
    pub fn from_env() -> Option<FrameStats> {
        let path = std::env::var_os(ENV).filter(|v| !v.is_empty())?;
        Some(FrameStats::new(PathBuf::from(path), started()))
    }

    pub fn new(path: PathBuf, start: Instant) -> FrameStats {
        FrameStats {
            path,
            start,
            frames: Vec::with_capacity(4096),
            first_data: None,
            ended: None,
        }
    }

    /// A frame started at `began` and was on the terminal at `done`; the replay was moving
    /// (`playing`) and had applied `applied` segments.
    pub fn frame(&mut self, began: Instant, done: Instant, playing: bool, applied: u64) {
        let at = done.saturating_duration_since(self.start);
        self.frames.push(Frame {
            at,
            took: done.saturating_duration_since(began),
            playing,
        });
        if applied > 0 && self.first_data.is_none() {
            self.first_data = Some(at);
        }
    }

    /// The replay reached the end of the capture at `at` (the first call counts).
    pub fn ended(&mut self, at: Instant) {
        if self.ended.is_none() {
            self.ended = Some(at.saturating_duration_since(self.start));
        }
    }

    /// The summary as of `now` (see the module documentation).
    pub fn summary(&self, now: Instant, replay: &Replay) -> String {
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1e3);
        let mut out = String::new();
        let mut line = |k: &str, v: String| {
            let _ = writeln!(out, "{k} {v}");
        };
        let first = self.frames.first().map(|f| f.at);
        line("first_frame_ms", first.map_or("-".into(), ms));
        line("first_data_ms", self.first_data.map_or("-".into(), ms));
        line("frames", self.frames.len().to_string());
        let run = first.map_or(Duration::ZERO, |f| {
            now.saturating_duration_since(self.start).saturating_sub(f)
        });
        line("run_s", format!("{:.2}", run.as_secs_f64()));
        line("fps", rate(self.frames.len() as f64, run));
        let playing: Vec<&Frame> = self.frames.iter().filter(|f| f.playing).collect();
        line("playing_frames", playing.len().to_string());
        let span = match (playing.first(), playing.last()) {
            (Some(a), Some(b)) => b.at.saturating_sub(a.at),
            _ => Duration::ZERO,
        };
        line(
            "playing_fps",
            rate(playing.len().saturating_sub(1) as f64, span),
        );
        let mut took: Vec<Duration> = self.frames.iter().map(|f| f.took).collect();
        took.sort_unstable();
        for (k, p) in [("p50", 50.0), ("p99", 99.0), ("max", 100.0)] {
            line(
                &format!("draw_ms_{k}"),
                percentile(&took, p).map_or("-".into(), ms),
            );
        }
        // Gaps between frames drawn one after the other while the replay moved.
        let mut gaps: Vec<Duration> = self
            .frames
            .windows(2)
            .filter(|w| w[0].playing && w[1].playing)
            .map(|w| w[1].at.saturating_sub(w[0].at))
            .collect();
        gaps.sort_unstable();
        for (k, p) in [("p50", 50.0), ("p99", 99.0), ("max", 100.0)] {
            line(
                &format!("gap_ms_{k}"),
                percentile(&gaps, p).map_or("-".into(), ms),
            );
        }
        let packets = replay.player.status.counters.packets;
        line("capture_packets", packets.to_string());
        let reading = self
            .ended
            .unwrap_or_else(|| now.saturating_duration_since(self.start));
        line("capture_pps", rate(packets as f64, reading));
        line("segments_applied", replay.player.applied.to_string());
        line("connections", replay.connection_count().to_string());
        line(
            "ended_s",
            self.ended
                .map_or("-".into(), |d| format!("{:.2}", d.as_secs_f64())),
        );
        out
    }

    /// Writes the summary to the file named by [`ENV`].
    pub fn write(&self, now: Instant, replay: &Replay) -> std::io::Result<()> {
        std::fs::write(&self.path, self.summary(now, replay))
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

fn rate(n: f64, over: Duration) -> String {
    if over.is_zero() {
        "-".into()
    } else {
        format!("{:.1}", n / over.as_secs_f64())
    }
}

/// The `p`-th percentile (nearest rank) of `sorted`; `None` when it is empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::TrackerConfig;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&v, 50.0), Some(ms(50)));
        assert_eq!(percentile(&v, 99.0), Some(ms(99)));
        assert_eq!(percentile(&v, 100.0), Some(ms(100)));
        assert_eq!(percentile(&v, 0.0), Some(ms(1)));
        assert_eq!(percentile(&[ms(7)], 99.0), Some(ms(7)));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn summary_counts_frames_rates_and_gaps() {
        let start = Instant::now();
        let mut s = FrameStats::new(PathBuf::from("unused"), start);
        // First frame 40 ms after the start, then one every 30 ms while playing (2 ms each),
        // then the replay ends and two idle frames follow.
        // The first shows no segment yet.
        for i in 0..11u64 {
            let done = start + ms(40 + 30 * i);
            s.frame(done - ms(2), done, true, i * 100);
        }
        s.ended(start + ms(350));
        s.ended(start + ms(900));
        s.frame(start + ms(1000), start + ms(1001), false, 1000);
        s.frame(start + ms(2000), start + ms(2003), false, 1000);
        let replay = Replay::new(TrackerConfig::default(), "x", false);
        let text = s.summary(start + ms(2040), &replay);
        let get = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{k} ")))
                .unwrap_or_else(|| panic!("{k} missing in\n{text}"))
                .to_string()
        };
        assert_eq!(get("first_frame_ms"), "40.0");
        assert_eq!(get("first_data_ms"), "70.0");
        assert_eq!(get("frames"), "13");
        assert_eq!(get("run_s"), "2.00");
        assert_eq!(get("fps"), "6.5");
        assert_eq!(get("playing_frames"), "11");
        // 10 intervals over 300 ms.
        assert_eq!(get("playing_fps"), "33.3");
        assert_eq!(get("draw_ms_p50"), "2.0");
        assert_eq!(get("draw_ms_max"), "3.0");
        assert_eq!(get("gap_ms_p50"), "30.0");
        assert_eq!(get("gap_ms_max"), "30.0");
        assert_eq!(get("capture_packets"), "0");
        assert_eq!(get("ended_s"), "0.35");
    }

    #[test]
    fn summary_without_frames() {
        let start = Instant::now();
        let s = FrameStats::new(PathBuf::from("unused"), start);
        let replay = Replay::new(TrackerConfig::default(), "x", false);
        let text = s.summary(start + ms(10), &replay);
        assert!(text.contains("first_frame_ms -\n"), "{text}");
        assert!(text.contains("first_data_ms -\n"), "{text}");
        assert!(text.contains("frames 0\n"), "{text}");
        assert!(text.contains("draw_ms_p99 -\n"), "{text}");
    }
}
