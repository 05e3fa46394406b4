//! What each lesson says, by frame number of its capture (frame 0: the introduction).
//! Sources: RFC 9293 (sections cited in the text and here), RFC 6298 for the retransmission
//! timer, and Linux's defaults (TIME_WAIT 60 s, tcp_syn_retries 6).

use super::lang::t;
use super::lessons::Lesson;

macro_rules! capture {
    ($name:literal) => {
        include_bytes!(concat!("../../fixtures/lesson-", $name, ".pcap"))
    };
}

// RFC 9293 3.4.1 (ISN), 3.5 (why three segments), 3.10.7.2 (LISTEN answering a SYN).
pub(super) const HANDSHAKE: Lesson = Lesson {
    name: "handshake",
    title: t(
        "the three-way handshake: SYN, SYN+ACK, ACK, and why it takes three",
        "三次握手：SYN、SYN+ACK、ACK，以及为什么需要三次",
    ),
    capture: capture!("handshake"),
    notes: &[
        (0, t(
            "Lesson: the three-way handshake. The server has called socket(), bind() and listen(): its socket waits in LISTEN. The client calls connect(). Press → to send each segment.",
            "课程：三次握手。服务器已调用 socket()、bind() 和 listen()，套接字处于 LISTEN 状态；客户端调用 connect()。按 → 逐个发送报文段。",
        )),
        (1, t(
            "connect() makes the client's TCP send a SYN and enter SYN_SENT: it has asked and waits for an answer. The SYN carries the client's initial sequence number (ISN), chosen by a clock-driven, hard-to-guess generator (RFC 9293 3.4.1) so that segments left over from an earlier connection on the same ports are not taken for this one's. A SYN carries no data but uses up one sequence number.",
            "connect() 让客户端 TCP 发出 SYN 并进入 SYN_SENT：已发出请求，等待回应。SYN 携带客户端的初始序列号 ISN，由时钟驱动、难以猜测的生成器选出（RFC 9293 3.4.1），这样同一端口上旧连接残留的报文段不会被当成本连接的。SYN 不携带数据，但占用一个序列号。",
        )),
        (2, t(
            "The listening server answers with a SYN of its own (its own ISN) and ack = the client's ISN + 1: \"your SYN arrived, the next byte I expect is 1\". It enters SYN_RECEIVED: the connection is half open and waits in the kernel's SYN queue. accept() has not returned yet: until its own ISN is acknowledged, the server cannot be sure the SYN came from a live client.",
            "处于监听的服务器回复自己的 SYN（携带服务器的 ISN），以及 ack = 客户端 ISN + 1，意思是“你的 SYN 已收到，我期望的下一个字节是 1”。服务器进入 SYN_RECEIVED：连接半打开，放在内核的 SYN 队列中。accept() 还没有返回：在自己的 ISN 被确认之前，服务器无法确定这个 SYN 来自一个真实存在的客户端。",
        )),
        (3, t(
            "Why a third segment: each side chose an ISN, and each must be acknowledged by the other. The SYN+ACK acknowledged the client's; this ACK acknowledges the server's. Without it the server could not tell a live client from an old duplicate SYN still wandering in the network, and the client could not refuse a connection it never asked for (RFC 9293 3.5). Both ends are ESTABLISHED; the connection moves to the accept queue and accept() returns.",
            "为什么要第三个报文段：双方各自选了 ISN，每个 ISN 都必须由对方确认。SYN+ACK 确认了客户端的 ISN，这个 ACK 确认服务器的 ISN。没有它，服务器分不清真实的客户端和网络中滞留的旧的重复 SYN，客户端也无法拒绝一个它从未请求过的连接（RFC 9293 3.5）。现在双方都是 ESTABLISHED，连接进入全连接（accept）队列，accept() 返回。",
        )),
        (4, t(
            "Data flows. seq counts bytes from the ISN: relative seq 1 is the first byte of data, because the SYN used 0. The request's 80 bytes are bytes 1 to 80; the server will acknowledge them with ack=81.",
            "开始传输数据。seq 从 ISN 起按字节计数：相对序列号 1 是第一个数据字节，因为 SYN 占用了 0。请求的 80 字节是第 1 到 80 字节，服务器将用 ack=81 确认。",
        )),
        (5, t(
            "The answer carries ack=81: a cumulative acknowledgment, \"every byte before 81 arrived\". An ACK can ride on data going the other way (piggybacking), so no separate ACK segment was needed.",
            "响应携带 ack=81：累计确认，意思是“81 之前的字节全部收到”。ACK 可以搭载在反方向的数据上（捎带确认），因此不需要单独的 ACK 报文段。",
        )),
    ],
};

// RFC 9293 3.6 (closing a connection), 3.10.4 (CLOSE), 3.10.7.4 (FIN processing).
pub(super) const TEARDOWN: Lesson = Lesson {
    name: "teardown",
    title: t(
        "the four-way close, the client closing first: why four segments",
        "四次挥手（客户端先关闭）：为什么需要四次",
    ),
    capture: capture!("teardown"),
    notes: &[
        (0, t(
            "Lesson: the four-way close, the client closing first. The connection opens and a request is answered; the close starts at the first FIN. Each direction of a TCP connection is closed on its own (RFC 9293 3.6).",
            "课程：四次挥手，客户端先关闭。连接建立，完成一次请求和响应；关闭从第一个 FIN 开始。TCP 连接的两个方向各自独立关闭（RFC 9293 3.6）。",
        )),
        (7, t(
            "The client's application calls close(): its TCP sends a FIN and enters FIN_WAIT_1. A FIN says only \"I will send no more data\"; the client can still receive. Like a SYN, a FIN uses one sequence number, so it must be acknowledged.",
            "客户端应用调用 close()：TCP 发送 FIN，进入 FIN_WAIT_1。FIN 只表示“我不再发送数据”，客户端仍然可以接收。和 SYN 一样，FIN 占用一个序列号，因此必须被确认。",
        )),
        (8, t(
            "The server's TCP acknowledges the FIN at once (ack = FIN + 1) and enters CLOSE_WAIT; its application reads end-of-file (read() returns 0). The client, its FIN acknowledged, enters FIN_WAIT_2 and waits for the server's FIN. Why four segments and not three: this ACK comes from the kernel straight away, the server's FIN only when its application calls close(). CLOSE_WAIT is the time the application still has to send.",
            "服务器 TCP 立即确认这个 FIN（ack = FIN + 1），进入 CLOSE_WAIT；其应用读到文件结束（read() 返回 0）。客户端的 FIN 被确认后进入 FIN_WAIT_2，等待服务器的 FIN。为什么是四次而不是三次：这个 ACK 由内核立即发出，而服务器的 FIN 要等应用调用 close() 才发。CLOSE_WAIT 就是应用还可以继续发送数据的时间。",
        )),
        (9, t(
            "The server's application calls close(): a FIN, and the server enters LAST_ACK, waiting for the acknowledgment of its FIN. The client receives it in FIN_WAIT_2 and enters TIME_WAIT.",
            "服务器应用调用 close()：发出 FIN，服务器进入 LAST_ACK，等待对自己 FIN 的确认。客户端在 FIN_WAIT_2 收到它，进入 TIME_WAIT。",
        )),
        (10, t(
            "The last ACK: the server enters CLOSED and forgets the connection. The client stays in TIME_WAIT for 2*MSL (MSL, the maximum segment lifetime, is taken as 2 minutes by RFC 9293; Linux holds TIME_WAIT for a fixed 60 s). Two reasons: if this ACK is lost, the server sends its FIN again and the client must still be there to acknowledge it (the lesson time-wait shows it); and old duplicates of this connection must die out before the same ports carry a new one.",
            "最后一个 ACK：服务器进入 CLOSED，删除连接。客户端在 TIME_WAIT 停留 2*MSL（MSL 为报文段最大生存时间，RFC 9293 取 2 分钟；Linux 的 TIME_WAIT 固定为 60 秒）。两个原因：如果这个 ACK 丢失，服务器会重发 FIN，客户端必须还在，才能再次确认（见课程 time-wait）；并且本连接的旧报文段必须在网络中消失，同一对端口才能承载新连接。",
        )),
    ],
};

// RFC 9293 3.10.7.4: in FIN-WAIT-1, a FIN whose segment also acknowledges ours: TIME-WAIT.
pub(super) const SERVER_CLOSES_FIRST: Lesson = Lesson {
    name: "server-closes-first",
    title: t(
        "the server closes first, in three segments: the FIN+ACK acknowledges ours",
        "服务器先关闭，只用三个报文段：对方的 FIN+ACK 同时确认了我们的 FIN",
    ),
    capture: capture!("server-closes-first"),
    notes: &[
        (0, t(
            "Lesson: the server closes first, and the close takes three segments. Whoever closes first ends in TIME_WAIT: here, the server.",
            "课程：服务器先关闭，关闭只用三个报文段。谁先关闭，谁最后处于 TIME_WAIT：这里是服务器。",
        )),
        (6, t(
            "The server has sent its answer and closes: a FIN, FIN_WAIT_1. The client reads end-of-file (read() returns 0) and enters CLOSE_WAIT.",
            "服务器发完响应后关闭：发出 FIN，进入 FIN_WAIT_1。客户端读到文件结束（read() 返回 0），进入 CLOSE_WAIT。",
        )),
        (7, t(
            "The client had nothing more to send, so its application closed at once, before its TCP had sent the ACK of the server's FIN: one segment carries both, its FIN and ack = the server's FIN + 1. That is why this close took three segments instead of four. The server receives the acknowledgment of its FIN and the client's FIN together and goes from FIN_WAIT_1 straight to TIME_WAIT (RFC 9293 3.10.7.4); the client enters LAST_ACK.",
            "客户端没有要发送的数据了，应用立即关闭，此时 TCP 还没有发出对服务器 FIN 的确认：于是一个报文段同时携带了它的 FIN 和 ack = 服务器 FIN + 1。这就是这次关闭只用三个报文段而不是四个的原因。服务器同时收到对自己 FIN 的确认和客户端的 FIN，从 FIN_WAIT_1 直接进入 TIME_WAIT（RFC 9293 3.10.7.4）；客户端进入 LAST_ACK。",
        )),
        (8, t(
            "The server acknowledges the client's FIN; the client goes from LAST_ACK to CLOSED. The server, which closed first, holds TIME_WAIT for 2*MSL: a busy server that closes first collects TIME_WAIT entries, one for each client port.",
            "服务器确认客户端的 FIN，客户端从 LAST_ACK 进入 CLOSED。先关闭的服务器要在 TIME_WAIT 停留 2*MSL：一个繁忙且主动关闭的服务器会积累大量 TIME_WAIT，每个客户端端口一个。",
        )),
    ],
};

// RFC 9293 3.10.7.4 "TIME-WAIT STATE": a retransmitted FIN is acknowledged, the 2 MSL timeout
// restarted; 3.6 (why TIME-WAIT).
pub(super) const TIME_WAIT: Lesson = Lesson {
    name: "time-wait",
    title: t(
        "why TIME_WAIT waits 2*MSL: the last ACK is lost and the peer's FIN comes again",
        "TIME_WAIT 为什么等待 2*MSL：最后的 ACK 丢失，对方重发 FIN",
    ),
    capture: capture!("time-wait"),
    notes: &[
        (0, t(
            "Lesson: why TIME_WAIT waits. The capture is taken at the client. The client closes first as usual, but its last ACK is lost on its way to the server.",
            "课程：TIME_WAIT 为什么要等待。抓包点在客户端。客户端照常先关闭，但它的最后一个 ACK 在去往服务器的途中丢失了。",
        )),
        (9, t(
            "The server closes: a FIN, LAST_ACK. The client, in FIN_WAIT_2, receives it and enters TIME_WAIT.",
            "服务器关闭：发出 FIN，进入 LAST_ACK。处于 FIN_WAIT_2 的客户端收到它，进入 TIME_WAIT。",
        )),
        (10, t(
            "The client acknowledges the server's FIN. The capture saw it leave, but it never reaches the server: synack learns that only from the next segment, and so shows the server still in LAST_ACK here. The client does not know either; it is in TIME_WAIT and keeps the connection.",
            "客户端确认服务器的 FIN。抓包看到它已发出，但它没有到达服务器：synack 要到下一个报文段才知道这一点，因此这里显示服务器仍处于 LAST_ACK。客户端也不知道；它处于 TIME_WAIT，保留着这个连接。",
        )),
        (11, t(
            "No ACK came, so the server's retransmission timer fires and it sends its FIN again (about 200 ms later on Linux). This is the first reason for TIME_WAIT: had the client gone straight to CLOSED, this FIN would find no connection and be answered with a RST, and the server would report an error for a connection that had closed cleanly.",
            "服务器没有收到 ACK，重传定时器超时后再次发送 FIN（Linux 上约 200 毫秒后）。这正是 TIME_WAIT 的第一个原因：如果客户端直接进入 CLOSED，这个 FIN 会找不到连接，只能得到 RST 回应，服务器就会把一个正常关闭的连接当作出错。",
        )),
        (12, t(
            "The client, still in TIME_WAIT, acknowledges the FIN again and starts its 2*MSL over (RFC 9293 3.10.7.4). This ACK arrives: the server enters CLOSED. The second reason for the wait: old duplicates of this connection still in the network die out before the same four-tuple can carry a new connection. RFC 9293 takes MSL as 2 minutes; Linux holds TIME_WAIT for a fixed 60 s.",
            "仍在 TIME_WAIT 的客户端再次确认这个 FIN，并重新开始 2*MSL 计时（RFC 9293 3.10.7.4）。这次 ACK 到达了，服务器进入 CLOSED。等待的第二个原因：本连接滞留在网络中的旧报文段要先消失，同一个四元组才能承载新的连接。RFC 9293 取 MSL 为 2 分钟；Linux 的 TIME_WAIT 固定为 60 秒。",
        )),
    ],
};

// RFC 9293 3.10.7.1: a segment to a CLOSED port is answered with a reset; 3.5.2 (reset
// generation), 3.10.7.3 (SYN-SENT accepts a RST that acknowledges its SYN).
pub(super) const REFUSED: Lesson = Lesson {
    name: "refused",
    title: t(
        "a refused connection: no socket listens, the SYN is answered by RST",
        "连接被拒绝：没有套接字在监听，SYN 得到 RST",
    ),
    capture: capture!("refused"),
    notes: &[
        (0, t(
            "Lesson: a refused connection. The client connects to port 81 of a host where no program has called listen() on that port.",
            "课程：连接被拒绝。客户端连接一台主机的 81 端口，而该端口上没有任何程序调用过 listen()。",
        )),
        (1, t(
            "connect() sends a SYN as always: the client cannot know beforehand whether anything listens.",
            "connect() 照常发送 SYN：客户端无法事先知道对方是否在监听。",
        )),
        (2, t(
            "No socket listens on port 81, so the host's TCP answers the SYN with RST+ACK: a segment for a connection that does not exist is answered with a reset (RFC 9293 3.10.7.1). Its ACK acknowledges the SYN, which is how the client knows the reset answers it and is not forged (3.10.7.3). connect() fails with ECONNREFUSED, \"Connection refused\". The server side never had a connection: it was CLOSED throughout, never LISTEN.",
            "81 端口上没有套接字在监听，主机的 TCP 用 RST+ACK 回应这个 SYN：发往不存在连接的报文段会得到复位（RFC 9293 3.10.7.1）。其中的 ACK 确认了这个 SYN，客户端据此知道这个 RST 是对它的回应，而不是伪造的（3.10.7.3）。connect() 失败，返回 ECONNREFUSED（“Connection refused”）。服务器一侧从来没有过连接：它一直是 CLOSED，从未处于 LISTEN。",
        )),
    ],
};

// RFC 6298 (initial RTO 1 s, doubling); RFC 9293 3.8.1 (retransmission timeout).
pub(super) const SYN_TIMEOUT: Lesson = Lesson {
    name: "syn-timeout",
    title: t(
        "a SYN nobody answers: retries with exponential backoff, then ETIMEDOUT",
        "无人应答的 SYN：指数退避重传，最后 ETIMEDOUT",
    ),
    capture: capture!("syn-timeout"),
    notes: &[
        (0, t(
            "Lesson: a SYN nobody answers. The server's address does not answer at all (the host is down, or a firewall drops the SYN silently): no SYN+ACK, and no RST either.",
            "课程：无人应答的 SYN。服务器地址完全没有回应（主机宕机，或防火墙悄悄丢弃了 SYN）：没有 SYN+ACK，也没有 RST。",
        )),
        (1, t(
            "connect() sends a SYN and starts the retransmission timer, at 1 s for a first segment (RFC 6298).",
            "connect() 发送 SYN 并启动重传定时器，第一个报文段的超时为 1 秒（RFC 6298）。",
        )),
        (2, t(
            "No answer within 1 s: the same SYN again, with the same ISN. Each retry doubles the timeout (exponential backoff), so that a congested or dead path is not flooded.",
            "1 秒内没有回应：再次发送同样的 SYN，ISN 不变。每次重试都把超时时间加倍（指数退避），以免向拥塞或不通的路径大量发送。",
        )),
        (4, t(
            "The gaps so far are 1, 2 and 4 s: the timeout doubles each time. The client stays in SYN_SENT throughout.",
            "到目前为止的间隔是 1、2、4 秒：超时时间每次加倍。客户端一直处于 SYN_SENT。",
        )),
        (7, t(
            "The sixth retry (Linux's net.ipv4.tcp_syn_retries is 6), 32 s after the fifth. If it is not answered within 64 s, connect() gives up with ETIMEDOUT, about 127 s after the first SYN. A refused connection fails at once, a silent one only after minutes: that is how a closed port is told from a filtered one.",
            "第六次重试（Linux 的 net.ipv4.tcp_syn_retries 为 6），距第五次 32 秒。如果 64 秒内仍无回应，connect() 放弃并返回 ETIMEDOUT，距第一个 SYN 约 127 秒。被拒绝的连接立即失败，无人应答的连接要几分钟后才失败：由此可以区分端口关闭和被过滤。",
        )),
    ],
};

// RFC 9293 3.5, figure 8 (simultaneous connection synchronization); 3.10.7.3.
pub(super) const SIMULTANEOUS_OPEN: Lesson = Lesson {
    name: "simultaneous-open",
    title: t(
        "simultaneous open: both ends connect() at once, no listener, four segments",
        "同时打开：双方同时 connect()，没有监听方，共四个报文段",
    ),
    capture: capture!("simultaneous-open"),
    notes: &[
        (0, t(
            "Lesson: simultaneous open. Neither end listens: both call connect() to each other at the same moment (peer-to-peer programs do this to get through NAT). RFC 9293 allows it (3.5, figure 8).",
            "课程：同时打开。双方都不监听，而是在同一时刻互相调用 connect()（点对点程序穿越 NAT 时会这样做）。RFC 9293 允许这种情况（3.5，图 8）。",
        )),
        (1, t(
            "The left end's connect(): a SYN, SYN_SENT.",
            "左边一端调用 connect()：发出 SYN，进入 SYN_SENT。",
        )),
        (2, t(
            "Before that SYN arrives, the right end sends its own: it is in SYN_SENT too. Each SYN then reaches an end in SYN_SENT, which enters SYN_RECEIVED (RFC 9293 3.10.7.3), not ESTABLISHED: its own SYN is not acknowledged yet.",
            "在那个 SYN 到达之前，右边一端也发出了自己的 SYN：它同样处于 SYN_SENT。随后每个 SYN 都到达一个处于 SYN_SENT 的端，该端进入 SYN_RECEIVED（RFC 9293 3.10.7.3），而不是 ESTABLISHED：它自己的 SYN 还没有被确认。",
        )),
        (3, t(
            "Each end answers the SYN it received with a SYN+ACK: its own SYN again, and the acknowledgment of the peer's ISN.",
            "每一端都用 SYN+ACK 回应收到的 SYN：再次带上自己的 SYN，并确认对方的 ISN。",
        )),
        (4, t(
            "Both ISNs are now acknowledged: both ends are ESTABLISHED after four segments, with no listener and no accept(). The rule is the same as in the three-way handshake: every ISN must be acknowledged by the other side.",
            "现在两个 ISN 都已被确认：四个报文段之后双方都进入 ESTABLISHED，没有监听方，也没有 accept()。规则与三次握手相同：每个 ISN 都必须由对方确认。",
        )),
    ],
};

// RFC 9293 3.6, figure 13 (simultaneous close); 3.10.7.4 (CLOSING).
pub(super) const SIMULTANEOUS_CLOSE: Lesson = Lesson {
    name: "simultaneous-close",
    title: t(
        "simultaneous close: the FINs cross, both ends pass through CLOSING",
        "同时关闭：两个 FIN 交叉，双方都经过 CLOSING",
    ),
    capture: capture!("simultaneous-close"),
    notes: &[
        (0, t(
            "Lesson: simultaneous close. Both applications call close() at the same moment: the two FINs cross on the wire (RFC 9293 3.6, figure 13).",
            "课程：同时关闭。双方应用在同一时刻调用 close()：两个 FIN 在线路上交叉（RFC 9293 3.6，图 13）。",
        )),
        (6, t(
            "The client's close(): a FIN, FIN_WAIT_1.",
            "客户端调用 close()：发出 FIN，进入 FIN_WAIT_1。",
        )),
        (7, t(
            "The server's FIN left before the client's arrived: it does not acknowledge it (its ack is the old value). So the server was in FIN_WAIT_1 too, and each end then receives a FIN while its own is unacknowledged: both enter CLOSING (RFC 9293 3.10.7.4), not CLOSE_WAIT.",
            "服务器的 FIN 在客户端的 FIN 到达之前就已发出：它没有确认客户端的 FIN（ack 仍是旧值）。所以服务器也处于 FIN_WAIT_1，随后每一端都在自己的 FIN 尚未被确认时收到对方的 FIN：双方都进入 CLOSING（RFC 9293 3.10.7.4），而不是 CLOSE_WAIT。",
        )),
        (8, t(
            "Each end acknowledges the other's FIN. An end in CLOSING whose FIN is acknowledged enters TIME_WAIT: both ends closed first, so both hold TIME_WAIT.",
            "双方各自确认对方的 FIN。处于 CLOSING 的一端在自己的 FIN 被确认后进入 TIME_WAIT：双方都是先关闭的一方，所以双方都要停留在 TIME_WAIT。",
        )),
    ],
};

// RFC 9293 3.6 (a half-closed connection may still receive), 3.10.4 (CLOSE in CLOSE-WAIT).
pub(super) const HALF_CLOSE: Lesson = Lesson {
    name: "half-close",
    title: t(
        "half-close: shutdown(SHUT_WR), and data still flowing after the first FIN",
        "半关闭：shutdown(SHUT_WR)，第一个 FIN 之后数据仍在流动",
    ),
    capture: capture!("half-close"),
    notes: &[
        (0, t(
            "Lesson: half-close. The client sends its request, then calls shutdown(SHUT_WR): it will send nothing more but still reads the answer. Programs use it to say \"end of request\" (nc -N does).",
            "课程：半关闭。客户端发送请求后调用 shutdown(SHUT_WR)：它不再发送，但仍然读取响应。程序用它表示“请求结束”（例如 nc -N）。",
        )),
        (5, t(
            "shutdown(SHUT_WR): the client's FIN right after its request. FIN_WAIT_1, then FIN_WAIT_2 once it is acknowledged; the socket stays open for reading.",
            "shutdown(SHUT_WR)：请求之后紧跟着客户端的 FIN。进入 FIN_WAIT_1，被确认后进入 FIN_WAIT_2；套接字仍然可以读取。",
        )),
        (6, t(
            "The server acknowledges the FIN: its application reads end-of-file and it is in CLOSE_WAIT. CLOSE_WAIT does not mean \"closing\": the server may still send as much as it likes.",
            "服务器确认这个 FIN：其应用读到文件结束，处于 CLOSE_WAIT。CLOSE_WAIT 并不表示“正在关闭”：服务器仍然可以发送任意多的数据。",
        )),
        (7, t(
            "Data after the first FIN: the half-close at work. The server answers from CLOSE_WAIT, and the client, in FIN_WAIT_2, receives and acknowledges it (RFC 9293 3.6). This is why each direction is closed on its own.",
            "第一个 FIN 之后的数据：这就是半关闭。服务器在 CLOSE_WAIT 中发送响应，处于 FIN_WAIT_2 的客户端接收并确认（RFC 9293 3.6）。这就是每个方向要各自关闭的原因。",
        )),
        (11, t(
            "The server has sent everything and closes: a FIN, LAST_ACK. The client reads end-of-file and enters TIME_WAIT.",
            "服务器发完所有数据后关闭：发出 FIN，进入 LAST_ACK。客户端读到文件结束，进入 TIME_WAIT。",
        )),
        (12, t(
            "The last ACK: the server is CLOSED, the client holds TIME_WAIT for 2*MSL.",
            "最后一个 ACK：服务器进入 CLOSED，客户端在 TIME_WAIT 停留 2*MSL。",
        )),
    ],
};

// RFC 9293 3.5.2 (reset processing), 3.10.7.4 "second: check the RST bit".
pub(super) const RESET: Lesson = Lesson {
    name: "reset",
    title: t(
        "a reset: an established connection aborted by RST, no TIME_WAIT",
        "复位：已建立的连接被 RST 中止，没有 TIME_WAIT",
    ),
    capture: capture!("reset"),
    notes: &[
        (0, t(
            "Lesson: a reset. A connection can also end abruptly, without the FIN exchange: one end sends a RST.",
            "课程：复位。连接也可以不经过 FIN 交换而突然结束：一端发送 RST。",
        )),
        (6, t(
            "The server aborts the connection (its process crashed, closed with unread data, or set SO_LINGER to 0; or a firewall on the path injected it): a RST. A RST is never acknowledged or retransmitted (RFC 9293 3.5.2). Both ends go straight to CLOSED and neither waits in TIME_WAIT; the client's next read() or write() fails with ECONNRESET, \"Connection reset by peer\". Data not yet delivered is lost.",
            "服务器中止了连接（进程崩溃、关闭时还有未读数据、或设置了 SO_LINGER 为 0；也可能是路径上的防火墙注入的）：发出 RST。RST 从不被确认，也不会重传（RFC 9293 3.5.2）。双方直接进入 CLOSED，都不经过 TIME_WAIT；客户端下一次 read() 或 write() 失败，返回 ECONNRESET（“Connection reset by peer”）。尚未交付的数据全部丢失。",
        )),
    ],
};
