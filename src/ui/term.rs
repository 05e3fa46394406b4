//! The terminal edge: raw mode, alternate screen and mouse capture on the way in, and the same
//! undone on every way out — normal return, error, panic (a chained panic hook restores the
//! terminal before the panic message prints), SIGTERM, SIGHUP, SIGINT — and around Ctrl-Z.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Once};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    self, disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// The terminal is in TUI mode (so the panic hook knows whether to restore it).
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Some thread panicked while the TUI was up: the event loop stops.
pub static PANICKED: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

fn enter_mode() -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        cursor::Hide
    )
}

/// Undoes [`enter_mode`]; does nothing if the terminal is not in TUI mode. Errors are ignored:
/// this runs on the way out, when there is nothing better to do.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
        let _ = disable_raw_mode();
        let _ = out.flush();
    }
}

fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if ACTIVE.load(Ordering::SeqCst) {
                PANICKED.store(true, Ordering::SeqCst);
            }
            restore();
            previous(info);
        }));
    });
}

/// Signals that end the TUI cleanly (SIGTERM, SIGINT, SIGHUP, SIGQUIT: the terminal is
/// restored, then the process exits 128 + the signal, as a shell expects); SIGTSTP (stop from
/// outside: give the terminal back first); SIGCONT (resumed after a stop: redraw).
pub struct Signals {
    pub quit: Arc<AtomicBool>,
    /// The signal that asked to quit (0: none).
    pub which: Arc<AtomicUsize>,
    pub stop: Arc<AtomicBool>,
    pub cont: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    pub fn register() -> io::Result<Signals> {
        use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
        let quit = Arc::new(AtomicBool::new(false));
        let which = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let cont = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        // The first asks the event loop to restore the terminal and quit; a second one, should
        // the loop be stuck, ends the process (handlers run in the order registered, so the
        // shutdown sees the flag as the previous signal left it). SIGHUP too: a `kill -HUP`
        // leaves a working terminal to restore, and on a hung-up tty the restoring writes fail
        // at once (EIO) rather than block.
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] {
            ids.push(signal_hook::flag::register_conditional_shutdown(
                sig,
                128 + sig,
                Arc::clone(&quit),
            )?);
            ids.push(signal_hook::flag::register_usize(
                sig,
                Arc::clone(&which),
                sig as usize,
            )?);
            ids.push(signal_hook::flag::register(sig, Arc::clone(&quit))?);
        }
        ids.push(signal_hook::flag::register(SIGTSTP, Arc::clone(&stop))?);
        ids.push(signal_hook::flag::register(SIGCONT, Arc::clone(&cont))?);
        watchdog(Arc::clone(&which));
        Ok(Signals {
            quit,
            which,
            stop,
            cont,
            ids,
        })
    }

    pub fn quit_requested(&self) -> bool {
        self.quit.load(Ordering::SeqCst)
    }

    /// The signal that ended the TUI, if one did.
    pub fn signal(&self) -> Option<i32> {
        Some(self.which.load(Ordering::SeqCst) as i32).filter(|s| *s != 0)
    }

    pub fn take_stop(&self) -> bool {
        self.stop.swap(false, Ordering::SeqCst)
    }

    pub fn take_cont(&self) -> bool {
        self.cont.swap(false, Ordering::SeqCst)
    }
}

/// Once a signal has asked to quit, the event loop has two seconds to give the terminal back
/// and exit; then this thread restores what it can and ends the process with 128 + the signal.
/// A hung-up terminal (the window closed) can leave crossterm's reader spinning on a tty that
/// only returns end of file, and the loop would never see the request.
fn watchdog(which: Arc<AtomicUsize>) {
    std::thread::spawn(move || loop {
        let sig = which.load(Ordering::SeqCst);
        if sig != 0 {
            std::thread::sleep(std::time::Duration::from_secs(2));
            restore();
            // process::exit runs no destructor: a lab's namespaces are removed here.
            crate::lab::remove_all();
            std::process::exit(128 + sig as i32);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    });
}

impl Drop for Signals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// The terminal in TUI mode; restored when dropped.
pub struct Tui {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Tui {
    pub fn enter() -> io::Result<Tui> {
        install_panic_hook();
        if let Err(e) = enter_mode() {
            restore();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(terminal) => Ok(Tui { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Ctrl-Z: gives the terminal back, stops the process (as the shell expects), and takes
    /// the terminal again when `fg` continues it.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        // SIGTSTP has a flag handler (see `Signals`): stop the way the default action would.
        signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP)?;
        enter_mode()?;
        self.terminal.clear()
    }

    pub fn size(&self) -> io::Result<ratatui::layout::Rect> {
        let (w, h) = terminal::size()?;
        Ok(ratatui::layout::Rect::new(0, 0, w, h))
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        restore();
    }
}
