//! What the web application does, independent of HTTP: the API handlers and the pages
//! both call these functions, so the rules live once.
//!
//! Every change is checked by `tekigo-assess` exactly as the command line checks a file
//! before saving it, and written in one store transaction with its audit entry.

use crate::error::AppError;
use crate::state::Shared;
use crate::upload::Spooled;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tekigo_assess::edit::{self, AnswerUpdate, NewAssessment};
use tekigo_assess::{Assessment, EvidenceRef, Finding, Project, ProjectConfig, Status};
use tekigo_catalog::{Lang, Level, SlVector};
use tekigo_store::records::{self, EvidenceRow, ScanRow};

pub fn project_config(s: &Shared, project: &str) -> Result<ProjectConfig, AppError> {
    let row = s
        .store
        .read(|c| records::project(c, project))?
        .ok_or_else(|| AppError::NotFound(format!("project {project:?} not found")))?;
    serde_json::from_str(&row.config)
        .map_err(|e| AppError::Internal(format!("project {project} config: {e}")))
}

/// The standards a project's assessments judge against, once each: a 4-2 claim rests on a
/// 4-1 assessment (`Results::lacks_process_assessment`).
pub fn assessment_standards(
    s: &Shared,
    project: &str,
) -> Result<std::collections::BTreeSet<String>, AppError> {
    let mut out = std::collections::BTreeSet::new();
    for (id, header) in s.store.read(|c| records::assessments(c, project))? {
        let value: serde_json::Value = serde_json::from_str(&header)
            .map_err(|e| AppError::Internal(format!("assessment {id} header: {e}")))?;
        if let Some(standard) = value["standard"].as_str() {
            out.insert(standard.to_string());
        }
    }
    Ok(out)
}

/// What an id names (see [`check_id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Project,
    Assessment,
}

impl IdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Project => "project",
            IdKind::Assessment => "assessment",
        }
    }
}

/// A project or assessment id: it appears in URLs, audit entries and exported directory
/// names.
pub fn check_id(what: IdKind, id: &str) -> Result<(), AppError> {
    let ok = (1..=64).contains(&id.len())
        && !id.starts_with(['.', '-'])
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(AppError::BadId {
            what,
            id: id.to_string(),
        })
    }
}

pub fn create_project(
    s: &Shared,
    actor: &str,
    id: &str,
    config: &ProjectConfig,
) -> Result<(), AppError> {
    check_id(IdKind::Project, id)?;
    for std in &config.standards {
        if s.catalog.standard(std).is_none() {
            return Err(AppError::BadRequest(format!("unknown standard {std:?}")));
        }
    }
    let json = serde_json::to_string(config).map_err(|e| AppError::Internal(e.to_string()))?;
    s.store
        .write(|tx| records::project_create(tx, actor, id, &json))?;
    Ok(())
}

/// An assessment as it is in the store, with the version of each answer.
pub struct Loaded {
    pub assessment: Assessment,
    pub versions: BTreeMap<String, i64>,
}

pub fn load(s: &Shared, project: &str, id: &str) -> Result<Loaded, AppError> {
    let (header, rows) = s.store.read(|c| {
        Ok((
            records::assessment(c, project, id)?,
            records::answers(c, project, id)?,
        ))
    })?;
    let header =
        header.ok_or_else(|| AppError::NotFound(format!("assessment {id:?} not found")))?;
    let mut assessment: Assessment = serde_json::from_str(&header)
        .map_err(|e| AppError::Internal(format!("assessment {project}/{id}: {e}")))?;
    let mut versions = BTreeMap::new();
    for row in rows {
        let answer = serde_json::from_str(&row.body).map_err(|e| {
            AppError::Internal(format!("answer {project}/{id}/{}: {e}", row.requirement))
        })?;
        versions.insert(row.requirement.clone(), row.version);
        assessment.answers.insert(row.requirement, answer);
    }
    Ok(Loaded {
        assessment,
        versions,
    })
}

#[derive(Debug, Deserialize)]
pub struct NewAssessmentInput {
    pub id: String,
    pub standard: String,
    pub subject: String,
    #[serde(default, rename = "type")]
    pub component_type: Option<tekigo_catalog::ComponentType>,
    #[serde(default)]
    pub version: Option<String>,
    /// Seven levels in FR order, or one level for all.
    #[serde(default)]
    pub sl_t: Option<Vec<Level>>,
    #[serde(default)]
    pub ml_t: Option<Level>,
}

pub fn create_assessment(
    s: &Shared,
    actor: &str,
    project: &str,
    input: NewAssessmentInput,
) -> Result<Assessment, AppError> {
    check_id(IdKind::Assessment, &input.id)?;
    let target_sl = match input.sl_t.as_deref() {
        None => None,
        Some([l]) => Some(SlVector([*l; 7])),
        Some(v) if v.len() == 7 => {
            let mut levels = [0; 7];
            levels.copy_from_slice(v);
            Some(SlVector(levels))
        }
        Some(v) => {
            return Err(AppError::BadRequest(format!(
                "sl_t: give one level or seven (FR order), not {}",
                v.len()
            )))
        }
    };
    let a = edit::new_assessment(
        s.catalog,
        NewAssessment {
            id: input.id,
            standard: input.standard,
            subject: input.subject,
            component_type: input.component_type,
            version: input.version,
            target_sl,
            target_ml: input.ml_t,
        },
    )?;
    tekigo_assess::check(s.catalog, &a)?;
    let header = serde_json::to_string(&a).map_err(|e| AppError::Internal(e.to_string()))?;
    s.store
        .write(|tx| records::assessment_create(tx, actor, project, &a.id, &header))?;
    Ok(a)
}

/// A change to one answer, as a form or the API sends it. `version` is the answer's
/// version the change starts from (0 for a new answer).
#[derive(Debug, Default, Deserialize)]
pub struct AnswerInput {
    pub version: i64,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub countermeasure: Option<String>,
    #[serde(default)]
    pub maturity: Option<Level>,
    /// How the assessor verified it (`inspection`, `test`, `document-review`, `scan`); kept
    /// as it was when absent.
    #[serde(default)]
    pub method: Option<tekigo_assess::Method>,
    /// SHA-256 of evidence already uploaded to the project.
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub urls: Vec<String>,
    #[serde(default)]
    pub finding: Option<Finding>,
    /// Marks the answer reviewed by the caller.
    #[serde(default)]
    pub review: bool,
    /// Removes the answer's evidence at this position (0 first), as the version read it.
    #[serde(default)]
    pub detach: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct AnswerOut {
    pub requirement: String,
    pub version: i64,
    pub answer: tekigo_assess::Answer,
}

/// Applies an answer change after every check, or changes nothing.
pub fn set_answer(
    s: &Shared,
    actor: &str,
    (project, assessment): (&str, &str),
    requirement: &str,
    input: AnswerInput,
) -> Result<AnswerOut, AppError> {
    let Loaded {
        assessment: mut a,
        versions,
    } = load(s, project, assessment)?;
    let id = edit::requirement_id(s.catalog, &a, requirement)?;
    let status = input
        .status
        .as_deref()
        .filter(|st| !st.is_empty())
        .map(|st| {
            Status::parse(st).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "status {st:?}: use satisfied, partial, not-satisfied, not-applicable or compensating"
                ))
            })
        })
        .transpose()?;
    let mut evidence = Vec::new();
    for sha in &input.evidence {
        let row = s
            .store
            .read(|c| records::evidence(c, project, sha))?
            .ok_or_else(|| {
                AppError::BadRequest(format!("evidence {sha}: not uploaded to project {project}"))
            })?;
        evidence.push(EvidenceRef::File {
            sha256: row.sha256,
            name: row.name,
        });
    }
    for url in &input.urls {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(AppError::BadEvidenceUrl(url.clone()));
        }
        evidence.push(EvidenceRef::Url { url: url.clone() });
    }
    // Detaching evidence changes what the answer rests on, so it returns the answer to
    // draft, dated today; like attaching, it is no judgement and keeps the assessor (the
    // two-person rule).
    if let Some(i) = input.detach {
        let answer = a
            .answers
            .get_mut(&id)
            .filter(|ans| i < ans.evidence.len())
            .ok_or_else(|| {
                AppError::BadRequest(format!("{id}: no evidence number {i} to detach"))
            })?;
        answer.evidence.remove(i);
        answer.review = tekigo_assess::Review::Draft;
        answer.reviewer = None;
        answer.date = tekigo_assess::today();
    }
    // edit::set_answer records the assessor only for a judgement, so neither a review nor
    // attached evidence makes the caller the assessor (the two-person rule).
    edit::set_answer(
        &mut a,
        &id,
        AnswerUpdate {
            status,
            reason: input.reason,
            countermeasure: input.countermeasure,
            maturity: input.maturity,
            method: input.method,
            evidence,
            assessor: Some(actor.to_string()),
            finding: input.finding,
            reviewed_by: input.review.then(|| actor.to_string()),
            date: tekigo_assess::today(),
            ..Default::default()
        },
    )?;
    tekigo_assess::check(s.catalog, &a)?;
    let answer = a
        .answers
        .remove(&id)
        .ok_or_else(|| AppError::Internal(format!("{id}: answer vanished after the change")))?;
    let body = serde_json::to_string(&answer).map_err(|e| AppError::Internal(e.to_string()))?;
    let expected = versions.get(&id).copied().unwrap_or(0);
    if input.version != expected {
        return Err(AppError::Conflict {
            message: format!(
                "{id} was changed by someone else (now version {expected}); reload and retry"
            ),
            current: expected,
        });
    }
    let version = s
        .store
        .write(|tx| records::answer_put(tx, actor, (project, assessment, &id), &body, expected))?;
    Ok(AnswerOut {
        requirement: id,
        version,
        answer,
    })
}

/// The download name of an uploaded file: its last path component, printable, at most
/// 120 characters, never empty. The stored name never decides where bytes go.
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "evidence".into()
    } else {
        cleaned
    }
}

/// Records an upload as evidence of `project` under `name`.
pub fn store_evidence(
    s: &Shared,
    actor: &str,
    project: &str,
    name: &str,
    upload: &Spooled,
) -> Result<EvidenceRow, AppError> {
    let file = put_file(s, name, upload)?;
    Ok(s.store.write(|tx| file.record(tx, actor, project))?)
}

/// Bytes in the content store, not yet recorded for a project.
struct StoredFile {
    sha256: String,
    name: String,
    size: i64,
}

impl StoredFile {
    fn record(
        &self,
        tx: &mut tekigo_store::audit::Tx,
        actor: &str,
        project: &str,
    ) -> Result<EvidenceRow, tekigo_store::StoreError> {
        records::evidence_add(
            tx,
            actor,
            project,
            &self.sha256,
            &self.name,
            self.size,
            None,
        )
    }
}

/// Writes the bytes to the content store before the transaction that records them: a
/// crash in between leaves an unreferenced file, never a record without its bytes. The
/// content store is shared by all projects, so it keeps no name: the name belongs to the
/// project's `evidence` row alone.
fn put_file(s: &Shared, name: &str, upload: &Spooled) -> Result<StoredFile, AppError> {
    let name = safe_name(name);
    let stored = tekigo_assess::evidence::EvidenceStore::new(&s.data_dir)
        .add_unrecorded(&mut upload.reader()?)
        .map_err(|e| AppError::Internal(format!("evidence store: {e}")))?;
    Ok(StoredFile {
        sha256: stored.sha256,
        name,
        size: i64::try_from(upload.len()).unwrap_or(i64::MAX),
    })
}

/// Where the bytes of a project's evidence are, if the project may read them.
pub fn evidence_file(
    s: &Shared,
    project: &str,
    sha256: &str,
) -> Result<(EvidenceRow, std::path::PathBuf), AppError> {
    let missing = || AppError::NotFound(format!("evidence {sha256} not found"));
    if !tekigo_assess::evidence::is_sha256(sha256) {
        return Err(missing());
    }
    let row = s
        .store
        .read(|c| records::evidence(c, project, sha256))?
        .ok_or_else(missing)?;
    let path = tekigo_assess::evidence::EvidenceStore::new(&s.data_dir)
        .path_of(sha256)
        .ok_or_else(missing)?;
    Ok((row, path))
}

/// Verdict counts of a scan report, as the fleet view shows them.
fn verdict_counts(report: &tekigo_assess::scan_import::ScanReport) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for r in &report.results {
        *counts.entry(r.verdict.as_str()).or_insert(0) += 1;
    }
    counts
}

fn parse_scan(upload: &Spooled) -> Result<tekigo_assess::scan_import::ScanReport, AppError> {
    parse_scan_bytes(&upload.bytes()?)
}

fn parse_scan_bytes(bytes: &[u8]) -> Result<tekigo_assess::scan_import::ScanReport, AppError> {
    tekigo_assess::scan_import::parse(bytes)
        .map_err(|e| AppError::BadRequest(format!("scan report: {e}")))
}

/// One check's result in a scan report the project holds: what a scan evidence link of an
/// answer shows (the verdict and the lines that decided it), not the whole report.
pub fn scan_check(
    s: &Shared,
    project: &str,
    sha256: &str,
    check: &str,
) -> Result<tekigo_assess::scan_import::ScanResult, AppError> {
    let (_, path) = evidence_file(s, project, sha256)?;
    let bytes =
        std::fs::read(&path).map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
    parse_scan_bytes(&bytes)?
        .results
        .into_iter()
        .find(|r| r.check == check)
        .ok_or_else(|| AppError::NotFound(format!("check {check:?} not in scan report {sha256}")))
}

/// Records a device's scan report (a CI job or a fleet device uploads it).
pub fn upload_scan(
    s: &Shared,
    actor: &str,
    project: &str,
    device: &str,
    upload: &Spooled,
) -> Result<ScanRow, AppError> {
    if device.is_empty() || device.len() > 128 || device.chars().any(char::is_control) {
        return Err(AppError::BadRequest(
            "device: 1-128 printable characters".into(),
        ));
    }
    let report = parse_scan(upload)?;
    let summary = serde_json::to_string(&verdict_counts(&report))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let file = put_file(s, &format!("scan-{device}.json"), upload)?;
    let scan = ScanRow {
        id: crate::auth::random_token("scan_")?[..21].to_string(),
        device: device.to_string(),
        sha256: file.sha256.clone(),
        summary,
        uploaded_by: actor.to_string(),
        created: tekigo_store::now_rfc3339(),
    };
    // One transaction, one commit: a fleet's uploads queue on the commits.
    s.store.write(|tx| {
        file.record(tx, actor, project)?;
        records::scan_add(tx, actor, project, &scan)
    })?;
    Ok(scan)
}

#[derive(Debug, Serialize)]
pub struct ScanImportOut {
    pub suggested: Vec<String>,
    pub kept: Vec<String>,
    pub skipped: Vec<(String, String)>,
}

/// Turns a scan report into suggested answers; a person's answer is kept unless `force`.
/// All answers change in one transaction, or none if anyone changed one meanwhile.
pub fn import_scan(
    s: &Shared,
    actor: &str,
    (project, assessment): (&str, &str),
    upload: &Spooled,
    force: bool,
) -> Result<ScanImportOut, AppError> {
    let report = parse_scan(upload)?;
    // The assessment must exist before anything is stored.
    let Loaded {
        assessment: mut a,
        versions,
    } = load(s, project, assessment)?;
    let evidence = store_evidence(s, actor, project, "scan.json", upload)?;
    let summary = tekigo_assess::scan_import::apply(
        s.catalog,
        &mut a,
        &report,
        &evidence.sha256,
        force,
        &tekigo_assess::today(),
    );
    tekigo_assess::check(s.catalog, &a)?;
    s.store.write(|tx| {
        for id in &summary.suggested {
            let body = serde_json::to_string(&a.answers[id])
                .map_err(|e| tekigo_store::StoreError::Schema(e.to_string()))?;
            let expected = versions.get(id).copied().unwrap_or(0);
            records::answer_put(tx, actor, (project, assessment, id), &body, expected)?;
        }
        Ok(())
    })?;
    Ok(ScanImportOut {
        suggested: summary.suggested,
        kept: summary.kept,
        skipped: summary.skipped,
    })
}

/// Report formats the server renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Html,
    Pdf,
    Xlsx,
    Oscal,
}

/// The 62443-4-1 assessments of `project` a report of `a` rests on
/// (`tekigo_assess::project::ProcessBasis` states the rule).
fn process_assessments(
    s: &Shared,
    project: &str,
    config: &tekigo_assess::ProjectConfig,
    a: &Assessment,
) -> Result<Vec<Assessment>, AppError> {
    use tekigo_assess::project::{ProcessBasis, PROCESS_STANDARD};
    match ProcessBasis::of(&config.report, a) {
        ProcessBasis::None => Ok(Vec::new()),
        ProcessBasis::Named(id) => {
            let p = load(s, project, id)
                .map_err(|_| {
                    AppError::BadRequest(format!(
                        "report.process_assessment names {id:?}, which this project does not have"
                    ))
                })?
                .assessment;
            ProcessBasis::check(id, &p).map_err(AppError::BadRequest)?;
            Ok(vec![p])
        }
        ProcessBasis::Every => {
            let mut out = Vec::new();
            // The headers say the standard; only the process assessments are loaded whole.
            for (id, header) in s.store.read(|c| records::assessments(c, project))? {
                let head: Assessment = serde_json::from_str(&header)
                    .map_err(|e| AppError::Internal(format!("assessment {project}/{id}: {e}")))?;
                if head.standard == PROCESS_STANDARD {
                    out.push(load(s, project, &id)?.assessment);
                }
            }
            Ok(out)
        }
    }
}

/// A report of an assessment: bytes, media type and download name.
pub fn report(
    s: &Shared,
    project: &str,
    assessment: &str,
    format: ReportFormat,
    lang: Option<Lang>,
) -> Result<(Vec<u8>, &'static str, String), AppError> {
    let config = project_config(s, project)?;
    let a = load(s, project, assessment)?.assessment;
    let lang = lang.unwrap_or(config.language);
    let proj = Project {
        root: s.data_dir.clone(),
        config,
    };
    let generated = tekigo_store::now_rfc3339();
    let process = process_assessments(s, project, &proj.config, &a)?;
    let input = tekigo_report::ReportInput {
        project: &proj,
        catalog: s.catalog,
        assessment: &a,
        lang,
        generated: &generated,
        options: tekigo_report::ReportOptions {
            process: &process,
            ..Default::default()
        },
    };
    let fail = |e: tekigo_report::ReportError| AppError::Internal(format!("report: {e}"));
    let base = format!("{project}-{assessment}");
    Ok(match format {
        ReportFormat::Html => (
            tekigo_report::html(&input).map_err(fail)?.into_bytes(),
            "text/html; charset=utf-8",
            format!("{base}.html"),
        ),
        ReportFormat::Pdf => (
            tekigo_report::pdf(&input, s.settings.font_dir.as_deref()).map_err(fail)?,
            "application/pdf",
            format!("{base}.pdf"),
        ),
        ReportFormat::Xlsx => {
            let standard = s
                .catalog
                .standard(&a.standard)
                .ok_or_else(|| AppError::Internal(format!("standard {}", a.standard)))?;
            (
                tekigo_assess::sheet::export(standard, &a, proj.config.review)
                    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{base}.xlsx"),
            )
        }
        ReportFormat::Oscal => (
            serde_json::to_vec_pretty(&tekigo_report::oscal(&input).map_err(fail)?)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            "application/json",
            format!("{base}-oscal.json"),
        ),
    })
}

/// Records an SBOM (CycloneDX or SPDX, recognised from its content) under `name`; the
/// newest upload of a name is the one the vulnerabilities list matches.
pub fn upload_sbom(
    s: &Shared,
    actor: &str,
    project: &str,
    name: &str,
    upload: &Spooled,
) -> Result<records::SbomRow, AppError> {
    if name.is_empty() || name.len() > 128 || name.chars().any(char::is_control) {
        return Err(AppError::BadRequest(
            "name: 1-128 printable characters (the product or firmware the SBOM describes)".into(),
        ));
    }
    let sbom = tekigo_sbom::Sbom::from_slice(&upload.bytes()?, name)
        .map_err(|e| AppError::BadRequest(format!("SBOM: {e}")))?;
    let evidence = store_evidence(s, actor, project, &format!("sbom-{name}.json"), upload)?;
    let row = records::SbomRow {
        id: crate::auth::random_token("sbom_")?[..21].to_string(),
        name: name.to_string(),
        sha256: evidence.sha256,
        components: sbom.components.len() as i64,
        uploaded_by: actor.to_string(),
        created: tekigo_store::now_rfc3339(),
    };
    s.store
        .write(|tx| records::sbom_add(tx, actor, project, &row))?;
    Ok(row)
}

/// The version of each stored triage decision, by (vulnerability id as recorded, component
/// label): the key of the `triage` table.
type TriageVersions = BTreeMap<(String, String), i64>;

/// The project's triage decisions from the store, with the version of each.
fn triage_of(s: &Shared, project: &str) -> Result<(tekigo_vex::Triage, TriageVersions), AppError> {
    let rows = s.store.read(|c| records::triage(c, project))?;
    let mut versions = BTreeMap::new();
    let mut list = Vec::new();
    for row in rows {
        let record: tekigo_vex::Record = serde_json::from_str(&row.body).map_err(|e| {
            AppError::Internal(format!(
                "triage {project}/{}/{}: {e}",
                row.vulnerability, row.component
            ))
        })?;
        versions.insert((row.vulnerability, row.component), row.version);
        list.push(record);
    }
    let triage = tekigo_vex::Triage::from_records(list)
        .map_err(|e| AppError::Internal(format!("triage of {project}: {e}")))?;
    Ok((triage, versions))
}

/// Where to send a triage change for a finding: the key of the decision that applies (it
/// may be recorded under an alias) or of a new one, and the version to start from.
#[derive(Debug, Serialize)]
pub struct TriageKey {
    pub vulnerability: String,
    pub component: String,
    pub version: i64,
}

#[derive(Debug, Serialize)]
pub struct FindingOut {
    #[serde(flatten)]
    pub row: tekigo_vulnscan::FindingRow,
    pub triage_key: TriageKey,
}

#[derive(Debug, Serialize)]
pub struct SbomFindings {
    pub sbom: records::SbomRow,
    pub findings: Vec<FindingOut>,
}

#[derive(Debug, Serialize)]
pub struct VulnerabilitiesOut {
    /// The advisory database the findings come from; `None` when the server was started
    /// without `--vulndb` (then there are no findings, and `warnings` says why).
    pub vulndb: Option<String>,
    pub sboms: Vec<SbomFindings>,
    pub warnings: Vec<String>,
}

/// The newest SBOM of each name, matched against the advisory database, with the
/// project's triage applied.
pub fn vulnerabilities(s: &Shared, project: &str) -> Result<VulnerabilitiesOut, AppError> {
    let mut newest: Vec<records::SbomRow> = Vec::new();
    for row in s.store.read(|c| records::sboms(c, project))? {
        if !newest.iter().any(|n| n.name == row.name) {
            newest.push(row);
        }
    }
    newest.sort_by(|a, b| a.name.cmp(&b.name));
    let Some(db) = &s.vulndb else {
        return Ok(VulnerabilitiesOut {
            vulndb: None,
            sboms: newest
                .into_iter()
                .map(|sbom| SbomFindings {
                    sbom,
                    findings: Vec::new(),
                })
                .collect(),
            warnings: vec![
                "no advisory database: start the server with `tekigo serve --vulndb DBPATH` \
                 (see `tekigo vulndb import`) to match SBOMs"
                    .into(),
            ],
        });
    };
    let (triage, versions) = triage_of(s, project)?;
    let mut out = VulnerabilitiesOut {
        vulndb: Some(db.path().display().to_string()),
        sboms: Vec::new(),
        warnings: Vec::new(),
    };
    for sbom in newest {
        let (_, path) = evidence_file(s, project, &sbom.sha256)?;
        let parsed = tekigo_sbom::Sbom::from_path(&path)
            .map_err(|e| AppError::Internal(format!("SBOM {}: {e}", sbom.name)))?;
        let found = tekigo_vulnscan::findings(&parsed, db, Some(&triage))
            .map_err(|e| AppError::Internal(format!("advisory database: {e}")))?;
        out.warnings.extend(
            parsed
                .warnings
                .iter()
                .chain(&found.warnings)
                .map(|w| format!("{}: {w}", sbom.name)),
        );
        let findings = found
            .rows
            .into_iter()
            .map(|row| {
                let (vulnerability, component) = match &row.decision {
                    Some(r) => (r.vulnerability.clone(), r.component.label()),
                    None => (row.vulnerability.clone(), row.component_ref.label()),
                };
                let version = versions
                    .get(&(vulnerability.clone(), component.clone()))
                    .copied()
                    .unwrap_or(0);
                FindingOut {
                    row,
                    triage_key: TriageKey {
                        vulnerability,
                        component,
                        version,
                    },
                }
            })
            .collect();
        out.sboms.push(SbomFindings { sbom, findings });
    }
    Ok(out)
}

/// A triage decision as a form or the API sends it. `version` is the decision's version
/// the change starts from (0 for a new one).
#[derive(Debug, Deserialize)]
pub struct TriageInput {
    pub version: i64,
    pub vulnerability: String,
    /// A PURL, or `NAME@VERSION` for a component without one.
    pub component: String,
    pub state: String,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TriageOut {
    pub vulnerability: String,
    pub component: String,
    pub version: i64,
    pub record: tekigo_vex::Record,
}

/// Records a triage decision by the caller, checked by the same rules as the project's
/// `vex/triage.yaml`.
pub fn set_triage(
    s: &Shared,
    actor: &str,
    project: &str,
    input: TriageInput,
) -> Result<TriageOut, AppError> {
    let given = |v: Option<String>| v.filter(|t| !t.trim().is_empty());
    let state = tekigo_vex::State::from_name(&input.state).ok_or_else(|| {
        AppError::BadRequest(format!(
            "state {:?}: use affected, not_affected, fixed or under_investigation",
            input.state
        ))
    })?;
    let justification = given(input.justification)
        .map(|j| {
            tekigo_vex::Justification::from_name(&j).ok_or_else(|| {
                let all: Vec<&str> = tekigo_vex::Justification::ALL
                    .iter()
                    .map(|j| j.as_str())
                    .collect();
                AppError::BadRequest(format!(
                    "justification {j:?}: use one of {}",
                    all.join(", ")
                ))
            })
        })
        .transpose()?;
    let component = input.component.trim();
    let component = if component.starts_with("pkg:") {
        tekigo_vex::ComponentRef::from_purl(component)
    } else {
        let (name, version) = match component.rsplit_once('@') {
            Some((n, v)) if !n.is_empty() && !v.is_empty() => (n, Some(v.to_string())),
            _ => (component, None),
        };
        tekigo_vex::ComponentRef {
            purl: None,
            name: Some(name.to_string()),
            version,
        }
    };
    let record = tekigo_vex::Record {
        vulnerability: input.vulnerability.trim().to_string(),
        aliases: Vec::new(),
        component,
        any_version: false,
        state,
        justification,
        impact: None,
        action: given(input.action),
        note: given(input.note),
        author: actor.to_string(),
        timestamp: tekigo_vex::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .map_err(|e| AppError::Internal(e.to_string()))?,
    };
    record
        .validate()
        .map_err(|e| AppError::BadRequest(format!("triage: {e}")))?;
    let key = record.component.label();
    let body = serde_json::to_string(&record).map_err(|e| AppError::Internal(e.to_string()))?;
    let version = s.store.write(|tx| {
        records::triage_put(
            tx,
            actor,
            (project, &record.vulnerability, &key),
            &body,
            input.version,
        )
    })?;
    Ok(TriageOut {
        vulnerability: record.vulnerability.clone(),
        component: key,
        version,
        record,
    })
}
