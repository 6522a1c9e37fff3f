//! `tekigo vulndb ...` (the local advisory database) and `tekigo vuln scan` (an SBOM against
//! it, with triage from the project and VEX files).

use crate::cli::Global;
use crate::output;
use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tekigo_vex::{ComponentRef, State, Triage};
use tekigo_vulndb::{Db, Finding, ImportOptions, PurlInfo, Query};

#[derive(Subcommand)]
pub enum VulndbCommand {
    /// Import OSV records (files, directories, zip archives), NVD CVE API 2.0 responses, CSAF
    /// 2.0 advisories and the CISA KEV catalogue; the format is recognised per file.
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
        None => dirs::data_dir().map(|d| d.join("tekigo")).context(
            "no data directory on this system: give --db, --data-dir or TEKIGO_DATA_DIR",
        )?,
    };
    Ok(data.join("vulndb").join(tekigo_vulndb::FILE_NAME))
}

pub fn run_vulndb(global: &Global, cmd: VulndbCommand) -> Result<ExitCode> {
    match cmd {
        VulndbCommand::Import {
            db,
            paths,
            keep_going,
        } => {
            let path = db_path(global, &db)?;
            let opts = ImportOptions {
                keep_going,
                progress: true,
            };
            let r = tekigo_vulndb::import(&path, &paths, &opts)?;
            for rejected in &r.rejected {
                eprintln!("skipped: {rejected}");
            }
            println!(
                "{} documents: {} added, {} updated, {} unchanged, {} need review; {} records in {}",
                r.documents,
                r.added,
                r.updated,
                r.unchanged,
                r.needs_review,
                r.total,
                tekigo_vulndb::resolve_path(&path).display()
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
    }
}

/// The query for one SBOM component: PURL fields as parsed by tekigo-sbom, CPEs as stated.
fn query_of(c: &tekigo_sbom::Component) -> Query {
    let purl = c.purl.as_ref().map(|p| PurlInfo {
        ty: p.ty.clone(),
        namespace: p.namespace.clone(),
        name: p.name.clone(),
        version: p.version.clone(),
        qualifiers: p.qualifiers.clone(),
    });
    let version = purl
        .as_ref()
        .and_then(PurlInfo::full_version)
        .or_else(|| c.version.clone());
    let label = match (&c.purl, &c.version) {
        (Some(p), _) => p.original.clone(),
        (None, Some(v)) => format!("{}@{v}", c.name),
        (None, None) => c.name.clone(),
    };
    Query {
        label,
        name: c.name.clone(),
        version,
        purl,
        cpes: c.cpes.clone(),
        supplier: c.supplier.clone(),
    }
}

/// One finding as JSON consumers see it.
#[derive(Serialize)]
struct Row<'a> {
    vulnerability: &'a str,
    aliases: &'a [String],
    source: &'a str,
    component: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    severity: Option<SeverityOut<'a>>,
    kev: bool,
    kev_date_added: Option<&'a str>,
    kev_due_date: Option<&'a str>,
    kev_ransomware: Option<&'a str>,
    fixed_version: Option<&'a str>,
    triage: Option<TriageOut<'a>>,
    needs_review: bool,
    explanation: &'a tekigo_vulndb::Explanation,
}

#[derive(Serialize)]
struct SeverityOut<'a> {
    score: Option<f64>,
    label: Option<&'a str>,
    vector: Option<&'a str>,
    kind: &'a str,
}

#[derive(Serialize)]
struct TriageOut<'a> {
    state: &'a str,
    justification: Option<&'a str>,
    note: Option<&'a str>,
    author: &'a str,
}

fn level_of(f: &Finding) -> Option<Level> {
    let s = f.severity.as_ref()?;
    let label = match s.score {
        Some(score) => tekigo_vulndb::cvss::label_for(score).to_string(),
        None => s.label.clone()?.to_ascii_uppercase(),
    };
    match label.as_str() {
        "CRITICAL" => Some(Level::Critical),
        "HIGH" | "IMPORTANT" => Some(Level::High),
        "MEDIUM" | "MODERATE" => Some(Level::Medium),
        "LOW" | "NONE" | "NEGLIGIBLE" => Some(Level::Low),
        _ => None,
    }
}

fn scan(global: &Global, args: ScanArgs) -> Result<ExitCode> {
    let sbom = tekigo_sbom::Sbom::from_path(&args.sbom)?;
    let queries: Vec<Query> = sbom.components.iter().map(query_of).collect();
    if args.parse_only {
        println!("{} components", queries.len());
        return Ok(ExitCode::SUCCESS);
    }
    for w in &sbom.warnings {
        eprintln!("warning: {w}");
    }
    let path = db_path(global, &args.db)?;
    let resolved = tekigo_vulndb::resolve_path(&path);
    if !resolved.exists() {
        bail!(
            "{}: no advisory database yet: run `tekigo vulndb import --db {} PATH...` first",
            resolved.display(),
            path.display()
        );
    }
    let db = Db::open(&path)?;
    let result = tekigo_vulndb::scan(&db, &queries)?;
    for w in &result.warnings {
        eprintln!("warning: {w}");
    }
    let triage = load_triage(&args)?;
    let decisions: Vec<Option<&tekigo_vex::Record>> = result
        .findings
        .iter()
        .map(|f| {
            let triage = triage.as_ref()?;
            let mut ids: Vec<&str> = vec![f.vulnerability.as_str()];
            ids.extend(f.aliases.iter().map(String::as_str));
            let component = ComponentRef::from(&sbom.components[f.component_index]);
            triage.lookup(&ids, &component)
        })
        .collect();
    let rows: Vec<Row> = result
        .findings
        .iter()
        .zip(&decisions)
        .map(|(f, d)| Row {
            vulnerability: &f.vulnerability,
            aliases: &f.aliases,
            source: f.source.as_str(),
            component: &f.component,
            version: &f.version,
            summary: f.summary.as_deref(),
            severity: f.severity.as_ref().map(|s| SeverityOut {
                score: s.score,
                label: s.label.as_deref(),
                vector: s.vector.as_deref(),
                kind: &s.kind,
            }),
            kev: f.kev.is_some(),
            kev_date_added: f.kev.as_ref().map(|k| k.date_added.as_str()),
            kev_due_date: f.kev.as_ref().and_then(|k| k.due_date.as_deref()),
            kev_ransomware: f.kev.as_ref().and_then(|k| k.ransomware.as_deref()),
            fixed_version: f.fixed_version.as_deref(),
            triage: d.map(|r| TriageOut {
                state: r.state.as_str(),
                justification: r.justification.map(|j| j.as_str()),
                note: r.note.as_deref(),
                author: &r.author,
            }),
            needs_review: f.needs_review,
            explanation: &f.explanation,
        })
        .collect();
    let bytes = match args.format {
        ScanFormat::Json => output::json(&rows)?,
        ScanFormat::Sarif => output::json(&sarif(&rows, &args.sbom))?,
        ScanFormat::Table => table(&rows).into_bytes(),
    };
    output::emit(&bytes, args.output.as_deref(), false)?;
    let failing = args.fail_on.is_some_and(|threshold| {
        result.findings.iter().zip(&decisions).any(|(f, d)| {
            let closed = d.is_some_and(|r| matches!(r.state, State::NotAffected | State::Fixed));
            !closed && level_of(f).is_none_or(|l| l >= threshold)
        })
    });
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn load_triage(args: &ScanArgs) -> Result<Option<Triage>> {
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
            eprintln!("warning: {skipped}");
        }
        let t = triage.get_or_insert_with(Triage::default);
        for r in imported.records {
            t.set(r)
                .with_context(|| format!("{}: a VEX statement", vex.display()))?;
        }
    }
    Ok(triage)
}

fn table(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "no known vulnerabilities\n".to_string();
    }
    let mut t = output::table(&[
        "Vulnerability",
        "Component",
        "Version",
        "Severity",
        "KEV",
        "Fixed in",
        "Triage",
        "Why",
    ]);
    for r in rows {
        let sev = r
            .severity
            .as_ref()
            .map(|s| match (s.score, s.label) {
                (Some(score), _) => format!("{score:.1}"),
                (None, Some(l)) => l.to_string(),
                (None, None) => "-".to_string(),
            })
            .unwrap_or_else(|| "unknown".to_string());
        let mut why = r.explanation.comparison.clone();
        if !r.explanation.exact {
            why.push_str(" [generic rules]");
        }
        if r.needs_review {
            why.push_str(" [needs review]");
        }
        t.add_row(vec![
            r.vulnerability.to_string(),
            r.component.to_string(),
            r.version.to_string(),
            sev,
            r.kev_date_added
                .map(|d| format!("yes ({d})"))
                .unwrap_or_default(),
            r.fixed_version.unwrap_or("").to_string(),
            r.triage.as_ref().map(|t| t.state).unwrap_or("").to_string(),
            why,
        ]);
    }
    format!("{t}\n")
}

fn sarif(rows: &[Row], sbom: &Path) -> serde_json::Value {
    use serde_json::json;
    let mut rules: Vec<serde_json::Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let results: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let score = r.severity.as_ref().and_then(|s| s.score);
            if seen.insert(r.vulnerability) {
                let mut props = json!({"tags": ["security", "vulnerability"]});
                if let Some(s) = score {
                    props["security-severity"] = json!(format!("{s:.1}"));
                }
                rules.push(json!({
                    "id": r.vulnerability,
                    "shortDescription": {"text": r.summary.unwrap_or(r.vulnerability)},
                    "properties": props,
                }));
            }
            let level = match (r.triage.as_ref().map(|t| t.state), score) {
                (Some("not_affected" | "fixed"), _) => "note",
                (_, Some(s)) if s >= 7.0 => "error",
                (_, Some(s)) if s < 4.0 => "note",
                _ => "warning",
            };
            let mut text = format!(
                "{} {} is affected by {}: {}",
                r.component, r.version, r.vulnerability, r.explanation.comparison
            );
            if let Some(f) = r.fixed_version {
                text.push_str(&format!("; fixed in {f}"));
            }
            json!({
                "ruleId": r.vulnerability,
                "level": level,
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": sbom.display().to_string()}},
                    "logicalLocations": [{"name": r.component, "kind": "module"}],
                }],
                "properties": {
                    "aliases": r.aliases,
                    "kev": r.kev,
                    "fixedVersion": r.fixed_version,
                    "triage": r.triage.as_ref().map(|t| t.state),
                    "needsReview": r.needs_review,
                },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tekigo",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/tekigo",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
