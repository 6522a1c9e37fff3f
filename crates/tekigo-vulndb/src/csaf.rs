//! CSAF 2.0 advisories (security advisories and VEX documents): the product tree is resolved
//! into products with vendor, product name, version or version range and identification
//! helpers, and each vulnerability becomes one advisory holding the products it names as
//! known affected or fixed. The statuses of Red Hat's RPMs on a RHEL release become
//! distribution package data instead (`redhat.rs` states the rule).

use crate::cvss;
use crate::model::{
    Advisory, Body, CsafBody, CsafProduct, CsafVersion, ProductStatus, Severity, Source,
};
use crate::redhat;
use crate::vers;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Deserialize)]
struct Doc {
    document: Document,
    #[serde(default)]
    product_tree: Option<Value>,
    #[serde(default)]
    vulnerabilities: Vec<Vuln>,
}

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    title: Option<String>,
    tracking: Tracking,
    #[serde(default)]
    publisher: Option<Publisher>,
}

#[derive(Deserialize)]
struct Tracking {
    id: String,
    #[serde(default)]
    current_release_date: Option<String>,
    #[serde(default)]
    initial_release_date: Option<String>,
}

#[derive(Deserialize)]
struct Publisher {
    name: String,
}

#[derive(Deserialize)]
struct Vuln {
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    ids: Vec<IdEntry>,
    #[serde(default)]
    notes: Vec<Note>,
    #[serde(default)]
    product_status: Option<HashMap<String, Vec<String>>>,
    #[serde(default)]
    scores: Vec<Score>,
}

#[derive(Deserialize)]
struct IdEntry {
    text: String,
}

#[derive(Deserialize)]
struct Note {
    category: String,
    text: String,
}

#[derive(Deserialize)]
struct Score {
    #[serde(default)]
    cvss_v3: Option<CvssBlock>,
    #[serde(default)]
    cvss_v2: Option<CvssBlock>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssBlock {
    #[serde(default)]
    vector_string: Option<String>,
    #[serde(default)]
    base_score: Option<f64>,
    #[serde(default)]
    base_severity: Option<String>,
}

/// A product as the tree describes it, before a vulnerability gives it a status.
#[derive(Clone, Default)]
struct TreeProduct {
    full_name: String,
    vendor: Option<String>,
    product: Option<String>,
    version: Option<CsafVersion>,
    cpe: Option<String>,
    purl: Option<String>,
    /// For a relationship (`default_component_of`), the CPE of the product the component
    /// belongs to (the RHEL release of a Red Hat RPM).
    platform_cpe: Option<String>,
}

/// Parses a CSAF document into one advisory per vulnerability.
pub fn parse(bytes: &[u8]) -> Result<Vec<Advisory>, String> {
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut products: HashMap<String, TreeProduct> = HashMap::new();
    if let Some(tree) = &doc.product_tree {
        if let Some(branches) = tree.get("branches").and_then(Value::as_array) {
            for b in branches {
                walk(b, &TreeProduct::default(), &mut products);
            }
        }
        for fpn in tree
            .get("full_product_names")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add_leaf(fpn, &TreeProduct::default(), &mut products);
        }
        for rel in tree
            .get("relationships")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let component = rel.get("product_reference").and_then(Value::as_str);
            let fpn = rel.get("full_product_name");
            let (Some(component), Some(fpn)) = (component, fpn) else {
                continue;
            };
            let (Some(id), name) = (
                fpn.get("product_id").and_then(Value::as_str),
                fpn.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            if let Some(base) = products.get(component).cloned() {
                let mut derived = base;
                if let Some(name) = name {
                    derived.full_name = name.to_string();
                }
                derived.platform_cpe = rel
                    .get("relates_to_product_reference")
                    .and_then(Value::as_str)
                    .and_then(|p| products.get(p))
                    .and_then(|p| p.cpe.clone());
                products.insert(id.to_string(), derived);
            }
        }
    }
    let document = doc.document.tracking.id.clone();
    if document.trim().is_empty() {
        return Err("document.tracking.id is empty".to_string());
    }
    let mut out = Vec::new();
    for (i, v) in doc.vulnerabilities.iter().enumerate() {
        let id = v
            .cve
            .clone()
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| format!("{document}#{}", i + 1));
        let mut aliases = vec![document.clone()];
        aliases.extend(v.ids.iter().map(|x| x.text.clone()));
        aliases.retain(|a| a != &id);
        aliases.dedup();
        let mut needs_review = Vec::new();
        let mut listed = Vec::new();
        let mut rpms = redhat::Packages::default();
        let status = v.product_status.clone().unwrap_or_default();
        for (key, st) in [
            ("known_affected", ProductStatus::KnownAffected),
            ("first_affected", ProductStatus::KnownAffected),
            ("last_affected", ProductStatus::KnownAffected),
            ("fixed", ProductStatus::Fixed),
            ("first_fixed", ProductStatus::Fixed),
        ] {
            for pid in status.get(key).into_iter().flatten() {
                if listed
                    .iter()
                    .any(|p: &CsafProduct| &p.product_id == pid && p.status == st)
                {
                    continue;
                }
                let Some(tp) = products.get(pid) else {
                    needs_review.push(format!(
                        "vulnerabilities[{i}].product_status.{key}: product {pid:?} is not in \
                         the product tree"
                    ));
                    continue;
                };
                if let Some(purl) = tp.purl.as_deref().filter(|p| redhat::is_rpm(p)) {
                    let stream = tp.platform_cpe.as_deref().and_then(redhat::ecosystem);
                    if let (Some(eco), "fixed" | "first_fixed" | "known_affected") = (stream, key) {
                        rpms.add(&eco, purl, st == ProductStatus::Fixed);
                    }
                    continue;
                }
                if let (ProductStatus::KnownAffected, Some(CsafVersion::Unparsed { text })) =
                    (st, &tp.version)
                {
                    needs_review.push(format!(
                        "product {pid} ({}): version range {text:?} could not be parsed; \
                         matches of this product need review",
                        tp.full_name
                    ));
                }
                listed.push(CsafProduct {
                    product_id: pid.clone(),
                    full_name: tp.full_name.clone(),
                    vendor: tp.vendor.clone(),
                    product: tp.product.clone(),
                    version: tp.version.clone(),
                    cpe: tp.cpe.clone(),
                    purl: tp.purl.clone(),
                    status: st,
                });
            }
        }
        let mut severity = Vec::new();
        for s in &v.scores {
            for (kind, block) in [("CVSS_V3", &s.cvss_v3), ("CVSS_V2", &s.cvss_v2)] {
                let Some(b) = block else { continue };
                let computed = b
                    .vector_string
                    .as_deref()
                    .map(|vs| cvss::from_osv(kind, vs).score)
                    .unwrap_or_default();
                let score = b.base_score.or(computed);
                let sev = Severity {
                    kind: kind.to_string(),
                    vector: b.vector_string.clone(),
                    score,
                    label: b
                        .base_severity
                        .clone()
                        .or_else(|| score.map(|x| cvss::label_for(x).to_string())),
                };
                if !severity.contains(&sev) {
                    severity.push(sev);
                }
            }
        }
        let summary = v
            .notes
            .iter()
            .find(|n| n.category == "summary" || n.category == "description")
            .map(|n| n.text.chars().take(300).collect())
            .or_else(|| v.title.clone())
            .or_else(|| doc.document.title.clone());
        let advisory = Advisory {
            id,
            source: Source::Csaf,
            aliases,
            summary,
            published: doc.document.tracking.initial_release_date.clone(),
            modified: doc.document.tracking.current_release_date.clone(),
            withdrawn: None,
            severity,
            needs_review,
            body: Body::Csaf(CsafBody {
                document: document.clone(),
                publisher: doc.document.publisher.as_ref().map(|p| p.name.clone()),
                products: listed,
            }),
        };
        // A Red Hat VEX file names nothing but RPMs: its CSAF advisory would be empty.
        let rpm_advisory = rpms.into_advisory(&advisory, &document);
        let only_rpms = rpm_advisory.is_some()
            && advisory.needs_review.is_empty()
            && matches!(&advisory.body, Body::Csaf(b) if b.products.is_empty());
        out.extend(rpm_advisory);
        if !only_rpms {
            out.push(advisory);
        }
    }
    Ok(out)
}

fn walk(branch: &Value, ctx: &TreeProduct, out: &mut HashMap<String, TreeProduct>) {
    let category = branch.get("category").and_then(Value::as_str).unwrap_or("");
    let name = branch
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let mut ctx = ctx.clone();
    match category {
        "vendor" => ctx.vendor = Some(name),
        "product_name" => ctx.product = Some(name),
        "product_family" if ctx.product.is_none() => ctx.product = Some(name),
        "product_version" => ctx.version = Some(CsafVersion::Exact { version: name }),
        "product_version_range" => ctx.version = Some(range_of(&name)),
        _ => {}
    }
    if let Some(product) = branch.get("product") {
        add_leaf(product, &ctx, out);
    }
    for b in branch
        .get("branches")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(b, &ctx, out);
    }
}

fn range_of(text: &str) -> CsafVersion {
    let parsed = if text.trim_start().starts_with("vers:") {
        vers::parse_vers(text).ok()
    } else {
        vers::parse_free_text(text)
    };
    match parsed {
        Some(range) => CsafVersion::Range {
            text: text.to_string(),
            range,
        },
        None => CsafVersion::Unparsed {
            text: text.to_string(),
        },
    }
}

fn add_leaf(product: &Value, ctx: &TreeProduct, out: &mut HashMap<String, TreeProduct>) {
    let Some(id) = product.get("product_id").and_then(Value::as_str) else {
        return;
    };
    let helper = product.get("product_identification_helper");
    let text = |k: &str| {
        helper
            .and_then(|h| h.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut p = ctx.clone();
    p.full_name = product
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(id)
        .to_string();
    p.cpe = text("cpe");
    p.purl = text("purl");
    out.insert(id.to_string(), p);
}
