//! The normalised advisory every importer produces and the database stores.
//!
//! Four feeds describe "which versions of what are affected" in four different ways (OSV event
//! ranges, NVD CPE configurations, CSAF product trees, KEV catalogue entries). Each importer
//! keeps the source's own structure in [`Body`] rather than flattening it, so the matcher can
//! evaluate it exactly and explain a match in the source's terms.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an advisory came from. Part of its identity in the database, so the same CVE from
/// NVD and from a CSAF document are two records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Osv,
    Nvd,
    Csaf,
    Kev,
    /// A CVE JSON 5 record as a CNA (the Linux kernel's) publishes it.
    Cve,
}

impl Source {
    /// In the order of their numbers in the database file (`head.rs` stores the index).
    pub const ALL: [Source; 5] = [
        Source::Osv,
        Source::Nvd,
        Source::Csaf,
        Source::Kev,
        Source::Cve,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Osv => "osv",
            Source::Nvd => "nvd",
            Source::Csaf => "csaf",
            Source::Kev => "kev",
            Source::Cve => "cve",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One advisory as stored: identity, what a report shows, and the source-specific body the
/// matcher evaluates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The advisory id: the OSV id, the CVE id (NVD, KEV, CSAF vulnerabilities with a CVE), or
    /// `DOCUMENT-ID#n` for a CSAF vulnerability without one.
    pub id: String,
    pub source: Source,
    /// Other ids of the same vulnerability (CVE, GHSA, the CSAF document id), used to join
    /// KEV entries and triage records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// When the source first published the advisory (RFC 3339 or a date): the earliest a
    /// product team could have known, from which the age of an untriaged finding counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    /// Parts of the record that could not be turned into something matchable (a free-text
    /// version range, a GIT-only range, an invalid version). They are kept and reported, never
    /// dropped: an advisory that silently matches nothing looks exactly like good news.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs_review: Vec<String>,
    pub body: Body,
}

impl Advisory {
    /// The key that identifies the record across imports: source and id.
    pub fn key(&self) -> String {
        format!("{}:{}", self.source, self.id)
    }

    /// The id and every alias, for joins.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The severity a report leads with: the highest CVSS score, else the first label.
    pub fn best_severity(&self) -> Option<&Severity> {
        self.severity
            .iter()
            .filter(|s| s.score.is_some())
            .max_by(|a, b| {
                a.score
                    .partial_cmp(&b.score)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .or_else(|| self.severity.first())
    }
}

/// A severity statement: a CVSS vector with its base score, or a label such as `HIGH`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4` or `label`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// The base score, from the source or computed from the vector (CVSS v2 and v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// A qualitative rating as the source wrote it, or derived from the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The source-specific description of what is affected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "lowercase")]
pub enum Body {
    Osv { affected: Vec<OsvAffected> },
    Nvd { configurations: Vec<NvdConfig> },
    Csaf(CsafBody),
    Kev(KevInfo),
    Cve5(Cve5Body),
}

/// The CNA container of a CVE JSON 5 record: who assigned it and its `affected[]` blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cve5Body {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigner: Option<String>,
    pub affected: Vec<Cve5Affected>,
}

/// One `affected[]` block, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cve5Affected {
    pub vendor: String,
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_name: Option<String>,
    pub default_status: Cve5Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The source files the fix touched (the kernel's CNA lists them): what a kernel
    /// configuration decides about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub program_files: Vec<String>,
    pub versions: Vec<Cve5Version>,
}

impl Cve5Affected {
    /// Whether any entry names releases rather than commits (`versionType: git`), so the
    /// block can be evaluated against a version number.
    pub fn has_releases(&self) -> bool {
        self.versions.iter().any(Cve5Version::is_release)
    }
}

/// One `versions[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cve5Version {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub less_than: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub less_than_or_equal: Option<String>,
    pub status: Cve5Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_type: Option<String>,
}

impl Cve5Version {
    /// `false` for commit ranges (`versionType: git`), which no release number is compared
    /// with.
    pub fn is_release(&self) -> bool {
        self.version_type.as_deref() != Some("git")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cve5Status {
    Affected,
    Unaffected,
    Unknown,
}

/// One `affected[]` entry of an OSV record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OsvAffected {
    /// The full OSV ecosystem (`Debian:12`, `Alpine:v3.19`, `PyPI`).
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<OsvRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RangeKind {
    Ecosystem,
    Semver,
    /// Commit hashes: not comparable with package versions; kept for the record and reported
    /// as needing review when the entry has no `versions` list.
    Git,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OsvRange {
    pub kind: RangeKind,
    pub events: Vec<OsvEvent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Introduced => "introduced",
            EventKind::Fixed => "fixed",
            EventKind::LastAffected => "last_affected",
            EventKind::Limit => "limit",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsvEvent {
    pub kind: EventKind,
    pub version: String,
}

/// One entry of an NVD CVE's `configurations`: nodes combined with `operator` (OR when the
/// feed leaves it out), optionally negated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NvdConfig {
    pub operator: Operator,
    #[serde(default)]
    pub negate: bool,
    pub nodes: Vec<NvdNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NvdNode {
    pub operator: Operator,
    #[serde(default)]
    pub negate: bool,
    pub matches: Vec<CpeMatch>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    #[serde(rename = "AND")]
    And,
    #[serde(rename = "OR")]
    Or,
}

/// One `cpeMatch`: a CPE pattern with an optional version range. `vulnerable: false` entries
/// are platform conditions ("running on").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpeMatch {
    pub vulnerable: bool,
    pub criteria: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_including: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_excluding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_including: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_excluding: Option<String>,
}

/// The products of one CSAF vulnerability, resolved from the document's product tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsafBody {
    /// `document.tracking.id`.
    pub document: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    pub products: Vec<CsafProduct>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsafProduct {
    pub product_id: String,
    /// `full_product_name.name`.
    pub full_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// The `product_name` (else `product_family`) branch above the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<CsafVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub status: ProductStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    KnownAffected,
    Fixed,
}

/// What a CSAF branch says about versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CsafVersion {
    /// `product_version`: one version.
    Exact { version: String },
    /// `product_version_range` that parsed: a `vers:` range, or free text read
    /// conservatively into one.
    Range {
        text: String,
        range: crate::vers::VersRange,
    },
    /// `product_version_range` that could not be parsed; matched as "needs review".
    Unparsed { text: String },
}

/// A CISA Known Exploited Vulnerabilities catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevInfo {
    pub date_added: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// `Known` or `Unknown`, as CISA writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ransomware: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}
