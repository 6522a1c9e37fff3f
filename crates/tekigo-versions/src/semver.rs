//! SemVer 2.0 precedence (semver.org §11), with an optional leading `v` as Go modules write
//! their versions.

use crate::num::cmp_digits;
use std::cmp::Ordering;

#[derive(Debug)]
pub(crate) struct Version<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    /// Dot-separated identifiers; empty for a release. Build metadata is dropped: it does
    /// not take part in precedence.
    pre: Vec<&'a str>,
}

fn numeric(part: &str, what: &str) -> Result<(), String> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{what} is not a number"));
    }
    if part.len() > 1 && part.starts_with('0') {
        return Err(format!("{what} has a leading zero"));
    }
    Ok(())
}

fn identifiers<'a>(s: &'a str, what: &str) -> Result<Vec<&'a str>, String> {
    s.split('.')
        .map(|id| {
            if id.is_empty() {
                return Err(format!("empty {what} identifier"));
            }
            if let Some(c) = id
                .chars()
                .find(|&c| !(c.is_ascii_alphanumeric() || c == '-'))
            {
                return Err(format!("invalid character {c:?} in {what}"));
            }
            Ok(id)
        })
        .collect()
}

pub(crate) fn parse(s: &str) -> Result<Version<'_>, String> {
    let core = s.strip_prefix('v').unwrap_or(s);
    plain_release(core).map_or_else(|| parse_general(core), Ok)
}

/// [`parse`] of any version, after its leading `v`.
fn parse_general(core: &str) -> Result<Version<'_>, String> {
    if core.is_empty() {
        return Err("version string is empty".into());
    }
    let (rest, build) = match core.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (core, None),
    };
    if let Some(build) = build {
        identifiers(build, "build metadata")?;
    }
    let (triple, pre) = match rest.split_once('-') {
        Some((triple, pre)) => (triple, identifiers(pre, "pre-release")?),
        None => (rest, Vec::new()),
    };
    for id in &pre {
        if id.bytes().all(|b| b.is_ascii_digit()) && id.len() > 1 && id.starts_with('0') {
            return Err(format!(
                "numeric pre-release identifier {id:?} has a leading zero"
            ));
        }
    }
    let mut parts = triple.split('.');
    let (Some(major), Some(minor), Some(patch), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not MAJOR.MINOR.PATCH".into());
    };
    numeric(major, "major version")?;
    numeric(minor, "minor version")?;
    numeric(patch, "patch version")?;
    Ok(Version {
        major,
        minor,
        patch,
        pre,
    })
}

/// `MAJOR.MINOR.PATCH` and nothing more, the shape of nearly every bound in advisories, read
/// in one pass over its bytes: a scan parses a bound for each range it checks, and the
/// general parse's searches for `+`, `-` and `.` cost about 600 instructions a version, 3 %
/// of a scan of 15,000 findings (issue 20). `None` for anything else, a leading zero
/// included, which the general parse then accepts or reports as it always did.
fn plain_release(core: &str) -> Option<Version<'_>> {
    let mut dots = [0; 2];
    let mut n = 0;
    for (i, b) in core.bytes().enumerate() {
        match b {
            b'0'..=b'9' => {}
            b'.' if n < 2 => {
                dots[n] = i;
                n += 1;
            }
            _ => return None,
        }
    }
    if n < 2 {
        return None;
    }
    let (major, minor, patch) = (
        &core[..dots[0]],
        &core[dots[0] + 1..dots[1]],
        &core[dots[1] + 1..],
    );
    let number = |p: &str| !p.is_empty() && (p.len() == 1 || !p.starts_with('0'));
    (number(major) && number(minor) && number(patch)).then(|| Version {
        major,
        minor,
        patch,
        pre: Vec::new(),
    })
}

pub(crate) fn cmp(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    cmp_digits(a.major, b.major)
        .then_with(|| cmp_digits(a.minor, b.minor))
        .then_with(|| cmp_digits(a.patch, b.patch))
        .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            // A pre-release has lower precedence than the release.
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => cmp_pre(&a.pre, &b.pre),
        })
}

fn cmp_pre(a: &[&str], b: &[&str]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let xn = x.bytes().all(|c| c.is_ascii_digit());
        let yn = y.bytes().all(|c| c.is_ascii_digit());
        let o = match (xn, yn) {
            (true, true) => cmp_digits(x, y),
            // Numeric identifiers have lower precedence than alphanumeric ones.
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    // A larger set of pre-release fields has higher precedence when all before are equal.
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check_invalid, check_table};
    use crate::Ecosystem;

    /// The one-pass reading of a plain release gives what the general parse gives, and
    /// leaves everything else to it.
    #[test]
    fn plain_releases_read_as_the_general_parse_reads_them() {
        for text in [
            "0.0.0",
            "1.2.3",
            "10.20.30",
            "18446744073709551616.0.0",
            "0.10.0",
        ] {
            let v = super::plain_release(text).expect(text);
            assert_eq!(
                format!("{v:?}"),
                format!("{:?}", super::parse_general(text).unwrap()),
                "{text}"
            );
        }
        // Every string of digits and dots from these pieces: read alike by both, or by
        // neither.
        let pieces = ["", "0", "7", "00", "01", "10", "123"];
        for parts in 1..=4u32 {
            for n in 0..pieces.len().pow(parts) {
                let text = (0..parts)
                    .map(|k| pieces[n / pieces.len().pow(k) % pieces.len()])
                    .collect::<Vec<_>>()
                    .join(".");
                let general = super::parse_general(&text).ok().map(|v| format!("{v:?}"));
                let plain = super::plain_release(&text).map(|v| format!("{v:?}"));
                assert_eq!(plain, general, "{text:?}");
            }
        }
        for text in [
            "",
            ".",
            "..",
            "1",
            "1.2",
            "1.2.",
            ".1.2",
            "1..2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "1.2.03",
            "1.2.3-rc.1",
            "1.2.3+build",
            "1.2.x",
            " 1.2.3",
            "1.2.3 ",
            "１.2.3",
        ] {
            assert!(super::plain_release(text).is_none(), "{text:?}");
        }
    }

    /// semver.org §11's examples, the node-semver / semver crate comparison fixtures, and
    /// Go module forms.
    #[test]
    fn semver_precedence() {
        check_table(
            Ecosystem::Semver,
            &[
                // §11.2
                ("1.0.0", "<", "2.0.0"),
                ("2.0.0", "<", "2.1.0"),
                ("2.1.0", "<", "2.1.1"),
                // §11.3
                ("1.0.0-alpha", "<", "1.0.0"),
                // §11.4 chain
                ("1.0.0-alpha", "<", "1.0.0-alpha.1"),
                ("1.0.0-alpha.1", "<", "1.0.0-alpha.beta"),
                ("1.0.0-alpha.beta", "<", "1.0.0-beta"),
                ("1.0.0-beta", "<", "1.0.0-beta.2"),
                ("1.0.0-beta.2", "<", "1.0.0-beta.11"),
                ("1.0.0-beta.11", "<", "1.0.0-rc.1"),
                ("1.0.0-rc.1", "<", "1.0.0"),
                // §10: build metadata does not take part in precedence.
                ("1.0.0-alpha+001", "=", "1.0.0-alpha"),
                ("1.0.0+20130313144700", "=", "1.0.0"),
                ("1.0.0-beta+exp.sha.5114f85", "=", "1.0.0-beta"),
                ("1.0.0+21AF26D3----117B344092BD", "=", "1.0.0+other"),
                // node-semver comparisons fixture
                ("0.0.0", ">", "0.0.0-foo"),
                ("0.0.1", ">", "0.0.0"),
                ("1.0.0", ">", "0.9.9"),
                ("0.10.0", ">", "0.9.0"),
                ("0.99.0", ">", "0.10.0"),
                ("2.0.0", ">", "1.2.3"),
                ("1.2.3", ">", "1.2.3-asdf"),
                ("1.2.3", ">", "1.2.3-4"),
                ("1.2.3", ">", "1.2.3-4-foo"),
                ("1.2.3-5-foo", ">", "1.2.3-5"),
                ("1.2.3-5", ">", "1.2.3-4"),
                ("1.2.3-5-foo", ">", "1.2.3-5-Foo"),
                ("3.0.0", ">", "2.7.2+asdf"),
                ("1.2.3-a.10", ">", "1.2.3-a.5"),
                ("1.2.3-a.b", ">", "1.2.3-a.5"),
                ("1.2.3-a.b", ">", "1.2.3-a"),
                ("1.2.3-a.b.c.10.d.5", ">", "1.2.3-a.b.c.5.d.100"),
                ("1.2.3-r2", ">", "1.2.3-r100"),
                ("1.2.3-r100", ">", "1.2.3-R2"),
                // Go modules: leading v, pseudo-versions, +incompatible.
                ("v1.2.3", "=", "1.2.3"),
                (
                    "v0.0.0-20200101000000-abcdef123456",
                    "<",
                    "v0.0.0-20210101000000-123456abcdef",
                ),
                ("v0.0.0-20200101000000-abcdef123456", "<", "v0.0.1"),
                ("v1.2.4-0.20200101000000-abcdef123456", ">", "v1.2.3"),
                ("v1.2.4-0.20200101000000-abcdef123456", "<", "v1.2.4"),
                ("v2.0.0+incompatible", "=", "v2.0.0"),
                ("18446744073709551616.0.0", ">", "18446744073709551615.0.0"),
            ],
        );
    }

    #[test]
    fn semver_invalid() {
        check_invalid(
            Ecosystem::Semver,
            &[
                "",
                "v",
                "1",
                "1.2",
                "1.2.3.4",
                "01.2.3",
                "1.02.3",
                "1.2.03",
                "1.2.3-",
                "1.2.3+",
                "1.2.3-01",
                "1.2.3-a..b",
                "1.2.3-a_b",
                "a.b.c",
                "1.2.3 ",
                " 1.2.3",
                "1.2.-3",
                "V1.2.3",
                "vv1.2.3",
                "1.2.3-ü",
            ],
        );
    }
}
