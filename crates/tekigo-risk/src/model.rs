//! The zone and conduit model as it is written in `risk/system.yaml`.
//!
//! One file holds the whole 62443-3-2 record of a system under consideration (SUC), because
//! the parts refer to each other by id and a reader (or a reviewer reading a git diff) wants
//! to see them together:
//!
//! ```yaml
//! format: 1
//! system: {name, boundary, description}              # ZCR 1
//! matrix:                                            # the organisation's risk matrix
//!   likelihood: [{id, label: {en, ja}}, ...]         # lowest first
//!   consequence: [{id, label}, ...]                  # lowest first
//!   risk: [{id, label}, ...]                         # lowest first
//!   cells: {LIKELIHOOD: [RISK per consequence]}
//!   tolerable: RISK                                  # the highest tolerable risk
//! derivation:                                        # how risk becomes SL-T (ZCR 5.6)
//!   rows: [{risk: RISK, sl: 0-4}, ...]               # one row per risk level
//!   threat_types: [{id, name, frs: {IAC: 0, SI: -1}}]  # FRs a threat type bears on, offset
//!   conduits_inherit: none | max-of-zones
//! assets: [{id, name, type, criticality, safety, business, wireless, external, temporary, component}]
//! zones: [{id, name, level, safety, assets, sl_t_override: {sl_t, justification}}]
//! conduits: [{id, name, zones, channels: [{protocol, port, from, to, bidirectional, wireless}]}]
//! flows: [{id, from: ASSET, to: ASSET, protocol, port, conduit}]
//! threats: [{id, title, type: THREAT_TYPE, actor, vector}]
//! risks: [{id, threat, target: ZONE|CONDUIT, initial: {likelihood, consequence},
//!          countermeasures, residual: {likelihood, consequence}, accepted: {by, reason}}]
//! steps: {"ZCR 1": {state: not-started|in-progress|done, notes}}
//! ```
//!
//! Texts a person writes (names, descriptions, titles) are either one string or `{en, ja}`,
//! so a bilingual team can keep both languages in the file and the report picks one.
//!
//! Loading refuses what cannot be read (unknown fields, wrong types) and a risk matrix or
//! derivation rule that does not add up, with the file and line. References between the
//! parts (an asset in a zone, a threat of a risk) are *not* load errors: they are rule
//! violations reported by [`crate::check`], all at once, so a half-finished model can still
//! be drawn and discussed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tekigo_catalog::{Fr, Lang, Level, Text};

/// Format version of `risk/system.yaml`.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskModel {
    pub format: u32,
    pub system: System,
    pub matrix: RiskMatrix,
    pub derivation: DerivationRule,
    #[serde(default)]
    pub assets: Vec<Asset>,
    #[serde(default)]
    pub zones: Vec<Zone>,
    #[serde(default)]
    pub conduits: Vec<Conduit>,
    #[serde(default)]
    pub flows: Vec<Flow>,
    #[serde(default)]
    pub threats: Vec<Threat>,
    #[serde(default)]
    pub risks: Vec<RiskEntry>,
    /// Progress of the 62443-3-2 workflow, keyed by catalog step id (`ZCR 1` .. `ZCR 7`).
    /// Steps not listed have not started.
    #[serde(default)]
    pub steps: BTreeMap<String, StepState>,
}

/// Words a person wrote: one string for every language, or English and Japanese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Words {
    One(String),
    Two(Text),
}

impl Words {
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            Words::One(s) => s,
            Words::Two(t) => t.get(lang),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Words::One(s) => s.trim().is_empty(),
            Words::Two(t) => t.is_empty(),
        }
    }
}

impl Default for Words {
    fn default() -> Self {
        Words::One(String::new())
    }
}

/// The system under consideration (ZCR 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub name: Words,
    /// Where the SUC ends and what crosses that line (ZCR 1.1).
    pub boundary: Words,
    #[serde(default)]
    pub description: Words,
}

/// One step of a likelihood, consequence or risk scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub id: String,
    pub label: Text,
}

/// The organisation's risk matrix: likelihood × consequence gives a risk level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskMatrix {
    /// Lowest first.
    pub likelihood: Vec<Grade>,
    /// Lowest first.
    pub consequence: Vec<Grade>,
    /// Risk levels, lowest first; their order decides what "above tolerable" means.
    pub risk: Vec<Grade>,
    /// For each likelihood id, the risk level id of each consequence, in consequence order.
    pub cells: BTreeMap<String, Vec<String>>,
    /// The highest risk level the asset owner tolerates (ZCR 4.1, 5.7, 5.11).
    pub tolerable: String,
}

impl RiskMatrix {
    /// The risk level of a likelihood and a consequence, when both are on the scales.
    pub fn cell(&self, likelihood: &str, consequence: &str) -> Option<&str> {
        let c = self.consequence.iter().position(|g| g.id == consequence)?;
        self.cells.get(likelihood)?.get(c).map(String::as_str)
    }

    /// Position of a risk level on its scale (0 = lowest).
    pub fn rank(&self, risk: &str) -> Option<usize> {
        self.risk.iter().position(|g| g.id == risk)
    }

    pub fn risk_label(&self, risk: &str) -> Option<&Text> {
        self.risk.iter().find(|g| g.id == risk).map(|g| &g.label)
    }

    /// Whether a risk level is at or below the tolerable one.
    pub fn is_tolerable(&self, risk: &str) -> bool {
        matches!((self.rank(risk), self.rank(&self.tolerable)), (Some(r), Some(t)) if r <= t)
    }
}

/// How the unmitigated risk of a threat becomes security levels (ZCR 5.6). See
/// [`crate::derive`] for the procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivationRule {
    /// The organisation's reasoning, printed above the rule table in the report.
    #[serde(default)]
    pub description: Words,
    /// One row per risk level: the SL a threat of that unmitigated risk calls for.
    pub rows: Vec<SlRow>,
    pub threat_types: Vec<ThreatType>,
    #[serde(default)]
    pub conduits_inherit: ConduitInherit,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlRow {
    pub risk: String,
    pub sl: Level,
}

/// A kind of threat and the FRs it bears on. `frs` maps an FR (`IAC`, `FR 1`, `1`) to an
/// offset added to the row's SL: `0` takes the row's level, `-1` one level less; FRs not
/// listed get nothing from threats of this type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatType {
    pub id: String,
    pub name: Text,
    pub frs: BTreeMap<String, i8>,
}

impl ThreatType {
    /// The offset per FR in vector order; `None` where the type does not bear on the FR.
    /// Keys were checked at load time.
    pub fn offsets(&self) -> [Option<i8>; 7] {
        let mut out = [None; 7];
        for (key, offset) in &self.frs {
            if let Ok(fr) = key.parse::<Fr>() {
                out[fr.index()] = Some(*offset);
            }
        }
        out
    }
}

/// Whether a conduit's SL-T is raised to the highest SL-T of the zones it joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConduitInherit {
    /// A conduit's SL-T comes from the threats to the conduit only.
    #[default]
    None,
    /// Per FR, at least the highest SL-T among the zones it joins.
    MaxOfZones,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    Low,
    Medium,
    High,
    Critical,
}

impl Criticality {
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Low => "low",
            Criticality::Medium => "medium",
            Criticality::High => "high",
            Criticality::Critical => "critical",
        }
    }
}

/// Something in the SUC: a device, an application, a network element, or a party outside
/// the SUC that connects to it (`external`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    pub id: String,
    pub name: Words,
    /// Free text: PLC, RTU, HMI, historian, firewall, engineering workstation, ...
    #[serde(rename = "type")]
    pub asset_type: String,
    pub criticality: Criticality,
    /// Part of a safety function (SIS): kept in safety zones only (ZCR 3.3).
    #[serde(default)]
    pub safety: bool,
    /// Enterprise IT rather than IACS (ZCR 3.2).
    #[serde(default)]
    pub business: bool,
    /// Connected temporarily (maintenance laptop, USB media) (ZCR 3.4).
    #[serde(default)]
    pub temporary: bool,
    /// Talks over radio (ZCR 3.5).
    #[serde(default)]
    pub wireless: bool,
    /// Outside the SUC, reaching it over an external network (ZCR 3.6).
    #[serde(default)]
    pub external: bool,
    /// The component in `tekigo.yaml` this asset is, so its 4-2 assessment counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    #[serde(default)]
    pub description: Words,
}

/// An SL-T set by a person instead of the derivation, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlOverride {
    pub sl_t: [Level; 7],
    pub justification: Words,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub id: String,
    pub name: Words,
    #[serde(default)]
    pub description: Words,
    /// Purdue level (0 field .. 5 enterprise); the drawing puts higher levels on top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// A zone for safety-related assets (ZCR 3.3).
    #[serde(default)]
    pub safety: bool,
    #[serde(default)]
    pub assets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl_t_override: Option<SlOverride>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conduit {
    pub id: String,
    pub name: Words,
    #[serde(default)]
    pub description: Words,
    /// The zones the conduit joins (at least two distinct ones).
    pub zones: Vec<String>,
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl_t_override: Option<SlOverride>,
}

/// One kind of traffic a conduit carries. Without `from`/`to` it may go between any of the
/// conduit's zones; with them, only from `from` to `to` (and back when `bidirectional`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default)]
    pub bidirectional: bool,
    /// Carried over radio (ZCR 3.5).
    #[serde(default)]
    pub wireless: bool,
}

impl Channel {
    /// Whether traffic of `protocol` from zone `from` to zone `to` may use this channel.
    pub fn permits(&self, protocol: &str, port: Option<u16>, from: &str, to: &str) -> bool {
        if !self.protocol.eq_ignore_ascii_case(protocol) {
            return false;
        }
        if let (Some(a), Some(b)) = (self.port, port) {
            if a != b {
                return false;
            }
        }
        match (&self.from, &self.to) {
            (Some(f), Some(t)) => {
                (f == from && t == to) || (self.bidirectional && f == to && t == from)
            }
            (Some(f), None) => f == from || (self.bidirectional && f == to),
            (None, Some(t)) => t == to || (self.bidirectional && t == from),
            (None, None) => true,
        }
    }
}

/// Communication between two assets, from the side that opens it to the side that answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: String,
    pub from: String,
    pub to: String,
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The conduit this flow is meant to use; when absent, any conduit joining the zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conduit: Option<String>,
    #[serde(default)]
    pub description: Words,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    pub id: String,
    pub title: Words,
    /// A threat type of `derivation.threat_types`.
    #[serde(rename = "type")]
    pub threat_type: String,
    /// Who (insider, criminal group, vendor technician, nation state, ...).
    #[serde(default)]
    pub actor: Words,
    /// How (phishing, stolen VPN credentials, radio jamming, ...).
    #[serde(default)]
    pub vector: Words,
    #[serde(default)]
    pub description: Words,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub likelihood: String,
    pub consequence: String,
}

/// The asset owner's decision to accept a residual risk above the tolerable level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub by: String,
    pub reason: Words,
}

/// One line of the risk register: a threat against a zone or conduit, rated before and
/// after countermeasures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskEntry {
    pub id: String,
    pub threat: String,
    /// A zone or conduit id.
    pub target: String,
    /// Unmitigated: without security countermeasures (ZCR 5.4, 5.5). Drives SL-T.
    pub initial: Rating,
    #[serde(default)]
    pub countermeasures: Vec<Words>,
    /// With the countermeasures (ZCR 5.9, 5.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual: Option<Rating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Acceptance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    #[default]
    NotStarted,
    InProgress,
    Done,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::NotStarted => "not-started",
            StepStatus::InProgress => "in-progress",
            StepStatus::Done => "done",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepState {
    pub state: StepStatus,
    #[serde(default)]
    pub notes: Words,
}

impl RiskModel {
    pub fn asset(&self, id: &str) -> Option<&Asset> {
        self.assets.iter().find(|a| a.id == id)
    }

    pub fn zone(&self, id: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == id)
    }

    pub fn conduit(&self, id: &str) -> Option<&Conduit> {
        self.conduits.iter().find(|c| c.id == id)
    }

    pub fn threat(&self, id: &str) -> Option<&Threat> {
        self.threats.iter().find(|t| t.id == id)
    }

    pub fn threat_type(&self, id: &str) -> Option<&ThreatType> {
        self.derivation.threat_types.iter().find(|t| t.id == id)
    }

    /// The zones holding an asset (exactly one in a consistent model).
    pub fn zones_of(&self, asset: &str) -> Vec<&Zone> {
        self.zones
            .iter()
            .filter(|z| z.assets.iter().any(|a| a == asset))
            .collect()
    }
}
