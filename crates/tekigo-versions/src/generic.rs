//! The fallback for packages without known rules: the version is read as runs of digits and
//! runs of letters (everything else separates runs) and compared run by run.
//!
//! Numbers compare numerically, words case-insensitively, and a word sorts below any number.
//! A missing run counts as `0` against a number and sorts above a word, so `1.0` == `1.0.0`,
//! `1.0` < `1.0.1`, and `1.0rc1` < `1.0` as most upstream tags mean it (but `7.9p1` < `7.9`,
//! which OpenSSH does not mean). A leading `v` before a digit is ignored. That is a guess for
//! any given package, which is why [`crate::Comparison::exact_rules`] is `false` for it.

use crate::num::{cmp_digits, strip_zeros};
use std::cmp::Ordering;

#[derive(Debug)]
pub(crate) enum Run {
    Word(String),
    /// Without leading zeros.
    Num(String),
}

pub(crate) type Version = Vec<Run>;

pub(crate) fn parse(s: &str) -> Result<Version, String> {
    let mut runs = Vec::new();
    // A leading `v` before a digit is a tag prefix, not a word.
    let s = match s.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => s,
    };
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            runs.push(Run::Num(strip_zeros(&digits).to_string()));
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(l) = chars.next_if(|c| c.is_alphabetic()) {
                word.extend(l.to_lowercase());
            }
            runs.push(Run::Word(word));
        } else {
            chars.next();
        }
    }
    if runs.is_empty() {
        return Err("no digits or letters".into());
    }
    Ok(runs)
}

/// Orders runs, with `None` for a missing run: words < missing = 0 < 1 < 2 ...
fn cmp_run(a: Option<&Run>, b: Option<&Run>) -> Ordering {
    let zero = Run::Num(String::new());
    match (a.unwrap_or(&zero), b.unwrap_or(&zero)) {
        (Run::Num(x), Run::Num(y)) => cmp_digits(x, y),
        (Run::Num(_), Run::Word(_)) => Ordering::Greater,
        (Run::Word(_), Run::Num(_)) => Ordering::Less,
        (Run::Word(x), Run::Word(y)) => x.cmp(y),
    }
}

pub(crate) fn cmp(a: &Version, b: &Version) -> Ordering {
    (0..a.len().max(b.len()))
        .map(|k| cmp_run(a.get(k), b.get(k)))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check_invalid, check_table};
    use crate::{compare, Ecosystem};

    #[test]
    fn generic_ordering() {
        check_table(
            Ecosystem::Generic,
            &[
                ("1.0", "=", "1.0.0"),
                ("1.0", "=", "1_0"),
                ("1.0", "<", "1.0.1"),
                ("1.2", "<", "1.10"),
                ("1.0rc1", "<", "1.0"),
                ("1.0rc1", "<", "1.0rc2"),
                ("1.0alpha", "<", "1.0beta"),
                ("1.0-RC1", "=", "1.0rc1"),
                ("2.4.57", ">", "2.4.9"),
                ("v1.2.3", "=", "1.2.3"),
                ("V2", ">", "1"),
                ("OpenSSL_1_1_1w", ">", "OpenSSL_1_1_1k"),
                ("2023.01.05", "<", "2023.1.6"),
                ("10", ">", "9"),
                ("1.0.0.0.1", ">", "1"),
                ("1.a", "<", "1.0"),
                ("R2", ">", "R1"),
                ("12345678901234567890123", ">", "12345678901234567890122"),
                ("1.0", "=", "01.00"),
                ("1:2", "=", "1.2"),
                // OpenSSH's p1 is a post-release; the fallback cannot know and reads a
                // trailing word as a pre-release. Dpkg and rpm get this right.
                ("7.9p1", "<", "7.9"),
                ("7.9p1", "<", "7.10"),
                ("1.0 build 5", ">", "1.0 build 4"),
                ("5.0.1", ">", "5.0"),
                ("1.0b", ">", "1.0a"),
                ("3.1.4", "<", "3.14"),
            ],
        );
    }

    #[test]
    fn generic_is_flagged() {
        let c = compare(Ecosystem::Generic, "1.0", "2.0").expect("valid");
        assert!(!c.exact_rules);
        check_invalid(Ecosystem::Generic, &["", "...", "-_-", " "]);
    }
}
