//! What the matcher asks about one component: a small type of its own, so any inventory (a
//! CycloneDX or SPDX SBOM, the scanner's package list) is an adapter away.

use crate::index;
use tekigo_sbom::SourcePackage;

/// A component to look up.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// How reports name the component: its PURL text, else its name.
    pub label: String,
    /// The component name as the inventory writes it (CSAF products are matched by it).
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<PurlInfo>,
    /// CPE 2.3 strings or 2.2 URIs the inventory states. Never guessed.
    pub cpes: Vec<String>,
    /// The supplier or vendor, used to confirm a match by product name.
    pub supplier: Option<String>,
    /// The source package of a distribution package (Debian source, Alpine origin, source
    /// RPM), which Debian, Ubuntu and Alpine advisories are keyed by.
    pub source: Option<SourcePackage>,
}

/// One OSV lookup of a component: the index key, the version to compare with what the
/// postings under it say, and the source package when the lookup is by source.
pub(crate) struct OsvLookup<'a> {
    pub key: String,
    pub version: &'a str,
    pub source: Option<&'a SourcePackage>,
}

/// The parts of a Package URL the matcher uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PurlInfo {
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: Vec<(String, String)>,
}

impl PurlInfo {
    /// Parses a Package URL.
    pub fn parse(text: &str) -> Result<PurlInfo, String> {
        let p: packageurl::PackageUrl = text
            .trim()
            .parse()
            .map_err(|e| format!("invalid package URL {text:?}: {e}"))?;
        Ok(PurlInfo {
            ty: p.ty().to_ascii_lowercase(),
            namespace: p.namespace().map(str::to_string),
            name: p.name().to_string(),
            version: p.version().map(str::to_string),
            qualifiers: p
                .qualifiers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        })
    }

    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The OSV ecosystem base (lower-case, as `index::ecosystem_base` gives it) of this
    /// package type and namespace; `None` for types OSV does not cover.
    pub fn osv_base(&self) -> Option<&'static str> {
        let ns = self.namespace.as_deref().unwrap_or("");
        let distro = self.qualifier("distro").unwrap_or("");
        // Prefixes in any case, compared in place (a scan asks this of every component).
        let from = |s: &str| -> Option<&'static str> {
            let starts = |prefix: &str| {
                s.as_bytes()
                    .get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
            };
            Some(match s {
                _ if starts("debian") => "debian",
                _ if starts("ubuntu") => "ubuntu",
                _ if starts("alpine") => "alpine",
                _ if starts("wolfi") => "wolfi",
                _ if starts("chainguard") => "chainguard",
                _ if starts("redhat") || starts("rhel") => "red hat",
                _ if starts("rocky") => "rocky linux",
                _ if starts("almalinux") => "almalinux",
                _ if starts("opensuse") => "opensuse",
                _ if starts("suse") || starts("sles") => "suse",
                _ if starts("openeuler") => "openeuler",
                _ if starts("mageia") => "mageia",
                _ => return None,
            })
        };
        Some(match self.ty.as_str() {
            "deb" | "apk" | "rpm" => return from(ns).or_else(|| from(distro)),
            "cargo" => "crates.io",
            "pypi" => "pypi",
            "npm" => "npm",
            "golang" => "go",
            "maven" => "maven",
            "gem" => "rubygems",
            "nuget" => "nuget",
            "composer" => "packagist",
            "hex" => "hex",
            "pub" => "pub",
            "hackage" => "hackage",
            "cran" => "cran",
            "swift" => "swifturl",
            _ => return None,
        })
    }

    /// The package name OSV would use, in the ecosystem's own spelling.
    pub fn osv_name(&self) -> String {
        let ns = self.namespace.as_deref().filter(|n| !n.is_empty());
        match (self.ty.as_str(), ns) {
            ("maven", Some(ns)) => format!("{ns}:{}", self.name),
            ("npm" | "golang" | "composer", Some(ns)) => format!("{ns}/{}", self.name),
            _ => self.name.clone(),
        }
    }

    /// The distribution release the qualifiers name, normalised to the form OSV uses after
    /// the ecosystem (`12` for Debian, `22.04` for Ubuntu, `v3.19` for Alpine).
    pub fn release(&self) -> Option<String> {
        let distro = self.qualifier("distro")?.trim().to_ascii_lowercase();
        let tail = distro
            .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-' || c == '_')
            .to_string();
        let codename = match distro.as_str() {
            "buster" => Some("10"),
            "bullseye" => Some("11"),
            "bookworm" => Some("12"),
            "trixie" => Some("13"),
            "xenial" => Some("16.04"),
            "bionic" => Some("18.04"),
            "focal" => Some("20.04"),
            "jammy" => Some("22.04"),
            "noble" => Some("24.04"),
            _ => None,
        };
        if let Some(c) = codename {
            return Some(c.to_string());
        }
        let tail = if tail.is_empty() {
            distro.trim_start_matches('v').to_string()
        } else {
            tail
        };
        let parts: Vec<&str> = tail.split('.').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() || !parts[0].chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(match self.osv_base() {
            Some("debian") => parts[0].to_string(),
            Some("alpine") => format!(
                "v{}",
                parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
            ),
            Some("ubuntu") => parts.iter().take(2).copied().collect::<Vec<_>>().join("."),
            _ => parts.join("."),
        })
    }

    /// The version with the `epoch` qualifier folded in (`epoch=1` and `2.3-4` give
    /// `1:2.3-4`), as dpkg and rpm compare it.
    pub fn full_version(&self) -> Option<String> {
        let v = self.version.clone()?;
        match self.qualifier("epoch") {
            Some(e) if !v.contains(':') && !e.is_empty() && e != "0" => Some(format!("{e}:{v}")),
            _ => Some(v),
        }
    }
}

/// The release part of an OSV ecosystem (`12` of `Debian:12`, `22.04` of
/// `Ubuntu:Pro:22.04:LTS`, `v3.19` of `Alpine:v3.19`); `None` when it names no release.
pub fn osv_release(ecosystem: &str) -> Option<&str> {
    ecosystem.split(':').skip(1).find(|seg| {
        let s = seg.trim_start_matches('v');
        s.chars().next().is_some_and(|c| c.is_ascii_digit())
    })
}

impl Query {
    /// The version of the Linux kernel this component is, `None` when it is not one.
    ///
    /// A component is the kernel when it states the CPE `cpe:2.3:o:linux:linux_kernel` (the
    /// CPE's version when it gives one, else the component's), or when it is named `linux`,
    /// `linux-kernel` or `kernel` with no PURL or a `generic` one (what `tekigo scan --sbom`
    /// writes for an image's kernel). A distribution's kernel package (`pkg:deb/debian/
    /// linux-image-...`) is not: its distribution's advisories know its backports, and
    /// matching it here too would report each CVE twice under two rules.
    pub fn kernel_version(&self) -> Option<String> {
        for text in &self.cpes {
            if let Some(cpe) = crate::Cpe::parse(text) {
                if cpe.vendor_product() == "linux:linux_kernel" {
                    return if crate::Cpe::is_specific(&cpe.version) {
                        Some(cpe.version.clone())
                    } else {
                        self.version.clone()
                    };
                }
            }
        }
        let generic = self.purl.as_ref().is_none_or(|p| p.ty == "generic");
        let named = ["linux", "linux-kernel", "kernel"]
            .iter()
            .any(|n| self.name.eq_ignore_ascii_case(n));
        if generic && named {
            self.version.clone()
        } else {
            None
        }
    }

    /// A query for a component known by PURL (name, version and, from the `upstream`
    /// qualifier, the source package taken from it).
    pub fn from_purl(text: &str) -> Result<Query, String> {
        let purl = PurlInfo::parse(text)?;
        let source = tekigo_sbom::Purl::parse(text)
            .ok()
            .and_then(|p| SourcePackage::from_purl(&p));
        Ok(Query {
            label: text.to_string(),
            name: purl.name.clone(),
            version: purl.full_version(),
            purl: Some(purl),
            cpes: Vec::new(),
            supplier: None,
            source,
        })
    }

    /// The OSV lookups of this component: by its own name and version, and for a
    /// distribution package (deb, apk, rpm) that states another source package, by the
    /// source's name and version (the binary's version when the source states none).
    ///
    /// A Debian binary package can have another version than its source (a binNMU
    /// `5.2.15-2+b13` of source `5.2.15-2`, or `bsdutils 1:2.38.1-5` with an epoch its source
    /// `util-linux 2.38.1-5` lacks): an advisory keyed by the source is compared with the
    /// source's version. Debian, Ubuntu and Alpine advisories name source packages, so for
    /// deb and apk the source lookup comes first and explains a record that both find;
    /// Red Hat-family advisories name binary packages, so for rpm the source RPM comes
    /// second.
    pub(crate) fn osv_lookups(&self) -> Vec<OsvLookup<'_>> {
        let (Some(purl), Some(version)) = (&self.purl, self.version.as_deref()) else {
            return Vec::new();
        };
        let Some(base) = purl.osv_base() else {
            return Vec::new();
        };
        let own = OsvLookup {
            key: index::osv_key(base, &purl.osv_name()),
            version,
            source: None,
        };
        let by_source = self
            .source
            .as_ref()
            .filter(|_| matches!(purl.ty.as_str(), "deb" | "apk" | "rpm"))
            .map(|s| OsvLookup {
                key: index::osv_key(base, &s.name),
                version: s.version.as_deref().unwrap_or(version),
                source: Some(s),
            })
            .filter(|s| s.key != own.key || s.version != own.version);
        match by_source {
            Some(s) if purl.ty == "rpm" => vec![own, s],
            Some(s) => vec![s, own],
            None => vec![own],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `NAME@VERSION` of each lookup, the name read back from the key.
    fn lookups(q: &Query) -> Vec<String> {
        q.osv_lookups()
            .iter()
            .map(|l| {
                let name = l.key.rsplit('\0').next().unwrap_or_default();
                format!("{name}@{}", l.version)
            })
            .collect()
    }

    #[test]
    fn distro_purls() {
        let q = Query::from_purl(
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u2?arch=amd64&distro=debian-12&upstream=glibc",
        )
        .unwrap();
        let p = q.purl.as_ref().unwrap();
        assert_eq!(p.osv_base(), Some("debian"));
        assert_eq!(p.release().as_deref(), Some("12"));
        assert_eq!(
            lookups(&q),
            ["glibc@2.36-9+deb12u2", "libc6@2.36-9+deb12u2"]
        );
        assert_eq!(q.version.as_deref(), Some("2.36-9+deb12u2"));
        // A binNMU: one name, two versions, the source's first.
        let q = Query::from_purl("pkg:deb/debian/bash@5.2.15-2%2Bb13?upstream=bash%405.2.15-2")
            .unwrap();
        assert_eq!(lookups(&q), ["bash@5.2.15-2", "bash@5.2.15-2+b13"]);
        // Its own source: one lookup.
        let q = Query::from_purl("pkg:deb/debian/bash@5.2.15-2?upstream=bash").unwrap();
        assert_eq!(lookups(&q), ["bash@5.2.15-2"]);
        let p = PurlInfo::parse("pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=bookworm").unwrap();
        assert_eq!(p.release().as_deref(), Some("12"));
        let q = Query::from_purl(
            "pkg:apk/alpine/libcrypto3@3.1.4-r1?distro=alpine-3.19.0&upstream=openssl",
        )
        .unwrap();
        assert_eq!(q.purl.as_ref().unwrap().release().as_deref(), Some("v3.19"));
        assert_eq!(lookups(&q), ["openssl@3.1.4-r1", "libcrypto3@3.1.4-r1"]);
        let p =
            PurlInfo::parse("pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.15?distro=ubuntu-22.04").unwrap();
        assert_eq!(
            (p.osv_base(), p.release().as_deref()),
            (Some("ubuntu"), Some("22.04"))
        );
        let q = Query::from_purl(
            "pkg:rpm/redhat/openssl-libs@3.0.7-25.el9?epoch=1&upstream=openssl-3.0.7-25.el9.src.rpm",
        )
        .unwrap();
        assert_eq!(
            lookups(&q),
            ["openssl-libs@1:3.0.7-25.el9", "openssl@1:3.0.7-25.el9"]
        );
        assert_eq!(q.version.as_deref(), Some("1:3.0.7-25.el9"));
        assert_eq!(osv_release("Ubuntu:Pro:18.04:LTS"), Some("18.04"));
        assert_eq!(osv_release("Alpine:v3.19"), Some("v3.19"));
        assert_eq!(osv_release("Maven:https://repo.example"), None);
        assert_eq!(osv_release("PyPI"), None);
    }

    #[test]
    fn language_purls() {
        let p = PurlInfo::parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1").unwrap();
        assert_eq!(p.osv_base(), Some("maven"));
        assert_eq!(p.osv_name(), "org.apache.logging.log4j:log4j-core");
        let p = PurlInfo::parse("pkg:npm/%40angular/core@1.0.0").unwrap();
        assert_eq!(p.osv_name(), "@angular/core");
        let p = PurlInfo::parse("pkg:golang/golang.org/x/net@v0.1.0").unwrap();
        assert_eq!(p.osv_name(), "golang.org/x/net");
        assert_eq!(
            PurlInfo::parse("pkg:cargo/tokio@1.0.0").unwrap().osv_base(),
            Some("crates.io")
        );
        assert_eq!(PurlInfo::parse("pkg:generic/x@1").unwrap().osv_base(), None);
        assert!(PurlInfo::parse("not a purl").is_err());
    }
}
