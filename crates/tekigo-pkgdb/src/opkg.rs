//! opkg's database (OpenWrt, Yocto): a dpkg-style `status` file holding little more than
//! name, version, architecture and state, completed by each package's
//! `info/NAME.control` beside it, which holds maintainer, licence, section and source.

use std::path::Path;

use tekigo_rootfs::Root;

use crate::control;
use crate::dpkg::{self, StatusField};
use crate::inventory::FileProblems;
use crate::parse::Parsed;
use crate::{Ecosystem, OsRelease, Problem};

pub(crate) fn parse_status(path: &Path, text: &str, os: Option<&OsRelease>) -> Parsed {
    let mut parsed = dpkg::parse(path, text, os, Ecosystem::Opkg, StatusField::Required);
    for package in &mut parsed.packages {
        normalize_source(package);
    }
    parsed
}

const MAX_CONTROL: u64 = 256 << 10;

/// Fills what the status file lacks from `info/NAME.control` next to it. A package without
/// a control file keeps what the status said; an unreadable one is a problem.
pub(crate) fn complete_from_control(root: &Root, status: &Path, parsed: &mut Parsed) {
    let Some(dir) = status.parent() else {
        return;
    };
    for package in &mut parsed.packages {
        let path = dir.join("info").join(format!("{}.control", package.name));
        let read = match root.read_to_string(&path, MAX_CONTROL) {
            Ok(read) => read,
            Err(e) if e.is_not_found() => continue,
            Err(e) => {
                parsed.problems.push(Problem::unreadable(&e));
                continue;
            }
        };
        let mut problems = FileProblems::new(&read.path);
        let paragraphs = control::paragraphs(&read.text, &mut problems);
        parsed.problems.extend(problems.finish());
        let Some(control) = paragraphs.first() else {
            continue;
        };
        let fill = |slot: &mut Option<String>, field: &str| {
            if slot.is_none() {
                *slot = control.get(field).map(str::to_string);
            }
        };
        fill(&mut package.supplier, "Maintainer");
        fill(&mut package.section, "Section");
        fill(&mut package.cpe, "CPE-ID");
        if package.licenses.is_empty() {
            package
                .licenses
                .extend(control.get("License").map(str::to_string));
        }
        let source = ["SourceName", "OE", "Source"]
            .into_iter()
            .find_map(|field| control.get(field));
        if let Some(source) = source {
            package.source_name = Some(source.to_string());
            normalize_source(package);
        }
    }
}

/// The source package: OpenWrt's `SourceName`, Yocto's `OE` (the recipe), else `Source`,
/// which is not always a name: OpenWrt writes the feed directory (`package/libs/openssl`)
/// and Yocto the recipe file (`openssl_3.1.4.bb`). Both are reduced to the name the
/// distribution's advisories use.
fn normalize_source(package: &mut crate::Package) {
    let Some(source) = package.source_name.as_deref() else {
        return;
    };
    let mut name = source.rsplit('/').next().unwrap_or(source);
    if let Some(recipe) = name.strip_suffix(".bb") {
        name = recipe.split_once('_').map_or(recipe, |(n, _)| n);
    }
    if !name.is_empty() && name != source {
        package.source_name = Some(name.to_string());
    }
}
