//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use clap::Parser;
use synack::cli::Args;
use synack::config::Config;
use synack::output::Format;
use synack::run::Outcome;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> String {
    root()
        .join("fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The shared corpus of third-party captures: `../shared/corpus` beside the repository, or
/// `$SYNACK_CORPUS`. Its absence is a failure, not a skip: CI always has it.
pub fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("SYNACK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("..").join("shared").join("corpus"));
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "the real-capture corpus is missing at {} (set SYNACK_CORPUS to its folder); \
         these tests must run, under CI=true and everywhere else",
        dir.display()
    );
    dir
}

/// Runs a batch mode on a file in-process, as `synack PATH EXTRA...` with its output
/// redirected would: stdout and the outcome, or why the file could not be opened.
pub fn batch(path: &str, format: Format, extra: &[&str]) -> Result<(String, Outcome), String> {
    let mut argv = vec!["synack", path];
    argv.extend_from_slice(extra);
    let cfg = Config::from_args(&Args::parse_from(argv), &synack::config::Env::default())
        .map_err(|e| e.to_string())?;
    let reader = cfg
        .source
        .open_file()
        .expect("a file source")
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let outcome = synack::run::file::run(reader, &cfg.core, &cfg.output, format, &mut out)
        .map_err(|e| e.to_string())?;
    Ok((String::from_utf8(out).expect("utf-8 output"), outcome))
}

/// Runs a batch mode in-process, returning stdout and the input error, if any.
pub fn run_batch(path: &str, format: Format, extra: &[&str]) -> (String, Option<String>) {
    let (out, outcome) = batch(path, format, extra).expect("batch run");
    (out, outcome.input_error)
}

/// JSON lines of a batch run, parsed.
pub fn json_lines(path: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let (out, _) = run_batch(path, Format::Json, extra);
    out.lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

pub fn connections(lines: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    lines.iter().filter(|v| v["type"] == "connection").collect()
}

pub fn summary(lines: &[serde_json::Value]) -> &serde_json::Value {
    let last = lines.last().expect("at least the summary");
    assert_eq!(last["type"], "summary");
    last
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}

/// Each connection's findings (id, kind, side, count, problem, sentence, since, evidence frames),
/// and the events
/// the cap left out, over a `--json --no-events` run with `extra` arguments.
pub fn findings_and_dropped(path: &str, extra: &[&str]) -> (Vec<String>, u64) {
    let mut args = vec!["--no-events"];
    args.extend_from_slice(extra);
    let lines = json_lines(path, &args);
    let conns = connections(&lines);
    let dropped = conns
        .iter()
        .map(|c| c["events_dropped"].as_u64().unwrap())
        .sum();
    let findings = conns
        .iter()
        .flat_map(|c| {
            c["findings"].as_array().unwrap().iter().map(move |f| {
                format!(
                    "#{} {} {} {} {} {} since {} frames {}",
                    c["id"],
                    f["kind"],
                    f["side"],
                    f["count"],
                    f["problem"],
                    f["sentence"],
                    f["since"],
                    f["frames"]
                )
            })
        })
        .collect();
    (findings, dropped)
}

/// Compares `got` (output for `what`) with `tests/golden/{golden}.txt`, or writes it under
/// `UPDATE_GOLDEN=1` (never in CI). Panics with the first differing lines.
pub fn golden(what: &str, golden: &str, got: &str) {
    golden_file(what, &format!("{golden}.txt"), got);
}

/// [`golden`] for the file `tests/golden/{name}` (a path under it, extension and all).
pub fn golden_file(what: &str, name: &str, got: &str) {
    let golden = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() && std::env::var("CI").as_deref() != Ok("true") {
        if let Some(dir) = golden.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&golden, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
        panic!(
            "no golden file {}; create it with UPDATE_GOLDEN=1 cargo test",
            golden.display()
        )
    });
    if got != want {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  want: {a}\n  got:  {b}", i + 1))
            .collect();
        panic!(
            "{what}: output differs from {} ({} vs {} lines)\n{}",
            golden.display(),
            want.lines().count(),
            got.lines().count(),
            diff.join("\n")
        );
    }
}
