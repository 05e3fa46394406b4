//! Plain-language narration of a ladder row, in English and Chinese, for teaching.
//!
//! All wording lives in the tables below: what a segment kind means (by its flags), what
//! entering each state means, and the few connecting phrases. [`narrate`] only assembles them:
//! "{sender} sends {FLAGS}: {meaning} and enters {STATE}. {receiver}, on receiving it,
//! enters {STATE}."

use crate::decode::Flags;
use crate::output::thousands;
use crate::track::{Connection, Event, EventKind, Marks, Side, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn toggle(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }
    /// The name of the *other* language, shown on the key that switches to it.
    pub fn other_name(self) -> &'static str {
        match self {
            Lang::En => "中文",
            Lang::Zh => "English",
        }
    }
}

/// A text in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

const fn t(en: &'static str, zh: &'static str) -> Text {
    Text { en, zh }
}

/// What kind of segment it is, for its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Syn,
    SynAck,
    Fin,
    Rst,
    Data,
    Ack,
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
}

/// What sending each kind of segment means. `{n}` is the payload length.
pub const MEANING: [(Kind, Text); 7] = [
    (Kind::Syn, t("it asks to open a connection", "请求建立连接")),
    (
        Kind::SynAck,
        t(
            "it accepts the connection and acknowledges the SYN",
            "同意建立连接并确认对方的 SYN",
        ),
    ),
    (
        Kind::Fin,
        t(
            "it has no more data to send and closes its direction",
            "表示自己不再发送数据，关闭本方向",
        ),
    ),
    (
        Kind::Rst,
        t(
            "it refuses or aborts the connection at once",
            "立即拒绝或中止连接",
        ),
    ),
    (
        Kind::Data,
        t("it carries {n} bytes of data", "携带 {n} 字节数据"),
    ),
    (
        Kind::Ack,
        t("it acknowledges what it has received", "确认已收到的数据"),
    ),
    (
        Kind::Other,
        t("an unusual combination of flags", "不常见的标志组合"),
    ),
];

/// What entering each state means (said after "enters STATE").
pub const STATE_MEANING: [(State, Text); 11] = [
    (State::Closed, t("no connection is left", "连接已不存在")),
    (State::Listen, t("waiting for a new SYN", "等待新的 SYN")),
    (State::SynSent, t("", "")),
    (
        State::SynReceived,
        t(
            "waiting for the handshake's last ACK",
            "等待握手的最后一个 ACK",
        ),
    ),
    (State::Established, t("data can flow", "可以传输数据")),
    (
        State::FinWait1,
        t(
            "waiting for its FIN to be acknowledged",
            "等待对方确认自己的 FIN",
        ),
    ),
    (
        State::FinWait2,
        t("waiting for the other end's FIN", "等待对方的 FIN"),
    ),
    (
        State::CloseWait,
        t(
            "the other end is done; its own application must still close",
            "对方已不再发送，本方应用程序还需关闭连接",
        ),
    ),
    (
        State::Closing,
        t(
            "both FINs crossed, waiting for the ACK",
            "双方 FIN 交叉，等待确认",
        ),
    ),
    (
        State::LastAck,
        t("waiting for the ACK of its FIN", "等待对方确认自己的 FIN"),
    ),
    (
        State::TimeWait,
        t(
            "it waits 2*MSL so that late segments die out",
            "等待 2*MSL，让迟到的报文消失",
        ),
    ),
];

/// Connecting phrases.
pub const CLIENT: Text = t("The client", "客户端");
pub const SERVER: Text = t("The server", "服务器");
pub const CLIENT_LOWER: Text = t("the client", "客户端");
pub const SERVER_LOWER: Text = t("the server", "服务器");
/// "{who} sends {flags}: {meaning}"
pub const SENDS: Text = t(
    "{who} sends {flags}: {meaning}",
    "{who}发送 {flags}：{meaning}",
);
/// Sender's transition, appended to the first sentence.
pub const AND_ENTERS: Text = t(" and enters {state}{note}", "，进入 {state} 状态{note}");
pub const STAYS: Text = t("; it stays in {state}", "，保持 {state} 状态");
/// Receiver's transition, a second sentence.
pub const ON_RECEIVING: Text = t(
    "{who}, on receiving it, enters {state}{note}",
    "{who}收到后进入 {state} 状态{note}",
);
pub const END: Text = t(".", "。");
/// "(...: meaning)" after a state.
pub const STATE_NOTE: Text = t(" ({meaning})", "（{meaning}）");
pub const RETRANSMISSION: Text = t(
    " It is a retransmission: the earlier copy got no answer.",
    "这是重传：之前的报文没有得到回应。",
);
pub const OTHER_MARKS: Text = t(" Note: {marks}.", "注意：{marks}。");
pub const TIME_WAIT_OVER: Text = t(
    "2*MSL has passed since {who} entered TIME_WAIT: it is now CLOSED (inferred, no packet shows it).",
    "{who}进入 TIME_WAIT 已过 2*MSL：现在变为 CLOSED（推断，没有报文显示）。",
);
pub const NOT_CAPTURED: Text = t(
    "Not captured, inferred from the segment after it: ",
    "未被捕获，由其后的报文推断：",
);
pub const BEFORE: Text = t(
    "Before the first segment: the client is {c} and the server is {s}.",
    "第一个报文之前：客户端处于 {c} 状态，服务器处于 {s} 状态。",
);
pub const FOLDED: Text = t(
    "{n} data and ACK segments with no state change, folded: Enter shows them.",
    "{n} 个数据和 ACK 报文，状态没有变化，已折叠：按 Enter 展开。",
);
pub const DROPPED: Text = t(
    "{n} data and ACK segments ({bytes} bytes) here were not kept: a connection keeps at most --max-events events; its handshake, teardown and every state change always are.",
    "此处有 {n} 个数据和 ACK 报文（{bytes} 字节）未保留：每个连接最多保留 --max-events 个事件；握手、挥手和每次状态变化总会保留。",
);
pub const DROPPED_ONE: Text = t(
    "1 data or ACK segment ({bytes} bytes) here was not kept: a connection keeps at most --max-events events; its handshake, teardown and every state change always are.",
    "此处有 1 个数据或 ACK 报文（{bytes} 字节）未保留：每个连接最多保留 --max-events 个事件；握手、挥手和每次状态变化总会保留。",
);
pub const NOTHING: Text = t("No connection selected yet.", "尚未选择连接。");

fn meaning(k: Kind) -> Text {
    MEANING
        .iter()
        .find(|(kk, _)| *kk == k)
        .map(|(_, t)| *t)
        .unwrap_or(MEANING[6].1)
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
    let m = state_meaning(s).get(lang);
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
pub fn narrate(_c: &Connection, e: &Event, lang: Lang) -> String {
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
    let kind = Kind::of(e.flags, e.len);
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
            &meaning(kind).get(lang).replace("{n}", &e.len.to_string()),
        );
    if e.changed(s) {
        out.push_str(&with_state(AND_ENTERS, e.states[s as usize], lang));
    } else if matches!(kind, Kind::Syn | Kind::SynAck | Kind::Fin) {
        out.push_str(
            &STAYS
                .get(lang)
                .replace("{state}", e.states[s as usize].name()),
        );
    }
    out.push_str(END.get(lang));
    if e.changed(r) {
        if lang == Lang::En {
            out.push(' ');
        }
        out.push_str(
            &with_state(ON_RECEIVING, e.states[r as usize], lang)
                .replace("{who}", who(r, true).get(lang)),
        );
        out.push_str(END.get(lang));
    }
    if e.marks.has(Marks::RETRANSMISSION) {
        out.push_str(RETRANSMISSION.get(lang));
    }
    let others: Vec<&str> = e.marks.names().filter(|n| *n != "retransmission").collect();
    if !others.is_empty() {
        out.push_str(&OTHER_MARKS.get(lang).replace("{marks}", &others.join(", ")));
    }
    out
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
    use crate::decode::{Endpoint, Segment, TcpOptions, Timestamp};
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
        let c = Endpoint {
            ip: [10, 0, 0, 1].into(),
            port: 40000,
        };
        let s = Endpoint {
            ip: [10, 0, 0, 2].into(),
            port: 80,
        };
        let (src, dst) = if c2s { (c, s) } else { (s, c) };
        Segment {
            ts: Timestamp(0),
            src,
            dst,
            flags: Flags(flags),
            seq,
            ack,
            window: 100,
            payload_len: 0,
            options: TcpOptions::default(),
        }
    }

    #[test]
    fn syn_reads_as_the_lecture_says() {
        let mut t = Tracker::new(TrackerConfig::default());
        t.ingest(&seg(true, Flags::SYN, 100, 0), 1);
        let c = t.get(1).unwrap();
        let e = &c.events[0];
        assert_eq!(
            narrate(c, e, Lang::En),
            "The client sends SYN: it asks to open a connection and enters SYN_SENT."
        );
        assert_eq!(
            narrate(c, e, Lang::Zh),
            "客户端发送 SYN：请求建立连接，进入 SYN_SENT 状态。"
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
            en.starts_with("The server sends SYN+ACK: it accepts"),
            "{en}"
        );
        assert!(en.contains("enters SYN_RECEIVED"), "{en}");
        assert!(
            en.contains("The client, on receiving it, enters ESTABLISHED (data can flow)."),
            "{en}"
        );
        let zh = narrate(c, &c.events[1], Lang::Zh);
        assert!(zh.contains("客户端收到后进入 ESTABLISHED 状态"), "{zh}");
    }

    #[test]
    fn every_kind_and_state_has_both_languages() {
        for (_, t) in MEANING.iter() {
            assert!(!t.en.is_empty() && !t.zh.is_empty());
        }
        for st in State::ALL {
            assert!(STATE_MEANING.iter().any(|(s, _)| *s == st), "{st}");
        }
    }
}
