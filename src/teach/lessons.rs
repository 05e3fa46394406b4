//! The built-in lessons (`--lesson NAME`): a capture made by the project's generator
//! (`fixtures/lesson-NAME.pcap`, from `src/gen/scenarios/lessons.rs`) and, at its key
//! segments, a note that says *why*, in English and Chinese. Every claim is RFC 9293's (the
//! section is cited beside it) or a named Linux default.

use super::notes::*;
use crate::i18n::{Lang, Text};

/// A lesson: its capture and its notes.
#[derive(Debug)]
pub struct Lesson {
    pub name: &'static str,
    /// One line for `--lesson list`.
    pub title: Text,
    pub capture: &'static [u8],
    /// Notes by frame number; frame 0 is the lesson's introduction, shown before the first
    /// segment.
    pub notes: &'static [(u64, Text)],
}

impl PartialEq for Lesson {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Lesson {
    /// The note at frame `frame` (0: the introduction), in `lang`.
    pub fn note_in(&self, frame: u64, lang: Lang) -> Option<&'static str> {
        self.note_text(frame).map(|n| n.get(lang))
    }

    fn note_text(&self, frame: u64) -> Option<&'static Text> {
        self.notes.iter().find(|(f, _)| *f == frame).map(|(_, n)| n)
    }
}

/// Finds a lesson by name.
pub fn find(name: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.name == name)
}

/// `--lesson list`: one line a lesson.
pub fn list(lang: Lang) -> String {
    let mut out = String::new();
    for l in LESSONS {
        out.push_str(&format!("{:<20} {}\n", l.name, l.title.get(lang)));
    }
    out
}

/// The names, for an error message.
pub fn names() -> String {
    LESSONS
        .iter()
        .map(|l| l.name)
        .collect::<Vec<_>>()
        .join(", ")
}

pub static LESSONS: &[Lesson] = &[
    HANDSHAKE,
    TEARDOWN,
    SERVER_CLOSES_FIRST,
    TIME_WAIT,
    REFUSED,
    SYN_TIMEOUT,
    SIMULTANEOUS_OPEN,
    SIMULTANEOUS_CLOSE,
    HALF_CLOSE,
    RESET,
];

#[cfg(test)]
mod tests {
    use super::{find, list, LESSONS};
    use crate::gen::scenarios::lesson_packets;
    use crate::i18n::Lang;
    use crate::ui::render::wrapped_lines;

    #[test]
    fn the_issue_names_every_lesson_and_list_gives_each_one_line() {
        let names: Vec<&str> = LESSONS.iter().map(|l| l.name).collect();
        assert_eq!(
            names,
            [
                "handshake",
                "teardown",
                "server-closes-first",
                "time-wait",
                "refused",
                "syn-timeout",
                "simultaneous-open",
                "simultaneous-close",
                "half-close",
                "reset"
            ]
        );
        assert_eq!(list(Lang::En).lines().count(), LESSONS.len());
        assert!(list(Lang::Zh).contains("三次握手"));
        assert!(find("teardown").is_some() && find("nope").is_none());
    }

    #[test]
    fn every_note_is_on_a_frame_of_its_capture_and_fits_six_lines_at_80_columns() {
        for l in LESSONS {
            let frames = lesson_packets(l.name).len() as u64;
            assert!(frames > 0, "{}", l.name);
            assert!(
                l.note_in(0, Lang::En).is_some(),
                "{} has no introduction",
                l.name
            );
            for (f, n) in l.notes {
                assert!(*f <= frames, "{} note at frame {f} of {frames}", l.name);
                for lang in [Lang::En, Lang::Zh] {
                    let lines = wrapped_lines(n.get(lang), 78);
                    assert!(lines <= 6, "{} frame {f} {lang:?}: {lines} lines", l.name);
                }
                assert!(
                    !n.get(Lang::Zh).is_ascii(),
                    "{} frame {f}: no Chinese",
                    l.name
                );
            }
        }
    }
}
