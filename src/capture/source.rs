//! The capture thread: reads a source (file, or a live interface), decodes on the spot and
//! sends segments to whoever tracks them through a bounded channel.
//!
//! A file source waits when the channel is full (nothing is lost); a live source waits too,
//! with packets held in the kernel's buffer, which drops (and counts) once full; with `-w` it
//! keeps that buffer drained and drops in its own queue instead (see `live`).

use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use super::file::FileReader;
use crate::decode::Segment;
use crate::pipeline::{Counters, Decoder};

/// Segments are sent in batches: one channel operation per batch keeps the per-packet cost low.
pub const BATCH: usize = 256;
/// Batches in flight between the capture thread and the consumer.
pub const CHANNEL_BATCHES: usize = 64;

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
}

pub enum SourceMsg {
    /// Decoded TCP segments with their frame numbers, in capture order.
    Segments(Vec<(Segment, u64)>),
    /// Counters and drops so far; the last message of a source has `done` set.
    Status(SourceStatus),
}

/// Reads `reader` to the end on a named thread, decoding with `decoder`.
pub fn spawn_file(
    mut reader: FileReader,
    mut decoder: Decoder,
    tx: SyncSender<SourceMsg>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("synack-capture".into())
        .spawn(move || {
            let name = reader.path().to_string();
            let mut batch = Vec::with_capacity(BATCH);
            let mut error = None;
            loop {
                match reader.next_packet() {
                    Ok(Some(pkt)) => {
                        if let Some(s) = decoder.decode(&pkt) {
                            batch.push(s);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        error = Some(e.to_string());
                        break;
                    }
                }
                if batch.len() >= BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if tx.send(SourceMsg::Segments(full)).is_err() {
                        return; // the consumer is gone
                    }
                    let status = SourceStatus {
                        name: name.clone(),
                        live: false,
                        counters: decoder.counters.clone(),
                        drops: Drops::default(),
                        consumed: reader.consumed(),
                        done: false,
                        error: None,
                    };
                    // Status is advisory: skip it rather than wait when the channel is full.
                    match tx.try_send(SourceMsg::Status(status)) {
                        Ok(()) | Err(TrySendError::Full(_)) => {}
                        Err(TrySendError::Disconnected(_)) => return,
                    }
                }
            }
            if !batch.is_empty() && tx.send(SourceMsg::Segments(batch)).is_err() {
                return;
            }
            let _ = tx.send(SourceMsg::Status(SourceStatus {
                name,
                live: false,
                counters: decoder.counters,
                drops: Drops::default(),
                consumed: reader.consumed(),
                done: true,
                error,
            }));
        })
}

/// A bounded channel sized for [`spawn_file`] and the live source.
pub fn channel() -> (SyncSender<SourceMsg>, Receiver<SourceMsg>) {
    std::sync::mpsc::sync_channel(CHANNEL_BATCHES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_source_delivers_every_segment_then_a_final_status() {
        let bytes: &'static [u8] = include_bytes!("../../fixtures/demo.pcap");
        let reader = FileReader::from_bytes("demo", bytes).unwrap();
        let (tx, rx) = channel();
        let h = spawn_file(reader, Decoder::default(), tx).unwrap();
        let mut segs = 0;
        let mut last = None;
        for msg in rx {
            match msg {
                SourceMsg::Segments(v) => segs += v.len(),
                SourceMsg::Status(s) => last = Some(s),
            }
        }
        h.join().unwrap();
        let last = last.unwrap();
        assert!(last.done);
        assert_eq!(last.error, None);
        assert_eq!(segs as u64, last.counters.tcp);
        assert!(segs > 30);
    }
}
