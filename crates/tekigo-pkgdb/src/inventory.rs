use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tekigo_rootfs::{Root, RootError};

use crate::os_release::OsRelease;
use crate::parse::Parsed;
use crate::{apk, dpkg, opkg, rpm};

/// Everything the package databases of one root filesystem say is installed. Serializes
/// to JSON (and back) for callers that embed the inventory in their own reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// The system's identity from `/etc/os-release` (or `/usr/lib/os-release`), used for
    /// the PURL `distro` qualifier and the SBOM's top-level component. `None` when the
    /// image has neither file.
    pub os_release: Option<OsRelease>,
    /// Every package database found, in the order they were read. Empty when the image has
    /// no package manager (a BusyBox image, for example): the inventory is then unknown, not
    /// empty, and a caller should say so.
    pub databases: Vec<Database>,
    /// Installed packages, sorted by ecosystem, name, architecture and version.
    pub packages: Vec<Package>,
    /// What could not be read or understood. A non-empty list means `packages` may be
    /// incomplete.
    pub problems: Vec<Problem>,
    /// The Linux kernels the image holds (`kernel.rs` states how they are found).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kernels: Vec<crate::kernel::Kernel>,
}

/// One package database that was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Database {
    pub format: DbFormat,
    /// The path inside the image (for `status.d`, the directory).
    pub path: PathBuf,
    /// SHA-256 of the file, in hex. For a `status.d` directory: SHA-256 over the sorted
    /// lines `NAME SHA256\n` of the files read, so any change of any file changes it.
    pub sha256: String,
    /// How many installed packages it listed.
    pub packages: usize,
}

/// The kind of database, which decides how it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DbFormat {
    /// `/var/lib/dpkg/status`: deb822 paragraphs with a `Status` field.
    DpkgStatus,
    /// `/var/lib/dpkg/status.d/`: one control paragraph per file, as distroless images
    /// ship them (no `Status` field: everything listed is installed).
    DpkgStatusD,
    /// opkg's `status`, completed by `info/NAME.control`.
    OpkgStatus,
    /// apk's `installed`: `X:value` lines, records separated by blank lines.
    ApkInstalled,
    /// rpm's SQLite database: one header blob per package.
    RpmSqlite,
}

impl DbFormat {
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            DbFormat::DpkgStatus | DbFormat::DpkgStatusD => Ecosystem::Deb,
            DbFormat::OpkgStatus => Ecosystem::Opkg,
            DbFormat::ApkInstalled => Ecosystem::Apk,
            DbFormat::RpmSqlite => Ecosystem::Rpm,
        }
    }
}

/// The packaging ecosystem, which decides the version rules and the PURL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Deb,
    Rpm,
    Apk,
    Opkg,
}

impl Ecosystem {
    /// The PURL type. `opkg` is not (yet) a registered PURL type; it is used as the
    /// natural name so that consumers can still tell the ecosystem apart.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Apk => "apk",
            Ecosystem::Opkg => "opkg",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.purl_type())
    }
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    /// The full version as the ecosystem writes and compares it: dpkg `1:2.3-4`, rpm
    /// `EPOCH:VERSION-RELEASE` (epoch only when set), apk `1.2.3-r0`.
    pub version: String,
    /// The source package it was built from (dpkg `Source`, rpm `SOURCERPM`, apk origin),
    /// which is what most distribution advisories name.
    pub source_name: Option<String>,
    pub source_version: Option<String>,
    pub arch: Option<String>,
    /// Who supplies the package: dpkg/opkg/apk maintainer, rpm vendor (else packager).
    pub supplier: Option<String>,
    /// Licences as the package declares them (rpm/apk/opkg: one expression; dpkg: the
    /// distinct `License:` names of a machine-readable copyright file).
    pub licenses: Vec<String>,
    /// dpkg/opkg `Section` or rpm `Group`, used to tell libraries from applications.
    pub section: Option<String>,
    /// A CPE the package declares (OpenWrt's `CPE-ID`), for matching NVD records.
    pub cpe: Option<String>,
    pub ecosystem: Ecosystem,
    /// Package URL, e.g. `pkg:deb/debian/openssh-server@1:9.2p1-2?arch=amd64&distro=debian-12`.
    pub purl: String,
    /// The database file it was read from, inside the image.
    pub database: PathBuf,
    /// Where its record starts: the line in a text database, the header number in rpm.
    pub record: u64,
}

/// Something in a package database that could not be read or understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The file inside the image.
    pub path: PathBuf,
    /// The line in a text database, or the header number in an rpm database.
    pub line: Option<u64>,
    pub kind: ProblemKind,
    pub message: String,
}

/// Why something was not read, so a caller can tell a damaged database from a scan that
/// lacked permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The file exists but could not be read (permission, too large, not a regular file).
    Unreadable,
    /// A record or the whole file does not follow the format; the record was skipped.
    Malformed,
    /// A database in a format tekigo does not read.
    Unsupported,
    /// The database was read but may not hold the latest state.
    Incomplete,
}

impl Problem {
    pub(crate) fn new(
        path: &Path,
        line: Option<u64>,
        kind: ProblemKind,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            path: path.to_path_buf(),
            line,
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn unreadable(error: &RootError) -> Self {
        Problem::new(
            error.path(),
            None,
            ProblemKind::Unreadable,
            error.to_string(),
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// The largest text database read (a Debian desktop's status file is about 5 MB).
pub(crate) const MAX_TEXT_DB: u64 = 64 << 20;
/// The largest rpm database read into memory (a Fedora workstation's is well under 100 MB;
/// SQLite needs a second copy while it opens it).
pub(crate) const MAX_RPMDB: u64 = 256 << 20;

const DPKG_STATUS: &str = "/var/lib/dpkg/status";
const DPKG_STATUS_D: &str = "/var/lib/dpkg/status.d";
const OPKG_STATUS: [&str; 2] = ["/usr/lib/opkg/status", "/var/lib/opkg/status"];
const APK_INSTALLED: &str = "/lib/apk/db/installed";
/// Fedora 36+ keeps the database in `/usr/lib/sysimage/rpm` with `/var/lib/rpm` linking
/// there; images that lack the link still have the file.
const RPM_SQLITE: [&str; 2] = [
    "/var/lib/rpm/rpmdb.sqlite",
    "/usr/lib/sysimage/rpm/rpmdb.sqlite",
];
/// rpm databases in formats not read, with what they are.
const RPM_OTHER: [(&str, &str); 3] = [
    ("/var/lib/rpm/Packages", "Berkeley DB"),
    ("/var/lib/rpm/Packages.db", "NDB"),
    ("/usr/lib/sysimage/rpm/Packages.db", "NDB"),
];

impl Inventory {
    /// Reads every package database found under `root`. Never fails as a whole: what
    /// cannot be read is listed in [`Inventory::problems`].
    pub fn read(root: &Root) -> Inventory {
        let mut inventory = Inventory {
            os_release: None,
            databases: Vec::new(),
            packages: Vec::new(),
            problems: Vec::new(),
            kernels: Vec::new(),
        };
        match OsRelease::read(root) {
            Ok(os) => inventory.os_release = os,
            Err(problem) => inventory.problems.push(problem),
        }
        let os = inventory.os_release.clone();
        let os = os.as_ref();

        if let Some(text) = inventory.read_text(root, DPKG_STATUS) {
            let parsed = dpkg::parse_status(&text.path, &text.text, os);
            inventory.add(DbFormat::DpkgStatus, &text.path, text.sha256, parsed);
        }
        inventory.read_status_d(root, os);
        for path in OPKG_STATUS {
            if let Some(text) = inventory.read_text(root, path) {
                let mut parsed = opkg::parse_status(&text.path, &text.text, os);
                opkg::complete_from_control(root, &text.path, &mut parsed);
                inventory.add(DbFormat::OpkgStatus, &text.path, text.sha256, parsed);
            }
        }
        if let Some(text) = inventory.read_text(root, APK_INSTALLED) {
            let parsed = apk::parse_installed(&text.path, &text.text, os);
            inventory.add(DbFormat::ApkInstalled, &text.path, text.sha256, parsed);
        }
        inventory.read_rpm(root, os);

        if inventory
            .databases
            .iter()
            .any(|d| d.format.ecosystem() == Ecosystem::Deb)
        {
            dpkg::add_copyright_licenses(root, &mut inventory.packages);
        }
        inventory.packages.sort_by(|a, b| {
            (a.ecosystem, &a.name, &a.arch, &a.version).cmp(&(
                b.ecosystem,
                &b.name,
                &b.arch,
                &b.version,
            ))
        });
        inventory.kernels = crate::kernel::read(root, &inventory.packages);
        inventory
    }

    /// Reads a text database; `None` when it is absent (not a problem) or unreadable (a
    /// problem recorded here). Invalid UTF-8 is replaced and reported: the records it
    /// touches are still worth listing.
    fn read_text(&mut self, root: &Root, path: impl AsRef<Path>) -> Option<TextDb> {
        match root.read_all(path, MAX_TEXT_DB) {
            // The same file under two names (`/var/lib/opkg` linking to `/usr/lib/opkg`).
            Ok(read) if self.has_database(&read.path) => None,
            Ok(read) => {
                let sha256 = read.sha256_hex();
                let text = match String::from_utf8(read.bytes) {
                    Ok(text) => text,
                    Err(e) => {
                        self.problems.push(Problem::new(
                            &read.path,
                            None,
                            ProblemKind::Malformed,
                            "not valid UTF-8; invalid bytes were replaced",
                        ));
                        String::from_utf8_lossy(e.as_bytes()).into_owned()
                    }
                };
                Some(TextDb {
                    path: read.path,
                    text,
                    sha256,
                })
            }
            Err(e) if e.is_not_found() => None,
            Err(e) => {
                self.problems.push(Problem::unreadable(&e));
                None
            }
        }
    }

    fn read_status_d(&mut self, root: &Root, os: Option<&OsRelease>) {
        let entries = match root.read_dir(DPKG_STATUS_D) {
            Ok(entries) => entries,
            Err(e) if e.is_not_found() => return,
            Err(e) => return self.problems.push(Problem::unreadable(&e)),
        };
        let mut digests = Vec::new();
        let mut parsed = Parsed::default();
        for entry in entries {
            let name = entry.name.to_string_lossy();
            // Distroless keeps each package's md5sums beside its control paragraph.
            if name.ends_with(".md5sums") || name.starts_with('.') {
                continue;
            }
            let Some(text) = self.read_text(root, &entry.path) else {
                continue;
            };
            digests.push(format!("{name} {}\n", text.sha256));
            let one = dpkg::parse_status_d(&text.path, &text.text, os);
            parsed.packages.extend(one.packages);
            parsed.problems.extend(one.problems);
        }
        digests.sort();
        let sha256 = hex(&Sha256::digest(digests.concat().as_bytes()));
        self.add(
            DbFormat::DpkgStatusD,
            Path::new(DPKG_STATUS_D),
            sha256,
            parsed,
        );
    }

    fn read_rpm(&mut self, root: &Root, os: Option<&OsRelease>) {
        for path in RPM_SQLITE {
            match root.read_all(path, MAX_RPMDB) {
                Ok(read) if self.has_database(&read.path) => {}
                Ok(read) => {
                    let sha256 = read.sha256_hex();
                    let path = read.path.clone();
                    let mut parsed = rpm::parse_sqlite(&path, read.bytes, os);
                    rpm::check_wal(root, &path, &mut parsed.problems);
                    self.add(DbFormat::RpmSqlite, &path, sha256, parsed);
                }
                Err(e) if e.is_not_found() => {}
                Err(e) => self.problems.push(Problem::unreadable(&e)),
            }
        }
        if self
            .databases
            .iter()
            .any(|d| d.format == DbFormat::RpmSqlite)
        {
            return;
        }
        for (path, format) in RPM_OTHER {
            match root.exists(path) {
                Ok(false) => {}
                Ok(true) => self.problems.push(Problem::new(
                    Path::new(path),
                    None,
                    ProblemKind::Unsupported,
                    format!(
                        "an rpm database in {format} format, which tekigo does not read \
                         (only rpmdb.sqlite); its packages are not in the inventory"
                    ),
                )),
                Err(e) => self.problems.push(Problem::unreadable(&e)),
            }
        }
    }

    fn has_database(&self, path: &Path) -> bool {
        self.databases.iter().any(|d| d.path == path)
    }

    fn add(&mut self, format: DbFormat, path: &Path, sha256: String, parsed: Parsed) {
        self.databases.push(Database {
            format,
            path: path.to_path_buf(),
            sha256,
            packages: parsed.packages.len(),
        });
        self.packages.extend(parsed.packages);
        self.problems.extend(parsed.problems);
    }
}

/// A text database as read.
struct TextDb {
    path: PathBuf,
    text: String,
    sha256: String,
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// How many problems one database reports one by one; a file of garbage would otherwise
/// produce one per line.
const MAX_PROBLEMS_PER_FILE: usize = 100;

/// Problems found in one file, capped at [`MAX_PROBLEMS_PER_FILE`] with a final count of
/// the rest, so that a damaged database says how damaged it is without flooding a report.
pub(crate) struct FileProblems<'a> {
    path: &'a Path,
    list: Vec<Problem>,
    more: usize,
}

impl<'a> FileProblems<'a> {
    pub(crate) fn new(path: &'a Path) -> Self {
        FileProblems {
            path,
            list: Vec::new(),
            more: 0,
        }
    }

    pub(crate) fn push(
        &mut self,
        line: Option<u64>,
        kind: ProblemKind,
        message: impl Into<String>,
    ) {
        if self.list.len() < MAX_PROBLEMS_PER_FILE {
            self.list.push(Problem::new(self.path, line, kind, message));
        } else {
            self.more += 1;
        }
    }

    /// The problems in the order of the file (a parser may find them in two passes).
    pub(crate) fn finish(mut self) -> Vec<Problem> {
        self.list.sort_by_key(|p| p.line.unwrap_or(u64::MAX));
        if self.more > 0 {
            let message = format!("{} more problems in this file were not listed", self.more);
            self.list.push(Problem::new(
                self.path,
                None,
                ProblemKind::Malformed,
                message,
            ));
        }
        self.list
    }
}
