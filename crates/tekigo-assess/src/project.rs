//! A project: a directory that can live in git and holds everything an assessment needs.
//!
//! ```text
//! tekigo.yaml          product, components, standards in scope, language
//! assessments/ID.yaml  one file per assessment
//! evidence/            content-addressed store: files named by SHA-256 (see `evidence`)
//! ```
//!
//! Every report can be rebuilt from this directory alone; nothing lives in a database that
//! the directory does not also hold.

use crate::assessment::Assessment;
use crate::evidence::EvidenceStore;
use crate::results::ReviewPolicy;
use crate::validate;
use crate::AssessError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tekigo_catalog::{Catalog, ComponentType, Lang};

pub const CONFIG_FILE: &str = "tekigo.yaml";
const ASSESSMENTS_DIR: &str = "assessments";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    pub format: u32,
    pub product: Product,
    #[serde(default)]
    pub components: Vec<Component>,
    /// Catalog ids of the standards in scope.
    #[serde(default)]
    pub standards: Vec<String>,
    /// Language of reports unless a command says otherwise.
    #[serde(default = "default_lang")]
    pub language: Lang,
    /// `review: required`: only reviewed answers count for the claimed level.
    #[serde(default, skip_serializing_if = "ReviewPolicy::is_default")]
    pub review: ReviewPolicy,
}

fn default_lang() -> Lang {
    Lang::En
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub name: String,
    #[serde(rename = "type")]
    pub component_type: ComponentType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// TCP ports the component is meant to have open; `tekigo probe --project` reports any
    /// other open port (CR 7.7, least functionality).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config: ProjectConfig,
}

impl Project {
    /// Creates a project in `dir` (created if missing). Refuses to overwrite an existing one.
    pub fn init(dir: &Path, config: ProjectConfig) -> Result<Project, AssessError> {
        let file = dir.join(CONFIG_FILE);
        if file.exists() {
            return Err(AssessError::message(
                &file,
                "a tekigo project already exists here; nothing was changed",
            ));
        }
        for sub in [ASSESSMENTS_DIR, crate::evidence::EVIDENCE_DIR] {
            std::fs::create_dir_all(dir.join(sub))
                .map_err(|e| AssessError::io(dir.join(sub), e))?;
        }
        let text = serde_norway::to_string(&config).map_err(|e| AssessError::message(&file, e))?;
        let header = "# tekigo project: product, components, standards in scope.\n";
        crate::write_atomically(&file, format!("{header}{text}").as_bytes())?;
        Ok(Project {
            root: dir.to_path_buf(),
            config,
        })
    }

    /// Opens the project whose `tekigo.yaml` is in `start` or the nearest directory above it.
    pub fn discover(start: &Path) -> Result<Project, AssessError> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            if d.join(CONFIG_FILE).is_file() {
                return Project::open(d);
            }
            dir = d.parent();
        }
        Err(AssessError::message(
            start,
            "no tekigo.yaml here or in any directory above; run `tekigo init DIR` first",
        ))
    }

    pub fn open(root: &Path) -> Result<Project, AssessError> {
        let file = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&file).map_err(|e| AssessError::io(&file, e))?;
        let config: ProjectConfig = crate::parse_yaml(&file, &text)?;
        if config.format != 1 {
            return Err(AssessError::message(
                &file,
                format!(
                    "format {} is not supported by this tekigo (1)",
                    config.format
                ),
            ));
        }
        Ok(Project {
            root: root.to_path_buf(),
            config,
        })
    }

    pub fn evidence(&self) -> EvidenceStore {
        EvidenceStore::new(&self.root)
    }

    pub fn component(&self, name: &str) -> Option<&Component> {
        self.config.components.iter().find(|c| c.name == name)
    }

    /// Path of an assessment file. Ids are restricted so that they can never name a path
    /// outside `assessments/`.
    pub fn assessment_path(&self, id: &str) -> Result<PathBuf, AssessError> {
        check_id(id).map_err(|m| AssessError::message(self.root.join(ASSESSMENTS_DIR), m))?;
        Ok(self.root.join(ASSESSMENTS_DIR).join(format!("{id}.yaml")))
    }

    pub fn assessment_ids(&self) -> Result<Vec<String>, AssessError> {
        let dir = self.root.join(ASSESSMENTS_DIR);
        let entries = std::fs::read_dir(&dir).map_err(|e| AssessError::io(&dir, e))?;
        let mut ids: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_suffix(".yaml").map(str::to_string)
            })
            .filter(|id| check_id(id).is_ok())
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// The catalog ids of the standards the project's assessments judge against, once each:
    /// what the levels of one assessment may rest on (a 4-2 claim on a 4-1 assessment).
    pub fn assessment_standards(
        &self,
        catalog: &Catalog,
    ) -> Result<std::collections::BTreeSet<String>, AssessError> {
        let mut out = std::collections::BTreeSet::new();
        for id in self.assessment_ids()? {
            out.insert(self.load_assessment(catalog, &id)?.standard);
        }
        Ok(out)
    }

    /// Loads an assessment and checks it against the catalog and the evidence store; every
    /// problem is reported with its line.
    pub fn load_assessment(&self, catalog: &Catalog, id: &str) -> Result<Assessment, AssessError> {
        let path = self.assessment_path(id)?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                AssessError::message(&path, format!("no assessment {id:?} in this project"))
            } else {
                AssessError::io(&path, e)
            }
        })?;
        let assessment: Assessment = crate::parse_yaml(&path, &text)?;
        let mut problems = validate::assessment(catalog, &assessment, &path, &text);
        if assessment.id != id {
            problems.push(crate::problem(
                &path,
                crate::line_of_key(&text, "id"),
                format!("the file is named {id:?} but holds id {:?}", assessment.id),
            ));
        }
        problems.extend(validate::evidence_present(
            &self.evidence(),
            &assessment,
            &path,
            &text,
        ));
        AssessError::from_problems(problems)?;
        Ok(assessment)
    }

    /// Checks and writes an assessment; on any problem nothing is written.
    pub fn save_assessment(&self, catalog: &Catalog, a: &Assessment) -> Result<(), AssessError> {
        let path = self.assessment_path(&a.id)?;
        let text = to_yaml(a).map_err(|e| AssessError::message(&path, e))?;
        let mut problems = validate::assessment(catalog, a, &path, &text);
        problems.extend(validate::evidence_present(
            &self.evidence(),
            a,
            &path,
            &text,
        ));
        AssessError::from_problems(problems)?;
        crate::write_atomically(&path, text.as_bytes())
    }
}

/// The YAML text of an assessment, with a header that tells a reader what the file is.
pub fn to_yaml(a: &Assessment) -> Result<String, serde_norway::Error> {
    let body = serde_norway::to_string(a)?;
    Ok(format!(
        "# tekigo assessment {}: {} against {}. Edit with `tekigo assess` or by hand.\n{body}",
        a.id, a.subject.name, a.standard
    ))
}

fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "assessment id {id:?} must be 1-64 letters, digits, '-', '_' or '.', not starting with '.'"
        ))
    }
}
