//! PlantUML's sequence diagram (`--export plantuml`): one `@startuml ... @enduml` block per
//! connection (PlantUML draws each block of a file as its own diagram). Each end's state
//! stands in a note on its outer side, as on the ladder (both on one level when both
//! change); a reset is a red arrow, an inferred segment a dotted one.

use std::fmt::Write as _;

use super::model::{from_to, outer, Arrow, Diagram, What};
use crate::track::Side;

const ID: [&str; 2] = ["C", "S"];

/// Text made safe for PlantUML: its Creole markup (`**bold**`, `--strike--`, `//italic//`,
/// `__underline__`, `~~wave~~`, `""mono""`), its HTML-like tags (`<b>`, `<U+41>`) and `\n`
/// escapes are all turned off with Creole's escape character `~`.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = None;
    for ch in s.chars() {
        match ch {
            '\n' | '\r' => out.push(' '),
            '<' | '\\' | '[' | ']' => {
                out.push('~');
                out.push(ch);
            }
            // The second of a doubled markup character, escaped.
            '*' | '-' | '/' | '_' | '~' | '"' | '^' if prev == Some(ch) => {
                out.push('~');
                out.push(ch);
            }
            c => out.push(c),
        }
        prev = Some(ch);
    }
    out
}

/// A state note; `level`: on the level of the note before it (PlantUML's `/`).
fn state_note(out: &mut String, side: Side, label: &str, level: bool) {
    let place = outer(side);
    let slash = if level { "/ " } else { "" };
    let _ = writeln!(
        out,
        "{slash}hnote {place} {} : {}",
        ID[side as usize],
        esc(label)
    );
}

/// The diagram of one connection.
pub fn write(out: &mut String, d: &Diagram) {
    let _ = writeln!(out, "@startuml synack-conn-{}", d.id);
    let _ = writeln!(out, "title {}", esc(&d.title));
    // Generic font families only: a slide deck needs no font installed.
    out.push_str("skinparam defaultFontName monospace\n");
    out.push_str("skinparam shadowing false\n");
    out.push_str("skinparam sequenceMessageAlign center\n");
    for (k, p) in d.ends.iter().enumerate() {
        let _ = writeln!(
            out,
            "participant \"{}\\n{}\" as {}",
            esc(&p.title()).replace('"', "'"),
            esc(&p.addr),
            ID[k]
        );
    }
    out.push_str("note over C, S\n");
    for f in &d.facts {
        let _ = writeln!(out, "{}", esc(f));
    }
    out.push_str("end note\n");
    state_note(out, Side::Client, d.initial[0], false);
    state_note(out, Side::Server, d.initial[1], true);
    for row in &d.rows {
        match &row.what {
            What::Segment { dir, label, arrow } => {
                let (from, to) = from_to(*dir);
                let arrow = match arrow {
                    Arrow::Inferred => "-->",
                    Arrow::Reset => "-[#red]>",
                    Arrow::Plain => "->",
                };
                let _ = writeln!(
                    out,
                    "{} {arrow} {} : {} {}",
                    ID[from],
                    ID[to],
                    row.time,
                    esc(label)
                );
            }
            What::Note(text) => {
                let _ = writeln!(out, "note over C, S : {} {}", row.time, esc(text));
            }
            What::Call(side, call) => {
                let _ = writeln!(
                    out,
                    "rnote {} {} #LightBlue : {}",
                    outer(*side),
                    ID[*side as usize],
                    esc(call)
                );
            }
        }
        let mut level = false;
        for side in [Side::Client, Side::Server] {
            if let Some(s) = row.states[side as usize] {
                state_note(out, side, s, level);
                level = true;
            }
        }
    }
    if !d.findings.is_empty() {
        out.push_str("note over C, S #Pink\n");
        for f in &d.findings {
            let _ = writeln!(out, "! {}", esc(f));
        }
        out.push_str("end note\n");
    }
    out.push_str("@enduml\n");
}

#[cfg(test)]
mod tests {
    #[test]
    fn creole_markup_and_tags_are_escaped() {
        assert_eq!(super::esc("a--b **c** <b>x"), "a-~-b *~*c*~* ~<b>x");
        assert_eq!(super::esc("[retransmission]"), "~[retransmission~]");
        assert_eq!(super::esc("C:\\n"), "C:~\\n");
    }
}
