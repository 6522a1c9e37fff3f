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
    #[serde(skip)]
    pub password_hash: String,
    #[serde(skip)]
    pub failed_logins: i64,
    /// Unix seconds; 0 when not locked.
    #[serde(skip)]
    pub locked_until: i64,
}

const USER_COLUMNS: &str = "id, name, is_admin, password_hash, failed_logins, locked_until";

/// The user columns, each with `prefix` (a table alias) for joins.
fn user_columns(prefix: &str) -> String {
    USER_COLUMNS
        .split(", ")
        .map(|col| format!("{prefix}{col}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl User {
    fn from_row(r: &Row) -> Result<User, StoreError> {
        Ok(User {
            id: r.text(0)?,
            name: r.text(1)?,
            is_admin: r.int(2)? != 0,
            password_hash: r.text(3)?,
            failed_logins: r.int(4)?,
            locked_until: r.int(5)?,
        })
    }

    /// The audit trail's view of a user: never the password hash.
    fn audit_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
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

pub fn create(
    tx: &mut Tx,
    actor: &str,
    id: &str,
    name: &str,
    password_hash: &str,
    is_admin: bool,
) -> Result<User, StoreError> {
    if by_name(tx, name)?.is_some() {
        return Err(StoreError::Exists(format!("user {name:?}")));
    }
    tx.exec(
        "INSERT INTO users (id, name, password_hash, is_admin, failed_logins, locked_until, created)
         VALUES ($1, $2, $3, $4, 0, 0, $5)",
        &[
            id.into(),
            name.into(),
            password_hash.into(),
            Val::Int(is_admin.into()),
            crate::now_rfc3339().into(),
        ],
    )?;
    let user = by_id(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("user {name:?}")))?;
    tx.audit(
        actor,
        "user.create",
        &format!("user/{name}"),
        "",
        &user.audit_json(),
    )?;
    Ok(user)
}

pub fn set_password(
    tx: &mut Tx,
    actor: &str,
    user: &User,
    password_hash: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = 0 WHERE id = $2",
        &[password_hash.into(), user.id.as_str().into()],
    )?;
    // Every other session of the user ends: a changed password must lock out whoever knew
    // the old one.
    tx.exec(
        "DELETE FROM sessions WHERE user_id = $1",
        &[user.id.as_str().into()],
    )?;
    tx.audit(
        actor,
        "user.password",
        &format!("user/{}", user.name),
        "",
        "",
    )
}

/// A failed login: counts it, and locks the account for `lock_secs` at `max_failures`.
/// Returns whether the account is now locked.
pub fn login_failed(
    tx: &mut Tx,
    user: &User,
    now: i64,
    max_failures: i64,
    lock_secs: i64,
) -> Result<bool, StoreError> {
    let failures = user.failed_logins + 1;
    let locked = failures >= max_failures;
    let (failures, until) = if locked {
        (0, now + lock_secs)
    } else {
        (failures, user.locked_until)
    };
    tx.exec(
        "UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3",
        &[Val::Int(failures), Val::Int(until), user.id.as_str().into()],
    )?;
    let action = if locked {
        "login.locked"
    } else {
        "login.failed"
    };
    tx.audit(&user.name, action, &format!("user/{}", user.name), "", "")?;
    Ok(locked)
}

/// A successful login: a new session (its token hashed) with its CSRF secret.
pub fn login_succeeded(
    tx: &mut Tx,
    user: &User,
    token_hash: &str,
    csrf: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1",
        &[user.id.as_str().into()],
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
    tx.audit(&user.name, "login", &format!("user/{}", user.name), "", "")
}

pub struct Session {
    pub user: User,
    pub csrf: String,
    pub last_seen: i64,
}

pub fn session(c: &mut dyn Conn, token_hash: &str) -> Result<Option<Session>, StoreError> {
    let cols = user_columns("u.");
    c.query(
        &format!(
            "SELECT {cols}, s.csrf, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1"
        ),
        &[token_hash.into()],
    )?
    .first()
    .map(|r| {
        Ok(Session {
            user: User::from_row(r)?,
            csrf: r.text(6)?,
            last_seen: r.int(7)?,
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

pub fn token_create(
    tx: &mut Tx,
    user: &User,
    token_hash: &str,
    name: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO api_tokens (token_hash, user_id, name, created) VALUES ($1, $2, $3, $4)",
        &[
            token_hash.into(),
            user.id.as_str().into(),
            name.into(),
            crate::now_rfc3339().into(),
        ],
    )?;
    tx.audit(
        &user.name,
        "token.create",
        &format!("user/{}/token/{name}", user.name),
        "",
        "",
    )
}

pub fn token_user(c: &mut dyn Conn, token_hash: &str) -> Result<Option<User>, StoreError> {
    let cols = user_columns("u.");
    c.query(
        &format!(
            "SELECT {cols} FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1"
        ),
        &[token_hash.into()],
    )?
    .first()
    .map(User::from_row)
    .transpose()
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
        &format!("project/{project}/member/{}", user.name),
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
