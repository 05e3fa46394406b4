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
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};

use super::app::{App, Focus};
use super::detail::{body_height, countdown_line, detail_count, detail_lines, Detail};
use super::pane::{page, scroll_to, step, Handled};
use super::text::{fit_left, fit_right, text_width, truncate};
use super::theme::{Glyphs, Theme};
use crate::diagnose::Kind;
use crate::output::state_label::{is_assumed, label, ServerProof};
use crate::output::text::{first_fin, segment_label};
use crate::output::{thousands, OutputOptions};
use crate::teach::calls::{self, Call};
use crate::track::{Connection, Dir, Event, EventKind, Marks, Side, State};

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
    /// A socket call `side`'s application made, before `events[before]` (`c` shows them).
    Call {
        before: usize,
        side: Side,
        call: Call,
    },
}

impl Row {
    /// The event a row tells about: its own, the newest of a fold, or the one a socket
    /// call is made for (a call's result after its event, a call that sends before it).
    pub fn event(&self, c: &Connection) -> Option<usize> {
        let last = c.events.len().checked_sub(1);
        match *self {
            Row::Event { idx, .. } => Some(idx),
            Row::Fold { start, len } => Some(start + len - 1),
            Row::Call { before, call, .. } if call.sends() => {
                Some(before).filter(|b| *b < c.events.len()).or(last)
            }
            Row::Call { before, .. } => before.checked_sub(1),
            Row::Initial | Row::Dropped { .. } => None,
        }
    }
}

/// The rows of `c`'s ladder, with the runs `expanded(start, len)` says are open, and the
/// socket calls when `with_calls`. Data after the first FIN is never folded (a half-close's
/// point is that data still flows), as in `--text`.
pub fn rows(c: &Connection, expanded: impl Fn(usize, usize) -> bool, with_calls: bool) -> Vec<Row> {
    let mut out = Vec::with_capacity(c.events.len() + 2);
    out.push(Row::Initial);
    let ev = &c.events;
    let calls = if with_calls {
        calls::calls(c)
    } else {
        Vec::new()
    };
    let fold_before = first_fin(c);
    let mut i = 0;
    loop {
        out.extend(calls.iter().filter(|k| k.before == i).map(|k| Row::Call {
            before: k.before,
            side: k.side,
            call: k.call,
        }));
        if c.dropped.at(i).is_some() {
            out.push(Row::Dropped { at: i });
        }
        if i >= ev.len() {
            break;
        }
        // A fold stops where segments were left out: they are shown where they fell.
        let limit = c.dropped.next_after(i).unwrap_or(ev.len());
        // (A segment with an app label is never folded: it says what the data is.)
        let run = ev[i..limit]
            .iter()
            .take_while(|e| !e.is_notable() && c.label_of(e.frame).is_none())
            .count();
        if run >= FOLD_MIN && i < fold_before {
            if expanded(i, run) {
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
    app.ladder.rows(c)
}

/// The segments that prove a finding, marked on its connection's ladder after a jump from
/// the problems view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub conn: u64,
    pub kind: Kind,
    pub frames: Vec<u64>,
}

impl Evidence {
    /// The evidence marked on connection `id`'s ladder, if any: frame numbers and kind.
    pub fn on(ev: &Option<Evidence>, id: u64) -> Option<&Evidence> {
        ev.as_ref().filter(|e| e.conn == id)
    }
}

/// The ladder pane's state: its cursor and first visible row (indices into the rows), whether
/// the cursor follows the newest row, which data runs are unfolded, and the evidence marked.
#[derive(Debug, Clone)]
pub struct LadderPane {
    pub cursor: usize,
    pub top: usize,
    /// The cursor stays on the newest row.
    pub follow: bool,
    /// Data runs unfolded, by (connection, first event); `expand_all` inverts it.
    pub expanded: HashSet<(u64, usize)>,
    pub expand_all: bool,
    /// Segments marked on the ladder (after Enter in the problems view).
    pub evidence: Option<Evidence>,
    /// The socket calls are drawn (`c`).
    pub calls: bool,
}

impl Default for LadderPane {
    fn default() -> Self {
        LadderPane {
            cursor: 0,
            top: 0,
            follow: true,
            expanded: HashSet::new(),
            expand_all: false,
            evidence: None,
            calls: false,
        }
    }
}

impl LadderPane {
    /// The rows of `c`'s ladder as this pane folds them.
    pub fn rows(&self, c: &Connection) -> Vec<Row> {
        // Following, the run the newest segment is in stays open: the cursor is on it and
        // the narration tells of it, so it must be on screen.
        let newest = if self.follow {
            c.events.len().checked_sub(1)
        } else {
            None
        };
        rows(
            c,
            |start, len| {
                newest.is_some_and(|n| (start..start + len).contains(&n))
                    || self.expand_all != self.expanded.contains(&(c.id, start))
            },
            self.calls,
        )
    }

    /// Keeps the cursor on the newest row when following, in range, and in view (`h` rows).
    pub fn sync(&mut self, c: Option<&Connection>, h: usize) {
        let n = c.map_or(0, |c| self.rows(c).len());
        if self.follow {
            self.cursor = n.saturating_sub(1);
        }
        self.cursor = self.cursor.min(n.saturating_sub(1));
        self.top = scroll_to(self.top, self.cursor, h, n);
    }

    fn step(&mut self, c: Option<&Connection>, delta: isize) {
        let n = c.map_or(0, |c| self.rows(c).len());
        if n == 0 {
            return;
        }
        // Leaving follow mode must not fold the run held open for it under the cursor.
        if let Some(c) = c.filter(|_| self.follow) {
            self.keep_open(c);
        }
        self.cursor = step(self.cursor, delta, n);
        // Back at the bottom: follow the newest arrow again.
        self.follow = self.cursor + 1 == n;
    }

    /// Makes the run holding the newest segment open by choice, as following kept it.
    fn keep_open(&mut self, c: &Connection) {
        let Some(newest) = c.events.len().checked_sub(1) else {
            return;
        };
        let held = self.rows(c).into_iter().find_map(|r| match r {
            Row::Event { idx, run: Some(s) } if idx == newest => Some(s),
            _ => None,
        });
        if let Some(start) = held {
            if self.expand_all {
                self.expanded.remove(&(c.id, start));
            } else {
                self.expanded.insert((c.id, start));
            }
        }
    }

    /// Folds or unfolds the data run under the cursor.
    fn toggle_fold(&mut self, c: Option<&Connection>) {
        let Some(c) = c else { return };
        let start = match self.rows(c).get(self.cursor) {
            Some(Row::Fold { start, .. }) => *start,
            Some(Row::Event { run: Some(s), .. }) => *s,
            _ => return,
        };
        if !self.expanded.insert((c.id, start)) {
            self.expanded.remove(&(c.id, start));
        }
        // Keep the cursor on the run's first row.
        if let Some(p) = self.rows(c).iter().position(|r| {
            matches!(r, Row::Fold { start: s, .. } if *s == start)
                || matches!(r, Row::Event { idx, .. } if *idx == start)
        }) {
            self.cursor = p;
            self.follow = false;
        }
    }

    /// Marks `ev` on `c`'s ladder, unfolds the run holding its first segment and stands the
    /// cursor on it (or on the row standing for it, when the event cap left it out).
    pub fn show_evidence(&mut self, c: &Connection, ev: Evidence) {
        let holds = |i: usize| ev.frames.contains(&c.events[i].frame);
        if let Some(Row::Fold { start, .. }) = self
            .rows(c)
            .iter()
            .find(|r| matches!(r, Row::Fold { start, len } if (*start..start + len).any(holds)))
        {
            self.expanded.insert((c.id, *start));
        }
        let dropped = ev.frames.first().and_then(|f| c.dropped_run_holding(*f));
        match self.rows(c).iter().position(|r| match r {
            Row::Event { idx, .. } => holds(*idx),
            Row::Dropped { at } => Some(*at) == dropped,
            _ => false,
        }) {
            Some(p) => {
                self.cursor = p;
                self.follow = false;
            }
            None => self.follow = true,
        }
        self.evidence = Some(ev);
    }

    /// A key for the focused ladder of `c`, a pane `h` rows high.
    pub fn on_key(&mut self, key: KeyEvent, c: Option<&Connection>, h: u16) -> Handled {
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.step(c, -1),
            KeyCode::Down | KeyCode::Char('j') => self.step(c, 1),
            KeyCode::PageUp => self.step(c, -page(h)),
            KeyCode::PageDown => self.step(c, page(h)),
            KeyCode::Enter => self.toggle_fold(c),
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    /// The wheel over the ladder moves the cursor; a click stands it on a row (`area`: the
    /// pane).
    pub fn on_mouse(&mut self, m: MouseEvent, c: Option<&Connection>, area: Rect) -> Handled {
        match m.kind {
            MouseEventKind::ScrollUp => self.step(c, -3),
            MouseEventKind::ScrollDown => self.step(c, 3),
            MouseEventKind::Down(_) => {
                let y = m.row - area.y;
                let n = c.map_or(0, |c| self.rows(c).len());
                let i = self.top + y.saturating_sub(2) as usize;
                if y >= 2 && i < n {
                    self.cursor = i;
                    self.follow = i + 1 == n;
                }
            }
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }
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
        // The arrow grows with the screen (a projector's 200 columns put the lifelines 131
        // apart), keeping 30 columns for the marks once it is past 64.
        let free = w.saturating_sub(fixed);
        let arrow = if free > 64 + 30 {
            free - 30
        } else {
            free.clamp(12, 64)
        };
        let tail = w.saturating_sub(fixed + arrow);
        Geometry {
            time,
            state,
            arrow,
            tail: if tail >= 14 { tail } else { 0 },
        }
    }
}

pub(super) fn time_text(secs: f64) -> String {
    if secs < 100.0 {
        format!("{secs:.6}")
    } else if secs < 100_000.0 {
        format!("{secs:.3}")
    } else {
        format!("{secs:.0}")
    }
}

/// Short forms of the long mark names, for inside an arrow's label on narrow screens; the
/// others keep the names the filter and JSON use (`dup_ack` at every width).
fn short_mark(name: &str) -> &str {
    match name {
        "retransmission" => "retrans",
        "zero_window" => "zero_win",
        "prev_missing" => "gap",
        other => other,
    }
}

fn marks_text(e: &Event, short: bool) -> String {
    if e.marks.is_empty() || e.kind == EventKind::TimeWaitExpired {
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

pub(super) fn centered(text: &str, width: usize, fill: char, ellipsis: char) -> String {
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
pub(super) struct Cells<'a> {
    pub(super) time: String,
    /// A state shown on the row, with its label (see [`state_label`]).
    pub(super) client: Option<(State, &'static str)>,
    pub(super) server: Option<(State, &'static str)>,
    pub(super) mid: String,
    pub(super) mid_style: Style,
    pub(super) tail: String,
    pub(super) tail_style: Style,
    pub(super) lifeline_states: [State; 2],
    pub(super) cursor: bool,
    pub(super) row_style: Style,
    pub(super) theme: &'a Theme,
    /// A socket call's row: `client` or `server` holds the call, not a state.
    pub(super) call: bool,
    /// The row's states are inferred, not seen.
    pub(super) inferred: bool,
}

pub(super) fn line<'a>(g: &Geometry, c: Cells<'_>) -> Line<'a> {
    let gl = c.theme.glyphs();
    let rs = c.row_style;
    let cursor = if c.cursor { gl.cursor } else { ' ' };
    let st = |s: Option<(State, &'static str)>, right: bool| -> Span<'a> {
        let text = s.map_or("", |s| s.1);
        let t = if right {
            fit_right(text, g.state, gl.ellipsis)
        } else {
            // The server's label may run into the marks' room when the row has no marks.
            let room = if c.tail.is_empty() && g.tail > 0 {
                g.state + 1 + g.tail
            } else {
                g.state
            };
            fit_left(text, g.state.max(text_width(text)).min(room), gl.ellipsis)
        };
        // An assumed state (LISTEN?) is drawn dim: it is not what the capture shows.
        let style = s.map_or(Style::new(), |(s, label)| {
            if c.call {
                c.theme.call()
            } else if c.inferred {
                c.theme
                    .state(s)
                    .add_modifier(Modifier::ITALIC | Modifier::DIM)
            } else if is_assumed(label) {
                c.theme.dim()
            } else {
                c.theme.state(s).patch(c.theme.newest())
            }
        });
        Span::styled(t, rs.patch(style))
    };
    // A client's call may be longer than a state: it takes the empty time column too.
    let (time, gap, client) = match c.client {
        Some((_, label)) if c.call => (
            Span::styled(
                fit_right(label, g.time + 1 + g.state, gl.ellipsis),
                rs.patch(c.theme.call()),
            ),
            Span::raw(""),
            Span::raw(""),
        ),
        _ => (
            Span::styled(fit_right(&c.time, g.time, gl.ellipsis), rs),
            Span::styled(" ", rs),
            st(c.client, true),
        ),
    };
    let mut spans = vec![
        Span::styled(cursor.to_string(), rs.patch(c.theme.key())),
        time,
        gap,
        client,
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
pub fn title(c: &Connection, theme: &Theme, lang: crate::i18n::Lang) -> String {
    use crate::track::{Handshake, Teardown};
    let g = theme.glyphs();
    let m = crate::i18n::messages(lang);
    let [handshake, teardown, mid_stream, reuses, tunnel] = m.ladder_title;
    let to = if theme.ascii { "->" } else { "→" };
    let hs = match c.handshake() {
        Handshake::Complete => m.handshake_names[0],
        Handshake::Partial => m.handshake_names[1],
        Handshake::None => m.handshake_names[2],
    };
    let td = match c.teardown() {
        Teardown::Fin => m.teardown_names[0],
        Teardown::Rst => m.teardown_names[1],
        Teardown::Half => m.teardown_names[2],
        Teardown::None => m.teardown_names[3],
    };
    let mut t = format!(
        " #{} {} {to} {}{}{handshake} {hs}{}{teardown} {td}",
        c.id,
        c.client().addr,
        c.server().addr,
        g.sep,
        g.sep,
    );
    if c.mid_stream {
        t.push_str(&format!("{}{mid_stream}", g.sep));
    }
    if let Some(prev) = c.reuses {
        t.push_str(&format!("{}{reuses} #{prev}", g.sep));
    }
    // What the payloads showed it carries (Zeek's service names, as `--text` writes them).
    if let Some(service) = c.service() {
        t.push_str(&format!("{}{service}", g.sep));
    }
    // The tunnels the connection came through, outermost first (as `--text` writes them).
    if let Some(encap) = c.tunnel() {
        let levels: Vec<String> = encap.tunnels().map(|t| t.to_string()).collect();
        t.push_str(&format!("{}{tunnel}{}", g.sep, levels.join(", in ")));
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
    let d = RowDraw {
        c,
        rows,
        g: Geometry::new(width),
        gl: theme.glyphs(),
        theme,
        last_idx: c.events.len().checked_sub(1),
        newest_progress,
        lang: app.lang,
        proof: ServerProof::of(c),
    };
    let focused = app.focus == Focus::Ladder;
    let evidence = Evidence::on(&app.ladder.evidence, c.id);
    let mut out = Vec::with_capacity(height + 1);
    out.push(d.header());
    for (i, row) in rows.iter().enumerate().skip(top).take(height) {
        let is_cursor = i == cursor;
        let row_style = if is_cursor && focused {
            theme.selected()
        } else {
            Style::new()
        };
        let cells = match *row {
            Row::Initial => d.initial(),
            Row::Event { idx, run } => d.event(idx, run),
            Row::Fold { start, len } => d.fold(start, len),
            Row::Dropped { at } => d.dropped(at),
            Row::Call { before, side, call } => d.call(before, side, call),
        };
        let mut l = line(
            &d.g,
            Cells {
                cursor: is_cursor,
                row_style,
                ..cells
            },
        );
        if let Some(ev) = evidence.filter(|ev| d.proves(*row, ev)) {
            d.mark(&mut l, ev, is_cursor, row_style);
        }
        out.push(l);
    }
    out
}

/// What drawing one connection's rows needs.
struct RowDraw<'x> {
    c: &'x Connection,
    rows: &'x [Row],
    g: Geometry,
    gl: &'x Glyphs,
    theme: &'x Theme,
    /// The newest event, and how far its arrow has grown.
    last_idx: Option<usize>,
    newest_progress: f32,
    lang: crate::i18n::Lang,
    /// What the segments prove of the server, for its labels on every row.
    proof: ServerProof,
}

impl<'x> RowDraw<'x> {
    /// `side`'s `state` on a row, with its label.
    fn shown(&self, side: Side, state: State) -> (State, &'static str) {
        let room = self.g.state + if self.g.tail > 0 { 1 + self.g.tail } else { 0 };
        (state, label(self.proof, side, state, room, self.lang))
    }

    /// Cells with nothing in them but the lifelines in `states` (the row's own fill them).
    fn blank(&self, states: [State; 2]) -> Cells<'x> {
        Cells {
            time: String::new(),
            client: None,
            server: None,
            mid: " ".repeat(self.g.arrow),
            mid_style: Style::new(),
            tail: String::new(),
            tail_style: Style::new(),
            lifeline_states: states,
            cursor: false,
            row_style: Style::new(),
            theme: self.theme,
            call: false,
            inferred: false,
        }
    }

    /// The column header, the end names where the states go.
    fn header<'a>(&self) -> Line<'a> {
        let (g, gl, theme) = (&self.g, self.gl, self.theme);
        let m = crate::i18n::messages(self.lang);
        let mut h = line(
            g,
            Cells {
                time: m.time.into(),
                row_style: theme.header(),
                ..self.blank(self.c.initial_states())
            },
        );
        h.spans[3] = Span::styled(fit_right(m.client, g.state, gl.ellipsis), theme.header());
        h.spans[9] = Span::styled(fit_left(m.server, g.state, gl.ellipsis), theme.header());
        h
    }

    /// Both ends' states before the first segment.
    fn initial(&self) -> Cells<'x> {
        let init = self.c.initial_states();
        Cells {
            client: Some(self.shown(Side::Client, init[0])),
            server: Some(self.shown(Side::Server, init[1])),
            ..self.blank(init)
        }
    }

    /// One event: its arrow (growing if it is the newest), its marks, the states it changed.
    fn event(&self, idx: usize, run: Option<usize>) -> Cells<'x> {
        let (c, g, gl, theme) = (self.c, &self.g, self.gl, self.theme);
        let e = &c.events[idx];
        let marks = marks_text(e, g.tail == 0);
        let growing = Some(idx) == self.last_idx && self.newest_progress < 1.0;
        let (mid, mid_style) = match e.kind {
            // A segment not captured is drawn where it would be, marked `inferred`.
            EventKind::Segment | EventKind::Missing => {
                let mut label = segment_label(c, e, &OutputOptions::default());
                // What the payload is, after what the segment is (cut first when narrow).
                if let Some(app) = c.label_of(e.frame) {
                    label.push_str(": ");
                    label.push_str(&app.text);
                }
                if g.tail == 0 && !marks.is_empty() {
                    label.push(' ');
                    label.push_str(&marks);
                }
                // Not captured: the dotted shaft of what is inferred, not a segment's.
                let line_ch = if e.kind == EventKind::Missing {
                    gl.dotted
                } else if e.flags.rst() {
                    gl.rst_line
                } else {
                    gl.line
                };
                let shown = if growing {
                    ((g.arrow as f32) * self.newest_progress).ceil() as usize
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
        if run == Some(idx) && g.tail > 0 {
            let n = self
                .rows
                .iter()
                .filter(|r| matches!(r, Row::Event { run: Some(s), .. } if *s == idx))
                .count();
            let note = format!("{} {n} expanded", gl.fold_open);
            tail = if tail.is_empty() {
                note
            } else {
                format!("{tail} {note}")
            };
        }
        let changed = |s: usize| e.states[s] != e.before[s];
        let newest_style = if growing {
            theme.newest()
        } else {
            Style::new()
        };
        Cells {
            time: time_text(e.ts.secs_since(c.first_seen)),
            client: changed(0).then(|| self.shown(Side::Client, e.states[0])),
            server: changed(1).then(|| self.shown(Side::Server, e.states[1])),
            mid,
            mid_style: mid_style.patch(newest_style),
            tail: truncate(&tail, g.tail, gl.ellipsis),
            tail_style: theme.warn(),
            // States the capture does not show but synack infers look different.
            inferred: e.kind != EventKind::Segment || e.marks.has(Marks::INFERRED),
            ..self.blank(e.states)
        }
    }

    /// A folded run of plain segments: how many, how much, how long, which way.
    fn fold(&self, start: usize, len: usize) -> Cells<'x> {
        let (g, gl) = (&self.g, self.gl);
        let seg = &self.c.events[start..start + len];
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
            time: time_text(seg[0].ts.secs_since(self.c.first_seen)),
            // Blank around the text, not `┄`: that is an inferred event's line.
            mid: centered(&text, g.arrow, ' ', gl.ellipsis),
            mid_style: self.theme.dim(),
            tail: truncate(&tail, g.tail, gl.ellipsis),
            tail_style: self.theme.dim(),
            ..self.blank(seg[len - 1].states)
        }
    }

    /// A socket call on its end's side, the lifelines as they stand between the events.
    fn call(&self, before: usize, side: Side, call: Call) -> Cells<'x> {
        let c = self.c;
        let states = c.events[..before.min(c.events.len())]
            .last()
            .map_or_else(|| c.initial_states(), |e| e.states);
        let cell = Some((states[side as usize], call.label()));
        let (client, server) = match side {
            Side::Client => (cell, None),
            Side::Server => (None, cell),
        };
        Cells {
            client,
            server,
            call: true,
            ..self.blank(states)
        }
    }

    /// Segments the event cap left out, where they fell.
    fn dropped(&self, at: usize) -> Cells<'x> {
        let (c, g, gl, theme) = (self.c, &self.g, self.gl, self.theme);
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
        // The states stand as the last event kept before the run left them.
        let states = c.events[..at.min(c.events.len())]
            .last()
            .map_or_else(|| c.initial_states(), |e| e.states);
        Cells {
            time: time_text(r.first.secs_since(c.first_seen)),
            mid: centered(&text, g.arrow, ' ', gl.ellipsis),
            mid_style: theme.dim(),
            tail: truncate(&tail, g.tail, gl.ellipsis),
            tail_style: theme.dim(),
            ..self.blank(states)
        }
    }

    /// Whether `row` holds a segment of the evidence (evidence the event cap left out is shown
    /// on the row standing for it).
    fn proves(&self, row: Row, ev: &Evidence) -> bool {
        let c = self.c;
        let holds = |i: usize| ev.frames.contains(&c.events[i].frame);
        match row {
            Row::Event { idx, .. } => holds(idx),
            Row::Fold { start, len } => (start..start + len).any(holds),
            Row::Dropped { at } => ev
                .frames
                .iter()
                .any(|f| c.dropped_run_holding(*f) == Some(at)),
            Row::Initial | Row::Call { .. } => false,
        }
    }

    /// Evidence: a `!` in the cursor's column (the cursor wins), the arrow highlighted and,
    /// where there is room, which finding it proves.
    fn mark(&self, l: &mut Line<'_>, ev: &Evidence, is_cursor: bool, row_style: Style) {
        let theme = self.theme;
        if !is_cursor {
            l.spans[0] = Span::styled("!", row_style.patch(theme.warn()));
        }
        l.spans[6].style = l.spans[6].style.patch(theme.evidence());
        if self.g.tail > 0 {
            let used: usize = l.spans[10..].iter().map(|s| s.width()).sum();
            let note = format!(" {} evidence: {}", self.gl.head_left, ev.kind.name());
            if used + text_width(&note) <= self.g.tail {
                l.spans
                    .push(Span::styled(note, row_style.patch(theme.warn())));
            }
        }
    }
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
    let words = crate::i18n::messages(app.lang);
    let title = conn.map_or(format!(" {} ", words.ladder), |c| title(c, theme, app.lang));
    let block = theme.pane(title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(c) = conn else {
        f.render_widget(
            Paragraph::new(Line::styled(words.no_selection, theme.dim())),
            inner,
        );
        return;
    };
    let n_detail = detail_count(inner.height, detail.findings.len());
    let height = body_height(inner.height, c, detail.findings)
        .saturating_sub(usize::from(detail.kernel.is_some()));
    let mut out = detail_lines(c, detail.findings, n_detail, inner.width, theme, app.lang);
    if let Some(k) = detail.kernel {
        out.push(super::kernel_view::ladder_line(c, k, app));
    }
    out.extend(lines(
        c,
        rows,
        app.ladder.top,
        height,
        app.ladder.cursor,
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
