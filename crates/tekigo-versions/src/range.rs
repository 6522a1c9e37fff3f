//! OSV range evaluation for `ECOSYSTEM` and `SEMVER` ranges (OSV schema, "Evaluation").

use crate::{Ecosystem, RangeError, Version, VersionError};
use std::cmp::Ordering;

/// One event of an OSV range: a point on the version line where the status changes.
///
/// `S` is the version text: `String` for ranges a caller owns, `&str` for ranges borrowed from
/// a database, so evaluating them does not copy the bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<S = String> {
    /// Affected from this version on; `"0"` means from before the first version.
    Introduced(S),
    /// Not affected from this version on (the fix).
    Fixed(S),
    /// Affected up to and including this version.
    LastAffected(S),
    /// Nothing at or above this version is in the range; a version containing `*` is
    /// infinity.
    Limit(S),
}

/// Whether `version` lies in the range described by `events` (one `affected[].ranges[]`
/// entry; a package is affected when any of its ranges says so).
///
/// This is the OSV schema's `IncludedInRanges` for one range: outside every `limit` the answer
/// is no; otherwise the events are walked in version order, `introduced` opens the range when
/// `version >= introduced`, `fixed` closes it when `version >= fixed`, and `last_affected`
/// closes it when `version > last_affected`. The walk is equivalent to taking the greatest
/// event that applies to `version`. Events at equal versions apply in the order introduced,
/// last_affected, fixed, so `introduced: X, fixed: X` is an empty range and
/// `introduced: X, last_affected: X` is exactly `X`.
///
/// Every version in the events is validated, also those that do not decide the answer, so
/// bad data is reported rather than silently matched.
pub fn affected<S: AsRef<str>>(
    eco: Ecosystem,
    version: &str,
    events: &[Event<S>],
) -> Result<bool, RangeError> {
    let version = Version::parse(eco, version)?;
    affected_parsed(&version, events)
}

/// [`affected`] for a version parsed once (a scan checks one component version against
/// many ranges). Each bound is parsed once per call, under the version's ecosystem.
pub fn affected_parsed<S: AsRef<str>>(
    version: &Version<'_>,
    events: &[Event<S>],
) -> Result<bool, RangeError> {
    fn parse<S: AsRef<str>>(eco: Ecosystem, v: &S) -> Result<Version<'_>, VersionError> {
        Version::parse(eco, v.as_ref())
    }
    if !events.iter().any(|e| matches!(e, Event::Introduced(_))) {
        return Err(RangeError::NoIntroduced);
    }
    let eco = version.ecosystem();
    // Same ecosystem on both sides by construction.
    let cmp = |a: &Version<'_>, b: &Version<'_>| a.compare(b).unwrap_or(Ordering::Equal);

    // The greatest applying event: (its parsed version, None for "0"; its rank among equal
    // versions; whether it leaves the version affected).
    let mut decisive: Option<(Option<Version<'_>>, u8, bool)> = None;
    let mut before_limits = true;
    let mut any_limit = false;
    for event in events {
        let (at, rank, applies, opens) = match event {
            Event::Introduced(v) if v.as_ref() == "0" => (None, 0, true, true),
            Event::Introduced(v) => {
                let b = parse(eco, v)?;
                let applies = cmp(version, &b) != Ordering::Less;
                (Some(b), 0, applies, true)
            }
            Event::LastAffected(v) => {
                let b = parse(eco, v)?;
                let applies = cmp(version, &b) == Ordering::Greater;
                (Some(b), 1, applies, false)
            }
            Event::Fixed(v) => {
                let b = parse(eco, v)?;
                let applies = cmp(version, &b) != Ordering::Less;
                (Some(b), 2, applies, false)
            }
            Event::Limit(v) => {
                if !any_limit {
                    any_limit = true;
                    before_limits = false;
                }
                let v = v.as_ref();
                if v.contains('*') || cmp(version, &Version::parse(eco, v)?) == Ordering::Less {
                    before_limits = true;
                }
                continue;
            }
        };
        if !applies {
            continue;
        }
        let later = match &decisive {
            None => true,
            Some((best_at, best_rank, _)) => {
                let by_version = match (&at, best_at) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(a), Some(b)) => cmp(a, b),
                };
                by_version.then(rank.cmp(best_rank)) == Ordering::Greater
            }
        };
        if later {
            decisive = Some((at, rank, opens));
        }
    }
    Ok(before_limits && decisive.is_some_and(|(_, _, opens)| opens))
}

#[cfg(test)]
mod tests {
    use super::Event::{self, *};
    use super::*;

    fn ev(events: &[(&str, &str)]) -> Vec<Event> {
        events
            .iter()
            .map(|&(kind, v)| match kind {
                "introduced" => Introduced(v.into()),
                "fixed" => Fixed(v.into()),
                "last_affected" => LastAffected(v.into()),
                "limit" => Limit(v.into()),
                other => panic!("bad event kind {other}"),
            })
            .collect()
    }

    fn check(eco: Ecosystem, events: &[(&str, &str)], cases: &[(&str, bool)]) {
        let events = ev(events);
        for &(version, want) in cases {
            assert_eq!(
                affected(eco, version, &events),
                Ok(want),
                "{eco} {version} in {events:?}"
            );
        }
    }

    #[test]
    fn introduced_fixed_boundaries() {
        check(
            Ecosystem::Semver,
            &[("introduced", "1.0.0"), ("fixed", "1.0.2")],
            &[
                ("0.9.9", false),
                ("1.0.0-rc.1", false),
                ("1.0.0", true),
                ("1.0.1", true),
                ("1.0.2-rc.1", true),
                ("1.0.2", false),
                ("1.0.2+build", false),
                ("2.0.0", false),
            ],
        );
    }

    #[test]
    fn introduced_zero_and_last_affected() {
        check(
            Ecosystem::Semver,
            &[("introduced", "0"), ("last_affected", "2.1.214")],
            &[
                ("0.0.0", true),
                ("0.0.1-alpha", true),
                ("2.1.214", true),
                ("2.1.215", false),
            ],
        );
    }

    #[test]
    fn multiple_ranges_in_one_event_list() {
        // The schema's "multiple range" example, events deliberately out of order.
        check(
            Ecosystem::Semver,
            &[
                ("fixed", "3.2.5"),
                ("introduced", "1.0.0"),
                ("introduced", "3.0.0"),
                ("fixed", "1.0.2"),
            ],
            &[
                ("0.5.0", false),
                ("1.0.0", true),
                ("1.0.2", false),
                ("2.9.9", false),
                ("3.0.0", true),
                ("3.2.4", true),
                ("3.2.5", false),
            ],
        );
    }

    #[test]
    fn debian_epoch_and_tilde() {
        check(
            Ecosystem::Debian,
            &[("introduced", "0"), ("fixed", "1.0-1")],
            &[
                ("1.0~rc1-1", true),
                ("1.0-0", true),
                ("1.0", true),
                ("1.0-1~deb12u1", true),
                ("1.0-1", false),
                ("1.0-1+deb12u1", false),
                ("1:0.9-1", false),
                ("0.9-1", true),
            ],
        );
        check(
            Ecosystem::Debian,
            &[("introduced", "1:1.0"), ("fixed", "1:1.2")],
            &[
                ("2.0", false),
                ("1:1.0~beta", false),
                ("1:1.0", true),
                ("1:1.1", true),
                ("1:1.2", false),
            ],
        );
    }

    #[test]
    fn rpm_pep440_maven_alpine_boundaries() {
        check(
            Ecosystem::Rpm,
            &[("introduced", "0"), ("fixed", "1:3.0.7-25.el9")],
            &[
                ("3.0.7-25.el9", true),
                ("1:3.0.7-24.el9", true),
                ("1:3.0.7-25.el9", false),
                ("2:1.0-1", false),
            ],
        );
        check(
            Ecosystem::Pep440,
            &[("introduced", "2.0"), ("fixed", "2.0.3")],
            &[
                ("2.0rc1", false),
                ("2.0.0", true),
                ("2.0.3.dev1", true),
                ("2.0.3rc1", true),
                ("2.0.3", false),
                ("2.0.3.post1", false),
            ],
        );
        check(
            Ecosystem::Maven,
            &[("introduced", "2.0-beta9"), ("fixed", "2.15.0")],
            &[
                ("2.0-alpha1", false),
                ("2.0-beta9", true),
                ("2.14.1", true),
                ("2.15.0-rc1", true),
                ("2.15.0", false),
                ("2.15", false),
            ],
        );
        check(
            Ecosystem::Alpine,
            &[("introduced", "0"), ("fixed", "3.1.4-r1")],
            &[
                ("3.1.4_rc1", true),
                ("3.1.4", true),
                ("3.1.4-r0", true),
                ("3.1.4-r1", false),
                ("3.1.4_p1", false),
            ],
        );
    }

    #[test]
    fn equal_version_events() {
        check(
            Ecosystem::Semver,
            &[("introduced", "1.0.0"), ("fixed", "1.0.0")],
            &[("1.0.0", false), ("1.0.1", false)],
        );
        check(
            Ecosystem::Semver,
            &[("introduced", "1.0.0"), ("last_affected", "1.0.0")],
            &[("0.9.0", false), ("1.0.0", true), ("1.0.1", false)],
        );
        // Maven equal versions spelled differently.
        check(
            Ecosystem::Maven,
            &[("introduced", "1.0"), ("fixed", "1.0.0")],
            &[("1", false)],
        );
    }

    #[test]
    fn limits() {
        check(
            Ecosystem::Semver,
            &[("introduced", "0"), ("limit", "2.0.0")],
            &[("1.9.9", true), ("2.0.0", false), ("3.0.0", false)],
        );
        check(
            Ecosystem::Semver,
            &[("introduced", "1.0.0"), ("limit", "*")],
            &[("0.1.0", false), ("9.0.0", true)],
        );
        check(
            Ecosystem::Semver,
            &[("introduced", "0"), ("limit", "1.0.0"), ("limit", "3.0.0")],
            &[("2.0.0", true), ("3.0.0", false)],
        );
    }

    #[test]
    fn errors() {
        let events = ev(&[("introduced", "0"), ("fixed", "1.0")]);
        let err = affected(Ecosystem::Semver, "1.0.0", &events).expect_err("1.0 is not SemVer");
        assert!(
            matches!(&err, RangeError::Version(e) if e.version == "1.0" && e.ecosystem == Ecosystem::Semver),
            "{err:?}"
        );
        let err = affected(Ecosystem::Debian, "a1", &events).expect_err("invalid version");
        assert!(
            matches!(&err, RangeError::Version(e) if e.version == "a1"),
            "{err:?}"
        );
        assert_eq!(
            affected(Ecosystem::Debian, "1.0", &ev(&[("fixed", "2.0")])),
            Err(RangeError::NoIntroduced)
        );
        assert!(err.to_string().contains("Debian"), "{err}");
    }
}
