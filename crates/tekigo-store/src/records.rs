//! Projects, assessments, answers, evidence and uploaded scans: the project directory
//! format held in tables.
//!
//! A project's `tekigo.yaml` and an assessment's header are stored as JSON documents, one
//! answer per row. Answers carry a version so that two people editing one answer cannot
//! overwrite each other: a write names the version it started from, and a newer one in the
//! table refuses it ([`StoreError::Conflict`]).

use crate::audit::Tx;
use crate::conn::{Conn, Row, Val};
use crate::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ProjectRow {
    pub id: String,
    /// The project's `tekigo.yaml`, as JSON.
    pub config: String,
    pub created: String,
}

fn project_from_row(r: &Row) -> Result<ProjectRow, StoreError> {
    Ok(ProjectRow {
        id: r.text(0)?,
        config: r.text(1)?,
        created: r.text(2)?,
    })
}

pub fn project(c: &mut dyn Conn, id: &str) -> Result<Option<ProjectRow>, StoreError> {
    c.query(
        "SELECT id, config, created FROM projects WHERE id = $1",
        &[id.into()],
    )?
    .first()
    .map(project_from_row)
    .transpose()
}

/// Every project, for server administrators.
pub fn projects(c: &mut dyn Conn) -> Result<Vec<ProjectRow>, StoreError> {
    c.query("SELECT id, config, created FROM projects ORDER BY id", &[])?
        .iter()
        .map(project_from_row)
        .collect()
}

/// The projects a user is a member of.
pub fn projects_of(c: &mut dyn Conn, user_id: &str) -> Result<Vec<ProjectRow>, StoreError> {
    c.query(
        "SELECT p.id, p.config, p.created FROM projects p
         JOIN members m ON m.project_id = p.id WHERE m.user_id = $1 ORDER BY p.id",
        &[user_id.into()],
    )?
    .iter()
    .map(project_from_row)
    .collect()
}

pub fn project_create(tx: &mut Tx, actor: &str, id: &str, config: &str) -> Result<(), StoreError> {
    if project(tx, id)?.is_some() {
        return Err(StoreError::Exists(format!("project {id:?}")));
    }
    tx.exec(
        "INSERT INTO projects (id, config, created) VALUES ($1, $2, $3)",
        &[id.into(), config.into(), crate::now_rfc3339().into()],
    )?;
    tx.audit(
        actor,
        "project.create",
        &format!("project/{id}/"),
        "",
        config,
    )
}

pub fn project_set_config(
    tx: &mut Tx,
    actor: &str,
    id: &str,
    config: &str,
) -> Result<(), StoreError> {
    let before = project(tx, id)?
        .ok_or_else(|| StoreError::NotFound(format!("project {id:?}")))?
        .config;
    tx.exec(
        "UPDATE projects SET config = $1 WHERE id = $2",
        &[config.into(), id.into()],
    )?;
    tx.audit(
        actor,
        "project.config",
        &format!("project/{id}/"),
        &before,
        config,
    )
}

/// The assessment headers (the file without answers, as JSON) of a project, by id.
pub fn assessments(c: &mut dyn Conn, project: &str) -> Result<Vec<(String, String)>, StoreError> {
    c.query(
        "SELECT id, header FROM assessments WHERE project_id = $1 ORDER BY id",
        &[project.into()],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?)))
    .collect()
}

pub fn assessment(c: &mut dyn Conn, project: &str, id: &str) -> Result<Option<String>, StoreError> {
    c.query(
        "SELECT header FROM assessments WHERE project_id = $1 AND id = $2",
        &[project.into(), id.into()],
    )?
    .first()
    .map(|r| r.text(0))
    .transpose()
}

pub fn assessment_create(
    tx: &mut Tx,
    actor: &str,
    project: &str,
    id: &str,
    header: &str,
) -> Result<(), StoreError> {
    if assessment(tx, project, id)?.is_some() {
        return Err(StoreError::Exists(format!(
            "assessment {id:?} in project {project:?}"
        )));
    }
    tx.exec(
        "INSERT INTO assessments (project_id, id, header) VALUES ($1, $2, $3)",
        &[project.into(), id.into(), header.into()],
    )?;
    tx.audit(
        actor,
        "assessment.create",
        &format!("project/{project}/assessment/{id}"),
        "",
        header,
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerRow {
    pub requirement: String,
    /// The answer as JSON (`tekigo_assess::Answer`).
    pub body: String,
    pub version: i64,
    pub updated: String,
    pub updated_by: String,
}

fn answer_from_row(r: &Row) -> Result<AnswerRow, StoreError> {
    Ok(AnswerRow {
        requirement: r.text(0)?,
        body: r.text(1)?,
        version: r.int(2)?,
        updated: r.text(3)?,
        updated_by: r.text(4)?,
    })
}

const ANSWER_COLUMNS: &str = "requirement, body, version, updated, updated_by";

pub fn answers(
    c: &mut dyn Conn,
    project: &str,
    assessment: &str,
) -> Result<Vec<AnswerRow>, StoreError> {
    c.query(
        &format!(
            "SELECT {ANSWER_COLUMNS} FROM answers WHERE project_id = $1 AND assessment_id = $2"
        ),
        &[project.into(), assessment.into()],
    )?
    .iter()
    .map(answer_from_row)
    .collect()
}

pub fn answer(
    c: &mut dyn Conn,
    project: &str,
    assessment: &str,
    requirement: &str,
) -> Result<Option<AnswerRow>, StoreError> {
    c.query(
        &format!(
            "SELECT {ANSWER_COLUMNS} FROM answers
             WHERE project_id = $1 AND assessment_id = $2 AND requirement = $3"
        ),
        &[project.into(), assessment.into(), requirement.into()],
    )?
    .first()
    .map(answer_from_row)
    .transpose()
}

/// Writes an answer if it is still at `expected_version` (0: it must not exist yet) and
/// returns its new version.
pub fn answer_put(
    tx: &mut Tx,
    actor: &str,
    (project, assessment, requirement): (&str, &str, &str),
    body: &str,
    expected_version: i64,
) -> Result<i64, StoreError> {
    let current = answer(tx, project, assessment, requirement)?;
    put_versioned(
        tx,
        actor,
        Versioned {
            table: "answers",
            key_columns: ["project_id", "assessment_id", "requirement"],
            key: [project, assessment, requirement],
            object: format!("project/{project}/assessment/{assessment}/answer/{requirement}"),
            action: "answer.set",
        },
        current.map(|a| (a.body, a.version)),
        body,
        expected_version,
    )
}

/// A row kept with a version for optimistic concurrency: its table, its three-column key,
/// and how the audit trail names it.
struct Versioned<'a> {
    table: &'static str,
    key_columns: [&'static str; 3],
    key: [&'a str; 3],
    object: String,
    action: &'static str,
}

/// Writes `body` if the row is still at `expected_version` (0: it must not exist yet),
/// audits the change and returns the new version. `current` is the row's body and version
/// as read in this transaction.
fn put_versioned(
    tx: &mut Tx,
    actor: &str,
    row: Versioned,
    current: Option<(String, i64)>,
    body: &str,
    expected_version: i64,
) -> Result<i64, StoreError> {
    let current_version = current.as_ref().map_or(0, |c| c.1);
    if current_version != expected_version {
        return Err(StoreError::Conflict {
            object: row.object,
            current: current_version,
        });
    }
    let version = current_version + 1;
    let [k1, k2, k3] = row.key_columns;
    let mut params: Vec<Val> = row.key.iter().map(|k| Val::from(*k)).collect();
    params.extend([
        Val::from(body),
        Val::Int(version),
        crate::now_rfc3339().into(),
        actor.into(),
    ]);
    // The version condition repeats the check inside the statement, so a second writer on
    // another connection can never slip between the read and this write.
    let changed = if current.is_some() {
        params.push(Val::Int(current_version));
        tx.exec(
            &format!(
                "UPDATE {} SET body = $4, version = $5, updated = $6, updated_by = $7
                 WHERE {k1} = $1 AND {k2} = $2 AND {k3} = $3 AND version = $8",
                row.table
            ),
            &params,
        )?
    } else {
        tx.exec(
            &format!(
                "INSERT INTO {} ({k1}, {k2}, {k3}, body, version, updated, updated_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                row.table
            ),
            &params,
        )?
    };
    if changed != 1 {
        return Err(StoreError::Conflict {
            object: row.object,
            current: current_version,
        });
    }
    let before = current.map(|c| c.0).unwrap_or_default();
    tx.audit(actor, row.action, &row.object, &before, body)?;
    Ok(version)
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    pub sha256: String,
    pub name: String,
    pub size: i64,
    pub uploaded_by: String,
    pub created: String,
    /// May go into a package exported with public evidence only
    /// (`tekigo_assess::evidence::EvidenceMeta::public`).
    pub public: bool,
}

const EVIDENCE_COLUMNS: &str = "sha256, name, size, uploaded_by, created, public";

fn evidence_from_row(r: &Row) -> Result<EvidenceRow, StoreError> {
    Ok(EvidenceRow {
        sha256: r.text(0)?,
        name: r.text(1)?,
        size: r.int(2)?,
        uploaded_by: r.text(3)?,
        created: r.text(4)?,
        public: r.int(5)? != 0,
    })
}

/// Records that `project` may read the stored bytes `sha256` under `name`. Uploading the
/// same bytes again keeps the first name. `created` is when the project first had the
/// file (RFC 3339; an import keeps the directory's date, which the freshness rule reads),
/// else now.
pub fn evidence_add(
    tx: &mut Tx,
    actor: &str,
    project: &str,
    sha256: &str,
    name: &str,
    size: i64,
    created: Option<&str>,
) -> Result<EvidenceRow, StoreError> {
    if let Some(existing) = evidence(tx, project, sha256)? {
        return Ok(existing);
    }
    tx.exec(
        &format!(
            "INSERT INTO evidence (project_id, {EVIDENCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, 0)"
        ),
        &[
            project.into(),
            sha256.into(),
            name.into(),
            Val::Int(size),
            actor.into(),
            created
                .map_or_else(crate::now_rfc3339, str::to_string)
                .into(),
        ],
    )?;
    tx.audit(
        actor,
        "evidence.add",
        &format!("project/{project}/evidence/{sha256}"),
        "",
        name,
    )?;
    evidence(tx, project, sha256)?.ok_or_else(|| StoreError::NotFound(format!("evidence {sha256}")))
}

/// Marks a recorded evidence file public (audited). Marking is one-way, as
/// `tekigo assess set ... --public` is: a file once handed out cannot be taken back.
pub fn evidence_mark_public(
    tx: &mut Tx,
    actor: &str,
    project: &str,
    sha256: &str,
) -> Result<(), StoreError> {
    let n = tx.exec(
        "UPDATE evidence SET public = 1 WHERE project_id = $1 AND sha256 = $2 AND public = 0",
        &[project.into(), sha256.into()],
    )?;
    if n > 0 {
        tx.audit(
            actor,
            "evidence.public",
            &format!("project/{project}/evidence/{sha256}"),
            "",
            "public",
        )?;
    }
    Ok(())
}

pub fn evidence(
    c: &mut dyn Conn,
    project: &str,
    sha256: &str,
) -> Result<Option<EvidenceRow>, StoreError> {
    c.query(
        &format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE project_id = $1 AND sha256 = $2"),
        &[project.into(), sha256.into()],
    )?
    .first()
    .map(evidence_from_row)
    .transpose()
}

pub fn evidence_list(c: &mut dyn Conn, project: &str) -> Result<Vec<EvidenceRow>, StoreError> {
    c.query(
        &format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE project_id = $1 ORDER BY name"),
        &[project.into()],
    )?
    .iter()
    .map(evidence_from_row)
    .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanRow {
    pub id: String,
    pub device: String,
    /// The scan report in the evidence store.
    pub sha256: String,
    /// Verdict counts, as JSON.
    pub summary: String,
    pub uploaded_by: String,
    pub created: String,
}

pub fn scan_add(tx: &mut Tx, actor: &str, project: &str, scan: &ScanRow) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO scans (id, project_id, device, sha256, summary, uploaded_by, created)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            scan.id.as_str().into(),
            project.into(),
            scan.device.as_str().into(),
            scan.sha256.as_str().into(),
            scan.summary.as_str().into(),
            actor.into(),
            scan.created.as_str().into(),
        ],
    )?;
    tx.audit(
        actor,
        "scan.upload",
        &format!("project/{project}/scan/{}", scan.id),
        "",
        &scan.summary,
    )
}

/// The newest scans of a project.
pub fn scans(c: &mut dyn Conn, project: &str, limit: i64) -> Result<Vec<ScanRow>, StoreError> {
    c.query(
        "SELECT id, device, sha256, summary, uploaded_by, created FROM scans
         WHERE project_id = $1 ORDER BY created DESC, id LIMIT $2",
        &[project.into(), Val::Int(limit)],
    )?
    .iter()
    .map(|r| {
        Ok(ScanRow {
            id: r.text(0)?,
            device: r.text(1)?,
            sha256: r.text(2)?,
            summary: r.text(3)?,
            uploaded_by: r.text(4)?,
            created: r.text(5)?,
        })
    })
    .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct SbomRow {
    pub id: String,
    pub name: String,
    /// The SBOM file in the evidence store.
    pub sha256: String,
    pub components: i64,
    pub uploaded_by: String,
    pub created: String,
}

pub fn sbom_add(tx: &mut Tx, actor: &str, project: &str, sbom: &SbomRow) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO sboms (id, project_id, name, sha256, components, uploaded_by, created)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            sbom.id.as_str().into(),
            project.into(),
            sbom.name.as_str().into(),
            sbom.sha256.as_str().into(),
            Val::Int(sbom.components),
            actor.into(),
            sbom.created.as_str().into(),
        ],
    )?;
    tx.audit(
        actor,
        "sbom.upload",
        &format!("project/{project}/sbom/{}", sbom.id),
        "",
        &sbom.name,
    )
}

/// The SBOMs of a project, newest first.
pub fn sboms(c: &mut dyn Conn, project: &str) -> Result<Vec<SbomRow>, StoreError> {
    c.query(
        "SELECT id, name, sha256, components, uploaded_by, created FROM sboms
         WHERE project_id = $1 ORDER BY created DESC, id",
        &[project.into()],
    )?
    .iter()
    .map(|r| {
        Ok(SbomRow {
            id: r.text(0)?,
            name: r.text(1)?,
            sha256: r.text(2)?,
            components: r.int(3)?,
            uploaded_by: r.text(4)?,
            created: r.text(5)?,
        })
    })
    .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct TriageRow {
    pub vulnerability: String,
    pub component: String,
    /// The triage record (`tekigo_vex::Record`) as JSON.
    pub body: String,
    pub version: i64,
}

pub fn triage(c: &mut dyn Conn, project: &str) -> Result<Vec<TriageRow>, StoreError> {
    c.query(
        "SELECT vulnerability, component, body, version FROM triage
         WHERE project_id = $1 ORDER BY vulnerability, component",
        &[project.into()],
    )?
    .iter()
    .map(|r| {
        Ok(TriageRow {
            vulnerability: r.text(0)?,
            component: r.text(1)?,
            body: r.text(2)?,
            version: r.int(3)?,
        })
    })
    .collect()
}

/// Writes a triage decision if it is still at `expected_version` (0: a new one).
pub fn triage_put(
    tx: &mut Tx,
    actor: &str,
    (project, vulnerability, component): (&str, &str, &str),
    body: &str,
    expected_version: i64,
) -> Result<i64, StoreError> {
    let current = tx
        .query(
            "SELECT body, version FROM triage
             WHERE project_id = $1 AND vulnerability = $2 AND component = $3",
            &[project.into(), vulnerability.into(), component.into()],
        )?
        .first()
        .map(|r| Ok::<_, StoreError>((r.text(0)?, r.int(1)?)))
        .transpose()?;
    put_versioned(
        tx,
        actor,
        Versioned {
            table: "triage",
            key_columns: ["project_id", "vulnerability", "component"],
            key: [project, vulnerability, component],
            object: format!("project/{project}/triage/{vulnerability}/{component}"),
            action: "triage.set",
        },
        current,
        body,
        expected_version,
    )
}

/// A project's zone and conduit model: its `risk/system.yaml` text and version.
pub fn risk_model(c: &mut dyn Conn, project: &str) -> Result<Option<(String, i64)>, StoreError> {
    c.query(
        "SELECT body, version FROM risk_models WHERE project_id = $1",
        &[project.into()],
    )?
    .first()
    .map(|r| Ok((r.text(0)?, r.int(1)?)))
    .transpose()
}

/// Writes a project's zone and conduit model if it is still at `expected_version` (0: the
/// project has none yet); returns the new version.
pub fn risk_model_put(
    tx: &mut Tx,
    actor: &str,
    project: &str,
    body: &str,
    expected_version: i64,
) -> Result<i64, StoreError> {
    let current = risk_model(tx, project)?;
    let object = format!("project/{project}/risk");
    let current_version = current.as_ref().map_or(0, |c| c.1);
    if current_version != expected_version {
        return Err(StoreError::Conflict {
            object,
            current: current_version,
        });
    }
    let version = current_version + 1;
    let now = crate::now_rfc3339();
    // As in `put_versioned`: the version condition inside the statement keeps a second
    // writer from slipping between the read and this write.
    let changed = if current.is_some() {
        tx.exec(
            "UPDATE risk_models SET body = $1, version = $2, updated = $3, updated_by = $4
             WHERE project_id = $5 AND version = $6",
            &[
                body.into(),
                Val::Int(version),
                now.into(),
                actor.into(),
                project.into(),
                Val::Int(current_version),
            ],
        )?
    } else {
        tx.exec(
            "INSERT INTO risk_models (project_id, body, version, updated, updated_by)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                project.into(),
                body.into(),
                Val::Int(version),
                now.into(),
                actor.into(),
            ],
        )?
    };
    if changed != 1 {
        return Err(StoreError::Conflict {
            object,
            current: current_version,
        });
    }
    let before = current.map(|c| c.0).unwrap_or_default();
    tx.audit(actor, "risk.set", &object, &before, body)?;
    Ok(version)
}

/// A frozen release of a project (`releases/VERSION/` of the project directory).
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseRow {
    pub version: String,
    /// release.json as written.
    pub body: String,
    /// A JSON object of the files beside it, name to text.
    pub files: String,
}

/// Stores a frozen release; a version that exists is a conflict (a release never changes).
pub fn release_add(
    tx: &mut Tx,
    actor: &str,
    project: &str,
    release: &ReleaseRow,
) -> Result<(), StoreError> {
    let object = format!("project/{project}/release/{}", release.version);
    let exists = tx.query(
        "SELECT 1 FROM releases WHERE project_id = $1 AND version = $2",
        &[project.into(), release.version.as_str().into()],
    )?;
    if !exists.is_empty() {
        return Err(StoreError::Conflict { object, current: 1 });
    }
    tx.exec(
        "INSERT INTO releases (project_id, version, body, files, created, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            project.into(),
            release.version.as_str().into(),
            release.body.as_str().into(),
            release.files.as_str().into(),
            crate::now_rfc3339().into(),
            actor.into(),
        ],
    )?;
    tx.audit(actor, "release.freeze", &object, "", &release.body)
}

/// Stores a file of a project directory that has no table of its own (the certificates,
/// the CRA record and the watch's findings, issue 16) under its path in the directory; a
/// path the project already has is a conflict: these files come in with an import.
pub fn project_file_add(
    tx: &mut Tx,
    actor: &str,
    project: &str,
    path: &str,
    body: &str,
) -> Result<(), StoreError> {
    write_project_file(tx, actor, (project, path), None, body, "file.add")
}

/// Writes a project file that the server itself changes after the import (a certificate
/// added or renewed through the pages, the findings of the server's watch), if it still
/// holds `expected` (`None`: the project has no such file yet): replaced whole, the text
/// before and after in the audit chain. A change that started from another text is a
/// conflict, so two renewals at once cannot lose one.
pub fn project_file_put(
    tx: &mut Tx,
    actor: &str,
    project: &str,
    path: &str,
    expected: Option<&str>,
    body: &str,
) -> Result<(), StoreError> {
    write_project_file(tx, actor, (project, path), expected, body, "file.set")
}

/// Writes `body` at (project, path) if the stored text is `expected` (`None`: no file yet),
/// audited as `action`.
fn write_project_file(
    tx: &mut Tx,
    actor: &str,
    (project, path): (&str, &str),
    expected: Option<&str>,
    body: &str,
    action: &str,
) -> Result<(), StoreError> {
    let object = format!("project/{project}/file/{path}");
    let before = tx.query(
        "SELECT body FROM project_files WHERE project_id = $1 AND path = $2",
        &[project.into(), path.into()],
    )?;
    let before = match before.first() {
        Some(r) => Some(r.text(0)?),
        None => None,
    };
    if before.as_deref() != expected {
        return Err(StoreError::Conflict {
            object,
            current: i64::from(before.is_some()),
        });
    }
    let now = crate::now_rfc3339();
    if before.is_some() {
        tx.exec(
            "UPDATE project_files SET body = $1, updated = $2, updated_by = $3
             WHERE project_id = $4 AND path = $5",
            &[
                body.into(),
                now.into(),
                actor.into(),
                project.into(),
                path.into(),
            ],
        )?;
    } else {
        tx.exec(
            "INSERT INTO project_files (project_id, path, body, updated, updated_by)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                project.into(),
                path.into(),
                body.into(),
                now.into(),
                actor.into(),
            ],
        )?;
    }
    tx.audit(
        actor,
        action,
        &object,
        before.as_deref().unwrap_or(""),
        body,
    )
}

/// The files `project_file_add` stored for a project: (path, text), by path.
pub fn project_files(c: &mut dyn Conn, project: &str) -> Result<Vec<(String, String)>, StoreError> {
    c.query(
        "SELECT path, body FROM project_files WHERE project_id = $1 ORDER BY path",
        &[project.into()],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?)))
    .collect()
}

/// The releases of a project, by version text.
pub fn releases(c: &mut dyn Conn, project: &str) -> Result<Vec<ReleaseRow>, StoreError> {
    c.query(
        "SELECT version, body, files FROM releases WHERE project_id = $1 ORDER BY version",
        &[project.into()],
    )?
    .iter()
    .map(|r| {
        Ok(ReleaseRow {
            version: r.text(0)?,
            body: r.text(1)?,
            files: r.text(2)?,
        })
    })
    .collect()
}
