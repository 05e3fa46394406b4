//! Memory accounting, for tests and benchmarks (not used by the program itself): a global
//! allocator wrapper that counts live bytes, and a run of the tracker that reports what it
//! holds per connection beyond the connections' event logs (the performance issue's budget:
//! at most 1 KiB per live connection on average, events aside).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::decode::Item;
use crate::track::{Event, Tracker, TrackerConfig};

/// The system allocator, counting. Install it with `#[global_allocator]` in a test or bench
/// binary; the counts cover every thread of that binary. Bytes are the sizes asked for
/// (malloc's own few bytes per block are not seen).
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

std::thread_local! {
    /// This thread's allocations: what a test counts of its own work, whatever the test
    /// harness's other threads allocate meanwhile (const-initialised, without a destructor:
    /// reading it never allocates).
    static THREAD_ALLOCS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn count_alloc() {
    ALLOCS.fetch_add(1, Ordering::Relaxed);
    let _ = THREAD_ALLOCS.try_with(|c| c.set(c.get() + 1));
}

impl Counting {
    /// Bytes allocated and not yet freed.
    pub fn live() -> usize {
        LIVE.load(Ordering::Relaxed)
    }
    /// Allocations (and reallocations) made so far.
    pub fn allocs() -> usize {
        ALLOCS.load(Ordering::Relaxed)
    }
    /// Allocations (and reallocations) made so far by the calling thread.
    pub fn thread_allocs() -> usize {
        THREAD_ALLOCS.try_with(|c| c.get()).unwrap_or(0)
    }
}

// SAFETY: every call is passed on to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count_alloc();
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        count_alloc();
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        count_alloc();
        LIVE.fetch_add(n, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}

/// What a tracker held at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Held {
    pub connections: usize,
    /// Bytes allocated since the tracker was created (table, connections, logs, timers).
    pub bytes: usize,
    /// Of those, the event logs' (their capacity, not just the events in them).
    pub event_bytes: usize,
}

impl Held {
    /// Bytes per connection held, event logs aside.
    pub fn per_connection(&self) -> f64 {
        (self.bytes.saturating_sub(self.event_bytes)) as f64 / self.connections.max(1) as f64
    }
}

/// Bytes the event logs of the tracker's connections take (their capacity).
pub fn event_bytes(tracker: &Tracker) -> usize {
    tracker
        .connections()
        .map(|c| c.events.capacity() * std::mem::size_of::<Event>())
        .sum()
}

/// Tracks `items` (segments with their frame numbers, or ticks of capture time) as a batch
/// run does (retiring connections as they end and freeing them at once), and returns what the
/// tracker held when it held the most connections, looked at every `every` items. `live` is
/// the allocator's count of live bytes ([`Counting::live`] in a binary that installs it).
pub fn peak_held<I>(items: I, cfg: TrackerConfig, every: usize, live: fn() -> usize) -> Held
where
    I: IntoIterator<Item = Item>,
{
    let base = live();
    let mut tracker = Tracker::new(TrackerConfig {
        retire: true,
        ..cfg
    });
    let mut peak = Held::default();
    for (i, item) in items.into_iter().enumerate() {
        tracker.apply(&item);
        // As often as a batch run hands retired connections on.
        if i % crate::run::file::DRAIN_EVERY == 0 {
            tracker.drain_retired().for_each(drop);
        }
        if i % every.max(1) == 0 && tracker.len() > peak.connections {
            peak = Held {
                connections: tracker.len(),
                bytes: live().saturating_sub(base),
                event_bytes: event_bytes(&tracker),
            };
        }
    }
    peak
}
