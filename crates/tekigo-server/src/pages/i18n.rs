//! The pages' words, from `i18n/labels.yaml`: every key has an English and a Japanese text.
//! The file is parsed once; a broken file makes every page answer an internal error that
//! names the file and the problem (and the unit tests fail first).

use crate::error::AppError;
use minijinja::Value;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tekigo_catalog::Lang;

const FILE: &str = "crates/tekigo-server/i18n/labels.yaml";
const SOURCE: &str = include_str!("../../i18n/labels.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    en: String,
    ja: String,
}

/// Both languages as template values (cheap to clone: shared maps).
struct Tables {
    en: Value,
    ja: Value,
    #[cfg(test)]
    keys: Vec<String>,
}

fn parse(text: &str) -> Result<Tables, String> {
    let entries: BTreeMap<String, Entry> =
        serde_norway::from_str(text).map_err(|e| format!("{FILE}: {e}"))?;
    let empty: Vec<&str> = entries
        .iter()
        .filter(|(_, e)| e.en.trim().is_empty() || e.ja.trim().is_empty())
        .map(|(k, _)| k.as_str())
        .collect();
    if !empty.is_empty() {
        return Err(format!(
            "{FILE}: keys without both en and ja: {}",
            empty.join(", ")
        ));
    }
    let table = |pick: fn(&Entry) -> &str| {
        Value::from(
            entries
                .iter()
                .map(|(k, e)| (k.clone(), pick(e).to_string()))
                .collect::<BTreeMap<String, String>>(),
        )
    };
    Ok(Tables {
        en: table(|e| &e.en),
        ja: table(|e| &e.ja),
        #[cfg(test)]
        keys: entries.keys().cloned().collect(),
    })
}

fn tables() -> Result<&'static Tables, AppError> {
    static TABLES: OnceLock<Result<Tables, String>> = OnceLock::new();
    TABLES
        .get_or_init(|| parse(SOURCE))
        .as_ref()
        .map_err(|e| AppError::Internal(e.clone()))
}

/// The words of one language, for templates as `t`.
pub fn table(lang: Lang) -> Result<Value, AppError> {
    let t = tables()?;
    Ok(match lang {
        Lang::En => t.en.clone(),
        Lang::Ja => t.ja.clone(),
    })
}

/// One word, for text that Rust code writes (chart legends).
pub fn text(lang: Lang, key: &str) -> Result<String, AppError> {
    let value = table(lang)?.get_attr(key).unwrap_or_default();
    if value.is_undefined() {
        return Err(AppError::Internal(format!("{FILE}: no label {key:?}")));
    }
    Ok(value.to_string())
}

#[cfg(test)]
pub fn keys() -> Vec<String> {
    tables()
        .map(|t| t.keys.clone())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labels_file_has_both_languages_for_every_key() {
        let t = tables().unwrap();
        assert!(t.keys.len() > 50, "{} keys", t.keys.len());
        assert_eq!(
            table(Lang::Ja)
                .unwrap()
                .get_attr("login")
                .unwrap()
                .to_string(),
            "ログイン"
        );
    }

    /// Every refusal a form's page says in its language has its label (a missing one would
    /// leave the page in English without a test noticing).
    #[test]
    fn every_refusal_with_a_label_has_it_in_both_languages() {
        use crate::auth::PasswordProblem as P;
        use crate::service::IdKind;
        use tekigo_assess::edit::Refusal;
        let refusals = [
            AppError::WrongCredentials,
            AppError::Locked,
            AppError::Throttled,
            AppError::BadUserName,
            AppError::WrongCurrentPassword,
            AppError::BadEvidenceUrl("www.example.com".into()),
        ]
        .into_iter()
        .chain(
            [
                P::TooShort,
                P::TooLong,
                P::FewDistinct,
                P::HasUserName,
                P::WellKnown,
                P::Unchanged,
            ]
            .map(AppError::WeakPassword),
        );
        let answers = [
            Refusal::NoAnswerYet {
                id: "CR 1.1".into(),
            },
            Refusal::DeferredButMet {
                id: "CR 1.1".into(),
            },
            Refusal::ReviewerIsAssessor {
                id: "CR 1.1".into(),
            },
        ]
        .map(|refusal| AppError::AnswerRefused {
            message: String::new(),
            refusal,
        });
        let ids = [IdKind::Project, IdKind::Assessment].map(|what| AppError::BadId {
            what,
            id: "ゲートウェイ".into(),
        });
        for e in refusals.chain(answers).chain(ids) {
            let (key, id) = e.label().unwrap_or_else(|| panic!("{e:?} has no label"));
            for lang in [Lang::En, Lang::Ja] {
                let text = text(lang, key).unwrap_or_else(|err| panic!("{e:?}: {err}"));
                // A label for a requirement's refusal names the requirement.
                assert_eq!(text.contains("{id}"), id.is_some(), "{key}: {text}");
            }
        }
        assert_eq!(AppError::BadRequest("x".into()).label(), None);
    }

    #[test]
    fn a_key_without_japanese_is_refused_with_the_file_name() {
        let err = parse("save:\n  en: Save\n  ja: ''\n").err().unwrap();
        assert!(err.contains("labels.yaml") && err.contains("save"), "{err}");
        let err = parse("save: [1]\n").err().unwrap();
        assert!(err.contains("labels.yaml"), "{err}");
    }
}
