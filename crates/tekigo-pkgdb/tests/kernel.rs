//! The kernel in an image: named in the inventory and the SBOM from `/lib/modules`, with the
//! distribution package's version when one installed it, and its `/boot/config-*`.

use std::path::Path;
use tekigo_pkgdb::cyclonedx::{to_json, BomOptions};
use tekigo_pkgdb::Inventory;
use tekigo_rootfs::Root;

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const STATUS: &str = "Package: linux-image-6.1.0-18-amd64\nStatus: install ok installed\n\
Version: 6.1.76-1\nArchitecture: amd64\nSource: linux-signed-amd64 (6.1.76+1)\n\
Maintainer: Debian Kernel Team <debian-kernel@lists.debian.org>\nSection: kernel\n\
Description: Linux 6.1 for 64-bit PCs (signed)\n";

#[test]
fn a_cip_kernel_by_its_modules_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "/lib/modules/5.10.218-cip50/modules.dep", "");
    write(root, "/boot/config-5.10.218-cip50", "CONFIG_NET=y\n");
    // Not a kernel: no modules.dep, no kernel/.
    write(root, "/lib/modules/leftover/readme", "x");
    let inv = Inventory::read(&Root::open(root).unwrap());
    assert_eq!(inv.kernels.len(), 1, "{:?}", inv.kernels);
    let k = &inv.kernels[0];
    assert_eq!(
        (k.release.as_str(), k.version.as_str()),
        ("5.10.218-cip50", "5.10.218-cip50")
    );
    assert_eq!(k.found_by, "/lib/modules/5.10.218-cip50");
    let (path, sha) = k.config.clone().unwrap();
    assert_eq!(path, "/boot/config-5.10.218-cip50");
    // sha256sum of the file's text, computed outside.
    assert_eq!(
        sha,
        "739cf63f0ebde652da15d8e9d5b89bce594996644d5cd1cb0b933b0257cda3fb"
    );
    let bom = to_json(&inv, &BomOptions::now());
    let c = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "linux")
        .expect("kernel component");
    assert_eq!(c["type"], "operating-system");
    assert_eq!(c["version"], "5.10.218-cip50");
    assert_eq!(c["purl"], "pkg:generic/linux@5.10.218-cip50");
    let props: Vec<(String, String)> = c["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(props.contains(&(
        "tekigo:kernel:config".to_string(),
        format!("/boot/config-5.10.218-cip50 sha256:{sha}")
    )));
}

#[test]
fn a_debian_kernel_takes_its_package_version() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "/var/lib/dpkg/status", STATUS);
    write(
        root,
        "/lib/modules/6.1.0-18-amd64/kernel/fs/ext4/ext4.ko",
        "",
    );
    let inv = Inventory::read(&Root::open(root).unwrap());
    let k = &inv.kernels[0];
    assert_eq!(
        (k.release.as_str(), k.version.as_str()),
        ("6.1.0-18-amd64", "6.1.76-1")
    );
    assert_eq!(k.found_by, "package linux-image-6.1.0-18-amd64 6.1.76-1");
    assert_eq!(k.config, None);
}

#[test]
fn an_image_without_a_kernel_names_none() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "/etc/hostname", "device\n");
    let inv = Inventory::read(&Root::open(dir.path()).unwrap());
    assert!(inv.kernels.is_empty());
    let bom = to_json(&inv, &BomOptions::now());
    assert!(!bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "linux"));
}
