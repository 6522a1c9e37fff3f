//! Changes to an assessment, as the command line and the web application make them. Each
//! returns a clear error before anything is changed; saving validates again.

use crate::assessment::{
    Answer, Assessment, EvidenceRef, Finding, Method, Origin, Review, Role, Status, Subject,
    SubjectKind, Target, FORMAT_VERSION,
};
use crate::results::applies_at_some_level;
use std::fmt;
use tekigo_catalog::{Catalog, ComponentType, Level, LevelScheme, SlVector};

/// Why an edit was refused. The message is meant for the person who typed the command;
/// `refusal` says which rule refused a change to an answer, for a caller that words it
/// itself (the web application, in the page's language and without the command's flags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    pub message: String,
    pub refusal: Option<Refusal>,
}

/// A rule that refused a change to the answer of requirement `id` (see [`set_answer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The requirement has no answer yet and the change gives no status.
    NoAnswerYet { id: String },
    /// A requirement left to another party cannot be met here.
    DeferredButMet { id: String },
    /// The two-person rule: the assessor cannot review their own answer.
    ReviewerIsAssessor { id: String },
}

impl EditError {
    pub fn new(message: impl Into<String>) -> EditError {
        EditError {
            message: message.into(),
            refusal: None,
        }
    }
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EditError {}

fn refuse<T>(message: impl Into<String>) -> Result<T, EditError> {
    Err(EditError::new(message))
}

/// [`refuse`] by one of the answer rules.
fn refuse_by<T>(refusal: Refusal, message: String) -> Result<T, EditError> {
    Err(EditError {
        message,
        refusal: Some(refusal),
    })
}

pub struct NewAssessment {
    pub id: String,
    pub standard: String,
    pub subject: String,
    pub component_type: Option<ComponentType>,
    pub version: Option<String>,
    pub target_sl: Option<SlVector>,
    pub target_ml: Option<Level>,
}

/// A new, empty assessment with the target the standard calls for.
pub fn new_assessment(catalog: &Catalog, n: NewAssessment) -> Result<Assessment, EditError> {
    let Some(standard) = catalog.standard(&n.standard) else {
        return refuse(format!(
            "unknown standard {:?}: use 62443-4-2, 62443-3-3, 62443-4-1, 62443-2-1 or 62443-3-2",
            n.standard
        ));
    };
    let has_types = standard.items.iter().any(|i| i.component_type.is_some());
    let name = &standard.info.id;
    match (has_types, n.component_type) {
        (true, None) => {
            return refuse(format!(
                "{name} needs --type embedded|network|host|software"
            ))
        }
        (false, Some(_)) => {
            return refuse(format!("{name} has no component types; leave out --type"))
        }
        _ => {}
    }
    let target = match (standard.info.levels, n.target_sl, n.target_ml) {
        (LevelScheme::Security, Some(v), None) => Target::SecurityLevels(v),
        (LevelScheme::Security, _, _) => {
            return refuse(format!(
                "{name} needs --sl-t (one level, or seven in FR order) and no --ml-t"
            ))
        }
        (LevelScheme::Maturity, None, Some(l)) if (1..=4).contains(&l) => Target::MaturityLevel(l),
        (LevelScheme::Maturity, _, _) => {
            return refuse(format!("{name} needs --ml-t 1-4 and no --sl-t"))
        }
        (LevelScheme::None, None, None) => Target::None,
        (LevelScheme::None, _, _) => {
            return refuse(format!("{name} has no levels; leave out --sl-t and --ml-t"))
        }
    };
    let kind = match (has_types, standard.info.levels) {
        (true, _) => SubjectKind::Component,
        (false, LevelScheme::Maturity) => SubjectKind::Organisation,
        _ => SubjectKind::System,
    };
    Ok(Assessment {
        format: FORMAT_VERSION,
        id: n.id,
        standard: standard.info.id.clone(),
        subject: Subject {
            kind,
            name: n.subject,
            component_type: n.component_type,
            version: n.version,
        },
        target,
        created: crate::now_rfc3339(),
        answers: Default::default(),
    })
}

/// The canonical id of a requirement the assessment can answer, from any spelling the
/// catalog accepts (`CR1.1`, `cr 1.1 re(1)`).
pub fn requirement_id(catalog: &Catalog, a: &Assessment, input: &str) -> Result<String, EditError> {
    let Some((standard, item)) = catalog.find(input) else {
        return refuse(format!(
            "{input:?} is not a catalog id (see `tekigo checklist`)"
        ));
    };
    if standard.info.regime && crate::regime::is_regime_requirement(catalog, &item.id) {
        // Answered directly, beside the 62443 answers (see `regime`).
        return Ok(item.id.clone());
    }
    if standard.info.id != a.standard {
        return refuse(format!(
            "{} is an item of {}, but assessment {} is against {}",
            item.id, standard.info.id, a.id, a.standard
        ));
    }
    if !applies_at_some_level(item, a.subject.component_type) {
        let hint = if item.defers_to.is_empty() {
            String::new()
        } else {
            let ty = a.subject.component_type;
            let rows: Vec<&str> = item
                .defers_to
                .iter()
                .filter(|r| {
                    standard
                        .item(r)
                        .is_some_and(|i| ty.is_none_or(|t| i.binds(t)))
                })
                .map(String::as_str)
                .collect();
            format!("; answer {} instead", rows.join(" or "))
        };
        return refuse(format!(
            "{} carries no requirement for this subject{hint}",
            item.id
        ));
    }
    Ok(item.id.clone())
}

/// What `assess set` changes.
#[derive(Debug, Clone, Default)]
pub struct AnswerUpdate {
    pub status: Option<Status>,
    pub reason: Option<String>,
    pub countermeasure: Option<String>,
    pub maturity: Option<Level>,
    /// How the requirement was verified (inspection, test, document review, scan).
    pub method: Option<Method>,
    /// Added to the evidence already there (duplicates ignored).
    pub evidence: Vec<EvidenceRef>,
    pub assessor: Option<String>,
    pub finding: Option<Finding>,
    /// Mark the answer reviewed by this person. Any other change returns it to draft.
    pub reviewed_by: Option<String>,
    /// Who answers for the requirement.
    pub owner: Option<Role>,
    /// Leave the requirement to this party (status becomes not-satisfied unless partial).
    pub deferred_to: Option<Role>,
    pub date: String,
}

/// Applies an update from a person. A new answer needs a status.
///
/// The two-person rule (the reviewer is never the assessor) rests on who the assessor
/// is, so only a judgement (status, reason, countermeasure, maturity, method, finding) makes the
/// updater the assessor. Attaching evidence returns the answer to draft but keeps its
/// assessor: otherwise a contributor attaching a file would become the assessor, and the
/// real assessor could then review their own answer.
pub fn set_answer(a: &mut Assessment, id: &str, u: AnswerUpdate) -> Result<(), EditError> {
    let judges = u.status.is_some()
        || u.deferred_to.is_some()
        || u.reason.is_some()
        || u.countermeasure.is_some()
        || u.maturity.is_some()
        || u.method.is_some()
        || u.finding.is_some();
    let changes_content = judges || !u.evidence.is_empty();
    let answer = match a.answers.get_mut(id) {
        Some(answer) => answer,
        None => {
            let status = match (u.status, u.deferred_to) {
                (Some(s), _) => s,
                (None, Some(_)) => Status::NotSatisfied,
                (None, None) => {
                    return refuse_by(
                        Refusal::NoAnswerYet { id: id.to_string() },
                        format!("{id} has no answer yet: give --status"),
                    )
                }
            };
            a.answers
                .entry(id.to_string())
                .or_insert(Answer::new(status, u.date.clone()))
        }
    };
    if judges && answer.origin == Origin::Inherited {
        // A local judgement overrides the inherited answer: it becomes this project's own,
        // keeps the record of what it overrides, and no longer rests on upstream evidence.
        answer.origin = Origin::Person;
        answer.evidence.clear();
        answer.findings.clear();
        answer.assessor = None;
    }
    if let Some(i) = answer.inherited.as_mut() {
        // Someone here looked at the answer after its upstream changed.
        if changes_content || u.reviewed_by.is_some() {
            i.changed_upstream = false;
        }
    }
    if let Some(owner) = u.owner {
        answer.owner = Some(owner);
    }
    match (u.deferred_to, u.status) {
        (Some(_), Some(s)) if s.is_met() => {
            return refuse_by(
                Refusal::DeferredButMet { id: id.to_string() },
                format!(
                    "{id}: a deferred requirement is not met here; give --status partial or not-satisfied, or leave it out"
                ),
            )
        }
        (Some(party), status) => {
            answer.deferred_to = Some(party);
            if status.is_none() && answer.status.is_met() {
                answer.status = Status::NotSatisfied;
            }
        }
        // Meeting the requirement here takes it back from the party it was left to.
        (None, Some(s)) if s.is_met() => answer.deferred_to = None,
        _ => {}
    }
    if let Some(s) = u.status {
        answer.status = s;
    }
    if let Some(r) = u.reason {
        answer.reason = r;
    }
    if let Some(c) = u.countermeasure {
        answer.countermeasure = Some(c);
    }
    if let Some(m) = u.maturity {
        answer.maturity = Some(m);
    }
    if let Some(m) = u.method {
        answer.method = Some(m);
    }
    for e in u.evidence {
        if !answer.evidence.contains(&e) {
            answer.evidence.push(e);
        }
    }
    if let Some(f) = u.finding {
        answer.findings.push(f);
    }
    if changes_content {
        answer.origin = Origin::Person;
        answer.date = u.date;
        answer.review = Review::Draft;
        answer.reviewer = None;
        if judges && u.assessor.is_some() {
            answer.assessor = u.assessor;
        }
    }
    if let Some(reviewer) = u.reviewed_by {
        if answer.assessor.as_deref() == Some(reviewer.as_str()) {
            return refuse_by(
                Refusal::ReviewerIsAssessor { id: id.to_string() },
                format!("{id}: the reviewer must be someone other than the assessor"),
            );
        }
        answer.review = Review::Reviewed;
        answer.reviewer = Some(reviewer);
    }
    Ok(())
}
