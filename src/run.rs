//! The batch runners (`--text`, `--json`, `--diagnose`): a capture file (or standard input,
//! or the demo) read to its end ([`file`]), or a live interface until the capture stops
//! ([`live`]). Both take packets from the one capture thread ([`crate::capture::Source`]),
//! track them, and write each connection through the same [`crate::output::Sink`].

pub mod export;
pub mod file;
pub mod live;

/// What a batch run ended with.
#[derive(Debug)]
pub struct Outcome {
    /// Why reading stopped early, as one line (a truncated file, the interface gone); what
    /// came before was written.
    pub input_error: Option<String>,
    /// `-w` stopped saving (a write failed), as one line: what was not saved and why.
    pub save_error: Option<String>,
    /// Findings that are problems (`--diagnose` exits 1 when there are any).
    pub problems: usize,
    /// The signal that stopped a live capture (the run exits 128 + it, once all is written).
    pub signal: Option<i32>,
}
