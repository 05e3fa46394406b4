//! Fixtures below TCP: connections carried in tunnels, and segments cut into IP fragments.

use std::net::IpAddr;

use super::{Fixture, Output, T0};
use crate::gen::conv::{ep, Conv, GenPacket};
use crate::gen::encap::{self, Wrap};
use crate::gen::frame::{ip_packet, Link};
use crate::gen::write::Frame;
use crate::time::Timestamp;

/// A short exchange: handshake, `up` bytes from the client, `down` from the server, the
/// client closes.
fn exchange(c: &mut Conv, up: usize, down: usize) -> &mut Conv {
    c.syn(0.0)
        .syn_ack(0.001)
        .ack_c(0.001)
        .data_c(0.001, up)
        .data_s(0.001, down)
        .ack_c(0.001)
        .fin_c(0.001)
        .ack_s(0.001)
        .fin_s(0.001)
        .ack_c(0.001)
}

fn ethernet_frame(ts: Timestamp, ip: &[u8]) -> Frame {
    let data = encap::ethernet(ip);
    Frame {
        ts,
        orig_len: data.len() as u32,
        data,
    }
}

/// Tunnel endpoints of the outer packets, by the outer IP version.
fn outer(v6: bool) -> (IpAddr, IpAddr) {
    if v6 {
        (
            "2001:db8:ffff::1".parse().unwrap(),
            "2001:db8:ffff::2".parse().unwrap(),
        )
    } else {
        ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap())
    }
}

/// One inner connection (client port `40000 + n`), IPv6 inside when `inner_v6`, with `up`
/// and `down` bytes of data.
fn inner_conv(n: u16, inner_v6: bool, t0: f64, (up, down): (usize, usize)) -> Conv {
    let (c, s) = if inner_v6 {
        ("2001:db8::1", "2001:db8::2")
    } else {
        ("10.0.0.1", "10.0.0.2")
    };
    let mut conv = Conv::new(ep(c, 40000 + n), ep(s, 80), 1000 * u32::from(n), 7000, t0);
    exchange(&mut conv, up, down);
    conv
}

/// Every packet of `conv`, carried through `layers` (outermost first), as Ethernet frames.
fn tunneled(conv: &Conv, layers: &[(Wrap, bool)]) -> Vec<Frame> {
    conv.packets
        .iter()
        .map(|p| {
            let reply = p.src == conv.server;
            let mut ip = ip_packet(p, false);
            for (i, (how, outer_v6)) in layers.iter().enumerate().rev() {
                let (a, b) = outer(*outer_v6);
                // Outer addresses differ per level so that nesting is visible.
                let bump = |x: IpAddr| -> IpAddr {
                    match x {
                        IpAddr::V4(v) => {
                            let mut o = v.octets();
                            o[3] += 10 * i as u8;
                            IpAddr::from(o)
                        }
                        IpAddr::V6(v) => {
                            let mut o = v.octets();
                            o[15] += 10 * i as u8;
                            IpAddr::from(o)
                        }
                    }
                };
                let (src, dst) = if reply {
                    (bump(b), bump(a))
                } else {
                    (bump(a), bump(b))
                };
                ip = encap::wrap(&ip, *how, src, dst, 50000 + i as u16, reply);
            }
            ethernet_frame(p.ts, &ip)
        })
        .collect()
}

/// The tunnels fixture: one connection through each kind, IPv4 and IPv6 inside, and the
/// cases around them.
fn tunnel_frames() -> Vec<Frame> {
    let v4 = false;
    let cases: Vec<(bool, Vec<(Wrap, bool)>)> = vec![
        (false, vec![(Wrap::Ip, v4)]),
        (true, vec![(Wrap::Ip, v4)]),
        (false, vec![(Wrap::Ip, true)]),
        (false, vec![(Wrap::Gre { key: 7 }, v4)]),
        (true, vec![(Wrap::Gre { key: 8 }, v4)]),
        (false, vec![(Wrap::GreEthernet, v4)]),
        (false, vec![(Wrap::Pptp { call: 3 }, v4)]),
        (
            false,
            vec![(
                Wrap::Vxlan {
                    vni: 100,
                    port: 4789,
                },
                v4,
            )],
        ),
        (
            true,
            vec![(
                Wrap::Vxlan {
                    vni: 101,
                    port: 4789,
                },
                v4,
            )],
        ),
        (false, vec![(Wrap::Geneve { vni: 200 }, v4)]),
        (true, vec![(Wrap::Geneve { vni: 201 }, true)]),
        (true, vec![(Wrap::Teredo, v4)]),
        (false, vec![(Wrap::Gtpu { teid: 0x1234 }, v4)]),
        (true, vec![(Wrap::Gtpu { teid: 0x1235 }, v4)]),
        // Nested: GRE inside VXLAN.
        (
            false,
            vec![
                (
                    Wrap::Vxlan {
                        vni: 300,
                        port: 4789,
                    },
                    v4,
                ),
                (Wrap::Gre { key: 9 }, v4),
            ],
        ),
        // VXLAN on a port that is not the standard one: plain UDP unless asked.
        (
            false,
            vec![(
                Wrap::Vxlan {
                    vni: 400,
                    port: 8472,
                },
                v4,
            )],
        ),
        // Five levels of IP-in-IP: deeper than Zeek's (and synack's) limit of four.
        (false, vec![(Wrap::Ip, v4); 5]),
    ];
    let mut frames = Vec::new();
    for (i, (inner_v6, layers)) in cases.iter().enumerate() {
        let conv = inner_conv(i as u16 + 1, *inner_v6, T0 + i as f64 * 0.1, (100, 300));
        frames.extend(tunneled(&conv, layers));
    }
    frames.sort_by_key(|f| f.ts);
    frames
}

/// Fragments of `p` framed at `ts` offsets: `cuts` are the payload boundaries (multiples of 8)
/// and `order` the order in which the pieces are sent.
fn fragmented(p: &GenPacket, ident: u32, cuts: &[usize], order: &[usize]) -> Vec<Frame> {
    let ip = ip_packet(p, false);
    let len = encap::payload_len(&ip);
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(len);
    order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let (a, b) = (bounds[i], bounds[i + 1]);
            let frag = encap::fragment(&ip, ident, a, b, b < len);
            ethernet_frame(Timestamp(p.ts.0 + k as i64 * 100_000), &frag)
        })
        .collect()
}

fn plain(p: &GenPacket) -> Frame {
    ethernet_frame(p.ts, &ip_packet(p, false))
}

/// The fragments fixture.
fn fragment_frames() -> Vec<Frame> {
    let mut frames = Vec::new();
    // 1: IPv4. The SYN's 40-byte TCP header in two fragments, the second sent first; a
    // 1000-byte request in three, out of order.
    let a = inner_conv(1, false, T0, (1000, 300));
    for (k, p) in a.packets.iter().enumerate() {
        match k {
            0 => frames.extend(fragmented(p, 11, &[24], &[1, 0])),
            3 => frames.extend(fragmented(p, 12, &[400, 800], &[1, 2, 0])),
            _ => frames.push(plain(p)),
        }
    }
    // 2: IPv6, the same: the SYN and the server's 300 bytes in fragments.
    let b = inner_conv(2, true, T0 + 1.0, (100, 300));
    for (k, p) in b.packets.iter().enumerate() {
        match k {
            0 => frames.extend(fragmented(p, 21, &[16], &[0, 1])),
            4 => frames.extend(fragmented(p, 22, &[160], &[1, 0])),
            _ => frames.push(plain(p)),
        }
    }
    // 3: IPv4 overlapping fragments: the request's second piece overlaps the first, so the
    // datagram is dropped (as the receiving host would); the client sends it again whole.
    let mut c = inner_conv(3, false, T0 + 2.0, (1000, 300));
    c.packets.truncate(4);
    let req = c.packets.pop().expect("the request");
    frames.extend(c.packets.iter().map(plain));
    let ip = ip_packet(&req, false);
    let len = encap::payload_len(&ip);
    frames.push(ethernet_frame(
        req.ts,
        &encap::fragment(&ip, 31, 0, 64, true),
    ));
    frames.push(ethernet_frame(
        Timestamp(req.ts.0 + 100_000),
        &encap::fragment(&ip, 31, 56, len, false),
    ));
    let mut again = req.clone();
    again.ts = Timestamp(req.ts.0 + 200_000_000);
    frames.push(plain(&again));
    // Then a datagram whose first piece never comes (never completed) and one with two
    // different ends (conflicting); neither gives a segment.
    frames.push(ethernet_frame(
        Timestamp(req.ts.0 + 300_000_000),
        &encap::fragment(&ip, 41, 64, len, false),
    ));
    frames.push(ethernet_frame(
        Timestamp(req.ts.0 + 400_000_000),
        &encap::fragment(&ip, 42, 64, len, false),
    ));
    frames.push(ethernet_frame(
        Timestamp(req.ts.0 + 400_100_000),
        &encap::fragment(&ip, 42, 32, 64, false),
    ));
    frames.sort_by_key(|f| f.ts);
    frames
}

fn fixture(name: &'static str, about: &'static str, frames: Vec<Frame>) -> Fixture {
    Fixture {
        name,
        about,
        output: Output::Pcap {
            link: Link::ethernet(),
            frames,
            nano: false,
            big_endian: false,
        },
        truncate_to: None,
    }
}

pub fn layer_fixtures() -> Vec<Fixture> {
    vec![
        fixture(
            "tunnels.pcap",
            "One short connection (100 bytes up, 300 down) through each tunnel, IPv4 and IPv6 inside: IP-in-IP (4in4, 6in4, 4in6), GRE with a key (IPv4, IPv6), GRE bridging Ethernet, PPTP's GRE with PPP, VXLAN (IPv4, IPv6), Geneve (IPv4, IPv6 over IPv6), Teredo, GTP-U (IPv4, IPv6), GRE nested in VXLAN; then VXLAN on port 8472 (plain UDP unless `--tunnel-port vxlan=8472`) and five levels of IP-in-IP (too deep: not followed).",
            tunnel_frames(),
        ),
        fixture(
            "fragments.pcap",
            "IP fragments: an IPv4 connection whose SYN comes in two fragments (last first) and whose 1000-byte request comes in three, out of order; an IPv6 one with its SYN and its 300-byte answer in fragments; an overlapping pair (the datagram is dropped and sent again whole); a datagram whose first piece never comes and one with two different ends.",
            fragment_frames(),
        ),
    ]
}
