//! Network namespaces joined by a veth pair, made and removed with iproute2 (`ip netns`), and
//! threads that enter one (setns) to open sockets or a capture there. Shared by the lab and
//! the live tests' harness (tests/live_common).
//!
//! A socket (or a packet socket, for capture) belongs for good to the namespace of the thread
//! that created it, whichever thread uses it afterwards: so a thread enters the namespace,
//! creates the socket, hands it back and ends; the rest of the program stays in the host's
//! namespace. Entering one needs CAP_SYS_ADMIN (root), so every such thread is started while
//! the process still has it.

use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::process::{Command, Output};

/// Runs `f` on a new thread inside network namespace `ns` (a name under /run/netns) and
/// returns what it returns. Errors: the namespace cannot be opened or entered.
pub fn inside<T: Send + 'static>(
    ns: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let path = format!("/run/netns/{ns}");
    let name = ns.to_string();
    std::thread::Builder::new()
        .name(format!("netns {ns}"))
        .spawn(move || {
            let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
            // SAFETY: a valid namespace descriptor; only this thread changes namespace.
            let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
            if rc != 0 {
                return Err(format!(
                    "cannot enter network namespace {name}: {}",
                    std::io::Error::last_os_error()
                ));
            }
            Ok(f())
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?
        .join()
        .map_err(|_| format!("the thread in namespace {ns} panicked"))?
}

/// Runs `cmd` (program and arguments); its error output when it fails.
pub fn run(cmd: &[&str]) -> Result<Output, String> {
    let out = Command::new(cmd[0])
        .args(&cmd[1..])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cmd[0]))?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed: {}",
            cmd.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out)
}

/// `ip netns exec NS CMD...`.
pub fn exec(ns: &str, cmd: &[&str]) -> Result<Output, String> {
    let mut full = vec!["ip", "netns", "exec", ns];
    full.extend_from_slice(cmd);
    run(&full)
}

/// Deletes namespace `ns` (its veth end and nft tables go with it). Quiet: used on the way
/// out, when there is nothing better to do with an error.
pub fn delete(ns: &str) -> bool {
    Command::new("ip")
        .args(["netns", "del", ns])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The network namespaces `ip netns list` names.
pub fn list() -> Vec<String> {
    let Ok(out) = run(&["ip", "netns", "list"]) else {
        return Vec::new();
    };
    parse_list(&String::from_utf8_lossy(&out.stdout))
}

/// `ip netns list`'s lines are `NAME` or `NAME (id: N)`.
pub fn parse_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// How a pair of namespaces is laid out: names, the veth ends in each, and addresses in one
/// subnet of `prefix` bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub client: String,
    pub server: String,
    pub client_if: String,
    pub server_if: String,
    pub client_ip: Ipv4Addr,
    pub server_ip: Ipv4Addr,
    pub prefix: u8,
}

/// Two namespaces, client and server, joined by a veth pair, links up (loopback too);
/// deleted on drop.
#[derive(Debug)]
pub struct Pair {
    pub layout: Layout,
}

impl Pair {
    /// Creates the namespaces of `layout`. When a step fails, whatever was made is deleted
    /// before the error comes back.
    pub fn create(layout: Layout) -> Result<Pair, String> {
        run(&["ip", "netns", "add", &layout.client])?;
        let pair = Pair { layout };
        // From here on, Drop deletes whatever was created, even if a step below fails.
        if let Err(e) = run(&["ip", "netns", "add", &pair.layout.server]) {
            delete(&pair.layout.client);
            std::mem::forget(pair);
            return Err(e);
        }
        let l = &pair.layout;
        let (c, s) = (l.client.as_str(), l.server.as_str());
        run(&[
            "ip",
            "-n",
            c,
            "link",
            "add",
            &l.client_if,
            "type",
            "veth",
            "peer",
            "name",
            &l.server_if,
            "netns",
            s,
        ])?;
        let cidr = |ip: Ipv4Addr| format!("{ip}/{}", l.prefix);
        run(&[
            "ip",
            "-n",
            c,
            "addr",
            "add",
            &cidr(l.client_ip),
            "dev",
            &l.client_if,
        ])?;
        run(&[
            "ip",
            "-n",
            s,
            "addr",
            "add",
            &cidr(l.server_ip),
            "dev",
            &l.server_if,
        ])?;
        for (ns, dev) in [(c, &*l.client_if), (s, &*l.server_if), (c, "lo"), (s, "lo")] {
            run(&["ip", "-n", ns, "link", "set", dev, "up"])?;
        }
        Ok(pair)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        delete(&self.layout.client);
        delete(&self.layout.server);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_netns_list_names_with_and_without_ids() {
        assert_eq!(
            parse_list("synack-lab-12-s (id: 1)\nsynack-lab-12-c (id: 0)\nother\n"),
            ["synack-lab-12-s", "synack-lab-12-c", "other"]
        );
        assert!(parse_list("").is_empty());
    }
}
