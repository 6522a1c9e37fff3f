//! Reading catalog files: from the binary, or from a directory a user points at.

use crate::error::{CatalogError, Problem};
use crate::model::{Common, Glossary, Item, MappingSet, MaturityLevel, StandardInfo};
use serde::Deserialize;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The catalog files as (name shown in errors, path under the catalog root, content).
pub(crate) struct SourceFile {
    pub display: String,
    pub rel: String,
    pub text: String,
}

pub(crate) fn embedded_sources() -> Vec<SourceFile> {
    EMBEDDED
        .iter()
        .map(|(rel, text)| SourceFile {
            display: format!("catalogs/{rel}"),
            rel: (*rel).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// Reads the same layout as `catalogs/` in the repository: `common.yaml`, `glossary.yaml`
/// (optional) and standards at the top, outside frameworks in `frameworks/`, regimes beside
/// 62443 in `regimes/`, cross-references in `mappings/`.
pub(crate) fn dir_sources(dir: &Path) -> Result<Vec<SourceFile>, CatalogError> {
    let mut out = Vec::new();
    for sub in ["", "frameworks", "regimes", "mappings"] {
        let d = dir.join(sub);
        if sub.is_empty() && !d.is_dir() {
            return Err(CatalogError::single(
                dir.display().to_string(),
                None,
                "not a directory",
            ));
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        for path in paths {
            let display = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| {
                CatalogError::single(display.clone(), None, format!("cannot read: {e}"))
            })?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rel = if sub.is_empty() {
                name
            } else {
                format!("{sub}/{name}")
            };
            out.push(SourceFile { display, rel, text });
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StandardFile {
    pub standard: StandardInfo,
    #[serde(default)]
    pub maturity_levels: Vec<MaturityLevel>,
    pub items: Vec<Item>,
}

/// A parsed file, with the line on which each entry of its main list starts.
pub(crate) enum Parsed {
    Common(Box<Common>),
    Glossary(Glossary),
    Standard {
        file: StandardFile,
        lines: Vec<Option<usize>>,
    },
    Mappings {
        set: MappingSet,
        lines: Vec<Option<usize>>,
    },
}

pub(crate) fn parse(src: &SourceFile) -> Result<Parsed, Problem> {
    let problem = |e: serde_norway::Error| Problem {
        file: src.display.clone(),
        line: e.location().map(|l| l.line()),
        message: e.to_string(),
    };
    if src.rel == "common.yaml" {
        return serde_norway::from_str(&src.text)
            .map(|c| Parsed::Common(Box::new(c)))
            .map_err(problem);
    }
    if src.rel == "glossary.yaml" {
        return serde_norway::from_str(&src.text)
            .map(Parsed::Glossary)
            .map_err(problem);
    }
    if src.rel.starts_with("mappings/") {
        let set: MappingSet = serde_norway::from_str(&src.text).map_err(problem)?;
        let lines = entry_lines(&src.text, "mappings", set.mappings.len());
        return Ok(Parsed::Mappings { set, lines });
    }
    let file: StandardFile = serde_norway::from_str(&src.text).map_err(problem)?;
    let lines = entry_lines(&src.text, "items", file.items.len());
    Ok(Parsed::Standard { file, lines })
}

/// Finds the first line of every entry of the top-level list `key`, so that validation can
/// point at the offending entry. YAML parsers do not keep positions through serde, so this
/// reads the block layout the catalog files use; when the layout is something else (flow
/// style, say) the count will not match and errors fall back to naming the entry by id.
fn entry_lines(text: &str, key: &str, expected: usize) -> Vec<Option<usize>> {
    let mut lines = Vec::new();
    let mut inside = false;
    let mut indent: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let depth = line.len() - trimmed.len();
        if depth == 0 && !trimmed.starts_with('-') {
            inside = trimmed
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'));
            continue;
        }
        if inside && trimmed.starts_with("- ") && *indent.get_or_insert(depth) == depth {
            lines.push(Some(n + 1));
        }
    }
    if lines.len() == expected {
        lines
    } else {
        vec![None; expected]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_lines_follow_block_layout() {
        let text =
            "standard: x\nitems:\n\n  - id: a\n    kind: CR\n  # note\n  - id: b\nother: 1\n";
        assert_eq!(entry_lines(text, "items", 2), vec![Some(4), Some(7)]);
        assert_eq!(entry_lines(text, "items", 3), vec![None; 3]);
    }
}
