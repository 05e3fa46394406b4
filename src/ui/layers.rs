//! The layers view (`i`): the segment at the ladder's cursor as the five-layer model, from
//! the application's bytes down to the frame on the wire.
//!
//! The frame's bytes are not kept with the connection: opening the view asks the replay's
//! frame fetcher for them (a file is read again, a live capture's ring looked up) and the
//! view says "reading frame N…" until they come. [`LayersPane`] is the view's state; [`lines`]
//! and [`render`] draw it from that state alone.

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use super::help::ASCII_BORDER;
use super::pane::{Effect, Handled};
use super::theme::Theme;
use crate::capture::frames::FrameError;
use crate::decode::layers::{
    dissect, ethertype_name, ip_proto_name, tcp_option_name, Frame as RawFrame, Layer, Layers,
    LinkHeader, NetHeader, TcpOpt, TCP_FLAGS,
};
use crate::decode::LinkType;
use crate::escape::escape_bytes;
use crate::i18n::{self, fill, messages, Lang};
use crate::track::{Connection, Event};

/// Payload bytes shown in the hex dump (16 a line).
pub const DUMP_BYTES: usize = 256;
/// Payload bytes shown as escaped text.
const TEXT_BYTES: usize = 96;

/// What the connection knows about the segment that its bytes do not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentCtx {
    /// Sequence and acknowledgment numbers relative to each side's first (as the ladder).
    pub rel_seq: u32,
    pub rel_ack: u32,
    /// The sender's window scale, once both ends offered one (SYNs are never scaled).
    pub wscale: Option<u8>,
    /// The application protocol's label for this segment's data, when one was recognised
    /// (HTTP request line, TLS ClientHello, ...), as the ladder shows it.
    pub label: Option<String>,
}

impl SegmentCtx {
    /// The context of `e` in `c`.
    pub fn of(c: &Connection, e: &Event) -> SegmentCtx {
        let sender = &c.ends[e.dir.sender() as usize];
        let receiver = &c.ends[e.dir.sender().other() as usize];
        let wscale = match (sender.wscale, receiver.wscale) {
            (Some(s), Some(_)) if !e.flags.syn() => Some(s),
            _ => None,
        };
        SegmentCtx {
            rel_seq: c.rel_seq(e.dir, e.seq),
            rel_ack: c.rel_ack(e.dir, e.ack),
            wscale,
            // The one place the application label comes in (HTTP, TLS, SSH, ...: what the
            // tracker kept for this frame); `lines` shows it as the application layer's first
            // field.
            label: c.label_of(e.frame).map(|l| l.text.to_string()),
        }
    }
}

/// Where the view's frame is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Asked for, not come yet.
    Reading,
    Ready(Box<Layers>),
    Failed(FrameError),
}

/// The view's state: which frame, what came of it, how far it is scrolled.
#[derive(Debug, Clone, Default)]
pub struct LayersPane {
    pub open: Option<Open>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open {
    pub frame: u64,
    pub ctx: SegmentCtx,
    pub content: Content,
    pub top: usize,
}

impl LayersPane {
    /// Opens on frame `frame`, waiting for its bytes.
    pub fn open(&mut self, frame: u64, ctx: SegmentCtx) {
        self.open = Some(Open {
            frame,
            ctx,
            content: Content::Reading,
            top: 0,
        });
    }

    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Waiting for the bytes.
    pub fn waiting(&self) -> bool {
        matches!(&self.open, Some(o) if o.content == Content::Reading)
    }

    /// The fetcher's answer for frame `n` (ignored unless it is the frame shown).
    pub fn arrived(&mut self, n: u64, got: Result<RawFrame, FrameError>) {
        if let Some(o) = self.open.as_mut().filter(|o| o.frame == n) {
            o.content = match got {
                Ok(f) => Content::Ready(Box::new(dissect(&f))),
                Err(e) => Content::Failed(e),
            };
        }
    }

    /// A key while open: Esc or `i` closes, arrows and pages scroll, `q` quits, `l` switches
    /// the language; every other key is taken and does nothing.
    pub fn on_key(&mut self, key: KeyEvent, page: usize) -> Handled {
        let Some(o) = self.open.as_mut() else {
            return Handled::Ignored;
        };
        match key.code {
            KeyCode::Esc | KeyCode::Char('i') => self.open = None,
            KeyCode::Up | KeyCode::Char('k') => o.top = o.top.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => o.top += 1,
            KeyCode::PageUp => o.top = o.top.saturating_sub(page),
            KeyCode::PageDown | KeyCode::Char(' ') => o.top += page,
            KeyCode::Home => o.top = 0,
            KeyCode::End => o.top = usize::MAX,
            KeyCode::Char('q') => return Handled::Then(Effect::Quit),
            KeyCode::Char('l') => return Handled::Ignored,
            _ => {}
        }
        Handled::Consumed
    }

    /// The wheel scrolls; clicks do nothing.
    pub fn on_mouse(&mut self, m: MouseEvent) -> Handled {
        if let Some(o) = self.open.as_mut() {
            match m.kind {
                MouseEventKind::ScrollUp => o.top = o.top.saturating_sub(3),
                MouseEventKind::ScrollDown => o.top += 3,
                _ => {}
            }
        }
        Handled::Consumed
    }

    /// Keeps the scroll within `len` lines shown `h` at a time.
    pub fn clamp(&mut self, len: usize, h: usize) {
        if let Some(o) = self.open.as_mut() {
            o.top = o.top.min(len.saturating_sub(h));
        }
    }
}

/// Where the view is drawn on a screen of `area`: all of it but the status bar and the
/// footer.
pub fn area(screen: Rect) -> Rect {
    Rect {
        y: screen.y + 1,
        height: screen.height.saturating_sub(2),
        ..screen
    }
}

fn mac(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The layers' lines, top (application) to bottom (physical).
pub fn lines(l: &Layers, ctx: &SegmentCtx, lang: Lang, theme: &Theme) -> Vec<Line<'static>> {
    let w = &messages(lang).layers;
    let mut out: Vec<Line<'static>> = Vec::new();
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("   {name:<16}"), theme.dim()),
            Span::raw(value),
        ])
    };
    let head = |i: usize| Line::styled(format!(" {} {}", 5 - i, w.names[i]), theme.title());
    let stop_line = |l: &Layers, layer: Layer| -> Option<Line<'static>> {
        let s = l.stopped.as_ref().filter(|s| s.layer == layer)?;
        Some(Line::from(vec![
            Span::styled(format!("   {} ", (w.stopped)(s.offset)), theme.warn()),
            Span::styled(s.why.clone(), theme.warn()),
        ]))
    };
    let reached = |layer: Layer| -> bool {
        match layer {
            Layer::Application => l.payload.is_some(),
            Layer::Transport => l.tcp.is_some(),
            Layer::Network => !l.net.is_empty(),
            Layer::Link => l.link.is_some(),
            Layer::Physical => true,
        }
    };
    let not_reached = Line::styled(format!("   {}", w.not_reached), theme.dim());

    // 5: application.
    out.push(head(0));
    if let Some(label) = &ctx.label {
        out.push(field("label", escape_bytes(label.as_bytes())));
    }
    match &l.payload {
        Some(p) if p.len == 0 => out.push(Line::styled(format!("   {}", w.no_data), theme.dim())),
        Some(p) => {
            out.push(field("data", (w.data)(p.len, p.captured)));
            let shown = &p.bytes[..p.bytes.len().min(TEXT_BYTES)];
            let more = if p.captured > shown.len() { "…" } else { "" };
            out.push(field("text", format!("\"{}\"{more}", escape_bytes(shown))));
            let dump = &p.bytes[..p.bytes.len().min(DUMP_BYTES)];
            for (i, chunk) in dump.chunks(16).enumerate() {
                let ascii: String = chunk
                    .iter()
                    .map(|&b| {
                        if (0x20..0x7f).contains(&b) {
                            b as char
                        } else {
                            '.'
                        }
                    })
                    .collect();
                out.push(Line::from(vec![
                    Span::styled(format!("   {:04x}  ", i * 16), theme.dim()),
                    Span::raw(format!("{:<48} ", hex(chunk))),
                    Span::styled(ascii, theme.dim()),
                ]));
            }
            if p.captured > dump.len() {
                out.push(Line::styled(
                    format!("   {}", (w.more)(p.captured - dump.len())),
                    theme.dim(),
                ));
            }
        }
        None => {}
    }
    out.extend(stop_line(l, Layer::Application));
    if !reached(Layer::Application) {
        out.push(not_reached.clone());
    }

    // 4: transport.
    out.push(head(1));
    if let Some(t) = &l.tcp {
        out.push(field("TCP ports", format!("{} → {}", t.sport, t.dport)));
        out.push(field(
            "seq",
            fill(
                i18n::t("{n} (relative {rel})").get(lang),
                &[("n", &t.seq), ("rel", &ctx.rel_seq)],
            ),
        ));
        out.push(field(
            "ack",
            fill(
                i18n::t("{n} (relative {rel})").get(lang),
                &[("n", &t.ack), ("rel", &ctx.rel_ack)],
            ),
        ));
        out.push(field(
            "header length",
            fill(
                i18n::t("{n} bytes (data offset {off})").get(lang),
                &[("n", &t.header_len), ("off", &(t.header_len / 4))],
            ),
        ));
        let set: Vec<&str> = TCP_FLAGS
            .iter()
            .rev()
            .filter(|(b, _)| t.flags & b != 0)
            .map(|(_, n)| *n)
            .collect();
        out.push(field(
            "flags",
            format!(
                "0x{:03x} {}",
                t.flags,
                if set.is_empty() {
                    i18n::t("(none)").get(lang).to_string()
                } else {
                    set.join(" ")
                }
            ),
        ));
        let bits: Vec<String> = TCP_FLAGS
            .iter()
            .rev()
            .map(|(b, n)| format!("{n}={}", u8::from(t.flags & b != 0)))
            .collect();
        // One token a bit, so a narrow screen breaks between bits, never inside one.
        out.push(field("", bits.join(" ")));
        if t.flags & 0xe00 != 0 {
            out.push(field("reserved", format!("{:03b}", t.flags >> 9)));
        }
        let window = match ctx.wscale {
            Some(s) => fill(
                i18n::t("{w} (scaled ×{f} = {v})").get(lang),
                &[
                    ("w", &t.window),
                    ("f", &(1u32 << s.min(14))),
                    ("v", &(u64::from(t.window) << s.min(14))),
                ],
            ),
            None if t.flags & 0x002 != 0 => fill(
                i18n::t("{w} (a SYN's window is never scaled)").get(lang),
                &[("w", &t.window)],
            ),
            None => fill(
                i18n::t("{w} (scale not known)").get(lang),
                &[("w", &t.window)],
            ),
        };
        out.push(field("window", window));
        out.push(field("checksum", unverified(t.checksum, lang)));
        out.push(field("urgent pointer", t.urgent.to_string()));
        if t.options.is_empty() {
            out.push(field("options", i18n::t("none").get(lang).into()));
        }
        for (i, o) in t.options.iter().enumerate() {
            let v = match o {
                TcpOpt::Eol => i18n::t("EOL (end of options)").get(lang).to_string(),
                TcpOpt::Nop => "NOP".to_string(),
                TcpOpt::Mss(m) => format!("MSS {m}"),
                TcpOpt::WindowScale(s) => format!("window scale {s} (×{})", 1u32 << (*s).min(14)),
                TcpOpt::SackPermitted => "SACK permitted".to_string(),
                TcpOpt::Sack(blocks) => format!(
                    "SACK {}",
                    blocks
                        .iter()
                        .map(|(a, b)| format!("{a}-{b}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                TcpOpt::Timestamps(v, e) => format!("timestamps TSval {v} TSecr {e}"),
                TcpOpt::Other { kind, data } => format!(
                    "kind {kind} ({}), {} bytes{}{}",
                    tcp_option_name(*kind),
                    data.len(),
                    if data.is_empty() { "" } else { ": " },
                    hex(&data[..data.len().min(16)])
                ),
                TcpOpt::Bad { kind, at } => fill(
                    i18n::t(
                        "kind {kind} ({name}) at option byte {at}: bad length, the rest not read",
                    )
                    .get(lang),
                    &[
                        ("kind", kind),
                        ("name", &tcp_option_name(*kind)),
                        ("at", at),
                    ],
                ),
            };
            out.push(field(if i == 0 { "options" } else { "" }, v));
        }
    }
    out.extend(stop_line(l, Layer::Transport));
    if !reached(Layer::Transport) {
        out.push(not_reached.clone());
    }

    // 3: network.
    out.push(head(2));
    for h in &l.net {
        match h {
            NetHeader::Ipv4(ip) => {
                out.push(field("IPv4", format!("{} → {}", ip.src, ip.dst)));
                out.push(field(
                    "header length",
                    fill(
                        i18n::t("{n} bytes (options {o})").get(lang),
                        &[("n", &ip.header_len), ("o", &ip.options_len)],
                    ),
                ));
                out.push(field("total length", ip.total_len.to_string()));
                out.push(field("ID", format!("0x{:04x} ({})", ip.id, ip.id)));
                out.push(field(
                    "flags",
                    format!("DF {}  MF {}", u8::from(ip.df), u8::from(ip.mf)),
                ));
                out.push(field("fragment offset", ip.frag_offset.to_string()));
                out.push(field("TTL", ip.ttl.to_string()));
                out.push(field(
                    "protocol",
                    format!("{} ({})", ip.protocol, ip_proto_name(ip.protocol)),
                ));
                out.push(field("DSCP / ECN", format!("{} / {}", ip.dscp, ip.ecn)));
                out.push(field("checksum", unverified(ip.checksum, lang)));
            }
            NetHeader::Ipv6(ip) => {
                out.push(field("IPv6", format!("{} → {}", ip.src, ip.dst)));
                out.push(field("DSCP / ECN", format!("{} / {}", ip.dscp, ip.ecn)));
                out.push(field("flow label", format!("0x{:05x}", ip.flow_label)));
                out.push(field("payload length", ip.payload_len.to_string()));
                out.push(field(
                    "next header",
                    format!("{} ({})", ip.next_header, ip_proto_name(ip.next_header)),
                ));
                out.push(field("hop limit", ip.hop_limit.to_string()));
                for (i, e) in ip.ext.iter().enumerate() {
                    let mut v =
                        format!("{} ({}), {} bytes", ip_proto_name(e.proto), e.proto, e.len);
                    if let Some((off, mf, id)) = e.fragment {
                        v.push_str(&format!(
                            ": offset {off}, MF {}, id 0x{id:08x}",
                            u8::from(mf)
                        ));
                    }
                    out.push(field(if i == 0 { "extension" } else { "" }, v));
                }
            }
            NetHeader::Udp { sport, dport, len } => {
                out.push(field(
                    "UDP",
                    fill(
                        i18n::t("{sport} → {dport}, length {len} (a tunnel's carrier)").get(lang),
                        &[("sport", sport), ("dport", dport), ("len", len)],
                    ),
                ));
            }
            NetHeader::Tunnel { kind, id } => {
                let id = match id {
                    Some(id) => format!(", id {id}"),
                    None => String::new(),
                };
                out.push(Line::styled(
                    format!("   ── tunnel: {}{id}; inside it: ──", kind.name()),
                    theme.key(),
                ));
            }
            NetHeader::InnerEthernet(h) => link_lines(h, l.meta.linktype, &field, &mut out),
        }
    }
    out.extend(stop_line(l, Layer::Network));
    if !reached(Layer::Network) {
        out.push(not_reached.clone());
    }

    // 2: data link.
    out.push(head(3));
    if let Some(h) = &l.link {
        link_lines(h, l.meta.linktype, &field, &mut out);
    }
    out.extend(stop_line(l, Layer::Link));
    if !reached(Layer::Link) {
        out.push(not_reached);
    }

    // 1: physical (what the capture says about the frame).
    out.push(head(4));
    let m = &l.meta;
    out.push(field("frame", m.number.to_string()));
    out.push(field("time", m.ts.rfc3339()));
    let bytes = i18n::t("{n} bytes").get(lang);
    out.push(field("on the wire", fill(bytes, &[("n", &m.orig_len)])));
    let captured = if (l.captured as u64) < u64::from(m.orig_len) {
        i18n::t("{n} bytes (cut by the snaplen)").get(lang)
    } else {
        bytes
    };
    out.push(field("captured", fill(captured, &[("n", &l.captured)])));
    out.push(field(
        "link type",
        format!("{} ({})", m.linktype.0, m.linktype.name()),
    ));
    if let Some(i) = &m.interface {
        out.push(field("interface", escape_bytes(i.as_bytes())));
    }
    out.extend(stop_line(l, Layer::Physical));
    out
}

/// A checksum as read: synack does not check it (offloading makes many wrong in captures).
fn unverified(sum: u16, lang: Lang) -> String {
    fill(
        i18n::t("{sum} (not verified)").get(lang),
        &[("sum", &format!("0x{sum:04x}"))],
    )
}

fn link_lines(
    h: &LinkHeader,
    lt: LinkType,
    field: &dyn Fn(&str, String) -> Line<'static>,
    out: &mut Vec<Line<'static>>,
) {
    let et = |e: u16| format!("0x{e:04x} ({})", ethertype_name(e));
    match h {
        LinkHeader::Ethernet {
            dst,
            src,
            vlans,
            mpls,
            pppoe,
            ethertype,
        } => {
            out.push(field("Ethernet", format!("{} → {}", mac(src), mac(dst))));
            for (i, v) in vlans.iter().enumerate() {
                out.push(field(
                    if i == 0 { "VLAN tags" } else { "" },
                    format!(
                        "{} VLAN {} (priority {}, DEI {})",
                        ethertype_name(v.tpid),
                        v.vid,
                        v.pcp,
                        u8::from(v.dei)
                    ),
                ));
            }
            for (i, (label, tc, bottom, ttl)) in mpls.iter().enumerate() {
                out.push(field(
                    if i == 0 { "MPLS labels" } else { "" },
                    format!(
                        "label {label}, TC {tc}, TTL {ttl}{}",
                        if *bottom { ", bottom of stack" } else { "" }
                    ),
                ));
            }
            if let Some((session, ppp)) = pppoe {
                out.push(field(
                    "PPPoE",
                    format!("session 0x{session:04x}, PPP protocol 0x{ppp:04x}"),
                ));
            }
            out.push(field("ethertype", et(*ethertype)));
        }
        LinkHeader::Sll {
            packet_type,
            arphrd,
            addr,
            protocol,
        } => {
            out.push(field("Linux cooked", "SLL, 16 bytes".into()));
            out.push(field("packet type", sll_packet_type(*packet_type)));
            out.push(field("ARPHRD type", arphrd.to_string()));
            out.push(field("address", mac(addr)));
            out.push(field("protocol", et(*protocol)));
        }
        LinkHeader::Sll2 {
            protocol,
            ifindex,
            arphrd,
            packet_type,
            addr,
        } => {
            out.push(field("Linux cooked", "SLL2, 20 bytes".into()));
            out.push(field("protocol", et(*protocol)));
            out.push(field("interface index", ifindex.to_string()));
            out.push(field("ARPHRD type", arphrd.to_string()));
            out.push(field(
                "packet type",
                sll_packet_type(u16::from(*packet_type)),
            ));
            out.push(field("address", mac(addr)));
        }
        LinkHeader::Null {
            family,
            little_endian,
        } => {
            let name = match family {
                2 => "AF_INET",
                10 | 24 | 28 | 30 => "AF_INET6",
                _ => "other",
            };
            let order = if *little_endian {
                "little-endian"
            } else {
                "big-endian"
            };
            out.push(field(
                "BSD loopback",
                format!("family {family} ({name}), {order}"),
            ));
        }
        LinkHeader::Raw => out.push(field(
            "none",
            "raw IP: the frame starts with the IP header".into(),
        )),
        LinkHeader::Other { header_len } => out.push(field(
            lt.name(),
            format!("a {header_len}-byte header (fields not shown)"),
        )),
    }
}

fn sll_packet_type(t: u16) -> String {
    let name = match t {
        0 => "to us",
        1 => "broadcast",
        2 => "multicast",
        3 => "to another host",
        4 => "sent by us",
        _ => "other",
    };
    format!("{t} ({name})")
}

/// Breaks `line` to fit `width` columns, at a space when one is near, so that nothing is cut
/// at the border; the rows after the first start under the value (a field's name is its first
/// span) or, for other lines, three columns in.
fn wrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if width == 0 || line.width() <= width {
        return vec![line];
    }
    let first = line.spans.first().map_or(0, |s| s.width());
    let indent = if line.spans.len() > 1 && first < width / 2 {
        first
    } else {
        3.min(width / 4)
    };
    let cells: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
        .collect();
    let cw = |c: char| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    let mut rows: Vec<Vec<(char, Style)>> = Vec::new();
    let mut row: Vec<(char, Style)> = Vec::new();
    let mut used = 0;
    // Where `row` could be broken: just after its last space past the indent.
    let mut brk: Option<usize> = None;
    let lead = |n: usize| vec![(' ', Style::default()); n];
    for &(c, st) in &cells {
        if used + cw(c) > width && row.len() > indent {
            let cut = brk.filter(|&b| b > indent).unwrap_or(row.len());
            let mut rest = row.split_off(cut);
            while rest.first().is_some_and(|(c, _)| *c == ' ') {
                rest.remove(0);
            }
            rows.push(std::mem::replace(&mut row, lead(indent)));
            row.extend(rest);
            used = row.iter().map(|(c, _)| cw(*c)).sum();
            brk = None;
        }
        row.push((c, st));
        used += cw(c);
        if c == ' ' && row.len() > indent {
            brk = Some(row.len());
        }
    }
    rows.push(row);
    rows.into_iter()
        .map(|r| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            for (c, st) in r {
                match spans.last_mut() {
                    Some(s) if s.style == st => s.content.to_mut().push(c),
                    _ => spans.push(Span::styled(c.to_string(), st)),
                }
            }
            Line::from(spans)
        })
        .collect()
}

/// The lines of the view's current content, broken to fit `width` columns.
pub fn content_lines(o: &Open, lang: Lang, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = content(o, lang, theme);
    if theme.ascii {
        // The view's own marks, as the ladder spells them without Unicode.
        for s in lines.iter_mut().flat_map(|l| l.spans.iter_mut()) {
            if !s.content.is_ascii() {
                let t = s
                    .content
                    .replace('→', "->")
                    .replace('×', "x")
                    .replace('…', "...")
                    .replace('─', "-");
                s.content = t.into();
            }
        }
    }
    lines.into_iter().flat_map(|l| wrap(l, width)).collect()
}

fn content(o: &Open, lang: Lang, theme: &Theme) -> Vec<Line<'static>> {
    let w = &messages(lang).layers;
    match &o.content {
        Content::Reading => vec![Line::styled(
            format!(" {}", (w.reading)(o.frame)),
            theme.dim(),
        )],
        Content::Ready(l) => lines(l, &o.ctx, lang, theme),
        Content::Failed(e) => {
            let msg = match e {
                FrameError::NotHeld => (w.not_held)(o.frame),
                FrameError::Unavailable(why) => (w.unavailable)(o.frame, why),
                FrameError::Failed(why) => (w.failed)(o.frame, why),
            };
            vec![Line::styled(format!(" {msg}"), theme.warn())]
        }
    }
}

/// Draws the view over `area` (see [`area`]).
pub fn render(f: &mut Frame, area: Rect, o: &Open, lang: Lang, theme: &Theme) {
    let w = &messages(lang).layers;
    let lines = content_lines(o, lang, theme, inner_width(area));
    let inner_h = area.height.saturating_sub(2) as usize;
    let top = o.top.min(lines.len().saturating_sub(inner_h));
    let hint = if theme.ascii {
        w.close_hint.replace("↑↓", "Up/Down")
    } else {
        w.close_hint.to_string()
    };
    let more = if top + inner_h < lines.len() {
        if theme.ascii {
            " v "
        } else {
            " ▼ "
        }
    } else {
        ""
    };
    f.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(if theme.ascii {
            ASCII_BORDER
        } else {
            ratatui::symbols::border::ROUNDED
        })
        .title(Span::styled(
            format!(" {} ", (w.title)(o.frame)),
            theme.title(),
        ))
        .title_bottom(Line::from(vec![
            Span::styled(format!(" {hint} "), theme.dim()),
            Span::styled(more, theme.key()),
        ]));
    let p = Paragraph::new(lines)
        .block(block)
        .style(Style::default())
        .scroll((top as u16, 0));
    f.render_widget(p, area);
}

/// The columns inside the view's border.
pub fn inner_width(area: Rect) -> usize {
    usize::from(area.width.saturating_sub(2))
}

/// How many lines the view's content has in `area` (for scrolling).
pub fn len(o: &Open, lang: Lang, theme: &Theme, area: Rect) -> usize {
    content_lines(o, lang, theme, inner_width(area)).len()
}
