//! Vulnerability scans as suggested answers for defect management (62443-4-1 DM), security
//! update management (4-1 SUM) and the component inventory (62443-4-2 CR 7.8).
//!
//! Input: the findings of `tekigo vuln scan --format json` and, per finding, the triage
//! decision the project recorded (`vex/triage.yaml`). Like [`crate::scan_import`], the
//! suggestions are marked `origin: scan`, left in draft, cite the stored scan report (and
//! the triage file), and never replace a person's answer unless forced.
//!
//! # Rules
//!
//! Ages are counted in whole days up to the import date; `N` is
//! [`VulnRules::max_age_days`] (30 unless configured).
//!
//! - A finding is **serious** when its CVSS score is 7.0 or more, or its source labels it
//!   critical, high or important, or it is in the CISA KEV catalogue, or no source gives a
//!   severity at all (an unknown severity is not treated as low).
//! - A finding is **resolved** when triaged `not_affected` or `fixed`; **decided** when
//!   triaged `affected`, `not_affected` or `fixed`; **under investigation** when triaged so;
//!   **untriaged** without any record.
//! - Its **triage age**: for an untriaged finding, days since the advisory was first
//!   published (tekigo cannot know when the component entered the product, so the earliest
//!   moment the team could have known counts; a missing date counts as older than `N`); for
//!   a finding under investigation, days since that record was made. Recording
//!   `under_investigation` is how a team starts its own clock for an old advisory in a new
//!   component.
//!
//! Per requirement (the worst case decides):
//!
//! - **DM-2** (reviewing): overdue = untriaged with triage age over `N`.
//! - **DM-3** (assessing): overdue = untriaged or under investigation, triage age over `N`.
//!
//!   For both: any serious overdue finding → not satisfied, with a finding naming them; only
//!   non-serious ones overdue → partial; none → satisfied.
//! - **DM-4** (addressing) and **SUM-5** (timely delivery of security patches): a serious
//!   finding that is not resolved although its advisory names a fixed version and was
//!   published more than `N` days ago → not satisfied (a fix exists and has not reached the
//!   product); otherwise serious findings not resolved (no fix known yet, or fix newer than
//!   `N` days) → partial; none → satisfied.
//! - **CR 7.8** (component inventory): partial at best. The scan shows that a
//!   machine-readable inventory exists and identifies components precisely enough to match
//!   advisories; whether the component reports that inventory itself is for a person to
//!   confirm. Findings whose match needs review (imprecise component identity) are listed.
//!
//! Only the requirements of the assessment's own standard receive a suggestion (4-1: DM-2,
//! DM-3, DM-4, SUM-5; 4-2: CR 7.8).

use crate::assessment::{Answer, Assessment, EvidenceRef, Finding, Origin, Review, Status};
use crate::edit::requirement_id;
use crate::scan_import::ScanImportSummary;
use serde::Deserialize;
use tekigo_catalog::Catalog;
use time::Date;

/// The configurable part of the rules (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VulnRules {
    /// How many days a serious finding may stay untriaged or under investigation, and how
    /// long a published fix may stay out of the product.
    pub max_age_days: u32,
}

impl Default for VulnRules {
    fn default() -> Self {
        VulnRules { max_age_days: 30 }
    }
}

/// One element of `tekigo vuln scan --format json`, the fields the rules read.
#[derive(Debug, Clone, Deserialize)]
pub struct VulnFinding {
    pub vulnerability: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub component: String,
    pub version: String,
    #[serde(default)]
    pub severity: Option<SeverityIn>,
    #[serde(default)]
    pub kev: bool,
    #[serde(default)]
    pub fixed_version: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub needs_review: bool,
    /// The triage the scan itself applied (from `--vex` files), used when the project's
    /// triage file has no record.
    #[serde(default)]
    pub triage: Option<TriageIn>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeverityIn {
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TriageIn {
    pub state: String,
    #[serde(default)]
    pub timestamp: Option<String>,
}

/// A triage decision as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub state: TriageState,
    /// When the decision was recorded.
    pub date: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriageState {
    Affected,
    NotAffected,
    Fixed,
    UnderInvestigation,
}

impl TriageState {
    /// Reads the OpenVEX spelling (`not_affected`).
    pub fn from_name(s: &str) -> Option<TriageState> {
        Some(match s {
            "affected" => TriageState::Affected,
            "not_affected" => TriageState::NotAffected,
            "fixed" => TriageState::Fixed,
            "under_investigation" => TriageState::UnderInvestigation,
            _ => return None,
        })
    }
}

/// Parses the scan JSON (an array of findings), naming the line and column of an error and
/// the element and field of a bad value.
pub fn parse(bytes: &[u8]) -> Result<Vec<VulnFinding>, String> {
    let findings: Vec<VulnFinding> = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "line {} column {}: {e} (expected the JSON array of `tekigo vuln scan --format json`)",
            e.line(),
            e.column()
        )
    })?;
    for (i, f) in findings.iter().enumerate() {
        if let Some(t) = &f.triage {
            if TriageState::from_name(&t.state).is_none() {
                return Err(format!("[{i}].triage.state: unknown state {:?}", t.state));
            }
        }
        if let Some(p) = &f.published {
            if date_of(p).is_none() {
                return Err(format!("[{i}].published: {p:?} is not a date"));
            }
        }
    }
    Ok(findings)
}

/// The decision from the scan's own triage field, when it carries a date.
pub fn decision_in_scan(f: &VulnFinding) -> Option<Decision> {
    let t = f.triage.as_ref()?;
    Some(Decision {
        state: TriageState::from_name(&t.state)?,
        date: date_of(t.timestamp.as_deref()?)?,
    })
}

/// The date part of an RFC 3339 timestamp, an NVD timestamp without zone, or a plain date.
fn date_of(s: &str) -> Option<Date> {
    crate::parse_date(s.get(..10)?)
}

/// What the rules conclude about one finding.
struct Judged<'a> {
    f: &'a VulnFinding,
    serious: bool,
    decision: Option<Decision>,
    /// Days since publication (`None`: unknown).
    published_age: Option<i64>,
}

impl Judged<'_> {
    fn name(&self) -> String {
        let kev = if self.f.kev { ", KEV" } else { "" };
        let sev = match &self.f.severity {
            Some(SeverityIn { score: Some(s), .. }) => format!("CVSS {s:.1}"),
            Some(SeverityIn { label: Some(l), .. }) => l.to_ascii_lowercase(),
            _ => "severity unknown".to_string(),
        };
        format!(
            "{} in {} {} ({sev}{kev})",
            self.f.vulnerability, self.f.component, self.f.version
        )
    }

    fn state(&self) -> Option<TriageState> {
        self.decision.map(|d| d.state)
    }

    fn resolved(&self) -> bool {
        matches!(
            self.state(),
            Some(TriageState::NotAffected | TriageState::Fixed)
        )
    }

    /// Untriaged for longer than `n` days (unknown publication counts as longer).
    fn untriaged_overdue(&self, n: i64) -> bool {
        self.decision.is_none() && self.published_age.is_none_or(|age| age > n)
    }

    fn undecided_overdue(&self, n: i64, today: Date) -> bool {
        match self.decision {
            None => self.untriaged_overdue(n),
            Some(d) if d.state == TriageState::UnderInvestigation => {
                (today - d.date).whole_days() > n
            }
            Some(_) => false,
        }
    }

    fn fix_overdue(&self, n: i64) -> bool {
        !self.resolved()
            && self.f.fixed_version.is_some()
            && self.published_age.is_none_or(|age| age > n)
    }
}

fn serious(f: &VulnFinding) -> bool {
    if f.kev {
        return true;
    }
    match &f.severity {
        Some(SeverityIn { score: Some(s), .. }) => *s >= 7.0,
        Some(SeverityIn { label: Some(l), .. }) => matches!(
            l.to_ascii_uppercase().as_str(),
            "CRITICAL" | "HIGH" | "IMPORTANT"
        ),
        _ => true,
    }
}

/// The stored evidence every suggestion cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VulnEvidence {
    /// The scan JSON in the evidence store.
    pub scan_sha256: String,
    /// The triage file in the evidence store, when the project has one.
    pub triage: Option<EvidenceRef>,
}

/// How many names a finding lists before it says "and N more".
const LISTED: usize = 10;

fn names(items: &[&Judged]) -> String {
    let mut s = items
        .iter()
        .take(LISTED)
        .map(|j| j.name())
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > LISTED {
        s.push_str(&format!("; and {} more", items.len() - LISTED));
    }
    s
}

/// One requirement's verdict: status, the reason in one sentence, an optional finding.
struct Verdict {
    status: Status,
    check: &'static str,
    reason: String,
    finding: Option<Finding>,
}

/// Applies the rules of the module documentation. `decisions[i]` is the project's triage
/// decision for `findings[i]` (the caller looks it up by id, aliases and component).
#[allow(clippy::too_many_arguments)]
pub fn apply(
    catalog: &Catalog,
    a: &mut Assessment,
    findings: &[VulnFinding],
    decisions: &[Option<Decision>],
    stored: &VulnEvidence,
    rules: VulnRules,
    force: bool,
    today: Date,
) -> ScanImportSummary {
    let n = i64::from(rules.max_age_days);
    let judged: Vec<Judged> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| Judged {
            f,
            serious: serious(f),
            decision: decisions.get(i).copied().flatten(),
            published_age: f
                .published
                .as_deref()
                .and_then(date_of)
                .map(|d| (today - d).whole_days()),
        })
        .collect();
    let total = judged.len();
    let timeliness =
        |check: &'static str, what: &str, overdue: &dyn Fn(&Judged) -> bool| -> Verdict {
            let late: Vec<&Judged> = judged.iter().filter(|j| overdue(j)).collect();
            let late_serious: Vec<&Judged> = late.iter().copied().filter(|j| j.serious).collect();
            let (status, reason, finding) = if !late_serious.is_empty() {
                (
                    Status::NotSatisfied,
                    format!(
                        "{} of {total} findings are serious and not {what} within {n} days",
                        late_serious.len()
                    ),
                    Some(Finding {
                        issue: format!("Not {what} within {n} days: {}", names(&late_serious)),
                        impact: "Known serious vulnerabilities in shipped components are not \
                             handled in time."
                            .into(),
                        recommendation: format!(
                            "Triage them (tekigo vex set COMPONENT VULN --status ...) and keep \
                         triage within {n} days of publication."
                        ),
                        due: None,
                    }),
                )
            } else if !late.is_empty() {
                (
                    Status::Partial,
                    format!(
                    "no serious finding is late, but {} of {total} lower-severity findings are \
                     not {what} within {n} days: {}",
                    late.len(),
                    names(&late)
                ),
                    None,
                )
            } else {
                (
                    Status::Satisfied,
                    format!("all {total} findings {what} or within {n} days of publication"),
                    None,
                )
            };
            Verdict {
                status,
                check,
                reason,
                finding,
            }
        };
    let fixes = || -> Verdict {
        let late: Vec<&Judged> = judged
            .iter()
            .filter(|j| j.serious && j.fix_overdue(n))
            .collect();
        let open: Vec<&Judged> = judged
            .iter()
            .filter(|j| j.serious && !j.resolved())
            .collect();
        let (status, reason, finding) = if !late.is_empty() {
            (
                Status::NotSatisfied,
                format!(
                    "{} serious findings have a published fix older than {n} days that the \
                     product does not have",
                    late.len()
                ),
                Some(Finding {
                    issue: format!("Fix available for more than {n} days: {}", names(&late)),
                    impact: "Users stay exposed to vulnerabilities that upstream has fixed.".into(),
                    recommendation: "Ship the fixed versions in a security update, or record \
                                     why the product is not affected (tekigo vex set ... \
                                     --status not_affected --justification ...)."
                        .into(),
                    due: None,
                }),
            )
        } else if !open.is_empty() {
            (
                Status::Partial,
                format!(
                    "{} serious findings are not resolved yet (no fix known, or the fix is \
                     newer than {n} days): {}",
                    open.len(),
                    names(&open)
                ),
                None,
            )
        } else {
            (
                Status::Satisfied,
                format!("no serious finding is unresolved ({total} findings)"),
                None,
            )
        };
        Verdict {
            status,
            check: "vuln-scan: fixes delivered in time",
            reason,
            finding,
        }
    };
    let inventory = || -> Verdict {
        let vague: Vec<&Judged> = judged.iter().filter(|j| j.f.needs_review).collect();
        let mut reason = "the SBOM was matched against the advisory database, so a \
                          machine-readable component inventory exists; whether the component \
                          reports it itself must be confirmed by a person"
            .to_string();
        if !vague.is_empty() {
            reason.push_str(&format!(
                "; {} matches rest on an imprecise identity or range and need review: {}",
                vague.len(),
                names(&vague)
            ));
        }
        Verdict {
            status: Status::Partial,
            check: "vuln-scan: component inventory",
            reason,
            finding: None,
        }
    };
    let verdicts: Vec<(&str, Verdict)> = vec![
        (
            "DM-2",
            timeliness("vuln-scan: findings reviewed in time", "triaged", &|j| {
                j.untriaged_overdue(n)
            }),
        ),
        (
            "DM-3",
            timeliness("vuln-scan: findings assessed in time", "assessed", &|j| {
                j.undecided_overdue(n, today)
            }),
        ),
        ("DM-4", fixes()),
        ("SUM-5", fixes()),
        ("CR 7.8", inventory()),
    ];
    let mut summary = ScanImportSummary::default();
    for (req, v) in verdicts {
        // Requirements of other standards are not this assessment's business.
        let Some((standard, _)) = catalog.find(req) else {
            continue;
        };
        if standard.info.id != a.standard {
            continue;
        }
        let id = match requirement_id(catalog, a, req) {
            Ok(id) => id,
            Err(e) => {
                summary.skipped.push((req.to_string(), e.message));
                continue;
            }
        };
        if a.answers
            .get(&id)
            .is_some_and(|existing| existing.origin != Origin::Scan && !force)
        {
            summary.kept.push(id);
            continue;
        }
        let mut evidence = vec![EvidenceRef::Scan {
            check: v.check.to_string(),
            verdict: match v.status {
                Status::Satisfied => "pass",
                Status::Partial => "partial",
                _ => "fail",
            }
            .to_string(),
            sha256: stored.scan_sha256.clone(),
            details: vec![format!(
                "{total} findings, rules: serious = CVSS >= 7.0, KEV or unknown; N = {n} days"
            )],
        }];
        evidence.extend(stored.triage.clone());
        a.answers.insert(
            id.clone(),
            Answer {
                status: v.status,
                reason: format!("Suggested by vulnerability scan: {}", v.reason),
                countermeasure: None,
                maturity: None,
                method: None,
                evidence,
                assessor: Some("tekigo vuln scan".into()),
                date: format!("{today}"),
                review: Review::Draft,
                reviewer: None,
                origin: Origin::Scan,
                findings: v.finding.into_iter().collect(),
                inherited: None,
                owner: None,
                deferred_to: None,
                components: Vec::new(),
            },
        );
        summary.suggested.push(id);
    }
    summary
}
