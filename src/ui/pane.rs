//! What every pane shares: how it answers a key or a click, and how it scrolls.
//!
//! Each pane (the list, the ladder, the problems view, the help overlay, the filter line) is a
//! component in the shape of gitui's and trippy's: a struct holding its own state (cursor,
//! scroll, folds, sort), a draw function that only reads it, and `on_key` / `on_mouse`
//! methods that change only it. What reaches past the pane (the selection, the focus, the
//! view) comes back as an [`Effect`] for the [`App`](super::app::App) to carry out.

/// What a pane did with a key or a click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Not the pane's: the app's keys get it.
    Ignored,
    /// Done; nothing else changes.
    Consumed,
    /// Done, and the app must do this.
    Then(Effect),
}

/// What a pane asks of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Quit,
    /// Move the list's selection by this many rows.
    MoveSelection(isize),
    /// Select the list's row at this index (a click).
    SelectRow(usize),
    /// The list's order changed: stop following the newest connection.
    Unfollow,
    /// Focus the ladder.
    FocusLadder,
    /// Leave the problems view.
    CloseView,
    /// Jump to the problem under the cursor, on its connection's ladder.
    Jump,
    /// Start editing the filter (back in the connections view).
    EditFilter,
}

/// A page for a pane `h` rows high (its borders and header left out).
pub fn page(h: u16) -> isize {
    h.saturating_sub(3).max(1) as isize
}

/// The first visible row so that `pos` is in a window of `h` rows over `n`, moving as little
/// as possible from `top`.
pub fn scroll_to(top: usize, pos: usize, h: usize, n: usize) -> usize {
    if h == 0 {
        return 0;
    }
    let mut t = top;
    if pos < t {
        t = pos;
    } else if pos >= t + h {
        t = pos + 1 - h;
    }
    t.min(n.saturating_sub(h))
}

/// `delta` rows from `pos` over `n` rows, kept in range.
pub fn step(pos: usize, delta: isize, n: usize) -> usize {
    (pos as isize + delta).clamp(0, n.saturating_sub(1) as isize) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_moves_as_little_as_needed() {
        assert_eq!(scroll_to(0, 3, 5, 20), 0);
        assert_eq!(scroll_to(0, 7, 5, 20), 3);
        assert_eq!(scroll_to(10, 4, 5, 20), 4);
        assert_eq!(scroll_to(18, 19, 5, 20), 15);
        assert_eq!(scroll_to(3, 0, 0, 20), 0);
    }

    #[test]
    fn steps_stay_in_range() {
        assert_eq!(step(0, -1, 5), 0);
        assert_eq!(step(3, 10, 5), 4);
        assert_eq!(step(2, 1, 5), 3);
        assert_eq!(step(0, 1, 0), 0);
    }
}
