//! `tekigo release freeze|list|verify|diff`: release baselines (tekigo-release).

use crate::commands::assess::project;
use crate::context::Context;
use crate::i18n::{fill, tr, UserError};
use crate::output::{emit, json, table};
use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tekigo_release::diff::{Diff, Verdict};

#[derive(Subcommand)]
pub enum ReleaseCommand {
    /// Record the state of a release under releases/VERSION/ (immutable; signed with a key).
    Freeze(FreezeArgs),
    /// The frozen releases of the project.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Recompute a frozen release's hashes and check its signature.
    Verify {
        version: String,
        /// Require this signer: a public key file written by `tekigo keygen`.
        #[arg(long, value_name = "PUB")]
        key: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// What changed between two releases, classified for the certificate.
    Diff {
        from: String,
        to: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Args)]
pub struct FreezeArgs {
    pub version: String,
    /// An SBOM of the release (CycloneDX or SPDX), copied into the release; repeatable.
    #[arg(long, value_name = "FILE")]
    pub sbom: Vec<PathBuf>,
    /// The release's last scan report (`tekigo scan --format json`), copied into the release.
    #[arg(long, value_name = "FILE")]
    pub scan: Option<PathBuf>,
    /// The end of this release's support period (YYYY-MM-DD); otherwise tekigo.yaml's
    /// product.support_until applies.
    #[arg(long, value_name = "DATE")]
    pub support_until: Option<String>,
    /// Sign the release with this secret key (from `tekigo keygen`).
    #[arg(long, value_name = "KEY")]
    pub sign_key: Option<PathBuf>,
    #[command(flatten)]
    pub db: crate::commands::vuln::DbArg,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn run(ctx: &Context, global: &crate::cli::Global, cmd: ReleaseCommand) -> Result<ExitCode> {
    let project = project()?;
    let root = &project.root;
    let l = ctx.lang;
    match cmd {
        ReleaseCommand::Freeze(args) => {
            if tekigo_release::exists(root, &args.version)? {
                return Err(UserError::new("release.exists", &[("version", args.version)]).into());
            }
            let db = match &args.db.path {
                Some(_) => Some(crate::commands::vuln::open_db(global, &args.db)?),
                None => None,
            };
            let opts = tekigo_release::FreezeOptions {
                sboms: &args.sbom,
                scan: args.scan.as_deref(),
                support_until: args.support_until,
                sign_key: args.sign_key.as_deref(),
                db: db.as_ref(),
                frozen_at: tekigo_assess::now_rfc3339(),
            };
            let r = tekigo_release::freeze(&project, &ctx.catalog, &args.version, &opts)?;
            println!(
                "{}",
                fill(
                    l,
                    "release.frozen",
                    &[
                        ("version", &r.version),
                        ("assessments", &r.assessments.len()),
                        ("sboms", &r.sboms.len()),
                        ("hash", &r.content_sha256),
                        (
                            "signed",
                            &tr(
                                l,
                                if r.signature.is_some() {
                                    "release.signed"
                                } else {
                                    "release.unsigned"
                                }
                            )
                        ),
                    ]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        ReleaseCommand::List { format } => {
            let list = tekigo_release::list(root)?;
            match format {
                Format::Json => {
                    let rows: Vec<serde_json::Value> = list
                        .iter()
                        .map(|r| {
                            serde_json::json!({
                                "version": r.version,
                                "frozen_at": r.frozen_at,
                                "support_until": r.support_until,
                                "sboms": r.sboms,
                                "scan": r.scan,
                                "signed": r.signature.is_some(),
                                "content_sha256": r.content_sha256,
                            })
                        })
                        .collect();
                    emit(&json(&rows)?, None, false)?;
                }
                Format::Table if list.is_empty() => println!("{}", tr(l, "release.none")),
                Format::Table => {
                    let mut t = table(&[
                        tr(l, "col.release"),
                        tr(l, "col.frozen_at"),
                        tr(l, "col.support_until"),
                        tr(l, "col.sboms"),
                        tr(l, "col.signed"),
                    ]);
                    for r in &list {
                        t.add_row(vec![
                            r.version.clone(),
                            r.frozen_at.clone(),
                            r.support_until.clone().unwrap_or_else(|| "-".into()),
                            r.sboms.join(", "),
                            tr(
                                l,
                                if r.signature.is_some() {
                                    "release.signed"
                                } else {
                                    "release.unsigned"
                                },
                            )
                            .to_string(),
                        ]);
                    }
                    println!("{t}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ReleaseCommand::Verify {
            version,
            key,
            format,
        } => {
            let expected = key
                .as_deref()
                .map(tekigo_sign::read_public_key)
                .transpose()?;
            let v = tekigo_release::verify(root, &version, expected.as_deref())?;
            match format {
                Format::Json => emit(&json(&v)?, None, false)?,
                Format::Table => {
                    for f in &v.failures {
                        println!("{}", fill(l, "sign.fail", &[("what", f)]));
                    }
                    if v.ok() {
                        let key = if v.key_pinned {
                            "release.verified_pinned"
                        } else {
                            "release.verified"
                        };
                        println!(
                            "{}",
                            fill(
                                l,
                                key,
                                &[
                                    ("version", &v.version),
                                    ("n", &v.files_checked),
                                    ("hash", &v.content_sha256)
                                ]
                            )
                        );
                    }
                }
            }
            Ok(if v.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        ReleaseCommand::Diff { from, to, format } => {
            let old = tekigo_release::load(root, &from)?;
            let new = tekigo_release::load(root, &to)?;
            let d = tekigo_release::diff::diff(root, &old, &new, l)?;
            match format {
                Format::Json => emit(&json(&d)?, None, false)?,
                Format::Table => print!("{}", text(&d, ctx)),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verdict_text(l: tekigo_catalog::Lang, v: Verdict) -> &'static str {
    tr(l, &format!("release.verdict.{}", v.as_str()))
}

/// The diff as a person reads it: each part that changed, then the verdict and every rule
/// that decided it, then the rule table.
fn text(d: &Diff, ctx: &Context) -> String {
    let l = ctx.lang;
    let mut out = format!(
        "{}\n",
        fill(l, "release.diff_head", &[("from", &d.from), ("to", &d.to)])
    );
    let status = |s: Option<&tekigo_release::diff::AnswerSide>| {
        s.map(|s| crate::i18n::status(l, s.status.as_str()))
            .unwrap_or_else(|| "-".into())
    };
    if !d.answers.is_empty() {
        let mut t = table(&[
            tr(l, "col.assessment"),
            tr(l, "col.requirement"),
            tr(l, "col.before"),
            tr(l, "col.after"),
            tr(l, "col.changed"),
        ]);
        for a in &d.answers {
            t.add_row(vec![
                a.assessment.clone(),
                a.requirement.clone(),
                status(a.before.as_ref()),
                status(a.after.as_ref()),
                a.changed.join(", "),
            ]);
        }
        out.push_str(&format!("{}\n{t}\n", tr(l, "release.answers")));
    }
    let vector = |v: Option<[u8; 7]>| {
        v.map(|v| format!("{{{}}}", v.map(|x| x.to_string()).join(" ")))
            .unwrap_or_else(|| "-".into())
    };
    for c in &d.levels {
        out.push_str(&format!(
            "{}\n",
            fill(
                l,
                "release.levels",
                &[
                    ("assessment", &c.assessment),
                    (
                        "before",
                        &vector(c.before.as_ref().and_then(|x| x.achieved))
                    ),
                    ("after", &vector(c.after.as_ref().and_then(|x| x.achieved))),
                ]
            )
        ));
    }
    let line = |key: &str, items: Vec<String>| {
        if items.is_empty() {
            String::new()
        } else {
            format!(
                "{} ({})\n  {}\n",
                tr(l, key),
                items.len(),
                items.join("\n  ")
            )
        }
    };
    out.push_str(&line("release.evidence_added", d.evidence.added.clone()));
    out.push_str(&line(
        "release.evidence_removed",
        d.evidence.removed.clone(),
    ));
    let cv = |v: &[tekigo_release::diff::ComponentVersion]| {
        v.iter()
            .map(|c| format!("{}@{}", c.component, c.version))
            .collect()
    };
    out.push_str(&line("release.components_added", cv(&d.sbom.added)));
    out.push_str(&line("release.components_removed", cv(&d.sbom.removed)));
    out.push_str(&line(
        "release.components_upgraded",
        d.sbom
            .upgraded
            .iter()
            .map(|u| format!("{} {} -> {} ({})", u.component, u.from, u.to, u.direction))
            .collect(),
    ));
    let checks = |v: &[tekigo_release::diff::CheckChange]| {
        v.iter()
            .map(|c| {
                format!(
                    "{} {} -> {} [{}]",
                    c.check,
                    c.before.as_deref().unwrap_or("-"),
                    c.after.as_deref().unwrap_or("-"),
                    c.requirements.join(", ")
                )
            })
            .collect()
    };
    out.push_str(&line("release.scan_new", checks(&d.scan.new_failures)));
    out.push_str(&line("release.scan_fixed", checks(&d.scan.fixed_failures)));
    let vulns = |v: &[tekigo_release::FrozenVulnerability]| {
        v.iter()
            .map(|v| format!("{} {}", v.vulnerability, v.component))
            .collect()
    };
    out.push_str(&line("release.vulns_new", vulns(&d.vulnerabilities.new)));
    out.push_str(&line(
        "release.vulns_fixed",
        vulns(&d.vulnerabilities.fixed),
    ));
    out.push_str(&line(
        "release.vulns_retriaged",
        d.vulnerabilities
            .retriaged
            .iter()
            .map(|r| {
                format!(
                    "{} {}: {} -> {}",
                    r.vulnerability,
                    r.component,
                    r.before.as_deref().unwrap_or("-"),
                    r.after.as_deref().unwrap_or("-")
                )
            })
            .collect(),
    ));
    let c = &d.classification;
    out.push_str(&format!(
        "\n{}\n",
        fill(
            l,
            "release.verdict",
            &[("verdict", &verdict_text(l, c.verdict))]
        )
    ));
    for f in &c.decided_by {
        out.push_str(&format!(
            "  {} ({}): {}\n",
            f.rule,
            verdict_text(l, f.verdict),
            f.statement
        ));
        if !f.requirements.is_empty() {
            out.push_str(&format!(
                "    {}: {}\n",
                tr(l, "col.requirement"),
                f.requirements.join(", ")
            ));
        }
        for s in &f.subjects {
            out.push_str(&format!("    {s}\n"));
        }
    }
    out.push_str(&format!("\n{}\n", tr(l, "release.rules")));
    for r in &c.rules {
        out.push_str(&format!(
            "  {}  {}  {}\n",
            r.rule,
            verdict_text(l, r.verdict),
            r.statement
        ));
    }
    out
}
