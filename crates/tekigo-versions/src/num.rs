//! Comparison of unbounded digit strings, so no ecosystem overflows on long numeric
//! components (dates, build stamps) the way a fixed-width integer would.

use std::cmp::Ordering;

/// The digits without leading zeros; `""` for zero.
pub(crate) fn strip_zeros(digits: &str) -> &str {
    digits.trim_start_matches('0')
}

/// Compares two ASCII digit strings numerically, whatever their length.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    cmp_digit_bytes(a.as_bytes(), b.as_bytes())
}

/// [`cmp_digits`] of digits as bytes, for comparisons that walk a version byte by byte
/// (dpkg's, apk's): with no text to make of them, comparing two Debian versions took a
/// third of the time (issue 20).
pub(crate) fn cmp_digit_bytes(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |d: &[u8]| -> usize { d.iter().take_while(|&&c| c == b'0').count() };
    let (a, b) = (&a[strip(a)..], &b[strip(b)..]);
    // Byte by byte rather than `a.cmp(b)`: the runs are a digit or two, shorter than the
    // call to `memcmp` that slice comparison makes.
    let first_difference = a.iter().zip(b).find(|(x, y)| x != y);
    a.len()
        .cmp(&b.len())
        .then_with(|| first_difference.map_or(Ordering::Equal, |(x, y)| x.cmp(y)))
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

    /// Every pair of digit strings up to three long (leading zeros and the empty string
    /// too) against the numbers they spell.
    #[test]
    fn digits_compare_as_their_numbers() {
        let mut strings = vec![String::new()];
        for len in 1..=3 {
            for n in 0..10u32.pow(len) {
                strings.push(format!("{n:0width$}", width = len as usize));
            }
        }
        let value = |s: &str| s.parse::<u32>().unwrap_or(0);
        for a in &strings {
            for b in &strings {
                let want = value(a).cmp(&value(b));
                assert_eq!(cmp_digits(a, b), want, "{a:?} {b:?}");
            }
        }
    }
}
