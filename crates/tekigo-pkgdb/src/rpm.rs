//! rpm's SQLite database (`/var/lib/rpm/rpmdb.sqlite`, Fedora 33+ and RHEL 9+): a table
//! `Packages(hnum, blob)` whose blobs are rpm headers, parsed here without rpm.
//!
//! A header blob is `il` and `dl` (big-endian 32-bit counts), `il` index entries of four
//! big-endian 32-bit words (tag, type, offset, count), then `dl` bytes of data the
//! offsets point into. Strings are NUL-terminated; an I18N string is an array whose first
//! element is the untranslated text.
//!
//! The database file is read through the [`Root`] into memory and opened there with
//! `sqlite3_deserialize`, never by path: opening it by path would follow the image's
//! symlinks on the host. A database in WAL mode (as rpm leaves it) is marked as a plain
//! rollback-journal database in the in-memory copy, since an in-memory database cannot use
//! a write-ahead log.

use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, MAIN_DB};
use tekigo_rootfs::Root;
use tekigo_sbom::SourcePackage;

use crate::inventory::FileProblems;
use crate::parse::Parsed;
use crate::purl::{self, PurlParts};
use crate::{Ecosystem, OsRelease, Package, Problem, ProblemKind};

const MAGIC: [u8; 8] = [0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];
/// rpm refuses headers with more index entries or data than this (`hdrchkTags`,
/// `hdrchkData`), and so does this reader.
const MAX_INDEX_ENTRIES: usize = 0xffff;
const MAX_DATA: usize = 256 << 20;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_VENDOR: u32 = 1011;
const TAG_LICENSE: u32 = 1014;
const TAG_PACKAGER: u32 = 1015;
const TAG_GROUP: u32 = 1016;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// One parsed header: its index and data store, borrowed from the blob.
struct Header<'a> {
    index: &'a [u8],
    data: &'a [u8],
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_be_bytes(word)
}

fn tag_name(tag: u32) -> &'static str {
    match tag {
        TAG_NAME => "NAME",
        TAG_VERSION => "VERSION",
        TAG_RELEASE => "RELEASE",
        TAG_EPOCH => "EPOCH",
        TAG_VENDOR => "VENDOR",
        TAG_LICENSE => "LICENSE",
        TAG_PACKAGER => "PACKAGER",
        TAG_GROUP => "GROUP",
        TAG_ARCH => "ARCH",
        TAG_SOURCERPM => "SOURCERPM",
        _ => "?",
    }
}

impl<'a> Header<'a> {
    fn parse(blob: &'a [u8]) -> Result<Header<'a>, String> {
        let blob = blob.strip_prefix(&MAGIC[..]).unwrap_or(blob);
        if blob.len() < 8 {
            return Err(format!(
                "{} bytes, shorter than a header's 8-byte preamble",
                blob.len()
            ));
        }
        let il = be32(blob, 0) as usize;
        let dl = be32(blob, 4) as usize;
        if il == 0 || il > MAX_INDEX_ENTRIES {
            return Err(format!(
                "{il} index entries (a header has 1 to {MAX_INDEX_ENTRIES})"
            ));
        }
        if dl > MAX_DATA {
            return Err(format!("{dl} bytes of data, more than rpm allows"));
        }
        let data_start = 8 + il * 16;
        let end = data_start + dl;
        if end > blob.len() {
            return Err(format!(
                "declares {end} bytes ({il} index entries, {dl} bytes of data) but has {}",
                blob.len()
            ));
        }
        Ok(Header {
            index: &blob[8..data_start],
            data: &blob[data_start..end],
        })
    }

    /// The type, offset and count of `tag`'s entry.
    fn entry(&self, tag: u32) -> Option<(u32, usize, usize)> {
        self.index.chunks_exact(16).find_map(|e| {
            (be32(e, 0) == tag).then(|| (be32(e, 4), be32(e, 8) as usize, be32(e, 12) as usize))
        })
    }

    /// A string tag (or the first element of a string array or I18N string).
    fn string(&self, tag: u32) -> Result<Option<String>, String> {
        let Some((kind, offset, count)) = self.entry(tag) else {
            return Ok(None);
        };
        let name = tag_name(tag);
        if !matches!(kind, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) {
            return Err(format!("tag {tag} ({name}) has type {kind}, not a string"));
        }
        if count == 0 {
            return Err(format!("tag {tag} ({name}) holds no string"));
        }
        let rest = self
            .data
            .get(offset..)
            .ok_or_else(|| format!("tag {tag} ({name}) points past the end of the data"))?;
        let end = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| format!("tag {tag} ({name}): string not terminated in the data"))?;
        let text = String::from_utf8_lossy(&rest[..end]).into_owned();
        Ok(Some(text).filter(|t| !t.is_empty()))
    }

    fn int32(&self, tag: u32) -> Result<Option<u32>, String> {
        let Some((kind, offset, count)) = self.entry(tag) else {
            return Ok(None);
        };
        let name = tag_name(tag);
        if kind != TYPE_INT32 || count == 0 {
            return Err(format!(
                "tag {tag} ({name}) has type {kind} and count {count}, not a 32-bit integer"
            ));
        }
        match self.data.get(offset..offset.saturating_add(4)) {
            Some(bytes) if bytes.len() == 4 => Ok(Some(be32(bytes, 0))),
            _ => Err(format!(
                "tag {tag} ({name}) points past the end of the data"
            )),
        }
    }
}

/// The package one header describes. `Ok(None)` for the `gpg-pubkey` pseudo-packages rpm
/// uses to store imported signing keys: they are not software.
pub(crate) fn package_from_header(
    path: &Path,
    record: u64,
    blob: &[u8],
    os: Option<&OsRelease>,
) -> Result<Option<Package>, Problem> {
    let bad = |message: String| {
        Problem::new(
            path,
            Some(record),
            ProblemKind::Malformed,
            format!("rpm header {record}: {message}"),
        )
    };
    let header = Header::parse(blob).map_err(bad)?;
    let required = |tag: u32| -> Result<String, Problem> {
        header
            .string(tag)
            .map_err(bad)?
            .ok_or_else(|| bad(format!("no {} tag", tag_name(tag))))
    };
    let name = required(TAG_NAME)?;
    if name == "gpg-pubkey" {
        return Ok(None);
    }
    let version = required(TAG_VERSION)?;
    let release = required(TAG_RELEASE)?;
    let optional = |tag: u32| header.string(tag).map_err(bad);
    let epoch = header.int32(TAG_EPOCH).map_err(bad)?.map(|e| e.to_string());
    let arch = optional(TAG_ARCH)?;
    let vendor = optional(TAG_VENDOR)?;
    let packager = optional(TAG_PACKAGER)?;
    let license = optional(TAG_LICENSE)?;
    let group = optional(TAG_GROUP)?.filter(|g| g != "Unspecified");
    let source_rpm = optional(TAG_SOURCERPM)?;

    let version_release = format!("{version}-{release}");
    let full_version = match &epoch {
        Some(epoch) => format!("{epoch}:{version_release}"),
        None => version_release.clone(),
    };
    let source = source_rpm
        .as_deref()
        .and_then(|file| SourcePackage::from_source_rpm(file, epoch.as_deref()));
    let (source_name, source_version) = match source {
        Some(s) => (Some(s.name), s.version),
        None => (None, None),
    };
    let purl = purl::build(
        &PurlParts {
            ecosystem: Ecosystem::Rpm,
            name: &name,
            version: &version_release,
            arch: arch.as_deref(),
            epoch: epoch.as_deref(),
            // syft's `upstream`: the source RPM file as rpm records it.
            upstream: source_name.as_ref().and(source_rpm.as_deref()),
        },
        os,
    )
    .map_err(bad)?;
    Ok(Some(Package {
        name,
        version: full_version,
        source_name,
        source_version,
        arch,
        supplier: vendor.or(packager),
        licenses: license.into_iter().collect(),
        section: group,
        cpe: None,
        ecosystem: Ecosystem::Rpm,
        purl,
        database: path.to_path_buf(),
        record,
    }))
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// Virtual-machine steps between two checks of the work budget, and the number of checks
/// allowed: reading a few thousand rows takes well under a million steps, so a database
/// built to make a query run forever is stopped after about a billion.
const PROGRESS_STEPS: i32 = 10_000;
const PROGRESS_CHECKS: u32 = 100_000;

pub(crate) fn parse_sqlite(path: &Path, mut bytes: Vec<u8>, os: Option<&OsRelease>) -> Parsed {
    let mut problems = FileProblems::new(path);
    let mut packages = Vec::new();
    if bytes.len() < 100 || !bytes.starts_with(SQLITE_MAGIC) {
        problems.push(
            None,
            ProblemKind::Malformed,
            "not a SQLite database (no SQLite header); no rpm package was read",
        );
        return Parsed {
            packages,
            problems: problems.finish(),
        };
    }
    // File format version numbers 2/2 mean WAL mode, which an in-memory copy cannot use.
    if bytes[18] == 2 && bytes[19] == 2 {
        bytes[18] = 1;
        bytes[19] = 1;
    }
    if let Err(e) = read_packages(path, &bytes, os, &mut packages, &mut problems) {
        problems.push(
            None,
            ProblemKind::Malformed,
            format!("cannot be read as an rpm database: {e}"),
        );
    }
    Parsed {
        packages,
        problems: problems.finish(),
    }
}

fn read_packages(
    path: &Path,
    bytes: &[u8],
    os: Option<&OsRelease>,
    packages: &mut Vec<Package>,
    problems: &mut FileProblems<'_>,
) -> rusqlite::Result<()> {
    let mut conn = Connection::open_in_memory()?;
    // The file is hostile input: no schema-defined functions or virtual tables, no writes,
    // corrupt cells detected early, and a bound on the work a query may do.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), true)?;
    conn.pragma_update(None, "cell_size_check", true)?;
    conn.pragma_update(None, "query_only", true)?;
    let mut checks = 0u32;
    conn.progress_handler(
        PROGRESS_STEPS,
        Some(move || {
            checks += 1;
            checks > PROGRESS_CHECKS
        }),
    );
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = 'Packages'",
            [],
            |row| row.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    if kind.as_deref() != Some("table") {
        problems.push(
            None,
            ProblemKind::Malformed,
            "no `Packages` table: not an rpm database; no rpm package was read",
        );
        return Ok(());
    }
    let mut statement = conn.prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let hnum: i64 = row.get(0)?;
        let record = u64::try_from(hnum).unwrap_or(0);
        let blob = match row.get_ref(1)?.as_blob() {
            Ok(blob) => blob,
            Err(_) => {
                problems.push(
                    Some(record),
                    ProblemKind::Malformed,
                    format!("rpm header {record}: not stored as a blob, skipped"),
                );
                continue;
            }
        };
        match package_from_header(path, record, blob, os) {
            Ok(Some(package)) => packages.push(package),
            Ok(None) => {}
            Err(problem) => problems.push(problem.line, problem.kind, problem.message),
        }
    }
    Ok(())
}

/// Reports changes rpm wrote to the write-ahead log but not yet into the database file:
/// the packages they install or remove are missing from what was read.
pub(crate) fn check_wal(root: &Root, database: &Path, problems: &mut Vec<Problem>) {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    match root.metadata(&wal) {
        Ok(meta) if meta.size > 0 => problems.push(Problem::new(
            Path::new(&wal),
            None,
            ProblemKind::Incomplete,
            format!(
                "{} bytes of changes not yet checkpointed into the database; packages \
                 installed or removed since then may be missing or still listed",
                meta.size
            ),
        )),
        Ok(_) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => problems.push(Problem::unreadable(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header with the given string tags and an optional epoch, as rpm lays it out.
    fn header(strings: &[(u32, &str)], epoch: Option<u32>) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        if let Some(epoch) = epoch {
            for word in [TAG_EPOCH, TYPE_INT32, 0, 1] {
                index.extend(word.to_be_bytes());
            }
            data.extend(epoch.to_be_bytes());
        }
        for (tag, text) in strings {
            for word in [*tag, TYPE_STRING, data.len() as u32, 1] {
                index.extend(word.to_be_bytes());
            }
            data.extend(text.as_bytes());
            data.push(0);
        }
        let mut blob = Vec::new();
        blob.extend(((index.len() / 16) as u32).to_be_bytes());
        blob.extend((data.len() as u32).to_be_bytes());
        blob.extend(index);
        blob.extend(data);
        blob
    }

    const BASH: [(u32, &str); 4] = [
        (TAG_NAME, "bash"),
        (TAG_VERSION, "5.2.26"),
        (TAG_RELEASE, "3.fc40"),
        (TAG_SOURCERPM, "bash-5.2.26-3.fc40.src.rpm"),
    ];

    #[test]
    fn header_with_and_without_magic_and_epoch() {
        let path = Path::new("/var/lib/rpm/rpmdb.sqlite");
        let plain = header(&BASH, None);
        let package = package_from_header(path, 7, &plain, None).unwrap().unwrap();
        assert_eq!(package.version, "5.2.26-3.fc40");
        assert_eq!(package.source_name.as_deref(), Some("bash"));
        assert_eq!(
            package.purl,
            "pkg:rpm/bash@5.2.26-3.fc40?upstream=bash-5.2.26-3.fc40.src.rpm"
        );
        let mut magic = MAGIC.to_vec();
        magic.extend(header(&BASH, Some(2)));
        let package = package_from_header(path, 7, &magic, None).unwrap().unwrap();
        assert_eq!(package.version, "2:5.2.26-3.fc40");
        assert_eq!(package.source_version.as_deref(), Some("2:5.2.26-3.fc40"));
        assert_eq!(
            package.purl,
            "pkg:rpm/bash@5.2.26-3.fc40?epoch=2&upstream=bash-5.2.26-3.fc40.src.rpm"
        );
    }

    #[test]
    fn damaged_headers_are_errors_naming_the_record_and_tag() {
        let path = Path::new("/var/lib/rpm/rpmdb.sqlite");
        let good = header(&BASH, None);
        let err = |blob: &[u8]| package_from_header(path, 9, blob, None).unwrap_err();
        assert!(err(&good[..good.len() - 1]).message.contains("declares"));
        assert!(err(&good[..5]).message.contains("preamble"));
        let mut unterminated = good.clone();
        *unterminated.last_mut().unwrap() = b'x';
        let problem = err(&unterminated);
        assert!(
            problem.message.contains("tag 1044 (SOURCERPM)"),
            "{}",
            problem.message
        );
        assert_eq!(problem.line, Some(9));
        let no_version = header(&[(TAG_NAME, "bash"), (TAG_RELEASE, "1")], None);
        assert!(err(&no_version).message.contains("no VERSION tag"));
        let pubkey = header(
            &[
                (TAG_NAME, "gpg-pubkey"),
                (TAG_VERSION, "a"),
                (TAG_RELEASE, "b"),
            ],
            None,
        );
        assert_eq!(package_from_header(path, 1, &pubkey, None), Ok(None));
    }
}
