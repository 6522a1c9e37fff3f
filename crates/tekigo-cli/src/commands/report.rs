//! `tekigo report`: an assessment rendered for the people who read it.

use crate::commands::assess::project;
use crate::context::Context;
use crate::output::{emit, json};
use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tekigo_assess::sheet;
use tekigo_report::ReportInput;

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
    let project = project()?;
    let a = crate::commands::assess::load_assessment(ctx, &project, &args.id)?;
    let standard = ctx
        .catalog
        .standard(&a.standard)
        .context("the assessment's standard is not in the catalog")?;
    let generated = tekigo_assess::now_rfc3339();
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
    };
    let (bytes, binary) = match args.format {
        ReportFormat::Html => (tekigo_report::html(&input)?.into_bytes(), false),
        ReportFormat::Pdf => (tekigo_report::pdf(&input, args.font_dir.as_deref())?, true),
        ReportFormat::Xlsx => (sheet::export(standard, &a)?, true),
        ReportFormat::Oscal => (json(&tekigo_report::oscal(&input)?)?, false),
    };
    emit(&bytes, args.output.as_deref(), binary)?;
    if let (Some(key), Some(out)) = (&args.sign_key, &args.output) {
        let sig = tekigo_sign::sign(&project, &a, out, key, &tekigo_assess::now_rfc3339())?;
        eprintln!("signed: {}", sig.display());
    }
    Ok(ExitCode::SUCCESS)
}
