//! The command's own words in English and Japanese, from `i18n/labels.yaml`.
//!
//! Tables, statuses, summary lines and the common errors a person reads come from there,
//! never from string literals in the code, so that a Japanese user never meets English
//! the project wrote (catalog titles, scan texts and reports have their own files).

use std::fmt;
use std::sync::OnceLock;
use tekigo_catalog::Lang;
/// A parser's English detail in the user's language (shared with the web application).
pub use tekigo_detail::detail;

/// `(key, English, Japanese)` in key order, compiled from `i18n/labels.yaml` by `build.rs`.
static LABELS: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/labels.rs"));

/// Prints a warning on standard error, its prefix in `lang` (what it says is its maker's).
pub fn warn(lang: Lang, what: &dyn fmt::Display) {
    eprintln!("{}: {what}", tr(lang, "error.warning"));
}

/// The text of `key` in `lang`; `?` when the file lacks it (a test keeps every key the
/// code uses in the file).
pub fn tr(lang: Lang, key: &str) -> &'static str {
    match LABELS.binary_search_by(|(k, _, _)| (*k).cmp(key)) {
        Ok(i) => match lang {
            Lang::En => LABELS[i].1,
            Lang::Ja => LABELS[i].2,
        },
        Err(_) => "?",
    }
}

/// The language of this run, set once by `main` from `--lang`, `TEKIGO_LANG` or the
/// project. Only for handlers whose signatures take no language (the server's, which
/// another change owns); every other handler is given its language.
static CHOSEN: OnceLock<Lang> = OnceLock::new();

/// Records the run's language for [`chosen`]; the first call wins.
pub fn choose(lang: Lang) {
    let _ = CHOSEN.set(lang);
}

/// The language `main` chose, English before it chose.
#[cfg(feature = "server")]
pub fn chosen() -> Lang {
    CHOSEN.get().copied().unwrap_or(Lang::En)
}

/// [`tr`] with `{name}` placeholders filled in.
pub fn fill(lang: Lang, key: &str, args: &[(&str, &dyn fmt::Display)]) -> String {
    let mut text = tr(lang, key).to_string();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    text
}

/// A status name as the tables print it.
#[cfg(feature = "full")]
pub fn status(lang: Lang, status: &str) -> String {
    tr(lang, &format!("status.{status}")).to_string()
}

/// An error a person often meets, worded in their language when it is printed. Its
/// `Display` is the English text (for logs and for code that matches on it).
#[derive(Debug)]
pub struct UserError {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl UserError {
    pub fn new(key: &'static str, args: &[(&'static str, String)]) -> UserError {
        UserError {
            key,
            args: args.to_vec(),
        }
    }

    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<(&str, &dyn fmt::Display)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, v as &dyn fmt::Display))
            .collect();
        fill(lang, self.key, &args)
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for UserError {}

/// A file the user named that does not exist, in their language.
#[cfg(feature = "full")]
fn no_file(path: &std::path::Path) -> anyhow::Error {
    UserError::new("error.no_file", &[("path", path.display().to_string())]).into()
}

/// Fails in the user's language when a file they named does not exist, for files that a
/// library reads and words its errors about in English (an SBOM).
#[cfg(feature = "full")]
pub fn must_exist(path: &std::path::Path) -> anyhow::Result<()> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(no_file(path)),
        _ => Ok(()),
    }
}

/// Reads a file the user named; a missing one is a [`UserError`] in their language.
#[cfg(feature = "full")]
pub fn read_file(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context as _;
    match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(no_file(path)),
        other => other.with_context(|| {
            UserError::new("error.cannot_read", &[("path", path.display().to_string())])
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_both_languages_and_every_key_used_exists() {
        assert!(
            LABELS.windows(2).all(|w| w[0].0 < w[1].0),
            "keys out of order"
        );
        for (key, en, ja) in LABELS {
            assert!(
                !en.trim().is_empty() && !ja.trim().is_empty(),
                "{key} lacks a language"
            );
            // Placeholders match between the languages.
            let names = |t: &str| {
                let mut v: Vec<String> = t
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(names(en), names(ja), "{key}");
        }
        // Every literal key the code passes to tr, fill, status or UserError::new.
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![src];
        let mut used = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split('"').skip(1).step_by(2) {
                    let prefix = part.split('.').next().unwrap_or("");
                    let is_key = part.contains('.')
                        && !part.contains(' ')
                        && [
                            "status",
                            "col",
                            "show",
                            "gaps",
                            "list",
                            "checklist",
                            "catalog",
                            "relation",
                            "vuln",
                            "vex",
                            "risk",
                            "error",
                            "init",
                            "assess",
                            "serve",
                            "audit",
                            "vulndb",
                            "sign",
                        ]
                        .contains(&prefix)
                        && part
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
                    if is_key && !part.ends_with('.') {
                        used += 1;
                        assert!(
                            LABELS.binary_search_by(|(k, _, _)| (*k).cmp(part)).is_ok(),
                            "{}: key {part:?} is not in i18n/labels.yaml",
                            path.display()
                        );
                    }
                }
            }
        }
        assert!(used > 50, "{used}");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill(Lang::Ja, "gaps.count", &[("n", &3)]), "ギャップ 3 件");
        assert_eq!(tr(Lang::Ja, "col.target"), "目標");
        assert_eq!(tr(Lang::En, "no.such.key"), "?");
    }

    #[cfg(feature = "full")]
    #[test]
    fn user_errors_are_worded_in_the_language_they_are_printed_in() {
        let e = UserError::new("error.no_file", &[("path", "a.xlsx".into())]);
        assert_eq!(e.to_string(), "a.xlsx: no such file");
        assert_eq!(e.render(Lang::Ja), "a.xlsx: ファイルが見つかりません");
    }
}
