//! Wireshark's `tcp.completeness`: a bitmask of which parts of a connection's life the capture
//! shows, so a connection can be cross-checked against tshark (`-Y 'tcp.completeness == 31'`
//! finds the ones with a handshake, data and a close). Checked against tshark 4.0's values on
//! the fixtures and the real-capture corpus (tests/completeness.rs).

use crate::decode::Segment;

/// The bits, as Wireshark numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Completeness(pub u8);

impl Completeness {
    pub const SYN: u8 = 1;
    pub const SYN_ACK: u8 = 2;
    pub const ACK: u8 = 4;
    pub const DATA: u8 = 8;
    pub const FIN: u8 = 16;
    pub const RST: u8 = 32;

    /// Adds what `seg` shows; `first` is the connection's first segment. As tshark 4.0 does
    /// (the rules were read off its values): a first segment without SYN counts for nothing,
    /// and the ACK bit comes from a segment with ACK, without SYN and without payload (a pure
    /// ACK, or a RST or FIN with ACK).
    pub fn on_segment(&mut self, seg: &Segment, first: bool) {
        let f = seg.flags;
        if first && !f.syn() {
            return;
        }
        if f.syn() {
            self.0 |= if f.ack() { Self::SYN_ACK } else { Self::SYN };
        } else if f.ack() && seg.payload_len == 0 {
            self.0 |= Self::ACK;
        }
        if seg.payload_len > 0 {
            self.0 |= Self::DATA;
        }
        if f.fin() {
            self.0 |= Self::FIN;
        }
        if f.rst() {
            self.0 |= Self::RST;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Completeness as C;
    use crate::testkit::{seg, ACK, FIN_ACK, PSH_ACK, RST, RST_ACK, SYN, SYN_ACK};

    fn of(segs: &[(bool, u16, u32)]) -> u8 {
        let mut c = C::default();
        for (i, &(from_c, flags, len)) in segs.iter().enumerate() {
            c.on_segment(&seg(from_c, flags, 1, 1, len, i as i64), i == 0);
        }
        c.0
    }

    #[test]
    fn a_whole_connection_is_31() {
        let full = [
            (true, SYN, 0),
            (false, SYN_ACK, 0),
            (true, ACK, 0),
            (true, PSH_ACK, 10),
            (true, FIN_ACK, 0),
            (false, FIN_ACK, 0),
            (true, ACK, 0),
        ];
        assert_eq!(of(&full), 31);
    }

    #[test]
    fn each_part_sets_its_own_bit() {
        assert_eq!(of(&[(true, SYN, 0)]), C::SYN);
        assert_eq!(of(&[(true, SYN, 0), (false, SYN_ACK, 0)]), 3);
        // Refused: the RST+ACK counts as the ACK.
        assert_eq!(of(&[(true, SYN, 0), (false, RST_ACK, 0)]), 1 | 4 | 32);
        // Mid-stream: the first segment counts for nothing; data does not make the ACK bit.
        assert_eq!(
            of(&[(true, PSH_ACK, 5), (false, RST, 0), (true, PSH_ACK, 5)]),
            8 | 32
        );
        assert_eq!(of(&[(true, PSH_ACK, 5), (false, ACK, 0)]), C::ACK);
        // A SYN or SYN-ACK first counts, payload (TCP Fast Open) and all.
        assert_eq!(of(&[(false, SYN_ACK, 0), (true, ACK, 0)]), 2 | 4);
        assert_eq!(of(&[(true, SYN, 20)]), 1 | 8);
    }
}
