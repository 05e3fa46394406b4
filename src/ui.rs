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
pub mod detail;
mod event_loop;
pub mod filter;
pub mod findings_cache;
pub mod frame_stats;
pub mod help;
pub mod index;
pub mod kernel_view;
pub mod ladder;
pub mod layers;
pub mod list;
pub mod narrate;
pub mod pane;
pub mod player;
pub mod problems;
pub mod render;
pub mod replay;
pub mod schedule;
pub mod status;
pub mod store;
pub mod term;
pub mod text;
pub mod theme;
pub mod udp;

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::time::Instant;

use std::sync::Arc;

use crate::capture::frames::{self, FrameRing, FrameSource};
use crate::capture::{live, privileges, Input, Source, SourceMsg, SourceOptions};
use crate::config::{CoreConfig, SourceConfig, UiConfig};
use crate::escape;
use app::App;
use replay::Replay;

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

/// How the status bar names a stream on standard input.
pub const STDIN_LIVE: &str = "stdin (live)";

/// The status bar's note while the demo waits at its start.
pub const DEMO_HINT: &str = "→ step, space play";

/// Opens `source` (an interface, a file, or the demo) and returns the replay controller
/// reading it. Every error (bad file, no permission) comes back here, before the terminal is
/// touched.
pub fn open(source: &SourceConfig, core: &CoreConfig, ui: &UiConfig) -> Result<Replay, String> {
    let mut r = Replay::new(core.tracker.clone(), source.name(), source.is_live());
    r.udp = core.decode.udp;
    // A live capture's newest frames, for the layers view.
    let mut ring = None;
    match source {
        // A pcap stream on standard input (`ssh host tcpdump -U -w - | synack -`) is followed
        // as it arrives, not replayed by its timestamps: reading its header waits for the
        // writer, before the terminal is touched.
        SourceConfig::File(_) if source.is_stdin() => {
            let reader = source.open_file().expect("a file source");
            let reader = reader.map_err(|e| e.to_string())?;
            let src = Source::spawn(
                Input::File(reader),
                core.decode.decoder(),
                SourceOptions::STREAM,
            )?;
            r = Replay::new(core.tracker.clone(), STDIN_LIVE, true);
            r.udp = core.decode.udp;
            r.player.stream = true;
            r.attach(src.into_receiver(), None);
        }
        SourceConfig::Live(cfg) => {
            let mut iface = live::open(cfg)?;
            let kept = Arc::new(FrameRing::new(FrameRing::FRAMES, FrameRing::BYTES));
            iface.keep_frames(kept.clone());
            ring = Some(kept);
            // The kernel view's netlink socket, opened before the drop as in batch mode; its
            // thread only after it (capabilities are a thread's own: one started before
            // the drop would keep them). An error goes to the status line.
            let prober = crate::kernel::poller::Prober::host();
            // The socket is open: nothing from here on needs privileges.
            privileges::drop_privileges(cfg.user.as_deref())?;
            match prober.and_then(crate::kernel::poller::Poller::spawn) {
                Ok(p) => r.kernel_poller = Some(p),
                Err(e) => r.player.status.error = Some(e),
            }
            let src = Source::spawn(
                Input::Live(Box::new(iface)),
                core.decode.decoder(),
                SourceOptions::INTERACTIVE,
            )?;
            // The thread is not joined: it ends when the channel's receiver is dropped.
            r.attach(src.into_receiver(), None);
        }
        SourceConfig::File(_) | SourceConfig::Demo | SourceConfig::Lesson(_) => {
            let mut start = file_starter(source.clone(), core.clone());
            let rx = start()?;
            r.attach(rx, Some(Box::new(start)));
        }
    }
    r.frames = Some(frames::Fetcher::spawn(frame_source(source, ring)));
    r.player.speed = ui.speed;
    r.player.max_gap = ui.max_gap;
    // The demo is for a class: it waits at t=0 for the teacher rather than being over in 15 s.
    // So does a lesson, stepped segment by segment.
    if matches!(source, SourceConfig::Demo | SourceConfig::Lesson(_)) {
        r.player.paused = true;
        r.player.note = Some(DEMO_HINT.into());
    }
    r.findings = findings_cache::FindingsCache::new(core.diagnosis.clone());
    Ok(r)
}

/// Where the layers view finds `source`'s frames again, opened on the fetcher's thread.
fn frame_source(
    source: &SourceConfig,
    ring: Option<Arc<FrameRing>>,
) -> impl FnOnce() -> FrameSource + Send + 'static {
    let source = source.clone();
    move || match (&source, ring) {
        (_, Some(ring)) => FrameSource::Ring(ring),
        (SourceConfig::File(path), None) => FrameSource::file(path),
        (SourceConfig::Demo, None) => FrameSource::memory(crate::config::DEMO),
        (SourceConfig::Lesson(l), None) => FrameSource::memory(l.capture),
        (SourceConfig::Live(_), None) => FrameSource::None("no frames were kept".into()),
    }
}

/// Waits, with the terminal untouched, until a stream's first frame has arrived (or it ended):
/// whatever runs upstream (an ssh password prompt, sudo) still has the terminal until then.
fn wait_for_first_frame(replay: &mut Replay) {
    loop {
        replay.pump(Instant::now(), std::time::Duration::from_millis(5));
        let st = &replay.player.status;
        if replay.player.clock.is_some() || st.done || st.error.is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The `x` key's file: connection `id` as a Mermaid diagram in `dir`, with the ladder's
/// current socket calls (`c`) and its findings. Returns the status bar's note: where the file
/// went, or why it did not.
pub fn export_connection(app: &App, replay: &Replay, id: u64, dir: &std::path::Path) -> String {
    use crate::export::{self, ExportFormat};
    let Some(c) = replay.connection(id) else {
        return format!("cannot export #{id}: no longer held");
    };
    // Mermaid: it pastes into Markdown and renders where most notes are kept.
    let format = ExportFormat::Mermaid;
    let opts = crate::output::OutputOptions {
        calls: app.ladder.calls,
        lesson: app.lesson,
        ..Default::default()
    };
    let findings = replay.findings_of(c);
    let text = export::render(c, format, &opts, &findings, &app.aliases);
    let path = dir.join(export::file_name(id, format));
    match std::fs::write(&path, text) {
        Ok(()) => format!(
            "exported #{id} to {}",
            escape::escape(&path.to_string_lossy())
        ),
        Err(e) => format!(
            "cannot export #{id} to {}: {e}",
            escape::escape(&path.to_string_lossy())
        ),
    }
}

/// Runs the TUI until the user quits (or a signal asks to).
pub fn run(source: &SourceConfig, core: &CoreConfig, ui: &UiConfig) -> anyhow::Result<ExitCode> {
    let mut replay = open(source, core, ui).map_err(anyhow::Error::msg)?;
    if source.is_stdin() {
        wait_for_first_frame(&mut replay);
    }
    run_replay(replay, ui)
}

/// `--lab` in the TUI: follows the lab's capture (opened in its namespace), plays the
/// scenario, and runs it again on `R`. The lab is removed when the TUI ends (its last
/// holder, the replay's [`replay::LabControl`], is dropped before this returns).
pub fn run_lab(
    lab: crate::lab::Lab,
    iface: live::Interface,
    kernel: Option<crate::kernel::poller::Prober>,
    core: &CoreConfig,
    ui: &UiConfig,
) -> anyhow::Result<ExitCode> {
    let name = format!("lab {} on {}", lab.scenario.name, lab.layout().client_if);
    let mut r = Replay::new(core.tracker.clone(), &name, true);
    r.udp = core.decode.udp;
    let src = Source::spawn(
        Input::Live(Box::new(iface)),
        core.decode.decoder(),
        SourceOptions::INTERACTIVE,
    )
    .map_err(anyhow::Error::msg)?;
    r.attach(src.into_receiver(), None);
    r.player.speed = ui.speed;
    r.findings = findings_cache::FindingsCache::new(core.diagnosis.clone());
    r.kernel_poller = kernel.and_then(|p| crate::kernel::poller::Poller::spawn(p).ok());
    let lab = std::sync::Arc::new(lab);
    let (tx, notes) = std::sync::mpsc::channel();
    // Reports go to the status line, never to stderr: that would garble the screen.
    let report: crate::lab::scenarios::Report = std::sync::Arc::new(move |outcome| {
        let _ = tx.send(outcome);
    });
    let play = move || lab.play(std::sync::Arc::clone(&report));
    play();
    r.lab = Some(replay::LabControl {
        rerun: Box::new(play),
        notes,
        errors: 0,
    });
    run_replay(r, ui)
}

/// The TUI on an opened replay, until the user quits (or a signal asks to).
fn run_replay(mut replay: Replay, ui: &UiConfig) -> anyhow::Result<ExitCode> {
    let mut app = App::for_ui(ui);
    let signals = term::Signals::register()?;
    let mut stats = frame_stats::FrameStats::from_env();
    let mut tui = term::Tui::enter()?;
    let result = event_loop::run(&mut tui, &mut app, &mut replay, &signals, &mut stats);
    drop(tui);
    let signal = signals.signal();
    drop(signals);
    if let Some(s) = &stats {
        if let Err(e) = s.write(Instant::now(), &replay) {
            eprintln!("synack: cannot write {}: {e}", s.path().display());
        }
    }
    // The lab (if any) goes now, before anything below can return.
    replay.lab = None;
    if term::PANICKED.load(Ordering::SeqCst) {
        anyhow::bail!("stopped after a panic (message above)");
    }
    result?;
    let save_error = replay
        .player
        .status
        .save
        .as_ref()
        .filter(|s| s.error.is_some());
    if let Some(save) = save_error {
        eprintln!("synack: {}", save.line());
    }
    if let Some(e) = &replay.player.status.error {
        eprintln!("synack: {e}");
        return Ok(ExitCode::from(2));
    }
    if save_error.is_some() {
        return Ok(ExitCode::from(2));
    }
    // Ended by a signal, the terminal given back: as a shell expects, 128 + its number.
    if let Some(sig) = signal {
        return Ok(ExitCode::from(128u8.saturating_add(sig as u8)));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Args;
    use crate::config::{Config, Env};
    use clap::Parser;

    #[test]
    fn the_demo_opens_paused_at_the_start_with_a_hint_and_a_file_plays() {
        let cfg = Config::from_args(&Args::parse_from(["synack"]), &Env::default()).unwrap();
        let r = open(&cfg.source, &cfg.core, &cfg.ui).unwrap();
        assert!(r.player.paused);
        assert_eq!(r.player.applied, 0);
        assert_eq!(r.player.note.as_deref(), Some(DEMO_HINT));
        let args = Args::parse_from(["synack", "fixtures/handshake-close.pcap"]);
        let cfg = Config::from_args(&args, &Env::default()).unwrap();
        let r = open(&cfg.source, &cfg.core, &cfg.ui).unwrap();
        assert!(!r.player.paused && r.player.note.is_none());
    }
}
