//! Findings across connections: TIME_WAIT piles, SYN floods, rankings, and the `--diagnose`
//! report. Fed connection by connection, so it works on a stream.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

use super::findings::diagnose_with;
use super::kinds::{DiagConfig, Finding, Kind};
use crate::decode::{Endpoint, Timestamp};
use crate::i18n::Lang;
use crate::track::{Connection, Side, State};

/// Findings that are normal by themselves (a TIME_WAIT after a clean close, keep-alives):
/// listed, but they do not make `--diagnose` exit 1.
pub fn is_problem(f: &Finding) -> bool {
    f.problem
}

/// A pattern over many connections.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub kind: Kind,
    /// "time_wait_pile" or "syn_flood".
    pub pattern: &'static str,
    pub endpoint: Endpoint,
    pub count: u64,
    pub sentence: String,
    /// The connections (first few ids).
    pub conns: Vec<u64>,
    /// A TIME_WAIT pile: the end that holds it (the one that closed first), the first few
    /// holders' addresses with their counts (`10.0.0.1 (12)`), and how many more there are.
    pub holder: Option<(Side, Vec<String>, usize)>,
    /// A SYN flood: its sources, and the most SYNs in one second.
    pub flood: Option<(usize, usize)>,
}

#[derive(Default)]
struct Pile {
    count: u64,
    holders: BTreeMap<IpAddr, u64>,
    holder_side: Option<Side>,
    conns: Vec<u64>,
}

/// Findings of each kind shown in the `--diagnose` report (the worst first); all of them are
/// counted, and all are in `--json`, but only these are kept, so memory stays flat however
/// many connections a capture has.
pub const PER_KIND: usize = 10;

/// Accumulates findings over a capture.
pub struct Diagnosis {
    pub cfg: DiagConfig,
    /// Findings counted per kind (in [`Kind::ALL`] order), and how many were problems.
    counts: [u64; Kind::ALL.len()],
    problem_findings: u64,
    /// The worst findings of each kind, worst first, at most [`PER_KIND`].
    worst: [Vec<Finding>; Kind::ALL.len()],
    pub connections: u64,
    pub with_findings: u64,
    time_wait: BTreeMap<(Endpoint, u8), Pile>,
    half_open: BTreeMap<Endpoint, Vec<(Timestamp, IpAddr, u64)>>,
    /// Connections whose SYN had no answer yet when judged, too recent to be unanswered (a
    /// capture that ends right after a burst of SYNs is not "healthy").
    pub syns_pending: u64,
}

impl Diagnosis {
    pub fn new(cfg: DiagConfig) -> Diagnosis {
        Diagnosis {
            cfg,
            counts: [0; Kind::ALL.len()],
            problem_findings: 0,
            worst: Default::default(),
            connections: 0,
            with_findings: 0,
            time_wait: BTreeMap::new(),
            half_open: BTreeMap::new(),
            syns_pending: 0,
        }
    }

    /// Diagnoses one connection as of `now`; returns its findings (also kept for the report).
    pub fn add(&mut self, c: &Connection, now: Timestamp) -> Vec<Finding> {
        self.add_with(c, now, true)
    }

    /// [`Diagnosis::add`]; the returned findings have sentences only if `text` (the report's
    /// own worst-of-kind lists always have them).
    pub fn add_with(&mut self, c: &Connection, now: Timestamp, text: bool) -> Vec<Finding> {
        let found = diagnose_with(c, now, &self.cfg, text);
        self.absorb(c, now, &found);
        found
    }

    /// Takes in the findings `found` that [`diagnose_with`] gave for `c` as of `now` (with
    /// or without sentences; computed on any thread): counts them, notes the patterns, and
    /// keeps the worst of each kind. A connection with a finding that makes one of those
    /// lists but was found without sentences is diagnosed again with them (rare once the
    /// lists fill).
    pub fn absorb(&mut self, c: &Connection, now: Timestamp, found: &[Finding]) {
        self.note(c, found);
        let enters = |d: &Self, f: &Finding| {
            let list = &d.worst[kind_index(f.kind)];
            list.len() < PER_KIND || list.last().is_some_and(|w| worse_first(f, w).is_lt())
        };
        let worded;
        let kept = if found
            .iter()
            .any(|f| f.sentence.is_empty() && enters(self, f))
        {
            worded = diagnose_with(c, now, &self.cfg, true);
            &worded
        } else {
            found
        };
        for f in kept {
            let k = kind_index(f.kind);
            self.counts[k] += 1;
            self.problem_findings += u64::from(is_problem(f));
            if enters(self, f) {
                // After every equal one already kept, as a stable sort of them all would put it.
                let list = &mut self.worst[k];
                let at = list.partition_point(|w| !worse_first(f, w).is_lt());
                list.insert(at, f.clone());
                list.truncate(PER_KIND);
            }
        }
    }

    /// Counts `c` and its findings `found` (already computed) towards the patterns across
    /// connections, without keeping the findings (the terminal UI keeps its own).
    pub fn note(&mut self, c: &Connection, found: &[Finding]) {
        self.connections += 1;
        if !found.is_empty() {
            self.with_findings += 1;
        }
        for f in found {
            if f.kind == Kind::TimeWait && f.remaining.is_some() {
                let pile = self
                    .time_wait
                    .entry((c.server().addr, f.side as u8))
                    .or_default();
                pile.count += 1;
                *pile.holders.entry(f.endpoint.ip).or_default() += 1;
                pile.holder_side = Some(f.side);
                if pile.conns.len() < 8 {
                    pile.conns.push(c.id);
                }
            }
        }
        // Half-open attempts for flood detection: unanswered SYNs and SYN_RECEIVED servers.
        let unanswered = c.client().state == State::SynSent && c.server().packets == 0;
        if unanswered && !found.iter().any(|f| f.kind == Kind::SynUnanswered) {
            self.syns_pending += 1;
        }
        let half = c.server().state == State::SynReceived || unanswered;
        if half {
            self.half_open.entry(c.server().addr).or_default().push((
                c.first_seen,
                c.client().addr.ip,
                c.id,
            ));
        }
    }

    /// Piles of TIME_WAIT and SYN floods.
    pub fn groups(&self) -> Vec<Group> {
        let mut out = Vec::new();
        for ((server, _), pile) in &self.time_wait {
            if pile.count < self.cfg.pile_min {
                continue;
            }
            let side = pile.holder_side.unwrap_or(Side::Client);
            let holders: Vec<String> = pile
                .holders
                .iter()
                .take(3)
                .map(|(ip, n)| format!("{ip} ({n})"))
                .collect();
            let more = pile.holders.len().saturating_sub(3);
            let held_by = format!(
                "{}{}",
                holders.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
            let advice = match side {
                Side::Client => "the client closes first; reuse connections (keep-alive, pooling) or let the server close",
                Side::Server => "the server closes first; let clients close (HTTP keep-alive) or tune the server's close policy",
            };
            out.push(Group {
                kind: Kind::TimeWait,
                pattern: "time_wait_pile",
                endpoint: *server,
                count: pile.count,
                sentence: format!(
                    "{} connections to {} in TIME_WAIT, held by the {} {held_by}: {}",
                    pile.count,
                    server,
                    side.name(),
                    advice
                ),
                conns: pile.conns.clone(),
                holder: Some((side, holders, more)),
                flood: None,
            });
        }
        for (server, list) in &self.half_open {
            let sources: BTreeSet<IpAddr> = list.iter().map(|x| x.1).collect();
            if sources.len() < self.cfg.flood_sources {
                continue;
            }
            let mut times: Vec<i64> = list.iter().map(|x| x.0 .0).collect();
            times.sort_unstable();
            // Highest number of new half-open connections within any one second.
            let mut peak = 0;
            let mut lo = 0;
            for hi in 0..times.len() {
                while times[hi] - times[lo] >= Timestamp::NANOS_PER_SEC {
                    lo += 1;
                }
                peak = peak.max(hi - lo + 1);
            }
            out.push(Group {
                kind: Kind::HalfOpen,
                pattern: "syn_flood",
                endpoint: *server,
                count: list.len() as u64,
                sentence: format!(
                    "SYN flood pattern: {} half-open connections to {} from {} sources, up to {} per second",
                    list.len(),
                    server,
                    sources.len(),
                    peak
                ),
                conns: list.iter().take(8).map(|x| x.2).collect(),
                holder: None,
                flood: Some((sources.len(), peak)),
            });
        }
        out.sort_by_key(|g| std::cmp::Reverse(g.count));
        out
    }

    pub fn problems(&self) -> usize {
        self.problem_findings as usize + self.groups().len()
    }

    /// All findings counted so far.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn by_kind(&self) -> BTreeMap<&'static str, u64> {
        Kind::ALL
            .iter()
            .zip(self.counts)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.name(), n))
            .collect()
    }

    /// The `--diagnose` report: patterns first, then findings grouped by kind, worst first.
    pub fn text(&self, source: &str) -> String {
        self.text_in(source, Lang::En)
    }

    /// [`Diagnosis::text`] in `lang` (`--diagnose --lang zh`): the headings, the findings'
    /// sentences and the patterns' (see [`super::words`]); endpoints, times and frames as in
    /// English.
    pub fn text_in(&self, source: &str, lang: Lang) -> String {
        use super::words;
        use crate::i18n::fill;
        let w = words::report_words(lang);
        let mut out = String::new();
        let total = self.total();
        let groups = self.groups();
        let line = fill(
            w.diagnosis,
            &[
                ("source", &source),
                ("findings", &(w.findings)(total)),
                ("with", &self.with_findings),
                ("connections", &(w.connections)(self.connections)),
                ("patterns", &(w.patterns)(groups.len() as u64)),
                ("problems", &(w.problems)(self.problems() as u64)),
            ],
        );
        let _ = writeln!(out, "{line}");
        if !groups.is_empty() {
            let _ = writeln!(out, "\n{}", w.patterns_heading);
            for g in &groups {
                let ids: Vec<String> = g.conns.iter().map(|i| format!("#{i}")).collect();
                let more = if g.count as usize > g.conns.len() {
                    " ..."
                } else {
                    ""
                };
                let conns = fill(w.group_conns, &[("ids", &ids.join(" ")), ("more", &more)]);
                let _ = writeln!(out, "  - {}\n{conns}", words::group(g, lang));
            }
        }
        for kind in Kind::ALL {
            let count = self.counts[kind_index(kind)] as usize;
            if count == 0 {
                continue;
            }
            let mut list = self.worst[kind_index(kind)].clone();
            sort_worst_first(&mut list);
            let title = words::title(kind, lang);
            let heading = fill(w.kind_heading, &[("title", &title), ("n", &count)]);
            let _ = writeln!(out, "\n{heading}");
            for f in list.iter().take(PER_KIND) {
                let frames: Vec<String> = f.frames.iter().map(|n| n.to_string()).collect();
                let conn = format!("{:<5}", f.conn);
                let text = fill(
                    w.finding,
                    &[
                        ("conn", &conn),
                        ("endpoint", &f.endpoint),
                        ("side", &w.sides[f.side as usize]),
                        ("since", &f.since.rfc3339()),
                        ("sentence", &words::sentence(f, lang)),
                        ("evidence", &(w.evidence)(&frames)),
                    ],
                );
                let _ = writeln!(out, "{text}");
            }
            if count > PER_KIND {
                let _ = writeln!(out, "{}", fill(w.more, &[("n", &(count - PER_KIND))]));
            }
        }
        if self.syns_pending > 0 {
            let _ = writeln!(out, "\n{}", fill(w.pending, &[("n", &self.syns_pending)]));
        } else if total == 0 && groups.is_empty() {
            let _ = writeln!(out, "\n{}", w.nothing);
        }
        out
    }

    pub fn summary_json(&self) -> serde_json::Value {
        let groups: Vec<serde_json::Value> = self
            .groups()
            .iter()
            .map(|g| {
                serde_json::json!({
                    "kind": g.kind.name(),
                    "pattern": g.pattern,
                    "endpoint": g.endpoint.to_string(),
                    "count": g.count,
                    "sentence": g.sentence,
                    "connections": g.conns,
                })
            })
            .collect();
        serde_json::json!({
            "total": self.total(),
            "problems": self.problems(),
            "connections_with_findings": self.with_findings,
            "by_kind": self.by_kind(),
            "groups": groups,
        })
    }
}

fn kind_index(k: Kind) -> usize {
    Kind::ALL.iter().position(|x| *x == k).unwrap_or(0)
}

/// Worst first: by weight, then by connection id (so equal weights read in capture order).
fn sort_worst_first(list: &mut [Finding]) {
    list.sort_by(worse_first);
}

/// The report's order within a kind: the heaviest first, then by connection.
fn worse_first(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.weight.total_cmp(&a.weight).then(a.conn.cmp(&b.conn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Flags;
    use crate::track::{Tracker, TrackerConfig};

    /// `n` refused connections (SYN, then RST+ACK), from distinct client ports.
    fn refused(n: u16) -> Vec<Connection> {
        let mut t = Tracker::new(TrackerConfig::default());
        for i in 0..n {
            // The shared test segments, each from its own client port.
            let mk = |from_c, flags, seq, ack| {
                let mut seg = crate::testkit::seg(from_c, flags, seq, ack, 0, i64::from(i));
                let port = if from_c {
                    &mut seg.src.port
                } else {
                    &mut seg.dst.port
                };
                *port = 20000 + i;
                seg.window = 100;
                seg
            };
            t.ingest(&mk(true, Flags::SYN, 7, 0), 1);
            t.ingest(&mk(false, Flags::RST | Flags::ACK, 0, 8), 2);
        }
        t.finish()
    }

    #[test]
    fn every_finding_is_counted_but_only_the_worst_are_kept() {
        let mut d = Diagnosis::new(DiagConfig::default());
        for c in refused(500) {
            assert_eq!(d.add(&c, c.last_seen).len(), 1);
        }
        assert_eq!(d.total(), 500);
        assert_eq!(d.problems(), 500);
        assert_eq!(d.by_kind()["refused"], 500);
        assert!(d.worst.iter().map(Vec::len).sum::<usize>() < 2 * PER_KIND);
        let text = d.text("x");
        assert!(text.contains("Refused connections (500)"), "{text}");
        assert!(text.contains("... and 490 more"), "{text}");
        // Equal weights: the first connections, in capture order.
        assert!(text.contains("#1 "), "{text}");
    }

    #[test]
    fn findings_without_sentences_give_the_same_report() {
        let bytes = crate::gen::bulk::leaked_capture(&crate::gen::bulk::BulkConfig {
            packets: 20_000,
            connections: 2_000,
            seed: 3,
            ..Default::default()
        });
        let mut reader = crate::capture::FileReader::from_bytes("bulk", bytes).unwrap();
        let mut decoder = crate::decode::Decoder::default();
        let mut tracker = Tracker::new(TrackerConfig::default());
        while let Some(pkt) = reader.next_packet().unwrap() {
            tracker.apply(&decoder.item(&pkt));
        }
        let now = tracker.now();
        let conns = tracker.finish();
        let (mut worded, mut bare) = (
            Diagnosis::new(DiagConfig::default()),
            Diagnosis::new(DiagConfig::default()),
        );
        let mut all = Vec::new();
        for c in &conns {
            let a = worded.add(c, now);
            let b = bare.add_with(c, now, false);
            assert_eq!(a.len(), b.len());
            for (a, b) in a.iter().zip(&b) {
                assert!(!a.sentence.is_empty() && b.sentence.is_empty());
                assert_eq!(
                    Finding {
                        sentence: String::new(),
                        ..a.clone()
                    },
                    *b
                );
            }
            all.extend(a);
        }
        // Several kinds, and more of some than the report keeps.
        assert!(worded.by_kind().len() >= 4, "{:?}", worded.by_kind());
        assert!(worded.by_kind().values().any(|n| *n > PER_KIND as u64));
        assert_eq!(worded.text("x"), bare.text("x"));
        // The kept lists are what sorting every finding would give.
        for (k, kept) in bare.worst.iter().enumerate() {
            let mut of_kind: Vec<Finding> = all
                .iter()
                .filter(|f| kind_index(f.kind) == k)
                .cloned()
                .collect();
            sort_worst_first(&mut of_kind);
            of_kind.truncate(PER_KIND);
            assert_eq!(*kept, of_kind);
        }
    }
}
