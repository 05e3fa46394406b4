//! Key and mouse handling on app state: no terminal, no threads.

mod ui_common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use synack::diagnose::Kind;
use synack::i18n::Lang;
use synack::track::TrackerConfig;
use synack::ui::app::{Action, App, Focus, View};
use synack::ui::findings_cache::PRow;
use synack::ui::ladder::{self, Row};
use synack::ui::list::{self, SortKey};
use synack::ui::render;
use synack::ui::replay::{Command, Replay};
use ui_common::{app, area, replay, replay_with};

const W: u16 = 100;
const H: u16 = 40;

fn key(a: &mut App, r: &Replay, code: KeyCode) -> Action {
    a.sync(r, area(W, H));
    a.handle_key(KeyEvent::from(code), r)
}

fn ctrl(a: &mut App, r: &Replay, c: char) -> Action {
    a.sync(r, area(W, H));
    a.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL), r)
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
    assert!(a.help.open);
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::None);
    assert!(!a.help.open);
    key(&mut a, &r, KeyCode::Char('/'));
    typed(&mut a, &r, "5432");
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::None);
    assert!(a.filter.text.is_empty() && !a.filter.editing);
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
    assert!(!a.filter.editing);
    assert_eq!(shown(&a, &r), vec![4]);
    a.sync(&r, area(W, H));
    assert_eq!(a.selected, Some(4));
    // The filter line has closed: the list's title still says what it shows.
    let title = synack::ui::list::title(&a, 1, 6);
    assert!(
        title.contains("(1 shown)") && title.contains("/5432"),
        "{title}"
    );
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
    assert_eq!(a.list.sort, SortKey::Client);
    while a.list.sort != SortKey::Packets {
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
    assert_eq!(a.ladder.cursor, rows.len() - 1);
    for _ in 0..(rows.len() - 1 - fold) {
        key(&mut a, &r, KeyCode::Up);
    }
    assert_eq!(a.ladder.cursor, fold);
    assert!(!a.ladder.follow);
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
fn segments_past_the_event_cap_show_where_they_fell() {
    // --max-events 16 on a 189-segment download: the handshake, a fold of the first data,
    // the 169 segments not kept, then the teardown.
    let r = replay_with(
        "bulk-transfer.pcap",
        None,
        TrackerConfig {
            max_events: 16,
            ..Default::default()
        },
    );
    let mut a = app();
    a.follow = false;
    a.selected = Some(1);
    a.sync(&r, area(W, H));
    key(&mut a, &r, KeyCode::Enter);
    let c = r.connection(1).unwrap();
    let rows = ladder::rows_for(c, &a);
    let dropped = rows
        .iter()
        .position(|r| matches!(r, Row::Dropped { .. }))
        .expect("a row for the segments not kept");
    assert!(
        matches!(rows[dropped - 1], Row::Fold { start: 3, len: 13 }),
        "{rows:?}"
    );
    assert!(
        matches!(rows[dropped + 1], Row::Event { idx: 16, .. }),
        "{rows:?}"
    );
    assert_eq!(
        rows.len(),
        dropped + 5,
        "the four teardown segments follow: {rows:?}"
    );
    for _ in 0..(rows.len() - 1 - dropped) {
        key(&mut a, &r, KeyCode::Up);
    }
    assert_eq!(a.ladder.cursor, dropped);
    let n = render::narration(&a, Some(c), &rows);
    assert!(
        n.starts_with("169 data and ACK segments (163,624 bytes) here were not kept"),
        "{n}"
    );
    key(&mut a, &r, KeyCode::Char('l'));
    let n = render::narration(&a, Some(c), &rows);
    assert!(
        n.starts_with("此处有 169 个数据和 ACK 报文（163,624 字节）未保留"),
        "{n}"
    );
    // Unfolding every run shows the kept segments, and the row for those not kept stays.
    key(&mut a, &r, KeyCode::Char('e'));
    let open = ladder::rows_for(c, &a);
    assert_eq!(open.len(), rows.len() + 12);
    assert!(
        matches!(open[dropped + 12], Row::Dropped { at: 16 }),
        "{open:?}"
    );
    // The retransmission's evidence (frame 97) was left out: following the finding from the
    // problems view stands on the row for it.
    key(&mut a, &r, KeyCode::Char('p'));
    assert_eq!(a.view, View::Problems);
    let target = r
        .findings
        .rows
        .iter()
        .position(|row| match row {
            PRow::Finding { conn, idx } => {
                r.findings.finding(*conn, *idx).map(|f| f.kind) == Some(Kind::Retransmission)
            }
            _ => false,
        })
        .expect("a retransmission finding");
    while a.problems.cursor < target {
        key(&mut a, &r, KeyCode::Down);
    }
    key(&mut a, &r, KeyCode::Enter);
    assert_eq!((a.view, a.focus), (View::Connections, Focus::Ladder));
    let rows = ladder::rows_for(c, &a);
    assert!(
        matches!(rows[a.ladder.cursor], Row::Dropped { at: 16 }),
        "cursor on {:?}",
        rows[a.ladder.cursor]
    );
}

#[test]
fn help_opens_scrolls_and_closes() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    key(&mut a, &r, KeyCode::Char('?'));
    assert!(a.help.open);
    key(&mut a, &r, KeyCode::Down);
    assert_eq!(a.help.top, 1);
    assert!(a.help.open);
    // While help is open, other keys only close it.
    assert_eq!(key(&mut a, &r, KeyCode::Char(' ')), Action::None);
    assert!(!a.help.open);
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
    a.handle_mouse(click(10, lay.list.y + 2 + 2), &r);
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
    a.handle_mouse(click(x + 1, lay.list.y + 1), &r);
    assert_eq!((a.list.sort, a.list.sort_desc), (SortKey::Packets, false));
    a.handle_mouse(click(x + 1, lay.list.y + 1), &r);
    assert!(a.list.sort_desc);
    // Wheel over the ladder moves its cursor up.
    a.sync(&r, area(W, H));
    let before = a.ladder.cursor;
    a.handle_mouse(
        MouseEvent {
            kind: MouseEventKind::ScrollUp,
            column: 10,
            row: lay.ladder.y + 3,
            modifiers: KeyModifiers::NONE,
        },
        &r,
    );
    assert_eq!(a.ladder.cursor, before.saturating_sub(3));
}

#[test]
fn readme_lists_every_key() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("## Terminal UI")
        .expect("a Terminal UI section");
    let section = &readme[start..];
    for (k, what) in synack::ui::help::keys(Lang::En, false) {
        if k.is_empty() {
            continue;
        }
        let row = format!("| `{k}` | {what} |");
        assert!(section.contains(&row), "README misses {row}");
    }
}

/// The connection a problems-view row stands on.
fn problem_conn(a: &App, r: &Replay) -> Option<u64> {
    match r.findings.rows.get(a.problems.cursor) {
        Some(PRow::Finding { conn, .. }) => Some(*conn),
        _ => None,
    }
}

#[test]
fn p_opens_the_problems_view_and_enter_jumps_to_the_evidence() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    key(&mut a, &r, KeyCode::Char('p'));
    assert_eq!(a.view, View::Problems);
    a.sync(&r, area(W, H));
    // Worst first: the CLOSE_WAIT (#4), then the unanswered SYNs (#5), the reset (#3).
    assert_eq!(problem_conn(&a, &r), Some(4));
    key(&mut a, &r, KeyCode::Down);
    assert_eq!(problem_conn(&a, &r), Some(5));
    key(&mut a, &r, KeyCode::Char('j'));
    assert_eq!(problem_conn(&a, &r), Some(3));
    key(&mut a, &r, KeyCode::Char('k'));
    assert_eq!(problem_conn(&a, &r), Some(5));
    // The list's keys do nothing here; the replay's still work.
    key(&mut a, &r, KeyCode::Char('s'));
    assert_eq!(a.list.sort, SortKey::Id);
    assert_eq!(a.view, View::Problems);
    assert_eq!(
        key(&mut a, &r, KeyCode::Char(' ')),
        Action::Replay(Command::TogglePause)
    );
    // Esc goes back (not quit); p again comes back to the same finding.
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::None);
    assert_eq!(a.view, View::Connections);
    key(&mut a, &r, KeyCode::Char('p'));
    a.sync(&r, area(W, H));
    assert_eq!(problem_conn(&a, &r), Some(5));

    // Enter: #5's ladder, its three SYNs marked, the cursor on the first.
    key(&mut a, &r, KeyCode::Enter);
    assert_eq!(a.view, View::Connections);
    assert_eq!(a.selected, Some(5));
    assert_eq!(a.focus, Focus::Ladder);
    assert!(!a.follow);
    let ev = a.ladder.evidence.clone().expect("evidence marked");
    assert_eq!(
        (ev.conn, ev.kind, ev.frames.clone()),
        (5, Kind::SynUnanswered, vec![31, 32, 33])
    );
    a.sync(&r, area(W, H));
    assert_eq!(a.selected, Some(5), "the jump sticks");
    let c = r.connection(5).unwrap();
    let rows = ladder::rows_for(c, &a);
    match rows[a.ladder.cursor] {
        Row::Event { idx, .. } => assert_eq!(c.events[idx].frame, 31),
        other => panic!("cursor on {other:?}"),
    }
    assert!(!a.ladder.follow);
    // p from a chosen connection opens on its finding.
    key(&mut a, &r, KeyCode::Char('p'));
    a.sync(&r, area(W, H));
    assert_eq!(problem_conn(&a, &r), Some(5));
    key(&mut a, &r, KeyCode::Char('p'));
    assert_eq!(a.view, View::Connections);
    // Esc: ladder to list, then quit.
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::None);
    assert_eq!(a.focus, Focus::List);
    assert_eq!(key(&mut a, &r, KeyCode::Esc), Action::Quit);
}

#[test]
fn a_pattern_jumps_to_its_first_connection_and_a_fold_opens_for_evidence() {
    let r = replay("diag-syn-flood.pcap", None);
    let mut a = app();
    key(&mut a, &r, KeyCode::Char('p'));
    a.sync(&r, area(W, H));
    assert!(matches!(r.findings.rows[a.problems.cursor], PRow::Group(0)));
    assert_eq!(r.findings.groups[0].pattern, "syn_flood");
    key(&mut a, &r, KeyCode::Enter);
    assert_eq!(a.selected, Some(1));
    let ev = a.ladder.evidence.clone().unwrap();
    assert_eq!((ev.kind, ev.frames), (Kind::HalfOpen, vec![2, 101]));

    // Evidence inside a folded run of plain segments: the run opens. (The retransmissions
    // of retransmissions.pcap are marked, so never folded; a filter hiding the connection
    // is cleared.)
    let r = replay("retransmissions.pcap", None);
    let mut a = app();
    key(&mut a, &r, KeyCode::Char('/'));
    typed(&mut a, &r, "port:1");
    key(&mut a, &r, KeyCode::Enter);
    key(&mut a, &r, KeyCode::Char('p'));
    a.sync(&r, area(W, H));
    let id = problem_conn(&a, &r).expect("a finding");
    key(&mut a, &r, KeyCode::Enter);
    assert_eq!(a.selected, Some(id));
    assert!(a.filter.text.is_empty(), "the filter hid it");
    let c = r.connection(id).unwrap();
    let rows = ladder::rows_for(c, &a);
    let frames = a.ladder.evidence.clone().unwrap().frames;
    match rows[a.ladder.cursor] {
        Row::Event { idx, .. } => assert_eq!(c.events[idx].frame, frames[0]),
        other => panic!("cursor on {other:?}"),
    }
}

#[test]
fn mouse_in_the_problems_view() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    key(&mut a, &r, KeyCode::Char('p'));
    a.sync(&r, area(W, H));
    let lay = render::layout(area(W, H), &a, &r);
    // Rows start under the pane's title rule; pick the reset's row (#3).
    let i = r
        .findings
        .rows
        .iter()
        .position(|row| matches!(row, PRow::Finding { conn: 3, .. }))
        .unwrap();
    a.handle_mouse(
        MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row: lay.problems.y + 1 + i as u16,
            modifiers: KeyModifiers::NONE,
        },
        &r,
    );
    assert_eq!(problem_conn(&a, &r), Some(3));
    // A click on a header changes nothing.
    a.handle_mouse(
        MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row: lay.problems.y + 1,
            modifiers: KeyModifiers::NONE,
        },
        &r,
    );
    assert_eq!(problem_conn(&a, &r), Some(3));
    a.handle_mouse(
        MouseEvent {
            kind: MouseEventKind::ScrollUp,
            column: 10,
            row: lay.problems.y + 3,
            modifiers: KeyModifiers::NONE,
        },
        &r,
    );
    assert_eq!(
        problem_conn(&a, &r),
        Some(4),
        "wheel: up three choices, stops at the top"
    );
}

#[test]
fn findings_follow_the_replay_clock_and_only_changed_connections_are_diagnosed() {
    // Capture time: after 31 segments of the demo (#4's CLOSE_WAIT began at frame 29, 0.4 s
    // before), the CLOSE_WAIT is not stuck yet; at the end (11.7 s later) it is.
    let early = replay("demo.pcap", Some(31));
    assert_eq!(early.findings.by_kind[Kind::CloseWait as usize], 0);
    assert!(
        early.findings.findings(4).is_empty(),
        "{:?}",
        early.findings.findings(4)
    );
    let late = replay("demo.pcap", None);
    assert_eq!(late.findings.by_kind[Kind::CloseWait as usize], 1);
    assert_eq!(late.findings.findings(4)[0].frames, vec![29, 30]);
    // The same as --diagnose: 7 findings on 6 connections, 4 problems.
    assert_eq!(
        (
            late.findings.total,
            late.findings.with_findings,
            late.findings.problems
        ),
        (7, 6, 4)
    );
    // Nothing moved: a refresh changes nothing (no new generation).
    let mut late = late;
    let g = late.findings.generation;
    late.refresh_diagnosis(None);
    assert_eq!(late.findings.generation, g);
    // With no time to spare, a refresh still goes through a few (16) connections: a pass over
    // them all takes turns, never all at once; the view says how many are still to check and
    // shows the last whole pass (nothing, after a clear) until this one ends.
    let mut r = replay("diag-syn-flood.pcap", None);
    r.findings.clear();
    let zero = Some(std::time::Duration::ZERO);
    r.refresh_diagnosis(zero);
    assert_eq!((r.findings.total, r.findings.behind), (0, 34));
    assert!(r.findings.in_pass());
    r.refresh_diagnosis(zero);
    assert_eq!((r.findings.total, r.findings.behind), (0, 18));
    r.refresh_diagnosis(zero);
    r.refresh_diagnosis(zero);
    // All gone through: the next call builds the patterns and rows, and publishes.
    assert_eq!((r.findings.total, r.findings.behind), (0, 0));
    assert!(r.findings.in_pass());
    r.refresh_diagnosis(zero);
    assert_eq!((r.findings.total, r.findings.behind), (50, 0));
    assert!(!r.findings.in_pass());
    assert_eq!(r.findings.groups.len(), 1, "the SYN flood");
}

#[test]
fn stepping_into_a_data_run_shows_the_segment_narrated_and_keeps_it_when_looking_back() {
    // handshake-close after 6 segments: the handshake, then three plain data segments, a run
    // that folds once it is not the newest.
    let r = replay("handshake-close.pcap", Some(6));
    let mut a = app();
    a.sync(&r, area(W, H));
    let c = r.connection(1).unwrap();
    let rows = ladder::rows_for(c, &a);
    assert!(
        !rows.iter().any(|r| matches!(r, Row::Fold { .. })),
        "{rows:?}"
    );
    let cursor = rows[a.ladder.cursor];
    assert_eq!(
        cursor,
        Row::Event {
            idx: 5,
            run: Some(3)
        }
    );
    // Moving up (follow off) does not fold the run away under the cursor.
    a.focus = Focus::Ladder;
    key(&mut a, &r, KeyCode::Up);
    assert!(!a.ladder.follow);
    let rows = ladder::rows_for(c, &a);
    assert_eq!(
        rows[a.ladder.cursor],
        Row::Event {
            idx: 4,
            run: Some(3)
        }
    );
    // Not following from the start, the same run is folded.
    let mut b = app();
    b.follow = false;
    b.selected = Some(1);
    b.sync(&r, area(W, H));
    b.ladder.follow = false;
    assert!(ladder::rows_for(c, &b)
        .iter()
        .any(|r| matches!(r, Row::Fold { start: 3, len: 3 })));
}

#[test]
fn data_after_the_first_fin_is_never_folded() {
    let r = replay("half-close.pcap", None);
    let mut a = app();
    a.follow = false;
    a.ladder.follow = false;
    a.selected = Some(1);
    a.sync(&r, area(W, H));
    let c = r.connection(1).unwrap();
    let rows = ladder::rows_for(c, &a);
    assert!(
        !rows.iter().any(|r| matches!(r, Row::Fold { .. })),
        "{rows:?}"
    );
    assert_eq!(rows.len(), 1 + c.events.len());
}

#[test]
fn esc_asks_before_it_ends_a_live_capture() {
    let live = Replay::new(TrackerConfig::default(), "eth0", true);
    let mut a = app();
    a.sync(&live, area(W, H));
    assert_eq!(key(&mut a, &live, KeyCode::Esc), Action::None);
    assert!(a.confirm_quit);
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(W, H)).unwrap();
    term.draw(|f| render::draw(f, &a, &live)).unwrap();
    let footer: String = (0..W)
        .map(|x| term.backend().buffer()[(x, H - 1)].symbol().to_string())
        .collect();
    assert!(footer.contains("Stop the live capture?"), "{footer}");
    // Any other key: no, and the next Esc asks again.
    assert_eq!(key(&mut a, &live, KeyCode::Down), Action::None);
    assert!(!a.confirm_quit);
    assert_eq!(key(&mut a, &live, KeyCode::Esc), Action::None);
    assert_eq!(key(&mut a, &live, KeyCode::Esc), Action::Quit);
    // Ctrl-C at the question is a yes, not a no.
    assert_eq!(key(&mut a, &live, KeyCode::Esc), Action::None);
    let ctrl_c = crossterm::event::KeyEvent::new(
        KeyCode::Char('c'),
        crossterm::event::KeyModifiers::CONTROL,
    );
    assert_eq!(a.handle_key(ctrl_c, &live), Action::Quit);
    // A file quits on Esc as before.
    let file = replay("refused.pcap", None);
    let mut b = app();
    b.sync(&file, area(W, H));
    assert_eq!(key(&mut b, &file, KeyCode::Esc), Action::Quit);
}

#[test]
fn t_runs_the_clock_on_past_the_last_packet_until_time_wait_expires() {
    use std::time::{Duration, Instant};
    use synack::track::State;
    let mut r = replay("lesson-teardown.pcap", None);
    assert!(r.at_end());
    let c = r.connection(1).unwrap();
    assert_eq!(c.client().state, State::TimeWait);
    let mut a = app();
    a.sync(&r, area(W, H));
    let t0 = Instant::now();
    r.pump(t0, Duration::from_millis(50));
    // Playing at the end without `t`: the clock stays at the last packet.
    r.command(Command::TogglePause);
    r.pump(t0 + Duration::from_secs(61), Duration::from_millis(50));
    assert_eq!(r.connection(1).unwrap().client().state, State::TimeWait);
    let Action::Replay(cmd) = key(&mut a, &r, KeyCode::Char('t')) else {
        panic!("t is a replay command")
    };
    r.command(cmd);
    r.pump(t0 + Duration::from_secs(62), Duration::from_millis(50));
    r.pump(t0 + Duration::from_secs(123), Duration::from_millis(50));
    // 61 s of clock at 1x past the last packet: 2*MSL (60 s) is over.
    let c = r.connection(1).unwrap();
    assert_eq!(c.client().state, State::Closed, "{:?}", c.events.last());
    assert!(r.elapsed() > 61.0, "{}", r.elapsed());
}

#[test]
fn p_pins_the_selected_connection_while_new_ones_arrive() {
    // Following, after the demo's first 3 segments: connection 1 is the newest, selected.
    let r3 = replay("demo.pcap", Some(3));
    let mut a = app();
    a.sync(&r3, area(W, H));
    assert_eq!(a.selected, Some(1));
    key(&mut a, &r3, KeyCode::Char('P'));
    assert_eq!(a.pinned, Some(1));
    // Every connection arrived: following would select the newest (#6); pinned, #1 stays,
    // and its ladder follows its own newest arrow.
    let all = replay("demo.pcap", None);
    a.sync(&all, area(W, H));
    assert_eq!(a.selected, Some(1));
    assert!(a.follow && a.ladder.follow);
    assert!(synack::ui::status::status_parts(&all, &a)
        .iter()
        .any(|(t, _)| t == "pinned #1"));
    key(&mut a, &all, KeyCode::Char('P'));
    a.sync(&all, area(W, H));
    assert_eq!(a.selected, Some(6));
}

#[test]
fn the_status_bar_says_when_the_memory_bound_evicted_connections() {
    // The demo's six connections in a table of two (as a flood meets --max-memory).
    let cfg = synack::track::TrackerConfig {
        retire: true,
        max_conns: 2,
        evicted_memory: 2,
        memory_budget: 128 << 20,
        ..Default::default()
    };
    let r = ui_common::replay_with("demo.pcap", None, cfg);
    let a = app();
    let parts = synack::ui::status::status_parts(&r, &a);
    let evicted = r.store.tracker.stats.evicted;
    assert!(evicted > 0);
    assert!(
        parts
            .iter()
            .any(|(t, _)| *t == format!("evicted {evicted} (max 128 MiB)")),
        "{parts:?}"
    );
    let mut zh = app();
    zh.lang = Lang::Zh;
    assert!(synack::ui::status::status_parts(&r, &zh)
        .iter()
        .any(|(t, _)| *t == format!("已逐出 {evicted} (上限 128 MiB)")));
    // Within every bound: nothing said.
    let r = replay("demo.pcap", None);
    assert!(!synack::ui::status::status_parts(&r, &a)
        .iter()
        .any(|(t, _)| t.starts_with("evicted")));
}

#[test]
fn x_exports_the_selected_connection_and_the_status_bar_says_where() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.follow = false;
    a.selected = Some(3);
    a.sync(&r, area(W, H));
    assert_eq!(key(&mut a, &r, KeyCode::Char('x')), Action::Export(3));
    // The event loop's half: the file, and the note.
    let dir = tempfile::tempdir().unwrap();
    a.ladder.calls = true;
    a.aliases = synack::export::Aliases::parse(&["192.168.1.20=web".into()]).unwrap();
    let note = synack::ui::export_connection(&a, &r, 3, dir.path());
    let path = dir.path().join("synack-conn-3.mmd");
    assert_eq!(note, format!("exported #3 to {}", path.display()));
    let got = std::fs::read_to_string(&path).unwrap();
    assert!(got.starts_with("sequenceDiagram\n"), "{got}");
    assert!(
        got.contains("RST seq=301") && got.contains("connect()"),
        "{got}"
    );
    assert!(got.contains("server web"), "{got}");
    assert!(got.contains("! reset:"), "{got}");
    // A folder that cannot be written: the note says why.
    let note = synack::ui::export_connection(&a, &r, 3, &dir.path().join("no/such"));
    assert!(note.starts_with("cannot export #3 to "), "{note}");
    // No connection yet, nothing selected: no export.
    let empty = replay("demo.pcap", Some(0));
    let mut b = app();
    b.sync(&empty, area(W, H));
    assert_eq!(key(&mut b, &empty, KeyCode::Char('x')), Action::None);
}

#[test]
fn on_the_too_small_screen_only_quitting_works() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.sync(&r, area(30, 8));
    assert!(a.layout.too_small);
    // (The helper `key` syncs at full size: these keys go straight in.)
    for c in ['?', 'p', 'u', 'l'] {
        let got = a.handle_key(KeyEvent::from(KeyCode::Char(c)), &r);
        assert_eq!(got, Action::None);
    }
    assert!(!a.help.open);
    assert_eq!(a.view, synack::ui::app::View::Connections);
    assert_eq!(a.lang, synack::i18n::Lang::En);
    assert_eq!(
        a.handle_key(KeyEvent::from(KeyCode::Char('q')), &r),
        Action::Quit
    );
}
