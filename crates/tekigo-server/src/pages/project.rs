//! The caller's projects with a dashboard per assessment, and one project: components,
//! assessments, members, newest scans, evidence, and the upload forms.

use super::sheet::{overview, standard_of};
use super::{page, percent, render, user_ctx, Ctx, PageLang, Upload};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::service;
use crate::state::{AppState, Shared};
use axum::extract::multipart::Multipart;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use std::collections::BTreeMap;
use tekigo_assess::{Assessment, ProjectConfig};
use tekigo_store::users::Role;
use tekigo_store::{records, users};

/// `/`: every project the caller may read, each assessment with its chart and progress, and
/// the upkeep of each (overdue, due this month, new watch findings), overdue first.
pub async fn home(State(st): State<AppState>, ctx: Ctx) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            let rows = s.store.read(|c| {
                if who.user.is_admin {
                    records::projects(c)
                } else {
                    records::projects_of(c, &who.user.id)
                }
            })?;
            let mut projects = Vec::new();
            let mut upkeep = Vec::new();
            let clock = crate::upkeep::this_month();
            for row in rows {
                let config = config_of(&row.id, &row.config)?;
                let o = crate::upkeep::overview(s, &row.id, clock, lang.lang)?;
                upkeep.push(context! {
                    id => row.id,
                    name => config.product.name,
                    href => format!("/p/{}/upkeep", percent(&row.id)),
                    overdue => o.counts.overdue,
                    due_this_month => o.counts.due_this_month,
                    new_findings => o.new_findings.len(),
                    new_kev => o.new_findings.iter().filter(|f| f.kev).count(),
                });
                let mut assessments = Vec::new();
                for (aid, _) in s.store.read(|c| records::assessments(c, &row.id))? {
                    let a = service::load(s, &row.id, &aid)?.assessment;
                    let o = overview(s, &row.id, &a, standard_of(s, &a)?, lang)?;
                    // The same regime switcher as the check sheet's, under each tile.
                    let regimes = super::regime::switcher(s.catalog, &row.id, &aid, lang.lang);
                    assessments.push(context! { regimes => regimes, ..o });
                }
                projects.push(context! {
                    id => row.id,
                    href => format!("/p/{}", percent(&row.id)),
                    product => config.product,
                    assessments => assessments,
                });
            }
            // Overdue first: the projects with most overdue, then most due this month.
            upkeep.sort_by_key(|u| {
                let n = |k: &str| u.get_attr(k).ok().and_then(|v| usize::try_from(v).ok());
                (
                    std::cmp::Reverse(n("overdue")),
                    std::cmp::Reverse(n("due_this_month")),
                )
            });
            let body = render(
                "home.html",
                lang,
                context! { projects => projects, upkeep => upkeep, ..user },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}

fn config_of(id: &str, json: &str) -> Result<ProjectConfig, AppError> {
    serde_json::from_str(json).map_err(|e| AppError::Internal(format!("project {id} config: {e}")))
}

/// `/p/{p}`.
pub async fn show(State(st): State<AppState>, ctx: Ctx, Path(p): Path<String>) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, Need::Read)?;
            let config = service::project_config(s, &p)?;
            let mut assessments = Vec::new();
            for (aid, header) in s.store.read(|c| records::assessments(c, &p))? {
                let a: Assessment = serde_json::from_str(&header)
                    .map_err(|e| AppError::Internal(format!("assessment {p}/{aid}: {e}")))?;
                assessments.push(context! {
                    id => a.id,
                    href => format!("/p/{}/a/{}", percent(&p), percent(&aid)),
                    standard => a.standard,
                    subject => a.subject.name,
                });
            }
            let members = s.store.read(|c| users::members(c, &p))?;
            let body = render(
                "project.html",
                lang,
                context! {
                    project => p,
                    product => config.product,
                    components => config.components,
                    standards => config.standards,
                    assessments => assessments,
                    members => members,
                    data => project_data(s, &p, role, None)?,
                    can_assess => role >= Role::Assessor,
                    can_manage => role >= Role::Admin,
                    ..user
                },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}

/// What the upload forms change: the evidence and the newest scans, with the outcome of the
/// last upload (a label key and its details, or an error).
fn project_data(
    s: &Shared,
    p: &str,
    role: Role,
    outcome: Option<Value>,
) -> Result<Value, AppError> {
    let (evidence, scans, assessments) = s.store.read(|c| {
        Ok((
            records::evidence_list(c, p)?,
            records::scans(c, p, 20)?,
            records::assessments(c, p)?,
        ))
    })?;
    let evidence: Vec<Value> = evidence
        .into_iter()
        .map(|e| {
            context! {
                href => format!("/api/projects/{}/evidence/{}", percent(p), e.sha256),
                short => e.sha256[..12.min(e.sha256.len())].to_string(),
                ..Value::from_serialize(&e)
            }
        })
        .collect();
    let scans: Vec<Value> = scans
        .into_iter()
        .map(|scan| {
            let counts: BTreeMap<String, usize> =
                serde_json::from_str(&scan.summary).unwrap_or_default();
            context! {
                href => format!("/api/projects/{}/evidence/{}", percent(p), scan.sha256),
                counts => counts,
                ..Value::from_serialize(&scan)
            }
        })
        .collect();
    Ok(context! {
        project => p,
        evidence => evidence,
        scans => scans,
        assessments => assessments.into_iter().map(|(id, _)| id).collect::<Vec<_>>(),
        can_contribute => role >= Role::Contributor,
        can_assess => role >= Role::Assessor,
        outcome => outcome,
    })
}

/// Renders the project's data block after an upload, with the upload's outcome; a refused
/// upload is shown there too, with its status.
async fn after_upload(
    st: AppState,
    ctx: Ctx,
    p: String,
    need: Need,
    work: impl FnOnce(&Shared, &str, Role) -> Result<Value, AppError> + Send + 'static,
) -> Response {
    let (who, lang) = (ctx.who, ctx.lang);
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, need)?;
            let (status, outcome) = match work(s, &who.user.name, role) {
                Ok(done) => (StatusCode::OK, done),
                Err(
                    e @ (AppError::BadRequest(_) | AppError::TooLarge(_) | AppError::Forbidden(_)),
                ) => (e.status(), context! { error => e.to_string() }),
                Err(e) => return Err(e),
            };
            let body = render(
                "project_data.html",
                lang,
                context! { data => project_data(s, &p, role, Some(outcome))? },
            )?;
            Ok((status, body))
        })
        .await;
    page(lang, true, result)
}

fn upload_failed(lang: PageLang, e: AppError) -> Response {
    super::error_response(lang, e, true)
}

/// An evidence file for the project (contributors).
pub async fn evidence_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    form: Multipart,
) -> Response {
    let upload = match Upload::read(&st, &ctx, &p, Need::Contribute, form).await {
        Ok(u) => u,
        Err(e) => return upload_failed(ctx.lang, e),
    };
    after_upload(st, ctx, p.clone(), Need::Contribute, move |s, actor, _| {
        let (name, file) = upload
            .file
            .ok_or_else(|| AppError::BadRequest("choose a file to upload".into()))?;
        let row = service::store_evidence(s, actor, &p, &name, &file)?;
        Ok(context! { done => "evidence_stored", name => row.name })
    })
    .await
}

/// A device's scan report (contributors); with an assessment chosen, also turned into
/// suggested answers (assessors).
pub async fn scan_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    form: Multipart,
) -> Response {
    let upload = match Upload::read(&st, &ctx, &p, Need::Contribute, form).await {
        Ok(u) => u,
        Err(e) => return upload_failed(ctx.lang, e),
    };
    let who = ctx.who.clone();
    after_upload(st, ctx, p.clone(), Need::Contribute, move |s, actor, _| {
        let (_, file) = upload
            .file
            .as_ref()
            .ok_or_else(|| AppError::BadRequest("choose a scan report (JSON) to upload".into()))?;
        let assessment = upload.field("assessment");
        if !assessment.is_empty() {
            access::require(s, &who, &p, Need::Assess)?;
        }
        let scan = service::upload_scan(s, actor, &p, upload.field("device"), file)?;
        if assessment.is_empty() {
            return Ok(context! { done => "scan_stored", name => scan.device });
        }
        let out = service::import_scan(s, actor, (&p, assessment), file, false)?;
        Ok(context! {
            done => "scan_imported",
            name => scan.device,
            suggested => out.suggested.len(),
            kept => out.kept.len(),
            skipped => out.skipped.len(),
        })
    })
    .await
}
