//! A batch mode on a live interface (`synack -i IFACE --text/--json/--diagnose`): connections
//! are written as they end, then a summary, when the capture stops (Ctrl-C, `--count`,
//! `--duration`, or the interface going away).
//!
//! Like the file runner, but time does not stand still between packets: the tracker is
//! advanced on the wall clock on every tick, so TIME_WAIT runs out (and connections retire)
//! while the wire is quiet; and connections are written as they end, not put in id order.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use super::Outcome;
use crate::capture::savefile::SaveStatus;
use crate::capture::source::Drops;
use crate::capture::{live, privileges, Input, Source, SourceMsg, SourceOptions, SourceStatus};
use crate::config::{CoreConfig, LiveConfig, OutputConfig};
use crate::decode::Endpoint;
use crate::kernel::poller::{Poller, Prober};
use crate::kernel::KernelPair;
use crate::output::{summary::Report, Format, Sink};
use crate::time::wall_clock;
use crate::track::{Connection, Tracker};

/// How often the live clock ticks (timers run, finished connections are written).
const TICK: Duration = Duration::from_millis(200);

/// The signal that asked the capture to stop (0: none yet).
static INTERRUPTED: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    INTERRUPTED.store(sig, Ordering::SeqCst);
}

/// The first Ctrl-C (or SIGTERM, SIGHUP, SIGQUIT) stops the capture cleanly, so the
/// connections still open, the summary and the `-w` file are written whole; the run then
/// exits 128 + the signal's number, as a shell expects of a process the signal ended. The
/// handler is one-shot, so a second one kills as usual.
fn catch_interrupts() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
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

/// Runs batch mode `format` on the interface `live` names, writing to `out`. The readiness
/// line ("capturing on ...") and the drop counts go to stderr. Returns why the capture ended
/// early (e.g. the interface went away), after everything has been written.
pub fn run(
    live: &LiveConfig,
    core: &CoreConfig,
    output: &OutputConfig,
    format: Format,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<Outcome> {
    let iface = live::open(live).map_err(anyhow::Error::msg)?;
    // The kernel view's netlink socket is opened with the capture, before the drop (it
    // would work after it too: dumping TCP sockets needs no privilege; finding their owners
    // in /proc does, see kernel::owners).
    let kernel = match Prober::host() {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("synack: {e} (no kernel view)");
            None
        }
    };
    // The socket and the -w file are open: nothing from here on needs privileges.
    privileges::drop_privileges(live.user.as_deref()).map_err(anyhow::Error::msg)?;
    catch_interrupts();
    run_opened(
        iface,
        core,
        output,
        format,
        out,
        Extra {
            kernel,
            ..Extra::default()
        },
    )
}

/// What a caller of [`run_opened`] adds to a plain capture (the lab).
#[derive(Default)]
pub struct Extra<'a> {
    /// Objects added to the JSON summary, by key (the lab's `lab`).
    pub summary: Vec<(String, serde_json::Value)>,
    /// Called on every tick of the live clock.
    pub on_tick: Option<&'a mut dyn FnMut()>,
    /// Set from elsewhere to stop the capture as Ctrl-C would (a scenario that failed).
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
    /// The kernel's view of the ends on this host (or in the lab's namespaces), read by a
    /// poller thread while the capture runs.
    pub kernel: Option<Prober>,
}

/// Installs the handlers that stop a batch capture cleanly on the first Ctrl-C, SIGTERM,
/// SIGHUP or SIGQUIT (see [`run`]); the lab installs them before it creates anything, so that
/// a signal during its set-up still lets it clean up.
pub fn catch_signals() {
    catch_interrupts();
}

/// The signal that asked the capture to stop, if one did.
pub fn interrupted() -> Option<i32> {
    Some(INTERRUPTED.load(Ordering::SeqCst)).filter(|s| *s != 0)
}

/// [`run`] on an interface already opened (privileges already dealt with, signals caught).
pub fn run_opened(
    iface: live::Interface,
    core: &CoreConfig,
    output: &OutputConfig,
    format: Format,
    out: &mut (dyn Write + Send),
    mut extra_in: Extra<'_>,
) -> anyhow::Result<Outcome> {
    let mut tracker = Tracker::new(core.tracker.clone());
    let source = Source::spawn(
        Input::Live(Box::new(iface)),
        core.decode.decoder(),
        SourceOptions::INTERACTIVE,
    )
    .map_err(anyhow::Error::msg)?;
    if let Some(info) = &source.info {
        eprintln!("synack: {info} (Ctrl-C to stop)");
    }
    let mut sink = Sink::new(format, output.options, core.diagnosis.clone(), out);
    let poller = extra_in.kernel.take().and_then(|p| {
        Poller::spawn(p)
            .inspect_err(|e| eprintln!("synack: {e} (no kernel view)"))
            .ok()
    });
    let last = follow(
        &source,
        &mut tracker,
        &mut sink,
        &mut extra_in,
        poller.as_ref(),
    )?;
    source.join();

    let now = wall_clock();
    tracker.advance(now);
    let mut rest: Vec<Box<Connection>> = tracker.drain_retired().collect();
    rest.extend(tracker.drain_boxed_by_id());
    // The kernel as it is now, for what is still open; an older connection on a 4-tuple
    // used again has no socket of its own any more (the kernel's is the newest's).
    let view = poller.as_ref().map(Poller::now);
    let newest: HashMap<(Endpoint, Endpoint), u64> = rest
        .iter()
        .map(|c| ((c.client().addr, c.server().addr), c.id))
        .fold(HashMap::new(), |mut m, (k, id)| {
            let e = m.entry(k).or_insert(id);
            *e = (*e).max(id);
            m
        });
    for c in &rest {
        let pair = view.as_ref().map(|v| {
            if newest.get(&(c.client().addr, c.server().addr)) == Some(&c.id) {
                v.pair(c)
            } else {
                KernelPair::default()
            }
        });
        sink.connection_kernel(c, now, pair.as_ref())?;
    }
    let kernel_error = poller.as_ref().and_then(Poller::error);
    if let Some(e) = &kernel_error {
        eprintln!("synack: {e}");
    }
    for f in &tracker.udp.drain_all() {
        sink.udp_flow(f)?;
    }
    let summary = sink.summary.clone();
    let report = Report {
        summary: &summary,
        counters: &last.counters,
        tracker: &tracker.stats,
        warning: last.error.as_deref(),
    };
    let d = last.drops;
    let mut extra = serde_json::Map::new();
    extra.insert("interface".into(), last.name.clone().into());
    for (k, v) in std::mem::take(&mut extra_in.summary) {
        extra.insert(k, v);
    }
    // When the kernel view the connections above carry was read (a test compares it with
    // `ss` read at about that time), and the last error reading it gave.
    if let Some(v) = &view {
        extra.insert(
            "kernel".into(),
            serde_json::json!({
                "read_at": v.at.map(|t| t.rfc3339()),
                "error": kernel_error,
            }),
        );
    }
    extra.insert(
        "drops".into(),
        serde_json::json!({"kernel": d.kernel, "interface": d.interface, "queue": d.queue}),
    );
    if let Some(s) = &last.save {
        extra.insert(
            "saved".into(),
            serde_json::json!({"file": s.path, "packets": s.saved, "unsaved": s.unsaved, "error": s.error}),
        );
    }
    sink.finish(&report, &last.name, Some(extra))?;
    if format == Format::Text {
        writeln!(sink.out()?, "{}", drops_line(&last.name, &d))?;
        if let Some(s) = &last.save {
            writeln!(sink.out()?, "{}", s.line())?;
        }
        sink.flush()?;
    }
    eprintln!(
        "synack: {} packets captured; {}",
        last.counters.packets,
        drops_line(&last.name, &d)
    );
    let save_error = last
        .save
        .as_ref()
        .filter(|s| s.error.is_some())
        .map(SaveStatus::line);
    Ok(Outcome {
        input_error: last.error,
        save_error,
        problems: sink.problems(),
        signal: Some(INTERRUPTED.load(Ordering::SeqCst)).filter(|s| *s != 0),
    })
}

/// Tracks what the capture thread sends until it ends, on the wall clock, writing connections
/// as they retire. Returns the source's last status.
fn follow(
    source: &Source,
    tracker: &mut Tracker,
    sink: &mut Sink<'_>,
    extra: &mut Extra<'_>,
    kernel: Option<&Poller>,
) -> std::io::Result<SourceStatus> {
    let mut last = SourceStatus::default();
    loop {
        if INTERRUPTED.load(Ordering::Relaxed) != 0
            || extra.stop.is_some_and(|s| s.load(Ordering::Relaxed))
        {
            source.stop();
        }
        if let Some(f) = extra.on_tick.as_mut() {
            f();
        }
        match source.rx.recv_timeout(TICK) {
            Ok(SourceMsg::Packets(items)) => {
                for item in &items {
                    tracker.apply(item);
                }
                source.recycle(items);
            }
            Ok(SourceMsg::Status(s)) => {
                // Said once, when it happens; the summary and the exit status say it again.
                let failed =
                    |st: &SourceStatus| st.save.as_ref().is_some_and(|s| s.error.is_some());
                if failed(&s) && !failed(&last) {
                    if let Some(save) = &s.save {
                        eprintln!("synack: {} (the capture goes on)", save.line());
                    }
                }
                last = *s;
            }
            Err(RecvTimeoutError::Timeout) => {}
            // The thread has sent its last status and gone.
            Err(RecvTimeoutError::Disconnected) => return Ok(last),
        }
        // Live clock: timers run even when no packet comes.
        let now = wall_clock();
        tracker.advance(now);
        let done: Vec<Box<Connection>> = tracker.drain_retired().collect();
        let view = (!done.is_empty())
            .then(|| kernel.map(Poller::latest))
            .flatten();
        for c in &done {
            let pair = view.as_ref().map(|v| v.pair(c));
            sink.connection_kernel(c, now, pair.as_ref())?;
        }
        let quiet = tracker.udp.drain_idle(now);
        for f in &quiet {
            sink.udp_flow(f)?;
        }
        if !done.is_empty() || !quiet.is_empty() {
            sink.flush()?;
        }
    }
}

fn drops_line(name: &str, d: &Drops) -> String {
    format!(
        "dropped on {name}: {} by the kernel, {} by the interface, {} by synack's queue",
        d.kernel, d.interface, d.queue
    )
}
