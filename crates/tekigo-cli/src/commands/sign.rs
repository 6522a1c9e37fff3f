//! `tekigo keygen` and `tekigo verify`: signed reports an auditor can check.

use crate::commands::assess::project;
use crate::output::{emit, json};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

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

pub fn keygen(args: KeygenArgs) -> Result<ExitCode> {
    let public = tekigo_sign::keygen(&args.file)?;
    eprintln!(
        "secret key: {} (keep it private)\npublic key: {} ({public})",
        args.file.display(),
        tekigo_sign::public_key_path(&args.file).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Exit 0 when the report and every evidence file match the signature, 1 when anything
/// differs, 2 when the check itself cannot be made.
pub fn verify(args: VerifyArgs) -> Result<ExitCode> {
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
                println!("FAIL  {f}");
            }
            for n in &v.notes {
                println!("note  {n}");
            }
            if v.ok() {
                println!(
                    "OK    {} and {} evidence file(s) match the signature of key {}{}",
                    args.report.display(),
                    v.evidence_checked,
                    v.public_key,
                    if v.key_pinned {
                        " (the expected key)"
                    } else {
                        " (key not pinned: pass --public-key to check who signed)"
                    }
                );
            }
        }
    }
    Ok(if v.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
