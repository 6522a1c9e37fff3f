//! Triage records and the vocabulary they use.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::VexError;

/// The decision about one vulnerability in one component. The names are those of OpenVEX
/// and CISA's minimum VEX requirements; CSAF maps them to `known_affected`,
/// `known_not_affected`, `fixed` and `under_investigation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The component is affected; an action statement says what users should do.
    Affected,
    /// The component is not affected; a justification says why.
    NotAffected,
    /// The version in the product contains the fix.
    Fixed,
    /// Not decided yet.
    UnderInvestigation,
}

impl State {
    /// The OpenVEX/CSAF-flag spelling (`not_affected`).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Affected => "affected",
            State::NotAffected => "not_affected",
            State::Fixed => "fixed",
            State::UnderInvestigation => "under_investigation",
        }
    }

    /// Reads the OpenVEX spelling.
    pub fn from_name(name: &str) -> Option<State> {
        Some(match name {
            "affected" => State::Affected,
            "not_affected" => State::NotAffected,
            "fixed" => State::Fixed,
            "under_investigation" => State::UnderInvestigation,
            _ => return None,
        })
    }
}

/// Why a component is not affected: the five justifications shared by OpenVEX and CSAF
/// flags (CISA "Vulnerability Exploitability eXchange (VEX) - Status Justifications").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    /// The vulnerable component is not in the product at all.
    ComponentNotPresent,
    /// The component is there, but not the vulnerable code.
    VulnerableCodeNotPresent,
    /// The vulnerable code is there but never executed.
    VulnerableCodeNotInExecutePath,
    /// The vulnerable code runs but an attacker cannot reach or control it.
    VulnerableCodeCannotBeControlledByAdversary,
    /// Built-in protections prevent exploitation.
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// Every justification, in the order the standards list them.
    pub const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The OpenVEX / CSAF flag label spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// Reads the OpenVEX / CSAF spelling.
    pub fn from_name(name: &str) -> Option<Justification> {
        Justification::ALL.into_iter().find(|j| j.as_str() == name)
    }

    /// A plain-English sentence, used where a format wants prose (CSAF threat details).
    pub fn sentence(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "The component is not present in the product.",
            Justification::VulnerableCodeNotPresent => {
                "The vulnerable code is not present in the component as shipped."
            }
            Justification::VulnerableCodeNotInExecutePath => {
                "The vulnerable code is present but never executed by the product."
            }
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "The vulnerable code cannot be reached or controlled by an attacker."
            }
            Justification::InlineMitigationsAlreadyExist => {
                "Protections built into the product prevent exploitation."
            }
        }
    }
}

/// Which component a record is about. A PURL is the precise key; components without one
/// (firmware, vendor libraries) are named by `name` and `version` as the SBOM gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl ComponentRef {
    /// A reference by PURL (name and version are taken from it for readability).
    pub fn from_purl(purl: &str) -> ComponentRef {
        let parsed = tekigo_sbom::Purl::parse(purl).ok();
        ComponentRef {
            purl: Some(purl.to_string()),
            name: parsed.as_ref().map(|p| p.name.clone()),
            version: parsed.and_then(|p| p.version),
        }
    }

    /// The reverse of [`ComponentRef::label`]: a PURL, else `NAME[@VERSION]` (the last `@`
    /// separates the version). `None` for an empty name or a PURL that does not parse.
    pub fn from_label(text: &str) -> Option<ComponentRef> {
        let text = text.trim();
        if text.starts_with("pkg:") {
            tekigo_sbom::Purl::parse(text).ok()?;
            return Some(ComponentRef::from_purl(text));
        }
        let (name, version) = match text.rsplit_once('@') {
            Some((n, v)) if !n.is_empty() && !v.is_empty() => (n, Some(v.to_string())),
            _ => (text, None),
        };
        (!name.is_empty()).then(|| ComponentRef {
            purl: None,
            name: Some(name.to_string()),
            version,
        })
    }

    /// How the component is shown to people: the PURL, else `name@version`, else `name`.
    pub fn label(&self) -> String {
        match (&self.purl, &self.name, &self.version) {
            (Some(p), _, _) => p.clone(),
            (None, Some(n), Some(v)) => format!("{n}@{v}"),
            (None, Some(n), None) => n.clone(),
            (None, None, _) => String::new(),
        }
    }
}

/// A component from an SBOM, referenced by its PURL text (as the document wrote it), name
/// and version.
impl From<&tekigo_sbom::Component> for ComponentRef {
    fn from(c: &tekigo_sbom::Component) -> ComponentRef {
        ComponentRef {
            purl: c.purl.as_ref().map(|p| p.original.clone()),
            name: Some(c.name.clone()),
            version: c.version.clone(),
        }
    }
}

/// One triage decision: a vulnerability in a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The advisory id the decision was made for (`CVE-2024-3651`, `GHSA-...`, `OSV-...`).
    pub vulnerability: String,
    /// Other ids of the same vulnerability; a lookup by any of them finds the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub component: ComponentRef,
    /// When true the record applies to every version of the component (the decision is
    /// about how the product uses it, not about one release), so it survives upgrades.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub any_version: bool,
    pub state: State,
    /// Why the component is not affected: required for `not_affected` unless `impact` says
    /// it in prose (OpenVEX and CSAF allow either; documents from elsewhere sometimes give
    /// only prose); not allowed for other states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    /// Prose on why the product is not affected (OpenVEX `impact_statement`, CSAF `impact`
    /// threat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// Required when `state` is `affected`: what users should do (OpenVEX
    /// `action_statement`, CSAF remediation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Free-form note for reviewers (OpenVEX `status_notes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who decided.
    pub author: String,
    /// When it was decided.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
}

impl Record {
    /// Checks the rules every format relies on: ids and author present, a component named,
    /// a justification exactly for `not_affected`, an action for `affected`.
    pub fn validate(&self) -> Result<(), VexError> {
        let bad = |field: &str, message: &str| Err(VexError::new("", message).at_field(field));
        if self.vulnerability.trim().is_empty() {
            return bad("vulnerability", "must not be empty");
        }
        if self.aliases.iter().any(|a| a.trim().is_empty()) {
            return bad("aliases", "must not contain empty ids");
        }
        if self.author.trim().is_empty() {
            return bad("author", "must not be empty");
        }
        let c = &self.component;
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&c.purl) && blank(&c.name) {
            return bad("component", "needs a purl or a name");
        }
        if let Some(p) = &c.purl {
            if let Err(e) = tekigo_sbom::Purl::parse(p) {
                return bad("component.purl", &e.to_string());
            }
        }
        match (self.state, self.justification) {
            (State::NotAffected, None) if blank(&self.impact) => return bad(
                "justification",
                "not_affected needs one of component_not_present, vulnerable_code_not_present, \
                     vulnerable_code_not_in_execute_path, \
                     vulnerable_code_cannot_be_controlled_by_adversary, \
                     inline_mitigations_already_exist (or, for imported documents, an impact \
                     statement)",
            ),
            (State::NotAffected, _) | (_, None) => {}
            (state, Some(_)) => {
                return bad(
                    "justification",
                    &format!(
                        "only not_affected takes a justification, the state is {}",
                        state.as_str()
                    ),
                )
            }
        }
        if self.state == State::Affected && blank(&self.action) {
            return bad(
                "action",
                "affected needs an action statement (what users should do)",
            );
        }
        Ok(())
    }
}

/// Document-level facts for an export: who publishes it, its id, and its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMeta {
    /// Document id: OpenVEX `@id` (an IRI; `urn:uuid:...` when in doubt) and CSAF
    /// `tracking.id`.
    pub id: String,
    /// The author or publishing organisation.
    pub author: String,
    /// CSAF `publisher.namespace`: a URL of the publisher (`https://example.com`).
    pub publisher_namespace: String,
    /// Document title (CSAF `document.title`).
    pub title: String,
    /// Issue time of this version.
    pub timestamp: OffsetDateTime,
    /// Document version, counting up from 1 with each published revision.
    pub version: u32,
}

impl DocumentMeta {
    /// A document id that depends only on `seed` (the product) and the records: exporting
    /// unchanged triage twice gives the same id, and any change gives a new one, so a
    /// consumer can tell revisions apart without tekigo keeping a counter.
    pub fn content_id(seed: &str, records: &[Record]) -> String {
        let mut bytes = seed.as_bytes().to_vec();
        bytes.push(0);
        // Serialising plain data to a Vec cannot fail; an empty tail still gives a valid id.
        bytes.extend(serde_json::to_vec(records).unwrap_or_default());
        format!(
            "urn:uuid:{}",
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &bytes)
        )
    }
}
