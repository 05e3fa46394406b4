//! Large captures for benchmarks: many interleaved connections written straight to a pcap
//! stream.
//!
//! The fixture scripts ([`super::conv`]) build every frame with etherparse's `PacketBuilder`
//! and hold the whole capture in memory, which is right for 40-packet fixtures and far too
//! slow for ten million packets. Here each connection is scripted into a small reusable
//! buffer of segments, the open connections are interleaved by time through a heap, and every
//! frame is encoded by hand into one reusable buffer (Ethernet, IPv4 or IPv6, TCP with correct
//! checksums) and written through a `BufWriter`: no allocation per packet.
//!
//! Frames hold the headers only, as a capture cut by a small snaplen would: the record's
//! original length and the IP header declare the real length. The file header's snaplen is
//! 262144 (tcpdump's default) rather than the cut, because `pcap-file` (synack's reader for
//! standard input and gzip) rejects records whose original length exceeds the file's snaplen.
//! Payload bytes are zero, so the TCP checksum of the whole segment is computable without
//! them.
//!
//! Everything is deterministic from the seed.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};

use crate::decode::Flags;

/// What to generate.
#[derive(Debug, Clone)]
pub struct BulkConfig {
    /// Packets to write (exactly).
    pub packets: u64,
    /// Connections to spread them over (approximately: the data runs are sized to hit it).
    pub connections: u64,
    pub seed: u64,
    /// New connections per second of capture time (Poisson arrivals). With TIME_WAIT held for
    /// 2*MSL, this sets how many connections an analyser holds at once.
    pub conn_rate: f64,
    /// Share of connections over IPv6.
    pub ipv6_share: f64,
    /// Capture time of the first connection, seconds since the Unix epoch.
    pub start_secs: u32,
}

impl Default for BulkConfig {
    fn default() -> Self {
        BulkConfig {
            packets: 10_000_000,
            connections: 1_000_000,
            seed: 1,
            conn_rate: 1000.0,
            ipv6_share: 0.3,
            start_secs: 1_709_287_200, // 2024-03-01T10:00:00Z
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkStats {
    pub packets: u64,
    pub connections: u64,
    /// Connections by script kind, in [`Kind::ALL`] order.
    pub by_kind: [u64; Kind::COUNT],
    pub bytes: u64,
    /// Capture time spanned, nanoseconds.
    pub span_ns: i64,
}

/// How a generated connection goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Handshake, request, data runs with delayed ACKs, the client closes first.
    ClientCloses,
    /// The same, the server closes first.
    ServerCloses,
    /// Data, then a RST from either end.
    Reset,
    /// SYN answered by RST+ACK (a closed port).
    Refused,
    /// The SYN is retransmitted (1 s backoff) before the SYN+ACK; then a normal close.
    SynRetransmit,
    /// SYNs never answered (three of them, 1 s and 2 s apart): a connection that never ends.
    SynUnanswered,
    /// The client half-closes after its request; the server keeps sending, then closes.
    HalfClose,
    /// Both FINs cross on the wire (CLOSING on both ends).
    SimultaneousClose,
}

impl Kind {
    pub const COUNT: usize = 8;
    pub const ALL: [Kind; Kind::COUNT] = [
        Kind::ClientCloses,
        Kind::ServerCloses,
        Kind::Reset,
        Kind::Refused,
        Kind::SynRetransmit,
        Kind::SynUnanswered,
        Kind::HalfClose,
        Kind::SimultaneousClose,
    ];
    /// Mix, in percent (sums to 100).
    const WEIGHTS: [u32; Kind::COUNT] = [36, 20, 10, 8, 7, 2, 12, 5];

    pub fn name(self) -> &'static str {
        match self {
            Kind::ClientCloses => "client_closes",
            Kind::ServerCloses => "server_closes",
            Kind::Reset => "reset",
            Kind::Refused => "refused",
            Kind::SynRetransmit => "syn_retransmit",
            Kind::SynUnanswered => "syn_unanswered",
            Kind::HalfClose => "half_close",
            Kind::SimultaneousClose => "simultaneous_close",
        }
    }

    /// Segments the script has besides its data run (for sizing the run).
    fn overhead(self) -> u64 {
        match self {
            Kind::Refused => 2,
            Kind::SynUnanswered => 3,
            Kind::Reset => 5,
            Kind::SynRetransmit => 9,
            _ => 8,
        }
    }
}

/// SplitMix64: small, fast, and good enough to scatter addresses and sizes.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1A4_F87D)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    /// Uniform in `[lo, hi]`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One end of a generated connection: raw address bytes (4 or 16 used) and port.
#[derive(Debug, Clone, Copy)]
struct Addr {
    ip: [u8; 16],
    port: u16,
}

/// One scripted segment, timed in nanoseconds since the capture's start.
#[derive(Debug, Clone, Copy)]
struct Seg {
    t: i64,
    /// 0: client to server, 1: server to client.
    from: u8,
    flags: u8,
    seq: u32,
    ack: u32,
    len: u16,
    win: u16,
}

/// A connection being written: its script and how far it got.
#[derive(Debug, Default)]
struct Script {
    v6: bool,
    ends: [Option<Addr>; 2],
    segs: Vec<Seg>,
    next: usize,
}

const MS: i64 = 1_000_000;
const MSS: u16 = 1448;
const SERVER_PORTS: [u16; 6] = [80, 443, 443, 8080, 22, 5432];

/// Builds one connection's script. Sequence numbers follow each end's sends; ACKs follow what
/// each end has received, so an analyser sees a consistent conversation.
struct Builder<'a> {
    segs: &'a mut Vec<Seg>,
    t: i64,
    next: [u32; 2],
    rcv: [u32; 2],
    win: [u16; 2],
}

impl Builder<'_> {
    fn raw(&mut self, dt: i64, from: usize, flags: u16, seq: u32, ack: u32, len: u16) {
        self.t += dt.max(1000);
        self.segs.push(Seg {
            t: self.t,
            from: from as u8,
            flags: flags as u8,
            seq,
            ack,
            len,
            win: self.win[from],
        });
    }
    fn send(&mut self, dt: i64, from: usize, flags: u16, len: u16) {
        let seq = self.next[from];
        let ack = if flags & Flags::ACK != 0 {
            self.rcv[from]
        } else {
            0
        };
        self.raw(dt, from, flags, seq, ack, len);
        let used = u32::from(len) + u32::from(flags & (Flags::SYN | Flags::FIN) != 0);
        self.next[from] = seq.wrapping_add(used);
        self.rcv[1 - from] = self.next[from];
    }
    /// `n` segments from `from`, back to back, the peer acknowledging every second one and
    /// the last (after a delayed-ACK pause when it is odd), as Linux receivers do.
    fn run(&mut self, rng: &mut Rng, from: usize, n: u64, rtt: i64) {
        let to = 1 - from;
        for i in 0..n {
            let len = if i + 1 == n {
                rng.range(1, u64::from(MSS)) as u16
            } else {
                MSS
            };
            let flags = if i + 1 == n {
                Flags::PSH | Flags::ACK
            } else {
                Flags::ACK
            };
            let gap = if i == 0 {
                rtt / 2
            } else {
                rng.range(20, 400) as i64 * 1000
            };
            self.send(gap, from, flags, len);
            if i % 2 == 1 {
                self.send(rng.range(10, 100) as i64 * 1000, to, Flags::ACK, 0);
            } else if i + 1 == n {
                self.send(40 * MS, to, Flags::ACK, 0);
            }
        }
    }
}

fn pick_kind(rng: &mut Rng) -> Kind {
    let mut x = rng.range(0, 99) as u32;
    for (k, w) in Kind::ALL.iter().zip(Kind::WEIGHTS) {
        if x < w {
            return *k;
        }
        x -= w;
    }
    Kind::ClientCloses
}

/// Scripts one connection of `kind` starting at `t0` whose data runs hold about `data`
/// segments (data and their ACKs).
fn script(rng: &mut Rng, kind: Kind, t0: i64, data: u64, segs: &mut Vec<Seg>) {
    segs.clear();
    const C: usize = 0;
    const S: usize = 1;
    let rtt = rng.range(300, 60_000) as i64 * 1000;
    let (isn_c, isn_s) = (rng.next_u32(), rng.next_u32());
    let mut b = Builder {
        segs,
        t: t0,
        next: [isn_c, isn_s],
        rcv: [isn_s, isn_c],
        win: [64240, 65160],
    };
    // A data run of n segments adds about 1.5 n packets with its ACKs.
    let n = (data * 2).div_ceil(3).max(1);
    b.send(0, C, Flags::SYN, 0);
    match kind {
        Kind::Refused => {
            let ack = b.next[C];
            b.raw(rtt, S, Flags::RST | Flags::ACK, 0, ack, 0);
            return;
        }
        Kind::SynUnanswered => {
            let seq = isn_c;
            b.raw(1000 * MS, C, Flags::SYN, seq, 0, 0);
            b.raw(2000 * MS, C, Flags::SYN, seq, 0, 0);
            return;
        }
        Kind::SynRetransmit => {
            b.raw(1000 * MS, C, Flags::SYN, isn_c, 0, 0);
        }
        _ => {}
    }
    b.send(rtt, S, Flags::SYN | Flags::ACK, 0);
    b.send(rng.range(20, 200) as i64 * 1000, C, Flags::ACK, 0);
    b.send(
        rng.range(50, 500) as i64 * 1000,
        C,
        Flags::PSH | Flags::ACK,
        rng.range(60, 900) as u16,
    );
    match kind {
        Kind::HalfClose => {
            // The request's ACK rides on the client's FIN; the server keeps sending.
            b.send(
                rng.range(50, 500) as i64 * 1000,
                C,
                Flags::FIN | Flags::ACK,
                0,
            );
            b.run(rng, S, n, rtt);
            b.send(rng.range(1, 5) as i64 * MS, S, Flags::FIN | Flags::ACK, 0);
            b.send(rtt, C, Flags::ACK, 0);
        }
        Kind::Reset => {
            b.run(rng, S, n, rtt);
            let from = (rng.next_u32() & 1) as usize;
            let flags = if rng.next_u32() & 1 == 0 {
                Flags::RST
            } else {
                Flags::RST | Flags::ACK
            };
            b.send(rng.range(1, 2000) as i64 * MS, from, flags, 0);
        }
        Kind::ServerCloses => {
            b.run(rng, S, n, rtt);
            b.send(rng.range(1, 50) as i64 * MS, S, Flags::FIN | Flags::ACK, 0);
            b.send(rtt / 2, C, Flags::ACK, 0);
            b.send(rng.range(1, 5) as i64 * MS, C, Flags::FIN | Flags::ACK, 0);
            b.send(rtt / 2, S, Flags::ACK, 0);
        }
        Kind::SimultaneousClose => {
            b.run(rng, S, n, rtt);
            let (cseq, sseq) = (b.next[C], b.next[S]);
            let (cack, sack) = (b.rcv[C], b.rcv[S]);
            let dt = rng.range(1, 50) as i64 * MS;
            b.raw(dt, C, Flags::FIN | Flags::ACK, cseq, cack, 0);
            b.raw(100_000, S, Flags::FIN | Flags::ACK, sseq, sack, 0);
            b.next = [cseq.wrapping_add(1), sseq.wrapping_add(1)];
            b.rcv = [b.next[S], b.next[C]];
            b.send(rtt / 2, C, Flags::ACK, 0);
            b.send(100_000, S, Flags::ACK, 0);
        }
        _ => {
            // ClientCloses and SynRetransmit.
            b.run(rng, S, n, rtt);
            b.send(rng.range(1, 50) as i64 * MS, C, Flags::FIN | Flags::ACK, 0);
            b.send(rtt / 2, S, Flags::ACK, 0);
            b.send(rng.range(1, 5) as i64 * MS, S, Flags::FIN | Flags::ACK, 0);
            b.send(rtt / 2, C, Flags::ACK, 0);
        }
    }
}

/// Writes a classic little-endian microsecond pcap of Ethernet frames to `out`.
pub fn write_bulk<W: Write>(cfg: &BulkConfig, out: &mut W) -> io::Result<BulkStats> {
    // Headers only are captured (at most 86 bytes); see the module comment for the header's
    // snaplen.
    const SNAPLEN: u32 = 128;
    write_header(out)?;

    let mut rng = Rng::new(cfg.seed);
    let mut stats = BulkStats {
        bytes: 24,
        ..Default::default()
    };
    let mut scripts: Vec<Script> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    // Open connections by the time of their next segment (slot breaks ties: deterministic).
    let mut heap: BinaryHeap<Reverse<(i64, usize)>> = BinaryHeap::new();
    let mut next_arrival: i64 = 0;
    let mut planned: u64 = 0;
    let mut frame = [0u8; 256];
    let mean_gap = 1e9 / cfg.conn_rate.max(1e-3);
    let mut last_t = 0;
    while stats.packets < cfg.packets {
        let due = heap.peek().map(|Reverse((t, _))| *t);
        // Start a new connection when it arrives before the next segment of an open one (or
        // when nothing is open), as long as packets remain to be planned.
        if planned < cfg.packets && due.is_none_or(|t| next_arrival <= t) {
            let slot = free.pop().unwrap_or_else(|| {
                scripts.push(Script::default());
                scripts.len() - 1
            });
            let kind = pick_kind(&mut rng);
            let left_conns = cfg.connections.saturating_sub(stats.connections).max(1);
            let per_conn = (cfg.packets - planned) / left_conns;
            let spread = per_conn.saturating_sub(kind.overhead());
            let data = if spread == 0 {
                0
            } else {
                rng.range(spread / 2, spread + spread / 2)
            };
            let s = &mut scripts[slot];
            script(&mut rng, kind, next_arrival, data, &mut s.segs);
            s.next = 0;
            s.v6 = rng.unit() < cfg.ipv6_share;
            s.ends = [
                Some(client_addr(&mut rng, s.v6)),
                Some(server_addr(&mut rng, s.v6)),
            ];
            planned += s.segs.len() as u64;
            heap.push(Reverse((s.segs[0].t, slot)));
            stats.connections += 1;
            stats.by_kind[kind as usize] += 1;
            // Exponential inter-arrival time (Poisson arrivals).
            next_arrival += (-(1.0 - rng.unit()).ln() * mean_gap) as i64 + 1;
            continue;
        }
        let Some(Reverse((t, slot))) = heap.pop() else {
            break;
        };
        let s = &mut scripts[slot];
        let seg = s.segs[s.next];
        s.next += 1;
        let (src, dst) = match (s.ends[0], s.ends[1]) {
            (Some(c), Some(sv)) if seg.from == 0 => (c, sv),
            (Some(c), Some(sv)) => (sv, c),
            _ => unreachable!("a scheduled script has both ends"),
        };
        let (caplen, wire) = encode(&mut frame, s.v6, &src, &dst, &seg);
        let ts = i64::from(cfg.start_secs) * 1_000_000_000 + t;
        let mut rec = [0u8; 16];
        rec[0..4].copy_from_slice(&((ts / 1_000_000_000) as u32).to_le_bytes());
        rec[4..8].copy_from_slice(&(((ts % 1_000_000_000) / 1000) as u32).to_le_bytes());
        rec[8..12].copy_from_slice(&(caplen.min(SNAPLEN as usize) as u32).to_le_bytes());
        rec[12..16].copy_from_slice(&(wire as u32).to_le_bytes());
        out.write_all(&rec)?;
        out.write_all(&frame[..caplen.min(SNAPLEN as usize)])?;
        stats.bytes += 16 + caplen.min(SNAPLEN as usize) as u64;
        stats.packets += 1;
        last_t = t;
        if s.next < s.segs.len() {
            heap.push(Reverse((s.segs[s.next].t, slot)));
        } else {
            free.push(slot);
        }
    }
    stats.span_ns = last_t;
    out.flush()?;
    Ok(stats)
}

fn client_addr(rng: &mut Rng, v6: bool) -> Addr {
    let mut ip = [0u8; 16];
    let x = rng.next_u32();
    if v6 {
        ip[..8].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0]);
        ip[12..].copy_from_slice(&x.to_be_bytes());
    } else {
        // 10.0.0.0/8 minus the .0 and .255 hosts.
        ip[..4].copy_from_slice(&[10, (x >> 16) as u8, (x >> 8) as u8, (x as u8).clamp(1, 254)]);
    }
    Addr {
        ip,
        port: rng.range(32768, 60999) as u16,
    }
}

fn server_addr(rng: &mut Rng, v6: bool) -> Addr {
    let mut ip = [0u8; 16];
    let n = rng.range(1, 200) as u8;
    if v6 {
        ip[..8].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0]);
        ip[15] = n;
    } else {
        ip[..4].copy_from_slice(&[192, 0, 2, n]);
    }
    Addr {
        ip,
        port: SERVER_PORTS[rng.range(0, SERVER_PORTS.len() as u64 - 1) as usize],
    }
}

/// Folds a 32-bit one's-complement sum to 16 bits.
fn fold(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

fn sum16(b: &[u8]) -> u32 {
    b.chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum()
}

/// Encodes the frame into `f`; returns (bytes captured before snaplen, length on the wire).
fn encode(f: &mut [u8; 256], v6: bool, src: &Addr, dst: &Addr, seg: &Seg) -> (usize, usize) {
    let syn = u16::from(seg.flags) & Flags::SYN != 0;
    let opt_len = if syn { 12 } else { 0 };
    let tcp_len = 20 + opt_len;
    let from_client = seg.from == 0;
    let (smac, dmac): ([u8; 6], [u8; 6]) = if from_client {
        ([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
    } else {
        ([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1])
    };
    f[0..6].copy_from_slice(&dmac);
    f[6..12].copy_from_slice(&smac);
    let ip_len = if v6 { 40 } else { 20 };
    let l4 = 14 + ip_len;
    let seg_len = tcp_len + usize::from(seg.len);
    // Pseudo-header sum for the TCP checksum.
    let mut pseudo: u32;
    if v6 {
        f[12..14].copy_from_slice(&0x86ddu16.to_be_bytes());
        let h = &mut f[14..54];
        h[0..4].copy_from_slice(&0x6000_0000u32.to_be_bytes());
        h[4..6].copy_from_slice(&(seg_len as u16).to_be_bytes());
        h[6] = 6;
        h[7] = 64;
        h[8..24].copy_from_slice(&src.ip);
        h[24..40].copy_from_slice(&dst.ip);
        pseudo = sum16(&h[8..40]);
    } else {
        f[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
        let h = &mut f[14..34];
        h[0] = 0x45;
        h[1] = 0;
        h[2..4].copy_from_slice(&((20 + seg_len) as u16).to_be_bytes());
        h[4..6].copy_from_slice(&(seg.seq as u16).to_be_bytes()); // an IP id that varies
        h[6..8].copy_from_slice(&0x4000u16.to_be_bytes()); // DF
        h[8] = 64;
        h[9] = 6;
        h[10..12].copy_from_slice(&[0, 0]);
        h[12..16].copy_from_slice(&src.ip[..4]);
        h[16..20].copy_from_slice(&dst.ip[..4]);
        let c = !fold(sum16(h));
        h[10..12].copy_from_slice(&c.to_be_bytes());
        pseudo = sum16(&h[12..20]);
    }
    pseudo += 6 + seg_len as u32;
    let t = &mut f[l4..l4 + tcp_len];
    t[0..2].copy_from_slice(&src.port.to_be_bytes());
    t[2..4].copy_from_slice(&dst.port.to_be_bytes());
    t[4..8].copy_from_slice(&seg.seq.to_be_bytes());
    t[8..12].copy_from_slice(&seg.ack.to_be_bytes());
    t[12] = ((tcp_len / 4) as u8) << 4;
    t[13] = seg.flags;
    t[14..16].copy_from_slice(&seg.win.to_be_bytes());
    t[16..20].copy_from_slice(&[0, 0, 0, 0]);
    if syn {
        // MSS 1460, NOP NOP SACK-permitted, NOP window scale 7 (Linux's order, roughly).
        t[20..32].copy_from_slice(&[2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7]);
    }
    // The payload is zeros: it adds nothing to the sum, only its length (in the pseudo-header).
    let c = !fold(pseudo + sum16(t));
    t[16..18].copy_from_slice(&c.to_be_bytes());
    let caplen = l4 + tcp_len;
    (caplen, caplen + usize::from(seg.len))
}

/// A generated capture in memory for the whole test run (`FileReader::from_bytes` wants a
/// `'static` slice): the unit tests that need many varied connections share this.
#[cfg(test)]
pub(crate) fn leaked_capture(cfg: &BulkConfig) -> &'static [u8] {
    let mut bytes = Vec::new();
    write_bulk(cfg, &mut bytes).expect("writing to a Vec cannot fail");
    Box::leak(bytes.into_boxed_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> BulkConfig {
        BulkConfig {
            packets: 20_000,
            connections: 2_000,
            seed: 7,
            ..Default::default()
        }
    }

    #[test]
    fn deterministic_and_hits_the_counts() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let sa = write_bulk(&small(), &mut a).unwrap();
        let sb = write_bulk(&small(), &mut b).unwrap();
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        assert_eq!(sa.packets, 20_000);
        assert!((1_800..=2_200).contains(&sa.connections), "{sa:?}");
        assert_eq!(sa.bytes, a.len() as u64);
    }

    #[test]
    fn frames_decode_with_valid_checksums() {
        let mut buf = Vec::new();
        write_bulk(&small(), &mut buf).unwrap();
        let mut at = 24;
        let mut n = 0;
        while at < buf.len() {
            let caplen = u32::from_le_bytes(buf[at + 8..at + 12].try_into().unwrap()) as usize;
            let wire = u32::from_le_bytes(buf[at + 12..at + 16].try_into().unwrap()) as usize;
            let data = &buf[at + 16..at + 16 + caplen];
            // Checksums cover the zero payload cut by the snaplen: put it back.
            let mut full = data.to_vec();
            full.resize(wire, 0);
            let p = etherparse::SlicedPacket::from_ethernet(&full).unwrap();
            let Some(etherparse::TransportSlice::Tcp(tcp)) = p.transport else {
                panic!("not TCP");
            };
            let sum = match p.net.unwrap() {
                etherparse::NetSlice::Ipv4(v4) => {
                    let h = v4.header().to_header();
                    assert_eq!(h.calc_header_checksum(), h.header_checksum);
                    tcp.calc_checksum_ipv4(h.source, h.destination).unwrap()
                }
                etherparse::NetSlice::Ipv6(v6) => {
                    let h = v6.header().to_header();
                    tcp.calc_checksum_ipv6(h.source, h.destination).unwrap()
                }
                _ => panic!("not IP"),
            };
            assert_eq!(sum, tcp.checksum());
            at += 16 + caplen;
            n += 1;
        }
        assert_eq!(n, 20_000);
    }
}

/// The hostile captures the memory bound is measured on (`make bench`, issue 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    /// `syns` SYNs to one server, each from its own spoofed source (address and port), one
    /// every `gap_ns` nanoseconds (10,000 in `make bench`: 100,000 a second), none answered.
    SynFlood { syns: u64, gap_ns: i64 },
    /// `conns` connections open at once, each carrying `segs` data segments (each
    /// acknowledged every second one), interleaved round robin, then closed.
    Long { conns: u64, segs: u64 },
}

/// The pcap file header: microseconds, Ethernet, snaplen 262144 (see the module comment).
fn write_header<W: Write>(out: &mut W) -> io::Result<()> {
    let mut hdr = Vec::with_capacity(24);
    hdr.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    hdr.extend_from_slice(&2u16.to_le_bytes());
    hdr.extend_from_slice(&4u16.to_le_bytes());
    hdr.extend_from_slice(&0i32.to_le_bytes());
    hdr.extend_from_slice(&0u32.to_le_bytes());
    hdr.extend_from_slice(&262_144u32.to_le_bytes());
    hdr.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
    out.write_all(&hdr)
}

/// One record: headers only (as [`write_bulk`] writes them), `t` nanoseconds after 2024-01-01.
fn write_record<W: Write>(
    out: &mut W,
    frame: &mut [u8; 256],
    src: &Addr,
    dst: &Addr,
    seg: &Seg,
) -> io::Result<()> {
    let (caplen, wire) = encode(frame, false, src, dst, seg);
    let ts = 1_704_067_200i64 * 1_000_000_000 + seg.t;
    let mut rec = [0u8; 16];
    rec[0..4].copy_from_slice(&((ts / 1_000_000_000) as u32).to_le_bytes());
    rec[4..8].copy_from_slice(&(((ts % 1_000_000_000) / 1000) as u32).to_le_bytes());
    rec[8..12].copy_from_slice(&(caplen as u32).to_le_bytes());
    rec[12..16].copy_from_slice(&(wire as u32).to_le_bytes());
    out.write_all(&rec)?;
    out.write_all(&frame[..caplen])
}

/// Writes a [`Hostile`] capture; returns the packets written.
pub fn write_hostile<W: Write>(what: Hostile, seed: u64, out: &mut W) -> io::Result<u64> {
    write_header(out)?;
    let mut rng = Rng::new(seed);
    let mut frame = [0u8; 256];
    let server = Addr {
        ip: [192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        port: 80,
    };
    let seg = |t: i64, from: u8, flags: u16, seq: u32, ack: u32, len: u16| Seg {
        t,
        from,
        flags: flags as u8,
        seq,
        ack,
        len,
        win: 64240,
    };
    let mut n = 0;
    match what {
        Hostile::SynFlood { syns, gap_ns } => {
            for i in 0..syns {
                // Sources spread over 10.0.0.0/8 by a counter (distinct) and a random port.
                let x = i as u32 + 1;
                let mut ip = [0u8; 16];
                ip[..4].copy_from_slice(&[10, (x >> 16) as u8, (x >> 8) as u8, x as u8]);
                let src = Addr {
                    ip,
                    port: rng.range(1024, 65535) as u16,
                };
                let s = seg(i as i64 * gap_ns, 0, Flags::SYN, rng.next_u32(), 0, 0);
                write_record(out, &mut frame, &src, &server, &s)?;
                n += 1;
            }
        }
        Hostile::Long { conns, segs } => {
            let clients: Vec<Addr> = (0..conns)
                .map(|i| Addr {
                    ip: [
                        10,
                        1,
                        (i >> 8) as u8,
                        i as u8,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                    ],
                    port: 40000 + (i % 20000) as u16,
                })
                .collect();
            let (isn_c, isn_s) = (1000u32, 5000u32);
            let mut t = 0i64;
            let mut send = |out: &mut W, c: usize, s: Seg| -> io::Result<()> {
                let (src, dst) = if s.from == 0 {
                    (&clients[c], &server)
                } else {
                    (&server, &clients[c])
                };
                write_record(out, &mut frame, src, dst, &s)?;
                n += 1;
                Ok(())
            };
            for c in 0..conns as usize {
                t += 10_000;
                send(out, c, seg(t, 0, Flags::SYN, isn_c, 0, 0))?;
                send(
                    out,
                    c,
                    seg(t + 1000, 1, Flags::SYN | Flags::ACK, isn_s, isn_c + 1, 0),
                )?;
                send(
                    out,
                    c,
                    seg(t + 2000, 0, Flags::ACK, isn_c + 1, isn_s + 1, 0),
                )?;
            }
            let len = u32::from(MSS);
            for i in 0..segs as u32 {
                for c in 0..conns as usize {
                    t += 10_000;
                    let seq = (isn_c + 1).wrapping_add(i * len);
                    send(out, c, seg(t, 0, Flags::ACK, seq, isn_s + 1, MSS))?;
                    if i % 2 == 1 {
                        let ack = seq.wrapping_add(len);
                        send(out, c, seg(t + 1000, 1, Flags::ACK, isn_s + 1, ack, 0))?;
                    }
                }
            }
            let fin_seq = (isn_c + 1).wrapping_add(segs as u32 * len);
            for c in 0..conns as usize {
                t += 10_000;
                let fa = Flags::FIN | Flags::ACK;
                send(out, c, seg(t, 0, fa, fin_seq, isn_s + 1, 0))?;
                send(out, c, seg(t + 1000, 1, fa, isn_s + 1, fin_seq + 1, 0))?;
                send(
                    out,
                    c,
                    seg(t + 2000, 0, Flags::ACK, fin_seq + 1, isn_s + 2, 0),
                )?;
            }
        }
    }
    out.flush()?;
    Ok(n)
}

#[cfg(test)]
mod hostile_tests {
    use super::*;
    use crate::capture::FileReader;
    use crate::track::{Tracker, TrackerConfig};

    fn track(what: Hostile) -> (Tracker, Vec<crate::track::Connection>) {
        let mut bytes = Vec::new();
        write_hostile(what, 1, &mut bytes).unwrap();
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let mut reader = FileReader::from_bytes("hostile", bytes).unwrap();
        let mut dec = crate::decode::Decoder::default();
        let mut t = Tracker::new(TrackerConfig::default());
        while let Some(p) = reader.next_packet().unwrap() {
            t.apply(&dec.item(&p));
        }
        assert_eq!(dec.counters.malformed_total(), 0);
        let conns = t.finish();
        (t, conns)
    }

    #[test]
    fn a_syn_flood_is_one_unanswered_syn_from_each_source() {
        let (t, conns) = track(Hostile::SynFlood {
            syns: 500,
            gap_ns: 10_000,
        });
        assert_eq!(conns.len(), 500);
        assert_eq!(t.stats.segments, 500);
        let sources: std::collections::BTreeSet<_> =
            conns.iter().map(|c| c.client().addr.ip).collect();
        assert_eq!(sources.len(), 500);
        assert!(conns
            .iter()
            .all(|c| c.client().state == crate::track::State::SynSent));
    }

    #[test]
    fn long_connections_carry_their_segments_and_close() {
        let (_, conns) = track(Hostile::Long { conns: 3, segs: 10 });
        assert_eq!(conns.len(), 3);
        for c in &conns {
            // Handshake 3, 10 data, 5 ACKs, close 3.
            assert_eq!(c.client().packets + c.server().packets, 21, "{}", c.id);
            assert_eq!(c.client().bytes, 10 * u64::from(MSS));
            assert_eq!(c.mark_counts.iter().sum::<u32>(), 0, "{}", c.id);
            assert_eq!(c.client().state, crate::track::State::TimeWait);
        }
    }
}
