//! One Japanese term per concept (catalogs/glossary.yaml): the catalogs are checked when
//! they load; this test finds a term used two ways in every label file of the workspace and
//! in the titles 4-2 and 3-3 share.

use std::path::{Path, PathBuf};
use tekigo_catalog::{Catalog, Relationship};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file whose words a person reads: label and data files, checks, templates.
fn label_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for krate in std::fs::read_dir(workspace().join("crates")).unwrap() {
        let krate = krate.unwrap().path();
        for sub in ["i18n", "data", "checks", "templates"] {
            let Ok(entries) = std::fs::read_dir(krate.join(sub)) else {
                continue;
            };
            out.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
        }
    }
    out.sort();
    out
}

#[test]
fn no_label_file_uses_a_term_the_glossary_replaced() {
    let glossary = &Catalog::builtin().unwrap().glossary;
    assert!(glossary.terms.len() >= 10);
    let files = label_files();
    assert!(files.len() > 10, "{files:?}");
    let mut found = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue; // fonts and other binary files
        };
        for (n, line) in text.lines().enumerate() {
            for (avoided, term) in glossary.misuses(line) {
                found.push(format!(
                    "{}:{}: {avoided:?} where the glossary says {:?} ({})",
                    file.display(),
                    n + 1,
                    term.ja,
                    term.en
                ));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_glossary_is_consistent_with_itself() {
    let glossary = &Catalog::builtin().unwrap().glossary;
    for term in &glossary.terms {
        assert!(!term.avoid.is_empty(), "{}: nothing to avoid", term.en);
        assert!(
            glossary.misuses(&term.ja).is_empty(),
            "{}: the preferred {:?} contains an avoided spelling",
            term.en,
            term.ja
        );
    }
}

/// A 4-2 requirement and the 3-3 requirement it equals, under the same English title, have
/// the same Japanese title (18 pairs were translated two ways).
#[test]
fn shared_titles_are_translated_once() {
    let cat = Catalog::builtin().unwrap();
    let mut differ = Vec::new();
    for set in cat
        .mappings
        .iter()
        .filter(|m| m.from == "62443-4-2" && m.to == "62443-3-3")
    {
        for m in set
            .set
            .mappings
            .iter()
            .filter(|m| m.relationship == Relationship::Equal)
        {
            let (a, b) = (cat.find(&m.from).unwrap().1, cat.find(&m.to).unwrap().1);
            if a.title.en == b.title.en && a.title.ja != b.title.ja {
                differ.push(format!(
                    "{} {:?} / {} {:?}",
                    a.id, a.title.ja, b.id, b.title.ja
                ));
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
