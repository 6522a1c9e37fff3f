//! Package URLs, parsed once and kept with their original text.

use std::fmt;
use std::str::FromStr;

use packageurl::PackageUrl;

/// A parsed Package URL (`pkg:type/namespace/name@version?qualifiers#subpath`).
///
/// Parsing follows the purl specification through the `packageurl` crate (type-specific
/// normalisation included: PyPI names lower-cased with `_` as `-`, GitHub names lower-cased).
/// The fields are owned, decoded strings so a matcher can index and compare them directly;
/// [`Purl::original`] keeps the text as the document wrote it for reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Purl {
    /// The text as written in the document.
    pub original: String,
    /// The package type (`deb`, `npm`, `pypi`, `maven`, `generic`, ...), lower-case.
    pub ty: String,
    /// The namespace (`debian`, a Maven group, an npm scope), percent-decoded.
    pub namespace: Option<String>,
    /// The package name, percent-decoded and normalised for its type.
    pub name: String,
    /// The version, percent-decoded.
    pub version: Option<String>,
    /// Qualifiers sorted by key (`arch`, `distro`, `epoch`, ...).
    pub qualifiers: Vec<(String, String)>,
    /// The subpath inside the package.
    pub subpath: Option<String>,
}

/// Why a string is not a valid Package URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid package URL {text:?}: {reason}")]
pub struct PurlError {
    /// The rejected text.
    pub text: String,
    /// What the parser objected to.
    pub reason: String,
}

impl Purl {
    /// Parses a Package URL.
    pub fn parse(text: &str) -> Result<Purl, PurlError> {
        let err = |reason: String| PurlError {
            text: text.to_string(),
            reason,
        };
        let parsed = PackageUrl::from_str(text.trim()).map_err(|e| err(e.to_string()))?;
        if parsed.name().is_empty() {
            return Err(err("the name is empty".to_string()));
        }
        let mut qualifiers: Vec<(String, String)> = parsed
            .qualifiers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        qualifiers.sort();
        Ok(Purl {
            original: text.to_string(),
            ty: parsed.ty().to_string(),
            namespace: parsed.namespace().map(str::to_string),
            name: parsed.name().to_string(),
            version: parsed.version().map(str::to_string),
            qualifiers,
            subpath: parsed.subpath().map(str::to_string),
        })
    }

    /// The value of one qualifier (`distro`, `arch`, `epoch`), if present.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The package identity without version, qualifiers and subpath, in canonical form
    /// (`pkg:deb/debian/openssl`): the key under which advisories and triage records for
    /// "this package, any version" are found.
    pub fn package_key(&self) -> String {
        self.canonical(false)
    }

    /// The canonical form of type, namespace, name and version (no qualifiers, no subpath):
    /// two PURLs for the same package version written differently give the same text.
    pub fn versioned_key(&self) -> String {
        self.canonical(true)
    }

    fn canonical(&self, with_version: bool) -> String {
        // Rebuilding through `packageurl` applies its percent-encoding rules; it cannot fail
        // for values that came out of a successful parse, but fall back to plain text anyway.
        let rebuilt = PackageUrl::new(self.ty.as_str(), self.name.as_str()).and_then(|mut p| {
            if let Some(ns) = &self.namespace {
                p.with_namespace(ns.as_str())?;
            }
            if let (true, Some(v)) = (with_version, &self.version) {
                p.with_version(v.as_str())?;
            }
            Ok(p.to_string())
        });
        rebuilt.unwrap_or_else(|_| {
            let mut s = format!("pkg:{}/", self.ty);
            if let Some(ns) = &self.namespace {
                s.push_str(ns);
                s.push('/');
            }
            s.push_str(&self.name);
            if let (true, Some(v)) = (with_version, &self.version) {
                s.push('@');
                s.push_str(v);
            }
            s
        })
    }
}

impl FromStr for Purl {
    type Err = PurlError;

    fn from_str(s: &str) -> Result<Purl, PurlError> {
        Purl::parse(s)
    }
}

/// Displays the original text, so messages quote what the user's document says.
impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// Parses an optional PURL from a document; an invalid one becomes a warning naming `place`
/// so the component is still kept with its other identifiers.
pub(crate) fn lenient(
    text: Option<&str>,
    place: impl FnOnce() -> String,
    warnings: &mut Vec<String>,
) -> Option<Purl> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match Purl::parse(text) {
        Ok(purl) => Some(purl),
        Err(e) => {
            warnings.push(format!(
                "{}: {e}; the component is kept without a PURL",
                place()
            ));
            None
        }
    }
}
