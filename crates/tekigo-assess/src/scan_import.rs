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
use tekigo_catalog::{Catalog, Lang};

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
    /// What the check looks for, `{"en", "ja"}`: the suggested reason is built from it.
    #[serde(default)]
    pub title: Option<serde_json::Value>,
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

/// Parses a scan report, naming the line and column of any error. The whole report is
/// checked here (verdicts, evidence hashes), so that a caller can refuse it before
/// storing anything.
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
        for (j, e) in r.evidence.iter().enumerate() {
            let Some(h) = e.get("sha256") else { continue };
            if !h.as_str().is_some_and(crate::evidence::is_sha256) {
                return Err(format!(
                    "results[{i}] ({}) evidence[{j}].sha256: not a SHA-256 (64 hex digits)",
                    r.check
                ));
            }
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

/// Applies a scan to an assessment with reasons in English; see [`apply_in`].
pub fn apply(
    catalog: &Catalog,
    a: &mut Assessment,
    report: &ScanReport,
    scan_sha256: &str,
    force: bool,
    date: &str,
) -> ScanImportSummary {
    apply_in(Lang::En, catalog, a, report, scan_sha256, force, date)
}

/// Applies a scan to an assessment. `scan_sha256` is the scan report's hash in the
/// evidence store, which every suggested answer cites. The reason is a sentence in `lang`
/// per check, from the check's own title and verdict, naming the first deciding file and
/// line; the deciding lines themselves are the answer's evidence. A check's rule (a
/// pattern, an option name) never appears in it.
pub fn apply_in(
    lang: Lang,
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
                        summary.skipped.push((req.clone(), e.message));
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
            if existing.origin != Origin::Scan && !force {
                summary.kept.push(id);
                continue;
            }
        }
        let mut ordered = results.clone();
        ordered.sort_by_key(|r| std::cmp::Reverse(verdict_rank(&r.verdict)));
        let (_, assessor) = source(&ordered);
        let reason = reason_of(lang, &ordered);
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
                reason,
                countermeasure: None,
                maturity: None,
                method: None,
                evidence,
                assessor: Some(assessor.into()),
                date: date.to_string(),
                review: Review::Draft,
                reviewer: None,
                origin: Origin::Scan,
                findings: Vec::new(),
                inherited: None,
                owner: None,
                deferred_to: None,
                components: Vec::new(),
            },
        );
        summary.suggested.push(id);
    }
    summary
}

/// Where results came from: the label of the reason's prefix and the answer's assessor.
/// A behavioural test says what the device did, a scan what it is configured to do.
fn source(results: &[&ScanResult]) -> (&'static str, &'static str) {
    match (
        results.iter().any(|r| r.is_probe()),
        results.iter().all(|r| r.is_probe()),
    ) {
        (true, true) => ("probe.prefix", "tekigo probe"),
        (true, false) => ("scan_probe.prefix", "tekigo scan, tekigo probe"),
        _ => ("scan.prefix", "tekigo scan"),
    }
}

/// The reason of a suggested answer: a prefix that says where it came from, then one
/// sentence per check in the order given.
fn reason_of(lang: Lang, ordered: &[&ScanResult]) -> String {
    let (prefix, _) = source(ordered);
    std::iter::once(label(lang, prefix).to_string())
        .chain(ordered.iter().map(|r| sentence(lang, r)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The reason of an answer a scan suggested, in `lang`, rebuilt from the stored scan
/// report its evidence cites: the sentences [`apply_in`] writes, so that a report in
/// another language than the import (or an answer imported before reasons were
/// sentences) never prints a check's rule. `None` when the evidence cites no check of
/// this report.
pub fn reason_in(lang: Lang, report: &ScanReport, evidence: &[EvidenceRef]) -> Option<String> {
    let cited: Vec<&ScanResult> = evidence
        .iter()
        .filter_map(|e| match e {
            EvidenceRef::Scan { check, verdict, .. } => report
                .results
                .iter()
                .find(|r| &r.check == check && &r.verdict == verdict),
            _ => None,
        })
        .collect();
    (!cited.is_empty()).then(|| reason_of(lang, &cited))
}

const LABELS: &str = include_str!("../i18n/labels.yaml");

#[derive(Deserialize)]
struct Label {
    en: String,
    ja: String,
}

/// A text of `i18n/labels.yaml` (a unit test keeps every key used there, in both
/// languages).
fn label(lang: Lang, key: &str) -> &'static str {
    static TABLE: std::sync::OnceLock<BTreeMap<String, Label>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| serde_norway::from_str(LABELS).unwrap_or_default());
    table.get(key).map_or("", |l| match lang {
        Lang::En => &l.en,
        Lang::Ja => &l.ja,
    })
}

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Ja => "ja",
    }
}

/// One check's verdict as a sentence: its title, what the verdict means, where.
fn sentence(lang: Lang, r: &ScanResult) -> String {
    let title = match &r.title {
        Some(serde_json::Value::Object(m)) => m
            .get(code(lang))
            .or_else(|| m.get("en"))
            .and_then(|v| v.as_str())
            .unwrap_or(&r.check),
        Some(serde_json::Value::String(s)) => s,
        _ => &r.check,
    };
    let first = r.evidence.iter().find_map(|e| {
        let path = e.get("path")?.as_str()?;
        let line = e
            .get("lines")
            .and_then(|l| l.get(0))
            .and_then(|l| l.get("number"))
            .and_then(|n| n.as_u64());
        Some((path, line))
    });
    let place = match first {
        Some((path, Some(line))) => label(lang, "scan.where")
            .replace("{path}", path)
            .replace("{line}", &line.to_string()),
        Some((path, None)) => label(lang, "scan.where_file").replace("{path}", path),
        None => String::new(),
    };
    label(lang, &format!("scan.{}", r.verdict))
        .replace("{title}", title)
        .replace("{where}", &place)
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
        let short: String = h.chars().take(16).collect();
        parts.push(format!("sha256:{short}"));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Finding 8 of issue 15: a hash that is not 64 hex digits (here multi-byte text, which
    /// once panicked a byte slice) is refused by `parse`, naming where it is.
    #[test]
    fn a_non_hex_evidence_hash_is_refused_when_parsed() {
        for hash in ["あ".repeat(12), "ab".into(), "G".repeat(64)] {
            let json = format!(
                r#"{{"schema_version":"1.0","results":[{{"check":"c","requirements":[],
                "verdict":"pass","evidence":[{{"sha256":"{hash}"}}]}}]}}"#
            );
            let err = parse(json.as_bytes()).unwrap_err();
            assert!(err.contains("results[0] (c) evidence[0].sha256"), "{err}");
        }
        let ok = format!(
            r#"{{"schema_version":"1.0","results":[{{"check":"c","requirements":[],
            "verdict":"pass","evidence":[{{"sha256":"{}"}}]}}]}}"#,
            "a".repeat(64)
        );
        assert_eq!(
            detail(&parse(ok.as_bytes()).unwrap().results[0].evidence[0]).as_deref(),
            Some("sha256:aaaaaaaaaaaaaaaa")
        );
    }

    #[test]
    fn every_scan_label_has_both_languages() {
        let table: BTreeMap<String, Label> = serde_norway::from_str(LABELS).unwrap();
        for key in [
            "prefix",
            "pass",
            "fail",
            "absent",
            "not_applicable",
            "unreadable",
            "where",
            "where_file",
        ] {
            let l = &table[&format!("scan.{key}")];
            assert!(!l.en.is_empty() && !l.ja.is_empty(), "{key}");
        }
    }

    /// The real scan of the example gateway: every suggested reason, in both languages, is
    /// sentences from the checks' titles, with no regular expression or rule in it.
    #[test]
    fn suggested_reasons_are_sentences_without_rules() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/gateway-inputs/scan.json"
        );
        let report = parse(&std::fs::read(path).unwrap()).unwrap();
        assert!(report
            .results
            .iter()
            .any(|r| r.detail.as_deref().is_some_and(|d| d.contains("matches /"))));
        let catalog = Catalog::builtin().unwrap();
        for lang in [Lang::En, Lang::Ja] {
            let mut a = crate::edit::new_assessment(
                catalog,
                crate::edit::NewAssessment {
                    id: "A".into(),
                    standard: "62443-4-2".into(),
                    subject: "gw".into(),
                    component_type: Some(tekigo_catalog::ComponentType::Embedded),
                    version: None,
                    target_sl: "2".parse().ok(),
                    target_ml: None,
                },
            )
            .unwrap();
            let summary = apply_in(
                lang,
                catalog,
                &mut a,
                &report,
                &"0".repeat(64),
                false,
                "2026-12-01",
            );
            assert!(summary.suggested.len() > 20);
            for (id, answer) in &a.answers {
                let r = &answer.reason;
                for rule in ["/(", "\\s", "matches /", "\\b", "[^", ".*", "^("] {
                    assert!(!r.contains(rule), "{id}: {rule} in {r}");
                }
                let prefix = label(lang, "scan.prefix");
                assert!(r.starts_with(prefix), "{id}: {r}");
                if lang == Lang::Ja {
                    assert!(r.contains('「') && r.contains('」'), "{id}: {r}");
                }
            }
            // The sudo check decides on a pattern; its reason is its title.
            let sudo = report
                .results
                .iter()
                .find(|r| r.check == "sys.sudo-nopasswd")
                .unwrap();
            let title = sudo.title.as_ref().unwrap()[code(lang)].as_str().unwrap();
            assert!(
                a.answers.values().any(|x| x.reason.contains(title)),
                "{title}"
            );
        }
    }
}
