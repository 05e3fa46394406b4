use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use synack::cli::Args;
use synack::config::{Command, Config, SourceConfig};
use synack::run::Outcome;

// Why not the system allocator: see Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    synack::ui::frame_stats::mark_start();
    // The --version text holds the libpcap loaded, known only at run time.
    let matches = Args::command()
        .long_version(synack::cli::long_version())
        .get_matches();
    let args = Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (e.g. `| head`) is not an error worth a message.
            if let Some(io) = e.downcast_ref::<io::Error>() {
                if io.kind() == io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("synack: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let cfg = Config::from_env(args)?;
    let format = match cfg.command {
        Command::Completions(shell) => {
            // Into a buffer first: clap_complete panics on a failed write (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Args::command(), "synack", &mut script);
            io::stdout().write_all(&script)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Man => {
            clap_mangen::Man::new(Args::command()).render(&mut io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::ListInterfaces => {
            let list = synack::capture::live::list_interfaces().map_err(anyhow::Error::msg)?;
            io::stdout().write_all(list.as_bytes())?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::ListLab => {
            io::stdout().write_all(synack::lab::scenarios::list().as_bytes())?;
            return Ok(ExitCode::SUCCESS);
        }
        _ if cfg.lab.is_some() => {
            return synack::lab::session::run(&cfg, cfg.lab.expect("a scenario"));
        }
        Command::ListLessons => {
            io::stdout().write_all(synack::teach::lessons::list(cfg.ui.lang).as_bytes())?;
            return Ok(ExitCode::SUCCESS);
        }
        // A terminal and no batch format: the TUI, on the file, the interface or the demo.
        Command::Tui => return synack::ui::run(&cfg.source, &cfg.core, &cfg.ui),
        Command::Export(format) => {
            let reader = cfg.source.open_file().expect("a file source")?;
            let outcome = synack::run::export::run(
                reader,
                &cfg.core,
                &cfg.output,
                format,
                &cfg.export,
                &mut io::stdout().lock(),
                &mut io::stderr(),
            )?;
            if let Some(e) = outcome.input_error {
                eprintln!("synack: warning: {e}");
                return Ok(ExitCode::from(2));
            }
            return Ok(ExitCode::SUCCESS);
        }
        Command::Batch(format) => format,
    };
    // Unlocked: the output is written from the batch runner's writer thread.
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    let outcome: Outcome = match &cfg.source {
        SourceConfig::Live(live) => {
            synack::run::live::run(live, &cfg.core, &cfg.output, format, &mut out)?
        }
        SourceConfig::File(_) | SourceConfig::Demo | SourceConfig::Lesson(_) => {
            let reader = cfg.source.open_file().expect("a file source")?;
            synack::run::file::run(reader, &cfg.core, &cfg.output, format, &mut out)?
        }
    };
    drop(out);
    if let Some(e) = outcome.save_error {
        eprintln!("synack: {e}");
        return Ok(ExitCode::from(2));
    }
    if let Some(e) = outcome.input_error {
        // A file is printed up to the cut before the warning; a live capture that ended
        // early (the interface went away) says so as an error.
        if cfg.source.is_live() {
            eprintln!("synack: {e}");
        } else {
            eprintln!("synack: warning: {e}");
        }
        return Ok(ExitCode::from(2));
    }
    // A --diagnose verdict is what the run was for: problems say 1 even after Ctrl-C.
    if cfg.output.fail_on_problems && outcome.problems > 0 {
        return Ok(ExitCode::from(1));
    }
    // Stopped by a signal, with everything written: as a shell expects, 128 + its number.
    if let Some(sig) = outcome.signal {
        return Ok(ExitCode::from(128u8.saturating_add(sig as u8)));
    }
    Ok(ExitCode::SUCCESS)
}
