//! `--text`: one ladder diagram per connection, then a summary.
//!
//! ```text
//!         time         client |                                           | server
//!     0.000000       SYN_SENT |-- SYN seq=0 win=64240 ------------------->| LISTEN
//! ```
//! The two ends are the columns; each segment is an arrow with its flags, relative seq/ack and
//! length; the state of each end after the segment stands on its side. Runs of plain data and
//! ACK segments fold into one line so the handshake and the teardown stand out.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::summary::Report;
use super::{thousands, OutputOptions, SeqStyle};
use crate::decode::Flags;
use crate::diagnose::Finding;
use crate::track::{Connection, Dir, Event, EventKind, Marks, State};

/// Width of the arrow between the two lifelines.
const ARROW: usize = 46;
/// Fewer plain segments than this in a row are shown one by one.
const FOLD_MIN: usize = 3;

/// The label on an arrow: flags, relative (or absolute) seq/ack, length.
pub fn segment_label(c: &Connection, e: &Event, opts: &OutputOptions) -> String {
    let (seq, ack) = match opts.seq {
        SeqStyle::Relative => (c.rel_seq(e.dir, e.seq), c.rel_ack(e.dir, e.ack)),
        SeqStyle::Absolute => (e.seq, e.ack),
    };
    let mut s = format!("{} seq={}", e.flags, seq);
    if e.flags.ack() {
        let _ = write!(s, " ack={ack}");
    }
    if e.len > 0 {
        let _ = write!(s, " len={}", e.len);
    }
    if e.flags.syn() || e.window == 0 {
        let _ = write!(s, " win={}", e.window);
    }
    s
}

fn arrow(dir: Dir, label: &str) -> String {
    let max_label = ARROW - 6;
    let label: String = if label.chars().count() > max_label {
        label.chars().take(max_label - 1).chain(['~']).collect()
    } else {
        label.to_string()
    };
    // "-- " + label + " " + dashes + ">" fills the arrow exactly.
    let dashes = ARROW - 5 - label.chars().count();
    match dir {
        Dir::C2S => format!("-- {label} {}>", "-".repeat(dashes)),
        Dir::S2C => format!("<{} {label} --", "-".repeat(dashes)),
    }
}

fn centered(text: &str) -> String {
    let n = text.chars().count().min(ARROW);
    let left = (ARROW - n) / 2;
    format!(
        "{}{}{}",
        " ".repeat(left),
        text.chars().take(ARROW).collect::<String>(),
        " ".repeat(ARROW - n - left)
    )
}

fn marks_text(m: Marks) -> String {
    if m.is_empty() {
        String::new()
    } else {
        format!("  [{}]", m.names().collect::<Vec<_>>().join(", "))
    }
}

fn row(time: &str, client: &str, mid: &str, server: &str, tail: &str) -> String {
    format!("{time:>12} {client:>12} |{mid}| {server}{tail}")
        .trim_end()
        .to_string()
}

/// Connection header: who, how it went, counters.
pub fn header(c: &Connection) -> String {
    let mut s = format!(
        "Connection #{}  {} -> {}\n",
        c.id,
        c.client().addr,
        c.server().addr
    );
    let mut notes = vec![
        format!("handshake {}", c.handshake().name()),
        format!("teardown {}", c.teardown().name()),
    ];
    if c.mid_stream {
        notes.push("joined mid-stream".into());
    }
    if let Some(prev) = c.reuses {
        let how = c
            .reused_from
            .map(|st| format!(" (was {} / {})", st[0], st[1]))
            .unwrap_or_default();
        notes.push(format!("reuses the 4-tuple of #{prev}{how}"));
    }
    let _ = writeln!(s, "  {}", notes.join(", "));
    let _ = writeln!(
        s,
        "  first {}  duration {:.6} s  packets {} ({} c2s, {} s2c)  bytes {} ({} c2s, {} s2c)",
        c.first_seen.rfc3339(),
        c.last_seen.secs_since(c.first_seen),
        c.packets(),
        c.client().packets,
        c.server().packets,
        c.bytes(),
        c.client().bytes,
        c.server().bytes,
    );
    let _ = writeln!(
        s,
        "  final state: client {}, server {}",
        c.client().state,
        c.server().state
    );
    s
}

/// The ladder diagram of one connection.
pub fn ladder(c: &Connection, opts: &OutputOptions) -> String {
    let mut out = String::new();
    out.push_str(&row("time", "client", &centered(""), "server", ""));
    out.push('\n');
    let initial = c.events.first().map(|e| e.before).unwrap_or(c.states());
    out.push_str(&row(
        "",
        initial[0].name(),
        &centered(""),
        initial[1].name(),
        "",
    ));
    out.push('\n');
    let events = &c.events;
    let mut i = 0;
    while i < events.len() {
        let e = &events[i];
        // A run of plain segments (no flags but ACK/PSH, no marks, no state change).
        let run = events[i..].iter().take_while(|e| !e.is_notable()).count();
        if run >= FOLD_MIN {
            let seg = &events[i..i + run];
            let c2s = seg.iter().filter(|e| e.dir == Dir::C2S).count();
            let bytes: u64 = seg.iter().map(|e| u64::from(e.len)).sum();
            let dur = seg[run - 1].ts.secs_since(seg[0].ts);
            let text = format!(
                ": {} segments, {} bytes, {:.3} s :",
                run,
                thousands(bytes),
                dur
            );
            out.push_str(&row(
                &format!("{:.6}", e.ts.secs_since(c.first_seen)),
                "",
                &centered(&text),
                "",
                &format!("  [{} c2s, {} s2c]", c2s, run - c2s),
            ));
            out.push('\n');
            i += run;
            continue;
        }
        out.push_str(&event_row(c, e, opts));
        out.push('\n');
        i += 1;
    }
    if c.events_dropped > 0 {
        out.push_str(&row(
            "",
            "",
            &centered(&format!(
                "({} plain segments not kept: --max-events)",
                thousands(c.events_dropped)
            )),
            "",
            "",
        ));
        out.push('\n');
    }
    out
}

fn state_cell(e: &Event, side: usize) -> String {
    let st: State = e.states[side];
    st.name().to_string()
}

/// One ladder row for one event.
pub fn event_row(c: &Connection, e: &Event, opts: &OutputOptions) -> String {
    let time = format!("{:.6}", e.ts.secs_since(c.first_seen));
    let mid = match e.kind {
        EventKind::Segment => arrow(e.dir, &segment_label(c, e, opts)),
        EventKind::TimeWaitExpired => centered("2*MSL elapsed: TIME_WAIT over (inferred)"),
    };
    let marks = if e.kind == EventKind::Segment {
        marks_text(e.marks)
    } else {
        String::new()
    };
    row(&time, &state_cell(e, 0), &mid, &state_cell(e, 1), &marks)
}

/// Writes one connection: header, findings and ladder.
pub fn write_connection(
    w: &mut dyn Write,
    c: &Connection,
    opts: &OutputOptions,
    findings: &[Finding],
) -> io::Result<()> {
    w.write_all(header(c).as_bytes())?;
    for f in findings {
        writeln!(w, "  ! {}: {}", f.kind.name(), f.sentence)?;
    }
    w.write_all(b"\n")?;
    w.write_all(ladder(c, opts).as_bytes())?;
    w.write_all(b"\n")
}

/// The closing summary.
pub fn summary(r: &Report<'_>) -> String {
    let s = r.summary;
    let k = r.counters;
    let mut out = String::from("Summary\n");
    let _ = writeln!(
        out,
        "  packets {}: tcp {}, non-tcp {}, filtered out {}, unsupported link type {}, malformed {}",
        thousands(k.packets),
        thousands(k.tcp),
        thousands(k.non_tcp),
        thousands(k.filtered),
        thousands(k.skipped_total()),
        thousands(k.malformed_total()),
    );
    for (lt, n) in &k.skipped_link {
        let _ = writeln!(out, "    skipped link type {lt}: {}", thousands(*n));
    }
    for (reason, n) in &k.malformed {
        let _ = writeln!(out, "    malformed ({reason}): {}", thousands(*n));
    }
    let _ = writeln!(
        out,
        "  connections {}: handshake complete {}, partial {}, none {}; teardown fin {}, rst {}, half {}, none {}",
        thousands(s.connections),
        s.handshakes[0],
        s.handshakes[1],
        s.handshakes[2],
        s.teardowns[0],
        s.teardowns[1],
        s.teardowns[2],
        s.teardowns[3],
    );
    let _ = writeln!(
        out,
        "  joined mid-stream {}, port reuses {}, TIME_WAIT expired (inferred) {}",
        s.mid_stream, r.tracker.port_reuses, r.tracker.time_wait_expired
    );
    if r.tracker.evicted > 0 {
        let _ = writeln!(
            out,
            "  evicted (--max-conns reached) {}: written out as they stood",
            thousands(r.tracker.evicted)
        );
    }
    let marks: Vec<String> = Marks::NAMES
        .iter()
        .zip(s.marks)
        .filter(|(_, n)| *n > 0)
        .map(|((_, name), n)| format!("{name} {n}"))
        .collect();
    if !marks.is_empty() {
        let _ = writeln!(out, "  segments marked: {}", marks.join(", "));
    }
    let _ = writeln!(out, "  final states        client   server");
    for (i, st) in State::ALL.iter().enumerate() {
        let (c, sv) = (s.states[0][i], s.states[1][i]);
        if c + sv > 0 {
            let _ = writeln!(out, "    {:<14} {:>8} {:>8}", st.name(), c, sv);
        }
    }
    if let Some(w) = r.warning {
        let _ = writeln!(out, "  warning: {w}");
    }
    out
}

/// Flags are shown as `SYN+ACK`; re-exported for the UI.
pub fn flags_label(f: Flags) -> String {
    f.to_string()
}
