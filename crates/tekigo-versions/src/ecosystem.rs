use std::fmt;

/// A family of packages sharing one version ordering.
///
/// Several OSV ecosystems share a family (Ubuntu uses dpkg, SUSE uses rpm, npm and crates.io
/// use SemVer); tekigo only needs the ordering, so it keeps the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// dpkg: Debian, Ubuntu.
    Debian,
    /// rpm: Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE, Mageia, openEuler, Photon OS.
    Rpm,
    /// apk: Alpine, Wolfi, Chainguard.
    Alpine,
    /// SemVer 2.0: crates.io, npm, Go modules, Hex.
    Semver,
    /// PEP 440: PyPI.
    Pep440,
    /// Maven `ComparableVersion`.
    Maven,
    /// No known rules; numeric and alphabetic runs compared in turn.
    Generic,
}

impl Ecosystem {
    /// Every ecosystem, for callers that list or test them all.
    pub const ALL: [Ecosystem; 7] = [
        Ecosystem::Debian,
        Ecosystem::Rpm,
        Ecosystem::Alpine,
        Ecosystem::Semver,
        Ecosystem::Pep440,
        Ecosystem::Maven,
        Ecosystem::Generic,
    ];

    /// The family of an OSV `affected[].package.ecosystem` value such as `Debian:12`,
    /// `Alpine:v3.19`, `Red Hat:rhel_aus:8.4::appstream` or `Maven:https://maven.google.com`.
    ///
    /// `None` for ecosystems whose ordering is not implemented (RubyGems, NuGet, Packagist,
    /// ...): the caller decides whether [`Ecosystem::Generic`] is acceptable and can say so.
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        let base = name.split(':').next().unwrap_or(name).trim();
        Some(match base {
            "Debian" | "Ubuntu" => Ecosystem::Debian,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mageia"
            | "openEuler" | "Photon OS" => Ecosystem::Rpm,
            "Alpine" | "Wolfi" | "Chainguard" => Ecosystem::Alpine,
            "crates.io" | "npm" | "Go" | "Hex" => Ecosystem::Semver,
            "PyPI" => Ecosystem::Pep440,
            "Maven" => Ecosystem::Maven,
            _ => return None,
        })
    }

    /// The family of a package URL type (`pkg:deb/...` has type `deb`). PURL types are
    /// case-insensitive.
    pub fn from_purl_type(purl_type: &str) -> Option<Ecosystem> {
        Some(match purl_type.to_ascii_lowercase().as_str() {
            "deb" => Ecosystem::Debian,
            "rpm" => Ecosystem::Rpm,
            "apk" => Ecosystem::Alpine,
            "cargo" | "npm" | "golang" | "hex" => Ecosystem::Semver,
            "pypi" => Ecosystem::Pep440,
            "maven" => Ecosystem::Maven,
            "generic" => Ecosystem::Generic,
            _ => return None,
        })
    }

    /// Whether comparisons follow the ecosystem's own tool; `false` only for
    /// [`Ecosystem::Generic`].
    pub fn exact_rules(self) -> bool {
        self != Ecosystem::Generic
    }

    /// The rules used, in words a finding can quote.
    pub fn rules(self) -> &'static str {
        match self {
            Ecosystem::Debian => "dpkg version comparison (epoch, verrevcmp)",
            Ecosystem::Rpm => "rpm version comparison (epoch, rpmvercmp)",
            Ecosystem::Alpine => "apk-tools version comparison",
            Ecosystem::Semver => "SemVer 2.0 precedence",
            Ecosystem::Pep440 => "PEP 440 version ordering",
            Ecosystem::Maven => "Maven ComparableVersion ordering",
            Ecosystem::Generic => {
                "generic rules (numeric and alphabetic runs), not the ecosystem's own"
            }
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ecosystem::Debian => "Debian",
            Ecosystem::Rpm => "RPM",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::Semver => "SemVer",
            Ecosystem::Pep440 => "PEP 440",
            Ecosystem::Maven => "Maven",
            Ecosystem::Generic => "generic",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Ecosystem::{self, *};

    #[test]
    fn osv_names() {
        let cases: &[(&str, Option<Ecosystem>)] = &[
            ("Debian", Some(Debian)),
            ("Debian:12", Some(Debian)),
            ("Ubuntu:22.04", Some(Debian)),
            ("Ubuntu:Pro:18.04:LTS", Some(Debian)),
            ("Alpine:v3.19", Some(Alpine)),
            ("Wolfi", Some(Alpine)),
            ("crates.io", Some(Semver)),
            ("npm", Some(Semver)),
            ("Go", Some(Semver)),
            ("PyPI", Some(Pep440)),
            ("Maven", Some(Maven)),
            ("Maven:https://maven.google.com", Some(Maven)),
            ("Red Hat", Some(Rpm)),
            ("Red Hat:rhel_aus:8.4::appstream", Some(Rpm)),
            ("Rocky Linux:9", Some(Rpm)),
            ("AlmaLinux:8", Some(Rpm)),
            ("SUSE:Linux Enterprise Server 15 SP5", Some(Rpm)),
            ("openSUSE:Leap 15.5", Some(Rpm)),
            ("RubyGems", None),
            ("NuGet", None),
            ("", None),
            ("debian", None),
        ];
        for (name, want) in cases {
            assert_eq!(Ecosystem::from_osv(name), *want, "{name}");
        }
    }

    #[test]
    fn purl_types() {
        let cases: &[(&str, Option<Ecosystem>)] = &[
            ("deb", Some(Debian)),
            ("rpm", Some(Rpm)),
            ("apk", Some(Alpine)),
            ("cargo", Some(Semver)),
            ("npm", Some(Semver)),
            ("golang", Some(Semver)),
            ("pypi", Some(Pep440)),
            ("PyPI", Some(Pep440)),
            ("maven", Some(Maven)),
            ("generic", Some(Generic)),
            ("gem", None),
            ("", None),
        ];
        for (ty, want) in cases {
            assert_eq!(Ecosystem::from_purl_type(ty), *want, "{ty}");
        }
    }

    #[test]
    fn only_generic_is_inexact() {
        for eco in Ecosystem::ALL {
            assert_eq!(eco.exact_rules(), eco != Generic);
            assert!(!eco.rules().is_empty());
        }
    }
}
