//! English: the words of every table, and no prose table (the code's own English is it).

use super::{HeaderWords, KernelWords, Language, LayersWords, Messages, ReportWords, UdpTextWords};

pub static LANGUAGE: Language = Language {
    code: "en",
    name: "English",
    ascii_name: "English",
    messages: &MESSAGES,
    report: &REPORT,
    header: &HEADER,
    udp: &UDP,
    findings: None,
    prose: &[],
};

/// `n` and its noun, singular for one.
fn plural<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let word = if n == N::from(1) { one } else { many };
    format!("{n} {word}")
}

/// (keys, what they do), grouped by section (a key of "" starts a section named by the text).
pub const KEYS: &[(&str, &str)] = &[
    ("", "Replay"),
    ("space", "pause / resume"),
    ("→ / ←", "step one segment forward / back (pauses)"),
    ("+ / -", "replay faster / slower (0.25x to 64x, then max)"),
    ("Home / End", "jump to the start (paused) / to the end"),
    ("r", "restart the replay from the beginning"),
    ("g", "skip the idle gap to the next segment"),
    ("t", "run the clock on past the last packet (timers expire)"),
    ("R", "--lab: run the scenario again"),
    ("", "Connections and ladder"),
    ("↑ ↓ / k j", "move in the focused pane"),
    ("PgUp / PgDn", "move a page"),
    ("Tab", "switch focus: connection list / ladder"),
    (
        "Enter",
        "list: go to the ladder; ladder: fold / unfold a run",
    ),
    ("e", "fold / unfold every data run"),
    ("f", "follow mode: newest connection and newest arrow"),
    (
        "P",
        "pin the selected connection on screen (P again: unpin)",
    ),
    ("s / S", "sort by the next column / reverse the order"),
    ("/", "filter by text, state, port, host (Esc clears)"),
    ("l", "language: {languages}"),
    (
        "c",
        "socket calls on the lifelines: connect(), close(), ...",
    ),
    ("x", "export the selected connection to a Mermaid file here"),
    (
        "i",
        "the segment at the cursor, layer by layer (i or Esc closes)",
    ),
    ("z", "only the ladder and the narration (a projector)"),
    (
        "u",
        "UDP flows, for contrast: no handshake, no states (u: back)",
    ),
    ("mouse", "click selects (on a header: sorts), wheel scrolls"),
    ("", "Problems"),
    ("p", "problems view, worst first (p again: back)"),
    (
        "↑ ↓ / Enter",
        "problems: choose a finding / its ladder, evidence marked !",
    ),
    ("", "Screen"),
    ("?", "this help (? or Esc closes it)"),
    ("Ctrl-L", "redraw the screen"),
    ("Ctrl-Z", "suspend (fg resumes)"),
    (
        "q / Esc / Ctrl-C",
        "quit (Esc closes help, filter, ladder first; live Esc asks)",
    ),
];

/// Notes under the keys: how to read the screen.
pub const NOTES: &[&str] = &[
    "Flags column: upper case sent by the client, lower case by the server:",
    "S SYN, D data, F FIN, R RST.  ! marks anomalies or a diagnosed problem.",
    "Arrows: ─ a segment, ═ a reset, ┄ inferred; state names stand where they change.",
    "Ladder: zeek conn_state and history, findings; ! marks a finding's evidence;",
    "a bar under the last arrow counts down the 2*MSL a TIME_WAIT has left.",
];

pub static MESSAGES: Messages = Messages {
    quit: "quit",
    help: "help",
    problems: "problems",
    play: "play",
    pause: "pause",
    step: "step",
    speed: "speed",
    filter: "filter",
    pane: "pane",
    fold: "fold",
    follow: "follow",
    unfollow: "unfollow",
    choose: "choose",
    show_on_ladder: "show on the ladder",
    back: "back",
    filter_hint: "  state, port, host or text; Enter keeps, Esc clears",
    confirm_quit: " Stop the live capture? ",
    confirm_quit_rest: " quits, any other key goes on",
    paused: "PAUSED",
    playing: "PLAYING",
    end: "END",
    clock_on: "END, CLOCK ON",
    live_modes: ["SEEKING", "LIVE", "ENDED", "PAUSED (live, {n} held)"],
    live_source: "live {name}",
    stdin_live: "stdin (live)",
    gaps_skipped: "gaps skipped {n}",
    lab_holds: "lab: {name} holds",
    pct_left: "{label} {pct}% left",
    counters: ["pkts", "seg", "/s", "malformed", "drops"],
    bound: ["evicted", "max", "folded"],
    connections: |n| format!("{n} connection{}", if n == 1 { "" } else { "s" }),
    client_colon: "client:",
    findings: |n| plural(n, "finding", "findings"),
    problems_n: |n| plural(n, "problem", "problems"),
    no_finding: "no finding",
    findings_head: ["findings:", "patterns"],
    parens: [" (", ")"],
    secs_left: |s| format!("{s:.1} s left"),
    server_colon: "server:",
    columns: [
        "client",
        "server",
        "client st",
        "server st",
        "age",
        "pkts",
        "bytes",
        "flags",
    ],
    time: "time",
    client: "client",
    server: "server",
    help_title: " synack keys (? or Esc closes, {updown} scroll) ",
    keys: KEYS,
    notes: NOTES,
    legend: [
        "legend",
        "segment",
        "reset",
        "inferred",
        "folded run",
        "assumed",
        "client, s f d r server",
        "SF done, S0 no answer, REJ refused",
    ],
    list_title: ["Connections", "sort", "follow"],
    shown: |n| format!(" ({n} shown)"),
    sort_names: [
        "client",
        "server",
        "client state",
        "server state",
        "age",
        "packets",
        "bytes",
        "flags",
        "anomalies",
    ],
    ladder_title: [
        "handshake",
        "teardown",
        "joined mid-stream",
        "reuses",
        "tunnel: ",
    ],
    ladder: "Ladder",
    no_selection: "No connection selected: the ladder of the one selected in the list shows here.",
    empty_list: [
        "No TCP connection in this capture.",
        "No connection yet.",
        "No connection matches the filter \"{filter}\" (Esc clears it).",
    ],
    handshake_names: ["complete", "partial", "none"],
    teardown_names: ["fin", "rst", "half", "none"],
    more_findings: |n| format!(" (+{n} more: p lists them)"),
    comma: ", ",
    problems_view: super::ProblemsWords {
        title: |d, sep| {
            let mut t = format!(
                " Problems{sep}{} on {} of {}{sep}{}",
                plural(d.total, "finding", "findings"),
                d.with_findings,
                plural(d.connections, "connection", "connections"),
                plural(d.problems, "problem", "problems"),
            );
            if d.groups > 0 {
                t.push_str(&format!("{sep}{}", plural(d.groups, "pattern", "patterns")));
            }
            if d.behind > 0 {
                t.push_str(&format!("{sep}{} to check", d.behind));
            }
            t.push(' ');
            t
        },
        section_note: |count, problems| match problems {
            0 => "  normal, not a problem".into(),
            1 if count > 1 => "  1 of them is a problem".into(),
            p if p < count => format!("  {p} of them are problems"),
            _ => String::new(),
        },
        patterns: "Patterns across connections",
        place: |addr, client| format!("{addr} ({})", if client { "client" } else { "server" }),
        empty: [
            "No TCP connection in this capture: nothing to diagnose.",
            "Nothing found: every connection looks healthy.",
            "No finding so far: they appear here as the replay reaches them.",
        ],
        finding: |f| {
            let frames: Vec<String> = f.frames.iter().map(u64::to_string).collect();
            format!(
                "#{} {} ({}), since {}: {}. Evidence: {}{}. Enter shows it on the ladder.",
                f.conn,
                f.endpoint,
                if f.client { "client" } else { "server" },
                f.since,
                f.sentence,
                if frames.len() == 1 {
                    "frame "
                } else {
                    "frames "
                },
                if frames.is_empty() {
                    "-".to_string()
                } else {
                    frames.join(", ")
                }
            )
        },
        group: |text, ids, more| {
            format!(
                "{text}. Connections {ids}{}. Enter shows the first.",
                if more { " and more" } else { "" }
            )
        },
        nothing: [
            "Nothing found; p goes back.",
            "Findings appear here as the replay reaches them; p goes back.",
        ],
    },
    udp: super::UdpWords {
        list_title: |n| format!(" UDP flows {n} │ connectionless "),
        ladder_title: |id, ends, service| match service {
            Some(s) => format!(" #{id} {ends} │ {s} │ no handshake, no states "),
            None => format!(" #{id} {ends} │ no handshake, no states "),
        },
        ladder: "UDP datagrams",
        none: "No UDP datagram yet. UDP flows show here as they come: u or Esc goes back to the TCP connections.",
        none_in_file: "This capture holds no UDP datagram: u or Esc goes back to the TCP connections.",
        not_read: "UDP is not read: start synack with --udp (a live capture's kernel filter keeps only TCP without it).",
        about: "UDP (RFC 768) is connectionless: no handshake opens a flow and no teardown closes it; each datagram stands alone, with no sequence number, no acknowledgment and no retransmission.",
        narration: |d| {
            let label = d.label.map(|l| format!(" ({l})")).unwrap_or_default();
            let len = d.len;
            match (d.from_client, d.again) {
                (true, true) => format!("The client sends the same {len}-byte datagram again{label}: not a UDP retransmission (UDP has none, RFC 768) but the application's own, after its timeout, as a DNS resolver does."),
                (true, false) => format!("The client sends a UDP datagram of {len} bytes{label}: no handshake came before it and no teardown will close the flow. UDP keeps no state: no sequence number, no acknowledgment, no retransmission; if it is lost, only the application can send it again."),
                (false, true) => format!("The server sends the same {len}-byte datagram again{label}: its application repeats itself; UDP itself never does."),
                (false, false) => format!("The server answers with a datagram of {len} bytes{label}. Nothing acknowledges it at the UDP layer: the answer itself tells the client its datagram arrived, where TCP's ACKs confirm every byte."),
            }
        },
        more: |n| format!("({n} more datagrams not kept)"),
    },
    kernel: KernelWords {
        column: "kernel",
        heading: "kernel: ",
        no_socket: "no socket",
        none: "none",
        elsewhere: "not on this host",
        left: |s| format!("{s:.0} s left"),
        inferred: |s| format!(" (synack infers {s})"),
    },
    layers: LayersWords {
        names: [
            "Application layer",
            "Transport layer",
            "Network layer",
            "Data link layer",
            "Physical layer",
        ],
        title: |n| format!("frame {n}, layer by layer"),
        close_hint: "i or Esc closes, ↑↓ scroll",
        key_hint: "layers",
        reading: |n| format!("reading frame {n}…"),
        not_held: |n| {
            format!("frame {n} is no longer held: a live capture keeps only its newest frames")
        },
        unavailable: |n, why| format!("frame {n} cannot be read again: {why}"),
        failed: |n, why| format!("cannot read frame {n}: {why}"),
        stopped: |at| format!("stopped at byte {at}:"),
        not_reached: "not reached: the frame stopped below",
        no_data: "no data (a segment of control only)",
        data: |len, cap| {
            if cap == len {
                format!("{len} bytes")
            } else {
                format!("{len} bytes, {cap} of them captured")
            }
        },
        more: |n| format!("… {n} more bytes not shown"),
        no_segment: "i: put the ladder's cursor on a segment first",
        in_udp: "i opens a TCP segment's layers: u goes back to the connections",
    },
};

pub static REPORT: ReportWords = ReportWords {
    diagnosis: "synack diagnosis of {source}: {findings} on {with} of {connections}, {patterns} ({problems})",
    findings: |n| plural(n, "finding", "findings"),
    connections: |n| plural(n, "connection", "connections"),
    patterns: |n| plural(n, "pattern", "patterns"),
    problems: |n| plural(n, "problem", "problems"),
    patterns_heading: "Patterns across connections",
    group_conns: "      connections {ids}{more}",
    kind_heading: "{title} ({n})",
    finding: "  #{conn} {endpoint} ({side}) since {since}\n         {sentence}\n         {evidence}",
    sides: ["client", "server"],
    evidence: |f| match f.len() {
        0 => "evidence: frames -".into(),
        1 => format!("evidence: frame {}", f[0]),
        _ => format!("evidence: frames {}", f.join(", ")),
    },
    more: "  ... and {n} more (all are in --json)",
    nothing: "Nothing found: every connection looks healthy.",
    udp_part: ", udp {n}",
    pending: "{n} SYNs had no answer yet when the capture ended, too soon to call them unanswered: the answers may have come after it stopped, or never (capture for longer to tell).",
    summary: "Summary",
    packets: "  packets {packets}: tcp {tcp}{udp}, non-tcp {non_tcp}, filtered out {filtered}, unsupported link type {skipped}, malformed {malformed}",
    skipped_link: "    skipped link type {lt}: {n}",
    malformed: "    malformed ({reason}): {n}",
    fragments: "  IP fragments {frames}: {reassembled} datagrams reassembled, {duplicate} duplicate, {overlapping} overlapping (dropped), {conflicting} conflicting, {incomplete} never completed",
    tunnels: "  segments through tunnels: {list}",
    conns: "  connections {n}: handshake complete {hc}, partial {hp}, none {hn}; teardown fin {tf}, rst {tr}, half {th}, none {tn}",
    reuse: "  joined mid-stream {mid}, port reuses {reuses}, TIME_WAIT expired (inferred) {expired}",
    marked: "  segments marked: {list}",
    list_sep: ", ",
    states: "  final states        client   server",
    udp: "  udp {d} datagrams in {f} flows (beside the tcp above; connectionless: no states)\n",
};

pub static HEADER: HeaderWords = HeaderWords {
    connection: "Connection #{id}  {client} -> {server}",
    tunnel: "  tunnel: {list}",
    tunnel_sep: ", in ",
    service: "  service: {service}",
    how: "  handshake {handshake}, teardown {teardown}",
    mid_stream: ", joined mid-stream",
    reuses: ", reuses the 4-tuple of #{prev}",
    was: " (was {c} / {s})",
    counts: "  first {first}  duration {duration} s  packets {p} ({pc} c2s, {ps} s2c)  bytes {b} ({bc} c2s, {bs} s2c)",
    final_states: "  final state: client {c}, server {s}",
    no_listener: ["CLOSED (no listener)", "NO LISTENER"],
    columns: ["time", "client", "server"],
};

pub static UDP: UdpTextWords = UdpTextWords {
    flow: "UDP flow",
    service: "service: ",
    why: "connectionless: no handshake, no states, no teardown; each datagram stands alone, \
          unacknowledged and never resent by UDP (RFC 768)",
    counts: "first {first}  duration {duration} s  datagrams {p} ({pc} c2s, {ps} s2c)  bytes {b} ({bc} c2s, {bs} s2c)",
    more: "({n} more datagrams not kept)",
};
