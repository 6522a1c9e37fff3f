//! `tekigo init` and `tekigo assess ...`: the check sheet as a record in a project directory.

use crate::context::Context;
use crate::output::{emit, json, table};
use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tekigo_assess::edit::{self, AnswerUpdate, NewAssessment};
use tekigo_assess::project::{Component, Product};
use tekigo_assess::results::Results;
use tekigo_assess::{scan_import, sheet, EvidenceRef, Finding, Project, ProjectConfig, Status};
use tekigo_catalog::{ComponentType, Lang, Level, SlVector};

#[derive(Args)]
pub struct InitArgs {
    /// Directory of the new project (created if missing).
    pub dir: PathBuf,
    /// Product name (defaults to the directory name).
    #[arg(long)]
    pub product: Option<String>,
    #[arg(long)]
    pub vendor: Option<String>,
    /// A component as NAME:TYPE[:VERSION], TYPE one of embedded, network, host, software.
    #[arg(long = "component", value_parser = parse_component)]
    pub components: Vec<Component>,
    /// A standard in scope (repeatable); defaults to 62443-4-2.
    #[arg(long = "standard")]
    pub standards: Vec<String>,
}

// Parsed once per run; boxing the larger variants would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum AssessCommand {
    /// Start an assessment of a component, system or organisation against one standard.
    New(NewArgs),
    /// The assessments of this project.
    List,
    /// Answer one requirement: status, reason, evidence, findings, review.
    Set(SetArgs),
    /// Target and achieved levels, progress, and the FRs or practices at a glance.
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// The requirements in scope that are not met yet (exit code 1 when there are any).
    Gaps {
        id: String,
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// Suggest answers from a device scan (`tekigo scan --format json`). A person's answer
    /// is kept unless --force.
    ImportScan {
        id: String,
        scan: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Apply a workbook exported with `tekigo report ID --format xlsx` and edited in Excel.
    ImportXlsx { id: String, file: PathBuf },
    /// Suggest answers for 4-1 DM-2/3/4 and SUM-5 or 4-2 CR 7.8 from a vulnerability scan
    /// (`tekigo vuln scan --format json`) and the project's triage. A person's answer is kept
    /// unless --force.
    ImportVulns {
        id: String,
        scan: PathBuf,
        /// Days a serious finding may stay untriaged or under investigation, and a published
        /// fix may stay out of the product.
        #[arg(long, default_value_t = 30)]
        max_age_days: u32,
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args)]
pub struct NewArgs {
    /// 62443-4-2, 62443-3-3 (security levels), 62443-4-1, 62443-2-1 (maturity), 62443-3-2.
    #[arg(long)]
    pub standard: String,
    /// The component, system or organisation assessed.
    #[arg(long, alias = "subject")]
    pub component: String,
    /// Component type (4-2); taken from tekigo.yaml when the component is listed there.
    #[arg(long = "type", value_parser = parse_type)]
    pub component_type: Option<ComponentType>,
    /// Target security level: one level for every FR or seven in FR order.
    #[arg(long = "sl-t", value_parser = parse_vector)]
    pub sl_t: Option<SlVector>,
    /// Target maturity level 1-4 (4-1, 2-1).
    #[arg(long = "ml-t")]
    pub ml_t: Option<Level>,
    /// Assessment id, also its file name (defaults to COMPONENT-STANDARD).
    #[arg(long)]
    pub id: Option<String>,
}

#[derive(Args)]
pub struct SetArgs {
    pub id: String,
    /// Requirement id, e.g. "CR 1.1", "CR 1.1 RE(1)", "EDR 3.14", "SM-1".
    pub requirement: String,
    #[arg(long, value_parser = parse_status)]
    pub status: Option<Status>,
    /// 選択理由: why; for not-applicable, the justification.
    #[arg(long)]
    pub reason: Option<String>,
    /// The compensating countermeasure (with --status compensating).
    #[arg(long)]
    pub countermeasure: Option<String>,
    /// Maturity level reached, 1-4 (4-1 and 2-1).
    #[arg(long)]
    pub maturity: Option<Level>,
    /// A file to store in evidence/ and cite (repeatable).
    #[arg(long = "evidence")]
    pub evidence: Vec<PathBuf>,
    /// A URL to cite (repeatable).
    #[arg(long = "url")]
    pub urls: Vec<String>,
    /// Who judges (default: $TEKIGO_ASSESSOR, else $USER).
    #[arg(long, env = "TEKIGO_ASSESSOR")]
    pub assessor: Option<String>,
    /// Record a finding: the issue found.
    #[arg(long)]
    pub finding: Option<String>,
    #[arg(long, requires = "finding")]
    pub impact: Option<String>,
    #[arg(long, requires = "finding")]
    pub recommendation: Option<String>,
    /// Due date of the finding, YYYY-MM-DD.
    #[arg(long, requires = "finding")]
    pub due: Option<String>,
    /// Mark the answer reviewed by this person (someone other than the assessor).
    #[arg(long, value_name = "REVIEWER")]
    pub reviewed_by: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ViewFormat {
    Table,
    Json,
}

fn parse_component(s: &str) -> Result<Component, String> {
    let mut parts = s.splitn(3, ':');
    let name = parts.next().unwrap_or_default().trim();
    let ty = parts.next().ok_or("write NAME:TYPE[:VERSION]")?;
    if name.is_empty() {
        return Err("the component needs a name (NAME:TYPE[:VERSION])".into());
    }
    Ok(Component {
        name: name.to_string(),
        component_type: ty.parse()?,
        version: parts.next().map(str::to_string),
        ports: Vec::new(),
    })
}

fn parse_type(s: &str) -> Result<ComponentType, String> {
    s.parse()
}

fn parse_vector(s: &str) -> Result<SlVector, String> {
    s.parse()
}

fn parse_status(s: &str) -> Result<Status, String> {
    Status::parse(s).ok_or_else(|| {
        "use satisfied, partial, not-satisfied, not-applicable or compensating".to_string()
    })
}

pub fn init(ctx: &Context, args: InitArgs) -> Result<ExitCode> {
    let name = args.product.clone().unwrap_or_else(|| {
        std::path::absolute(&args.dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "product".into())
    });
    let standards = if args.standards.is_empty() {
        vec!["62443-4-2".to_string()]
    } else {
        args.standards
    };
    for s in &standards {
        if ctx.catalog.standard(s).is_none() {
            bail!("unknown standard {s:?}: use 62443-4-2, 62443-3-3, 62443-4-1, 62443-2-1 or 62443-3-2");
        }
    }
    let config = ProjectConfig {
        format: 1,
        product: Product {
            name,
            vendor: args.vendor,
            version: None,
        },
        components: args.components,
        standards,
        language: ctx.lang,
    };
    Project::init(&args.dir, config)?;
    eprintln!(
        "created {}: tekigo.yaml, assessments/, evidence/",
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn project() -> Result<Project> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok(Project::discover(&cwd)?)
}

pub fn run(ctx: &Context, cmd: AssessCommand) -> Result<ExitCode> {
    let project = project()?;
    match cmd {
        AssessCommand::New(args) => new(ctx, &project, args),
        AssessCommand::List => list(ctx, &project),
        AssessCommand::Set(args) => set(ctx, &project, args),
        AssessCommand::Show { id, format } => {
            let (a, results) = load(ctx, &project, &id)?;
            match format {
                ViewFormat::Json => emit(&json(&results)?, None, false)?,
                ViewFormat::Table => print!("{}", render_show(ctx, &project, &a, &results)),
            }
            Ok(ExitCode::SUCCESS)
        }
        AssessCommand::Gaps { id, format } => {
            let (_, results) = load(ctx, &project, &id)?;
            match format {
                ViewFormat::Json => emit(&json(&results.gaps)?, None, false)?,
                ViewFormat::Table => print!("{}", render_gaps(ctx, &results)),
            }
            Ok(if results.gaps.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AssessCommand::ImportScan { id, scan, force } => {
            import_scan(ctx, &project, &id, &scan, force)
        }
        AssessCommand::ImportXlsx { id, file } => import_xlsx(ctx, &project, &id, &file),
        AssessCommand::ImportVulns {
            id,
            scan,
            max_age_days,
            force,
        } => crate::commands::vuln::import_into_assessment(
            ctx,
            &project,
            &id,
            &scan,
            tekigo_assess::vuln_import::VulnRules { max_age_days },
            force,
        ),
    }
}

fn load(
    ctx: &Context,
    project: &Project,
    id: &str,
) -> Result<(tekigo_assess::Assessment, Results)> {
    let a = project.load_assessment(&ctx.catalog, id)?;
    let standard = ctx
        .catalog
        .standard(&a.standard)
        .context("the assessment's standard is not in the catalog")?;
    let results = tekigo_assess::compute(standard, &a);
    Ok((a, results))
}

fn new(ctx: &Context, project: &Project, args: NewArgs) -> Result<ExitCode> {
    let listed = project.component(&args.component);
    let component_type = args.component_type.or(listed.map(|c| c.component_type));
    let standard = ctx
        .catalog
        .standard(&args.standard)
        .map(|s| s.info.id.clone())
        .unwrap_or(args.standard.clone());
    let id = args.id.unwrap_or_else(|| {
        format!(
            "{}-{}",
            args.component,
            standard.trim_start_matches("62443-")
        )
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
    });
    let path = project.assessment_path(&id)?;
    if path.exists() {
        bail!(
            "{}: assessment {id:?} already exists; nothing was changed",
            path.display()
        );
    }
    let a = edit::new_assessment(
        &ctx.catalog,
        NewAssessment {
            id: id.clone(),
            standard: args.standard,
            subject: args.component.clone(),
            component_type,
            version: listed.and_then(|c| c.version.clone()),
            target_sl: args.sl_t,
            target_ml: args.ml_t,
        },
    )?;
    project.save_assessment(&ctx.catalog, &a)?;
    eprintln!("created assessment {id} ({})", path.display());
    Ok(ExitCode::SUCCESS)
}

fn list(ctx: &Context, project: &Project) -> Result<ExitCode> {
    let mut t = table(&[
        "ID",
        "Standard",
        "Subject",
        "Target",
        "Achieved",
        "Confirmed",
    ]);
    for id in project.assessment_ids()? {
        let (a, r) = load(ctx, project, &id)?;
        t.add_row(vec![
            id,
            a.standard,
            a.subject.name,
            levels(r.target, r.target_ml),
            levels(r.achieved, r.achieved_ml),
            format!(
                "{}/{} ({} %)",
                r.progress.met, r.progress.in_scope, r.progress.confirmed_percent
            ),
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}

fn levels(sl: Option<[Level; 7]>, ml: Option<Level>) -> String {
    match (sl, ml) {
        (Some(v), _) => SlVector(v).to_string(),
        (None, Some(l)) => format!("ML {l}"),
        (None, None) => "-".into(),
    }
}

fn set(ctx: &Context, project: &Project, args: SetArgs) -> Result<ExitCode> {
    let mut a = project.load_assessment(&ctx.catalog, &args.id)?;
    let req = edit::requirement_id(&ctx.catalog, &a, &args.requirement)?;
    for url in &args.urls {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            bail!("--url {url:?} must start with https:// or http://");
        }
    }
    // Store evidence first: the bytes are content-addressed, so a later failure leaves only
    // unreferenced files behind, never a reference without its file.
    let store = project.evidence();
    let mut evidence = Vec::new();
    for file in &args.evidence {
        let stored = store.add_file(file)?;
        evidence.push(EvidenceRef::File {
            sha256: stored.sha256,
            name: file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        });
    }
    evidence.extend(args.urls.into_iter().map(|url| EvidenceRef::Url { url }));
    let assessor = args
        .assessor
        .or_else(|| std::env::var("USER").ok())
        .filter(|s| !s.is_empty());
    let finding = args.finding.map(|issue| Finding {
        issue,
        impact: args.impact.unwrap_or_default(),
        recommendation: args.recommendation.unwrap_or_default(),
        due: args.due,
    });
    edit::set_answer(
        &mut a,
        &req,
        AnswerUpdate {
            status: args.status,
            reason: args.reason,
            countermeasure: args.countermeasure,
            maturity: args.maturity,
            evidence,
            assessor,
            finding,
            reviewed_by: args.reviewed_by,
            date: tekigo_assess::today(),
        },
    )?;
    project.save_assessment(&ctx.catalog, &a)?;
    let status = a.answers[&req].status.as_str();
    eprintln!("{}: {req} {status}", a.id);
    Ok(ExitCode::SUCCESS)
}

fn import_scan(
    ctx: &Context,
    project: &Project,
    id: &str,
    scan: &Path,
    force: bool,
) -> Result<ExitCode> {
    let mut a = project.load_assessment(&ctx.catalog, id)?;
    let bytes = std::fs::read(scan).with_context(|| format!("cannot read {}", scan.display()))?;
    let report =
        scan_import::parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", scan.display()))?;
    let name = scan
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scan.json".into());
    let stored = project.evidence().add_bytes(&name, &bytes)?;
    let summary = scan_import::apply(
        &ctx.catalog,
        &mut a,
        &report,
        &stored.sha256,
        force,
        &tekigo_assess::today(),
    );
    project.save_assessment(&ctx.catalog, &a)?;
    eprintln!(
        "{id}: {} answers suggested from the {}, {} answers by a person kept{}",
        summary.suggested.len(),
        report.origin(),
        summary.kept.len(),
        if summary.kept.is_empty() {
            ""
        } else {
            " (use --force to replace them)"
        }
    );
    for (req, why) in &summary.skipped {
        eprintln!("  skipped {req}: {why}");
    }
    Ok(ExitCode::SUCCESS)
}

fn import_xlsx(ctx: &Context, project: &Project, id: &str, file: &Path) -> Result<ExitCode> {
    let a = project.load_assessment(&ctx.catalog, id)?;
    let standard = ctx
        .catalog
        .standard(&a.standard)
        .context("unknown standard")?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    match sheet::import(standard, &a, &project.evidence(), file, &bytes) {
        Ok((next, summary)) => {
            project.save_assessment(&ctx.catalog, &next)?;
            eprintln!(
                "{id}: {} added, {} changed, {} removed",
                summary.added.len(),
                summary.changed.len(),
                summary.removed.len()
            );
            for (what, ids) in [
                ("added", &summary.added),
                ("changed", &summary.changed),
                ("removed", &summary.removed),
            ] {
                if !ids.is_empty() {
                    eprintln!("  {what}: {}", ids.join(", "));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            bail!(
                "{}: {} problem(s); the assessment was not changed",
                file.display(),
                problems.len()
            )
        }
    }
}

fn render_show(
    ctx: &Context,
    project: &Project,
    a: &tekigo_assess::Assessment,
    r: &Results,
) -> String {
    let mut out = format!(
        "{} · {} · {} {}\n",
        project.config.product.name,
        a.subject.name,
        ctx.catalog
            .standard(&a.standard)
            .map(|s| s.info.title.get(ctx.lang).to_string())
            .unwrap_or_default(),
        a.subject
            .component_type
            .map(|t| format!("({t})"))
            .unwrap_or_default(),
    );
    if !r.frs.is_empty() {
        let mut t = table(&["FR", "SL-T", "SL-A", "Met", "Compensating"]);
        for f in &r.frs {
            t.add_row(vec![
                f.fr.clone(),
                f.target.to_string(),
                f.achieved.to_string(),
                format!("{}/{}", f.met, f.in_scope),
                f.compensating.join(", "),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    if !r.groups.is_empty() {
        let mut t = table(&["Group", "ML", "Confirmed"]);
        for g in &r.groups {
            t.add_row(vec![
                g.id.clone(),
                g.achieved_ml.to_string(),
                format!("{}/{}", g.confirmed, g.requirements),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    out.push_str(&format!(
        "target {} · achieved {} · {}/{} confirmed ({} %) · {} answered · {} reviewed · {} from scan\n",
        levels(r.target, r.target_ml),
        levels(r.achieved, r.achieved_ml),
        r.progress.met,
        r.progress.in_scope,
        r.progress.confirmed_percent,
        r.progress.answered,
        r.progress.reviewed,
        r.progress.from_scan,
    ));
    out
}

fn render_gaps(ctx: &Context, r: &Results) -> String {
    if r.gaps.is_empty() {
        return "no gaps: every requirement in scope is met\n".into();
    }
    let mut t = table(&["Requirement", "Title", "SL", "Status", "Recommendation"]);
    for g in &r.gaps {
        let title = ctx
            .catalog
            .find(&g.id)
            .map(|(_, i)| i.title.get(ctx.lang).to_string())
            .unwrap_or_default();
        t.add_row(vec![
            g.id.clone(),
            title,
            g.min_sl.map(|l| l.to_string()).unwrap_or_default(),
            g.status
                .map(|s| s.as_str())
                .unwrap_or(match ctx.lang {
                    Lang::Ja => "未回答",
                    Lang::En => "unanswered",
                })
                .to_string(),
            g.recommendations.join("; "),
        ]);
    }
    format!("{t}\n{} gap(s)\n", r.gaps.len())
}
