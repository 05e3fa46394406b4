//! The kernel view on a live capture of the host's loopback (`synack -i lo --json`): the
//! connection's ends are sockets of this test process and of a shell it starts as `nobody`;
//! synack's `client_kernel` / `server_kernel` (state, pid, process) are compared with what
//! `ss -tanp` says of them, with synack keeping root (`-Z root`) and after its default drop
//! to `nobody`, where only `nobody`'s own processes can be named (README, "Kernel view").
//!
//! These tests need root (capture, and a process started as another user). They never skip:
//! without it they fail, saying so.

mod live_common;

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use live_common::{bin, require_root};
use serde_json::Value;

/// One ss -Htanp line: (state, local, peer, pid, process).
type Line = (String, String, String, Option<u32>, Option<String>);

fn ss_host() -> Vec<Line> {
    let out = Command::new("ss").args(["-Htanp"]).output().expect("ss");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 5).then(|| {
                let users = f.get(5).and_then(|u| u.strip_prefix("users:((\""));
                let process = users.and_then(|u| u.split('"').next()).map(str::to_string);
                let pid = users
                    .and_then(|u| u.split("pid=").nth(1))
                    .and_then(|p| p.split(',').next())
                    .and_then(|p| p.parse().ok());
                (
                    f[0].to_string(),
                    f[3].to_string(),
                    f[4].to_string(),
                    pid,
                    process,
                )
            })
        })
        .collect()
}

/// Starts `synack -i lo --json --duration 3` on `port` (extra arguments after), returns it
/// once it captures.
fn synack_on_lo(port: u16, extra: &[&str]) -> Child {
    let mut child = Command::new(bin())
        .args(["-i", "lo", "--json", "--no-events", "--duration", "3"])
        .args(["-f", &format!("tcp port {port}")])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("synack");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 && !line.contains("capturing on") {
        line.clear();
    }
    assert!(line.contains("capturing on"), "{line}");
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    child
}

fn lines_of(child: Child) -> Vec<Value> {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The kernel view's (pid, process) of the connection whose client is `client` and ss's of the
/// same end, as (client synack, client ss, server synack, server ss).
fn owners(lines: &[Value], client: &str, server: &str) -> [(Value, Value); 2] {
    let c = lines
        .iter()
        .find(|l| l["type"] == "connection" && l["client"] == client)
        .unwrap_or_else(|| panic!("no connection from {client}: {lines:?}"));
    assert_eq!(c["client_kernel"]["state"], "ESTABLISHED", "{c}");
    assert_eq!(c["server_kernel"]["state"], "ESTABLISHED", "{c}");
    let ss = ss_host();
    let find = |local: &str, peer: &str| {
        let l = ss
            .iter()
            .find(|l| l.1 == local && l.2 == peer)
            .unwrap_or_else(|| panic!("ss has no {local} -> {peer}: {ss:?}"));
        assert_eq!(l.0, "ESTAB");
        (serde_json::json!(l.3), serde_json::json!(l.4))
    };
    let mine = |k: &Value| (k["pid"].clone(), k["process"].clone());
    [
        (mine(&c["client_kernel"]), find(client, server)),
        (mine(&c["server_kernel"]), find(server, client)),
    ]
    .map(|((a, b), (x, y))| (serde_json::json!([a, b]), serde_json::json!([x, y])))
}

/// A connection to `port` opened by a shell running as `nobody` (bash's /dev/tcp) that then
/// becomes `sleep` (one process holds it), and its local address.
fn nobody_connects(port: u16, l: &TcpListener) -> (Child, TcpStream, String) {
    let child = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .args([
            "bash",
            "-c",
            &format!("exec 3<>/dev/tcp/127.0.0.1/{port}; exec sleep 10"),
        ])
        .spawn()
        .expect("setpriv bash");
    let (s, from) = l.accept().unwrap();
    (child, s, from.to_string())
}

#[test]
fn live_kernel_view_names_the_owners_ss_names() {
    require_root();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let server = format!("127.0.0.1:{port}");
    for keep_root in [true, false] {
        let synack = synack_on_lo(port, if keep_root { &["-Z", "root"] } else { &[] });
        let mine = TcpStream::connect(&server).unwrap();
        let (_accepted, _) = l.accept().unwrap();
        let client = mine.local_addr().unwrap().to_string();
        let (mut bash, _bash_peer, bash_client) = nobody_connects(port, &l);
        let lines = lines_of(synack);
        let summary = lines.last().unwrap();
        assert_eq!(summary["kernel"]["error"], Value::Null, "{summary}");

        // This test's own connection: both ends are root's.
        let [(c, c_ss), (s, s_ss)] = owners(&lines, &client, &server);
        assert_eq!(c_ss[0], std::process::id(), "ss names this process");
        if keep_root {
            assert_eq!((&c, &s), (&c_ss, &s_ss), "with -Z root, as ss -p");
        } else {
            // As nobody, root's /proc/PID/fd cannot be read: no owner.
            assert_eq!(
                (&c, &s),
                (
                    &serde_json::json!([null, null]),
                    &serde_json::json!([null, null])
                )
            );
        }
        // The shell's: its end is nobody's, named either way; the accepting end is root's.
        let [(c, c_ss), (s, s_ss)] = owners(&lines, &bash_client, &server);
        assert_eq!(c_ss[0], bash.id(), "ss names the shell");
        assert_eq!(c_ss[1], "sleep");
        assert_eq!(c, c_ss, "nobody's socket is named (keep_root: {keep_root})");
        if keep_root {
            assert_eq!(s, s_ss);
        } else {
            assert_eq!(s, serde_json::json!([null, null]));
        }
        let _ = bash.kill();
        let _ = bash.wait();
        std::thread::sleep(Duration::from_millis(100));
    }
}
