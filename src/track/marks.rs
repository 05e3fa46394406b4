//! The Wireshark-style analysis marks of a segment (`tcp.analysis.*`): retransmission, out of
//! order, duplicate ACK, keep-alive, zero window, what the capture missed. Read from the
//! sender's sequence space as the observer saw it so far, before the segment moves any state;
//! the state machine (`machine`) and the observer's guesses (`infer`) add marks of their own
//! (`RST_IGNORED`, `BAD_ACK`, `INFERRED`, `UNEXPECTED`).

use super::conn::End;
use super::seq;
use crate::decode::Segment;

/// A hole in a sequence space filled within this time was reordering in the capture path, not
/// a retransmission (Wireshark's default out-of-order threshold, 3 ms).
const OUT_OF_ORDER_WINDOW_NS: i64 = 3_000_000;

/// Per-segment analysis marks (a bit set), in the spirit of Wireshark's tcp.analysis flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Marks(pub u16);

impl Marks {
    pub const RETRANSMISSION: u16 = 1 << 0;
    pub const OUT_OF_ORDER: u16 = 1 << 1;
    pub const DUP_ACK: u16 = 1 << 2;
    pub const ZERO_WINDOW: u16 = 1 << 3;
    pub const KEEPALIVE: u16 = 1 << 4;
    /// Sequence space before this segment was never seen (lost or not captured).
    pub const PREV_MISSING: u16 = 1 << 5;
    /// Acknowledges data the capture never showed.
    pub const ACKED_UNSEEN: u16 = 1 << 6;
    /// A RST the receiver would not accept (out of window, or a bad ACK in SYN_SENT).
    pub const RST_IGNORED: u16 = 1 << 7;
    /// A SYN+ACK or ACK whose acknowledgment number does not match (the receiver would reset).
    pub const BAD_ACK: u16 = 1 << 8;
    /// A state was inferred because segments are missing (e.g. a SYN+ACK never captured).
    pub const INFERRED: u16 = 1 << 9;
    /// A segment that makes no sense in the sender's state (e.g. FIN before the handshake).
    pub const UNEXPECTED: u16 = 1 << 10;
    /// A SYN carrying data (TCP Fast Open or a misbehaving stack).
    pub const SYN_DATA: u16 = 1 << 11;
    /// A probe of a peer's zero window (one byte, or none, below the next sequence number).
    pub const ZERO_WINDOW_PROBE: u16 = 1 << 12;

    /// Every mark, in a fixed order (counters are indexed by position here).
    pub const NAMES: [(u16, &'static str); Marks::COUNT] = [
        (Self::RETRANSMISSION, "retransmission"),
        (Self::OUT_OF_ORDER, "out_of_order"),
        (Self::DUP_ACK, "dup_ack"),
        (Self::ZERO_WINDOW, "zero_window"),
        (Self::KEEPALIVE, "keepalive"),
        (Self::PREV_MISSING, "prev_missing"),
        (Self::ACKED_UNSEEN, "acked_unseen"),
        (Self::RST_IGNORED, "rst_ignored"),
        (Self::BAD_ACK, "bad_ack"),
        (Self::INFERRED, "inferred"),
        (Self::UNEXPECTED, "unexpected"),
        (Self::SYN_DATA, "syn_data"),
        (Self::ZERO_WINDOW_PROBE, "zero_window_probe"),
    ];
    pub const COUNT: usize = 13;

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
    pub fn set(&mut self, bit: u16) {
        self.0 |= bit;
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Where `bit` is in [`Marks::NAMES`] (and in per-mark counts).
    pub fn index(bit: u16) -> Option<usize> {
        Self::NAMES.iter().position(|(b, _)| *b == bit)
    }
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |(b, _)| self.has(*b))
            .map(|(_, n)| n)
    }
    /// Adds one to `counts` (in [`Marks::NAMES`] order) for each mark set.
    #[inline]
    pub(super) fn count_into(self, counts: &mut [u32; Marks::COUNT]) {
        for (i, (bit, _)) in Marks::NAMES.iter().enumerate() {
            if self.has(*bit) {
                counts[i] += 1;
            }
        }
    }
}

/// The marks of `seg`, sent by `end` to `peer`. Updates what the analysis keeps on `end`: its
/// latest hole and its run of duplicate ACKs.
#[inline]
pub(super) fn analyse(seg: &Segment, end: &mut End, peer: &End) -> Marks {
    let mut m = stream_marks(seg, end, peer);
    let f = seg.flags;
    // Duplicate ACK (as Wireshark defines it): nothing but an ACK, at the sender's next
    // sequence number, with the same ack and (non-zero) window as its previous segment. The
    // answer to a keep-alive, to a SYN+ACK or to a FIN sent again, with no data outstanding,
    // is not one (RFC 5681 section 2, condition (a)).
    let outstanding = peer.next_seq.is_some_and(|n| seq::gt(n, seg.ack));
    if f.ack()
        && !f.syn()
        && !f.fin()
        && !f.rst()
        && seg.payload_len == 0
        && seg.window != 0
        && end.next_seq == Some(seg.seq)
        && end.last_ack == Some(seg.ack)
        && end.last_window == seg.window
        && !m.has(Marks::KEEPALIVE)
        && !m.has(Marks::ZERO_WINDOW_PROBE)
        && (outstanding || !peer.probed)
    {
        m.set(Marks::DUP_ACK);
    }
    // A FIN sent again (its ACK was lost: the TIME_WAIT case) asks for an answer as a probe
    // does; the ACK that answers it, with no data outstanding, reports no loss.
    end.probed = f.syn()
        || m.has(Marks::KEEPALIVE)
        || m.has(Marks::ZERO_WINDOW_PROBE)
        || (f.fin() && m.has(Marks::RETRANSMISSION));
    if m.has(Marks::DUP_ACK) {
        end.dup_acks += 1;
    } else if f.ack() && end.last_ack != Some(seg.ack) {
        end.dup_acks = 0;
    }
    if seg.window == 0 && !f.syn() && !f.fin() && !f.rst() {
        m.set(Marks::ZERO_WINDOW);
    }
    if f.ack() && !f.rst() && acks_unseen(seg.ack, end, peer) {
        m.set(Marks::ACKED_UNSEEN);
    }
    m
}

/// Whether an ACK of `ack` from `end` covers sequence space of `peer` the capture never showed:
/// past the peer's next sequence number, or over its latest hole. A hole is reported once per
/// end (as Wireshark moves its "max seq to be acked" past it): later cumulative ACKs over the
/// same hole say nothing new.
fn acks_unseen(ack: u32, end: &mut End, peer: &End) -> bool {
    if peer.next_seq.is_some_and(|n| seq::gt(ack, n)) {
        return true;
    }
    match peer.hole {
        Some((a, b)) if seq::gt(ack, a) && end.acked_hole != Some(b) => {
            end.acked_hole = Some(b);
            true
        }
        _ => false,
    }
}

/// Where `seg` falls in its sender's sequence space: the same SYN again, a retransmission or
/// a segment captured out of order, a probe one below the next sequence number, or a gap.
#[inline]
fn stream_marks(seg: &Segment, end: &mut End, peer: &End) -> Marks {
    let mut m = Marks::default();
    let f = seg.flags;
    let len = seg.seq_len();
    // A segment one below the next sequence number probes the peer: its window if that is
    // closed, else whether it is still alive.
    let probe_kind = if peer.last_ack.is_some() && peer.last_window == 0 {
        Marks::ZERO_WINDOW_PROBE
    } else {
        Marks::KEEPALIVE
    };
    let fast_retransmit_asked = |seq: u32| peer.last_ack == Some(seq) && peer.dup_acks >= 2;
    if f.syn() && seg.payload_len > 0 {
        m.set(Marks::SYN_DATA);
    }
    if f.syn() {
        // The same SYN (or SYN+ACK) again. A SYN+ACK after our own SYN is the simultaneous
        // open's answer, not a retransmission.
        let same_kind = if f.ack() {
            end.sent_synack
        } else {
            end.sent_syn
        };
        if same_kind && end.isn == Some(seg.seq) {
            m.set(Marks::RETRANSMISSION);
        }
    } else if let Some(nxt) = end.next_seq {
        let seg_end = seg.seq.wrapping_add(len);
        if len > 0 && seq::lt(seg.seq, nxt) {
            let in_hole = end
                .hole
                .is_some_and(|(a, b)| seq::ge(seg.seq, a) && seq::le(seg_end, b));
            // A segment filling a hole soon after the hole appeared was captured late (out of
            // order). One the receiver asked for with duplicate ACKs, or one that comes later
            // than that (Wireshark's 3 ms threshold), is a retransmission.
            let soon = end
                .hole_since
                .get()
                .is_some_and(|t| seg.ts.0 - t.0 <= OUT_OF_ORDER_WINDOW_NS);
            if in_hole && soon && !fast_retransmit_asked(seg.seq) {
                m.set(Marks::OUT_OF_ORDER);
            } else if seg.payload_len <= 1 && !f.fin() && !f.rst() && seg.seq == nxt.wrapping_sub(1)
            {
                m.set(probe_kind);
            } else {
                m.set(Marks::RETRANSMISSION);
            }
        } else if len == 0 && !f.rst() && !f.fin() && seg.seq == nxt.wrapping_sub(1) && f.ack() {
            m.set(probe_kind);
        } else if seq::gt(seg.seq, nxt) && !f.rst() {
            m.set(Marks::PREV_MISSING);
            end.hole = Some((nxt, seg.seq));
            end.hole_since = seg.ts.into();
        }
    }
    m
}

#[cfg(test)]
mod tests {
    //! The marks of one segment, given what came before it.
    use crate::track::testkit::*;
    use crate::track::*;
    use State::*;

    #[test]
    fn test_syn_retransmission_is_marked_and_changes_nothing() {
        let mut t = syn_sent();
        let e = t.feed(seg(true, SYN, CISN, 0, 0, 1000));
        assert!(e.marks.has(Marks::RETRANSMISSION));
        assert_eq!(e.states, [SynSent, Listen]);
    }

    #[test]
    fn test_synack_retransmission_is_marked() {
        let mut t = syn_received();
        let e = t.feed(seg(false, SYN_ACK, SISN, CISN + 1, 0, 1000));
        assert!(e.marks.has(Marks::RETRANSMISSION));
        assert_eq!(e.states, [Established, SynReceived]);
    }

    #[test]
    fn test_retransmission_out_of_order_and_gap_marks() {
        let mut t = established();
        t.feed(seg(true, PSH_ACK, CISN + 1, SISN + 1, 100, 3));
        // Segment 201..301 arrives before 101..201 (which the capture then shows).
        let e = t.feed(seg(true, PSH_ACK, CISN + 201, SISN + 1, 100, 4));
        assert!(e.marks.has(Marks::PREV_MISSING));
        let e = t.feed(seg(true, PSH_ACK, CISN + 101, SISN + 1, 100, 5));
        assert!(e.marks.has(Marks::OUT_OF_ORDER));
        assert!(!e.marks.has(Marks::RETRANSMISSION));
        let e = t.feed(seg(true, PSH_ACK, CISN + 101, SISN + 1, 100, 300));
        assert!(e.marks.has(Marks::RETRANSMISSION));
    }

    #[test]
    fn test_dup_ack_zero_window_and_keepalive_marks() {
        let mut t = established();
        t.feed(seg(true, PSH_ACK, CISN + 1, SISN + 1, 100, 3));
        let a = t.feed(seg(false, ACK, SISN + 1, CISN + 101, 0, 4));
        assert!(a.marks.is_empty());
        let d = t.feed(seg(false, ACK, SISN + 1, CISN + 101, 0, 5));
        assert!(d.marks.has(Marks::DUP_ACK));
        let mut z = seg(false, ACK, SISN + 1, CISN + 101, 0, 6);
        z.window = 0;
        assert!(t.feed(z).marks.has(Marks::ZERO_WINDOW));
        // One below the next sequence number, against a closed window: a window probe.
        let p = t.feed(seg(true, ACK, CISN + 100, SISN + 1, 0, 5000));
        assert!(p.marks.has(Marks::ZERO_WINDOW_PROBE));
        assert!(!p.marks.has(Marks::KEEPALIVE));
        // The window reopens; the same segment later is a keep-alive.
        t.feed(seg(false, ACK, SISN + 1, CISN + 101, 0, 5001));
        let k = t.feed(seg(true, ACK, CISN + 100, SISN + 1, 0, 7000));
        assert!(k.marks.has(Marks::KEEPALIVE));
        assert!(!k.marks.has(Marks::RETRANSMISSION));
    }

    #[test]
    fn test_sequence_wraparound_is_not_a_retransmission() {
        let isn = u32::MAX - 50;
        let mut t = T::new();
        t.feed(seg(true, SYN, isn, 0, 0, 0));
        t.feed(seg(false, SYN_ACK, SISN, isn.wrapping_add(1), 0, 1));
        t.feed(seg(true, ACK, isn.wrapping_add(1), SISN + 1, 0, 2));
        let e = t.feed(seg(true, PSH_ACK, isn.wrapping_add(1), SISN + 1, 100, 3));
        assert!(e.marks.is_empty());
        let e = t.feed(seg(true, PSH_ACK, isn.wrapping_add(101), SISN + 1, 100, 4));
        assert!(e.marks.is_empty(), "{:?}", e.marks);
        let c = t.conn();
        assert_eq!(c.rel_seq(Dir::C2S, isn.wrapping_add(101)), 101);
        // FIN after wrap is acknowledged correctly.
        t.feed(seg(true, FIN_ACK, isn.wrapping_add(201), SISN + 1, 0, 5));
        let e = t.feed(seg(false, ACK, SISN + 1, isn.wrapping_add(202), 0, 6));
        assert_eq!(e.states, [FinWait2, CloseWait]);
    }

    #[test]
    fn test_data_copied_after_a_repeated_synack_is_a_retransmission() {
        // zeek vlan-collisions: the SYN+ACK seen again mid-connection, then its data again.
        let mut t = established();
        t.feed(seg(false, PSH_ACK, SISN + 1, CISN + 1, 100, 3));
        t.feed(seg(false, SYN_ACK, SISN, CISN + 1, 0, 4));
        let e = t.feed(seg(false, PSH_ACK, SISN + 1, CISN + 1, 100, 5));
        assert!(e.marks.has(Marks::RETRANSMISSION), "{:?}", e.marks);
        // The client's copy of its old ACK is below its next sequence number: no dup ACK.
        t.feed(seg(true, PSH_ACK, CISN + 1, SISN + 101, 10, 6));
        t.feed(seg(true, SYN, CISN, 0, 0, 7));
        let e = t.feed(seg(true, PSH_ACK, CISN + 1, SISN + 101, 10, 8));
        assert!(e.marks.has(Marks::RETRANSMISSION), "{:?}", e.marks);
    }

    #[test]
    fn test_ack_answering_a_keepalive_is_not_a_dup_ack() {
        // zeek redis pubsub frames 23-24: nothing outstanding (RFC 5681 section 2).
        let mut t = established();
        t.feed(seg(true, PSH_ACK, CISN + 1, SISN + 1, 100, 3));
        t.feed(seg(false, ACK, SISN + 1, CISN + 101, 0, 4));
        let k = t.feed(seg(true, ACK, CISN + 100, SISN + 1, 0, 15_000));
        assert!(k.marks.has(Marks::KEEPALIVE));
        let a = t.feed(seg(false, ACK, SISN + 1, CISN + 101, 0, 15_001));
        assert!(!a.marks.has(Marks::DUP_ACK), "{:?}", a.marks);
        // With data outstanding the same repeat is one.
        t.feed(seg(false, PSH_ACK, SISN + 1, CISN + 101, 50, 15_002));
        t.feed(seg(true, ACK, CISN + 101, SISN + 1, 0, 15_003));
        let d = t.feed(seg(true, ACK, CISN + 101, SISN + 1, 0, 15_004));
        assert!(d.marks.has(Marks::DUP_ACK), "{:?}", d.marks);
    }

    #[test]
    fn test_ack_answering_a_resent_fin_is_not_a_dup_ack() {
        // The time-wait lesson: the client's last ACK is lost, the server sends its FIN again,
        // and the client (TIME_WAIT) acknowledges it again: nothing is missing.
        let mut t = established();
        t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 1, 0, 3));
        t.feed(seg(false, ACK, SISN + 1, CISN + 2, 0, 4));
        t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 2, 0, 5));
        t.feed(seg(true, ACK, CISN + 2, SISN + 2, 0, 6));
        let fin = t.feed(seg(false, FIN_ACK, SISN + 1, CISN + 2, 0, 1_000));
        assert!(fin.marks.has(Marks::RETRANSMISSION), "{:?}", fin.marks);
        let a = t.feed(seg(true, ACK, CISN + 2, SISN + 2, 0, 1_001));
        assert!(!a.marks.has(Marks::DUP_ACK), "{:?}", a.marks);
    }

    #[test]
    fn test_ack_over_a_hole_is_acked_unseen_once() {
        // zeek miss_end_data: a gap before the server's FIN, then the client's ACK of it.
        let mut t = established();
        t.feed(seg(false, PSH_ACK, SISN + 1, CISN + 1, 100, 3));
        let f = t.feed(seg(false, FIN_ACK, SISN + 301, CISN + 1, 0, 4));
        assert!(f.marks.has(Marks::PREV_MISSING));
        let a = t.feed(seg(true, ACK, CISN + 1, SISN + 302, 0, 5));
        assert!(a.marks.has(Marks::ACKED_UNSEEN), "{:?}", a.marks);
        let b = t.feed(seg(true, FIN_ACK, CISN + 1, SISN + 302, 0, 6));
        assert!(!b.marks.has(Marks::ACKED_UNSEEN), "{:?}", b.marks);
    }

    #[test]
    fn test_ack_of_data_never_captured_is_marked() {
        let mut t = established();
        let e = t.feed(seg(false, ACK, SISN + 1, CISN + 500, 0, 4));
        assert!(e.marks.has(Marks::ACKED_UNSEEN));
    }
}
