//! `tekigo scan`: IEC 62443-4-2 evidence from a root filesystem (a directory, an image
//! archive) or the running system. Exit code 0 when nothing is a finding, 1 when a check
//! failed or found a mechanism absent (with --baseline: when a finding is new), 2 on error.

use anyhow::{bail, Context as _, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use tekigo_rootfs::Root;
use tekigo_scan::{archive, render, Progress, Report, ScanOptions, Scanner, Step};

use crate::cli::Global;
use crate::i18n::{fill, tr};
use crate::output::{emit, json};

#[derive(Args)]
pub struct ScanArgs {
    /// Root filesystem to scan: a directory, or an archive (.tar, .tar.gz, .tar.xz,
    /// .tar.zst) unpacked safely into a temporary directory. Without it, the running system.
    #[arg(long, value_name = "DIR|IMAGE.tar")]
    pub root: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// An earlier JSON report: show new and fixed findings, and exit 1 only for new ones.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// Also write a CycloneDX 1.6 SBOM of the package database (dpkg, opkg, apk, rpm).
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    Junit,
    Sarif,
}

pub fn run(global: &Global, args: ScanArgs) -> Result<ExitCode> {
    let l = crate::context::lang(global.lang);
    let scanner = Scanner::builtin().context("built-in scanner checks")?;
    // A baseline that does not exist yet is the first run: every finding is new, which is
    // what a scan without a baseline reports too.
    let baseline = match &args.baseline {
        Some(p) if !p.exists() => {
            eprintln!(
                "{}",
                fill(l, "scan.first_baseline", &[("path", &p.display())])
            );
            None
        }
        Some(p) => Some(read_baseline(p)?),
        None => None,
    };
    let spinner = crate::output::Spinner::start(tr(l, "scan.starting"));
    let progress: Option<Progress> = spinner.bar().cloned().map(|s| {
        Rc::new(move |step: Step<'_>| {
            s.set_message(match step {
                Step::Check(id) => fill(l, "scan.step_check", &[("id", &id)]),
                Step::Walked(n) => fill(l, "scan.step_walked", &[("n", &n)]),
            })
        }) as Progress
    });
    // The unpacked archive must outlive the scan and the SBOM.
    let mut unpacked = None;
    let mut options = match &args.root {
        None => ScanOptions::live(),
        Some(path) if path.is_dir() => ScanOptions::image(path.display().to_string()),
        Some(path) if path.is_file() => {
            spinner.say(fill(l, "scan.unpacking", &[("path", &path.display())]));
            let u = archive::unpack(path)?;
            let mut options = ScanOptions::image(path.display().to_string());
            options.target.kind = "archive".into();
            options.target.ownership_preserved = u.ownership_preserved;
            options.target.skipped_entries = u.skipped.clone();
            unpacked = Some(u);
            options
        }
        Some(path) => bail!(crate::i18n::UserError::new(
            "error.no_root",
            &[("path", path.display().to_string())]
        )),
    };
    options.progress = progress;
    let root = match (&unpacked, &args.root) {
        (Some(u), _) => Root::open(&u.root)?,
        (None, Some(path)) => Root::open(path)?,
        (None, None) => Root::live().context("cannot open / for a live scan")?,
    };
    let mut report = scanner.scan(&root, &options);
    if let Some(path) = &args.sbom {
        let inventory = tekigo_pkgdb::Inventory::read(&root);
        for problem in &inventory.problems {
            crate::i18n::warn(l, problem);
        }
        tekigo_pkgdb::cyclonedx::write_file(
            &inventory,
            &tekigo_pkgdb::cyclonedx::BomOptions::now(),
            path,
        )
        .with_context(|| {
            crate::i18n::UserError::new(
                "error.writing_file",
                &[("path", path.display().to_string())],
            )
        })?;
    }
    drop(spinner);
    if let Some(old) = &baseline {
        report.baseline = Some(report.diff(old));
    }
    let bytes = render_report(&report, args.format, l)?;
    emit(&bytes, args.output.as_deref(), false)?;
    let findings = match &report.baseline {
        Some(diff) => !diff.new.is_empty(),
        None => report.has_findings(),
    };
    Ok(ExitCode::from(u8::from(findings)))
}

/// Also renders `tekigo probe` reports, which share the format.
pub(crate) fn render_report(
    report: &Report,
    format: ScanFormat,
    lang: tekigo_catalog::Lang,
) -> Result<Vec<u8>> {
    Ok(match format {
        ScanFormat::Text => render::human(report, lang).into_bytes(),
        ScanFormat::Json => json(report)?,
        ScanFormat::Junit => render::junit(report, lang).into_bytes(),
        ScanFormat::Sarif => json(&render::sarif(report, lang))?,
    })
}

fn read_baseline(path: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(path).with_context(|| {
        crate::i18n::UserError::new("error.cannot_read", &[("path", path.display().to_string())])
    })?;
    let report: Report = serde_json::from_str(&text).with_context(|| {
        crate::i18n::UserError::new(
            "error.not_scan_report",
            &[("path", path.display().to_string())],
        )
    })?;
    let major = |v: &str| v.split('.').next().unwrap_or("").to_string();
    if major(&report.schema_version) != major(tekigo_scan::SCHEMA_VERSION) {
        bail!(
            "{}: schema_version {} cannot be compared with {}",
            path.display(),
            report.schema_version,
            tekigo_scan::SCHEMA_VERSION
        );
    }
    Ok(report)
}
