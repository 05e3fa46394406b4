//! UDP flows (`--udp`), for contrast with TCP: datagrams between two endpoints grouped by
//! their address pair, with no handshake, no states and no teardown, because UDP (RFC 768)
//! has none: a flow is only "datagrams seen between these two ports", and it ends when it goes
//! quiet.
//!
//! Pure and bounded: the flows held at once and the datagrams kept across them have caps
//! (what falls past them is counted, never silently lost), and a flow quiet for
//! [`UdpConfig::idle`] is handed out (Zeek's `udp_inactivity_timeout` is one minute too).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::decode::{Datagram, Endpoint};
use crate::time::Timestamp;

#[derive(Debug, Clone)]
pub struct UdpConfig {
    /// Flows held at once; a datagram of a new flow past it is counted, not followed.
    pub max_flows: usize,
    /// Datagrams kept per flow; later ones are counted on the flow.
    pub max_events: usize,
    /// Datagrams kept across every flow held.
    pub event_budget: usize,
    /// A flow quiet this long is over.
    pub idle: Timestamp,
}

impl Default for UdpConfig {
    fn default() -> Self {
        UdpConfig {
            max_flows: 65_536,
            max_events: 1_000,
            event_budget: 1 << 20,
            idle: Timestamp::from_secs_f64(60.0),
        }
    }
}

/// One datagram as a flow keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct UdpEvent {
    pub ts: Timestamp,
    pub frame: u64,
    /// Sent by the flow's client (see [`UdpFlow::client`]).
    pub from_client: bool,
    /// Payload bytes.
    pub len: u32,
    /// What the payload says (a DNS question or answer), escaped by the decoder.
    pub label: Option<Box<str>>,
}

/// The datagrams between two endpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct UdpFlow {
    pub id: u64,
    /// The sender of the first datagram seen, unless that came from a well-known port to a
    /// higher one (an answer whose question the capture missed): then its receiver.
    pub client: Endpoint,
    pub server: Endpoint,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// Datagrams and payload bytes, client's then server's.
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
    pub events: Vec<UdpEvent>,
    /// Datagrams not kept (past the per-flow cap or the budget): counted only.
    pub events_dropped: u64,
    /// Zeek's service name when a payload named one (`dns`).
    pub service: Option<&'static str>,
}

impl UdpFlow {
    pub fn packets(&self) -> u64 {
        self.packets[0] + self.packets[1]
    }
    pub fn bytes(&self) -> u64 {
        self.bytes[0] + self.bytes[1]
    }
}

/// What the flow table counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UdpStats {
    pub flows: u64,
    pub datagrams: u64,
    /// Datagrams of new flows while [`UdpConfig::max_flows`] were held.
    pub flows_refused: u64,
    pub events_dropped: u64,
}

/// The flows, keyed by their address pair in either direction.
#[derive(Debug, Default)]
pub struct UdpFlows {
    cfg: UdpConfig,
    /// By id: the UI and the hand-outs read them in order without sorting.
    flows: BTreeMap<u64, UdpFlow>,
    /// A flow's id by its address pair, as its first datagram had it.
    ids: FxHashMap<(Endpoint, Endpoint), u64>,
    next_id: u64,
    events_held: usize,
    /// [`UdpFlows::drain_idle`] looks again from then on (once a second of capture time: it
    /// walks every flow).
    next_scan: Timestamp,
    pub stats: UdpStats,
}

/// Below this a port is a service's (IANA's system ports).
const WELL_KNOWN: u16 = 1024;

impl UdpFlows {
    pub fn new(cfg: UdpConfig) -> UdpFlows {
        UdpFlows {
            cfg,
            next_id: 1,
            ..UdpFlows::default()
        }
    }

    /// Adds one datagram to its flow (a new one if none holds this pair); its flow's id, or
    /// `None` when the table is full.
    pub fn add(&mut self, d: &Datagram) -> Option<u64> {
        self.stats.datagrams += 1;
        let known = self
            .ids
            .get(&(d.src, d.dst))
            .or(self.ids.get(&(d.dst, d.src)));
        let flow = match known.copied().and_then(|id| self.flows.get_mut(&id)) {
            Some(f) => f,
            None => {
                if self.flows.len() >= self.cfg.max_flows {
                    self.stats.flows_refused += 1;
                    return None;
                }
                let answer = d.src.port < WELL_KNOWN && d.dst.port >= WELL_KNOWN;
                let (client, server) = if answer {
                    (d.dst, d.src)
                } else {
                    (d.src, d.dst)
                };
                self.stats.flows += 1;
                let id = self.next_id;
                self.next_id += 1;
                self.ids.insert((d.src, d.dst), id);
                self.flows.entry(id).or_insert(UdpFlow {
                    id,
                    client,
                    server,
                    first_seen: d.ts,
                    last_seen: d.ts,
                    packets: [0; 2],
                    bytes: [0; 2],
                    events: Vec::new(),
                    events_dropped: 0,
                    service: None,
                })
            }
        };
        let from_client = d.src == flow.client;
        let i = usize::from(!from_client);
        flow.packets[i] += 1;
        flow.bytes[i] += u64::from(d.len);
        flow.last_seen = flow.last_seen.max(d.ts);
        if let Some(service) = d.label.as_ref().and_then(|l| l.service) {
            flow.service = Some(service.zeek_name());
        }
        if flow.events.len() < self.cfg.max_events && self.events_held < self.cfg.event_budget {
            self.events_held += 1;
            flow.events.push(UdpEvent {
                ts: d.ts,
                frame: d.frame,
                from_client,
                len: d.len,
                label: d.label.as_ref().map(|l| l.text.clone()),
            });
        } else {
            flow.events_dropped += 1;
            self.stats.events_dropped += 1;
        }
        Some(flow.id)
    }

    /// Flows quiet for [`UdpConfig::idle`] as of `now`, removed, by id.
    pub fn drain_idle(&mut self, now: Timestamp) -> Vec<UdpFlow> {
        if now < self.next_scan || self.flows.is_empty() {
            return Vec::new();
        }
        self.next_scan = Timestamp(now.0.saturating_add(Timestamp::NANOS_PER_SEC));
        let idle = self.cfg.idle.0;
        let (quiet, busy) = std::mem::take(&mut self.flows)
            .into_iter()
            .partition(|(_, f)| now.0.saturating_sub(f.last_seen.0) >= idle);
        self.flows = busy;
        self.finish_drain(quiet)
    }

    /// Every flow, removed, by id.
    pub fn drain_all(&mut self) -> Vec<UdpFlow> {
        let all = std::mem::take(&mut self.flows);
        self.finish_drain(all)
    }

    /// Forgets the pairs of flows handed out and gives their events back to the budget.
    fn finish_drain(&mut self, out: BTreeMap<u64, UdpFlow>) -> Vec<UdpFlow> {
        for f in out.values() {
            self.events_held -= f.events.len();
            self.ids.remove(&(f.client, f.server));
            self.ids.remove(&(f.server, f.client));
        }
        out.into_values().collect()
    }

    /// The flows held, by id (for the UI).
    pub fn flows(&self) -> Vec<&UdpFlow> {
        self.flows.values().collect()
    }

    pub fn len(&self) -> usize {
        self.flows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::app::{AppLabel, Service};

    fn ep(s: &str) -> Endpoint {
        let (ip, port) = s.rsplit_once(':').unwrap();
        Endpoint {
            ip: ip.parse().unwrap(),
            port: port.parse().unwrap(),
        }
    }

    fn dgram(t: f64, src: &str, dst: &str, len: u32, frame: u64) -> Datagram {
        Datagram {
            ts: Timestamp::from_secs_f64(t),
            src: ep(src),
            dst: ep(dst),
            len,
            frame,
            label: None,
        }
    }

    #[test]
    fn both_directions_are_one_flow_and_counted_per_side() {
        let mut t = UdpFlows::new(UdpConfig::default());
        let a = t.add(&dgram(0.0, "10.0.0.1:5000", "10.0.0.2:9000", 10, 1));
        let b = t.add(&dgram(0.1, "10.0.0.2:9000", "10.0.0.1:5000", 30, 2));
        let c = t.add(&dgram(0.2, "10.0.0.1:5001", "10.0.0.2:9000", 5, 3));
        assert_eq!((a, b, c), (Some(1), Some(1), Some(2)));
        let flows = t.drain_all();
        assert_eq!(flows.len(), 2);
        let f = &flows[0];
        assert_eq!(
            (f.client, f.server),
            (ep("10.0.0.1:5000"), ep("10.0.0.2:9000"))
        );
        assert_eq!((f.packets, f.bytes), ([1, 1], [10, 30]));
        assert_eq!(
            f.events.iter().map(|e| e.from_client).collect::<Vec<_>>(),
            [true, false]
        );
        assert_eq!(f.last_seen, Timestamp::from_secs_f64(0.1));
        assert!(t.is_empty());
    }

    #[test]
    fn an_answer_seen_first_makes_its_receiver_the_client() {
        let mut t = UdpFlows::new(UdpConfig::default());
        t.add(&dgram(0.0, "10.0.0.53:53", "10.0.0.1:40000", 60, 1));
        let f = &t.drain_all()[0];
        assert_eq!(f.client, ep("10.0.0.1:40000"));
        assert_eq!(f.packets, [0, 1]);
        assert!(!f.events[0].from_client);
    }

    #[test]
    fn a_dns_label_names_the_service_and_rides_on_its_event() {
        let mut t = UdpFlows::new(UdpConfig::default());
        let mut d = dgram(0.0, "10.0.0.1:40000", "10.0.0.53:53", 30, 1);
        d.label = Some(AppLabel {
            service: Some(Service::Dns),
            text: "DNS query A example.com".into(),
            joined: false,
        });
        t.add(&d);
        let f = &t.drain_all()[0];
        assert_eq!(f.service, Some("dns"));
        assert_eq!(
            f.events[0].label.as_deref(),
            Some("DNS query A example.com")
        );
    }

    #[test]
    fn caps_count_what_they_leave_out() {
        let mut t = UdpFlows::new(UdpConfig {
            max_flows: 2,
            max_events: 3,
            event_budget: 4,
            ..UdpConfig::default()
        });
        for i in 0..5 {
            t.add(&dgram(f64::from(i), "10.0.0.1:5000", "10.0.0.2:9000", 1, 1));
        }
        t.add(&dgram(6.0, "10.0.0.1:5001", "10.0.0.2:9000", 1, 7));
        t.add(&dgram(6.5, "10.0.0.1:5001", "10.0.0.2:9000", 1, 8));
        assert_eq!(
            t.add(&dgram(7.0, "10.0.0.1:5002", "10.0.0.2:9000", 1, 9)),
            None
        );
        assert_eq!(t.stats.flows_refused, 1);
        let flows = t.drain_all();
        // Three kept on the first (its cap), one on the second (the budget), the rest counted.
        assert_eq!(flows[0].events.len(), 3);
        assert_eq!(flows[0].events_dropped, 2);
        assert_eq!(flows[1].events.len(), 1);
        assert_eq!(flows[1].events_dropped, 1);
        assert_eq!(flows[0].packets[0], 5);
        assert_eq!(t.stats.events_dropped, 3);
        assert_eq!(t.stats.datagrams, 8);
        // The budget is given back when flows leave.
        t.add(&dgram(8.0, "10.0.0.1:5003", "10.0.0.2:9000", 1, 10));
        assert_eq!(t.drain_all()[0].events.len(), 1);
    }

    #[test]
    fn quiet_flows_are_handed_out_and_busy_ones_stay() {
        let mut t = UdpFlows::new(UdpConfig::default());
        t.add(&dgram(0.0, "10.0.0.1:5000", "10.0.0.2:9000", 1, 1));
        t.add(&dgram(50.0, "10.0.0.1:5001", "10.0.0.2:9000", 1, 2));
        assert!(t.drain_idle(Timestamp::from_secs_f64(59.9)).is_empty());
        // The next look is a second later.
        assert!(t.drain_idle(Timestamp::from_secs_f64(60.0)).is_empty());
        let out = t.drain_idle(Timestamp::from_secs_f64(60.9));
        assert_eq!(out.iter().map(|f| f.id).collect::<Vec<_>>(), [1]);
        assert_eq!(t.len(), 1);
    }
}
