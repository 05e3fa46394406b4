//! The connection list pane: one row per connection, sortable by any column, filtered by `/`.

use std::cmp::Ordering;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::{App, Focus};
use super::replay::Replay;
use super::theme::{short_state, Theme};
use super::util::{fit_left, fit_right, human_bytes, human_count, human_secs};
use crate::track::{Connection, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    Client,
    Server,
    ClientState,
    ServerState,
    Age,
    Packets,
    Bytes,
    Flags,
    Marks,
}

impl SortKey {
    pub const ALL: [SortKey; 10] = [
        SortKey::Id,
        SortKey::Client,
        SortKey::Server,
        SortKey::ClientState,
        SortKey::ServerState,
        SortKey::Age,
        SortKey::Packets,
        SortKey::Bytes,
        SortKey::Flags,
        SortKey::Marks,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Id => "#",
            SortKey::Client => "client",
            SortKey::Server => "server",
            SortKey::ClientState => "client state",
            SortKey::ServerState => "server state",
            SortKey::Age => "age",
            SortKey::Packets => "packets",
            SortKey::Bytes => "bytes",
            SortKey::Flags => "flags",
            SortKey::Marks => "anomalies",
        }
    }

    pub fn next(self) -> SortKey {
        let i = Self::ALL.iter().position(|k| *k == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }
}

/// Flags seen, Zeek-history style: upper case sent by the client, lower case by the server.
/// S SYN (or SYN+ACK), D data, F FIN, R RST.
pub fn flags_seen(c: &Connection) -> String {
    let mut s = String::with_capacity(8);
    let [cl, sv] = &c.ends;
    for (on, ch) in [
        (cl.sent_syn || cl.sent_synack, 'S'),
        (sv.sent_syn || sv.sent_synack, 's'),
        (cl.bytes > 0, 'D'),
        (sv.bytes > 0, 'd'),
        (cl.sent_fin, 'F'),
        (sv.sent_fin, 'f'),
        (cl.sent_rst, 'R'),
        (sv.sent_rst, 'r'),
    ] {
        if on {
            s.push(ch);
        }
    }
    s
}

/// Segments with an analysis mark (retransmission, out of order, ...), plus one if the capture
/// joined mid-stream.
pub fn anomalies(c: &Connection) -> u64 {
    c.mark_counts.iter().map(|n| u64::from(*n)).sum::<u64>() + u64::from(c.mid_stream)
}

/// The connections to list, filtered and sorted (ties by connection number).
pub fn rows<'a>(replay: &'a Replay, app: &App) -> Vec<&'a Connection> {
    let mut v: Vec<&Connection> = replay
        .connections()
        .filter(|c| app.filter.matches(c))
        .collect();
    sort(&mut v, app.sort, app.sort_desc);
    v
}

fn state_rank(s: State) -> usize {
    State::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

pub fn sort(v: &mut [&Connection], key: SortKey, desc: bool) {
    let cmp = |a: &&Connection, b: &&Connection| -> Ordering {
        let o = match key {
            SortKey::Id => Ordering::Equal,
            SortKey::Client => a.client().addr.cmp(&b.client().addr),
            SortKey::Server => a.server().addr.cmp(&b.server().addr),
            SortKey::ClientState => state_rank(a.client().state).cmp(&state_rank(b.client().state)),
            SortKey::ServerState => state_rank(a.server().state).cmp(&state_rank(b.server().state)),
            // Older first: a smaller first_seen is a greater age.
            SortKey::Age => b.first_seen.cmp(&a.first_seen),
            SortKey::Packets => a.packets().cmp(&b.packets()),
            SortKey::Bytes => a.bytes().cmp(&b.bytes()),
            SortKey::Flags => flags_seen(a).cmp(&flags_seen(b)),
            SortKey::Marks => anomalies(a).cmp(&anomalies(b)),
        };
        let o = o.then(a.id.cmp(&b.id));
        if desc {
            o.reverse()
        } else {
            o
        }
    };
    v.sort_unstable_by(cmp);
}

/// One column: what it sorts by, its title and width.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: SortKey,
    pub title: &'static str,
    pub width: u16,
    pub right: bool,
}

/// The columns that fit in `width`, with their widths (one space between columns).
pub fn columns(width: u16, max_id: u64) -> Vec<Column> {
    let idw = (max_id.max(1).ilog10() as u16 + 2).max(3);
    let wide = width >= 120;
    let stw = if wide { 12 } else { 10 };
    let flags = width >= 100;
    let c = |key, title, width, right| Column {
        key,
        title,
        width,
        right,
    };
    let mut cols = vec![
        c(SortKey::Id, "#", idw, true),
        c(SortKey::Client, "client", 0, false),
        c(SortKey::Server, "server", 0, false),
        c(SortKey::ClientState, "client st", stw, false),
        c(SortKey::ServerState, "server st", stw, false),
        c(SortKey::Age, "age", 5, true),
        c(SortKey::Packets, "pkts", 5, true),
        c(SortKey::Bytes, "bytes", 5, true),
    ];
    if flags {
        cols.push(c(SortKey::Flags, "flags", 8, false));
    }
    let fixed: u16 = cols.iter().map(|c| c.width).sum::<u16>() + cols.len() as u16 - 1;
    let rest = width.saturating_sub(fixed);
    // The client's half first: its ephemeral port is usually the longer one.
    let server = (rest / 2).clamp(8, 46);
    cols[2].width = server;
    cols[1].width = rest.saturating_sub(server).clamp(8, 46);
    cols
}

/// Which column is at x (relative to the pane), for clicks on the header.
pub fn column_at(cols: &[Column], x: u16) -> Option<SortKey> {
    let mut start = 0u16;
    for c in cols {
        if x >= start && x < start + c.width + 1 {
            return Some(c.key);
        }
        start += c.width + 1;
    }
    None
}

fn state_text(s: State, width: u16) -> &'static str {
    if width >= 12 {
        s.name()
    } else {
        short_state(s)
    }
}

fn cell(cols: &[Column], i: usize, text: &str, ellipsis: char) -> String {
    let c = cols[i];
    if c.right {
        fit_right(text, c.width as usize, ellipsis)
    } else {
        fit_left(text, c.width as usize, ellipsis)
    }
}

fn row_line<'a>(
    c: &Connection,
    problem: bool,
    cols: &[Column],
    now: crate::decode::Timestamp,
    theme: &Theme,
    style: Style,
) -> Line<'a> {
    let g = theme.glyphs();
    let mut spans: Vec<Span> = Vec::with_capacity(cols.len() * 2);
    for (i, col) in cols.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" ", style));
        }
        let (text, st) = match col.key {
            SortKey::Id => {
                // Marked segments, a mid-stream join, or a diagnosed problem.
                let mark = if problem || anomalies(c) > 0 {
                    "!"
                } else {
                    " "
                };
                let id = c.id.to_string();
                let w = col.width as usize - 1;
                (format!("{mark}{id:>w$}"), theme.warn())
            }
            SortKey::Client => (c.client().addr.to_string(), Style::new()),
            SortKey::Server => (c.server().addr.to_string(), Style::new()),
            SortKey::ClientState => (
                state_text(c.client().state, col.width).to_string(),
                theme.state(c.client().state),
            ),
            SortKey::ServerState => (
                state_text(c.server().state, col.width).to_string(),
                theme.state(c.server().state),
            ),
            SortKey::Age => (human_secs(now.secs_since(c.first_seen)), Style::new()),
            SortKey::Packets => (human_count(c.packets()), Style::new()),
            SortKey::Bytes => (human_bytes(c.bytes()), Style::new()),
            SortKey::Flags => (flags_seen(c), Style::new()),
            SortKey::Marks => (anomalies(c).to_string(), Style::new()),
        };
        let text = if col.key == SortKey::Id {
            // Keep the mark; only the id part is right-aligned.
            text
        } else {
            cell(cols, i, &text, g.ellipsis)
        };
        let st = if col.key == SortKey::Id && !text.starts_with('!') {
            Style::new()
        } else {
            st
        };
        spans.push(Span::styled(text, style.patch(st)));
    }
    Line::from(spans)
}

/// Title of the pane: counts, sort order and filter.
pub fn title(app: &App, shown: usize, total: usize) -> String {
    let g = app.theme.glyphs();
    let arrow = match (app.sort_desc, app.theme.ascii) {
        (false, false) => "▲",
        (true, false) => "▼",
        (false, true) => "^",
        (true, true) => "v",
    };
    let mut t = format!(" Connections {total}");
    if !app.filter.is_empty() || app.editing {
        t.push_str(&format!(" ({shown} shown)"));
    }
    t.push_str(&format!("{}sort {} {arrow}", g.sep, app.sort.name()));
    if app.follow {
        t.push_str(&format!("{}follow", g.sep));
    }
    t.push(' ');
    t
}

/// Draws the list in `area` (a top rule with the title, a header row, then the rows).
pub fn render(f: &mut Frame, area: Rect, app: &App, replay: &Replay, rows: &[&Connection]) {
    let theme = &app.theme;
    let total = replay.connections().count();
    let focused = app.focus == Focus::List;
    let block = theme.pane(title(app, rows.len(), total), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let max_id = rows.iter().map(|c| c.id).max().unwrap_or(1);
    let cols = columns(inner.width, max_id);
    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    let header: Vec<Span> = cols
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            let mut title = c.title.to_string();
            if c.key == app.sort {
                title.push(if app.sort_desc {
                    if theme.ascii {
                        'v'
                    } else {
                        '▼'
                    }
                } else if theme.ascii {
                    '^'
                } else {
                    '▲'
                });
            }
            let text = cell(&cols, i, &title, theme.glyphs().ellipsis);
            let sep = if i > 0 { " " } else { "" };
            [Span::raw(sep), Span::styled(text, theme.header())]
        })
        .collect();
    lines.push(Line::from(header));
    let body = inner.height.saturating_sub(1) as usize;
    if rows.is_empty() {
        let msg = if total == 0 {
            if replay.at_end() {
                "No TCP connection in this capture.".to_string()
            } else {
                "No connection yet.".to_string()
            }
        } else {
            format!(
                "No connection matches the filter \"{}\" (Esc clears it).",
                app.filter_text
            )
        };
        lines.push(Line::styled(msg, theme.dim()));
    }
    let now = replay.clock.unwrap_or(crate::decode::Timestamp(0));
    for c in rows.iter().skip(app.list_top).take(body) {
        let sel = app.selected == Some(c.id);
        let style = if sel {
            if focused {
                theme.selected()
            } else {
                theme.newest().patch(theme.selected())
            }
        } else {
            Style::new()
        };
        let problem = replay.diag.findings(c.id).iter().any(|f| f.problem);
        lines.push(row_line(c, problem, &cols, now, theme, style));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
