//! The UDP view (`u`): snapshots of the pure render on fixed state, in English and Chinese,
//! and its keys.

mod ui_common;

use crossterm::event::{KeyCode, KeyEvent};
use synack::i18n::Lang;
use synack::ui::app::{App, View};
use synack::ui::replay::Replay;
use ui_common::{app, draw, replay, replay_udp, text};

fn key(a: &mut App, r: &Replay, code: KeyCode) {
    a.sync(r, a.layout.area);
    a.handle_key(KeyEvent::from(code), r);
}

#[test]
fn the_udp_view_draws_datagrams_with_no_states_and_says_why() {
    let r = replay_udp("udp-dns.pcap");
    let mut a = app();
    draw(&mut a, &r, 120, 30);
    key(&mut a, &r, KeyCode::Char('u'));
    assert_eq!(a.view, View::Udp);
    // The second flow, its second datagram: the resolver's retry.
    key(&mut a, &r, KeyCode::Down);
    key(&mut a, &r, KeyCode::Tab);
    key(&mut a, &r, KeyCode::Down);
    let t = draw(&mut a, &r, 120, 30);
    let s = text(&t);
    assert!(s.contains("UDP flows 5"), "{s}");
    assert!(
        s.contains("#2 10.0.0.1:53002 → 10.0.0.53:53     2→ 1← dns"),
        "{s}"
    );
    assert!(s.contains("│── UDP 34 B ──"), "{s}");
    assert!(s.contains("── UDP 34 B ──│"), "{s}");
    assert!(s.contains("DNS query lost.example.com A"), "{s}");
    assert!(s.contains("34-byte datagram again (DNS query"), "{s}");
    assert!(s.contains("not a UDP retransmission"), "{s}");
    // No TCP state on a UDP ladder.
    let ladder: Vec<&str> = s.lines().filter(|l| l.contains("UDP 34 B")).collect();
    assert!(ladder.iter().all(|l| !l.contains("ESTABLISHED")));
    insta::assert_snapshot!("udp_view_retry_120x30", t.backend());

    a.lang = Lang::Zh;
    let t = draw(&mut a, &r, 120, 30);
    let s = text(&t);
    assert!(s.contains("UDP 流 5"), "{s}");
    assert!(s.contains("这不是 UDP 的重传"), "{s}");
    // The summary strip's words too (the kinds keep their JSON names).
    assert!(
        s.contains("发现： time_wait 1") && !s.contains("findings:"),
        "{s}"
    );
    insta::assert_snapshot!("udp_view_retry_zh_120x30", t.backend());

    // The answer, then back to the connections.
    key(&mut a, &r, KeyCode::Down);
    let s = text(&draw(&mut a, &r, 120, 30));
    assert!(s.contains("服务器回复一个 34 字节"), "{s}");
    key(&mut a, &r, KeyCode::Esc);
    assert_eq!(a.view, View::Connections);
}

#[test]
fn the_udp_view_at_80x24_keeps_the_arrows_whole() {
    let r = replay_udp("udp-dns.pcap");
    let mut a = app();
    draw(&mut a, &r, 80, 24);
    key(&mut a, &r, KeyCode::Char('u'));
    let t = draw(&mut a, &r, 80, 24);
    let s = text(&t);
    let arrows: Vec<&str> = s.lines().filter(|l| l.contains("UDP 33 B")).collect();
    assert_eq!(arrows.len(), 2, "{s}");
    for l in arrows {
        assert_eq!(l.matches('│').count(), 2, "{l}");
    }
    insta::assert_snapshot!("udp_view_80x24", t.backend());
}

#[test]
fn without_udp_decoded_the_view_says_how_to_get_it() {
    // A live capture without --udp: the kernel filter kept only TCP.
    let r = replay("udp-dns.pcap", None);
    let mut a = app();
    draw(&mut a, &r, 100, 24);
    key(&mut a, &r, KeyCode::Char('u'));
    let s = text(&draw(&mut a, &r, 100, 24));
    assert!(
        s.contains("UDP is not read: start synack with --udp"),
        "{s}"
    );
    key(&mut a, &r, KeyCode::Char('u'));
    assert_eq!(a.view, View::Connections);
}

#[test]
fn a_file_without_udp_says_so_at_its_end_not_yet() {
    let r = ui_common::replay_udp("demo.pcap");
    assert!(r.at_end());
    let mut a = app();
    draw(&mut a, &r, 100, 24);
    key(&mut a, &r, KeyCode::Char('u'));
    let s = text(&draw(&mut a, &r, 100, 24));
    assert!(s.contains("This capture holds no UDP datagram"), "{s}");
    assert!(!s.contains("yet"), "{s}");
}

#[test]
fn i_in_the_udp_view_says_it_opens_tcp_segments() {
    let r = ui_common::replay_udp("udp-dns.pcap");
    let mut a = app();
    draw(&mut a, &r, 100, 24);
    key(&mut a, &r, KeyCode::Char('u'));
    key(&mut a, &r, KeyCode::Char('i'));
    assert_eq!(
        a.notice.as_deref(),
        Some("i opens a TCP segment's layers: u goes back to the connections")
    );
    assert!(!a.layers.is_open());
}
