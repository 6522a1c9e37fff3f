//! Actively exploited vulnerabilities a person flagged, and the CRA reports made about
//! them: `cra/exploited.yaml`.
//!
//! EU CRA Art. 14(2) (Regulation (EU) 2024/2847): a manufacturer notifies an actively
//! exploited vulnerability with an early warning within 24 hours of becoming aware of it, a
//! vulnerability notification within 72 hours, and a final report no later than 14 days
//! after a corrective or mitigating measure is available. The clocks themselves are rules
//! of `crate::rules`; this file records what starts them (awareness, the day a fix became
//! available) and what stops them (a report made).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tekigo_assess::{AssessError, Problem, Project};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub const CRA_FILE: &str = "cra/exploited.yaml";

/// The three reports of Art. 14(2), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    EarlyWarning,
    Notification,
    Final,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::EarlyWarning, Stage::Notification, Stage::Final];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::EarlyWarning => "early-warning",
            Stage::Notification => "notification",
            Stage::Final => "final",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CraFile {
    pub format: u32,
    #[serde(default)]
    pub vulnerabilities: Vec<Exploited>,
}

/// One actively exploited vulnerability: flagged by a person, or only a record of the
/// reports made about a KEV finding of the watch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exploited {
    pub vulnerability: String,
    /// The affected component (name in tekigo.yaml, PURL or name@version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// RFC 3339: when the manufacturer became aware that it is actively exploited. Absent
    /// when only the watch (KEV) knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aware_at: Option<String>,
    /// YYYY-MM-DD: the day a corrective or mitigating measure became available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_available: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flagged_by: Option<String>,
    /// The reports made: stage -> RFC 3339 time it was recorded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reported: BTreeMap<Stage, String>,
}

impl Exploited {
    pub fn new(vulnerability: &str) -> Exploited {
        Exploited {
            vulnerability: vulnerability.trim().to_string(),
            component: None,
            aware_at: None,
            fix_available: None,
            flagged_by: None,
            reported: BTreeMap::new(),
        }
    }

    pub fn aware(&self) -> Option<OffsetDateTime> {
        self.aware_at.as_deref().and_then(parse_time)
    }
}

pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

pub fn format_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

fn file_path(project: &Project) -> PathBuf {
    project.root.join(CRA_FILE)
}

/// Loads `cra/exploited.yaml`; a missing file is an empty one. Problems name the line.
pub fn load(project: &Project) -> Result<CraFile, AssessError> {
    let path = file_path(project);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(CraFile {
                format: 1,
                vulnerabilities: Vec::new(),
            })
        }
        Err(e) => return Err(AssessError::io(&path, e)),
    };
    let file: CraFile = tekigo_assess::parse_yaml(&path, &text)?;
    AssessError::from_problems(check(&file, &path, &text))?;
    Ok(file)
}

pub fn save(project: &Project, file: &CraFile) -> Result<(), AssessError> {
    let path = file_path(project);
    let body = serde_norway::to_string(file).map_err(|e| AssessError::message(&path, e))?;
    let text = format!(
        "# Actively exploited vulnerabilities and the EU CRA Art. 14(2) reports made, kept by\n\
         # `tekigo cra flag` and `tekigo cra reported`.\n{body}"
    );
    AssessError::from_problems(check(file, &path, &text))?;
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .map_err(|e| AssessError::io(&path, e))?;
    tekigo_assess::write_atomically(&path, text.as_bytes())
}

fn check(file: &CraFile, path: &Path, text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let line = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
    if file.format != 1 {
        problems.push(tekigo_assess::problem(
            path,
            tekigo_assess::line_of_key(text, "format"),
            format!("format {} is not supported by this tekigo (1)", file.format),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, v) in file.vulnerabilities.iter().enumerate() {
        let at = line(&v.vulnerability);
        let mut bad = |m: String| {
            problems.push(tekigo_assess::problem(
                path,
                at,
                format!("vulnerabilities[{i}] ({}): {m}", v.vulnerability),
            ))
        };
        let id = v.vulnerability.trim();
        if id.is_empty()
            || id.len() > 100
            || id.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            bad("vulnerability must be an id such as CVE-2026-1234".into());
        }
        if !seen.insert(id.to_ascii_uppercase()) {
            bad("is listed twice".into());
        }
        if let Some(t) = v.aware_at.as_deref().filter(|t| parse_time(t).is_none()) {
            bad(format!("aware_at {t:?} is not an RFC 3339 time"));
        }
        if let Some(m) = v
            .fix_available
            .as_deref()
            .and_then(tekigo_assess::date_error)
        {
            bad(format!("fix_available: {m}"));
        }
        for (stage, t) in &v.reported {
            if parse_time(t).is_none() {
                bad(format!(
                    "reported.{}: {t:?} is not an RFC 3339 time",
                    stage.as_str()
                ));
            }
        }
    }
    problems
}

/// The entry for `vulnerability` (ids compare case-insensitively), created if missing.
pub fn entry<'a>(file: &'a mut CraFile, vulnerability: &str) -> &'a mut Exploited {
    let key = vulnerability.trim().to_ascii_uppercase();
    let pos = file
        .vulnerabilities
        .iter()
        .position(|v| v.vulnerability.to_ascii_uppercase() == key);
    let i = match pos {
        Some(i) => i,
        None => {
            file.vulnerabilities.push(Exploited::new(vulnerability));
            file.vulnerabilities.len() - 1
        }
    };
    &mut file.vulnerabilities[i]
}
