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

use super::state_label::{label, state_label, ServerProof};
use super::summary::Report;
use super::{thousands, OutputOptions, SeqStyle};
use crate::decode::Timestamp;
use crate::diagnose::Finding;
use crate::i18n::{fill_into, Lang};
use crate::kernel::KernelPair;
use crate::teach::calls::{self, CallAt};
use crate::track::{
    Connection, Dir, DroppedRun, Event, EventKind, Handshake, Marks, Side, State, Teardown,
};

/// Width of the arrow between the two lifelines.
pub(crate) const ARROW: usize = 46;
/// Fewer plain segments than this in a row are shown one by one.
const FOLD_MIN: usize = 3;

/// The label on an arrow: flags, relative (or absolute) seq/ack, length.
pub fn segment_label(c: &Connection, e: &Event, opts: &OutputOptions) -> String {
    let mut s = String::new();
    push_segment_label(&mut s, c, e, opts);
    s
}

fn push_segment_label(out: &mut String, c: &Connection, e: &Event, opts: &OutputOptions) {
    let (seq, ack) = match opts.seq {
        SeqStyle::Relative => (c.rel_seq(e.dir, e.seq), c.rel_ack(e.dir, e.ack)),
        SeqStyle::Absolute => (e.seq, e.ack),
    };
    let mut int = itoa::Buffer::new();
    // Writing to a String cannot fail.
    let _ = write!(out, "{}", e.flags);
    out.push_str(" seq=");
    out.push_str(int.format(seq));
    if e.flags.ack() {
        out.push_str(" ack=");
        out.push_str(int.format(ack));
    }
    if e.len > 0 {
        out.push_str(" len=");
        out.push_str(int.format(e.len));
    }
    // (A segment not captured has no window to show.)
    if (e.flags.syn() || e.window == 0) && e.kind != EventKind::Missing {
        out.push_str(" win=");
        out.push_str(int.format(e.window));
    }
}

fn push_n(out: &mut String, ch: char, n: usize) {
    out.extend(std::iter::repeat_n(ch, n));
}

/// The arrow for one segment, `-- label ---->` or `<---- label --`, exactly [`ARROW`]
/// columns: the label is written in place, cut with `~` when too long.
fn push_arrow(out: &mut String, dir: Dir, c: &Connection, e: &Event, opts: &OutputOptions) {
    let max_label = ARROW - 6;
    if dir == Dir::C2S {
        out.push_str("-- ");
    }
    let start = out.len();
    push_segment_label(out, c, e, opts);
    let mut chars = out[start..].chars().count();
    if chars > max_label {
        let cut = out[start..]
            .char_indices()
            .nth(max_label - 1)
            .map_or(out.len(), |(i, _)| start + i);
        out.truncate(cut);
        out.push('~');
        chars = max_label;
    }
    let dashes = ARROW - 5 - chars;
    match dir {
        Dir::C2S => {
            out.push(' ');
            push_n(out, '-', dashes);
            out.push('>');
        }
        Dir::S2C => {
            let mut head = String::with_capacity(dashes + 2);
            head.push('<');
            push_n(&mut head, '-', dashes);
            head.push(' ');
            out.insert_str(start, &head);
            out.push_str(" --");
        }
    }
}

fn push_centered(out: &mut String, text: &str) {
    let n = text.chars().count().min(ARROW);
    let left = (ARROW - n) / 2;
    push_n(out, ' ', left);
    out.extend(text.chars().take(ARROW));
    push_n(out, ' ', ARROW - n - left);
}

fn push_right(out: &mut String, s: &str, width: usize) {
    // Columns, not chars: a Chinese column title is two columns a character.
    let w = if s.is_ascii() {
        s.len()
    } else {
        unicode_width::UnicodeWidthStr::width(s)
    };
    push_n(out, ' ', width.saturating_sub(w));
    out.push_str(s);
}

/// `{:.6}` of the seconds from `from` to `t`, right-aligned in `width` columns. Integer
/// arithmetic when it gives the same digits (a non-negative span under ~46 days whose
/// nanoseconds are not exactly on a half microsecond, where the f64's rounding decides);
/// float formatting was a visible share of `--text` in the profile.
fn push_secs6(out: &mut String, t: Timestamp, from: Timestamp, width: usize) {
    let ns = t.0 - from.0;
    if (0..4_000_000_000_000_000).contains(&ns) && ns % 1000 != 500 {
        let micros = (ns + 500) / 1000;
        let mut int = itoa::Buffer::new();
        let whole = int.format(micros / 1_000_000);
        push_n(out, ' ', width.saturating_sub(whole.len() + 7));
        out.push_str(whole);
        out.push('.');
        let frac = micros % 1_000_000;
        let digits = int.format(frac);
        push_n(out, '0', 6 - digits.len());
        out.push_str(digits);
    } else {
        push_right(out, &format!("{:.6}", t.secs_since(from)), width);
    }
}

/// Ends a row started at `start`: trailing blanks cut (as `trim_end`), then a newline.
fn end_row(out: &mut String, start: usize) {
    let keep = out[start..].trim_end().len();
    out.truncate(start + keep);
    out.push('\n');
}

/// A row whose middle is centred text: `time client |  text  | server tail`.
pub(crate) fn text_row(
    out: &mut String,
    time: &str,
    client: &str,
    mid: &str,
    server: &str,
    tail: &str,
) {
    let start = out.len();
    push_right(out, time, 12);
    out.push(' ');
    push_right(out, client, 12);
    out.push_str(" |");
    push_centered(out, mid);
    out.push_str("| ");
    out.push_str(server);
    out.push_str(tail);
    end_row(out, start);
}

/// Connection header: who, how it went, counters.
pub fn header(c: &Connection) -> String {
    let mut s = String::new();
    push_header(&mut s, c, Lang::En);
    s
}

/// The language `--text` writes its words in: a lesson's (its notes'), else English unless
/// `--lang` asked (scripts read it).
pub fn text_lang(opts: &OutputOptions) -> Lang {
    if opts.lesson.is_some() {
        opts.lang
    } else {
        opts.report_lang
    }
}

fn push_header(s: &mut String, c: &Connection, lang: Lang) {
    let w = lang.language().header;
    let m = lang.language().messages;
    let (client, server) = (c.client(), c.server());
    fill_into(
        s,
        w.connection,
        &[
            ("id", &c.id),
            ("client", &client.addr),
            ("server", &server.addr),
        ],
    );
    s.push('\n');
    if let Some(encap) = c.tunnel() {
        let levels: Vec<String> = encap.tunnels().map(|t| t.to_string()).collect();
        fill_into(s, w.tunnel, &[("list", &levels.join(w.tunnel_sep))]);
        s.push('\n');
    }
    if let Some(service) = c.service() {
        fill_into(s, w.service, &[("service", &service)]);
        s.push('\n');
    }
    let handshake = m.handshake_names[match c.handshake() {
        Handshake::Complete => 0,
        Handshake::Partial => 1,
        Handshake::None => 2,
    }];
    let teardown = m.teardown_names[match c.teardown() {
        Teardown::Fin => 0,
        Teardown::Rst => 1,
        Teardown::Half => 2,
        Teardown::None => 3,
    }];
    fill_into(
        s,
        w.how,
        &[("handshake", &handshake), ("teardown", &teardown)],
    );
    if c.mid_stream {
        s.push_str(w.mid_stream);
    }
    if let Some(prev) = c.reuses {
        fill_into(s, w.reuses, &[("prev", &prev)]);
        if let Some(st) = c.reused_from {
            fill_into(s, w.was, &[("c", &st[0]), ("s", &st[1])]);
        }
    }
    s.push('\n');
    let mut first = Vec::with_capacity(27);
    c.first_seen.write_rfc3339(&mut first);
    let mut duration = String::new();
    push_secs6(&mut duration, c.last_seen, c.first_seen, 0);
    fill_into(
        s,
        w.counts,
        &[
            ("first", &std::str::from_utf8(&first).unwrap_or_default()),
            ("duration", &duration),
            ("p", &c.packets()),
            ("pc", &client.packets),
            ("ps", &server.packets),
            ("b", &c.bytes()),
            ("bc", &client.bytes),
            ("bs", &server.bytes),
        ],
    );
    s.push('\n');
    // The server's as its lifeline ends: LISTEN? where no SYN+ACK proved a listener, CLOSED
    // (no listener) where a RST refused the SYN.
    let server_state = state_label(c, Side::Server, server.state, usize::MAX, lang);
    fill_into(
        s,
        w.final_states,
        &[("c", &client.state), ("s", &server_state)],
    );
    s.push('\n');
}

/// The ladder diagram of one connection.
pub fn ladder(c: &Connection, opts: &OutputOptions) -> String {
    let mut out = String::new();
    push_ladder(&mut out, c, opts);
    out
}

/// One row of a ladder, in the order drawn: what `--text` and every export show.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// A socket call made before the next event (`--calls`).
    Call(&'a CallAt),
    /// Segments the event cap (`--max-events`) left out, where they fell.
    Dropped(&'a DroppedRun),
    /// A run of plain data/ACK segments shown as one line.
    Fold(Fold),
    /// One event, by its index in `c.events`.
    Event(usize),
}

/// A folded run of plain segments: `events[first..first + segments]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fold {
    pub first: usize,
    pub segments: usize,
    pub c2s: usize,
    pub bytes: u64,
    /// From its first segment to its last.
    pub secs: f64,
}

impl Fold {
    /// `N segments, B bytes, S s`: its line's text.
    pub fn text(&self) -> String {
        format!(
            "{} segments, {} bytes, {:.3} s",
            self.segments,
            thousands(self.bytes),
            self.secs
        )
    }
}

impl DroppedRun {
    /// `(N segments not kept: --max-events)`.
    pub fn text(&self) -> String {
        format!(
            "({} segment{} not kept: --max-events)",
            thousands(self.segments),
            if self.segments == 1 { "" } else { "s" }
        )
    }
}

/// Walks `c`'s ladder row by row, folding runs of plain segments (never in a lesson, whose
/// every segment is a step of the story; never after the first FIN, see [`first_fin`]).
/// `calls`: the socket calls to place (empty without `--calls`).
pub fn for_each_step<'a>(
    c: &'a Connection,
    opts: &OutputOptions,
    calls: &'a [CallAt],
    mut f: impl FnMut(Step<'a>),
) {
    let events = &c.events;
    let fold_min = if opts.lesson.is_some() {
        usize::MAX
    } else {
        FOLD_MIN
    };
    let fold_before = first_fin(c);
    let mut i = 0;
    loop {
        for k in calls.iter().filter(|k| k.before == i) {
            f(Step::Call(k));
        }
        if let Some(r) = c.dropped.at(i) {
            f(Step::Dropped(r));
        }
        if i >= events.len() {
            break;
        }
        // A run of plain segments (no flags but ACK/PSH, no marks, no state change, no app
        // label), up to where segments were left out.
        let limit = c.dropped.next_after(i).unwrap_or(events.len());
        let run = events[i..limit]
            .iter()
            .take_while(|e| !e.is_notable() && c.label_of(e.frame).is_none())
            .count();
        if run >= fold_min && i < fold_before {
            let seg = &events[i..i + run];
            f(Step::Fold(Fold {
                first: i,
                segments: run,
                c2s: seg.iter().filter(|e| e.dir == Dir::C2S).count(),
                bytes: seg.iter().map(|e| u64::from(e.len)).sum(),
                secs: seg[run - 1].ts.secs_since(seg[0].ts),
            }));
            i += run;
            continue;
        }
        f(Step::Event(i));
        i += 1;
    }
}

fn push_ladder(out: &mut String, c: &Connection, opts: &OutputOptions) {
    let lang = text_lang(opts);
    let [time, client, server] = lang.language().header.columns;
    text_row(out, time, client, "", server, "");
    let initial = c.initial_states();
    let proof = ServerProof::of(c);
    let server = label(proof, Side::Server, initial[1], usize::MAX, lang);
    text_row(out, "", initial[0].name(), "", server, "");
    push_note(out, opts, 0);
    let calls = if opts.calls {
        calls::calls(c)
    } else {
        Vec::new()
    };
    for_each_step(c, opts, &calls, |step| match step {
        Step::Call(k) => push_call(out, k),
        Step::Dropped(r) => {
            let start = out.len();
            push_secs6(out, r.first, c.first_seen, 12);
            out.push_str(&" ".repeat(14));
            out.push('|');
            push_centered(out, &r.text());
            out.push_str("| ");
            let _ = write!(
                out,
                "  [{} c2s, {} s2c, {} bytes]",
                thousands(r.c2s),
                thousands(r.segments - r.c2s),
                thousands(r.bytes)
            );
            end_row(out, start);
        }
        Step::Fold(fold) => {
            let start = out.len();
            push_secs6(out, c.events[fold.first].ts, c.first_seen, 12);
            out.push_str(&" ".repeat(14));
            out.push('|');
            push_centered(out, &format!(": {} :", fold.text()));
            out.push_str("| ");
            let _ = write!(
                out,
                "  [{} c2s, {} s2c]",
                fold.c2s,
                fold.segments - fold.c2s
            );
            end_row(out, start);
        }
        Step::Event(i) => {
            push_event_row(out, c, i, opts, proof);
            let e = &c.events[i];
            if let Some(l) = c.label_of(e.frame) {
                push_label_row(out, &l.text);
            }
            if e.kind == EventKind::Segment {
                push_note(out, opts, e.frame);
            }
        }
    });
}

/// `{:.6}` seconds from `from` to `t`, as the ladder's time column writes them.
pub fn secs6(t: Timestamp, from: Timestamp) -> String {
    let mut s = String::new();
    push_secs6(&mut s, t, from, 0);
    s
}

/// Where folding stops: the first FIN's event (`usize::MAX` when there is none). Data after
/// it is never folded: a half-close's point is that it still flows.
pub fn first_fin(c: &Connection) -> usize {
    c.events
        .iter()
        .position(|e| e.kind == EventKind::Segment && e.flags.fin())
        .unwrap_or(usize::MAX)
}

/// A socket call, on its end's side.
fn push_call(out: &mut String, k: &CallAt) {
    let start = out.len();
    let (client, server) = match k.side {
        Side::Client => (k.call.label(), ""),
        Side::Server => ("", k.call.label()),
    };
    push_right(out, client, 25);
    out.push_str(" |");
    push_n(out, ' ', ARROW);
    out.push_str("| ");
    out.push_str(server);
    end_row(out, start);
}

/// Width of a lesson note's lines in a handout.
const NOTE_WIDTH: usize = 78;

/// Full-width closing punctuation (comma, full stop, colon, semicolon, enumeration comma,
/// closing bracket, exclamation and question marks) and the closing quote: a line never starts
/// with one.
const CLOSING: [char; 9] = [
    '\u{ff0c}', '\u{3002}', '\u{ff1a}', '\u{ff1b}', '\u{3001}', '\u{ff09}', '\u{ff01}', '\u{ff1f}',
    '\u{201d}',
];

/// Opening punctuation, which a Chinese line does not end with: the full-width bracket, the
/// opening quotes, and the title and corner brackets.
const OPENING: [char; 6] = [
    '\u{ff08}', '\u{201c}', '\u{2018}', '\u{300a}', '\u{300c}', '\u{3010}',
];

/// The lesson's note for `frame`, if any: indented under its row, wrapped, set off by blank
/// lines so a handout reads as ladder and prose.
fn push_note(out: &mut String, opts: &OutputOptions, frame: u64) {
    let Some(note) = opts.lesson.and_then(|l| l.note_in(frame, opts.lang)) else {
        return;
    };
    out.push('\n');
    for line in wrap(note, NOTE_WIDTH) {
        out.push_str("        ");
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');
}

/// `text` in lines of at most `width` columns, broken at spaces (and between any two wide
/// characters: Chinese has no spaces), by display width.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let cols = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    let mut lines = Vec::new();
    let mut line = String::new();
    // Where the line may break (a byte offset), whether the last character was wide, and
    // whether it opens a bracket or a quote (no break right after it).
    let (mut brk, mut wide, mut opening) = (None, false, false);
    for ch in text.chars() {
        if ch == ' ' {
            if !line.is_empty() {
                brk = Some(line.len());
                line.push(ch);
            }
            wide = false;
            continue;
        }
        let w = ch.width().unwrap_or(0);
        // (Never before closing punctuation: a Chinese line does not start with it.)
        if (w > 1 || wide) && !line.is_empty() && !CLOSING.contains(&ch) && !opening {
            brk = Some(line.len());
        }
        if cols(&line) + w > width && !line.is_empty() {
            let rest = line.split_off(brk.unwrap_or(line.len()));
            lines.push(line.trim_end().to_string());
            line = rest.trim_start().to_string();
            brk = None;
        }
        line.push(ch);
        wide = w > 1;
        opening = OPENING.contains(&ch);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// A segment's app label under its arrow, between the lifelines (cut with `~` to fit).
pub(crate) fn push_label_row(out: &mut String, label: &str) {
    let start = out.len();
    push_n(out, ' ', 25);
    out.push_str(" |");
    let max = ARROW - 4;
    if label.chars().count() > max {
        let mut cut: String = label.chars().take(max - 1).collect();
        cut.push('~');
        push_centered(out, &cut);
    } else {
        push_centered(out, label);
    }
    out.push('|');
    end_row(out, start);
}

fn push_event_row(
    out: &mut String,
    c: &Connection,
    idx: usize,
    opts: &OutputOptions,
    proof: ServerProof,
) {
    let e = &c.events[idx];
    let start = out.len();
    push_secs6(out, e.ts, c.first_seen, 12);
    out.push(' ');
    push_right(out, e.states[0].name(), 12);
    out.push_str(" |");
    match e.kind {
        // A segment not captured is drawn where it would be, marked `inferred`.
        EventKind::Segment | EventKind::Missing => push_arrow(out, e.dir, c, e, opts),
        EventKind::TimeWaitExpired => {
            push_centered(out, "2*MSL elapsed: TIME_WAIT over (inferred)")
        }
    }
    out.push_str("| ");
    out.push_str(label(
        proof,
        Side::Server,
        e.states[1],
        usize::MAX,
        text_lang(opts),
    ));
    if e.kind != EventKind::TimeWaitExpired && !e.marks.is_empty() {
        out.push_str("  [");
        for (k, name) in e.marks.names().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            out.push_str(name);
        }
        out.push(']');
    }
    end_row(out, start);
}

/// Appends one connection to `out`: header, findings and ladder.
pub fn write_connection(
    out: &mut String,
    c: &Connection,
    opts: &OutputOptions,
    findings: &[Finding],
    kernel: Option<&KernelPair>,
) {
    let lang = text_lang(opts);
    push_header(out, c, lang);
    if let Some(k) = kernel {
        push_kernel(out, c, k, lang);
    }
    for f in findings {
        let sentence = crate::diagnose::words::sentence(f, lang);
        // `!` a problem, `-` a finding that is none (TIME_WAIT after a clean close), as the
        // TUI's `!` and `·`.
        let mark = if f.problem { '!' } else { '-' };
        let _ = writeln!(out, "  {mark} {}: {sentence}", f.kind.name());
    }
    out.push('\n');
    push_ladder(out, c, opts);
    out.push('\n');
}

/// Live and lab runs: `  kernel: client TIME_WAIT, 54 s left; server no socket`, the
/// kernel's own view of both ends as the TUI's ladder shows it.
fn push_kernel(out: &mut String, c: &Connection, pair: &KernelPair, lang: Lang) {
    let m = crate::i18n::messages(lang);
    out.push_str("  ");
    out.push_str(m.kernel.heading);
    for (i, (side, label)) in [(Side::Client, m.client), (Side::Server, m.server)]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(label);
        out.push(' ');
        match pair.end(side) {
            None => out.push_str(m.kernel.elsewhere),
            Some(k) => out.push_str(&crate::kernel::end_words(k, c.end(side).state, lang)),
        }
    }
    out.push('\n');
}

/// The closing summary.
pub fn summary(r: &Report<'_>) -> String {
    summary_in(r, Lang::En)
}

/// [`summary`] in `lang` (`--text --lang zh`): its main lines; the per-reason counts, link
/// types and warnings stay as the decoder names them.
pub fn summary_in(r: &Report<'_>, lang: Lang) -> String {
    use crate::diagnose::words::report_words;
    use crate::i18n::fill;
    let w = report_words(lang);
    let s = r.summary;
    let k = r.counters;
    let t = thousands;
    let mut out = format!("{}\n", w.summary);
    let mut line = |l: String| {
        out.push_str(&l);
        out.push('\n');
    };
    // With --udp, UDP is neither TCP nor counted as non-TCP: said, so that the parts add up.
    let udp = if k.udp > 0 {
        fill(w.udp_part, &[("n", &t(k.udp))])
    } else {
        String::new()
    };
    line(fill(
        w.packets,
        &[
            ("packets", &t(k.packets)),
            ("tcp", &t(k.tcp)),
            ("udp", &udp),
            ("non_tcp", &t(k.non_tcp)),
            ("filtered", &t(k.filtered)),
            ("skipped", &t(k.skipped_total())),
            ("malformed", &t(k.malformed_total())),
        ],
    ));
    for (lt, n) in &k.skipped_link {
        line(fill(w.skipped_link, &[("lt", lt), ("n", &t(*n))]));
    }
    for (reason, n) in &k.malformed {
        line(fill(w.malformed, &[("reason", reason), ("n", &t(*n))]));
    }
    let f = &k.fragments;
    if f.frames > 0 {
        line(fill(
            w.fragments,
            &[
                ("frames", &t(f.frames)),
                ("reassembled", &t(f.reassembled)),
                ("duplicate", &t(f.duplicate)),
                ("overlapping", &t(f.overlapping)),
                ("conflicting", &t(f.conflicting)),
                ("incomplete", &t(f.incomplete)),
            ],
        ));
    }
    if !k.tunneled.is_empty() {
        let kinds: Vec<String> = k
            .tunneled
            .iter()
            .map(|(kind, n)| format!("{kind} {}", t(*n)))
            .collect();
        line(fill(w.tunnels, &[("list", &kinds.join(w.list_sep))]));
    }
    line(fill(
        w.conns,
        &[
            ("n", &t(s.connections)),
            ("hc", &s.handshakes[0]),
            ("hp", &s.handshakes[1]),
            ("hn", &s.handshakes[2]),
            ("tf", &s.teardowns[0]),
            ("tr", &s.teardowns[1]),
            ("th", &s.teardowns[2]),
            ("tn", &s.teardowns[3]),
        ],
    ));
    line(fill(
        w.reuse,
        &[
            ("mid", &s.mid_stream),
            ("reuses", &r.tracker.port_reuses),
            ("expired", &r.tracker.time_wait_expired),
        ],
    ));
    if r.tracker.budget_reached() {
        line(format!(
            "  {}",
            crate::output::summary::budget_line(r.tracker)
        ));
    }
    let marks: Vec<String> = Marks::NAMES
        .iter()
        .zip(s.marks)
        .filter(|(_, n)| *n > 0)
        .map(|((_, name), n)| format!("{name} {n}"))
        .collect();
    if !marks.is_empty() {
        line(fill(w.marked, &[("list", &marks.join(w.list_sep))]));
    }
    // No connection, no table (a bare heading read as if something was cut off).
    if s.states.iter().flatten().any(|n| *n > 0) {
        line(w.states.to_string());
    }
    for (i, st) in State::ALL.iter().enumerate() {
        let (c, sv) = (s.states[0][i], s.states[1][i]);
        if c + sv > 0 {
            line(format!("    {:<14} {:>8} {:>8}", st.name(), c, sv));
        }
    }
    if let Some(w) = r.warning {
        line(format!("  warning: {w}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn notes_wrap_at_spaces_and_between_chinese_characters_by_display_width() {
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("  aaa  ", 7), ["aaa"]);
        // Two columns a character: four to a line of 8, never a line starting with "：".
        assert_eq!(wrap("一二三四五六", 8), ["一二三四", "五六"]);
        assert_eq!(wrap("一二三：四五", 6), ["一二", "三：四", "五"]);
        assert_eq!(wrap("ISN，由时钟", 8), ["ISN，由", "时钟"]);
        // An opening bracket stays with what it opens.
        assert_eq!(wrap("一二三（四五）", 8), ["一二三", "（四五）"]);
    }
}
