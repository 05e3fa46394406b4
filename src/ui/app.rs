//! What the screen shows and where the user is: selection, sort, filter, scroll, overlay,
//! language. Keys and mouse change it (and may ask the replay for something); nothing here
//! does I/O, so it is tested without a terminal.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::filter::Filter;
use super::findings_cache::{PKey, PRow};
use super::ladder::{self, Row};
use super::list::{self, ListCache, SortKey};
use super::narrate::Lang;
use super::render::{self, Layout};
use super::replay::{Command, Replay};
use super::theme::Theme;
use crate::diagnose::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    List,
    Ladder,
}

/// What the middle of the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The connection list and the selected connection's ladder.
    #[default]
    Connections,
    /// Every finding, grouped by kind and endpoint, worst first (`p`).
    Problems,
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

/// What the event loop should do after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    None,
    Quit,
    Suspend,
    Redraw,
    Replay(Command),
}

#[derive(Debug, Clone)]
pub struct App {
    pub theme: Theme,
    pub focus: Focus,
    /// The selected connection (by id, so sorting does not move the selection).
    pub selected: Option<u64>,
    /// Selection follows the newest connection.
    pub follow: bool,
    /// The ladder's cursor stays on the newest row.
    pub ladder_follow: bool,
    pub sort: SortKey,
    pub sort_desc: bool,
    /// The filter as typed, and parsed.
    pub filter_text: String,
    pub filter: Filter,
    /// The filter line is being edited (after `/`).
    pub editing: bool,
    pub list_top: usize,
    /// Ladder cursor and first visible row (indices into the ladder's rows).
    pub ladder_cursor: usize,
    pub ladder_top: usize,
    /// Data runs unfolded, by (connection, first event); `expand_all` inverts it.
    pub expanded: HashSet<(u64, usize)>,
    pub expand_all: bool,
    pub help: bool,
    pub help_top: usize,
    pub lang: Lang,
    /// How far the newest arrow of the selected connection has grown (1.0: drawn whole).
    pub anim: f32,
    pub view: View,
    /// The problems view's cursor (an index into the diagnosis rows), what it stands on (so it
    /// stays there when rows move) and its first visible row.
    pub problem_cursor: usize,
    pub problem_key: Option<PKey>,
    pub problem_top: usize,
    /// Segments marked on the ladder (after Enter in the problems view).
    pub evidence: Option<Evidence>,
    prev_selected: Option<u64>,
    /// The list as last filtered and sorted (see [`ListCache`]; unused in the default view).
    pub(super) list_cache: ListCache,
    /// Where each pane is on the screen, computed once per frame by [`App::sync`]: drawn
    /// there, and what keys (page sizes) and clicks are measured against.
    pub layout: Layout,
}

impl App {
    pub fn new(theme: Theme) -> App {
        App {
            theme,
            focus: Focus::List,
            selected: None,
            follow: true,
            ladder_follow: true,
            sort: SortKey::Id,
            sort_desc: false,
            filter_text: String::new(),
            filter: Filter::default(),
            editing: false,
            list_top: 0,
            ladder_cursor: 0,
            ladder_top: 0,
            expanded: HashSet::new(),
            expand_all: false,
            help: false,
            help_top: 0,
            lang: Lang::En,
            anim: 1.0,
            view: View::Connections,
            problem_cursor: 0,
            problem_key: None,
            problem_top: 0,
            evidence: None,
            prev_selected: None,
            list_cache: ListCache::default(),
            layout: Layout::default(),
        }
    }

    /// Brings the view in line with the replay's state for a screen of `area`: resolves the
    /// selection (follow mode, filtered-out or retired connections) and keeps the list's
    /// selection and the ladder's cursor in view; computes the frame's layout. Called before
    /// every draw.
    pub fn sync(&mut self, replay: &Replay, area: Rect) {
        let mut cache = std::mem::take(&mut self.list_cache);
        cache.update(replay, self, std::time::Instant::now());
        self.list_cache = cache;
        self.layout = render::layout(area, self, replay);
        let lay = self.layout;
        let (selected, pos, len) = {
            let rows = list::rows(replay, self);
            let selected = if self.follow {
                rows.max_id()
            } else if self.selected.is_some_and(|id| rows.contains(id)) {
                self.selected
            } else {
                rows.id_at(0)
            };
            let pos = selected.and_then(|id| rows.position(id)).unwrap_or(0);
            (selected, pos, rows.len())
        };
        self.selected = selected;
        if self.selected != self.prev_selected {
            self.prev_selected = self.selected;
            self.ladder_follow = true;
        }
        // List scroll.
        let body = lay.list.height.saturating_sub(2) as usize;
        self.list_top = scroll_to(self.list_top, pos, body, len);
        // Ladder cursor and scroll.
        let conn = self.selected.and_then(|id| replay.connection(id));
        let n = conn.map_or(0, |c| ladder::rows_for(c, self).len());
        let h = conn.map_or(0, |c| {
            ladder::body_height(
                lay.ladder.height.saturating_sub(1),
                c,
                &replay.findings_of(c),
            )
        });
        if self.ladder_follow {
            self.ladder_cursor = n.saturating_sub(1);
        }
        self.ladder_cursor = self.ladder_cursor.min(n.saturating_sub(1));
        self.ladder_top = scroll_to(self.ladder_top, self.ladder_cursor, h, n);
        let help_len = super::help::lines(self).len();
        self.help_top = self.help_top.min(help_len.saturating_sub(1));
        if self.view == View::Problems {
            self.sync_problems(replay, lay.problems.height.saturating_sub(1) as usize);
        }
    }

    /// Keeps the problems view's cursor on what it stood on (rows move as findings change),
    /// on a row it can stand on, and in view (`h` rows).
    fn sync_problems(&mut self, replay: &Replay, h: usize) {
        let rows = &replay.findings.rows;
        if rows.is_empty() {
            self.problem_cursor = 0;
            self.problem_top = 0;
            return;
        }
        let first = rows.iter().position(PRow::selectable).unwrap_or(0);
        match self.problem_key {
            // Until the user chooses, the cursor stays on the worst.
            None => self.problem_cursor = first,
            Some(key) => {
                if replay
                    .findings
                    .key(&rows[self.problem_cursor.min(rows.len() - 1)])
                    != Some(key)
                {
                    if let Some(p) = rows
                        .iter()
                        .position(|r| replay.findings.key(r) == Some(key))
                    {
                        self.problem_cursor = p;
                    }
                }
            }
        }
        let mut c = self.problem_cursor.min(rows.len() - 1);
        if !rows[c].selectable() {
            c = (c..rows.len())
                .chain((0..c).rev())
                .find(|i| rows[*i].selectable())
                .unwrap_or(0);
        }
        self.problem_cursor = c;
        // The first choice shows the headers above it.
        let pos = if c == first { 0 } else { c };
        self.problem_top = scroll_to(self.problem_top, pos, h, rows.len());
        if pos == 0 {
            self.problem_top = 0;
        }
        if c >= self.problem_top + h {
            self.problem_top = scroll_to(self.problem_top, c, h, rows.len());
        }
    }

    /// Moves the problems view's cursor `delta` choices (headers are skipped).
    fn move_problems(&mut self, replay: &Replay, delta: isize) {
        let rows = &replay.findings.rows;
        let choices: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].selectable()).collect();
        if choices.is_empty() {
            return;
        }
        let pos = choices
            .iter()
            .position(|i| *i >= self.problem_cursor)
            .unwrap_or(choices.len() - 1);
        let new = (pos as isize + delta).clamp(0, choices.len() as isize - 1) as usize;
        self.problem_cursor = choices[new];
        self.problem_key = replay.findings.key(&rows[self.problem_cursor]);
    }

    /// Opens the problems view; on the selected connection's first finding if the user chose
    /// that connection (not in follow mode) and it has one.
    fn open_problems(&mut self, replay: &Replay) {
        self.view = View::Problems;
        let Some(id) = self.selected.filter(|_| !self.follow) else {
            return;
        };
        if let Some(p) = replay
            .findings
            .rows
            .iter()
            .position(|r| matches!(r, PRow::Finding { conn, .. } if *conn == id))
        {
            self.problem_cursor = p;
            self.problem_key = replay.findings.key(&replay.findings.rows[p]);
        }
    }

    /// Enter in the problems view: the connection's ladder, its evidence marked and the
    /// cursor on the first segment of it.
    fn jump(&mut self, replay: &Replay) {
        let diag = &replay.findings;
        let (id, kind, frames) = match diag.rows.get(self.problem_cursor) {
            Some(PRow::Finding { conn, idx }) => match diag.finding(*conn, *idx) {
                Some(f) => (*conn, f.kind, f.frames.clone()),
                None => return,
            },
            Some(PRow::Group(i)) => {
                let Some(g) = diag.groups.get(*i) else { return };
                let Some(&id) = g.conns.first() else { return };
                let frames = diag
                    .findings(id)
                    .iter()
                    .find(|f| f.kind == g.kind)
                    .map(|f| f.frames.clone())
                    .unwrap_or_default();
                (id, g.kind, frames)
            }
            _ => return,
        };
        let Some(c) = replay.connection(id) else {
            return;
        };
        if !self.filter.matches(c) {
            self.set_filter(String::new());
        }
        self.view = View::Connections;
        self.focus = Focus::Ladder;
        self.follow = false;
        self.selected = Some(id);
        self.prev_selected = Some(id);
        self.evidence = Some(Evidence {
            conn: id,
            kind,
            frames: frames.clone(),
        });
        // Unfold the run holding the first piece of evidence, then stand on it.
        let rows = ladder::rows_for(c, self);
        let holds = |i: usize| frames.contains(&c.events[i].frame);
        if let Some(Row::Fold { start, .. }) = rows
            .iter()
            .find(|r| matches!(r, Row::Fold { start, len } if (*start..start + len).any(holds)))
        {
            self.expanded.insert((id, *start));
        }
        let rows = ladder::rows_for(c, self);
        // Or the row standing for it, when the event cap left it out.
        let dropped = frames.first().and_then(|f| c.dropped_run_holding(*f));
        match rows.iter().position(|r| match r {
            Row::Event { idx, .. } => holds(*idx),
            Row::Dropped { at } => Some(*at) == dropped,
            _ => false,
        }) {
            Some(p) => {
                self.ladder_cursor = p;
                self.ladder_follow = false;
            }
            None => self.ladder_follow = true,
        }
    }

    fn set_filter(&mut self, text: String) {
        self.filter = Filter::parse(&text);
        self.filter_text = text;
    }

    fn move_list(&mut self, replay: &Replay, delta: isize) {
        let rows = list::rows(replay, self);
        if rows.is_empty() {
            return;
        }
        let pos = self.selected.and_then(|id| rows.position(id)).unwrap_or(0);
        let new = (pos as isize + delta).clamp(0, rows.len() as isize - 1) as usize;
        let id = rows.id_at(new);
        self.follow = false;
        self.selected = id;
    }

    fn ladder_rows(&self, replay: &Replay) -> Vec<Row> {
        self.selected
            .and_then(|id| replay.connection(id))
            .map(|c| ladder::rows_for(c, self))
            .unwrap_or_default()
    }

    fn move_ladder(&mut self, replay: &Replay, delta: isize) {
        let n = self.ladder_rows(replay).len();
        if n == 0 {
            return;
        }
        let new = (self.ladder_cursor as isize + delta).clamp(0, n as isize - 1) as usize;
        self.ladder_cursor = new;
        // Back at the bottom: follow the newest arrow again.
        self.ladder_follow = new + 1 == n;
    }

    fn move_focused(&mut self, replay: &Replay, delta: isize) {
        match self.focus {
            Focus::List => self.move_list(replay, delta),
            Focus::Ladder => self.move_ladder(replay, delta),
        }
    }

    /// Folds or unfolds the data run under the ladder's cursor.
    fn toggle_fold(&mut self, replay: &Replay) {
        let Some(id) = self.selected else { return };
        let rows = self.ladder_rows(replay);
        let start = match rows.get(self.ladder_cursor) {
            Some(Row::Fold { start, .. }) => *start,
            Some(Row::Event { run: Some(s), .. }) => *s,
            _ => return,
        };
        if !self.expanded.insert((id, start)) {
            self.expanded.remove(&(id, start));
        }
        // Keep the cursor on the run's first row.
        let rows = self.ladder_rows(replay);
        if let Some(p) = rows.iter().position(|r| {
            matches!(r, Row::Fold { start: s, .. } if *s == start)
                || matches!(r, Row::Event { idx, .. } if *idx == start)
        }) {
            self.ladder_cursor = p;
            self.ladder_follow = false;
        }
    }

    /// Handles one key (page sizes from the layout of the last [`App::sync`]).
    pub fn handle_key(&mut self, key: KeyEvent, replay: &Replay) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl {
            match key.code {
                KeyCode::Char('c') => return Action::Quit,
                KeyCode::Char('z') => return Action::Suspend,
                KeyCode::Char('l') => return Action::Redraw,
                KeyCode::Char('u') if self.editing => {
                    self.set_filter(String::new());
                    return Action::None;
                }
                _ => return Action::None,
            }
        }
        let lay = self.layout;
        if self.help {
            let page = lay.ladder.height.max(4) as usize;
            match key.code {
                KeyCode::Up | KeyCode::Char('k') => self.help_top = self.help_top.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => self.help_top += 1,
                KeyCode::PageUp => self.help_top = self.help_top.saturating_sub(page),
                KeyCode::PageDown => self.help_top += page,
                KeyCode::Char('q') => return Action::Quit,
                _ => self.help = false,
            }
            return Action::None;
        }
        if self.editing {
            match key.code {
                KeyCode::Enter => self.editing = false,
                KeyCode::Esc => {
                    self.editing = false;
                    self.set_filter(String::new());
                }
                KeyCode::Backspace => {
                    let mut t = self.filter_text.clone();
                    t.pop();
                    self.set_filter(t);
                }
                KeyCode::Char(c) => {
                    let mut t = self.filter_text.clone();
                    t.push(c);
                    self.set_filter(t);
                }
                KeyCode::Up => self.move_list(replay, -1),
                KeyCode::Down => self.move_list(replay, 1),
                _ => {}
            }
            return Action::None;
        }
        let page = |h: u16| (h.saturating_sub(3).max(1)) as isize;
        let pane_page = match self.focus {
            Focus::List => page(lay.list.height),
            Focus::Ladder => page(lay.ladder.height),
        };
        if self.view == View::Problems && !works_everywhere(key.code) {
            let page = page(lay.problems.height);
            match key.code {
                KeyCode::Esc | KeyCode::Char('p') => self.view = View::Connections,
                KeyCode::Up | KeyCode::Char('k') => self.move_problems(replay, -1),
                KeyCode::Down | KeyCode::Char('j') => self.move_problems(replay, 1),
                KeyCode::PageUp => self.move_problems(replay, -page),
                KeyCode::PageDown => self.move_problems(replay, page),
                KeyCode::Enter => self.jump(replay),
                KeyCode::Char('/') => {
                    self.view = View::Connections;
                    self.editing = true;
                }
                // The list's and the ladder's own keys do nothing here.
                _ => {}
            }
            return Action::None;
        }
        match key.code {
            KeyCode::Char('q') => return Action::Quit,
            KeyCode::Esc => {
                if !self.filter_text.is_empty() {
                    self.set_filter(String::new());
                } else if self.focus == Focus::Ladder {
                    self.focus = Focus::List;
                } else {
                    return Action::Quit;
                }
            }
            KeyCode::Char('?') => {
                self.help = true;
                self.help_top = 0;
            }
            KeyCode::Char(' ') => return Action::Replay(Command::TogglePause),
            KeyCode::Right => return Action::Replay(Command::StepForward),
            KeyCode::Left => return Action::Replay(Command::StepBack),
            KeyCode::Char('+') | KeyCode::Char('=') => return Action::Replay(Command::Faster),
            KeyCode::Char('-') | KeyCode::Char('_') => return Action::Replay(Command::Slower),
            KeyCode::Home => return Action::Replay(Command::JumpStart),
            KeyCode::End => return Action::Replay(Command::JumpEnd),
            KeyCode::Char('r') => return Action::Replay(Command::Restart),
            KeyCode::Char('g') => return Action::Replay(Command::SkipGap),
            KeyCode::Tab | KeyCode::BackTab => {
                self.focus = match self.focus {
                    Focus::List => Focus::Ladder,
                    Focus::Ladder => Focus::List,
                }
            }
            KeyCode::Up | KeyCode::Char('k') => self.move_focused(replay, -1),
            KeyCode::Down | KeyCode::Char('j') => self.move_focused(replay, 1),
            KeyCode::PageUp => self.move_focused(replay, -pane_page),
            KeyCode::PageDown => self.move_focused(replay, pane_page),
            KeyCode::Enter => match self.focus {
                Focus::List => self.focus = Focus::Ladder,
                Focus::Ladder => self.toggle_fold(replay),
            },
            KeyCode::Char('e') => {
                self.expand_all = !self.expand_all;
                self.expanded.clear();
            }
            KeyCode::Char('f') => {
                self.follow = !self.follow;
                self.ladder_follow = self.follow;
            }
            KeyCode::Char('s') => {
                self.sort = self.sort.next();
                self.follow = false;
            }
            KeyCode::Char('S') => {
                self.sort_desc = !self.sort_desc;
                self.follow = false;
            }
            KeyCode::Char('/') => {
                self.editing = true;
            }
            KeyCode::Char('l') => self.lang = self.lang.toggle(),
            KeyCode::Char('p') => self.open_problems(replay),
            _ => {}
        }
        Action::None
    }

    /// Handles a mouse event on the screen as last laid out by [`App::sync`].
    pub fn handle_mouse(&mut self, m: MouseEvent, replay: &Replay) -> Action {
        if self.help {
            if let MouseEventKind::Down(_) = m.kind {
                self.help = false;
            }
            return Action::None;
        }
        let lay = self.layout;
        let inside = |r: Rect| {
            m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
        };
        if self.view == View::Problems {
            match m.kind {
                MouseEventKind::ScrollUp => self.move_problems(replay, -3),
                MouseEventKind::ScrollDown => self.move_problems(replay, 3),
                MouseEventKind::Down(_) if inside(lay.problems) && m.row > lay.problems.y => {
                    let i = self.problem_top + (m.row - lay.problems.y - 1) as usize;
                    if replay.findings.rows.get(i).is_some_and(PRow::selectable) {
                        self.problem_cursor = i;
                        self.problem_key = replay.findings.key(&replay.findings.rows[i]);
                    }
                }
                _ => {}
            }
            return Action::None;
        }
        let in_list = inside(lay.list);
        let in_ladder = inside(lay.ladder);
        match m.kind {
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let d = if m.kind == MouseEventKind::ScrollUp {
                    -3
                } else {
                    3
                };
                if in_list {
                    self.move_list(replay, d);
                } else if in_ladder {
                    self.move_ladder(replay, d);
                }
            }
            MouseEventKind::Down(_) => {
                if in_list {
                    self.focus = Focus::List;
                    let y = m.row - lay.list.y;
                    if y == 1 {
                        let max_id = list::rows(replay, self).max_id().unwrap_or(1);
                        let cols = list::columns(lay.list.width, max_id);
                        if let Some(k) = list::column_at(&cols, m.column - lay.list.x) {
                            if k == self.sort {
                                self.sort_desc = !self.sort_desc;
                            } else {
                                self.sort = k;
                                self.sort_desc = false;
                            }
                            self.follow = false;
                        }
                    } else if y >= 2 {
                        let row = list::rows(replay, self).id_at(self.list_top + (y - 2) as usize);
                        if let Some(id) = row {
                            self.selected = Some(id);
                            self.follow = false;
                        }
                    }
                } else if in_ladder {
                    self.focus = Focus::Ladder;
                    let y = m.row - lay.ladder.y;
                    if y >= 2 {
                        let n = self.ladder_rows(replay).len();
                        let i = self.ladder_top + (y - 2) as usize;
                        if i < n {
                            self.ladder_cursor = i;
                            self.ladder_follow = i + 1 == n;
                        }
                    }
                }
            }
            _ => {}
        }
        Action::None
    }
}

/// Replay, help, language and quit keys: the same in every view.
fn works_everywhere(code: KeyCode) -> bool {
    matches!(
        code,
        KeyCode::Char('?' | 'q' | ' ' | '+' | '=' | '-' | '_' | 'r' | 'g' | 'l')
            | KeyCode::Right
            | KeyCode::Left
            | KeyCode::Home
            | KeyCode::End
    )
}

/// The first visible row so that `pos` is in a window of `h` rows over `n`, moving as little
/// as possible from `top`.
fn scroll_to(top: usize, pos: usize, h: usize, n: usize) -> usize {
    if h == 0 {
        return 0;
    }
    let mut t = top;
    if pos < t {
        t = pos;
    } else if pos >= t + h {
        t = pos + 1 - h;
    }
    t.min(n.saturating_sub(h))
}

#[cfg(test)]
mod tests {
    use super::scroll_to;

    #[test]
    fn scrolling_moves_as_little_as_needed() {
        assert_eq!(scroll_to(0, 3, 5, 20), 0);
        assert_eq!(scroll_to(0, 7, 5, 20), 3);
        assert_eq!(scroll_to(10, 4, 5, 20), 4);
        assert_eq!(scroll_to(18, 19, 5, 20), 15);
        assert_eq!(scroll_to(3, 0, 0, 20), 0);
    }
}
