//! Reading VEX documents made elsewhere into triage records: OpenVEX, CSAF 2.0 VEX and
//! CycloneDX VEX (`vulnerabilities[].analysis`).
//!
//! The format is recognised from the content. A document that is broken as a whole is an
//! error naming the file and field (or line, for JSON syntax); a single statement that
//! cannot become a valid [`Record`] (an unknown product, a `not_affected` with only free
//! text instead of a justification) is listed in [`Imported::skipped`] with its location, so
//! one odd statement does not throw away the rest.

use std::path::Path;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::VexError;
use crate::model::{ComponentRef, Justification, Record, State};

/// The outcome of an import: the records, and what was left out and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub records: Vec<Record>,
    /// One line per skipped statement: `FILE: FIELD: reason`.
    pub skipped: Vec<String>,
}

impl Imported {
    pub(crate) fn push(&mut self, record: Record, at: &str) {
        match record.validate() {
            Ok(()) => self.records.push(record),
            Err(e) => self.skipped.push(format!("{at}: {e}")),
        }
    }
}

/// Reads a VEX file (OpenVEX, CSAF VEX or CycloneDX VEX, recognised from its content).
pub fn from_path(path: &Path) -> Result<Imported, VexError> {
    let bytes = std::fs::read(path).map_err(|e| VexError::io(path, "read", e))?;
    from_slice(&bytes, &path.display().to_string())
}

/// Reads a VEX document held in memory; `origin` names it in errors.
pub fn from_slice(bytes: &[u8], origin: &str) -> Result<Imported, VexError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        VexError::new(origin, text.strip_suffix(&suffix).unwrap_or(&text)).at_line(Some(e.line()))
    })?;
    if field_str(&doc, "@context").is_some_and(|c| c.starts_with("https://openvex.dev/ns")) {
        crate::openvex::import(&doc, origin)
    } else if doc
        .get("document")
        .and_then(|d| d.get("csaf_version"))
        .is_some()
    {
        crate::csaf::import(&doc, origin)
    } else if field_str(&doc, "bomFormat") == Some("CycloneDX") {
        cyclonedx(&doc, bytes, origin)
    } else {
        Err(VexError::new(
            origin,
            "not an OpenVEX (@context https://openvex.dev/ns/...), CSAF (document.csaf_version) \
             or CycloneDX (bomFormat) document",
        ))
    }
}

pub(crate) fn field_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

pub(crate) fn parse_time(
    text: &str,
    origin: &str,
    field: &str,
) -> Result<OffsetDateTime, VexError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
        VexError::new(
            origin,
            format!("{text:?} is not an RFC 3339 date-time: {e}"),
        )
        .at_field(field)
    })
}

/// CycloneDX `analysis.state` to triage state.
fn cdx_state(state: &str) -> Option<State> {
    Some(match state {
        "resolved" | "resolved_with_pedigree" => State::Fixed,
        "exploitable" => State::Affected,
        "in_triage" => State::UnderInvestigation,
        "false_positive" | "not_affected" => State::NotAffected,
        _ => return None,
    })
}

/// CycloneDX `analysis.justification` to the CISA/OpenVEX justification that says the same
/// thing: code absent, code unreachable, conditions an attacker cannot create (a
/// configuration, an environment), a missing dependency, or a protection in place.
fn cdx_justification(j: &str) -> Option<Justification> {
    Some(match j {
        "code_not_present" => Justification::VulnerableCodeNotPresent,
        "code_not_reachable" => Justification::VulnerableCodeNotInExecutePath,
        "requires_configuration" | "requires_environment" => {
            Justification::VulnerableCodeCannotBeControlledByAdversary
        }
        "requires_dependency" => Justification::ComponentNotPresent,
        "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => Justification::InlineMitigationsAlreadyExist,
        _ => return None,
    })
}

fn cyclonedx(doc: &Value, bytes: &[u8], origin: &str) -> Result<Imported, VexError> {
    // Component references resolve through the document's own components (bom-ref).
    let sbom = tekigo_sbom::Sbom::from_slice(bytes, origin)
        .map_err(|e| VexError::new(origin, e.message.clone()).at_line(e.line))?;
    let metadata = doc.get("metadata");
    let author = metadata
        .and_then(|m| m.get("authors"))
        .and_then(|a| a.get(0))
        .and_then(|a| field_str(a, "name"))
        .or_else(|| {
            metadata
                .and_then(|m| m.get("supplier"))
                .and_then(|s| field_str(s, "name"))
        })
        .map_or_else(|| format!("imported from {origin}"), str::to_string);
    let doc_time = metadata.and_then(|m| field_str(m, "timestamp"));
    let mut out = Imported::default();
    let vulns = doc.get("vulnerabilities").and_then(Value::as_array);
    for (i, v) in vulns.into_iter().flatten().enumerate() {
        let at = format!("vulnerabilities[{i}]");
        let Some(id) = field_str(v, "id") else {
            return Err(VexError::new(origin, "missing").at_field(format!("{at}.id")));
        };
        let Some(analysis) = v.get("analysis") else {
            out.skipped.push(format!(
                "{origin}: {at}.analysis: no analysis, nothing to import"
            ));
            continue;
        };
        let state_text = field_str(analysis, "state").unwrap_or("");
        let Some(state) = cdx_state(state_text) else {
            out.skipped.push(format!(
                "{origin}: {at}.analysis.state: {state_text:?} is not a known state"
            ));
            continue;
        };
        let justification = match (state, field_str(analysis, "justification")) {
            (State::NotAffected, Some(j)) => cdx_justification(j),
            _ => None,
        };
        let detail = field_str(analysis, "detail").map(str::to_string);
        let responses: Vec<&str> = analysis
            .get("response")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let action = (state == State::Affected)
            .then(|| match (responses.is_empty(), &detail) {
                (true, None) => None,
                (true, Some(d)) => Some(d.clone()),
                (false, None) => Some(format!("Response: {}", responses.join(", "))),
                (false, Some(d)) => Some(format!("Response: {}. {d}", responses.join(", "))),
            })
            .flatten();
        let time_text = field_str(analysis, "lastUpdated")
            .or_else(|| field_str(analysis, "firstIssued"))
            .or_else(|| field_str(v, "updated"))
            .or_else(|| field_str(v, "published"))
            .or(doc_time);
        let Some(time_text) = time_text else {
            out.skipped.push(format!(
                "{origin}: {at}.analysis.lastUpdated: no date for the analysis"
            ));
            continue;
        };
        let timestamp = parse_time(time_text, origin, &format!("{at}.analysis.lastUpdated"))?;
        let aliases: Vec<String> = v
            .get("references")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|r| field_str(r, "id"))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        for (j, affects) in v
            .get("affects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let reference = field_str(affects, "ref").unwrap_or("");
            // A BOM-Link (urn:cdx:serial/version#bom-ref) points into this or another BOM.
            let local = reference
                .rsplit_once('#')
                .map_or(reference, |(_, frag)| frag);
            let component = sbom
                .components
                .iter()
                .find(|c| c.id.as_deref() == Some(local))
                .map(ComponentRef::from)
                .or_else(|| {
                    reference
                        .starts_with("pkg:")
                        .then(|| ComponentRef::from_purl(reference))
                });
            let place = format!("{origin}: {at}.affects[{j}].ref");
            let Some(component) = component else {
                out.skipped.push(format!(
                    "{place}: {reference:?} is no component of this document"
                ));
                continue;
            };
            out.push(
                Record {
                    vulnerability: id.to_string(),
                    aliases: aliases.clone(),
                    component,
                    any_version: false,
                    state,
                    justification,
                    impact: None,
                    action: action.clone(),
                    note: detail.clone().filter(|_| state != State::Affected),
                    author: author.clone(),
                    timestamp,
                },
                &place,
            );
        }
    }
    Ok(out)
}
