//! `tekigo init` and `tekigo assess ...`: the check sheet as a record in a project directory.

use crate::context::Context;
use crate::i18n::{fill, read_file, status, tr, UserError};
use crate::output::{emit, json, table};
use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tekigo_assess::edit::{self, AnswerUpdate, NewAssessment};
use tekigo_assess::freshness::AnswerAge;
use tekigo_assess::project::{Component, Product};
use tekigo_assess::results::{FrResult, Results};
use tekigo_assess::{
    scan_import, sheet, sheet_import, EvidenceRef, Finding, Method, Project, ProjectConfig,
    ReviewPolicy, Role, Status,
};
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
        /// See the answers through another regime: eu-cra, etsi-en-303-645, jc-star-1,
        /// uk-psti, nistir-8425, sg-cls, sp800-218, csf-2.0, sp800-171r3 (`tekigo regime list`).
        #[arg(long)]
        regime: Option<String>,
        /// Another assessment of the same product to combine in the regime view (a 4-1
        /// assessment beside a 4-2 one covers CRA Part II); repeatable.
        #[arg(long = "with", requires = "regime")]
        with: Vec<String>,
    },
    /// The requirements in scope that are not met yet (exit code 1 when there are any).
    Gaps {
        id: String,
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
        /// Instead: the answers whose evidence is older than the project's `freshness:`
        /// allows (exit code 1 when there are any).
        #[arg(long)]
        stale: bool,
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
    /// Read a check sheet tekigo did not make (XLSX or CSV, seed 004's shape: id, 要件,
    /// ✓, 選択した理由, エビデンス; or Requirement, Check, Reason, Evidence, Status).
    /// Applies every row or none.
    ImportSheet {
        id: String,
        file: PathBuf,
        /// Where the columns are, when the headers are not ones tekigo knows (YAML:
        /// `columns: {id: A, check: D, reason: E, evidence: F}`, optional `sheets`,
        /// `header_row`).
        #[arg(long, value_name = "MAP.yaml")]
        map: Option<PathBuf>,
    },
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
    /// Write a signed conformity package of an assessment for the next layer (answers,
    /// reasons, methods, levels, evidence hashes, certificates, catalog version).
    ExportPackage {
        id: String,
        #[arg(short, long)]
        output: PathBuf,
        /// Secret key from `tekigo keygen`.
        #[arg(long, value_name = "KEY")]
        sign_key: PathBuf,
        /// Carry the evidence files themselves, not only their hashes: every cited file
        /// (`--with-evidence` or `--with-evidence all`), or only those marked public
        /// (`--with-evidence public`, see `assess set --public`); the others' hashes stay.
        #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "all")]
        with_evidence: Option<EvidenceArg>,
    },
    /// Check a conformity package offline against the supplier's public key (exit 0 when
    /// it verifies, 2 when it does not).
    VerifyPackage {
        file: PathBuf,
        /// The supplier's public key file (`KEY.pub` from `tekigo keygen`).
        #[arg(long, value_name = "KEY.pub")]
        trust: PathBuf,
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// Take the answers of a supplier's conformity package (again, for a newer package:
    /// what changed upstream goes back to review). Local answers are kept.
    Inherit {
        id: String,
        file: PathBuf,
        #[arg(long, value_name = "KEY.pub")]
        trust: PathBuf,
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// The requirements this assessment defers to another party: the next layer's
    /// obligations.
    Obligations {
        id: String,
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// Refresh a zone's 62443-3-3 suggestions from its components' current 4-2 results:
    /// changed ones replaced (reviewed ones back to review), unsupported ones withdrawn,
    /// answers a person wrote untouched.
    Prefill {
        id: String,
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EvidenceArg {
    All,
    Public,
}

#[derive(Args)]
pub struct NewArgs {
    /// 62443-4-2, 62443-3-3 (security levels), 62443-4-1, 62443-2-1 (maturity), 62443-3-2.
    #[arg(long)]
    pub standard: String,
    /// The component, system or organisation assessed.
    #[arg(long, alias = "subject", required_unless_present_any = ["zone", "conduit"])]
    pub component: Option<String>,
    /// A 62443-3-3 assessment of this zone of risk/system.yaml: the zone is the subject,
    /// its SL-T the target, and what its components' 4-2 results answer through the
    /// 4-2 → 3-3 mapping is prefilled as suggestions a person confirms.
    #[arg(long, conflicts_with_all = ["component", "sl_t", "inherit", "conduit"])]
    pub zone: Option<String>,
    /// A 62443-3-3 assessment of this conduit of risk/system.yaml (subject and SL-T the
    /// conduit's; nothing is prefilled): its SL-A counts in `risk feasibility`.
    #[arg(long, conflicts_with_all = ["component", "sl_t", "inherit"])]
    pub conduit: Option<String>,
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
    /// Start from a supplier's conformity package (`assess export-package`).
    #[arg(long, value_name = "FILE", requires = "trust")]
    pub inherit: Option<PathBuf>,
    /// The supplier's public key the package must be signed with.
    #[arg(long, value_name = "KEY.pub", requires = "inherit")]
    pub trust: Option<PathBuf>,
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
    /// How the requirement was verified: inspection, test, document-review or scan
    /// (reports derive it from the evidence when not given).
    #[arg(long, value_parser = parse_method)]
    pub method: Option<Method>,
    /// A file to store in evidence/ and cite (repeatable).
    #[arg(long = "evidence")]
    pub evidence: Vec<PathBuf>,
    /// The files of --evidence may go downstream: a package exported `--with-evidence
    /// public` carries them (the others only by hash).
    #[arg(long, requires = "evidence")]
    pub public: bool,
    /// A URL to cite (repeatable).
    #[arg(long = "url")]
    pub urls: Vec<String>,
    /// Who judges (default: $TEKIGO_USER, else $USER).
    #[arg(long)]
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
    /// Who answers for the requirement: platform-supplier, product-supplier, integrator,
    /// asset-owner.
    #[arg(long, value_parser = parse_role)]
    pub owner: Option<Role>,
    /// Leave the requirement to this party (with --reason): it does not count as met here
    /// and is listed by `assess obligations`.
    #[arg(long, value_parser = parse_role)]
    pub deferred_to: Option<Role>,
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
    Ok(Component::new(name, ty.parse()?, parts.next()))
}

fn parse_type(s: &str) -> Result<ComponentType, String> {
    s.parse()
}

fn parse_vector(s: &str) -> Result<SlVector, String> {
    s.parse()
}

fn parse_method(s: &str) -> Result<Method, String> {
    Method::parse(s).ok_or_else(|| "use inspection, test, document-review or scan".to_string())
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        "use platform-supplier, product-supplier, integrator or asset-owner".to_string()
    })
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
            bail!(UserError::new(
                "error.unknown_standard",
                &[("standard", s.clone())]
            ));
        }
    }
    let config = ProjectConfig {
        format: 1,
        product: Product {
            name,
            vendor: args.vendor,
            version: None,
            description: None,
            support_until: None,
        },
        components: args.components,
        standards,
        language: ctx.lang,
        report: Default::default(),
        review: Default::default(),
        freshness: Default::default(),
        upkeep: Default::default(),
    };
    Project::init(&args.dir, config)?;
    eprintln!(
        "{}",
        fill(ctx.lang, "init.created", &[("dir", &args.dir.display())])
    );
    Ok(ExitCode::SUCCESS)
}

/// Loads an assessment; an id the project does not have is said in the user's language.
pub fn load_assessment(
    ctx: &Context,
    project: &Project,
    id: &str,
) -> Result<tekigo_assess::Assessment> {
    if !project.assessment_path(id)?.exists() {
        let known = project.assessment_ids()?.join(", ");
        return Err(UserError::new(
            "error.no_assessment",
            &[(
                "id",
                format!(
                    "{id:?}{}",
                    if known.is_empty() {
                        String::new()
                    } else {
                        format!(" ({known})")
                    }
                ),
            )],
        )
        .into());
    }
    Ok(project.load_assessment(&ctx.catalog, id)?)
}

/// The project of the current directory (its `tekigo.yaml` is there or in a directory
/// above), or an error in the user's language saying how to make one.
pub fn project() -> Result<Project> {
    let cwd = std::env::current_dir().with_context(|| UserError::new("error.no_cwd", &[]))?;
    Project::discover(&cwd).map_err(|e| match e {
        tekigo_assess::AssessError::NoProject { start } => {
            UserError::new("error.no_project", &[("path", start.display().to_string())]).into()
        }
        // Each problem names its file and line; the frame is in the user's language.
        e @ tekigo_assess::AssessError::Invalid(_) => {
            anyhow::Error::new(e).context(UserError::new("error.project_invalid", &[]))
        }
        e => e.into(),
    })
}

pub fn run(ctx: &Context, cmd: AssessCommand) -> Result<ExitCode> {
    let project = project()?;
    match cmd {
        AssessCommand::New(args) => new(ctx, &project, args),
        AssessCommand::List => list(ctx, &project),
        AssessCommand::Set(args) => set(ctx, &project, args),
        AssessCommand::Show {
            id,
            format,
            regime: Some(regime),
            with,
        } => super::regime::show(ctx, &project, &id, &with, &regime, format),
        AssessCommand::Show { id, format, .. } => {
            let (a, results) = load(ctx, &project, &id)?;
            let warnings = warnings(ctx, &project, &results)?;
            let stale = stale(&project, &a)?;
            match format {
                ViewFormat::Json => {
                    let mut value = serde_json::to_value(&results)?;
                    value["warnings"] = serde_json::Value::from(warnings);
                    value["answers"] = super::layers::answers_json(ctx, &a);
                    value["stale"] = serde_json::to_value(&stale)?;
                    emit(&json(&value)?, None, false)?
                }
                ViewFormat::Table => {
                    for w in &warnings {
                        eprintln!("{}: {}", tr(ctx.lang, "error.warning"), w);
                    }
                    print!("{}", render_show(ctx, &project, &a, &results));
                    if !stale.is_empty() {
                        let ids: Vec<&str> = stale.iter().map(|s| s.id.as_str()).collect();
                        println!(
                            "{}",
                            fill(
                                ctx.lang,
                                "show.stale",
                                &[("n", &stale.len()), ("ids", &ids.join(", "))]
                            )
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AssessCommand::Gaps {
            id,
            format,
            stale: true,
        } => {
            let a = load_assessment(ctx, &project, &id)?;
            let stale = stale(&project, &a)?;
            match format {
                ViewFormat::Json => emit(&json(&stale)?, None, false)?,
                ViewFormat::Table => print!("{}", render_stale(ctx.lang, &stale)),
            }
            Ok(if stale.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AssessCommand::Gaps { id, format, .. } => {
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
        AssessCommand::ImportSheet { id, file, map } => {
            import_sheet(ctx, &project, &id, &file, map.as_deref())
        }
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
        AssessCommand::ExportPackage {
            id,
            output,
            sign_key,
            with_evidence,
        } => {
            let scope = match with_evidence {
                None => tekigo_sign::package::EvidenceScope::None,
                Some(EvidenceArg::Public) => tekigo_sign::package::EvidenceScope::Public,
                Some(EvidenceArg::All) => tekigo_sign::package::EvidenceScope::All,
            };
            super::layers::export_package(ctx, &project, &id, &output, &sign_key, scope)
        }
        AssessCommand::VerifyPackage {
            file,
            trust,
            format,
        } => super::layers::verify_package(ctx, &file, &trust, format),
        AssessCommand::Inherit {
            id,
            file,
            trust,
            format,
        } => {
            let a = load_assessment(ctx, &project, &id)?;
            super::layers::inherit(ctx, &project, a, &file, &trust, format)
        }
        AssessCommand::Obligations { id, format } => {
            super::layers::obligations(ctx, &project, &id, format)
        }
        AssessCommand::Prefill { id, format } => super::layers::refresh(ctx, &project, &id, format),
    }
}

fn load(
    ctx: &Context,
    project: &Project,
    id: &str,
) -> Result<(tekigo_assess::Assessment, Results)> {
    let a = load_assessment(ctx, project, id)?;
    let standard = ctx
        .catalog
        .standard(&a.standard)
        .ok_or_else(|| UserError::new("error.standard_not_in_catalog", &[]))?;
    let results = tekigo_assess::compute_with(standard, &a, project.config.review);
    Ok((a, results))
}

/// The answers of `a` whose evidence is stale today (`tekigo_assess::freshness`).
fn stale(project: &Project, a: &tekigo_assess::Assessment) -> Result<Vec<AnswerAge>> {
    let today = time::OffsetDateTime::now_utc().date();
    Ok(tekigo_assess::freshness::stale(project, a, today)?)
}

fn render_stale(l: Lang, stale: &[AnswerAge]) -> String {
    if stale.is_empty() {
        return format!("{}\n", tr(l, "stale.none"));
    }
    let mut t = table(&[
        tr(l, "col.requirement"),
        tr(l, "col.kind"),
        tr(l, "col.evidence"),
        tr(l, "col.dated"),
        tr(l, "col.max_age"),
        tr(l, "col.current_through"),
    ]);
    for s in stale {
        for e in &s.evidence {
            t.add_row(vec![
                s.id.clone(),
                e.kind.clone(),
                e.reference.clone(),
                e.dated.clone(),
                e.max_age.clone(),
                e.current_through.clone(),
            ]);
        }
    }
    format!("{t}\n{}\n", fill(l, "stale.count", &[("n", &stale.len())]))
}

/// What a reader must know before trusting the levels shown, in the user's language.
fn warnings(ctx: &Context, project: &Project, r: &Results) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if r.lacks_process_assessment(&project.assessment_standards(&ctx.catalog)?) {
        out.push(tr(ctx.lang, "warning.no_4_1").to_string());
    }
    Ok(out)
}

fn new(ctx: &Context, project: &Project, args: NewArgs) -> Result<ExitCode> {
    // A zone or conduit of the risk model brings its own subject and SL-T.
    let system = match (&args.zone, &args.conduit) {
        (Some(zone), _) => Some(super::layers::system_target(
            ctx,
            project,
            &args.standard,
            zone,
            true,
        )?),
        (None, Some(conduit)) => Some(super::layers::system_target(
            ctx,
            project,
            &args.standard,
            conduit,
            false,
        )?),
        (None, None) => None,
    };
    let component = match (&system, &args.component) {
        (Some((subject, _)), _) | (None, Some(subject)) => subject.clone(),
        (None, None) => bail!(UserError::new("error.assess_subject", &[])),
    };
    let sl_t = system.as_ref().map(|(_, t)| *t).or(args.sl_t);
    let listed = project.component(&component);
    let has_types = ctx
        .catalog
        .standard(&args.standard)
        .is_some_and(|s| s.items.iter().any(|i| i.component_type.is_some()));
    // The type listed in tekigo.yaml matters only to a standard with component types; for
    // 3-3, 4-1 or 2-1 only a --type the user typed is a mistake.
    let component_type = match has_types {
        true => args.component_type.or(listed.map(|c| c.component_type)),
        false => args.component_type,
    };
    if has_types && component_type.is_none() {
        let known: Vec<&str> = project
            .config
            .components
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let known = match known.is_empty() {
            true => "no components listed".to_string(),
            false => format!("listed: {}", known.join(", ")),
        };
        return Err(UserError::new(
            "error.unknown_component",
            &[("name", format!("{component:?}")), ("known", known)],
        )
        .into());
    }
    let standard = ctx
        .catalog
        .standard(&args.standard)
        .map(|s| s.info.id.clone())
        .unwrap_or(args.standard.clone());
    let id = args.id.unwrap_or_else(|| {
        format!("{}-{}", component, standard.trim_start_matches("62443-"))
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
    let mut a = edit::new_assessment(
        &ctx.catalog,
        NewAssessment {
            id: id.clone(),
            standard: args.standard,
            subject: component.clone(),
            component_type,
            version: listed.and_then(|c| c.version.clone()),
            target_sl: sl_t,
            target_ml: args.ml_t,
        },
    )?;
    if let (Some(file), Some(trust)) = (&args.inherit, &args.trust) {
        // Checked and saved whole, or refused with nothing written.
        super::layers::inherit(ctx, project, a, file, trust, ViewFormat::Table)?;
    } else if let Some(zone) = &args.zone {
        super::layers::prefill(ctx, project, &mut a, zone)?;
    } else {
        project.save_assessment(&ctx.catalog, &a)?;
    }
    eprintln!(
        "{}",
        fill(
            ctx.lang,
            "assess.created",
            &[("id", &id), ("path", &path.display())]
        )
    );
    Ok(ExitCode::SUCCESS)
}

fn list(ctx: &Context, project: &Project) -> Result<ExitCode> {
    let l = ctx.lang;
    let ids = project.assessment_ids()?;
    if ids.is_empty() {
        println!("{}", tr(l, "list.none"));
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = table(&[
        tr(l, "col.id"),
        tr(l, "col.standard"),
        tr(l, "col.subject"),
        tr(l, "col.target"),
        tr(l, "col.claimed"),
        tr(l, "col.met"),
    ]);
    for id in ids {
        let (a, r) = load(ctx, project, &id)?;
        t.add_row(vec![
            id,
            a.standard,
            a.subject.name,
            levels(r.target, r.target_ml),
            claimed(l, &r),
            format!(
                "{}/{} ({} %)",
                r.progress.met, r.progress.in_scope, r.progress.met_percent
            ),
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}

/// The claimed level: the SL vector with each not-applicable-only level marked, or the
/// maturity level.
fn claimed(l: Lang, r: &Results) -> String {
    match r.achieved {
        Some(v) => marked(l, &v, r, |f| f.not_applicable_only.achieved),
        None => levels(None, r.achieved_ml),
    }
}

/// A vector as `{0 0 0 0 4(N/A) 4 1}`: a level resting on not-applicable answers alone is
/// never printed as a plain number.
fn marked(l: Lang, v: &[Level; 7], r: &Results, na_only: impl Fn(&FrResult) -> bool) -> String {
    let cells: Vec<String> = v
        .iter()
        .zip(&r.frs)
        .map(|(level, f)| level_cell(l, *level, na_only(f)))
        .collect();
    format!("{{{}}}", cells.join(" "))
}

fn level_cell(l: Lang, level: Level, na_only: bool) -> String {
    match na_only {
        true => fill(l, "level.na_only", &[("level", &level)]),
        false => level.to_string(),
    }
}

fn levels(sl: Option<[Level; 7]>, ml: Option<Level>) -> String {
    match (sl, ml) {
        (Some(v), _) => SlVector(v).to_string(),
        (None, Some(l)) => format!("ML {l}"),
        (None, None) => "-".into(),
    }
}

fn set(ctx: &Context, project: &Project, args: SetArgs) -> Result<ExitCode> {
    let mut a = load_assessment(ctx, project, &args.id)?;
    if ctx.catalog.find(&args.requirement).is_none() {
        return Err(UserError::new(
            "error.unknown_id",
            &[("id", format!("{:?}", args.requirement))],
        )
        .into());
    }
    let req = edit::requirement_id(&ctx.catalog, &a, &args.requirement)?;
    for file in &args.evidence {
        if !file.exists() {
            return Err(UserError::new(
                "error.no_evidence_file",
                &[("path", file.display().to_string())],
            )
            .into());
        }
    }
    if let Some(e) = args.due.as_deref().and_then(tekigo_assess::date_error) {
        bail!("--due {e}");
    }
    for url in &args.urls {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            bail!(UserError::new("error.url_scheme", &[("url", url.clone())]));
        }
    }
    // Store evidence first: the bytes are content-addressed, so a later failure leaves only
    // unreferenced files behind, never a reference without its file.
    let store = project.evidence();
    let mut evidence = Vec::new();
    for file in &args.evidence {
        let stored = store.add_file(file)?;
        if args.public {
            store.mark_public(&stored.sha256)?;
        }
        evidence.push(EvidenceRef::File {
            sha256: stored.sha256,
            name: file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        });
    }
    evidence.extend(args.urls.into_iter().map(|url| EvidenceRef::Url { url }));
    let assessor = crate::context::user(args.assessor, ctx.lang);
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
            method: args.method,
            evidence,
            assessor,
            finding,
            reviewed_by: args.reviewed_by,
            owner: args.owner,
            deferred_to: args.deferred_to,
            date: tekigo_assess::today(),
        },
    )?;
    project.save_assessment(&ctx.catalog, &a)?;
    let status = crate::i18n::status(ctx.lang, a.answers[&req].status.as_str());
    eprintln!(
        "{}",
        fill(
            ctx.lang,
            "assess.answer_set",
            &[("id", &a.id), ("req", &req), ("status", &status)]
        )
    );
    Ok(ExitCode::SUCCESS)
}

fn import_scan(
    ctx: &Context,
    project: &Project,
    id: &str,
    scan: &Path,
    force: bool,
) -> Result<ExitCode> {
    let mut a = load_assessment(ctx, project, id)?;
    let bytes = read_file(scan)?;
    let report =
        scan_import::parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", scan.display()))?;
    let name = scan
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scan.json".into());
    let stored = project.evidence().add_bytes(&name, &bytes)?;
    let summary = scan_import::apply_in(
        ctx.lang,
        &ctx.catalog,
        &mut a,
        &report,
        &stored.sha256,
        force,
        &tekigo_assess::today(),
    );
    project.save_assessment(&ctx.catalog, &a)?;
    let origin = match report.origin() {
        "scan" => "assess.scan_origin.scan",
        "probe" => "assess.scan_origin.probe",
        _ => "assess.scan_origin.both",
    };
    let mut line = fill(
        ctx.lang,
        "assess.scan_imported",
        &[
            ("id", &id),
            ("suggested", &summary.suggested.len()),
            ("origin", &tr(ctx.lang, origin)),
            ("kept", &summary.kept.len()),
        ],
    );
    if !summary.kept.is_empty() {
        line = format!("{line} {}", tr(ctx.lang, "assess.scan_kept_hint"));
    }
    eprintln!("{line}");
    for (req, why) in &summary.skipped {
        let skipped = fill(
            ctx.lang,
            "assess.scan_skipped",
            &[("req", req), ("why", why)],
        );
        eprintln!("  {skipped}");
    }
    Ok(ExitCode::SUCCESS)
}

fn import_xlsx(ctx: &Context, project: &Project, id: &str, file: &Path) -> Result<ExitCode> {
    let a = load_assessment(ctx, project, id)?;
    let standard = ctx
        .catalog
        .standard(&a.standard)
        .ok_or_else(|| UserError::new("error.standard_not_in_catalog", &[]))?;
    let bytes = read_file(file)?;
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

fn import_sheet(
    ctx: &Context,
    project: &Project,
    id: &str,
    file: &Path,
    map: Option<&Path>,
) -> Result<ExitCode> {
    let a = load_assessment(ctx, project, id)?;
    let map: sheet_import::SheetMap = match map {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                UserError::new("error.cannot_read", &[("path", path.display().to_string())])
            })?;
            serde_norway::from_str(&text).map_err(|e| {
                let line = e
                    .location()
                    .map(|l| format!(":{}", l.line()))
                    .unwrap_or_default();
                anyhow::anyhow!("{}{line}: {e}", path.display())
            })?
        }
        None => sheet_import::SheetMap::default(),
    };
    let bytes = read_file(file)?;
    let book = tekigo_workbook::read(&file.display().to_string(), &bytes)?;
    let base = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let plan = match sheet_import::plan(&ctx.catalog, &a, &book, &map, file, base) {
        Ok(plan) => plan,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            bail!(
                "{}: {} row(s) cannot be placed; the assessment was not changed",
                file.display(),
                problems.len()
            );
        }
    };
    for note in &plan.notes {
        eprintln!("{}: {note}", tr(ctx.lang, "error.note"));
    }
    let evidence = project.evidence();
    let (next, summary) = sheet_import::apply(
        &ctx.catalog,
        &a,
        &plan,
        crate::context::user(None, ctx.lang).as_deref(),
        &tekigo_assess::today(),
        &|name, bytes| Ok(evidence.add_bytes(name, bytes)?.sha256),
    )?;
    project.save_assessment(&ctx.catalog, &next)?;
    eprintln!(
        "{id}: {} added, {} changed, {} unchanged from {}",
        summary.added.len(),
        summary.changed.len(),
        summary.unchanged.len(),
        file.display()
    );
    for (what, ids) in [("added", &summary.added), ("changed", &summary.changed)] {
        if !ids.is_empty() {
            eprintln!("  {what}: {}", ids.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
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
        let l = ctx.lang;
        let component = r.with_compensating.is_some();
        let mut head = vec![
            tr(l, "col.fr"),
            tr(l, "col.sl_t"),
            tr(l, if component { "col.sl_c" } else { "col.sl_a" }),
            tr(l, "col.projected"),
        ];
        if component {
            head.push(tr(l, "col.with_compensating"));
        }
        head.extend([tr(l, "col.met"), tr(l, "col.compensating")]);
        let mut t = table(&head);
        for f in &r.frs {
            let na = f.not_applicable_only;
            let mut row = vec![
                f.fr.clone(),
                f.target.to_string(),
                level_cell(l, f.achieved, na.achieved),
                level_cell(l, f.projected, na.projected),
            ];
            if let Some(w) = f.with_compensating {
                row.push(level_cell(l, w, na.with_compensating));
            }
            row.extend([
                format!("{}/{}", f.met, f.in_scope),
                f.compensating.join(", "),
            ]);
            t.add_row(row);
        }
        out.push_str(&format!("{t}\n"));
    }
    if !r.groups.is_empty() {
        let l = ctx.lang;
        let mut t = table(&[tr(l, "col.group"), tr(l, "col.ml"), tr(l, "col.met")]);
        for g in &r.groups {
            // The practice's name, not only its id ("Practice 1 Security management").
            let name = ctx
                .catalog
                .find(&g.id)
                .map(|(_, i)| i.title.get(l).to_string())
                .unwrap_or_default();
            t.add_row(vec![
                format!("{} {name}", g.id).trim().to_string(),
                g.achieved_ml.to_string(),
                format!("{}/{}", g.met, g.requirements),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    let l = ctx.lang;
    if let (Some(p), Some(a)) = (r.projected, r.achieved) {
        let key = match r.with_compensating {
            Some(_) => "show.levels_component",
            None => "show.levels_system",
        };
        let with = r
            .with_compensating
            .map(|w| marked(l, &w, r, |f| f.not_applicable_only.with_compensating))
            .unwrap_or_default();
        out.push_str(&fill(
            l,
            key,
            &[
                ("target", &levels(r.target, None)),
                (
                    "claimed",
                    &marked(l, &a, r, |f| f.not_applicable_only.achieved),
                ),
                (
                    "projected",
                    &marked(l, &p, r, |f| f.not_applicable_only.projected),
                ),
                ("with_compensating", &with),
            ],
        ));
    } else {
        out.push_str(&fill(
            l,
            "show.levels_maturity",
            &[
                ("target", &levels(r.target, r.target_ml)),
                ("claimed", &levels(None, r.achieved_ml)),
            ],
        ));
    }
    out.push('\n');
    let p = &r.progress;
    out.push_str(&fill(
        l,
        match r.review {
            ReviewPolicy::Required => "show.progress_reviewed_only",
            ReviewPolicy::Optional => "show.progress",
        },
        &[
            ("met", &p.met),
            ("in_scope", &p.in_scope),
            ("percent", &p.met_percent),
            ("met_projected", &p.met_projected),
            ("answered", &p.answered),
            ("reviewed", &p.reviewed),
            ("reviewed_percent", &p.reviewed_percent),
            ("by_person", &p.by_person),
            ("by_person_percent", &p.by_person_percent),
            ("from_scan", &p.from_scan),
            ("from_scan_percent", &p.from_scan_percent),
        ],
    ));
    out.push('\n');
    if p.from_components > 0 {
        out.push_str(&fill(
            l,
            "show.from_components",
            &[
                ("n", &p.from_components),
                ("percent", &p.from_components_percent),
            ],
        ));
        out.push('\n');
    }
    if p.inherited + p.deferred > 0 {
        out.push_str(&fill(
            l,
            "show.layers",
            &[
                ("inherited", &p.inherited),
                ("inherited_percent", &p.inherited_percent),
                ("own", &p.own),
                ("own_percent", &p.own_percent),
                ("deferred", &p.deferred),
                ("deferred_percent", &p.deferred_percent),
            ],
        ));
        out.push('\n');
    }
    out
}

fn render_gaps(ctx: &Context, r: &Results) -> String {
    let l = ctx.lang;
    if r.gaps.is_empty() {
        return format!("{}\n", tr(l, "gaps.none"));
    }
    let mut t = table(&[
        tr(l, "col.requirement"),
        tr(l, "col.title"),
        tr(l, "col.sl"),
        tr(l, "col.status"),
        tr(l, "col.recommendation"),
    ]);
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
            match g.unconfirmed {
                true => format!(
                    "{} ({})",
                    status(l, g.status.map_or("unanswered", |s| s.as_str())),
                    tr(l, "gaps.unconfirmed")
                ),
                false => status(l, g.status.map_or("unanswered", |s| s.as_str())),
            },
            g.recommendations.join("; "),
        ]);
    }
    format!("{t}\n{}\n", fill(l, "gaps.count", &[("n", &r.gaps.len())]))
}
