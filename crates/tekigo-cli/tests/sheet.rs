//! Check sheets from outside: `assess import-sheet` on workbooks built like seed 004's
//! sheet (placeholder text where the standard's words would be), and hostile workbooks
//! given to every XLSX importer.

mod common;

use common::{command, ok, project, tekigo};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::path::Path;
use std::process::{Command, Output};

fn answers(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("assessments/A.yaml")).unwrap();
    let yaml: serde_json::Value = serde_norway::from_str(&text).unwrap();
    yaml["answers"].clone()
}

fn write_rows(sheet: &mut Worksheet, first: u32, rows: &[&[&str]]) {
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                sheet.write(first + r as u32, c as u16, *text).unwrap();
            }
        }
    }
}

/// Seed 004's sheet: titles, the FR's security-level table, the SL-C table, then the
/// requirement table with an empty header over the id column.
fn seed_like(rows: &[&[&str]], merge: Option<(u32, u32)>) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("IEC62443-4-2").unwrap();
    write_rows(
        sheet,
        0,
        &[
            &["IEC62443-4-2 check sheet"],
            &["Target:"],
            &["classification: H/W S/W cloud system component"],
            &[],
            &["FR", "1 Identification and authentication control (IAC)"],
            &["SL", "原文", "和訳", "✓", "選択理由"],
            &[
                "SL 1",
                "(original text, not reproduced)",
                "（和訳は省略）",
                "",
                "",
            ],
            &[
                "SL 2",
                "(original text, not reproduced)",
                "（和訳は省略）",
                "✓",
                "社外から到達しない",
            ],
            &[],
            &["SL-C1", "CR 1.1"],
            &["SL-C2", "CR 1.1 (1)"],
            &["SL-C3", "CR 1.1(1)(2)"],
            &[],
            &["", "要件", "和訳", "✓", "選択した理由", "エビデンス"],
        ],
    );
    write_rows(sheet, 14, rows);
    if let Some((first, last)) = merge {
        sheet
            .merge_range(first, 3, last, 3, "✓", &Format::new())
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn a_seed_004_sheet_marks_checked_requirements_with_their_reasons() {
    let root = project("en", "Gateway");
    let dir = root.path();
    std::fs::write(dir.join("sshd_config"), "PasswordAuthentication no\n").unwrap();
    let bytes = seed_like(
        &[
            &[
                "CR1.1",
                "(original text, not reproduced)",
                "（和訳は省略）",
                "✓",
                "鍵認証のみ",
                "sshd_config",
            ],
            &[
                "CR 1.1 (1)",
                "(placeholder)",
                "（省略）",
                "○",
                "ローカルアカウントなし",
                "https://example.com/design\n設計書 v1.2 §3",
            ],
            &["CR 1.2", "(placeholder)", "（省略）", "×", "未実装", ""],
            &[
                "CR 1.5",
                "(placeholder)",
                "（省略）",
                "Y",
                "初期パスワードは個体別",
                "",
            ],
            &["CR 1.7", "(placeholder)", "（省略）", "", "", ""],
            &[
                "CR 1.9 RE 1",
                "(placeholder)",
                "（省略）",
                "x",
                "公開鍵はハードウェアに格納",
                "",
            ],
            &[
                "CR 2.1",
                "(placeholder)",
                "（省略）",
                "yes",
                "ロールベース",
                "",
            ],
            &["CR 2.5", "(placeholder)", "（省略）", "〇", "", ""],
        ],
        None,
    );
    std::fs::write(dir.join("sheet.xlsx"), bytes).unwrap();
    let out = command(dir)
        .env("TEKIGO_USER", "Sato")
        .args(["assess", "import-sheet", "A", "sheet.xlsx"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains("A: 7 added"),
        "{stderr}"
    );
    // The security-level table's mark is named, not imported.
    assert!(
        stderr.contains("row 8") && stderr.contains("SL 2"),
        "{stderr}"
    );

    let a = answers(dir);
    assert_eq!(a["CR 1.1"]["status"], "satisfied");
    assert_eq!(a["CR 1.1"]["reason"], "鍵認証のみ");
    assert_eq!(a["CR 1.1"]["assessor"], "Sato");
    // A person's answer (no `origin: scan`), in draft until reviewed.
    assert!(a["CR 1.1"].get("origin").is_none(), "{a}");
    assert_eq!(a["CR 1.1"]["review"], "draft");
    assert_eq!(a["CR 1.1"]["evidence"][0]["name"], "sshd_config");
    let sha = a["CR 1.1"]["evidence"][0]["sha256"].as_str().unwrap();
    assert_eq!(
        std::fs::read(dir.join("evidence").join(sha)).unwrap(),
        b"PasswordAuthentication no\n"
    );
    assert_eq!(a["CR 1.1 RE(1)"]["status"], "satisfied");
    assert_eq!(a["CR 1.1 RE(1)"]["reason"], "ローカルアカウントなし");
    assert_eq!(
        a["CR 1.1 RE(1)"]["evidence"][0]["url"],
        "https://example.com/design"
    );
    // Evidence written as text is kept under that text.
    assert_eq!(a["CR 1.1 RE(1)"]["evidence"][1]["name"], "設計書 v1.2 §3");
    assert_eq!(a["CR 1.2"]["status"], "not-satisfied");
    for id in ["CR 1.5", "CR 1.9 RE(1)", "CR 2.1", "CR 2.5"] {
        assert_eq!(a[id]["status"], "satisfied", "{id}: {a}");
    }
    assert!(a.get("CR 1.7").is_none());

    // The levels follow from the imported answers, as from any others.
    let show = ok(dir, &["assess", "show", "A", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    // FR 1 at SL-T 2: CR 1.1, CR 1.1 RE(1) and CR 1.5 met (CR 1.2 not, CR 1.9 RE(1) is
    // SL 3); FR 2: CR 2.1 and CR 2.5.
    assert_eq!(v["frs"][0]["met"], 3, "{v}");
    assert_eq!(v["frs"][1]["met"], 2, "{v}");

    // Importing the same sheet again changes nothing.
    let out = ok(dir, &["assess", "import-sheet", "A", "sheet.xlsx"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("0 added, 0 changed, 7 unchanged"),
        "{stderr}"
    );
}

#[test]
fn english_csv_sheets_and_mark_columns_are_understood() {
    let root = project("en", "Gateway");
    let dir = root.path();
    std::fs::write(
        dir.join("sheet.csv"),
        "Requirement,Title,Check,×,N/A,Rationale\n\
         CR 2.1,(placeholder),✓,,,roles\n\
         CR 2.5,(placeholder),,x,,no session lock\n\
         CR 1.1 RE(2),(placeholder),,,✓,no remote access at all\n\
         CR 2.6,(placeholder),,,,\n",
    )
    .unwrap();
    ok(dir, &["assess", "import-sheet", "A", "sheet.csv"]);
    let a = answers(dir);
    assert_eq!(a["CR 2.1"]["status"], "satisfied");
    assert_eq!(a["CR 2.1"]["reason"], "roles");
    assert_eq!(a["CR 2.5"]["status"], "not-satisfied");
    assert_eq!(a["CR 1.1 RE(2)"]["status"], "not-applicable");
    assert_eq!(a["CR 1.1 RE(2)"]["reason"], "no remote access at all");
    assert!(a.get("CR 2.6").is_none());
}

#[test]
fn a_map_names_columns_the_headers_do_not() {
    let root = project("en", "Gateway");
    let dir = root.path();
    std::fs::write(
        dir.join("odd.csv"),
        "項目,判断,メモ\nCR 2.1,済,権限で分離\n",
    )
    .unwrap();
    let out = tekigo(dir, &["assess", "import-sheet", "A", "odd.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--map"), "{stderr}");
    std::fs::write(
        dir.join("map.yaml"),
        "columns: {id: A, check: B, reason: \"メモ\"}\n",
    )
    .unwrap();
    // A header named in the map is found in its row; letters need no header.
    ok(
        dir,
        &[
            "assess",
            "import-sheet",
            "A",
            "odd.csv",
            "--map",
            "map.yaml",
        ],
    );
    let a = answers(dir);
    assert_eq!(a["CR 2.1"]["status"], "satisfied");
    assert_eq!(a["CR 2.1"]["reason"], "権限で分離");
    std::fs::write(dir.join("bad-map.yaml"), "columns: {idd: A}\n").unwrap();
    let out = tekigo(
        dir,
        &[
            "assess",
            "import-sheet",
            "A",
            "odd.csv",
            "--map",
            "bad-map.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad-map.yaml:1"));
}

#[test]
fn every_row_that_cannot_be_placed_is_reported_and_nothing_is_applied() {
    let root = project("en", "Gateway");
    let dir = root.path();
    ok(
        dir,
        &[
            "assess", "set", "A", "CR 2.1", "--status", "partial", "--reason", "before",
        ],
    );
    let before = std::fs::read(dir.join("assessments/A.yaml")).unwrap();
    let bytes = seed_like(
        &[
            &["CR1.1", "(placeholder)", "（省略）", "✓", "鍵認証のみ", ""],
            &[
                "CR 9.9",
                "(placeholder)",
                "（省略）",
                "✓",
                "存在しない要件",
                "",
            ],
            &["CR 1.2", "(placeholder)", "（省略）", "たぶん", "", ""],
            &["CR 2.1", "(placeholder)", "（省略）", "", "理由だけ", ""],
            &["CR 1.5", "(placeholder)", "（省略）", "", "a", ""],
            &["CR 1.7", "(placeholder)", "（省略）", "", "b", ""],
            &["CR 2.5", "(placeholder)", "（省略）", "-", "", ""],
        ],
        // ✓ merged over the CR 1.5 and CR 1.7 rows (rows 19 and 20).
        Some((18, 19)),
    );
    std::fs::write(dir.join("sheet.xlsx"), bytes).unwrap();
    let out = tekigo(dir, &["assess", "import-sheet", "A", "sheet.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "sheet \"IEC62443-4-2\" row 16: \"CR 9.9\" is not a requirement id",
        "row 17: mark \"たぶん\" in column D is not understood",
        "row 18: CR 2.1: a reason or evidence but no mark",
        "row 19: cells D19:D20 are merged across rows",
        "row 20: cells D19:D20 are merged across rows",
        "row 21: CR 2.5: not applicable needs a justification",
        "6 row(s) cannot be placed; the assessment was not changed",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.join("assessments/A.yaml")).unwrap(),
        before
    );
}

/// Runs tekigo with at most `mib` MiB of address space, so that an allocation the size
/// of the rectangle between A1 and XFD1048576 fails instead of succeeding lazily.
fn bounded(dir: &Path, mib: u64, args: &[&str]) -> Output {
    let script = format!("ulimit -v {}; exec \"$0\" \"$@\"", mib * 1024);
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_tekigo"))
        .args(args)
        .current_dir(dir)
        .env("TEKIGO_DATA_DIR", dir.join(".data"))
        .env_remove("TEKIGO_LANG")
        .output()
        .expect("run tekigo")
}

/// A workbook of one sheet whose XML is `sheet_xml`, deflated.
fn bomb(sheet_xml: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in [
        ("[Content_Types].xml", &b"<Types/>"[..]),
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn hostile_workbooks_exit_2_with_the_limit_named_in_bounded_memory() {
    let root = project("en", "Gateway");
    let dir = root.path();
    // Cells at A1 and XFD1048576: 1.6 KB that asked for 512 GiB.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write(0, 0, "CR 1.1").unwrap();
    sheet.write(1_048_575, 16_383, "x").unwrap();
    std::fs::write(dir.join("corners.xlsx"), book.save_to_buffer().unwrap()).unwrap();
    // Sheet XML that inflates 1,000 times: far more than the limit allows.
    let mut xml = b"<worksheet><sheetData>".to_vec();
    xml.resize(40 << 20, b' ');
    xml.extend_from_slice(b"</sheetData></worksheet>");
    std::fs::write(dir.join("bomb.xlsx"), bomb(&xml)).unwrap();
    std::fs::write(dir.join("licensed.xlsx"), bomb(&xml)).unwrap();

    for (args, file, limit) in [
        (
            &["assess", "import-xlsx", "A", "corners.xlsx"][..],
            "corners.xlsx",
            "over the limit of 2000000 cells",
        ),
        (
            &["assess", "import-sheet", "A", "corners.xlsx"],
            "corners.xlsx",
            "over the limit of 2000000 cells",
        ),
        (
            &["assess", "import-xlsx", "A", "bomb.xlsx"],
            "bomb.xlsx",
            "over the limit of",
        ),
        (
            &["assess", "import-sheet", "A", "bomb.xlsx"],
            "bomb.xlsx",
            "over the limit of",
        ),
        (
            &["catalog", "import-text", "licensed.xlsx"],
            "licensed.xlsx",
            "over the limit of",
        ),
    ] {
        let out = bounded(dir, 500, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(file) && stderr.contains(limit),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("memory allocation"),
            "{stderr}"
        );
    }
}
