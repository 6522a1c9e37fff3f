//! Creating a project (server administrators) and a project's settings page (project
//! admins): product, language and standards in scope, components, members and roles. The
//! work is [`crate::projects`]; a form posts with htmx and the page comes back whole, with
//! what happened (or why nothing did) at the top.

use super::{hx_redirect, page, percent, render, user_ctx, Ctx};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::projects::{self, Settings};
use crate::service;
use crate::state::{AppState, Shared};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::{context, Value};
use tekigo_assess::project::{Component, Product};
use tekigo_assess::ProjectConfig;
use tekigo_catalog::{Catalog, Lang};
use tekigo_store::users;

/// A submitted urlencoded form: a field may repeat (the standards' checkboxes).
type Fields = Vec<(String, String)>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

fn optional(f: &Fields, name: &str) -> Option<String> {
    Some(field(f, name).to_string()).filter(|v| !v.is_empty())
}

/// The standards a project may have in scope, for the checkboxes.
fn standard_choices(catalog: &Catalog, lang: Lang, chosen: &[String]) -> Vec<Value> {
    catalog
        .standards
        .iter()
        .map(|st| {
            context! {
                id => st.info.id,
                title => st.info.title.get(lang),
                checked => chosen.contains(&st.info.id),
            }
        })
        .collect()
}

/// The settings the project form sends.
fn settings_of(f: &Fields) -> Result<Settings, AppError> {
    let language = field(f, "language")
        .parse::<Lang>()
        .map_err(|_| AppError::BadRequest("language: en or ja".into()))?;
    Ok(Settings {
        product: Product {
            name: projects::one_line("product name", field(f, "product"), 200)?,
            vendor: optional(f, "vendor"),
            version: optional(f, "product_version"),
            // Kept from tekigo.yaml by `save_settings`; the form does not edit it.
            description: None,
            support_until: None,
        },
        language,
        standards: f
            .iter()
            .filter(|(k, _)| k == "standard")
            .map(|(_, v)| v.clone())
            .collect(),
    })
}

/// `/projects/new` (server administrators).
pub async fn new_form(State(st): State<AppState>, ctx: Ctx) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            access::require_server_admin(&who)?;
            let body = render(
                "project_new.html",
                lang,
                context! {
                    standards => standard_choices(s.catalog, lang.lang, &[]),
                    form_lang => lang.code(),
                    ..user
                },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}

/// Creates the project and goes to its settings, where components and members are added.
pub async fn create(State(st): State<AppState>, ctx: Ctx, Form(f): Form<Fields>) -> Response {
    let (who, lang) = (ctx.who.clone(), ctx.lang);
    let result = st
        .db(move |s| {
            access::require_server_admin(&who)?;
            let id = field(&f, "id").to_string();
            projects::create(s, &who.user.name, &id, settings_of(&f)?)?;
            Ok(format!("/p/{}/settings", percent(&id)))
        })
        .await;
    hx_redirect(lang, result)
}

/// The settings page's context, with the outcome of the last change.
fn settings_page(
    s: &Shared,
    p: &str,
    lang: Lang,
    outcome: Option<Value>,
) -> Result<Value, AppError> {
    let config = service::project_config(s, p)?;
    let members = s.store.read(|c| users::members(c, p))?;
    let base = format!("/p/{}", percent(p));
    let components: Vec<Value> = config
        .components
        .iter()
        .map(|c| {
            context! {
                ports => c.ports.iter().map(u16::to_string).collect::<Vec<_>>().join(" "),
                ..Value::from_serialize(c)
            }
        })
        .collect();
    Ok(context! {
        project => p,
        project_href => base.clone(),
        action => format!("{base}/settings"),
        product => config.product,
        language => match config.language { Lang::En => "en", Lang::Ja => "ja" },
        standards => standard_choices(s.catalog, lang, &config.standards),
        components => components,
        types => ["embedded", "network", "host", "software"],
        members => members,
        roles => ["viewer", "contributor", "assessor", "admin"],
        outcome => outcome,
    })
}

/// `/p/{p}/settings` (project admins).
pub async fn settings(State(st): State<AppState>, ctx: Ctx, Path(p): Path<String>) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Manage)?;
            let view = settings_page(s, &p, lang.lang, None)?;
            Ok((
                StatusCode::OK,
                render("project_settings.html", lang, context! { ..view, ..user })?,
            ))
        })
        .await;
    page(lang, false, result)
}

/// One change on the settings page (project admins): `work` returns the label key of what
/// was done; a refused change shows its reason at the top, with the status the API gives.
async fn change(
    st: AppState,
    ctx: Ctx,
    p: String,
    work: impl FnOnce(&Shared, &str, &str) -> Result<&'static str, AppError> + Send + 'static,
) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Manage)?;
            let (status, outcome) = match work(s, &who.user.name, &p) {
                Ok(done) => (StatusCode::OK, context! { done => done }),
                Err(
                    e @ (AppError::BadRequest(_)
                    | AppError::NotFound(_)
                    | AppError::Conflict { .. }),
                ) => (e.status(), context! { error => e.to_string() }),
                Err(e) => return Err(e),
            };
            let view = settings_page(s, &p, lang.lang, Some(outcome))?;
            Ok((
                status,
                render("project_settings.html", lang, context! { ..view, ..user })?,
            ))
        })
        .await;
    page(lang, false, result)
}

/// Product, language and standards in scope.
pub async fn save_settings(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    change(st, ctx, p, move |s, actor, p| {
        projects::save_settings(s, actor, p, settings_of(&f)?)?;
        Ok("settings_saved")
    })
    .await
}

/// A component as the form sends it, over the fields of the component it replaces (so that
/// fields the form does not show are kept).
fn component_of(f: &Fields, base: Option<&Component>) -> Result<Component, AppError> {
    let mut value = match base {
        Some(c) => serde_json::to_value(c).map_err(|e| AppError::Internal(e.to_string()))?,
        None => serde_json::json!({}),
    };
    let ports = field(f, "ports")
        .split([' ', ','])
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<u16>()
                .map_err(|_| AppError::BadRequest(format!("port {p:?}: a number 0-65535")))
        })
        .collect::<Result<Vec<u16>, AppError>>()?;
    let map = value
        .as_object_mut()
        .ok_or_else(|| AppError::Internal("component is not a map".into()))?;
    map.insert(
        "name".into(),
        projects::one_line("component name", field(f, "name"), 128)?.into(),
    );
    map.insert("type".into(), field(f, "type").into());
    match optional(f, "version") {
        Some(v) => map.insert("version".into(), v.into()),
        None => map.remove("version"),
    };
    map.insert("ports".into(), serde_json::json!(ports));
    serde_json::from_value(value).map_err(|e| AppError::BadRequest(format!("component: {e}")))
}

/// Adds a component, or changes the one named in `original`.
pub async fn save_component(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    change(st, ctx, p, move |s, actor, p| {
        let original = optional(&f, "original");
        let config: ProjectConfig = service::project_config(s, p)?;
        let base = original
            .as_deref()
            .and_then(|o| config.components.iter().find(|c| c.name == o));
        let component = component_of(&f, base)?;
        projects::save_component(s, actor, p, component, original.as_deref())?;
        Ok("component_saved")
    })
    .await
}

pub async fn remove_component(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    change(st, ctx, p, move |s, actor, p| {
        projects::remove_component(s, actor, p, field(&f, "name"))?;
        Ok("component_removed")
    })
    .await
}

/// Gives a user a role in the project; the empty role removes them.
pub async fn set_member(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    change(st, ctx, p, move |s, actor, p| {
        let role = optional(&f, "role");
        projects::set_member(s, actor, p, field(&f, "user"), role.as_deref())?;
        Ok(if role.is_some() {
            "member_saved"
        } else {
            "member_removed"
        })
    })
    .await
}
