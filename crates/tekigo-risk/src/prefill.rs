//! A zone's system (62443-3-3) assessment prefilled from its components' 62443-4-2 results
//! through the catalog's 4-2 → 3-3 mapping (`tekigo assess new --standard 62443-3-3
//! --zone ZONE`).
//!
//! The rule, stated once here:
//!
//! - **Which requirements.** Every 3-3 requirement in scope at the zone's SL-T (the
//!   assessment's rows in scope, `tekigo_assess::results::rows`).
//! - **Which components it concerns.** A component of the zone (an asset of the zone naming
//!   a tekigo component) is concerned by a 3-3 requirement when a 4-2 requirement mapped to
//!   it binds the component's type (an NDR row concerns network devices only). The 4-2 ids
//!   the mapping gives for that type are the ones the component is judged on.
//! - **What one component says** ([`BasisVerdict`]), from every 4-2 assessment of it in the
//!   project, all mapped ids together: `deferred` when any is left to another party;
//!   else `not-met` when any is answered, counts (`ReviewPolicy::counts` under this
//!   project's rule) and does not meet it in the claimed sense (`Vector::Claimed`: a
//!   component's compensating answer is a countermeasure the zone must provide, so it does
//!   not meet here either: the zone records that countermeasure itself); else `unknown`
//!   when any is unanswered or does not count yet (a scan draft); else `met`. A component
//!   with no assessment but a supplier's claim is judged on the claimed SL-C: a mapped
//!   requirement is met when its lowest level is at or below the claimed level of its FR
//!   (levels are cumulative), not met otherwise. A component with neither is `unknown`.
//! - **What the zone gets.** Any `deferred`: `not-satisfied`, and the requirement becomes
//!   the integrator's obligation (`results::obligations`) until a person answers it; else
//!   any `not-met`: `not-satisfied`; else any `unknown`: no answer at all (nothing known is
//!   never satisfied); else every concerned component `met`: `satisfied` when every
//!   mapping used is `equal` or a `superset` (the 4-2 requirement covers the 3-3 one),
//!   `partial` when one only overlaps it (`subset`, `intersect`). A requirement no
//!   component is concerned by (no mapping, or no component of a mapped type) is left
//!   unanswered: it is the system's own to show.
//! - **What it counts for.** Every prefilled answer has `origin: components` and stays in
//!   draft: it counts toward the zone's SL-A only once a person reviews or answers it
//!   (`tekigo_assess::results` states that rule).

use crate::model::RiskModel;
use crate::text::label;
use crate::RiskError;
use serde::Serialize;
use tekigo_assess::results::{rows, Vector};
use tekigo_assess::{
    Answer, Assessment, BasisVerdict, ComponentBasis, Origin, ProjectConfig, Role, Status,
};
use tekigo_catalog::{Catalog, ComponentType, Lang, Relationship};

const COMPONENT_STANDARD: &str = "62443-4-2";
/// The standard of the assessments this module fills.
pub const SYSTEM_STANDARD: &str = "62443-3-3";

/// What the prefill wrote, by outcome, in catalog order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PrefillSummary {
    pub satisfied: Vec<String>,
    pub partial: Vec<String>,
    pub not_satisfied: Vec<String>,
    /// Not-satisfied because a component deferred a mapped requirement: obligations.
    pub picked_up: Vec<String>,
    /// Left unanswered: a concerned component is unknown.
    pub unknown: Vec<String>,
    /// Left unanswered: no component of the zone is concerned.
    pub not_concerned: Vec<String>,
}

/// The zone's answer from its components' verdicts (see the module docs): `None` leaves the
/// requirement unanswered. `covering` says whether every mapping used covers the 3-3
/// requirement (`equal` or `superset`).
pub fn zone_status(verdicts: &[BasisVerdict], covering: bool) -> Option<Status> {
    let any = |v| verdicts.contains(&v);
    if verdicts.is_empty()
        || (!any(BasisVerdict::Deferred)
            && !any(BasisVerdict::NotMet)
            && any(BasisVerdict::Unknown))
    {
        return None;
    }
    Some(
        match (
            any(BasisVerdict::Deferred) || any(BasisVerdict::NotMet),
            covering,
        ) {
            (true, _) => Status::NotSatisfied,
            (false, true) => Status::Satisfied,
            (false, false) => Status::Partial,
        },
    )
}

/// One tekigo component of the zone with what the project knows of it.
struct Member<'a> {
    name: &'a str,
    ty: Option<ComponentType>,
    assessments: Vec<&'a Assessment>,
    claim: Option<&'a tekigo_assess::project::SupplierClaim>,
}

/// Fills `target` (a new 3-3 assessment of `zone`) from the zone's components (see the
/// module docs). Answers already in `target` are left alone.
pub fn prefill(
    catalog: &Catalog,
    config: &ProjectConfig,
    assessments: &[Assessment],
    model: &RiskModel,
    zone: &str,
    target: &mut Assessment,
    lang: Lang,
) -> Result<PrefillSummary, RiskError> {
    let (component_std, system) = standards(catalog, target)?;
    let members = members(catalog, config, assessments, model, zone, component_std);
    let mut summary = PrefillSummary::default();
    let date = tekigo_assess::today();
    let mut answers = Vec::new();
    for row in rows(system, target).into_iter().filter(|r| r.in_scope) {
        if row.answer.is_some() {
            continue;
        }
        let id = &row.item.id;
        let refs: Vec<_> = catalog
            .cross_refs(id)
            .filter(|c| !c.outgoing && c.standard == COMPONENT_STANDARD)
            .collect();
        let mapped: Vec<(&str, Relationship)> = refs
            .iter()
            .map(|c| (c.id, c.mapping.relationship))
            .collect();
        let unreviewed = refs.iter().any(|c| !c.mapping.reviewed);
        let mut basis = Vec::new();
        let mut covering = true;
        for m in &members {
            let ids: Vec<&(&str, Relationship)> = mapped
                .iter()
                .filter(|(from, _)| {
                    component_std
                        .item(from)
                        .is_some_and(|i| m.ty.is_none_or(|ty| i.binds(ty)))
                })
                .collect();
            if ids.is_empty() {
                continue;
            }
            covering &= ids
                .iter()
                .all(|(_, r)| matches!(r, Relationship::Equal | Relationship::Superset));
            let ids: Vec<&str> = ids.iter().map(|(i, _)| *i).collect();
            basis.extend(judge(m, &ids, component_std, config));
        }
        let verdicts: Vec<BasisVerdict> = basis.iter().map(|b| b.verdict).collect();
        let Some(status) = zone_status(&verdicts, covering) else {
            match basis.is_empty() {
                true => summary.not_concerned.push(id.clone()),
                false => summary.unknown.push(id.clone()),
            }
            continue;
        };
        let deferred = verdicts.contains(&BasisVerdict::Deferred);
        let list = match (status, deferred) {
            (_, true) => &mut summary.picked_up,
            (Status::Satisfied, _) => &mut summary.satisfied,
            (Status::Partial, _) => &mut summary.partial,
            _ => &mut summary.not_satisfied,
        };
        list.push(id.clone());
        let mut answer = Answer::new(status, date.clone());
        answer.origin = Origin::Components;
        answer.assessor = Some("tekigo prefill".into());
        answer.reason = reason(lang, &basis, unreviewed)?;
        answer.components = basis;
        answers.push((id.clone(), answer));
    }
    target.answers.extend(answers);
    Ok(summary)
}

/// What a refresh changed (`tekigo assess prefill Z`), by requirement id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RefreshSummary {
    /// A suggestion where there was none.
    pub added: Vec<String>,
    /// An unreviewed suggestion replaced by a different one.
    pub replaced: Vec<String>,
    /// A reviewed suggestion whose status or basis changed: the new one, in draft.
    pub back_to_review: Vec<String>,
    /// A suggestion the components no longer support (now unknown or not concerned).
    pub withdrawn: Vec<String>,
    /// Suggestions whose status and basis are as before.
    pub unchanged: usize,
}

/// Refreshes the suggestions of `target` (a zone's 3-3 assessment) from its components'
/// current results, by the rule of [`prefill`]. Stated once here:
///
/// - an answer a person wrote (any origin but `components`) is never touched;
/// - a suggestion whose status and basis (what each component says) are unchanged is kept
///   as it is, reviewed or not;
/// - an unreviewed suggestion that changed is replaced by the new one (`replaced`);
/// - a reviewed suggestion that changed is replaced by the new one in draft: the reviewer
///   confirmed something else (`back_to_review`), as an inherited answer goes back to review
///   when its package changes;
/// - a suggestion the components no longer support is removed (`withdrawn`): what is not
///   known is never left standing as satisfied;
/// - a requirement newly supported gets its suggestion (`added`).
pub fn refresh(
    catalog: &Catalog,
    config: &ProjectConfig,
    assessments: &[Assessment],
    model: &RiskModel,
    zone: &str,
    target: &mut Assessment,
    lang: Lang,
) -> Result<RefreshSummary, RiskError> {
    let mut fresh = target.clone();
    fresh.answers.retain(|_, a| a.origin != Origin::Components);
    prefill(catalog, config, assessments, model, zone, &mut fresh, lang)?;
    let mut out = RefreshSummary::default();
    let ids: std::collections::BTreeSet<String> = target
        .answers
        .iter()
        .chain(&fresh.answers)
        .filter(|(_, a)| a.origin == Origin::Components)
        .map(|(id, _)| id.clone())
        .collect();
    for id in ids {
        let new = fresh
            .answers
            .get(&id)
            .filter(|a| a.origin == Origin::Components);
        let old = target.answers.get(&id);
        match (old, new) {
            (None, Some(new)) => {
                target.answers.insert(id.clone(), new.clone());
                out.added.push(id);
            }
            (Some(_), None) => {
                target.answers.remove(&id);
                out.withdrawn.push(id);
            }
            (Some(old), Some(new)) => {
                if old.status == new.status && old.components == new.components {
                    out.unchanged += 1;
                    continue;
                }
                match old.review {
                    tekigo_assess::Review::Reviewed => out.back_to_review.push(id.clone()),
                    _ => out.replaced.push(id.clone()),
                }
                target.answers.insert(id, new.clone());
            }
            (None, None) => {}
        }
    }
    Ok(out)
}

/// The component standard (62443-4-2) and the standard of `target` (the zone's).
fn standards<'c>(
    catalog: &'c Catalog,
    target: &Assessment,
) -> Result<(&'c tekigo_catalog::Standard, &'c tekigo_catalog::Standard), RiskError> {
    let find = |id: &str| {
        catalog
            .standard(id)
            .ok_or_else(|| crate::feasibility::missing_standard(id))
    };
    Ok((find(COMPONENT_STANDARD)?, find(&target.standard)?))
}

/// The zone's tekigo components, each once, in asset order.
fn members<'a>(
    catalog: &Catalog,
    config: &'a ProjectConfig,
    assessments: &'a [Assessment],
    model: &'a RiskModel,
    zone: &str,
    component_std: &tekigo_catalog::Standard,
) -> Vec<Member<'a>> {
    let mut out: Vec<Member> = Vec::new();
    let Some(z) = model.zone(zone) else {
        return out;
    };
    for asset in z.assets.iter().filter_map(|a| model.asset(a)) {
        let Some(name) = asset.component.as_deref() else {
            continue;
        };
        if out.iter().any(|m| m.name == name) {
            continue;
        }
        let of: Vec<&Assessment> = assessments
            .iter()
            .filter(|a| {
                a.subject.name == name
                    && catalog.standard(&a.standard).map(|s| &s.info.id)
                        == Some(&component_std.info.id)
            })
            .collect();
        let listed = config.components.iter().find(|c| c.name == name);
        out.push(Member {
            name,
            ty: of
                .first()
                .and_then(|a| a.subject.component_type)
                .or(listed.map(|c| c.component_type)),
            claim: listed.and_then(|c| c.claim.as_ref()),
            assessments: of,
        });
    }
    out
}

/// What one component says about the mapped 4-2 ids: one basis per assessment, or one for
/// its claim or for nothing known.
fn judge(
    m: &Member,
    ids: &[&str],
    component_std: &tekigo_catalog::Standard,
    config: &ProjectConfig,
) -> Vec<ComponentBasis> {
    let requirements: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    let basis =
        |assessment: Option<String>, claim: Option<String>, verdict, deferral: Option<Deferral>| {
            let d = deferral.unwrap_or_default();
            ComponentBasis {
                component: m.name.to_string(),
                assessment,
                claim,
                requirements: requirements.clone(),
                verdict,
                deferred_to: d.to,
                deferred: d.ids,
                reason: d.reasons.join("; "),
            }
        };
    if m.assessments.is_empty() {
        let Some(c) = m.claim else {
            return vec![basis(None, None, BasisVerdict::Unknown, None)];
        };
        let met = ids.iter().all(|id| {
            component_std
                .item(id)
                .and_then(|i| Some(i.min_sl? <= c.sl_c.get(i.fr?)))
                .unwrap_or(false)
        });
        let verdict = if met {
            BasisVerdict::Met
        } else {
            BasisVerdict::NotMet
        };
        return vec![basis(
            None,
            Some(format!("{}: {}", c.source.as_str(), c.scope)),
            verdict,
            None,
        )];
    }
    m.assessments
        .iter()
        .map(|a| {
            let answers: Vec<Option<&Answer>> = ids.iter().map(|id| a.answers.get(*id)).collect();
            let mut deferral: Option<Deferral> = None;
            for (id, ans) in ids.iter().zip(&answers) {
                let Some(to) = ans.and_then(|a| a.deferred_to) else {
                    continue;
                };
                let d = deferral.get_or_insert_with(Deferral::default);
                d.to.get_or_insert(to);
                d.ids.push(id.to_string());
                d.reasons
                    .push(format!("{id}: {}", ans.map_or("", |a| a.reason.as_str())));
            }
            let counts = |ans: &Answer| config.review.counts(ans);
            let verdict = if deferral.is_some() {
                BasisVerdict::Deferred
            } else if answers.iter().any(|ans| {
                ans.is_some_and(|ans| {
                    counts(ans) && !Vector::Claimed.meets(ans, config.review, true)
                })
            }) {
                BasisVerdict::NotMet
            } else if answers
                .iter()
                .all(|ans| ans.is_some_and(|ans| Vector::Claimed.meets(ans, config.review, true)))
            {
                BasisVerdict::Met
            } else {
                BasisVerdict::Unknown
            };
            basis(Some(a.id.clone()), None, verdict, deferral)
        })
        .collect()
}

/// The mapped requirements one component assessment deferred: to whom (the first
/// deferral's party), which ids, and each one's reason.
#[derive(Default)]
struct Deferral {
    to: Option<Role>,
    ids: Vec<String>,
    reasons: Vec<String>,
}

/// A requirement a component of the zone deferred that no 3-3 requirement in scope of the
/// zone's assessment carries: its 4-2 id maps to no 3-3 requirement, or only to ones out of
/// scope at the zone's SL-T. The prefill cannot turn it into an answer, so it would be lost;
/// instead `tekigo assess obligations` lists it with the zone's obligations (and the prefill
/// names it) for as long as the component's assessment defers it.
#[derive(Debug, Clone, Serialize)]
pub struct UncarriedDeferral {
    pub component: String,
    pub assessment: String,
    /// The 4-2 id.
    pub requirement: String,
    pub deferred_to: Role,
    pub reason: String,
}

impl UncarriedDeferral {
    /// As one of the zone's obligations (`uncarried`), with the 4-2 item's FR and level.
    pub fn obligation(&self, catalog: &Catalog) -> tekigo_assess::results::Obligation {
        let item = catalog
            .standard(COMPONENT_STANDARD)
            .and_then(|s| s.item(&self.requirement));
        tekigo_assess::results::Obligation {
            id: self.requirement.clone(),
            fr: item.and_then(|i| i.fr).map(|f| f.label()),
            min_sl: item.and_then(|i| i.min_sl),
            deferred_to: self.deferred_to,
            reason: self.reason.clone(),
            inherited: false,
            picked_up: vec![format!("{} {}", self.assessment, self.requirement)],
            uncarried: true,
        }
    }
}

/// The deferrals of `zone`'s components that no requirement in scope of `target` (the
/// zone's 3-3 assessment) carries ([`UncarriedDeferral`]), in component and catalog order.
pub fn uncarried_deferrals(
    catalog: &Catalog,
    config: &ProjectConfig,
    assessments: &[Assessment],
    model: &RiskModel,
    zone: &str,
    target: &Assessment,
) -> Result<Vec<UncarriedDeferral>, RiskError> {
    let (component_std, system) = standards(catalog, target)?;
    let in_scope: std::collections::BTreeSet<String> = rows(system, target)
        .into_iter()
        .filter(|r| r.in_scope)
        .map(|r| r.item.id.clone())
        .collect();
    let mut out = Vec::new();
    for m in members(catalog, config, assessments, model, zone, component_std) {
        for a in &m.assessments {
            for row in rows(component_std, a) {
                let Some(ans) = row.answer else { continue };
                let Some(to) = ans.deferred_to else { continue };
                let carried = catalog.cross_refs(&row.item.id).any(|c| {
                    c.outgoing && c.standard == SYSTEM_STANDARD && in_scope.contains(c.id)
                });
                if !carried {
                    out.push(UncarriedDeferral {
                        component: m.name.to_string(),
                        assessment: a.id.clone(),
                        requirement: row.item.id.clone(),
                        deferred_to: to,
                        reason: ans.reason.clone(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The reason of a prefilled answer: each component's verdict, in the project's language,
/// and a warning when a mapping it rests on was never reviewed against both standards.
fn reason(lang: Lang, basis: &[ComponentBasis], unreviewed: bool) -> Result<String, RiskError> {
    let mut parts = Vec::new();
    for b in basis {
        let key = match b.verdict {
            BasisVerdict::Met => "prefill.met",
            BasisVerdict::NotMet => "prefill.not_met",
            BasisVerdict::Deferred => "prefill.deferred",
            BasisVerdict::Unknown => "prefill.unknown",
        };
        let source = b
            .assessment
            .clone()
            .or_else(|| b.claim.clone())
            .unwrap_or_default();
        parts.push(
            label(lang, key)?
                .replace("{component}", &b.component)
                .replace("{source}", &source)
                .replace("{ids}", &b.requirements.join(", "))
                .replace("{reason}", &b.reason),
        );
    }
    let mut text = format!("{} {}", label(lang, "prefill.reason")?, parts.join("; "));
    if unreviewed {
        text.push(' ');
        text.push_str(label(lang, "prefill.unreviewed")?);
    }
    Ok(text)
}
