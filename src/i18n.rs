//! The languages synack speaks, and every word it says in them: one file a language
//! (`i18n/en.rs`, `i18n/zh.rs`).
//!
//! Two kinds of words:
//! - **Typed tables** for the short words with a fixed place (the interface's key hints,
//!   column titles, the text reports' templates): [`Messages`] for the terminal UI,
//!   [`ReportWords`], [`HeaderWords`], [`UdpTextWords`] and [`FindingWords`] for `--text`,
//!   `--diagnose` and the problems view. Each language fills every field, so the compiler
//!   says what a new language still lacks.
//! - **Prose**, gettext style: the English sentence stays in the code where it is said
//!   ([`t`]`("it carries {n} bytes of data")`, the narration and the lessons' notes) and is
//!   its own id; every other language keeps a table from that English to its translation
//!   ([`Language::prose`]), looked up once into a map. `{slots}` stay the same in every
//!   language. A test scans `src/` so that every id has a translation in every language and
//!   no translation outlives its English; another that no Chinese is written outside
//!   `i18n/zh.rs`.
//!
//! A third language is one file here (a [`Language`] with its tables, as `zh.rs`) and one
//! [`Lang`] variant (in [`Lang::ALL`] and [`Lang::language`]). JSON keys, protocol names
//! (SYN, TIME_WAIT, ...) and the finding kinds' names stay English in every language.

pub mod en;
mod messages;
mod words;
pub mod zh;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use messages::*;
pub use words::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// One language: its names and all its words.
#[derive(Debug)]
pub struct Language {
    /// `--lang`'s value, and the start of a locale that asks for it (`zh` for `zh_CN.UTF-8`).
    pub code: &'static str,
    /// Its name in itself (on the key that switches to it), and in ASCII (`--ascii`).
    pub name: &'static str,
    pub ascii_name: &'static str,
    /// The terminal UI's words.
    pub messages: &'static Messages,
    /// `--diagnose` and `--text`'s summary.
    pub report: &'static ReportWords,
    /// `--text`'s connection header, and the state labels on every ladder.
    pub header: &'static HeaderWords,
    /// `--text`'s UDP flow header.
    pub udp: &'static UdpTextWords,
    /// The findings' sentences; `None`: the diagnosis's own (English) sentences.
    pub findings: Option<&'static FindingWords>,
    /// Prose: (English, translation), for every [`t`] in the code. Empty for English.
    pub prose: &'static [(&'static str, &'static str)],
}

impl Lang {
    /// Every language, in the order `l` cycles through them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// All of this language's words.
    pub fn language(self) -> &'static Language {
        match self {
            Lang::En => &en::LANGUAGE,
            Lang::Zh => &zh::LANGUAGE,
        }
    }

    /// The next language (`l`).
    pub fn toggle(self) -> Lang {
        let i = Lang::ALL.iter().position(|l| *l == self).unwrap_or(0);
        Lang::ALL[(i + 1) % Lang::ALL.len()]
    }

    /// The language's name in itself.
    pub fn name(self) -> &'static str {
        self.language().name
    }

    /// The name of the *other* language, shown on the key that switches to it.
    pub fn other_name(self) -> &'static str {
        self.toggle().name()
    }

    /// `--lang`'s value: `en` or `zh`.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.language().code == s)
    }

    /// The language a locale asks for: the first of LC_ALL, LC_MESSAGES and LANG that is set
    /// and not empty decides, as POSIX orders them; Chinese for any `zh*` locale.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let locale = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .map(str::to_ascii_lowercase);
        let Some(locale) = locale else {
            return Lang::En;
        };
        Lang::ALL
            .into_iter()
            .find(|l| *l != Lang::En && locale.starts_with(l.language().code))
            .unwrap_or(Lang::En)
    }

    /// The translation of the English `en` (itself in English, or where a table lacks it).
    fn translate(self, en: &'static str) -> &'static str {
        static MAPS: [OnceLock<HashMap<&str, &str>>; Lang::ALL.len()] =
            [const { OnceLock::new() }; Lang::ALL.len()];
        let prose = self.language().prose;
        if prose.is_empty() {
            return en;
        }
        let map = MAPS[self as usize].get_or_init(|| prose.iter().copied().collect());
        map.get(en).copied().unwrap_or(en)
    }
}

/// A sentence of prose, by its English text (its id in every other language's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text(&'static str);

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &'static str {
        lang.translate(self.0)
    }

    /// The English text: the id.
    pub const fn en(&self) -> &'static str {
        self.0
    }
}

/// A sentence of prose, written in English; [`Text::get`] translates it.
pub const fn t(en: &'static str) -> Text {
    Text(en)
}

/// `template` with each `{name}` replaced by its value, in one pass (a value holding braces,
/// a file name say, is never filled in turn). An unknown `{name}` stays as it is.
pub fn fill(template: &str, slots: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    fill_into(&mut out, template, slots);
    out
}

/// [`fill`], appended to `out`.
pub fn fill_into(out: &mut String, template: &str, slots: &[(&str, &dyn std::fmt::Display)]) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let slot = after.find('}').and_then(|close| {
            slots
                .iter()
                .find(|(n, _)| *n == &after[..close])
                .map(|s| (close, s.1))
        });
        match slot {
            Some((close, value)) => {
                use std::fmt::Write as _;
                let _ = write!(out, "{value}");
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests;
