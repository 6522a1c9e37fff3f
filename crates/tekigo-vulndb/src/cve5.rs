//! CVE records in the CVE Program's JSON 5 format (`dataType: CVE_RECORD`), the format the
//! Linux kernel's CNA publishes in.
//!
//! The CNA container's `affected[]` blocks are kept as written: vendor, product, the default
//! status, every `versions[]` entry (`version`, `lessThan`, `lessThanOrEqual`, `status`,
//! `versionType`) and `programFiles`, the source files the fix touched. The kernel's records
//! state the fixed release per stable branch in one block (`versionType: custom` /
//! `original_commit_for_fix`) and the same fixes as commit ranges in another
//! (`versionType: git`); both are stored, the matcher evaluates the first kind
//! (tekigo-versions' `kernel_status`) and tekigo-kconfig reads `programFiles`.
//!
//! A rejected record is stored as withdrawn. A block whose entries are all commits, or a
//! product other than the Linux kernel, is stored with a `needs_review` note saying why it
//! is not matched, never dropped.

use crate::cvss;
use crate::model::{Advisory, Body, Cve5Affected, Cve5Body, Cve5Status, Cve5Version, Source};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    data_type: String,
    cve_metadata: Metadata,
    containers: Containers,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    cve_id: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    assigner_short_name: Option<String>,
    #[serde(default)]
    date_published: Option<String>,
    #[serde(default)]
    date_updated: Option<String>,
    #[serde(default)]
    date_rejected: Option<String>,
}

#[derive(Deserialize)]
struct Containers {
    cna: Cna,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Cna {
    #[serde(default)]
    provider_metadata: Option<Provider>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    descriptions: Vec<LangString>,
    #[serde(default)]
    rejected_reasons: Vec<LangString>,
    #[serde(default)]
    affected: Vec<RawAffected>,
    #[serde(default)]
    metrics: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Provider {
    #[serde(default)]
    short_name: Option<String>,
}

#[derive(Deserialize)]
struct LangString {
    lang: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAffected {
    #[serde(default)]
    vendor: Option<String>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    package_name: Option<String>,
    #[serde(default)]
    default_status: Option<String>,
    #[serde(default)]
    repo: Option<String>,
    #[serde(default)]
    program_files: Vec<String>,
    #[serde(default)]
    versions: Vec<RawVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawVersion {
    version: String,
    status: String,
    #[serde(default)]
    less_than: Option<String>,
    #[serde(default)]
    less_than_or_equal: Option<String>,
    #[serde(default)]
    version_type: Option<String>,
}

fn status(text: &str, field: &str) -> Result<Cve5Status, String> {
    match text {
        "affected" => Ok(Cve5Status::Affected),
        "unaffected" => Ok(Cve5Status::Unaffected),
        "unknown" => Ok(Cve5Status::Unknown),
        other => Err(format!(
            "{field}: status {other:?} is not affected, unaffected or unknown"
        )),
    }
}

/// Whether an `affected[]` block names the Linux kernel as its CNA writes it.
pub fn is_linux_kernel(vendor: &str, product: &str) -> bool {
    vendor.eq_ignore_ascii_case("linux") && product.eq_ignore_ascii_case("linux")
}

/// Parses one CVE JSON 5 record. Errors name the field (`affected[1].versions[3].status`).
pub fn parse(bytes: &[u8]) -> Result<Advisory, String> {
    let r: Record = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if r.data_type != "CVE_RECORD" {
        return Err(format!("dataType {:?} is not CVE_RECORD", r.data_type));
    }
    let id = r.cve_metadata.cve_id.trim().to_ascii_uppercase();
    if !id.starts_with("CVE-") || id.len() > 32 {
        return Err(format!(
            "cveMetadata.cveId {:?} is not a CVE id",
            r.cve_metadata.cve_id
        ));
    }
    let rejected = r.cve_metadata.state.as_deref() == Some("REJECTED");
    let cna = r.containers.cna;
    let english = |list: &[LangString]| {
        list.iter()
            .find(|d| d.lang.starts_with("en"))
            .or(list.first())
            .map(|d| d.value.clone())
    };
    let summary = cna.title.clone().or_else(|| english(&cna.descriptions));
    let mut needs_review = Vec::new();
    let mut affected = Vec::new();
    for (i, a) in cna.affected.into_iter().enumerate() {
        let vendor = a.vendor.unwrap_or_default();
        let product = a.product.or(a.package_name.clone()).unwrap_or_default();
        let default_status = match a.default_status.as_deref() {
            None => Cve5Status::Unknown,
            Some(s) => status(s, &format!("affected[{i}].defaultStatus"))?,
        };
        let mut versions = Vec::with_capacity(a.versions.len());
        for (j, v) in a.versions.into_iter().enumerate() {
            versions.push(Cve5Version {
                status: status(&v.status, &format!("affected[{i}].versions[{j}].status"))?,
                version: v.version,
                less_than: v.less_than,
                less_than_or_equal: v.less_than_or_equal,
                version_type: v.version_type,
            });
        }
        let kernel = is_linux_kernel(&vendor, &product);
        if !kernel {
            needs_review.push(format!(
                "affected[{i}] ({vendor} {product}): only the Linux kernel's CVE records are matched; check this product by hand"
            ));
        }
        affected.push(Cve5Affected {
            vendor,
            product,
            package_name: a.package_name,
            default_status,
            repo: a.repo,
            program_files: a.program_files,
            versions,
        });
    }
    if !rejected
        && affected
            .iter()
            .any(|a| is_linux_kernel(&a.vendor, &a.product))
        && !affected
            .iter()
            .any(|a| is_linux_kernel(&a.vendor, &a.product) && a.has_releases())
    {
        needs_review.push(
            "the record gives the kernel's affected versions only as git commits".to_string(),
        );
    }
    let severity = cna
        .metrics
        .iter()
        .filter_map(|m| {
            ["cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0"]
                .iter()
                .find_map(|k| m.get(*k).map(|c| (*k, c)))
        })
        .filter_map(|(kind, c)| {
            let vector = c.get("vectorString")?.as_str()?;
            let kind = match kind {
                "cvssV4_0" => "CVSS_V4",
                "cvssV2_0" => "CVSS_V2",
                _ => "CVSS_V3",
            };
            let mut s = cvss::from_osv(kind, vector);
            if let Some(score) = c.get("baseScore").and_then(|s| s.as_f64()) {
                s.score = Some(score);
                s.label = Some(cvss::label_for(score).to_string());
            }
            Some(s)
        })
        .collect();
    Ok(Advisory {
        id,
        source: Source::Cve,
        aliases: Vec::new(),
        summary: if rejected {
            english(&cna.rejected_reasons).or(summary)
        } else {
            summary
        },
        published: r.cve_metadata.date_published,
        modified: r.cve_metadata.date_updated,
        withdrawn: if rejected {
            Some(r.cve_metadata.date_rejected.unwrap_or_default())
        } else {
            None
        },
        severity,
        needs_review,
        body: Body::Cve5(Cve5Body {
            assigner: r
                .cve_metadata
                .assigner_short_name
                .or(cna.provider_metadata.and_then(|p| p.short_name)),
            affected,
        }),
    })
}
