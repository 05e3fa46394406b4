//! Which process holds a socket: the kernel tells sock_diag a socket's inode, not its owner,
//! so the owner is found as `ss -p` finds it, by the `socket:[INODE]` links in /proc/PID/fd
//! and the name in /proc/PID/stat. Reading another user's /proc/PID/fd needs root (or
//! CAP_SYS_PTRACE): after synack drops its privileges, only its own user's processes are
//! found (see README, "Kernel view").

use std::collections::{HashMap, HashSet};
use std::fs;

use super::Owner;

/// The inode in a /proc/PID/fd link's target, `socket:[12345]`.
pub fn socket_inode(link: &str) -> Option<u32> {
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// The process name in /proc/PID/stat: between the first `(` and the last `)` (the name may
/// hold either).
pub fn stat_name(stat: &str) -> Option<&str> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    (close > open).then(|| &stat[open + 1..close])
}

/// The owners of `wanted` (inodes), by scanning every process in /proc until all are found;
/// a socket held by several processes is given to the one with the lowest pid. Processes
/// that vanish or cannot be read are skipped.
pub fn find(wanted: &HashSet<u32>) -> HashMap<u32, Owner> {
    let mut found = HashMap::new();
    if wanted.is_empty() {
        return found;
    }
    let Ok(dir) = fs::read_dir("/proc") else {
        return found;
    };
    let mut pids: Vec<u32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    for pid in pids {
        let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        let mut name: Option<String> = None;
        for fd in fds.flatten() {
            let Ok(target) = fs::read_link(fd.path()) else {
                continue;
            };
            let Some(inode) = target.to_str().and_then(socket_inode) else {
                continue;
            };
            if !wanted.contains(&inode) || found.contains_key(&inode) {
                continue;
            }
            let name = name.get_or_insert_with(|| {
                fs::read(format!("/proc/{pid}/stat"))
                    .map(|s| owner_name(&s))
                    .unwrap_or_default()
            });
            found.insert(
                inode,
                Owner {
                    pid,
                    name: name.clone(),
                },
            );
        }
        if found.len() == wanted.len() {
            break;
        }
    }
    found
}

/// The name to show of the process whose /proc/PID/stat is `stat`: any process may name
/// itself (prctl PR_SET_NAME) with control bytes or invalid UTF-8, so it is escaped here,
/// before it reaches a terminal, a `--text` line or JSON.
fn owner_name(stat: &[u8]) -> String {
    let stat = String::from_utf8_lossy(stat);
    stat_name(&stat)
        .map(|n| crate::escape::escape(n).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_named_with_control_bytes_is_escaped() {
        assert_eq!(owner_name(b"42 (nginx) S 1"), "nginx");
        assert_eq!(owner_name(b"42 (\x1b[31mred) S 1"), "\\x1b[31mred");
        assert_eq!(owner_name(b"42 (a\xffb) S 1"), "a\u{fffd}b");
        assert_eq!(owner_name(b"garbage"), "");
    }

    #[test]
    fn fd_links_and_stat_names() {
        assert_eq!(socket_inode("socket:[12345]"), Some(12345));
        assert_eq!(socket_inode("pipe:[12345]"), None);
        assert_eq!(socket_inode("/dev/null"), None);
        assert_eq!(stat_name("42 (nginx) S 1 42"), Some("nginx"));
        assert_eq!(stat_name("42 (a) b) (c) S 1"), Some("a) b) (c"));
        assert_eq!(stat_name("42 nginx"), None);
    }

    #[test]
    fn this_process_owns_the_socket_it_opened() {
        use std::os::unix::fs::MetadataExt;
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let me = std::process::id();
        let link = fs::read_link(format!("/proc/self/fd/{}", {
            use std::os::fd::AsRawFd;
            l.as_raw_fd()
        }))
        .unwrap();
        let inode = socket_inode(link.to_str().unwrap()).unwrap();
        // The same inode fstat gives.
        let meta = fs::metadata(format!("/proc/self/fd/{}", {
            use std::os::fd::AsRawFd;
            l.as_raw_fd()
        }))
        .unwrap();
        assert_eq!(u64::from(inode), meta.ino());
        let found = find(&HashSet::from([inode]));
        assert_eq!(found.get(&inode).map(|o| o.pid), Some(me));
    }
}
