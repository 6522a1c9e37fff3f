//! `tekigo keygen` and `tekigo verify`: signed reports an auditor can check.

use crate::commands::assess::project;
use crate::i18n::fill;
use crate::output::{emit, json};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tekigo_catalog::Lang;

#[derive(Args)]
pub struct KeygenArgs {
    /// Secret key file to create (mode 0600); the public key goes to FILE.pub.
    pub file: PathBuf,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The signed report.
    pub report: PathBuf,
    /// The signature (default: REPORT.sig.json).
    #[arg(long)]
    pub signature: Option<PathBuf>,
    /// Require this signer: a public key file written by `tekigo keygen`.
    #[arg(long)]
    pub public_key: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

pub fn keygen(args: KeygenArgs, lang: Lang) -> Result<ExitCode> {
    let public = tekigo_sign::keygen(&args.file)?;
    eprintln!(
        "{}",
        fill(
            lang,
            "sign.keygen",
            &[
                ("secret", &args.file.display()),
                (
                    "public",
                    &tekigo_sign::public_key_path(&args.file).display()
                ),
                ("key", &public),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Exit 0 when the report and every evidence file match the signature, 1 when anything
/// differs, 2 when the check itself cannot be made.
pub fn verify(args: VerifyArgs, lang: Lang) -> Result<ExitCode> {
    let project = project()?;
    let signature = args
        .signature
        .unwrap_or_else(|| tekigo_sign::signature_path(&args.report));
    let expected = args
        .public_key
        .as_deref()
        .map(tekigo_sign::read_public_key)
        .transpose()?;
    let v = tekigo_sign::verify(&project, &args.report, &signature, expected.as_deref())?;
    match args.format {
        VerifyFormat::Json => emit(&json(&v)?, None, false)?,
        VerifyFormat::Text => {
            for f in &v.failures {
                println!("{}", fill(lang, "sign.fail", &[("what", f)]));
            }
            for n in &v.notes {
                println!("{}", fill(lang, "sign.note", &[("what", n)]));
            }
            if v.ok() {
                let key = if v.key_pinned {
                    "sign.ok_pinned"
                } else {
                    "sign.ok_unpinned"
                };
                let args = [
                    ("report", &args.report.display() as &dyn std::fmt::Display),
                    ("n", &v.evidence_checked),
                    ("key", &v.public_key),
                ];
                println!("{}", fill(lang, key, &args));
            }
        }
    }
    Ok(if v.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
