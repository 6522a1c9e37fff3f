//! Login, first-start setup and logout as HTML forms. The same URLs keep answering the
//! JSON API's clients: a request that is not a form goes to the JSON handler of
//! [`auth`]. Both kinds end in [`auth::login`] / [`auth::setup`] and the cookie of
//! [`auth::session_response`].

use super::{html, render, see_other, PageLang};
use crate::auth::{self, LoginForm, SetupForm};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use minijinja::context;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct Next {
    #[serde(default)]
    next: String,
}

impl Next {
    /// Only a path of this server, else `/`. Browsers drop tabs and newlines from a URL
    /// and read `\` as `/`, so `/<TAB>/host` and `/\host` name another host just as
    /// `//host` does: the target must be printable ASCII without spaces or backslashes,
    /// parse as a path (with its query), and not start with `//`.
    fn target(&self) -> &str {
        let n = self.next.as_str();
        let local = n.starts_with('/')
            && !n.starts_with("//")
            && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
            && n.parse::<axum::http::uri::PathAndQuery>().is_ok();
        if local {
            n
        } else {
            "/"
        }
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn form_page(
    name: &str,
    lang: PageLang,
    status: StatusCode,
    next: &Next,
    error: Option<String>,
) -> Response {
    let ctx = context! { next_q => super::percent(next.target()), error => error };
    match render(name, lang, ctx) {
        Ok(body) => html(lang, status, body),
        Err(e) => e.into_response(),
    }
}

pub async fn login_page(lang: PageLang, Query(next): Query<Next>) -> Response {
    form_page("login.html", lang, StatusCode::OK, &next, None)
}

pub async fn setup_page(lang: PageLang) -> Response {
    form_page("setup.html", lang, StatusCode::OK, &Next::default(), None)
}

/// The session cookie of a successful login, on a redirect to where the user was going.
fn logged_in(session: Result<(String, String), AppError>, to: &str) -> Result<Response, AppError> {
    let (token, csrf) = session?;
    let mut response = auth::session_response(&token, &csrf);
    let redirect = see_other(to);
    *response.status_mut() = redirect.status();
    response.headers_mut().extend(redirect.headers().clone());
    Ok(response)
}

pub async fn login(
    State(st): State<AppState>,
    lang: PageLang,
    Query(next): Query<Next>,
    request: Request,
) -> Response {
    let addr = auth::client_addr(request.extensions());
    if !is_form(request.headers()) {
        return match Json::<LoginForm>::from_request(request, &st).await {
            Ok(Json(form)) => auth::login_json(&st, addr, form).await.into_response(),
            Err(rejection) => rejection.into_response(),
        };
    }
    let origin = auth::check_same_origin(request.headers(), request.uri());
    let result = async {
        origin?;
        let Form(form) = Form::<LoginForm>::from_request(request, &st)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let session = auth::login(&st, addr, form.username, form.password).await;
        logged_in(session, next.target())
    }
    .await;
    result.unwrap_or_else(|e| {
        // What a person meets at the login form is said in the page's language; anything
        // else (a form posted from another site) as the server words it.
        form_page(
            "login.html",
            lang,
            e.status(),
            &next,
            Some(super::said(lang, &e)),
        )
    })
}

pub async fn setup(State(st): State<AppState>, lang: PageLang, request: Request) -> Response {
    let addr = auth::client_addr(request.extensions());
    if !is_form(request.headers()) {
        return match Json::<SetupForm>::from_request(request, &st).await {
            Ok(Json(form)) => auth::setup_json(&st, addr, form).await.into_response(),
            Err(rejection) => rejection.into_response(),
        };
    }
    let origin = auth::check_same_origin(request.headers(), request.uri());
    let result = async {
        origin?;
        let Form(form) = Form::<SetupForm>::from_request(request, &st)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let session = auth::setup(&st, addr, form).await;
        logged_in(session, "/")
    }
    .await;
    result.unwrap_or_else(|e| {
        form_page(
            "setup.html",
            lang,
            e.status(),
            &Next::default(),
            Some(super::said(lang, &e)),
        )
    })
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session. The logout button is a plain form with the session's CSRF token in
/// a field: it is answered with the login page; other clients send the token in the
/// header and get the JSON answer of [`auth::logout`].
pub async fn logout(
    State(st): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let form_token = form.ok().map(|Form(f)| f.csrf);
    let is_form = is_form(&headers);
    let mut response = auth::logout(&st, (&headers, &uri), form_token.as_deref()).await;
    if is_form && response.status().is_success() {
        let redirect = see_other("/login");
        *response.status_mut() = redirect.status();
        response.headers_mut().extend(redirect.headers().clone());
    }
    response
}
