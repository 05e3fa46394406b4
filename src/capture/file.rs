//! Reading capture files: classic pcap through libpcap, pcapng (any mix of link types),
//! gzip-compressed captures and standard input through `pcap-file`.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use pcap_file::pcapng::{Block, PcapNgReader};
use thiserror::Error;

use crate::decode::{LinkType, RawPacket, Timestamp};

#[derive(Debug, Error)]
pub enum CaptureError {
    /// Not named `source`: thiserror would make it the error's source, and `{:#}` (how main
    /// prints errors) would then print the reason twice.
    #[error("{path}: {err}")]
    Open { path: String, err: io::Error },
    #[error("{path}: not a capture file (starts with {magic}); expected pcap or pcapng")]
    NotACapture { path: String, magic: String },
    #[error("{path}: empty file, not a capture")]
    Empty { path: String },
    #[error("{path}: {msg}")]
    Format { path: String, msg: String },
    /// The file ends inside a packet record: what came before was read.
    #[error("{path}: truncated: {msg}")]
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

/// Per-interface facts a pcapng packet needs.
#[derive(Debug, Clone, Copy)]
struct Iface {
    linktype: LinkType,
    /// Timestamp units per second (if_tsresol), default 10^6.
    units_per_sec: u64,
}

enum Inner {
    Libpcap {
        cap: pcap::Capture<pcap::Offline>,
        linktype: LinkType,
    },
    PcapNg {
        reader: Box<PcapNgReader<Box<dyn Read + Send>>>,
        ifaces: Vec<Iface>,
        buf: Vec<u8>,
    },
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
            let reader = PcapNgReader::new(Box::new(r) as Box<dyn Read + Send>)
                .map_err(|e| fmt_err(format!("pcapng: {e}")))?;
            let ifaces = reader.interfaces().iter().map(|i| iface_of(i)).collect();
            Inner::PcapNg {
                reader: Box::new(reader),
                ifaces,
                buf: Vec::new(),
            }
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
        self.consumed
    }

    /// The link type of the file header (pcap) or of the first interface (pcapng).
    pub fn linktype(&self) -> Option<LinkType> {
        match &self.inner {
            Inner::Libpcap { linktype, .. } => Some(*linktype),
            Inner::PcapNg { ifaces, .. } => ifaces.first().map(|i| i.linktype),
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
            Inner::PcapNg {
                reader,
                ifaces,
                buf,
            } => loop {
                let block = match reader.next_block() {
                    None => return Ok(None),
                    Some(Err(e)) => return Err(stream_error(path, e)),
                    Some(Ok(b)) => b,
                };
                match block {
                    Block::SectionHeader(_) => ifaces.clear(),
                    Block::InterfaceDescription(idb) => ifaces.push(iface_of(&idb)),
                    Block::EnhancedPacket(epb) => {
                        let Some(iface) = ifaces.get(epb.interface_id as usize).copied() else {
                            return Err(CaptureError::Format {
                                path: path.clone(),
                                msg: format!(
                                    "pcapng: packet for undeclared interface {}",
                                    epb.interface_id
                                ),
                            });
                        };
                        // pcap-file hands back the raw 64-bit timestamp in a Duration's
                        // nanoseconds; the interface's if_tsresol says what a unit is.
                        let ticks = epb.timestamp.as_nanos() as u64;
                        let ts = ticks_to_ts(ticks, iface.units_per_sec);
                        self.consumed += 32 + epb.data.len() as u64;
                        let orig_len = epb.original_len;
                        let data = keep(buf, epb.data);
                        return Ok(Some(RawPacket {
                            ts,
                            linktype: iface.linktype,
                            data,
                            orig_len,
                        }));
                    }
                    Block::SimplePacket(spb) => {
                        let Some(iface) = ifaces.first().copied() else {
                            continue;
                        };
                        self.consumed += 16 + spb.data.len() as u64;
                        let orig_len = spb.original_len;
                        let data = keep(buf, spb.data);
                        return Ok(Some(RawPacket {
                            ts: Timestamp(0),
                            linktype: iface.linktype,
                            data,
                            orig_len,
                        }));
                    }
                    Block::Packet(pb) => {
                        let Some(iface) = ifaces.get(usize::from(pb.interface_id)).copied() else {
                            continue;
                        };
                        let ts = ticks_to_ts(pb.timestamp, iface.units_per_sec);
                        self.consumed += 32 + pb.data.len() as u64;
                        let orig_len = pb.original_len;
                        let data = keep(buf, pb.data);
                        return Ok(Some(RawPacket {
                            ts,
                            linktype: iface.linktype,
                            data,
                            orig_len,
                        }));
                    }
                    _ => {}
                }
            },
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

/// Copies a block's bytes into the reader's reusable buffer (pcap-file returns a `Cow` tied to
/// its own buffer; the copy keeps the borrow simple and allocates only when a frame is larger
/// than any before).
fn keep<'a>(buf: &'a mut Vec<u8>, data: Cow<'_, [u8]>) -> &'a [u8] {
    buf.clear();
    buf.extend_from_slice(&data);
    buf
}

fn iface_of(
    idb: &pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock,
) -> Iface {
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
    let mut units_per_sec = 1_000_000u64;
    for o in &idb.options {
        if let InterfaceDescriptionOption::IfTsResol(r) = o {
            units_per_sec = if r & 0x80 == 0 {
                10u64.checked_pow(u32::from(*r)).unwrap_or(1_000_000)
            } else {
                1u64.checked_shl(u32::from(r & 0x7f)).unwrap_or(1_000_000)
            };
        }
    }
    Iface {
        linktype: LinkType(u32::from(idb.linktype)),
        units_per_sec: units_per_sec.max(1),
    }
}

fn ticks_to_ts(ticks: u64, units_per_sec: u64) -> Timestamp {
    let secs = ticks / units_per_sec;
    let frac = ticks % units_per_sec;
    let nanos = (u128::from(frac) * 1_000_000_000 / u128::from(units_per_sec)) as i64;
    Timestamp::from_secs_nanos(secs as i64, nanos)
}

fn stream_error(path: &str, e: pcap_file::PcapError) -> CaptureError {
    let msg = e.to_string();
    match e {
        pcap_file::PcapError::IncompleteBuffer => CaptureError::Truncated {
            path: path.to_string(),
            msg: "the file ends inside a packet record".into(),
        },
        pcap_file::PcapError::IoError(ref io) if io.kind() == io::ErrorKind::UnexpectedEof => {
            CaptureError::Truncated {
                path: path.to_string(),
                msg: "the file ends inside a packet record".into(),
            }
        }
        _ => CaptureError::Format {
            path: path.to_string(),
            msg,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_units_convert_to_nanoseconds() {
        assert_eq!(ticks_to_ts(1_500_000, 1_000_000), Timestamp(1_500_000_000));
        assert_eq!(
            ticks_to_ts(1_500_000_000, 1_000_000_000),
            Timestamp(1_500_000_000)
        );
        assert_eq!(ticks_to_ts(3, 2), Timestamp(1_500_000_000));
    }

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
