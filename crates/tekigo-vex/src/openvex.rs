//! OpenVEX 0.2 documents: export of triage records, and reading statements back.
//!
//! Each record becomes one statement whose product is the component, named by its PURL (a
//! component without PURL is named `pkg:generic/NAME@VERSION`, which reads back as a PURL
//! whose name and version are the component's). OpenVEX forbids a justification and an
//! impact statement together, so the impact text of a justified record goes into
//! `status_notes` after the note.

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::VexError;
use crate::import::{field_str, parse_time, Imported};
use crate::model::{ComponentRef, DocumentMeta, Justification, Record, State};

/// The JSON-LD context of OpenVEX 0.2.0.
pub const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// The OpenVEX `@id` of a component: its PURL, or a generic PURL from name and version.
pub(crate) fn component_iri(c: &ComponentRef) -> String {
    if let Some(p) = &c.purl {
        return p.clone();
    }
    let name = c.name.as_deref().unwrap_or("unnamed");
    let mut purl = match packageurl::PackageUrl::new("generic", name) {
        Ok(p) => p,
        Err(_) => return format!("pkg:generic/{}", name.replace(' ', "%20")),
    };
    if let Some(v) = &c.version {
        if purl.with_version(v.as_str()).is_err() {
            return format!("pkg:generic/{name}");
        }
    }
    purl.to_string()
}

pub(crate) fn timestamp(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Builds an OpenVEX 0.2 document with one statement per record, in the order given.
/// At least one record is needed (the schema requires a statement).
pub fn export(records: &[Record], meta: &DocumentMeta) -> Result<Value, VexError> {
    if records.is_empty() {
        return Err(VexError::new("", "no triage records to export"));
    }
    let mut statements = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        r.validate()
            .map_err(|e| VexError::new("", e.to_string()).at_field(format!("records[{i}]")))?;
        let mut vulnerability = Map::new();
        vulnerability.insert("name".into(), json!(r.vulnerability));
        if !r.aliases.is_empty() {
            vulnerability.insert("aliases".into(), json!(r.aliases));
        }
        let iri = component_iri(&r.component);
        let mut statement = Map::new();
        statement.insert("vulnerability".into(), Value::Object(vulnerability));
        statement.insert("timestamp".into(), json!(timestamp(r.timestamp)));
        statement.insert(
            "products".into(),
            json!([{ "@id": iri, "identifiers": { "purl": iri } }]),
        );
        statement.insert("status".into(), json!(r.state.as_str()));
        let mut notes: Vec<&str> = r.note.iter().map(String::as_str).collect();
        match (r.state, r.justification, &r.impact) {
            (State::NotAffected, Some(j), impact) => {
                statement.insert("justification".into(), json!(j.as_str()));
                notes.extend(impact.as_deref());
            }
            (State::NotAffected, None, Some(impact)) => {
                statement.insert("impact_statement".into(), json!(impact));
            }
            (_, _, impact) => notes.extend(impact.as_deref()),
        }
        if let Some(action) = &r.action {
            statement.insert("action_statement".into(), json!(action));
        }
        if !notes.is_empty() {
            statement.insert("status_notes".into(), json!(notes.join("\n\n")));
        }
        statements.push(Value::Object(statement));
    }
    Ok(json!({
        "@context": CONTEXT,
        "@id": meta.id,
        "author": meta.author,
        "timestamp": timestamp(meta.timestamp),
        "version": meta.version.max(1),
        "tooling": concat!("tekigo ", env!("CARGO_PKG_VERSION")),
        "statements": statements,
    }))
}

/// Reads the statements of an OpenVEX document (0.2 or the 0.0.x drafts with the same
/// statement shape) as records; statements that cannot be records are listed as skipped.
pub(crate) fn import(doc: &Value, origin: &str) -> Result<Imported, VexError> {
    let author = field_str(doc, "author")
        .unwrap_or("unknown author")
        .to_string();
    let doc_time = field_str(doc, "timestamp")
        .map(|t| parse_time(t, origin, "timestamp"))
        .transpose()?;
    let statements = doc
        .get("statements")
        .and_then(Value::as_array)
        .ok_or_else(|| VexError::new(origin, "missing or not a list").at_field("statements"))?;
    let mut out = Imported::default();
    for (i, s) in statements.iter().enumerate() {
        let at = format!("statements[{i}]");
        let vuln = s.get("vulnerability");
        let id = vuln
            .and_then(|v| field_str(v, "name").or_else(|| field_str(v, "@id")))
            .ok_or_else(|| {
                VexError::new(origin, "missing").at_field(format!("{at}.vulnerability.name"))
            })?;
        let aliases: Vec<String> = vuln
            .and_then(|v| v.get("aliases"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let status = field_str(s, "status").unwrap_or("");
        let Some(state) = State::from_name(status) else {
            return Err(VexError::new(origin, format!("unknown status {status:?}"))
                .at_field(format!("{at}.status")));
        };
        let justification = match field_str(s, "justification") {
            Some(j) => Some(Justification::from_name(j).ok_or_else(|| {
                VexError::new(origin, format!("unknown justification {j:?}"))
                    .at_field(format!("{at}.justification"))
            })?),
            None => None,
        };
        let timestamp = match field_str(s, "timestamp") {
            Some(t) => parse_time(t, origin, &format!("{at}.timestamp"))?,
            None => doc_time.ok_or_else(|| {
                VexError::new(
                    origin,
                    "neither the statement nor the document has a timestamp",
                )
                .at_field(format!("{at}.timestamp"))
            })?,
        };
        let components = statement_components(s);
        if components.is_empty() {
            out.skipped.push(format!(
                "{origin}: {at}.products: no product to attach the statement to"
            ));
        }
        for (j, component) in components.into_iter().enumerate() {
            let record = Record {
                vulnerability: id.to_string(),
                aliases: aliases.clone(),
                component,
                any_version: false,
                state,
                justification,
                impact: field_str(s, "impact_statement").map(str::to_string),
                action: field_str(s, "action_statement").map(str::to_string),
                note: field_str(s, "status_notes").map(str::to_string),
                author: author.clone(),
                timestamp,
            };
            out.push(record, &format!("{origin}: {at}.products[{j}]"));
        }
    }
    Ok(out)
}

/// The components a statement is about: the subcomponents of each product when given (the
/// product is then the thing shipped, the subcomponent the affected part), else the products.
fn statement_components(s: &Value) -> Vec<ComponentRef> {
    let mut out = Vec::new();
    for product in s
        .get("products")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let subs: Vec<&Value> = product
            .get("subcomponents")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        if subs.is_empty() {
            out.extend(component_of(product));
        } else {
            out.extend(subs.into_iter().filter_map(component_of));
        }
    }
    out
}

fn component_of(v: &Value) -> Option<ComponentRef> {
    let purl = v
        .get("identifiers")
        .and_then(|i| field_str(i, "purl"))
        .or_else(|| field_str(v, "@id").filter(|id| id.starts_with("pkg:")));
    if let Some(p) = purl {
        return Some(ComponentRef::from_purl(p));
    }
    let name = field_str(v, "@id").or_else(|| {
        v.get("identifiers")
            .and_then(|i| field_str(i, "@cpe23").or_else(|| field_str(i, "@cpe22")))
    })?;
    Some(ComponentRef {
        purl: None,
        name: Some(name.to_string()),
        version: None,
    })
}
