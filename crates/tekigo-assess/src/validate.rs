//! The rules an assessment file must keep, checked on every load and before every save, so
//! that a hand edit or a merge in git cannot leave a record that computes a wrong answer.

use crate::assessment::{Assessment, EvidenceRef, Status, Target};
use crate::evidence::{is_sha256, EvidenceStore};
use crate::results::applies_at_some_level;
use crate::{line_of_key, problem, Problem};
use std::path::Path;
use tekigo_catalog::{Catalog, LevelScheme};

/// Every problem of an assessment, each with the line of the file it is on.
pub fn assessment(catalog: &Catalog, a: &Assessment, path: &Path, text: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut at =
        |key: &str, message: String| out.push(problem(path, line_of_key(text, key), message));
    if a.format != crate::assessment::FORMAT_VERSION {
        at(
            "format",
            format!("format {} is not supported (1)", a.format),
        );
    }
    let Some(standard) = catalog.standard(&a.standard) else {
        at("standard", format!("unknown standard {:?}", a.standard));
        return out;
    };
    let has_types = standard.items.iter().any(|i| i.component_type.is_some());
    match (has_types, a.subject.component_type) {
        (true, None) => at(
            "subject",
            format!(
                "{} needs the component type of the subject",
                standard.info.id
            ),
        ),
        (false, Some(_)) => at(
            "type",
            format!("{} has no component types; remove `type`", standard.info.id),
        ),
        _ => {}
    }
    match (standard.info.levels, a.target) {
        (LevelScheme::Security, Target::SecurityLevels(v)) => {
            if v.0.iter().any(|l| *l > 4) {
                at("target", "security levels are 0-4".into());
            }
        }
        (LevelScheme::Maturity, Target::MaturityLevel(l)) => {
            if !(1..=4).contains(&l) {
                at("target", "maturity levels are 1-4".into());
            }
        }
        (LevelScheme::None, Target::None) => {}
        (scheme, _) => at(
            "target",
            format!(
                "{} needs a target of kind {}",
                standard.info.id,
                match scheme {
                    LevelScheme::Security => "security_levels (SL-T per FR)",
                    LevelScheme::Maturity => "maturity_level",
                    LevelScheme::None => "none",
                }
            ),
        ),
    }

    for (id, answer) in &a.answers {
        let mut at = |message: String| out.push(problem(path, line_of_key(text, id), message));
        match standard.item(id) {
            // A regime requirement answered directly (see `regime`).
            None if crate::regime::is_regime_requirement(catalog, id) => {}
            None => at(format!("{id:?} is not an item of {}", standard.info.id)),
            Some(item) if !applies_at_some_level(item, a.subject.component_type) => {
                let hint = if item.defers_to.is_empty() {
                    String::new()
                } else {
                    format!(" (answer {} instead)", item.defers_to.join(" or "))
                };
                at(format!(
                    "{id} carries no requirement for this subject{hint}"
                ));
            }
            Some(_) => {}
        }
        if answer.maturity.is_some() && standard.info.levels != LevelScheme::Maturity {
            at(format!(
                "{id}: maturity is only given for 62443-4-1 and 62443-2-1"
            ));
        }
        if answer.maturity.is_some_and(|m| !(1..=4).contains(&m)) {
            at(format!("{id}: maturity levels are 1-4"));
        }
        if answer.status == Status::NotApplicable && answer.reason.trim().is_empty() {
            at(format!(
                "{id}: not-applicable needs a justification in `reason`"
            ));
        }
        let has_countermeasure = answer
            .countermeasure
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        if answer.status == Status::Compensating && !has_countermeasure {
            at(format!(
                "{id}: compensating needs a `countermeasure` description"
            ));
        }
        if answer.deferred_to.is_some() {
            if answer.status.is_met() {
                at(format!(
                    "{id}: a deferred requirement is not met here; its status is partial or not-satisfied"
                ));
            }
            if answer.reason.trim().is_empty() {
                at(format!(
                    "{id}: a deferred requirement needs the reason in `reason`"
                ));
            }
        }
        match (&answer.inherited, answer.origin) {
            (None, crate::Origin::Inherited) => at(format!(
                "{id}: an inherited answer needs `inherited` (its package, signer and hash)"
            )),
            (Some(i), _) if !is_sha256(&i.package_sha256) || !is_sha256(&i.digest) => at(format!(
                "{id}: `inherited` needs package_sha256 and digest as SHA-256 hex"
            )),
            _ => {}
        }
        if answer.origin == crate::Origin::Components && answer.components.is_empty() {
            at(format!(
                "{id}: an answer suggested from components needs `components` (what each says)"
            ));
        }
        if let Some(e) = crate::date_error(&answer.date) {
            at(format!("{id}: date {e}"));
        }
        for f in &answer.findings {
            if let Some(e) = f.due.as_deref().and_then(crate::date_error) {
                at(format!("{id}: finding due date {e}"));
            }
        }
        for e in &answer.evidence {
            if let Some(sha) = e.stored_sha256() {
                if !is_sha256(sha) {
                    at(format!(
                        "{id}: evidence hash {sha:?} is not a SHA-256 hex string"
                    ));
                }
            }
            if let EvidenceRef::Url { url } = e {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    at(format!(
                        "{id}: evidence URL {url:?} must start with https:// or http://"
                    ));
                }
            }
        }
    }
    out
}

/// Evidence an assessment names but the store does not hold.
pub fn evidence_present(
    store: &EvidenceStore,
    a: &Assessment,
    path: &Path,
    text: &str,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (id, answer) in &a.answers {
        for sha in answer
            .evidence
            .iter()
            .filter_map(EvidenceRef::stored_sha256)
        {
            if is_sha256(sha) && !store.contains(sha) {
                out.push(problem(
                    path,
                    line_of_key(text, id),
                    format!("{id}: evidence {sha} is missing from evidence/"),
                ));
            }
        }
    }
    out
}
