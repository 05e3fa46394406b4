//! Harness for the live tests on real kernel traffic (tests/live.rs, tests/live_diagnose.rs):
//! a pair of network namespaces joined by a veth pair (client 10.78.0.1 on `v0`, server
//! 10.78.0.2 on `v1`), sockets opened on a thread that has entered a namespace, `ss -tano`
//! parsed (queues and timers included), and a running `synack -i IFACE --json`.
//!
//! These tests need root (network namespaces, packet capture, raw sockets). They never skip:
//! without root they fail, saying so.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use synack::lab::netns::{self, Layout, Pair};

pub const CLIENT_IP: &str = "10.78.0.1";
pub const SERVER_IP: &str = "10.78.0.2";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_synack")
}

pub fn require_root() {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(
        euid,
        0,
        "live tests need root to create network namespaces, capture and send raw packets: \
         run as root or with sudo (e.g. `sudo -E cargo test --test live --test \
         live_diagnose`); they do not skip{}",
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            " (CI=true: they must run here)"
        } else {
            ""
        }
    );
    for (tool, arg, pkg) in [
        ("ip", "-V", "iproute2"),
        ("ss", "-V", "iproute2"),
        ("nft", "--version", "nftables"),
        ("sysctl", "--version", "procps"),
    ] {
        let ok = Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "live tests need `{tool}` ({pkg}): `make deps` installs it"
        );
    }
}

pub fn sh(cmd: &[&str]) -> Output {
    let out = Command::new(cmd[0])
        .args(&cmd[1..])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Polls `f` every 20 ms until it returns `Some`, for at most `within`; panics with `what`.
pub fn wait_for<T>(within: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?}: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Two namespaces, client and server, joined by a veth pair; deleted on drop (even when the
/// test fails). Made by the same code as `synack --lab` ([`synack::lab::netns`]).
pub struct Net {
    pub client: String,
    pub server: String,
    _pair: Pair,
}

impl Net {
    pub fn new(tag: &str) -> Net {
        require_root();
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let id = format!(
            "synack-d{}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed),
            tag
        );
        let layout = Layout {
            client: format!("{id}-c"),
            server: format!("{id}-s"),
            client_if: "v0".into(),
            server_if: "v1".into(),
            client_ip: CLIENT_IP.parse().unwrap(),
            server_ip: SERVER_IP.parse().unwrap(),
            prefix: 24,
        };
        let pair = Pair::create(layout).unwrap_or_else(|e| panic!("{e}"));
        Net {
            client: pair.layout.client.clone(),
            server: pair.layout.server.clone(),
            _pair: pair,
        }
    }

    /// Runs `f` on a thread inside namespace `ns`: sockets it creates belong to that namespace
    /// for good, whichever thread uses them afterwards.
    pub fn inside<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
        netns::inside(ns, f).unwrap_or_else(|e| panic!("{e}"))
    }

    /// `ip netns exec NS CMD...`, which must succeed.
    pub fn exec(&self, ns: &str, cmd: &[&str]) -> Output {
        let mut full = vec!["ip", "netns", "exec", ns];
        full.extend_from_slice(cmd);
        sh(&full)
    }

    /// Sets a (per-namespace) sysctl, e.g. `net.ipv4.tcp_syncookies=0`.
    pub fn sysctl(&self, ns: &str, setting: &str) {
        self.exec(ns, &["sysctl", "-qw", setting]);
    }

    /// An nft table `inet synack_t` with an input chain in `ns`, and one rule in it.
    pub fn nft_input_rule(&self, ns: &str, rule: &[&str]) {
        self.exec(ns, &["nft", "add", "table", "inet", "synack_t"]);
        self.exec(
            ns,
            &[
                "nft",
                "add",
                "chain",
                "inet",
                "synack_t",
                "in",
                "{ type filter hook input priority 0; }",
            ],
        );
        let mut cmd = vec!["nft", "add", "rule", "inet", "synack_t", "in"];
        cmd.extend_from_slice(rule);
        self.exec(ns, &cmd);
    }

    pub fn listen(&self, port: u16) -> TcpListener {
        self.listen_with(port, 128, None)
    }

    /// A listener on the server's address with this accept backlog and, if given, this
    /// SO_RCVBUF (set before listen(), so accepted sockets inherit it and the window scale
    /// in the SYN+ACK matches it).
    pub fn listen_with(&self, port: u16, backlog: i32, rcvbuf: Option<i32>) -> TcpListener {
        Net::inside(&self.server, move || {
            let err = || std::io::Error::last_os_error();
            // SAFETY: plain socket calls on a descriptor we own; the pointers passed point to
            // live values of the sizes given.
            unsafe {
                let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
                assert!(fd >= 0, "socket: {}", err());
                let fd = OwnedFd::from_raw_fd(fd);
                let setopt = |opt: libc::c_int, val: libc::c_int| {
                    let rc = libc::setsockopt(
                        fd.as_raw_fd(),
                        libc::SOL_SOCKET,
                        opt,
                        &val as *const libc::c_int as *const libc::c_void,
                        std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                    );
                    assert_eq!(rc, 0, "setsockopt {opt}: {}", err());
                };
                setopt(libc::SO_REUSEADDR, 1);
                if let Some(n) = rcvbuf {
                    setopt(libc::SO_RCVBUF, n);
                }
                let ip: Ipv4Addr = SERVER_IP.parse().unwrap();
                let addr = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: port.to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from(ip).to_be(),
                    },
                    sin_zero: [0; 8],
                };
                let rc = libc::bind(
                    fd.as_raw_fd(),
                    &addr as *const libc::sockaddr_in as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                );
                assert_eq!(rc, 0, "bind {SERVER_IP}:{port}: {}", err());
                let rc = libc::listen(fd.as_raw_fd(), backlog);
                assert_eq!(rc, 0, "listen: {}", err());
                TcpListener::from(fd)
            }
        })
    }

    pub fn connect(&self, port: u16) -> std::io::Result<TcpStream> {
        let addr: SocketAddr = format!("{SERVER_IP}:{port}").parse().unwrap();
        Net::inside(&self.client, move || {
            TcpStream::connect_timeout(&addr, Duration::from_secs(3))
        })
    }

    /// `ss -Htano` in `ns`: every TCP socket, with its queues and timer.
    pub fn ss(&self, ns: &str) -> Vec<SsLine> {
        let out = self.exec(ns, &["ss", "-Htano"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(SsLine::parse)
            .collect()
    }
}

/// One line of `ss -Htano` (no state filter, so the state column is there).
#[derive(Debug, Clone)]
pub struct SsLine {
    pub state: String,
    pub recv_q: u64,
    pub send_q: u64,
    pub local: String,
    pub peer: String,
    /// The timer's name (`on`, `keepalive`, `timewait`, `persist`, ...), seconds left, and the
    /// retransmission (or probe) count.
    pub timer: Option<(String, f64, u32)>,
}

impl SsLine {
    pub fn parse(line: &str) -> Option<SsLine> {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 5 || f[1].parse::<u64>().is_err() {
            return None;
        }
        let timer = line.split("timer:(").nth(1).and_then(|t| {
            let t = t.split(')').next()?;
            let parts: Vec<&str> = t.split(',').collect();
            if parts.len() < 3 {
                return None;
            }
            Some((
                parts[0].to_string(),
                duration_secs(parts[1]),
                parts[2].parse().unwrap_or(0),
            ))
        });
        Some(SsLine {
            state: f[0].to_string(),
            recv_q: f[1].parse().ok()?,
            send_q: f[2].parse().ok()?,
            local: f[3].to_string(),
            peer: f[4].to_string(),
            timer,
        })
    }

    pub fn retrans(&self) -> u32 {
        self.timer.as_ref().map_or(0, |t| t.2)
    }
}

/// ss's timer durations: "59sec", "1min2sec", "120ms", and "3.968ms" for 3 s 968 ms (ss
/// writes whole seconds, a dot, then milliseconds with the unit "ms").
pub fn duration_secs(s: &str) -> f64 {
    let mut total = 0.0;
    let mut num = String::new();
    let mut unit = String::new();
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            if !unit.is_empty() {
                total += unit_secs(&num, &unit);
                num.clear();
                unit.clear();
            }
            num.push(ch);
        } else if ch == '.' {
            // Seconds before the dot, milliseconds after it.
            total += unit_secs(&num, "sec");
            num.clear();
        } else {
            unit.push(ch);
        }
    }
    total + unit_secs(&num, &unit)
}

fn unit_secs(num: &str, unit: &str) -> f64 {
    let n: f64 = num.parse().unwrap_or(0.0);
    match unit {
        "ms" => n / 1000.0,
        "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => n,
    }
}

/// A running `synack -i IFACE --json ...` inside a namespace.
pub struct Capture {
    child: Child,
    stdout: mpsc::Receiver<String>,
    /// Lines taken with [`Capture::next_line`] while synack ran.
    stdout_seen: Vec<String>,
    stderr: mpsc::Receiver<String>,
    pub stderr_seen: Vec<String>,
}

fn lines_of(r: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Capture {
    /// Starts `synack -i IFACE --json EXTRA...` and waits for its readiness line.
    pub fn start(ns: &str, iface: &str, extra: &[&str]) -> Capture {
        let mut args = vec!["--json"];
        args.extend_from_slice(extra);
        Capture::start_args(ns, iface, &args)
    }

    /// Starts `synack -i IFACE ARGS...` (a format of one's choosing) and waits for its
    /// readiness line.
    pub fn start_args(ns: &str, iface: &str, args: &[&str]) -> Capture {
        Capture::start_program(ns, &[bin()], iface, args)
    }

    /// [`Capture::start_args`] with `program` (a binary, or a wrapper and its arguments before
    /// the binary, e.g. `setpriv ... synack`) in place of the test binary.
    pub fn start_program(ns: &str, program: &[&str], iface: &str, args: &[&str]) -> Capture {
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns])
            .args(program)
            .args(["-i", iface])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn synack");
        let mut cap = Capture {
            stdout: lines_of(child.stdout.take().unwrap()),
            stdout_seen: Vec::new(),
            stderr: lines_of(child.stderr.take().unwrap()),
            stderr_seen: Vec::new(),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            match cap.stderr.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    let ready = line.contains("capturing on");
                    cap.stderr_seen.push(line);
                    if ready {
                        return cap;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let _ = cap.child.kill();
        let _ = cap.child.wait();
        panic!(
            "synack did not start capturing on {iface} in {ns}: {:?}",
            cap.stderr_seen
        );
    }

    /// The running synack's process id (`ip netns exec` execs it in place).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The fields of `/proc/PID/status` of the running synack, as (name, value).
    pub fn proc_status(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.to_string(), v.trim().to_string()))
            .collect()
    }

    /// Ctrl-C, as a user would.
    pub fn interrupt(&self) {
        // SAFETY: signalling our own child (`ip netns exec` execs synack in place).
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGINT);
        }
    }

    /// The next JSON line synack writes, while it runs.
    pub fn next_line(&mut self, within: Duration) -> Option<Value> {
        let line = self.stdout.recv_timeout(within).ok()?;
        self.stdout_seen.push(line.clone());
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad JSON {line:?}: {e}")))
    }

    /// Interrupts synack and waits (bounded) for it to write everything and exit.
    pub fn stop(self) -> Finished {
        self.interrupt();
        self.finish(Duration::from_secs(10))
    }

    /// Waits (bounded) for synack to exit; returns its exit code, JSON lines and stderr.
    pub fn finish(mut self, within: Duration) -> Finished {
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "synack did not stop within {within:?}; stderr: {:?}",
                    self.stderr_seen
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut out = std::mem::take(&mut self.stdout_seen);
        while let Ok(l) = self.stdout.recv_timeout(Duration::from_millis(500)) {
            out.push(l);
        }
        let mut stderr = std::mem::take(&mut self.stderr_seen);
        while let Ok(l) = self.stderr.recv_timeout(Duration::from_millis(200)) {
            stderr.push(l);
        }
        // JSON lines with --json; anything else (--text, --diagnose) is kept as text only.
        let lines: Vec<Value> = out
            .iter()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON {l:?}: {e}")))
            .collect();
        Finished {
            code: status.code(),
            lines,
            text: out.join("\n"),
            stderr: stderr.join("\n"),
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        // A test that fails half-way leaves no synack behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub struct Finished {
    pub code: Option<i32>,
    /// Standard output's JSON lines.
    pub lines: Vec<Value>,
    /// Standard output as it was written.
    pub text: String,
    pub stderr: String,
}

impl Finished {
    pub fn connections(&self) -> Vec<&Value> {
        self.lines
            .iter()
            .filter(|v| v["type"] == "connection")
            .collect()
    }

    /// Connections to `SERVER_IP:port`.
    pub fn to_port(&self, port: u16) -> Vec<&Value> {
        let server = format!("{SERVER_IP}:{port}");
        self.connections()
            .into_iter()
            .filter(|c| c["server"] == server.as_str())
            .collect()
    }

    pub fn summary(&self) -> &Value {
        let s = self.lines.last().expect("no output");
        assert_eq!(s["type"], "summary", "last line is not the summary");
        s
    }

    /// The summary's pattern groups (`summary.findings.groups`).
    pub fn groups(&self) -> Vec<&Value> {
        self.summary()["findings"]["groups"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    /// The one connection between `client` (ip:port) and the server port.
    pub fn conn(&self, client: &str, server_port: u16) -> &Value {
        let found: Vec<&Value> = self
            .to_port(server_port)
            .into_iter()
            .filter(|c| c["client"] == client)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one connection {client} -> {SERVER_IP}:{server_port}, got {} in {:#?}\nstderr: {}",
            found.len(),
            self.lines,
            self.stderr
        );
        found[0]
    }
}

/// A connection's findings.
pub fn findings(c: &Value) -> Vec<&Value> {
    c["findings"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// A connection's findings of one kind.
pub fn findings_of<'a>(c: &'a Value, kind: &str) -> Vec<&'a Value> {
    findings(c)
        .into_iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

/// The kinds of a connection's findings, in order.
pub fn kinds(c: &Value) -> Vec<String> {
    findings(c)
        .iter()
        .map(|f| f["kind"].as_str().unwrap_or("?").to_string())
        .collect()
}

pub fn events(c: &Value) -> &Vec<Value> {
    c["events"].as_array().expect("events")
}

/// The number that follows `before` in `text` (e.g. "for " in "CLOSE_WAIT for 1.6 s").
pub fn number_after(text: &str, before: &str) -> Option<f64> {
    let rest = &text[text.find(before)? + before.len()..];
    let num: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    num.parse().ok()
}

/// Lets the capture thread hand the last packets over before the test looks.
pub fn settle() {
    std::thread::sleep(Duration::from_millis(300));
}
