//! A broken catalog directory is refused with the file and line of every problem.

use std::path::{Path, PathBuf};
use tekigo_catalog::Catalog;

/// A copy of the real catalogs in a temporary directory, to break one thing at a time.
fn copy_catalogs() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogs");
    let dir = tempfile::tempdir().unwrap();
    for sub in ["", "frameworks", "regimes", "mappings"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(src.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                std::fs::copy(&path, dir.path().join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) -> PathBuf {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

fn line_of(path: &Path, needle: &str) -> usize {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

fn error_of(dir: &Path) -> String {
    Catalog::from_dir(dir)
        .expect_err("the broken catalog must be refused")
        .to_string()
}

#[test]
fn the_copy_itself_loads() {
    let dir = copy_catalogs();
    Catalog::from_dir(dir.path()).unwrap();
}

#[test]
fn yaml_syntax_error_names_file_and_line() {
    let dir = copy_catalogs();
    let path = edit(
        dir.path(),
        "iec62443-3-3.yaml",
        "    min_sl: 2\n",
        "    min_sl: [2\n",
    );
    let err = error_of(dir.path());
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("iec62443-3-3.yaml:"), "{err}");
}

#[test]
fn unknown_field_names_file_and_line() {
    let dir = copy_catalogs();
    let path = edit(
        dir.path(),
        "iec62443-4-2.yaml",
        "    min_sl: 1\n",
        "    min_sl: 1\n    minsl: 2\n",
    );
    let line = line_of(&path, "minsl:");
    let err = error_of(dir.path());
    assert!(
        err.contains(&format!("iec62443-4-2.yaml:{line}")),
        "line {line}: {err}"
    );
    assert!(err.contains("minsl"), "{err}");
}

#[test]
fn duplicate_id_points_at_both_places() {
    let dir = copy_catalogs();
    let path = edit(
        dir.path(),
        "iec62443-4-2.yaml",
        "  - id: \"CR 1.2\"",
        "  - id: \"CR 1.1\"",
    );
    let first = line_of(&path, "id: \"CR 1.1\"");
    let err = error_of(dir.path());
    assert!(err.contains("duplicate id \"CR 1.1\""), "{err}");
    assert!(
        err.contains(&format!("first defined at {}:{first}", path.display())),
        "{err}"
    );
}

#[test]
fn enhancement_below_its_parent_is_refused() {
    let dir = copy_catalogs();
    let path = dir.path().join("iec62443-4-2.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("  - id: \"CR 1.2 RE(1)\"").unwrap();
    let at = start + text[start..].find("    min_sl: 3").unwrap();
    let line = text[..at].lines().count() + 1;
    let re_line = text[..start].lines().count() + 1;
    std::fs::write(
        &path,
        format!(
            "{}    min_sl: 1{}",
            &text[..at],
            &text[at + "    min_sl: 3".len()..]
        ),
    )
    .unwrap();
    let err = error_of(dir.path());
    assert!(
        err.contains(&format!(
            "iec62443-4-2.yaml:{re_line}: CR 1.2 RE(1): applies from SL 1, below its parent CR 1.2"
        )),
        "{line} {err}"
    );
}

#[test]
fn missing_parent_and_missing_deferral_target_are_refused() {
    let dir = copy_catalogs();
    edit(
        dir.path(),
        "iec62443-3-3.yaml",
        "parent: \"SR 1.1\"",
        "parent: \"SR 9.9\"",
    );
    edit(
        dir.path(),
        "iec62443-4-2.yaml",
        "defers_to: [\"NDR 1.6\"]",
        "defers_to: [\"NDR 1.66\"]",
    );
    let err = error_of(dir.path());
    assert!(
        err.contains("parent \"SR 9.9\" is not an item of 62443-3-3"),
        "{err}"
    );
    assert!(err.contains("defers to \"NDR 1.66\""), "{err}");
    assert!(
        err.contains("NDR 1.6: its parent CR heading must list it in defers_to"),
        "{err}"
    );
}

#[test]
fn mapping_to_a_missing_item_names_the_mapping_line() {
    let dir = copy_catalogs();
    let path = edit(
        dir.path(),
        "mappings/62443-4-2_to_62443-3-3.yaml",
        "to: \"SR 1.1\"",
        "to: \"SR 1.99\"",
    );
    let line = line_of(&path, "SR 1.99");
    let err = error_of(dir.path());
    assert!(
        err.contains(&format!("62443-4-2_to_62443-3-3.yaml:{line}")),
        "{err}"
    );
    assert!(
        err.contains("\"SR 1.99\" is not an item of 62443-3-3"),
        "{err}"
    );
}

#[test]
fn regime_item_without_japanese_title_or_confidence_is_refused() {
    let dir = copy_catalogs();
    let path = edit(
        dir.path(),
        "regimes/uk-psti.yaml",
        "      ja: \"パスワード: 製品ごとに固有、または利用者が設定し、推測困難であること\"\n",
        "",
    );
    edit(
        dir.path(),
        "regimes/uk-psti.yaml",
        "    confidence: medium\n",
        "",
    );
    let err = error_of(dir.path());
    let line = line_of(&path, "id: \"PSTI 1\"");
    assert!(
        err.contains(&format!(
            "{}:{line}: PSTI 1: the Japanese title is empty",
            path.display()
        )),
        "{err}"
    );
    assert!(err.contains("PSTI 1: no confidence"), "{err}");
}

#[test]
fn regime_mapping_without_rationale_and_unknown_include_are_refused() {
    let dir = copy_catalogs();
    let map = edit(
        dir.path(),
        "mappings/62443-4-2_to_uk-psti.yaml",
        "confidence: medium, rationale: {en: \"Password strength",
        "rationale: {en: \"Password strength",
    );
    edit(
        dir.path(),
        "regimes/sg-cls.yaml",
        "includes: [\"5.1-1\"",
        "includes: [\"5.1-99\"",
    );
    let err = error_of(dir.path());
    let line = line_of(&map, "from: \"CR 1.7\"");
    assert!(
        err.contains(&format!(
            "{}:{line}: mapping \"CR 1.7\" -> \"PSTI 1\" to a regime needs a confidence",
            map.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("CLS-1: includes \"5.1-99\", which is no other item of the catalog"),
        "{err}"
    );
}

#[test]
fn regime_without_source_is_refused() {
    let dir = copy_catalogs();
    edit(
        dir.path(),
        "regimes/jc-star-1.yaml",
        "  licence: \"IPA copyright: ids only; titles and summaries are tekigo's own words\"\n",
        "",
    );
    let err = error_of(dir.path());
    assert!(
        err.contains("regime jc-star-1: `standard.licence` is missing"),
        "{err}"
    );
}

/// A Japanese title that uses a spelling the glossary replaced is refused at its line, and
/// the message names the glossary's term.
#[test]
fn a_term_the_glossary_avoids_names_file_line_and_the_term() {
    let dir = copy_catalogs();
    let path = edit(
        dir.path(),
        "iec62443-4-2.yaml",
        "ja: \"入力の妥当性確認\"",
        "ja: \"入力の検証\"",
    );
    let err = error_of(dir.path());
    let item = line_of(&path, "id: \"CR 3.5\"");
    assert!(
        err.contains(&format!("{}:{item}", path.display())) && err.contains("入力の妥当性確認"),
        "{err}"
    );
    // CCSC rows carry no FR or level.
    let dir = copy_catalogs();
    edit(
        dir.path(),
        "iec62443-4-2.yaml",
        "    kind: CCSC\n    clause: \"4.2\"\n",
        "    kind: CCSC\n    fr: 1\n    clause: \"4.2\"\n",
    );
    assert!(
        error_of(dir.path()).contains("CCSC 1: a common component security constraint has no fr")
    );
}
