//! What the project holds that a regime's documents ask for, read once: the assessments,
//! frozen releases, SBOMs, test reports, the zone and conduit model, certificates and the
//! vulnerability watch. The files other commands write are read by their documented
//! fields only; a file without them is an error naming the file and the field.

use crate::DossierError;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use tekigo_assess::{Assessment, EvidenceRef, Method, Project};
use tekigo_catalog::Catalog;

/// How much of a stored file is read to tell an SBOM by its first bytes.
const SNIFF_BYTES: u64 = 16 * 1024;
/// Scan and probe reports larger than this are listed without their counts.
const REPORT_MAX_BYTES: u64 = 64 * 1024 * 1024;

pub(crate) struct Facts {
    pub assessments: Vec<Assessment>,
    pub releases: Vec<tekigo_assess::releases::ReleaseHeader>,
    pub sboms: Vec<Sbom>,
    pub tests: Vec<TestReport>,
    pub risk: Option<tekigo_risk::Document>,
    pub certificates: Vec<Certificate>,
    pub watch: Option<Watch>,
}

/// An SBOM: a stored evidence file, or a file a release lists.
pub(crate) struct Sbom {
    pub name: String,
    /// The evidence hash, or the path inside the project for a release's SBOM.
    pub location: String,
    pub format: &'static str,
}

/// A scan or probe report an answer cites, or a file cited by an answer verified by test.
pub(crate) struct TestReport {
    pub name: String,
    pub sha256: String,
    /// `directory`, `archive`, `live`, the probe's target kind, or `document`.
    pub kind: String,
    pub target: String,
    /// Checks run and findings, when the report could be read.
    pub counts: Option<(usize, usize)>,
    /// The requirements whose answers cite it.
    pub cited_by: BTreeSet<String>,
}

/// `certificates/ID.yaml`, as `tekigo cert add` writes it (the fields a document prints).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Certificate {
    pub id: String,
    pub scheme: String,
    pub body: String,
    pub number: String,
    pub standard: String,
    pub level: String,
    pub component: String,
    pub expires: String,
}

/// `watch/findings.json`: how many vulnerabilities the watch recorded, and how many are in
/// CISA's KEV catalogue (actively exploited: CRA Art. 14 reporting).
pub(crate) struct Watch {
    pub findings: usize,
    pub kev: usize,
}

#[derive(Deserialize)]
struct WatchFile {
    findings: Vec<WatchFinding>,
}

#[derive(Deserialize)]
struct WatchFinding {
    #[serde(default)]
    kev: bool,
}

impl Facts {
    pub(crate) fn gather(project: &Project, catalog: &Catalog) -> Result<Facts, DossierError> {
        let mut assessments = Vec::new();
        for id in project.assessment_ids()? {
            assessments.push(project.load_assessment(catalog, &id)?);
        }
        let releases = tekigo_assess::releases::release_headers(&project.root)?;
        let mut sboms = stored_sboms(project)?;
        for r in &releases {
            for name in &r.sboms {
                sboms.push(Sbom {
                    name: name.clone(),
                    location: format!("releases/{}/{name}", r.version),
                    format: "release",
                });
            }
        }
        let tests = test_reports(project, &assessments);
        let risk = match project.root.join(tekigo_risk::MODEL_FILE).is_file() {
            true => Some(tekigo_risk::Document::load(&project.root)?),
            false => None,
        };
        Ok(Facts {
            assessments,
            releases,
            sboms,
            tests,
            risk,
            certificates: certificates(&project.root)?,
            watch: watch(&project.root)?,
        })
    }
}

fn input(path: &Path, message: impl std::fmt::Display) -> DossierError {
    DossierError::Input {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// The entries of `dir` in name order; none when it does not exist.
fn entries(dir: &Path) -> Result<Vec<PathBuf>, DossierError> {
    let list = match std::fs::read_dir(dir) {
        Ok(list) => list,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(input(dir, e)),
    };
    let mut out: Vec<PathBuf> = list
        .map(|e| e.map(|e| e.path()).map_err(|e| input(dir, e)))
        .collect::<Result<_, _>>()?;
    out.sort();
    Ok(out)
}

fn certificates(root: &Path) -> Result<Vec<Certificate>, DossierError> {
    let mut out = Vec::new();
    for path in entries(&root.join("certificates"))? {
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| input(&path, e))?;
        let c: Certificate = serde_norway::from_str(&text).map_err(|e| {
            let line = e.location().map(|l| format!("line {}: ", l.line()));
            input(&path, format!("{}{e}", line.unwrap_or_default()))
        })?;
        out.push(c);
    }
    Ok(out)
}

fn watch(root: &Path) -> Result<Option<Watch>, DossierError> {
    let path = root.join("watch/findings.json");
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| input(&path, e))?;
    let w: WatchFile = serde_json::from_str(&text).map_err(|e| input(&path, e))?;
    Ok(Some(Watch {
        findings: w.findings.len(),
        kev: w.findings.iter().filter(|f| f.kev).count(),
    }))
}

/// The first bytes of a stored file, bounded.
fn head(path: &Path, limit: u64) -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(f) = std::fs::File::open(path) {
        // An unreadable file is simply not recognised as an SBOM.
        let _ = f.take(limit).read_to_end(&mut out);
    }
    out
}

/// CycloneDX (JSON or XML) or SPDX (JSON or tag-value), by the markers each format puts in
/// its first lines.
fn sbom_format(head: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(head);
    if text.contains("\"bomFormat\"") && text.contains("CycloneDX")
        || text.contains("cyclonedx.org/schema/bom")
    {
        Some("CycloneDX")
    } else if text.contains("\"spdxVersion\"") || text.contains("SPDXVersion:") {
        Some("SPDX")
    } else {
        None
    }
}

fn stored_sboms(project: &Project) -> Result<Vec<Sbom>, DossierError> {
    let store = project.evidence();
    let mut out = Vec::new();
    for path in entries(&project.root.join(tekigo_assess::evidence::EVIDENCE_DIR))? {
        let Some(sha) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !tekigo_assess::evidence::is_sha256(sha) || !path.is_file() {
            continue;
        }
        let Some(format) = sbom_format(&head(&path, SNIFF_BYTES)) else {
            continue;
        };
        let meta_path = path.with_extension("yaml");
        let meta = store.meta(sha).map_err(|e| input(&meta_path, e))?;
        out.push(Sbom {
            name: meta
                .and_then(|m| m.names.first().cloned())
                .unwrap_or_else(|| sha.to_string()),
            location: sha.to_string(),
            format,
        });
    }
    Ok(out)
}

fn test_reports(project: &Project, assessments: &[Assessment]) -> Vec<TestReport> {
    let store = project.evidence();
    let mut out: Vec<TestReport> = Vec::new();
    for a in assessments {
        for (id, answer) in &a.answers {
            let by_test = answer.verification() == Some(Method::Test);
            for e in &answer.evidence {
                let (sha, name, scan) = match e {
                    EvidenceRef::Scan { sha256, .. } => (sha256, None, true),
                    EvidenceRef::File { sha256, name } if by_test => (sha256, Some(name), false),
                    _ => continue,
                };
                if let Some(t) = out.iter_mut().find(|t| &t.sha256 == sha) {
                    t.cited_by.insert(id.clone());
                    continue;
                }
                let mut t = TestReport {
                    name: name.cloned().unwrap_or_default(),
                    sha256: sha.clone(),
                    kind: "document".into(),
                    target: String::new(),
                    counts: None,
                    cited_by: BTreeSet::from([id.clone()]),
                };
                if t.name.is_empty() {
                    t.name = store
                        .meta(sha)
                        .ok()
                        .flatten()
                        .and_then(|m| m.names.first().cloned())
                        .unwrap_or_else(|| sha.clone());
                }
                if scan {
                    read_scan(store.path_of(sha).as_deref(), &mut t);
                }
                out.push(t);
            }
        }
    }
    out
}

/// The target and counts of a stored scan or probe report (the JSON of
/// docs/scan-json.md); a report that does not read is listed without them.
fn read_scan(path: Option<&Path>, t: &mut TestReport) {
    let Some(path) = path else { return };
    if std::fs::metadata(path).map_or(true, |m| m.len() > REPORT_MAX_BYTES) {
        return;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return;
    };
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    t.kind = text(&v["target"]["kind"]);
    t.target = text(&v["target"]["path"]);
    if let Some(results) = v["results"].as_array() {
        let findings = results
            .iter()
            .filter(|r| matches!(r["verdict"].as_str(), Some("fail" | "absent")))
            .count();
        t.counts = Some((results.len(), findings));
    }
}
