//! Is a kernel source file built under this configuration? With the lines that decide it.
//!
//! The Linux kernel's CVE records list the files each fix touched (`programFiles`). A device
//! kernel builds a small part of the tree, so most kernel CVEs do not apply to it; deciding
//! that by hand for thousands of CVEs a year is not possible, and deciding it silently is not
//! acceptable. This crate reads the device's configuration ([`Config`]: `.config`,
//! `/boot/config-*`, `/proc/config.gz`) and the Kbuild files of the kernel tree ([`Tree`],
//! a source directory the user points to, or the compact index [`build_index`] makes of
//! one, which decides every file alike: `index.rs`) and answers per file
//! ([`Tree::decide`]):
//!
//! - [`Decision::Built`]: the object is in `obj-y`/`obj-m` (directly or as part of a
//!   composite object) of its directory, and Kbuild descends into that directory: its
//!   parent's Kbuild file builds `sub/` and the parent is descended into, or one of the
//!   top-level Makefile's lists that Kbuild descends into names it (`lib/`,
//!   `arch/arm64/lib/`, and in 5.10 and older `kernel/`, `mm/`, `net/`...; `top.rs`),
//!   which ends the walk up. The evidence is each of those lines and the `.config` lines of
//!   their symbols that are on.
//! - [`Decision::NotBuilt`]: every line that names the object (or a directory above it) is
//!   gated by a symbol the configuration turns off, or the file belongs to another
//!   architecture. For a directory that means both ways in: the lines of its parent's
//!   Kbuild file that name it, and the top-level list lines that name it, are all gated off
//!   (a way in that names it on no line at all does not reach it; a directory no line of
//!   either names stays unknown). The evidence is those lines and the `.config` lines of
//!   their symbols.
//! - [`Decision::Unknown`]: anything else, with the reason: a header (which objects include
//!   it Kbuild does not say), a file no Kbuild line names (`kernel/sched/membarrier.c` is
//!   `#include`d by `build_utility.c`), a Kbuild file with something not evaluated (see
//!   `kbuild.rs`), a top-level list that cannot be evaluated, a symbol missing from a
//!   configuration that is not a generated one.
//!
//! "Not built" is only ever concluded from lines that say so; unknown stays unknown. The tree
//! is hostile input: paths are checked to stay inside it, symbolic links are not followed,
//! and each Kbuild file is read up to a bound.

mod config;
mod index;
mod kbuild;
mod top;

pub use config::{Config, Setting};
pub use index::{build_index, parse_index};
pub use kbuild::{evaluate, Evaluated};

use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use top::{Lists, Says};

/// A line of a Kbuild file or configuration, as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The Kbuild file relative to the tree (`net/netfilter/Makefile`) or the configuration
    /// file as given.
    pub file: String,
    /// 1-based; 0 when the evidence is the absence of a line.
    pub number: usize,
    pub text: String,
}

/// A file that could not be read, with its line (0 for the whole file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct Error {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl Error {
    pub(crate) fn new(file: &str, line: usize, message: String) -> Error {
        Error {
            file: file.to_string(),
            line,
            message,
        }
    }
}

/// Whether one source file is built (see the crate docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Built { evidence: Vec<Line> },
    NotBuilt { evidence: Vec<Line> },
    Unknown { reason: String },
}

/// A kernel source tree's Kbuild files, read on demand from the tree or all at once from
/// its index.
pub struct Tree {
    root: PathBuf,
    /// Directory (relative, `""` for the top) to its Kbuild file's path and text, `None`
    /// when it has none.
    files: HashMap<String, Option<(String, String)>>,
    /// For a tree read from an index: every directory's file is in `files` already, and
    /// these directories' files could not be read when it was built.
    indexed: Option<HashMap<String, Error>>,
    /// The top-level `Makefile` and `arch/<arch>/Makefile`s read so far (or, from an index,
    /// all of them), by path; `None` for one the tree does not have.
    makefiles: HashMap<String, Result<Option<String>, Error>>,
    /// The top-level lists evaluated for the last configuration (see `top.rs`).
    top: Option<TopCache>,
}

/// The top-level lists of one architecture, and the values of the `CONFIG_` symbols they
/// refer to when they were evaluated: the same values give the same lists.
struct TopCache {
    arch: String,
    symbols: Vec<String>,
    values: Vec<String>,
    lists: Option<Lists>,
}

/// What a Kbuild file says of a word: a decision, or nothing (no line names it; the reason
/// says so).
enum Named {
    Says(Decision),
    Not(String),
}

/// The deepest the decision walks (directories between the top and a file).
const MAX_DEPTH: usize = 16;

/// The `Kbuild` (preferred, as Kbuild itself prefers it) or `Makefile` of `dir` in the tree
/// at `root`: (its path relative to the tree, its text), read by [`read_file`].
fn read_kbuild(root: &Path, dir: &str) -> Result<Option<(String, String)>, Error> {
    for name in ["Kbuild", "Makefile"] {
        let rel = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        if let Some(text) = read_file(root, &rel)? {
            return Ok(Some((rel, text)));
        }
    }
    Ok(None)
}

/// The text of `rel` in the tree at `root`, `None` when it is not a regular file. Symbolic
/// links are not followed (one could lead out of the tree) and a file is read up to
/// `kbuild::MAX_SIZE`.
fn read_file(root: &Path, rel: &str) -> Result<Option<String>, Error> {
    let path = root.join(rel);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Ok(None);
    }
    if meta.len() > kbuild::MAX_SIZE {
        return Err(Error::new(rel, 0, "larger than 4 MiB".into()));
    }
    let bytes = std::fs::read(&path).map_err(|e| Error::new(rel, 0, e.to_string()))?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Evidence that a line builds something: the line, and the `.config` lines of the
/// symbols on it that are on.
fn built_evidence(cfg: &Config, line: Line) -> Vec<Line> {
    let mut evidence = Vec::new();
    for sym in Evaluated::symbols(&line.text) {
        if let Setting::Built { line, .. } = cfg.setting(&sym) {
            evidence.push(line);
        }
    }
    evidence.insert(0, line);
    evidence
}

/// The decision from `lines`, every line that names a word, none of which builds it: not
/// built, with the lines and the `.config` lines of their symbols; unknown when a symbol
/// is missing from a configuration that is not a generated one.
fn gated(cfg: &Config, lines: Vec<Line>) -> Decision {
    let mut evidence = Vec::new();
    for l in &lines {
        for sym in Evaluated::symbols(&l.text) {
            match cfg.setting(&sym) {
                Setting::Off(l) => evidence.push(l),
                Setting::Absent if cfg.generated => evidence.push(Line {
                    file: cfg.origin.clone(),
                    number: 0,
                    text: format!(
                        "CONFIG_{sym} is absent (a generated .config lists every visible symbol)"
                    ),
                }),
                Setting::Absent => {
                    return Decision::Unknown {
                        reason: format!(
                            "CONFIG_{sym} is not in {}, which is not a generated .config (a defconfig lists only what differs from the defaults)",
                            cfg.origin
                        ),
                    }
                }
                Setting::Built { line, .. } | Setting::Value(_, line) => evidence.push(line),
            }
        }
    }
    let mut all = lines;
    all.extend(evidence);
    all.dedup();
    Decision::NotBuilt { evidence: all }
}

impl Tree {
    /// A tree rooted at `root`, a directory, or read from `root`, an index file made by
    /// [`build_index`].
    pub fn open(root: &Path) -> Result<Tree, Error> {
        let meta = std::fs::metadata(root)
            .map_err(|e| Error::new(&root.display().to_string(), 0, e.to_string()))?;
        if meta.is_file() {
            let loaded = index::load(root)?;
            return Ok(Tree {
                root: root.to_path_buf(),
                files: loaded.files,
                indexed: Some(loaded.broken),
                makefiles: loaded.makefiles,
                top: None,
            });
        }
        if !meta.is_dir() {
            return Err(Error::new(
                &root.display().to_string(),
                0,
                "neither a directory nor a file (give the top of a kernel source tree or its \
                 Kbuild index)"
                    .into(),
            ));
        }
        Ok(Tree {
            root: root.to_path_buf(),
            files: HashMap::new(),
            indexed: None,
            makefiles: HashMap::new(),
            top: None,
        })
    }

    /// The text of `rel`, the top-level `Makefile` or an `arch/<arch>/Makefile`.
    fn makefile(&mut self, rel: &str) -> Result<Option<String>, Error> {
        if let Some(f) = self.makefiles.get(rel) {
            return f.clone();
        }
        // An index holds every one the tree has.
        let found = match &self.indexed {
            Some(_) => Ok(None),
            None => read_file(&self.root, rel),
        };
        self.makefiles.insert(rel.to_string(), found.clone());
        found
    }

    /// What the top-level lists say of `dir` under `cfg` (see `top.rs`), evaluated once per
    /// architecture and set of values of the symbols they refer to.
    fn top_says(&mut self, cfg: &Config, dir: &str) -> Result<Says, Error> {
        let Some((arch, _)) = cfg.arch() else {
            return Ok(Says::Silent);
        };
        let fresh = self.top.as_ref().is_some_and(|c| {
            c.arch == arch
                && c.symbols
                    .iter()
                    .map(|s| cfg.make_value(s))
                    .eq(c.values.iter().cloned())
        });
        if !fresh {
            let arch_file = format!("arch/{arch}/Makefile");
            let (symbols, lists) = match (self.makefile("Makefile")?, self.makefile(&arch_file)?) {
                (Some(top), Some(arch_text)) => (
                    Lists::symbols(&top, &arch_text),
                    Lists::evaluate(cfg, arch, &top, &arch_file, &arch_text),
                ),
                _ => (Vec::new(), None),
            };
            let values = symbols.iter().map(|s| cfg.make_value(s)).collect();
            self.top = Some(TopCache {
                arch: arch.to_string(),
                symbols,
                values,
                lists,
            });
        }
        Ok(self
            .top
            .as_ref()
            .and_then(|c| c.lists.as_ref())
            .map_or(Says::Silent, |l| l.says(dir)))
    }

    /// The Kbuild file of `dir` (see [`read_kbuild`]).
    fn kbuild(&mut self, dir: &str) -> Result<Option<(String, String)>, Error> {
        if let Some(f) = self.files.get(dir) {
            return Ok(f.clone());
        }
        let found = match &self.indexed {
            Some(broken) => match broken.get(dir) {
                Some(e) => return Err(e.clone()),
                None => None,
            },
            None => read_kbuild(&self.root, dir)?,
        };
        self.files.insert(dir.to_string(), found.clone());
        Ok(found)
    }

    /// Decides whether `file` (relative to the tree, as a CVE record's `programFiles`
    /// writes it) is built under `cfg`. Reading errors are returned; everything else that
    /// cannot be decided is [`Decision::Unknown`].
    pub fn decide(&mut self, cfg: &Config, file: &str) -> Result<Decision, Error> {
        let unknown = |reason: String| Ok(Decision::Unknown { reason });
        let parts: Vec<&str> = file.split('/').collect();
        if file.is_empty()
            || file.len() > 4096
            || parts.len() > MAX_DEPTH
            || parts
                .iter()
                .any(|p| p.is_empty() || *p == "." || *p == "..")
        {
            return unknown(format!("{file:?} is not a path inside the kernel tree"));
        }
        let Some(stem) = file.strip_suffix(".c").or_else(|| file.strip_suffix(".S")) else {
            return unknown(format!(
                "{file} is not a C or assembly source: which objects use it, Kbuild does not say"
            ));
        };
        let arch = cfg.arch();
        if let (["arch", other, ..], Some((mine, line))) = (parts.as_slice(), &arch) {
            if other != mine {
                return Ok(Decision::NotBuilt {
                    evidence: vec![
                        line.clone(),
                        Line {
                            file: file.to_string(),
                            number: 0,
                            text: format!(
                                "arch/{other}/ is not built for {mine} (arch/$(SRCARCH)/)"
                            ),
                        },
                    ],
                });
            }
        }
        let given: Vec<(&str, &str)> = arch.iter().map(|(a, _)| ("SRCARCH", *a)).collect();
        let object = format!("{stem}.o");
        // The object is named by the nearest directory above it that has a Kbuild file.
        let Some((dir, word)) = self.owner(&object)? else {
            return unknown(format!("no Kbuild file above {file}"));
        };
        let here = match self.word_in(cfg, &given, &dir, &word)? {
            Named::Says(d) => d,
            Named::Not(reason) => Decision::Unknown { reason },
        };
        let chain = self.reached(cfg, &given, &dir, 0)?;
        Ok(match (chain, here) {
            (Decision::NotBuilt { evidence }, _) => Decision::NotBuilt { evidence },
            (
                Decision::Built {
                    evidence: mut above,
                },
                Decision::Built { evidence },
            ) => {
                above.extend(evidence);
                Decision::Built { evidence: above }
            }
            (Decision::Built { .. }, other) => other,
            (Decision::Unknown { reason }, _) => Decision::Unknown { reason },
        })
    }

    /// The nearest directory above `path` with a Kbuild file, and `path` relative to it.
    fn owner(&mut self, path: &str) -> Result<Option<(String, String)>, Error> {
        let mut dir = path.trim_end_matches('/');
        while let Some(i) = dir.rfind('/') {
            dir = &dir[..i];
            if self.kbuild(dir)?.is_some() {
                let rel = &path[dir.len() + 1..];
                return Ok(Some((dir.to_string(), rel.to_string())));
            }
        }
        if self.kbuild("")?.is_some() {
            return Ok(Some((String::new(), path.to_string())));
        }
        Ok(None)
    }

    /// Whether Kbuild descends into `dir` (the top always): from the top-level lists, or
    /// from its parent's Kbuild file, itself reached. Not reached only when neither reaches
    /// it by lines that say so (see `top.rs`).
    fn reached(
        &mut self,
        cfg: &Config,
        given: &[(&str, &str)],
        dir: &str,
        depth: usize,
    ) -> Result<Decision, Error> {
        if dir.is_empty() {
            return Ok(Decision::Built {
                evidence: Vec::new(),
            });
        }
        if depth > MAX_DEPTH {
            return Ok(Decision::Unknown {
                reason: format!("{dir}: directories nested too deep"),
            });
        }
        // The lists' lines that do not reach it, or why they cannot be told.
        let top = match self.top_says(cfg, dir)? {
            Says::Reached(lines) => {
                return Ok(Decision::Built {
                    evidence: lines
                        .into_iter()
                        .flat_map(|l| built_evidence(cfg, l))
                        .collect(),
                })
            }
            Says::NotReached(lines) => Some(Ok(lines)),
            Says::Unsure(reason) => Some(Err(reason)),
            Says::Silent => None,
        };
        let Some((parent, word)) = self.owner(&format!("{dir}/"))? else {
            return Ok(Decision::Unknown {
                reason: format!("no Kbuild file above {dir}/"),
            });
        };
        let word = format!("{}/", word.trim_end_matches('/'));
        let here = match (top, self.word_in(cfg, given, &parent, &word)?) {
            (_, Named::Says(built @ Decision::Built { .. })) => built,
            (None, Named::Says(d)) => d,
            (None, Named::Not(reason)) => Decision::Unknown { reason },
            (Some(Ok(lines)), Named::Not(_)) => return Ok(gated(cfg, lines)),
            (Some(Ok(lines)), Named::Says(Decision::NotBuilt { evidence })) => {
                return Ok(match gated(cfg, lines) {
                    Decision::NotBuilt { evidence: mut top } => {
                        top.extend(evidence);
                        Decision::NotBuilt { evidence: top }
                    }
                    other => other,
                });
            }
            (Some(Err(reason)), Named::Not(_) | Named::Says(Decision::NotBuilt { .. }))
            | (_, Named::Says(Decision::Unknown { reason })) => Decision::Unknown { reason },
        };
        if let Decision::NotBuilt { .. } = here {
            return Ok(here);
        }
        let above = self.reached(cfg, given, &parent, depth + 1)?;
        Ok(match (above, here) {
            (Decision::NotBuilt { evidence }, _) => Decision::NotBuilt { evidence },
            (Decision::Built { evidence: mut a }, Decision::Built { evidence }) => {
                a.extend(evidence);
                Decision::Built { evidence: a }
            }
            (Decision::Built { .. }, other) => other,
            (Decision::Unknown { reason }, _) => Decision::Unknown { reason },
        })
    }

    /// Whether `word` (an object or `sub/`) is built by the Kbuild file of `dir`.
    fn word_in(
        &mut self,
        cfg: &Config,
        given: &[(&str, &str)],
        dir: &str,
        word: &str,
    ) -> Result<Named, Error> {
        let Some((file, text)) = self.kbuild(dir)? else {
            return Ok(Named::Says(Decision::Unknown {
                reason: format!("{dir} has no Kbuild file"),
            }));
        };
        let e = evaluate(&text, cfg, given);
        if let Some(numbers) = e.built_by(word) {
            let evidence = numbers
                .iter()
                .flat_map(|n| {
                    let text = text.lines().nth(n.saturating_sub(1)).unwrap_or("").trim();
                    built_evidence(cfg, kbuild::line(&file, *n, text))
                })
                .collect();
            return Ok(Named::Says(Decision::Built { evidence }));
        }
        let mut lines = Vec::new();
        mentions(&e, word, 0, &mut lines);
        if lines.is_empty() {
            return Ok(Named::Not(format!("{file} does not name {word}")));
        }
        if let Some(why) = e.uncertain.first() {
            return Ok(Named::Says(Decision::Unknown {
                reason: format!("{file}: {why}"),
            }));
        }
        let lines = lines
            .iter()
            .map(|(n, t)| kbuild::line(&file, *n, t))
            .collect();
        Ok(Named::Says(gated(cfg, lines)))
    }
}

/// The lines naming `word`, and for a composite's part the lines naming the composite.
fn mentions(e: &Evaluated, word: &str, depth: usize, out: &mut Vec<(usize, String)>) {
    if depth > 4 {
        return;
    }
    for (n, t) in e.mentions(word) {
        if out.iter().any(|(m, _)| *m == n) {
            continue;
        }
        let lhs = t
            .split([':', '+', '?', '='])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        out.push((n, t));
        if !lhs.starts_with("obj-") && !lhs.starts_with("lib-") {
            if let Some((stem, _)) = lhs.rsplit_once('-') {
                mentions(e, &format!("{stem}.o"), depth + 1, out);
            }
        }
    }
}
