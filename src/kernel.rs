//! The kernel's own view of a connection's ends: for an end that is a socket on this host (or
//! in the lab's namespaces), its state, timer and owning process as the kernel reports them
//! to `ss` (sock_diag netlink), shown beside what synack infers from the wire.
//!
//! The pure part is here and in [`diag`]: replies parsed into [`Sock`]s, a namespace's
//! sockets gathered in a [`Table`], and an end looked up by its 4-tuple ([`View::end`]). The
//! edges: [`poller`] (the netlink sockets, opened while the process still has its
//! privileges, and the thread that asks a few times a second) and [`owners`] (which process
//! holds a socket: /proc/PID/fd, as `ss -p` reads it).

pub mod diag;
pub mod owners;
pub mod poller;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;

use crate::decode::{Endpoint, Timestamp};
use crate::diagnose::{Finding, Kind};
use crate::i18n::Lang;
use crate::track::{Connection, Side, State};

/// One end as the kernel sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelEnd {
    /// CLOSED: the kernel has no socket on this 4-tuple (and, for an end synack says is
    /// LISTEN, no listener on its port either).
    pub state: State,
    /// Seconds until the socket's timer fires (retransmission, keep-alive, zero-window probe,
    /// TIME_WAIT's end), when one runs.
    pub timer_secs: Option<f64>,
    pub pid: Option<u32>,
    pub process: Option<String>,
}

impl KernelEnd {
    fn closed() -> KernelEnd {
        KernelEnd {
            state: State::Closed,
            timer_secs: None,
            pid: None,
            process: None,
        }
    }

    /// The JSON object (`state`, `timer`, `pid`, `process`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "state": self.state.name(),
            "timer": self.timer_secs,
            "pid": self.pid,
            "process": self.process,
        })
    }
}

/// One TCP socket in a sock_diag reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Sock {
    pub local: Endpoint,
    /// Unspecified (`0.0.0.0:0` or `[::]:0`) for a listener.
    pub remote: Endpoint,
    pub state: State,
    pub timer_secs: Option<f64>,
    /// 0 for sockets no file refers to: TIME_WAIT, SYN_RECV, orphans.
    pub inode: u32,
}

/// The process that holds a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    pub name: String,
}

/// The TCP sockets of one network namespace.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Addresses of this namespace: an end whose address is not one of them is not here.
    pub local_ips: Vec<IpAddr>,
    conns: HashMap<(Endpoint, Endpoint), KernelEnd>,
    listeners: Vec<(Endpoint, KernelEnd)>,
    inodes: Vec<u32>,
}

impl Table {
    /// Gathers `socks`, naming their owners from `owners` (by inode).
    pub fn new(local_ips: Vec<IpAddr>, socks: &[Sock], owners: &HashMap<u32, Owner>) -> Table {
        let mut t = Table {
            local_ips,
            ..Table::default()
        };
        t.inodes = socks.iter().map(|s| s.inode).filter(|i| *i != 0).collect();
        for s in socks {
            let owner = (s.inode != 0).then(|| owners.get(&s.inode)).flatten();
            let end = KernelEnd {
                state: s.state,
                timer_secs: s.timer_secs,
                pid: owner.map(|o| o.pid),
                process: owner.map(|o| o.name.clone()),
            };
            if s.state == State::Listen {
                t.listeners.push((s.local, end));
            } else {
                t.conns.insert((s.local, s.remote), end);
            }
        }
        t
    }

    /// Whether `ip` is an address of this namespace.
    pub fn is_local(&self, ip: IpAddr) -> bool {
        self.local_ips.contains(&ip)
    }

    /// The socket on `local` -> `remote`: the kernel's view of that end. With none, a
    /// listener on `local`'s port stands for an end synack says is still LISTEN (a SYN on
    /// this 4-tuple would go to it); otherwise the end is CLOSED.
    pub fn end(&self, local: Endpoint, remote: Endpoint, inferred: State) -> KernelEnd {
        if let Some(e) = self.conns.get(&(local, remote)) {
            return e.clone();
        }
        if inferred == State::Listen {
            let listener = self.listeners.iter().find(|(at, _)| {
                at.port == local.port && (at.ip == local.ip || at.ip.is_unspecified())
            });
            if let Some((_, e)) = listener {
                return e.clone();
            }
        }
        KernelEnd::closed()
    }

    /// The inodes of its sockets that have one.
    pub fn inodes(&self) -> impl Iterator<Item = u32> + '_ {
        self.inodes.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.conns.len() + self.listeners.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the kernel said, in every namespace asked, at one time.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub tables: Vec<Table>,
    /// When it was read (wall clock).
    pub at: Option<Timestamp>,
}

/// Both ends of a connection as the kernel sees them (None: not on this host).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KernelPair {
    pub client: Option<KernelEnd>,
    pub server: Option<KernelEnd>,
    /// When the kernel was read (wall clock), if known.
    pub read_at: Option<Timestamp>,
}

/// A connection whose last segment came this close before the kernel was read is not judged
/// against it: segments still in flight (sent, not yet captured) may have moved the kernel on.
const SETTLE_NS: i64 = Timestamp::NANOS_PER_SEC;

impl KernelPair {
    pub fn end(&self, side: Side) -> Option<&KernelEnd> {
        match side {
            Side::Client => self.client.as_ref(),
            Side::Server => self.server.as_ref(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.client.is_none() && self.server.is_none()
    }
}

impl View {
    /// The end at `local` talking to `remote`, in the first namespace that has `local`'s
    /// address; None when no namespace asked has it (the end is on another host).
    pub fn end(&self, local: Endpoint, remote: Endpoint, inferred: State) -> Option<KernelEnd> {
        self.tables
            .iter()
            .find(|t| t.is_local(local.ip))
            .map(|t| t.end(local, remote, inferred))
    }

    pub fn pair(&self, c: &Connection) -> KernelPair {
        let (cl, sv) = (c.client(), c.server());
        KernelPair {
            client: self.end(cl.addr, sv.addr, cl.state),
            server: self.end(sv.addr, cl.addr, sv.state),
            read_at: self.at,
        }
    }
}

/// One end as the kernel holds it, in words: its state (or no socket), its timer, its owner,
/// and what synack infers where that differs. The ladder's kernel line and `--text`'s.
pub fn end_words(k: &KernelEnd, inferred: State, lang: Lang) -> String {
    let w = &crate::i18n::messages(lang).kernel;
    let mut s = if k.state == State::Closed {
        w.no_socket.to_string()
    } else {
        k.state.name().to_string()
    };
    if let Some(t) = k.timer_secs {
        s.push_str(", ");
        s.push_str(&(w.left)(t));
    }
    if let (Some(pid), Some(name)) = (k.pid, &k.process) {
        s.push_str(&format!(" ({name} {pid})"));
    }
    if k.state != inferred {
        s.push_str(&(w.inferred)(inferred.name()));
    }
    s
}

/// Where what synack infers for an end and what the kernel holds differ: a finding for each
/// such end (CLOSED and LISTEN agree with a kernel that has no socket for the 4-tuple, see
/// [`Table::end`]).
pub fn findings(c: &Connection, pair: &KernelPair, text: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    if pair
        .read_at
        .is_some_and(|at| at.0.saturating_sub(c.last_seen.0) < SETTLE_NS)
    {
        return out;
    }
    for side in [Side::Client, Side::Server] {
        let (Some(k), end) = (pair.end(side), c.end(side)) else {
            continue;
        };
        if k.state == end.state {
            continue;
        }
        let mut sentence = String::new();
        if text {
            let _ = write!(
                sentence,
                "synack infers {} for the {} ({}) from the wire; the kernel says {}",
                end.state,
                side.name(),
                end.addr,
                if k.state == State::Closed {
                    "it has no socket on this 4-tuple (CLOSED)".to_string()
                } else {
                    k.state.name().to_string()
                }
            );
            if let (Some(t), State::TimeWait) = (k.timer_secs, k.state) {
                let _ = write!(sentence, ", {t:.0} s left");
            }
        }
        out.push(Finding {
            kind: Kind::KernelDisagrees,
            conn: c.id,
            side,
            endpoint: end.addr,
            since: c.last_seen,
            frames: c.events.last().map(|e| e.frame).into_iter().collect(),
            sentence,
            weight: 1.0,
            remaining: k.timer_secs.filter(|_| k.state == State::TimeWait),
            count: None,
            problem: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str) -> Endpoint {
        let a: std::net::SocketAddr = s.parse().unwrap();
        Endpoint {
            ip: a.ip(),
            port: a.port(),
        }
    }

    fn sock(local: &str, remote: &str, state: State, inode: u32) -> Sock {
        Sock {
            local: ep(local),
            remote: ep(remote),
            state,
            timer_secs: None,
            inode,
        }
    }

    fn table() -> Table {
        let owners = HashMap::from([(
            7,
            Owner {
                pid: 42,
                name: "nginx".into(),
            },
        )]);
        Table::new(
            vec!["10.0.0.2".parse().unwrap()],
            &[
                sock("0.0.0.0:80", "0.0.0.0:0", State::Listen, 7),
                Sock {
                    timer_secs: Some(54.2),
                    ..sock("10.0.0.2:80", "10.0.0.1:5000", State::TimeWait, 0)
                },
            ],
            &owners,
        )
    }

    #[test]
    fn an_end_is_its_socket_on_the_4_tuple() {
        let t = table();
        let e = t.end(ep("10.0.0.2:80"), ep("10.0.0.1:5000"), State::TimeWait);
        assert_eq!(
            (e.state, e.timer_secs, e.pid),
            (State::TimeWait, Some(54.2), None)
        );
    }

    #[test]
    fn a_listener_stands_only_for_an_end_still_listening() {
        let t = table();
        let e = t.end(ep("10.0.0.2:80"), ep("10.0.0.1:6000"), State::Listen);
        assert_eq!(
            (e.state, e.pid, e.process.as_deref()),
            (State::Listen, Some(42), Some("nginx"))
        );
        let e = t.end(ep("10.0.0.2:80"), ep("10.0.0.1:6000"), State::Closed);
        assert_eq!(e, KernelEnd::closed());
        let e = t.end(ep("10.0.0.2:81"), ep("10.0.0.1:6000"), State::Listen);
        assert_eq!(e.state, State::Closed);
    }

    #[test]
    fn an_end_on_another_host_has_no_kernel_view() {
        let v = View {
            tables: vec![table()],
            at: None,
        };
        assert!(v
            .end(ep("10.0.0.9:80"), ep("10.0.0.1:5000"), State::Established)
            .is_none());
        assert!(v
            .end(ep("10.0.0.2:80"), ep("10.0.0.1:5000"), State::Established)
            .is_some());
    }

    fn end(state: State) -> KernelEnd {
        KernelEnd {
            state,
            ..KernelEnd::closed()
        }
    }

    #[test]
    fn a_finding_for_each_end_the_kernel_holds_otherwise() {
        // synack: ESTABLISHED / SYN_RECEIVED (a SYN answered by a SYN+ACK).
        let t = crate::track::testkit::syn_received();
        let c = t.conn();
        let pair = KernelPair {
            client: Some(KernelEnd::closed()),
            server: Some(end(State::SynReceived)),
            read_at: None,
        };
        let f = findings(c, &pair, true);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].kind, f[0].side, f[0].problem),
            (Kind::KernelDisagrees, Side::Client, false)
        );
        assert!(
            f[0].sentence.contains("infers ESTABLISHED")
                && f[0].sentence.contains("no socket on this 4-tuple"),
            "{}",
            f[0].sentence
        );
        // An end on another host is not compared; agreeing ends give nothing.
        let pair = KernelPair {
            client: None,
            server: Some(end(State::SynReceived)),
            read_at: None,
        };
        assert!(findings(c, &pair, true).is_empty());
        // TIME_WAIT's time left is in the sentence and the finding.
        let pair = KernelPair {
            client: Some(KernelEnd {
                timer_secs: Some(54.4),
                ..end(State::TimeWait)
            }),
            server: None,
            read_at: None,
        };
        let f = findings(c, &pair, true);
        assert!(
            f[0].sentence
                .ends_with("the kernel says TIME_WAIT, 54 s left"),
            "{}",
            f[0].sentence
        );
        assert_eq!(f[0].remaining, Some(54.4));
    }

    #[test]
    fn a_connection_active_just_before_the_read_is_not_judged() {
        let t = crate::track::testkit::syn_received();
        let c = t.conn();
        let pair = |after_secs: f64| KernelPair {
            client: Some(KernelEnd::closed()),
            server: None,
            read_at: Some(Timestamp(
                c.last_seen.0 + (after_secs * Timestamp::NANOS_PER_SEC as f64) as i64,
            )),
        };
        // Half a second after its last segment: what is in flight may have moved the kernel.
        assert!(findings(c, &pair(0.5), true).is_empty());
        assert_eq!(findings(c, &pair(2.0), true).len(), 1);
    }

    #[test]
    fn text_output_has_a_kernel_line_under_the_header() {
        let t = crate::track::testkit::syn_received();
        let c = t.conn();
        let pair = KernelPair {
            client: Some(KernelEnd {
                timer_secs: Some(2.0),
                pid: Some(812),
                process: Some("curl".into()),
                ..KernelEnd::closed()
            }),
            server: None,
            read_at: None,
        };
        let text = |kernel, lang| {
            let opts = crate::output::OutputOptions {
                report_lang: lang,
                ..Default::default()
            };
            let mut out = String::new();
            crate::output::text::write_connection(&mut out, c, &opts, &[], kernel);
            out
        };
        let en = text(Some(&pair), Lang::En);
        let line = en.lines().find(|l| l.starts_with("  kernel: ")).expect(&en);
        assert_eq!(
            line,
            "  kernel: client no socket, 2 s left (curl 812) (synack infers ESTABLISHED); server not on this host"
        );
        // Right under the header, before the ladder.
        let at = |w: &str| en.lines().position(|l| l.contains(w)).unwrap();
        assert_eq!(at("  kernel: "), at("final state") + 1, "{en}");
        assert!(!text(None, Lang::En).contains("kernel:"));
        let zh = text(Some(&pair), Lang::Zh);
        assert!(zh.contains("不在本机"), "{zh}");
    }
}
