//! Version ordering as each package ecosystem defines it, and OSV range evaluation on top.
//!
//! Deciding whether an installed package is affected by a vulnerability comes down to
//! "is this version inside that range". Comparing versions with one generic rule (or matching
//! CPE version strings, as NVD-driven scanners do) gets the common cases right and the
//! security-relevant edge cases wrong: `1.0~rc1` is *older* than `1.0` for dpkg and rpm,
//! `1:0.9` is *newer* than `2.0` because of the Debian epoch, `1.0a1` is a PEP 440 pre-release
//! of `1.0` while `1.0a` is a later Debian version, `1.0-SNAPSHOT` precedes `1.0` in Maven.
//! Each of those mistakes is a false positive (a fixed package reported as vulnerable, which
//! trains people to ignore the report) or a false negative (a vulnerable package passed as
//! fixed). Defect management and security update management under IEC 62443-4-1 (DM, SUM)
//! need findings a reviewer can trust, so tekigo compares versions with the rules of the tool
//! that installs the package.
//!
//! Implemented rules ([`Ecosystem`]):
//!
//! - **Debian** (also Ubuntu): dpkg's `epoch:upstream-revision` with `verrevcmp`.
//! - **RPM** (Red Hat, Rocky, Alma, SUSE, openSUSE, ...): `rpmvercmp` with `~` and `^`, on
//!   `epoch:version-release`.
//! - **Alpine** (also Wolfi): apk-tools' Gentoo-style tokens, suffixes and `-rN` revisions.
//! - **SemVer** 2.0 (crates.io, npm, Go modules with or without a leading `v`, Hex).
//! - **PEP 440** (PyPI), with the normalisations of the `packaging` library.
//! - **Maven** `ComparableVersion` (Maven 3.8 semantics).
//! - **Generic**: numeric and alphabetic runs; a fallback whose results say so
//!   ([`Comparison::exact_rules`]) so a report can explain the weaker evidence.
//!
//! [`affected`] evaluates an OSV `ECOSYSTEM`/`SEMVER` range (introduced / fixed /
//! last_affected / limit events) with these comparisons; [`Version`] and
//! [`affected_parsed`] do the same for a version parsed once and checked against many
//! ranges.
//!
//! [`KernelVersion`] reads Linux kernel versions (mainline, stable, `-cip`, `-rt`, `-cip-rt`,
//! distribution kernels) and [`kernel_status`] decides a kernel against the per-branch
//! ranges of a CVE record (module `kernel`, where the rules are stated).
//!
//! No function of this crate panics on any input; invalid versions are [`VersionError`]s that
//! name the ecosystem and the offending string.

mod alpine;
mod debian;
mod ecosystem;
mod error;
mod generic;
mod kernel;
mod maven;
mod num;
mod parsed;
mod pep440;
mod range;
mod rpm;
mod semver;

pub use ecosystem::Ecosystem;
pub use error::{RangeError, VersionError};
pub use kernel::{
    kernel_status, range_text, Flavour, KernelDecision, KernelRange, KernelStatus, KernelVersion,
};
pub use parsed::Version;
pub use range::{affected, affected_parsed, Event};

use std::cmp::Ordering;

/// The outcome of comparing two versions, with how much the ordering can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    /// How the first version relates to the second.
    pub ordering: Ordering,
    /// `true` when the ecosystem's own rules decided the ordering; `false` for the generic
    /// fallback, which a matcher should report as "compared with generic rules".
    pub exact_rules: bool,
}

/// Compares `a` with `b` under the rules of `eco`.
///
/// Both versions are validated first; the error names the first invalid one. A caller that
/// compares one version with many others should parse it once with [`Version::parse`].
pub fn compare(eco: Ecosystem, a: &str, b: &str) -> Result<Comparison, VersionError> {
    let pa = Version::parse(eco, a)?;
    let pb = Version::parse(eco, b)?;
    Ok(Comparison {
        // Both were parsed under `eco`.
        ordering: pa.compare(&pb).unwrap_or(Ordering::Equal),
        exact_rules: eco.exact_rules(),
    })
}

/// Checks that `version` is a valid version of `eco`, so bad advisory or inventory data can be
/// reported where it is read instead of surfacing later as a failed comparison.
pub fn validate(eco: Ecosystem, version: &str) -> Result<(), VersionError> {
    Version::parse(eco, version).map(drop)
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::{compare, Ecosystem};
    use std::cmp::Ordering;

    /// Checks every row of a `(a, op, b)` table in both directions, collecting all failures
    /// so one run shows every wrong vector.
    pub fn check_table(eco: Ecosystem, rows: &[(&str, &str, &str)]) {
        let mut failures = Vec::new();
        for &(a, op, b) in rows {
            let want = match op {
                "<" => Ordering::Less,
                "=" => Ordering::Equal,
                ">" => Ordering::Greater,
                other => panic!("bad operator {other:?} in table"),
            };
            match (compare(eco, a, b), compare(eco, b, a)) {
                (Ok(ab), Ok(ba)) => {
                    if ab.ordering != want || ba.ordering != want.reverse() {
                        failures.push(format!(
                            "{a} {op} {b}: got {:?} / reverse {:?}",
                            ab.ordering, ba.ordering
                        ));
                    }
                }
                (ab, ba) => failures.push(format!("{a} {op} {b}: error {ab:?} / {ba:?}")),
            }
        }
        assert!(
            failures.is_empty(),
            "{eco}: {} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// Checks that each string is rejected.
    pub fn check_invalid(eco: Ecosystem, versions: &[&str]) {
        for v in versions {
            let err = super::validate(eco, v).expect_err(v);
            assert_eq!(err.ecosystem, eco);
            assert_eq!(err.version, *v);
        }
    }
}
