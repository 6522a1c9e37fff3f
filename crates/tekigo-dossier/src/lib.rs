//! The documents a regime asks a manufacturer for, filled from a tekigo project: for the EU
//! Cyber Resilience Act (Regulation (EU) 2024/2847) the technical documentation of Annex VII
//! and a draft EU declaration of conformity (Annex V); for JC-STAR ★1 the self-assessment
//! checklist. A maker who keeps the 62443 check sheet, the zone and conduit model, scans and
//! SBOMs in tekigo should not have to copy them into these documents by hand, and should see
//! at once what the documents still lack.
//!
//! The rules, stated once here:
//! - **A document is a draft that states only what the project holds.** Every point of the
//!   regime's structure the project cannot fill is a *gap*, named in its section and listed
//!   again at the end. tekigo never writes a claim for the maker (an address, a signature, a
//!   statement that the product conforms) and never leaves a point silently empty.
//! - **Requirement statuses are the regime view's** ([`tekigo_assess::regime::view`] over
//!   every 62443 assessment of the project): met, partial, not met, not assessed, with the
//!   62443 answers and evidence they rest on. Nothing here recomputes them. Every
//!   requirement that is not met is a gap.
//! - **An SBOM** is a file of the evidence store whose first bytes say CycloneDX or SPDX, or
//!   an SBOM a frozen release lists (`releases/VERSION/release.json`, `sboms`).
//! - **A test report** is a scan or probe report an answer cites (`kind: scan` evidence),
//!   or a file cited by an answer whose verification method is a test
//!   ([`tekigo_assess::Answer::verification`]).
//! - **The vulnerability handling policy** is what the 62443-4-1 assessments answer for
//!   the practices DM (security defect management) and SUM (security update management).
//! - **The support period** is `product.support_until` of tekigo.yaml (CRA Art. 13(8)); a
//!   release without its own `support_until` inherits it.
//! - **The declaration of conformity** says in its first lines that it must not be signed
//!   while any gap remains (Art. 28: by drawing it up the manufacturer takes responsibility).
//!
//! Text: the CRA is EU law, quoted in English with its source (reuse is permitted with the
//! source acknowledged, Commission Decision 2011/833/EU); the Japanese is tekigo's
//! translation. JC-STAR's criteria are IPA's copyright: the checklist holds their ids and
//! tekigo's own summaries, never IPA's wording. Every word the documents print is in
//! `data/labels.yaml` (en, ja); the regulation's points in `data/cra.yaml`.
//!
//! One model ([`Document`]) feeds Markdown, HTML and PDF, so the formats cannot disagree.
//! Everything taken from the project is hostile input: the HTML template escapes it, the
//! PDF template reads it as JSON strings, Markdown escapes what would become markup.

mod cra;
mod facts;
mod jcstar;
mod labels;
mod render;

pub use render::{html, markdown, pdf};

use serde::Serialize;
use std::path::PathBuf;
use tekigo_assess::Project;
use tekigo_catalog::{Catalog, Lang};

/// The documents tekigo can draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// CRA Annex VII: the technical documentation.
    CraTechnicalDocumentation,
    /// CRA Annex V: the EU declaration of conformity, as a draft.
    CraDeclarationOfConformity,
    /// JC-STAR ★1: the self-assessment checklist (適合基準ごとの自己評価).
    JcStar1Checklist,
}

impl Kind {
    pub const ALL: [Kind; 3] = [
        Kind::CraTechnicalDocumentation,
        Kind::CraDeclarationOfConformity,
        Kind::JcStar1Checklist,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::CraTechnicalDocumentation => "cra-technical-documentation",
            Kind::CraDeclarationOfConformity => "cra-declaration-of-conformity",
            Kind::JcStar1Checklist => "jc-star-1-checklist",
        }
    }

    pub fn parse(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The regime (catalog id) whose requirements the document reports on.
    pub fn regime(self) -> &'static str {
        match self {
            Kind::CraTechnicalDocumentation | Kind::CraDeclarationOfConformity => "eu-cra",
            Kind::JcStar1Checklist => "jc-star-1",
        }
    }
}

/// A drafted document: sections in the regime's order, each with what the project holds
/// and what it lacks.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub kind: Kind,
    pub lang: Lang,
    pub title: String,
    /// The legal or scheme basis, with its source.
    pub basis: String,
    /// What the document is (a draft) and how to read it.
    pub notice: String,
    pub product: String,
    pub generated: String,
    pub sections: Vec<Section>,
    /// Every gap of every section, in order, with the section it belongs to.
    pub gaps: Vec<Gap>,
    /// The document's own words for its headings (gaps, the list of gaps, the basis).
    pub labels: DocLabels,
}

/// Headings every document prints.
#[derive(Debug, Clone, Serialize)]
pub struct DocLabels {
    pub gaps: String,
    pub all_gaps: String,
    pub no_gaps: String,
    pub basis: String,
    pub generated: String,
    pub quoted: String,
}

/// One point of the regime's structure (Annex VII 2(b), Annex V 6, a JC-STAR group).
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// The point's number in the regime (`2(b)`), empty for tekigo's own sections.
    pub number: String,
    pub heading: String,
    /// The regime's text of the point (EU law, quoted with its source), or empty.
    pub quote: String,
    /// What the project holds, as label and value.
    pub facts: Vec<Fact>,
    pub table: Option<Table>,
    /// What is missing, in sentences.
    pub gaps: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    /// The section's number and heading.
    pub section: String,
    pub text: String,
}

/// Why a document could not be drafted. Each variant names the file or field to fix.
#[derive(Debug, thiserror::Error)]
pub enum DossierError {
    #[error(transparent)]
    Project(#[from] tekigo_assess::AssessError),
    #[error(transparent)]
    Risk(#[from] tekigo_risk::RiskError),
    /// A file another command writes (release.json, a certificate, watch/findings.json) that
    /// does not have its documented shape.
    #[error("{}: {message}", path.display())]
    Input { path: PathBuf, message: String },
    /// The regime the document needs is missing from the catalog (a `--catalog-dir` without
    /// it).
    #[error("the catalog has no regime {0:?}: it is needed for this document")]
    MissingRegime(String),
    /// A bug in a template or a data file shipped with tekigo (the tests catch it).
    #[error("{name}: {message}")]
    Template { name: String, message: String },
    #[error(transparent)]
    Report(#[from] tekigo_report::ReportError),
}

/// Drafts document `kind` from the project at `project`, in `lang`. `generated` is the
/// date printed on it (passed in, so the same inputs give the same bytes).
pub fn build(
    kind: Kind,
    project: &Project,
    catalog: &Catalog,
    lang: Lang,
    generated: &str,
) -> Result<Document, DossierError> {
    let l = labels::Labels::new(lang)?;
    let facts = facts::Facts::gather(project, catalog)?;
    let regime = catalog
        .standard(kind.regime())
        .filter(|s| s.info.regime)
        .ok_or_else(|| DossierError::MissingRegime(kind.regime().into()))?;
    let refs: Vec<&tekigo_assess::Assessment> = facts.assessments.iter().collect();
    let view = tekigo_assess::regime::view(catalog, regime, &refs, lang);
    let ctx = cra::Ctx {
        project,
        catalog,
        facts: &facts,
        view: &view,
        l: &l,
        lang,
    };
    let sections = match kind {
        Kind::CraTechnicalDocumentation => cra::technical_documentation(&ctx)?,
        Kind::CraDeclarationOfConformity => cra::declaration(&ctx)?,
        Kind::JcStar1Checklist => jcstar::checklist(&ctx),
    };
    let gaps = sections
        .iter()
        .flat_map(|s| {
            let name = if s.number.is_empty() {
                s.heading.clone()
            } else {
                format!("{} {}", s.number, s.heading)
            };
            s.gaps.iter().map(move |g| Gap {
                section: name.clone(),
                text: g.clone(),
            })
        })
        .collect();
    let key = kind.id();
    let doc = Document {
        kind,
        lang,
        title: l.get(&format!("{key}.title")),
        basis: l.get(&format!("{key}.basis")),
        notice: l.get(&format!("{key}.notice")),
        product: project.config.product.name.clone(),
        generated: generated.to_string(),
        sections,
        gaps,
        labels: DocLabels {
            gaps: l.get("doc.gaps"),
            all_gaps: l.get("doc.all_gaps"),
            no_gaps: l.get("doc.no_gaps"),
            basis: l.get("doc.basis"),
            generated: l.get("doc.generated"),
            quoted: l.get("doc.quoted"),
        },
    };
    l.finish()?;
    Ok(doc)
}
