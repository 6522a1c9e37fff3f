//! Changes to a project's `tekigo.yaml` (product, language, standards in scope,
//! components) and to its members, as the pages and the API make them. Each change is
//! checked whole, then written in one store transaction with its audit entry.

use crate::error::AppError;
use crate::service;
use crate::state::Shared;
use tekigo_assess::project::{Component, Product};
use tekigo_assess::ProjectConfig;
use tekigo_catalog::Lang;
use tekigo_store::records;
use tekigo_store::users::{self, Role};

/// The format of `tekigo.yaml` a new project gets (what `tekigo init` writes).
const CONFIG_FORMAT: u32 = 1;

/// What the project form edits: everything of `tekigo.yaml` but the components.
#[derive(Debug, Clone)]
pub struct Settings {
    pub product: Product,
    pub language: Lang,
    pub standards: Vec<String>,
}

/// Text a person types into one line: trimmed, 1-`max` characters, no control characters.
pub fn one_line(what: &str, text: &str, max: usize) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(AppError::BadRequest(format!(
            "{what}: 1-{max} characters on one line"
        )));
    }
    Ok(t.to_string())
}

/// The rules a project's configuration keeps besides its format: every standard in scope
/// is in the catalog, component names are unique and fit on one line.
fn check_config(s: &Shared, config: &ProjectConfig) -> Result<(), AppError> {
    one_line("product name", &config.product.name, 200)?;
    for std in &config.standards {
        if s.catalog.standard(std).is_none() {
            return Err(AppError::BadRequest(format!("unknown standard {std:?}")));
        }
    }
    for (i, c) in config.components.iter().enumerate() {
        one_line("component name", &c.name, 128)?;
        if config.components[..i].iter().any(|d| d.name == c.name) {
            return Err(AppError::BadRequest(format!(
                "component {:?} is listed twice",
                c.name
            )));
        }
    }
    Ok(())
}

/// Creates a project with no components (server administrators).
pub fn create(s: &Shared, actor: &str, id: &str, settings: Settings) -> Result<(), AppError> {
    let config = ProjectConfig {
        format: CONFIG_FORMAT,
        product: settings.product,
        components: Vec::new(),
        standards: settings.standards,
        language: settings.language,
        report: Default::default(),
        review: Default::default(),
        freshness: Default::default(),
        upkeep: Default::default(),
    };
    check_config(s, &config)?;
    service::create_project(s, actor, id, &config)
}

/// Applies `change` to the project's configuration and stores it if it still holds.
fn update(
    s: &Shared,
    actor: &str,
    project: &str,
    change: impl FnOnce(&mut ProjectConfig) -> Result<(), AppError>,
) -> Result<ProjectConfig, AppError> {
    let mut config = service::project_config(s, project)?;
    change(&mut config)?;
    check_config(s, &config)?;
    let json = serde_json::to_string(&config).map_err(|e| AppError::Internal(e.to_string()))?;
    s.store
        .write(|tx| records::project_set_config(tx, actor, project, &json))?;
    Ok(config)
}

/// Changes the product, language and standards; the components stay.
pub fn save_settings(
    s: &Shared,
    actor: &str,
    project: &str,
    settings: Settings,
) -> Result<ProjectConfig, AppError> {
    update(s, actor, project, |c| {
        // The product description and support period come from tekigo.yaml; the form
        // does not carry them.
        let description = c.product.description.take();
        let support_until = c.product.support_until.take();
        c.product = settings.product;
        c.product.description = c.product.description.take().or(description);
        c.product.support_until = c.product.support_until.take().or(support_until);
        c.language = settings.language;
        c.standards = settings.standards;
        Ok(())
    })
}

/// Adds a component, or replaces the one named `replaces`. A renamed component keeps its
/// assessments only by their subject name, so renaming one that an assessment names is
/// refused.
pub fn save_component(
    s: &Shared,
    actor: &str,
    project: &str,
    component: Component,
    replaces: Option<&str>,
) -> Result<ProjectConfig, AppError> {
    let subjects = assessment_subjects(s, project)?;
    update(s, actor, project, |c| match replaces {
        None => {
            c.components.push(component);
            Ok(())
        }
        Some(old) => {
            let slot = c
                .components
                .iter_mut()
                .find(|x| x.name == old)
                .ok_or_else(|| AppError::NotFound(format!("component {old:?} not found")))?;
            if component.name != old && subjects.iter().any(|n| n == old) {
                return Err(AppError::BadRequest(format!(
                    "component {old:?} is the subject of an assessment; it keeps its name"
                )));
            }
            *slot = component;
            Ok(())
        }
    })
}

/// Removes a component that no assessment is about.
pub fn remove_component(
    s: &Shared,
    actor: &str,
    project: &str,
    name: &str,
) -> Result<ProjectConfig, AppError> {
    let subjects = assessment_subjects(s, project)?;
    update(s, actor, project, |c| {
        if subjects.iter().any(|n| n == name) {
            return Err(AppError::BadRequest(format!(
                "component {name:?} is the subject of an assessment; it cannot be removed"
            )));
        }
        let before = c.components.len();
        c.components.retain(|x| x.name != name);
        if c.components.len() == before {
            return Err(AppError::NotFound(format!("component {name:?} not found")));
        }
        Ok(())
    })
}

/// The subject names of the project's assessments.
fn assessment_subjects(s: &Shared, project: &str) -> Result<Vec<String>, AppError> {
    let mut names = Vec::new();
    for (aid, header) in s.store.read(|c| records::assessments(c, project))? {
        let a: tekigo_assess::Assessment = serde_json::from_str(&header)
            .map_err(|e| AppError::Internal(format!("assessment {project}/{aid}: {e}")))?;
        names.push(a.subject.name);
    }
    Ok(names)
}

/// Gives the user named `name` a role in the project, or takes it away with `None`.
pub fn set_member(
    s: &Shared,
    actor: &str,
    project: &str,
    name: &str,
    role: Option<&str>,
) -> Result<Option<Role>, AppError> {
    let role = role
        .map(|r| {
            Role::parse(r).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "role {r:?}: use viewer, contributor, assessor or admin"
                ))
            })
        })
        .transpose()?;
    let user = s
        .store
        .read(|c| users::by_name(c, name))?
        .ok_or_else(|| AppError::NotFound(format!("user {name:?} not found")))?;
    s.store
        .write(|tx| users::set_role(tx, actor, project, &user, role))?;
    Ok(role)
}
