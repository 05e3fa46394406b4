//! What the tracker holds per connection beyond the connections' event logs, on one capture
//! (the performance issue's budget: at most 1 KiB per live connection on average). Tracks the
//! capture as a batch run does (connections retired and freed as they end) and reports the
//! moment it held the most connections. `make bench` runs it on its generated captures.
//!
//!     cargo run --release --example memory -- FILE.pcap

use synack::capture::FileReader;
use synack::decode::Decoder;
use synack::memory::{peak_held, Counting};
use synack::track::{Connection, Event, TrackerConfig};

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let path = std::env::args().nth(1).expect("usage: memory FILE.pcap");
    let mut reader = FileReader::open(&path).expect("open");
    let mut decoder = Decoder::default();
    // Decoded one packet at a time: the reader's buffers were allocated before the count
    // starts, so the bytes counted are the tracker's.
    let items = std::iter::from_fn(|| {
        let p = reader.next_packet().expect("read")?;
        Some(decoder.item(&p))
    });
    let held = peak_held(items, TrackerConfig::default(), 4096, Counting::live);
    println!(
        "{path}: at most {} connections held, {:.1} MiB ({:.1} MiB of it event logs): {:.0} bytes per connection beyond its events (a connection is {} bytes, an event {})",
        held.connections,
        held.bytes as f64 / 1048576.0,
        held.event_bytes as f64 / 1048576.0,
        held.per_connection(),
        std::mem::size_of::<Connection>(),
        std::mem::size_of::<Event>(),
    );
}
