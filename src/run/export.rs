//! `--export` on a capture file (or the demo): read it to the end, then write each connection
//! asked for (`--conn`, all by default) as its own diagram, to standard output, a file, or one
//! file each in a folder (`-o`). Diagrams are for people, so the connections exported are few
//! enough to hold: this is a single pass on one thread, unlike the streaming batch modes.

use std::io::Write;

use anyhow::Context as _;

use super::Outcome;
use crate::capture::FileReader;
use crate::config::{CoreConfig, OutputConfig};
use crate::diagnose::diagnose;
use crate::export::{self, ExportConfig, ExportFormat, Target};
use crate::track::{Connection, Tracker};

/// Runs `--export format` on an opened capture. `out` is standard output (used without `-o`);
/// what went to files is said on `note` (standard error).
pub fn run(
    mut reader: FileReader,
    core: &CoreConfig,
    output: &OutputConfig,
    format: ExportFormat,
    cfg: &ExportConfig,
    out: &mut dyn Write,
    note: &mut dyn Write,
) -> Result<Outcome, anyhow::Error> {
    let mut decoder = core.decode.decoder();
    let mut tracker = Tracker::new(core.tracker.clone());
    let wanted = |c: &Connection| cfg.conns.is_empty() || cfg.conns.contains(&c.id);
    // (connection, findings as of when it was handed out), by id at the end.
    let mut done = Vec::new();
    let keep = |c: Box<Connection>, tracker: &Tracker, done: &mut Vec<_>| {
        if wanted(&c) {
            let findings = diagnose(&c, tracker.now(), &core.diagnosis);
            done.push((c, findings));
        }
    };
    let mut input_error = None;
    loop {
        match reader.next_packet() {
            Ok(Some(pkt)) => {
                tracker.apply(&decoder.item(&pkt));
                let retired: Vec<Box<Connection>> = tracker.drain_retired().collect();
                for c in retired {
                    keep(c, &tracker, &mut done);
                }
            }
            Ok(None) => break,
            Err(e) => {
                input_error = Some(e.to_string());
                break;
            }
        }
    }
    let rest: Vec<Box<Connection>> = tracker.drain_boxed_by_id().collect();
    for c in rest {
        keep(c, &tracker, &mut done);
    }
    done.sort_by_key(|(c, _)| c.id);
    if let Some(missing) = cfg
        .conns
        .iter()
        .find(|id| !done.iter().any(|(c, _)| c.id == **id))
    {
        anyhow::bail!(
            "no connection #{missing} in {} (it has {})",
            crate::escape::escape(reader.path()),
            match tracker.stats.connections {
                0 => "none".to_string(),
                n => format!("#1 to #{n}"),
            }
        );
    }
    let render = |c: &Connection, f: &[crate::diagnose::Finding]| {
        export::render(c, format, &output.options, f, &cfg.aliases)
    };
    match Target::for_path(cfg.out.as_deref(), done.len()) {
        // Several SVG documents one after another are no picture any program opens.
        Target::Stdout if format == ExportFormat::Svg && done.len() > 1 => {
            anyhow::bail!(
                "{} connections to export: an SVG file holds one picture; give -o FOLDER for one \
                 file each, or --conn ID",
                done.len()
            );
        }
        Target::Stdout => {
            for (k, (c, f)) in done.iter().enumerate() {
                if k > 0 && format != ExportFormat::Text {
                    out.write_all(b"\n")?;
                }
                out.write_all(render(c, f).as_bytes())?;
            }
            out.flush()?;
        }
        Target::File(path) => {
            let text = done.first().map(|(c, f)| render(c, f)).unwrap_or_default();
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            writeln!(note, "synack: wrote {}", path.display())?;
        }
        Target::Folder(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for (c, f) in &done {
                let path = dir.join(export::file_name(c.id, format));
                std::fs::write(&path, render(c, f))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            writeln!(
                note,
                "synack: wrote {} {} diagram{} to {}",
                done.len(),
                format.name(),
                if done.len() == 1 { "" } else { "s" },
                dir.display()
            )?;
        }
    }
    Ok(Outcome {
        input_error,
        save_error: None,
        problems: 0,
        signal: None,
    })
}
