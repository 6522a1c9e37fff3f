//! From the risk register to an SL-T vector per zone and conduit (ZCR 5.6).
//!
//! The procedure, which a reader can redo with the file and a pencil:
//!
//! 1. For each line of the risk register that targets the zone or conduit, look up the
//!    *unmitigated* likelihood and consequence (`initial`) in `matrix.cells`: that cell is
//!    the unmitigated risk level. Countermeasures do not lower SL-T: SL-T says how strong
//!    the protection must be, and the countermeasures are that protection.
//! 2. Find the row of `derivation.rows` for that risk level: its `sl` is the level the
//!    threat calls for.
//! 3. The threat's type (`derivation.threat_types`) says which FRs the threat bears on and
//!    with which offset: the FR gets `sl + offset` (never below 0); FRs the type does not
//!    list get 0 from this threat.
//! 4. Per FR, the SL-T is the highest level any threat gave it.
//! 5. With `conduits_inherit: max-of-zones`, a conduit's SL-T is raised, per FR, to the
//!    highest SL-T of the zones it joins (a conduit is no weaker than what it connects).
//! 6. An `sl_t_override` with a justification replaces the result; the derived vector is
//!    still shown beside it.
//!
//! Register lines that cannot be followed (unknown threat, threat type or matrix level) are
//! kept as skipped steps with the reason; `tekigo risk check` reports them as violations.

use crate::model::{ConduitInherit, RiskEntry, RiskModel, SlOverride, Words};
use serde::Serialize;
use tekigo_catalog::Level;

/// SL-T of every zone and conduit, in file order.
#[derive(Debug, Clone, Serialize)]
pub struct Derivation {
    pub zones: Vec<TargetSl>,
    pub conduits: Vec<TargetSl>,
}

impl Derivation {
    pub fn zone(&self, id: &str) -> Option<&TargetSl> {
        self.zones.iter().find(|t| t.id == id)
    }

    pub fn conduit(&self, id: &str) -> Option<&TargetSl> {
        self.conduits.iter().find(|t| t.id == id)
    }
}

/// The SL-T of one zone or conduit and how it came about.
#[derive(Debug, Clone, Serialize)]
pub struct TargetSl {
    pub id: String,
    pub name: Words,
    /// The SL-T in force: the override when there is one, else the derived vector.
    pub sl_t: [Level; 7],
    /// What the register gives, per FR the maximum over the steps.
    pub derived: [Level; 7],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sl_t_override: Option<SlOverride>,
    pub steps: Vec<Step>,
    /// Per FR, the step (risk id or `zone:ID`) that gave the derived level; `None` at 0.
    pub decided_by: [Option<String>; 7],
}

/// One line of the derivation.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Step {
    /// A register line: threat, matrix cell, rule row, offsets, result.
    Risk {
        risk: String,
        threat: String,
        threat_type: String,
        likelihood: String,
        consequence: String,
        /// The unmitigated risk level (the matrix cell).
        cell: String,
        /// The SL of the rule row for that risk level.
        row_sl: Level,
        /// The threat type's offset per FR; `None` where it does not bear on the FR.
        offsets: [Option<i8>; 7],
        contribution: [Level; 7],
    },
    /// A conduit raised to the SL-T of a zone it joins.
    Inherit {
        zone: String,
        contribution: [Level; 7],
    },
    /// A register line that could not be followed, and why (`unknown-threat`,
    /// `unknown-threat-type`, `unknown-cell`, `no-row`).
    Skipped { risk: String, reason: String },
}

impl Step {
    fn contribution(&self) -> Option<&[Level; 7]> {
        match self {
            Step::Risk { contribution, .. } | Step::Inherit { contribution, .. } => {
                Some(contribution)
            }
            Step::Skipped { .. } => None,
        }
    }

    fn name(&self) -> String {
        match self {
            Step::Risk { risk, .. } | Step::Skipped { risk, .. } => risk.clone(),
            Step::Inherit { zone, .. } => format!("zone:{zone}"),
        }
    }
}

/// Derives the SL-T of every zone, then of every conduit.
pub fn derive(model: &RiskModel) -> Derivation {
    let zones: Vec<TargetSl> = model
        .zones
        .iter()
        .map(|z| {
            let steps = risk_steps(model, &z.id);
            finish(z.id.clone(), z.name.clone(), steps, z.sl_t_override.clone())
        })
        .collect();
    let conduits = model
        .conduits
        .iter()
        .map(|c| {
            let mut steps = risk_steps(model, &c.id);
            if model.derivation.conduits_inherit == ConduitInherit::MaxOfZones {
                let mut seen: Vec<&String> = Vec::new();
                for zid in &c.zones {
                    if seen.contains(&zid) {
                        continue;
                    }
                    seen.push(zid);
                    if let Some(z) = zones.iter().find(|z| &z.id == zid) {
                        steps.push(Step::Inherit {
                            zone: zid.clone(),
                            contribution: z.sl_t,
                        });
                    }
                }
            }
            finish(c.id.clone(), c.name.clone(), steps, c.sl_t_override.clone())
        })
        .collect();
    Derivation { zones, conduits }
}

fn risk_steps(model: &RiskModel, target: &str) -> Vec<Step> {
    model
        .risks
        .iter()
        .filter(|r| r.target == target)
        .map(|r| risk_step(model, r))
        .collect()
}

fn risk_step(model: &RiskModel, r: &RiskEntry) -> Step {
    let skipped = |reason: &str| Step::Skipped {
        risk: r.id.clone(),
        reason: reason.into(),
    };
    let Some(threat) = model.threat(&r.threat) else {
        return skipped("unknown-threat");
    };
    let Some(ttype) = model.threat_type(&threat.threat_type) else {
        return skipped("unknown-threat-type");
    };
    let Some(cell) = model
        .matrix
        .cell(&r.initial.likelihood, &r.initial.consequence)
    else {
        return skipped("unknown-cell");
    };
    let Some(row) = model.derivation.rows.iter().find(|row| row.risk == cell) else {
        return skipped("no-row");
    };
    let offsets = ttype.offsets();
    let contribution = offsets.map(|o| match o {
        Some(o) => (i16::from(row.sl) + i16::from(o)).max(0) as Level,
        None => 0,
    });
    Step::Risk {
        risk: r.id.clone(),
        threat: threat.id.clone(),
        threat_type: ttype.id.clone(),
        likelihood: r.initial.likelihood.clone(),
        consequence: r.initial.consequence.clone(),
        cell: cell.to_string(),
        row_sl: row.sl,
        offsets,
        contribution,
    }
}

fn finish(
    id: String,
    name: Words,
    steps: Vec<Step>,
    sl_t_override: Option<SlOverride>,
) -> TargetSl {
    let mut derived = [0; 7];
    let mut decided_by: [Option<String>; 7] = Default::default();
    for step in &steps {
        let Some(c) = step.contribution() else {
            continue;
        };
        for fr in 0..7 {
            if c[fr] > derived[fr] {
                derived[fr] = c[fr];
                decided_by[fr] = Some(step.name());
            }
        }
    }
    TargetSl {
        id,
        name,
        sl_t: sl_t_override.as_ref().map(|o| o.sl_t).unwrap_or(derived),
        derived,
        sl_t_override,
        steps,
        decided_by,
    }
}
