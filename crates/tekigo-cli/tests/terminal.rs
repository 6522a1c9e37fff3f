//! The command as a person meets it: Japanese labels, errors that name the real problem,
//! and every label file of the workspace in both languages.

mod common;

use common::{command, project, stderr, stdout};
use std::path::Path;
use std::process::Output;

/// `tekigo` with these variables set on top of the clean environment.
fn tekigo(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    command(dir)
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("run tekigo")
}

fn text(out: &Output) -> (String, String) {
    (stdout(out), stderr(out))
}

/// Standard output of a command that must succeed.
fn ok(dir: &Path, args: &[&str]) -> String {
    stdout(&common::ok(dir, args))
}

#[test]
fn japanese_labels_in_the_tables_and_summary_lines() {
    let root = project("en", "GW");
    let dir = root.path();
    ok(
        dir,
        &["assess", "set", "A", "CR 1.1", "--status", "satisfied"],
    );
    let show = ok(dir, &["--lang", "ja", "assess", "show", "A"]);
    for word in [
        "目標",
        "主張する SL-C",
        "見込み",
        "補償対策込み",
        "充足",
        "補償対策",
        "人が回答または確認した回答で充足 1/",
    ] {
        assert!(show.contains(word), "{word}\n{show}");
    }
    let english = ok(dir, &["assess", "show", "A"]);
    assert!(
        english.contains("target SL-T {2 2 2 2 2 2 2} · claimed SL-C"),
        "{english}"
    );
    assert!(!english.contains("目標"), "{english}");
    let gaps = tekigo(dir, &[], &["--lang", "ja", "assess", "gaps", "A"]);
    assert_eq!(gaps.status.code(), Some(1));
    let gaps = text(&gaps).0;
    assert!(
        gaps.contains("未評価") && gaps.contains("ギャップ") && gaps.contains("推奨事項"),
        "{gaps}"
    );
    let list = ok(dir, &["--lang", "ja", "assess", "list"]);
    assert!(list.contains("評価対象") && list.contains("規格"), "{list}");
    let checklist = ok(
        dir,
        &[
            "--lang",
            "ja",
            "checklist",
            "--standard",
            "62443-4-2",
            "--type",
            "embedded",
            "--sl-t",
            "1",
        ],
    );
    assert!(
        checklist.contains("チェックリスト") && checklist.contains("合計"),
        "{checklist}"
    );
    let show = ok(dir, &["--lang", "ja", "catalog", "show", "CR 1.1"]);
    for word in ["規格", "要約", "相互参照", "同等", "未レビュー"] {
        assert!(show.contains(word), "{word}\n{show}");
    }
    assert!(
        !show.contains("equal") && !show.contains("not reviewed"),
        "{show}"
    );
}

#[test]
fn a_japanese_project_speaks_japanese_without_being_told() {
    let root = project("ja", "GW");
    let show = ok(root.path(), &["assess", "show", "A"]);
    assert!(show.contains("目標") && show.contains("主張"), "{show}");
    // --lang still wins.
    let show = ok(root.path(), &["--lang", "en", "assess", "show", "A"]);
    assert!(show.contains("claimed"), "{show}");
    // A typo gets the gist in Japanese, clap's suggestion, and exit 2.
    let out = tekigo(root.path(), &[], &["assess", "shwo", "A"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out).1;
    assert!(
        err.contains("エラー: shwo") && err.contains("show のことですか"),
        "{err}"
    );
    // clap's English is not repeated under it; the usage line (syntax) stays.
    assert!(
        !err.contains("error:") && !err.contains("tip:") && err.contains("\nUsage: tekigo assess"),
        "{err}"
    );
    // A value that is not one of the choices: the choices and the nearest one, in Japanese.
    let out = tekigo(
        root.path(),
        &[],
        &["assess", "show", "A", "--format", "jsn"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out).1;
    assert!(
        err.starts_with("エラー: --format <FORMAT> の値 jsn が正しくありません （使える値: ")
            && err.contains("json のことですか？")
            && err.contains("詳しくは --help を付けて実行してください。"),
        "{err}"
    );
    // A value its parser refused keeps clap's reason under the Japanese line.
    let out = tekigo(root.path(), &[], &["serve", "--session-idle", "abc"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out).1;
    assert!(
        err.starts_with("エラー: --session-idle <MINUTES> の値 abc が正しくありません\n")
            && err.contains("invalid digit"),
        "{err}"
    );
    let out = tekigo(root.path(), &[], &["assess", "show", "B"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out).1;
    assert!(err.contains("評価 \"B\"") && err.contains("(A)"), "{err}");
}

#[test]
fn errors_name_the_real_problem() {
    let root = project("en", "GW");
    let dir = root.path();
    let fails = |env: &[(&str, &str)], args: &[&str]| {
        let out = tekigo(dir, env, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out).1);
        text(&out).1
    };
    // A component that tekigo.yaml does not list, rather than "needs --type".
    let err = fails(
        &[],
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-2",
            "--component",
            "gw-200",
            "--sl-t",
            "2",
        ],
    );
    assert!(
        err.contains("\"gw-200\" is not in tekigo.yaml (listed: gw-100)"),
        "{err}"
    );
    // A listed component's type does not make 3-3 say "leave out --type".
    ok(
        dir,
        &[
            "assess",
            "new",
            "--standard",
            "62443-3-3",
            "--component",
            "gw-100",
            "--sl-t",
            "2",
            "--id",
            "S",
        ],
    );
    let err = fails(
        &[],
        &[
            "assess",
            "new",
            "--standard",
            "62443-3-3",
            "--component",
            "x",
            "--type",
            "host",
            "--sl-t",
            "2",
        ],
    );
    assert!(err.contains("leave out --type"), "{err}");
    // An impossible date is not a format error.
    for (due, expected) in [
        ("2027-02-30", "2027-02 has no day 30"),
        ("2027/03/01", "not a date in the form YYYY-MM-DD"),
    ] {
        let err = fails(
            &[],
            &[
                "assess",
                "set",
                "A",
                "CR 1.5",
                "--status",
                "partial",
                "--finding",
                "f",
                "--due",
                due,
            ],
        );
        assert!(err.contains(expected), "{err}");
    }
    // A missing evidence file is named as such, once.
    let err = fails(
        &[],
        &[
            "assess",
            "set",
            "A",
            "CR 1.1",
            "--status",
            "satisfied",
            "--evidence",
            "nofile.txt",
        ],
    );
    assert!(
        err.contains("evidence file nofile.txt does not exist"),
        "{err}"
    );
    assert!(!err.contains("caused by"), "{err}");
    let err = fails(&[], &["assess", "import-scan", "A", "nothere.json"]);
    assert_eq!(err.trim(), "error: nothere.json: no such file", "{err}");
    // VEX: the flag that gives the action.
    let err = fails(
        &[],
        &[
            "vex",
            "set",
            "pkg:deb/debian/openssl@3.0.11-1",
            "CVE-2023-5678",
            "--status",
            "affected",
            "--author",
            "me",
        ],
    );
    assert!(err.contains("--status affected needs --action"), "{err}");
    // One variable names the person; the old one still works, with a note.
    let set = ["assess", "set", "A", "CR 1.1", "--status", "satisfied"];
    let out = tekigo(dir, &[("TEKIGO_ASSESSOR", "Old Name")], &set);
    assert!(out.status.success());
    assert!(text(&out)
        .1
        .contains("TEKIGO_ASSESSOR is deprecated; set TEKIGO_USER"));
    let yaml = std::fs::read_to_string(dir.join("assessments/A.yaml")).unwrap();
    assert!(yaml.contains("assessor: Old Name"), "{yaml}");
    // The note in the user's language.
    let in_japanese = [&["--lang", "ja"][..], &set].concat();
    let out = tekigo(dir, &[("TEKIGO_ASSESSOR", "Old Name")], &in_japanese);
    assert!(out.status.success());
    let err = text(&out).1;
    assert!(
        err.contains("注記: TEKIGO_ASSESSOR は非推奨です") && !err.contains("deprecated"),
        "{err}"
    );
    let out = tekigo(
        dir,
        &[("TEKIGO_USER", "Sato")],
        &["assess", "set", "A", "CR 1.2", "--status", "satisfied"],
    );
    assert!(
        out.status.success() && text(&out).1.trim() == "A: CR 1.2 satisfied",
        "{}",
        text(&out).1
    );
    let yaml = std::fs::read_to_string(dir.join("assessments/A.yaml")).unwrap();
    assert!(yaml.contains("assessor: Sato"), "{yaml}");
    // Japanese errors for the common cases.
    let err = fails(
        &[],
        &[
            "--lang",
            "ja",
            "assess",
            "set",
            "A",
            "CR 9.1",
            "--status",
            "satisfied",
        ],
    );
    assert!(
        err.starts_with("エラー: \"CR 9.1\" はカタログの ID ではありません"),
        "{err}"
    );
    let err = fails(
        &[],
        &["--lang", "ja", "assess", "import-sheet", "A", "none.xlsx"],
    );
    assert!(err.contains("none.xlsx: ファイルが見つかりません"), "{err}");
}

#[test]
fn a_missing_baseline_is_a_first_run() {
    let root = tempfile::tempdir().unwrap();
    let rootfs = root.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::write(rootfs.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    for (lang, said) in [
        (
            "en",
            "note: baseline last.json does not exist yet: a first run",
        ),
        (
            "ja",
            "注記: ベースライン last.json はまだありません。初回の実行として",
        ),
    ] {
        let out = tekigo(
            root.path(),
            &[],
            &[
                "--lang",
                lang,
                "scan",
                "--root",
                "rootfs",
                "--format",
                "json",
                "--baseline",
                "last.json",
            ],
        );
        let (stdout, stderr) = text(&out);
        assert!(stderr.starts_with(said), "{stderr}");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
        assert!(serde_json::from_str::<serde_json::Value>(&stdout).is_ok());
    }
}

/// Every label file of the workspace — the command's, the reports', the server's pages,
/// the zone and conduit texts, the scanner's checks and reference data — gives every text
/// in both languages: any mapping with an `en` or a `ja` key has both, non-empty.
#[test]
fn no_label_exists_in_one_language_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let krate = entry.unwrap().path();
        for sub in ["i18n", "data", "checks"] {
            if let Ok(dir) = std::fs::read_dir(krate.join(sub)) {
                for f in dir.map(Result::unwrap) {
                    if f.path().extension().is_some_and(|e| e == "yaml") {
                        files.push(f.path());
                    }
                }
            }
        }
    }
    for must in [
        "tekigo-cli/i18n/labels.yaml",
        "tekigo-report/i18n/labels.yaml",
        "tekigo-server/i18n/labels.yaml",
        "tekigo-risk/data/labels.yaml",
        "tekigo-scan/checks/ssh.yaml",
    ] {
        assert!(files.iter().any(|f| f.ends_with(must)), "{must} not found");
    }
    let mut problems = Vec::new();
    for file in &files {
        let value: serde_json::Value =
            serde_norway::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        walk(&value, &mut String::new(), &mut |path, map| {
            let has = |k: &str| {
                map.get(k)
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| !s.trim().is_empty())
            };
            if (map.contains_key("en") || map.contains_key("ja")) && !(has("en") && has("ja")) {
                problems.push(format!(
                    "{}: {path}",
                    file.strip_prefix(&root).unwrap_or(file).display()
                ));
            }
        });
    }
    assert!(
        problems.is_empty(),
        "labels in one language only:\n{}",
        problems.join("\n")
    );
    assert!(files.len() >= 15, "{files:?}");
}

fn walk(
    v: &serde_json::Value,
    path: &mut String,
    f: &mut dyn FnMut(&str, &serde_json::Map<String, serde_json::Value>),
) {
    match v {
        serde_json::Value::Object(map) => {
            f(path, map);
            for (k, child) in map {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                walk(child, path, f);
                path.truncate(len);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(child, path, f);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// `tekigo ... | head`: the reader of standard output is gone before anything is written.
/// Whether the command prints with `println!` (catalog validate) or through the output
/// writer (catalog list), it ends quietly with 141 (128 + SIGPIPE), as Unix tools do,
/// never with a panic message.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let p = project("en", "Gateway");
    for args in [&["catalog", "validate"][..], &["catalog", "list"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = command(p.path())
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(141), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

/// The errors of a first session (no project yet, no advisory database or an unusable one,
/// a mistyped path or id) come in the language asked for, and only in it.
#[test]
fn the_first_errors_a_user_meets_are_in_their_language() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().display().to_string();
    let db = dir.path().join("nodb").display().to_string();
    let root = dir.path().join("none").display().to_string();
    std::fs::write(
        dir.path().join("sbom.json"),
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("garbage.db"), b"not a database").unwrap();
    let mut old = b"TKVULNDB".to_vec();
    old.extend_from_slice(&3u32.to_le_bytes());
    old.resize(80, 0);
    std::fs::write(dir.path().join("old.db"), old).unwrap();
    let cases: [(&[&str], &str, &str); 8] = [
        (
            &["assess", "list"],
            "ここにも上のディレクトリにも tekigo.yaml がありません",
            "no tekigo.yaml here or in any directory above",
        ),
        (
            &["vuln", "scan", "typo.json", "--db", &db],
            "typo.json: ファイルが見つかりません",
            "typo.json: no such file",
        ),
        (
            &["vuln", "scan", "sbom.json", "--db", &db],
            "脆弱性情報のデータベースがまだありません",
            "no advisory database yet",
        ),
        (
            &["vuln", "scan", "sbom.json", "--db", "garbage.db"],
            "garbage.db: 使える tekigo の脆弱性データベースではありません",
            "garbage.db: not a usable tekigo advisory database",
        ),
        (
            &["vuln", "scan", "sbom.json", "--db", "old.db"],
            "別のバージョンの tekigo が書いたデータベース（形式 3）です",
            "written in database format 3 by another version of tekigo",
        ),
        (
            &["scan", "--root", &root],
            "そのようなディレクトリまたはアーカイブはありません",
            "no such directory or archive",
        ),
        (
            &["catalog", "show", "CR 99.9"],
            "カタログに項目 CR 99.9 はありません",
            "no item CR 99.9 in the catalogs",
        ),
        (
            &["kconfig", "index", "linux-typo", "-o", "x.kbuild"],
            "linux-typo: ファイルが見つかりません",
            "linux-typo: no such file",
        ),
    ];
    for (args, ja, en) in cases {
        for (lang, want, not) in [("ja", ja, en), ("en", en, ja)] {
            let mut all = vec!["--lang", lang];
            all.extend_from_slice(args);
            let out = tekigo(dir.path(), &[], &all);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
            // The message; a cause line may carry a library's or the system's own detail.
            let first = err.lines().next().unwrap_or_default();
            assert!(
                first.contains(want) && !first.contains(not),
                "{all:?}: {err}"
            );
            let prefix = if lang == "ja" {
                "エラー: "
            } else {
                "error: "
            };
            assert!(err.starts_with(prefix), "{all:?}: {err}");
        }
    }
    let out = tekigo(dir.path(), &[], &["--lang", "ja", "assess", "list"]);
    assert!(stderr(&out).contains(&here), "{}", stderr(&out));
}

/// A tekigo.yaml edited by hand into something tekigo cannot read: the frame in the user's
/// language, then each problem with its file and line.
#[test]
fn a_broken_project_file_is_told_with_its_line() {
    let root = project("ja", "GW");
    let yaml = root.path().join("tekigo.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{text}colour: blue\n")).unwrap();
    let line = text.lines().count() + 1;
    // serde's detail is told in the language too (`i18n::detail`), the field as written.
    for (lang, frame, cause, detail) in [
        (
            "ja",
            "プロジェクトのファイルをこのままでは読み込めません",
            "原因",
            "未知の項目 `colour`（使える項目: `format`,",
        ),
        (
            "en",
            "the project's files cannot be read as they are",
            "caused by",
            "unknown field `colour`, expected one of `format`,",
        ),
    ] {
        let out = tekigo(root.path(), &[], &["--lang", lang, "assess", "list"]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        let head = ["エラー", "error"][usize::from(lang == "en")];
        assert!(err.starts_with(&format!("{head}: {frame}\n")), "{err}");
        assert!(
            err.contains(&format!("  {cause}: {}:{line}: {detail}", yaml.display())),
            "{err}"
        );
    }
}
