//! The connection list pane: one row per connection, sortable by any column, filtered by `/`.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};

use super::app::{App, Focus};
use super::pane::{page, Effect, Handled};
use super::replay::Replay;
use super::text::{fit_left, fit_right, human_bytes, human_count, human_secs, text_width};
use super::theme::{short_state, Theme};
use crate::decode::Endpoint;
use crate::output::state_label::{is_assumed, state_label};
use crate::track::{Connection, Side, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    Client,
    Server,
    ClientState,
    ServerState,
    Age,
    Packets,
    Bytes,
    Flags,
    Marks,
    /// The kernel's view (live and lab runs): a column, not a sort order (not in `ALL`).
    Kernel,
}

impl SortKey {
    pub const ALL: [SortKey; 10] = [
        SortKey::Id,
        SortKey::Client,
        SortKey::Server,
        SortKey::ClientState,
        SortKey::ServerState,
        SortKey::Age,
        SortKey::Packets,
        SortKey::Bytes,
        SortKey::Flags,
        SortKey::Marks,
    ];

    /// The name in `lang` (the catalogue's; `#` in every language).
    pub fn name_in(self, lang: crate::i18n::Lang) -> &'static str {
        match Self::ALL.iter().position(|k| *k == self) {
            Some(0) | None => self.name(),
            Some(i) => crate::i18n::messages(lang).sort_names[i - 1],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Id => "#",
            SortKey::Client => "client",
            SortKey::Server => "server",
            SortKey::ClientState => "client state",
            SortKey::ServerState => "server state",
            SortKey::Age => "age",
            SortKey::Packets => "packets",
            SortKey::Bytes => "bytes",
            SortKey::Flags => "flags",
            SortKey::Marks => "anomalies",
            SortKey::Kernel => "kernel",
        }
    }

    pub fn next(self) -> SortKey {
        let i = Self::ALL.iter().position(|k| *k == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }
}

/// Flags seen, Zeek-history style: upper case sent by the client, lower case by the server.
/// S SYN (or SYN+ACK), D data, F FIN, R RST.
pub fn flags_seen(c: &Connection) -> String {
    let mut s = String::with_capacity(8);
    let [cl, sv] = &c.ends;
    for (on, ch) in [
        (cl.sent_syn || cl.sent_synack, 'S'),
        (sv.sent_syn || sv.sent_synack, 's'),
        (cl.bytes > 0, 'D'),
        (sv.bytes > 0, 'd'),
        (cl.sent_fin, 'F'),
        (sv.sent_fin, 'f'),
        (cl.sent_rst, 'R'),
        (sv.sent_rst, 'r'),
    ] {
        if on {
            s.push(ch);
        }
    }
    s
}

/// [`flags_seen`] as a number that sorts as the text does (its letters, big-endian, padded
/// with zeros: a prefix sorts first), without making the text.
fn flags_key(c: &Connection) -> u64 {
    let [cl, sv] = &c.ends;
    let mut k = 0u64;
    let mut n = 0;
    for (on, ch) in [
        (cl.sent_syn || cl.sent_synack, b'S'),
        (sv.sent_syn || sv.sent_synack, b's'),
        (cl.bytes > 0, b'D'),
        (sv.bytes > 0, b'd'),
        (cl.sent_fin, b'F'),
        (sv.sent_fin, b'f'),
        (cl.sent_rst, b'R'),
        (sv.sent_rst, b'r'),
    ] {
        if on {
            k |= u64::from(ch) << (56 - 8 * n);
            n += 1;
        }
    }
    k
}

/// Segments with an analysis mark (retransmission, out of order, ...), plus one if the capture
/// joined mid-stream.
pub fn anomalies(c: &Connection) -> u64 {
    c.mark_counts.iter().map(|n| u64::from(*n)).sum::<u64>() + u64::from(c.mid_stream)
}

/// The list's rows: the connections that pass the filter, in the chosen order (ties by
/// connection number). See [`rows`].
pub struct Rows<'a> {
    replay: &'a Replay,
    order: Order<'a>,
}

enum Order<'a> {
    /// Every connection by number (no filter, sorted by #, the default): read from the
    /// replay's index of ids, without a pass over the connections.
    ById { desc: bool },
    /// Filtered or sorted by another column: the ids in order, and the largest.
    Listed {
        ids: Cow<'a, [u64]>,
        max: Option<u64>,
    },
}

impl<'a> Rows<'a> {
    pub fn len(&self) -> usize {
        match &self.order {
            Order::ById { .. } => self.replay.store.ids.len(),
            Order::Listed { ids, .. } => ids.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id of the `i`-th row.
    pub fn id_at(&self, i: usize) -> Option<u64> {
        match &self.order {
            Order::ById { desc: false } => self.replay.store.ids.nth(i),
            Order::ById { desc: true } => self.replay.store.ids.iter_from_back(i).next(),
            Order::Listed { ids, .. } => ids.get(i).copied(),
        }
    }

    /// The `i`-th row.
    pub fn get(&self, i: usize) -> Option<&'a Connection> {
        self.id_at(i).and_then(|id| self.replay.connection(id))
    }

    /// The largest connection number listed (the newest connection).
    pub fn max_id(&self) -> Option<u64> {
        match &self.order {
            Order::ById { .. } => self.replay.store.ids.last(),
            Order::Listed { max, .. } => *max,
        }
    }

    /// Which row connection `id` is on.
    pub fn position(&self, id: u64) -> Option<usize> {
        match &self.order {
            Order::ById { desc } => {
                let r = self.replay.store.ids.rank(id)?;
                Some(if *desc { self.len() - 1 - r } else { r })
            }
            Order::Listed { ids, .. } => ids.iter().position(|x| *x == id),
        }
    }

    pub fn contains(&self, id: u64) -> bool {
        match &self.order {
            Order::ById { .. } => self.replay.store.ids.contains(id),
            Order::Listed { .. } => self.position(id).is_some(),
        }
    }

    /// Up to `n` rows from row `top` on: what the pane shows.
    pub fn window(&self, top: usize, n: usize) -> Vec<&'a Connection> {
        let ids: Box<dyn Iterator<Item = u64> + '_> = match &self.order {
            Order::ById { desc: false } => Box::new(self.replay.store.ids.iter_from(top)),
            Order::ById { desc: true } => Box::new(self.replay.store.ids.iter_from_back(top)),
            Order::Listed { ids, .. } => Box::new(ids.iter().skip(top).copied()),
        };
        ids.take(n)
            .filter_map(|id| self.replay.connection(id))
            .collect()
    }

    /// Every row, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a Connection> + '_ {
        (0..self.len()).map_while(|i| self.get(i))
    }
}

/// The list's rows for the app's filter and order. In the default view (no filter, sorted by
/// #) this costs nothing; otherwise it filters and sorts every connection, unless the app's
/// cache (filled by [`App::sync`], see [`ListCache`]) already holds the answer.
pub fn rows<'a>(replay: &'a Replay, app: &'a App) -> Rows<'a> {
    if app.filter.is_empty() && app.list.sort == SortKey::Id {
        return Rows {
            replay,
            order: Order::ById {
                desc: app.list.sort_desc,
            },
        };
    }
    let key = CacheKey::of(replay, app);
    let order = match app.list.cache.as_ref().filter(|c| c.stands_for(&key)) {
        Some(c) => Order::Listed {
            ids: Cow::Borrowed(&c.ids),
            max: c.max,
        },
        None => {
            let (ids, max) = listed(replay, app);
            Order::Listed {
                ids: Cow::Owned(ids),
                max,
            }
        }
    };
    Rows { replay, order }
}

/// The list pane's state: its first visible row, its order, and the list as last filtered and
/// sorted (see [`ListCache`]; unused in the default view).
#[derive(Debug, Clone)]
pub struct ListPane {
    pub top: usize,
    pub sort: SortKey,
    pub sort_desc: bool,
    pub(super) cache: ListCache,
}

impl Default for ListPane {
    fn default() -> Self {
        ListPane {
            top: 0,
            sort: SortKey::Id,
            sort_desc: false,
            cache: ListCache::default(),
        }
    }
}

impl ListPane {
    /// Sorts by the next column (`s`).
    pub fn next_sort(&mut self) -> Handled {
        self.sort = self.sort.next();
        Handled::Then(Effect::Unfollow)
    }

    /// Reverses the order (`S`).
    pub fn reverse(&mut self) -> Handled {
        self.sort_desc = !self.sort_desc;
        Handled::Then(Effect::Unfollow)
    }

    /// A key for the focused list, a pane `h` rows high.
    pub fn on_key(&mut self, key: KeyEvent, h: u16) -> Handled {
        let d = match key.code {
            KeyCode::Up | KeyCode::Char('k') => -1,
            KeyCode::Down | KeyCode::Char('j') => 1,
            KeyCode::PageUp => -page(h),
            KeyCode::PageDown => page(h),
            KeyCode::Enter => return Handled::Then(Effect::FocusLadder),
            _ => return Handled::Ignored,
        };
        Handled::Then(Effect::MoveSelection(d))
    }

    /// The wheel moves the selection; a click on the header sorts by that column (again:
    /// reverses it), on a row selects it. `area` is the pane, `max_id` the largest id listed
    /// (the id column's width).
    pub fn on_mouse(&mut self, m: MouseEvent, area: Rect, max_id: u64) -> Handled {
        let y = m.row - area.y;
        match m.kind {
            MouseEventKind::ScrollUp => Handled::Then(Effect::MoveSelection(-3)),
            MouseEventKind::ScrollDown => Handled::Then(Effect::MoveSelection(3)),
            MouseEventKind::Down(_) if y == 1 => {
                let cols = columns(area.width, max_id);
                match column_at(&cols, m.column - area.x) {
                    Some(k) => {
                        if k == self.sort {
                            self.sort_desc = !self.sort_desc;
                        } else {
                            self.sort = k;
                            self.sort_desc = false;
                        }
                        Handled::Then(Effect::Unfollow)
                    }
                    None => Handled::Consumed,
                }
            }
            MouseEventKind::Down(_) if y >= 2 => {
                Handled::Then(Effect::SelectRow(self.top + (y - 2) as usize))
            }
            _ => Handled::Consumed,
        }
    }
}

/// What a cached list depends on: the connections (the replay and its changes), the order and
/// the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CacheKey {
    replay: u64,
    changes: u64,
    sort: SortKey,
    desc: bool,
    filter: String,
}

impl CacheKey {
    fn of(replay: &Replay, app: &App) -> CacheKey {
        CacheKey {
            replay: replay.instance(),
            changes: replay.store.changes,
            sort: app.list.sort,
            desc: app.list.sort_desc,
            filter: app.filter.text.clone(),
        }
    }
}

/// While the replay moves, a filtered or re-sorted list keeps its rows and their order this
/// long (their values are live); sorting 100,000 connections on every frame took 20 ms.
/// Paused, or when the order or the filter changes, it is made again at once.
pub const RESORT_EVERY: Duration = Duration::from_millis(250);

/// The filtered or re-sorted list as of the last [`App::sync`], so that the draw and the keys
/// that follow do not filter and sort every connection again (see [`RESORT_EVERY`]).
#[derive(Clone, Default)]
pub struct ListCache(Option<Cached>);

#[derive(Clone)]
struct Cached {
    /// What it was made for, and when.
    key: CacheKey,
    at: Instant,
    /// The replay's changes it stands for: those it was made for, or later ones while it is
    /// kept.
    stands_for: u64,
    ids: Vec<u64>,
    max: Option<u64>,
}

impl Cached {
    fn stands_for(&self, key: &CacheKey) -> bool {
        self.stands_for == key.changes && self.same_view(key)
    }

    /// For the same replay, order and filter (the connections may have changed since).
    fn same_view(&self, key: &CacheKey) -> bool {
        let k = &self.key;
        (k.replay, k.sort, k.desc) == (key.replay, key.sort, key.desc) && k.filter == key.filter
    }
}

impl ListCache {
    fn as_ref(&self) -> Option<&Cached> {
        self.0.as_ref()
    }

    /// Brings the cache up to date for the app's view at wall time `now` (emptied in the
    /// default view, which needs none).
    pub fn update(&mut self, replay: &Replay, app: &App, now: Instant) {
        if app.filter.is_empty() && app.list.sort == SortKey::Id {
            self.0 = None;
            return;
        }
        let key = CacheKey::of(replay, app);
        if let Some(c) = self.0.as_mut().filter(|c| c.same_view(&key)) {
            if c.key.changes == key.changes {
                return;
            }
            if replay.busy() && now.saturating_duration_since(c.at) < RESORT_EVERY {
                c.stands_for = key.changes;
                return;
            }
        }
        let (ids, max) = listed(replay, app);
        self.0 = Some(Cached {
            stands_for: key.changes,
            key,
            at: now,
            ids,
            max,
        });
    }
}

impl std::fmt::Debug for ListCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(c) => write!(f, "ListCache({} rows, {:?})", c.ids.len(), c.key),
            None => write!(f, "ListCache(empty)"),
        }
    }
}

/// Filters and sorts every connection: the ids in order, and the largest.
fn listed(replay: &Replay, app: &App) -> (Vec<u64>, Option<u64>) {
    if app.list.sort == SortKey::Id {
        // Already in order: filter the index.
        let ids: Box<dyn Iterator<Item = u64>> = if app.list.sort_desc {
            Box::new(replay.store.ids.iter_from_back(0))
        } else {
            Box::new(replay.store.ids.iter())
        };
        let v = ids
            .filter_map(|id| replay.connection(id))
            .filter(|c| app.filter.matches(c))
            .collect();
        return ids_and_max(v);
    }
    // The keys first, in one pass, then a sort of small keys: comparing through the boxed
    // connections was a cache miss per comparison (40 ms for 100,000 connections).
    let mut v: Vec<(Key, u64)> = replay
        .connections()
        .filter(|c| app.filter.matches(c))
        .map(|c| (sort_key(c, app.list.sort), c.id))
        .collect();
    v.sort_unstable();
    if app.list.sort_desc {
        v.reverse();
    }
    let max = v.iter().map(|(_, id)| *id).max();
    (v.into_iter().map(|(_, id)| id).collect(), max)
}

/// A column's value as numbers that order as [`sort`] orders the column (ties are broken by
/// the connection number beside it).
type Key = (u8, u128, u64);

fn sort_key(c: &Connection, key: SortKey) -> Key {
    let n = |v: u64| (0, u128::from(v), 0);
    match key {
        SortKey::Id => (0, 0, 0),
        SortKey::Client => endpoint_key(c.client().addr),
        SortKey::Server => endpoint_key(c.server().addr),
        SortKey::ClientState => n(state_rank(c.client().state) as u64),
        SortKey::ServerState => n(state_rank(c.server().state) as u64),
        // Older first: first seen earlier (the sign bit flipped orders i64 as u64).
        SortKey::Age => n(!((c.first_seen.0 as u64) ^ (1 << 63))),
        SortKey::Packets => n(c.packets()),
        SortKey::Bytes => n(c.bytes()),
        SortKey::Flags => n(flags_key(c)),
        SortKey::Marks => n(anomalies(c)),
        SortKey::Kernel => (0, 0, 0),
    }
}

/// IPv4 before IPv6, then the address, then the port (as `Endpoint` orders).
fn endpoint_key(e: Endpoint) -> Key {
    match e.ip {
        IpAddr::V4(a) => (0, u128::from(u32::from(a)), u64::from(e.port)),
        IpAddr::V6(a) => (1, u128::from(a), u64::from(e.port)),
    }
}

fn ids_and_max(v: Vec<&Connection>) -> (Vec<u64>, Option<u64>) {
    let max = v.iter().map(|c| c.id).max();
    (v.iter().map(|c| c.id).collect(), max)
}

fn state_rank(s: State) -> usize {
    State::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

pub fn sort(v: &mut [&Connection], key: SortKey, desc: bool) {
    let cmp = |a: &&Connection, b: &&Connection| -> Ordering {
        let o = match key {
            SortKey::Id => Ordering::Equal,
            SortKey::Client => a.client().addr.cmp(&b.client().addr),
            SortKey::Server => a.server().addr.cmp(&b.server().addr),
            SortKey::ClientState => state_rank(a.client().state).cmp(&state_rank(b.client().state)),
            SortKey::ServerState => state_rank(a.server().state).cmp(&state_rank(b.server().state)),
            // Older first: a smaller first_seen is a greater age.
            SortKey::Age => b.first_seen.cmp(&a.first_seen),
            SortKey::Packets => a.packets().cmp(&b.packets()),
            SortKey::Bytes => a.bytes().cmp(&b.bytes()),
            SortKey::Flags => flags_key(a).cmp(&flags_key(b)),
            SortKey::Marks => anomalies(a).cmp(&anomalies(b)),
            SortKey::Kernel => Ordering::Equal,
        };
        let o = o.then(a.id.cmp(&b.id));
        if desc {
            o.reverse()
        } else {
            o
        }
    };
    v.sort_unstable_by(cmp);
}

/// One column: what it sorts by, its title and width.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: SortKey,
    pub title: &'static str,
    pub width: u16,
    pub right: bool,
}

impl Column {
    /// The title in `lang` (the catalogue's word for this column).
    pub fn title_in(&self, lang: crate::i18n::Lang) -> &'static str {
        let words = crate::i18n::messages(lang).columns;
        let at = match self.key {
            SortKey::Client => 0,
            SortKey::Server => 1,
            SortKey::ClientState => 2,
            SortKey::ServerState => 3,
            SortKey::Age => 4,
            SortKey::Packets => 5,
            SortKey::Bytes => 6,
            SortKey::Flags => 7,
            SortKey::Kernel => return crate::i18n::messages(lang).kernel.column,
            _ => return self.title,
        };
        words[at]
    }
}

/// The columns that fit in `width`, with their widths (one space between columns), and the
/// kernel's view last when there is one (so a click finds the others where they were).
pub fn columns_with(width: u16, max_id: u64, kernel: bool) -> Vec<Column> {
    if !kernel {
        return columns(width, max_id);
    }
    let kw = if width >= KERNEL_WIDE {
        KERNEL_W
    } else {
        KERNEL_NARROW
    };
    let mut cols = columns(width.saturating_sub(kw + 1), max_id);
    cols.push(Column {
        key: SortKey::Kernel,
        title: "kernel",
        width: kw,
        right: false,
    });
    cols
}

/// The longest two short states: `CLOSE_WAIT/CLOSE_WAIT`.
const KERNEL_W: u16 = 21;
/// Below this width the kernel column is narrow (`=` where the kernel agrees): the flags
/// column and the addresses keep their room.
const KERNEL_WIDE: u16 = 122;
/// `TIME_WAIT/=`, or the title.
const KERNEL_NARROW: u16 = 11;

/// The columns that fit in `width`, with their widths (one space between columns).
pub fn columns(width: u16, max_id: u64) -> Vec<Column> {
    let idw = (max_id.max(1).ilog10() as u16 + 2).max(3);
    let wide = width >= 120;
    let stw = if wide { 12 } else { 10 };
    let flags = width >= 100;
    let c = |key, title, width, right| Column {
        key,
        title,
        width,
        right,
    };
    let mut cols = vec![
        c(SortKey::Id, "#", idw, true),
        c(SortKey::Client, "client", 0, false),
        c(SortKey::Server, "server", 0, false),
        c(SortKey::ClientState, "client st", stw, false),
        c(SortKey::ServerState, "server st", stw, false),
        c(SortKey::Age, "age", 5, true),
        c(SortKey::Packets, "pkts", 5, true),
        c(SortKey::Bytes, "bytes", 5, true),
    ];
    if flags {
        cols.push(c(SortKey::Flags, "flags", 8, false));
    }
    let fixed: u16 = cols.iter().map(|c| c.width).sum::<u16>() + cols.len() as u16 - 1;
    let rest = width.saturating_sub(fixed);
    // The client's half first: its ephemeral port is usually the longer one.
    let server = (rest / 2).clamp(8, 46);
    cols[2].width = server;
    cols[1].width = rest.saturating_sub(server).clamp(8, 46);
    cols
}

/// Which column is at x (relative to the pane), for clicks on the header.
pub fn column_at(cols: &[Column], x: u16) -> Option<SortKey> {
    let mut start = 0u16;
    for c in cols {
        if x >= start && x < start + c.width + 1 {
            return Some(c.key);
        }
        start += c.width + 1;
    }
    None
}

fn state_text(s: State, width: u16) -> &'static str {
    if width >= 12 {
        s.name()
    } else {
        short_state(s)
    }
}

fn cell(cols: &[Column], i: usize, text: &str, ellipsis: char) -> String {
    let c = cols[i];
    if c.right {
        fit_right(text, c.width as usize, ellipsis)
    } else {
        fit_left(text, c.width as usize, ellipsis)
    }
}

/// What every row of the list is drawn with.
#[derive(Clone, Copy)]
struct RowCtx<'x> {
    cols: &'x [Column],
    now: crate::decode::Timestamp,
    theme: &'x Theme,
    lang: crate::i18n::Lang,
}

fn row_line<'a>(
    c: &Connection,
    // The kernel column's text, and whether it differs from what synack infers.
    kernel: Option<(String, bool)>,
    problem: bool,
    ctx: RowCtx<'_>,
    style: Style,
) -> Line<'a> {
    let RowCtx {
        cols,
        now,
        theme,
        lang,
    } = ctx;
    let g = theme.glyphs();
    let mut spans: Vec<Span> = Vec::with_capacity(cols.len() * 2);
    for (i, col) in cols.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" ", style));
        }
        let (text, st) = match col.key {
            SortKey::Id => {
                // Marked segments, a mid-stream join, or a diagnosed problem.
                let mark = if problem || anomalies(c) > 0 {
                    "!"
                } else {
                    " "
                };
                let id = c.id.to_string();
                let w = col.width as usize - 1;
                (format!("{mark}{id:>w$}"), theme.warn())
            }
            SortKey::Client => (c.client().addr.to_string(), Style::new()),
            SortKey::Server => (c.server().addr.to_string(), Style::new()),
            SortKey::ClientState => (
                state_text(c.client().state, col.width).to_string(),
                theme.state(c.client().state),
            ),
            SortKey::ServerState => {
                // LISTEN? before a SYN+ACK proves a listener, NO LISTENER after a refusal.
                let s = c.server().state;
                let label = state_label(c, Side::Server, s, col.width as usize, lang);
                if is_assumed(label) {
                    (label.to_string(), theme.dim())
                } else if text_width(label) <= col.width as usize {
                    (label.to_string(), theme.state(s))
                } else {
                    (state_text(s, col.width).to_string(), theme.state(s))
                }
            }
            SortKey::Age => (human_secs(now.secs_since(c.first_seen)), Style::new()),
            SortKey::Packets => (human_count(c.packets()), Style::new()),
            SortKey::Bytes => (human_bytes(c.bytes()), Style::new()),
            SortKey::Flags => (flags_seen(c), Style::new()),
            SortKey::Marks => (anomalies(c).to_string(), Style::new()),
            SortKey::Kernel => match &kernel {
                Some((text, differs)) => (
                    text.clone(),
                    if *differs { theme.warn() } else { Style::new() },
                ),
                None => (String::new(), Style::new()),
            },
        };
        let text = if col.key == SortKey::Id {
            // Keep the mark; only the id part is right-aligned.
            text
        } else {
            cell(cols, i, &text, g.ellipsis)
        };
        let st = if col.key == SortKey::Id && !text.starts_with('!') {
            Style::new()
        } else {
            st
        };
        spans.push(Span::styled(text, style.patch(st)));
    }
    Line::from(spans)
}

/// Title of the pane: counts, sort order and filter.
pub fn title(app: &App, shown: usize, total: usize) -> String {
    let g = app.theme.glyphs();
    let arrow = match (app.list.sort_desc, app.theme.ascii) {
        (false, false) => "▲",
        (true, false) => "▼",
        (false, true) => "^",
        (true, true) => "v",
    };
    let m = crate::i18n::messages(app.lang);
    let [conns, sort, follow] = m.list_title;
    let mut t = format!(" {conns} {total}");
    if !app.filter.is_empty() || app.filter.editing {
        t.push_str(&(m.shown)(shown));
    }
    // Once typed, the filter stays in sight (the line it was typed on closes).
    if !app.filter.editing && !app.filter.text.is_empty() {
        t.push_str(&format!(
            "{}/{}",
            g.sep,
            crate::escape::escape(&app.filter.text)
        ));
    }
    t.push_str(&format!(
        "{}{sort} {} {arrow}",
        g.sep,
        app.list.sort.name_in(app.lang)
    ));
    if app.follow {
        t.push_str(&format!("{}{follow}", g.sep));
    }
    t.push(' ');
    t
}

/// Draws the list in `area` (a top rule with the title, a header row, then the rows).
pub fn render(f: &mut Frame, area: Rect, app: &App, replay: &Replay, rows: &Rows) {
    let theme = &app.theme;
    let total = replay.connection_count();
    let focused = app.focus == Focus::List;
    let block = theme.pane(title(app, rows.len(), total), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let max_id = rows.max_id().unwrap_or(1);
    let cols = columns_with(inner.width, max_id, replay.kernel.is_some());
    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    let header: Vec<Span> = cols
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            let mut title = c.title_in(app.lang).to_string();
            if c.key == app.list.sort {
                title.push(if app.list.sort_desc {
                    if theme.ascii {
                        'v'
                    } else {
                        '▼'
                    }
                } else if theme.ascii {
                    '^'
                } else {
                    '▲'
                });
            }
            let text = cell(&cols, i, &title, theme.glyphs().ellipsis);
            let sep = if i > 0 { " " } else { "" };
            [Span::raw(sep), Span::styled(text, theme.header())]
        })
        .collect();
    lines.push(Line::from(header));
    let body = inner.height.saturating_sub(1) as usize;
    if rows.is_empty() {
        let [none, not_yet, no_match] = crate::i18n::messages(app.lang).empty_list;
        let msg = if total == 0 {
            if replay.at_end() {
                none.to_string()
            } else {
                not_yet.to_string()
            }
        } else {
            let filter = crate::escape::escape(&app.filter.text);
            crate::i18n::fill(no_match, &[("filter", &filter)])
        };
        lines.push(Line::styled(msg, theme.dim()));
    }
    // Live, ages run on the wall clock between packets, as the timers do.
    let now = match replay.player.clock {
        Some(_) => replay.diag_now(),
        None => crate::decode::Timestamp(0),
    };
    // A narrow kernel column writes = where the kernel agrees.
    let narrow = cols
        .last()
        .is_some_and(|k| k.key == SortKey::Kernel && k.width < KERNEL_W);
    for c in rows.window(app.list.top, body) {
        let sel = app.selected == Some(c.id);
        let style = if sel {
            if focused {
                theme.selected()
            } else {
                theme.newest().patch(theme.selected())
            }
        } else {
            Style::new()
        };
        let problem = replay.findings.findings(c.id).iter().any(|f| f.problem);
        let kernel = replay
            .kernel_pair(c)
            .map(|k| super::kernel_view::cell(c, &k, app.lang, narrow));
        let ctx = RowCtx {
            cols: &cols,
            now,
            theme,
            lang: app.lang,
        };
        lines.push(row_line(c, kernel, problem, ctx, style));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::FileReader;
    use crate::decode::Decoder;
    use crate::track::{Tracker, TrackerConfig};
    use crate::ui::app::App;

    #[test]
    fn sort_keys_order_as_the_column_comparisons_do() {
        // A mix: IPv4 and IPv6, every state, resets, refusals, data both ways.
        let bytes = crate::gen::bulk::leaked_capture(&crate::gen::bulk::BulkConfig {
            packets: 20_000,
            connections: 2_000,
            ..Default::default()
        });
        let mut t = Tracker::new(TrackerConfig::default());
        let mut reader = FileReader::from_bytes("bulk", bytes).unwrap();
        let mut dec = Decoder::default();
        while let Some(pkt) = reader.next_packet().unwrap() {
            if let Some((seg, frame)) = dec.decode(&pkt) {
                t.ingest(&seg, frame);
            }
        }
        let conns: Vec<&Connection> = t.connections().collect();
        assert!(conns.len() > 1000);
        assert!(conns.iter().any(|c| c.client().addr.ip.is_ipv6()));
        for key in SortKey::ALL {
            for desc in [false, true] {
                let mut by_cmp = conns.clone();
                sort(&mut by_cmp, key, desc);
                let mut by_key: Vec<(Key, u64)> =
                    conns.iter().map(|c| (sort_key(c, key), c.id)).collect();
                by_key.sort_unstable();
                if desc {
                    by_key.reverse();
                }
                let a: Vec<u64> = by_cmp.iter().map(|c| c.id).collect();
                let b: Vec<u64> = by_key.iter().map(|(_, id)| *id).collect();
                assert_eq!(a, b, "{key:?} desc={desc}");
            }
        }
    }
    fn ids(rows: &Rows) -> Vec<u64> {
        (0..rows.len()).filter_map(|i| rows.id_at(i)).collect()
    }

    #[test]
    fn a_resorted_list_is_kept_a_while_as_the_replay_plays_and_made_again_when_paused() {
        let bytes = crate::gen::bulk::leaked_capture(&crate::gen::bulk::BulkConfig {
            packets: 4_000,
            connections: 400,
            ..Default::default()
        });
        let mut r = Replay::new(TrackerConfig::default(), "bulk", false);
        let t = Instant::now();
        let mut bulk = crate::ui::replay::Feeder::new(bytes, t);
        let mut feed = |r: &mut Replay, n: u64| bulk.feed(r, n);
        feed(&mut r, 1_000);
        assert!(r.busy(), "playing");
        let mut app = App::new(crate::ui::theme::Theme {
            ascii: true,
            color: false,
            ..Default::default()
        });
        app.list.sort = SortKey::Bytes;
        let mut cache = ListCache::default();
        cache.update(&r, &app, t);
        app.list.cache = cache.clone();
        let first = ids(&rows(&r, &app));
        assert_eq!(first, listed(&r, &app).0);
        feed(&mut r, 1_000);
        let fresh = listed(&r, &app).0;
        assert!(fresh.len() > first.len(), "new connections");
        // Without a sync, rows are made afresh; a sync within RESORT_EVERY keeps them.
        assert_eq!(ids(&rows(&r, &app)), fresh);
        cache.update(&r, &app, t + RESORT_EVERY / 2);
        app.list.cache = cache.clone();
        assert_eq!(ids(&rows(&r, &app)), first);
        // Later, or paused, or in another order: made again.
        let mut later = cache.clone();
        later.update(&r, &app, t + RESORT_EVERY);
        app.list.cache = later;
        assert_eq!(ids(&rows(&r, &app)), fresh);
        r.player.paused = true;
        let mut paused = cache.clone();
        paused.update(&r, &app, t + RESORT_EVERY / 2);
        app.list.cache = paused;
        assert_eq!(ids(&rows(&r, &app)), fresh);
        r.player.paused = false;
        app.list.sort_desc = true;
        let mut reversed = cache;
        reversed.update(&r, &app, t + RESORT_EVERY / 2);
        app.list.cache = reversed;
        assert_eq!(ids(&rows(&r, &app)), listed(&r, &app).0);
    }
}
