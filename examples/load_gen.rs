//! Load generator for the live benchmark (`make bench-live`, bench/live.sh): real TCP
//! connections through the kernel, opened and closed as fast as possible or at a set rate.
//!
//!     load_gen serve   --addr 10.79.0.2:7000 [--threads 4] [--backlog 4096]
//!     load_gen connect --addr 10.79.0.2:7000 --duration 10 [--rate 5000] [--threads 4] [--bytes 16]
//!
//! `serve` accepts, reads each connection until end-of-file and closes it, until SIGINT or
//! SIGTERM; it says `load_gen: listening on ...` on stderr once listening, and prints one JSON
//! line on stdout when stopped (`{"mode":"serve","accepted":...}`).
//!
//! `connect` opens connections from several threads for `--duration` seconds: connect, write
//! `--bytes` bytes (0: none), close. `--rate N` paces the threads to N connections/s in total
//! (0: as fast as they go). It prints one JSON line on stdout: connections `completed`
//! (connect() succeeded), `failed` (by error), `elapsed` seconds, the achieved `rate`, and
//! the `cpu` seconds it used (as `serve` does).
//!
//! `get FILE POINTER...` prints, space-separated, the values at these JSON pointers
//! (`/drops/kernel`) in FILE's last line (`-` where there is none): bench/live.sh reads
//! synack's summary and the generator's line with it, without needing jq.
//!
//! Each side runs in its own network namespace (`ip netns exec NS load_gen ...`), so the
//! packets cross a veth pair and can be captured there.
//!
//! Who closes first decides who holds TIME_WAIT. Here the client closes first (the server
//! only closes once it has read end-of-file), as most short-lived clients do, so the client
//! holds TIME_WAIT for 60 s on each 4-tuple it used. With a single server address and port,
//! that allows only ~28,000 ports / 60 s = ~470 connections/s before connect() fails with
//! EADDRNOTAVAIL. bench/live.sh therefore sets, in the client namespace only,
//! `net.ipv4.ip_local_port_range="1024 65535"` (64,512 ports) and `net.ipv4.tcp_tw_reuse=1`
//! (connect() may reuse a port whose TIME_WAIT is older than `tcp_tw_reuse_delay`, 1 s, the
//! timestamps option telling old segments from new ones): that sustains tens of thousands of
//! connections/s, each port coming back every (64,512 / rate) seconds. The server closing
//! first would move TIME_WAIT to the server, where it never blocks a new connection (a SYN
//! with a higher sequence number or timestamp reopens the 4-tuple), but it is the less
//! common pattern, and synack is then judged on the same port reuse anyway. The client
//! closing also avoids the server sending a RST for unread data.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "TCP load generator for synack's live benchmark")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Accept connections, read each to end-of-file, close; until SIGINT/SIGTERM.
    Serve {
        #[arg(long)]
        addr: SocketAddr,
        /// Accepting threads (each reads its connection to end-of-file before the next).
        #[arg(long, default_value_t = 4)]
        threads: usize,
        /// listen() backlog (capped by net.core.somaxconn).
        #[arg(long, default_value_t = 4096)]
        backlog: i32,
    },
    /// Open and close connections for a while, as fast as possible or at a rate.
    Connect {
        #[arg(long)]
        addr: SocketAddr,
        /// Seconds to run.
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// Connections per second in total; 0: as fast as possible.
        #[arg(long, default_value_t = 0.0)]
        rate: f64,
        /// Client threads.
        #[arg(long, default_value_t = 4)]
        threads: usize,
        /// Bytes written on each connection before closing it (0: none).
        #[arg(long, default_value_t = 16)]
        bytes: usize,
        /// connect() timeout in seconds (a SYN retransmitted past it counts as failed).
        #[arg(long, default_value_t = 5.0)]
        timeout: f64,
    },
    /// Print the values at JSON pointers (e.g. /drops/kernel) in FILE's last line.
    Get {
        file: std::path::PathBuf,
        pointers: Vec<String>,
    },
}

static STOP: AtomicBool = AtomicBool::new(false);

/// CPU seconds (user + system) this process has used so far, all threads.
fn cpu_secs() -> f64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(ru.ru_utime) + secs(ru.ru_stime)
}

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn catch_signals() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: installs an async-signal-safe handler (one atomic store) with an empty mask.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

fn main() {
    match Cli::parse().cmd {
        Cmd::Serve {
            addr,
            threads,
            backlog,
        } => serve(addr, threads, backlog),
        Cmd::Connect {
            addr,
            duration,
            rate,
            threads,
            bytes,
            timeout,
        } => connect(addr, duration, rate, threads, bytes, timeout),
        Cmd::Get { file, pointers } => get(&file, &pointers),
    }
}

fn get(file: &std::path::Path, pointers: &[String]) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| {
        eprintln!("load_gen: {}: {e}", file.display());
        std::process::exit(2)
    });
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(last).unwrap_or_else(|e| {
        eprintln!("load_gen: {}: last line is not JSON ({e})", file.display());
        std::process::exit(2)
    });
    let out: Vec<String> = pointers
        .iter()
        .map(|p| match v.pointer(p) {
            None | Some(serde_json::Value::Null) => "-".into(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(x) => x.to_string(),
        })
        .collect();
    println!("{}", out.join(" "));
}

fn serve(addr: SocketAddr, threads: usize, backlog: i32) {
    catch_signals();
    let listener = TcpListener::bind(addr).unwrap_or_else(|e| {
        eprintln!("load_gen: cannot listen on {addr}: {e}");
        std::process::exit(2)
    });
    // std listens with a backlog of 128; listen() again on a listening socket changes it.
    // SAFETY: listen on a descriptor the listener owns.
    if unsafe { libc::listen(listener.as_raw_fd(), backlog) } != 0 {
        eprintln!(
            "load_gen: listen backlog {backlog}: {}",
            std::io::Error::last_os_error()
        );
    }
    let listener = Arc::new(listener);
    let accepted = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    for _ in 0..threads.max(1) {
        let (l, acc, by, er) = (
            listener.clone(),
            accepted.clone(),
            bytes.clone(),
            errors.clone(),
        );
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                let mut s = match l.accept() {
                    Ok((s, _)) => s,
                    Err(_) => {
                        er.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                };
                acc.fetch_add(1, Ordering::Relaxed);
                // A client that never closes must not hold this thread for good.
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                loop {
                    match s.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            by.fetch_add(n as u64, Ordering::Relaxed);
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(_) => {
                            er.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                    }
                }
                // Dropping the stream closes it: our FIN answers the client's.
            }
        });
    }
    eprintln!("load_gen: listening on {addr}");
    while !STOP.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
    }
    println!(
        "{{\"mode\":\"serve\",\"addr\":\"{addr}\",\"accepted\":{},\"bytes\":{},\"errors\":{},\"cpu\":{:.3}}}",
        accepted.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        cpu_secs()
    );
    // The accepting threads are blocked in accept(): leave without joining them.
    std::process::exit(0);
}

/// What one client thread did.
#[derive(Default)]
struct Tally {
    completed: u64,
    failed: BTreeMap<String, u64>,
    /// Connections completed whose write failed (they still count as completed).
    write_errors: u64,
    /// Connections completed in each second since the start.
    per_second: Vec<u64>,
}

fn error_name(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::EADDRNOTAVAIL) => "EADDRNOTAVAIL".into(),
        Some(libc::ECONNREFUSED) => "ECONNREFUSED".into(),
        Some(libc::ECONNRESET) => "ECONNRESET".into(),
        Some(libc::ETIMEDOUT) => "ETIMEDOUT".into(),
        Some(libc::EMFILE) => "EMFILE".into(),
        Some(n) => format!("errno{n}"),
        None if e.kind() == ErrorKind::TimedOut => "ETIMEDOUT".into(),
        None => format!("{:?}", e.kind()),
    }
}

fn connect(addr: SocketAddr, duration: f64, rate: f64, threads: usize, bytes: usize, timeout: f64) {
    catch_signals();
    let threads = threads.max(1);
    let payload = vec![b'x'; bytes];
    let timeout = Duration::from_secs_f64(timeout);
    let run_for = Duration::from_secs_f64(duration);
    let start = Instant::now();
    let deadline = start + run_for;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let payload = payload.clone();
            std::thread::spawn(move || {
                let mut tally = Tally::default();
                // Thread t makes connections t, t + threads, t + 2*threads, ... of the
                // schedule, the k-th due at start + k / rate. Behind schedule, it goes as fast
                // as it can until it has caught up.
                let mut k = t as u64;
                loop {
                    if STOP.load(Ordering::Relaxed) {
                        break;
                    }
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    if rate > 0.0 {
                        let due = start + Duration::from_secs_f64(k as f64 / rate);
                        if due >= deadline {
                            break;
                        }
                        if due > now {
                            std::thread::sleep(due - now);
                        }
                        k += threads as u64;
                    }
                    match TcpStream::connect_timeout(&addr, timeout) {
                        Ok(mut s) => {
                            tally.completed += 1;
                            let sec = start.elapsed().as_secs() as usize;
                            if tally.per_second.len() <= sec {
                                tally.per_second.resize(sec + 1, 0);
                            }
                            tally.per_second[sec] += 1;
                            if !payload.is_empty() && s.write_all(&payload).is_err() {
                                tally.write_errors += 1;
                            }
                            // Dropping the stream closes it: the client sends the first FIN.
                        }
                        Err(e) => {
                            *tally.failed.entry(error_name(&e)).or_default() += 1;
                            // Out of ports or refused: do not spin on the error.
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let mut total = Tally::default();
    for h in handles {
        let t = h.join().expect("client thread panicked");
        total.completed += t.completed;
        total.write_errors += t.write_errors;
        for (k, v) in t.failed {
            *total.failed.entry(k).or_default() += v;
        }
        if total.per_second.len() < t.per_second.len() {
            total.per_second.resize(t.per_second.len(), 0);
        }
        for (i, n) in t.per_second.iter().enumerate() {
            total.per_second[i] += n;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let failed: u64 = total.failed.values().sum();
    let errors: Vec<String> = total
        .failed
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("\"{k}\":{n}"))
        .collect();
    let per_second: Vec<String> = total.per_second.iter().map(u64::to_string).collect();
    println!(
        "{{\"mode\":\"connect\",\"addr\":\"{addr}\",\"threads\":{threads},\"target_rate\":{rate},\"bytes\":{bytes},\"completed\":{},\"failed\":{failed},\"errors\":{{{}}},\"write_errors\":{},\"cpu\":{:.3},\"elapsed\":{elapsed:.3},\"rate\":{:.1},\"per_second\":[{}]}}",
        total.completed,
        errors.join(","),
        total.write_errors,
        cpu_secs(),
        total.completed as f64 / elapsed,
        per_second.join(",")
    );
}
