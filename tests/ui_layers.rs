//! The layers view (`i`): its pure render on fixed frames in English and Chinese at 80x24 and
//! 120x60 (snapshots), opening it from the ladder's cursor, waiting for and receiving the
//! frame, scrolling, closing, and what it says when a frame cannot be had.

mod ui_common;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use synack::capture::frames::{Fetcher, FrameError, FrameSource};
use synack::decode::layers::dissect;
use synack::i18n::Lang;
use synack::ui::app::{Action, Focus};
use synack::ui::layers::{self, Content, Open, SegmentCtx};
use synack::ui::theme::Theme;
use ui_common::{app, draw, fixture, replay};

fn theme() -> Theme {
    Theme {
        ascii: false,
        color: true,
        ..Default::default()
    }
}

/// The view alone, drawn as the app draws it, on a `w`x`h` screen.
fn view(o: &Open, lang: Lang, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        let area = layers::area(f.area());
        layers::render(f, area, o, lang, &theme());
    })
    .unwrap();
    t
}

fn text(t: &Terminal<TestBackend>) -> String {
    ui_common::text(t)
}

fn open_on(name: &str, n: u64, ctx: SegmentCtx) -> Open {
    let f = FrameSource::file(&fixture(name)).frame(n).unwrap();
    Open {
        frame: n,
        ctx,
        content: Content::Ready(Box::new(dissect(&f))),
        top: 0,
    }
}

/// The demo's first data segment (its bytes are letters).
fn demo_data() -> Open {
    let mut src = FrameSource::file(&fixture("demo.pcap"));
    let n = (1..)
        .find(|&n| {
            let l = dissect(&src.frame(n).unwrap());
            l.payload.as_ref().is_some_and(|p| p.len > 0)
        })
        .unwrap();
    open_on(
        "demo.pcap",
        n,
        SegmentCtx {
            rel_seq: 1,
            rel_ack: 1,
            wscale: Some(7),
            label: None,
        },
    )
}

fn syn() -> Open {
    open_on("demo.pcap", 1, SegmentCtx::default())
}

#[test]
fn a_syn_in_english_and_chinese_80x24_and_120x60() {
    let o = syn();
    let t = view(&o, Lang::En, 80, 24);
    let s = text(&t);
    for want in [
        "frame 1, layer by layer",
        "5 Application layer",
        "no data",
        "4 Transport layer",
        "SYN",
        "i or Esc closes",
        "▼",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    insta::assert_snapshot!("layers_syn_en_80x24", t.backend());
    let t = view(&o, Lang::En, 120, 60);
    let s = text(&t);
    for want in [
        "MSS",
        "3 Network layer",
        "TTL",
        "2 Data link layer",
        "Ethernet",
        "1 Physical layer",
        "on the wire",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    assert!(!s.contains("▼"), "all of it fits:\n{s}");
    insta::assert_snapshot!("layers_syn_en_120x60", t.backend());
    let t = view(&o, Lang::Zh, 80, 24);
    let s = text(&t);
    assert!(s.contains("第 1 帧，逐层展开"), "{s}");
    assert!(s.contains("应用层") && s.contains("传输层"), "{s}");
    insta::assert_snapshot!("layers_syn_zh_80x24", t.backend());
    let t = view(&o, Lang::Zh, 120, 60);
    let s = text(&t);
    for want in ["网络层", "数据链路层", "物理层"] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    insta::assert_snapshot!("layers_syn_zh_120x60", t.backend());
}

#[test]
fn a_data_segment_shows_its_bytes_escaped_with_a_hex_dump() {
    let o = demo_data();
    let t = view(&o, Lang::En, 120, 60);
    let s = text(&t);
    assert!(s.contains("0000  "), "{s}");
    assert!(s.contains("(scaled ×128 = "), "{s}");
    assert!(s.contains("text"), "{s}");
    // No raw control byte reaches the screen: a newline in the data is written \x0a.
    assert!(!s.contains('\r'), "{s}");
    insta::assert_snapshot!("layers_data_en_120x60", t.backend());
}

#[test]
fn the_label_slot_shows_an_application_label_when_there_is_one() {
    let mut o = demo_data();
    o.ctx.label = Some("GET /index.html HTTP/1.1\x1b[2J".into());
    let s = text(&view(&o, Lang::En, 120, 60));
    assert!(s.contains("label"), "{s}");
    assert!(s.contains("GET /index.html HTTP/1.1\\x1b[2J"), "{s}");
}

#[test]
fn a_snaplen_cut_frame_says_where_it_stopped() {
    let mut src = FrameSource::file(&fixture("snaplen-64.pcap"));
    let n = (1..)
        .find(|&n| {
            let l = dissect(&src.frame(n).unwrap());
            l.stopped.is_some()
        })
        .unwrap();
    let o = open_on("snaplen-64.pcap", n, SegmentCtx::default());
    let t = view(&o, Lang::En, 120, 60);
    let s = text(&t);
    assert!(s.contains("stopped at byte"), "{s}");
    assert!(s.contains("(cut by the snaplen)"), "{s}");
    insta::assert_snapshot!("layers_snaplen_en_120x60", t.backend());
    let s = text(&view(&o, Lang::Zh, 120, 60));
    assert!(s.contains("字节处停止"), "{s}");
}

#[test]
fn a_tunnelled_segment_shows_every_level() {
    let mut src = FrameSource::file(&fixture("tunnels.pcap"));
    let n = (1..)
        .find(|&n| {
            let l = dissect(&src.frame(n).unwrap());
            l.tcp.is_some()
                && l.net
                    .iter()
                    .any(|h| matches!(h, synack::decode::layers::NetHeader::InnerEthernet(_)))
        })
        .unwrap();
    let o = open_on("tunnels.pcap", n, SegmentCtx::default());
    let s = text(&view(&o, Lang::En, 120, 80));
    assert!(s.contains("── tunnel: "), "{s}");
    assert!(s.matches("Ethernet").count() >= 2, "{s}");
    assert!(s.matches("IPv").count() >= 2, "{s}");
}

#[test]
fn waiting_and_failures_are_said_plainly_in_both_languages() {
    let mut o = syn();
    o.content = Content::Reading;
    let s = text(&view(&o, Lang::En, 80, 24));
    assert!(s.contains("reading frame 1…"), "{s}");
    insta::assert_snapshot!(
        "layers_reading_en_80x24",
        view(&o, Lang::En, 80, 24).backend()
    );
    let s = text(&view(&o, Lang::Zh, 80, 24));
    assert!(s.contains("正在读取第 1 帧…"), "{s}");
    o.content = Content::Failed(FrameError::NotHeld);
    let s = text(&view(&o, Lang::En, 80, 24));
    assert!(s.contains("frame 1 is no longer held"), "{s}");
    o.content = Content::Failed(FrameError::Unavailable("standard input is not kept".into()));
    let s = text(&view(&o, Lang::En, 80, 24));
    assert!(
        s.contains("frame 1 cannot be read again: standard input is not kept"),
        "{s}"
    );
    let s = text(&view(&o, Lang::Zh, 80, 24));
    assert!(s.contains("第 1 帧无法重新读取"), "{s}");
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::from(c)
}

#[test]
fn i_on_the_ladder_opens_the_cursor_segment_and_esc_closes_it() {
    let mut r = replay("handshake-close.pcap", None);
    let mut a = app();
    draw(&mut a, &r, 80, 24);
    a.focus = Focus::Ladder;
    // To the ladder's top (Home is the replay's): the Initial row, then the first segment.
    for _ in 0..3 {
        a.handle_key(key(KeyCode::PageUp), &r);
        draw(&mut a, &r, 80, 24);
    }
    let mut action = a.handle_key(key(KeyCode::Char('i')), &r);
    if action == Action::None {
        a.handle_key(key(KeyCode::Down), &r);
        action = a.handle_key(key(KeyCode::Char('i')), &r);
    }
    let Action::Frame(n) = action else {
        panic!("{action:?}")
    };
    assert_eq!(n, 1, "the SYN, frame 1");
    assert!(a.layers.waiting());
    let s = ui_common::text(&draw(&mut a, &r, 80, 24));
    assert!(s.contains(&format!("reading frame {n}…")), "{s}");
    // The replay of this test has no fetcher: it answers at once that it cannot.
    r.request_frame(n);
    let (m, got) = r.take_frame().unwrap();
    assert_eq!(m, n);
    assert!(matches!(got, Err(FrameError::Unavailable(_))));
    // What a fetcher gives, arriving.
    let f = FrameSource::file(&fixture("handshake-close.pcap")).frame(n);
    a.layers.arrived(n + 1, f.clone());
    assert!(
        a.layers.waiting(),
        "another frame's answer is not this one's"
    );
    a.layers.arrived(n, f);
    assert!(!a.layers.waiting());
    let s = ui_common::text(&draw(&mut a, &r, 80, 24));
    assert!(s.contains("Application layer"), "{s}");
    // l switches the language with the view open; keys scroll it.
    a.handle_key(key(KeyCode::Char('l')), &r);
    let s = ui_common::text(&draw(&mut a, &r, 80, 24));
    assert!(s.contains("应用层"), "{s}");
    a.handle_key(key(KeyCode::End), &r);
    let s = ui_common::text(&draw(&mut a, &r, 80, 24));
    assert!(s.contains("物理层"), "{s}");
    let top = a.layers.open.as_ref().unwrap().top;
    assert!(top > 0 && top < 200, "clamped to the content: {top}");
    // Other keys are the view's: space does not play.
    let paused = r.player.paused;
    assert_eq!(a.handle_key(key(KeyCode::Char(' ')), &r), Action::None);
    assert_eq!(r.player.paused, paused);
    a.handle_key(key(KeyCode::Esc), &r);
    assert!(!a.layers.is_open());
    a.handle_key(key(KeyCode::Char('i')), &r);
    assert!(a.layers.is_open());
    a.handle_key(key(KeyCode::Char('i')), &r);
    assert!(!a.layers.is_open(), "i closes it too");
}

#[test]
fn the_fetcher_reads_on_its_own_thread_and_answers_through_the_channel() {
    let path = fixture("demo.pcap");
    let f = Fetcher::spawn(move || FrameSource::file(&path));
    f.request(3);
    let started = Instant::now();
    let (n, got) = loop {
        if let Some(a) = f.try_take() {
            break a;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no answer");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(n, 3);
    assert_eq!(got.unwrap().meta.number, 3);
}

/// A raw-IPv4 frame: 10.0.0.1:40000 → 10.0.0.2:80, PSH|ACK, carrying `payload`.
fn raw_frame(payload: &[u8]) -> synack::decode::layers::Frame {
    let total = (40 + payload.len()) as u16;
    let mut d = vec![
        0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    d[2..4].copy_from_slice(&total.to_be_bytes());
    d.extend_from_slice(&40000u16.to_be_bytes());
    d.extend_from_slice(&80u16.to_be_bytes());
    d.extend_from_slice(&1000u32.to_be_bytes());
    d.extend_from_slice(&2000u32.to_be_bytes());
    d.extend_from_slice(&[0x50, 0x18, 0x01, 0x00, 0, 0, 0, 0]);
    d.extend_from_slice(payload);
    synack::decode::layers::Frame {
        meta: synack::decode::layers::FrameMeta {
            number: 7,
            ts: Default::default(),
            linktype: synack::decode::LinkType::RAW,
            orig_len: d.len() as u32,
            interface: None,
        },
        data: d,
    }
}

#[test]
fn control_bytes_in_the_data_are_escaped_and_long_lines_wrap_at_80_columns() {
    let payload = b"GET / HTTP/1.1\r\nHost: a\r\n\x1b[2J\x07\x00 and then a long tail of text that runs on past eighty columns\r\n";
    let o = Open {
        frame: 7,
        ctx: SegmentCtx::default(),
        content: Content::Ready(Box::new(dissect(&raw_frame(payload)))),
        top: 0,
    };
    let t = view(&o, Lang::En, 80, 24);
    let s = text(&t);
    let buf = t.backend().buffer();
    for c in buf.content() {
        assert!(
            c.symbol().chars().all(|ch| !ch.is_control()),
            "a control character reached the screen:\n{s}"
        );
    }
    assert!(
        s.contains(r"GET / HTTP/1.1\x0d\x0aHost: a\x0d\x0a\x1b[2J\x07\x00"),
        "{s}"
    );
    // The escaped text is longer than a row: it goes on under the value, not cut.
    assert!(s.contains("eighty"), "{s}");
    assert!(
        s.contains("Host: a...[2J.."),
        "the dump shows them as dots:\n{s}"
    );
    insta::assert_snapshot!("layers_escaped_en_80x24", t.backend());
}

#[test]
fn the_flag_bits_are_not_cut_at_80_columns() {
    let s = text(&view(&syn(), Lang::En, 80, 24));
    assert!(s.contains("SYN=1 FIN=0"), "{s}");
}

#[test]
fn the_application_layer_shows_the_label_the_ladder_shows() {
    let r = replay("app-web.pcap", None);
    let mut a = app();
    draw(&mut a, &r, 120, 40);
    a.focus = Focus::Ladder;
    // Up the selected connection's ladder (the newest, following) to a labelled segment.
    let mut label = None;
    for _ in 0..30 {
        draw(&mut a, &r, 120, 40);
        if let Action::Frame(_) = a.handle_key(key(KeyCode::Char('i')), &r) {
            label = a.layers.open.as_ref().unwrap().ctx.label.clone();
            a.handle_key(key(KeyCode::Esc), &r);
            if label.is_some() {
                break;
            }
        }
        a.handle_key(key(KeyCode::Up), &r);
    }
    let label = label.expect("a labelled segment on the ladder");
    assert!(label.starts_with("TLS ServerHello"), "{label}");
}

#[test]
fn an_ascii_terminal_gets_no_unicode_from_the_view_in_english() {
    let ascii = Theme {
        ascii: true,
        color: false,
        ..Default::default()
    };
    for o in [syn(), demo_data()] {
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut o = o;
        for top in [0, 20, 40] {
            o.top = top;
            t.draw(|f| layers::render(f, layers::area(f.area()), &o, Lang::En, &ascii))
                .unwrap();
            let s = text(&t);
            assert!(s.is_ascii(), "{s}");
            assert!(s.contains("->") || top > 0, "{s}");
        }
    }
}
