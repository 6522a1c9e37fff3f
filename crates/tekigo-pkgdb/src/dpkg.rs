//! dpkg's database: `/var/lib/dpkg/status` and distroless `status.d/` files. opkg's status
//! file has the same shape and is read with the same code.

use std::collections::HashMap;
use std::path::Path;

use tekigo_rootfs::Root;

use crate::control::{self, Paragraph};
use crate::inventory::FileProblems;
use crate::parse::Parsed;
use crate::purl::{self, PurlParts};
use crate::{Ecosystem, OsRelease, Package, ProblemKind};

pub(crate) fn parse_status(path: &Path, text: &str, os: Option<&OsRelease>) -> Parsed {
    parse(path, text, os, Ecosystem::Deb, StatusField::Required)
}

pub(crate) fn parse_status_d(path: &Path, text: &str, os: Option<&OsRelease>) -> Parsed {
    parse(path, text, os, Ecosystem::Deb, StatusField::Absent)
}

/// Whether paragraphs carry a `Status` field saying if the package is installed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusField {
    Required,
    /// Every paragraph is an installed package (distroless `status.d`).
    Absent,
}

/// Package states in which the package's files are on disk. `config-files` (only
/// configuration left after removal) and `not-installed` are not in the inventory.
const ON_DISK: [&str; 6] = [
    "installed",
    "half-configured",
    "unpacked",
    "half-installed",
    "triggers-awaited",
    "triggers-pending",
];
const GONE: [&str; 2] = ["config-files", "not-installed"];

pub(crate) fn parse(
    path: &Path,
    text: &str,
    os: Option<&OsRelease>,
    ecosystem: Ecosystem,
    status: StatusField,
) -> Parsed {
    let mut problems = FileProblems::new(path);
    let paragraphs = control::paragraphs(text, &mut problems);
    let packages = paragraphs
        .iter()
        .filter_map(|p| package(p, path, os, ecosystem, status, &mut problems))
        .collect();
    Parsed {
        packages,
        problems: problems.finish(),
    }
}

/// The package a paragraph describes, `None` when it is not installed or is unusable (the
/// latter reported).
fn package(
    paragraph: &Paragraph,
    path: &Path,
    os: Option<&OsRelease>,
    ecosystem: Ecosystem,
    status: StatusField,
    problems: &mut FileProblems<'_>,
) -> Option<Package> {
    let line = Some(paragraph.line);
    let mut malformed = |message: String| {
        problems.push(line, ProblemKind::Malformed, message);
        None
    };
    let Some(name) = paragraph.get("Package") else {
        return malformed("paragraph without a `Package` field, skipped".into());
    };
    if status == StatusField::Required {
        let Some(value) = paragraph.get("Status") else {
            return malformed(format!("package `{name}` has no `Status` field, skipped"));
        };
        let words: Vec<&str> = value.split_whitespace().collect();
        match words[..] {
            [_, _, state] if ON_DISK.contains(&state) => {}
            [_, _, state] if GONE.contains(&state) => return None,
            _ => {
                return malformed(format!(
                    "package `{name}` has status `{value}`, not `WANT FLAG STATE` with a known \
                     state; skipped"
                ))
            }
        }
    }
    let Some(version) = paragraph.get("Version") else {
        return malformed(format!("package `{name}` has no `Version` field, skipped"));
    };
    let arch = paragraph.get("Architecture");
    let (source_name, source_version) = match paragraph.get("Source") {
        Some(source) => match source.split_once('(') {
            Some((name, rest)) => (name.trim(), rest.trim_end().trim_end_matches(')').trim()),
            None => (source, version),
        },
        None => (name, version),
    };
    let purl = purl::build(
        &PurlParts {
            ecosystem,
            name,
            version,
            arch,
            epoch: None,
            upstream: upstream(ecosystem, (name, version), (source_name, source_version))
                .as_deref(),
        },
        os,
    );
    let purl = match purl {
        Ok(purl) => purl,
        Err(e) => return malformed(format!("package `{name}`: {e}")),
    };
    Some(Package {
        name: name.to_string(),
        version: version.to_string(),
        source_name: Some(source_name.to_string()),
        source_version: Some(source_version.to_string()),
        arch: arch.map(str::to_string),
        supplier: paragraph.get("Maintainer").map(str::to_string),
        licenses: paragraph
            .get("License")
            .map(str::to_string)
            .into_iter()
            .collect(),
        section: paragraph.get("Section").map(str::to_string),
        cpe: paragraph.get("CPE-ID").map(str::to_string),
        ecosystem,
        purl,
        database: path.to_path_buf(),
        record: paragraph.line,
    })
}

/// The PURL's `upstream` qualifier of a deb package, as syft writes it: the source name
/// when it differs, with `@VERSION` when the source version does (a binNMU `+b1`, or a
/// binary with its own version such as `gcc` from `gcc-defaults`); nothing when the package
/// is its own source. opkg PURLs carry none: no matcher reads one there.
fn upstream(
    ecosystem: Ecosystem,
    (name, version): (&str, &str),
    (source_name, source_version): (&str, &str),
) -> Option<String> {
    if ecosystem != Ecosystem::Deb {
        return None;
    }
    match (source_name != name, source_version != version) {
        (_, true) => Some(format!("{source_name}@{source_version}")),
        (true, false) => Some(source_name.to_string()),
        (false, false) => None,
    }
}

/// How much of a copyright file is read: the header and `Files` paragraphs come first,
/// long licence texts after them.
const MAX_COPYRIGHT: u64 = 512 << 10;

/// Fills in the licences of Debian packages from their machine-readable copyright files
/// (DEP-5, `/usr/share/doc/NAME/copyright`). A package without one, or whose file is not
/// machine-readable, keeps an unknown licence: guessing from free text would be wrong too
/// often to be evidence.
pub(crate) fn add_copyright_licenses(root: &Root, packages: &mut [Package]) {
    let mut cache: HashMap<String, Vec<String>> = HashMap::new();
    for package in packages
        .iter_mut()
        .filter(|p| p.ecosystem == Ecosystem::Deb && p.licenses.is_empty())
    {
        let licenses = cache.entry(package.name.clone()).or_insert_with(|| {
            let path = format!("/usr/share/doc/{}/copyright", package.name);
            match root.read_to_string(path, MAX_COPYRIGHT) {
                Ok(read) => dep5_licenses(&read.text),
                Err(_) => Vec::new(),
            }
        });
        package.licenses.clone_from(licenses);
    }
}

/// The distinct `License:` short names of a DEP-5 copyright file, in order of appearance;
/// nothing for a file that does not declare the machine-readable format.
pub(crate) fn dep5_licenses(text: &str) -> Vec<String> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let is_dep5 = first
        .split_once(':')
        .is_some_and(|(k, v)| k.eq_ignore_ascii_case("Format") && v.contains("copyright-format"));
    if !is_dep5 {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if key.eq_ignore_ascii_case("License")
            && !value.is_empty()
            && !out.iter().any(|l| l == value)
        {
            out.push(value.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_names_the_source_only_where_it_differs() {
        let deb = |b, s| upstream(Ecosystem::Deb, b, s);
        assert_eq!(
            deb(("libc6", "2.36-9"), ("glibc", "2.36-9")).as_deref(),
            Some("glibc")
        );
        assert_eq!(
            deb(("bash", "5.2.15-2+b13"), ("bash", "5.2.15-2")).as_deref(),
            Some("bash@5.2.15-2")
        );
        assert_eq!(deb(("dash", "0.5.12-2"), ("dash", "0.5.12-2")), None);
        assert_eq!(
            upstream(Ecosystem::Opkg, ("libssl3", "3.0"), ("openssl", "3.0")),
            None
        );
    }

    #[test]
    fn dep5_collects_distinct_license_names_only_from_machine_readable_files() {
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
                    Upstream-Name: x\n\nFiles: *\nCopyright: me\nLicense: GPL-2+\n\n\
                    Files: debian/*\nLicense: GPL-2+\n\nFiles: lib/*\nLicense: MIT or Apache-2.0\n\
                    \nLicense: GPL-2+\n This program is free software\n License: not a field\n";
        assert_eq!(dep5_licenses(text), ["GPL-2+", "MIT or Apache-2.0"]);
        assert!(dep5_licenses("This is free text.\nLicense: GPL\n").is_empty());
    }
}
