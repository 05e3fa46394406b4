//! The replay: what the screen is drawn from. Three parts, each with one job:
//! - the [`Player`] paces the capture thread's frames by the replay clock (play, pause,
//!   steps, seeks, speed);
//! - the [`Store`] holds the connections shown, indexed and counted as they change;
//! - the [`FindingsCache`] keeps every connection's findings up to date, in bounded passes.
//!
//! Wall time comes in as arguments, so a replay can be driven by tests without a clock.

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use super::findings_cache::FindingsCache;
pub use super::player::{Command, Player, Restart, Speed, SPEEDS};
pub use super::store::{Store, CLOSED_KEEP};
use crate::capture::frames::{Fetched, Fetcher, FrameError};
use crate::capture::source::SourceMsg;
use crate::decode::{Item, Segment};
use crate::diagnose::{DiagConfig, Finding};
use crate::time::Timestamp;
use crate::track::table::StateCounts;
use crate::track::{Connection, TrackerConfig};

/// The replay (see the module documentation).
pub struct Replay {
    pub player: Player,
    pub store: Store,
    /// The findings of every connection, as of [`Replay::diag_now`].
    pub findings: FindingsCache,
    /// Findings passes published (a part of [`Replay::generation`]).
    findings_published: u64,
    /// Reads frames again by number for the layers view; `None`: this source cannot.
    pub frames: Option<Fetcher>,
    /// A frame asked for with no fetcher: answered at once.
    no_frames: Option<u64>,
    /// `--lab`: the key that runs the scenario again, and what the scenario says.
    pub lab: Option<LabControl>,
    /// UDP datagrams are decoded (`--udp`, or a file): the UDP view says so when not.
    pub udp: bool,
    /// The kernel's view of the ends (live and lab runs): the latest the poller published,
    /// taken by [`Replay::refresh_kernel`] (render reads only this).
    pub kernel: Option<std::sync::Arc<crate::kernel::View>>,
    pub kernel_poller: Option<crate::kernel::poller::Poller>,
    /// The kernel's view the findings were last made with (held, so that a new view is never
    /// taken for it), and how many views they have been made with.
    diagnosed_kernel: Option<std::sync::Arc<crate::kernel::View>>,
    kernel_views: u64,
}

/// The TUI's hold on a running lab (see [`crate::lab`]).
pub struct LabControl {
    /// Runs the scenario again (on a thread of its own: returns at once).
    pub rerun: Box<dyn FnMut()>,
    /// What the scenario reports (it holds, it failed, a later error), for the status bar.
    pub notes: Receiver<Result<String, String>>,
    /// Errors reported so far (all runs): the status line counts them, so a repeated one
    /// is seen to repeat.
    pub errors: usize,
}

impl LabControl {
    /// The status line for a report: an error is counted (`lab: many failed: ... (2 errors)`).
    pub fn note(&mut self, report: Result<String, String>, lang: crate::i18n::Lang) -> String {
        match report {
            Ok(name) => {
                crate::i18n::fill(crate::i18n::messages(lang).lab_holds, &[("name", &name)])
            }
            Err(e) => {
                self.errors += 1;
                match self.errors {
                    1 => e,
                    n => format!("{e} ({n} errors)"),
                }
            }
        }
    }
}

impl Replay {
    /// A replay with no source yet (see [`Replay::attach`]), for `name` (file or interface).
    /// A live source is never paced, stepped back or restarted.
    pub fn new(cfg: TrackerConfig, name: &str, live: bool) -> Replay {
        let two_msl = 2.0 * cfg.msl.0 as f64 / 1e9;
        Replay {
            player: Player::new(name, live),
            store: Store::new(cfg),
            findings: FindingsCache::new(DiagConfig {
                two_msl,
                ..DiagConfig::default()
            }),
            findings_published: 0,
            frames: None,
            no_frames: None,
            lab: None,
            udp: false,
            kernel: None,
            kernel_poller: None,
            diagnosed_kernel: None,
            kernel_views: 0,
        }
    }

    /// Takes the kernel view the poller published last (an Arc's clone: no I/O).
    pub fn refresh_kernel(&mut self) {
        if let Some(p) = &self.kernel_poller {
            self.kernel = Some(p.latest());
        }
    }

    /// Both ends of `c` as the kernel holds them, when there is a kernel view.
    pub fn kernel_pair(&self, c: &crate::track::Connection) -> Option<crate::kernel::KernelPair> {
        self.kernel.as_ref().map(|v| v.pair(c))
    }

    /// Asks for frame `n`'s bytes (the answer comes through [`Replay::take_frame`]). Never
    /// waits: the fetcher's thread reads.
    pub fn request_frame(&mut self, n: u64) {
        match &self.frames {
            Some(f) => f.request(n),
            None => self.no_frames = Some(n),
        }
    }

    /// A frame asked for, if it has come.
    pub fn take_frame(&mut self) -> Option<Fetched> {
        if let Some(n) = self.no_frames.take() {
            let why = "this source keeps no frames".to_string();
            return Some((n, Err(FrameError::Unavailable(why))));
        }
        self.frames.as_ref()?.try_take()
    }

    /// Bumped whenever something visible changes, so the screen knows when to redraw.
    pub fn generation(&self) -> u64 {
        self.player.generation + self.store.changes + self.findings_published
    }

    /// "Now" for the diagnosis: capture time for a file (the replay clock, so a finding
    /// appears when the replay reaches it), the wall clock for a live capture.
    pub fn diag_now(&self) -> Timestamp {
        let capture = self.player.clock.unwrap_or(self.store.now());
        match (self.is_live(), self.player.wall) {
            (true, Some(w)) => w.max(capture),
            _ => capture,
        }
    }

    /// The findings of `c` as of now, diagnosed afresh (one connection: cheap; used for the
    /// selected connection so its sentences and countdown are exact).
    pub fn findings_of(&self, c: &Connection) -> Vec<Finding> {
        super::findings_cache::findings_with_kernel(
            c,
            self.diag_now(),
            &self.findings.cfg,
            self.kernel.as_deref(),
        )
    }

    /// Brings the findings up to date (see [`FindingsCache::refresh`]); `budget` bounds the
    /// work.
    pub fn refresh_diagnosis(&mut self, budget: Option<Duration>) {
        let now = self.diag_now();
        let before = self.findings.generation;
        let same = match (&self.kernel, &self.diagnosed_kernel) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            self.diagnosed_kernel = self.kernel.clone();
            self.kernel_views += 1;
        }
        let store = &self.store;
        let kernel = self.kernel.as_deref().map(|v| (v, self.kernel_views));
        self.findings
            .refresh(&store.ids, |id| store.connection(id), now, budget, kernel);
        if self.findings.generation != before {
            self.findings_published += 1;
        }
    }

    /// The wall clock moved (live capture): timers run up to it.
    pub fn set_wall(&mut self, wall: Timestamp) {
        self.player.set_wall(&mut self.store, wall);
    }

    /// Reads frames and status from `rx`; `restart` (files) can start the source again.
    pub fn attach(&mut self, rx: Receiver<SourceMsg>, restart: Option<Restart>) {
        self.player.attach(rx, restart);
    }

    pub fn is_live(&self) -> bool {
        self.player.is_live()
    }

    /// Every connection to show.
    pub fn connections(&self) -> impl Iterator<Item = &Connection> {
        self.store.connections()
    }

    pub fn connection_count(&self) -> usize {
        self.store.connection_count()
    }

    /// Connection `id`, if it is shown.
    pub fn connection(&self, id: u64) -> Option<&Connection> {
        self.store.connection(id)
    }

    /// Per-state counts over the connections shown, both ends.
    pub fn state_counts(&self) -> StateCounts {
        self.store.state_counts()
    }

    /// Tells this replay's store apart from others (for caches built on it).
    pub fn instance(&self) -> u64 {
        self.store.instance()
    }

    pub fn at_end(&self) -> bool {
        self.player.at_end()
    }

    pub fn seeking(&self) -> bool {
        self.player.seeking()
    }

    pub fn busy(&self) -> bool {
        self.player.busy()
    }

    pub fn hold(&mut self) {
        self.player.hold();
    }

    pub fn idle_gap(&self) -> Option<f64> {
        self.player.idle_gap()
    }

    /// Seconds since the first packet, on the clock [`Replay::diag_now`] keeps: live, the
    /// wall clock runs on between packets, so the header, the ages and the TIME_WAIT timers
    /// agree.
    pub fn elapsed(&self) -> f64 {
        match self.player.first_ts {
            Some(f) if self.player.clock.is_some() => self.diag_now().secs_since(f).max(0.0),
            _ => 0.0,
        }
    }

    /// Applies one segment (tests and benchmarks build a state directly with it).
    pub fn apply(&mut self, seg: &Segment, frame: u64, now: Instant) {
        self.player.apply_segment(&mut self.store, seg, frame, now);
    }

    /// Applies one frame of any kind.
    pub fn apply_item(&mut self, item: &Item, now: Instant) {
        self.player.apply(&mut self.store, item, now);
    }

    /// Does what is due at wall time `now`, spending about `budget` at most.
    pub fn pump(&mut self, now: Instant, budget: Duration) {
        self.player.pump(&mut self.store, now, budget);
    }

    /// Carries out a user command.
    pub fn command(&mut self, cmd: Command) {
        if self.player.command(&mut self.store, cmd) {
            self.findings.clear();
        }
    }
}

/// Test support: a generated capture fed to a [`Replay`] a number of frames at a time, as
/// the event loop would, without the capture thread.
#[cfg(test)]
pub(crate) struct Feeder {
    reader: crate::capture::FileReader,
    dec: crate::decode::Decoder,
    t: Instant,
}

#[cfg(test)]
impl Feeder {
    pub(crate) fn new(bytes: &'static [u8], t: Instant) -> Feeder {
        Feeder {
            reader: crate::capture::FileReader::from_bytes("bulk", bytes).unwrap(),
            dec: crate::decode::Decoder::default(),
            t,
        }
    }

    /// Applies `n` more TCP segments (fewer at the end of the capture).
    pub(crate) fn feed(&mut self, r: &mut Replay, n: u64) {
        let target = r.player.applied + n;
        while r.player.applied < target {
            let Some(pkt) = self.reader.next_packet().unwrap() else {
                return;
            };
            if let Some((seg, frame)) = self.dec.decode(&pkt) {
                r.apply(&seg, frame, self.t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{FileReader, Input, Source, SourceOptions};
    use crate::decode::Decoder;
    use crate::ui::findings_cache::PRow;

    const DEMO: &[u8] = include_bytes!("../../fixtures/demo.pcap");

    #[test]
    fn lab_reports_go_to_the_status_line_errors_counted() {
        let (_tx, notes) = std::sync::mpsc::channel();
        let mut lab = LabControl {
            rerun: Box::new(|| {}),
            notes,
            errors: 0,
        };
        let en = crate::i18n::Lang::En;
        assert_eq!(lab.note(Ok("many".into()), en), "lab: many holds");
        assert_eq!(
            lab.note(Ok("many".into()), crate::i18n::Lang::Zh),
            "实验：many 已就绪"
        );
        assert_eq!(
            lab.note(Err("lab: many failed: x".into()), en),
            "lab: many failed: x"
        );
        assert_eq!(
            lab.note(Err("lab: many failed: y".into()), en),
            "lab: many failed: y (2 errors)"
        );
        assert_eq!(lab.errors, 2);
    }

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

    #[test]
    fn live_the_header_clock_runs_on_the_wall_clock_between_packets() {
        use crate::track::testkit::{seg_secs, SYN};
        let mut r = Replay::new(TrackerConfig::default(), "eth0", true);
        let syn = seg_secs(true, SYN, 1000, 0, 100.0);
        r.apply(&syn, 1, Instant::now());
        assert_eq!(r.elapsed(), 0.0);
        // 47.9 s later, no packet: the clock, the time of day and the ages move on.
        r.set_wall(Timestamp::from_secs_f64(147.9));
        assert!((r.elapsed() - 47.9).abs() < 1e-6, "{}", r.elapsed());
        assert_eq!(r.diag_now(), Timestamp::from_secs_f64(147.9));
        // A file replay keeps its capture clock.
        let mut f = Replay::new(TrackerConfig::default(), "f.pcap", false);
        f.apply(&syn, 1, Instant::now());
        f.set_wall(Timestamp::from_secs_f64(147.9));
        assert_eq!(f.elapsed(), 0.0);
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
        pump_until(&mut r, &mut t, Duration::ZERO, |r| r.player.applied > 0);
        // The first segment is applied when the clock starts; 5 ms later (1x), not the
        // SYN+ACK 10 ms after it.
        assert_eq!(r.player.applied, 1);
        t += Duration::from_millis(5);
        r.pump(t, Duration::from_millis(50));
        assert_eq!(r.player.applied, 1);
        t += Duration::from_millis(6);
        r.pump(t, Duration::from_millis(50));
        assert_eq!(r.player.applied, 2);
        // At 64x, 100 ms of wall time is 6.4 s of capture; the demo lasts 15.25 s.
        r.player.speed = Speed::X(64.0);
        pump_until(&mut r, &mut t, Duration::from_millis(100), |r| r.at_end());
        assert_eq!(r.player.applied, 42);
        assert_eq!(
            r.player.clock,
            Some(r.store.tracker.now()),
            "clock stops at the last segment"
        );
        assert!((r.elapsed() - 15.2502).abs() < 1e-6, "{}", r.elapsed());
    }

    #[test]
    fn step_forward_and_back_while_paused() {
        let mut r = demo_replay();
        r.player.paused = true;
        let mut t = Instant::now();
        r.command(Command::StepForward);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| r.player.applied == 1);
        r.command(Command::StepForward);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| r.player.applied == 2);
        r.command(Command::StepForward);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| r.player.applied == 3);
        let c = r.connection(1).unwrap();
        assert_eq!(c.states()[0], crate::track::State::Established);
        assert!(r.player.last.is_some(), "a step forward grows its arrow");
        r.command(Command::StepBack);
        pump_until(&mut r, &mut t, Duration::ZERO, |r| !r.seeking());
        assert_eq!(r.player.applied, 2);
        assert!(r.player.paused);
        assert_eq!(
            r.player.last, None,
            "a step back lands without an arrow growing"
        );
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
        assert_eq!(r.player.applied, 42);
        assert!(r.player.paused);
        assert_eq!(r.connections().count(), 6);
        r.command(Command::JumpStart);
        assert_eq!(r.player.applied, 0);
        assert_eq!(r.connections().count(), 0);
        assert!(r.player.paused);
    }

    #[test]
    fn max_gap_skips_idle_time() {
        let mut r = demo_replay();
        r.player.max_gap = Some(0.5);
        let start = Instant::now();
        let mut t = start;
        // 1x with gaps over 0.5 s skipped: the demo's 15 s (mostly idle gaps of 1 s to 8 s)
        // replays in much less (simulated) wall time.
        pump_until(&mut r, &mut t, Duration::from_millis(20), |r| r.at_end());
        assert!(r.at_end());
        assert!(
            r.player.gaps_skipped >= 4,
            "skipped {}",
            r.player.gaps_skipped
        );
        let wall = t.duration_since(start).as_secs_f64();
        assert!(wall < 3.0, "took {wall} s");
    }
    /// The index (ids in order, lookups by id, state counts) against scans of the connections.
    fn check_index(r: &Replay) {
        let mut scan: Vec<u64> = r.connections().map(|c| c.id).collect();
        scan.sort_unstable();
        assert_eq!(r.store.ids.iter().collect::<Vec<_>>(), scan);
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
        let mut changes = r.store.changes;
        while let Some(pkt) = reader.next_packet().unwrap() {
            if let Some((seg, frame)) = dec.decode(&pkt) {
                r.apply(&seg, frame, t);
                assert!(r.store.changes > changes);
                changes = r.store.changes;
                if r.player.applied.is_multiple_of(499) {
                    check_index(&r);
                }
            }
        }
        check_index(&r);
        // Timers alone: TIME_WAITs end, the rest retires.
        let now = r.store.tracker.now();
        r.store
            .advance_to(Timestamp(now.0 + 600 * Timestamp::NANOS_PER_SEC));
        assert!(r.store.changes > changes);
        check_index(&r);
        assert!(r.store.closed_dropped > 0);
        assert_eq!(r.store.closed.len(), CLOSED_KEEP);
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
        assert_eq!(r.store.ids.len(), 6);
        let changes = r.store.changes;
        r.command(Command::JumpStart);
        assert!(r.store.changes > changes);
        assert!(r.store.ids.is_empty());
        assert!(r.connection(1).is_none());
        check_index(&r);
    }
    /// The published diagnosis, as the screen shows it.
    fn published(r: &Replay) -> (usize, usize, usize, usize, Vec<PRow>, usize) {
        let d = &r.findings;
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
        let t = Instant::now();
        let mut bulk = Feeder::new(bytes, t);
        let mut feed = |r: &mut Replay, n: u64| bulk.feed(r, n);
        feed(&mut r, 10_000);
        r.refresh_diagnosis(None);
        assert!(!r.findings.in_pass());
        let first = published(&r);
        let generation = r.findings.generation;
        assert!(first.0 > 0, "findings");
        feed(&mut r, 5_000);
        // No time to spare: 16 connections per call; until the pass ends the screen keeps the
        // last whole one.
        let zero = Some(Duration::ZERO);
        r.refresh_diagnosis(zero);
        assert!(r.findings.in_pass());
        let behind = r.findings.behind;
        assert_eq!(behind + 16, r.connection_count());
        assert_eq!(published(&r), first);
        assert_eq!(r.findings.generation, generation);
        // Connections keep coming: the pass still ends, at the newest when it began.
        let mut calls = 1;
        while r.findings.in_pass() {
            feed(&mut r, 50);
            r.refresh_diagnosis(zero);
            calls += 1;
            assert!(calls <= behind / 16 + 3, "the pass does not end");
        }
        assert!(r.findings.generation > generation);
        assert_ne!(published(&r), first);
        // The last pass's findings are let go of in pieces too.
        assert!(r.findings.untidy());
        while !r.findings.tidy(Some(Duration::ZERO)) {}
        assert!(!r.findings.untidy());
        // One more whole pass gives what a diagnosis from scratch gives.
        r.refresh_diagnosis(None);
        let mut fresh = Replay::new(cfg, "bulk", false);
        let mut reader = FileReader::from_bytes("bulk", bytes).unwrap();
        let mut dec = Decoder::default();
        while fresh.player.applied < r.player.applied {
            let pkt = reader.next_packet().unwrap().unwrap();
            if let Some((seg, frame)) = dec.decode(&pkt) {
                fresh.apply(&seg, frame, t);
            }
        }
        fresh.refresh_diagnosis(None);
        assert_eq!(published(&r), published(&fresh));
        assert_eq!(r.findings.by_kind, fresh.findings.by_kind);
    }
    #[test]
    fn the_end_is_drawn_once_not_on_every_pump() {
        let mut r = demo_replay();
        r.player.speed = Speed::Max;
        let mut t = Instant::now();
        pump_until(&mut r, &mut t, Duration::from_millis(10), |r| r.at_end());
        r.pump(t, Duration::from_millis(50));
        let g = r.generation();
        for _ in 0..5 {
            t += Duration::from_millis(33);
            r.pump(t, Duration::from_millis(50));
        }
        assert_eq!(r.generation(), g, "nothing moves after the end");
        assert!(!r.busy());
        // Back to the start: playing, then the end again is noted again.
        r.command(Command::Restart);
        assert!(r.busy());
        pump_until(&mut r, &mut t, Duration::from_millis(10), |r| r.at_end());
        let g = r.generation();
        r.pump(t, Duration::from_millis(50));
        r.pump(t, Duration::from_millis(50));
        assert!(r.generation() <= g + 1);
    }
}
