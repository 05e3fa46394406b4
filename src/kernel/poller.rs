//! The kernel view's I/O edge: one sock_diag netlink socket per network namespace asked, and
//! a thread that reads them all a few times a second and publishes the latest [`View`] (the
//! TUI's render and the batch writer only ever take that, never wait on the kernel).
//!
//! A netlink socket answers for the namespace it was created in, whichever thread reads it:
//! the lab's are created on a thread inside each of its namespaces ([`netns::inside`]) and
//! then read from the host's. All are opened before synack gives up its privileges; dumping
//! TCP sockets needs none, but entering a namespace does.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netlink_sys::{protocols::NETLINK_SOCK_DIAG, Socket, SocketAddr};

use super::{diag, owners, Owner, Sock, Table, View};
use crate::lab::netns::{self, Layout};

/// How often the thread asks.
pub const EVERY: Duration = Duration::from_millis(250);

/// Where a namespace's own addresses come from: the lab knows its ends'; the host's are read
/// each time (they change).
enum LocalIps {
    Fixed(Vec<IpAddr>),
    Host,
}

struct Space {
    name: String,
    socket: Socket,
    local: LocalIps,
}

/// How long a socket whose owner was not found (another user's, after the privilege drop;
/// a process in another pid namespace) waits before /proc is searched for it again: each
/// search reads every process's fd table.
const RETRY_OWNER: Duration = Duration::from_secs(1);

/// The netlink sockets, the owners found so far and the sockets whose owner was not (by
/// inode).
pub struct Prober {
    spaces: Vec<Space>,
    owners: HashMap<u32, Owner>,
    unowned: HashMap<u32, Instant>,
    seq: u32,
}

fn open_socket() -> std::io::Result<Socket> {
    let mut s = Socket::new(NETLINK_SOCK_DIAG)?;
    s.bind_auto()?;
    s.connect(&SocketAddr::new(0, 0))?;
    // The kernel answers a dump at once; a second is a bound, not a wait.
    let tv = libc::timeval {
        tv_sec: 1,
        tv_usec: 0,
    };
    // SAFETY: a live timeval of the size given, on a descriptor the socket owns.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            &tv as *const libc::timeval as *const libc::c_void,
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        );
    }
    Ok(s)
}

/// This namespace's addresses (getifaddrs), IPv4 and IPv6, as the wire shows them.
fn host_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list freed below; each node is read while live.
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return out;
        }
        let mut p = head;
        while !p.is_null() {
            let a = (*p).ifa_addr;
            if !a.is_null() {
                match i32::from((*a).sa_family) {
                    libc::AF_INET => {
                        let sin = &*(a as *const libc::sockaddr_in);
                        out.push(IpAddr::from(
                            u32::from_be(sin.sin_addr.s_addr).to_be_bytes(),
                        ));
                    }
                    libc::AF_INET6 => {
                        let sin6 = &*(a as *const libc::sockaddr_in6);
                        out.push(IpAddr::from(sin6.sin6_addr.s6_addr));
                    }
                    _ => {}
                }
            }
            p = (*p).ifa_next;
        }
        libc::freeifaddrs(head);
    }
    out
}

impl Prober {
    /// The namespace this thread is in (the host's, for `-i`).
    pub fn host() -> Result<Prober, String> {
        let socket = open_socket().map_err(|e| format!("kernel view: sock_diag netlink: {e}"))?;
        Ok(Prober {
            spaces: vec![Space {
                name: "host".into(),
                socket,
                local: LocalIps::Host,
            }],
            owners: HashMap::new(),
            unowned: HashMap::new(),
            seq: 0,
        })
    }

    /// The lab's two namespaces, a socket opened inside each.
    pub fn lab(layout: &Layout) -> Result<Prober, String> {
        let mut spaces = Vec::new();
        for (ns, ip) in [
            (&layout.client, layout.client_ip),
            (&layout.server, layout.server_ip),
        ] {
            let socket = netns::inside(ns, open_socket)?
                .map_err(|e| format!("kernel view: sock_diag netlink in {ns}: {e}"))?;
            spaces.push(Space {
                name: ns.clone(),
                socket,
                local: LocalIps::Fixed(vec![IpAddr::V4(ip)]),
            });
        }
        Ok(Prober {
            spaces,
            owners: HashMap::new(),
            unowned: HashMap::new(),
            seq: 0,
        })
    }

    fn dump(&mut self, i: usize, v6: bool, out: &mut Vec<Sock>) -> Result<(), String> {
        self.seq = self.seq.wrapping_add(1);
        let space = &self.spaces[i];
        let err = |e: &dyn std::fmt::Display| format!("kernel view ({}): {e}", space.name);
        space
            .socket
            .send(&diag::request(v6, self.seq), 0)
            .map_err(|e| err(&e))?;
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = space
                .socket
                .recv(&mut &mut buf[..], 0)
                .map_err(|e| err(&e))?;
            if diag::parse(&buf[..n.min(buf.len())], out).map_err(|e| err(&e))? {
                return Ok(());
            }
        }
    }

    /// Reads every namespace's IPv4 and IPv6 TCP sockets now, with their owners.
    pub fn read(&mut self) -> Result<View, String> {
        let mut tables = Vec::new();
        for i in 0..self.spaces.len() {
            let mut socks = Vec::new();
            for v6 in [false, true] {
                self.dump(i, v6, &mut socks)?;
            }
            let now = Instant::now();
            let wanted: HashSet<u32> = socks
                .iter()
                .map(|s| s.inode)
                .filter(|i| *i != 0 && !self.owners.contains_key(i))
                .filter(|i| {
                    self.unowned
                        .get(i)
                        .is_none_or(|t| now.duration_since(*t) >= RETRY_OWNER)
                })
                .collect();
            // Only what is new is looked for in /proc: sockets keep their owner.
            let found = owners::find(&wanted);
            for i in &wanted {
                if !found.contains_key(i) {
                    self.unowned.insert(*i, now);
                }
            }
            self.owners.extend(found);
            let local = match &self.spaces[i].local {
                LocalIps::Fixed(v) => v.clone(),
                LocalIps::Host => host_addresses(),
            };
            tables.push(Table::new(local, &socks, &self.owners));
        }
        // Forget owners of sockets gone from every table: an inode can be used again.
        let live: HashSet<u32> = tables.iter().flat_map(|t| t.inodes()).collect();
        self.owners.retain(|i, _| live.contains(i));
        self.unowned.retain(|i, _| live.contains(i));
        Ok(View {
            tables,
            at: Some(crate::time::wall_clock()),
        })
    }
}

/// The thread and what it publishes.
pub struct Poller {
    latest: Arc<Mutex<Arc<View>>>,
    error: Arc<Mutex<Option<String>>>,
    prober: Arc<Mutex<Prober>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Poller {
    /// Starts reading with `prober` every [`EVERY`].
    pub fn spawn(prober: Prober) -> Result<Poller, String> {
        let prober = Arc::new(Mutex::new(prober));
        let latest = Arc::new(Mutex::new(Arc::new(View::default())));
        let error = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, l, e, s) = (
            Arc::clone(&prober),
            Arc::clone(&latest),
            Arc::clone(&error),
            Arc::clone(&stop),
        );
        let thread = std::thread::Builder::new()
            .name("kernel view".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    let read = p.lock().map(|mut p| p.read());
                    match read {
                        Ok(Ok(v)) => {
                            if let Ok(mut slot) = l.lock() {
                                *slot = Arc::new(v);
                            }
                        }
                        Ok(Err(why)) => {
                            if let Ok(mut slot) = e.lock() {
                                *slot = Some(why);
                            }
                        }
                        Err(_) => return,
                    }
                    std::thread::sleep(EVERY);
                }
            })
            .map_err(|e| format!("kernel view: cannot start its thread: {e}"))?;
        Ok(Poller {
            latest,
            error,
            prober,
            stop,
            thread: Some(thread),
        })
    }

    /// The latest view (at most [`EVERY`] old, or empty before the first read).
    pub fn latest(&self) -> Arc<View> {
        self.latest
            .lock()
            .map(|v| Arc::clone(&v))
            .unwrap_or_default()
    }

    /// A view read now (for the batch writer at the end of a run), or the latest if that
    /// fails.
    pub fn now(&self) -> Arc<View> {
        let read = self.prober.lock().ok().and_then(|mut p| p.read().ok());
        match read {
            Some(v) => {
                let v = Arc::new(v);
                if let Ok(mut slot) = self.latest.lock() {
                    *slot = Arc::clone(&v);
                }
                v
            }
            None => self.latest(),
        }
    }

    /// The last error a read gave, if any.
    pub fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
