//! Shared by the tests that drive the TUI in a real terminal: a tmux server of their own, keys
//! sent as a person types them, the screen read with `capture-pane`.
//!
//! Needs tmux (`make deps` installs it); a test fails, never skips, without it.

#![allow(dead_code)]

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A tmux server of its own (its own socket), one session `t` running a bare shell.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new(tag: &str) -> Tmux {
        Tmux::sized(tag, 100, 32)
    }

    /// A `w`x`h` terminal.
    pub fn sized(tag: &str, w: u16, h: u16) -> Tmux {
        let t = Tmux {
            socket: format!("synack-test-{}-{tag}", std::process::id()),
        };
        let ok = Command::new("tmux")
            .args(["-L", &t.socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-s", "t", "-x", &w.to_string(), "-y", &h.to_string()])
            .args(["env", "-i", "PATH=/usr/bin:/bin", "TERM=xterm-256color"])
            .args(["bash", "--norc", "--noprofile"])
            .status()
            .expect("tmux is needed for this test: run `make deps` (or apt-get install tmux)");
        assert!(ok.success(), "tmux new-session failed");
        t
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "t", k]);
            sleep(Duration::from_millis(120));
        }
    }

    pub fn type_line(&self, line: &str) {
        self.run(&["send-keys", "-t", "t", "-l", line]);
        self.run(&["send-keys", "-t", "t", "Enter"]);
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    pub fn flag(&self, name: &str) -> String {
        self.run(&["display-message", "-p", "-t", "t", &format!("#{{{name}}}")])
            .trim()
            .to_string()
    }

    /// Waits until the screen satisfies `ok` (up to 15 s); returns it.
    pub fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + Duration::from_secs(15);
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(Instant::now() < until, "timed out waiting for {what}:\n{s}");
            sleep(Duration::from_millis(100));
        }
    }

    pub fn shell_pid(&self) -> u32 {
        self.flag("pane_pid").parse().unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
