//! Diagnosis: from a connection's story to findings an operator can act on, and the
//! Zeek-compatible summary (`conn_state`, `history`). Pure functions of tracker state.

pub mod findings;
pub mod kinds;
pub mod report;
pub mod zeek;

pub use findings::{diagnose, diagnose_with};
pub use kinds::{DiagConfig, Finding, Kind};
pub use report::Diagnosis;
