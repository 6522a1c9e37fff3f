//! CSAF 2.0 documents with the `csaf_vex` profile: export of triage records, and reading
//! the product status of VEX (and security advisory) documents back.
//!
//! Export layout: every distinct component is one `full_product_names` entry
//! (`CSAFPID-0001`, ... in record order) with its PURL as identification helper (a
//! `pkg:generic/NAME@VERSION` one for components without PURL); every
//! distinct vulnerability is one `vulnerabilities` entry with `cve` (when the id or an alias
//! is a CVE) and the other ids in `ids`, the product ids under the matching
//! `product_status` list, a `flags` entry per justification and an `impact` threat for each
//! not-affected product, and a remediation carrying the action statement for each affected
//! product (the profile's tests 6.1.27.9 and 6.1.27.10).

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::error::VexError;
use crate::import::{field_str, parse_time, Imported};
use crate::model::{ComponentRef, DocumentMeta, Justification, Record, State};
use crate::openvex::{component_iri, timestamp};

fn is_cve(id: &str) -> bool {
    let mut parts = id.splitn(3, '-');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("CVE"), Some(year), Some(num))
            if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
                && num.len() >= 4 && num.bytes().all(|b| b.is_ascii_digit())
    )
}

/// `GHSA-xxxx-...` is known to the system `GHSA`; an id without a dash to `other`.
fn system_of(id: &str) -> &str {
    id.split_once('-').map_or("other", |(s, _)| s)
}

/// Builds a CSAF 2.0 `csaf_vex` document from the records, in the order given.
pub fn export(records: &[Record], meta: &DocumentMeta) -> Result<Value, VexError> {
    if records.is_empty() {
        return Err(VexError::new("", "no triage records to export"));
    }
    let mut products: Vec<Value> = Vec::new();
    let mut pid_of: HashMap<String, String> = HashMap::new();
    let mut vuln_order: Vec<String> = Vec::new();
    let mut by_vuln: HashMap<String, Vec<(&Record, String)>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        r.validate()
            .map_err(|e| VexError::new("", e.to_string()).at_field(format!("records[{i}]")))?;
        let label = r.component.label();
        let pid = pid_of
            .entry(label.clone())
            .or_insert_with(|| {
                let pid = format!("CSAFPID-{:04}", products.len() + 1);
                products.push(full_product_name(&r.component, &pid));
                pid
            })
            .clone();
        let key = r.vulnerability.trim().to_ascii_uppercase();
        if !by_vuln.contains_key(&key) {
            vuln_order.push(key.clone());
        }
        by_vuln.entry(key).or_default().push((r, pid));
    }
    let vulnerabilities: Vec<Value> = vuln_order
        .iter()
        .map(|key| vulnerability(&by_vuln[key]))
        .collect();
    let version = meta.version.max(1).to_string();
    let date = timestamp(meta.timestamp);
    Ok(json!({
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "lang": "en",
            "publisher": {
                "category": "vendor",
                "name": meta.author,
                "namespace": meta.publisher_namespace,
            },
            "title": meta.title,
            "tracking": {
                "current_release_date": date,
                "generator": {
                    "engine": { "name": "tekigo", "version": env!("CARGO_PKG_VERSION") }
                },
                "id": meta.id,
                "initial_release_date": date,
                "revision_history": [
                    { "date": date, "number": version, "summary": "Triage exported by tekigo." }
                ],
                "status": "final",
                "version": version,
            },
        },
        "product_tree": { "full_product_names": products },
        "vulnerabilities": vulnerabilities,
    }))
}

fn full_product_name(c: &ComponentRef, pid: &str) -> Value {
    let name = match (&c.name, &c.version) {
        (Some(n), Some(v)) => format!("{n} {v}"),
        (Some(n), None) => n.clone(),
        (None, _) => c.label(),
    };
    let mut product = Map::new();
    product.insert("name".into(), json!(name));
    product.insert("product_id".into(), json!(pid));
    // Components without PURL get the generic PURL OpenVEX export uses, so both formats
    // name them alike and an import reads name and version back.
    let purl = component_iri(c);
    product.insert(
        "product_identification_helper".into(),
        json!({ "purl": purl }),
    );
    Value::Object(product)
}

fn vulnerability(entries: &[(&Record, String)]) -> Value {
    let first = entries[0].0;
    let mut all_ids: Vec<&str> = vec![first.vulnerability.as_str()];
    for (r, _) in entries {
        for a in std::iter::once(&r.vulnerability).chain(&r.aliases) {
            if !all_ids.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                all_ids.push(a);
            }
        }
    }
    let cve = all_ids.iter().copied().find(|id| is_cve(id));
    let ids: Vec<Value> = all_ids
        .iter()
        .filter(|id| Some(**id) != cve)
        .map(|id| json!({ "system_name": system_of(id), "text": id }))
        .collect();

    let mut status: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut flags: Vec<(Justification, Vec<&str>)> = Vec::new();
    let mut threats = Vec::new();
    let mut remediations = Vec::new();
    let mut notes = vec![json!({
        "category": "description",
        "title": "Triage",
        "text": format!(
            "Exploitability of {} in the components of this product, as triaged by its publisher.",
            first.vulnerability
        ),
    })];
    for (r, pid) in entries {
        let list = match r.state {
            State::Affected => "known_affected",
            State::NotAffected => "known_not_affected",
            State::Fixed => "fixed",
            State::UnderInvestigation => "under_investigation",
        };
        let ids = status.entry(list).or_default();
        if ids.contains(&pid.as_str()) {
            continue;
        }
        ids.push(pid);
        if r.state == State::NotAffected {
            if let Some(j) = r.justification {
                match flags.iter_mut().find(|(fj, _)| *fj == j) {
                    Some((_, pids)) => pids.push(pid),
                    None => flags.push((j, vec![pid])),
                }
            }
            let details = r
                .impact
                .clone()
                .or_else(|| r.justification.map(|j| j.sentence().to_string()))
                .unwrap_or_default();
            threats.push(json!({
                "category": "impact",
                "details": details,
                "product_ids": [pid],
            }));
        }
        if let (State::Affected, Some(action)) = (r.state, &r.action) {
            remediations.push(json!({
                "category": "workaround",
                "details": action,
                "product_ids": [pid],
            }));
        }
        if let Some(note) = &r.note {
            notes.push(json!({
                "category": "other",
                "title": format!("Triage note for {}", r.component.label()),
                "text": note,
            }));
        }
    }
    let mut v = Map::new();
    if let Some(cve) = cve {
        v.insert("cve".into(), json!(cve));
    }
    if !ids.is_empty() {
        v.insert("ids".into(), json!(ids));
    }
    v.insert("notes".into(), json!(notes));
    let mut product_status = Map::new();
    for list in [
        "fixed",
        "known_affected",
        "known_not_affected",
        "under_investigation",
    ] {
        if let Some(pids) = status.get(list) {
            product_status.insert(list.into(), json!(pids));
        }
    }
    v.insert("product_status".into(), Value::Object(product_status));
    if !flags.is_empty() {
        let flags: Vec<Value> = flags
            .into_iter()
            .map(|(j, pids)| json!({ "label": j.as_str(), "product_ids": pids }))
            .collect();
        v.insert("flags".into(), json!(flags));
    }
    if !remediations.is_empty() {
        v.insert("remediations".into(), json!(remediations));
    }
    if !threats.is_empty() {
        v.insert("threats".into(), json!(threats));
    }
    Value::Object(v)
}

/// Product id -> component, from full product names, branches (any depth) and
/// relationships (a relationship's product is its `product_reference` component).
fn products_of(tree: Option<&Value>) -> HashMap<String, ComponentRef> {
    let mut out = HashMap::new();
    let Some(tree) = tree else {
        return out;
    };
    let add = |out: &mut HashMap<String, ComponentRef>, p: &Value| {
        let Some(pid) = field_str(p, "product_id") else {
            return;
        };
        let helper = p.get("product_identification_helper");
        let component = match helper.and_then(|h| field_str(h, "purl")) {
            Some(purl) => ComponentRef::from_purl(purl),
            None => ComponentRef {
                purl: None,
                name: field_str(p, "name").map(str::to_string),
                version: None,
            },
        };
        out.insert(pid.to_string(), component);
    };
    let mut stack: Vec<&Value> = tree
        .get("branches")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    while let Some(branch) = stack.pop() {
        if let Some(p) = branch.get("product") {
            add(&mut out, p);
        }
        stack.extend(
            branch
                .get("branches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    for p in tree
        .get("full_product_names")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add(&mut out, p);
    }
    for rel in tree
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(fpn), Some(reference)) = (
            rel.get("full_product_name"),
            field_str(rel, "product_reference"),
        ) else {
            continue;
        };
        if let (Some(pid), Some(component)) =
            (field_str(fpn, "product_id"), out.get(reference).cloned())
        {
            out.insert(pid.to_string(), component);
        }
    }
    out
}

/// Reads the product status of every vulnerability as records.
pub(crate) fn import(doc: &Value, origin: &str) -> Result<Imported, VexError> {
    let document = &doc["document"];
    let author = document
        .get("publisher")
        .and_then(|p| field_str(p, "name"))
        .ok_or_else(|| VexError::new(origin, "missing").at_field("document.publisher.name"))?
        .to_string();
    let date = document
        .get("tracking")
        .and_then(|t| field_str(t, "current_release_date"))
        .ok_or_else(|| {
            VexError::new(origin, "missing").at_field("document.tracking.current_release_date")
        })?;
    let timestamp = parse_time(date, origin, "document.tracking.current_release_date")?;
    let products = products_of(doc.get("product_tree"));
    let mut out = Imported::default();
    for (i, v) in doc
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("vulnerabilities[{i}]");
        let mut ids: Vec<String> = field_str(v, "cve")
            .map(str::to_string)
            .into_iter()
            .collect();
        ids.extend(
            v.get("ids")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|x| field_str(x, "text"))
                .map(str::to_string),
        );
        if ids.is_empty() {
            return Err(
                VexError::new(origin, "neither cve nor ids names the vulnerability").at_field(at),
            );
        }
        let id = ids.remove(0);
        let by_pid = |list: &str, pid: &str| -> Option<String> {
            v.get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find_map(|item| {
                    let listed = item.get("product_ids").and_then(Value::as_array)?;
                    listed
                        .iter()
                        .any(|p| p.as_str() == Some(pid))
                        .then_some(item)
                })
                .and_then(|item| {
                    field_str(item, "label")
                        .or_else(|| field_str(item, "details"))
                        .map(str::to_string)
                })
        };
        let Some(status) = v.get("product_status").and_then(Value::as_object) else {
            out.skipped.push(format!(
                "{origin}: {at}.product_status: missing, nothing to import"
            ));
            continue;
        };
        for (list, state) in [
            ("known_affected", State::Affected),
            ("first_affected", State::Affected),
            ("last_affected", State::Affected),
            ("known_not_affected", State::NotAffected),
            ("fixed", State::Fixed),
            ("first_fixed", State::Fixed),
            ("under_investigation", State::UnderInvestigation),
        ] {
            for (j, pid) in status
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let place = format!("{origin}: {at}.product_status.{list}[{j}]");
                let pid = pid.as_str().unwrap_or("");
                let Some(component) = products.get(pid).cloned() else {
                    out.skipped.push(format!(
                        "{place}: product id {pid:?} is not in the product tree"
                    ));
                    continue;
                };
                let (justification, impact) = if state == State::NotAffected {
                    let label = by_pid("flags", pid);
                    let threat = v
                        .get("threats")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .find(|t| {
                            field_str(t, "category") == Some("impact")
                                && t.get("product_ids")
                                    .and_then(Value::as_array)
                                    .is_some_and(|p| p.iter().any(|x| x.as_str() == Some(pid)))
                        })
                        .and_then(|t| field_str(t, "details"))
                        .map(str::to_string);
                    (label.as_deref().and_then(Justification::from_name), threat)
                } else {
                    (None, None)
                };
                let action = (state == State::Affected)
                    .then(|| by_pid("remediations", pid))
                    .flatten();
                out.push(
                    Record {
                        vulnerability: id.clone(),
                        aliases: ids.clone(),
                        component,
                        any_version: false,
                        state,
                        justification,
                        impact,
                        action,
                        note: None,
                        author: author.clone(),
                        timestamp,
                    },
                    &place,
                );
            }
        }
    }
    Ok(out)
}
