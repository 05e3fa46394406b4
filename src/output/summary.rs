//! Totals over a whole capture: packets by fate, connections by outcome and final state.

use std::collections::BTreeMap;

use crate::decode::Counters;
use crate::track::{Connection, Handshake, State, Teardown, TrackerStats};

/// Running totals over the connections written so far (so streaming output can free them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub connections: u64,
    pub handshakes: [u64; 3],
    pub teardowns: [u64; 4],
    pub mid_stream: u64,
    /// Final states: `[client, server]` per state, in [`State::ALL`] order.
    pub states: [[u64; 11]; 2],
    /// Marks counted over all segments, in `Marks::NAMES` order.
    pub marks: [u64; crate::track::Marks::COUNT],
}

impl Summary {
    pub fn add(&mut self, c: &Connection) {
        self.connections += 1;
        self.handshakes[match c.handshake() {
            Handshake::Complete => 0,
            Handshake::Partial => 1,
            Handshake::None => 2,
        }] += 1;
        self.teardowns[match c.teardown() {
            Teardown::Fin => 0,
            Teardown::Rst => 1,
            Teardown::Half => 2,
            Teardown::None => 3,
        }] += 1;
        if c.mid_stream {
            self.mid_stream += 1;
        }
        for (i, e) in c.ends.iter().enumerate() {
            let idx = State::ALL.iter().position(|s| *s == e.state).unwrap_or(0);
            self.states[i][idx] += 1;
        }
        for (i, n) in c.mark_counts.iter().enumerate() {
            self.marks[i] += u64::from(*n);
        }
    }

    pub fn complete_handshakes(&self) -> u64 {
        self.handshakes[0]
    }
    pub fn fin_both_sides(&self) -> u64 {
        self.teardowns[0]
    }
}

/// Everything the summary reports, gathered once for text and JSON.
pub struct Report<'a> {
    pub summary: &'a Summary,
    pub counters: &'a Counters,
    pub tracker: &'a TrackerStats,
    /// A warning about the input (e.g. a truncated file) after which output is partial.
    pub warning: Option<&'a str>,
}

impl Report<'_> {
    pub fn malformed(&self) -> &BTreeMap<&'static str, u64> {
        &self.counters.malformed
    }
}

/// "A MiB" or "A GiB" for a budget in bytes.
pub fn mib(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

/// What the memory budget (`--max-memory`, or `--max-conns`) cost: connections evicted, the
/// segments that came on them afterwards, events folded. One line, for the text summary and
/// the diagnosis' note.
pub fn budget_line(t: &TrackerStats) -> String {
    let bound = if t.memory_budget > 0 {
        format!("--max-memory {} or --max-conns", mib(t.memory_budget))
    } else {
        "--max-conns".to_string()
    };
    let mut parts = vec![format!("{} connections evicted", t.evicted)];
    if t.after_eviction > 0 {
        parts.push(format!(
            "{} later segments on them counted, not tracked",
            t.after_eviction
        ));
    }
    if t.events_over_budget > 0 {
        parts.push(format!("{} events folded", t.events_over_budget));
    }
    format!("memory bound reached ({bound}): {}", parts.join(", "))
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    #[test]
    fn the_budget_line_names_the_bound_and_what_it_cost() {
        let t = TrackerStats {
            evicted: 3,
            after_eviction: 7,
            events_over_budget: 0,
            memory_budget: 160 << 20,
            ..TrackerStats::default()
        };
        assert_eq!(
            budget_line(&t),
            "memory bound reached (--max-memory 160 MiB or --max-conns): 3 connections evicted, 7 later segments on them counted, not tracked"
        );
        let t = TrackerStats {
            events_over_budget: 5,
            memory_budget: 2 << 30,
            ..TrackerStats::default()
        };
        assert!(budget_line(&t).contains(
            "(--max-memory 2 GiB or --max-conns): 0 connections evicted, 5 events folded"
        ));
    }
}
