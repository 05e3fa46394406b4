//! The connection list filter typed after `/`.
//!
//! Words separated by spaces must all match. A word matches a connection when it is
//! - a TCP state name (`established`, `time_wait`, `syn-recv`, `estab`, ...): either end is in it;
//! - a number: either end's port, or the connection number;
//! - `port:N`, `host:ADDR`, `state:NAME` (`client:NAME` / `server:NAME` for one end);
//! - anything else: a piece of either end's `address:port` text (case-insensitive).

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
        "SYN_RCVD" => Some(State::SynReceived),
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

#[cfg(test)]
mod tests {
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
