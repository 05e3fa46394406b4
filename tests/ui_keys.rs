//! Key and mouse handling on app state: no terminal, no threads.

mod ui_common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use synack::ui::app::{Action, App, Focus};
use synack::ui::ladder::{self, Row};
use synack::ui::list::{self, SortKey};
use synack::ui::narrate::Lang;
use synack::ui::render;
use synack::ui::replay::{Command, Replay};
use ui_common::{app, area, replay};

const W: u16 = 100;
const H: u16 = 40;

fn key(a: &mut App, r: &Replay, code: KeyCode) -> Action {
    a.sync(r, area(W, H));
    a.handle_key(KeyEvent::from(code), r, area(W, H))
}

fn ctrl(a: &mut App, r: &Replay, c: char) -> Action {
    a.sync(r, area(W, H));
    a.handle_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        r,
        area(W, H),
    )
}

fn typed(a: &mut App, r: &Replay, s: &str) {
    for c in s.chars() {
        key(a, r, KeyCode::Char(c));
    }
}

fn shown(a: &App, r: &Replay) -> Vec<u64> {
    list::rows(r, a).iter().map(|c| c.id).collect()
}

#[test]
fn quitting() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    assert_eq!(key(&mut a, &r, KeyCode::Char('q')), Action::Quit);
    assert_eq!(ctrl(&mut a, &r, 'c'), Action::Quit);
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::Quit);
    assert_eq!(ctrl(&mut a, &r, 'z'), Action::Suspend);
    assert_eq!(ctrl(&mut a, &r, 'l'), Action::Redraw);
}

#[test]
fn esc_first_leaves_help_filter_and_ladder() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    key(&mut a, &r, KeyCode::Char('?'));
    assert!(a.help);
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::None);
    assert!(!a.help);
    key(&mut a, &r, KeyCode::Char('/'));
    typed(&mut a, &r, "5432");
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::None);
    assert!(a.filter_text.is_empty() && !a.editing);
    key(&mut a, &r, KeyCode::Tab);
    assert_eq!(a.focus, Focus::Ladder);
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::None);
    assert_eq!(a.focus, Focus::List);
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::Quit);
}

#[test]
fn replay_keys_ask_the_replay() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    for (code, cmd) in [
        (KeyCode::Char(' '), Command::TogglePause),
        (KeyCode::Right, Command::StepForward),
        (KeyCode::Left, Command::StepBack),
        (KeyCode::Char('+'), Command::Faster),
        (KeyCode::Char('-'), Command::Slower),
        (KeyCode::Home, Command::JumpStart),
        (KeyCode::End, Command::JumpEnd),
        (KeyCode::Char('r'), Command::Restart),
        (KeyCode::Char('g'), Command::SkipGap),
    ] {
        assert_eq!(key(&mut a, &r, code), Action::Replay(cmd), "{code:?}");
    }
}

#[test]
fn filter_by_port_state_and_text() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    assert_eq!(shown(&a, &r), vec![1, 2, 3, 4, 5, 6]);
    key(&mut a, &r, KeyCode::Char('/'));
    typed(&mut a, &r, "5432");
    key(&mut a, &r, KeyCode::Enter);
    assert!(!a.editing);
    assert_eq!(shown(&a, &r), vec![4]);
    a.sync(&r, area(W, H));
    assert_eq!(a.selected, Some(4));
    // Typing after Enter are commands again: 'q' quits rather than filters.
    assert_eq!(key(&mut a, &r, KeyCode::Char('q')), Action::Quit);
    key(&mut a, &r, KeyCode::Char('/'));
    for _ in 0..4 {
        key(&mut a, &r, KeyCode::Backspace);
    }
    typed(&mut a, &r, "time_wait");
    assert_eq!(shown(&a, &r), vec![1, 6]);
    key(&mut a, &r, KeyCode::Backspace);
    for _ in 0..8 {
        key(&mut a, &r, KeyCode::Backspace);
    }
    typed(&mut a, &r, "192.168.1.99");
    assert_eq!(shown(&a, &r), vec![5]);
}

#[test]
fn moving_the_selection_leaves_follow_mode_and_f_comes_back() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.sync(&r, area(W, H));
    assert_eq!(a.selected, Some(6), "follow mode selects the newest");
    key(&mut a, &r, KeyCode::Up);
    key(&mut a, &r, KeyCode::Char('k'));
    a.sync(&r, area(W, H));
    assert_eq!(a.selected, Some(4));
    assert!(!a.follow);
    key(&mut a, &r, KeyCode::Char('j'));
    a.sync(&r, area(W, H));
    assert_eq!(a.selected, Some(5));
    key(&mut a, &r, KeyCode::Char('f'));
    a.sync(&r, area(W, H));
    assert!(a.follow);
    assert_eq!(a.selected, Some(6));
}

#[test]
fn sorting_cycles_columns_and_reverses() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    key(&mut a, &r, KeyCode::Char('s'));
    assert_eq!(a.sort, SortKey::Client);
    while a.sort != SortKey::Packets {
        key(&mut a, &r, KeyCode::Char('s'));
    }
    assert_eq!(shown(&a, &r)[0], 2, "fewest packets first");
    key(&mut a, &r, KeyCode::Char('S'));
    assert_eq!(shown(&a, &r)[0], 1, "most packets first (13)");
}

#[test]
fn ladder_cursor_folds_and_language() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.follow = false;
    a.selected = Some(1);
    a.sync(&r, area(W, H));
    key(&mut a, &r, KeyCode::Enter);
    assert_eq!(a.focus, Focus::Ladder);
    let c = r.connection(1).unwrap();
    let rows = ladder::rows_for(c, &a);
    let fold = rows
        .iter()
        .position(|r| matches!(r, Row::Fold { .. }))
        .unwrap();
    // Follow: the cursor is on the newest row; go up to the fold.
    assert_eq!(a.ladder_cursor, rows.len() - 1);
    for _ in 0..(rows.len() - 1 - fold) {
        key(&mut a, &r, KeyCode::Up);
    }
    assert_eq!(a.ladder_cursor, fold);
    assert!(!a.ladder_follow);
    let folded = render::narration(&a, Some(c), &rows);
    assert!(folded.contains("6 data and ACK segments"), "{folded}");
    key(&mut a, &r, KeyCode::Enter);
    let open = ladder::rows_for(c, &a);
    assert_eq!(open.len(), rows.len() + 5);
    // The cursor stays on the first segment of the run, now shown.
    let n = render::narration(&a, Some(c), &open);
    assert!(n.starts_with("The client sends PSH+ACK: it carries"), "{n}");
    key(&mut a, &r, KeyCode::Char('l'));
    assert_eq!(a.lang, Lang::Zh);
    let n = render::narration(&a, Some(c), &open);
    assert!(n.starts_with("客户端发送 PSH+ACK：携带"), "{n}");
    key(&mut a, &r, KeyCode::Enter);
    assert_eq!(ladder::rows_for(c, &a).len(), rows.len());
    key(&mut a, &r, KeyCode::Char('e'));
    assert_eq!(ladder::rows_for(c, &a).len(), rows.len() + 5);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    key(&mut a, &r, KeyCode::Char('?'));
    assert!(a.help);
    key(&mut a, &r, KeyCode::Down);
    assert_eq!(a.help_top, 1);
    assert!(a.help);
    // While help is open, other keys only close it.
    assert_eq!(key(&mut a, &r, KeyCode::Char(' ')), Action::None);
    assert!(!a.help);
}

#[test]
fn mouse_click_selects_and_sorts_and_wheel_scrolls() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.sync(&r, area(W, H));
    let lay = render::layout(area(W, H), &a, &r);
    let click = |col, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // Third connection: rows start two lines below the pane's top (title rule, header).
    a.handle_mouse(click(10, lay.list.y + 2 + 2), &r, area(W, H));
    a.sync(&r, area(W, H));
    assert_eq!(a.selected, Some(3));
    assert!(!a.follow);
    // Click on the "pkts" header sorts by packets; again reverses.
    let cols = list::columns(lay.list.width, 6);
    let mut x = 0;
    for c in &cols {
        if c.key == SortKey::Packets {
            break;
        }
        x += c.width + 1;
    }
    a.handle_mouse(click(x + 1, lay.list.y + 1), &r, area(W, H));
    assert_eq!((a.sort, a.sort_desc), (SortKey::Packets, false));
    a.handle_mouse(click(x + 1, lay.list.y + 1), &r, area(W, H));
    assert!(a.sort_desc);
    // Wheel over the ladder moves its cursor up.
    a.sync(&r, area(W, H));
    let before = a.ladder_cursor;
    a.handle_mouse(
        MouseEvent {
            kind: MouseEventKind::ScrollUp,
            column: 10,
            row: lay.ladder.y + 3,
            modifiers: KeyModifiers::NONE,
        },
        &r,
        area(W, H),
    );
    assert_eq!(a.ladder_cursor, before.saturating_sub(3));
}

#[test]
fn readme_lists_every_key() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("## Terminal UI")
        .expect("a Terminal UI section");
    let section = &readme[start..];
    for (k, what) in synack::ui::help::KEYS {
        if k.is_empty() {
            continue;
        }
        let row = format!("| `{k}` | {what} |");
        assert!(section.contains(&row), "README misses {row}");
    }
}
