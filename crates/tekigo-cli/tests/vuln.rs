//! `tekigo vulndb` and `tekigo vuln scan` as users and CI call them, on the real advisory
//! fixtures of tekigo-vulndb.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tekigo(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tekigo"))
        .args(args)
        .current_dir(cwd)
        .env_remove("TEKIGO_VULNDB")
        .output()
        .expect("run tekigo")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tekigo-vulndb/tests/fixtures")
}

const SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
 {"type":"library","group":"org.apache.logging.log4j","name":"log4j-core","version":"2.14.1",
  "purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
 {"type":"library","name":"libc6","version":"2.36-9+deb12u3",
  "purl":"pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc"},
 {"type":"library","name":"tensorflow","version":"2.6.3",
  "cpe":"cpe:2.3:a:google:tensorflow:2.6.3:*:*:*:*:*:*:*"},
 {"type":"library","name":"requests","version":"2.31.0","purl":"pkg:pypi/requests@2.31.0"}
]}"#;

struct Setup {
    dir: tempfile::TempDir,
    db: String,
    sbom: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db").display().to_string();
    let sbom = dir.path().join("bom.cdx.json");
    std::fs::write(&sbom, SBOM).unwrap();
    let out = tekigo(
        &[
            "vulndb",
            "import",
            "--db",
            &db,
            fixtures().to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("13 added") && text.contains("2 need review"),
        "{text}"
    );
    Setup {
        sbom: sbom.display().to_string(),
        db,
        dir,
    }
}

fn scan_json(s: &Setup, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut args = vec!["vuln", "scan", &s.sbom, "--db", &s.db, "--format", "json"];
    args.extend_from_slice(extra);
    let out = tekigo(&args, s.dir.path());
    let rows: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), rows.as_array().unwrap().clone())
}

#[test]
fn import_twice_then_stats() {
    let s = setup();
    let out = tekigo(
        &[
            "vulndb",
            "import",
            "--db",
            &s.db,
            fixtures().to_str().unwrap(),
        ],
        s.dir.path(),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 added, 0 updated, 13 unchanged"));
    let out = tekigo(
        &["vulndb", "stats", "--db", &s.db, "--format", "json"],
        s.dir.path(),
    );
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["records"], 13);
    assert_eq!(stats["by_source"]["kev"], 4);
    assert_eq!(stats["needs_review"], 2);
}

#[test]
fn scan_json_has_the_interface_fields() {
    let s = setup();
    let (code, rows) = scan_json(&s, &[]);
    assert_eq!(code, Some(0), "no --fail-on: findings alone do not fail");
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["vulnerability"].as_str().unwrap())
        .collect();
    // libc6 is at the fixed version; requests has no advisory in the fixtures.
    assert_eq!(ids, ["GHSA-jfh8-c2jp-5v3q", "CVE-2022-29194"]);
    let log4j = &rows[0];
    assert_eq!(log4j["aliases"][0], "CVE-2021-44228");
    assert_eq!(
        log4j["component"],
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    );
    assert_eq!(log4j["version"], "2.14.1");
    assert_eq!(log4j["kev"], true);
    assert_eq!(log4j["kev_due_date"], "2021-12-24");
    assert_eq!(log4j["fixed_version"], "2.15.0");
    assert_eq!(log4j["severity"]["score"], 10.0);
    assert_eq!(log4j["explanation"]["exact"], true);
    assert_eq!(rows[1]["component"], "tensorflow@2.6.3");
    assert_eq!(rows[1]["explanation"]["exact"], false);
}

#[test]
fn fail_on_and_vex_triage() {
    let s = setup();
    assert_eq!(scan_json(&s, &["--fail-on", "critical"]).0, Some(1));
    // Only the 5.5 TensorFlow finding would remain at medium and above once Log4Shell is
    // triaged not_affected through its CVE alias.
    let vex = s.dir.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.invalid/vex/1",
            "author":"Product Security","timestamp":"2024-05-01T00:00:00Z","version":1,
            "statements":[{"vulnerability":{"name":"CVE-2021-44228"},
              "products":[{"@id":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
              "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let vex = vex.display().to_string();
    let (code, rows) = scan_json(&s, &["--fail-on", "critical", "--vex", &vex]);
    assert_eq!(code, Some(0));
    assert_eq!(rows[0]["triage"]["state"], "not_affected");
    assert_eq!(
        rows[0]["triage"]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(
        scan_json(&s, &["--fail-on", "medium", "--vex", &vex]).0,
        Some(1)
    );
    assert_eq!(
        scan_json(&s, &["--fail-on", "high", "--vex", &vex]).0,
        Some(0)
    );
}

#[test]
fn sarif_and_table_and_errors() {
    let s = setup();
    let out_file = s.dir.path().join("out.sarif");
    let out = tekigo(
        &[
            "vuln",
            "scan",
            &s.sbom,
            "--db",
            &s.db,
            "--format",
            "sarif",
            "-o",
            out_file.to_str().unwrap(),
        ],
        s.dir.path(),
    );
    assert!(out.status.success());
    let sarif: Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"],
        "10.0"
    );

    let out = tekigo(&["vuln", "scan", &s.sbom, "--db", &s.db], s.dir.path());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("GHSA-jfh8-c2jp-5v3q") && table.contains("2021-12-10"),
        "{table}"
    );

    // Errors exit 2 and name the problem.
    let missing = s.dir.path().join("nowhere").display().to_string();
    let out = tekigo(&["vuln", "scan", &s.sbom, "--db", &missing], s.dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("vulndb import"));
    let bad = s.dir.path().join("bad.json");
    std::fs::write(&bad, "{\"id\": \"X\",\n \"affected\": 7}").unwrap();
    let out = tekigo(
        &["vulndb", "import", "--db", &s.db, bad.to_str().unwrap()],
        s.dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json") && err.contains("line 2"), "{err}");
    let bad = bad.to_str().unwrap();
    let out = tekigo(
        &["--lang", "ja", "vulndb", "import", "--db", &s.db, bad],
        s.dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "エラー: {bad}: この脆弱性情報の文書を取り込めませんでした\n  原因: {bad}: OSV: "
        )) && err.contains("型が違います: 整数 `7`（期待される型: 配列）（2 行 14 列）"),
        "{err}"
    );
    let out = tekigo(
        &[
            "--lang",
            "ja",
            "vulndb",
            "import",
            "--db",
            &s.db,
            "typo.json",
        ],
        s.dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "エラー: typo.json: ファイルが見つかりません\n"
    );

    // An SBOM that is not valid: tekigo's words in the user's language, then where it went
    // wrong (line, column, field) as the parser said it; the same whether the JSON is
    // streamed or the table is made, and nothing on standard output.
    let sbom = s.dir.path().join("broken.cdx.json");
    std::fs::write(
        &sbom,
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\",\n \"components\": [{\"type\": \"library\", \"name\": 3}]}",
    )
    .unwrap();
    let sbom = sbom.to_str().unwrap();
    for (lang, told, cause, detail) in [
        (
            "ja",
            "SBOM として読み込めませんでした",
            "原因",
            "components[0].name: 型が違います: 整数 `3`（期待される型: 文字列）",
        ),
        (
            "en",
            "not a valid SBOM",
            "caused by",
            "components[0].name: invalid type: integer `3`, expected a string",
        ),
    ] {
        for format in ["json", "table"] {
            let args = [
                "--lang", lang, "vuln", "scan", sbom, "--db", &s.db, "--format", format,
            ];
            let out = tekigo(&args, s.dir.path());
            assert_eq!(out.status.code(), Some(2));
            assert!(out.stdout.is_empty());
            let err = String::from_utf8_lossy(&out.stderr);
            let head = ["エラー", "error"][usize::from(lang == "en")];
            assert!(
                err.starts_with(&format!("{head}: {sbom}: {told}\n")),
                "{err}"
            );
            assert!(
                err.contains(&format!("  {cause}: {sbom}:2:")) && err.contains(detail),
                "{err}"
            );
        }
    }
}

/// The status line of one answer in an assessment file (`answers:` maps ids to answers).
/// SARIF is written result by result as the rows are made, in chunks of 256 components:
/// over several chunks it is still the pretty-printed log of the JSON rows, one result per
/// row in order and one rule per vulnerability in the order first found.
#[test]
fn sarif_of_many_chunks_is_the_log_of_the_json_rows() {
    let s = setup();
    let components: Vec<String> = (0..700)
        .map(|i| {
            let v = format!("2.{}.{}", i % 17, i % 3);
            format!(
                r#"{{"type":"library","name":"log4j-core","version":"{v}","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@{v}"}}"#
            )
        })
        .collect();
    let sbom = s.dir.path().join("many.cdx.json");
    std::fs::write(
        &sbom,
        format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{}]}}"#,
            components.join(",")
        ),
    )
    .unwrap();
    let sbom = sbom.to_str().unwrap();
    let scan = |format: &str| {
        let out = tekigo(
            &["vuln", "scan", sbom, "--db", &s.db, "--format", format],
            s.dir.path(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let rows: Vec<Value> = serde_json::from_str(&scan("json")).unwrap();
    assert!(rows.len() > 500, "{}", rows.len());
    let text = scan("sarif");
    let sarif: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(text, serde_json::to_string_pretty(&sarif).unwrap() + "\n");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), rows.len());
    for (result, row) in results.iter().zip(&rows) {
        assert_eq!(result["ruleId"], row["vulnerability"]);
        assert_eq!(
            result["locations"][0]["logicalLocations"][0]["name"],
            row["component"]
        );
    }
    let mut first_found: Vec<&Value> = Vec::new();
    for row in &rows {
        if !first_found.contains(&&row["vulnerability"]) {
            first_found.push(&row["vulnerability"]);
        }
    }
    let rules: Vec<&Value> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(rules, first_found);
}

/// An import while another holds the database is refused in the user's language, and
/// the database the other import is writing is left alone.
#[test]
fn an_import_while_another_runs_is_refused() {
    let s = setup();
    let db = PathBuf::from(&s.db);
    let before = std::fs::read(&db).unwrap();
    // What a running import holds: an exclusive lock on the file beside the database.
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(db.with_extension("lock"))
        .unwrap();
    rustix::fs::flock(&held, rustix::fs::FlockOperation::NonBlockingLockExclusive).unwrap();
    let fixtures = fixtures();
    let import = |lang: &str| {
        tekigo(
            &[
                "--lang",
                lang,
                "vulndb",
                "import",
                "--db",
                &s.db,
                fixtures.to_str().unwrap(),
            ],
            s.dir.path(),
        )
    };
    for (lang, said) in [
        ("ja", "このデータベースには別の取り込みが実行中です"),
        ("en", "another import is running on this database"),
    ] {
        let out = import(lang);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said) && err.contains(&s.db), "{err}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    drop(held);
    let out = import("en");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What `tekigo ARGS` draws on a pseudo-terminal (`script`, util-linux, runs it on one and
/// copies what it draws; its pseudo-terminal reports a width of 0).
fn on_terminal(s: &Setup, args: &str) -> String {
    let command = format!("'{}' {args}", env!("CARGO_BIN_EXE_tekigo"));
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(s.dir.path())
        .env_remove("TEKIGO_VULNDB")
        .output()
        .expect("run script (util-linux)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// On a terminal a scan says what it is doing while it runs, in the user's language, and
/// clears the line when it ends; in a pipe or a CI log it says nothing.
#[test]
fn a_scan_on_a_terminal_shows_a_spinner_and_clears_it() {
    let s = setup();
    let out_file = s.dir.path().join("out.txt");
    let out_file = out_file.to_str().unwrap();
    let drawn = on_terminal(
        &s,
        &format!(
            "--lang ja vuln scan '{}' --db '{}' -o '{out_file}'",
            s.sbom, s.db
        ),
    );
    assert!(
        drawn.contains("SBOM を脆弱性データベースと照合しています"),
        "{drawn:?}"
    );
    assert!(drawn.trim_end().ends_with("\r\u{1b}[2K"), "{drawn:?}");
    // Laid out for the file, not for the terminal the command ran on (laid out to a width
    // of 0, every cell was one character wide), and on that terminal at a usable width.
    let table = std::fs::read_to_string(out_file).unwrap();
    assert!(table.contains("GHSA-jfh8-c2jp-5v3q"), "{table}");
    let drawn = on_terminal(&s, &format!("vuln scan '{}' --db '{}'", s.sbom, s.db));
    assert!(drawn.contains("GHSA-jfh8-c2jp-5v3q"), "{drawn}");

    let out = tekigo(
        &[
            "--lang", "ja", "vuln", "scan", &s.sbom, "--db", &s.db, "-o", out_file,
        ],
        s.dir.path(),
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// A warning about the SBOM is prefixed in the user's language, whatever the format.
#[test]
fn warnings_are_prefixed_in_the_users_language() {
    let s = setup();
    let sbom = s.dir.path().join("odd.cdx.json");
    std::fs::write(
        &sbom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"x","version":"1","purl":"pkg:"}]}"#,
    )
    .unwrap();
    let sbom = sbom.to_str().unwrap();
    for format in ["table", "json", "sarif"] {
        for (lang, prefix) in [("ja", "警告: "), ("en", "warning: ")] {
            let out = tekigo(
                &[
                    "--lang", lang, "vuln", "scan", sbom, "--db", &s.db, "--format", format,
                ],
                s.dir.path(),
            );
            assert!(out.status.success());
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.starts_with(&format!("{prefix}components[0].purl: invalid package URL")),
                "{format} {lang}: {err}"
            );
        }
    }
}

fn answer(dir: &Path, assessment: &str, req: &str) -> String {
    let text = std::fs::read_to_string(dir.join(format!("assessments/{assessment}.yaml"))).unwrap();
    let start = text
        .lines()
        .position(|l| {
            l.trim_start().trim_matches('\'') == format!("{req}:")
                || l.trim() == format!("'{req}':")
        })
        .unwrap_or_else(|| panic!("no answer for {req} in\n{text}"));
    text.lines()
        .skip(start + 1)
        .take_while(|l| l.starts_with("    "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_ok(args: &[&str], cwd: &Path) -> Output {
    let out = tekigo(args, cwd);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The whole triage loop on real data: the cyclonedx-py SBOM of tekigo-sbom's fixtures
/// (requests 2.31.0, setuptools 65.5.0, ...) against the real GitHub advisories for those two
/// versions; triage with `tekigo vex`; the assessment's DM, SUM and CR 7.8 answers follow.
#[test]
fn triage_with_vex_and_assessment_answers() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    run_ok(&["init", "proj", "--product", "Plant gateway"], r);
    let dir = r.join("proj");
    run_ok(
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-1",
            "--component",
            "Example PSIRT",
            "--ml-t",
            "2",
            "--id",
            "DM",
        ],
        &dir,
    );
    run_ok(
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-2",
            "--component",
            "gw",
            "--type",
            "embedded",
            "--sl-t",
            "2",
            "--id",
            "CR",
        ],
        &dir,
    );
    let db = r.join("db").display().to_string();
    let osv = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pypi-osv");
    run_ok(&["vulndb", "import", "--db", &db, osv.to_str().unwrap()], r);
    let sbom = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tekigo-sbom/tests/fixtures/cyclonedx-py-1.6.cdx.json");
    let scan = dir.join("scan.json").display().to_string();
    let scan_args = [
        "vuln",
        "scan",
        sbom.to_str().unwrap(),
        "--db",
        &db,
        "--format",
        "json",
        "-o",
        &scan,
    ];
    run_ok(&scan_args, &dir);
    let rows: Value = serde_json::from_slice(&std::fs::read(&scan).unwrap()).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["vulnerability"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["GHSA-9wx4-h78v-vm56", "GHSA-cx63-2mw6-8hw5"]);
    assert_eq!(rows[1]["published"], "2024-07-15T03:30:57Z");
    assert_eq!(rows[1]["sources"][0]["source"], "osv");

    // Untriaged, published in 2024: the high-severity setuptools finding is overdue.
    run_ok(&["assess", "import-vulns", "DM", &scan], &dir);
    let dm2 = answer(&dir, "DM", "DM-2");
    assert!(dm2.contains("status: not-satisfied"), "{dm2}");
    assert!(
        dm2.contains("GHSA-cx63-2mw6-8hw5 in pkg:pypi/setuptools@65.5.0"),
        "{dm2}"
    );
    assert!(dm2.contains("origin: scan"), "{dm2}");
    // requests' finding is medium (CVSS 5.6): late, but not serious, so not named in DM-2's
    // finding.
    assert!(
        !dm2.contains("issue: Not triaged within 30 days: GHSA-9wx4"),
        "{dm2}"
    );
    let dm4 = answer(&dir, "DM", "DM-4");
    assert!(
        dm4.contains("status: not-satisfied") && dm4.contains("Fix available"),
        "{dm4}"
    );
    assert!(answer(&dir, "DM", "SUM-5").contains("status: not-satisfied"));

    // Triage. not_affected needs a standard justification.
    let out = tekigo(
        &[
            "vex",
            "set",
            "pkg:pypi/setuptools@65.5.0",
            "GHSA-cx63-2mw6-8hw5",
            "--status",
            "not_affected",
            "--author",
            "alice",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--justification"));
    run_ok(
        &[
            "vex",
            "set",
            "pkg:pypi/setuptools@65.5.0",
            "GHSA-cx63-2mw6-8hw5",
            "--status",
            "not_affected",
            "--justification",
            "vulnerable_code_not_in_execute_path",
            "--note",
            "package_index is never called at run time",
            "--author",
            "alice",
        ],
        &dir,
    );
    run_ok(
        &[
            "vex",
            "set",
            "pkg:pypi/requests@2.31.0",
            "CVE-2024-35195",
            "--status",
            "under_investigation",
            "--author",
            "bob",
        ],
        &dir,
    );
    let list: Value =
        serde_json::from_slice(&run_ok(&["vex", "list", "--format", "json"], &dir).stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["vulnerability"], "CVE-2024-35195");
    assert_eq!(
        list[1]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(list[1]["author"], "alice");

    // A person's answer stays; the scan's suggestions follow the triage.
    run_ok(
        &[
            "assess", "set", "DM", "DM-3", "--status", "partial", "--reason", "by hand",
        ],
        &dir,
    );
    run_ok(&["assess", "import-vulns", "DM", &scan], &dir);
    assert!(answer(&dir, "DM", "DM-2").contains("status: satisfied"));
    // Found by its alias CVE-2024-35195; under investigation since today.
    assert!(answer(&dir, "DM", "DM-3").contains("reason: by hand"));
    assert!(answer(&dir, "DM", "DM-4").contains("status: satisfied"));
    assert!(
        answer(&dir, "DM", "DM-4").contains("kind: file"),
        "cites the triage file"
    );
    run_ok(&["assess", "import-vulns", "DM", &scan, "--force"], &dir);
    assert!(answer(&dir, "DM", "DM-3").contains("status: satisfied"));
    // The scan can show an inventory exists, not that the component reports it: CR 7.8 gets
    // a partial at best.
    run_ok(&["assess", "import-vulns", "CR", &scan], &dir);
    let cr = answer(&dir, "CR", "CR 7.8");
    assert!(cr.contains("status: partial"), "{cr}");

    // Export, and import into another project.
    let vex = dir.join("vex.json").display().to_string();
    let out = tekigo(&["vex", "export", "--format", "openvex"], &dir);
    if std::env::var_os("USER").is_none() {
        assert!(String::from_utf8_lossy(&out.stderr).contains("--author"));
    }
    let psirt = ["--author", "Example PSIRT"];
    let mut args = vec!["vex", "export", "--format", "openvex", "-o", &vex];
    args.extend(psirt);
    run_ok(&args, &dir);
    let doc: Value = serde_json::from_slice(&std::fs::read(&vex).unwrap()).unwrap();
    assert_eq!(doc["@context"], "https://openvex.dev/ns/v0.2.0");
    assert_eq!(doc["statements"].as_array().unwrap().len(), 2);
    let mut args = vec!["vex", "export", "--format", "csaf"];
    args.extend(psirt);
    let out = tekigo(&args, &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--publisher-namespace"));
    let csaf = run_ok(
        &[
            "vex",
            "export",
            "--format",
            "csaf",
            "--publisher-namespace",
            "https://psirt.example.com",
            "--author",
            "Example PSIRT",
        ],
        &dir,
    );
    let csaf: Value = serde_json::from_slice(&csaf.stdout).unwrap();
    assert_eq!(csaf["document"]["category"], "csaf_vex");
    run_ok(&["init", "other"], r);
    let other = r.join("other");
    run_ok(&["vex", "import", &vex], &other);
    let list: Value =
        serde_json::from_slice(&run_ok(&["vex", "list", "--format", "json"], &other).stdout)
            .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    // Bad input names the file.
    std::fs::write(other.join("bad.json"), b"{\"statements\": 3").unwrap();
    let out = tekigo(&["vex", "import", "bad.json"], &other);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
}

/// The JSON is written while the matching goes on: a reader that goes away ends the scan
/// quietly with 141 (as `tekigo ... | head` should), and an output file that cannot be
/// written is an error naming it, with an existing file left as it was.
#[test]
fn a_closed_pipe_or_an_unwritable_output_during_the_scan() {
    let s = setup();
    // 2,000 findings, far more than one buffer of output: the pipe is found closed while
    // findings are being written, not at the final flush.
    let many = s.dir.path().join("many.cdx.json");
    let log4j = r#"{"type":"library","name":"log4j-core","version":"2.14.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}"#;
    std::fs::write(
        &many,
        format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{}]}}"#,
            vec![log4j; 2000].join(",")
        ),
    )
    .unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_tekigo"))
        .args([
            "vuln",
            "scan",
            many.to_str().unwrap(),
            "--db",
            &s.db,
            "--format",
            "json",
        ])
        .current_dir(s.dir.path())
        .env_remove("TEKIGO_VULNDB")
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(141),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    let scan_to = |lang: &str, file: &Path| {
        let args = [
            "--lang",
            lang,
            "vuln",
            "scan",
            &s.sbom,
            "--db",
            &s.db,
            "--format",
            "json",
            "-o",
            file.to_str().unwrap(),
        ];
        tekigo(&args, s.dir.path())
    };
    let bad = s.dir.path().join("no/such/dir/findings.json");
    let out = scan_to("en", &bad);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/dir/findings.json"), "{err}");
    // In Japanese, tekigo's words are Japanese (the system's own reason stays as it gives it).
    let out = scan_to("ja", &bad);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let told = format!("エラー: {} に書き込めませんでした\n", bad.display());
    assert!(err.starts_with(&told), "{err}");
    assert!(!err.contains("writing"), "{err}");

    // A scan that cannot finish (the database is damaged) leaves the earlier file alone.
    let kept = s.dir.path().join("findings.json");
    std::fs::write(&kept, "[]\n").unwrap();
    assert_eq!(scan_to("en", &kept).status.code(), Some(0));
    assert_ne!(std::fs::read_to_string(&kept).unwrap(), "[]\n");
    std::fs::write(&kept, "[]\n").unwrap();
    let bytes = std::fs::read(&s.db).unwrap();
    std::fs::write(&s.db, &bytes[..bytes.len() / 2]).unwrap();
    let out = scan_to("en", &kept);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "[]\n");
}
