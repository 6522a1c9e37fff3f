//! The image's Linux kernel, so the SBOM names it and `tekigo vuln scan` covers it.
//!
//! A device's kernel is rarely a package a database lists with a version the kernel's CVE
//! records use: a CIP or vendor kernel is built outside the distribution. What every image
//! with a kernel has is `/lib/modules/RELEASE/` (RELEASE is what `uname -r` prints, e.g.
//! `5.10.218-cip50`), and usually `/boot/config-RELEASE`, the configuration it was built
//! with. The rule:
//!
//! - each directory of `/lib/modules` (or `/usr/lib/modules`) that holds `modules.dep` or
//!   `kernel/` is one kernel, named by its release;
//! - its version is that of the distribution package that installed it when one does
//!   (Debian's `linux-image-RELEASE` at `6.1.76-1` says more than `6.1.0-18-amd64`), else the
//!   release itself;
//! - its configuration is `/boot/config-RELEASE` when the image has it, cited with its hash
//!   (to give to `vuln scan --kernel-config`).

use serde::{Deserialize, Serialize};
use tekigo_rootfs::Root;

use crate::Package;

/// One kernel found in the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kernel {
    /// The release, as `uname -r` prints it.
    pub release: String,
    /// The version vulnerability matching uses (see the module docs).
    pub version: String,
    /// What the version was read from: `/lib/modules/RELEASE` or `package NAME VERSION`.
    pub found_by: String,
    /// `/boot/config-RELEASE` and its SHA-256, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<(String, String)>,
}

const MODULES: [&str; 2] = ["/lib/modules", "/usr/lib/modules"];
/// The largest configuration hashed (a generated `.config` is about 300 KB).
const MAX_CONFIG: u64 = 16 << 20;

/// The kernels of the image, by release (see the module docs). Unreadable directories give
/// no kernel rather than a wrong one.
pub fn read(root: &Root, packages: &[Package]) -> Vec<Kernel> {
    let mut out: Vec<Kernel> = Vec::new();
    for dir in MODULES {
        let Ok(entries) = root.read_dir(dir) else {
            continue;
        };
        for e in entries {
            let Some(release) = e.name.to_str().map(str::to_string) else {
                continue;
            };
            let is_kernel = ["modules.dep", "kernel"]
                .iter()
                .any(|f| root.exists(e.path.join(f)).unwrap_or(false));
            if !is_kernel || out.iter().any(|k| k.release == release) {
                continue;
            }
            let package = packages.iter().find(|p| {
                p.name == format!("linux-image-{release}")
                    || p.name == format!("linux-image-unsigned-{release}")
            });
            let (version, found_by) = match package {
                Some(p) => (
                    p.version.clone(),
                    format!("package {} {}", p.name, p.version),
                ),
                None => (release.clone(), format!("{dir}/{release}")),
            };
            let config_path = format!("/boot/config-{release}");
            let config = root
                .read_all(&config_path, MAX_CONFIG)
                .ok()
                .map(|r| (config_path, r.sha256_hex()));
            out.push(Kernel {
                release,
                version,
                found_by,
                config,
            });
        }
    }
    out
}
