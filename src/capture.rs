//! Packet sources: capture files (and, later, live interfaces). The thin edge that does I/O.

pub mod bpf;
pub mod file;
pub mod live;
pub mod source;

pub use bpf::BpfFilter;
pub use file::{CaptureError, FileFormat, FileReader};

use crate::decode::{LinkType, Timestamp};

/// One captured frame, borrowed from the reader's buffer until the next read.
#[derive(Debug, Clone, Copy)]
pub struct RawPacket<'a> {
    pub ts: Timestamp,
    pub linktype: LinkType,
    pub data: &'a [u8],
    /// Length on the wire (may exceed `data.len()` when the capture's snaplen cut it).
    pub orig_len: u32,
}
