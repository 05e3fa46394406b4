//! IP fragments put back together (IPv4 and IPv6), with etherparse's own `IpDefragPool`
//! doing the reassembly. Around it, what a receiving host also decides, as Linux does:
//! a fragment that overlaps part of one already held drops the whole datagram (RFC 5722
//! for IPv6; Linux since 4.19 for IPv4), an exact duplicate is ignored, and datagrams
//! waiting for their last pieces are bounded in time (30 s of capture time, Linux's
//! `ipfrag_time`) and in memory (4 MiB, its `ipfrag_high_thresh`). Every fate is counted.

use std::net::IpAddr;

use etherparse::defrag::{IpDefragError, IpDefragPool};
use etherparse::{Ipv6ExtensionSlice, NetSlice, SlicedPacket};
use rustc_hash::FxHashMap;

use crate::time::Timestamp;

/// A datagram waits at most this long (capture time) for its missing fragments.
pub const TIMEOUT: Timestamp = Timestamp(30 * Timestamp::NANOS_PER_SEC);
/// Fragment bytes held at most, over every datagram waiting.
pub const MAX_BYTES: usize = 4 << 20;

/// What happened to fragments, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FragStats {
    /// Frames that were IP fragments.
    pub frames: u64,
    /// Datagrams put back together.
    pub reassembled: u64,
    /// Fragments that repeated one already held, byte range for byte range (ignored).
    pub duplicate: u64,
    /// Datagrams dropped because a fragment overlapped part of another.
    pub overlapping: u64,
    /// Fragments the reassembly refused: a second, different end; a middle fragment whose
    /// length is not a multiple of 8; a datagram over 64 KiB; a fragment too short to read.
    pub conflicting: u64,
    /// Datagrams given up on: their time ran out, memory was short, or the capture ended.
    pub incomplete: u64,
}

impl FragStats {
    pub fn is_empty(&self) -> bool {
        *self == FragStats::default()
    }
}

/// A datagram being reassembled: fragments of one (source, destination, identification,
/// protocol) in one tunnel context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    channel: u64,
    src: IpAddr,
    dst: IpAddr,
    ident: u32,
    proto: u8,
}

#[derive(Debug, Clone)]
struct Pending {
    /// This datagram's number in the pool (the pool's "timestamp", so one datagram can be
    /// dropped by it).
    id: u64,
    first: Timestamp,
    /// Byte ranges held, [start, end).
    ranges: Vec<(u32, u32)>,
    bytes: usize,
}

/// A whole datagram: its protocol and the payload after the IP header(s).
#[derive(Debug)]
pub struct Datagram {
    pub proto: u8,
    pub payload: Vec<u8>,
}

/// Fragments waiting for the rest of their datagram.
#[derive(Debug, Default)]
pub struct Reassembly {
    pool: IpDefragPool<u64, u64>,
    pending: FxHashMap<Key, Pending>,
    next_id: u64,
    bytes: usize,
    /// Nothing can time out before this.
    next_expiry: Option<Timestamp>,
    pub stats: FragStats,
}

/// Where a fragment sits in its datagram.
struct Place {
    key: Key,
    start: u32,
    end: u32,
}

fn place(sliced: &SlicedPacket<'_>, channel: u64) -> Option<Place> {
    match sliced.net.as_ref()? {
        NetSlice::Ipv4(v4) => {
            let h = v4.header();
            let start = u32::from(h.fragments_offset().byte_offset());
            let len = v4.payload().payload.len() as u32;
            Some(Place {
                key: Key {
                    channel,
                    src: IpAddr::V4(h.source_addr()),
                    dst: IpAddr::V4(h.destination_addr()),
                    ident: u32::from(h.identification()),
                    proto: v4.payload().ip_number.0,
                },
                start,
                end: start + len,
            })
        }
        NetSlice::Ipv6(v6) => {
            let frag = v6.extensions().clone().into_iter().find_map(|e| match e {
                Ipv6ExtensionSlice::Fragment(f) => Some(f.to_header()),
                _ => None,
            })?;
            let start = u32::from(frag.fragment_offset.byte_offset());
            let len = v6.payload().payload.len() as u32;
            Some(Place {
                key: Key {
                    channel,
                    src: IpAddr::V6(v6.header().source_addr()),
                    dst: IpAddr::V6(v6.header().destination_addr()),
                    ident: frag.identification,
                    proto: v6.payload().ip_number.0,
                },
                start,
                end: start + len,
            })
        }
        NetSlice::Arp(_) => None,
    }
}

impl Reassembly {
    /// Takes in one IP packet known to be a fragment, at capture time `ts`, in tunnel context
    /// `channel`. Returns the whole datagram once its last missing piece arrives.
    pub fn add(&mut self, ts: Timestamp, ip: &[u8], channel: u64) -> Option<Datagram> {
        self.stats.frames += 1;
        self.expire(ts);
        let Ok(sliced) = SlicedPacket::from_ip(ip) else {
            self.stats.conflicting += 1;
            return None;
        };
        let Some(p) = place(&sliced, channel) else {
            self.stats.conflicting += 1;
            return None;
        };
        let held = self.pending.get(&p.key);
        if let Some(held) = held {
            if held.ranges.contains(&(p.start, p.end)) {
                self.stats.duplicate += 1;
                return None;
            }
            if held.ranges.iter().any(|&(a, b)| p.start < b && a < p.end) {
                self.stats.overlapping += 1;
                self.drop_datagram(&p.key);
                return None;
            }
        }
        let len = (p.end - p.start) as usize;
        while self.bytes + len > MAX_BYTES && !self.pending.is_empty() {
            self.drop_oldest();
        }
        let id = match self.pending.get(&p.key) {
            Some(h) => h.id,
            None => {
                self.next_id += 1;
                self.next_id
            }
        };
        match self.pool.process_sliced_packet(&sliced, id, channel) {
            Ok(Some(whole)) => {
                if let Some(h) = self.pending.remove(&p.key) {
                    self.bytes -= h.bytes;
                }
                self.stats.reassembled += 1;
                let proto = whole.ip_number.0;
                let payload = whole.payload.clone();
                self.pool.return_buf(whole);
                Some(Datagram { proto, payload })
            }
            Ok(None) => {
                let h = self.pending.entry(p.key).or_insert_with(|| Pending {
                    id,
                    first: ts,
                    ranges: Vec::new(),
                    bytes: 0,
                });
                h.ranges.push((p.start, p.end));
                h.bytes += len;
                self.bytes += len;
                let expiry = Timestamp(h.first.0 + TIMEOUT.0);
                self.next_expiry = Some(self.next_expiry.map_or(expiry, |e| e.min(expiry)));
                None
            }
            Err(
                IpDefragError::ConflictingEnd { .. }
                | IpDefragError::UnalignedFragmentPayloadLen { .. }
                | IpDefragError::SegmentTooBig { .. }
                | IpDefragError::AllocationFailure { .. },
            ) => {
                self.stats.conflicting += 1;
                None
            }
        }
    }

    /// Gives up on datagrams whose first fragment is older than [`TIMEOUT`] at `now`.
    pub fn expire(&mut self, now: Timestamp) {
        if self.next_expiry.is_none_or(|e| now < e) {
            return;
        }
        let old: Vec<Key> = self
            .pending
            .iter()
            .filter(|(_, p)| now.0 - p.first.0 >= TIMEOUT.0)
            .map(|(k, _)| *k)
            .collect();
        for k in &old {
            self.stats.incomplete += 1;
            self.drop_datagram(k);
        }
        self.next_expiry = self
            .pending
            .values()
            .map(|p| Timestamp(p.first.0 + TIMEOUT.0))
            .min();
    }

    /// The capture ended: what still waits never completes.
    pub fn finish(&mut self) {
        self.stats.incomplete += self.pending.len() as u64;
        self.pending.clear();
        self.pool = IpDefragPool::new();
        self.bytes = 0;
        self.next_expiry = None;
    }

    /// Datagrams waiting for fragments.
    pub fn waiting(&self) -> usize {
        self.pending.len()
    }

    fn drop_oldest(&mut self) {
        let oldest = self
            .pending
            .iter()
            .min_by_key(|(_, p)| (p.first, p.id))
            .map(|(k, _)| *k);
        if let Some(k) = oldest {
            self.stats.incomplete += 1;
            self.drop_datagram(&k);
        }
    }

    fn drop_datagram(&mut self, key: &Key) {
        if let Some(p) = self.pending.remove(key) {
            self.bytes -= p.bytes;
            self.pool.retain(|id| *id != p.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{IpFragOffset, IpNumber, Ipv4Header, Ipv6FragmentHeader, Ipv6Header};

    /// An IPv4 fragment of datagram `ident` at byte `offset`, carrying `data`.
    fn v4(ident: u16, offset: u16, more: bool, data: &[u8]) -> Vec<u8> {
        let mut h = Ipv4Header::new(
            data.len() as u16,
            64,
            IpNumber::TCP,
            [10, 0, 0, 1],
            [10, 0, 0, 2],
        )
        .unwrap();
        h.identification = ident;
        h.more_fragments = more;
        h.fragment_offset = IpFragOffset::try_new(offset / 8).unwrap();
        let mut out = Vec::new();
        h.write(&mut out).unwrap();
        out.extend_from_slice(data);
        out
    }

    fn v6(ident: u32, offset: u16, more: bool, data: &[u8]) -> Vec<u8> {
        let h = Ipv6Header {
            payload_length: (8 + data.len()) as u16,
            next_header: IpNumber::IPV6_FRAGMENTATION_HEADER,
            hop_limit: 64,
            source: [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            destination: [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
            ..Default::default()
        };
        let f = Ipv6FragmentHeader::new(
            IpNumber::TCP,
            IpFragOffset::try_new(offset / 8).unwrap(),
            more,
            ident,
        );
        let mut out = Vec::new();
        h.write(&mut out).unwrap();
        f.write(&mut out).unwrap();
        out.extend_from_slice(data);
        out
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| i as u8).collect()
    }

    #[test]
    fn fragments_in_any_order_make_the_datagram_on_the_last_piece() {
        for make in [
            v4 as fn(u16, u16, bool, &[u8]) -> Vec<u8>,
            |i, o, m, d: &[u8]| v6(u32::from(i), o, m, d),
        ] {
            let d = data(40);
            let mut r = Reassembly::default();
            assert!(r
                .add(Timestamp(0), &make(7, 24, false, &d[24..]), 0)
                .is_none());
            assert!(r
                .add(Timestamp(1), &make(7, 0, true, &d[..16]), 0)
                .is_none());
            assert_eq!(r.waiting(), 1);
            let whole = r
                .add(Timestamp(2), &make(7, 16, true, &d[16..24]), 0)
                .unwrap();
            assert_eq!((whole.proto, whole.payload), (6, d.clone()));
            assert_eq!(r.stats.reassembled, 1);
            assert_eq!(r.stats.frames, 3);
            assert_eq!(r.waiting(), 0);
        }
    }

    #[test]
    fn a_duplicate_is_ignored_an_overlap_drops_the_datagram() {
        let d = data(32);
        let mut r = Reassembly::default();
        r.add(Timestamp(0), &v4(1, 0, true, &d[..16]), 0);
        r.add(Timestamp(0), &v4(1, 0, true, &d[..16]), 0);
        assert_eq!(r.stats.duplicate, 1);
        // 8..24 overlaps 0..16 without repeating it.
        assert!(r.add(Timestamp(0), &v4(1, 8, true, &d[8..24]), 0).is_none());
        assert_eq!((r.stats.overlapping, r.waiting()), (1, 0));
        // The rest then starts a datagram of its own, which never completes.
        assert!(r
            .add(Timestamp(0), &v4(1, 16, false, &d[16..]), 0)
            .is_none());
        r.finish();
        assert_eq!(r.stats.incomplete, 1);
        assert_eq!(r.stats.reassembled, 0);
    }

    #[test]
    fn a_second_different_end_is_conflicting() {
        let d = data(32);
        let mut r = Reassembly::default();
        r.add(Timestamp(0), &v4(2, 16, false, &d[16..]), 0);
        // Another last fragment, ending at 8 where the first said 32.
        r.add(Timestamp(0), &v4(2, 0, false, &d[..8]), 0);
        assert_eq!(r.stats.conflicting, 1);
        assert_eq!(r.stats.overlapping, 0);
    }

    #[test]
    fn datagrams_time_out_and_memory_is_bounded() {
        let d = data(16);
        let mut r = Reassembly::default();
        r.add(Timestamp(0), &v4(3, 0, true, &d), 0);
        r.expire(Timestamp(TIMEOUT.0 - 1));
        assert_eq!(r.waiting(), 1);
        r.expire(TIMEOUT);
        assert_eq!((r.waiting(), r.stats.incomplete), (0, 1));
        // Over 4 MiB of first fragments: the oldest go first.
        let big = data(1400);
        let n = MAX_BYTES / big.len() + 10;
        for i in 0..n {
            r.add(Timestamp(i as i64), &v4(i as u16, 0, true, &big), 0);
        }
        assert!(r.bytes <= MAX_BYTES);
        assert!(r.stats.incomplete >= 10, "{:?}", r.stats);
    }

    #[test]
    fn the_same_ids_in_two_tunnel_contexts_are_two_datagrams() {
        let d = data(16);
        let mut r = Reassembly::default();
        r.add(Timestamp(0), &v4(4, 0, true, &d), 1);
        assert!(r.add(Timestamp(0), &v4(4, 16, false, &d), 2).is_none());
        assert_eq!(r.waiting(), 2);
        assert!(r.add(Timestamp(0), &v4(4, 16, false, &d), 1).is_some());
    }
}
