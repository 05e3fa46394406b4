//! Connections that never got past their first SYN, held compactly (batch modes): a SYN
//! flood from spoofed sources is a million of them, and as full connections (about 1.2 KiB
//! each with their event log) they filled the memory budget within a second of the flood,
//! so that each was evicted, and written out, before it could be judged unanswered. Held as a
//! record of the SYN, each becomes a full connection only when a second segment arrives on
//! its 4-tuple, when it is evicted or when the capture ends: then its SYN is replayed through
//! the state machine, so what is written is exactly what tracking it in full would have
//! written.
//!
//! An IPv4 attempt costs 62 to 68 bytes (tests/alloc.rs): its record is 56 (the 4-tuple in 12
//! bytes, the SYN in 44), its place in the index 4 and a control byte at hashbrown's load
//! (7/16 to 7/8), and the records sit in chunks of [`CHUNK`], so that the queue never holds
//! room for twice what it holds as a doubling `VecDeque` did (107 to 193 bytes before). An
//! IPv6 attempt keeps its 40-byte key: 88 bytes a record.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash};

use crate::decode::{Segment, TcpOptions};
use crate::time::Timestamp;

/// What a connection's tracking reads of its first SYN, besides the 4-tuple. Packed to
/// 4-byte alignment (44 bytes, not 48): beside a 12-byte IPv4 key a record is 56 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(4))]
pub struct Syn {
    /// The connection's id, given when the SYN arrived (so ids stay in arrival order).
    id: u64,
    frame: u64,
    ts: Timestamp,
    seq: u32,
    ack: u32,
    ip_len: u16,
    window: u16,
    mss: u16,
    flags: u16,
    wscale: u8,
    bits: u8,
}

const HAS_MSS: u8 = 1;
const HAS_WSCALE: u8 = 2;
const SACK_PERMITTED: u8 = 4;
/// The SYN's source is the lower endpoint of the 4-tuple's key.
const FROM_LOWER: u8 = 8;

/// A SYN that opens a connection and can be held as a [`Syn`]: no ACK, FIN or RST, and no
/// payload (a TCP Fast Open SYN carries data and is tracked in full).
pub fn is_opening_syn(seg: &Segment) -> bool {
    let f = seg.flags;
    f.syn()
        && !f.ack()
        && !f.fin()
        && !f.rst()
        && seg.payload_len == 0
        && u16::try_from(seg.options.ip_len).is_ok()
}

impl Syn {
    pub fn of(seg: &Segment, frame: u64, id: u64, from_lower: bool) -> Syn {
        let o = &seg.options;
        let bit = |on: bool, b: u8| if on { b } else { 0 };
        Syn {
            id,
            frame,
            ts: seg.ts,
            seq: seg.seq,
            ack: seg.ack,
            // is_opening_syn: it fits.
            ip_len: o.ip_len as u16,
            window: seg.window,
            mss: o.mss.unwrap_or(0),
            flags: seg.flags.0,
            wscale: o.wscale.unwrap_or(0),
            bits: bit(o.mss.is_some(), HAS_MSS)
                | bit(o.wscale.is_some(), HAS_WSCALE)
                | bit(o.sack_permitted, SACK_PERMITTED)
                | bit(from_lower, FROM_LOWER),
        }
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn frame(&self) -> u64 {
        self.frame
    }

    pub fn sent_by_lower(&self) -> bool {
        self.bits & FROM_LOWER != 0
    }

    pub fn seq(&self) -> u32 {
        self.seq
    }

    /// The segment again, between the 4-tuple's endpoints (`src` sent it).
    pub fn segment(&self, src: crate::decode::Endpoint, dst: crate::decode::Endpoint) -> Segment {
        let mut options = TcpOptions::default();
        options.mss = (self.bits & HAS_MSS != 0).then_some(self.mss);
        options.wscale = (self.bits & HAS_WSCALE != 0).then_some(self.wscale);
        options.sack_permitted = self.bits & SACK_PERMITTED != 0;
        options.ip_len = u32::from(self.ip_len);
        Segment {
            ts: self.ts,
            src,
            dst,
            flags: crate::decode::Flags(self.flags),
            seq: self.seq,
            ack: self.ack,
            window: self.window,
            payload_len: 0,
            options,
        }
    }
}

/// A key that may be held in 12 bytes: an IPv4 4-tuple (both addresses, both ports).
pub trait AttemptKey: Hash + Eq + Copy {
    fn small(&self) -> Option<Small>;
    fn from_small(s: Small) -> Self;
}

/// An IPv4 4-tuple: the lower endpoint's address, the higher's, their ports (lower << 16).
pub type Small = [u32; 3];

/// Held SYNs in arrival order (oldest first out): IPv4 4-tuples in 12 bytes, the others
/// with their full key, each queue with its own index.
pub struct Attempts<K> {
    v4: Queue<Small>,
    other: Queue<K>,
}

impl<K: AttemptKey> Default for Attempts<K> {
    fn default() -> Self {
        Attempts {
            v4: Queue::default(),
            other: Queue::default(),
        }
    }
}

impl<K: AttemptKey> Attempts<K> {
    pub fn len(&self) -> usize {
        self.v4.live + self.other.live
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, key: &K) -> bool {
        match key.small() {
            Some(s) => self.v4.find(&s).is_some(),
            None => self.other.find(key).is_some(),
        }
    }

    /// Holds `syn` for `key` (which must not be held already).
    pub fn push(&mut self, key: K, syn: Syn) {
        debug_assert!(syn.id != TAKEN && !self.contains(&key));
        match key.small() {
            Some(s) => self.v4.push(s, syn),
            None => self.other.push(key, syn),
        }
    }

    /// Takes out the SYN held for `key`.
    pub fn take(&mut self, key: &K) -> Option<Syn> {
        match key.small() {
            Some(s) => self.v4.take(&s),
            None => self.other.take(key),
        }
    }

    /// Takes out the oldest SYN held (the lower id of the two queues' fronts).
    pub fn pop_oldest(&mut self) -> Option<(K, Syn)> {
        match (self.v4.front_id(), self.other.front_id()) {
            (Some(a), Some(b)) if b < a => self.other.pop_front(),
            (Some(_), _) => self.v4.pop_front().map(|(s, syn)| (K::from_small(s), syn)),
            (None, _) => self.other.pop_front(),
        }
    }

    /// Every SYN held, oldest first (so in id order), leaving none.
    pub fn drain(&mut self) -> impl Iterator<Item = (K, Syn)> + '_ {
        let mut v4 = self
            .v4
            .drain()
            .map(|(s, syn)| (K::from_small(s), syn))
            .peekable();
        let mut other = self.other.drain().peekable();
        std::iter::from_fn(move || match (v4.peek(), other.peek()) {
            (Some(a), Some(b)) if b.1.id < a.1.id => other.next(),
            (Some(_), _) => v4.next(),
            (None, _) => other.next(),
        })
    }
}

/// Records a chunk: 4,096 IPv4 records are 224 KiB, so what a queue holds beyond its
/// records is at most that (and the chunk pointers).
const CHUNK: usize = 4096;

#[derive(Clone, Copy)]
struct Item<S> {
    syn: Syn,
    key: S,
}

/// One queue of held SYNs, found by key through an index of their positions (the low 32 bits
/// of a position that only grows: a queue never holds 2^32 of them). A SYN taken out early
/// (its connection went on) leaves a hole that is skipped, and the holes are swept out once
/// they outnumber the held SYNs.
struct Queue<S> {
    chunks: VecDeque<Vec<Item<S>>>,
    /// Items of `chunks[0]` already gone.
    front: usize,
    /// Absolute position of the first item still held (at `chunks[0][front]`).
    head: u64,
    /// Items held, holes included.
    len: usize,
    index: hashbrown::HashTable<u32>,
    live: usize,
}

/// A hole: no connection has id 0.
const TAKEN: u64 = 0;

fn hash<K: Hash>(k: &K) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(k)
}

impl<S> Default for Queue<S> {
    fn default() -> Self {
        Queue {
            chunks: VecDeque::new(),
            front: 0,
            head: 0,
            len: 0,
            index: hashbrown::HashTable::new(),
            live: 0,
        }
    }
}

/// The item at `pos` (its low 32 bits) in a queue's chunks.
fn at<S>(chunks: &VecDeque<Vec<Item<S>>>, front: usize, head: u64, pos: u32) -> &Item<S> {
    let i = front + pos.wrapping_sub(head as u32) as usize;
    &chunks[i / CHUNK][i % CHUNK]
}

impl<S: Hash + Eq + Copy> Queue<S> {
    fn find(&self, key: &S) -> Option<&u32> {
        let (c, f, h) = (&self.chunks, self.front, self.head);
        self.index.find(hash(key), |&p| at(c, f, h, p).key == *key)
    }

    fn push(&mut self, key: S, syn: Syn) {
        if self.chunks.back().is_none_or(|c| c.len() == CHUNK) {
            self.chunks.push_back(Vec::with_capacity(CHUNK));
        }
        let pos = (self.head + self.len as u64) as u32;
        if let Some(c) = self.chunks.back_mut() {
            c.push(Item { syn, key });
        }
        self.len += 1;
        self.live += 1;
        let (c, f, h) = (&self.chunks, self.front, self.head);
        self.index
            .insert_unique(hash(&key), pos, |&p| hash(&at(c, f, h, p).key));
    }

    fn take(&mut self, key: &S) -> Option<Syn> {
        let (c, f, h) = (&self.chunks, self.front, self.head);
        let entry = self
            .index
            .find_entry(hash(key), |&p| at(c, f, h, p).key == *key)
            .ok()?;
        let pos = entry.remove().0;
        let i = self.front + pos.wrapping_sub(self.head as u32) as usize;
        let slot = &mut self.chunks[i / CHUNK][i % CHUNK].syn;
        let syn = *slot;
        slot.id = TAKEN;
        self.live -= 1;
        self.sweep();
        Some(syn)
    }

    fn front_item(&self) -> Option<&Item<S>> {
        self.chunks.front().and_then(|c| c.get(self.front))
    }

    /// The oldest held SYN's id (holes are never left at the front).
    fn front_id(&self) -> Option<u64> {
        self.front_item().map(|i| i.syn.id)
    }

    fn skip_holes(&mut self) {
        while self.front_item().is_some_and(|i| i.syn.id == TAKEN) {
            self.advance();
        }
    }

    /// The first item, hole or not, out of the queue (not out of the index).
    fn advance(&mut self) -> Option<Item<S>> {
        let item = *self.front_item()?;
        self.front += 1;
        self.head += 1;
        self.len -= 1;
        if self.chunks.front().is_some_and(|c| self.front == c.len()) {
            self.chunks.pop_front();
            self.front = 0;
        }
        Some(item)
    }

    fn pop_front(&mut self) -> Option<(S, Syn)> {
        loop {
            let pos = self.head as u32;
            let item = self.advance()?;
            if item.syn.id == TAKEN {
                continue;
            }
            if let Ok(e) = self.index.find_entry(hash(&item.key), |&p| p == pos) {
                e.remove();
            }
            self.live -= 1;
            self.skip_holes();
            return Some((item.key, item.syn));
        }
    }

    fn drain(&mut self) -> impl Iterator<Item = (S, Syn)> + '_ {
        self.index.clear();
        self.live = 0;
        self.head += self.len as u64;
        self.len = 0;
        let front = std::mem::take(&mut self.front);
        self.chunks
            .drain(..)
            .enumerate()
            .flat_map(move |(n, c)| c.into_iter().skip(if n == 0 { front } else { 0 }))
            .filter(|i| i.syn.id != TAKEN)
            .map(|i| (i.key, i.syn))
    }

    /// Drops the holes at the front, and rebuilds without any once they are most of what is
    /// held (a busy capture takes nearly every SYN out within a round trip, while an
    /// unanswered one at the front would keep the rest from being popped).
    fn sweep(&mut self) {
        self.skip_holes();
        if self.len > 2 * self.live + 64 {
            let held: Vec<Item<S>> = self.drain().map(|(key, syn)| Item { syn, key }).collect();
            // drain moved `head` past them all; they come back from there.
            for item in held {
                self.push(item.key, item.syn);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::testkit::{seg_secs, SYN};

    /// Keys that are all "IPv6" (held with their key) below 1 << 40, and IPv4 above.
    impl AttemptKey for u64 {
        fn small(&self) -> Option<Small> {
            (*self >= 1 << 40).then_some([(*self >> 32) as u32, *self as u32, 0])
        }
        fn from_small(s: Small) -> u64 {
            u64::from(s[0]) << 32 | u64::from(s[1])
        }
    }

    fn syn(id: u64) -> Syn {
        let s = seg_secs(true, SYN, 1000 + id as u32, 0, id as f64);
        Syn::of(&s, id, id, true)
    }

    #[test]
    fn a_syn_comes_back_as_it_went_in() {
        let mut s = seg_secs(true, SYN, 77, 0, 1.5);
        s.options.mss = Some(1460);
        s.options.wscale = Some(7);
        s.options.sack_permitted = true;
        s.options.ip_len = 60;
        s.window = 64240;
        let back = Syn::of(&s, 3, 9, false).segment(s.src, s.dst);
        assert_eq!(
            (back.ts, back.seq, back.ack, back.window, back.flags),
            (s.ts, s.seq, s.ack, s.window, s.flags)
        );
        assert_eq!(
            (
                back.options.mss,
                back.options.wscale,
                back.options.sack_permitted
            ),
            (Some(1460), Some(7), true)
        );
        assert_eq!(back.options.ip_len, 60);
        assert!(!Syn::of(&s, 3, 9, false).sent_by_lower());
    }

    #[test]
    fn oldest_first_and_taken_ones_are_skipped() {
        let mut a = Attempts::default();
        for id in 1..=5u64 {
            a.push(id * 10, syn(id));
        }
        assert_eq!(a.take(&30).map(|s| s.id()), Some(3));
        assert!(a.take(&30).is_none());
        assert_eq!(a.len(), 4);
        assert_eq!(a.pop_oldest().map(|(k, _)| k), Some(10));
        assert_eq!(a.pop_oldest().map(|(k, _)| k), Some(20));
        // 30 was taken: skipped.
        assert_eq!(a.pop_oldest().map(|(k, _)| k), Some(40));
        assert!(a.contains(&50) && !a.contains(&40));
        let rest: Vec<u64> = a.drain().map(|(_, s)| s.id).collect();
        assert_eq!(rest, vec![5]);
        assert!(a.is_empty() && a.pop_oldest().is_none());
    }

    #[test]
    fn holes_behind_an_unanswered_syn_are_swept_out() {
        let mut a = Attempts::default();
        a.push(0u64, syn(1));
        // A busy capture: every other SYN is answered a moment later.
        for id in 2..100_000u64 {
            a.push(id, syn(id));
            assert!(a.take(&id).is_some());
        }
        assert_eq!(a.len(), 1);
        assert!(a.other.len <= 2 * a.len() + 64, "{}", a.other.len);
        assert_eq!(a.take(&0).map(|s| s.id()), Some(1));
        assert_eq!((a.other.len, a.other.chunks.len()), (0, 0));
    }

    #[test]
    fn found_by_key_after_sweeps_and_pops() {
        let mut a = Attempts::default();
        for id in 1..=1000u64 {
            a.push(id, syn(id));
            if id % 3 != 0 {
                a.take(&id);
            }
        }
        a.pop_oldest();
        for id in (6..=999u64).step_by(3) {
            assert_eq!(a.take(&id).map(|s| s.id()), Some(id), "{id}");
        }
        assert!(a.is_empty());
    }

    #[test]
    fn two_queues_give_one_order_oldest_first() {
        let mut a = Attempts::default();
        let v4 = 1u64 << 40;
        // Ids 1..=20, IPv4 keys for the odd ones, across chunks for the IPv4 queue.
        for id in 1..=20u64 {
            let key = if id % 2 == 1 { v4 + id } else { id };
            a.push(key, syn(id));
        }
        for id in 21..(21 + 2 * CHUNK as u64) {
            a.push(v4 + id, syn(id));
        }
        assert!(a.take(&(v4 + 3)).is_some() && a.take(&4).is_some());
        assert!(a.contains(&(v4 + 5)) && a.contains(&6) && !a.contains(&(v4 + 6)));
        let first: Vec<u64> = (0..6)
            .filter_map(|_| a.pop_oldest())
            .map(|(_, s)| s.id())
            .collect();
        assert_eq!(first, vec![1, 2, 5, 6, 7, 8]);
        let rest: Vec<u64> = a.drain().map(|(_, s)| s.id()).collect();
        let want: Vec<u64> = (9..21 + 2 * CHUNK as u64).collect();
        assert_eq!(rest, want);
        assert!(a.is_empty() && a.pop_oldest().is_none());
        // Empty chunks are given back as they empty.
        assert_eq!(a.v4.chunks.len() + a.other.chunks.len(), 0);
    }

    #[test]
    fn a_record_is_56_bytes_beside_an_ipv4_key() {
        assert_eq!(std::mem::size_of::<Syn>(), 44);
        assert_eq!(std::mem::size_of::<Item<Small>>(), 56);
    }
}
