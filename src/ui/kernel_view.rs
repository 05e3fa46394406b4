//! The kernel's view in the TUI (live and lab runs, see [`crate::kernel`]): the list's
//! column (both ends' kernel states, short) and the ladder's line above its column header
//! (`kernel: client TIME_WAIT, 54 s left (synack 812) · server no socket`). Where the kernel
//! and synack disagree, the end is drawn as a warning and says what synack infers.

use ratatui::text::{Line, Span};

use super::app::App;
use super::theme::short_state;
use crate::i18n::messages;
use crate::kernel::KernelPair;
use crate::track::{Connection, Side, State};

/// The list's cell: `CLIENT/SERVER` kernel states, short (`-` for an end not on this host,
/// the catalogue's `none` for no socket); true when either differs from what synack infers.
/// `narrow` (a list under 122 columns): an end the kernel agrees on is `=` (its state is in
/// the columns beside), so that the addresses keep their room; one it disagrees on is named.
pub fn cell(
    c: &Connection,
    pair: &KernelPair,
    lang: crate::i18n::Lang,
    narrow: bool,
) -> (String, bool) {
    let mut differs = false;
    let mut parts = Vec::with_capacity(2);
    for side in [Side::Client, Side::Server] {
        parts.push(match pair.end(side) {
            None => "-",
            Some(k) => {
                let agrees = k.state == c.end(side).state;
                differs |= !agrees;
                if narrow && agrees {
                    "="
                } else if k.state == State::Closed {
                    messages(lang).kernel.none
                } else {
                    short_state(k.state)
                }
            }
        });
    }
    (parts.join("/"), differs)
}

/// The ladder's kernel line for `c`.
pub fn ladder_line<'a>(c: &Connection, pair: &KernelPair, app: &App) -> Line<'a> {
    let m = messages(app.lang);
    let theme = &app.theme;
    let mut spans = vec![Span::styled(format!(" {}", m.kernel.heading), theme.dim())];
    for (i, (side, label)) in [(Side::Client, m.client), (Side::Server, m.server)]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::styled(theme.glyphs().sep, theme.dim()));
        }
        spans.push(Span::styled(format!("{label} "), theme.dim()));
        let inferred = c.end(side).state;
        match pair.end(side) {
            None => spans.push(Span::styled(m.kernel.elsewhere, theme.dim())),
            Some(k) => {
                let style = if k.state == inferred {
                    theme.state(k.state)
                } else {
                    theme.warn()
                };
                spans.push(Span::styled(
                    crate::kernel::end_words(k, inferred, app.lang),
                    style,
                ));
            }
        }
    }
    Line::from(spans)
}
