//! The PDF report, typeset by typst from `templates/report.typ` through [`crate::typeset`],
//! which states what the template can read and where its fonts come from. `/chart.svg` is
//! the same SVG chart the HTML report inlines.

use crate::data;
use crate::typeset::{typeset, TypstDocument};
use crate::{ReportError, ReportInput};
use std::path::Path;

const NAME: &str = "templates/report.typ";
const TEMPLATE: &str = include_str!("../templates/report.typ");
const CHART: &str = "/chart.svg";

/// The PDF report. `font_dir` adds a directory of fonts (searched recursively) to the
/// system's, for machines where Noto Sans CJK is not installed system-wide.
pub fn pdf(input: &ReportInput, font_dir: Option<&Path>) -> Result<Vec<u8>, ReportError> {
    let data = data::build(input)?;
    let json = serde_json::to_value(&data).map_err(|e| ReportError::Template {
        name: NAME.into(),
        message: e.to_string(),
    })?;
    let chart = data.chart_svg.as_deref().map(str::as_bytes);
    let files: Vec<(&str, &[u8])> = chart.map(|svg| (CHART, svg)).into_iter().collect();
    typeset(
        &TypstDocument {
            name: NAME,
            source: TEMPLATE,
            data: &json,
            files: &files,
            lang: input.lang,
        },
        font_dir,
    )
}
