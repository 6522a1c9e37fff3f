use crate::Ecosystem;

/// A version string the ecosystem's rules cannot order.
///
/// It carries the ecosystem and the string itself so a report can point at the advisory or
/// inventory entry that holds it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {ecosystem} version {version:?}: {reason}")]
pub struct VersionError {
    pub ecosystem: Ecosystem,
    pub version: String,
    pub reason: String,
}

impl VersionError {
    pub(crate) fn new(ecosystem: Ecosystem, version: &str, reason: String) -> Self {
        VersionError {
            ecosystem,
            version: version.to_string(),
            reason,
        }
    }
}

/// Why an OSV range could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error(transparent)]
    Version(#[from] VersionError),
    /// The OSV schema requires at least one `introduced` event; without one every version
    /// would silently count as unaffected, hiding bad data as a negative finding.
    #[error("the range has no introduced event")]
    NoIntroduced,
}
