//! The help overlay (`?`): every key, from one table (the README lists the same keys).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};

use super::app::App;
use super::pane::{Effect, Handled};
use crate::i18n::Lang;
use crate::i18n::{fill, messages};

/// (keys, what they do) in `lang`, grouped by section (a key of "" starts a section named by
/// the text); English's are those README lists (every language has the same keys, in the same
/// order). `ascii`: the languages named in ASCII.
pub fn keys(lang: Lang, ascii: bool) -> Vec<(&'static str, String)> {
    let names: Vec<&str> = Lang::ALL
        .iter()
        .map(|l| {
            let language = l.language();
            if ascii {
                language.ascii_name
            } else {
                language.name
            }
        })
        .collect();
    let languages = names.join(" / ");
    messages(lang)
        .keys
        .iter()
        .map(|(k, what)| (*k, fill(what, &[("languages", &languages)])))
        .collect()
}

fn ascii_keys(k: &str) -> String {
    k.replace('→', "Right")
        .replace('←', "Left")
        .replace('↑', "Up")
        .replace('↓', "Down")
}

/// A note with the ladder's glyphs as `--ascii` draws them.
fn ascii_note(n: &str) -> String {
    n.replace('─', "-").replace('═', "=").replace('┄', ".")
}

/// The help text as lines.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let m = messages(app.lang);
    let keys = keys(app.lang, theme.ascii);
    let kw = keys
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(8)
        + 2;
    let mut out = Vec::new();
    for (k, what) in keys {
        if k.is_empty() {
            if !out.is_empty() {
                out.push(Line::raw(""));
            }
            out.push(Line::styled(what, theme.title()));
            continue;
        }
        let k = if theme.ascii {
            ascii_keys(k)
        } else {
            k.to_string()
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {k:<kw$}"), theme.key()),
            Span::raw(what),
        ]));
    }
    out.push(Line::raw(""));
    for n in m.notes {
        let n = if theme.ascii {
            ascii_note(n)
        } else {
            n.to_string()
        };
        out.push(Line::styled(n, theme.dim()));
    }
    out
}

/// The help overlay's state: open or not, and how far it is scrolled.
#[derive(Debug, Clone, Default)]
pub struct HelpPane {
    pub open: bool,
    pub top: usize,
}

impl HelpPane {
    pub fn show(&mut self) {
        self.open = true;
        self.top = 0;
    }

    /// A key while open: ↑/↓ and pages scroll, `q` quits, any other key closes it. `len` is
    /// the number of lines, `page` a page's height.
    pub fn on_key(&mut self, key: KeyEvent, len: usize, page: usize) -> Handled {
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.top = self.top.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.top += 1,
            KeyCode::PageUp => self.top = self.top.saturating_sub(page),
            KeyCode::PageDown => self.top += page,
            KeyCode::Char('q') => return Handled::Then(Effect::Quit),
            _ => self.open = false,
        }
        self.top = self.top.min(len.saturating_sub(1));
        Handled::Consumed
    }

    /// A click anywhere closes it.
    pub fn on_mouse(&mut self, m: MouseEvent) -> Handled {
        if let MouseEventKind::Down(_) = m.kind {
            self.open = false;
        }
        Handled::Consumed
    }
}

/// Draws the overlay centred over `area`.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let lines = lines(app);
    let w = area.width.min(84);
    let h = area.height.min(lines.len() as u16 + 2);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(if app.theme.ascii {
            ASCII_BORDER
        } else {
            ratatui::symbols::border::ROUNDED
        })
        .title(Span::styled(
            fill(
                messages(app.lang).help_title,
                &[(
                    "updown",
                    if app.theme.ascii {
                        &"Up/Down"
                    } else {
                        &"↑↓"
                    },
                )],
            ),
            app.theme.title(),
        ));
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.help.top as u16, 0));
    f.render_widget(p, r);
}

/// A frame drawn with `+`, `-` and `|`.
pub const ASCII_BORDER: ratatui::symbols::border::Set = ratatui::symbols::border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::from(c)
    }

    #[test]
    fn the_overlay_scrolls_within_its_lines_quits_on_q_and_closes_on_any_other_key() {
        let mut h = HelpPane::default();
        h.show();
        assert_eq!(h.on_key(key(KeyCode::Down), 10, 4), Handled::Consumed);
        assert_eq!(h.top, 1);
        h.on_key(key(KeyCode::PageDown), 10, 4);
        h.on_key(key(KeyCode::PageDown), 10, 4);
        assert_eq!(h.top, 9, "never past the last line");
        h.on_key(key(KeyCode::PageUp), 10, 4);
        assert_eq!(h.top, 5);
        assert!(h.open);
        assert_eq!(
            h.on_key(key(KeyCode::Char('q')), 10, 4),
            Handled::Then(Effect::Quit)
        );
        h.on_key(key(KeyCode::Char('x')), 10, 4);
        assert!(!h.open);
    }
}
