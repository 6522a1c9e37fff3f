//! The project's triage file, `vex/triage.yaml`, and lookups against it.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tekigo_sbom::Purl;

use crate::error::VexError;
use crate::model::{ComponentRef, Record};

/// Where the triage records live, relative to the project root.
pub const TRIAGE_FILE: &str = "vex/triage.yaml";

const HEADER: &str = "\
# Vulnerability triage (VEX) records of this project, kept by tekigo.
# One record per vulnerability and component; sorted so that changes diff well.
# state: affected (needs action) | not_affected (needs justification) | fixed | under_investigation
";

const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriageFile {
    version: u32,
    #[serde(default)]
    records: Vec<Record>,
}

/// A component identity prepared for comparisons: parsed PURL keys and a lower-case name.
#[derive(Debug, Clone)]
struct Key {
    /// `pkg:type/ns/name` without version, qualifiers, subpath.
    package: Option<String>,
    /// The PURL's version, when it has one.
    purl_version: Option<String>,
    name: Option<String>,
    version: Option<String>,
}

impl Key {
    fn of(c: &ComponentRef) -> Key {
        let purl = c.purl.as_deref().and_then(|p| Purl::parse(p).ok());
        Key {
            package: purl.as_ref().map(Purl::package_key),
            purl_version: purl.and_then(|p| p.version),
            name: c.name.as_deref().map(|n| n.trim().to_ascii_lowercase()),
            version: c.version.clone(),
        }
    }

    /// How well a record's component (`self`) matches a scanned component; `None` when it
    /// does not. Higher is more specific: same PURL and version beat any-version PURL
    /// records, which beat name matches.
    fn matches(&self, any_version: bool, query: &Key) -> Option<u8> {
        if let (Some(mine), Some(theirs)) = (&self.package, &query.package) {
            if mine != theirs {
                return None;
            }
            if any_version {
                return Some(3);
            }
            let query_version = query.purl_version.as_ref().or(query.version.as_ref());
            return (self.purl_version.as_ref().or(self.version.as_ref()) == query_version)
                .then_some(4);
        }
        let (Some(mine), Some(theirs)) = (&self.name, &query.name) else {
            return None;
        };
        if mine != theirs {
            return None;
        }
        let my_version = self.version.as_ref().or(self.purl_version.as_ref());
        let query_version = query.version.as_ref().or(query.purl_version.as_ref());
        if any_version || my_version.is_none() {
            Some(1)
        } else {
            (my_version == query_version).then_some(2)
        }
    }

    /// The identity under which a record is unique in the file.
    fn identity(&self, any_version: bool) -> String {
        let version = if any_version {
            "*"
        } else {
            self.purl_version
                .as_deref()
                .or(self.version.as_deref())
                .unwrap_or("")
        };
        match (&self.package, &self.name) {
            (Some(p), _) => format!("{p}@{version}"),
            (None, n) => format!("name:{}@{version}", n.as_deref().unwrap_or("")),
        }
    }
}

fn normalise_id(id: &str) -> String {
    id.trim().to_ascii_uppercase()
}

/// The triage records of one project, indexed for lookups by vulnerability id and alias.
///
/// Loading a project without a triage file gives an empty set; [`Triage::save`] creates
/// `vex/` as needed. The file is sorted by vulnerability id, then component, so that a
/// rescan that changes nothing rewrites the same bytes.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    path: Option<PathBuf>,
    records: Vec<Record>,
    keys: Vec<Key>,
    /// Upper-cased vulnerability id or alias -> record indexes.
    by_id: HashMap<String, Vec<usize>>,
}

impl Triage {
    /// Loads `PROJECT_ROOT/vex/triage.yaml`; a missing file is an empty triage that
    /// [`Triage::save`] will create. Errors name the file and line.
    pub fn load(project_root: &Path) -> Result<Triage, VexError> {
        let path = project_root.join(TRIAGE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Triage {
                    path: Some(path),
                    ..Triage::default()
                })
            }
            Err(e) => return Err(VexError::io(&path, "read", e)),
        };
        let mut triage = Triage::parse(&text, &path.display().to_string())?;
        triage.path = Some(path);
        Ok(triage)
    }

    /// Parses triage YAML held in memory; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Triage, VexError> {
        let file: TriageFile = serde_norway::from_str(text).map_err(|e| {
            VexError::new(origin, e.to_string()).at_line(e.location().map(|l| l.line()))
        })?;
        if file.version != FORMAT_VERSION {
            return Err(VexError::new(
                origin,
                format!(
                    "version {} is not supported (this tekigo reads {FORMAT_VERSION})",
                    file.version
                ),
            )
            .at_field("version"));
        }
        let lines = entry_lines(text, file.records.len());
        let mut triage = Triage::default();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, record) in file.records.into_iter().enumerate() {
            let line = lines.get(i).copied().flatten();
            let locate = |e: VexError| VexError {
                origin: origin.to_string(),
                line,
                field: Some(match e.field {
                    Some(f) => format!("records[{i}].{f}"),
                    None => format!("records[{i}]"),
                }),
                ..e
            };
            record.validate().map_err(locate)?;
            let identity = format!(
                "{}|{}",
                normalise_id(&record.vulnerability),
                Key::of(&record.component).identity(record.any_version)
            );
            if let Some(first) = seen.insert(identity, i) {
                return Err(locate(VexError::new(
                    "",
                    format!(
                        "a second record for {} in {} (the first is records[{first}])",
                        record.vulnerability,
                        record.component.label()
                    ),
                )));
            }
            triage.push(record);
        }
        Ok(triage)
    }

    /// A triage that is not tied to a file, for records imported with `--vex FILE`.
    /// Invalid records are refused with the index of the first one.
    pub fn from_records(records: Vec<Record>) -> Result<Triage, VexError> {
        let mut triage = Triage::default();
        for record in records {
            triage.set(record)?;
        }
        Ok(triage)
    }

    /// The file this triage was loaded from and saves to (`None` for [`Triage::from_records`]).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// All records, in file order (sorted after [`Triage::save`]).
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The decision recorded for a vulnerability (known by any of `vuln_ids`: its id and
    /// aliases, case-insensitive) in a component, if any.
    ///
    /// A record matches when its vulnerability id or one of its aliases is among `vuln_ids`,
    /// and its component is the same package (PURL type, namespace and name; qualifiers and
    /// subpath ignored) at the same version, or at any version for `any_version` records.
    /// Components without PURL match by name (case-insensitive) and version. When several
    /// records match, the most specific wins (exact PURL version, then any-version PURL,
    /// then name and version, then name only).
    pub fn lookup(&self, vuln_ids: &[&str], component: &ComponentRef) -> Option<&Record> {
        let query = Key::of(component);
        let mut best: Option<(u8, usize)> = None;
        for id in vuln_ids {
            let Some(candidates) = self.by_id.get(&normalise_id(id)) else {
                continue;
            };
            for &i in candidates {
                let score = self.keys[i].matches(self.records[i].any_version, &query);
                if let Some(score) = score {
                    if best.is_none_or(|(s, _)| score > s) {
                        best = Some((score, i));
                    }
                }
            }
        }
        best.map(|(_, i)| &self.records[i])
    }

    /// Adds a record, or replaces the one for the same vulnerability id and component (same
    /// PURL package and version, or same name and version; any-version records are their own
    /// slot). Returns the replaced record. The record is validated first.
    pub fn set(&mut self, record: Record) -> Result<Option<Record>, VexError> {
        record.validate()?;
        let key = Key::of(&record.component);
        let identity = key.identity(record.any_version);
        let id = normalise_id(&record.vulnerability);
        let existing = (0..self.records.len()).find(|&i| {
            normalise_id(&self.records[i].vulnerability) == id
                && self.keys[i].identity(self.records[i].any_version) == identity
        });
        match existing {
            Some(i) => {
                let old = std::mem::replace(&mut self.records[i], record);
                self.keys[i] = key;
                self.reindex();
                Ok(Some(old))
            }
            None => {
                self.push(record);
                Ok(None)
            }
        }
    }

    /// Writes the records, sorted, to the file they were loaded from: a temporary file in
    /// the same directory, flushed, then renamed over the old one.
    pub fn save(&mut self) -> Result<(), VexError> {
        let Some(path) = self.path.clone() else {
            return Err(VexError::new(
                "",
                "these records were not loaded from a project; use save_to(project_root)",
            ));
        };
        self.write(&path)
    }

    /// Writes the records to `PROJECT_ROOT/vex/triage.yaml` and ties this triage to it.
    pub fn save_to(&mut self, project_root: &Path) -> Result<(), VexError> {
        let path = project_root.join(TRIAGE_FILE);
        self.write(&path)?;
        self.path = Some(path);
        Ok(())
    }

    fn write(&mut self, path: &Path) -> Result<(), VexError> {
        self.sort();
        let file = TriageFile {
            version: FORMAT_VERSION,
            records: self.records.clone(),
        };
        let body = serde_norway::to_string(&file)
            .map_err(|e| VexError::new(&path.display().to_string(), e.to_string()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| VexError::io(dir, "create directory", e))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .map_err(|e| VexError::io(dir, "create a temporary file in", e))?;
        tmp.write_all(HEADER.as_bytes())
            .and_then(|()| tmp.write_all(body.as_bytes()))
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| VexError::io(tmp.path(), "write", e))?;
        tmp.persist(path)
            .map_err(|e| VexError::io(path, "replace", e.error))?;
        Ok(())
    }

    /// Sorts by vulnerability id, then component identity, then author and time, so the
    /// file order does not depend on the order decisions were made in.
    fn sort(&mut self) {
        let mut order: Vec<usize> = (0..self.records.len()).collect();
        let sort_key = |i: usize| {
            let r = &self.records[i];
            (
                normalise_id(&r.vulnerability),
                self.keys[i].identity(r.any_version),
                r.component.label(),
                r.timestamp,
            )
        };
        order.sort_by_cached_key(|&i| sort_key(i));
        let mut records = std::mem::take(&mut self.records);
        let mut slots: Vec<Option<Record>> = records.drain(..).map(Some).collect();
        let keys = std::mem::take(&mut self.keys);
        for i in order {
            if let Some(r) = slots[i].take() {
                self.records.push(r);
                self.keys.push(keys[i].clone());
            }
        }
        self.reindex();
    }

    fn push(&mut self, record: Record) {
        self.keys.push(Key::of(&record.component));
        self.records.push(record);
        let i = self.records.len() - 1;
        self.index_one(i);
    }

    fn index_one(&mut self, i: usize) {
        let r = &self.records[i];
        let mut ids: Vec<String> = std::iter::once(&r.vulnerability)
            .chain(&r.aliases)
            .map(|s| normalise_id(s))
            .collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            self.by_id.entry(id).or_default().push(i);
        }
    }

    fn reindex(&mut self) {
        self.by_id.clear();
        for i in 0..self.records.len() {
            self.index_one(i);
        }
    }
}

/// The 1-based line on which each entry of the top-level `records` list starts, found from
/// the block layout (`- ` at the list's indentation). If the layout is unusual (flow style)
/// and the count disagrees, no lines are reported rather than wrong ones.
fn entry_lines(text: &str, expected: usize) -> Vec<Option<usize>> {
    let mut lines = Vec::new();
    let mut in_records = false;
    let mut indent: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let depth = line.len() - trimmed.len();
        if depth == 0 && !trimmed.starts_with('-') {
            in_records = trimmed.starts_with("records:");
            continue;
        }
        if !in_records || !(trimmed.starts_with("- ") || trimmed == "-") {
            continue;
        }
        if *indent.get_or_insert(depth) == depth {
            lines.push(Some(n + 1));
        }
    }
    if lines.len() == expected {
        lines
    } else {
        vec![None; expected]
    }
}
