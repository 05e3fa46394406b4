//! Packet sources: capture files and live interfaces, read on one capture thread that decodes
//! on the spot and feeds a bounded channel. The thin edge that does I/O.

pub mod file;
pub mod live;
pub mod pcapng;
pub mod privileges;
pub mod savefile;
pub mod source;

pub use file::{CaptureError, FileFormat, FileReader};
pub use source::{Input, Source, SourceMsg, SourceOptions, SourceStatus};
