//! Reading capture files: classic pcap through libpcap, pcapng (any mix of link types),
//! gzip-compressed captures and standard input through `pcap-file`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use thiserror::Error;

use super::pcapng::NgReader;
use crate::decode::{LinkType, RawPacket, Timestamp};
use crate::escape::escape;

#[derive(Debug, Error)]
pub enum CaptureError {
    /// Not named `source`: thiserror would make it the error's source, and `{:#}` (how main
    /// prints errors) would then print the reason twice.
    /// Paths and libpcap's messages are the user's and the file's: escaped when shown.
    #[error("{}: {err}", escape(.path))]
    Open { path: String, err: io::Error },
    #[error("{}: not a capture file (starts with {magic}); expected pcap or pcapng", escape(.path))]
    NotACapture { path: String, magic: String },
    #[error("{}: empty file, not a capture", escape(.path))]
    Empty { path: String },
    #[error("{}: {}", escape(.path), escape(.msg))]
    Format { path: String, msg: String },
    /// The file ends inside a packet record: what came before was read.
    #[error("{}: truncated: {}", escape(.path), escape(.msg))]
    Truncated { path: String, msg: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Pcap,
    PcapNg,
}

impl FileFormat {
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Pcap => "pcap",
            FileFormat::PcapNg => "pcapng",
        }
    }
}

enum Inner {
    Libpcap {
        cap: pcap::Capture<pcap::Offline>,
        linktype: LinkType,
    },
    PcapNg(Box<NgReader>),
}

/// A capture file being read, one packet at a time.
pub struct FileReader {
    path: String,
    inner: Inner,
    format: FileFormat,
    compressed: bool,
    /// Approximate bytes consumed (record headers + captured bytes), for progress.
    consumed: u64,
}

const PCAP_MAGICS: [[u8; 4]; 6] = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
    // Kuznetzov's modified pcap.
    [0x34, 0xcd, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xcd, 0x34],
];
const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fn peek4(r: &mut dyn BufRead) -> io::Result<Vec<u8>> {
    // fill_buf may return fewer bytes than asked on pipes; a few tries are enough for a header.
    for _ in 0..8 {
        let b = r.fill_buf()?;
        if b.len() >= 4 || b.is_empty() {
            return Ok(b[..b.len().min(4)].to_vec());
        }
    }
    Ok(r.fill_buf()?.to_vec())
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl FileReader {
    /// Opens `path` (or standard input for `-`), sniffing the format from its first bytes.
    pub fn open(path: &str) -> Result<FileReader, CaptureError> {
        let open_err = |err| CaptureError::Open {
            path: path.to_string(),
            err,
        };
        let raw: Box<dyn Read + Send> = if path == "-" {
            Box::new(io::stdin())
        } else {
            if Path::new(path).is_dir() {
                return Err(open_err(io::Error::other("is a directory")));
            }
            Box::new(File::open(path).map_err(open_err)?)
        };
        Self::open_stream(path, raw, path != "-")
    }

    /// Reads a capture held in memory (the embedded demo); `name` is used in messages.
    pub fn from_bytes(name: &str, bytes: &'static [u8]) -> Result<FileReader, CaptureError> {
        Self::open_stream(name, Box::new(bytes), false)
    }

    /// Reads a capture held in an owned buffer (the fuzz targets and the mutation test);
    /// `name` is used in messages.
    pub fn from_memory(name: &str, bytes: Vec<u8>) -> Result<FileReader, CaptureError> {
        Self::open_stream(name, Box::new(io::Cursor::new(bytes)), false)
    }

    /// `by_path`: a plain pcap may be handed to libpcap by its path.
    fn open_stream(
        path: &str,
        raw: Box<dyn Read + Send>,
        by_path: bool,
    ) -> Result<FileReader, CaptureError> {
        let open_err = |err| CaptureError::Open {
            path: path.to_string(),
            err,
        };
        let mut r: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(1 << 16, raw));
        let mut magic = peek4(&mut r).map_err(open_err)?;
        let mut compressed = false;
        if magic.starts_with(&GZIP_MAGIC) {
            compressed = true;
            r = Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::read::MultiGzDecoder::new(r),
            ));
            magic = peek4(&mut r).map_err(|e| CaptureError::Format {
                path: path.to_string(),
                msg: format!("gzip: {e}"),
            })?;
        }
        if magic.is_empty() {
            return Err(CaptureError::Empty {
                path: path.to_string(),
            });
        }
        let is_pcap = PCAP_MAGICS.iter().any(|m| magic == m);
        let is_pcapng = magic == PCAPNG_MAGIC;
        if !is_pcap && !is_pcapng {
            return Err(CaptureError::NotACapture {
                path: path.to_string(),
                magic: hex(&magic),
            });
        }
        let fmt_err = |msg: String| CaptureError::Format {
            path: path.to_string(),
            msg,
        };
        let inner = if is_pcap && !compressed && by_path {
            drop(r);
            let cap = pcap::Capture::from_file_with_precision(path, pcap::Precision::Nano)
                .map_err(|e| fmt_err(e.to_string()))?;
            let linktype = LinkType(cap.get_datalink().0 as u32);
            Inner::Libpcap { cap, linktype }
        } else if is_pcap {
            // A pcap that libpcap cannot open by name (gzip, standard input, in memory): feed
            // it to libpcap through a pipe. pcap-file's reader would do, but it rejects records
            // longer on the wire than the file's snaplen, which is every record of a capture
            // cut with `tcpdump -s`.
            let cap = libpcap_from_stream(r).map_err(fmt_err)?;
            let linktype = LinkType(cap.get_datalink().0 as u32);
            Inner::Libpcap { cap, linktype }
        } else {
            Inner::PcapNg(Box::new(NgReader::open(path, Box::new(r))?))
        };
        Ok(FileReader {
            path: path.to_string(),
            inner,
            format: if is_pcap {
                FileFormat::Pcap
            } else {
                FileFormat::PcapNg
            },
            compressed,
            consumed: 24,
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }
    pub fn format(&self) -> FileFormat {
        self.format
    }
    pub fn compressed(&self) -> bool {
        self.compressed
    }
    /// Approximate bytes of the (uncompressed) file consumed so far.
    pub fn consumed(&self) -> u64 {
        match &self.inner {
            Inner::PcapNg(r) => r.consumed,
            Inner::Libpcap { .. } => self.consumed,
        }
    }

    /// The link type of the file header (pcap) or of the first interface (pcapng).
    pub fn linktype(&self) -> Option<LinkType> {
        match &self.inner {
            Inner::Libpcap { linktype, .. } => Some(*linktype),
            Inner::PcapNg(r) => r.linktype(),
        }
    }

    /// The next packet, `Ok(None)` at the end of the file.
    pub fn next_packet(&mut self) -> Result<Option<RawPacket<'_>>, CaptureError> {
        let path = &self.path;
        let trunc = |msg: String| CaptureError::Truncated {
            path: path.clone(),
            msg,
        };
        match &mut self.inner {
            Inner::Libpcap { cap, linktype } => match cap.next_packet() {
                Ok(p) => {
                    let h = p.header;
                    // Opened with nanosecond precision: tv_usec holds nanoseconds.
                    let ts = Timestamp::from_secs_nanos(h.ts.tv_sec, h.ts.tv_usec);
                    self.consumed += 16 + u64::from(h.caplen);
                    Ok(Some(RawPacket {
                        ts,
                        linktype: *linktype,
                        data: p.data,
                        orig_len: h.len,
                    }))
                }
                Err(pcap::Error::NoMorePackets) => Ok(None),
                Err(e) => {
                    let msg = e.to_string();
                    if msg.contains("truncated") {
                        Err(trunc(msg))
                    } else {
                        Err(CaptureError::Format {
                            path: path.clone(),
                            msg,
                        })
                    }
                }
            },
            // It counts what it consumed itself (see `consumed`).
            Inner::PcapNg(r) => r.next_packet(path),
        }
    }
}

/// Opens libpcap on the read end of a pipe that a named thread fills from `input`.
fn libpcap_from_stream(
    mut input: Box<dyn BufRead + Send>,
) -> Result<pcap::Capture<pcap::Offline>, String> {
    use std::os::fd::IntoRawFd;
    let (pipe_r, mut pipe_w) = io::pipe().map_err(|e| format!("pipe: {e}"))?;
    std::thread::Builder::new()
        .name("synack-feed".into())
        .spawn(move || {
            // Ends at the end of the input, or when libpcap closes the pipe (EPIPE: Rust
            // ignores SIGPIPE). A read error ends the stream; libpcap then reports a cut file.
            let _ = io::copy(&mut input, &mut pipe_w);
        })
        .map_err(|e| format!("thread: {e}"))?;
    // SAFETY: the descriptor was just made by `io::pipe` and is handed over whole: libpcap
    // owns it from here (fdopen + pcap_fopen_offline) and closes it with the capture.
    unsafe {
        pcap::Capture::from_raw_fd_with_precision(pipe_r.into_raw_fd(), pcap::Precision::Nano)
    }
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_names_the_path() {
        let e = FileReader::open("/nonexistent/x.pcap").err().unwrap();
        assert!(e.to_string().starts_with("/nonexistent/x.pcap: "), "{e}");
    }

    #[test]
    fn text_file_is_not_a_capture() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notes.pcap");
        std::fs::write(&p, b"These are notes").unwrap();
        let e = FileReader::open(p.to_str().unwrap()).err().unwrap();
        assert!(matches!(e, CaptureError::NotACapture { .. }), "{e}");
        assert!(e.to_string().contains("54 68 65 73"), "{e}");
    }

    #[test]
    fn empty_file_is_reported_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.pcap");
        std::fs::write(&p, b"").unwrap();
        let e = FileReader::open(p.to_str().unwrap()).err().unwrap();
        assert!(matches!(e, CaptureError::Empty { .. }), "{e}");
    }
}
