//! apk's database, `/lib/apk/db/installed` (Alpine): records of `X:value` lines, one
//! letter per field, separated by blank lines. Only the package's own fields are read; the
//! file list that follows them (`F:`, `R:`, `Z:`, ...) is skipped.

use std::path::Path;

use crate::control::excerpt;
use crate::inventory::FileProblems;
use crate::parse::Parsed;
use crate::purl::{self, PurlParts};
use crate::{Ecosystem, OsRelease, Package, ProblemKind};

#[derive(Default)]
struct Record<'a> {
    line: u64,
    name: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    license: Option<&'a str>,
    origin: Option<&'a str>,
    maintainer: Option<&'a str>,
    /// Any line seen, so that a record of only file entries is still reported.
    any: bool,
}

pub(crate) fn parse_installed(path: &Path, text: &str, os: Option<&OsRelease>) -> Parsed {
    let mut problems = FileProblems::new(path);
    let mut records = Vec::new();
    let mut record = Record::default();
    for (index, line) in text.lines().enumerate() {
        let number = index as u64 + 1;
        if line.trim().is_empty() {
            records.push(std::mem::take(&mut record));
            continue;
        }
        let bytes = line.as_bytes();
        if bytes.len() < 2 || !bytes[0].is_ascii_alphabetic() || bytes[1] != b':' {
            problems.push(
                Some(number),
                ProblemKind::Malformed,
                format!("expected `X:value`, found `{}`", excerpt(line)),
            );
            continue;
        }
        let value = line[2..].trim_end();
        if bytes[0] == b'P' && record.name.is_some() {
            problems.push(
                Some(number),
                ProblemKind::Malformed,
                "a second `P:` in one record (a missing blank line?); read as a new record",
            );
            records.push(std::mem::take(&mut record));
        }
        if !record.any {
            record.line = number;
            record.any = true;
        }
        let slot = match bytes[0] {
            b'P' => &mut record.name,
            b'V' => &mut record.version,
            b'A' => &mut record.arch,
            b'L' => &mut record.license,
            b'o' => &mut record.origin,
            b'm' => &mut record.maintainer,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value).filter(|v| !v.is_empty());
        }
    }
    records.push(record);
    let packages = records
        .into_iter()
        .filter(|r| r.any)
        .filter_map(|r| package(r, path, os, &mut problems))
        .collect();
    Parsed {
        packages,
        problems: problems.finish(),
    }
}

/// The package a record describes; `None` (reported) when it lacks a name or version.
fn package(
    record: Record<'_>,
    path: &Path,
    os: Option<&OsRelease>,
    problems: &mut FileProblems<'_>,
) -> Option<Package> {
    let line = Some(record.line);
    let Some(name) = record.name else {
        problems.push(line, ProblemKind::Malformed, "record without `P:`, skipped");
        return None;
    };
    let Some(version) = record.version else {
        problems.push(
            line,
            ProblemKind::Malformed,
            format!("package `{name}` has no `V:`, skipped"),
        );
        return None;
    };
    let parts = PurlParts {
        ecosystem: Ecosystem::Apk,
        name,
        version,
        arch: record.arch,
        epoch: None,
        // syft's `upstream`: the origin, where it is another package.
        upstream: record.origin.filter(|o| *o != name),
    };
    let purl = match purl::build(&parts, os) {
        Ok(purl) => purl,
        Err(e) => {
            problems.push(line, ProblemKind::Malformed, format!("`{name}`: {e}"));
            return None;
        }
    };
    Some(Package {
        name: name.to_string(),
        version: version.to_string(),
        source_name: Some(record.origin.unwrap_or(name).to_string()),
        source_version: Some(version.to_string()),
        arch: record.arch.map(str::to_string),
        supplier: record.maintainer.map(str::to_string),
        licenses: record.license.map(str::to_string).into_iter().collect(),
        section: None,
        cpe: None,
        ecosystem: Ecosystem::Apk,
        purl,
        database: path.to_path_buf(),
        record: record.line,
    })
}
