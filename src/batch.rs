//! Batch modes (`--text`, `--json`, `--diagnose`): read a whole capture, stream connections
//! out as they end.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc;

use crate::capture::{BpfFilter, CaptureError, FileReader};
use crate::cli::Args;
use crate::decode::Segment;
use crate::decode::Timestamp;
use crate::diagnose::DiagConfig;
use crate::output::reorder::Reorder;
use crate::output::sink::Rendered;
use crate::output::{summary::Report, OutputOptions, SeqStyle, Sink};
use crate::pipeline::{Decoder, Pipeline, SegmentFilter};
use crate::track::{Connection, Tracker, TrackerConfig};

pub use crate::output::Format;

/// Builds the pipeline the command line describes (shared with the UI).
pub fn pipeline_from_args(args: &Args, retire: bool) -> Result<Pipeline, String> {
    let mut p = Pipeline::new(Tracker::new(tracker_config(args, retire)?));
    p.decoder = decoder_from_args(args)?;
    Ok(p)
}

/// The tracker settings the command line describes.
pub fn tracker_config(args: &Args, retire: bool) -> Result<TrackerConfig, String> {
    if !(args.msl.is_finite() && args.msl >= 0.0) {
        return Err(format!(
            "--msl must be a number of seconds >= 0, not {}",
            args.msl
        ));
    }
    Ok(TrackerConfig {
        msl: Timestamp::from_secs_f64(args.msl),
        max_events: args.max_events.max(1),
        retire,
        max_conns: args.max_conns.max(1),
        // A closed connection (both ends CLOSED: after a reset, or once TIME_WAIT ran out in
        // capture time) is written after the default linger (5 s, as Zeek's tcp_close_delay)
        // so late retransmissions still land on it, then freed: memory follows the
        // connections open at once. (It waited 2*MSL until the batch runs were profiled:
        // holding every connection two minutes longer doubled the memory a run touches.)
        ..Default::default()
    })
}

/// The filter/decode stage the command line describes.
pub fn decoder_from_args(args: &Args) -> Result<Decoder, String> {
    let mut d = Decoder::default();
    if let Some(expr) = &args.filter {
        d.bpf = Some(BpfFilter::new(expr)?);
    }
    d.filter = SegmentFilter {
        hosts: args.host.clone(),
        ports: args.port.clone(),
    };
    Ok(d)
}

pub fn output_options(args: &Args) -> OutputOptions {
    OutputOptions {
        seq: if args.absolute {
            SeqStyle::Absolute
        } else {
            SeqStyle::Relative
        },
        no_events: args.no_events,
        two_msl: Timestamp::from_secs_f64(2.0 * args.msl),
    }
}

/// Diagnosis thresholds from the command line.
pub fn diag_config(args: &Args) -> DiagConfig {
    DiagConfig {
        two_msl: 2.0 * args.msl,
        stuck_after: args.stuck_after,
        idle_after: args.idle_after,
        flood_sources: args.flood_sources,
        pile_min: args.pile_min,
    }
}

/// What a batch run ended with.
#[derive(Debug)]
pub struct Outcome {
    /// The input error after which reading stopped (what came before was written).
    pub input_error: Option<CaptureError>,
    /// Findings that are problems (`--diagnose` exits 1 when there are any).
    pub problems: usize,
}

/// Runs a batch mode on `path`, writing to `out`.
pub fn run(
    args: &Args,
    path: &str,
    format: Format,
    out: &mut (dyn Write + Send),
) -> Result<Outcome, anyhow::Error> {
    run_reader(args, FileReader::open(path)?, format, out)
}

/// Packets handed from the reading thread to the tracking thread at a time, connections
/// from the tracking thread to the output thread, and how many batches of each may wait:
/// bounds the memory in flight.
pub(crate) const PACKETS: usize = 2048;
const BATCH: usize = 1024;
const BATCHES_IN_FLIGHT: usize = 8;
/// Of the connections still open when a capture ends, the tracking thread renders this many
/// batches out of so many, the writer the rest (see `run_reader`).
const TAIL_SHARE: (usize, usize) = (3, 5);
/// Finished connections held to write them in id order (see [`Reorder`]): a few MiB.
const REORDER_WINDOW: usize = 4096;

/// A connection that ended, rendered already or not (the writer renders it then).
type Done = (Box<Connection>, Option<Rendered>);

/// What the reading thread hands the tracker for each frame.
enum Item {
    /// A TCP segment and its frame number.
    Segment(Segment, u64),
    /// Anything else: its time still moves the capture clock (TIME_WAIT can expire during it).
    Tick(Timestamp),
}

/// `SYNACK_THREAD_STATS=1`: each stage of a batch run prints, to stderr, the CPU time its
/// thread used and when it finished (which stage a run waits on, without a profiler).
#[derive(Clone, Copy)]
struct ThreadStats(Option<std::time::Instant>);

impl ThreadStats {
    fn from_env() -> ThreadStats {
        ThreadStats(std::env::var_os("SYNACK_THREAD_STATS").map(|_| std::time::Instant::now()))
    }

    fn report(self, stage: &str) {
        let Some(start) = self.0 else {
            return;
        };
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes the timespec it is given and nothing else.
        let cpu = if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
        } else {
            f64::NAN
        };
        eprintln!(
            "synack: {stage} thread: {cpu:.3} s CPU, done {:.3} s after start",
            start.elapsed().as_secs_f64()
        );
    }
}

/// Runs a batch mode on an opened capture (a file, standard input, or the built-in demo).
///
/// Three threads in a pipeline, joined by bounded channels that carry batches (so a slow
/// stage holds the ones before it back rather than letting work pile up): this one reads and
/// decodes; `synack-track` follows the connections; `synack-write` diagnoses, formats and
/// writes each connection once it is over. Connections reach the writer in the order they
/// ended and are written in id order within a window. Each stage is the same synchronous
/// code a single thread would run; on two cores, reading and writing overlap the tracking.
pub fn run_reader(
    args: &Args,
    mut reader: FileReader,
    format: Format,
    out: &mut (dyn Write + Send),
) -> Result<Outcome, anyhow::Error> {
    let stats = ThreadStats::from_env();
    let path = reader.path().to_string();
    let path = path.as_str();
    let Pipeline {
        mut decoder,
        mut tracker,
    } = pipeline_from_args(args, true).map_err(anyhow::Error::msg)?;
    let mut sink = Sink::new(format, output_options(args), diag_config(args), out);
    let progress = progress_bar(args, path, &reader);
    // Connections that ended, some already rendered by the tracking thread (see below).
    let (conn_tx, conn_rx) = mpsc::sync_channel::<(Timestamp, Vec<Done>)>(BATCHES_IN_FLIGHT);
    let renderer = sink.renderer();
    let (item_tx, item_rx) = mpsc::sync_channel::<Vec<Item>>(BATCHES_IN_FLIGHT);
    // Emptied batches go back to the reader: the same few buffers circulate, warm in cache,
    // instead of a fresh 300 KiB allocation (and its page faults) per 2048 packets.
    let (spare_tx, spare_rx) = mpsc::channel::<Vec<Item>>();
    std::thread::scope(|scope| {
        let writer = std::thread::Builder::new()
            .name("synack-write".into())
            .spawn_scoped(scope, move || -> io::Result<Sink<'_>> {
                let mut order = Reorder::new(1, REORDER_WINDOW);
                let mut write = |(now, (c, r)): (Timestamp, Done)| match r {
                    Some(r) => sink.rendered(&c, now, r),
                    None => sink.connection(&c, now),
                };
                for (now, batch) in conn_rx {
                    for done in batch {
                        order.push(done.0.id, (now, done), &mut write)?;
                    }
                }
                order.finish(&mut write)?;
                stats.report("write");
                Ok(sink)
            })?;
        let track = std::thread::Builder::new()
            .name("synack-track".into())
            .spawn_scoped(scope, move || -> Tracker {
                // Sends fail only when the writer stopped on an output error, which its
                // `join` reports; then the tracker stops too (and so, in turn, the reader).
                let send = |now: Timestamp, batch: Vec<Done>| -> bool {
                    batch.is_empty() || conn_tx.send((now, batch)).is_ok()
                };
                let unrendered = |c| (c, None);
                let mut n: usize = 0;
                for mut items in item_rx.iter() {
                    for item in &items {
                        match item {
                            Item::Segment(seg, frame) => {
                                tracker.ingest(seg, *frame);
                            }
                            Item::Tick(ts) => tracker.advance(*ts),
                        }
                    }
                    n += items.len();
                    items.clear();
                    let _ = spare_tx.send(items);
                    if n >= 4096 {
                        n = 0;
                        let done = tracker.drain_retired().map(unrendered).collect();
                        if !send(tracker.now(), done) {
                            return tracker;
                        }
                    }
                }
                // "Now" for a file is the capture's last timestamp: timers do not run past it.
                let now = tracker.now();
                if !send(now, tracker.drain_retired().map(unrendered).collect()) {
                    return tracker;
                }
                // The rest by id, each written and freed in turn (memory does not double at
                // the end). Tens of thousands of connections are still open (or in TIME_WAIT)
                // when a large capture ends, all written now: this thread renders some batches
                // (diagnosis and formatting are pure) while the writer renders the others, so
                // both cores share what was the run's serial tail. The writer also takes in,
                // writes and frees every connection, so this thread renders the larger share.
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
                    if batch.is_empty() || !send(now, batch) {
                        break;
                    }
                }
                drop(rest);
                stats.report("track");
                tracker
            })?;
        let mut input_error = None;
        let mut n: u64 = 0;
        let mut items = Vec::with_capacity(PACKETS);
        loop {
            match reader.next_packet() {
                Ok(Some(pkt)) => items.push(match decoder.decode(&pkt) {
                    Some((seg, frame)) => Item::Segment(seg, frame),
                    None => Item::Tick(pkt.ts),
                }),
                Ok(None) => break,
                Err(e) => {
                    input_error = Some(e);
                    break;
                }
            }
            if items.len() == PACKETS {
                let empty = spare_rx
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(PACKETS));
                let full = std::mem::replace(&mut items, empty);
                if item_tx.send(full).is_err() {
                    break;
                }
            }
            n += 1;
            if n.is_multiple_of(1 << 16) {
                if let Some(pb) = &progress {
                    pb.set_position(reader.consumed());
                }
            }
        }
        if let Some(pb) = progress {
            pb.finish_and_clear();
        }
        let _ = item_tx.send(items);
        drop(item_tx);
        stats.report("read");
        let tracker = track
            .join()
            .map_err(|_| anyhow::anyhow!("the tracking thread panicked"))?;
        let mut sink = writer
            .join()
            .map_err(|_| anyhow::anyhow!("the output thread panicked"))??;
        let warning = input_error.as_ref().map(|e| e.to_string());
        let report = Report {
            summary: &sink.summary.clone(),
            counters: &decoder.counters,
            tracker: &tracker.stats,
            warning: warning.as_deref(),
        };
        sink.finish(&report, path, None)?;
        Ok(Outcome {
            input_error,
            problems: sink.problems(),
        })
    })
}

fn progress_bar(args: &Args, path: &str, reader: &FileReader) -> Option<indicatif::ProgressBar> {
    const MIN_SIZE: u64 = 16 << 20;
    if args.no_progress || path == "-" || reader.compressed() || !io::stderr().is_terminal() {
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
        for mode in ["--json", "--text", "--diagnose"] {
            let args = Args::try_parse_from(["synack", mode, "--no-progress"]).unwrap();
            let format = match mode {
                "--json" => Format::Json,
                "--text" => Format::Text,
                _ => Format::Diagnose,
            };
            let mut threaded = Vec::new();
            let reader = FileReader::from_bytes("bulk", bytes).unwrap();
            run_reader(&args, reader, format, &mut threaded).unwrap();

            let mut single = Vec::new();
            let mut sink = Sink::new(
                format,
                output_options(&args),
                diag_config(&args),
                &mut single,
            );
            let mut p = pipeline_from_args(&args, true).unwrap();
            let mut reader = FileReader::from_bytes("bulk", bytes).unwrap();
            while let Some(pkt) = reader.next_packet().unwrap() {
                p.feed(&pkt);
                let now = p.tracker.now();
                for c in p.tracker.drain_retired() {
                    sink.connection(&c, now).unwrap();
                }
            }
            let now = p.tracker.now();
            // Enough left at the end that the tracking thread renders some batches itself.
            assert!(p.tracker.len() > 3 * BATCH, "{}", p.tracker.len());
            for c in p.tracker.drain_boxed_by_id() {
                sink.connection(&c, now).unwrap();
            }
            let report = Report {
                summary: &sink.summary.clone(),
                counters: p.counters(),
                tracker: &p.tracker.stats,
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
