//! The credential lifecycle (CR 1.1, 1.5): users created, changed and disabled by a server
//! administrator, passwords changed by their owner, API tokens made with an expiry,
//! listed and revoked. The API and the pages both call these functions.
//!
//! - A password an administrator chooses (a reset, or a new user made on the users page)
//!   is marked `must_change_password`: until its user sets their own, they can do nothing
//!   but that ([`crate::auth::must_change_allows`]).
//! - Changing a password, or disabling a user, ends every session and revokes every API
//!   token of that user.
//! - Changing one's own password needs the current one, and a wrong one counts as a
//!   failed login: a stolen session cannot guess it.

use crate::auth::{self, Principal};
use crate::error::AppError;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use tekigo_store::users::{self, User};

/// The longest a token may be made for, in days.
pub const MAX_TOKEN_DAYS: i64 = 366;

pub struct NewUser {
    pub name: String,
    pub password: String,
    pub is_admin: bool,
    pub must_change: bool,
}

/// Creates a user with a password chosen by the administrator `who`.
pub async fn create_user(st: &AppState, who: &Principal, u: NewUser) -> Result<User, AppError> {
    auth::check_user_name(&u.name)?;
    auth::check_password_strength(&u.name, &u.password)?;
    let password = u.password;
    let hash = st.argon2(move || auth::hash_password(&password)).await??;
    let actor = who.user.name.clone();
    st.db(move |s| {
        let id = auth::random_token("u_")?;
        Ok(s.store.write(|tx| {
            users::create(tx, &actor, &id, &u.name, &hash, (u.is_admin, u.must_change))
        })?)
    })
    .await
}

/// What an administrator changes about a user; absent fields stay.
#[derive(Debug, Default, Deserialize)]
pub struct UserChange {
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub is_admin: Option<bool>,
    /// A new password, which the user must change at their next login.
    #[serde(default)]
    pub password: Option<String>,
}

/// Applies an administrator's change to user `name`. An administrator cannot disable
/// themselves or take away their own rights: the server would be left without one.
pub async fn update_user(
    st: &AppState,
    who: &Principal,
    name: &str,
    change: UserChange,
) -> Result<User, AppError> {
    let self_lockout =
        name == who.user.name && (change.disabled == Some(true) || change.is_admin == Some(false));
    if self_lockout {
        return Err(AppError::BadRequest(
            "you cannot disable yourself or take away your own administrator rights".into(),
        ));
    }
    let hash = match change.password {
        Some(password) => {
            auth::check_password_strength(name, &password)?;
            Some(st.argon2(move || auth::hash_password(&password)).await??)
        }
        None => None,
    };
    let (actor, name) = (who.user.name.clone(), name.to_string());
    st.db(move |s| {
        Ok(s.store.write(|tx| {
            let mut user = users::by_name(tx, &name)?
                .ok_or_else(|| tekigo_store::StoreError::NotFound(format!("user {name:?}")))?;
            if let Some(admin) = change.is_admin.filter(|a| *a != user.is_admin) {
                user = users::set_admin(tx, &actor, &user, admin)?;
            }
            if let Some(disabled) = change.disabled.filter(|d| *d != user.disabled) {
                user = users::set_disabled(tx, &actor, &user, disabled)?;
            }
            if let Some(hash) = &hash {
                user = users::set_password(tx, &actor, &user, hash, true)?;
            }
            Ok(user)
        })?)
    })
    .await
}

#[derive(Deserialize)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// The caller replaces their password. A wrong current password is refused with 422
/// (and 429 once the login lockout applies), and counted like a failed login.
pub async fn change_password(
    st: &AppState,
    who: &Principal,
    change: PasswordChange,
) -> Result<(), AppError> {
    let user = who.user.clone();
    auth::check_password_strength(&user.name, &change.new)?;
    if change.new == change.current {
        return Err(AppError::WeakPassword(auth::PasswordProblem::Unchanged));
    }
    if !auth::verify_for(st, &user, change.current).await? {
        return Err(AppError::WrongCurrentPassword);
    }
    let new = change.new;
    let hash = st.argon2(move || auth::hash_password(&new)).await??;
    let actor = user.name.clone();
    st.db(move |s| {
        Ok(s.store
            .write(|tx| users::set_password(tx, &actor, &user, &hash, false))?)
    })
    .await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct NewToken {
    pub name: String,
    /// Days until the token stops working, 1 to [`MAX_TOKEN_DAYS`]; 90 when not given.
    #[serde(default)]
    pub expires_days: Option<i64>,
}

/// A token as made: the secret (shown this once), its id and expiry.
#[derive(Serialize)]
pub struct MadeToken {
    pub token: String,
    pub id: String,
    pub name: String,
    /// Unix seconds.
    pub expires: i64,
}

/// Makes an API token for the caller.
pub async fn create_token(
    st: &AppState,
    who: &Principal,
    t: NewToken,
) -> Result<MadeToken, AppError> {
    let name = t.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(AppError::BadRequest(
            "token name: 1-64 printable characters".into(),
        ));
    }
    let days = t.expires_days.unwrap_or(90);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(AppError::BadRequest(format!(
            "expires_days: 1 to {MAX_TOKEN_DAYS}"
        )));
    }
    let expires = tekigo_store::now_unix() + days * 24 * 3600;
    let token = auth::random_token("tk_")?;
    let hash = auth::token_hash(&token);
    let user = who.user.clone();
    let stored_name = name.clone();
    let id = st
        .db(move |s| {
            Ok(s.store
                .write(|tx| users::token_create(tx, &user, &hash, &stored_name, expires))?)
        })
        .await?;
    Ok(MadeToken {
        token,
        id,
        name,
        expires,
    })
}
