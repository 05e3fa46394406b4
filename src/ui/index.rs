//! The ids of the connections on screen, in order, for a list of 100,000 connections drawn 30
//! times a second: the list in its default order (by connection number) reads its visible
//! rows, its length and where the selection stands from here without a pass over the
//! connections.
//!
//! Ids come in increasing (the tracker numbers connections as it meets them) and leave in any
//! order (connections retire when they are over). They are kept in sorted blocks of at most
//! [`BLOCK`] ids: appending is a push, removing is a binary search and a shift within one
//! block, and finding the n-th id or the rank of one walks the blocks (a hundred for 100,000
//! ids).

/// Most ids in a block.
const BLOCK: usize = 1024;

#[derive(Debug, Clone, Default)]
pub struct SortedIds {
    /// Non-empty, sorted, each block's ids below the next block's.
    blocks: Vec<Vec<u64>>,
    len: usize,
}

impl SortedIds {
    pub fn new() -> SortedIds {
        SortedIds::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.blocks.clear();
        self.len = 0;
    }

    pub fn first(&self) -> Option<u64> {
        self.blocks.first().and_then(|b| b.first().copied())
    }

    pub fn last(&self) -> Option<u64> {
        self.blocks.last().and_then(|b| b.last().copied())
    }

    /// Adds `id` (a no-op if it is there). Cheapest when it is above every id held.
    pub fn insert(&mut self, id: u64) {
        match self.last() {
            Some(last) if id <= last => {}
            _ => {
                match self.blocks.last_mut() {
                    Some(b) if b.len() < BLOCK => b.push(id),
                    _ => self.blocks.push(vec![id]),
                }
                self.len += 1;
                return;
            }
        }
        let bi = self.block_of(id);
        let b = &mut self.blocks[bi];
        if let Err(i) = b.binary_search(&id) {
            b.insert(i, id);
            self.len += 1;
            if b.len() > 2 * BLOCK {
                let tail = b.split_off(BLOCK);
                self.blocks.insert(bi + 1, tail);
            }
        }
    }

    /// Removes `id`; false if it was not there.
    pub fn remove(&mut self, id: u64) -> bool {
        if self.blocks.is_empty() {
            return false;
        }
        let bi = self.block_of(id);
        let b = &mut self.blocks[bi];
        let Ok(i) = b.binary_search(&id) else {
            return false;
        };
        b.remove(i);
        self.len -= 1;
        let left = b.len();
        if left == 0 {
            self.blocks.remove(bi);
        } else if left < BLOCK / 4
            && bi + 1 < self.blocks.len()
            && left + self.blocks[bi + 1].len() <= BLOCK
        {
            // Keep blocks from thinning out: merge with the next one when the two fit.
            let next = self.blocks.remove(bi + 1);
            self.blocks[bi].extend(next);
        }
        true
    }

    /// The block that holds `id` or would (blocks must not be empty).
    fn block_of(&self, id: u64) -> usize {
        // The last block whose first id is <= id (or the first block).
        self.blocks
            .partition_point(|b| b[0] <= id)
            .saturating_sub(1)
    }

    pub fn contains(&self, id: u64) -> bool {
        !self.blocks.is_empty() && self.blocks[self.block_of(id)].binary_search(&id).is_ok()
    }

    /// How many ids are below `id`, if `id` is held.
    pub fn rank(&self, id: u64) -> Option<usize> {
        if self.blocks.is_empty() {
            return None;
        }
        let bi = self.block_of(id);
        let i = self.blocks[bi].binary_search(&id).ok()?;
        Some(self.blocks[..bi].iter().map(Vec::len).sum::<usize>() + i)
    }

    /// The `n`-th id (from 0), in increasing order.
    pub fn nth(&self, n: usize) -> Option<u64> {
        self.iter_from(n).next()
    }

    /// How many ids are below `id` (held or not).
    pub fn count_below(&self, id: u64) -> usize {
        if self.blocks.is_empty() {
            return 0;
        }
        let bi = self.block_of(id);
        let b = &self.blocks[bi];
        let before: usize = self.blocks[..bi].iter().map(Vec::len).sum();
        before + b.partition_point(|x| *x < id)
    }

    /// The ids at or above `id`, in increasing order.
    pub fn iter_ge(&self, id: u64) -> impl Iterator<Item = u64> + '_ {
        self.iter_from(self.count_below(id))
    }

    /// The ids from the `n`-th on, in increasing order.
    pub fn iter_from(&self, mut n: usize) -> impl Iterator<Item = u64> + '_ {
        let mut bi = 0;
        while bi < self.blocks.len() && n >= self.blocks[bi].len() {
            n -= self.blocks[bi].len();
            bi += 1;
        }
        self.blocks[bi.min(self.blocks.len())..]
            .iter()
            .enumerate()
            .flat_map(move |(k, b)| b[if k == 0 { n } else { 0 }..].iter().copied())
    }

    /// The ids from the `n`-th on, in decreasing order (the `n`-th from the top first).
    pub fn iter_from_back(&self, mut n: usize) -> impl Iterator<Item = u64> + '_ {
        let mut bi = self.blocks.len();
        while bi > 0 && n >= self.blocks[bi - 1].len() {
            n -= self.blocks[bi - 1].len();
            bi -= 1;
        }
        self.blocks[..bi]
            .iter()
            .rev()
            .enumerate()
            .flat_map(move |(k, b)| {
                let end = b.len() - if k == 0 { n } else { 0 };
                b[..end].iter().rev().copied()
            })
    }

    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.blocks.iter().flatten().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Checks every query against a BTreeSet holding the same ids.
    fn check(s: &SortedIds, model: &BTreeSet<u64>) {
        let v: Vec<u64> = model.iter().copied().collect();
        assert_eq!(s.len(), v.len());
        assert_eq!(s.iter().collect::<Vec<_>>(), v);
        assert_eq!(s.first(), v.first().copied());
        assert_eq!(s.last(), v.last().copied());
        assert!(s.blocks.iter().all(|b| !b.is_empty()));
        for n in [
            0,
            1,
            v.len() / 3,
            v.len() / 2,
            v.len().saturating_sub(1),
            v.len(),
            v.len() + 5,
        ] {
            assert_eq!(s.nth(n), v.get(n).copied(), "nth {n}");
            let fwd: Vec<u64> = s.iter_from(n).take(7).collect();
            assert_eq!(fwd, v.iter().skip(n).take(7).copied().collect::<Vec<_>>());
            let back: Vec<u64> = s.iter_from_back(n).take(7).collect();
            assert_eq!(
                back,
                v.iter().rev().skip(n).take(7).copied().collect::<Vec<_>>(),
                "back {n}"
            );
        }
        for (i, id) in v.iter().enumerate().step_by(97) {
            assert_eq!(s.rank(*id), Some(i));
            assert!(s.contains(*id));
            assert_eq!(s.count_below(*id), i);
            assert_eq!(s.count_below(*id + 1), i + 1);
            let ge: Vec<u64> = s.iter_ge(*id).take(3).collect();
            assert_eq!(ge, v[i..].iter().take(3).copied().collect::<Vec<_>>());
        }
        // Between and beyond the ids held.
        for x in [0, 1, u64::MAX] {
            let below = v.iter().filter(|id| **id < x).count();
            assert_eq!(s.count_below(x), below, "below {x}");
            assert_eq!(s.iter_ge(x).next(), v.get(below).copied());
        }
    }

    #[test]
    fn appends_removals_and_queries_agree_with_a_btreeset() {
        let mut s = SortedIds::new();
        let mut model = BTreeSet::new();
        check(&s, &model);
        assert!(!s.remove(3));
        assert_eq!(s.rank(3), None);
        // Ids come in increasing and leave in a scattered order, as connections retire.
        let mut x = 12345u64;
        let mut next = 1u64;
        for round in 0..40 {
            for _ in 0..700 {
                s.insert(next);
                model.insert(next);
                next += 1;
            }
            for _ in 0..(300 + round * 10) {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let id = 1 + (x >> 33) % next;
                assert_eq!(s.remove(id), model.remove(&id), "remove {id}");
            }
            check(&s, &model);
        }
        assert!(!s.contains(next));
        assert_eq!(s.rank(next + 10), None);
        // Out-of-order inserts (not the usual case) land in place.
        for id in [5, 2, 9999, next + 3, next + 1] {
            s.insert(id);
            model.insert(id);
        }
        s.insert(5);
        check(&s, &model);
        // Removing all leaves no block behind.
        for id in model.clone() {
            assert!(s.remove(id));
        }
        assert!(s.is_empty());
        assert!(s.blocks.is_empty());
        s.clear();
        assert_eq!(s.iter_from(0).count(), 0);
        assert_eq!(s.iter_from_back(3).count(), 0);
    }

    #[test]
    fn a_block_that_grows_by_inserts_splits() {
        let mut s = SortedIds::new();
        for id in (0..3 * BLOCK as u64).map(|i| i * 2 + 1_000_000) {
            s.insert(id);
        }
        // Fill the gaps of the first block from below.
        let mut model: BTreeSet<u64> = s.iter().collect();
        for id in (0..BLOCK as u64 * 2).map(|i| i * 2 + 1_000_001) {
            s.insert(id);
            model.insert(id);
        }
        assert!(s.blocks.iter().all(|b| b.len() <= 2 * BLOCK));
        check(&s, &model);
    }
}
