//! The server's vulnerability watch (issue 16): after an advisory database import, the
//! SBOMs of every release still in support in every project are matched again, what is new
//! is recorded in the project's `watch/findings.json` as the server stores it, and sent to
//! the project's webhook.
//!
//! The rules (which releases are watched, what is recorded once, the CRA clock of a KEV
//! finding) are tekigo-release's (`tekigo_release::watch`), run on the project written out
//! as `tekigo vuln watch` would find it ([`crate::upkeep::Workdir`]); the upkeep page then
//! reads the stored file, so a KEV finding starts its CRA clocks there as on the command
//! line.
//!
//! **How a database gets in.** `tekigo server vulndb-import DBPATH` on the server's host,
//! with a database file `tekigo vulndb import` built (carried into the plant on a medium;
//! nothing is downloaded). It is the simplest thing that works offline: no upload of a
//! file of hundreds of megabytes through the browser, no network, the same form as
//! `tekigo server import`. A running server keeps matching uploaded SBOMs against the file
//! it was started with (`--vulndb`) until it is restarted.
//!
//! **The webhook a project configures** is two files in the server's private data
//! directory, written by the operator: `webhooks/PROJECT.url` (an `http://` URL) and
//! `webhooks/PROJECT.secret` (the HMAC secret). The secret is never in the database, the
//! audit chain, an export or a log.

use crate::error::AppError;
use crate::state::Shared;
use crate::upkeep::Workdir;
use serde::Serialize;
use tekigo_release::watch::{WatchFinding, FINDINGS_FILE};
use tekigo_release::webhook::{Delivered, Webhook};
use tekigo_store::records;
use tekigo_vulndb::Db;

/// Where the webhooks' files are, in the data directory.
pub const WEBHOOKS_DIR: &str = "webhooks";

/// What the watch did in one project.
#[derive(Debug, Serialize)]
pub struct ProjectWatch {
    pub project: String,
    /// Releases whose SBOMs were matched.
    pub watched: Vec<String>,
    /// Releases past their support period, with its last day: not matched.
    pub past_support: Vec<(String, String)>,
    /// Findings recorded by this run.
    pub new: Vec<WatchFinding>,
    /// The webhook's deliveries, when the project has one.
    pub delivered: Option<Delivered>,
}

/// Runs the watch over every project with `db` at `now` (RFC 3339; its date decides the
/// support periods) and stores what changed.
pub fn run(s: &Shared, actor: &str, db: &Db, now: &str) -> Result<Vec<ProjectWatch>, AppError> {
    let today: String = now.chars().take(10).collect();
    if tekigo_assess::parse_date(&today).is_none() {
        return Err(AppError::BadRequest(format!(
            "{now:?} is not an RFC 3339 time"
        )));
    }
    let mut out = Vec::new();
    for row in s.store.read(records::projects)? {
        out.push(project(s, actor, db, &row.id, &today, now)?);
    }
    Ok(out)
}

fn project(
    s: &Shared,
    actor: &str,
    db: &Db,
    p: &str,
    today: &str,
    now: &str,
) -> Result<ProjectWatch, AppError> {
    let w = Workdir::of(s, p)?;
    let root = &w.project.root;
    let failed = |e: tekigo_release::ReleaseError| {
        AppError::Internal(format!(
            "watch of {p}: {}",
            e.to_string().replace(&format!("{}/", root.display()), "")
        ))
    };
    let before = stored(s, p)?;
    let product = w.project.config.product.support_until.as_deref();
    let outcome = tekigo_release::watch::watch(root, product, db, today, now).map_err(failed)?;
    // A webhook that cannot be used is reported like a failed delivery: the findings are
    // still stored (pending), and the other projects are still watched.
    let delivered = match webhook(s, p) {
        Ok(Some(hook)) => Some(
            tekigo_release::webhook::deliver_pending(
                root,
                &w.project.config.product.name,
                &hook,
                &tekigo_store::now_rfc3339(),
            )
            .map_err(failed)?,
        ),
        Ok(None) => None,
        Err(e) => Some(Delivered {
            failed: vec![e.to_string()],
            ..Delivered::default()
        }),
    };
    let after = match std::fs::read_to_string(root.join(FINDINGS_FILE)) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(AppError::Internal(format!("watch of {p}: {e}"))),
    };
    if let Some(text) = after.filter(|a| Some(a) != before.as_ref()) {
        s.store.write(|tx| {
            records::project_file_put(tx, actor, p, FINDINGS_FILE, before.as_deref(), &text)
        })?;
    }
    Ok(ProjectWatch {
        project: p.to_string(),
        watched: outcome.watched,
        past_support: outcome.past_support,
        new: outcome.new,
        delivered,
    })
}

/// The stored `watch/findings.json` of a project.
fn stored(s: &Shared, p: &str) -> Result<Option<String>, AppError> {
    Ok(s.store
        .read(|c| records::project_files(c, p))?
        .into_iter()
        .find(|(path, _)| path == FINDINGS_FILE)
        .map(|(_, text)| text))
}

/// The project's webhook (see the module docs); none when it has no URL file.
fn webhook(s: &Shared, p: &str) -> Result<Option<Webhook>, AppError> {
    crate::service::check_id(crate::service::IdKind::Project, p)?;
    let dir = s.data_dir.join(WEBHOOKS_DIR);
    let url_file = dir.join(format!("{p}.url"));
    let url = match std::fs::read_to_string(&url_file) {
        Ok(u) => u.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(AppError::Internal(format!("{}: {e}", url_file.display()))),
    };
    Webhook::new(&url, &dir.join(format!("{p}.secret")))
        .map(Some)
        .map_err(|e| AppError::BadRequest(format!("{}: {e}", url_file.display())))
}
