//! The REST API under `/api/`, described by `assets/openapi.json` (served at
//! `/api/openapi.json`). Handlers stay thin: authenticate ([`Principal`]), authorise
//! ([`access::require`]), call [`service`], shape the answer.

use crate::access::{self, Need};
use crate::auth::Principal;
use crate::error::AppError;
use crate::service::{self, AnswerInput, NewAssessmentInput, ReportFormat, TriageInput};
use crate::state::AppState;
use crate::upload::{self, Spooled};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tekigo_assess::ProjectConfig;
use tekigo_store::{audit, records, users};

type ApiResult = Result<Json<Value>, AppError>;

/// Every API route. Uploads take the raw body and read it only after the caller's role
/// allowed them ([`authorised_upload`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/projects/{p}/evidence",
            get(evidence_list).post(evidence_upload),
        )
        .route("/projects/{p}/scans", get(scan_list).post(scan_upload))
        .route("/projects/{p}/sboms", get(sbom_list).post(sbom_upload))
        .route("/projects/{p}/assessments/{a}/scan", post(scan_import))
        .route("/openapi.json", get(openapi))
        .route("/me", get(me))
        .route("/me/password", put(password_change))
        .route("/users", get(user_list).post(user_create))
        .route("/users/{user}", put(user_update))
        .route("/tokens", get(token_list).post(token_create))
        .route("/tokens/{token}", delete(token_revoke))
        .route("/audit/verify", get(audit_verify))
        .route("/projects", get(project_list).post(project_create))
        .route("/projects/{p}", get(project_show))
        .route("/projects/{p}/members", get(member_list))
        .route("/projects/{p}/members/{user}", put(member_set))
        .route("/projects/{p}/audit", get(project_audit))
        .route(
            "/projects/{p}/assessments",
            get(assessment_list).post(assessment_create),
        )
        .route("/projects/{p}/assessments/{a}", get(assessment_show))
        .route("/projects/{p}/assessments/{a}/answers", get(answer_list))
        .route(
            "/projects/{p}/assessments/{a}/answers/{req}",
            get(answer_show).put(answer_set),
        )
        .route("/projects/{p}/assessments/{a}/report", get(report))
        .route("/projects/{p}/evidence/{sha}", get(evidence_download))
        .route("/projects/{p}/vulnerabilities", get(vulnerabilities))
        .route("/projects/{p}/triage", put(triage_set))
        .route("/projects/{p}/upkeep", get(upkeep))
        .route(
            "/projects/{p}/certificates",
            get(certificate_list).post(certificate_add),
        )
        .fallback(not_found)
}

/// Unknown API routes: 401 before 404, so that nothing about the API's shape is
/// answered to someone who is not logged in.
async fn not_found(_who: Principal) -> AppError {
    AppError::NotFound("no such API route; see /api/openapi.json".into())
}

async fn openapi(_who: Principal) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../assets/openapi.json"),
    )
        .into_response()
}

async fn me(who: Principal) -> ApiResult {
    Ok(Json(json!({
        "user": who.user.name,
        "is_admin": who.user.is_admin,
        "csrf": who.csrf,
    })))
}

async fn user_list(State(st): State<AppState>, who: Principal) -> ApiResult {
    access::require_server_admin(&who)?;
    let list = st.db(|s| Ok(s.store.read(users::list)?)).await?;
    Ok(Json(json!(list)))
}

#[derive(Deserialize)]
struct NewUser {
    name: String,
    password: String,
    #[serde(default)]
    is_admin: bool,
    /// The user must replace this password at their next login (what the users page
    /// does); the API leaves it to the caller, for scripted set-ups.
    #[serde(default)]
    must_change_password: bool,
}

async fn user_create(
    State(st): State<AppState>,
    who: Principal,
    Json(u): Json<NewUser>,
) -> ApiResult {
    access::require_server_admin(&who)?;
    let user = crate::account::create_user(
        &st,
        &who,
        crate::account::NewUser {
            name: u.name,
            password: u.password,
            is_admin: u.is_admin,
            must_change: u.must_change_password,
        },
    )
    .await?;
    Ok(Json(json!(user)))
}

/// An administrator's change to a user: rights, disabling, a new password (which the
/// user must change at their next login).
async fn user_update(
    State(st): State<AppState>,
    who: Principal,
    Path(name): Path<String>,
    Json(change): Json<crate::account::UserChange>,
) -> ApiResult {
    access::require_server_admin(&who)?;
    let user = crate::account::update_user(&st, &who, &name, change).await?;
    Ok(Json(json!(user)))
}

/// The caller changes their own password, giving the current one.
async fn password_change(
    State(st): State<AppState>,
    who: Principal,
    Json(change): Json<crate::account::PasswordChange>,
) -> ApiResult {
    crate::account::change_password(&st, &who, change).await?;
    Ok(Json(json!({ "changed": true, "log_in_again": true })))
}

async fn token_list(State(st): State<AppState>, who: Principal) -> ApiResult {
    let list = st
        .db(move |s| Ok(s.store.read(|c| users::tokens(c, &who.user))?))
        .await?;
    Ok(Json(json!(list)))
}

/// An API token for the caller. The token is shown once; only its hash is kept.
async fn token_create(
    State(st): State<AppState>,
    who: Principal,
    Json(t): Json<crate::account::NewToken>,
) -> ApiResult {
    let made = crate::account::create_token(&st, &who, t).await?;
    Ok(Json(json!(made)))
}

/// Revokes one of the caller's tokens (revoking one that is gone changes nothing).
async fn token_revoke(
    State(st): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult {
    let revoked = st
        .db(move |s| {
            Ok(s.store
                .write(|tx| users::token_revoke(tx, &who.user.name, &who.user, &id))?)
        })
        .await?;
    Ok(Json(json!({ "revoked": revoked })))
}

async fn audit_verify(State(st): State<AppState>, who: Principal) -> ApiResult {
    access::require_server_admin(&who)?;
    let v = st.db(|s| Ok(s.store.read(audit::verify)?)).await?;
    Ok(Json(json!(v)))
}

async fn project_list(State(st): State<AppState>, who: Principal) -> ApiResult {
    let rows = st
        .db(move |s| {
            Ok(s.store.read(|c| {
                if who.user.is_admin {
                    records::projects(c)
                } else {
                    records::projects_of(c, &who.user.id)
                }
            })?)
        })
        .await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "config": serde_json::from_str::<Value>(&p.config).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(Json(json!(list)))
}

#[derive(Deserialize)]
struct NewProject {
    id: String,
    config: ProjectConfig,
}

async fn project_create(
    State(st): State<AppState>,
    who: Principal,
    Json(p): Json<NewProject>,
) -> ApiResult {
    access::require_server_admin(&who)?;
    st.db(move |s| service::create_project(s, &who.user.name, &p.id, &p.config))
        .await?;
    Ok(Json(json!({ "created": true })))
}

async fn project_show(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
) -> ApiResult {
    st.db(move |s| {
        let role = access::require(s, &who, &p, Need::Read)?;
        let config = service::project_config(s, &p)?;
        Ok(Json(json!({ "id": p, "role": role, "config": config })))
    })
    .await
}

async fn member_list(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        Ok(Json(json!(s.store.read(|c| users::members(c, &p))?)))
    })
    .await
}

#[derive(Deserialize)]
struct MemberRole {
    /// `null` removes the member.
    role: Option<String>,
}

async fn member_set(
    State(st): State<AppState>,
    who: Principal,
    Path((p, name)): Path<(String, String)>,
    Json(m): Json<MemberRole>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Manage)?;
        let role = crate::projects::set_member(s, &who.user.name, &p, &name, m.role.as_deref())?;
        Ok(Json(json!({ "user": name, "role": role })))
    })
    .await
}

async fn project_audit(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        let prefix = format!("project/{p}/");
        Ok(Json(json!(s
            .store
            .read(|c| audit::list(c, &prefix, 500))?)))
    })
    .await
}

async fn assessment_list(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        let mut out = Vec::new();
        for (id, _) in s.store.read(|c| records::assessments(c, &p))? {
            let a = service::load(s, &p, &id)?.assessment;
            out.push(summary(s, &p, &a)?);
        }
        Ok(Json(json!(out)))
    })
    .await
}

/// An assessment's header with its computed results (the claimed, projected and
/// with-compensating vectors, progress, gaps) and warnings about what the claim rests on.
fn summary(
    s: &crate::state::Shared,
    project: &str,
    a: &tekigo_assess::Assessment,
) -> Result<Value, AppError> {
    let standard = s
        .catalog
        .standard(&a.standard)
        .ok_or_else(|| AppError::Internal(format!("standard {}", a.standard)))?;
    let review = crate::service::project_config(s, project)?.review;
    let results = tekigo_assess::compute_with(standard, a, review);
    let no_process =
        results.lacks_process_assessment(&crate::service::assessment_standards(s, project)?);
    Ok(json!({
        "id": a.id,
        "standard": a.standard,
        "subject": a.subject,
        "target": a.target,
        "created": a.created,
        "results": results,
        "warnings": if no_process { json!(["no-4-1-assessment"]) } else { json!([]) },
    }))
}

async fn assessment_create(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
    Json(input): Json<NewAssessmentInput>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Assess)?;
        let a = service::create_assessment(s, &who.user.name, &p, input)?;
        summary(s, &p, &a).map(Json)
    })
    .await
}

async fn assessment_show(
    State(st): State<AppState>,
    who: Principal,
    Path((p, a)): Path<(String, String)>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        summary(s, &p, &service::load(s, &p, &a)?.assessment).map(Json)
    })
    .await
}

async fn answer_list(
    State(st): State<AppState>,
    who: Principal,
    Path((p, a)): Path<(String, String)>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        let loaded = service::load(s, &p, &a)?;
        let out: Vec<Value> = loaded
            .assessment
            .answers
            .iter()
            .map(|(id, answer)| {
                json!({
                    "requirement": id,
                    "version": loaded.versions.get(id).copied().unwrap_or(0),
                    "answer": answer,
                })
            })
            .collect();
        Ok(Json(json!(out)))
    })
    .await
}

async fn answer_show(
    State(st): State<AppState>,
    who: Principal,
    Path((p, a, req)): Path<(String, String, String)>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        let loaded = service::load(s, &p, &a)?;
        let id = tekigo_assess::edit::requirement_id(s.catalog, &loaded.assessment, &req)?;
        Ok(Json(json!({
            "requirement": id,
            "version": loaded.versions.get(&id).copied().unwrap_or(0),
            "answer": loaded.assessment.answers.get(&id),
        })))
    })
    .await
}

/// Assessors change anything; contributors may only attach evidence.
async fn answer_set(
    State(st): State<AppState>,
    who: Principal,
    Path((p, a, req)): Path<(String, String, String)>,
    Json(input): Json<AnswerInput>,
) -> ApiResult {
    st.db(move |s| {
        let evidence_only = input.status.is_none()
            && input.reason.is_none()
            && input.countermeasure.is_none()
            && input.maturity.is_none()
            && input.finding.is_none()
            && !input.review;
        let need = if evidence_only {
            Need::Contribute
        } else {
            Need::Assess
        };
        access::require(s, &who, &p, need)?;
        let out = service::set_answer(s, &who.user.name, (&p, &a), &req, input)?;
        Ok(Json(json!(out)))
    })
    .await
}

#[derive(Deserialize)]
struct ReportQuery {
    format: ReportFormat,
    #[serde(default)]
    lang: Option<String>,
}

async fn report(
    State(st): State<AppState>,
    who: Principal,
    Path((p, a)): Path<(String, String)>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let lang = q
        .lang
        .as_deref()
        .map(|l| {
            l.parse::<tekigo_catalog::Lang>()
                .map_err(|_| AppError::BadRequest(format!("lang {l:?}: use en or ja")))
        })
        .transpose()?;
    let (bytes, media, name) = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            service::report(s, &p, &a, q.format, lang)
        })
        .await?;
    Ok(download(bytes, media, &name))
}

/// A download: always an attachment, never rendered by the browser in the app's origin,
/// with a name that cannot break the header.
pub(crate) fn download(bytes: Vec<u8>, media: &str, name: &str) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, media.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

async fn evidence_list(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        Ok(Json(json!(s
            .store
            .read(|c| records::evidence_list(c, &p))?)))
    })
    .await
}

#[derive(Deserialize)]
struct UploadQuery {
    name: String,
}

/// The body is the file itself; `?name=` is the name it is shown and downloaded under.
async fn evidence_upload(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> ApiResult {
    let upload = authorised_upload(&st, &who, &p, Need::Contribute, body).await?;
    st.db(move |s| {
        access::require(s, &who, &p, Need::Contribute)?;
        let row = service::store_evidence(s, &who.user.name, &p, &q.name, &upload)?;
        Ok(Json(json!(row)))
    })
    .await
}

/// Checks the caller's role in the project first, and only then reads the body, to a
/// temporary file within the upload limit: a body sent to a project the caller may not
/// change is never read.
async fn authorised_upload(
    st: &AppState,
    who: &Principal,
    p: &str,
    need: Need,
    body: Body,
) -> Result<Spooled, AppError> {
    let (caller, project) = (who.clone(), p.to_string());
    st.db(move |s| access::require(s, &caller, &project, need).map(drop))
        .await?;
    let shared = st.shared();
    upload::spool(&shared.data_dir, body, shared.settings.max_upload_bytes).await
}

async fn evidence_download(
    State(st): State<AppState>,
    who: Principal,
    Path((p, sha)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (row, bytes) = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            let (row, path) = service::evidence_file(s, &p, &sha)?;
            let bytes = std::fs::read(&path)
                .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
            Ok((row, bytes))
        })
        .await?;
    Ok(download(bytes, "application/octet-stream", &row.name))
}

async fn scan_list(State(st): State<AppState>, who: Principal, Path(p): Path<String>) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        Ok(Json(json!(s.store.read(|c| records::scans(c, &p, 200))?)))
    })
    .await
}

#[derive(Deserialize)]
struct ScanQuery {
    device: String,
}

/// A device or CI job uploads its `tekigo scan --format json` report.
async fn scan_upload(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
    Query(q): Query<ScanQuery>,
    body: Body,
) -> ApiResult {
    let upload = authorised_upload(&st, &who, &p, Need::Contribute, body).await?;
    st.db(move |s| {
        access::require(s, &who, &p, Need::Contribute)?;
        let scan = service::upload_scan(s, &who.user.name, &p, &q.device, &upload)?;
        Ok(Json(json!(scan)))
    })
    .await
}

#[derive(Deserialize)]
struct ImportQuery {
    #[serde(default)]
    force: bool,
}

async fn scan_import(
    State(st): State<AppState>,
    who: Principal,
    Path((p, a)): Path<(String, String)>,
    Query(q): Query<ImportQuery>,
    body: Body,
) -> ApiResult {
    let upload = authorised_upload(&st, &who, &p, Need::Assess, body).await?;
    st.db(move |s| {
        access::require(s, &who, &p, Need::Assess)?;
        let out = service::import_scan(s, &who.user.name, (&p, &a), &upload, q.force)?;
        Ok(Json(json!(out)))
    })
    .await
}

async fn sbom_list(State(st): State<AppState>, who: Principal, Path(p): Path<String>) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        Ok(Json(json!(s.store.read(|c| records::sboms(c, &p))?)))
    })
    .await
}

/// The body is the SBOM file; `?name=` names the product or firmware it describes (a new
/// upload under the same name replaces the old one in the vulnerabilities list).
async fn sbom_upload(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> ApiResult {
    let upload = authorised_upload(&st, &who, &p, Need::Contribute, body).await?;
    st.db(move |s| {
        access::require(s, &who, &p, Need::Contribute)?;
        let row = service::upload_sbom(s, &who.user.name, &p, &q.name, &upload)?;
        Ok(Json(json!(row)))
    })
    .await
}

async fn vulnerabilities(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        Ok(Json(json!(service::vulnerabilities(s, &p)?)))
    })
    .await
}

async fn triage_set(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
    Json(input): Json<TriageInput>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Assess)?;
        let out = service::set_triage(s, &who.user.name, &p, input)?;
        Ok(Json(json!(out)))
    })
    .await
}

#[derive(Deserialize)]
struct UpkeepQuery {
    /// Days ahead; without it, to the end of this month as the upkeep page.
    within: Option<u32>,
}

/// What is due and overdue, as `tekigo upkeep --format json` prints it.
async fn upkeep(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
    Query(q): Query<UpkeepQuery>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        let clock = match q.within {
            Some(days) => tekigo_upkeep::Clock {
                now: time::OffsetDateTime::now_utc(),
                within_days: days,
            },
            None => crate::upkeep::this_month(),
        };
        let config = service::project_config(s, &p)?;
        let items = crate::upkeep::overview(s, &p, clock, config.language)?.items;
        Ok(Json(json!(items)))
    })
    .await
}

async fn certificate_list(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Read)?;
        Ok(Json(json!(crate::upkeep::certificates(s, &p)?)))
    })
    .await
}

async fn certificate_add(
    State(st): State<AppState>,
    who: Principal,
    Path(p): Path<String>,
    Json(input): Json<crate::upkeep::CertificateForm>,
) -> ApiResult {
    st.db(move |s| {
        access::require(s, &who, &p, Need::Assess)?;
        Ok(Json(json!(crate::upkeep::add(
            s,
            &who.user.name,
            &p,
            input
        )?)))
    })
    .await
}
