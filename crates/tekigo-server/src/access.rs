//! Who may do what in a project. The one place where roles meet actions: handlers state
//! what they need, this module decides.
//!
//! | need       | viewer | contributor | assessor | admin |
//! |------------|--------|-------------|----------|-------|
//! | Read       | yes    | yes         | yes      | yes   |
//! | Contribute | -      | yes         | yes      | yes   |
//! | Assess     | -      | -           | yes      | yes   |
//! | Manage     | -      | -           | -        | yes   |
//!
//! Contribute: upload evidence and scan results, attach evidence to an answer (the
//! developers who own the evidence). Assess: create assessments, answer, review, import.
//! Manage: members and the project's settings. A server administrator is admin of every
//! project. Someone with no role in a project is told it does not exist (404), so that
//! project names do not leak.

use crate::auth::Principal;
use crate::error::AppError;
use crate::state::Shared;
use tekigo_store::users::{self, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Read,
    Contribute,
    Assess,
    Manage,
}

impl Need {
    fn least_role(self) -> Role {
        match self {
            Need::Read => Role::Viewer,
            Need::Contribute => Role::Contributor,
            Need::Assess => Role::Assessor,
            Need::Manage => Role::Admin,
        }
    }
}

/// The caller's role in `project`, if it is at least what `need` asks for.
pub fn require(s: &Shared, who: &Principal, project: &str, need: Need) -> Result<Role, AppError> {
    let not_found = || AppError::NotFound(format!("project {project:?} not found"));
    let exists = s
        .store
        .read(|c| tekigo_store::records::project(c, project))?
        .is_some();
    if !exists {
        return Err(not_found());
    }
    let role = if who.user.is_admin {
        Role::Admin
    } else {
        s.store
            .read(|c| users::role(c, project, &who.user.id))?
            .ok_or_else(not_found)?
    };
    if role >= need.least_role() {
        Ok(role)
    } else {
        Err(AppError::Forbidden(format!(
            "{} is {} in {project}; this needs {}",
            who.user.name,
            role.as_str(),
            need.least_role().as_str()
        )))
    }
}

/// Server-wide actions (creating projects and users, checking the audit chain).
pub fn require_server_admin(who: &Principal) -> Result<(), AppError> {
    if who.user.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only a server administrator can do this".into(),
        ))
    }
}
