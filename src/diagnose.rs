//! Diagnosis: from a connection's story to findings an operator can act on. Pure functions of
//! tracker state. (The Zeek-compatible summary, `conn_state` and `history`, is `crate::zeek`.)

pub mod findings;
pub mod kinds;
pub mod report;
pub mod words;

pub use findings::{diagnose, diagnose_with};
pub use kinds::{DiagConfig, Finding, Kind};
pub use report::Diagnosis;
