//! What every check reads from: the target root, behind a cache so that a file several
//! checks need (`/etc/pam.d/common-auth`, `/etc/shadow`) is read and hashed once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use tekigo_rootfs::{FileType, Metadata, Root, RootError};

use crate::model::{Evidence, Verdict};

/// Configuration files larger than this are not read whole: no real one comes close.
pub const TEXT_LIMIT: u64 = 4 << 20;

/// Whether the target is an image on the scanning host or the system the scanner runs on.
/// Some evidence means opposite things: SSH host keys in an image are shared by every
/// device made from it; on a running device they are its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Image,
    Live,
}

/// A configuration file as read from the target.
#[derive(Debug)]
pub struct TextFile {
    /// Path inside the root after following links.
    pub path: String,
    pub sha256: String,
    pub text: String,
}

impl TextFile {
    /// Lines with their 1-based numbers.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text.lines().enumerate().map(|(i, l)| (i + 1, l))
    }

    /// Evidence naming this file and its hash.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            path: Some(self.path.clone()),
            sha256: Some(self.sha256.clone()),
            ..Evidence::default()
        }
    }
}

/// A file that exists or may exist but could not be read. It turns into an `unreadable`
/// verdict naming the path and the reason, never into a guess.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub path: String,
    pub reason: String,
}

impl From<RootError> for Unreadable {
    fn from(e: RootError) -> Self {
        Unreadable {
            path: e.path().display().to_string(),
            reason: e.to_string(),
        }
    }
}

/// Called while long steps run, for a spinner that the caller words in its user's language.
pub type Progress = Rc<dyn Fn(Step<'_>)>;

/// What a scan is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// Running the check with this id.
    Check(&'a str),
    /// Walking the file tree: this many files so far.
    Walked(usize),
}

/// The outcome of one rule before texts are attached.
#[derive(Debug)]
pub struct Outcome {
    pub verdict: Verdict,
    pub detail: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    pub fn new(verdict: Verdict, detail: impl Into<String>, evidence: Vec<Evidence>) -> Outcome {
        Outcome {
            verdict,
            detail: detail.into(),
            evidence,
        }
    }
}

pub type Eval = Result<Outcome, Unreadable>;

type Cached = Result<Option<Rc<TextFile>>, Unreadable>;

/// The scan context: the root, its mode, and caches of what was read or derived.
pub struct Ctx<'r> {
    pub root: &'r Root,
    pub data: &'r crate::data::Data,
    pub mode: Mode,
    /// False when the file owners in the root are not the device's (an archive unpacked
    /// without root privileges).
    pub ownership_preserved: bool,
    files: RefCell<HashMap<PathBuf, Cached>>,
    pub(crate) facts: crate::facts::Facts,
    progress: Option<Progress>,
}

impl<'r> Ctx<'r> {
    pub fn new(
        root: &'r Root,
        data: &'r crate::data::Data,
        mode: Mode,
        ownership_preserved: bool,
    ) -> Ctx<'r> {
        Ctx {
            root,
            data,
            mode,
            ownership_preserved,
            files: RefCell::new(HashMap::new()),
            facts: crate::facts::Facts::default(),
            progress: None,
        }
    }

    /// Calls `progress` with a short message while long steps (the walk) run.
    pub fn with_progress(mut self, progress: Option<Progress>) -> Self {
        self.progress = progress;
        self
    }

    pub(crate) fn report_progress(&self, step: Step<'_>) {
        if let Some(p) = &self.progress {
            p(step);
        }
    }

    /// Reads a text file: `Ok(None)` when it does not exist, an error when it exists (or
    /// may) but cannot be read.
    pub fn text(&self, path: &str) -> Result<Option<Rc<TextFile>>, Unreadable> {
        let key = PathBuf::from(path);
        if let Some(hit) = self.files.borrow().get(&key) {
            return hit.clone();
        }
        let result = match self.root.read_all(path, TEXT_LIMIT) {
            Ok(read) => {
                let sha256 = read.sha256_hex();
                let text = String::from_utf8_lossy(&read.bytes).into_owned();
                Ok(Some(Rc::new(TextFile {
                    path: read.path.display().to_string(),
                    sha256,
                    text,
                })))
            }
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(Unreadable::from(e)),
        };
        self.files.borrow_mut().insert(key, result.clone());
        result
    }

    /// Whether `path` leads to something (following links inside the root).
    pub fn exists(&self, path: &str) -> Result<bool, Unreadable> {
        self.root.exists(path).map_err(Unreadable::from)
    }

    /// Metadata of what `path` leads to, `None` when absent.
    pub fn metadata(&self, path: &str) -> Result<Option<Metadata>, Unreadable> {
        match self.root.metadata(path) {
            Ok(m) => Ok(Some(m)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The first of `paths` that exists.
    pub fn first_existing<'a>(&self, paths: &[&'a str]) -> Result<Option<&'a str>, Unreadable> {
        for p in paths {
            if self.exists(p)? {
                return Ok(Some(p));
            }
        }
        Ok(None)
    }

    /// The regular files (or links to them) in `dir` whose names match `pattern` (a glob
    /// with `*`, `?` and `[...]`), sorted by name; an absent directory gives none.
    pub fn dir_files(&self, dir: &str, pattern: &str) -> Result<Vec<String>, Unreadable> {
        let entries = match self.root.read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.is_not_found() => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for entry in entries {
            let name = entry.name.to_string_lossy();
            if !crate::glob::matches(pattern, &name) {
                continue;
            }
            let path = entry.path.display().to_string();
            let is_file = match entry.file_type {
                FileType::Regular => true,
                FileType::Symlink => self.metadata(&path)?.is_some_and(|m| m.is_file()),
                _ => false,
            };
            if is_file {
                out.push(path);
            }
        }
        Ok(out)
    }

    /// Reads `path` and each file of the drop-in directories, in the order the tool that
    /// owns them reads them; missing ones are left out.
    pub fn texts_with_dropins(
        &self,
        files: &[String],
        dropins: &[crate::defs::Dropin],
    ) -> Result<Vec<Rc<TextFile>>, Unreadable> {
        let mut out = Vec::new();
        for f in files {
            if let Some(t) = self.text(f)? {
                out.push(t);
            }
        }
        for d in dropins {
            for f in self.dir_files(&d.dir, &d.pattern)? {
                if let Some(t) = self.text(&f)? {
                    out.push(t);
                }
            }
        }
        Ok(out)
    }

    /// Reads a binary file's first `limit` bytes (for version strings in executables).
    pub fn bytes(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, Unreadable> {
        match self.root.read(path, limit) {
            Ok(read) => Ok(Some(read.bytes)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// Joins `rel` to `base` the way configuration files mean it: absolute stays absolute.
pub fn join(base: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        rel.to_string()
    } else {
        Path::new(base).join(rel).display().to_string()
    }
}
