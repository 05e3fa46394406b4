//! Segments to connections: the connection table and the TCP state machine of both ends.
//!
//! Pure and deterministic: time is the packets' own timestamps, passed in; nothing here reads a
//! clock or does I/O.

pub mod conn;
pub mod seq;
pub mod state;
pub mod table;

pub use conn::{
    Connection, Dir, Dropped, DroppedRun, End, Event, EventKind, Handshake, Marks, Side, Teardown,
};
pub use state::State;
pub use table::{Tracker, TrackerConfig, TrackerStats};
