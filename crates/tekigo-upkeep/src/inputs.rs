//! The file another part of tekigo writes that upkeep reads: `watch/findings.json` (the
//! vulnerability watch). Only the fields upkeep needs are read; anything else is left
//! alone. Frozen releases and their support period come from `tekigo_assess::releases`.

use serde::Deserialize;
use std::path::Path;
use tekigo_assess::{AssessError, Project};

pub const FINDINGS_FILE: &str = "watch/findings.json";

#[derive(Debug, Clone, Deserialize)]
pub struct WatchFile {
    pub format: u32,
    #[serde(default)]
    pub findings: Vec<WatchFinding>,
}

/// A vulnerability the watch matched in a release's SBOM, recorded once.
#[derive(Debug, Clone, Deserialize)]
pub struct WatchFinding {
    pub release: String,
    pub vulnerability: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A PURL or name@version.
    pub component: String,
    /// RFC 3339.
    pub first_seen: String,
    #[serde(default)]
    pub kev: bool,
    #[serde(default)]
    pub kev_date_added: Option<String>,
}

impl WatchFinding {
    /// The vulnerability's id and aliases.
    pub fn ids(&self) -> Vec<&str> {
        std::iter::once(self.vulnerability.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .collect()
    }
}

/// The watch's findings; none when the watch never ran.
pub fn watch_findings(project: &Project) -> Result<Vec<WatchFinding>, AssessError> {
    let path = project.root.join(FINDINGS_FILE);
    let Some(bytes) = read_optional(&path)? else {
        return Ok(Vec::new());
    };
    let file: WatchFile = json(&path, &bytes)?;
    if file.format != 1 {
        return Err(AssessError::message(
            &path,
            format!("format {} is not supported by this tekigo (1)", file.format),
        ));
    }
    for (i, f) in file.findings.iter().enumerate() {
        if crate::cra::parse_time(&f.first_seen).is_none() {
            return Err(AssessError::message(
                &path,
                format!(
                    "findings[{i}].first_seen: {:?} is not an RFC 3339 time",
                    f.first_seen
                ),
            ));
        }
    }
    Ok(file.findings)
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, AssessError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(AssessError::io(path, e)),
    }
}

fn json<T: serde::de::DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, AssessError> {
    serde_json::from_slice(bytes)
        .map_err(|e| AssessError::Invalid(vec![tekigo_assess::problem(path, Some(e.line()), e)]))
}
