//! `--lesson`: the list, the handouts (`--lesson NAME --text`, a golden file for every lesson
//! in both languages), bad names, and `--calls` on any capture.

mod common;

use std::process::Command;

use synack::teach::lessons::LESSONS;

fn synack(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("run synack");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn every_lesson_has_a_handout_in_english_and_chinese() {
    for l in LESSONS {
        for lang in ["en", "zh"] {
            let (out, err, code) = synack(&["--lesson", l.name, "--text", "--lang", lang]);
            assert_eq!(code, 0, "{}: {err}", l.name);
            // The introduction and every note are in it, under the ladder's rows.
            let lang_v = synack::i18n::Lang::parse(lang).unwrap();
            for (f, _) in l.notes {
                let note = l.note_in(*f, lang_v).unwrap();
                let first: String = note.chars().take(12).collect();
                assert!(
                    out.contains(&first),
                    "{} {lang}: note at frame {f} missing",
                    l.name
                );
            }
            common::golden(l.name, &format!("lesson-{}.{lang}", l.name), &out);
        }
    }
}

#[test]
fn the_list_names_every_lesson_in_one_line_each() {
    let (out, _, code) = synack(&["--lesson", "list"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), LESSONS.len());
    for l in LESSONS {
        assert!(
            out.lines().any(|line| line.starts_with(l.name)),
            "{}",
            l.name
        );
    }
    // The locale picks the language when --lang does not.
    let zh = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["--lesson", "list"])
        .env_remove("LC_ALL")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&zh.stdout).contains("三次握手"));
}

#[test]
fn an_unknown_lesson_or_language_is_one_line_and_exit_2() {
    let (_, err, code) = synack(&["--lesson", "handshak", "--text"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("handshak") && err.contains("--lesson list"),
        "{err}"
    );
    let (_, err, code) = synack(&["--lesson", "handshake", "--text", "--lang", "fr"]);
    assert_eq!(code, 2);
    assert!(err.contains("--lang wants en or zh"), "{err}");
}

#[test]
fn calls_are_drawn_on_any_capture_only_when_asked() {
    let file = common::fixture("refused.pcap");
    let (plain, _, _) = synack(&[&file, "--text"]);
    assert!(!plain.contains("connect()"));
    let (with, _, code) = synack(&[&file, "--text", "--calls"]);
    assert_eq!(code, 0);
    let rows: Vec<&str> = with
        .lines()
        .filter(|l| l.contains("connect()") || l.contains("ECONNREFUSED |"))
        .collect();
    assert_eq!(rows.len(), 2, "{with}");
    assert!(
        rows[0].trim_start().starts_with("connect() |"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].trim_start().starts_with("ECONNREFUSED |"),
        "{}",
        rows[1]
    );
}
