//! The command line, as clap reads it. Handlers live in `commands/`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use tekigo_catalog::{ComponentType, Lang, SlVector};

#[derive(Parser)]
#[command(
    name = "tekigo",
    version,
    about = "IEC 62443 conformance: catalogs, checklists, assessments, scans"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args)]
pub struct Global {
    /// Read catalogs from this directory (laid out like `catalogs/`) instead of the built-in ones.
    #[arg(long, global = true, env = "TEKIGO_CATALOG_DIR", value_name = "DIR")]
    pub catalog_dir: Option<PathBuf>,
    /// Where tekigo keeps user data such as imported licensed text.
    #[arg(long, global = true, env = "TEKIGO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Language of titles and summaries.
    /// Default: a project's `language:` for its reports, English elsewhere.
    #[arg(long, global = true, env = "TEKIGO_LANG", value_parser = parse_lang)]
    pub lang: Option<Lang>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Browse, export and extend the IEC 62443 catalogs.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// The requirements that apply to a component type at a target security level.
    Checklist(ChecklistArgs),
    /// Create a project directory: tekigo.yaml, assessments/, evidence/.
    #[cfg(feature = "full")]
    Init(crate::commands::assess::InitArgs),
    /// Assessments: answers with reasons and evidence, achieved levels, gaps.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Assess(crate::commands::assess::AssessCommand),
    /// Components of tekigo.yaml: record the SL-C a supplier states for one nobody here
    /// assessed.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Component(crate::commands::layers::ComponentCommand),
    /// Regimes beside 62443 (EU CRA, EN 303 645, JC-STAR, SSDF, ...) with edition, date and source.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Regime(crate::commands::regime::RegimeCommand),
    /// Render an assessment as HTML, PDF, XLSX (editable check sheet) or OSCAL.
    #[cfg(feature = "full")]
    Report(crate::commands::report::ReportArgs),
    /// Create an ed25519 key pair for signing reports.
    #[cfg(feature = "full")]
    Keygen(crate::commands::sign::KeygenArgs),
    /// Check a signed report and every evidence file it rests on.
    #[cfg(feature = "full")]
    Verify(crate::commands::sign::VerifyArgs),
    /// The local vulnerability advisory database (OSV, NVD, CSAF, CISA KEV).
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Vulndb(crate::commands::vuln::VulndbCommand),
    /// Vulnerabilities of an SBOM's components, with severity, KEV, fixes and triage.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Vuln(crate::commands::vuln::VulnCommand),
    /// A kernel tree's Kbuild files as a compact index for `vuln scan --kernel-source`.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Kconfig(crate::commands::vuln::KconfigCommand),
    /// Vulnerability triage of the project (vex/triage.yaml): set, list, export, import.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Vex(crate::commands::vex::VexCommand),
    /// IEC 62443-4-2 evidence from a root filesystem, an image archive or this system.
    #[cfg(feature = "scan")]
    Scan(crate::commands::scan::ScanArgs),
    /// Behavioural tests of a running device over the network: ports, default passwords,
    /// lockout, TLS and SSH algorithms, cleartext logins (IEC 62443-4-2, scan report format).
    #[cfg(feature = "probe")]
    Probe(crate::commands::probe::ProbeArgs),
    /// The web application: team assessments on SQLite (default) or PostgreSQL.
    #[cfg(feature = "server")]
    Serve(crate::commands::serve::ServeArgs),
    /// Move projects between the server and project directories.
    #[command(subcommand)]
    #[cfg(feature = "server")]
    Server(crate::commands::serve::ServerCommand),
    /// The server's audit trail.
    #[command(subcommand)]
    #[cfg(feature = "server")]
    Audit(crate::commands::serve::AuditCommand),
    /// Release baselines: freeze a release, verify it, and what changed between two.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Release(crate::commands::release::ReleaseCommand),
    /// Certificates of the project's components: add, list, show, renew, audit.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Cert(crate::commands::upkeep::CertCommand),
    /// What is due and overdue: certificates, audits, renewal items, stale evidence,
    /// reviews, triage, EU CRA reporting clocks, end of support (exit 1 when overdue).
    #[cfg(feature = "full")]
    Upkeep(crate::commands::upkeep::UpkeepArgs),
    /// Actively exploited vulnerabilities and the EU CRA Art. 14(2) reports made.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Cra(crate::commands::upkeep::CraCommand),
    /// Zones and conduits (62443-3-2): rule check, SL-T derivation, feasibility, drawing, report.
    #[command(subcommand)]
    #[cfg(feature = "full")]
    Risk(crate::commands::risk::RiskCommand),
}

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// List the items of one standard or of all of them.
    List {
        /// 62443-4-2, 62443-3-3, 62443-4-1, 62443-2-1, 62443-3-2 (also csf-1.1, sp800-171r2).
        #[arg(long)]
        standard: Option<String>,
        /// Only this FR (1-7 or IAC, UC, SI, DC, RDF, TRE, RA).
        #[arg(long)]
        fr: Option<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Everything about one item: enhancements, levels per component type, mappings, text.
    Show {
        /// An id such as "CR 1.1", "CR 1.1 RE(1)", "EDR 3.14", "SR 3.4" (also CR1.1).
        id: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Write one standard as JSON, CSV or an OSCAL catalog.
    Export {
        #[arg(long)]
        standard: String,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Include the licensed text you imported (keep such files inside your organisation).
        #[arg(long)]
        with_licensed_text: bool,
        /// Write here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Import the licensed full text you own from CSV/TSV/XLSX (an id column and a text column).
    ImportText {
        file: PathBuf,
        /// Language of a column simply called "text" (otherwise detected per cell).
        #[arg(long = "text-lang", value_parser = parse_lang)]
        text_lang: Option<Lang>,
    },
    /// Check a catalog directory (or the built-in catalogs) and report every problem.
    Validate {
        /// Defaults to --catalog-dir, or the built-in catalogs.
        dir: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct ChecklistArgs {
    /// 62443-4-2 or 62443-3-3 (security levels); 62443-4-1, 62443-2-1, 62443-3-2 list every requirement.
    #[arg(long)]
    pub standard: String,
    /// Component type, for 62443-4-2.
    #[arg(long = "type", value_parser = parse_type)]
    pub component_type: Option<ComponentType>,
    /// Target level: one level 0-4 for every FR, or seven in FR order (IAC,UC,SI,DC,RDF,TRE,RA).
    #[arg(long = "sl-t", value_parser = parse_vector)]
    pub sl_t: Option<SlVector>,
    /// Only the requirements of one lifecycle phase: planning, design, development,
    /// manufacturing, sales, installation, operation, disposal (or 企画 設計 開発 製造 販売
    /// 設置 運用 廃棄).
    #[arg(long)]
    pub phase: Option<String>,
    #[arg(long, value_enum, default_value_t = ChecklistFormat::Table)]
    pub format: ChecklistFormat,
    /// Write here instead of standard output (required for xlsx on a terminal).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
    Oscal,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ChecklistFormat {
    Table,
    Json,
    Csv,
    #[cfg(feature = "full")]
    Xlsx,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

fn parse_type(s: &str) -> Result<ComponentType, String> {
    s.parse()
}

fn parse_vector(s: &str) -> Result<SlVector, String> {
    s.parse()
}
