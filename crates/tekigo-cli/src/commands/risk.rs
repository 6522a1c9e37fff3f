//! `tekigo risk ...`: zones and conduits (IEC 62443-3-2) of the project's `risk/system.yaml`.

use crate::commands::assess::project;
use crate::context::Context;
use crate::i18n::{fill, tr};
use crate::output::{emit, json, table};
use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tekigo_assess::Project;
use tekigo_catalog::{Lang, Level, SlVector};
use tekigo_risk::report::ReportInput;
use tekigo_risk::{Derivation, Document, Step, Violation};

#[derive(Subcommand)]
pub enum RiskCommand {
    /// Check the zone and conduit rules (exit 1 when any is broken).
    Check {
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// The SL-T vector of every zone and conduit, with its derivation step by step.
    Targets {
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// Each zone's SL-T against its components' 4-2 assessments, its SL-A from its 3-3
    /// assessment, its conduits, and the 3-3 requirements it calls for (exit 1 when a
    /// component or conduit falls short or is not assessed).
    Feasibility {
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// Push each zone's SL-T into the 62443-4-2 assessments of its components as their
    /// SL-T (a component in several zones takes the highest per FR).
    ApplyTargets {
        #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
        format: ViewFormat,
    },
    /// Draw the zones and conduits.
    Draw(DrawArgs),
    /// The report: drawing, risk register, SL-T derivation step by step, rule check,
    /// feasibility; in the project's language unless --lang is given.
    Report(ReportArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ViewFormat {
    Table,
    Json,
}

#[derive(Args)]
pub struct DrawArgs {
    #[arg(long, value_enum)]
    pub format: DrawFormat,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DrawFormat {
    Svg,
    Dot,
}

#[derive(Args)]
pub struct ReportArgs {
    #[arg(long, value_enum)]
    pub format: RiskReportFormat,
    /// Write here instead of standard output (required for PDF on a terminal).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Fonts for the PDF, tried before the system's and the Noto Sans CJK JP subset tekigo
    /// carries (which is enough for Japanese and English on a machine with no fonts).
    #[arg(long, value_name = "DIR")]
    pub font_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RiskReportFormat {
    /// One self-contained file: styles and drawing inline, loads nothing from the network.
    Html,
    /// Typeset with typst, fonts included (no font needs to be installed).
    Pdf,
}

struct Loaded {
    project: Project,
    doc: Document,
}

fn load() -> Result<Loaded> {
    let project = project()?;
    let doc = Document::load(&project.root)?;
    Ok(Loaded { project, doc })
}

fn violations(ctx: &Context, l: &Loaded) -> Result<Vec<Violation>> {
    let components: Vec<String> = l
        .project
        .config
        .components
        .iter()
        .map(|c| c.name.clone())
        .collect();
    Ok(tekigo_risk::check(&l.doc, &ctx.catalog, &components)?)
}

pub fn run(ctx: &Context, cmd: RiskCommand) -> Result<ExitCode> {
    let l = load()?;
    match cmd {
        RiskCommand::Check { format } => {
            let v = violations(ctx, &l)?;
            match format {
                ViewFormat::Json => emit(&json(&v)?, None, false)?,
                ViewFormat::Table => print!("{}", render_violations(ctx, &v)),
            }
            Ok(if v.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        RiskCommand::Targets { format } => {
            let d = tekigo_risk::derive(&l.doc.model);
            warn_if_inconsistent(ctx, &l)?;
            match format {
                ViewFormat::Json => emit(&json(&d)?, None, false)?,
                ViewFormat::Table => print!("{}", render_targets(&d, ctx.lang)),
            }
            Ok(ExitCode::SUCCESS)
        }
        RiskCommand::Feasibility { format } => {
            let d = tekigo_risk::derive(&l.doc.model);
            let f = tekigo_risk::feasibility(&l.project, &ctx.catalog, &l.doc.model, &d)?;
            warn_if_inconsistent(ctx, &l)?;
            match format {
                ViewFormat::Json => emit(&json(&f)?, None, false)?,
                ViewFormat::Table => print!("{}", render_feasibility(&f, ctx.lang)),
            }
            Ok(if f.iter().all(|z| z.feasible) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        RiskCommand::ApplyTargets { format } => apply_targets(ctx, &l, format),
        RiskCommand::Draw(args) => {
            let d = tekigo_risk::derive(&l.doc.model);
            let text = match args.format {
                DrawFormat::Svg => tekigo_risk::draw::svg(&l.doc.model, &d, ctx.lang)?,
                DrawFormat::Dot => tekigo_risk::draw::dot(&l.doc.model, &d, ctx.lang)?,
            };
            emit(text.as_bytes(), args.output.as_deref(), false)?;
            Ok(ExitCode::SUCCESS)
        }
        RiskCommand::Report(args) => {
            let d = tekigo_risk::derive(&l.doc.model);
            let v = violations(ctx, &l)?;
            let f = tekigo_risk::feasibility(&l.project, &ctx.catalog, &l.doc.model, &d)?;
            let input = ReportInput {
                doc: &l.doc,
                catalog: &ctx.catalog,
                project: &l.project.config.product.name,
                derivation: &d,
                violations: &v,
                feasibility: &f,
                lang: if ctx.lang_given {
                    ctx.lang
                } else {
                    l.project.config.language
                },
            };
            let (bytes, binary) = match args.format {
                RiskReportFormat::Html => (tekigo_risk::report::html(&input)?.into_bytes(), false),
                RiskReportFormat::Pdf => (
                    tekigo_risk::report::pdf(&input, args.font_dir.as_deref())?,
                    true,
                ),
            };
            emit(&bytes, args.output.as_deref(), binary)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Targets and feasibility still print for a model that breaks rules (a half-finished model
/// is worth discussing), but say so on standard error.
fn warn_if_inconsistent(ctx: &Context, l: &Loaded) -> Result<()> {
    let n = violations(ctx, l)?.len();
    if n > 0 {
        eprintln!(
            "{}: {}",
            tr(ctx.lang, "error.warning"),
            fill(ctx.lang, "risk.inconsistent", &[("n", &n)])
        );
    }
    Ok(())
}

fn render_violations(ctx: &Context, v: &[Violation]) -> String {
    let l = ctx.lang;
    if v.is_empty() {
        return format!("{}\n", tr(l, "risk.consistent"));
    }
    let mut t = table(&[
        tr(l, "col.rule"),
        tr(l, "col.zcr"),
        tr(l, "col.element"),
        tr(l, "col.line"),
        tr(l, "col.problem"),
    ]);
    for x in v {
        t.add_row(vec![
            x.rule.clone(),
            x.zcr.clone().unwrap_or_default(),
            x.element.clone(),
            x.line.map(|l| l.to_string()).unwrap_or_default(),
            x.message.get(ctx.lang).to_string(),
        ]);
    }
    format!("{t}\n{}\n", fill(l, "risk.violations", &[("n", &v.len())]))
}

fn vector(v: &[Level; 7]) -> String {
    SlVector(*v).to_string()
}

fn render_targets(d: &Derivation, l: Lang) -> String {
    let mut out = String::new();
    for (kind, list) in [("risk.zone", &d.zones), ("risk.conduit", &d.conduits)] {
        for t in list {
            out.push_str(&format!(
                "{} {}: SL-T {}",
                tr(l, kind),
                t.id,
                vector(&t.sl_t)
            ));
            if t.sl_t_override.is_some() {
                out.push_str(&fill(
                    l,
                    "risk.override",
                    &[("vector", &vector(&t.derived))],
                ));
            }
            out.push('\n');
            let mut tab = table(&[
                tr(l, "col.step"),
                tr(l, "col.threat"),
                tr(l, "col.threat_type"),
                tr(l, "col.likelihood_consequence"),
                tr(l, "col.risk"),
                tr(l, "col.row_sl"),
                tr(l, "col.vector"),
            ]);
            for s in &t.steps {
                let row = match s {
                    Step::Risk {
                        risk,
                        threat,
                        threat_type,
                        likelihood,
                        consequence,
                        cell,
                        row_sl,
                        contribution,
                        ..
                    } => vec![
                        risk.clone(),
                        threat.clone(),
                        threat_type.clone(),
                        format!("{likelihood} × {consequence}"),
                        cell.clone(),
                        row_sl.to_string(),
                        vector(contribution),
                    ],
                    Step::Inherit { zone, contribution } => vec![
                        format!("{} {zone}", tr(l, "risk.zone")),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        vector(contribution),
                    ],
                    Step::Skipped { risk, reason } => vec![
                        risk.clone(),
                        fill(l, "risk.skipped", &[("reason", reason)]),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ],
                };
                tab.add_row(row);
            }
            if !t.steps.is_empty() {
                out.push_str(&format!("{tab}\n"));
            }
        }
    }
    out
}

fn render_feasibility(f: &[tekigo_risk::ZoneFeasibility], l: Lang) -> String {
    let mut out = String::new();
    for z in f {
        out.push_str(&format!(
            "{} {}: SL-T {} · {} · {}\n",
            tr(l, "risk.zone"),
            z.zone,
            vector(&z.sl_t),
            fill(
                l,
                "risk.feasibility_line",
                &[("n", &z.system_requirements.len())]
            ),
            tr(
                l,
                match (z.components.is_empty(), z.feasible) {
                    (true, true) => "risk.no_component",
                    (false, true) => "risk.reachable",
                    (_, false) => "risk.gap",
                }
            )
        ));
        let mut tail = String::new();
        for s in &z.system {
            tail.push_str(&format!("  {}\n", system_line(l, s)));
        }
        for c in &z.conduits {
            let level = match c.system.is_empty() {
                true => tr(l, "risk.not_assessed").to_string(),
                false => c
                    .system
                    .iter()
                    .map(|s| system_line(l, s))
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            tail.push_str(&format!(
                "  {} {}: SL-T {} · {} · {}\n",
                tr(l, "risk.conduit"),
                c.conduit,
                vector(&c.sl_t),
                level,
                tr(
                    l,
                    if c.short {
                        "risk.conduit_short"
                    } else {
                        "risk.conduit_reaches"
                    }
                )
            ));
            for m in &c.countermeasures {
                tail.push_str(&format!(
                    "    {}\n",
                    fill(l, "risk.register_countermeasure", &[("text", &m.get(l))])
                ));
            }
        }
        if z.components.is_empty() {
            out.push_str(&tail);
            continue;
        }
        let mut t = table(&[
            tr(l, "col.asset"),
            tr(l, "col.component"),
            tr(l, "col.assessment_42"),
            tr(l, "col.with_compensating"),
            tr(l, "col.gap"),
        ]);
        for c in &z.components {
            t.add_row(vec![
                c.asset.clone(),
                c.component.clone(),
                c.assessment
                    .clone()
                    .or_else(|| {
                        let claim = c.claim.as_ref()?;
                        Some(fill(l, "risk.claim", &[("claim", claim)]))
                    })
                    .unwrap_or_else(|| tr(l, "risk.none").into()),
                c.achieved.map(|a| vector(&a)).unwrap_or_default(),
                c.gap.map(|g| vector(&g)).unwrap_or_default(),
            ]);
        }
        out.push_str(&format!("{t}\n{tail}"));
    }
    out
}

/// One 3-3 assessment's SL-A against SL-T, with the countermeasures it counts.
fn system_line(l: Lang, s: &tekigo_risk::SystemLevel) -> String {
    let mut line = fill(
        l,
        "risk.sl_a",
        &[
            ("id", &s.assessment as &dyn std::fmt::Display),
            ("sl_a", &vector(&s.sl_a)),
            ("projected", &vector(&s.projected)),
            ("gap", &vector(&s.gap)),
        ],
    );
    for c in &s.countermeasures {
        line.push_str(&format!(
            "\n    {}",
            fill(l, "risk.zone_countermeasure", &[("text", c)])
        ));
    }
    line
}

/// `risk apply-targets`: every 4-2 assessment of a component in a zone gets the zone's
/// SL-T (`tekigo_risk::component_targets` states the rule); each is checked and saved.
fn apply_targets(ctx: &Context, l: &Loaded, format: ViewFormat) -> Result<ExitCode> {
    let d = tekigo_risk::derive(&l.doc.model);
    let targets = tekigo_risk::component_targets(&l.doc.model, &d);
    let mut changes = Vec::new();
    for id in l.project.assessment_ids()? {
        let mut a = l.project.load_assessment(&ctx.catalog, &id)?;
        let (Some(old), Some(new)) = (a.target_vector(), targets.get(&a.subject.name)) else {
            continue;
        };
        if a.subject.kind != tekigo_assess::SubjectKind::Component {
            continue;
        }
        let new = SlVector(*new);
        if old != new {
            a.target = tekigo_assess::Target::SecurityLevels(new);
            l.project.save_assessment(&ctx.catalog, &a)?;
        }
        changes.push((id, a.subject.name, old, new));
    }
    match format {
        ViewFormat::Json => {
            let list: Vec<serde_json::Value> = changes
                .iter()
                .map(|(id, component, old, new)| {
                    serde_json::json!({
                        "assessment": id,
                        "component": component,
                        "before": old.0,
                        "sl_t": new.0,
                        "changed": old != new,
                    })
                })
                .collect();
            emit(&json(&list)?, None, false)?
        }
        ViewFormat::Table => {
            for (id, component, old, new) in &changes {
                let args = [
                    ("id", id as &dyn std::fmt::Display),
                    ("component", component),
                    ("before", old),
                    ("after", new),
                ];
                println!("{}", fill(ctx.lang, "risk.target_applied", &args));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
