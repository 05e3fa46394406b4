//! What Zeek's conn.log counts of a connection beside its states: its time span, packets and
//! IP bytes per side (`orig_pkts`, `orig_ip_bytes`, ...), and the bytes the capture never
//! showed (`missed_bytes`). Kept per Zeek connection: a split (one of Zeek's timers removed
//! the connection) starts new counts.

use crate::decode::{Segment, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// The first segment's time (Zeek's `ts`) and the latest (`ts + duration`).
    pub first: Timestamp,
    pub last: Timestamp,
    /// Segments per synack side, `[client, server]`.
    pub pkts: [u64; 2],
    /// Their IP datagrams' lengths, headers included.
    pub ip_bytes: [u64; 2],
    /// Bytes acknowledged that were never seen (content gaps), both directions.
    pub missed: u64,
}

impl Counts {
    /// One segment from synack side `side` (0: client). `closed`: both endpoints had closed
    /// before it, and Zeek no longer moves the connection's last time.
    pub(super) fn add(&mut self, seg: &Segment, side: usize, closed: bool) {
        if self.pkts == [0, 0] {
            self.first = seg.ts;
            self.last = seg.ts;
        } else {
            // Captures are not always in time order: keep the true span.
            self.first = self.first.min(seg.ts);
            if !closed {
                self.last = self.last.max(seg.ts);
            }
        }
        self.pkts[side] += 1;
        self.ip_bytes[side] += u64::from(seg.options.ip_len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{seg, ACK, SYN, SYN_ACK};

    #[test]
    fn packets_and_ip_bytes_by_side_and_the_span() {
        let mut c = Counts::default();
        let mut s = seg(true, SYN, 1, 0, 0, 5);
        s.options.ip_len = 60;
        c.add(&s, 0, false);
        let mut s = seg(false, SYN_ACK, 9, 2, 0, 7);
        s.options.ip_len = 52;
        c.add(&s, 1, false);
        // Out of time order: the span still runs from the earliest.
        let mut s = seg(true, ACK, 2, 10, 100, 3);
        s.options.ip_len = 140;
        c.add(&s, 0, false);
        assert_eq!(c.pkts, [2, 1]);
        assert_eq!(c.ip_bytes, [200, 52]);
        assert_eq!(
            (c.first, c.last),
            (Timestamp(3_000_000), Timestamp(7_000_000))
        );
        // Once both ends closed, a segment counts but does not make the connection last longer.
        c.add(&seg(true, ACK, 2, 10, 0, 9), 0, true);
        assert_eq!((c.pkts, c.last), ([3, 1], Timestamp(7_000_000)));
    }
}
