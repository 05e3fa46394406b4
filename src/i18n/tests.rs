//! The catalogue's own checks: every prose id translated in every language and no stale
//! translation (both found by scanning `src/` for the calls of [`t`]), the same `{slots}` in
//! every language, and no Chinese outside `i18n/zh.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;

#[test]
fn the_locale_picks_the_language_in_posix_order() {
    assert_eq!(Lang::from_locale(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
    assert_eq!(
        Lang::from_locale(Some("C"), None, Some("zh_CN.UTF-8")),
        Lang::En
    );
    assert_eq!(
        Lang::from_locale(Some(""), Some("zh_TW"), Some("en_US")),
        Lang::Zh
    );
    assert_eq!(Lang::from_locale(None, None, None), Lang::En);
    assert_eq!(Lang::parse("ZH"), Some(Lang::Zh));
    assert_eq!(Lang::parse("en"), Some(Lang::En));
    assert_eq!(Lang::parse("fr"), None);
    assert_eq!(Lang::En.toggle(), Lang::Zh);
    assert_eq!(Lang::Zh.toggle(), Lang::En);
    assert_eq!(Lang::Zh.other_name(), "English");
    // Each language is found by its own code, and `l` goes through all of them.
    let mut l = Lang::En;
    for (i, lang) in Lang::ALL.into_iter().enumerate() {
        assert_eq!(Lang::parse(lang.language().code), Some(lang));
        assert!(lang.language().ascii_name.is_ascii());
        assert_eq!(lang as usize, i, "Lang::ALL is in the enum's order");
        assert_eq!(l, lang);
        l = l.toggle();
    }
    assert_eq!(l, Lang::En);
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
fn prose_is_looked_up_by_its_english_and_english_is_itself() {
    let (en, zh) = zh::PROSE[0];
    let text = t(en);
    assert_eq!(text.get(Lang::En), en);
    assert_eq!(text.get(Lang::Zh), zh);
    // An id no table has stays English (the completeness test keeps this from happening).
    assert_eq!(t("no such sentence").get(Lang::Zh), "no such sentence");
}

/// Every `.rs` file under `src/`, with its path relative to the crate.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    walk(&root.join("src"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read_to_string(&p).expect("a source file"))
        })
        .collect()
}

/// The value of the string literal at the start of `s` (which starts with its `"`), as rustc
/// reads it: escapes, and a `\` at a line's end skipping the next line's indent.
fn literal(s: &str) -> Option<String> {
    let mut chars = s.strip_prefix('"')?.chars().peekable();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '0' => out.push('\0'),
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                '\'' => out.push('\''),
                '\n' => {
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                }
                'u' => {
                    let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                'x' => {
                    let hex: String = chars.by_ref().take(2).collect();
                    out.push(u8::from_str_radix(&hex, 16).ok()? as char);
                }
                other => panic!("unknown escape \\{other}"),
            },
            c => out.push(c),
        }
    }
    None
}

/// The English ids of every call of [`t`] with a literal in `src/`, with where each is, outside
/// comments and this file. A call of `t` on anything else (`t(100)`) is some other `t`.
fn prose_ids() -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    for (path, text) in sources() {
        if path.ends_with("i18n/tests.rs") {
            continue;
        }
        let code: String = text
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("//") {
                    ""
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut from = 0;
        while let Some(at) = code[from..].find("t(") {
            let at = from + at;
            from = at + 2;
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = code[at + 2..].trim_start();
            if !rest.starts_with('"') {
                continue;
            }
            let id = literal(rest).unwrap_or_else(|| panic!("{path}: a t( literal unread"));
            let line = code[..at].lines().count();
            ids.entry(id).or_insert(format!("{path}:{line}"));
        }
    }
    ids
}

#[test]
fn every_prose_id_has_a_translation_in_every_language_and_no_translation_is_stale() {
    let ids = prose_ids();
    // The scan found the narration's and the lessons' prose.
    assert!(ids.len() > 100, "{} ids", ids.len());
    assert!(ids.contains_key("data can flow both ways"));
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
        let table = lang.language().prose;
        let mut keys = BTreeSet::new();
        for (en, _) in table {
            assert!(keys.insert(*en), "{lang:?}: {en:?} twice");
        }
        let missing: Vec<String> = ids
            .iter()
            .filter(|(id, _)| !keys.contains(id.as_str()))
            .map(|(id, at)| format!("{at}: {id:?}"))
            .collect();
        assert!(
            missing.is_empty(),
            "{lang:?} lacks:\n{}",
            missing.join("\n")
        );
        let stale: Vec<&&str> = keys.iter().filter(|k| !ids.contains_key(**k)).collect();
        assert!(
            stale.is_empty(),
            "{lang:?} translates what the code no longer says: {stale:?}"
        );
    }
    assert!(Lang::En.language().prose.is_empty());
}

/// The `{slots}` of a template.
fn slots(s: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find('}') {
            let name = &rest[..close];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn every_translation_keeps_the_english_slots() {
    for lang in Lang::ALL {
        let l = lang.language();
        for (en, tr) in l.prose {
            assert_eq!(slots(en), slots(tr), "{lang:?}: {en:?}");
        }
        let (e, h) = (Lang::En.language(), l);
        let pairs = [
            (e.header.connection, h.header.connection),
            (e.header.tunnel, h.header.tunnel),
            (e.header.service, h.header.service),
            (e.header.how, h.header.how),
            (e.header.reuses, h.header.reuses),
            (e.header.was, h.header.was),
            (e.header.counts, h.header.counts),
            (e.header.final_states, h.header.final_states),
            (e.udp.counts, h.udp.counts),
            (e.udp.more, h.udp.more),
            (e.report.diagnosis, h.report.diagnosis),
            (e.report.group_conns, h.report.group_conns),
            (e.report.kind_heading, h.report.kind_heading),
            (e.report.finding, h.report.finding),
            (e.report.more, h.report.more),
            (e.report.packets, h.report.packets),
            (e.report.skipped_link, h.report.skipped_link),
            (e.report.malformed, h.report.malformed),
            (e.report.fragments, h.report.fragments),
            (e.report.tunnels, h.report.tunnels),
            (e.report.conns, h.report.conns),
            (e.report.reuse, h.report.reuse),
            (e.report.marked, h.report.marked),
            (e.report.udp, h.report.udp),
            (e.messages.help_title, h.messages.help_title),
        ];
        for (en, tr) in pairs {
            assert_eq!(slots(en), slots(tr), "{lang:?}: {en:?} / {tr:?}");
        }
        for ((k, en), (_, tr)) in e.messages.keys.iter().zip(h.messages.keys) {
            assert_eq!(slots(en), slots(tr), "{lang:?}: key {k}");
        }
    }
}

/// Whether `c` is a CJK ideograph or CJK punctuation (the full-width comma, brackets, ...).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

/// The lines of `path` with Chinese in them, outside its tests (the `#[cfg(test)] mod` at a
/// file's end, and `i18n/tests.rs`).
fn chinese_lines(path: &str, text: &str) -> Vec<String> {
    if path.ends_with("i18n/tests.rs") {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod "))
        .unwrap_or(lines.len());
    lines[..end]
        .iter()
        .enumerate()
        .filter(|(_, l)| l.chars().any(is_cjk))
        .map(|(i, l)| format!("{path}:{}: {}", i + 1, l.trim()))
        .collect()
}

#[test]
fn chinese_is_written_only_in_its_language_file() {
    let mut found = Vec::new();
    let mut zh_seen = false;
    for (path, text) in sources() {
        if path.ends_with("i18n/zh.rs") {
            zh_seen = !chinese_lines(&path, &text).is_empty();
            continue;
        }
        found.extend(chinese_lines(&path, &text));
    }
    assert!(zh_seen, "the scan did not read src/i18n/zh.rs");
    assert!(
        found.is_empty(),
        "Chinese outside src/i18n/zh.rs:\n{}",
        found.join("\n")
    );
    // And the scan sees Chinese where it is, test code aside.
    let sample = "const A: &str = \"\u{4e2d}\";\n#[cfg(test)]\nmod tests {\n  \"\u{6587}\"\n}\n";
    assert_eq!(chinese_lines("src/x.rs", sample).len(), 1);
}
