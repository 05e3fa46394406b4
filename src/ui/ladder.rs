//! The ladder pane: the selected connection's two ends as lifelines, each segment an arrow
//! between them, the time on the left and each end's state written on its side where it
//! changes. Runs of plain data/ACK segments fold into one row (Enter expands them).
//!
//! ```text
//!       time       client │                                       │ server
//!                  CLOSED │                                       │ LISTEN
//!   0.000000     SYN_SENT │── SYN seq=0 win=64240 ───────────────▶│
//!   0.010000  ESTABLISHED │◀─────── SYN+ACK seq=0 ack=1 win=65160 ──│ SYN_RECEIVED
//! ```

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::{App, Evidence, Focus};
use super::text::{fit_left, fit_right, plural, text_width, truncate};
use super::theme::Theme;
use crate::decode::Timestamp;
use crate::diagnose::{Finding, Kind};
use crate::output::text::segment_label;
use crate::output::{thousands, OutputOptions};
use crate::track::{Connection, Dir, Event, EventKind, Side, State};
use crate::zeek;

/// Fewer plain segments than this in a row are shown one by one (as in `--text`).
pub const FOLD_MIN: usize = 3;

/// One row of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// Both ends' states before the first segment.
    Initial,
    /// One event; `run` is the start of the expanded run it belongs to, if any.
    Event { idx: usize, run: Option<usize> },
    /// A folded run of plain segments, events `start..start + len`.
    Fold { start: usize, len: usize },
    /// Segments not kept (`--max-events`) that fell before `events[at]`: `c.dropped.at(at)`.
    Dropped { at: usize },
}

/// The rows of `c`'s ladder, with the runs `expanded(start)` says are open.
pub fn rows(c: &Connection, expanded: impl Fn(usize) -> bool) -> Vec<Row> {
    let mut out = Vec::with_capacity(c.events.len() + 2);
    out.push(Row::Initial);
    let ev = &c.events;
    let mut i = 0;
    loop {
        if c.dropped.at(i).is_some() {
            out.push(Row::Dropped { at: i });
        }
        if i >= ev.len() {
            break;
        }
        // A fold stops where segments were left out: they are shown where they fell.
        let limit = c.dropped.next_after(i).unwrap_or(ev.len());
        let run = ev[i..limit].iter().take_while(|e| !e.is_notable()).count();
        if run >= FOLD_MIN {
            if expanded(i) {
                out.extend((i..i + run).map(|idx| Row::Event { idx, run: Some(i) }));
            } else {
                out.push(Row::Fold { start: i, len: run });
            }
            i += run;
        } else {
            out.push(Row::Event { idx: i, run: None });
            i += 1;
        }
    }
    out
}

/// The rows for the app's expansion state.
pub fn rows_for(c: &Connection, app: &App) -> Vec<Row> {
    rows(c, |start| {
        app.expand_all != app.expanded.contains(&(c.id, start))
    })
}

/// Widths of the ladder's columns for a pane `width` wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub time: usize,
    pub state: usize,
    pub arrow: usize,
    /// Width left after the server's state for marks (0: marks go into the arrow label).
    pub tail: usize,
}

impl Geometry {
    pub fn new(width: u16) -> Geometry {
        let w = width as usize;
        let (time, state) = (9, 12);
        // cursor + time + ' ' + state + ' ' + '│' + arrow + '│' + ' ' + state
        let fixed = 1 + time + 1 + state + 1 + 1 + 1 + 1 + state;
        let arrow = w.saturating_sub(fixed).clamp(12, 64);
        let tail = w.saturating_sub(fixed + arrow);
        Geometry {
            time,
            state,
            arrow,
            tail: if tail >= 14 { tail } else { 0 },
        }
    }
}

fn time_text(secs: f64) -> String {
    if secs < 100.0 {
        format!("{secs:.6}")
    } else if secs < 100_000.0 {
        format!("{secs:.3}")
    } else {
        format!("{secs:.0}")
    }
}

/// Short forms of the mark names, for inside an arrow's label on narrow screens.
fn short_mark(name: &str) -> &str {
    match name {
        "retransmission" => "retrans",
        "out_of_order" => "out-of-order",
        "dup_ack" => "dup-ack",
        "zero_window" => "zero-win",
        "prev_missing" => "gap",
        other => other,
    }
}

fn marks_text(e: &Event, short: bool) -> String {
    if e.marks.is_empty() || e.kind != EventKind::Segment {
        String::new()
    } else {
        let names: Vec<&str> = e
            .marks
            .names()
            .map(|n| if short { short_mark(n) } else { n })
            .collect();
        format!("[{}]", names.join(", "))
    }
}

/// The arrow for `label` going `dir`, `width` columns, drawn with `line`; only the first
/// `shown` columns from the sender's side are drawn (the arrow grows as it animates).
pub fn arrow(
    dir: Dir,
    label: &str,
    width: usize,
    line: char,
    theme: &Theme,
    shown: usize,
) -> String {
    let g = theme.glyphs();
    let label = truncate(label, width.saturating_sub(6), g.ellipsis);
    let lw = text_width(&label);
    let dashes = width.saturating_sub(lw + 5);
    let body: String = match dir {
        Dir::C2S => format!(
            "{line}{line} {label} {}{}",
            line.to_string().repeat(dashes),
            g.head_right
        ),
        Dir::S2C => format!(
            "{}{} {label} {line}{line}",
            g.head_left,
            line.to_string().repeat(dashes)
        ),
    };
    if shown >= width {
        return body;
    }
    let chars: Vec<char> = body.chars().collect();
    // Labels are ASCII, so one char is one column here.
    let n = chars.len();
    let keep = shown.min(n);
    match dir {
        Dir::C2S => {
            let mut s: String = chars[..keep].iter().collect();
            s.push_str(&" ".repeat(n - keep));
            s
        }
        Dir::S2C => {
            let mut s = " ".repeat(n - keep);
            s.extend(chars[n - keep..].iter());
            s
        }
    }
}

fn centered(text: &str, width: usize, fill: char, ellipsis: char) -> String {
    let text = truncate(text, width.saturating_sub(2), ellipsis);
    let n = text_width(&text) + 2;
    let left = width.saturating_sub(n) / 2;
    let right = width.saturating_sub(n + left);
    format!(
        "{} {text} {}",
        fill.to_string().repeat(left),
        fill.to_string().repeat(right)
    )
}

/// Everything one ladder line needs.
struct Cells<'a> {
    time: String,
    client: Option<State>,
    server: Option<State>,
    mid: String,
    mid_style: Style,
    tail: String,
    tail_style: Style,
    lifeline_states: [State; 2],
    cursor: bool,
    row_style: Style,
    theme: &'a Theme,
}

fn line<'a>(g: &Geometry, c: Cells<'_>) -> Line<'a> {
    let gl = c.theme.glyphs();
    let rs = c.row_style;
    let cursor = if c.cursor { gl.cursor } else { ' ' };
    let st = |s: Option<State>, right: bool| -> Span<'a> {
        let text = s.map_or("", |s| s.name());
        let t = if right {
            fit_right(text, g.state, gl.ellipsis)
        } else {
            fit_left(text, g.state, gl.ellipsis)
        };
        let style = s.map_or(Style::new(), |s| c.theme.state(s).patch(c.theme.newest()));
        Span::styled(t, rs.patch(style))
    };
    let mut spans = vec![
        Span::styled(cursor.to_string(), rs.patch(c.theme.key())),
        Span::styled(fit_right(&c.time, g.time, gl.ellipsis), rs),
        Span::styled(" ", rs),
        st(c.client, true),
        Span::styled(" ", rs),
        Span::styled(
            gl.lifeline.to_string(),
            rs.patch(c.theme.state(c.lifeline_states[0])),
        ),
        Span::styled(c.mid, rs.patch(c.mid_style)),
        Span::styled(
            gl.lifeline.to_string(),
            rs.patch(c.theme.state(c.lifeline_states[1])),
        ),
        Span::styled(" ", rs),
        st(c.server, false),
    ];
    if !c.tail.is_empty() {
        spans.push(Span::styled(" ", rs));
        spans.push(Span::styled(c.tail, rs.patch(c.tail_style)));
    }
    Line::from(spans)
}

/// The pane's title: the connection and how it went.
pub fn title(c: &Connection, theme: &Theme) -> String {
    let g = theme.glyphs();
    let to = if theme.ascii { "->" } else { "→" };
    let mut t = format!(
        " #{} {} {to} {}{}handshake {}{}teardown {}",
        c.id,
        c.client().addr,
        c.server().addr,
        g.sep,
        c.handshake().name(),
        g.sep,
        c.teardown().name()
    );
    if c.mid_stream {
        t.push_str(&format!("{}joined mid-stream", g.sep));
    }
    if let Some(prev) = c.reuses {
        t.push_str(&format!("{}reuses #{prev}", g.sep));
    }
    t.push(' ');
    t
}

/// Text lines for `rows[top..top + height]` of connection `c`.
#[allow(clippy::too_many_arguments)]
pub fn lines<'a>(
    c: &Connection,
    rows: &[Row],
    top: usize,
    height: usize,
    cursor: usize,
    width: u16,
    app: &App,
    newest_progress: f32,
) -> Vec<Line<'a>> {
    let theme = &app.theme;
    let gl = theme.glyphs();
    let g = Geometry::new(width);
    let opts = OutputOptions::default();
    let focused = app.focus == Focus::Ladder;
    let last_idx = c.events.len().checked_sub(1);
    let evidence = Evidence::on(&app.evidence, c.id);
    let proves = |i: usize| evidence.is_some_and(|ev| ev.frames.contains(&c.events[i].frame));
    let mut out = Vec::with_capacity(height + 1);
    // Header.
    out.push(line(
        &g,
        Cells {
            time: "time".into(),
            client: None,
            server: None,
            mid: " ".repeat(g.arrow),
            mid_style: Style::new(),
            tail: String::new(),
            tail_style: Style::new(),
            lifeline_states: c.initial_states(),
            cursor: false,
            row_style: theme.header(),
            theme,
        },
    ));
    // The header's state cells are blank; write the end names there.
    if let Some(h) = out.last_mut() {
        h.spans[3] = Span::styled(fit_right("client", g.state, gl.ellipsis), theme.header());
        h.spans[9] = Span::styled(fit_left("server", g.state, gl.ellipsis), theme.header());
    }
    for (i, row) in rows.iter().enumerate().skip(top).take(height) {
        let is_cursor = i == cursor;
        let row_style = if is_cursor && focused {
            theme.selected()
        } else {
            Style::new()
        };
        let marked = match *row {
            Row::Event { idx, .. } => proves(idx),
            Row::Fold { start, len } => (start..start + len).any(proves),
            // Evidence the event cap left out is shown on the row standing for it.
            Row::Dropped { at } => evidence.is_some_and(|ev| {
                ev.frames
                    .iter()
                    .any(|f| c.dropped_run_holding(*f) == Some(at))
            }),
            _ => false,
        };
        let cells = match *row {
            Row::Initial => {
                let init = c.initial_states();
                Cells {
                    time: String::new(),
                    client: Some(init[0]),
                    server: Some(init[1]),
                    mid: " ".repeat(g.arrow),
                    mid_style: Style::new(),
                    tail: String::new(),
                    tail_style: Style::new(),
                    lifeline_states: init,
                    cursor: is_cursor,
                    row_style,
                    theme,
                }
            }
            Row::Event { idx, run } => {
                let e = &c.events[idx];
                let time = time_text(e.ts.secs_since(c.first_seen));
                let marks = marks_text(e, g.tail == 0);
                let (mid, mid_style) = match e.kind {
                    EventKind::Segment => {
                        let mut label = segment_label(c, e, &opts);
                        if g.tail == 0 && !marks.is_empty() {
                            label.push(' ');
                            label.push_str(&marks);
                        }
                        let line_ch = if e.flags.rst() { gl.rst_line } else { gl.line };
                        let shown = if Some(idx) == last_idx && newest_progress < 1.0 {
                            ((g.arrow as f32) * newest_progress).ceil() as usize
                        } else {
                            g.arrow
                        };
                        (
                            arrow(e.dir, &label, g.arrow, line_ch, theme, shown),
                            theme.arrow(e.flags.rst(), e.flags.syn() || e.flags.fin()),
                        )
                    }
                    EventKind::TimeWaitExpired => (
                        centered(
                            "2*MSL elapsed: TIME_WAIT over (inferred)",
                            g.arrow,
                            gl.dotted,
                            gl.ellipsis,
                        ),
                        theme.dim(),
                    ),
                };
                let mut tail = if g.tail > 0 { marks } else { String::new() };
                if run == Some(idx) {
                    let n = rows
                        .iter()
                        .filter(|r| matches!(r, Row::Event { run: Some(s), .. } if *s == idx))
                        .count();
                    let note = format!("{} {n} expanded", gl.fold_open);
                    if g.tail > 0 {
                        tail = if tail.is_empty() {
                            note
                        } else {
                            format!("{tail} {note}")
                        };
                    }
                }
                let changed = |s: usize| e.states[s] != e.before[s];
                let newest_style = if Some(idx) == last_idx && newest_progress < 1.0 {
                    theme.newest()
                } else {
                    Style::new()
                };
                Cells {
                    time,
                    client: changed(0).then_some(e.states[0]),
                    server: changed(1).then_some(e.states[1]),
                    mid,
                    mid_style: mid_style.patch(newest_style),
                    tail: truncate(&tail, g.tail, gl.ellipsis),
                    tail_style: theme.warn(),
                    lifeline_states: e.states,
                    cursor: is_cursor,
                    row_style,
                    theme,
                }
            }
            Row::Fold { start, len } => {
                let seg = &c.events[start..start + len];
                let c2s = seg.iter().filter(|e| e.dir == Dir::C2S).count();
                let bytes: u64 = seg.iter().map(|e| u64::from(e.len)).sum();
                let dur = seg[len - 1].ts.secs_since(seg[0].ts);
                let text = format!(
                    "{} {len} segments, {} bytes, {:.3} s",
                    gl.fold_closed,
                    thousands(bytes),
                    dur
                );
                let tail = if g.tail > 0 {
                    format!("[{c2s} c2s, {} s2c]", len - c2s)
                } else {
                    String::new()
                };
                Cells {
                    time: time_text(seg[0].ts.secs_since(c.first_seen)),
                    client: None,
                    server: None,
                    mid: centered(&text, g.arrow, gl.dotted, gl.ellipsis),
                    mid_style: Style::new(),
                    tail: truncate(&tail, g.tail, gl.ellipsis),
                    tail_style: theme.dim(),
                    lifeline_states: seg[len - 1].states,
                    cursor: is_cursor,
                    row_style,
                    theme,
                }
            }
            Row::Dropped { at } => {
                // Rows are built from this connection, so the run is there.
                let r = c.dropped.at(at).copied().unwrap_or_default();
                let mut text = format!(
                    "{} segment{}, {} bytes not kept",
                    thousands(r.segments),
                    if r.segments == 1 { "" } else { "s" },
                    thousands(r.bytes)
                );
                // Name the option where it fits (the narration always does).
                if text_width(&text) + 17 <= g.arrow {
                    text.push_str(" (--max-events)");
                }
                let tail = if g.tail > 0 {
                    format!(
                        "[{} c2s, {} s2c]",
                        thousands(r.c2s),
                        thousands(r.segments - r.c2s)
                    )
                } else {
                    String::new()
                };
                Cells {
                    time: time_text(r.first.secs_since(c.first_seen)),
                    client: None,
                    server: None,
                    mid: centered(&text, g.arrow, ' ', gl.ellipsis),
                    mid_style: theme.dim(),
                    tail: truncate(&tail, g.tail, gl.ellipsis),
                    tail_style: theme.dim(),
                    // The states stand as the last event kept before the run left them.
                    lifeline_states: c.events[..at.min(c.events.len())]
                        .last()
                        .map_or_else(|| c.initial_states(), |e| e.states),
                    cursor: is_cursor,
                    row_style,
                    theme,
                }
            }
        };
        let mut l = line(&g, cells);
        if marked {
            // Evidence: a `!` in the cursor's column (the cursor wins), the arrow highlighted
            // and, where there is room, which finding it proves.
            if !is_cursor {
                l.spans[0] = Span::styled("!", row_style.patch(theme.warn()));
            }
            l.spans[6].style = l.spans[6].style.patch(theme.evidence());
            if let (Some(ev), true) = (evidence, g.tail > 0) {
                let used: usize = l.spans[10..].iter().map(|s| s.width()).sum();
                let note = format!(" {} evidence: {}", gl.head_left, ev.kind.name());
                if used + text_width(&note) <= g.tail {
                    l.spans
                        .push(Span::styled(note, row_style.patch(theme.warn())));
                }
            }
        }
        out.push(l);
    }
    out
}

/// What the ladder pane shows about its connection besides the arrows: its findings (fresh
/// as of `now`), Zeek's summary, and the 2*MSL a TIME_WAIT has left.
#[derive(Debug, Clone, Copy)]
pub struct Detail<'a> {
    pub findings: &'a [Finding],
    pub now: Timestamp,
    pub two_msl: f64,
}

/// Lines above the column header: one with Zeek's `conn_state`/`history` and the count of
/// findings, then one per finding, as many as `inner_h` (the pane's inside) leaves room for.
/// On a short pane, one line holds both: Zeek's summary and the worst finding.
pub fn detail_count(inner_h: u16, findings: usize) -> usize {
    if inner_h < 16 {
        return 1;
    }
    (1 + findings).min(inner_h as usize / 4)
}

/// Whether the pane ends with a TIME_WAIT countdown line.
pub fn has_countdown(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.kind == Kind::TimeWait && f.remaining.is_some())
}

/// Rows of arrows that fit in a pane whose inside is `inner_h` high.
pub fn body_height(inner_h: u16, _c: &Connection, findings: &[Finding]) -> usize {
    (inner_h as usize)
        .saturating_sub(detail_count(inner_h, findings.len()))
        .saturating_sub(1)
        .saturating_sub(usize::from(has_countdown(findings)))
}

/// The detail lines (see [`detail_count`]), `width` wide.
pub fn detail_lines<'a>(
    c: &Connection,
    findings: &[Finding],
    max: usize,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let gl = theme.glyphs();
    let w = width as usize;
    let problems = findings.iter().filter(|f| f.problem).count();
    let mut head = vec![
        Span::styled(" zeek ", theme.dim()),
        Span::styled(zeek::conn_state(c), theme.newest()),
        Span::raw(" "),
        Span::styled(c.history.letters().to_string(), theme.newest()),
        Span::styled(gl.sep, theme.dim()),
    ];
    // Problems first, in the report's order of kinds.
    let mut order: Vec<&Finding> = findings.iter().collect();
    order.sort_by_key(|f| (!f.problem, f.kind));
    let mark = |f: &Finding| {
        if f.problem {
            ("!", theme.warn())
        } else {
            (if theme.ascii { "-" } else { "·" }, theme.dim())
        }
    };
    let finding_spans = |f: &Finding, w: usize| -> Vec<Span<'a>> {
        let (m, st) = mark(f);
        let kind = format!("{}: ", f.kind.name());
        let rest = w.saturating_sub(3 + text_width(&kind));
        vec![
            Span::styled(format!(" {m} "), st),
            Span::styled(kind, st),
            Span::raw(truncate(&f.sentence, rest, gl.ellipsis)),
        ]
    };
    if findings.is_empty() {
        head.push(Span::styled("no finding", theme.dim()));
        return vec![Line::from(head)];
    }
    if max <= 1 {
        // One line: the worst finding after Zeek's summary, and how many more there are.
        let more = if findings.len() > 1 {
            format!(" (+{} more: p lists them)", findings.len() - 1)
        } else {
            String::new()
        };
        head.pop();
        head.push(Span::styled(gl.sep.trim_end().to_string(), theme.dim()));
        let used: usize = head.iter().map(|s| s.width()).sum();
        head.extend(finding_spans(
            order[0],
            w.saturating_sub(used + text_width(&more)),
        ));
        head.push(Span::styled(more, theme.dim()));
        return vec![Line::from(head)];
    }
    let mut t = plural(findings.len(), "finding", "findings");
    if problems > 0 {
        t.push_str(&format!(", {}", plural(problems, "problem", "problems")));
    }
    head.push(Span::styled(
        t,
        if problems > 0 {
            theme.warn()
        } else {
            Style::new()
        },
    ));
    let shown = max.saturating_sub(1).min(findings.len());
    if shown < findings.len() {
        head.push(Span::styled(
            format!(" (+{} more: p lists them)", findings.len() - shown),
            theme.dim(),
        ));
    }
    let mut out = vec![Line::from(head)];
    for f in order.into_iter().take(shown) {
        out.push(Line::from(finding_spans(f, w)));
    }
    out
}

/// A bar of `w` cells, `frac` of it filled, full end towards `side`'s lifeline.
fn bar(frac: f64, w: usize, side: Side, theme: &Theme) -> String {
    let (full, empty) = if theme.ascii {
        ('#', '.')
    } else {
        ('█', '░')
    };
    let n = ((frac.clamp(0.0, 1.0) * w as f64).round() as usize).min(w);
    let (a, b) = (full.to_string().repeat(n), empty.to_string().repeat(w - n));
    match side {
        Side::Client => format!("{a}{b}"),
        Side::Server => format!("{b}{a}"),
    }
}

/// The TIME_WAIT countdown: as of now, each holding end's 2*MSL left written on its side and
/// drawn as a bar draining towards its lifeline.
pub fn countdown_line<'a>(c: &Connection, d: &Detail, width: u16, app: &App) -> Option<Line<'a>> {
    let theme = &app.theme;
    let gl = theme.glyphs();
    let g = Geometry::new(width);
    let mut left: [Option<f64>; 2] = [None, None];
    for f in d.findings {
        if let (Kind::TimeWait, Some(r)) = (f.kind, f.remaining) {
            left[f.side as usize] = Some(r);
        }
    }
    if left.iter().all(Option::is_none) {
        return None;
    }
    let two = d.two_msl.max(1e-9);
    let label = "2*MSL";
    let mid = match left {
        [Some(a), Some(b)] => {
            let bw = g.arrow.saturating_sub(text_width(label) + 4) / 2;
            centered(
                &format!(
                    "{} {label} {}",
                    bar(a / two, bw, Side::Client, theme),
                    bar(b / two, bw, Side::Server, theme)
                ),
                g.arrow,
                ' ',
                gl.ellipsis,
            )
        }
        [Some(a), None] | [None, Some(a)] => {
            let side = if left[0].is_some() {
                Side::Client
            } else {
                Side::Server
            };
            let pct = format!("{label} {:.0}% left", 100.0 * a / two);
            let bw = g
                .arrow
                .saturating_sub(text_width(&pct) + 2)
                .min(g.arrow * 2 / 3);
            let b = bar(a / two, bw, side, theme);
            let fill = g.arrow.saturating_sub(bw + text_width(&pct) + 2);
            match side {
                Side::Client => format!("{b} {pct} {}", " ".repeat(fill)),
                Side::Server => format!("{} {pct} {b}", " ".repeat(fill)),
            }
        }
        [None, None] => return None,
    };
    let secs = |r: Option<f64>| r.map(|r| format!("{r:.1} s left"));
    let mut l = line(
        &g,
        Cells {
            time: time_text(d.now.secs_since(c.first_seen).max(0.0)),
            client: None,
            server: None,
            mid,
            mid_style: theme.state(State::TimeWait),
            tail: String::new(),
            tail_style: Style::new(),
            lifeline_states: c.states(),
            cursor: false,
            row_style: Style::new(),
            theme,
        },
    );
    let st = theme.state(State::TimeWait).patch(theme.newest());
    if let Some(t) = secs(left[0]) {
        l.spans[3] = Span::styled(fit_right(&t, g.state, gl.ellipsis), st);
    }
    if let Some(t) = secs(left[1]) {
        l.spans[9] = Span::styled(fit_left(&t, g.state, gl.ellipsis), st);
    }
    Some(l)
}

/// Draws the ladder of `conn` (or a hint when none is selected) in `area`.
pub fn render(
    f: &mut Frame,
    area: Rect,
    app: &App,
    conn: Option<&Connection>,
    rows: &[Row],
    newest_progress: f32,
    detail: &Detail,
) {
    let theme = &app.theme;
    let focused = app.focus == Focus::Ladder;
    let title = conn.map_or(" Ladder ".to_string(), |c| title(c, theme));
    let block = theme.pane(title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(c) = conn else {
        f.render_widget(
            Paragraph::new(Line::styled(
                "No connection selected: the ladder of the one selected in the list shows here.",
                theme.dim(),
            )),
            inner,
        );
        return;
    };
    let n_detail = detail_count(inner.height, detail.findings.len());
    let height = body_height(inner.height, c, detail.findings);
    let mut out = detail_lines(c, detail.findings, n_detail, inner.width, theme);
    out.extend(lines(
        c,
        rows,
        app.ladder_top,
        height,
        app.ladder_cursor,
        inner.width,
        app,
        newest_progress,
    ));
    // The countdown goes right under the last row shown.
    if let Some(l) = countdown_line(c, detail, inner.width, app) {
        out.push(l);
    }
    f.render_widget(Paragraph::new(out), inner);
}
