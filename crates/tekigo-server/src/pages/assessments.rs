//! A new assessment through a form (assessors), and an assessment's reports as downloads
//! from the pages: a report that cannot be rendered (no font, a broken template) is an
//! error page in the reader's language, never the API's JSON.

use super::{hx_redirect, page, percent, render, user_ctx, Ctx};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::service::{self, NewAssessmentInput, ReportFormat};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::context;
use serde::Deserialize;
use tekigo_catalog::{ComponentType, Level, LevelScheme};

/// `/p/{p}/assessments/new` (assessors): the standards, the project's components, and the
/// levels to choose from.
pub async fn new_form(State(st): State<AppState>, ctx: Ctx, Path(p): Path<String>) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Assess)?;
            let config = service::project_config(s, &p)?;
            let standards: Vec<_> = s
                .catalog
                .standards
                .iter()
                .filter(|st| config.standards.is_empty() || config.standards.contains(&st.info.id))
                .map(|st| {
                    context! {
                        id => st.info.id,
                        title => st.info.title.get(lang.lang),
                        levels => match st.info.levels {
                            LevelScheme::Security => "sl",
                            LevelScheme::Maturity => "ml",
                            LevelScheme::None => "none",
                        },
                    }
                })
                .collect();
            let frs: Vec<_> = s
                .catalog
                .common
                .foundational_requirements
                .iter()
                .map(|f| context! { abbr => f.id.abbr(), label => format!("{} {}", f.id.label(), f.name.get(lang.lang)) })
                .collect();
            let body = render(
                "assessment_new.html",
                lang,
                context! {
                    project => p,
                    project_href => format!("/p/{}", percent(&p)),
                    action => format!("/p/{}/assessments/new", percent(&p)),
                    standards => standards,
                    components => config.components,
                    frs => frs,
                    types => ["embedded", "network", "host", "software"],
                    ..user
                },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}

/// Creates the assessment and opens its check sheet. The target fields the standard does
/// not use are ignored: SL-T for security levels, ML-T for maturity levels, none else.
pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let (who, lang) = (ctx.who.clone(), ctx.lang);
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Assess)?;
            let get = |name: &str| {
                f.iter()
                    .find(|(k, _)| k == name)
                    .map_or("", |(_, v)| v.trim())
                    .to_string()
            };
            let level = |what: &str, v: &str| {
                v.parse::<Level>()
                    .map_err(|_| AppError::BadRequest(format!("{what} {v:?}: a level 0-4")))
            };
            let standard = get("standard");
            let scheme = s
                .catalog
                .standard(&standard)
                .map(|st| st.info.levels)
                .ok_or_else(|| AppError::BadRequest(format!("unknown standard {standard:?}")))?;
            let subject = get("subject");
            let config = service::project_config(s, &p)?;
            let component = config.components.iter().find(|c| c.name == subject);
            let component_type = match get("type").as_str() {
                "" => component.map(|c| c.component_type),
                t => Some(t.parse::<ComponentType>().map_err(|_| {
                    AppError::BadRequest(format!("type {t:?}: embedded, network, host or software"))
                })?),
            };
            let version = Some(get("version"))
                .filter(|v| !v.is_empty())
                .or_else(|| component.and_then(|c| c.version.clone()));
            let sl_t = match scheme {
                LevelScheme::Security => Some(
                    f.iter()
                        .filter(|(k, _)| k == "sl_t")
                        .map(|(_, v)| level("SL-T", v))
                        .collect::<Result<Vec<Level>, AppError>>()?,
                ),
                _ => None,
            };
            let ml_t = match scheme {
                LevelScheme::Maturity => Some(level("ML-T", &get("ml_t"))?),
                _ => None,
            };
            let id = get("id");
            service::create_assessment(
                s,
                &who.user.name,
                &p,
                NewAssessmentInput {
                    id: id.clone(),
                    standard,
                    subject,
                    component_type,
                    version,
                    sl_t,
                    ml_t,
                },
            )?;
            Ok(format!("/p/{}/a/{}", percent(&p), percent(&id)))
        })
        .await;
    hx_redirect(lang, result)
}

#[derive(Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    format: String,
}

/// `/p/{p}/a/{a}/report?format=html|pdf|xlsx|oscal`, in the page's language.
pub async fn report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((p, a)): Path<(String, String)>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let (who, lang) = (ctx.who.clone(), ctx.lang);
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            let format: ReportFormat =
                serde_json::from_value(q.format.clone().into()).map_err(|_| {
                    AppError::BadRequest(format!(
                        "format {:?}: use html, pdf, xlsx or oscal",
                        q.format
                    ))
                })?;
            service::report(s, &p, &a, format, Some(lang.lang))
        })
        .await;
    match result {
        Ok((bytes, media, name)) => crate::api::download(bytes, media, &name),
        Err(e) => super::error_response(lang, e, false),
    }
}
