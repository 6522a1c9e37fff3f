//! Software bills of materials (SBOMs) read into one small component model.
//!
//! Vulnerability management under IEC 62443-4-1 (DM, SUM) and 4-2 CR 7.8 starts from the
//! list of components a product ships. Suppliers hand that list over as CycloneDX or SPDX, in
//! JSON, XML or SPDX tag-value, and the matcher must not care which: this crate turns every
//! one of them into the same [`Sbom`] of flat [`Component`]s.
//!
//! Supported inputs ([`Format`]):
//!
//! - **CycloneDX** 1.4, 1.5 and 1.6 (older 1.x documents with the same shape are read too),
//!   JSON and XML. The subject is `metadata.component`; nested `components` are flattened
//!   (pedigree ancestors, services and other component-like structures are not components
//!   of the product and are skipped; a first pedigree ancestor is the source package).
//! - **SPDX** 2.3 (and 2.2), JSON and tag-value. Packages are components; the PURL comes from
//!   the `PACKAGE-MANAGER purl` external reference, CPEs from `SECURITY cpe22Type/cpe23Type`.
//!
//! Distribution packages carry their source package ([`SourcePackage`]: Debian source,
//! Alpine origin, source RPM), which distribution advisories are keyed by, from whichever
//! place the generator (tekigo, syft, Trivy, debsbom) wrote it; `source.rs` lists them.
//!
//! Components without a PURL are kept with whatever identifies them (name, version, supplier,
//! CPEs), because firmware and vendor libraries in industrial products rarely have one. An
//! unparseable PURL does not reject the document: the component keeps its other identifiers
//! and the problem is listed in [`Sbom::warnings`].
//!
//! Errors ([`SbomError`]) name the file and the line (and column or JSON field path where the
//! format gives one). No function of this crate panics on any input.
//!
//! ```
//! let text = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
//!   {"type":"library","name":"idna","version":"3.7","purl":"pkg:pypi/idna@3.7"}]}"#;
//! let sbom = tekigo_sbom::Sbom::from_slice(text, "example.cdx.json").unwrap();
//! assert_eq!(sbom.format, tekigo_sbom::Format::CycloneDxJson);
//! let purl = sbom.components[0].purl.as_ref().unwrap();
//! assert_eq!((purl.ty.as_str(), purl.name.as_str()), ("pypi", "idna"));
//! ```

mod cyclonedx_json;
mod cyclonedx_xml;
mod error;
mod json;
mod model;
mod purl;
mod source;
mod spdx_json;
mod spdx_tv;

pub use error::SbomError;
pub use model::{Component, ComponentKind, Format, Sbom, Subject};
pub use purl::{Purl, PurlError};
pub use source::SourcePackage;
