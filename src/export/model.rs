//! What every export draws, taken once from a connection: the two ends, each row of the
//! ladder (segments with their flags, relative seq/ack, length and time; folded runs; socket
//! calls), each end's state where it changes, and the findings. The rows come from the same
//! walk `--text` draws ([`text::for_each_step`]), the labels from the same functions, so an
//! export never says something the ladder does not.

use std::net::{IpAddr, SocketAddr};

use crate::decode::Endpoint;
use crate::diagnose::Finding;
use crate::i18n::Lang;
use crate::output::state_label::{label, ServerProof};
use crate::output::text::{self, Step};
use crate::output::OutputOptions;
use crate::teach::calls;
use crate::track::{Connection, Dir, EventKind, Side};

/// Longest host name `--alias` gives (a diagram's participant box has room for this much).
pub const MAX_ALIAS: usize = 40;

/// `--alias ADDR=NAME`: names for hosts (an address) or for one endpoint (`ADDR:PORT`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aliases(Vec<(AliasAddr, String)>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AliasAddr {
    Host(IpAddr),
    Endpoint(SocketAddr),
}

impl Aliases {
    /// Parses the `--alias` values; the error is the value that is not `ADDR=NAME`.
    pub fn parse(asked: &[String]) -> Result<Aliases, String> {
        let mut out = Vec::new();
        for a in asked {
            let (addr, name) = a.split_once('=').ok_or_else(|| a.clone())?;
            let (addr, name) = (addr.trim(), name.trim());
            let addr = if let Ok(ip) = addr.parse::<IpAddr>() {
                AliasAddr::Host(ip)
            } else if let Ok(sa) = addr.parse::<SocketAddr>() {
                AliasAddr::Endpoint(sa)
            } else {
                return Err(a.clone());
            };
            if name.is_empty() {
                return Err(a.clone());
            }
            // A name is the user's, but it lands in markup and on terminals: no control
            // characters, and short enough for a participant box.
            let name: String = crate::escape::escape(name)
                .chars()
                .take(MAX_ALIAS)
                .collect();
            out.push((addr, name));
        }
        Ok(Aliases(out))
    }

    /// The name of `e`: an endpoint's own alias before its host's; the last given wins.
    pub fn name(&self, e: &Endpoint) -> Option<&str> {
        let sa = SocketAddr::new(e.ip, e.port);
        let find = |want: AliasAddr| {
            self.0
                .iter()
                .rev()
                .find(|(a, _)| *a == want)
                .map(|(_, n)| n.as_str())
        };
        find(AliasAddr::Endpoint(sa)).or_else(|| find(AliasAddr::Host(e.ip)))
    }
}

/// One end of the connection as a diagram names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// `client` or `server`.
    pub role: &'static str,
    /// `ip:port`.
    pub addr: String,
    /// From `--alias`.
    pub name: Option<String>,
}

impl Participant {
    /// `client web` or `client` (the address goes on a line of its own).
    pub fn title(&self) -> String {
        match &self.name {
            Some(n) => format!("{} {n}", self.role),
            None => self.role.to_string(),
        }
    }

    /// `web (10.0.0.1:80)` or the address alone.
    pub fn who(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.addr),
            None => self.addr.clone(),
        }
    }
}

/// How a segment's arrow is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrow {
    Plain,
    /// Carries RST (red, or crossed).
    Reset,
    /// Not in the capture, drawn where it would be (dotted).
    Inferred,
}

/// The ends (0: client, 1: server) a segment in `dir` goes from and to.
pub fn from_to(dir: Dir) -> (usize, usize) {
    match dir {
        Dir::C2S => (0, 1),
        Dir::S2C => (1, 0),
    }
}

/// Where an end's notes go in Mermaid and PlantUML: on its outer side, as on the ladder.
pub fn outer(side: Side) -> &'static str {
    match side {
        Side::Client => "left of",
        Side::Server => "right of",
    }
}

/// What a row shows between (or beside) the two lifelines.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// A segment: its arrow and label (flags, seq/ack, length, window, marks).
    Segment {
        dir: Dir,
        label: String,
        arrow: Arrow,
    },
    /// Text across both lifelines: a folded run, segments not kept, a timer.
    Note(String),
    /// A socket call on its end's lifeline (`--calls`).
    Call(Side, &'static str),
}

/// One row of the diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Seconds since the connection's first segment (`0.000123`); empty for a call.
    pub time: String,
    pub what: What,
    /// Each end's state label after this row, where it changed (`[client, server]`).
    pub states: [Option<&'static str>; 2],
}

/// A connection, ready for any format.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    pub id: u64,
    /// `Connection #1: 10.0.0.1:40000 -> 10.0.0.2:80`.
    pub title: String,
    /// The header's other lines: handshake and teardown, times and counts, final states.
    pub facts: Vec<String>,
    pub ends: [Participant; 2],
    /// The states before the first row.
    pub initial: [&'static str; 2],
    pub rows: Vec<Row>,
    /// `kind: sentence`, one a finding.
    pub findings: Vec<String>,
}

/// Builds the diagram of `c` as the ladder of `--text` shows it with `opts` (`--calls`,
/// `--absolute`), with `findings` and the names from `aliases`.
pub fn diagram(
    c: &Connection,
    opts: &OutputOptions,
    findings: &[Finding],
    aliases: &Aliases,
) -> Diagram {
    let end = |side: Side| {
        let e = c.end(side);
        Participant {
            role: side.name(),
            addr: e.addr.to_string(),
            name: aliases.name(&e.addr).map(String::from),
        }
    };
    let ends = [end(Side::Client), end(Side::Server)];
    let initial_states = c.initial_states();
    let proof = ServerProof::of(c);
    let initial = [
        initial_states[0].name(),
        label(proof, Side::Server, initial_states[1], usize::MAX, Lang::En),
    ];
    let calls = if opts.calls {
        calls::calls(c)
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    let mut shown = initial;
    let time = |t| text::secs6(t, c.first_seen);
    text::for_each_step(c, opts, &calls, |step| {
        let row = match step {
            Step::Call(k) => Row {
                time: String::new(),
                what: What::Call(k.side, k.call.label()),
                states: [None, None],
            },
            Step::Dropped(r) => Row {
                time: time(r.first),
                what: What::Note(format!(
                    "{} [{} c2s, {} s2c, {} bytes]",
                    r.text(),
                    r.c2s,
                    r.segments - r.c2s,
                    crate::output::thousands(r.bytes)
                )),
                states: [None, None],
            },
            Step::Fold(f) => Row {
                time: time(c.events[f.first].ts),
                what: What::Note(format!(
                    "{} [{} c2s, {} s2c]",
                    f.text(),
                    f.c2s,
                    f.segments - f.c2s
                )),
                states: [None, None],
            },
            Step::Event(i) => {
                let e = &c.events[i];
                let labels = [
                    e.states[0].name(),
                    label(proof, Side::Server, e.states[1], usize::MAX, Lang::En),
                ];
                let states = [0, 1].map(|k| (labels[k] != shown[k]).then_some(labels[k]));
                shown = labels;
                let what = match e.kind {
                    EventKind::TimeWaitExpired => {
                        What::Note("2*MSL elapsed: TIME_WAIT over (inferred)".into())
                    }
                    EventKind::Segment | EventKind::Missing => {
                        let mut label = text::segment_label(c, e, opts);
                        // What the payload is, as the TUI's ladder says it.
                        if let Some(app) = c.label_of(e.frame) {
                            label.push_str(": ");
                            label.push_str(&app.text);
                        }
                        let marks: Vec<&str> = e.marks.names().collect();
                        if !marks.is_empty() {
                            label.push_str(" [");
                            label.push_str(&marks.join(", "));
                            label.push(']');
                        }
                        let arrow = if e.kind == EventKind::Missing {
                            Arrow::Inferred
                        } else if e.flags.rst() {
                            Arrow::Reset
                        } else {
                            Arrow::Plain
                        };
                        What::Segment {
                            dir: e.dir,
                            label,
                            arrow,
                        }
                    }
                };
                Row {
                    time: time(e.ts),
                    what,
                    states,
                }
            }
        };
        rows.push(row);
    });
    let header = text::header(c);
    let facts = header
        .lines()
        .skip(1)
        .map(|l| l.trim().to_string())
        .collect();
    Diagram {
        id: c.id,
        title: format!(
            "Connection #{}: {} -> {}",
            c.id,
            ends[0].who(),
            ends[1].who()
        ),
        facts,
        ends,
        initial,
        rows,
        findings: findings
            .iter()
            .map(|f| format!("{}: {}", f.kind.name(), f.sentence))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str) -> Endpoint {
        let sa: SocketAddr = s.parse().unwrap();
        Endpoint {
            ip: sa.ip(),
            port: sa.port(),
        }
    }

    #[test]
    fn an_endpoint_alias_wins_over_its_hosts_and_the_last_given_wins() {
        let a = Aliases::parse(&[
            "10.0.0.2=db".into(),
            "10.0.0.2:80=web".into(),
            "[2001:db8::1]:443=v6".into(),
            "10.0.0.3=old".into(),
            " 10.0.0.3 = new ".into(),
        ])
        .unwrap();
        assert_eq!(a.name(&ep("10.0.0.2:80")), Some("web"));
        assert_eq!(a.name(&ep("10.0.0.2:5432")), Some("db"));
        assert_eq!(a.name(&ep("[2001:db8::1]:443")), Some("v6"));
        assert_eq!(a.name(&ep("10.0.0.3:1")), Some("new"));
        assert_eq!(a.name(&ep("10.0.0.4:1")), None);
    }

    #[test]
    fn a_bad_alias_is_named_and_a_name_is_made_safe() {
        assert_eq!(Aliases::parse(&["web".into()]), Err("web".into()));
        assert_eq!(Aliases::parse(&["host=web".into()]), Err("host=web".into()));
        assert_eq!(Aliases::parse(&["1.2.3.4=".into()]), Err("1.2.3.4=".into()));
        let a = Aliases::parse(&[format!("1.2.3.4=a\u{1b}[31m{}", "x".repeat(60))]).unwrap();
        let name = a.name(&ep("1.2.3.4:1")).unwrap();
        assert!(name.starts_with("a\\x1b[31m"), "{name}");
        assert_eq!(name.chars().count(), MAX_ALIAS);
    }
}
