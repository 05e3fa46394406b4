//! SVG (`--export svg`), drawn here from templates: two lifelines, one arrow per segment with
//! its label above it, each end's state beside its lifeline where it changes, folded runs as
//! notes across both, the findings under the diagram. Sized for a slide (1100 px wide, 15 px
//! text); only generic font families (`monospace`, `sans-serif`), so nothing needs
//! installing. A white background of its own: it reads the same on a dark slide.

use std::fmt::Write as _;

use super::model::{from_to, Arrow, Diagram, What};
use crate::output::text::wrap;
use crate::track::Side;

const WIDTH: u32 = 1100;
/// Text size, and the width of one character of it in a monospace font (0.6 em).
const FONT: u32 = 15;
const CHAR_W: f64 = 9.0;
/// The lifelines' x.
const X: [u32; 2] = [280, 880];
const TIME_X: u32 = 16;
const ROW: u32 = 36;
const CALL_ROW: u32 = 26;
/// Characters of an arrow's label that fit between the lifelines.
const LABEL_MAX: usize = ((X[1] - X[0]) as f64 / CHAR_W) as usize - 2;
/// Characters of a line of findings.
const LINE_MAX: usize = ((WIDTH - 2 * TIME_X) as f64 / CHAR_W) as usize;
const BOX_W: u32 = 260;
const BOX_H: u32 = 46;

const RESET: &str = "#c62828";
const INFERRED: &str = "#777777";
const NOTE_FILL: &str = "#fff6c8";
const NOTE_LINE: &str = "#c9b458";
const CALL: &str = "#1f5fa8";
const STATE: &str = "#2e7d32";

/// Text for SVG's character data and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `s` cut to `max` characters, the cut marked with `…`.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// `<text>` at (x, y); `anchor`: start, middle or end; `attrs`: more attributes.
fn text(out: &mut String, x: u32, y: u32, anchor: &str, attrs: &str, s: &str) {
    let _ = writeln!(
        out,
        r#"<text x="{x}" y="{y}" text-anchor="{anchor}"{attrs}>{}</text>"#,
        esc(s)
    );
}

fn state(out: &mut String, side: Side, y: u32, label: &str) {
    let (x, anchor) = match side {
        Side::Client => (X[0] - 12, "end"),
        Side::Server => (X[1] + 12, "start"),
    };
    text(
        out,
        x,
        y,
        anchor,
        &format!(r#" fill="{STATE}" font-weight="bold""#),
        label,
    );
}

/// The diagram of one connection, a whole SVG document.
pub fn write(out: &mut String, d: &Diagram) {
    let mut body = String::new();
    let mut y = 34;
    text(
        &mut body,
        TIME_X,
        y,
        "start",
        r#" font-size="20" font-weight="bold" font-family="sans-serif""#,
        &d.title,
    );
    y += 8;
    for f in &d.facts {
        y += 20;
        text(&mut body, TIME_X, y, "start", r##" fill="#444""##, f);
    }
    y += 20;
    let top = y + BOX_H;
    for (k, p) in d.ends.iter().enumerate() {
        let x = X[k];
        let _ = writeln!(
            body,
            r##"<rect x="{}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="#eef3fb" stroke="#1f3b63" stroke-width="1.5"/>"##,
            x - BOX_W / 2
        );
        text(
            &mut body,
            x,
            y + 19,
            "middle",
            r#" font-weight="bold""#,
            &fit(&p.title(), 26),
        );
        text(&mut body, x, y + 38, "middle", "", &fit(&p.addr, 27));
    }
    y = top + 24;
    text(
        &mut body,
        TIME_X,
        y,
        "start",
        r##" fill="#444""##,
        "time (s)",
    );
    state(&mut body, Side::Client, y, d.initial[0]);
    state(&mut body, Side::Server, y, d.initial[1]);
    let mut rows = String::new();
    for row in &d.rows {
        match &row.what {
            What::Segment { dir, label, arrow } => {
                y += ROW;
                let (from, to) = from_to(*dir);
                let (from, to) = (X[from], X[to]);
                let (color, dash, marker) = match arrow {
                    Arrow::Inferred => (INFERRED, r#" stroke-dasharray="7 5""#, "inferred"),
                    Arrow::Reset => (RESET, "", "reset"),
                    Arrow::Plain => ("#111111", "", "head"),
                };
                let _ = writeln!(
                    rows,
                    r#"<line x1="{from}" y1="{y}" x2="{to}" y2="{y}" stroke="{color}" stroke-width="2"{dash} marker-end="url(#{marker})"/>"#
                );
                text(
                    &mut rows,
                    (X[0] + X[1]) / 2,
                    y - 7,
                    "middle",
                    &format!(r#" fill="{color}""#),
                    &fit(label, LABEL_MAX),
                );
                text(
                    &mut rows,
                    TIME_X,
                    y + 5,
                    "start",
                    r##" fill="#444""##,
                    &row.time,
                );
            }
            What::Note(note) => {
                y += ROW;
                let _ = writeln!(
                    rows,
                    r#"<rect x="{}" y="{}" width="{}" height="26" rx="4" fill="{NOTE_FILL}" stroke="{NOTE_LINE}"/>"#,
                    X[0] - 20,
                    y - 18,
                    X[1] - X[0] + 40
                );
                text(
                    &mut rows,
                    (X[0] + X[1]) / 2,
                    y,
                    "middle",
                    "",
                    &fit(note, LABEL_MAX + 4),
                );
                text(
                    &mut rows,
                    TIME_X,
                    y,
                    "start",
                    r##" fill="#444""##,
                    &row.time,
                );
            }
            What::Call(side, call) => {
                y += CALL_ROW;
                let (x, anchor) = match side {
                    Side::Client => (X[0] - 12, "end"),
                    Side::Server => (X[1] + 12, "start"),
                };
                text(
                    &mut rows,
                    x,
                    y,
                    anchor,
                    &format!(r#" fill="{CALL}" font-style="italic""#),
                    call,
                );
            }
        }
        for side in [Side::Client, Side::Server] {
            if let Some(s) = row.states[side as usize] {
                state(&mut rows, side, y + 5, s);
            }
        }
    }
    let bottom = y + 24;
    for x in X {
        let _ = writeln!(
            body,
            r##"<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="#1f3b63" stroke-width="1.5"/>"##
        );
    }
    body.push_str(&rows);
    y = bottom + 12;
    for f in &d.findings {
        for (k, line) in wrap(&format!("! {f}"), LINE_MAX).iter().enumerate() {
            y += 20;
            let x = if k == 0 { TIME_X } else { TIME_X + 18 };
            text(
                &mut body,
                x,
                y,
                "start",
                &format!(r#" fill="{RESET}""#),
                line,
            );
        }
    }
    let height = y + 20;
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="monospace" font-size="{FONT}">"#
    );
    let _ = writeln!(out, "<title>{}</title>", esc(&d.title));
    out.push_str("<defs>\n");
    for (id, color) in [
        ("head", "#111111"),
        ("reset", RESET),
        ("inferred", INFERRED),
    ] {
        let _ = writeln!(
            out,
            r#"<marker id="{id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>"#
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        r#"<rect width="{WIDTH}" height="{height}" fill="white"/>"#
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_labels_are_cut_with_a_mark() {
        assert_eq!(esc("a<b>&\"'\u{1b}"), "a&lt;b&gt;&amp;&quot;&#39; ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        // The longest common label fits whole.
        assert!("ACK seq=4294967295 ack=4294967295 len=65535 [retransmission]".len() <= LABEL_MAX);
    }
}
