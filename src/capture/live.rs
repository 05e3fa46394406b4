//! Live capture from a network interface (libpcap), on its own thread.
//!
//! The interface is opened (and the kernel filter installed) before the thread starts, so
//! errors the user can fix — no permission, an unknown interface, a bad filter — come back
//! from [`open`] as one line, before any screen is drawn. The thread then reads with
//! immediate delivery and a short read timeout, decodes on the spot, and hands segments to the
//! consumer through a bounded channel. When the channel is full, segments wait in a bounded
//! backlog; past that the thread stops reading until the consumer makes room, so packets wait
//! in the kernel's buffer (`--buffer-size`, far larger) and only a full buffer drops them,
//! counted by the kernel. (Reading on only to drop would waste the CPU the consumer lacks and
//! leave `--buffer-size` no use.) With `-w` the kernel's buffer is kept drained instead, so
//! that the file gets every packet, and segments the consumer has no room for are dropped and
//! counted (`Drops::queue`).

use std::fmt::Write as _;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pcap::{Active, Capture, Device, Linktype, Precision};

use super::frames::FrameRing;
use super::savefile::SaveFile;
use super::source::{Drops, Outbox, SourceStatus};
use crate::config::LiveConfig;
use crate::decode::layers::FrameMeta;
use crate::decode::{Decoder, Item, LinkType, RawPacket};
use crate::escape::escape;
use crate::time::Timestamp;

/// The longest the thread waits for a packet before checking whether to stop.
const READ_TIMEOUT_MS: i32 = 100;
/// Segments are handed over at least this often, even when a batch is not full.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Kernel drop counters are polled (and a status sent) this often.
const STATUS_EVERY: Duration = Duration::from_millis(250);
/// Segments held back while the channel is full. Beyond this the thread stops reading and
/// packets wait in the kernel's buffer (with -w: they are read, saved, and dropped here).
const BACKLOG: usize = 4096;
/// How long the thread sleeps when the consumer has no room for more segments.
const BEHIND_PAUSE: Duration = Duration::from_millis(1);
/// Once asked to stop, the longest the thread goes on reading what the kernel held.
const STOP_DRAIN: Duration = Duration::from_secs(5);
/// Linux cooked capture v2 (`-i any` with the interface index in each frame).
const DLT_LINUX_SLL2: i32 = 276;

#[derive(Debug, Clone)]
pub struct LiveInfo {
    pub interface: String,
    pub linktype: LinkType,
    pub snaplen: u32,
    /// The filter installed in the kernel: `tcp`, combined with the user's `-f`.
    pub filter: String,
    /// `-w`: where the capture is saved.
    pub write: Option<String>,
}

impl std::fmt::Display for LiveInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "capturing on {} (link type {}, snaplen {}, filter '{}')",
            escape(&self.interface),
            self.linktype.name(),
            self.snaplen,
            escape(&self.filter)
        )?;
        if let Some(w) = &self.write {
            write!(f, ", saving to {}", escape(w))?;
        }
        Ok(())
    }
}

/// An interface opened for capture, with the kernel filter installed (and the `-w` file
/// created), ready for the capture thread ([`super::Source`]).
pub struct Interface {
    name: String,
    cap: Capture<Active>,
    linktype: LinkType,
    savefile: Option<SaveFile>,
    count: Option<u64>,
    duration: Option<Duration>,
    /// More packets than the kernel's buffer can hold (each takes a frame of over 64 bytes).
    capacity: u64,
    /// What was opened, for the readiness line.
    pub info: LiveInfo,
    /// The TUI's layers view: a copy of each frame's bytes, the newest ones kept.
    ring: Option<Arc<FrameRing>>,
}

impl Interface {
    /// Keeps a copy of every frame read in `ring` (the layers view reads them there).
    pub fn keep_frames(&mut self, ring: Arc<FrameRing>) {
        self.ring = Some(ring);
    }
}

/// Opens the interface `cfg` names. Errors the user can fix (no permission, an unknown
/// interface, a bad filter) come back as one line that says how, before any thread starts or
/// any screen is drawn.
pub fn open(cfg: &LiveConfig) -> Result<Interface, String> {
    let devices = Device::list().unwrap_or_default();
    open_with(cfg, &devices)
}

/// [`open`] on a thread that has entered another network namespace (the lab's): libpcap
/// lists devices from /proc/net of the process, which shows the host's namespace, so the
/// name is not checked against that list (libpcap's own "no such device" still says it).
pub fn open_in_namespace(cfg: &LiveConfig) -> Result<Interface, String> {
    open_with(cfg, &[])
}

fn open_with(cfg: &LiveConfig, devices: &[Device]) -> Result<Interface, String> {
    let name = cfg.interface.clone();
    let (cap, linktype) = open_device(
        &name,
        cfg.snaplen,
        cfg.buffer_size,
        &cfg.kernel_filter,
        devices,
    )?;
    let savefile = match &cfg.write {
        Some(path) => Some(SaveFile::create(path, linktype, cfg.snaplen)?),
        None => None,
    };
    let info = LiveInfo {
        interface: name.clone(),
        linktype,
        snaplen: cfg.snaplen,
        filter: cfg.kernel_filter.clone(),
        write: cfg.write.clone(),
    };
    Ok(Interface {
        name,
        cap,
        linktype,
        savefile,
        count: cfg.count,
        duration: cfg.duration,
        capacity: u64::from(cfg.buffer_size) / 64,
        info,
        ring: None,
    })
}

fn open_device(
    name: &str,
    snaplen: u32,
    buffer_size: u32,
    filter: &str,
    devices: &[Device],
) -> Result<(Capture<Active>, LinkType), String> {
    // An unknown name is caught here, with the list of real ones, rather than by libpcap's
    // terser "No such device exists".
    if !devices.is_empty() && !devices.iter().any(|d| d.name == name) {
        return Err(unknown_interface(name, devices));
    }
    let inactive = Capture::from_device(name)
        .map_err(|e| open_error(name, &e.to_string(), devices))?
        .immediate_mode(true)
        .timeout(READ_TIMEOUT_MS)
        .snaplen(i32::try_from(snaplen).unwrap_or(i32::MAX))
        .buffer_size(i32::try_from(buffer_size).unwrap_or(i32::MAX))
        .precision(Precision::Nano)
        .promisc(false);
    let mut cap = inactive
        .open()
        .map_err(|e| open_error(name, &e.to_string(), devices))?;
    // `any` gives SLL by default; SLL2 also carries the interface index.
    if name == "any"
        && cap
            .list_datalinks()
            .is_ok_and(|l| l.contains(&Linktype(DLT_LINUX_SLL2)))
    {
        let _ = cap.set_datalink(Linktype(DLT_LINUX_SLL2));
    }
    let linktype = LinkType(cap.get_datalink().0 as u32);
    cap.filter(filter, true).map_err(|e| {
        format!(
            "invalid filter '{}' on {} (link type {}): {}",
            escape(filter),
            escape(name),
            linktype.name(),
            escape(&e.to_string())
        )
    })?;
    // On Linux a blocking read does not return when the read timeout expires on an idle
    // interface, so the thread could never notice a stop request: read without blocking and
    // wait in poll(2) with our own timeout instead.
    let cap = cap
        .setnonblock()
        .map_err(|e| format!("cannot capture on {}: {e}", escape(name)))?;
    Ok((cap, linktype))
}

fn open_error(name: &str, msg: &str, devices: &[Device]) -> String {
    let lower = msg.to_ascii_lowercase();
    if lower.contains("permission") || lower.contains("not permitted") {
        let exe = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "synack".into());
        let args: Vec<String> = std::env::args().skip(1).collect();
        return permission_message(name, msg, &exe, &args);
    }
    if lower.contains("no such device") {
        return unknown_interface(name, devices);
    }
    let (name, msg) = (escape(name), escape(msg));
    if lower.contains("not up") {
        format!("cannot capture on {name}: the interface is down ({msg}); bring it up with: sudo ip link set {name} up")
    } else {
        format!("cannot capture on {name}: {msg}")
    }
}

/// The message for a capture refused for lack of privileges, with both ways to fix it: the
/// same command (`exe` and the user's `args`, every option kept) under sudo, or setcap.
pub fn permission_message(name: &str, msg: &str, exe: &str, args: &[String]) -> String {
    let exe = shell_word(exe);
    let command: Vec<String> = args.iter().map(|a| shell_word(a)).collect();
    format!(
        "no permission to capture on {} ({}).\n\
         Live capture needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities. Either run \
         it with sudo:\n    sudo {exe} {}\n\
         or let this binary capture without sudo (once, after each build):\n    \
         sudo setcap cap_net_raw,cap_net_admin=eip {exe}",
        escape(name),
        escape(msg),
        command.join(" ")
    )
}

/// `s` as one word a shell reads back as `s` (single-quoted when it needs to be), with
/// control characters escaped so that the message itself is safe to print.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", escape(&s.replace('\'', "'\\''")))
    }
}

/// False for the buses and monitors libpcap can open but that never carry IP.
fn carries_ip(name: &str) -> bool {
    !["dbus-", "bluetooth", "usbmon", "nfqueue"]
        .iter()
        .any(|p| name.starts_with(p))
}

fn unknown_interface(name: &str, devices: &[Device]) -> String {
    let name = escape(name);
    let names: Vec<_> = devices
        .iter()
        .map(|d| d.name.as_str())
        .filter(|n| carries_ip(n))
        .map(escape)
        .collect();
    if names.is_empty() {
        format!("no interface named {name}")
    } else {
        format!(
            "no interface named {name}; interfaces: {} (synack --list-interfaces shows their addresses)",
            names.join(", ")
        )
    }
}

/// `synack --list-interfaces`: every interface libpcap can open, with flags and addresses.
pub fn list_interfaces() -> Result<String, String> {
    let devices = Device::list().map_err(|e| format!("cannot list interfaces: {e}"))?;
    let width = devices
        .iter()
        .map(|d| escape(&d.name).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for d in devices.iter().filter(|d| carries_ip(&d.name)) {
        let mut flags = Vec::new();
        let f = &d.flags;
        flags.push(if f.is_up() { "up" } else { "down" });
        if f.is_running() {
            flags.push("running");
        }
        if f.is_loopback() {
            flags.push("loopback");
        }
        if f.is_wireless() {
            flags.push("wireless");
        }
        let addrs: Vec<String> = d
            .addresses
            .iter()
            .map(|a| match a.netmask.map(prefix_len) {
                Some(p) => format!("{}/{p}", a.addr),
                None => a.addr.to_string(),
            })
            .collect();
        let _ = write!(out, "{:width$}  [{}]", escape(&d.name), flags.join(","));
        if !addrs.is_empty() {
            let _ = write!(out, "  {}", addrs.join(" "));
        }
        if let Some(desc) = &d.desc {
            let _ = write!(out, "  ({})", escape(desc));
        }
        out.push('\n');
    }
    if devices.is_empty() {
        out.push_str("no interfaces found (without root, some systems list none)\n");
    }
    Ok(out)
}

fn prefix_len(mask: std::net::IpAddr) -> u32 {
    match mask {
        std::net::IpAddr::V4(m) => u32::from(m).leading_ones(),
        std::net::IpAddr::V6(m) => u128::from(m).leading_ones(),
    }
}

/// Reads `iface` until asked to stop (`stop`, `--count`, `--duration`), the interface goes
/// away, or the consumer does; then sends what is pending and a last status.
pub(super) fn read(iface: Interface, decoder: Decoder, out: &Outbox, stop: &AtomicBool) {
    let now = Instant::now();
    let mut w = Worker {
        iface,
        decoder,
        out,
        pending: Vec::with_capacity(out.batch),
        queue_drops: 0,
        read: 0,
        drops: Drops::default(),
        started: now,
        last_flush: now,
        last_status: now,
    };
    w.run(stop);
}

/// Once asked to stop (Ctrl-C, --duration), what the kernel already holds is still read: when
/// it was asked, how many packets its buffer held then, and how many had been read.
struct Stopping {
    since: Instant,
    held: Option<u64>,
    read_at: u64,
}

/// What one read gave.
enum Read {
    Packet,
    /// Nothing was ready; the thread waited for the descriptor (at most one read timeout).
    Waited,
    /// Nothing was ready while stopping: the kernel's buffer is empty.
    Empty,
    Failed(String),
}

struct Worker<'a> {
    iface: Interface,
    decoder: Decoder,
    out: &'a Outbox,
    /// Read but not handed over yet (the channel was full, or the batch is not).
    pending: Vec<Item>,
    queue_drops: u64,
    /// Packets taken from the kernel's buffer since it was opened.
    read: u64,
    drops: Drops,
    started: Instant,
    last_flush: Instant,
    last_status: Instant,
}

impl Worker<'_> {
    fn run(&mut self, stop: &AtomicBool) {
        // Without -w, a consumer that falls behind is waited for: packets stay in the kernel's
        // buffer (--buffer-size) until it catches up, and only a full buffer drops them
        // (counted by the kernel). With -w the buffer is kept drained, so that the file gets
        // every packet, and segments the consumer has no room for are dropped here.
        let wait_for_consumer = self.iface.savefile.is_none();
        // A first status says the capture is running.
        if !self.status(false, None) {
            return;
        }
        let mut stopping: Option<Stopping> = None;
        let error = loop {
            if self
                .iface
                .count
                .is_some_and(|n| self.decoder.counters.packets >= n)
            {
                break None;
            }
            let asked = stop.load(Ordering::Relaxed)
                || self
                    .iface
                    .duration
                    .is_some_and(|d| self.started.elapsed() >= d);
            if stopping.is_none() && asked {
                stopping = Some(Stopping {
                    since: Instant::now(),
                    held: self.held(),
                    read_at: self.read,
                });
            }
            if stopping.as_ref().is_some_and(|s| self.drained(s)) {
                break None;
            }
            let behind = wait_for_consumer && self.pending.len() >= BACKLOG;
            if !behind {
                match self.read_one(stopping.is_some()) {
                    Read::Packet | Read::Waited => {}
                    Read::Empty => break None,
                    Read::Failed(e) => break Some(e),
                }
            }
            let now = Instant::now();
            if !self.hand_over(now) {
                return;
            }
            if behind && self.pending.len() >= BACKLOG {
                // The consumer has not made room yet: give it the CPU for a moment.
                std::thread::sleep(BEHIND_PAUSE);
            }
            if now.duration_since(self.last_status) >= STATUS_EVERY {
                self.last_status = now;
                self.poll_drops();
                if let Some(sf) = self.iface.savefile.as_mut() {
                    sf.flush();
                }
                if !self.status(false, None) {
                    return;
                }
            }
        };
        self.poll_drops();
        if let Some(sf) = self.iface.savefile.as_mut() {
            sf.flush();
        }
        let pending = std::mem::take(&mut self.pending);
        if !pending.is_empty() && !self.out.send(pending) {
            return;
        }
        self.decoder.finish();
        self.out.last_status(self.snapshot(true, error));
    }

    /// Whether a stopping capture has read what the kernel held: until the buffer is empty; on
    /// a busy interface (never empty), at least one flush period and until as many packets as
    /// it held are read (as many as it can hold, when that cannot be told), within a bound.
    /// Packets it still held then are counted as dropped, when their number is known.
    fn drained(&mut self, s: &Stopping) -> bool {
        let waited = s.since.elapsed();
        let read_since = self.read - s.read_at;
        let done = (waited >= FLUSH_EVERY && read_since >= s.held.unwrap_or(self.iface.capacity))
            || waited >= STOP_DRAIN;
        if done {
            self.queue_drops += s.held.map_or(0, |h| h.saturating_sub(read_since));
        }
        done
    }

    /// Reads, saves (`-w`) and decodes one packet, if one is ready.
    fn read_one(&mut self, stopping: bool) -> Read {
        match self.iface.cap.next_packet() {
            Ok(p) => {
                self.read += 1;
                let h = *p.header;
                if let Some(sf) = self.iface.savefile.as_mut() {
                    sf.write(h.ts.tv_sec, h.ts.tv_usec, p.data, h.len);
                }
                // Opened with nanosecond precision: tv_usec holds nanoseconds.
                let pkt = RawPacket {
                    ts: Timestamp::from_secs_nanos(h.ts.tv_sec, h.ts.tv_usec),
                    linktype: self.iface.linktype,
                    data: p.data,
                    orig_len: h.len,
                };
                if let Some(ring) = &self.iface.ring {
                    let meta = FrameMeta {
                        number: self.decoder.counters.packets + 1,
                        ts: pkt.ts,
                        linktype: pkt.linktype,
                        orig_len: pkt.orig_len,
                        interface: None,
                    };
                    ring.push(meta, pkt.data);
                }
                let room = self.pending.len() < BACKLOG;
                match self.decoder.item(&pkt) {
                    item if room => self.pending.push(item),
                    // A tick only moves the clock, which the live runners also read from the
                    // wall: one that finds no room is not a loss.
                    Item::Tick(_) => {}
                    _ => self.queue_drops += 1,
                }
                Read::Packet
            }
            Err(pcap::Error::TimeoutExpired) if stopping => Read::Empty,
            Err(pcap::Error::TimeoutExpired) => {
                wait_readable(&self.iface.cap, READ_TIMEOUT_MS);
                Read::Waited
            }
            Err(e) => Read::Failed(gone_message(&self.iface.name, &e.to_string())),
        }
    }

    /// Hands pending items over when a batch is full or a flush period has passed, if the
    /// channel has room (else they wait: the backlog cap bounds that). False when the consumer
    /// is gone.
    fn hand_over(&mut self, now: Instant) -> bool {
        if self.pending.is_empty()
            || (self.pending.len() < self.out.batch
                && now.duration_since(self.last_flush) < FLUSH_EVERY)
        {
            return true;
        }
        self.last_flush = now;
        let batch = std::mem::replace(&mut self.pending, self.out.fresh());
        match self.out.try_send(batch) {
            Ok(sent) => sent,
            Err(back) => {
                self.pending = back;
                true
            }
        }
    }

    /// Packets waiting in the kernel's buffer, given how many were read from it so far: those
    /// it took in (pcap_stats ps_recv, which counts the ones it dropped too) less those it
    /// dropped and those read. None when that cannot be told: the counters are not available,
    /// or the capture is on the loopback device or `any`, where the kernel counts the outgoing
    /// copy of each loopback packet that libpcap then skips.
    fn held(&mut self) -> Option<u64> {
        if self.iface.name == "lo" || self.iface.name == "any" {
            return None;
        }
        let s = self.iface.cap.stats().ok()?;
        // The counters are 32-bit and wrap: so does the difference.
        Some(u64::from(
            s.received
                .wrapping_sub(s.dropped)
                .wrapping_sub(self.read as u32),
        ))
    }

    /// Kernel and interface drops from pcap_stats (kept as they were if the call fails, e.g.
    /// once the interface is gone), with synack's own queue drops.
    fn poll_drops(&mut self) {
        self.drops = match self.iface.cap.stats() {
            Ok(s) => Drops {
                kernel: u64::from(s.dropped),
                interface: u64::from(s.if_dropped),
                queue: self.queue_drops,
            },
            Err(_) => Drops {
                queue: self.queue_drops,
                ..self.drops
            },
        };
    }

    fn snapshot(&self, done: bool, error: Option<String>) -> SourceStatus {
        SourceStatus {
            name: escape(&self.iface.name).into_owned(),
            live: true,
            counters: self.decoder.counters.clone(),
            drops: self.drops,
            consumed: 0,
            done,
            error,
            save: self.iface.savefile.as_ref().map(|s| s.status().clone()),
        }
    }

    /// Sends an advisory status. False when the consumer is gone.
    fn status(&self, done: bool, error: Option<String>) -> bool {
        self.out.status(self.snapshot(done, error))
    }
}

fn wait_readable(cap: &Capture<Active>, timeout_ms: i32) {
    let mut pfd = libc::pollfd {
        fd: cap.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, for the length given. An error (EINTR) just ends the wait
    // early; errors on the descriptor show up at the next read.
    unsafe {
        libc::poll(&mut pfd, 1, timeout_ms);
    }
}

fn gone_message(name: &str, msg: &str) -> String {
    let lower = msg.to_ascii_lowercase();
    let (name, msg) = (escape(name), escape(msg));
    if lower.contains("disappeared")
        || lower.contains("no such device")
        || lower.contains("went down")
        || lower.contains("not up")
    {
        format!("capture on {name} ended: the interface went away or down ({msg})")
    } else {
        format!("capture on {name} ended: {msg}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netmask_to_prefix_length() {
        assert_eq!(prefix_len("255.255.255.0".parse().unwrap()), 24);
        assert_eq!(prefix_len("ffff:ffff:ffff:ffff::".parse().unwrap()), 64);
    }

    #[test]
    fn permission_message_says_how_to_fix_it_with_every_option_kept() {
        let args: Vec<String> = ["-i", "eth0", "--json", "-f", "port 80", "-w", "it's.pcap"]
            .map(String::from)
            .into();
        let m = permission_message(
            "eth0",
            "socket: Operation not permitted",
            "/usr/bin/synack",
            &args,
        );
        assert!(
            m.contains(
                "\n    sudo /usr/bin/synack -i eth0 --json -f 'port 80' -w 'it'\\''s.pcap'\n"
            ),
            "{m}"
        );
        assert!(
            m.contains("setcap cap_net_raw,cap_net_admin=eip /usr/bin/synack"),
            "{m}"
        );
    }

    #[test]
    fn names_from_the_system_are_escaped_in_messages() {
        let m = permission_message(
            "e\x1b[31m",
            "no",
            "synack",
            &["-i".into(), "e\x1b[31m".into()],
        );
        assert!(!m.contains('\x1b'), "{m}");
        assert!(m.contains("e\\x1b[31m"), "{m}");
        assert!(!gone_message("e\x1b]0;x\x07", "went down").contains('\x1b'));
        assert!(!unknown_interface("\x1b[2J", &[]).contains('\x1b'));
    }
}
