//! Findings in another language. The diagnosis writes its sentences in English (JSON and the
//! English interface and `--diagnose` show them as they are); in another language (the TUI's
//! `l`, `--diagnose --lang zh`) each kind of finding reads as one sentence from its
//! [`FindingWords`], filled with what the finding holds: the end it concerns, its count,
//! TIME_WAIT's time left. Less detail than the English sentence, the same meaning.

use std::borrow::Cow;

use crate::diagnose::report::Group;
use crate::diagnose::{Finding, Kind};
use crate::i18n::{fill, fill_into, FindingWords, KindWords, Lang, ReportWords};
use crate::track::Side;

fn kind_words(w: &FindingWords, kind: Kind) -> &KindWords {
    match kind {
        Kind::HalfOpen => &w.half_open,
        Kind::CloseWait => &w.close_wait,
        Kind::SynUnanswered => &w.syn_unanswered,
        Kind::ZeroWindow => &w.zero_window,
        Kind::Reset => &w.reset,
        Kind::Refused => &w.refused,
        Kind::Retransmission => &w.retransmission,
        Kind::TimeWait => &w.time_wait,
        Kind::DupAck => &w.dup_ack,
        Kind::Keepalive => &w.keepalive,
        Kind::Idle => &w.idle,
        Kind::KernelDisagrees => &w.kernel_disagrees,
    }
}

/// The finding's sentence in `lang`.
pub fn sentence(f: &Finding, lang: Lang) -> Cow<'_, str> {
    let Some(w) = lang.language().findings else {
        return Cow::Borrowed(&f.sentence);
    };
    let left = match (f.kind, f.remaining) {
        (Kind::TimeWait, Some(r)) => fill(w.time_wait_left, &[("r", &format!("{r:.1}"))]),
        _ => String::new(),
    };
    let n = f.count.unwrap_or(1);
    Cow::Owned(fill(
        kind_words(w, f.kind).sentence,
        &[("ep", &f.endpoint), ("n", &n), ("left", &left)],
    ))
}

/// A pattern across connections in `lang`.
pub fn group(g: &Group, lang: Lang) -> Cow<'_, str> {
    let Some(w) = lang.language().findings else {
        return Cow::Borrowed(&g.sentence);
    };
    let (sources, peak) = g.flood.unwrap_or_default();
    let (side, holders) = match &g.holder {
        Some((side, first, more)) => {
            let mut h = first.join(w.list_sep);
            if *more > 0 {
                fill_into(&mut h, w.and_more, &[("more", more)]);
            }
            (*side, h)
        }
        None => (Side::Client, String::new()),
    };
    let end = report_words(lang).sides[side as usize];
    let advice = w.time_wait_advice[side as usize];
    let template = match g.pattern {
        "syn_flood" => w.syn_flood,
        _ => w.time_wait_group,
    };
    Cow::Owned(fill(
        template,
        &[
            ("n", &g.count),
            ("ep", &g.endpoint),
            ("sources", &sources),
            ("peak", &peak),
            ("end", &end),
            ("holders", &holders),
            ("advice", &advice),
        ],
    ))
}

/// A kind's heading in the problems view.
pub fn title(kind: Kind, lang: Lang) -> &'static str {
    match lang.language().findings {
        Some(w) => kind_words(w, kind).title,
        None => kind.title(),
    }
}

/// The text reports' words in `lang`.
pub fn report_words(lang: Lang) -> &'static ReportWords {
    lang.language().report
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

    #[test]
    fn a_time_wait_pile_in_chinese_says_which_end_holds_it() {
        let pile = |side, more| Group {
            kind: Kind::TimeWait,
            pattern: "time_wait_pile",
            endpoint: finding(Kind::TimeWait).endpoint,
            count: 34,
            sentence: "the English sentence".into(),
            conns: vec![1],
            holder: Some((
                side,
                vec!["10.0.0.1 (30)".into(), "10.0.0.3 (4)".into()],
                more,
            )),
            flood: None,
        };
        let server = group(&pile(Side::Server, 0), Lang::Zh).into_owned();
        let client = group(&pile(Side::Client, 2), Lang::Zh).into_owned();
        assert!(
            server.contains("由服务器 10.0.0.1 (30)、10.0.0.3 (4) 持有"),
            "{server}"
        );
        assert!(server.contains("服务器先关闭"), "{server}");
        assert!(
            client.contains("由客户端") && client.contains("等另外 2 个"),
            "{client}"
        );
        assert_ne!(server, client);
        assert_eq!(
            group(&pile(Side::Server, 0), Lang::En),
            "the English sentence"
        );
        let flood = Group {
            pattern: "syn_flood",
            holder: None,
            flood: Some((5000, 800)),
            ..pile(Side::Server, 0)
        };
        let zh = group(&flood, Lang::Zh).into_owned();
        assert!(
            zh.contains("5000 个不同的源地址") && zh.contains("每秒 800 个"),
            "{zh}"
        );
    }
}
