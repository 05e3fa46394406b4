//! Seeded mutation test on stable: every fixture and every capture of the shared corpus, cut
//! to its first [`PREFIX`] bytes (headers and the first records are where a reader goes
//! wrong; whole files are read by tests/corpus.rs), mutated [`variants`] times each (bit
//! flips, interesting numbers over length fields, cuts, deletions, duplications, insertions,
//! splices with another capture). Every variant is run in-process through the batch runner
//! (`--json`, `--text` or `--diagnose`, with and without tight `--max-events`/`--max-conns`),
//! and a sample through the binary: no panic on any thread, exit status 0, 1 or 2, every
//! `--json` line JSON, every error one line.
//!
//! Reproducible: `SYNACK_MUTATION_SEED` (default [`SEED`]) and `SYNACK_MUTATIONS` (variants
//! per file) set the run; a failing variant is saved under `target/mutation-failures/`.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use clap::Parser;
use synack::capture::FileReader;
use synack::cli::Args;
use synack::config::{Config, Env};
use synack::gen::bulk::Rng;
use synack::output::Format;

const SEED: u64 = 0x005e_ed14;
/// Bytes of each capture mutated (after gunzipping a `.gz`).
const PREFIX: usize = 48 << 10;
/// One variant in this many also goes through the binary.
const BINARY_EVERY: usize = 16;
/// A variant's run through the binary taking longer than this is a hang.
const BINARY_TIMEOUT: Duration = Duration::from_secs(30);

fn seed() -> u64 {
    std::env::var("SYNACK_MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED)
}

/// Variants per capture: about 10,000 in all by default, a few tens of seconds in debug.
fn variants() -> usize {
    std::env::var("SYNACK_MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100)
}

/// A capture to mutate: its name and its first bytes.
struct Input {
    name: String,
    bytes: Vec<u8>,
}

fn prefix(path: &Path) -> Vec<u8> {
    let file = std::fs::File::open(path).unwrap();
    let mut out = Vec::new();
    if path.extension().is_some_and(|e| e == "gz") {
        // A damaged gzip stream is an error at the first byte; mutating what it holds says
        // more. The gzip layer itself still gets mutated variants (see `inputs`).
        let mut gz = flate2::read::MultiGzDecoder::new(file).take(PREFIX as u64);
        let _ = gz.read_to_end(&mut out);
    } else {
        file.take(PREFIX as u64).read_to_end(&mut out).unwrap();
    }
    out
}

/// Every fixture, every capture in the corpus manifest (its absence fails the test: under
/// CI=true and everywhere else), and the raw bytes of each gzip capture.
fn inputs() -> Vec<Input> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(common::root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    paths.sort();
    let fixtures = paths.len();
    let dir = common::corpus_dir();
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    for line in manifest.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        paths.push(dir.join(line.split('\t').next().unwrap()));
    }
    assert!(fixtures >= 40, "{fixtures} fixtures");
    assert!(paths.len() - fixtures >= 60, "corpus manifest too short");
    let mut out: Vec<Input> = paths
        .iter()
        .map(|p| Input {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            bytes: prefix(p),
        })
        .collect();
    for p in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "gz"))
    {
        let mut raw = Vec::new();
        std::fs::File::open(p)
            .unwrap()
            .take(PREFIX as u64)
            .read_to_end(&mut raw)
            .unwrap();
        out.push(Input {
            name: format!("{} (compressed)", p.file_name().unwrap().to_string_lossy()),
            bytes: raw,
        });
    }
    out
}

/// Numbers that break length and count fields.
const INTERESTING: [u32; 12] = [
    0,
    1,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x0004_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
];

/// An offset: half the time within the first 128 bytes (file, section, interface and first
/// record headers), else anywhere.
fn offset(rng: &mut Rng, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let within = if rng.next_u32().is_multiple_of(2) {
        len.min(128)
    } else {
        len
    };
    rng.range(0, within as u64 - 1) as usize
}

/// Applies one random mutation to `b` (`other`: another capture, for splices); says which.
fn mutate(rng: &mut Rng, b: &mut Vec<u8>, other: &[u8]) -> String {
    let len = b.len();
    let at = offset(rng, len);
    match rng.next_u32() % 8 {
        0 if len > 0 => {
            let bit = rng.next_u32() % 8;
            b[at] ^= 1 << bit;
            format!("flip bit {bit} at {at}")
        }
        1 if len > 0 => {
            let v = INTERESTING[rng.next_u32() as usize % 5] as u8;
            b[at] = v;
            format!("byte {v:#x} at {at}")
        }
        2 => {
            let v = INTERESTING[rng.next_u32() as usize % INTERESTING.len()];
            let width = if rng.next_u32().is_multiple_of(2) {
                2
            } else {
                4
            };
            let bytes = if rng.next_u32().is_multiple_of(2) {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            };
            let end = (at + width).min(len);
            b[at..end].copy_from_slice(&bytes[4 - width..][..end - at]);
            format!("{width}-byte {v:#x} at {at}")
        }
        3 => {
            b.truncate(at);
            format!("cut at {at}")
        }
        4 if len > 0 => {
            let n = rng.range(1, 64.min(len - at) as u64) as usize;
            b.drain(at..at + n);
            format!("delete {n} at {at}")
        }
        5 if len > 0 => {
            let n = rng.range(1, 256.min(len - at) as u64) as usize;
            let copy = b[at..at + n].to_vec();
            let to = offset(rng, len);
            b.splice(to..to, copy);
            format!("copy {n} from {at} to {to}")
        }
        6 => {
            let n = rng.range(1, 32) as usize;
            let junk: Vec<u8> = (0..n).map(|_| rng.next_u32() as u8).collect();
            b.splice(at..at, junk);
            format!("insert {n} at {at}")
        }
        _ => {
            let from = offset(rng, other.len());
            b.truncate(at);
            b.extend_from_slice(&other[from..]);
            format!("splice at {at} from {from}")
        }
    }
}

/// How a variant is run: the format and extra arguments, cycling.
fn mode(i: usize) -> (Format, &'static str, &'static [&'static str]) {
    const MODES: [(Format, &str, &[&str]); 6] = [
        (Format::Json, "--json", &[]),
        (
            Format::Json,
            "--json",
            &["--max-events", "2", "--max-conns", "3"],
        ),
        (Format::Text, "--text", &[]),
        (Format::Json, "--json", &["--no-events"]),
        (Format::Diagnose, "--diagnose", &[]),
        (Format::Text, "--text", &["--max-conns", "1"]),
    ];
    MODES[i % MODES.len()]
}

/// Panics anywhere in the process (the runner's threads included), with their messages.
static PANICS: AtomicUsize = AtomicUsize::new(0);
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = info.to_string();
            default(info);
        }));
    });
}

/// Runs one variant in-process as `synack FILE MODE EXTRA...` would; what went wrong, if
/// anything.
fn run_in_process(bytes: Vec<u8>, i: usize) -> Result<(), String> {
    let (format, flag, extra) = mode(i);
    let mut argv = vec!["synack", "mutant.pcap", flag, "--no-progress"];
    argv.extend_from_slice(extra);
    let cfg = Config::from_args(&Args::parse_from(argv), &Env::default()).unwrap();
    let reader = match FileReader::from_memory("mutant.pcap", bytes) {
        Ok(r) => r,
        Err(e) => return one_line(&e.to_string()),
    };
    let mut out = Vec::new();
    let outcome = synack::run::file::run(reader, &cfg.core, &cfg.output, format, &mut out)
        .map_err(|e| format!("run failed: {e:#}"))?;
    if let Some(e) = &outcome.input_error {
        one_line(e)?;
    }
    let text = String::from_utf8(out).map_err(|_| "output is not UTF-8".to_string())?;
    if format == Format::Json {
        json_lines(&text)?;
    }
    Ok(())
}

fn one_line(msg: &str) -> Result<(), String> {
    if msg.is_empty() || msg.contains(['\n', '\r']) {
        return Err(format!("error is not one line: {msg:?}"));
    }
    Ok(())
}

fn json_lines(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("no output, not even the summary".into());
    }
    for line in text.lines() {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) if v.is_object() => {}
            _ => return Err(format!("not a JSON object: {line:.200}")),
        }
    }
    Ok(())
}

/// Runs one variant through the binary (read by path: libpcap opens it itself).
fn run_binary(path: &Path, i: usize) -> Result<(), String> {
    let (format, flag, extra) = mode(i);
    let mut child = Command::new(env!("CARGO_BIN_EXE_synack"))
        .arg(path)
        .arg(flag)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drained while it runs: a child blocked on a full pipe is not a hang of synack's.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = r.read_to_end(&mut b);
            b
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > BINARY_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("hung: still running after {BINARY_TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr),
    );
    match status.code() {
        Some(0..=2) => {}
        code => return Err(format!("exit status {code:?}; stderr: {stderr:.300}")),
    }
    if stderr.contains("panicked") || stderr.lines().any(|l| !l.starts_with("synack: ")) {
        return Err(format!("stderr: {stderr:.300}"));
    }
    if format == Format::Json {
        if status.code() != Some(2) {
            json_lines(&stdout)?;
        } else {
            // A file that could not be opened prints nothing; a cut one, what was read.
            for line in stdout.lines() {
                json_lines(line)?;
            }
        }
    }
    Ok(())
}

/// Saves a failing variant for a closer look; returns where.
fn save(name: &str, i: usize, bytes: &[u8]) -> PathBuf {
    let dir = common::root().join("target").join("mutation-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let p = dir.join(format!("{safe}-{i}.pcap"));
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn mutated_fixtures_and_corpus_captures_never_panic_and_give_json_and_clean_exits() {
    count_panics();
    let seed = seed();
    let inputs = inputs();
    let tmp = tempfile::tempdir().unwrap();
    let (mut failures, mut ran, mut through_binary) = (Vec::new(), 0usize, 0usize);
    let started = Instant::now();
    for (k, input) in inputs.iter().enumerate() {
        let mut rng = Rng::new(seed ^ (k as u64).wrapping_mul(0x9E37_79B9));
        let other = &inputs[(k * 7 + 3) % inputs.len()].bytes;
        for i in 0..variants() {
            let mut bytes = input.bytes.clone();
            let steps: Vec<String> = (0..rng.range(1, 3))
                .map(|_| mutate(&mut rng, &mut bytes, other))
                .collect();
            let what = format!("{} variant {i} ({})", input.name, steps.join(", "));
            let before = PANICS.load(Ordering::SeqCst);
            let result = std::panic::catch_unwind(|| run_in_process(bytes.clone(), i))
                .unwrap_or_else(|_| Err("panicked".into()))
                .and_then(|()| {
                    if PANICS.load(Ordering::SeqCst) == before {
                        Ok(())
                    } else {
                        Err(format!("a thread panicked: {}", LAST_PANIC.lock().unwrap()))
                    }
                })
                .and_then(|()| {
                    if i % BINARY_EVERY != k % BINARY_EVERY {
                        return Ok(());
                    }
                    through_binary += 1;
                    let p = tmp.path().join("mutant.pcap");
                    std::fs::write(&p, &bytes).unwrap();
                    run_binary(&p, i).map_err(|e| format!("binary: {e}"))
                });
            ran += 1;
            if let Err(e) = result {
                let saved = save(&input.name, i, &bytes);
                failures.push(format!("{what}: {e} [saved as {}]", saved.display()));
            }
        }
    }
    eprintln!(
        "{ran} variants of {} captures ({through_binary} through the binary) in {:.1?}, seed {seed}",
        inputs.len(),
        started.elapsed()
    );
    assert!(ran >= 100 * variants(), "only {ran} variants");
    assert!(through_binary >= ran / BINARY_EVERY / 2, "{through_binary}");
    assert!(
        failures.is_empty(),
        "{} of {ran} variants failed (SYNACK_MUTATION_SEED={seed}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn mutations_are_the_same_for_the_same_seed_and_change_the_bytes() {
    let base: Vec<u8> = (0..=255).collect();
    let run = |seed| {
        let mut rng = Rng::new(seed);
        (0..50)
            .map(|_| {
                let mut b = base.clone();
                let what = mutate(&mut rng, &mut b, b"spliced tail");
                (b, what)
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (run(1), run(1));
    assert_eq!(a, b);
    assert_ne!(a, run(2));
    // Nearly every mutation changes the bytes (a flip always does; a cut at the end or an
    // overwrite with the same value may not).
    let changed = a.iter().filter(|(bytes, _)| *bytes != base).count();
    assert!(changed >= 45, "{changed} of 50 changed");
}
