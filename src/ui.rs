//! The terminal UI: a live connection list and animated ladder diagrams, for replayed files and
//! live interfaces alike.
//!
//! Pure core, thin edges:
//! - [`replay::Replay`] owns the tracker and the replay clock, fed by the capture thread's
//!   bounded channel (a file or a live interface: the UI does not care which);
//! - [`app::App`] is what the screen shows and where the user is; keys and mouse change it;
//! - [`render::draw`] draws a frame from both, with no I/O (snapshot-tested);
//! - [`term`] and [`run`] are the edge: the terminal, signals and the event loop.

pub mod app;
pub mod filter;
pub mod findings_cache;
pub mod frame_stats;
pub mod help;
pub mod index;
pub mod ladder;
pub mod list;
pub mod narrate;
pub mod player;
pub mod problems;
pub mod render;
pub mod replay;
pub mod status;
pub mod store;
pub mod term;
pub mod text;
pub mod theme;

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event};

use crate::capture::{live, privileges, Input, Source, SourceMsg, SourceOptions};
use crate::config::{CoreConfig, SourceConfig, UiConfig};
use app::{Action, App};
use replay::Replay;

/// Redraw this often (30 frames a second) while something moves.
const FRAME: Duration = Duration::from_nanos(1_000_000_000 / 30);
/// Redraw at least this often when nothing moves.
const IDLE: Duration = Duration::from_secs(1);
/// A new arrow grows from its sender to its receiver over this long.
const GROW: Duration = Duration::from_millis(300);
/// Work per loop turn on applying segments: until the next frame is due, less `RESERVE` for
/// the diagnosis and the draw, and at most `BUDGET`, so keys stay responsive at `max` speed.
const BUDGET: Duration = Duration::from_millis(25);
const RESERVE: Duration = Duration::from_millis(10);
const MIN_BUDGET: Duration = Duration::from_millis(2);
/// A pass over the connections to bring findings up to date starts at most this often while
/// the replay runs (at once after a step or when paused); it does at most `DIAG_BUDGET` of work
/// per turn of the loop, over as many turns as it takes.
const DIAG_EVERY: Duration = Duration::from_millis(250);
const DIAG_BUDGET: Duration = Duration::from_millis(8);

/// A function that starts reading the file (or the demo) from its beginning.
fn file_starter(
    source: SourceConfig,
    core: CoreConfig,
) -> impl FnMut() -> Result<Receiver<SourceMsg>, String> {
    move || {
        let reader = match source.open_file() {
            Some(r) => r.map_err(|e| e.to_string())?,
            None => return Err("not a file".into()),
        };
        let src = Source::spawn(
            Input::File(reader),
            core.decode.decoder(),
            SourceOptions::INTERACTIVE,
        )?;
        Ok(src.into_receiver())
    }
}

/// Opens `source` (an interface, a file, or the demo) and returns the replay controller
/// reading it. Every error (bad file, no permission) comes back here, before the terminal is
/// touched.
pub fn open(source: &SourceConfig, core: &CoreConfig, ui: &UiConfig) -> Result<Replay, String> {
    let mut r = Replay::new(core.tracker.clone(), source.name(), source.is_live());
    match source {
        SourceConfig::Live(cfg) => {
            let iface = live::open(cfg)?;
            // The socket is open: nothing from here on needs privileges.
            privileges::drop_privileges(cfg.user.as_deref())?;
            let src = Source::spawn(
                Input::Live(Box::new(iface)),
                core.decode.decoder(),
                SourceOptions::INTERACTIVE,
            )?;
            // The thread is not joined: it ends when the channel's receiver is dropped.
            r.attach(src.into_receiver(), None);
        }
        SourceConfig::File(_) | SourceConfig::Demo => {
            let mut start = file_starter(source.clone(), core.clone());
            let rx = start()?;
            let restart: Option<replay::Restart> = if matches!(source, SourceConfig::File(p) if p == "-")
            {
                None
            } else {
                Some(Box::new(start))
            };
            r.attach(rx, restart);
        }
    }
    r.player.speed = ui.speed;
    r.player.max_gap = ui.max_gap;
    r.findings = findings_cache::FindingsCache::new(core.diagnosis.clone());
    Ok(r)
}

/// Runs the TUI until the user quits (or a signal asks to).
pub fn run(source: &SourceConfig, core: &CoreConfig, ui: &UiConfig) -> anyhow::Result<ExitCode> {
    let mut replay = open(source, core, ui).map_err(anyhow::Error::msg)?;
    let mut app = App::new(ui.theme);
    let signals = term::Signals::register()?;
    let mut stats = frame_stats::FrameStats::from_env();
    let mut tui = term::Tui::enter()?;
    let result = event_loop(&mut tui, &mut app, &mut replay, &signals, &mut stats);
    drop(tui);
    drop(signals);
    if let Some(s) = &stats {
        if let Err(e) = s.write(Instant::now(), &replay) {
            eprintln!("synack: cannot write {}: {e}", s.path().display());
        }
    }
    if term::PANICKED.load(Ordering::SeqCst) {
        anyhow::bail!("stopped after a panic (message above)");
    }
    result?;
    if let Some(e) = &replay.player.status.error {
        eprintln!("synack: {e}");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
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

fn event_loop(
    tui: &mut term::Tui,
    app: &mut App,
    replay: &mut Replay,
    signals: &term::Signals,
    stats: &mut Option<frame_stats::FrameStats>,
) -> anyhow::Result<()> {
    let mut last_draw: Option<Instant> = None;
    // When the next frame is due while something moves (see `next_frame`).
    let mut frame_at: Option<Instant> = None;
    let mut drawn_generation = u64::MAX;
    let mut drawn_anim = 1.0f32;
    let mut dirty = true;
    let mut diag_at: Option<Instant> = None;
    let mut diag_generation = u64::MAX;
    loop {
        if signals.quit_requested() || term::PANICKED.load(Ordering::SeqCst) {
            return Ok(());
        }
        if signals.take_stop() {
            tui.suspend()?;
            replay.hold();
            dirty = true;
        }
        if signals.take_cont() {
            tui.terminal.clear()?;
            dirty = true;
        }
        // Each turn: the frame if one is due, then work (segments, findings) until the next
        // one is, then wait for it or a key.
        let now = Instant::now();
        if replay.is_live() {
            replay.set_wall(crate::time::wall_clock());
        }
        app.anim = match replay.player.last {
            Some((id, at)) if Some(id) == app.selected && !replay.seeking() => {
                (now.saturating_duration_since(at).as_secs_f32() / GROW.as_secs_f32()).min(1.0)
            }
            _ => 1.0,
        };
        let moving = app.anim != drawn_anim || replay.generation() != drawn_generation;
        let since = last_draw.map_or(Duration::MAX, |t| now.saturating_duration_since(t));
        let due = frame_at.is_none_or(|t| now >= t);
        let size = tui.size()?;
        if dirty || (moving && due) || since >= IDLE {
            let began = stats.is_some().then(Instant::now);
            app.sync(replay, size);
            tui.terminal.draw(|f| render::draw(f, app, replay))?;
            if let (Some(s), Some(began)) = (stats.as_mut(), began) {
                let done = Instant::now();
                s.frame(began, done, replay.busy(), replay.player.applied);
                if replay.at_end() {
                    s.ended(done);
                }
            }
            last_draw = Some(now);
            frame_at = Some(next_frame(frame_at, now));
            drawn_generation = replay.generation();
            drawn_anim = app.anim;
            dirty = false;
        }
        let to_frame = frame_at.map_or(FRAME, |t| t.saturating_duration_since(Instant::now()));
        replay.pump(
            Instant::now(),
            to_frame.saturating_sub(RESERVE).clamp(MIN_BUDGET, BUDGET),
        );
        // A pass over the connections goes on each turn until it ends (see findings_cache.rs); a new
        // one starts when something changed, at most every DIAG_EVERY while the replay moves.
        let since_diag = diag_at.map_or(Duration::MAX, |t| now.saturating_duration_since(t));
        let changed = replay.generation() != diag_generation;
        let diag_due = since_diag >= DIAG_EVERY;
        let going = replay.findings.in_pass();
        if going || (changed && (diag_due || !replay.busy())) || since_diag >= IDLE {
            if !going {
                diag_at = Some(now);
                diag_generation = replay.generation();
            }
            // More time when nothing else runs.
            let budget = if replay.busy() {
                DIAG_BUDGET
            } else {
                DIAG_BUDGET * 3
            };
            replay.refresh_diagnosis(Some(budget));
        } else if replay.findings.untidy() {
            replay.findings.tidy(Some(DIAG_BUDGET));
        }
        // Something to show (a seek that just landed, findings): the next frame, not IDLE.
        let moves = replay.busy() || app.anim < 1.0 || replay.generation() != drawn_generation;
        let timeout = if moves || replay.findings.in_pass() || replay.findings.untidy() {
            frame_at.map_or(Duration::ZERO, |t| {
                t.saturating_duration_since(Instant::now())
            })
        } else {
            IDLE / 4
        };
        if !event::poll(timeout)? {
            continue;
        }
        app.sync(replay, size);
        loop {
            let action = match event::read()? {
                Event::Key(k) => app.handle_key(k, replay, size),
                Event::Mouse(m) => app.handle_mouse(m, replay, size),
                _ => Action::None,
            };
            match action {
                Action::Quit => return Ok(()),
                Action::Suspend => {
                    tui.suspend()?;
                    replay.hold();
                }
                Action::Redraw => tui.terminal.clear()?,
                Action::Replay(c) => replay.command(c),
                Action::None => {}
            }
            dirty = true;
            if !event::poll(Duration::ZERO)? {
                break;
            }
            app.sync(replay, size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_keep_their_rate_after_a_late_one() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        // The first frame: the next one FRAME later.
        assert_eq!(next_frame(None, t0), t0 + FRAME);
        // Drawn 5 ms late: the next is still due FRAME after this one was due.
        assert_eq!(
            next_frame(Some(t0 + FRAME), t0 + FRAME + ms(5)),
            t0 + 2 * FRAME
        );
        // Drawn early (a key): the one due stays due.
        assert_eq!(next_frame(Some(t0 + FRAME), t0 + ms(10)), t0 + 2 * FRAME);
        // More than a frame behind (a stop, a long key): start again from now.
        assert_eq!(
            next_frame(Some(t0), t0 + FRAME + ms(1)),
            t0 + 2 * FRAME + ms(1)
        );
    }
}
