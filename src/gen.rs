//! Fixture generator: scripted TCP conversations written as real capture files.
//!
//! [`conv::Conv`] scripts one connection segment by segment (sequence numbers follow
//! automatically), [`frame`] wraps segments in any supported link layer with etherparse's
//! `PacketBuilder`, [`write`] saves them with libpcap (`Capture::dead(..).savefile()`) or, for
//! pcapng and big-endian files, with `pcap-file`. [`scenarios`] is the catalogue behind
//! `fixtures/` (`cargo run --example gen_fixtures`).

pub mod bulk;
pub mod conv;
pub mod encap;
pub mod frame;
pub mod payloads;
pub mod scenarios;
pub mod write;

pub use conv::{Conv, GenPacket};
pub use frame::Link;
