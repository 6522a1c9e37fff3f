//! The project directory format in and out of the server, so that git and the server hold
//! the same truth: `tekigo server import DIR` reads what `tekigo init`, `tekigo assess` and
//! `tekigo risk` write (the zone and conduit model, `risk/system.yaml`, the frozen releases
//! and the upkeep's certificates, CRA record and watch findings included), and
//! `tekigo server export` writes a directory those commands read.
//!
//! Both directions check everything first (every assessment file by the same rules as
//! `tekigo assess`, every cited evidence file by its hash) and then write in one go: an
//! import is one database transaction, an export refuses an existing directory.

use crate::error::AppError;
use crate::service;
use crate::state::Shared;
use std::path::Path;
use tekigo_assess::evidence::EvidenceStore;
use tekigo_assess::Project;
use tekigo_store::records;

/// Imports the project in `dir` under `id` and returns the number of assessments.
pub fn import_project(s: &Shared, actor: &str, dir: &Path, id: &str) -> Result<usize, AppError> {
    service::check_id(service::IdKind::Project, id)?;
    let project = Project::open(dir)?;
    let mut assessments = Vec::new();
    for aid in project.assessment_ids()? {
        assessments.push(project.load_assessment(s.catalog, &aid)?);
    }
    let source = project.evidence();
    let target = EvidenceStore::new(&s.data_dir);
    let mut evidence = Vec::new();
    let mut cited: Vec<&str> = assessments
        .iter()
        .flat_map(|a| a.evidence_hashes())
        .collect();
    cited.sort_unstable();
    cited.dedup();
    for sha in cited {
        let path = source.path_of(sha).ok_or_else(|| {
            AppError::BadRequest(format!("{}: evidence {sha} missing", dir.display()))
        })?;
        let mut file = std::fs::File::open(&path)
            .map_err(|e| AppError::BadRequest(format!("{}: {e}", path.display())))?;
        let meta = source.meta(sha).ok().flatten();
        // When the directory first had the file, if its record says so in RFC 3339: the
        // evidence keeps its age for the freshness rule.
        let added = meta
            .as_ref()
            .map(|m| m.added.clone())
            .filter(|a| tekigo_upkeep::cra::parse_time(a).is_some());
        let public = meta.as_ref().is_some_and(|m| m.public);
        let name = meta
            .and_then(|m| m.names.into_iter().next())
            .unwrap_or_else(|| sha.to_string());
        // The server's store is shared by all projects: the name stays with this
        // project's evidence row.
        let stored = target
            .add_unrecorded(&mut file)
            .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
        if stored.sha256 != sha {
            return Err(AppError::BadRequest(format!(
                "{}: its content does not match its name {sha}",
                path.display()
            )));
        }
        let size = i64::try_from(stored.meta.size).unwrap_or(i64::MAX);
        evidence.push((
            stored.sha256,
            service::safe_name(&name),
            size,
            added,
            public,
        ));
    }
    let triage = triage_rows(dir)?;
    let risk = risk_model(dir)?;
    let releases = release_rows(dir)?;
    let files = tekigo_upkeep::project_files(&project, s.catalog)?;
    let config = json(&project.config)?;
    let rows: Vec<AssessmentRows> = assessments
        .iter()
        .map(|a| {
            let header = json(&tekigo_assess::Assessment {
                answers: Default::default(),
                ..a.clone()
            })?;
            let answers = a
                .answers
                .iter()
                .map(|(rid, ans)| Ok((rid.clone(), json(ans)?)))
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok((a.id.clone(), header, answers))
        })
        .collect::<Result<_, AppError>>()?;
    s.store.write(|tx| {
        records::project_create(tx, actor, id, &config)?;
        for (sha, name, size, added, public) in &evidence {
            records::evidence_add(tx, actor, id, sha, name, *size, added.as_deref())?;
            if *public {
                records::evidence_mark_public(tx, actor, id, sha)?;
            }
        }
        for (aid, header, answers) in &rows {
            records::assessment_create(tx, actor, id, aid, header)?;
            for (rid, body) in answers {
                records::answer_put(tx, actor, (id, aid, rid), body, 0)?;
            }
        }
        for (vulnerability, component, body) in &triage {
            records::triage_put(tx, actor, (id, vulnerability, component), body, 0)?;
        }
        if let Some(text) = &risk {
            records::risk_model_put(tx, actor, id, text, 0)?;
        }
        for r in &releases {
            records::release_add(tx, actor, id, r)?;
        }
        for (path, text) in &files {
            records::project_file_add(tx, actor, id, path, text)?;
        }
        Ok(())
    })?;
    Ok(rows.len())
}

/// Writes project `id` as a project directory in `out`, which must not hold one yet.
pub fn export_project(s: &Shared, id: &str, out: &Path) -> Result<usize, AppError> {
    write_project(s, id, out, Evidence::Copied)
}

/// How the evidence files get into a written project directory. Either way each has its
/// record (`evidence/SHA.yaml`) with the project's name for it and the date the project
/// first had it (an upload, or the date an import kept), so evidence keeps its age for the
/// freshness rule across import and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Copied: the directory is the user's (`server export`).
    Copied,
    /// Hard-linked from the server's store (copied where links cannot be made): for a
    /// private directory the server computes from and removes (the upkeep), which never
    /// writes to them.
    Linked,
}

/// Writes project `id` as a project directory in `out` (see [`export_project`]) and
/// returns the number of assessments.
pub fn write_project(
    s: &Shared,
    id: &str,
    out: &Path,
    evidence: Evidence,
) -> Result<usize, AppError> {
    let config = service::project_config(s, id)?;
    let mut assessments = Vec::new();
    for (aid, _) in s.store.read(|c| records::assessments(c, id))? {
        assessments.push(service::load(s, id, &aid)?.assessment);
    }
    let project = Project::init(out, config)?;
    for row in s.store.read(|c| records::evidence_list(c, id))? {
        let (_, path) = service::evidence_file(s, id, &row.sha256)?;
        put_evidence(&path, out, &row, evidence)?;
    }
    for a in &assessments {
        project.save_assessment(s.catalog, a)?;
    }
    let mut triage = Vec::new();
    for row in s.store.read(|c| records::triage(c, id))? {
        let record: tekigo_vex::Record = serde_json::from_str(&row.body)
            .map_err(|e| AppError::Internal(format!("triage {id}/{}: {e}", row.vulnerability)))?;
        triage.push(record);
    }
    if !triage.is_empty() {
        let vex = |e: tekigo_vex::VexError| AppError::Internal(e.to_string());
        tekigo_vex::Triage::from_records(triage)
            .map_err(vex)?
            .save_to(out)
            .map_err(vex)?;
    }
    if let Some((text, _)) = s.store.read(|c| records::risk_model(c, id))? {
        let path = out.join(tekigo_risk::MODEL_FILE);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| AppError::Internal(format!("{}: {e}", parent.display())))?;
        }
        tekigo_assess::write_atomically(&path, text.as_bytes())?;
    }
    for r in s.store.read(|c| records::releases(c, id))? {
        write_release(out, &r)?;
    }
    for (rel, text) in s.store.read(|c| records::project_files(c, id))? {
        write_project_file(out, &rel, &text)?;
    }
    Ok(assessments.len())
}

/// One stored evidence file in a written project directory, with its record dated by when
/// the project first had it.
fn put_evidence(
    from: &Path,
    root: &Path,
    row: &records::EvidenceRow,
    how: Evidence,
) -> Result<(), AppError> {
    let internal = |e: std::io::Error| AppError::Internal(format!("{}: {e}", from.display()));
    let dir = root.join(tekigo_assess::evidence::EVIDENCE_DIR);
    std::fs::create_dir_all(&dir).map_err(internal)?;
    let to = dir.join(&row.sha256);
    if how == Evidence::Copied || std::fs::hard_link(from, &to).is_err() {
        std::fs::copy(from, &to).map_err(internal)?;
    }
    let meta = tekigo_assess::evidence::EvidenceMeta {
        names: vec![row.name.clone()],
        size: u64::try_from(row.size).unwrap_or_default(),
        added: row.created.clone(),
        public: row.public,
    };
    let text = serde_norway::to_string(&meta).map_err(|e| AppError::Internal(e.to_string()))?;
    tekigo_assess::write_atomically(&dir.join(format!("{}.yaml", row.sha256)), text.as_bytes())?;
    Ok(())
}

/// Writes a stored project file (`tekigo_upkeep::project_files`) at its path under `root`.
/// The path came from an import, which only stores the upkeep's own names; it is checked
/// again here so that a row changed in the database cannot write outside `root`.
fn write_project_file(root: &Path, rel: &str, text: &str) -> Result<(), AppError> {
    let inside = Path::new(rel)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside || rel.is_empty() {
        return Err(AppError::Internal(format!(
            "stored project file {rel:?} is not a path inside a project"
        )));
    }
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| AppError::Internal(format!("{}: {e}", parent.display())))?;
    }
    tekigo_assess::write_atomically(&path, text.as_bytes())?;
    Ok(())
}

/// The frozen releases of the directory, each checked first (`tekigo release verify`): a
/// release whose files or record changed after the freeze is refused, not carried over.
fn release_rows(dir: &Path) -> Result<Vec<records::ReleaseRow>, AppError> {
    let bad = |e: tekigo_release::ReleaseError| AppError::BadRequest(e.to_string());
    let mut rows = Vec::new();
    for release in tekigo_release::list(dir).map_err(bad)? {
        let v = release.version.as_str();
        let check = tekigo_release::verify(dir, v, None).map_err(bad)?;
        if let Some(f) = check.failures.first() {
            return Err(AppError::BadRequest(format!("release {v}: {f}")));
        }
        let text = |name: &str| -> Result<String, AppError> {
            let bytes = tekigo_release::read_release_file(dir, v, name).map_err(bad)?;
            String::from_utf8(bytes)
                .map_err(|_| AppError::BadRequest(format!("releases/{v}/{name}: not UTF-8 text")))
        };
        let mut files = serde_json::Map::new();
        for f in &release.files {
            files.insert(f.name.clone(), text(&f.name)?.into());
        }
        rows.push(records::ReleaseRow {
            version: release.version.clone(),
            body: text(tekigo_release::RELEASE_FILE)?,
            files: serde_json::Value::Object(files).to_string(),
        });
    }
    Ok(rows)
}

/// Writes a stored release as `releases/VERSION/` under `root`, as the freeze wrote it.
pub fn write_release(root: &Path, r: &records::ReleaseRow) -> Result<(), AppError> {
    let dir = tekigo_release::release_dir(root, &r.version)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let files: std::collections::BTreeMap<String, String> = serde_json::from_str(&r.files)
        .map_err(|e| AppError::Internal(format!("release {}: {e}", r.version)))?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::Internal(format!("{}: {e}", dir.display())))?;
    for (name, text) in files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .chain([(tekigo_release::RELEASE_FILE, r.body.as_str())])
    {
        // Names come from the database: only plain file names are written.
        if name.contains('/') || name.starts_with('.') {
            return Err(AppError::Internal(format!(
                "release {}: file name {name:?}",
                r.version
            )));
        }
        tekigo_assess::write_atomically(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}

/// The text of the project's `risk/system.yaml`, if it has one, after the checks that
/// must pass before anything can be computed from it (format, risk matrix, derivation
/// rule): the server never holds a model `tekigo risk` would refuse to read.
fn risk_model(dir: &Path) -> Result<Option<String>, AppError> {
    let path = dir.join(tekigo_risk::MODEL_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(AppError::BadRequest(format!("{}: {e}", path.display()))),
    };
    tekigo_risk::Document::parse(&path, text.clone()).map_err(crate::zones::risk_error)?;
    Ok(Some(text))
}

/// The decisions of the project's `vex/triage.yaml` as the store keys them: (vulnerability
/// id, component label, record JSON). Two records the store cannot tell apart (an
/// any-version record beside one for a version of the same component) are refused.
fn triage_rows(dir: &Path) -> Result<Vec<(String, String, String)>, AppError> {
    let triage = tekigo_vex::Triage::load(dir).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for r in triage.records() {
        let key = (r.vulnerability.clone(), r.component.label());
        if rows.iter().any(|(v, c, _)| (v, c) == (&key.0, &key.1)) {
            return Err(AppError::BadRequest(format!(
                "{}: two records for {} in {}; the server keeps one decision per \
                 vulnerability and component",
                dir.join(tekigo_vex::TRIAGE_FILE).display(),
                key.0,
                key.1
            )));
        }
        rows.push((key.0, key.1, json(r)?));
    }
    Ok(rows)
}

/// An assessment as the store holds it: id, header JSON, and (requirement, answer JSON).
type AssessmentRows = (String, String, Vec<(String, String)>);

fn json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}
