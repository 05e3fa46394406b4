//! `--zeek` and `--zeek-json` against Zeek's own conn.log baselines in the real-capture corpus
//! (the `zeek_baseline` column of MANIFEST.tsv): the same `#fields` and `#types` lines, and
//! for every TCP row of Zeek's log a row of synack's with the same 4-tuple (orig and resp as
//! Zeek has them) whose conn_state, history, sizes, packets, IP bytes, missed bytes and
//! duration are Zeek's. Rows pair by 4-tuple and order, and by start time where the baseline
//! has it (btest masks most). Also: zeek-cut's way of reading a log (columns found by name on
//! `#fields`, here as an awk script) works on synack's output.

mod common;

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::process::{Command, Stdio};

use synack::output::Format;

/// Columns compared beside the 4-tuple.
const COMPARED: &[&str] = &[
    "proto",
    "service",
    "duration",
    "orig_bytes",
    "resp_bytes",
    "conn_state",
    "missed_bytes",
    "history",
    "orig_pkts",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_ip_bytes",
    "ip_proto",
];

/// Known disagreements: (capture, Zeek orig "ip:port", column, reason). A listed one that
/// now agrees fails the test.
const ALLOWED: &[(&str, &str, &str, &str)] = &[
    // Zeek knows a data connection from the FTP control channel's PORT/PASV lines; synack
    // labels each connection by its own first payloads (a data connection's are file bytes).
    (FTP, "141.142.220.235:37604", "service", FTP_DATA),
    (FTP, "141.142.220.235:59378", "service", FTP_DATA),
    (FTP, "199.233.217.249:61920", "service", FTP_DATA),
    (FTP, "199.233.217.249:61918", "service", FTP_DATA),
];
const FTP: &str = "zeek__ftp__ipv4.pcap";
const FTP_DATA: &str = "ftp-data: known from the control channel, not the payload";

struct Log {
    fields: String,
    types: String,
    rows: Vec<HashMap<String, String>>,
}

fn parse(text: &str) -> Log {
    let mut log = Log {
        fields: String::new(),
        types: String::new(),
        rows: Vec::new(),
    };
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("#fields\t") {
            log.fields = f.to_string();
            names = f.split('\t').map(String::from).collect();
        } else if let Some(t) = line.strip_prefix("#types\t") {
            log.types = t.to_string();
        } else if !line.starts_with('#') && !line.is_empty() {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), names.len(), "row width: {line}");
            log.rows.push(
                names
                    .iter()
                    .cloned()
                    .zip(cols.iter().map(|c| c.to_string()))
                    .collect(),
            );
        }
    }
    log
}

fn baselines() -> Vec<(String, String)> {
    let dir = common::corpus_dir();
    let manifest = fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name| header.iter().position(|h| *h == name).unwrap();
    let (file, base) = (col("file"), col("zeek_baseline"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c.len() > base && !c[base].is_empty())
        .map(|c| (c[file].to_string(), c[base].to_string()))
        .collect()
}

fn tuple(r: &HashMap<String, String>) -> String {
    format!(
        "{}:{} -> {}:{}",
        r["id.orig_h"], r["id.orig_p"], r["id.resp_h"], r["id.resp_p"]
    )
}

#[test]
fn zeek_tsv_agrees_with_zeeks_baselines() {
    let dir = common::corpus_dir();
    let logs = baselines();
    assert!(logs.len() >= 9, "Zeek baselines: {}", logs.len());
    let (mut rows_checked, mut failures) = (0, Vec::new());
    let mut allowed_seen = [false; ALLOWED.len()];
    for (capture, baseline) in &logs {
        let zeek = parse(&fs::read_to_string(dir.join(baseline)).unwrap());
        let path = dir.join(capture).to_string_lossy().into_owned();
        let (out, _) = common::run_batch(&path, Format::Zeek, &[]);
        let ours = parse(&out);
        assert_eq!(ours.fields, zeek.fields, "{capture}: #fields");
        assert_eq!(ours.types, zeek.types, "{capture}: #types");
        // The k-th Zeek row on a 4-tuple pairs with synack's k-th on it.
        let mut used: HashMap<String, usize> = HashMap::new();
        for z in zeek.rows.iter().filter(|r| r["proto"] == "tcp") {
            let t = tuple(z);
            let k = used.entry(t.clone()).or_insert(0);
            let mine = ours
                .rows
                .iter()
                .filter(|r| tuple(r) == t)
                .filter(|r| z["ts"].starts_with('X') || r["ts"] == z["ts"])
                .nth(*k);
            *k += 1;
            let Some(mine) = mine else {
                failures.push(format!("{capture} {t}: no such row of synack's"));
                continue;
            };
            rows_checked += 1;
            for col in COMPARED {
                if mine[*col] == z[*col] {
                    continue;
                }
                let allowed = ALLOWED
                    .iter()
                    .position(|a| a.0 == capture && t.starts_with(a.1) && a.2 == *col);
                match allowed {
                    Some(i) => allowed_seen[i] = true,
                    None => failures.push(format!(
                        "{capture} {t}: {col} Zeek {:?}, synack {:?}",
                        z[*col], mine[*col]
                    )),
                }
            }
        }
    }
    for (a, seen) in ALLOWED.iter().zip(allowed_seen) {
        if !seen {
            failures.push(format!("ALLOWED {} {} {} agrees now", a.0, a.1, a.2));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{rows_checked} Zeek rows agree column by column");
    assert!(rows_checked >= 60, "only {rows_checked} Zeek rows checked");
}

#[test]
fn zeek_json_lines_carry_the_same_rows() {
    let dir = common::corpus_dir();
    let path = dir
        .join("zeek__ssh__ssh.client-side-half-duplex.pcap")
        .to_string_lossy()
        .into_owned();
    let (tsv, _) = common::run_batch(&path, Format::Zeek, &[]);
    let (json, _) = common::run_batch(&path, Format::ZeekJson, &[]);
    let rows = parse(&tsv).rows;
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(rows.len(), lines.len());
    assert!(rows.len() >= 20);
    for (r, j) in rows.iter().zip(&lines) {
        assert_eq!(j["uid"], r["uid"].as_str());
        assert_eq!(j["conn_state"], r["conn_state"].as_str());
        assert_eq!(j["history"], r["history"].as_str());
        assert_eq!(j["id.orig_p"].to_string(), r["id.orig_p"]);
        assert_eq!(j["orig_ip_bytes"].to_string(), r["orig_ip_bytes"]);
        assert_eq!(format!("{:.6}", j["ts"].as_f64().unwrap()), r["ts"]);
        // Unset fields are left out, as Zeek's JSON writer does.
        match r["service"].as_str() {
            "-" => assert!(j.get("service").is_none()),
            s => assert_eq!(j["service"], s),
        }
        assert!(j.get("tunnel_parents").is_none());
    }
}

/// zeek-cut finds the columns it is asked for by name on the `#fields` line; this awk
/// script does the same, so synack's log works in a zeek-cut pipeline.
const ZEEK_CUT: &str = r#"
/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
/^#/ { next }
{ print $col["id.orig_h"] "\t" $col["conn_state"] "\t" $col["history"] }
"#;

#[test]
fn a_zeek_cut_style_reader_reads_the_log() {
    let path = common::corpus_dir()
        .join("zeek__ftp__ipv4.pcap")
        .to_string_lossy()
        .into_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args([&path, "--zeek"])
        .output()
        .expect("synack runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("#separator \\x09\n"));
    assert!(text.lines().last().unwrap().starts_with("#close\t"));
    let mut awk = Command::new("awk")
        .args(["-F", "\t", ZEEK_CUT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("awk");
    awk.stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let cut = String::from_utf8(awk.wait_with_output().unwrap().stdout).unwrap();
    let expected: Vec<String> = parse(&text)
        .rows
        .iter()
        .map(|r| format!("{}\t{}\t{}", r["id.orig_h"], r["conn_state"], r["history"]))
        .collect();
    assert_eq!(cut.lines().collect::<Vec<_>>(), expected);
    assert!(cut.contains("141.142.220.235\tSF\tShAdDfFa"));
}
