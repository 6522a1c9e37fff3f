//! Issue 13's acceptance for source packages: `tekigo scan --root R --sbom S`, then
//! `tekigo vulndb import` and `tekigo vuln scan S --format json`, for dpkg (the real
//! debootstrap image), apk (a real Alpine 3.16 `installed` database) and rpm (an
//! rpmdb.sqlite written by rpm, in an AlmaLinux 9.3 root), against distribution
//! advisories keyed by source package (see tests/fixtures/sources/README.md).
//!
//! Each test recomputes the expected findings from the package database itself: every
//! installed binary package built from the advisory's source package, and none when the
//! advisory's fix is at or below the installed version.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{image, scan_root};

fn tekigo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tekigo"))
        .args(args)
        .env_remove("TEKIGO_VULNDB")
        .env_remove("TEKIGO_LANG")
        .output()
        .expect("run tekigo")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sources")
}

/// `tekigo scan --root ROOT --sbom DIR/sbom.cdx.json`; the SBOM's path.
fn sbom_of(root: &Path, dir: &Path) -> PathBuf {
    let sbom = dir.join("sbom.cdx.json");
    scan_root(root, &["--sbom", sbom.to_str().unwrap()]);
    assert!(sbom.exists(), "no SBOM written");
    sbom
}

/// The findings of `tekigo vuln scan SBOM --format json` against a database of `advisories`.
fn vuln_scan(sbom: &Path, advisories: &[PathBuf], dir: &Path) -> Vec<Value> {
    let db = dir.join("vuln.db");
    let mut args = vec!["vulndb", "import", "--db", db.to_str().unwrap()];
    args.extend(advisories.iter().map(|a| a.to_str().unwrap()));
    let out = tekigo(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tekigo(&[
        "vuln",
        "scan",
        sbom.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let rows = rows.as_array().expect("a JSON array").clone();
    // The interface fields, and one row per (vulnerability, component).
    let mut seen = BTreeSet::new();
    for r in &rows {
        for field in ["vulnerability", "component", "version"] {
            assert!(r[field].is_string(), "{field} missing in {r}");
        }
        assert!(
            seen.insert((r["vulnerability"].to_string(), r["component"].to_string())),
            "double finding {r}"
        );
    }
    rows
}

/// The components (PURL names) with a finding of `id`.
fn affected(rows: &[Value], id: &str) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| r["vulnerability"] == id)
        .map(|r| purl_name(r["component"].as_str().unwrap()))
        .collect()
}

/// `libc6` of `pkg:deb/debian/libc6@2.36-9...`.
fn purl_name(purl: &str) -> String {
    let path = purl.split(['@', '?']).next().unwrap();
    path.rsplit('/').next().unwrap().to_string()
}

/// Whether dpkg orders `a` before `b` (Debian's own tool, as a plain recomputation).
fn dpkg_lt(a: &str, b: &str) -> bool {
    Command::new("dpkg")
        .args(["--compare-versions", a, "lt", b])
        .status()
        .expect("dpkg (Debian's) runs")
        .success()
}

#[test]
fn dpkg_binaries_get_their_source_packages_advisories() {
    let Some(minbase) = image("minbase") else {
        return;
    };
    // Every installed binary package built from glibc, with its version, from the image's
    // own status file (`Source: glibc` or `Source: glibc (VERSION)`).
    let status = std::fs::read_to_string(minbase.join("var/lib/dpkg/status")).unwrap();
    let mut from_glibc = BTreeSet::new();
    let mut glibc_version = None;
    for paragraph in status.split("\n\n") {
        let field = |name: &str| {
            paragraph
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
        };
        let installed = field("Status").is_some_and(|s| s.ends_with(" installed"));
        let source = field("Source").map(|s| s.split(' ').next().unwrap());
        if installed && source == Some("glibc") {
            from_glibc.insert(field("Package").unwrap().to_string());
            glibc_version = field("Version").map(str::to_string);
        }
    }
    assert!(from_glibc.len() >= 2, "{from_glibc:?}");
    let glibc_version = glibc_version.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let sbom = sbom_of(&minbase, dir.path());
    let dsa = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tekigo-vulndb/tests/fixtures/osv/DSA-5514-1.json");
    let rows = vuln_scan(
        &sbom,
        &[fixtures().join("osv/DEBIAN-CVE-2010-4756.json"), dsa],
        dir.path(),
    );
    // glibc's unfixed issue: a finding on every binary built from it, naming the binary and
    // its version, and saying it came through glibc.
    assert_eq!(affected(&rows, "DEBIAN-CVE-2010-4756"), from_glibc);
    for r in rows
        .iter()
        .filter(|r| r["vulnerability"] == "DEBIAN-CVE-2010-4756")
    {
        assert_eq!(r["version"], glibc_version.as_str());
        assert_eq!(
            r["explanation"]["via_source"],
            format!("glibc {glibc_version}")
        );
        assert!(r["component"].as_str().unwrap().contains("upstream=glibc"));
    }
    // DSA-5514-1 was fixed in 2.36-9+deb12u3: the image's glibc is not below it, so nothing.
    assert!(!dpkg_lt(&glibc_version, "2.36-9+deb12u3"));
    assert!(affected(&rows, "DSA-5514-1").is_empty(), "{rows:#?}");
}

#[test]
fn apk_binaries_get_their_origins_advisories() {
    let root = fixtures().join("alpine-3.16");
    // The binary packages whose origin is openssl, from the real installed database.
    let installed = std::fs::read_to_string(root.join("lib/apk/db/installed")).unwrap();
    let from_openssl: BTreeSet<String> = installed
        .split("\n\n")
        .filter(|r| r.lines().any(|l| l == "o:openssl"))
        .filter_map(|r| r.lines().find_map(|l| l.strip_prefix("P:")))
        .map(str::to_string)
        .collect();
    assert_eq!(from_openssl.len(), 2, "{from_openssl:?}");

    let dir = tempfile::tempdir().unwrap();
    let sbom = sbom_of(&root, dir.path());
    let rows = vuln_scan(
        &sbom,
        &[
            fixtures().join("osv/ALPINE-CVE-2023-0286.json"),
            fixtures().join("osv/ALPINE-CVE-2022-2097.json"),
        ],
        dir.path(),
    );
    // Fixed in 1.1.1t-r0, above the installed 1.1.1q-r0: every binary of the origin.
    assert_eq!(affected(&rows, "ALPINE-CVE-2023-0286"), from_openssl);
    // Fixed in 1.1.1q-r0, the installed version itself: nothing.
    assert!(affected(&rows, "ALPINE-CVE-2022-2097").is_empty());
    assert_eq!(rows.len(), from_openssl.len(), "{rows:#?}");
}

#[test]
fn rpm_binaries_get_their_source_rpms_advisories() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixtures().join("almalinux-9.3");
    let inventory =
        tekigo_pkgdb::Inventory::read(&tekigo_rootfs::Root::open(&root).expect("open root"));
    let from_openssl: BTreeSet<String> = inventory
        .packages
        .iter()
        .filter(|p| p.source_name.as_deref() == Some("openssl"))
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(from_openssl.len(), 2, "{from_openssl:?}");

    let sbom = sbom_of(&root, dir.path());
    let rows = vuln_scan(
        &sbom,
        &[
            fixtures().join("osv/ALSA-2024-9333.json"),
            fixtures().join("osv/ALSA-2023-2523.json"),
        ],
        dir.path(),
    );
    // Fixed in 1:3.2.2-6.el9_5, above the installed 1:3.0.7-27.el9.
    assert_eq!(affected(&rows, "ALSA-2024:9333"), from_openssl);
    // Fixed in 1:3.0.7-6.el9_2, below it.
    assert!(affected(&rows, "ALSA-2023:2523").is_empty());

    // The same advisory with only its `openssl` entry: openssl-libs is found through its
    // source RPM, compared at the source's version (epoch included).
    let dir = tempfile::tempdir().unwrap();
    let rows = vuln_scan(
        &sbom,
        &[fixtures().join("osv-shortened/ALSA-2024-9333-openssl-entry-only.json")],
        dir.path(),
    );
    assert_eq!(affected(&rows, "ALSA-2024:9333"), from_openssl);
    let libs = rows
        .iter()
        .find(|r| purl_name(r["component"].as_str().unwrap()) == "openssl-libs")
        .unwrap();
    assert_eq!(libs["version"], "1:3.0.7-27.el9");
    assert_eq!(libs["explanation"]["via_source"], "openssl 1:3.0.7-27.el9");
}
