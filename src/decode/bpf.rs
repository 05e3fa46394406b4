//! BPF filters (libpcap syntax) applied to frames of any link type.
//!
//! Files are read by more than one reader and pcapng files mix link types, so the filter is
//! compiled once per link type with libpcap and run with `pcap_offline_filter`.

use pcap::{BpfProgram, Capture, Linktype};

use super::LinkType;

/// A checked filter expression and the programs compiled from it so far (one per link type
/// met). A clone starts with none: each reader (a restarted replay, say) compiles what it
/// meets, and the expression is known to compile for Ethernet.
pub struct BpfFilter {
    expr: String,
    compiled: Vec<(LinkType, Option<BpfProgram>)>,
}

impl BpfFilter {
    /// Checks the expression compiles (for Ethernet) so that a typo fails before any reading.
    pub fn new(expr: &str) -> Result<BpfFilter, String> {
        let mut f = BpfFilter {
            expr: expr.to_string(),
            compiled: Vec::new(),
        };
        f.program(LinkType::ETHERNET)
            .map_err(|e| format!("invalid filter {expr:?}: {e}"))?;
        Ok(f)
    }

    pub fn expr(&self) -> &str {
        &self.expr
    }

    fn program(&mut self, lt: LinkType) -> Result<Option<&BpfProgram>, String> {
        if let Some(i) = self.compiled.iter().position(|(l, _)| *l == lt) {
            return Ok(self.compiled[i].1.as_ref());
        }
        // pcap_open_dead takes a DLT_ value; LINKTYPE_RAW (101) is DLT_RAW (12) on Linux.
        let dlt = match lt.0 {
            101 | 14 => 12,
            other => other as i32,
        };
        let dead = Capture::dead(Linktype(dlt)).map_err(|e| e.to_string())?;
        // A link type libpcap cannot filter on (e.g. some pcapng interface types) lets every
        // frame through rather than failing the whole file.
        let prog = match dead.compile(&self.expr, true) {
            Ok(p) => Some(p),
            Err(e) if lt == LinkType::ETHERNET => return Err(e.to_string()),
            Err(_) => None,
        };
        self.compiled.push((lt, prog));
        Ok(self.compiled.last().and_then(|(_, p)| p.as_ref()))
    }

    /// Whether the frame passes the filter.
    pub fn matches(&mut self, lt: LinkType, frame: &[u8]) -> bool {
        match self.program(lt) {
            Ok(Some(p)) => p.filter(frame),
            _ => true,
        }
    }
}

impl Clone for BpfFilter {
    fn clone(&self) -> BpfFilter {
        BpfFilter {
            expr: self.expr.clone(),
            compiled: Vec::new(),
        }
    }
}

impl std::fmt::Debug for BpfFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("BpfFilter").field(&self.expr).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_expression_is_rejected_with_its_text() {
        let e = BpfFilter::new("tcp port banana").err().unwrap();
        assert!(e.contains("banana"), "{e}");
    }

    #[test]
    fn port_filter_matches_raw_ip_frames() {
        let mut f = BpfFilter::new("tcp port 80").unwrap();
        let mut pkt = Vec::new();
        etherparse::PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .tcp(40000, 80, 1, 1000)
            .write(&mut pkt, &[])
            .unwrap();
        assert!(f.matches(LinkType::RAW, &pkt));
        let mut other = Vec::new();
        etherparse::PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .tcp(40000, 81, 1, 1000)
            .write(&mut other, &[])
            .unwrap();
        assert!(!f.matches(LinkType::RAW, &other));
        // A clone compiles again for the link types it meets, and filters the same.
        let mut c = f.clone();
        assert!(c.matches(LinkType::RAW, &pkt));
        assert!(!c.matches(LinkType::RAW, &other));
    }
}
