//! The lab's scenarios: what the client and the server do, through the kernel, on real
//! sockets. Each one plays its exchange, then returns what it holds (sockets kept open so that
//! the states it shows stay in the kernel while the lab runs: a CLOSE_WAIT, a SYN_SENT).

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddrV4, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::netns::{self, Layout};
use super::sockets::{connect, connect_pending, linger_zero, listen, raw_tcp, send_raw};

/// The port the scenarios' servers listen on.
pub const PORT: u16 = 8080;
/// A port nothing listens on (`refused`).
pub const CLOSED_PORT: u16 = 8081;
/// The client's fixed port in `time-wait-reuse`.
pub const REUSED_PORT: u16 = 40000;

/// Where a scenario's outcome goes: `Ok(line)` once it holds, `Err(why)` when it fails, then
/// later errors of the scenarios that go on (`many`). The TUI turns them into its status
/// line (stderr would garble the screen); batch modes print them on stderr.
/// What a scenario run reports: `Ok(name)` once it holds, `Err(line)` when it fails.
pub type Report = Arc<dyn Fn(Result<String, String>) + Send + Sync>;

/// What a scenario needs: where the ends are, a flag that says the lab is stopping (for
/// the scenarios that go on until then), and where errors after it holds go.
pub struct Ctx {
    pub layout: Layout,
    pub stop: Arc<AtomicBool>,
    pub report: Report,
}

impl Ctx {
    fn server(&self, port: u16) -> SocketAddrV4 {
        SocketAddrV4::new(self.layout.server_ip, port)
    }

    fn listen(&self) -> Result<TcpListener, String> {
        listen(&self.layout.server, self.server(PORT), 128)
    }

    fn connect(&self) -> Result<TcpStream, String> {
        connect(&self.layout.client, None, self.server(PORT)).map_err(|e| e.to_string())
    }

    /// An nft rule in the server's namespace's input chain.
    fn server_input_rule(&self, rule: &[&str]) -> Result<(), String> {
        nft_rule(&self.layout.server, "input", rule)
    }
}

/// An nft rule in namespace `ns`'s chain `hook` (`input` or `output`, a filter chain of that
/// hook, made on first use in table `inet synack_lab`; it goes with the namespace).
fn nft_rule(ns: &str, hook: &str, rule: &[&str]) -> Result<(), String> {
    if netns::exec(ns, &["nft", "list", "table", "inet", "synack_lab"]).is_err() {
        netns::exec(ns, &["nft", "add", "table", "inet", "synack_lab"])?;
    }
    if netns::exec(ns, &["nft", "list", "chain", "inet", "synack_lab", hook]).is_err() {
        let spec = format!("{{ type filter hook {hook} priority 0; }}");
        netns::exec(
            ns,
            &["nft", "add", "chain", "inet", "synack_lab", hook, &spec],
        )?;
    }
    let mut cmd = vec!["nft", "add", "rule", "inet", "synack_lab", hook];
    cmd.extend_from_slice(rule);
    netns::exec(ns, &cmd).map(drop)
}

/// Sockets (and anything else) kept until the lab stops or the scenario runs again.
#[derive(Default)]
pub struct Held(pub Vec<Box<dyn Send>>);

impl Held {
    fn keep<T: Send + 'static>(&mut self, t: T) {
        self.0.push(Box::new(t));
    }
}

#[derive(Debug)]
pub struct Scenario {
    pub name: &'static str,
    /// One line for `--lab list`.
    pub about: &'static str,
    pub run: fn(&Ctx) -> Result<Held, String>,
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "normal",
        about: "a request and a reply; the client closes first and waits in TIME_WAIT",
        run: normal,
    },
    Scenario {
        name: "server-closes-first",
        about: "the server closes first: TIME_WAIT is on the server's side",
        run: server_closes_first,
    },
    Scenario {
        name: "close-wait",
        about: "the client closes, the server never does: CLOSE_WAIT and FIN_WAIT_2 stay",
        run: close_wait,
    },
    Scenario {
        name: "refused",
        about: "a SYN to a port nothing listens on, answered by a reset",
        run: refused,
    },
    Scenario {
        name: "syn-dropped",
        about: "an nft rule drops the server's incoming SYNs: the client's backoff (1 s, 2 s, 4 s, ...)",
        run: syn_dropped,
    },
    Scenario {
        name: "reset",
        about: "the server aborts (SO_LINGER 0): a reset instead of a FIN",
        run: reset,
    },
    Scenario {
        name: "lost-final-ack",
        about: "nft drops the last ACK once: the server's FIN comes again, answered from TIME_WAIT",
        run: lost_final_ack,
    },
    Scenario {
        name: "half-close",
        about: "the client shuts down its sending side; the server still sends, then closes",
        run: half_close,
    },
    Scenario {
        name: "time-wait-reuse",
        about: "a new SYN on a 4-tuple the server holds in TIME_WAIT, accepted",
        run: time_wait_reuse,
    },
    Scenario {
        name: "syn-flood",
        about: "300 SYNs from a raw socket, never answered: a full SYN queue (backlog 8) in SYN_RECV, the rest SYN cookies",
        run: syn_flood,
    },
    Scenario {
        name: "many",
        about: "a steady stream of short connections (two a second) until stopped",
        run: many,
    },
];

pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

/// `--lab list`: one scenario a line.
pub fn list() -> String {
    let w = SCENARIOS.iter().map(|s| s.name.len()).max().unwrap_or(0);
    SCENARIOS
        .iter()
        .map(|s| format!("{:w$}  {}\n", s.name, s.about))
        .collect()
}

const REQUEST: &[u8] = b"GET / HTTP/1.0\r\n\r\n";
const REPLY: &[u8] = b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";

fn io<T>(what: &str, r: std::io::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

/// A connection accepted by `l` from a new client, with the request read and the reply sent
/// and read: (client's end, server's end).
fn exchange(ctx: &Ctx, l: &TcpListener) -> Result<(TcpStream, TcpStream), String> {
    let mut c = ctx.connect()?;
    let (mut s, _) = io("accept", l.accept())?;
    io("timeout", s.set_read_timeout(Some(Duration::from_secs(5))))?;
    io("send the request", c.write_all(REQUEST))?;
    let mut req = vec![0; REQUEST.len()];
    io("read the request", s.read_exact(&mut req))?;
    io("send the reply", s.write_all(REPLY))?;
    let mut rep = vec![0; REPLY.len()];
    io("read the reply", c.read_exact(&mut rep))?;
    Ok((c, s))
}

/// Reads until the peer's FIN (or an error).
fn read_to_eof(s: &mut TcpStream) {
    let mut buf = [0; 4096];
    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
}

/// Lets the last segments of an exchange cross before the scenario says it holds.
fn settle() {
    std::thread::sleep(Duration::from_millis(300));
}

fn normal(ctx: &Ctx) -> Result<Held, String> {
    let l = ctx.listen()?;
    let (c, mut s) = exchange(ctx, &l)?;
    drop(c);
    read_to_eof(&mut s);
    drop(s);
    settle();
    let mut held = Held::default();
    held.keep(l);
    Ok(held)
}

fn server_closes_first(ctx: &Ctx) -> Result<Held, String> {
    let l = ctx.listen()?;
    let (mut c, s) = exchange(ctx, &l)?;
    drop(s);
    read_to_eof(&mut c);
    drop(c);
    settle();
    let mut held = Held::default();
    held.keep(l);
    Ok(held)
}

fn close_wait(ctx: &Ctx) -> Result<Held, String> {
    let l = ctx.listen()?;
    let (c, mut s) = exchange(ctx, &l)?;
    // The client is done sending; the server reads the FIN and never closes. The client's
    // socket is kept too, so FIN_WAIT_2 has no orphan timer.
    io("shutdown", c.shutdown(Shutdown::Write))?;
    read_to_eof(&mut s);
    settle();
    let mut held = Held::default();
    held.keep(l);
    held.keep(s);
    held.keep(c);
    Ok(held)
}

fn refused(ctx: &Ctx) -> Result<Held, String> {
    match connect(&ctx.layout.client, None, ctx.server(CLOSED_PORT)) {
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
        Err(e) => return Err(format!("expected a refusal, got: {e}")),
        Ok(_) => return Err(format!("port {CLOSED_PORT} accepted a connection")),
    }
    settle();
    Ok(Held::default())
}

fn syn_dropped(ctx: &Ctx) -> Result<Held, String> {
    let port = PORT.to_string();
    ctx.server_input_rule(&[
        "tcp",
        "dport",
        &port,
        "tcp",
        "flags",
        "&",
        "(syn|ack)",
        "==",
        "syn",
        "drop",
    ])?;
    // Linux 6.5 and later retry a SYN at fixed 1 s intervals first (tcp_syn_linear_timeouts,
    // 4 by default); the lab shows RFC 6298's doubling, so it turns that off in its client's
    // namespace. An older kernel has no such setting and doubles anyway.
    let _ = netns::exec(
        &ctx.layout.client,
        &["sysctl", "-qw", "net.ipv4.tcp_syn_linear_timeouts=0"],
    );
    let l = ctx.listen()?;
    let pending = io(
        "connect",
        connect_pending(&ctx.layout.client, ctx.server(PORT)),
    )?;
    // The first retransmission (after 1 s) is on the wire when it holds.
    std::thread::sleep(Duration::from_millis(1300));
    let mut held = Held::default();
    held.keep(l);
    held.keep(pending);
    Ok(held)
}

fn reset(ctx: &Ctx) -> Result<Held, String> {
    let l = ctx.listen()?;
    let (mut c, s) = exchange(ctx, &l)?;
    io("SO_LINGER", linger_zero(&s))?;
    drop(s);
    read_to_eof(&mut c);
    drop(c);
    settle();
    let mut held = Held::default();
    held.keep(l);
    Ok(held)
}

fn lost_final_ack(ctx: &Ctx) -> Result<Held, String> {
    let l = ctx.listen()?;
    let (c, mut s) = exchange(ctx, &l)?;
    io("shutdown", c.shutdown(Shutdown::Write))?;
    read_to_eof(&mut s);
    // Every ACK so far (delayed ones too) has crossed: the next bare ACK from the client is
    // the one for the server's FIN. The rule drops one packet (52 bytes: a bare ACK with
    // timestamps) and lets the rest through.
    settle();
    let port = PORT.to_string();
    ctx.server_input_rule(&[
        "tcp", "dport", &port, "tcp", "flags", "==", "ack", "quota", "until", "60", "bytes", "drop",
    ])?;
    drop(s);
    // The server's FIN is retransmitted after its RTO (at least 200 ms).
    std::thread::sleep(Duration::from_millis(1200));
    drop(c);
    let mut held = Held::default();
    held.keep(l);
    Ok(held)
}

fn half_close(ctx: &Ctx) -> Result<Held, String> {
    let l = ctx.listen()?;
    let mut c = ctx.connect()?;
    let (mut s, _) = io("accept", l.accept())?;
    io("timeout", s.set_read_timeout(Some(Duration::from_secs(5))))?;
    io("send the request", c.write_all(REQUEST))?;
    io("shutdown", c.shutdown(Shutdown::Write))?;
    read_to_eof(&mut s);
    // Data after the client's FIN: the server's side is still open.
    for part in REPLY.chunks(REPLY.len() / 3 + 1) {
        io("send", s.write_all(part))?;
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(s);
    read_to_eof(&mut c);
    drop(c);
    settle();
    let mut held = Held::default();
    held.keep(l);
    Ok(held)
}

fn time_wait_reuse(ctx: &Ctx) -> Result<Held, String> {
    let l = ctx.listen()?;
    let from = SocketAddrV4::new(ctx.layout.client_ip, REUSED_PORT);
    let open = || connect(&ctx.layout.client, Some(from), ctx.server(PORT));
    let mut c = io("connect", open())?;
    let (s, _) = io("accept", l.accept())?;
    // The server closes first: the 4-tuple is in TIME_WAIT on its side.
    drop(s);
    read_to_eof(&mut c);
    drop(c);
    settle();
    // Same 4-tuple again: the server's TIME_WAIT accepts the new SYN (its sequence number and
    // timestamp are newer, RFC 6191).
    let c2 = io("connect again", open())?;
    let (s2, _) = io("accept", l.accept())?;
    settle();
    let mut held = Held::default();
    held.keep(l);
    held.keep(c2);
    held.keep(s2);
    Ok(held)
}

/// `syn-flood`: how many SYNs, the listener's backlog, and the first source port.
pub const FLOOD_SYNS: u16 = 300;
pub const FLOOD_BACKLOG: i32 = 8;
pub const FLOOD_FIRST_PORT: u16 = 20000;

/// A SYN from `from` to `to` with sequence number `isn` and an MSS option, checksummed.
fn syn_segment(from: SocketAddrV4, to: SocketAddrV4, isn: u32) -> Vec<u8> {
    let mut h = etherparse::TcpHeader::new(from.port(), to.port(), isn, 64240);
    h.syn = true;
    // Fits: one option of four bytes.
    let _ = h.set_options(&[etherparse::TcpOptionElement::MaximumSegmentSize(1460)]);
    h.checksum = h
        .calc_checksum_ipv4_raw(from.ip().octets(), to.ip().octets(), &[])
        .unwrap_or(0);
    h.to_bytes().to_vec()
}

fn syn_flood(ctx: &Ctx) -> Result<Held, String> {
    let (c, s) = (&ctx.layout.client, &ctx.layout.server);
    // SYN cookies when the listener's SYN queue is full (the kernel's default, said here so a
    // host that changed it does not change the lab's namespace).
    netns::exec(s, &["sysctl", "-qw", "net.ipv4.tcp_syncookies=1"])?;
    // The client's kernel has no socket for these SYNs and would answer every SYN-ACK with a
    // reset, ending the server's half-open connections at once; a flood's spoofed sources
    // answer nothing. Dropped on output, so the capture does not see them either.
    let port = PORT.to_string();
    nft_rule(
        c,
        "output",
        &[
            "tcp", "dport", &port, "tcp", "flags", "&", "rst", "==", "rst", "drop",
        ],
    )?;
    let l = listen(s, ctx.server(PORT), FLOOD_BACKLOG)?;
    let raw = raw_tcp(c)?;
    let to = ctx.server(PORT);
    for i in 0..FLOOD_SYNS {
        let from = SocketAddrV4::new(ctx.layout.client_ip, FLOOD_FIRST_PORT + i);
        // Any sequence numbers do; these differ from one SYN to the next.
        let isn = 0x1000_0000u32.wrapping_add(u32::from(i).wrapping_mul(0x0101_0101));
        io(
            "send a SYN",
            send_raw(&raw, &syn_segment(from, to, isn), *to.ip()),
        )?;
    }
    drop(raw);
    settle();
    let mut held = Held::default();
    held.keep(l);
    Ok(held)
}

/// How often `many` opens a connection.
const MANY_EVERY: Duration = Duration::from_millis(500);

/// One short connection for `many`: a request, a reply, the client closes first.
fn short_one(ctx: &Ctx, l: &TcpListener) -> Result<(), String> {
    let (c, mut s) = exchange(ctx, l)?;
    drop(c);
    read_to_eof(&mut s);
    Ok(())
}

fn many(ctx: &Ctx) -> Result<Held, String> {
    let l = ctx.listen()?;
    short_one(ctx, &l)?;
    // The rest on a thread of their own, until the lab stops (or runs the scenario again).
    let mine = Arc::new(AtomicBool::new(false));
    let (stop, lab_stop) = (Arc::clone(&mine), Arc::clone(&ctx.stop));
    let ctx2 = Ctx {
        layout: ctx.layout.clone(),
        stop: Arc::clone(&ctx.stop),
        report: Arc::clone(&ctx.report),
    };
    let thread = std::thread::Builder::new()
        .name("lab many".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) && !lab_stop.load(Ordering::Relaxed) {
                std::thread::sleep(MANY_EVERY);
                if let Err(e) = short_one(&ctx2, &l) {
                    (ctx2.report)(Err(format!("lab: many failed: {e}")));
                    return;
                }
            }
        })
        .map_err(|e| e.to_string())?;
    let mut held = Held::default();
    held.keep(StopOnDrop(mine, Some(thread)));
    Ok(held)
}

/// Stops and joins a scenario's thread when dropped.
struct StopOnDrop(Arc<AtomicBool>, Option<std::thread::JoinHandle<()>>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
        if let Some(t) = self.1.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_scenario_once_a_line() {
        let l = list();
        assert_eq!(l.lines().count(), SCENARIOS.len());
        for s in SCENARIOS {
            assert!(l.lines().any(|line| line.starts_with(s.name)), "{l}");
            assert_eq!(find(s.name).map(|f| f.name), Some(s.name));
        }
        assert!(find("nope").is_none());
    }
}
