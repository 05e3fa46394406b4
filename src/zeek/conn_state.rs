//! Zeek's `conn_state` for a connection, so results line up with Zeek's conn.log.
//!
//! Follows `conn_state()` in Zeek's `scripts/base/protocols/conn/main.zeek` (zeek/zeek master,
//! 2025; unchanged in substance since Zeek 2.x) over the Zeek endpoint states that
//! [`History`](super::History) keeps per segment the way Zeek's TCP session adapter does.

use super::ZeekState;
use crate::track::Connection;

/// Zeek's conn_state (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH).
pub fn conn_state(conn: &Connection) -> &'static str {
    let h = &conn.history;
    let (os, rs) = h.states();
    let (osize, rsize) = h.sizes();
    state_of(os, rs, osize, rsize, h.letters())
}

/// `(conn_state, history)` of each connection Zeek would have logged on this 4-tuple before
/// the current one: Zeek removes a connection on its timers (an unanswered SYN after 5 s, 5 s
/// after a complete close or a RST, 5 minutes of silence, ...; see
/// [`ZeekTimer`](super::history::ZeekTimer)) and starts a new one for later segments, where
/// synack keeps one.
pub fn earlier(conn: &Connection) -> Vec<(&'static str, String)> {
    conn.history
        .earlier()
        .iter()
        .map(|e| {
            let (os, rs) = e.states;
            let (osize, rsize) = e.sizes;
            (
                state_of(os, rs, osize, rsize, &e.letters),
                e.letters.clone(),
            )
        })
        .collect()
}

/// The decision table of main.zeek's `conn_state()`, for TCP.
fn state_of(os: ZeekState, rs: ZeekState, osize: u64, rsize: u64, hist: &str) -> &'static str {
    use ZeekState::*;
    let o_inactive = matches!(os, Inactive | Partial);
    let r_inactive = matches!(rs, Inactive | Partial);
    if rs == Reset {
        if matches!(os, SynSent | SynAckSent) || (os == Reset && osize == 0 && rsize == 0) {
            "REJ"
        } else if o_inactive {
            "RSTRH"
        } else {
            "RSTR"
        }
    } else if os == Reset {
        if r_inactive {
            if syn_then_rst(hist) {
                "RSTOS0"
            } else {
                "OTH"
            }
        } else {
            "RSTO"
        }
    } else if rs == Closed && os == Closed {
        "SF"
    } else if os == Closed {
        if r_inactive {
            "SH"
        } else {
            "S2"
        }
    } else if rs == Closed {
        if o_inactive {
            "SHR"
        } else {
            "S3"
        }
    } else if os == SynSent && rs == Inactive {
        "S0"
    } else if os == Established && rs == Established {
        "S1"
    } else {
        "OTH"
    }
}

/// Zeek's `/\^?S[^HAFGIQ]*R.*/ == history` (a whole-string match).
fn syn_then_rst(hist: &str) -> bool {
    let rest = hist.strip_prefix('^').unwrap_or(hist);
    let Some(rest) = rest.strip_prefix('S') else {
        return false;
    };
    for c in rest.chars() {
        if c == 'R' {
            return true;
        }
        if "HAFGIQ".contains(c) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{
        seg, ACK as A, FIN_ACK as FA, PSH_ACK as PA, RST as R, RST_ACK as RA, SYN, SYN_ACK as SA,
    };
    use crate::track::testkit::T;
    use ZeekState::*;

    /// A connection from segments `(from_client, flags, seq, ack, len)` a millisecond apart,
    /// through the tracker's own `Connection`, so the history hook is exercised as in
    /// production.
    fn conn(segs: &[(bool, u16, u32, u32, u32)]) -> Connection {
        let mut t = T::new();
        for (i, &(from_c, flags, seq, ack, len)) in segs.iter().enumerate() {
            t.feed(seg(from_c, flags, seq, ack, len, i as i64));
        }
        t.c.expect("segments")
    }

    fn check(segs: &[(bool, u16, u32, u32, u32)], state: &str, hist: &str) {
        let c = conn(segs);
        assert_eq!(
            (conn_state(&c), c.history.letters()),
            (state, hist),
            "{segs:?}"
        );
    }

    const HS: [(bool, u16, u32, u32, u32); 3] = [
        (true, SYN, 100, 0, 0),
        (false, SA, 500, 101, 0),
        (true, A, 101, 501, 0),
    ];

    #[test]
    fn s0_syn_unanswered() {
        check(&[(true, SYN, 100, 0, 0)], "S0", "S");
    }

    #[test]
    fn s1_established_not_closed() {
        check(&HS, "S1", "ShA");
    }

    #[test]
    fn sf_both_fins() {
        let mut s = HS.to_vec();
        s.extend([(true, FA, 101, 501, 0), (false, FA, 501, 102, 0)]);
        check(&s, "SF", "ShAFf");
    }

    #[test]
    fn rej_syn_answered_by_rst() {
        check(
            &[(true, SYN, 100, 0, 0), (false, RA, 0, 101, 0)],
            "REJ",
            "Sr",
        );
    }

    #[test]
    fn s2_originator_closed_responder_silent_since() {
        let mut s = HS.to_vec();
        s.push((true, FA, 101, 501, 0));
        check(&s, "S2", "ShAF");
    }

    #[test]
    fn s3_responder_closed() {
        let mut s = HS.to_vec();
        s.push((false, FA, 501, 101, 0));
        check(&s, "S3", "ShAf");
    }

    #[test]
    fn rsto_originator_aborts() {
        let mut s = HS.to_vec();
        s.extend([(true, PA, 101, 501, 5), (true, RA, 106, 501, 0)]);
        check(&s, "RSTO", "ShADR");
    }

    #[test]
    fn rstr_responder_aborts() {
        let mut s = HS.to_vec();
        s.extend([(true, PA, 101, 501, 5), (false, RA, 501, 106, 0)]);
        check(&s, "RSTR", "ShADr");
    }

    #[test]
    fn rstos0_syn_then_own_rst() {
        check(
            &[(true, SYN, 100, 0, 0), (true, R, 101, 0, 0)],
            "RSTOS0",
            "SR",
        );
    }

    #[test]
    fn rstrh_synack_then_rst_without_syn() {
        // Starts with a SYN-ACK: Zeek makes its sender the responder ('^').
        check(
            &[(false, SA, 500, 101, 0), (false, R, 501, 0, 0)],
            "RSTRH",
            "^hr",
        );
    }

    #[test]
    fn sh_syn_then_fin_no_answer() {
        check(&[(true, SYN, 100, 0, 0), (true, FA, 101, 0, 0)], "SH", "SF");
    }

    #[test]
    fn shr_synack_then_fin_without_syn() {
        check(
            &[(false, SA, 500, 101, 0), (false, FA, 501, 101, 0)],
            "SHR",
            "^hf",
        );
    }

    #[test]
    fn oth_midstream() {
        check(
            &[(true, PA, 100, 500, 10), (false, A, 500, 110, 0)],
            "OTH",
            "Da",
        );
    }

    #[test]
    fn rstos0_pattern_is_anchored_and_stops_at_handshake_letters() {
        assert!(syn_then_rst("SR"));
        assert!(syn_then_rst("^SdR"));
        // Only the originator's letters stop it: a responder's SYN-ACK ('h') does not.
        assert!(syn_then_rst("ShR"));
        assert!(!syn_then_rst("SAR"));
        assert!(!syn_then_rst("DSR"));
        assert!(!syn_then_rst("S"));
        assert_eq!(state_of(Reset, Inactive, 0, 0, "DR"), "OTH");
        assert_eq!(state_of(Reset, Reset, 0, 0, "Sr"), "REJ");
        assert_eq!(state_of(Reset, Reset, 5, 0, "ShADR"), "RSTR");
    }
}
