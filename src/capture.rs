//! Packet sources: capture files and live interfaces, read on one capture thread that decodes
//! on the spot and feeds a bounded channel. The thin edge that does I/O.

pub mod file;
pub mod frames;
pub mod live;
pub mod pcapng;
pub mod privileges;
pub mod savefile;
pub mod source;

pub use file::{CaptureError, FileFormat, FileReader};
pub use source::{Input, Source, SourceMsg, SourceOptions, SourceStatus};

extern "C" {
    // libpcap's own; the pcap crate links libpcap but does not wrap this one.
    fn pcap_lib_version() -> *const std::ffi::c_char;
}

/// The version string of the libpcap loaded at run time, e.g. "libpcap version 1.10.3 (with
/// TPACKET_V3)".
pub fn libpcap_version() -> String {
    // SAFETY: pcap_lib_version takes nothing and returns a pointer to a static NUL-terminated
    // string owned by libpcap, valid for the life of the process (pcap(3PCAP)).
    let p = unsafe { pcap_lib_version() };
    if p.is_null() {
        return "unknown".into();
    }
    // SAFETY: as above: non-null, NUL-terminated, static.
    unsafe { std::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn libpcap_names_its_version() {
        let v = super::libpcap_version();
        assert!(v.starts_with("libpcap version "), "{v}");
    }
}
