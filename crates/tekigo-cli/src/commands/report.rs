//! `tekigo report`: an assessment rendered for the people who read it.

use crate::commands::assess::project;
use crate::context::Context;
use crate::output::{emit, json};
use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tekigo_assess::sheet;
use tekigo_assess::{Assessment, Project};
use tekigo_report::{ReportInput, ReportOptions};

#[derive(Args)]
pub struct ReportArgs {
    /// The assessment id.
    pub id: String,
    #[arg(long, value_enum)]
    pub format: ReportFormat,
    /// Write here instead of standard output (required for binary formats on a terminal).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Sign the report and every evidence file it cites with this key (from `tekigo
    /// keygen`); writes OUTPUT.sig.json. Needs -o.
    #[arg(long, requires = "output")]
    pub sign_key: Option<PathBuf>,
    /// Fonts for the PDF, tried before the system's and the Noto Sans CJK JP subset tekigo
    /// carries (which is enough for Japanese and English on a machine with no fonts).
    #[arg(long, value_name = "DIR")]
    pub font_dir: Option<PathBuf>,
    /// Document id on the cover and in document control (overrides report.document_id in
    /// tekigo.yaml).
    #[arg(long)]
    pub document_id: Option<String>,
    /// Revision of the document (overrides report.revision).
    #[arg(long)]
    pub revision: Option<String>,
    /// Classification, e.g. Confidential (overrides report.classification).
    #[arg(long)]
    pub classification: Option<String>,
    /// Group the requirements by lifecycle phase (企画 設計 開発 ...) instead of by FR or
    /// practice.
    #[arg(long)]
    pub by_phase: bool,
    /// Add a section seeing the assessment (with the 4-1 assessments it rests on) through
    /// a regime: eu-cra, jc-star-1, etsi-en-303-645, ... (`tekigo regime list`). HTML and
    /// PDF.
    #[arg(long, value_name = "ID")]
    pub regime: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained file: styles and charts inline, loads nothing from the network.
    Html,
    /// Typeset with typst, fonts included (no font needs to be installed).
    Pdf,
    /// The check sheet in the shape of seed 004, editable and importable again.
    Xlsx,
    /// OSCAL 1.1 assessment results (JSON).
    Oscal,
}

pub fn run(ctx: &Context, args: ReportArgs) -> Result<ExitCode> {
    if args.regime.is_some() && matches!(args.format, ReportFormat::Xlsx | ReportFormat::Oscal) {
        anyhow::bail!(crate::i18n::UserError::new("error.regime_format", &[]));
    }
    let project = project()?;
    let a = crate::commands::assess::load_assessment(ctx, &project, &args.id)?;
    let standard = ctx
        .catalog
        .standard(&a.standard)
        .ok_or_else(|| crate::i18n::UserError::new("error.standard_not_in_catalog", &[]))?;
    let generated = tekigo_assess::now_rfc3339();
    let process = process_assessments(ctx, &project, &a)?;
    let input = ReportInput {
        project: &project,
        catalog: &ctx.catalog,
        assessment: &a,
        lang: if ctx.lang_given {
            ctx.lang
        } else {
            project.config.language
        },
        generated: &generated,
        options: ReportOptions {
            document_id: args.document_id.as_deref(),
            revision: args.revision.as_deref(),
            classification: args.classification.as_deref(),
            by_phase: args.by_phase,
            process: &process,
            regime: args.regime.as_deref(),
        },
    };
    let (bytes, binary) = match args.format {
        ReportFormat::Html => (tekigo_report::html(&input)?.into_bytes(), false),
        ReportFormat::Pdf => (tekigo_report::pdf(&input, args.font_dir.as_deref())?, true),
        ReportFormat::Xlsx => (sheet::export(standard, &a, project.config.review)?, true),
        ReportFormat::Oscal => (json(&tekigo_report::oscal(&input)?)?, false),
    };
    emit(&bytes, args.output.as_deref(), binary)?;
    if let (Some(key), Some(out)) = (&args.sign_key, &args.output) {
        let sig = tekigo_sign::sign(&project, &a, out, key, &tekigo_assess::now_rfc3339())?;
        eprintln!(
            "{}",
            crate::i18n::fill(ctx.lang, "report.signed", &[("path", &sig.display())])
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The 62443-4-1 assessments a 4-2 report rests on: the one tekigo.yaml names
/// (`report.process_assessment`, an error if it is missing or not a 4-1 assessment), else
/// every 4-1 assessment of the project. Other standards rest on none.
fn process_assessments(
    ctx: &Context,
    project: &Project,
    a: &Assessment,
) -> Result<Vec<Assessment>> {
    use tekigo_assess::project::{ProcessBasis, PROCESS_STANDARD};
    let config_file = || {
        project
            .root
            .join(tekigo_assess::project::CONFIG_FILE)
            .display()
            .to_string()
    };
    match ProcessBasis::of(&project.config.report, a) {
        ProcessBasis::None => Ok(Vec::new()),
        ProcessBasis::Named(id) => {
            let p = project.load_assessment(&ctx.catalog, id).with_context(|| {
                format!("{}: report.process_assessment names {id:?}", config_file())
            })?;
            ProcessBasis::check(id, &p).map_err(|m| anyhow::anyhow!("{}: {m}", config_file()))?;
            Ok(vec![p])
        }
        ProcessBasis::Every => {
            let mut out = Vec::new();
            for id in project.assessment_ids()? {
                // Only the standard is read first, so that a broken assessment of another
                // standard does not stop this report; a broken 4-1 assessment does (its
                // error says why).
                let text =
                    std::fs::read_to_string(project.assessment_path(&id)?).unwrap_or_default();
                let standard = serde_norway::from_str::<serde_norway::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("standard")?.as_str().map(str::to_string));
                if standard.as_deref() == Some(PROCESS_STANDARD) {
                    out.push(project.load_assessment(&ctx.catalog, &id)?);
                }
            }
            Ok(out)
        }
    }
}
