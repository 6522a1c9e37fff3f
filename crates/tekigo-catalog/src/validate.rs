//! The rules a catalog must keep. They run every time a catalog loads (built in or from a
//! directory), so a broken custom catalog is refused before it can produce a wrong checklist.

use crate::error::Problem;
use crate::model::{Item, ItemKind, LevelScheme, MAX_LEVEL};
use crate::{Catalog, Standard};
use std::collections::HashMap;

pub(crate) fn validate(catalog: &Catalog) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, (&Standard, usize)> = HashMap::new();
    for std in &catalog.standards {
        for (i, item) in std.items.iter().enumerate() {
            if let Some((first_std, first)) = seen.insert(&item.id, (std, i)) {
                let at = match first_std.lines[first] {
                    Some(line) => format!("{}:{line}", first_std.file),
                    None => first_std.file.clone(),
                };
                problems.push(std.problem(
                    i,
                    format!("duplicate id {:?} (first defined at {at})", item.id),
                ));
            }
        }
    }
    for std in &catalog.standards {
        check_standard(std, &mut problems);
        if std.info.regime {
            check_regime(catalog, std, &mut problems);
        }
        check_terms(catalog, std, &mut problems);
    }
    check_common_terms(catalog, &mut problems);
    for set in &catalog.mappings {
        for (std_id, side) in [(&set.from, "from"), (&set.to, "to")] {
            if catalog.standard(std_id).is_none() {
                problems.push(Problem {
                    file: set.file.clone(),
                    line: None,
                    message: format!("`{side}: {std_id}` names no standard in the catalog"),
                });
            }
        }
        let regime = [&set.from, &set.to]
            .iter()
            .any(|s| catalog.standard(s).is_some_and(|s| s.info.regime));
        for (i, m) in set.set.mappings.iter().enumerate() {
            if regime {
                let mut lacks = Vec::new();
                if m.rationale.en.trim().is_empty() || m.rationale.ja.trim().is_empty() {
                    lacks.push("a rationale in English and Japanese");
                }
                if m.confidence.is_none() {
                    lacks.push("a confidence");
                }
                if !lacks.is_empty() {
                    problems.push(Problem {
                        file: set.file.clone(),
                        line: set.lines[i],
                        message: format!(
                            "mapping {:?} -> {:?} to a regime needs {}",
                            m.from,
                            m.to,
                            lacks.join(" and ")
                        ),
                    });
                }
            }
            for (std_id, id) in [(&set.from, &m.from), (&set.to, &m.to)] {
                if catalog
                    .standard(std_id)
                    .is_some_and(|s| s.item(id).is_none())
                {
                    problems.push(Problem {
                        file: set.file.clone(),
                        line: set.lines[i],
                        message: format!(
                            "mapping {:?} -> {:?}: {id:?} is not an item of {std_id}",
                            m.from, m.to
                        ),
                    });
                }
            }
        }
    }
    problems
}

/// A regime is read by people deciding whether a product may be sold: every item says in
/// both languages what it is, where it comes from and how sure we are, and what it
/// includes exists.
fn check_regime(catalog: &Catalog, std: &Standard, problems: &mut Vec<Problem>) {
    let info = &std.info;
    for (field, value) in [
        ("published", &info.published),
        ("source", &info.source),
        ("licence", &info.licence),
    ] {
        if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            problems.push(Problem {
                file: std.file.clone(),
                line: None,
                message: format!("regime {}: `standard.{field}` is missing", info.id),
            });
        }
    }
    if info.title.ja.trim().is_empty() {
        problems.push(Problem {
            file: std.file.clone(),
            line: None,
            message: format!("regime {}: the Japanese title is empty", info.id),
        });
    }
    for (i, item) in std.items.iter().enumerate() {
        let mut fail = |msg: String| problems.push(std.problem(i, msg));
        if item.title.ja.trim().is_empty() {
            fail(format!("{}: the Japanese title is empty", item.id));
        }
        if item.confidence.is_none() {
            fail(format!("{}: no confidence", item.id));
        }
        if item.summary.en.trim().is_empty() != item.summary.ja.trim().is_empty() {
            fail(format!("{}: the summary is in one language only", item.id));
        }
        for target in &item.includes {
            if target == &item.id || catalog.find(target).is_none() {
                fail(format!(
                    "{}: includes {target:?}, which is no other item of the catalog",
                    item.id
                ));
            }
        }
    }
}

fn check_standard(std: &Standard, problems: &mut Vec<Problem>) {
    let by_id: HashMap<&str, &Item> = std.items.iter().map(|i| (i.id.as_str(), i)).collect();
    let security = std.info.levels == LevelScheme::Security;
    for (i, item) in std.items.iter().enumerate() {
        let mut fail = |msg: String| problems.push(std.problem(i, msg));
        if item.id.trim().is_empty() {
            fail("empty id".into());
        }
        if item.title.en.trim().is_empty() {
            fail(format!("{}: the English title is empty", item.id));
        }
        let parent = item.parent.as_deref().map(|p| (p, by_id.get(p)));
        if let Some((p, None)) = parent {
            fail(format!(
                "{}: parent {p:?} is not an item of {}",
                item.id, std.info.id
            ));
        }
        let parent = parent.and_then(|(_, found)| found.copied());
        if item.kind == ItemKind::Re && parent.is_none() {
            fail(format!("{}: an enhancement needs a parent", item.id));
        }
        if let Some(level) = item.min_sl {
            if !(1..=MAX_LEVEL).contains(&level) {
                fail(format!("{}: min_sl {level} is not 1-4", item.id));
            }
            if !security {
                fail(format!(
                    "{}: min_sl is set but {} has no security levels",
                    item.id, std.info.id
                ));
            }
        }
        for &d in &item.disputed_levels {
            if item.min_sl.is_none_or(|m| d >= m) {
                fail(format!(
                    "{}: disputed level {d} must lie below min_sl",
                    item.id
                ));
            }
        }
        if security {
            check_security_item(std, item, parent, &by_id, &mut fail);
        }
    }
}

/// The rules of the standards measured in security levels (4-2, 3-3).
fn check_security_item(
    std: &Standard,
    item: &Item,
    parent: Option<&Item>,
    by_id: &HashMap<&str, &Item>,
    fail: &mut dyn FnMut(String),
) {
    if item.kind == ItemKind::Ccsc {
        if item.fr.is_some() || item.min_sl.is_some() || item.parent.is_some() {
            fail(format!(
                "{}: a common component security constraint has no fr, min_sl or parent",
                item.id
            ));
        }
        return;
    }
    let heading = !item.defers_to.is_empty() || item.no_component_requirement;
    if item.fr.is_none() {
        fail(format!("{}: no FR", item.id));
    }
    match (heading, item.min_sl) {
        (true, Some(_)) => fail(format!(
            "{}: a heading that defers or has no requirement cannot have min_sl",
            item.id
        )),
        (false, None) => fail(format!(
            "{}: no min_sl (or defers_to / no_component_requirement)",
            item.id
        )),
        _ => {}
    }
    if let Some(own) = item.kind.component_type() {
        if item.component_type != Some(own) {
            fail(format!(
                "{}: a {} row needs component_type: {}",
                item.id, item.kind, own
            ));
        }
        let parent_defers = parent.is_some_and(|p| p.defers_to.iter().any(|d| d == &item.id));
        if !parent_defers {
            fail(format!(
                "{}: its parent CR heading must list it in defers_to",
                item.id
            ));
        }
    }
    for target in &item.defers_to {
        match by_id.get(target.as_str()) {
            None => fail(format!("{}: defers to {target:?}, which is not an item of {}", item.id, std.info.id)),
            Some(t) if t.component_type.is_none() || t.parent.as_deref() != Some(&item.id) => fail(format!(
                "{}: defers to {target:?}, which must be a component-specific row (SAR/EDR/HDR/NDR) whose parent is {}",
                item.id, item.id
            )),
            Some(_) => {}
        }
    }
    if let Some(p) = parent {
        if p.fr != item.fr {
            fail(format!("{}: FR differs from its parent {}", item.id, p.id));
        }
        if item.kind == ItemKind::Re {
            if p.component_type != item.component_type {
                fail(format!(
                    "{}: component_type differs from its parent {}",
                    item.id, p.id
                ));
            }
            if let (Some(own), Some(theirs)) = (item.min_sl, p.min_sl) {
                if own < theirs {
                    fail(format!(
                        "{}: applies from SL {own}, below its parent {} (SL {theirs})",
                        item.id, p.id
                    ));
                }
            }
        }
    }
}

/// Japanese titles and summaries keep to the glossary: one term, one spelling.
fn check_terms(catalog: &Catalog, std: &Standard, problems: &mut Vec<Problem>) {
    for (i, item) in std.items.iter().enumerate() {
        for (field, text) in [("title", &item.title.ja), ("summary", &item.summary.ja)] {
            for (found, term) in catalog.glossary.misuses(text) {
                let what = format!("{}: Japanese {field}", item.id);
                problems.push(std.problem(i, misuse(&what, found, term)));
            }
        }
    }
}

/// The names and meanings in common.yaml keep to the glossary too.
fn check_common_terms(catalog: &Catalog, problems: &mut Vec<Problem>) {
    let c = &catalog.common;
    let texts = c
        .foundational_requirements
        .iter()
        .flat_map(|n| [&n.name.ja, &n.summary.ja])
        .chain(
            c.security_levels
                .iter()
                .flat_map(|n| [&n.name.ja, &n.summary.ja]),
        )
        .chain(
            c.security_level_types
                .iter()
                .flat_map(|n| [&n.name.ja, &n.summary.ja]),
        )
        .chain(
            c.component_types
                .iter()
                .flat_map(|n| [&n.name.ja, &n.summary.ja]),
        )
        .chain(
            c.lifecycle_phases
                .iter()
                .flat_map(|n| [&n.name.ja, &n.summary.ja]),
        );
    for text in texts {
        for (found, term) in catalog.glossary.misuses(text) {
            problems.push(Problem {
                file: "common.yaml".into(),
                line: None,
                message: misuse(&format!("{text:?}"), found, term),
            });
        }
    }
}

/// What a glossary problem says: where, the avoided spelling, and the glossary's term.
fn misuse(what: &str, found: &str, term: &crate::model::Term) -> String {
    format!(
        "{what} uses {found:?}; the glossary's term for {:?} is {:?}",
        term.en, term.ja
    )
}
