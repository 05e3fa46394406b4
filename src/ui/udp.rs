//! The UDP view (`u`): the UDP flows beside the TCP connections, for contrast. The list of
//! flows on the left, the selected flow's datagrams on the right as a ladder with no states on
//! its lifelines (UDP has none), and a narration that says why: no handshake, no
//! acknowledgment, no retransmission (RFC 768).
//!
//! ```text
//!  ── UDP flows 5 │ no handshake ──────  ── #2 10.0.0.1:53002 → 10.0.0.53:53 │ dns ─────────
//!  ▸ #2 10.0.0.1:53002 → 10.0.0.53:53     time     client                         server
//!    #3 10.0.0.123:123 → 10.0.0.124:123   0.000000   │── UDP 34 B ─────────────────▶│
//!                                                    │   DNS query lost.example.com A │
//! ```
//!
//! Pure: drawn from the flows the store's tracker holds; keys change only this pane's state.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::App;
use super::pane::{page, scroll_to, Effect, Handled};
use super::replay::Replay;
use super::text::{fit_left, text_width, truncate};
use crate::i18n::Lang;
use crate::i18n::{messages, UdpLine, UdpWords};
use crate::track::udp::UdpFlow;

/// The view's state: the flow chosen (by id, so new flows do not move it), the datagram the
/// ladder's cursor is on, which side has the keys, and the ladder's first line.
#[derive(Debug, Clone, Default)]
pub struct UdpPane {
    pub flow: Option<u64>,
    pub datagram: usize,
    pub on_ladder: bool,
    pub top: usize,
}

fn words(lang: Lang) -> &'static UdpWords {
    &messages(lang).udp
}

impl UdpPane {
    /// The index of the chosen flow in `flows` (the first if none is chosen or it is gone).
    fn index(&self, flows: &[&UdpFlow]) -> usize {
        self.flow
            .and_then(|id| flows.iter().position(|f| f.id == id))
            .unwrap_or(0)
    }

    /// A key in the UDP view, whose ladder is `h` rows high.
    pub fn on_key(&mut self, key: KeyEvent, flows: &[&UdpFlow], h: u16) -> Handled {
        let step = match key.code {
            KeyCode::Esc | KeyCode::Char('u') => return Handled::Then(Effect::CloseView),
            KeyCode::Tab | KeyCode::BackTab => {
                self.on_ladder = !self.on_ladder;
                return Handled::Consumed;
            }
            KeyCode::Enter => {
                self.on_ladder = true;
                return Handled::Consumed;
            }
            KeyCode::Up | KeyCode::Char('k') => -1,
            KeyCode::Down | KeyCode::Char('j') => 1,
            KeyCode::PageUp => -page(h),
            KeyCode::PageDown => page(h),
            _ => return Handled::Ignored,
        };
        if flows.is_empty() {
            return Handled::Consumed;
        }
        let i = self.index(flows);
        if self.on_ladder {
            let n = flows[i].events.len();
            self.datagram =
                (self.datagram as isize + step).clamp(0, n.max(1) as isize - 1) as usize;
        } else {
            let j = (i as isize + step).clamp(0, flows.len() as isize - 1) as usize;
            if j != i || self.flow.is_none() {
                self.flow = Some(flows[j].id);
                self.datagram = 0;
                self.top = 0;
            }
        }
        Handled::Consumed
    }
}

/// The flows to show, by id.
fn flows(replay: &Replay) -> Vec<&UdpFlow> {
    replay.store.tracker.udp.flows()
}

/// Draws the view in `area` (where the list and the ladder are otherwise).
pub fn render(f: &mut Frame, area: Rect, app: &App, replay: &Replay) {
    let w = words(app.lang);
    let theme = &app.theme;
    let flows = flows(replay);
    let list_w = (area.width * 2 / 5).clamp(24.min(area.width), 48);
    let list_area = Rect {
        width: list_w,
        ..area
    };
    let ladder_area = Rect {
        x: area.x + list_w + 1,
        width: area.width.saturating_sub(list_w + 1),
        ..area
    };
    let block = theme.pane((w.list_title)(flows.len()), !app.udp.on_ladder);
    let inner = block.inner(list_area);
    f.render_widget(block, list_area);
    if flows.is_empty() {
        let msg = empty_words(replay, w);
        f.render_widget(
            Paragraph::new(Line::styled(msg, theme.dim()))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        f.render_widget(theme.pane(format!(" {} ", w.ladder), false), ladder_area);
        return;
    }
    let sel = app.udp.index(&flows);
    let g = theme.glyphs();
    let to = if theme.ascii { "->" } else { "→" };
    let h = inner.height as usize;
    let top = scroll_to(0, sel, h, flows.len());
    let lines: Vec<Line> = flows
        .iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, fl)| {
            let cursor = if i == sel { g.cursor } else { ' ' };
            // Datagrams each way: `2→ 1←` (the client sent two, the server one).
            let (r, l) = if theme.ascii {
                (">", "<")
            } else {
                ("→", "←")
            };
            let counts = format!("{}{r} {}{l}", fl.packets[0], fl.packets[1]);
            let service = fl.service.unwrap_or("");
            let tail = format!(" {counts} {service}");
            // The cursor and the id stay whole; the addresses give way from the left.
            let id = format!("{cursor} #{} ", fl.id);
            let ends = format!("{} {to} {}", fl.client, fl.server);
            let room = (inner.width as usize).saturating_sub(text_width(&tail) + text_width(&id));
            let text = format!("{id}{}{tail}", fit_left(&ends, room, g.ellipsis));
            let style = if i == sel {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            Line::styled(truncate(&text, inner.width as usize, g.ellipsis), style)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
    ladder(f, ladder_area, app, flows[sel]);
}

/// The chosen flow's datagrams between two lifelines that carry no state.
fn ladder(f: &mut Frame, area: Rect, app: &App, flow: &UdpFlow) {
    let w = words(app.lang);
    let theme = &app.theme;
    let g = theme.glyphs();
    let to = if theme.ascii { "->" } else { "→" };
    let title = (w.ladder_title)(
        flow.id,
        &format!("{} {to} {}", flow.client, flow.server),
        flow.service,
    );
    let block = theme.pane(title, app.udp.on_ladder);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = inner.width as usize;
    // time (10) | lifeline | arrow | lifeline
    let span = width.saturating_sub(14).max(12);
    // Each row: the cursor and the time (11 columns), a lifeline, `span` columns of arrow, a
    // lifeline.
    let head = span.saturating_sub(4);
    let mut lines = vec![Line::styled(
        format!("{:>10} {:<head$}{:>6}", "time", "client", "server"),
        theme.header(),
    )];
    let mut cursor_line = 0;
    for (i, e) in flow.events.iter().enumerate() {
        let here = i == app.udp.datagram;
        if here {
            cursor_line = lines.len();
        }
        let t = format!("{:.6}", e.ts.secs_since(flow.first_seen));
        let text = format!(" UDP {} B ", e.len);
        let dashes = span.saturating_sub(text_width(&text) + 3);
        let two: String = std::iter::repeat_n(g.line, 2).collect();
        let run: String = std::iter::repeat_n(g.line, dashes).collect();
        let (l, h) = (g.lifeline, (g.head_right, g.head_left));
        let arrow = if e.from_client {
            format!("{l}{two}{text}{run}{}{l}", h.0)
        } else {
            format!("{l}{}{run}{text}{two}{l}", h.1)
        };
        let mark = if here { g.cursor } else { ' ' };
        let style = if here {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}{t:>9} "), style),
            Span::styled(arrow, theme.arrow(false, false)),
        ]));
        if let Some(l) = &e.label {
            let l = truncate(l, span.saturating_sub(2), g.ellipsis);
            let room = span.saturating_sub(text_width(&l));
            let (pad, rest) = (room / 2, room - room / 2);
            lines.push(Line::from(vec![
                Span::raw(format!("{:11}{}{:pad$}", "", g.lifeline, "")),
                Span::styled(l, theme.note()),
                Span::raw(format!("{:rest$}{}", "", g.lifeline)),
            ]));
        }
    }
    if flow.events_dropped > 0 {
        lines.push(Line::styled(
            format!("{:11}{}", "", (w.more)(flow.events_dropped)),
            theme.dim(),
        ));
    }
    let h = inner.height as usize;
    let top =
        scroll_to(app.udp.top, cursor_line, h, lines.len()).min(lines.len().saturating_sub(1));
    let top = if cursor_line < h { 0 } else { top };
    let shown: Vec<Line> = lines.into_iter().skip(top).take(h).collect();
    f.render_widget(Paragraph::new(shown), inner);
}

/// Why the view is empty: UDP not read, none in a file read to its end, none yet.
fn empty_words(replay: &Replay, w: &crate::i18n::UdpWords) -> &'static str {
    if !replay.udp {
        w.not_read
    } else if replay.at_end() && !replay.is_live() {
        w.none_in_file
    } else {
        w.none
    }
}

/// What the narration line says in the UDP view: the datagram at the ladder's cursor, and
/// why there is nothing more to it.
pub fn narration(replay: &Replay, app: &App) -> String {
    let w = words(app.lang);
    let flows = flows(replay);
    if flows.is_empty() {
        return empty_words(replay, w).into();
    }
    let flow = flows[app.udp.index(&flows)];
    let Some(e) = flow.events.get(app.udp.datagram) else {
        return w.about.into();
    };
    // Sent before by the same side, with the same size and label: the application again.
    let again = flow.events[..app.udp.datagram]
        .iter()
        .any(|p| p.from_client == e.from_client && p.len == e.len && p.label == e.label);
    (w.narration)(&UdpLine {
        from_client: e.from_client,
        len: e.len,
        label: e.label.as_deref(),
        again,
    })
}
