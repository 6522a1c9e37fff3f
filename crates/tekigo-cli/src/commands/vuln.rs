//! `tekigo vulndb ...` (the local advisory database) and `tekigo vuln scan` (an SBOM against
//! it, with triage from the project and VEX files).

use crate::cli::Global;
use crate::i18n::{fill, tr, UserError};
use crate::output;
use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tekigo_catalog::Lang;
use tekigo_vex::{ComponentRef, Triage};
use tekigo_vulndb::{Db, ImportOptions};
use tekigo_vulnscan::{FindingRow, FindingState};

#[derive(Subcommand)]
pub enum VulndbCommand {
    /// Import OSV records (files, directories, zip archives), NVD CVE API 2.0 responses, CSAF
    /// 2.0 advisories, the CISA KEV catalogue, CVE JSON 5 records (the Linux kernel's) and the
    /// Debian security tracker's export; the format is recognised per file.
    Import {
        #[command(flatten)]
        db: DbArg,
        /// Files, directories or zip archives.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Skip documents that do not parse (they are listed) instead of refusing the import.
        #[arg(long)]
        keep_going: bool,
    },
    /// Records per source, records needing review, size.
    Stats {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
        format: StatsFormat,
    },
}

#[derive(Subcommand)]
pub enum KconfigCommand {
    /// Write the compact index of a kernel tree's Kbuild files, which `vuln scan
    /// --kernel-source` reads instead of the tree with the same verdicts.
    Index {
        /// The top of the kernel source tree.
        source: PathBuf,
        /// The index file to write.
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
        format: StatsFormat,
    },
}

/// `tekigo kconfig index` (the format and its rule: `tekigo_kconfig`'s `index.rs`).
pub fn run_kconfig(global: &Global, cmd: KconfigCommand) -> Result<ExitCode> {
    let lang = crate::context::lang(global.lang);
    let KconfigCommand::Index {
        source,
        output,
        format,
    } = cmd;
    crate::i18n::must_exist(&source)?;
    let files = tekigo_kconfig::build_index(&source, &output)?;
    let bytes = std::fs::metadata(&output)
        .with_context(|| output.display().to_string())?
        .len();
    match format {
        StatsFormat::Json => {
            let v = serde_json::json!({
                "source": source.display().to_string(),
                "output": output.display().to_string(),
                "kbuild_files": files,
                "bytes": bytes,
            });
            output::emit(&output::json(&v)?, None, false)?;
        }
        StatsFormat::Table => println!(
            "{}",
            fill(
                lang,
                "kconfig.indexed",
                &[
                    ("files", &files),
                    ("source", &source.display()),
                    ("output", &output.display()),
                    ("bytes", &bytes),
                ]
            )
        ),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct DbArg {
    /// The database file (or a directory to keep it in). Default: the data directory's
    /// vulndb/advisories.tkvdb.
    #[arg(long = "db", value_name = "DBPATH", env = "TEKIGO_VULNDB")]
    pub path: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StatsFormat {
    Table,
    Json,
}

#[derive(Subcommand)]
pub enum VulnCommand {
    /// Match an SBOM (CycloneDX or SPDX) against the advisory database.
    Scan(ScanArgs),
    /// Match the SBOMs of every release still in support again; record what is new in
    /// watch/findings.json and deliver it to a webhook. Exit 1 when something is new.
    Watch(WatchArgs),
}

#[derive(Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The day the support periods are compared with (YYYY-MM-DD; findings are then first
    /// seen at its 00:00 UTC). Default: today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Deliver each new finding once as a signed JSON POST to this http:// URL.
    #[arg(long, value_name = "URL", requires = "webhook_secret_file")]
    pub webhook: Option<String>,
    /// The file holding the webhook's shared secret (HMAC-SHA256 of the body in
    /// X-Tekigo-Signature).
    #[arg(long, value_name = "FILE", requires = "webhook")]
    pub webhook_secret_file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
}

#[derive(Args)]
pub struct ScanArgs {
    /// CycloneDX 1.4-1.6 (JSON, XML) or SPDX 2.3 (JSON, tag-value).
    pub sbom: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
    /// VEX documents (OpenVEX, CSAF VEX, CycloneDX VEX) whose decisions apply on top of the
    /// project's triage.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// The project whose vex/triage.yaml holds the triage (default: the current directory
    /// when it has a tekigo.yaml).
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity is open (not triaged not_affected or
    /// fixed). Findings without a severity count as at or above any level.
    #[arg(long, value_enum)]
    pub fail_on: Option<Level>,
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The device kernel's configuration (`.config`, `/boot/config-*` or `/proc/config.gz`):
    /// with --kernel-source, kernel CVEs whose fixed files are not built are suggested
    /// not_affected (vulnerable_code_not_present) with the deciding lines.
    #[arg(long, value_name = "FILE", requires = "kernel_source")]
    pub kernel_config: Option<PathBuf>,
    /// The kernel source tree the device kernel was built from (its Kbuild files are read),
    /// or the index `tekigo kconfig index` made of it (the same verdicts).
    #[arg(long, value_name = "DIR|INDEX", requires = "kernel_config")]
    pub kernel_source: Option<PathBuf>,
    /// Only parse the SBOM and stop (for measuring the scan against the parse).
    #[arg(long, hide = true)]
    pub parse_only: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl From<Level> for tekigo_vulnscan::Level {
    fn from(l: Level) -> tekigo_vulnscan::Level {
        match l {
            Level::Low => tekigo_vulnscan::Level::Low,
            Level::Medium => tekigo_vulnscan::Level::Medium,
            Level::High => tekigo_vulnscan::Level::High,
            Level::Critical => tekigo_vulnscan::Level::Critical,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ScanFormat {
    Table,
    Json,
    Sarif,
}

fn db_path(global: &Global, arg: &DbArg) -> Result<PathBuf> {
    if let Some(p) = &arg.path {
        return Ok(p.clone());
    }
    let data = match &global.data_dir {
        Some(d) => d.clone(),
        None => dirs::data_dir()
            .map(|d| d.join("tekigo"))
            .ok_or_else(|| UserError::new("error.no_data_dir_db", &[]))?,
    };
    Ok(data.join("vulndb").join(tekigo_vulndb::FILE_NAME))
}

/// The advisory database the command names, which must exist (an empty one would find
/// nothing and look like good news).
pub fn open_db(global: &Global, arg: &DbArg) -> Result<Db> {
    let path = db_path(global, arg)?;
    let resolved = tekigo_vulndb::resolve_path(&path);
    if !resolved.exists() {
        bail!(UserError::new(
            "error.no_vulndb",
            &[
                ("path", resolved.display().to_string()),
                ("db", path.display().to_string()),
            ],
        ));
    }
    // The usual troubles with a database file, in the user's language (the detail of a
    // damaged one stays as tekigo-vulndb words it, as the cause).
    let shown = resolved.display().to_string();
    Db::open(&path).map_err(|e| match e {
        tekigo_vulndb::DbError::OtherFormat { found, .. } => UserError::new(
            "error.vulndb_format",
            &[("path", shown), ("found", found.to_string())],
        )
        .into(),
        tekigo_vulndb::DbError::Corrupt { .. } => anyhow::Error::new(e)
            .context(UserError::new("error.vulndb_damaged", &[("path", shown)])),
        other => other.into(),
    })
}

pub fn run_vulndb(global: &Global, cmd: VulndbCommand) -> Result<ExitCode> {
    match cmd {
        VulndbCommand::Import {
            db,
            paths,
            keep_going,
        } => {
            let path = db_path(global, &db)?;
            let lang = crate::context::lang(global.lang);
            let spinner = output::Spinner::counting(tr(lang, "vuln.import_progress"));
            let opts = ImportOptions {
                keep_going,
                progress: spinner.bar().cloned(),
            };
            for p in &paths {
                crate::i18n::must_exist(p)?;
            }
            let r = tekigo_vulndb::import(&path, &paths, &opts).map_err(import_error)?;
            drop(spinner);
            for rejected in &r.rejected {
                eprintln!("{}", fill(lang, "vuln.skipped", &[("what", rejected)]));
            }
            println!(
                "{}",
                fill(
                    lang,
                    "vulndb.imported",
                    &[
                        ("documents", &r.documents),
                        ("added", &r.added),
                        ("updated", &r.updated),
                        ("unchanged", &r.unchanged),
                        ("review", &r.needs_review),
                        ("total", &r.total),
                        ("path", &tekigo_vulndb::resolve_path(&path).display()),
                    ]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        VulndbCommand::Stats { db, format } => {
            let path = db_path(global, &db)?;
            let db = Db::open(&path)?;
            let size = std::fs::metadata(db.path()).map(|m| m.len()).unwrap_or(0);
            let meta = db.meta();
            match format {
                StatsFormat::Json => {
                    #[derive(Serialize)]
                    struct Stats<'a> {
                        path: String,
                        records: usize,
                        by_source: &'a std::collections::BTreeMap<String, u64>,
                        needs_review: u64,
                        keys: u64,
                        bytes: u64,
                        created_unix: u64,
                    }
                    let s = Stats {
                        path: db.path().display().to_string(),
                        records: db.len(),
                        by_source: &meta.records,
                        needs_review: meta.needs_review,
                        keys: meta.keys,
                        bytes: size,
                        created_unix: meta.created_unix,
                    };
                    output::emit(&output::json(&s)?, None, false)?;
                }
                StatsFormat::Table => {
                    let mut t = output::table(&["", ""]);
                    t.add_row(vec![
                        "database".to_string(),
                        db.path().display().to_string(),
                    ]);
                    t.add_row(vec!["records".to_string(), db.len().to_string()]);
                    for (source, n) in &meta.records {
                        t.add_row(vec![format!("  {source}"), n.to_string()]);
                    }
                    t.add_row(vec![
                        "need review".to_string(),
                        meta.needs_review.to_string(),
                    ]);
                    t.add_row(vec!["index keys".to_string(), meta.keys.to_string()]);
                    t.add_row(vec![
                        "size".to_string(),
                        format!("{:.1} MB", size as f64 / 1e6),
                    ]);
                    println!("{t}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn run_vuln(global: &Global, cmd: VulnCommand) -> Result<ExitCode> {
    match cmd {
        VulnCommand::Scan(args) => scan(global, args),
        VulnCommand::Watch(args) => watch(global, args),
    }
}

/// `tekigo vuln watch` (rules: `tekigo_release::watch`).
fn watch(global: &Global, args: WatchArgs) -> Result<ExitCode> {
    let lang = crate::context::lang(global.lang);
    let project = crate::commands::assess::project()?;
    let (today, now) = match &args.today {
        Some(d) => {
            if let Some(why) = tekigo_assess::date_error(d) {
                bail!("--today {d}: {why}");
            }
            (d.clone(), format!("{d}T00:00:00Z"))
        }
        None => (tekigo_assess::today(), tekigo_assess::now_rfc3339()),
    };
    let hook = match (&args.webhook, &args.webhook_secret_file) {
        (Some(url), Some(secret)) => Some(tekigo_release::webhook::Webhook::new(url, secret)?),
        _ => None,
    };
    let db = open_db(global, &args.db)?;
    let product = project.config.product.support_until.as_deref();
    let outcome = tekigo_release::watch::watch(&project.root, product, &db, &today, &now)?;
    let delivered = match &hook {
        Some(h) => Some(tekigo_release::webhook::deliver_pending(
            &project.root,
            &project.config.product.name,
            h,
            &tekigo_assess::now_rfc3339(),
        )?),
        None => None,
    };
    match args.format {
        StatsFormat::Json => {
            let new: Vec<serde_json::Value> = outcome
                .new
                .iter()
                .map(|f| {
                    serde_json::to_value(tekigo_release::webhook::payload(
                        &project.config.product.name,
                        f,
                    ))
                })
                .collect::<serde_json::Result<_>>()?;
            let v = serde_json::json!({
                "watched": outcome.watched,
                "past_support": outcome.past_support.iter().map(|(v, d)| serde_json::json!({"release": v, "support_until": d})).collect::<Vec<_>>(),
                "new": new,
                "delivered": delivered,
            });
            output::emit(&output::json(&v)?, None, false)?;
        }
        StatsFormat::Table => print_watch(
            lang,
            outcome.watched.len(),
            &outcome.past_support,
            &outcome.new,
            delivered.as_ref(),
        ),
    }
    if let Some(d) = &delivered {
        delivery_failures(lang, d)?;
    }
    Ok(if outcome.new.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A watch run as a table: `tekigo vuln watch`, and each project of `tekigo server
/// vulndb-import`.
pub fn print_watch(
    lang: tekigo_catalog::Lang,
    watched: usize,
    past_support: &[(String, String)],
    new: &[tekigo_release::watch::WatchFinding],
    delivered: Option<&tekigo_release::webhook::Delivered>,
) {
    println!(
        "{}",
        fill(
            lang,
            "watch.summary",
            &[
                ("watched", &watched),
                ("new", &new.len()),
                ("kev", &new.iter().filter(|f| f.kev).count()),
            ]
        )
    );
    for (v, d) in past_support {
        println!(
            "{}",
            fill(lang, "watch.past_support", &[("release", v), ("date", d)])
        );
    }
    for f in new {
        let clock = match f.cra_clock() {
            Some((early, notify)) => fill(
                lang,
                "watch.cra_clock",
                &[("early", &early), ("notify", &notify)],
            ),
            None => String::new(),
        };
        println!(
            "  {} {} ({}) {clock}",
            f.vulnerability, f.component, f.release
        );
    }
    if let Some(d) = delivered {
        println!("{}", fill(lang, "watch.delivered", &[("n", &d.sent)]));
        if d.not_affected > 0 {
            println!(
                "{}",
                fill(lang, "watch.not_affected", &[("n", &d.not_affected)])
            );
        }
    }
}

/// Findings the webhook did not accept are an error (exit 2); they stay pending.
pub fn delivery_failures(
    lang: tekigo_catalog::Lang,
    d: &tekigo_release::webhook::Delivered,
) -> Result<()> {
    if !d.failed.is_empty() {
        bail!(
            "{}\n  {}",
            fill(lang, "watch.delivery_failed", &[("n", &d.failed.len())]),
            d.failed.join("\n  ")
        );
    }
    Ok(())
}

fn scan(global: &Global, args: ScanArgs) -> Result<ExitCode> {
    crate::i18n::must_exist(&args.sbom)?;
    if args.parse_only {
        let sbom = tekigo_sbom::Sbom::from_path(&args.sbom).map_err(sbom_error)?;
        println!("{} components", sbom.components.len());
        return Ok(ExitCode::SUCCESS);
    }
    // What the matching needs comes first: a JSON scan reads the SBOM while it matches.
    let db = open_db(global, &args.db)?;
    let triage = load_triage(&args, crate::context::lang(global.lang))?;
    let kernel = match (&args.kernel_config, &args.kernel_source) {
        (Some(config), Some(source)) => {
            crate::i18n::must_exist(config)?;
            crate::i18n::must_exist(source)?;
            Some(tekigo_vulnscan::Kernel::new(
                tekigo_kconfig::Config::read(config)?,
                tekigo_kconfig::Tree::open(source)?,
            ))
        }
        _ => None,
    };
    let threshold: Option<tekigo_vulnscan::Level> = args.fail_on.map(Into::into);
    // A kernel's CVEs against its Kbuild files take seconds. JSON and SARIF are written as
    // they are found: to a terminal that is its own progress, under a spinner a garble.
    let l = crate::context::lang(global.lang);
    let streamed = matches!(args.format, ScanFormat::Json | ScanFormat::Sarif);
    if streamed {
        roomy_heap();
    }
    let spinner =
        (!(streamed && args.output.is_none() && std::io::stdout().is_terminal())).then(|| {
            output::Spinner::start(tr(
                l,
                match kernel {
                    Some(_) => "vuln.matching_kernel",
                    None => "vuln.matching",
                },
            ))
        });
    if matches!(args.format, ScanFormat::Json) {
        // Written as found, never held as rows (see `write_findings_json`).
        let (sbom, found) = output::emit_with(args.output.as_deref(), false, |out| {
            let found = tekigo_vulnscan::scan_file_json(
                &args.sbom,
                &db,
                triage.as_ref(),
                kernel.as_ref(),
                threshold,
                out,
            )
            .map_err(scan_error)?;
            out.write_all(b"\n")?;
            Ok(found)
        })?;
        drop(spinner);
        for w in sbom.warnings.iter().chain(&found.warnings) {
            crate::i18n::warn(l, w);
        }
        let failing = found.failing;
        // The process ends next: handing every string back to the allocator one by one
        // costs milliseconds of a scan measured against the SBOM's parse time, for memory
        // the exit returns anyway (compilers' drivers skip freeing at exit likewise).
        std::mem::forget(found);
        return Ok(exit(failing));
    }
    if matches!(args.format, ScanFormat::Table) {
        // Only the cells are kept of each row, as it is made (see `scan_file_rows`).
        let (mut cells, mut failing, mut warnings) = (Vec::new(), false, Vec::new());
        let sbom = tekigo_vulnscan::scan_file_rows(
            &args.sbom,
            &db,
            triage.as_ref(),
            kernel.as_ref(),
            TableChunk::default,
            |chunk, row| {
                chunk.failing |= threshold.is_some_and(|t| row.fails(t));
                chunk.cells.push(table_cells(&row, l));
            },
            |chunk, w| {
                cells.append(&mut chunk.cells);
                failing |= std::mem::take(&mut chunk.failing);
                warnings.extend_from_slice(w);
                Ok(())
            },
        )
        .map_err(scan_error)?;
        drop(spinner);
        for w in sbom.warnings.iter().chain(&warnings) {
            crate::i18n::warn(l, w);
        }
        // What the matching held (the database's key blocks, a kernel tree's Kbuild files)
        // goes before the table is made: making it holds the text several times over.
        drop((sbom, db, triage, kernel));
        output::emit_with(args.output.as_deref(), false, |out| {
            let to_terminal = args.output.is_none() && output::stdout_is_terminal();
            Ok(write_table(out, to_terminal, cells, l)?)
        })?;
        return Ok(exit(failing));
    }
    // SARIF, written as found like the JSON: each result as its row is made, the rules
    // (one per vulnerability, in the order first found) kept for the end.
    let uri = args.sbom.display().to_string();
    let (sbom, warnings, failing) = output::emit_with(args.output.as_deref(), false, |out| {
        // The document without results or rules, pretty-printed: what goes around them.
        let skeleton = serde_json::to_string_pretty(&sarif_skeleton())?;
        let (head, rest) = skeleton
            .split_once("\"results\": []")
            .context("the SARIF skeleton has no results")?;
        let (middle, tail) = rest
            .split_once("\"rules\": []")
            .context("the SARIF skeleton has no rules")?;
        let (mut results, mut failing, mut warnings) = (0, false, Vec::new());
        let mut rules: Vec<SarifRule<'static>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // The head is written with the first chunk, which comes only once the whole SBOM
        // has read without error: an invalid SBOM writes nothing, as with JSON.
        let mut started = false;
        let mut start = |out: &mut dyn std::io::Write| -> std::io::Result<()> {
            if !std::mem::replace(&mut started, true) {
                out.write_all(head.as_bytes())?;
                out.write_all(b"\"results\": [")?;
            }
            Ok(())
        };
        let sbom = tekigo_vulnscan::scan_file_rows(
            &args.sbom,
            &db,
            triage.as_ref(),
            kernel.as_ref(),
            || SarifChunk {
                results: tekigo_vulnscan::PrettyItems::for_chunk(),
                ..SarifChunk::default()
            },
            |chunk, row| chunk.push(&row, &uri, threshold),
            |chunk, w| {
                if let Some(e) = chunk.results.error.take() {
                    return Err(tekigo_vulnscan::ScanError::Json(e));
                }
                start(out).map_err(tekigo_vulnscan::ScanError::Io)?;
                if chunk.results.count > 0 {
                    out.write_all(if results == 0 { b"\n" } else { b",\n" })
                        .and_then(|()| out.write_all(&chunk.results.json))
                        .map_err(tekigo_vulnscan::ScanError::Io)?;
                }
                results += chunk.results.count;
                failing |= chunk.failing;
                rules.extend(chunk.rules.drain(..).filter(|r| seen.insert(r.id.clone())));
                warnings.extend_from_slice(w);
                chunk.clear();
                Ok(())
            },
        )
        .map_err(scan_error)?;
        start(out)?;
        // A list's `]` is indented as its key, one level above its items.
        let close = |items_depth: usize| format!("\n{}]", "  ".repeat(items_depth - 1));
        if results == 0 {
            out.write_all(b"]")?;
        } else {
            out.write_all(close(SARIF_RESULT_DEPTH).as_bytes())?;
        }
        out.write_all(middle.as_bytes())?;
        out.write_all(b"\"rules\": [")?;
        let mut items = tekigo_vulnscan::PrettyItems::default();
        for rule in &rules {
            items.push(rule, SARIF_RULE_DEPTH);
        }
        if let Some(e) = items.error {
            return Err(e.into());
        }
        if items.count == 0 {
            out.write_all(b"]")?;
        } else {
            out.write_all(b"\n")?;
            out.write_all(&items.json)?;
            out.write_all(close(SARIF_RULE_DEPTH).as_bytes())?;
        }
        out.write_all(tail.as_bytes())?;
        out.write_all(b"\n")?;
        Ok((sbom, warnings, failing))
    })?;
    drop(spinner);
    for w in sbom.warnings.iter().chain(&warnings) {
        crate::i18n::warn(l, w);
    }
    Ok(exit(failing))
}

/// A scan that failed, its cause worded by whoever made it: an SBOM that cannot be read in
/// the user's language (`sbom_error`); the writing of the output is told by `emit_with`.
fn scan_error(e: tekigo_vulnscan::ScanError) -> anyhow::Error {
    match e {
        tekigo_vulnscan::ScanError::Sbom(e) => sbom_error(e),
        tekigo_vulnscan::ScanError::Io(e) => anyhow::Error::new(e),
        tekigo_vulnscan::ScanError::Db(e) => anyhow::Error::new(e),
        tekigo_vulnscan::ScanError::Json(e) => anyhow::Error::new(e),
    }
}

/// Why an import failed, in the user's language where tekigo words it: an advisory file it
/// cannot read (its origin, then the parser's words and line as the cause) or a database
/// another import holds.
fn import_error(e: tekigo_vulndb::DbError) -> anyhow::Error {
    let told = match &e {
        tekigo_vulndb::DbError::Input(input) => {
            UserError::new("error.advisory_invalid", &[("path", input.origin.clone())])
        }
        tekigo_vulndb::DbError::Locked { path } => UserError::new(
            "error.vulndb_locked",
            &[("path", path.display().to_string())],
        ),
        _ => return e.into(),
    };
    anyhow::Error::new(e).context(told)
}

/// An SBOM that cannot be read, told in the user's language; where it went wrong and what
/// the parser said follow as the cause, as tekigo-sbom words them.
fn sbom_error(e: tekigo_sbom::SbomError) -> anyhow::Error {
    let key = match std::error::Error::source(&e) {
        Some(_) => "error.cannot_read",
        None => "error.sbom_invalid",
    };
    let path = e.origin.clone();
    anyhow::Error::new(e).context(UserError::new(key, &[("path", path)]))
}

/// Exit code 1 when a finding fails `--fail-on`.
fn exit(failing: bool) -> ExitCode {
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn load_triage(args: &ScanArgs, l: Lang) -> Result<Option<Triage>> {
    let project = match &args.project {
        Some(p) => Some(p.clone()),
        None => Path::new("tekigo.yaml")
            .is_file()
            .then(|| PathBuf::from(".")),
    };
    let mut triage = match &project {
        Some(p) => Some(Triage::load(p)?),
        None => None,
    };
    for vex in &args.vex {
        let imported = tekigo_vex::import::from_path(vex)?;
        for skipped in &imported.skipped {
            crate::i18n::warn(l, skipped);
        }
        let t = triage.get_or_insert_with(Triage::default);
        for r in imported.records {
            t.set(r)
                .with_context(|| format!("{}: a VEX statement", vex.display()))?;
        }
    }
    Ok(triage)
}

/// The table's cells of one chunk of findings, and whether one of them fails `--fail-on`.
#[derive(Default)]
struct TableChunk {
    cells: Vec<[String; 8]>,
    failing: bool,
}

/// The findings' table, line by line: a table of 15,000 findings is several megabytes of
/// text, which joined into one string, then copied, was held three times over.
fn write_table(
    out: &mut dyn std::io::Write,
    to_terminal: bool,
    rows: Vec<[String; 8]>,
    l: Lang,
) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "{}", tr(l, "vuln.none"));
    }
    let mut t = output::table_to(
        &[
            tr(l, "col.vulnerability"),
            tr(l, "col.component"),
            tr(l, "col.version"),
            tr(l, "col.severity"),
            tr(l, "col.kev"),
            tr(l, "col.fixed_in"),
            tr(l, "col.triage"),
            tr(l, "col.why"),
        ],
        to_terminal,
    );
    for cells in rows {
        t.add_row(cells);
    }
    for line in t.lines() {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One finding's row of the table, in the order of the header of [`write_table`].
fn table_cells(r: &FindingRow, l: Lang) -> [String; 8] {
    let sev = r
        .severity
        .as_ref()
        .map(|s| match (s.score, s.label.as_deref()) {
            (Some(score), _) => format!("{score:.1}"),
            (None, Some(l)) => l.to_string(),
            (None, None) => "-".to_string(),
        })
        .unwrap_or_else(|| tr(l, "vuln.unknown").to_string());
    let mut why = r.explanation.comparison.clone();
    if !r.explanation.exact {
        why.push(' ');
        why.push_str(tr(l, "vuln.generic_rules"));
    }
    if r.needs_review {
        why.push(' ');
        why.push_str(tr(l, "vuln.needs_review"));
    }
    match r.state {
        FindingState::NotAffected => {
            why.push(' ');
            why.push_str(tr(l, "vuln.suggested_not_affected"));
        }
        FindingState::Unknown if r.state_reason.is_some() => {
            why.push(' ');
            why.push_str(tr(l, "vuln.config_unknown"));
        }
        _ => {}
    }
    [
        r.vulnerability.to_string(),
        r.component.to_string(),
        r.version.to_string(),
        sev,
        r.kev_date_added
            .as_ref()
            .map(|d| fill(l, "vuln.kev_yes", &[("date", d)]))
            .unwrap_or_default(),
        r.fixed_version.clone().unwrap_or_default(),
        r.triage
            .as_ref()
            .map(|t| t.state.clone())
            .unwrap_or_default(),
        why,
    ]
}

/// Gives each glibc arena a first heap of 16 MB of address space instead of one grown a few
/// pages at a time: a scan's threads (the SBOM's reader, the workers) each get an arena, and
/// its growth cost an `mprotect` at nearly every turn (2,813 calls in a scan of 15,152
/// findings; 15 with this, 1 to 2 ms less wall time). Pages not touched cost no memory, but
/// up to 16 MB freed at a heap's top stay with it: so only for the formats written as they
/// are found (the table of 15,152 findings, which holds every row's cells, peaked at 96
/// instead of 89 MB with it). Not for `--parse-only`, the parse alone a scan is measured
/// against: on the main thread's heap the setting costs it 300 page faults and 2 ms (it also
/// stops glibc from raising its mmap threshold), so the baseline stays the faster parse.
fn roomy_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator, and is thread-safe.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 16 << 20);
    }
}

/// How deep a result is in the SARIF log (an item of `runs[0].results`) and a rule (of
/// `runs[0].tool.driver.rules`), for writing them one by one as the pretty printer would.
const SARIF_RESULT_DEPTH: usize = 4;
const SARIF_RULE_DEPTH: usize = 6;

/// One chunk of SARIF results, the rules of the vulnerabilities first met in it, and
/// whether one fails `--fail-on`.
#[derive(Default)]
struct SarifChunk {
    results: tekigo_vulnscan::PrettyItems,
    rules: Vec<SarifRule<'static>>,
    seen: std::collections::HashSet<String>,
    failing: bool,
}

impl SarifChunk {
    fn push(&mut self, r: &FindingRow, uri: &str, threshold: Option<tekigo_vulnscan::Level>) {
        self.failing |= threshold.is_some_and(|t| r.fails(t));
        if self.seen.insert(r.vulnerability.clone()) {
            self.rules.push(sarif_rule(r));
        }
        self.results.push(&sarif_result(r, uri), SARIF_RESULT_DEPTH);
    }

    /// Empty again, its buffers kept for the next chunk.
    fn clear(&mut self) {
        self.results.clear();
        self.rules.clear();
        self.seen.clear();
        self.failing = false;
    }
}

/// The SARIF 2.1.0 log without results or rules: what is written around them. The fields
/// are declared in the order a `serde_json::Value` wrote them (sorted), as the first
/// version of this output did.
fn sarif_skeleton() -> SarifLog<'static> {
    SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [SarifRun {
            results: Vec::new(),
            tool: SarifTool {
                driver: SarifDriver {
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    name: "tekigo",
                    rules: Vec::new(),
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    }
}

/// The rule of a finding's vulnerability (the first finding of it names it).
fn sarif_rule(r: &FindingRow) -> SarifRule<'static> {
    let score = r.severity.as_ref().and_then(|s| s.score);
    SarifRule {
        id: r.vulnerability.clone(),
        properties: RuleProperties {
            security_severity: score.map(|s| format!("{s:.1}")),
            tags: ["security", "vulnerability"],
        },
        short_description: SarifText {
            text: r
                .summary
                .as_deref()
                .unwrap_or(&r.vulnerability)
                .to_string()
                .into(),
        },
    }
}

/// The result of one finding, borrowing from its row.
fn sarif_result<'a>(r: &'a FindingRow, uri: &str) -> SarifResult<'a> {
    let score = r.severity.as_ref().and_then(|s| s.score);
    // Closed findings (a person's not_affected or fixed, or tekigo's suggested
    // not_affected without a decision: `FindingRow::is_open`) are notes.
    let level = match score {
        _ if !r.is_open() => "note",
        Some(s) if s >= 7.0 => "error",
        Some(s) if s < 4.0 => "note",
        _ => "warning",
    };
    let said = &r.explanation.comparison;
    let mut text = match r.state {
        FindingState::Affected => format!(
            "{} {} is affected by {}: {said}",
            r.component, r.version, r.vulnerability
        ),
        FindingState::NotAffected => format!(
            "{} {} matches {} by version ({said}), but no file its fix touched is \
             built in this kernel: suggested not_affected (vulnerable_code_not_present), \
             for a person to confirm",
            r.component, r.version, r.vulnerability
        ),
        FindingState::Unknown => format!(
            "{} {} may be affected by {}: {said}",
            r.component, r.version, r.vulnerability
        ),
    };
    if let Some(why) = &r.state_reason {
        text.push_str(&format!("; {why}"));
    }
    if let Some(f) = &r.fixed_version {
        text.push_str(&format!("; fixed in {f}"));
    }
    SarifResult {
        level,
        locations: [SarifLocation {
            logical_locations: [LogicalLocation {
                kind: "module",
                name: &r.component,
            }],
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri.to_string(),
                },
            },
        }],
        message: SarifText { text: text.into() },
        properties: ResultProperties {
            aliases: &r.aliases,
            fixed_version: r.fixed_version.as_deref(),
            justification: r.justification.as_deref(),
            kev: r.kev,
            needs_review: r.needs_review,
            state: r.state,
            triage: r.triage.as_ref().map(|t| t.state.as_str()),
        },
        rule_id: &r.vulnerability,
    }
}

#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [SarifRun<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
struct SarifRun<'a> {
    results: Vec<SarifResult<'a>>,
    tool: SarifTool<'a>,
}

#[derive(Serialize)]
struct SarifTool<'a> {
    driver: SarifDriver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifDriver<'a> {
    information_uri: &'static str,
    name: &'static str,
    rules: Vec<SarifRule<'a>>,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule<'a> {
    id: String,
    properties: RuleProperties,
    short_description: SarifText<'a>,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
    tags: [&'static str; 2],
}

#[derive(Serialize)]
struct SarifText<'a> {
    text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    level: &'static str,
    locations: [SarifLocation<'a>; 1],
    message: SarifText<'a>,
    properties: ResultProperties<'a>,
    rule_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    logical_locations: [LogicalLocation<'a>; 1],
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
struct LogicalLocation<'a> {
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    aliases: &'a [String],
    fixed_version: Option<&'a str>,
    justification: Option<&'a str>,
    kev: bool,
    needs_review: bool,
    state: FindingState,
    triage: Option<&'a str>,
}

/// The component of a scan finding as the triage file names it: the PURL, or the
/// `NAME@VERSION` label of a component without one.
fn component_ref(f: &tekigo_assess::vuln_import::VulnFinding) -> ComponentRef {
    if f.component.starts_with("pkg:") {
        return ComponentRef::from_purl(&f.component);
    }
    let suffix = format!("@{}", f.version);
    let name = f.component.strip_suffix(&suffix).unwrap_or(&f.component);
    ComponentRef {
        purl: None,
        name: Some(name.to_string()),
        version: (!f.version.is_empty()).then(|| f.version.clone()),
    }
}

/// `tekigo assess import-vulns`: a scan's findings and the project's triage as suggested
/// answers (rules: `tekigo_assess::vuln_import`).
pub fn import_into_assessment(
    ctx: &crate::context::Context,
    project: &tekigo_assess::Project,
    id: &str,
    scan: &Path,
    rules: tekigo_assess::vuln_import::VulnRules,
    force: bool,
) -> Result<ExitCode> {
    use tekigo_assess::vuln_import::{self, Decision, TriageState, VulnEvidence};
    let mut a = crate::commands::assess::load_assessment(ctx, project, id)?;
    if !matches!(a.standard.as_str(), "62443-4-1" | "62443-4-2") {
        bail!(
            "{id} is against {}: vulnerability scans suggest answers for 62443-4-1 (DM-2, DM-3, \
             DM-4, SUM-5) and 62443-4-2 (CR 7.8) only",
            a.standard
        );
    }
    let bytes = crate::i18n::read_file(scan)?;
    let findings =
        vuln_import::parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", scan.display()))?;
    let triage = Triage::load(&project.root)?;
    let decisions: Vec<Option<Decision>> = findings
        .iter()
        .map(|f| {
            let ids: Vec<&str> = std::iter::once(f.vulnerability.as_str())
                .chain(f.aliases.iter().map(String::as_str))
                .collect();
            match triage.lookup(&ids, &component_ref(f)) {
                Some(r) => TriageState::from_name(r.state.as_str()).map(|state| Decision {
                    state,
                    date: r.timestamp.date(),
                }),
                None => vuln_import::decision_in_scan(f),
            }
        })
        .collect();
    let evidence = project.evidence();
    let name = scan
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vuln-scan.json".into());
    let scan_sha256 = evidence.add_bytes(&name, &bytes)?.sha256;
    let triage_path = project.root.join(tekigo_vex::TRIAGE_FILE);
    let triage_ref = match std::fs::read(&triage_path) {
        Ok(b) => Some(tekigo_assess::EvidenceRef::File {
            sha256: evidence.add_bytes("triage.yaml", &b)?.sha256,
            name: tekigo_vex::TRIAGE_FILE.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e).with_context(|| {
                UserError::new(
                    "error.cannot_read",
                    &[("path", triage_path.display().to_string())],
                )
            })
        }
    };
    let summary = vuln_import::apply(
        &ctx.catalog,
        &mut a,
        &findings,
        &decisions,
        &VulnEvidence {
            scan_sha256,
            triage: triage_ref,
        },
        rules,
        force,
        tekigo_vex::OffsetDateTime::now_utc().date(),
    );
    project.save_assessment(&ctx.catalog, &a)?;
    eprintln!(
        "{id}: {} answers suggested from {} findings ({}), {} answers by a person kept{}",
        summary.suggested.len(),
        findings.len(),
        summary.suggested.join(", "),
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
