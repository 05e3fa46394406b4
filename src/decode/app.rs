//! The data named: a short label for the first bytes of a segment's payload (an HTTP request
//! line, a TLS ClientHello's server name, an SSH banner, ...) and the service it shows, with
//! Zeek's service names.
//!
//! Pure and on byte slices: [`sniff`] reads the captured payload (maybe cut by snaplen, maybe
//! the first part of a record split across segments) and says what it can, or nothing; it
//! never panics on any input. [`may_label`] is the one-byte test the decoder runs first, so a
//! bulk segment costs one comparison. The payload decides; the ports only break ties the text
//! cannot (a `220` greeting that names neither SMTP nor FTP, `USER` sent to FTP or POP3, a
//! bare `+OK` from POP3 or Redis). Every label is escaped ([`crate::escape`]) and at most
//! [`MAX_CHARS`] characters.

use std::fmt::Write as _;

use super::Endpoint;
use crate::escape::escape_bytes;

/// Longest label, in characters (an ellipsis ends a label cut short).
pub const MAX_CHARS: usize = 60;
/// Bytes of a text line looked at: enough for any label once escaped and cut.
const MAX_LINE: usize = 256;

/// What a payload was recognised as, by Zeek's service name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Http,
    /// TLS (Zeek calls it `ssl`).
    Ssl,
    Ssh,
    Smtp,
    Ftp,
    Pop3,
    Imap,
    Dns,
    Redis,
    WebSocket,
    Irc,
}

impl Service {
    /// The name in Zeek's conn.log `service` column (Zeek 7's analyzers for the last two).
    pub fn zeek_name(self) -> &'static str {
        match self {
            Service::Http => "http",
            Service::Ssl => "ssl",
            Service::Ssh => "ssh",
            Service::Smtp => "smtp",
            Service::Ftp => "ftp",
            Service::Pop3 => "pop3",
            Service::Imap => "imap",
            Service::Dns => "dns",
            Service::Redis => "redis",
            Service::WebSocket => "websocket",
            Service::Irc => "irc",
        }
    }

    /// The protocol's usual name, for people (`TLS`, not `ssl`).
    pub fn display_name(self) -> &'static str {
        match self {
            Service::Http => "HTTP",
            Service::Ssl => "TLS",
            Service::Ssh => "SSH",
            Service::Smtp => "SMTP",
            Service::Ftp => "FTP",
            Service::Pop3 => "POP3",
            Service::Imap => "IMAP",
            Service::Dns => "DNS",
            Service::Redis => "Redis",
            Service::WebSocket => "WebSocket",
            Service::Irc => "IRC",
        }
    }
}

/// A payload's label: escaped, bounded text, and the service it shows when the text (or,
/// for a tie, a port) says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLabel {
    pub service: Option<Service>,
    pub text: Box<str>,
    /// The whole of a TLS hello whose first piece was labelled on an earlier segment
    /// ([`HelloJoin`]): this text replaces that label's.
    pub joined: bool,
}

/// TLS hellos split over segments, joined to be read whole: a ClientHello with a
/// post-quantum key share (about 1.8 KB) is larger than one segment, and its server name
/// may be in the second. A hello's first piece is kept (at most [`MAX_HELLO`] bytes, for at
/// most [`MAX_PENDING`] directions at once, the oldest dropped) until the segment that
/// follows it in sequence completes the record.
#[derive(Debug, Default)]
pub struct HelloJoin {
    pending: Vec<Pending>,
}

#[derive(Debug)]
struct Pending {
    from: Endpoint,
    to: Endpoint,
    next_seq: u32,
    buf: Vec<u8>,
    need: usize,
}

/// The longest hello joined (a TLS record is at most 16 KiB and its header).
pub const MAX_HELLO: usize = 16 * 1024 + 5;
/// Directions with a hello being joined at once.
pub const MAX_PENDING: usize = 64;

impl HelloJoin {
    /// After `label` was made from `p`, the whole payload of a segment from `from` to `to`
    /// at `seq`: keeps it if it is the first piece of a longer TLS hello.
    pub fn start(&mut self, label: &AppLabel, from: Endpoint, to: Endpoint, seq: u32, p: &[u8]) {
        if label.service != Some(Service::Ssl) || p.len() < 5 {
            return;
        }
        let need = 5 + usize::from(u16::from_be_bytes([p[3], p[4]]));
        if need <= p.len() || need > MAX_HELLO {
            return;
        }
        self.pending.retain(|q| (q.from, q.to) != (from, to));
        if self.pending.len() >= MAX_PENDING {
            self.pending.remove(0);
        }
        self.pending.push(Pending {
            from,
            to,
            next_seq: seq.wrapping_add(p.len() as u32),
            buf: p.to_vec(),
            need,
        });
    }

    /// A segment's payload `p` (captured whole): if it continues a hello being joined, the
    /// label of the whole once it is complete. Anything out of sequence waits (a
    /// retransmission of the first piece, say); a cut payload ends the join.
    pub fn feed(
        &mut self,
        from: Endpoint,
        to: Endpoint,
        seq: u32,
        p: &[u8],
        declared: usize,
    ) -> Option<AppLabel> {
        if self.pending.is_empty() {
            return None;
        }
        let i = self
            .pending
            .iter()
            .position(|q| (q.from, q.to) == (from, to))?;
        let q = &mut self.pending[i];
        if seq != q.next_seq {
            return None;
        }
        let take = p.len().min(q.need - q.buf.len());
        q.buf.extend_from_slice(&p[..take]);
        q.next_seq = seq.wrapping_add(p.len() as u32);
        if q.buf.len() < q.need && p.len() == declared {
            return None;
        }
        let q = self.pending.remove(i);
        let mut l = tls(&q.buf)?;
        l.joined = true;
        Some(l)
    }
}

/// Whether a payload starting with `b` could be labelled: the decoder's cheap test before
/// [`sniff`]. Generated and bulk payloads (zeros, lowercase text) mostly fail it, and a DNS
/// message's length byte (0) is let through to [`sniff`]'s own quick length check.
#[inline]
pub fn may_label(b: u8) -> bool {
    matches!(
        b,
        0x00 | 0x16 | b'+' | b'*' | b'-' | b':' | b'2' | b'3' | b'4' | b'5' | b'A'..=b'Z'
    )
}

/// The label for a payload whose first captured bytes are `p` (`declared`: its length as the
/// IP header gives it), sent from port `sport` to `dport`.
pub fn sniff(p: &[u8], declared: usize, sport: u16, dport: u16) -> Option<AppLabel> {
    let mut l = sniff_whole(p, sport, dport, declared)?;
    // A label from a payload the capture cut (snaplen) before its first line ended says so.
    if p.len() < declared && !p.contains(&b'\n') && !l.text.ends_with('…') {
        let mut t = l.text.into_string();
        if t.chars().count() >= MAX_CHARS {
            t.pop();
        }
        t.push('…');
        l.text = t.into();
    }
    Some(l)
}

fn sniff_whole(p: &[u8], sport: u16, dport: u16, declared: usize) -> Option<AppLabel> {
    let first = *p.first()?;
    if !may_label(first) {
        return None;
    }
    let ports = [sport, dport];
    let on = |list: &[u16]| ports.iter().any(|p| list.contains(p));
    match first {
        0x00 => dns(p, declared),
        0x16 => tls(p),
        b'S' if p.starts_with(b"SSH-") => line(p).map(|l| label(Service::Ssh, l)),
        b'H' if p.starts_with(b"HTTP/1.") || p.starts_with(b"HTTP/2") => http_status(p),
        b'P' if p.starts_with(b"PRI * HTTP/2.0") => Some(label(Service::Http, b"HTTP/2 preface")),
        b'*' => resp_array(p).or_else(|| imap_untagged(p)),
        b'+' | b'-' => plus_minus(p, on),
        b'2'..=b'5' => reply_code(p, on),
        b':' => irc_prefixed(p),
        _ => http_request(p).or_else(|| command(p, on)),
    }
}

fn label(service: Service, text: &[u8]) -> AppLabel {
    AppLabel {
        service: Some(service),
        text: bound(&escape_bytes(text)),
        joined: false,
    }
}

fn unknown(text: &[u8]) -> AppLabel {
    AppLabel {
        service: None,
        text: bound(&escape_bytes(text)),
        joined: false,
    }
}

/// `s` cut to [`MAX_CHARS`], an ellipsis marking the cut.
fn bound(s: &str) -> Box<str> {
    match s.char_indices().nth(MAX_CHARS - 1) {
        Some((i, _)) if s.chars().count() > MAX_CHARS => format!("{}…", &s[..i]).into(),
        _ => s.into(),
    }
}

/// The first line of a text payload, without its CR LF: the whole captured payload if no line
/// end was captured (snaplen), `None` if it holds a NUL (binary data, not a text line).
/// Other control bytes are kept, to be shown escaped.
fn line(p: &[u8]) -> Option<&[u8]> {
    let p = &p[..p.len().min(MAX_LINE)];
    let end = p.iter().position(|&b| b == b'\n').unwrap_or(p.len());
    let l = &p[..end];
    let l = l.strip_suffix(b"\r").unwrap_or(l);
    if l.is_empty() || l.contains(&0) {
        return None;
    }
    Some(l)
}

const METHODS: [&[u8]; 9] = [
    b"GET", b"POST", b"PUT", b"HEAD", b"DELETE", b"OPTIONS", b"PATCH", b"CONNECT", b"TRACE",
];

/// `GET /index.html HTTP/1.1`, with ` (Upgrade: websocket)` when the request asks for it.
fn http_request(p: &[u8]) -> Option<AppLabel> {
    let l = line(p)?;
    let sp = l.iter().position(|&b| b == b' ')?;
    if !METHODS.contains(&&l[..sp]) {
        return None;
    }
    let rest = &l[sp + 1..];
    // A whole line ends in the version; one cut by snaplen is taken on its method and target.
    let whole = l.len() < p.len().min(MAX_LINE);
    // HTTP/0.9's request is `GET /path` alone (Zeek's analyzer takes it too).
    let simple =
        &l[..sp] == b"GET" && rest.first() == Some(&b'/') && !rest.contains(&b' ') && whole;
    let version_ok = rest.windows(7).any(|w| w == b" HTTP/1" || w == b" HTTP/2")
        || simple
        || (!whole && rest.first().is_some_and(|b| b.is_ascii_graphic()));
    if !version_ok {
        return None;
    }
    if upgrade_websocket(p) {
        let mut t = escape_bytes(l);
        t.push_str(" (Upgrade: websocket)");
        return Some(AppLabel {
            service: Some(Service::Http),
            text: bound(&t),
            joined: false,
        });
    }
    Some(label(Service::Http, l))
}

/// `HTTP/1.1 200 OK`; a `101` that upgrades to WebSocket is WebSocket's.
fn http_status(p: &[u8]) -> Option<AppLabel> {
    let l = line(p)?;
    let sp = l.iter().position(|&b| b == b' ')?;
    let code = l.get(sp + 1..sp + 4)?;
    if !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let service = if code == b"101" && upgrade_websocket(p) {
        Service::WebSocket
    } else {
        Service::Http
    };
    Some(label(service, l))
}

/// An `Upgrade: websocket` header among the captured ones (any case, as HTTP allows).
fn upgrade_websocket(p: &[u8]) -> bool {
    let head = &p[..p.len().min(2048)];
    head.split(|&b| b == b'\n').any(|h| {
        let h = h.strip_suffix(b"\r").unwrap_or(h);
        h.len() > 8
            && h[..8].eq_ignore_ascii_case(b"upgrade:")
            && h[8..].trim_ascii().eq_ignore_ascii_case(b"websocket")
    })
}

/// `*OK`, `* PREAUTH`, `* BYE` from an IMAP server.
fn imap_untagged(p: &[u8]) -> Option<AppLabel> {
    let l = line(p)?;
    let ok = [&b"* OK"[..], b"* PREAUTH", b"* BYE", b"* CAPABILITY"]
        .iter()
        .any(|s| l.starts_with(s));
    ok.then(|| label(Service::Imap, l))
}

/// A Redis command as RESP sends it: `*3\r\n$3\r\nSET\r\n...` is `Redis SET`.
fn resp_array(p: &[u8]) -> Option<AppLabel> {
    let mut lines = p.split(|&b| b == b'\n');
    let count = lines.next()?.strip_suffix(b"\r")?;
    let n = count.strip_prefix(b"*")?;
    if n.is_empty() || n.len() > 4 || !n.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let len = lines.next()?.strip_suffix(b"\r")?.strip_prefix(b"$")?;
    if len.is_empty() || len.len() > 3 || !len.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let name = lines.next()?;
    let name = name.strip_suffix(b"\r").unwrap_or(name);
    let name = &name[..name.len().min(32)];
    if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphabetic() || *b == b'.') {
        return None;
    }
    let mut t = String::from("Redis ");
    t.push_str(&name.to_ascii_uppercase().escape_ascii().to_string());
    Some(AppLabel {
        service: Some(Service::Redis),
        text: bound(&t),
        joined: false,
    })
}

/// `+OK ...` and `-ERR ...`: a POP3 server's status line, unless it is a Redis simple reply
/// (`+PONG`, or anything on Redis's port).
fn plus_minus(p: &[u8], on: impl Fn(&[u16]) -> bool) -> Option<AppLabel> {
    let l = line(p)?;
    if on(&[6379]) {
        return Some(label(Service::Redis, l));
    }
    if l.starts_with(b"+OK ") || l.starts_with(b"-ERR ") {
        return Some(label(Service::Pop3, l));
    }
    // A bare `+OK` is either's: the port decides, else it is shown without a service.
    match l {
        b"+PONG" => Some(label(Service::Redis, l)),
        b"+OK" if on(&[110, 995]) => Some(label(Service::Pop3, l)),
        b"+OK" => Some(unknown(l)),
        _ => None,
    }
}

const SMTP_PORTS: [u16; 4] = [25, 465, 587, 2525];
const FTP_PORTS: [u16; 3] = [21, 990, 2121];

/// A three-digit reply (`220 mail.example.com ESMTP`): SMTP or FTP, by what the greeting
/// names, else by the port; a reply neither decides is labelled without a service.
fn reply_code(p: &[u8], on: impl Fn(&[u16]) -> bool) -> Option<AppLabel> {
    let l = line(p)?;
    let code = l.get(..3)?;
    if !code.iter().all(u8::is_ascii_digit) || !matches!(l.get(3), Some(b' ' | b'-') | None) {
        return None;
    }
    let upper = l.to_ascii_uppercase();
    let names = |w: &[u8]| upper.windows(w.len()).any(|x| x == w);
    let service = if names(b"SMTP") || (names(b"MAIL") && !names(b"FTP")) {
        Some(Service::Smtp)
    } else if names(b"FTP") {
        Some(Service::Ftp)
    } else if on(&SMTP_PORTS) {
        Some(Service::Smtp)
    } else if on(&FTP_PORTS) {
        Some(Service::Ftp)
    } else {
        None
    };
    Some(match service {
        Some(s) => label(s, l),
        None => unknown(l),
    })
}

/// A client's first command line in SMTP, FTP, POP3 or IMAP.
fn command(p: &[u8], on: impl Fn(&[u16]) -> bool) -> Option<AppLabel> {
    let l = line(p)?;
    let word = l.split(|&b| b == b' ').next()?.to_ascii_uppercase();
    let service = match word.as_slice() {
        b"EHLO" | b"HELO" => Service::Smtp,
        // SMTP's, and IRC's too: the port decides, else the server's answer does.
        b"STARTTLS" if on(&SMTP_PORTS) => Service::Smtp,
        b"STARTTLS" => return Some(unknown(l)),
        b"NICK" => Service::Irc,
        // IRC's `USER name mode unused :real name` (FTP's and POP3's take one word).
        b"USER" if l.windows(2).any(|w| w == b" :") => Service::Irc,
        b"MAIL" if l.len() > 10 && l[..10].eq_ignore_ascii_case(b"MAIL FROM:") => Service::Smtp,
        b"CAPA" | b"STLS" | b"APOP" => Service::Pop3,
        b"AUTH" | b"USER" | b"PASS" | b"QUIT" => {
            if on(&FTP_PORTS) {
                Service::Ftp
            } else if on(&[110, 995]) {
                Service::Pop3
            } else if on(&SMTP_PORTS) && word == b"AUTH" {
                Service::Smtp
            } else {
                // Shown, but which service sent it is left to the server's greeting.
                return (word != b"PASS" && word != b"QUIT").then(|| unknown(l));
            }
        }
        _ => return None,
    };
    // A password is not shown.
    if word == b"PASS" {
        return Some(label(service, b"PASS ****"));
    }
    Some(label(service, l))
}

/// An IRC line with a prefix: `:irc.example.net 001 nick :Welcome`, `:nick!u@h PRIVMSG ...`:
/// a prefix of visible characters, then a three-digit numeric or a command in capitals.
fn irc_prefixed(p: &[u8]) -> Option<AppLabel> {
    let l = line(p)?;
    let mut words = l[1..].split(|&b| b == b' ');
    let prefix = words.next()?;
    let cmd = words.next()?;
    let numeric = cmd.len() == 3 && cmd.iter().all(u8::is_ascii_digit);
    let command = cmd.len() >= 3 && cmd.iter().all(u8::is_ascii_uppercase);
    (!prefix.is_empty() && prefix.iter().all(u8::is_ascii_graphic) && (numeric || command))
        .then(|| label(Service::Irc, l))
}

/// A TLS record carrying a ClientHello or ServerHello, as far as it was captured.
fn tls(p: &[u8]) -> Option<AppLabel> {
    // Record: type 22 (handshake), version 3.x, length; then the handshake's type and length.
    if p.len() < 6 || p[1] != 3 || p[2] > 4 {
        return None;
    }
    let body = &p[5..];
    let hs = match body[0] {
        1 => "ClientHello",
        2 => "ServerHello",
        _ => return None,
    };
    let mut t = format!("TLS {hs}");
    // After the handshake header: version (2), random (32).
    let mut r = Reader(body.get(4..).unwrap_or(&[]));
    let legacy = r.u16();
    let done = |t: String| AppLabel {
        service: Some(Service::Ssl),
        text: bound(&t),
        joined: false,
    };
    if r.skip(32).is_none() {
        return Some(done(t));
    }
    let mut sni = None;
    let mut alpn: Vec<&[u8]> = Vec::new();
    let mut version = None;
    let parsed = (|| {
        r.vec8()?; // session id
        if hs == "ClientHello" {
            r.vec16()?; // cipher suites
            r.vec8()?; // compression methods
        } else {
            r.u16()?; // cipher suite
            r.u8()?; // compression method
        }
        let mut ext = Reader(r.vec16_or_rest()?);
        while let (Some(kind), Some(data)) = (ext.u16(), ext.vec16_or_rest()) {
            let mut d = Reader(data);
            match kind {
                0 => {
                    let mut list = Reader(d.vec16_or_rest()?);
                    while let (Some(nt), Some(name)) = (list.u8(), list.vec16_or_rest()) {
                        if nt == 0 && sni.is_none() {
                            sni = Some(name);
                        }
                    }
                }
                16 => {
                    let mut list = Reader(d.vec16_or_rest()?);
                    while let Some(proto) = list.vec8_or_rest() {
                        alpn.push(proto);
                    }
                }
                43 if hs == "ServerHello" => version = d.u16(),
                _ => {}
            }
        }
        Some(())
    })();
    let _ = parsed;
    if let Some(name) = sni {
        let _ = write!(t, " SNI={}", escape_bytes(name));
    }
    if !alpn.is_empty() {
        let list: Vec<String> = alpn.iter().map(|a| escape_bytes(a)).collect();
        let _ = write!(t, " ALPN={}", list.join(","));
    }
    if hs == "ServerHello" {
        if let Some(v) = version.or(legacy).and_then(tls_version) {
            let _ = write!(t, " {v}");
        }
    }
    Some(done(t))
}

fn tls_version(v: u16) -> Option<&'static str> {
    Some(match v {
        0x0300 => "SSL 3.0",
        0x0301 => "TLS 1.0",
        0x0302 => "TLS 1.1",
        0x0303 => "TLS 1.2",
        0x0304 => "TLS 1.3",
        _ => return None,
    })
}

/// A DNS message over TCP (RFC 1035 4.2.2: a two-byte length first): `DNS query example.com`.
fn dns(p: &[u8], declared: usize) -> Option<AppLabel> {
    let mut r = Reader(p);
    let len = usize::from(r.u16()?);
    // The length must be the segment's (one message a segment, the common case).
    if len < 17 || len + 2 != declared {
        return None;
    }
    dns_body(r)
}

/// A DNS message over UDP (one message a datagram, no length first), as [`dns`] names it.
pub fn dns_message(p: &[u8]) -> Option<AppLabel> {
    if p.len() < 17 {
        return None;
    }
    dns_body(Reader(p))
}

/// The header and question of a DNS message, read by `r`.
fn dns_body(mut r: Reader<'_>) -> Option<AppLabel> {
    r.u16()?; // id
    let flags = r.u16()?;
    let (qd, an) = (r.u16()?, r.u16()?);
    // Opcode QUERY, the Z bit clear, one question.
    if flags & 0x7800 != 0 || flags & 0x0040 != 0 || qd != 1 || an > 256 {
        return None;
    }
    r.skip(4)?; // NS and AR counts
    let mut name = String::new();
    loop {
        let n = r.u8()?;
        if n == 0 {
            break;
        }
        if n > 63 {
            return None;
        }
        let l = r.take(usize::from(n))?;
        if !l.iter().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&escape_bytes(l));
        if name.len() > MAX_LINE {
            return None;
        }
    }
    let qtype = r.u16()?;
    if r.u16()? != 1 {
        return None; // class IN
    }
    let kind = if flags & 0x8000 == 0 {
        "query"
    } else {
        "response"
    };
    let name = if name.is_empty() { "." } else { &name };
    let mut t = format!("DNS {kind} {name}");
    if let Some(q) = qtype_name(qtype) {
        let _ = write!(t, " {q}");
    }
    Some(AppLabel {
        service: Some(Service::Dns),
        text: bound(&t),
        joined: false,
    })
}

fn qtype_name(t: u16) -> Option<&'static str> {
    Some(match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        65 => "HTTPS",
        252 => "AXFR",
        255 => "ANY",
        _ => return None,
    })
}

/// Big-endian fields off a slice, `None` once it runs out.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = b;
        Some(a)
    }
    fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }
    /// A length-prefixed field, or what was captured of it (a record cut by snaplen or split
    /// across segments): what is there is still read.
    fn vec16_or_rest(&mut self) -> Option<&'a [u8]> {
        let n = usize::from(self.u16()?);
        Some(self.take(n).unwrap_or_else(|| std::mem::take(&mut self.0)))
    }
    fn vec8_or_rest(&mut self) -> Option<&'a [u8]> {
        let n = usize::from(self.u8()?);
        if n == 0 {
            return None;
        }
        Some(self.take(n).unwrap_or_else(|| std::mem::take(&mut self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::payloads::{client_hello, dns_query, server_hello};

    fn text(p: &[u8], sport: u16, dport: u16) -> Option<(Option<&'static str>, String)> {
        sniff(p, p.len(), sport, dport).map(|l| (l.service.map(Service::zeek_name), l.text.into()))
    }
    fn one(p: &[u8]) -> (Option<&'static str>, String) {
        text(p, 40000, 9).expect("a label")
    }

    #[test]
    fn http_request_and_status_lines() {
        let req = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
        assert_eq!(one(req), (Some("http"), "GET /index.html HTTP/1.1".into()));
        let resp = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(one(resp), (Some("http"), "HTTP/1.1 404 Not Found".into()));
        assert_eq!(one(b"POST /api HTTP/1.0\r\n").1, "POST /api HTTP/1.0");
        // Not a method, not a request line.
        assert_eq!(text(b"GETX / HTTP/1.1\r\n", 1, 80), None);
        // HTTP/0.9: `GET /path` alone is a request (and only GET, only a whole line).
        assert_eq!(one(b"GET /\r\n\r\n"), (Some("http"), "GET /".into()));
        assert_eq!(text(b"POST /\r\n", 1, 80), None);
        assert_eq!(text(b"GET / x\r\n", 1, 80), None);
        assert_eq!(
            sniff(b"GET /", 20, 1, 80).map(|l| l.text),
            Some("GET /…".into())
        );
        assert_eq!(text(b"HTTP/1.1 abc\r\n", 1, 80), None);
    }

    #[test]
    fn http_request_cut_by_snaplen_keeps_its_method_and_target() {
        let full = b"GET /a/long/path?q=1 HTTP/1.1\r\nHost: x\r\n\r\n";
        let cut = &full[..14];
        assert_eq!(
            sniff(cut, full.len(), 1, 80).map(|l| l.text),
            Some("GET /a/long/pa…".into())
        );
    }

    #[test]
    fn websocket_upgrade_request_and_101() {
        let req =
            b"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        assert_eq!(
            one(req),
            (
                Some("http"),
                "GET /chat HTTP/1.1 (Upgrade: websocket)".into()
            )
        );
        let resp = b"HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n\r\n";
        assert_eq!(
            one(resp),
            (Some("websocket"), "HTTP/1.1 101 Switching Protocols".into())
        );
        // A 101 to something else stays HTTP's.
        let h2c = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n";
        assert_eq!(one(h2c).0, Some("http"));
    }

    #[test]
    fn tls_client_hello_names_the_server_and_protocols() {
        assert_eq!(
            one(&client_hello("example.com")),
            (
                Some("ssl"),
                "TLS ClientHello SNI=example.com ALPN=h2,http/1.1".into()
            )
        );
    }

    #[test]
    fn tls_server_hello_says_the_version_tls13_from_supported_versions() {
        assert_eq!(
            one(&server_hello(Some(0x0304))).1,
            "TLS ServerHello TLS 1.3"
        );
        assert_eq!(one(&server_hello(None)).1, "TLS ServerHello TLS 1.2");
    }

    #[test]
    fn tls_record_split_or_cut_is_labelled_as_far_as_it_goes() {
        let hello = client_hello("www.example.org");
        // Every cut: never a panic; a label from the handshake header on.
        for n in 0..hello.len() {
            let l = sniff(&hello[..n], hello.len(), 40000, 443);
            if n >= 6 {
                let l = l.expect("labelled");
                assert!(l.text.starts_with("TLS ClientHello"), "{n}: {}", l.text);
            } else {
                assert_eq!(l, None, "{n}");
            }
        }
        // Cut inside the server name: what was captured of it.
        let at = hello.len() - 30;
        let l = sniff(&hello[..at], hello.len(), 40000, 443).unwrap();
        assert!(l.text.starts_with("TLS ClientHello SNI=www."), "{}", l.text);
        // The continuation of a split record starts mid-handshake: no label.
        assert_eq!(sniff(&hello[60..], hello.len(), 40000, 443), None);
    }

    fn ep(port: u16) -> Endpoint {
        Endpoint {
            ip: std::net::IpAddr::from([10, 0, 0, 1]),
            port,
        }
    }

    #[test]
    fn a_hello_split_over_segments_is_read_whole_once_its_last_piece_comes() {
        let hello = client_hello("www.example.org");
        let (c, s) = (ep(40000), ep(443));
        for cut in [6, 20, 60, hello.len() - 30, hello.len() - 1] {
            let mut j = HelloJoin::default();
            let (a, b) = hello.split_at(cut);
            let first = sniff(a, a.len(), 40000, 443).expect("the first piece's label");
            assert!(!first.joined);
            j.start(&first, c, s, 1000, a);
            // Another direction, or a segment out of sequence, is not the hello's.
            assert_eq!(j.feed(s, c, 1000 + cut as u32, b, b.len()), None);
            assert_eq!(j.feed(c, s, 999, b, b.len()), None);
            let whole = j.feed(c, s, 1000 + cut as u32, b, b.len()).expect("joined");
            assert!(whole.joined);
            assert!(
                whole.text.contains("SNI=www.example.org"),
                "{cut}: {}",
                whole.text
            );
            // Done: the next segment starts nothing.
            assert_eq!(j.feed(c, s, 1000 + hello.len() as u32, b"x", 1), None);
        }
        // In three pieces: nothing until the last.
        let mut j = HelloJoin::default();
        let first = sniff(&hello[..30], 30, 40000, 443).unwrap();
        j.start(&first, c, s, 0, &hello[..30]);
        assert_eq!(j.feed(c, s, 30, &hello[30..50], 20), None);
        assert!(j.feed(c, s, 50, &hello[50..], hello.len() - 50).is_some());
        // A whole hello, or one longer than a record can be, is not kept.
        let mut j = HelloJoin::default();
        let l = sniff(&hello, hello.len(), 40000, 443).unwrap();
        j.start(&l, c, s, 0, &hello);
        assert!(j.pending.is_empty());
        // At most MAX_PENDING directions wait at once.
        for port in 0..(MAX_PENDING as u16 + 10) {
            j.start(&first, ep(port), s, 0, &hello[..30]);
        }
        assert_eq!(j.pending.len(), MAX_PENDING);
    }

    #[test]
    fn ssh_banner() {
        assert_eq!(
            one(b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"),
            (Some("ssh"), "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13".into())
        );
    }

    #[test]
    fn smtp_or_ftp_220_by_its_text_then_its_port() {
        let smtp = b"220 mail.example.com ESMTP Postfix\r\n";
        assert_eq!(one(smtp).0, Some("smtp"));
        let ftp = b"220 (vsFTPd 3.0.5)\r\n";
        assert_eq!(one(ftp).0, Some("ftp"));
        let bare = b"220 ready\r\n";
        assert_eq!(text(bare, 21, 40000).unwrap().0, Some("ftp"));
        assert_eq!(text(bare, 25, 40000).unwrap().0, Some("smtp"));
        assert_eq!(text(bare, 9999, 40000).unwrap(), (None, "220 ready".into()));
        assert_eq!(one(b"EHLO client.example\r\n").0, Some("smtp"));
        assert_eq!(
            text(b"USER anonymous\r\n", 40000, 21).unwrap().0,
            Some("ftp")
        );
        assert_eq!(text(b"USER bob\r\n", 40000, 110).unwrap().0, Some("pop3"));
        assert_eq!(text(b"PASS hunter2\r\n", 40000, 21).unwrap().1, "PASS ****");
        assert_eq!(text(b"2024 was a year\r\n", 1, 2), None);
        // STARTTLS is SMTP's and IRC's: on an SMTP port SMTP, elsewhere left to the server.
        assert_eq!(text(b"STARTTLS\r\n", 40000, 25).unwrap().0, Some("smtp"));
        assert_eq!(
            text(b"STARTTLS\r\n", 40000, 6667).unwrap(),
            (None, "STARTTLS".into())
        );
    }

    #[test]
    fn irc_lines_with_a_prefix_and_a_clients_registration() {
        let reply = b":irc.joulunet.org 670  :STARTTLS successful, go ahead\r\n";
        assert_eq!(one(reply).0, Some("irc"));
        assert_eq!(one(b":nick!u@host PRIVMSG #c :hi\r\n").0, Some("irc"));
        assert_eq!(one(b"NICK alice\r\n").0, Some("irc"));
        assert_eq!(one(b"USER alice 0 * :Alice A\r\n").0, Some("irc"));
        // Not IRC: no command after the prefix, a lower-case word, a bare colon.
        assert_eq!(text(b":host\r\n", 1, 2), None);
        assert_eq!(text(b":host hello\r\n", 1, 2), None);
        assert_eq!(text(b": 001\r\n", 1, 2), None);
        // FTP's and POP3's USER is one word: still theirs.
        assert_eq!(text(b"USER bob\r\n", 40000, 21).unwrap().0, Some("ftp"));
    }

    #[test]
    fn pop3_imap_and_redis() {
        assert_eq!(
            one(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n").0,
            Some("pop3")
        );
        assert_eq!(
            one(b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"),
            (
                Some("imap"),
                "* OK [CAPABILITY IMAP4rev1] Dovecot ready.".into()
            )
        );
        assert_eq!(
            one(b"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n"),
            (Some("redis"), "Redis SET".into())
        );
        assert_eq!(text(b"+OK\r\n", 6379, 40000).unwrap().0, Some("redis"));
        assert_eq!(text(b"+OK\r\n", 110, 40000).unwrap().0, Some("pop3"));
        assert_eq!(text(b"+OK\r\n", 7, 40000).unwrap().0, None);
        assert_eq!(text(b"+PONG\r\n", 7, 40000).unwrap().0, Some("redis"));
        assert_eq!(text(b"*3\r\n$3\r\n", 1, 2), None);
        assert_eq!(text(b"*x\r\n", 1, 2), None);
    }

    #[test]
    fn dns_over_tcp_names_the_query() {
        let q = dns_query("example.com", false);
        assert_eq!(one(&q), (Some("dns"), "DNS query example.com A".into()));
        let r = dns_query("example.com", true);
        assert_eq!(one(&r).1, "DNS response example.com A");
        // The length must match the segment; zeros (bulk data) are not DNS.
        assert_eq!(sniff(&q, q.len() + 5, 1, 53), None);
        assert_eq!(sniff(&[0; 40], 40, 1, 53), None);
        for n in 0..q.len() {
            assert_eq!(
                sniff(&q[..n], q.len(), 1, 53).map(|_| ()),
                if n >= q.len() { Some(()) } else { None }
            );
        }
    }

    #[test]
    fn labels_are_escaped_and_bounded() {
        let evil = b"GET /\x1b[31mred\x07\xff HTTP/1.1\r\n";
        let l = one(evil).1;
        assert_eq!(l, "GET /\\x1b[31mred\\x07\\xff HTTP/1.1");
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(300));
        let l = one(long.as_bytes()).1;
        assert_eq!(l.chars().count(), MAX_CHARS);
        assert!(l.ends_with('…'));
        let banner = format!("SSH-2.0-{}\u{202e}x\r\n", "中".repeat(70));
        let l = one(banner.as_bytes()).1;
        assert!(l.chars().count() <= MAX_CHARS && !l.contains('\u{202e}'));
        // A NUL inside a line is binary, not text.
        assert_eq!(text(b"SSH-2.0-x\x00y\r\n", 1, 22), None);
    }

    #[test]
    fn nothing_panics_on_garbage() {
        let mut x: u64 = 7;
        let seeds: Vec<Vec<u8>> = vec![
            client_hello("a.example"),
            server_hello(Some(0x0304)),
            dns_query("x.y", false),
            b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n".to_vec(),
            b"*2\r\n$4\r\nPING\r\n".to_vec(),
            b"220 x\r\n".to_vec(),
        ];
        for s in seeds {
            for n in 0..=s.len() {
                let _ = sniff(&s[..n], s.len(), 1, 2);
            }
            for _ in 0..2000 {
                let mut m = s.clone();
                for _ in 0..3 {
                    x = x
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let i = (x >> 33) as usize % m.len();
                    m[i] = (x >> 13) as u8;
                }
                if let Some(l) = sniff(&m, m.len(), 1, 2) {
                    assert!(l.text.chars().count() <= MAX_CHARS);
                    assert!(!l.text.chars().any(char::is_control), "{:?}", l.text);
                }
            }
        }
    }

    #[test]
    fn bulk_payloads_fail_the_first_byte_test() {
        assert!(!may_label(b'a'));
        assert!(!may_label(0xab));
        assert!(may_label(b'G') && may_label(0x16) && may_label(0));
    }
}
