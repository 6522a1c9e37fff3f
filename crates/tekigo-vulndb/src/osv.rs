//! OSV records (ossf/osv-schema), as osv.dev distributes them: one JSON object per file.

use crate::cvss;
use crate::model::{
    Advisory, Body, EventKind, OsvAffected, OsvEvent, OsvRange, RangeKind, Severity, Source,
};
use serde::Deserialize;
use tekigo_versions::Ecosystem;

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    /// OSV 1.7 puts the CVE of a distribution record here rather than in `aliases`.
    #[serde(default)]
    upstream: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Vec<RawSeverity>,
    #[serde(default)]
    affected: Vec<RawAffected>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    severity: Vec<RawSeverity>,
    #[serde(default)]
    ranges: Vec<RawRange>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Parses one OSV record. Problems that do not make the record unusable (an unknown range
/// type, an invalid version, a GIT-only range) become `needs_review` notes.
pub fn parse(bytes: &[u8]) -> Result<Advisory, String> {
    let rec: Record = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if rec.id.trim().is_empty() {
        return Err("field `id` is empty".to_string());
    }
    let mut needs_review = Vec::new();
    let mut severity: Vec<Severity> = rec
        .severity
        .iter()
        .map(|s| cvss::from_osv(&s.kind, &s.score))
        .collect();
    let mut affected = Vec::new();
    for (i, a) in rec.affected.iter().enumerate() {
        severity.extend(a.severity.iter().map(|s| cvss::from_osv(&s.kind, &s.score)));
        if let Some(label) = label_of(a.database_specific.as_ref()) {
            push_label(&mut severity, label);
        }
        let Some(pkg) = &a.package else {
            needs_review.push(format!(
                "affected[{i}] names no package (only commit ranges?): not matchable"
            ));
            continue;
        };
        let eco = Ecosystem::from_osv(&pkg.ecosystem);
        let mut ranges = Vec::new();
        for (j, r) in a.ranges.iter().enumerate() {
            let kind = match r.kind.as_str() {
                "ECOSYSTEM" => RangeKind::Ecosystem,
                "SEMVER" => RangeKind::Semver,
                "GIT" => RangeKind::Git,
                other => {
                    needs_review.push(format!(
                        "affected[{i}].ranges[{j}]: unknown range type {other:?}"
                    ));
                    continue;
                }
            };
            let mut events = Vec::new();
            for ev in &r.events {
                for (k, v) in ev {
                    let kind = match k.as_str() {
                        "introduced" => EventKind::Introduced,
                        "fixed" => EventKind::Fixed,
                        "last_affected" => EventKind::LastAffected,
                        "limit" => EventKind::Limit,
                        other => {
                            needs_review.push(format!(
                                "affected[{i}].ranges[{j}]: unknown event {other:?}"
                            ));
                            continue;
                        }
                    };
                    let Some(version) = v.as_str() else {
                        needs_review.push(format!(
                            "affected[{i}].ranges[{j}]: event {k} is not a string"
                        ));
                        continue;
                    };
                    events.push(OsvEvent {
                        kind,
                        version: version.to_string(),
                    });
                }
            }
            if kind != RangeKind::Git {
                if let Some(eco) = eco {
                    for ev in &events {
                        let valid = (ev.kind == EventKind::Introduced && ev.version == "0")
                            || (ev.kind == EventKind::Limit && ev.version.contains('*'))
                            || tekigo_versions::validate(eco, &ev.version).is_ok();
                        if !valid {
                            needs_review.push(format!(
                                "affected[{i}].ranges[{j}]: {} {:?} is not a valid {eco} version",
                                ev.kind.as_str(),
                                ev.version
                            ));
                        }
                    }
                }
                if !events.iter().any(|e| e.kind == EventKind::Introduced) {
                    needs_review.push(format!("affected[{i}].ranges[{j}] has no introduced event"));
                }
            }
            ranges.push(OsvRange { kind, events });
        }
        let only_git = !ranges.is_empty() && ranges.iter().all(|r| r.kind == RangeKind::Git);
        if only_git && a.versions.is_empty() {
            needs_review.push(format!(
                "affected[{i}] ({} {}) has only GIT commit ranges and no versions list: \
                 commits cannot be compared with package versions",
                pkg.ecosystem, pkg.name
            ));
        }
        if eco.is_none() && ranges.iter().any(|r| r.kind != RangeKind::Git) {
            needs_review.push(format!(
                "affected[{i}]: ecosystem {:?} has no version rules in tekigo; ranges are \
                 compared with the generic fallback",
                pkg.ecosystem
            ));
        }
        affected.push(OsvAffected {
            ecosystem: pkg.ecosystem.clone(),
            name: pkg.name.clone(),
            purl: pkg.purl.clone(),
            ranges,
            versions: a.versions.clone(),
        });
    }
    if let Some(label) = label_of(rec.database_specific.as_ref()) {
        push_label(&mut severity, label);
    }
    let mut aliases = rec.aliases;
    for u in rec.upstream {
        if !aliases.contains(&u) && u != rec.id {
            aliases.push(u);
        }
    }
    let summary = rec.summary.or_else(|| {
        rec.details.map(|d| {
            d.lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect()
        })
    });
    Ok(Advisory {
        id: rec.id,
        source: Source::Osv,
        aliases,
        summary: summary.filter(|s| !s.is_empty()),
        published: rec.published,
        modified: rec.modified,
        withdrawn: rec.withdrawn,
        severity,
        needs_review,
        body: Body::Osv { affected },
    })
}

/// A `severity` label in `database_specific` (GitHub: `CRITICAL`, `HIGH`, `MODERATE`, `LOW`).
fn label_of(db: Option<&serde_json::Value>) -> Option<String> {
    let s = db?.get("severity")?.as_str()?.trim();
    (!s.is_empty()).then(|| s.to_ascii_uppercase())
}

fn push_label(severity: &mut Vec<Severity>, label: String) {
    if !severity
        .iter()
        .any(|s| s.label.as_deref() == Some(label.as_str()))
    {
        severity.push(Severity {
            kind: "label".to_string(),
            vector: None,
            score: None,
            label: Some(label),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_only_ranges_are_marked() {
        let rec = br#"{"id":"OSV-2020-1","modified":"2021-01-01T00:00:00Z",
          "affected":[{"package":{"ecosystem":"OSS-Fuzz","name":"x"},
            "ranges":[{"type":"GIT","repo":"https://example.invalid/x",
              "events":[{"introduced":"abc"},{"fixed":"def"}]}]}]}"#;
        let adv = parse(rec).unwrap();
        assert_eq!(adv.needs_review.len(), 1, "{:?}", adv.needs_review);
        assert!(adv.needs_review[0].contains("only GIT"));
        let with_versions = br#"{"id":"OSV-2020-2","modified":"2021-01-01T00:00:00Z",
          "affected":[{"package":{"ecosystem":"OSS-Fuzz","name":"x"},
            "ranges":[{"type":"GIT","events":[{"introduced":"abc"}]}],
            "versions":["1.0"]}]}"#;
        assert!(parse(with_versions).unwrap().needs_review.is_empty());
    }

    #[test]
    fn invalid_versions_and_missing_introduced_are_marked() {
        let rec = br#"{"id":"X-1","affected":[{"package":{"ecosystem":"crates.io","name":"a"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0"}]},
                      {"type":"SEMVER","events":[{"fixed":"2.0.0"}]}]}]}"#;
        let adv = parse(rec).unwrap();
        assert_eq!(adv.needs_review.len(), 2, "{:?}", adv.needs_review);
        assert!(adv.needs_review[0].contains("\"1.0\" is not a valid SemVer version"));
        assert!(adv.needs_review[1].contains("no introduced event"));
    }

    #[test]
    fn upstream_becomes_alias_and_bad_json_is_an_error() {
        let rec = br#"{"id":"ALPINE-CVE-2006-20001","upstream":["CVE-2006-20001"],
          "affected":[{"package":{"name":"apache2","ecosystem":"Alpine:v3.19"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.4.55-r0"}]}]}]}"#;
        assert_eq!(parse(rec).unwrap().aliases, vec!["CVE-2006-20001"]);
        assert!(parse(b"{\"id\": 3}").unwrap_err().contains("invalid type"));
        assert!(parse(b"{\"id\": \"\"}").is_err());
    }
}
