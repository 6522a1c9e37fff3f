//! CycloneDX 1.6 SBOMs of real inventories, validated against the official JSON schema by
//! cyclonedx-python-lib's strict validator (tests/validate_cyclonedx.py; installed by
//! scripts/setup/10-python.sh). A missing validator fails these tests.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use tekigo_pkgdb::cyclonedx::{self, BomOptions};
use tekigo_pkgdb::Inventory;
use tekigo_rootfs::Root;
use time::macros::datetime;

#[path = "../../../tests/python.rs"]
mod python;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn options() -> BomOptions {
    BomOptions {
        timestamp: datetime!(2026-01-02 03:04:05.678 UTC),
    }
}

fn validate(files: &[PathBuf]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate_cyclonedx.py");
    let out = python::python()
        .arg(script)
        .args(files)
        .output()
        .expect("python3 runs");
    assert_ne!(
        out.status.code(),
        Some(2),
        "the CycloneDX validator is missing (scripts/setup/10-python.sh): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn inventories() -> Vec<(String, Inventory)> {
    let mut all = vec![("live".to_string(), Inventory::read(&Root::live().unwrap()))];
    for name in [
        "distroless",
        "dpkg-damaged",
        "rocky",
        "alpine",
        "apk-damaged",
        "openwrt",
        "yocto",
    ] {
        let inventory = Inventory::read(&Root::open(fixture(name)).unwrap());
        all.push((name.to_string(), inventory));
    }
    all
}

#[test]
fn sboms_of_every_database_format_validate_against_the_cyclonedx_schema() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, inventory) in inventories() {
        let file = dir.path().join(format!("{name}.cdx.json"));
        cyclonedx::write_file(&inventory, &options(), &file).unwrap();
        files.push(file);
    }
    let out = validate(&files);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Negative control: the same validator rejects a document the schema forbids.
    let text = std::fs::read_to_string(&files[3]).unwrap();
    let mut broken: Value = serde_json::from_str(&text).unwrap();
    broken["components"][0]["type"] = "package".into();
    broken["metadata"]["timestamp"] = "yesterday".into();
    let bad = dir.path().join("broken.cdx.json");
    std::fs::write(&bad, serde_json::to_string(&broken).unwrap()).unwrap();
    let out = validate(&[bad]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("/components/0/type"), "{report}");
    assert!(report.contains("/metadata/timestamp"), "{report}");
}

#[test]
fn sbom_carries_the_inventory() {
    let inventory = Inventory::read(&Root::open(fixture("rocky")).unwrap());
    let bom = cyclonedx::to_json(&inventory, &options());
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["timestamp"], "2026-01-02T03:04:05Z");
    assert_eq!(bom["metadata"]["tools"]["components"][0]["name"], "tekigo");
    let system = &bom["metadata"]["component"];
    assert_eq!(system["type"], "operating-system");
    assert_eq!(system["name"], "Rocky Linux");
    assert_eq!(system["version"], "9.3");

    let components = bom["components"].as_array().unwrap();
    assert_eq!(components.len(), inventory.packages.len());
    let libs = components
        .iter()
        .find(|c| c["name"] == "openssl-libs")
        .unwrap();
    assert_eq!(libs["type"], "library");
    assert_eq!(libs["version"], "1:3.0.7-27.el9");
    assert_eq!(libs["bom-ref"], libs["purl"]);
    assert_eq!(
        libs["purl"],
        "pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.3&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm"
    );
    assert_eq!(
        libs["supplier"]["name"],
        "Rocky Enterprise Software Foundation"
    );
    assert_eq!(libs["licenses"][0]["license"]["name"], "Apache-2.0");
    let openssl = components.iter().find(|c| c["name"] == "openssl").unwrap();
    assert_eq!(openssl["type"], "application");

    let depends = bom["dependencies"][0]["dependsOn"].as_array().unwrap();
    assert_eq!(depends.len(), components.len());
    assert_eq!(bom["compositions"][0]["aggregate"], "complete");
    let db = &bom["metadata"]["properties"][0];
    assert_eq!(db["name"], "tekigo:package-database");
    assert_eq!(
        db["value"],
        format!(
            "rpm-sqlite /var/lib/rpm/rpmdb.sqlite sha256:{}",
            inventory.databases[0].sha256
        )
    );
    // The same inventory and time give the same document, serial number included.
    assert_eq!(bom, cyclonedx::to_json(&inventory, &options()));
}

#[test]
fn sbom_says_when_the_inventory_is_incomplete_or_unknown() {
    let damaged = Inventory::read(&Root::open(fixture("dpkg-damaged")).unwrap());
    let bom = cyclonedx::to_json(&damaged, &options());
    assert_eq!(bom["compositions"][0]["aggregate"], "incomplete");
    let problems: Vec<&Value> = bom["metadata"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "tekigo:inventory-problem")
        .collect();
    assert_eq!(problems.len(), damaged.problems.len());
    assert!(problems[0]["value"]
        .as_str()
        .unwrap()
        .starts_with("/var/lib/dpkg/status:35:"));
    let bsdutils = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "bsdutils")
        .unwrap();
    assert_eq!(
        bsdutils["supplier"]["contact"][0]["email"],
        bsdutils_email()
    );

    let empty = tempfile::tempdir().unwrap();
    let nothing = Inventory::read(&Root::open(empty.path()).unwrap());
    let bom = cyclonedx::to_json(&nothing, &options());
    assert_eq!(bom["compositions"][0]["aggregate"], "unknown");
    assert_eq!(
        bom["metadata"]["component"]["name"],
        "unknown operating system"
    );
}

/// The maintainer's address from the fixture's own `Maintainer:` line.
fn bsdutils_email() -> &'static str {
    let text = include_str!("fixtures/dpkg-damaged/var/lib/dpkg/status");
    let line = text.lines().find(|l| l.starts_with("Maintainer:")).unwrap();
    let start = line.find('<').unwrap() + 1;
    let end = line.find('>').unwrap();
    &line[start..end]
}

#[test]
fn write_file_replaces_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sbom.json");
    std::fs::write(&file, "old").unwrap();
    let inventory = Inventory::read(&Root::open(fixture("alpine")).unwrap());
    cyclonedx::write_file(&inventory, &options(), &file).unwrap();
    let bom: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(bom["components"].as_array().unwrap().len(), 5);
    // Nothing but the document is left in the directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// The source package goes into the PURL as syft writes it, and tekigo's SBOM reader gets
/// it back, with the source version where it differs from the binary's (real Debian
/// paragraphs: `cpp` from `gcc-defaults`; Alpine origins; a source RPM with the epoch).
#[test]
fn source_packages_survive_the_round_trip_through_the_reader() {
    let read_back = |name: &str| {
        let inventory = Inventory::read(&Root::open(fixture(name)).unwrap());
        let text = cyclonedx::to_string(&inventory, &options());
        let sbom = tekigo_sbom::Sbom::from_slice(text.as_bytes(), name).unwrap();
        (inventory, sbom)
    };
    for name in ["rocky", "alpine", "dpkg-damaged", "distroless"] {
        let (inventory, sbom) = read_back(name);
        for (package, component) in inventory.packages.iter().zip(&sbom.components) {
            assert_eq!(package.name, component.name);
            let own = package.source_name.as_deref() == Some(package.name.as_str())
                && package.source_version.as_deref() == Some(package.version.as_str());
            // A package that is its own source may say so (the properties, rpm's source
            // RPM) or not; any other must name its source.
            let Some(source) = component.source.as_ref() else {
                assert!(own, "{name}: {} has no source", package.purl);
                continue;
            };
            assert_eq!(Some(&source.name), package.source_name.as_ref());
            // No version in the PURL means the binary's own version.
            let version = source.version.as_ref().unwrap_or(&package.version);
            assert_eq!(
                Some(version),
                package.source_version.as_ref(),
                "{}",
                package.purl
            );
        }
    }
    let (_, sbom) = read_back("alpine");
    let crypto = sbom
        .components
        .iter()
        .find(|c| c.name == "libcrypto3")
        .unwrap();
    assert_eq!(
        crypto.source,
        tekigo_sbom::SourcePackage::new("openssl", None)
    );
    let (_, sbom) = read_back("distroless");
    let libc = sbom.components.iter().find(|c| c.name == "libc6").unwrap();
    assert!(
        libc.purl
            .as_ref()
            .unwrap()
            .original
            .ends_with("&upstream=glibc"),
        "{:?}",
        libc.purl
    );
}
