//! How an end's state is written on a ladder, in the TUI and in `--text`: as the tracker has
//! it, except where a passive observer only assumes it. A server is taken to be in LISTEN
//! before its first SYN+ACK (RFC 9293 3.5: a passive OPEN), but only a SYN+ACK proves that a
//! socket listens; a SYN answered by a RST proves that none does (3.10.7.1: a segment to a
//! CLOSED port gets a RST). A class reading "LISTEN" next to "port 81 closed" is misled.

use unicode_width::UnicodeWidthStr;

use crate::i18n::Lang;
use crate::track::{Connection, Side, State};

/// The label of `side`'s `state` on any row of `c`'s ladder, judged on every segment known so
/// far (the whole capture in `--text`; up to the step being shown in the TUI): a server whose
/// SYN+ACK has come was listening from the start (LISTEN, not LISTEN?); one whose only answer
/// was a RST never was, so its rows read `CLOSED (no listener)` from the start too, as the
/// lesson says, not LISTEN? above it. `room`: the columns the label may take; a long label
/// gives way to a short one. The states keep their RFC names in every language; the words
/// around them are `lang`'s.
pub fn state_label(
    c: &Connection,
    side: Side,
    state: State,
    room: usize,
    lang: Lang,
) -> &'static str {
    label(ServerProof::of(c), side, state, room, lang)
}

/// What the segments known so far prove of the server: a listener (a SYN+ACK from it), or
/// none (a RST from it and no SYN+ACK). The same for every row of a connection: found once
/// where its rows are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerProof {
    listening: bool,
    refused: bool,
}

impl ServerProof {
    pub fn of(c: &Connection) -> ServerProof {
        let from_server = |e: &&crate::track::Event| e.dir.sender() == Side::Server;
        let listening = c
            .events
            .iter()
            .filter(from_server)
            .any(|e| e.flags.syn() && e.flags.ack());
        let refused = !listening && c.events.iter().filter(from_server).any(|e| e.flags.rst());
        ServerProof { listening, refused }
    }
}

/// [`state_label`] with the server's proof already found.
pub fn label(
    proof: ServerProof,
    side: Side,
    state: State,
    room: usize,
    lang: Lang,
) -> &'static str {
    if side != Side::Server {
        return state.name();
    }
    match state {
        State::Listen | State::Closed if proof.refused => {
            let [long, short] = lang.language().header.no_listener;
            if room >= long.width() {
                long
            } else {
                short
            }
        }
        State::Listen if !proof.listening => "LISTEN?",
        _ => state.name(),
    }
}

/// A label that is an assumption rather than something the capture shows.
pub fn is_assumed(label: &str) -> bool {
    label.ends_with('?')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{seg, ACK, RST_ACK, SYN, SYN_ACK};
    use crate::track::{Tracker, TrackerConfig};

    fn conn(segs: &[(bool, u16, u32, u32)]) -> Connection {
        let mut t = Tracker::new(TrackerConfig::default());
        for (i, &(from_c, flags, seq, ack)) in segs.iter().enumerate() {
            t.ingest(&seg(from_c, flags, seq, ack, 0, i as i64), i as u64 + 1);
        }
        t.get(1).expect("a connection").clone()
    }

    #[test]
    fn a_listener_is_assumed_until_its_syn_ack_then_known_from_the_start() {
        let syn = conn(&[(true, SYN, 100, 0)]);
        let label = |c: &Connection| state_label(c, Side::Server, State::Listen, 20, Lang::En);
        assert_eq!(label(&syn), "LISTEN?");
        assert!(is_assumed(label(&syn)));
        let answered = conn(&[
            (true, SYN, 100, 0),
            (false, SYN_ACK, 500, 101),
            (true, ACK, 101, 501),
        ]);
        // Its SYN+ACK proves it listened when the SYN came: the first rows say LISTEN.
        assert_eq!(label(&answered), "LISTEN");
        assert_eq!(
            state_label(&answered, Side::Client, State::Listen, 20, Lang::En),
            "LISTEN"
        );
    }

    #[test]
    fn a_syn_answered_by_rst_proves_no_listener() {
        let c = conn(&[(true, SYN, 100, 0), (false, RST_ACK, 0, 101)]);
        assert_eq!(c.server().state, State::Closed);
        let label = |room, lang| state_label(&c, Side::Server, State::Closed, room, lang);
        assert_eq!(label(20, Lang::En), "CLOSED (no listener)");
        assert_eq!(label(12, Lang::En), "NO LISTENER");
        // The rows before the RST too: never LISTEN.
        assert_eq!(
            state_label(&c, Side::Server, State::Listen, 20, Lang::En),
            "CLOSED (no listener)"
        );
        // In Chinese the words are Chinese, and the long label needs its display width.
        let [long, short] = Lang::Zh.language().header.no_listener;
        assert!(!short.is_ascii() && long.starts_with("CLOSED"));
        assert_eq!(label(long.width(), Lang::Zh), long);
        assert_eq!(label(long.width() - 1, Lang::Zh), short);
        // A reset after a handshake is an ordinary CLOSED.
        let c = conn(&[
            (true, SYN, 100, 0),
            (false, SYN_ACK, 500, 101),
            (true, ACK, 101, 501),
            (false, RST_ACK, 501, 101),
        ]);
        assert_eq!(
            state_label(&c, Side::Server, State::Closed, 20, Lang::En),
            "CLOSED"
        );
    }
}
