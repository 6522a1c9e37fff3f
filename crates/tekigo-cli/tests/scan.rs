//! `tekigo scan` as CI calls it: the JSON interface, JUnit and SARIF (validated against the
//! official SARIF 2.1.0 schema), -o, exit codes, --baseline, archives in every compression,
//! the live system. Runs against the images scripts/setup/30-images.sh builds.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{cache, ci, image, repo};

#[path = "../../../tests/python.rs"]
mod python;

fn tekigo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tekigo"))
        .args(args)
        .env_remove("TEKIGO_CATALOG_DIR")
        .env_remove("TEKIGO_LANG")
        .output()
        .expect("run tekigo")
}

fn json_scan(root: &Path) -> (Value, i32) {
    let out = tekigo(&["scan", "--root", root.to_str().unwrap(), "--format", "json"]);
    let code = out.status.code().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (v, code)
}

fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["check"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn json_interface_has_the_documented_shape() {
    let Some(minbase) = image("minbase") else {
        return;
    };
    let (report, code) = json_scan(&minbase);
    assert_eq!(code, 1, "minbase has findings");
    assert_eq!(report["schema_version"], "1.0");
    let results = report["results"].as_array().unwrap();
    assert!(results.len() >= 60);
    let allowed = ["pass", "fail", "absent", "not_applicable", "unreadable"];
    for r in results {
        assert!(r["check"].is_string());
        assert!(!r["requirements"].as_array().unwrap().is_empty());
        assert!(allowed.contains(&r["verdict"].as_str().unwrap()), "{r}");
        assert!(r["evidence"].is_array());
        assert!(r["explanation"]["ja"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
    }
    let nullok = results.iter().find(|r| r["check"] == "pam.nullok").unwrap();
    assert_eq!(nullok["verdict"], "fail");
    let ev = &nullok["evidence"][0];
    assert_eq!(ev["path"], "/etc/pam.d/common-auth");
    assert_eq!(ev["sha256"].as_str().unwrap().len(), 64);
    assert!(ev["lines"][0]["text"].as_str().unwrap().contains("nullok"));
    assert!(ev["lines"][0]["number"].as_u64().unwrap() > 0);
    let iac = report["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["abbr"] == "IAC")
        .unwrap();
    assert!(iac["sl_c"].as_u64().unwrap() < 4);
}

#[test]
fn text_junit_output_file_and_errors() {
    let Some(busybox) = image("busybox") else {
        return;
    };
    let root = busybox.to_str().unwrap();
    let out = tekigo(&["scan", "--root", root]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("FR 1 IAC — SL-C from automated evidence: 0"),
        "{text}"
    );
    // The banner's password opens root: the line is shown with it masked.
    assert!(
        text.contains("/etc/issue:2: login: ********  password: ********"),
        "{text}"
    );
    assert!(!text.contains("login: root  password: root"), "{text}");
    let ja = tekigo(&["--lang", "ja", "scan", "--root", root]);
    assert!(String::from_utf8(ja.stdout)
        .unwrap()
        .contains("既知の初期パスワードがない"));

    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("scan.xml");
    let out = tekigo(&[
        "scan",
        "--root",
        root,
        "--format",
        "junit",
        "-o",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("<testcase classname=\"FR 1\" name=\"accounts.default-credentials"));
    assert!(xml.contains("<failure type=\"fail\""));
    assert!(xml.contains("<skipped message=\"not_applicable"));

    let missing = tekigo(&["scan", "--root", "/nonexistent/rootfs"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/rootfs"));
    let bad_baseline = dir.path().join("old.json");
    std::fs::write(&bad_baseline, "{\"not\": \"a report\"}").unwrap();
    let out = tekigo(&[
        "scan",
        "--root",
        root,
        "--baseline",
        bad_baseline.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("old.json"));
}

/// The SARIF output against the official 2.1.0 schema, from the npm package
/// @microsoft/jest-sarif that scripts/setup/30-images.sh unpacks into the cache.
#[test]
fn sarif_validates_against_the_official_schema() {
    let Some(busybox) = image("busybox") else {
        return;
    };
    let out = tekigo(&[
        "scan",
        "--root",
        busybox.to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let creds = results
        .iter()
        .find(|r| r["ruleId"] == "accounts.default-credentials")
        .unwrap();
    assert_eq!(creds["kind"], "fail");
    assert_eq!(creds["level"], "error");
    assert_eq!(
        creds["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "etc/shadow"
    );
    let schema = cache().join("sarif/sarif-2.1.0-rtm.5.json");
    if !schema.exists() {
        assert!(
            !ci(),
            "{} missing: run scripts/setup/30-images.sh",
            schema.display()
        );
        eprintln!("skipping schema validation: {} missing", schema.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("scan.sarif");
    std::fs::write(&doc, &out.stdout).unwrap();
    let check = python::python()
        .arg("-c")
        .arg(
            "import json,sys,jsonschema\n\
             s=json.load(open(sys.argv[1])); d=json.load(open(sys.argv[2]))\n\
             jsonschema.validators.validator_for(s)(s).validate(d)\n",
        )
        .arg(&schema)
        .arg(&doc)
        .output()
        .expect("python3");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn baseline_reports_new_and_fixed_findings() {
    let (Some(minbase), Some(hardened)) = (image("minbase"), image("hardened")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let out = tekigo(&[
        "scan",
        "--root",
        minbase.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        old.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    // Same target again: nothing new, so exit 0 even with findings.
    let out = tekigo(&[
        "scan",
        "--root",
        minbase.to_str().unwrap(),
        "--baseline",
        old.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(again["baseline"]["new"].as_array().unwrap().is_empty());
    let out = tekigo(&[
        "scan",
        "--root",
        hardened.to_str().unwrap(),
        "--baseline",
        old.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fixed: Vec<&str> = diff["baseline"]["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for check in ["pam.nullok", "pam.lockout", "net.firewall", "audit.daemon"] {
        assert!(fixed.contains(&check), "{check} not fixed: {fixed:?}");
    }
    let new: Vec<&str> = diff["baseline"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(out.status.code(), Some(i32::from(!new.is_empty())));
    let text = tekigo(&[
        "scan",
        "--root",
        hardened.to_str().unwrap(),
        "--baseline",
        old.to_str().unwrap(),
    ]);
    assert!(String::from_utf8(text.stdout)
        .unwrap()
        .contains("against the baseline:"));
}

/// The BusyBox image as .tar, .tar.gz, .tar.xz and .tar.zst gives the verdicts of the
/// directory (made with the system tar, which keeps owners and modes).
#[test]
fn archives_in_every_compression_scan_like_the_directory() {
    let Some(busybox) = image("busybox") else {
        return;
    };
    let (dir_report, _) = json_scan(&busybox);
    let expected = verdicts(&dir_report);
    let work = tempfile::tempdir().unwrap();
    for (name, flag) in [
        ("img.tar", ""),
        ("img.tar.gz", "-z"),
        ("img.tar.xz", "-J"),
        ("img.tar.zst", "--zstd"),
    ] {
        let archive = work.path().join(name);
        let mut cmd = Command::new("tar");
        cmd.arg("-C").arg(&busybox).arg("-c");
        if !flag.is_empty() {
            cmd.arg(flag);
        }
        let status = cmd.arg("-f").arg(&archive).arg(".").status().unwrap();
        if !status.success() {
            assert!(
                !ci(),
                "tar {flag} failed (zstd and xz-utils come from scripts/setup/30-images.sh)"
            );
            continue;
        }
        let (report, code) = json_scan(&archive);
        assert_eq!(code, 1, "{name}");
        assert_eq!(report["target"]["kind"], "archive");
        let root_owned = rustix_is_root();
        assert_eq!(report["target"]["ownership_preserved"], root_owned);
        let got = verdicts(&report);
        if root_owned {
            assert_eq!(got, expected, "{name}");
        } else {
            // Without root the owners are lost: only ownership checks may differ.
            for ((c, v), (_, w)) in got.iter().zip(&expected) {
                assert!(v == w || v == "unreadable", "{name}: {c} {v} vs {w}");
            }
        }
    }
}

fn rustix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

#[test]
fn live_system_scan_runs_read_only() {
    let out = tekigo(&["scan", "--format", "json"]);
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["target"]["kind"], "live");
    // Image-only checks do not judge a running system.
    let machine_id = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == "sys.machine-id")
        .unwrap();
    assert_eq!(machine_id["verdict"], "not_applicable");
}

/// The scanner's real report, imported into an assessment: suggestions with evidence, and a
/// person's answer kept until --force.
#[test]
#[cfg(feature = "full")]
fn scan_results_become_suggested_answers_in_an_assessment() {
    let Some(root) = image("hardened") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("scan.json");
    common::scan_root(&root, &["-o", scan.to_str().unwrap()]);
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tekigo"))
            .args(args)
            .current_dir(dir.path().join("p"))
            .output()
            .expect("run tekigo");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    assert!(tekigo(&["init", dir.path().join("p").to_str().unwrap()])
        .status
        .success());
    run(&[
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
    ]);
    run(&[
        "assess",
        "set",
        "A",
        "CR 2.11",
        "--status",
        "partial",
        "--reason",
        "checked by hand",
    ]);
    let out = run(&["assess", "import-scan", "A", scan.to_str().unwrap()]);
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("kept"), "{msg}");
    let show: Value =
        serde_json::from_slice(&run(&["assess", "show", "A", "--format", "json"]).stdout).unwrap();
    assert!(
        show["progress"]["from_scan"].as_u64().unwrap() >= 20,
        "{show}"
    );
    let yaml = std::fs::read_to_string(dir.path().join("p/assessments/A.yaml")).unwrap();
    assert!(
        yaml.contains("origin: scan") && yaml.contains("kind: scan"),
        "{yaml}"
    );
    assert!(yaml.contains("reason: checked by hand"));
    // The scan report itself is in the evidence store, by hash.
    let hash = tekigo_assess::evidence::sha256_file(&scan).unwrap();
    assert!(dir.path().join("p/evidence").join(&hash).is_file());
    run(&[
        "assess",
        "import-scan",
        "A",
        scan.to_str().unwrap(),
        "--force",
    ]);
    let yaml = std::fs::read_to_string(dir.path().join("p/assessments/A.yaml")).unwrap();
    assert!(!yaml.contains("reason: checked by hand"));
}

/// The static aarch64 device binary under qemu-user against an arm64 BusyBox root
/// (scripts/test-aarch64.sh: catalog, scan --format json with the interface fields, --sbom
/// listing the root's arm64 package). Runs when TEKIGO_AARCH64_BIN names the binary, as
/// scripts/test.sh sets it after building it; under CI a missing binary fails.
#[test]
fn aarch64_static_binary_scans_an_arm64_root_under_qemu() {
    let Some(bin) = std::env::var_os("TEKIGO_AARCH64_BIN") else {
        assert!(
            !ci(),
            "TEKIGO_AARCH64_BIN not set: scripts/test.sh builds it with scripts/build-static.sh"
        );
        eprintln!("skipping: TEKIGO_AARCH64_BIN not set");
        return;
    };
    let out = Command::new(repo().join("scripts/test-aarch64.sh"))
        .env("TEKIGO_AARCH64_BIN", &bin)
        .output()
        .expect("run scripts/test-aarch64.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for step in [
        "PASS binary is a static aarch64 executable",
        "PASS catalog list runs under qemu-aarch64",
        "PASS scan --root ARM64_ROOT --format json",
        "PASS scan --sbom writes a valid CycloneDX SBOM",
    ] {
        assert!(
            stdout.contains(step),
            "missing {step:?}:\n{stdout}\n{stderr}"
        );
    }
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}
