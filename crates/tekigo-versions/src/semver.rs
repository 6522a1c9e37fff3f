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
