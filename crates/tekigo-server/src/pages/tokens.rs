//! `/account`: the caller's own credentials. Changing the password (which an
//! administrator-set password forces first), and API tokens: listed with their expiry and
//! last use, made with an expiry (the secret shown once), revoked.

use super::{page, render, user_ctx, Ctx};
use crate::account::{self, NewToken, PasswordChange};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use tekigo_store::users;

/// `GET /account`.
pub async fn show(State(st): State<AppState>, ctx: Ctx) -> Response {
    respond(st, ctx, StatusCode::OK, None).await
}

/// Renders the account page with the outcome of a change.
async fn respond(st: AppState, ctx: Ctx, status: StatusCode, outcome: Option<Value>) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let fragment = ctx.target.is_some();
    let result = st
        .db(move |s| {
            let tokens = s.store.read(|c| users::tokens(c, &who.user))?;
            let now = tekigo_store::now_unix();
            let tokens: Vec<Value> = tokens
                .iter()
                .map(|t| {
                    context! {
                        expires_at => unix_date(t.expires),
                        last_used_at => unix_date(t.last_used),
                        expired => t.expires > 0 && t.expires <= now,
                        ..Value::from_serialize(t)
                    }
                })
                .collect();
            let body = render(
                "account.html",
                lang,
                context! {
                    tokens => tokens,
                    outcome => outcome,
                    must_change => who.user.must_change_password,
                    max_days => account::MAX_TOKEN_DAYS,
                    ..user
                },
            )?;
            Ok((status, body))
        })
        .await;
    page(lang, fragment, result)
}

/// A date for the page (UTC, to the minute); empty for 0 (never).
fn unix_date(secs: i64) -> String {
    if secs <= 0 {
        return String::new();
    }
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

/// A refused change is shown on the page with its status; anything else is an error page.
async fn after(st: AppState, ctx: Ctx, result: Result<Value, AppError>) -> Response {
    match result {
        Ok(done) => respond(st, ctx, StatusCode::OK, Some(done)).await,
        Err(
            e @ (AppError::BadRequest(_)
            | AppError::WeakPassword(_)
            | AppError::WrongCurrentPassword
            | AppError::Locked),
        ) => {
            let (status, error) = (e.status(), super::said(ctx.lang, &e));
            respond(st, ctx, status, Some(context! { error => error })).await
        }
        Err(e) => super::error_response(ctx.lang, e, ctx.target.is_some()),
    }
}

/// `POST /account/password`. Every session ends with the old password, this one too:
/// the browser goes to the login page.
pub async fn password(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(change): Form<PasswordChange>,
) -> Response {
    match account::change_password(&st, &ctx.who, change).await {
        Ok(()) => super::redirect(ctx.target.is_some(), "/login"),
        Err(e) => after(st, ctx, Err(e)).await,
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
    #[serde(default)]
    days: String,
}

/// `POST /account/tokens`: the new secret is shown on the page, once.
pub async fn create(State(st): State<AppState>, ctx: Ctx, Form(f): Form<TokenForm>) -> Response {
    let result = async {
        let days = match f.days.trim() {
            "" => None,
            d => Some(d.parse::<i64>().map_err(|_| {
                AppError::BadRequest(format!(
                    "days: a number from 1 to {}",
                    account::MAX_TOKEN_DAYS
                ))
            })?),
        };
        let made = account::create_token(
            &st,
            &ctx.who,
            NewToken {
                name: f.name,
                expires_days: days,
            },
        )
        .await?;
        Ok(context! { done => "token_created", name => made.name, secret => made.token })
    }
    .await;
    after(st, ctx, result).await
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let user = ctx.who.user.clone();
    let result = st
        .db(move |s| {
            let revoked = s
                .store
                .write(|tx| users::token_revoke(tx, &user.name, &user, &id))?;
            if revoked {
                Ok(context! { done => "token_revoked", name => id })
            } else {
                Err(AppError::BadRequest(format!(
                    "token {id}: not one of yours"
                )))
            }
        })
        .await;
    after(st, ctx, result).await
}
