use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tekigo_rootfs::Root;

use crate::Problem;

/// The fields of `os-release(5)` that identify a distribution release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsRelease {
    /// Lower-case distribution id (`debian`, `alpine`, `rocky`, `openwrt`, `poky`).
    pub id: Option<String>,
    pub name: Option<String>,
    pub pretty_name: Option<String>,
    pub version_id: Option<String>,
    pub version_codename: Option<String>,
    /// The file it was read from, inside the image, and its SHA-256 in hex: evidence.
    pub path: PathBuf,
    pub sha256: String,
}

/// `/etc/os-release` first, as the specification says, then the vendor's copy.
const PATHS: [&str; 2] = ["/etc/os-release", "/usr/lib/os-release"];
const MAX_SIZE: u64 = 64 << 10;

impl OsRelease {
    /// Reads the image's os-release; `Ok(None)` when it has none.
    pub fn read(root: &Root) -> Result<Option<OsRelease>, Problem> {
        for path in PATHS {
            match root.read_to_string(path, MAX_SIZE) {
                Ok(read) => {
                    let sha256 = read.sha256_hex();
                    return Ok(Some(OsRelease::parse(&read.path, &read.text, sha256)));
                }
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(Problem::unreadable(&e)),
            }
        }
        Ok(None)
    }

    /// Parses the shell-like `KEY=value` lines; unknown keys and malformed lines are
    /// ignored, since nothing here is essential and the format is often hand-written.
    pub fn parse(path: &Path, text: &str, sha256: String) -> OsRelease {
        let mut os = OsRelease {
            path: path.to_path_buf(),
            sha256,
            ..OsRelease::default()
        };
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = unquote(value.trim());
            if value.is_empty() {
                continue;
            }
            let slot = match key.trim() {
                "ID" => &mut os.id,
                "NAME" => &mut os.name,
                "PRETTY_NAME" => &mut os.pretty_name,
                "VERSION_ID" => &mut os.version_id,
                "VERSION_CODENAME" => &mut os.version_codename,
                _ => continue,
            };
            *slot = Some(value);
        }
        if let Some(id) = &mut os.id {
            *id = id.to_ascii_lowercase();
        }
        os
    }

    /// The PURL `distro` qualifier: `debian-12`, `alpine-3.19.1`, `rocky-9.3`; the
    /// codename when there is no version (Debian testing: `debian-trixie`).
    pub fn distro(&self) -> Option<String> {
        let id = self.id.as_deref()?;
        let version = self
            .version_id
            .as_deref()
            .or(self.version_codename.as_deref())?;
        Some(format!("{id}-{version}"))
    }
}

/// Removes one level of shell quoting: `"..."` with backslash escapes, or `'...'`.
fn unquote(value: &str) -> String {
    if let Some(inner) = value.strip_prefix('\'') {
        return inner.strip_suffix('\'').unwrap_or(inner).to_string();
    }
    let Some(inner) = value.strip_prefix('"') else {
        return value.to_string();
    };
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoting_and_builds_distro() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME='Debian GNU/Linux'\n\
                    VERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=Debian\n# ID=ubuntu\nbogus\n";
        let os = OsRelease::parse(Path::new("/etc/os-release"), text, String::new());
        assert_eq!(os.id.as_deref(), Some("debian"));
        assert_eq!(os.name.as_deref(), Some("Debian GNU/Linux"));
        assert_eq!(
            os.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(os.distro().as_deref(), Some("debian-12"));
    }

    #[test]
    fn codename_stands_in_for_a_missing_version() {
        let text = "ID=debian\nVERSION_CODENAME=trixie\nNAME=\"A \\\"quoted\\\" name\"\n";
        let os = OsRelease::parse(Path::new("/etc/os-release"), text, String::new());
        assert_eq!(os.distro().as_deref(), Some("debian-trixie"));
        assert_eq!(os.name.as_deref(), Some("A \"quoted\" name"));
        let os = OsRelease::parse(Path::new("/etc/os-release"), "NAME=x\n", String::new());
        assert_eq!(os.distro(), None);
    }
}
