//! Live capture from a network interface (libpcap), on its own thread.
//!
//! The interface is opened (and the kernel filter installed) before the thread starts, so
//! errors the user can fix — no permission, an unknown interface, a bad filter — come back
//! from [`start`] as one line, before any screen is drawn. The thread then reads with
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
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pcap::{Active, Capture, Device, Linktype, Precision};

use super::source::{Drops, SourceMsg, SourceStatus, BATCH};
use super::RawPacket;
use crate::cli::Args;
use crate::decode::{LinkType, Timestamp};
use crate::pipeline::Decoder;

/// The longest the thread waits for a packet before checking whether to stop.
const READ_TIMEOUT_MS: i32 = 100;
/// Segments are handed over at least this often, even when a batch is not full.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Kernel drop counters are polled (and a status sent) this often.
const STATUS_EVERY: Duration = Duration::from_millis(250);
/// Segments held back while the channel is full. Beyond this the thread stops reading and
/// packets wait in the kernel's buffer (with -w: they are read, saved, and dropped here).
const BACKLOG: usize = 16 * BATCH;
/// How long the thread sleeps when the consumer has no room for more segments.
const BEHIND_PAUSE: Duration = Duration::from_millis(1);
/// Once asked to stop, the longest the thread goes on reading what the kernel held.
const STOP_DRAIN: Duration = Duration::from_secs(5);
/// Smallest snaplen that still holds every header synack decodes (SLL2 + IPv6 + full TCP).
const MIN_SNAPLEN: u32 = 128;
/// Linux cooked capture v2 (`-i any` with the interface index in each frame).
const DLT_LINUX_SLL2: i32 = 276;

/// A running live capture.
pub struct LiveCapture {
    pub handle: JoinHandle<()>,
    /// Set to make the thread stop at its next read timeout (it then sends its last status).
    pub stop: Arc<AtomicBool>,
    /// What was opened, for a readiness line: interface, link type, snaplen, filter.
    pub info: LiveInfo,
}

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
            self.interface,
            self.linktype.name(),
            self.snaplen,
            self.filter
        )?;
        if let Some(w) = &self.write {
            write!(f, ", saving to {w}")?;
        }
        Ok(())
    }
}

/// Opens the interface named by `args.interface` and starts the capture thread, which sends
/// decoded segments and status to `tx`. Errors (no permission, unknown interface) come back
/// before any thread starts, as one line that says how to fix them.
///
/// The thread stops on `--count`, `--duration`, an error, or when `tx`'s receiver is dropped
/// (noticed within a status period); [`spawn`] also gives a stop flag.
pub fn start(
    args: &Args,
    decoder: Decoder,
    tx: SyncSender<SourceMsg>,
) -> Result<JoinHandle<()>, String> {
    spawn(args, decoder, tx).map(|c| c.handle)
}

/// [`start`], returning the stop flag and what was opened as well.
pub fn spawn(
    args: &Args,
    mut decoder: Decoder,
    tx: SyncSender<SourceMsg>,
) -> Result<LiveCapture, String> {
    let Some(name) = args.interface.clone() else {
        return Err("no interface given (-i IFACE; synack --list-interfaces lists them)".into());
    };
    if let Some(d) = args.duration {
        if !(d.is_finite() && d >= 0.0) {
            return Err(format!(
                "--duration must be a number of seconds >= 0, not {d}"
            ));
        }
    }
    let filter = kernel_filter(args.filter.as_deref());
    let snaplen = args.snaplen.max(MIN_SNAPLEN);
    let (cap, linktype) = open(&name, snaplen, args.buffer_size, &filter)?;
    // The kernel already applies the user's filter; running it again per frame is wasted work.
    decoder.bpf = None;
    let savefile = match &args.write {
        Some(path) => Some(
            cap.savefile(path)
                .map_err(|e| format!("cannot write {path}: {e}"))?,
        ),
        None => None,
    };
    let info = LiveInfo {
        interface: name.clone(),
        linktype,
        snaplen,
        filter,
        write: args.write.clone(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let worker = Worker {
        name,
        cap,
        linktype,
        savefile,
        decoder,
        tx,
        stop: stop.clone(),
        count: args.count,
        duration: args.duration.map(Duration::from_secs_f64),
        capacity: u64::from(args.buffer_size) / 64,
    };
    let handle = std::thread::Builder::new()
        .name("synack-capture".into())
        .spawn(move || worker.run())
        .map_err(|e| format!("cannot start the capture thread: {e}"))?;
    Ok(LiveCapture { handle, stop, info })
}

/// `tcp`, or `tcp and (USER)`.
pub fn kernel_filter(user: Option<&str>) -> String {
    match user.map(str::trim).filter(|s| !s.is_empty()) {
        Some(u) => format!("tcp and ({u})"),
        None => "tcp".into(),
    }
}

fn open(
    name: &str,
    snaplen: u32,
    buffer_size: u32,
    filter: &str,
) -> Result<(Capture<Active>, LinkType), String> {
    // An unknown name is caught here, with the list of real ones, rather than by libpcap's
    // terser "No such device exists".
    let devices = Device::list().unwrap_or_default();
    if !devices.is_empty() && !devices.iter().any(|d| d.name == name) {
        return Err(unknown_interface(name, &devices));
    }
    let inactive = Capture::from_device(name)
        .map_err(|e| open_error(name, &e.to_string(), &devices))?
        .immediate_mode(true)
        .timeout(READ_TIMEOUT_MS)
        .snaplen(i32::try_from(snaplen).unwrap_or(i32::MAX))
        .buffer_size(i32::try_from(buffer_size).unwrap_or(i32::MAX))
        .precision(Precision::Nano)
        .promisc(false);
    let mut cap = inactive
        .open()
        .map_err(|e| open_error(name, &e.to_string(), &devices))?;
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
            "invalid filter '{filter}' on {name} (link type {}): {e}",
            linktype.name()
        )
    })?;
    // On Linux a blocking read does not return when the read timeout expires on an idle
    // interface, so the thread could never notice a stop request: read without blocking and
    // wait in poll(2) with our own timeout instead.
    let cap = cap
        .setnonblock()
        .map_err(|e| format!("cannot capture on {name}: {e}"))?;
    Ok((cap, linktype))
}

fn open_error(name: &str, msg: &str, devices: &[Device]) -> String {
    let lower = msg.to_ascii_lowercase();
    if lower.contains("permission") || lower.contains("not permitted") {
        permission_message(name, msg)
    } else if lower.contains("no such device") {
        unknown_interface(name, devices)
    } else if lower.contains("not up") {
        format!("cannot capture on {name}: the interface is down ({msg}); bring it up with: sudo ip link set {name} up")
    } else {
        format!("cannot capture on {name}: {msg}")
    }
}

/// The message for a capture refused for lack of privileges, with both ways to fix it.
pub fn permission_message(name: &str, msg: &str) -> String {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "synack".into());
    format!(
        "no permission to capture on {name} ({msg}).\n\
         Live capture needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities. Either run \
         it with sudo:\n    sudo {exe} -i {name}\n\
         or let this binary capture without sudo (once, after each build):\n    \
         sudo setcap cap_net_raw,cap_net_admin=eip {exe}"
    )
}

/// False for the buses and monitors libpcap can open but that never carry IP.
fn carries_ip(name: &str) -> bool {
    !["dbus-", "bluetooth", "usbmon", "nfqueue"]
        .iter()
        .any(|p| name.starts_with(p))
}

fn unknown_interface(name: &str, devices: &[Device]) -> String {
    let names: Vec<&str> = devices
        .iter()
        .map(|d| d.name.as_str())
        .filter(|n| carries_ip(n))
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
    let width = devices.iter().map(|d| d.name.len()).max().unwrap_or(0);
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
        let _ = write!(out, "{:width$}  [{}]", d.name, flags.join(","));
        if !addrs.is_empty() {
            let _ = write!(out, "  {}", addrs.join(" "));
        }
        if let Some(desc) = &d.desc {
            let _ = write!(out, "  ({desc})");
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

struct Worker {
    name: String,
    cap: Capture<Active>,
    linktype: LinkType,
    savefile: Option<pcap::Savefile>,
    decoder: Decoder,
    tx: SyncSender<SourceMsg>,
    stop: Arc<AtomicBool>,
    count: Option<u64>,
    duration: Option<Duration>,
    /// More packets than the kernel's buffer can hold (each takes a frame of over 64 bytes).
    capacity: u64,
}

impl Worker {
    fn run(mut self) {
        let started = Instant::now();
        let mut pending: Vec<(crate::decode::Segment, u64)> = Vec::with_capacity(BATCH);
        let mut queue_drops = 0u64;
        // Packets taken from the kernel's buffer since it was opened.
        let mut read = 0u64;
        let mut last_flush = started;
        let mut last_status = started;
        let mut error = None;
        let mut drops = Drops::default();
        // Without -w, a consumer that falls behind is waited for: packets stay in the kernel's
        // buffer (--buffer-size) until it catches up, and only a full buffer drops them
        // (counted by the kernel). With -w the buffer is kept drained, so that the file gets
        // every packet, and segments the consumer has no room for are dropped here.
        let wait_for_consumer = self.savefile.is_none();
        // A first status says the capture is running.
        if !self.status(&drops, false, None) {
            return;
        }
        // Once asked to stop (Ctrl-C, --duration), what the kernel already holds is still read:
        // when it was asked, and how many packets its buffer held then.
        let mut stopping: Option<(Instant, Option<u64>)> = None;
        let mut read_at_stop = 0u64;
        loop {
            if self
                .count
                .is_some_and(|n| self.decoder.counters.packets >= n)
            {
                break;
            }
            if stopping.is_none()
                && (self.stop.load(Ordering::Relaxed)
                    || self.duration.is_some_and(|d| started.elapsed() >= d))
            {
                stopping = Some((Instant::now(), self.held(read)));
                read_at_stop = read;
            }
            if let Some((since, held)) = stopping {
                // Until the buffer is empty; on a busy interface (never empty), at least one
                // flush period and until as many packets as it held are read (as many as it
                // can hold, when that cannot be told), within a bound. Packets it still held
                // then are counted as dropped, when their number is known.
                let waited = since.elapsed();
                let read_since = read - read_at_stop;
                if (waited >= FLUSH_EVERY && read_since >= held.unwrap_or(self.capacity))
                    || waited >= STOP_DRAIN
                {
                    queue_drops += held.map_or(0, |h| h.saturating_sub(read_since));
                    break;
                }
            }
            let behind = wait_for_consumer && pending.len() >= BACKLOG;
            if !behind {
                match self.cap.next_packet() {
                    Ok(p) => {
                        read += 1;
                        let h = *p.header;
                        if let Some(sf) = self.savefile.as_mut() {
                            sf.write(&p);
                        }
                        // Opened with nanosecond precision: tv_usec holds nanoseconds.
                        let pkt = RawPacket {
                            ts: Timestamp::from_secs_nanos(h.ts.tv_sec, h.ts.tv_usec),
                            linktype: self.linktype,
                            data: p.data,
                            orig_len: h.len,
                        };
                        if let Some(seg) = self.decoder.decode(&pkt) {
                            if pending.len() < BACKLOG {
                                pending.push(seg);
                            } else {
                                queue_drops += 1;
                            }
                        }
                    }
                    // Nothing ready: wait for the next packet, at most one read timeout.
                    Err(pcap::Error::TimeoutExpired) if stopping.is_some() => break,
                    Err(pcap::Error::TimeoutExpired) => wait_readable(&self.cap, READ_TIMEOUT_MS),
                    Err(e) => {
                        error = Some(gone_message(&self.name, &e.to_string()));
                        break;
                    }
                }
            }
            let now = Instant::now();
            if !pending.is_empty()
                && (pending.len() >= BATCH || now.duration_since(last_flush) >= FLUSH_EVERY)
            {
                last_flush = now;
                let batch = std::mem::replace(&mut pending, Vec::with_capacity(BATCH));
                match self.tx.try_send(SourceMsg::Segments(batch)) {
                    Ok(()) => {}
                    // Keep them for the next try; the backlog cap above bounds the wait.
                    Err(TrySendError::Full(SourceMsg::Segments(b))) => pending = b,
                    Err(TrySendError::Full(_)) => {}
                    Err(TrySendError::Disconnected(_)) => return,
                }
            }
            if behind && pending.len() >= BACKLOG {
                // The consumer has not made room yet: give it the CPU for a moment.
                std::thread::sleep(BEHIND_PAUSE);
            }
            if now.duration_since(last_status) >= STATUS_EVERY {
                last_status = now;
                drops = self.poll_drops(queue_drops, drops);
                if let Some(sf) = self.savefile.as_mut() {
                    let _ = sf.flush();
                }
                if !self.status(&drops, false, None) {
                    return;
                }
            }
        }
        drops = self.poll_drops(queue_drops, drops);
        if let Some(sf) = self.savefile.as_mut() {
            let _ = sf.flush();
        }
        if !pending.is_empty() && self.tx.send(SourceMsg::Segments(pending)).is_err() {
            return;
        }
        let status = self.snapshot(&drops, true, error);
        let _ = self.tx.send(SourceMsg::Status(status));
    }

    /// Packets waiting in the kernel's buffer, given how many were `read` from it so far:
    /// those it took in (pcap_stats ps_recv, which counts the ones it dropped too) less those
    /// it dropped and those read. None when that cannot be told: the counters are not
    /// available, or the capture is on the loopback device or `any`, where the kernel counts
    /// the outgoing copy of each loopback packet that libpcap then skips.
    fn held(&mut self, read: u64) -> Option<u64> {
        if self.name == "lo" || self.name == "any" {
            return None;
        }
        let s = self.cap.stats().ok()?;
        // The counters are 32-bit and wrap: so does the difference.
        Some(u64::from(
            s.received.wrapping_sub(s.dropped).wrapping_sub(read as u32),
        ))
    }

    /// Kernel and interface drops from pcap_stats (kept as they were if the call fails, e.g.
    /// once the interface is gone), with synack's own queue drops.
    fn poll_drops(&mut self, queue: u64, before: Drops) -> Drops {
        match self.cap.stats() {
            Ok(s) => Drops {
                kernel: u64::from(s.dropped),
                interface: u64::from(s.if_dropped),
                queue,
            },
            Err(_) => Drops { queue, ..before },
        }
    }

    fn snapshot(&self, drops: &Drops, done: bool, error: Option<String>) -> SourceStatus {
        SourceStatus {
            name: self.name.clone(),
            live: true,
            counters: self.decoder.counters.clone(),
            drops: *drops,
            consumed: 0,
            done,
            error,
        }
    }

    /// Sends an advisory status (skipped when the channel is full). False when the consumer is
    /// gone.
    fn status(&self, drops: &Drops, done: bool, error: Option<String>) -> bool {
        let s = self.snapshot(drops, done, error);
        !matches!(
            self.tx.try_send(SourceMsg::Status(s)),
            Err(TrySendError::Disconnected(_))
        )
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
    fn kernel_filter_always_keeps_tcp() {
        assert_eq!(kernel_filter(None), "tcp");
        assert_eq!(kernel_filter(Some("  ")), "tcp");
        assert_eq!(
            kernel_filter(Some("port 80 or port 443")),
            "tcp and (port 80 or port 443)"
        );
    }

    #[test]
    fn netmask_to_prefix_length() {
        assert_eq!(prefix_len("255.255.255.0".parse().unwrap()), 24);
        assert_eq!(prefix_len("ffff:ffff:ffff:ffff::".parse().unwrap()), 64);
    }

    #[test]
    fn permission_message_says_how_to_fix_it() {
        let m = permission_message("eth0", "socket: Operation not permitted");
        assert!(m.contains("sudo"), "{m}");
        assert!(m.contains("setcap cap_net_raw,cap_net_admin=eip"), "{m}");
    }
}
