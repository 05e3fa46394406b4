//! Configuration built once: the command line ([`crate::cli::Args`]) turned into the typed
//! settings each part of the program takes. Every check and every default that is not clap's
//! own lives here, with one error type; nothing but `main.rs` and this module sees `Args`.

use std::io;
use std::time::Duration;

use thiserror::Error;

use crate::capture::{CaptureError, FileReader};
use crate::cli::Args;
use crate::decode::tunnel::{TunnelKind, TunnelPorts};
use crate::decode::{BpfFilter, Decoder, SegmentFilter};
use crate::diagnose::DiagConfig;
use crate::export::{Aliases, ExportConfig, ExportFormat};
use crate::i18n::Lang;
use crate::lab::scenarios::{self, Scenario};
use crate::output::{Format, OutputOptions, SeqStyle};
use crate::teach::lessons::{self, Lesson};
use crate::time::Timestamp;
use crate::track::TrackerConfig;
use crate::ui::replay::Speed;
use crate::ui::theme::Theme;

/// The built-in demo capture (`synack` with no argument), written by the fixture generator:
/// a graceful close ending in TIME_WAIT, a refused SYN, a reset mid-stream, a connection left
/// in CLOSE_WAIT/FIN_WAIT_2, an unanswered SYN with retries, a simultaneous close.
pub const DEMO: &[u8] = include_bytes!("../fixtures/demo.pcap");
pub const DEMO_NAME: &str = "built-in demo";

/// Smallest live snaplen that still holds every header synack decodes (SLL2 + IPv6 + TCP).
pub const MIN_SNAPLEN: u32 = 128;

/// A setting the command line got wrong, as one line for the user.
#[derive(Debug, Error, PartialEq)]
pub enum ConfigError {
    #[error("--{0} must be a number of seconds >= 0, not {1}")]
    Seconds(&'static str, f64),
    #[error("--max-gap must be a number of seconds > 0, not {0}")]
    MaxGap(f64),
    #[error("--speed must be a factor from 0.25 to 64, or max; not {0:?}")]
    Speed(String),
    #[error("{0}")]
    Filter(String),
    #[error("no lesson {0:?}: `synack --lesson list` names them ({1})")]
    Lesson(String, String),
    #[error("no lab scenario {0:?}: `synack --lab list` names them ({1})")]
    Lab(String, String),
    #[error("--lang wants en or zh, not {0:?}")]
    Lang(String),
    #[error("--alias wants ADDR=NAME with ADDR an IP address or IP:PORT; not {0:?}")]
    Alias(String),
    #[error("{0} goes with --export")]
    ExportOnly(&'static str),
    #[error("--export reads a capture file (or the demo), not a live interface")]
    ExportLive,
    #[error(
        "--tunnel-port wants KIND=PORT with KIND one of vxlan, geneve, teredo, gtpv1; not {0:?}"
    )]
    TunnelPort(String),
}

/// What the program does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `--completions SHELL`: the shell's completion script.
    Completions(clap_complete::Shell),
    /// `--man`: the manual page.
    Man,
    /// `--list-interfaces`.
    ListInterfaces,
    /// `--lesson list`.
    ListLessons,
    /// `--lab list`.
    ListLab,
    /// The terminal UI.
    Tui,
    /// `--export FORMAT`: each connection as a diagram.
    Export(ExportFormat),
    /// `--text`, `--json` or `--diagnose` (or output redirected): connections written as they
    /// end, then a summary.
    Batch(Format),
}

/// Where packets come from.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceConfig {
    /// A capture file, or standard input (`-`).
    File(String),
    /// The embedded demo capture.
    Demo,
    /// A built-in lesson's capture.
    Lesson(&'static Lesson),
    Live(LiveConfig),
}

impl SourceConfig {
    /// The file, standard input or the demo, opened; `None` for a live source.
    pub fn open_file(&self) -> Option<Result<FileReader, CaptureError>> {
        match self {
            SourceConfig::File(path) => Some(FileReader::open(path)),
            SourceConfig::Demo => Some(FileReader::from_bytes(DEMO_NAME, DEMO)),
            SourceConfig::Lesson(l) => Some(FileReader::from_bytes(l.name, l.capture)),
            SourceConfig::Live(_) => None,
        }
    }

    /// The name the user knows it by: a path, `-`, the interface, or the demo's.
    pub fn name(&self) -> &str {
        match self {
            SourceConfig::File(p) => p,
            SourceConfig::Demo => DEMO_NAME,
            SourceConfig::Lesson(l) => l.name,
            SourceConfig::Live(l) => &l.interface,
        }
    }

    pub fn is_live(&self) -> bool {
        matches!(self, SourceConfig::Live(_))
    }

    /// Standard input (`-`): the TUI follows it as a live stream.
    pub fn is_stdin(&self) -> bool {
        matches!(self, SourceConfig::File(p) if p == "-")
    }
}

/// A live interface and how to capture on it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveConfig {
    pub interface: String,
    /// The filter installed in the kernel: `tcp`, combined with the user's `-f`.
    pub kernel_filter: String,
    pub snaplen: u32,
    pub buffer_size: u32,
    /// Stop after this many packets.
    pub count: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// `-w`: also save what is captured here.
    pub write: Option<String>,
    /// `-Z`: who to run as once the capture is open (None: `nobody` when root).
    pub user: Option<String>,
}

/// The filters and decoder every source runs on its capture thread.
#[derive(Debug, Clone, Default)]
pub struct DecodeConfig {
    /// `-f` (files only: a live capture runs it in the kernel).
    pub bpf: Option<BpfFilter>,
    /// `--host` and `--port`.
    pub segments: SegmentFilter,
    /// The UDP ports tunnels are recognised on (the standard ones, and `--tunnel-port`).
    pub tunnel_ports: TunnelPorts,
    /// Decode UDP datagrams too (`--udp`; the TUI on a file always does, so `u` shows them).
    pub udp: bool,
}

impl DecodeConfig {
    /// A fresh decoder with these filters (one per run of a source).
    pub fn decoder(&self) -> Decoder {
        let mut d = Decoder::new(
            self.bpf.clone(),
            self.segments.clone(),
            self.tunnel_ports.clone(),
        );
        d.udp = self.udp;
        d
    }
}

/// What the core (decode, track, diagnose) needs, whichever front end runs it.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    pub decode: DecodeConfig,
    pub tracker: TrackerConfig,
    pub diagnosis: DiagConfig,
}

/// Batch output settings.
#[derive(Debug, Clone, Copy)]
pub struct OutputConfig {
    pub options: OutputOptions,
    /// A progress bar on stderr for big files (`--no-progress` turns it off).
    pub progress: bool,
    /// `--diagnose` (also with `--json`): exit 1 when a problem was found.
    pub fail_on_problems: bool,
}

/// The terminal UI's settings.
#[derive(Debug, Clone)]
pub struct UiConfig {
    pub speed: Speed,
    /// Idle gaps longer than this (capture seconds) are skipped.
    pub max_gap: Option<f64>,
    pub theme: Theme,
    pub lang: Lang,
    /// The socket calls drawn on the ladder at the start (`c` toggles them).
    pub calls: bool,
    /// The lesson played, whose notes the narration adds.
    pub lesson: Option<&'static Lesson>,
    /// Host names (`--alias`) for the diagrams the `x` key exports.
    pub aliases: Aliases,
}

/// Everything the command line asked for, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub command: Command,
    pub source: SourceConfig,
    pub core: CoreConfig,
    pub output: OutputConfig,
    pub ui: UiConfig,
    /// `--export`'s connections, destination and host names.
    pub export: ExportConfig,
    /// `--lab SCENARIO`: the source is then the lab's veth end (see [`crate::lab`]).
    pub lab: Option<&'static Scenario>,
}

/// What the environment says about the terminal, read once (see [`Env::from_process`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    pub stdout_is_terminal: bool,
    /// `NO_COLOR`, set and not empty.
    pub no_color: bool,
    /// `TERM`.
    pub term: Option<String>,
    /// The locale that decides the character set: `LC_ALL`, else `LC_CTYPE`, else `LANG`.
    pub locale: Option<String>,
    /// The language the locale asks for messages in (LC_ALL, LC_MESSAGES, LANG).
    pub lang: Lang,
}

impl Env {
    pub fn from_process() -> Env {
        use std::io::IsTerminal;
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Env {
            stdout_is_terminal: io::stdout().is_terminal(),
            no_color: var("NO_COLOR").is_some(),
            term: var("TERM"),
            locale: var("LC_ALL")
                .or_else(|| var("LC_CTYPE"))
                .or_else(|| var("LANG")),
            lang: Lang::from_locale(
                var("LC_ALL").as_deref(),
                var("LC_MESSAGES").as_deref(),
                var("LANG").as_deref(),
            ),
        }
    }

    /// A terminal that cannot draw colour or cursor graphics (`TERM=dumb`).
    fn dumb(&self) -> bool {
        self.term.as_deref() == Some("dumb")
    }

    /// Unicode line drawing is out when the locale names another character set (`C`,
    /// `POSIX`, `en_US.ISO-8859-1`, ...). No locale at all says nothing: most terminals
    /// today are UTF-8, so it stays on.
    fn ascii_only(&self) -> bool {
        self.dumb()
            || self.locale.as_deref().is_some_and(|l| {
                let l = l.to_ascii_lowercase();
                !(l.contains("utf-8") || l.contains("utf8"))
            })
    }
}

fn seconds(name: &'static str, v: f64) -> Result<f64, ConfigError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(ConfigError::Seconds(name, v))
    }
}

impl Config {
    /// Checks `args` and builds every part's settings; `env` decides between the TUI and text
    /// output when no format is asked for, and how the TUI draws.
    pub fn from_args(args: &Args, env: &Env) -> Result<Config, ConfigError> {
        let command = command(args, env);
        let msl = seconds("msl", args.msl)?;
        let lang = match &args.lang {
            Some(l) => Lang::parse(l).ok_or_else(|| ConfigError::Lang(l.clone()))?,
            None => env.lang,
        };
        let lesson = match args.lesson.as_deref() {
            None | Some("list") => None,
            Some(name) => Some(
                lessons::find(name)
                    .ok_or_else(|| ConfigError::Lesson(name.into(), lessons::names()))?,
            ),
        };
        let lab = match args.lab.as_deref() {
            None | Some("list") => None,
            Some(name) => Some(scenarios::find(name).ok_or_else(|| {
                let names: Vec<&str> = scenarios::SCENARIOS.iter().map(|s| s.name).collect();
                ConfigError::Lab(name.into(), names.join(", "))
            })?),
        };
        let source = match (&args.interface, args.input()) {
            _ if lesson.is_some() => SourceConfig::Lesson(lesson.expect("a lesson")),
            _ if lab.is_some() => SourceConfig::Live(live_config(args, crate::lab::CLIENT_IF)?),
            (Some(iface), _) => SourceConfig::Live(live_config(args, iface)?),
            (None, Some(path)) => SourceConfig::File(path.to_string()),
            (None, None) => SourceConfig::Demo,
        };
        let bpf = match (&args.filter, &source) {
            // A live capture gives the filter to the kernel (checked when it is installed).
            (Some(_), SourceConfig::Live(_)) | (None, _) => None,
            (Some(expr), _) => Some(BpfFilter::new(expr).map_err(ConfigError::Filter)?),
        };
        let live_batch = source.is_live() && matches!(command, Command::Batch(_));
        let budget = crate::track::budget::Budget::of(args.max_memory);
        let tracker = TrackerConfig {
            msl: Timestamp::from_secs_f64(msl),
            max_events: args.max_events.max(1),
            // Connections are handed out once over and freed: memory follows the connections
            // open at once. A closed connection lingers first (5 s, as Zeek's
            // tcp_close_delay) so late retransmissions still land on it.
            retire: true,
            max_conns: args.max_conns.max(1).min(budget.conns),
            event_budget: budget.events,
            evicted_memory: budget.conns,
            memory_budget: budget.bytes,
            // Batch runs hold SYN-only connections compactly (a flood costs under 200 bytes a
            // source); the UI finds connections in the table, so it holds them in full.
            max_attempts: if matches!(command, Command::Batch(_)) {
                args.max_conns.max(1)
            } else {
                0
            },
            conn_bytes: budget.conn_bytes,
            // Live batch output writes a clean close within seconds, with TIME_WAIT's
            // remaining time, instead of after TIME_WAIT runs out.
            retire_in_time_wait: live_batch,
            ..TrackerConfig::default()
        };
        let diagnosis = DiagConfig {
            two_msl: 2.0 * msl,
            stuck_after: seconds("stuck-after", args.stuck_after)?,
            idle_after: seconds("idle-after", args.idle_after)?,
            flood_sources: args.flood_sources,
            pile_min: args.pile_min,
        };
        let output = OutputConfig {
            options: OutputOptions {
                seq: if args.absolute {
                    SeqStyle::Absolute
                } else {
                    SeqStyle::Relative
                },
                no_events: args.no_events,
                two_msl: Timestamp::from_secs_f64(2.0 * msl),
                lesson,
                calls: args.calls || lesson.is_some(),
                lang,
                report_lang: if args.lang.is_some() { lang } else { Lang::En },
            },
            progress: !args.no_progress,
            fail_on_problems: args.diagnose,
        };
        if matches!(command, Command::Export(_)) {
            if source.is_live() {
                return Err(ConfigError::ExportLive);
            }
        } else if !args.conn.is_empty() {
            return Err(ConfigError::ExportOnly("--conn"));
        } else if args.output.is_some() {
            return Err(ConfigError::ExportOnly("-o"));
        }
        let aliases = Aliases::parse(&args.alias).map_err(ConfigError::Alias)?;
        let mut ui = ui_config(args, env, &source)?;
        ui.aliases = aliases.clone();
        ui.lang = lang;
        ui.lesson = lesson;
        ui.calls = args.calls || lesson.is_some();
        let tui_on_file = matches!(command, Command::Tui) && !source.is_live();
        Ok(Config {
            command,
            source,
            core: CoreConfig {
                decode: DecodeConfig {
                    bpf,
                    segments: SegmentFilter {
                        hosts: args.host.clone(),
                        ports: args.port.clone(),
                    },
                    tunnel_ports: tunnel_ports(&args.tunnel_port)?,
                    // The TUI on a file reads UDP anyway, so that `u` can show it without a
                    // restart; live, only `--udp` widens the kernel filter.
                    udp: args.udp || tui_on_file,
                },
                tracker,
                diagnosis,
            },
            output,
            ui,
            export: ExportConfig {
                conns: args.conn.clone(),
                out: args.output.clone(),
                aliases,
            },
            lab,
        })
    }

    /// [`Config::from_args`] as the program runs it, in this process's environment.
    pub fn from_env(args: &Args) -> Result<Config, ConfigError> {
        Config::from_args(args, &Env::from_process())
    }
}

/// The standard tunnel ports and those `--tunnel-port KIND=PORT` adds.
fn tunnel_ports(asked: &[String]) -> Result<TunnelPorts, ConfigError> {
    let mut ports = TunnelPorts::default();
    for a in asked {
        let bad = || ConfigError::TunnelPort(a.clone());
        let (kind, port) = a.split_once('=').ok_or_else(bad)?;
        let kind = TunnelKind::parse(kind.trim()).ok_or_else(bad)?;
        let port: u16 = port.trim().parse().map_err(|_| bad())?;
        if !ports.add(kind, port) {
            return Err(bad());
        }
    }
    Ok(ports)
}

/// What to do, from the mode flags (the TUI unless a batch format is asked for or standard
/// output is not a terminal).
fn command(args: &Args, env: &Env) -> Command {
    if let Some(shell) = args.completions {
        Command::Completions(shell)
    } else if args.man {
        Command::Man
    } else if args.list_interfaces {
        Command::ListInterfaces
    } else if args.lesson.as_deref() == Some("list") {
        Command::ListLessons
    } else if args.lab.as_deref() == Some("list") {
        Command::ListLab
    } else if let Some(f) = args.export {
        Command::Export(f)
    } else if args.json {
        Command::Batch(Format::Json)
    } else if args.zeek {
        Command::Batch(Format::Zeek)
    } else if args.zeek_json {
        Command::Batch(Format::ZeekJson)
    } else if args.diagnose {
        Command::Batch(Format::Diagnose)
    } else if args.text || !env.stdout_is_terminal {
        Command::Batch(Format::Text)
    } else {
        Command::Tui
    }
}

/// Replay pacing and the theme.
fn ui_config(args: &Args, env: &Env, source: &SourceConfig) -> Result<UiConfig, ConfigError> {
    let speed = Speed::parse(&args.speed).map_err(|_| ConfigError::Speed(args.speed.clone()))?;
    if let Some(g) = args.max_gap {
        if !(g.is_finite() && g > 0.0) {
            return Err(ConfigError::MaxGap(g));
        }
    }
    Ok(UiConfig {
        speed,
        // The built-in demo has a long quiet spell (so its CLOSE_WAIT is visibly stuck); a
        // projector audience should not sit through it.
        max_gap: args
            .max_gap
            .or((*source == SourceConfig::Demo).then_some(2.0)),
        theme: Theme {
            ascii: args.ascii || env.ascii_only(),
            color: !(env.no_color || env.dumb()),
            palette: args.theme,
        },
        lang: Lang::En,
        calls: false,
        lesson: None,
        aliases: Aliases::default(),
    })
}

fn live_config(args: &Args, interface: &str) -> Result<LiveConfig, ConfigError> {
    let duration = match args.duration {
        Some(d) => Some(Duration::from_secs_f64(seconds("duration", d)?)),
        None => None,
    };
    Ok(LiveConfig {
        interface: interface.to_string(),
        kernel_filter: kernel_filter(args.filter.as_deref(), args.udp),
        snaplen: args.snaplen.max(MIN_SNAPLEN),
        buffer_size: args.buffer_size,
        count: args.count,
        duration,
        write: args.write.clone(),
        user: args.user.clone(),
    })
}

/// `tcp`, or `tcp and (USER)`; with `--udp`, `tcp or udp` in their place.
pub fn kernel_filter(user: Option<&str>, udp: bool) -> String {
    let base = if udp { "(tcp or udp)" } else { "tcp" };
    match user.map(str::trim).filter(|s| !s.is_empty()) {
        Some(u) => format!("{base} and ({u})"),
        None if udp => "tcp or udp".into(),
        None => base.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn tty() -> Env {
        Env {
            stdout_is_terminal: true,
            ..Env::default()
        }
    }

    fn config_in(env: &Env, argv: &[&str]) -> Result<Config, ConfigError> {
        let mut v = vec!["synack"];
        v.extend_from_slice(argv);
        Config::from_args(&Args::parse_from(v), env)
    }

    fn config(argv: &[&str]) -> Result<Config, ConfigError> {
        config_in(&tty(), argv)
    }

    #[test]
    fn kernel_filter_adds_udp_only_when_asked() {
        assert_eq!(kernel_filter(None, true), "tcp or udp");
        assert_eq!(
            kernel_filter(Some("port 53"), true),
            "(tcp or udp) and (port 53)"
        );
        let l = config(&["-i", "lo", "--udp"]).unwrap();
        match l.source {
            SourceConfig::Live(l) => assert_eq!(l.kernel_filter, "tcp or udp"),
            other => panic!("live expected, not {other:?}"),
        }
        assert!(config(&["-i", "lo", "--udp"]).unwrap().core.decode.udp);
        assert!(!config(&["-i", "lo"]).unwrap().core.decode.udp);
        assert!(!config(&["x.pcap", "--json"]).unwrap().core.decode.udp);
        assert!(config(&["x.pcap"]).unwrap().core.decode.udp);
    }

    #[test]
    fn kernel_filter_always_keeps_tcp() {
        assert_eq!(kernel_filter(None, false), "tcp");
        assert_eq!(kernel_filter(Some("  "), false), "tcp");
        assert_eq!(
            kernel_filter(Some("port 80 or port 443"), false),
            "tcp and (port 80 or port 443)"
        );
    }

    #[test]
    fn the_command_follows_the_flags_then_the_terminal() {
        assert_eq!(config(&[]).unwrap().command, Command::Tui);
        assert_eq!(
            config(&["--json"]).unwrap().command,
            Command::Batch(Format::Json)
        );
        assert_eq!(
            config(&["--diagnose"]).unwrap().command,
            Command::Batch(Format::Diagnose)
        );
        assert_eq!(
            config(&["--zeek"]).unwrap().command,
            Command::Batch(Format::Zeek)
        );
        assert_eq!(
            config(&["--zeek-json"]).unwrap().command,
            Command::Batch(Format::ZeekJson)
        );
        assert!(Args::try_parse_from(["synack", "--zeek", "--json"]).is_err());
        let piped = config_in(&Env::default(), &["f.pcap"]);
        assert_eq!(piped.unwrap().command, Command::Batch(Format::Text));
        assert_eq!(
            config(&["--list-interfaces"]).unwrap().command,
            Command::ListInterfaces
        );
        assert_eq!(
            config(&["--completions", "zsh"]).unwrap().command,
            Command::Completions(clap_complete::Shell::Zsh)
        );
        assert_eq!(config(&["--man"]).unwrap().command, Command::Man);
    }

    #[test]
    fn export_takes_its_connections_path_and_names_and_nothing_else_does() {
        let c = config(&[
            "x.pcap",
            "--export",
            "svg",
            "--conn",
            "2",
            "--conn",
            "5",
            "-o",
            "out/",
            "--alias",
            "10.0.0.2=web",
        ])
        .unwrap();
        assert_eq!(c.command, Command::Export(ExportFormat::Svg));
        assert_eq!(c.export.conns, [2, 5]);
        assert_eq!(c.export.out.as_deref(), Some(std::path::Path::new("out/")));
        assert_eq!(c.ui.aliases, c.export.aliases);
        let msg = |argv: &[&str]| config(argv).unwrap_err().to_string();
        assert_eq!(msg(&["--conn", "1"]), "--conn goes with --export");
        assert_eq!(msg(&["--json", "-o", "f"]), "-o goes with --export");
        assert!(msg(&["--alias", "x=y"]).starts_with("--alias wants ADDR=NAME"));
        assert!(msg(&["-i", "lo", "--export", "text"]).contains("not a live interface"));
    }

    #[test]
    fn sources_and_their_names() {
        assert_eq!(config(&[]).unwrap().source, SourceConfig::Demo);
        assert_eq!(
            config(&["-r", "x.pcap"]).unwrap().source,
            SourceConfig::File("x.pcap".into())
        );
        let live = config(&["-i", "eth0", "-f", "port 80", "--snaplen", "64"]).unwrap();
        let SourceConfig::Live(l) = &live.source else {
            panic!("{:?}", live.source)
        };
        assert_eq!(l.kernel_filter, "tcp and (port 80)");
        assert_eq!(l.snaplen, MIN_SNAPLEN);
        // The kernel runs the filter: no BPF program on the capture thread.
        assert!(live.core.decode.bpf.is_none());
        assert_eq!(live.source.name(), "eth0");
    }

    #[test]
    fn every_bad_value_is_one_line_naming_the_option() {
        let msg = |argv: &[&str]| config(argv).unwrap_err().to_string();
        assert_eq!(
            msg(&["--msl=-1"]),
            "--msl must be a number of seconds >= 0, not -1"
        );
        assert_eq!(
            msg(&["-i", "lo", "--duration", "NaN"]),
            "--duration must be a number of seconds >= 0, not NaN"
        );
        assert_eq!(
            msg(&["--max-gap", "0"]),
            "--max-gap must be a number of seconds > 0, not 0"
        );
        assert!(msg(&["--speed", "100"]).starts_with("--speed must be a factor"));
        assert!(msg(&["--stuck-after=-5"]).starts_with("--stuck-after must be"));
        assert!(msg(&["-f", "tcp port banana"]).contains("banana"));
        assert!(msg(&["--tunnel-port", "gre=1"]).starts_with("--tunnel-port wants KIND=PORT"));
        assert!(msg(&["--tunnel-port", "vxlan"]).starts_with("--tunnel-port wants"));
    }

    #[test]
    fn tunnel_ports_are_the_standard_ones_plus_those_asked_for() {
        let c = config(&[
            "--tunnel-port",
            "vxlan=8472",
            "--tunnel-port",
            "geneve=6082",
        ])
        .unwrap();
        let p = &c.core.decode.tunnel_ports;
        assert_eq!(p.vxlan, [4789, 8472]);
        assert_eq!(p.geneve, [6081, 6082]);
        assert_eq!(
            config(&[]).unwrap().core.decode.tunnel_ports,
            TunnelPorts::default()
        );
    }

    #[test]
    fn dumb_terminals_and_other_charsets_get_ascii_drawing_without_asking() {
        let theme = |term: Option<&str>, locale: Option<&str>, no_color: bool| {
            let env = Env {
                term: term.map(String::from),
                locale: locale.map(String::from),
                no_color,
                ..tty()
            };
            let t = config_in(&env, &[]).unwrap().ui.theme;
            (t.ascii, t.color)
        };
        assert_eq!(
            theme(Some("xterm-256color"), Some("en_US.UTF-8"), false),
            (false, true)
        );
        assert_eq!(
            theme(Some("xterm"), Some("zh_CN.utf8"), false),
            (false, true)
        );
        assert_eq!(theme(Some("xterm"), None, false), (false, true));
        assert_eq!(theme(Some("dumb"), Some("C.UTF-8"), false), (true, false));
        assert_eq!(theme(Some("xterm"), Some("C"), false), (true, true));
        assert_eq!(
            theme(Some("xterm"), Some("en_US.ISO-8859-1"), false),
            (true, true)
        );
        assert_eq!(theme(Some("xterm"), Some("POSIX"), true), (true, false));
    }

    #[test]
    fn live_batch_retires_in_time_wait_and_nothing_else_does() {
        assert!(
            config(&["-i", "lo", "--json"])
                .unwrap()
                .core
                .tracker
                .retire_in_time_wait
        );
        assert!(
            !config(&["-i", "lo"])
                .unwrap()
                .core
                .tracker
                .retire_in_time_wait
        );
        assert!(
            !config(&["x.pcap", "--json"])
                .unwrap()
                .core
                .tracker
                .retire_in_time_wait
        );
    }

    #[test]
    fn the_demo_skips_its_long_gap_unless_told_otherwise() {
        assert_eq!(config(&[]).unwrap().ui.max_gap, Some(2.0));
        assert_eq!(config(&["x.pcap"]).unwrap().ui.max_gap, None);
        assert_eq!(config(&["--max-gap", "5"]).unwrap().ui.max_gap, Some(5.0));
    }
}
