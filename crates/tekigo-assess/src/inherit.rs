//! Inheritance: a product built on a platform takes the platform's answers from its signed
//! conformity package and confirms only what it adds (seed 000, 図3).
//!
//! The caller verifies the package (tekigo-sign) and passes the upstream assessment with
//! where it came from ([`Upstream`]); this module merges it into the local assessment. The
//! rules, stated once:
//! - An upstream answer to a requirement the local subject can answer becomes an answer
//!   with `origin: inherited` and its provenance (package, its SHA-256, the signer's key
//!   fingerprint, the upstream's status and whether it counted there). It keeps the
//!   upstream's status, reason, countermeasure, method, review and deferral, so it counts
//!   toward the levels exactly as it did upstream (`results` states how). Its evidence is
//!   the package itself (kept in the evidence store), the upstream evidence the package
//!   carried (stored too) and links; evidence listed without its bytes is named in
//!   `inherited.evidence`.
//! - A local answer (person or scan) is never replaced: it overrides the upstream one and
//!   records in `inherited` which upstream answer it overrides.
//! - Inheriting a newer package compares each upstream answer's [`digest`] with the one
//!   recorded. A changed inherited answer is replaced and sent back to review
//!   (`changed_upstream`, `review: draft`); a local answer whose upstream answer changed
//!   stays, marked the same way so that someone looks at the override again; an inherited
//!   answer the new package no longer has is removed.

use crate::assessment::{Answer, Assessment, EvidenceRef, Inheritance, Origin, Review};
use crate::edit::EditError;
use crate::evidence::sha256_bytes;
use crate::results::{applies_at_some_level, ReviewPolicy};
use std::collections::BTreeSet;
use tekigo_catalog::Catalog;

/// A verified upstream assessment and where it came from.
pub struct Upstream<'a> {
    pub assessment: &'a Assessment,
    /// The review rule of the upstream project, with which its answers counted.
    pub review: ReviewPolicy,
    /// `PRODUCT/ASSESSMENT` of the upstream.
    pub source: String,
    /// File name of the package.
    pub package: String,
    /// SHA-256 of the package file, which the caller stored in the evidence store.
    pub package_sha256: String,
    /// Fingerprint of the signer's key.
    pub signer: String,
    /// Upstream evidence whose bytes are now in the local evidence store.
    pub carried: &'a BTreeSet<String>,
}

/// What an inheritance changed, each list of requirement ids in id order.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct InheritSummary {
    /// New inherited answers.
    pub added: Vec<String>,
    /// Inherited answers whose upstream answer is the same.
    pub unchanged: Vec<String>,
    /// Inherited answers that changed upstream: replaced and sent back to review.
    pub changed: Vec<String>,
    /// Local answers kept over the upstream one.
    pub overridden: Vec<String>,
    /// Of those, the ones whose upstream answer changed: to be looked at again.
    pub override_changed: Vec<String>,
    /// Inherited answers the package no longer has.
    pub removed: Vec<String>,
    /// Upstream answers to requirements this subject has no row for (another component
    /// type, a regime requirement).
    pub skipped: Vec<String>,
}

/// The upstream judgement of an answer as a SHA-256: status, reason, countermeasure,
/// maturity, method, evidence, deferral and whether it counted. Review dates and names
/// are left out: they do not change what the answer claims.
pub fn digest(a: &Answer, counted: bool) -> String {
    let judgement = serde_json::json!({
        "status": a.status,
        "reason": a.reason,
        "countermeasure": a.countermeasure,
        "maturity": a.maturity,
        "method": a.method,
        "evidence": a.evidence,
        "deferred_to": a.deferred_to,
        "counted": counted,
    });
    sha256_bytes(judgement.to_string().as_bytes())
}

/// The fingerprint of an ed25519 public key given as raw bytes: SHA-256 in hex.
pub fn fingerprint(public_key: &[u8]) -> String {
    sha256_bytes(public_key)
}

/// Merges the upstream assessment into `local` (see the module docs). Refused, with
/// nothing changed, when the two are against different standards.
pub fn inherit(
    catalog: &Catalog,
    local: &mut Assessment,
    up: &Upstream,
) -> Result<InheritSummary, EditError> {
    let source = up.assessment;
    if source.standard != local.standard {
        return Err(EditError::new(format!(
            "the package holds a {} assessment; {} is against {}",
            source.standard, local.id, local.standard
        )));
    }
    let Some(standard) = catalog.standard(&local.standard) else {
        return Err(EditError::new(format!(
            "unknown standard {:?}",
            local.standard
        )));
    };
    let mut summary = InheritSummary::default();
    let mut upstream_ids = BTreeSet::new();
    for (id, theirs) in &source.answers {
        let applies = standard
            .item(id)
            .is_some_and(|item| applies_at_some_level(item, local.subject.component_type));
        if !applies {
            summary.skipped.push(id.clone());
            continue;
        }
        upstream_ids.insert(id.clone());
        let counted = up.review.counts(theirs);
        let provenance = Inheritance {
            package: up.package.clone(),
            package_sha256: up.package_sha256.clone(),
            signer: up.signer.clone(),
            source: up.source.clone(),
            status: theirs.status,
            counted,
            digest: digest(theirs, counted),
            changed_upstream: false,
            evidence: theirs
                .evidence
                .iter()
                .filter_map(EvidenceRef::stored_sha256)
                .filter(|sha| !up.carried.contains(*sha))
                .map(str::to_string)
                .collect(),
        };
        match local.answers.get_mut(id) {
            None => {
                local
                    .answers
                    .insert(id.clone(), inherited_answer(theirs, provenance, up));
                summary.added.push(id.clone());
            }
            Some(mine) if mine.origin == Origin::Inherited => {
                let same = mine
                    .inherited
                    .as_ref()
                    .is_some_and(|i| i.digest == provenance.digest && !i.changed_upstream);
                if same {
                    // The same judgement in a newer package: point at the newer package.
                    let evidence_kept = inherited_answer(theirs, provenance, up);
                    mine.evidence = evidence_kept.evidence;
                    mine.inherited = evidence_kept.inherited;
                    summary.unchanged.push(id.clone());
                } else {
                    let mut next = inherited_answer(theirs, provenance, up);
                    next.review = Review::Draft;
                    next.reviewer = None;
                    if let Some(i) = next.inherited.as_mut() {
                        i.changed_upstream = true;
                    }
                    *mine = next;
                    summary.changed.push(id.clone());
                }
            }
            Some(mine) => {
                let changed = mine
                    .inherited
                    .as_ref()
                    .is_some_and(|i| i.digest != provenance.digest);
                let mut provenance = provenance;
                if changed {
                    provenance.changed_upstream = true;
                    mine.review = Review::Draft;
                    mine.reviewer = None;
                    summary.override_changed.push(id.clone());
                } else if let Some(i) = &mine.inherited {
                    provenance.changed_upstream = i.changed_upstream;
                }
                mine.inherited = Some(provenance);
                summary.overridden.push(id.clone());
            }
        }
    }
    let gone: Vec<String> = local
        .answers
        .iter()
        .filter(|(id, a)| a.inherited.is_some() && !upstream_ids.contains(*id))
        .map(|(id, _)| id.clone())
        .collect();
    for id in gone {
        if local.answers[&id].origin == Origin::Inherited {
            local.answers.remove(&id);
            summary.removed.push(id);
        } else if let Some(a) = local.answers.get_mut(&id) {
            // The override now stands alone.
            a.inherited = None;
        }
    }
    Ok(summary)
}

/// The local copy of an upstream answer.
fn inherited_answer(theirs: &Answer, provenance: Inheritance, up: &Upstream) -> Answer {
    let mut evidence = vec![EvidenceRef::File {
        sha256: up.package_sha256.clone(),
        name: up.package.clone(),
    }];
    evidence.extend(
        theirs
            .evidence
            .iter()
            .filter(|e| match e.stored_sha256() {
                Some(sha) => up.carried.contains(sha),
                None => true,
            })
            .cloned(),
    );
    Answer {
        origin: Origin::Inherited,
        evidence,
        inherited: Some(provenance),
        ..theirs.clone()
    }
}
