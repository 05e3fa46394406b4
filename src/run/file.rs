//! A batch mode on a capture file (or standard input, or the demo): read it to the end,
//! stream connections out as they end, then the summary.
//!
//! Three threads in a pipeline, joined by bounded channels that carry batches (so a slow
//! stage holds the ones before it back rather than letting work pile up): the capture thread
//! reads and decodes; this one follows the connections; `synack-write` diagnoses, formats and
//! writes each connection once it is over. Connections reach the writer in the order they
//! ended and are written in id order within a window. Each stage is the same synchronous
//! code a single thread would run; on two cores, reading and writing overlap the tracking.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc::{self, Receiver, SyncSender};

use super::Outcome;
use crate::capture::{FileReader, Input, Source, SourceMsg, SourceOptions, SourceStatus};
use crate::config::{CoreConfig, OutputConfig};
use crate::output::reorder::Reorder;
use crate::output::sink::{Rendered, Renderer};
use crate::output::{summary::Report, Format, Sink};
use crate::thread_stats::ThreadStats;
use crate::time::Timestamp;
use crate::track::{Connection, Tracker, UdpFlow};

/// Connections handed from the tracking thread to the writer at a time, and how many batches
/// may wait: bounds the memory in flight.
const BATCH: usize = 1024;
const BATCHES_IN_FLIGHT: usize = 8;
/// Items tracked between two hand-outs of the connections that ended.
pub(crate) const DRAIN_EVERY: usize = 4096;
/// Of the connections still open when a capture ends, the tracking thread renders this many
/// batches out of so many, the writer the rest (see [`write_tail`]).
const TAIL_SHARE: (usize, usize) = (3, 5);
/// Finished connections held to write them in id order (see [`Reorder`]): a few MiB.
const REORDER_WINDOW: usize = 4096;

/// A connection that ended, rendered already or not (the writer renders it then).
type Done = (Box<Connection>, Option<Rendered>);
/// Connections that ended, and "now" as of then; UDP flows that went quiet (`--udp`).
type Batch = (Timestamp, Vec<Done>, Vec<UdpFlow>);

/// Runs batch mode `format` on an opened capture, writing to `out`.
pub fn run(
    reader: FileReader,
    core: &CoreConfig,
    output: &OutputConfig,
    format: Format,
    out: &mut (dyn Write + Send),
) -> Result<Outcome, anyhow::Error> {
    let stats = ThreadStats::from_env();
    let path = crate::escape::escape(reader.path()).into_owned();
    let progress = output
        .progress
        .then(|| progress_bar(reader.path(), &reader))
        .flatten();
    let mut tracker = Tracker::new(core.tracker.clone());
    let sink = Sink::new(format, output.options, core.diagnosis.clone(), out);
    let renderer = sink.renderer();
    let source = Source::spawn(
        Input::File(reader),
        core.decode.decoder(),
        SourceOptions::bulk(stats),
    )
    .map_err(anyhow::Error::msg)?;
    let (conn_tx, conn_rx) = mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
    std::thread::scope(|scope| {
        let writer = std::thread::Builder::new()
            .name("synack-write".into())
            .spawn_scoped(scope, move || write_all(conn_rx, sink, stats))?;
        let last = track(&source, &mut tracker, &conn_tx, progress.as_ref());
        if let Some(pb) = progress {
            pb.finish_and_clear();
        }
        if last.is_some() {
            write_tail(&mut tracker, &renderer, &conn_tx);
            let _ = send(&conn_tx, tracker.now(), Vec::new(), tracker.udp.drain_all());
        }
        drop(conn_tx);
        stats.report("track");
        // Stops the capture thread if it is still reading (the writer stopped early).
        source.join();
        let mut sink = writer
            .join()
            .map_err(|_| anyhow::anyhow!("the output thread panicked"))??;
        let last = last.unwrap_or_default();
        let report = Report {
            summary: &sink.summary.clone(),
            counters: &last.counters,
            tracker: &tracker.stats,
            warning: last.error.as_deref(),
        };
        sink.finish(&report, &path, None)?;
        Ok(Outcome {
            input_error: last.error,
            save_error: None,
            problems: sink.problems(),
            signal: None,
        })
    })
}

/// Sends a batch of ended connections to the writer. False when the writer stopped (on an
/// output error, which its `join` reports): then tracking stops too.
fn send(tx: &SyncSender<Batch>, now: Timestamp, batch: Vec<Done>, udp: Vec<UdpFlow>) -> bool {
    (batch.is_empty() && udp.is_empty()) || tx.send((now, batch, udp)).is_ok()
}

/// Tracks everything the capture thread sends, handing ended connections to the writer as it
/// goes. Returns the source's last status, or `None` if the writer stopped first.
fn track(
    source: &Source,
    tracker: &mut Tracker,
    tx: &SyncSender<Batch>,
    progress: Option<&indicatif::ProgressBar>,
) -> Option<SourceStatus> {
    let mut last = SourceStatus::default();
    let mut n = 0;
    for msg in source.rx.iter() {
        match msg {
            SourceMsg::Packets(items) => {
                for item in &items {
                    tracker.apply(item);
                }
                n += items.len();
                source.recycle(items);
                if n >= DRAIN_EVERY {
                    n = 0;
                    let done = tracker.drain_retired().map(|c| (c, None)).collect();
                    let udp = tracker.udp.drain_idle(tracker.now());
                    if !send(tx, tracker.now(), done, udp) {
                        return None;
                    }
                }
            }
            SourceMsg::Status(s) => {
                if let Some(pb) = progress {
                    pb.set_position(s.consumed);
                }
                last = *s;
            }
        }
    }
    // "Now" for a file is the capture's last timestamp: timers do not run past it.
    let done = tracker.drain_retired().map(|c| (c, None)).collect();
    send(tx, tracker.now(), done, Vec::new()).then_some(last)
}

/// The connections still open when the capture ended, by id, each written and freed in turn
/// (memory does not double at the end). Tens of thousands are still open (or in TIME_WAIT)
/// when a large capture ends: this thread renders some batches (diagnosis and formatting are
/// pure) while the writer renders the others, so both cores share what was the run's serial
/// tail. The writer also takes in, writes and frees every connection, so this thread renders
/// the larger share.
fn write_tail(tracker: &mut Tracker, renderer: &Renderer, tx: &SyncSender<Batch>) {
    let now = tracker.now();
    let mut rest = tracker.drain_boxed_by_id();
    for k in 0.. {
        let here = k % TAIL_SHARE.1 < TAIL_SHARE.0;
        let batch: Vec<Done> = rest
            .by_ref()
            .take(BATCH)
            .map(|c| {
                let r = here.then(|| renderer.render(&c, now));
                (c, r)
            })
            .collect();
        if batch.is_empty() || !send(tx, now, batch, Vec::new()) {
            break;
        }
    }
}

/// The writer thread: every connection into the sink, in id order within the window.
fn write_all(rx: Receiver<Batch>, mut sink: Sink<'_>, stats: ThreadStats) -> io::Result<Sink<'_>> {
    let mut order = Reorder::new(1, REORDER_WINDOW);
    let write = |sink: &mut Sink<'_>, (now, (c, r)): (Timestamp, Done)| match r {
        Some(r) => sink.rendered(&c, now, r),
        None => sink.connection(&c, now),
    };
    for (now, batch, udp) in rx {
        for done in batch {
            order.push(done.0.id, (now, done), &mut |d| write(&mut sink, d))?;
        }
        // Written as they go quiet (between connections: each block or line says which it
        // is), so that the flows handed out are not held again here.
        for f in &udp {
            sink.udp_flow(f)?;
        }
    }
    order.finish(&mut |d| write(&mut sink, d))?;
    stats.report("write");
    Ok(sink)
}

fn progress_bar(path: &str, reader: &FileReader) -> Option<indicatif::ProgressBar> {
    const MIN_SIZE: u64 = 16 << 20;
    if path == "-" || reader.compressed() || !io::stderr().is_terminal() {
        return None;
    }
    let size = std::fs::metadata(path).ok()?.len();
    if size < MIN_SIZE {
        return None;
    }
    let pb = indicatif::ProgressBar::with_draw_target(
        Some(size),
        indicatif::ProgressDrawTarget::stderr(),
    );
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} reading {bytes}/{total_bytes} [{bar:40}] {percent}% eta {eta}",
        )
        .ok()?
        .progress_chars("=> "),
    );
    Some(pb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Args;
    use crate::config::Config;
    use clap::Parser;

    /// The three-thread run writes what one thread feeding [`Sink::connection`] would, also
    /// for the connections the tracking thread renders itself when the capture ends.
    #[test]
    fn threaded_run_writes_what_a_single_thread_would() {
        let bytes = crate::gen::bulk::leaked_capture(&crate::gen::bulk::BulkConfig {
            packets: 60_000,
            connections: 6_000,
            conn_rate: 2_000.0,
            seed: 5,
            ..Default::default()
        });
        for (mode, format) in [
            ("--json", Format::Json),
            ("--text", Format::Text),
            ("--diagnose", Format::Diagnose),
            // (--zeek's header holds the wall-clock time: its rows are --zeek-json's.)
            ("--zeek-json", Format::ZeekJson),
        ] {
            let args = Args::try_parse_from(["synack", mode, "--no-progress"]).unwrap();
            let cfg = Config::from_args(&args, &crate::config::Env::default()).unwrap();
            let mut threaded = Vec::new();
            let reader = FileReader::from_bytes("bulk", bytes).unwrap();
            run(reader, &cfg.core, &cfg.output, format, &mut threaded).unwrap();

            let mut single = Vec::new();
            let mut sink = Sink::new(
                format,
                cfg.output.options,
                cfg.core.diagnosis.clone(),
                &mut single,
            );
            let mut decoder = cfg.core.decode.decoder();
            let mut tracker = Tracker::new(cfg.core.tracker.clone());
            let mut reader = FileReader::from_bytes("bulk", bytes).unwrap();
            while let Some(pkt) = reader.next_packet().unwrap() {
                tracker.apply(&decoder.item(&pkt));
                let now = tracker.now();
                for c in tracker.drain_retired() {
                    sink.connection(&c, now).unwrap();
                }
            }
            let now = tracker.now();
            // Enough left at the end that the tracking thread renders some batches itself.
            assert!(tracker.len() > 3 * BATCH, "{}", tracker.len());
            for c in tracker.drain_boxed_by_id() {
                sink.connection(&c, now).unwrap();
            }
            let report = Report {
                summary: &sink.summary.clone(),
                counters: &decoder.counters,
                tracker: &tracker.stats,
                warning: None,
            };
            sink.finish(&report, "bulk", None).unwrap();
            drop(sink);

            let lines = |b: &[u8]| {
                let mut l: Vec<String> = String::from_utf8_lossy(b)
                    .lines()
                    .map(String::from)
                    .collect();
                l.sort();
                l
            };
            assert!(threaded.len() > 10_000, "{mode}: {} bytes", threaded.len());
            if format == Format::Diagnose {
                assert_eq!(
                    String::from_utf8_lossy(&threaded),
                    String::from_utf8_lossy(&single)
                );
            } else {
                // The same lines; their order may differ within the reorder window.
                assert_eq!(lines(&threaded), lines(&single), "{mode}");
            }
        }
    }
}
