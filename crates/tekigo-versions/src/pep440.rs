//! PEP 440 ordering, accepting what the `packaging` library accepts (its permissive
//! `VERSION_PATTERN`) and normalising the same way: case-insensitive, `alpha`/`beta`/`c`/
//! `pre`/`preview` spelled `a`/`b`/`rc`, `rev`/`r`/`-N` meaning post, optional separators,
//! implicit zero numbers and a leading `v`.

use crate::num::{cmp_digits, strip_zeros};
use std::cmp::Ordering;

/// A version borrowing its numbers from the text it was parsed from: digits are the same
/// before and after `packaging`'s lowercasing, and labels are matched case-insensitively,
/// so only the list of local segments is allocated.
#[derive(Debug)]
pub(crate) struct Version<'a> {
    epoch: &'a str,
    /// The release numbers as written (`1.2.3`), trailing zero numbers cut off (`1.0` == `1`,
    /// `0` is empty); split at `.` when compared, so parsing allocates nothing for them.
    release: &'a str,
    /// (0 = a, 1 = b, 2 = rc, number)
    pre: Option<(u8, &'a str)>,
    post: Option<&'a str>,
    dev: Option<&'a str>,
    /// Segments as written; they compare case-insensitively.
    local: Option<Vec<&'a str>>,
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn digits(&mut self) -> Option<&'a str> {
        let len = self.s.as_bytes()[self.pos..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if len == 0 {
            return None;
        }
        let d = &self.s[self.pos..self.pos + len];
        self.pos += len;
        Some(d)
    }

    fn is_sep(c: Option<u8>) -> bool {
        matches!(c, Some(b'-' | b'_' | b'.'))
    }

    /// `[-_.]?(label)[-_.]?(N)?` with the first matching label (compared ignoring ASCII
    /// case), in the regex alternation's order (longer spellings first). Restores the
    /// position when no label matches.
    fn labelled(&mut self, labels: &[&'static str]) -> Option<(&'static str, Option<&'a str>)> {
        let start = self.pos;
        if Self::is_sep(self.peek()) {
            self.pos += 1;
        }
        let rest = &self.s.as_bytes()[self.pos..];
        let Some(label) = labels.iter().find(|l| {
            rest.get(..l.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(l.as_bytes()))
        }) else {
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

pub(crate) fn parse(s: &str) -> Result<Version<'_>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("version string is empty".into());
    }
    let mut c = Cursor { s, pos: 0 };
    if !c.eat(b'v') {
        c.eat(b'V');
    }
    let mut release_start = c.pos;
    let first = c.digits().ok_or("does not start with a release number")?;
    let epoch = if c.eat(b'!') {
        release_start = c.pos;
        c.digits().ok_or("no release number after the epoch")?;
        first
    } else {
        "0"
    };
    // End of the last release number that is not zero.
    let mut release_end = if strip_zeros(&s[release_start..c.pos]).is_empty() {
        release_start
    } else {
        c.pos
    };
    while c.peek() == Some(b'.')
        && c.s
            .as_bytes()
            .get(c.pos + 1)
            .is_some_and(u8::is_ascii_digit)
    {
        c.pos += 1;
        if c.digits().is_some_and(|n| !strip_zeros(n).is_empty()) {
            release_end = c.pos;
        }
    }
    let release = &s[release_start..release_end];

    let pre_labels = ["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"];
    let pre = c.labelled(&pre_labels).map(|(label, n)| {
        let kind = match label {
            "alpha" | "a" => 0,
            "beta" | "b" => 1,
            _ => 2,
        };
        (kind, n.unwrap_or("0"))
    });

    let post_start = c.pos;
    let post = if c.eat(b'-') && c.peek().is_some_and(|b| b.is_ascii_digit()) {
        c.digits()
    } else {
        c.pos = post_start;
        c.labelled(&["post", "rev", "r"])
            .map(|(_, n)| n.unwrap_or("0"))
    };

    let dev = c.labelled(&["dev"]).map(|(_, n)| n.unwrap_or("0"));

    let local = if c.eat(b'+') {
        let parts: Vec<&str> = s[c.pos..].split(['-', '_', '.']).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err("invalid local version label".into());
        }
        c.pos = s.len();
        Some(parts)
    } else {
        None
    };

    if c.pos != s.len() {
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
pub(crate) fn cmp(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    cmp_digits(a.epoch, b.epoch)
        .then_with(|| cmp_release(a.release, b.release))
        .then_with(|| {
            pre_key(a)
                .cmp(&pre_key(b))
                .then_with(|| cmp_opt_num(pre_num(a), pre_num(b)))
        })
        .then_with(|| cmp_missing_low(a.post, b.post))
        .then_with(|| cmp_missing_high(a.dev, b.dev))
        .then_with(|| cmp_local(a.local.as_deref(), b.local.as_deref()))
}

/// The numbers of a release as kept in [`Version::release`] (a plain byte scan: this runs
/// on every comparison, and `str::split` costs more than the comparison itself).
struct ReleaseNumbers<'a>(&'a str);

impl<'a> Iterator for ReleaseNumbers<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.0.is_empty() {
            return None;
        }
        let end = self
            .0
            .bytes()
            .position(|b| b == b'.')
            .unwrap_or(self.0.len());
        let number = &self.0[..end];
        self.0 = self.0.get(end + 1..).unwrap_or("");
        Some(number)
    }
}

/// Number by number; when one release is a prefix of the other, the longer one is newer
/// (trailing zeros were cut off, so `1.0` and `1` are the same release).
fn cmp_release(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (ReleaseNumbers(a), ReleaseNumbers(b));
    loop {
        let o = match (a.next(), b.next()) {
            (Some(x), Some(y)) => cmp_digits(x, y),
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (None, None) => return Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
}

/// 0 for a dev release without pre or post (before all pre-releases), 1-3 for a/b/rc,
/// 4 for no pre-release.
fn pre_key(v: &Version<'_>) -> u8 {
    match &v.pre {
        Some((kind, _)) => 1 + kind,
        None if v.post.is_none() && v.dev.is_some() => 0,
        None => 4,
    }
}

fn pre_num<'a>(v: &Version<'a>) -> Option<&'a str> {
    v.pre.map(|(_, n)| n)
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
/// beats alphanumeric, alphanumeric compare as lowercase strings (`packaging` lowercases
/// them), and more segments win ties.
fn cmp_local(a: Option<&[&str]>, b: Option<&[&str]>) -> Ordering {
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
            (false, false) => x
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(y.bytes().map(|c| c.to_ascii_lowercase())),
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

    /// Labels in upper case, local labels that differ only in case, and numbers too long
    /// for any integer type; every row was checked against `packaging` 26.
    #[test]
    fn pep440_case_and_long_numbers() {
        check_table(
            Ecosystem::Pep440,
            &[
                ("V1.0", "=", "1.0"),
                ("1.0RC1", "=", "1.0rc1"),
                ("1.0A1", "=", "1.0a1"),
                ("1.0Dev", "=", "1.0.dev0"),
                ("1!2.0.POST3", "=", "1!2.0.post3"),
                ("1.0+ABC.5", "=", "1.0+abc.5"),
                ("1.0+Zz", ">", "1.0+aa"),
                ("1.0+1", ">", "1.0+A"),
                ("1.0000000000000000000000.0", "=", "1"),
                (
                    "1.99999999999999999999999",
                    "<",
                    "1.100000000000000000000000",
                ),
                ("1.0.0.0.1", ">", "1.0.0.0.0"),
                ("0", ">", "0.0.dev0"),
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
