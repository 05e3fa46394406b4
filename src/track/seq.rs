//! Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4): comparisons are by signed
//! distance, so they stay right across wraparound.

#[inline]
pub fn diff(a: u32, b: u32) -> i32 {
    a.wrapping_sub(b) as i32
}
#[inline]
pub fn lt(a: u32, b: u32) -> bool {
    diff(a, b) < 0
}
#[inline]
pub fn le(a: u32, b: u32) -> bool {
    diff(a, b) <= 0
}
#[inline]
pub fn gt(a: u32, b: u32) -> bool {
    diff(a, b) > 0
}
#[inline]
pub fn ge(a: u32, b: u32) -> bool {
    diff(a, b) >= 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_hold_across_wraparound() {
        assert!(lt(u32::MAX - 10, 5));
        assert!(gt(5, u32::MAX - 10));
        assert!(le(7, 7) && ge(7, 7));
        assert_eq!(diff(3, u32::MAX), 4);
    }
}
