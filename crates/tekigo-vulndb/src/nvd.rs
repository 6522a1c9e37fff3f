//! NVD CVE API 2.0 responses (`{"vulnerabilities": [{"cve": {...}}]}`), as the API returns
//! them page by page and as mirrors store them.

use crate::cpe::Cpe;
use crate::cvss;
use crate::model::{Advisory, Body, CpeMatch, NvdConfig, NvdNode, Operator, Severity, Source};
use serde::Deserialize;

#[derive(Deserialize)]
struct Response {
    vulnerabilities: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    cve: Cve,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cve {
    id: String,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    vuln_status: Option<String>,
    #[serde(default)]
    descriptions: Vec<LangString>,
    #[serde(default)]
    metrics: Metrics,
    #[serde(default)]
    configurations: Vec<RawConfig>,
}

#[derive(Deserialize)]
struct LangString {
    lang: String,
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Metrics {
    #[serde(default)]
    cvss_metric_v40: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v31: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v30: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v2: Vec<Metric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    cvss_data: CvssData,
    #[serde(default)]
    base_severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    vector_string: String,
    #[serde(default)]
    base_score: Option<f64>,
    #[serde(default)]
    base_severity: Option<String>,
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default)]
    operator: Option<String>,
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    nodes: Vec<RawNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawNode {
    #[serde(default)]
    operator: Option<String>,
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    cpe_match: Vec<RawMatch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMatch {
    vulnerable: bool,
    criteria: String,
    #[serde(default)]
    version_start_including: Option<String>,
    #[serde(default)]
    version_start_excluding: Option<String>,
    #[serde(default)]
    version_end_including: Option<String>,
    #[serde(default)]
    version_end_excluding: Option<String>,
}

/// Whether a JSON document looks like an NVD CVE API 2.0 response.
pub fn looks_like(value: &serde_json::Value) -> bool {
    value
        .get("vulnerabilities")
        .and_then(|v| v.as_array())
        .is_some_and(|items| items.first().is_none_or(|i| i.get("cve").is_some()))
        && value.get("format").is_none_or(|f| f == "NVD_CVE")
}

/// Parses a response into one advisory per CVE. A CVE whose configurations cannot be read
/// (an unknown operator, an unparseable CPE) keeps the rest and says so in `needs_review`.
pub fn parse(bytes: &[u8]) -> Result<Vec<Advisory>, String> {
    let resp: Response = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    resp.vulnerabilities
        .into_iter()
        .enumerate()
        .map(|(i, item)| convert(item.cve).map_err(|e| format!("vulnerabilities[{i}]: {e}")))
        .collect()
}

fn operator(op: Option<&str>, where_: &str, notes: &mut Vec<String>) -> Operator {
    match op {
        None | Some("OR") => Operator::Or,
        Some("AND") => Operator::And,
        Some(other) => {
            notes.push(format!("{where_}: unknown operator {other:?}, read as OR"));
            Operator::Or
        }
    }
}

fn convert(cve: Cve) -> Result<Advisory, String> {
    if cve.id.trim().is_empty() {
        return Err("cve.id is empty".to_string());
    }
    let mut notes = Vec::new();
    let mut configurations = Vec::new();
    for (i, c) in cve.configurations.iter().enumerate() {
        let mut nodes = Vec::new();
        for (j, n) in c.nodes.iter().enumerate() {
            let mut matches = Vec::new();
            for (k, m) in n.cpe_match.iter().enumerate() {
                if Cpe::parse(&m.criteria).is_none() {
                    notes.push(format!(
                        "configurations[{i}].nodes[{j}].cpeMatch[{k}]: unreadable CPE {:?}",
                        m.criteria
                    ));
                    continue;
                }
                matches.push(CpeMatch {
                    vulnerable: m.vulnerable,
                    criteria: m.criteria.clone(),
                    start_including: m.version_start_including.clone(),
                    start_excluding: m.version_start_excluding.clone(),
                    end_including: m.version_end_including.clone(),
                    end_excluding: m.version_end_excluding.clone(),
                });
            }
            let where_ = format!("configurations[{i}].nodes[{j}]");
            nodes.push(NvdNode {
                operator: operator(n.operator.as_deref(), &where_, &mut notes),
                negate: n.negate,
                matches,
            });
        }
        let where_ = format!("configurations[{i}]");
        configurations.push(NvdConfig {
            operator: operator(c.operator.as_deref(), &where_, &mut notes),
            negate: c.negate,
            nodes,
        });
    }
    let mut severity = Vec::new();
    for (kind, list) in [
        ("CVSS_V4", &cve.metrics.cvss_metric_v40),
        ("CVSS_V3", &cve.metrics.cvss_metric_v31),
        ("CVSS_V3", &cve.metrics.cvss_metric_v30),
        ("CVSS_V2", &cve.metrics.cvss_metric_v2),
    ] {
        // NVD's own ("Primary") assessment first, else the CNA's.
        let best = list
            .iter()
            .find(|m| m.kind.as_deref() == Some("Primary"))
            .or_else(|| list.first());
        if let Some(m) = best {
            let computed = cvss::from_osv(kind, &m.cvss_data.vector_string);
            let score = m.cvss_data.base_score.or(computed.score);
            severity.push(Severity {
                kind: kind.to_string(),
                vector: Some(m.cvss_data.vector_string.clone()),
                score,
                label: m
                    .cvss_data
                    .base_severity
                    .clone()
                    .or_else(|| m.base_severity.clone())
                    .or_else(|| score.map(|s| cvss::label_for(s).to_string())),
            });
        }
    }
    let summary = cve
        .descriptions
        .iter()
        .find(|d| d.lang == "en")
        .or_else(|| cve.descriptions.first())
        .map(|d| d.value.chars().take(300).collect::<String>());
    let withdrawn = (cve.vuln_status.as_deref() == Some("Rejected")).then(|| {
        cve.last_modified
            .clone()
            .unwrap_or_else(|| "rejected".to_string())
    });
    Ok(Advisory {
        id: cve.id,
        source: Source::Nvd,
        aliases: Vec::new(),
        summary,
        published: cve.published,
        modified: cve.last_modified,
        withdrawn,
        severity,
        needs_review: notes,
        body: Body::Nvd { configurations },
    })
}
