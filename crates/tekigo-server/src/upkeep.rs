//! A project's upkeep as the server stores it (issue 16): what is due and overdue, and its
//! certificates, computed and checked by tekigo-upkeep exactly as `tekigo upkeep` and
//! `tekigo cert` do.
//!
//! The rules read a project directory, so the project is written out to a private
//! directory inside the data directory first ([`Workdir`]: `sync::write_project` with the
//! evidence hard-linked and dated by its upload), and the rules run on those files. A
//! certificate added or renewed here is checked and written there by
//! `tekigo_upkeep::certificate::save`, and the text it wrote is what the server stores,
//! so `server export` writes the same `certificates/ID.yaml` the command line writes.

use crate::error::AppError;
use crate::state::Shared;
use crate::sync;
use std::path::Path;
use tekigo_assess::{AssessError, Project};
use tekigo_catalog::Lang;
use tekigo_store::records;
use tekigo_upkeep::certificate::{self, Certificate, Renewal, RenewalItem};
use tekigo_upkeep::{Clock, Item, State};
use time::OffsetDateTime;

/// The prefix of [`Workdir`]s in the data directory.
const WORKDIR_PREFIX: &str = ".upkeep-";

/// Removes the private directories a server that stopped abruptly left in the data
/// directory (a [`Workdir`] is removed when dropped; a killed process drops nothing).
pub fn sweep(data_dir: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(data_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(WORKDIR_PREFIX));
        if stale && entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

/// A project written out for the rules; removed when dropped.
pub struct Workdir {
    _dir: tempfile::TempDir,
    pub project: Project,
}

impl Workdir {
    /// Project `p` as a directory. Inside the data directory, so that evidence can be
    /// hard-linked and nothing of it leaves the server's private directory.
    pub fn of(s: &Shared, p: &str) -> Result<Workdir, AppError> {
        let dir = tempfile::Builder::new()
            .prefix(WORKDIR_PREFIX)
            .tempdir_in(&s.data_dir)
            .map_err(|e| AppError::Internal(format!("{}: {e}", s.data_dir.display())))?;
        let root = dir.path().join("project");
        sync::write_project(s, p, &root, sync::Evidence::Linked)?;
        let project = Project::open(&root)?;
        Ok(Workdir { _dir: dir, project })
    }

    /// An error of the rules with the private directory's path taken out, so that the
    /// message names the project file (`certificates/c1.yaml:4`) as the command line does.
    pub fn error(&self, e: AssessError) -> AppError {
        AppError::BadRequest(self.relative(&e.to_string()))
    }

    fn relative(&self, text: &str) -> String {
        let root = format!("{}/", self.project.root.display());
        text.replace(&root, "")
    }
}

/// How long a finding of the watch is shown as new: from its first sighting, this many
/// days.
pub const NEW_FINDING_DAYS: i64 = 30;

/// What the upkeep page and the dashboard show of a project.
#[derive(Debug, serde::Serialize)]
pub struct Overview {
    /// Due soon or overdue at the clock, overdue first (`tekigo_upkeep::upkeep`).
    pub items: Vec<Item>,
    pub counts: Counts,
    /// Findings of the watch first seen in the last [`NEW_FINDING_DAYS`] days, newest first.
    pub new_findings: Vec<NewFinding>,
}

#[derive(Debug, serde::Serialize)]
pub struct NewFinding {
    pub release: String,
    pub vulnerability: String,
    pub component: String,
    pub first_seen: String,
    pub kev: bool,
}

/// The upkeep of project `p` at `clock`. A stored file the rules refuse is an internal
/// error: the import and the forms check every file before it is stored.
pub fn overview(s: &Shared, p: &str, clock: Clock, lang: Lang) -> Result<Overview, AppError> {
    let w = Workdir::of(s, p)?;
    let internal = |e: AssessError| {
        AppError::Internal(format!("upkeep of {p}: {}", w.relative(&e.to_string())))
    };
    let items = tekigo_upkeep::upkeep(&w.project, s.catalog, clock, lang).map_err(internal)?;
    let since = clock.now - time::Duration::days(NEW_FINDING_DAYS);
    let mut new_findings: Vec<NewFinding> = tekigo_upkeep::inputs::watch_findings(&w.project)
        .map_err(internal)?
        .into_iter()
        .filter(|f| tekigo_upkeep::cra::parse_time(&f.first_seen).is_some_and(|t| t >= since))
        .map(|f| NewFinding {
            release: f.release,
            vulnerability: f.vulnerability,
            component: f.component,
            first_seen: f.first_seen,
            kev: f.kev,
        })
        .collect();
    new_findings.sort_by(|a, b| b.first_seen.cmp(&a.first_seen));
    Ok(Overview {
        counts: counts(&items),
        items,
        new_findings,
    })
}

/// The counts the dashboard shows for a project.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Counts {
    pub overdue: usize,
    /// Due from today to the end of the month ([`Clock::this_month`]).
    pub due_this_month: usize,
}

pub fn counts(items: &[Item]) -> Counts {
    let overdue = items.iter().filter(|i| i.state == State::Overdue).count();
    Counts {
        overdue,
        due_this_month: items.len() - overdue,
    }
}

/// The clock of the pages: now, looking to the end of this month.
pub fn this_month() -> Clock {
    Clock::this_month(OffsetDateTime::now_utc())
}

/// Every certificate of project `p`, by id.
pub fn certificates(s: &Shared, p: &str) -> Result<Vec<Certificate>, AppError> {
    let w = Workdir::of(s, p)?;
    certificate::load_all(&w.project, s.catalog).map_err(|e| w.error(e))
}

/// One certificate of project `p`.
pub fn certificate(s: &Shared, p: &str, id: &str) -> Result<Certificate, AppError> {
    load(s, &Workdir::of(s, p)?, id)
}

fn load(s: &Shared, w: &Workdir, id: &str) -> Result<Certificate, AppError> {
    if certificate::check_id(id).is_err() || !certificate::ids(&w.project)?.iter().any(|i| i == id)
    {
        return Err(AppError::NotFound(format!("certificate {id:?}")));
    }
    certificate::load(&w.project, s.catalog, id).map_err(|e| w.error(e))
}

/// A certificate as the form sends it: the fields of `tekigo cert add`, renewal items one
/// per line as `TEXT@YYYY-MM-DD`, the certificate file as the SHA-256 of stored evidence.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CertificateForm {
    pub id: String,
    pub scheme: String,
    pub body: String,
    pub number: String,
    pub standard: String,
    pub level: String,
    pub component: String,
    pub releases: String,
    pub issued: String,
    pub expires: String,
    pub surveillance_months: String,
    pub renewal_items: String,
    pub evidence: String,
}

/// A new validity period as the renewal form sends it (`tekigo cert renew`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RenewalForm {
    pub issued: String,
    pub expires: String,
    pub number: String,
    pub level: String,
    pub renewal_items: String,
    pub evidence: String,
}

fn given(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

fn renewal_items(text: &str) -> Result<Vec<RenewalItem>, AppError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            RenewalItem::parse(l)
                .map_err(|m| AppError::BadRequest(format!("renewal_items line {}: {m}", i + 1)))
        })
        .collect()
}

fn level(s: &Shared, standard: &str, given: &str) -> Result<String, AppError> {
    certificate::level_text(s.catalog, standard, given)
        .map_err(|m| AppError::BadRequest(format!("level: {m}")))
}

/// Adds a certificate to project `p` by the rules of `tekigo cert add`.
pub fn add(s: &Shared, actor: &str, p: &str, f: CertificateForm) -> Result<Certificate, AppError> {
    let w = Workdir::of(s, p)?;
    let id = f.id.trim().to_string();
    certificate::check_id(&id).map_err(|m| AppError::BadRequest(format!("id: {m}")))?;
    if certificate::path(&w.project, &id)?.exists() {
        return Err(AppError::Conflict {
            message: format!("certificate {id:?} exists; renew it for a new period"),
            current: 1,
        });
    }
    let surveillance_months = match given(&f.surveillance_months) {
        Some(n) => Some(n.parse::<u32>().map_err(|_| {
            AppError::BadRequest(format!("surveillance_months: {n:?} is not a number"))
        })?),
        None => None,
    };
    let cert = Certificate {
        id,
        scheme: f.scheme.trim().to_string(),
        body: given(&f.body),
        number: given(&f.number),
        level: level(s, f.standard.trim(), &f.level)?,
        standard: f.standard.trim().to_string(),
        component: f.component.trim().to_string(),
        releases: given(&f.releases),
        issued: f.issued.trim().to_string(),
        expires: f.expires.trim().to_string(),
        surveillance_months,
        renewal_items: renewal_items(&f.renewal_items)?,
        evidence: given(&f.evidence).into_iter().collect(),
        audits: Vec::new(),
        history: Vec::new(),
    };
    store(s, actor, p, &w, &cert, None)?;
    Ok(cert)
}

/// Starts a new validity period of certificate `id` by the rules of `tekigo cert renew`.
pub fn renew(
    s: &Shared,
    actor: &str,
    p: &str,
    id: &str,
    f: RenewalForm,
) -> Result<Certificate, AppError> {
    edit(s, actor, p, id, |cert| {
        let level = match given(&f.level) {
            Some(l) => Some(level(s, &cert.standard, &l)?),
            None => None,
        };
        cert.renew(Renewal {
            issued: f.issued.trim().to_string(),
            expires: f.expires.trim().to_string(),
            number: given(&f.number),
            level,
            renewal_items: renewal_items(&f.renewal_items)?,
            today: tekigo_assess::today(),
        });
        cert.evidence.extend(given(&f.evidence));
        Ok(())
    })
}

/// A surveillance audit held, as the audit form sends it (`tekigo cert audit`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AuditForm {
    pub date: String,
    pub evidence: String,
}

/// Records a surveillance audit of certificate `id` by the rules of `tekigo cert audit`.
pub fn audit(
    s: &Shared,
    actor: &str,
    p: &str,
    id: &str,
    f: AuditForm,
) -> Result<Certificate, AppError> {
    edit(s, actor, p, id, |cert| {
        cert.audits.push(f.date.trim().to_string());
        cert.evidence.extend(given(&f.evidence));
        Ok(())
    })
}

/// A renewal item done, as the renewal item form sends it (`tekigo cert done`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DoneForm {
    pub item: String,
    pub date: String,
    pub evidence: String,
}

/// Records a renewal item of certificate `id` done by the rules of `tekigo cert done`.
pub fn complete(
    s: &Shared,
    actor: &str,
    p: &str,
    id: &str,
    f: DoneForm,
) -> Result<Certificate, AppError> {
    edit(s, actor, p, id, |cert| {
        cert.complete_item(&f.item, &f.date).map_err(|open| {
            AppError::BadRequest(format!(
                "item: {:?} is not an open renewal item of certificate {id} (open: {})",
                f.item.trim(),
                open.join(" | ")
            ))
        })?;
        cert.evidence.extend(given(&f.evidence));
        Ok(())
    })
}

/// Changes certificate `id` and stores it, if nobody changed it meanwhile.
fn edit(
    s: &Shared,
    actor: &str,
    p: &str,
    id: &str,
    change: impl FnOnce(&mut Certificate) -> Result<(), AppError>,
) -> Result<Certificate, AppError> {
    let w = Workdir::of(s, p)?;
    let mut cert = load(s, &w, id)?;
    let path = certificate::path(&w.project, id)?;
    let before = std::fs::read_to_string(&path)
        .map_err(|e| AppError::Internal(format!("certificate {id}: {e}")))?;
    change(&mut cert)?;
    store(s, actor, p, &w, &cert, Some(&before))?;
    Ok(cert)
}

/// Checks and writes the certificate as the command line does, then stores the text it
/// wrote if the stored file is still `before`.
fn store(
    s: &Shared,
    actor: &str,
    p: &str,
    w: &Workdir,
    cert: &Certificate,
    before: Option<&str>,
) -> Result<(), AppError> {
    certificate::save(&w.project, s.catalog, cert).map_err(|e| w.error(e))?;
    let path = certificate::path(&w.project, &cert.id)?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| AppError::Internal(format!("certificate {}: {e}", cert.id)))?;
    let rel = relative_path(&w.project.root, &path)?;
    s.store
        .write(|tx| records::project_file_put(tx, actor, p, &rel, before, &text))?;
    Ok(())
}

/// `certificates/ID.yaml`: a path inside the project as the store keys its files.
pub fn relative_path(root: &Path, path: &Path) -> Result<String, AppError> {
    path.strip_prefix(root)
        .ok()
        .and_then(|r| r.to_str())
        .map(|r| r.replace('\\', "/"))
        .ok_or_else(|| AppError::Internal(format!("{} is outside the project", path.display())))
}
