//! Connections that never got past their first SYN, held compactly (batch modes): a SYN
//! flood from spoofed sources is a million of them, and as full connections (about 1.2 KiB
//! each with their event log) they filled the memory budget within a second of the flood,
//! so that each was evicted, and written out, before it could be judged unanswered. Held as a
//! record of the SYN (107 to 193 bytes with its index, as its queue doubles), each becomes a full connection only
//! when a second segment arrives on its 4-tuple, when it is evicted or when the capture ends:
//! then its SYN is replayed through the state machine, so what is written is exactly what
//! tracking it in full would have written.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash};

use crate::decode::{Segment, TcpOptions};
use crate::time::Timestamp;

/// What a connection's tracking reads of its first SYN, besides the 4-tuple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syn {
    /// The connection's id, given when the SYN arrived (so ids stay in arrival order).
    pub id: u64,
    pub frame: u64,
    ts: Timestamp,
    seq: u32,
    ack: u32,
    ip_len: u32,
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
    f.syn() && !f.ack() && !f.fin() && !f.rst() && seg.payload_len == 0
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
            ip_len: o.ip_len,
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
        options.ip_len = self.ip_len;
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

/// Held SYNs in arrival order (oldest first out), found by key through an index of their
/// positions. A SYN taken out early (its connection went on) leaves a hole that is skipped,
/// and the holes are swept out once they outnumber the held SYNs.
pub struct Attempts<K> {
    items: VecDeque<(K, Syn)>,
    /// Absolute position of `items[0]`.
    head: u64,
    index: hashbrown::HashTable<u64>,
    live: usize,
}

/// A hole: no connection has id 0.
const TAKEN: u64 = 0;

fn hash<K: Hash>(k: &K) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(k)
}

impl<K: Hash + Eq + Copy> Default for Attempts<K> {
    fn default() -> Self {
        Attempts {
            items: VecDeque::new(),
            head: 0,
            index: hashbrown::HashTable::new(),
            live: 0,
        }
    }
}

impl<K: Hash + Eq + Copy> Attempts<K> {
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub fn contains(&self, key: &K) -> bool {
        let (items, head) = (&self.items, self.head);
        self.index
            .find(hash(key), |&p| items[(p - head) as usize].0 == *key)
            .is_some()
    }

    /// Holds `syn` for `key` (which must not be held already).
    pub fn push(&mut self, key: K, syn: Syn) {
        debug_assert!(syn.id != TAKEN && !self.contains(&key));
        let pos = self.head + self.items.len() as u64;
        self.items.push_back((key, syn));
        let (items, head) = (&self.items, self.head);
        self.index
            .insert_unique(hash(&key), pos, |&p| hash(&items[(p - head) as usize].0));
        self.live += 1;
    }

    /// Takes out the SYN held for `key`.
    pub fn take(&mut self, key: &K) -> Option<Syn> {
        let (items, head) = (&self.items, self.head);
        let entry = self
            .index
            .find_entry(hash(key), |&p| items[(p - head) as usize].0 == *key)
            .ok()?;
        let pos = entry.remove().0;
        let slot = &mut self.items[(pos - self.head) as usize].1;
        let syn = *slot;
        slot.id = TAKEN;
        self.live -= 1;
        self.sweep();
        Some(syn)
    }

    /// Takes out the oldest SYN held.
    pub fn pop_oldest(&mut self) -> Option<(K, Syn)> {
        while let Some((key, syn)) = self.items.pop_front() {
            let pos = self.head;
            self.head += 1;
            if syn.id == TAKEN {
                continue;
            }
            if let Ok(e) = self.index.find_entry(hash(&key), |&p| p == pos) {
                e.remove();
            }
            self.live -= 1;
            return Some((key, syn));
        }
        None
    }

    /// Every SYN held, oldest first (so in id order), leaving none.
    pub fn drain(&mut self) -> impl Iterator<Item = (K, Syn)> + '_ {
        self.index.clear();
        self.live = 0;
        self.head += self.items.len() as u64;
        self.items.drain(..).filter(|(_, s)| s.id != TAKEN)
    }

    /// Drops the holes at the front, and rebuilds without any once they are most of what is
    /// held (a busy capture takes nearly every SYN out within a round trip, while an
    /// unanswered one at the front would keep the rest from being popped).
    fn sweep(&mut self) {
        while self.items.front().is_some_and(|(_, s)| s.id == TAKEN) {
            self.items.pop_front();
            self.head += 1;
        }
        if self.items.len() > 2 * self.live + 64 {
            self.items.retain(|(_, s)| s.id != TAKEN);
            self.index.clear();
            for (i, (k, _)) in self.items.iter().enumerate() {
                let pos = self.head + i as u64;
                let items = &self.items;
                let head = self.head;
                self.index
                    .insert_unique(hash(k), pos, |&p| hash(&items[(p - head) as usize].0));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::testkit::{seg_secs, SYN};

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
        assert_eq!(a.take(&30).map(|s| s.id), Some(3));
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
        assert!(a.items.len() <= 2 * a.len() + 64, "{}", a.items.len());
        assert_eq!(a.take(&0).map(|s| s.id), Some(1));
        assert!(a.items.is_empty());
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
            assert_eq!(a.take(&id).map(|s| s.id), Some(id), "{id}");
        }
        assert!(a.is_empty());
    }
}
