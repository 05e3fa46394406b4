//! `--export`: a connection's ladder as a diagram for slides and notes, in Mermaid, PlantUML,
//! SVG or the ladder's own text. [`model`] takes what the ladder shows from a connection
//! once; each format writes that model.

pub mod mermaid;
pub mod model;
pub mod plantuml;
pub mod svg;

use std::path::{Path, PathBuf};

pub use model::{Aliases, Diagram};

use crate::diagnose::Finding;
use crate::output::{text, OutputOptions};
use crate::track::{Connection, Side};

/// The formats `--export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Mermaid sequenceDiagram (Markdown that renders Mermaid: GitHub, GitLab, wikis).
    Mermaid,
    /// PlantUML sequence diagram.
    Plantuml,
    /// An SVG picture, for slides.
    Svg,
    /// The ladder of --text.
    Text,
}

impl ExportFormat {
    /// The file name extension of this format.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Mermaid => "mmd",
            ExportFormat::Plantuml => "puml",
            ExportFormat::Svg => "svg",
            ExportFormat::Text => "txt",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Mermaid => "mermaid",
            ExportFormat::Plantuml => "plantuml",
            ExportFormat::Svg => "svg",
            ExportFormat::Text => "text",
        }
    }
}

/// What to export and how (from `--export`, `--conn`, `-o`, `--alias`, and the ladder's own
/// options).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportConfig {
    /// `--conn`: these connections only (all when empty).
    pub conns: Vec<u64>,
    /// `-o`: a file, or a folder for several connections; standard output when `None`.
    pub out: Option<PathBuf>,
    pub aliases: Aliases,
}

/// The file one connection's export is written to: `synack-conn-ID.EXT` (in `-o`'s folder,
/// or in the current one from the TUI's `x`).
pub fn file_name(id: u64, format: ExportFormat) -> String {
    format!("synack-conn-{id}.{}", format.extension())
}

/// Where each connection goes: one file, or one file each in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Stdout,
    File(PathBuf),
    Folder(PathBuf),
}

impl Target {
    /// `-o PATH` for `n` diagrams: a folder when there are several, when it is one already,
    /// or when it ends in `/`; a file otherwise.
    pub fn for_path(path: Option<&Path>, n: usize) -> Target {
        match path {
            None => Target::Stdout,
            Some(p) if n > 1 || p.is_dir() || p.as_os_str().to_string_lossy().ends_with('/') => {
                Target::Folder(p.to_path_buf())
            }
            Some(p) => Target::File(p.to_path_buf()),
        }
    }
}

/// Connection `c` in `format`, with its findings.
pub fn render(
    c: &Connection,
    format: ExportFormat,
    opts: &OutputOptions,
    findings: &[Finding],
    aliases: &Aliases,
) -> String {
    let mut out = String::new();
    let d = || model::diagram(c, opts, findings, aliases);
    match format {
        ExportFormat::Mermaid => mermaid::write(&mut out, &d()),
        ExportFormat::Plantuml => plantuml::write(&mut out, &d()),
        ExportFormat::Svg => svg::write(&mut out, &d()),
        ExportFormat::Text => {
            text::write_connection(&mut out, c, opts, findings, None);
            // The ladder's columns say client and server: the names go on a line of their own.
            let names: Vec<String> = [Side::Client, Side::Server]
                .into_iter()
                .filter_map(|s| {
                    aliases
                        .name(&c.end(s).addr)
                        .map(|n| format!("{} is {n}", s.name()))
                })
                .collect();
            if !names.is_empty() {
                let at = out.find('\n').map_or(out.len(), |i| i + 1);
                out.insert_str(at, &format!("  {}\n", names.join(", ")));
            }
        }
    }
    out
}
