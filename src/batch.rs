//! Batch modes (`--text`, `--json`, `--diagnose`): read a whole capture, stream connections
//! out as they end.

use std::io::{self, IsTerminal, Write};

use crate::capture::{BpfFilter, CaptureError, FileReader};
use crate::cli::Args;
use crate::decode::Timestamp;
use crate::diagnose::DiagConfig;
use crate::output::{summary::Report, OutputOptions, SeqStyle, Sink};
use crate::pipeline::{Decoder, Pipeline, SegmentFilter};
use crate::track::{Tracker, TrackerConfig};

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
        // Files: a closed connection waits 2*MSL of capture time before it is written, so
        // late segments still find it and output follows the capture's own pace.
        linger: Timestamp::from_secs_f64(2.0 * args.msl),
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
    out: &mut dyn Write,
) -> Result<Outcome, anyhow::Error> {
    run_reader(args, FileReader::open(path)?, format, out)
}

/// Runs a batch mode on an opened capture (a file, standard input, or the built-in demo).
pub fn run_reader(
    args: &Args,
    mut reader: FileReader,
    format: Format,
    out: &mut dyn Write,
) -> Result<Outcome, anyhow::Error> {
    let path = reader.path().to_string();
    let path = path.as_str();
    let mut pipeline = pipeline_from_args(args, true).map_err(anyhow::Error::msg)?;
    let mut sink = Sink::new(format, output_options(args), diag_config(args), out);
    let progress = progress_bar(args, path, &reader);
    let mut input_error = None;
    let mut n: u64 = 0;
    loop {
        match reader.next_packet() {
            Ok(Some(pkt)) => {
                pipeline.feed(&pkt);
            }
            Ok(None) => break,
            Err(e) => {
                input_error = Some(e);
                break;
            }
        }
        n += 1;
        if n.is_multiple_of(4096) {
            let now = pipeline.tracker.now();
            for c in pipeline.tracker.drain_retired() {
                sink.connection(&c, now)?;
            }
            if let Some(pb) = &progress {
                pb.set_position(reader.consumed());
            }
        }
    }
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    // "Now" for a file is the capture's last timestamp: timers do not run past it.
    let now = pipeline.tracker.now();
    for c in pipeline.tracker.drain_retired() {
        sink.connection(&c, now)?;
    }
    // The rest by id, each written and freed in turn (memory does not double at the end).
    for c in pipeline.tracker.drain_by_id() {
        sink.connection(&c, now)?;
    }
    let warning = input_error.as_ref().map(|e| e.to_string());
    let report = Report {
        summary: &sink.summary.clone(),
        counters: pipeline.counters(),
        tracker: &pipeline.tracker.stats,
        warning: warning.as_deref(),
    };
    sink.finish(&report, path, None)?;
    Ok(Outcome {
        input_error,
        problems: sink.problems(),
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
