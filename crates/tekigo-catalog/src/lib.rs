//! The IEC 62443 catalogs as data: ids, titles, structure, security levels per component
//! type, maturity levels, and cross-references, with the rules that keep them consistent.
//!
//! Everything tekigo judges is keyed by the ids defined here, so this crate sits at the
//! bottom of the workspace and depends on no other tekigo crate. The catalog files live in
//! `catalogs/` at the root of the repository and are compiled into the binary; a user can
//! point at a directory of the same layout instead ([`Catalog::from_dir`]).
//!
//! The standards' text is copyrighted. The catalogs hold facts and tekigo's own summaries;
//! the licensed text a user owns is kept apart, in [`licensed`].

mod checklist;
mod error;
pub mod licensed;
mod load;
pub mod model;
mod validate;
mod xml;

pub use checklist::{ChecklistError, ChecklistQuery};
pub use error::{CatalogError, Problem};
pub use model::*;
pub use xml::escape_xml;

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// One standard (or outside framework) with its items in document order.
#[derive(Debug, Clone)]
pub struct Standard {
    pub info: StandardInfo,
    pub maturity_levels: Vec<MaturityLevel>,
    pub items: Vec<Item>,
    /// The file the standard came from, for error messages.
    pub file: String,
    lines: Vec<Option<usize>>,
    index: HashMap<String, usize>,
}

impl Standard {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.index.get(id).map(|&i| &self.items[i])
    }

    /// The direct children of `id` (enhancements, component rows, requirements of a group).
    pub fn children<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items
            .iter()
            .filter(move |i| i.parent.as_deref() == Some(id))
    }

    /// The line of the file on which an item starts, when the layout made it findable.
    pub fn line_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).and_then(|&i| self.lines[i])
    }

    fn problem(&self, index: usize, message: String) -> Problem {
        Problem {
            file: self.file.clone(),
            line: self.lines[index],
            message,
        }
    }
}

/// A set of cross-references between two standards, as loaded from one file.
#[derive(Debug, Clone)]
pub struct LoadedMappings {
    pub set: MappingSet,
    pub file: String,
    lines: Vec<Option<usize>>,
}

impl std::ops::Deref for LoadedMappings {
    type Target = MappingSet;
    fn deref(&self) -> &MappingSet {
        &self.set
    }
}

/// A mapping as seen from one item: where it points and in which direction it was written.
#[derive(Debug, Clone, Copy)]
pub struct CrossRef<'a> {
    /// The standard on the other side.
    pub standard: &'a str,
    /// The id on the other side.
    pub id: &'a str,
    pub mapping: &'a Mapping,
    /// True when the item is the `from` side of the mapping as written.
    pub outgoing: bool,
}

/// All catalogs, validated.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub common: Common,
    /// The Japanese terms the texts keep to; empty when a catalog directory has none.
    pub glossary: Glossary,
    pub standards: Vec<Standard>,
    pub mappings: Vec<LoadedMappings>,
    /// id -> index into `standards`. Ids are unique across all standards.
    owner: HashMap<String, usize>,
}

impl Catalog {
    /// The catalogs compiled into this binary. They are validated by the test suite, so a
    /// failure here means the binary was built from a broken tree.
    pub fn builtin() -> Result<&'static Catalog, CatalogError> {
        static BUILTIN: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Catalog::from_sources(load::embedded_sources()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Loads and validates the catalog files of a directory laid out like `catalogs/`.
    pub fn from_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        Catalog::from_sources(load::dir_sources(dir)?)
    }

    /// Loads catalog files held in memory, as (path under the catalog root such as
    /// `iec62443-4-2.yaml` or `mappings/x.yaml`, content): what a server stores or a fuzzer
    /// generates. Errors name the files by that path.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Catalog, CatalogError> {
        let sources = files
            .into_iter()
            .map(|(rel, text)| load::SourceFile {
                display: rel.clone(),
                rel,
                text,
            })
            .collect();
        Catalog::from_sources(sources)
    }

    /// The catalog files compiled into this binary, as (path under `catalogs/`, content).
    pub fn builtin_files() -> impl Iterator<Item = (&'static str, &'static str)> {
        load::EMBEDDED.iter().copied()
    }

    fn from_sources(sources: Vec<load::SourceFile>) -> Result<Catalog, CatalogError> {
        let mut problems = Vec::new();
        let mut common = None;
        let mut glossary = Glossary::default();
        let mut standards = Vec::new();
        let mut mappings = Vec::new();
        for src in &sources {
            match load::parse(src) {
                Err(p) => problems.push(p),
                Ok(load::Parsed::Common(c)) => common = Some(*c),
                Ok(load::Parsed::Glossary(g)) => glossary = g,
                Ok(load::Parsed::Standard { file, lines }) => {
                    let index = file
                        .items
                        .iter()
                        .enumerate()
                        .map(|(i, it)| (it.id.clone(), i))
                        .collect();
                    standards.push(Standard {
                        info: file.standard,
                        maturity_levels: file.maturity_levels,
                        items: file.items,
                        file: src.display.clone(),
                        lines,
                        index,
                    });
                }
                Ok(load::Parsed::Mappings { set, lines }) => mappings.push(LoadedMappings {
                    set,
                    file: src.display.clone(),
                    lines,
                }),
            }
        }
        let Some(common) = common else {
            if problems.is_empty() {
                problems.push(Problem {
                    file: "common.yaml".into(),
                    line: None,
                    message: "missing".into(),
                });
            }
            return Err(CatalogError { problems });
        };
        if !problems.is_empty() {
            return Err(CatalogError { problems });
        }
        standards.sort_by_key(|s| standard_rank(&s.info.id));
        let mut owner = HashMap::new();
        for (si, std) in standards.iter().enumerate() {
            for item in &std.items {
                owner.entry(item.id.clone()).or_insert(si);
            }
        }
        let catalog = Catalog {
            common,
            glossary,
            standards,
            mappings,
            owner,
        };
        let problems = validate::validate(&catalog);
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(CatalogError { problems })
        }
    }

    /// A standard by its id (`62443-4-2`) or a short form (`4-2`, `iec62443-4-2`).
    pub fn standard(&self, id: &str) -> Option<&Standard> {
        let id = id.trim().to_ascii_lowercase();
        let id = id
            .strip_prefix("iec")
            .unwrap_or(&id)
            .trim_start_matches([' ', '-']);
        self.standards
            .iter()
            .find(|s| s.info.id == id || s.info.id == format!("62443-{id}"))
    }

    /// A lifecycle phase by its id (`installation`), or its English or Japanese name as
    /// `common.yaml` gives it (`Installation`, `設置`).
    pub fn phase(&self, text: &str) -> Option<Phase> {
        let text = text.trim();
        self.common
            .lifecycle_phases
            .iter()
            .find(|p| {
                p.id.name() == text.to_ascii_lowercase()
                    || p.name.en.eq_ignore_ascii_case(text)
                    || p.name.ja == text
            })
            .map(|p| p.id)
    }

    /// Finds an item by id, forgiving the spellings people type and check sheets use:
    /// `CR1.1`, `cr 1.1 re(1)`, `CR 1.1(1)`, `CR 1.1 RE 1`.
    pub fn find(&self, id: &str) -> Option<(&Standard, &Item)> {
        let lookup = |key: &str| {
            self.owner.get(key).and_then(|&si| {
                let std = &self.standards[si];
                std.item(key).map(|item| (std, item))
            })
        };
        lookup(id.trim()).or_else(|| lookup(&normalize_id(id)))
    }

    /// The cross-references of an item, in both directions.
    pub fn cross_refs<'a>(&'a self, id: &'a str) -> impl Iterator<Item = CrossRef<'a>> + 'a {
        self.mappings.iter().flat_map(move |set| {
            set.set.mappings.iter().filter_map(move |m| {
                if m.from == id {
                    Some(CrossRef {
                        standard: &set.set.to,
                        id: &m.to,
                        mapping: m,
                        outgoing: true,
                    })
                } else if m.to == id {
                    Some(CrossRef {
                        standard: &set.set.from,
                        id: &m.from,
                        mapping: m,
                        outgoing: false,
                    })
                } else {
                    None
                }
            })
        })
    }
}

/// The 62443 parts first, in the order a reader meets them, then outside frameworks.
fn standard_rank(id: &str) -> (usize, String) {
    const ORDER: [&str; 5] = [
        "62443-4-2",
        "62443-3-3",
        "62443-4-1",
        "62443-2-1",
        "62443-3-2",
    ];
    (
        ORDER.iter().position(|o| *o == id).unwrap_or(ORDER.len()),
        id.to_string(),
    )
}

/// Canonical spelling of a 62443 id: `PREFIX N.M` with an optional ` RE(n)`.
fn normalize_id(raw: &str) -> String {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let prefix: String = compact
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let rest = &compact[prefix.len()..];
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let tail = rest[number.len()..].trim_start_matches("RE");
    let tail = tail.trim_start_matches('(').trim_end_matches(')');
    if prefix.is_empty() || number.is_empty() {
        return raw.trim().to_string();
    }
    if tail.is_empty() {
        format!("{prefix} {number}")
    } else {
        format!("{prefix} {number} RE({tail})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_check_sheet_spellings() {
        assert_eq!(normalize_id("CR1.1"), "CR 1.1");
        assert_eq!(normalize_id("cr 1.1 re(1)"), "CR 1.1 RE(1)");
        assert_eq!(normalize_id("CR 1.1 (2)"), "CR 1.1 RE(2)");
        assert_eq!(normalize_id("EDR3.14RE1"), "EDR 3.14 RE(1)");
        assert_eq!(normalize_id("SM-1"), "SM-1");
    }
}
