//! Issue 20 end to end: an image with a CIP kernel scanned into an SBOM, the kernel CNA's
//! own CVE records imported, and `vuln scan --kernel-config --kernel-source` deciding each
//! kernel CVE from the real Kbuild files of Linux 6.1.192 and a generated arm64 `.config`
//! (the fixtures of tekigo-vulndb and tekigo-kconfig; their READMEs say where each comes
//! from).

mod common;

use common::{ok, repo, stderr, stdout, tekigo};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn crate_dir(name: &str) -> PathBuf {
    repo().join("crates").join(name)
}

/// An image holding kernel `release` with its configuration, scanned into `sbom.json`, and
/// the six kernel records imported into `db`.
fn device(dir: &Path, release: &str) {
    let root = dir.join("rootfs");
    let modules = root.join("lib/modules").join(release);
    std::fs::create_dir_all(&modules).unwrap();
    std::fs::write(modules.join("modules.dep"), "").unwrap();
    std::fs::create_dir_all(root.join("boot")).unwrap();
    std::fs::copy(
        crate_dir("tekigo-kconfig/tests/fixtures/config/arm64-6.1.192.config"),
        root.join("boot").join(format!("config-{release}")),
    )
    .unwrap();
    let out = tekigo(
        dir,
        &[
            "scan",
            "--root",
            "rootfs",
            "--format",
            "json",
            "--sbom",
            "sbom.json",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let records = crate_dir("tekigo-vulndb/tests/kernel-cves");
    ok(
        dir,
        &["vulndb", "import", "--db", "db", records.to_str().unwrap()],
    );
}

fn scan(dir: &Path, extra: &[&str]) -> Vec<Value> {
    serde_json::from_value(scan_as(dir, "json", extra)).unwrap()
}

/// The scan's output in `format` (json or sarif), parsed.
fn scan_as(dir: &Path, format: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "vuln",
        "scan",
        "sbom.json",
        "--db",
        "db",
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    let out = ok(dir, &args);
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn kernel_args(dir: &Path) -> Vec<String> {
    let config = dir.join("rootfs/boot/config-5.10.200-cip40");
    let source = crate_dir("tekigo-kconfig/tests/fixtures/linux-6.1.192");
    vec![
        "--kernel-config".into(),
        config.display().to_string(),
        "--kernel-source".into(),
        source.display().to_string(),
    ]
}

#[test]
fn the_sbom_names_the_kernel_and_its_configuration() {
    let dir = tempfile::tempdir().unwrap();
    device(dir.path(), "5.10.200-cip40");
    let sbom: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sbom.json")).unwrap())
            .unwrap();
    let kernel = sbom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "linux")
        .expect("the kernel in the SBOM");
    assert_eq!(kernel["version"], "5.10.200-cip40");
    let config = kernel["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "tekigo:kernel:config")
        .expect("the configuration named");
    assert!(config["value"]
        .as_str()
        .unwrap()
        .starts_with("/boot/config-5.10.200-cip40 sha256:"));
}

#[test]
fn kernel_cves_decided_by_configuration() {
    let dir = tempfile::tempdir().unwrap();
    device(dir.path(), "5.10.200-cip40");
    // Without the configuration, every version match stands.
    let rows = scan(dir.path(), &[]);
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["vulnerability"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "CVE-2024-26581",
            "CVE-2024-26598",
            "CVE-2024-26602",
            "CVE-2024-26640",
            "CVE-2024-26704"
        ]
    );
    assert!(rows.iter().all(|r| r["state"] == "affected"), "{rows:?}");

    let args = kernel_args(dir.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let rows = scan(dir.path(), &args);
    let by_id = |id: &str| rows.iter().find(|r| r["vulnerability"] == id).unwrap();
    for r in &rows {
        assert_eq!(r["component"], "pkg:generic/linux@5.10.200-cip40");
        assert_eq!(r["version"], "5.10.200-cip40");
    }
    // nft_set_rbtree.c: nf_tables is not configured on this board.
    let r = by_id("CVE-2024-26581");
    assert_eq!(r["state"], "not_affected");
    assert_eq!(r["justification"], "vulnerable_code_not_present");
    // Kbuild files are named inside the tree, the configuration by its file name here.
    let evidence: Vec<String> = r["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let file = l["file"].as_str().unwrap();
            let file = if file.starts_with('/') {
                file.rsplit('/').next().unwrap()
            } else {
                file
            };
            let text: Vec<&str> = l["text"].as_str().unwrap().split_whitespace().collect();
            format!("{file}:{}: {}", l["number"], text.join(" "))
        })
        .collect();
    assert_eq!(
        evidence[1],
        "net/netfilter/Makefile:99: obj-$(CONFIG_NF_TABLES) += nf_tables.o"
    );
    assert_eq!(
        evidence[2],
        "config-5.10.200-cip40:1080: # CONFIG_NF_TABLES is not set"
    );
    // Built: vgic-its.c (KVM), tcp.c, ext4's move_extent.c.
    for id in ["CVE-2024-26598", "CVE-2024-26640", "CVE-2024-26704"] {
        let r = by_id(id);
        assert_eq!(r["state"], "affected", "{id}");
        assert!(r.get("justification").is_none(), "{id}");
    }
    // membarrier.c is #included, not named by Kbuild: unknown, with the reason.
    let r = by_id("CVE-2024-26602");
    assert_eq!(r["state"], "unknown");
    assert!(r["state_reason"]
        .as_str()
        .unwrap()
        .contains("does not name membarrier.o"));
    // The tree's compact index gives the same rows, evidence and reasons included.
    let source = crate_dir("tekigo-kconfig/tests/fixtures/linux-6.1.192");
    let index = dir.path().join("linux.kbuild");
    ok(
        dir.path(),
        &[
            "kconfig",
            "index",
            source.to_str().unwrap(),
            "-o",
            index.to_str().unwrap(),
        ],
    );
    let mut from_index = args.clone();
    let at = from_index.len() - 1;
    from_index[at] = index.to_str().unwrap();
    assert_eq!(scan(dir.path(), &from_index), rows);
    // The suggestion closes the finding for --fail-on; the others keep it failing.
    let mut fail = vec![
        "vuln",
        "scan",
        "sbom.json",
        "--db",
        "db",
        "--fail-on",
        "low",
    ];
    fail.extend_from_slice(&args);
    assert_eq!(tekigo(dir.path(), &fail).status.code(), Some(1));
    // In Japanese, the table says it is a suggestion.
    let mut ja = vec!["--lang", "ja", "vuln", "scan", "sbom.json", "--db", "db"];
    ja.extend_from_slice(&args);
    let table = stdout(&ok(dir.path(), &ja));
    assert!(table.contains("提案: not_affected"), "{table}");
    // SARIF (code scanning in CI) says the same: the suggestion is a note that says what it
    // is, the unknown may be affected, the affected is affected.
    let sarif = scan_as(dir.path(), "sarif", &args);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = |id: &str| results.iter().find(|r| r["ruleId"] == id).unwrap();
    let text = |id: &str| result(id)["message"]["text"].as_str().unwrap().to_string();
    let r = result("CVE-2024-26581");
    assert_eq!(r["level"], "note");
    assert_eq!(r["properties"]["state"], "not_affected");
    assert_eq!(
        r["properties"]["justification"],
        "vulnerable_code_not_present"
    );
    assert!(
        text("CVE-2024-26581").contains("suggested not_affected")
            && !text("CVE-2024-26581").contains("is affected by"),
        "{}",
        text("CVE-2024-26581")
    );
    let unknown = text("CVE-2024-26602");
    assert!(
        unknown.contains("may be affected by") && unknown.contains("does not name membarrier.o"),
        "{unknown}"
    );
    assert_eq!(result("CVE-2024-26602")["properties"]["state"], "unknown");
    assert!(text("CVE-2024-26640").contains("is affected by CVE-2024-26640"));
    assert_eq!(result("CVE-2024-26640")["properties"]["state"], "affected");
    assert_ne!(result("CVE-2024-26640")["level"], "note");
}

#[test]
fn a_cip_kernel_above_every_fix_has_no_finding() {
    let dir = tempfile::tempdir().unwrap();
    device(dir.path(), "5.10.218-cip50");
    assert!(scan(dir.path(), &[]).is_empty());
}

#[test]
fn bad_kernel_inputs_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    device(dir.path(), "5.10.200-cip40");
    std::fs::write(dir.path().join("bad.config"), "CONFIG_A=y\nnot a line\n").unwrap();
    let source = crate_dir("tekigo-kconfig/tests/fixtures/linux-6.1.192");
    let out = tekigo(
        dir.path(),
        &[
            "vuln",
            "scan",
            "sbom.json",
            "--db",
            "db",
            "--kernel-config",
            "bad.config",
            "--kernel-source",
            source.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.config:2"), "{}", stderr(&out));
    // One without the other is refused by the argument parser.
    let out = tekigo(
        dir.path(),
        &[
            "vuln",
            "scan",
            "sbom.json",
            "--db",
            "db",
            "--kernel-config",
            "bad.config",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}
