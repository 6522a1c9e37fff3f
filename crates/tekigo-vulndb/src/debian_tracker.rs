//! The Debian security tracker's JSON export (`security-tracker.debian.org/tracker/data/json`):
//! per source package, per CVE, per release, the status and the version that fixed it.
//!
//! This is where Debian's backports are stated: a fix carried into `2.36-9+deb12u3` of
//! bookworm's glibc is fixed there, whatever the upstream version says. Each CVE becomes one
//! OSV-shaped advisory (`DEBIAN-CVE-...`, source `osv`, the CVE as alias) with one
//! `affected` entry per package and release, keyed by source package as Debian's OSV
//! records are, so the matcher's source-package lookup and dpkg comparison apply as they
//! do to osv.dev's Debian data. The rule per release entry:
//!
//! - `resolved` with a fixed version: affected below it (`introduced 0`, `fixed V`);
//! - `resolved` with fixed version `0`: never affected in that release: no entry;
//! - `open`: affected, no fix yet (`introduced 0`);
//! - `undetermined`: affected, and the advisory needs review;
//! - releases other than the numbered ones (`sid`, `experimental`) are skipped.

use crate::model::{Advisory, Body, EventKind, OsvAffected, OsvEvent, OsvRange, RangeKind, Source};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    releases: BTreeMap<String, Release>,
}

#[derive(Deserialize)]
struct Release {
    status: String,
    #[serde(default)]
    fixed_version: Option<String>,
}

/// Debian's release numbers by codename, as OSV names the ecosystem (`Debian:12`).
const RELEASES: [(&str, &str); 6] = [
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
];

/// Whether a JSON document looks like the tracker's export: an object of packages whose
/// first entry is keyed by a CVE (or a tracker `TEMP-`) id.
pub fn looks_like(value: &serde_json::Value) -> bool {
    value
        .as_object()
        .and_then(|m| m.values().next())
        .and_then(|v| v.as_object())
        .and_then(|m| m.keys().next())
        .is_some_and(|k| k.starts_with("CVE-") || k.starts_with("TEMP-"))
}

pub fn parse(bytes: &[u8]) -> Result<Vec<Advisory>, String> {
    let doc: BTreeMap<String, BTreeMap<String, Entry>> =
        serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut by_cve: BTreeMap<String, Advisory> = BTreeMap::new();
    for (package, cves) in doc {
        for (cve, entry) in cves {
            let adv = by_cve.entry(cve.clone()).or_insert_with(|| Advisory {
                id: format!("DEBIAN-{cve}"),
                source: Source::Osv,
                aliases: if cve.starts_with("CVE-") {
                    vec![cve.clone()]
                } else {
                    Vec::new()
                },
                summary: entry.description.clone(),
                published: None,
                modified: None,
                withdrawn: None,
                severity: Vec::new(),
                needs_review: Vec::new(),
                body: Body::Osv {
                    affected: Vec::new(),
                },
            });
            for (codename, release) in entry.releases {
                let Some((_, number)) = RELEASES.iter().find(|(c, _)| *c == codename) else {
                    continue;
                };
                let mut events = vec![OsvEvent {
                    kind: EventKind::Introduced,
                    version: "0".into(),
                }];
                match (release.status.as_str(), release.fixed_version.as_deref()) {
                    ("resolved", Some("0")) => continue,
                    ("resolved", Some(v)) => events.push(OsvEvent {
                        kind: EventKind::Fixed,
                        version: v.to_string(),
                    }),
                    ("open", _) => {}
                    ("undetermined", _) => adv.needs_review.push(format!(
                        "{package} in {codename}: the tracker has not determined whether it is affected"
                    )),
                    (other, _) => {
                        return Err(format!(
                            "{package}.{cve}.releases.{codename}.status: {other:?} is not resolved, open or undetermined"
                        ))
                    }
                }
                if let Body::Osv { affected } = &mut adv.body {
                    affected.push(OsvAffected {
                        ecosystem: format!("Debian:{number}"),
                        name: package.clone(),
                        purl: None,
                        ranges: vec![OsvRange {
                            kind: RangeKind::Ecosystem,
                            events,
                        }],
                        versions: Vec::new(),
                    });
                }
            }
        }
    }
    Ok(by_cve.into_values().collect())
}
