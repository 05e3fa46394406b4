//! What the screen shows and where the user is: selection, sort, filter, scroll, overlay,
//! language. Keys and mouse change it (and may ask the replay for something); nothing here
//! does I/O, so it is tested without a terminal.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::filter::Filter;
use super::ladder::{self, Row};
use super::list::{self, SortKey};
use super::narrate::Lang;
use super::render;
use super::replay::{Command, Replay};
use super::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    List,
    Ladder,
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
    prev_selected: Option<u64>,
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
            prev_selected: None,
        }
    }

    /// Brings the view in line with the replay's state for a screen of `area`: resolves the
    /// selection (follow mode, filtered-out or retired connections) and keeps the list's
    /// selection and the ladder's cursor in view. Called before every draw.
    pub fn sync(&mut self, replay: &Replay, area: Rect) {
        let lay = render::layout(area, self, replay);
        let rows = list::rows(replay, self);
        if self.follow {
            self.selected = rows.iter().map(|c| c.id).max();
        } else if !self
            .selected
            .is_some_and(|id| rows.iter().any(|c| c.id == id))
        {
            self.selected = rows.first().map(|c| c.id);
        }
        if self.selected != self.prev_selected {
            self.prev_selected = self.selected;
            self.ladder_follow = true;
        }
        // List scroll.
        let body = lay.list.height.saturating_sub(2) as usize;
        let pos = self
            .selected
            .and_then(|id| rows.iter().position(|c| c.id == id))
            .unwrap_or(0);
        self.list_top = scroll_to(self.list_top, pos, body, rows.len());
        // Ladder cursor and scroll.
        let n = self
            .selected
            .and_then(|id| replay.connection(id))
            .map_or(0, |c| ladder::rows_for(c, self).len());
        let h = lay.ladder.height.saturating_sub(2) as usize;
        if self.ladder_follow {
            self.ladder_cursor = n.saturating_sub(1);
        }
        self.ladder_cursor = self.ladder_cursor.min(n.saturating_sub(1));
        self.ladder_top = scroll_to(self.ladder_top, self.ladder_cursor, h, n);
        let help_len = super::help::lines(self).len();
        self.help_top = self.help_top.min(help_len.saturating_sub(1));
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
        let pos = self
            .selected
            .and_then(|id| rows.iter().position(|c| c.id == id))
            .unwrap_or(0);
        let new = (pos as isize + delta).clamp(0, rows.len() as isize - 1) as usize;
        self.follow = false;
        self.selected = Some(rows[new].id);
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

    /// Handles one key; `area` is the screen (for page sizes).
    pub fn handle_key(&mut self, key: KeyEvent, replay: &Replay, area: Rect) -> Action {
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
        let lay = render::layout(area, self, replay);
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
            _ => {}
        }
        Action::None
    }

    /// Handles a mouse event on a screen of `area`.
    pub fn handle_mouse(&mut self, m: MouseEvent, replay: &Replay, area: Rect) -> Action {
        if self.help {
            if let MouseEventKind::Down(_) = m.kind {
                self.help = false;
            }
            return Action::None;
        }
        let lay = render::layout(area, self, replay);
        let inside = |r: Rect| {
            m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
        };
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
                        let rows = list::rows(replay, self);
                        let max_id = rows.iter().map(|c| c.id).max().unwrap_or(1);
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
                        let rows = list::rows(replay, self);
                        if let Some(c) = rows.get(self.list_top + (y - 2) as usize) {
                            self.selected = Some(c.id);
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
