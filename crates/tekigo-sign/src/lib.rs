//! Signed reports: an auditor can check that a report and every evidence file behind it are
//! exactly what the assessor signed.
//!
//! Signing writes a manifest (the report's SHA-256, the assessment file's SHA-256, and the
//! SHA-256 of every evidence file the assessment cites) and an ed25519 signature over the
//! manifest's JSON bytes, next to the report as `REPORT.sig.json`. Verification recomputes
//! every hash from the files and fails on any difference. The assessment record may move on
//! after a report is signed; verification says so, but only a changed report or evidence
//! file makes it fail.
//!
//! Keys are raw ed25519 keys in hex: the secret key file is created with mode 0600 and is
//! never printed. A signature proves possession of the key in the manifest; pin the signer
//! with `expected_key` to prove who that was.

pub mod package;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tekigo_assess::evidence::{hex, sha256_bytes, sha256_file};
use tekigo_assess::{Assessment, Project};

const SECRET_PREFIX: &str = "tekigo-ed25519-secret:";
const PUBLIC_PREFIX: &str = "tekigo-ed25519-public:";
pub const MANIFEST_FORMAT: &str = "tekigo-signed-report/1";

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SignError + '_ {
    move |source| SignError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn invalid(path: &Path, message: impl Into<String>) -> SignError {
    SignError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub report: FileHash,
    pub assessment: FileHash,
    pub evidence: Vec<EvidenceHash>,
    pub signed_at: String,
    /// Hex of the ed25519 public key that signed.
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHash {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceHash {
    pub sha256: String,
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedManifest {
    pub manifest: Manifest,
    /// Hex ed25519 signature over `serde_json::to_vec(&manifest)`.
    pub signature: String,
}

/// Creates a key pair: the secret key at `path` (0600, never overwritten) and the public
/// key at `path.pub`. Returns the public key's hex.
pub fn keygen(path: &Path) -> Result<String, SignError> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed)
        .map_err(|e| invalid(path, format!("no randomness from the system: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io(path))?;
    std::io::Write::write_all(
        &mut file,
        format!("{SECRET_PREFIX}{}\n", hex(&key.to_bytes())).as_bytes(),
    )
    .map_err(io(path))?;
    let public = hex(key.verifying_key().as_bytes());
    let pub_path = public_key_path(path);
    tekigo_assess::write_atomically(&pub_path, format!("{PUBLIC_PREFIX}{public}\n").as_bytes())
        .map_err(|e| invalid(&pub_path, e.to_string()))?;
    Ok(public)
}

pub fn public_key_path(secret: &Path) -> PathBuf {
    let mut s = secret.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Where the signature of a report is kept.
pub fn signature_path(report: &Path) -> PathBuf {
    let mut s = report.as_os_str().to_owned();
    s.push(".sig.json");
    PathBuf::from(s)
}

fn read_key_line(path: &Path, prefix: &str) -> Result<[u8; 32], SignError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let hexed = text.trim().strip_prefix(prefix).ok_or_else(|| {
        invalid(
            path,
            format!("not a tekigo key file (expected {prefix}...)"),
        )
    })?;
    unhex32(hexed).ok_or_else(|| invalid(path, "the key is not 64 hex digits"))
}

pub fn read_public_key(path: &Path) -> Result<String, SignError> {
    read_key_line(path, PUBLIC_PREFIX).map(|b| hex(&b))
}

/// Signs a written report of an assessment and writes `REPORT.sig.json`.
pub fn sign(
    project: &Project,
    assessment: &Assessment,
    report: &Path,
    secret_key: &Path,
    signed_at: &str,
) -> Result<PathBuf, SignError> {
    let key = SigningKey::from_bytes(&read_key_line(secret_key, SECRET_PREFIX)?);
    let assessment_path = project
        .assessment_path(&assessment.id)
        .map_err(|e| invalid(report, e.to_string()))?;
    let store = project.evidence();
    let mut evidence = Vec::new();
    for sha in assessment.evidence_hashes() {
        // Hash the stored bytes now rather than trusting the file name.
        let path = store
            .path_of(sha)
            .ok_or_else(|| invalid(&assessment_path, format!("{sha:?} is not a SHA-256")))?;
        let actual = sha256_file(&path).map_err(|e| invalid(&path, e.to_string()))?;
        if actual != sha {
            return Err(invalid(
                &path,
                "stored evidence does not match its hash; refusing to sign",
            ));
        }
        let names = store
            .meta(sha)
            .map_err(io(&path))?
            .map(|m| m.names)
            .unwrap_or_default();
        evidence.push(EvidenceHash {
            sha256: sha.to_string(),
            names,
        });
    }
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        report: file_hash(report)?,
        assessment: file_hash(&assessment_path)?,
        evidence,
        signed_at: signed_at.into(),
        public_key: hex(key.verifying_key().as_bytes()),
    };
    let bytes = serde_json::to_vec(&manifest).map_err(|e| invalid(report, e.to_string()))?;
    let signed = SignedManifest {
        signature: hex(&key.sign(&bytes).to_bytes()),
        manifest,
    };
    let out = signature_path(report);
    let mut json = serde_json::to_vec_pretty(&signed).map_err(|e| invalid(&out, e.to_string()))?;
    json.push(b'\n');
    tekigo_assess::write_atomically(&out, &json).map_err(|e| invalid(&out, e.to_string()))?;
    Ok(out)
}

fn file_hash(path: &Path) -> Result<FileHash, SignError> {
    Ok(FileHash {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: sha256_file(path).map_err(|e| invalid(path, e.to_string()))?,
    })
}

/// What verification found. `ok()` is false on any failure.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Verification {
    pub public_key: String,
    pub signature_valid: bool,
    pub key_pinned: bool,
    /// Each a sentence naming the file that differs.
    pub failures: Vec<String>,
    pub notes: Vec<String>,
    pub evidence_checked: usize,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.signature_valid && self.failures.is_empty()
    }
}

/// Checks a report against its signature and the project's evidence store.
pub fn verify(
    project: &Project,
    report: &Path,
    signature: &Path,
    expected_key: Option<&str>,
) -> Result<Verification, SignError> {
    let text = std::fs::read(signature).map_err(io(signature))?;
    let signed: SignedManifest = serde_json::from_slice(&text).map_err(|e| {
        invalid(
            signature,
            format!("line {} column {}: {e}", e.line(), e.column()),
        )
    })?;
    let m = &signed.manifest;
    if m.format != MANIFEST_FORMAT {
        return Err(invalid(signature, format!("unknown format {:?}", m.format)));
    }
    let mut v = Verification {
        public_key: m.public_key.clone(),
        ..Default::default()
    };
    let key = unhex32(&m.public_key)
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| invalid(signature, "public_key is not an ed25519 key"))?;
    let sig = unhex64(&signed.signature)
        .map(|b| Signature::from_bytes(&b))
        .ok_or_else(|| invalid(signature, "signature is not 128 hex digits"))?;
    let bytes = serde_json::to_vec(m).map_err(|e| invalid(signature, e.to_string()))?;
    v.signature_valid = key.verify_strict(&bytes, &sig).is_ok();
    if !v.signature_valid {
        v.failures
            .push("the signature does not match the manifest (the manifest was altered)".into());
    }
    if let Some(expected) = expected_key {
        v.key_pinned = expected.eq_ignore_ascii_case(&m.public_key);
        if !v.key_pinned {
            v.failures.push(format!(
                "signed by key {}, not by the expected key {expected}",
                m.public_key
            ));
        }
    }
    let report_hash = sha256_file(report).map_err(|e| invalid(report, e.to_string()))?;
    if report_hash != m.report.sha256 {
        v.failures.push(format!(
            "{} changed since it was signed (sha256 {report_hash}, signed {})",
            report.display(),
            m.report.sha256
        ));
    }
    let store = project.evidence();
    for e in &m.evidence {
        let Some(path) = store.path_of(&e.sha256) else {
            v.failures.push(format!(
                "manifest lists {:?}, which is not a SHA-256",
                e.sha256
            ));
            continue;
        };
        v.evidence_checked += 1;
        match std::fs::read(&path) {
            Ok(bytes) if sha256_bytes(&bytes) == e.sha256 => {}
            Ok(_) => v.failures.push(format!(
                "evidence {} ({}) was modified",
                e.sha256,
                e.names.join(", ")
            )),
            Err(err) => v.failures.push(format!(
                "evidence {} ({}) cannot be read: {err}",
                e.sha256,
                e.names.join(", ")
            )),
        }
    }
    // The name comes from the signature file: resolve it like any assessment id, so a
    // crafted name cannot make verify read outside assessments/.
    let assessment = m
        .assessment
        .name
        .strip_suffix(".yaml")
        .and_then(|id| project.assessment_path(id).ok());
    match assessment.map(|path| sha256_file(&path)) {
        None => v.failures.push(format!(
            "the manifest names {:?}, which is not an assessment file",
            m.assessment.name
        )),
        Some(Ok(h)) if h == m.assessment.sha256 => {}
        Some(Ok(_)) => v.notes.push(format!(
            "the assessment {} has changed since the report was signed; the report shows the signed state",
            m.assessment.name
        )),
        Some(Err(_)) => v.notes.push(format!("the assessment {} is no longer in the project", m.assessment.name)),
    }
    Ok(v)
}

/// Signs `bytes` with the secret key file (from [`keygen`]): the public key and the
/// signature, both in hex. For records other than reports (a frozen release's content hash)
/// that carry their own manifest.
pub fn sign_bytes(secret_key: &Path, bytes: &[u8]) -> Result<(String, String), SignError> {
    let key = SigningKey::from_bytes(&read_key_line(secret_key, SECRET_PREFIX)?);
    Ok((
        hex(key.verifying_key().as_bytes()),
        hex(&key.sign(bytes).to_bytes()),
    ))
}

/// Whether `signature` (hex) is `public_key`'s (hex) ed25519 signature of `bytes`; a key or
/// signature that is not well-formed hex is simply not valid.
pub fn verify_bytes(public_key: &str, signature: &str, bytes: &[u8]) -> bool {
    let key = unhex32(public_key).and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let sig = unhex64(signature).map(|b| Signature::from_bytes(&b));
    match (key, sig) {
        (Some(key), Some(sig)) => key.verify_strict(bytes, &sig).is_ok(),
        _ => false,
    }
}

fn unhex(s: &str, out: &mut [u8]) -> Option<()> {
    let s = s.as_bytes();
    if s.len() != out.len() * 2 {
        return None;
    }
    for (i, pair) in s.chunks(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(text, 16).ok()?;
    }
    Some(())
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    let mut b = [0u8; 32];
    unhex(s, &mut b).map(|_| b)
}

fn unhex64(s: &str) -> Option<[u8; 64]> {
    let mut b = [0u8; 64];
    unhex(s, &mut b).map(|_| b)
}
