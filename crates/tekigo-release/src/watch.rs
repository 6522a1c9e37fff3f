//! The watch: the SBOMs of every release still in support, matched again against the
//! advisory database, and what is new recorded in `watch/findings.json`.
//!
//! The rules, stated once:
//! - **Which releases are watched.** A release's support period ends on its own
//!   `support_until`, else on tekigo.yaml's `product.support_until` (the period the
//!   manufacturer states, CRA Art. 13(8)). A release is watched up to and including that
//!   day; the day after, it is not. A release with no period from either is watched (an
//!   unknown end is not an end).
//! - **What is recorded.** One finding per (release, vulnerability id, component), the
//!   first time a run sees it, with `first_seen` the run's time (with `--today`, that day
//!   at 00:00 UTC) and whether the advisory is in CISA KEV; it is never recorded again,
//!   and a finding that disappears (an advisory withdrawn) stays in the file as history.
//! - **The CRA clock** of a KEV finding (an actively exploited vulnerability, CRA Art. 14):
//!   the early warning is due 24 hours and the notification 72 hours after `first_seen`,
//!   the moment tekigo made the manufacturer aware. The final report's 14 days run from
//!   when a fix is available, which the advisory database cannot tell, so it is not given.
//! - **One writer at a time.** Every change to `watch/findings.json` (a watch recording,
//!   a webhook delivery marking) holds an exclusive lock on `watch/findings.lock` from
//!   reading the file to writing it back ([`update_findings`]), so two watches, or a watch
//!   and a delivery, running at once cannot lose what the other recorded.
//!
//! **Cheap re-match.** Releases share most of their components, so each distinct component
//! is matched once across all SBOMs ([`rematch`] states how components with CPEs, whose NVD
//! matches read the SBOM's platforms, are grouped), and its findings handed to every SBOM
//! that lists it.

use crate::{invalid, io, Release, ReleaseError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use tekigo_sbom::Sbom;
use tekigo_vulndb::{Db, Finding, Query};

/// Where the watch keeps what it found, relative to the project.
pub const FINDINGS_FILE: &str = "watch/findings.json";

/// The lock file every writer of [`FINDINGS_FILE`] holds (see the module docs).
pub const LOCK_FILE: &str = "watch/findings.lock";

/// `watch/findings.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingsFile {
    pub format: u32,
    pub findings: Vec<WatchFinding>,
}

impl Default for FindingsFile {
    fn default() -> Self {
        FindingsFile {
            format: 1,
            findings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchFinding {
    pub release: String,
    pub vulnerability: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// PURL, or NAME@VERSION.
    pub component: String,
    /// RFC 3339.
    pub first_seen: String,
    pub kev: bool,
    pub kev_date_added: Option<String>,
    /// When the webhook accepted it (RFC 3339); `null` until then.
    #[serde(default)]
    pub delivered_at: Option<String>,
}

impl WatchFinding {
    /// The CRA clock of a KEV finding (see the module docs): early warning and notification
    /// deadlines, RFC 3339; `None` for a finding not in KEV.
    pub fn cra_clock(&self) -> Option<(String, String)> {
        if !self.kev {
            return None;
        }
        use time::format_description::well_known::Rfc3339;
        let seen = time::OffsetDateTime::parse(&self.first_seen, &Rfc3339).ok()?;
        let at = |h: i64| (seen + time::Duration::hours(h)).format(&Rfc3339).ok();
        Some((at(24)?, at(72)?))
    }
}

pub fn findings_path(root: &Path) -> PathBuf {
    root.join(FINDINGS_FILE)
}

/// Reads `watch/findings.json`; none yet is an empty file.
pub fn load_findings(root: &Path) -> Result<FindingsFile, ReleaseError> {
    let path = findings_path(root);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| {
            invalid(
                &path,
                format!("line {} column {}: {e}", e.line(), e.column()),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FindingsFile::default()),
        Err(e) => Err(io(&path)(e)),
    }
}

pub fn save_findings(root: &Path, file: &FindingsFile) -> Result<(), ReleaseError> {
    let path = findings_path(root);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut json = serde_json::to_vec_pretty(file).map_err(|e| invalid(&path, e.to_string()))?;
    json.push(b'\n');
    Ok(tekigo_assess::write_atomically(&path, &json)?)
}

/// Reads `watch/findings.json`, lets `change` edit it, and writes it back when `change`
/// says it changed something, all under the exclusive lock of the module docs (waiting
/// for another holder to finish). Returns what `change` returned.
pub fn update_findings<T>(
    root: &Path,
    change: impl FnOnce(&mut FindingsFile) -> (bool, T),
) -> Result<T, ReleaseError> {
    let lock_path = root.join(LOCK_FILE);
    if let Some(dir) = lock_path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io(&lock_path))?;
    // Released when `lock` is closed at the end of this function, also on an error.
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| io(&lock_path)(e.into()))?;
    let mut file = load_findings(root)?;
    let (changed, out) = change(&mut file);
    if changed {
        save_findings(root, &file)?;
    }
    drop(lock);
    Ok(out)
}

/// The last day of a release's support period (see the module docs).
pub fn support_until<'a>(release: &'a Release, product: Option<&'a str>) -> Option<&'a str> {
    tekigo_assess::releases::support_end(release.support_until.as_deref(), product)
}

/// Whether a release whose period ends on `until` is in support on `today` (both
/// YYYY-MM-DD, which order as text).
pub fn in_support(until: Option<&str>, today: &str) -> bool {
    until.is_none_or(|u| today <= u)
}

/// What one run of the watch saw.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub watched: Vec<String>,
    /// Releases whose support period ended, with its last day.
    pub past_support: Vec<(String, String)>,
    /// Findings recorded by this run.
    pub new: Vec<WatchFinding>,
}

/// Runs the watch over the project in `root` (see the module docs) and saves what is new.
pub fn watch(
    root: &Path,
    product_support_until: Option<&str>,
    db: &Db,
    today: &str,
    now: &str,
) -> Result<Outcome, ReleaseError> {
    let mut outcome = Outcome::default();
    // Each SBOM is parsed once and dropped once its queries are in the re-match; the
    // release of each SBOM, in the order they were added.
    let mut shared = Rematch::new(db);
    let mut release_of: Vec<String> = Vec::new();
    let mut first_of: HashMap<[u8; 32], usize> = HashMap::new();
    for release in crate::list(root)? {
        let until = support_until(&release, product_support_until);
        if !in_support(until, today) {
            outcome.past_support.push((
                release.version.clone(),
                until.unwrap_or_default().to_string(),
            ));
            continue;
        }
        for name in &release.sboms {
            // Releases often carry the same SBOM (a re-freeze, a patch release with the
            // same components): its queries are taken again, not parsed again.
            let bytes = crate::read_release_file(root, &release.version, name)?;
            let hash: [u8; 32] = Sha256::digest(&bytes).into();
            match first_of.get(&hash) {
                Some(&earlier) => shared.add_again(earlier),
                None => {
                    shared.add(&crate::parse_sbom(&release.version, name, &bytes)?);
                    first_of.insert(hash, release_of.len());
                }
            }
            release_of.push(release.version.clone());
        }
        outcome.watched.push(release.version);
    }
    let found = shared.run(db)?;
    outcome.new = update_findings(root, |file| {
        let mut seen: BTreeSet<(String, String, String)> = file
            .findings
            .iter()
            .map(|f| {
                (
                    f.release.clone(),
                    f.vulnerability.clone(),
                    f.component.clone(),
                )
            })
            .collect();
        let mut new = Vec::new();
        for (i, version) in release_of.iter().enumerate() {
            for (_, f) in found.findings(i) {
                let key = (
                    version.clone(),
                    f.vulnerability.clone(),
                    f.component.clone(),
                );
                if !seen.insert(key) {
                    continue;
                }
                new.push(WatchFinding {
                    release: version.clone(),
                    vulnerability: f.vulnerability.clone(),
                    aliases: f.aliases.clone(),
                    component: f.component.clone(),
                    first_seen: now.to_string(),
                    kev: f.kev.is_some(),
                    kev_date_added: f.kev.as_ref().map(|k| k.date_added.clone()),
                    delivered_at: None,
                });
            }
        }
        file.findings.extend(new.iter().cloned());
        (!new.is_empty(), new)
    })?;
    Ok(outcome)
}

/// The key a query is matched under: two components with the same key get the same
/// findings (every field the matcher reads).
fn query_key(q: &Query) -> String {
    format!(
        "{}\u{0}{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
        q.label, q.name, q.version, q.cpes, q.supplier, q.source
    )
}

/// The platforms an SBOM states (its components' CPEs with their versions), which the
/// matcher's platform conditions read.
fn platform_key(queries: &[Query]) -> Vec<(String, Option<String>)> {
    let mut v: Vec<(String, Option<String>)> = queries
        .iter()
        .flat_map(|q| q.cpes.iter().map(|c| (c.clone(), q.version.clone())))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Matches every SBOM against `db`, each distinct component once (see [`Rematch`]).
pub fn rematch(db: &Db, sboms: &[&Sbom]) -> Result<Rematched, ReleaseError> {
    let mut shared = Rematch::new(db);
    for sbom in sboms {
        shared.add(sbom);
    }
    shared.run(db)
}

/// The SBOMs to match again, kept as their distinct queries only (see the module docs):
/// [`Rematch::add`] each SBOM, then [`Rematch::run`].
///
/// Only a component that states CPEs is matched against NVD configurations, the one place
/// where the matcher reads the other components of the SBOM (its platforms). So a component
/// without CPEs is matched once across all SBOMs; one with CPEs once per distinct platform
/// set, together with the other CPE components of the SBOMs that state that set (the
/// platforms `scan` derives from them are then that set). When the database holds no NVD
/// records, nothing reads the platforms, and every component is matched once across all
/// SBOMs. An added SBOM is not kept: only the distinct queries and, per SBOM, which of them
/// each component is.
pub struct Rematch {
    /// Whether the platforms an SBOM states can change a match (the database has NVD
    /// records).
    by_platform: bool,
    /// Batches of distinct queries: batch 0 holds those without CPEs, each further batch
    /// the CPE components of one platform set; each with its index by [`query_key`].
    batches: Vec<(Vec<Query>, HashMap<String, u32>)>,
    batch_of: BTreeMap<Vec<(String, Option<String>)>, u32>,
    /// Per SBOM, per component: (batch, distinct query).
    slots: Vec<Vec<(u32, u32)>>,
}

impl Rematch {
    /// Nothing added yet, for matching against `db`.
    pub fn new(db: &Db) -> Rematch {
        Rematch {
            by_platform: db
                .meta()
                .records
                .contains_key(tekigo_vulndb::Source::Nvd.as_str()),
            batches: vec![Default::default()],
            batch_of: BTreeMap::new(),
            slots: Vec::new(),
        }
    }

    /// Adds one SBOM's components; the SBOM is number `n` for [`Rematched::findings`], `n`
    /// counting the SBOMs added before it.
    pub fn add(&mut self, sbom: &Sbom) {
        let qs: Vec<Query> = sbom
            .components
            .iter()
            .map(tekigo_vulnscan::query_of)
            .collect();
        let platform = match self.by_platform {
            true => platform_key(&qs),
            false => Vec::new(),
        };
        let mut own = Vec::with_capacity(qs.len());
        for q in qs {
            let b = if q.cpes.is_empty() || !self.by_platform {
                0
            } else {
                let next = self.batches.len() as u32;
                let b = *self.batch_of.entry(platform.clone()).or_insert(next);
                if b == next {
                    self.batches.push(Default::default());
                }
                b
            };
            let (distinct, index) = &mut self.batches[b as usize];
            let next = distinct.len() as u32;
            let i = *index.entry(query_key(&q)).or_insert(next);
            if i == next {
                distinct.push(q);
            }
            own.push((b, i));
        }
        self.slots.push(own);
    }

    /// Adds again the SBOM added as number `earlier` (the same bytes in another release).
    pub fn add_again(&mut self, earlier: usize) {
        let slots = self.slots[earlier].clone();
        self.slots.push(slots);
    }

    /// Matches each distinct query once.
    pub fn run(self, db: &Db) -> Result<Rematched, ReleaseError> {
        let mut found: Vec<Vec<Vec<Finding>>> = Vec::with_capacity(self.batches.len());
        for (distinct, _) in self.batches {
            let mut per_query: Vec<Vec<Finding>> = vec![Vec::new(); distinct.len()];
            for f in tekigo_vulndb::scan(db, &distinct)?.findings {
                per_query[f.component_index].push(f);
            }
            found.push(per_query);
        }
        Ok(Rematched {
            found,
            slots: self.slots,
        })
    }
}

/// The findings of a [`Rematch`], each held once however many SBOMs list its component.
pub struct Rematched {
    found: Vec<Vec<Vec<Finding>>>,
    slots: Vec<Vec<(u32, u32)>>,
}

impl Rematched {
    /// How many SBOMs were matched.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The findings of SBOM `n` in component order, each with the index of its component
    /// in that SBOM: what `tekigo_vulndb::scan` gives for the SBOM alone, where each
    /// finding's `component_index` would be that index (the shared finding's own
    /// `component_index` is its place among the distinct queries).
    pub fn findings(&self, n: usize) -> impl Iterator<Item = (usize, &Finding)> {
        self.slots[n].iter().enumerate().flat_map(|(i, &(b, q))| {
            self.found[b as usize][q as usize]
                .iter()
                .map(move |f| (i, f))
        })
    }
}
