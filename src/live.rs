//! Batch modes on a live interface (`synack -i IFACE --text/--json`): connections are written
//! as they end, then a summary, when the capture stops (Ctrl-C, `--count`, `--duration`, or
//! the interface going away).
//!
//! Like the file batch runner, but time does not stand still between packets: the tracker is
//! advanced on the wall clock on every tick, so TIME_WAIT runs out (and connections retire)
//! while the wire is quiet.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::batch::{decoder_from_args, diag_config, output_options, tracker_config, Format};
use crate::capture::live;
use crate::capture::source::{self, Drops, SourceMsg, SourceStatus};
use crate::cli::Args;
use crate::decode::Timestamp;
use crate::output::{summary::Report, Sink};
use crate::pipeline::Pipeline;
use crate::track::Connection;
use crate::track::{Tracker, TrackerConfig};

/// What a live batch run ended with.
#[derive(Debug)]
pub struct LiveOutcome {
    /// Why the capture ended early (e.g. the interface went away).
    pub error: Option<String>,
    /// Findings that are problems (`--diagnose` exits 1 when there are any).
    pub problems: usize,
}

/// How often the live clock ticks (timers run, finished connections are written).
const TICK: Duration = Duration::from_millis(200);

/// Set by SIGINT/SIGTERM.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// The first Ctrl-C (or SIGTERM) stops the capture cleanly, so the connections still open and
/// the summary are written; the handler is one-shot, so a second Ctrl-C kills as usual.
fn catch_interrupts() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: installs an async-signal-safe handler (one atomic store); the zeroed
        // sigaction is a valid empty mask with no flags before ours are set.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            sa.sa_flags = libc::SA_RESETHAND | libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// The wall clock as a packet timestamp (pcap timestamps are wall-clock time).
pub fn wall_clock() -> Timestamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_secs_nanos(d.as_secs() as i64, i64::from(d.subsec_nanos()))
}

/// Runs a batch mode on `args.interface`, writing to `out`. The readiness line ("capturing on
/// ...") and the drop counts go to stderr. Returns why the capture ended early (e.g. the
/// interface went away), after everything has been written.
/// Returns why the capture ended early (if it did) and how many problems the diagnosis found.
pub fn run(
    args: &Args,
    format: Format,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<LiveOutcome> {
    let decoder = decoder_from_args(args).map_err(anyhow::Error::msg)?;
    // Live, a connection is written once it is over (both ends closed, or one in TIME_WAIT)
    // and has lingered a few seconds, not after TIME_WAIT runs out: the JSON then carries
    // the TIME_WAIT's remaining time instead.
    let cfg = TrackerConfig {
        retire_in_time_wait: true,
        linger: TrackerConfig::default().linger,
        ..tracker_config(args, true).map_err(anyhow::Error::msg)?
    };
    let mut pipeline = Pipeline::new(Tracker::new(cfg));
    let opts = output_options(args);
    let (tx, rx) = source::channel();
    catch_interrupts();
    let capture = live::spawn(args, decoder, tx).map_err(anyhow::Error::msg)?;
    eprintln!("synack: {} (Ctrl-C to stop)", capture.info);

    let mut sink = Sink::new(format, opts, diag_config(args), out);
    let mut last = SourceStatus::default();
    loop {
        if INTERRUPTED.load(Ordering::Relaxed) {
            capture.stop.store(true, Ordering::Relaxed);
        }
        match rx.recv_timeout(TICK) {
            Ok(SourceMsg::Segments(segs)) => {
                for (seg, frame) in &segs {
                    pipeline.tracker.ingest(seg, *frame);
                }
            }
            Ok(SourceMsg::Status(s)) => last = s,
            Err(RecvTimeoutError::Timeout) => {}
            // The thread has sent its last status and gone.
            Err(RecvTimeoutError::Disconnected) => break,
        }
        // Live clock: timers run even when no packet comes.
        let now = wall_clock();
        pipeline.tracker.advance(now);
        let done: Vec<Box<Connection>> = pipeline.tracker.drain_retired().collect();
        for c in &done {
            sink.connection(c, now)?;
        }
        if !done.is_empty() {
            sink.flush()?;
        }
    }
    let _ = capture.handle.join();

    let now = wall_clock();
    pipeline.tracker.advance(now);
    let mut rest: Vec<Box<Connection>> = pipeline.tracker.drain_retired().collect();
    rest.extend(pipeline.tracker.drain_boxed_by_id());
    for c in &rest {
        sink.connection(c, now)?;
    }
    let summary = sink.summary.clone();
    let report = Report {
        summary: &summary,
        counters: &last.counters,
        tracker: &pipeline.tracker.stats,
        warning: last.error.as_deref(),
    };
    let d = last.drops;
    let mut extra = serde_json::Map::new();
    extra.insert("interface".into(), last.name.clone().into());
    extra.insert(
        "drops".into(),
        serde_json::json!({"kernel": d.kernel, "interface": d.interface, "queue": d.queue}),
    );
    sink.finish(&report, &last.name, Some(extra))?;
    if format == Format::Text {
        writeln!(sink.out()?, "{}", drops_line(&last.name, &d))?;
        sink.flush()?;
    }
    eprintln!(
        "synack: {} packets captured; {}",
        last.counters.packets,
        drops_line(&last.name, &d)
    );
    Ok(LiveOutcome {
        error: last.error,
        problems: sink.problems(),
    })
}

fn drops_line(name: &str, d: &Drops) -> String {
    format!(
        "dropped on {name}: {} by the kernel, {} by the interface, {} by synack's queue",
        d.kernel, d.interface, d.queue
    )
}
