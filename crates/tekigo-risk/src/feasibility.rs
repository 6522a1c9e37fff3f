//! Can each zone reach its SL-T? Two answers per zone:
//!
//! - **Components (4-2).** For every asset of the zone that is a tekigo component, the
//!   level with compensating countermeasures of each 62443-4-2 assessment of that component
//!   in the project (`with_compensating` of `tekigo_assess::compute_with`: the zone's system
//!   may provide them) against the zone's SL-T; the gap per FR is SL-T minus
//!   achieved where that is positive. A component without an assessment but with a
//!   supplier's claim in tekigo.yaml (`tekigo component claim`) contributes the claimed
//!   SL-C, marked as a claim. A component with neither is listed as such: nothing is known
//!   about it, which is not the same as no gap.
//! - **Targets pushed down** (`tekigo risk apply-targets`, [`component_targets`]): a
//!   component's SL-T is the SL-T of the zone it sits in; one in several zones takes, per
//!   FR, the highest of them, since it must hold wherever it is.
//! - **System (3-3).** The 62443-3-3 SRs and REs the zone's system must provide: every item
//!   whose lowest level is at or below the SL-T of its FR (levels are cumulative).
//! - **SL-A against SL-T.** Each 62443-3-3 assessment whose subject is the zone (`assess new
//!   --standard 62443-3-3 --zone ID`, prefilled by [`crate::prefill`]) gives the zone's
//!   SL-A: its claimed vector (`achieved` of `tekigo_assess::compute_with`, compensating
//!   countermeasures of the zone such as a firewall at the conduit counted, suggestions
//!   not confirmed by a person not counted), with the gap per FR to the zone's SL-T.
//! - **Conduits.** Every conduit joining the zone is listed with its SL-T (from the
//!   derivation), the countermeasures the risk register names for it, and its SL-A from
//!   a 62443-3-3 assessment whose subject is the conduit (`--conduit ID`), with the gap.
//!   The register's countermeasures are shown, not counted: a list of measures is not a
//!   level, and only an assessment says which requirements they meet. A conduit falls
//!   short when its SL-A is below its SL-T in some FR, or when it has an SL-T above 0 and no
//!   assessment (nothing known is not reached, as for components). A zone with a conduit
//!   that falls short is flagged (`conduits_short`) and is not feasible: traffic into the
//!   zone passes the conduit, so the zone's protection is no stronger than it.

use crate::derive::Derivation;
use crate::model::RiskModel;
use crate::RiskError;
use serde::Serialize;
use tekigo_assess::{Assessment, Project};
use tekigo_catalog::{Catalog, Fr, Level, Text};

const COMPONENT_STANDARD: &str = "62443-4-2";
const SYSTEM_STANDARD: &str = "62443-3-3";

#[derive(Debug, Clone, Serialize)]
pub struct ZoneFeasibility {
    pub zone: String,
    pub sl_t: [Level; 7],
    pub components: Vec<ComponentFit>,
    /// True when every component has an assessment and none has a gap (also when the zone
    /// holds no tekigo component: then nothing is known to fall short), and no conduit of
    /// the zone falls short.
    pub feasible: bool,
    pub system_requirements: Vec<SystemRequirement>,
    /// The zone's SL-A from each of its 3-3 assessments.
    pub system: Vec<SystemLevel>,
    /// The conduits joining the zone.
    pub conduits: Vec<ConduitFit>,
    /// Ids of the conduits that fall short (see the module docs).
    pub conduits_short: Vec<String>,
}

/// A zone's or conduit's SL-A from one 62443-3-3 assessment of it.
#[derive(Debug, Clone, Serialize)]
pub struct SystemLevel {
    pub assessment: String,
    /// Claimed (SL-A): answers that count, compensating countermeasures included.
    pub sl_a: [Level; 7],
    /// Every answer counted, suggestions not yet confirmed included.
    pub projected: [Level; 7],
    /// SL-T minus SL-A per FR, 0 where SL-A reaches SL-T.
    pub gap: [Level; 7],
    /// The compensating countermeasures recorded for the requirements up to its levels,
    /// `ID: countermeasure`.
    pub countermeasures: Vec<String>,
}

/// One conduit of a zone: its SL-T, what the register says protects it, and its SL-A.
#[derive(Debug, Clone, Serialize)]
pub struct ConduitFit {
    pub conduit: String,
    pub sl_t: [Level; 7],
    /// Countermeasures of the risk register lines that target the conduit (shown, not
    /// counted).
    pub countermeasures: Vec<crate::model::Words>,
    /// One per 3-3 assessment of the conduit; empty when it has none.
    pub system: Vec<SystemLevel>,
    pub short: bool,
}

/// One asset's component and one of its 4-2 assessments (or none).
#[derive(Debug, Clone, Serialize)]
pub struct ComponentFit {
    pub asset: String,
    pub component: String,
    /// `None` when the project holds no 4-2 assessment of the component.
    pub assessment: Option<String>,
    /// The supplier's claim used in place of an assessment: `SOURCE: SCOPE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    pub achieved: Option<[Level; 7]>,
    /// SL-T minus achieved per FR, 0 where achieved reaches SL-T.
    pub gap: Option<[Level; 7]>,
}

impl ComponentFit {
    pub fn has_gap(&self) -> bool {
        self.gap.is_none_or(|g| g.iter().any(|&l| l > 0))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SystemRequirement {
    pub id: String,
    /// `SR` or `RE`.
    pub kind: String,
    /// `FR 1 IAC`.
    pub fr: String,
    pub min_sl: Level,
    pub title: Text,
}

/// Feasibility of every zone, in file order, against the assessments of the project
/// directory.
pub fn feasibility(
    project: &Project,
    catalog: &Catalog,
    model: &RiskModel,
    derivation: &Derivation,
) -> Result<Vec<ZoneFeasibility>, RiskError> {
    let mut assessments = Vec::new();
    for id in project.assessment_ids()? {
        assessments.push(project.load_assessment(catalog, &id)?);
    }
    feasibility_of(&assessments, &project.config, catalog, model, derivation)
}

/// [`feasibility`] against assessments already loaded (the web application holds them in
/// its database, not in a directory), counted under the project's review policy.
pub fn feasibility_of(
    assessments: &[Assessment],
    config: &tekigo_assess::ProjectConfig,
    catalog: &Catalog,
    model: &RiskModel,
    derivation: &Derivation,
) -> Result<Vec<ZoneFeasibility>, RiskError> {
    let standard = catalog
        .standard(COMPONENT_STANDARD)
        .ok_or_else(|| missing_standard(COMPONENT_STANDARD))?;
    let system = catalog
        .standard(SYSTEM_STANDARD)
        .ok_or_else(|| missing_standard(SYSTEM_STANDARD))?;
    // Each assessment is computed once: (id, subject, achieved).
    let mut assessed: Vec<(String, String, [Level; 7])> = Vec::new();
    let systems = |subject: &str, sl_t: [Level; 7]| -> Vec<SystemLevel> {
        assessments
            .iter()
            .filter(|a| {
                a.subject.name == subject
                    && catalog.standard(&a.standard).map(|s| &s.info.id) == Some(&system.info.id)
            })
            .map(|a| system_level(system, a, config, sl_t))
            .collect()
    };
    for a in assessments {
        if catalog.standard(&a.standard).map(|s| s.info.id.as_str()) != Some(COMPONENT_STANDARD) {
            continue;
        }
        // A zone may count the countermeasures the system provides around a component, so
        // a component contributes its level with compensating countermeasures.
        let r = tekigo_assess::compute_with(standard, a, config.review);
        if let Some(achieved) = r.with_compensating {
            assessed.push((a.id.clone(), a.subject.name.clone(), achieved));
        }
    }
    let mut out = Vec::new();
    for zone in &model.zones {
        let sl_t = derivation
            .zone(&zone.id)
            .map(|t| t.sl_t)
            .unwrap_or_default();
        let mut components = Vec::new();
        for asset in zone.assets.iter().filter_map(|a| model.asset(a)) {
            let Some(component) = &asset.component else {
                continue;
            };
            let fit = |assessment: Option<String>,
                       claim: Option<String>,
                       achieved: Option<[Level; 7]>| ComponentFit {
                asset: asset.id.clone(),
                component: component.clone(),
                gap: achieved.map(|a| std::array::from_fn(|i| sl_t[i].saturating_sub(a[i]))),
                assessment,
                claim,
                achieved,
            };
            let mut of_component = assessed
                .iter()
                .filter(|(_, subject, _)| subject == component)
                .peekable();
            if of_component.peek().is_none() {
                let claim = config
                    .components
                    .iter()
                    .find(|c| &c.name == component)
                    .and_then(|c| c.claim.as_ref());
                components.push(match claim {
                    Some(c) => fit(
                        None,
                        Some(format!("{}: {}", c.source.as_str(), c.scope)),
                        Some(c.sl_c.0),
                    ),
                    None => fit(None, None, None),
                });
            }
            for (id, _, achieved) in of_component {
                components.push(fit(Some(id.clone()), None, Some(*achieved)));
            }
        }
        let system_requirements = system
            .items
            .iter()
            .filter_map(|item| {
                let (fr, min_sl): (Fr, Level) = (item.fr?, item.min_sl?);
                (min_sl > 0 && min_sl <= sl_t[fr.index()]).then(|| SystemRequirement {
                    id: item.id.clone(),
                    kind: item.kind.name().to_string(),
                    fr: fr.label(),
                    min_sl,
                    title: item.title.clone(),
                })
            })
            .collect();
        let conduits: Vec<ConduitFit> = model
            .conduits
            .iter()
            .filter(|c| c.zones.contains(&zone.id))
            .map(|c| {
                let sl_t = derivation
                    .conduit(&c.id)
                    .map(|t| t.sl_t)
                    .unwrap_or_default();
                let system = systems(&c.id, sl_t);
                let short = match system.is_empty() {
                    true => sl_t.iter().any(|&l| l > 0),
                    false => system.iter().any(|s| s.gap.iter().any(|&l| l > 0)),
                };
                ConduitFit {
                    conduit: c.id.clone(),
                    sl_t,
                    countermeasures: model
                        .risks
                        .iter()
                        .filter(|r| r.target == c.id)
                        .flat_map(|r| r.countermeasures.iter().cloned())
                        .collect(),
                    system,
                    short,
                }
            })
            .collect();
        let conduits_short: Vec<String> = conduits
            .iter()
            .filter(|c| c.short)
            .map(|c| c.conduit.clone())
            .collect();
        out.push(ZoneFeasibility {
            zone: zone.id.clone(),
            sl_t,
            feasible: !components.iter().any(ComponentFit::has_gap) && conduits_short.is_empty(),
            components,
            system_requirements,
            system: systems(&zone.id, sl_t),
            conduits,
            conduits_short,
        });
    }
    Ok(out)
}

/// The SL-A of one 3-3 assessment against `sl_t` (see the module docs).
fn system_level(
    system: &tekigo_catalog::Standard,
    a: &Assessment,
    config: &tekigo_assess::ProjectConfig,
    sl_t: [Level; 7],
) -> SystemLevel {
    let r = tekigo_assess::compute_with(system, a, config.review);
    let sl_a = r.achieved.unwrap_or_default();
    SystemLevel {
        assessment: a.id.clone(),
        sl_a,
        projected: r.projected.unwrap_or_default(),
        gap: std::array::from_fn(|i| sl_t[i].saturating_sub(sl_a[i])),
        countermeasures: r
            .frs
            .iter()
            .flat_map(|f| &f.compensating)
            .filter_map(|id| {
                let c = a.answers.get(id)?.countermeasure.as_deref()?;
                Some(format!("{id}: {c}"))
            })
            .collect(),
    }
}

pub(crate) fn missing_standard(id: &str) -> RiskError {
    RiskError::Data {
        name: "catalog".into(),
        message: format!("standard {id} is not in the catalog in use"),
    }
}

/// The SL-T each component of the model must meet: per FR the highest SL-T of the zones
/// whose assets name it (see the module docs). Components in no zone are left out.
pub fn component_targets(
    model: &RiskModel,
    derivation: &Derivation,
) -> std::collections::BTreeMap<String, [Level; 7]> {
    let mut out: std::collections::BTreeMap<String, [Level; 7]> = Default::default();
    for zone in &model.zones {
        let Some(sl_t) = derivation.zone(&zone.id).map(|t| t.sl_t) else {
            continue;
        };
        for asset in zone.assets.iter().filter_map(|a| model.asset(a)) {
            if let Some(component) = &asset.component {
                let t = out.entry(component.clone()).or_insert([0; 7]);
                for (mine, zone) in t.iter_mut().zip(sl_t) {
                    *mine = (*mine).max(zone);
                }
            }
        }
    }
    out
}
