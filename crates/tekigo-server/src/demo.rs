//! `tekigo serve --demo`: the example projects of the repository, embedded in the binary
//! and imported like any project directory.

use crate::error::AppError;
use crate::state::Shared;
use tekigo_store::records;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/demo.rs"));
}

/// Imports every example project that the server does not hold yet; returns the ids
/// loaded with their number of assessments.
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
    Ok(loaded)
}
