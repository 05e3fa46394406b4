//! Glyphs (Unicode or `--ascii`) and colours (or none, with `NO_COLOR`).
//!
//! Colour only adds to what the text already says: state names are always written out and
//! arrows differ by shape (a reset is drawn with a double line), so a monochrome projector
//! loses nothing.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

use crate::track::State;

/// How the screen is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Only ASCII characters (for terminals without Unicode line drawing).
    pub ascii: bool,
    /// Use colours (off with `NO_COLOR`).
    pub color: bool,
    /// Which colours (`--theme`).
    pub palette: Palette,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            ascii: false,
            color: true,
            palette: Palette::Dark,
        }
    }
}

/// `--theme`: the colours for a dark terminal, a light one, or a projector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Palette {
    #[default]
    Dark,
    Light,
    /// Bright colours only: no dark grey or dark blue, which wash out on a projector.
    HighContrast,
}

impl Palette {
    /// The colour drawn for `c` (the dark palette's name for it).
    fn map(self, c: Color) -> Color {
        match (self, c) {
            (Palette::Dark, c) => c,
            (Palette::HighContrast, Color::DarkGray) => Color::Gray,
            (Palette::HighContrast, Color::Blue) => Color::LightBlue,
            (Palette::HighContrast, Color::Magenta) => Color::LightMagenta,
            (Palette::HighContrast, Color::Red) => Color::LightRed,
            (Palette::HighContrast, Color::Green) => Color::LightGreen,
            (Palette::HighContrast, Color::Cyan) => Color::LightCyan,
            (Palette::HighContrast, Color::Yellow) => Color::LightYellow,
            // On white: no white, no yellow; the light colours darker.
            (Palette::Light, Color::White) => Color::Black,
            (Palette::Light, Color::Yellow) => Color::Blue,
            (Palette::Light, Color::LightRed) => Color::Red,
            (Palette::Light, Color::Cyan) => Color::Blue,
            (_, c) => c,
        }
    }
}

/// The characters a ladder and the frames are drawn with.
#[derive(Debug, Clone, Copy)]
pub struct Glyphs {
    pub lifeline: char,
    pub line: char,
    /// The shaft of a reset arrow.
    pub rst_line: char,
    pub head_right: char,
    pub head_left: char,
    /// Dotted shaft for inferred events (TIME_WAIT expiry).
    pub dotted: char,
    pub cursor: char,
    pub sep: &'static str,
    pub ellipsis: char,
    pub play: &'static str,
    pub pause: &'static str,
    pub fold_open: &'static str,
    pub fold_closed: &'static str,
    pub hrule: char,
}

const UNICODE: Glyphs = Glyphs {
    lifeline: '│',
    line: '─',
    rst_line: '═',
    head_right: '▶',
    head_left: '◀',
    dotted: '┄',
    cursor: '▸',
    sep: " │ ",
    ellipsis: '…',
    play: "▶",
    pause: "⏸",
    fold_open: "▾",
    fold_closed: "▸",
    hrule: '─',
};

const ASCII: Glyphs = Glyphs {
    lifeline: '|',
    line: '-',
    rst_line: '=',
    head_right: '>',
    head_left: '<',
    dotted: '.',
    cursor: '>',
    sep: " | ",
    ellipsis: '~',
    play: ">",
    pause: "||",
    fold_open: "-",
    fold_closed: "+",
    hrule: '-',
};

impl Theme {
    pub fn glyphs(&self) -> &'static Glyphs {
        if self.ascii {
            &ASCII
        } else {
            &UNICODE
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(self.palette.map(c))
        } else {
            Style::new()
        }
    }

    /// Colour of a TCP state: green when data can flow, yellow while opening, magenta while
    /// closing, cyan in TIME_WAIT, red when the application still has to close (CLOSE_WAIT),
    /// grey when there is no connection.
    pub fn state(&self, s: State) -> Style {
        let c = match s {
            State::Closed => Color::DarkGray,
            State::Listen => Color::Blue,
            State::SynSent | State::SynReceived => Color::Yellow,
            State::Established => Color::Green,
            State::FinWait1 | State::FinWait2 | State::Closing | State::LastAck => Color::Magenta,
            State::CloseWait => Color::LightRed,
            State::TimeWait => Color::Cyan,
        };
        self.fg(c)
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn bar(&self) -> Style {
        if self.color {
            Style::new()
                .bg(match self.palette {
                    Palette::Dark => Color::Blue,
                    // A dark blue bar behind white text holds on a projector and on white.
                    Palette::Light | Palette::HighContrast => Color::Black,
                })
                .fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    /// A lesson's note, under the narration.
    pub fn note(&self) -> Style {
        self.fg(Color::Cyan)
    }
    /// A socket call on a lifeline: not a state, so not in a state's colour.
    pub fn call(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::ITALIC)
    }
    pub fn newest(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    /// Segments that prove a finding (after a jump from the problems view).
    pub fn evidence(&self) -> Style {
        if self.color {
            self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }
    pub fn arrow(&self, rst: bool, syn_or_fin: bool) -> Style {
        if rst {
            self.fg(Color::Red).add_modifier(Modifier::BOLD)
        } else if syn_or_fin {
            self.fg(Color::White).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    }
}

impl Theme {
    /// A pane: a rule on top carrying the title (brighter when the pane has the focus).
    pub fn pane(&self, title: String, focused: bool) -> Block<'static> {
        let mut b = Block::new()
            .borders(Borders::TOP)
            .border_style(if focused { self.title() } else { self.dim() })
            .title(Span::styled(title, self.title()));
        if self.ascii {
            b = b.border_set(crate::ui::help::ASCII_BORDER);
        }
        b
    }
}

/// Short state names for narrow tables (as BSD `netstat` and `ss` shorten them).
pub fn short_state(s: State) -> &'static str {
    match s {
        State::SynReceived => "SYN_RCVD",
        State::Established => "ESTAB",
        State::FinWait1 => "FIN_WAIT1",
        State::FinWait2 => "FIN_WAIT2",
        other => other.name(),
    }
}
