//! rpm version ordering: `[epoch:]version[-release]` compared with `rpmvercmp`.

use crate::num::cmp_digits;
use std::cmp::Ordering;

#[derive(Debug)]
pub(crate) struct Version<'a> {
    /// Digits; `""` when absent, which orders as 0 (rpm's `rpmverCmp`).
    epoch: &'a str,
    version: &'a str,
    /// `""` when absent.
    ///
    /// rpm itself skips the release comparison when one side has none, which makes `1.0`
    /// equal to both `1.0-1` and `1.0-2` and is not an order. Here a missing release sorts
    /// below any release, so a release-less inventory version is reported as affected by a
    /// fix in `1.0-2` rather than silently passed.
    release: &'a str,
}

pub(crate) fn parse(s: &str) -> Result<Version<'_>, String> {
    if s.is_empty() {
        return Err("version string is empty".into());
    }
    // Like rpm's parseEVR: an epoch is the run of digits before the first colon.
    let (epoch, rest) = match s.split_once(':') {
        Some((epoch, rest)) => {
            if !epoch.bytes().all(|b| b.is_ascii_digit()) {
                return Err("epoch is not a number".into());
            }
            (epoch, rest)
        }
        None => ("", s),
    };
    let (version, release) = match rest.rsplit_once('-') {
        Some((_, "")) => return Err("release is empty".into()),
        Some((version, release)) => (version, release),
        None => (rest, ""),
    };
    if version.is_empty() {
        return Err("version is empty".into());
    }
    // rpmbuild accepts only these characters in Version and Release (and no '-').
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._+~^".contains(c);
    if let Some(c) = version.chars().find(|&c| !allowed(c)) {
        return Err(format!("invalid character {c:?} in version"));
    }
    if let Some(c) = release.chars().find(|&c| !allowed(c)) {
        return Err(format!("invalid character {c:?} in release"));
    }
    Ok(Version {
        epoch,
        version,
        release,
    })
}

pub(crate) fn cmp(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    cmp_digits(a.epoch, b.epoch)
        .then_with(|| rpmvercmp(a.version, b.version))
        .then_with(|| rpmvercmp(a.release, b.release))
}

/// A port of rpm's `rpmvercmp` (rpmio/rpmvercmp.c, rpm >= 4.15 with the caret).
fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let at = |s: &[u8], k: usize| s.get(k).copied();
    let is_sep =
        |c: Option<u8>| c.is_some_and(|c| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^');
    while i < a.len() || j < b.len() {
        while is_sep(at(a, i)) {
            i += 1;
        }
        while is_sep(at(b, j)) {
            j += 1;
        }
        // The tilde sorts before everything, even the end of the string.
        if at(a, i) == Some(b'~') || at(b, j) == Some(b'~') {
            if at(a, i) != Some(b'~') {
                return Ordering::Greater;
            }
            if at(b, j) != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // The caret sorts like the tilde, except that the end of the string sorts lower.
        if at(a, i) == Some(b'^') || at(b, j) == Some(b'^') {
            if i >= a.len() {
                return Ordering::Less;
            }
            if j >= b.len() {
                return Ordering::Greater;
            }
            if at(a, i) != Some(b'^') {
                return Ordering::Greater;
            }
            if at(b, j) != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let numeric = a[i].is_ascii_digit();
        let in_segment = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (si, sj) = (i, j);
        while a.get(i).is_some_and(in_segment) {
            i += 1;
        }
        while b.get(j).is_some_and(in_segment) {
            j += 1;
        }
        // The segments are different types: numeric beats alpha.
        if j == sj {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        // Both segments are ASCII, so valid UTF-8.
        let sa = std::str::from_utf8(&a[si..i]).unwrap_or("");
        let sb = std::str::from_utf8(&b[sj..j]).unwrap_or("");
        let o = if numeric {
            cmp_digits(sa, sb)
        } else {
            sa.cmp(sb)
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    // Everything compared equal up to here; whichever has characters left over wins.
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::rpmvercmp;
    use crate::testutil::{check_invalid, check_table};
    use crate::Ecosystem;
    use std::cmp::Ordering;

    /// rpm's tests/rpmvercmp.at, on the bare comparison (some rows are not valid EVRs).
    #[test]
    fn rpmvercmp_at() {
        let rows: &[(&str, &str, i32)] = &[
            ("1.0", "1.0", 0),
            ("1.0", "2.0", -1),
            ("2.0", "1.0", 1),
            ("2.0.1", "2.0.1", 0),
            ("2.0", "2.0.1", -1),
            ("2.0.1", "2.0", 1),
            ("2.0.1a", "2.0.1a", 0),
            ("2.0.1a", "2.0.1", 1),
            ("2.0.1", "2.0.1a", -1),
            ("5.5p1", "5.5p1", 0),
            ("5.5p1", "5.5p2", -1),
            ("5.5p2", "5.5p1", 1),
            ("5.5p10", "5.5p10", 0),
            ("5.5p1", "5.5p10", -1),
            ("5.5p10", "5.5p1", 1),
            ("10xyz", "10.1xyz", -1),
            ("10.1xyz", "10xyz", 1),
            ("xyz10", "xyz10", 0),
            ("xyz10", "xyz10.1", -1),
            ("xyz10.1", "xyz10", 1),
            ("xyz.4", "xyz.4", 0),
            ("xyz.4", "8", -1),
            ("8", "xyz.4", 1),
            ("xyz.4", "2", -1),
            ("2", "xyz.4", 1),
            ("5.5p2", "5.6p1", -1),
            ("5.6p1", "5.5p2", 1),
            ("5.6p1", "6.5p1", -1),
            ("6.5p1", "5.6p1", 1),
            ("6.0.rc1", "6.0", 1),
            ("6.0", "6.0.rc1", -1),
            ("10b2", "10a1", 1),
            ("10a2", "10b2", -1),
            ("1.0aa", "1.0aa", 0),
            ("1.0a", "1.0aa", -1),
            ("1.0aa", "1.0a", 1),
            ("10.0001", "10.0001", 0),
            ("10.0001", "10.1", 0),
            ("10.1", "10.0001", 0),
            ("10.0001", "10.0039", -1),
            ("10.0039", "10.0001", 1),
            ("4.999.9", "5.0", -1),
            ("5.0", "4.999.9", 1),
            ("20101121", "20101121", 0),
            ("20101121", "20101122", -1),
            ("20101122", "20101121", 1),
            ("2_0", "2_0", 0),
            ("2.0", "2_0", 0),
            ("2_0", "2.0", 0),
            ("a", "a", 0),
            ("a+", "a+", 0),
            ("a+", "a_", 0),
            ("a_", "a+", 0),
            ("+a", "+a", 0),
            ("+a", "_a", 0),
            ("_a", "+a", 0),
            ("+_", "+_", 0),
            ("_+", "+_", 0),
            ("_+", "_", 0),
            ("+", "_", 0),
            ("_", "+", 0),
            ("1.0~rc1", "1.0~rc1", 0),
            ("1.0~rc1", "1.0", -1),
            ("1.0", "1.0~rc1", 1),
            ("1.0~rc1", "1.0~rc2", -1),
            ("1.0~rc2", "1.0~rc1", 1),
            ("1.0~rc1~git123", "1.0~rc1~git123", 0),
            ("1.0~rc1~git123", "1.0~rc1", -1),
            ("1.0~rc1", "1.0~rc1~git123", 1),
            ("1.0^", "1.0^", 0),
            ("1.0^", "1.0", 1),
            ("1.0", "1.0^", -1),
            ("1.0^git1", "1.0^git1", 0),
            ("1.0^git1", "1.0", 1),
            ("1.0", "1.0^git1", -1),
            ("1.0^git1", "1.0^git2", -1),
            ("1.0^git2", "1.0^git1", 1),
            ("1.0^git1", "1.01", -1),
            ("1.01", "1.0^git1", 1),
            ("1.0^20160101", "1.0^20160101", 0),
            ("1.0^20160101", "1.0.1", -1),
            ("1.0.1", "1.0^20160101", 1),
            ("1.0^20160101^git1", "1.0^20160101^git1", 0),
            ("1.0^20160102", "1.0^20160101^git1", 1),
            ("1.0^20160101^git1", "1.0^20160102", -1),
            ("1.0~rc1^git1", "1.0~rc1^git1", 0),
            ("1.0~rc1^git1", "1.0~rc1", 1),
            ("1.0~rc1", "1.0~rc1^git1", -1),
            ("1.0^git1~pre", "1.0^git1~pre", 0),
            ("1.0^git1", "1.0^git1~pre", 1),
            ("1.0^git1~pre", "1.0^git1", -1),
            // The "these are the ones that fail" block: the algorithm's real answers.
            ("1b.fc17", "1b.fc17", 0),
            ("1b.fc17", "1.fc17", -1),
            ("1.fc17", "1b.fc17", 1),
            ("1g.fc17", "1g.fc17", 0),
            ("1g.fc17", "1.fc17", 1),
            ("1.fc17", "1g.fc17", -1),
        ];
        let mut failures = Vec::new();
        for &(a, b, want) in rows {
            let want = want.cmp(&0);
            if rpmvercmp(a, b) != want {
                failures.push(format!("{a} vs {b}: want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn evr_ordering() {
        check_table(
            Ecosystem::Rpm,
            &[
                ("1.0~rc1", "<", "1.0"),
                ("1.0^", ">", "1.0"),
                ("1:1.0-1", ">", "2.0-1"),
                ("0:1.0-1", "=", "1.0-1"),
                ("1.0-1", "<", "1.0-2"),
                ("1.0-2.el9", ">", "1.0-1.el9"),
                ("1.0-1.el9_2", ">", "1.0-1.el9"),
                ("1.0-1.el9_2.1", ">", "1.0-1.el9_2"),
                ("3.0.7-24.el9", "<", "3.0.7-25.el9"),
                ("1:3.0.7-24.el9", ">", "3.0.8-1.el9"),
                ("1.0", "<", "1.0-1"),
                ("2.4.57-5.el9", ">", "2.4.53-11.el9_2.5"),
                ("1.1.1k-7.el8_6", ">", "1.1.1k-6.el8_5"),
                ("1.1.1k-7.el8_6", "<", "1.1.1l-1.el8"),
                ("5.3.28-53.el9", "<", "5.3.28-54.el9"),
                ("0.9.8-1", "<", "0.10.0-1"),
            ],
        );
        assert_eq!(rpmvercmp("", "1"), Ordering::Less);
    }

    #[test]
    fn rpm_invalid() {
        check_invalid(
            Ecosystem::Rpm,
            &[
                "", "1.0-", "-1", "a:1.0", "1.0 1", "1.0/2", "1:", "1.0-1-ü", "1.0-1@2", "1,0",
            ],
        );
    }
}
