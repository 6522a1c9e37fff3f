//! The CRA's documents: the technical documentation in the order of Annex VII and the draft
//! EU declaration of conformity in the order of Annex V. Each point quotes the regulation,
//! then states what the project holds and what it lacks (the crate docs state the rules).

use crate::facts::Facts;
use crate::labels::Labels;
use crate::{DossierError, Fact, Section, Table};
use tekigo_assess::regime::{Coverage, RegimeRequirement, RegimeStatus, RegimeView};
use tekigo_assess::{results, Assessment, EvidenceRef, Project};
use tekigo_catalog::{Catalog, ComponentType, Lang, SlVector};

/// What every section is drafted from.
pub(crate) struct Ctx<'a> {
    pub project: &'a Project,
    pub catalog: &'a Catalog,
    pub facts: &'a Facts,
    /// The project's assessments seen through the document's regime.
    pub view: &'a RegimeView,
    pub l: &'a Labels,
    pub lang: Lang,
}

impl Ctx<'_> {
    /// A section of point `key` (`vii.2b`) of `data/cra.yaml`: its number, heading and the
    /// regulation's text.
    fn point(&self, key: &str) -> Section {
        Section {
            number: self.l.get(&format!("cra.{key}.number")),
            heading: self.l.get(&format!("cra.{key}.heading")),
            quote: self.l.get(&format!("cra.{key}.quote")),
            facts: Vec::new(),
            table: None,
            gaps: Vec::new(),
        }
    }

    fn fact(&self, key: &str, value: impl Into<String>) -> Fact {
        Fact {
            label: self.l.get(key),
            value: value.into(),
        }
    }

    fn gap(&self, key: &str) -> String {
        self.l.get(key)
    }

    /// The assessment a direct answer would go into, for the hint of what is left.
    pub(crate) fn first_assessment(&self) -> &str {
        self.view.assessments.first().map_or("A", String::as_str)
    }

    fn requirement(&self, id: &str) -> Option<&RegimeRequirement> {
        self.view.requirements.iter().find(|r| r.id == id)
    }

    /// The regime view's status of requirement `id` as a fact, and a gap unless it is met.
    fn status_of(&self, id: &str, s: &mut Section) {
        let Some(r) = self.requirement(id) else {
            return;
        };
        s.facts.push(Fact {
            label: format!("{} {}", r.id, r.title),
            value: self.status_line(r),
        });
        let todo = left_to_do(self.l, r, self.first_assessment());
        if !todo.is_empty() {
            s.gaps.push(format!("{}: {todo}", r.id));
        }
    }

    /// `met (via CR 1.5 satisfied, ...)`.
    fn status_line(&self, r: &RegimeRequirement) -> String {
        let status = self.l.get(&format!("status.{}", r.status.as_str()));
        if r.basis.is_empty() {
            return status;
        }
        let via: Vec<String> = r.basis.iter().map(|b| basis_line(self.l, b)).collect();
        format!("{status} ({})", via.join(", "))
    }

    /// The regime's requirements whose ids start with `prefix`, as a table of status, what
    /// they rest on, evidence and what is left; a gap for each with something left.
    fn requirement_table(&self, prefix: &str, s: &mut Section) {
        let mut rows = Vec::new();
        for r in self
            .view
            .requirements
            .iter()
            .filter(|r| r.id.starts_with(prefix))
        {
            let todo = left_to_do(self.l, r, self.first_assessment());
            if !todo.is_empty() {
                s.gaps.push(format!("{}: {todo}", r.id));
            }
            rows.push(vec![
                r.id.clone(),
                r.title.clone(),
                self.status_line(r),
                evidence_names(self.l, self.project, r),
                todo,
            ]);
        }
        s.table = Some(Table {
            header: [
                "col.requirement",
                "col.title",
                "col.status",
                "col.evidence",
                "col.left",
            ]
            .iter()
            .map(|k| self.l.get(k))
            .collect(),
            rows,
        });
    }

    fn assessments_of<'s>(
        &'s self,
        standard: &'s str,
    ) -> impl Iterator<Item = &'s Assessment> + 's {
        self.facts
            .assessments
            .iter()
            .filter(move |a| a.standard == standard)
    }
}

/// `CR 1.5 satisfied`, with `(scan suggestion, not confirmed)` when nobody confirmed it.
pub(crate) fn basis_line(l: &Labels, b: &tekigo_assess::regime::Basis) -> String {
    let s = b.status.map_or("unanswered", |s| s.as_str());
    let mut line = format!("{} {}", b.id, l.get(&format!("answer.{s}")));
    if b.draft {
        line.push_str(&format!(" ({})", l.get("answer.draft")));
    }
    line
}

/// What is left to do for a regime requirement, from its status and coverage; empty when
/// nothing is. Stated once, for every document: not assessed with no 62443 item mapped:
/// assess it directly; not assessed otherwise: answer the 62443 items it rests on; not met:
/// fix the items answered not satisfied; partial: complete the items not yet met; met
/// through a scan suggestion nobody confirmed: confirm it; met through partial mappings
/// only: check the rest of the requirement's wording; met with no evidence cited: attach
/// the evidence.
pub(crate) fn left_to_do(l: &Labels, r: &RegimeRequirement, assessment: &str) -> String {
    use tekigo_assess::regime::Basis;
    use tekigo_assess::Status;
    let ids = |keep: &dyn Fn(&Basis) -> bool| {
        let mut out: Vec<&str> = Vec::new();
        for b in r.basis.iter().filter(|b| keep(b)) {
            if !out.contains(&b.id.as_str()) {
                out.push(&b.id);
            }
        }
        out.join(", ")
    };
    match r.status {
        RegimeStatus::NotAssessed if r.basis.is_empty() => {
            l.fill("left.assess_directly", &[("id", &r.id), ("a", &assessment)])
        }
        RegimeStatus::NotAssessed => l.fill("left.answer", &[("ids", &ids(&|_| true))]),
        RegimeStatus::NotMet => l.fill(
            "left.fix",
            &[("ids", &ids(&|b| b.status == Some(Status::NotSatisfied)))],
        ),
        RegimeStatus::Partial => l.fill(
            "left.complete",
            &[("ids", &ids(&|b| !b.status.is_some_and(Status::is_met)))],
        ),
        RegimeStatus::Met if r.basis.iter().any(|b| b.draft) => {
            l.fill("left.confirm", &[("ids", &ids(&|b| b.draft))])
        }
        RegimeStatus::Met if r.coverage == Coverage::Partly && !r.direct => {
            l.get("left.check_rest")
        }
        RegimeStatus::Met if r.basis.iter().all(|b| b.evidence.is_empty()) => {
            l.get("left.evidence")
        }
        RegimeStatus::Met => String::new(),
    }
}

/// The evidence a requirement's answers cite: file names and links, then the scan results
/// counted per scan report (the check ids would drown the files).
pub(crate) fn evidence_names(l: &Labels, project: &Project, r: &RegimeRequirement) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut scans: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for e in r.basis.iter().flat_map(|b| &b.evidence) {
        let name = match e {
            EvidenceRef::File { name, .. } => name.clone(),
            EvidenceRef::Url { url } => url.clone(),
            EvidenceRef::Scan { sha256, check, .. } => {
                scans.entry(sha256).or_default().insert(check);
                continue;
            }
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let store = project.evidence();
    for (sha, checks) in scans {
        let report = store
            .meta(sha)
            .ok()
            .flatten()
            .and_then(|m| m.names.first().cloned())
            .unwrap_or_else(|| sha.to_string());
        names.push(l.fill(
            "fact.scan_results",
            &[("n", &checks.len()), ("report", &report)],
        ));
    }
    names.join(", ")
}

fn has_hardware(project: &Project) -> bool {
    project
        .config
        .components
        .iter()
        .any(|c| c.component_type != ComponentType::Software)
}

/// Annex VII, points 1 to 8.
pub(crate) fn technical_documentation(c: &Ctx) -> Result<Vec<Section>, DossierError> {
    let p = &c.project.config;
    let f = c.facts;
    let mut out = Vec::new();

    let mut s = c.point("vii.1a");
    s.facts.push(c.fact("fact.product", p.product.name.clone()));
    if let Some(v) = &p.product.vendor {
        s.facts.push(c.fact("fact.manufacturer", v.clone()));
    }
    match &p.product.description {
        Some(d) => s.facts.push(c.fact("fact.description", d.clone())),
        None => s.gaps.push(c.gap("gap.description")),
    }
    for comp in &p.components {
        if let Some(env) = &comp.intended_environment {
            s.facts.push(Fact {
                label: c.l.fill("fact.environment_of", &[("name", &comp.name)]),
                value: env.clone(),
            });
        }
    }
    out.push(s);

    let mut s = c.point("vii.1b");
    component_versions(c, &mut s);
    releases(c, &mut s);
    out.push(s);

    let mut s = c.point("vii.1c");
    if has_hardware(c.project) {
        for comp in &p.components {
            if let Some(hw) = &comp.hardware_version {
                s.facts.push(Fact {
                    label: c.l.fill("fact.hardware_of", &[("name", &comp.name)]),
                    value: hw.clone(),
                });
            }
        }
        s.gaps.push(c.gap("gap.photographs"));
    } else {
        s.facts
            .push(c.fact("fact.not_applicable", c.l.get("fact.software_only")));
    }
    out.push(s);

    let mut s = c.point("vii.1d");
    c.status_of("CRA 13(18)", &mut s);
    s.gaps.push(c.gap("gap.user_information"));
    out.push(s);

    let mut s = c.point("vii.2a");
    for comp in &p.components {
        let mut value = format!("{} ({})", comp.name, comp.component_type);
        if let Some(d) = &comp.description {
            value.push_str(": ");
            value.push_str(d);
        }
        s.facts.push(c.fact("fact.component", value));
        for i in &comp.interfaces {
            let d = i.description.as_deref().unwrap_or_default();
            s.facts.push(Fact {
                label: c.l.fill("fact.interface_of", &[("name", &comp.name)]),
                value: format!("{}: {d}", i.name),
            });
        }
        for a in &comp.assumptions {
            s.facts.push(c.fact("fact.assumption", a.clone()));
        }
    }
    if p.components.iter().all(|x| x.description.is_none()) {
        s.gaps.push(c.gap("gap.architecture"));
    }
    for r in &p.report.references {
        let v = r
            .version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        s.facts
            .push(c.fact("fact.reference", format!("{}{v}", r.title)));
    }
    if p.report.references.is_empty() {
        s.gaps.push(c.gap("gap.design_documents"));
    }
    out.push(s);

    let mut s = c.point("vii.2b");
    sbom_facts(c, &mut s);
    vulnerability_policy(c, &mut s);
    if let Some(w) = &f.watch {
        s.facts.push(Fact {
            label: c.l.get("fact.watch"),
            value: c
                .l
                .fill("fact.watch_value", &[("n", &w.findings), ("kev", &w.kev)]),
        });
    }
    c.requirement_table("CRA II.", &mut s);
    out.push(s);

    let mut s = c.point("vii.2c");
    s.gaps.push(c.gap("gap.production"));
    out.push(s);

    let mut s = c.point("vii.3");
    risk_facts(c, &mut s);
    c.status_of("CRA 13(2)", &mut s);
    c.requirement_table("CRA I.", &mut s);
    out.push(s);

    let mut s = c.point("vii.4");
    support_period(c, &mut s);
    c.status_of("CRA 13(8)", &mut s);
    out.push(s);

    let mut s = c.point("vii.5");
    standards_applied(c, &mut s)?;
    out.push(s);

    let mut s = c.point("vii.6");
    test_reports(c, &mut s);
    out.push(s);

    let mut s = c.point("vii.7");
    s.facts.push(c.fact(
        "fact.declaration_draft",
        c.l.get("fact.declaration_command"),
    ));
    s.gaps.push(c.gap("gap.signed_declaration"));
    out.push(s);

    let mut s = c.point("vii.8");
    sbom_facts(c, &mut s);
    out.push(s);
    Ok(out)
}

/// Annex V, points 1 to 8.
pub(crate) fn declaration(c: &Ctx) -> Result<Vec<Section>, DossierError> {
    let p = &c.project.config;
    let mut out = Vec::new();

    let mut s = c.point("v.1");
    s.facts.push(c.fact("fact.product", p.product.name.clone()));
    if let Some(v) = &p.product.version {
        s.facts.push(c.fact("fact.version", v.clone()));
    }
    component_versions(c, &mut s);
    out.push(s);

    let mut s = c.point("v.2");
    match &p.product.vendor {
        Some(v) => s.facts.push(c.fact("fact.manufacturer", v.clone())),
        None => s.gaps.push(c.gap("gap.manufacturer")),
    }
    s.gaps.push(c.gap("gap.address"));
    out.push(s);

    let mut s = c.point("v.3");
    s.facts
        .push(c.fact("fact.statement", c.l.get("doc.sole_responsibility")));
    out.push(s);

    let mut s = c.point("v.4");
    s.facts.push(c.fact("fact.product", p.product.name.clone()));
    if let Some(d) = &p.product.description {
        s.facts.push(c.fact("fact.description", d.clone()));
    }
    releases(c, &mut s);
    out.push(s);

    let mut s = c.point("v.5");
    let open: Vec<&str> = c
        .view
        .requirements
        .iter()
        .filter(|r| r.status != RegimeStatus::Met)
        .map(|r| r.id.as_str())
        .collect();
    s.facts
        .push(c.fact("fact.statement", c.l.get("doc.conformity_statement")));
    if !open.is_empty() {
        s.gaps.push(c.l.fill(
            "gap.not_met",
            &[
                ("n", &open.len()),
                ("total", &c.view.requirements.len()),
                ("ids", &open.join(", ")),
            ],
        ));
    }
    out.push(s);

    let mut s = c.point("v.6");
    standards_applied(c, &mut s)?;
    out.push(s);

    let mut s = c.point("v.7");
    for cert in &c.facts.certificates {
        s.facts.push(c.fact(
            "fact.certificate",
            format!(
                "{} {} ({}, {}, {})",
                cert.body, cert.number, cert.scheme, cert.standard, cert.level
            ),
        ));
    }
    s.gaps.push(c.gap("gap.procedure"));
    out.push(s);

    let mut s = c.point("v.8");
    if let Some(d) = &p.product.support_until {
        s.facts.push(c.fact("fact.support_until", d.clone()));
    }
    s.gaps.push(c.gap("gap.signature"));
    out.push(s);
    Ok(out)
}

fn component_versions(c: &Ctx, s: &mut Section) {
    for comp in &c.project.config.components {
        let mut parts = vec![comp.component_type.to_string()];
        parts.extend(comp.version.iter().cloned());
        if let Some(fw) = &comp.firmware_version {
            parts.push(c.l.fill("fact.firmware", &[("v", fw)]));
        }
        s.facts.push(Fact {
            label: c.l.fill("fact.component_named", &[("name", &comp.name)]),
            value: parts.join(", "),
        });
        if comp.version.is_none() && comp.firmware_version.is_none() {
            s.gaps
                .push(c.l.fill("gap.component_version", &[("name", &comp.name)]));
        }
    }
    if c.project.config.components.is_empty() {
        s.gaps.push(c.gap("gap.no_components"));
    }
}

fn releases(c: &Ctx, s: &mut Section) {
    let product = c.project.config.product.support_until.as_deref();
    for r in &c.facts.releases {
        let until = tekigo_assess::releases::support_end(r.support_until.as_deref(), product)
            .map(|d| c.l.fill("fact.support_until_value", &[("date", &d)]))
            .unwrap_or_default();
        s.facts.push(Fact {
            label: c.l.fill("fact.release", &[("version", &r.version)]),
            value: format!(
                "{}{until}",
                c.l.fill("fact.frozen_at", &[("at", &r.frozen_at)])
            ),
        });
    }
    if c.facts.releases.is_empty() {
        s.gaps.push(c.gap("gap.releases"));
    }
}

fn support_period(c: &Ctx, s: &mut Section) {
    let product = c.project.config.product.support_until.as_deref();
    if let Some(d) = product {
        s.facts.push(c.fact("fact.support_until", d));
    }
    for r in &c.facts.releases {
        match (r.support_until.as_deref(), product) {
            (Some(d), _) => s.facts.push(Fact {
                label: c.l.fill("fact.release", &[("version", &r.version)]),
                value: c.l.fill("fact.support_until_value", &[("date", &d)]),
            }),
            (None, None) => s
                .gaps
                .push(c.l.fill("gap.release_support", &[("version", &r.version)])),
            (None, Some(_)) => {}
        }
    }
    if product.is_none() {
        s.gaps.push(c.gap("gap.support_until"));
    }
    s.gaps.push(c.gap("gap.support_reasons"));
}

fn sbom_facts(c: &Ctx, s: &mut Section) {
    for b in &c.facts.sboms {
        s.facts.push(c.fact(
            "fact.sbom",
            format!("{} ({}, {})", b.name, b.format, b.location),
        ));
    }
    if c.facts.sboms.is_empty() {
        s.gaps.push(c.gap("gap.sbom"));
    }
}

/// The 4-1 DM and SUM answers: the vulnerability handling the manufacturer put in place.
fn vulnerability_policy(c: &Ctx, s: &mut Section) {
    let mut any = false;
    for a in c.assessments_of("62443-4-1") {
        let Some(standard) = c.catalog.standard(&a.standard) else {
            continue;
        };
        any = true;
        for row in results::rows(standard, a) {
            let id = row.item.id.as_str();
            if !(id.starts_with("DM-") || id.starts_with("SUM-")) || !row.in_scope {
                continue;
            }
            let status = row.status().map_or("unanswered", |x| x.as_str());
            let mut value = c.l.get(&format!("answer.{status}"));
            if let Some(ans) = row.answer.filter(|x| !x.reason.is_empty()) {
                value.push_str(": ");
                value.push_str(&ans.reason);
            }
            if row.answer.is_none_or(|x| !x.status.is_met()) {
                s.gaps
                    .push(c.l.fill("gap.practice", &[("id", &id), ("assessment", &a.id)]));
            }
            s.facts.push(Fact {
                label: format!("{id} {}", row.item.title.get(c.lang)),
                value,
            });
        }
    }
    if !any {
        s.gaps.push(c.gap("gap.process_assessment"));
    }
}

fn risk_facts(c: &Ctx, s: &mut Section) {
    let Some(doc) = &c.facts.risk else {
        s.gaps.push(c.gap("gap.risk_model"));
        return;
    };
    let m = &doc.model;
    s.facts
        .push(c.fact("fact.system", m.system.name.get(c.lang).to_string()));
    s.facts.push(c.fact(
        "fact.risk_model",
        c.l.fill(
            "fact.risk_counts",
            &[
                ("zones", &m.zones.len()),
                ("conduits", &m.conduits.len()),
                ("threats", &m.threats.len()),
                ("risks", &m.risks.len()),
            ],
        ),
    ));
    for r in &m.risks {
        let residual = r
            .residual
            .as_ref()
            .map(|x| format!("{}/{}", x.likelihood, x.consequence))
            .unwrap_or_else(|| c.l.get("fact.no_residual"));
        let accepted = r
            .accepted
            .as_ref()
            .map(|a| c.l.fill("fact.accepted_by", &[("by", &a.by)]))
            .unwrap_or_default();
        s.facts.push(Fact {
            label: format!("{} ({} → {})", r.id, r.threat, r.target),
            value: format!(
                "{}/{} → {residual}{accepted}",
                r.initial.likelihood, r.initial.consequence
            ),
        });
        if r.residual.is_none() {
            s.gaps.push(c.l.fill("gap.residual", &[("id", &r.id)]));
        }
    }
    if m.risks.is_empty() {
        s.gaps.push(c.gap("gap.risk_register"));
    }
}

/// The 62443 assessments with their target and claimed levels, and the certificates.
fn standards_applied(c: &Ctx, s: &mut Section) -> Result<(), DossierError> {
    let mut rows = Vec::new();
    for a in &c.facts.assessments {
        let Some(standard) = c.catalog.standard(&a.standard) else {
            continue;
        };
        let r = tekigo_assess::compute_with(standard, a, c.project.config.review);
        let (target, claimed) = match (r.target, r.achieved) {
            (Some(t), Some(v)) => (SlVector(t).to_string(), marked(c.l, &v, &r)),
            _ => (
                r.target_ml.map(|m| format!("ML {m}")).unwrap_or_default(),
                r.achieved_ml.map(|m| format!("ML {m}")).unwrap_or_default(),
            ),
        };
        rows.push(vec![
            format!("IEC {} ({})", a.standard, standard.info.edition),
            a.subject.name.clone(),
            target,
            claimed,
            format!("{}/{}", r.progress.met, r.progress.in_scope),
        ]);
    }
    if rows.is_empty() {
        s.gaps.push(c.gap("gap.no_assessment"));
    }
    for cert in &c.facts.certificates {
        s.facts.push(c.fact(
            "fact.certificate",
            format!(
                "{}: {} {} {} ({}, {}, {}, {})",
                cert.id,
                cert.scheme,
                cert.standard,
                cert.level,
                cert.component,
                cert.body,
                cert.number,
                c.l.fill("fact.expires", &[("date", &cert.expires)])
            ),
        ));
    }
    s.table = Some(Table {
        header: [
            "col.standard",
            "col.subject",
            "col.target",
            "col.claimed",
            "col.met",
        ]
        .iter()
        .map(|k| c.l.get(k))
        .collect(),
        rows,
    });
    s.gaps.push(c.gap("gap.harmonised"));
    Ok(())
}

/// `{2 2 1 2 4(N/A) 2 1}`: a level resting on not-applicable answers alone is marked.
fn marked(l: &Labels, v: &[tekigo_catalog::Level; 7], r: &tekigo_assess::Results) -> String {
    let cells: Vec<String> = v
        .iter()
        .zip(&r.frs)
        .map(|(level, f)| match f.not_applicable_only.achieved {
            true => l.fill("level.na_only", &[("level", level)]),
            false => level.to_string(),
        })
        .collect();
    format!("{{{}}}", cells.join(" "))
}

fn test_reports(c: &Ctx, s: &mut Section) {
    let rows: Vec<Vec<String>> = c
        .facts
        .tests
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                t.kind.clone(),
                t.target.clone(),
                t.counts
                    .map(|(n, f)| c.l.fill("fact.checks", &[("n", &n), ("f", &f)]))
                    .unwrap_or_default(),
                t.cited_by.iter().cloned().collect::<Vec<_>>().join(", "),
                t.sha256.clone(),
            ]
        })
        .collect();
    if rows.is_empty() {
        s.gaps.push(c.gap("gap.tests"));
    }
    if c.assessments_of("62443-4-1").next().is_none() {
        s.gaps.push(c.gap("gap.process_tests"));
    }
    s.table = Some(Table {
        header: [
            "col.report",
            "col.kind",
            "col.target_path",
            "col.checks",
            "col.cited_by",
            "col.sha256",
        ]
        .iter()
        .map(|k| c.l.get(k))
        .collect(),
        rows,
    });
}
