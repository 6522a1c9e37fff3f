//! The source package a distribution's binary package was built from, wherever an SBOM
//! generator put it.
//!
//! Debian, Ubuntu, Alpine and Red Hat-family advisories name *source* packages (`glibc`,
//! the Alpine origin `openssl`, the source RPM `openssl-3.0.7-27.el9.src.rpm`), while an
//! SBOM lists *binary* packages (`libc6`, `libcrypto3`, `openssl-libs`). Matching them
//! needs the link, and every generator writes it differently:
//!
//! | where | written by | meaning |
//! |---|---|---|
//! | PURL qualifier `upstream` | syft (`syft/pkg/cataloger/{debian,alpine,redhat}/package.go`) | deb: `NAME` or `NAME@VERSION` (the version only when dpkg's `Source:` field names one); apk: the origin; rpm: the source RPM file name |
//! | CycloneDX property `syft:metadata:source` (+ `syft:metadata:sourceVersion`), `syft:metadata:originPackage`, `syft:metadata:sourceRpm` | syft | the same three facts |
//! | CycloneDX properties `aquasecurity:trivy:SrcName`, `SrcVersion`, `SrcRelease`, `SrcEpoch` | Trivy (which puts none in the PURL) | the version as `[EPOCH:]VERSION[-RELEASE]` |
//! | CycloneDX properties `tekigo:source-name`, `tekigo:source-version` | tekigo before it wrote `upstream` | name and full version |
//! | CycloneDX `pedigree.ancestors` | the CycloneDX specification's form for "derived from" | the first ancestor |
//! | SPDX `sourceInfo` / `PackageSourceInfo` `built package from: NAME VERSION` | Trivy | name and full version |
//! | SPDX relationship `BIN GENERATED_FROM SRC` or `SRC GENERATES BIN` | debsbom (`GENERATES`) and the SPDX 2.3 specification | the related package's name and version |
//!
//! The purl specification itself defines no source qualifier: its `deb` type names a source
//! package with `arch=source` (PURL-TYPES, "deb"). tekigo follows syft, the one generator
//! that puts the source in the PURL, and reads every form above.
//!
//! A source without a version means "the binary package's own version", which is dpkg's
//! rule for a `Source:` field without one and always true of an Alpine origin.

use crate::purl::Purl;

/// The source package of a binary package.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourcePackage {
    pub name: String,
    /// The source version as the ecosystem compares it (dpkg `EPOCH:UPSTREAM-REVISION`, rpm
    /// `EPOCH:VERSION-RELEASE`); `None` when it is the binary package's version.
    pub version: Option<String>,
}

/// How long a name or version read from a document may be: longer values are not package
/// names but garbage, and are dropped rather than carried into every finding.
const MAX_LEN: usize = 256;

impl SourcePackage {
    /// A source package from a name and an optional version, both trimmed; `None` for an
    /// empty or overlong name.
    pub fn new(name: &str, version: Option<&str>) -> Option<SourcePackage> {
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_LEN || name.contains(char::is_whitespace) {
            return None;
        }
        let version = version
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= MAX_LEN && !v.contains(char::is_whitespace));
        Some(SourcePackage {
            name: name.to_string(),
            version: version.map(str::to_string),
        })
    }

    /// The source package a PURL's `upstream` qualifier names (syft's convention, see the
    /// module docs), for the distribution types `deb`, `apk` and `rpm`.
    pub fn from_purl(purl: &Purl) -> Option<SourcePackage> {
        let upstream = purl.qualifier("upstream")?;
        match purl.ty.as_str() {
            "deb" => match upstream.split_once('@') {
                Some((name, version)) => SourcePackage::new(name, Some(version)),
                None => SourcePackage::new(upstream, None),
            },
            "apk" => SourcePackage::new(upstream, None),
            "rpm" => SourcePackage::from_source_rpm(upstream, purl.qualifier("epoch")),
            _ => None,
        }
    }

    /// `openssl-3.0.7-27.el9.src.rpm` as (`openssl`, `3.0.7-27.el9`), with `epoch` (the
    /// binary package's: rpm gives a binary package its source package's epoch, which the
    /// file name leaves out) in front of the version. `None` for anything else.
    pub fn from_source_rpm(file: &str, epoch: Option<&str>) -> Option<SourcePackage> {
        let stem = file
            .trim()
            .strip_suffix(".src.rpm")
            .or_else(|| file.trim().strip_suffix(".nosrc.rpm"))?;
        let (rest, release) = stem.rsplit_once('-')?;
        let (name, version) = rest.rsplit_once('-')?;
        if version.is_empty() || release.is_empty() {
            return None;
        }
        let version = match epoch.map(str::trim).filter(|e| !e.is_empty() && *e != "0") {
            Some(epoch) => format!("{epoch}:{version}-{release}"),
            None => format!("{version}-{release}"),
        };
        SourcePackage::new(name, Some(&version))
    }
}

/// The source package that CycloneDX properties name (see the module docs); `purl` gives
/// the epoch a source RPM file name lacks.
pub(crate) fn from_properties(
    properties: &[(String, String)],
    purl: Option<&Purl>,
) -> Option<SourcePackage> {
    let get = |name: &str| {
        properties
            .iter()
            .find(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    };
    if let Some(name) = get("tekigo:source-name") {
        return SourcePackage::new(name, get("tekigo:source-version"));
    }
    if let Some(name) = get("syft:metadata:source") {
        return SourcePackage::new(name, get("syft:metadata:sourceVersion"));
    }
    if let Some(origin) = get("syft:metadata:originPackage") {
        return SourcePackage::new(origin, None);
    }
    if let Some(file) = get("syft:metadata:sourceRpm") {
        return SourcePackage::from_source_rpm(file, purl.and_then(|p| p.qualifier("epoch")));
    }
    let name = get("aquasecurity:trivy:SrcName")?;
    let version = get("aquasecurity:trivy:SrcVersion").map(|v| {
        let mut full = match get("aquasecurity:trivy:SrcEpoch").filter(|e| e.trim() != "0") {
            Some(epoch) => format!("{}:{v}", epoch.trim()),
            None => v.to_string(),
        };
        if let Some(release) = get("aquasecurity:trivy:SrcRelease") {
            full.push('-');
            full.push_str(release);
        }
        full
    });
    SourcePackage::new(name, version.as_deref())
}

/// Trivy's SPDX `sourceInfo`: `built package from: NAME VERSION`. Other generators write
/// free text there (syft: `acquired package info from ...`), which names no package.
pub(crate) fn from_spdx_source_info(text: &str) -> Option<SourcePackage> {
    let rest = text.trim().strip_prefix("built package from:")?;
    let mut words = rest.split_whitespace();
    let name = words.next()?;
    SourcePackage::new(name, words.next())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str, version: Option<&str>) -> Option<SourcePackage> {
        SourcePackage::new(name, version)
    }

    #[test]
    fn upstream_qualifier_per_type() {
        let purl = |t: &str| Purl::parse(t).unwrap();
        assert_eq!(
            SourcePackage::from_purl(&purl(
                "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=glibc"
            )),
            src("glibc", None)
        );
        assert_eq!(
            SourcePackage::from_purl(&purl(
                "pkg:deb/debian/libgcc-s1@12.2.0-14?upstream=gcc-12%4012.2.0-14"
            )),
            src("gcc-12", Some("12.2.0-14"))
        );
        assert_eq!(
            SourcePackage::from_purl(&purl(
                "pkg:apk/alpine/libcrypto3@3.1.4-r1?distro=alpine-3.19.0&upstream=openssl"
            )),
            src("openssl", None)
        );
        assert_eq!(
            SourcePackage::from_purl(&purl(
                "pkg:rpm/redhat/openssl-libs@3.0.7-25.el9?epoch=1&upstream=openssl-3.0.7-25.el9.src.rpm"
            )),
            src("openssl", Some("1:3.0.7-25.el9"))
        );
        // Only the distribution types carry a source package; no qualifier, no source.
        assert_eq!(
            SourcePackage::from_purl(&purl("pkg:pypi/idna@3.7?upstream=x")),
            None
        );
        assert_eq!(
            SourcePackage::from_purl(&purl("pkg:deb/debian/bash@5.2.15-2")),
            None
        );
    }

    #[test]
    fn source_rpm_names_split_from_the_right() {
        assert_eq!(
            SourcePackage::from_source_rpm("python3.11-3.11.7-1.el9.src.rpm", None),
            src("python3.11", Some("3.11.7-1.el9"))
        );
        assert_eq!(
            SourcePackage::from_source_rpm("bash-5.2-1.fc40.src.rpm", Some("0")),
            src("bash", Some("5.2-1.fc40"))
        );
        assert_eq!(SourcePackage::from_source_rpm("broken.src.rpm", None), None);
        assert_eq!(
            SourcePackage::from_source_rpm("bash-5.2-1.x86_64.rpm", None),
            None
        );
        assert_eq!(SourcePackage::from_source_rpm("-1-2.src.rpm", None), None);
    }

    #[test]
    fn properties_of_each_generator() {
        let props = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        let trivy = props(&[
            ("aquasecurity:trivy:SrcName", "openssl"),
            ("aquasecurity:trivy:SrcVersion", "1.0.2k"),
            ("aquasecurity:trivy:SrcRelease", "16.el7"),
            ("aquasecurity:trivy:SrcEpoch", "1"),
        ]);
        assert_eq!(
            from_properties(&trivy, None),
            src("openssl", Some("1:1.0.2k-16.el7"))
        );
        let rpm = Purl::parse("pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?epoch=1").unwrap();
        assert_eq!(
            from_properties(
                &props(&[("syft:metadata:sourceRpm", "openssl-3.0.7-27.el9.src.rpm")]),
                Some(&rpm)
            ),
            src("openssl", Some("1:3.0.7-27.el9"))
        );
        assert_eq!(
            from_properties(&props(&[("syft:metadata:originPackage", "busybox")]), None),
            src("busybox", None)
        );
        assert_eq!(
            from_properties(&props(&[("syft:package:type", "deb")]), None),
            None
        );
        // A name that is not one is not carried into findings.
        assert_eq!(
            from_properties(&props(&[("syft:metadata:source", "two words")]), None),
            None
        );
    }

    #[test]
    fn trivy_source_info_only() {
        assert_eq!(
            from_spdx_source_info("built package from: openssl 1:1.0.2k-16.el7"),
            src("openssl", Some("1:1.0.2k-16.el7"))
        );
        assert_eq!(
            from_spdx_source_info("built package from: glibc "),
            src("glibc", None)
        );
        assert_eq!(
            from_spdx_source_info(
                "acquired package info from installed python package manifest file: /x"
            ),
            None
        );
    }
}
