//! sock_diag messages, pure: the dump request for one address family's TCP sockets, and the
//! replies (a receive buffer holds one or more netlink messages) turned into [`Sock`]s.
//! Built on the rust-netlink crates' types; one field they drop is read here from the raw
//! message (see [`TIME_WAIT_EXPIRES`]).

use std::net::IpAddr;

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP};
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_packet_sock_diag::SockDiagMessage;

use super::Sock;
use crate::decode::Endpoint;
use crate::track::State;

/// Where `idiag_expires` (ms, native order) sits in a `struct inet_diag_msg`, after the
/// netlink header: family, state, timer, retransmits (1 byte each), the 48-byte socket id.
/// The crate reads it for the other timers but not for TIME_WAIT's, whose time left is what
/// `ss -o` prints as `timer:(timewait,54sec,0)`.
pub const TIME_WAIT_EXPIRES: usize = 16 + 4 + 48;
/// `idiag_timer` for TIME_WAIT (include/uapi/linux/inet_diag.h: 3).
const TIMER_TIME_WAIT: usize = 16 + 2;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DiagError {
    #[error("a sock_diag reply could not be read: {0}")]
    Decode(String),
    #[error("sock_diag refused the request: {0}")]
    Refused(String),
}

/// A dump request for every TCP socket of `family` (IPv4 or IPv6), in every state.
pub fn request(v6: bool, seq: u32) -> Vec<u8> {
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    header.sequence_number = seq;
    let mut msg = NetlinkMessage::new(
        header,
        SockDiagMessage::InetRequest(InetRequest {
            family: if v6 { AF_INET6 } else { AF_INET },
            protocol: IPPROTO_TCP,
            extensions: ExtensionFlags::empty(),
            states: StateFlags::all(),
            socket_id: if v6 {
                SocketId::new_v6()
            } else {
                SocketId::new_v4()
            },
        })
        .into(),
    );
    msg.finalize();
    let mut buf = vec![0; msg.buffer_len()];
    msg.serialize(&mut buf);
    buf
}

/// The kernel's state number (include/net/tcp_states.h) as synack names it; NEW_SYN_RECV (a
/// request socket, 12) is SYN_RECEIVED, as `ss` shows it. None: not a TCP state.
pub fn state(n: u8) -> Option<State> {
    Some(match n {
        1 => State::Established,
        2 => State::SynSent,
        3 | 12 => State::SynReceived,
        4 => State::FinWait1,
        5 => State::FinWait2,
        6 => State::TimeWait,
        7 => State::Closed,
        8 => State::CloseWait,
        9 => State::LastAck,
        10 => State::Listen,
        11 => State::Closing,
        _ => return None,
    })
}

/// An IPv4 address a dual-stack IPv6 socket carries as `::ffff:a.b.c.d` is the IPv4 address
/// the wire shows.
fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Appends the sockets in one receive buffer to `out`; true when the dump's last message
/// (NLMSG_DONE) is among them.
pub fn parse(mut buf: &[u8], out: &mut Vec<Sock>) -> Result<bool, DiagError> {
    while buf.len() >= 16 {
        let len = u32_at(buf, 0).unwrap_or(0) as usize;
        if len < 16 || len > buf.len() {
            return Err(DiagError::Decode(format!(
                "a message of {len} bytes in {} received",
                buf.len()
            )));
        }
        let bytes = &buf[..len];
        let msg = NetlinkMessage::<SockDiagMessage>::deserialize(bytes)
            .map_err(|e| DiagError::Decode(e.to_string()))?;
        match msg.payload {
            NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(r)) => {
                let h = &r.header;
                let Some(state) = state(h.state) else {
                    buf = &buf[aligned(len).min(buf.len())..];
                    continue;
                };
                let id = &h.socket_id;
                let timer_ms = match &h.timer {
                    Some(netlink_packet_sock_diag::inet::Timer::Retransmit(d, _))
                    | Some(netlink_packet_sock_diag::inet::Timer::KeepAlive(d))
                    | Some(netlink_packet_sock_diag::inet::Timer::Probe(d)) => {
                        Some(d.as_millis() as u32)
                    }
                    Some(netlink_packet_sock_diag::inet::Timer::TimeWait) => {
                        debug_assert_eq!(bytes.get(TIMER_TIME_WAIT), Some(&3));
                        u32_at(bytes, TIME_WAIT_EXPIRES)
                    }
                    None => None,
                };
                out.push(Sock {
                    local: Endpoint {
                        ip: unmapped(id.source_address),
                        port: id.source_port,
                    },
                    remote: Endpoint {
                        ip: unmapped(id.destination_address),
                        port: id.destination_port,
                    },
                    state,
                    timer_secs: timer_ms.map(|ms| f64::from(ms) / 1000.0),
                    inode: h.inode,
                });
            }
            NetlinkPayload::Done(_) => return Ok(true),
            NetlinkPayload::Error(e) if e.code.is_some() => {
                return Err(DiagError::Refused(e.to_io().to_string()))
            }
            _ => {}
        }
        buf = &buf[aligned(len).min(buf.len())..];
    }
    Ok(false)
}

/// Netlink messages are 4-byte aligned in a buffer.
fn aligned(len: usize) -> usize {
    (len + 3) & !3
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::DoneMessage;
    use netlink_packet_sock_diag::inet::{InetResponse, InetResponseHeader, Timer};
    use std::time::Duration;

    fn reply(
        family: u8,
        state: u8,
        timer: Option<Timer>,
        src: &str,
        dst: &str,
        inode: u32,
    ) -> Vec<u8> {
        let (s, d): (std::net::SocketAddr, std::net::SocketAddr) =
            (src.parse().unwrap(), dst.parse().unwrap());
        let mut id = if family == AF_INET6 {
            SocketId::new_v6()
        } else {
            SocketId::new_v4()
        };
        id.source_address = s.ip();
        id.source_port = s.port();
        id.destination_address = d.ip();
        id.destination_port = d.port();
        let mut msg = NetlinkMessage::new(
            NetlinkHeader::default(),
            SockDiagMessage::InetResponse(Box::new(InetResponse {
                header: InetResponseHeader {
                    family,
                    state,
                    timer,
                    socket_id: id,
                    recv_queue: 0,
                    send_queue: 0,
                    uid: 0,
                    inode,
                },
                nlas: Default::default(),
            }))
            .into(),
        );
        msg.finalize();
        let mut buf = vec![0; msg.buffer_len()];
        msg.serialize(&mut buf);
        buf
    }

    fn done() -> Vec<u8> {
        let mut msg = NetlinkMessage::<SockDiagMessage>::new(
            NetlinkHeader::default(),
            NetlinkPayload::Done(DoneMessage::default()),
        );
        msg.finalize();
        let mut buf = vec![0; msg.buffer_len()];
        msg.serialize(&mut buf);
        buf
    }

    fn ep(s: &str) -> Endpoint {
        let a: std::net::SocketAddr = s.parse().unwrap();
        Endpoint {
            ip: a.ip(),
            port: a.port(),
        }
    }

    #[test]
    fn replies_in_one_buffer_are_sockets_until_done() {
        let mut buf = reply(
            AF_INET,
            1,
            Some(Timer::KeepAlive(Duration::from_millis(7_200_000))),
            "10.0.0.1:5000",
            "10.0.0.2:80",
            99,
        );
        buf.extend(reply(AF_INET, 10, None, "0.0.0.0:80", "0.0.0.0:0", 98));
        let mut out = Vec::new();
        assert_eq!(parse(&buf, &mut out), Ok(false));
        assert_eq!(
            out,
            [
                Sock {
                    local: ep("10.0.0.1:5000"),
                    remote: ep("10.0.0.2:80"),
                    state: State::Established,
                    timer_secs: Some(7200.0),
                    inode: 99,
                },
                Sock {
                    local: ep("0.0.0.0:80"),
                    remote: ep("0.0.0.0:0"),
                    state: State::Listen,
                    timer_secs: None,
                    inode: 98,
                }
            ]
        );
        out.clear();
        assert_eq!(parse(&done(), &mut out), Ok(true));
        assert!(out.is_empty());
    }

    #[test]
    fn time_wait_s_time_left_is_read_from_the_raw_message() {
        let mut buf = reply(
            AF_INET,
            6,
            Some(Timer::TimeWait),
            "10.0.0.1:5000",
            "10.0.0.2:80",
            0,
        );
        // What the kernel puts there (the crate writes 0 for TIME_WAIT): 54.3 s.
        buf[TIME_WAIT_EXPIRES..TIME_WAIT_EXPIRES + 4].copy_from_slice(&54_300u32.to_ne_bytes());
        let mut out = Vec::new();
        parse(&buf, &mut out).unwrap();
        assert_eq!(
            (out[0].state, out[0].timer_secs, out[0].inode),
            (State::TimeWait, Some(54.3), 0)
        );
    }

    #[test]
    fn request_sockets_and_mapped_addresses_read_as_the_wire_shows_them() {
        let buf = reply(
            AF_INET6,
            12,
            Some(Timer::Retransmit(Duration::from_millis(800), 1)),
            "[::ffff:10.0.0.2]:80",
            "[::ffff:10.0.0.1]:5000",
            0,
        );
        let mut out = Vec::new();
        parse(&buf, &mut out).unwrap();
        assert_eq!(out[0].state, State::SynReceived);
        assert_eq!(out[0].local, ep("10.0.0.2:80"));
        assert_eq!(out[0].remote, ep("10.0.0.1:5000"));
        assert_eq!(out[0].timer_secs, Some(0.8));
        // A real IPv6 address stays one.
        let buf = reply(
            AF_INET6,
            2,
            None,
            "[2001:db8::1]:5000",
            "[2001:db8::2]:80",
            5,
        );
        out.clear();
        parse(&buf, &mut out).unwrap();
        assert_eq!(out[0].local, ep("[2001:db8::1]:5000"));
        assert_eq!(out[0].state, State::SynSent);
    }

    #[test]
    fn a_short_or_lying_buffer_is_an_error_not_a_panic() {
        let buf = reply(AF_INET, 1, None, "10.0.0.1:1", "10.0.0.2:2", 1);
        let mut out = Vec::new();
        assert!(parse(&buf[..buf.len() - 10], &mut out).is_err());
        let mut lying = buf.clone();
        lying[0..4].copy_from_slice(&8u32.to_ne_bytes());
        assert!(parse(&lying, &mut out).is_err());
        assert!(parse(&[], &mut out) == Ok(false));
    }

    #[test]
    fn every_kernel_tcp_state_has_a_name() {
        let names: Vec<&str> = (1..=12).filter_map(state).map(State::name).collect();
        assert_eq!(names.len(), 12);
        assert_eq!(state(0), None);
        assert_eq!(state(13), None);
    }

    #[test]
    fn a_request_is_one_well_formed_message() {
        // struct nlmsghdr, then struct inet_diag_req_v2: family, protocol, ext, pad, states.
        let r = request(true, 7);
        assert_eq!(u32_at(&r, 0), Some(r.len() as u32));
        assert_eq!(u16::from_ne_bytes([r[4], r[5]]), 20, "SOCK_DIAG_BY_FAMILY");
        assert_eq!(u16::from_ne_bytes([r[6], r[7]]), NLM_F_REQUEST | NLM_F_DUMP);
        assert_eq!(u32_at(&r, 8), Some(7));
        assert_eq!((r[16], r[17]), (AF_INET6, IPPROTO_TCP));
        assert_eq!(u32_at(&r, 20), Some(StateFlags::all().bits()));
        assert_eq!(request(false, 1)[16], AF_INET);
    }
}
