//! Snapshots of the pure render functions on fixed states (ratatui's TestBackend + insta), at
//! 80x24 and 160x48, plus checks on what the snapshots must show.

mod ui_common;

use ratatui::style::Color;
use synack::i18n::Lang;
use synack::ui::app::Focus;
use synack::ui::replay::Replay;
use synack::ui::theme::Theme;
use ui_common::{app, draw, replay, text};

fn empty() -> Replay {
    let mut r = Replay::new(Default::default(), "fixtures/empty.pcap", false);
    r.player.paused = true;
    r.player.status.done = true;
    r
}

#[test]
fn demo_at_the_end_80x24() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    // Newest connection selected (follow mode): the simultaneous close, both in TIME_WAIT.
    assert!(
        s.contains("#6 192.168.1.10:51005 → 192.168.1.20:6000"),
        "{s}"
    );
    assert!(s.contains("CLOSING"), "{s}");
    assert!(s.contains("6 connections"), "{s}");
    insta::assert_snapshot!("demo_end_80x24", t.backend());
}

#[test]
fn demo_at_the_end_160x48() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    let t = draw(&mut a, &r, 160, 48);
    let s = text(&t);
    for want in [
        "TIME_WAIT",
        "CLOSE_WAIT",
        "FIN_WAIT_2",
        "SYN_SENT",
        "flags",
        "SsDdFf",
        "SsDFf",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    insta::assert_snapshot!("demo_end_160x48", t.backend());
}

#[test]
fn handshake_after_the_syn() {
    let r = replay("handshake-close.pcap", Some(1));
    let mut a = app();
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.contains("SYN_SENT │── SYN seq=0"), "{s}");
    assert!(s.contains("PAUSED"), "{s}");
    assert!(
        s.contains("The client sends SYN: it asks to open a connection, with its initial"),
        "{s}"
    );
    insta::assert_snapshot!("handshake_after_syn_80x24", t.backend());
}

#[test]
fn handshake_after_the_syn_ack() {
    let r = replay("handshake-close.pcap", Some(2));
    let mut a = app();
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.contains("ESTABLISHED │◀"), "{s}");
    assert!(s.contains("SYN+ACK seq=0 ack=1"), "{s}");
    assert!(s.contains("SYN_RECEIVED"), "{s}");
    insta::assert_snapshot!("handshake_after_synack_80x24", t.backend());
    let t = draw(&mut a, &r, 160, 48);
    insta::assert_snapshot!("handshake_after_synack_160x48", t.backend());
}

#[test]
fn handshake_in_time_wait() {
    let r = replay("handshake-close.pcap", None);
    let mut a = app();
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.contains("0.107200    TIME_WAIT │◀"), "{s}");
    assert!(s.contains("client: TIME_WAIT 1 │ server: CLOSED 1"), "{s}");
    assert!(s.contains("The client sends ACK: it acknowledges"), "{s}");
    insta::assert_snapshot!("handshake_time_wait_80x24", t.backend());
}

#[test]
fn help_overlay() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.help.open = true;
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.contains("synack keys"), "{s}");
    assert!(s.contains("pause / resume"), "{s}");
    insta::assert_snapshot!("help_80x24", t.backend());
    let t = draw(&mut a, &r, 160, 48);
    let s = text(&t);
    // At 160x48 every key fits.
    for (k, what) in synack::ui::help::keys(Lang::En, false) {
        assert!(s.contains(&what), "{k}: {what} missing:\n{s}");
    }
    insta::assert_snapshot!("help_160x48", t.backend());
}

#[test]
fn help_overlay_in_chinese_and_in_ascii() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.lang = Lang::Zh;
    a.help.open = true;
    let t = draw(&mut a, &r, 160, 48);
    let s = text(&t);
    // The title and every key's words from the Chinese table; `l` names both languages.
    assert!(s.contains("synack 按键（? 或 Esc 关闭，↑↓ 滚动）"), "{s}");
    assert!(!s.contains("synack keys"), "{s}");
    for (k, what) in synack::ui::help::keys(Lang::Zh, false) {
        assert!(s.contains(&what), "{k}: {what} missing:\n{s}");
    }
    assert!(s.contains("语言：English / 中文"), "{s}");
    insta::assert_snapshot!("help_zh_160x48", t.backend());
    // In ASCII the languages are named in ASCII, and the title's arrows are words.
    let mut a = synack::ui::app::App::new(Theme {
        ascii: true,
        color: false,
        ..Default::default()
    });
    a.help.open = true;
    let s = text(&draw(&mut a, &r, 160, 48));
    assert!(s.contains("language: English / Chinese"), "{s}");
    assert!(
        s.contains("synack keys (? or Esc closes, Up/Down scroll)"),
        "{s}"
    );
    assert!(s.is_ascii(), "{s}");
    // In Chinese the notes' glyphs are ASCII's too.
    a.lang = Lang::Zh;
    let s = text(&draw(&mut a, &r, 160, 48));
    assert!(s.contains("箭头：- 报文段，= 复位，. 推断"), "{s}");
}

#[test]
fn empty_capture() {
    let r = empty();
    let mut a = app();
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.contains("No TCP connection in this capture."), "{s}");
    assert!(s.contains("No connection selected"), "{s}");
    insta::assert_snapshot!("empty_80x24", t.backend());
    // The problems view at the end of an empty capture does not promise findings to come.
    a.view = synack::ui::app::View::Problems;
    let s = text(&draw(&mut a, &r, 80, 24));
    assert!(
        s.contains("No TCP connection in this capture: nothing to diagnose."),
        "{s}"
    );
    assert!(s.contains("Nothing found; p goes back."), "{s}");
    assert!(!s.contains("as the replay reaches them"), "{s}");
}

#[test]
fn filter_with_no_match() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    for c in "yyy".chars() {
        let _ = a.handle_key(
            crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c)),
            &r,
        );
    }
    // Typed without '/', those keys do nothing: the filter is set through '/'.
    assert!(a.filter.text.is_empty());
    let _ = a.handle_key(
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('/')),
        &r,
    );
    for c in "port:9999".chars() {
        let _ = a.handle_key(
            crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c)),
            &r,
        );
    }
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(
        s.contains("No connection matches the filter \"port:9999\""),
        "{s}"
    );
    assert!(s.contains("filter /port:9999"), "{s}");
    insta::assert_snapshot!("filter_no_match_80x24", t.backend());
    a.lang = Lang::Zh;
    let s = text(&draw(&mut a, &r, 80, 24));
    assert!(s.contains("没有连接符合过滤条件“port:9999”"), "{s}");
}

#[test]
fn tiny_terminal_says_too_small() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    let t = draw(&mut a, &r, 20, 6);
    let s = text(&t);
    assert!(s.contains("too small"), "{s}");
    insta::assert_snapshot!("too_small_20x6", t.backend());
}

#[test]
fn ascii_mode_uses_no_line_drawing() {
    let r = replay("demo.pcap", None);
    let mut a = synack::ui::app::App::new(Theme {
        ascii: true,
        color: false,
        ..Default::default()
    });
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.is_ascii(), "{s}");
    // (The SYN is scrolled out of this small ladder by the findings line and the countdown.)
    assert!(s.contains("|-- FIN+ACK seq=11 ack=1 ---"), "{s}");
    assert!(s.contains("|<---------------- FIN+ACK seq=1"), "{s}");
    assert!(s.contains("| ################ 2*MSL"), "{s}");
    insta::assert_snapshot!("ascii_demo_80x24", t.backend());
    a.help.open = true;
    let t = draw(&mut a, &r, 80, 24);
    assert!(text(&t).is_ascii(), "{}", text(&t));
}

#[test]
fn chinese_narration() {
    let r = replay("handshake-close.pcap", Some(1));
    let mut a = app();
    a.lang = Lang::Zh;
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    // Wide characters take two cells; the buffer holds them with an empty cell after.
    assert!(s.contains("客户端发送"), "{s}");
    // The panes' titles too: no English left but the data and the states' RFC names.
    assert!(s.contains("连接 1 │ 排序 # ▲ │ 跟随"), "{s}");
    assert!(s.contains("握手 不完整 │ 拆除 无"), "{s}");
    for english in [
        "Connections",
        "sort",
        "follow",
        "handshake partial",
        "teardown",
    ] {
        assert!(!s.contains(english), "{english}: {s}");
    }
    insta::assert_snapshot!("handshake_after_syn_zh_80x24", t.backend());
}

#[test]
fn reset_arrow_has_its_own_shape_and_states_their_colours() {
    let r = replay("refused.pcap", None);
    let mut a = app();
    a.focus = Focus::Ladder;
    let t = draw(&mut a, &r, 100, 30);
    let s = text(&t);
    assert!(
        s.contains("◀═"),
        "a reset is drawn with a double line:\n{s}"
    );
    // The ESTABLISHED/CLOSED names are coloured by state.
    let buf = t.backend().buffer();
    let mut found = false;
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        if let Some(p) = line.find("SYN_SENT") {
            let x = line[..p].chars().count() as u16;
            assert_eq!(buf[(x, y)].fg, Color::Yellow);
            found = true;
            break;
        }
    }
    assert!(found, "{s}");
}

#[test]
fn folded_data_run_expands() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.follow = false;
    a.selected = Some(1);
    let t = draw(&mut a, &r, 100, 40);
    let s = text(&t);
    assert!(s.contains("6 segments, 3,840 bytes"), "{s}");
    a.ladder.expand_all = true;
    let t = draw(&mut a, &r, 100, 40);
    let s = text(&t);
    assert!(!s.contains("6 segments, 3,840 bytes"), "{s}");
    assert!(s.contains("PSH+ACK seq=1461 ack=121 len=1460"), "{s}");
}

/// The app with the problems view open (as after `p`).
fn problems_app(r: &Replay) -> synack::ui::app::App {
    let mut a = app();
    a.sync(r, ui_common::area(80, 24));
    let _ = a.handle_key(
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('p')),
        r,
    );
    assert_eq!(a.view, synack::ui::app::View::Problems);
    a
}

/// Lines of `s` that contain `what`, by index (to check the order of sections).
fn line_of(s: &str, what: &str) -> usize {
    s.lines()
        .position(|l| l.contains(what))
        .unwrap_or_else(|| panic!("{what} missing:\n{s}"))
}

#[test]
fn problems_view_of_the_demo() {
    let r = replay("demo.pcap", None);
    let mut a = problems_app(&r);
    let t = draw(&mut a, &r, 160, 48);
    let s = text(&t);
    // Kinds worst first, each with the endpoint it concerns, then its findings.
    let order = [
        "CLOSE_WAIT that never closes (1)",
        "192.168.1.20:5432 (server)",
        "#4     t+3.550    the application on 192.168.1.20:5432 has not closed its socket",
        "SYNs nobody answers (1)",
        "192.168.1.99:443 (server)",
        "3 SYNs from 192.168.1.10:51004 to 192.168.1.99:443 at 0 s, 1 s, 3 s",
        "Resets (1)",
        "the client 192.168.1.10:51002 aborted the connection in ESTABLISHED after 400 bytes",
        "Refused connections (1)",
        "port 81 closed on 192.168.1.20",
        "TIME_WAIT (3)  normal, not a problem",
        "192.168.1.10 (client)  2",
        "192.168.1.20:6000 (server)",
    ];
    let mut last = 0;
    for want in order {
        let at = line_of(&s, want);
        assert!(at >= last, "{want} out of order:\n{s}");
        last = at;
    }
    assert!(
        s.contains(" Problems │ 7 findings on 6 of 6 connections │ 4 problems "),
        "{s}"
    );
    assert!(s.contains("client: CLOSED 2"), "{s}");
    // The first choice is the worst: the CLOSE_WAIT, in full on the narration line.
    assert!(s.contains("▸   ! #4"), "{s}");
    assert!(
        s.contains("#4 192.168.1.20:5432 (server), since 10:00:03.550 UTC: the application"),
        "{s}"
    );
    assert!(s.contains("Evidence: frames 29, 30."), "{s}");
    insta::assert_snapshot!("problems_demo_160x48", t.backend());
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.contains("CLOSE_WAIT that never closes (1)"), "{s}");
    assert!(
        s.contains("▸   ! #4     the application on 192.168.1.20:5432"),
        "{s}"
    );
    assert!(s.contains("Enter show on the ladder"), "{s}");
    assert!(s.contains(" 4 problems"), "{s}");
    insta::assert_snapshot!("problems_demo_80x24", t.backend());
}

#[test]
fn problems_view_of_a_syn_flood_and_a_time_wait_pile() {
    let r = replay("diag-syn-flood.pcap", None);
    let mut a = problems_app(&r);
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    // The pattern first, then the half-open connections grouped under their server.
    let p = line_of(&s, "Patterns across connections (1)");
    let g = line_of(
        &s,
        "SYN flood pattern: 50 half-open connections to 10.0.0.2:80",
    );
    let k = line_of(&s, "Half-open connections (50)");
    let e = line_of(&s, "10.0.0.2:80 (server)  50");
    assert!(p < g && g < k && k < e, "{s}");
    assert!(s.contains("▸  ! SYN flood pattern"), "{s}");
    assert!(s.contains("Connections #1 #2 #3"), "{s}");
    assert!(s.contains("51 problems"), "{s}");
    insta::assert_snapshot!("problems_syn_flood_80x24", t.backend());
    let t = draw(&mut a, &r, 160, 48);
    let s = text(&t);
    assert!(s.contains("patterns 1 half_open 50 (51 problems)"), "{s}");
    assert!(
        s.contains("stays in SYN_RECEIVED: SYN+ACK sent 2 times"),
        "{s}"
    );
    insta::assert_snapshot!("problems_syn_flood_160x48", t.backend());

    let r = replay("diag-time-wait-pile.pcap", None);
    let mut a = problems_app(&r);
    let t = draw(&mut a, &r, 160, 48);
    let s = text(&t);
    let p1 = line_of(
        &s,
        "12 connections to 10.0.0.2:80 in TIME_WAIT, held by the client 10.0.0.9",
    );
    let p2 = line_of(
        &s,
        "10 connections to 10.0.0.3:8080 in TIME_WAIT, held by the server 10.0.0.3",
    );
    let c = line_of(&s, "10.0.0.9 (client)  12");
    let sv = line_of(&s, "10.0.0.3:8080 (server)  10");
    assert!(p1 < p2 && p2 < c && c < sv, "{s}");
    insta::assert_snapshot!("problems_time_wait_pile_160x48", t.backend());
}

#[test]
fn ladder_marks_the_evidence_and_counts_time_wait_down() {
    let r = replay("demo.pcap", None);
    let mut a = problems_app(&r);
    // Down to #1's TIME_WAIT (the last finding), then Enter.
    let rows = r.findings.rows.clone();
    let target = rows
        .iter()
        .position(|row| {
            matches!(
                row,
                synack::ui::findings_cache::PRow::Finding { conn: 1, .. }
            )
        })
        .expect("a finding on #1");
    for _ in 0..10 {
        if a.problems.cursor == target {
            break;
        }
        let _ = a.handle_key(
            crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Down),
            &r,
        );
    }
    assert_eq!(a.problems.cursor, target);
    let _ = a.handle_key(
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter),
        &r,
    );
    assert_eq!(a.selected, Some(1));
    assert_eq!(a.focus, Focus::Ladder);
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.contains("#1 192.168.1.10:51000 → 192.168.1.20:80"), "{s}");
    assert!(
        s.contains("zeek SF ShADadFf │ · time_wait: the client 192.168.1.10:51000 closed first"),
        "{s}"
    );
    // The evidence (the FINs, frames 10 and 12): the cursor on the first, `!` on the other.
    assert!(
        s.contains("▸ 0.096200   FIN_WAIT_1 │── FIN+ACK seq=121"),
        "{s}"
    );
    // (The `!` on the other is below the fold at 80x24 once the narration takes the lines it
    // needs: checked at 160x48 below.)
    // The countdown on the client's side: 60 s from TIME_WAIT at 0.1072 to 15.25 s.
    assert!(s.contains("15.250200  44.9 s left │███"), "{s}");
    assert!(s.contains("2*MSL 75% left"), "{s}");
    insta::assert_snapshot!("ladder_evidence_time_wait_80x24", t.backend());
    let t = draw(&mut a, &r, 160, 48);
    let s = text(&t);
    assert!(s.contains("◀ evidence: time_wait"), "{s}");
    assert!(s.contains("! 0.107200    TIME_WAIT │◀──"), "{s}");
    // The evidence is highlighted, not only marked.
    let buf = t.backend().buffer();
    let y = s.lines().position(|l| l.contains("! 0.107200")).unwrap() as u16;
    let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
    let x = line[..line.find("FIN+ACK").unwrap()].chars().count() as u16;
    assert_eq!(buf[(x, y)].fg, Color::Yellow, "{s}");
    insta::assert_snapshot!("ladder_evidence_time_wait_160x48", t.backend());
}

#[test]
fn segments_past_the_event_cap_80x24() {
    // --max-events 16: the 169 segments not kept get a row where they fell, between the
    // first data and the teardown; the cursor on it explains.
    let r = ui_common::replay_with(
        "bulk-transfer.pcap",
        None,
        synack::track::TrackerConfig {
            max_events: 16,
            ..Default::default()
        },
    );
    let mut a = app();
    a.follow = false;
    a.selected = Some(1);
    a.sync(&r, ui_common::area(80, 24));
    let key = |a: &mut synack::ui::app::App, k| {
        let _ = a.handle_key(crossterm::event::KeyEvent::from(k), &r);
    };
    key(&mut a, crossterm::event::KeyCode::Enter);
    assert_eq!(a.focus, Focus::Ladder);
    // From the newest row up past the four teardown segments.
    for _ in 0..4 {
        key(&mut a, crossterm::event::KeyCode::Up);
    }
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.contains("169 segments, 163,624 bytes not kept"), "{s}");
    assert!(
        s.contains("169 data and ACK segments (163,624 bytes) here were not kept"),
        "{s}"
    );
    let lines: Vec<&str> = s.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or(usize::MAX)
    };
    assert!(at("13 segments, 11,784 bytes") < at("169 segments"), "{s}");
    assert!(at("169 segments") < at("FIN+ACK"), "{s}");
    insta::assert_snapshot!("event_cap_bulk_transfer_80x24", t.backend());
}

#[test]
fn a_tunneled_connection_names_its_tunnels_in_the_ladder_title() {
    let r = replay("tunnels.pcap", None);
    let mut a = app();
    a.follow = false;
    a.selected = Some(1);
    let s = text(&draw(&mut a, &r, 160, 48));
    assert!(s.contains("tunnel: ip 192.0.2.1 -> 192.0.2.2"), "{s}");
    // A plain connection says nothing of tunnels.
    let r = replay("handshake-close.pcap", None);
    let mut a = app();
    let s = text(&draw(&mut a, &r, 160, 48));
    assert!(!s.contains("tunnel:"), "{s}");
}

#[test]
fn a_save_that_failed_is_said_on_the_status_bar() {
    let mut r = replay("handshake-close.pcap", None);
    r.player.status.live = true;
    r.player.status.save = Some(synack::capture::savefile::SaveStatus {
        path: "/mnt/full/x.pcap".into(),
        saved: 1333,
        unsaved: 13860,
        error: Some("No space left on device (os error 28)".into()),
    });
    let mut a = app();
    let t = draw(&mut a, &r, 160, 24);
    let s = text(&t);
    let bar = s.lines().next().unwrap_or_default();
    assert!(
        bar.contains("saving to /mnt/full/x.pcap stopped: No space left on device"),
        "{s}"
    );
    assert!(bar.contains("13860 not saved"), "{bar}");
    // Saving that goes well is not on the bar.
    r.player.status.save.as_mut().unwrap().error = None;
    let s = text(&draw(&mut a, &r, 160, 24));
    assert!(!s.contains("saving to"), "{s}");
}

#[test]
fn where_an_export_went_is_said_on_the_status_bar_until_the_next_key() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.notice = Some("exported #6 to /home/teacher/slides/synack-conn-6.mmd".into());
    // Even on a narrow screen the parts on the left give way to it.
    let s = text(&draw(&mut a, &r, 80, 24));
    let bar = s.lines().next().unwrap_or_default();
    assert!(
        bar.contains("exported #6 to /home/teacher/slides/synack-conn-6.mmd"),
        "{bar}"
    );
    a.handle_key(
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Down),
        &r,
    );
    assert_eq!(a.notice, None);
    let s = text(&draw(&mut a, &r, 80, 24));
    assert!(!s.contains("exported"), "{s}");
}

#[test]
fn inferred_states_and_uncaptured_segments_look_different_from_what_was_seen() {
    use ratatui::style::Modifier;
    // The SYN+ACK was not captured: the client's ACK is where both ends are inferred
    // ESTABLISHED; the server's ESTABLISHED there is drawn dim and italic.
    let r = replay("missing-segments.pcap", None);
    let mut a = app();
    a.follow = false;
    a.selected = Some(1);
    a.ladder.expand_all = true;
    let t = draw(&mut a, &r, 120, 40);
    let s = text(&t);
    let y = s
        .lines()
        .position(|l| l.contains("ACK seq=1 ack=1 ") && l.contains("[inferred]"))
        .unwrap_or_else(|| panic!("no inferred row:\n{s}")) as u16;
    let buf = t.backend().buffer();
    let row: String = (0..120).map(|x| buf[(x, y)].symbol().to_string()).collect();
    let x = row.rfind("ESTABLISHED").unwrap() as u16;
    // (Column of a byte offset: the row left of it is ASCII but for the lifelines.)
    let x = row[..x as usize].chars().count() as u16;
    assert!(buf[(x, y)].modifier.contains(Modifier::ITALIC), "{row}");
    // A plain segment's state is not.
    let y2 = s.lines().position(|l| l.contains("FIN+ACK seq=")).unwrap() as u16;
    let row2: String = (0..120)
        .map(|x| buf[(x, y2)].symbol().to_string())
        .collect();
    let x2 = row2.rfind("_WAIT").or(row2.rfind("FIN_WAIT_1")).unwrap();
    let x2 = row2[..x2].chars().count() as u16;
    assert!(!buf[(x2, y2)].modifier.contains(Modifier::ITALIC), "{row2}");
}

#[test]
fn a_segment_not_captured_is_drawn_dotted() {
    use synack::testkit::{seg, ACK, SYN_ACK};
    // A SYN+ACK whose SYN was not captured: the SYN is drawn where it would be, dotted.
    let mut r = Replay::new(Default::default(), "x", false);
    let now = std::time::Instant::now();
    r.apply(&seg(false, SYN_ACK, 5000, 1001, 0, 10), 1, now);
    r.apply(&seg(true, ACK, 1001, 5001, 0, 20), 2, now);
    r.player.paused = true;
    let mut a = app();
    let s = text(&draw(&mut a, &r, 100, 30));
    let syn = s
        .lines()
        .find(|l| l.contains(" SYN seq=0"))
        .unwrap_or_else(|| panic!("no inferred SYN:\n{s}"));
    assert!(syn.contains("┄┄ SYN seq=0") && syn.contains("┄▶"), "{syn}");
    let ack = s.lines().find(|l| l.contains("ACK seq=1 ack=1")).unwrap();
    assert!(ack.contains("── ACK"), "{ack}");
}

#[test]
fn the_problems_view_in_chinese_names_each_kind_and_says_each_finding() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    a.lang = Lang::Zh;
    a.view = synack::ui::app::View::Problems;
    let s = text(&draw(&mut a, &r, 160, 48));
    // The demo's refused port 81 and its unanswered SYNs, headed and said in Chinese.
    assert!(
        s.contains("被拒绝的连接") && s.contains("无人应答的 SYN"),
        "{s}"
    );
    assert!(s.contains("拒绝了连接：该端口上没有进程在监听"), "{s}");
    assert!(!s.contains("Refused connections"), "{s}");
    // Its title, the notes of the kinds that are no problem, and the chosen finding in full.
    assert!(s.contains("条发现，涉及") && s.contains("个问题"), "{s}");
    assert!(s.contains("正常，不是问题"), "{s}");
    assert!(!s.contains("normal, not a problem"), "{s}");
    // Where the findings are: the server's port and the client's host, named in Chinese.
    assert!(s.contains("192.168.1.20:81（服务器）"), "{s}");
    assert!(!s.contains("(server)") && !s.contains("(client)"), "{s}");
    let mut at = a.clone();
    while !synack::ui::problems::narration(&r, &at).starts_with('#') {
        at.problems.cursor += 1;
    }
    let n = synack::ui::problems::narration(&r, &at);
    assert!(n.contains("证据：第") && n.contains("按 Enter"), "{n}");
    a.lang = Lang::En;
    let s = text(&draw(&mut a, &r, 160, 48));
    assert!(
        s.contains("Refused connections") && s.contains("port 81 closed"),
        "{s}"
    );
    assert!(s.contains("192.168.1.20:81 (server)"), "{s}");
}

#[test]
fn app_labels_name_the_data_on_the_ladder_and_in_the_narration() {
    // app-web's third connection: HTTPS, its ClientHello in two segments (frames 25, 26).
    let r = replay("app-web.pcap", Some(25));
    let mut a = app();
    let t = draw(&mut a, &r, 120, 30);
    let s = text(&t);
    assert!(s.contains("teardown none │ ssl"), "{s}");
    assert!(
        s.contains("PSH+ACK seq=1 ack=1 len=40: TLS ClientHello"),
        "{s}"
    );
    assert!(
        s.contains("HTTPS: A TLS handshake now starts on top of the TCP connection"),
        "{s}"
    );
    insta::assert_snapshot!("app_tls_hello_120x30", t.backend());
    // Once its second piece came, the hello was read whole: the server's name is there (cut
    // to the arrow at this width; whole at 200 columns).
    let r = replay("app-web.pcap", Some(26));
    let s = text(&draw(&mut a, &r, 120, 30));
    assert!(
        s.contains("len=40: TLS ClientHello SNI=www.examp… ─▶"),
        "{s}"
    );
    let s = text(&draw(&mut a, &r, 200, 30));
    assert!(
        s.contains("TLS ClientHello SNI=www.example.com ALPN=h2,http/1.1"),
        "{s}"
    );
    // The first connection's HTTP lines, in Chinese.
    let r = replay("app-web.pcap", Some(5));
    a.lang = Lang::Zh;
    let t = draw(&mut a, &r, 120, 30);
    let s = text(&t);
    assert!(s.contains("GET /index.html HTTP/1.1"), "{s}");
    insta::assert_snapshot!("app_http_request_zh_120x30", t.backend());
}

/// The demo as if its client, 192.168.1.10, were this host: the kernel holds #1 in
/// TIME_WAIT (54 s left), #4 in FIN_WAIT_2 and #5 in SYN_SENT (owned by curl), and has no
/// socket for #6 any more (synack still infers TIME_WAIT: the kernel line says so).
fn demo_with_kernel() -> Replay {
    use synack::kernel::{Owner, Sock, Table, View};
    use synack::track::State;
    let ep = |s: &str| {
        let a: std::net::SocketAddr = s.parse().unwrap();
        synack::decode::Endpoint {
            ip: a.ip(),
            port: a.port(),
        }
    };
    let sock = |l: &str, r: &str, state, timer_secs, inode| Sock {
        local: ep(l),
        remote: ep(r),
        state,
        timer_secs,
        inode,
    };
    let socks = [
        sock(
            "192.168.1.10:51000",
            "192.168.1.20:80",
            State::TimeWait,
            Some(54.2),
            0,
        ),
        sock(
            "192.168.1.10:51003",
            "192.168.1.20:5432",
            State::FinWait2,
            None,
            7,
        ),
        sock(
            "192.168.1.10:51004",
            "192.168.1.99:443",
            State::SynSent,
            Some(3.0),
            8,
        ),
    ];
    let curl = Owner {
        pid: 812,
        name: "curl".into(),
    };
    let owners = std::collections::HashMap::from([(7, curl.clone()), (8, curl)]);
    let mut r = replay("demo.pcap", None);
    r.kernel = Some(std::sync::Arc::new(View {
        tables: vec![Table::new(
            vec!["192.168.1.10".parse().unwrap()],
            &socks,
            &owners,
        )],
        at: None,
    }));
    // The findings again, now with the kernel's view (as the event loop does after a poll).
    r.refresh_diagnosis(None);
    r
}

#[test]
fn the_problems_view_lists_where_the_kernel_disagrees() {
    let r = demo_with_kernel();
    let mut a = problems_app(&r);
    let s = text(&draw(&mut a, &r, 160, 48));
    let at = line_of(&s, "The kernel says otherwise (1)");
    assert!(
        s.lines().skip(at).any(|l| l.contains("#6")
            && l.contains("synack infers TIME_WAIT for the client (192.168.1.10:51005)")
            && l.contains("the kernel says it has no socket on this 4-tuple (CLOSED)")),
        "{s}"
    );
    // The kernel agreeing (#1 TIME_WAIT, #4 FIN_WAIT_2, #5 SYN_SENT) is no finding.
    assert!(
        s.contains(" Problems │ 8 findings on 6 of 6 connections │ 4 problems "),
        "{s}"
    );
    a.lang = Lang::Zh;
    let s = text(&draw(&mut a, &r, 160, 48));
    assert!(s.contains("内核的看法不同 (1)"), "{s}");
}

#[test]
fn kernel_view_in_the_list_and_the_ladder() {
    let r = demo_with_kernel();
    for (lang, name) in [
        (Lang::En, "kernel_view_en_160x30"),
        (Lang::Zh, "kernel_view_zh_160x30"),
    ] {
        let mut a = app();
        a.lang = lang;
        let t = draw(&mut a, &r, 160, 30);
        let s = text(&t);
        if lang == Lang::En {
            for want in [
                "kernel",
                "TIME_WAIT/-",
                "FIN_WAIT2/-",
                "SYN_SENT/-",
                "none/-",
                "kernel: client no socket (synack infers TIME_WAIT) │ server not on this host",
            ] {
                assert!(s.contains(want), "{want} missing:\n{s}");
            }
        } else {
            assert!(s.contains("内核"), "{s}");
            assert!(
                s.contains("内核：客户端 无套接字（synack 推断为 TIME_WAIT）"),
                "{s}"
            );
            assert!(s.contains("无/-"), "{s}");
            assert!(s.contains("不在本机"), "{s}");
        }
        insta::assert_snapshot!(name, t.backend());
    }
    // Connection #1: the kernel agrees, with its timer.
    let mut a = app();
    a.follow = false;
    a.selected = Some(1);
    let s = text(&draw(&mut a, &r, 120, 30));
    assert!(
        s.contains("kernel: client TIME_WAIT, 54 s left │ server not on this host"),
        "{s}"
    );
    a.selected = Some(4);
    let s = text(&draw(&mut a, &r, 120, 30));
    assert!(s.contains("client FIN_WAIT_2 (curl 812)"), "{s}");
    // Narrower, the column says = where the kernel agrees (its state is in the columns
    // beside) and names only what it disagrees on, so the addresses and the flags keep their
    // room.
    let t = draw(&mut a, &r, 120, 30);
    assert!(text(&t).contains("SsDdFf"), "{}", text(&t));
    insta::assert_snapshot!("kernel_view_en_120x30", t.backend());
    let s = text(&draw(&mut a, &r, 100, 30));
    let row = |id: &str| {
        s.lines()
            .find(|l| l.trim_start_matches(['!', ' ']).starts_with(id))
            .unwrap_or_else(|| panic!("no row {id}:\n{s}"))
            .to_string()
    };
    assert!(row("1 192.168.1.10:51000").contains("=/-"), "{s}");
    assert!(row("6 192.168").contains("none/-"), "{s}");
}

#[test]
fn an_error_longer_than_the_status_bar_is_cut_not_dropped() {
    let mut r = replay("demo.pcap", None);
    r.player.status.error = Some(
        "fixtures/a-capture-with-a-rather-long-name.pcap: truncated packet record at byte 123456: \
         the file ends inside a packet (was it still being written?)"
            .into(),
    );
    for w in [80u16, 100, 120] {
        let mut a = app();
        let t = draw(&mut a, &r, w, 24);
        let bar = text(&t).lines().next().unwrap().to_string();
        assert!(bar.contains("error: fixtures/a-capture"), "{w}: {bar}");
        assert!(bar.contains('…'), "{w}: {bar}");
        // The play state still shows before it.
        assert!(bar.contains("PAUSED") || bar.contains("END"), "{w}: {bar}");
    }
}

#[test]
fn a_live_status_bar_in_chinese() {
    let live = Replay::new(synack::track::TrackerConfig::default(), "eth0", true);
    let mut a = app();
    a.lang = Lang::Zh;
    let bar = text(&draw(&mut a, &live, 120, 24))
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(bar.contains("实时") && bar.contains("实时 eth0"), "{bar}");
    assert!(!bar.contains("LIVE") && !bar.contains("live"), "{bar}");
}
