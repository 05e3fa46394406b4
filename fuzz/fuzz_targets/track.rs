//! See `synack::testkit::fuzz::track_records` for the input format and what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::testkit::fuzz::track_records(data));
