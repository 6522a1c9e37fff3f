//! A project: a directory that can live in git and holds everything an assessment needs.
//!
//! ```text
//! tekigo.yaml          product, components, standards in scope, language
//! assessments/ID.yaml  one file per assessment
//! evidence/            content-addressed store: files named by SHA-256 (see `evidence`)
//! ```
//!
//! Every report can be rebuilt from this directory alone; nothing lives in a database that
//! the directory does not also hold.

use crate::assessment::Assessment;
use crate::evidence::EvidenceStore;
use crate::results::ReviewPolicy;
use crate::validate;
use crate::AssessError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tekigo_catalog::{Catalog, ComponentType, Lang, SlVector};

pub const CONFIG_FILE: &str = "tekigo.yaml";
const ASSESSMENTS_DIR: &str = "assessments";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    pub format: u32,
    pub product: Product,
    #[serde(default)]
    pub components: Vec<Component>,
    /// Catalog ids of the standards in scope.
    #[serde(default)]
    pub standards: Vec<String>,
    /// Language of reports unless a command says otherwise.
    #[serde(default = "default_lang")]
    pub language: Lang,
    /// Document control of the reports made from this project (id, revision, sign-off):
    /// a certification body files a report by these, so they live with the project rather
    /// than on a command line that is forgotten.
    #[serde(default, skip_serializing_if = "ReportControl::is_empty")]
    pub report: ReportControl,
    /// `review: required`: only reviewed answers count for the claimed level.
    #[serde(default, skip_serializing_if = "ReviewPolicy::is_default")]
    pub review: ReviewPolicy,
    /// The longest an evidence kind stays current (`freshness: {scan: 30d, file: 1y}`);
    /// `crate::freshness` states the rule.
    #[serde(default, skip_serializing_if = "crate::freshness::Freshness::is_empty")]
    pub freshness: crate::freshness::Freshness,
    /// The limits `tekigo upkeep` holds the project to beyond dates it reads from files.
    #[serde(default, skip_serializing_if = "UpkeepLimits::is_default")]
    pub upkeep: UpkeepLimits,
}

/// The `upkeep:` section of tekigo.yaml: limits a team sets for itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpkeepLimits {
    /// Days an answer may stay in draft (not reviewed) after its date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreviewed_days: Option<u32>,
    /// Days a vulnerability the watch found may stay without a triage record: the
    /// project's deadline for reviewing a reported issue (62443-4-1 DM-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage_days: Option<u32>,
}

impl UpkeepLimits {
    pub fn is_default(&self) -> bool {
        *self == UpkeepLimits::default()
    }
}

fn default_lang() -> Lang {
    Lang::En
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What the product is and does, for the reader of a report who has never seen it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The end of the support period the manufacturer states (CRA Art. 13(8)), YYYY-MM-DD.
    /// A release without its own `support_until` inherits it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub name: String,
    #[serde(rename = "type")]
    pub component_type: ComponentType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// TCP ports the component is meant to have open; `tekigo probe --project` reports any
    /// other open port (CR 7.7, least functionality).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
    /// The component under evaluation as a certification body must know it (62443-4-2
    /// judges a component in its intended environment, so the report states what was
    /// evaluated and under which assumptions). All optional; a report says when one is
    /// missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<String>,
    /// External interfaces (network, serial, USB, ...): the attack surface evaluated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Interface>,
    /// Where the component is meant to run (zone, network, physical protection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intended_environment: Option<String>,
    /// The security context: what the evaluation takes for granted about the system
    /// around the component (62443-4-2's compensating countermeasures come from there).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// The SL-C a supplier states for a component nobody in this project assessed
    /// (`tekigo component claim`); zones use it where no 4-2 assessment exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<SupplierClaim>,
}

/// A component's capability level as its supplier states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplierClaim {
    /// SL-C per FR in FR order.
    pub sl_c: SlVector,
    /// What the claim rests on: `certificate` or `package`.
    pub source: ClaimSource,
    /// The releases it covers, as the supplier states them (`fw 2.x`).
    pub scope: String,
    /// YYYY-MM-DD the claim was recorded.
    pub recorded: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimSource {
    /// A certificate from a certification body (see `certificates/`).
    Certificate,
    /// A supplier's signed conformity package.
    Package,
}

impl ClaimSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimSource::Certificate => "certificate",
            ClaimSource::Package => "package",
        }
    }
}

impl Component {
    /// A component known by name, type and version only, as `tekigo init --component`
    /// makes it; the rest is described in tekigo.yaml.
    pub fn new(name: &str, component_type: ComponentType, version: Option<&str>) -> Component {
        Component {
            name: name.to_string(),
            component_type,
            version: version.map(str::to_string),
            ports: Vec::new(),
            description: None,
            hardware_version: None,
            firmware_version: None,
            interfaces: Vec::new(),
            intended_environment: None,
            assumptions: Vec::new(),
            claim: None,
        }
    }
}

/// One external interface of a component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The `report:` section of tekigo.yaml: how the project's reports are filed and signed.
/// Command-line flags of `tekigo report` override the single values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportControl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// e.g. Confidential, 社外秘.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// The sign-off block: who authored, reviewed and approved, and when. A row without a
    /// date is printed as a line still to be signed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
    /// The assessor's independence from the development of the subject, in the
    /// assessor's words; a report without it says that none was declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub independence: Option<String>,
    /// The id of the 62443-4-1 assessment in this project that a 4-2 report rests on
    /// (the development process the component comes out of).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_assessment: Option<String>,
    /// Documents outside the evidence store the report refers to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
}

/// The standard of the development-process assessments a component report rests on.
pub const PROCESS_STANDARD: &str = "62443-4-1";

/// Which development-process (62443-4-1) assessments a report of an assessment rests on,
/// the one rule for the command line and the server: none unless the assessment is a
/// 62443-4-2 one; then the assessment `report.process_assessment` names, which must be a
/// 62443-4-1 one ([`ProcessBasis::check`]); without that key, every 62443-4-1 assessment of
/// the project. A report with none says so (CCSC rests on a certified process).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessBasis<'a> {
    None,
    Named(&'a str),
    Every,
}

impl ProcessBasis<'_> {
    pub fn of<'a>(report: &'a ReportControl, a: &Assessment) -> ProcessBasis<'a> {
        if a.standard != "62443-4-2" {
            return ProcessBasis::None;
        }
        match report.process_assessment.as_deref() {
            Some(id) => ProcessBasis::Named(id),
            None => ProcessBasis::Every,
        }
    }

    /// Whether the named assessment, loaded, is a process one; the message names the key.
    pub fn check(id: &str, loaded: &Assessment) -> Result<(), String> {
        match loaded.standard == PROCESS_STANDARD {
            true => Ok(()),
            false => Err(format!(
                "report.process_assessment: {id:?} is a {} assessment, not {PROCESS_STANDARD}",
                loaded.standard
            )),
        }
    }
}

impl ReportControl {
    pub fn is_empty(&self) -> bool {
        *self == ReportControl::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub role: String,
    pub name: String,
    /// YYYY-MM-DD; absent while not yet signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// SHA-256 of the document as referenced, 64 hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config: ProjectConfig,
}

impl Project {
    /// Creates a project in `dir` (created if missing). Refuses to overwrite an existing one.
    pub fn init(dir: &Path, config: ProjectConfig) -> Result<Project, AssessError> {
        let file = dir.join(CONFIG_FILE);
        if file.exists() {
            return Err(AssessError::message(
                &file,
                "a tekigo project already exists here; nothing was changed",
            ));
        }
        for sub in [ASSESSMENTS_DIR, crate::evidence::EVIDENCE_DIR] {
            std::fs::create_dir_all(dir.join(sub))
                .map_err(|e| AssessError::io(dir.join(sub), e))?;
        }
        let project = Project {
            root: dir.to_path_buf(),
            config,
        };
        project.save_config()?;
        Ok(project)
    }

    /// Writes `tekigo.yaml` from `config` after checking it as a load would (comments in
    /// the file are not kept).
    pub fn save_config(&self) -> Result<(), AssessError> {
        let file = self.root.join(CONFIG_FILE);
        let text =
            serde_norway::to_string(&self.config).map_err(|e| AssessError::message(&file, e))?;
        let header = "# tekigo project: product, components, standards in scope.\n";
        let text = format!("{header}{text}");
        AssessError::from_problems(check_config(&self.config, &file, &text))?;
        crate::write_atomically(&file, text.as_bytes())
    }

    /// Opens the project whose `tekigo.yaml` is in `start` or the nearest directory above it.
    pub fn discover(start: &Path) -> Result<Project, AssessError> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            if d.join(CONFIG_FILE).is_file() {
                return Project::open(d);
            }
            dir = d.parent();
        }
        Err(AssessError::NoProject {
            start: start.to_path_buf(),
        })
    }

    pub fn open(root: &Path) -> Result<Project, AssessError> {
        let file = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&file).map_err(|e| AssessError::io(&file, e))?;
        let config: ProjectConfig = crate::parse_yaml(&file, &text)?;
        AssessError::from_problems(check_config(&config, &file, &text))?;
        if config.format != 1 {
            return Err(AssessError::message(
                &file,
                format!(
                    "format {} is not supported by this tekigo (1)",
                    config.format
                ),
            ));
        }
        Ok(Project {
            root: root.to_path_buf(),
            config,
        })
    }

    pub fn evidence(&self) -> EvidenceStore {
        EvidenceStore::new(&self.root)
    }

    pub fn component(&self, name: &str) -> Option<&Component> {
        self.config.components.iter().find(|c| c.name == name)
    }

    /// Path of an assessment file. Ids are restricted so that they can never name a path
    /// outside `assessments/`.
    pub fn assessment_path(&self, id: &str) -> Result<PathBuf, AssessError> {
        check_id(id).map_err(|m| AssessError::message(self.root.join(ASSESSMENTS_DIR), m))?;
        Ok(self.root.join(ASSESSMENTS_DIR).join(format!("{id}.yaml")))
    }

    pub fn assessment_ids(&self) -> Result<Vec<String>, AssessError> {
        let dir = self.root.join(ASSESSMENTS_DIR);
        let entries = std::fs::read_dir(&dir).map_err(|e| AssessError::io(&dir, e))?;
        let mut ids: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_suffix(".yaml").map(str::to_string)
            })
            .filter(|id| check_id(id).is_ok())
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// The catalog ids of the standards the project's assessments judge against, once each:
    /// what the levels of one assessment may rest on (a 4-2 claim on a 4-1 assessment).
    pub fn assessment_standards(
        &self,
        catalog: &Catalog,
    ) -> Result<std::collections::BTreeSet<String>, AssessError> {
        let mut out = std::collections::BTreeSet::new();
        for id in self.assessment_ids()? {
            out.insert(self.load_assessment(catalog, &id)?.standard);
        }
        Ok(out)
    }

    /// Loads an assessment and checks it against the catalog and the evidence store; every
    /// problem is reported with its line.
    pub fn load_assessment(&self, catalog: &Catalog, id: &str) -> Result<Assessment, AssessError> {
        let path = self.assessment_path(id)?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                AssessError::message(&path, format!("no assessment {id:?} in this project"))
            } else {
                AssessError::io(&path, e)
            }
        })?;
        let assessment: Assessment = crate::parse_yaml(&path, &text)?;
        let mut problems = validate::assessment(catalog, &assessment, &path, &text);
        if assessment.id != id {
            problems.push(crate::problem(
                &path,
                crate::line_of_key(&text, "id"),
                format!("the file is named {id:?} but holds id {:?}", assessment.id),
            ));
        }
        problems.extend(validate::evidence_present(
            &self.evidence(),
            &assessment,
            &path,
            &text,
        ));
        AssessError::from_problems(problems)?;
        Ok(assessment)
    }

    /// Checks and writes an assessment; on any problem nothing is written.
    pub fn save_assessment(&self, catalog: &Catalog, a: &Assessment) -> Result<(), AssessError> {
        let path = self.assessment_path(&a.id)?;
        let text = to_yaml(a).map_err(|e| AssessError::message(&path, e))?;
        let mut problems = validate::assessment(catalog, a, &path, &text);
        problems.extend(validate::evidence_present(
            &self.evidence(),
            a,
            &path,
            &text,
        ));
        AssessError::from_problems(problems)?;
        crate::write_atomically(&path, text.as_bytes())
    }
}

/// The YAML text of an assessment, with a header that tells a reader what the file is.
pub fn to_yaml(a: &Assessment) -> Result<String, serde_norway::Error> {
    let body = serde_norway::to_string(a)?;
    Ok(format!(
        "# tekigo assessment {}: {} against {}. Edit with `tekigo assess` or by hand.\n{body}",
        a.id, a.subject.name, a.standard
    ))
}

/// The rules a tekigo.yaml keeps beyond its shape, each problem naming the field (as a
/// path such as `report.approvals[1].date`) and the line of its key. Texts printed on a
/// report's cover must be one line, without control characters, and of a length a cover
/// can hold; dates are real dates; hashes are SHA-256; the 4-1 assessment is a valid id.
pub fn check_config(config: &ProjectConfig, file: &Path, text: &str) -> Vec<crate::Problem> {
    let mut problems = Vec::new();
    // (field path, section key, key, which occurrence after the section, value)
    let mut texts: Vec<(String, &str, &str, usize, String, usize)> = Vec::new();
    let mut add = |field: String, section, key, nth, value: Option<&str>, max| {
        if let Some(v) = value {
            texts.push((field, section, key, nth, v.to_string(), max));
        }
    };
    add(
        "product.name".into(),
        "product",
        "name",
        0,
        Some(&config.product.name),
        LINE_MAX,
    );
    let p_desc = config.product.description.as_deref();
    add(
        "product.description".into(),
        "product",
        "description",
        0,
        p_desc,
        PARAGRAPH_MAX,
    );
    let r = &config.report;
    for (key, value) in [
        ("document_id", &r.document_id),
        ("revision", &r.revision),
        ("classification", &r.classification),
    ] {
        add(
            format!("report.{key}"),
            "report",
            key,
            0,
            value.as_deref(),
            LINE_MAX,
        );
    }
    let indep = r.independence.as_deref();
    add(
        "report.independence".into(),
        "report",
        "independence",
        0,
        indep,
        PARAGRAPH_MAX,
    );
    for (i, c) in config.components.iter().enumerate() {
        let f = |name: &str| format!("components[{i}].{name}");
        for (key, value) in [
            ("description", &c.description),
            ("hardware_version", &c.hardware_version),
            ("firmware_version", &c.firmware_version),
            ("intended_environment", &c.intended_environment),
        ] {
            add(
                f(key),
                "components",
                key,
                i,
                value.as_deref(),
                PARAGRAPH_MAX,
            );
        }
        for (j, a) in c.assumptions.iter().enumerate() {
            let field = f(&format!("assumptions[{j}]"));
            add(
                field,
                "components",
                "assumptions",
                i,
                Some(a),
                PARAGRAPH_MAX,
            );
        }
        for (j, x) in c.interfaces.iter().enumerate() {
            let field = f(&format!("interfaces[{j}].name"));
            add(
                field,
                "components",
                "interfaces",
                i,
                Some(&x.name),
                LINE_MAX,
            );
            let field = f(&format!("interfaces[{j}].description"));
            let d = x.description.as_deref();
            add(field, "components", "interfaces", i, d, PARAGRAPH_MAX);
        }
    }
    for (i, a) in r.approvals.iter().enumerate() {
        add(
            format!("report.approvals[{i}].role"),
            "approvals",
            "role",
            i,
            Some(&a.role),
            LINE_MAX,
        );
        add(
            format!("report.approvals[{i}].name"),
            "approvals",
            "name",
            i,
            Some(&a.name),
            LINE_MAX,
        );
    }
    for (i, x) in r.references.iter().enumerate() {
        let title = Some(x.title.as_str());
        add(
            format!("report.references[{i}].title"),
            "references",
            "title",
            i,
            title,
            LINE_MAX,
        );
        let v = x.version.as_deref();
        add(
            format!("report.references[{i}].version"),
            "references",
            "version",
            i,
            v,
            LINE_MAX,
        );
    }
    let mut bad = |field: &str, section: &str, key: &str, nth: usize, message: String| {
        problems.push(crate::problem(
            file,
            line_of_field(text, section, key, nth),
            format!("{field}: {message}"),
        ));
    };
    for (field, section, key, nth, value, max) in texts {
        if let Some(m) = text_error(&value, max) {
            bad(&field, section, key, nth, m);
        }
    }
    if let Some(m) = config
        .product
        .support_until
        .as_deref()
        .and_then(crate::date_error)
    {
        bad("product.support_until", "product", "support_until", 0, m);
    }
    for (i, a) in r.approvals.iter().enumerate() {
        if let Some(m) = a.date.as_deref().and_then(crate::date_error) {
            bad(
                &format!("report.approvals[{i}].date"),
                "approvals",
                "date",
                i,
                m,
            );
        }
    }
    for (i, x) in r.references.iter().enumerate() {
        if let Some(h) = x
            .sha256
            .as_deref()
            .filter(|h| !crate::evidence::is_sha256(h))
        {
            let m = format!("{h:?} is not a SHA-256 (64 lower-case hex digits)");
            bad(
                &format!("report.references[{i}].sha256"),
                "references",
                "sha256",
                i,
                m,
            );
        }
    }
    for (kind, age) in config.freshness.entries() {
        if let Err(m) = crate::freshness::Freshness::check_entry(kind, age) {
            bad(&format!("freshness.{kind}"), "freshness", kind, 0, m);
        }
    }
    if let Some(id) = &r.process_assessment {
        if let Err(m) = check_id(id) {
            bad(
                "report.process_assessment",
                "report",
                "process_assessment",
                0,
                m,
            );
        }
    }
    problems
}

/// The line of the `nth` (0-based) `key:` after the line of `section:`, or of the first
/// `key:` after it when there are fewer (an entry without that key), or of `section:`.
/// Close enough to point a person at the entry without a YAML parser that keeps spans.
fn line_of_field(text: &str, section: &str, key: &str, nth: usize) -> Option<usize> {
    let start = crate::line_of_key(text, section)?;
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .skip(start)
        .filter(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with(&format!("{key}:"))
        })
        .map(|(i, _)| i + 1)
        .collect();
    found.get(nth).or(found.first()).copied().or(Some(start))
}

/// The longest one-line field (document id, revision, classification, product name).
const LINE_MAX: usize = 200;
/// The longest free text (a description, an assumption).
const PARAGRAPH_MAX: usize = 4000;

/// Why a text cannot go on a report: empty, too long, a control character, or (for a
/// one-line field, `max` of [`LINE_MAX`]) a line break.
fn text_error(v: &str, max: usize) -> Option<String> {
    let n = v.chars().count();
    if v.trim().is_empty() {
        Some("is empty; leave the field out instead".into())
    } else if n > max {
        Some(format!("is {n} characters long; at most {max}"))
    } else if max == LINE_MAX && v.contains(['\n', '\r']) {
        Some("must be one line".into())
    } else if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        Some("holds a control character".into())
    } else {
        None
    }
}

fn check_id(id: &str) -> Result<(), String> {
    check_file_id("assessment", id)
}

/// Whether `id` can name a project file (`assessments/ID.yaml`, `certificates/ID.yaml`):
/// 1-64 letters, digits, `-`, `_`, `.`, not starting with `.`, so it never names a path
/// outside its directory. `what` names the file's kind in the message.
pub fn check_file_id(what: &str, id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what} id {id:?} must be 1-64 letters, digits, '-', '_' or '.', not starting with '.'"
        ))
    }
}
