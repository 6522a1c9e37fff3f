//! Conformity packages: one signed file a supplier hands downstream, so that a product
//! built on its component can inherit its answers (seed 000, 図3) and check offline that
//! they are exactly what the supplier signed.
//!
//! The file is four lines, every byte of the first three signed by the fourth:
//!
//! ```text
//! tekigo-conformity-package/1
//! key <ed25519 public key, 64 hex digits>
//! <payload: one line of JSON>
//! signature <ed25519 signature over the three lines above, newlines included, 128 hex digits>
//! ```
//!
//! The payload ([`Payload`]) holds the assessment file's exact text (answers, reasons,
//! verification methods), its levels as the supplier computed them, the catalog version,
//! every evidence hash the answers cite (and on request the evidence bytes), and the bytes
//! of the project's `certificates/*.yaml` for the assessed component. Reading a package is
//! bounded ([`MAX_PACKAGE_BYTES`]) and strict: anything other than exactly this layout is
//! refused before a byte of JSON is parsed, and the signature is checked before the
//! payload is read, so a hostile file reaches the JSON parser only when signed by a key
//! the reader trusts.

use crate::{invalid, io, read_key_line, unhex32, unhex64, SignError, SECRET_PREFIX};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::Path;
use tekigo_assess::evidence::{hex, sha256_bytes};
use tekigo_assess::results::ReviewPolicy;
use tekigo_assess::{Assessment, Project};
use tekigo_catalog::{Catalog, Level};

/// The first line of every package.
pub const PACKAGE_FORMAT: &str = "tekigo-conformity-package/1";

/// The largest package read: evidence travels inside, so it is generous, but bounded.
pub const MAX_PACKAGE_BYTES: u64 = 256 * 1024 * 1024;

/// What a package carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// RFC 3339.
    pub exported_at: String,
    pub product: String,
    #[serde(default)]
    pub vendor: Option<String>,
    pub catalog: CatalogVersion,
    /// The review rule the supplier's levels were computed with.
    pub review: ReviewPolicy,
    /// The assessment file, byte for byte.
    pub assessment_file: String,
    /// The supplier's levels, for a reader without tekigo; an inheritor recomputes them.
    pub levels: Levels,
    pub evidence: Vec<PackedEvidence>,
    pub certificates: Vec<PackedFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogVersion {
    pub standard: String,
    pub edition: String,
    /// The tekigo version whose built-in catalog was used.
    pub tekigo: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levels {
    pub achieved: Option<[Level; 7]>,
    pub projected: Option<[Level; 7]>,
    pub with_compensating: Option<[Level; 7]>,
    pub achieved_ml: Option<Level>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackedEvidence {
    pub sha256: String,
    pub names: Vec<String>,
    /// The bytes in hex, when exported `--with-evidence` (for `public`, only files the
    /// owner marked public carry them; the rest keep their hash and names only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// Which evidence files a package carries the bytes of. Every cited file's hash is in the
/// package whatever the choice, so a receiver still sees what each answer rests on and
/// can check any file later obtained against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceScope {
    /// Hashes and names only.
    None,
    /// The files marked public in the evidence store (`EvidenceMeta::public`).
    Public,
    /// Every cited file.
    All,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackedFile {
    pub name: String,
    pub sha256: String,
    pub text: String,
}

/// What the export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub sha256: String,
    pub bytes: usize,
    pub evidence: usize,
    pub evidence_carried: usize,
    pub certificates: Vec<String>,
    pub public_key: String,
}

/// Writes the package of an assessment to `out`, signed with `secret_key`.
pub fn export(
    catalog: &Catalog,
    project: &Project,
    assessment: &Assessment,
    secret_key: &Path,
    with_evidence: EvidenceScope,
    out: &Path,
    exported_at: &str,
) -> Result<Exported, SignError> {
    let key = SigningKey::from_bytes(&read_key_line(secret_key, SECRET_PREFIX)?);
    let file = project
        .assessment_path(&assessment.id)
        .map_err(|e| invalid(out, e.to_string()))?;
    let assessment_file = std::fs::read_to_string(&file).map_err(io(&file))?;
    let standard = catalog
        .standard(&assessment.standard)
        .ok_or_else(|| invalid(&file, format!("unknown standard {}", assessment.standard)))?;
    let r = tekigo_assess::compute_with(standard, assessment, project.config.review);
    let store = project.evidence();
    let mut evidence = Vec::new();
    for sha in assessment.evidence_hashes() {
        let path = store
            .path_of(sha)
            .ok_or_else(|| invalid(&file, format!("{sha:?} is not a SHA-256")))?;
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        if sha256_bytes(&bytes) != sha {
            return Err(invalid(
                &path,
                "stored evidence does not match its hash; refusing to export",
            ));
        }
        let meta = store.meta(sha).map_err(io(&path))?;
        let carried = match with_evidence {
            EvidenceScope::None => false,
            EvidenceScope::Public => meta.as_ref().is_some_and(|m| m.public),
            EvidenceScope::All => true,
        };
        evidence.push(PackedEvidence {
            sha256: sha.to_string(),
            names: meta.map(|m| m.names).unwrap_or_default(),
            content: carried.then(|| hex(&bytes)),
        });
    }
    let payload = Payload {
        exported_at: exported_at.into(),
        product: project.config.product.name.clone(),
        vendor: project.config.product.vendor.clone(),
        catalog: CatalogVersion {
            standard: standard.info.id.clone(),
            edition: standard.info.edition.clone(),
            tekigo: env!("CARGO_PKG_VERSION").into(),
        },
        review: project.config.review,
        assessment_file,
        levels: Levels {
            achieved: r.achieved,
            projected: r.projected,
            with_compensating: r.with_compensating,
            achieved_ml: r.achieved_ml,
        },
        evidence,
        certificates: certificates(project, &assessment.subject.name)?,
    };
    let json = serde_json::to_string(&payload).map_err(|e| invalid(out, e.to_string()))?;
    let public = hex(key.verifying_key().as_bytes());
    let signed = format!("{PACKAGE_FORMAT}\nkey {public}\n{json}\n");
    let signature = hex(&key.sign(signed.as_bytes()).to_bytes());
    let bytes = format!("{signed}signature {signature}\n");
    tekigo_assess::write_atomically(out, bytes.as_bytes())
        .map_err(|e| invalid(out, e.to_string()))?;
    Ok(Exported {
        sha256: sha256_bytes(bytes.as_bytes()),
        bytes: bytes.len(),
        evidence: payload.evidence.len(),
        evidence_carried: payload
            .evidence
            .iter()
            .filter(|e| e.content.is_some())
            .count(),
        certificates: payload.certificates.into_iter().map(|c| c.name).collect(),
        public_key: public,
    })
}

/// The project's certificate files whose `component` is the assessed one. Another command
/// (`tekigo cert`) writes them; the package carries their bytes as they are.
fn certificates(project: &Project, component: &str) -> Result<Vec<PackedFile>, SignError> {
    let dir = project.root.join("certificates");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(io(&dir))?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") || !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let doc: serde_json::Value = serde_norway::from_str(&text)
            .map_err(|e| invalid(&path, format!("not a certificate file: {e}")))?;
        if doc.get("component").and_then(|c| c.as_str()) == Some(component) {
            out.push(PackedFile {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                sha256: sha256_bytes(text.as_bytes()),
                text,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A package whose signature checked out against a trusted key.
#[derive(Debug, Clone)]
pub struct Verified {
    pub payload: Payload,
    /// The assessment, parsed and checked against the catalog.
    pub assessment: Assessment,
    /// SHA-256 of the whole file.
    pub sha256: String,
    /// The file's bytes, to keep as evidence.
    pub bytes: Vec<u8>,
    pub public_key: String,
    /// SHA-256 of the raw public key (`tekigo_assess::inherit::fingerprint`).
    pub signer: String,
}

impl Verified {
    /// Every piece of evidence the package carries, with its bytes (hashes checked).
    pub fn carried_evidence(&self) -> Vec<(&PackedEvidence, Vec<u8>)> {
        self.payload
            .evidence
            .iter()
            .filter_map(|e| Some((e, unhex_vec(e.content.as_deref()?)?)))
            .collect()
    }
}

/// Reads and verifies a package: the layout, the signature, that the signer is `trusted`
/// (hex public key), then the payload, every carried evidence file against its hash and
/// the assessment against the catalog. Any failure names the file and what is wrong.
pub fn verify(catalog: &Catalog, path: &Path, trusted: &str) -> Result<Verified, SignError> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut bytes = Vec::new();
    file.take(MAX_PACKAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    if bytes.len() as u64 > MAX_PACKAGE_BYTES {
        return Err(invalid(
            path,
            format!("larger than {MAX_PACKAGE_BYTES} bytes; not a package tekigo reads"),
        ));
    }
    let layout = |line: usize, what: &str| {
        invalid(
            path,
            format!("line {line}: {what}; not a {PACKAGE_FORMAT} file, or it was altered"),
        )
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| layout(0, &format!("not UTF-8 ({e})")))?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.len() != 4 || !text.ends_with('\n') {
        return Err(layout(lines.len(), "expected exactly four lines"));
    }
    if lines[0] != format!("{PACKAGE_FORMAT}\n") {
        return Err(layout(1, &format!("expected {PACKAGE_FORMAT}")));
    }
    let key_hex = lines[1]
        .strip_prefix("key ")
        .and_then(|k| k.strip_suffix('\n'))
        .ok_or_else(|| layout(2, "expected `key <hex>`"))?;
    let sig_hex = lines[3]
        .strip_prefix("signature ")
        .and_then(|k| k.strip_suffix('\n'))
        .ok_or_else(|| layout(4, "expected `signature <hex>`"))?;
    let key = unhex32(key_hex)
        .filter(|_| {
            key_hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| layout(2, "the key is not an ed25519 public key in lower-case hex"))?;
    let sig = unhex64(sig_hex)
        .filter(|_| {
            sig_hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        .map(|b| Signature::from_bytes(&b))
        .ok_or_else(|| layout(4, "the signature is not 128 lower-case hex digits"))?;
    if !trusted.eq_ignore_ascii_case(key_hex) {
        return Err(invalid(
            path,
            format!("signed by key {key_hex}, which is not the trusted key {trusted}"),
        ));
    }
    let signed_len = bytes.len() - lines[3].len();
    if key.verify_strict(&bytes[..signed_len], &sig).is_err() {
        return Err(invalid(
            path,
            "the signature does not match the contents: the package was altered after signing",
        ));
    }
    let payload: Payload = serde_json::from_str(lines[2].trim_end_matches('\n'))
        .map_err(|e| invalid(path, format!("line 3 column {}: {e}", e.column())))?;
    for e in &payload.evidence {
        if let Some(content) = &e.content {
            let ok = unhex_vec(content).is_some_and(|b| sha256_bytes(&b) == e.sha256);
            if !ok {
                return Err(invalid(
                    path,
                    format!("evidence {} does not match its hash", e.sha256),
                ));
            }
        }
    }
    let name = format!("{}:assessment", path.display());
    let assessment =
        tekigo_assess::parse_checked(catalog, Path::new(&name), &payload.assessment_file)
            .map_err(|e| invalid(path, e.to_string()))?;
    Ok(Verified {
        sha256: sha256_bytes(&bytes),
        signer: tekigo_assess::inherit::fingerprint(key.as_bytes()),
        public_key: key_hex.to_string(),
        payload,
        assessment,
        bytes,
    })
}

fn unhex_vec(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let mut out = vec![0u8; s.len() / 2];
    crate::unhex(s, &mut out)?;
    Some(out)
}
