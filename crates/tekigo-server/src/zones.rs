//! A project's zones and conduits (IEC 62443-3-2) in the server: the model is the project
//! directory's `risk/system.yaml`, held as text in the store (so that every message about
//! it names a line the user wrote), and everything shown is computed from it by
//! `tekigo-risk`, the code `tekigo risk` runs: the rule check, the SL-T derivation, the
//! drawing, and the feasibility against the project's 4-2 assessments in the store.

use crate::error::AppError;
use crate::service;
use crate::state::Shared;
use std::path::Path;
use tekigo_catalog::Lang;
use tekigo_risk::{Derivation, Document, RiskError, Violation, ZoneFeasibility};
use tekigo_store::records;

/// Errors of the model as the web application answers them: a model a person wrote that
/// does not hold is theirs to fix (422); a broken data file or template is ours.
pub fn risk_error(e: RiskError) -> AppError {
    match e {
        RiskError::Input(e) => AppError::BadRequest(e.to_string()),
        other => AppError::Internal(other.to_string()),
    }
}

/// The project's model with everything computed from it.
pub struct Analysis {
    pub doc: Document,
    /// The stored version (the next change must name it).
    pub version: i64,
    pub derivation: Derivation,
    pub violations: Vec<Violation>,
    pub feasibility: Vec<ZoneFeasibility>,
}

/// The model of `project` (`None` when it has none), checked, derived and compared with
/// the component assessments the server holds.
pub fn analysis(s: &Shared, project: &str) -> Result<Option<Analysis>, AppError> {
    let Some((text, version)) = s.store.read(|c| records::risk_model(c, project))? else {
        return Ok(None);
    };
    let doc = parse(&text)?;
    let config = service::project_config(s, project)?;
    let components: Vec<String> = config.components.iter().map(|c| c.name.clone()).collect();
    let violations = tekigo_risk::check(&doc, s.catalog, &components).map_err(risk_error)?;
    let derivation = tekigo_risk::derive(&doc.model);
    let mut assessments = Vec::new();
    for (aid, _) in s.store.read(|c| records::assessments(c, project))? {
        assessments.push(service::load(s, project, &aid)?.assessment);
    }
    let feasibility =
        tekigo_risk::feasibility_of(&assessments, &config, s.catalog, &doc.model, &derivation)
            .map_err(risk_error)?;
    Ok(Some(Analysis {
        doc,
        version,
        derivation,
        violations,
        feasibility,
    }))
}

/// The drawing of an analysed model: zones and conduits with their SL-T, as SVG.
pub fn drawing(a: &Analysis, lang: Lang) -> Result<String, AppError> {
    tekigo_risk::draw::svg(&a.doc.model, &a.derivation, lang).map_err(risk_error)
}

/// Replaces the project's model with `text` (a `risk/system.yaml`) if it reads, starting
/// from `version` (0 when the project has none); returns the new version.
pub fn set_model(
    s: &Shared,
    actor: &str,
    project: &str,
    text: &str,
    version: i64,
) -> Result<i64, AppError> {
    service::project_config(s, project)?;
    parse(text)?;
    Ok(s.store
        .write(|tx| records::risk_model_put(tx, actor, project, text, version))?)
}

/// Reads the model under its name in a project directory, so that errors say
/// `risk/system.yaml:LINE`.
fn parse(text: &str) -> Result<Document, AppError> {
    Document::parse(Path::new(tekigo_risk::MODEL_FILE), text.to_string()).map_err(risk_error)
}
