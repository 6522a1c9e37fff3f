//! An SBOM matched against the advisory database, with the project's triage applied.
//!
//! `tekigo vuln scan` and the web application (`tekigo serve`) show the same findings:
//! both build them here, so a finding's fields, its triage and its severity level cannot
//! differ between the two. [`FindingRow`] serialises to the JSON rows of
//! `tekigo vuln scan --format json`, which other tools read.
//!
//! Each row has a [`FindingState`]: what tekigo suggests, which a person's triage overrules.
//! The rule, stated once:
//!
//! - `unknown` when the match itself needs review (a version that cannot be placed, a
//!   platform condition the SBOM does not confirm).
//! - For a kernel finding whose record lists the files its fix touched (`programFiles`),
//!   when a kernel configuration and source tree are given ([`Kernel`]): `not_affected` with
//!   the justification `vulnerable_code_not_present` when tekigo-kconfig finds every one of
//!   those files not built, with the deciding Makefile and `.config` lines as evidence;
//!   `affected` when one is built (its lines as evidence); `unknown` otherwise, with the
//!   reason. Nothing is dropped: a `not_affected` finding is still a row.
//! - `affected` in every other case.

use serde::Serialize;
use std::sync::Mutex;
use tekigo_kconfig::{Config, Decision, Line, Tree};
use tekigo_sbom::{Component, Sbom};
use tekigo_vex::{ComponentRef, Record, State, Triage};
use tekigo_vulndb::{Db, DbError, Explanation, PurlInfo, Query, SourceMatch};

/// The query for one SBOM component: PURL fields as parsed by tekigo-sbom, CPEs as stated,
/// and the source package the SBOM gives (which distribution advisories are keyed by).
pub fn query_of(c: &Component) -> Query {
    let purl = c.purl.as_ref().map(|p| PurlInfo {
        ty: p.ty.clone(),
        namespace: p.namespace.clone(),
        name: p.name.clone(),
        version: p.version.clone(),
        qualifiers: p.qualifiers.clone(),
    });
    let version = purl
        .as_ref()
        .and_then(PurlInfo::full_version)
        .or_else(|| c.version.clone());
    let label = match (&c.purl, &c.version) {
        (Some(p), _) => p.original.clone(),
        (None, Some(v)) => format!("{}@{v}", c.name),
        (None, None) => c.name.clone(),
    };
    Query {
        label,
        name: c.name.clone(),
        version,
        purl,
        cpes: c.cpes.clone(),
        supplier: c.supplier.clone(),
        source: c.source.clone(),
    }
}

/// One finding as JSON consumers see it (the field names and shapes are an interface:
/// `tekigo vuln scan --format json` prints a list of these).
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub vulnerability: String,
    pub aliases: Vec<String>,
    pub source: String,
    pub component: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub severity: Option<SeverityOut>,
    pub kev: bool,
    pub kev_date_added: Option<String>,
    pub kev_due_date: Option<String>,
    pub kev_ransomware: Option<String>,
    pub fixed_version: Option<String>,
    /// When the first source published it (the age of an untriaged finding counts from here).
    pub published: Option<String>,
    pub triage: Option<TriageOut>,
    /// What tekigo suggests (see the crate docs); a person's `triage` overrules it.
    pub state: FindingState,
    /// `vulnerable_code_not_present` when `state` is `not_affected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The Kbuild and `.config` lines that decided `state`, when the kernel configuration
    /// did.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Line>,
    /// Why `state` is `unknown`, when the kernel configuration could not tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    pub needs_review: bool,
    pub explanation: Explanation,
    /// Every advisory (OSV, NVD, CSAF) that reported this vulnerability for the component.
    pub sources: Vec<SourceMatch>,
    /// The component as a triage record names it, so that a decision can be recorded for
    /// this finding (not part of the JSON interface).
    #[serde(skip)]
    pub component_ref: ComponentRef,
    /// The triage record that applies (matched by id or alias), whose key a change of the
    /// decision must address (not part of the JSON interface).
    #[serde(skip)]
    pub decision: Option<Record>,
}

/// What tekigo suggests about a finding (the rule is in the crate docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    Affected,
    NotAffected,
    Unknown,
}

/// The device kernel's configuration and the source tree it was built from: what decides
/// whether the files a kernel CVE's fix touched are built.
pub struct Kernel {
    pub config: Config,
    tree: Mutex<Tree>,
}

impl Kernel {
    pub fn new(config: Config, tree: Tree) -> Kernel {
        Kernel {
            config,
            tree: Mutex::new(tree),
        }
    }

    /// The state of a finding whose fix touched `files` (see the crate docs), with the
    /// deciding lines and, when unknown, why.
    pub fn decide(&self, files: &[String]) -> (FindingState, Vec<Line>, Option<String>) {
        let mut tree = match self.tree.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut not_built = Vec::new();
        let mut unknown = None;
        for file in files {
            match tree.decide(&self.config, file) {
                Ok(Decision::Built { evidence }) => {
                    return (FindingState::Affected, evidence, None);
                }
                Ok(Decision::NotBuilt { evidence }) => {
                    // Two files of one directory cite the same gate once.
                    for line in evidence {
                        if !not_built.contains(&line) {
                            not_built.push(line);
                        }
                    }
                }
                Ok(Decision::Unknown { reason }) => {
                    unknown.get_or_insert(format!("{file}: {reason}"));
                }
                Err(e) => {
                    unknown.get_or_insert(e.to_string());
                }
            }
        }
        match unknown {
            Some(reason) => (FindingState::Unknown, Vec::new(), Some(reason)),
            None => (FindingState::NotAffected, not_built, None),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SeverityOut {
    pub score: Option<f64>,
    pub label: Option<String>,
    pub vector: Option<String>,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TriageOut {
    pub state: String,
    pub justification: Option<String>,
    pub note: Option<String>,
    pub author: String,
    /// When the decision was recorded (RFC 3339): the triage age an assessment reads.
    pub timestamp: String,
}

/// Severity levels as thresholds (`--fail-on`) compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl FindingRow {
    /// The severity level: from the CVSS score when there is one, else from the source's
    /// label (`MODERATE`, `IMPORTANT` and the like map to the CVSS names). `None` when the
    /// advisory gives no usable severity.
    pub fn level(&self) -> Option<Level> {
        let s = self.severity.as_ref()?;
        let label = match s.score {
            Some(score) => tekigo_vulndb::cvss::label_for(score).to_string(),
            None => s.label.clone()?.to_ascii_uppercase(),
        };
        match label.as_str() {
            "CRITICAL" => Some(Level::Critical),
            "HIGH" | "IMPORTANT" => Some(Level::High),
            "MEDIUM" | "MODERATE" => Some(Level::Medium),
            "LOW" | "NONE" | "NEGLIGIBLE" => Some(Level::Low),
            _ => None,
        }
    }

    /// Still to be dealt with: not triaged `not_affected` or `fixed` by a person, nor
    /// suggested `not_affected` by tekigo without a person's decision.
    pub fn is_open(&self) -> bool {
        match &self.decision {
            Some(r) => !matches!(r.state, State::NotAffected | State::Fixed),
            None => self.state != FindingState::NotAffected,
        }
    }

    /// Open, and at or above `threshold` (a finding without a severity counts as at or
    /// above any level: unknown is not safe).
    pub fn fails(&self, threshold: Level) -> bool {
        self.is_open() && self.level().is_none_or(|l| l >= threshold)
    }
}

/// The findings of one SBOM and the problems met while matching it.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub rows: Vec<FindingRow>,
    /// Matcher warnings (invalid versions and the like); SBOM parse warnings are the
    /// caller's, in `Sbom::warnings`.
    pub warnings: Vec<String>,
}

/// Matches every component of `sbom` against `db` and applies `triage` (by vulnerability
/// id or alias, and component).
pub fn findings(sbom: &Sbom, db: &Db, triage: Option<&Triage>) -> Result<Findings, DbError> {
    findings_with_kernel(sbom, db, triage, None)
}

/// [`findings`], with the kernel's configuration deciding the state of kernel findings.
pub fn findings_with_kernel(
    sbom: &Sbom,
    db: &Db,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
) -> Result<Findings, DbError> {
    let queries: Vec<Query> = sbom.components.iter().map(query_of).collect();
    let (rows, warnings) =
        tekigo_vulndb::scan_map(db, &queries, |f| row_of(f, sbom, triage, kernel))?;
    Ok(Findings { rows, warnings })
}

/// The row of one finding: its suggested state and the project's triage decision.
fn row_of(
    f: tekigo_vulndb::Finding,
    sbom: &Sbom,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
) -> FindingRow {
    let (state, evidence, state_reason) = match kernel {
        _ if f.needs_review => (FindingState::Unknown, Vec::new(), None),
        Some(k) if !f.program_files.is_empty() => k.decide(&f.program_files),
        _ => (FindingState::Affected, Vec::new(), None),
    };
    let justification = (state == FindingState::NotAffected).then(|| {
        tekigo_vex::Justification::VulnerableCodeNotPresent
            .as_str()
            .to_string()
    });
    let component_ref = ComponentRef::from(&sbom.components[f.component_index]);
    let decision = triage.and_then(|t| {
        let ids: Vec<&str> = f.ids().collect();
        t.lookup(&ids, &component_ref).cloned()
    });
    FindingRow {
        source: f.source.as_str().to_string(),
        severity: f.severity.map(|s| SeverityOut {
            score: s.score,
            label: s.label,
            vector: s.vector,
            kind: s.kind,
        }),
        kev: f.kev.is_some(),
        kev_date_added: f.kev.as_ref().map(|k| k.date_added.clone()),
        kev_due_date: f.kev.as_ref().and_then(|k| k.due_date.clone()),
        kev_ransomware: f.kev.and_then(|k| k.ransomware),
        triage: decision.as_ref().map(triage_out),
        state,
        justification,
        evidence,
        state_reason,
        vulnerability: f.vulnerability,
        aliases: f.aliases,
        component: f.component,
        version: f.version,
        summary: f.summary,
        fixed_version: f.fixed_version,
        published: f.published,
        needs_review: f.needs_review,
        explanation: f.explanation,
        sources: f.sources,
        component_ref,
        decision,
    }
}

/// The findings as `tekigo vuln scan --format json` prints them, without holding them:
/// each row is written out as it is made and dropped (15,000 rows held and then written
/// peaked at 148 MB). The result is byte for byte `serde_json::to_vec_pretty` of the rows
/// of [`findings_with_kernel`].
pub fn findings_json(
    sbom: &Sbom,
    db: &Db,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
    fail_on: Option<Level>,
) -> Result<JsonFindings, JsonError> {
    let queries: Vec<Query> = sbom.components.iter().map(query_of).collect();
    let (mut shares, warnings) =
        tekigo_vulndb::scan_fold(db, &queries, JsonShare::default, |share, f| {
            let row = row_of(f, sbom, triage, kernel);
            share.failing |= fail_on.is_some_and(|t| row.fails(t));
            share.push(&row);
        })
        .map_err(JsonError::Db)?;
    if let Some(e) = shares.iter_mut().find_map(|s| s.error.take()) {
        return Err(JsonError::Json(e));
    }
    Ok(JsonFindings { shares, warnings })
}

/// Why [`findings_json`] failed.
#[derive(Debug)]
pub enum JsonError {
    Db(DbError),
    Json(serde_json::Error),
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::Db(e) => e.fmt(f),
            JsonError::Json(e) => write!(f, "writing a finding as JSON: {e}"),
        }
    }
}

impl std::error::Error for JsonError {}

/// One thread's rows as JSON list items, joined by `,\n`.
#[derive(Default)]
struct JsonShare {
    json: Vec<u8>,
    rows: usize,
    failing: bool,
    /// The first row that could not be written (none can with these types; kept, not
    /// ignored, so a row is never silently missing).
    error: Option<serde_json::Error>,
}

impl JsonShare {
    /// Appends a row as the pretty printer writes an item of a top-level list: written as
    /// the list `[row]` (`[\n  {...}\n]`), of which the brackets are cut off.
    fn push(&mut self, row: &FindingRow) {
        let before = self.json.len();
        if self.rows > 0 {
            self.json.extend_from_slice(b",\n");
        }
        let start = self.json.len();
        match serde_json::to_writer_pretty(&mut self.json, std::slice::from_ref(row)) {
            Ok(()) => {
                self.json.truncate(self.json.len() - 2);
                self.json.drain(start..start + 2);
                self.rows += 1;
            }
            Err(e) => {
                self.json.truncate(before);
                self.error.get_or_insert(e);
            }
        }
    }
}

/// The JSON of a scan, as written by [`findings_json`].
pub struct JsonFindings {
    shares: Vec<JsonShare>,
    /// Matcher warnings, as in [`Findings`].
    pub warnings: Vec<String>,
}

impl JsonFindings {
    /// The number of findings.
    pub fn len(&self) -> usize {
        self.shares.iter().map(|s| s.rows).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a finding fails the `fail_on` threshold given.
    pub fn failing(&self) -> bool {
        self.shares.iter().any(|s| s.failing)
    }

    /// The document (a pretty-printed list, no final newline) in parts to be written one
    /// after the other.
    pub fn parts(&self) -> Vec<&[u8]> {
        let items: Vec<&[u8]> = self
            .shares
            .iter()
            .filter(|s| s.rows > 0)
            .map(|s| s.json.as_slice())
            .collect();
        if items.is_empty() {
            return vec![b"[]"];
        }
        let mut parts = vec![b"[\n".as_slice()];
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                parts.push(b",\n");
            }
            parts.push(item);
        }
        parts.push(b"\n]");
        parts
    }
}

fn triage_out(r: &Record) -> TriageOut {
    TriageOut {
        state: r.state.as_str().to_string(),
        justification: r.justification.map(|j| j.as_str().to_string()),
        note: r.note.clone(),
        author: r.author.clone(),
        timestamp: r
            .timestamp
            .format(&tekigo_vex::time_format::Rfc3339)
            .unwrap_or_default(),
    }
}
