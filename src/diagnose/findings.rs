//! Per-connection findings: what is stuck or unhealthy, which end, since when, the segments
//! that prove it, and one plain sentence.

use std::fmt::Write as _;

use crate::decode::{Endpoint, Timestamp};
use crate::track::{Connection, Dir, Dropped, EventKind, Handshake, Marks, Side, State};

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
}

impl Kind {
    pub const ALL: [Kind; 11] = [
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

fn secs(ns: i64) -> f64 {
    ns as f64 / 1e9
}

fn role(side: Side) -> &'static str {
    side.name()
}

/// When `side` last entered `state` (from the connection's notable events, always kept).
pub fn entered(c: &Connection, side: Side, state: State) -> Option<(Timestamp, u64)> {
    c.events
        .iter()
        .rev()
        .find(|e| e.states[side as usize] == state && e.before[side as usize] != state)
        .map(|e| (e.ts, e.frame))
}

/// Segments that went `dir` marked `bit`, counting those the event cap left out.
fn marked(c: &Connection, dir: Dir, bit: u16) -> u64 {
    let kept = c
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Segment && e.dir == dir && e.marks.has(bit))
        .count();
    kept as u64 + c.dropped.marked(dir, bit)
}

/// The first [`Dropped::EVIDENCE`] segments marked `bit` that went `dir` (or either way), as
/// (frame, time) in capture order, kept in the event log or not: the same whatever the cap.
fn marked_evidence(c: &Connection, bit: u16, dir: Option<Dir>) -> Vec<(u64, Timestamp)> {
    let mut out: Vec<(u64, Timestamp)> = c
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Segment && e.marks.has(bit))
        .filter(|e| dir.is_none_or(|d| d == e.dir))
        .map(|e| (e.frame, e.ts))
        .chain(c.dropped.marked_frames(bit, dir))
        .collect();
    out.sort_unstable();
    out.truncate(Dropped::EVIDENCE);
    out
}

fn frames_where(c: &Connection, f: impl Fn(&crate::track::Event) -> bool, max: usize) -> Vec<u64> {
    c.events
        .iter()
        .filter(|e| e.kind == EventKind::Segment && f(e))
        .map(|e| e.frame)
        .take(max)
        .collect()
}

/// Every finding on one connection, as of capture time `now`.
pub fn diagnose(c: &Connection, now: Timestamp, cfg: &DiagConfig) -> Vec<Finding> {
    diagnose_with(c, now, cfg, true)
}

/// [`diagnose`], with the sentences written only if `text`: otherwise every field but
/// `sentence` (left empty) is the same. The `--diagnose` report shows the sentences of a
/// few findings per kind but counts all of them; formatting one per finding was a third of
/// the report's time.
pub fn diagnose_with(c: &Connection, now: Timestamp, cfg: &DiagConfig, text: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    time_wait(c, now, cfg, text, &mut out);
    close_wait(c, now, cfg, text, &mut out);
    syn_unanswered(c, now, text, &mut out);
    refused_or_reset(c, cfg, text, &mut out);
    half_open(c, now, cfg, text, &mut out);
    counted(c, now, cfg, text, &mut out);
    idle(c, now, cfg, text, &mut out);
    out
}

/// `format!` when sentences are wanted, else an empty string (no allocation).
macro_rules! say {
    ($text:expr, $($arg:tt)*) => {
        if $text {
            format!($($arg)*)
        } else {
            String::new()
        }
    };
}

fn time_wait(c: &Connection, now: Timestamp, cfg: &DiagConfig, text: bool, out: &mut Vec<Finding>) {
    for side in [Side::Client, Side::Server] {
        let end = c.end(side);
        if end.state != State::TimeWait {
            continue;
        }
        let since = end.time_wait_since.get().unwrap_or(c.last_seen);
        let remaining = (cfg.two_msl - now.secs_since(since)).max(0.0);
        let frames = frames_where(c, |e| e.flags.fin(), 4);
        out.push(Finding {
            kind: Kind::TimeWait,
            conn: c.id,
            side,
            endpoint: end.addr,
            since,
            frames,
            sentence: say!(
                text,
                "the {} {} {} and holds TIME_WAIT for 2*MSL; {:.1} s left (inferred)",
                role(side),
                end.addr,
                if c.end(side.other()).state == State::TimeWait {
                    "closed at the same time as its peer (simultaneous close)"
                } else {
                    "closed first"
                },
                remaining
            ),
            weight: remaining,
            remaining: Some(remaining),
            count: None,
            problem: false,
        });
    }
    // A new SYN on a 4-tuple still in TIME_WAIT: how the other end answered it.
    if let Some(prev) = c.reused_from {
        if prev.contains(&State::TimeWait) {
            let answer = c
                .events
                .iter()
                .find(|e| e.dir == Dir::S2C && e.kind == EventKind::Segment);
            let how = match answer {
                Some(e) if e.flags.syn() && e.flags.ack() => "accepted (SYN+ACK)",
                Some(e) if e.flags.rst() => "answered with a RST",
                Some(e) if e.flags.ack() => "answered with an ACK for the old connection",
                _ => "not answered in the capture",
            };
            let accepted = how.starts_with("accepted");
            let frames = frames_where(c, |e| e.flags.syn(), 2);
            out.push(Finding {
                kind: Kind::TimeWait,
                conn: c.id,
                side: Side::Client,
                endpoint: c.client().addr,
                since: c.first_seen,
                frames,
                sentence: say!(
                    text,
                    "new SYN from {} on a 4-tuple still in TIME_WAIT (connection #{}): {how}",
                    c.client().addr,
                    c.reuses.unwrap_or(0)
                ),
                weight: 0.0,
                remaining: None,
                count: None,
                problem: !accepted,
            });
        }
    }
}

fn close_wait(
    c: &Connection,
    now: Timestamp,
    cfg: &DiagConfig,
    text: bool,
    out: &mut Vec<Finding>,
) {
    for side in [Side::Client, Side::Server] {
        let end = c.end(side);
        if end.state != State::CloseWait {
            continue;
        }
        let peer = c.end(side.other());
        // Only once the peer's FIN is acknowledged (the peer sits in FIN_WAIT_2): before that
        // the FIN may simply be in flight.
        if peer.state != State::FinWait2 {
            continue;
        }
        let (since, frame) = entered(c, side, State::CloseWait).unwrap_or((c.last_seen, 0));
        let stuck = now.secs_since(since);
        if stuck < cfg.stuck_after {
            continue;
        }
        let mut frames = vec![frame];
        frames.extend(frames_where(
            c,
            |e| {
                e.states[side.other() as usize] == State::FinWait2
                    && e.before[side.other() as usize] != State::FinWait2
            },
            1,
        ));
        frames.retain(|f| *f != 0);
        out.push(Finding {
            kind: Kind::CloseWait,
            conn: c.id,
            side,
            endpoint: end.addr,
            since,
            frames,
            sentence: say!(
                text,
                "the application on {} has not closed its socket: CLOSE_WAIT for {:.1} s after the {}'s FIN was acknowledged; the {} {} waits in FIN_WAIT_2",
                end.addr,
                stuck,
                role(side.other()),
                role(side.other()),
                peer.addr
            ),
            weight: stuck,
            remaining: None,
            count: None,
            problem: true,
        });
    }
}

fn syn_unanswered(c: &Connection, now: Timestamp, text: bool, out: &mut Vec<Finding>) {
    let client = c.client();
    if client.state != State::SynSent || c.server().packets > 0 {
        return;
    }
    let syns: Vec<(Timestamp, u64)> = c
        .events
        .iter()
        .filter(|e| e.dir == Dir::C2S && e.flags.syn() && !e.flags.ack())
        .map(|e| (e.ts, e.frame))
        .collect();
    let Some(&(first, _)) = syns.first() else {
        return;
    };
    // A SYN sent a moment ago is not yet unanswered.
    if syns.len() < 2 && now.secs_since(first) < 3.0 {
        return;
    }
    let mut times = String::new();
    for (i, (t, _)) in syns.iter().enumerate().filter(|_| text) {
        if i > 0 {
            times.push_str(", ");
        }
        let _ = write!(times, "{:.1} s", t.secs_since(first));
    }
    out.push(Finding {
        kind: Kind::SynUnanswered,
        conn: c.id,
        side: Side::Server,
        endpoint: c.server().addr,
        since: first,
        frames: syns.iter().map(|s| s.1).collect(),
        sentence: say!(
            text,
            "{} SYN{} from {} to {} at {}, no answer: a firewall drops it or the host is down",
            syns.len(),
            if syns.len() == 1 { "" } else { "s" },
            client.addr,
            c.server().addr,
            times.replace(".0 s", " s")
        ),
        weight: syns.len() as f64,
        remaining: None,
        count: Some(syns.len() as u64),
        problem: true,
    });
}

fn refused_or_reset(c: &Connection, cfg: &DiagConfig, text: bool, out: &mut Vec<Finding>) {
    let Some(by) = c.rst_by else {
        return;
    };
    let Some(rst) = c.events.iter().find(|e| {
        e.kind == EventKind::Segment
            && e.flags.rst()
            && e.dir.sender() == by
            && !e.marks.has(Marks::RST_IGNORED)
    }) else {
        return;
    };
    let sender = c.end(by);
    let receiver = c.end(by.other());
    let before = rst.before;
    // Refused: the client's SYN answered by the server's RST.
    if by == Side::Server && before[0] == State::SynSent && c.handshake() != Handshake::Complete {
        let syn_t = c
            .events
            .iter()
            .find(|e| e.dir == Dir::C2S && e.flags.syn())
            .map(|e| e.ts)
            .unwrap_or(c.first_seen);
        out.push(Finding {
            kind: Kind::Refused,
            conn: c.id,
            side: Side::Server,
            endpoint: sender.addr,
            since: rst.ts,
            frames: vec![rst.frame],
            sentence: say!(
                text,
                "port {} closed on {}: the SYN from {} was answered by {} after {:.3} ms",
                sender.addr.port,
                sender.addr.ip,
                receiver.addr,
                rst.flags,
                rst.ts.secs_since(syn_t) * 1000.0
            ),
            weight: 1.0,
            remaining: None,
            count: None,
            problem: true,
        });
        return;
    }
    let bytes = c.bytes();
    let sent_before = c
        .events
        .iter()
        .any(|e| e.kind == EventKind::Segment && e.dir.sender() == by && e.ts < rst.ts);
    let silent_for = sender
        .last_ts
        .get()
        .map(|_| {
            // Gap between the RST sender's previous segment and the RST.
            c.events
                .iter()
                .filter(|e| e.dir.sender() == by && e.ts < rst.ts && e.kind == EventKind::Segment)
                .map(|e| rst.ts.secs_since(e.ts))
                .fold(f64::INFINITY, f64::min)
        })
        .unwrap_or(f64::INFINITY);
    let state_before = before[by as usize];
    let what = if !sent_before || (c.mid_stream && silent_for > cfg.stuck_after) {
        say!(text,
            "{} reset a connection it does not know (a half-open peer: it restarted or lost the connection), in reply to a segment from {}",
            sender.addr, receiver.addr
        )
    } else if before[by as usize] == State::Established
        && before[by.other() as usize] == State::SynReceived
    {
        say!(text, "the {} {} aborted the handshake with a RST (a half-open scan or a client that gave up)", role(by), sender.addr)
    } else if bytes > 0 {
        say!(text,
            "the {} {} aborted the connection in {} after {} bytes (an abortive close: data still unread, SO_LINGER 0 or a crash)",
            role(by),
            sender.addr,
            state_before,
            bytes
        )
    } else {
        say!(
            text,
            "the {} {} reset the connection in {} before any data",
            role(by),
            sender.addr,
            state_before
        )
    };
    out.push(Finding {
        kind: Kind::Reset,
        conn: c.id,
        side: by,
        endpoint: sender.addr,
        since: rst.ts,
        frames: vec![rst.frame],
        sentence: what,
        weight: bytes as f64,
        remaining: None,
        count: None,
        problem: true,
    });
}

fn half_open(c: &Connection, now: Timestamp, cfg: &DiagConfig, text: bool, out: &mut Vec<Finding>) {
    let server = c.server();
    // SYN_RECEIVED that never completes.
    if server.state == State::SynReceived {
        let synacks = frames_where(
            c,
            |e| e.dir == Dir::S2C && e.flags.syn() && e.flags.ack(),
            16,
        );
        let since = entered(c, Side::Server, State::SynReceived).map_or(c.first_seen, |x| x.0);
        let age = now.secs_since(since);
        if synacks.len() > 1 || age >= cfg.stuck_after.min(3.0) {
            out.push(Finding {
                kind: Kind::HalfOpen,
                conn: c.id,
                side: Side::Server,
                endpoint: server.addr,
                since,
                count: Some(synacks.len() as u64),
                frames: synacks.clone(),
                sentence: say!(
                text,
                    "{} stays in SYN_RECEIVED: SYN+ACK sent {} time{}, no final ACK from {} in {:.1} s (spoofed source, SYN flood, or the client is gone)",
                    server.addr,
                    synacks.len(),
                    if synacks.len() == 1 { "" } else { "s" },
                    c.client().addr,
                    age
                ),
                weight: age,
                remaining: None,
                problem: true,
            });
        }
    }
    // Traffic from one end after the other reset the connection.
    if let Some(by) = c.rst_by {
        let other = c.end(by.other());
        if other.after_peer_rst > 0 {
            let frames = frames_where(
                c,
                |e| e.dir.sender() == by.other() && c.rst_at.get().is_some_and(|t| e.ts > t),
                8,
            );
            out.push(Finding {
                kind: Kind::HalfOpen,
                conn: c.id,
                side: by.other(),
                endpoint: other.addr,
                since: c.rst_at.get().unwrap_or(c.last_seen),
                frames,
                sentence: say!(
                text,
                    "{} kept sending ({} segment{}) after {} reset the connection: it still believes the connection is open",
                    other.addr,
                    other.after_peer_rst,
                    if other.after_peer_rst == 1 { "" } else { "s" },
                    c.end(by).addr
                ),
                weight: other.after_peer_rst as f64,
                remaining: None,
                count: Some(other.after_peer_rst),
                problem: true,
            });
        }
    }
    // One end keeps sending while the other has gone silent for longer than stuck_after.
    if c.states().iter().all(|s| *s == State::Established) {
        for side in [Side::Client, Side::Server] {
            let (me, peer) = (c.end(side), c.end(side.other()));
            if let (Some(mine), Some(theirs)) = (me.last_ts.get(), peer.last_ts.get()) {
                let silent = mine.secs_since(theirs);
                let unanswered = c
                    .events
                    .iter()
                    .filter(|e| {
                        e.dir.sender() == side
                            && e.ts > theirs
                            && e.marks.has(Marks::RETRANSMISSION)
                    })
                    .count();
                if silent > cfg.stuck_after && unanswered >= 2 {
                    out.push(Finding {
                        kind: Kind::HalfOpen,
                        conn: c.id,
                        side: side.other(),
                        endpoint: peer.addr,
                        since: theirs,
                        frames: frames_where(c, |e| e.dir.sender() == side && e.ts > theirs, 8),
                        sentence: say!(
                text,
                            "{} went silent {:.1} s ago while {} keeps retransmitting ({} times): the peer is gone (half-open)",
                            peer.addr, silent, me.addr, unanswered
                        ),
                        weight: silent,
                        remaining: None,
                        count: Some(unanswered as u64),
                        problem: true,
                    });
                }
            }
        }
    }
}

fn counted(c: &Connection, now: Timestamp, cfg: &DiagConfig, text: bool, out: &mut Vec<Finding>) {
    let dur = c.last_seen.secs_since(c.first_seen).max(1e-3);
    let count = |bit: u16| Marks::index(bit).map_or(0, |i| u64::from(c.mark_counts[i]));
    // Who sent the marked segments and the first of them (frame, time), counting those the
    // event cap left out: the same whatever the cap.
    let by_side = |bit: u16| -> (Side, Vec<(u64, Timestamp)>) {
        let frames = marked_evidence(c, bit, None);
        let (c2s, s2c) = (marked(c, Dir::C2S, bit), marked(c, Dir::S2C, bit));
        (
            if c2s >= s2c {
                Side::Client
            } else {
                Side::Server
            },
            frames,
        )
    };
    // SYN retransmissions belong to syn_unanswered / half_open; count the others.
    let syn_retrans = c
        .events
        .iter()
        .filter(|e| e.flags.syn() && e.marks.has(Marks::RETRANSMISSION))
        .count() as u64;
    let retrans = count(Marks::RETRANSMISSION).saturating_sub(syn_retrans);
    if retrans > 0 {
        let (side, mut frames) = by_side(Marks::RETRANSMISSION);
        // Not the SYNs' (a frame the cap left out is never a SYN: those are always kept).
        frames.retain(|(f, _)| !c.events.iter().any(|e| e.frame == *f && e.flags.syn()));
        let pct = 100.0 * retrans as f64 / c.packets().max(1) as f64;
        let sentence = say!(
                text,
            "{} retransmission{} ({:.1}% of {} segments, {:.2}/s), mostly from {}: loss or congestion on the path",
            retrans,
            plural(retrans),
            pct,
            c.packets(),
            retrans as f64 / dur,
            c.end(side).addr
        );
        out.push(per_count(
            c,
            Kind::Retransmission,
            side,
            frames,
            retrans,
            sentence,
            true,
        ));
    }
    let dups = count(Marks::DUP_ACK);
    if dups > 0 {
        let (side, frames) = by_side(Marks::DUP_ACK);
        let sentence = say!(
            text,
            "{} duplicate ACK{} from {} ({:.2}/s): it is missing data and asking for it again",
            dups,
            plural(dups),
            c.end(side).addr,
            dups as f64 / dur
        );
        out.push(per_count(
            c,
            Kind::DupAck,
            side,
            frames,
            dups,
            sentence,
            true,
        ));
    }
    let keep = count(Marks::KEEPALIVE);
    if keep > 0 {
        let (side, frames) = by_side(Marks::KEEPALIVE);
        let sentence = say!(
            text,
            "{} keep-alive probe{} from {}",
            keep,
            plural(keep),
            c.end(side).addr
        );
        out.push(per_count(
            c,
            Kind::Keepalive,
            side,
            frames,
            keep,
            sentence,
            false,
        ));
    }
    for side in [Side::Client, Side::Server] {
        let end = c.end(side);
        let open = end.zero_window_since.get().map_or(0, |t| now.0 - t.0);
        let longest = end.zero_window_longest.max(open);
        let dir = if side == Side::Client {
            Dir::C2S
        } else {
            Dir::S2C
        };
        let zw = marked(c, dir, Marks::ZERO_WINDOW);
        if zw == 0 && longest == 0 {
            continue;
        }
        let stuck = secs(longest) >= cfg.stuck_after;
        let evidence = marked_evidence(c, Marks::ZERO_WINDOW, Some(dir));
        let since = end
            .zero_window_since
            .get()
            .or(evidence.first().map(|(_, t)| *t))
            .unwrap_or(c.first_seen);
        let sentence = if stuck {
            say!(
                text,
                "the receiver at {} stopped reading: zero window for {:.1} s{}",
                end.addr,
                secs(longest),
                if open > 0 { " and still closed" } else { "" }
            )
        } else {
            say!(text,
                "{} advertised a zero window {} time{} (longest {:.1} s): its application reads slower than data arrives",
                end.addr,
                zw,
                if zw == 1 { "" } else { "s" },
                secs(longest)
            )
        };
        out.push(Finding {
            kind: Kind::ZeroWindow,
            conn: c.id,
            side,
            endpoint: end.addr,
            since,
            frames: evidence.into_iter().map(|(f, _)| f).collect(),
            sentence,
            weight: secs(longest),
            remaining: None,
            count: Some(zw),
            problem: true,
        });
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A finding that counts marked segments (weighted by the count), since the first of them (`evidence`: frames and
/// times, in capture order).
fn per_count(
    c: &Connection,
    kind: Kind,
    side: Side,
    evidence: Vec<(u64, Timestamp)>,
    n: u64,
    sentence: String,
    problem: bool,
) -> Finding {
    Finding {
        kind,
        conn: c.id,
        side,
        endpoint: c.end(side).addr,
        since: evidence.first().map_or(c.first_seen, |(_, t)| *t),
        frames: evidence.into_iter().map(|(f, _)| f).collect(),
        sentence,
        weight: n as f64,
        remaining: None,
        count: Some(n),
        problem,
    }
}

fn idle(c: &Connection, now: Timestamp, cfg: &DiagConfig, text: bool, out: &mut Vec<Finding>) {
    if !c.states().iter().all(|s| *s == State::Established) {
        return;
    }
    let silent = now.secs_since(c.last_seen);
    if silent < cfg.idle_after {
        return;
    }
    let keepalives = marked(c, Dir::C2S, Marks::KEEPALIVE) + marked(c, Dir::S2C, Marks::KEEPALIVE);
    out.push(Finding {
        kind: Kind::Idle,
        conn: c.id,
        side: Side::Client,
        endpoint: c.client().addr,
        since: c.last_seen,
        // The last segment, kept or left out by the event cap.
        frames: c
            .events
            .last()
            .map(|e| e.frame)
            .max(c.dropped.runs().last().map(|r| r.last_frame))
            .into_iter()
            .collect(),
        sentence: say!(
                text,
            "ESTABLISHED and silent for {:.0} s{}",
            silent,
            if keepalives > 0 {
                format!(" ({keepalives} keep-alive probes seen before: the ends still check on each other)")
            } else {
                " (no keep-alive probes seen: if a peer vanished, nothing will notice)".to_string()
            }
        ),
        weight: silent,
        remaining: None,
        count: None,
        problem: true,
    });
}

