//! The TUI's event loop: each turn draws a frame if one is due, applies segments and brings
//! findings up to date until the next one is, then waits for it or a key. What is due when
//! is the [`FrameSchedule`]'s to say; this is the only place that touches the terminal.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event};

use super::app::{Action, App};
use super::frame_stats::FrameStats;
use super::replay::Replay;
use super::schedule::{FrameSchedule, Shown, DIAG_BUDGET};
use super::{render, term};

/// A new arrow grows from its sender to its receiver over this long.
const GROW: Duration = Duration::from_millis(300);

/// How far the selected connection's newest arrow has grown at `now` (1.0: whole).
fn growth(app: &App, replay: &Replay, now: Instant) -> f32 {
    match replay.player.last {
        Some((id, at)) if Some(id) == app.selected && !replay.seeking() => {
            (now.saturating_duration_since(at).as_secs_f32() / GROW.as_secs_f32()).min(1.0)
        }
        _ => 1.0,
    }
}

fn shown(app: &App, replay: &Replay) -> Shown {
    Shown {
        generation: replay.generation(),
        anim: app.anim,
    }
}

/// Runs until the user quits, a signal asks to, or a panic happened on another thread.
pub fn run(
    tui: &mut term::Tui,
    app: &mut App,
    replay: &mut Replay,
    signals: &term::Signals,
    stats: &mut Option<FrameStats>,
) -> anyhow::Result<()> {
    let mut schedule = FrameSchedule::default();
    loop {
        if signals.quit_requested() || term::PANICKED.load(Ordering::SeqCst) {
            return Ok(());
        }
        if signals.take_stop() {
            tui.suspend()?;
            replay.hold();
            schedule.mark_dirty();
        }
        if signals.take_cont() {
            tui.terminal.clear()?;
            schedule.mark_dirty();
        }
        if let Some(lab) = replay.lab.as_mut() {
            if let Ok(report) = lab.notes.try_recv() {
                app.notice = Some(lab.note(report, app.lang));
                schedule.mark_dirty();
            }
        }
        let now = Instant::now();
        if replay.is_live() {
            replay.set_wall(crate::time::wall_clock());
            replay.refresh_kernel();
        }
        app.anim = growth(app, replay, now);
        let size = tui.size()?;
        if schedule.draw_due(now, shown(app, replay)) {
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
            schedule.drawn(now, shown(app, replay));
        }
        replay.pump(Instant::now(), schedule.pump_budget(Instant::now()));
        // The layers view's frame, once the fetcher has read it.
        while let Some((n, got)) = replay.take_frame() {
            app.layers.arrived(n, got);
            schedule.mark_dirty();
        }
        let busy = replay.busy();
        match schedule.diagnosis(now, replay.generation(), busy, replay.findings.in_pass()) {
            Some(budget) => replay.refresh_diagnosis(Some(budget)),
            None if replay.findings.untidy() => {
                replay.findings.tidy(Some(DIAG_BUDGET));
            }
            None => {}
        }
        // Something to show (a seek that just landed, findings): the next frame, not IDLE.
        let moves = replay.busy()
            || app.layers.waiting()
            || app.anim < 1.0
            || replay.findings.in_pass()
            || replay.findings.untidy();
        let wait = schedule.wait(Instant::now(), moves, shown(app, replay));
        if !event::poll(wait)? {
            continue;
        }
        app.sync(replay, size);
        loop {
            let action = match event::read()? {
                Event::Key(k) => app.handle_key(k, replay),
                Event::Mouse(m) => app.handle_mouse(m, replay),
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
                Action::Export(id) => {
                    let here = std::env::current_dir().unwrap_or_else(|_| ".".into());
                    app.notice = Some(super::export_connection(app, replay, id, &here));
                }
                Action::Frame(n) => replay.request_frame(n),
                Action::RerunLab => {
                    if let Some(lab) = replay.lab.as_mut() {
                        (lab.rerun)();
                        app.notice = Some("lab: running the scenario again".into());
                    }
                }
                Action::None => {}
            }
            schedule.mark_dirty();
            if !event::poll(Duration::ZERO)? {
                break;
            }
            app.sync(replay, size);
        }
    }
}
