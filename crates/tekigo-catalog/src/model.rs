//! The vocabulary of IEC 62443 that every other tekigo crate speaks.
//!
//! These types are deserialized straight from the YAML files under `catalogs/`, so their
//! serde names are the data format. Renaming a variant is a breaking change of that format.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Display language. Japanese falls back to English wherever a Japanese text is missing,
/// so a half-translated custom catalog still reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "ja" | "jp" | "japanese" => Ok(Lang::Ja),
            _ => Err(format!("unknown language {s:?}: use en or ja")),
        }
    }
}

/// A text in English and Japanese.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(default)]
    pub en: String,
    #[serde(default)]
    pub ja: String,
}

impl Text {
    /// The text in `lang`, or the English one when that language is missing.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja if !self.ja.trim().is_empty() => &self.ja,
            _ => &self.en,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.en.trim().is_empty() && self.ja.trim().is_empty()
    }
}

/// One of the seven foundational requirements. Its number is its position in an SL vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Fr(u8);

impl Fr {
    pub const ALL: [Fr; 7] = [Fr(1), Fr(2), Fr(3), Fr(4), Fr(5), Fr(6), Fr(7)];
    const ABBR: [&'static str; 7] = ["IAC", "UC", "SI", "DC", "RDF", "TRE", "RA"];

    pub fn number(self) -> u8 {
        self.0
    }

    /// Zero-based position in an SL vector.
    pub fn index(self) -> usize {
        usize::from(self.0 - 1)
    }

    pub fn abbr(self) -> &'static str {
        Self::ABBR[self.index()]
    }

    /// The form the reference data and the check sheets use: `FR 1 IAC`.
    pub fn label(self) -> String {
        format!("FR {} {}", self.0, self.abbr())
    }
}

impl TryFrom<u8> for Fr {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        if (1..=7).contains(&n) {
            Ok(Fr(n))
        } else {
            Err(format!("FR number {n} is not between 1 and 7"))
        }
    }
}

impl From<Fr> for u8 {
    fn from(fr: Fr) -> u8 {
        fr.0
    }
}

impl FromStr for Fr {
    type Err = String;
    /// Accepts `1`, `FR1`, `FR 1`, `IAC`, `fr 1 iac`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_uppercase();
        let t = t.strip_prefix("FR").unwrap_or(&t).trim();
        if let Some(pos) = Self::ABBR.iter().position(|a| *a == t) {
            return Fr::try_from(pos as u8 + 1);
        }
        let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        let rest = t[digits.len()..].trim();
        let fr = digits
            .parse::<u8>()
            .map_err(|_| format!("unknown FR {s:?}: use 1-7 or IAC, UC, SI, DC, RDF, TRE, RA"))
            .and_then(Fr::try_from)?;
        if rest.is_empty() || rest == fr.abbr() {
            Ok(fr)
        } else {
            Err(format!("{s:?}: FR {} is {}, not {rest}", fr.0, fr.abbr()))
        }
    }
}

impl fmt::Display for Fr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FR {}", self.0)
    }
}

/// A security level 0-4.
pub type Level = u8;

/// The highest security level.
pub const MAX_LEVEL: Level = 4;

/// Seven levels in FR order (IAC, UC, SI, DC, RDF, TRE, RA): an SL-T, SL-C or SL-A vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SlVector(pub [Level; 7]);

impl SlVector {
    pub fn uniform(level: Level) -> Self {
        SlVector([level; 7])
    }

    pub fn get(&self, fr: Fr) -> Level {
        self.0[fr.index()]
    }
}

impl FromStr for SlVector {
    type Err = String;
    /// Accepts `2` (every FR at 2), `2,2,0,1,3,1,3`, or the notation of the standard,
    /// `{2 2 0 1 3 1 3}`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let inner = s.trim().trim_start_matches('{').trim_end_matches('}');
        let parts: Vec<&str> = inner
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .collect();
        let parse = |p: &str| -> Result<Level, String> {
            match p.parse::<Level>() {
                Ok(l) if l <= MAX_LEVEL => Ok(l),
                _ => Err(format!("{p:?} in {s:?} is not a security level 0-4")),
            }
        };
        match parts.len() {
            1 => Ok(SlVector::uniform(parse(parts[0])?)),
            7 => {
                let mut v = [0; 7];
                for (slot, p) in v.iter_mut().zip(&parts) {
                    *slot = parse(p)?;
                }
                Ok(SlVector(v))
            }
            n => Err(format!(
                "{s:?} has {n} levels: give one level for every FR, or seven in FR order \
                 (IAC,UC,SI,DC,RDF,TRE,RA)"
            )),
        }
    }
}

impl fmt::Display for SlVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.0;
        write!(
            f,
            "{{{} {} {} {} {} {} {}}}",
            v[0], v[1], v[2], v[3], v[4], v[5], v[6]
        )
    }
}

/// The four component types of IEC 62443-4-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComponentType {
    Software,
    Embedded,
    Host,
    Network,
}

impl ComponentType {
    pub const ALL: [ComponentType; 4] = [
        ComponentType::Software,
        ComponentType::Embedded,
        ComponentType::Host,
        ComponentType::Network,
    ];

    /// The prefix of this type's own requirements: SAR, EDR, HDR or NDR.
    pub fn code(self) -> &'static str {
        match self {
            ComponentType::Software => "SAR",
            ComponentType::Embedded => "EDR",
            ComponentType::Host => "HDR",
            ComponentType::Network => "NDR",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ComponentType::Software => "software",
            ComponentType::Embedded => "embedded",
            ComponentType::Host => "host",
            ComponentType::Network => "network",
        }
    }
}

impl FromStr for ComponentType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        ComponentType::ALL
            .into_iter()
            .find(|c| c.name() == t || c.code().eq_ignore_ascii_case(&t))
            .or(match t.as_str() {
                "software-application" | "application" => Some(ComponentType::Software),
                "embedded-device" => Some(ComponentType::Embedded),
                "host-device" => Some(ComponentType::Host),
                "network-device" => Some(ComponentType::Network),
                _ => None,
            })
            .ok_or_else(|| {
                format!("unknown component type {s:?}: use embedded, network, host or software")
            })
    }
}

impl fmt::Display for ComponentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Product lifecycle phases of the IoT security guidebook (企画 設計 開発 製造 販売 設置 運用 廃棄).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Planning,
    Design,
    Development,
    Manufacturing,
    Sales,
    Installation,
    Operation,
    Disposal,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Planning => "planning",
            Phase::Design => "design",
            Phase::Development => "development",
            Phase::Manufacturing => "manufacturing",
            Phase::Sales => "sales",
            Phase::Installation => "installation",
            Phase::Operation => "operation",
            Phase::Disposal => "disposal",
        }
    }
}

/// How much the security-level data of an item can be trusted (see catalogs/sources/README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// What kind of node an item is. The names are those of the standards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemKind {
    /// 4-2 component requirement.
    #[serde(rename = "CR")]
    Cr,
    /// Requirement enhancement (4-2 and 3-3).
    #[serde(rename = "RE")]
    Re,
    /// 4-2 software application requirement.
    #[serde(rename = "SAR")]
    Sar,
    /// 4-2 embedded device requirement.
    #[serde(rename = "EDR")]
    Edr,
    /// 4-2 host device requirement.
    #[serde(rename = "HDR")]
    Hdr,
    /// 4-2 network device requirement.
    #[serde(rename = "NDR")]
    Ndr,
    /// 3-3 system requirement.
    #[serde(rename = "SR")]
    Sr,
    /// 4-2 common component security constraint (CCSC 1-4): a condition every claimed
    /// capability level rests on, not a requirement answered per FR, so it has no FR and no
    /// level and never appears in a checklist.
    #[serde(rename = "CCSC")]
    Ccsc,
    /// 4-1 practice.
    #[serde(rename = "practice")]
    Practice,
    /// 2-1 security program element group.
    #[serde(rename = "SPE")]
    Spe,
    /// 2-1 element within an SPE.
    #[serde(rename = "element")]
    Element,
    /// 3-2 zone and conduit requirement step.
    #[serde(rename = "step")]
    Step,
    /// A requirement of 4-1, 2-1, 3-2 or an outside framework.
    #[serde(rename = "requirement")]
    Requirement,
    /// A family of an outside framework (SP 800-171).
    #[serde(rename = "family")]
    Family,
    /// A NIST CSF subcategory.
    #[serde(rename = "subcategory")]
    Subcategory,
}

impl ItemKind {
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Cr => "CR",
            ItemKind::Re => "RE",
            ItemKind::Sar => "SAR",
            ItemKind::Edr => "EDR",
            ItemKind::Hdr => "HDR",
            ItemKind::Ndr => "NDR",
            ItemKind::Sr => "SR",
            ItemKind::Ccsc => "CCSC",
            ItemKind::Practice => "practice",
            ItemKind::Spe => "SPE",
            ItemKind::Element => "element",
            ItemKind::Step => "step",
            ItemKind::Requirement => "requirement",
            ItemKind::Family => "family",
            ItemKind::Subcategory => "subcategory",
        }
    }

    /// The component type whose own requirements this kind holds.
    pub fn component_type(self) -> Option<ComponentType> {
        match self {
            ItemKind::Sar => Some(ComponentType::Software),
            ItemKind::Edr => Some(ComponentType::Embedded),
            ItemKind::Hdr => Some(ComponentType::Host),
            ItemKind::Ndr => Some(ComponentType::Network),
            _ => None,
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a standard measures an assessment: per-FR security levels (4-2, 3-3), maturity levels
/// (4-1, 2-1), or not at all (3-2 workflow steps, outside frameworks used only as mapping
/// targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LevelScheme {
    Security,
    Maturity,
    None,
}

/// One maturity level of 4-1 (also used by 2-1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaturityLevel {
    pub level: Level,
    pub name: Text,
    #[serde(default)]
    pub summary: Text,
}

/// A standard (or an outside framework) and what it is measured by.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardInfo {
    /// `62443-4-2`, `62443-3-3`, ..., `csf-1.1`, `sp800-171r2`.
    pub id: String,
    pub title: Text,
    pub edition: String,
    pub levels: LevelScheme,
    /// A regime beside 62443 (EU CRA, ETSI EN 303 645, SSDF, ...) whose requirements an
    /// assessment can be seen through (`assess show --regime`). Its items must each say
    /// where they come from and how sure we are, in both languages: validation enforces it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub regime: bool,
    /// Date of the version catalogued (YYYY-MM-DD or YYYY-MM), for `regime list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The publication the ids and titles were taken from, with where to get it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What the publisher allows: whether its text may be reproduced (EU, UK, NIST) or
    /// only ids, titles and our own summaries (ETSI, IPA, CSA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// The publisher allows its text to be reproduced with the source named (EU and UK
    /// legislation, US government works), so summaries may quote it; everywhere else they
    /// are our own words.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub text_reusable: bool,
}

/// One node of a catalog: a requirement, an enhancement, or a grouping heading.
///
/// Which fields are set depends on the standard; validation (see `validate.rs`) enforces the
/// combinations. `min_sl` is the lowest capability level at which the item is required;
/// levels are cumulative, so it also applies at every level above.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub kind: ItemKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fr: Option<Fr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub title: Text,
    #[serde(default)]
    pub summary: Text,
    #[serde(default)]
    pub phases: Vec<Phase>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sl: Option<Level>,
    /// Levels below `min_sl` at which some sources say the item already applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disputed_levels: Vec<Level>,
    /// Set on the SAR/EDR/HDR/NDR rows of 4-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_type: Option<ComponentType>,
    /// A 4-2 CR heading whose requirements are stated per component type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub defers_to: Vec<String>,
    /// A 4-2 CR heading with no requirement at component level (CR 2.3, 5.4, 7.5).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_component_requirement: bool,
    /// 4-1 practice code (SM, SR, SD, SI, SVV, DM, SUM, SG).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practice: Option<String>,
    /// Clause number in the standard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Where the facts of this item come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Whether a regime demands the item or recommends it (ETSI EN 303 645's M, R, M C, R C).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obligation: Option<Obligation>,
    /// Items of other regimes this one consists of (a Singapore CLS level is a set of
    /// EN 303 645 provisions): it rests on their mappings as well as its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
    /// Why no 62443 item, or only part of one, covers this regime item (seed 003's 差異):
    /// what still has to be assessed directly.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub coverage_note: Text,
}

/// How binding a regime item is. The conditional forms apply only where the condition the
/// regime states holds (the product has a user interface, takes updates, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Obligation {
    Mandatory,
    Recommended,
    MandatoryConditional,
    RecommendedConditional,
}

impl Obligation {
    pub fn as_str(self) -> &'static str {
        match self {
            Obligation::Mandatory => "mandatory",
            Obligation::Recommended => "recommended",
            Obligation::MandatoryConditional => "mandatory-conditional",
            Obligation::RecommendedConditional => "recommended-conditional",
        }
    }
}

impl Item {
    /// True for rows that carry a requirement at some level, as opposed to headings.
    pub fn is_requirement(&self) -> bool {
        self.min_sl.is_some()
            || matches!(self.kind, ItemKind::Requirement)
                && self.defers_to.is_empty()
                && !self.no_component_requirement
    }

    /// Whether this row binds a component of type `ty` (rows of other types do not).
    pub fn binds(&self, ty: ComponentType) -> bool {
        self.component_type.is_none_or(|t| t == ty)
    }
}

/// How two mapped requirements relate, read from the `from` side (the vocabulary of
/// OSCAL and CISO Assistant mappings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relationship {
    Equal,
    /// The `from` item covers less than the target.
    Subset,
    /// The `from` item covers more than the target.
    Superset,
    Intersect,
    /// NIST's informative reference (CSF): NIST lists the item as related material for the
    /// target; it claims neither equivalence nor coverage.
    Informative,
}

/// One cross-reference. `reviewed` stays false until someone holding both texts checked it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub from: String,
    pub to: String,
    pub relationship: Relationship,
    pub reviewed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why the two items relate as stated, in both languages (regime mappings need one).
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub rationale: Text,
    /// How sure the mapping is: high when a published crosswalk states it, medium for our
    /// own reading of two public texts, low where one side's text is not at hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
}

/// A file of mappings from one standard to another.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSet {
    pub from: String,
    pub to: String,
    pub source: String,
    pub mappings: Vec<Mapping>,
}

/// A named thing with a bilingual name, as listed in `common.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named<K> {
    #[serde(alias = "number", alias = "level")]
    pub id: K,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abbr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Text,
    #[serde(default)]
    pub summary: Text,
}

/// The Japanese terms every catalog, label file and report uses (`catalogs/glossary.yaml`):
/// one translation per English term, so that a reader never meets one concept under two
/// names (補償対策 in the report, 代替対策 on the web page).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Glossary {
    pub terms: Vec<Term>,
}

/// One English term, its Japanese translation, and the spellings it replaces.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub en: String,
    pub ja: String,
    #[serde(default)]
    pub avoid: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Glossary {
    /// Every avoided spelling in `text`, with the term it should be: (found, term).
    pub fn misuses<'a>(&'a self, text: &str) -> Vec<(&'a str, &'a Term)> {
        self.terms
            .iter()
            .flat_map(|t| t.avoid.iter().map(move |a| (a.as_str(), t)))
            .filter(|(a, _)| text.contains(a))
            .collect()
    }
}

/// The facts shared by every 62443 catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Common {
    pub foundational_requirements: Vec<Named<Fr>>,
    pub security_levels: Vec<Named<Level>>,
    pub security_level_types: Vec<Named<String>>,
    pub component_types: Vec<Named<ComponentType>>,
    pub lifecycle_phases: Vec<Named<Phase>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sl_vector_forms() {
        assert_eq!("2".parse::<SlVector>().unwrap(), SlVector::uniform(2));
        let v: SlVector = "2,2,0,1,3,1,3".parse().unwrap();
        assert_eq!(v.0, [2, 2, 0, 1, 3, 1, 3]);
        assert_eq!("{2 2 0 1 3 1 3}".parse::<SlVector>().unwrap(), v);
        assert_eq!(v.to_string(), "{2 2 0 1 3 1 3}");
        assert!("5".parse::<SlVector>().is_err());
        assert!("1,2".parse::<SlVector>().is_err());
        assert!("1,2,3,4,1,2,x".parse::<SlVector>().is_err());
    }

    #[test]
    fn fr_forms() {
        for s in ["3", "FR3", "FR 3", "SI", "fr 3 si", "FR 3 SI"] {
            assert_eq!(s.parse::<Fr>().unwrap().number(), 3, "{s}");
        }
        assert!("FR 3 IAC".parse::<Fr>().is_err());
        assert!("8".parse::<Fr>().is_err());
        assert!("XX".parse::<Fr>().is_err());
        assert_eq!(Fr::try_from(6).unwrap().label(), "FR 6 TRE");
    }

    #[test]
    fn component_type_aliases() {
        assert_eq!(
            "EDR".parse::<ComponentType>().unwrap(),
            ComponentType::Embedded
        );
        assert_eq!(
            "network".parse::<ComponentType>().unwrap(),
            ComponentType::Network
        );
        assert!("plc".parse::<ComponentType>().is_err());
    }

    #[test]
    fn japanese_falls_back_to_english() {
        let t = Text {
            en: "Timestamps".into(),
            ja: String::new(),
        };
        assert_eq!(t.get(Lang::Ja), "Timestamps");
        let t = Text {
            en: "Timestamps".into(),
            ja: "タイムスタンプ".into(),
        };
        assert_eq!(t.get(Lang::Ja), "タイムスタンプ");
    }
}
