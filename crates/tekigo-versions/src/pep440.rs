//! PEP 440 ordering, accepting what the `packaging` library accepts (its permissive
//! `VERSION_PATTERN`) and normalising the same way: case-insensitive, `alpha`/`beta`/`c`/
//! `pre`/`preview` spelled `a`/`b`/`rc`, `rev`/`r`/`-N` meaning post, optional separators,
//! implicit zero numbers and a leading `v`.

use crate::num::{cmp_digits, strip_zeros};
use std::cmp::Ordering;

#[derive(Debug)]
pub(crate) struct Version {
    epoch: String,
    /// Release numbers with trailing zeros dropped (`1.0` == `1`).
    release: Vec<String>,
    /// (0 = a, 1 = b, 2 = rc, number)
    pre: Option<(u8, String)>,
    post: Option<String>,
    dev: Option<String>,
    local: Option<Vec<String>>,
}

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn digits(&mut self) -> Option<String> {
        let len = self.s[self.pos..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if len == 0 {
            return None;
        }
        let d = String::from_utf8_lossy(&self.s[self.pos..self.pos + len]).into_owned();
        self.pos += len;
        Some(d)
    }

    fn is_sep(c: Option<u8>) -> bool {
        matches!(c, Some(b'-' | b'_' | b'.'))
    }

    /// `[-_.]?(label)[-_.]?(N)?` with the first matching label, in the regex alternation's
    /// order (longer spellings first). Restores the position when no label matches.
    fn labelled(&mut self, labels: &[&'a str]) -> Option<(&'a str, Option<String>)> {
        let start = self.pos;
        if Self::is_sep(self.peek()) {
            self.pos += 1;
        }
        let Some(label) = labels
            .iter()
            .find(|l| self.s[self.pos..].starts_with(l.as_bytes()))
        else {
            self.pos = start;
            return None;
        };
        self.pos += label.len();
        // The regex takes a separator after the label even when no number follows
        // (`1.0rc-` is valid); nothing after it needs that separator.
        if Self::is_sep(self.peek()) {
            self.pos += 1;
        }
        let n = self.digits();
        Some((label, n))
    }
}

pub(crate) fn parse(s: &str) -> Result<Version, String> {
    let lower = s.trim().to_ascii_lowercase();
    if lower.is_empty() {
        return Err("version string is empty".into());
    }
    let mut c = Cursor {
        s: lower.as_bytes(),
        pos: 0,
    };
    c.eat(b'v');
    let first = c.digits().ok_or("does not start with a release number")?;
    let (epoch, mut release) = if c.eat(b'!') {
        (
            first,
            vec![c.digits().ok_or("no release number after the epoch")?],
        )
    } else {
        ("0".to_string(), vec![first])
    };
    while c.peek() == Some(b'.') && c.s.get(c.pos + 1).is_some_and(u8::is_ascii_digit) {
        c.pos += 1;
        release.extend(c.digits());
    }
    while release.last().is_some_and(|n| strip_zeros(n).is_empty()) {
        release.pop();
    }

    let pre_labels = ["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"];
    let pre = c.labelled(&pre_labels).map(|(label, n)| {
        let kind = match label {
            "alpha" | "a" => 0,
            "beta" | "b" => 1,
            _ => 2,
        };
        (kind, n.unwrap_or_else(|| "0".into()))
    });

    let post_start = c.pos;
    let post = if c.eat(b'-') && c.peek().is_some_and(|b| b.is_ascii_digit()) {
        c.digits()
    } else {
        c.pos = post_start;
        c.labelled(&["post", "rev", "r"])
            .map(|(_, n)| n.unwrap_or_else(|| "0".into()))
    };

    let dev = c
        .labelled(&["dev"])
        .map(|(_, n)| n.unwrap_or_else(|| "0".into()));

    let local = if c.eat(b'+') {
        let rest = std::str::from_utf8(&c.s[c.pos..]).map_err(|_| "invalid local version")?;
        let parts: Vec<String> = rest.split(['-', '_', '.']).map(str::to_string).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err("invalid local version label".into());
        }
        c.pos = c.s.len();
        Some(parts)
    } else {
        None
    };

    if c.pos != c.s.len() {
        return Err(format!("unexpected text at byte {}", c.pos));
    }
    Ok(Version {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// `packaging`'s `_cmpkey`: epoch, release, pre (a dev-only release sorts before every
/// pre-release of it), post, dev, local.
pub(crate) fn cmp(a: &Version, b: &Version) -> Ordering {
    cmp_digits(&a.epoch, &b.epoch)
        .then_with(|| cmp_release(&a.release, &b.release))
        .then_with(|| {
            pre_key(a)
                .cmp(&pre_key(b))
                .then_with(|| cmp_opt_num(pre_num(a), pre_num(b)))
        })
        .then_with(|| cmp_missing_low(a.post.as_deref(), b.post.as_deref()))
        .then_with(|| cmp_missing_high(a.dev.as_deref(), b.dev.as_deref()))
        .then_with(|| cmp_local(a.local.as_deref(), b.local.as_deref()))
}

fn cmp_release(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// 0 for a dev release without pre or post (before all pre-releases), 1-3 for a/b/rc,
/// 4 for no pre-release.
fn pre_key(v: &Version) -> u8 {
    match &v.pre {
        Some((kind, _)) => 1 + kind,
        None if v.post.is_none() && v.dev.is_some() => 0,
        None => 4,
    }
}

fn pre_num(v: &Version) -> Option<&str> {
    v.pre.as_ref().map(|(_, n)| n.as_str())
}

fn cmp_opt_num(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => cmp_digits(x, y),
        _ => Ordering::Equal,
    }
}

/// A missing post-release sorts before any post-release.
fn cmp_missing_low(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => cmp_digits(x, y),
    }
}

/// A missing dev-release sorts after any dev-release.
fn cmp_missing_high(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => cmp_digits(x, y),
    }
}

/// Local labels: absent sorts first; segments compare numerically when numeric, numeric
/// beats alphanumeric, alphanumeric compare as strings, and more segments win ties.
fn cmp_local(a: Option<&[String]>, b: Option<&[String]>) -> Ordering {
    let (a, b) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, Some(_)) => return Ordering::Less,
        (Some(_), None) => return Ordering::Greater,
        (Some(a), Some(b)) => (a, b),
    };
    let numeric = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    for (x, y) in a.iter().zip(b) {
        let o = match (numeric(x), numeric(y)) {
            (true, true) => cmp_digits(x, y),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check_invalid, check_table};
    use crate::Ecosystem;

    /// PEP 440's "Summary of permitted suffixes and relative ordering" example chain, its
    /// normalisation section, and `packaging`'s tests/test_version.py; every row was also
    /// checked against `packaging` 26.
    #[test]
    fn pep440_ordering() {
        check_table(
            Ecosystem::Pep440,
            &[
                // The spec's example chain.
                ("1.dev0", "<", "1.0.dev456"),
                ("1.0.dev456", "<", "1.0a1"),
                ("1.0a1", "<", "1.0a2.dev456"),
                ("1.0a2.dev456", "<", "1.0a12.dev456"),
                ("1.0a12.dev456", "<", "1.0a12"),
                ("1.0a12", "<", "1.0b1.dev456"),
                ("1.0b1.dev456", "<", "1.0b2"),
                ("1.0b2", "<", "1.0b2.post345.dev456"),
                ("1.0b2.post345.dev456", "<", "1.0b2.post345"),
                ("1.0b2.post345", "<", "1.0rc1.dev456"),
                ("1.0rc1.dev456", "<", "1.0rc1"),
                ("1.0rc1", "<", "1.0"),
                ("1.0", "<", "1.0+abc.5"),
                ("1.0+abc.5", "<", "1.0+abc.7"),
                ("1.0+abc.7", "<", "1.0+5"),
                ("1.0+5", "<", "1.0.post456.dev34"),
                ("1.0.post456.dev34", "<", "1.0.post456"),
                ("1.0.post456", "<", "1.0.15"),
                ("1.0.15", "<", "1.1.dev1"),
                ("1.1.dev1", "<", "1!0.1"),
                // Normalisation.
                ("1.0.0a1", "=", "1.0a1"),
                ("1.0-post1", "=", "1.0.post1"),
                ("1.0-1", "=", "1.0.post1"),
                ("1.0post", "=", "1.0.post0"),
                ("1.0.rev1", "=", "1.0.post1"),
                ("1.0r", "=", "1.0.post0"),
                ("1.0ALPHA1", "=", "1.0a1"),
                ("1.0-beta.2", "=", "1.0b2"),
                ("1.0c1", "=", "1.0rc1"),
                ("1.0pre1", "=", "1.0rc1"),
                ("1.0preview1", "=", "1.0rc1"),
                ("1.0a", "=", "1.0a0"),
                ("1.0-dev", "=", "1.0.dev0"),
                ("1.0_dev_3", "=", "1.0.dev3"),
                ("v1.0", "=", "1.0"),
                ("0!1.0", "=", "1.0"),
                ("1.0+ubuntu-1", "=", "1.0+ubuntu.1"),
                ("1.0+Ubuntu_1", "=", "1.0+ubuntu.1"),
                ("  1.0  ", "=", "1.0"),
                ("1.0", "=", "1.0.0.0"),
                ("1.01", "=", "1.1"),
                ("1.0a1", "<", "1.0a1.post1"),
                ("1.0a1.post1", "<", "1.0a2"),
                ("1.0.dev1", "<", "1.0a1.dev1"),
                ("1.0+1", ">", "1.0+abc"),
                ("1.0+abc", "<", "1.0+abc.0"),
                ("1.0+abc", ">", "1.0+ab"),
                ("2.0.0", "<", "10!0.0.1"),
            ],
        );
    }

    #[test]
    fn pep440_invalid() {
        check_invalid(
            Ecosystem::Pep440,
            &[
                "",
                "french toast",
                "1.0+",
                "1.0+a..b",
                "1.0+_a",
                "1.0.",
                "1.0-",
                "!1.0",
                "1!",
                "1.0a1a1",
                "1.0.post1.post2",
                "1.0 1",
                "1.0dev1.a1",
                "1.0+ü",
                "v",
                "1.0~1",
                "1_0",
            ],
        );
    }
}
