//! Snapshots of the pure render functions on fixed states (ratatui's TestBackend + insta), at
//! 80x24 and 160x48, plus checks on what the snapshots must show.

mod ui_common;

use ratatui::style::Color;
use synack::ui::app::Focus;
use synack::ui::narrate::Lang;
use synack::ui::replay::Replay;
use synack::ui::theme::Theme;
use ui_common::{app, draw, replay, text};

fn empty() -> Replay {
    let mut r = Replay::new(Default::default(), "fixtures/empty.pcap", false);
    r.paused = true;
    r.status.done = true;
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
        s.contains("The client sends SYN: it asks to open a connection and enters SYN_SENT."),
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
    a.help = true;
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.contains("synack keys"), "{s}");
    assert!(s.contains("pause / resume"), "{s}");
    insta::assert_snapshot!("help_80x24", t.backend());
    let t = draw(&mut a, &r, 160, 48);
    let s = text(&t);
    // At 160x48 every key fits.
    for (k, what) in synack::ui::help::KEYS {
        assert!(s.contains(what), "{k}: {what} missing:\n{s}");
    }
    insta::assert_snapshot!("help_160x48", t.backend());
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
}

#[test]
fn filter_with_no_match() {
    let r = replay("demo.pcap", None);
    let mut a = app();
    for c in "zzz".chars() {
        let _ = a.handle_key(
            crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c)),
            &r,
            ui_common::area(80, 24),
        );
    }
    // Typed without '/', those keys do nothing: the filter is set through '/'.
    assert!(a.filter_text.is_empty());
    let _ = a.handle_key(
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('/')),
        &r,
        ui_common::area(80, 24),
    );
    for c in "port:9999".chars() {
        let _ = a.handle_key(
            crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c)),
            &r,
            ui_common::area(80, 24),
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
    });
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    assert!(s.is_ascii(), "{s}");
    assert!(s.contains("|-- SYN seq=0"), "{s}");
    insta::assert_snapshot!("ascii_demo_80x24", t.backend());
    a.help = true;
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
    a.expand_all = true;
    let t = draw(&mut a, &r, 100, 40);
    let s = text(&t);
    assert!(!s.contains("6 segments, 3,840 bytes"), "{s}");
    assert!(s.contains("PSH+ACK seq=1461 ack=121 len=1460"), "{s}");
}
