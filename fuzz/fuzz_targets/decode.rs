//! See `synack::testkit::fuzz::decode_frame` for the input format and what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| synack::testkit::fuzz::decode_frame(data));
