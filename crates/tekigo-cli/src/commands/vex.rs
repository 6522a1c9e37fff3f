//! `tekigo vex ...`: the project's vulnerability triage (`vex/triage.yaml`) from the command
//! line: record a decision, list them, export OpenVEX or CSAF VEX, import VEX documents.

use crate::i18n::fill;
use crate::output;
use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tekigo_assess::Project;
use tekigo_vex::{
    ComponentRef, DocumentMeta, Justification, OffsetDateTime, Record, State, Triage,
};

#[derive(Subcommand)]
pub enum VexCommand {
    /// Record the decision about one vulnerability in one component (replaces an earlier
    /// decision for the same vulnerability and component).
    Set(SetArgs),
    /// The triage records of the project.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Write the triage as an OpenVEX 0.2 or CSAF 2.0 VEX document.
    Export(ExportArgs),
    /// Take the statements of a VEX document (OpenVEX, CSAF VEX, CycloneDX VEX) into the
    /// project's triage; a statement for a vulnerability and component already triaged
    /// replaces that record.
    Import { file: PathBuf },
}

#[derive(Args)]
pub struct SetArgs {
    /// The component: its PURL (`pkg:deb/debian/openssl@3.0.11-1`) or NAME[@VERSION].
    pub component: String,
    /// The vulnerability id (CVE, GHSA, DSA, ...).
    pub vulnerability: String,
    #[arg(long, value_enum)]
    pub status: StatusArg,
    /// Required for not_affected: why the product is not affected.
    #[arg(long, value_enum)]
    pub justification: Option<JustificationArg>,
    /// Required for affected: what users should do (upgrade, configuration, workaround).
    #[arg(long)]
    pub action: Option<String>,
    /// A note for reviewers.
    #[arg(long)]
    pub note: Option<String>,
    /// Other ids of the same vulnerability (repeatable).
    #[arg(long = "alias")]
    pub aliases: Vec<String>,
    /// The decision holds for every version of the component (it is about how the product
    /// uses it), so it survives upgrades.
    #[arg(long)]
    pub any_version: bool,
    /// Who decided (default: $TEKIGO_USER, else $USER).
    #[arg(long)]
    pub author: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum StatusArg {
    Affected,
    NotAffected,
    Fixed,
    UnderInvestigation,
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum JustificationArg {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Openvex,
    Csaf,
}

#[derive(Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The publishing author or organisation (default: the product vendor in tekigo.yaml,
    /// else $TEKIGO_USER or $USER).
    #[arg(long)]
    pub author: Option<String>,
    /// The publisher's web address, CSAF `document.publisher.namespace` (required for csaf).
    #[arg(long, env = "TEKIGO_PUBLISHER_NAMESPACE", value_name = "URL")]
    pub publisher_namespace: Option<String>,
    /// Document revision, counting up from 1 with each published revision.
    #[arg(long, default_value_t = 1)]
    pub doc_version: u32,
}

fn state_of(s: StatusArg) -> State {
    match s {
        StatusArg::Affected => State::Affected,
        StatusArg::NotAffected => State::NotAffected,
        StatusArg::Fixed => State::Fixed,
        StatusArg::UnderInvestigation => State::UnderInvestigation,
    }
}

fn justification_of(j: JustificationArg) -> Justification {
    match j {
        JustificationArg::ComponentNotPresent => Justification::ComponentNotPresent,
        JustificationArg::VulnerableCodeNotPresent => Justification::VulnerableCodeNotPresent,
        JustificationArg::VulnerableCodeNotInExecutePath => {
            Justification::VulnerableCodeNotInExecutePath
        }
        JustificationArg::VulnerableCodeCannotBeControlledByAdversary => {
            Justification::VulnerableCodeCannotBeControlledByAdversary
        }
        JustificationArg::InlineMitigationsAlreadyExist => {
            Justification::InlineMitigationsAlreadyExist
        }
    }
}

/// A component named on the command line: a PURL, or NAME[@VERSION].
fn component_of(text: &str) -> Result<ComponentRef> {
    if text.trim().starts_with("pkg:") {
        tekigo_sbom::Purl::parse(text.trim()).with_context(|| format!("COMPONENT {text:?}"))?;
    }
    match ComponentRef::from_label(text) {
        Some(c) => Ok(c),
        None => bail!("COMPONENT is empty: give a PURL or NAME[@VERSION]"),
    }
}

fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

pub fn run(cmd: VexCommand, lang: Option<tekigo_catalog::Lang>) -> Result<ExitCode> {
    let project = crate::commands::assess::project()?;
    let mut triage = Triage::load(&project.root)?;
    let lang = crate::context::lang(lang);
    match cmd {
        VexCommand::Set(args) => set(&mut triage, args, lang),
        VexCommand::List { format } => list(&triage, format, lang),
        VexCommand::Export(args) => export(&project, &triage, args, lang),
        VexCommand::Import { file } => import(&mut triage, &file, lang),
    }
}

fn set(triage: &mut Triage, args: SetArgs, lang: tekigo_catalog::Lang) -> Result<ExitCode> {
    let state = state_of(args.status);
    if state == State::Affected && args.action.as_deref().is_none_or(|a| a.trim().is_empty()) {
        bail!(
            "--status affected needs --action TEXT: what users should do (upgrade to a fixed \
             version, change the configuration, a workaround)"
        );
    }
    if state == State::NotAffected && args.justification.is_none() {
        bail!(
            "--status not_affected needs --justification: one of {}",
            Justification::ALL.map(|j| j.as_str()).join(", ")
        );
    }
    let author = match crate::context::user(args.author, lang) {
        Some(a) => a,
        None => bail!(crate::i18n::UserError::new("error.no_author", &[])),
    };
    let record = Record {
        vulnerability: args.vulnerability.trim().to_string(),
        aliases: args.aliases,
        component: component_of(&args.component)?,
        any_version: args.any_version,
        state,
        justification: args.justification.map(justification_of),
        impact: None,
        action: args.action,
        note: args.note,
        author,
        timestamp: now(),
    };
    let label = record.component.label();
    let id = record.vulnerability.clone();
    let replaced = triage
        .set(record)
        .map_err(|e| anyhow::anyhow!("--status {}: {e}", state.as_str()))?;
    triage.save()?;
    let path = triage
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let line = match replaced {
        Some(old) => fill(
            lang,
            "vex.replaced",
            &[
                ("id", &id),
                ("component", &label),
                ("state", &state.as_str()),
                ("old", &old.state.as_str()),
                ("path", &path),
            ],
        ),
        None => fill(
            lang,
            "vex.saved",
            &[
                ("id", &id),
                ("component", &label),
                ("state", &state.as_str()),
                ("path", &path),
            ],
        ),
    };
    eprintln!("{line}");
    Ok(ExitCode::SUCCESS)
}

fn list(triage: &Triage, format: ListFormat, l: tekigo_catalog::Lang) -> Result<ExitCode> {
    use crate::i18n::tr;
    match format {
        ListFormat::Json => output::emit(&output::json(&triage.records())?, None, false)?,
        ListFormat::Table => {
            if triage.records().is_empty() {
                println!("{}", tr(l, "vex.none"));
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = output::table(&[
                tr(l, "col.vulnerability"),
                tr(l, "col.component"),
                tr(l, "col.state"),
                tr(l, "col.justification"),
                tr(l, "col.author"),
                tr(l, "col.date"),
            ]);
            for r in triage.records() {
                let why = match (r.justification, &r.action) {
                    (Some(j), _) => j.as_str().to_string(),
                    (None, Some(a)) => a.clone(),
                    (None, None) => r.impact.clone().unwrap_or_default(),
                };
                let mut component = r.component.label();
                if r.any_version {
                    component.push(' ');
                    component.push_str(tr(l, "vex.any_version"));
                }
                t.add_row(vec![
                    r.vulnerability.clone(),
                    component,
                    r.state.as_str().to_string(),
                    why,
                    r.author.clone(),
                    r.timestamp.date().to_string(),
                ]);
            }
            println!("{t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn export(
    project: &Project,
    triage: &Triage,
    args: ExportArgs,
    lang: tekigo_catalog::Lang,
) -> Result<ExitCode> {
    let records = triage.records();
    if records.is_empty() {
        bail!(
            "{}: no triage records to export (tekigo vex set ... first)",
            triage
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
    }
    let product = &project.config.product;
    let author = match args
        .author
        .or_else(|| product.vendor.clone())
        .or_else(|| crate::context::user(None, lang))
    {
        Some(a) => a,
        None => bail!(crate::i18n::UserError::new("error.no_author_vendor", &[])),
    };
    let namespace = match (args.format, args.publisher_namespace) {
        (_, Some(ns)) => ns,
        (ExportFormat::Csaf, None) => bail!(
            "--format csaf needs --publisher-namespace URL (the publisher's web address, \
             CSAF document.publisher.namespace)"
        ),
        (ExportFormat::Openvex, None) => String::new(),
    };
    let name = match &product.version {
        Some(v) => format!("{} {v}", product.name),
        None => product.name.clone(),
    };
    let meta = DocumentMeta {
        id: DocumentMeta::content_id(&name, records),
        author,
        publisher_namespace: namespace,
        title: format!("{name}: vulnerability exploitability (VEX)"),
        timestamp: now(),
        version: args.doc_version,
    };
    let doc = match args.format {
        ExportFormat::Openvex => tekigo_vex::openvex::export(records, &meta)?,
        ExportFormat::Csaf => tekigo_vex::csaf::export(records, &meta)?,
    };
    output::emit(&output::json(&doc)?, args.output.as_deref(), false)?;
    Ok(ExitCode::SUCCESS)
}

fn import(
    triage: &mut Triage,
    file: &std::path::Path,
    lang: tekigo_catalog::Lang,
) -> Result<ExitCode> {
    let imported = tekigo_vex::import::from_path(file)?;
    for skipped in &imported.skipped {
        eprintln!("{}", fill(lang, "vuln.skipped", &[("what", skipped)]));
    }
    let (mut added, mut replaced) = (0, 0);
    for (i, r) in imported.records.into_iter().enumerate() {
        match triage
            .set(r)
            .with_context(|| format!("{}: statement {}", file.display(), i + 1))?
        {
            Some(_) => replaced += 1,
            None => added += 1,
        }
    }
    triage.save()?;
    eprintln!(
        "{}",
        fill(
            lang,
            "vex.imported",
            &[
                ("file", &file.display()),
                ("added", &added),
                ("replaced", &replaced),
                ("skipped", &imported.skipped.len()),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}
