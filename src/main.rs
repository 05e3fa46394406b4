use std::io::{self, BufWriter, IsTerminal};
use std::process::ExitCode;

use clap::Parser;
use synack::batch::{self, Format};
use synack::cli::Args;

// Why not the system allocator: see Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    synack::ui::stats::mark_start();
    let args = Args::parse();
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
    // Batch modes when asked for, or when stdout is not a terminal (`synack f.pcap | less`).
    let format = if args.json {
        Some(Format::Json)
    } else if args.diagnose {
        Some(Format::Diagnose)
    } else if args.text || !io::stdout().is_terminal() {
        Some(Format::Text)
    } else {
        None
    };
    if args.list_interfaces {
        print!(
            "{}",
            synack::capture::live::list_interfaces().map_err(anyhow::Error::msg)?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if format.is_none() {
        // A terminal and no batch format: the TUI, on the file, the interface or the demo.
        return synack::ui::run(args);
    }
    if args.interface.is_some() {
        // Unlocked: the output is written from the batch runner's writer thread.
        let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
        let outcome = synack::live::run(args, format.unwrap_or(Format::Text), &mut out)?;
        if let Some(e) = outcome.error {
            eprintln!("synack: {e}");
            return Ok(ExitCode::from(2));
        }
        if args.diagnose && outcome.problems > 0 {
            return Ok(ExitCode::from(1));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(path) = args.input() else {
        // No capture and output redirected: the built-in demo, as text (or JSON, ...).
        let reader = synack::capture::FileReader::from_bytes("built-in demo", synack::ui::DEMO)?;
        // Unlocked: the output is written from the batch runner's writer thread.
        let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
        let outcome = batch::run_reader(args, reader, format.unwrap_or(Format::Text), &mut out)?;
        drop(out);
        return Ok(if args.diagnose && outcome.problems > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    };
    let format = format.unwrap_or(Format::Text);
    // Unlocked: the output is written from the batch runner's writer thread.
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    let outcome = batch::run(args, path, format, &mut out)?;
    drop(out);
    if let Some(e) = outcome.input_error {
        eprintln!("synack: warning: {e}");
        return Ok(ExitCode::from(2));
    }
    if args.diagnose && outcome.problems > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
