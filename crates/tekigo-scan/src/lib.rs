//! The device scanner: reads a Linux root filesystem (an unpacked image, an image archive,
//! or the running system) and says, per IEC 62443-4-2 requirement, what the configuration
//! shows.
//!
//! A scanned image is hostile input, so every read goes through [`tekigo_rootfs::Root`]:
//! paths stay inside the root, special files are never opened, reads are bounded, nothing
//! is executed or written. Checks are data (`checks/*.yaml`) driving generic evaluators;
//! the few that need real logic (PAM include chains, sshd's effective configuration,
//! crypt(3) verification) are named `code` rules. One walk of the filesystem feeds every
//! check that needs one.
//!
//! ```no_run
//! let scanner = tekigo_scan::Scanner::builtin()?;
//! let root = tekigo_rootfs::Root::open("/srv/rootfs")?;
//! let report = scanner.scan(&root, &tekigo_scan::ScanOptions::image("/srv/rootfs"));
//! println!("{}", serde_json::to_string_pretty(&report)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod archive;
mod code;
pub mod crypt;
mod ctx;
mod data;
pub mod defs;
mod eval;
mod facts;
mod glob;
// The result model and its renderers are shared with the network probe (tekigo-probe).
use tekigo_verdict as model;
pub use tekigo_verdict::{render, summarize};

pub use ctx::{Mode, Progress, Step};
pub use defs::{CheckDef, DefsError};
pub use model::*;

use std::collections::BTreeMap;

use tekigo_catalog::Catalog;
use tekigo_rootfs::Root;

use crate::ctx::{Ctx, Outcome, Unreadable};
use crate::defs::Scope;

/// How a scan runs.
#[derive(Clone)]
pub struct ScanOptions {
    pub mode: Mode,
    /// The target as the user named it, for the report.
    pub target: Target,
    /// Called with a short message while long steps run (for a spinner).
    pub progress: Option<Progress>,
}

impl ScanOptions {
    /// An unpacked image in a directory.
    pub fn image(path: impl Into<String>) -> ScanOptions {
        ScanOptions {
            mode: Mode::Image,
            target: Target {
                kind: "directory".into(),
                path: path.into(),
                ownership_preserved: true,
                skipped_entries: Vec::new(),
            },
            progress: None,
        }
    }

    /// The system the scanner runs on.
    pub fn live() -> ScanOptions {
        ScanOptions {
            mode: Mode::Live,
            target: Target {
                kind: "live".into(),
                path: "/".into(),
                ownership_preserved: true,
                skipped_entries: Vec::new(),
            },
            progress: None,
        }
    }
}

/// The checks, their reference data and the catalog they map to.
pub struct Scanner {
    catalog: &'static Catalog,
    checks: Vec<CheckDef>,
    data: data::Data,
}

impl Scanner {
    /// The built-in checks and data, validated against the built-in catalog.
    pub fn builtin() -> Result<Scanner, DefsError> {
        let catalog = Catalog::builtin().map_err(|e| DefsError {
            problems: vec![e.to_string()],
        })?;
        Ok(Scanner {
            catalog,
            checks: defs::builtin(catalog)?,
            data: data::Data::builtin()?,
        })
    }

    pub fn checks(&self) -> &[CheckDef] {
        &self.checks
    }

    /// Runs every check against `root`. Problems reading the target become `unreadable`
    /// verdicts; a scan itself does not fail.
    pub fn scan(&self, root: &Root, options: &ScanOptions) -> Report {
        let ctx = Ctx::new(
            root,
            &self.data,
            options.mode,
            options.target.ownership_preserved,
        )
        .with_progress(options.progress.clone());
        let results: Vec<CheckResult> = self
            .checks
            .iter()
            .map(|check| {
                ctx.report_progress(Step::Check(&check.id));
                self.run(&ctx, check)
            })
            .collect();
        let mut facts = BTreeMap::new();
        if let Ok(v) = ctx.openssh_version() {
            if let Some(v) = v.as_ref() {
                facts.insert("openssh_version".into(), v.version.clone());
            }
        }
        if let Ok(inv) = ctx.inventory() {
            facts.insert("files_examined".into(), inv.entries.to_string());
        }
        let summary = summarize(self.catalog, &results);
        Report {
            schema_version: SCHEMA_VERSION.into(),
            tool: Tool {
                name: "tekigo".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            target: options.target.clone(),
            facts,
            results,
            summary,
            baseline: None,
        }
    }

    fn run(&self, ctx: &Ctx, check: &CheckDef) -> CheckResult {
        let outcome = match self.precondition(ctx, check) {
            Ok(Some(outcome)) => Ok(outcome),
            Ok(None) => eval::evaluate(ctx, &check.rule),
            Err(e) => Err(e),
        };
        let Outcome {
            verdict,
            detail,
            evidence,
        } = outcome.unwrap_or_else(|e: Unreadable| Outcome {
            verdict: Verdict::Unreadable,
            detail: format!("could not read {}: {}", e.path, e.reason),
            evidence: vec![Evidence::path(e.path).with_note(e.reason)],
        });
        CheckResult {
            check: check.id.clone(),
            requirements: check.requirements.clone(),
            verdict,
            title: check.title.clone(),
            detail,
            evidence,
            explanation: check.explanation.clone(),
            remediation: check.remediation.clone(),
            origin: None,
        }
    }

    /// The outcome when the check does not apply to this target, `None` when it runs.
    fn precondition(&self, ctx: &Ctx, check: &CheckDef) -> Result<Option<Outcome>, Unreadable> {
        match (check.scope, ctx.mode) {
            (Scope::Image, Mode::Live) => {
                return Ok(Some(Outcome::new(
                    Verdict::NotApplicable,
                    "only meaningful for images",
                    vec![],
                )))
            }
            (Scope::Live, Mode::Image) => {
                return Ok(Some(Outcome::new(
                    Verdict::NotApplicable,
                    "only meaningful on a running device",
                    vec![],
                )))
            }
            _ => {}
        }
        let Some(req) = &check.requires else {
            return Ok(None);
        };
        for p in &req.any_of {
            if !eval::expand(ctx, p)?.is_empty() {
                return Ok(None);
            }
        }
        Ok(Some(Outcome::new(
            req.otherwise,
            format!("none of {} exists", req.any_of.join(", ")),
            vec![],
        )))
    }
}
