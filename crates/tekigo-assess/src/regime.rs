//! An assessment seen through another regime: the EU CRA, ETSI EN 303 645, JC-STAR, UK PSTI,
//! NIST IR 8425, Singapore CLS, SSDF, CSF 2.0, SP 800-171. A maker answers the 62443 check
//! sheet once; each regime requirement then gets a status from the 62443 answers the
//! catalog's mappings tie to it, with those answers and their evidence listed, and the
//! requirements nothing covers are named so that they can be assessed directly.
//!
//! The rules, stated once here and nowhere else:
//! - **Requirements of a regime** are its leaf items: items no other item of the regime
//!   names as parent (CRA I.2(a), provision 5.1-1, SSDF task PO.1.1, CSF subcategory).
//! - **What an item rests on.** Its sources are the 62443 items mapped to it in either
//!   direction, and the sources of every item it `includes` (a Singapore CLS level includes
//!   EN 303 645 provisions), followed transitively. Of these, the ones that count for an
//!   assessment are the items of its standard that bind its subject's component type and
//!   are in scope at its target, plus any out of scope that were answered anyway.
//! - **Direct answers.** An assessment may answer a regime requirement by its own id
//!   (`tekigo assess set A 5.1-1 ...`); when it does, those answers decide the status
//!   instead of the sources.
//! - **Status** of a set of answers (the sources that count, or the direct answers):
//!   `not-assessed` when the set is empty or nothing in it is answered; otherwise `not-met`
//!   when any answer is not-satisfied; `met` when every item is answered and every answer
//!   is met (satisfied, not applicable or compensating, as in [`crate::results`]);
//!   `partial` in every other case (a partial answer, or some items still unanswered).
//! - **Coverage** says how far the 62443 mappings can speak for the requirement,
//!   whatever the answers: `no-mapping` when no 62443 item maps to it (it must be
//!   assessed directly: seed 003's 差異); `not-covered` when items map but none counts for
//!   these assessments (a 4-1 practice seen from a 4-2 assessment); `covered` when a
//!   counting source is mapped `equal` to it or is a `superset` of it; `partly` otherwise
//!   (only `subset` or `intersect` mappings: met through them still leaves part of the
//!   requirement to check). Relationships are read from the 62443 side; a mapping written
//!   from the regime side has subset and superset swapped.

use crate::assessment::{Assessment, EvidenceRef, Status};
use crate::results::rows;
use serde::Serialize;
use std::collections::HashSet;
use tekigo_catalog::{Catalog, Confidence, Item, Lang, Relationship, Standard};

/// A regime requirement's status, derived from answers (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegimeStatus {
    Met,
    Partial,
    NotMet,
    NotAssessed,
}

impl RegimeStatus {
    pub const ALL: [RegimeStatus; 4] = [
        RegimeStatus::Met,
        RegimeStatus::Partial,
        RegimeStatus::NotMet,
        RegimeStatus::NotAssessed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegimeStatus::Met => "met",
            RegimeStatus::Partial => "partial",
            RegimeStatus::NotMet => "not-met",
            RegimeStatus::NotAssessed => "not-assessed",
        }
    }
}

/// How far the 62443 mappings can speak for a regime requirement (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    Covered,
    Partly,
    NotCovered,
    NoMapping,
}

impl Coverage {
    pub const ALL: [Coverage; 4] = [
        Coverage::Covered,
        Coverage::Partly,
        Coverage::NotCovered,
        Coverage::NoMapping,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Covered => "covered",
            Coverage::Partly => "partly",
            Coverage::NotCovered => "not-covered",
            Coverage::NoMapping => "no-mapping",
        }
    }
}

/// The regime itself, as `regime list` and the head of a view show it.
#[derive(Debug, Clone, Serialize)]
pub struct RegimeInfo {
    pub id: String,
    pub title: String,
    pub edition: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// How many requirements (leaf items) it has.
    pub requirements: usize,
}

impl RegimeInfo {
    pub fn new(standard: &Standard, lang: Lang) -> Self {
        RegimeInfo {
            id: standard.info.id.clone(),
            title: standard.info.title.get(lang).to_string(),
            edition: standard.info.edition.clone(),
            published: standard.info.published.clone(),
            source: standard.info.source.clone(),
            licence: standard.info.licence.clone(),
            requirements: leaves(standard).count(),
        }
    }
}

/// A 62443 answer a regime requirement rests on (or a direct answer to it).
#[derive(Debug, Clone, Serialize)]
pub struct Basis {
    /// The 62443 id (or the regime id, for a direct answer).
    pub id: String,
    pub assessment: String,
    /// `None` for a direct answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_confidence: Option<Confidence>,
    /// Why the two relate, in the view's language.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rationale: String,
    /// `None` while unanswered.
    pub status: Option<Status>,
    pub in_scope: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRef>,
    /// A scan's suggestion that no person gave or reviewed: it counts for the status, as
    /// for the projected level, and a reader must see that nobody confirmed it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
}

/// Whether an answer is a suggestion nobody confirmed (see [`Basis::draft`]).
fn is_draft(a: &crate::assessment::Answer) -> bool {
    a.origin != crate::assessment::Origin::Person && a.review != crate::assessment::Review::Reviewed
}

/// One regime requirement with its derived status.
#[derive(Debug, Clone, Serialize)]
pub struct RegimeRequirement {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obligation: Option<tekigo_catalog::Obligation>,
    pub status: RegimeStatus,
    pub coverage: Coverage,
    /// The 62443 ids (or, when answered directly, the requirement's own id) the status
    /// rests on.
    pub via: Vec<String>,
    /// True when the assessment answered this requirement by its own id.
    pub direct: bool,
    pub basis: Vec<Basis>,
    /// Why no 62443 item, or only part of one, covers it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub coverage_note: String,
}

/// How many requirements have each status and each coverage.
#[derive(Debug, Clone, Serialize)]
pub struct RegimeSummary {
    pub requirements: usize,
    pub met: usize,
    pub partial: usize,
    pub not_met: usize,
    pub not_assessed: usize,
    pub covered: usize,
    pub partly: usize,
    pub not_covered: usize,
    pub no_mapping: usize,
}

/// One or more assessments seen through a regime.
#[derive(Debug, Clone, Serialize)]
pub struct RegimeView {
    pub regime: RegimeInfo,
    pub assessments: Vec<String>,
    pub requirements: Vec<RegimeRequirement>,
    pub summary: RegimeSummary,
}

/// The requirements of a regime: its items that are no other item's parent.
pub fn leaves(standard: &Standard) -> impl Iterator<Item = &Item> {
    let parents: HashSet<&str> = standard
        .items
        .iter()
        .filter_map(|i| i.parent.as_deref())
        .collect();
    standard
        .items
        .iter()
        .filter(move |i| !parents.contains(i.id.as_str()))
}

/// Whether `id` names a requirement of a regime, which an assessment may answer directly.
pub fn is_regime_requirement(catalog: &Catalog, id: &str) -> bool {
    catalog
        .find(id)
        .is_some_and(|(std, item)| std.info.regime && leaves(std).any(|l| l.id == item.id))
}

/// The status of a set of answers, one entry per item (`None`: unanswered).
pub fn status_of(answers: &[Option<Status>]) -> RegimeStatus {
    if answers.iter().all(Option::is_none) {
        return RegimeStatus::NotAssessed;
    }
    if answers.contains(&Some(Status::NotSatisfied)) {
        return RegimeStatus::NotMet;
    }
    if answers.iter().all(|a| a.is_some_and(Status::is_met)) {
        RegimeStatus::Met
    } else {
        RegimeStatus::Partial
    }
}

/// A 62443 item mapped to a regime item, with the relationship read from the 62443 side.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub id: &'a str,
    pub standard: &'a str,
    pub relationship: Relationship,
    pub mapping: &'a tekigo_catalog::Mapping,
}

/// Every 62443 item mapped to `id` or to an item it includes, transitively, once each
/// (the first mapping found wins), in the order the mapping files list them.
pub fn sources<'a>(catalog: &'a Catalog, id: &'a str) -> Vec<Source<'a>> {
    let mut out: Vec<Source> = Vec::new();
    let mut seen_items = HashSet::new();
    let mut todo = vec![id];
    while let Some(current) = todo.pop() {
        if !seen_items.insert(current) {
            continue;
        }
        for x in catalog.cross_refs(current) {
            if !x.standard.starts_with("62443-") || out.iter().any(|s| s.id == x.id) {
                continue;
            }
            let relationship = match (x.outgoing, x.mapping.relationship) {
                (true, Relationship::Subset) => Relationship::Superset,
                (true, Relationship::Superset) => Relationship::Subset,
                (_, r) => r,
            };
            out.push(Source {
                id: x.id,
                standard: x.standard,
                relationship,
                mapping: x.mapping,
            });
        }
        if let Some((_, item)) = catalog.find(current) {
            todo.extend(item.includes.iter().rev().map(String::as_str));
        }
    }
    out
}

/// The view of `assessments` through `regime`. Assessments of any 62443 standard may be
/// combined (a 4-2 and a 4-1 assessment of the same product cover CRA Part I and Part II).
pub fn view(
    catalog: &Catalog,
    regime: &Standard,
    assessments: &[&Assessment],
    lang: Lang,
) -> RegimeView {
    let requirements: Vec<RegimeRequirement> = leaves(regime)
        .map(|item| requirement(catalog, item, assessments, lang))
        .collect();
    let count_s = |s| requirements.iter().filter(|r| r.status == s).count();
    let count_c = |c| requirements.iter().filter(|r| r.coverage == c).count();
    let summary = RegimeSummary {
        requirements: requirements.len(),
        met: count_s(RegimeStatus::Met),
        partial: count_s(RegimeStatus::Partial),
        not_met: count_s(RegimeStatus::NotMet),
        not_assessed: count_s(RegimeStatus::NotAssessed),
        covered: count_c(Coverage::Covered),
        partly: count_c(Coverage::Partly),
        not_covered: count_c(Coverage::NotCovered),
        no_mapping: count_c(Coverage::NoMapping),
    };
    RegimeView {
        regime: RegimeInfo::new(regime, lang),
        assessments: assessments.iter().map(|a| a.id.clone()).collect(),
        requirements,
        summary,
    }
}

fn requirement(
    catalog: &Catalog,
    item: &Item,
    assessments: &[&Assessment],
    lang: Lang,
) -> RegimeRequirement {
    let direct: Vec<Basis> = assessments
        .iter()
        .filter_map(|a| {
            a.answers.get(&item.id).map(|ans| Basis {
                id: item.id.clone(),
                assessment: a.id.clone(),
                relationship: None,
                mapping_confidence: None,
                rationale: String::new(),
                status: Some(ans.status),
                in_scope: true,
                reason: ans.reason.clone(),
                evidence: ans.evidence.clone(),
                draft: is_draft(ans),
            })
        })
        .collect();
    let sources = sources(catalog, &item.id);
    let mut counted: Vec<Basis> = Vec::new();
    for a in assessments {
        let Some(standard) = catalog.standard(&a.standard) else {
            continue;
        };
        for row in rows(standard, a) {
            let Some(src) = sources.iter().find(|s| s.id == row.item.id) else {
                continue;
            };
            if !row.in_scope && row.answer.is_none() {
                continue;
            }
            counted.push(Basis {
                id: row.item.id.clone(),
                assessment: a.id.clone(),
                relationship: Some(src.relationship),
                mapping_confidence: src.mapping.confidence,
                rationale: src.mapping.rationale.get(lang).to_string(),
                status: row.status(),
                in_scope: row.in_scope,
                reason: row.answer.map(|x| x.reason.clone()).unwrap_or_default(),
                evidence: row.answer.map(|x| x.evidence.clone()).unwrap_or_default(),
                draft: row.answer.is_some_and(is_draft),
            });
        }
    }
    let coverage = if sources.is_empty() {
        Coverage::NoMapping
    } else if counted.is_empty() {
        Coverage::NotCovered
    } else if counted.iter().any(|b| {
        matches!(
            b.relationship,
            Some(Relationship::Equal | Relationship::Superset)
        )
    }) {
        Coverage::Covered
    } else {
        Coverage::Partly
    };
    let (basis, is_direct) = if direct.is_empty() {
        (counted, false)
    } else {
        (direct, true)
    };
    let statuses: Vec<Option<Status>> = basis.iter().map(|b| b.status).collect();
    let mut via: Vec<String> = Vec::new();
    for b in &basis {
        if !via.contains(&b.id) {
            via.push(b.id.clone());
        }
    }
    RegimeRequirement {
        id: item.id.clone(),
        parent: item.parent.clone(),
        title: item.title.get(lang).to_string(),
        obligation: item.obligation,
        status: status_of(&statuses),
        coverage,
        via,
        direct: is_direct,
        basis,
        coverage_note: item.coverage_note.get(lang).to_string(),
    }
}
