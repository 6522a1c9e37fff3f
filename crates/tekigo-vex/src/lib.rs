//! Vulnerability triage (VEX): what the product team decided about each vulnerability in
//! each component, kept in the project and exchanged as OpenVEX and CSAF.
//!
//! A scanner lists every advisory that matches a component version; most of them need a
//! human decision before they mean anything for the product. IEC 62443-4-1 defect
//! management (DM) and security update management (SUM), and the CR 7.8 component inventory
//! of 4-2, ask that those decisions are recorded, justified and communicated. This crate
//! keeps them as [`Record`]s:
//!
//! - per (vulnerability, component): a [`State`] (affected, not affected, fixed, under
//!   investigation), for not affected one of the five standard [`Justification`]s (the
//!   CISA/OpenVEX/CSAF list; documents imported from elsewhere may give only an impact
//!   statement instead, as both formats allow), for affected an action statement, plus
//!   note, author, timestamp;
//! - stored in the project as `vex/triage.yaml` ([`Triage`]): stable order so it diffs well
//!   in git, atomic writes, errors with file and line;
//! - carried across rescans: [`Triage::lookup`] finds a record by vulnerability id or any
//!   alias and by component PURL (ignoring qualifiers; optionally ignoring the version) or,
//!   for components without PURL, by name and version;
//! - exported as OpenVEX 0.2 ([`openvex::export`]) and CSAF 2.0 with the `csaf_vex` profile
//!   ([`csaf::export`]); imported from OpenVEX, CSAF VEX and CycloneDX VEX
//!   ([`import::from_path`]).

mod error;
mod model;
mod triage;

pub mod csaf;
pub mod import;
pub mod openvex;

pub use error::VexError;
pub use model::{ComponentRef, DocumentMeta, Justification, Record, State};
/// The timestamp formats (RFC 3339) records are written in.
pub use time::format_description::well_known as time_format;
/// The timestamp type of [`Record`] and [`DocumentMeta`], so callers need no `time`
/// dependency of their own.
pub use time::OffsetDateTime;
pub use triage::{Triage, TRIAGE_FILE};
