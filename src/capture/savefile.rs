//! `-w`: what a live capture reads, saved as a pcap file (nanosecond timestamps), with every
//! write checked. libpcap's dumper cannot say that a write failed (a full disk went
//! unnoticed, the file ending in a cut record); here the first failure stops the saving, the
//! file is cut back to its last whole record, and what was not saved is counted.

use std::fs::File;
use std::io::Write;

use crate::decode::LinkType;
use crate::escape::escape;

/// Records are gathered here and written in blocks of this size.
const BLOCK: usize = 64 << 10;

/// How the saving went, for the status and the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveStatus {
    /// The file (escaped, for messages).
    pub path: String,
    /// Packets in the file.
    pub saved: u64,
    /// Packets read but not in the file, because a write failed.
    pub unsaved: u64,
    /// Why saving stopped.
    pub error: Option<String>,
}

impl SaveStatus {
    /// `-w`'s outcome in one line (the batch summary, stderr, the TUI's status bar).
    pub fn line(&self) -> String {
        match &self.error {
            None => format!("saved to {}: {} packets", self.path, self.saved),
            Some(e) => format!(
                "saving to {} stopped: {e}; {} packets saved, {} not saved",
                self.path, self.saved, self.unsaved
            ),
        }
    }
}

pub struct SaveFile {
    file: File,
    buf: Vec<u8>,
    /// Records in `buf`.
    pending: u64,
    /// Length of the file up to its last whole record written.
    good_len: u64,
    status: SaveStatus,
}

/// The pcap LINKTYPE_ value for a libpcap DLT_ value (they differ for raw IP).
fn linktype_of(dlt: LinkType) -> u32 {
    match dlt.0 {
        12 | 14 => 101,
        other => other,
    }
}

impl SaveFile {
    /// Creates `path` and writes the pcap header for `dlt` frames of at most `snaplen` bytes.
    pub fn create(path: &str, dlt: LinkType, snaplen: u32) -> Result<SaveFile, String> {
        let err = |e: std::io::Error| format!("cannot write {}: {e}", escape(path));
        let mut file = File::create(path).map_err(err)?;
        let mut header = Vec::with_capacity(24);
        header.extend(0xa1b2_3c4du32.to_ne_bytes());
        header.extend(2u16.to_ne_bytes());
        header.extend(4u16.to_ne_bytes());
        header.extend(0i32.to_ne_bytes());
        header.extend(0u32.to_ne_bytes());
        header.extend(snaplen.to_ne_bytes());
        header.extend(linktype_of(dlt).to_ne_bytes());
        file.write_all(&header).map_err(err)?;
        Ok(SaveFile {
            file,
            buf: Vec::with_capacity(BLOCK + 4096),
            pending: 0,
            good_len: header.len() as u64,
            status: SaveStatus {
                path: escape(path).into_owned(),
                ..SaveStatus::default()
            },
        })
    }

    /// Adds one packet: captured at `secs`.`nanos`, `data` as captured, `orig_len` on the wire.
    pub fn write(&mut self, secs: i64, nanos: i64, data: &[u8], orig_len: u32) {
        if self.status.error.is_some() {
            self.status.unsaved += 1;
            return;
        }
        self.buf.extend((secs as u32).to_ne_bytes());
        self.buf.extend((nanos as u32).to_ne_bytes());
        self.buf.extend((data.len() as u32).to_ne_bytes());
        self.buf.extend(orig_len.to_ne_bytes());
        self.buf.extend_from_slice(data);
        self.pending += 1;
        if self.buf.len() >= BLOCK {
            self.flush();
        }
    }

    /// Writes out what is gathered. On the first failure saving stops: the file keeps every
    /// whole record that fitted (a partial one is cut away, so it reads cleanly) and the
    /// packets not in it are counted.
    pub fn flush(&mut self) {
        if self.status.error.is_some() || self.buf.is_empty() {
            return;
        }
        match self.file.write_all(&self.buf) {
            Ok(()) => {
                self.good_len += self.buf.len() as u64;
                self.status.saved += self.pending;
            }
            Err(e) => self.save_what_fits(e),
        }
        self.buf.clear();
        self.pending = 0;
    }

    /// After a block failed: back to the last whole record, then record by record until one
    /// does not go in.
    fn save_what_fits(&mut self, first: std::io::Error) {
        let mut at = 0;
        let mut left = self.pending;
        // A file that cannot even be cut back takes nothing more.
        let mut error = self.back_to_good().err().map(|_| first);
        while error.is_none() && at + 16 <= self.buf.len() {
            let caplen =
                u32::from_ne_bytes(self.buf[at + 8..at + 12].try_into().unwrap_or_default());
            let end = (at + 16 + caplen as usize).min(self.buf.len());
            match self.file.write_all(&self.buf[at..end]) {
                Ok(()) => {
                    self.good_len += (end - at) as u64;
                    self.status.saved += 1;
                    left -= 1;
                    at = end;
                }
                Err(e) => {
                    let _ = self.back_to_good();
                    error = Some(e);
                }
            }
        }
        // Every record went in one by one (the failure passed): saving goes on.
        self.status.unsaved += left;
        self.status.error = error.map(|e| e.to_string());
    }

    /// Cuts the file to its last whole record and writes on from there.
    fn back_to_good(&mut self) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        self.file.set_len(self.good_len)?;
        self.file.seek(SeekFrom::Start(self.good_len)).map(|_| ())
    }

    pub fn status(&self) -> &SaveStatus {
        &self.status
    }
}

impl Drop for SaveFile {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::FileReader;

    #[test]
    fn what_is_saved_reads_back_with_its_times_and_lengths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.pcap");
        let p = path.to_str().unwrap();
        {
            let mut w = SaveFile::create(p, LinkType::ETHERNET, 256).unwrap();
            w.write(1_700_000_000, 123_456_789, &[0xab; 60], 1514);
            w.write(1_700_000_001, 5, &[0xcd; 14], 14);
            w.flush();
            assert_eq!(w.status().saved, 2);
        }
        let mut r = FileReader::open(p).unwrap();
        let a = r.next_packet().unwrap().unwrap();
        assert_eq!(
            (a.ts.0, a.data.len(), a.orig_len),
            (1_700_000_000_123_456_789, 60, 1514)
        );
        assert_eq!(r.linktype(), Some(LinkType::ETHERNET));
        assert!(r.next_packet().unwrap().is_some());
        assert!(r.next_packet().unwrap().is_none());
    }

    #[test]
    fn a_write_that_fails_stops_saving_and_counts_what_was_not_saved() {
        // /dev/full takes the header's open but fails every write with ENOSPC.
        let Ok(file) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            panic!("/dev/full is there on Linux");
        };
        let mut w = SaveFile {
            file,
            buf: Vec::new(),
            pending: 0,
            good_len: 24,
            status: SaveStatus::default(),
        };
        w.write(1, 0, &[0; 100], 100);
        w.write(2, 0, &[0; 100], 100);
        w.flush();
        w.write(3, 0, &[0; 100], 100);
        let s = w.status();
        assert_eq!((s.saved, s.unsaved), (0, 3));
        assert!(
            s.error.as_deref().unwrap().contains("No space left"),
            "{s:?}"
        );
    }
}
