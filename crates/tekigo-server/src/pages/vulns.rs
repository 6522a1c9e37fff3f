//! `/p/{p}/vulnerabilities`: SBOM uploads, the findings of the newest SBOM of each name
//! against the server's advisory database, and a triage form per finding for assessors.
//!
//! The forms post with htmx and swap only `#vulns` of the re-rendered page
//! (`hx-select`), so that one template serves the page and every change.
//!
//! The findings list shows one SBOM at a time, filtered, ordered and cut into pages
//! ([`View`]): a device SBOM brings thousands of findings (a kernel alone has thousands of
//! CVEs), and 2,467 of them on one page, each with its triage form, took Chromium 16 s to
//! lay out and 12 s again after every decision. The view travels in the query string, so
//! a decision posted from page 3 of the critical findings shows page 3 of the critical
//! findings again, and a link to it can be shared.

use super::{page, render, user_ctx, Ctx, PageLang, Upload};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::service::{self, TriageInput};
use crate::state::{AppState, Shared};
use axum::extract::multipart::Multipart;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use service::FindingOut;
use std::cmp::Reverse;
use tekigo_store::users::Role;
use tekigo_vulnscan::Level;

/// `GET /p/{p}/vulnerabilities`.
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Query(view): Query<View>,
) -> Response {
    respond(st, ctx, p, view, Need::Read, |_, _| Ok(None)).await
}

/// An SBOM upload (contributors): a name and a file.
pub async fn sbom_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Query(view): Query<View>,
    form: Multipart,
) -> Response {
    let upload = match Upload::read(&st, &ctx, &p, Need::Contribute, form).await {
        Ok(u) => u,
        Err(e) => return super::error_response(ctx.lang, e, true),
    };
    let project = p.clone();
    // The list shows the SBOM just stored, from its first page.
    let view = View {
        sbom: upload.field("name").trim().to_string(),
        ..view
    };
    respond(st, ctx, p, view, Need::Contribute, move |s, actor| {
        let (_, file) = upload
            .file
            .as_ref()
            .ok_or_else(|| AppError::BadRequest("choose an SBOM file to upload".into()))?;
        let row = service::upload_sbom(s, actor, &project, upload.field("name"), file)?;
        Ok(Some(context! { done => "sbom_stored", name => row.name }))
    })
    .await
}

/// A triage decision (assessors).
pub async fn triage(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(p): Path<String>,
    Query(view): Query<View>,
    Form(input): Form<TriageInput>,
) -> Response {
    let project = p.clone();
    respond(st, ctx, p, view, Need::Assess, move |s, actor| {
        let out = service::set_triage(s, actor, &project, input)?;
        Ok(Some(context! {
            done => "triage_saved",
            name => format!("{} · {}", out.vulnerability, out.component),
        }))
    })
    .await
}

/// Runs `work` (a change, or nothing for a plain view) and renders the page with its
/// outcome; a refused change (invalid input, stale version) is shown on the page with
/// its status.
async fn respond(
    st: AppState,
    ctx: Ctx,
    p: String,
    view: View,
    need: Need,
    work: impl FnOnce(&Shared, &str) -> Result<Option<Value>, AppError> + Send + 'static,
) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let fragment = ctx.target.is_some();
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, need)?;
            let (status, outcome) = match work(s, &who.user.name) {
                Ok(done) => (StatusCode::OK, done),
                Err(e @ (AppError::BadRequest(_) | AppError::Conflict { .. })) => {
                    let status = e.status();
                    let detail = tekigo_detail::detail(lang.lang, &e.to_string());
                    let error = context! { error => detail, status => status.as_u16() };
                    (status, Some(error))
                }
                Err(e) => return Err(e),
            };
            let body = render_page(s, &p, &view, role, lang, outcome, user)?;
            Ok((status, body))
        })
        .await;
    page(lang, fragment, result)
}

/// Rows of the findings list per page: a page Chromium lays out in about a quarter of a
/// second with each row's triage form (2,467 rows took 16 s), and enough to triage a
/// component's findings without turning pages.
const PAGE_ROWS: usize = 50;

/// What the findings list shows, from the query string (every field optional; a value
/// the page does not offer counts as no filter, a page number out of range as the nearest
/// page):
///
/// - `sbom`: the SBOM by name (default: the first by name).
/// - `q`: text the vulnerability id, an alias, the component or the summary contains,
///   ignoring case.
/// - `severity`: `critical`, `high`, `medium`, `low` (the level `FindingRow::level`
///   gives), or `unknown` for a finding without a usable severity.
/// - `triage`: `open` (`FindingRow::is_open`), `untriaged` (no decision recorded), or a
///   decision's state (`under_investigation`, `affected`, `not_affected`, `fixed`).
/// - `kev`: `1` for the findings in CISA's KEV catalog only.
/// - `page`: 1-based, [`PAGE_ROWS`] findings each.
///
/// The order is the one to work in: findings in the KEV catalog first, then by level,
/// highest first, a finding without a severity ranking with the critical ones (as
/// `--fail-on` counts it: unknown is not safe), then by CVSS score, highest first and none
/// last, then in the order of the SBOM's components.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct View {
    #[serde(default)]
    sbom: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    triage: String,
    #[serde(default)]
    kev: String,
    /// Text, so that a mistyped number shows the first page instead of an error.
    #[serde(default)]
    page: String,
}

/// The `triage` values the filter offers besides the decision states.
const TRIAGE_FILTERS: [&str; 2] = ["open", "untriaged"];
const STATES: [&str; 4] = ["under_investigation", "affected", "not_affected", "fixed"];
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "unknown"];

impl View {
    /// Whether the list keeps a finding (see [`View`]); the text is made lower-case once
    /// for all the findings.
    fn filter(&self) -> impl Fn(&FindingOut) -> bool + '_ {
        let text = self.q.trim().to_lowercase();
        move |f| self.keeps(&text, f)
    }

    fn keeps(&self, text: &str, f: &FindingOut) -> bool {
        let row = &f.row;
        let has = |s: &str| text.is_empty() || s.to_lowercase().contains(text);
        let text_ok = has(&row.vulnerability)
            || row.aliases.iter().any(|a| has(a))
            || has(&row.component)
            || row.summary.as_deref().is_some_and(has);
        let severity_ok = match self.severity.as_str() {
            "unknown" => row.level().is_none(),
            s => level_of(s).is_none_or(|want| row.level() == Some(want)),
        };
        let triage_ok = match self.triage.as_str() {
            "open" => row.is_open(),
            "untriaged" => row.triage.is_none(),
            s if STATES.contains(&s) => row.triage.as_ref().is_some_and(|t| t.state == s),
            _ => true,
        };
        let kev_ok = self.kev != "1" || row.kev;
        text_ok && severity_ok && triage_ok && kev_ok
    }

    /// The page asked for, within `1..=pages`.
    fn page(&self, pages: usize) -> usize {
        self.page.trim().parse().unwrap_or(1).clamp(1, pages.max(1))
    }

    /// The list's URL with this view on `page` (1 for none), for links and forms.
    fn href(&self, project: &str, sbom: &str, page: usize) -> String {
        let mut out = format!(
            "/p/{}/vulnerabilities?sbom={}",
            super::percent(project),
            super::percent(sbom)
        );
        for (key, value) in [
            ("q", self.q.trim()),
            ("severity", self.severity.as_str()),
            ("triage", self.triage.as_str()),
            ("kev", self.kev.as_str()),
        ] {
            if !value.is_empty() {
                out.push_str(&format!("&{key}={}", super::percent(value)));
            }
        }
        if page > 1 {
            out.push_str(&format!("&page={page}"));
        }
        out
    }
}

fn level_of(name: &str) -> Option<Level> {
    match name {
        "critical" => Some(Level::Critical),
        "high" => Some(Level::High),
        "medium" => Some(Level::Medium),
        "low" => Some(Level::Low),
        _ => None,
    }
}

/// The list's order (see [`View`]); a stable sort keeps the SBOM's order among equals.
fn order(findings: &mut [&FindingOut]) {
    findings.sort_by(|a, b| {
        let key = |f: &FindingOut| {
            let level = f.row.level().unwrap_or(Level::Critical);
            (Reverse(f.row.kev), Reverse(level))
        };
        let score = |f: &FindingOut| f.row.severity.as_ref().and_then(|s| s.score);
        key(a)
            .cmp(&key(b))
            .then_with(|| match (score(a), score(b)) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (x, y) => y.is_some().cmp(&x.is_some()),
            })
    });
}

/// One finding as the list's row shows it.
fn row_value(f: &FindingOut) -> Value {
    let severity = f
        .row
        .severity
        .as_ref()
        .map(|sev| match (sev.score, &sev.label) {
            (Some(score), _) => format!("{score:.1}"),
            (None, Some(l)) => l.clone(),
            (None, None) => String::new(),
        });
    let level = f.row.level().map(|l| format!("{l:?}").to_ascii_lowercase());
    context! {
        severity => severity,
        level => level,
        open => f.row.is_open(),
        ..Value::from_serialize(f)
    }
}

fn render_page(
    s: &Shared,
    p: &str,
    view: &View,
    role: Role,
    lang: PageLang,
    outcome: Option<Value>,
    user: Value,
) -> Result<String, AppError> {
    let found = service::vulnerabilities(s, p)?;
    let chosen = found
        .sboms
        .iter()
        .find(|sf| sf.sbom.name == view.sbom)
        .or(found.sboms.first());
    let sboms: Vec<Value> = found
        .sboms
        .iter()
        .map(|sf| {
            context! {
                findings => sf.findings.len(),
                open => sf.findings.iter().filter(|f| f.row.is_open()).count(),
                // Another SBOM opens unfiltered: the filters stay with the list they were
                // chosen on (the table is not swapped when they change).
                href => View::default().href(p, &sf.sbom.name, 1),
                chosen => chosen.is_some_and(|c| c.sbom.name == sf.sbom.name),
                ..Value::from_serialize(&sf.sbom)
            }
        })
        .collect();
    let keeps = view.filter();
    let list = chosen.map(|sf| {
        let mut kept: Vec<&FindingOut> = sf.findings.iter().filter(|f| keeps(f)).collect();
        order(&mut kept);
        let pages = kept.len().div_ceil(PAGE_ROWS).max(1);
        let page = view.page(pages);
        let from = (page - 1) * PAGE_ROWS;
        let rows: Vec<Value> = kept
            .iter()
            .skip(from)
            .take(PAGE_ROWS)
            .map(|f| row_value(f))
            .collect();
        let name = &sf.sbom.name;
        context! {
            name => name,
            all => sf.findings.len(),
            kept => kept.len(),
            from => from + 1,
            to => from + rows.len(),
            rows => rows,
            page => page,
            pages => pages,
            prev => (page > 1).then(|| view.href(p, name, page - 1)),
            next => (page < pages).then(|| view.href(p, name, page + 1)),
            query => view.href(p, name, page).split_once('?').map(|(_, q)| q.to_string()),
            base => format!("/p/{}/vulnerabilities", super::percent(p)),
            q => context! {
                q => view.q.trim(),
                severity => view.severity,
                triage => view.triage,
                kev => view.kev == "1",
            },
        }
    });
    render(
        "vulnerabilities.html",
        lang,
        context! {
            project => p,
            vulndb => found.vulndb,
            warnings => found.warnings,
            sboms => sboms,
            list => list,
            outcome => outcome,
            can_contribute => role >= Role::Contributor,
            can_assess => role >= Role::Assessor,
            states => STATES,
            severities => SEVERITIES,
            triage_filters => TRIAGE_FILTERS,
            justifications => tekigo_vex::Justification::ALL.map(|j| j.as_str()),
            ..user
        },
    )
}
