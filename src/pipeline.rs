//! One packet through the core: filter, decode, track. Shared by batch output and the UI's
//! capture thread; no I/O of its own.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::capture::{BpfFilter, RawPacket};
use crate::decode::{self, DecodeError, Decoded, Segment};
use crate::track::Tracker;

/// What happened to every frame read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames read from the source.
    pub packets: u64,
    /// Frames that gave a TCP segment (and passed the filters).
    pub tcp: u64,
    /// Well-formed frames that are not TCP (UDP, ICMP, ARP, ...).
    pub non_tcp: u64,
    /// Frames rejected by `-f`, `--host` or `--port`.
    pub filtered: u64,
    /// Frames of link types synack does not decode, by link type.
    pub skipped_link: BTreeMap<u32, u64>,
    /// Malformed or truncated frames, by reason.
    pub malformed: BTreeMap<&'static str, u64>,
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
        (self.hosts.is_empty() || self.hosts.iter().any(|h| *h == s.src.ip || *h == s.dst.ip))
            && (self.ports.is_empty()
                || self
                    .ports
                    .iter()
                    .any(|p| *p == s.src.port || *p == s.dst.port))
    }
}

/// The per-packet step: everything between a captured frame and the tracker.
pub struct Pipeline {
    pub tracker: Tracker,
    pub counters: Counters,
    pub bpf: Option<BpfFilter>,
    pub filter: SegmentFilter,
}

impl Pipeline {
    pub fn new(tracker: Tracker) -> Pipeline {
        Pipeline {
            tracker,
            counters: Counters::default(),
            bpf: None,
            filter: SegmentFilter::default(),
        }
    }

    /// Feeds one frame. Returns the connection id it landed on, if it was TCP.
    pub fn feed(&mut self, pkt: &RawPacket<'_>) -> Option<u64> {
        self.counters.packets += 1;
        let frame = self.counters.packets;
        if let Some(bpf) = self.bpf.as_mut() {
            if !bpf.matches(pkt.linktype, pkt.data) {
                self.counters.filtered += 1;
                return None;
            }
        }
        match decode::decode(pkt.linktype, pkt.ts, pkt.data) {
            Ok(Decoded::Tcp(seg)) => {
                if !self.filter.is_empty() && !self.filter.matches(&seg) {
                    self.counters.filtered += 1;
                    return None;
                }
                self.counters.tcp += 1;
                Some(self.tracker.ingest(&seg, frame))
            }
            Ok(Decoded::NotTcp) => {
                self.counters.non_tcp += 1;
                self.tracker.advance(pkt.ts);
                None
            }
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
}
