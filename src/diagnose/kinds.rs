//! What a finding is: its kinds (worst first), the finding itself, and the thresholds that
//! decide them.

use crate::decode::{Endpoint, Timestamp};
use crate::track::Side;

/// Thresholds, all in seconds. Time is capture time for files, wall-clock time live.
#[derive(Debug, Clone)]
pub struct DiagConfig {
    /// 2*MSL, for TIME_WAIT's remaining time.
    pub two_msl: f64,
    /// A CLOSE_WAIT, half-open handshake or zero window older than this is stuck.
    pub stuck_after: f64,
    /// An ESTABLISHED connection silent for longer than this is idle.
    pub idle_after: f64,
    /// Distinct sources of half-open connections to one server that make a SYN flood.
    pub flood_sources: usize,
    /// TIME_WAIT connections to one server, held by the same side, that make a pile.
    pub pile_min: u64,
}

impl Default for DiagConfig {
    fn default() -> Self {
        DiagConfig {
            two_msl: 60.0,
            stuck_after: 10.0,
            idle_after: 300.0,
            flood_sources: 10,
            pile_min: 10,
        }
    }
}

/// Kinds of finding, worst first (the report's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    HalfOpen,
    CloseWait,
    SynUnanswered,
    ZeroWindow,
    Reset,
    Refused,
    Retransmission,
    TimeWait,
    DupAck,
    Keepalive,
    Idle,
    /// What synack infers for an end is not what the kernel holds (live and lab runs, whose
    /// ends are sockets here: src/kernel).
    KernelDisagrees,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::HalfOpen,
        Kind::CloseWait,
        Kind::SynUnanswered,
        Kind::ZeroWindow,
        Kind::Reset,
        Kind::Refused,
        Kind::Retransmission,
        Kind::TimeWait,
        Kind::DupAck,
        Kind::Keepalive,
        Kind::Idle,
        Kind::KernelDisagrees,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::HalfOpen => "half_open",
            Kind::CloseWait => "close_wait",
            Kind::SynUnanswered => "syn_unanswered",
            Kind::ZeroWindow => "zero_window",
            Kind::Reset => "reset",
            Kind::Refused => "refused",
            Kind::Retransmission => "retransmission",
            Kind::TimeWait => "time_wait",
            Kind::DupAck => "dup_ack",
            Kind::Keepalive => "keepalive",
            Kind::Idle => "idle",
            Kind::KernelDisagrees => "kernel_disagrees",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::HalfOpen => "Half-open connections",
            Kind::CloseWait => "CLOSE_WAIT that never closes",
            Kind::SynUnanswered => "SYNs nobody answers",
            Kind::ZeroWindow => "Zero windows",
            Kind::Reset => "Resets",
            Kind::Refused => "Refused connections",
            Kind::Retransmission => "Retransmissions",
            Kind::TimeWait => "TIME_WAIT",
            Kind::DupAck => "Duplicate ACKs",
            Kind::Keepalive => "Keep-alives",
            Kind::Idle => "Idle connections",
            Kind::KernelDisagrees => "The kernel says otherwise",
        }
    }
}

/// One finding on one connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: Kind,
    pub conn: u64,
    /// The end it concerns.
    pub side: Side,
    pub endpoint: Endpoint,
    pub since: Timestamp,
    /// Frame numbers of the segments that prove it.
    pub frames: Vec<u64>,
    pub sentence: String,
    /// A size for ranking within a kind (seconds stuck, count of segments, ...).
    pub weight: f64,
    /// TIME_WAIT: 2*MSL left (seconds, inferred).
    pub remaining: Option<f64>,
    /// Counted segments (retransmissions, SYNs, dup ACKs, ...).
    pub count: Option<u64>,
    /// Something is wrong (as opposed to normal-but-worth-knowing, like a TIME_WAIT after a
    /// clean close): problems make `--diagnose` exit 1.
    pub problem: bool,
}

/// "s" unless `n` is one: `{n} segment{}`.
pub(crate) fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
