//! pcapng, block by block: pcap-file's parser on a buffer of our own, so that a block is read
//! whatever its size (pcap-file's reader stops at 8,000,000 bytes and calls the rest a cut
//! file) up to a bound that keeps a hostile length from taking the memory, and so that a
//! section of a version this reader does not know is refused, as libpcap and tshark do.

use std::io::{self, Read};

use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{Endianness, PcapError};

use super::file::CaptureError;
use crate::decode::{LinkType, RawPacket};
use crate::time::Timestamp;

/// The largest block read. Packets this big do not exist on any link synack decodes; a block
/// length above it is a damaged or hostile file.
pub const MAX_BLOCK: usize = 64 << 20;
/// Bytes read from the input at a time.
const CHUNK: usize = 1 << 16;

/// Per-interface facts a packet needs.
#[derive(Debug, Clone, Copy)]
struct Iface {
    linktype: LinkType,
    /// Timestamp units per second (if_tsresol), default 10^6.
    units_per_sec: u64,
}

pub struct NgReader {
    src: Box<dyn Read + Send>,
    parser: PcapNgParser,
    /// Bytes read and not yet parsed are `buf[pos..]`.
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    ifaces: Vec<Iface>,
    /// The current packet's bytes.
    pkt: Vec<u8>,
    /// Bytes of blocks parsed so far.
    pub consumed: u64,
}

fn format_err(path: &str, msg: String) -> CaptureError {
    CaptureError::Format {
        path: path.to_string(),
        msg,
    }
}

fn truncated(path: &str) -> CaptureError {
    CaptureError::Truncated {
        path: path.to_string(),
        msg: "the file ends inside a packet record".into(),
    }
}

fn check_version(path: &str, major: u16, minor: u16) -> Result<(), CaptureError> {
    if major == 1 {
        Ok(())
    } else {
        Err(format_err(
            path,
            format!("pcapng: unsupported version {major}.{minor} (synack reads version 1)"),
        ))
    }
}

/// Reads more input into `buf` (keeping `buf[pos..]`), until it holds `want` unparsed bytes
/// or the input ends.
fn fill(
    src: &mut dyn Read,
    buf: &mut Vec<u8>,
    pos: &mut usize,
    eof: &mut bool,
    want: usize,
) -> io::Result<()> {
    buf.drain(..*pos);
    *pos = 0;
    while buf.len() < want && !*eof {
        let start = buf.len();
        buf.resize(start + CHUNK.max(want - start), 0);
        let n = loop {
            match src.read(&mut buf[start..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r,
            }
        };
        match n {
            Ok(n) => {
                buf.truncate(start + n);
                *eof = n == 0;
            }
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
        }
    }
    Ok(())
}

/// The total length a block header announces (its second 32-bit word), in `endianness`.
fn block_len(b: &[u8], endianness: Endianness) -> Option<usize> {
    let w: [u8; 4] = b.get(4..8)?.try_into().ok()?;
    Some(match endianness {
        Endianness::Big => u32::from_be_bytes(w),
        Endianness::Little => u32::from_le_bytes(w),
    } as usize)
}

impl NgReader {
    /// Reads the first section header block of `src`.
    pub fn open(path: &str, mut src: Box<dyn Read + Send>) -> Result<NgReader, CaptureError> {
        let (mut buf, mut pos, mut eof) = (Vec::new(), 0, false);
        let io_err = |e: io::Error| format_err(path, format!("pcapng: {e}"));
        let mut want = CHUNK;
        let (parser, used) = loop {
            fill(&mut *src, &mut buf, &mut pos, &mut eof, want).map_err(io_err)?;
            match PcapNgParser::new(&buf) {
                Ok((rem, p)) => break (p, buf.len() - rem.len()),
                Err(PcapError::IncompleteBuffer) if !eof && want < MAX_BLOCK => want *= 4,
                Err(PcapError::IncompleteBuffer) => return Err(truncated(path)),
                Err(e) => return Err(format_err(path, format!("pcapng: {e}"))),
            }
        };
        let s = parser.section();
        check_version(path, s.major_version, s.minor_version)?;
        Ok(NgReader {
            src,
            parser,
            buf,
            pos: used,
            eof,
            ifaces: Vec::new(),
            pkt: Vec::new(),
            consumed: used as u64,
        })
    }

    /// The link type of the first interface.
    pub fn linktype(&self) -> Option<LinkType> {
        self.ifaces.first().map(|i| i.linktype)
    }

    /// The next packet, `Ok(None)` at the end of the file.
    pub fn next_packet(&mut self, path: &str) -> Result<Option<RawPacket<'_>>, CaptureError> {
        loop {
            let rest = &self.buf[self.pos..];
            let (used, packet) = match self.parser.next_block(rest) {
                Ok((rem, block)) => {
                    let used = rest.len() - rem.len();
                    let packet = take(block, &mut self.ifaces, &mut self.pkt, path)?;
                    (used, packet)
                }
                Err(PcapError::IncompleteBuffer) => {
                    if rest.is_empty() && self.eof {
                        return Ok(None);
                    }
                    let need = block_len(rest, self.parser.section().endianness)
                        .unwrap_or(8)
                        .max(rest.len() + 1);
                    if need > MAX_BLOCK {
                        return Err(format_err(
                            path,
                            format!("pcapng: a block of {need} bytes (synack reads blocks up to {MAX_BLOCK} bytes)"),
                        ));
                    }
                    if self.eof {
                        return Err(truncated(path));
                    }
                    fill(
                        &mut *self.src,
                        &mut self.buf,
                        &mut self.pos,
                        &mut self.eof,
                        need,
                    )
                    .map_err(|e| format_err(path, format!("pcapng: {e}")))?;
                    continue;
                }
                Err(e) => return Err(format_err(path, format!("{e}"))),
            };
            self.pos += used;
            self.consumed += used as u64;
            if let Some((ts, linktype, orig_len)) = packet {
                return Ok(Some(RawPacket {
                    ts,
                    linktype,
                    data: &self.pkt,
                    orig_len,
                }));
            }
        }
    }
}

/// What a block means: interfaces are noted, packets copied into `pkt` and described as
/// (time, link type, length on the wire); other blocks are skipped.
fn take(
    block: Block<'_>,
    ifaces: &mut Vec<Iface>,
    pkt: &mut Vec<u8>,
    path: &str,
) -> Result<Option<(Timestamp, LinkType, u32)>, CaptureError> {
    let mut keep = |data: &[u8]| {
        pkt.clear();
        pkt.extend_from_slice(data);
    };
    match block {
        Block::SectionHeader(shb) => {
            check_version(path, shb.major_version, shb.minor_version)?;
            ifaces.clear();
            Ok(None)
        }
        Block::InterfaceDescription(idb) => {
            ifaces.push(iface_of(&idb));
            Ok(None)
        }
        Block::EnhancedPacket(epb) => {
            let Some(iface) = ifaces.get(epb.interface_id as usize).copied() else {
                return Err(format_err(
                    path,
                    format!(
                        "pcapng: packet for undeclared interface {}",
                        epb.interface_id
                    ),
                ));
            };
            // pcap-file hands back the raw 64-bit timestamp in a Duration's nanoseconds;
            // the interface's if_tsresol says what a unit is.
            let ticks = epb.timestamp.as_nanos() as u64;
            keep(&epb.data);
            Ok(Some((
                ticks_to_ts(ticks, iface.units_per_sec),
                iface.linktype,
                epb.original_len,
            )))
        }
        Block::SimplePacket(spb) => {
            let Some(iface) = ifaces.first().copied() else {
                return Ok(None);
            };
            keep(&spb.data);
            Ok(Some((Timestamp(0), iface.linktype, spb.original_len)))
        }
        Block::Packet(pb) => {
            let Some(iface) = ifaces.get(usize::from(pb.interface_id)).copied() else {
                return Ok(None);
            };
            keep(&pb.data);
            Ok(Some((
                ticks_to_ts(pb.timestamp, iface.units_per_sec),
                iface.linktype,
                pb.original_len,
            )))
        }
        _ => Ok(None),
    }
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

pub(crate) fn ticks_to_ts(ticks: u64, units_per_sec: u64) -> Timestamp {
    let secs = ticks / units_per_sec;
    let frac = ticks % units_per_sec;
    let nanos = (u128::from(frac) * 1_000_000_000 / u128::from(units_per_sec)) as i64;
    Timestamp::from_secs_nanos(i64::try_from(secs).unwrap_or(i64::MAX), nanos)
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
    fn a_64_bit_timestamp_past_2116_is_clamped_not_wrapped() {
        // Microsecond units (the default) and one unit a second (if_tsresol 0): both
        // overflowed an i64 of nanoseconds; one-a-second also made a negative time.
        assert_eq!(ticks_to_ts(u64::MAX, 1_000_000), Timestamp::MAX);
        assert_eq!(ticks_to_ts(u64::MAX, 1), Timestamp::MAX);
        assert_eq!(ticks_to_ts(1 << 63, 1), Timestamp::MAX);
    }

    /// A little-endian pcapng: SHB (version `major`.0), an Ethernet IDB, and one EPB of
    /// `len` bytes.
    fn pcapng(major: u16, len: usize) -> Vec<u8> {
        let mut f = Vec::new();
        let block = |f: &mut Vec<u8>, kind: u32, body: &[u8]| {
            let total = (12 + body.len()) as u32;
            f.extend(kind.to_le_bytes());
            f.extend(total.to_le_bytes());
            f.extend(body);
            f.extend(total.to_le_bytes());
        };
        let mut shb = Vec::new();
        shb.extend(0x1a2b3c4du32.to_le_bytes());
        shb.extend(major.to_le_bytes());
        shb.extend(0u16.to_le_bytes());
        shb.extend((-1i64).to_le_bytes());
        block(&mut f, 0x0a0d0d0a, &shb);
        let mut idb = Vec::new();
        idb.extend(1u16.to_le_bytes());
        idb.extend(0u16.to_le_bytes());
        idb.extend(0u32.to_le_bytes());
        block(&mut f, 1, &idb);
        let mut epb = Vec::new();
        epb.extend(0u32.to_le_bytes());
        epb.extend(0u32.to_le_bytes());
        epb.extend(1_000_000u32.to_le_bytes());
        epb.extend((len as u32).to_le_bytes());
        epb.extend((len as u32).to_le_bytes());
        epb.extend((0..len).map(|i| i as u8));
        epb.resize(epb.len().next_multiple_of(4), 0);
        block(&mut f, 6, &epb);
        f
    }

    fn read_all(bytes: Vec<u8>) -> Result<Vec<(usize, Timestamp)>, CaptureError> {
        let mut r = NgReader::open("t.pcapng", Box::new(io::Cursor::new(bytes)))?;
        let mut out = Vec::new();
        while let Some(p) = r.next_packet("t.pcapng")? {
            out.push((p.data.len(), p.ts));
        }
        Ok(out)
    }

    #[test]
    fn a_packet_block_of_eight_mib_and_more_is_read() {
        let len = 9 << 20;
        let got = read_all(pcapng(1, len)).unwrap();
        assert_eq!(got, [(len, Timestamp(1_000_000_000))]);
    }

    #[test]
    fn an_unknown_major_version_is_refused() {
        let e = read_all(pcapng(2, 10)).err().unwrap();
        assert_eq!(
            e.to_string(),
            "t.pcapng: pcapng: unsupported version 2.0 (synack reads version 1)"
        );
    }

    #[test]
    fn a_cut_block_is_a_truncation_and_a_huge_length_a_format_error() {
        let mut f = pcapng(1, 100);
        f.truncate(f.len() - 10);
        assert!(matches!(read_all(f), Err(CaptureError::Truncated { .. })));
        let mut f = pcapng(1, 100);
        let at = f.len() - (12 + 20 + 100);
        f[at + 4..at + 8].copy_from_slice(&(200u32 << 20).to_le_bytes());
        let e = read_all(f).err().unwrap();
        assert!(e.to_string().contains("a block of 209715200 bytes"), "{e}");
    }
}
