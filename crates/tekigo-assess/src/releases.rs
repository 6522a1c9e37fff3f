//! The frozen releases of a project as everything but their writer reads them: the header
//! of `releases/VERSION/release.json` (written by `tekigo release freeze`, crate
//! tekigo-release, which keeps the whole record) and the support-period rule. The upkeep,
//! the watch and the CRA documents all ask "until when is this release supported"; the
//! answer is [`support_end`], stated here once.

use crate::AssessError;
use serde::Deserialize;
use std::path::Path;

/// Where frozen releases live, relative to the project root.
pub const RELEASES_DIR: &str = "releases";

/// What a reader other than tekigo-release needs of a frozen release.
#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseHeader {
    pub version: String,
    /// RFC 3339.
    pub frozen_at: String,
    /// YYYY-MM-DD: the release's own end of support, if it states one.
    #[serde(default)]
    pub support_until: Option<String>,
    /// SBOM file names inside `releases/VERSION/`.
    #[serde(default)]
    pub sboms: Vec<String>,
}

/// The last supported day of a release: its own `support_until`, else the product's
/// (`product.support_until` in tekigo.yaml, EU CRA Art. 13(8)); `None` when neither says,
/// which means "no end stated" (such a release is treated as supported).
pub fn support_end<'a>(release: Option<&'a str>, product: Option<&'a str>) -> Option<&'a str> {
    release.or(product)
}

/// The headers of the project's frozen releases, by directory name, each checked: a broken
/// file, an invalid date or an SBOM name that leaves the release directory is an error
/// naming the file.
pub fn release_headers(root: &Path) -> Result<Vec<ReleaseHeader>, AssessError> {
    let dir = root.join(RELEASES_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AssessError::io(&dir, e)),
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("release.json"))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| AssessError::io(&path, e))?;
        let r: ReleaseHeader =
            serde_json::from_str(&text).map_err(|e| AssessError::message(&path, e))?;
        if let Some(m) = r.support_until.as_deref().and_then(crate::date_error) {
            return Err(AssessError::message(&path, format!("support_until: {m}")));
        }
        if let Some(bad) = r.sboms.iter().find(|n| n.contains('/') || n.contains('\\')) {
            return Err(AssessError::message(
                &path,
                format!("sboms: {bad:?} is not a file name inside the release directory"),
            ));
        }
        out.push(r);
    }
    Ok(out)
}
