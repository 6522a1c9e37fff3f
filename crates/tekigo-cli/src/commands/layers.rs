//! Layered conformity (issue 17): `assess export-package`, `verify-package`, `inherit`,
//! `obligations`. The package format and its checks are tekigo-sign's (`package`), the
//! merge rules tekigo-assess's (`inherit`); this module only reads, calls and prints.

use super::assess::ViewFormat;
use crate::context::Context;
use crate::i18n::{fill, status, tr};
use crate::output::{emit, json, table};
use anyhow::Result;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use tekigo_assess::inherit::{InheritSummary, Upstream};
use tekigo_assess::{Assessment, Project};
use tekigo_sign::package;

#[derive(clap::Subcommand)]
pub enum ComponentCommand {
    /// Record the SL-C vector a supplier states (certificate or conformity package) for a
    /// component of tekigo.yaml that no assessment of this project covers.
    Claim {
        name: String,
        /// One level for every FR, or seven in FR order.
        #[arg(long = "sl-c", value_parser = |s: &str| s.parse::<tekigo_catalog::SlVector>())]
        sl_c: tekigo_catalog::SlVector,
        #[arg(long, value_enum)]
        source: ClaimSourceArg,
        /// The releases the claim covers, e.g. "fw 2.x".
        #[arg(long)]
        scope: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ClaimSourceArg {
    Certificate,
    Package,
}

pub fn component(ctx: &Context, cmd: ComponentCommand) -> Result<ExitCode> {
    let ComponentCommand::Claim {
        name,
        sl_c,
        source,
        scope,
    } = cmd;
    let mut project = super::assess::project()?;
    for id in project.assessment_ids()? {
        let a = project.load_assessment(&ctx.catalog, &id)?;
        if a.subject.name == name && a.target_vector().is_some() {
            return Err(crate::i18n::UserError::new(
                "error.claim_assessed",
                &[("name", name.clone()), ("id", id)],
            )
            .into());
        }
    }
    let Some(c) = project
        .config
        .components
        .iter_mut()
        .find(|c| c.name == name)
    else {
        return Err(
            crate::i18n::UserError::new("error.claim_unknown", &[("name", name.clone())]).into(),
        );
    };
    c.claim = Some(tekigo_assess::project::SupplierClaim {
        sl_c,
        source: match source {
            ClaimSourceArg::Certificate => tekigo_assess::project::ClaimSource::Certificate,
            ClaimSourceArg::Package => tekigo_assess::project::ClaimSource::Package,
        },
        scope,
        recorded: tekigo_assess::today(),
    });
    project.save_config()?;
    eprintln!(
        "{}",
        fill(
            ctx.lang,
            "component.claimed",
            &[("name", &name), ("sl_c", &sl_c)]
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub fn export_package(
    ctx: &Context,
    project: &Project,
    id: &str,
    out: &Path,
    key: &Path,
    with_evidence: package::EvidenceScope,
) -> Result<ExitCode> {
    let a = super::assess::load_assessment(ctx, project, id)?;
    let e = package::export(
        &ctx.catalog,
        project,
        &a,
        key,
        with_evidence,
        out,
        &tekigo_assess::now_rfc3339(),
    )?;
    eprintln!(
        "{}",
        fill(
            ctx.lang,
            "package.exported",
            &[
                ("id", &id),
                ("path", &out.display()),
                ("evidence", &e.evidence),
                ("carried", &e.evidence_carried),
                ("certificates", &e.certificates.len()),
                ("sha", &e.sha256),
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}

fn trusted_key(path: &Path) -> Result<String> {
    Ok(tekigo_sign::read_public_key(path)?)
}

/// Exit 0 when the package verifies; a package that does not is an error (exit 2).
pub fn verify_package(
    ctx: &Context,
    file: &Path,
    trust: &Path,
    format: ViewFormat,
) -> Result<ExitCode> {
    let v = package::verify(&ctx.catalog, file, &trusted_key(trust)?)?;
    let p = &v.payload;
    match format {
        ViewFormat::Json => {
            let value = serde_json::json!({
                "file": file.display().to_string(),
                "sha256": v.sha256,
                "signer": v.signer,
                "public_key": v.public_key,
                "product": p.product,
                "assessment": v.assessment.id,
                "subject": v.assessment.subject.name,
                "catalog": p.catalog,
                "exported_at": p.exported_at,
                "levels": p.levels,
                "evidence": p.evidence.len(),
                "evidence_carried": p.evidence.iter().filter(|e| e.content.is_some()).count(),
                "certificates": p.certificates.iter().map(|c| &c.name).collect::<Vec<_>>(),
            });
            emit(&json(&value)?, None, false)?
        }
        ViewFormat::Table => println!(
            "{}",
            fill(
                ctx.lang,
                "package.verified",
                &[
                    ("path", &file.display()),
                    ("product", &p.product),
                    ("id", &v.assessment.id),
                    ("answers", &v.assessment.answers.len()),
                    ("signer", &v.signer),
                    (
                        "catalog",
                        &format!("{} {}", p.catalog.standard, p.catalog.edition)
                    ),
                ],
            )
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Verifies the package, merges it into `a`, and only then stores the package and its
/// carried evidence and saves: a refused package leaves nothing written.
pub fn inherit(
    ctx: &Context,
    project: &Project,
    mut a: Assessment,
    file: &Path,
    trust: &Path,
    format: ViewFormat,
) -> Result<ExitCode> {
    let v = package::verify(&ctx.catalog, file, &trusted_key(trust)?)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "package".into());
    let carried_files = v.carried_evidence();
    let carried: BTreeSet<String> = carried_files
        .iter()
        .map(|(e, _)| e.sha256.clone())
        .collect();
    let up = Upstream {
        assessment: &v.assessment,
        review: v.payload.review,
        source: format!("{}/{}", v.payload.product, v.assessment.id),
        package: name.clone(),
        package_sha256: v.sha256.clone(),
        signer: v.signer.clone(),
        carried: &carried,
    };
    let summary = tekigo_assess::inherit::inherit(&ctx.catalog, &mut a, &up)?;
    tekigo_assess::check(&ctx.catalog, &a)?;
    let store = project.evidence();
    store.add_bytes(&name, &v.bytes)?;
    for (e, bytes) in &carried_files {
        let label = e.names.first().cloned().unwrap_or_else(|| e.sha256.clone());
        store.add_bytes(&label, bytes)?;
    }
    project.save_assessment(&ctx.catalog, &a)?;
    match format {
        ViewFormat::Json => emit(&json(&summary)?, None, false)?,
        ViewFormat::Table => print_summary(ctx, &a.id, &v, &summary),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(ctx: &Context, id: &str, v: &package::Verified, s: &InheritSummary) {
    let l = ctx.lang;
    eprintln!(
        "{}",
        fill(
            l,
            "inherit.summary",
            &[
                ("id", &id),
                (
                    "source",
                    &format!("{}/{}", v.payload.product, v.assessment.id)
                ),
                ("signer", &v.signer),
                ("added", &s.added.len()),
                ("unchanged", &s.unchanged.len()),
                ("changed", &s.changed.len()),
                ("overridden", &s.overridden.len()),
                ("removed", &s.removed.len()),
            ],
        )
    );
    for (key, ids) in [
        ("inherit.changed", &s.changed),
        ("inherit.override_changed", &s.override_changed),
        ("inherit.removed", &s.removed),
        ("inherit.skipped", &s.skipped),
    ] {
        if !ids.is_empty() {
            eprintln!("  {}", fill(l, key, &[("ids", &ids.join(", "))]));
        }
    }
}

pub fn obligations(
    ctx: &Context,
    project: &Project,
    id: &str,
    format: ViewFormat,
) -> Result<ExitCode> {
    let a = super::assess::load_assessment(ctx, project, id)?;
    let standard = ctx
        .catalog
        .standard(&a.standard)
        .ok_or_else(|| crate::i18n::UserError::new("error.standard_not_in_catalog", &[]))?;
    let mut list = tekigo_assess::results::obligations(standard, &a);
    list.extend(
        uncarried(ctx, project, &a)?
            .iter()
            .map(|u| u.obligation(&ctx.catalog)),
    );
    let l = ctx.lang;
    match format {
        ViewFormat::Json => emit(&json(&list)?, None, false)?,
        ViewFormat::Table if list.is_empty() => println!("{}", tr(l, "obligations.none")),
        ViewFormat::Table => {
            let mut t = table(&[
                tr(l, "col.requirement"),
                tr(l, "col.title"),
                tr(l, "col.sl"),
                tr(l, "col.deferred_to"),
                tr(l, "col.reason"),
            ]);
            for o in &list {
                let title = ctx
                    .catalog
                    .find(&o.id)
                    .map(|(_, i)| i.title.get(l).to_string())
                    .unwrap_or_default();
                let id = match o.uncarried {
                    true => format!("{} ({})", o.id, tr(l, "obligations.uncarried")),
                    false => o.id.clone(),
                };
                t.add_row(vec![
                    id,
                    title,
                    o.min_sl.map(|s| s.to_string()).unwrap_or_default(),
                    role(l, o.deferred_to),
                    o.reason.clone(),
                ]);
            }
            println!("{t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// For a 3-3 assessment of a zone of the project's risk model: its components' deferrals
/// that none of its requirements carries (`tekigo_risk::prefill::uncarried_deferrals`).
fn uncarried(
    ctx: &Context,
    project: &Project,
    a: &Assessment,
) -> Result<Vec<tekigo_risk::prefill::UncarriedDeferral>> {
    let system = ctx
        .catalog
        .standard(&a.standard)
        .map(|s| s.info.id.as_str());
    if a.subject.kind != tekigo_assess::SubjectKind::System
        || system != Some(tekigo_risk::prefill::SYSTEM_STANDARD)
        || !project.root.join(tekigo_risk::MODEL_FILE).is_file()
    {
        return Ok(Vec::new());
    }
    let doc = tekigo_risk::Document::load(&project.root)?;
    if doc.model.zone(&a.subject.name).is_none() {
        return Ok(Vec::new());
    }
    let assessments = all_assessments(ctx, project)?;
    Ok(tekigo_risk::prefill::uncarried_deferrals(
        &ctx.catalog,
        &project.config,
        &assessments,
        &doc.model,
        &a.subject.name,
        a,
    )?)
}

/// Every assessment of the project, loaded (what a zone's components are judged from).
fn all_assessments(ctx: &Context, project: &Project) -> Result<Vec<Assessment>> {
    project
        .assessment_ids()?
        .iter()
        .map(|id| Ok(project.load_assessment(&ctx.catalog, id)?))
        .collect()
}

/// `tekigo assess prefill Z`: the suggestions of a zone's 3-3 assessment refreshed from its
/// components' current results (`tekigo_risk::prefill::refresh` states the rule).
pub fn refresh(ctx: &Context, project: &Project, id: &str, format: ViewFormat) -> Result<ExitCode> {
    let mut a = super::assess::load_assessment(ctx, project, id)?;
    let zone = a.subject.name.clone();
    system_target(ctx, project, &a.standard, &zone, true)?;
    let doc = tekigo_risk::Document::load(&project.root)?;
    let assessments = all_assessments(ctx, project)?;
    let s = tekigo_risk::prefill::refresh(
        &ctx.catalog,
        &project.config,
        &assessments,
        &doc.model,
        &zone,
        &mut a,
        project.config.language,
    )?;
    tekigo_assess::check(&ctx.catalog, &a)?;
    project.save_assessment(&ctx.catalog, &a)?;
    let l = ctx.lang;
    match format {
        ViewFormat::Json => emit(&json(&s)?, None, false)?,
        ViewFormat::Table => {
            println!(
                "{}",
                fill(
                    l,
                    "prefill.refreshed",
                    &[
                        ("id", &a.id),
                        ("zone", &zone),
                        ("added", &s.added.len()),
                        ("replaced", &s.replaced.len()),
                        ("back", &s.back_to_review.len()),
                        ("withdrawn", &s.withdrawn.len()),
                        ("unchanged", &s.unchanged),
                    ],
                )
            );
            for (key, ids) in [
                ("prefill.back_to_review", &s.back_to_review),
                ("prefill.withdrawn", &s.withdrawn),
            ] {
                if !ids.is_empty() {
                    println!("  {}", fill(l, key, &[("ids", &ids.join(", "))]));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A role in the user's language.
pub fn role(l: tekigo_catalog::Lang, r: tekigo_assess::Role) -> String {
    tr(l, &format!("role.{}", r.as_str())).to_string()
}

/// The answers of `assess show --format json`: id, status, origin, review, owner,
/// deferral and, for inherited answers and overrides, the provenance; for answers
/// suggested from a zone's components, what each component says.
pub fn answers_json(ctx: &Context, a: &Assessment) -> serde_json::Value {
    let order = |id: &str| {
        ctx.catalog
            .standard(&a.standard)
            .and_then(|s| s.items.iter().position(|i| i.id == id))
            .unwrap_or(usize::MAX)
    };
    let mut ids: Vec<&String> = a.answers.keys().collect();
    ids.sort_by_key(|id| order(id));
    ids.into_iter()
        .map(|id| {
            let ans = &a.answers[id];
            serde_json::json!({
                "id": id,
                "status": ans.status.as_str(),
                "status_label": status(ctx.lang, ans.status.as_str()),
                "origin": ans.origin.as_str(),
                "review": ans.review,
                "owner": ans.owner(a.subject.kind).as_str(),
                "deferred_to": ans.deferred_to.map(|r| r.as_str()),
                "upstream": ans.inherited,
                "components": ans.components,
            })
        })
        .collect()
}

/// The subject and SL-T of a 3-3 assessment of a zone (`zone`) or conduit of the risk
/// model: the id as the subject, the SL-T in force from the derivation.
pub fn system_target(
    ctx: &Context,
    project: &Project,
    standard: &str,
    id: &str,
    zone: bool,
) -> Result<(String, tekigo_catalog::SlVector)> {
    let system = ctx.catalog.standard(standard).map(|s| s.info.id.as_str());
    if system != Some(tekigo_risk::prefill::SYSTEM_STANDARD) {
        return Err(crate::i18n::UserError::new(
            "error.system_standard",
            &[("standard", standard.to_string())],
        )
        .into());
    }
    let doc = tekigo_risk::Document::load(&project.root)?;
    let d = tekigo_risk::derive(&doc.model);
    let (targets, key) = match zone {
        true => (&d.zones, "error.unknown_zone"),
        false => (&d.conduits, "error.unknown_conduit"),
    };
    match targets.iter().find(|t| t.id == id) {
        Some(t) => Ok((id.to_string(), tekigo_catalog::SlVector(t.sl_t))),
        None => Err(crate::i18n::UserError::new(
            key,
            &[
                ("id", id.to_string()),
                (
                    "known",
                    targets
                        .iter()
                        .map(|t| t.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        )
        .into()),
    }
}

/// Prefills a new 3-3 assessment of `zone` from its components (the rule is
/// `tekigo_risk::prefill`'s), checks and saves it, and says what it wrote.
pub fn prefill(ctx: &Context, project: &Project, a: &mut Assessment, zone: &str) -> Result<()> {
    let doc = tekigo_risk::Document::load(&project.root)?;
    let assessments = all_assessments(ctx, project)?;
    let s = tekigo_risk::prefill::prefill(
        &ctx.catalog,
        &project.config,
        &assessments,
        &doc.model,
        zone,
        a,
        project.config.language,
    )?;
    tekigo_assess::check(&ctx.catalog, a)?;
    project.save_assessment(&ctx.catalog, a)?;
    let l = ctx.lang;
    eprintln!(
        "{}",
        fill(
            l,
            "prefill.summary",
            &[
                ("id", &a.id),
                ("zone", &zone),
                ("satisfied", &s.satisfied.len()),
                ("partial", &s.partial.len()),
                ("not_satisfied", &s.not_satisfied.len()),
                ("picked_up", &s.picked_up.len()),
                ("unknown", &s.unknown.len()),
                ("own", &s.not_concerned.len()),
            ],
        )
    );
    let uncarried: Vec<String> = uncarried(ctx, project, a)?
        .iter()
        .map(|u| format!("{} {}", u.assessment, u.requirement))
        .collect();
    for (key, ids) in [
        ("prefill.picked_up", &s.picked_up),
        ("prefill.unknown", &s.unknown),
        ("prefill.uncarried", &uncarried),
    ] {
        if !ids.is_empty() {
            eprintln!("  {}", fill(l, key, &[("ids", &ids.join(", "))]));
        }
    }
    Ok(())
}
