//! A version parsed once, for comparing many times.
//!
//! A scan compares each component version with every bound of every range that names the
//! package (tens of thousands of comparisons for a product SBOM). Parsing the component
//! version again for each of them was the largest cost of a scan, so callers that compare one
//! version repeatedly parse it once into a [`Version`] and compare that.

use crate::{alpine, debian, generic, maven, pep440, rpm, semver, Ecosystem, VersionError};
use std::cmp::Ordering;

/// A version checked and split up under one ecosystem's rules. It borrows the text it was
/// parsed from where the rules allow (dpkg, rpm, apk, SemVer), so parsing those allocates
/// little or nothing.
#[derive(Debug)]
pub struct Version<'a> {
    text: &'a str,
    inner: Inner<'a>,
}

#[derive(Debug)]
enum Inner<'a> {
    Debian(debian::Version<'a>),
    Rpm(rpm::Version<'a>),
    Alpine(alpine::Version<'a>),
    Semver(semver::Version<'a>),
    Pep440(pep440::Version<'a>),
    Maven(maven::Version<'a>),
    Generic(generic::Version),
}

impl<'a> Version<'a> {
    /// Parses `text` under the rules of `eco`; the error names the ecosystem and the text.
    pub fn parse(eco: Ecosystem, text: &'a str) -> Result<Version<'a>, VersionError> {
        let err = |reason| VersionError::new(eco, text, reason);
        let inner = match eco {
            Ecosystem::Debian => Inner::Debian(debian::parse(text).map_err(err)?),
            Ecosystem::Rpm => Inner::Rpm(rpm::parse(text).map_err(err)?),
            Ecosystem::Alpine => Inner::Alpine(alpine::parse(text).map_err(err)?),
            Ecosystem::Semver => Inner::Semver(semver::parse(text).map_err(err)?),
            Ecosystem::Pep440 => Inner::Pep440(pep440::parse(text).map_err(err)?),
            Ecosystem::Maven => Inner::Maven(maven::parse(text).map_err(err)?),
            Ecosystem::Generic => Inner::Generic(generic::parse(text).map_err(err)?),
        };
        Ok(Version { text, inner })
    }

    /// The text this version was parsed from.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The rules this version was parsed under.
    pub fn ecosystem(&self) -> Ecosystem {
        match self.inner {
            Inner::Debian(_) => Ecosystem::Debian,
            Inner::Rpm(_) => Ecosystem::Rpm,
            Inner::Alpine(_) => Ecosystem::Alpine,
            Inner::Semver(_) => Ecosystem::Semver,
            Inner::Pep440(_) => Ecosystem::Pep440,
            Inner::Maven(_) => Ecosystem::Maven,
            Inner::Generic(_) => Ecosystem::Generic,
        }
    }

    /// Compares with another version of the same ecosystem; `None` when the ecosystems
    /// differ, because no rule orders a dpkg version against a PEP 440 one.
    pub fn compare(&self, other: &Version<'_>) -> Option<Ordering> {
        Some(match (&self.inner, &other.inner) {
            (Inner::Debian(a), Inner::Debian(b)) => debian::cmp(a, b),
            (Inner::Rpm(a), Inner::Rpm(b)) => rpm::cmp(a, b),
            (Inner::Alpine(a), Inner::Alpine(b)) => alpine::cmp(a, b),
            (Inner::Semver(a), Inner::Semver(b)) => semver::cmp(a, b),
            (Inner::Pep440(a), Inner::Pep440(b)) => pep440::cmp(a, b),
            (Inner::Maven(a), Inner::Maven(b)) => maven::cmp(a, b),
            (Inner::Generic(a), Inner::Generic(b)) => generic::cmp(a, b),
            _ => return None,
        })
    }

    /// Compares with a version given as text, parsed under this version's ecosystem; the
    /// error names `other` when it is invalid.
    pub fn compare_str(&self, other: &str) -> Result<Ordering, VersionError> {
        let other = Version::parse(self.ecosystem(), other)?;
        // Same ecosystem by construction.
        Ok(self.compare(&other).unwrap_or(Ordering::Equal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_once_compares_like_compare() {
        let cases = [
            (Ecosystem::Debian, "1:1.0~rc1-1", "1:1.0-1"),
            (Ecosystem::Rpm, "1.0~rc1", "1.0"),
            (Ecosystem::Alpine, "1.2.3_rc1-r0", "1.2.3-r0"),
            (Ecosystem::Semver, "1.0.0-alpha.1", "1.0.0"),
            (Ecosystem::Pep440, "1.0a1", "1.0"),
            (Ecosystem::Maven, "1.0-SNAPSHOT", "1.0"),
            (Ecosystem::Generic, "1.0rc1", "1.0"),
        ];
        for (eco, older, newer) in cases {
            let a = Version::parse(eco, older).unwrap();
            let b = Version::parse(eco, newer).unwrap();
            assert_eq!(a.compare(&b), Some(Ordering::Less), "{eco} {older} {newer}");
            assert_eq!(b.compare(&a), Some(Ordering::Greater), "{eco}");
            assert_eq!(a.compare(&a), Some(Ordering::Equal), "{eco}");
            assert_eq!(a.compare_str(newer), Ok(Ordering::Less), "{eco}");
            assert_eq!(
                crate::compare(eco, older, newer).unwrap().ordering,
                Ordering::Less
            );
            assert_eq!((a.ecosystem(), a.as_str()), (eco, older));
        }
    }

    #[test]
    fn different_ecosystems_do_not_compare() {
        let a = Version::parse(Ecosystem::Debian, "1.0").unwrap();
        let b = Version::parse(Ecosystem::Semver, "1.0.0").unwrap();
        assert_eq!(a.compare(&b), None);
    }

    #[test]
    fn errors_name_the_offending_text() {
        let a = Version::parse(Ecosystem::Debian, "1.0").unwrap();
        let e = a.compare_str("a:1").unwrap_err();
        assert_eq!(
            (e.ecosystem, e.version.as_str()),
            (Ecosystem::Debian, "a:1")
        );
        let e = Version::parse(Ecosystem::Semver, "1.0").unwrap_err();
        assert_eq!(e.version, "1.0");
    }
}
