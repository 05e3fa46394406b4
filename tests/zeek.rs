//! Agreement with Zeek: for every TCP row of every Zeek conn.log baseline in the real-capture
//! corpus (`zeek_baseline` column of MANIFEST.tsv), synack's connection on the same 4-tuple
//! must report the same `conn_state` and `history`, except for the disagreements listed in
//! [`ALLOWED`] with their reasons. A disagreement not listed fails the test, and so does a
//! listed one that now agrees (the list must stay honest).

mod common;

use std::collections::HashMap;
use std::fs;

use serde_json::Value;

/// Known disagreements: (capture, Zeek orig "ip:port", Zeek resp "ip:port", Zeek history,
/// reason). The history tells apart Zeek rows that share a 4-tuple. None at present: a 4-tuple
/// Zeek splits in two after its 5 s connection-attempt timeout is one synack connection whose
/// `zeek_earlier` lists the Zeek connections before the last.
const ALLOWED: &[(&str, &str, &str, &str, &str)] = &[];

const REQUIRED_PERCENT: f64 = 95.0;

struct ZeekRow {
    orig: String,
    resp: String,
    state: String,
    history: String,
}

/// TCP rows of a btest conn.log baseline (a btest header line, then Zeek's ASCII log).
fn zeek_tcp_rows(text: &str) -> Vec<ZeekRow> {
    let mut fields: Vec<&str> = Vec::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("#fields\t") {
            fields = f.split('\t').collect();
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        assert!(!fields.is_empty(), "conn.log row before #fields: {line}");
        let cols: HashMap<&str, &str> = fields.iter().copied().zip(line.split('\t')).collect();
        if cols["proto"] != "tcp" {
            continue;
        }
        let ep = |h: &str, p: &str| {
            let ip = cols[h];
            if ip.contains(':') {
                format!("[{ip}]:{}", cols[p])
            } else {
                format!("{ip}:{}", cols[p])
            }
        };
        rows.push(ZeekRow {
            orig: ep("id.orig_h", "id.orig_p"),
            resp: ep("id.resp_h", "id.resp_p"),
            state: cols["conn_state"].to_string(),
            history: cols["history"].to_string(),
        });
    }
    rows
}

/// Captures with a Zeek baseline, from the manifest.
fn baselines() -> Vec<(String, String)> {
    let dir = common::corpus_dir();
    let manifest = fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let file_col = header
        .iter()
        .position(|h| *h == "file")
        .expect("file column");
    let base_col = header
        .iter()
        .position(|h| *h == "zeek_baseline")
        .expect("zeek_baseline column");
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c.len() > base_col && !c[base_col].is_empty())
        .map(|c| (c[file_col].to_string(), c[base_col].to_string()))
        .collect()
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Agree,
    Disagree(String),
}

#[test]
fn conn_state_and_history_agree_with_zeek_baselines() {
    let dir = common::corpus_dir();
    let logs = baselines();
    assert!(
        logs.len() >= 9,
        "expected the corpus's Zeek baselines, found {}",
        logs.len()
    );
    let mut total = 0usize;
    let mut agreed = 0usize;
    let mut failures = Vec::new();
    let mut allowed_seen = vec![false; ALLOWED.len()];
    for (capture, log) in &logs {
        let text = fs::read_to_string(dir.join(log)).unwrap_or_else(|e| panic!("{log}: {e}"));
        let rows = zeek_tcp_rows(&text);
        let path = dir.join(capture).to_string_lossy().into_owned();
        let lines = common::json_lines(&path, &["--no-events"]);
        let conns = common::connections(&lines);
        let mut nth: HashMap<(String, String), usize> = HashMap::new();
        let same_tuple = |r: &ZeekRow| {
            rows.iter()
                .filter(|o| same(&o.orig, &o.resp, &r.orig, &r.resp))
                .count()
        };
        for row in &rows {
            total += 1;
            let k = nth.entry(key(&row.orig, &row.resp)).or_insert(0);
            let outcome = compare(row, &conns, *k, same_tuple(row));
            *k += 1;
            let allowed = ALLOWED.iter().position(|a| {
                a.0 == capture && a.1 == row.orig && a.2 == row.resp && a.3 == row.history
            });
            match (outcome, allowed) {
                (Outcome::Agree, None) => agreed += 1,
                (Outcome::Agree, Some(i)) => {
                    allowed_seen[i] = true;
                    agreed += 1;
                    failures.push(format!(
                        "{capture} {} -> {}: listed as a disagreement but now agrees; \
                         remove it from ALLOWED",
                        row.orig, row.resp
                    ));
                }
                (Outcome::Disagree(_), Some(i)) => allowed_seen[i] = true,
                (Outcome::Disagree(why), None) => {
                    failures.push(format!("{capture} {} -> {}: {why}", row.orig, row.resp))
                }
            }
        }
    }
    for (i, seen) in allowed_seen.iter().enumerate() {
        if !seen {
            let a = ALLOWED[i];
            failures.push(format!(
                "ALLOWED entry {} {} -> {} {:?} matches no Zeek row",
                a.0, a.1, a.2, a.3
            ));
        }
    }
    let percent = 100.0 * agreed as f64 / total.max(1) as f64;
    eprintln!("synack agrees with Zeek on {agreed} of {total} TCP connections ({percent:.1}%)");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        percent >= REQUIRED_PERCENT,
        "agreement {agreed}/{total} = {percent:.1}% is below {REQUIRED_PERCENT}%"
    );
}

fn key(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

fn same(a1: &str, b1: &str, a2: &str, b2: &str) -> bool {
    key(a1, b1) == key(a2, b2)
}

/// Zeek's views of each synack connection: the connections Zeek split off (`zeek_earlier`),
/// then the last one. The `k`-th of `n` Zeek rows on a 4-tuple pairs with the `k`-th view
/// when there are as many views as rows; otherwise with the last.
fn compare(row: &ZeekRow, conns: &[&Value], k: usize, n: usize) -> Outcome {
    let mut views: Vec<(String, String, bool, u64)> = Vec::new();
    for c in conns {
        let (Some(cl), Some(sv)) = (c["client"].as_str(), c["server"].as_str()) else {
            continue;
        };
        let swapped = if cl == row.orig && sv == row.resp {
            false
        } else if cl == row.resp && sv == row.orig {
            true
        } else {
            continue;
        };
        let id = c["id"].as_u64().unwrap_or(0);
        for e in c["zeek_earlier"].as_array().into_iter().flatten() {
            views.push((
                e["conn_state"].as_str().unwrap_or("<missing>").to_string(),
                e["history"].as_str().unwrap_or("<missing>").to_string(),
                swapped,
                id,
            ));
        }
        views.push((
            c["conn_state"].as_str().unwrap_or("<missing>").to_string(),
            c["history"].as_str().unwrap_or("<missing>").to_string(),
            swapped,
            id,
        ));
    }
    let pick = if views.len() == n {
        views.get(k)
    } else {
        views.last()
    };
    let Some((state, history, swapped, _)) = pick else {
        return Outcome::Disagree("synack has no connection on this 4-tuple".into());
    };
    if *state == row.state && *history == row.history {
        return Outcome::Agree;
    }
    let mut why = format!(
        "Zeek {} {:?}, synack {} {:?}",
        row.state, row.history, state, history
    );
    if *swapped {
        why.push_str(" (synack's client/server are Zeek's resp/orig: roles swapped)");
    }
    if views.len() != n {
        why.push_str(&format!(
            " (Zeek has {n} connections on this 4-tuple, synack's views {})",
            views.len()
        ));
    }
    Outcome::Disagree(why)
}
