//! synack: watch TCP connections being born and dying.
//!
//! The core is pure: [`decode`] turns captured bytes into segments, [`track`] follows both
//! ends of every connection through the TCP state machine, [`zeek`] follows them as Zeek would
//! (its `conn_state` and `history`), [`diagnose`] finds what is wrong. The edges feed and show
//! it: [`capture`] (files and interfaces, on one capture thread), [`run`] (the batch runners)
//! and [`output`] (text and JSON), [`ui`] (the terminal UI). [`config`] turns the command line
//! ([`cli`]) into each part's settings, once. [`i18n`] holds every word in every language.

pub mod capture;
pub mod cli;
pub mod config;
pub mod decode;
pub mod diagnose;
pub mod escape;
pub mod export;
pub mod gen;
pub mod i18n;
pub mod kernel;
pub mod lab;
pub mod memory;
pub mod output;
pub mod run;
pub mod teach;
pub mod testkit;
pub mod thread_stats;
pub mod time;
pub mod track;
pub mod ui;
pub mod zeek;
