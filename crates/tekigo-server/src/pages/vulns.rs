//! `/p/{p}/vulnerabilities`: SBOM uploads, the findings of the newest SBOM of each name
//! against the server's advisory database, and a triage form per finding for assessors.
//!
//! The forms post with htmx and swap only `#vulns` of the re-rendered page
//! (`hx-select`), so that one template serves the page and every change.

use super::{page, render, user_ctx, Ctx, PageLang, Upload};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::service::{self, TriageInput};
use crate::state::{AppState, Shared};
use axum::extract::multipart::Multipart;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::{context, Value};
use tekigo_store::users::Role;

/// `GET /p/{p}/vulnerabilities`.
pub async fn show(State(st): State<AppState>, ctx: Ctx, Path(p): Path<String>) -> Response {
    respond(st, ctx, p, Need::Read, |_, _| Ok(None)).await
}

/// An SBOM upload (contributors): a name and a file.
pub async fn sbom_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    form: Multipart,
) -> Response {
    let upload = match Upload::read(&st, &ctx, &p, Need::Contribute, form).await {
        Ok(u) => u,
        Err(e) => return super::error_response(ctx.lang, e, true),
    };
    let project = p.clone();
    respond(st, ctx, p, Need::Contribute, move |s, actor| {
        let (_, file) = upload
            .file
            .as_ref()
            .ok_or_else(|| AppError::BadRequest("choose an SBOM file to upload".into()))?;
        let row = service::upload_sbom(s, actor, &project, upload.field("name"), file)?;
        Ok(Some(context! { done => "sbom_stored", name => row.name }))
    })
    .await
}

/// A triage decision (assessors).
pub async fn triage(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Form(input): Form<TriageInput>,
) -> Response {
    let project = p.clone();
    respond(st, ctx, p, Need::Assess, move |s, actor| {
        let out = service::set_triage(s, actor, &project, input)?;
        Ok(Some(context! {
            done => "triage_saved",
            name => format!("{} · {}", out.vulnerability, out.component),
        }))
    })
    .await
}

/// Runs `work` (a change, or nothing for a plain view) and renders the page with its
/// outcome; a refused change (invalid input, stale version) is shown on the page with
/// its status.
async fn respond(
    st: AppState,
    ctx: Ctx,
    p: String,
    need: Need,
    work: impl FnOnce(&Shared, &str) -> Result<Option<Value>, AppError> + Send + 'static,
) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let fragment = ctx.target.is_some();
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, need)?;
            let (status, outcome) = match work(s, &who.user.name) {
                Ok(done) => (StatusCode::OK, done),
                Err(e @ (AppError::BadRequest(_) | AppError::Conflict { .. })) => {
                    (e.status(), Some(context! { error => e.to_string() }))
                }
                Err(e) => return Err(e),
            };
            let body = render_page(s, &p, role, lang, outcome, user)?;
            Ok((status, body))
        })
        .await;
    page(lang, fragment, result)
}

fn render_page(
    s: &Shared,
    p: &str,
    role: Role,
    lang: PageLang,
    outcome: Option<Value>,
    user: Value,
) -> Result<String, AppError> {
    let found = service::vulnerabilities(s, p)?;
    let sboms: Vec<Value> = found
        .sboms
        .iter()
        .map(|sf| {
            let findings: Vec<Value> = sf
                .findings
                .iter()
                .map(|f| {
                    let severity =
                        f.row
                            .severity
                            .as_ref()
                            .map(|sev| match (sev.score, &sev.label) {
                                (Some(score), _) => format!("{score:.1}"),
                                (None, Some(l)) => l.clone(),
                                (None, None) => String::new(),
                            });
                    let level = f.row.level().map(|l| format!("{l:?}").to_ascii_lowercase());
                    context! {
                        severity => severity,
                        level => level,
                        open => f.row.is_open(),
                        ..Value::from_serialize(f)
                    }
                })
                .collect();
            context! { findings => findings, ..Value::from_serialize(&sf.sbom) }
        })
        .collect();
    render(
        "vulnerabilities.html",
        lang,
        context! {
            project => p,
            vulndb => found.vulndb,
            warnings => found.warnings,
            sboms => sboms,
            outcome => outcome,
            can_contribute => role >= Role::Contributor,
            can_assess => role >= Role::Assessor,
            states => ["under_investigation", "affected", "not_affected", "fixed"],
            justifications => tekigo_vex::Justification::ALL.map(|j| j.as_str()),
            ..user
        },
    )
}
