//! Reports of one assessment: a self-contained HTML file, a PDF, and OSCAL assessment
//! results.
//!
//! Every format is fed from one model ([`data`]) built from the project, the catalog and the
//! assessment, so the HTML and the PDF cannot say different things. The HTML and the PDF
//! are rendered from templates (`templates/`) that receive that model as data, and every
//! word the report prints itself comes from `i18n/labels.yaml`, in English or Japanese.
//!
//! Everything an assessor typed (reasons, findings, file names, URLs) is hostile input: the
//! HTML template escapes it, the PDF template receives it as JSON strings (never as typst
//! markup), and the HTML carries a content security policy that forbids loading anything,
//! so a report opened in a browser makes no network request.
//!
//! Two pieces serve every tekigo report, not only the assessment's: [`typeset`], the one
//! way a typst template becomes a PDF (the zone and conduit report of tekigo-risk uses it
//! too), and [`STYLESHEET`], the CSS every HTML report starts from. tekigo-report depends
//! on no crate that uses them, so the dependencies keep pointing one way.

mod chart;
mod data;
mod html;
mod i18n;
mod oscal;
mod pdf;
mod typeset;

pub use chart::{maturity_svg, radar_svg};
pub use oscal::oscal;
pub use pdf::pdf;
pub use typeset::{typeset, TypstDocument};

/// The stylesheet every HTML report inlines before its own rules, so that the assessment and
/// the zone and conduit reports look like one family and their common rules live once.
pub const STYLESHEET: &str = include_str!("../templates/report.css");

use std::path::PathBuf;
use tekigo_assess::{Assessment, Project};
use tekigo_catalog::{Catalog, Lang};

/// What a report is made of. `generated` is the report's timestamp (RFC 3339), passed in so
/// that the same inputs always give the same bytes.
#[derive(Clone, Copy)]
pub struct ReportInput<'a> {
    pub project: &'a Project,
    pub catalog: &'a Catalog,
    pub assessment: &'a Assessment,
    pub lang: Lang,
    pub generated: &'a str,
    pub options: ReportOptions<'a>,
}

/// What a report is asked for beyond the project and the assessment: the command line's
/// overrides of tekigo.yaml's `report:` section, the grouping, and the 62443-4-1
/// assessments a 4-2 report rests on (the caller loads them, since only it knows where
/// the project's assessments are kept).
#[derive(Clone, Copy, Default)]
pub struct ReportOptions<'a> {
    pub document_id: Option<&'a str>,
    pub revision: Option<&'a str>,
    pub classification: Option<&'a str>,
    /// Requirements grouped by lifecycle phase instead of by FR or practice.
    pub by_phase: bool,
    /// The development-process (62443-4-1) assessments the subject comes out of; empty
    /// when there is none, which a 4-2 report says.
    pub process: &'a [Assessment],
    /// A regime (catalog id such as `eu-cra`) to add a section for: each of its
    /// requirements with the status `tekigo_assess::regime` derives from this assessment
    /// and the 4-1 assessments in `process`, the answers and evidence it rests on, and
    /// the requirements no answer covers.
    pub regime: Option<&'a str>,
}

/// Why a report could not be made. Each variant names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("assessment {assessment}: standard {standard:?} is not in the catalog")]
    UnknownStandard {
        assessment: String,
        standard: String,
    },
    #[error("no regime {0:?} in the catalog (tekigo regime list names them)")]
    UnknownRegime(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A bug in a template or in the labels file shipped with tekigo.
    #[error("report template {name}: {message}")]
    Template { name: String, message: String },
    #[error("PDF: {0}")]
    Typst(String),
    #[error("{0}")]
    Fonts(String),
}

/// The HTML report: one file with its styles and charts inline, that loads nothing.
pub fn html(input: &ReportInput) -> Result<String, ReportError> {
    let data = data::build(input)?;
    html::render(&data)
}
