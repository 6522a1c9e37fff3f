//! What an assessment adds up to: the levels per FR (or maturity per practice), the gaps to
//! the target, and how far the work has come.
//!
//! The rules, stated once here and nowhere else:
//! - **Which answers a claim rests on.** An answer *counts* when a person gave it
//!   (`origin: person`) or a person confirmed it (`review: reviewed`, e.g. a scan suggestion
//!   someone reviewed). With `review: required` in tekigo.yaml only reviewed answers count
//!   ([`ReviewPolicy::counts`]). Drafts a scan suggested do not count: a certification body
//!   signs what a person stands behind, not what a tool guessed. The same holds for a
//!   system requirement suggested from the zone's components (`origin: components`): it
//!   counts once a person reviewed it (`assess set --reviewed-by`) or answered it.
//!   An *inherited* answer (`origin: inherited`, from a signed conformity package) counts
//!   exactly when it counted in the assessment it comes from (`inherited.counted`, judged
//!   there with that project's review rule), so an assessment that inherits everything has
//!   its source's levels; under `review: required` it must also be reviewed. When a newer
//!   package changed the answer upstream (`inherited.changed_upstream`) it does not count
//!   until someone here looks at it. A local answer replaces the inherited one whatever it
//!   says: a product setting that weakens a platform function lowers the level.
//! - **Deferred requirements** (`deferred_to`: left to the integrator, the asset owner, ...)
//!   are not met by the subject in any vector, whatever the status says: the capability is
//!   provided, if at all, by the next layer, which takes them as obligations
//!   ([`obligations`]). A deferred answer's status is partial or not-satisfied (checked on
//!   load). A system assessment prefilled from its components picks them up: a
//!   `components` answer resting on a component's deferral is an obligation of the system
//!   (its owner the integrator, by [`Answer::owner`]'s rule) until a person answers it.
//! - **Which statuses meet a requirement** ([`Vector::meets`]). Satisfied and not-applicable
//!   meet it; partial, not-satisfied and no answer do not. A compensating countermeasure is
//!   outside a component: in 62443-4-2 the capability level (SL-C) is what the component
//!   itself provides, so compensating answers do not meet a 4-2 requirement in the claimed
//!   and projected vectors; 62443-3-3 counts them in a system's SL-A, so they meet a 3-3
//!   requirement in every vector. A standard is judged as a component standard when its
//!   requirements depend on the component type (4-2).
//! - **Security levels (4-2, 3-3).** A requirement applies at level L when its lowest level
//!   is at or below L and it binds the subject's component type. An FR reaches level L when
//!   every requirement of that FR applying at L is met; its level is the highest such L (0
//!   when level 1 is not reached). Three vectors come from three ways of counting:
//!   - *claimed* (JSON `achieved`; SL-C for a 4-2 component, SL-A for a 3-3 system): only
//!     answers that count;
//!   - *projected* (`projected`): every answer, drafts and scan suggestions included: where
//!     the assessment is heading once the drafts are confirmed;
//!   - *with compensating countermeasures* (`with_compensating`, 4-2 only): the answers
//!     that count, compensating ones included: what the component reaches once the system
//!     around it provides those countermeasures, the figure a zone of the risk model uses.
//!
//!   So `achieved` never exceeds `projected` or `with_compensating`.
//! - **Not-applicable only.** An FR's level L > 0 rests on not-applicable answers alone when
//!   the requirements that first apply at the highest level ≤ L that adds any requirement
//!   are all answered not-applicable: the last step up was taken without one requirement
//!   being shown met. Such a level is flagged per FR and vector and never shown as a plain
//!   claim.
//! - **Process behind a claim.** The common component security constraints (CCSC 1-4 of
//!   4-2) tie a component's capability to the development process that made it: a 4-2
//!   SL-C above 0 claimed in a project with no 62443-4-1 assessment gets a warning
//!   ([`Results::lacks_process_assessment`]).
//! - **Maturity levels (4-1, 2-1).** A requirement is at the maturity its answer gives (0
//!   when unanswered, not given, or the answer does not count); not-applicable requirements
//!   are left out. A practice or SPE is at the lowest level of its requirements; the subject
//!   at the lowest practice.
//! - **Gaps** are the requirements in scope that are not met by answers that count (and,
//!   for maturity, are below the target level); `assess gaps` exits 1 on any.
//! - **Met share** (seed 000: "81 % of the requirements confirmed"): requirements in scope
//!   met by answers that count over all in scope. The shares of answers reviewed, given by a
//!   person, suggested by a scan and suggested from a zone's components are given
//!   separately, over the requirements in scope.

use crate::assessment::{Answer, Assessment, Origin, Review, Status, Target};
use serde::{Deserialize, Serialize};
use tekigo_catalog::{Fr, Item, Level, Standard};

/// Which answers a claim may rest on: `review:` in tekigo.yaml. Required when a second
/// person must have looked at every answer before it is claimed (the four-eyes rule some
/// certification bodies ask for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewPolicy {
    /// An answer counts when a person gave it or reviewed it.
    #[default]
    Optional,
    /// Only reviewed answers count.
    Required,
}

impl ReviewPolicy {
    /// Whether an answer counts for the claimed level (see the module docs).
    pub fn counts(self, a: &Answer) -> bool {
        let upstream = match (a.origin, &a.inherited) {
            (Origin::Inherited, Some(i)) => Some(i.counted && !i.changed_upstream),
            (Origin::Inherited, None) => Some(false),
            _ => None,
        };
        match self {
            ReviewPolicy::Optional => match upstream {
                Some(counted) => counted,
                None => a.origin == Origin::Person || a.review == Review::Reviewed,
            },
            ReviewPolicy::Required => a.review == Review::Reviewed && upstream != Some(false),
        }
    }

    /// Whether this is the default, left out of tekigo.yaml.
    pub fn is_default(&self) -> bool {
        *self == ReviewPolicy::default()
    }
}

/// One way of adding up the answers into a vector (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vector {
    Claimed,
    Projected,
    WithCompensating,
}

impl Vector {
    /// Whether an answer meets its requirement in this vector.
    pub fn meets(self, a: &Answer, policy: ReviewPolicy, component: bool) -> bool {
        let counted = self == Vector::Projected || policy.counts(a);
        let status = match a.status {
            Status::Satisfied | Status::NotApplicable => true,
            Status::Compensating => !component || self == Vector::WithCompensating,
            Status::Partial | Status::NotSatisfied => false,
        };
        counted && status && a.deferred_to.is_none()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub assessment: String,
    pub standard: String,
    /// SL-T per FR in FR order; `None` for standards without security levels.
    pub target: Option<[Level; 7]>,
    /// The claimed level per FR in FR order: SL-C of a 4-2 component, SL-A of a 3-3 system.
    pub achieved: Option<[Level; 7]>,
    /// Every answer counted, drafts and scan suggestions included.
    pub projected: Option<[Level; 7]>,
    /// 4-2 only: the claimed level with compensating countermeasures counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_compensating: Option<[Level; 7]>,
    /// The review rule the claimed level was computed with.
    pub review: ReviewPolicy,
    pub target_ml: Option<Level>,
    pub achieved_ml: Option<Level>,
    pub frs: Vec<FrResult>,
    pub groups: Vec<GroupResult>,
    pub gaps: Vec<Gap>,
    pub progress: Progress,
}

/// The standard a component's development process is assessed against.
pub const PROCESS_STANDARD: &str = "62443-4-1";

impl Results {
    /// Whether this is a component's claim above SL 0 while `standards` (those the project
    /// has assessments of) lacks the development-process standard (see the module docs).
    pub fn lacks_process_assessment(&self, standards: &std::collections::BTreeSet<String>) -> bool {
        self.with_compensating.is_some()
            && self.achieved.is_some_and(|a| a.iter().any(|l| *l > 0))
            && !standards.contains(PROCESS_STANDARD)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FrResult {
    pub fr: String,
    pub target: Level,
    /// The claimed level.
    pub achieved: Level,
    pub projected: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_compensating: Option<Level>,
    /// Which of the three levels rest on not-applicable answers alone.
    pub not_applicable_only: NotApplicableOnly,
    /// Requirements of this FR that apply at its target level.
    pub in_scope: usize,
    /// Of those, met by answers that count.
    pub met: usize,
    /// Compensating answers among the requirements the highest of the three levels rests
    /// on: for 4-2 what the system must provide, for 3-3 what SL-A relies on.
    pub compensating: Vec<String>,
}

/// Per FR, whether each vector's level rests only on not-applicable answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NotApplicableOnly {
    pub achieved: bool,
    pub projected: bool,
    pub with_compensating: bool,
}

/// A 4-1 practice or a 2-1 SPE.
#[derive(Debug, Clone, Serialize)]
pub struct GroupResult {
    pub id: String,
    pub achieved_ml: Level,
    pub requirements: usize,
    /// Requirements met by answers that count, at or above the target maturity.
    pub met: usize,
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
    /// The answer would meet the requirement but does not count yet: a scan suggestion not
    /// confirmed, or not reviewed under `review: required`.
    pub unconfirmed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maturity: Option<Level>,
    pub recommendations: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub in_scope: usize,
    pub answered: usize,
    /// Met by answers that count (the claimed sense).
    pub met: usize,
    /// `met / in_scope` in percent, one decimal.
    pub met_percent: f64,
    /// Met by any answer (the projected sense).
    pub met_projected: usize,
    pub reviewed: usize,
    pub reviewed_percent: f64,
    /// Answers a person gave.
    pub by_person: usize,
    pub by_person_percent: f64,
    /// Answers a device scan suggested, reviewed or not.
    pub from_scan: usize,
    pub from_scan_percent: f64,
    /// Answers suggested from a zone's components (3-3 prefill), confirmed or not.
    pub from_components: usize,
    pub from_components_percent: f64,
    /// Who answers for the requirements in scope (the layers of seed 000's 図3): answers
    /// inherited from a package, deferred to another party, and the subject's own (every
    /// other answer).
    pub inherited: usize,
    pub inherited_percent: f64,
    pub deferred: usize,
    pub deferred_percent: f64,
    pub own: usize,
    pub own_percent: f64,
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

/// Whether a standard's levels are a component's capability (4-2) rather than a system's.
pub fn is_component_standard(standard: &Standard) -> bool {
    standard.items.iter().any(|i| i.component_type.is_some())
}

/// How the rows of one assessment are judged: the vector, the review rule, the standard.
#[derive(Debug, Clone, Copy)]
struct Judge {
    vector: Vector,
    policy: ReviewPolicy,
    component: bool,
    target_ml: Option<Level>,
}

impl Judge {
    fn meets(&self, row: &Row) -> bool {
        row.answer
            .is_some_and(|a| self.vector.meets(a, self.policy, self.component))
    }

    /// Met, and for maturity at or above the target level.
    fn confirms(&self, row: &Row) -> bool {
        match (row.answer, self.target_ml) {
            (Some(a), Some(t)) if a.status != Status::NotApplicable => {
                self.meets(row) && a.maturity.unwrap_or(0) >= t
            }
            _ => self.meets(row),
        }
    }

    fn maturity(&self, row: &Row) -> Level {
        match row.answer {
            Some(a) if self.vector == Vector::Projected || self.policy.counts(a) => {
                a.maturity.unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// The highest level L such that every row applying at L is met, and whether it rests
    /// on not-applicable answers alone.
    fn level(&self, rows_of_fr: &[&Row]) -> (Level, bool) {
        let mut reached = 0;
        for level in 1..=4 {
            let all_met = rows_of_fr
                .iter()
                .filter(|r| r.item.min_sl.is_some_and(|m| m <= level))
                .all(|r| self.meets(r));
            if !all_met {
                break;
            }
            reached = level;
        }
        let last_step = rows_of_fr
            .iter()
            .filter_map(|r| r.item.min_sl)
            .filter(|m| *m <= reached)
            .max();
        let na_only = reached > 0
            && last_step.is_some_and(|step| {
                rows_of_fr
                    .iter()
                    .filter(|r| r.item.min_sl == Some(step))
                    .all(|r| r.status() == Some(Status::NotApplicable))
            });
        (reached, na_only)
    }
}

/// Computes the results of an assessment against its standard with the default review
/// rule; use [`compute_with`] where the project's tekigo.yaml is at hand.
pub fn compute(standard: &Standard, assessment: &Assessment) -> Results {
    compute_with(standard, assessment, ReviewPolicy::default())
}

/// Computes the results of an assessment against its standard under a review rule.
pub fn compute_with(standard: &Standard, assessment: &Assessment, policy: ReviewPolicy) -> Results {
    let rows = rows(standard, assessment);
    let target_ml = match assessment.target {
        Target::MaturityLevel(l) => Some(l),
        _ => None,
    };
    let component = is_component_standard(standard);
    let judge = |vector| Judge {
        vector,
        policy,
        component,
        target_ml,
    };
    let (claimed, projected, with_comp) = (
        judge(Vector::Claimed),
        judge(Vector::Projected),
        judge(Vector::WithCompensating),
    );

    let mut frs = Vec::new();
    let mut vectors = None;
    if let Target::SecurityLevels(t) = assessment.target {
        let mut v = [[0; 7]; 3];
        for fr in Fr::ALL {
            let of_fr: Vec<&Row> = rows.iter().filter(|r| r.item.fr == Some(fr)).collect();
            let (a, a_na) = claimed.level(&of_fr);
            let (p, p_na) = projected.level(&of_fr);
            let (w, w_na) = with_comp.level(&of_fr);
            v[0][fr.index()] = a;
            v[1][fr.index()] = p;
            v[2][fr.index()] = w;
            let highest = a.max(p).max(w);
            let in_scope: Vec<&&Row> = of_fr.iter().filter(|r| r.in_scope).collect();
            frs.push(FrResult {
                fr: fr.label(),
                target: t.get(fr),
                achieved: a,
                projected: p,
                with_compensating: component.then_some(w),
                not_applicable_only: NotApplicableOnly {
                    achieved: a_na,
                    projected: p_na,
                    with_compensating: component && w_na,
                },
                in_scope: in_scope.len(),
                met: in_scope.iter().filter(|r| claimed.meets(r)).count(),
                compensating: of_fr
                    .iter()
                    .filter(|r| r.item.min_sl.is_some_and(|m| m <= highest))
                    .filter(|r| r.status() == Some(Status::Compensating))
                    .map(|r| r.item.id.clone())
                    .collect(),
            });
        }
        vectors = Some((t.0, v));
    }

    let groups = if target_ml.is_some() {
        maturity_groups(standard, &rows, &claimed)
    } else {
        Vec::new()
    };
    let achieved_ml = target_ml.map(|_| groups.iter().map(|g| g.achieved_ml).min().unwrap_or(0));

    let gaps = rows
        .iter()
        .filter(|r| r.in_scope && !claimed.confirms(r))
        .map(|r| Gap {
            id: r.item.id.clone(),
            fr: r.item.fr.map(|f| f.label()),
            min_sl: r.item.min_sl,
            status: r.status(),
            unconfirmed: projected.confirms(r),
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
    let count =
        |f: &dyn Fn(&Answer) -> bool| scope.iter().filter(|r| r.answer.is_some_and(f)).count();
    let met = scope.iter().filter(|r| claimed.confirms(r)).count();
    let reviewed = count(&|a| a.review == Review::Reviewed);
    let by_person = count(&|a| a.origin == Origin::Person);
    let from_scan = count(&|a| a.origin == Origin::Scan);
    let from_components = count(&|a| a.origin == Origin::Components);
    let deferred = count(&|a| a.deferred_to.is_some());
    let inherited = count(&|a| a.origin == Origin::Inherited && a.deferred_to.is_none());
    let own = count(&|a| a.origin != Origin::Inherited && a.deferred_to.is_none());
    let progress = Progress {
        in_scope: scope.len(),
        answered: count(&|_| true),
        met,
        met_percent: percent(met, scope.len()),
        met_projected: scope.iter().filter(|r| projected.confirms(r)).count(),
        reviewed,
        reviewed_percent: percent(reviewed, scope.len()),
        by_person,
        by_person_percent: percent(by_person, scope.len()),
        from_scan,
        from_scan_percent: percent(from_scan, scope.len()),
        from_components,
        from_components_percent: percent(from_components, scope.len()),
        inherited,
        inherited_percent: percent(inherited, scope.len()),
        deferred,
        deferred_percent: percent(deferred, scope.len()),
        own,
        own_percent: percent(own, scope.len()),
    };

    Results {
        assessment: assessment.id.clone(),
        standard: standard.info.id.clone(),
        target: vectors.map(|(t, _)| t),
        achieved: vectors.map(|(_, v)| v[0]),
        projected: vectors.map(|(_, v)| v[1]),
        with_compensating: vectors.filter(|_| component).map(|(_, v)| v[2]),
        review: policy,
        target_ml,
        achieved_ml,
        frs,
        groups,
        gaps,
        progress,
    }
}

fn maturity_groups(standard: &Standard, rows: &[Row], judge: &Judge) -> Vec<GroupResult> {
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
                    met: 0,
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[idx];
        g.requirements += 1;
        g.met += usize::from(judge.confirms(row));
        if applicable {
            g.achieved_ml = g.achieved_ml.min(judge.maturity(row));
        }
    }
    for g in &mut groups {
        if g.achieved_ml == Level::MAX {
            // Every requirement not applicable: the group does not hold the subject back.
            g.achieved_ml = judge.target_ml.unwrap_or(0);
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

/// A requirement the subject leaves to another party: an obligation of the next layer.
#[derive(Debug, Clone, Serialize)]
pub struct Obligation {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_sl: Option<Level>,
    pub deferred_to: crate::assessment::Role,
    pub reason: String,
    /// Whether the deferral itself came from a package (the layer below deferred it).
    pub inherited: bool,
    /// For an obligation picked up from the zone's components: `ASSESSMENT REQUIREMENT` of
    /// each deferral it rests on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub picked_up: Vec<String>,
    /// A component's deferral that no requirement of this (zone) assessment carries: `id` is
    /// then the component's 4-2 id, answered where the integrator records it, not here
    /// (`tekigo_risk::prefill::UncarriedDeferral`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub uncarried: bool,
}

/// The deferred requirements of an assessment, in catalog order (in scope or not: the next
/// layer may need a higher level than this subject's target), and the obligations it
/// picked up from its components that nobody here answered yet (see the module docs).
pub fn obligations(standard: &Standard, assessment: &Assessment) -> Vec<Obligation> {
    rows(standard, assessment)
        .into_iter()
        .filter_map(|r| {
            let a = r.answer?;
            let deferrals: Vec<&crate::assessment::ComponentBasis> = match a.origin {
                Origin::Components => a
                    .components
                    .iter()
                    .filter(|b| b.verdict == crate::assessment::BasisVerdict::Deferred)
                    .collect(),
                _ => Vec::new(),
            };
            let deferred_to = match deferrals.first() {
                Some(_) => a.owner(assessment.subject.kind),
                None => a.deferred_to?,
            };
            Some(Obligation {
                id: r.item.id.clone(),
                fr: r.item.fr.map(|f| f.label()),
                min_sl: r.item.min_sl,
                deferred_to,
                reason: a.reason.clone(),
                inherited: a.origin == Origin::Inherited,
                picked_up: deferrals
                    .iter()
                    .flat_map(|b| {
                        let source = b.assessment.clone().unwrap_or_else(|| b.component.clone());
                        let ids = match b.deferred.is_empty() {
                            true => &b.requirements,
                            false => &b.deferred,
                        };
                        ids.iter().map(move |id| format!("{source} {id}"))
                    })
                    .collect(),
                uncarried: false,
            })
        })
        .collect()
}
