//! Real sockets for the lab's scenarios, each created on a thread inside the client's or the
//! server's namespace (see [`super::netns::inside`]) and then used from any thread.

use std::io;
use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use super::netns;

fn in_ns<T: Send + 'static>(
    ns: &str,
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, String> {
    netns::inside(ns, f)?.map_err(|e| e.to_string())
}

fn sockaddr(a: SocketAddrV4) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: a.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(*a.ip()).to_be(),
        },
        sin_zero: [0; 8],
    }
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn set_int(fd: &OwnedFd, level: libc::c_int, opt: libc::c_int, val: libc::c_int) -> io::Result<()> {
    // SAFETY: a descriptor we own; the pointer is to a live c_int of the size given.
    check(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            &val as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
}

fn tcp_socket(nonblocking: bool) -> io::Result<OwnedFd> {
    let flags =
        libc::SOCK_STREAM | libc::SOCK_CLOEXEC | if nonblocking { libc::SOCK_NONBLOCK } else { 0 };
    // SAFETY: plain socket(2); the descriptor is owned at once.
    let fd = unsafe { libc::socket(libc::AF_INET, flags, 0) };
    check(fd)?;
    // SAFETY: a fresh descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn bind(fd: &OwnedFd, a: SocketAddrV4) -> io::Result<()> {
    let sa = sockaddr(a);
    // SAFETY: a live sockaddr_in of the length given.
    check(unsafe {
        libc::bind(
            fd.as_raw_fd(),
            &sa as *const libc::sockaddr_in as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    })
}

fn connect_fd(fd: &OwnedFd, a: SocketAddrV4) -> io::Result<()> {
    let sa = sockaddr(a);
    // SAFETY: a live sockaddr_in of the length given.
    check(unsafe {
        libc::connect(
            fd.as_raw_fd(),
            &sa as *const libc::sockaddr_in as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    })
}

/// A listener on `at` in `ns` (SO_REUSEADDR, as std sets it), with this accept backlog.
pub fn listen(ns: &str, at: SocketAddrV4, backlog: i32) -> Result<TcpListener, String> {
    in_ns(ns, move || {
        let fd = tcp_socket(false)?;
        set_int(&fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
        bind(&fd, at)?;
        // SAFETY: a bound descriptor we own.
        check(unsafe { libc::listen(fd.as_raw_fd(), backlog) })?;
        Ok(TcpListener::from(fd))
    })
    .map_err(|e| format!("cannot listen on {at}: {e}"))
}

/// A connection from `ns` to `to` (from `from` when given, with SO_REUSEADDR, so a port in
/// TIME_WAIT here can be bound again). Blocks until it is established or refused.
pub fn connect(ns: &str, from: Option<SocketAddrV4>, to: SocketAddrV4) -> io::Result<TcpStream> {
    netns::inside(ns, move || {
        let fd = tcp_socket(false)?;
        if let Some(from) = from {
            set_int(&fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
            bind(&fd, from)?;
        }
        connect_fd(&fd, to)?;
        let s = TcpStream::from(fd);
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(s)
    })
    .map_err(io::Error::other)?
}

/// A connection from `ns` to `to` started and left to the kernel (non-blocking): it stays in
/// SYN_SENT, retransmitting its SYN, while the socket is held.
pub fn connect_pending(ns: &str, to: SocketAddrV4) -> io::Result<OwnedFd> {
    netns::inside(ns, move || {
        let fd = tcp_socket(true)?;
        match connect_fd(&fd, to) {
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(fd),
            Err(e) => Err(e),
            Ok(()) => Ok(fd),
        }
    })
    .map_err(io::Error::other)?
}

/// SO_LINGER on with a zero timeout: closing `s` then sends a reset instead of a FIN.
pub fn linger_zero(s: &TcpStream) -> io::Result<()> {
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a live linger struct of the size given, on a descriptor `s` owns.
    check(unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &l as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    })
}

/// A raw IPv4 TCP socket in `ns` (CAP_NET_RAW): what is sent on it is a TCP header of the
/// caller's making, the kernel adds the IP header. No socket of the kernel's stands behind
/// those segments, so it sends SYNs that nothing on the client's side follows up.
pub fn raw_tcp(ns: &str) -> Result<OwnedFd, String> {
    in_ns(ns, || {
        // SAFETY: plain socket(2); the descriptor is owned at once.
        let fd = unsafe {
            libc::socket(
                libc::AF_INET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::IPPROTO_TCP,
            )
        };
        check(fd)?;
        // SAFETY: a fresh descriptor nobody else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    })
    .map_err(|e| format!("cannot open a raw socket: {e}"))
}

/// Sends `segment` (a TCP header and payload) on raw socket `fd` to `to`'s address.
pub fn send_raw(fd: &OwnedFd, segment: &[u8], to: std::net::Ipv4Addr) -> io::Result<()> {
    // A raw socket takes no port: it is in the segment.
    let sa = sockaddr(SocketAddrV4::new(to, 0));
    // SAFETY: a live buffer and sockaddr_in of the lengths given.
    let n = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            segment.as_ptr() as *const libc::c_void,
            segment.len(),
            0,
            &sa as *const libc::sockaddr_in as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
