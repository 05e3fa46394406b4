//! See `synack::testkit::fuzz::read_capture` for the input format and what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: {
        // A pcap read from memory goes to libpcap through a pipe, which libpcap may close
        // before the feeding thread is done: that thread must get EPIPE, as in synack
        // (Rust's runtime ignores SIGPIPE before main; libFuzzer's main does not).
        // SAFETY: setting a signal's disposition to SIG_IGN, before any thread starts.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    },
    |data: &[u8]| synack::testkit::fuzz::read_capture(data)
);
