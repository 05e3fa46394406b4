//! Batch output: ladder diagrams as text, JSON lines, and the capture summary.

pub mod json;
pub mod reorder;
pub mod sink;
pub mod state_label;
pub mod summary;
pub mod text;
pub mod udp;

pub use sink::{Format, Sink};
pub use summary::Summary;

/// How sequence numbers are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeqStyle {
    /// Relative to each direction's ISN (Wireshark's default).
    #[default]
    Relative,
    Absolute,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct OutputOptions {
    pub seq: SeqStyle,
    /// JSON: leave out the per-connection `events` array.
    pub no_events: bool,
    /// 2*MSL, for TIME_WAIT's remaining time.
    pub two_msl: crate::decode::Timestamp,
    /// `--text`: the lesson whose notes go under their segments (a handout), unfolded.
    pub lesson: Option<&'static crate::teach::lessons::Lesson>,
    /// `--text`: the socket calls on the ladder (`--calls`).
    pub calls: bool,
    /// `--text`: the language of the lesson's notes.
    pub lang: crate::i18n::Lang,
    /// `--diagnose`: its language, English unless `--lang` asks (not from the locale: scripts
    /// read it).
    pub report_lang: crate::i18n::Lang,
}

/// Groups a number's digits with commas, e.g. `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
