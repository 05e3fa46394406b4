//! The lab's address range: a /24 from a short list of candidates, the first that overlaps
//! nothing the host has (an address or a route, in any table). The lab's namespaces are not
//! connected to the host, so a clash could not misroute traffic; but a range the host also
//! uses would make the lab's captures and `ss` output ambiguous to read beside the host's.

use std::net::Ipv4Addr;

use super::netns;

/// Tried in this order; rarely used corners of the private ranges.
pub const CANDIDATES: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(10, 213, 77, 0), 24),
    (Ipv4Addr::new(172, 30, 213, 0), 24),
    (Ipv4Addr::new(192, 168, 213, 0), 24),
    (Ipv4Addr::new(10, 77, 213, 0), 24),
    (Ipv4Addr::new(10, 254, 213, 0), 24),
];

/// Whether `a/alen` and `b/blen` share any address.
pub fn overlaps(a: (Ipv4Addr, u8), b: (Ipv4Addr, u8)) -> bool {
    let len = a.1.min(b.1);
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    };
    u32::from(a.0) & mask == u32::from(b.0) & mask
}

/// The first of `candidates` that overlaps none of `used`.
pub fn choose(used: &[(Ipv4Addr, u8)], candidates: &[(Ipv4Addr, u8)]) -> Option<(Ipv4Addr, u8)> {
    candidates
        .iter()
        .copied()
        .find(|c| !used.iter().any(|u| overlaps(*c, *u)))
}

/// Every IPv4 prefix in `ip -4 -o addr show` / `ip -4 route show table all` output:
/// `a.b.c.d/len` words, and bare addresses as /32 (`default` is 0.0.0.0/0 and is skipped: it
/// overlaps everything and says nothing about what is in use).
pub fn prefixes(text: &str) -> Vec<(Ipv4Addr, u8)> {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let (ip, len) = match word.split_once('/') {
            Some((ip, len)) => (ip, len.parse::<u8>().ok().filter(|l| *l <= 32)),
            None => (word, Some(32)),
        };
        if let (Ok(ip), Some(len)) = (ip.parse::<Ipv4Addr>(), len) {
            if !(len == 32 && ip.is_unspecified()) && len > 0 {
                out.push((ip, len));
            }
        }
    }
    out
}

/// What the host uses now: its addresses and routes.
pub fn host_prefixes() -> Vec<(Ipv4Addr, u8)> {
    let mut text = String::new();
    for cmd in [
        &["ip", "-4", "-o", "addr", "show"][..],
        &["ip", "-4", "route", "show", "table", "all"][..],
    ] {
        if let Ok(out) = netns::run(cmd) {
            text.push_str(&String::from_utf8_lossy(&out.stdout));
            text.push('\n');
        }
    }
    prefixes(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (Ipv4Addr, u8) {
        prefixes(s)[0]
    }

    #[test]
    fn overlap_is_by_the_shorter_prefix() {
        assert!(overlaps(p("10.213.77.0/24"), p("10.0.0.0/8")));
        assert!(overlaps(p("10.213.77.0/24"), p("10.213.77.9")));
        assert!(!overlaps(p("10.213.77.0/24"), p("10.213.78.0/24")));
        assert!(!overlaps(p("10.213.77.0/24"), p("172.16.0.0/12")));
    }

    #[test]
    fn a_range_in_use_falls_back_to_the_next_candidate() {
        let used = prefixes(
            "2: eth0    inet 10.213.77.5/24 brd 10.213.77.255 scope global eth0\n\
             default via 172.30.0.1 dev eth1\n172.30.0.0/16 dev eth1 proto kernel\n",
        );
        assert_eq!(choose(&used, CANDIDATES), Some(CANDIDATES[2]));
        assert_eq!(choose(&[], CANDIDATES), Some(CANDIDATES[0]));
        assert_eq!(choose(&prefixes("0.0.0.0/1 128.0.0.0/1"), CANDIDATES), None);
    }

    #[test]
    fn default_and_junk_are_not_prefixes() {
        assert!(prefixes("default via fe80::1 dev eth0 0.0.0.0 1.2.3.4/40 proto").is_empty());
    }
}
