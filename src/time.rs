//! Time as synack counts it: capture timestamps in nanoseconds ([`Timestamp`]), an optional one
//! in 8 bytes ([`MaybeTs`]), and the wall clock read as a timestamp (live capture only).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Capture time in nanoseconds since the Unix epoch (packet timestamps, never the wall clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const NANOS_PER_SEC: i64 = 1_000_000_000;

    /// The earliest and latest capture times kept (about 1824 and 2116): half of an i64 of
    /// nanoseconds either way, so that adding any duration the tracker uses (MSL, linger,
    /// timeouts) to a capture time cannot overflow. Every classic pcap time (32-bit seconds,
    /// up to 2106) fits; a pcapng 64-bit time beyond them is clamped to the nearer one.
    pub const MIN: Timestamp = Timestamp(i64::MIN / 2);
    pub const MAX: Timestamp = Timestamp(i64::MAX / 2);

    /// From seconds and nanoseconds, clamped to [`Timestamp::MIN`]..=[`Timestamp::MAX`].
    pub fn from_secs_nanos(secs: i64, nanos: i64) -> Self {
        let ns = i128::from(secs) * i128::from(Self::NANOS_PER_SEC) + i128::from(nanos);
        Timestamp(ns.clamp(i128::from(Self::MIN.0), i128::from(Self::MAX.0)) as i64)
    }

    /// From seconds, rounded to the microsecond: an f64 holding a Unix time (about 1.7e9)
    /// has only about 0.2 us of precision, so finer digits would be noise.
    pub fn from_secs_f64(s: f64) -> Self {
        Timestamp((s * 1e6).round() as i64 * 1000)
    }

    /// Seconds (with fraction) from `earlier` to `self`.
    pub fn secs_since(self, earlier: Timestamp) -> f64 {
        (self.0 - earlier.0) as f64 / 1e9
    }

    /// RFC 3339 in UTC with microseconds, e.g. `2024-01-02T03:04:05.000006Z`.
    pub fn rfc3339(self) -> String {
        let mut buf = Vec::with_capacity(27);
        self.write_rfc3339(&mut buf);
        // Only ASCII digits and separators are written.
        String::from_utf8(buf).unwrap_or_default()
    }

    /// Appends [`Timestamp::rfc3339`] to `buf` without allocating: JSON output writes two per
    /// connection and chrono's formatter was a visible share of `--json` in the profile.
    /// Civil-from-days (H. Hinnant's algorithm); matches chrono digit for digit (unit-tested).
    /// An i64 of nanoseconds only spans the years 1677-2262; chrono's path is a safety net.
    pub fn write_rfc3339(self, buf: &mut Vec<u8>) {
        let secs = self.0.div_euclid(Self::NANOS_PER_SEC);
        let micros = self.0.rem_euclid(Self::NANOS_PER_SEC) / 1000;
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        if !(0..=9999).contains(&year) {
            buf.extend_from_slice(self.rfc3339_chrono().as_bytes());
            return;
        }
        fn digits(buf: &mut Vec<u8>, n: i64, width: usize) {
            let mut tmp = [b'0'; 6];
            let mut v = n;
            for slot in tmp[..width].iter_mut().rev() {
                *slot = b'0' + (v % 10) as u8;
                v /= 10;
            }
            buf.extend_from_slice(&tmp[..width]);
        }
        digits(buf, year, 4);
        buf.push(b'-');
        digits(buf, month, 2);
        buf.push(b'-');
        digits(buf, day, 2);
        buf.push(b'T');
        digits(buf, sod / 3600, 2);
        buf.push(b':');
        digits(buf, sod / 60 % 60, 2);
        buf.push(b':');
        digits(buf, sod % 60, 2);
        buf.push(b'.');
        digits(buf, micros, 6);
        buf.push(b'Z');
    }

    fn rfc3339_chrono(self) -> String {
        let secs = self.0.div_euclid(Self::NANOS_PER_SEC);
        let nanos = self.0.rem_euclid(Self::NANOS_PER_SEC) as u32;
        match chrono::DateTime::from_timestamp(secs, nanos) {
            Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            None => format!("{}.{:09}", secs, nanos),
        }
    }
}

/// An optional capture time in 8 bytes where `Option<Timestamp>` takes 16: a connection holds
/// ten of them, and the tracker's memory per connection has a budget. `i64::MIN` (never a
/// captured time: that is 292 years before 1970) stands for none.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaybeTs(i64);

impl MaybeTs {
    pub const NONE: MaybeTs = MaybeTs(i64::MIN);

    pub fn get(self) -> Option<Timestamp> {
        (self != Self::NONE).then_some(Timestamp(self.0))
    }
    pub fn is_some(self) -> bool {
        self != Self::NONE
    }
    pub fn take(&mut self) -> Option<Timestamp> {
        std::mem::replace(self, Self::NONE).get()
    }
}

impl Default for MaybeTs {
    fn default() -> Self {
        Self::NONE
    }
}

impl From<Timestamp> for MaybeTs {
    fn from(t: Timestamp) -> Self {
        debug_assert!(t.0 != i64::MIN, "i64::MIN stands for no time");
        MaybeTs(t.0)
    }
}

impl From<Option<Timestamp>> for MaybeTs {
    fn from(t: Option<Timestamp>) -> Self {
        t.map_or(Self::NONE, Self::from)
    }
}

impl fmt::Debug for MaybeTs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

/// The wall clock as a capture timestamp (pcap timestamps are wall-clock time): live captures
/// run their timers on it. The only place synack reads the clock for the core's use.
pub fn wall_clock() -> Timestamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_secs_nanos(d.as_secs() as i64, i64::from(d.subsec_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_past_what_an_i64_of_nanoseconds_holds_are_clamped_not_wrapped() {
        // A pcapng 64-bit timestamp in microseconds can say 1.8e13 seconds: multiplied out
        // it overflowed (a panic in debug builds, a wrapped time in release).
        assert_eq!(Timestamp::from_secs_nanos(i64::MAX, 999), Timestamp::MAX);
        assert_eq!(
            Timestamp::from_secs_nanos(18_446_744_073_709, 0),
            Timestamp::MAX
        );
        assert_eq!(Timestamp::from_secs_nanos(i64::MIN, -1), Timestamp::MIN);
        // The latest classic pcap time (32-bit seconds, nanosecond field) is kept exactly.
        let last = Timestamp::from_secs_nanos(u32::MAX.into(), u32::MAX.into());
        assert_eq!(
            last.0,
            4_294_967_295 * Timestamp::NANOS_PER_SEC + 4_294_967_295
        );
        // Room is left for the tracker's durations.
        assert!(Timestamp::MAX.0.checked_add(Timestamp::MAX.0).is_some());
    }

    #[test]
    fn maybe_ts_holds_any_captured_time_or_none_in_8_bytes() {
        assert_eq!(std::mem::size_of::<MaybeTs>(), 8);
        assert_eq!(MaybeTs::default().get(), None);
        assert_eq!(MaybeTs::from(None).get(), None);
        for t in [
            0,
            -1,
            1,
            i64::MIN + 1,
            i64::MAX,
            1_709_287_200 * Timestamp::NANOS_PER_SEC,
        ] {
            let mut m = MaybeTs::from(Timestamp(t));
            assert!(m.is_some());
            assert_eq!(m.get(), Some(Timestamp(t)));
            assert_eq!(format!("{m:?}"), format!("{:?}", Some(Timestamp(t))));
            assert_eq!(m.take(), Some(Timestamp(t)));
            assert_eq!(m, MaybeTs::NONE);
        }
    }

    #[test]
    fn fast_rfc3339_matches_chrono_digit_for_digit() {
        // Leap years, century rules, the epoch, negative times, both ends of the i64 range and
        // a spread of pseudo-random instants (an LCG: deterministic, no extra crate).
        let mut cases = vec![
            0,
            -1,
            1,
            951_782_400 * Timestamp::NANOS_PER_SEC, // 2000-02-29
            4_107_542_399 * Timestamp::NANOS_PER_SEC + 999_999_999, // 2100-02-28T23:59:59
            4_107_542_400 * Timestamp::NANOS_PER_SEC, // 2100-03-01
            i64::MIN,                               // 1677-09-21, the earliest a Timestamp holds
            i64::MAX,                               // 2262-04-11
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            // +-250 years around 1970, in nanoseconds.
            cases.push(x as i64 % (250 * 366 * 86_400 * Timestamp::NANOS_PER_SEC));
        }
        for ns in cases {
            let t = Timestamp(ns);
            assert_eq!(t.rfc3339(), t.rfc3339_chrono(), "{ns} ns");
        }
        assert_eq!(
            Timestamp::from_secs_nanos(1_704_164_645, 6_789).rfc3339(),
            "2024-01-02T03:04:05.000006Z"
        );
    }
}
