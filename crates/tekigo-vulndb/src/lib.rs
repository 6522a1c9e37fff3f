//! An offline vulnerability advisory database and a matcher that explains itself.
//!
//! Defect management and security update management under IEC 62443-4-1 (DM, SUM) and
//! CR 7.8 of 62443-4-2 need the vulnerabilities of every component a product ships, found
//! the same way every time, in plants that are often air-gapped. tekigo keeps the advisories
//! in a local file and matches a component list against it:
//!
//! - **Import** ([`import`]): OSV records (single files, directories, osv.dev zip archives),
//!   NVD CVE API 2.0 responses, CSAF 2.0 advisories, the CISA KEV catalogue and CVE JSON 5
//!   records (the Linux kernel CNA's, with per-branch ranges and `programFiles`) and the
//!   Debian security tracker's export (fixed version per release: backports), recognised
//!   by content. Every record is normalised into an [`Advisory`] that keeps the source's own
//!   structure, and gets a content hash, so re-importing skips unchanged records. Whatever
//!   cannot be made matchable (a free-text CSAF range such as
//!   `<V4.00_Utilizes_Wibu-Systems_CodeMeter_7.60c`, a GIT-only OSV range) is stored with a
//!   `needs_review` note and counted, never dropped.
//! - **Storage** ([`Db`]): one immutable, memory-mapped file, replaced atomically by each
//!   import; a sorted key table gives each component lookup in about a microsecond, so a scan
//!   never loads the database into memory (see `store.rs` for the layout and the measurement
//!   that chose it over SQLite).
//! - **Matching** ([`scan`]): by PURL, and for distribution packages also by their source
//!   package (Debian source, Alpine origin, source RPM, compared at the source's version;
//!   see `Query::osv_lookups`), with each ecosystem's version rules from
//!   `tekigo-versions` (dpkg epochs and `~`, rpm, apk, SemVer, PEP 440, Maven, and a generic
//!   fallback that says it is one); by CPE only when the component states one (no CPE
//!   guessing); CSAF products by CPE, PURL or name. Each [`Finding`] carries an
//!   [`Explanation`]: which advisory data, which range, which comparison, which rules.
//!
//! No function of this crate panics on any input; bad input is an error naming the file (and
//! zip entry) and, for JSON, the line and column.

mod cpe;
mod csaf;
mod cve5;
pub mod cvss;
mod debian_tracker;
mod head;
mod index;
mod input;
mod kev;
mod matcher;
pub mod model;
mod nvd;
mod osv;
mod query;
mod redhat;
mod scan;
mod store;
pub mod vers;

pub use cpe::Cpe;
pub use head::{AdvisoryHead, SeverityRef};
pub use input::{detect, parse_document, Format, InputError};
pub use matcher::{Explanation, Finding, SourceMatch};
pub use model::{Advisory, KevInfo, Severity, Source};
pub use query::{PurlInfo, Query};
pub use scan::{scan, scan_map, scan_ordered, Feeding, QueryFeed, ScanResult};
pub use store::{import, resolve_path, Db, DbError, ImportOptions, ImportReport, Meta, FILE_NAME};

/// The importers one by one, for fuzzing and for callers that know the format.
pub mod parse {
    pub use crate::csaf::parse as csaf;
    pub use crate::cve5::parse as cve5;
    pub use crate::debian_tracker::parse as debian_tracker;
    pub use crate::kev::parse as kev;
    pub use crate::nvd::parse as nvd;
    pub use crate::osv::parse as osv;
}
