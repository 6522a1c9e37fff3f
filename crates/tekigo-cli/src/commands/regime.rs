//! `tekigo regime list`, `tekigo regime doc` and `tekigo assess show A --regime ID`: the
//! regimes beside 62443 (EU CRA, EN 303 645, JC-STAR, UK PSTI, SSDF, ...), the documents
//! they ask for, and an assessment seen through one. The rules are `tekigo_assess::regime`'s
//! and `tekigo_dossier`'s; this module loads, calls them and prints.

use super::assess::{load_assessment, ViewFormat};
use crate::context::Context;
use crate::i18n::{fill, tr};
use crate::output::{emit, json, table};
use anyhow::{anyhow, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use tekigo_assess::regime::{self, RegimeInfo, RegimeStatus};
use tekigo_assess::{EvidenceRef, Project};
use tekigo_dossier::Kind;

#[derive(Subcommand)]
pub enum RegimeCommand {
    /// Every regime: id, edition, date, number of requirements, source and licence.
    List {
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// A document a regime asks for, drafted from the project with every gap listed:
    /// cra-technical-documentation (Annex VII), cra-declaration-of-conformity (Annex V),
    /// jc-star-1-checklist (★1 self-assessment).
    Doc {
        #[arg(value_parser = doc_kind)]
        kind: Kind,
        /// md, html, pdf or json (the document's model); by default from the extension
        /// of -o, else md.
        #[arg(long, value_enum)]
        format: Option<DocFormat>,
        /// Write here instead of standard output (a PDF needs it on a terminal).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Fonts for the PDF, tried before the system's and the subset tekigo carries.
        #[arg(long, value_name = "DIR")]
        font_dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    Md,
    Html,
    Pdf,
    Json,
}

fn doc_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
        format!("unknown document {s:?}: use one of {}", known.join(", "))
    })
}

pub fn run(ctx: &Context, cmd: RegimeCommand) -> Result<ExitCode> {
    let format = match cmd {
        RegimeCommand::List { format } => format,
        RegimeCommand::Doc {
            kind,
            format,
            output,
            font_dir,
        } => return doc(ctx, kind, format, output, font_dir),
    };
    let all: Vec<RegimeInfo> = ctx
        .catalog
        .standards
        .iter()
        .filter(|s| s.info.regime)
        .map(|s| RegimeInfo::new(s, ctx.lang))
        .collect();
    match format {
        ViewFormat::Json => emit(&json(&all)?, None, false)?,
        ViewFormat::Table => {
            let l = ctx.lang;
            let mut t = table(&[
                tr(l, "regime.col.regime"),
                tr(l, "col.title"),
                tr(l, "regime.col.edition"),
                tr(l, "regime.col.published"),
                tr(l, "regime.col.requirements"),
                tr(l, "regime.col.source"),
            ]);
            for r in &all {
                t.add_row(vec![
                    r.id.clone(),
                    r.title.clone(),
                    r.edition.clone(),
                    r.published.clone().unwrap_or_default(),
                    r.requirements.to_string(),
                    r.source.clone().unwrap_or_default(),
                ]);
            }
            println!("{t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Drafts document `kind` from the project of the current directory, in the user's language
/// (else the project's), and says on standard error how many gaps it lists.
fn doc(
    ctx: &Context,
    kind: Kind,
    format: Option<DocFormat>,
    output: Option<PathBuf>,
    font_dir: Option<PathBuf>,
) -> Result<ExitCode> {
    let project = super::assess::project()?;
    let lang = if ctx.lang_given {
        ctx.lang
    } else {
        project.config.language
    };
    let by_extension = || {
        let ext = output.as_ref()?.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "html" | "htm" => Some(DocFormat::Html),
            "pdf" => Some(DocFormat::Pdf),
            "json" => Some(DocFormat::Json),
            _ => None,
        }
    };
    let format = format.or_else(by_extension).unwrap_or(DocFormat::Md);
    let d = tekigo_dossier::build(kind, &project, &ctx.catalog, lang, &tekigo_assess::today())?;
    let (bytes, binary) = match format {
        DocFormat::Md => (tekigo_dossier::markdown(&d).into_bytes(), false),
        DocFormat::Html => (tekigo_dossier::html(&d)?.into_bytes(), false),
        DocFormat::Pdf => (tekigo_dossier::pdf(&d, font_dir.as_deref())?, true),
        DocFormat::Json => (json(&d)?, false),
    };
    emit(&bytes, output.as_deref(), binary)?;
    eprintln!(
        "{}",
        fill(
            lang,
            "regime.doc_written",
            &[("title", &d.title), ("gaps", &d.gaps.len())]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints the view of assessment `id` (and `with`, other assessments of the same product)
/// through `regime`.
pub fn show(
    ctx: &Context,
    project: &Project,
    id: &str,
    with: &[String],
    regime_id: &str,
    format: ViewFormat,
) -> Result<ExitCode> {
    let standard = ctx
        .catalog
        .standard(regime_id)
        .filter(|s| !s.info.id.starts_with("62443-"))
        .ok_or_else(|| {
            let known: Vec<&str> = ctx
                .catalog
                .standards
                .iter()
                .filter(|s| s.info.regime)
                .map(|s| s.info.id.as_str())
                .collect();
            anyhow!(fill(
                ctx.lang,
                "regime.unknown",
                &[("id", &regime_id), ("known", &known.join(", "))]
            ))
        })?;
    let mut assessments = vec![load_assessment(ctx, project, id)?];
    for other in with {
        assessments.push(load_assessment(ctx, project, other)?);
    }
    let refs: Vec<&tekigo_assess::Assessment> = assessments.iter().collect();
    let view = regime::view(&ctx.catalog, standard, &refs, ctx.lang);
    match format {
        ViewFormat::Json => emit(&json(&view)?, None, false)?,
        ViewFormat::Table => print!("{}", render(ctx, &view)),
    }
    Ok(ExitCode::SUCCESS)
}

fn render(ctx: &Context, v: &regime::RegimeView) -> String {
    let l = ctx.lang;
    let mut out = format!(
        "{} ({}{}) · {}\n",
        v.regime.title,
        v.regime.edition,
        v.regime
            .published
            .as_deref()
            .map(|p| format!(", {p}"))
            .unwrap_or_default(),
        v.assessments.join(" + ")
    );
    let mut t = table(&[
        tr(l, "col.requirement"),
        tr(l, "col.title"),
        tr(l, "col.status"),
        tr(l, "regime.col.coverage"),
        tr(l, "regime.col.via"),
        tr(l, "regime.col.evidence"),
    ]);
    for r in &v.requirements {
        let via = r
            .basis
            .iter()
            .map(|b| {
                let status = match b.status {
                    Some(s) => crate::i18n::status(l, s.as_str()),
                    None => tr(l, "status.unanswered").to_string(),
                };
                match b.draft {
                    true => format!("{} {status} ({})", b.id, tr(l, "regime.draft")),
                    false => format!("{} {status}", b.id),
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let evidence = evidence_summary(l, r.basis.iter().flat_map(|b| b.evidence.iter()));
        let mut status = tr(l, &format!("regime.status.{}", r.status.as_str())).to_string();
        if r.direct {
            status.push_str(&format!(" ({})", tr(l, "regime.direct")));
        }
        t.add_row(vec![
            r.id.clone(),
            r.title.clone(),
            status,
            tr(l, &format!("regime.coverage.{}", r.coverage.as_str())).to_string(),
            via,
            evidence,
        ]);
    }
    out.push_str(&format!("{t}\n"));
    let s = &v.summary;
    out.push_str(&fill(
        l,
        "regime.summary",
        &[
            ("n", &s.requirements),
            ("met", &s.met),
            ("partial", &s.partial),
            ("not_met", &s.not_met),
            ("not_assessed", &s.not_assessed),
            ("no_mapping", &s.no_mapping),
            ("not_covered", &s.not_covered),
        ],
    ));
    out.push('\n');
    let open: Vec<&str> = v
        .requirements
        .iter()
        .filter(|r| r.status == RegimeStatus::NotAssessed && !r.direct)
        .filter(|r| r.basis.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    if !open.is_empty() {
        out.push_str(&fill(
            l,
            "regime.assess_directly",
            &[("ids", &open.join(", "))],
        ));
        out.push('\n');
    }
    out
}

/// Files and links by name, scan results counted: the table stays readable; `--format
/// json` lists every piece.
fn evidence_summary<'a>(
    l: tekigo_catalog::Lang,
    all: impl Iterator<Item = &'a EvidenceRef>,
) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut scans = 0;
    for e in all {
        let line = match e {
            EvidenceRef::File { name, .. } => name.clone(),
            EvidenceRef::Url { url } => url.clone(),
            EvidenceRef::Scan { .. } => {
                scans += 1;
                continue;
            }
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    if scans > 0 {
        lines.push(fill(l, "regime.scan_results", &[("n", &scans)]));
    }
    lines.join("\n")
}
