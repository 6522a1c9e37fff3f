//! The rules a zone and conduit model must keep, each tied to the 62443-3-2 requirement it
//! stands for. Titles and messages are in `data/rules.yaml`.
//!
//! | rule | ZCR | what it asks |
//! |---|---|---|
//! | `unique-id` | 3.1 | ids are unique per kind; zones and conduits share one namespace |
//! | `reference-resolves` | 3.1 | every id used (asset, zone, conduit, component, threat, threat type, matrix level, ZCR step) exists |
//! | `asset-in-one-zone` | 3.1 | every asset is in exactly one zone |
//! | `conduit-joins-two-zones` | 3.1 | a conduit joins at least two distinct zones |
//! | `flow-through-conduit` | 3.1 | a flow between zones uses a conduit joining both |
//! | `flow-protocol-in-conduit` | 3.1 | ... and that conduit has a channel for its protocol, port and direction |
//! | `business-separated` | 3.2 | enterprise IT assets are not in a zone with IACS assets |
//! | `safety-separated` | 3.3 | safety assets only in safety zones, with nothing else |
//! | `temporary-separated` | 3.4 | temporarily connected devices in zones of their own |
//! | `wireless-separated` | 3.5 | wireless assets in zones of their own |
//! | `wireless-dedicated-conduit` | 3.5 | a conduit's channels are all wireless or all wired |
//! | `external-separated` | 3.6 | assets outside the SUC in zones of their own |
//! | `external-dedicated-conduit` | 3.6 | a conduit to such a zone joins that zone and one other only |
//! | `residual-risk-tolerable` | 5.11 | residual risk is rated and tolerable, or accepted by name |
//!
//! A flow whose end is in no zone or unknown is left to the rules that report that, so one
//! mistake gives one violation, not a cascade.

use crate::model::{Asset, RiskModel};
use crate::text::{message, rules};
use crate::{Document, RiskError};
use serde::Serialize;
use std::collections::BTreeSet;
use tekigo_catalog::{Catalog, ItemKind, Text};

/// One broken rule, naming the element that breaks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// Stable rule id, e.g. `asset-in-one-zone`.
    pub rule: String,
    /// The 62443-3-2 requirement, e.g. `ZCR 3.3`.
    pub zcr: Option<String>,
    /// The rule's title.
    pub title: Text,
    /// The id of the asset, zone, conduit, flow, threat, risk or step concerned.
    pub element: String,
    pub message: Text,
    /// Line of the element in `risk/system.yaml`, when found.
    pub line: Option<usize>,
}

/// Checks every rule and returns every violation, in rule order then file order.
/// `components` are the component names of the project's `tekigo.yaml`.
pub fn check(
    doc: &Document,
    catalog: &Catalog,
    components: &[String],
) -> Result<Vec<Violation>, RiskError> {
    let mut c = Checker {
        doc,
        out: Vec::new(),
    };
    c.unique_ids()?;
    c.references(catalog, components)?;
    c.one_zone()?;
    c.conduit_zones()?;
    c.flows()?;
    c.separation()?;
    c.dedicated_conduits()?;
    c.residual_risk()?;
    Ok(c.out)
}

/// A broken reference: message variant, element, message arguments.
type Found = (&'static str, String, Vec<(&'static str, String)>);

struct Checker<'a> {
    doc: &'a Document,
    out: Vec<Violation>,
}

/// A flag that calls for zones of its own, with its rule and how to read it off an asset.
struct Separation {
    rule: &'static str,
    flag: fn(&Asset) -> bool,
}

const SEPARATIONS: [Separation; 5] = [
    Separation {
        rule: "business-separated",
        flag: |a| a.business,
    },
    Separation {
        rule: "safety-separated",
        flag: |a| a.safety,
    },
    Separation {
        rule: "temporary-separated",
        flag: |a| a.temporary,
    },
    Separation {
        rule: "wireless-separated",
        flag: |a| a.wireless,
    },
    Separation {
        rule: "external-separated",
        flag: |a| a.external,
    },
];

impl<'a> Checker<'a> {
    fn model(&self) -> &'a RiskModel {
        &self.doc.model
    }

    fn push(
        &mut self,
        rule: &str,
        variant: &str,
        element: &str,
        args: &[(&str, &str)],
    ) -> Result<(), RiskError> {
        let def = rules()?.get(rule);
        let zcr = def.and_then(|r| r.zcr.clone());
        let title = def.map(|r| r.title.clone()).unwrap_or_default();
        let message = message(rule, variant, args)?;
        let line = self
            .doc
            .line_of("id", element)
            .or_else(|| self.doc.key_line(element));
        self.out.push(Violation {
            rule: rule.into(),
            zcr,
            title,
            element: element.into(),
            message,
            line,
        });
        Ok(())
    }

    fn unique_ids(&mut self) -> Result<(), RiskError> {
        let m = self.model();
        let groups: Vec<(&str, Vec<&String>)> = vec![
            ("asset", m.assets.iter().map(|a| &a.id).collect()),
            (
                "zone/conduit",
                m.zones
                    .iter()
                    .map(|z| &z.id)
                    .chain(m.conduits.iter().map(|c| &c.id))
                    .collect(),
            ),
            ("flow", m.flows.iter().map(|f| &f.id).collect()),
            ("threat", m.threats.iter().map(|t| &t.id).collect()),
            ("risk", m.risks.iter().map(|r| &r.id).collect()),
        ];
        let mut found = Vec::new();
        for (kind, ids) in groups {
            for (i, id) in ids.iter().enumerate() {
                let n = ids.iter().filter(|j| j == &id).count();
                if n > 1 && !ids[..i].contains(id) {
                    found.push((kind, (*id).clone(), n));
                }
            }
        }
        for (kind, id, n) in found {
            self.push(
                "unique-id",
                "duplicate",
                &id,
                &[("kind", kind), ("id", &id), ("count", &n.to_string())],
            )?;
        }
        Ok(())
    }

    fn references(&mut self, catalog: &Catalog, components: &[String]) -> Result<(), RiskError> {
        let m = self.model();
        let is_target = |id: &str| m.zone(id).is_some() || m.conduit(id).is_some();
        let mut found: Vec<Found> = Vec::new();
        for z in &m.zones {
            for a in z.assets.iter().filter(|a| m.asset(a).is_none()) {
                found.push((
                    "zone-asset",
                    z.id.clone(),
                    vec![("zone", z.id.clone()), ("asset", a.clone())],
                ));
            }
        }
        for a in &m.assets {
            if let Some(c) = a.component.as_ref().filter(|c| !components.contains(c)) {
                found.push((
                    "asset-component",
                    a.id.clone(),
                    vec![("asset", a.id.clone()), ("component", c.clone())],
                ));
            }
        }
        for c in &m.conduits {
            for z in c.zones.iter().filter(|z| m.zone(z).is_none()) {
                found.push((
                    "conduit-zone",
                    c.id.clone(),
                    vec![("conduit", c.id.clone()), ("zone", z.clone())],
                ));
            }
            for ch in &c.channels {
                for z in [&ch.from, &ch.to]
                    .into_iter()
                    .flatten()
                    .filter(|z| !c.zones.contains(z))
                {
                    found.push((
                        "channel-zone",
                        c.id.clone(),
                        vec![
                            ("conduit", c.id.clone()),
                            ("zone", z.clone()),
                            ("protocol", ch.protocol.clone()),
                        ],
                    ));
                }
            }
        }
        for f in &m.flows {
            for a in [&f.from, &f.to]
                .into_iter()
                .filter(|a| m.asset(a).is_none())
            {
                found.push((
                    "flow-asset",
                    f.id.clone(),
                    vec![("flow", f.id.clone()), ("asset", a.clone())],
                ));
            }
            if let Some(c) = f.conduit.as_ref().filter(|c| m.conduit(c).is_none()) {
                found.push((
                    "flow-conduit",
                    f.id.clone(),
                    vec![("flow", f.id.clone()), ("conduit", c.clone())],
                ));
            }
        }
        for t in m
            .threats
            .iter()
            .filter(|t| m.threat_type(&t.threat_type).is_none())
        {
            found.push((
                "threat-type",
                t.id.clone(),
                vec![("threat", t.id.clone()), ("type", t.threat_type.clone())],
            ));
        }
        for r in &m.risks {
            if m.threat(&r.threat).is_none() {
                found.push((
                    "risk-threat",
                    r.id.clone(),
                    vec![("risk", r.id.clone()), ("threat", r.threat.clone())],
                ));
            }
            if !is_target(&r.target) {
                found.push((
                    "risk-target",
                    r.id.clone(),
                    vec![("risk", r.id.clone()), ("target", r.target.clone())],
                ));
            }
            for rating in std::iter::once(&r.initial).chain(&r.residual) {
                if !m
                    .matrix
                    .likelihood
                    .iter()
                    .any(|g| g.id == rating.likelihood)
                {
                    found.push((
                        "risk-likelihood",
                        r.id.clone(),
                        vec![("risk", r.id.clone()), ("value", rating.likelihood.clone())],
                    ));
                }
                if !m
                    .matrix
                    .consequence
                    .iter()
                    .any(|g| g.id == rating.consequence)
                {
                    found.push((
                        "risk-consequence",
                        r.id.clone(),
                        vec![
                            ("risk", r.id.clone()),
                            ("value", rating.consequence.clone()),
                        ],
                    ));
                }
            }
        }
        let steps = catalog.standard("62443-3-2");
        for id in m.steps.keys() {
            let known = steps
                .and_then(|s| s.item(id))
                .is_some_and(|i| i.kind == ItemKind::Step);
            if !known {
                found.push(("step", id.clone(), vec![("step", id.clone())]));
            }
        }
        for (variant, element, args) in found {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            self.push("reference-resolves", variant, &element, &args)?;
        }
        Ok(())
    }

    fn one_zone(&mut self) -> Result<(), RiskError> {
        let m = self.model();
        for a in &m.assets {
            let zones: Vec<&str> = m.zones_of(&a.id).iter().map(|z| z.id.as_str()).collect();
            match zones.len() {
                1 => {}
                0 => self.push("asset-in-one-zone", "none", &a.id, &[("asset", &a.id)])?,
                n => self.push(
                    "asset-in-one-zone",
                    "many",
                    &a.id,
                    &[
                        ("asset", &a.id),
                        ("count", &n.to_string()),
                        ("zones", &zones.join(", ")),
                    ],
                )?,
            }
        }
        Ok(())
    }

    fn conduit_zones(&mut self) -> Result<(), RiskError> {
        let m = self.model();
        for c in &m.conduits {
            let distinct: BTreeSet<&String> = c.zones.iter().collect();
            if distinct.len() < 2 {
                let n = distinct.len().to_string();
                self.push(
                    "conduit-joins-two-zones",
                    "few",
                    &c.id,
                    &[("conduit", &c.id), ("count", &n)],
                )?;
            }
        }
        Ok(())
    }

    fn flows(&mut self) -> Result<(), RiskError> {
        let m = self.model();
        for f in &m.flows {
            let zone = |asset: &str| m.zones_of(asset).first().map(|z| z.id.clone());
            let (Some(from), Some(to)) = (zone(&f.from), zone(&f.to)) else {
                continue;
            };
            if from == to {
                continue;
            }
            let joins =
                |c: &&crate::model::Conduit| c.zones.contains(&from) && c.zones.contains(&to);
            let candidates: Vec<&crate::model::Conduit> = match &f.conduit {
                Some(id) => match m.conduit(id) {
                    Some(c) => std::iter::once(c).filter(joins).collect(),
                    None => continue,
                },
                None => m.conduits.iter().filter(joins).collect(),
            };
            let args = [
                ("flow", f.id.as_str()),
                ("from", from.as_str()),
                ("to", to.as_str()),
                ("protocol", f.protocol.as_str()),
                ("conduit", f.conduit.as_deref().unwrap_or("")),
            ];
            if candidates.is_empty() {
                let variant = if f.conduit.is_some() { "named" } else { "none" };
                self.push("flow-through-conduit", variant, &f.id, &args)?;
            } else if !candidates.iter().any(|c| {
                c.channels
                    .iter()
                    .any(|ch| ch.permits(&f.protocol, f.port, &from, &to))
            }) {
                let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
                let mut args = args.to_vec();
                let joined = ids.join(", ");
                args.push(("conduits", &joined));
                self.push("flow-protocol-in-conduit", "unlisted", &f.id, &args)?;
            }
        }
        Ok(())
    }

    fn separation(&mut self) -> Result<(), RiskError> {
        let m = self.model();
        for sep in &SEPARATIONS {
            for z in &m.zones {
                let assets: Vec<&Asset> = z.assets.iter().filter_map(|a| m.asset(a)).collect();
                let (flagged, others): (Vec<&Asset>, Vec<&Asset>) =
                    assets.iter().partition(|a| (sep.flag)(a));
                let ids = |v: &[&Asset]| {
                    v.iter()
                        .map(|a| a.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let args = [
                    ("zone", z.id.as_str()),
                    ("flagged", &ids(&flagged)),
                    ("others", &ids(&others)),
                ];
                if !flagged.is_empty() && !others.is_empty() {
                    self.push(sep.rule, "mixed", &z.id, &args)?;
                } else if sep.rule == "safety-separated" {
                    // The zone's own flag must say what it holds: a safety zone gets the
                    // treatment of one (drawing, review) only if it is marked as one.
                    if z.safety && !others.is_empty() {
                        self.push(sep.rule, "marked", &z.id, &args)?;
                    } else if !z.safety && !flagged.is_empty() {
                        self.push(sep.rule, "unmarked", &z.id, &args)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn dedicated_conduits(&mut self) -> Result<(), RiskError> {
        let m = self.model();
        for c in &m.conduits {
            let wireless = c.channels.iter().filter(|ch| ch.wireless).count();
            if wireless > 0 && wireless < c.channels.len() {
                self.push(
                    "wireless-dedicated-conduit",
                    "mixed",
                    &c.id,
                    &[("conduit", &c.id)],
                )?;
            }
            let distinct: BTreeSet<&String> = c.zones.iter().collect();
            let external: Vec<&str> = distinct
                .iter()
                .filter(|z| {
                    m.zone(z).is_some_and(|z| {
                        z.assets
                            .iter()
                            .filter_map(|a| m.asset(a))
                            .any(|a| a.external)
                    })
                })
                .map(|z| z.as_str())
                .collect();
            if !external.is_empty() && distinct.len() > 2 {
                let n = distinct.len().to_string();
                self.push(
                    "external-dedicated-conduit",
                    "shared",
                    &c.id,
                    &[
                        ("conduit", &c.id),
                        ("zone", &external.join(", ")),
                        ("count", &n),
                    ],
                )?;
            }
        }
        Ok(())
    }

    fn residual_risk(&mut self) -> Result<(), RiskError> {
        let m = self.model();
        let mx = &m.matrix;
        for r in &m.risks {
            let Some(initial) = mx.cell(&r.initial.likelihood, &r.initial.consequence) else {
                continue;
            };
            let tolerable = mx.tolerable.as_str();
            match &r.residual {
                None if !mx.is_tolerable(initial) => self.push(
                    "residual-risk-tolerable",
                    "unrated",
                    &r.id,
                    &[
                        ("risk", &r.id),
                        ("initial", initial),
                        ("tolerable", tolerable),
                    ],
                )?,
                None => {}
                Some(res) => {
                    let Some(residual) = mx.cell(&res.likelihood, &res.consequence) else {
                        continue;
                    };
                    if !mx.is_tolerable(residual) && r.accepted.is_none() {
                        self.push(
                            "residual-risk-tolerable",
                            "above",
                            &r.id,
                            &[
                                ("risk", &r.id),
                                ("residual", residual),
                                ("tolerable", tolerable),
                            ],
                        )?;
                    }
                }
            }
        }
        Ok(())
    }
}
