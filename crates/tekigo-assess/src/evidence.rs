//! The evidence store: files named by their SHA-256, so that the same file is stored once,
//! an assessment refers to it by content, and any change to it is detectable.
//!
//! `evidence/<sha256>` holds the bytes; `evidence/<sha256>.yaml` the names the file was
//! added under, its size and when it was first added.

use crate::AssessError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub const EVIDENCE_DIR: &str = "evidence";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceMeta {
    /// Every name the file was added under (the same bytes may come from several places).
    pub names: Vec<String>,
    pub size: u64,
    /// RFC 3339 timestamp of the first addition.
    pub added: String,
    /// The owner marked the file fit to hand downstream (`assess set --evidence F
    /// --public`): a package exported `--with-evidence public` carries only such files'
    /// bytes, and the hashes of the others.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
}

/// One stored file, as listed in reports' evidence index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvidence {
    pub sha256: String,
    #[serde(flatten)]
    pub meta: EvidenceMeta,
}

pub struct EvidenceStore {
    dir: PathBuf,
}

impl EvidenceStore {
    pub fn new(project_root: &Path) -> EvidenceStore {
        EvidenceStore {
            dir: project_root.join(EVIDENCE_DIR),
        }
    }

    /// Where the bytes of a stored file are. The hash is checked to be a SHA-256 hex string
    /// first, so a crafted reference cannot point outside the store.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256(sha256).then(|| self.dir.join(sha256))
    }

    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_some_and(|p| p.is_file())
    }

    /// Copies a file into the store (hashing while copying) and records its name.
    pub fn add_file(&self, path: &Path) -> Result<StoredEvidence, AssessError> {
        let mut file = std::fs::File::open(path).map_err(|e| AssessError::io(path, e))?;
        if !file
            .metadata()
            .map_err(|e| AssessError::io(path, e))?
            .is_file()
        {
            return Err(AssessError::message(
                path,
                "evidence must be a regular file",
            ));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        self.add_reader(Some(&name), &mut file)
            .map_err(|e| AssessError::io(path, e))
    }

    /// Stores bytes produced by tekigo itself, such as a device-scan report.
    pub fn add_bytes(&self, name: &str, bytes: &[u8]) -> Result<StoredEvidence, AssessError> {
        let mut reader = bytes;
        self.add_reader(Some(name), &mut reader)
            .map_err(|e| AssessError::io(&self.dir, e))
    }

    /// Stores bytes and records nothing about them: for a store that several projects
    /// share (the server's), where a name or the time of the first upload would tell one
    /// project what another uploaded. The caller keeps the name with its project.
    pub fn add_unrecorded(&self, reader: &mut dyn Read) -> std::io::Result<StoredEvidence> {
        self.add_reader(None, reader)
    }

    fn add_reader(
        &self,
        name: Option<&str>,
        reader: &mut dyn Read,
    ) -> std::io::Result<StoredEvidence> {
        std::fs::create_dir_all(&self.dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            tmp.write_all(&buf[..n])?;
            size += n as u64;
        }
        let sha256 = hex(&hasher.finalize());
        let dest = self.dir.join(&sha256);
        if !dest.exists() {
            tmp.as_file().sync_all()?;
            tmp.persist(&dest).map_err(|e| e.error)?;
        }
        let fresh = || EvidenceMeta {
            names: Vec::new(),
            size,
            added: crate::now_rfc3339(),
            public: false,
        };
        let Some(name) = name else {
            return Ok(StoredEvidence {
                sha256,
                meta: fresh(),
            });
        };
        let mut meta = self.meta(&sha256)?.unwrap_or_else(fresh);
        if !meta.names.iter().any(|n| n == name) {
            meta.names.push(name.to_string());
            let text = serde_norway::to_string(&meta).map_err(std::io::Error::other)?;
            crate::write_atomically(&self.meta_path(&sha256), text.as_bytes())
                .map_err(std::io::Error::other)?;
        }
        Ok(StoredEvidence { sha256, meta })
    }

    fn meta_path(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.yaml"))
    }

    pub fn meta(&self, sha256: &str) -> std::io::Result<Option<EvidenceMeta>> {
        let path = self.meta_path(sha256);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_norway::from_str(&text)
                .map(Some)
                .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Marks a stored file public (see [`EvidenceMeta::public`]).
    pub fn mark_public(&self, sha256: &str) -> Result<(), AssessError> {
        let path = self.meta_path(sha256);
        let mut meta = self
            .meta(sha256)
            .map_err(|e| AssessError::io(&path, e))?
            .ok_or_else(|| AssessError::message(&path, "no such stored evidence"))?;
        if !meta.public {
            meta.public = true;
            let text = serde_norway::to_string(&meta)
                .map_err(|e| AssessError::message(&path, e.to_string()))?;
            crate::write_atomically(&path, text.as_bytes())?;
        }
        Ok(())
    }

    /// Hashes the stored file again; `Ok(false)` when its bytes no longer match its name.
    pub fn verify(&self, sha256: &str) -> Result<bool, AssessError> {
        let path = self.path_of(sha256).ok_or_else(|| {
            AssessError::message(&self.dir, format!("{sha256:?} is not a SHA-256"))
        })?;
        Ok(sha256_file(&path)? == sha256)
    }
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String, AssessError> {
    let mut file = std::fs::File::open(path).map_err(|e| AssessError::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| AssessError::io(path, e))?;
    Ok(hex(&hasher.finalize()))
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex, the spelling of every hash and key tekigo writes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
