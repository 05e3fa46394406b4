//! `synack --lab SCENARIO`: real TCP traffic on demand. Two network namespaces of the lab's
//! own (`synack-lab-PID-c`, `synack-lab-PID-s`) joined by a veth pair, in an address range
//! the host does not use ([`addr`]); a real client and server (std sockets on threads that
//! entered a namespace, [`netns::inside`]) play a scenario ([`scenarios`]) through the
//! kernel, and synack captures on the client's veth end, the capture opened from inside the
//! namespace.
//!
//! Privileges: everything the lab does needs root — creating and deleting namespaces (`ip
//! netns`, CAP_SYS_ADMIN and write access to /run/netns), entering them (setns,
//! CAP_SYS_ADMIN), nft rules (CAP_NET_ADMIN), capture (CAP_NET_RAW) — and it does it again
//! when the scenario is run again and when it cleans up. So unlike `-i`, the lab keeps root
//! for its whole run. What that exposes is small: the only packets parsed are those on the
//! lab's veth pair, which is connected to nothing but the lab's own two namespaces, so no
//! outside host can send synack a packet.
//!
//! Cleanup: everything the lab makes lives inside its two namespaces (the veth ends, the
//! addresses, the nft tables), so deleting the namespaces removes it all. They are deleted
//! when the [`Lab`] is dropped (normal exit, Ctrl-C and SIGTERM, which stop the run cleanly,
//! and a panic on the main thread, which unwinds), by a panic hook (a panic elsewhere), and
//! by the TUI's signal watchdog before it exits. A run killed with SIGKILL cannot clean up:
//! the next `--lab` start deletes every `synack-lab-PID-*` namespace whose PID is dead.
//!
//! The kernel's own view of the scenario's sockets ([`crate::kernel`]) reads both
//! namespaces through netlink sockets opened inside them ([`crate::kernel::poller::Prober::lab`]).

pub mod addr;
pub mod netns;
pub mod scenarios;
pub mod session;
pub mod sockets;

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};

use netns::{Layout, Pair};
use scenarios::{Ctx, Held, Scenario};

/// The namespaces' names: this prefix, the pid, then `-c` or `-s`.
pub const PREFIX: &str = "synack-lab-";
/// The veth ends, inside the namespaces (so they cannot clash with the host's names).
pub const CLIENT_IF: &str = "synack-c";
pub const SERVER_IF: &str = "synack-s";

/// Namespaces this process created and has not deleted yet, for the panic hook and the
/// TUI's watchdog.
static CREATED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Deletes every namespace this process's lab created and has not deleted yet. Safe to call
/// from any thread, more than once.
pub fn remove_all() {
    let names = match CREATED.lock() {
        Ok(mut v) => std::mem::take(&mut *v),
        Err(p) => std::mem::take(&mut *p.into_inner()),
    };
    for ns in names {
        netns::delete(&ns);
    }
}

fn register(names: &[&str]) {
    if let Ok(mut v) = CREATED.lock() {
        v.extend(names.iter().map(|s| s.to_string()));
    }
}

fn unregister(names: &[&str]) {
    if let Ok(mut v) = CREATED.lock() {
        v.retain(|n| !names.contains(&n.as_str()));
    }
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            remove_all();
            previous(info);
        }));
    });
}

/// The pid in a lab namespace's name (`synack-lab-PID-c` or `-s`).
pub fn owner_pid(ns: &str) -> Option<u32> {
    let rest = ns.strip_prefix(PREFIX)?;
    let (pid, side) = rest.rsplit_once('-')?;
    if side != "c" && side != "s" {
        return None;
    }
    pid.parse().ok()
}

fn pid_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Deletes the namespaces that runs of the lab killed with SIGKILL left behind (their pid is
/// dead); returns their names.
pub fn remove_stale() -> Vec<String> {
    let mut removed = Vec::new();
    for ns in netns::list() {
        if owner_pid(&ns).is_some_and(|pid| !pid_alive(pid)) && netns::delete(&ns) {
            removed.push(ns);
        }
    }
    removed
}

/// What the lab needs, said in one line when it is missing.
pub fn check_privileges() -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("--lab needs root (it creates network namespaces, a veth pair and nft rules with `ip` and `nft`, enters them and captures: CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_NET_RAW, kept for the whole run); run it with sudo".into());
    }
    for (tool, arg, pkg) in [("ip", "-V", "iproute2"), ("nft", "--version", "nftables")] {
        let ok = std::process::Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            return Err(format!("--lab needs `{tool}` (package {pkg})"));
        }
    }
    Ok(())
}

/// A running lab: its namespaces, and the scenario's sockets while it holds them.
pub struct Lab {
    pub scenario: &'static Scenario,
    pair: Pair,
    /// Set when the lab stops: scenarios that go on until then (`many`) end.
    stop: Arc<AtomicBool>,
    held: Arc<Mutex<Option<Held>>>,
}

impl Lab {
    /// Checks privileges, removes what killed runs left, chooses an address range and
    /// creates the namespaces.
    pub fn create(scenario: &'static Scenario) -> Result<Lab, String> {
        check_privileges()?;
        for ns in remove_stale() {
            eprintln!("synack: lab: removed {ns}, left by a run that was killed");
        }
        let (net, prefix) = addr::choose(&addr::host_prefixes(), addr::CANDIDATES).ok_or(
            "--lab: every candidate address range is in use on this host (see synack::lab::addr)",
        )?;
        let base = u32::from(net);
        let pid = std::process::id();
        let layout = Layout {
            client: format!("{PREFIX}{pid}-c"),
            server: format!("{PREFIX}{pid}-s"),
            client_if: CLIENT_IF.into(),
            server_if: SERVER_IF.into(),
            client_ip: Ipv4Addr::from(base + 1),
            server_ip: Ipv4Addr::from(base + 2),
            prefix,
        };
        install_panic_hook();
        // Registered before they exist: a panic half-way still removes them.
        register(&[&layout.client, &layout.server]);
        let pair = Pair::create(layout.clone()).inspect_err(|_| {
            unregister(&[&layout.client, &layout.server]);
        })?;
        Ok(Lab {
            scenario,
            pair,
            stop: Arc::new(AtomicBool::new(false)),
            held: Arc::new(Mutex::new(None)),
        })
    }

    pub fn layout(&self) -> &Layout {
        &self.pair.layout
    }

    /// Opens the capture on the client's veth end, from inside its namespace.
    pub fn open_capture(
        &self,
        live: &crate::config::LiveConfig,
    ) -> Result<crate::capture::live::Interface, String> {
        let mut cfg = live.clone();
        cfg.interface = self.layout().client_if.clone();
        netns::inside(&self.layout().client, move || {
            crate::capture::live::open_in_namespace(&cfg)
        })?
    }

    /// Plays the scenario (again: what the last play held is let go first) on a thread of its
    /// own; `report` is called there with the outcome (a line that says it holds, or why it
    /// failed) and with any error after that (see [`scenarios::Report`]).
    pub fn play(&self, report: scenarios::Report) {
        let ctx = Ctx {
            layout: self.layout().clone(),
            stop: Arc::clone(&self.stop),
            report: Arc::clone(&report),
        };
        let held = Arc::clone(&self.held);
        let scenario = self.scenario;
        let spawned = std::thread::Builder::new()
            .name("lab scenario".into())
            .spawn(move || {
                if let Ok(mut h) = held.lock() {
                    h.take();
                }
                let outcome = (scenario.run)(&ctx).map(|h| {
                    if let Ok(mut slot) = held.lock() {
                        *slot = Some(h);
                    }
                    // The scenario's name: each front end says "holds" in its own words.
                    scenario.name.to_string()
                });
                (ctx.report)(outcome.map_err(|e| format!("lab: {} failed: {e}", scenario.name)));
            });
        if let Err(e) = spawned {
            report(Err(format!("lab: cannot start the scenario: {e}")));
        }
    }

    /// The lab as the JSON summary's `lab` object (and what a test reads to find it).
    pub fn describe(&self) -> serde_json::Value {
        let l = self.layout();
        serde_json::json!({
            "scenario": self.scenario.name,
            "client": {"netns": l.client, "interface": l.client_if, "ip": l.client_ip.to_string()},
            "server": {"netns": l.server, "interface": l.server_if, "ip": l.server_ip.to_string()},
            "prefix": l.prefix,
            "port": scenarios::PORT,
        })
    }

    /// The readiness line on stderr.
    pub fn banner(&self) -> String {
        let l = self.layout();
        format!(
            "synack: lab: {}: client {} in {} ({}), server {}:{} in {} ({})",
            self.scenario.name,
            l.client_ip,
            l.client,
            l.client_if,
            l.server_ip,
            scenarios::PORT,
            l.server,
            l.server_if
        )
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Ok(mut h) = self.held.lock() {
            h.take();
        }
        let l = &self.pair.layout;
        unregister(&[&l.client, &l.server]);
        // The pair's own drop deletes the namespaces.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lab_names_have_an_owner() {
        assert_eq!(owner_pid("synack-lab-4242-c"), Some(4242));
        assert_eq!(owner_pid("synack-lab-4242-s"), Some(4242));
        assert_eq!(owner_pid("synack-lab-4242-x"), None);
        assert_eq!(owner_pid("synack-d4242-0-x-c"), None);
        assert_eq!(owner_pid("synack-lab-abc-c"), None);
        assert_eq!(owner_pid("other"), None);
    }
}
