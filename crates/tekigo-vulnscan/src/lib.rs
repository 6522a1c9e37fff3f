//! An SBOM matched against the advisory database, with the project's triage applied.
//!
//! `tekigo vuln scan` and the web application (`tekigo serve`) show the same findings:
//! both build them here, so a finding's fields, its triage and its severity level cannot
//! differ between the two. [`FindingRow`] serialises to the JSON rows of
//! `tekigo vuln scan --format json`, which other tools read.
//!
//! Each row has a [`FindingState`]: what tekigo suggests, which a person's triage overrules.
//! The rule, stated once:
//!
//! - `unknown` when the match itself needs review (a version that cannot be placed, a
//!   platform condition the SBOM does not confirm).
//! - For a kernel finding whose record lists the files its fix touched (`programFiles`),
//!   when a kernel configuration and source tree are given ([`Kernel`]): `not_affected` with
//!   the justification `vulnerable_code_not_present` when tekigo-kconfig finds every one of
//!   those files not built, with the deciding Makefile and `.config` lines as evidence;
//!   `affected` when one is built (its lines as evidence); `unknown` otherwise, with the
//!   reason. Nothing is dropped: a `not_affected` finding is still a row.
//! - `affected` in every other case.

mod pretty;

pub use pretty::PrettyItems;
use serde::Serialize;
use std::borrow::Borrow;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tekigo_kconfig::{Config, Decision, Line, Tree};
use tekigo_sbom::{Component, Sbom, SbomError};
use tekigo_vex::{ComponentRef, Record, State, Triage};
use tekigo_vulndb::{Db, DbError, Explanation, Feeding, PurlInfo, Query, QueryFeed, SourceMatch};

/// The query for one SBOM component: PURL fields as parsed by tekigo-sbom, CPEs as stated,
/// and the source package the SBOM gives (which distribution advisories are keyed by).
pub fn query_of(c: &Component) -> Query {
    query_from(c.clone())
}

/// [`query_of`] of a component no longer needed: its fields are moved, not copied (a JSON
/// scan makes the query of each component as the SBOM is read and drops the component).
pub fn query_from(c: Component) -> Query {
    let label = match (&c.purl, &c.version) {
        (Some(p), _) => p.original.clone(),
        (None, Some(v)) => format!("{}@{v}", c.name),
        (None, None) => c.name.clone(),
    };
    let purl = c.purl.map(|p| PurlInfo {
        ty: p.ty,
        namespace: p.namespace,
        name: p.name,
        version: p.version,
        qualifiers: p.qualifiers,
    });
    let version = purl.as_ref().and_then(PurlInfo::full_version).or(c.version);
    Query {
        label,
        name: c.name,
        version,
        purl,
        cpes: c.cpes,
        supplier: c.supplier,
        source: c.source,
    }
}

/// One finding as JSON consumers see it (the field names and shapes are an interface:
/// `tekigo vuln scan --format json` prints a list of these).
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub vulnerability: String,
    pub aliases: Vec<String>,
    /// `osv`, `nvd`, `csaf`, ... (tekigo-vulndb's `Source`).
    pub source: &'static str,
    pub component: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub severity: Option<SeverityOut>,
    pub kev: bool,
    pub kev_date_added: Option<String>,
    pub kev_due_date: Option<String>,
    pub kev_ransomware: Option<String>,
    pub fixed_version: Option<String>,
    /// When the first source published it (the age of an untriaged finding counts from here).
    pub published: Option<String>,
    pub triage: Option<TriageOut>,
    /// What tekigo suggests (see the crate docs); a person's `triage` overrules it.
    pub state: FindingState,
    /// `vulnerable_code_not_present` when `state` is `not_affected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The Kbuild and `.config` lines that decided `state`, when the kernel configuration
    /// did.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Line>,
    /// Why `state` is `unknown`, when the kernel configuration could not tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    pub needs_review: bool,
    pub explanation: Arc<Explanation>,
    /// Every advisory (OSV, NVD, CSAF) that reported this vulnerability for the component.
    pub sources: Vec<SourceMatch>,
    /// The component as a triage record names it, so that a decision can be recorded for
    /// this finding (not part of the JSON interface). Shared, so that a scan's rows of one
    /// component need not copy it each.
    #[serde(skip)]
    pub component_ref: Arc<ComponentRef>,
    /// The triage record that applies (matched by id or alias), whose key a change of the
    /// decision must address (not part of the JSON interface).
    #[serde(skip)]
    pub decision: Option<Record>,
}

/// What tekigo suggests about a finding (the rule is in the crate docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    Affected,
    NotAffected,
    Unknown,
}

impl FindingState {
    /// The name the JSON gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingState::Affected => "affected",
            FindingState::NotAffected => "not_affected",
            FindingState::Unknown => "unknown",
        }
    }
}

/// The device kernel's configuration and the source tree it was built from: what decides
/// whether the files a kernel CVE's fix touched are built.
pub struct Kernel {
    pub config: Config,
    tree: Mutex<Tree>,
}

impl Kernel {
    pub fn new(config: Config, tree: Tree) -> Kernel {
        Kernel {
            config,
            tree: Mutex::new(tree),
        }
    }

    /// The state of a finding whose fix touched `files` (see the crate docs), with the
    /// deciding lines and, when unknown, why.
    pub fn decide(&self, files: &[String]) -> (FindingState, Vec<Line>, Option<String>) {
        let mut tree = match self.tree.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut not_built = Vec::new();
        let mut unknown = None;
        for file in files {
            match tree.decide(&self.config, file) {
                Ok(Decision::Built { evidence }) => {
                    return (FindingState::Affected, evidence, None);
                }
                Ok(Decision::NotBuilt { evidence }) => {
                    // Two files of one directory cite the same gate once.
                    for line in evidence {
                        if !not_built.contains(&line) {
                            not_built.push(line);
                        }
                    }
                }
                Ok(Decision::Unknown { reason }) => {
                    unknown.get_or_insert(format!("{file}: {reason}"));
                }
                Err(e) => {
                    unknown.get_or_insert(e.to_string());
                }
            }
        }
        match unknown {
            Some(reason) => (FindingState::Unknown, Vec::new(), Some(reason)),
            None => (FindingState::NotAffected, not_built, None),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SeverityOut {
    pub score: Option<f64>,
    pub label: Option<String>,
    pub vector: Option<String>,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TriageOut {
    pub state: String,
    pub justification: Option<String>,
    pub note: Option<String>,
    pub author: String,
    /// When the decision was recorded (RFC 3339): the triage age an assessment reads.
    pub timestamp: String,
}

/// Severity levels as thresholds (`--fail-on`) compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl FindingRow {
    /// The severity level: from the CVSS score when there is one, else from the source's
    /// label (`MODERATE`, `IMPORTANT` and the like map to the CVSS names). `None` when the
    /// advisory gives no usable severity.
    pub fn level(&self) -> Option<Level> {
        let s = self.severity.as_ref()?;
        let label = match s.score {
            Some(score) => tekigo_vulndb::cvss::label_for(score).to_string(),
            None => s.label.clone()?.to_ascii_uppercase(),
        };
        match label.as_str() {
            "CRITICAL" => Some(Level::Critical),
            "HIGH" | "IMPORTANT" => Some(Level::High),
            "MEDIUM" | "MODERATE" => Some(Level::Medium),
            "LOW" | "NONE" | "NEGLIGIBLE" => Some(Level::Low),
            _ => None,
        }
    }

    /// Still to be dealt with: not triaged `not_affected` or `fixed` by a person, nor
    /// suggested `not_affected` by tekigo without a person's decision.
    pub fn is_open(&self) -> bool {
        match &self.decision {
            Some(r) => !matches!(r.state, State::NotAffected | State::Fixed),
            None => self.state != FindingState::NotAffected,
        }
    }

    /// Open, and at or above `threshold` (a finding without a severity counts as at or
    /// above any level: unknown is not safe).
    pub fn fails(&self, threshold: Level) -> bool {
        self.is_open() && self.level().is_none_or(|l| l >= threshold)
    }
}

/// The findings of one SBOM and the problems met while matching it.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub rows: Vec<FindingRow>,
    /// Matcher warnings (invalid versions and the like); SBOM parse warnings are the
    /// caller's, in `Sbom::warnings`.
    pub warnings: Vec<String>,
}

/// Matches every component of `sbom` against `db` and applies `triage` (by vulnerability
/// id or alias, and component).
pub fn findings(sbom: &Sbom, db: &Db, triage: Option<&Triage>) -> Result<Findings, DbError> {
    findings_with_kernel(sbom, db, triage, None)
}

/// [`findings`], with the kernel's configuration deciding the state of kernel findings.
pub fn findings_with_kernel(
    sbom: &Sbom,
    db: &Db,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
) -> Result<Findings, DbError> {
    let queries: Vec<Query> = sbom.components.iter().map(query_of).collect();
    let (rows, warnings) = tekigo_vulndb::scan_map(db, &queries, |f| {
        let reference = Arc::new(ComponentRef::from(&sbom.components[f.component_index]));
        row_of(f, reference, triage, kernel)
    })?;
    Ok(Findings { rows, warnings })
}

/// The row of one finding: its suggested state and the project's triage decision.
fn row_of(
    f: tekigo_vulndb::Finding,
    component_ref: Arc<ComponentRef>,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
) -> FindingRow {
    let (state, evidence, state_reason) = match kernel {
        _ if f.needs_review => (FindingState::Unknown, Vec::new(), None),
        Some(k) if !f.program_files.is_empty() => k.decide(&f.program_files),
        _ => (FindingState::Affected, Vec::new(), None),
    };
    let justification = (state == FindingState::NotAffected).then(|| {
        tekigo_vex::Justification::VulnerableCodeNotPresent
            .as_str()
            .to_string()
    });
    let decision = triage.and_then(|t| {
        let ids: Vec<&str> = f.ids().collect();
        t.lookup(&ids, &component_ref).cloned()
    });
    FindingRow {
        source: f.source.as_str(),
        severity: f.severity.map(|s| SeverityOut {
            score: s.score,
            label: s.label,
            vector: s.vector,
            kind: s.kind,
        }),
        kev: f.kev.is_some(),
        kev_date_added: f.kev.as_ref().map(|k| k.date_added.clone()),
        kev_due_date: f.kev.as_ref().and_then(|k| k.due_date.clone()),
        kev_ransomware: f.kev.and_then(|k| k.ransomware),
        triage: decision.as_ref().map(triage_out),
        state,
        justification,
        evidence,
        state_reason,
        vulnerability: f.vulnerability,
        aliases: f.aliases,
        component: f.component,
        version: f.version,
        summary: f.summary,
        fixed_version: f.fixed_version,
        published: f.published,
        needs_review: f.needs_review,
        explanation: f.explanation,
        sources: f.sources,
        component_ref,
        decision,
    }
}

/// A component as a JSON scan holds it: its query, and how a triage record names it.
#[derive(Debug)]
struct Scanned {
    query: Query,
    reference: Arc<ComponentRef>,
}

impl Scanned {
    fn of(c: Component) -> Scanned {
        Scanned {
            reference: Arc::new(ComponentRef::from(&c)),
            query: query_from(c),
        }
    }
}

impl Borrow<Query> for Scanned {
    fn borrow(&self) -> &Query {
        &self.query
    }
}

/// The findings as `tekigo vuln scan --format json` prints them, written to `out` while
/// the matching goes on (tekigo-vulndb's `scan_ordered`): each row is written as it is
/// made and dropped, and the buffers are reused, so the scan never holds its output
/// (15,000 rows held and then written peaked at 148 MB). What is written is byte for byte
/// `serde_json::to_vec_pretty` of the rows of [`findings_with_kernel`], without a final
/// newline. When this fails, what was written is incomplete and not valid JSON.
pub fn write_findings_json(
    sbom: &Sbom,
    db: &Db,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
    fail_on: Option<Level>,
    out: &mut dyn std::io::Write,
) -> Result<JsonSummary, ScanError> {
    let feed = QueryFeed::of(sbom.components.iter().cloned().map(Scanned::of));
    write_json(db, &feed, triage, kernel, fail_on, out)
}

/// [`write_findings_json`] of the SBOM file at `path`, matched while it is read (see
/// [`scan_file_rows`]). Nothing is written unless the whole SBOM reads without error
/// (`ScanError::Sbom`). Returns the SBOM without its components, for its warnings and
/// subject.
pub fn scan_file_json(
    path: &Path,
    db: &Db,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
    fail_on: Option<Level>,
    out: &mut dyn std::io::Write,
) -> Result<(Sbom, JsonSummary), ScanError> {
    read_while_scanning(path, |feed| {
        write_json(db, feed, triage, kernel, fail_on, out)
    })
}

/// The rows of the SBOM file at `path`, matched while it is read: a thread reads it
/// (`Sbom::stream_path`) while the others match its first components, since on two cores
/// the parse alone took as long as matching its 12,500 components (issue 20). Each row is
/// folded into a chunk's `S` by `each` on the thread that made it and then dropped, and
/// `emit` gets the chunks in component order, with the matcher warnings, as
/// tekigo-vulndb's `scan_ordered` hands them on (`emit` must leave the `S` empty). So a
/// caller that keeps only what it shows of each row never holds the rows: the table of
/// 15,152 findings peaked at 132 MB when it did. Nothing is emitted unless the whole SBOM
/// reads without error (`ScanError::Sbom`). Returns the SBOM without its components.
pub fn scan_file_rows<S: Send>(
    path: &Path,
    db: &Db,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
    init: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, FindingRow) + Sync,
    emit: impl FnMut(&mut S, &[String]) -> Result<(), ScanError>,
) -> Result<Sbom, ScanError> {
    let (sbom, ()) = read_while_scanning(path, |feed| {
        scan_rows(db, feed, triage, kernel, init, each, emit)
    })?;
    Ok(sbom)
}

/// Reads the SBOM file at `path` into a feed on one thread while `scan` matches it on
/// this one (the feed is abandoned when the SBOM is not valid).
fn read_while_scanning<R>(
    path: &Path,
    scan: impl FnOnce(&QueryFeed<Scanned>) -> Result<R, ScanError>,
) -> Result<(Sbom, R), ScanError> {
    let feed = QueryFeed::new();
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            // Abandons the feed when the SBOM is not valid (or this thread panics).
            let feeding = Feeding(&feed);
            let sbom = Sbom::stream_path(path, &mut |c| feed.push(Scanned::of(c)))?;
            feeding.close();
            Ok::<Sbom, SbomError>(sbom)
        });
        let scanned = scan(&feed);
        let sbom = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            .map_err(ScanError::Sbom)?;
        Ok((sbom, scanned?))
    })
}

/// The rows of the components of `feed` (see [`scan_file_rows`]).
fn scan_rows<S: Send>(
    db: &Db,
    feed: &QueryFeed<Scanned>,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
    init: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, FindingRow) + Sync,
    emit: impl FnMut(&mut S, &[String]) -> Result<(), ScanError>,
) -> Result<(), ScanError> {
    tekigo_vulndb::scan_ordered(
        db,
        feed,
        init,
        |state, item: &Scanned, f| each(state, row_of(f, item.reference.clone(), triage, kernel)),
        emit,
    )
}

/// The JSON of [`write_findings_json`] for the components of `feed`; nothing when the feed
/// is abandoned.
fn write_json(
    db: &Db,
    feed: &QueryFeed<Scanned>,
    triage: Option<&Triage>,
    kernel: Option<&Kernel>,
    fail_on: Option<Level>,
    out: &mut dyn std::io::Write,
) -> Result<JsonSummary, ScanError> {
    let mut summary = JsonSummary::default();
    scan_rows(
        db,
        feed,
        triage,
        kernel,
        || JsonChunk {
            rows: PrettyItems::for_chunk(),
            failing: false,
        },
        |chunk, row| {
            chunk.failing |= fail_on.is_some_and(|t| row.fails(t));
            // A row is an item of the top-level list.
            chunk.rows.push_row(&row, 1);
        },
        |chunk, warnings| {
            if let Some(e) = chunk.rows.error.take() {
                return Err(ScanError::Json(e));
            }
            if chunk.rows.count > 0 {
                out.write_all(if summary.findings == 0 {
                    b"[\n"
                } else {
                    b",\n"
                })
                .and_then(|()| out.write_all(&chunk.rows.json))
                .map_err(ScanError::Io)?;
            }
            summary.findings += chunk.rows.count;
            summary.failing |= std::mem::take(&mut chunk.failing);
            summary.warnings.extend_from_slice(warnings);
            chunk.rows.clear();
            Ok(())
        },
    )?;
    if feed.abandoned() {
        return Ok(summary);
    }
    out.write_all(if summary.findings == 0 { b"[]" } else { b"\n]" })
        .map_err(ScanError::Io)?;
    // The components' queries are handed back to the allocator on the caller's time only
    // when it wants them back: the command ends the process next.
    summary.held = feed.take_chunks();
    Ok(summary)
}

/// What [`write_findings_json`] wrote.
#[derive(Debug, Default)]
pub struct JsonSummary {
    /// The number of findings.
    pub findings: usize,
    /// Whether a finding fails the `fail_on` threshold given.
    pub failing: bool,
    /// Matcher warnings, as in [`Findings`].
    pub warnings: Vec<String>,
    /// The component queries matched (kept so that a command about to exit can skip
    /// freeing them: `std::mem::forget` of the summary).
    held: Vec<Arc<Vec<Scanned>>>,
}

/// Why a scan ([`write_findings_json`], [`scan_file_json`], [`scan_file_rows`]) failed.
#[derive(Debug)]
pub enum ScanError {
    Sbom(SbomError),
    Db(DbError),
    Json(serde_json::Error),
    Io(std::io::Error),
}

impl From<DbError> for ScanError {
    fn from(e: DbError) -> ScanError {
        ScanError::Db(e)
    }
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The cause is the error's source: an error chain prints it once, after this.
            ScanError::Sbom(_) => f.write_str("reading the SBOM"),
            ScanError::Db(_) => f.write_str("matching against the advisory database"),
            ScanError::Json(_) => f.write_str("writing a finding as JSON"),
            ScanError::Io(_) => f.write_str("writing the findings"),
        }
    }
}

impl std::error::Error for ScanError {
    /// The cause, so that a caller can tell a closed pipe (`ErrorKind::BrokenPipe`) from a
    /// failure: `tekigo vuln scan ... | head` ends quietly.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScanError::Sbom(e) => Some(e),
            ScanError::Db(e) => Some(e),
            ScanError::Json(e) => Some(e),
            ScanError::Io(e) => Some(e),
        }
    }
}

/// One chunk's rows as JSON list items, and whether one fails `fail_on`.
struct JsonChunk {
    rows: PrettyItems,
    failing: bool,
}

fn triage_out(r: &Record) -> TriageOut {
    TriageOut {
        state: r.state.as_str().to_string(),
        justification: r.justification.map(|j| j.as_str().to_string()),
        note: r.note.clone(),
        author: r.author.clone(),
        timestamp: r
            .timestamp
            .format(&tekigo_vex::time_format::Rfc3339)
            .unwrap_or_default(),
    }
}
