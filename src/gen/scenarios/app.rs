//! Fixtures whose payloads name their protocol: what the app labels
//! ([`crate::decode::app`]) are tested on.

use super::{conv, eth, Fixture, Output, T0};
use crate::gen::conv::{ep, merge, Conv, GenPacket};
use crate::gen::frame::Link;
use crate::gen::payloads::{client_hello, dns_query, server_hello};
use crate::gen::write;

pub fn app_fixtures() -> Vec<Fixture> {
    vec![
        eth(
            "app-web.pcap",
            "The web's protocols on TCP: an HTTP/1.1 keep-alive connection with two requests (GET /index.html 200, GET /missing 404); a WebSocket upgrade (GET /chat with Upgrade: websocket, 101 Switching Protocols); HTTPS on 443 whose ClientHello (SNI www.example.com, ALPN h2,http/1.1) is split across two segments, answered by a TLS 1.3 ServerHello.",
            web(),
        ),
        eth(
            "app-text.pcap",
            "One short exchange each of SSH (banners), SMTP (220 ESMTP greeting, EHLO), FTP (220 greeting, USER), POP3 (+OK, USER), IMAP (* OK), Redis (RESP SET, +OK), DNS over TCP (a query and its response for example.com), and a bare `220 ready` on port 7000 that neither the text nor the port makes SMTP or FTP.",
            text(),
        ),
        Fixture {
            name: "app-hostile.pcap",
            about: "Payloads that must not reach a terminal raw: an HTTP request line with ESC, BEL and a right-to-left override in its target, a 300-byte request target, and an SSH banner captured with a 70-byte snaplen (the line cut, no CR LF).",
            output: Output::Pcap {
                link: Link::ethernet(),
                frames: write::frames(&Link::ethernet(), &hostile(), false)
                    .into_iter()
                    .map(|mut f| {
                        // The SSH banner, as a 70-byte snaplen captures it.
                        if f.data.windows(8).any(|w| w == b"SSH-2.0-") {
                            f.data.truncate(70);
                        }
                        f
                    })
                    .collect(),
                nano: false,
                big_endian: false,
            },
            truncate_to: None,
        },
        Fixture {
            name: "udp-dns.pcap",
            about: "UDP beside TCP, for --udp: a DNS query for www.example.com (10.0.0.1:53001 to 10.0.0.53:53) answered in 12 ms, then an HTTP connection to the address it gave (handshake, GET, 200, close); a query for lost.example.com with no answer, sent again by the resolver 1 s later on the same port and answered; a datagram each way between two NTP servers (both on port 123); an answer seen without its query (from 10.0.0.53:53 to 10.0.0.1:53009); and a datagram to 10.0.0.9:9999 that nothing answers.",
            output: Output::Pcap {
                link: Link::ethernet(),
                frames: udp_dns(),
                nano: false,
                big_endian: false,
            },
            truncate_to: None,
        },
    ]
}

/// The frames of `udp-dns.pcap` (see its description).
fn udp_dns() -> Vec<write::Frame> {
    let mut http = conv(60, T0 + 0.02);
    exchange(&mut http, |c| {
        c.say_c(0.001, b"GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
            .say_s(0.01, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .ack_c(0.001);
    });
    let mut frames = write::frames(&Link::ethernet(), &http.packets, false);
    // A DNS message over UDP is the TCP one without its length.
    let dns = |name: &str, response: bool| dns_query(name, response)[2..].to_vec();
    let resolver = [10, 0, 0, 53];
    let me = [10, 0, 0, 1];
    // (time, source, port, destination, port, payload)
    let datagrams = [
        (0.0, me, 53001, resolver, 53, dns("www.example.com", false)),
        (0.012, resolver, 53, me, 53001, dns("www.example.com", true)),
        (2.0, me, 53002, resolver, 53, dns("lost.example.com", false)),
        (3.0, me, 53002, resolver, 53, dns("lost.example.com", false)),
        (
            3.015,
            resolver,
            53,
            me,
            53002,
            dns("lost.example.com", true),
        ),
        (
            4.0,
            [10, 0, 0, 123],
            123,
            [10, 0, 0, 124],
            123,
            vec![0x23; 48],
        ),
        (
            4.02,
            [10, 0, 0, 124],
            123,
            [10, 0, 0, 123],
            123,
            vec![0x24; 48],
        ),
        (5.0, resolver, 53, me, 53009, dns("late.example.com", true)),
        (5.5, me, 40000, [10, 0, 0, 9], 9999, b"hello".to_vec()),
    ];
    for (dt, src, sport, dst, dport, payload) in datagrams {
        let mut data = Vec::new();
        etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(src, dst, 64)
            .udp(sport, dport)
            .write(&mut data, &payload)
            .expect("a UDP frame");
        frames.push(write::Frame {
            ts: crate::decode::Timestamp::from_secs_f64(T0 + dt),
            orig_len: data.len() as u32,
            data,
        });
    }
    frames.sort_by_key(|f| f.ts);
    frames
}

/// Handshake, the close, and what `talk` says between.
fn exchange(c: &mut Conv, talk: impl FnOnce(&mut Conv)) {
    c.syn(0.0).syn_ack(0.001).ack_c(0.001);
    talk(c);
    c.fin_c(0.01).fin_s(0.001).ack_c(0.001);
}

fn web() -> Vec<GenPacket> {
    let mut http = conv(51, T0);
    exchange(&mut http, |c| {
        c.say_c(
            0.001,
            b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
        )
        .say_s(0.01, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        .say_c(
            0.1,
            b"GET /missing HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
        )
        .say_s(0.01, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        .ack_c(0.001);
    });
    let mut ws = conv(52, T0 + 1.0);
    exchange(&mut ws, |c| {
        c.say_c(
            0.001,
            b"GET /chat HTTP/1.1\r\nHost: www.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        .say_s(
            0.01,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
        )
        // A masked text frame "hi".
        .say_c(0.01, &[0x81, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2])
        .ack_s(0.001);
    });
    let mut tls = Conv::new(
        ep("10.0.0.1", 40053),
        ep("10.0.0.3", 443),
        53_000_000,
        77_000_000,
        T0 + 2.0,
    );
    let hello = client_hello("www.example.com");
    let (a, b) = hello.split_at(40);
    exchange(&mut tls, |c| {
        c.say_c(0.001, a)
            .say_c(0.0001, b)
            .say_s(0.02, &server_hello(Some(0x0304)))
            .ack_c(0.001);
    });
    merge(&[&http, &ws, &tls])
}

fn text() -> Vec<GenPacket> {
    let on = |n: u16, port: u16| {
        Conv::new(
            ep("10.0.0.1", 41000 + n),
            ep("10.0.0.4", port),
            1_000_000 * u32::from(n) + 5,
            3_000_000 * u32::from(n) + 9,
            T0 + f64::from(n),
        )
    };
    let mut ssh = on(1, 22);
    exchange(&mut ssh, |c| {
        c.say_s(0.001, b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n")
            .say_c(0.001, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
            .ack_s(0.001);
    });
    let mut smtp = on(2, 25);
    exchange(&mut smtp, |c| {
        c.say_s(0.001, b"220 mail.example.com ESMTP Postfix\r\n")
            .say_c(0.001, b"EHLO client.example.org\r\n")
            .say_s(0.001, b"250-mail.example.com\r\n250 STARTTLS\r\n")
            .ack_c(0.001);
    });
    let mut ftp = on(3, 21);
    exchange(&mut ftp, |c| {
        c.say_s(0.001, b"220 (vsFTPd 3.0.5)\r\n")
            .say_c(0.001, b"USER anonymous\r\n")
            .say_s(0.001, b"331 Please specify the password.\r\n")
            .ack_c(0.001);
    });
    let mut pop = on(4, 110);
    exchange(&mut pop, |c| {
        c.say_s(0.001, b"+OK Dovecot ready.\r\n")
            .say_c(0.001, b"USER alice\r\n")
            .say_s(0.001, b"+OK\r\n")
            .ack_c(0.001);
    });
    let mut imap = on(5, 143);
    exchange(&mut imap, |c| {
        c.say_s(
            0.001,
            b"* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n",
        )
        .say_c(0.001, b"a001 CAPABILITY\r\n")
        .ack_s(0.001);
    });
    let mut redis = on(6, 6379);
    exchange(&mut redis, |c| {
        c.say_c(0.001, b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
            .say_s(0.001, b"+OK\r\n")
            .ack_c(0.001);
    });
    let mut dns = on(7, 53);
    exchange(&mut dns, |c| {
        c.say_c(0.001, &dns_query("example.com", false))
            .say_s(0.001, &dns_query("example.com", true))
            .ack_c(0.001);
    });
    let mut odd = on(8, 7000);
    exchange(&mut odd, |c| {
        c.say_s(0.001, b"220 ready\r\n").ack_c(0.001);
    });
    merge(&[&ssh, &smtp, &ftp, &pop, &imap, &redis, &dns, &odd])
}

fn hostile() -> Vec<GenPacket> {
    let mut evil = conv(61, T0);
    exchange(&mut evil, |c| {
        c.say_c(
            0.001,
            "GET /\x1b[2J\x07a\u{202e}gnp.exe HTTP/1.1\r\nHost: x\r\n\r\n".as_bytes(),
        )
        .say_s(0.01, b"HTTP/1.1 200 OK\r\n\r\n")
        .ack_c(0.001);
    });
    let mut long = conv(62, T0 + 1.0);
    let target = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(300));
    exchange(&mut long, |c| {
        c.say_c(0.001, target.as_bytes()).ack_s(0.001);
    });
    let mut cut = Conv::new(
        ep("10.0.0.1", 40063),
        ep("10.0.0.5", 22),
        63_000_000,
        64_000_000,
        T0 + 2.0,
    );
    exchange(&mut cut, |c| {
        c.say_s(
            0.001,
            b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13 with a very long comment after it\r\n",
        )
        .ack_c(0.001);
    });
    merge(&[&evil, &long, &cut])
}
