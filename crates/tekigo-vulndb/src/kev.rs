//! The CISA Known Exploited Vulnerabilities catalogue (`known_exploited_vulnerabilities.json`).
//!
//! Each entry becomes a small advisory of its own (source `kev`), so re-imports count and skip
//! it like any other record and a scan joins it to findings through the CVE id.

use crate::model::{Advisory, Body, KevInfo, Source};
use serde::Deserialize;

#[derive(Deserialize)]
struct Catalog {
    vulnerabilities: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(default)]
    vendor_project: Option<String>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    vulnerability_name: Option<String>,
    date_added: String,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
}

/// Whether a JSON document looks like the KEV catalogue.
pub fn looks_like(value: &serde_json::Value) -> bool {
    value.get("catalogVersion").is_some()
        || value
            .get("vulnerabilities")
            .and_then(|v| v.as_array())
            .and_then(|a| a.first())
            .is_some_and(|e| e.get("cveID").is_some())
}

pub fn parse(bytes: &[u8]) -> Result<Vec<Advisory>, String> {
    let cat: Catalog = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    cat.vulnerabilities
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let id = e.cve_id.trim().to_ascii_uppercase();
            if !id.starts_with("CVE-") {
                return Err(format!(
                    "vulnerabilities[{i}].cveID {:?} is not a CVE id",
                    e.cve_id
                ));
            }
            Ok(Advisory {
                id,
                source: Source::Kev,
                aliases: Vec::new(),
                summary: e.vulnerability_name,
                published: Some(e.date_added.clone()),
                modified: Some(e.date_added.clone()),
                withdrawn: None,
                severity: Vec::new(),
                needs_review: Vec::new(),
                body: Body::Kev(KevInfo {
                    date_added: e.date_added,
                    due_date: e.due_date.filter(|d| !d.is_empty()),
                    ransomware: e.known_ransomware_campaign_use,
                    vendor_project: e.vendor_project,
                    product: e.product,
                }),
            })
        })
        .collect()
}
