//! `/admin/users` (server administrators): every user with their state, and the forms
//! that create a user, disable or enable one, give or take administrator rights, and
//! set a new password. A password set here is one the user must change at their next
//! login ([`crate::account`]).

use super::{page, render, user_ctx, Ctx};
use crate::access;
use crate::account::{self, NewUser, UserChange};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use tekigo_store::users;

/// `GET /admin/users`.
pub async fn show(State(st): State<AppState>, ctx: Ctx) -> Response {
    respond(st, ctx, Ok(None)).await
}

/// Renders the page with the outcome of a change; a refused change is shown on the page
/// with its status.
async fn respond(st: AppState, ctx: Ctx, result: Result<Option<Value>, AppError>) -> Response {
    let (lang, user) = (ctx.lang, user_ctx(&ctx));
    let fragment = ctx.target.is_some();
    if let Err(e) = access::require_server_admin(&ctx.who) {
        return super::error_response(lang, e, fragment);
    }
    let (status, outcome) = match result {
        Ok(done) => (StatusCode::OK, done),
        Err(
            e @ (AppError::BadRequest(_)
            | AppError::WeakPassword(_)
            | AppError::BadUserName
            | AppError::Conflict { .. }
            | AppError::NotFound(_)),
        ) => (
            e.status(),
            Some(context! { error => super::said(lang, &e) }),
        ),
        Err(e) => return super::error_response(lang, e, fragment),
    };
    let result = st
        .db(move |s| {
            let list = s.store.read(users::list)?;
            let body = render(
                "users.html",
                lang,
                context! { users => list, outcome => outcome, ..user },
            )?;
            Ok((status, body))
        })
        .await;
    page(lang, fragment, result)
}

#[derive(Deserialize)]
pub struct CreateForm {
    name: String,
    password: String,
    #[serde(default)]
    is_admin: Option<String>,
}

/// `POST /admin/users`: a new user, who must change the password at their first login.
pub async fn create(State(st): State<AppState>, ctx: Ctx, Form(f): Form<CreateForm>) -> Response {
    let result = async {
        access::require_server_admin(&ctx.who)?;
        let made = account::create_user(
            &st,
            &ctx.who,
            NewUser {
                name: f.name,
                password: f.password,
                is_admin: f.is_admin.is_some(),
                must_change: true,
            },
        )
        .await?;
        Ok(Some(context! { done => "user_created", name => made.name }))
    }
    .await;
    respond(st, ctx, result).await
}

#[derive(Deserialize)]
pub struct ChangeForm {
    /// `disable`, `enable`, `make_admin`, `revoke_admin` or `password`.
    action: String,
    #[serde(default)]
    password: String,
}

/// `POST /admin/users/{name}`: one change to one user.
pub async fn change(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Response {
    let change = match f.action.as_str() {
        "disable" | "enable" => Ok(UserChange {
            disabled: Some(f.action == "disable"),
            ..UserChange::default()
        }),
        "make_admin" | "revoke_admin" => Ok(UserChange {
            is_admin: Some(f.action == "make_admin"),
            ..UserChange::default()
        }),
        "password" => Ok(UserChange {
            password: Some(f.password),
            ..UserChange::default()
        }),
        other => Err(AppError::BadRequest(format!("unknown action {other:?}"))),
    };
    let result = async {
        access::require_server_admin(&ctx.who)?;
        let done = format!("user_{}", f.action);
        let changed = account::update_user(&st, &ctx.who, &name, change?).await?;
        Ok(Some(context! { done => done, name => changed.name }))
    }
    .await;
    respond(st, ctx, result).await
}
