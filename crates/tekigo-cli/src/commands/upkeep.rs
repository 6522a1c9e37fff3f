//! `tekigo cert ...`, `tekigo upkeep` and `tekigo cra ...`: keeping conformity once it is
//! won. The model and the rules are tekigo-upkeep's; this parses, calls and prints.

use crate::context::Context;
use crate::i18n::{fill, tr, UserError};
use crate::output::{emit, json, table};
use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tekigo_assess::Project;
use tekigo_catalog::Lang;
use tekigo_upkeep::certificate::{self, Certificate, Renewal, RenewalItem};
use tekigo_upkeep::cra::{self, Stage};
use tekigo_upkeep::{Clock, State};

#[derive(Subcommand)]
pub enum CertCommand {
    /// Record a certificate of a component: scheme, standard, level, validity, surveillance.
    Add(AddArgs),
    /// The project's certificates.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One certificate with its renewal items, audits and earlier periods.
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Record a new validity period; the current one is kept in the certificate's history.
    Renew(RenewArgs),
    /// Record a surveillance audit held in the current period.
    Audit {
        id: String,
        /// The day of the audit, YYYY-MM-DD.
        #[arg(long, value_parser = parse_date)]
        date: String,
        /// The audit report, stored as evidence.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Record a renewal item done: it is no longer due.
    Done {
        id: String,
        /// The item's text, as `cert show` lists it.
        #[arg(long)]
        item: String,
        /// The day it was done, YYYY-MM-DD.
        #[arg(long, value_parser = parse_date)]
        date: String,
        /// What shows it done (a report, a submission receipt), stored as evidence.
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct AddArgs {
    /// The certificate's id in this project (its file is certificates/ID.yaml).
    #[arg(long)]
    pub id: String,
    /// The scheme: ISASecure CSA, ISASecure SDLA, IECEE CB, a national or private scheme.
    #[arg(long)]
    pub scheme: String,
    /// The certification body.
    #[arg(long)]
    pub body: Option<String>,
    /// The certificate number.
    #[arg(long)]
    pub number: Option<String>,
    /// The standard certified against: 62443-4-2, 62443-3-3, 62443-4-1, 62443-2-1.
    #[arg(long)]
    pub standard: String,
    /// The level: 2 or seven levels (2,2,2,2,2,2,2) for SL-C, 2 or ML2 for a maturity level.
    #[arg(long)]
    pub level: String,
    /// The component in tekigo.yaml.
    #[arg(long)]
    pub component: String,
    /// The releases covered, in the scheme's words (2.1.x).
    #[arg(long)]
    pub releases: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    pub issued: String,
    /// YYYY-MM-DD, the last day of validity.
    #[arg(long, value_parser = parse_date)]
    pub expires: String,
    /// Months between surveillance audits.
    #[arg(long)]
    pub surveillance_months: Option<u32>,
    /// A renewal item the scheme names, "TEXT@YYYY-MM-DD" (repeatable).
    #[arg(long = "renewal-item", value_parser = RenewalItem::parse)]
    pub renewal_items: Vec<RenewalItem>,
    /// The certificate file, stored as evidence.
    #[arg(long)]
    pub file: Option<PathBuf>,
}

#[derive(Args)]
pub struct RenewArgs {
    pub id: String,
    /// YYYY-MM-DD: the start of the new period.
    #[arg(long, value_parser = parse_date)]
    pub issued: String,
    /// YYYY-MM-DD: the last day of the new period.
    #[arg(long, value_parser = parse_date)]
    pub expires: String,
    /// The new certificate number, if it changed.
    #[arg(long)]
    pub number: Option<String>,
    /// The level of the new period, if it changed.
    #[arg(long)]
    pub level: Option<String>,
    /// The renewal items of the new period, "TEXT@YYYY-MM-DD" (repeatable).
    #[arg(long = "renewal-item", value_parser = RenewalItem::parse)]
    pub renewal_items: Vec<RenewalItem>,
    /// The new certificate file, stored as evidence.
    #[arg(long)]
    pub file: Option<PathBuf>,
}

#[derive(Args)]
pub struct UpkeepArgs {
    /// Judge as of this day (YYYY-MM-DD, its first moment in UTC) or moment (RFC 3339)
    /// instead of now, for every rule.
    #[arg(long)]
    pub today: Option<String>,
    /// List what falls due within this many days (overdue items are always listed).
    #[arg(long, default_value_t = 30)]
    pub within: u32,
    #[arg(long, value_enum, default_value_t = UpkeepFormat::Table)]
    pub format: UpkeepFormat,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum CraCommand {
    /// Flag a vulnerability as actively exploited: starts the EU CRA Art. 14(2) clocks
    /// (early warning 24 h, notification 72 h, final report 14 days after a fix).
    Flag {
        vulnerability: String,
        /// The affected component (needed the first time).
        #[arg(long)]
        component: Option<String>,
        /// When the manufacturer became aware, RFC 3339 (default: now).
        #[arg(long)]
        aware_at: Option<String>,
        /// YYYY-MM-DD: the day a corrective or mitigating measure became available.
        #[arg(long, value_parser = parse_date)]
        fix_available: Option<String>,
    },
    /// Record a report made to the CSIRT / ENISA; its clock stops.
    Reported {
        vulnerability: String,
        #[arg(long, value_enum)]
        stage: StageArg,
        /// When it was reported, RFC 3339 (default: now).
        #[arg(long)]
        at: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StageArg {
    EarlyWarning,
    Notification,
    Final,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum UpkeepFormat {
    Table,
    Json,
    Ical,
}

fn parse_date(s: &str) -> Result<String, String> {
    match tekigo_assess::date_error(s) {
        None => Ok(s.to_string()),
        Some(m) => Err(m),
    }
}

fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// Stores a file as evidence and returns its hash.
fn store(project: &Project, file: &std::path::Path) -> Result<String> {
    crate::i18n::read_file(file)?;
    Ok(project.evidence().add_file(file)?.sha256)
}

pub fn cert(ctx: &Context, cmd: CertCommand) -> Result<ExitCode> {
    let project = super::assess::project()?;
    let l = ctx.lang;
    match cmd {
        CertCommand::Add(a) => {
            let path = certificate::path(&project, &a.id)?;
            if path.exists() {
                bail!(
                    "{}: certificate {:?} exists; use `tekigo cert renew` for a new period",
                    path.display(),
                    a.id
                );
            }
            let level = certificate::level_text(&ctx.catalog, &a.standard, &a.level)
                .map_err(|m| anyhow::anyhow!("--level: {m}"))?;
            let mut cert = Certificate {
                id: a.id,
                scheme: a.scheme,
                body: a.body,
                number: a.number,
                standard: a.standard,
                level,
                component: a.component,
                releases: a.releases,
                issued: a.issued,
                expires: a.expires,
                surveillance_months: a.surveillance_months,
                renewal_items: a.renewal_items,
                evidence: Vec::new(),
                audits: Vec::new(),
                history: Vec::new(),
            };
            if let Some(f) = &a.file {
                cert.evidence.push(store(&project, f)?);
            }
            certificate::save(&project, &ctx.catalog, &cert)?;
            eprintln!(
                "{}",
                fill(
                    l,
                    "cert.added",
                    &[("id", &cert.id), ("expires", &cert.expires)]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        CertCommand::List { format } => {
            let certs = certificate::load_all(&project, &ctx.catalog)?;
            match format {
                Format::Json => emit(&json(&certs)?, None, false)?,
                Format::Table => {
                    let mut t = table(&[
                        tr(l, "col.id"),
                        tr(l, "col.scheme"),
                        tr(l, "col.standard"),
                        tr(l, "col.sl"),
                        tr(l, "col.component"),
                        tr(l, "col.issued"),
                        tr(l, "col.expires"),
                    ]);
                    for c in &certs {
                        t.add_row(vec![
                            c.id.clone(),
                            c.scheme.clone(),
                            c.standard.clone(),
                            c.level.clone(),
                            c.component.clone(),
                            c.issued.clone(),
                            c.expires.clone(),
                        ]);
                    }
                    println!("{t}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CertCommand::Show { id, format } => {
            let c = certificate::load(&project, &ctx.catalog, &id)?;
            match format {
                Format::Json => emit(&json(&c)?, None, false)?,
                Format::Table => print!("{}", render_cert(l, &c)),
            }
            Ok(ExitCode::SUCCESS)
        }
        CertCommand::Renew(a) => {
            let mut c = certificate::load(&project, &ctx.catalog, &a.id)?;
            let level = match &a.level {
                Some(given) => Some(
                    certificate::level_text(&ctx.catalog, &c.standard, given)
                        .map_err(|m| anyhow::anyhow!("--level: {m}"))?,
                ),
                None => None,
            };
            c.renew(Renewal {
                issued: a.issued,
                expires: a.expires,
                number: a.number,
                level,
                renewal_items: a.renewal_items,
                today: tekigo_assess::today(),
            });
            if let Some(f) = &a.file {
                c.evidence.push(store(&project, f)?);
            }
            certificate::save(&project, &ctx.catalog, &c)?;
            eprintln!(
                "{}",
                fill(
                    l,
                    "cert.renewed",
                    &[
                        ("id", &c.id),
                        ("expires", &c.expires),
                        ("periods", &c.history.len())
                    ]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        CertCommand::Audit { id, date, file } => {
            let mut c = certificate::load(&project, &ctx.catalog, &id)?;
            c.audits.push(date);
            if let Some(f) = &file {
                c.evidence.push(store(&project, f)?);
            }
            certificate::save(&project, &ctx.catalog, &c)?;
            eprintln!(
                "{}",
                fill(l, "cert.audit", &[("id", &c.id), ("n", &c.audits.len())])
            );
            Ok(ExitCode::SUCCESS)
        }
        CertCommand::Done {
            id,
            item,
            date,
            file,
        } => {
            let mut c = certificate::load(&project, &ctx.catalog, &id)?;
            c.complete_item(&item, &date).map_err(|open| {
                UserError::new(
                    "cert.not_open",
                    &[
                        ("id", c.id.clone()),
                        ("item", item.trim().to_string()),
                        (
                            "open",
                            if open.is_empty() {
                                "-".into()
                            } else {
                                open.join(" | ")
                            },
                        ),
                    ],
                )
            })?;
            if let Some(f) = &file {
                c.evidence.push(store(&project, f)?);
            }
            certificate::save(&project, &ctx.catalog, &c)?;
            eprintln!(
                "{}",
                fill(
                    l,
                    "cert.done",
                    &[("id", &c.id), ("item", &item.trim()), ("date", &date)]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn render_cert(l: Lang, c: &Certificate) -> String {
    let mut t = table(&[tr(l, "col.field"), tr(l, "col.value")]);
    let mut row = |k: &str, v: &str| {
        t.add_row(vec![tr(l, k).to_string(), v.to_string()]);
    };
    row("col.id", &c.id);
    row("col.scheme", &c.scheme);
    row("col.body", c.body.as_deref().unwrap_or("-"));
    row("col.number", c.number.as_deref().unwrap_or("-"));
    row("col.standard", &c.standard);
    row("col.sl", &c.level);
    row("col.component", &c.component);
    row("col.releases", c.releases.as_deref().unwrap_or("-"));
    row("col.issued", &c.issued);
    row("col.expires", &c.expires);
    let cycle = c
        .surveillance_months
        .map(|n| fill(l, "cert.months", &[("n", &n)]))
        .unwrap_or_else(|| "-".into());
    row("col.surveillance", &cycle);
    let audits = if c.audits.is_empty() {
        "-".to_string()
    } else {
        c.audits.join(", ")
    };
    row("col.audits", &audits);
    let mut out = format!("{t}\n");
    if !c.renewal_items.is_empty() {
        let mut t = table(&[tr(l, "col.item"), tr(l, "col.due"), tr(l, "col.done")]);
        for r in &c.renewal_items {
            t.add_row(vec![
                r.item.clone(),
                r.due.clone(),
                r.done.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    if !c.history.is_empty() {
        let mut t = table(&[
            tr(l, "col.issued"),
            tr(l, "col.expires"),
            tr(l, "col.number"),
            tr(l, "col.sl"),
            tr(l, "col.renewed"),
        ]);
        for p in &c.history {
            t.add_row(vec![
                p.issued.clone(),
                p.expires.clone(),
                p.number.clone().unwrap_or_else(|| "-".into()),
                p.level.clone(),
                p.renewed.clone(),
            ]);
        }
        out.push_str(&format!("{}\n{t}\n", tr(l, "cert.history")));
    }
    out
}

pub fn upkeep(ctx: &Context, args: UpkeepArgs) -> Result<ExitCode> {
    let project = super::assess::project()?;
    let l = ctx.lang;
    let now = match &args.today {
        Some(t) => tekigo_upkeep::parse_now(t).map_err(|m| anyhow::anyhow!("--today: {m}"))?,
        None => now(),
    };
    let clock = Clock {
        now,
        within_days: args.within,
    };
    let items = tekigo_upkeep::upkeep(&project, &ctx.catalog, clock, l)?;
    let overdue = items.iter().filter(|i| i.state == State::Overdue).count();
    match args.format {
        UpkeepFormat::Json => emit(&json(&items)?, args.output.as_deref(), false)?,
        UpkeepFormat::Ical => {
            let name = fill(
                l,
                "upkeep.calendar",
                &[("product", &project.config.product.name)],
            );
            let text = tekigo_upkeep::ical::render(&items, now, &name, l);
            emit(text.as_bytes(), args.output.as_deref(), false)?
        }
        UpkeepFormat::Table => {
            let mut out = String::new();
            if items.is_empty() {
                out.push_str(&fill(l, "upkeep.nothing", &[("days", &args.within)]));
                out.push('\n');
            } else {
                let mut t = table(&[
                    tr(l, "col.state"),
                    tr(l, "col.due"),
                    tr(l, "col.left"),
                    tr(l, "col.kind"),
                    tr(l, "col.upkeep_subject"),
                ]);
                for i in &items {
                    let left = match i.hours_left {
                        Some(h) => fill(l, "upkeep.hours", &[("n", &h)]),
                        None => fill(l, "upkeep.days", &[("n", &i.days_left)]),
                    };
                    t.add_row(vec![
                        tr(l, &format!("upkeep.{}", i.state.as_str())).to_string(),
                        i.due.clone(),
                        left,
                        tekigo_upkeep::title(i.kind, l).to_string(),
                        i.subject.clone(),
                    ]);
                }
                out.push_str(&format!("{t}\n{}\n", tr(l, "upkeep.rules")));
                let mut kinds: Vec<&str> = items.iter().map(|i| i.kind).collect();
                kinds.sort_by_key(|k| tekigo_upkeep::KINDS.iter().position(|x| x == k));
                kinds.dedup();
                for k in kinds {
                    out.push_str(&format!(
                        "- {}: {}\n",
                        tekigo_upkeep::title(k, l),
                        tekigo_upkeep::rule(k, l)
                    ));
                }
                out.push_str(&fill(
                    l,
                    "upkeep.count",
                    &[("overdue", &overdue), ("soon", &(items.len() - overdue))],
                ));
                out.push('\n');
            }
            emit(out.as_bytes(), args.output.as_deref(), false)?
        }
    }
    Ok(if overdue > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn cra(ctx: &Context, cmd: CraCommand) -> Result<ExitCode> {
    let project = super::assess::project()?;
    let l = ctx.lang;
    let mut file = cra::load(&project)?;
    match cmd {
        CraCommand::Flag {
            vulnerability,
            component,
            aware_at,
            fix_available,
        } => {
            let aware = match &aware_at {
                Some(t) => cra::parse_time(t)
                    .ok_or_else(|| anyhow::anyhow!("--aware-at: {t:?} is not an RFC 3339 time"))?,
                None => now(),
            };
            let e = cra::entry(&mut file, &vulnerability);
            if component.is_none() && e.component.is_none() {
                bail!(crate::i18n::UserError::new("error.upkeep_component", &[]));
            }
            if component.is_some() {
                e.component = component;
            }
            if aware_at.is_some() || e.aware_at.is_none() {
                e.aware_at = Some(cra::format_time(aware));
            }
            if fix_available.is_some() {
                e.fix_available = fix_available;
            }
            if e.flagged_by.is_none() {
                e.flagged_by = crate::context::user(None, l);
            }
            let msg = fill(
                l,
                "cra.flagged",
                &[
                    ("vuln", &e.vulnerability),
                    ("aware", &e.aware_at.as_deref().unwrap_or("")),
                ],
            );
            cra::save(&project, &file)?;
            eprintln!("{msg}");
        }
        CraCommand::Reported {
            vulnerability,
            stage,
            at,
        } => {
            let at = match &at {
                Some(t) => cra::parse_time(t)
                    .ok_or_else(|| anyhow::anyhow!("--at: {t:?} is not an RFC 3339 time"))?,
                None => now(),
            };
            let known_kev = tekigo_upkeep::inputs::watch_findings(&project)?
                .iter()
                .any(|f| {
                    f.kev
                        && f.ids()
                            .iter()
                            .any(|i| i.eq_ignore_ascii_case(vulnerability.trim()))
                });
            let flagged = file
                .vulnerabilities
                .iter()
                .any(|v| v.vulnerability.eq_ignore_ascii_case(vulnerability.trim()));
            if !flagged && !known_kev {
                bail!(
                    "{vulnerability} is neither flagged (tekigo cra flag) nor a KEV finding of the watch; \
                     nothing was recorded"
                );
            }
            let stage = match stage {
                StageArg::EarlyWarning => Stage::EarlyWarning,
                StageArg::Notification => Stage::Notification,
                StageArg::Final => Stage::Final,
            };
            let e = cra::entry(&mut file, &vulnerability);
            e.reported.insert(stage, cra::format_time(at));
            let msg = fill(
                l,
                "cra.reported",
                &[("vuln", &e.vulnerability), ("stage", &stage.as_str())],
            );
            cra::save(&project, &file)?;
            eprintln!("{msg}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
