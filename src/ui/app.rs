//! What the screen shows and where the user is: the view, the focus, the selection, the
//! language, and each pane's own state (see [`super::pane`]). Keys and mouse go to the pane
//! they are for, then to the app's own keys; they may ask the replay for something. Nothing
//! here does I/O, so it is tested without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::detail;
use super::filter::FilterLine;
use super::findings_cache::PRow;
use super::help::HelpPane;
use super::ladder::{Evidence, LadderPane};
use super::layers::{LayersPane, SegmentCtx};
use super::list::{self, ListPane};
use super::pane::{scroll_to, step, Effect, Handled};
use super::problems::ProblemsPane;
use super::render::{self, Layout};
use super::replay::{Command, Replay};
use super::theme::Theme;
use crate::export::Aliases;
use crate::i18n::Lang;
use crate::teach::lessons::Lesson;
use crate::track::Connection;

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
    /// The UDP flows and their datagrams, for contrast (`u`).
    Udp,
}

/// What the event loop should do after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    None,
    Quit,
    Suspend,
    Redraw,
    Replay(Command),
    /// Write this connection's diagram to a file (`x`): the event loop does, and says where.
    Export(u64),
    /// Ask for this frame's bytes for the layers view (`i`): the replay's fetcher reads them.
    Frame(u64),
    /// `--lab`: run the scenario again (`R`).
    RerunLab,
}

#[derive(Debug, Clone)]
pub struct App {
    pub theme: Theme,
    pub focus: Focus,
    /// The selected connection (by id, so sorting does not move the selection).
    pub selected: Option<u64>,
    /// Selection follows the newest connection.
    pub follow: bool,
    pub lang: Lang,
    /// The lesson played: its notes follow the narration.
    pub lesson: Option<&'static Lesson>,
    /// Only the ladder and the narration on screen (`z`, for a projector).
    pub ladder_only: bool,
    /// A live capture asks before Esc ends it: the footer asks, Esc or q again quits.
    pub confirm_quit: bool,
    /// The connection pinned on screen (`P`), whatever arrives.
    pub pinned: Option<u64>,
    /// Host names (`--alias`) on the diagrams `x` exports.
    pub aliases: Aliases,
    /// What `x` said (where the file went, or why not): on the status bar until the next
    /// key, keeping its room there as an error does, since the user asked for it.
    pub notice: Option<String>,
    /// How far the newest arrow of the selected connection has grown (1.0: drawn whole).
    pub anim: f32,
    pub view: View,
    /// The panes, each with its own state.
    pub list: ListPane,
    pub ladder: LadderPane,
    pub problems: ProblemsPane,
    pub udp: super::udp::UdpPane,
    pub help: HelpPane,
    /// The layers view (`i`).
    pub layers: LayersPane,
    pub filter: FilterLine,
    prev_selected: Option<u64>,
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
            lang: Lang::En,
            lesson: None,
            ladder_only: false,
            confirm_quit: false,
            pinned: None,
            aliases: Aliases::default(),
            notice: None,
            anim: 1.0,
            view: View::Connections,
            list: ListPane::default(),
            ladder: LadderPane::default(),
            problems: ProblemsPane::default(),
            udp: super::udp::UdpPane::default(),
            help: HelpPane::default(),
            layers: LayersPane::default(),
            filter: FilterLine::default(),
            prev_selected: None,
            layout: Layout::default(),
        }
    }

    /// The app as the command line starts it: language, socket calls, the lesson (whose
    /// short captures are shown unfolded, every segment a step).
    pub fn for_ui(ui: &crate::config::UiConfig) -> App {
        let mut app = App::new(ui.theme);
        app.lang = ui.lang;
        app.ladder.calls = ui.calls;
        app.lesson = ui.lesson;
        app.aliases = ui.aliases.clone();
        app.ladder.expand_all = ui.lesson.is_some();
        app
    }

    /// Brings the view in line with the replay's state for a screen of `area`: resolves the
    /// selection (follow mode, filtered-out or retired connections) and keeps the list's
    /// selection and the ladder's cursor in view; computes the frame's layout. Called before
    /// every draw.
    pub fn sync(&mut self, replay: &Replay, area: Rect) {
        let mut cache = std::mem::take(&mut self.list.cache);
        cache.update(replay, self, std::time::Instant::now());
        self.list.cache = cache;
        self.layout = render::layout(area, self, replay);
        self.sync_panes(replay);
        // The narration's height follows the ladder's cursor row, known only now: when the
        // layout changes with it, the panes scroll again for the new sizes.
        let again = render::layout(area, self, replay);
        if again != self.layout {
            self.layout = again;
            self.sync_panes(replay);
        }
    }

    /// Selection and scrolling of the list, the ladder, help and problems for `self.layout`.
    fn sync_panes(&mut self, replay: &Replay) {
        let lay = self.layout;
        let (selected, pos, len) = {
            let rows = list::rows(replay, self);
            // Pinned: the selected connection stays while new ones arrive (its ladder still
            // follows its newest arrow).
            let pinned = self.pinned.filter(|id| rows.contains(*id)).map(Some);
            let selected = if let Some(p) = pinned {
                p
            } else if self.follow {
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
            self.ladder.follow = true;
        }
        let body = lay.list.height.saturating_sub(2) as usize;
        self.list.top = scroll_to(self.list.top, pos, body, len);
        let conn = self.selected.and_then(|id| replay.connection(id));
        let h = conn.map_or(0, |c| {
            detail::body_height(
                lay.ladder.height.saturating_sub(1),
                c,
                &replay.findings_of(c),
            )
            // The kernel view's line, when there is one.
            .saturating_sub(usize::from(replay.kernel.is_some()))
        });
        self.ladder.sync(conn, h);
        let help_len = super::help::lines(self).len();
        self.help.top = self.help.top.min(help_len.saturating_sub(1));
        if let Some(o) = &self.layers.open {
            let view = super::layers::area(lay.area);
            let len = super::layers::len(o, self.lang, &self.theme, view);
            let h = view.height.saturating_sub(2);
            self.layers.clamp(len, h as usize);
        }
        if self.view == View::Problems {
            self.problems.sync(
                &replay.findings,
                lay.problems.height.saturating_sub(1) as usize,
            );
        }
    }

    /// The selected connection, if it is shown.
    fn conn<'a>(&self, replay: &'a Replay) -> Option<&'a Connection> {
        self.selected.and_then(|id| replay.connection(id))
    }

    /// Opens the problems view; on the selected connection's first finding if the user chose
    /// that connection (not in follow mode) and it has one.
    fn open_problems(&mut self, replay: &Replay) {
        self.view = View::Problems;
        if let Some(id) = self.selected.filter(|_| !self.follow) {
            self.problems.open_on(&replay.findings, id);
        }
    }

    /// Enter in the problems view: the connection's ladder, its evidence marked and the
    /// cursor on the first segment of it.
    fn jump(&mut self, replay: &Replay) {
        let d = &replay.findings;
        let (id, kind, frames) = match d.rows.get(self.problems.cursor) {
            Some(PRow::Finding { conn, idx }) => match d.finding(*conn, *idx) {
                Some(f) => (*conn, f.kind, f.frames.clone()),
                None => return,
            },
            Some(PRow::Group(i)) => {
                let Some(g) = d.groups.get(*i) else { return };
                let Some(&id) = g.conns.first() else { return };
                let frames = d
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
            self.filter.clear();
        }
        self.view = View::Connections;
        self.focus = Focus::Ladder;
        self.follow = false;
        self.selected = Some(id);
        self.prev_selected = Some(id);
        self.ladder.show_evidence(
            c,
            Evidence {
                conn: id,
                kind,
                frames,
            },
        );
    }

    fn move_list(&mut self, replay: &Replay, delta: isize) {
        let rows = list::rows(replay, self);
        if rows.is_empty() {
            return;
        }
        let pos = self.selected.and_then(|id| rows.position(id)).unwrap_or(0);
        let id = rows.id_at(step(pos, delta, rows.len()));
        self.follow = false;
        self.selected = id;
        // A pin moves with the selection the user chose.
        if self.pinned.is_some() {
            self.pinned = id;
        }
    }

    /// Carries out what a pane asked for.
    fn apply(&mut self, handled: Handled, replay: &Replay) -> Action {
        let Handled::Then(effect) = handled else {
            return Action::None;
        };
        match effect {
            Effect::Quit => return Action::Quit,
            Effect::MoveSelection(d) => self.move_list(replay, d),
            Effect::SelectRow(i) => {
                if let Some(id) = list::rows(replay, self).id_at(i) {
                    self.selected = Some(id);
                    self.follow = false;
                    if self.pinned.is_some() {
                        self.pinned = Some(id);
                    }
                }
            }
            Effect::Unfollow => self.follow = false,
            Effect::FocusLadder => self.focus = Focus::Ladder,
            Effect::CloseView => self.view = View::Connections,
            Effect::Jump => self.jump(replay),
            Effect::EditFilter => {
                self.view = View::Connections;
                self.filter.editing = true;
            }
        }
        Action::None
    }

    /// Handles one key (page sizes from the layout of the last [`App::sync`]).
    pub fn handle_key(&mut self, key: KeyEvent, replay: &Replay) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::None;
        }
        self.notice = None;
        // "Terminal too small" is all there is to see: keys would change what cannot be seen
        // (help, views) behind it. Only quitting works, as the message says.
        if self.layout.too_small {
            let ctrl_c =
                key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
            return if ctrl_c || key.code == KeyCode::Char('q') {
                Action::Quit
            } else {
                Action::None
            };
        }
        // Asked whether to stop a live capture: Esc, q or Ctrl-C says yes, any other key no.
        if std::mem::take(&mut self.confirm_quit) {
            let ctrl_c =
                key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
            if ctrl_c || matches!(key.code, KeyCode::Esc | KeyCode::Char('q')) {
                return Action::Quit;
            }
            return Action::None;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return match key.code {
                KeyCode::Char('c') => Action::Quit,
                KeyCode::Char('z') => Action::Suspend,
                KeyCode::Char('l') => Action::Redraw,
                KeyCode::Char('u') if self.filter.editing => {
                    self.filter.clear();
                    Action::None
                }
                _ => Action::None,
            };
        }
        let lay = self.layout;
        // The overlay and the filter line, when open, take every key; the problems view all
        // but the ones that work everywhere.
        let handled = if self.help.open {
            let len = super::help::lines(self).len();
            self.help
                .on_key(key, len, lay.ladder.height.max(4) as usize)
        } else if self.layers.is_open() {
            let page = super::layers::area(lay.area)
                .height
                .saturating_sub(3)
                .max(1);
            // It takes every key but `l`, which switches the language here too.
            self.layers.on_key(key, page as usize)
        } else if self.filter.editing {
            self.filter.on_key(key)
        } else if self.view == View::Problems && !works_everywhere(key.code) {
            self.problems
                .on_key(key, &replay.findings, lay.problems.height)
        } else if self.view == View::Udp && !works_everywhere(key.code) {
            let flows = replay.store.tracker.udp.flows();
            self.udp.on_key(key, &flows, lay.problems.height)
        } else {
            let conn = self.conn(replay);
            match self.focus {
                Focus::List => self.list.on_key(key, lay.list.height),
                Focus::Ladder => self.ladder.on_key(key, conn, lay.ladder.height),
            }
        };
        if handled != Handled::Ignored {
            return self.apply(handled, replay);
        }
        self.global_key(key, replay)
    }

    /// The keys that are no pane's own.
    fn global_key(&mut self, key: KeyEvent, replay: &Replay) -> Action {
        let replay_cmd = |c| Action::Replay(c);
        match key.code {
            KeyCode::Char('q') => return Action::Quit,
            KeyCode::Esc => {
                if !self.filter.text.is_empty() {
                    self.filter.clear();
                } else if self.focus == Focus::Ladder {
                    self.focus = Focus::List;
                } else if replay.is_live() {
                    // Esc is pressed to back out of things: on a live lecture it must not
                    // end the capture by accident.
                    self.confirm_quit = true;
                } else {
                    return Action::Quit;
                }
            }
            KeyCode::Char('?') => self.help.show(),
            KeyCode::Char(' ') => return replay_cmd(Command::TogglePause),
            KeyCode::Right => return replay_cmd(Command::StepForward),
            KeyCode::Left => return replay_cmd(Command::StepBack),
            KeyCode::Char('+') | KeyCode::Char('=') => return replay_cmd(Command::Faster),
            KeyCode::Char('-') | KeyCode::Char('_') => return replay_cmd(Command::Slower),
            KeyCode::Home => return replay_cmd(Command::JumpStart),
            KeyCode::End => return replay_cmd(Command::JumpEnd),
            KeyCode::Char('r') => return replay_cmd(Command::Restart),
            KeyCode::Char('R') if replay.lab.is_some() => return Action::RerunLab,
            KeyCode::Char('g') => return replay_cmd(Command::SkipGap),
            KeyCode::Char('t') => return replay_cmd(Command::RunOn),
            KeyCode::Tab | KeyCode::BackTab => {
                self.focus = match self.focus {
                    Focus::List => Focus::Ladder,
                    Focus::Ladder => Focus::List,
                }
            }
            KeyCode::Char('e') => {
                self.ladder.expand_all = !self.ladder.expand_all;
                self.ladder.expanded.clear();
            }
            KeyCode::Char('f') => {
                self.follow = !self.follow;
                self.ladder.follow = self.follow;
            }
            KeyCode::Char('s') => {
                let h = self.list.next_sort();
                return self.apply(h, replay);
            }
            KeyCode::Char('S') => {
                let h = self.list.reverse();
                return self.apply(h, replay);
            }
            KeyCode::Char('/') => self.filter.editing = true,
            KeyCode::Char('l') => self.lang = self.lang.toggle(),
            KeyCode::Char('c') => self.ladder.calls = !self.ladder.calls,
            KeyCode::Char('P') => {
                self.pinned = match self.pinned {
                    Some(_) => None,
                    None => self.selected,
                }
            }
            KeyCode::Char('z') => {
                self.ladder_only = !self.ladder_only;
                // With the list gone, the keys move in the ladder.
                if self.ladder_only {
                    self.focus = Focus::Ladder;
                }
            }
            KeyCode::Char('p') => self.open_problems(replay),
            KeyCode::Char('u') => self.view = View::Udp,
            KeyCode::Char('x') => {
                if let Some(id) = self.selected {
                    return Action::Export(id);
                }
            }
            KeyCode::Char('i') => return self.open_layers(replay),
            _ => {}
        }
        Action::None
    }

    /// `i`: the segment at the ladder's cursor (the newest of a folded run), layer by layer.
    /// Its bytes are asked for; the view waits for them.
    fn open_layers(&mut self, replay: &Replay) -> Action {
        if self.view == View::Udp {
            self.notice = Some(crate::i18n::messages(self.lang).layers.in_udp.into());
            return Action::None;
        }
        let event = self.conn(replay).and_then(|c| {
            let rows = super::ladder::rows_for(c, self);
            let idx = rows.get(self.ladder.cursor)?.event(c)?;
            let e = c.events.get(idx)?;
            (e.kind == crate::track::EventKind::Segment && e.frame > 0)
                .then(|| (e.frame, SegmentCtx::of(c, e)))
        });
        match event {
            Some((frame, ctx)) => {
                self.layers.open(frame, ctx);
                Action::Frame(frame)
            }
            None => {
                self.notice = Some(crate::i18n::messages(self.lang).layers.no_segment.into());
                Action::None
            }
        }
    }

    /// Handles a mouse event on the screen as last laid out by [`App::sync`].
    pub fn handle_mouse(&mut self, m: MouseEvent, replay: &Replay) -> Action {
        if self.layers.is_open() {
            let h = self.layers.on_mouse(m);
            return self.apply(h, replay);
        }
        if self.help.open {
            let h = self.help.on_mouse(m);
            return self.apply(h, replay);
        }
        let lay = self.layout;
        let inside = |r: Rect| {
            m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
        };
        let handled = if self.view == View::Udp {
            Handled::Ignored
        } else if self.view == View::Problems {
            self.problems.on_mouse(m, &replay.findings, lay.problems)
        } else if inside(lay.list) {
            if matches!(m.kind, MouseEventKind::Down(_)) {
                self.focus = Focus::List;
            }
            let max_id = list::rows(replay, self).max_id().unwrap_or(1);
            self.list.on_mouse(m, lay.list, max_id)
        } else if inside(lay.ladder) {
            if matches!(m.kind, MouseEventKind::Down(_)) {
                self.focus = Focus::Ladder;
            }
            let conn = self.conn(replay);
            self.ladder.on_mouse(m, conn, lay.ladder)
        } else {
            Handled::Ignored
        };
        self.apply(handled, replay)
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
