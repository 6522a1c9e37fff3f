//! `tekigo release freeze|diff|verify` on real scans and SBOMs of the minbase and hardened
//! root filesystems (scripts/setup/30-images.sh), compared with a plain recomputation from
//! the scan reports and SBOM files themselves.

mod common;

use common::{image, ok, project, scan_root, stderr, stdout, tekigo};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// The check ids a scan report counts as findings (fail or absent).
fn findings(report: &Value) -> BTreeSet<String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| matches!(r["verdict"].as_str(), Some("fail" | "absent")))
        .map(|r| r["check"].as_str().unwrap().to_string())
        .collect()
}

/// A CycloneDX SBOM's components as the diff identifies them: the PURL before its version,
/// with its `arch` qualifier.
fn components(sbom: &Value) -> BTreeSet<String> {
    sbom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .map(|p| {
            let base = p.split('@').next().unwrap().to_string();
            match p.split_once('?').and_then(|(_, q)| {
                q.split('&')
                    .find_map(|kv| kv.strip_prefix("arch=").map(str::to_string))
            }) {
                Some(arch) => format!("{base}?arch={arch}"),
                None => base,
            }
        })
        .collect()
}

fn ids(list: &Value, field: &str) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn minbase_to_hardened_is_classified_with_its_requirements() {
    let (Some(minbase), Some(hardened)) = (image("minbase"), image("hardened")) else {
        return;
    };
    let p = project("en", "Gateway");
    let dir = p.path();
    let set = |status: &str| {
        ok(
            dir,
            &[
                "assess", "set", "A", "CR 1.1", "--status", status, "--reason", "checked",
            ],
        )
    };
    set("satisfied");
    let (old_scan, old_sbom) = (dir.join("old.json"), dir.join("old.cdx.json"));
    let (new_scan, new_sbom) = (dir.join("new.json"), dir.join("new.cdx.json"));
    scan_root(
        &minbase,
        &[
            "-o",
            old_scan.to_str().unwrap(),
            "--sbom",
            old_sbom.to_str().unwrap(),
        ],
    );
    scan_root(
        &hardened,
        &[
            "-o",
            new_scan.to_str().unwrap(),
            "--sbom",
            new_sbom.to_str().unwrap(),
        ],
    );
    ok(
        dir,
        &[
            "release",
            "freeze",
            "1.0",
            "--sbom",
            "old.cdx.json",
            "--scan",
            "old.json",
        ],
    );
    // Frozen is frozen: the same version again is refused, and nothing changes.
    let before = std::fs::read(dir.join("releases/1.0/release.json")).unwrap();
    let again = tekigo(dir, &["release", "freeze", "1.0", "--sbom", "new.cdx.json"]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already frozen"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read(dir.join("releases/1.0/release.json")).unwrap(),
        before
    );

    set("not-satisfied");
    ok(
        dir,
        &[
            "release",
            "freeze",
            "2.0",
            "--sbom",
            "new.cdx.json",
            "--scan",
            "new.json",
        ],
    );
    let out = ok(dir, &["release", "diff", "1.0", "2.0", "--format", "json"]);
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();

    // Answers: the requirement whose answer changed appears, and it weakened.
    let answers = d["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["requirement"], "CR 1.1");
    assert_eq!(answers[0]["weakened"], true);

    // Scan: new and fixed findings by check id, as the two reports give them.
    let (a, b) = (
        findings(&read_json(&old_scan)),
        findings(&read_json(&new_scan)),
    );
    let new_fail: BTreeSet<String> = b.difference(&a).cloned().collect();
    let fixed: BTreeSet<String> = a.difference(&b).cloned().collect();
    assert!(d["scan"]["compared"].as_bool().unwrap());
    assert_eq!(ids(&d["scan"]["new_failures"], "check"), new_fail);
    assert_eq!(ids(&d["scan"]["fixed_failures"], "check"), fixed);
    for check in ["pam.nullok", "pam.lockout", "net.firewall", "audit.daemon"] {
        assert!(fixed.contains(check), "{check} not fixed: {fixed:?}");
    }

    // SBOM: components added and removed, as the two SBOM files list them.
    let (ca, cb) = (
        components(&read_json(&old_sbom)),
        components(&read_json(&new_sbom)),
    );
    let added: BTreeSet<String> = cb.difference(&ca).cloned().collect();
    let removed: BTreeSet<String> = ca.difference(&cb).cloned().collect();
    assert!(
        !added.is_empty(),
        "the hardened image adds packages (OpenSSH, auditd, ...)"
    );
    assert_eq!(ids(&d["sbom"]["added"], "component"), added);
    assert_eq!(ids(&d["sbom"]["removed"], "component"), removed);
    assert!(
        added.iter().any(|c| c.contains("/openssh-server")),
        "{added:?}"
    );

    // Classification: re-assess, because CR 1.1 weakened (R2); every rule that holds is
    // named with what it concerns.
    let c = &d["classification"];
    assert_eq!(c["verdict"], "re-assess");
    let rule = |id: &str| {
        c["decided_by"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == id)
            .cloned()
    };
    let r2 = rule("R2").expect("R2 holds");
    assert_eq!(r2["requirements"], serde_json::json!(["CR 1.1"]));
    assert_eq!(r2["verdict"], "re-assess");
    let n3 = rule("N3").expect("fixed scan findings are reported");
    let fixed_reqs: BTreeSet<String> = read_json(&old_scan)["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| fixed.contains(r["check"].as_str().unwrap()))
        .flat_map(|r| r["requirements"].as_array().unwrap().clone())
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        n3["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect::<BTreeSet<_>>(),
        fixed_reqs
    );
    assert!(rule("N4").is_some(), "components were added");
    assert_eq!(rule("R3").is_some(), !new_fail.is_empty());
    assert_eq!(
        c["rules"].as_array().unwrap().len(),
        10,
        "the rule table is shown"
    );

    // The text output shows the verdict with its rules; Japanese too.
    let text = stdout(&ok(dir, &["release", "diff", "1.0", "2.0"]));
    assert!(text.contains("re-assess"), "{text}");
    assert!(text.contains("R2"), "{text}");
    let ja = stdout(&ok(dir, &["--lang", "ja", "release", "diff", "1.0", "2.0"]));
    assert!(ja.contains("再評価が必要"), "{ja}");

    // The same state frozen again differs in nothing that matters.
    ok(
        dir,
        &[
            "release",
            "freeze",
            "2.0.1",
            "--sbom",
            "new.cdx.json",
            "--scan",
            "new.json",
        ],
    );
    let same: Value = serde_json::from_slice(
        &ok(
            dir,
            &["release", "diff", "2.0", "2.0.1", "--format", "json"],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(same["classification"]["verdict"], "no-security-impact");
    assert!(same["answers"].as_array().unwrap().is_empty());
}

#[test]
fn a_signed_release_verifies_and_a_changed_file_does_not() {
    let p = project("en", "Gateway");
    let dir = p.path();
    let sbom = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
        {"type":"library","name":"zlib","version":"1.2.13","purl":"pkg:deb/debian/zlib1g@1.2.13?arch=amd64"}]}"#;
    std::fs::write(dir.join("bom.json"), sbom).unwrap();
    ok(dir, &["keygen", "release.key"]);
    ok(dir, &["keygen", "other.key"]);
    ok(
        dir,
        &[
            "release",
            "freeze",
            "1.0",
            "--sbom",
            "bom.json",
            "--sign-key",
            "release.key",
            "--support-until",
            "2030-12-31",
        ],
    );
    let list: Value =
        serde_json::from_slice(&ok(dir, &["release", "list", "--format", "json"]).stdout).unwrap();
    assert_eq!(list[0]["version"], "1.0");
    assert_eq!(list[0]["signed"], true);
    let release = read_json(&dir.join("releases/1.0/release.json"));
    assert_eq!(release["support_until"], "2030-12-31");
    assert_eq!(release["sboms"], serde_json::json!(["bom.json"]));
    assert!(release["frozen_at"].as_str().unwrap().ends_with('Z'));

    ok(
        dir,
        &["release", "verify", "1.0", "--key", "release.key.pub"],
    );
    let wrong = tekigo(dir, &["release", "verify", "1.0", "--key", "other.key.pub"]);
    assert_eq!(wrong.status.code(), Some(1), "{}", stdout(&wrong));

    // A changed SBOM copy is caught; so is an edited release.json.
    let copy = dir.join("releases/1.0/bom.json");
    std::fs::write(&copy, sbom.replace("1.2.13", "1.3.1")).unwrap();
    let out = tekigo(
        dir,
        &["release", "verify", "1.0", "--key", "release.key.pub"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("bom.json was modified"),
        "{}",
        stdout(&out)
    );
    std::fs::write(&copy, sbom).unwrap();
    ok(dir, &["release", "verify", "1.0"]);
    let path = dir.join("releases/1.0/release.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("2030-12-31", "2040-12-31")).unwrap();
    let out = tekigo(dir, &["release", "verify", "1.0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("changed since the release was frozen"),
        "{}",
        stdout(&out)
    );

    // Versions that would leave releases/ are refused.
    for bad in ["../x", ".hidden", "a/b", ""] {
        let out = tekigo(dir, &["release", "freeze", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
    let missing = tekigo(dir, &["release", "diff", "1.0", "9.9"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no release 9.9"),
        "{}",
        stderr(&missing)
    );
}

#[path = "../../../tests/receiver.rs"]
mod receiver;
use receiver::receiver;

fn osv(id: &str, cve: &str, ecosystem: &str, name: &str, fixed: &str) -> String {
    serde_json::json!({
        "id": id,
        "modified": "2026-12-01T00:00:00Z",
        "aliases": [cve],
        "summary": "a test advisory",
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": name},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]
        }]
    })
    .to_string()
}

/// The HMAC-SHA256 of `body` under `secret`, by Python's hmac module (an implementation
/// independent of tekigo's).
fn python_hmac(secret: &str, body: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())",
            secret,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_watch_delivers_each_new_finding_once_with_the_cra_clock_for_kev() {
    let p = project("en", "Gateway");
    let dir = p.path();
    // The product's support period, inherited by releases without their own.
    let yaml = std::fs::read_to_string(dir.join("tekigo.yaml")).unwrap();
    let yaml = yaml.replacen("product:\n", "product:\n  support_until: 2030-12-31\n", 1);
    std::fs::write(dir.join("tekigo.yaml"), yaml).unwrap();
    let sbom = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
        {"type":"library","name":"lodash","version":"4.17.20","purl":"pkg:npm/lodash@4.17.20"},
        {"type":"library","name":"requests","version":"2.31.0","purl":"pkg:pypi/requests@2.31.0"}]}"#;
    std::fs::write(dir.join("bom.json"), sbom).unwrap();
    // Support ends: the day before --today (not watched), on --today (watched), and the
    // product's period (watched).
    ok(
        dir,
        &[
            "release",
            "freeze",
            "0.9",
            "--sbom",
            "bom.json",
            "--support-until",
            "2026-12-02",
        ],
    );
    ok(
        dir,
        &[
            "release",
            "freeze",
            "1.0",
            "--sbom",
            "bom.json",
            "--support-until",
            "2026-12-03",
        ],
    );
    ok(dir, &["release", "freeze", "2.0", "--sbom", "bom.json"]);
    std::fs::write(dir.join("secret"), "s3cret-for-test\n").unwrap();
    std::fs::write(
        dir.join("a.json"),
        osv(
            "GHSA-aaaa-bbbb-cccc",
            "CVE-2026-0001",
            "npm",
            "lodash",
            "4.17.21",
        ),
    )
    .unwrap();
    ok(dir, &["vulndb", "import", "--db", "db", "a.json"]);
    let hook = receiver();
    let watch = |today: &str| {
        let args = vec![
            "vuln",
            "watch",
            "--db",
            "db",
            "--today",
            today,
            "--webhook",
            &hook.url,
            "--webhook-secret-file",
            "secret",
            "--format",
            "json",
        ];
        let out = tekigo(dir, &args);
        let v: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
        (out.status.code(), v)
    };
    let (code, v) = watch("2026-12-03");
    assert_eq!(code, Some(1), "new findings: exit 1");
    assert_eq!(v["watched"], serde_json::json!(["1.0", "2.0"]));
    assert_eq!(v["past_support"][0]["release"], "0.9");
    {
        let got = hook.got.lock().unwrap();
        assert_eq!(got.len(), 2, "one finding per watched release");
        for (head, body) in got.iter() {
            let b: Value = serde_json::from_slice(body).unwrap();
            assert_eq!(b["finding"]["vulnerability"], "GHSA-aaaa-bbbb-cccc");
            assert_ne!(b["finding"]["release"], "0.9");
            assert!(b.get("cra").is_none(), "not in KEV: no clock");
            let sig = format!(
                "x-tekigo-signature: sha256={}",
                python_hmac("s3cret-for-test", body)
            );
            assert!(head.to_ascii_lowercase().contains(&sig), "{head}");
            assert!(!head.contains("s3cret"), "the secret is never sent");
        }
    }
    // Nothing new: nothing delivered, exit 0.
    let (code, v) = watch("2026-12-03");
    assert_eq!(code, Some(0));
    assert!(v["new"].as_array().unwrap().is_empty());
    assert_eq!(hook.got.lock().unwrap().len(), 2);

    // A new advisory for requests, in KEV; the receiver fails twice before it accepts.
    std::fs::write(
        dir.join("b.json"),
        osv(
            "PYSEC-2026-9",
            "CVE-2026-0002",
            "PyPI",
            "requests",
            "2.32.0",
        ),
    )
    .unwrap();
    let kev = serde_json::json!({
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": "2026.12.02", "dateReleased": "2026-12-02T12:00:00.000Z", "count": 1,
        "vulnerabilities": [{
            "cveID": "CVE-2026-0002", "vendorProject": "Test", "product": "requests",
            "vulnerabilityName": "a test entry", "dateAdded": "2026-12-02",
            "shortDescription": "a test entry", "requiredAction": "update",
            "dueDate": "2026-12-23", "knownRansomwareCampaignUse": "Unknown", "notes": ""
        }]
    });
    std::fs::write(dir.join("kev.json"), kev.to_string()).unwrap();
    ok(
        dir,
        &["vulndb", "import", "--db", "db", "b.json", "kev.json"],
    );
    hook.fail.store(2, std::sync::atomic::Ordering::SeqCst);
    let (code, v) = watch("2026-12-03");
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["new"].as_array().unwrap().len(), 2);
    let got = hook.got.lock().unwrap().clone();
    assert_eq!(got.len(), 4, "each new finding once, after the retries");
    for (_, body) in &got[2..] {
        let b: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(b["finding"]["vulnerability"], "PYSEC-2026-9");
        assert_eq!(b["finding"]["kev"], true);
        assert_eq!(b["finding"]["first_seen"], "2026-12-03T00:00:00Z");
        assert_eq!(b["cra"]["early_warning_due"], "2026-12-04T00:00:00Z");
        assert_eq!(b["cra"]["notification_due"], "2026-12-06T00:00:00Z");
    }
    // The record: each finding once, in the contract's shape, every one delivered.
    let file = read_json(&dir.join("watch/findings.json"));
    assert_eq!(file["format"], 1);
    let findings = file["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 4);
    for f in findings {
        assert!(f["delivered_at"].is_string());
        assert!(f["aliases"].is_array());
        assert_eq!(f["kev"], f["vulnerability"] == "PYSEC-2026-9");
        assert_eq!(
            f["kev_date_added"].as_str(),
            (f["vulnerability"] == "PYSEC-2026-9").then_some("2026-12-02")
        );
    }
    // A day later release 1.0 is past support too.
    let (_, v) = watch("2026-12-04");
    assert_eq!(v["watched"], serde_json::json!(["2.0"]));

    // A new advisory that a person has already triaged not_affected for the component (by
    // its CVE alias): recorded, not delivered; delivered once the triage says otherwise.
    std::fs::write(
        dir.join("c.json"),
        osv(
            "GHSA-dddd-eeee-ffff",
            "CVE-2026-0003",
            "npm",
            "lodash",
            "4.17.22",
        ),
    )
    .unwrap();
    ok(dir, &["vulndb", "import", "--db", "db", "c.json"]);
    let triage = |status: &str, extra: &[&str]| {
        let mut args = vec![
            "vex",
            "set",
            "pkg:npm/lodash@4.17.20",
            "CVE-2026-0003",
            "--status",
            status,
            "--author",
            "alice",
        ];
        args.extend(extra);
        ok(dir, &args);
    };
    triage(
        "not_affected",
        &["--justification", "vulnerable_code_not_in_execute_path"],
    );
    let (code, v) = watch("2026-12-04");
    assert_eq!(code, Some(1), "recorded as new: {v}");
    assert_eq!(
        v["new"][0]["finding"]["vulnerability"],
        "GHSA-dddd-eeee-ffff"
    );
    assert_eq!(v["delivered"]["not_affected"], 1);
    assert_eq!(v["delivered"]["sent"], 0);
    assert_eq!(hook.got.lock().unwrap().len(), 4, "not delivered");
    let file = read_json(&dir.join("watch/findings.json"));
    let c = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["vulnerability"] == "GHSA-dddd-eeee-ffff")
        .unwrap();
    assert!(c["delivered_at"].is_null(), "it stays pending");
    triage("affected", &["--action", "update lodash"]);
    let (code, v) = watch("2026-12-04");
    assert_eq!(code, Some(0), "nothing new: {v}");
    assert_eq!(v["delivered"]["sent"], 1);
    let got = hook.got.lock().unwrap().clone();
    assert_eq!(got.len(), 5);
    let b: Value = serde_json::from_slice(&got[4].1).unwrap();
    assert_eq!(b["finding"]["vulnerability"], "GHSA-dddd-eeee-ffff");
}
