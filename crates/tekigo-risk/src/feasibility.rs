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
    /// holds no tekigo component: then nothing is known to fall short).
    pub feasible: bool,
    pub system_requirements: Vec<SystemRequirement>,
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
        out.push(ZoneFeasibility {
            zone: zone.id.clone(),
            sl_t,
            feasible: !components.iter().any(ComponentFit::has_gap),
            components,
            system_requirements,
        });
    }
    Ok(out)
}

fn missing_standard(id: &str) -> RiskError {
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
