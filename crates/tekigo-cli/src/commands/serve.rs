//! `tekigo serve`, `tekigo server import|export|vulndb-import` and `tekigo audit verify`: the web
//! application and the commands that work on its data directory.

use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tekigo_server::{state::AppState, Settings};

/// Where the server keeps its data.
#[derive(Args)]
pub struct DataArgs {
    /// The data directory: the SQLite database and the evidence store. Default: the
    /// user's data directory (e.g. ~/.local/share/tekigo/server).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of SQLite (postgres://USER:PASSWORD@HOST/DB). The
    /// evidence store stays in the data directory.
    #[arg(
        long,
        env = "TEKIGO_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database: Option<String>,
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Address and port to listen on. Anything but loopback needs TLS: --tls-cert and
    /// --tls-key, or a TLS reverse proxy.
    #[arg(long, default_value = "127.0.0.1:8062", value_name = "ADDR:PORT")]
    pub bind: std::net::SocketAddr,
    /// Serve HTTPS (TLS 1.2 and 1.3) with this certificate chain (PEM, server certificate
    /// first); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Load the example projects (gateway, tekigo-self, water-treatment) if missing, and the
    /// example gateway's SBOM; without --vulndb, also a demonstration advisory database of a
    /// few public records in the data directory.
    #[arg(long)]
    pub demo: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, default_value_t = 30, value_name = "MINUTES")]
    pub session_idle: i64,
    /// Days of disuse after which an API token stops working.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    pub token_idle: i64,
    /// Largest upload, in MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    pub max_upload: usize,
    /// Directory with extra fonts for PDF reports (Noto Sans CJK for Japanese).
    #[arg(long, value_name = "DIR")]
    pub font_dir: Option<PathBuf>,
    /// The advisory database (`tekigo vulndb import`) that uploaded SBOMs are matched
    /// against; without it the vulnerabilities page says so and lists no findings.
    #[arg(long, value_name = "DBPATH", env = "TEKIGO_VULNDB")]
    pub vulndb: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum ServerCommand {
    /// Import a project directory (tekigo.yaml, assessments/, evidence/) into the server.
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// The project directory.
        dir: PathBuf,
        /// Project id on the server. Default: the directory's name.
        #[arg(long)]
        id: Option<String>,
    },
    /// Write a server project as a project directory (which must not exist yet).
    Export {
        #[command(flatten)]
        data: DataArgs,
        /// Project id on the server.
        id: String,
        /// The directory to create.
        out: PathBuf,
    },
    /// Watch every project with an advisory database built by `tekigo vulndb import`:
    /// match the SBOMs of every release still in support again, record what is new in the
    /// project's watch/findings.json, deliver it to the project's webhook
    /// (DATA/webhooks/PROJECT.url and .secret). Exit 1 when something is new.
    VulndbImport {
        #[command(flatten)]
        data: DataArgs,
        /// The database file.
        db: PathBuf,
        #[arg(long, value_enum, default_value_t = super::vuln::StatsFormat::Table)]
        format: super::vuln::StatsFormat,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit trail's hash chain: exit 0 when intact, 1 when an entry was
    /// changed or deleted.
    Verify {
        #[command(flatten)]
        data: DataArgs,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn open(data: DataArgs, settings: Settings) -> Result<AppState> {
    let dir = data_dir(&data)?;
    tekigo_server::open(dir, data.database.as_deref(), settings)
}

/// The data directory given, else the user's.
fn data_dir(data: &DataArgs) -> Result<PathBuf> {
    Ok(match &data.data {
        Some(d) => d.clone(),
        None => dirs::data_dir()
            .ok_or_else(|| crate::i18n::UserError::new("error.no_server_data_dir", &[]))?
            .join("tekigo/server"),
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

pub fn serve(args: ServeArgs) -> Result<ExitCode> {
    if args.session_idle < 1 {
        bail!(crate::i18n::UserError::new("error.session_idle", &[]));
    }
    if args.token_idle < 1 {
        bail!(crate::i18n::UserError::new("error.token_idle", &[]));
    }
    // Read before the database is opened: a bad file fails fast and changes nothing.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(tekigo_server::tls::server_config(cert, key).map_err(|e| {
                crate::i18n::UserError::new(
                    "error.tls_files",
                    &[
                        ("cert", cert.display().to_string()),
                        ("key", key.display().to_string()),
                        ("reason", format!("{e:#}")),
                    ],
                )
            })?)
        }
        _ => None,
    };
    // A demo without an advisory database gets a small one of real public advisories, so
    // that its vulnerabilities page has findings to show.
    let vulndb = match args.vulndb {
        Some(db) => Some(db),
        None if args.demo => {
            let (db, n) = tekigo_server::demo::advisories(&data_dir(&args.data)?)?;
            println!(
                "{}",
                crate::i18n::fill(
                    crate::i18n::chosen(),
                    "serve.demo_advisories",
                    &[("path", &db.display()), ("n", &n)]
                )
            );
            Some(db)
        }
        None => None,
    };
    let settings = Settings {
        session_idle_secs: args.session_idle * 60,
        token_idle_secs: args.token_idle.saturating_mul(24 * 3600),
        max_upload_bytes: args.max_upload.saturating_mul(1024 * 1024),
        font_dir: args.font_dir,
        vulndb,
    };
    let state = open(args.data, settings)?;
    if args.demo {
        for (id, n) in tekigo_server::demo::load(state.shared())? {
            println!(
                "{}",
                crate::i18n::fill(
                    crate::i18n::chosen(),
                    "serve.demo_loaded",
                    &[("id", &id), ("n", &n)]
                )
            );
        }
    }
    let words = |notice: tekigo_server::Notice<'_>| {
        let l = crate::i18n::chosen();
        match notice {
            tekigo_server::Notice::FirstStart { setup_url } => {
                crate::i18n::fill(l, "serve.first_start", &[("url", &setup_url)])
            }
            tekigo_server::Notice::PlainHttpOnNetwork { addr } => {
                crate::i18n::fill(l, "serve.plain_http_on_network", &[("addr", &addr)])
            }
        }
    };
    runtime()?.block_on(tekigo_server::serve(state, args.bind, tls, words))?;
    Ok(ExitCode::SUCCESS)
}

pub fn server(cmd: ServerCommand) -> Result<ExitCode> {
    match cmd {
        ServerCommand::VulndbImport { data, db, format } => {
            return vulndb_import(data, &db, format)
        }
        ServerCommand::Import { data, dir, id } => {
            let state = open(data, Settings::default())?;
            let id = match id {
                Some(id) => id,
                None => dir
                    .canonicalize()
                    .ok()
                    .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .context("give --id: the directory has no usable name")?,
            };
            let n = tekigo_server::sync::import_project(state.shared(), "import", &dir, &id)?;
            println!(
                "{}",
                crate::i18n::fill(
                    crate::i18n::chosen(),
                    "serve.imported",
                    &[("id", &id), ("n", &n)]
                )
            );
        }
        ServerCommand::Export { data, id, out } => {
            let state = open(data, Settings::default())?;
            let n = tekigo_server::sync::export_project(state.shared(), &id, &out)?;
            println!(
                "{}",
                crate::i18n::fill(
                    crate::i18n::chosen(),
                    "serve.exported",
                    &[("id", &id), ("out", &out.display()), ("n", &n)]
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `tekigo server vulndb-import` (rules: `tekigo_server::watch`).
fn vulndb_import(
    data: DataArgs,
    db: &std::path::Path,
    format: super::vuln::StatsFormat,
) -> Result<ExitCode> {
    let lang = crate::i18n::chosen();
    let db = tekigo_vulndb::Db::open(db).map_err(|e| anyhow::anyhow!("{e}"))?;
    let state = open(data, Settings::default())?;
    let runs = tekigo_server::watch::run(
        state.shared(),
        "vulndb-import",
        &db,
        &tekigo_assess::now_rfc3339(),
    )?;
    match format {
        super::vuln::StatsFormat::Json => {
            crate::output::emit(&crate::output::json(&runs)?, None, false)?
        }
        super::vuln::StatsFormat::Table => {
            for r in &runs {
                println!(
                    "{}",
                    crate::i18n::fill(lang, "serve.watch_project", &[("id", &r.project)])
                );
                super::vuln::print_watch(
                    lang,
                    r.watched.len(),
                    &r.past_support,
                    &r.new,
                    r.delivered.as_ref(),
                );
            }
        }
    }
    for d in runs.iter().filter_map(|r| r.delivered.as_ref()) {
        super::vuln::delivery_failures(lang, d)?;
    }
    Ok(if runs.iter().all(|r| r.new.is_empty()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn audit(cmd: AuditCommand) -> Result<ExitCode> {
    let AuditCommand::Verify { data, json } = cmd;
    let state = open(data, Settings::default())?;
    let v = state
        .shared()
        .store
        .read(tekigo_store::audit::verify)
        .map_err(|e| anyhow::anyhow!("audit trail: {e}"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if v.problems.is_empty() {
        println!(
            "{}",
            crate::i18n::fill(
                crate::i18n::chosen(),
                "audit.intact",
                &[
                    ("entries", &v.entries),
                    ("seq", &v.head_seq),
                    ("hash", &v.head_hash)
                ]
            )
        );
    } else {
        println!(
            "{}",
            crate::i18n::fill(
                crate::i18n::chosen(),
                "audit.broken",
                &[("entries", &v.entries)]
            )
        );
        for p in &v.problems {
            println!("  {p}");
        }
    }
    Ok(if v.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
