//! The parsers on their own, for callers that already hold a database's bytes (tests, fuzz
//! targets, a tool that got the file some other way). [`crate::Inventory::read`] is the
//! usual entry point; it finds the databases in a root and calls these.
//!
//! Each takes the path the bytes came from (for messages and [`Package::database`]) and
//! the system's os-release (for the PURL `distro` qualifier; `None` leaves it out). None of
//! them panics or fails as a whole: unreadable records become [`Problem`]s.

use std::path::Path;

use crate::{OsRelease, Package, Problem};

/// What a parser found in one database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub packages: Vec<Package>,
    pub problems: Vec<Problem>,
}

/// dpkg's `/var/lib/dpkg/status`: only packages whose files are on disk are listed
/// (`Status` of `installed`, `half-configured`, `unpacked`, `half-installed`,
/// `triggers-awaited`, `triggers-pending`; not `config-files` or `not-installed`).
pub fn dpkg_status(path: &Path, text: &str, os: Option<&OsRelease>) -> Parsed {
    crate::dpkg::parse_status(path, text, os)
}

/// One file of a distroless `/var/lib/dpkg/status.d/`: paragraphs without `Status`.
pub fn dpkg_status_d(path: &Path, text: &str, os: Option<&OsRelease>) -> Parsed {
    crate::dpkg::parse_status_d(path, text, os)
}

/// opkg's `status` file, without the `info/*.control` files that complete it.
pub fn opkg_status(path: &Path, text: &str, os: Option<&OsRelease>) -> Parsed {
    crate::opkg::parse_status(path, text, os)
}

/// apk's `/lib/apk/db/installed`.
pub fn apk_installed(path: &Path, text: &str, os: Option<&OsRelease>) -> Parsed {
    crate::apk::parse_installed(path, text, os)
}

/// rpm's `rpmdb.sqlite`, given as the bytes of the database file.
pub fn rpm_sqlite(path: &Path, bytes: Vec<u8>, os: Option<&OsRelease>) -> Parsed {
    crate::rpm::parse_sqlite(path, bytes, os)
}

/// One rpm header blob as rpm stores it in its database (or with the 8-byte header magic
/// in front, as in a package file). `record` is the header number used in messages.
pub fn rpm_header(
    path: &Path,
    record: u64,
    blob: &[u8],
    os: Option<&OsRelease>,
) -> Result<Option<Package>, Problem> {
    crate::rpm::package_from_header(path, record, blob, os)
}

/// `/etc/os-release`.
pub fn os_release(path: &Path, text: &str, sha256: String) -> OsRelease {
    OsRelease::parse(path, text, sha256)
}
