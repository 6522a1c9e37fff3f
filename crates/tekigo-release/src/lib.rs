//! Release baselines: what a release was when it shipped, what changed since, and the watch
//! that keeps looking at it while it is supported.
//!
//! A certificate names a component and the releases it covers; a certification body asks
//! what changed since the certified one. So `tekigo release freeze VERSION` records under
//! `releases/VERSION/` (written by [`freeze`]):
//!
//! - `release.json` ([`Release`]): every assessment's answers and levels as tekigo-assess
//!   computes them (claimed, projected, with compensating countermeasures, maturity), the
//!   evidence hashes the answers cite, the vulnerability findings with their triage (when an
//!   advisory database is given), the support period, and the SHA-256 of every file copied
//!   beside it;
//! - the SBOM files and the last scan report (`scan.json`), copied byte for byte.
//!
//! **Immutable.** A version that exists is never frozen again; the directory is built under
//! a temporary name and renamed into place, so a failed freeze leaves nothing behind.
//! `content_sha256` is the SHA-256 of `release.json`'s compact JSON without the fields
//! `content_sha256` and `signature` (object keys as the file orders them); with a key the
//! ed25519 signature (tekigo-sign) is over that hash's hex text. [`verify`] recomputes the
//! hash, rehashes every copied file, and checks the signature against a pinned key.
//!
//! [`diff`] compares two releases and classifies the change for the certificate (its module
//! docs hold the rule table); [`watch`] re-matches the SBOMs of supported releases against
//! the advisory database and records what is new; [`webhook`] delivers it.

pub mod diff;
pub mod watch;
pub mod webhook;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tekigo_assess::{Answer, Project};
use tekigo_catalog::{Catalog, Level};

/// The directory of a project that holds one directory per release.
pub const RELEASES_DIR: &str = "releases";
/// The record of a release inside its directory.
pub const RELEASE_FILE: &str = "release.json";
/// The name the last scan report is copied under.
pub const SCAN_FILE: &str = "scan.json";
/// The version of `release.json`'s layout.
pub const FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error(
        "release {0} is already frozen; a frozen release is never changed (freeze a new version)"
    )]
    Exists(String),
    #[error("no release {0} in this project (releases/{0}/release.json)")]
    Missing(String),
    #[error("{0:?} is not a release version: use letters, digits, '.', '-', '+' and '_' (at most 64), starting with a letter or digit")]
    BadVersion(String),
    #[error(transparent)]
    Assess(#[from] tekigo_assess::AssessError),
    #[error(transparent)]
    Sbom(#[from] tekigo_sbom::SbomError),
    #[error(transparent)]
    Vex(#[from] tekigo_vex::VexError),
    #[error(transparent)]
    Db(#[from] tekigo_vulndb::DbError),
    #[error(transparent)]
    Sign(#[from] tekigo_sign::SignError),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReleaseError + '_ {
    move |source| ReleaseError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> ReleaseError {
    ReleaseError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// `releases/VERSION/release.json`: the frozen state of one release (see the crate docs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Release {
    pub format: u32,
    pub version: String,
    /// RFC 3339.
    pub frozen_at: String,
    /// YYYY-MM-DD: the end of this release's support period; `null` inherits tekigo.yaml's
    /// `product.support_until`.
    pub support_until: Option<String>,
    /// SBOM file names inside the release directory.
    pub sboms: Vec<String>,
    /// The scan report's file name inside the release directory, when one was given.
    #[serde(default)]
    pub scan: Option<String>,
    /// Every copied file with its SHA-256.
    #[serde(default)]
    pub files: Vec<FileHash>,
    #[serde(default)]
    pub assessments: Vec<FrozenAssessment>,
    /// The stored evidence the answers cite.
    #[serde(default)]
    pub evidence: Vec<FrozenEvidence>,
    /// The findings of the SBOMs against the advisory database at freeze time; `null` when
    /// no database was given (not the same as none found).
    #[serde(default)]
    pub vulnerabilities: Option<Vec<FrozenVulnerability>>,
    #[serde(default)]
    pub content_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ReleaseSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrozenAssessment {
    pub id: String,
    pub standard: String,
    pub subject: String,
    pub answers: BTreeMap<String, Answer>,
    pub levels: Levels,
}

/// The levels of an assessment as `tekigo_assess::compute_with` gives them (its module docs
/// state the rules), per FR in FR order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Levels {
    pub target: Option<[Level; 7]>,
    pub achieved: Option<[Level; 7]>,
    pub projected: Option<[Level; 7]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_compensating: Option<[Level; 7]>,
    pub target_ml: Option<Level>,
    pub achieved_ml: Option<Level>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenEvidence {
    pub sha256: String,
    pub names: Vec<String>,
}

/// One finding of a release's SBOM, as `tekigo vuln scan` shows it, reduced to what a
/// comparison needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenVulnerability {
    pub vulnerability: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// PURL, or NAME@VERSION.
    pub component: String,
    pub kev: bool,
    /// The triage state a person recorded (`affected`, `not_affected`, `fixed`,
    /// `under_investigation`), `null` when untriaged.
    pub triage: Option<String>,
    /// Whether it is still to be dealt with (`FindingRow::is_open`).
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseSignature {
    /// Hex ed25519 public key.
    pub public_key: String,
    /// Hex ed25519 signature over `content_sha256`'s text.
    pub signature: String,
}

/// What `freeze` is given besides the project.
#[derive(Debug, Default)]
pub struct FreezeOptions<'a> {
    pub sboms: &'a [PathBuf],
    pub scan: Option<&'a Path>,
    pub support_until: Option<String>,
    pub sign_key: Option<&'a Path>,
    pub db: Option<&'a tekigo_vulndb::Db>,
    /// RFC 3339.
    pub frozen_at: String,
}

/// Whether `version` may name a release directory (see [`ReleaseError::BadVersion`]).
pub fn check_version(version: &str) -> Result<(), ReleaseError> {
    let ok = !version.is_empty()
        && version.len() <= 64
        && version.as_bytes()[0].is_ascii_alphanumeric()
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(ReleaseError::BadVersion(version.to_string()))
    }
}

/// `releases/VERSION` of the project.
pub fn release_dir(root: &Path, version: &str) -> Result<PathBuf, ReleaseError> {
    check_version(version)?;
    Ok(root.join(RELEASES_DIR).join(version))
}

/// Whether `version` is frozen in the project.
pub fn exists(root: &Path, version: &str) -> Result<bool, ReleaseError> {
    Ok(release_dir(root, version)?.exists())
}

/// Records the release (see the crate docs) and returns it as written.
pub fn freeze(
    project: &Project,
    catalog: &Catalog,
    version: &str,
    opts: &FreezeOptions,
) -> Result<Release, ReleaseError> {
    let dir = release_dir(&project.root, version)?;
    if dir.exists() {
        return Err(ReleaseError::Exists(version.to_string()));
    }
    if let Some(d) = &opts.support_until {
        if let Some(why) = tekigo_assess::date_error(d) {
            return Err(invalid(Path::new("--support-until"), why));
        }
    }
    // Everything is read and checked before anything is written.
    let mut assessments = Vec::new();
    let mut cited: BTreeMap<String, ()> = BTreeMap::new();
    for id in project.assessment_ids()? {
        let a = project.load_assessment(catalog, &id)?;
        let path = project.assessment_path(&id)?;
        let standard = catalog.standard(&a.standard).ok_or_else(|| {
            invalid(
                &path,
                format!("standard {} is not in the catalog", a.standard),
            )
        })?;
        let r = tekigo_assess::compute_with(standard, &a, project.config.review);
        for sha in a.evidence_hashes() {
            cited.insert(sha.to_string(), ());
        }
        assessments.push(FrozenAssessment {
            id: a.id.clone(),
            standard: a.standard.clone(),
            subject: a.subject.name.clone(),
            levels: Levels {
                target: r.target,
                achieved: r.achieved,
                projected: r.projected,
                with_compensating: r.with_compensating,
                target_ml: r.target_ml,
                achieved_ml: r.achieved_ml,
            },
            answers: a.answers,
        });
    }
    let store = project.evidence();
    let mut evidence = Vec::new();
    for sha in cited.keys() {
        let path = store
            .path_of(sha)
            .ok_or_else(|| invalid(&project.root, format!("{sha:?} is not a SHA-256")))?;
        let actual = tekigo_assess::evidence::sha256_file(&path)?;
        if &actual != sha {
            return Err(invalid(
                &path,
                "stored evidence does not match its hash; refusing to freeze",
            ));
        }
        let names = store.meta(sha).map_err(io(&path))?.map(|m| m.names);
        evidence.push(FrozenEvidence {
            sha256: sha.clone(),
            names: names.unwrap_or_default(),
        });
    }
    let mut copies: Vec<(String, Vec<u8>)> = Vec::new();
    let mut sboms = Vec::new();
    let mut parsed = Vec::new();
    for path in opts.sboms {
        let bytes = std::fs::read(path).map_err(io(path))?;
        let sbom = tekigo_sbom::Sbom::from_slice(&bytes, &path.display().to_string())?;
        let base = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "sbom.json".into());
        let mut name = safe_name(&base);
        if name == RELEASE_FILE || name == SCAN_FILE || copies.iter().any(|(n, _)| *n == name) {
            name = format!("{}-{name}", copies.len() + 1);
        }
        sboms.push(name.clone());
        copies.push((name, bytes));
        parsed.push(sbom);
    }
    let scan = match opts.scan {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(io(path))?;
            serde_json::from_slice::<tekigo_verdict::Report>(&bytes).map_err(|e| {
                invalid(
                    path,
                    format!(
                        "not a tekigo scan report (line {} column {}): {e}",
                        e.line(),
                        e.column()
                    ),
                )
            })?;
            copies.push((SCAN_FILE.to_string(), bytes));
            Some(SCAN_FILE.to_string())
        }
        None => None,
    };
    let vulnerabilities = match opts.db {
        Some(db) => {
            let triage = tekigo_vex::Triage::load(&project.root)?;
            let mut out = Vec::new();
            for sbom in &parsed {
                let found = tekigo_vulnscan::findings(sbom, db, Some(&triage))?;
                out.extend(found.rows.iter().map(|r| FrozenVulnerability {
                    vulnerability: r.vulnerability.clone(),
                    aliases: r.aliases.clone(),
                    component: r.component.clone(),
                    kev: r.kev,
                    triage: r.triage.as_ref().map(|t| t.state.clone()),
                    open: r.is_open(),
                }));
            }
            Some(out)
        }
        None => None,
    };
    let mut release = Release {
        format: FORMAT,
        version: version.to_string(),
        frozen_at: opts.frozen_at.clone(),
        support_until: opts.support_until.clone(),
        sboms,
        scan,
        files: copies
            .iter()
            .map(|(name, bytes)| FileHash {
                name: name.clone(),
                sha256: tekigo_assess::evidence::sha256_bytes(bytes),
            })
            .collect(),
        assessments,
        evidence,
        vulnerabilities,
        content_sha256: String::new(),
        signature: None,
    };
    let value = serde_json::to_value(&release).map_err(|e| invalid(&dir, e.to_string()))?;
    release.content_sha256 = content_hash(&value);
    if let Some(key) = opts.sign_key {
        let (public_key, signature) =
            tekigo_sign::sign_bytes(key, release.content_sha256.as_bytes())?;
        release.signature = Some(ReleaseSignature {
            public_key,
            signature,
        });
    }
    write_release_dir(&dir, &release, &copies)?;
    Ok(release)
}

/// A file name without directories or characters a shell or a URL trips on.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.trim_start_matches('.') {
        "" => "sbom.json".to_string(),
        s => s.to_string(),
    }
}

/// Builds the directory under a temporary name next to it and renames it into place: a
/// release appears whole or not at all, and two freezes of one version cannot both win
/// (renaming onto a directory that exists and is not empty fails).
fn write_release_dir(
    dir: &Path,
    release: &Release,
    copies: &[(String, Vec<u8>)],
) -> Result<(), ReleaseError> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let tmp = parent.join(format!(".{}.tmp-{}", release.version, std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    let result = (|| {
        for (name, bytes) in copies {
            let p = tmp.join(name);
            std::fs::write(&p, bytes).map_err(io(&p))?;
        }
        let mut json =
            serde_json::to_vec_pretty(release).map_err(|e| invalid(dir, e.to_string()))?;
        json.push(b'\n');
        let p = tmp.join(RELEASE_FILE);
        std::fs::write(&p, json).map_err(io(&p))?;
        if dir.exists() {
            return Err(ReleaseError::Exists(release.version.clone()));
        }
        std::fs::rename(&tmp, dir).map_err(|e| {
            if dir.exists() {
                ReleaseError::Exists(release.version.clone())
            } else {
                io(dir)(e)
            }
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// The SHA-256 (hex) of a release's compact JSON without `content_sha256` and `signature`.
fn content_hash(value: &serde_json::Value) -> String {
    let mut v = value.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("content_sha256");
        o.remove("signature");
    }
    let bytes = serde_json::to_vec(&v).unwrap_or_default();
    tekigo_assess::evidence::hex(&Sha256::digest(&bytes))
}

/// Reads `releases/VERSION/release.json`.
pub fn load(root: &Path, version: &str) -> Result<Release, ReleaseError> {
    let dir = release_dir(root, version)?;
    let path = dir.join(RELEASE_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReleaseError::Missing(version.to_string()))
        }
        Err(e) => return Err(io(&path)(e)),
    };
    let release: Release = serde_json::from_slice(&bytes).map_err(|e| {
        invalid(
            &path,
            format!("line {} column {}: {e}", e.line(), e.column()),
        )
    })?;
    if release.version != version {
        return Err(invalid(
            &path,
            format!("records version {:?}, not {version:?}", release.version),
        ));
    }
    Ok(release)
}

/// Every frozen release of the project, in the order they were frozen.
pub fn list(root: &Path) -> Result<Vec<Release>, ReleaseError> {
    let dir = root.join(RELEASES_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(&dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if check_version(&name).is_err() || !entry.path().join(RELEASE_FILE).is_file() {
            continue;
        }
        out.push(load(root, &name)?);
    }
    out.sort_by(|a, b| (&a.frozen_at, &a.version).cmp(&(&b.frozen_at, &b.version)));
    Ok(out)
}

/// A file of the release directory, read within it (names come from `release.json`, which
/// is input).
pub fn read_release_file(root: &Path, version: &str, name: &str) -> Result<Vec<u8>, ReleaseError> {
    let dir = release_dir(root, version)?;
    if safe_name(name) != name {
        return Err(invalid(
            &dir.join(RELEASE_FILE),
            format!("file name {name:?} leaves the release directory"),
        ));
    }
    let path = dir.join(name);
    std::fs::read(&path).map_err(io(&path))
}

/// What [`verify`] found; `ok()` is false on any failure.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Verification {
    pub version: String,
    pub content_sha256: String,
    pub signed: bool,
    pub signature_valid: bool,
    pub key_pinned: bool,
    /// Each a sentence naming what differs.
    pub failures: Vec<String>,
    pub files_checked: usize,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Recomputes the content hash and every file's hash; with `expected_key` (hex) the
/// release must be signed by that key.
pub fn verify(
    root: &Path,
    version: &str,
    expected_key: Option<&str>,
) -> Result<Verification, ReleaseError> {
    let dir = release_dir(root, version)?;
    let path = dir.join(RELEASE_FILE);
    let release = load(root, version)?;
    let bytes = std::fs::read(&path).map_err(io(&path))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        invalid(
            &path,
            format!("line {} column {}: {e}", e.line(), e.column()),
        )
    })?;
    let mut v = Verification {
        version: version.to_string(),
        content_sha256: release.content_sha256.clone(),
        ..Default::default()
    };
    let actual = content_hash(&value);
    if actual != release.content_sha256 {
        v.failures.push(format!(
            "{} changed since the release was frozen (content sha256 {actual}, recorded {})",
            path.display(),
            release.content_sha256
        ));
    }
    let listed: Vec<&String> = release.sboms.iter().chain(release.scan.iter()).collect();
    for name in listed {
        if !release.files.iter().any(|f| &f.name == name) {
            v.failures.push(format!(
                "{name} is named by the release but has no recorded hash"
            ));
        }
    }
    for f in &release.files {
        v.files_checked += 1;
        match read_release_file(root, version, &f.name) {
            Ok(b) if tekigo_assess::evidence::sha256_bytes(&b) == f.sha256 => {}
            Ok(_) => v.failures.push(format!(
                "{} was modified after the freeze",
                dir.join(&f.name).display()
            )),
            Err(e) => v.failures.push(e.to_string()),
        }
    }
    match &release.signature {
        Some(s) => {
            v.signed = true;
            v.signature_valid = tekigo_sign::verify_bytes(
                &s.public_key,
                &s.signature,
                release.content_sha256.as_bytes(),
            );
            if !v.signature_valid {
                v.failures
                    .push("the signature does not match the recorded content hash".into());
            }
            if let Some(expected) = expected_key {
                v.key_pinned = expected.eq_ignore_ascii_case(&s.public_key);
                if !v.key_pinned {
                    v.failures.push(format!(
                        "signed by key {}, not by the expected key {expected}",
                        s.public_key
                    ));
                }
            }
        }
        None if expected_key.is_some() => v
            .failures
            .push("the release is not signed, and a key was given to check it against".into()),
        None => {}
    }
    Ok(v)
}

/// Loads the SBOMs a release recorded.
pub fn sboms(root: &Path, release: &Release) -> Result<Vec<tekigo_sbom::Sbom>, ReleaseError> {
    release
        .sboms
        .iter()
        .map(|name| {
            let bytes = read_release_file(root, &release.version, name)?;
            parse_sbom(&release.version, name, &bytes)
        })
        .collect()
}

/// Parses the bytes of SBOM `name` of release `version`, errors naming it in the project.
pub(crate) fn parse_sbom(
    version: &str,
    name: &str,
    bytes: &[u8],
) -> Result<tekigo_sbom::Sbom, ReleaseError> {
    let origin = format!("{RELEASES_DIR}/{version}/{name}");
    Ok(tekigo_sbom::Sbom::from_slice(bytes, &origin)?)
}

/// Loads the scan report a release recorded, if any.
pub fn scan(
    root: &Path,
    release: &Release,
) -> Result<Option<tekigo_verdict::Report>, ReleaseError> {
    let Some(name) = &release.scan else {
        return Ok(None);
    };
    let bytes = read_release_file(root, &release.version, name)?;
    let path = release_dir(root, &release.version)?.join(name);
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        invalid(
            &path,
            format!("line {} column {}: {e}", e.line(), e.column()),
        )
    })
}
