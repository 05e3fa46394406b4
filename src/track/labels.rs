//! The app labels a connection keeps: what the first data segments each way said
//! ([`crate::decode::app`]), by frame, and the services they showed (Zeek's `service`).
//!
//! Kept beside the events, not in them: an [`Event`](super::Event) stays as small as the
//! memory budget counts it, and most connections (and every bulk segment) have no label.

use super::conn::{Connection, Dir};
use super::marks::Marks;
use crate::decode::app::{AppLabel, Service};

/// Labels kept each way: the first requests and answers (a keep-alive connection's first few
/// exchanges), not a label for every message of a long one.
pub const PER_DIR: u8 = 4;

/// One labelled segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub frame: u64,
    pub dir: Dir,
    pub service: Option<Service>,
    /// Escaped and bounded already ([`crate::decode::app::MAX_CHARS`]).
    pub text: Box<str>,
}

/// A connection's labels, in capture order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels {
    list: Vec<Label>,
    each_way: [u8; 2],
}

impl Labels {
    pub fn iter(&self) -> std::slice::Iter<'_, Label> {
        self.list.iter()
    }
}

impl Connection {
    /// The tunnels its first segment came through, outermost first (none: not tunneled).
    pub fn tunnel(&self) -> Option<&crate::decode::Encap> {
        self.extras.as_deref().and_then(|x| x.tunnel.as_ref())
    }

    /// The labels, in capture order (none for most connections).
    pub fn labels(&self) -> &[Label] {
        self.extras
            .as_deref()
            .map_or(&[], |x| x.labels.list.as_slice())
    }

    /// The label of frame `frame`, if it had one. Labels are few: a scan.
    pub fn label_of(&self, frame: u64) -> Option<&Label> {
        if frame == 0 {
            return None;
        }
        self.labels().iter().find(|l| l.frame == frame)
    }

    /// The services the labels showed, in the order first seen, once each. SSH counts once
    /// the server's banner is seen, as in Zeek (its baseline of a client-only capture has no
    /// service: tests/zeek_log.rs).
    pub fn services(&self) -> Vec<Service> {
        let mut out: Vec<Service> = Vec::new();
        let server_ssh = self
            .labels()
            .iter()
            .any(|l| l.service == Some(Service::Ssh) && l.dir == Dir::S2C);
        for s in self.labels().iter().filter_map(|l| l.service) {
            if s == Service::Ssh && !server_ssh {
                continue;
            }
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }

    /// Zeek's `service` column: the services' names, comma-separated, as Zeek writes them.
    pub fn service(&self) -> Option<String> {
        let s = self.services();
        (!s.is_empty()).then(|| {
            s.iter()
                .map(|s| s.zeek_name())
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// Takes `label` for the event just kept for frame `frame`, unless this direction has its
    /// share already or the segment repeats data (a retransmission says nothing new).
    pub(super) fn add_label(&mut self, frame: u64, label: &AppLabel) {
        let Some(ev) = self.events.last().filter(|e| e.frame == frame) else {
            return;
        };
        if ev.marks.has(Marks::RETRANSMISSION) {
            return;
        }
        let dir = ev.dir;
        let log = &mut self.extras.get_or_insert_with(Box::default).labels;
        // A TLS hello read whole once its last piece came: its first piece's label grows.
        if label.joined {
            if let Some(first) = log
                .list
                .iter_mut()
                .rev()
                .find(|l| l.dir == dir && l.service == label.service)
            {
                first.text = label.text.clone();
                return;
            }
        }
        let n = &mut log.each_way[dir as usize];
        if *n >= PER_DIR {
            return;
        }
        *n += 1;
        log.list.push(Label {
            frame,
            dir,
            service: label.service,
            text: label.text.clone(),
        });
    }
}
