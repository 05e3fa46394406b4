//! Zeek's view of a connection, so results line up with Zeek's conn.log: [`history`] follows
//! each segment the way Zeek's TCP session adapter does (endpoint states, sizes, the `history`
//! letters); [`conn_state`](mod@conn_state) reads Zeek's `conn_state` off them.
//!
//! Independent of synack's own state machine (`crate::track`): Zeek keeps its own endpoint
//! states and its own roles, and where it disagrees with RFC 9293 it is Zeek that is followed.

pub mod conn_state;
pub mod counts;
pub mod history;
pub mod log;

pub use conn_state::{conn_state, earlier};
pub use counts::Counts;
pub use history::{Earlier, History, ZeekState, ZeekTimer};
