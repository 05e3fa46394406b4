//! The terminal UI's words: [`Messages`], filled by each language's file.

use super::Lang;

/// Every word of the interface that is not data.
#[derive(Debug)]
pub struct Messages {
    // The key hints.
    pub quit: &'static str,
    pub help: &'static str,
    pub problems: &'static str,
    pub play: &'static str,
    pub pause: &'static str,
    pub step: &'static str,
    pub speed: &'static str,
    pub filter: &'static str,
    pub pane: &'static str,
    pub fold: &'static str,
    pub follow: &'static str,
    pub unfollow: &'static str,
    pub choose: &'static str,
    pub show_on_ladder: &'static str,
    pub back: &'static str,
    pub filter_hint: &'static str,
    pub confirm_quit: &'static str,
    pub confirm_quit_rest: &'static str,
    // The status bar and the summary strip.
    pub paused: &'static str,
    pub playing: &'static str,
    pub end: &'static str,
    pub clock_on: &'static str,
    /// A live source's modes: seeking, following, ended, paused with `{n}` frames held.
    pub live_modes: [&'static str; 4],
    /// The status bar's source on a live capture (`{name}`: the interface), and on a pipe.
    pub live_source: &'static str,
    pub stdin_live: &'static str,
    /// Idle gaps skipped (`g`, `--max-gap`): `{n}`.
    pub gaps_skipped: &'static str,
    /// The lab's scenario `{name}` holds (the status line).
    pub lab_holds: &'static str,
    /// The TIME_WAIT bar's text: `{label}` (2*MSL), `{pct}` of it still to run.
    pub pct_left: &'static str,
    /// The counters: packets read, segments applied, per second, malformed, dropped.
    pub counters: [&'static str; 5],
    /// The memory bound reached: "evicted", "max", "folded".
    pub bound: [&'static str; 3],
    pub connections: fn(u64) -> String,
    pub client_colon: &'static str,
    pub findings: fn(usize) -> String,
    pub problems_n: fn(usize) -> String,
    pub no_finding: &'static str,
    /// The summary strip's long form: `findings:` and `patterns` before their counts (the kinds
    /// keep their JSON names, as the filter takes them).
    pub findings_head: [&'static str; 2],
    /// Brackets around a count in running text: ASCII in English, full-width in Chinese.
    pub parens: [&'static str; 2],
    /// A TIME_WAIT's time left, in seconds.
    pub secs_left: fn(f64) -> String,
    pub server_colon: &'static str,
    // Column titles: the list's (client, server, their states, age, packets, bytes, flags)
    // and the ladder's (time, client, server).
    pub columns: [&'static str; 8],
    pub time: &'static str,
    pub client: &'static str,
    pub server: &'static str,
    // The help overlay: its title (`{updown}`: the arrows that scroll it), the keys (`{languages}`:
    // every language's name), the notes under them.
    pub help_title: &'static str,
    pub keys: &'static [(&'static str, &'static str)],
    pub notes: &'static [&'static str],
    /// The legend: its name, then what a segment, a reset, an inferred event, a folded run,
    /// an assumed state, the flags' case and Zeek's letters mean.
    pub legend: [&'static str; 8],
    /// The list's title: "Connections", "sort", "follow"; how many a filter shows.
    pub list_title: [&'static str; 3],
    pub shown: fn(usize) -> String,
    /// The sort keys' names, in `ui::list::SortKey::ALL` order after `#`.
    pub sort_names: [&'static str; 9],
    /// The ladder's title: "handshake", "teardown", "joined mid-stream", "reuses", "tunnel";
    /// the pane's name with no connection, and what it says then.
    pub ladder_title: [&'static str; 5],
    pub ladder: &'static str,
    pub no_selection: &'static str,
    /// The list with no row: no TCP in a capture read to its end, none yet, none matching
    /// the filter `{filter}`.
    pub empty_list: [&'static str; 3],
    /// How the handshake went (complete, partial, none) and the teardown (fin, rst, half, none).
    pub handshake_names: [&'static str; 3],
    pub teardown_names: [&'static str; 4],
    /// ` (+N more: p lists them)` after the findings shown; the comma between two counts.
    pub more_findings: fn(usize) -> String,
    pub comma: &'static str,
    pub problems_view: ProblemsWords,
    /// The layers view (`i`).
    pub layers: LayersWords,
    /// The UDP view (`u`).
    pub udp: UdpWords,
    /// The kernel's view (live and lab runs).
    pub kernel: KernelWords,
}

/// What the problems view's title counts.
#[derive(Debug, Clone, Copy)]
pub struct ProblemCounts {
    pub total: usize,
    pub with_findings: usize,
    pub connections: usize,
    pub problems: usize,
    pub groups: usize,
    pub behind: usize,
}

/// A finding as the problems view's narration line says it.
#[derive(Debug, Clone, Copy)]
pub struct FindingLine<'a> {
    pub conn: u64,
    pub endpoint: &'a str,
    pub client: bool,
    pub since: &'a str,
    pub sentence: &'a str,
    pub frames: &'a [u64],
}

/// The problems view's words.
#[derive(Debug)]
pub struct ProblemsWords {
    /// The title (its parts joined by `sep`).
    pub title: fn(&ProblemCounts, &str) -> String,
    /// After a kind's heading: `normal, not a problem`, `2 of them are problems`, or nothing.
    pub section_note: fn(usize, usize) -> String,
    pub patterns: &'static str,
    /// A place findings share: `10.0.0.2:80 (server)`.
    pub place: fn(&str, bool) -> String,
    /// With no finding: no TCP connection at all, all healthy at the end, none so far.
    pub empty: [&'static str; 3],
    pub finding: fn(&FindingLine) -> String,
    /// A pattern: its sentence, the connections' ids, whether there are more.
    pub group: fn(&str, &str, bool) -> String,
    /// The narration on a heading: at the end, before it.
    pub nothing: [&'static str; 2],
}

/// A datagram as the UDP view's narration says it.
#[derive(Debug, Clone, Copy)]
pub struct UdpLine<'a> {
    pub from_client: bool,
    /// Payload bytes.
    pub len: u32,
    pub label: Option<&'a str>,
    /// The same side sent the same datagram before: the application's retry.
    pub again: bool,
}

/// The UDP view's words.
#[derive(Debug)]
pub struct UdpWords {
    /// The list's title, with the number of flows.
    pub list_title: fn(usize) -> String,
    /// The ladder's title: the flow's id, its ends, its service.
    pub ladder_title: fn(u64, &str, Option<&str>) -> String,
    /// The ladder pane's name with no flow.
    pub ladder: &'static str,
    /// No UDP flow (yet) / UDP not read (live without `--udp`).
    pub none: &'static str,
    pub not_read: &'static str,
    /// A file read to its end without a UDP datagram.
    pub none_in_file: &'static str,
    /// What UDP is, on a flow with no datagram kept.
    pub about: &'static str,
    pub narration: fn(&UdpLine) -> String,
    /// Datagrams not kept.
    pub more: fn(u64) -> String,
}

/// The layers view's words. Header fields keep their protocol names (TTL, SYN, MSS) in every
/// language, as textbooks and Wireshark print them.
#[derive(Debug)]
pub struct LayersWords {
    /// Application, transport, network, data link, physical.
    pub names: [&'static str; 5],
    /// The box's title for a frame number.
    pub title: fn(u64) -> String,
    /// What the border says about closing and scrolling.
    pub close_hint: &'static str,
    /// The footer's hint for `i`.
    pub key_hint: &'static str,
    pub reading: fn(u64) -> String,
    /// Live: the frame is older than the ring holds.
    pub not_held: fn(u64) -> String,
    /// The source cannot be read again (standard input), with why.
    pub unavailable: fn(u64, &str) -> String,
    /// Reading failed, with why.
    pub failed: fn(u64, &str) -> String,
    /// Where the dissection stopped: the byte offset, then the reason (English).
    pub stopped: fn(usize) -> String,
    pub not_reached: &'static str,
    /// A segment without data.
    pub no_data: &'static str,
    /// Data bytes: declared, captured.
    pub data: fn(usize, usize) -> String,
    /// Bytes of data not shown in the dump.
    pub more: fn(usize) -> String,
    /// The cursor is not on a segment.
    pub no_segment: &'static str,
    /// `i` in the UDP view (the layers view shows TCP segments).
    pub in_udp: &'static str,
}

/// The interface's words in `lang`.
pub fn messages(lang: Lang) -> &'static Messages {
    lang.language().messages
}

/// The kernel's view of a connection's ends: the list's column, and the ladder's line
/// (`kernel: client TIME_WAIT, 54 s left (synack 812) · server no socket`).
#[derive(Debug)]
pub struct KernelWords {
    pub column: &'static str,
    pub heading: &'static str,
    /// An end with no socket on its 4-tuple (the line's words, the column's); an end on
    /// another host.
    pub no_socket: &'static str,
    pub none: &'static str,
    pub elsewhere: &'static str,
    /// A timer's time left, in seconds.
    pub left: fn(f64) -> String,
    /// After an end the kernel and synack disagree on: what synack infers.
    pub inferred: fn(&str) -> String,
}

#[cfg(test)]
mod tests {
    use crate::i18n::{en, zh};

    #[test]
    fn every_language_has_the_same_keys_in_the_same_order_and_no_english_left() {
        let keys = |m: &super::Messages| m.keys.iter().map(|(k, _)| *k).collect::<Vec<_>>();
        assert_eq!(keys(&en::MESSAGES), keys(&zh::MESSAGES));
        assert_eq!(en::MESSAGES.notes.len(), zh::MESSAGES.notes.len());
        for (_, what) in zh::MESSAGES.keys {
            assert!(!what.is_ascii(), "untranslated: {what}");
        }
        for w in zh::MESSAGES.columns.iter().chain(&zh::MESSAGES.legend[1..]) {
            assert!(!w.is_ascii() || w.len() <= 2, "untranslated: {w}");
        }
        assert_eq!((zh::MESSAGES.connections)(3), "3 个连接");
        let k = &zh::MESSAGES.kernel;
        for w in [k.column, k.heading, k.no_socket, k.none, k.elsewhere] {
            assert!(!w.is_ascii(), "untranslated: {w}");
        }
        assert_eq!((en::MESSAGES.connections)(1), "1 connection");
        for w in zh::MESSAGES
            .sort_names
            .iter()
            .chain(&zh::MESSAGES.ladder_title)
            .chain(&zh::MESSAGES.list_title)
            .chain(&zh::MESSAGES.handshake_names)
            .chain(&zh::MESSAGES.teardown_names[2..])
        {
            assert!(!w.is_ascii(), "untranslated: {w}");
        }
    }
}
