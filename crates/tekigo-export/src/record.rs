use serde::Serialize;
use tekigo_catalog::licensed::LicensedText;
use tekigo_catalog::{Confidence, Item, Lang, Level, Standard};

/// One catalog item flattened for output, with texts already in the chosen language.
///
/// This is the JSON shape of `catalog list`, `catalog show` and `checklist`; scripts depend
/// on it, so fields are only ever added.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRecord {
    pub id: String,
    pub standard: String,
    pub kind: String,
    /// `FR 1 IAC`, as the reference data and the check sheets write it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub title: String,
    pub title_en: String,
    pub title_ja: String,
    pub summary: String,
    /// Lowest security level at which the item is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_sl: Option<Level>,
    /// Levels below `min_sl` at which some sources say it already applies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disputed_levels: Vec<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub defers_to: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_component_requirement: bool,
    pub phases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence_note: Option<String>,
    /// The user's imported licensed text in the chosen language, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl ItemRecord {
    pub fn new(
        std: &Standard,
        item: &Item,
        lang: Lang,
        licensed: Option<&LicensedText>,
    ) -> ItemRecord {
        ItemRecord {
            id: item.id.clone(),
            standard: std.info.id.clone(),
            kind: item.kind.name().to_string(),
            fr: item.fr.map(|f| f.label()),
            parent: item.parent.clone(),
            title: item.title.get(lang).to_string(),
            title_en: item.title.en.clone(),
            title_ja: item.title.ja.clone(),
            summary: item.summary.get(lang).to_string(),
            min_sl: item.min_sl,
            disputed_levels: item.disputed_levels.clone(),
            component_type: item.component_type.map(|t| t.name().to_string()),
            defers_to: item.defers_to.clone(),
            no_component_requirement: item.no_component_requirement,
            phases: item.phases.iter().map(|p| p.name().to_string()).collect(),
            confidence: item.confidence,
            confidence_note: item.confidence_note.clone(),
            text: licensed
                .and_then(|l| l.get(&item.id))
                .map(|t| t.get(lang).to_string())
                .filter(|t| !t.is_empty()),
        }
    }

    pub(crate) const CSV_HEADER: [&'static str; 15] = [
        "id",
        "standard",
        "kind",
        "fr",
        "parent",
        "title",
        "title_en",
        "title_ja",
        "summary",
        "min_sl",
        "disputed_levels",
        "component_type",
        "defers_to",
        "phases",
        "confidence",
    ];

    pub(crate) fn csv_row(&self) -> [String; 15] {
        let join = |v: &[String]| v.join("; ");
        [
            self.id.clone(),
            self.standard.clone(),
            self.kind.clone(),
            self.fr.clone().unwrap_or_default(),
            self.parent.clone().unwrap_or_default(),
            self.title.clone(),
            self.title_en.clone(),
            self.title_ja.clone(),
            self.summary.clone(),
            self.min_sl.map(|l| l.to_string()).unwrap_or_default(),
            self.disputed_levels
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("; "),
            self.component_type.clone().unwrap_or_default(),
            join(&self.defers_to),
            join(&self.phases),
            self.confidence_label(),
        ]
    }

    /// `high`, `medium`, `low` (with the note), or empty.
    pub fn confidence_label(&self) -> String {
        let level = match self.confidence {
            Some(Confidence::High) => "high",
            Some(Confidence::Medium) => "medium",
            Some(Confidence::Low) => "low",
            None => return String::new(),
        };
        match &self.confidence_note {
            Some(note) => format!("{level} ({note})"),
            None => level.to_string(),
        }
    }
}
