//! A frame's bytes again, by its number, for the layers view: synack does not keep every
//! packet's bytes, so a file is read again (through a sparse index of byte offsets, so that
//! frame N of a big file is found without reading the N-1 before it) and a live capture keeps
//! a bounded ring of its newest frames.
//!
//! The reading happens on its own thread ([`Fetcher`]): the UI sends a frame number and
//! picks the answer up when it comes, and never waits for a disk.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use super::file::FileReader;
use super::pcapng::ticks_to_ts;
use crate::decode::layers::{Frame, FrameMeta};
use crate::decode::LinkType;
use crate::time::Timestamp;

/// Why a frame's bytes cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Live: older than the ring holds.
    NotHeld,
    /// The source cannot be read again (standard input), and why.
    Unavailable(String),
    /// Reading the file again failed, or it has no such frame.
    Failed(String),
}

// ---------------------------------------------------------------------------------------
// The live ring.

/// The newest frames of a live capture, at most `max_frames` of them and `max_bytes` of
/// captured bytes. The capture thread pushes (a lock held for one copy); the fetcher copies a
/// frame out.
pub struct FrameRing {
    inner: Mutex<RingInner>,
    max_frames: usize,
    max_bytes: usize,
}

struct RingInner {
    frames: VecDeque<Frame>,
    bytes: usize,
}

impl FrameRing {
    /// Frames and bytes the TUI's live capture keeps.
    pub const FRAMES: usize = 4096;
    pub const BYTES: usize = 8 << 20;

    pub fn new(max_frames: usize, max_bytes: usize) -> FrameRing {
        FrameRing {
            inner: Mutex::new(RingInner {
                frames: VecDeque::new(),
                bytes: 0,
            }),
            max_frames: max_frames.max(1),
            max_bytes,
        }
    }

    /// Keeps a copy of a frame just read, forgetting the oldest beyond the bounds (their
    /// buffers are reused, so a full ring allocates nothing).
    pub fn push(&self, meta: FrameMeta, data: &[u8]) {
        // A poisoned lock means a panic elsewhere, reported there; the ring just stops.
        let Ok(mut r) = self.inner.lock() else { return };
        let mut spare = None;
        while r.frames.len() >= self.max_frames
            || (!r.frames.is_empty() && r.bytes + data.len() > self.max_bytes)
        {
            let Some(old) = r.frames.pop_front() else {
                break;
            };
            r.bytes -= old.data.len();
            spare = Some(old.data);
        }
        let mut buf = spare.unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(data);
        r.bytes += buf.len();
        r.frames.push_back(Frame { meta, data: buf });
    }

    /// Frame `n`, if still held.
    pub fn get(&self, n: u64) -> Result<Frame, FrameError> {
        let r = self
            .inner
            .lock()
            .map_err(|_| FrameError::Failed("the frame ring is gone".into()))?;
        // Frame numbers rise through the ring: the first one says where `n` would be.
        let first = r.frames.front().map_or(0, |f| f.meta.number);
        let at = n.checked_sub(first).and_then(|i| usize::try_from(i).ok());
        match at.and_then(|i| r.frames.get(i)) {
            Some(f) if f.meta.number == n => Ok(f.clone()),
            _ => r
                .frames
                .iter()
                .find(|f| f.meta.number == n)
                .cloned()
                .ok_or(FrameError::NotHeld),
        }
    }

    /// Frames and bytes held now.
    pub fn held(&self) -> (usize, usize) {
        self.inner
            .lock()
            .map_or((0, 0), |r| (r.frames.len(), r.bytes))
    }
}

// ---------------------------------------------------------------------------------------
// Files, through a sparse index.

/// An index entry every this many frames.
pub const INDEX_EVERY: u64 = 1024;

/// A pcapng section's state at some offset: its byte order and the interfaces so far.
#[derive(Debug, Clone, Default)]
struct NgState {
    little_endian: bool,
    ifaces: Vec<NgIface>,
}

#[derive(Debug, Clone)]
struct NgIface {
    linktype: LinkType,
    units_per_sec: u64,
    name: Option<String>,
}

#[derive(Debug, Clone)]
enum Format {
    Pcap {
        little_endian: bool,
        nanos: bool,
        /// 16, or 24 in Kuznetzov's modified pcap.
        record_header: u64,
        linktype: LinkType,
    },
    PcapNg,
}

/// Where frame `frame` starts: its record's (or the block before it's) byte offset.
#[derive(Debug, Clone)]
struct Mark {
    frame: u64,
    offset: u64,
    ng: Arc<NgState>,
}

/// A seekable capture read again by frame number.
pub struct Indexed<R> {
    r: BufReader<R>,
    format: Format,
    /// Marks every [`INDEX_EVERY`] frames, as far as the file has been walked.
    index: Vec<Mark>,
    /// How far the walk has gone: the next frame's mark (the frontier).
    frontier: Mark,
    /// Reached the end (or a damaged record) at the frontier.
    ended: bool,
    pos: u64,
}

fn u16_at(b: &[u8], at: usize, le: bool) -> u16 {
    let s = [b[at], b[at + 1]];
    if le {
        u16::from_le_bytes(s)
    } else {
        u16::from_be_bytes(s)
    }
}

fn u32_at(b: &[u8], at: usize, le: bool) -> u32 {
    let s = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if le {
        u32::from_le_bytes(s)
    } else {
        u32::from_be_bytes(s)
    }
}

/// Bigger records are not packets; a length above it ends the walk as a damaged file.
const MAX_RECORD: u64 = 64 << 20;

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

impl<R: Read + Seek> Indexed<R> {
    /// Reads the file header of a pcap or pcapng in `r`.
    pub fn new(r: R) -> io::Result<Indexed<R>> {
        let mut r = BufReader::with_capacity(1 << 16, r);
        let mut magic = [0u8; 4];
        r.read_exact(&mut magic)?;
        let (format, start) = match magic {
            [0x0a, 0x0d, 0x0d, 0x0a] => (Format::PcapNg, 0),
            _ => {
                let mut rest = [0u8; 20];
                r.read_exact(&mut rest)?;
                let m = u32::from_le_bytes(magic);
                let (little_endian, nanos, record_header) = match m {
                    0xa1b2c3d4 => (true, false, 16),
                    0xd4c3b2a1 => (false, false, 16),
                    0xa1b23c4d => (true, true, 16),
                    0x4d3cb2a1 => (false, true, 16),
                    0xa1b2cd34 => (true, false, 24),
                    0x34cdb2a1 => (false, false, 24),
                    _ => return Err(bad("not a pcap or pcapng file")),
                };
                // LT_LINKTYPE: the low 26 bits (the rest carry FCS information).
                let lt = u32_at(&rest, 16, little_endian) & 0x03ff_ffff;
                (
                    Format::Pcap {
                        little_endian,
                        nanos,
                        record_header,
                        linktype: LinkType(lt),
                    },
                    24,
                )
            }
        };
        r.seek(SeekFrom::Start(start))?;
        let frontier = Mark {
            frame: 1,
            offset: start,
            ng: Arc::new(NgState::default()),
        };
        Ok(Indexed {
            r,
            format,
            index: vec![frontier.clone()],
            frontier,
            ended: false,
            pos: start,
        })
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.r.read_exact(buf)?;
        self.pos += buf.len() as u64;
        Ok(())
    }

    fn skip(&mut self, n: u64) -> io::Result<()> {
        let n = i64::try_from(n).map_err(|_| bad("a record too long"))?;
        self.r.seek_relative(n)?;
        self.pos += n as u64;
        Ok(())
    }

    /// Frames walked so far (the index covers them).
    pub fn indexed(&self) -> u64 {
        self.frontier.frame - 1
    }

    /// Index entries made so far.
    pub fn marks(&self) -> usize {
        self.index.len()
    }

    /// Frame `n` (1-based).
    pub fn frame(&mut self, n: u64) -> Result<Frame, FrameError> {
        if n == 0 {
            return Err(FrameError::Failed("frame 0 does not exist".into()));
        }
        // From the frontier if n is beyond it, else from the last mark at or before n.
        let mut at = if self.frontier.frame <= n {
            if self.ended {
                return Err(self.past_end());
            }
            self.frontier.clone()
        } else {
            let i = self
                .index
                .partition_point(|m| m.frame <= n)
                .saturating_sub(1);
            self.index[i].clone()
        };
        // One absolute seek a request (it empties the buffer); relative ones after it.
        self.r
            .seek(SeekFrom::Start(at.offset))
            .map_err(|e| FrameError::Failed(e.to_string()))?;
        self.pos = at.offset;
        loop {
            match self.next_record(&mut at.ng, at.frame == n) {
                Err(e) => {
                    self.note_end(&at);
                    return Err(FrameError::Failed(format!("frame {}: {e}", at.frame)));
                }
                Ok(None) => {
                    self.note_end(&at);
                    return Err(self.past_end());
                }
                Ok(Some(None)) => at.offset = self.pos,
                Ok(Some(Some(data))) => {
                    let this = at.frame;
                    at.frame += 1;
                    at.offset = self.pos;
                    if at.frame > self.frontier.frame && (at.frame - 1) % INDEX_EVERY == 0 {
                        self.index.push(at.clone());
                    }
                    if this == n {
                        self.advance(&at);
                        return data
                            .map(|mut f| {
                                f.meta.number = n;
                                f
                            })
                            .ok_or_else(|| FrameError::Failed("frame not read".into()));
                    }
                }
            }
            self.advance(&at);
        }
    }

    /// The walk has gone as far as `at`: move the frontier there if that is further.
    fn advance(&mut self, at: &Mark) {
        if (at.frame, at.offset) > (self.frontier.frame, self.frontier.offset) {
            self.frontier = at.clone();
        }
    }

    /// The walk ended (end of file or a damaged record) at `at`.
    fn note_end(&mut self, at: &Mark) {
        if at.frame >= self.frontier.frame {
            self.frontier = at.clone();
            self.ended = true;
        }
    }

    fn past_end(&self) -> FrameError {
        FrameError::Failed(format!("the file has {} frames", self.frontier.frame - 1))
    }

    /// One record: `Ok(None)` at the end of the file; `Ok(Some(None))` a block that is not a
    /// packet; `Ok(Some(Some(_)))` a packet, with its bytes when `want` (else `None` inside:
    /// skipped, and `Some(Some(None))` still counts as a frame).
    #[allow(clippy::type_complexity)]
    fn next_record(
        &mut self,
        ng: &mut Arc<NgState>,
        want: bool,
    ) -> io::Result<Option<Option<Option<Frame>>>> {
        match self.format.clone() {
            Format::Pcap {
                little_endian: le,
                nanos,
                record_header,
                linktype,
            } => {
                let mut h = [0u8; 24];
                let hl = record_header as usize;
                match self.r.read_exact(&mut h[..hl]) {
                    Ok(()) => self.pos += record_header,
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
                    Err(e) => return Err(e),
                }
                let (secs, frac) = (u32_at(&h, 0, le), u32_at(&h, 4, le));
                let (caplen, len) = (u32_at(&h, 8, le), u32_at(&h, 12, le));
                if u64::from(caplen) > MAX_RECORD {
                    return Err(bad(format!("a record of {caplen} bytes")));
                }
                if !want {
                    self.skip(u64::from(caplen))?;
                    return Ok(Some(Some(None)));
                }
                let mut data = vec![0u8; caplen as usize];
                self.read_exact(&mut data)?;
                let nanos = if nanos {
                    frac
                } else {
                    frac.saturating_mul(1000)
                };
                Ok(Some(Some(Some(Frame {
                    meta: FrameMeta {
                        number: 0,
                        ts: Timestamp::from_secs_nanos(i64::from(secs), i64::from(nanos)),
                        linktype,
                        orig_len: len,
                        interface: None,
                    },
                    data,
                }))))
            }
            Format::PcapNg => self.next_block(ng, want),
        }
    }

    #[allow(clippy::type_complexity)]
    fn next_block(
        &mut self,
        ng: &mut Arc<NgState>,
        want: bool,
    ) -> io::Result<Option<Option<Option<Frame>>>> {
        let mut h = [0u8; 8];
        match self.r.read_exact(&mut h) {
            Ok(()) => self.pos += 8,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        if h[..4] == [0x0a, 0x0d, 0x0d, 0x0a] {
            // A section header: its byte-order magic says how to read everything after.
            let mut bom = [0u8; 4];
            self.read_exact(&mut bom)?;
            let le = match bom {
                [0x4d, 0x3c, 0x2b, 0x1a] => true,
                [0x1a, 0x2b, 0x3c, 0x4d] => false,
                _ => return Err(bad("pcapng: bad byte-order magic")),
            };
            let len = u64::from(u32_at(&h, 4, le));
            if !(28..=MAX_RECORD).contains(&len) {
                return Err(bad(format!("pcapng: a section header of {len} bytes")));
            }
            *ng = Arc::new(NgState {
                little_endian: le,
                ifaces: Vec::new(),
            });
            self.skip(len - 12)?;
            return Ok(Some(None));
        }
        let le = ng.little_endian;
        let kind = u32_at(&h, 0, le);
        let len = u64::from(u32_at(&h, 4, le));
        if !(12..=MAX_RECORD).contains(&len) || len % 4 != 0 {
            return Err(bad(format!("pcapng: a block of {len} bytes")));
        }
        let body_len = len - 12;
        // Only the blocks that matter are read; the rest (and the trailing length) skipped.
        let read_body = matches!(kind, 1) || (want && matches!(kind, 2 | 3 | 6));
        let head_len = match kind {
            2 | 6 => 20,
            3 => 4,
            _ => 0,
        };
        let mut body = vec![
            0u8;
            if read_body {
                body_len
            } else {
                head_len.min(body_len)
            } as usize
        ];
        self.read_exact(&mut body)?;
        self.skip(len - 8 - body.len() as u64)?;
        let iface_of = |ng: &NgState, id: usize| ng.ifaces.get(id).cloned();
        let packet = match kind {
            1 if body.len() >= 8 => {
                let mut i = NgIface {
                    linktype: LinkType(u32::from(u16_at(&body, 0, le))),
                    units_per_sec: 1_000_000,
                    name: None,
                };
                // Options: code, length, value padded to 4.
                let mut at = 8;
                while at + 4 <= body.len() {
                    let code = u16_at(&body, at, le);
                    let olen = usize::from(u16_at(&body, at + 2, le));
                    let Some(v) = body.get(at + 4..at + 4 + olen) else {
                        break;
                    };
                    match code {
                        0 => break,
                        2 => i.name = Some(String::from_utf8_lossy(v).into_owned()),
                        9 if olen == 1 => {
                            let r = v[0];
                            i.units_per_sec = if r & 0x80 == 0 {
                                10u64.checked_pow(u32::from(r)).unwrap_or(1_000_000)
                            } else {
                                1u64.checked_shl(u32::from(r & 0x7f)).unwrap_or(1_000_000)
                            }
                            .max(1);
                        }
                        _ => {}
                    }
                    at += 4 + ((olen + 3) & !3);
                }
                Arc::make_mut(ng).ifaces.push(i);
                return Ok(Some(None));
            }
            // Enhanced packet: counted as a frame whatever its interface (the reader stops
            // at an undeclared one, so no later frame exists).
            6 if body.len() >= 20 => {
                let id = u32_at(&body, 0, le) as usize;
                Some((
                    iface_of(ng, id),
                    id,
                    u32_at(&body, 16, le),
                    u32_at(&body, 12, le),
                ))
                .map(|(i, id, orig, cap)| (i, id, orig, cap, true))
            }
            // Simple packet: interface 0; no frame without one.
            3 if body.len() >= 4 => {
                let Some(i) = iface_of(ng, 0) else {
                    return Ok(Some(None));
                };
                let orig = u32_at(&body, 0, le);
                let cap = orig.min(body_len.saturating_sub(4) as u32);
                Some((Some(i), 0, orig, cap, false))
            }
            // Obsolete packet block: a frame when its interface is declared.
            2 if body.len() >= 20 => {
                let id = usize::from(u16_at(&body, 0, le));
                let Some(i) = iface_of(ng, id) else {
                    return Ok(Some(None));
                };
                Some((
                    Some(i),
                    id,
                    u32_at(&body, 16, le),
                    u32_at(&body, 12, le),
                    true,
                ))
            }
            2 | 3 | 6 => return Err(bad("pcapng: a packet block too short")),
            _ => None,
        };
        let Some((iface, id, orig_len, caplen, has_ts)) = packet else {
            return Ok(Some(None));
        };
        if !want {
            return Ok(Some(Some(None)));
        }
        let Some(iface) = iface else {
            return Err(bad(format!("pcapng: packet for undeclared interface {id}")));
        };
        let start = if kind == 3 { 4 } else { 20 };
        let end = (start + caplen as usize).min(body.len());
        let ts = if has_ts {
            let ticks = (u64::from(u32_at(&body, 4, le)) << 32) | u64::from(u32_at(&body, 8, le));
            ticks_to_ts(ticks, iface.units_per_sec)
        } else {
            Timestamp(0)
        };
        Ok(Some(Some(Some(Frame {
            meta: FrameMeta {
                number: 0,
                ts,
                linktype: iface.linktype,
                orig_len,
                interface: Some(iface.name.clone().unwrap_or_else(|| format!("#{id}"))),
            },
            data: body.get(start..end).unwrap_or(&[]).to_vec(),
        }))))
    }
}

// ---------------------------------------------------------------------------------------
// Where the fetcher reads.

/// Where a source's frames can be found again.
pub enum FrameSource {
    /// A plain file on disk.
    File(Box<Indexed<File>>),
    /// The demo or a lesson, embedded in the binary.
    Memory(Box<Indexed<io::Cursor<&'static [u8]>>>),
    /// A compressed file: no offsets to seek to, so it is read again from the start (and on
    /// from the last frame asked for).
    Sequential {
        path: String,
        reader: Option<(FileReader, u64)>,
    },
    /// A live capture's ring.
    Ring(Arc<FrameRing>),
    /// Cannot be read again, and why.
    None(String),
}

impl FrameSource {
    /// The file at `path` (`-`: standard input, which cannot be read again).
    pub fn file(path: &str) -> FrameSource {
        if path == "-" {
            return FrameSource::None("standard input is not kept".into());
        }
        let compressed = FileReader::open(path).map(|r| r.compressed());
        match compressed {
            Ok(true) => FrameSource::Sequential {
                path: path.to_string(),
                reader: None,
            },
            _ => match File::open(path).and_then(Indexed::new) {
                Ok(i) => FrameSource::File(Box::new(i)),
                Err(e) => FrameSource::None(format!("{}: {e}", crate::escape::escape(path))),
            },
        }
    }

    pub fn memory(bytes: &'static [u8]) -> FrameSource {
        match Indexed::new(io::Cursor::new(bytes)) {
            Ok(i) => FrameSource::Memory(Box::new(i)),
            Err(e) => FrameSource::None(e.to_string()),
        }
    }

    /// Frame `n`: this may read a file (the fetcher's thread calls it).
    pub fn frame(&mut self, n: u64) -> Result<Frame, FrameError> {
        match self {
            FrameSource::File(i) => i.frame(n),
            FrameSource::Memory(i) => i.frame(n),
            FrameSource::Ring(r) => r.get(n),
            FrameSource::None(why) => Err(FrameError::Unavailable(why.clone())),
            FrameSource::Sequential { path, reader } => {
                if reader.as_ref().is_none_or(|(_, next)| *next > n) {
                    let r =
                        FileReader::open(path).map_err(|e| FrameError::Failed(e.to_string()))?;
                    *reader = Some((r, 1));
                }
                let Some((r, next)) = reader.as_mut() else {
                    return Err(FrameError::Failed("cannot open the file".into()));
                };
                loop {
                    let this = *next;
                    match r.next_packet() {
                        Ok(Some(p)) => {
                            *next += 1;
                            if this == n {
                                return Ok(Frame {
                                    meta: FrameMeta {
                                        number: n,
                                        ts: p.ts,
                                        linktype: p.linktype,
                                        orig_len: p.orig_len,
                                        interface: None,
                                    },
                                    data: p.data.to_vec(),
                                });
                            }
                        }
                        Ok(None) => {
                            return Err(FrameError::Failed(format!(
                                "the file has {} frames",
                                this - 1
                            )))
                        }
                        Err(e) => return Err(FrameError::Failed(e.to_string())),
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The fetcher's thread.

/// A frame asked for and what came of it.
pub type Fetched = (u64, Result<Frame, FrameError>);

/// A thread that reads frames by number from a [`FrameSource`]: ask with [`Fetcher::request`],
/// look for the answer with [`Fetcher::try_take`]. Neither waits.
pub struct Fetcher {
    tx: Sender<u64>,
    rx: Receiver<Fetched>,
    /// No thread could be started: each request is answered at once with why.
    failed: Option<(Sender<Fetched>, String)>,
}

impl Fetcher {
    /// Starts the thread; it opens its source with `open` (opening a file is I/O too).
    pub fn spawn(open: impl FnOnce() -> FrameSource + Send + 'static) -> Fetcher {
        let (tx, req) = mpsc::channel::<u64>();
        let (resp, rx) = mpsc::channel();
        let answer = resp.clone();
        let started = std::thread::Builder::new()
            .name("synack-frames".into())
            .spawn(move || {
                let mut source = open();
                while let Ok(mut n) = req.recv() {
                    // Only the newest request matters: the user has moved on from the rest.
                    while let Ok(m) = req.try_recv() {
                        n = m;
                    }
                    if resp.send((n, source.frame(n))).is_err() {
                        return;
                    }
                }
            });
        let failed = started
            .err()
            .map(|e| (answer, format!("cannot start a thread: {e}")));
        Fetcher { tx, rx, failed }
    }

    /// Asks for frame `n`.
    pub fn request(&self, n: u64) {
        if let Some((answer, why)) = &self.failed {
            let _ = answer.send((n, Err(FrameError::Unavailable(why.clone()))));
            return;
        }
        let _ = self.tx.send(n);
    }

    /// An answer, if one has come.
    pub fn try_take(&self) -> Option<Fetched> {
        self.rx.try_recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(n: u64) -> FrameMeta {
        FrameMeta {
            number: n,
            ts: Timestamp(n as i64),
            linktype: LinkType::ETHERNET,
            orig_len: 100,
            interface: None,
        }
    }

    #[test]
    fn the_ring_keeps_the_newest_frames_within_its_bounds() {
        let ring = FrameRing::new(4, 1000);
        for n in 1..=10 {
            ring.push(meta(n), &[n as u8; 100]);
        }
        assert_eq!(ring.held(), (4, 400));
        assert_eq!(ring.get(6), Err(FrameError::NotHeld));
        assert_eq!(ring.get(7).unwrap().data, vec![7u8; 100]);
        assert_eq!(ring.get(10).unwrap().meta.number, 10);
        assert_eq!(ring.get(11), Err(FrameError::NotHeld));
        // The byte bound: three frames of 300 bytes fill 1000 no further.
        for n in 11..=14 {
            ring.push(meta(n), &[0; 300]);
        }
        assert_eq!(ring.held(), (3, 900));
        assert_eq!(ring.get(11), Err(FrameError::NotHeld));
        assert!(ring.get(12).is_ok());
    }

    #[test]
    fn a_frame_bigger_than_the_byte_bound_is_still_kept_alone() {
        let ring = FrameRing::new(8, 10);
        ring.push(meta(1), &[1; 5]);
        ring.push(meta(2), &[2; 50]);
        assert_eq!(ring.held(), (1, 50));
        assert!(ring.get(2).is_ok());
    }
}
