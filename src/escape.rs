//! Text that is not ours, made safe to print: interface names (Linux allows any byte but `/`
//! and NUL in them), file paths, anything taken from a packet. Control characters would move
//! the cursor, recolour or retitle the terminal, or hide what follows; bidirectional
//! overrides would reorder what is shown. Each is written as a visible escape instead
//! (`\x1b`, `\u{202e}`), and everything else as it is.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal raw.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character and bidirectional override escaped.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !unsafe_char(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// Bytes that may not be UTF-8 (a payload, a name from the kernel): invalid sequences as
/// `\xNN`, then [`escape`].
pub fn escape_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        out.push_str(&escape(chunk.valid()));
        for x in chunk.invalid() {
            let _ = write!(out, "\\x{x:02x}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_left_alone_and_not_copied() {
        assert!(matches!(escape("eth0"), Cow::Borrowed("eth0")));
        assert_eq!(escape("café 中文 /tmp/a b.pcap"), "café 中文 /tmp/a b.pcap");
    }

    #[test]
    fn control_and_bidi_characters_become_visible_escapes() {
        assert_eq!(escape("a\x1b[31mred\x07"), "a\\x1b[31mred\\x07");
        assert_eq!(
            escape("tab\there\nnl\r\x7f"),
            "tab\\x09here\\x0anl\\x0d\\x7f"
        );
        assert_eq!(escape("\u{9b}2J"), "\\x9b2J");
        assert_eq!(escape("x\u{202e}gnp.exe"), "x\\u{202e}gnp.exe");
        for s in ["\x1b]0;title\x07", "\u{2066}a\u{2069}", "\x00\x1f"] {
            assert!(!escape(s).chars().any(unsafe_char), "{s:?}");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_as_hex() {
        assert_eq!(escape_bytes(b"ok\xff\xfe\x1b!"), "ok\\xff\\xfe\\x1b!");
        assert_eq!(escape_bytes("中".as_bytes()), "中");
    }
}
