//! Who is asking: passwords, sessions, API tokens, CSRF, and the first administrator.
//!
//! - Passwords are Argon2id hashes; a login with an unknown name costs the same time as a
//!   wrong password, and both get the same answer. A user name, known or not, gets five
//!   password checks per fifteen minutes (CR 1.11): each check is taken by one atomic
//!   update in the database *before* the password is verified
//!   ([`users::login_attempt`]), so parallel guesses cannot outrun the count. Argon2 runs
//!   at most [`crate::state::ARGON2_SLOTS`] at a time, apart from the database workers,
//!   and logins are rate-limited per client address ([`crate::limit`]).
//! - A session is a random 256-bit token in a cookie that scripts cannot read
//!   (`HttpOnly`), that no other site can send (`SameSite=Strict`), that only travels
//!   over HTTPS or to loopback (`Secure`) and that no sibling host can set (`__Host-`).
//!   The database keeps only its SHA-256. An idle session ends after
//!   `Settings::session_idle_secs` (CR 2.6); the cookie itself lives as long as the
//!   browser, so an active user is never logged out.
//! - Every state-changing request of a session must carry the session's CSRF token in the
//!   `X-CSRF-Token` header (the logout form: a `csrf` field), and a browser's `Origin`,
//!   when sent, must be this server.
//! - API tokens (`Authorization: Bearer tk_...`) are for CI and devices; they carry no
//!   cookie, so CSRF does not apply to them. They end at their expiry, after
//!   `Settings::token_idle_secs` unused, when revoked, and when their user is disabled
//!   or changes password.
//! - A password an administrator set must be changed by its user before anything else
//!   ([`must_change_allows`]).
//! - There is no default password: on first start the server prints a one-time token
//!   that creates the first administrator at `/setup`.

use crate::error::AppError;
use crate::state::{AppState, Shared};
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use tekigo_store::users::{self, User};

/// `__Host-`: browsers accept the cookie only with `Secure`, `Path=/` and no `Domain`, so
/// a sibling host cannot plant a session of its choice.
pub const SESSION_COOKIE: &str = "__Host-tekigo_session";
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_SECS: i64 = 15 * 60;
/// A session's or token's last use is written at most this often, so that reading pages
/// does not turn into a stream of writes.
const TOUCH_EVERY_SECS: i64 = 60;

/// How stale a last use may be before it is written again: a quarter of the idle
/// timeout, at most [`TOUCH_EVERY_SECS`], so that an active client never reaches the
/// timeout whatever it is set to.
fn touch_after(idle_secs: i64) -> i64 {
    (idle_secs / 4).min(TOUCH_EVERY_SECS)
}

/// A random secret, hex-encoded, with a prefix that says what it is.
pub fn random_token(prefix: &str) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(format!("{prefix}{}", tekigo_assess::evidence::hex(&bytes)))
}

/// How a secret token is stored: its SHA-256.
pub fn token_hash(token: &str) -> String {
    tekigo_assess::evidence::hex(&Sha256::digest(token.as_bytes()))
}

thread_local! {
    /// This thread's Argon2 working memory (19 MiB with the default parameters), reused
    /// by every hash it computes. Allocated afresh for each login, the allocator kept
    /// every copy: the server's RSS grew by 19 MiB a login (issue 15, finding 3).
    static ARGON2_MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// The most Argon2 memory a stored hash may ask for: four times the default. A larger
/// `m=` in the database is refused rather than allocated.
const MAX_ARGON2_BLOCKS: usize = 4 * Params::DEFAULT_M_COST as usize;

/// Argon2 of `password` with `salt` into `out`, in this thread's reused memory.
fn argon2_into(
    argon: &Argon2,
    blocks: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> bool {
    if blocks > MAX_ARGON2_BLOCKS {
        return false;
    }
    ARGON2_MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon
            .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
            .is_ok()
    })
}

/// An Argon2id hash with the default parameters (m=19 MiB, t=2, p=1) in PHC form; runs
/// Argon2, so callers go through [`AppState::argon2`].
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let fail = |e: argon2::password_hash::Error| AppError::Internal(format!("argon2: {e}"));
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    if !argon2_into(
        &argon,
        params.block_count(),
        password.as_bytes(),
        &salt,
        &mut out,
    ) {
        return Err(AppError::Internal("argon2: hashing failed".into()));
    }
    let salt = SaltString::encode_b64(&salt).map_err(fail)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(fail)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(fail)?),
    };
    Ok(hash.to_string())
}

/// Verifies a password against a PHC hash, in this thread's reused memory; runs Argon2,
/// so callers go through [`AppState::argon2`].
fn password_matches(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
        parsed.hash,
        parsed.salt,
    ) else {
        return false;
    };
    let Ok(version) = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from)
    else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    argon2_into(
        &argon,
        params.block_count(),
        password.as_bytes(),
        salt,
        &mut out,
    ) && constant_time_eq(&out, expected.as_bytes())
}

/// Common passwords refused whatever their length, one per line.
const COMMON_PASSWORDS: &str = include_str!("../assets/common-passwords.txt");

/// Why a password is refused (see [`check_password_strength`]): its own type so that a page
/// can say it in the page's language ([`AppError::label`]); the API answers the English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    FewDistinct,
    HasUserName,
    WellKnown,
    /// A new password the same as the current one.
    Unchanged,
}

impl PasswordProblem {
    pub fn english(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "use at least 12 characters",
            PasswordProblem::TooLong => "use at most 256 characters",
            PasswordProblem::FewDistinct => "it repeats too few different characters",
            PasswordProblem::HasUserName => "it contains the user name",
            PasswordProblem::WellKnown => "it contains a well-known password",
            PasswordProblem::Unchanged => "choose one different from the current one",
        }
    }

    /// Its label in `i18n/labels.yaml`.
    pub fn label(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password_too_short",
            PasswordProblem::TooLong => "password_too_long",
            PasswordProblem::FewDistinct => "password_few_distinct",
            PasswordProblem::HasUserName => "password_has_user_name",
            PasswordProblem::WellKnown => "password_well_known",
            PasswordProblem::Unchanged => "password_unchanged",
        }
    }
}

/// The password rules (CR 1.7): at least 12 characters, not only a few distinct ones, not
/// containing the user name, not a well-known password.
pub fn check_password_strength(name: &str, password: &str) -> Result<(), AppError> {
    let weak = |why| Err(AppError::WeakPassword(why));
    let chars = password.chars().count();
    if chars < 12 {
        return weak(PasswordProblem::TooShort);
    }
    if chars > 256 {
        return weak(PasswordProblem::TooLong);
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 6 {
        return weak(PasswordProblem::FewDistinct);
    }
    let lower = password.to_lowercase();
    if !name.is_empty() && lower.contains(&name.to_lowercase()) {
        return weak(PasswordProblem::HasUserName);
    }
    if COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|common| lower.contains(common))
    {
        return weak(PasswordProblem::WellKnown);
    }
    Ok(())
}

/// A user name: what the audit trail and the pages show, so it stays printable and short.
pub fn check_user_name(name: &str) -> Result<(), AppError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AppError::BadUserName)
    }
}

/// The caller of a request.
#[derive(Clone)]
pub struct Principal {
    pub user: User,
    /// The session's CSRF token; `None` for API tokens.
    pub csrf: Option<String>,
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(known) = parts.extensions.get::<Principal>() {
            return Ok(known.clone());
        }
        let now = tekigo_store::now_unix();
        if let Some(bearer) = header_str(&parts.headers, header::AUTHORIZATION)
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            let hash = token_hash(bearer.trim());
            let idle = state.shared().settings.token_idle_secs;
            let user = state
                .db(move |s| {
                    let Some((user, last_used)) =
                        s.store.read(|c| users::token_user(c, &hash, now, idle))?
                    else {
                        return Ok(None);
                    };
                    if now - last_used > touch_after(idle) {
                        s.store.write(|tx| users::token_touch(tx, &hash, now))?;
                    }
                    Ok(Some(user))
                })
                .await?;
            return user
                .map(|user| Principal { user, csrf: None })
                .ok_or(AppError::Unauthorized);
        }
        let token = session_cookie(&parts.headers).ok_or(AppError::Unauthorized)?;
        let hash = token_hash(&token);
        let idle = state.shared().settings.session_idle_secs;
        let session = state
            .db(move |s| {
                let Some(session) = s.store.read(|c| users::session(c, &hash))? else {
                    return Ok(None);
                };
                if now - session.last_seen > idle {
                    s.store.write(|tx| users::session_end(tx, &hash))?;
                    return Ok(None);
                }
                if now - session.last_seen > touch_after(idle) {
                    s.store.write(|tx| users::session_touch(tx, &hash, now))?;
                }
                Ok(Some(session))
            })
            .await?
            .ok_or(AppError::Unauthorized)?;
        if !is_safe(&parts.method) {
            check_csrf(&parts.headers, &parts.uri, &session.csrf, None)?;
        }
        Ok(Principal {
            user: session.user,
            csrf: Some(session.csrf),
        })
    }
}

/// Guards all of `/api/`: no route, not even an unknown one or a wrong method, answers
/// anything but 401 to a caller who is not logged in. The caller found here is kept for
/// the handler, so the session is looked up once.
pub async fn require_principal(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    match Principal::from_request_parts(&mut parts, &state).await {
        Ok(who) if who.user.must_change_password && !must_change_allows(&parts) => {
            AppError::Forbidden(
                "your password was set by an administrator: change it first \
                 (PUT /api/me/password)"
                    .into(),
            )
            .into_response()
        }
        Ok(who) => {
            parts.extensions.insert(who);
            next.run(Request::from_parts(parts, body)).await
        }
        Err(e) => e.into_response(),
    }
}

/// What a user whose password an administrator set may do before changing it: see who
/// they are, and change it (the API's paths, under `/api`, and the page's).
pub fn must_change_allows(parts: &Parts) -> bool {
    let path = parts.uri.path();
    let path = path.strip_prefix("/api").unwrap_or(path);
    matches!(
        (&parts.method, path),
        (&Method::GET, "/me") | (&Method::PUT, "/me/password") | (_, "/account/password")
    )
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The session's CSRF token must come in the `X-CSRF-Token` header, or (a plain HTML
/// form, which cannot set headers) as `form_token`.
fn check_csrf(
    headers: &HeaderMap,
    uri: &Uri,
    expected: &str,
    form_token: Option<&str>,
) -> Result<(), AppError> {
    check_same_origin(headers, uri)?;
    let sent = header_str(headers, "x-csrf-token")
        .or(form_token)
        .unwrap_or("");
    if constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "missing or wrong X-CSRF-Token header (the page's token, or GET /api/me)".into(),
        ))
    }
}

/// A browser's request must come from this server's own pages: the login and setup forms
/// have no session (and so no CSRF token) yet, and must not be posted from another site.
///
/// `Sec-Fetch-Site` decides when the browser sends it (all current browsers do). Otherwise
/// `Origin`, when sent, must name this host: the `Host` header, or the request target's
/// authority (HTTP/2); an `Origin` with neither to compare against is refused. `Origin:
/// null` is what browsers send for a same-origin POST under `Referrer-Policy:
/// no-referrer`, so it proves nothing either way.
pub fn check_same_origin(headers: &HeaderMap, uri: &Uri) -> Result<(), AppError> {
    if let Some(site) = header_str(headers, "sec-fetch-site") {
        return if matches!(site, "same-origin" | "none") {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "cross-site request ({site}) refused"
            )))
        };
    }
    let Some(origin) = header_str(headers, header::ORIGIN).filter(|o| *o != "null") else {
        return Ok(());
    };
    let host = header_str(headers, header::HOST).or(uri.authority().map(|a| a.as_str()));
    let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
    if host.is_some_and(|h| h.eq_ignore_ascii_case(origin_host)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "cross-site request from {origin} refused"
        )))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address, when the server was started with it (`tekigo serve`); requests
/// made in-process (tests) have none.
pub fn client_addr(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

fn header_str(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The session cookie. Without `Max-Age` it lasts as long as the browser: the server
/// ends an idle session, and an active one is never cut off by a stale cookie lifetime.
/// `ended` removes it.
fn cookie(value: &str, ended: bool) -> HeaderValue {
    let lifetime = if ended { "; Max-Age=0" } else { "" };
    let text =
        format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; Secure; SameSite=Strict{lifetime}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
}

/// Checks a name and password and opens a session. The answer is the same for an
/// unknown user, a disabled one and a wrong password.
pub async fn login(
    state: &AppState,
    addr: Option<std::net::IpAddr>,
    name: String,
    password: String,
) -> Result<(String, String), AppError> {
    state.login_limit.take(addr)?;
    let user = checked_password(state, name, password)
        .await?
        .ok_or(AppError::WrongCredentials)?;
    let token = random_token("")?;
    let csrf = random_token("")?;
    let hash = token_hash(&token);
    let session_csrf = csrf.clone();
    let now = tekigo_store::now_unix();
    state
        .db(move |s| {
            Ok(s.store
                .write(|tx| users::login_succeeded(tx, &user, &hash, &session_csrf, now))?)
        })
        .await?;
    Ok((token, csrf))
}

/// Whether `password` is `user`'s, checked within the lockout like a login (for a
/// password change, so that a stolen session cannot guess the password).
pub async fn verify_for(state: &AppState, user: &User, password: String) -> Result<bool, AppError> {
    let found = checked_password(state, user.name.clone(), password).await?;
    Ok(found.is_some_and(|u| u.id == user.id))
}

/// Checks a password for a name, taking one of the name's [`MAX_FAILURES`] checks per
/// [`LOCK_SECS`] first ([`users::login_attempt`]): the user when it is right (the
/// guesses are then forgotten), `None` when it is wrong, 429 when the name is locked or
/// this guess locked it. An unknown or disabled name costs the same Argon2 run.
async fn checked_password(
    state: &AppState,
    name: String,
    password: String,
) -> Result<Option<User>, AppError> {
    let now = tekigo_store::now_unix();
    let (user, locks) = state
        .db(move |s| {
            let taken = s
                .store
                .write(|tx| users::login_attempt(tx, &name, now, MAX_FAILURES, LOCK_SECS))?;
            let locks = taken.ok_or(AppError::Locked)?;
            Ok((s.store.read(|c| users::by_name(c, &name))?, locks))
        })
        .await?;
    let user = user.filter(|u| !u.disabled);
    let hash = user
        .as_ref()
        .map_or_else(|| DUMMY_HASH.to_string(), |u| u.password_hash.clone());
    let matches = state
        .argon2(move || password_matches(&password, &hash))
        .await?;
    match user {
        Some(user) if matches => Ok(Some(user)),
        Some(user) => {
            state
                .db(move |s| Ok(s.store.write(|tx| users::login_failed(tx, &user, locks))?))
                .await?;
            if locks {
                Err(AppError::Locked)
            } else {
                Ok(None)
            }
        }
        None if locks => Err(AppError::Locked),
        None => Ok(None),
    }
}

/// An Argon2id hash of a random password nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Yc9EYUu0vO1QfB6mHuBt9rAkdIKc8wfA6Yk2r3k2S1Q";

/// Answers a successful login: the session cookie, and the CSRF token in the body for
/// scripts.
pub fn session_response(token: &str, csrf: &str) -> Response {
    let mut response = Json(serde_json::json!({ "csrf": csrf })).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(token, false));
    response
}

pub async fn login_json(
    state: &AppState,
    addr: Option<std::net::IpAddr>,
    form: LoginForm,
) -> Result<Response, AppError> {
    let (token, csrf) = login(state, addr, form.username, form.password).await?;
    Ok(session_response(&token, &csrf))
}

/// Ends the caller's session. A logout is a state change like any other: it needs the
/// session's CSRF token (header, or the logout form's `csrf` field), so that another
/// site cannot log the user out.
pub async fn logout(
    state: &AppState,
    (headers, uri): (&HeaderMap, &Uri),
    form_token: Option<&str>,
) -> Response {
    if let Some(token) = session_cookie(headers) {
        let hash = token_hash(&token);
        let key = hash.clone();
        let session = state
            .db(move |s| Ok(s.store.read(|c| users::session(c, &key))?))
            .await;
        let ended = match session {
            Ok(Some(session)) => match check_csrf(headers, uri, &session.csrf, form_token) {
                Ok(()) => {
                    state
                        .db(move |s| Ok(s.store.write(|tx| users::session_end(tx, &hash))?))
                        .await
                }
                Err(e) => Err(e),
            },
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = ended {
            return e.into_response();
        }
    }
    let mut response = Json(serde_json::json!({ "logged_out": true })).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie("", true));
    response
}

/// Prints a new one-time setup token while no user exists. Any earlier token stops
/// working.
pub fn first_start_token(s: &Shared) -> Result<Option<String>, AppError> {
    if s.store.read(users::count)? > 0 {
        return Ok(None);
    }
    let token = random_token("setup_")?;
    let hash = token_hash(&token);
    s.store.write(|tx| users::setup_token_set(tx, &hash))?;
    Ok(Some(token))
}

#[derive(Deserialize)]
pub struct SetupForm {
    pub token: String,
    pub username: String,
    pub password: String,
}

/// Creates the first administrator with the one-time token, and logs them in. The token
/// is checked before the password is hashed, so that `/setup` is no free Argon2.
const SETUP_TOKEN_GONE: &str = "setup token (it was used already, or a newer one was printed)";

pub async fn setup(
    state: &AppState,
    addr: Option<std::net::IpAddr>,
    form: SetupForm,
) -> Result<(String, String), AppError> {
    state.login_limit.take(addr)?;
    check_user_name(&form.username)?;
    check_password_strength(&form.username, &form.password)?;
    let token_hash = token_hash(form.token.trim());
    let wrong_token = || tekigo_store::StoreError::NotFound(SETUP_TOKEN_GONE.into());
    let key = token_hash.clone();
    if !state
        .db(move |s| Ok(s.store.read(|c| users::setup_token_exists(c, &key))?))
        .await?
    {
        return Err(wrong_token().into());
    }
    let password = form.password.clone();
    let hash = state.argon2(move || hash_password(&password)).await??;
    let id = random_token("u_")?;
    let name = form.username.clone();
    state
        .db(move |s| {
            Ok(s.store.write(|tx| {
                if !users::setup_token_take(tx, &token_hash)? {
                    return Err(wrong_token());
                }
                users::create(tx, "setup", &id, &name, &hash, (true, false)).map(drop)
            })?)
        })
        .await?;
    login(state, addr, form.username, form.password).await
}

pub async fn setup_json(
    state: &AppState,
    addr: Option<std::net::IpAddr>,
    form: SetupForm,
) -> Result<Response, AppError> {
    let (token, csrf) = setup(state, addr, form).await?;
    Ok(session_response(&token, &csrf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        for (pw, why) in [
            ("short1!", "12 characters"),
            ("aaaaaaaaaaaaaaaa", "different characters"),
            ("alice-is-great-2026", "user name"),
            ("MyPassword123456", "well-known"),
        ] {
            let err = check_password_strength("alice", pw)
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{pw}: {err}");
        }
        check_password_strength("alice", "correct horse battery staple").unwrap();
    }

    /// The hashes made and checked in reused memory are the argon2 crate's own.
    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_password("correct horse battery staple").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery staple", &parsed)
            .is_ok());
        let salt = SaltString::encode_b64(b"sixteen byte salt").unwrap();
        let theirs = Argon2::default()
            .hash_password(b"tr0ub4dor&3 lantern", &salt)
            .unwrap()
            .to_string();
        assert!(password_matches("tr0ub4dor&3 lantern", &theirs));
        assert!(!password_matches("tr0ub4dor&3 lanterN", &theirs));
        assert!(!password_matches(
            "x",
            &theirs.replace("m=19456", "m=4194304")
        ));
    }

    #[test]
    fn the_dummy_hash_parses_so_unknown_users_cost_a_real_verification() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!password_matches("anything", DUMMY_HASH));
    }

    #[test]
    fn only_the_session_cookie_is_taken() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; tekigo_session=old; __Host-tekigo_session=abc; b=2"),
        );
        assert_eq!(session_cookie(&h).as_deref(), Some("abc"));
    }
}
