//! Zones and conduits (IEC 62443-3-2): the risk assessment that sets target security levels.
//!
//! A system integrator describes the system under consideration in the project directory
//! (`risk/system.yaml`, see [`model`]): its assets, the zones and conduits they are
//! partitioned into, the data flows between assets, the threats, a risk register rated on
//! the organisation's own risk matrix, and the state of each ZCR step. From that file this
//! crate
//!
//! - checks the partition against the rules of ZCR 3 and the register against ZCR 5
//!   ([`check`]), naming the rule and the element of every violation;
//! - derives an SL-T vector per zone and conduit from the unmitigated risk with a rule that
//!   is part of the file, keeping every step so a reader can redo it by hand ([`derive`]);
//! - compares each zone's SL-T with the achieved level of the 4-2 assessments of its
//!   components, with its own SL-A from a 3-3 assessment and with its conduits, and lists
//!   the 3-3 requirements the system has to provide ([`feasibility`]);
//! - prefills a zone's 3-3 assessment from its components' 4-2 results through the
//!   catalog's mapping ([`prefill`]);
//! - draws the zones and conduits as SVG and DOT ([`draw`], [`drawing`] for a project
//!   directory) and writes a report in English or Japanese, as self-contained HTML or as PDF
//!   ([`report`]).
//!
//! Rule texts and report labels live in `data/*.yaml`, not in code.

pub mod check;
pub mod derive;
pub mod draw;
pub mod feasibility;
pub mod model;
pub mod prefill;
pub mod report;
mod text;

pub use check::{check, Violation};
pub use derive::{derive, Derivation, Step, TargetSl};
pub use feasibility::{
    component_targets, feasibility, feasibility_of, ComponentFit, ConduitFit, SystemLevel,
    SystemRequirement, ZoneFeasibility,
};
pub use model::RiskModel;
pub use tekigo_catalog::Problem;

use std::fmt;
use std::path::{Path, PathBuf};
use tekigo_catalog::{Fr, MAX_LEVEL};

/// Where the model lives inside a project directory.
pub const MODEL_FILE: &str = "risk/system.yaml";

/// Why the model could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RiskError {
    /// A file of the project could not be read, or is invalid: every problem with its file
    /// and line, so one pass fixes all of them.
    #[error(transparent)]
    Input(#[from] tekigo_assess::AssessError),
    /// A bug in a data file or template shipped with tekigo (the tests catch it).
    #[error("{name}: {message}")]
    Data { name: String, message: String },
    /// The PDF could not be typeset: no usable font (the message says what to install), or
    /// a bug in `templates/risk.typ`.
    #[error(transparent)]
    Pdf(#[from] tekigo_report::ReportError),
}

fn invalid(problems: Vec<Problem>) -> RiskError {
    RiskError::Input(tekigo_assess::AssessError::Invalid(problems))
}

/// The model together with the file it came from, so that every message can name a line.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: PathBuf,
    pub text: String,
    pub model: RiskModel,
}

impl Document {
    /// Reads `risk/system.yaml` of the project at `root`.
    pub fn load(root: &Path) -> Result<Document, RiskError> {
        let path = root.join(MODEL_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                invalid(vec![problem(
                    &path,
                    None,
                    "no zone and conduit model here: write risk/system.yaml (see examples/water-treatment)",
                )])
            } else {
                tekigo_assess::AssessError::io(&path, source).into()
            }
        })?;
        Document::parse(&path, text)
    }

    /// Parses and checks the parts that must add up before anything can be computed: the
    /// format, the risk matrix, the derivation rule and SL-T overrides.
    pub fn parse(path: &Path, text: String) -> Result<Document, RiskError> {
        let model: RiskModel = serde_norway::from_str(&text)
            .map_err(|e| invalid(vec![problem(path, e.location().map(|l| l.line()), e)]))?;
        let doc = Document {
            path: path.to_path_buf(),
            text,
            model,
        };
        let problems = doc.config_problems();
        if problems.is_empty() {
            Ok(doc)
        } else {
            Err(invalid(problems))
        }
    }

    /// The 1-based line of the first `KEY: VALUE` (or `- KEY: VALUE`) in the file.
    pub fn line_of(&self, key: &str, value: &str) -> Option<usize> {
        line_of(&self.text, key, Some(value))
    }

    fn key_line(&self, key: &str) -> Option<usize> {
        line_of(&self.text, key, None)
    }

    fn config_problems(&self) -> Vec<Problem> {
        let m = &self.model;
        let mut out = Vec::new();
        let mut bad = |line: Option<usize>, msg: String| out.push(problem(&self.path, line, msg));
        if m.format != model::FORMAT_VERSION {
            bad(
                self.key_line("format"),
                format!(
                    "format {} is not supported by this tekigo ({})",
                    m.format,
                    model::FORMAT_VERSION
                ),
            );
        }
        let mx = &m.matrix;
        for (name, scale) in [
            ("likelihood", &mx.likelihood),
            ("consequence", &mx.consequence),
            ("risk", &mx.risk),
        ] {
            if scale.is_empty() {
                bad(
                    self.key_line(name),
                    format!("matrix.{name} needs at least one level"),
                );
            }
            for (i, g) in scale.iter().enumerate() {
                if scale[..i].iter().any(|h| h.id == g.id) {
                    bad(
                        self.line_of("id", &g.id),
                        format!("matrix.{name}: level {:?} is listed twice", g.id),
                    );
                }
            }
        }
        for g in &mx.likelihood {
            match mx.cells.get(&g.id) {
                None => bad(
                    self.key_line("cells"),
                    format!("matrix.cells has no row for likelihood {:?}", g.id),
                ),
                Some(row) if row.len() != mx.consequence.len() => bad(
                    self.key_line(&g.id),
                    format!(
                        "matrix.cells.{}: {} cells for {} consequence levels",
                        g.id,
                        row.len(),
                        mx.consequence.len()
                    ),
                ),
                Some(row) => {
                    for cell in row.iter().filter(|c| mx.rank(c).is_none()) {
                        bad(
                            self.key_line(&g.id),
                            format!("matrix.cells.{}: {cell:?} is not a risk level", g.id),
                        );
                    }
                }
            }
        }
        for key in mx
            .cells
            .keys()
            .filter(|k| !mx.likelihood.iter().any(|g| &&g.id == k))
        {
            bad(
                self.key_line(key),
                format!("matrix.cells: {key:?} is not a likelihood level"),
            );
        }
        if mx.rank(&mx.tolerable).is_none() {
            bad(
                self.key_line("tolerable"),
                format!("matrix.tolerable: {:?} is not a risk level", mx.tolerable),
            );
        }
        let rule = &m.derivation;
        for g in &mx.risk {
            let n = rule.rows.iter().filter(|r| r.risk == g.id).count();
            if n != 1 {
                bad(
                    self.key_line("rows"),
                    format!(
                        "derivation.rows: risk level {:?} needs exactly one row, has {n}",
                        g.id
                    ),
                );
            }
        }
        for row in &rule.rows {
            if mx.rank(&row.risk).is_none() {
                bad(
                    self.line_of("risk", &row.risk),
                    format!("derivation.rows: {:?} is not a risk level", row.risk),
                );
            }
            if row.sl > MAX_LEVEL {
                bad(
                    self.line_of("risk", &row.risk),
                    format!("derivation.rows: SL {} is above {MAX_LEVEL}", row.sl),
                );
            }
        }
        for (i, t) in rule.threat_types.iter().enumerate() {
            let line = self.line_of("id", &t.id);
            if rule.threat_types[..i].iter().any(|u| u.id == t.id) {
                bad(
                    line,
                    format!("derivation.threat_types: {:?} is listed twice", t.id),
                );
            }
            let mut seen = [false; 7];
            for (key, offset) in &t.frs {
                match key.parse::<Fr>() {
                    Ok(fr) if seen[fr.index()] => bad(
                        line,
                        format!("threat type {:?}: {} is given twice", t.id, fr.label()),
                    ),
                    Ok(fr) => seen[fr.index()] = true,
                    Err(e) => bad(line, format!("threat type {:?}: {e}", t.id)),
                }
                if !(-(MAX_LEVEL as i8)..=0).contains(offset) {
                    bad(
                        line,
                        format!(
                            "threat type {:?}: offset {offset} for {key} must be between -4 and 0",
                            t.id
                        ),
                    );
                }
            }
        }
        let overrides = m
            .zones
            .iter()
            .map(|z| (&z.id, &z.sl_t_override))
            .chain(m.conduits.iter().map(|c| (&c.id, &c.sl_t_override)));
        for (id, o) in overrides {
            let Some(o) = o else { continue };
            if o.sl_t.iter().any(|&l| l > MAX_LEVEL) {
                bad(
                    self.line_of("id", id),
                    format!("{id}: sl_t_override levels must be 0-4"),
                );
            }
            if o.justification.is_empty() {
                bad(
                    self.line_of("id", id),
                    format!("{id}: sl_t_override needs a justification"),
                );
            }
        }
        out
    }
}

/// The zone and conduit drawing of the project at `root` (its `risk/system.yaml`) as one
/// standalone SVG document, every zone and conduit labelled with its derived SL-T. This is
/// the picture `tekigo risk draw --format svg` prints and the reports embed, for callers
/// (the web pages) that hold a project directory; with a model already in memory, call
/// [`draw::svg`] with [`derive`]'s result. Errors name the file and line of a model that
/// cannot be read.
pub fn drawing(root: &Path, lang: tekigo_catalog::Lang) -> Result<String, RiskError> {
    let doc = Document::load(root)?;
    draw::svg(&doc.model, &derive(&doc.model), lang)
}

fn problem(path: &Path, line: Option<usize>, message: impl fmt::Display) -> Problem {
    Problem {
        file: path.display().to_string(),
        line,
        message: message.to_string(),
    }
}

/// The 1-based line of the first `key: value` (quoted or not, possibly a list item); with no
/// value, of the first `key:`.
fn line_of(text: &str, key: &str, value: Option<&str>) -> Option<usize> {
    let keys = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    text.lines()
        .position(|line| {
            let t = line
                .trim_start()
                .trim_start_matches("- ")
                .trim_start_matches('{');
            keys.iter().any(|k| {
                t.strip_prefix(k.as_str()).is_some_and(|rest| match value {
                    None => true,
                    Some(v) => {
                        let rest = rest.trim_start();
                        let rest = rest.trim_start_matches(['"', '\'']);
                        rest.strip_prefix(v).is_some_and(|after| {
                            after.is_empty() || after.starts_with(['"', '\'', ',', '}', ' ', '#'])
                        })
                    }
                })
            })
        })
        .map(|i| i + 1)
}
