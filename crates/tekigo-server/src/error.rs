//! Errors as HTTP answers: a status and a JSON body `{"error": "..."}` that tells the
//! caller what to fix. Internal failures are logged on the server and answered with a
//! generic message, so that database details never reach a client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tekigo_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("log in first (session cookie or `Authorization: Bearer` API token)")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    /// A login refused: the same answer for an unknown user, a disabled one and a wrong
    /// password (its own variant so that the login page can say it in the page's language).
    #[error("wrong user name or password")]
    WrongCredentials,
    #[error("{0}")]
    NotFound(String),
    /// Someone else changed the object; the body carries its current version.
    #[error("{message}")]
    Conflict { message: String, current: i64 },
    #[error("{0}")]
    BadRequest(String),
    /// A password the rules refuse (422, like any refused input).
    #[error("password refused: {}", .0.english())]
    WeakPassword(crate::auth::PasswordProblem),
    #[error("user names are 1-64 letters, digits, '.', '_', '-' or '@'")]
    BadUserName,
    /// A password change whose current password is wrong (422; counted as a failed login).
    #[error("the current password is not right")]
    WrongCurrentPassword,
    /// A project or assessment id that cannot be one (it appears in URLs and directory names).
    #[error(
        "{} id {id:?}: use 1-64 ASCII letters, digits, '.', '_' or '-', not first '.' or '-'",
        .what.as_str()
    )]
    BadId {
        what: crate::service::IdKind,
        id: String,
    },
    #[error("evidence URL {0:?}: only http(s) links")]
    BadEvidenceUrl(String),
    /// A change to an answer that a rule of the check sheet refuses (422); the API answers
    /// the message tekigo-assess words for the command line.
    #[error("{message}")]
    AnswerRefused {
        message: String,
        refusal: tekigo_assess::edit::Refusal,
    },
    #[error("{0}")]
    TooLarge(String),
    #[error("too many failed logins; try again later")]
    Locked,
    /// Too many logins from one address (the per-address rate limit).
    #[error("too many logins from your address; try again in a minute")]
    Throttled,
    #[error("internal error; the server log has the details")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::WrongCredentials => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::BadRequest(_)
            | AppError::WeakPassword(_)
            | AppError::BadUserName
            | AppError::WrongCurrentPassword
            | AppError::AnswerRefused { .. }
            | AppError::BadId { .. }
            | AppError::BadEvidenceUrl(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Locked | AppError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl AppError {
    /// The label (`i18n/labels.yaml`) that says this refusal in a page's language, for the
    /// refusals a person meets at a form: logging in, choosing a user name or a password,
    /// naming a project or an assessment, answering a requirement. With the id its `{id}`
    /// stands for. Other errors are shown as the server words them.
    pub fn label(&self) -> Option<(&'static str, Option<&str>)> {
        use crate::service::IdKind;
        use tekigo_assess::edit::Refusal;
        Some(match self {
            AppError::WrongCredentials => ("login_wrong", None),
            AppError::Locked => ("login_locked", None),
            AppError::Throttled => ("login_throttled", None),
            AppError::WeakPassword(why) => (why.label(), None),
            AppError::BadUserName => ("user_name_refused", None),
            AppError::WrongCurrentPassword => ("current_password_wrong", None),
            AppError::BadId { what, id } => match what {
                IdKind::Project => ("id_refused_project", Some(id)),
                IdKind::Assessment => ("id_refused_assessment", Some(id)),
            },
            AppError::BadEvidenceUrl(_) => ("evidence_url_refused", None),
            AppError::AnswerRefused { refusal, .. } => match refusal {
                Refusal::NoAnswerYet { id } => ("answer_refused_no_status", Some(id)),
                Refusal::DeferredButMet { id } => ("answer_refused_deferred_met", Some(id)),
                Refusal::ReviewerIsAssessor { id } => ("answer_refused_own_review", Some(id)),
            },
            _ => return None,
        })
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict { current, .. } => AppError::Conflict {
                message: e.to_string(),
                current,
            },
            StoreError::Exists(_) => AppError::Conflict {
                message: e.to_string(),
                current: 0,
            },
            StoreError::NotFound(what) => AppError::NotFound(format!("{what} not found")),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<tekigo_assess::AssessError> for AppError {
    fn from(e: tekigo_assess::AssessError) -> AppError {
        AppError::BadRequest(e.to_string())
    }
}

impl From<tekigo_assess::edit::EditError> for AppError {
    fn from(e: tekigo_assess::edit::EditError) -> AppError {
        match e.refusal {
            Some(refusal) => AppError::AnswerRefused {
                message: e.message,
                refusal,
            },
            None => AppError::BadRequest(e.message),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            eprintln!("tekigo serve: internal error: {detail}");
        }
        let mut body = serde_json::json!({ "error": self.to_string() });
        if let AppError::Conflict { current, .. } = &self {
            body["current_version"] = (*current).into();
        }
        (self.status(), axum::Json(body)).into_response()
    }
}
