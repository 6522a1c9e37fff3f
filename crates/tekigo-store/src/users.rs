//! Users, their sessions and API tokens, project roles, and the first-start setup token.
//!
//! Secrets arrive here already hashed (passwords with Argon2 by the server, tokens with
//! SHA-256): this module never sees a password or a token.

use crate::audit::Tx;
use crate::conn::{Conn, Row, Val};
use crate::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub is_admin: bool,
    /// A disabled user cannot log in, and their sessions and tokens stop working.
    pub disabled: bool,
    /// The password was set by an administrator: the user must choose their own before
    /// doing anything else (CR 1.5).
    pub must_change_password: bool,
    #[serde(skip)]
    pub password_hash: String,
}

const USER_COLUMNS: &str = "id, name, is_admin, password_hash, disabled, must_change";

/// The user columns, each with `prefix` (a table alias) for joins.
fn user_columns(prefix: &str) -> String {
    USER_COLUMNS
        .split(", ")
        .map(|col| format!("{prefix}{col}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many columns [`User::from_row`] reads: a join's own columns come after them.
const USER_COLUMN_COUNT: usize = 6;

/// What the audit trail keeps of a user: everything that decides what they may do,
/// and the SHA-256 of the password hash (so that a password changed behind the
/// application's back is noticed, while the trail holds nothing that checks a guess).
#[derive(Serialize)]
struct UserState<'a> {
    id: &'a str,
    name: &'a str,
    is_admin: bool,
    disabled: bool,
    must_change_password: bool,
    password: String,
}

impl User {
    fn from_row(r: &Row) -> Result<User, StoreError> {
        Ok(User {
            id: r.text(0)?,
            name: r.text(1)?,
            is_admin: r.int(2)? != 0,
            password_hash: r.text(3)?,
            disabled: r.int(4)? != 0,
            must_change_password: r.int(5)? != 0,
        })
    }

    /// The audit trail's view of a user, compared with the live row by
    /// [`crate::audit::verify`].
    pub(crate) fn audit_json(&self) -> String {
        let state = UserState {
            id: &self.id,
            name: &self.name,
            is_admin: self.is_admin,
            disabled: self.disabled,
            must_change_password: self.must_change_password,
            password: crate::sha256_hex(self.password_hash.as_bytes()),
        };
        serde_json::to_string(&state).unwrap_or_default()
    }

    /// The audit object that names this user.
    pub(crate) fn object(&self) -> String {
        format!("user/{}", self.name)
    }
}

fn one_user(c: &mut dyn Conn, wher: &str, key: &str) -> Result<Option<User>, StoreError> {
    c.query(
        &format!("SELECT {} FROM users WHERE {wher} = $1", user_columns("")),
        &[key.into()],
    )?
    .first()
    .map(User::from_row)
    .transpose()
}

pub fn by_name(c: &mut dyn Conn, name: &str) -> Result<Option<User>, StoreError> {
    one_user(c, "name", name)
}

pub fn by_id(c: &mut dyn Conn, id: &str) -> Result<Option<User>, StoreError> {
    one_user(c, "id", id)
}

pub fn list(c: &mut dyn Conn) -> Result<Vec<User>, StoreError> {
    c.query(
        &format!("SELECT {} FROM users ORDER BY name", user_columns("")),
        &[],
    )?
    .iter()
    .map(User::from_row)
    .collect()
}

pub fn count(c: &mut dyn Conn) -> Result<i64, StoreError> {
    c.query("SELECT COUNT(*) FROM users", &[])?[0].int(0)
}

/// Creates a user. `must_change` marks a password chosen by someone else (an
/// administrator), which the user has to replace at their next login.
pub fn create(
    tx: &mut Tx,
    actor: &str,
    id: &str,
    name: &str,
    password_hash: &str,
    (is_admin, must_change): (bool, bool),
) -> Result<User, StoreError> {
    if by_name(tx, name)?.is_some() {
        return Err(StoreError::Exists(format!("user {name:?}")));
    }
    tx.exec(
        "INSERT INTO users (id, name, password_hash, is_admin, failed_logins, locked_until, created,
                            disabled, must_change)
         VALUES ($1, $2, $3, $4, 0, 0, $5, 0, $6)",
        &[
            id.into(),
            name.into(),
            password_hash.into(),
            Val::Int(is_admin.into()),
            crate::now_rfc3339().into(),
            Val::Int(must_change.into()),
        ],
    )?;
    let user = by_id(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("user {name:?}")))?;
    tx.audit(actor, "user.create", &user.object(), "", &user.audit_json())?;
    Ok(user)
}

/// Re-reads `user` after a change and audits it with `action`.
fn audit_change(tx: &mut Tx, actor: &str, action: &str, user: &User) -> Result<User, StoreError> {
    let after = by_id(tx, &user.id)?
        .ok_or_else(|| StoreError::NotFound(format!("user {:?}", user.name)))?;
    tx.audit(
        actor,
        action,
        &user.object(),
        &user.audit_json(),
        &after.audit_json(),
    )?;
    Ok(after)
}

/// Sets a password; `must_change` when an administrator chose it for the user. Every
/// session and API token of the user ends: a changed password must lock out whoever
/// knew the old one.
pub fn set_password(
    tx: &mut Tx,
    actor: &str,
    user: &User,
    password_hash: &str,
    must_change: bool,
) -> Result<User, StoreError> {
    tx.exec(
        "UPDATE users SET password_hash = $1, must_change = $2 WHERE id = $3",
        &[
            password_hash.into(),
            Val::Int(must_change.into()),
            user.id.as_str().into(),
        ],
    )?;
    end_credentials(tx, actor, user)?;
    tx.exec(
        "DELETE FROM login_attempts WHERE name = $1",
        &[user.name.as_str().into()],
    )?;
    audit_change(tx, actor, "user.password", user)
}

/// Ends every session and revokes every API token of `user`.
fn end_credentials(tx: &mut Tx, actor: &str, user: &User) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM sessions WHERE user_id = $1",
        &[user.id.as_str().into()],
    )?;
    for token in tokens(tx, user)? {
        token_revoke(tx, actor, user, &token.id)?;
    }
    Ok(())
}

/// Gives or takes server administrator rights.
pub fn set_admin(
    tx: &mut Tx,
    actor: &str,
    user: &User,
    is_admin: bool,
) -> Result<User, StoreError> {
    tx.exec(
        "UPDATE users SET is_admin = $1 WHERE id = $2",
        &[Val::Int(is_admin.into()), user.id.as_str().into()],
    )?;
    audit_change(tx, actor, "user.update", user)
}

/// Enables or disables a user. Disabling ends their sessions and revokes their tokens.
pub fn set_disabled(
    tx: &mut Tx,
    actor: &str,
    user: &User,
    disabled: bool,
) -> Result<User, StoreError> {
    tx.exec(
        "UPDATE users SET disabled = $1 WHERE id = $2",
        &[Val::Int(disabled.into()), user.id.as_str().into()],
    )?;
    if disabled {
        end_credentials(tx, actor, user)?;
    }
    audit_change(tx, actor, "user.update", user)
}

/// Takes one of the `max_failures` password checks a user name gets per lock window,
/// known name or not. One statement counts and locks, so parallel requests cannot both
/// read a stale count (CR 1.11): the check that takes the last one locks the name for
/// `lock_secs` at once, before its password is even verified. Returns `None` when the
/// name is locked (no check may run), else whether this check locked it.
pub fn login_attempt(
    tx: &mut Tx,
    name: &str,
    now: i64,
    max_failures: i64,
    lock_secs: i64,
) -> Result<Option<bool>, StoreError> {
    let taken = tx.exec(
        "INSERT INTO login_attempts (name, failures, locked_until, updated)
         VALUES ($1, 1, 0, $2)
         ON CONFLICT (name) DO UPDATE SET
             failures = CASE WHEN login_attempts.failures + 1 >= CAST($3 AS BIGINT)
                             THEN 0 ELSE login_attempts.failures + 1 END,
             locked_until = CASE WHEN login_attempts.failures + 1 >= CAST($3 AS BIGINT)
                                 THEN CAST($4 AS BIGINT) ELSE 0 END,
             updated = $2
         WHERE login_attempts.locked_until <= $2",
        &[
            name.into(),
            Val::Int(now),
            Val::Int(max_failures),
            Val::Int(now + lock_secs),
        ],
    )?;
    if taken == 0 {
        return Ok(None);
    }
    let locked_until = tx
        .query(
            "SELECT locked_until FROM login_attempts WHERE name = $1",
            &[name.into()],
        )?
        .first()
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    Ok(Some(locked_until > now))
}

/// Audits a wrong password of a known user; `locked` when this guess used up the window.
pub fn login_failed(tx: &mut Tx, user: &User, locked: bool) -> Result<(), StoreError> {
    let action = if locked {
        "login.locked"
    } else {
        "login.failed"
    };
    tx.audit(&user.name, action, &user.object(), "", "")
}

/// Forgets the guesses of names not tried for `window` seconds, so that names an
/// attacker made up do not pile up.
pub fn login_attempts_expire(c: &mut dyn Conn, now: i64, window: i64) -> Result<u64, StoreError> {
    c.exec(
        "DELETE FROM login_attempts WHERE locked_until <= $1 AND updated < $2",
        &[Val::Int(now), Val::Int(now - window)],
    )
}

/// A successful login: the guesses are forgotten, and a new session (its token hashed)
/// with its CSRF secret begins.
pub fn login_succeeded(
    tx: &mut Tx,
    user: &User,
    token_hash: &str,
    csrf: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM login_attempts WHERE name = $1",
        &[user.name.as_str().into()],
    )?;
    tx.exec(
        "INSERT INTO sessions (token_hash, user_id, csrf, created, last_seen)
         VALUES ($1, $2, $3, $4, $4)",
        &[
            token_hash.into(),
            user.id.as_str().into(),
            csrf.into(),
            Val::Int(now),
        ],
    )?;
    tx.audit(&user.name, "login", &user.object(), "", "")
}

pub struct Session {
    pub user: User,
    pub csrf: String,
    pub last_seen: i64,
}

/// The session of a token hash, unless its user is disabled.
pub fn session(c: &mut dyn Conn, token_hash: &str) -> Result<Option<Session>, StoreError> {
    let cols = user_columns("u.");
    c.query(
        &format!(
            "SELECT {cols}, s.csrf, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND u.disabled = 0"
        ),
        &[token_hash.into()],
    )?
    .first()
    .map(|r| {
        Ok(Session {
            user: User::from_row(r)?,
            csrf: r.text(USER_COLUMN_COUNT)?,
            last_seen: r.int(USER_COLUMN_COUNT + 1)?,
        })
    })
    .transpose()
}

pub fn session_touch(c: &mut dyn Conn, token_hash: &str, now: i64) -> Result<(), StoreError> {
    c.exec(
        "UPDATE sessions SET last_seen = $1 WHERE token_hash = $2",
        &[Val::Int(now), token_hash.into()],
    )
    .map(drop)
}

pub fn session_end(c: &mut dyn Conn, token_hash: &str) -> Result<(), StoreError> {
    c.exec(
        "DELETE FROM sessions WHERE token_hash = $1",
        &[token_hash.into()],
    )
    .map(drop)
}

/// Removes sessions idle since before `cutoff` (Unix seconds).
pub fn sessions_expire(c: &mut dyn Conn, cutoff: i64) -> Result<u64, StoreError> {
    c.exec(
        "DELETE FROM sessions WHERE last_seen < $1",
        &[Val::Int(cutoff)],
    )
}

/// An API token as its owner sees it: never the secret, nor its hash.
#[derive(Debug, Clone, Serialize)]
pub struct Token {
    /// The first 16 hex digits of the token's hash: enough to name it, useless to log in.
    pub id: String,
    pub name: String,
    pub created: String,
    /// Unix seconds; 0 for never.
    pub expires: i64,
    /// Unix seconds of the last request made with it; 0 for never used.
    pub last_used: i64,
}

/// How many hex digits of a token's hash name it.
const TOKEN_ID_LEN: usize = 16;

/// What the audit trail keeps of a token: its hash and expiry, compared with the live
/// row by [`crate::audit::verify`], so that a token slipped into the table is noticed.
pub(crate) fn token_state(token_hash: &str, expires: i64) -> String {
    serde_json::json!({ "hash": token_hash, "expires": expires }).to_string()
}

pub(crate) fn token_object(user_name: &str, token_hash: &str) -> String {
    format!("user/{user_name}/token/{}", token_id(token_hash))
}

/// A token's id: the first [`TOKEN_ID_LEN`] characters of its hash. By characters, not
/// bytes: a row written behind the application's back may hold anything.
fn token_id(token_hash: &str) -> String {
    token_hash.chars().take(TOKEN_ID_LEN).collect()
}

/// Records a new API token of `user` (its hash), valid until `expires` (Unix seconds, 0
/// for never). Returns the token's id.
pub fn token_create(
    tx: &mut Tx,
    user: &User,
    token_hash: &str,
    name: &str,
    expires: i64,
) -> Result<String, StoreError> {
    if token_hash.len() < TOKEN_ID_LEN || !token_hash.is_ascii() {
        return Err(StoreError::Schema("a token hash is hex".into()));
    }
    tx.exec(
        "INSERT INTO api_tokens (token_hash, user_id, name, created, expires, last_used)
         VALUES ($1, $2, $3, $4, $5, 0)",
        &[
            token_hash.into(),
            user.id.as_str().into(),
            name.into(),
            crate::now_rfc3339().into(),
            Val::Int(expires),
        ],
    )?;
    tx.audit(
        &user.name,
        "token.create",
        &token_object(&user.name, token_hash),
        "",
        &token_state(token_hash, expires),
    )?;
    Ok(token_id(token_hash))
}

/// The API tokens of `user`, newest first.
pub fn tokens(c: &mut dyn Conn, user: &User) -> Result<Vec<Token>, StoreError> {
    c.query(
        "SELECT token_hash, name, created, expires, last_used FROM api_tokens
         WHERE user_id = $1 ORDER BY created DESC, name",
        &[user.id.as_str().into()],
    )?
    .iter()
    .map(|r| {
        Ok(Token {
            id: token_id(&r.text(0)?),
            name: r.text(1)?,
            created: r.text(2)?,
            expires: r.int(3)?,
            last_used: r.int(4)?,
        })
    })
    .collect()
}

/// Revokes the token `id` of `user`; false when they have no such token.
pub fn token_revoke(tx: &mut Tx, actor: &str, user: &User, id: &str) -> Result<bool, StoreError> {
    if id.len() != TOKEN_ID_LEN || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let rows = tx.query(
        "SELECT token_hash, expires FROM api_tokens
         WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2",
        &[user.id.as_str().into(), id.into()],
    )?;
    let Some(row) = rows.first() else {
        return Ok(false);
    };
    let (hash, expires) = (row.text(0)?, row.int(1)?);
    tx.exec(
        "DELETE FROM api_tokens WHERE token_hash = $1",
        &[hash.as_str().into()],
    )?;
    tx.audit(
        actor,
        "token.revoke",
        &token_object(&user.name, &hash),
        &token_state(&hash, expires),
        "",
    )?;
    Ok(true)
}

/// The user of an API token that has not expired, nor been idle longer than
/// `idle_secs`, and whose user is not disabled; with the token's last use.
pub fn token_user(
    c: &mut dyn Conn,
    token_hash: &str,
    now: i64,
    idle_secs: i64,
) -> Result<Option<(User, i64)>, StoreError> {
    let cols = user_columns("u.");
    let rows = c.query(
        &format!(
            "SELECT {cols}, t.expires, t.last_used, t.created FROM api_tokens t
             JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND u.disabled = 0"
        ),
        &[token_hash.into()],
    )?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let (expires, last_used) = (r.int(USER_COLUMN_COUNT)?, r.int(USER_COLUMN_COUNT + 1)?);
    // A token never used counts as used when it was made.
    let since = if last_used > 0 {
        last_used
    } else {
        time::OffsetDateTime::parse(
            &r.text(USER_COLUMN_COUNT + 2)?,
            &time::format_description::well_known::Rfc3339,
        )
        .map_or(now, |t| t.unix_timestamp())
    };
    if (expires > 0 && now >= expires) || now - since > idle_secs {
        return Ok(None);
    }
    Ok(Some((User::from_row(r)?, last_used)))
}

/// Records a request made with a token.
pub fn token_touch(c: &mut dyn Conn, token_hash: &str, now: i64) -> Result<(), StoreError> {
    c.exec(
        "UPDATE api_tokens SET last_used = $1 WHERE token_hash = $2",
        &[Val::Int(now), token_hash.into()],
    )
    .map(drop)
}

/// Replaces any earlier setup token: only the newest printed one works.
pub fn setup_token_set(c: &mut dyn Conn, token_hash: &str) -> Result<(), StoreError> {
    c.exec("DELETE FROM setup_tokens", &[])?;
    c.exec(
        "INSERT INTO setup_tokens (token_hash, created) VALUES ($1, $2)",
        &[token_hash.into(), crate::now_rfc3339().into()],
    )
    .map(drop)
}

/// Whether `token_hash` is the valid setup token (without consuming it).
pub fn setup_token_exists(c: &mut dyn Conn, token_hash: &str) -> Result<bool, StoreError> {
    Ok(!c
        .query(
            "SELECT 1 FROM setup_tokens WHERE token_hash = $1",
            &[token_hash.into()],
        )?
        .is_empty())
}

/// Consumes the setup token; true when it was the valid one.
pub fn setup_token_take(c: &mut dyn Conn, token_hash: &str) -> Result<bool, StoreError> {
    Ok(c.exec(
        "DELETE FROM setup_tokens WHERE token_hash = $1",
        &[token_hash.into()],
    )? == 1)
}

/// A project role, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Contributor,
    Assessor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Contributor, Role::Assessor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Contributor => "contributor",
            Role::Assessor => "assessor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

pub fn role(c: &mut dyn Conn, project: &str, user_id: &str) -> Result<Option<Role>, StoreError> {
    let rows = c.query(
        "SELECT role FROM members WHERE project_id = $1 AND user_id = $2",
        &[project.into(), user_id.into()],
    )?;
    match rows.first() {
        None => Ok(None),
        Some(r) => {
            let text = r.text(0)?;
            Role::parse(&text)
                .map(Some)
                .ok_or_else(|| StoreError::Schema(format!("unknown role {text:?}")))
        }
    }
}

/// Gives `user` the role, or removes it from the project with `None`.
pub fn set_role(
    tx: &mut Tx,
    actor: &str,
    project: &str,
    user: &User,
    role: Option<Role>,
) -> Result<(), StoreError> {
    let before = self::role(tx, project, &user.id)?;
    tx.exec(
        "DELETE FROM members WHERE project_id = $1 AND user_id = $2",
        &[project.into(), user.id.as_str().into()],
    )?;
    if let Some(r) = role {
        tx.exec(
            "INSERT INTO members (project_id, user_id, role) VALUES ($1, $2, $3)",
            &[project.into(), user.id.as_str().into(), r.as_str().into()],
        )?;
    }
    tx.audit(
        actor,
        "member.role",
        &member_object(project, &user.name),
        before.map_or("", Role::as_str),
        role.map_or("", Role::as_str),
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub user: String,
    pub role: Role,
}

pub fn members(c: &mut dyn Conn, project: &str) -> Result<Vec<Member>, StoreError> {
    c.query(
        "SELECT u.name, m.role FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.project_id = $1 ORDER BY u.name",
        &[project.into()],
    )?
    .iter()
    .map(|r| {
        let role = r.text(1)?;
        Ok(Member {
            user: r.text(0)?,
            role: Role::parse(&role)
                .ok_or_else(|| StoreError::Schema(format!("unknown role {role:?}")))?,
        })
    })
    .collect()
}

/// The audit object that names a member of a project.
pub(crate) fn member_object(project: &str, user_name: &str) -> String {
    format!("project/{project}/member/{user_name}")
}
