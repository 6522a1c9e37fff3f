//! What the device scanner and the network probe report, and how people and CI systems
//! read it. Both tools answer "what does this device show about IEC 62443-4-2
//! requirement X" with the same five verdicts and the same evidence shape, so an
//! assessment imports either one the same way, and one set of renderers (text, JUnit,
//! SARIF) serves both. The JSON format is documented in `docs/scan-json.md`.

mod model;
pub mod render;

pub use model::*;

use std::collections::BTreeMap;

use tekigo_catalog::{Catalog, Fr};

/// Groups results by FR and computes the SL-C each FR could reach on this evidence: the
/// level just below the lowest `min_sl` of any requirement with a failing or absent check,
/// or 4 when there is none. Requirements without a level (headings) do not cap.
pub fn summarize(catalog: &Catalog, results: &[CheckResult]) -> Vec<FrSummary> {
    let mut out = Vec::new();
    for n in 1..=7u8 {
        let Ok(fr) = Fr::try_from(n) else { continue };
        let mut checks = 0;
        let mut counts: BTreeMap<Verdict, usize> = BTreeMap::new();
        let mut cap: Option<(u8, String)> = None;
        for r in results {
            let items: Vec<_> = r
                .requirements
                .iter()
                .filter_map(|id| catalog.find(id).map(|(_, item)| item))
                .filter(|item| item.fr == Some(fr))
                .collect();
            if items.is_empty() {
                continue;
            }
            checks += 1;
            *counts.entry(r.verdict).or_default() += 1;
            if !r.verdict.is_finding() {
                continue;
            }
            for item in items {
                if let Some(level) = item.min_sl {
                    if cap.as_ref().is_none_or(|(l, _)| level < *l) {
                        cap = Some((level, item.id.clone()));
                    }
                }
            }
        }
        out.push(FrSummary {
            fr: fr.to_string(),
            abbr: fr.abbr().to_string(),
            checks,
            counts,
            sl_c: (checks > 0).then(|| cap.as_ref().map_or(4, |(l, _)| l.saturating_sub(1))),
            capped_by: cap.map(|(_, id)| id),
        });
    }
    out
}
