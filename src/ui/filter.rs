//! The connection list filter typed after `/`.
//!
//! Words separated by spaces must all match. A word matches a connection when it is
//! - a TCP state name (`established`, `time_wait`, `syn-recv`, `estab`, ...): either end is in it;
//! - a number: either end's port, or the connection number;
//! - `port:N`, `host:ADDR`, `state:NAME` (`client:NAME` / `server:NAME` for one end);
//! - anything else: a piece of either end's `address:port` text (case-insensitive).

use crossterm::event::{KeyCode, KeyEvent};

use super::pane::{Effect, Handled};
use crate::track::{Connection, State};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    State(Option<usize>, State),
    Number(u64),
    Port(u16),
    Host(String),
    Text(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    terms: Vec<Term>,
}

fn parse_state(s: &str) -> Option<State> {
    let n = s.trim().to_ascii_uppercase().replace(['-', ' '], "_");
    match n.as_str() {
        "ESTAB" => Some(State::Established),
        // ss(8)'s names (syn-recv), and netstat's short ones.
        "SYN_RCVD" | "SYN_RECV" => Some(State::SynReceived),
        "FIN_WAIT1" => Some(State::FinWait1),
        "FIN_WAIT2" => Some(State::FinWait2),
        _ => n.parse().ok(),
    }
}

impl Filter {
    pub fn parse(text: &str) -> Filter {
        let terms = text
            .split_whitespace()
            .map(|w| {
                let lw = w.to_ascii_lowercase();
                if let Some((k, v)) = lw.split_once(':') {
                    let st = parse_state(v);
                    match (k, st) {
                        ("state", Some(s)) => return Term::State(None, s),
                        ("client", Some(s)) => return Term::State(Some(0), s),
                        ("server", Some(s)) => return Term::State(Some(1), s),
                        _ => {}
                    }
                    if k == "port" {
                        if let Ok(p) = v.parse() {
                            return Term::Port(p);
                        }
                    }
                    if k == "host" {
                        return Term::Host(v.to_string());
                    }
                }
                if let Some(s) = parse_state(&lw) {
                    return Term::State(None, s);
                }
                if let Ok(n) = lw.trim_start_matches('#').parse::<u64>() {
                    return Term::Number(n);
                }
                Term::Text(lw)
            })
            .collect();
        Filter { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn matches(&self, c: &Connection) -> bool {
        self.terms.iter().all(|t| match t {
            Term::State(None, s) => c.ends.iter().any(|e| e.state == *s),
            Term::State(Some(i), s) => c.ends[*i].state == *s,
            Term::Number(n) => c.id == *n || c.ends.iter().any(|e| u64::from(e.addr.port) == *n),
            Term::Port(p) => c.ends.iter().any(|e| e.addr.port == *p),
            Term::Host(h) => c
                .ends
                .iter()
                .any(|e| e.addr.ip.to_string().to_ascii_lowercase() == *h),
            Term::Text(w) => c
                .ends
                .iter()
                .any(|e| e.addr.to_string().to_ascii_lowercase().contains(w.as_str())),
        })
    }
}

/// The filter line (`/`): the text typed, what it parses to, and whether it is being edited.
#[derive(Debug, Clone, Default)]
pub struct FilterLine {
    pub text: String,
    pub parsed: Filter,
    pub editing: bool,
}

impl FilterLine {
    pub fn set(&mut self, text: String) {
        self.parsed = Filter::parse(&text);
        self.text = text;
    }

    pub fn clear(&mut self) {
        self.set(String::new());
    }

    pub fn matches(&self, c: &Connection) -> bool {
        self.parsed.matches(c)
    }

    pub fn is_empty(&self) -> bool {
        self.parsed.is_empty()
    }

    /// A key while editing: Enter keeps the filter, Esc drops it, ↑/↓ still move the list.
    pub fn on_key(&mut self, key: KeyEvent) -> Handled {
        match key.code {
            KeyCode::Enter => self.editing = false,
            KeyCode::Esc => {
                self.editing = false;
                self.clear();
            }
            KeyCode::Backspace => {
                let mut t = self.text.clone();
                t.pop();
                self.set(t);
            }
            KeyCode::Char(c) => {
                let mut t = self.text.clone();
                t.push(c);
                self.set(t);
            }
            KeyCode::Up => return Handled::Then(Effect::MoveSelection(-1)),
            KeyCode::Down => return Handled::Then(Effect::MoveSelection(1)),
            _ => {}
        }
        Handled::Consumed
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn states_take_rfc_ss_and_netstat_names() {
        use super::parse_state;
        use crate::track::State;
        for (name, want) in [
            ("syn-recv", State::SynReceived),
            ("SYN_RECEIVED", State::SynReceived),
            ("syn_rcvd", State::SynReceived),
            ("fin-wait-2", State::FinWait2),
            ("fin_wait2", State::FinWait2),
            ("time-wait", State::TimeWait),
            ("close-wait", State::CloseWait),
            ("estab", State::Established),
        ] {
            assert_eq!(parse_state(name), Some(want), "{name}");
        }
        assert_eq!(parse_state("syn-rec"), None);
    }

    #[test]
    fn the_filter_line_edits_keeps_on_enter_drops_on_esc_and_lets_arrows_move_the_list() {
        use crossterm::event::{KeyCode, KeyEvent};
        let mut f = FilterLine {
            editing: true,
            ..FilterLine::default()
        };
        for c in "port:81x".chars() {
            f.on_key(KeyEvent::from(KeyCode::Char(c)));
        }
        f.on_key(KeyEvent::from(KeyCode::Backspace));
        assert_eq!(f.text, "port:81");
        assert_eq!(f.parsed, Filter::parse("port:81"));
        assert_eq!(
            f.on_key(KeyEvent::from(KeyCode::Down)),
            Handled::Then(Effect::MoveSelection(1))
        );
        f.on_key(KeyEvent::from(KeyCode::Enter));
        assert!(!f.editing);
        assert_eq!(f.text, "port:81", "Enter keeps it");
        f.editing = true;
        f.on_key(KeyEvent::from(KeyCode::Esc));
        assert!(
            !f.editing && f.text.is_empty() && f.is_empty(),
            "Esc drops it"
        );
    }

    use super::*;

    #[test]
    fn words_parse_to_terms() {
        assert_eq!(
            Filter::parse("estab").terms,
            vec![Term::State(None, State::Established)]
        );
        assert_eq!(
            Filter::parse("client:time-wait port:80 #3 10.0").terms,
            vec![
                Term::State(Some(0), State::TimeWait),
                Term::Port(80),
                Term::Number(3),
                Term::Text("10.0".into())
            ]
        );
        assert!(Filter::parse("   ").is_empty());
    }
}
