//! The whole screen from state: [`draw`] takes the app and the replay and draws a frame. Pure:
//! no I/O, no clock; the same state always gives the same screen.
//!
//! ```text
//!  status bar                       mode, clock, source, counters
//!  summary strip                    connections per state, both ends
//!  ── Connections ───────────────   the list
//!  ── #1 client → server ────────   the ladder of the selected connection, its findings,
//!                                   Zeek's summary and a TIME_WAIT countdown
//!  narration                        the selected row in plain words (English / Chinese)
//!  key hints
//! ```
//!
//! In the problems view (`p`) the list and the ladder give way to the findings.

use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, View};
use super::ladder::{self, Row};
use super::narrate;
use super::replay::Replay;
use super::{detail, help, list, problems, status};
use crate::track::{Connection, EventKind};

/// Below this size the screen shows only a "too small" message.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Layout {
    /// The screen laid out.
    pub area: Rect,
    pub too_small: bool,
    pub status: Rect,
    pub summary: Rect,
    pub list: Rect,
    pub ladder: Rect,
    /// The problems view: where the list and the ladder are otherwise.
    pub problems: Rect,
    pub narration: Rect,
    /// The one-line legend, above the footer when the screen has a spare line (else empty).
    pub legend: Rect,
    pub footer: Rect,
}

fn take_top(r: &mut Rect, h: u16) -> Rect {
    let h = h.min(r.height);
    let out = Rect { height: h, ..*r };
    r.y += h;
    r.height -= h;
    out
}

fn take_bottom(r: &mut Rect, h: u16) -> Rect {
    let h = h.min(r.height);
    r.height -= h;
    Rect {
        y: r.y + r.height,
        height: h,
        ..*r
    }
}

/// The layout for a screen of `area` ([`App::sync`] keeps it for the frame).
pub fn layout(area: Rect, app: &App, replay: &Replay) -> Layout {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return Layout {
            area,
            too_small: true,
            ..Default::default()
        };
    }
    let mut r = area;
    let status = take_top(&mut r, 1);
    let summary_h = if app.ladder_only {
        0
    } else {
        status::summary_lines(replay, app, area.width).len() as u16
    };
    let summary = take_top(&mut r, summary_h);
    let footer = take_bottom(&mut r, 1);
    // The narration takes the lines its text needs (at least 3, at most a third of the
    // screen): a cut explanation teaches nothing.
    let rows = list::rows(replay, app);
    let (text, note) = narration_and_note(app, replay, &rows);
    let width = area.width.saturating_sub(2) as usize;
    // A lesson's note, where it has one, says what the narration would and why: it stands
    // alone.
    let need = wrapped_lines(note.unwrap_or(&text), width) as u16;
    // A lesson's note is the point of the step: it may take half the screen.
    let most = if app.lesson.is_some() {
        area.height / 2
    } else {
        area.height / 3
    };
    let narration = take_bottom(&mut r, need.clamp(3, most.max(3)));
    let problems = r;
    // The list takes what its rows need, up to two fifths; the ladder the rest.
    let n = rows.len().max(1) as u16;
    let list_h = if app.ladder_only {
        0
    } else {
        (n + 2).clamp(4, (r.height * 2 / 5).max(6))
    };
    let list = take_top(&mut r, list_h);
    // The ladder takes what its rows need and the narration stands right under it: on a
    // projector the eye should not cross a screen of blank lines from arrow to explanation.
    let ladder_h = ladder_height(app, replay, &rows, r.height);
    let ladder = take_top(&mut r, ladder_h);
    let narration = Rect {
        y: ladder.y + ladder.height,
        ..narration
    };
    // A spare line under the narration (and a screen wide enough) holds the legend.
    let spare = footer.y.saturating_sub(narration.y + narration.height);
    let legend = if spare >= 2 && area.width >= LEGEND_MIN_WIDTH && app.view == View::Connections {
        Rect {
            y: footer.y - 1,
            height: 1,
            ..footer
        }
    } else {
        Rect::default()
    };
    Layout {
        area,
        too_small: false,
        status,
        summary,
        list,
        ladder,
        problems,
        narration,
        legend,
        footer,
    }
}

/// The legend needs this many columns.
const LEGEND_MIN_WIDTH: u16 = 150;

/// What the ladder's marks mean, in one line: arrow kinds, the flags' case, Zeek's letters.
pub fn legend(app: &App) -> Line<'static> {
    let g = app.theme.glyphs();
    let d = app.theme.dim();
    let k = app.theme.key();
    let two = |c: char| format!("{c}{c}");
    let w = crate::i18n::messages(app.lang).legend;
    let parts: Vec<(String, &str)> = vec![
        (two(g.line), w[1]),
        (two(g.rst_line), w[2]),
        (two(g.dotted), w[3]),
        (g.fold_closed.to_string(), w[4]),
        ("LISTEN?".into(), w[5]),
        ("S F D R".into(), w[6]),
        ("zeek".into(), w[7]),
    ];
    let mut spans = vec![Span::styled(format!(" {} ", w[0]), d)];
    for (sym, what) in parts {
        spans.push(Span::styled(sym, k));
        spans.push(Span::styled(format!(" {what}  "), d));
    }
    Line::from(spans)
}

/// The lines the ladder pane needs for the selected connection, at most `avail`: its title,
/// the detail lines, the column header, every row, the TIME_WAIT countdown.
fn ladder_height(app: &App, replay: &Replay, rows: &list::Rows, avail: u16) -> u16 {
    let conn = app
        .selected
        .filter(|id| rows.contains(*id))
        .and_then(|id| replay.connection(id));
    let Some(c) = conn else { return avail };
    let inner = avail.saturating_sub(1);
    let findings = replay.findings_of(c);
    let need = 1
        + detail::detail_count(inner, findings.len())
        + 1
        + ladder::rows_for(c, app).len()
        + usize::from(detail::has_countdown(&findings));
    (need as u16).min(avail)
}

/// How many lines `text` takes wrapped to `width` columns by [`wrap`], as the narration
/// pane draws it.
pub fn wrapped_lines(text: &str, width: usize) -> usize {
    if width == 0 {
        return 1;
    }
    wrap(text, width).len().max(1)
}

/// `text` in lines of at most `width` columns: at spaces, and between Chinese characters
/// (never before closing punctuation), as `--text`'s notes are (ratatui's word wrap breaks
/// only at spaces, leaving half-empty lines before a long run of Chinese).
fn wrap(text: &str, width: usize) -> Vec<String> {
    crate::output::text::wrap(text, width)
}

/// The narration for the ladder's cursor row.
pub fn narration(app: &App, conn: Option<&Connection>, rows: &[Row]) -> String {
    let Some(c) = conn else {
        return narrate::NOTHING.get(app.lang).to_string();
    };
    match rows.get(app.ladder.cursor) {
        None | Some(Row::Initial) => narrate::before(c, app.lang),
        Some(Row::Event { idx, .. }) => narrate::narrate(c, &c.events[*idx], app.lang),
        Some(Row::Fold { start, len }) => {
            if app.ladder.follow {
                // Following: tell about the newest segment, even inside a folded run.
                narrate::narrate(c, &c.events[start + len - 1], app.lang)
            } else {
                narrate::folded(*len, app.lang)
            }
        }
        Some(Row::Dropped { at }) => c
            .dropped
            .at(*at)
            .map(|r| narrate::dropped(r.segments, r.bytes, app.lang))
            .unwrap_or_default(),
        Some(r @ Row::Call { .. }) => match r.event(c) {
            Some(i) => narrate::narrate(c, &c.events[i], app.lang),
            None => narrate::before(c, app.lang),
        },
    }
}

/// The lesson's note for the ladder's cursor row: the introduction before the first
/// segment, then the note of the segment the row tells about, if it has one.
pub fn lesson_note(app: &App, conn: Option<&Connection>, rows: &[Row]) -> Option<&'static str> {
    let lesson = app.lesson?;
    let Some(c) = conn else {
        return lesson.note_in(0, app.lang);
    };
    let frame = match rows.get(app.ladder.cursor) {
        None | Some(Row::Initial) => 0,
        Some(r) => {
            let e = &c.events[r.event(c)?];
            if e.kind != EventKind::Segment {
                return None;
            }
            e.frame
        }
    };
    lesson.note_in(frame, app.lang)
}

/// The narration of the problems view's selection or of the ladder's cursor row, and the
/// lesson's note for that row.
fn narration_and_note(
    app: &App,
    replay: &Replay,
    rows: &list::Rows,
) -> (String, Option<&'static str>) {
    if app.view == View::Problems {
        return (problems::narration(replay, app), None);
    }
    if app.view == View::Udp {
        return (super::udp::narration(replay, app), None);
    }
    let conn = app
        .selected
        .filter(|id| rows.contains(*id))
        .and_then(|id| replay.connection(id));
    let lrows = conn.map(|c| ladder::rows_for(c, app)).unwrap_or_default();
    (narration(app, conn, &lrows), lesson_note(app, conn, &lrows))
}

/// Draws the whole screen where [`App::sync`] laid it out (laid out again only if the
/// screen changed size since).
pub fn draw(f: &mut Frame, app: &App, replay: &Replay) {
    let area = f.area();
    let lay = if app.layout.area == area {
        app.layout
    } else {
        layout(area, app, replay)
    };
    if lay.too_small {
        let msg = vec![
            Line::raw(format!(
                "Terminal too small ({}x{}).",
                area.width, area.height
            )),
            Line::raw(format!("synack needs {MIN_WIDTH}x{MIN_HEIGHT}.")),
            Line::raw("q quits."),
        ];
        let y = area.height.saturating_sub(3) / 2;
        let r = Rect {
            y: area.y + y,
            height: area.height - y,
            ..area
        };
        f.render_widget(
            Paragraph::new(msg)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            r,
        );
        return;
    }
    status::render_status(f, lay.status, app, replay);
    status::render_summary(f, lay.summary, app, replay);
    let mut note = None;
    let text = if app.view == View::Problems {
        problems::render(f, lay.problems, app, replay);
        problems::narration(replay, app)
    } else if app.view == View::Udp {
        super::udp::render(f, lay.problems, app, replay);
        super::udp::narration(replay, app)
    } else {
        let rows = list::rows(replay, app);
        list::render(f, lay.list, app, replay, &rows);
        let conn = app
            .selected
            .filter(|id| rows.contains(*id))
            .and_then(|id| replay.connection(id));
        let lrows = conn.map(|c| ladder::rows_for(c, app)).unwrap_or_default();
        let findings = conn.map(|c| replay.findings_of(c)).unwrap_or_default();
        let kernel = conn.and_then(|c| replay.kernel_pair(c));
        let detail = detail::Detail {
            findings: &findings,
            now: replay.diag_now(),
            two_msl: replay.findings.cfg.two_msl,
            kernel: kernel.as_ref(),
        };
        ladder::render(f, lay.ladder, app, conn, &lrows, app.anim, &detail);
        note = lesson_note(app, conn, &lrows);
        narration(app, conn, &lrows)
    };
    let (text, style) = match note {
        Some(n) => (n, app.theme.note()),
        None => (text.as_str(), app.theme.newest()),
    };
    let text_area = Rect {
        x: lay.narration.x + 1,
        width: lay.narration.width.saturating_sub(2),
        ..lay.narration
    };
    let lines: Vec<Line> = wrap(text, text_area.width as usize)
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect();
    f.render_widget(Paragraph::new(lines), text_area);
    if lay.legend.height > 0 {
        f.render_widget(Paragraph::new(legend(app)), lay.legend);
    }
    status::render_footer(f, lay.footer, app, replay);
    if let Some(o) = &app.layers.open {
        super::layers::render(f, super::layers::area(area), o, app.lang, &app.theme);
    }
    if app.help.open {
        help::render(f, area, app);
    }
}

#[cfg(test)]
mod tests {
    use super::wrapped_lines;

    #[test]
    fn wrapping_counts_lines_as_the_paragraph_wraps_them() {
        assert_eq!(wrapped_lines("", 10), 1);
        assert_eq!(wrapped_lines("aaaa bbbb", 9), 1);
        assert_eq!(wrapped_lines("aaaa bbbb", 8), 2);
        assert_eq!(wrapped_lines("aaaa bbbb cc", 9), 2);
        // No spaces (Chinese): broken by width, two columns a character.
        assert_eq!(wrapped_lines(&"确".repeat(10), 8), 3);
    }
}
