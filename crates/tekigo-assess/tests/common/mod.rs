//! What the assessment tests share: the built-in catalog and an answer of a given status.

use tekigo_assess::{Answer, Origin, Review, Status};
use tekigo_catalog::Catalog;

pub fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("built-in catalog")
}

/// A person's answer with a reason, and the countermeasure a compensating answer needs.
pub fn answer(status: Status) -> Answer {
    Answer {
        status,
        reason: "because".into(),
        countermeasure: (status == Status::Compensating).then(|| "firewall".into()),
        maturity: None,
        method: None,
        evidence: Vec::new(),
        assessor: None,
        date: "2026-11-23".into(),
        review: Review::Draft,
        reviewer: None,
        origin: Origin::Person,
        findings: Vec::new(),
        inherited: None,
        owner: None,
        deferred_to: None,
        components: Vec::new(),
    }
}
