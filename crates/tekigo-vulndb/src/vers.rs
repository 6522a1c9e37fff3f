//! Version ranges of CSAF product trees: `vers:` URIs (the package-url "vers" specification)
//! parsed exactly, and the free text industrial vendors write ("< 2.3", "All versions prior
//! to V2.1", "V1.0 to V1.4") parsed conservatively.
//!
//! "Conservatively" means: a text is accepted only when the whole of it fits one of a few
//! plain shapes and every version in it looks like a version. Anything else
//! ("<V4.00_Utilizes_Wibu-Systems_CodeMeter_7.60c") is refused, and the importer keeps the
//! text and marks the product as needing review instead of guessing.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use tekigo_versions::{compare, Ecosystem, VersionError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparator {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

impl Comparator {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "!=",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }

    fn holds(self, ord: Ordering) -> bool {
        match self {
            Comparator::Eq => ord == Ordering::Equal,
            Comparator::Ne => ord != Ordering::Equal,
            Comparator::Lt => ord == Ordering::Less,
            Comparator::Le => ord != Ordering::Greater,
            Comparator::Gt => ord == Ordering::Greater,
            Comparator::Ge => ord != Ordering::Less,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    pub comparator: Comparator,
    pub version: String,
}

/// A parsed version range: a versioning scheme and constraints, or every version (`*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersRange {
    /// The `vers` scheme (`semver`, `deb`, `intdot`, `generic`, ...); `generic` for free text.
    pub scheme: String,
    /// `true` for `vers:<scheme>/*` and "all versions".
    #[serde(default)]
    pub all: bool,
    #[serde(default)]
    pub constraints: Vec<Constraint>,
}

impl fmt::Display for VersRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vers:{}/", self.scheme)?;
        if self.all {
            return f.write_str("*");
        }
        for (i, c) in self.constraints.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            write!(f, "{}{}", c.comparator.as_str(), c.version)?;
        }
        Ok(())
    }
}

impl VersRange {
    /// The version ordering of the scheme; schemes without one of their own (`intdot`,
    /// `generic`, vendor schemes) use the generic fallback, which says so in explanations.
    pub fn ecosystem(&self) -> Ecosystem {
        match self.scheme.as_str() {
            "deb" | "debian" => Ecosystem::Debian,
            "rpm" => Ecosystem::Rpm,
            "apk" | "alpine" => Ecosystem::Alpine,
            "semver" | "npm" | "cargo" | "golang" => Ecosystem::Semver,
            "pypi" => Ecosystem::Pep440,
            "maven" => Ecosystem::Maven,
            _ => Ecosystem::Generic,
        }
    }

    /// Whether `version` is in the range, following the evaluation algorithm of the `vers`
    /// specification. Versions written with a leading `V` (firmware style) are compared
    /// without it when the scheme is generic.
    pub fn contains(&self, version: &str) -> Result<bool, VersionError> {
        if self.all {
            return Ok(true);
        }
        let eco = self.ecosystem();
        let strip = |v: &str| -> String {
            if eco == Ecosystem::Generic {
                strip_v(v).to_string()
            } else {
                v.to_string()
            }
        };
        let tested = strip(version);
        let cmp = |c: &Constraint| -> Result<Ordering, VersionError> {
            Ok(compare(eco, &tested, &strip(&c.version))?.ordering)
        };
        for c in &self.constraints {
            let ord = cmp(c)?;
            if ord == Ordering::Equal
                && matches!(
                    c.comparator,
                    Comparator::Eq | Comparator::Le | Comparator::Ge
                )
            {
                return Ok(true);
            }
            if ord == Ordering::Equal && c.comparator == Comparator::Ne {
                return Ok(false);
            }
        }
        let mut ranges: Vec<&Constraint> = self
            .constraints
            .iter()
            .filter(|c| !matches!(c.comparator, Comparator::Eq | Comparator::Ne))
            .collect();
        // Sort by version under the scheme's ordering; an unorderable version was already
        // reported by the loop above, so equal is a safe fallback here.
        ranges.sort_by(|a, b| {
            compare(eco, &strip(&a.version), &strip(&b.version))
                .map(|c| c.ordering)
                .unwrap_or(Ordering::Equal)
        });
        let less = |c: &Constraint| matches!(c.comparator, Comparator::Lt | Comparator::Le);
        if let [only] = ranges.as_slice() {
            return Ok(only.comparator.holds(cmp(only)?));
        }
        for (i, pair) in ranges.windows(2).enumerate() {
            let (cur, next) = (pair[0], pair[1]);
            if i == 0 && less(cur) && cmp(cur)? == Ordering::Less {
                return Ok(true);
            }
            if i == ranges.len() - 2 && !less(next) && cmp(next)? == Ordering::Greater {
                return Ok(true);
            }
            if !less(cur)
                && less(next)
                && cmp(cur)? == Ordering::Greater
                && cmp(next)? == Ordering::Less
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

fn strip_v(v: &str) -> &str {
    match v.as_bytes() {
        [b'V' | b'v', d, ..] if d.is_ascii_digit() => &v[1..],
        _ => v,
    }
}

/// Parses a `vers:` URI exactly; the error says what is wrong.
pub fn parse_vers(text: &str) -> Result<VersRange, String> {
    let rest = text
        .trim()
        .strip_prefix("vers:")
        .ok_or_else(|| "does not start with vers:".to_string())?;
    let (scheme, constraints) = rest
        .split_once('/')
        .ok_or_else(|| "no / after the versioning scheme".to_string())?;
    let scheme = scheme.trim().to_ascii_lowercase();
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(format!("invalid versioning scheme {scheme:?}"));
    }
    let constraints = constraints.trim();
    if constraints == "*" {
        return Ok(VersRange {
            scheme,
            all: true,
            constraints: Vec::new(),
        });
    }
    let mut out = Vec::new();
    for part in constraints.split('|') {
        let part = part.trim();
        let (comparator, version) = split_comparator(part);
        let version = version.trim();
        if version.is_empty() {
            return Err(format!("constraint {part:?} has no version"));
        }
        if version.contains(['<', '>', '=', '!', '*']) {
            return Err(format!("constraint {part:?} is not comparator + version"));
        }
        out.push(Constraint {
            comparator,
            version: version.to_string(),
        });
    }
    Ok(VersRange {
        scheme,
        all: false,
        constraints: out,
    })
}

fn split_comparator(part: &str) -> (Comparator, &str) {
    for (prefix, c) in [
        ("<=", Comparator::Le),
        (">=", Comparator::Ge),
        ("!=", Comparator::Ne),
        ("<", Comparator::Lt),
        (">", Comparator::Gt),
        ("=", Comparator::Eq),
    ] {
        if let Some(rest) = part.strip_prefix(prefix) {
            return (c, rest);
        }
    }
    (Comparator::Eq, part)
}

/// Reads a free-text range conservatively; `None` when the text does not fit a known shape
/// completely.
///
/// Accepted shapes (case-insensitive, optional leading "all versions" / "versions"):
/// `< X`, `<= X`, `> X`, `>= X`, `prior to X`, `before X`, `up to X` (inclusive),
/// `X and later`, `X to Y` / `X through Y` / `X - Y` (inclusive), and `all versions`.
pub fn parse_free_text(text: &str) -> Option<VersRange> {
    let lower = text.trim().to_ascii_lowercase();
    let mut s = lower.as_str();
    for prefix in ["all versions", "versions", "version", "all"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start();
            break;
        }
    }
    let generic = |constraints: Vec<Constraint>| VersRange {
        scheme: "generic".to_string(),
        all: constraints.is_empty(),
        constraints,
    };
    let one = |comparator: Comparator, v: &str| -> Option<VersRange> {
        let v = version_token(v.trim())?;
        Some(generic(vec![Constraint {
            comparator,
            version: v,
        }]))
    };
    if s.is_empty() {
        return (lower.starts_with("all")).then(|| generic(Vec::new()));
    }
    for (prefix, c) in [
        ("<=", Comparator::Le),
        (">=", Comparator::Ge),
        ("<", Comparator::Lt),
        (">", Comparator::Gt),
        ("prior to", Comparator::Lt),
        ("before", Comparator::Lt),
        ("up to and including", Comparator::Le),
        ("up to", Comparator::Le),
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return one(c, rest);
        }
    }
    for suffix in [" and later", " and newer", " and above", " or later"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            return one(Comparator::Ge, rest);
        }
    }
    for sep in [" to ", " through ", " - "] {
        if let Some((a, b)) = s.split_once(sep) {
            let (a, b) = (version_token(a.trim())?, version_token(b.trim())?);
            return Some(generic(vec![
                Constraint {
                    comparator: Comparator::Ge,
                    version: a,
                },
                Constraint {
                    comparator: Comparator::Le,
                    version: b,
                },
            ]));
        }
    }
    None
}

/// Accepts `[v]digits(.digits)*` with at most two short suffix parts (`-rc1`, `a`, `_p2`,
/// ` sp1`); returns it with the case of the original lost (versions compare
/// case-insensitively under the generic rules).
fn version_token(s: &str) -> Option<String> {
    let body = s.strip_prefix('v').unwrap_or(s);
    let bytes = body.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    while i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
        i += 1;
        digits(&mut i);
    }
    let mut suffixes = 0;
    while i < bytes.len() {
        suffixes += 1;
        if suffixes > 2 {
            return None;
        }
        if matches!(bytes[i], b'-' | b'_' | b'.' | b'+' | b'~' | b' ') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let letters = i - start;
        digits(&mut i);
        while i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
            i += 1;
            digits(&mut i);
        }
        if letters > 6 || i == start {
            return None;
        }
    }
    Some(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(range: &str, v: &str) -> bool {
        parse_vers(range).unwrap().contains(v).unwrap()
    }

    #[test]
    fn vers_ranges_from_the_csaf_specification() {
        // Values as they appear in CSAF 2.0 examples and real advisories.
        let r = "vers:intdot/>=1.4.1074|<=1.4.1116";
        assert!(!contains(r, "1.4.1073"));
        assert!(contains(r, "1.4.1074"));
        assert!(contains(r, "1.4.1100"));
        assert!(contains(r, "1.4.1116"));
        assert!(!contains(r, "1.4.1117"));
        let r = "vers:intdot/>2.1.0|<4.2.0";
        assert!(!contains(r, "2.1.0"));
        assert!(contains(r, "2.1.1"));
        assert!(!contains(r, "4.2.0"));
        assert!(contains("vers:intdot/<1.1.1", "1.1.0"));
        assert!(!contains("vers:intdot/<1.1.1", "1.1.1"));
        assert!(contains("vers:semver/*", "0.0.1"));
        assert!(contains("vers:semver/1.2.3", "1.2.3"));
        assert!(!contains("vers:semver/1.2.3", "1.2.4"));
        // Two disjoint ranges and an excluded version.
        let r = "vers:semver/>=1.0.0|<1.5.0|>=2.0.0|<2.3.0|!=2.1.0";
        assert!(contains(r, "1.4.9"));
        assert!(!contains(r, "1.5.0"));
        assert!(!contains(r, "2.1.0"));
        assert!(contains(r, "2.2.0"));
        assert!(!contains(r, "2.3.0"));
        // Open upper end.
        assert!(contains("vers:deb/>=1:2.0-1", "1:2.0-1"));
        assert!(!contains("vers:deb/>=1:2.0-1", "2.0-1"));
    }

    #[test]
    fn vers_errors() {
        assert!(parse_vers("semver/<1.0").is_err());
        assert!(parse_vers("vers:semver").is_err());
        assert!(parse_vers("vers:semver/<").is_err());
        assert!(parse_vers("vers:sem ver/<1").is_err());
        assert!(parse_vers("vers:semver/<<1").is_err());
    }

    #[test]
    fn free_text_shapes() {
        let r = parse_free_text("< 2.3").unwrap();
        assert!(r.contains("2.2.9").unwrap() && !r.contains("2.3").unwrap());
        let r = parse_free_text("All versions prior to V2.1").unwrap();
        assert!(r.contains("V2.0.9").unwrap());
        assert!(r.contains("2.0").unwrap());
        assert!(!r.contains("V2.1").unwrap());
        let r = parse_free_text("V1.0 to V1.4").unwrap();
        assert!(!r.contains("0.9").unwrap());
        assert!(r.contains("V1.0").unwrap() && r.contains("1.4").unwrap());
        assert!(!r.contains("1.4.1").unwrap());
        let r = parse_free_text("<=V2.9.2").unwrap();
        assert!(r.contains("2.9.2").unwrap() && !r.contains("2.9.3").unwrap());
        let r = parse_free_text("<R15A");
        assert!(r.is_none(), "vendor release names are not versions: {r:?}");
        assert!(parse_free_text("All versions").unwrap().all);
        assert!(parse_free_text("3.2 and later")
            .unwrap()
            .contains("4")
            .unwrap());
        assert!(parse_free_text("<1.6.2.0")
            .unwrap()
            .contains("1.6.1.9")
            .unwrap());
        assert!(parse_free_text("V4.1 SP1 to V4.3")
            .unwrap()
            .contains("4.2")
            .unwrap());
    }

    #[test]
    fn free_text_refused() {
        for text in [
            "<V4.00_Utilizes_Wibu-Systems_CodeMeter_7.60c",
            "FortiManager/>=7.4.1|<=7.4.2",
            "see advisory",
            "",
            "<",
            "versions with a web server",
            "1.0 to",
        ] {
            assert_eq!(parse_free_text(text), None, "{text}");
        }
    }
}
