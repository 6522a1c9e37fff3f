//! `/p/{p}/releases`: the project's frozen releases and, with `?from=V1&to=V2`, what changed
//! between two of them with the classification for the certificate, computed by
//! tekigo-release exactly as `tekigo release diff` computes it.

use super::{page, render, user_ctx, Ctx};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::state::{AppState, Shared};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use tekigo_catalog::Lang;
use tekigo_store::records;

#[derive(serde::Deserialize)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /p/{p}/releases`.
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Query(q): Query<DiffQuery>,
) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            let view = view(s, &p, &q, lang.lang)?;
            Ok((
                StatusCode::OK,
                render("releases.html", lang, context! { ..view, ..user })?,
            ))
        })
        .await;
    page(lang, false, result)
}

fn view(s: &Shared, p: &str, q: &DiffQuery, lang: Lang) -> Result<Value, AppError> {
    let rows = s.store.read(|c| records::releases(c, p))?;
    // The releases as the command line reads them: written out to a private directory,
    // so the page and `tekigo release diff` run the same code on the same files.
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    for r in &rows {
        crate::sync::write_release(dir.path(), r)?;
    }
    let internal = |e: tekigo_release::ReleaseError| AppError::Internal(e.to_string());
    let releases = tekigo_release::list(dir.path()).map_err(internal)?;
    let list: Vec<Value> = releases
        .iter()
        .map(|r| {
            context! {
                version => r.version,
                frozen_at => r.frozen_at,
                support_until => r.support_until,
                sboms => r.sboms,
                scan => r.scan,
                signed => r.signature.is_some(),
                content_sha256 => r.content_sha256,
            }
        })
        .collect();
    let diff = match (&q.from, &q.to) {
        (Some(from), Some(to)) => {
            let find = |v: &str| {
                releases
                    .iter()
                    .find(|r| r.version == v)
                    .ok_or_else(|| AppError::NotFound(format!("release {v}")))
            };
            let d = tekigo_release::diff::diff(dir.path(), find(from)?, find(to)?, lang)
                .map_err(internal)?;
            Some(Value::from_serialize(&d))
        }
        _ => None,
    };
    Ok(context! {
        project => p,
        releases => list,
        diff => diff,
        from => q.from,
        to => q.to,
    })
}
