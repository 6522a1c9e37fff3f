//! The crate's own words, from `data/rules.yaml` (rule titles and violation messages) and
//! `data/labels.yaml` (everything the tables, the drawing and the report print).
//!
//! Both files are compiled in and parsed once. A message or label the code asks for and the
//! files lack is an error, never a silently printed key, so a forgotten text fails the tests
//! instead of reaching a reader.

use crate::RiskError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tekigo_catalog::{Lang, Text};

const RULES_FILE: &str = "data/rules.yaml";
const RULES: &str = include_str!("../data/rules.yaml");
const LABELS_FILE: &str = "data/labels.yaml";
const LABELS: &str = include_str!("../data/labels.yaml");

/// A rule of `tekigo risk check`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rule {
    /// The 62443-3-2 requirement the rule stands for, when there is one.
    pub zcr: Option<String>,
    pub title: Text,
    /// Message templates by variant; `{name}` is replaced by the value of `name`.
    pub messages: BTreeMap<String, Text>,
}

fn data_error(name: &str, message: impl ToString) -> RiskError {
    RiskError::Data {
        name: name.into(),
        message: message.to_string(),
    }
}

pub(crate) fn rules() -> Result<&'static BTreeMap<String, Rule>, RiskError> {
    static PARSED: OnceLock<Result<BTreeMap<String, Rule>, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| serde_norway::from_str(RULES).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| data_error(RULES_FILE, e))
}

/// The labels in one language, checked complete (both languages, no blank text).
pub(crate) fn labels(lang: Lang) -> Result<&'static BTreeMap<String, String>, RiskError> {
    type Tables = (BTreeMap<String, String>, BTreeMap<String, String>);
    static PARSED: OnceLock<Result<Tables, String>> = OnceLock::new();
    let (en, ja) = PARSED
        .get_or_init(|| {
            let all: BTreeMap<String, Text> =
                serde_norway::from_str(LABELS).map_err(|e| e.to_string())?;
            let blank: Vec<&String> = all
                .iter()
                .filter(|(_, t)| t.en.trim().is_empty() || t.ja.trim().is_empty())
                .map(|(k, _)| k)
                .collect();
            if !blank.is_empty() {
                return Err(format!("labels without both en and ja: {blank:?}"));
            }
            let pick = |f: fn(&Text) -> &String| {
                all.iter().map(|(k, t)| (k.clone(), f(t).clone())).collect()
            };
            Ok((pick(|t| &t.en), pick(|t| &t.ja)))
        })
        .as_ref()
        .map_err(|e| data_error(LABELS_FILE, e))?;
    Ok(match lang {
        Lang::En => en,
        Lang::Ja => ja,
    })
}

/// One label, or an error naming the missing key.
pub(crate) fn label(lang: Lang, key: &str) -> Result<&'static str, RiskError> {
    labels(lang)?
        .get(key)
        .map(String::as_str)
        .ok_or_else(|| data_error(LABELS_FILE, format!("no label {key:?}")))
}

/// A violation message of `rule`, variant `variant`, in both languages.
pub(crate) fn message(rule: &str, variant: &str, args: &[(&str, &str)]) -> Result<Text, RiskError> {
    let template = rules()?
        .get(rule)
        .and_then(|r| r.messages.get(variant))
        .ok_or_else(|| data_error(RULES_FILE, format!("no message {rule}/{variant}")))?;
    Ok(Text {
        en: fill(&template.en, args),
        ja: fill(&template.ja, args),
    })
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(template.to_string(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}
