//! Command-line interface.

use clap::Parser;

use crate::export::ExportFormat;
use crate::ui::theme::Palette;

pub const EXAMPLES: &str = "\
Examples:
  synack                              open the built-in demo capture in the TUI
  synack trace.pcap                   replay a capture in the TUI
  synack trace.pcap --text            ladder diagram of every connection, then a summary
  synack -r trace.pcapng --json       JSON lines: one object per connection, then a summary
  synack trace.pcap.gz --text --port 80 --host 10.0.0.2
  synack trace.pcap --json -f 'tcp port 443' --absolute
  synack trace.pcap --diagnose        stuck connections, resets, floods; exit 1 if any
  synack trace.pcap --zeek | zeek-cut conn_state history   Zeek's conn.log
  synack trace.pcap --export svg -o slides/   one SVG ladder per connection, for slides
  synack trace.pcap --export mermaid --conn 3 --alias 10.0.0.2=web   one, the server named
  synack --lesson list                the built-in lessons; --lesson teardown plays one
  synack --lesson time-wait --text    a lesson as a handout: ladder, socket calls and notes
  sudo synack --lab close-wait        real kernel traffic in network namespaces, live
  tcpdump -w - -i eth0 | synack - --text   read a capture from standard input

Exit status: 0 on success; 1 with --diagnose when a problem was found; 2 when the input cannot
be read (the message says why; for a file cut short, what was read is printed first).";

#[derive(Parser, Debug, Clone)]
#[command(
    name = "synack",
    version,
    about = "Watch TCP connections being born and dying: flags, both ends' TCP states, ladder diagrams",
    after_help = EXAMPLES
)]
pub struct Args {
    /// Capture file to read (.pcap, .pcapng, optionally .gz; `-` for standard input).
    #[arg(value_name = "FILE")]
    pub file: Option<String>,

    /// Capture file to read, as in tcpdump (same as the positional FILE).
    #[arg(
        short = 'r',
        long = "read",
        value_name = "FILE",
        conflicts_with = "file"
    )]
    pub read: Option<String>,

    /// Print a ladder diagram per connection, then a summary (no TUI).
    // Not with --diagnose: that writes its report only (its own text form), which --text beside
    // it would silently not get.
    #[arg(long, conflicts_with_all = ["json", "diagnose"])]
    pub text: bool,

    /// Print JSON lines: one object per connection, then a summary (no TUI).
    #[arg(long)]
    pub json: bool,

    /// Print Zeek's conn.log (its TSV format, header and all: zeek-cut reads it), one row per
    /// connection as Zeek would log it (no TUI).
    #[arg(long, conflicts_with_all = ["text", "json", "diagnose", "zeek_json"])]
    pub zeek: bool,

    /// Print Zeek's conn.log as Zeek's JSON log lines (no TUI).
    #[arg(long, conflicts_with_all = ["text", "json", "diagnose"])]
    pub zeek_json: bool,

    /// Export each connection's ladder as its own diagram (no TUI): Mermaid, PlantUML, SVG or
    /// the ladder's text; to standard output, or with -o to a file (a folder for several).
    #[arg(long, value_enum, value_name = "FORMAT",
          conflicts_with_all = ["text", "json", "diagnose", "zeek", "zeek_json"])]
    pub export: Option<ExportFormat>,

    /// --export: only the connection numbered ID (as on the ladder: Connection #ID). Repeatable.
    #[arg(long = "conn", value_name = "ID")]
    pub conn: Vec<u64>,

    /// --export: write to this file; with several connections, to this folder, one file each
    /// (synack-conn-ID.mmd, .puml, .svg or .txt).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<std::path::PathBuf>,

    /// Name a host on exported diagrams, as ADDR=NAME (ADDR an IP address, or IP:PORT for one
    /// endpoint). Repeatable.
    #[arg(long, value_name = "ADDR=NAME")]
    pub alias: Vec<String>,

    /// Report stuck and unhealthy connections (TIME_WAIT, CLOSE_WAIT, unanswered SYNs, resets,
    /// half-open, retransmissions, zero windows); exit 1 if a problem was found. With --json,
    /// JSON lines and the same exit status.
    #[arg(long)]
    pub diagnose: bool,

    /// Diagnosis: a CLOSE_WAIT, half-open handshake or zero window older than this many seconds
    /// is stuck.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub stuck_after: f64,

    /// Diagnosis: an ESTABLISHED connection silent for longer than this many seconds is idle.
    #[arg(long, value_name = "SECS", default_value_t = 300.0)]
    pub idle_after: f64,

    /// Diagnosis: half-open connections to one server from at least this many sources make a
    /// SYN flood.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub flood_sources: usize,

    /// Diagnosis: at least this many connections to one server in TIME_WAIT, held by the same
    /// side, make a TIME_WAIT pile.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub pile_min: u64,

    /// BPF filter expression (libpcap syntax), e.g. 'tcp port 80'.
    #[arg(short = 'f', long = "filter", value_name = "EXPR")]
    pub filter: Option<String>,

    /// Only segments to or from this address (repeatable).
    #[arg(long, value_name = "IP")]
    pub host: Vec<std::net::IpAddr>,

    /// Only segments to or from this port (repeatable).
    #[arg(long, value_name = "PORT")]
    pub port: Vec<u16>,

    /// Maximum segment lifetime in seconds; TIME_WAIT lasts 2*MSL (Linux: 60 s).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub msl: f64,

    /// Also recognise a UDP tunnel on this port, as KIND=PORT (KIND: vxlan, geneve, teredo,
    /// gtpv1); the standard ports (4789, 6081, 3544, 2152) always are. Repeatable.
    #[arg(long, value_name = "KIND=PORT")]
    pub tunnel_port: Vec<String>,

    /// Show absolute sequence and acknowledgment numbers instead of relative ones.
    #[arg(long)]
    pub absolute: bool,

    /// JSON: leave out each connection's events.
    #[arg(long)]
    pub no_events: bool,

    /// Events kept per connection; beyond it only handshake, teardown and state changes are
    /// kept, and the data/ACK segments left out are folded into runs shown where they fell.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_events: usize,

    /// Connections held at once in batch modes; past it, closed and half-open connections are
    /// written out and freed first, then the least recently seen (counted in the summary).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_conns: usize,

    /// Memory for tracking (e.g. 512M, 2G): connections held at once and the events kept
    /// across them are sized from it, so that memory is bounded whatever the traffic (a SYN
    /// flood); past it connections are evicted and data events folded, both counted.
    #[arg(long, value_name = "SIZE", default_value = "128M", value_parser = memory_size)]
    pub max_memory: u64,

    /// Print the completion script for SHELL (bash, zsh, fish, elvish, powershell) and exit.
    #[arg(long, value_name = "SHELL")]
    pub completions: Option<clap_complete::Shell>,

    /// Print the manual page (roff, for `man -l -`) and exit.
    #[arg(long)]
    pub man: bool,

    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,

    // ---- live capture ----
    /// Capture live from this interface (`any` for all; needs root or CAP_NET_RAW).
    #[arg(short = 'i', long = "interface", value_name = "IFACE", conflicts_with_all = ["file", "read"])]
    pub interface: Option<String>,

    /// List the interfaces synack can capture on, with their addresses, and exit.
    #[arg(long)]
    pub list_interfaces: bool,

    /// Live: stop after this many packets.
    #[arg(short = 'c', long, value_name = "N")]
    pub count: Option<u64>,

    /// Live: stop after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,

    /// Live: kernel capture buffer size in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 8 << 20)]
    pub buffer_size: u32,

    /// Live: bytes captured per packet (headers plus the first bytes of payload).
    #[arg(long, value_name = "BYTES", default_value_t = 256)]
    pub snaplen: u32,

    /// Live: once the capture (and the -w file) is open, run as this user and drop every
    /// capability (default when started as root: nobody; `-Z root` keeps root).
    #[arg(short = 'Z', long = "relinquish-privileges", value_name = "USER")]
    pub user: Option<String>,

    /// Live: also save what is captured to this pcap file.
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub write: Option<String>,

    // ---- terminal UI ----
    /// TUI: draw with ASCII only (no Unicode line drawing).
    #[arg(long)]
    pub ascii: bool,

    /// TUI colours: dark (the default), light (a light terminal background) or high-contrast
    /// (a projector: bright colours only, no dark grey or dark blue).
    #[arg(long, value_enum, value_name = "THEME", default_value_t = Palette::Dark)]
    pub theme: Palette,

    /// TUI: replay speed factor for files (0.25 to 64), or `max`.
    #[arg(long, value_name = "X", default_value = "1")]
    pub speed: String,

    /// TUI: idle gaps in a replayed file longer than this many seconds are skipped.
    #[arg(long, value_name = "SECS")]
    pub max_gap: Option<f64>,

    // ---- teaching ----
    /// Real traffic on demand: two network namespaces joined by a veth pair, a real client and
    /// server playing SCENARIO through the kernel, captured live (`--lab list` names them;
    /// needs root; everything it creates is removed when it exits).
    #[arg(long, value_name = "SCENARIO", conflicts_with_all = ["file", "read", "interface", "lesson"])]
    pub lab: Option<String>,

    /// Play a built-in lesson (`--lesson list` names them): a textbook capture that opens
    /// paused, with a note at each key segment; with --text, the ladder and notes as a handout.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["file", "read", "interface"])]
    pub lesson: Option<String>,

    /// Write the socket calls each end's application made (connect(), accept(), close(),
    /// read() = 0, ECONNREFUSED, ...) on the ladder of --text (in the TUI: the `c` key). On in
    /// lessons.
    #[arg(long)]
    pub calls: bool,

    /// Also follow UDP flows, for contrast: datagrams with no handshake, no states and no
    /// teardown (JSON lines of type "udp", a ladder in --text, the u view in the TUI; DNS
    /// questions and answers labelled). Live, the kernel filter becomes `tcp or udp`.
    #[arg(long)]
    pub udp: bool,

    /// Language of the interface, the narration and the lessons: en or zh (default: from
    /// LC_ALL, LC_MESSAGES or LANG); --diagnose follows it only when given.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

/// The commit synack was built from (build.rs; "unknown" outside a git checkout).
pub const COMMIT: &str = env!("SYNACK_COMMIT");

/// What `--version` says: the version, the commit and the libpcap synack runs on (asked of
/// the library loaded, not the one built against).
pub fn long_version() -> String {
    format!(
        "{}\ncommit: {COMMIT}\nlibpcap: {}",
        env!("CARGO_PKG_VERSION"),
        crate::capture::libpcap_version()
    )
}

impl Args {
    pub fn input(&self) -> Option<&str> {
        self.file.as_deref().or(self.read.as_deref())
    }
}

/// A size in bytes with an optional binary suffix (K, M, G: KiB, MiB, GiB), at least 1 MiB.
fn memory_size(s: &str) -> Result<u64, String> {
    let n = parse_size::Config::new()
        .with_binary()
        .parse_size(s)
        .map_err(|e| format!("{e} (a size such as 512M or 2G)"))?;
    if n < 1 << 20 {
        return Err("at least 1M".into());
    }
    Ok(n)
}
