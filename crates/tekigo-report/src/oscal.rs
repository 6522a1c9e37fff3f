//! OSCAL 1.1 assessment results, for GRC tools that import OSCAL.
//!
//! One result holds a finding per requirement listed in the report, targeting the control
//! id that `tekigo catalog export --format oscal` gives the same requirement (type
//! `objective-id`), so a tool holding both documents can join them. Each answer becomes an
//! observation whose relevant evidence points at a back-matter resource carrying the
//! evidence file's SHA-256 and its path in the project (`evidence/<sha256>`). UUIDs are
//! derived from the assessment, so the same inputs give the same document.

use crate::data::{self, listed_rows, token};
use crate::i18n::Labels;
use crate::{ReportError, ReportInput};
use serde_json::{json, Map, Value};
use tekigo_assess::results::{self, Row};
use tekigo_assess::{EvidenceRef, Origin, Status, Target};
use uuid::Uuid;

const OSCAL_VERSION: &str = "1.1.3";
/// The namespace of tekigo's own properties, the same as the exported catalog's.
const NS: &str = "urn:tekigo:oscal";

/// The assessment-results document (`{"assessment-results": {...}}`).
pub fn oscal(input: &ReportInput) -> Result<Value, ReportError> {
    let std = data::standard(input)?;
    let l = Labels::new(input.lang)?;
    let generated = datetime(input.generated).ok_or_else(|| ReportError::Template {
        name: "generated".into(),
        message: format!(
            "{:?} is not an RFC 3339 timestamp with a time zone (2025-01-31T12:00:00Z)",
            input.generated
        ),
    })?;
    let a = input.assessment;
    let ids = Ids::new(input);
    let res = results::compute_with(std, a, input.project.config.review);
    let rows = listed_rows(std, input);
    let reasons = data::Reasons::new(input.project, &l, input.lang);
    let gaps: Vec<&str> = res.gaps.iter().map(|g| g.id.as_str()).collect();

    let mut parties: Vec<String> = rows
        .iter()
        .filter_map(|r| r.answer.and_then(|a| a.assessor.clone()))
        .filter(|s| !s.trim().is_empty())
        .collect();
    parties.sort();
    parties.dedup();

    let mut resources: Vec<Value> = Vec::new();
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    for row in &rows {
        let status_label = l.get(&format!(
            "status.{}",
            row.status().map_or("unanswered", Status::as_str)
        ));
        let mut finding = Map::new();
        finding.insert("uuid".into(), json!(ids.uuid("finding", &row.item.id)));
        finding.insert(
            "title".into(),
            json!(line(&format!(
                "{} {}",
                row.item.id,
                row.item.title.get(input.lang)
            ))),
        );
        let reason = row.answer.map(|a| reasons.reason(a)).unwrap_or_default();
        let reason = reason.trim();
        finding.insert(
            "description".into(),
            json!(if reason.is_empty() {
                status_label.clone()
            } else {
                format!("{status_label}: {reason}")
            }),
        );
        let mut props = vec![prop(
            "status",
            row.status().map_or("unanswered", Status::as_str),
        )];
        if let Some(sl) = row.item.min_sl {
            props.push(prop("min-sl", &sl.to_string()));
        }
        if !row.in_scope {
            props.push(prop("above-target", "true"));
        }
        if let Some(answer) = row.answer {
            props.push(prop(
                "review",
                &format!("{:?}", answer.review).to_lowercase(),
            ));
            if answer.origin == Origin::Scan {
                props.push(prop("origin", "scan"));
            }
            if let Some(m) = answer.maturity {
                props.push(prop("maturity-level", &m.to_string()));
            }
        }
        finding.insert("props".into(), Value::Array(props));
        finding.insert(
            "target".into(),
            target(row, gaps.contains(&row.item.id.as_str())),
        );
        if let Some(answer) = row.answer {
            let obs_uuid = ids.uuid("observation", &row.item.id);
            let mut evidence = Vec::new();
            for e in &answer.evidence {
                evidence.push(relevant_evidence(&ids, e, &mut resources));
            }
            let methods = if answer.origin == Origin::Scan
                || answer
                    .evidence
                    .iter()
                    .any(|e| matches!(e, EvidenceRef::Scan { .. }))
            {
                "TEST"
            } else {
                "EXAMINE"
            };
            let mut obs = Map::new();
            obs.insert("uuid".into(), json!(obs_uuid));
            obs.insert("title".into(), json!(line(&row.item.id)));
            obs.insert(
                "description".into(),
                json!(if reason.is_empty() {
                    status_label.clone()
                } else {
                    reason.to_string()
                }),
            );
            obs.insert("methods".into(), json!([methods]));
            obs.insert("types".into(), json!(["control-objective"]));
            if let Some(who) = answer.assessor.as_deref().filter(|s| !s.trim().is_empty()) {
                obs.insert(
                    "origins".into(),
                    json!([{"actors": [{"type": "party", "actor-uuid": ids.uuid("party", who)}]}]),
                );
            }
            if !evidence.is_empty() {
                obs.insert("relevant-evidence".into(), Value::Array(evidence));
            }
            obs.insert(
                "collected".into(),
                json!(datetime(&answer.date).unwrap_or_else(|| generated.clone())),
            );
            if let Some(c) = answer
                .countermeasure
                .as_deref()
                .filter(|c| !c.trim().is_empty())
            {
                obs.insert("remarks".into(), json!(c));
            }
            observations.push(Value::Object(obs));
            finding.insert(
                "related-observations".into(),
                json!([{ "observation-uuid": obs_uuid }]),
            );
        }
        findings.push(Value::Object(finding));
    }

    let selection = if rows.is_empty() {
        json!({"include-all": {}})
    } else {
        let controls: Vec<Value> = rows
            .iter()
            .map(|r| json!({"control-id": token(&r.item.id)}))
            .collect();
        json!({"include-controls": controls})
    };
    let mut result_props = vec![prop("standard", &std.info.id)];
    match a.target {
        Target::SecurityLevels(v) => result_props.push(prop("sl-t", &data::vector(&v.0))),
        Target::MaturityLevel(ml) => result_props.push(prop("ml-t", &ml.to_string())),
        Target::None => {}
    }
    if let Some(v) = res.achieved {
        result_props.push(prop("sl-a", &data::vector(&v)));
    }
    if let Some(v) = res.projected {
        result_props.push(prop("sl-projected", &data::vector(&v)));
    }
    if let Some(v) = res.with_compensating {
        result_props.push(prop("sl-with-compensating", &data::vector(&v)));
    }
    if let Some(ml) = res.achieved_ml {
        result_props.push(prop("ml-a", &ml.to_string()));
    }
    result_props.push(prop("met-percent", &res.progress.met_percent.to_string()));
    let mut result = Map::new();
    result.insert("uuid".into(), json!(ids.uuid("result", "")));
    result.insert(
        "title".into(),
        json!(line(&format!("{} — {}", a.subject.name, std.info.id))),
    );
    result.insert(
        "description".into(),
        json!(format!(
            "{} {} ({}), IEC {}: {}",
            l.get("cover.assessment"),
            a.id,
            a.subject.name,
            std.info.id,
            std.info.title.get(input.lang)
        )),
    );
    result.insert(
        "start".into(),
        json!(datetime(&a.created).unwrap_or_else(|| generated.clone())),
    );
    result.insert("end".into(), json!(generated));
    result.insert("props".into(), Value::Array(result_props));
    result.insert(
        "reviewed-controls".into(),
        json!({"control-selections": [selection]}),
    );
    if !observations.is_empty() {
        result.insert("observations".into(), Value::Array(observations));
    }
    if !findings.is_empty() {
        result.insert("findings".into(), Value::Array(findings));
    }

    let plan_uuid = ids.uuid("assessment-file", &a.id);
    resources.insert(
        0,
        json!({
            "uuid": plan_uuid,
            "title": line(&format!("tekigo assessment {}", a.id)),
            "description": "The assessment file in the tekigo project: subject, standard, target and every answer. It serves as the assessment plan.",
            "rlinks": [{"href": format!("assessments/{}.yaml", a.id), "media-type": "application/yaml"}],
        }),
    );
    let mut metadata = Map::new();
    metadata.insert(
        "title".into(),
        json!(line(&format!(
            "{}: {} — {} — IEC {}",
            l.get("report.title"),
            input.project.config.product.name,
            a.subject.name,
            std.info.id
        ))),
    );
    metadata.insert("last-modified".into(), json!(generated));
    metadata.insert(
        "version".into(),
        json!(format!("tekigo-{}", env!("CARGO_PKG_VERSION"))),
    );
    metadata.insert("oscal-version".into(), json!(OSCAL_VERSION));
    if !parties.is_empty() {
        let parties: Vec<Value> = parties
            .iter()
            .map(|p| json!({"uuid": ids.uuid("party", p), "type": "person", "name": line(p)}))
            .collect();
        metadata.insert("parties".into(), Value::Array(parties));
    }
    l.finish()?;
    Ok(json!({
        "assessment-results": {
            "uuid": ids.uuid("document", ""),
            "metadata": metadata,
            "import-ap": {"href": format!("#{plan_uuid}")},
            "results": [result],
            "back-matter": {"resources": resources},
        }
    }))
}

/// The finding's target: the catalog control, and whether it is satisfied. A gap (see
/// `tekigo_assess::results`) is not satisfied: reason `fail` when the answer says so,
/// `other` when unanswered, unconfirmed or met by a compensating countermeasure outside a
/// component. Not-applicable and compensating answers that count are satisfied with reason
/// `other`, which tells them apart from a plain pass.
fn target(row: &Row, in_gaps: bool) -> Value {
    let (state, reason) = match row.status() {
        Some(Status::Partial | Status::NotSatisfied) if in_gaps => ("not-satisfied", "fail"),
        _ if in_gaps => ("not-satisfied", "other"),
        Some(Status::Satisfied) => ("satisfied", "pass"),
        Some(Status::NotApplicable | Status::Compensating) => ("satisfied", "other"),
        Some(Status::Partial | Status::NotSatisfied) => ("not-satisfied", "fail"),
        None => ("not-satisfied", "other"),
    };
    json!({
        "type": "objective-id",
        "target-id": token(&row.item.id),
        "status": {"state": state, "reason": reason},
    })
}

fn relevant_evidence(ids: &Ids, e: &EvidenceRef, resources: &mut Vec<Value>) -> Value {
    match e {
        EvidenceRef::Url { url } => {
            let mut v = Map::new();
            if data::safe_href(url).is_some() {
                v.insert("href".into(), json!(url.trim()));
            }
            v.insert("description".into(), json!(non_empty(url)));
            Value::Object(v)
        }
        EvidenceRef::File { sha256, name } => {
            let uuid = stored(ids, sha256, name, resources);
            json!({"href": format!("#{uuid}"), "description": format!("{name} (SHA-256 {sha256})")})
        }
        EvidenceRef::Scan {
            check,
            verdict,
            sha256,
            ..
        } => {
            let uuid = stored(
                ids,
                sha256,
                &format!("scan report {}", data::short(sha256)),
                resources,
            );
            json!({
                "href": format!("#{uuid}"),
                "description": format!("device scan {check}: {verdict} (report SHA-256 {sha256})"),
            })
        }
    }
}

/// The back-matter resource of a stored evidence file, added once.
fn stored(ids: &Ids, sha256: &str, name: &str, resources: &mut Vec<Value>) -> String {
    let uuid = ids.uuid("evidence", sha256);
    if !resources.iter().any(|r| r["uuid"] == uuid.as_str()) {
        resources.push(json!({
            "uuid": uuid,
            "title": line(name),
            "rlinks": [{
                "href": format!("evidence/{sha256}"),
                "hashes": [{"algorithm": "SHA-256", "value": sha256}],
            }],
        }));
    }
    uuid
}

/// Deterministic UUIDs, unique to this assessment of this product.
struct Ids {
    base: String,
}

impl Ids {
    fn new(input: &ReportInput) -> Ids {
        Ids {
            base: format!(
                "urn:tekigo:assessment-results:{}:{}:{}",
                input.project.config.product.name, input.assessment.id, input.assessment.created
            ),
        }
    }

    fn uuid(&self, kind: &str, key: &str) -> String {
        Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("{}:{kind}:{key}", self.base).as_bytes(),
        )
        .to_string()
    }
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS, "value": non_empty(value)})
}

/// OSCAL strings may not be empty or start or end with white space.
fn non_empty(s: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        "-".into()
    } else {
        t.to_string()
    }
}

/// A one-line title (OSCAL `markup-line` holds no line breaks).
fn line(s: &str) -> String {
    non_empty(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// An RFC 3339 timestamp with a time zone, from one or from a plain date (taken as UTC
/// midnight); `None` for anything else.
fn datetime(s: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    if time::OffsetDateTime::parse(s, &Rfc3339).is_ok() {
        return Some(s.to_string());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, format)
        .ok()
        .map(|d| format!("{d}T00:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_oscal_datetimes() {
        assert_eq!(
            datetime("2025-03-01").as_deref(),
            Some("2025-03-01T00:00:00Z")
        );
        assert_eq!(
            datetime("2025-03-01T10:00:00+09:00").as_deref(),
            Some("2025-03-01T10:00:00+09:00")
        );
        assert_eq!(datetime("2025-03-01T10:00:00"), None);
        assert_eq!(datetime("yesterday"), None);
    }

    #[test]
    fn titles_are_single_lines_and_never_empty() {
        assert_eq!(line(" a\nb  c "), "a b c");
        assert_eq!(line("\n"), "-");
    }
}
