//! What an assessment adds up to: the achieved level per FR (or maturity per practice), the
//! gaps to the target, and how far the work has come.
//!
//! The rules, stated once here and nowhere else:
//! - **Security levels (4-2, 3-3).** A requirement applies at level L when its lowest level
//!   is at or below L and it binds the subject's component type. An FR reaches level L when
//!   every requirement of that FR applying at L is met; the achieved level is the highest
//!   such L (0 when level 1 is not reached). Met means satisfied, not applicable, or
//!   compensating; compensating answers are counted and listed per FR so that a reader sees
//!   which levels rest on them. Unanswered counts as not met.
//! - **Maturity levels (4-1, 2-1).** A requirement is at the maturity its answer gives (0
//!   when unanswered or not given); not-applicable requirements are left out. A practice or
//!   SPE is at the lowest level of its requirements; the subject at the lowest practice.
//! - **Confirmed share** (seed 000: "81 % of the requirements confirmed"): requirements in
//!   scope that are met (and, for maturity, at or above the target level) over all in scope.

use crate::assessment::{Answer, Assessment, Origin, Review, Status, Target};
use serde::Serialize;
use tekigo_catalog::{Fr, Item, Level, Standard};

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub assessment: String,
    pub standard: String,
    /// SL-T per FR in FR order; `None` for standards without security levels.
    pub target: Option<[Level; 7]>,
    /// SL-A per FR in FR order.
    pub achieved: Option<[Level; 7]>,
    pub target_ml: Option<Level>,
    pub achieved_ml: Option<Level>,
    pub frs: Vec<FrResult>,
    pub groups: Vec<GroupResult>,
    pub gaps: Vec<Gap>,
    pub progress: Progress,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrResult {
    pub fr: String,
    pub target: Level,
    pub achieved: Level,
    /// Requirements of this FR that apply at its target level.
    pub in_scope: usize,
    pub met: usize,
    /// Compensating answers among the requirements the achieved level rests on.
    pub compensating: Vec<String>,
}

/// A 4-1 practice or a 2-1 SPE.
#[derive(Debug, Clone, Serialize)]
pub struct GroupResult {
    pub id: String,
    pub achieved_ml: Level,
    pub requirements: usize,
    pub confirmed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_sl: Option<Level>,
    /// `None` when the requirement has not been answered.
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maturity: Option<Level>,
    pub recommendations: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub in_scope: usize,
    pub answered: usize,
    pub met: usize,
    pub reviewed: usize,
    /// Answers suggested by a device scan and not yet confirmed by a person.
    pub from_scan: usize,
    /// `met / in_scope` in percent, one decimal.
    pub confirmed_percent: f64,
}

/// One requirement of the standard together with its answer, in catalog order.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub item: &'a Item,
    pub answer: Option<&'a Answer>,
    /// Applies at the target (always true for standards without security levels).
    pub in_scope: bool,
}

impl Row<'_> {
    pub fn status(&self) -> Option<Status> {
        self.answer.map(|a| a.status)
    }
}

/// The requirements an assessment judges, in catalog order, with their answers.
pub fn rows<'a>(standard: &'a Standard, assessment: &'a Assessment) -> Vec<Row<'a>> {
    let ty = assessment.subject.component_type;
    standard
        .items
        .iter()
        .filter(|i| applies_at_some_level(i, ty))
        .map(|item| Row {
            item,
            answer: assessment.answers.get(&item.id),
            in_scope: match (assessment.target, item.min_sl, item.fr) {
                (Target::SecurityLevels(t), Some(min), Some(fr)) => min <= t.get(fr),
                (Target::SecurityLevels(_), _, _) => false,
                _ => true,
            },
        })
        .collect()
}

/// Whether an item is something an answer can be given to for this component type.
pub fn applies_at_some_level(item: &Item, ty: Option<tekigo_catalog::ComponentType>) -> bool {
    if item.min_sl.is_some() {
        ty.is_none_or(|ty| item.binds(ty))
    } else {
        item.is_requirement()
    }
}

fn level_of(row: &Row) -> Level {
    match row.answer {
        Some(a) => a.maturity.unwrap_or(0),
        None => 0,
    }
}

fn is_confirmed(row: &Row, target_ml: Option<Level>) -> bool {
    match (row.answer, target_ml) {
        (Some(a), _) if a.status == Status::NotApplicable => true,
        (Some(a), Some(t)) => a.status.is_met() && a.maturity.unwrap_or(0) >= t,
        (Some(a), None) => a.status.is_met(),
        (None, _) => false,
    }
}

/// Computes the results of an assessment against its standard.
pub fn compute(standard: &Standard, assessment: &Assessment) -> Results {
    let rows = rows(standard, assessment);
    let target_ml = match assessment.target {
        Target::MaturityLevel(l) => Some(l),
        _ => None,
    };

    let mut frs = Vec::new();
    let (mut target, mut achieved) = (None, None);
    if let Target::SecurityLevels(t) = assessment.target {
        let mut a = [0; 7];
        for fr in Fr::ALL {
            let of_fr: Vec<&Row> = rows.iter().filter(|r| r.item.fr == Some(fr)).collect();
            let level = achieved_level(&of_fr);
            a[fr.index()] = level;
            let in_scope: Vec<&&Row> = of_fr.iter().filter(|r| r.in_scope).collect();
            frs.push(FrResult {
                fr: fr.label(),
                target: t.get(fr),
                achieved: level,
                in_scope: in_scope.len(),
                met: in_scope.iter().filter(|r| is_confirmed(r, None)).count(),
                compensating: of_fr
                    .iter()
                    .filter(|r| r.item.min_sl.is_some_and(|m| m <= level))
                    .filter(|r| r.status() == Some(Status::Compensating))
                    .map(|r| r.item.id.clone())
                    .collect(),
            });
        }
        target = Some(t.0);
        achieved = Some(a);
    }

    let groups = if target_ml.is_some() {
        maturity_groups(standard, &rows, target_ml)
    } else {
        Vec::new()
    };
    let achieved_ml = target_ml.map(|_| groups.iter().map(|g| g.achieved_ml).min().unwrap_or(0));

    let gaps = rows
        .iter()
        .filter(|r| r.in_scope && !is_confirmed(r, target_ml))
        .map(|r| Gap {
            id: r.item.id.clone(),
            fr: r.item.fr.map(|f| f.label()),
            min_sl: r.item.min_sl,
            status: r.status(),
            maturity: r.answer.and_then(|a| a.maturity),
            recommendations: r
                .answer
                .map(|a| {
                    a.findings
                        .iter()
                        .map(|f| f.recommendation.clone())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();

    let scope: Vec<&Row> = rows.iter().filter(|r| r.in_scope).collect();
    let met = scope.iter().filter(|r| is_confirmed(r, target_ml)).count();
    let progress = Progress {
        in_scope: scope.len(),
        answered: scope.iter().filter(|r| r.answer.is_some()).count(),
        met,
        reviewed: scope
            .iter()
            .filter(|r| r.answer.is_some_and(|a| a.review == Review::Reviewed))
            .count(),
        from_scan: scope
            .iter()
            .filter(|r| r.answer.is_some_and(|a| a.origin == Origin::Scan))
            .count(),
        confirmed_percent: percent(met, scope.len()),
    };

    Results {
        assessment: assessment.id.clone(),
        standard: standard.info.id.clone(),
        target,
        achieved,
        target_ml,
        achieved_ml,
        frs,
        groups,
        gaps,
        progress,
    }
}

/// The highest level L such that every row applying at L is met.
fn achieved_level(rows_of_fr: &[&Row]) -> Level {
    let mut reached = 0;
    for level in 1..=4 {
        let all_met = rows_of_fr
            .iter()
            .filter(|r| r.item.min_sl.is_some_and(|m| m <= level))
            .all(|r| r.status().is_some_and(Status::is_met));
        if !all_met {
            break;
        }
        reached = level;
    }
    reached
}

fn maturity_groups(
    standard: &Standard,
    rows: &[Row],
    target_ml: Option<Level>,
) -> Vec<GroupResult> {
    let mut groups: Vec<GroupResult> = Vec::new();
    for row in rows {
        let group = top_ancestor(standard, &row.item.id);
        let applicable = row.status() != Some(Status::NotApplicable);
        let idx = match groups.iter().position(|g| g.id == group) {
            Some(i) => i,
            None => {
                groups.push(GroupResult {
                    id: group.to_string(),
                    achieved_ml: Level::MAX,
                    requirements: 0,
                    confirmed: 0,
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[idx];
        g.requirements += 1;
        g.confirmed += usize::from(is_confirmed(row, target_ml));
        if applicable {
            g.achieved_ml = g.achieved_ml.min(level_of(row));
        }
    }
    for g in &mut groups {
        if g.achieved_ml == Level::MAX {
            // Every requirement not applicable: the group does not hold the subject back.
            g.achieved_ml = target_ml.unwrap_or(0);
        }
    }
    groups
}

fn top_ancestor<'a>(standard: &'a Standard, id: &'a str) -> &'a str {
    let mut current = id;
    while let Some(parent) = standard.item(current).and_then(|i| i.parent.as_deref()) {
        current = parent;
    }
    current
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}
