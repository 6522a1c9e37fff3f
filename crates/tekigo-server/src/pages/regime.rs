//! An assessment seen through another regime (EU CRA, EN 303 645, JC-STAR, ...): the same
//! view as `tekigo assess show A --regime ID`, computed by [`tekigo_assess::regime`], with a
//! switcher between the regimes. The check sheet links here.

use super::sheet::{overview, standard_of};
use super::{page, percent, render, user_ctx, Ctx};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::service;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use tekigo_assess::regime;
use tekigo_catalog::Catalog;

/// The regimes to switch between, with the link to each view of assessment `a`.
pub(super) fn switcher(
    catalog: &Catalog,
    p: &str,
    a: &str,
    lang: tekigo_catalog::Lang,
) -> Vec<minijinja::Value> {
    catalog
        .standards
        .iter()
        .filter(|s| s.info.regime)
        .map(|s| {
            context! {
                id => s.info.id,
                title => s.info.title.get(lang),
                href => format!("/p/{}/a/{}/regime/{}", percent(p), percent(a), percent(&s.info.id)),
            }
        })
        .collect()
}

/// `/p/{p}/a/{a}/regime/{r}`: readers of the project may see it; 404 for anything but a regime.
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((p, a, r)): Path<(String, String, String)>,
) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            let assessment = service::load(s, &p, &a)?.assessment;
            let standard = standard_of(s, &assessment)?;
            let regime_std = s
                .catalog
                .standard(&r)
                .filter(|x| x.info.regime)
                .ok_or_else(|| AppError::NotFound(format!("regime {r}")))?;
            let view = regime::view(s.catalog, regime_std, &[&assessment], lang.lang);
            let base = format!("/p/{}/a/{}/r/", percent(&p), percent(&a));
            let rows: Vec<minijinja::Value> = view
                .requirements
                .iter()
                .map(|q| {
                    let basis: Vec<minijinja::Value> = q
                        .basis
                        .iter()
                        .map(|b| {
                            context! {
                                id => b.id,
                                href => format!("{base}{}", percent(&b.id)),
                                status => b.status.map_or("none", |s| s.as_str()),
                                evidence => b.evidence.len(),
                                rationale => b.rationale,
                                draft => b.draft,
                            }
                        })
                        .collect();
                    context! {
                        id => q.id,
                        title => q.title,
                        status => q.status.as_str(),
                        coverage => q.coverage.as_str(),
                        direct => q.direct,
                        basis => basis,
                    }
                })
                .collect();
            let body = render(
                "regime.html",
                lang,
                context! {
                    o => overview(s, &p, &assessment, standard, lang)?,
                    project_href => format!("/p/{}", percent(&p)),
                    regime => view.regime,
                    summary => view.summary,
                    rows => rows,
                    regimes => switcher(s.catalog, &p, &a, lang.lang),
                    ..user
                },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}
