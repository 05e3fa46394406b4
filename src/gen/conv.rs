//! Scripting a TCP conversation.

use std::net::IpAddr;

use etherparse::TcpOptionElement;

use crate::decode::{Endpoint, Flags, Timestamp};

/// One generated segment (before link-layer framing).
#[derive(Debug, Clone)]
pub struct GenPacket {
    pub ts: Timestamp,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub flags: u16,
    pub seq: u32,
    pub ack: u32,
    pub window: u16,
    pub payload: Vec<u8>,
    pub options: Vec<TcpOptionElement>,
}

/// A scripted connection. Each end keeps its next sequence number and what it has received,
/// so a script reads like a ladder: `c.syn(); c.syn_ack(); c.ack(); c.data_c(100); ...`.
/// Times are in seconds, each call advancing the clock by `dt`.
#[derive(Debug, Clone)]
pub struct Conv {
    pub client: Endpoint,
    pub server: Endpoint,
    /// Next sequence number each end will send: `[client, server]`.
    pub next: [u32; 2],
    /// Highest in-order sequence number each end has received (what it acknowledges).
    pub rcv: [u32; 2],
    pub window: [u16; 2],
    /// The script's clock, in nanoseconds (integer, so times print exactly).
    pub t: i64,
    pub packets: Vec<GenPacket>,
}

const C: usize = 0;
const S: usize = 1;

pub fn ep(ip: &str, port: u16) -> Endpoint {
    Endpoint {
        ip: ip.parse::<IpAddr>().expect("valid IP in a scenario"),
        port,
    }
}

impl Conv {
    pub fn new(
        client: Endpoint,
        server: Endpoint,
        client_isn: u32,
        server_isn: u32,
        t0: f64,
    ) -> Conv {
        Conv {
            client,
            server,
            next: [client_isn, server_isn],
            rcv: [server_isn, client_isn],
            window: [64240, 65160],
            t: Timestamp::from_secs_f64(t0).0,
            packets: Vec::new(),
        }
    }

    /// Emits a segment from `from` (0 client, 1 server) with explicit numbers, without
    /// touching the script's sequence bookkeeping.
    #[allow(clippy::too_many_arguments)]
    pub fn raw(
        &mut self,
        dt: f64,
        from: usize,
        flags: u16,
        seq: u32,
        ack: u32,
        len: usize,
    ) -> &mut Self {
        self.t += secs(dt);
        let (src, dst) = if from == C {
            (self.client, self.server)
        } else {
            (self.server, self.client)
        };
        let options = if flags & Flags::SYN != 0 {
            vec![
                TcpOptionElement::MaximumSegmentSize(1460),
                TcpOptionElement::SelectiveAcknowledgementPermitted,
                TcpOptionElement::Noop,
                TcpOptionElement::WindowScale(7),
            ]
        } else {
            Vec::new()
        };
        self.packets.push(GenPacket {
            ts: Timestamp(self.t),
            src,
            dst,
            flags,
            seq,
            ack,
            window: self.window[from],
            payload: payload(len, seq),
            options,
        });
        self
    }

    /// Sends from `from` at its next sequence number, acknowledging what it has received.
    fn send(&mut self, dt: f64, from: usize, flags: u16, len: usize) -> &mut Self {
        let seq = self.next[from];
        let ack = if flags & Flags::ACK != 0 {
            self.rcv[from]
        } else {
            0
        };
        self.raw(dt, from, flags, seq, ack, len);
        let used = len as u32 + u32::from(flags & (Flags::SYN | Flags::FIN) != 0);
        self.next[from] = seq.wrapping_add(used);
        // The peer receives it (in order) unless the script says otherwise.
        self.rcv[1 - from] = self.next[from];
        self
    }

    /// Re-sends the last segment `from` sent (a retransmission), `dt` later.
    pub fn retransmit(&mut self, dt: f64, from: usize) -> &mut Self {
        let src = if from == C { self.client } else { self.server };
        let last = self
            .packets
            .iter()
            .rev()
            .find(|p| p.src == src)
            .cloned()
            .expect("something to retransmit");
        self.t += secs(dt);
        let mut p = last;
        p.ts = Timestamp(self.t);
        self.packets.push(p);
        self
    }

    /// Drops the last packet from the capture (it was sent, but not captured).
    pub fn lose_last(&mut self) -> &mut Self {
        self.packets.pop();
        self
    }

    pub fn syn(&mut self, dt: f64) -> &mut Self {
        self.send(dt, C, Flags::SYN, 0)
    }
    pub fn syn_ack(&mut self, dt: f64) -> &mut Self {
        self.send(dt, S, Flags::SYN | Flags::ACK, 0)
    }
    /// The server's own SYN (simultaneous open).
    pub fn syn_s(&mut self, dt: f64) -> &mut Self {
        self.send(dt, S, Flags::SYN, 0)
    }
    /// SYN+ACK from the client (simultaneous open).
    pub fn syn_ack_c(&mut self, dt: f64) -> &mut Self {
        let seq = self.next[C].wrapping_sub(1);
        let ack = self.rcv[C];
        self.raw(dt, C, Flags::SYN | Flags::ACK, seq, ack, 0)
    }
    /// SYN+ACK from the server in a simultaneous open (re-sends its SYN with an ACK).
    pub fn syn_ack_s_simul(&mut self, dt: f64) -> &mut Self {
        let seq = self.next[S].wrapping_sub(1);
        let ack = self.rcv[S];
        self.raw(dt, S, Flags::SYN | Flags::ACK, seq, ack, 0)
    }
    pub fn ack_c(&mut self, dt: f64) -> &mut Self {
        self.send(dt, C, Flags::ACK, 0)
    }
    pub fn ack_s(&mut self, dt: f64) -> &mut Self {
        self.send(dt, S, Flags::ACK, 0)
    }
    pub fn data_c(&mut self, dt: f64, len: usize) -> &mut Self {
        self.send(dt, C, Flags::PSH | Flags::ACK, len)
    }
    pub fn data_s(&mut self, dt: f64, len: usize) -> &mut Self {
        self.send(dt, S, Flags::PSH | Flags::ACK, len)
    }
    /// A data segment from the client carrying `bytes` (an application's message).
    pub fn say_c(&mut self, dt: f64, bytes: &[u8]) -> &mut Self {
        self.data_c(dt, bytes.len());
        self.set_last_payload(bytes)
    }
    pub fn say_s(&mut self, dt: f64, bytes: &[u8]) -> &mut Self {
        self.data_s(dt, bytes.len());
        self.set_last_payload(bytes)
    }
    fn set_last_payload(&mut self, bytes: &[u8]) -> &mut Self {
        if let Some(p) = self.packets.last_mut() {
            p.payload = bytes.to_vec();
        }
        self
    }
    pub fn fin_c(&mut self, dt: f64) -> &mut Self {
        self.send(dt, C, Flags::FIN | Flags::ACK, 0)
    }
    pub fn fin_s(&mut self, dt: f64) -> &mut Self {
        self.send(dt, S, Flags::FIN | Flags::ACK, 0)
    }
    pub fn rst_c(&mut self, dt: f64) -> &mut Self {
        let seq = self.next[C];
        self.raw(dt, C, Flags::RST, seq, 0, 0)
    }
    pub fn rst_s(&mut self, dt: f64) -> &mut Self {
        let seq = self.next[S];
        self.raw(dt, S, Flags::RST, seq, 0, 0)
    }
    /// RST+ACK from the server acknowledging the client's SYN: a closed port's answer.
    pub fn refuse(&mut self, dt: f64) -> &mut Self {
        let ack = self.next[C];
        self.raw(dt, S, Flags::RST | Flags::ACK, 0, ack, 0)
    }
    /// Simultaneous close: the client's and the server's FINs cross on the wire, so neither
    /// acknowledges the other's (each acknowledges only what it had before).
    pub fn fins_crossing(&mut self, dt_client: f64, dt_server: f64) -> &mut Self {
        let (cseq, sseq) = (self.next[C], self.next[S]);
        let (cack, sack) = (self.rcv[C], self.rcv[S]);
        self.raw(dt_client, C, Flags::FIN | Flags::ACK, cseq, cack, 0);
        self.raw(dt_server, S, Flags::FIN | Flags::ACK, sseq, sack, 0);
        self.next = [cseq.wrapping_add(1), sseq.wrapping_add(1)];
        self.rcv = [self.next[S], self.next[C]];
        self
    }
    pub fn set_window(&mut self, from: usize, w: u16) -> &mut Self {
        self.window[from] = w;
        self
    }
}

fn secs(dt: f64) -> i64 {
    (dt * 1e9).round() as i64
}

/// Deterministic printable payload.
fn payload(len: usize, seed: u32) -> Vec<u8> {
    (0..len)
        .map(|i| b'a' + ((i as u32).wrapping_add(seed) % 26) as u8)
        .collect()
}

/// Merges several conversations' packets into capture order (stable for equal times).
pub fn merge(convs: &[&Conv]) -> Vec<GenPacket> {
    let mut all: Vec<GenPacket> = convs.iter().flat_map(|c| c.packets.clone()).collect();
    all.sort_by_key(|p| p.ts);
    all
}
