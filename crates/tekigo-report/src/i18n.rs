//! The report's own words, from `i18n/labels.yaml`.
//!
//! A key that the code asks for and the file lacks does not silently print the key: the
//! lookup remembers it and [`Labels::finish`] turns it into an error, so a forgotten label
//! fails the tests instead of reaching a customer's report.

use crate::ReportError;
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tekigo_catalog::Lang;

const FILE: &str = "i18n/labels.yaml";
const SOURCE: &str = include_str!("../i18n/labels.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    en: String,
    ja: String,
}

type Table = BTreeMap<String, String>;

/// Both languages' tables, parsed once per process.
fn tables() -> Result<&'static (Table, Table), ReportError> {
    static TABLES: OnceLock<Result<(Table, Table), String>> = OnceLock::new();
    TABLES
        .get_or_init(|| parse(SOURCE))
        .as_ref()
        .map_err(|message| ReportError::Template {
            name: FILE.into(),
            message: message.clone(),
        })
}

fn parse(text: &str) -> Result<(Table, Table), String> {
    let entries: BTreeMap<String, Entry> =
        serde_norway::from_str(text).map_err(|e| e.to_string())?;
    let mut missing = Vec::new();
    let (mut en, mut ja) = (Table::new(), Table::new());
    for (key, entry) in entries {
        if entry.en.trim().is_empty() || entry.ja.trim().is_empty() {
            missing.push(key.clone());
        }
        en.insert(key.clone(), entry.en);
        ja.insert(key, entry.ja);
    }
    if missing.is_empty() {
        Ok((en, ja))
    } else {
        Err(format!(
            "keys without both en and ja: {}",
            missing.join(", ")
        ))
    }
}

/// The labels of one language, with a record of the keys asked for and not found.
pub(crate) struct Labels {
    table: &'static Table,
    missing: RefCell<Vec<String>>,
}

impl Labels {
    pub(crate) fn new(lang: Lang) -> Result<Labels, ReportError> {
        let (en, ja) = tables()?;
        Ok(Labels {
            table: match lang {
                Lang::En => en,
                Lang::Ja => ja,
            },
            missing: RefCell::new(Vec::new()),
        })
    }

    pub(crate) fn get(&self, key: &str) -> String {
        match self.table.get(key) {
            Some(text) => text.clone(),
            None => {
                self.missing.borrow_mut().push(key.to_string());
                key.to_string()
            }
        }
    }

    /// The whole table, for templates that print labels themselves.
    pub(crate) fn all(&self) -> &'static Table {
        self.table
    }

    /// `Err` naming every key that was asked for and is not in the file.
    pub(crate) fn finish(&self) -> Result<(), ReportError> {
        let missing = self.missing.borrow();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ReportError::Template {
                name: FILE.into(),
                message: format!("no label for {}", missing.join(", ")),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_labels_have_both_languages() {
        let (en, ja) = parse(SOURCE).unwrap();
        assert_eq!(en.len(), ja.len());
        assert!(en.len() > 50);
        assert_eq!(ja["status.satisfied"], "充足");
    }

    #[test]
    fn a_label_without_japanese_is_refused() {
        let err = parse("a: {en: \"A\", ja: \"\"}\nb: {en: B, ja: ビー}\n").unwrap_err();
        assert!(err.contains("keys without both en and ja: a"), "{err}");
        assert!(parse("a: {en: A}\n").is_err());
    }

    #[test]
    fn an_unknown_key_is_an_error_not_a_silent_key() {
        let labels = Labels::new(Lang::En).unwrap();
        assert_eq!(labels.get("cover.product"), "Product");
        assert!(labels.finish().is_ok());
        assert_eq!(labels.get("no.such.key"), "no.such.key");
        let err = labels.finish().unwrap_err().to_string();
        assert!(err.contains("no label for no.such.key"), "{err}");
    }
}
