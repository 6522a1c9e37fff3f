//! The check sheet of an assessment and the detail page of one requirement.
//!
//! The check sheet is the page people keep open, and the one benchmarked: it reads the
//! assessment once ([`service::load`]: its header and all answers), filters the rows of
//! [`tekigo_assess::results::rows`] in memory and renders one template. Filters are plain
//! GET parameters; htmx asks for the table alone (`HX-Target: sheet`).

use super::{i18n, page, percent, render, user_ctx, Ctx, Upload};
use crate::access::{self, Need};
use crate::error::AppError;
use crate::service::{self, AnswerInput};
use crate::state::{AppState, Shared};
use axum::extract::multipart::Multipart;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use tekigo_assess::results::{self, Row};
use tekigo_assess::{Answer, Assessment, EvidenceRef, Finding, Method, Origin, Review, Status};
use tekigo_catalog::{Catalog, Fr, Lang, Level, Phase, SlVector, Standard};
use tekigo_store::records;
use tekigo_store::users::Role;

pub(super) fn standard_of<'a>(s: &'a Shared, a: &Assessment) -> Result<&'a Standard, AppError> {
    s.catalog
        .standard(&a.standard)
        .ok_or_else(|| AppError::Internal(format!("standard {} not in the catalog", a.standard)))
}

/// An assessment at a glance: target and achieved vectors, the chart, progress. The
/// dashboard, the check sheet and the requirement page show it.
pub(super) fn overview(
    s: &Shared,
    project: &str,
    a: &Assessment,
    standard: &Standard,
    lang: super::PageLang,
) -> Result<Value, AppError> {
    let review = crate::service::project_config(s, project)?.review;
    let r = tekigo_assess::compute_with(standard, a, review);
    let no_process = r.lacks_process_assessment(&crate::service::assessment_standards(s, project)?);
    let na_mark = i18n::text(lang.lang, "na_only")?;
    // Each level as text, a level resting on not-applicable answers alone marked.
    let marked = |v: Option<[Level; 7]>, flag: fn(&tekigo_assess::results::FrResult) -> bool| {
        v.map(|v| {
            let cells: Vec<String> = v
                .iter()
                .zip(&r.frs)
                .map(|(l, f)| match flag(f) {
                    true => format!("{l}{na_mark}"),
                    false => l.to_string(),
                })
                .collect();
            format!("{{{}}}", cells.join(" "))
        })
    };
    let (target_label, achieved_label) = (
        i18n::text(lang.lang, "target")?,
        i18n::text(lang.lang, "achieved")?,
    );
    let chart = match (r.target, r.achieved, r.target_ml) {
        (Some(t), Some(ach), _) => Some(tekigo_report::radar_svg(
            &t,
            &ach,
            &target_label,
            &achieved_label,
        )),
        (_, _, Some(t)) => {
            let groups: Vec<(&str, Level)> = r
                .groups
                .iter()
                .map(|g| (g.id.as_str(), g.achieved_ml))
                .collect();
            Some(tekigo_report::maturity_svg(
                &groups,
                t,
                &target_label,
                &achieved_label,
            ))
        }
        _ => None,
    };
    Ok(context! {
        id => a.id,
        href => format!("/p/{}/a/{}", percent(project), percent(&a.id)),
        project => project,
        standard => a.standard,
        subject => a.subject.name,
        target => r.target.map(|t| SlVector(t).to_string()),
        achieved => marked(r.achieved, |f| f.not_applicable_only.achieved),
        projected => marked(r.projected, |f| f.not_applicable_only.projected),
        with_compensating => marked(r.with_compensating, |f| f.not_applicable_only.with_compensating),
        component => r.with_compensating.is_some(),
        no_process => no_process,
        review_required => review == tekigo_assess::ReviewPolicy::Required,
        target_ml => r.target_ml,
        achieved_ml => r.achieved_ml,
        chart => chart.map(Value::from_safe_string),
        progress => r.progress,
        gaps => r.gaps.len(),
    })
}

/// The check sheet's filters, as GET parameters; empty means "all".
#[derive(Debug, Default, Deserialize)]
pub struct SheetQuery {
    #[serde(default)]
    fr: String,
    #[serde(default)]
    sl: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    phase: String,
    #[serde(default)]
    review: String,
    /// `all`: every level of the standard; otherwise only what the target calls for.
    #[serde(default)]
    scope: String,
}

/// `scope=all` shows the requirements above the target too.
const ALL_LEVELS: &str = "all";

/// `status=none` and `review=none` select unanswered requirements.
const NONE: &str = "none";

struct Filter {
    fr: Option<Fr>,
    sl: Option<Level>,
    status: Option<Option<Status>>,
    phase: Option<Phase>,
    review: Option<&'static str>,
    all_levels: bool,
}

impl Filter {
    fn parse(q: &SheetQuery, catalog: &Catalog) -> Result<Filter, AppError> {
        let bad = |what: &str, v: &str| {
            AppError::BadRequest(format!("filter {what}={v:?}: unknown value"))
        };
        let given = |v: &str| (!v.is_empty()).then(|| v.to_string());
        Ok(Filter {
            fr: given(&q.fr)
                .map(|v| v.parse::<Fr>().map_err(|_| bad("fr", &v)))
                .transpose()?,
            sl: given(&q.sl)
                .map(|v| match v.parse::<Level>() {
                    Ok(l @ 1..=4) => Ok(l),
                    _ => Err(bad("sl", &v)),
                })
                .transpose()?,
            status: given(&q.status)
                .map(|v| match v.as_str() {
                    NONE => Ok(None),
                    _ => Status::parse(&v).map(Some).ok_or_else(|| bad("status", &v)),
                })
                .transpose()?,
            phase: given(&q.phase)
                .map(|v| {
                    catalog
                        .common
                        .lifecycle_phases
                        .iter()
                        .map(|p| p.id)
                        .find(|p| p.name() == v)
                        .ok_or_else(|| bad("phase", &v))
                })
                .transpose()?,
            review: given(&q.review)
                .map(|v| {
                    REVIEW_STATES
                        .into_iter()
                        .find(|r| *r == v)
                        .ok_or_else(|| bad("review", &v))
                })
                .transpose()?,
            all_levels: match q.scope.as_str() {
                "" => false,
                ALL_LEVELS => true,
                v => return Err(bad("scope", v)),
            },
        })
    }

    fn keeps(&self, row: &Row) -> bool {
        (self.all_levels || row.in_scope)
            && self.fr.is_none_or(|fr| row.item.fr == Some(fr))
            && self.sl.is_none_or(|sl| row.item.min_sl == Some(sl))
            && self.status.is_none_or(|st| row.status() == st)
            && self.phase.is_none_or(|ph| row.item.phases.contains(&ph))
            && self.review.is_none_or(|rv| review_state(row.answer) == rv)
    }
}

const REVIEW_STATES: [&str; 3] = ["reviewed", "draft", NONE];

fn review_state(answer: Option<&Answer>) -> &'static str {
    match answer.map(|a| a.review) {
        Some(Review::Reviewed) => "reviewed",
        Some(Review::Draft) => "draft",
        None => NONE,
    }
}

/// One line of the check sheet.
#[derive(Serialize)]
struct SheetRow<'a> {
    id: &'a str,
    href: String,
    title: &'a str,
    summary: &'a str,
    fr: Option<&'static str>,
    /// `FR 2 Use control`: the heading the row is grouped under.
    fr_name: Option<String>,
    sl: Option<Level>,
    in_scope: bool,
    status: &'static str,
    review: &'static str,
    scan: bool,
    /// Inherited from a supplier's conformity package.
    inherited: bool,
    /// Left to another party (a role, e.g. `integrator`).
    deferred_to: Option<&'static str>,
    evidence: usize,
}

/// The check sheet and the previous/next links go FR by FR, so that a component row
/// (EDR, HDR, NDR, SAR), which the catalog lists after every CR, sits under its FR;
/// rows without an FR come last.
fn fr_order(fr: Option<Fr>) -> usize {
    fr.map_or(usize::MAX, Fr::index)
}

/// `FR 2 Use control`, in the page's language.
fn fr_name(catalog: &Catalog, fr: Fr, lang: Lang) -> String {
    catalog
        .common
        .foundational_requirements
        .iter()
        .find(|f| f.id == fr)
        .map_or_else(
            || fr.label(),
            |f| format!("{} {}", fr.label(), f.name.get(lang)),
        )
}

/// The choices of the filter form, in the page's language.
fn filter_options(catalog: &Catalog, lang: Lang) -> Value {
    let frs: Vec<Value> = catalog
        .common
        .foundational_requirements
        .iter()
        .map(|f| context! { value => f.id.number().to_string(), label => format!("{} {}", f.id.label(), f.name.get(lang)) })
        .collect();
    let phases: Vec<Value> = catalog
        .common
        .lifecycle_phases
        .iter()
        .map(|p| context! { value => p.id.name(), label => p.name.get(lang) })
        .collect();
    let statuses: Vec<&str> = Status::ALL
        .iter()
        .map(|s| s.as_str())
        .chain([NONE])
        .collect();
    context! { frs => frs, phases => phases, statuses => statuses, reviews => REVIEW_STATES }
}

/// `/p/{p}/a/{a}`: the check sheet, or only its table for htmx.
pub async fn sheet(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((p, a)): Path<(String, String)>,
    Query(q): Query<SheetQuery>,
) -> Response {
    let fragment = ctx.target.as_deref() == Some("sheet");
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            access::require(s, &who, &p, Need::Read)?;
            let assessment = service::load(s, &p, &a)?.assessment;
            let standard = standard_of(s, &assessment)?;
            let filter = Filter::parse(&q, s.catalog)?;
            let all = results::rows(standard, &assessment);
            let base = format!("/p/{}/a/{}/r/", percent(&p), percent(&a));
            let mut kept: Vec<&Row> = all.iter().filter(|r| filter.keeps(r)).collect();
            kept.sort_by_key(|r| fr_order(r.item.fr));
            let rows: Vec<SheetRow> = kept
                .into_iter()
                .map(|r| SheetRow {
                    id: &r.item.id,
                    href: format!("{base}{}", percent(&r.item.id)),
                    title: r.item.title.get(lang.lang),
                    summary: r.item.summary.get(lang.lang),
                    fr: r.item.fr.map(Fr::abbr),
                    fr_name: r.item.fr.map(|fr| fr_name(s.catalog, fr, lang.lang)),
                    sl: r.item.min_sl,
                    in_scope: r.in_scope,
                    status: r.status().map_or(NONE, Status::as_str),
                    review: review_state(r.answer),
                    scan: r.answer.is_some_and(|a| a.origin == Origin::Scan),
                    inherited: r.answer.is_some_and(|a| a.origin == Origin::Inherited),
                    deferred_to: r.answer.and_then(|a| a.deferred_to).map(|d| d.as_str()),
                    evidence: r.answer.map_or(0, |a| a.evidence.len()),
                })
                .collect();
            let reports = format!("/p/{}/a/{}/report?format=", percent(&p), percent(&a));
            let name = if fragment { "sheet_table.html" } else { "sheet.html" };
            let body = render(
                name,
                lang,
                context! {
                    o => overview(s, &p, &assessment, standard, lang)?,
                    project_href => format!("/p/{}", percent(&p)),
                    rows => rows,
                    total => all.len(),
                    in_scope => all.iter().filter(|r| r.in_scope).count(),
                    q => context! { fr => q.fr, sl => q.sl, status => q.status, phase => q.phase, review => q.review, scope => q.scope },
                    options => filter_options(s.catalog, lang.lang),
                    reports => reports,
                    regimes => super::regime::switcher(s.catalog, &p, &a, lang.lang),
                    regime => Value::from(()),
                    ..user
                },
            )?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, fragment, result)
}

/// What the answer form held when a change was refused, to show it again.
#[derive(Debug, Clone, Default, Serialize)]
struct Draft {
    status: String,
    reason: String,
    countermeasure: String,
    method: String,
}

/// How the last change went, for the answer section.
#[derive(Default)]
struct Outcome {
    saved: bool,
    /// Someone else changed the answer first: their answer is shown, the draft beside it.
    conflict: bool,
    error: Option<String>,
    draft: Option<Draft>,
}

/// Everything the requirement page shows, for the whole page and for the answer section
/// that its forms replace.
fn detail(
    s: &Shared,
    (p, a, req): (&str, &str, &str),
    role: Role,
    lang: super::PageLang,
    outcome: Outcome,
) -> Result<Value, AppError> {
    let loaded = service::load(s, p, a)?;
    let assessment = &loaded.assessment;
    let standard = standard_of(s, assessment)?;
    let id = tekigo_assess::edit::requirement_id(s.catalog, assessment, req)?;
    let item = standard
        .item(&id)
        .ok_or_else(|| AppError::NotFound(format!("requirement {id:?} not found")))?;
    let l = lang.lang;
    let sheet_href = format!("/p/{}/a/{}", percent(p), percent(a));
    let link = |other: &str| format!("{sheet_href}/r/{}", percent(other));
    let fr = item.fr.map(|fr| fr_name(s.catalog, fr, l));
    // Previous and next in the check sheet's default order: the target's requirements FR
    // by FR (every level when this one is above the target).
    let mut order: Vec<Row> = results::rows(standard, assessment);
    let here_in_scope = order.iter().any(|r| r.item.id == id && r.in_scope);
    order.retain(|r| r.in_scope || !here_in_scope);
    order.sort_by_key(|r| fr_order(r.item.fr));
    let at = order.iter().position(|r| r.item.id == id);
    let neighbour = |i: Option<usize>| {
        i.and_then(|i| order.get(i))
            .map(|r| context! { id => r.item.id, href => link(&r.item.id) })
    };
    let previous = neighbour(at.and_then(|i| i.checked_sub(1)));
    let next = neighbour(at.map(|i| i + 1));
    let phases: Vec<&str> = item
        .phases
        .iter()
        .filter_map(|ph| {
            s.catalog
                .common
                .lifecycle_phases
                .iter()
                .find(|n| n.id == *ph)
                .map(|n| n.name.get(l))
        })
        .collect();
    let related = |i: &tekigo_catalog::Item| context! { id => i.id, title => i.title.get(l), href => link(&i.id) };
    let parent = item
        .parent
        .as_deref()
        .and_then(|pid| standard.item(pid))
        .map(related);
    let children: Vec<Value> = standard.children(&id).map(related).collect();
    let cross: Vec<Value> = s
        .catalog
        .cross_refs(&id)
        .map(|x| context! { standard => x.standard, id => x.id, relationship => x.mapping.relationship })
        .collect();
    let answer = assessment.answers.get(&id);
    let evidence_href = |sha: &str| format!("/api/projects/{}/evidence/{sha}", percent(p));
    let answer_view = answer.map(|ans| {
        let evidence: Vec<Value> = ans
            .evidence
            .iter()
            .enumerate()
            .map(|(index, e)| match e {
                EvidenceRef::File { sha256, name } => {
                    context! { index, kind => "file", name => name, href => evidence_href(sha256) }
                }
                EvidenceRef::Url { url } => {
                    context! { index, kind => "url", name => url, href => url }
                }
                EvidenceRef::Scan {
                    check,
                    verdict,
                    sha256,
                    ..
                } => context! {
                    index,
                    kind => "scan",
                    name => check,
                    verdict => verdict,
                    href => format!("/p/{}/scan/{sha256}/{}", percent(p), percent(check)),
                },
            })
            .collect();
        context! {
            status => ans.status.as_str(),
            reason => ans.reason,
            countermeasure => ans.countermeasure,
            method => ans.method.map(|m| m.as_str()),
            derived_method => ans.method.is_none().then(|| ans.verification()).flatten().map(|m| m.as_str()),
            assessor => ans.assessor,
            date => ans.date,
            review => review_state(Some(ans)),
            reviewer => ans.reviewer,
            scan => ans.origin == Origin::Scan,
            inherited => ans.origin == Origin::Inherited,
            upstream => ans.inherited,
            deferred_to => ans.deferred_to.map(|d| d.as_str()),
            evidence => evidence,
            findings => ans.findings,
            passing_scan_cited => cites_passing_scan(ans),
        }
    });
    let stored = answer.map(|ans| Draft {
        status: ans.status.as_str().into(),
        reason: ans.reason.clone(),
        countermeasure: ans.countermeasure.clone().unwrap_or_default(),
        method: ans
            .method
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
    });
    let form = match (&outcome.draft, outcome.conflict) {
        (Some(draft), false) => draft.clone(),
        _ => stored.unwrap_or_default(),
    };
    let project_evidence = if role >= Role::Contributor {
        s.store.read(|c| records::evidence_list(c, p))?
    } else {
        Vec::new()
    };
    let statuses: Vec<&str> = Status::ALL.iter().map(|st| st.as_str()).collect();
    let methods: Vec<&str> = Method::ALL.iter().map(|m| m.as_str()).collect();
    Ok(context! {
        o => overview(s, p, assessment, standard, lang)?,
        sheet_href => sheet_href,
        previous => previous,
        next => next,
        action => link(&id),
        item => context! {
            id => id,
            kind => item.kind.name(),
            title => item.title.get(l),
            summary => item.summary.get(l),
            fr => fr,
            sl => item.min_sl,
            disputed => item.disputed_levels,
            phases => phases,
            clause => item.clause,
            parent => parent,
            children => children,
            cross => cross,
        },
        answer => answer_view,
        version => loaded.versions.get(&id).copied().unwrap_or(0),
        form => form,
        statuses => statuses,
        methods => methods,
        project_evidence => project_evidence,
        can_assess => role >= Role::Assessor,
        can_contribute => role >= Role::Contributor,
        saved => outcome.saved,
        conflict => outcome.conflict,
        unsaved => outcome.draft.filter(|_| outcome.conflict),
        error => outcome.error,
    })
}

/// A scan verdict that says the requirement holds. An answer that says it does not
/// (not satisfied) while still citing one contradicts its own evidence: the page warns.
const PASSING_VERDICT: &str = "pass";

fn cites_passing_scan(answer: &Answer) -> bool {
    answer.status == Status::NotSatisfied
        && answer
            .evidence
            .iter()
            .any(|e| matches!(e, EvidenceRef::Scan { verdict, .. } if verdict == PASSING_VERDICT))
}

/// `/p/{p}/a/{a}/r/{r}`.
pub async fn requirement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((p, a, r)): Path<(String, String, String)>,
) -> Response {
    let (who, lang, user) = (ctx.who.clone(), ctx.lang, user_ctx(&ctx));
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, Need::Read)?;
            let view = detail(s, (&p, &a, &r), role, lang, Outcome::default())?;
            let body = render("requirement.html", lang, context! { ..view, ..user })?;
            Ok((StatusCode::OK, body))
        })
        .await;
    page(lang, false, result)
}

/// Applies one change to an answer and answers the new answer section (with the overview
/// out of band, so the achieved vector on the page follows). A refused change is shown in
/// the section: 409 when someone else was first, 422 when the rules refuse it.
async fn change(
    st: AppState,
    ctx: Ctx,
    (p, a, r): (String, String, String),
    need: Need,
    draft: Option<Draft>,
    input: impl FnOnce(&Shared, &str) -> Result<AnswerInput, AppError> + Send + 'static,
) -> Response {
    let (who, lang) = (ctx.who, ctx.lang);
    let result = st
        .db(move |s| {
            let role = access::require(s, &who, &p, need)?;
            let applied = input(s, &who.user.name)
                .and_then(|input| service::set_answer(s, &who.user.name, (&p, &a), &r, input));
            let (status, outcome) = match applied {
                Ok(_) => (
                    StatusCode::OK,
                    Outcome {
                        saved: true,
                        ..Outcome::default()
                    },
                ),
                Err(e @ AppError::Conflict { .. }) => (
                    e.status(),
                    Outcome {
                        conflict: true,
                        draft,
                        ..Outcome::default()
                    },
                ),
                Err(
                    e @ (AppError::BadRequest(_)
                    | AppError::TooLarge(_)
                    | AppError::AnswerRefused { .. }
                    | AppError::BadEvidenceUrl(_)),
                ) => (
                    e.status(),
                    Outcome {
                        error: Some(super::said(lang, &e)),
                        draft,
                        ..Outcome::default()
                    },
                ),
                Err(e) => return Err(e),
            };
            let view = detail(s, (&p, &a, &r), role, lang, outcome)?;
            Ok((
                status,
                render("answer.html", lang, context! { oob => true, ..view })?,
            ))
        })
        .await;
    page(lang, true, result)
}

#[derive(Deserialize)]
pub struct AnswerForm {
    version: i64,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    countermeasure: String,
    /// Empty: not stated (a report derives it from the evidence).
    #[serde(default)]
    method: String,
}

/// The answer form: status, reason, countermeasure, verification method (assessors).
pub async fn answer(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(ids): Path<(String, String, String)>,
    Form(f): Form<AnswerForm>,
) -> Response {
    let draft = Draft {
        status: f.status.clone(),
        reason: f.reason.clone(),
        countermeasure: f.countermeasure.clone(),
        method: f.method.clone(),
    };
    change(st, ctx, ids, Need::Assess, Some(draft), move |_, _| {
        Ok(AnswerInput {
            version: f.version,
            status: Some(f.status),
            reason: Some(f.reason),
            countermeasure: Some(f.countermeasure).filter(|c| !c.trim().is_empty()),
            method: match f.method.trim() {
                "" => None,
                m => Some(Method::parse(m).ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "method {m:?}: one of inspection, test, document-review, scan"
                    ))
                })?),
            },
            ..AnswerInput::default()
        })
    })
    .await
}

#[derive(Deserialize)]
pub struct VersionForm {
    version: i64,
}

/// Marks the answer reviewed by the caller (assessors other than the one who answered).
pub async fn review(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(ids): Path<(String, String, String)>,
    Form(f): Form<VersionForm>,
) -> Response {
    change(st, ctx, ids, Need::Assess, None, move |_, _| {
        Ok(AnswerInput {
            version: f.version,
            review: true,
            ..AnswerInput::default()
        })
    })
    .await
}

#[derive(Deserialize)]
pub struct FindingForm {
    version: i64,
    issue: String,
    #[serde(default)]
    impact: String,
    #[serde(default)]
    recommendation: String,
    #[serde(default)]
    due: String,
}

/// Adds a finding to the answer (assessors).
pub async fn finding(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(ids): Path<(String, String, String)>,
    Form(f): Form<FindingForm>,
) -> Response {
    change(st, ctx, ids, Need::Assess, None, move |_, _| {
        if f.issue.trim().is_empty() {
            return Err(AppError::BadRequest("finding: describe the issue".into()));
        }
        Ok(AnswerInput {
            version: f.version,
            finding: Some(Finding {
                issue: f.issue,
                impact: f.impact,
                recommendation: f.recommendation,
                due: Some(f.due).filter(|d| !d.trim().is_empty()),
            }),
            ..AnswerInput::default()
        })
    })
    .await
}

#[derive(Deserialize)]
pub struct DetachForm {
    version: i64,
    index: usize,
}

/// Removes one piece of evidence from the answer (assessors: it changes what the answer
/// rests on); the file stays in the project.
pub async fn evidence_detach(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(ids): Path<(String, String, String)>,
    Form(f): Form<DetachForm>,
) -> Response {
    change(st, ctx, ids, Need::Assess, None, move |_, _| {
        Ok(AnswerInput {
            version: f.version,
            detach: Some(f.index),
            ..AnswerInput::default()
        })
    })
    .await
}

/// Uploads an evidence file and/or attaches one already uploaded to the answer
/// (contributors).
pub async fn evidence_attach(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(ids): Path<(String, String, String)>,
    form: Multipart,
) -> Response {
    let upload = match Upload::read(&st, &ctx, &ids.0, Need::Contribute, form).await {
        Ok(u) => u,
        Err(e) => return super::error_response(ctx.lang, e, true),
    };
    let project = ids.0.clone();
    change(st, ctx, ids, Need::Contribute, None, move |s, actor| {
        let version = upload
            .field("version")
            .parse::<i64>()
            .map_err(|_| AppError::BadRequest("version: a number".into()))?;
        let mut evidence = Vec::new();
        if let Some((name, file)) = &upload.file {
            evidence.push(service::store_evidence(s, actor, &project, name, file)?.sha256);
        }
        let existing = upload.field("existing");
        if !existing.is_empty() {
            evidence.push(existing.to_string());
        }
        if evidence.is_empty() {
            return Err(AppError::BadRequest(
                "choose a file, or evidence already uploaded".into(),
            ));
        }
        Ok(AnswerInput {
            version,
            evidence,
            ..AnswerInput::default()
        })
    })
    .await
}
