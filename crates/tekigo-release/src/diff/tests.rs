//! The classification against a plain reading of the rule table, over random diffs.

use super::*;
use proptest::prelude::*;

/// The module docs' table read plainly: re-assess when a level went down, an answer that
/// met its requirement no longer does, or a scan check newly fails; notify when anything
/// else about answers, levels, scan findings, components or vulnerability findings and
/// their triage changed; otherwise no security impact. Upgrades and fixed vulnerabilities
/// alone never raise the verdict.
fn plain(d: &Diff) -> Verdict {
    let lowered = d.levels.iter().any(|l| !l.lowered.is_empty());
    let weakened = d.answers.iter().any(|a| a.weakened);
    if lowered || weakened || !d.scan.new_failures.is_empty() {
        return Verdict::ReAssess;
    }
    let notify = !d.answers.is_empty()
        || d.levels.iter().any(|l| !l.raised.is_empty())
        || !d.scan.fixed_failures.is_empty()
        || !d.sbom.added.is_empty()
        || !d.sbom.removed.is_empty()
        || d.vulnerabilities.new.iter().any(|v| v.open)
        || !d.vulnerabilities.retriaged.is_empty();
    if notify {
        Verdict::NotifyCertificationBody
    } else {
        Verdict::NoSecurityImpact
    }
}

fn answer(weakened: bool, req: u8) -> AnswerChange {
    AnswerChange {
        assessment: "A".into(),
        requirement: format!("CR {req}.1"),
        before: None,
        after: None,
        changed: vec!["status"],
        weakened,
    }
}

fn level(lowered: bool, raised: bool) -> LevelChange {
    LevelChange {
        assessment: "A".into(),
        standard: "62443-4-2".into(),
        before: None,
        after: None,
        lowered: if lowered { vec!["IAC".into()] } else { vec![] },
        raised: if raised { vec!["UC".into()] } else { vec![] },
    }
}

fn check(n: u8) -> CheckChange {
    CheckChange {
        check: format!("c{n}"),
        before: None,
        after: None,
        requirements: vec![format!("CR {n}.2")],
    }
}

fn vuln(open: bool) -> crate::FrozenVulnerability {
    crate::FrozenVulnerability {
        vulnerability: "CVE-1".into(),
        aliases: vec![],
        component: "pkg:deb/debian/x@1".into(),
        kev: false,
        triage: None,
        open,
    }
}

fn comp() -> ComponentVersion {
    ComponentVersion {
        component: "x".into(),
        version: "1".into(),
    }
}

prop_compose! {
    fn diffs()(
        answers in proptest::collection::vec((any::<bool>(), 1u8..8), 0..3),
        levels in proptest::collection::vec((any::<bool>(), any::<bool>()), 0..2),
        new_fail in 0usize..2, fixed_fail in 0usize..2,
        added in 0usize..2, removed in 0usize..2, upgraded in 0usize..2,
        new_vulns in proptest::collection::vec(any::<bool>(), 0..2),
        fixed_vulns in 0usize..2, retriaged in 0usize..2,
    ) -> Diff {
        let mut d = Diff {
            from: "1".into(),
            to: "2".into(),
            answers: answers.into_iter().map(|(w, r)| answer(w, r)).collect(),
            levels: levels.into_iter().map(|(l, r)| level(l, r)).collect(),
            evidence: Sets::default(),
            sbom: SbomDiff {
                added: vec![comp(); added],
                removed: vec![comp(); removed],
                upgraded: vec![VersionChange { component: "y".into(), from: "1".into(), to: "2".into(), direction: "upgrade" }; upgraded],
            },
            scan: ScanDiff {
                compared: true,
                new_failures: (0..new_fail as u8).map(check).collect(),
                fixed_failures: (0..fixed_fail as u8).map(check).collect(),
            },
            vulnerabilities: VulnDiff {
                compared: true,
                new: new_vulns.into_iter().map(vuln).collect(),
                fixed: vec![vuln(true); fixed_vulns],
                retriaged: vec![Retriaged { vulnerability: "CVE-2".into(), component: "x".into(), before: None, after: Some("not_affected".into()) }; retriaged],
            },
            classification: Classification { verdict: Verdict::NoSecurityImpact, decided_by: vec![], rules: vec![] },
        };
        d.classification = classify(&d, Lang::En);
        d
    }
}

proptest! {
    #[test]
    fn verdict_is_the_plain_reading_of_the_table(d in diffs()) {
        prop_assert_eq!(d.classification.verdict, plain(&d));
        // Every rule that decided is in the table with its own verdict, and the verdict is
        // the strongest of them.
        for f in &d.classification.decided_by {
            let r = RULES.iter().find(|r| r.id == f.rule).unwrap();
            prop_assert_eq!(r.verdict, f.verdict);
        }
        // The requirements of weakened answers are named by R2, those of new scan
        // failures by R3.
        let r2: Vec<String> = d.answers.iter().filter(|a| a.weakened).map(|a| a.requirement.clone()).collect();
        if let Some(f) = d.classification.decided_by.iter().find(|f| f.rule == "R2") {
            for r in &r2 {
                prop_assert!(f.requirements.contains(r));
            }
        } else {
            prop_assert!(r2.is_empty());
        }
        if !d.scan.new_failures.is_empty() {
            let f = d.classification.decided_by.iter().find(|f| f.rule == "R3").unwrap();
            for c in &d.scan.new_failures {
                prop_assert!(f.requirements.contains(&c.requirements[0]));
            }
        }
    }
}

#[test]
fn every_rule_has_both_languages() {
    for r in RULES {
        let key = format!("rule.{}", r.id);
        assert_ne!(text(Lang::En, &key), key);
        assert_ne!(text(Lang::Ja, &key), key);
    }
}

#[test]
fn a_lost_level_and_a_weakened_answer_are_seen_in_the_levels() {
    let l = |v: [u8; 7], ml| Levels {
        target: None,
        achieved: Some(v),
        projected: None,
        with_compensating: None,
        target_ml: None,
        achieved_ml: ml,
    };
    let (lowered, raised) = level_moves(
        Some(&l([2; 7], None)),
        Some(&l([2, 1, 2, 2, 2, 2, 3], None)),
    );
    assert_eq!(lowered, vec!["UC"]);
    assert_eq!(raised, vec!["RA"]);
    let (lowered, _) = level_moves(Some(&l([0; 7], Some(2))), None);
    assert_eq!(lowered, vec!["ML"]);
}
