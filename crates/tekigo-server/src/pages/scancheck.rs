//! One check of a scan report that an answer cites: its verdict, what it found, and the
//! evidence that decided it (files with their hashes and lines, values, transcripts), so
//! that a reader follows a scan evidence link to the lines instead of the whole report.

use super::{page, percent, render, user_ctx, Ctx};
use crate::access::{self, Need};
use crate::service;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde_json::Value as Json;
use tekigo_catalog::Lang;

/// A `{"en": .., "ja": ..}` text of the report in the page's language (English when the
/// report has no Japanese).
fn localized(text: Option<&Json>, lang: Lang) -> Option<String> {
    let t = text?;
    let code = match lang {
        Lang::En => "en",
        Lang::Ja => "ja",
    };
    t.get(code)
        .or_else(|| t.get("en"))
        .or(Some(t))
        .and_then(Json::as_str)
        .map(str::to_string)
}

/// `/p/{p}/scan/{sha}/{check}`.
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((p, sha, check)): Path<(String, String, String)>,
) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            let r = service::scan_check(s, &p, &sha, &check)?;
            let body = render(
                "scan_check.html",
                lang,
                context! {
                    project => p,
                    project_href => format!("/p/{}", percent(&p)),
                    report_href => format!("/api/projects/{}/evidence/{sha}", percent(&p)),
                    sha256 => sha,
                    check => r.check,
                    verdict => r.verdict,
                    title => localized(r.title.as_ref(), lang.lang),
                    detail => r.detail,
                    explanation => localized(r.explanation.as_ref(), lang.lang),
                    requirements => r.requirements,
                    evidence => r.evidence.iter().map(Value::from_serialize).collect::<Vec<_>>(),
                    ..user
                },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}
