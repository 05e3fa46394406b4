//! Small text helpers shared by the panes: fitting text to a width, compact numbers.

use unicode_width::UnicodeWidthChar;

fn width(ch: char) -> usize {
    ch.width().unwrap_or(0)
}

/// Display width of `s` (wide characters count 2).
pub fn text_width(s: &str) -> usize {
    s.chars().map(width).sum()
}

/// Left-aligned in `w` columns; too long, the start is cut (an address keeps its port).
pub fn fit_left(s: &str, w: usize, ellipsis: char) -> String {
    let n = text_width(s);
    if n <= w {
        return format!("{s}{}", " ".repeat(w - n));
    }
    if w == 0 {
        return String::new();
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 1;
    for ch in s.chars().rev() {
        if used + width(ch) > w {
            break;
        }
        used += width(ch);
        tail.push(ch);
    }
    let mut out = String::new();
    out.push(ellipsis);
    out.extend(tail.into_iter().rev());
    out.push_str(&" ".repeat(w - used));
    out
}

/// Right-aligned in `w` columns; too long, the end is cut.
pub fn fit_right(s: &str, w: usize, ellipsis: char) -> String {
    let n = text_width(s);
    if n <= w {
        return format!("{}{s}", " ".repeat(w - n));
    }
    truncate(s, w, ellipsis)
}

/// At most `w` columns; too long, the end is cut and marked.
pub fn truncate(s: &str, w: usize, ellipsis: char) -> String {
    if text_width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        if used + width(ch) + 1 > w {
            break;
        }
        used += width(ch);
        out.push(ch);
    }
    out.push(ellipsis);
    out
}

/// `950`, `12.3k`, `175k`, `4.5M`: at most 5 characters (the list's column is 5 wide; 175,408
/// showed as `175.…`).
pub fn human_count(n: u64) -> String {
    if n < 10_000 {
        return n.to_string();
    }
    for (unit, div) in [("k", 1e3), ("M", 1e6), ("G", 1e9)] {
        let v = n as f64 / div;
        // Thresholds on the rounded value: 99,960 is `100k`, not `100.0k`.
        if v < 99.95 {
            return format!("{v:.1}{unit}");
        }
        if v < 999.5 {
            return format!("{v:.0}{unit}");
        }
    }
    format!("{:.0}T", n as f64 / 1e12)
}

/// Bytes: `3840`, `38.4k`, `1.2M`.
pub fn human_bytes(n: u64) -> String {
    human_count(n)
}

/// Seconds in at most five columns: `0.12s`, `12.3s`, `5m02`, `3h12`, `12d03`, `1122d`, `31y`.
pub fn human_secs(s: f64) -> String {
    let s = s.max(0.0);
    if s < 10.0 {
        format!("{s:.2}s")
    } else if s < 60.0 {
        format!("{s:.1}s")
    } else if s < 3600.0 {
        let m = (s / 60.0).floor();
        format!("{}m{:02}", m as u64, (s - m * 60.0) as u64)
    } else if s < 86_400.0 {
        let h = (s / 3600.0).floor();
        format!("{}h{:02}", h as u64, ((s - h * 3600.0) / 60.0) as u64)
    } else if s < 100.0 * 86_400.0 {
        let d = (s / 86_400.0).floor();
        format!("{}d{:02}", d as u64, ((s - d * 86_400.0) / 3600.0) as u64)
    } else if s < 10_000.0 * 86_400.0 {
        format!("{}d", (s / 86_400.0) as u64)
    } else {
        format!("{}y", (s / (365.25 * 86_400.0)) as u64)
    }
}

/// A time since the capture's start past an hour, as a clock reads it: `26h04m09s`, and past
/// 100 hours `1122d08h`; `None` below an hour (the caller's seconds read better there).
pub fn long_secs(s: f64) -> Option<String> {
    if s < 3600.0 {
        return None;
    }
    let t = s as u64;
    Some(if t < 100 * 3600 {
        format!("{}h{:02}m{:02}s", t / 3600, t / 60 % 60, t % 60)
    } else {
        format!("{}d{:02}h", t / 86_400, t / 3600 % 24)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_keeps_widths() {
        assert_eq!(fit_left("192.168.1.10:51000", 10, '~'), "~.10:51000");
        assert_eq!(fit_left("ab", 4, '~'), "ab  ");
        assert_eq!(fit_right("ab", 4, '~'), "  ab");
        assert_eq!(truncate("abcdef", 4, '~'), "abc~");
        assert_eq!(text_width("客户端 x"), 8);
        assert_eq!(truncate("客户端", 5, '~'), "客户~");
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(human_count(9999), "9999");
        assert_eq!(human_count(12_345), "12.3k");
        assert_eq!(human_count(99_949), "99.9k");
        assert_eq!(human_count(99_960), "100k");
        assert_eq!(human_count(175_408), "175k");
        assert_eq!(human_count(999_499), "999k");
        assert_eq!(human_count(999_500), "1.0M");
        assert_eq!(human_count(16_777_218), "16.8M");
        assert_eq!(human_count(123_456_789), "123M");
        for n in [
            0,
            9_999,
            10_000,
            99_999,
            100_000,
            999_999,
            999_999_999_999,
            1 << 40,
        ] {
            assert!(human_count(n).len() <= 5, "{n}: {}", human_count(n));
        }
        assert_eq!(human_secs(0.1172), "0.12s");
        assert_eq!(human_secs(302.0), "5m02");
        assert_eq!(human_secs(3.0 * 3600.0 + 720.0), "3h12");
        assert_eq!(human_secs(325.0 * 3600.0), "13d13");
        assert_eq!(human_secs(96_970_194.9), "1122d");
        for s in [0.0, 59.9, 3599.0, 86_399.0, 8_639_999.0, 1e9] {
            assert!(human_secs(s).len() <= 5, "{s}: {}", human_secs(s));
        }
        assert_eq!(human_secs(1e9), "31y");
        assert_eq!(long_secs(12.0), None);
        assert_eq!(long_secs(93_849.0).as_deref(), Some("26h04m09s"));
        assert_eq!(long_secs(96_970_194.9).as_deref(), Some("1122d08h"));
    }
}
