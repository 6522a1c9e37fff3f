//! The compact Kbuild index: the Kbuild files of a kernel tree in one small file, so that
//! `vuln scan --kernel-source` does not need the whole tree (Debian's Linux 6.1.192 source
//! is 1.3 GB unpacked; its 2,894 directories' Kbuild files are 2.4 MB of text and index,
//! with the top-level and architecture Makefiles, into 527 KiB, docs/PERFORMANCE.md).
//!
//! The index holds, per directory, exactly the file [`crate::Tree`] reads there (`Kbuild`,
//! else `Makefile`, under the same rules: no symbolic links, at most
//! [`crate::kbuild::MAX_SIZE`]; a file over the bound is kept as that error), so a tree
//! opened from the index decides every file as the tree itself does, with the same
//! evidence. The only change to the text: a line that is nothing but a `#` comment, and is
//! neither continued (`\` at its end) nor a continuation of the line before, is stored
//! empty. The evaluator treats both alike (a comment is removed before anything is read),
//! and line numbers, which the evidence cites, stay the same.
//!
//! It also holds the top-level `Makefile` and every `arch/<arch>/Makefile`, which the tree
//! reads for the top-level lists (`top.rs`) even where a `Kbuild` is the directory's file,
//! compacted alike.
//!
//! Format: gzip of a JSON object `{"format": 2, "kind": "tekigo-kbuild-index", "files":
//! {DIR: ENTRY}, "makefiles": {PATH: ENTRY}}`, `ENTRY` being `{"file": PATH, "text": TEXT}`
//! or `{"file": PATH, "error": MESSAGE}`, `DIR` relative to the tree (`""` for the top).
//! Format 1 (before the top-level lists were read) had no `makefiles`: it is refused with
//! the advice to rebuild it. Reading is hostile-input safe: the inflated size is bounded,
//! every path must be a plain relative path of the directory's own `Kbuild` or `Makefile`
//! (of `Makefile` or `arch/<arch>/Makefile` for `makefiles`), and every text is bounded as
//! a file of the tree would be.

use crate::kbuild::MAX_SIZE;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::Path;

/// The largest inflated index read (a whole 6.x tree's Kbuild files are under 16 MB).
const MAX_INFLATED: u64 = 256 << 20;
/// The largest compressed index read.
const MAX_FILE: u64 = 64 << 20;
/// The most directories walked when building an index (a 6.x tree has about 5,000 with a
/// Kbuild file and 60,000 in all).
const MAX_DIRS: usize = 1_000_000;
const KIND: &str = "tekigo-kbuild-index";
/// The layout written and read (see the module docs).
const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexFile {
    format: u32,
    kind: String,
    files: BTreeMap<String, Entry>,
    #[serde(default)]
    makefiles: BTreeMap<String, Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// What the index holds: directory to its Kbuild file (path, text), and the directories
/// whose file could not be read, with the error reading it gives.
pub(crate) struct Loaded {
    pub(crate) files: HashMap<String, Option<(String, String)>>,
    pub(crate) broken: HashMap<String, Error>,
    /// The top-level and architecture Makefiles, by path (`Tree::makefile`).
    pub(crate) makefiles: HashMap<String, Result<Option<String>, Error>>,
}

/// Blanks whole-line comments that no `\` joins to another line (see the module docs).
fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut continued = false;
    for line in text.lines() {
        let ends = line.ends_with('\\');
        if !continued && !ends && line.trim_start().starts_with('#') {
            // Empty: the line number stays, the comment goes.
        } else {
            out.push_str(line);
        }
        out.push('\n');
        continued = ends;
    }
    out
}

/// Builds the index of the tree at `root` (see the module docs) and writes it to `out`.
/// Returns the number of directories with a Kbuild file.
pub fn build_index(root: &Path, out: &Path) -> Result<usize, Error> {
    let tree = crate::Tree::open(root)?;
    let mut files = BTreeMap::new();
    let mut makefiles = BTreeMap::new();
    let mut stack = vec![String::new()];
    let mut walked = 0usize;
    while let Some(dir) = stack.pop() {
        walked += 1;
        if walked > MAX_DIRS {
            return Err(Error::new(
                &root.display().to_string(),
                0,
                format!("more than {MAX_DIRS} directories: not a kernel tree?"),
            ));
        }
        let read = crate::read_kbuild(&tree.root, &dir);
        if let Some(entry) = entry(read) {
            files.insert(dir.clone(), entry);
        }
        if is_makefile_dir(&dir) {
            let rel = if dir.is_empty() {
                "Makefile".to_string()
            } else {
                format!("{dir}/Makefile")
            };
            let read = crate::read_file(&tree.root, &rel);
            if let Some(entry) = entry(read.map(|t| t.map(|text| (rel.clone(), text)))) {
                makefiles.insert(rel, entry);
            }
        }
        // Deeper directories are never consulted (`Tree::decide` refuses deeper paths).
        if dir.split('/').count() >= crate::MAX_DEPTH {
            continue;
        }
        let path = tree.root.join(&dir);
        let entries = std::fs::read_dir(&path).map_err(|e| Error::new(&dir, 0, e.to_string()))?;
        let mut subdirs = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::new(&dir, 0, e.to_string()))?;
            // `file_type` does not follow symbolic links, as the tree's reads do not.
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if is_dir && !name.starts_with('.') {
                subdirs.push(if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                });
            }
        }
        subdirs.sort();
        stack.extend(subdirs.into_iter().rev());
    }
    let n = files.values().filter(|e| e.text.is_some()).count();
    let index = IndexFile {
        format: FORMAT,
        kind: KIND.to_string(),
        files,
        makefiles,
    };
    let name = out.display().to_string();
    let fail = |e: std::io::Error| Error::new(&name, 0, e.to_string());
    let json = serde_json::to_vec(&index).map_err(|e| Error::new(&name, 0, e.to_string()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&json).map_err(fail)?;
    let bytes = gz.finish().map_err(fail)?;
    // Written next to its place and renamed, so a reader never sees half an index.
    let tmp = out.with_extension("partial");
    std::fs::write(&tmp, &bytes).map_err(fail)?;
    std::fs::rename(&tmp, out).map_err(fail)?;
    Ok(n)
}

/// A file read for the index as an entry (its text compacted, or its error); `None` when
/// the tree does not have it.
fn entry(read: Result<Option<(String, String)>, Error>) -> Option<Entry> {
    match read {
        Ok(Some((file, text))) => Some(Entry {
            file,
            text: Some(compact(&text)),
            error: None,
        }),
        Ok(None) => None,
        Err(e) => Some(Entry {
            file: e.file,
            text: None,
            error: Some(e.message),
        }),
    }
}

/// Whether `dir` is the top or an `arch/<arch>`, whose `Makefile` the top-level lists read.
fn is_makefile_dir(dir: &str) -> bool {
    dir.is_empty()
        || dir
            .strip_prefix("arch/")
            .is_some_and(|a| !a.is_empty() && !a.contains('/'))
}

/// Whether `file` is the `Kbuild` or `Makefile` of `dir`, as the tree would name it.
fn is_own_file(dir: &str, file: &str) -> bool {
    let name = match dir {
        "" => file,
        _ => match file.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
            Some(name) => name,
            None => return false,
        },
    };
    name == "Kbuild" || name == "Makefile"
}

/// Reads an index file (see the module docs); every error names the file.
pub(crate) fn load(path: &Path) -> Result<Loaded, Error> {
    let name = path.display().to_string();
    let bad = |message: String| Error::new(&name, 0, message);
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    let mut raw = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut raw)
        .map_err(|e| bad(e.to_string()))?;
    if raw.len() as u64 > MAX_FILE {
        return Err(bad(format!("larger than {} MiB", MAX_FILE >> 20)));
    }
    parse(&name, &raw)
}

/// Parses the bytes of an index file; `origin` names it in errors.
pub fn parse_index(origin: &str, raw: &[u8]) -> Result<usize, Error> {
    parse(origin, raw).map(|l| l.files.len() + l.broken.len())
}

fn parse(origin: &str, raw: &[u8]) -> Result<Loaded, Error> {
    let bad = |message: String| Error::new(origin, 0, message);
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return Err(bad(
            "not a Kbuild index (not gzip): give a kernel source directory or a file made by \
             `tekigo kconfig index`"
                .into(),
        ));
    }
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(raw)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut json)
        .map_err(|e| bad(format!("damaged: {e}")))?;
    if json.len() as u64 > MAX_INFLATED {
        return Err(bad(format!(
            "inflates to more than {} MiB",
            MAX_INFLATED >> 20
        )));
    }
    let index: IndexFile = serde_json::from_slice(&json)
        .map_err(|e| Error::new(origin, e.line(), format!("column {}: {e}", e.column())))?;
    if index.kind != KIND {
        return Err(bad(format!(
            "kind {:?}: this tekigo reads {KIND} format {FORMAT}",
            index.kind
        )));
    }
    if index.format != FORMAT {
        return Err(bad(format!(
            "{KIND} format {}: this tekigo reads format {FORMAT}; rebuild it with `tekigo \
             kconfig index` from the kernel tree",
            index.format
        )));
    }
    let mut loaded = Loaded {
        files: HashMap::new(),
        broken: HashMap::new(),
        makefiles: HashMap::new(),
    };
    for (path, entry) in index.makefiles {
        let plain = path == "Makefile"
            || path.strip_suffix("/Makefile").is_some_and(|d| {
                is_makefile_dir(d) && !d.is_empty() && d != "arch/.." && d != "arch/."
            });
        if !plain || entry.file != path {
            return Err(bad(format!(
                "makefiles.{path:?}: not the top-level Makefile or an arch/<arch>/Makefile"
            )));
        }
        let read = match (entry.text, entry.error) {
            (Some(text), None) if text.len() as u64 <= MAX_SIZE => Ok(Some(text)),
            (None, Some(message)) => Err(Error::new(&entry.file, 0, message)),
            _ => {
                return Err(bad(format!(
                    "makefiles.{path:?}: needs either a text of at most {} MiB or an error",
                    MAX_SIZE >> 20
                )))
            }
        };
        loaded.makefiles.insert(path, read);
    }
    for (dir, entry) in index.files {
        let plain = dir.is_empty()
            || dir
                .split('/')
                .all(|p| !p.is_empty() && p != "." && p != "..");
        if !plain || !is_own_file(&dir, &entry.file) {
            return Err(bad(format!(
                "files.{dir:?}: {:?} is not that directory's Kbuild or Makefile",
                entry.file
            )));
        }
        match (entry.text, entry.error) {
            (Some(text), None) if text.len() as u64 <= MAX_SIZE => {
                loaded.files.insert(dir, Some((entry.file, text)));
            }
            (None, Some(message)) => {
                loaded
                    .broken
                    .insert(dir, Error::new(&entry.file, 0, message));
            }
            _ => {
                return Err(bad(format!(
                    "files.{dir:?}: needs either a text of at most {} MiB or an error",
                    MAX_SIZE >> 20
                )))
            }
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_blanks_only_free_standing_comment_lines() {
        let text = "# a comment\nobj-y += a.o # kept\n  # indented\nx := 1 \\\n# joined\n\
                    # continued \\\nobj-y += b.o\n";
        assert_eq!(
            compact(text),
            "\nobj-y += a.o # kept\n\nx := 1 \\\n# joined\n# continued \\\nobj-y += b.o\n"
        );
    }

    #[test]
    fn paths_must_be_the_directory_s_own_file() {
        assert!(is_own_file("", "Makefile"));
        assert!(is_own_file("fs/ext4", "fs/ext4/Makefile"));
        assert!(!is_own_file("fs/ext4", "fs/ext4/sub/Makefile"));
        assert!(!is_own_file("fs", "fsx/Kbuild"));
        assert!(!is_own_file("fs", "../etc/passwd"));
    }

    #[test]
    fn hostile_indexes_are_refused_with_the_file_named() {
        let gz = |json: &str| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(json.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        for (json, why) in [
            (r#"{"format":2,"kind":"x","files":{}}"#, "kind"),
            (
                r#"{"format":1,"kind":"tekigo-kbuild-index","files":{}}"#,
                "rebuild it with `tekigo kconfig index`",
            ),
            (
                r#"{"format":2,"kind":"tekigo-kbuild-index","files":{},"makefiles":{"arch/../Makefile":{"file":"arch/../Makefile","text":""}}}"#,
                "not the top-level Makefile",
            ),
            (
                r#"{"format":2,"kind":"tekigo-kbuild-index","files":{},"makefiles":{"Makefile":{"file":"fs/Makefile","text":""}}}"#,
                "not the top-level Makefile",
            ),
            (
                r#"{"format":2,"kind":"tekigo-kbuild-index","files":{"..":{"file":"../Makefile","text":""}}}"#,
                "not that directory",
            ),
            (
                r#"{"format":2,"kind":"tekigo-kbuild-index","files":{"a":{"file":"a/Makefile"}}}"#,
                "either",
            ),
            (
                r#"{"format":2,"kind":"tekigo-kbuild-index","files":[]"#,
                "column",
            ),
        ] {
            let e = parse("idx.gz", &gz(json)).err().expect(json);
            assert_eq!(e.file, "idx.gz");
            assert!(e.message.contains(why), "{json}: {e}");
        }
        let e = parse("idx.gz", b"obj-y += a.o").err().unwrap();
        assert!(e.message.contains("not gzip"));
    }
}
