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
    }
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
