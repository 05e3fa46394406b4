//! The tracker's memory budget (`--max-memory`) turned into the bounds the tracker keeps:
//! connections held at once and events held across them. The costs are what the counting
//! allocator measures (tests/alloc.rs, `make bench`'s memory figures), with headroom for the
//! table's own slots and a vector's spare capacity.

use super::events::Event;

/// Bytes a held connection costs beyond its events: under 1 KiB measured (tests/alloc.rs),
/// plus its slot in the table and its place in the evicted-4-tuple memory.
pub const CONN_BYTES: u64 = 1024 + 64 + 96;

/// Bytes an attempt costs (a connection past nothing but its SYN, held compactly in batch
/// modes): its record and its place in the index, 62 to 71 bytes measured for IPv4
/// (tests/alloc.rs) as the index stands in its doubling; this is the worst of them, so that
/// a full pool stays within its bytes. (An IPv6 attempt's record is 88 bytes: a flood of
/// those is held up to a third past its share.)
pub const ATTEMPT_BYTES: u64 = 72;

/// Bytes an event costs in a connection's log, allowing for a vector's doubling.
pub const EVENT_BYTES: u64 = 2 * std::mem::size_of::<Event>() as u64;

/// The default budget: the whole process stays under 256 MiB with it (decoding, channels,
/// output and the UI's own state take the rest; measured by `make bench`).
pub const DEFAULT_BYTES: u64 = 128 << 20;

/// Bounds derived from a budget: five eighths for connections, three for events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub bytes: u64,
    /// Bytes for connections and attempts together (five eighths).
    pub conn_bytes: u64,
    pub conns: usize,
    pub events: usize,
}

impl Budget {
    pub fn of(bytes: u64) -> Budget {
        let conn_bytes = bytes / 8 * 5;
        let conns = (conn_bytes / CONN_BYTES).max(1);
        let events = (bytes / 8 * 3 / EVENT_BYTES).max(1);
        Budget {
            bytes,
            conn_bytes,
            conns: usize::try_from(conns).unwrap_or(usize::MAX),
            events: usize::try_from(events).unwrap_or(usize::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_budget_holds_tens_of_thousands_of_connections_and_a_million_events() {
        let b = Budget::of(DEFAULT_BYTES);
        assert!((60_000..100_000).contains(&b.conns), "{b:?}");
        assert!((500_000..2_000_000).contains(&b.events), "{b:?}");
        // Spent in full, the two stay within the budget.
        let spent = b.conns as u64 * CONN_BYTES + b.events as u64 * EVENT_BYTES;
        assert!(spent <= DEFAULT_BYTES, "{spent}");
    }

    #[test]
    fn a_tiny_budget_still_tracks_one_connection() {
        let b = Budget::of(1);
        assert_eq!((b.conns, b.events), (1, 1));
    }
}
