//! Ordering laws and robustness on generated input: the comparisons must be total orders
//! (or a range check would depend on argument order) and must never panic on what an
//! advisory feed or an SBOM may contain.

use proptest::prelude::*;
use std::cmp::Ordering;
use tekigo_versions::{affected, compare, validate, Ecosystem, Event};

fn debian_version() -> impl Strategy<Value = String> {
    "([0-9]{1,2}:)?[0-9][0-9a-z.+~]{0,8}(-[0-9a-z.+~]{1,5})?"
}

fn semver_version() -> impl Strategy<Value = String> {
    "v?(0|[1-9][0-9]{0,2})\\.(0|[1-9])\\.(0|[1-9])(-(0|[1-9]|[a-z-]{1,3})(\\.(0|[1-9][0-9]?|[a-zA-Z-]{1,3})){0,2})?(\\+[0-9a-z]{1,4})?"
}

/// Versions as Maven artifacts write them: numbers, then a qualifier with or without a
/// number.
fn maven_version() -> impl Strategy<Value = String> {
    "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([-.](alpha|beta|rc|RC|cr|M|milestone|SNAPSHOT|sp|ga|final|release|jre|android|Final)[-.]?[0-9]{0,2})?"
}

/// Version-like noise: the characters the parsers treat specially, in any order.
fn version_noise() -> impl Strategy<Value = String> {
    "[0-9a-zA-Z.+~^_:!*-]{0,24}"
}

fn ord(eco: Ecosystem, a: &str, b: &str) -> Ordering {
    match compare(eco, a, b) {
        Ok(c) => c.ordering,
        Err(e) => panic!("generated {eco} version rejected: {e}"),
    }
}

fn check_laws(eco: Ecosystem, a: &str, b: &str, c: &str) -> Result<(), TestCaseError> {
    let ab = ord(eco, a, b);
    prop_assert_eq!(ab, ord(eco, b, a).reverse(), "antisymmetry {} {}", a, b);
    prop_assert_eq!(ord(eco, a, a), Ordering::Equal);
    let bc = ord(eco, b, c);
    let ac = ord(eco, a, c);
    if ab != Ordering::Greater && bc != Ordering::Greater {
        prop_assert_ne!(
            ac,
            Ordering::Greater,
            "transitivity {} <= {} <= {}",
            a,
            b,
            c
        );
    }
    if ab == Ordering::Less && bc == Ordering::Less {
        prop_assert_eq!(
            ac,
            Ordering::Less,
            "strict transitivity {} < {} < {}",
            a,
            b,
            c
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn debian_is_a_total_order(a in debian_version(), b in debian_version(), c in debian_version()) {
        check_laws(Ecosystem::Debian, &a, &b, &c)?;
    }

    #[test]
    fn semver_is_a_total_order(a in semver_version(), b in semver_version(), c in semver_version()) {
        check_laws(Ecosystem::Semver, &a, &b, &c)?;
    }

    /// Every ecosystem but Maven, whose own ordering is not transitive on such strings (see
    /// `maven_is_not_an_order_on_noise`); Maven is held to the laws on the versions artifacts
    /// have (`maven_is_a_total_order`).
    #[test]
    fn valid_noise_obeys_the_laws(a in version_noise(), b in version_noise(), c in version_noise()) {
        for eco in Ecosystem::ALL.into_iter().filter(|e| *e != Ecosystem::Maven) {
            if validate(eco, &a).is_ok() && validate(eco, &b).is_ok() && validate(eco, &c).is_ok() {
                check_laws(eco, &a, &b, &c)?;
            }
        }
    }

    #[test]
    fn maven_is_a_total_order(a in maven_version(), b in maven_version(), c in maven_version()) {
        check_laws(Ecosystem::Maven, &a, &b, &c)?;
    }

    #[test]
    fn nothing_panics_on_arbitrary_strings(a in any::<String>(), b in version_noise()) {
        for eco in Ecosystem::ALL {
            let _ = validate(eco, &a);
            let _ = compare(eco, &a, &b);
            let _ = compare(eco, &b, &a);
            let events = vec![
                Event::Introduced(b.clone()),
                Event::Fixed(a.clone()),
                Event::LastAffected(b.clone()),
                Event::Limit(a.clone()),
            ];
            let _ = affected(eco, &a, &events);
            let _ = affected(eco, &b, &events);
            let _ = Ecosystem::from_osv(&a);
            let _ = Ecosystem::from_purl_type(&a);
        }
    }

    #[test]
    fn errors_name_the_ecosystem_and_the_string(a in any::<String>()) {
        for eco in Ecosystem::ALL {
            if let Err(e) = validate(eco, &a) {
                prop_assert_eq!(e.ecosystem, eco);
                prop_assert_eq!(&e.version, &a);
            }
        }
    }
}

/// The inputs an earlier run of `valid_noise_obeys_the_laws` failed on (`-M0`, `-`, `:`),
/// and more of their kind, checked in every combination for every ecosystem but Maven.
#[test]
fn earlier_noise_failures_obey_the_laws() {
    let inputs = [
        "-M0", "-", ":", "-m0", "M0", "0", "-0", "0-M0", "a", "-a", "0:", "0-", "0.-", "a:", "0-:",
        "1-M0", "1:", "1-", "1", "0.M0", "0_", "0~",
    ];
    let mut failures = Vec::new();
    for eco in Ecosystem::ALL
        .into_iter()
        .filter(|e| *e != Ecosystem::Maven)
    {
        let valid: Vec<&str> = inputs
            .iter()
            .copied()
            .filter(|v| validate(eco, v).is_ok())
            .collect();
        for a in &valid {
            for b in &valid {
                for c in &valid {
                    if let Err(e) = check_laws(eco, a, b, c) {
                        failures.push(format!("{eco}: {a:?} {b:?} {c:?}: {e}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Those failures were Maven's: `ComparableVersion` itself orders `:` < `-M0` < `-` < `:`
/// and `0` < `a` < `0-M0` < `0` (a string item sorts below a number, a milestone below its
/// release). tekigo reproduces Maven rather than inventing an order Maven does not have; the
/// cycles need versions no artifact publishes (a leading separator, a bare word beside
/// numbers), and `maven_is_a_total_order` holds on the versions artifacts have.
#[test]
fn maven_is_not_an_order_on_noise() {
    for cycle in [[":", "-M0", "-"], ["0", "a", "0-M0"]] {
        for i in 0..3 {
            let (a, b) = (cycle[i], cycle[(i + 1) % 3]);
            assert_eq!(ord(Ecosystem::Maven, a, b), Ordering::Less, "{a} < {b}");
        }
    }
}
