//! Comparison of unbounded digit strings, so no ecosystem overflows on long numeric
//! components (dates, build stamps) the way a fixed-width integer would.

use std::cmp::Ordering;

/// The digits without leading zeros; `""` for zero.
pub(crate) fn strip_zeros(digits: &str) -> &str {
    digits.trim_start_matches('0')
}

/// Compares two ASCII digit strings numerically, whatever their length.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let (a, b) = (strip_zeros(a), strip_zeros(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_numerically() {
        assert_eq!(cmp_digits("010", "9"), Ordering::Greater);
        assert_eq!(cmp_digits("000", ""), Ordering::Equal);
        assert_eq!(
            cmp_digits("123456789012345678901234567890", "99"),
            Ordering::Greater
        );
        assert_eq!(cmp_digits("12", "13"), Ordering::Less);
    }
}
