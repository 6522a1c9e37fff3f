//! Package URLs as the purl specification defines them per type: the distribution as
//! namespace, `arch` and `distro` qualifiers, and for rpm the epoch as a qualifier; plus
//! the source package in an `upstream` qualifier, as syft writes it (deb: `NAME` or
//! `NAME@VERSION` when the source version differs; apk: the origin; rpm: the source RPM file
//! name). The purl specification defines no source qualifier (its `deb` type names a
//! source package itself with `arch=source`); syft's convention is what vulnerability
//! matchers read, tekigo's included (`tekigo_sbom::SourcePackage`).

use packageurl::PackageUrl;

use crate::{Ecosystem, OsRelease};

/// What a PURL is made of, before encoding.
pub(crate) struct PurlParts<'a> {
    pub ecosystem: Ecosystem,
    pub name: &'a str,
    /// The version as the PURL type wants it (rpm: without the epoch).
    pub version: &'a str,
    pub arch: Option<&'a str>,
    /// rpm only.
    pub epoch: Option<&'a str>,
    /// The `upstream` qualifier: the source package, `None` when it is the package itself.
    pub upstream: Option<&'a str>,
}

/// Builds the PURL; the namespace is the os-release id (`debian`, `ubuntu`, `alpine`,
/// `fedora`, `openwrt`), or the ecosystem's home distribution when the image has no
/// os-release. Fails on an empty name or version, which parsers refuse before.
pub(crate) fn build(parts: &PurlParts<'_>, os: Option<&OsRelease>) -> Result<String, String> {
    let err = |e: packageurl::Error| format!("cannot form a package URL: {e}");
    if parts.name.is_empty() || parts.version.is_empty() {
        return Err("cannot form a package URL without name and version".into());
    }
    let mut purl = PackageUrl::new(parts.ecosystem.purl_type(), parts.name).map_err(err)?;
    let namespace = os
        .and_then(|os| os.id.as_deref())
        .or(match parts.ecosystem {
            Ecosystem::Deb => Some("debian"),
            Ecosystem::Apk => Some("alpine"),
            Ecosystem::Rpm | Ecosystem::Opkg => None,
        });
    if let Some(namespace) = namespace {
        purl.with_namespace(namespace).map_err(err)?;
    }
    purl.with_version(parts.version).map_err(err)?;
    if let Some(arch) = parts.arch {
        purl.add_qualifier("arch", arch).map_err(err)?;
    }
    if let Some(distro) = os.and_then(OsRelease::distro) {
        purl.add_qualifier("distro", distro).map_err(err)?;
    }
    if let Some(epoch) = parts.epoch {
        purl.add_qualifier("epoch", epoch).map_err(err)?;
    }
    if let Some(upstream) = parts.upstream.filter(|u| !u.is_empty()) {
        purl.add_qualifier("upstream", upstream).map_err(err)?;
    }
    Ok(purl.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn os(text: &str) -> OsRelease {
        OsRelease::parse(Path::new("/etc/os-release"), text, String::new())
    }

    #[test]
    fn deb_keeps_the_epoch_in_the_version_and_encodes_plus() {
        let debian = os("ID=debian\nVERSION_ID=\"12\"\n");
        let parts = PurlParts {
            ecosystem: Ecosystem::Deb,
            name: "openssh-server",
            version: "1:9.2p1-2+deb12u3",
            arch: Some("amd64"),
            epoch: None,
            upstream: Some("openssh"),
        };
        assert_eq!(
            build(&parts, Some(&debian)).unwrap(),
            "pkg:deb/debian/openssh-server@1:9.2p1-2%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=openssh"
        );
    }

    #[test]
    fn rpm_epoch_is_a_qualifier_and_qualifiers_are_sorted() {
        let rocky = os("ID=\"rocky\"\nVERSION_ID=\"9.3\"\n");
        let parts = PurlParts {
            ecosystem: Ecosystem::Rpm,
            name: "openssl-libs",
            version: "3.0.7-27.el9",
            arch: Some("x86_64"),
            epoch: Some("1"),
            upstream: None,
        };
        assert_eq!(
            build(&parts, Some(&rocky)).unwrap(),
            "pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.3&epoch=1"
        );
    }

    #[test]
    fn without_os_release_the_home_distribution_is_assumed_for_deb_and_apk_only() {
        let parts = |ecosystem| PurlParts {
            ecosystem,
            name: "busybox",
            version: "1.36.1-r15",
            arch: None,
            epoch: None,
            upstream: None,
        };
        assert_eq!(
            build(&parts(Ecosystem::Apk), None).unwrap(),
            "pkg:apk/alpine/busybox@1.36.1-r15"
        );
        assert_eq!(
            build(&parts(Ecosystem::Opkg), None).unwrap(),
            "pkg:opkg/busybox@1.36.1-r15"
        );
        assert!(build(
            &PurlParts {
                name: "",
                ..parts(Ecosystem::Deb)
            },
            None
        )
        .is_err());
    }
}
