//! The JC-STAR ★1 self-assessment checklist: per 適合基準 its id, tekigo's own summary
//! (never IPA's wording), the status the regime view derives, the 62443 answers and
//! evidence it rests on, and what is left to fill in before the self-declaration.

use crate::cra::{basis_line, evidence_names, left_to_do, Ctx};
use crate::{Fact, Section, Table};

pub(crate) fn checklist(c: &Ctx) -> Vec<Section> {
    let p = &c.project.config;
    let l = c.l;
    let mut head = Section {
        number: String::new(),
        heading: l.get("jc.product"),
        quote: String::new(),
        facts: vec![Fact {
            label: l.get("fact.product"),
            value: p.product.name.clone(),
        }],
        table: None,
        gaps: Vec::new(),
    };
    match &p.product.vendor {
        Some(v) => head.facts.push(Fact {
            label: l.get("fact.manufacturer"),
            value: v.clone(),
        }),
        None => head.gaps.push(l.get("gap.manufacturer")),
    }
    for comp in &p.components {
        let version = comp
            .firmware_version
            .clone()
            .or_else(|| comp.version.clone())
            .unwrap_or_default();
        head.facts.push(Fact {
            label: l.fill("fact.component_named", &[("name", &comp.name)]),
            value: version,
        });
    }
    match &p.product.support_until {
        Some(d) => head.facts.push(Fact {
            label: l.get("fact.support_until"),
            value: d.clone(),
        }),
        None => head.gaps.push(l.get("gap.support_until")),
    }
    head.gaps.push(l.get("jc.gap.applicant"));

    let mut body = Section {
        number: String::new(),
        heading: l.get("jc.criteria"),
        quote: String::new(),
        facts: vec![Fact {
            label: l.get("jc.assessments"),
            value: c.view.assessments.join(", "),
        }],
        table: None,
        gaps: Vec::new(),
    };
    if c.view.assessments.is_empty() {
        body.gaps.push(l.get("gap.no_assessment"));
    }
    let mut rows = Vec::new();
    for r in &c.view.requirements {
        let summary = c
            .catalog
            .find(&r.id)
            .map(|(_, item)| {
                let s = item.summary.get(c.lang);
                if s.is_empty() {
                    item.title.get(c.lang).to_string()
                } else {
                    s.to_string()
                }
            })
            .unwrap_or_else(|| r.title.clone());
        let todo = left_to_do(l, r, c.first_assessment());
        if !todo.is_empty() {
            body.gaps.push(format!("{}: {todo}", r.id));
        }
        let via: Vec<String> = r.basis.iter().map(|b| basis_line(l, b)).collect();
        rows.push(vec![
            r.id.clone(),
            summary,
            l.get(&format!("status.{}", r.status.as_str())),
            via.join(", "),
            evidence_names(l, c.project, r),
            todo,
        ]);
    }
    body.table = Some(Table {
        header: [
            "jc.col.criterion",
            "jc.col.summary",
            "col.status",
            "jc.col.via",
            "col.evidence",
            "col.left",
        ]
        .iter()
        .map(|k| l.get(k))
        .collect(),
        rows,
    });
    body.gaps.push(l.get("jc.gap.wording"));
    vec![head, body]
}
