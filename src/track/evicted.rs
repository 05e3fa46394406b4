//! A short memory of evicted 4-tuples. A connection evicted from a full table that goes on
//! sending would otherwise come back as a new "mid-stream" connection on its next segment,
//! evict another to make room, and so on: 500 interleaved connections in a table of 100 came
//! out as five million records. Segments on a remembered 4-tuple are counted instead, until a
//! SYN with a new ISN opens a new connection there.

use std::collections::VecDeque;
use std::hash::Hash;

use rustc_hash::FxHashMap;

/// What is remembered of an evicted connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone {
    /// The evicted connection's id.
    pub id: u64,
    /// The ISNs its ends sent SYNs with, if any: a SYN with one of them is a retransmission.
    pub isns: [Option<u32>; 2],
}

/// At most `cap` 4-tuples, forgotten oldest first.
#[derive(Debug)]
pub struct Evicted<K> {
    cap: usize,
    map: FxHashMap<K, Gone>,
    /// Insertion order; a key forgotten early (a new SYN on it) is skipped when it comes up.
    order: VecDeque<K>,
}

impl<K: Hash + Eq + Copy> Evicted<K> {
    pub fn new(cap: usize) -> Evicted<K> {
        Evicted {
            cap,
            map: FxHashMap::default(),
            order: VecDeque::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn get(&self, key: &K) -> Option<&Gone> {
        self.map.get(key)
    }

    pub fn forget(&mut self, key: &K) {
        self.map.remove(key);
    }

    pub fn remember(&mut self, key: K, gone: Gone) {
        if self.cap == 0 {
            return;
        }
        if self.map.insert(key, gone).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > self.cap {
            match self.order.pop_front() {
                Some(k) => {
                    self.map.remove(&k);
                }
                None => break,
            }
        }
        // Keys forgotten early leave stale entries in `order`: drop them once they are half.
        if self.order.len() > 2 * self.cap.max(16) {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gone(id: u64) -> Gone {
        Gone {
            id,
            isns: [Some(1), None],
        }
    }

    #[test]
    fn forgets_the_oldest_beyond_its_cap() {
        let mut e = Evicted::new(2);
        e.remember(1, gone(10));
        e.remember(2, gone(20));
        e.remember(3, gone(30));
        assert_eq!(e.len(), 2);
        assert!(e.get(&1).is_none());
        assert_eq!(e.get(&3).map(|g| g.id), Some(30));
    }

    #[test]
    fn a_key_forgotten_early_does_not_evict_a_newer_one() {
        let mut e = Evicted::new(2);
        e.remember(1, gone(10));
        e.remember(2, gone(20));
        e.forget(&1);
        e.remember(3, gone(30));
        // 1's stale place in the order goes first, then nothing more is forgotten.
        assert_eq!(e.len(), 2);
        assert!(e.get(&2).is_some() && e.get(&3).is_some());
        // Remembered again: the newest.
        e.remember(2, gone(21));
        assert_eq!(e.get(&2).map(|g| g.id), Some(21));
    }

    #[test]
    fn stale_order_entries_are_bounded() {
        let mut e = Evicted::new(4);
        for k in 0..1000u32 {
            e.remember(k, gone(u64::from(k)));
            e.forget(&k);
        }
        assert!(e.is_empty());
        assert!(e.order.len() <= 2 * 16 + 1, "{}", e.order.len());
    }
}
