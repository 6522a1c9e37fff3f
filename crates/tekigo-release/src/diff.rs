//! What changed between two frozen releases, and what that means for the certificate.
//!
//! [`diff`] compares answers (per assessment and requirement), levels, cited evidence, the
//! SBOMs' components (identified by PURL type, namespace, name and `arch`, else by group and
//! name), the scan reports' findings by check id (`Report::diff`: a finding is a `fail` or
//! `absent` verdict) and the vulnerability findings (identified by vulnerability id and
//! component without its version, so a finding that an upgrade removed is *fixed*).
//!
//! ## The classification rules, stated once
//!
//! Every rule that holds is reported with the requirements it concerns; the verdict is the
//! strongest one among them (`re-assess` > `notify-certification-body` >
//! `no-security-impact`).
//!
//! | Rule | Verdict | Holds when |
//! |------|---------|------------|
//! | `R1` | re-assess | A claimed level of an assessment went down: an FR of the claimed vector (SL-C of a 4-2 component, SL-A of a 3-3 system) or the claimed maturity level. |
//! | `R2` | re-assess | An answer that met its requirement (satisfied, not applicable, compensating) no longer does (another status, or no answer), or its maturity level went down. |
//! | `R3` | re-assess | A scan check that was not a finding in the earlier release is one now (new `fail` or `absent`). |
//! | `N1` | notify-certification-body | Any other change of an answer: status, maturity, reason, countermeasure, evidence, origin or review. |
//! | `N2` | notify-certification-body | A claimed level went up (the certificate keeps the earlier level until an assessment confirms the new one). |
//! | `N3` | notify-certification-body | A scan finding of the earlier release is fixed. |
//! | `N4` | notify-certification-body | The SBOM gained or lost components. |
//! | `N5` | notify-certification-body | A vulnerability finding is new and open (not triaged `not_affected` or `fixed`). |
//! | `N6` | notify-certification-body | A vulnerability finding present in both releases was triaged differently. |
//! | `S1` | no-security-impact | Always reported: the component upgrades and fixed vulnerabilities, which alone need no one else's attention. |
//!
//! The rules read only the [`Diff`]; a test recomputes the verdict from it by the plain
//! reading of this table.

use crate::{Levels, Release, ReleaseError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tekigo_assess::{Answer, Status};
use tekigo_catalog::Lang;

/// What the change means for the certificate, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    NoSecurityImpact,
    NotifyCertificationBody,
    ReAssess,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoSecurityImpact => "no-security-impact",
            Verdict::NotifyCertificationBody => "notify-certification-body",
            Verdict::ReAssess => "re-assess",
        }
    }
}

/// One row of the rule table (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub verdict: Verdict,
}

/// The rule table, in the order of the module docs.
pub const RULES: [Rule; 10] = [
    Rule {
        id: "R1",
        verdict: Verdict::ReAssess,
    },
    Rule {
        id: "R2",
        verdict: Verdict::ReAssess,
    },
    Rule {
        id: "R3",
        verdict: Verdict::ReAssess,
    },
    Rule {
        id: "N1",
        verdict: Verdict::NotifyCertificationBody,
    },
    Rule {
        id: "N2",
        verdict: Verdict::NotifyCertificationBody,
    },
    Rule {
        id: "N3",
        verdict: Verdict::NotifyCertificationBody,
    },
    Rule {
        id: "N4",
        verdict: Verdict::NotifyCertificationBody,
    },
    Rule {
        id: "N5",
        verdict: Verdict::NotifyCertificationBody,
    },
    Rule {
        id: "N6",
        verdict: Verdict::NotifyCertificationBody,
    },
    Rule {
        id: "S1",
        verdict: Verdict::NoSecurityImpact,
    },
];

const LABELS: &str = include_str!("../i18n/labels.yaml");

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    en: String,
    ja: String,
}

/// The wording of a rule or label in `lang` (`i18n/labels.yaml`).
pub fn text(lang: Lang, key: &str) -> String {
    static TABLE: std::sync::OnceLock<BTreeMap<String, Entry>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| serde_norway::from_str(LABELS).unwrap_or_default());
    match (table.get(key), lang) {
        (Some(e), Lang::En) => e.en.clone(),
        (Some(e), Lang::Ja) => e.ja.clone(),
        (None, _) => key.to_string(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub from: String,
    pub to: String,
    /// Every requirement whose answer changed, per assessment.
    pub answers: Vec<AnswerChange>,
    pub levels: Vec<LevelChange>,
    pub evidence: Sets,
    pub sbom: SbomDiff,
    pub scan: ScanDiff,
    pub vulnerabilities: VulnDiff,
    pub classification: Classification,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerChange {
    pub assessment: String,
    pub requirement: String,
    pub before: Option<AnswerSide>,
    pub after: Option<AnswerSide>,
    /// The fields that differ (`status`, `maturity`, `reason`, `countermeasure`,
    /// `evidence`, `origin`, `review`; `answer` when one side has none).
    pub changed: Vec<&'static str>,
    /// It met its requirement before and no longer does (rule R2).
    pub weakened: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerSide {
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maturity: Option<u8>,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelChange {
    pub assessment: String,
    pub standard: String,
    pub before: Option<Levels>,
    pub after: Option<Levels>,
    /// FR abbreviations (`IAC` ...) or `ML` whose claimed level went down.
    pub lowered: Vec<String>,
    pub raised: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Sets {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SbomDiff {
    pub added: Vec<ComponentVersion>,
    pub removed: Vec<ComponentVersion>,
    pub upgraded: Vec<VersionChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ComponentVersion {
    pub component: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionChange {
    pub component: String,
    pub from: String,
    pub to: String,
    /// `upgrade` or `downgrade` by the ecosystem's version rules, `changed` when they cannot
    /// tell (several versions of one component, or no known ecosystem).
    pub direction: &'static str,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanDiff {
    /// False when either release has no scan report.
    pub compared: bool,
    pub new_failures: Vec<CheckChange>,
    pub fixed_failures: Vec<CheckChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckChange {
    pub check: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub requirements: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VulnDiff {
    /// False when either release was frozen without an advisory database.
    pub compared: bool,
    pub new: Vec<crate::FrozenVulnerability>,
    pub fixed: Vec<crate::FrozenVulnerability>,
    pub retriaged: Vec<Retriaged>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Retriaged {
    pub vulnerability: String,
    pub component: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    pub verdict: Verdict,
    /// The rules that hold, each with what it concerns.
    pub decided_by: Vec<Fired>,
    /// The whole rule table, as the module docs state it.
    pub rules: Vec<RuleText>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fired {
    pub rule: &'static str,
    pub verdict: Verdict,
    pub statement: String,
    /// Catalog ids of the requirements concerned.
    pub requirements: Vec<String>,
    /// What else it concerns (components, vulnerabilities, FRs), as text.
    pub subjects: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleText {
    pub rule: &'static str,
    pub verdict: Verdict,
    pub statement: String,
}

/// Compares two releases of the project in `root`.
pub fn diff(root: &Path, old: &Release, new: &Release, lang: Lang) -> Result<Diff, ReleaseError> {
    let (answers, levels) = compare_assessments(old, new);
    let evidence = {
        let a: BTreeSet<&str> = old.evidence.iter().map(|e| e.sha256.as_str()).collect();
        let b: BTreeSet<&str> = new.evidence.iter().map(|e| e.sha256.as_str()).collect();
        Sets {
            added: b.difference(&a).map(|s| s.to_string()).collect(),
            removed: a.difference(&b).map(|s| s.to_string()).collect(),
        }
    };
    let sbom = compare_sboms(&crate::sboms(root, old)?, &crate::sboms(root, new)?);
    let scan = match (crate::scan(root, old)?, crate::scan(root, new)?) {
        (Some(a), Some(b)) => compare_scans(&a, &b),
        _ => ScanDiff::default(),
    };
    let vulnerabilities = match (&old.vulnerabilities, &new.vulnerabilities) {
        (Some(a), Some(b)) => compare_vulns(a, b),
        _ => VulnDiff::default(),
    };
    let mut d = Diff {
        from: old.version.clone(),
        to: new.version.clone(),
        answers,
        levels,
        evidence,
        sbom,
        scan,
        vulnerabilities,
        classification: Classification {
            verdict: Verdict::NoSecurityImpact,
            decided_by: Vec::new(),
            rules: Vec::new(),
        },
    };
    d.classification = classify(&d, lang);
    Ok(d)
}

/// Statuses that meet a requirement in some vector (rule R2).
fn meets(s: Status) -> bool {
    matches!(
        s,
        Status::Satisfied | Status::NotApplicable | Status::Compensating
    )
}

fn side(a: &Answer) -> AnswerSide {
    let mut evidence: Vec<String> = a
        .evidence
        .iter()
        .map(|e| match e {
            tekigo_assess::EvidenceRef::File { sha256, .. } => sha256.clone(),
            tekigo_assess::EvidenceRef::Url { url } => url.clone(),
            tekigo_assess::EvidenceRef::Scan { check, sha256, .. } => format!("{check}@{sha256}"),
        })
        .collect();
    evidence.sort();
    AnswerSide {
        status: a.status,
        maturity: a.maturity,
        evidence,
    }
}

fn compare_assessments(old: &Release, new: &Release) -> (Vec<AnswerChange>, Vec<LevelChange>) {
    let ids: BTreeSet<&str> = old
        .assessments
        .iter()
        .chain(&new.assessments)
        .map(|a| a.id.as_str())
        .collect();
    let mut answers = Vec::new();
    let mut levels = Vec::new();
    for id in ids {
        let a = old.assessments.iter().find(|x| x.id == id);
        let b = new.assessments.iter().find(|x| x.id == id);
        let empty = BTreeMap::new();
        let aa = a.map_or(&empty, |x| &x.answers);
        let ba = b.map_or(&empty, |x| &x.answers);
        let reqs: BTreeSet<&String> = aa.keys().chain(ba.keys()).collect();
        for req in reqs {
            let (x, y) = (aa.get(req), ba.get(req));
            let changed = changed_fields(x, y);
            if changed.is_empty() {
                continue;
            }
            let weakened = match (x, y) {
                (Some(x), y) => {
                    (meets(x.status) && y.is_none_or(|y| !meets(y.status)))
                        || match (x.maturity, y.and_then(|y| y.maturity)) {
                            (Some(m), Some(n)) => n < m,
                            (Some(m), None) => m > 0,
                            _ => false,
                        }
                }
                (None, _) => false,
            };
            answers.push(AnswerChange {
                assessment: id.to_string(),
                requirement: req.clone(),
                before: x.map(side),
                after: y.map(side),
                changed,
                weakened,
            });
        }
        let (la, lb) = (a.map(|x| &x.levels), b.map(|x| &x.levels));
        let (lowered, raised) = level_moves(la, lb);
        if la != lb {
            levels.push(LevelChange {
                assessment: id.to_string(),
                standard: b.or(a).map(|x| x.standard.clone()).unwrap_or_default(),
                before: la.cloned(),
                after: lb.cloned(),
                lowered,
                raised,
            });
        }
    }
    (answers, levels)
}

fn changed_fields(x: Option<&Answer>, y: Option<&Answer>) -> Vec<&'static str> {
    let (x, y) = match (x, y) {
        (Some(x), Some(y)) => (x, y),
        (None, None) => return Vec::new(),
        _ => return vec!["answer"],
    };
    let mut out = Vec::new();
    if x.status != y.status {
        out.push("status");
    }
    if x.maturity != y.maturity {
        out.push("maturity");
    }
    if x.reason != y.reason {
        out.push("reason");
    }
    if x.countermeasure != y.countermeasure {
        out.push("countermeasure");
    }
    if side(x).evidence != side(y).evidence {
        out.push("evidence");
    }
    if x.origin != y.origin {
        out.push("origin");
    }
    if x.review != y.review {
        out.push("review");
    }
    out
}

const FRS: [&str; 7] = ["IAC", "UC", "SI", "DC", "RDF", "TRE", "RA"];

/// The FRs (and `ML`) whose claimed level went down and up. A side without an assessment
/// claims nothing (level 0).
fn level_moves(a: Option<&Levels>, b: Option<&Levels>) -> (Vec<String>, Vec<String>) {
    let vec = |l: Option<&Levels>| l.and_then(|l| l.achieved).unwrap_or([0; 7]);
    let ml = |l: Option<&Levels>| l.and_then(|l| l.achieved_ml).unwrap_or(0);
    let (va, vb) = (vec(a), vec(b));
    let mut lowered = Vec::new();
    let mut raised = Vec::new();
    for (i, fr) in FRS.iter().enumerate() {
        if vb[i] < va[i] {
            lowered.push(fr.to_string());
        } else if vb[i] > va[i] {
            raised.push(fr.to_string());
        }
    }
    if ml(b) < ml(a) {
        lowered.push("ML".into());
    } else if ml(b) > ml(a) {
        raised.push("ML".into());
    }
    (lowered, raised)
}

/// A component's identity across releases (see the module docs) and its label.
fn identity(c: &tekigo_sbom::Component) -> (String, Option<String>) {
    match &c.purl {
        Some(p) => {
            let mut key = format!("pkg:{}/", p.ty);
            if let Some(ns) = &p.namespace {
                key.push_str(ns);
                key.push('/');
            }
            key.push_str(&p.name);
            if let Some((_, arch)) = p.qualifiers.iter().find(|(k, _)| k == "arch") {
                key.push_str("?arch=");
                key.push_str(arch);
            }
            (key, Some(p.ty.clone()))
        }
        None => match &c.group {
            Some(g) => (format!("{g}/{}", c.name), None),
            None => (c.name.clone(), None),
        },
    }
}

fn versions(sboms: &[tekigo_sbom::Sbom]) -> BTreeMap<String, (BTreeSet<String>, Option<String>)> {
    let mut out: BTreeMap<String, (BTreeSet<String>, Option<String>)> = BTreeMap::new();
    for c in sboms.iter().flat_map(|s| &s.components) {
        let (key, ty) = identity(c);
        let version = c
            .purl
            .as_ref()
            .and_then(|p| p.version.clone())
            .or_else(|| c.version.clone())
            .unwrap_or_default();
        let e = out.entry(key).or_default();
        e.0.insert(version);
        e.1 = e.1.take().or(ty);
    }
    out
}

fn compare_sboms(old: &[tekigo_sbom::Sbom], new: &[tekigo_sbom::Sbom]) -> SbomDiff {
    let (a, b) = (versions(old), versions(new));
    let mut d = SbomDiff::default();
    let list = |key: &str, vs: &BTreeSet<String>| {
        vs.iter()
            .map(|v| ComponentVersion {
                component: key.to_string(),
                version: v.clone(),
            })
            .collect::<Vec<_>>()
    };
    for (key, (va, ty)) in &a {
        match b.get(key) {
            None => d.removed.extend(list(key, va)),
            Some((vb, _)) if vb != va => {
                let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
                let direction = match (va.len(), vb.len(), ty) {
                    (1, 1, Some(ty)) => direction(ty, join(va).as_str(), join(vb).as_str()),
                    _ => "changed",
                };
                d.upgraded.push(VersionChange {
                    component: key.clone(),
                    from: join(va),
                    to: join(vb),
                    direction,
                });
            }
            Some(_) => {}
        }
    }
    for (key, (vb, _)) in &b {
        if !a.contains_key(key) {
            d.added.extend(list(key, vb));
        }
    }
    d
}

fn direction(purl_type: &str, from: &str, to: &str) -> &'static str {
    let Some(eco) = tekigo_versions::Ecosystem::from_purl_type(purl_type) else {
        return "changed";
    };
    match tekigo_versions::compare(eco, to, from) {
        Ok(c) if c.exact_rules && c.ordering.is_gt() => "upgrade",
        Ok(c) if c.exact_rules && c.ordering.is_lt() => "downgrade",
        _ => "changed",
    }
}

fn compare_scans(old: &tekigo_verdict::Report, new: &tekigo_verdict::Report) -> ScanDiff {
    let d = new.diff(old);
    let find = |r: &tekigo_verdict::Report, check: &str| {
        r.results.iter().find(|c| c.check == check).cloned()
    };
    let change = |check: &String, main: &tekigo_verdict::Report| {
        let before = find(old, check);
        let after = find(new, check);
        CheckChange {
            check: check.clone(),
            before: before.as_ref().map(|c| c.verdict.as_str().to_string()),
            after: after.as_ref().map(|c| c.verdict.as_str().to_string()),
            requirements: find(main, check)
                .map(|c| c.requirements)
                .unwrap_or_default(),
        }
    };
    ScanDiff {
        compared: true,
        new_failures: d.new.iter().map(|c| change(c, new)).collect(),
        fixed_failures: d.fixed.iter().map(|c| change(c, old)).collect(),
    }
}

/// The component of a finding without its version (see the module docs).
fn unversioned(component: &str) -> &str {
    component.split('@').next().unwrap_or(component)
}

fn compare_vulns(
    old: &[crate::FrozenVulnerability],
    new: &[crate::FrozenVulnerability],
) -> VulnDiff {
    let key = |v: &crate::FrozenVulnerability| {
        (
            v.vulnerability.clone(),
            unversioned(&v.component).to_string(),
        )
    };
    let a: BTreeMap<_, _> = old.iter().map(|v| (key(v), v)).collect();
    let b: BTreeMap<_, _> = new.iter().map(|v| (key(v), v)).collect();
    let mut d = VulnDiff {
        compared: true,
        ..Default::default()
    };
    for (k, v) in &b {
        match a.get(k) {
            None => d.new.push((*v).clone()),
            Some(o) if o.triage != v.triage => d.retriaged.push(Retriaged {
                vulnerability: v.vulnerability.clone(),
                component: v.component.clone(),
                before: o.triage.clone(),
                after: v.triage.clone(),
            }),
            Some(_) => {}
        }
    }
    for (k, v) in &a {
        if !b.contains_key(k) {
            d.fixed.push((*v).clone());
        }
    }
    d
}

fn sorted(v: impl IntoIterator<Item = String>) -> Vec<String> {
    v.into_iter().collect::<BTreeSet<_>>().into_iter().collect()
}

/// Applies the rule table to a diff (see the module docs).
pub fn classify(d: &Diff, lang: Lang) -> Classification {
    let mut fired = Vec::new();
    for rule in RULES {
        let (requirements, subjects): (Vec<String>, Vec<String>) = match rule.id {
            "R1" => {
                let lowered: Vec<&LevelChange> =
                    d.levels.iter().filter(|l| !l.lowered.is_empty()).collect();
                if lowered.is_empty() {
                    continue;
                }
                let reqs = d
                    .answers
                    .iter()
                    .filter(|a| lowered.iter().any(|l| l.assessment == a.assessment))
                    .filter(|a| a.weakened)
                    .map(|a| a.requirement.clone());
                let subjects = lowered
                    .iter()
                    .map(|l| format!("{}: {}", l.assessment, l.lowered.join(" ")));
                (sorted(reqs), subjects.collect())
            }
            "R2" => {
                let reqs: Vec<String> = d
                    .answers
                    .iter()
                    .filter(|a| a.weakened)
                    .map(|a| a.requirement.clone())
                    .collect();
                if reqs.is_empty() {
                    continue;
                }
                (sorted(reqs), Vec::new())
            }
            "R3" => {
                if d.scan.new_failures.is_empty() {
                    continue;
                }
                checks(&d.scan.new_failures)
            }
            "N1" => {
                let reqs: Vec<String> = d
                    .answers
                    .iter()
                    .filter(|a| !a.weakened)
                    .map(|a| a.requirement.clone())
                    .collect();
                if reqs.is_empty() {
                    continue;
                }
                (sorted(reqs), Vec::new())
            }
            "N2" => {
                let raised: Vec<String> = d
                    .levels
                    .iter()
                    .filter(|l| !l.raised.is_empty())
                    .map(|l| format!("{}: {}", l.assessment, l.raised.join(" ")))
                    .collect();
                if raised.is_empty() {
                    continue;
                }
                (Vec::new(), raised)
            }
            "N3" => {
                if d.scan.fixed_failures.is_empty() {
                    continue;
                }
                checks(&d.scan.fixed_failures)
            }
            "N4" => {
                if d.sbom.added.is_empty() && d.sbom.removed.is_empty() {
                    continue;
                }
                let subjects = d
                    .sbom
                    .added
                    .iter()
                    .map(|c| format!("+ {}@{}", c.component, c.version))
                    .chain(
                        d.sbom
                            .removed
                            .iter()
                            .map(|c| format!("- {}@{}", c.component, c.version)),
                    );
                (Vec::new(), subjects.collect())
            }
            "N5" => {
                let open: Vec<String> = d
                    .vulnerabilities
                    .new
                    .iter()
                    .filter(|v| v.open)
                    .map(|v| format!("{} {}", v.vulnerability, v.component))
                    .collect();
                if open.is_empty() {
                    continue;
                }
                (Vec::new(), open)
            }
            "N6" => {
                if d.vulnerabilities.retriaged.is_empty() {
                    continue;
                }
                let s = d.vulnerabilities.retriaged.iter().map(|r| {
                    format!(
                        "{} {}: {} -> {}",
                        r.vulnerability,
                        r.component,
                        r.before.as_deref().unwrap_or("-"),
                        r.after.as_deref().unwrap_or("-")
                    )
                });
                (Vec::new(), s.collect())
            }
            _ => {
                let s = d
                    .sbom
                    .upgraded
                    .iter()
                    .map(|u| format!("{} {} -> {}", u.component, u.from, u.to))
                    .chain(
                        d.vulnerabilities
                            .fixed
                            .iter()
                            .map(|v| format!("{} {}", v.vulnerability, v.component)),
                    );
                (Vec::new(), s.collect())
            }
        };
        fired.push(Fired {
            rule: rule.id,
            verdict: rule.verdict,
            statement: text(lang, &format!("rule.{}", rule.id)),
            requirements,
            subjects,
        });
    }
    Classification {
        verdict: fired
            .iter()
            .map(|f| f.verdict)
            .max()
            .unwrap_or(Verdict::NoSecurityImpact),
        decided_by: fired,
        rules: RULES
            .iter()
            .map(|r| RuleText {
                rule: r.id,
                verdict: r.verdict,
                statement: text(lang, &format!("rule.{}", r.id)),
            })
            .collect(),
    }
}

fn checks(list: &[CheckChange]) -> (Vec<String>, Vec<String>) {
    (
        sorted(list.iter().flat_map(|c| c.requirements.iter().cloned())),
        list.iter().map(|c| c.check.clone()).collect(),
    )
}

#[cfg(test)]
mod tests;
