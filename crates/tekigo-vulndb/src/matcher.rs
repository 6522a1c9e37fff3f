//! Matching components against the database, with an explanation for every finding.
//!
//! - OSV: the component's PURL gives the ecosystem (a `deb` PURL with `distro=debian-12` is
//!   `Debian:12`) and name; ranges are evaluated with the ecosystem's own version rules.
//! - NVD: only when the component states a CPE. Configurations are evaluated as the AND/OR
//!   trees they are; a platform condition ("running on") that the SBOM neither confirms nor
//!   contradicts leaves the finding standing, marked as needing review.
//! - CSAF: by CPE, PURL or product name (with the vendor when both sides name one); free-text
//!   ranges that could not be parsed give findings that need review rather than nothing.

use crate::cpe::Cpe;
use crate::head::{AdvisoryHead, SeverityRef};
use crate::index::{self, OsvPosting};
use crate::model::{
    Advisory, Body, CpeMatch, CsafProduct, CsafVersion, Cve5Status, EventKind, KevInfo, NvdConfig,
    Operator, ProductStatus, RangeKind, Severity, Source,
};
use crate::query::{osv_release, Query};
use crate::store::{Db, DbError};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use tekigo_versions::Event;
use tekigo_versions::{compare, Ecosystem, Version, VersionError};

/// Why a component matched: which advisory data, which range, which comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// What identified the component: `OSV Debian:12 glibc`, `CPE cpe:2.3:a:...`, `CSAF
    /// product name "..."`.
    pub matched_by: String,
    /// The range or version statement that matched, in the source's terms.
    pub range: String,
    /// The decisive comparison, e.g. `2.36-9+deb12u2 < fixed 2.36-9+deb12u3`.
    pub comparison: String,
    /// The version rules used.
    pub rules: &'static str,
    /// `false` when the generic fallback ordering decided (no rules known for the scheme).
    pub exact: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// `NAME VERSION` of the source package the advisory named, when the component (a
    /// binary package) matched through it; the comparison then uses the source's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_source: Option<String>,
}

/// One advisory's match behind a finding: a finding lists one per source that reported the
/// vulnerability for the component (OSV under a GHSA or DSA id, NVD under the CVE, a vendor's
/// CSAF document), the first being the one the finding's own fields come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceMatch {
    pub source: Source,
    pub advisory: String,
    pub fixed_version: Option<String>,
    pub needs_review: bool,
    pub explanation: Arc<Explanation>,
}

/// One vulnerability of one component.
///
/// Advisories from different sources that name the same vulnerability (one's id is another's
/// alias, directly or through a third) give one finding, not one per source: the first
/// source in matching order (OSV, then NVD by CPE, then CSAF) gives `vulnerability`,
/// `source`, `version` and `explanation`; `aliases` holds every other id; `sources` lists
/// every advisory. The merged finding takes the highest severity score, the KEV entry of any
/// id, a fixed version from the first source that has one, the earliest publication date,
/// and needs review only when every source's match does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The index of the component in the scanned list.
    #[serde(skip)]
    pub component_index: usize,
    pub vulnerability: String,
    pub aliases: Vec<String>,
    pub source: Source,
    pub component: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub severity: Option<Severity>,
    pub kev: Option<KevInfo>,
    pub fixed_version: Option<String>,
    /// When the vulnerability was first published by any of the sources.
    pub published: Option<String>,
    /// The match rests on something a person must check (an unparsed range, an unconfirmed
    /// platform condition, a missing component version).
    pub needs_review: bool,
    pub explanation: Arc<Explanation>,
    pub sources: Vec<SourceMatch>,
    /// The source files the fix touched, as a CVE JSON 5 record lists them (`programFiles`;
    /// the kernel's CNA does): what the kernel configuration is checked against.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub program_files: Vec<String>,
    /// The CSAF document ids among `ids()`: they name the document, which two different
    /// vulnerabilities of one advisory share, so they link nothing. Kept instead of the
    /// linking ids themselves, which only a component with two findings or more needs:
    /// upper-cased copies of every id cost three allocations a finding (issue 20).
    #[serde(skip)]
    documents: Vec<String>,
}

impl Finding {
    /// The vulnerability id and its aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.vulnerability.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The ids that name the vulnerability itself: `ids()` without the document ids.
    fn links(&self) -> impl Iterator<Item = &str> {
        self.ids()
            .filter(|id| !self.documents.iter().any(|d| d == id))
    }

    fn shares_id(&self, other: &Finding) -> bool {
        self.links()
            .any(|a| other.links().any(|b| a.eq_ignore_ascii_case(b)))
    }

    /// Takes in another source's finding of the same vulnerability (see [`Finding`]).
    fn absorb(&mut self, other: Finding) {
        for id in other.ids() {
            if !self.ids().any(|have| have.eq_ignore_ascii_case(id)) {
                self.aliases.push(id.to_string());
            }
        }
        let score = |s: &Option<Severity>| s.as_ref().and_then(|s| s.score);
        let higher =
            score(&other.severity).unwrap_or(f64::MIN) > score(&self.severity).unwrap_or(f64::MIN);
        if other.severity.is_some() && (self.severity.is_none() || higher) {
            self.severity = other.severity;
        }
        self.kev = self.kev.take().or(other.kev);
        self.summary = self.summary.take().or(other.summary);
        self.fixed_version = self.fixed_version.take().or(other.fixed_version);
        self.published = match (self.published.take(), other.published) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.needs_review &= other.needs_review;
        self.sources.extend(other.sources);
        for f in other.program_files {
            if !self.program_files.contains(&f) {
                self.program_files.push(f);
            }
        }
        for d in other.documents {
            if !self.documents.contains(&d) {
                self.documents.push(d);
            }
        }
    }
}

/// Folds the findings of one component that name the same vulnerability into one, keeping
/// the order in which each vulnerability was first found. In place: a new vector for the
/// merged findings of a component with three or four (1.4 and 1.9 KB, past glibc's
/// per-thread cache) was 2,500 trips through the allocator's slow path in the 15k scan of
/// issue 20.
fn merge_same_vulnerability(found: &mut Vec<Finding>) {
    // found[..done] are the findings merged so far, found[done..] those still to fold in.
    let mut done = 0;
    while done < found.len() {
        let Some(first) = found[..done].iter().position(|g| g.shares_id(&found[done])) else {
            done += 1;
            continue;
        };
        let f = found.remove(done);
        found[first].absorb(f);
        // The new ids may link groups that were separate so far (GHSA -> CVE <- DSA).
        let mut i = first + 1;
        while i < done {
            if found[first].shares_id(&found[i]) {
                let g = found.remove(i);
                found[first].absorb(g);
                done -= 1;
                i = first + 1;
            } else {
                i += 1;
            }
        }
    }
}

/// The CPEs of a whole SBOM, which NVD platform conditions are checked against: every
/// query's, so they are known only once every query is.
pub(crate) trait Platforms: Sync {
    /// The platforms, waiting until they are known.
    fn platforms(&self) -> &[Platform];
}

/// The CPEs every component states: the evidence for NVD platform conditions, which any
/// component of the list may satisfy.
pub(crate) fn platforms<'q>(queries: impl Iterator<Item = &'q Query>) -> Vec<Platform> {
    queries
        .flat_map(|q| {
            q.cpes.iter().filter_map(move |c| {
                Cpe::parse(c).map(|cpe| Platform {
                    cpe,
                    version: q.version.clone(),
                })
            })
        })
        .collect()
}

fn status_word(s: Cve5Status) -> &'static str {
    match s {
        Cve5Status::Affected => "affected",
        Cve5Status::Unaffected => "unaffected",
        Cve5Status::Unknown => "unknown",
    }
}

/// The release that fixed the vulnerability on the kernel's own branch (an `unaffected`
/// entry up to `M.m.*` of that branch), else the mainline fix (up to `*`).
fn branch_fix(
    v: &tekigo_versions::KernelVersion,
    a: &crate::model::Cve5Affected,
) -> Option<String> {
    let branch = format!("{}.{}.*", v.major, v.minor);
    let fixes = || {
        a.versions
            .iter()
            .filter(|r| r.status == Cve5Status::Unaffected && r.is_release())
    };
    fixes()
        .find(|r| r.less_than_or_equal.as_deref() == Some(branch.as_str()))
        .or_else(|| fixes().find(|r| r.less_than_or_equal.as_deref() == Some("*")))
        .map(|r| r.version.clone())
}

/// What a source-specific check concluded for one component and advisory.
struct Verdict {
    version: String,
    fixed: Option<String>,
    needs_review: bool,
    explanation: Explanation,
    program_files: Vec<String>,
}

/// A CPE the SBOM states, with the version of its component: the evidence for NVD platform
/// conditions.
pub(crate) struct Platform {
    cpe: Cpe,
    version: Option<String>,
}

pub(crate) struct Matcher<'a> {
    db: &'a Db,
    /// Which sources the database holds: lookups for absent ones are skipped.
    has: [bool; 5],
    cache: HashMap<usize, Rc<Advisory>>,
    /// Known once every query is (see `QueryFeed`): a match that needs them waits.
    platforms: &'a dyn Platforms,
    pub(crate) warnings: Vec<String>,
    /// The bytes of the last OSV lookup's postings, their room kept for the next lookup.
    osv_buf: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tri {
    True,
    False,
    Unknown,
}

impl<'a> Matcher<'a> {
    pub(crate) fn new(db: &'a Db, platforms: &'a dyn Platforms) -> Matcher<'a> {
        let has = Source::ALL.map(|s| db.meta().records.contains_key(s.as_str()));
        Matcher {
            db,
            has,
            cache: HashMap::new(),
            platforms,
            warnings: Vec::new(),
            osv_buf: Vec::new(),
        }
    }

    fn advisory(&mut self, i: usize) -> Result<Rc<Advisory>, DbError> {
        if let Some(a) = self.cache.get(&i) {
            return Ok(a.clone());
        }
        let a = Rc::new(self.db.record(i)?);
        self.cache.insert(i, a.clone());
        Ok(a)
    }

    /// The findings of `q`, in `out` (emptied first: a scan hands the same vector to every
    /// query rather than allocate one for each of thousands).
    pub(crate) fn match_query(&mut self, q: &Query, out: &mut Vec<Finding>) -> Result<(), DbError> {
        let [osv, nvd, csaf, kev, cve] = self.has;
        out.clear();
        if osv {
            self.match_osv(q, out)?;
        }
        if cve {
            self.match_kernel(q, out)?;
        }
        if nvd || csaf {
            self.match_cpe(q, out)?;
        }
        if csaf {
            self.match_csaf(q, out)?;
        }
        if out.len() > 1 {
            merge_same_vulnerability(out);
        }
        if kev {
            for f in out.iter_mut() {
                f.kev = self.kev(f)?;
            }
        }
        Ok(())
    }

    fn kev(&mut self, f: &Finding) -> Result<Option<KevInfo>, DbError> {
        for id in std::iter::once(&f.vulnerability).chain(&f.aliases) {
            if !id.starts_with("CVE-") {
                continue;
            }
            let mut buf = Vec::new();
            let first = self
                .db
                .postings(&index::kev_key(id), &mut buf)?
                .next()
                .map(|p| p.0);
            if let Some(rec) = first {
                if let Body::Kev(k) = &self.advisory(rec)?.body {
                    return Ok(Some(k.clone()));
                }
            }
        }
        Ok(None)
    }

    fn push(out: &mut Vec<Finding>, adv: &AdvisoryHead<'_>, q: &Query, v: Verdict) {
        if out.iter().any(|f| {
            f.sources
                .iter()
                .any(|s| s.advisory == adv.id && s.source == adv.source)
        }) {
            return;
        }
        let needs_review = v.needs_review || adv.needs_review;
        // One explanation for the finding and its first source, which are the same match.
        let explanation = Arc::new(v.explanation);
        out.push(Finding {
            component_index: 0,
            vulnerability: adv.id.to_string(),
            aliases: adv.aliases.iter().map(|a| a.to_string()).collect(),
            source: adv.source,
            component: q.label.clone(),
            version: v.version,
            summary: adv.summary.map(str::to_string),
            severity: adv.severity.map(SeverityRef::to_severity),
            kev: None,
            fixed_version: v.fixed.clone(),
            published: adv.published.map(str::to_string),
            needs_review,
            sources: vec![SourceMatch {
                source: adv.source,
                advisory: adv.id.to_string(),
                fixed_version: v.fixed,
                needs_review,
                explanation: explanation.clone(),
            }],
            explanation,
            program_files: v.program_files,
            documents: adv.document.map(str::to_string).into_iter().collect(),
        });
    }

    // ---- CVE JSON 5 (the Linux kernel) ----

    /// Matches a kernel component (see `Query::kernel_version`) against the kernel's CVE
    /// records, branch by branch (tekigo-versions' `kernel_status` states the rule). Each
    /// `affected[]` block that names releases is decided; the record applies when any block
    /// says affected, and needs review when none does but one cannot tell.
    fn match_kernel(&mut self, q: &Query, out: &mut Vec<Finding>) -> Result<(), DbError> {
        use tekigo_versions::{kernel_status, range_text, KernelRange, KernelStatus};
        let Some(text) = q.kernel_version() else {
            return Ok(());
        };
        let v = match tekigo_versions::KernelVersion::parse(&text) {
            Ok(v) => v,
            Err(e) => {
                self.warnings
                    .push(format!("{}: kernel version {text:?}: {e}", q.label));
                return Ok(());
            }
        };
        let status = |s: Cve5Status| match s {
            Cve5Status::Affected => KernelStatus::Affected,
            Cve5Status::Unaffected => KernelStatus::Unaffected,
            Cve5Status::Unknown => KernelStatus::Unknown,
        };
        let mut buf = Vec::new();
        for (rec, _) in self.db.postings(index::KERNEL_KEY, &mut buf)? {
            let adv = self.advisory(rec)?;
            let Body::Cve5(body) = &adv.body else {
                continue;
            };
            if adv.withdrawn.is_some() {
                continue;
            }
            let mut found: Option<(usize, tekigo_versions::KernelDecision)> = None;
            for (i, a) in body.affected.iter().enumerate() {
                if !crate::cve5::is_linux_kernel(&a.vendor, &a.product) || !a.has_releases() {
                    continue;
                }
                let ranges: Vec<KernelRange<'_>> = a
                    .versions
                    .iter()
                    .filter(|r| r.is_release())
                    .map(|r| KernelRange {
                        version: &r.version,
                        less_than: r.less_than.as_deref(),
                        less_than_or_equal: r.less_than_or_equal.as_deref(),
                        status: status(r.status),
                    })
                    .collect();
                match kernel_status(&v, &ranges, status(a.default_status)) {
                    Ok(d) => {
                        let rank = |s: KernelStatus| match s {
                            KernelStatus::Affected => 2,
                            KernelStatus::Unknown => 1,
                            KernelStatus::Unaffected => 0,
                        };
                        if found
                            .as_ref()
                            .is_none_or(|(_, f)| rank(d.status) > rank(f.status))
                        {
                            let range =
                                d.deciding
                                    .map(|k| range_text(&ranges[k]))
                                    .unwrap_or_else(|| {
                                        format!("defaultStatus {}", status_word(a.default_status))
                                    });
                            found = Some((
                                i,
                                tekigo_versions::KernelDecision {
                                    reason: format!("{range}: {}", d.reason),
                                    ..d
                                },
                            ));
                        }
                    }
                    Err(e) => self
                        .warnings
                        .push(format!("{}: {} affected[{i}]: {e}", q.label, adv.id)),
                }
            }
            let Some((i, d)) = found else { continue };
            if d.status == KernelStatus::Unaffected {
                continue;
            }
            let a = &body.affected[i];
            let (range, comparison) = d.reason.split_once(": ").unwrap_or(("", &d.reason));
            let explanation = Explanation {
                matched_by: format!("CVE JSON 5 Linux kernel (affected[{i}])"),
                range: range.to_string(),
                comparison: comparison.to_string(),
                rules: "Linux kernel releases per stable branch (upstream position; -cip, -rt and distribution suffixes are flavours)",
                exact: v.exact(),
                notes: Vec::new(),
                via_source: None,
            };
            Self::push(
                out,
                &AdvisoryHead::of(&adv),
                q,
                Verdict {
                    version: text.clone(),
                    fixed: branch_fix(&v, a),
                    needs_review: d.status == KernelStatus::Unknown,
                    explanation,
                    program_files: a.program_files.clone(),
                },
            );
        }
        Ok(())
    }

    // ---- OSV ----

    fn match_osv(&mut self, q: &Query, out: &mut Vec<Finding>) -> Result<(), DbError> {
        let Some(purl) = &q.purl else { return Ok(()) };
        let Some(version) = q.version.as_deref() else {
            return Ok(());
        };
        let release = purl.release();
        for lookup in q.osv_lookups() {
            let key = &lookup.key;
            // The version this lookup compares, parsed once per ecosystem family (postings
            // under one key nearly always share one).
            let mut parsed: Option<(Ecosystem, Result<Version<'_>, VersionError>)> = None;
            let mut buf = std::mem::take(&mut self.osv_buf);
            let mut p = OsvPosting::default();
            for (rec, payload) in self.db.postings(key, &mut buf)? {
                if p.decode(payload).is_none() {
                    return Err(DbError::Corrupt {
                        path: self.db.path().to_path_buf(),
                        reason: format!("posting of record {rec} under {key:?} is damaged"),
                    });
                };
                let rel = osv_release(p.ecosystem);
                if let (Some(want), Some(have)) = (release.as_deref(), rel) {
                    if !same_release(want, have) {
                        continue;
                    }
                }
                let eco = Ecosystem::from_osv(p.ecosystem).unwrap_or(Ecosystem::Generic);
                let (_, this) = match parsed.take() {
                    Some((e, v)) if e == eco => parsed.insert((e, v)),
                    _ => {
                        let v = Version::parse(eco, lookup.version);
                        if let Err(e) = &v {
                            self.warnings.push(format!("{}: {e}", q.label));
                        }
                        parsed.insert((eco, v))
                    }
                };
                let Ok(this) = this else { continue };
                match self.osv_verdict(&p, this) {
                    Ok(Some((range, mut comparison, fixed))) => {
                        let Some(adv) = p.head() else {
                            return Err(DbError::Corrupt {
                                path: self.db.path().to_path_buf(),
                                reason: format!("posting of record {rec} under {key:?} is damaged"),
                            });
                        };
                        if adv.withdrawn {
                            continue;
                        }
                        let mut notes = Vec::new();
                        if let (None, Some(rel)) = (release.as_deref(), rel) {
                            notes.push(format!(
                                "the component does not say which release it belongs to; \
                                 matched against the {} data (release {rel})",
                                p.ecosystem
                            ));
                        }
                        let name = adv
                            .affected_names
                            .get(p.affected)
                            .copied()
                            .unwrap_or_default();
                        let mut matched_by = concat(&["OSV ", p.ecosystem, " package ", name]);
                        let via_source = lookup.source.map(|s| {
                            matched_by.push_str(" (the source package of this component)");
                            comparison = format!("source {}: {comparison}", s.name);
                            format!("{} {}", s.name, lookup.version)
                        });
                        let explanation = Explanation {
                            matched_by,
                            range,
                            comparison,
                            rules: this.ecosystem().rules(),
                            exact: this.ecosystem().exact_rules(),
                            notes,
                            via_source,
                        };
                        Self::push(
                            out,
                            &adv,
                            q,
                            Verdict {
                                version: version.to_string(),
                                fixed,
                                needs_review: false,
                                explanation,
                                program_files: Vec::new(),
                            },
                        );
                    }
                    Ok(None) => {}
                    Err(e) => self.warnings.push(format!(
                        "{}: record {} under {}: {e}",
                        q.label, rec, p.ecosystem
                    )),
                }
            }
            drop(p);
            self.osv_buf = buf;
        }
        Ok(())
    }

    /// Evaluates one OSV posting: `(range text, comparison, fixed version)` when the version
    /// is affected. Most postings do not match, so nothing is allocated until one does.
    ///
    /// The ranges are asked first and the `versions` list only when none of them holds the
    /// version: OSV.dev lists every affected version beside the ranges they come from, and
    /// a match on the list, which knows no fix, hid the fixed version of the range holding
    /// the same version (Ubuntu's glibc 2.35-0ubuntu3.3 showed no fix instead of
    /// 2.35-0ubuntu3.4). A version is affected when either says so, so the order changes
    /// only which one explains it.
    fn osv_verdict(
        &self,
        p: &OsvPosting<'_>,
        parsed: &Version<'_>,
    ) -> Result<Option<(String, String, Option<String>)>, VersionError> {
        // A range with a version this ecosystem cannot read is told only when nothing
        // else in the posting decides.
        let mut unreadable = None;
        for (kind, events) in p.ranges() {
            if kind == RangeKind::Git {
                continue;
            }
            let explained = match explain_range(parsed, events) {
                Ok(explained) => explained,
                Err(e) => {
                    unreadable.get_or_insert(e);
                    None
                }
            };
            if let Some((comparison, fixed)) = explained {
                let head = if kind == RangeKind::Semver {
                    "SEMVER range: "
                } else {
                    "ECOSYSTEM range: "
                };
                // Sized at once: grown a few bytes at a time it was reallocated twice for
                // every finding. 16 an event: `, `, the longest kind (`last_affected`), ` `.
                let len = events
                    .iter()
                    .map(|e| event_parts(e).1.len() + 16)
                    .sum::<usize>();
                let mut range = String::with_capacity(head.len() + len);
                range.push_str(head);
                for (i, e) in events.iter().enumerate() {
                    let (k, v) = event_parts(e);
                    if i > 0 {
                        range.push_str(", ");
                    }
                    range.push_str(k.as_str());
                    range.push(' ');
                    range.push_str(v);
                }
                return Ok(Some((range, comparison, fixed)));
            }
        }
        let version = parsed.as_str();
        for listed in &p.versions {
            let equal = *listed == version
                || parsed
                    .compare_str(listed)
                    .is_ok_and(|o| o == Ordering::Equal);
            if equal {
                return Ok(Some((
                    "affected versions list".to_string(),
                    format!("{version} = listed {listed}"),
                    None,
                )));
            }
        }
        unreadable.map_or(Ok(None), Err)
    }

    // ---- NVD (and CSAF by CPE) ----

    fn match_cpe(&mut self, q: &Query, out: &mut Vec<Finding>) -> Result<(), DbError> {
        let eco = q
            .purl
            .as_ref()
            .and_then(|p| Ecosystem::from_purl_type(&p.ty))
            .unwrap_or(Ecosystem::Generic);
        for text in &q.cpes {
            let Some(cpe) = Cpe::parse(text) else {
                self.warnings
                    .push(format!("{}: unreadable CPE {text:?} ignored", q.label));
                continue;
            };
            let version = if Cpe::is_specific(&cpe.version) {
                Some(cpe.version.clone())
            } else {
                q.version.clone()
            };
            let mut buf = Vec::new();
            for (rec, _) in self.db.postings(&index::cpe_key(&cpe), &mut buf)? {
                let adv = self.advisory(rec)?;
                if adv.withdrawn.is_some() {
                    continue;
                }
                match &adv.body {
                    Body::Nvd { configurations } => {
                        match self.eval_nvd(configurations, &cpe, version.as_deref(), eco) {
                            Ok(Some((state, m, comparison, unconfirmed))) => {
                                let mut notes = Vec::new();
                                for u in &unconfirmed {
                                    notes.push(format!(
                                        "platform condition not confirmed by the SBOM: {u}"
                                    ));
                                }
                                let explanation = Explanation {
                                    matched_by: format!("CPE {text}"),
                                    range: cpe_range_text(&m),
                                    comparison,
                                    rules: eco.rules(),
                                    exact: eco.exact_rules(),
                                    notes,
                                    via_source: None,
                                };
                                let v = version.clone().unwrap_or_default();
                                Self::push(
                                    out,
                                    &AdvisoryHead::of(&adv),
                                    q,
                                    Verdict {
                                        version: v,
                                        fixed: m.end_excluding.clone(),
                                        needs_review: state == Tri::Unknown,
                                        explanation,
                                        program_files: Vec::new(),
                                    },
                                );
                            }
                            Ok(None) => {}
                            Err(e) => self.warnings.push(format!("{}: {} : {e}", q.label, adv.id)),
                        }
                    }
                    Body::Csaf(_) => self.csaf_products(q, &adv, Some(&cpe), out),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Evaluates an NVD record for the subject CPE: `(state, the cpeMatch that named the
    /// subject, comparison, unconfirmed platform conditions)` when it applies.
    #[allow(clippy::type_complexity)]
    fn eval_nvd(
        &self,
        configs: &[NvdConfig],
        subject: &Cpe,
        version: Option<&str>,
        eco: Ecosystem,
    ) -> Result<Option<(Tri, CpeMatch, String, Vec<String>)>, VersionError> {
        for config in configs {
            let mut hit: Option<(CpeMatch, String)> = None;
            let mut unconfirmed = Vec::new();
            let mut node_states = Vec::new();
            for node in &config.nodes {
                let mut states = Vec::new();
                for m in &node.matches {
                    let state = if m.vulnerable {
                        if let Some(text) = cpe_match(m, subject, version, eco)? {
                            if hit.is_none() {
                                hit = Some((m.clone(), text));
                            }
                            Tri::True
                        } else {
                            self.platform_state(m, eco)?
                        }
                    } else {
                        let s = self.platform_state(m, eco)?;
                        if s == Tri::Unknown {
                            unconfirmed.push(m.criteria.clone());
                        }
                        s
                    };
                    states.push(state);
                }
                node_states.push(negate(combine(node.operator, &states), node.negate));
            }
            let state = negate(combine(config.operator, &node_states), config.negate);
            if let (Some((m, text)), Tri::True | Tri::Unknown) = (hit, state) {
                let unconfirmed = if state == Tri::Unknown {
                    unconfirmed
                } else {
                    Vec::new()
                };
                return Ok(Some((state, m, text, unconfirmed)));
            }
        }
        Ok(None)
    }

    /// Whether some component of the SBOM satisfies a cpeMatch: true when one does, false
    /// when the SBOM names the same product only in other versions, unknown when it does not
    /// name the product at all.
    fn platform_state(&self, m: &CpeMatch, eco: Ecosystem) -> Result<Tri, VersionError> {
        let Some(pattern) = Cpe::parse(&m.criteria) else {
            return Ok(Tri::Unknown);
        };
        let mut seen = false;
        for p in self.platforms.platforms() {
            if !pattern.same_product(&p.cpe) {
                continue;
            }
            seen = true;
            let version = if Cpe::is_specific(&p.cpe.version) {
                Some(p.cpe.version.as_str())
            } else {
                p.version.as_deref()
            };
            if cpe_match(m, &p.cpe, version, eco)?.is_some() {
                return Ok(Tri::True);
            }
        }
        Ok(if seen { Tri::False } else { Tri::Unknown })
    }

    // ---- CSAF ----

    fn match_csaf(&mut self, q: &Query, out: &mut Vec<Finding>) -> Result<(), DbError> {
        let mut keys = vec![index::name_key(&q.name)];
        if let Some(p) = &q.purl {
            keys.push(index::purl_key(&p.ty, p.namespace.as_deref(), &p.name));
        }
        for key in keys {
            let mut buf = Vec::new();
            for (rec, _) in self.db.postings(&key, &mut buf)? {
                let adv = self.advisory(rec)?;
                self.csaf_products(q, &adv, None, out);
            }
        }
        Ok(())
    }

    fn csaf_products(
        &mut self,
        q: &Query,
        adv: &Advisory,
        cpe: Option<&Cpe>,
        out: &mut Vec<Finding>,
    ) {
        let Body::Csaf(body) = &adv.body else { return };
        for p in body
            .products
            .iter()
            .filter(|p| p.status == ProductStatus::KnownAffected)
        {
            let Some((matched_by, by_name)) = csaf_identity(p, q, cpe) else {
                continue;
            };
            let version = cpe
                .filter(|c| Cpe::is_specific(&c.version))
                .map(|c| c.version.clone())
                .or_else(|| q.version.clone());
            let mut notes = Vec::new();
            if by_name && q.supplier.is_none() {
                notes.push(
                    "matched by product name only: the SBOM names no supplier to confirm the vendor"
                        .to_string(),
                );
            }
            let fixed = body
                .products
                .iter()
                .filter(|f| f.status == ProductStatus::Fixed && f.product == p.product)
                .find_map(|f| match &f.version {
                    Some(CsafVersion::Exact { version }) => Some(version.clone()),
                    _ => None,
                });
            let generic = Ecosystem::Generic;
            let (range, comparison, review, rules, exact) = match (&p.version, version.as_deref()) {
                (None, _) => (
                    "no version given".to_string(),
                    "the advisory names the product without versions".to_string(),
                    false,
                    generic.rules(),
                    false,
                ),
                (Some(CsafVersion::Unparsed { text }), _) => (
                    format!("product_version_range {text:?}"),
                    "the range could not be parsed: review by hand".to_string(),
                    true,
                    generic.rules(),
                    false,
                ),
                (Some(v), None) => (
                    csaf_version_text(v),
                    "the SBOM gives no version for the component".to_string(),
                    true,
                    generic.rules(),
                    false,
                ),
                (Some(CsafVersion::Exact { version: want }), Some(have)) => {
                    let strip = |s: &str| s.trim_start_matches(['V', 'v']).to_string();
                    match compare(generic, &strip(have), &strip(want)) {
                        Ok(c) if c.ordering == Ordering::Equal => (
                            format!("product_version {want}"),
                            format!("{have} = {want}"),
                            false,
                            generic.rules(),
                            false,
                        ),
                        Ok(_) => continue,
                        Err(_) if have.eq_ignore_ascii_case(want) => (
                            format!("product_version {want}"),
                            format!("{have} = {want} (same text)"),
                            false,
                            "string equality",
                            false,
                        ),
                        Err(e) => {
                            self.warnings.push(format!("{}: {}: {e}", q.label, adv.id));
                            continue;
                        }
                    }
                }
                (Some(CsafVersion::Range { text, range }), Some(have)) => {
                    match range.contains(have) {
                        Ok(true) => {
                            let eco = range.ecosystem();
                            (
                                format!("product_version_range {text:?} read as {range}"),
                                format!("{have} is in {range}"),
                                false,
                                eco.rules(),
                                eco.exact_rules(),
                            )
                        }
                        Ok(false) => continue,
                        Err(e) => {
                            self.warnings.push(format!("{}: {}: {e}", q.label, adv.id));
                            continue;
                        }
                    }
                }
            };
            let explanation = Explanation {
                matched_by: format!(
                    "CSAF {} product {:?} ({matched_by})",
                    body.document, p.full_name
                ),
                range,
                comparison,
                rules,
                exact,
                notes,
                via_source: None,
            };
            let v = version.unwrap_or_default();
            Self::push(
                out,
                &AdvisoryHead::of(adv),
                q,
                Verdict {
                    version: v,
                    fixed,
                    needs_review: review,
                    explanation,
                    program_files: Vec::new(),
                },
            );
            return;
        }
    }
}

/// Whether an advisory for release `have` (from the OSV ecosystem) applies to a component
/// of release `want` (from its PURL): the same release, or a major release the component's
/// minor release belongs to (`Rocky Linux:9` and `AlmaLinux:9` for `distro=rocky-9.3`).
fn same_release(want: &str, have: &str) -> bool {
    let (want, have) = (want.trim_start_matches('v'), have.trim_start_matches('v'));
    want == have
        || want
            .strip_prefix(have)
            .is_some_and(|rest| rest.starts_with('.'))
}

fn csaf_version_text(v: &CsafVersion) -> String {
    match v {
        CsafVersion::Exact { version } => format!("product_version {version}"),
        CsafVersion::Range { text, .. } | CsafVersion::Unparsed { text } => {
            format!("product_version_range {text:?}")
        }
    }
}

/// How a CSAF product is the queried component: by CPE, PURL, or product name (with the
/// vendor when both name one). The flag says whether only the name matched.
fn csaf_identity(p: &CsafProduct, q: &Query, cpe: Option<&Cpe>) -> Option<(String, bool)> {
    if let (Some(pc), Some(c)) = (p.cpe.as_deref().and_then(Cpe::parse), cpe) {
        if pc.same_product(c) {
            return Some((format!("CPE {}", c.vendor_product()), false));
        }
    }
    if let (Some(pp), Some(qp)) = (
        p.purl
            .as_deref()
            .and_then(|t| crate::query::PurlInfo::parse(t).ok()),
        &q.purl,
    ) {
        if index::purl_key(&pp.ty, pp.namespace.as_deref(), &pp.name)
            == index::purl_key(&qp.ty, qp.namespace.as_deref(), &qp.name)
        {
            return Some(("PURL".to_string(), false));
        }
    }
    let product = p.product.as_deref()?;
    if index::normalize_product(product) != index::normalize_product(&q.name) {
        return None;
    }
    if let (Some(vendor), Some(supplier)) = (&p.vendor, &q.supplier) {
        let (v, s) = (
            index::normalize_product(vendor),
            index::normalize_product(supplier),
        );
        if !(v.contains(&s) || s.contains(&v)) {
            return None;
        }
    }
    Some((format!("product name {product:?}"), true))
}

fn combine(op: Operator, states: &[Tri]) -> Tri {
    match op {
        Operator::Or => {
            if states.contains(&Tri::True) {
                Tri::True
            } else if states.contains(&Tri::Unknown) {
                Tri::Unknown
            } else {
                Tri::False
            }
        }
        Operator::And => {
            if states.contains(&Tri::False) || states.is_empty() {
                Tri::False
            } else if states.contains(&Tri::Unknown) {
                Tri::Unknown
            } else {
                Tri::True
            }
        }
    }
}

fn negate(t: Tri, negate: bool) -> Tri {
    match (t, negate) {
        (Tri::True, true) => Tri::False,
        (Tri::False, true) => Tri::True,
        (t, _) => t,
    }
}

fn cpe_range_text(m: &CpeMatch) -> String {
    let mut parts = vec![m.criteria.clone()];
    for (label, v) in [
        ("versionStartIncluding", &m.start_including),
        ("versionStartExcluding", &m.start_excluding),
        ("versionEndIncluding", &m.end_including),
        ("versionEndExcluding", &m.end_excluding),
    ] {
        if let Some(v) = v {
            parts.push(format!("{label} {v}"));
        }
    }
    parts.join(", ")
}

/// Whether a cpeMatch covers a CPE name at `version`; the comparison text when it does.
fn cpe_match(
    m: &CpeMatch,
    name: &Cpe,
    version: Option<&str>,
    eco: Ecosystem,
) -> Result<Option<String>, VersionError> {
    let Some(pattern) = Cpe::parse(&m.criteria) else {
        return Ok(None);
    };
    if !pattern.same_product(name) {
        return Ok(None);
    }
    if Cpe::is_specific(&pattern.update) && pattern.update != name.update {
        return Ok(None);
    }
    let bounds = [
        (
            &m.start_including,
            "versionStartIncluding",
            ">=",
            Ordering::Less,
            true,
        ),
        (
            &m.start_excluding,
            "versionStartExcluding",
            ">",
            Ordering::Less,
            false,
        ),
        (
            &m.end_including,
            "versionEndIncluding",
            "<=",
            Ordering::Greater,
            true,
        ),
        (
            &m.end_excluding,
            "versionEndExcluding",
            "<",
            Ordering::Greater,
            false,
        ),
    ];
    let has_range = bounds.iter().any(|b| b.0.is_some());
    if Cpe::is_specific(&pattern.version) {
        let Some(v) = version else { return Ok(None) };
        return Ok(
            (compare(eco, v, &pattern.version)?.ordering == Ordering::Equal)
                .then(|| format!("{v} = {} (CPE version)", pattern.version)),
        );
    }
    if !has_range {
        return Ok(Some("every version (the CPE names no version)".to_string()));
    }
    let Some(v) = version else { return Ok(None) };
    let mut texts = Vec::new();
    for (bound, label, op, outside, inclusive) in bounds {
        let Some(b) = bound else { continue };
        let ord = compare(eco, v, b)?.ordering;
        // Outside when on the wrong side, or equal to an exclusive bound.
        if ord == outside || (ord == Ordering::Equal && !inclusive) {
            return Ok(None);
        }
        texts.push(format!("{v} {op} {label} {b}"));
    }
    Ok(Some(texts.join(" and ")))
}

/// Evaluates one OSV range for `version` and says why: `(comparison, fixed version)` when
/// affected. The verdict itself comes from [`tekigo_versions::affected`]; this adds the
/// events that decide it.
fn explain_range(
    parsed: &Version<'_>,
    events: &[Event<&str>],
) -> Result<Option<(String, Option<String>)>, VersionError> {
    let affected = match tekigo_versions::affected_parsed(parsed, events) {
        Ok(a) => a,
        Err(tekigo_versions::RangeError::Version(e)) => return Err(e),
        // No introduced event: reported at import as needing review; nothing to match.
        Err(tekigo_versions::RangeError::NoIntroduced) => return Ok(None),
    };
    if !affected {
        return Ok(None);
    }
    let version = parsed.as_str();
    // Each bound parsed once: compared with the version, then with the best so far.
    let eco = parsed.ecosystem();
    let order = |a: &Version<'_>, b: &Version<'_>| a.compare(b).unwrap_or(Ordering::Equal);
    // The greatest introduced at or below the version ("0" is below every version).
    let mut intro: Option<(&str, Option<Version<'_>>)> = None;
    for e in events {
        let Event::Introduced(v) = e else {
            continue;
        };
        let v = *v;
        let bound = (v != "0").then(|| Version::parse(eco, v)).transpose()?;
        let applies = bound
            .as_ref()
            .is_none_or(|b| order(parsed, b) != Ordering::Less);
        let greater = match (&intro, &bound) {
            (None, _) => true,
            (Some((_, None)), b) => b.is_some(),
            (Some((_, Some(best))), Some(b)) => order(b, best) == Ordering::Greater,
            (Some(_), None) => false,
        };
        if applies && greater {
            intro = Some((v, bound));
        }
    }
    let intro = intro.map(|(v, _)| v);
    // The nearest closing event above the version.
    let mut close: Option<(EventKind, &str, Version<'_>)> = None;
    for e in events {
        let (k, v) = event_parts(e);
        if !matches!(k, EventKind::Fixed | EventKind::LastAffected) {
            continue;
        }
        let bound = Version::parse(eco, v)?;
        let above = match k {
            EventKind::Fixed => order(parsed, &bound) == Ordering::Less,
            _ => order(parsed, &bound) != Ordering::Greater,
        };
        if !above {
            continue;
        }
        let nearer = match &close {
            None => true,
            Some((_, _, best)) => order(&bound, best) == Ordering::Less,
        };
        if nearer {
            close = Some((k, v, bound));
        }
    }
    let close = close.map(|(k, v, _)| (k, v));
    let from: [&str; 2] = match intro {
        Some("0") | None => [" >= introduced 0 (every version before the fix)", ""],
        Some(i) => [" >= introduced ", i],
    };
    let (to, fixed): ([&str; 4], _) = match close {
        Some((EventKind::Fixed, f)) => ([" and ", version, " < fixed ", f], Some(f.to_string())),
        Some((_, l)) => ([" and ", version, " <= last_affected ", l], None),
        None => ([" and no fix is recorded", "", "", ""], None),
    };
    let text = concat(&[version, from[0], from[1], to[0], to[1], to[2], to[3]]);
    Ok(Some((text, fixed)))
}

/// The parts one after the other, in one allocation: an explanation's texts are made for
/// every finding, and `format!` for them cost 2 ms of the 116 ms of CPU of the 15k-finding
/// scan (issue 20).
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// An event's kind and version.
fn event_parts<'v>(e: &Event<&'v str>) -> (EventKind, &'v str) {
    match *e {
        Event::Introduced(v) => (EventKind::Introduced, v),
        Event::Fixed(v) => (EventKind::Fixed, v),
        Event::LastAffected(v) => (EventKind::LastAffected, v),
        Event::Limit(v) => (EventKind::Limit, v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explain(
        eco: Ecosystem,
        v: &str,
        evs: &[(EventKind, &str)],
    ) -> Option<(String, Option<String>)> {
        let evs: Vec<Event<&str>> = evs.iter().map(|&(k, v)| index::event(k, v)).collect();
        explain_range(&Version::parse(eco, v).unwrap(), &evs).unwrap()
    }

    fn finding(source: Source, id: &str, aliases: &[&str], score: Option<f64>) -> Finding {
        let explanation = Arc::new(Explanation {
            matched_by: format!("{source} {id}"),
            range: String::new(),
            comparison: String::new(),
            rules: "",
            exact: true,
            notes: Vec::new(),
            via_source: None,
        });
        let aliases: Vec<String> = aliases.iter().map(|a| a.to_string()).collect();
        Finding {
            component_index: 0,
            vulnerability: id.into(),
            program_files: Vec::new(),
            documents: Vec::new(),
            aliases,
            source,
            component: "pkg:deb/debian/glibc@2.36-9".into(),
            version: "2.36-9".into(),
            summary: None,
            severity: score.map(|s| Severity {
                kind: "CVSS_V3".into(),
                vector: None,
                score: Some(s),
                label: None,
            }),
            kev: None,
            fixed_version: None,
            published: None,
            needs_review: source != Source::Osv,
            sources: vec![SourceMatch {
                source,
                advisory: id.into(),
                fixed_version: None,
                needs_review: source != Source::Osv,
                explanation: explanation.clone(),
            }],
            explanation,
        }
    }

    #[test]
    fn same_vulnerability_from_several_sources_is_one_finding() {
        let mut merged = vec![
            finding(Source::Osv, "DSA-5514-1", &["CVE-2023-4911"], None),
            finding(
                Source::Osv,
                "GHSA-0000-0000-0001",
                &["CVE-2023-9999"],
                Some(5.0),
            ),
            finding(Source::Csaf, "CVE-2023-1111", &["ICSA-24-004-01"], None),
            // Links the first two (same CVE spelled in lower case for the second).
            finding(Source::Nvd, "CVE-2023-4911", &["cve-2023-9999"], Some(7.8)),
        ];
        merge_same_vulnerability(&mut merged);
        let ids: Vec<&str> = merged.iter().map(|f| f.vulnerability.as_str()).collect();
        assert_eq!(ids, ["DSA-5514-1", "CVE-2023-1111"]);
        let f = &merged[0];
        // Ids in the order met, each once whatever its case.
        assert_eq!(
            f.aliases,
            ["CVE-2023-4911", "cve-2023-9999", "GHSA-0000-0000-0001"]
        );
        assert_eq!(f.sources.len(), 3);
        assert_eq!(f.severity.as_ref().and_then(|s| s.score), Some(7.8));
        // OSV matched exactly, so the merged finding does not need review.
        assert!(!f.needs_review);
        assert!(merged[1].needs_review);
    }

    /// The merge in place gives what folding each finding into a new list gives (the
    /// rule as first written, kept here as the recomputation), on 20,000 lists of up to
    /// seven findings of one to three ids each, drawn from eight.
    #[test]
    fn merging_in_place_is_merging_into_a_new_list() {
        fn reference(found: Vec<Finding>) -> Vec<Finding> {
            let mut out: Vec<Finding> = Vec::with_capacity(found.len());
            for f in found {
                let Some(first) = out.iter().position(|g| g.shares_id(&f)) else {
                    out.push(f);
                    continue;
                };
                out[first].absorb(f);
                let mut i = first + 1;
                while i < out.len() {
                    if out[first].shares_id(&out[i]) {
                        let g = out.remove(i);
                        out[first].absorb(g);
                        i = first + 1;
                    } else {
                        i += 1;
                    }
                }
            }
            out
        }
        let ids = [
            "CVE-1", "GHSA-2", "DSA-3", "cve-1", "OTHER-4", "GHSA-5", "CVE-6", "DSA-7",
        ];
        // A small linear congruential sequence: the same lists on every run.
        let mut seed: u64 = 20;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..20_000 {
            let len = 1 + next(7) as usize;
            let list: Vec<Finding> = (0..len)
                .map(|k| {
                    let id = ids[next(ids.len() as u64) as usize];
                    let aliases: Vec<&str> = (0..next(3))
                        .map(|_| ids[next(ids.len() as u64) as usize])
                        .collect();
                    let score = (next(3) > 0).then_some(k as f64);
                    finding(Source::ALL[k % 3], id, &aliases, score)
                })
                .collect();
            let want = reference(list.clone());
            let mut got = list;
            merge_same_vulnerability(&mut got);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn explanations_name_the_deciding_events() {
        use EventKind::*;
        let evs = [(Introduced, "0"), (Fixed, "1:2.3-5")];
        let (text, fixed) = explain(Ecosystem::Debian, "1:2.3-4", &evs).unwrap();
        assert_eq!(
            text,
            "1:2.3-4 >= introduced 0 (every version before the fix) and 1:2.3-4 < fixed 1:2.3-5"
        );
        assert_eq!(fixed.as_deref(), Some("1:2.3-5"));
        assert!(explain(Ecosystem::Debian, "1:2.3-5", &evs).is_none());
        let evs = [
            (Introduced, "1.0.0"),
            (Fixed, "1.0.2"),
            (Introduced, "2.0.0"),
            (LastAffected, "2.1.0"),
        ];
        let (text, fixed) = explain(Ecosystem::Semver, "2.1.0", &evs).unwrap();
        assert_eq!(
            text,
            "2.1.0 >= introduced 2.0.0 and 2.1.0 <= last_affected 2.1.0"
        );
        assert_eq!(fixed, None);
        let (text, _) = explain(Ecosystem::Semver, "1.0.0", &evs).unwrap();
        assert_eq!(text, "1.0.0 >= introduced 1.0.0 and 1.0.0 < fixed 1.0.2");
        let (text, _) = explain(Ecosystem::Pep440, "5.0", &[(Introduced, "1.0")]).unwrap();
        assert!(text.ends_with("no fix is recorded"), "{text}");
    }

    #[test]
    fn releases_match_exactly_or_by_major() {
        assert!(same_release("12", "12"));
        assert!(same_release("v3.19", "v3.19"));
        assert!(same_release("9.3", "9"));
        assert!(!same_release("9", "9.3"));
        assert!(!same_release("3.19", "3.1"));
        assert!(!same_release("11", "12"));
    }

    #[test]
    fn tri_state_logic() {
        use Tri::*;
        assert_eq!(combine(Operator::And, &[True, Unknown]), Unknown);
        assert_eq!(combine(Operator::And, &[True, False]), False);
        assert_eq!(combine(Operator::And, &[True, True]), True);
        assert_eq!(combine(Operator::Or, &[False, Unknown]), Unknown);
        assert_eq!(combine(Operator::Or, &[False, True]), True);
        assert_eq!(negate(True, true), False);
        assert_eq!(negate(Unknown, true), Unknown);
    }

    #[test]
    fn cpe_bounds() {
        let m = CpeMatch {
            vulnerable: true,
            criteria: "cpe:2.3:a:espressif:esp-idf:*:*:*:*:*:*:*:*".into(),
            start_including: Some("4.0.0".into()),
            start_excluding: None,
            end_including: Some("4.2".into()),
            end_excluding: None,
        };
        let name = Cpe::parse("cpe:2.3:a:espressif:esp-idf:*:*:*:*:*:*:*:*").unwrap();
        let g = Ecosystem::Generic;
        assert!(cpe_match(&m, &name, Some("3.3.9"), g).unwrap().is_none());
        assert_eq!(
            cpe_match(&m, &name, Some("4.0.0"), g).unwrap().as_deref(),
            Some("4.0.0 >= versionStartIncluding 4.0.0 and 4.0.0 <= versionEndIncluding 4.2")
        );
        assert!(cpe_match(&m, &name, Some("4.2"), g).unwrap().is_some());
        assert!(cpe_match(&m, &name, Some("4.2.1"), g).unwrap().is_none());
        assert!(cpe_match(&m, &name, None, g).unwrap().is_none());
        let other = Cpe::parse("cpe:2.3:a:espressif:esp32-idf:4.1").unwrap();
        assert!(cpe_match(&m, &other, Some("4.1"), g).unwrap().is_none());
    }
}
