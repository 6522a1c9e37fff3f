//! The zone and conduit report in English or Japanese, as one self-contained HTML page or
//! a PDF, with the drawing, the system description, the ZCR step states, the risk matrix
//! and the derivation rule, the derivation of every SL-T step by step, the rule check and
//! the feasibility per zone.
//!
//! Both formats print one page model (`build`), so they cannot say different things.
//! `templates/risk.html` is filled by minijinja, which escapes every value because the
//! template's name ends in `.html`; the only unescaped inserts are the drawing, which
//! [`crate::draw`] escapes itself, and tekigo-report's shared stylesheet. A content security
//! policy forbids every load, so the page makes no network request. `templates/risk.typ` is
//! typeset by tekigo-report's [`tekigo_report::typeset`] and reads the page model as JSON
//! data, never as markup, with the drawing as `/zones.svg`. Every word either format prints
//! that the model does not hold comes from `data/labels.yaml`.

use crate::check::Violation;
use crate::derive::{Derivation, Step, TargetSl};
use crate::feasibility::ZoneFeasibility;
use crate::model::{Rating, RiskModel, SlOverride};
use crate::text::{label, labels};
use crate::{Document, RiskError};
use minijinja::{context, Environment, UndefinedBehavior, Value};
use serde::Serialize;
use std::path::Path;
use tekigo_catalog::{Catalog, Fr, ItemKind, Lang, Level, SlVector};
use tekigo_report::{typeset, TypstDocument, STYLESHEET};

const NAME: &str = "risk.html";
const TEMPLATE: &str = include_str!("../templates/risk.html");
const PDF_NAME: &str = "templates/risk.typ";
const PDF_TEMPLATE: &str = include_str!("../templates/risk.typ");
/// Where the PDF template finds the drawing.
const DRAWING: &str = "/zones.svg";
/// Not needed inline in HTML; left out so that the page holds no URL.
const SVG_NS: &str = " xmlns=\"http://www.w3.org/2000/svg\"";

/// Everything the report shows, computed by the caller so that the report and the other
/// outputs of one run agree.
#[derive(Clone, Copy)]
pub struct ReportInput<'a> {
    pub doc: &'a Document,
    pub catalog: &'a Catalog,
    /// The product or project name from `tekigo.yaml`.
    pub project: &'a str,
    pub derivation: &'a Derivation,
    pub violations: &'a [Violation],
    pub feasibility: &'a [ZoneFeasibility],
    pub lang: Lang,
}

#[derive(Serialize)]
struct Page {
    lang: &'static str,
    project: String,
    system: String,
    boundary: String,
    description: String,
    tekigo_version: &'static str,
    assets: usize,
    inherit: bool,
    frs: Vec<String>,
    steps: Vec<StepRow>,
    zones: Vec<Vec<String>>,
    conduits: Vec<Vec<String>>,
    flows: Vec<Vec<String>>,
    matrix_head: Vec<String>,
    matrix_rows: Vec<(String, Vec<(String, bool)>)>,
    tolerable: String,
    rule_description: String,
    rule_rows: Vec<(String, Level)>,
    threat_types: Vec<(String, String, Vec<String>)>,
    threats: Vec<Vec<String>>,
    register: Vec<RegisterRow>,
    targets: Vec<TargetView>,
    violations: Vec<Vec<String>>,
    feasibility: Vec<FeasibilityView>,
}

#[derive(Serialize)]
struct StepRow {
    id: String,
    title: String,
    state: String,
    state_class: &'static str,
    notes: String,
}

#[derive(Serialize)]
struct RegisterRow {
    id: String,
    threat: String,
    target: String,
    initial: String,
    countermeasures: Vec<String>,
    residual: String,
    tolerable: bool,
    accepted: String,
}

#[derive(Serialize)]
struct TargetView {
    kind: String,
    id: String,
    name: String,
    sl_t: String,
    steps: Vec<Vec<String>>,
    derived: Vec<Level>,
    decided_by: Vec<String>,
    override_sl: Option<Vec<Level>>,
    justification: String,
    final_sl: Vec<Level>,
}

#[derive(Serialize)]
struct FeasibilityView {
    zone: String,
    sl_t: String,
    feasible: bool,
    /// Whether there is anything to judge the zone by (components or conduits).
    judged: bool,
    components: Vec<(Vec<String>, bool)>,
    /// SL-A against SL-T: the zone's 3-3 assessments, then its conduits'.
    levels: Vec<(Vec<String>, bool)>,
    requirements: Vec<Vec<String>>,
}

/// The report as one HTML document.
pub fn html(input: &ReportInput) -> Result<String, RiskError> {
    let page = build(input)?;
    let svg = crate::draw::svg(&input.doc.model, input.derivation, input.lang)?;
    let err = |e: minijinja::Error| RiskError::Data {
        name: format!("templates/{NAME}"),
        message: format!("{e:#}"),
    };
    let mut env = Environment::new();
    // A label or field the template names and the page lacks is a bug, not an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template(NAME, TEMPLATE).map_err(err)?;
    env.get_template(NAME)
        .map_err(err)?
        .render(context! {
            r => page,
            L => labels(input.lang)?,
            drawing => Value::from_safe_string(svg.replacen(SVG_NS, "", 1)),
            stylesheet => Value::from_safe_string(STYLESHEET.to_string()),
        })
        .map_err(err)
}

/// The report as a PDF, typeset by typst. `font_dir` adds a directory of fonts to the
/// system's (a Japanese report needs Noto Sans CJK or another font with Japanese glyphs).
pub fn pdf(input: &ReportInput, font_dir: Option<&Path>) -> Result<Vec<u8>, RiskError> {
    let page = build(input)?;
    let svg = crate::draw::svg(&input.doc.model, input.derivation, input.lang)?;
    let data = serde_json::json!({ "r": page, "L": labels(input.lang)? });
    Ok(typeset(
        &TypstDocument {
            name: PDF_NAME,
            source: PDF_TEMPLATE,
            data: &data,
            files: &[(DRAWING, svg.as_bytes())],
            lang: input.lang,
        },
        font_dir,
    )?)
}

fn vector(v: &[Level; 7]) -> String {
    SlVector(*v).to_string()
}

/// The page model both formats print.
fn build(input: &ReportInput) -> Result<Page, RiskError> {
    let lang = input.lang;
    let m: &RiskModel = &input.doc.model;
    let l = |key: &str| label(lang, key);
    let yes_no = |b: bool| l(if b { "report.yes" } else { "report.no" }).map(str::to_string);
    let risk_label = |id: &str| {
        m.matrix
            .risk_label(id)
            .map(|t| t.get(lang).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let grade = |scale: &[crate::model::Grade], id: &str| {
        scale
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.label.get(lang).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let rating = |r: &Rating| {
        let cell = m
            .matrix
            .cell(&r.likelihood, &r.consequence)
            .map(risk_label)
            .unwrap_or_else(|| "?".into());
        format!(
            "{} × {} → {cell}",
            grade(&m.matrix.likelihood, &r.likelihood),
            grade(&m.matrix.consequence, &r.consequence)
        )
    };

    let mut steps = Vec::new();
    if let Some(s) = input.catalog.standard("62443-3-2") {
        for item in s.items.iter().filter(|i| i.kind == ItemKind::Step) {
            let state = m.steps.get(&item.id);
            let status = state.map(|s| s.state).unwrap_or_default();
            steps.push(StepRow {
                id: item.id.clone(),
                title: item.title.get(lang).to_string(),
                state: l(&format!("step.{}", status.as_str()))?.to_string(),
                state_class: status.as_str(),
                notes: state
                    .map(|s| s.notes.get(lang).to_string())
                    .unwrap_or_default(),
            });
        }
    }

    let derivation = input.derivation;
    let zones = m
        .zones
        .iter()
        .map(|z| {
            let names: Vec<String> = z
                .assets
                .iter()
                .map(|a| match m.asset(a) {
                    Some(a) => format!("{} ({}, {})", a.name.get(lang), a.id, a.asset_type),
                    None => a.clone(),
                })
                .collect();
            Ok(vec![
                z.id.clone(),
                z.name.get(lang).to_string(),
                z.level.map(|l| l.to_string()).unwrap_or_default(),
                yes_no(z.safety)?,
                names.join("; "),
                derivation
                    .zone(&z.id)
                    .map(|t| vector(&t.sl_t))
                    .unwrap_or_default(),
                z.description.get(lang).to_string(),
            ])
        })
        .collect::<Result<Vec<_>, RiskError>>()?;
    let conduits = m
        .conduits
        .iter()
        .map(|c| {
            let channels: Vec<String> = c
                .channels
                .iter()
                .map(|ch| {
                    let mut s = ch.protocol.clone();
                    if let Some(p) = ch.port {
                        s.push_str(&format!("/{p}"));
                    }
                    let arrow = if ch.bidirectional { "↔" } else { "→" };
                    match (&ch.from, &ch.to) {
                        (None, None) => {}
                        (f, t) => s.push_str(&format!(
                            " {} {arrow} {}",
                            f.as_deref().unwrap_or("*"),
                            t.as_deref().unwrap_or("*")
                        )),
                    }
                    if ch.wireless {
                        s.push_str(" (radio)");
                    }
                    s
                })
                .collect();
            vec![
                c.id.clone(),
                c.name.get(lang).to_string(),
                c.zones.join(", "),
                channels.join("; "),
                derivation
                    .conduit(&c.id)
                    .map(|t| vector(&t.sl_t))
                    .unwrap_or_default(),
                c.description.get(lang).to_string(),
            ]
        })
        .collect();
    let flows = m
        .flows
        .iter()
        .map(|f| {
            vec![
                f.id.clone(),
                f.from.clone(),
                f.to.clone(),
                match f.port {
                    Some(p) => format!("{}/{p}", f.protocol),
                    None => f.protocol.clone(),
                },
                f.conduit.clone().unwrap_or_default(),
                f.description.get(lang).to_string(),
            ]
        })
        .collect();

    let matrix_head = m
        .matrix
        .consequence
        .iter()
        .map(|g| g.label.get(lang).to_string())
        .collect();
    let matrix_rows = m
        .matrix
        .likelihood
        .iter()
        .rev()
        .map(|g| {
            let cells = m
                .matrix
                .cells
                .get(&g.id)
                .map(|row| {
                    row.iter()
                        .map(|c| (risk_label(c), m.matrix.is_tolerable(c)))
                        .collect()
                })
                .unwrap_or_default();
            (g.label.get(lang).to_string(), cells)
        })
        .collect();

    let none = l("report.not_listed")?;
    let threat_types = m
        .derivation
        .threat_types
        .iter()
        .map(|t| {
            let offsets = t
                .offsets()
                .iter()
                .map(|o| match o {
                    Some(0) => "SL".to_string(),
                    Some(o) => format!("SL − {}", -o),
                    None => none.to_string(),
                })
                .collect();
            (t.id.clone(), t.name.get(lang).to_string(), offsets)
        })
        .collect();
    let threats = m
        .threats
        .iter()
        .map(|t| {
            vec![
                t.id.clone(),
                t.title.get(lang).to_string(),
                t.threat_type.clone(),
                t.actor.get(lang).to_string(),
                t.vector.get(lang).to_string(),
            ]
        })
        .collect();
    let register = m
        .risks
        .iter()
        .map(|r| {
            let final_risk = r.residual.as_ref().unwrap_or(&r.initial);
            RegisterRow {
                id: r.id.clone(),
                threat: r.threat.clone(),
                target: r.target.clone(),
                initial: rating(&r.initial),
                countermeasures: r
                    .countermeasures
                    .iter()
                    .map(|c| c.get(lang).to_string())
                    .collect(),
                residual: r.residual.as_ref().map(rating).unwrap_or_default(),
                tolerable: m
                    .matrix
                    .cell(&final_risk.likelihood, &final_risk.consequence)
                    .is_some_and(|c| m.matrix.is_tolerable(c)),
                accepted: r
                    .accepted
                    .as_ref()
                    .map(|a| format!("{}: {}", a.by, a.reason.get(lang)))
                    .unwrap_or_default(),
            }
        })
        .collect();

    let mut targets = Vec::new();
    for (kind, list) in [
        ("report.zone", &derivation.zones),
        ("report.conduit", &derivation.conduits),
    ] {
        for t in list {
            targets.push(target_view(l(kind)?, t, m, lang)?);
        }
    }

    let violations = input
        .violations
        .iter()
        .map(|v| {
            vec![
                v.rule.clone(),
                v.zcr.clone().unwrap_or_default(),
                v.element.clone(),
                v.message.get(lang).to_string(),
                v.line.map(|l| l.to_string()).unwrap_or_default(),
            ]
        })
        .collect();

    let no_assessment = l("feasibility.no_assessment")?;
    let claimed = l("feasibility.claim")?;
    let feasibility = input
        .feasibility
        .iter()
        .map(|f| -> Result<FeasibilityView, RiskError> {
            Ok(FeasibilityView {
                zone: f.zone.clone(),
                sl_t: vector(&f.sl_t),
                feasible: f.feasible,
                judged: !f.components.is_empty() || !f.conduits.is_empty(),
                levels: levels_rows(f, lang)?,
                components: f
                    .components
                    .iter()
                    .map(|c| {
                        (
                            vec![
                                c.asset.clone(),
                                c.component.clone(),
                                c.assessment
                                    .clone()
                                    .or_else(|| Some(claimed.replace("{claim}", c.claim.as_ref()?)))
                                    .unwrap_or_else(|| no_assessment.to_string()),
                                c.achieved.map(|a| vector(&a)).unwrap_or_default(),
                                c.gap.map(|g| vector(&g)).unwrap_or_default(),
                            ],
                            !c.has_gap(),
                        )
                    })
                    .collect(),
                requirements: f
                    .system_requirements
                    .iter()
                    .map(|r| {
                        vec![
                            r.id.clone(),
                            r.title.get(lang).to_string(),
                            r.fr.clone(),
                            r.min_sl.to_string(),
                        ]
                    })
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    Ok(Page {
        lang: match lang {
            Lang::En => "en",
            Lang::Ja => "ja",
        },
        project: input.project.to_string(),
        system: m.system.name.get(lang).to_string(),
        boundary: m.system.boundary.get(lang).to_string(),
        description: m.system.description.get(lang).to_string(),
        tekigo_version: env!("CARGO_PKG_VERSION"),
        assets: m.assets.len(),
        inherit: m.derivation.conduits_inherit == crate::model::ConduitInherit::MaxOfZones,
        frs: Fr::ALL.iter().map(|f| f.abbr().to_string()).collect(),
        steps,
        zones,
        conduits,
        flows,
        matrix_head,
        matrix_rows,
        tolerable: risk_label(&m.matrix.tolerable),
        rule_description: m.derivation.description.get(lang).to_string(),
        rule_rows: m
            .derivation
            .rows
            .iter()
            .map(|r| (risk_label(&r.risk), r.sl))
            .collect(),
        threat_types,
        threats,
        register,
        targets,
        violations,
        feasibility,
    })
}

fn target_view(
    kind: &str,
    t: &TargetSl,
    m: &RiskModel,
    lang: Lang,
) -> Result<TargetView, RiskError> {
    let risk_label = |id: &str| {
        m.matrix
            .risk_label(id)
            .map(|t| format!("{} ({id})", t.get(lang)))
            .unwrap_or_else(|| id.to_string())
    };
    let mut steps = Vec::new();
    for s in &t.steps {
        let mut row = match s {
            Step::Risk {
                risk,
                threat,
                threat_type,
                likelihood,
                consequence,
                cell,
                row_sl,
                ..
            } => vec![
                risk.clone(),
                threat.clone(),
                threat_type.clone(),
                format!("{likelihood} × {consequence}"),
                risk_label(cell),
                row_sl.to_string(),
            ],
            Step::Inherit { zone, .. } => vec![
                format!("{}: {zone}", label(lang, "derivation.inherit")?),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
            Step::Skipped { risk, reason } => vec![
                risk.clone(),
                format!(
                    "{}: {}",
                    label(lang, "derivation.skipped")?,
                    label(lang, &format!("skip.{reason}"))?
                ),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        };
        match s {
            Step::Risk {
                offsets,
                contribution,
                ..
            } => row.extend(offsets.iter().zip(contribution).map(|(o, c)| match o {
                Some(0) => c.to_string(),
                Some(o) => format!("{c} ({o})"),
                None => "–".to_string(),
            })),
            Step::Inherit { contribution, .. } => {
                row.extend(contribution.iter().map(|c| c.to_string()))
            }
            Step::Skipped { .. } => row.extend(std::iter::repeat_n(String::new(), 7)),
        }
        steps.push(row);
    }
    let (override_sl, justification) = match &t.sl_t_override {
        Some(SlOverride {
            sl_t,
            justification,
        }) => (Some(sl_t.to_vec()), justification.get(lang).to_string()),
        None => (None, String::new()),
    };
    Ok(TargetView {
        kind: kind.to_string(),
        id: t.id.clone(),
        name: t.name.get(lang).to_string(),
        sl_t: vector(&t.sl_t),
        steps,
        derived: t.derived.to_vec(),
        decided_by: t
            .decided_by
            .iter()
            .map(|d| d.clone().unwrap_or_else(|| "–".into()))
            .collect(),
        override_sl,
        justification,
        final_sl: t.sl_t.to_vec(),
    })
}

/// The rows of a zone's SL-A table: each 3-3 assessment of the zone, then each conduit with
/// each of its 3-3 assessments (or none), with whether it reaches its SL-T.
fn levels_rows(f: &ZoneFeasibility, lang: Lang) -> Result<Vec<(Vec<String>, bool)>, RiskError> {
    let l = |key| crate::text::label(lang, key);
    let row = |kind: &str,
               id: &str,
               sl_t: &[Level; 7],
               s: Option<&crate::SystemLevel>,
               extra: Vec<String>| {
        let (source, sl_a, gap) = match s {
            Some(s) => (s.assessment.clone(), vector(&s.sl_a), vector(&s.gap)),
            None => (String::new(), String::new(), String::new()),
        };
        let mut measures: Vec<String> = s.map(|s| s.countermeasures.clone()).unwrap_or_default();
        measures.extend(extra);
        vec![
            format!("{kind} {id}"),
            vector(sl_t),
            source,
            sl_a,
            gap,
            measures.join("; "),
        ]
    };
    let mut out = Vec::new();
    for s in &f.system {
        out.push((
            row(l("report.zone")?, &f.zone, &f.sl_t, Some(s), Vec::new()),
            s.gap.iter().all(|&g| g == 0),
        ));
    }
    if f.system.is_empty() {
        let mut r = row(l("report.zone")?, &f.zone, &f.sl_t, None, Vec::new());
        r[2] = l("feasibility.no_system")?.to_string();
        out.push((r, false));
    }
    for c in &f.conduits {
        let register_label = l("feasibility.register")?;
        let register: Vec<String> = c
            .countermeasures
            .iter()
            .map(|w| format!("{register_label} {}", w.get(lang)))
            .collect();
        if c.system.is_empty() {
            let mut r = row(
                l("report.conduit")?,
                &c.conduit,
                &c.sl_t,
                None,
                register.clone(),
            );
            r[2] = l("feasibility.no_system")?.to_string();
            out.push((r, !c.short));
        }
        for s in &c.system {
            out.push((
                row(
                    l("report.conduit")?,
                    &c.conduit,
                    &c.sl_t,
                    Some(s),
                    register.clone(),
                ),
                s.gap.iter().all(|&g| g == 0),
            ));
        }
    }
    Ok(out)
}
