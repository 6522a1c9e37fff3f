//! The documents' words: `data/labels.yaml` (headings, gap sentences) and `data/cra.yaml`
//! (the points of CRA Annex V and VII), each key in English and Japanese. A key the code
//! asks for and the files lack is remembered and turned into an error by
//! [`Labels::finish`], so a forgotten label fails the tests instead of printing its key.

use crate::DossierError;
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tekigo_catalog::Lang;

const FILES: [(&str, &str); 2] = [
    ("data/labels.yaml", include_str!("../data/labels.yaml")),
    ("data/cra.yaml", include_str!("../data/cra.yaml")),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Words {
    en: String,
    ja: String,
}

type Both = BTreeMap<String, Words>;

fn all() -> Result<&'static Both, DossierError> {
    static ALL: OnceLock<Result<Both, (String, String)>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut out = Both::new();
        for (name, text) in FILES {
            let part: Both =
                serde_norway::from_str(text).map_err(|e| (name.into(), e.to_string()))?;
            for (key, words) in part {
                if words.en.trim().is_empty() || words.ja.trim().is_empty() {
                    return Err((name.into(), format!("{key}: needs both en and ja")));
                }
                if out.insert(key.clone(), words).is_some() {
                    return Err((name.into(), format!("{key}: defined twice")));
                }
            }
        }
        Ok(out)
    })
    .as_ref()
    .map_err(|(name, message)| DossierError::Template {
        name: name.clone(),
        message: message.clone(),
    })
}

pub(crate) struct Labels {
    words: &'static Both,
    lang: Lang,
    missing: RefCell<Vec<String>>,
}

impl Labels {
    pub(crate) fn new(lang: Lang) -> Result<Labels, DossierError> {
        Ok(Labels {
            words: all()?,
            lang,
            missing: RefCell::new(Vec::new()),
        })
    }

    pub(crate) fn get(&self, key: &str) -> String {
        match self.words.get(key) {
            Some(w) => match self.lang {
                Lang::En => w.en.clone(),
                Lang::Ja => w.ja.clone(),
            },
            None => {
                self.missing.borrow_mut().push(key.to_string());
                key.to_string()
            }
        }
    }

    /// The label with each `{name}` replaced by its value.
    pub(crate) fn fill(&self, key: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut text = self.get(key);
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
        text
    }

    pub(crate) fn finish(&self) -> Result<(), DossierError> {
        let missing = self.missing.borrow();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(DossierError::Template {
                name: "data/labels.yaml".into(),
                message: format!("no label for {}", missing.join(", ")),
            })
        }
    }
}
