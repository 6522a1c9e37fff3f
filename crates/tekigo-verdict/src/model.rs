//! What a scan produces. These types are the JSON format documented in `docs/scan-json.md`:
//! renaming a field or a variant is a breaking change of that format and needs a new
//! [`SCHEMA_VERSION`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use tekigo_catalog::Text;

/// Version of the JSON report format. Consumers check the major number.
pub const SCHEMA_VERSION: &str = "1.0";

/// The minor version that added what a network probe reports (`origin`, and evidence with
/// `port`, `protocol` and `transcript`). A probe report says this version; a scan, which
/// uses none of the additions, keeps saying [`SCHEMA_VERSION`].
pub const PROBE_SCHEMA_VERSION: &str = "1.1";

/// How a result was obtained: read from the device's configuration by `tekigo scan`, or
/// observed from the network by `tekigo probe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Scan,
    Probe,
}

/// Which way a line of a network transcript went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Sent,
    Received,
    /// Something the probe observed that is not bytes: a closed connection, a timeout.
    Event,
}

/// One line of what the probe sent to or received from the device: printable text
/// (other bytes as `\xNN`), bounded in length, with secrets masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// RFC 3339 UTC with milliseconds.
    pub at: String,
    pub direction: Direction,
    pub text: String,
}

/// What a check concluded. The five values are distinct on purpose: "the device lacks the
/// mechanism" and "the scanner could not read the evidence" are different findings from
/// "the mechanism is configured wrongly", and none of them may be reported as a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// The mechanism the requirement needs is not on the device at all.
    Absent,
    /// The check concerns something the device does not have (no SSH server, say).
    NotApplicable,
    /// The evidence exists or may exist but could not be read; nothing was guessed.
    Unreadable,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Absent,
        Verdict::NotApplicable,
        Verdict::Unreadable,
    ];

    /// A finding is something the device maker has to act on: a wrong configuration or a
    /// missing mechanism. These decide the exit code and cap the SL-C.
    pub fn is_finding(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::Absent)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Absent => "absent",
            Verdict::NotApplicable => "not_applicable",
            Verdict::Unreadable => "unreadable",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of a file that helped decide a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// 1-based line number in the file named by the evidence.
    pub number: usize,
    pub text: String,
}

/// One piece of evidence: a file inside the scanned root (with its hash, so an auditor can
/// tell later that the evidence is still the file on the device), the lines that decided,
/// and values the check derived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Path inside the scanned root, after following links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// SHA-256 of the bytes read (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<Line>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// A fact in words, in English (for example why a file could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The port a network probe talked to (schema 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `tcp` or `udp`, with `port` (schema 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// What was sent and received, in order (schema 1.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<Exchange>,
}

impl Evidence {
    pub fn note(note: impl Into<String>) -> Evidence {
        Evidence {
            note: Some(note.into()),
            ..Evidence::default()
        }
    }

    pub fn path(path: impl Into<String>) -> Evidence {
        Evidence {
            path: Some(path.into()),
            ..Evidence::default()
        }
    }

    pub fn with_line(mut self, number: usize, text: impl Into<String>) -> Evidence {
        self.lines.push(Line {
            number,
            text: text.into(),
        });
        self
    }

    pub fn with_value(mut self, key: impl Into<String>, value: impl Into<String>) -> Evidence {
        self.values.insert(key.into(), value.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Evidence {
        self.note = Some(note.into());
        self
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable id of the check, such as `ssh.client-alive`.
    pub check: String,
    /// Catalog ids (IEC 62443-4-2 CR, RE or EDR) the evidence bears on.
    pub requirements: Vec<String>,
    pub verdict: Verdict,
    pub title: Text,
    /// What decided the verdict, in one line of facts (English).
    pub detail: String,
    pub evidence: Vec<Evidence>,
    /// What the check looks for and why it matters.
    pub explanation: Text,
    /// What to change when the verdict is not a pass.
    pub remediation: Text,
    /// Absent in a scanner's report; `probe`, or `scan` for configuration evidence a probe
    /// gathered over SSH, in a probe's report (schema 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// What was scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// `directory`, `archive` or `live`.
    pub kind: String,
    /// The directory, archive or `/` as given on the command line.
    pub path: String,
    /// False when an archive was unpacked by a user other than root: file owners in the
    /// archive could not be kept, so checks about ownership report `unreadable`.
    pub ownership_preserved: bool,
    /// Archive entries that were not unpacked (device nodes, FIFOs, paths leaving the root).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_entries: Vec<String>,
}

/// The highest security level each FR could reach on the automated evidence alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrSummary {
    /// `FR 1` .. `FR 7`.
    pub fr: String,
    /// IAC, UC, SI, DC, RDF, TRE, RA.
    pub abbr: String,
    pub checks: usize,
    pub counts: BTreeMap<Verdict, usize>,
    /// An FR reaches level N when no failing or absent check maps to a requirement that
    /// applies at N or below (see docs/scan-json.md). None when no check maps to the FR.
    pub sl_c: Option<u8>,
    /// The requirement (lowest level first) that caps `sl_c`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capped_by: Option<String>,
}

/// Findings compared with an earlier report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineDiff {
    /// Checks that are findings now and were not in the baseline.
    pub new: Vec<String>,
    /// Checks that were findings in the baseline and are not now.
    pub fixed: Vec<String>,
}

/// A whole scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub target: Target,
    /// Versions the scanner derived and that change the meaning of settings.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, String>,
    pub results: Vec<CheckResult>,
    pub summary: Vec<FrSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineDiff>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Report {
    /// True when some check found a failure or a missing mechanism.
    pub fn has_findings(&self) -> bool {
        self.results.iter().any(|r| r.verdict.is_finding())
    }

    /// Compares the findings with those of `old` (an earlier report of the same target).
    pub fn diff(&self, old: &Report) -> BaselineDiff {
        let findings = |r: &Report| -> std::collections::BTreeSet<String> {
            r.results
                .iter()
                .filter(|c| c.verdict.is_finding())
                .map(|c| c.check.clone())
                .collect()
        };
        let (now, before) = (findings(self), findings(old));
        BaselineDiff {
            new: now.difference(&before).cloned().collect(),
            fixed: before.difference(&now).cloned().collect(),
        }
    }
}
