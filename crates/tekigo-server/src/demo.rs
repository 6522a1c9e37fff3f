//! `tekigo serve --demo`: the example projects of the repository, embedded in the binary
//! and imported like any project directory; and, for a server started without an advisory
//! database, a small one of real public advisories with an SBOM of the example gateway,
//! so that the vulnerabilities page has findings to show (a demonstration, not a feed).

use crate::error::AppError;
use crate::state::Shared;
use tekigo_store::records;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/demo.rs"));
}

/// The advisories of the demonstration database: public records, as tekigo-vulndb's tests
/// use them (their README says where each comes from). Log4Shell (GHSA, and CISA's KEV
/// catalog, which names it) and Debian's glibc advisory match the gateway's SBOM.
const ADVISORIES: &[(&str, &[u8])] = &[
    (
        "GHSA-jfh8-c2jp-5v3q.json",
        include_bytes!("../../tekigo-vulndb/tests/fixtures/osv/GHSA-jfh8-c2jp-5v3q.json"),
    ),
    (
        "DSA-5514-1.json",
        include_bytes!("../../tekigo-vulndb/tests/fixtures/osv/DSA-5514-1.json"),
    ),
    (
        "ALPINE-CVE-2024-3094.json",
        include_bytes!("../../tekigo-vulndb/tests/fixtures/osv/ALPINE-CVE-2024-3094.json"),
    ),
    (
        "known_exploited_vulnerabilities.json",
        include_bytes!(
            "../../tekigo-vulndb/tests/fixtures/kev/known_exploited_vulnerabilities.json"
        ),
    ),
];

/// The example gateway's demonstration SBOM, uploaded to the `gateway` project under this
/// name when the server has an advisory database.
const SBOM: (&str, &[u8]) = (
    "gw-100-firmware",
    include_bytes!("../../../examples/gateway-inputs/sbom.cdx.json"),
);

/// Builds the demonstration advisory database `demo-advisories.tkvdb` in `data_dir` from
/// [`ADVISORIES`] (again each start: an import of unchanged records changes nothing) and
/// returns its path and the number of advisories.
pub fn advisories(data_dir: &std::path::Path) -> Result<(std::path::PathBuf, usize), AppError> {
    let internal = |e: &dyn std::fmt::Display| AppError::Internal(format!("demo advisories: {e}"));
    std::fs::create_dir_all(data_dir).map_err(|e| internal(&e))?;
    let dir = tempfile::tempdir_in(data_dir).map_err(|e| internal(&e))?;
    for (name, bytes) in ADVISORIES {
        std::fs::write(dir.path().join(name), bytes).map_err(|e| internal(&e))?;
    }
    let db = data_dir.join("demo-advisories.tkvdb");
    let options = tekigo_vulndb::ImportOptions {
        keep_going: false,
        progress: None,
    };
    tekigo_vulndb::import(&db, &[dir.path().to_path_buf()], &options).map_err(|e| internal(&e))?;
    Ok((db, ADVISORIES.len()))
}

/// Imports every example project that the server does not hold yet; returns the ids
/// loaded with their number of assessments. With an advisory database, the gateway's
/// demonstration SBOM is uploaded too, unless the project has it already.
pub fn load(s: &Shared) -> Result<Vec<(String, usize)>, AppError> {
    let mut names: Vec<&str> = embedded::FILES.iter().map(|f| f.0).collect();
    names.dedup();
    let mut loaded = Vec::new();
    for name in names {
        if s.store.read(|c| records::project(c, name))?.is_some() {
            continue;
        }
        let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
        for (_, rel, bytes) in embedded::FILES.iter().filter(|f| f.0 == name) {
            let path = dir.path().join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| AppError::Internal(e.to_string()))?;
            }
            std::fs::write(&path, bytes).map_err(|e| AppError::Internal(e.to_string()))?;
        }
        let n = crate::sync::import_project(s, "demo", dir.path(), name)?;
        loaded.push((name.to_string(), n));
    }
    let (name, bytes) = SBOM;
    let has_it = || -> Result<bool, AppError> {
        let rows = s.store.read(|c| records::sboms(c, "gateway"))?;
        Ok(rows.iter().any(|r| r.name == name))
    };
    if s.vulndb.is_some()
        && s.store.read(|c| records::project(c, "gateway"))?.is_some()
        && !has_it()?
    {
        let upload = crate::upload::from_bytes(&s.data_dir, bytes)?;
        crate::service::upload_sbom(s, "demo", "gateway", name, &upload)?;
    }
    Ok(loaded)
}
