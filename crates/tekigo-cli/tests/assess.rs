//! `tekigo init`, `assess`, `report --format xlsx`, `keygen` and `verify` as the acceptance
//! checks call them, run inside a fresh project directory.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn tekigo(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tekigo"))
        .args(args)
        .current_dir(dir)
        .env("TEKIGO_DATA_DIR", dir.join(".data"))
        .env_remove("TEKIGO_CATALOG_DIR")
        .env_remove("TEKIGO_LANG")
        .env_remove("TEKIGO_ASSESSOR")
        .output()
        .expect("run tekigo")
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = tekigo(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn show(dir: &Path) -> Value {
    let out = ok(dir, &["assess", "show", "A", "--format", "json"]);
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn setup() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    ok(root.path(), &["init", "proj", "--product", "Gateway"]);
    let dir = root.path().join("proj");
    ok(
        &dir,
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
            "A",
        ],
    );
    root
}

#[test]
fn the_acceptance_interface_computes_the_achieved_vector() {
    let root = setup();
    let dir = root.path().join("proj");
    assert!(dir.join("tekigo.yaml").is_file() && dir.join("evidence").is_dir());
    let v = show(&dir);
    assert_eq!(v["target"], serde_json::json!([2, 2, 2, 2, 2, 2, 2]));
    assert_eq!(v["achieved"], serde_json::json!([0, 0, 0, 0, 0, 0, 0]));

    // Answer every FR 5 requirement that applies up to SL 4 for an embedded device.
    let list = ok(
        &dir,
        &[
            "checklist",
            "--standard",
            "62443-4-2",
            "--type",
            "embedded",
            "--sl-t",
            "4",
            "--format",
            "json",
        ],
    );
    let items: Value = serde_json::from_slice(&list.stdout).unwrap();
    let fr5: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["fr"].as_str().unwrap_or_default().starts_with("FR 5"))
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(!fr5.is_empty());
    std::fs::write(dir.join("zones.pdf"), b"%PDF-1.4 network diagram").unwrap();
    for id in &fr5 {
        ok(
            &dir,
            &[
                "assess",
                "set",
                "A",
                id,
                "--status",
                "satisfied",
                "--reason",
                "VLAN で分離",
                "--evidence",
                "zones.pdf",
            ],
        );
    }
    let v = show(&dir);
    assert_eq!(v["achieved"], serde_json::json!([0, 0, 0, 0, 4, 0, 0]));
    // One FR 5 requirement not satisfied: FR 5 drops to the level below its lowest SL.
    ok(
        &dir,
        &[
            "assess",
            "set",
            "A",
            fr5[0],
            "--status",
            "not-satisfied",
            "--reason",
            "未対応",
        ],
    );
    assert_eq!(show(&dir)["achieved"][4], 0);
    ok(
        &dir,
        &[
            "assess",
            "set",
            "A",
            fr5[0],
            "--status",
            "compensating",
            "--reason",
            "外部",
            "--countermeasure",
            "上位FW",
        ],
    );
    // A compensating countermeasure is outside the component: the claimed SL-C stays, the
    // level with compensating countermeasures reaches 4.
    let v = show(&dir);
    assert_eq!(v["achieved"][4], 0);
    assert_eq!(v["with_compensating"][4], 4);
    assert_eq!(v["frs"][4]["compensating"], serde_json::json!([fr5[0]]));
    // The evidence is stored once, by hash.
    let stored: Vec<_> = std::fs::read_dir(dir.join("evidence")).unwrap().collect();
    assert_eq!(stored.len(), 2, "one file and its metadata");

    // gaps exits 1 while requirements in scope are unmet.
    let gaps = tekigo(&dir, &["assess", "gaps", "A", "--format", "json"]);
    assert_eq!(gaps.status.code(), Some(1));
    let gaps: Value = serde_json::from_slice(&gaps.stdout).unwrap();
    assert!(gaps.as_array().unwrap().iter().any(|g| g["id"] == "CR 1.1"));
}

#[test]
fn bad_input_is_refused_with_a_clear_error_and_exit_2() {
    let root = setup();
    let dir = root.path().join("proj");
    for (args, needle) in [
        (
            vec!["assess", "set", "A", "CR 2.13", "--status", "satisfied"],
            "EDR 2.13",
        ),
        (
            vec!["assess", "set", "A", "CR 1.1", "--status", "done"],
            "satisfied",
        ),
        (
            vec!["assess", "set", "A", "CR 1.1", "--status", "not-applicable"],
            "justification",
        ),
        (
            vec![
                "assess",
                "set",
                "A",
                "CR 1.1",
                "--status",
                "satisfied",
                "--evidence",
                "missing.txt",
            ],
            "missing.txt",
        ),
        (vec!["assess", "show", "nope"], "no assessment"),
        (
            vec![
                "assess",
                "new",
                "--standard",
                "62443-4-2",
                "--component",
                "x",
                "--sl-t",
                "2",
            ],
            "--type",
        ),
        (
            vec![
                "assess",
                "new",
                "--standard",
                "62443-4-1",
                "--component",
                "x",
                "--sl-t",
                "2",
            ],
            "--ml-t",
        ),
    ] {
        let out = tekigo(&dir, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // Outside a project.
    let out = tekigo(root.path(), &["assess", "show", "A"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tekigo init"));
}

#[test]
fn excel_export_import_and_signed_report_verification() {
    let root = setup();
    let dir = root.path().join("proj");
    std::fs::write(dir.join("sshd_config"), b"PermitRootLogin no\n").unwrap();
    ok(
        &dir,
        &[
            "assess",
            "set",
            "A",
            "CR 1.1",
            "--status",
            "satisfied",
            "--reason",
            "鍵認証のみ",
            "--evidence",
            "sshd_config",
            "--assessor",
            "sato",
        ],
    );
    let before = std::fs::read(dir.join("assessments/A.yaml")).unwrap();
    ok(&dir, &["report", "A", "--format", "xlsx", "-o", "A.xlsx"]);
    ok(&dir, &["assess", "import-xlsx", "A", "A.xlsx"]);
    assert_eq!(
        std::fs::read(dir.join("assessments/A.yaml")).unwrap(),
        before
    );

    ok(&dir, &["keygen", "signer.key"]);
    let out = ok(
        &dir,
        &[
            "report",
            "A",
            "--format",
            "xlsx",
            "-o",
            "signed.xlsx",
            "--sign-key",
            "signer.key",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("signed.xlsx.sig.json"));
    ok(
        &dir,
        &["verify", "signed.xlsx", "--public-key", "signer.key.pub"],
    );

    // Another key is not the expected signer.
    ok(&dir, &["keygen", "other.key"]);
    let out = tekigo(
        &dir,
        &["verify", "signed.xlsx", "--public-key", "other.key.pub"],
    );
    assert_eq!(out.status.code(), Some(1));

    // Any change to an evidence file fails verification...
    let evidence: Vec<_> = std::fs::read_dir(dir.join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none())
        .collect();
    assert_eq!(evidence.len(), 1);
    let original = std::fs::read(&evidence[0]).unwrap();
    std::fs::write(&evidence[0], b"PermitRootLogin yes\n").unwrap();
    let out = tekigo(&dir, &["verify", "signed.xlsx", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["failures"][0].as_str().unwrap().contains("sshd_config"),
        "{v}"
    );
    std::fs::write(&evidence[0], original).unwrap();
    ok(&dir, &["verify", "signed.xlsx"]);
    // ...and so does any change to the report, or to the manifest.
    let mut report = std::fs::read(dir.join("signed.xlsx")).unwrap();
    report.push(0);
    std::fs::write(dir.join("signed.xlsx"), &report).unwrap();
    assert_eq!(
        tekigo(&dir, &["verify", "signed.xlsx"]).status.code(),
        Some(1)
    );
    report.pop();
    std::fs::write(dir.join("signed.xlsx"), &report).unwrap();
    let sig = std::fs::read_to_string(dir.join("signed.xlsx.sig.json")).unwrap();
    std::fs::write(
        dir.join("signed.xlsx.sig.json"),
        sig.replace("\"name\": \"signed.xlsx\"", "\"name\": \"forged.xlsx\""),
    )
    .unwrap();
    assert_eq!(
        tekigo(&dir, &["verify", "signed.xlsx"]).status.code(),
        Some(1)
    );

    // The secret key file is private.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.join("signer.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        tekigo(&dir, &["keygen", "signer.key"]).status.code(),
        Some(2),
        "never overwrites a key"
    );
}

#[test]
fn reports_follow_the_project_language_unless_told_otherwise() {
    let root = tempfile::tempdir().unwrap();
    ok(root.path(), &["--lang", "ja", "init", "proj"]);
    let dir = root.path().join("proj");
    let config = std::fs::read_to_string(dir.join("tekigo.yaml")).unwrap();
    assert!(config.contains("language: ja"), "{config}");
    ok(
        &dir,
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
            "1",
            "--id",
            "A",
        ],
    );
    ok(&dir, &["report", "A", "--format", "html", "-o", "ja.html"]);
    ok(
        &dir,
        &[
            "--lang", "en", "report", "A", "--format", "html", "-o", "en.html",
        ],
    );
    let ja = std::fs::read_to_string(dir.join("ja.html")).unwrap();
    let en = std::fs::read_to_string(dir.join("en.html")).unwrap();
    assert!(ja.contains("IEC 62443 評価報告書"));
    assert!(!ja.contains("IEC 62443 assessment report"));
    assert!(en.contains("IEC 62443 assessment report"));
    assert!(!en.contains("IEC 62443 評価報告書"));
}
