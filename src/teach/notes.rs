//! What each lesson says, by frame number of its capture (frame 0: the introduction).
//! Sources: RFC 9293 (sections cited in the text and here), RFC 6298 for the retransmission
//! timer, and Linux's defaults (TIME_WAIT 60 s, tcp_syn_retries 6).

use super::lessons::Lesson;
use crate::i18n::t;

macro_rules! capture {
    ($name:literal) => {
        include_bytes!(concat!("../../fixtures/lesson-", $name, ".pcap"))
    };
}

// RFC 9293 3.4.1 (ISN), 3.5 (why three segments), 3.10.7.2 (LISTEN answering a SYN).
pub(super) const HANDSHAKE: Lesson = Lesson {
    name: "handshake",
    title: t("the three-way handshake: SYN, SYN+ACK, ACK, and why it takes three"),
    capture: capture!("handshake"),
    notes: &[
        (0, t("Lesson: the three-way handshake. The server has called socket(), bind() and listen(): its socket waits in LISTEN. The client calls connect(). Press → to send each segment.")),
        (1, t("connect() makes the client's TCP send a SYN and enter SYN_SENT: it has asked and waits for an answer. The SYN carries the client's initial sequence number (ISN), chosen by a clock-driven, hard-to-guess generator (RFC 9293 3.4.1) so that segments left over from an earlier connection on the same ports are not taken for this one's. A SYN carries no data but uses up one sequence number.")),
        (2, t("The listening server answers with a SYN of its own (its own ISN) and ack = the client's ISN + 1: \"your SYN arrived, the next byte I expect is 1\". It enters SYN_RECEIVED: the connection is half open and waits in the kernel's SYN queue. accept() has not returned yet: until its own ISN is acknowledged, the server cannot be sure the SYN came from a live client.")),
        (3, t("Why a third segment: each side chose an ISN, and each must be acknowledged by the other. The SYN+ACK acknowledged the client's; this ACK acknowledges the server's. Without it the server could not tell a live client from an old duplicate SYN still wandering in the network, and the client could not refuse a connection it never asked for (RFC 9293 3.5). Both ends are ESTABLISHED; the connection moves to the accept queue and accept() returns.")),
        (4, t("Data flows. seq counts bytes from the ISN: relative seq 1 is the first byte of data, because the SYN used 0. The request's 80 bytes are bytes 1 to 80; the server will acknowledge them with ack=81.")),
        (5, t("The answer carries ack=81: a cumulative acknowledgment, \"every byte before 81 arrived\". An ACK can ride on data going the other way (piggybacking), so no separate ACK segment was needed.")),
    ],
};

// RFC 9293 3.6 (closing a connection), 3.10.4 (CLOSE), 3.10.7.4 (FIN processing).
pub(super) const TEARDOWN: Lesson = Lesson {
    name: "teardown",
    title: t("the four-way close, the client closing first: why four segments"),
    capture: capture!("teardown"),
    notes: &[
        (0, t("Lesson: the four-way close, the client closing first. The connection opens and a request is answered; the close starts at the first FIN. Each direction of a TCP connection is closed on its own (RFC 9293 3.6).")),
        (7, t("The client's application calls close(): its TCP sends a FIN and enters FIN_WAIT_1. A FIN says only \"I will send no more data\"; the client can still receive. Like a SYN, a FIN uses one sequence number, so it must be acknowledged.")),
        (8, t("The server's TCP acknowledges the FIN at once (ack = FIN + 1) and enters CLOSE_WAIT; its application reads end-of-file (read() returns 0). The client, its FIN acknowledged, enters FIN_WAIT_2 and waits for the server's FIN. Why four segments and not three: this ACK comes from the kernel straight away, the server's FIN only when its application calls close(). CLOSE_WAIT is the time the application still has to send.")),
        (9, t("The server's application calls close(): a FIN, and the server enters LAST_ACK, waiting for the acknowledgment of its FIN. The client receives it in FIN_WAIT_2 and enters TIME_WAIT.")),
        (10, t("The last ACK: the server enters CLOSED and forgets the connection. The client stays in TIME_WAIT for 2*MSL (MSL, the maximum segment lifetime, is taken as 2 minutes by RFC 9293; Linux holds TIME_WAIT for a fixed 60 s). Two reasons: if this ACK is lost, the server sends its FIN again and the client must still be there to acknowledge it (the lesson time-wait shows it); and old duplicates of this connection must die out before the same ports carry a new one.")),
    ],
};

// RFC 9293 3.10.7.4: in FIN-WAIT-1, a FIN whose segment also acknowledges ours: TIME-WAIT.
pub(super) const SERVER_CLOSES_FIRST: Lesson = Lesson {
    name: "server-closes-first",
    title: t("the server closes first, in three segments: the FIN+ACK acknowledges ours"),
    capture: capture!("server-closes-first"),
    notes: &[
        (0, t("Lesson: the server closes first, and the close takes three segments. Whoever closes first ends in TIME_WAIT: here, the server.")),
        (6, t("The server has sent its answer and closes: a FIN, FIN_WAIT_1. The client reads end-of-file (read() returns 0) and enters CLOSE_WAIT.")),
        (7, t("The client had nothing more to send, so its application closed at once, before its TCP had sent the ACK of the server's FIN: one segment carries both, its FIN and ack = the server's FIN + 1. That is why this close took three segments instead of four. The server receives the acknowledgment of its FIN and the client's FIN together and goes from FIN_WAIT_1 straight to TIME_WAIT (RFC 9293 3.10.7.4); the client enters LAST_ACK.")),
        (8, t("The server acknowledges the client's FIN; the client goes from LAST_ACK to CLOSED. The server, which closed first, holds TIME_WAIT for 2*MSL: a busy server that closes first collects TIME_WAIT entries, one for each client port.")),
    ],
};

// RFC 9293 3.10.7.4 "TIME-WAIT STATE": a retransmitted FIN is acknowledged, the 2 MSL timeout
// restarted; 3.6 (why TIME-WAIT).
pub(super) const TIME_WAIT: Lesson = Lesson {
    name: "time-wait",
    title: t("why TIME_WAIT waits 2*MSL: the last ACK is lost and the peer's FIN comes again"),
    capture: capture!("time-wait"),
    notes: &[
        (0, t("Lesson: why TIME_WAIT waits. The capture is taken at the client. The client closes first as usual, but its last ACK is lost on its way to the server.")),
        (9, t("The server closes: a FIN, LAST_ACK. The client, in FIN_WAIT_2, receives it and enters TIME_WAIT.")),
        (10, t("The client acknowledges the server's FIN. The capture saw it leave, but it never reaches the server. Stepping, synack shows the server CLOSED at this row, as if it had arrived: nothing yet says otherwise. The server's FIN coming again (next step) does, and the server then stays in LAST_ACK at this row, as it really was. The client does not know either; it is in TIME_WAIT and keeps the connection.")),
        (11, t("No ACK came, so the server's retransmission timer fires and it sends its FIN again (about 200 ms later on Linux). This is the first reason for TIME_WAIT: had the client gone straight to CLOSED, this FIN would find no connection and be answered with a RST, and the server would report an error for a connection that had closed cleanly.")),
        (12, t("The client, still in TIME_WAIT, acknowledges the FIN again and starts its 2*MSL over (RFC 9293 3.10.7.4). This ACK arrives: the server enters CLOSED. The second reason for the wait: old duplicates of this connection still in the network die out before the same four-tuple can carry a new connection. RFC 9293 takes MSL as 2 minutes; Linux holds TIME_WAIT for a fixed 60 s.")),
    ],
};

// RFC 9293 3.10.7.1: a segment to a CLOSED port is answered with a reset; 3.5.2 (reset
// generation), 3.10.7.3 (SYN-SENT accepts a RST that acknowledges its SYN).
pub(super) const REFUSED: Lesson = Lesson {
    name: "refused",
    title: t("a refused connection: no socket listens, the SYN is answered by RST"),
    capture: capture!("refused"),
    notes: &[
        (0, t("Lesson: a refused connection. The client connects to port 81 of a host where no program has called listen() on that port.")),
        (1, t("connect() sends a SYN as always: the client cannot know beforehand whether anything listens.")),
        (2, t("No socket listens on port 81, so the host's TCP answers the SYN with RST+ACK: a segment for a connection that does not exist is answered with a reset (RFC 9293 3.10.7.1). Its ACK acknowledges the SYN, which is how the client knows the reset answers it and is not forged (3.10.7.3). connect() fails with ECONNREFUSED, \"Connection refused\". The server side never had a connection: it was CLOSED throughout, never LISTEN.")),
    ],
};

// RFC 6298 (initial RTO 1 s, doubling); RFC 9293 3.8.1 (retransmission timeout).
pub(super) const SYN_TIMEOUT: Lesson = Lesson {
    name: "syn-timeout",
    title: t("a SYN nobody answers: retries with exponential backoff, then ETIMEDOUT"),
    capture: capture!("syn-timeout"),
    notes: &[
        (0, t("Lesson: a SYN nobody answers. The server's address does not answer at all (the host is down, or a firewall drops the SYN silently): no SYN+ACK, and no RST either.")),
        (1, t("connect() sends a SYN and starts the retransmission timer, at 1 s for a first segment (RFC 6298).")),
        (2, t("No answer within 1 s: the same SYN again, with the same ISN. Each retry doubles the timeout (exponential backoff), so that a congested or dead path is not flooded.")),
        (4, t("The gaps so far are 1, 2 and 4 s: the timeout doubles each time. The client stays in SYN_SENT throughout.")),
        (7, t("The sixth retry (Linux's net.ipv4.tcp_syn_retries is 6), 32 s after the fifth. If it is not answered within 64 s, connect() gives up with ETIMEDOUT, about 127 s after the first SYN. A refused connection fails at once, a silent one only after minutes: that is how a closed port is told from a filtered one.")),
    ],
};

// RFC 9293 3.5, figure 8 (simultaneous connection synchronization); 3.10.7.3.
pub(super) const SIMULTANEOUS_OPEN: Lesson = Lesson {
    name: "simultaneous-open",
    title: t("simultaneous open: both ends connect() at once, no listener, four segments"),
    capture: capture!("simultaneous-open"),
    notes: &[
        (0, t("Lesson: simultaneous open. Neither end listens: both call connect() to each other at the same moment (peer-to-peer programs do this to get through NAT). RFC 9293 allows it (3.5, figure 8).")),
        (1, t("The left end's connect(): a SYN, SYN_SENT.")),
        (2, t("Before that SYN arrives, the right end sends its own: it is in SYN_SENT too. Each SYN then reaches an end in SYN_SENT, which enters SYN_RECEIVED (RFC 9293 3.10.7.3), not ESTABLISHED: its own SYN is not acknowledged yet.")),
        (3, t("Each end answers the SYN it received with a SYN+ACK: its own SYN again, and the acknowledgment of the peer's ISN.")),
        (4, t("Both ISNs are now acknowledged: both ends are ESTABLISHED after four segments, with no listener and no accept(). The rule is the same as in the three-way handshake: every ISN must be acknowledged by the other side.")),
    ],
};

// RFC 9293 3.6, figure 13 (simultaneous close); 3.10.7.4 (CLOSING).
pub(super) const SIMULTANEOUS_CLOSE: Lesson = Lesson {
    name: "simultaneous-close",
    title: t("simultaneous close: the FINs cross, both ends pass through CLOSING"),
    capture: capture!("simultaneous-close"),
    notes: &[
        (0, t("Lesson: simultaneous close. Both applications call close() at the same moment: the two FINs cross on the wire (RFC 9293 3.6, figure 13).")),
        (6, t("The client's close(): a FIN, FIN_WAIT_1.")),
        (7, t("The server's FIN left before the client's arrived: it does not acknowledge it (its ack is the old value). So the server was in FIN_WAIT_1 too, and each end then receives a FIN while its own is unacknowledged: both enter CLOSING (RFC 9293 3.10.7.4), not CLOSE_WAIT.")),
        (8, t("Each end acknowledges the other's FIN. An end in CLOSING whose FIN is acknowledged enters TIME_WAIT: both ends closed first, so both hold TIME_WAIT.")),
    ],
};

// RFC 9293 3.6 (a half-closed connection may still receive), 3.10.4 (CLOSE in CLOSE-WAIT).
pub(super) const HALF_CLOSE: Lesson = Lesson {
    name: "half-close",
    title: t("half-close: shutdown(SHUT_WR), and data still flowing after the first FIN"),
    capture: capture!("half-close"),
    notes: &[
        (0, t("Lesson: half-close. The client sends its request, then calls shutdown(SHUT_WR): it will send nothing more but still reads the answer. Programs use it to say \"end of request\" (nc -N does).")),
        (5, t("shutdown(SHUT_WR): the client's FIN right after its request. FIN_WAIT_1, then FIN_WAIT_2 once it is acknowledged; the socket stays open for reading.")),
        (6, t("The server acknowledges the FIN: its application reads end-of-file and it is in CLOSE_WAIT. CLOSE_WAIT does not mean \"closing\": the server may still send as much as it likes.")),
        (7, t("Data after the first FIN: the half-close at work. The server answers from CLOSE_WAIT, and the client, in FIN_WAIT_2, receives and acknowledges it (RFC 9293 3.6). This is why each direction is closed on its own.")),
        (11, t("The server has sent everything and closes: a FIN, LAST_ACK. The client reads end-of-file and enters TIME_WAIT.")),
        (12, t("The last ACK: the server is CLOSED, the client holds TIME_WAIT for 2*MSL.")),
    ],
};

// RFC 9293 3.5.2 (reset processing), 3.10.7.4 "second: check the RST bit".
pub(super) const RESET: Lesson = Lesson {
    name: "reset",
    title: t("a reset: an established connection aborted by RST, no TIME_WAIT"),
    capture: capture!("reset"),
    notes: &[
        (0, t("Lesson: a reset. A connection can also end abruptly, without the FIN exchange: one end sends a RST.")),
        (6, t("The server aborts the connection (its process crashed, closed with unread data, or set SO_LINGER to 0; or a firewall on the path injected it): a RST. A RST is never acknowledged or retransmitted (RFC 9293 3.5.2). Both ends go straight to CLOSED and neither waits in TIME_WAIT; the client's next read() or write() fails with ECONNRESET, \"Connection reset by peer\". Data not yet delivered is lost.")),
    ],
};
