//! dpkg version ordering: `[epoch:]upstream[-revision]` as parsed by dpkg's `parseversion`
//! and compared by its `verrevcmp`.

use crate::num::{cmp_digit_bytes, cmp_digits};
use std::cmp::Ordering;

#[derive(Debug)]
pub(crate) struct Version<'a> {
    /// Digits; `""` when absent, which orders as 0.
    epoch: &'a str,
    upstream: &'a str,
    /// `""` when absent; dpkg orders a missing revision like an empty one (`1.0` == `1.0-0`).
    revision: &'a str,
}

/// dpkg refuses epochs that do not fit a C `int`.
const MAX_EPOCH: &str = "2147483647";

/// Parses like dpkg's `parseversion`, treating its warnings as errors: a version dpkg only
/// warns about cannot come from a real package and most likely is a data error.
pub(crate) fn parse(s: &str) -> Result<Version<'_>, String> {
    let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
    if s.is_empty() {
        return Err("version string is empty".into());
    }
    if s.contains(|c: char| c.is_ascii_whitespace()) {
        return Err("version string has embedded spaces".into());
    }
    let (epoch, rest) = match s.split_once(':') {
        Some((epoch, rest)) => {
            if epoch.is_empty() {
                return Err("epoch in version is empty".into());
            }
            if !epoch.bytes().all(|b| b.is_ascii_digit()) {
                return Err("epoch in version is not number".into());
            }
            if cmp_digits(epoch, MAX_EPOCH) == Ordering::Greater {
                return Err("epoch in version is too big".into());
            }
            if rest.is_empty() {
                return Err("nothing after colon in version number".into());
            }
            (epoch, rest)
        }
        None => ("", s),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((_, "")) => return Err("revision number is empty".into()),
        Some((upstream, revision)) => (upstream, revision),
        None => (rest, ""),
    };
    if upstream.is_empty() {
        return Err("version number is empty".into());
    }
    if !upstream.as_bytes()[0].is_ascii_digit() {
        return Err("version number does not start with digit".into());
    }
    if let Some(c) = upstream
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || ".-+~:".contains(c)))
    {
        return Err(format!("invalid character {c:?} in version number"));
    }
    if let Some(c) = revision
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || ".+~".contains(c)))
    {
        return Err(format!("invalid character {c:?} in revision number"));
    }
    Ok(Version {
        epoch,
        upstream,
        revision,
    })
}

pub(crate) fn cmp(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    cmp_digits(a.epoch, b.epoch)
        .then_with(|| verrevcmp(a.upstream, b.upstream))
        .then_with(|| verrevcmp(a.revision, b.revision))
}

/// dpkg's character weight: digits 0 (they are handled separately), letters by ASCII value,
/// `~` below everything including the end of the string, other characters after letters.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`: alternate non-digit runs (compared by [`order`]) and digit runs
/// (compared numerically).
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let non_digit = |s: &[u8], k: usize| s.get(k).is_some_and(|c| !c.is_ascii_digit());
    while i < a.len() || j < b.len() {
        while non_digit(a, i) || non_digit(b, j) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        let (si, sj) = (i, j);
        while a.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        let o = cmp_digit_bytes(&a[si..i], &b[sj..j]);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check_invalid, check_table};
    use crate::Ecosystem;

    /// Cases from dpkg's lib/dpkg/t/t-version.c, apt's test/libapt/versions.lst (the
    /// `dpkg --compare-versions` reference list), and Debian Policy 5.6.12. Every row was
    /// also checked with `dpkg --compare-versions`.
    #[test]
    fn dpkg_ordering() {
        check_table(
            Ecosystem::Debian,
            &[
                // t-version.c
                ("0:1-1", "<", "0:2-1"),
                ("1:1-1", "<", "2:1-1"),
                ("0:1-1", "<", "0:1-2"),
                ("0:0-0", "<", "1:0-0"),
                ("0:1a-0", "<", "0:1b-0"),
                ("0:0-a", "<", "0:0-b"),
                ("0:0-0", "=", "0-0"),
                ("0:0.0-0", "=", "0.0-0"),
                ("1.0", "=", "0:1.0"),
                ("1.0-0", "=", "1.0"),
                // Debian Policy: ~~ < ~~a < ~ < (empty) < a
                ("1.0~~", "<", "1.0~~a"),
                ("1.0~~a", "<", "1.0~"),
                ("1.0~", "<", "1.0"),
                ("1.0", "<", "1.0a"),
                ("1.0~rc1", "<", "1.0"),
                ("1.0~rc1", "<", "1.0~rc2"),
                ("1.0~rc1-1", "<", "1.0-1"),
                ("1:0.9", ">", "2.0"),
                // apt versions.lst
                ("7.6p2-4", ">", "7.6-0"),
                ("1.0.3-3", ">", "1.0-1"),
                ("1.3", ">", "1.2.2-2"),
                ("1.3", ">", "1.2.2"),
                ("0-pre", "=", "0-pre"),
                ("0-pre", "<", "0-pree"),
                ("1.1.6r2-2", ">", "1.1.6r-1"),
                ("2.6b2-1", ">", "2.6b-2"),
                ("98.1p5-1", "<", "98.1-pre2-b6-2"),
                ("0.4a6-2", ">", "0.4-1"),
                ("1:3.0.5-2", "<", "1:3.0.5.1"),
                ("1:0.4", ">", "10.3"),
                ("1:1.25-4", "<", "1:1.25-8"),
                ("0:1.18.36", "=", "1.18.36"),
                ("1.18.36", ">", "1.18.35"),
                ("0:1.18.36", ">", "1.18.35"),
                ("9:1.18.36:5.4-20", "<", "10:0.5.1-22"),
                ("9:1.18.36:5.4-20", "<", "9:1.18.36:5.5-1"),
                ("9:1.18.36:5.4-20", "<", "9:1.18.37:4.3-22"),
                ("1.18.36-0.17.35-18", ">", "1.18.36-19"),
                ("1:1.2.13-3", "<", "1:1.2.13-22"),
                ("1.2.3", "<", "1.2.10"),
                ("01", "=", "1"),
                ("1.0a", "<", "1.0."),
                ("1.0+dfsg", "<", "1.0.1"),
                ("1.0-1", "<", "1.0-1+b1"),
                ("1.0-1", ">", "1.0-1~bpo1"),
                ("2.30-1~exp1", "<", "2.30-1"),
                ("1.2.3-1ubuntu1", ">", "1.2.3-1"),
                ("1.2.3-1ubuntu0.1", "<", "1.2.3-1ubuntu1"),
                ("3.0.2-0ubuntu1.10", ">", "3.0.2-0ubuntu1.9"),
                ("2147483647:1", ">", "2147483646:9"),
                ("1.0+~", "<", "1.0+"),
                ("1.099999999999999999999", "<", "1.100000000000000000000"),
            ],
        );
    }

    #[test]
    fn dpkg_invalid() {
        // t-version.c's parse failures and the characters it rejects.
        check_invalid(
            Ecosystem::Debian,
            &[
                "",
                "   ",
                "0:",
                "0:0-",
                ":1.0",
                "a:1.0",
                "-1:1.0",
                "1:-1",
                "0 0",
                "2147483648:1",
                "a1.0",
                "0:0_0-1",
                "0:0!0-1",
                "0:0#0-1",
                "0:0@0-1",
                "0:0$0-1",
                "0:0%0-1",
                "0:0&0-1",
                "0:0/0-1",
                "0:0|0-1",
                "0:0\\0-1",
                "0:0<0-1",
                "0:0>0-1",
                "0:0(0-1",
                "0:0[0-1",
                "0:0{0-1",
                "0:0;0-1",
                "0:0,0-1",
                "0:0=0-1",
                "0:0*0-1",
                "0:0^0-1",
                "0:0'0-1",
                "0:0-0:0",
                "0:0-0_0",
                "1.0-ü",
                "1.0\u{0}",
            ],
        );
    }

    #[test]
    fn surrounding_spaces_are_ignored() {
        let c = crate::compare(Ecosystem::Debian, " 1.0-1 ", "1.0-1").expect("valid");
        assert_eq!(c.ordering, std::cmp::Ordering::Equal);
        assert!(c.exact_rules);
    }
}
