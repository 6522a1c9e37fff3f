//! The one model every report format is rendered from.
//!
//! Building it is where the judgement of the report lives: which requirements are listed,
//! what a gap recommends when the assessor wrote nothing, which evidence is indexed, which
//! catalog facts need a caveat. The templates only lay it out. Texts here are plain strings;
//! escaping is the renderer's job (HTML escapes, typst reads them as JSON strings).

use crate::i18n::Labels;
use crate::{ReportError, ReportInput};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use tekigo_assess::evidence::EvidenceStore;
use tekigo_assess::results::{self, Results, Row};
use tekigo_assess::scan_import::{self, ScanReport};
use tekigo_assess::{Assessment, EvidenceRef, Origin, Review, Status, SubjectKind, Target};
use tekigo_catalog::{Confidence, Fr, Item, Lang, Level, Standard};

#[derive(Serialize)]
pub(crate) struct ReportData {
    pub lang: &'static str,
    pub title: String,
    pub subtitle: String,
    pub generated: String,
    pub tekigo_version: &'static str,
    pub labels: &'static BTreeMap<String, String>,
    pub cover: Vec<Field>,
    pub disclaimer: String,
    pub control: Control,
    pub subject: SubjectDescription,
    pub scope: Vec<Field>,
    pub statement: Statement,
    /// The chart as SVG markup built by [`crate::chart`] (every text in it escaped there).
    #[serde(skip)]
    pub chart_svg: Option<String>,
    pub has_chart: bool,
    pub summary: Table,
    pub sections: Vec<Section>,
    pub gaps: Vec<GapRow>,
    pub findings: Vec<FindingRow>,
    pub evidence: EvidenceIndex,
    pub conclusion: Conclusion,
    pub independence: String,
    /// The 62443-4-1 assessments the subject's development process was judged by;
    /// `None` for standards where no such link applies (all but 4-2).
    pub process: Option<Process>,
    /// The assessment seen through a regime, when the report was asked for one.
    pub regime: Option<RegimeSection>,
    pub confidence: Vec<ConfidenceRow>,
    /// The computed results: the claimed, projected and with-compensating vectors, the
    /// not-applicable-only flags per FR, the shares of reviewed, person and scan answers.
    pub results: Results,
}

/// Document control: how the report is filed, who signs it, what it rests on.
#[derive(Serialize)]
pub(crate) struct Control {
    pub fields: Vec<Field>,
    pub approvals: Vec<ApprovalRow>,
    pub references: Vec<ReferenceRow>,
}

#[derive(Serialize)]
pub(crate) struct ApprovalRow {
    pub role: String,
    pub name: String,
    /// The date signed, or the label saying it is still to be signed.
    pub date: String,
    pub signed: bool,
}

#[derive(Serialize)]
pub(crate) struct ReferenceRow {
    pub kind: String,
    pub title: String,
    pub version: String,
    pub sha256: String,
}

/// The component (or system) under evaluation and its security context, from tekigo.yaml.
#[derive(Serialize)]
pub(crate) struct SubjectDescription {
    pub fields: Vec<Field>,
    pub interfaces: Vec<Field>,
    pub assumptions: Vec<String>,
}

/// The levels the report states: one row per FR, one column per level vector.
#[derive(Serialize)]
pub(crate) struct Statement {
    pub text: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
}

#[derive(Serialize)]
pub(crate) struct Conclusion {
    pub text: String,
    pub gaps: Vec<ResidualRow>,
    pub compensating: Vec<ResidualRow>,
    pub not_applicable: Vec<ResidualRow>,
}

/// A residual risk: a requirement not met by the subject itself.
#[derive(Serialize)]
pub(crate) struct ResidualRow {
    pub id: String,
    pub anchor: String,
    pub title: String,
    /// The gap's status, the countermeasure, or the justification.
    pub text: String,
    /// Who must provide a compensating countermeasure.
    pub provider: String,
}

#[derive(Serialize)]
pub(crate) struct Process {
    pub text: String,
    pub rows: Vec<Vec<String>>,
}

/// A regime's requirements with their derived status (`tekigo_assess::regime` states the
/// rule) and what each rests on.
#[derive(Serialize)]
pub(crate) struct RegimeSection {
    pub title: String,
    pub text: String,
    pub summary: String,
    pub rows: Vec<RegimeRow>,
    /// The requirements no 62443 answer of these assessments covers, or empty.
    pub uncovered: String,
}

#[derive(Serialize)]
pub(crate) struct RegimeRow {
    pub id: String,
    pub title: String,
    /// `met`, `partial`, `not-met`, `not-assessed`.
    pub status: &'static str,
    pub status_label: String,
    pub via: String,
    pub evidence: String,
}

#[derive(Serialize)]
pub(crate) struct Field {
    pub label: String,
    pub value: String,
}

#[derive(Serialize)]
pub(crate) struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<TableRow>,
}

#[derive(Serialize)]
pub(crate) struct TableRow {
    pub cells: Vec<String>,
    /// Whether the row reached its target (drives the colour).
    pub ok: bool,
}

/// The requirements of one FR, practice, SPE or step.
#[derive(Serialize)]
pub(crate) struct Section {
    pub anchor: String,
    pub heading: String,
    pub rows: Vec<ReqRow>,
}

#[derive(Serialize)]
pub(crate) struct ReqRow {
    pub id: String,
    pub anchor: String,
    pub title: String,
    /// The title in the other language, when there is one.
    pub title_alt: Option<String>,
    pub level: String,
    /// The requirement in tekigo's own words, from the catalog.
    pub summary: String,
    /// How it was verified (recorded or derived from the evidence), or empty.
    pub method: String,
    /// Machine key: a `Status` spelling or `unanswered`.
    pub status: &'static str,
    pub status_label: String,
    pub above_target: bool,
    pub reason: String,
    pub countermeasure: Option<String>,
    pub evidence: Vec<EvidenceCell>,
    pub assessor: String,
    pub date: String,
    pub review: String,
    pub reviewed: bool,
    pub reviewer: Option<String>,
    pub from_scan: bool,
    /// Whose answer it is (`Answer::owner`), and where an inherited one comes from.
    pub whose: String,
}

#[derive(Serialize)]
pub(crate) struct EvidenceCell {
    pub text: String,
    /// The deciding lines of a scan result (file, hash, line: text).
    pub lines: Vec<String>,
    /// A link the reader may follow: only http(s) and mailto URLs, never loaded.
    pub href: Option<String>,
    /// The entry of the evidence index this refers to.
    pub anchor: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct GapRow {
    pub id: String,
    pub anchor: String,
    pub title: String,
    pub level: String,
    pub status_label: String,
    pub recommendations: Vec<String>,
}

#[derive(Serialize)]
pub(crate) struct FindingRow {
    pub id: String,
    pub anchor: String,
    pub issue: String,
    pub impact: String,
    pub recommendation: String,
    pub due: String,
}

#[derive(Serialize, Default)]
pub(crate) struct EvidenceIndex {
    pub files: Vec<FileEntry>,
    pub urls: Vec<UrlEntry>,
    pub scans: Vec<ScanEntry>,
}

#[derive(Serialize)]
pub(crate) struct FileEntry {
    pub sha256: String,
    pub anchor: String,
    pub names: String,
    pub size: String,
    pub added: String,
    pub used_by: String,
    pub missing: bool,
}

#[derive(Serialize)]
pub(crate) struct UrlEntry {
    pub url: String,
    pub href: Option<String>,
    pub used_by: String,
}

#[derive(Serialize)]
pub(crate) struct ScanEntry {
    pub check: String,
    pub verdict: String,
    pub sha256: String,
    pub anchor: String,
    pub details: String,
    pub used_by: String,
}

#[derive(Serialize)]
pub(crate) struct ConfidenceRow {
    pub id: String,
    pub title: String,
    pub confidence: String,
    pub note: String,
}

/// The standard the assessment is against, or the error that names it.
pub(crate) fn standard<'a>(input: &ReportInput<'a>) -> Result<&'a Standard, ReportError> {
    input
        .catalog
        .standard(&input.assessment.standard)
        .ok_or_else(|| ReportError::UnknownStandard {
            assessment: input.assessment.id.clone(),
            standard: input.assessment.standard.clone(),
        })
}

/// The rows a report lists: everything in scope, and answers given above the target.
pub(crate) fn listed_rows<'a>(std: &'a Standard, input: &ReportInput<'a>) -> Vec<Row<'a>> {
    results::rows(std, input.assessment)
        .into_iter()
        .filter(|r| r.in_scope || r.answer.is_some())
        .collect()
}

pub(crate) fn build(input: &ReportInput) -> Result<ReportData, ReportError> {
    let std = standard(input)?;
    let l = Labels::new(input.lang)?;
    let results = results::compute_with(std, input.assessment, input.project.config.review);
    let rows = listed_rows(std, input);
    let b = Builder {
        input,
        std,
        l: &l,
        lang: input.lang,
        reasons: Reasons::new(input.project, &l, input.lang),
    };
    let chart_svg = b.chart(&results);
    let statement = b.statement(&results);
    let data = ReportData {
        lang: match input.lang {
            Lang::En => "en",
            Lang::Ja => "ja",
        },
        title: l.get("report.title"),
        subtitle: format!(
            "{} — {} — IEC {}",
            input.project.config.product.name, input.assessment.subject.name, std.info.id
        ),
        generated: input.generated.to_string(),
        tekigo_version: env!("CARGO_PKG_VERSION"),
        labels: l.all(),
        cover: b.cover(&results, &rows),
        disclaimer: l.get("cover.disclaimer"),
        control: b.control(&rows)?,
        subject: b.subject(),
        scope: b.scope(&results),
        statement,
        has_chart: chart_svg.is_some(),
        chart_svg,
        summary: b.summary(&results, &rows),
        sections: b.sections(&rows),
        gaps: b.gaps(&results),
        findings: b.findings(&rows),
        evidence: b.evidence(&rows)?,
        conclusion: b.conclusion(&results, &rows),
        independence: input
            .project
            .config
            .report
            .independence
            .clone()
            .unwrap_or_else(|| l.get("independence.none")),
        process: b.process()?,
        regime: b.regime()?,
        confidence: b.confidence(&rows),
        results: results.clone(),
    };
    l.finish()?;
    Ok(data)
}

struct Builder<'a> {
    input: &'a ReportInput<'a>,
    std: &'a Standard,
    l: &'a Labels,
    lang: Lang,
    reasons: Reasons<'a>,
}

/// The reasons and verdicts every report format prints (HTML, PDF and OSCAL alike).
pub(crate) struct Reasons<'a> {
    project: &'a tekigo_assess::Project,
    l: &'a Labels,
    lang: Lang,
    /// Scan reports of the evidence store by hash, parsed once (`None`: unreadable).
    scans: RefCell<HashMap<String, Option<Rc<ScanReport>>>>,
}

impl<'a> Reasons<'a> {
    pub(crate) fn new(project: &'a tekigo_assess::Project, l: &'a Labels, lang: Lang) -> Self {
        Reasons {
            project,
            l,
            lang,
            scans: RefCell::new(HashMap::new()),
        }
    }

    /// The reason as the report prints it. An answer a scan or probe suggested gets its
    /// sentences rebuilt in the report's language from the scan report it cites; when that
    /// report cannot be read, a sentence listing the checks and their verdicts. The
    /// stored text of such an answer is never printed: it may come from a tekigo that
    /// wrote the checks' rules into it.
    pub(crate) fn reason(&self, a: &tekigo_assess::Answer) -> String {
        if a.origin != Origin::Scan {
            return a.reason.clone();
        }
        let rebuilt = a
            .evidence
            .iter()
            .find_map(|e| match e {
                EvidenceRef::Scan { sha256, .. } => Some(sha256),
                _ => None,
            })
            .and_then(|sha| self.scan_report(sha))
            .and_then(|report| scan_import::reason_in(self.lang, &report, &a.evidence));
        rebuilt.unwrap_or_else(|| {
            let checks: Vec<String> = a
                .evidence
                .iter()
                .filter_map(|e| match e {
                    EvidenceRef::Scan { check, verdict, .. } => {
                        Some(format!("{check}: {}", self.verdict(verdict)))
                    }
                    _ => None,
                })
                .collect();
            self.l
                .get("reason.scan_unreadable")
                .replace("{checks}", &checks.join(", "))
        })
    }

    /// A scan report of the evidence store, parsed once per report.
    fn scan_report(&self, sha256: &str) -> Option<Rc<ScanReport>> {
        /// A scan report larger than this is not read back (the scanner's reports are a
        /// few MB at most); the reason then lists the checks instead.
        const MAX_SCAN_REPORT: u64 = 64 << 20;
        self.scans
            .borrow_mut()
            .entry(sha256.to_string())
            .or_insert_with(|| {
                let path = self.project.evidence().path_of(sha256)?;
                let size = std::fs::metadata(&path).ok()?.len();
                if size > MAX_SCAN_REPORT {
                    return None;
                }
                let bytes = std::fs::read(&path).ok()?;
                scan_import::parse(&bytes).ok().map(Rc::new)
            })
            .clone()
    }

    /// A scanner verdict (`pass`, `not_applicable`, ...) in the report's language.
    pub(crate) fn verdict(&self, verdict: &str) -> String {
        match verdict {
            "pass" | "fail" | "absent" | "not_applicable" | "unreadable" => {
                self.l.get(&format!("verdict.{verdict}"))
            }
            other => other.to_string(),
        }
    }
}

impl Builder<'_> {
    fn field(&self, key: &str, value: impl Into<String>) -> Field {
        Field {
            label: self.l.get(key),
            value: value.into(),
        }
    }

    fn none(&self) -> String {
        self.l.get("report.none")
    }

    fn cover(&self, results: &Results, rows: &[Row]) -> Vec<Field> {
        let config = &self.input.project.config;
        let a = self.input.assessment;
        let mut out = self.document_fields();
        out.push(self.field("cover.product", &config.product.name));
        if let Some(v) = &config.product.vendor {
            out.push(self.field("cover.vendor", v));
        }
        if let Some(v) = &config.product.version {
            out.push(self.field("cover.product_version", v));
        }
        let kind = self.l.get(match a.subject.kind {
            SubjectKind::Component => "kind.component",
            SubjectKind::System => "kind.system",
            SubjectKind::Organisation => "kind.organisation",
        });
        let subject = match self.component_type_name() {
            Some(ty) => format!("{} ({kind}, {ty})", a.subject.name),
            None => format!("{} ({kind})", a.subject.name),
        };
        out.push(self.field("cover.subject", subject));
        if let Some(v) = &a.subject.version {
            out.push(self.field("cover.subject_version", v));
        }
        out.push(self.field("cover.standard", self.standard_label()));
        out.push(self.field("cover.target", self.target_text()));
        let achieved = match (results.achieved, results.achieved_ml) {
            (Some(v), _) => format!("SL-A {}", vector(&v)),
            (None, Some(ml)) => format!("ML {ml}"),
            _ => format!("{} %", results.progress.met_percent),
        };
        out.push(self.field("cover.achieved", achieved));
        out.push(self.field("cover.assessment", &a.id));
        out.push(self.field("cover.created", &a.created));
        out.push(self.field("cover.date", self.input.generated));
        let people = |f: fn(&tekigo_assess::Answer) -> Option<&String>| {
            let mut v: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.answer.and_then(f))
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            v.sort_unstable();
            v.dedup();
            if v.is_empty() {
                self.none()
            } else {
                v.join(", ")
            }
        };
        out.push(self.field("cover.assessors", people(|a| a.assessor.as_ref())));
        out.push(self.field("cover.reviewers", people(|a| a.reviewer.as_ref())));
        out.push(self.field("cover.tekigo_version", env!("CARGO_PKG_VERSION")));
        out
    }

    /// The one-line fields of document control: tekigo.yaml's `report:` section with the
    /// command line's overrides.
    fn control_value(&self, given: Option<&str>, kept: &Option<String>) -> String {
        given
            .map(str::to_string)
            .or_else(|| kept.clone())
            .unwrap_or_else(|| self.l.get("control.not_set"))
    }

    /// Document id, revision and classification: on the cover and in document control.
    fn document_fields(&self) -> Vec<Field> {
        let kept = &self.input.project.config.report;
        let o = &self.input.options;
        [
            ("control.document_id", o.document_id, &kept.document_id),
            ("control.revision", o.revision, &kept.revision),
            (
                "control.classification",
                o.classification,
                &kept.classification,
            ),
        ]
        .into_iter()
        .map(|(key, given, kept)| self.field(key, self.control_value(given, kept)))
        .collect()
    }

    fn control(&self, rows: &[Row]) -> Result<Control, ReportError> {
        let kept = &self.input.project.config.report;
        let mut fields = self.document_fields();
        fields.push(self.field("cover.date", self.input.generated));
        fields.push(self.field("cover.tekigo_version", env!("CARGO_PKG_VERSION")));
        let approvals = kept
            .approvals
            .iter()
            .map(|a| ApprovalRow {
                role: a.role.clone(),
                name: a.name.clone(),
                signed: a.date.is_some(),
                date: a
                    .date
                    .clone()
                    .unwrap_or_else(|| self.l.get("control.unsigned")),
            })
            .collect();
        Ok(Control {
            fields,
            approvals,
            references: self.references(rows)?,
        })
    }

    /// Every document the report rests on, with the hash that pins it: this assessment's
    /// file, the catalog it was judged against, the 4-1 assessments, the evidence files
    /// and the documents tekigo.yaml lists.
    fn references(&self, rows: &[Row]) -> Result<Vec<ReferenceRow>, ReportError> {
        let a = self.input.assessment;
        let none = String::new;
        let mut out = vec![ReferenceRow {
            kind: self.l.get("reference.assessment"),
            title: format!("assessments/{}.yaml", a.id),
            version: a.created.clone(),
            sha256: self
                .assessment_hash(a)?
                .unwrap_or_else(|| self.l.get("reference.not_stored")),
        }];
        out.push(ReferenceRow {
            kind: self.l.get("reference.catalog"),
            title: format!("{} ({})", self.standard_label(), self.std.file),
            version: format!("tekigo {}", env!("CARGO_PKG_VERSION")),
            sha256: self
                .catalog_hash()
                .unwrap_or_else(|| self.l.get("reference.not_stored")),
        });
        for p in self.input.options.process {
            out.push(ReferenceRow {
                kind: self.l.get("reference.process"),
                title: format!("assessments/{}.yaml (IEC {})", p.id, p.standard),
                version: p.created.clone(),
                sha256: self
                    .assessment_hash(p)?
                    .unwrap_or_else(|| self.l.get("reference.not_stored")),
            });
        }
        let store = self.input.project.evidence();
        let mut seen: Vec<&str> = Vec::new();
        for e in rows
            .iter()
            .filter_map(|r| r.answer)
            .flat_map(|a| a.evidence.iter())
        {
            let Some(sha) = e.stored_sha256() else {
                continue;
            };
            if seen.contains(&sha) {
                continue;
            }
            seen.push(sha);
            let meta = store.meta(sha).ok().flatten();
            let name = match e {
                EvidenceRef::File { name, .. } => name.clone(),
                _ => meta
                    .as_ref()
                    .and_then(|m| m.names.first().cloned())
                    .unwrap_or_default(),
            };
            out.push(ReferenceRow {
                kind: self.l.get(match e {
                    EvidenceRef::Scan { .. } => "reference.scan",
                    _ => "reference.evidence",
                }),
                title: name,
                version: meta.map(|m| m.added).unwrap_or_else(none),
                sha256: sha.to_string(),
            });
        }
        for r in &self.input.project.config.report.references {
            out.push(ReferenceRow {
                kind: self.l.get("reference.document"),
                title: r.title.clone(),
                version: r.version.clone().unwrap_or_else(none),
                sha256: r
                    .sha256
                    .clone()
                    .unwrap_or_else(|| self.l.get("reference.no_hash")),
            });
        }
        Ok(out)
    }

    /// SHA-256 of an assessment's file in the project, `None` when it is not kept as a
    /// file (the web application keeps assessments in its database).
    fn assessment_hash(&self, a: &Assessment) -> Result<Option<String>, ReportError> {
        let Ok(path) = self.input.project.assessment_path(&a.id) else {
            return Ok(None);
        };
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(tekigo_assess::evidence::sha256_bytes(&bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ReportError::Io { path, source }),
        }
    }

    /// SHA-256 of the catalog file the standard was read from: the text compiled into
    /// tekigo for the built-in catalog, else the file when the catalog names it by an
    /// absolute path (`--catalog DIR`). A catalog held elsewhere (the server's) has none.
    fn catalog_hash(&self) -> Option<String> {
        let builtin = tekigo_catalog::Catalog::builtin()
            .ok()
            .is_some_and(|b| std::ptr::eq(b, self.input.catalog));
        let file = std::path::Path::new(&self.std.file);
        if builtin {
            tekigo_catalog::Catalog::builtin_files()
                .find(|(name, _)| *name == self.std.file)
                .map(|(_, text)| tekigo_assess::evidence::sha256_bytes(text.as_bytes()))
        } else if file.is_absolute() {
            std::fs::read(file)
                .ok()
                .map(|b| tekigo_assess::evidence::sha256_bytes(&b))
        } else {
            None
        }
    }

    /// The subject as tekigo.yaml describes it; a field nobody filled in says so, since
    /// a certification body reads a missing description as a finding.
    fn subject(&self) -> SubjectDescription {
        let config = &self.input.project.config;
        let a = self.input.assessment;
        let component = self.input.project.component(&a.subject.name);
        let unset = || self.l.get("subject.not_stated");
        let text = |v: Option<&String>| v.cloned().unwrap_or_else(unset);
        let mut fields = vec![self.field(
            "subject.product",
            match &config.product.version {
                Some(v) => format!("{} {v}", config.product.name),
                None => config.product.name.clone(),
            },
        )];
        fields.push(self.field(
            "subject.product_description",
            text(config.product.description.as_ref()),
        ));
        fields.push(self.field("cover.subject", &a.subject.name));
        if let Some(ty) = self.component_type_name() {
            fields.push(self.field("scope.component_type", ty));
        }
        let c = component;
        fields.push(
            self.field(
                "cover.subject_version",
                text(
                    a.subject
                        .version
                        .as_ref()
                        .or(c.and_then(|c| c.version.as_ref())),
                ),
            ),
        );
        fields.push(self.field(
            "subject.description",
            text(c.and_then(|c| c.description.as_ref())),
        ));
        fields.push(self.field(
            "subject.hardware_version",
            text(c.and_then(|c| c.hardware_version.as_ref())),
        ));
        fields.push(self.field(
            "subject.firmware_version",
            text(c.and_then(|c| c.firmware_version.as_ref())),
        ));
        fields.push(self.field(
            "subject.environment",
            text(c.and_then(|c| c.intended_environment.as_ref())),
        ));
        if let Some(c) = c.filter(|c| !c.ports.is_empty()) {
            let ports: Vec<String> = c.ports.iter().map(|p| format!("tcp/{p}")).collect();
            fields.push(self.field("subject.ports", ports.join(", ")));
        }
        SubjectDescription {
            fields,
            interfaces: c
                .map(|c| {
                    c.interfaces
                        .iter()
                        .map(|i| Field {
                            label: i.name.clone(),
                            value: i.description.clone().unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            assumptions: c.map(|c| c.assumptions.clone()).unwrap_or_default(),
        }
    }

    /// The level vectors the report states, each with its label key and, per FR, whether
    /// the level rests on not-applicable answers alone: the claimed level (SL-C of a
    /// component, SL-A of a system), the projected one, and for a component the one with
    /// compensating countermeasures, as `results` computes them.
    fn level_vectors(&self, results: &Results) -> Vec<(&'static str, [Level; 7], [bool; 7])> {
        let claimed = match self.input.assessment.subject.kind {
            SubjectKind::Component => "statement.claimed_c",
            _ => "statement.claimed_a",
        };
        let marks = |f: fn(&results::NotApplicableOnly) -> bool| {
            let mut m = [false; 7];
            for (i, fr) in results.frs.iter().enumerate().take(7) {
                m[i] = f(&fr.not_applicable_only);
            }
            m
        };
        [
            (claimed, results.achieved, marks(|n| n.achieved)),
            (
                "statement.projected",
                results.projected,
                marks(|n| n.projected),
            ),
            (
                "statement.with_compensating",
                results.with_compensating,
                marks(|n| n.with_compensating),
            ),
        ]
        .into_iter()
        .filter_map(|(key, v, m)| v.map(|v| (key, v, m)))
        .collect()
    }

    fn statement(&self, results: &Results) -> Statement {
        let a = self.input.assessment;
        let vectors = self.level_vectors(results);
        let mut columns = vec![self.l.get("summary.fr"), self.l.get("summary.target")];
        columns.extend(vectors.iter().map(|(k, _, _)| self.l.get(k)));
        let mark = self.l.get("statement.na_only_mark");
        let rows = match results.target {
            Some(t) => Fr::ALL
                .iter()
                .map(|&fr| {
                    let mut row = vec![self.fr_name(fr), format!("SL {}", t[fr.index()])];
                    row.extend(vectors.iter().map(|(_, v, na)| {
                        let level = format!("SL {}", v[fr.index()]);
                        if na[fr.index()] {
                            format!("{level} ({mark})")
                        } else {
                            level
                        }
                    }));
                    row
                })
                .collect(),
            None => Vec::new(),
        };
        let fill = |key: &str| {
            self.l
                .get(key)
                .replace("{subject}", &a.subject.name)
                .replace("{standard}", &self.std.info.id)
                .replace("{target}", &self.target_text())
        };
        let text = match (results.target, vectors.first(), results.achieved_ml) {
            (Some(_), Some((key, v, _)), _) => fill("statement.levels")
                .replace("{kind}", &self.l.get(key))
                .replace("{claimed}", &vector(v)),
            (_, _, Some(ml)) => {
                fill("statement.maturity").replace("{claimed}", &format!("ML {ml}"))
            }
            _ => fill("statement.progress")
                .replace("{percent}", &results.progress.met_percent.to_string()),
        };
        let mut notes = Vec::new();
        if vectors.iter().any(|(_, _, na)| na.contains(&true)) {
            notes.push(self.l.get("statement.na_only"));
        }
        let compensating: usize = results.frs.iter().map(|f| f.compensating.len()).sum();
        if compensating > 0 {
            notes.push(
                self.l
                    .get("statement.compensating")
                    .replace("{n}", &compensating.to_string()),
            );
        }
        if results.progress.from_scan > 0 {
            notes.push(
                self.l
                    .get("statement.from_scan")
                    .replace("{n}", &results.progress.from_scan.to_string()),
            );
        }
        Statement {
            text,
            columns,
            rows,
            notes,
        }
    }

    fn conclusion(&self, results: &Results, rows: &[Row]) -> Conclusion {
        let residual = |row: &Row, text: String, provider: String| ResidualRow {
            id: row.item.id.clone(),
            anchor: format!("req-{}", token(&row.item.id)),
            title: row.item.title.get(self.lang).to_string(),
            text,
            provider,
        };
        let in_scope = rows.iter().filter(|r| r.in_scope);
        let gaps: Vec<ResidualRow> = results
            .gaps
            .iter()
            .filter_map(|g| rows.iter().find(|r| r.item.id == g.id))
            .map(|r| residual(r, self.status_label(r.status()), String::new()))
            .collect();
        let provider = self.l.get(match self.input.assessment.subject.kind {
            SubjectKind::Component => "conclusion.provider_component",
            SubjectKind::System => "conclusion.provider_system",
            SubjectKind::Organisation => "conclusion.provider_organisation",
        });
        let compensating = in_scope
            .clone()
            .filter(|r| r.status() == Some(Status::Compensating))
            .map(|r| {
                let cm = r
                    .answer
                    .and_then(|a| a.countermeasure.clone())
                    .unwrap_or_else(|| self.l.get("conclusion.no_countermeasure"));
                residual(r, cm, provider.clone())
            })
            .collect();
        let not_applicable = in_scope
            .filter(|r| r.status() == Some(Status::NotApplicable))
            .map(|r| {
                let why = r.answer.map(|a| a.reason.clone()).unwrap_or_default();
                residual(r, why, String::new())
            })
            .collect();
        let reached = results
            .frs
            .iter()
            .filter(|f| f.achieved >= f.target)
            .count();
        let text = match (results.target, results.achieved_ml, results.target_ml) {
            (Some(_), _, _) => self
                .l
                .get("conclusion.levels")
                .replace("{reached}", &reached.to_string())
                .replace("{total}", &results.frs.len().to_string()),
            (_, Some(a), Some(t)) => self.l.get(if a >= t {
                "conclusion.maturity_reached"
            } else {
                "conclusion.maturity_gap"
            }),
            _ => String::new(),
        };
        let text = format!(
            "{text} {}",
            self.l
                .get("conclusion.counts")
                .replace("{gaps}", &gaps.len().to_string())
                .replace("{in_scope}", &results.progress.in_scope.to_string())
        )
        .trim()
        .to_string();
        Conclusion {
            text,
            gaps,
            compensating,
            not_applicable,
        }
    }

    /// The 4-1 assessments a 4-2 report rests on, with their levels; for 4-2 with none, a
    /// statement that none exists.
    fn process(&self) -> Result<Option<Process>, ReportError> {
        if self.std.info.id != "62443-4-2" {
            return Ok(None);
        }
        let mut rows = Vec::new();
        for p in self.input.options.process {
            let Some(std) = self.input.catalog.standard(&p.standard) else {
                return Err(ReportError::UnknownStandard {
                    assessment: p.id.clone(),
                    standard: p.standard.clone(),
                });
            };
            let r = results::compute_with(std, p, self.input.project.config.review);
            let ml = |l: Option<Level>| l.map(|l| format!("ML {l}")).unwrap_or_default();
            rows.push(vec![
                p.id.clone(),
                p.subject.name.clone(),
                ml(r.target_ml),
                ml(r.achieved_ml),
                format!("{} / {}", r.progress.met, r.progress.in_scope),
            ]);
        }
        let text = self.l.get(if rows.is_empty() {
            "process.none"
        } else {
            "process.intro"
        });
        Ok(Some(Process { text, rows }))
    }

    fn regime(&self) -> Result<Option<RegimeSection>, ReportError> {
        let Some(id) = self.input.options.regime else {
            return Ok(None);
        };
        let regime = self
            .input
            .catalog
            .standard(id)
            .filter(|s| s.info.regime)
            .ok_or_else(|| ReportError::UnknownRegime(id.to_string()))?;
        let mut all = vec![self.input.assessment];
        all.extend(self.input.options.process.iter());
        let view = tekigo_assess::regime::view(self.input.catalog, regime, &all, self.lang);
        let l = self.l;
        let rows: Vec<RegimeRow> = view
            .requirements
            .iter()
            .map(|r| {
                let via: Vec<String> = r
                    .basis
                    .iter()
                    .map(|b| {
                        let status = l.get(&format!("status.{}", status_key(b.status)));
                        match b.draft {
                            true => format!("{} {status} ({})", b.id, l.get("regime.draft")),
                            false => format!("{} {status}", b.id),
                        }
                    })
                    .collect();
                let mut evidence: Vec<String> = Vec::new();
                for e in r.basis.iter().flat_map(|b| &b.evidence) {
                    let name = match e {
                        EvidenceRef::File { name, .. } => name.clone(),
                        EvidenceRef::Url { url } => url.clone(),
                        EvidenceRef::Scan { check, .. } => check.clone(),
                    };
                    push_unique(&mut evidence, &name);
                }
                RegimeRow {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    status: r.status.as_str(),
                    status_label: l.get(&format!("regime.status.{}", r.status.as_str())),
                    via: via.join(", "),
                    evidence: evidence.join(", "),
                }
            })
            .collect();
        let uncovered: Vec<&str> = view
            .requirements
            .iter()
            .filter(|r| r.basis.is_empty())
            .map(|r| r.id.as_str())
            .collect();
        let s = &view.summary;
        Ok(Some(RegimeSection {
            title: format!("{} ({})", view.regime.title, view.regime.edition),
            text: l
                .get("regime.intro")
                .replace("{assessments}", &view.assessments.join(", ")),
            summary: l
                .get("regime.summary")
                .replace("{n}", &s.requirements.to_string())
                .replace("{met}", &s.met.to_string())
                .replace("{partial}", &s.partial.to_string())
                .replace("{not_met}", &s.not_met.to_string())
                .replace("{not_assessed}", &s.not_assessed.to_string()),
            rows,
            uncovered: match uncovered.is_empty() {
                true => String::new(),
                false => l
                    .get("regime.uncovered")
                    .replace("{ids}", &uncovered.join(", ")),
            },
        }))
    }

    fn standard_label(&self) -> String {
        let info = &self.std.info;
        format!(
            "IEC {} ({}): {}",
            info.id,
            info.edition,
            info.title.get(self.lang)
        )
    }

    fn component_type_name(&self) -> Option<String> {
        let ty = self.input.assessment.subject.component_type?;
        let named = self
            .input
            .catalog
            .common
            .component_types
            .iter()
            .find(|n| n.id == ty);
        Some(named.map_or_else(
            || ty.name().to_string(),
            |n| n.name.get(self.lang).to_string(),
        ))
    }

    fn target_text(&self) -> String {
        match self.input.assessment.target {
            Target::SecurityLevels(v) => format!("SL-T {}", vector(&v.0)),
            Target::MaturityLevel(l) => format!("ML {l}"),
            Target::None => self.none(),
        }
    }

    fn scope(&self, results: &Results) -> Vec<Field> {
        let p = &results.progress;
        let mut out = vec![self.field("scope.standard", self.standard_label())];
        if let Some(ty) = self.component_type_name() {
            out.push(self.field("scope.component_type", ty));
        }
        match self.input.assessment.target {
            Target::SecurityLevels(v) => out.push(self.field("scope.target_vector", vector(&v.0))),
            Target::MaturityLevel(l) => out.push(self.field("scope.target_ml", format!("ML {l}"))),
            Target::None => {}
        }
        out.push(self.field("scope.in_scope", p.in_scope.to_string()));
        out.push(self.field("scope.answered", p.answered.to_string()));
        out.push(self.field("scope.met", p.met.to_string()));
        out.push(self.field("scope.reviewed", p.reviewed.to_string()));
        out.push(self.field("scope.from_scan", p.from_scan.to_string()));
        if p.from_components > 0 {
            out.push(self.field(
                "scope.from_components",
                format!("{} ({} %)", p.from_components, p.from_components_percent),
            ));
        }
        out.push(
            self.field(
                "scope.layers",
                self.l
                    .get("scope.layers_value")
                    .replace("{inherited}", &p.inherited_percent.to_string())
                    .replace("{own}", &p.own_percent.to_string())
                    .replace("{deferred}", &p.deferred_percent.to_string()),
            ),
        );
        out.push(self.field("scope.confirmed", format!("{} %", p.met_percent)));
        out
    }

    fn chart(&self, results: &Results) -> Option<String> {
        let (target, achieved) = (self.l.get("chart.target"), self.l.get("chart.achieved"));
        match (results.target, results.achieved, results.target_ml) {
            (Some(t), Some(a), _) => Some(crate::chart::radar_svg(&t, &a, &target, &achieved)),
            (_, _, Some(t)) => {
                let groups: Vec<(&str, Level)> = results
                    .groups
                    .iter()
                    .map(|g| (g.id.as_str(), g.achieved_ml))
                    .collect();
                Some(crate::chart::maturity_svg(
                    &groups,
                    t,
                    &target,
                    &self.l.get("chart.maturity"),
                ))
            }
            _ => None,
        }
    }

    fn fr_name(&self, fr: Fr) -> String {
        let name = self
            .input
            .catalog
            .common
            .foundational_requirements
            .iter()
            .find(|n| n.id == fr)
            .map(|n| n.name.get(self.lang).to_string())
            .unwrap_or_default();
        format!("{}: {name}", fr.label())
    }

    fn item_heading(&self, id: &str) -> String {
        match self.std.item(id) {
            Some(item) => format!("{} {}", item.id, item.title.get(self.lang)),
            None => id.to_string(),
        }
    }

    fn summary(&self, results: &Results, rows: &[Row]) -> Table {
        let cols = |keys: &[&str]| keys.iter().map(|k| self.l.get(k)).collect::<Vec<_>>();
        let verdict = |ok: bool| {
            self.l
                .get(if ok { "summary.reached" } else { "summary.gap" })
        };
        if results.target.is_some() {
            let rows = Fr::ALL
                .iter()
                .zip(&results.frs)
                .map(|(&fr, r)| {
                    let ok = r.achieved >= r.target;
                    let compensating = if r.compensating.is_empty() {
                        self.none()
                    } else {
                        r.compensating.join(", ")
                    };
                    TableRow {
                        cells: vec![
                            self.fr_name(fr),
                            format!("SL {}", r.target),
                            format!("SL {}", r.achieved),
                            format!("{} / {}", r.met, r.in_scope),
                            compensating,
                            verdict(ok),
                        ],
                        ok,
                    }
                })
                .collect();
            Table {
                columns: cols(&[
                    "summary.fr",
                    "summary.target",
                    "summary.achieved",
                    "summary.met_in_scope",
                    "summary.compensating",
                    "summary.result",
                ]),
                rows,
            }
        } else if let Some(target) = results.target_ml {
            let rows = results
                .groups
                .iter()
                .map(|g| {
                    let ok = g.achieved_ml >= target;
                    TableRow {
                        cells: vec![
                            self.item_heading(&g.id),
                            format!("ML {target}"),
                            format!("ML {}", g.achieved_ml),
                            format!("{} / {}", g.met, g.requirements),
                            verdict(ok),
                        ],
                        ok,
                    }
                })
                .collect();
            Table {
                columns: cols(&[
                    "summary.group",
                    "summary.target",
                    "summary.achieved",
                    "summary.met_in_scope",
                    "summary.result",
                ]),
                rows,
            }
        } else {
            let rows = self
                .groups(rows)
                .into_iter()
                .map(|(id, of_group)| {
                    let met = of_group
                        .iter()
                        .filter(|r| r.status().is_some_and(Status::is_met))
                        .count();
                    let ok = met == of_group.len();
                    TableRow {
                        cells: vec![
                            self.item_heading(&id),
                            format!("{met} / {}", of_group.len()),
                            verdict(ok),
                        ],
                        ok,
                    }
                })
                .collect();
            Table {
                columns: cols(&["summary.group", "summary.met_in_scope", "summary.result"]),
                rows,
            }
        }
    }

    /// Rows grouped by their top-level item (practice, SPE, step), in catalog order.
    fn groups<'r, 'x>(&self, rows: &'r [Row<'x>]) -> Vec<(String, Vec<&'r Row<'x>>)> {
        let mut out: Vec<(String, Vec<&'r Row<'x>>)> = Vec::new();
        for row in rows {
            let top = top_ancestor(self.std, row.item);
            match out.iter_mut().find(|(id, _)| id == top) {
                Some((_, v)) => v.push(row),
                None => out.push((top.to_string(), vec![row])),
            }
        }
        out
    }

    /// Requirements by lifecycle phase (`--by-phase`), in the catalog's phase order; a
    /// requirement of several phases is listed under each, its anchor on the first. Rows
    /// of no phase come last under their own heading.
    fn sections_by_phase(&self, rows: &[Row]) -> Vec<Section> {
        let mut anchored: Vec<String> = Vec::new();
        let mut row_once = |r: &Row| {
            let mut row = self.req_row(r);
            if anchored.contains(&r.item.id) {
                row.anchor = String::new();
            } else {
                anchored.push(r.item.id.clone());
            }
            row
        };
        let mut out = Vec::new();
        for phase in &self.input.catalog.common.lifecycle_phases {
            let of_phase: Vec<ReqRow> = rows
                .iter()
                .filter(|r| r.item.phases.contains(&phase.id))
                .map(&mut row_once)
                .collect();
            if !of_phase.is_empty() {
                out.push(Section {
                    anchor: format!("phase-{}", phase.id.name()),
                    heading: phase.name.get(self.lang).to_string(),
                    rows: of_phase,
                });
            }
        }
        let unphased: Vec<ReqRow> = rows
            .iter()
            .filter(|r| r.item.phases.is_empty())
            .map(&mut row_once)
            .collect();
        if !unphased.is_empty() {
            out.push(Section {
                anchor: "phase-none".into(),
                heading: self.l.get("phase.none"),
                rows: unphased,
            });
        }
        out
    }

    fn sections(&self, rows: &[Row]) -> Vec<Section> {
        if self.input.options.by_phase {
            self.sections_by_phase(rows)
        } else if self.input.assessment.target_vector().is_some() {
            Fr::ALL
                .iter()
                .filter_map(|&fr| {
                    let of_fr: Vec<ReqRow> = rows
                        .iter()
                        .filter(|r| r.item.fr == Some(fr))
                        .map(|r| self.req_row(r))
                        .collect();
                    (!of_fr.is_empty()).then(|| Section {
                        anchor: format!("fr-{}", fr.number()),
                        heading: self.fr_name(fr),
                        rows: of_fr,
                    })
                })
                .collect()
        } else {
            self.groups(rows)
                .into_iter()
                .map(|(id, of_group)| Section {
                    anchor: format!("group-{}", token(&id)),
                    heading: self.item_heading(&id),
                    rows: of_group.into_iter().map(|r| self.req_row(r)).collect(),
                })
                .collect()
        }
    }

    fn status_label(&self, status: Option<Status>) -> String {
        self.l.get(&format!("status.{}", status_key(status)))
    }

    fn level_text(&self, row: &Row) -> String {
        match (self.input.assessment.target, row.item.min_sl) {
            (Target::SecurityLevels(_), Some(sl)) => format!("SL {sl}"),
            (Target::MaturityLevel(_), _) => row
                .answer
                .and_then(|a| a.maturity)
                .map(|m| format!("ML {m}"))
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn titles(&self, item: &Item) -> (String, Option<String>) {
        let other = match self.lang {
            Lang::En => Lang::Ja,
            Lang::Ja => Lang::En,
        };
        let (main, alt) = (item.title.get(self.lang), item.title.get(other));
        (
            main.to_string(),
            (alt != main && !alt.is_empty()).then(|| alt.to_string()),
        )
    }

    fn req_row(&self, row: &Row) -> ReqRow {
        let (title, title_alt) = self.titles(row.item);
        let a = row.answer;
        ReqRow {
            id: row.item.id.clone(),
            anchor: format!("req-{}", token(&row.item.id)),
            title,
            title_alt,
            level: self.level_text(row),
            summary: row.item.summary.get(self.lang).to_string(),
            method: a
                .and_then(|a| a.verification())
                .map(|m| self.l.get(&format!("method.{}", m.as_str())))
                .unwrap_or_default(),
            status: status_key(row.status()),
            status_label: self.status_label(row.status()),
            above_target: !row.in_scope,
            reason: a.map(|a| self.reasons.reason(a)).unwrap_or_default(),
            countermeasure: a.and_then(|a| a.countermeasure.clone()),
            evidence: a
                .map(|a| a.evidence.iter().map(|e| self.evidence_cell(e)).collect())
                .unwrap_or_default(),
            assessor: a.and_then(|a| a.assessor.clone()).unwrap_or_default(),
            date: a.map(|a| a.date.clone()).unwrap_or_default(),
            review: a
                .map(|a| {
                    self.l.get(match a.review {
                        Review::Draft => "review.draft",
                        Review::Reviewed => "review.reviewed",
                    })
                })
                .unwrap_or_default(),
            reviewed: a.is_some_and(|a| a.review == Review::Reviewed),
            reviewer: a.and_then(|a| a.reviewer.clone()),
            from_scan: a.is_some_and(|a| a.origin == Origin::Scan),
            whose: a.map(|a| self.whose(a)).unwrap_or_default(),
        }
    }

    /// "Inherited from PRODUCT/ASSESSMENT (platform supplier)", "Deferred to: integrator",
    /// "Overrides the inherited answer (satisfied)" or the owner alone.
    fn whose(&self, a: &tekigo_assess::Answer) -> String {
        let owner = self.l.get(&format!(
            "role.{}",
            a.owner(self.input.assessment.subject.kind).as_str()
        ));
        let mut out = match (a.deferred_to, a.origin, &a.inherited) {
            (Some(_), _, _) => self.l.get("row.deferred").replace("{owner}", &owner),
            (None, Origin::Inherited, Some(i)) => self
                .l
                .get("row.inherited")
                .replace("{source}", &i.source)
                .replace("{owner}", &owner),
            (None, Origin::Components, _) => self
                .l
                .get("row.components")
                .replace(
                    "{sources}",
                    &a.components
                        .iter()
                        .map(|b| match &b.assessment {
                            Some(id) => format!("{} ({id})", b.component),
                            None => b.component.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                )
                .replace("{owner}", &owner),
            (None, _, Some(i)) => self
                .l
                .get("row.overrides")
                .replace("{status}", &self.status_label(Some(i.status)))
                .replace("{owner}", &owner),
            _ => owner,
        };
        if a.inherited.as_ref().is_some_and(|i| i.changed_upstream) {
            out = format!("{out} · {}", self.l.get("row.changed_upstream"));
        }
        out
    }

    fn evidence_cell(&self, e: &EvidenceRef) -> EvidenceCell {
        match e {
            EvidenceRef::File { sha256, name } => EvidenceCell {
                text: format!("{name} ({})", short(sha256)),
                lines: Vec::new(),
                href: None,
                anchor: Some(format!("ev-{sha256}")),
            },
            EvidenceRef::Url { url } => EvidenceCell {
                text: url.clone(),
                lines: Vec::new(),
                href: safe_href(url),
                anchor: None,
            },
            EvidenceRef::Scan {
                check,
                verdict,
                sha256,
                details,
            } => EvidenceCell {
                text: format!(
                    "{} {check}: {} ({})",
                    self.l.get("evidence.scan_prefix"),
                    self.reasons.verdict(verdict),
                    short(sha256)
                ),
                lines: details.clone(),
                href: None,
                anchor: Some(format!("ev-{sha256}")),
            },
        }
    }

    fn gaps(&self, results: &Results) -> Vec<GapRow> {
        results
            .gaps
            .iter()
            .map(|g| {
                let item = self.std.item(&g.id);
                let recommendations = if g.recommendations.is_empty() {
                    let key = match g.status {
                        None => "recommend.unanswered",
                        Some(Status::NotSatisfied) => "recommend.not-satisfied",
                        Some(Status::Partial) => "recommend.partial",
                        // Met, but below the target maturity.
                        Some(_) => "recommend.maturity",
                    };
                    vec![self.l.get(key)]
                } else {
                    g.recommendations.clone()
                };
                let level = match (g.min_sl, g.maturity) {
                    (Some(sl), _) => format!("SL {sl}"),
                    (None, Some(ml)) => format!("ML {ml}"),
                    _ => String::new(),
                };
                GapRow {
                    id: g.id.clone(),
                    anchor: format!("req-{}", token(&g.id)),
                    title: item
                        .map(|i| i.title.get(self.lang).to_string())
                        .unwrap_or_default(),
                    level,
                    status_label: self.status_label(g.status),
                    recommendations,
                }
            })
            .collect()
    }

    fn findings(&self, rows: &[Row]) -> Vec<FindingRow> {
        rows.iter()
            .filter_map(|r| r.answer.map(|a| (r.item, a)))
            .flat_map(|(item, a)| {
                a.findings.iter().map(move |f| FindingRow {
                    id: item.id.clone(),
                    anchor: format!("req-{}", token(&item.id)),
                    issue: f.issue.clone(),
                    impact: f.impact.clone(),
                    recommendation: f.recommendation.clone(),
                    due: f.due.clone().unwrap_or_default(),
                })
            })
            .collect()
    }

    fn evidence(&self, rows: &[Row]) -> Result<EvidenceIndex, ReportError> {
        let store = self.input.project.evidence();
        // File hash -> (names cited, requirements); URL -> requirements;
        // (check, verdict, report hash) -> (details, requirements).
        let mut files: Ordered<String, (Vec<String>, Vec<String>)> = Ordered::default();
        let mut urls: Ordered<String, Vec<String>> = Ordered::default();
        let mut scans: Ordered<ScanKey, (Vec<String>, Vec<String>)> = Ordered::default();
        for row in rows {
            let Some(answer) = row.answer else { continue };
            let id = &row.item.id;
            for e in &answer.evidence {
                match e {
                    EvidenceRef::File { sha256, name } => {
                        let (names, used) = files.entry(sha256.clone());
                        push_unique(names, name);
                        push_unique(used, id);
                    }
                    EvidenceRef::Url { url } => push_unique(urls.entry(url.clone()), id),
                    EvidenceRef::Scan {
                        check,
                        verdict,
                        sha256,
                        details,
                    } => {
                        push_unique(&mut files.entry(sha256.clone()).1, id);
                        let (d, used) =
                            scans.entry((check.clone(), verdict.clone(), sha256.clone()));
                        for detail in details {
                            push_unique(d, detail);
                        }
                        push_unique(used, id);
                    }
                }
            }
        }
        let mut index = EvidenceIndex::default();
        for (sha256, (ref_names, used)) in files.into_entries() {
            index
                .files
                .push(file_entry(&store, self.input, sha256, ref_names, used)?);
        }
        index.urls = urls
            .into_entries()
            .map(|(url, used)| UrlEntry {
                href: safe_href(&url),
                url,
                used_by: used.join(", "),
            })
            .collect();
        index.scans = scans
            .into_entries()
            .map(|((check, verdict, sha256), (details, used))| ScanEntry {
                anchor: format!("ev-{sha256}"),
                check,
                verdict: self.reasons.verdict(&verdict),
                sha256,
                details: details.join("; "),
                used_by: used.join(", "),
            })
            .collect();
        Ok(index)
    }

    /// Catalog facts behind the listed rows (and the headings above them) that are not
    /// rated high.
    fn confidence(&self, rows: &[Row]) -> Vec<ConfidenceRow> {
        let mut ids: Vec<&str> = Vec::new();
        for row in rows {
            let mut item = Some(row.item);
            while let Some(i) = item {
                if !ids.contains(&i.id.as_str()) {
                    ids.push(&i.id);
                }
                item = i.parent.as_deref().and_then(|p| self.std.item(p));
            }
        }
        self.std
            .items
            .iter()
            .filter(|i| ids.contains(&i.id.as_str()))
            .filter(|i| i.confidence != Some(Confidence::High))
            // A heading without a rating carries no level fact of its own.
            .filter(|i| i.confidence.is_some() || i.is_requirement())
            .map(|i| ConfidenceRow {
                id: i.id.clone(),
                title: i.title.get(self.lang).to_string(),
                confidence: self.l.get(match i.confidence {
                    Some(Confidence::High) => "confidence.high",
                    Some(Confidence::Medium) => "confidence.medium",
                    Some(Confidence::Low) => "confidence.low",
                    None => "confidence.unrated",
                }),
                note: i
                    .confidence_note
                    .clone()
                    .or_else(|| i.notes.clone())
                    .unwrap_or_default(),
            })
            .collect()
    }
}

fn file_entry(
    store: &EvidenceStore,
    input: &ReportInput,
    sha256: String,
    ref_names: Vec<String>,
    used: Vec<String>,
) -> Result<FileEntry, ReportError> {
    let meta = store.meta(&sha256).map_err(|source| ReportError::Io {
        path: input
            .project
            .root
            .join(tekigo_assess::evidence::EVIDENCE_DIR)
            .join(format!("{sha256}.yaml")),
        source,
    })?;
    let mut names = meta.as_ref().map(|m| m.names.clone()).unwrap_or_default();
    for n in ref_names {
        push_unique(&mut names, &n);
    }
    Ok(FileEntry {
        anchor: format!("ev-{sha256}"),
        missing: !store.contains(&sha256),
        names: names.join(", "),
        size: meta
            .as_ref()
            .map(|m| m.size.to_string())
            .unwrap_or_default(),
        added: meta.map(|m| m.added).unwrap_or_default(),
        used_by: used.join(", "),
        sha256,
    })
}

/// The first 12 hex digits: enough to find the file, short enough for a table cell.
pub(crate) fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

/// A URL a reader may click: http, https or mailto, with nothing that could break out of an
/// attribute or smuggle a script (`javascript:` and `data:` stay text).
pub(crate) fn safe_href(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_ok = ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s));
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (scheme_ok && clean).then(|| url.trim().to_string())
}

fn status_key(status: Option<Status>) -> &'static str {
    status.map_or("unanswered", Status::as_str)
}

/// Security levels as the check sheets write them: `{2 2 0 1 3 1 3}`.
pub(crate) fn vector(levels: &[Level; 7]) -> String {
    let parts: Vec<String> = levels.iter().map(u8::to_string).collect();
    format!("{{{}}}", parts.join(" "))
}

fn top_ancestor<'a>(std: &'a Standard, item: &'a Item) -> &'a str {
    let mut current = item;
    while let Some(parent) = current.parent.as_deref().and_then(|p| std.item(p)) {
        current = parent;
    }
    &current.id
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

type ScanKey = (String, String, String);

/// Keys in order of first appearance (the catalog's order), each with its value.
struct Ordered<K, V> {
    keys: Vec<K>,
    values: HashMap<K, V>,
}

impl<K, V> Default for Ordered<K, V> {
    fn default() -> Self {
        Ordered {
            keys: Vec::new(),
            values: HashMap::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, V: Default> Ordered<K, V> {
    fn entry(&mut self, key: K) -> &mut V {
        if !self.values.contains_key(&key) {
            self.keys.push(key.clone());
        }
        self.values.entry(key).or_default()
    }

    fn into_entries(mut self) -> impl Iterator<Item = (K, V)> {
        self.keys.into_iter().map(move |k| {
            let v = self.values.remove(&k).unwrap_or_default();
            (k, v)
        })
    }
}

/// An OSCAL token of a catalog id, the scheme of tekigo-export's OSCAL catalog.
pub(crate) use tekigo_export::oscal_token as token;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_links_become_links() {
        assert_eq!(
            safe_href("https://example.com/a?b=1").as_deref(),
            Some("https://example.com/a?b=1")
        );
        assert_eq!(safe_href("HTTP://x").as_deref(), Some("HTTP://x"));
        assert_eq!(safe_href("mailto:a@b").as_deref(), Some("mailto:a@b"));
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,<script>"), None);
        assert_eq!(safe_href("https://x\" onmouseover=\"y"), None);
        assert_eq!(safe_href("//evil.example/x"), None);
    }

    #[test]
    fn vectors_read_like_the_check_sheets() {
        assert_eq!(vector(&[2, 2, 0, 1, 3, 1, 3]), "{2 2 0 1 3 1 3}");
    }

    #[test]
    fn ordered_keeps_first_appearance() {
        let mut o: Ordered<&str, Vec<u8>> = Ordered::default();
        o.entry("b").push(1);
        o.entry("a").push(2);
        o.entry("b").push(3);
        let v: Vec<_> = o.into_entries().collect();
        assert_eq!(v, vec![("b", vec![1, 3]), ("a", vec![2])]);
    }
}
