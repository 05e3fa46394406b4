//! Puts finished connections back in id order, within a bounded window, before they are
//! written.
//!
//! A batch run writes a connection once it is over and has lingered, so connections leave
//! the tracker in the order they ended: on a short capture, a refused connection would be
//! written before the handshake that started earlier and is still in TIME_WAIT. Holding a
//! few thousand finished connections and releasing them lowest id first gives the order in
//! which they began (exactly so whenever the window is not exceeded: every capture under a
//! few thousand connections), while memory stays bounded by the window.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An item waiting for its turn, ordered by id, lowest first out of the max-heap.
struct Held<T> {
    id: u64,
    item: T,
}

impl<T> PartialEq for Held<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl<T> Eq for Held<T> {}
impl<T> PartialOrd for Held<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Held<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.id.cmp(&self.id)
    }
}

pub struct Reorder<T> {
    /// The lowest id not yet released.
    next: u64,
    window: usize,
    heap: BinaryHeap<Held<T>>,
}

impl<T> Reorder<T> {
    /// Ids are expected to start at `first` and each to be pushed once.
    pub fn new(first: u64, window: usize) -> Self {
        Reorder {
            next: first,
            window: window.max(1),
            heap: BinaryHeap::new(),
        }
    }

    /// Takes item `id`; hands `emit` every item now due, in id order. An item whose turn has
    /// passed (the window overflowed while it was still open) goes out at once.
    pub fn push<E>(
        &mut self,
        id: u64,
        item: T,
        emit: &mut impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        if id < self.next {
            return emit(item);
        }
        self.heap.push(Held { id, item });
        while let Some(top) = self.heap.peek() {
            if top.id != self.next && self.heap.len() <= self.window {
                break;
            }
            let Held { id, item } = self.heap.pop().expect("peeked");
            self.next = id + 1;
            emit(item)?;
        }
        Ok(())
    }

    /// Hands out everything still held, in id order.
    pub fn finish<E>(&mut self, emit: &mut impl FnMut(T) -> Result<(), E>) -> Result<(), E> {
        while let Some(Held { id, item }) = self.heap.pop() {
            self.next = id + 1;
            emit(item)?;
        }
        Ok(())
    }

    pub fn held(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(window: usize, ids: &[u64]) -> (Vec<u64>, usize) {
        let mut r = Reorder::new(1, window);
        let mut out = Vec::new();
        let mut most = 0;
        let mut emit = |x: u64| -> Result<(), ()> {
            out.push(x);
            Ok(())
        };
        for &id in ids {
            r.push(id, id, &mut emit).unwrap();
            most = most.max(r.held());
        }
        r.finish(&mut emit).unwrap();
        (out, most)
    }

    #[test]
    fn within_the_window_the_order_is_by_id() {
        assert_eq!(run(8, &[2, 3, 1, 5, 6, 4]).0, [1, 2, 3, 4, 5, 6]);
        // In order already: nothing is held.
        assert_eq!(run(8, &[1, 2, 3]), (vec![1, 2, 3], 0));
    }

    #[test]
    fn an_overflowing_window_releases_the_lowest_and_never_holds_more() {
        // Connection 1 stays open past the window: 2..=4 cannot wait for it forever.
        let (out, most) = run(2, &[2, 3, 4, 5, 1]);
        assert_eq!(out, [2, 3, 4, 5, 1]);
        assert!(most <= 2, "held {most}");
        // Late ones go out at once; the rest keeps its order.
        assert_eq!(run(2, &[3, 4, 5, 1, 2, 7, 6]).0, [3, 4, 5, 1, 2, 6, 7]);
    }

    #[test]
    fn every_item_comes_out_exactly_once() {
        let ids: Vec<u64> = (1..=1000).rev().collect();
        for window in [1, 7, 100, 5000] {
            let (mut out, most) = run(window, &ids);
            assert!(most <= window);
            out.sort_unstable();
            assert_eq!(out, (1..=1000).collect::<Vec<_>>());
        }
    }

    #[test]
    fn errors_from_emit_stop_and_are_returned() {
        let mut r = Reorder::new(1, 4);
        let mut emit = |x: u64| if x == 2 { Err(x) } else { Ok(()) };
        assert_eq!(r.push(1, 1, &mut emit), Ok(()));
        assert_eq!(r.push(2, 2, &mut emit), Err(2));
    }
}
