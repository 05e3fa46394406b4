//! Segments to connections: the connection table and the TCP state machine of both ends.
//!
//! Pure and deterministic: time is the packets' own timestamps, passed in; nothing here reads a
//! clock or does I/O. Laid out as a reader of RFC 9293 looks for it:
//!
//! - `state`: the states (3.3.2); `seq`: sequence arithmetic (3.4);
//! - `machine`: each end's rules, state first (3.10): what sending a segment says of its
//!   sender, what its arrival does to its receiver ("SEGMENT ARRIVES", 3.10.7), the RST checks,
//!   the TIME-WAIT timeout (3.10.8);
//! - `infer`: what a passive observer must guess, which the RFC has no rules for: roles,
//!   segments the capture missed;
//! - `marks`: Wireshark-style analysis of each segment (retransmission, out of order, ...);
//! - `conn`: a connection's data and [`Connection::on_segment`], which runs the steps above;
//! - `events`: the event log and its cap; `table`: the 4-tuple table and its timers.
//!
//! The steps a segment takes through these files are `#[inline]`: each runs once per segment
//! and may sit in another codegen unit than its caller, and the calls cost 5% more instructions
//! per segment than the one function they were split from.

mod attempts;
pub mod budget;
pub mod completeness;
pub mod conn;
pub mod events;
mod evicted;
mod infer;
pub mod labels;
mod machine;
pub mod marks;
pub mod seq;
pub mod state;
pub mod table;
#[cfg(test)]
pub(crate) mod testkit;
pub mod udp;

pub use completeness::Completeness;
pub use conn::{Connection, Dir, End, Extras, Handshake, Side, Teardown};
pub use events::{Dropped, DroppedRun, Event, EventKind};
pub use labels::Label;
pub use marks::Marks;
pub use state::State;
pub use table::{Tracker, TrackerConfig, TrackerStats};
pub use udp::{UdpFlow, UdpFlows};
