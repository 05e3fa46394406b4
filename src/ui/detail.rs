//! Under the ladder's title, above its arrows: what the pane says about the connection
//! besides them. Zeek's `conn_state` and `history`, the findings as of now, and at the bottom
//! the TIME_WAIT countdown, each holding end's 2*MSL left drawn as a draining bar.

use crate::i18n::messages;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::app::App;
use super::ladder::{centered, line, time_text, Cells, Geometry};
use super::text::{fit_left, fit_right, text_width, truncate};
use super::theme::Theme;
use crate::decode::Timestamp;
use crate::diagnose::{Finding, Kind};
use crate::track::{Connection, Side, State};
use crate::zeek;

/// What the ladder pane shows about its connection besides the arrows: its findings (fresh
/// as of `now`), Zeek's summary, and the 2*MSL a TIME_WAIT has left.
#[derive(Debug, Clone, Copy)]
pub struct Detail<'a> {
    pub findings: &'a [Finding],
    pub now: Timestamp,
    pub two_msl: f64,
    /// The kernel's view of its ends (live and lab runs): a line above the column header.
    pub kernel: Option<&'a crate::kernel::KernelPair>,
}

/// Lines above the column header: one with Zeek's `conn_state`/`history` and the count of
/// findings, then one per finding, as many as `inner_h` (the pane's inside) leaves room for.
/// On a short pane, one line holds both: Zeek's summary and the worst finding.
pub fn detail_count(inner_h: u16, findings: usize) -> usize {
    if inner_h < 16 {
        return 1;
    }
    (1 + findings).min(inner_h as usize / 4)
}

/// Whether the pane ends with a TIME_WAIT countdown line.
pub fn has_countdown(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.kind == Kind::TimeWait && f.remaining.is_some())
}

/// Rows of arrows that fit in a pane whose inside is `inner_h` high.
pub fn body_height(inner_h: u16, _c: &Connection, findings: &[Finding]) -> usize {
    (inner_h as usize)
        .saturating_sub(detail_count(inner_h, findings.len()))
        .saturating_sub(1)
        .saturating_sub(usize::from(has_countdown(findings)))
}

/// The detail lines (see [`detail_count`]), `width` wide.
pub fn detail_lines<'a>(
    c: &Connection,
    findings: &[Finding],
    max: usize,
    width: u16,
    theme: &Theme,
    lang: crate::i18n::Lang,
) -> Vec<Line<'a>> {
    let m = messages(lang);
    let gl = theme.glyphs();
    let w = width as usize;
    let problems = findings.iter().filter(|f| f.problem).count();
    let mut head = vec![
        Span::styled(" zeek ", theme.dim()),
        Span::styled(zeek::conn_state(c), theme.newest()),
        Span::raw(" "),
        Span::styled(c.history.letters().to_string(), theme.newest()),
        Span::styled(gl.sep, theme.dim()),
    ];
    // Problems first, in the report's order of kinds.
    let mut order: Vec<&Finding> = findings.iter().collect();
    order.sort_by_key(|f| (!f.problem, f.kind));
    let mark = |f: &Finding| {
        if f.problem {
            ("!", theme.warn())
        } else {
            (if theme.ascii { "-" } else { "·" }, theme.dim())
        }
    };
    let finding_spans = |f: &Finding, w: usize| -> Vec<Span<'a>> {
        let (m, st) = mark(f);
        let kind = format!("{}: ", f.kind.name());
        let rest = w.saturating_sub(3 + text_width(&kind));
        vec![
            Span::styled(format!(" {m} "), st),
            Span::styled(kind, st),
            Span::raw(truncate(
                &crate::diagnose::words::sentence(f, lang),
                rest,
                gl.ellipsis,
            )),
        ]
    };
    if findings.is_empty() {
        head.push(Span::styled(m.no_finding, theme.dim()));
        return vec![Line::from(head)];
    }
    if max <= 1 {
        // One line: the worst finding after Zeek's summary, and how many more there are.
        let more = if findings.len() > 1 {
            (m.more_findings)(findings.len() - 1)
        } else {
            String::new()
        };
        head.pop();
        head.push(Span::styled(gl.sep.trim_end().to_string(), theme.dim()));
        let used: usize = head.iter().map(|s| s.width()).sum();
        head.extend(finding_spans(
            order[0],
            w.saturating_sub(used + text_width(&more)),
        ));
        head.push(Span::styled(more, theme.dim()));
        return vec![Line::from(head)];
    }
    let mut t = (m.findings)(findings.len());
    if problems > 0 {
        t.push_str(m.comma);
        t.push_str(&(m.problems_n)(problems));
    }
    head.push(Span::styled(
        t,
        if problems > 0 {
            theme.warn()
        } else {
            Style::new()
        },
    ));
    let shown = max.saturating_sub(1).min(findings.len());
    if shown < findings.len() {
        head.push(Span::styled(
            (m.more_findings)(findings.len() - shown),
            theme.dim(),
        ));
    }
    let mut out = vec![Line::from(head)];
    for f in order.into_iter().take(shown) {
        out.push(Line::from(finding_spans(f, w)));
    }
    out
}

/// A bar of `w` cells, `frac` of it filled, full end towards `side`'s lifeline.
fn bar(frac: f64, w: usize, side: Side, theme: &Theme) -> String {
    let (full, empty) = if theme.ascii {
        ('#', '.')
    } else {
        ('█', '░')
    };
    let n = ((frac.clamp(0.0, 1.0) * w as f64).round() as usize).min(w);
    let (a, b) = (full.to_string().repeat(n), empty.to_string().repeat(w - n));
    match side {
        Side::Client => format!("{a}{b}"),
        Side::Server => format!("{b}{a}"),
    }
}

/// The TIME_WAIT countdown: as of now, each holding end's 2*MSL left written on its side and
/// drawn as a bar draining towards its lifeline.
pub fn countdown_line<'a>(c: &Connection, d: &Detail, width: u16, app: &App) -> Option<Line<'a>> {
    let theme = &app.theme;
    let gl = theme.glyphs();
    let g = Geometry::new(width);
    let mut left: [Option<f64>; 2] = [None, None];
    for f in d.findings {
        if let (Kind::TimeWait, Some(r)) = (f.kind, f.remaining) {
            left[f.side as usize] = Some(r);
        }
    }
    if left.iter().all(Option::is_none) {
        return None;
    }
    let two = d.two_msl.max(1e-9);
    let label = "2*MSL";
    let mid = match left {
        [Some(a), Some(b)] => {
            let bw = g.arrow.saturating_sub(text_width(label) + 4) / 2;
            centered(
                &format!(
                    "{} {label} {}",
                    bar(a / two, bw, Side::Client, theme),
                    bar(b / two, bw, Side::Server, theme)
                ),
                g.arrow,
                ' ',
                gl.ellipsis,
            )
        }
        [Some(a), None] | [None, Some(a)] => {
            let side = if left[0].is_some() {
                Side::Client
            } else {
                Side::Server
            };
            let pct = crate::i18n::fill(
                messages(app.lang).pct_left,
                &[
                    ("label", &label),
                    ("pct", &format!("{:.0}", 100.0 * a / two)),
                ],
            );
            let bw = g
                .arrow
                .saturating_sub(text_width(&pct) + 2)
                .min(g.arrow * 2 / 3);
            let b = bar(a / two, bw, side, theme);
            let fill = g.arrow.saturating_sub(bw + text_width(&pct) + 2);
            match side {
                Side::Client => format!("{b} {pct} {}", " ".repeat(fill)),
                Side::Server => format!("{} {pct} {b}", " ".repeat(fill)),
            }
        }
        [None, None] => return None,
    };
    let secs = |r: Option<f64>| r.map(|r| (messages(app.lang).secs_left)(r));
    let mut l = line(
        &g,
        Cells {
            time: time_text(d.now.secs_since(c.first_seen).max(0.0)),
            client: None,
            server: None,
            mid,
            mid_style: theme.state(State::TimeWait),
            tail: String::new(),
            tail_style: Style::new(),
            call: false,
            inferred: false,
            lifeline_states: c.states(),
            cursor: false,
            row_style: Style::new(),
            theme,
        },
    );
    let st = theme.state(State::TimeWait).patch(theme.newest());
    if let Some(t) = secs(left[0]) {
        l.spans[3] = Span::styled(fit_right(&t, g.state, gl.ellipsis), st);
    }
    if let Some(t) = secs(left[1]) {
        l.spans[9] = Span::styled(fit_left(&t, g.state, gl.ellipsis), st);
    }
    Some(l)
}
