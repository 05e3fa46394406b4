//! Filter and decode one frame at a time, counting every frame's fate ([`Decoder`]). Runs on
//! the capture thread, whatever the source; does no I/O.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::app::AppLabel;
use super::defrag::{FragStats, Reassembly};
use super::tunnel::TunnelPorts;
use super::{BpfFilter, Context, Datagram, DecodeError, Decoded, Encap, RawPacket, Segment};
use crate::time::Timestamp;

/// What the decoder makes of one frame, for the tracker.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A TCP segment (past the filters) and its 1-based frame number.
    Segment(Segment, u64),
    /// The same, for a segment that came through tunnels (boxed: most frames have none, and
    /// every item is as big as the largest).
    Tunneled(Segment, u64, Box<Encap>),
    /// A segment whose payload was labelled ([`super::app`]), and the tunnels it came through
    /// (often none). Boxed for the same reason: few segments carry one.
    Labeled(Segment, u64, Box<Labeled>),
    /// A UDP datagram (`--udp` only; boxed: few runs ask for them).
    Udp(Box<Datagram>),
    /// Anything else: its time still moves the capture clock.
    Tick(Timestamp),
}

/// What [`Item::Labeled`] carries besides the segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Labeled {
    pub label: AppLabel,
    pub encap: Encap,
}

impl Item {
    /// The item's capture time.
    pub fn ts(&self) -> Timestamp {
        match self {
            Item::Segment(s, _) | Item::Tunneled(s, _, _) | Item::Labeled(s, _, _) => s.ts,
            Item::Udp(d) => d.ts,
            Item::Tick(t) => *t,
        }
    }
}

/// What happened to every frame read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames read from the source.
    pub packets: u64,
    /// Frames that gave a TCP segment (and passed the filters).
    pub tcp: u64,
    /// Well-formed frames that are not TCP (UDP, ICMP, ARP, ...), UDP datagrams taken by
    /// `--udp` aside.
    pub non_tcp: u64,
    /// UDP datagrams decoded for `--udp` (and past the filters).
    pub udp: u64,
    /// Frames rejected by `-f`, `--host` or `--port`.
    pub filtered: u64,
    /// Frames of link types synack does not decode, by link type.
    pub skipped_link: BTreeMap<u32, u64>,
    /// Malformed or truncated frames, by reason.
    pub malformed: BTreeMap<&'static str, u64>,
    /// IP fragments and what became of them.
    pub fragments: FragStats,
    /// TCP segments that came through tunnels, by the outermost tunnel's kind.
    pub tunneled: BTreeMap<&'static str, u64>,
}

impl Counters {
    pub fn malformed_total(&self) -> u64 {
        self.malformed.values().sum()
    }
    pub fn skipped_total(&self) -> u64 {
        self.skipped_link.values().sum()
    }
}

/// Filters besides BPF: match either end of a segment.
#[derive(Debug, Clone, Default)]
pub struct SegmentFilter {
    pub hosts: Vec<IpAddr>,
    pub ports: Vec<u16>,
}

impl SegmentFilter {
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty() && self.ports.is_empty()
    }
    pub fn matches(&self, s: &Segment) -> bool {
        self.matches_ends(s.src, s.dst)
    }
    fn matches_ends(&self, src: super::Endpoint, dst: super::Endpoint) -> bool {
        (self.hosts.is_empty() || self.hosts.iter().any(|h| *h == src.ip || *h == dst.ip))
            && (self.ports.is_empty()
                || self.ports.iter().any(|p| *p == src.port || *p == dst.port))
    }
}

/// Filter + decode, counting every frame's fate. Lives on the capture thread.
#[derive(Default)]
pub struct Decoder {
    pub counters: Counters,
    pub bpf: Option<BpfFilter>,
    pub filter: SegmentFilter,
    /// The UDP ports tunnels are recognised on.
    pub ports: TunnelPorts,
    /// IP fragments waiting for the rest of their datagram.
    defrag: Reassembly,
    /// The tunnels the last segment came through.
    pub encap: Encap,
    /// Do not read payloads for labels (a caller that wants none).
    pub no_labels: bool,
    /// The last segment's label.
    pub label: Option<AppLabel>,
    hellos: super::app::HelloJoin,
    /// Decode UDP datagrams too (`--udp`).
    pub udp: bool,
    /// The last frame's datagram, for [`Decoder::item`].
    datagram: Option<Datagram>,
}

impl Decoder {
    /// A decoder with these filters, recognising UDP tunnels on `ports`.
    pub fn new(bpf: Option<BpfFilter>, filter: SegmentFilter, ports: TunnelPorts) -> Decoder {
        Decoder {
            bpf,
            filter,
            ports,
            ..Decoder::default()
        }
    }

    /// Decodes one frame; `Some((segment, frame number))` if it is a TCP segment that passes
    /// the filters. Frame numbers are 1-based, counting every frame read (as Wireshark does).
    pub fn decode(&mut self, pkt: &RawPacket<'_>) -> Option<(Segment, u64)> {
        self.counters.packets += 1;
        self.label = None;
        let frame = self.counters.packets;
        if let Some(bpf) = self.bpf.as_mut() {
            if !bpf.matches(pkt.linktype, pkt.data) {
                self.counters.filtered += 1;
                return None;
            }
        }
        let mut cx = Context {
            ports: &self.ports,
            defrag: Some(&mut self.defrag),
            encap: Encap::default(),
            sniff: !self.no_labels,
            label: None,
            hellos: Some(&mut self.hellos),
            udp: self.udp,
        };
        let decoded = super::decode_with(&mut cx, pkt.linktype, pkt.ts, pkt.data);
        self.label = cx.label.take();
        // Copied only when there is something to copy: the common frame has no tunnel.
        if !(cx.encap.is_empty() && self.encap.is_empty()) {
            self.encap = cx.encap;
        }
        self.counters.fragments = self.defrag.stats;
        match decoded {
            Ok(Decoded::Tcp(seg)) => {
                if !self.filter.is_empty() && !self.filter.matches(&seg) {
                    self.counters.filtered += 1;
                    return None;
                }
                self.counters.tcp += 1;
                if let Some(t) = self.encap.tunnels().next() {
                    *self.counters.tunneled.entry(t.kind.name()).or_default() += 1;
                }
                Some((seg, frame))
            }
            Ok(Decoded::Udp(mut d)) => {
                if !self.filter.is_empty() && !self.filter.matches_ends(d.src, d.dst) {
                    self.counters.filtered += 1;
                    return None;
                }
                self.counters.udp += 1;
                d.frame = frame;
                self.datagram = Some(d);
                None
            }
            Ok(Decoded::NotTcp) => {
                self.counters.non_tcp += 1;
                None
            }
            // Counted by the reassembly.
            Ok(Decoded::Fragment) => None,
            Err(DecodeError::UnsupportedLink(lt)) => {
                *self.counters.skipped_link.entry(lt).or_default() += 1;
                None
            }
            Err(e) => {
                *self.counters.malformed.entry(e.reason()).or_default() += 1;
                None
            }
        }
    }

    /// [`Decoder::decode`] as the tracker takes it: the segment, or a tick of the clock.
    pub fn item(&mut self, pkt: &RawPacket<'_>) -> Item {
        let Some((seg, frame)) = self.decode(pkt) else {
            return match self.datagram.take() {
                Some(d) => Item::Udp(Box::new(d)),
                None => Item::Tick(pkt.ts),
            };
        };
        match self.label.take() {
            Some(label) => {
                let encap = self.encap;
                Item::Labeled(seg, frame, Box::new(Labeled { label, encap }))
            }
            None if self.encap.is_empty() => Item::Segment(seg, frame),
            None => Item::Tunneled(seg, frame, Box::new(self.encap)),
        }
    }

    /// The source has ended: fragments still waiting never complete.
    pub fn finish(&mut self) {
        self.defrag.finish();
        self.counters.fragments = self.defrag.stats;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{LinkType, RawPacket};

    fn udp_frame(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut data = Vec::new();
        etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4([10, 0, 0, 1], [10, 0, 0, 53], 64)
            .udp(sport, dport)
            .write(&mut data, payload)
            .unwrap();
        data
    }

    fn item(d: &mut Decoder, frame: &[u8]) -> Item {
        d.item(&RawPacket {
            linktype: LinkType::ETHERNET,
            ts: Timestamp(7),
            data: frame,
            orig_len: frame.len() as u32,
        })
    }

    #[test]
    fn udp_is_a_datagram_only_when_asked() {
        // A DNS question for a.io, type A.
        let q = [
            0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, b'a', 2, b'i', b'o', 0, 0, 1, 0, 1,
        ];
        let f = udp_frame(40000, 53, &q);
        let mut plain = Decoder::default();
        assert!(matches!(item(&mut plain, &f), Item::Tick(Timestamp(7))));
        assert_eq!((plain.counters.non_tcp, plain.counters.udp), (1, 0));

        let mut d = Decoder {
            udp: true,
            ..Decoder::default()
        };
        item(&mut d, &udp_frame(1, 2, b"x"));
        let Item::Udp(g) = item(&mut d, &f) else {
            panic!("a datagram expected");
        };
        assert_eq!((g.src.port, g.dst.port, g.len, g.frame), (40000, 53, 22, 2));
        assert_eq!(g.label.unwrap().text.as_ref(), "DNS query a.io A");
        assert_eq!((d.counters.non_tcp, d.counters.udp), (0, 2));
        // --port filters datagrams as it does segments.
        d.filter.ports = vec![80];
        assert!(matches!(item(&mut d, &f), Item::Tick(_)));
        assert_eq!(d.counters.filtered, 1);
    }
}
