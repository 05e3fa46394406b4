//! Fixture generator: builds TCP conversations packet by packet and writes them as captures.
