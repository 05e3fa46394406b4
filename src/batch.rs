//! Batch modes (`--text`, `--json`): read a whole capture, stream connections out as they end.

use std::io::{self, IsTerminal, Write};

use crate::capture::{BpfFilter, CaptureError, FileReader};
use crate::cli::Args;
use crate::decode::Timestamp;
use crate::output::{json, summary::Report, text, OutputOptions, SeqStyle, Summary};
use crate::pipeline::{Decoder, Pipeline, SegmentFilter};
use crate::track::{Connection, Tracker, TrackerConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Builds the pipeline the command line describes (shared with the UI).
pub fn pipeline_from_args(args: &Args, retire: bool) -> Result<Pipeline, String> {
    if !(args.msl.is_finite() && args.msl >= 0.0) {
        return Err(format!(
            "--msl must be a number of seconds >= 0, not {}",
            args.msl
        ));
    }
    let mut p = Pipeline::new(Tracker::new(TrackerConfig {
        msl: Timestamp::from_secs_f64(args.msl),
        max_events: args.max_events.max(1),
        retire,
    }));
    p.decoder = decoder_from_args(args)?;
    Ok(p)
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
    }
}

/// Runs a batch mode on `path`, writing to `out`. Returns the input error, if any, after
/// everything read before it has been written.
pub fn run(
    args: &Args,
    path: &str,
    format: Format,
    out: &mut dyn Write,
) -> Result<Option<CaptureError>, anyhow::Error> {
    let mut reader = FileReader::open(path)?;
    let mut pipeline = pipeline_from_args(args, true).map_err(anyhow::Error::msg)?;
    let opts = output_options(args);
    let mut summary = Summary::default();
    let progress = progress_bar(args, path, &reader);
    let mut emit = |c: &Connection, out: &mut dyn Write| -> io::Result<()> {
        summary.add(c);
        match format {
            Format::Text => text::write_connection(out, c, &opts),
            Format::Json => json::write_connection(out, c, &opts),
        }
    };
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
        if n % 4096 == 0 {
            for c in pipeline.tracker.drain_retired() {
                emit(&c, out)?;
            }
            if let Some(pb) = &progress {
                pb.set_position(reader.consumed());
            }
        }
    }
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let mut rest: Vec<Connection> = pipeline.tracker.drain_retired().collect();
    rest.extend(pipeline.tracker.finish());
    for c in &rest {
        emit(c, out)?;
    }
    let warning = input_error.as_ref().map(|e| e.to_string());
    let report = Report {
        summary: &summary,
        counters: pipeline.counters(),
        tracker: &pipeline.tracker.stats,
        warning: warning.as_deref(),
    };
    match format {
        Format::Text => out.write_all(text::summary(&report).as_bytes())?,
        Format::Json => json::write_summary(out, &report)?,
    }
    out.flush()?;
    Ok(input_error)
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
