//! Findings in another language. The diagnosis writes its sentences in English (JSON and the
//! English interface and `--diagnose` show them as they are); in another language (the TUI's
//! `l`, `--diagnose --lang zh`) each kind of finding reads as one sentence from its
//! [`FindingWords`], filled with what the finding holds: the end it concerns, its count,
//! TIME_WAIT's time left. Less detail than the English sentence, the same meaning.

use std::borrow::Cow;

use crate::diagnose::report::Group;
use crate::diagnose::{Finding, Kind};
use crate::i18n::{fill, FindingWords, KindWords, Lang, ReportWords};

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
    let template = match g.pattern {
        "syn_flood" => w.syn_flood,
        _ => w.time_wait_group,
    };
    Cow::Owned(fill(template, &[("n", &g.count), ("ep", &g.endpoint)]))
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
}
