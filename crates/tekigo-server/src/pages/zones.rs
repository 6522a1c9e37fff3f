//! The zones and conduits of a project (IEC 62443-3-2): the drawing, every zone and conduit
//! with its SL-T and how it was derived, the rule check, and whether each zone's components
//! reach its SL-T; the full report as HTML or PDF; and replacing the model with a new
//! `risk/system.yaml`. Everything is computed by [`crate::zones`].

use super::{page, percent, render, user_ctx, Ctx, Upload};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::service;
use crate::state::{AppState, Shared};
use crate::zones::{self, Analysis};
use axum::extract::multipart::Multipart;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use tekigo_catalog::{Lang, Level, SlVector};
use tekigo_risk::{Step, TargetSl};
use tekigo_store::users::Role;

fn vector(levels: &[Level; 7]) -> String {
    SlVector(*levels).to_string()
}

/// One zone or conduit with its SL-T and each step of its derivation.
fn target_view(t: &TargetSl, lang: Lang) -> Value {
    let steps: Vec<Value> = t
        .steps
        .iter()
        .map(|step| match step {
            Step::Risk {
                risk,
                threat,
                threat_type,
                likelihood,
                consequence,
                cell,
                row_sl,
                contribution,
                ..
            } => context! {
                kind => "risk", risk, threat, threat_type, likelihood, consequence, cell,
                row_sl, contribution => vector(contribution),
            },
            Step::Inherit { zone, contribution } => {
                context! { kind => "inherit", zone, contribution => vector(contribution) }
            }
            Step::Skipped { risk, reason } => context! { kind => "skipped", risk, reason },
        })
        .collect();
    let decided: Vec<String> = t
        .decided_by
        .iter()
        .map(|d| d.clone().unwrap_or_else(|| "-".into()))
        .collect();
    context! {
        id => t.id,
        name => t.name.get(lang),
        sl_t => vector(&t.sl_t),
        derived => vector(&t.derived),
        overridden => t.sl_t_override.as_ref().map(|o| o.justification.get(lang).to_string()),
        decided_by => decided,
        steps => steps,
    }
}

/// Everything the page shows of an analysed model.
fn analysis_view(p: &str, a: &Analysis, lang: Lang) -> Result<Value, AppError> {
    let model = &a.doc.model;
    let zones: Vec<Value> = model
        .zones
        .iter()
        .filter_map(|z| {
            let t = a.derivation.zone(&z.id)?;
            Some(context! {
                level => z.level,
                safety => z.safety,
                assets => z.assets,
                ..target_view(t, lang)
            })
        })
        .collect();
    let conduits: Vec<Value> = model
        .conduits
        .iter()
        .filter_map(|c| {
            let t = a.derivation.conduit(&c.id)?;
            let channels: Vec<String> = c
                .channels
                .iter()
                .map(|ch| match ch.port {
                    Some(port) => format!("{}/{port}", ch.protocol),
                    None => ch.protocol.clone(),
                })
                .collect();
            Some(context! { zones => c.zones, channels => channels, ..target_view(t, lang) })
        })
        .collect();
    let violations: Vec<Value> = a
        .violations
        .iter()
        .map(|v| {
            context! {
                rule => v.rule,
                zcr => v.zcr,
                title => v.title.get(lang),
                element => v.element,
                message => v.message.get(lang),
                line => v.line,
            }
        })
        .collect();
    let sheet = |aid: &str| format!("/p/{}/a/{}", percent(p), percent(aid));
    let feasibility: Vec<Value> = a
        .feasibility
        .iter()
        .map(|f| {
            let components: Vec<Value> = f
                .components
                .iter()
                .map(|c| {
                    context! {
                        asset => c.asset,
                        component => c.component,
                        assessment => c.assessment,
                        claim => c.claim,
                        href => c.assessment.as_deref().map(sheet),
                        achieved => c.achieved.as_ref().map(vector),
                        gap => c.gap.as_ref().map(vector),
                        short => c.has_gap(),
                    }
                })
                .collect();
            let requirements: Vec<String> =
                f.system_requirements.iter().map(|r| r.id.clone()).collect();
            let system_level = |l: &tekigo_risk::SystemLevel| {
                context! {
                    assessment => l.assessment,
                    href => sheet(&l.assessment),
                    sl_a => vector(&l.sl_a),
                    projected => vector(&l.projected),
                    gap => vector(&l.gap),
                    short => l.gap.iter().any(|&g| g > 0),
                    countermeasures => l.countermeasures,
                }
            };
            let system: Vec<Value> = f.system.iter().map(system_level).collect();
            let conduits: Vec<Value> = f
                .conduits
                .iter()
                .map(|c| {
                    let register: Vec<&str> =
                        c.countermeasures.iter().map(|w| w.get(lang)).collect();
                    context! {
                        conduit => c.conduit,
                        sl_t => vector(&c.sl_t),
                        register => register,
                        system => c.system.iter().map(system_level).collect::<Vec<_>>(),
                        short => c.short,
                    }
                })
                .collect();
            context! {
                zone => f.zone,
                sl_t => vector(&f.sl_t),
                feasible => f.feasible,
                components => components,
                requirements => requirements,
                system => system,
                conduits => conduits,
            }
        })
        .collect();
    Ok(context! {
        drawing => Value::from_safe_string(zones::drawing(a, lang)?),
        system => model.system.name.get(lang),
        version => a.version,
        zones => zones,
        conduits => conduits,
        violations => violations,
        feasibility => feasibility,
    })
}

/// The page's context: the analysis (or `None` for a project without a model) and what the
/// caller may do, with the outcome of an upload.
fn zones_page(
    s: &Shared,
    p: &str,
    role: Role,
    lang: Lang,
    outcome: Option<Value>,
) -> Result<Value, AppError> {
    let config = service::project_config(s, p)?;
    let analysis = zones::analysis(s, p)?;
    let version = analysis.as_ref().map_or(0, |a| a.version);
    let view = analysis
        .as_ref()
        .map(|a| analysis_view(p, a, lang))
        .transpose()?;
    let base = format!("/p/{}/zones", percent(p));
    Ok(context! {
        project => p,
        project_href => format!("/p/{}", percent(p)),
        product => config.product.name,
        action => base,
        report => format!("{base}/report?format="),
        r => view,
        version => version,
        can_assess => role >= Role::Assessor,
        outcome => outcome,
    })
}

/// `/p/{p}/zones`.
pub async fn show(State(st): State<AppState>, ctx: Ctx, Path(p): Path<String>) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, Need::Read)?;
            let view = zones_page(s, &p, role, lang.lang, None)?;
            Ok((
                StatusCode::OK,
                render("zones.html", lang, context! { ..view, ..user })?,
            ))
        })
        .await;
    page(lang, false, result)
}

/// A new `risk/system.yaml` for the project (assessors). A model that does not read is
/// refused with its file and line, and the page shows why.
pub async fn upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    form: Multipart,
) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let upload = match Upload::read(&st, &ctx, &p, Need::Assess, form).await {
        Ok(u) => u,
        Err(e) => return super::error_response(lang, e, false),
    };
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, Need::Assess)?;
            let applied = (|| {
                let (_, spooled) = upload.file.as_ref().ok_or_else(|| {
                    AppError::BadRequest("choose a risk/system.yaml to upload".into())
                })?;
                let bytes = spooled.bytes()?;
                let text = std::str::from_utf8(&bytes).map_err(|e| {
                    AppError::BadRequest(format!("{}: not UTF-8 ({e})", tekigo_risk::MODEL_FILE))
                })?;
                let version = upload
                    .field("version")
                    .parse::<i64>()
                    .map_err(|_| AppError::BadRequest("version: a number".into()))?;
                zones::set_model(s, &who.user.name, &p, text, version)
            })();
            let (status, outcome) = match applied {
                Ok(_) => (StatusCode::OK, context! { done => true }),
                Err(e @ (AppError::BadRequest(_) | AppError::Conflict { .. })) => {
                    (e.status(), context! { error => e.to_string() })
                }
                Err(e) => return Err(e),
            };
            let view = zones_page(s, &p, role, lang.lang, Some(outcome))?;
            Ok((
                status,
                render("zones.html", lang, context! { ..view, ..user })?,
            ))
        })
        .await;
    page(lang, false, result)
}

#[derive(serde::Deserialize)]
pub struct ReportQuery {
    format: String,
}

/// `/p/{p}/zones/report?format=html|pdf`: the zone and conduit report `tekigo risk report`
/// writes. A failure is an error page in the reader's language, not JSON.
pub async fn report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> Response {
    let (who, lang) = (ctx.who.clone(), ctx.lang);
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            let a = zones::analysis(s, &p)?.ok_or_else(|| {
                AppError::NotFound(format!("project {p:?} has no zone and conduit model"))
            })?;
            let config = service::project_config(s, &p)?;
            let input = tekigo_risk::report::ReportInput {
                doc: &a.doc,
                catalog: s.catalog,
                project: &config.product.name,
                derivation: &a.derivation,
                violations: &a.violations,
                feasibility: &a.feasibility,
                lang: lang.lang,
            };
            let fail = |e: tekigo_risk::RiskError| match zones::risk_error(e) {
                AppError::Internal(m) => AppError::Internal(format!("zone report: {m}")),
                other => other,
            };
            Ok(match q.format.as_str() {
                "html" => (
                    tekigo_risk::report::html(&input)
                        .map_err(fail)?
                        .into_bytes(),
                    "text/html; charset=utf-8",
                    format!("{p}-zones.html"),
                ),
                "pdf" => (
                    tekigo_risk::report::pdf(&input, s.settings.font_dir.as_deref())
                        .map_err(fail)?,
                    "application/pdf",
                    format!("{p}-zones.pdf"),
                ),
                other => {
                    return Err(AppError::BadRequest(format!(
                        "format {other:?}: use html or pdf"
                    )))
                }
            })
        })
        .await;
    match result {
        Ok((bytes, media, name)) => crate::api::download(bytes, media, &name),
        Err(e) => super::error_response(lang, e, false),
    }
}
