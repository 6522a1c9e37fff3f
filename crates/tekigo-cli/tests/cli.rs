//! The `tekigo` binary as users and CI call it: output shapes, exit codes, error messages.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "../../../tests/python.rs"]
mod python;

/// Runs tekigo with a private data directory so tests never touch the user's.
fn tekigo(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tekigo"))
        .args(args)
        .env("TEKIGO_DATA_DIR", data)
        .env_remove("TEKIGO_CATALOG_DIR")
        .env_remove("TEKIGO_LANG")
        .output()
        .expect("run tekigo")
}

fn ok_json(data: &Path, args: &[&str]) -> Value {
    let out = tekigo(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn checklist_json_has_the_interface_fields() {
    let data = tempfile::tempdir().unwrap();
    let v = ok_json(
        data.path(),
        &[
            "checklist",
            "--standard",
            "62443-4-2",
            "--type",
            "embedded",
            "--sl-t",
            "2",
            "--format",
            "json",
        ],
    );
    let list = v.as_array().unwrap();
    assert!(list.len() > 50, "{}", list.len());
    for e in list {
        assert!(e["id"].is_string() && e["fr"].is_string(), "{e}");
        let min = e["min_sl"].as_u64().unwrap();
        assert!((1..=2).contains(&min), "{e}");
    }
    let ids = ids(&v);
    for id in [
        "CR 1.1",
        "CR 1.1 RE(1)",
        "EDR 3.14",
        "EDR 3.14 RE(1)",
        "CR 7.8",
    ] {
        assert!(ids.contains(&id.to_string()), "{id} missing");
    }
    for id in ["CR 1.1 RE(2)", "NDR 1.6", "SAR 2.4", "CR 2.4", "CR 2.3"] {
        assert!(!ids.contains(&id.to_string()), "{id} must not apply");
    }
}

#[test]
fn checklist_mixed_vector_and_3_3() {
    let data = tempfile::tempdir().unwrap();
    let v = ok_json(
        data.path(),
        &[
            "checklist",
            "--standard",
            "62443-3-3",
            "--sl-t",
            "2,2,0,1,3,1,3",
            "--format",
            "json",
        ],
    );
    let list = v.as_array().unwrap();
    assert!(
        list.iter().all(|e| e["fr"] != "FR 3 SI"),
        "SL-T 0 for SI means no SI requirement"
    );
    assert!(ids(&v).contains(&"SR 5.2 RE(2)".to_string()));
    assert!(!ids(&v).contains(&"SR 1.1 RE(2)".to_string()));
}

#[test]
fn checklist_refuses_bad_arguments_with_exit_2() {
    let data = tempfile::tempdir().unwrap();
    for args in [
        &["checklist", "--standard", "62443-4-2", "--sl-t", "2"][..],
        &[
            "checklist",
            "--standard",
            "62443-4-2",
            "--type",
            "embedded",
            "--sl-t",
            "5",
        ],
        &[
            "checklist",
            "--standard",
            "62443-4-2",
            "--type",
            "plc",
            "--sl-t",
            "2",
        ],
        &["checklist", "--standard", "62443-9-9", "--sl-t", "2"],
        &["checklist", "--standard", "62443-3-3", "--sl-t", "1,2,3"],
    ] {
        let out = tekigo(data.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!stderr(&out).is_empty());
    }
}

#[test]
fn catalog_list_json_for_every_standard() {
    let data = tempfile::tempdir().unwrap();
    for (std, n) in [
        ("62443-4-2", 141), // with CCSC 1-4
        ("62443-3-3", 100),
        ("62443-4-1", 55),
        ("62443-2-1", 111),
        ("62443-3-2", 39),
    ] {
        let v = ok_json(
            data.path(),
            &["catalog", "list", "--standard", std, "--format", "json"],
        );
        let list = v.as_array().unwrap();
        assert_eq!(list.len(), n, "{std}");
        for e in list {
            assert!(e["id"].is_string() && e["kind"].is_string(), "{e}");
            assert!(!e["title"].as_str().unwrap().is_empty(), "{e}");
        }
    }
    let fr7 = ok_json(
        data.path(),
        &[
            "catalog",
            "list",
            "--standard",
            "62443-4-2",
            "--fr",
            "RA",
            "--format",
            "json",
        ],
    );
    assert!(ids(&fr7).iter().all(|id| id.starts_with("CR 7.")), "{fr7}");
}

#[test]
fn catalog_show_in_japanese() {
    let data = tempfile::tempdir().unwrap();
    let out = tekigo(data.path(), &["catalog", "show", "CR 1.1", "--lang", "ja"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("CR 1.1  人間のユーザーの識別と認証"),
        "{text}"
    );
    assert!(
        text.contains("識別・認証"),
        "Japanese summary expected: {text}"
    );
    assert!(
        text.contains("CR 1.1 RE(1)") && text.contains("SR 1.1"),
        "{text}"
    );
    let v = ok_json(
        data.path(),
        &["catalog", "show", "cr3.14", "--format", "json"],
    );
    assert_eq!(v["id"], "CR 3.14");
    assert_eq!(
        v["levels_by_type"],
        serde_json::json!([
            ["software", null],
            ["embedded", 1],
            ["host", 1],
            ["network", 1]
        ])
    );
}

#[test]
fn malformed_catalog_names_file_and_line_and_exits_2() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = repo().join("catalogs");
    for sub in ["", "frameworks", "mappings"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                std::fs::copy(&p, dir.path().join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    let file = dir.path().join("iec62443-4-1.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("kind: practice"))
        .unwrap()
        + 1;
    std::fs::write(&file, text.replacen("kind: practice", "kind: practise", 1)).unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    for args in [
        &[
            "--catalog-dir",
            dir_arg,
            "checklist",
            "--standard",
            "62443-4-1",
        ][..],
        &["catalog", "validate", dir_arg],
    ] {
        let out = tekigo(data.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{}:{line}", file.display())),
            "expected file:line {line}: {err}"
        );
        assert!(err.contains("practise"), "{err}");
    }
}

#[test]
fn import_text_csv_then_show_then_refuse_unknown_ids() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let good = work.path().join("text.csv");
    std::fs::write(
        &good,
        "id,text_en,text_ja\nCR 1.1,LICENSED-EN-1,ライセンス本文1\nCR1.2,LICENSED-EN-2,\n",
    )
    .unwrap();
    let out = tekigo(
        data.path(),
        &["catalog", "import-text", good.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("imported 2 English and 1 Japanese"),
        "{}",
        stderr(&out)
    );
    let show = tekigo(data.path(), &["catalog", "show", "CR 1.1", "--lang", "ja"]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("ライセンス本文1"));
    let v = ok_json(
        data.path(),
        &[
            "checklist",
            "--standard",
            "4-2",
            "--type",
            "host",
            "--sl-t",
            "1",
            "--format",
            "json",
        ],
    );
    assert_eq!(v[0]["text"], "LICENSED-EN-1");

    let store = data.path().join("licensed-text.json");
    let before = std::fs::read(&store).unwrap();
    let bad = work.path().join("bad.csv");
    std::fs::write(
        &bad,
        "id,text\nCR 1.3,fine\nCR 9.9,unknown\nXX,also unknown\n",
    )
    .unwrap();
    let out = tekigo(
        data.path(),
        &["catalog", "import-text", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:3: unknown id \"CR 9.9\"", bad.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:4: unknown id \"XX\"", bad.display())),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&store).unwrap(),
        before,
        "nothing may be half-imported"
    );
}

#[test]
fn import_text_xlsx_and_broken_files() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let xlsx = work.path().join("text.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in [["ID", "和訳"], ["SR 3.4", "日本語の本文"], ["", ""]]
        .iter()
        .enumerate()
    {
        for (c, cell) in row.iter().enumerate() {
            sheet.write(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save(&xlsx).unwrap();
    let out = tekigo(
        data.path(),
        &["catalog", "import-text", xlsx.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v = ok_json(
        data.path(),
        &[
            "catalog", "show", "SR 3.4", "--format", "json", "--lang", "ja",
        ],
    );
    assert_eq!(v["text"], "日本語の本文");

    let no_header = work.path().join("plain.csv");
    std::fs::write(&no_header, "CR 1.1,some text\n").unwrap();
    let out = tekigo(
        data.path(),
        &["catalog", "import-text", no_header.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no header row"), "{}", stderr(&out));

    // A second sheet without a header must not swallow its requirement rows silently.
    let two = work.path().join("two-sheets.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let first = book.add_worksheet();
    first.write(0, 0, "id").unwrap();
    first.write(0, 1, "text_en").unwrap();
    first.write(1, 0, "CR 2.1").unwrap();
    first.write(1, 1, "fine").unwrap();
    let second = book.add_worksheet();
    second.write(2, 0, "CR 2.2").unwrap();
    second.write(2, 1, "would be lost").unwrap();
    book.save(&two).unwrap();
    let before = std::fs::read(data.path().join("licensed-text.json")).unwrap();
    let out = tekigo(
        data.path(),
        &["catalog", "import-text", two.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("[sheet Sheet2]:3: catalog ids but no header row"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(data.path().join("licensed-text.json")).unwrap(),
        before
    );

    let garbage = work.path().join("garbage.xlsx");
    std::fs::write(&garbage, b"PK\x03\x04 not really a zip").unwrap();
    let out = tekigo(
        data.path(),
        &["catalog", "import-text", garbage.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(garbage.to_str().unwrap()),
        "{}",
        stderr(&out)
    );
}

#[test]
fn checklist_xlsx_has_a_sheet_per_fr() {
    let data = tempfile::tempdir().unwrap();
    let out_file = data.path().join("checklist.xlsx");
    let query = [
        "checklist",
        "--standard",
        "62443-4-2",
        "--type",
        "network",
        "--sl-t",
        "3",
        "--format",
    ];
    let out = tekigo(
        data.path(),
        &[&query[..], &["xlsx", "-o", out_file.to_str().unwrap()]].concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&out_file).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 7, "{names:?}");
    assert_eq!(names[0], "FR 1 IAC");
    let expected = ok_json(data.path(), &[&query[..], &["json"]].concat());
    let mut rows = 0;
    for name in names {
        let range = book.worksheet_range(&name).unwrap();
        rows += range
            .rows()
            .skip(4)
            .filter(|r| !r[0].to_string().is_empty())
            .count();
    }
    assert_eq!(rows, expected.as_array().unwrap().len());
}

#[test]
fn catalog_export_csv_and_json_round_numbers() {
    let data = tempfile::tempdir().unwrap();
    let out = tekigo(
        data.path(),
        &[
            "catalog",
            "export",
            "--standard",
            "62443-3-3",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    assert_eq!(reader.records().count(), 100);
    let v = ok_json(
        data.path(),
        &[
            "catalog",
            "export",
            "--standard",
            "62443-3-2",
            "--format",
            "json",
        ],
    );
    assert_eq!(v.as_array().unwrap().len(), 39);
}

/// Validates the OSCAL export with compliance-trestle, whose models are generated from
/// NIST's published OSCAL JSON schema and reject unknown or missing fields. CI installs it
/// (scripts/setup/10-python.sh); a missing validator is a failure, not a skip.
#[test]
fn oscal_catalogs_validate_against_nist_models() {
    let data = tempfile::tempdir().unwrap();
    let script = repo().join("tests/oscal/validate.py");
    for std in [
        "62443-4-2",
        "62443-3-3",
        "62443-4-1",
        "62443-2-1",
        "62443-3-2",
        "sp800-171r2",
    ] {
        let file = data.path().join(format!("{std}.json"));
        let out = tekigo(
            data.path(),
            &[
                "catalog",
                "export",
                "--standard",
                std,
                "--format",
                "oscal",
                "-o",
                file.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let check = python::python()
            .arg(&script)
            .arg("catalog")
            .arg(&file)
            .output()
            .expect("python3");
        assert!(
            check.status.success(),
            "{std}: OSCAL validation failed:\n{}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }
    // The validator must be able to fail: an unknown field is refused.
    let file = data.path().join("62443-4-2.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    doc["catalog"]["groups"][0]["controls"][0]["severity"] = "high".into();
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let check = python::python()
        .arg(&script)
        .arg("catalog")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        !check.status.success(),
        "the validator accepted an invalid catalog"
    );
}
