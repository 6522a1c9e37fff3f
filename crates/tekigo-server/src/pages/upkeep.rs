//! A project's upkeep (`/p/{p}/upkeep`, its iCalendar `/p/{p}/upkeep.ics`) and its
//! certificates (`/p/{p}/certificates`, one at `/p/{p}/certificates/{id}`), with the forms
//! that add one, renew one and record a surveillance audit (assessors). Everything is computed and checked by
//! [`crate::upkeep`], i.e. by tekigo-upkeep as the command line does.
//!
//! The calendar is authenticated like every other download (the session, or an API token
//! in `Authorization: Bearer`), not by a token in its URL: a calendar URL is kept in
//! calendar apps, proxies and logs, and the project rule is that no secret is written to a
//! log. A calendar app that cannot send a header imports the downloaded file.

use super::{hx_redirect, page, percent, render, user_ctx, Ctx};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::state::{AppState, Shared};
use crate::upkeep::{self, AuditForm, CertificateForm, DoneForm, RenewalForm};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use minijinja::{context, Value};
use tekigo_store::records;
use tekigo_store::users::Role;
use tekigo_upkeep::certificate::Certificate;

/// `GET /p/{p}/upkeep`: what is overdue and what is due this month, and what the watch
/// found lately.
pub async fn show(State(st): State<AppState>, ctx: Ctx, Path(p): Path<String>) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            let o = upkeep::overview(s, &p, upkeep::this_month(), lang.lang)?;
            let items: Vec<Value> = o
                .items
                .iter()
                .map(|i| {
                    context! {
                        title => tekigo_upkeep::title(i.kind, lang.lang),
                        ..Value::from_serialize(i)
                    }
                })
                .collect();
            let body = render(
                "upkeep.html",
                lang,
                context! {
                    project => p,
                    href => format!("/p/{}", percent(&p)),
                    items => items,
                    counts => o.counts,
                    new_findings => o.new_findings,
                    new_days => upkeep::NEW_FINDING_DAYS,
                    ..user
                },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}

/// `GET /p/{p}/upkeep.ics`: everything due within a year and everything overdue, as the
/// calendar `tekigo upkeep --format ical --within 366` writes.
pub async fn calendar(State(st): State<AppState>, ctx: Ctx, Path(p): Path<String>) -> Response {
    let (who, lang) = (ctx.who.clone(), ctx.lang);
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            let now = time::OffsetDateTime::now_utc();
            let now = now.replace_nanosecond(0).unwrap_or(now);
            let clock = tekigo_upkeep::Clock {
                now,
                within_days: 366,
            };
            let items = upkeep::overview(s, &p, clock, lang.lang)?.items;
            let config = crate::service::project_config(s, &p)?;
            let name = format!(
                "{} — {}",
                config.product.name,
                super::i18n::text(lang.lang, "upkeep")?
            );
            Ok((
                tekigo_upkeep::ical::render(&items, now, &name, lang.lang),
                format!("{p}-upkeep.ics"),
            ))
        })
        .await;
    match result {
        Ok((text, file)) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/calendar; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file.replace('"', "")),
                ),
            ],
            text,
        )
            .into_response(),
        Err(e) => super::error_response(lang, e, false),
    }
}

/// `GET /p/{p}/certificates`: the list, and the form that adds one (assessors).
pub async fn list(State(st): State<AppState>, ctx: Ctx, Path(p): Path<String>) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, Need::Read)?;
            let certs = upkeep::certificates(s, &p)?;
            let config = crate::service::project_config(s, &p)?;
            let evidence = s.store.read(|c| records::evidence_list(c, &p))?;
            let body = render(
                "certificates.html",
                lang,
                context! {
                    project => p,
                    certificates => certs,
                    components => config.components.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
                    standards => level_standards(s),
                    evidence => evidence,
                    can_edit => role >= Role::Assessor,
                    ..user
                },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}

/// The standards a certificate can name: those with security or maturity levels.
fn level_standards(s: &Shared) -> Vec<String> {
    s.catalog
        .standards
        .iter()
        .filter(|st| st.info.levels != tekigo_catalog::LevelScheme::None)
        .map(|st| st.info.id.clone())
        .collect()
}

/// `POST /p/{p}/certificates`: a new certificate (assessors); on success the browser goes
/// to its page, a refused form shows why above the form.
pub async fn add(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Form(f): Form<CertificateForm>,
) -> Response {
    change(st, ctx, p, move |s, actor, p| upkeep::add(s, actor, p, f)).await
}

/// A change to a certificate by an assessor: the browser goes to the certificate's page.
async fn change(
    st: AppState,
    ctx: Ctx,
    p: String,
    work: impl FnOnce(&Shared, &str, &str) -> Result<Certificate, AppError> + Send + 'static,
) -> Response {
    let (who, lang) = (ctx.who.clone(), ctx.lang);
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Assess)?;
            let cert = work(s, &who.user.name, &p)?;
            Ok(format!(
                "/p/{}/certificates/{}",
                percent(&p),
                percent(&cert.id)
            ))
        })
        .await;
    hx_redirect(lang, result)
}

/// `GET /p/{p}/certificates/{id}`.
pub async fn one(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((p, id)): Path<(String, String)>,
) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, Need::Read)?;
            let cert = upkeep::certificate(s, &p, &id)?;
            // Overdue as the upkeep page judges it, so the two pages never disagree.
            let next = tekigo_upkeep::next_surveillance(&cert).map(|(k, due)| {
                let overdue = crate::upkeep::this_month().date_state(due)
                    == Some(tekigo_upkeep::State::Overdue);
                context! { number => k, due => tekigo_assess::freshness::ymd(due), overdue }
            });
            let evidence = s.store.read(|c| records::evidence_list(c, &p))?;
            let body = render(
                "certificate.html",
                lang,
                context! {
                    project => p,
                    c => cert,
                    next_audit => next,
                    evidence => evidence,
                    can_edit => role >= Role::Assessor,
                    ..user
                },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}

/// `POST /p/{p}/certificates/{id}/renew`: a new validity period (assessors).
pub async fn renew(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((p, id)): Path<(String, String)>,
    Form(f): Form<RenewalForm>,
) -> Response {
    change(st, ctx, p, move |s, actor, p| {
        upkeep::renew(s, actor, p, &id, f)
    })
    .await
}

/// `POST /p/{p}/certificates/{id}/done`: a renewal item done (assessors).
pub async fn done(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((p, id)): Path<(String, String)>,
    Form(f): Form<DoneForm>,
) -> Response {
    change(st, ctx, p, move |s, actor, p| {
        upkeep::complete(s, actor, p, &id, f)
    })
    .await
}

/// `POST /p/{p}/certificates/{id}/audit`: a surveillance audit held (assessors).
pub async fn audit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((p, id)): Path<(String, String)>,
    Form(f): Form<AuditForm>,
) -> Response {
    change(st, ctx, p, move |s, actor, p| {
        upkeep::audit(s, actor, p, &id, f)
    })
    .await
}
