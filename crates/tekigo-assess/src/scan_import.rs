//! Device-scan verdicts as suggested answers.
//!
//! A scan (`tekigo scan --format json`) says per check which catalog requirements it bears
//! on and what it found. Importing it stores the scan report in the evidence store and
//! suggests an answer for every requirement it covers, marked `origin: scan` and left in
//! draft for a person to confirm. A person's answer is never replaced unless asked
//! (`force`); an earlier scan's suggestion is.
//!
//! Verdicts combine per requirement: any `fail` or `absent` makes it not satisfied; passes
//! with some checks unreadable make it partial; only passes make it satisfied; only
//! `not_applicable` makes it not applicable; only `unreadable` suggests nothing.

use crate::assessment::{Answer, Assessment, EvidenceRef, Origin, Review, Status};
use crate::edit::requirement_id;
use serde::Deserialize;
use std::collections::BTreeMap;
use tekigo_catalog::Catalog;

/// The part of the scanner's JSON report (see docs/scan-json.md) that an import reads.
#[derive(Debug, Deserialize)]
pub struct ScanReport {
    pub schema_version: serde_json::Value,
    pub results: Vec<ScanResult>,
}

#[derive(Debug, Deserialize)]
pub struct ScanResult {
    pub check: String,
    pub requirements: Vec<String>,
    pub verdict: String,
    #[serde(default)]
    pub evidence: Vec<serde_json::Value>,
    /// What this check found on this target, in one sentence.
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub explanation: Option<serde_json::Value>,
    /// `probe` for a behavioural test of `tekigo probe` (schema 1.1); absent or `scan` for
    /// configuration evidence.
    #[serde(default)]
    pub origin: Option<String>,
}

impl ScanResult {
    fn is_probe(&self) -> bool {
        self.origin.as_deref() == Some("probe")
    }
}

impl ScanReport {
    /// What produced the results: `scan`, `probe`, or `scan and probe` for a probe that
    /// also read the configuration over SSH.
    pub fn origin(&self) -> &'static str {
        let probe = self.results.iter().filter(|r| r.is_probe()).count();
        match probe {
            0 => "scan",
            n if n == self.results.len() => "probe",
            _ => "scan and probe",
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanImportSummary {
    /// Requirements that received a suggested answer.
    pub suggested: Vec<String>,
    /// Requirements with a person's answer that was kept (no `force`).
    pub kept: Vec<String>,
    /// Requirement ids in the scan this assessment cannot take, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// Parses a scan report, naming the line and column of any error.
pub fn parse(bytes: &[u8]) -> Result<ScanReport, String> {
    let report: ScanReport = serde_json::from_slice(bytes)
        .map_err(|e| format!("line {} column {}: {e}", e.line(), e.column()))?;
    for (i, r) in report.results.iter().enumerate() {
        if verdict_rank(&r.verdict).is_none() {
            return Err(format!(
                "results[{i}] ({}): unknown verdict {:?}",
                r.check, r.verdict
            ));
        }
    }
    Ok(report)
}

/// 0 pass, 1 not applicable, 2 unreadable, 3 fail or absent.
fn verdict_rank(v: &str) -> Option<u8> {
    match v {
        "pass" => Some(0),
        "not_applicable" => Some(1),
        "unreadable" => Some(2),
        "fail" | "absent" => Some(3),
        _ => None,
    }
}

fn combine(verdicts: &[&str]) -> Option<Status> {
    let has = |v: &str| verdicts.contains(&v);
    if has("fail") || has("absent") {
        Some(Status::NotSatisfied)
    } else if has("pass") && has("unreadable") {
        Some(Status::Partial)
    } else if has("pass") {
        Some(Status::Satisfied)
    } else if has("not_applicable") && !has("unreadable") {
        Some(Status::NotApplicable)
    } else {
        None
    }
}

/// Applies a scan to an assessment. `scan_sha256` is the scan report's hash in the
/// evidence store, which every suggested answer cites.
pub fn apply(
    catalog: &Catalog,
    a: &mut Assessment,
    report: &ScanReport,
    scan_sha256: &str,
    force: bool,
    date: &str,
) -> ScanImportSummary {
    let mut summary = ScanImportSummary::default();
    let mut by_req: BTreeMap<String, Vec<&ScanResult>> = BTreeMap::new();
    for r in &report.results {
        for req in &r.requirements {
            match requirement_id(catalog, a, req) {
                Ok(id) => by_req.entry(id).or_default().push(r),
                Err(e) => {
                    if !summary.skipped.iter().any(|(id, _)| id == req) {
                        summary.skipped.push((req.clone(), e.0));
                    }
                }
            }
        }
    }
    for (id, results) in by_req {
        let verdicts: Vec<&str> = results.iter().map(|r| r.verdict.as_str()).collect();
        let Some(status) = combine(&verdicts) else {
            summary
                .skipped
                .push((id, "every check that bears on it was unreadable".into()));
            continue;
        };
        if let Some(existing) = a.answers.get(&id) {
            if existing.origin == Origin::Person && !force {
                summary.kept.push(id);
                continue;
            }
        }
        let mut ordered = results.clone();
        ordered.sort_by_key(|r| std::cmp::Reverse(verdict_rank(&r.verdict)));
        let reason = ordered
            .iter()
            .map(|r| match explanation(r) {
                Some(e) => format!("{}: {} ({e})", r.check, r.verdict),
                None => format!("{}: {}", r.check, r.verdict),
            })
            .collect::<Vec<_>>()
            .join("; ");
        // A behavioural test says what the device did, a scan what it is configured to do.
        let (by, assessor) = match (
            results.iter().any(|r| r.is_probe()),
            results.iter().all(|r| r.is_probe()),
        ) {
            (true, true) => ("device probe", "tekigo probe"),
            (true, false) => ("device scan and probe", "tekigo scan, tekigo probe"),
            _ => ("device scan", "tekigo scan"),
        };
        let evidence = ordered
            .iter()
            .map(|r| EvidenceRef::Scan {
                check: r.check.clone(),
                verdict: r.verdict.clone(),
                sha256: scan_sha256.to_string(),
                details: r.evidence.iter().filter_map(detail).collect(),
            })
            .collect();
        a.answers.insert(
            id.clone(),
            Answer {
                status,
                reason: format!("Suggested by {by}: {reason}"),
                countermeasure: None,
                maturity: None,
                evidence,
                assessor: Some(assessor.into()),
                date: date.to_string(),
                review: Review::Draft,
                reviewer: None,
                origin: Origin::Scan,
                findings: Vec::new(),
            },
        );
        summary.suggested.push(id);
    }
    summary
}

fn explanation(r: &ScanResult) -> Option<String> {
    if let Some(d) = r.detail.as_ref().filter(|d| !d.is_empty()) {
        return Some(d.clone());
    }
    match r.explanation.as_ref()? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(m) => m.get("en").and_then(|v| v.as_str()).map(str::to_string),
        _ => None,
    }
}

/// One evidence element in a line: the path and hash and the deciding lines or values.
fn detail(v: &serde_json::Value) -> Option<String> {
    let obj = match v {
        serde_json::Value::String(s) => return Some(s.clone()),
        serde_json::Value::Object(m) => m,
        _ => return None,
    };
    let mut parts = Vec::new();
    if let Some(p) = obj.get("path").and_then(|v| v.as_str()) {
        parts.push(p.to_string());
    }
    if let Some(port) = obj.get("port").and_then(|v| v.as_u64()) {
        let proto = obj
            .get("protocol")
            .and_then(|v| v.as_str())
            .unwrap_or("tcp");
        parts.push(format!("{proto}/{port}"));
    }
    if let Some(h) = obj.get("sha256").and_then(|v| v.as_str()) {
        parts.push(format!("sha256:{}", &h[..h.len().min(16)]));
    }
    for key in ["lines", "values"] {
        if let Some(items) = obj.get(key).and_then(|v| v.as_array()) {
            for item in items.iter().take(5) {
                parts.push(match item {
                    serde_json::Value::Object(m) => {
                        match (m.get("number").or(m.get("line")), m.get("text")) {
                            (Some(l), Some(t)) => {
                                format!("{l}: {}", t.as_str().unwrap_or_default())
                            }
                            _ => item.to_string(),
                        }
                    }
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join(" | "))
}
