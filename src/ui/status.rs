//! The status bar (source, counters, replay clock), the summary strip (connections per state,
//! both ends, like `ss -s`) and the key hints at the bottom.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::App;
use super::replay::Replay;
use super::text::{human_count, text_width};
use crate::diagnose::Kind;
use crate::i18n::messages;
use crate::track::State;

/// The replay's mode as words (the symbol is decoration; the word carries the meaning).
pub fn mode(replay: &Replay, app: &App) -> String {
    let g = app.theme.glyphs();
    let m = messages(app.lang);
    let live = m.live_modes;
    if replay.seeking() {
        live[0].into()
    } else if replay.is_live() {
        if replay.at_end() {
            live[2].into()
        } else if replay.player.paused {
            let held = crate::i18n::fill(live[3], &[("n", &replay.player.pending())]);
            format!("{} {held}", g.pause)
        } else {
            format!("{} {}", g.play, live[1])
        }
    } else if replay.player.paused {
        format!("{} {} {}", g.pause, m.paused, replay.player.speed.label())
    } else if replay.at_end() && replay.player.run_on {
        format!("{} {} {}", g.play, m.clock_on, replay.player.speed.label())
    } else if replay.at_end() {
        format!("{} {}", m.end, replay.player.speed.label())
    } else {
        format!("{} {} {}", g.play, m.playing, replay.player.speed.label())
    }
}

fn clock_text(replay: &Replay) -> String {
    let e = replay.elapsed();
    if let Some(long) = super::text::long_secs(e) {
        format!("t+{long}")
    } else if e < 100.0 {
        format!("t+{e:.3}s")
    } else {
        format!("t+{e:.1}s")
    }
}

fn time_of_day(replay: &Replay) -> Option<String> {
    replay.player.clock?;
    let s = replay.diag_now().rfc3339();
    // 2024-03-01T10:00:03.210000Z -> 10:00:03.210
    s.get(11..23).map(|t| format!("{t} UTC"))
}

/// The status bar's text pieces, most important first.
pub fn status_parts(replay: &Replay, app: &App) -> Vec<(String, Style)> {
    let theme = &app.theme;
    let st = &replay.player.status;
    let k = &st.counters;
    let drops = st.drops.kernel + st.drops.interface + st.drops.queue;
    let words = messages(app.lang).counters;
    let m = messages(app.lang);
    let source = if replay.player.stream {
        m.stdin_live.to_string()
    } else if st.live {
        crate::i18n::fill(m.live_source, &[("name", &st.name)])
    } else {
        st.name.clone()
    };
    let mut parts = vec![
        (
            format!(" {}", mode(replay, app)),
            theme.bar().patch(theme.newest()),
        ),
        (clock_text(replay), theme.bar()),
        (source, theme.bar()),
    ];
    if let Some(id) = app.pinned {
        parts.push((format!("pinned #{id}"), theme.bar().patch(theme.newest())));
    }
    parts.extend(vec![
        (
            format!(
                "{} {} {} {} {}{}",
                words[0],
                human_count(k.packets.max(replay.player.applied)),
                words[1],
                human_count(replay.player.applied),
                human_count(replay.player.rate.round() as u64),
                words[2]
            ),
            theme.bar(),
        ),
        (
            format!("{} {}", words[3], human_count(k.malformed_total())),
            theme.bar(),
        ),
        (format!("{} {}", words[4], human_count(drops)), theme.bar()),
    ]);
    // The memory budget reached (a flood, a huge capture): what it cost, in warning colours.
    let t = &replay.store.tracker.stats;
    if t.budget_reached() {
        let b = messages(app.lang).bound;
        let mut text = format!(
            "{} {} ({} {})",
            b[0],
            human_count(t.evicted),
            b[1],
            crate::output::summary::mib(t.memory_budget)
        );
        if t.events_over_budget > 0 {
            text.push_str(&format!(", {} {}", b[2], human_count(t.events_over_budget)));
        }
        parts.push((text, theme.bar().patch(theme.warn())));
    }
    if replay.player.max_gap.is_some() || replay.player.gaps_skipped > 0 {
        parts.push((
            crate::i18n::fill(m.gaps_skipped, &[("n", &replay.player.gaps_skipped)]),
            theme.bar(),
        ));
    }
    if let Some(t) = time_of_day(replay) {
        parts.push((t, theme.bar()));
    }
    parts
}

/// `-w` stopped saving: said on the bar for as long as the capture runs (and on exit).
pub fn save_error(replay: &Replay) -> Option<String> {
    let save = replay.player.status.save.as_ref()?;
    save.error.as_ref()?;
    Some(format!("error: {}", save.line()))
}

/// Draws the status bar: as many parts as fit, then a note or an error on the right.
pub fn render_status(f: &mut Frame, area: Rect, app: &App, replay: &Replay) {
    let theme = &app.theme;
    let sep = theme.glyphs().sep;
    let w = area.width as usize;
    let error = replay
        .player
        .status
        .error
        .as_ref()
        .map(|e| format!("error: {e}"))
        .or_else(|| save_error(replay));
    // An error, or what the user just asked for, keeps its room: the parts give way to it.
    let kept = error.clone().or_else(|| app.notice.clone());
    let note = kept
        .clone()
        .or_else(|| replay.player.note.clone())
        .or_else(|| {
            replay
                .idle_gap()
                .filter(|g| *g >= 2.0)
                .map(|g| format!("next segment in {g:.1} s: g skips"))
        });
    let parts = status_parts(replay, app);
    // A note that keeps its room still leaves the first part (paused, playing, live): cut to
    // what is left, never dropped whole (an error longer than the bar left it blank).
    let note = note.map(|n| {
        let n = format!(" {n} ");
        if kept.is_none() {
            return n;
        }
        let first = parts.first().map_or(0, |(t, _)| text_width(t));
        let max = w.saturating_sub(first + 1).max(w / 2);
        let mut n = super::text::truncate(&n, max.saturating_sub(1), theme.glyphs().ellipsis);
        if !n.ends_with(' ') {
            n.push(' ');
        }
        n
    });
    let room = match (&kept, &note) {
        (Some(_), Some(n)) => w.saturating_sub(text_width(n) + 1),
        _ => w,
    };
    let mut spans: Vec<Span> = Vec::new();
    let mut used = 0;
    for (i, (text, style)) in parts.into_iter().enumerate() {
        let add = if i == 0 { 0 } else { text_width(sep) } + text_width(&text);
        if used + add > room {
            break;
        }
        if i > 0 {
            spans.push(Span::styled(sep, theme.bar()));
        }
        used += add;
        spans.push(Span::styled(text, style));
    }
    if let Some(n) = note {
        if used + text_width(&n) <= w {
            spans.push(Span::styled(
                " ".repeat(w - used - text_width(&n)),
                theme.bar(),
            ));
            spans.push(Span::styled(n, theme.bar().patch(theme.warn())));
            used = w;
        }
    }
    if used < w {
        spans.push(Span::styled(" ".repeat(w - used), theme.bar()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn end_spans(label: &'static str, counts: &[u64; 11], app: &App) -> Vec<Span<'static>> {
    let theme = &app.theme;
    let mut v = vec![Span::styled(label, theme.newest())];
    let mut any = false;
    for (i, st) in State::ALL.iter().enumerate() {
        if counts[i] > 0 {
            v.push(Span::raw(" "));
            v.push(Span::styled(st.name(), theme.state(*st)));
            v.push(Span::raw(format!(" {}", counts[i])));
            any = true;
        }
    }
    if !any {
        v.push(Span::styled(" -", theme.dim()));
    }
    v
}

/// The findings counted by kind, problems in the warning colour: `findings: close_wait 1
/// reset 1 time_wait 2 (2 problems)`.
fn findings_long(replay: &Replay, app: &App) -> Vec<Span<'static>> {
    let d = &replay.findings;
    let theme = &app.theme;
    let head = messages(app.lang).findings_head;
    let mut v = vec![Span::styled(head[0], theme.newest())];
    if !d.groups.is_empty() {
        v.push(Span::raw(" "));
        v.push(Span::styled(head[1], theme.warn()));
        v.push(Span::raw(format!(" {}", d.groups.len())));
    }
    for (i, k) in Kind::ALL.iter().enumerate() {
        if d.by_kind[i] > 0 {
            let problem = !matches!(k, Kind::TimeWait | Kind::Keepalive);
            v.push(Span::raw(" "));
            v.push(Span::styled(
                k.name(),
                if problem { theme.warn() } else { theme.dim() },
            ));
            v.push(Span::raw(format!(" {}", d.by_kind[i])));
        }
    }
    let m = messages(app.lang);
    v.push(Span::raw(format!(
        "{}{}{}",
        m.parens[0],
        (m.problems_n)(d.problems),
        m.parens[1]
    )));
    v
}

/// `7 findings, 4 problems` (or `no finding`).
fn findings_short(replay: &Replay, app: &App) -> Vec<Span<'static>> {
    let d = &replay.findings;
    if d.total == 0 && d.groups.is_empty() {
        return vec![Span::styled(messages(app.lang).no_finding, app.theme.dim())];
    }
    vec![
        Span::styled((messages(app.lang).findings)(d.total), app.theme.newest()),
        Span::raw(messages(app.lang).comma),
        Span::styled(
            (messages(app.lang).problems_n)(d.problems),
            if d.problems > 0 {
                app.theme.warn()
            } else {
                app.theme.dim()
            },
        ),
    ]
}

/// The summary strip: one line if it fits in `width`, else one line per end. It ends with the
/// findings (by kind when there is room); on two lines, the problems stand under the count of
/// connections.
pub fn summary_lines(replay: &Replay, app: &App, width: u16) -> Vec<Line<'static>> {
    let counts = replay.state_counts();
    let total = replay.connection_count();
    let m = messages(app.lang);
    let head = format!(" {} ", (m.connections)(total as u64));
    let c = end_spans(m.client_colon, &counts[0], app);
    let s = end_spans(m.server_colon, &counts[1], app);
    let sep = app.theme.glyphs().sep;
    let mut one: Vec<Span> = vec![Span::styled(head.clone(), app.theme.title())];
    one.extend(c.iter().cloned());
    one.push(Span::raw(sep));
    one.extend(s.iter().cloned());
    let base = Line::from(one);
    let d = &replay.findings;
    let mut tails = vec![findings_short(replay, app)];
    if d.total > 0 || !d.groups.is_empty() {
        tails.insert(0, findings_long(replay, app));
    }
    for tail in tails {
        let mut l = base.clone();
        l.spans.push(Span::raw(sep));
        l.spans.extend(tail);
        if l.width() <= width as usize {
            return vec![l];
        }
    }
    let head2 = if d.problems > 0 {
        format!(" {} ", (messages(app.lang).problems_n)(d.problems))
    } else if d.total > 0 {
        format!(" {} ", (messages(app.lang).findings)(d.total))
    } else {
        String::new()
    };
    let hw = text_width(&head).max(text_width(&head2));
    let pad = |t: &str| format!("{t}{}", " ".repeat(hw - text_width(t)));
    let mut l1 = vec![Span::styled(pad(&head), app.theme.title())];
    l1.extend(c);
    let style2 = if d.problems > 0 {
        app.theme.warn()
    } else {
        app.theme.newest()
    };
    let mut l2 = vec![Span::styled(pad(&head2), style2)];
    l2.extend(s);
    vec![Line::from(l1), Line::from(l2)]
}

pub fn render_summary(f: &mut Frame, area: Rect, app: &App, replay: &Replay) {
    f.render_widget(Paragraph::new(summary_lines(replay, app, area.width)), area);
}

/// Key hints (or the filter being typed).
pub fn render_footer(f: &mut Frame, area: Rect, app: &App, replay: &Replay) {
    let theme = &app.theme;
    if app.filter.editing {
        let cursor = if theme.ascii { "_" } else { "█" };
        let line = Line::from(vec![
            Span::styled(" filter /", theme.key()),
            Span::raw(app.filter.text.clone()),
            Span::styled(cursor, theme.key()),
            Span::styled(messages(app.lang).filter_hint, theme.dim()),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let m = messages(app.lang);
    if app.confirm_quit {
        let line = Line::from(vec![
            Span::styled(m.confirm_quit, theme.warn()),
            Span::styled("Esc / q", theme.key()),
            Span::raw(m.confirm_quit_rest),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let pause = if replay.player.paused {
        m.play
    } else {
        m.pause
    };
    let lr = if theme.ascii { "<- ->" } else { "←→" };
    let ud = if theme.ascii { "Up/Down" } else { "↑↓" };
    let hints: Vec<(&str, String)> = if app.view == super::app::View::Udp {
        vec![
            ("q", m.quit.into()),
            ("?", m.help.into()),
            (ud, m.choose.into()),
            ("Tab", m.pane.into()),
            ("u", m.back.into()),
            ("space", pause.into()),
            (lr, m.step.into()),
        ]
    } else if app.view == super::app::View::Problems {
        vec![
            ("q", m.quit.into()),
            ("?", m.help.into()),
            (ud, m.choose.into()),
            ("Enter", m.show_on_ladder.into()),
            ("p", m.back.into()),
            ("space", pause.into()),
            (lr, m.step.into()),
        ]
    } else {
        vec![
            ("q", m.quit.into()),
            ("?", m.help.into()),
            ("p", m.problems.into()),
            ("space", pause.into()),
            (lr, m.step.into()),
            ("+-", m.speed.into()),
            ("/", m.filter.into()),
            ("Tab", m.pane.into()),
            ("Enter", m.fold.into()),
            (
                "l",
                {
                    let other = app.lang.toggle().language();
                    if theme.ascii {
                        other.ascii_name
                    } else {
                        other.name
                    }
                }
                .into(),
            ),
            ("f", if app.follow { m.unfollow } else { m.follow }.into()),
            ("i", m.layers.key_hint.into()),
        ]
    };
    let mut spans = Vec::new();
    let mut used = 0;
    for (k, what) in hints {
        let w = text_width(k) + text_width(&what) + 3;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {k}"), theme.key()));
        spans.push(Span::raw(format!(" {what} ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
