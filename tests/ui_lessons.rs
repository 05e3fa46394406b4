//! Lesson steps in the TUI (pure render on fixed states, insta snapshots): the note that says
//! why stands in the narration pane, the socket calls on the lifelines, in English and
//! Chinese, at 80x24 and 200x60.

mod ui_common;

use synack::i18n::Lang;
use synack::teach::lessons;
use synack::ui::app::App;
use ui_common::{app, draw, replay, text};

/// The app as `synack --lesson NAME` starts it (calls on, runs unfolded).
fn lesson_app(name: &str, lang: Lang) -> App {
    let mut a = app();
    a.lesson = lessons::find(name);
    a.ladder.expand_all = true;
    a.ladder.calls = true;
    a.lang = lang;
    a
}

/// Lesson `name` after `n` segments, drawn `w`x`h`: the screen's text and the note shown.
fn step(
    name: &str,
    n: u64,
    lang: Lang,
    w: u16,
    h: u16,
) -> (String, ratatui::Terminal<ratatui::backend::TestBackend>) {
    let r = replay(&format!("lesson-{name}.pcap"), Some(n));
    let mut a = lesson_app(name, lang);
    let t = draw(&mut a, &r, w, h);
    (text(&t), t)
}

/// The first words of the lesson's note for `frame`, as the pane wraps them onto its first
/// line.
fn note_start(name: &str, frame: u64, lang: Lang) -> String {
    let note = lessons::find(name).unwrap().note_in(frame, lang).unwrap();
    note.chars().take(20).collect()
}

#[test]
fn before_the_first_segment_the_lesson_introduces_itself() {
    let (s, t) = step("teardown", 0, Lang::En, 80, 24);
    assert!(s.contains(&note_start("teardown", 0, Lang::En)), "{s}");
    assert!(s.contains("PAUSED"), "{s}");
    insta::assert_snapshot!("lesson_teardown_intro_80x24", t.backend());
}

#[test]
fn the_handshake_after_the_syn_ack_in_both_languages_and_sizes() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, h) in [(80, 24), (200, 60)] {
            let (s, t) = step("handshake", 2, lang, w, h);
            assert!(
                s.contains(&note_start("handshake", 2, lang)),
                "{tag} {w}x{h}:\n{s}"
            );
            // listen() stands above the client's connect(), on the server's lifeline.
            let listen = s.lines().position(|l| l.ends_with("│ listen()"));
            let connect = s
                .lines()
                .position(|l| l.trim_start().starts_with("connect() │"));
            assert!(listen.is_some() && listen < connect, "{tag} {w}x{h}:\n{s}");
            // The whole note is on screen: its last words too.
            let note = lessons::find("handshake")
                .unwrap()
                .note_in(2, lang)
                .unwrap();
            let end: String = note
                .chars()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let flat: String = s.lines().map(str::trim).collect();
            assert!(flat.contains(end.trim()), "{tag} {w}x{h}: note cut:\n{s}");
            // The interface around the ladder speaks the language too.
            if lang == Lang::Zh {
                for word in ["退出", "帮助", "客户端状态", "时间", "已暂停", "1 个连接"]
                {
                    assert!(s.contains(word), "{word} missing at {w}x{h}:\n{s}");
                }
            } else {
                assert!(s.contains(" q quit") && s.contains("client st"), "{s}");
            }
            insta::assert_snapshot!(
                format!("lesson_handshake_synack_{tag}_{w}x{h}"),
                t.backend()
            );
        }
    }
}

#[test]
fn time_wait_answers_the_resent_fin_in_both_languages() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let (s, t) = step("time-wait", 11, lang, 80, 24);
        assert!(
            s.contains(&note_start("time-wait", 11, lang)),
            "{tag}:\n{s}"
        );
        // The server is still in LAST_ACK: the first ACK never reached it.
        assert!(
            s.contains("LAST_ACK  [retransmission]") || s.contains("│ LAST_ACK"),
            "{tag}:\n{s}"
        );
        insta::assert_snapshot!(
            format!("lesson_time_wait_resent_fin_{tag}_80x24"),
            t.backend()
        );
    }
}

/// What step 10's note says is what the screen shows: the lost ACK's row says the server is
/// CLOSED until the FIN comes again, then nothing (LAST_ACK held).
#[test]
fn the_lost_ack_row_says_closed_until_the_fin_comes_again() {
    let row = |n| {
        let (s, _) = step("time-wait", n, Lang::En, 120, 40);
        s.lines()
            .find(|l| l.contains("0.761000"))
            .unwrap_or_else(|| panic!("no 0.761 row:\n{s}"))
            .to_string()
    };
    assert!(row(10).trim_end().ends_with("CLOSED"), "{}", row(10));
    // A row names a state where it changes: none at the server's end now, LAST_ACK held.
    assert!(row(11).trim_end().ends_with("▶│"), "{}", row(11));
    let (s, _) = step("time-wait", 11, Lang::En, 120, 40);
    assert!(
        s.contains("0.751000    TIME_WAIT") && s.contains("LAST_ACK"),
        "{s}"
    );
    let note = lessons::find("time-wait")
        .unwrap()
        .note_in(10, Lang::En)
        .unwrap();
    assert!(
        note.contains("shows the server CLOSED at this row")
            && note.contains("stays in LAST_ACK at this row"),
        "{note}"
    );
}

#[test]
fn a_refused_lesson_shows_econnrefused_on_the_client() {
    let (s, t) = step("refused", 2, Lang::En, 80, 24);
    assert!(s.contains("ECONNREFUSED │"), "{s}");
    assert!(s.contains(&note_start("refused", 2, Lang::En)), "{s}");
    insta::assert_snapshot!("lesson_refused_80x24", t.backend());
    // In Chinese the server's label is Chinese too (the state names stay the RFC's).
    let (s, t) = step("refused", 2, Lang::Zh, 80, 24);
    assert!(s.contains("无监听") && !s.contains("NO LISTENER"), "{s}");
    assert!(s.contains("ECONNREFUSED"), "{s}");
    insta::assert_snapshot!("lesson_refused_zh_80x24", t.backend());
}

#[test]
fn c_hides_and_shows_the_calls() {
    use crossterm::event::{KeyCode, KeyEvent};
    let r = replay("lesson-handshake.pcap", Some(3));
    let mut a = lesson_app("handshake", Lang::En);
    // (The note speaks of accept() too: look for it on the server's lifeline.)
    let on_lifeline = |a: &mut App| {
        text(&draw(a, &r, 80, 24))
            .lines()
            .any(|l| l.ends_with("│ accept()"))
    };
    assert!(on_lifeline(&mut a));
    a.handle_key(KeyEvent::from(KeyCode::Char('c')), &r);
    assert!(!on_lifeline(&mut a));
    a.handle_key(KeyEvent::from(KeyCode::Char('c')), &r);
    assert!(on_lifeline(&mut a));
}

#[test]
fn on_a_projector_the_lifelines_spread_and_the_note_sits_under_the_ladder() {
    let (s, _) = step("handshake", 2, Lang::En, 200, 60);
    let lines: Vec<&str> = s.lines().collect();
    let header = lines
        .iter()
        .find(|l| l.contains("client │") && l.ends_with("│ server"))
        .unwrap_or_else(|| panic!("no ladder header:\n{s}"));
    let bars: Vec<usize> = header
        .char_indices()
        .filter(|(_, c)| *c == '│')
        .map(|(i, _)| i)
        .collect();
    let cols = header[bars[0]..bars[1]].chars().count();
    assert!(cols >= 110, "lifelines {cols} columns apart at 200:\n{s}");
    // The row under the cursor's (the newest arrow) starts the note: no blank lines between.
    // A spare line holds the legend: arrow kinds, the flags' case, Zeek's letters.
    let legend = lines[lines.len() - 2];
    assert!(
        legend.starts_with(" legend ── segment  ══ reset  ┄┄ inferred"),
        "{legend}"
    );
    let (small, _) = step("handshake", 2, Lang::En, 80, 24);
    assert!(!small.contains(" legend "), "{small}");
    let cursor = lines.iter().position(|l| l.starts_with('▸')).unwrap();
    assert!(
        lines[cursor + 1]
            .trim_start()
            .starts_with(&note_start("handshake", 2, Lang::En)),
        "{s}"
    );
}

/// Every foreground colour drawn on the terminal's own background (a bar brings its own).
fn colours(t: &ratatui::Terminal<ratatui::backend::TestBackend>) -> Vec<ratatui::style::Color> {
    let buf = t.backend().buffer();
    let mut v: Vec<_> = buf
        .content
        .iter()
        .filter(|c| c.bg == ratatui::style::Color::Reset)
        .map(|c| c.fg)
        .collect();
    v.sort_by_key(|c| format!("{c:?}"));
    v.dedup();
    v
}

#[test]
fn the_high_contrast_and_light_themes_avoid_the_colours_that_wash_out() {
    use ratatui::style::Color;
    use synack::ui::theme::Palette;
    // The demo at its end has every state, resets, the TIME_WAIT bar and findings.
    let r = replay("demo.pcap", None);
    let dark = colours(&draw(&mut app(), &r, 160, 48));
    assert!(
        dark.contains(&Color::DarkGray) && dark.contains(&Color::Yellow),
        "{dark:?}"
    );
    for (palette, banned) in [
        (
            Palette::HighContrast,
            [Color::DarkGray, Color::Blue, Color::Black],
        ),
        (
            Palette::Light,
            [Color::White, Color::Yellow, Color::LightYellow],
        ),
    ] {
        let mut a = app();
        a.theme.palette = palette;
        let got = colours(&draw(&mut a, &r, 160, 48));
        for b in banned {
            assert!(!got.contains(&b), "{palette:?} draws {b:?}: {got:?}");
        }
    }
}

#[test]
fn z_shows_only_the_ladder_and_the_narration() {
    use crossterm::event::{KeyCode, KeyEvent};
    let r = replay("lesson-handshake.pcap", Some(2));
    let mut a = lesson_app("handshake", Lang::En);
    assert!(text(&draw(&mut a, &r, 80, 24)).contains("Connections 1"));
    a.handle_key(KeyEvent::from(KeyCode::Char('z')), &r);
    let s = text(&draw(&mut a, &r, 80, 24));
    assert!(
        !s.contains("Connections 1") && !s.contains("1 connection client:"),
        "{s}"
    );
    assert!(s.contains("SYN+ACK seq=0 ack=1"), "{s}");
    assert!(s.contains(&note_start("handshake", 2, Lang::En)), "{s}");
    insta::assert_snapshot!(
        "lesson_ladder_only_80x24",
        draw(&mut a, &r, 80, 24).backend()
    );
    a.handle_key(KeyEvent::from(KeyCode::Char('z')), &r);
    assert!(text(&draw(&mut a, &r, 80, 24)).contains("Connections 1"));
}
