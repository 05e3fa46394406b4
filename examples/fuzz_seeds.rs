//! Seeds the cargo-fuzz corpora (`make fuzz` runs it): `fuzz_seeds OUT_DIR [CAPTURE_DIR...]`
//! reads every capture in the folders given (`fixtures/` and `../shared/corpus` by default)
//! and writes, in the formats of `synack::testkit::fuzz`,
//! - `OUT_DIR/read_capture/`: each capture's first 64 KiB (a gzip file as it is);
//! - `OUT_DIR/decode/`: up to 32 distinct frames of each, behind their link-type selector;
//! - `OUT_DIR/track/`: each capture's first 200 frames (up to 64 KiB) as one `track` input.
//!
//! The corpora are git-ignored: seeds are made from the captures at each run, never committed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use synack::capture::FileReader;
use synack::testkit::fuzz::{record, selector_of};

const PREFIX: usize = 64 << 10;
const FRAMES_PER_CAPTURE: usize = 32;
const TRACK_FRAMES: usize = 200;

fn captures(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("fuzz_seeds: no folder {}, skipped", dir.display());
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.to_string_lossy();
            [".pcap", ".pcapng", ".cap", ".gz"]
                .iter()
                .any(|e| n.ends_with(e))
        })
        .collect();
    v.sort();
    v
}

/// Writes `bytes` as `dir/name` unless an identical seed was written already.
fn seed(dir: &Path, name: &str, bytes: &[u8], seen: &mut HashSet<Vec<u8>>) -> bool {
    if !seen.insert(bytes.to_vec()) {
        return false;
    }
    std::fs::write(dir.join(name), bytes).expect("write a seed");
    true
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "fuzz/corpus".into()));
    let mut dirs: Vec<PathBuf> = args.map(PathBuf::from).collect();
    if dirs.is_empty() {
        dirs = vec!["fixtures".into(), "../shared/corpus".into()];
    }
    let [read, decode, track] = ["read_capture", "decode", "track"].map(|t| out.join(t));
    for d in [&read, &decode, &track] {
        std::fs::create_dir_all(d).expect("create a corpus folder");
    }
    let mut seen = HashSet::new();
    let mut counts = [0usize; 3];
    for path in dirs.iter().flat_map(|d| captures(d)) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).expect("read a capture");
        counts[0] += usize::from(seed(
            &read,
            &name,
            &bytes[..bytes.len().min(PREFIX)],
            &mut seen,
        ));
        let Ok(mut reader) = FileReader::open(&path.to_string_lossy()) else {
            continue;
        };
        // Settings for `track`: JSON, 8 events and 4 connections kept, MSL 3 s.
        let mut input = vec![0, 7, 3, 3];
        let (mut frames, mut n) = (0, 0);
        let mut last_ts = None;
        while let Ok(Some(pkt)) = reader.next_packet() {
            let Some(sel) = selector_of(pkt.linktype) else {
                continue;
            };
            let mut one = vec![sel];
            one.extend_from_slice(pkt.data);
            if frames < FRAMES_PER_CAPTURE && seed(&decode, &format!("{name}-{n}"), &one, &mut seen)
            {
                frames += 1;
                counts[1] += 1;
            }
            if n < TRACK_FRAMES && input.len() < PREFIX {
                // Time in steps of 10 ms, as `track` reads it, within an i8.
                let dt = last_ts.map_or(0, |t: i64| ((pkt.ts.0 - t) / 10_000_000).clamp(-128, 127));
                last_ts = Some(pkt.ts.0);
                input.extend(record(sel, dt as i8, pkt.data));
            }
            n += 1;
            if n >= TRACK_FRAMES && frames >= FRAMES_PER_CAPTURE {
                break;
            }
        }
        if n > 0 {
            counts[2] += usize::from(seed(&track, &name, &input, &mut seen));
        }
    }
    println!(
        "seeds: read_capture {}, decode {}, track {} (in {})",
        counts[0],
        counts[1],
        counts[2],
        out.display()
    );
}
