//! The batch outputs' words (`--text`, `--diagnose`) and the findings', a table a language:
//! templates with named `{slots}` ([`super::fill`]) and counted nouns as functions, so that one
//! function writes each report in every language.

/// The text reports: `--diagnose`, and `--text`'s summary.
#[derive(Debug)]
pub struct ReportWords {
    pub diagnosis: &'static str,
    pub findings: fn(u64) -> String,
    pub connections: fn(u64) -> String,
    pub patterns: fn(u64) -> String,
    pub problems: fn(u64) -> String,
    pub patterns_heading: &'static str,
    pub group_conns: &'static str,
    pub kind_heading: &'static str,
    pub finding: &'static str,
    /// Client, server.
    pub sides: [&'static str; 2],
    pub evidence: fn(&[String]) -> String,
    pub more: &'static str,
    pub nothing: &'static str,
    /// `{n}` SYNs with no answer yet when the capture ended, too recent to judge.
    pub pending: &'static str,
    pub summary: &'static str,
    /// `{udp}`: [`ReportWords::udp_part`] where UDP was read (`--udp`), else nothing.
    pub packets: &'static str,
    pub udp_part: &'static str,
    pub skipped_link: &'static str,
    pub malformed: &'static str,
    pub fragments: &'static str,
    pub tunnels: &'static str,
    pub conns: &'static str,
    pub reuse: &'static str,
    pub marked: &'static str,
    pub list_sep: &'static str,
    pub states: &'static str,
    /// The summary's UDP line (`{d}` datagrams, `{f}` flows), with its newline.
    pub udp: &'static str,
}

/// `--text`'s connection header, and the labels a ladder writes for a state only assumed.
#[derive(Debug)]
pub struct HeaderWords {
    /// `{id}`, `{client}`, `{server}`.
    pub connection: &'static str,
    /// `{list}`: the tunnels, outermost first, joined by `tunnel_sep`.
    pub tunnel: &'static str,
    pub tunnel_sep: &'static str,
    pub service: &'static str,
    /// `{handshake}`, `{teardown}`: by [`super::Messages::handshake_names`] and
    /// [`super::Messages::teardown_names`], the ladder's title's words.
    pub how: &'static str,
    pub mid_stream: &'static str,
    /// `{prev}`: the connection whose 4-tuple this one reuses; `{c}`, `{s}`: the states it
    /// was in.
    pub reuses: &'static str,
    pub was: &'static str,
    /// `{first}`, `{duration}`, then packets and bytes: `{p}` (`{pc}` from the client, `{ps}`
    /// from the server), `{b}` (`{bc}`, `{bs}`).
    pub counts: &'static str,
    /// `{c}`, `{s}`.
    pub final_states: &'static str,
    /// A refused connection's server (a SYN to a port no socket listens on): the long label,
    /// and the short one where the long does not fit.
    pub no_listener: [&'static str; 2],
    /// The ladder's column titles: time, client, server.
    pub columns: [&'static str; 3],
}

/// `--text`'s UDP flow header.
#[derive(Debug)]
pub struct UdpTextWords {
    pub flow: &'static str,
    pub service: &'static str,
    pub why: &'static str,
    /// As [`HeaderWords::counts`], with `{duration}` to six decimals.
    pub counts: &'static str,
    /// `{n}` datagrams not kept.
    pub more: &'static str,
}

/// A kind of finding: its heading (the problems view, `--diagnose`) and its sentence, a
/// template over what the finding holds: `{ep}` the end it concerns, `{n}` its count,
/// `{left}` TIME_WAIT's time left ([`FindingWords::time_wait_left`], or nothing).
#[derive(Debug)]
pub struct KindWords {
    pub title: &'static str,
    pub sentence: &'static str,
}

/// The findings in a language other than the diagnosis's own English: a kind's words each,
/// and the patterns across connections (`{n}` connections to `{ep}`).
#[derive(Debug)]
pub struct FindingWords {
    pub half_open: KindWords,
    pub close_wait: KindWords,
    pub syn_unanswered: KindWords,
    pub zero_window: KindWords,
    pub reset: KindWords,
    pub refused: KindWords,
    pub retransmission: KindWords,
    pub time_wait: KindWords,
    pub dup_ack: KindWords,
    pub keepalive: KindWords,
    pub idle: KindWords,
    pub kernel_disagrees: KindWords,
    /// `{r}`: seconds left, to one decimal.
    pub time_wait_left: &'static str,
    /// `{n}` half-open connections to `{ep}` from `{sources}` sources, `{peak}` a second.
    pub syn_flood: &'static str,
    /// `{n}` connections to `{ep}`, held by the `{end}` (a [`ReportWords::sides`] word) `{holders}`: `{advice}`.
    pub time_wait_group: &'static str,
    /// What to do about a pile the client holds, one the server holds.
    pub time_wait_advice: [&'static str; 2],
    /// Between two holders; after the first few, `{more}` others.
    pub list_sep: &'static str,
    pub and_more: &'static str,
}
