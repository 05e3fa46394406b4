//! synack: watch TCP connections being born and dying.
//!
//! The core is pure: [`decode`] turns captured bytes into segments, [`track`] follows both
//! ends of every connection through the TCP state machine. The edges — [`capture`] (files and
//! interfaces), [`output`] (text and JSON) and the UI — feed and show it.

pub mod batch;
pub mod capture;
pub mod cli;
pub mod decode;
pub mod diagnose;
pub mod gen;
pub mod live;
pub mod memory;
pub mod output;
pub mod pipeline;
pub mod track;
pub mod ui;
