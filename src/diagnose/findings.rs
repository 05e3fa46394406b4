//! Per-connection findings: what is stuck or unhealthy, which end, since when, the segments
//! that prove it, and one plain sentence.

use std::fmt::Write as _;

use super::kinds::{plural, DiagConfig, Finding, Kind};
use crate::decode::Timestamp;
use crate::track::{Connection, Dir, Dropped, EventKind, Handshake, Marks, Side, State};

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
        // Replaced by a later SYN on the 4-tuple: a TIME_WAIT end that accepts it ends its
        // 2*MSL there (RFC 9293 3.10.7.4, RFC 6191), so no time is left to count, nor a pile
        // to join; the new connection's finding says how the SYN was answered.
        let (sentence, remaining) = if c.replaced {
            let s = say!(
                text,
                "the {} {} was in TIME_WAIT when a later SYN reused its 4-tuple: its 2*MSL ended there if that SYN was accepted (the next connection on this 4-tuple says)",
                role(side),
                end.addr
            );
            (s, None)
        } else {
            let s = say!(
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
            );
            (s, Some(remaining))
        };
        out.push(Finding {
            kind: Kind::TimeWait,
            conn: c.id,
            side,
            endpoint: end.addr,
            since,
            frames,
            sentence,
            weight: remaining.unwrap_or(0.0),
            remaining,
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
        out.push(refused(c, rst, text));
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
    // What the RST answers: the peer's last segment before it, if the capture holds one.
    let answered = c
        .events
        .iter()
        .any(|e| e.kind == EventKind::Segment && e.dir.sender() == by.other() && e.ts <= rst.ts);
    let what = if !sent_before || (c.mid_stream && silent_for > cfg.stuck_after) {
        if answered {
            say!(text,
                "{} reset a connection it does not know (a half-open peer: it restarted or lost the connection), in reply to a segment from {}",
                sender.addr, receiver.addr
            )
        } else {
            say!(text,
                "{} reset a connection the capture shows nothing else of (a half-open peer, or the start of the capture cut it): no segment from {} before it",
                sender.addr, receiver.addr
            )
        }
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

/// The server's RST answering the client's SYN: the port is closed.
fn refused(c: &Connection, rst: &crate::track::Event, text: bool) -> Finding {
    let sender = c.end(Side::Server);
    let receiver = c.end(Side::Client);
    let syn_t = c
        .events
        .iter()
        .find(|e| e.dir == Dir::C2S && e.flags.syn())
        .map(|e| e.ts)
        .unwrap_or(c.first_seen);
    Finding {
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
    }
}

fn half_open(c: &Connection, now: Timestamp, cfg: &DiagConfig, text: bool, out: &mut Vec<Finding>) {
    syn_received_stuck(c, now, cfg, text, out);
    sent_after_peer_reset(c, text, out);
    peer_went_silent(c, cfg, text, out);
}

/// SYN_RECEIVED that never completes.
fn syn_received_stuck(
    c: &Connection,
    now: Timestamp,
    cfg: &DiagConfig,
    text: bool,
    out: &mut Vec<Finding>,
) {
    let server = c.server();
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
}

/// Traffic from one end after the other reset the connection.
fn sent_after_peer_reset(c: &Connection, text: bool, out: &mut Vec<Finding>) {
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
                count: Some(u64::from(other.after_peer_rst)),
                problem: true,
            });
        }
    }
}

/// One end keeps sending while the other has gone silent for longer than stuck_after.
fn peer_went_silent(c: &Connection, cfg: &DiagConfig, text: bool, out: &mut Vec<Finding>) {
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

/// Frames of retransmitted FINs that acknowledge more than anything their sender had sent
/// before, sooner after its first FIN than any retransmission timer fires (Linux's floor is
/// 200 ms, RFC 6298's 1 s): sent in answer to the peer, not by a timer.
fn fin_answers(c: &Connection) -> Vec<u64> {
    const RTO_FLOOR_NS: i64 = 200_000_000;
    let mut out = Vec::new();
    let mut last_ack: [Option<u32>; 2] = [None, None];
    let mut first_fin: [Option<Timestamp>; 2] = [None, None];
    for e in c.events.iter().filter(|e| e.kind == EventKind::Segment) {
        let s = e.dir.sender() as usize;
        let new_ack =
            e.flags.ack() && last_ack[s].is_some_and(|a| (e.ack.wrapping_sub(a) as i32) > 0);
        let soon = first_fin[s].is_some_and(|t| e.ts.0 - t.0 < RTO_FLOOR_NS);
        if e.flags.fin() && e.len == 0 && e.marks.has(Marks::RETRANSMISSION) && new_ack && soon {
            out.push(e.frame);
        }
        if e.flags.fin() && first_fin[s].is_none() {
            first_fin[s] = Some(e.ts);
        }
        if e.flags.ack() {
            last_ack[s] = Some(match last_ack[s] {
                Some(a) if (a.wrapping_sub(e.ack) as i32) > 0 => a,
                _ => e.ack,
            });
        }
    }
    out
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
    // A FIN sent again carrying the first ACK of something new (the peer's crossing FIN, in a
    // simultaneous close: some stacks answer it so) answers a segment; no timer fired, nothing
    // was lost on the path.
    let answers = if count(Marks::RETRANSMISSION) > syn_retrans {
        fin_answers(c)
    } else {
        Vec::new()
    };
    let retrans = count(Marks::RETRANSMISSION)
        .saturating_sub(syn_retrans)
        .saturating_sub(answers.len() as u64);
    if retrans > 0 {
        let (side, mut frames) = by_side(Marks::RETRANSMISSION);
        // Not the SYNs' (a frame the cap left out is never a SYN: those are always kept).
        frames.retain(|(f, _)| {
            !c.events
                .iter()
                .any(|e| e.frame == *f && (e.flags.syn() || answers.contains(f)))
        });
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
    zero_window(c, now, cfg, text, out);
}

/// A zero window per end: stuck (the receiver stopped reading) or only slow.
fn zero_window(
    c: &Connection,
    now: Timestamp,
    cfg: &DiagConfig,
    text: bool,
    out: &mut Vec<Finding>,
) {
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

#[cfg(test)]
mod tests {
    //! One test per finding kind, on scripted conversations (see [`crate::testkit`]): what
    //! makes the finding, and what just short of it does not.
    use super::*;
    use crate::gen::Conv;
    use crate::testkit::{self, at, conv, ACK};

    const C: usize = 0;
    const S: usize = 1;

    fn findings(c: &Conv, now: f64) -> Vec<Finding> {
        diagnose(&testkit::connection(c), at(now), &DiagConfig::default())
    }

    fn kinds(c: &Conv, now: f64) -> Vec<Kind> {
        findings(c, now).iter().map(|f| f.kind).collect()
    }

    fn the(c: &Conv, now: f64, kind: Kind) -> Finding {
        let all = findings(c, now);
        let mut it = all.iter().filter(|f| f.kind == kind);
        let f = it
            .next()
            .unwrap_or_else(|| panic!("no {kind:?} in {all:#?}"))
            .clone();
        assert!(it.next().is_none(), "one {kind:?}: {all:#?}");
        f
    }

    /// SYN at 0, SYN+ACK at 0.01, ACK at 0.02.
    fn handshake() -> Conv {
        let mut c = conv(0.0);
        c.syn(0.0).syn_ack(0.01).ack_c(0.01);
        c
    }

    #[test]
    fn time_wait_is_held_by_the_end_that_closed_first_and_is_not_a_problem() {
        let mut c = handshake();
        c.fin_c(1.0).ack_s(0.01).fin_s(0.01).ack_c(0.01);
        let f = the(&c, 11.0, Kind::TimeWait);
        assert_eq!((f.side, f.endpoint), (Side::Client, testkit::client()));
        assert!(!f.problem);
        // Entered at 1.02 (the server's FIN): 60 s of 2*MSL, 10 s gone at 11.02.
        assert!((f.remaining.unwrap() - 50.0).abs() < 0.05, "{f:?}");
        assert_eq!(f.frames, [4, 6], "the two FINs");
        assert!(f.sentence.contains("closed first"), "{}", f.sentence);
    }

    #[test]
    fn close_wait_is_stuck_once_the_peers_fin_is_acknowledged_and_old_enough() {
        let mut c = handshake();
        c.fin_c(1.0).ack_s(0.01);
        let f = the(&c, 12.0, Kind::CloseWait);
        assert_eq!((f.side, f.endpoint), (Side::Server, testkit::server()));
        assert!(f.problem && (f.weight - 11.0).abs() < 0.05, "{f:?}");
        assert_eq!(
            f.frames,
            [4, 5],
            "the FIN, and the ACK that put the client in FIN_WAIT_2"
        );
        // Not yet stuck (--stuck-after 10 s).
        assert!(!kinds(&c, 5.0).contains(&Kind::CloseWait));
        // The FIN not acknowledged: it may be in flight.
        let mut unacked = handshake();
        unacked.fin_c(1.0);
        assert!(!kinds(&unacked, 60.0).contains(&Kind::CloseWait));
    }

    #[test]
    fn syn_unanswered_counts_every_syn_with_its_backoff() {
        let mut c = conv(0.0);
        c.syn(0.0).retransmit(1.0, C).retransmit(2.0, C);
        let f = the(&c, 10.0, Kind::SynUnanswered);
        assert_eq!(
            (f.side, f.count, f.frames.clone()),
            (Side::Server, Some(3), vec![1, 2, 3])
        );
        assert!(f.sentence.contains("at 0 s, 1 s, 3 s"), "{}", f.sentence);
        // One SYN a moment ago is not unanswered yet.
        let mut fresh = conv(0.0);
        fresh.syn(0.0);
        assert!(kinds(&fresh, 1.0).is_empty());
    }

    #[test]
    fn a_syn_answered_by_rst_is_refused_by_the_server() {
        let mut c = conv(0.0);
        c.syn(0.0).refuse(0.0005);
        let f = the(&c, 1.0, Kind::Refused);
        assert_eq!((f.side, f.frames.clone()), (Side::Server, vec![2]));
        assert!(
            f.sentence.starts_with("port 80 closed on 10.0.0.2"),
            "{}",
            f.sentence
        );
        assert!(!kinds(&c, 1.0).contains(&Kind::Reset));
    }

    #[test]
    fn a_reset_after_data_is_an_abortive_close_by_its_sender() {
        let mut c = handshake();
        c.data_c(0.1, 100).ack_s(0.01).rst_c(0.1);
        let f = the(&c, 1.0, Kind::Reset);
        assert_eq!((f.side, f.frames.clone()), (Side::Client, vec![6]));
        assert!(
            f.sentence
                .contains("aborted the connection in ESTABLISHED after 100 bytes"),
            "{}",
            f.sentence
        );
        assert!(!kinds(&c, 1.0).contains(&Kind::Refused));
    }

    #[test]
    fn syn_received_without_the_final_ack_is_half_open() {
        let mut c = conv(0.0);
        c.syn(0.0).syn_ack(0.01).retransmit(1.0, S);
        let f = the(&c, 5.0, Kind::HalfOpen);
        assert_eq!(
            (f.side, f.count, f.frames.clone()),
            (Side::Server, Some(2), vec![2, 3])
        );
        // One SYN+ACK a moment ago: the ACK may still come.
        let mut fresh = conv(0.0);
        fresh.syn(0.0).syn_ack(0.01);
        assert!(!kinds(&fresh, 1.0).contains(&Kind::HalfOpen));
    }

    #[test]
    fn sending_on_after_the_peers_reset_is_half_open() {
        let mut c = handshake();
        c.rst_s(0.1).data_c(0.1, 10);
        let f = the(&c, 1.0, Kind::HalfOpen);
        assert_eq!(
            (f.side, f.count, f.frames.clone()),
            (Side::Client, Some(1), vec![5])
        );
    }

    #[test]
    fn retransmitted_data_is_counted_against_its_sender() {
        let mut c = handshake();
        c.data_s(0.1, 500).retransmit(0.3, S).ack_c(0.01);
        let f = the(&c, 1.0, Kind::Retransmission);
        assert_eq!(
            (f.side, f.count, f.frames.clone()),
            (Side::Server, Some(1), vec![5])
        );
        assert!(f.problem);
        // The handshake's own SYN retransmissions are not counted here.
        let mut syns = conv(0.0);
        syns.syn(0.0).retransmit(1.0, C).syn_ack(0.01).ack_c(0.01);
        assert!(!kinds(&syns, 2.0).contains(&Kind::Retransmission));
    }

    #[test]
    fn the_same_ack_again_is_a_duplicate_ack_from_the_receiver() {
        let mut c = handshake();
        c.data_c(0.1, 100).ack_s(0.01).ack_s(0.01).ack_s(0.01);
        let f = the(&c, 1.0, Kind::DupAck);
        assert_eq!(
            (f.side, f.count, f.frames.clone()),
            (Side::Server, Some(2), vec![6, 7])
        );
    }

    #[test]
    fn a_zero_window_held_past_stuck_after_means_the_receiver_stopped_reading() {
        let mut c = handshake();
        c.data_c(0.1, 100);
        c.set_window(S, 0).ack_s(0.01);
        c.set_window(S, 65160).ack_s(12.0);
        let f = the(&c, 20.0, Kind::ZeroWindow);
        assert_eq!((f.side, f.frames.clone()), (Side::Server, vec![5]));
        assert!(
            f.sentence
                .contains("stopped reading: zero window for 12.0 s"),
            "{}",
            f.sentence
        );
        // Reopened quickly: still told, as a slow reader.
        let mut quick = handshake();
        quick.data_c(0.1, 100);
        quick.set_window(S, 0).ack_s(0.01);
        quick.set_window(S, 65160).ack_s(0.5);
        let f = the(&quick, 20.0, Kind::ZeroWindow);
        assert!(
            f.sentence.contains("advertised a zero window 1 time"),
            "{}",
            f.sentence
        );
    }

    #[test]
    fn an_empty_segment_one_below_the_next_sequence_number_is_a_keep_alive() {
        let mut c = handshake();
        let (seq, ack) = (c.next[C].wrapping_sub(1), c.rcv[C]);
        c.raw(45.0, C, ACK, seq, ack, 0).ack_s(0.01);
        let f = the(&c, 46.0, Kind::Keepalive);
        assert_eq!(
            (f.side, f.count, f.frames.clone()),
            (Side::Client, Some(1), vec![4])
        );
        assert!(!f.problem);
    }

    #[test]
    fn established_and_silent_past_idle_after_is_idle() {
        let c = handshake();
        let f = the(&c, 301.0, Kind::Idle);
        assert_eq!((f.side, f.frames.clone()), (Side::Client, vec![3]));
        assert!(!kinds(&c, 200.0).contains(&Kind::Idle));
    }

    #[test]
    fn a_clean_close_fully_over_has_no_finding() {
        let mut c = handshake();
        c.data_c(0.1, 100)
            .ack_s(0.01)
            .fin_s(0.1)
            .ack_c(0.01)
            .fin_c(0.01)
            .ack_s(0.01);
        // The server closed first; 2*MSL later its TIME_WAIT has run out in the tracker only
        // when it is advanced, so look while it holds: a TIME_WAIT (not a problem) only.
        assert_eq!(kinds(&c, 1.0), [Kind::TimeWait]);
        assert!(findings(&c, 1.0).iter().all(|f| !f.problem));
    }

    #[test]
    fn every_kind_has_a_test_above() {
        // A new kind needs its own test in this module: this list is the reminder. (One
        // more, kernel_disagrees, is made from the kernel's view in src/kernel.rs and tested
        // there: a_finding_for_each_end_the_kernel_holds_otherwise.)
        assert_eq!(Kind::ALL.len(), 12);
    }
}
