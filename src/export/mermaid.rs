//! Mermaid's sequence diagram (`--export mermaid`): pastes into Markdown that renders Mermaid
//! (GitHub, GitLab, many wikis). Each end's state stands in a note on its outer side, as on
//! the ladder; a reset is a crossed arrow, an inferred segment a dotted one.

use std::fmt::Write as _;

use super::model::{from_to, outer, Arrow, Diagram, What};
use crate::track::Side;

/// The participants' ids.
const ID: [&str; 2] = ["C", "S"];

/// Text made safe for a Mermaid message or note: `;` would end the statement and `#` start
/// an entity, `<` would open an HTML tag; Mermaid's entity codes stand for them.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn state_note(out: &mut String, side: Side, label: &str) {
    let _ = writeln!(
        out,
        "    Note {} {}: {}",
        outer(side),
        ID[side as usize],
        esc(label)
    );
}

/// The diagram of one connection.
pub fn write(out: &mut String, d: &Diagram) {
    out.push_str("sequenceDiagram\n");
    let _ = writeln!(out, "    title {}", esc(&d.title));
    for (k, p) in d.ends.iter().enumerate() {
        let _ = writeln!(
            out,
            "    participant {} as {}<br/>{}",
            ID[k],
            esc(&p.title()),
            esc(&p.addr)
        );
    }
    let facts: Vec<String> = d.facts.iter().map(|f| esc(f)).collect();
    let _ = writeln!(out, "    Note over C,S: {}", facts.join("<br/>"));
    state_note(out, Side::Client, d.initial[0]);
    state_note(out, Side::Server, d.initial[1]);
    for row in &d.rows {
        match &row.what {
            What::Segment { dir, label, arrow } => {
                let (from, to) = from_to(*dir);
                let arrow = match arrow {
                    Arrow::Inferred => "-->>",
                    Arrow::Reset => "-x",
                    Arrow::Plain => "->>",
                };
                let _ = writeln!(
                    out,
                    "    {}{arrow}{}: {} {}",
                    ID[from],
                    ID[to],
                    row.time,
                    esc(label)
                );
            }
            What::Note(text) => {
                let _ = writeln!(out, "    Note over C,S: {} {}", row.time, esc(text));
            }
            What::Call(side, call) => state_note(out, *side, &format!("{call} (call)")),
        }
        for side in [Side::Client, Side::Server] {
            if let Some(s) = row.states[side as usize] {
                state_note(out, side, s);
            }
        }
    }
    for f in &d.findings {
        let _ = writeln!(out, "    Note over C,S: ! {}", esc(f));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_text_becomes_entity_codes() {
        assert_eq!(super::esc("a;b #1 <x>\nz"), "a#59;b #35;1 #lt;x> z");
    }
}
