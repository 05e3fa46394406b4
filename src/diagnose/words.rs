//! Findings in another language. The diagnosis writes its sentences in English (JSON and the
//! English interface and `--diagnose` show them as they are); in Chinese (the TUI's `l`,
//! `--diagnose --lang zh`) each kind of finding reads as one sentence built from what the
//! finding holds: the end it concerns, its count, TIME_WAIT's time left. Less detail than the
//! English sentence, the same meaning.

use std::borrow::Cow;

use crate::diagnose::report::Group;
use crate::diagnose::{Finding, Kind};
use crate::teach::lang::Lang;

/// The finding's sentence in `lang`.
pub fn sentence(f: &Finding, lang: Lang) -> Cow<'_, str> {
    if lang == Lang::En {
        return Cow::Borrowed(&f.sentence);
    }
    let ep = f.endpoint;
    let n = f.count.unwrap_or(1);
    Cow::Owned(match f.kind {
        Kind::HalfOpen => format!(
            "半开连接（涉及 {ep}）：一端已经不在了（重启、丢失了连接，或握手从未完成），另一端还以为连接是打开的"
        ),
        Kind::CloseWait => format!(
            "{ep} 上的应用程序没有关闭套接字：收到对方的 FIN 之后一直停在 CLOSE_WAIT，对方停在 FIN_WAIT_2"
        ),
        Kind::SynUnanswered => format!(
            "{n} 个 SYN 发往 {ep}，没有应答：防火墙丢弃了它，或者主机不在线"
        ),
        Kind::ZeroWindow => format!(
            "{ep} 通告零窗口：它的应用程序读取数据的速度跟不上数据到达的速度"
        ),
        Kind::Reset => format!(
            "连接被 RST 重置（{ep}）：异常关闭，未读的数据被丢弃，或者一端已经不认识这个连接"
        ),
        Kind::Refused => format!(
            "{ep} 拒绝了连接：该端口上没有进程在监听，SYN 得到的回答是 RST（connect() 返回 ECONNREFUSED）"
        ),
        Kind::Retransmission => {
            format!("{n} 次重传，主要来自 {ep}：路径上有丢包或拥塞")
        }
        Kind::TimeWait => {
            let left = f
                .remaining
                .map(|r| format!("，还剩 {r:.1} 秒（推断）"))
                .unwrap_or_default();
            format!(
                "{ep} 处于 TIME_WAIT，保持 2*MSL{left}：最后的 ACK 可能丢失，对方会重发 FIN，这一端必须还在才能再次确认"
            )
        }
        Kind::DupAck => format!("{n} 个重复 ACK 来自 {ep}：它缺少数据，正在再次请求"),
        Kind::Keepalive => format!("{n} 个保活探测来自 {ep}"),
        Kind::Idle => format!("连接处于 ESTABLISHED（{ep}），但已经很久没有任何报文段"),
        Kind::KernelDisagrees => format!(
            "{ep}：synack 根据报文推断的状态与内核（sock_diag）报告的套接字状态不同"
        ),
    })
}

/// A pattern across connections in `lang`.
pub fn group(g: &Group, lang: Lang) -> Cow<'_, str> {
    if lang == Lang::En {
        return Cow::Borrowed(&g.sentence);
    }
    let (n, ep) = (g.count, g.endpoint);
    Cow::Owned(match g.pattern {
        "syn_flood" => format!("SYN 洪泛特征：{n} 个半开连接指向 {ep}，来自许多不同的源地址"),
        _ => format!("{n} 个通往 {ep} 的连接处于 TIME_WAIT：先关闭的一端要等待 2*MSL"),
    })
}

/// A kind's heading in the problems view.
pub fn title(kind: Kind, lang: Lang) -> &'static str {
    if lang == Lang::En {
        return kind.title();
    }
    match kind {
        Kind::HalfOpen => "半开连接",
        Kind::CloseWait => "一直不关闭的 CLOSE_WAIT",
        Kind::SynUnanswered => "无人应答的 SYN",
        Kind::ZeroWindow => "零窗口",
        Kind::Reset => "重置（RST）",
        Kind::Refused => "被拒绝的连接",
        Kind::Retransmission => "重传",
        Kind::TimeWait => "TIME_WAIT 状态",
        Kind::DupAck => "重复 ACK",
        Kind::Keepalive => "保活探测",
        Kind::Idle => "空闲连接",
        Kind::KernelDisagrees => "内核的看法不同",
    }
}

/// The words of the text reports (`--diagnose`, and `--text`'s summary), a table a language:
/// templates with named `{slots}` ([`fill`]) and counted nouns as functions, so that one
/// function writes each report in every language.
pub struct ReportWords {
    pub diagnosis: &'static str,
    pub findings: fn(u64) -> String,
    pub connections: fn(u64) -> String,
    pub patterns: fn(u64) -> String,
    pub problems: fn(u64) -> String,
    pub patterns_heading: &'static str,
    pub group_conns: &'static str,
    pub kind_heading: &'static str,
    pub finding: &'static str,
    /// Client, server.
    pub sides: [&'static str; 2],
    pub evidence: fn(&[String]) -> String,
    pub more: &'static str,
    pub nothing: &'static str,
    pub summary: &'static str,
    pub packets: &'static str,
    pub skipped_link: &'static str,
    pub malformed: &'static str,
    pub fragments: &'static str,
    pub tunnels: &'static str,
    pub conns: &'static str,
    pub reuse: &'static str,
    pub marked: &'static str,
    pub list_sep: &'static str,
    pub states: &'static str,
}

fn en_count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub static EN: ReportWords = ReportWords {
    diagnosis: "synack diagnosis of {source}: {findings} on {with} of {connections}, {patterns} ({problems})",
    findings: |n| en_count(n, "finding", "findings"),
    connections: |n| en_count(n, "connection", "connections"),
    patterns: |n| en_count(n, "pattern", "patterns"),
    problems: |n| en_count(n, "problem", "problems"),
    patterns_heading: "Patterns across connections",
    group_conns: "      connections {ids}{more}",
    kind_heading: "{title} ({n})",
    finding: "  #{conn} {endpoint} ({side}) since {since}\n         {sentence}\n         {evidence}",
    sides: ["client", "server"],
    evidence: |f| match f.len() {
        0 => "evidence: frames -".into(),
        1 => format!("evidence: frame {}", f[0]),
        _ => format!("evidence: frames {}", f.join(", ")),
    },
    more: "  ... and {n} more (all are in --json)",
    nothing: "Nothing found: every connection looks healthy.",
    summary: "Summary",
    packets: "  packets {packets}: tcp {tcp}, non-tcp {non_tcp}, filtered out {filtered}, unsupported link type {skipped}, malformed {malformed}",
    skipped_link: "    skipped link type {lt}: {n}",
    malformed: "    malformed ({reason}): {n}",
    fragments: "  IP fragments {frames}: {reassembled} datagrams reassembled, {duplicate} duplicate, {overlapping} overlapping (dropped), {conflicting} conflicting, {incomplete} never completed",
    tunnels: "  segments through tunnels: {list}",
    conns: "  connections {n}: handshake complete {hc}, partial {hp}, none {hn}; teardown fin {tf}, rst {tr}, half {th}, none {tn}",
    reuse: "  joined mid-stream {mid}, port reuses {reuses}, TIME_WAIT expired (inferred) {expired}",
    marked: "  segments marked: {list}",
    list_sep: ", ",
    states: "  final states        client   server",
};

pub static ZH: ReportWords = ReportWords {
    diagnosis: "synack 对 {source} 的诊断：{findings}，涉及 {with} / {connections}，{patterns}（{problems}）",
    findings: |n| format!("{n} 条发现"),
    connections: |n| format!("{n} 个连接"),
    patterns: |n| format!("{n} 个模式"),
    problems: |n| format!("{n} 个问题"),
    patterns_heading: "跨连接的模式",
    group_conns: "      连接 {ids}{more}",
    kind_heading: "{title}（{n}）",
    finding: "  #{conn} {endpoint}（{side}）自 {since} 起\n         {sentence}\n         {evidence}",
    sides: ["客户端", "服务器"],
    evidence: |f| {
        let list = if f.is_empty() { "-".into() } else { f.join("、") };
        format!("证据：第 {list} 帧")
    },
    more: "  ……另有 {n} 条（全部见 --json）",
    nothing: "没有发现：每个连接看起来都正常。",
    summary: "汇总",
    packets: "  数据包 {packets}：TCP {tcp}，非 TCP {non_tcp}，被过滤 {filtered}，不支持的链路类型 {skipped}，畸形 {malformed}",
    skipped_link: "    跳过的链路类型 {lt}：{n}",
    malformed: "    畸形（{reason}）：{n}",
    fragments: "  IP 分片 {frames}：重组 {reassembled} 个数据报，重复 {duplicate}，重叠 {overlapping}（丢弃），冲突 {conflicting}，未完成 {incomplete}",
    tunnels: "  经过隧道的报文段：{list}",
    conns: "  连接 {n}：握手完整 {hc}，不完整 {hp}，无 {hn}；拆除 FIN {tf}，RST {tr}，半关闭 {th}，无 {tn}",
    reuse: "  从中途开始 {mid}，端口复用 {reuses}，TIME_WAIT 到期（推断）{expired}",
    marked: "  标记的报文段：{list}",
    list_sep: "，",
    states: "  最终状态            客户端   服务器",
};

pub fn report_words(lang: Lang) -> &'static ReportWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// `template` with each `{name}` replaced by its value, in one pass (a value holding braces,
/// a file name say, is never filled in turn). An unknown `{name}` stays as it is.
pub fn fill(template: &str, slots: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let slot = after.find('}').and_then(|close| {
            slots
                .iter()
                .find(|(n, _)| *n == &after[..close])
                .map(|s| (close, s.1))
        });
        match slot {
            Some((close, value)) => {
                use std::fmt::Write as _;
                let _ = write!(out, "{value}");
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Endpoint;
    use crate::time::Timestamp;
    use crate::track::Side;

    fn finding(kind: Kind) -> Finding {
        Finding {
            kind,
            conn: 1,
            side: Side::Server,
            endpoint: Endpoint {
                ip: "10.0.0.2".parse().unwrap(),
                port: 80,
            },
            since: Timestamp(0),
            frames: vec![1],
            sentence: "the English sentence".into(),
            weight: 1.0,
            remaining: Some(12.5),
            count: Some(3),
            problem: true,
        }
    }

    #[test]
    fn fill_replaces_each_slot_once_and_leaves_the_rest() {
        let src = "a{b}.pcap";
        assert_eq!(
            fill("of {source}: {n} {x}", &[("source", &src), ("n", &3)]),
            "of a{b}.pcap: 3 {x}"
        );
    }

    #[test]
    fn english_is_the_diagnosis_own_sentence_and_chinese_says_every_kind() {
        for kind in Kind::ALL {
            let f = finding(kind);
            assert_eq!(sentence(&f, Lang::En), "the English sentence");
            let zh = sentence(&f, Lang::Zh);
            assert!(zh.contains("10.0.0.2:80"), "{kind:?}: {zh}");
            assert!(!zh.is_ascii(), "{kind:?}: {zh}");
            assert_ne!(title(kind, Lang::Zh), kind.title());
        }
        assert!(sentence(&finding(Kind::SynUnanswered), Lang::Zh).starts_with("3 个 SYN"));
        assert!(sentence(&finding(Kind::TimeWait), Lang::Zh).contains("还剩 12.5 秒"));
    }
}
