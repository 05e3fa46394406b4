//! The problems view (`p`): every finding, grouped by kind (worst kind first, patterns across
//! connections such as TIME_WAIT piles and SYN floods before them) and by the endpoint it
//! concerns, worst first. Enter jumps to the connection's ladder with the evidence marked.
//!
//! ```text
//!  ── Problems │ 7 findings on 6 of 6 connections │ 4 problems ─────────
//!  CLOSE_WAIT that never closes (1)
//!    192.168.1.20:5432 (server)
//! ▸   ! #4     the application on 192.168.1.20:5432 has not closed its …
//! ```
//!
//! The rows are built by [`super::findings_cache::FindingsCache`] when findings change; drawing only reads
//! the ones on screen.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::App;
use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};

use super::findings_cache::{FindingsCache, PKey, PRow};
use super::pane::{page, scroll_to, Effect, Handled};
use super::replay::Replay;
use super::text::{fit_left, text_width, truncate};
use super::theme::Theme;
use crate::decode::Timestamp;
use crate::diagnose::words as findings;
use crate::i18n::Lang;
use crate::i18n::{FindingLine, ProblemCounts, ProblemsWords};

/// The problems view's state: its cursor (an index into the findings' rows), what the cursor
/// stands on (so it stays there when rows move) and the first visible row.
#[derive(Debug, Clone, Default)]
pub struct ProblemsPane {
    pub cursor: usize,
    pub key: Option<PKey>,
    pub top: usize,
}

impl ProblemsPane {
    /// Keeps the cursor on what it stood on (rows move as findings change), on a row it can
    /// stand on, and in view (`h` rows).
    pub fn sync(&mut self, d: &FindingsCache, h: usize) {
        let rows = &d.rows;
        if rows.is_empty() {
            self.cursor = 0;
            self.top = 0;
            return;
        }
        let first = rows.iter().position(PRow::selectable).unwrap_or(0);
        match self.key {
            // Until the user chooses, the cursor stays on the worst.
            None => self.cursor = first,
            Some(key) => {
                if d.key(&rows[self.cursor.min(rows.len() - 1)]) != Some(key) {
                    if let Some(p) = rows.iter().position(|r| d.key(r) == Some(key)) {
                        self.cursor = p;
                    }
                }
            }
        }
        let mut c = self.cursor.min(rows.len() - 1);
        if !rows[c].selectable() {
            c = (c..rows.len())
                .chain((0..c).rev())
                .find(|i| rows[*i].selectable())
                .unwrap_or(0);
        }
        self.cursor = c;
        // The first choice shows the headers above it.
        let pos = if c == first { 0 } else { c };
        self.top = scroll_to(self.top, pos, h, rows.len());
        if pos == 0 {
            self.top = 0;
        }
        if c >= self.top + h {
            self.top = scroll_to(self.top, c, h, rows.len());
        }
    }

    /// Moves the cursor `delta` choices (headers are skipped).
    fn step(&mut self, d: &FindingsCache, delta: isize) {
        let rows = &d.rows;
        let choices: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].selectable()).collect();
        if choices.is_empty() {
            return;
        }
        let pos = choices
            .iter()
            .position(|i| *i >= self.cursor)
            .unwrap_or(choices.len() - 1);
        let new = (pos as isize + delta).clamp(0, choices.len() as isize - 1) as usize;
        self.cursor = choices[new];
        self.key = d.key(&rows[self.cursor]);
    }

    /// Opens on connection `id`'s first finding, if it has one.
    pub fn open_on(&mut self, d: &FindingsCache, id: u64) {
        if let Some(p) = d
            .rows
            .iter()
            .position(|r| matches!(r, PRow::Finding { conn, .. } if *conn == id))
        {
            self.cursor = p;
            self.key = d.key(&d.rows[p]);
        }
    }

    /// A key in the problems view, a pane `h` rows high.
    pub fn on_key(&mut self, key: KeyEvent, d: &FindingsCache, h: u16) -> Handled {
        let page = page(h);
        match key.code {
            KeyCode::Esc | KeyCode::Char('p') => return Handled::Then(Effect::CloseView),
            KeyCode::Up | KeyCode::Char('k') => self.step(d, -1),
            KeyCode::Down | KeyCode::Char('j') => self.step(d, 1),
            KeyCode::PageUp => self.step(d, -page),
            KeyCode::PageDown => self.step(d, page),
            KeyCode::Enter => return Handled::Then(Effect::Jump),
            KeyCode::Char('/') => return Handled::Then(Effect::EditFilter),
            // The list's and the ladder's own keys do nothing here.
            _ => {}
        }
        Handled::Consumed
    }

    /// The wheel moves the cursor; a click stands it on a row, in a pane at `area`.
    pub fn on_mouse(&mut self, m: MouseEvent, d: &FindingsCache, area: Rect) -> Handled {
        let inside = m.column >= area.x
            && m.column < area.x + area.width
            && m.row > area.y
            && m.row < area.y + area.height;
        match m.kind {
            MouseEventKind::ScrollUp => self.step(d, -3),
            MouseEventKind::ScrollDown => self.step(d, 3),
            MouseEventKind::Down(_) if inside => {
                let i = self.top + (m.row - area.y - 1) as usize;
                if d.rows.get(i).is_some_and(PRow::selectable) {
                    self.cursor = i;
                    self.key = d.key(&d.rows[i]);
                }
            }
            _ => {}
        }
        Handled::Consumed
    }
}

/// The pane's title: how many findings, on how many connections, how many problems.
pub fn title(replay: &Replay, app: &App) -> String {
    let d = &replay.findings;
    let counts = ProblemCounts {
        total: d.total,
        with_findings: d.with_findings,
        connections: d.connections,
        problems: d.problems,
        groups: d.groups.len(),
        behind: d.behind,
    };
    (words(app.lang).title)(&counts, app.theme.glyphs().sep)
}

fn words(lang: Lang) -> &'static ProblemsWords {
    &crate::i18n::messages(lang).problems_view
}

/// `10:00:03.550 UTC`.
pub fn time_of_day(t: Timestamp) -> String {
    let s = t.rfc3339();
    s.get(11..23).map_or(s.clone(), |x| format!("{x} UTC"))
}

/// A kind's heading: its name, how many, and how many of them are problems.
fn section_spans<'a>(
    title: &str,
    count: usize,
    problems: usize,
    theme: &Theme,
    lang: Lang,
) -> Vec<Span<'a>> {
    let note = (words(lang).section_note)(count, problems);
    vec![
        Span::styled(format!(" {title} ({count})"), theme.title()),
        Span::styled(note, theme.dim()),
    ]
}

/// One row's text, `width` wide.
fn row_line<'a>(replay: &Replay, app: &App, row: &PRow, cursor: bool, width: usize) -> Line<'a> {
    let theme = &app.theme;
    let gl = theme.glyphs();
    let d = &replay.findings;
    let style = if cursor {
        theme.selected()
    } else {
        Style::new()
    };
    let cur = if cursor {
        gl.cursor.to_string()
    } else {
        " ".into()
    };
    let mut spans: Vec<Span> = match row {
        PRow::Section {
            kind,
            count,
            problems,
        } => {
            let title = match kind {
                Some(k) => findings::title(*k, app.lang),
                None => words(app.lang).patterns,
            };
            section_spans(title, *count, *problems, theme, app.lang)
        }
        PRow::Place { place, count } => vec![
            Span::raw("   "),
            Span::styled(place.text(app.lang), theme.newest()),
            Span::styled(
                if *count > 1 {
                    format!("  {count}")
                } else {
                    String::new()
                },
                theme.dim(),
            ),
        ],
        PRow::Group(i) => {
            let Some(g) = d.groups.get(*i) else {
                return Line::raw("");
            };
            let lead = format!("{cur}  ! ");
            let rest = width.saturating_sub(text_width(&lead));
            vec![
                Span::styled(lead, style.patch(theme.key())),
                Span::styled(
                    truncate(&findings::group(g, app.lang), rest, gl.ellipsis),
                    style,
                ),
            ]
        }
        PRow::Finding { conn, idx } => {
            let Some(f) = d.finding(*conn, *idx) else {
                return Line::raw("");
            };
            let (mark, mark_style) = if f.problem {
                ("!", theme.warn())
            } else {
                (if theme.ascii { "-" } else { "·" }, theme.dim())
            };
            let mut v = vec![
                Span::styled(format!("{cur}   "), style.patch(theme.key())),
                Span::styled(mark, style.patch(mark_style)),
                Span::styled(
                    format!(" {} ", fit_left(&format!("#{conn}"), 6, gl.ellipsis)),
                    style,
                ),
            ];
            if width >= 120 {
                let since = match replay.player.first_ts {
                    Some(t0) => {
                        let e = f.since.secs_since(t0).max(0.0);
                        match super::text::long_secs(e) {
                            Some(long) => format!("t+{long}"),
                            None => format!("t+{e:.3}"),
                        }
                    }
                    None => String::new(),
                };
                v.push(Span::styled(
                    format!("{} ", fit_left(&since, 10, gl.ellipsis)),
                    style.patch(theme.dim()),
                ));
            }
            let used: usize = v.iter().map(|s| s.width()).sum();
            v.push(Span::styled(
                truncate(
                    &findings::sentence(f, app.lang),
                    width.saturating_sub(used),
                    gl.ellipsis,
                ),
                style,
            ));
            v
        }
    };
    if cursor {
        let used: usize = spans.iter().map(|s| s.width()).sum();
        spans.push(Span::styled(" ".repeat(width.saturating_sub(used)), style));
    }
    Line::from(spans)
}

/// Draws the problems view in `area`.
pub fn render(f: &mut Frame, area: Rect, app: &App, replay: &Replay) {
    let theme = &app.theme;
    let block = theme.pane(title(replay, app), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let d = &replay.findings;
    if d.rows.is_empty() {
        let empty = words(app.lang).empty;
        let msg = match (replay.at_end(), replay.connection_count() == 0) {
            (true, true) => empty[0],
            (true, false) => empty[1],
            (false, _) => empty[2],
        };
        f.render_widget(Paragraph::new(Line::styled(msg, theme.dim())), inner);
        return;
    }
    let lines: Vec<Line> = d
        .rows
        .iter()
        .enumerate()
        .skip(app.problems.top)
        .take(inner.height as usize)
        .map(|(i, r)| {
            row_line(
                replay,
                app,
                r,
                i == app.problems.cursor,
                inner.width as usize,
            )
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// The narration line in the problems view: the chosen finding in full.
pub fn narration(replay: &Replay, app: &App) -> String {
    let d = &replay.findings;
    match d.rows.get(app.problems.cursor) {
        Some(PRow::Finding { conn, idx }) => {
            let Some(f) = d.finding(*conn, *idx) else {
                return String::new();
            };
            let endpoint = f.endpoint.to_string();
            (words(app.lang).finding)(&FindingLine {
                conn: *conn,
                endpoint: &endpoint,
                client: f.side == crate::track::Side::Client,
                since: &time_of_day(f.since),
                sentence: &findings::sentence(f, app.lang),
                frames: &f.frames,
            })
        }
        Some(PRow::Group(i)) => {
            let Some(g) = d.groups.get(*i) else {
                return String::new();
            };
            let ids: Vec<String> = g.conns.iter().map(|i| format!("#{i}")).collect();
            (words(app.lang).group)(
                &findings::group(g, app.lang),
                &ids.join(" "),
                g.count as usize > g.conns.len(),
            )
        }
        _ if replay.at_end() => words(app.lang).nothing[0].into(),
        _ => words(app.lang).nothing[1].into(),
    }
}
