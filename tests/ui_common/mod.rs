//! Shared by the UI tests: fixed replay states built synchronously from fixtures (no threads,
//! no clock), and rendering them to text.

#![allow(dead_code)]

use std::time::Instant;

use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use synack::capture::source::SourceStatus;
use synack::capture::FileReader;
use synack::decode::Decoder;
use synack::track::TrackerConfig;
use synack::ui::app::App;
use synack::ui::render;
use synack::ui::replay::Replay;
use synack::ui::theme::Theme;

pub fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A paused replay of fixture `name` after its first `n` TCP segments (all when `None`), with
/// the frames before each segment applied too.
pub fn replay(name: &str, n: Option<u64>) -> Replay {
    replay_with(name, n, TrackerConfig::default())
}

/// [`replay`] with the tracker settings `cfg` (retiring, as the UI does).
pub fn replay_with(name: &str, n: Option<u64>, cfg: TrackerConfig) -> Replay {
    replay_decoded(name, n, cfg, Decoder::default())
}

/// [`replay`] with UDP decoded too, as the TUI on a file does.
pub fn replay_udp(name: &str) -> Replay {
    let mut dec = Decoder::default();
    dec.udp = true;
    let mut r = replay_decoded(name, None, TrackerConfig::default(), dec);
    r.udp = true;
    r
}

fn replay_decoded(name: &str, n: Option<u64>, cfg: TrackerConfig, mut dec: Decoder) -> Replay {
    let mut reader = FileReader::open(&fixture(name)).unwrap();
    let cfg = TrackerConfig {
        retire: true,
        ..cfg
    };
    let mut r = Replay::new(cfg, &format!("fixtures/{name}"), false);
    let t = Instant::now();
    // Every frame, TCP or not, as the capture thread sends them: each moves the clock.
    while let Some(pkt) = reader.next_packet().unwrap() {
        let item = dec.item(&pkt);
        if n.is_none_or(|n| r.player.applied < n) {
            r.apply_item(&item, t);
        }
    }
    r.player.paused = true;
    r.player.status = SourceStatus {
        name: format!("fixtures/{name}"),
        live: false,
        counters: dec.counters.clone(),
        done: n.is_none(),
        ..Default::default()
    };
    // Every finding, as the event loop would have them after a pause.
    r.refresh_diagnosis(None);
    r
}

pub fn app() -> App {
    App::new(Theme {
        ascii: false,
        color: true,
        ..Default::default()
    })
}

pub fn area(w: u16, h: u16) -> Rect {
    Rect::new(0, 0, w, h)
}

/// Syncs the app to the replay for a `w`x`h` screen and draws it.
pub fn draw(app: &mut App, replay: &Replay, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    app.sync(replay, area(w, h));
    term.draw(|f| render::draw(f, app, replay)).unwrap();
    term
}

/// The screen as plain text lines.
pub fn text(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            // A wide character covers the next cell too.
            x += synack::ui::text::text_width(sym).max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
