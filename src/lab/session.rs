//! The lab's run, in batch mode (`--text`, `--json`, `--diagnose`) or in the TUI: create the
//! namespaces, open the capture inside them, play the scenario, follow the capture, and
//! remove everything on the way out (the [`Lab`] is dropped on every path that returns or
//! unwinds).

use std::io::{self, BufWriter};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

use super::scenarios::Scenario;
use super::Lab;
use crate::config::{Command, Config, SourceConfig};
use crate::output::Format;
use crate::run::live::{self as live_run, Extra};

/// Set (to anything) in the environment, the batch lab panics on its main thread once the
/// scenario holds: for the test that proves a panic leaves nothing behind.
pub const PANIC_ENV: &str = "SYNACK_LAB_PANIC";

pub fn run(cfg: &Config, scenario: &'static Scenario) -> anyhow::Result<ExitCode> {
    let SourceConfig::Live(live) = &cfg.source else {
        anyhow::bail!("--lab: no live source");
    };
    let tui = match cfg.command {
        Command::Batch(Format::Zeek | Format::ZeekJson) | Command::Export(_) => {
            anyhow::bail!("--lab writes --text, --json or --diagnose, or runs the TUI")
        }
        Command::Batch(_) => false,
        Command::Tui => true,
        _ => anyhow::bail!("--lab: nothing to run"),
    };
    if !tui {
        // Before anything is created: a Ctrl-C from here on stops the run cleanly.
        live_run::catch_signals();
    }
    let lab = Lab::create(scenario).map_err(anyhow::Error::msg)?;
    let iface = lab.open_capture(live).map_err(anyhow::Error::msg)?;
    let kernel = crate::kernel::poller::Prober::lab(lab.layout())
        .inspect_err(|e| eprintln!("synack: {e} (no kernel view)"))
        .ok();
    if tui {
        return crate::ui::run_lab(lab, iface, kernel, &cfg.core, &cfg.ui);
    }
    let Command::Batch(format) = cfg.command else {
        unreachable!("checked above")
    };
    eprintln!("{}", lab.banner());
    let failed = Arc::new(AtomicBool::new(false));
    let (tx, held) = mpsc::channel();
    let flag = Arc::clone(&failed);
    lab.play(Arc::new(move |outcome| {
        match &outcome {
            Ok(name) => eprintln!("synack: lab: {name} holds (Ctrl-C to stop)"),
            Err(e) => {
                eprintln!("synack: {e}");
                flag.store(true, Ordering::SeqCst);
            }
        }
        let _ = tx.send(outcome.is_ok());
    }));
    let panic_when_held = std::env::var_os(PANIC_ENV).is_some();
    let mut on_tick = || {
        if panic_when_held && held.try_recv() == Ok(true) {
            panic!("{PANIC_ENV} is set: a panic on purpose, once the scenario holds");
        }
    };
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    let outcome = live_run::run_opened(
        iface,
        &cfg.core,
        &cfg.output,
        format,
        &mut out,
        Extra {
            summary: vec![("lab".into(), lab.describe())],
            on_tick: Some(&mut on_tick),
            stop: Some(&failed),
            kernel,
        },
    )?;
    drop(out);
    drop(lab);
    if failed.load(Ordering::SeqCst) {
        return Ok(ExitCode::from(2));
    }
    if let Some(e) = outcome.input_error.or(outcome.save_error) {
        eprintln!("synack: {e}");
        return Ok(ExitCode::from(2));
    }
    if cfg.output.fail_on_problems && outcome.problems > 0 {
        return Ok(ExitCode::from(1));
    }
    if let Some(sig) = outcome.signal {
        return Ok(ExitCode::from(128u8.saturating_add(sig as u8)));
    }
    Ok(ExitCode::SUCCESS)
}
