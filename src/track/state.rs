//! The TCP connection states of RFC 9293 section 3.3.2.

use std::fmt;

/// One end's TCP state, named as in RFC 9293 (with underscores, as `netstat` and `ss` print
/// them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
}

impl State {
    pub const ALL: [State; 11] = [
        State::Closed,
        State::Listen,
        State::SynSent,
        State::SynReceived,
        State::Established,
        State::FinWait1,
        State::FinWait2,
        State::CloseWait,
        State::Closing,
        State::LastAck,
        State::TimeWait,
    ];

    pub fn name(self) -> &'static str {
        match self {
            State::Closed => "CLOSED",
            State::Listen => "LISTEN",
            State::SynSent => "SYN_SENT",
            State::SynReceived => "SYN_RECEIVED",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN_WAIT_1",
            State::FinWait2 => "FIN_WAIT_2",
            State::CloseWait => "CLOSE_WAIT",
            State::Closing => "CLOSING",
            State::LastAck => "LAST_ACK",
            State::TimeWait => "TIME_WAIT",
        }
    }

    /// Synchronized states (RFC 9293 glossary): both sequence spaces are known.
    pub fn is_synchronized(self) -> bool {
        !matches!(
            self,
            State::Closed | State::Listen | State::SynSent | State::SynReceived
        )
    }

    /// No connection left at this end (or only the passive socket it came from).
    pub fn is_gone(self) -> bool {
        matches!(self, State::Closed | State::Listen)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl std::str::FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_uppercase().replace(['-', ' '], "_");
        State::ALL
            .into_iter()
            .find(|st| {
                st.name() == norm
                    || (norm == "SYN_RECV" && *st == State::SynReceived)
                    || (norm == "FIN_WAIT1" && *st == State::FinWait1)
                    || (norm == "FIN_WAIT2" && *st == State::FinWait2)
            })
            .ok_or_else(|| format!("unknown TCP state {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_rfc_ones_and_parse_back() {
        for st in State::ALL {
            assert_eq!(st.name().parse::<State>().unwrap(), st);
        }
        assert_eq!("syn-recv".parse::<State>().unwrap(), State::SynReceived);
        assert_eq!(State::FinWait1.to_string(), "FIN_WAIT_1");
        assert!("BOGUS".parse::<State>().is_err());
    }
}
