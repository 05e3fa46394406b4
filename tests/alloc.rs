//! "No per-packet heap allocation in the hot path": decoding a frame, and tracking a segment of
//! an established connection once its event log is at its cap, allocate nothing. Counted with
//! a global allocator wrapper (this test binary only).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use synack::decode::{self, Decoded, LinkType, Timestamp};
use synack::gen::{conv::ep, write, Conv, Link};
use synack::track::{Tracker, TrackerConfig};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn frames() -> Vec<Vec<u8>> {
    let mut c = Conv::new(
        ep("10.0.0.1", 40000),
        ep("10.0.0.2", 80),
        1,
        1000,
        1_700_000_000.0,
    );
    c.syn(0.0).syn_ack(0.001).ack_c(0.001);
    for _ in 0..2000 {
        c.data_c(0.001, 100).ack_s(0.0001);
    }
    write::frames(&Link::Ethernet { vlans: vec![7] }, &c.packets, false)
        .into_iter()
        .map(|f| f.data)
        .collect()
}

#[test]
fn decoding_and_steady_state_tracking_do_not_allocate() {
    let frames = frames();
    let mut tracker = Tracker::new(TrackerConfig {
        max_events: 16,
        ..Default::default()
    });
    // Warm up: the connection, its event log up to the cap, the table.
    let mut ts = 0i64;
    let mut feed = |tracker: &mut Tracker, f: &[u8], n: u64| {
        ts += 1000;
        match decode::decode(LinkType::ETHERNET, Timestamp(ts), f).unwrap() {
            Decoded::Tcp(seg) => {
                tracker.ingest(&seg, n);
            }
            Decoded::NotTcp => panic!("TCP expected"),
        }
    };
    for (i, f) in frames[..100].iter().enumerate() {
        feed(&mut tracker, f, i as u64 + 1);
    }
    let before = ALLOCS.load(Ordering::Relaxed);
    for (i, f) in frames[100..].iter().enumerate() {
        feed(&mut tracker, f, i as u64 + 101);
    }
    let allocs = ALLOCS.load(Ordering::Relaxed) - before;
    assert!(frames.len() > 4000);
    assert_eq!(
        allocs,
        0,
        "{allocs} allocations over {} packets",
        frames.len() - 100
    );
    let c = tracker.get(1).unwrap();
    assert_eq!(c.packets(), frames.len() as u64);
    assert!(c.events_dropped > 3000);
}
