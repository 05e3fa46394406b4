//! The capture thread: one type for every source (a file, standard input, the demo, a live
//! interface). It reads, decodes on the spot and sends what each frame was to whoever tracks
//! it, through a bounded channel: a TCP segment with its frame number, or, for any other
//! frame, a clock tick (its time still moves capture time: TIME_WAIT can run out during a
//! stretch of UDP). The batch runners and the TUI all consume this.
//!
//! A file source waits when the channel is full (nothing is lost); a live source waits too,
//! with packets held in the kernel's buffer, which drops (and counts) once full; with `-w` it
//! keeps that buffer drained and drops in its own queue instead (see `live`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::file::FileReader;
use super::live::{self, Interface, LiveInfo};
use super::savefile::SaveStatus;
use crate::decode::{Counters, Decoder, Item};
use crate::thread_stats::ThreadStats;

/// Packets lost before synack saw them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drops {
    /// Dropped by the kernel (buffer full): pcap_stats ps_drop.
    pub kernel: u64,
    /// Dropped by the interface or driver: pcap_stats ps_ifdrop.
    pub interface: u64,
    /// Dropped by synack because the consumer fell behind: with `-w` (which keeps the kernel's
    /// buffer drained), segments read when the queue was full; and, for any live capture,
    /// packets still waiting in the kernel's buffer when a stopping capture gave up on them.
    pub queue: u64,
}

/// Where the source stands.
#[derive(Debug, Clone, Default)]
pub struct SourceStatus {
    /// File path or interface name.
    pub name: String,
    pub live: bool,
    pub counters: Counters,
    pub drops: Drops,
    /// Approximate bytes consumed (files), for progress.
    pub consumed: u64,
    /// The source has ended (end of file, count/duration reached, or an error).
    pub done: bool,
    /// Why it ended early, as one line for the user.
    pub error: Option<String>,
    /// `-w`: how the saving goes.
    pub save: Option<SaveStatus>,
}

pub enum SourceMsg {
    /// What the frames read were, in capture order.
    Packets(Vec<Item>),
    /// Counters and drops so far; the last message of a source has `done` set. Boxed: it is
    /// rare, and the channel's slots are the size of its largest message.
    Status(Box<SourceStatus>),
}

/// What to read.
pub enum Input {
    /// A capture file, standard input or the demo, opened.
    File(FileReader),
    /// A live interface, opened (see [`live::open`]).
    Live(Box<Interface>),
}

/// How the thread hands its work over.
#[derive(Debug, Clone, Copy)]
pub struct SourceOptions {
    /// Items per message: one channel operation per batch keeps the per-packet cost low.
    pub batch: usize,
    /// Messages in flight before the thread waits (files) or holds back (live).
    pub in_flight: usize,
    /// `SYNACK_THREAD_STATS`: report the thread's CPU time as the `read` stage.
    pub stats: ThreadStats,
}

impl SourceOptions {
    /// Small batches, many in flight: the TUI shows each packet soon after it is read.
    pub const INTERACTIVE: SourceOptions = SourceOptions {
        batch: 256,
        in_flight: 64,
        stats: ThreadStats::OFF,
    };
    /// A stream followed live (a pcap on standard input from `tcpdump -U -w -`): each frame
    /// is sent as it is read, since the next may be long in coming.
    pub const STREAM: SourceOptions = SourceOptions {
        batch: 1,
        in_flight: 4096,
        stats: ThreadStats::OFF,
    };
    /// Big batches, few in flight: a batch run's throughput, with bounded memory in flight.
    pub fn bulk(stats: ThreadStats) -> SourceOptions {
        SourceOptions {
            batch: 2048,
            in_flight: 8,
            stats,
        }
    }
}

/// The capture thread's end of the channel, and the batches the consumer gave back.
pub(crate) struct Outbox {
    tx: SyncSender<SourceMsg>,
    spare: Receiver<Vec<Item>>,
    pub batch: usize,
}

impl Outbox {
    /// An empty batch: one the consumer gave back (warm in cache, no page faults) or a new one.
    pub fn fresh(&self) -> Vec<Item> {
        match self.spare.try_recv() {
            Ok(v) => v,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => Vec::with_capacity(self.batch),
        }
    }

    /// Sends a batch, waiting for room. False when the consumer is gone.
    pub fn send(&self, items: Vec<Item>) -> bool {
        self.tx.send(SourceMsg::Packets(items)).is_ok()
    }

    /// Sends a batch if there is room: `Ok(true)` sent, `Ok(false)` gone, `Err` full (the batch
    /// comes back).
    pub fn try_send(&self, items: Vec<Item>) -> Result<bool, Vec<Item>> {
        match self.tx.try_send(SourceMsg::Packets(items)) {
            Ok(()) => Ok(true),
            Err(TrySendError::Full(SourceMsg::Packets(b))) => Err(b),
            Err(TrySendError::Full(_)) => Ok(true),
            Err(TrySendError::Disconnected(_)) => Ok(false),
        }
    }

    /// An advisory status, skipped when the channel is full. False when the consumer is gone.
    pub fn status(&self, s: SourceStatus) -> bool {
        !matches!(
            self.tx.try_send(SourceMsg::Status(Box::new(s))),
            Err(TrySendError::Disconnected(_))
        )
    }

    /// The last status, waiting for room.
    pub fn last_status(&self, s: SourceStatus) {
        let _ = self.tx.send(SourceMsg::Status(Box::new(s)));
    }
}

/// A running capture thread and the channel it feeds.
pub struct Source {
    pub rx: Receiver<SourceMsg>,
    spare: Sender<Vec<Item>>,
    stop: Arc<AtomicBool>,
    handle: JoinHandle<()>,
    /// What was opened, for a live source's readiness line.
    pub info: Option<LiveInfo>,
}

impl Source {
    /// Starts the capture thread on `input`, decoding with `decoder`.
    pub fn spawn(input: Input, decoder: Decoder, opts: SourceOptions) -> Result<Source, String> {
        let (tx, rx) = mpsc::sync_channel(opts.in_flight);
        let (spare, spare_rx) = mpsc::channel();
        let out = Outbox {
            tx,
            spare: spare_rx,
            batch: opts.batch,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let info = match &input {
            Input::Live(i) => Some(i.info.clone()),
            Input::File(_) => None,
        };
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("synack-capture".into())
            .spawn(move || {
                match input {
                    Input::File(reader) => read_file(reader, decoder, &out),
                    Input::Live(iface) => live::read(*iface, decoder, &out, &flag),
                }
                opts.stats.report("read");
            })
            .map_err(|e| format!("cannot start the capture thread: {e}"))?;
        Ok(Source {
            rx,
            spare,
            stop,
            handle,
            info,
        })
    }

    /// Gives an emptied batch back to the thread, to fill again.
    pub fn recycle(&self, mut items: Vec<Item>) {
        items.clear();
        let _ = self.spare.send(items);
    }

    /// Asks the thread to stop (a live source reads what the kernel holds first, then sends
    /// its last status).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Waits for the thread to end (once the channel has said so, or after dropping `rx`).
    pub fn join(self) {
        drop(self.rx);
        let _ = self.handle.join();
    }

    /// The channel alone: the thread ends by itself once the receiver is dropped (noticed at
    /// its next send, or within a status period live).
    pub fn into_receiver(self) -> Receiver<SourceMsg> {
        self.rx
    }
}

/// A file to its end (or its first error), as fast as the consumer takes it.
fn read_file(mut reader: FileReader, mut decoder: Decoder, out: &Outbox) {
    let name = crate::escape::escape(reader.path()).into_owned();
    let status = |decoder: &Decoder, reader: &FileReader, done, error| SourceStatus {
        name: name.clone(),
        live: false,
        counters: decoder.counters.clone(),
        drops: Drops::default(),
        consumed: reader.consumed(),
        done,
        error,
        save: None,
    };
    let mut batch = out.fresh();
    let mut error = None;
    loop {
        let frame = decoder.counters.packets + 1;
        let next = guarded(frame, || match reader.next_packet() {
            Ok(Some(pkt)) => Ok(Some(decoder.item(&pkt))),
            Ok(None) => Ok(None),
            Err(e) => Err(e.to_string()),
        });
        match next {
            Ok(Some(item)) => batch.push(item),
            Ok(None) => break,
            Err(e) => {
                error = Some(e);
                break;
            }
        }
        if batch.len() >= out.batch {
            let full = std::mem::replace(&mut batch, out.fresh());
            if !out.send(full) || !out.status(status(&decoder, &reader, false, None)) {
                return; // the consumer is gone
            }
        }
    }
    if !batch.is_empty() && !out.send(batch) {
        return;
    }
    decoder.finish();
    out.last_status(status(&decoder, &reader, true, error));
}

/// Reads or decodes frame `frame` with `f`. A panic there is a bug of synack's, never the
/// input's fault; it ends the reading with an error, as a cut file does (the batch runs print
/// what came before, warn and exit 2), instead of a capture thread that dies and leaves the
/// output short without a word. The panic message itself has gone to stderr already.
fn guarded(
    frame: u64,
    f: impl FnOnce() -> Result<Option<Item>, String>,
) -> Result<Option<Item>, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(format!(
            "internal error reading frame {frame} (a bug: please report it with the file); \
             reading stopped there"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_reading_a_frame_becomes_an_error_that_names_the_frame() {
        let e = guarded(7, || panic!("boom")).unwrap_err();
        assert!(e.starts_with("internal error reading frame 7 "), "{e}");
        assert!(!e.contains('\n'));
        assert_eq!(guarded(1, || Ok(None)), Ok(None));
        assert_eq!(guarded(1, || Err("cut".into())), Err("cut".to_string()));
    }

    #[test]
    fn file_source_delivers_every_frame_then_a_final_status() {
        let bytes: &'static [u8] = include_bytes!("../../fixtures/demo.pcap");
        let reader = FileReader::from_bytes("demo", bytes).unwrap();
        let src = Source::spawn(
            Input::File(reader),
            Decoder::default(),
            SourceOptions::INTERACTIVE,
        )
        .unwrap();
        let (mut segs, mut ticks, mut last) = (0, 0, None);
        for msg in src.rx.iter() {
            match msg {
                SourceMsg::Packets(v) => {
                    for item in &v {
                        match item {
                            Item::Segment(..) | Item::Tunneled(..) | Item::Labeled(..) => segs += 1,
                            Item::Tick(_) | Item::Udp(_) => ticks += 1,
                        }
                    }
                }
                SourceMsg::Status(s) => last = Some(*s),
            }
        }
        let last = last.unwrap();
        assert!(last.done);
        assert_eq!(last.error, None);
        assert_eq!(segs, last.counters.tcp);
        assert_eq!(segs + ticks, last.counters.packets);
        assert!(segs > 30);
    }

    #[test]
    fn other_frames_tick_the_clock_in_capture_order() {
        // malformed.pcap mixes TCP with frames that are not (or not well-formed) TCP.
        let bytes: &'static [u8] = include_bytes!("../../fixtures/malformed.pcap");
        let reader = FileReader::from_bytes("malformed", bytes).unwrap();
        let src = Source::spawn(
            Input::File(reader),
            Decoder::default(),
            SourceOptions::bulk(ThreadStats::OFF),
        )
        .unwrap();
        let mut items = Vec::new();
        for msg in src.rx.iter() {
            if let SourceMsg::Packets(v) = msg {
                items.extend(v);
            }
        }
        assert!(items.iter().any(|i| matches!(i, Item::Tick(_))));
        assert!(items.iter().any(|i| matches!(i, Item::Segment(..))));
        // Frame numbers count ticks too: segment k is frame (its position + 1).
        for (i, item) in items.iter().enumerate() {
            if let Item::Segment(_, frame) = item {
                assert_eq!(*frame, i as u64 + 1);
            }
        }
    }

    #[test]
    fn a_consumer_that_goes_away_stops_the_thread() {
        let bytes: &'static [u8] = include_bytes!("../../fixtures/bulk-transfer.pcap");
        let reader = FileReader::from_bytes("bulk", bytes).unwrap();
        let opts = SourceOptions {
            batch: 1,
            in_flight: 1,
            stats: ThreadStats::OFF,
        };
        let src = Source::spawn(Input::File(reader), Decoder::default(), opts).unwrap();
        assert!(matches!(src.rx.recv(), Ok(SourceMsg::Packets(_))));
        // Joining drops the receiver: the thread's next send fails and it returns.
        src.join();
    }
}
