//! Plain-language narration of a ladder row, in every language, for teaching.
//!
//! All wording lives in the tables below (in English; [`crate::i18n`] translates it): what a segment kind means (by its flags), what
//! entering each state means, and the few connecting phrases. [`narrate`] only assembles them:
//! "{sender} sends {FLAGS}: {meaning} and enters {STATE}. {receiver}, on receiving it,
//! enters {STATE}."

use crate::decode::Flags;
use crate::output::thousands;
use crate::track::{Connection, Event, EventKind, Marks, Side, State};

use crate::i18n::{t, Lang, Text};

/// What kind of segment it is, for its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Syn,
    SynAck,
    Fin,
    Rst,
    /// A RST answering a SYN from an end that never sent a SYN+ACK: nothing listens.
    Refused,
    Data,
    Ack,
    /// The handshake's third segment: the ACK that moves its receiver out of SYN_RECEIVED.
    HandshakeAck,
    /// An ACK that acknowledges its receiver's FIN.
    FinAck,
    Other,
}

impl Kind {
    pub fn of(f: Flags, len: u32) -> Kind {
        if f.rst() {
            Kind::Rst
        } else if f.syn() && f.ack() {
            Kind::SynAck
        } else if f.syn() {
            Kind::Syn
        } else if f.fin() {
            Kind::Fin
        } else if len > 0 {
            Kind::Data
        } else if f.ack() {
            Kind::Ack
        } else {
            Kind::Other
        }
    }

    /// The kind of event `e` of `c`, told by what it did to the ends as well as its flags.
    pub fn in_context(c: &Connection, e: &Event) -> Kind {
        let r = e.dir.sender().other() as usize;
        let (before, after) = (e.before[r], e.states[r]);
        match Kind::of(e.flags, e.len) {
            Kind::Rst if before == State::SynSent && !sent_syn_ack(c, e.dir.sender()) => {
                Kind::Refused
            }
            Kind::Ack if before == State::SynReceived && after == State::Established => {
                Kind::HandshakeAck
            }
            Kind::Ack
                if matches!(
                    (before, after),
                    (State::FinWait1, State::FinWait2)
                        | (State::Closing, State::TimeWait)
                        | (State::LastAck, State::Closed)
                ) =>
            {
                Kind::FinAck
            }
            k => k,
        }
    }
}

/// Whether `side` sent a SYN+ACK in `c` (the proof that a socket listened).
fn sent_syn_ack(c: &Connection, side: Side) -> bool {
    c.events
        .iter()
        .any(|e| e.dir.sender() == side && e.flags.syn() && e.flags.ack())
}

/// What sending each kind of segment means. `{n}` is the payload length, `{peer}` the
/// receiver, `{port}` the sender's port. Each sentence follows RFC 9293 (the section is cited
/// beside it).
pub const MEANING: [(Kind, Text); 10] = [
    // 3.5: a SYN carries the sender's initial sequence number.
    (
        Kind::Syn,
        t("it asks to open a connection, with its initial sequence number (ISN),"),
    ),
    // 3.5: the SYN+ACK is the server's own SYN and the ACK of the client's; accept() hands
    // the connection over only once the handshake is complete (ESTABLISHED).
    (
        Kind::SynAck,
        t("it agrees: its own SYN (with its ISN) and the ACK of {peer}'s SYN (ack = that ISN + 1); accept() returns only after the final ACK"),
    ),
    // 3.6: a FIN closes one direction only; it takes one sequence number.
    (
        Kind::Fin,
        t("its application called close() or shutdown(): it sends no more data, closing its direction only,"),
    ),
    // 3.10.7: a RST in a synchronized state aborts the connection.
    (
        Kind::Rst,
        t("it aborts the connection at once (no FIN exchange; data not yet delivered is lost)"),
    ),
    // 3.10.7.1: a segment to a port where no socket listens (CLOSED) is answered by a RST.
    (
        Kind::Refused,
        t("no socket is listening on port {port}, so its kernel refuses the connection"),
    ),
    (
        Kind::Data,
        t("it carries {n} bytes of data"),
    ),
    // 3.4: an ACK says which sequence number the sender expects next.
    (
        Kind::Ack,
        t("it acknowledges what it has received so far (ack = the next sequence number it expects)"),
    ),
    // 3.5 and 3.5.1: each side's ISN must be acknowledged by the other, and the third
    // segment lets an old duplicate SYN be told apart and refused.
    (
        Kind::HandshakeAck,
        t("it acknowledges {peer}'s SYN (ack = its ISN + 1), the third segment of the handshake. Three are needed: each side's ISN must be acknowledged by the other, and an old duplicate SYN can then be refused instead of opening a connection"),
    ),
    // 3.6: a FIN takes one sequence number, so its ACK is the FIN's seq + 1.
    (
        Kind::FinAck,
        t("it acknowledges {peer}'s FIN (a FIN takes one sequence number: ack = the FIN's seq + 1)"),
    ),
    (
        Kind::Other,
        t("an unusual combination of flags"),
    ),
];

/// What entering each state means (said after "enters STATE"), from RFC 9293 3.3.2.
pub const STATE_MEANING: [(State, Text); 11] = [
    (State::Closed, t("no connection is left")),
    (
        State::Listen,
        t("its application called listen(): waiting for a SYN"),
    ),
    (
        State::SynSent,
        t("its application called connect(): waiting for the SYN+ACK"),
    ),
    (
        State::SynReceived,
        t("waiting for the handshake's last ACK: its own ISN is not acknowledged yet"),
    ),
    (
        State::Established,
        t("data can flow both ways"),
    ),
    (
        State::FinWait1,
        t("waiting for its FIN to be acknowledged"),
    ),
    (
        State::FinWait2,
        t("its direction is closed; waiting for the other end's FIN"),
    ),
    // 3.6: each direction closes on its own; the ACK goes now, the FIN when the application
    // closes, which is why a close usually takes four segments.
    (
        State::CloseWait,
        t("the peer is done sending: its application reads EOF (read() = 0), may still send, then calls close(); each direction closes on its own, hence four segments"),
    ),
    (
        State::Closing,
        t("both FINs crossed, waiting for the ACK of its own"),
    ),
    (
        State::LastAck,
        t("waiting for the ACK of its FIN"),
    ),
    // 3.6.1 and 3.4: the last ACK may be lost, the peer then resends its FIN and this end
    // must still be there to acknowledge it (the timer starts again); and old duplicates of
    // this connection die out before its 4-tuple is used again.
    (
        State::TimeWait,
        t("it waits 2*MSL: should its last ACK be lost, the peer resends its FIN and this end must still be there to answer it (the wait restarts); and old duplicates die out before these addresses and ports are reused. MSL: 2 min in RFC 9293; Linux waits 60 s (--msl, 30 s by default)"),
    ),
];

/// A refused connect(): said of the client entering CLOSED.
pub const REFUSED_CLOSED: Text = t("no socket is listening: connect() fails with ECONNREFUSED");
/// A FIN whose ACK also acknowledges the receiver's FIN (FIN_WAIT_1 straight to TIME_WAIT).
pub const THREE_SEGMENT_CLOSE: Text = t(" Its ACK also acknowledges {peer}'s FIN, so one segment does the work of two: this close takes three segments instead of four.");

/// Connecting phrases.
pub const CLIENT: Text = t("The client");
pub const SERVER: Text = t("The server");
pub const CLIENT_LOWER: Text = t("the client");
pub const SERVER_LOWER: Text = t("the server");
/// "{who} sends {flags}: {meaning}"
pub const SENDS: Text = t("{who} sends {flags}: {meaning}");
/// Sender's transition, appended to the first sentence.
pub const AND_ENTERS: Text = t(" and enters {state}{note}");
pub const STAYS: Text = t("; it stays in {state}");
/// Receiver's transition, a second sentence.
pub const ON_RECEIVING: Text = t(" {who}, on receiving it, enters {state}{note}");
pub const END: Text = t(".");
/// "(...: meaning)" after a state.
pub const STATE_NOTE: Text = t(" ({meaning})");
pub const RETRANSMISSION: Text = t(" It is a retransmission: the earlier copy got no answer.");
pub const OTHER_MARKS: Text = t(" Note: {marks}.");
pub const TIME_WAIT_OVER: Text = t("2*MSL has passed since {who} entered TIME_WAIT: it is now CLOSED (inferred, no packet shows it).");
pub const NOT_CAPTURED: Text = t("Not captured, inferred from the segment after it: ");
pub const BEFORE: Text = t("Before the first segment: the client is {c} and the server is {s}.");
pub const FOLDED: Text =
    t("{n} data and ACK segments with no state change, folded: Enter shows them.");
pub const DROPPED: Text = t("{n} data and ACK segments ({bytes} bytes) here were not kept: a connection keeps at most --max-events events; its handshake, teardown and every state change always are.");
pub const DROPPED_ONE: Text = t("1 data or ACK segment ({bytes} bytes) here was not kept: a connection keeps at most --max-events events; its handshake, teardown and every state change always are.");
pub const NOTHING: Text = t("No connection selected yet.");

/// What the payload of a labelled segment is ([`crate::decode::app`]), one sentence after the
/// TCP ones: the application layer riding on the connection (the course's five layers).
pub const APP_TLS_HELLO: Text = t(" {https}A TLS handshake now starts on top of the TCP connection ({label}): what follows is encrypted, TCP only carries it.");
pub const APP_TLS_ANSWER: Text = t(" {https}The server answers the TLS handshake ({label}).");
pub const APP_HTTPS: Text = t("HTTPS: ");
pub const APP_WS_ASK: Text =
    t(" HTTP: {label}: the client asks to turn this HTTP connection into a WebSocket.");
pub const APP_WS_SWITCH: Text = t(
    " WebSocket: {label}: from here the same TCP connection carries WebSocket frames both ways.",
);
pub const APP_HTTP: Text =
    t(" HTTP: {label}: an application-layer message, carried in TCP's byte stream.");
pub const APP_SSH: Text = t(" SSH: each end first sends its version line ({label}); the key exchange and then encrypted data follow.");
pub const APP_DNS: Text = t(" DNS over TCP: {label} (DNS uses TCP for large answers and zone transfers; most queries go over UDP).");
pub const APP_LINE: Text =
    t(" {service}: {label}: a line of the application protocol on top of TCP.");
pub const APP_UNKNOWN: Text = t(" The data begins: {label}.");

fn meaning(k: Kind) -> Text {
    MEANING
        .iter()
        .find(|(kk, _)| *kk == k)
        .map(|(_, t)| *t)
        .unwrap_or(MEANING[MEANING.len() - 1].1)
}

fn state_meaning(s: State) -> Text {
    STATE_MEANING
        .iter()
        .find(|(st, _)| *st == s)
        .map(|(_, t)| *t)
        .unwrap_or(STATE_MEANING[0].1)
}

fn who(side: Side, upper: bool) -> Text {
    match (side, upper) {
        (Side::Client, true) => CLIENT,
        (Side::Server, true) => SERVER,
        (Side::Client, false) => CLIENT_LOWER,
        (Side::Server, false) => SERVER_LOWER,
    }
}

/// Fills `{state}` and `{note}` (what entering the state means) in `text`.
fn with_state(text: Text, s: State, lang: Lang) -> String {
    with_note(text, s, state_meaning(s).get(lang), lang)
}

/// Fills `{state}` and `{note}` (`m`, in brackets) in `text`.
fn with_note(text: Text, s: State, m: &str, lang: Lang) -> String {
    let note = if m.is_empty() {
        String::new()
    } else {
        STATE_NOTE.get(lang).replace("{meaning}", m)
    };
    text.get(lang)
        .replace("{state}", s.name())
        .replace("{note}", &note)
}

/// One or two sentences about event `e` of connection `c`.
pub fn narrate(c: &Connection, e: &Event, lang: Lang) -> String {
    if e.kind == EventKind::TimeWaitExpired {
        let side = if e.before[0] == State::TimeWait && e.states[0] == State::Closed {
            Side::Client
        } else {
            Side::Server
        };
        return TIME_WAIT_OVER
            .get(lang)
            .replace("{who}", who(side, false).get(lang));
    }
    let s = e.dir.sender();
    let r = s.other();
    let kind = Kind::in_context(c, e);
    let sender_port = c.end(s).addr.port.to_string();
    let mut out = if e.kind == EventKind::Missing {
        NOT_CAPTURED.get(lang).to_string()
    } else {
        String::new()
    };
    out += &SENDS
        .get(lang)
        .replace("{who}", who(s, true).get(lang))
        .replace("{flags}", &e.flags.to_string())
        .replace(
            "{meaning}",
            &meaning(kind)
                .get(lang)
                .replace("{n}", &e.len.to_string())
                .replace("{peer}", who(r, false).get(lang))
                .replace("{port}", &sender_port),
        );
    // A refusing end was never listening: its LISTEN was the observer's assumption.
    if e.changed(s) && kind != Kind::Refused {
        out.push_str(&with_state(AND_ENTERS, e.states[s as usize], lang));
    } else if matches!(kind, Kind::Syn | Kind::SynAck | Kind::Fin) {
        // The SYN's and FIN's meanings end in a comma, for "and enters ..." to follow.
        if out.ends_with(',') {
            out.pop();
        }
        out.push_str(
            &STAYS
                .get(lang)
                .replace("{state}", e.states[s as usize].name()),
        );
    }
    out.push_str(END.get(lang));
    if e.changed(r) {
        let entered = if kind == Kind::Refused && e.states[r as usize] == State::Closed {
            with_note(ON_RECEIVING, State::Closed, REFUSED_CLOSED.get(lang), lang)
        } else {
            with_state(ON_RECEIVING, e.states[r as usize], lang)
        };
        out.push_str(&entered.replace("{who}", who(r, true).get(lang)));
        out.push_str(END.get(lang));
    }
    // RFC 9293 3.6, FIN-WAIT-1: our FIN acknowledged and the peer's FIN in one segment.
    if kind == Kind::Fin
        && e.before[r as usize] == State::FinWait1
        && e.states[r as usize] == State::TimeWait
    {
        out.push_str(
            &THREE_SEGMENT_CLOSE
                .get(lang)
                .replace("{peer}", who(r, false).get(lang)),
        );
    }
    if e.marks.has(Marks::RETRANSMISSION) {
        out.push_str(RETRANSMISSION.get(lang));
    }
    let others: Vec<&str> = e.marks.names().filter(|n| *n != "retransmission").collect();
    if !others.is_empty() {
        out.push_str(&OTHER_MARKS.get(lang).replace("{marks}", &others.join(", ")));
    }
    if let Some(app) = app_sentence(c, e, lang) {
        out.push_str(&app);
    }
    out
}

/// A sentence on what a labelled segment's payload is, by its service.
fn app_sentence(c: &Connection, e: &Event, lang: Lang) -> Option<String> {
    use crate::decode::app::Service;
    let l = c.label_of(e.frame)?;
    let https = if c.server().addr.port == 443 {
        APP_HTTPS.get(lang)
    } else {
        ""
    };
    let text = match l.service {
        Some(Service::Ssl) if l.text.contains("ClientHello") => APP_TLS_HELLO,
        Some(Service::Ssl) => APP_TLS_ANSWER,
        Some(Service::Http) if l.text.contains("Upgrade: websocket") => APP_WS_ASK,
        Some(Service::Http) => APP_HTTP,
        Some(Service::WebSocket) => APP_WS_SWITCH,
        Some(Service::Ssh) => APP_SSH,
        Some(Service::Dns) => APP_DNS,
        Some(_) => APP_LINE,
        None => APP_UNKNOWN,
    };
    let service = l.service.map_or("", |s| s.display_name());
    Some(
        text.get(lang)
            .replace("{https}", https)
            .replace("{service}", service)
            .replace("{label}", &l.text),
    )
}

/// The row before any segment: both initial states.
pub fn before(c: &Connection, lang: Lang) -> String {
    let init = c.initial_states();
    BEFORE
        .get(lang)
        .replace("{c}", init[0].name())
        .replace("{s}", init[1].name())
}

/// A folded run of `n` plain segments.
pub fn folded(n: usize, lang: Lang) -> String {
    FOLDED.get(lang).replace("{n}", &n.to_string())
}

/// A run of `n` segments carrying `bytes` that the event cap left out.
pub fn dropped(n: u64, bytes: u64, lang: Lang) -> String {
    if n == 1 { DROPPED_ONE } else { DROPPED }
        .get(lang)
        .replace("{n}", &thousands(n))
        .replace("{bytes}", &thousands(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Segment;
    use crate::track::{Tracker, TrackerConfig};

    #[test]
    fn segments_not_kept_are_counted_in_words() {
        assert_eq!(
            dropped(1, 0, Lang::En),
            "1 data or ACK segment (0 bytes) here was not kept: a connection keeps at most --max-events events; its handshake, teardown and every state change always are."
        );
        assert!(dropped(12_345, 1_500_000, Lang::En)
            .starts_with("12,345 data and ACK segments (1,500,000 bytes) here were not kept"));
        assert!(dropped(2, 10, Lang::Zh).starts_with("此处有 2 个数据和 ACK 报文（10 字节）未保留"));
    }

    fn seg(c2s: bool, flags: u16, seq: u32, ack: u32) -> Segment {
        crate::testkit::seg(c2s, flags, seq, ack, 0, 0)
    }

    #[test]
    fn syn_reads_as_the_lecture_says() {
        let mut t = Tracker::new(TrackerConfig::default());
        t.ingest(&seg(true, Flags::SYN, 100, 0), 1);
        let c = t.get(1).unwrap();
        let e = &c.events[0];
        assert_eq!(
            narrate(c, e, Lang::En),
            "The client sends SYN: it asks to open a connection, with its initial sequence number (ISN), and enters SYN_SENT (its application called connect(): waiting for the SYN+ACK)."
        );
        assert_eq!(
            narrate(c, e, Lang::Zh),
            "客户端发送 SYN：请求建立连接，带上自己的初始序号（ISN），进入 SYN_SENT 状态（应用程序已调用 connect()：等待 SYN+ACK）。"
        );
    }

    #[test]
    fn a_retransmitted_syn_stays_in_syn_sent_without_stray_punctuation() {
        let mut t = Tracker::new(TrackerConfig::default());
        t.ingest(&seg(true, Flags::SYN, 100, 0), 1);
        let mut again = seg(true, Flags::SYN, 100, 0);
        again.ts = crate::decode::Timestamp::from_secs_f64(1.0);
        t.ingest(&again, 2);
        let c = t.get(1).unwrap();
        let en = narrate(c, &c.events[1], Lang::En);
        assert!(
            en.starts_with("The client sends SYN: it asks to open a connection, with its initial sequence number (ISN); it stays in SYN_SENT."),
            "{en}"
        );
    }

    #[test]
    fn syn_ack_names_both_transitions() {
        let mut t = Tracker::new(TrackerConfig::default());
        t.ingest(&seg(true, Flags::SYN, 100, 0), 1);
        t.ingest(&seg(false, Flags::SYN | Flags::ACK, 900, 101), 2);
        let c = t.get(1).unwrap();
        let en = narrate(c, &c.events[1], Lang::En);
        assert!(
            en.starts_with("The server sends SYN+ACK: it agrees: its own SYN"),
            "{en}"
        );
        // accept() hands the connection over only after the final ACK (RFC 9293 3.5).
        assert!(
            en.contains("accept() returns only after the final ACK"),
            "{en}"
        );
        assert!(en.contains("enters SYN_RECEIVED"), "{en}");
        assert!(
            en.contains(
                "The client, on receiving it, enters ESTABLISHED (data can flow both ways)."
            ),
            "{en}"
        );
        let zh = narrate(c, &c.events[1], Lang::Zh);
        assert!(zh.contains("客户端收到后进入 ESTABLISHED 状态"), "{zh}");
    }

    /// Narrations (EN, ZH) of every event of a scripted connection.
    fn told(segs: &[(bool, u16, u32, u32)]) -> Vec<(String, String)> {
        let mut t = Tracker::new(TrackerConfig::default());
        for (i, &(c2s, flags, seq, ack)) in segs.iter().enumerate() {
            t.ingest(&seg(c2s, flags, seq, ack), i as u64 + 1);
        }
        let c = t.get(1).unwrap();
        c.events
            .iter()
            .map(|e| (narrate(c, e, Lang::En), narrate(c, e, Lang::Zh)))
            .collect()
    }

    const OPEN: [(bool, u16, u32, u32); 3] = [
        (true, Flags::SYN, 100, 0),
        (false, Flags::SYN | Flags::ACK, 900, 101),
        (true, Flags::ACK, 101, 901),
    ];

    #[test]
    fn the_third_segment_says_why_three_are_needed() {
        let n = told(&OPEN);
        let (en, zh) = &n[2];
        assert!(
            en.contains("acknowledges the server's SYN (ack = its ISN + 1)"),
            "{en}"
        );
        assert!(en.contains("each side's ISN must be acknowledged"), "{en}");
        assert!(en.contains("old duplicate SYN"), "{en}");
        assert!(zh.contains("双方的初始序号都必须得到对方确认"), "{zh}");
        // Entering SYN_SENT is explained: connect() was called.
        assert!(n[0].0.contains("connect()"), "{}", n[0].0);
    }

    #[test]
    fn a_four_segment_close_says_why_and_time_wait_says_both_reasons() {
        let mut segs = OPEN.to_vec();
        segs.extend([
            (true, Flags::FIN | Flags::ACK, 101, 901),
            (false, Flags::ACK, 901, 102),
            (false, Flags::FIN | Flags::ACK, 901, 102),
            (true, Flags::ACK, 102, 902),
        ]);
        let n = told(&segs);
        // The server's ACK of the client's FIN: what it acknowledges, not "data".
        let (en, zh) = &n[4];
        assert!(en.contains("acknowledges the client's FIN"), "{en}");
        assert!(
            zh.contains("确认客户端的 FIN") && !zh.contains("数据"),
            "{zh}"
        );
        // The receiver of the first FIN: CLOSE_WAIT, and why closing takes four segments.
        let (en, _) = &n[3];
        assert!(
            en.contains("read() = 0") && en.contains("four segments"),
            "{en}"
        );
        // TIME_WAIT: the lost last ACK, old duplicates, and what MSL is taken to be.
        let (en, zh) = &n[5];
        assert!(en.contains("enters TIME_WAIT"), "{en}");
        assert!(en.contains("should its last ACK be lost"), "{en}");
        assert!(en.contains("old duplicates die out"), "{en}");
        assert!(
            en.contains("2 min in RFC 9293") && en.contains("60 s"),
            "{en}"
        );
        assert!(zh.contains("最后的 ACK 丢失"), "{zh}");
        assert!(!en.contains("three segments"), "{en}");
    }

    #[test]
    fn a_fin_ack_that_acknowledges_ours_says_the_close_took_three() {
        let mut segs = OPEN.to_vec();
        segs.extend([
            (true, Flags::FIN | Flags::ACK, 101, 901),
            (false, Flags::FIN | Flags::ACK, 901, 102),
            (true, Flags::ACK, 102, 902),
        ]);
        let n = told(&segs);
        let (en, zh) = &n[4];
        assert!(
            en.contains("this close takes three segments instead of four"),
            "{en}"
        );
        assert!(zh.contains("三个报文"), "{zh}");
    }

    #[test]
    fn a_refused_connect_says_nothing_listens() {
        let n = told(&[
            (true, Flags::SYN, 100, 0),
            (false, Flags::RST | Flags::ACK, 0, 101),
        ]);
        let (en, zh) = &n[1];
        assert!(en.contains("no socket is listening on port 80"), "{en}");
        assert!(en.contains("ECONNREFUSED"), "{en}");
        assert!(!en.contains("no connection is left"), "{en}");
        assert!(zh.contains("ECONNREFUSED"), "{zh}");
        // A reset after the handshake is an abort, not a refusal.
        let mut segs = OPEN.to_vec();
        segs.push((false, Flags::RST | Flags::ACK, 901, 101));
        let (en, _) = &told(&segs)[3];
        assert!(en.contains("aborts the connection"), "{en}");
    }

    #[test]
    fn every_kind_and_state_has_both_languages() {
        for (_, t) in MEANING.iter() {
            assert!(!t.get(Lang::En).is_empty() && !t.get(Lang::Zh).is_ascii());
        }
        for st in State::ALL {
            assert!(STATE_MEANING.iter().any(|(s, _)| *s == st), "{st}");
        }
    }
}
