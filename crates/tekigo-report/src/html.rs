//! The HTML report: `templates/report.html` filled with the report model by minijinja, which
//! escapes every value because the template's name ends in `.html`.

use crate::data::ReportData;
use crate::{ReportError, STYLESHEET};
use minijinja::{context, Environment, UndefinedBehavior, Value};

const NAME: &str = "report.html";
const TEMPLATE: &str = include_str!("../templates/report.html");
/// The namespace declaration a standalone SVG file needs and inline SVG in HTML does not;
/// left out so that the page holds no URL the assessor did not write.
const SVG_NS: &str = " xmlns=\"http://www.w3.org/2000/svg\"";

pub(crate) fn render(data: &ReportData) -> Result<String, ReportError> {
    let err = |e: minijinja::Error| ReportError::Template {
        name: NAME.into(),
        message: format!("{e:#}"),
    };
    let mut env = Environment::new();
    // A label or field the template names and the model lacks is a bug, not an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template(NAME, TEMPLATE).map_err(err)?;
    let chart = data
        .chart_svg
        .as_deref()
        .map(|svg| Value::from_safe_string(svg.replacen(SVG_NS, "", 1)));
    env.get_template(NAME)
        .map_err(err)?
        .render(context! {
            r => data,
            L => data.labels,
            chart => chart,
            stylesheet => Value::from_safe_string(STYLESHEET.to_string()),
        })
        .map_err(err)
}
