//! Server-rendered pages in English and Japanese: htmx from this server (no CDN), one
//! stylesheet, no inline script or style, so that the Content-Security-Policy of
//! [`crate::router`] holds.
//!
//! Handlers stay as thin as the API's: authenticate ([`Ctx`]), authorise
//! ([`access::require`](crate::access::require)), call [`service`](crate::service), render one
//! template. Every word of the interface comes from `i18n/labels.yaml`; catalog titles and
//! summaries come from the catalog in the chosen language.
//!
//! - [`account`]: login, first-start setup, logout (forms next to the JSON API).
//! - [`project`]: the caller's projects with their dashboard, one project with uploads.
//! - [`sheet`]: the check sheet and the requirement detail with its forms.
//! - [`vulns`]: SBOM uploads, vulnerabilities and their triage.
//! - [`projects`]: a new project, a project's settings, components and members.
//! - [`assessments`]: a new assessment, and report downloads that fail as pages.
//! - [`zones`]: the zones and conduits of a project (IEC 62443-3-2).
//! - [`scancheck`]: one check of a scan report, as a scan evidence link shows it.
//! - [`regime`]: an assessment seen through the EU CRA, EN 303 645, JC-STAR and the rest.
//! - [`upkeep`]: a project's upkeep (what is due and overdue, its iCalendar) and its
//!   certificates with the forms that add and renew one.
//! - [`tokens`]: the caller's password and API tokens; [`users`]: the administrators'
//!   users page.

mod account;
mod assessments;
mod i18n;
mod project;
mod projects;
mod regime;
mod releases;
mod scancheck;
mod sheet;
mod tokens;
mod upkeep;
mod users;
mod vulns;
mod zones;

use crate::auth::Principal;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Environment, UndefinedBehavior, Value};
use std::sync::OnceLock;
use tekigo_catalog::Lang;

/// Every page route, the form handlers of `/login`, `/setup` and `/logout` (which also
/// answer the JSON API's clients), and the two static assets.
pub fn router(max_upload: usize) -> Router<AppState> {
    let uploads = Router::new()
        .route("/p/{p}/evidence", post(project::evidence_upload))
        .route("/p/{p}/scans", post(project::scan_upload))
        .route("/p/{p}/sboms", post(vulns::sbom_upload))
        .route("/p/{p}/a/{a}/r/{r}/evidence", post(sheet::evidence_attach))
        .route("/p/{p}/zones", post(zones::upload))
        .layer(DefaultBodyLimit::max(max_upload));
    Router::new()
        .route("/assets/htmx.min.js", get(htmx))
        .route("/assets/app.css", get(stylesheet))
        .route("/login", get(account::login_page).post(account::login))
        .route("/setup", get(account::setup_page).post(account::setup))
        .route("/logout", post(account::logout))
        .route("/account", get(tokens::show))
        .route(
            "/account/password",
            get(tokens::show).post(tokens::password),
        )
        .route("/account/tokens", post(tokens::create))
        .route("/account/tokens/{id}/revoke", post(tokens::revoke))
        .route("/admin/users", get(users::show).post(users::create))
        .route("/admin/users/{name}", post(users::change))
        .route("/", get(project::home))
        .route("/p/{p}", get(project::show))
        .route("/p/{p}/a/{a}", get(sheet::sheet))
        .route("/p/{p}/a/{a}/regime/{r}", get(regime::show))
        .route("/p/{p}/vulnerabilities", get(vulns::show))
        .route("/p/{p}/releases", get(releases::show))
        .route("/p/{p}/upkeep", get(upkeep::show))
        .route("/p/{p}/upkeep.ics", get(upkeep::calendar))
        .route("/p/{p}/certificates", get(upkeep::list).post(upkeep::add))
        .route("/p/{p}/certificates/{id}", get(upkeep::one))
        .route("/p/{p}/certificates/{id}/renew", post(upkeep::renew))
        .route("/p/{p}/certificates/{id}/audit", post(upkeep::audit))
        .route("/p/{p}/certificates/{id}/done", post(upkeep::done))
        .route("/p/{p}/vulnerabilities/triage", post(vulns::triage))
        .route(
            "/p/{p}/a/{a}/r/{r}",
            get(sheet::requirement).post(sheet::answer),
        )
        .route("/p/{p}/a/{a}/r/{r}/review", post(sheet::review))
        .route("/p/{p}/a/{a}/r/{r}/finding", post(sheet::finding))
        .route("/projects/new", get(projects::new_form))
        .route("/projects", post(projects::create))
        .route(
            "/p/{p}/settings",
            get(projects::settings).post(projects::save_settings),
        )
        .route("/p/{p}/components", post(projects::save_component))
        .route("/p/{p}/components/remove", post(projects::remove_component))
        .route("/p/{p}/members", post(projects::set_member))
        .route(
            "/p/{p}/assessments/new",
            get(assessments::new_form).post(assessments::create),
        )
        .route("/p/{p}/a/{a}/report", get(assessments::report))
        .route("/p/{p}/zones", get(zones::show))
        .route("/p/{p}/scan/{sha}/{check}", get(scancheck::show))
        .route(
            "/p/{p}/a/{a}/r/{r}/evidence/detach",
            post(sheet::evidence_detach),
        )
        .route("/p/{p}/zones/report", get(zones::report))
        .merge(uploads)
}

async fn htmx() -> impl IntoResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../assets/htmx.min.js"),
    )
}

async fn stylesheet() -> impl IntoResponse {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../assets/app.css"),
    )
}

fn asset(media: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, media),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
}

/// The cookie that remembers a language chosen with `?lang=`.
const LANG_COOKIE: &str = "tekigo_lang";

/// The language of a request: `?lang=`, else the cookie a former `?lang=` set, else the
/// browser's `Accept-Language`, else English.
#[derive(Debug, Clone, Copy)]
pub struct PageLang {
    pub lang: Lang,
    /// Set when `?lang=` chose it: the answer stores the choice in a cookie.
    remember: bool,
}

impl PageLang {
    fn of(parts: &Parts) -> PageLang {
        let from_query = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| v.parse::<Lang>().ok())
        });
        if let Some(lang) = from_query {
            return PageLang {
                lang,
                remember: true,
            };
        }
        let lang = cookie(&parts.headers, LANG_COOKIE)
            .and_then(|v| v.parse().ok())
            .or_else(|| accepted_language(&parts.headers))
            .unwrap_or_default();
        PageLang {
            lang,
            remember: false,
        }
    }

    fn code(self) -> &'static str {
        match self.lang {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// Adds the language cookie to an answer when `?lang=` chose the language.
    fn apply(self, mut response: Response) -> Response {
        if self.remember {
            let text = format!(
                "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                self.code()
            );
            if let Ok(v) = HeaderValue::from_str(&text) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        response
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLang::of(parts))
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language the browser prefers most among English and Japanese.
fn accepted_language(headers: &HeaderMap) -> Option<Lang> {
    let text = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(f32, Lang)> = None;
    for entry in text.split(',') {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let lang = match tag.split('-').next() {
            Some("ja") => Lang::Ja,
            Some("en") => Lang::En,
            _ => continue,
        };
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// The caller of a page, in their language. Someone not logged in is sent to `/login`
/// (htmx requests with `HX-Redirect`, so that a page does not end up inside a table).
pub struct Ctx {
    pub who: Principal,
    pub lang: PageLang,
    /// The id of the element an htmx request will replace, if it is one.
    pub target: Option<String>,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = PageLang::of(parts);
        let htmx = parts.headers.contains_key("hx-request");
        match Principal::from_request_parts(parts, state).await {
            Ok(who) if who.user.must_change_password && !crate::auth::must_change_allows(parts) => {
                Err(redirect(htmx, "/account/password"))
            }
            Ok(who) => Ok(Ctx {
                who,
                lang,
                target: parts
                    .headers
                    .get("hx-target")
                    .and_then(|v| v.to_str().ok())
                    .filter(|_| htmx)
                    .map(str::to_string),
            }),
            Err(AppError::Unauthorized) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/", |pq| pq.as_str())
                    .to_string();
                Err(to_login(htmx, &next))
            }
            Err(e) => Err(error_response(lang, e, htmx)),
        }
    }
}

/// Where a logged-out caller goes; `next` brings them back after logging in.
fn to_login(htmx: bool, next: &str) -> Response {
    redirect(htmx, &format!("/login?next={}", percent(next)))
}

/// Sends the browser to `location`: htmx follows `HX-Redirect` with a full page load.
fn redirect(htmx: bool, location: &str) -> Response {
    if htmx {
        htmx_go(location)
    } else {
        see_other(location)
    }
}

/// Sends an htmx request's page to `location` (htmx loads it whole).
fn htmx_go(location: &str) -> Response {
    let mut r = StatusCode::OK.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert("hx-redirect", v);
    }
    r
}

fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Percent-encodes a URL component: requirement ids hold spaces and parentheses.
pub(crate) fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The templates, parsed once. Every value is HTML-escaped; a name a template uses and
/// the context lacks is an error, so a missing label fails the tests instead of printing
/// nothing.
fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.add_filter("code", code);
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                // The templates are compiled in and parsed by the tests: this is a broken
                // build, reported on every render below.
                eprintln!("tekigo serve: template {name}: {e:#}");
            }
        }
        env
    })
}

/// The `code` filter: a label's `backticked` spans (commands, headers: how
/// `i18n/labels.yaml` marks them) as `<code>`, the rest escaped. Printed as they are, the
/// backticks showed on the pages.
fn code(text: &str) -> Value {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in text.split('`').enumerate() {
        let part = minijinja::HtmlEscape(part);
        if i % 2 == 1 {
            out.push_str(&format!("<code>{part}</code>"));
        } else {
            out.push_str(&part.to_string());
        }
    }
    Value::from_safe_string(out)
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("setup.html", include_str!("../../templates/setup.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("project.html", include_str!("../../templates/project.html")),
    ("regime.html", include_str!("../../templates/regime.html")),
    (
        "regimes_nav.html",
        include_str!("../../templates/regimes_nav.html"),
    ),
    (
        "project_data.html",
        include_str!("../../templates/project_data.html"),
    ),
    ("sheet.html", include_str!("../../templates/sheet.html")),
    (
        "sheet_table.html",
        include_str!("../../templates/sheet_table.html"),
    ),
    (
        "requirement.html",
        include_str!("../../templates/requirement.html"),
    ),
    ("answer.html", include_str!("../../templates/answer.html")),
    ("error.html", include_str!("../../templates/error.html")),
    (
        "error_fragment.html",
        include_str!("../../templates/error_fragment.html"),
    ),
    (
        "overview.html",
        include_str!("../../templates/overview.html"),
    ),
    (
        "vulnerabilities.html",
        include_str!("../../templates/vulnerabilities.html"),
    ),
    (
        "releases.html",
        include_str!("../../templates/releases.html"),
    ),
    ("zones.html", include_str!("../../templates/zones.html")),
    (
        "scan_check.html",
        include_str!("../../templates/scan_check.html"),
    ),
    (
        "zone_steps.html",
        include_str!("../../templates/zone_steps.html"),
    ),
    (
        "project_new.html",
        include_str!("../../templates/project_new.html"),
    ),
    (
        "project_settings.html",
        include_str!("../../templates/project_settings.html"),
    ),
    (
        "project_fields.html",
        include_str!("../../templates/project_fields.html"),
    ),
    (
        "component_fields.html",
        include_str!("../../templates/component_fields.html"),
    ),
    (
        "assessment_new.html",
        include_str!("../../templates/assessment_new.html"),
    ),
    ("account.html", include_str!("../../templates/account.html")),
    ("users.html", include_str!("../../templates/users.html")),
    ("upkeep.html", include_str!("../../templates/upkeep.html")),
    (
        "certificates.html",
        include_str!("../../templates/certificates.html"),
    ),
    (
        "certificate.html",
        include_str!("../../templates/certificate.html"),
    ),
];

/// Renders one template with the words of `lang` as `t`.
fn render(name: &str, lang: PageLang, ctx: Value) -> Result<String, AppError> {
    let fail = |e: minijinja::Error| AppError::Internal(format!("template {name}: {e:#}"));
    let t = i18n::table(lang.lang)?;
    env()
        .get_template(name)
        .map_err(fail)?
        .render(context! { t => t, lang => lang.code(), ..ctx })
        .map_err(fail)
}

/// What every page of a logged-in user shows: who they are, and the CSRF token that htmx
/// sends with every request (`hx-headers` on `<body>`).
fn user_ctx(ctx: &Ctx) -> Value {
    let headers = serde_json::json!({ "X-CSRF-Token": ctx.who.csrf.as_deref().unwrap_or("") });
    context! {
        user => ctx.who.user.name,
        is_admin => ctx.who.user.is_admin,
        csrf => ctx.who.csrf.as_deref().unwrap_or(""),
        hx_headers => headers.to_string(),
    }
}

/// An HTML answer with a status, and the language cookie when `?lang=` asked for one.
fn html(lang: PageLang, status: StatusCode, body: String) -> Response {
    lang.apply(
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
    )
}

/// An error as a page says it: in the page's language when it has a label
/// ([`AppError::label`]), else as the server words it, serde's English detail (a broken
/// upload) in the page's language.
fn said(lang: PageLang, e: &AppError) -> String {
    e.label()
        .and_then(|(key, id)| {
            let text = i18n::text(lang.lang, key).ok()?;
            Some(match id {
                Some(id) => text.replace("{id}", id),
                None => text,
            })
        })
        .unwrap_or_else(|| tekigo_detail::detail(lang.lang, &e.to_string()))
}

/// An error as a page (or, for htmx, as a message that replaces the target), with the
/// status the API would give.
fn error_response(lang: PageLang, e: AppError, fragment: bool) -> Response {
    if let AppError::Internal(detail) = &e {
        eprintln!("tekigo serve: internal error: {detail}");
    }
    let message = said(lang, &e);
    let ctx = context! { message => message, status => e.status().as_u16() };
    let name = if fragment {
        "error_fragment.html"
    } else {
        "error.html"
    };
    match render(name, lang, ctx) {
        Ok(body) => html(lang, e.status(), body),
        Err(_) => e.into_response(),
    }
}

/// Where an htmx form goes after it succeeded (`HX-Redirect`: htmx loads that page); a
/// refused form gets the error as a fragment for its target.
fn hx_redirect(lang: PageLang, result: Result<String, AppError>) -> Response {
    match result {
        Ok(location) => htmx_go(&location),
        Err(e) => error_response(lang, e, true),
    }
}

/// Renders a page or fragment, or the error page instead.
fn page(
    lang: PageLang,
    fragment: bool,
    result: Result<(StatusCode, String), AppError>,
) -> Response {
    match result {
        Ok((status, body)) => html(lang, status, body),
        Err(e) => error_response(lang, e, fragment),
    }
}

/// A submitted multipart form: its text fields and the file it carries, if one was chosen
/// (on disk, see [`crate::upload`]).
struct Upload {
    fields: std::collections::BTreeMap<String, String>,
    file: Option<(String, crate::upload::Spooled)>,
}

/// A multipart error as the API would answer it.
pub(crate) fn upload_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(format!("upload: {e}"))
    } else {
        AppError::BadRequest(format!("upload: {e}"))
    }
}

/// Text fields of an upload form are short: more is refused.
const MAX_FIELD_BYTES: usize = 64 * 1024;

impl Upload {
    /// Checks that the caller has `need` in `project`, and only then reads the form.
    async fn read(
        st: &AppState,
        ctx: &Ctx,
        project: &str,
        need: crate::access::Need,
        mut form: Multipart,
    ) -> Result<Upload, AppError> {
        let (who, p) = (ctx.who.clone(), project.to_string());
        st.db(move |s| crate::access::require(s, &who, &p, need).map(drop))
            .await?;
        let shared = st.shared();
        let mut upload = Upload {
            fields: Default::default(),
            file: None,
        };
        while let Some(field) = form.next_field().await.map_err(upload_error)? {
            let name = field.name().unwrap_or("").to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let spooled = crate::upload::spool_field(
                        &shared.data_dir,
                        field,
                        shared.settings.max_upload_bytes,
                    )
                    .await?;
                    if !file_name.is_empty() {
                        upload.file = Some((file_name, spooled));
                    }
                }
                None => {
                    let text = field.text().await.map_err(upload_error)?;
                    if text.len() > MAX_FIELD_BYTES {
                        return Err(AppError::TooLarge(format!("form field {name}: too long")));
                    }
                    upload.fields.insert(name, text);
                }
            }
        }
        Ok(upload)
    }

    fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |v| v.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticked_spans_of_a_label_are_code_and_the_rest_is_escaped() {
        assert_eq!(
            code("run `tekigo <serve>` & `x` then").to_string(),
            "run <code>tekigo &lt;serve&gt;</code> &amp; <code>x</code> then"
        );
        assert_eq!(code("no code <b>").to_string(), "no code &lt;b&gt;");
    }

    #[test]
    fn every_template_parses_and_names_only_existing_labels() {
        let en = i18n::keys();
        for (name, source) in TEMPLATES {
            env()
                .get_template(name)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            let bytes = source.as_bytes();
            for (i, _) in source.match_indices("t.") {
                let before = i.checked_sub(1).map(|j| bytes[j]);
                if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
                    continue;
                }
                let key: String = source[i + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    en.contains(&key),
                    "{name}: label t.{key} is not in labels.yaml"
                );
            }
        }
    }

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr-FR, ja;q=0.8, en;q=0.5"),
        );
        assert_eq!(accepted_language(&h), Some(Lang::Ja));
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("en-US,en;q=0.9,ja;q=0.3"),
        );
        assert_eq!(accepted_language(&h), Some(Lang::En));
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("de"));
        assert_eq!(accepted_language(&h), None);
    }

    #[test]
    fn percent_keeps_requirement_ids_in_one_path_segment() {
        assert_eq!(percent("CR 2.1 RE(1)"), "CR%202.1%20RE%281%29");
        assert_eq!(percent("a/b?c"), "a%2Fb%3Fc");
    }
}
