//! The format-independent model and the entry points that pick a parser.

use std::fmt;
use std::path::Path;

use crate::error::SbomError;
use crate::purl::Purl;
use crate::source::SourcePackage;

/// The serialisation an SBOM came in. Kept on the [`Sbom`] so reports can say what was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CycloneDX JSON (`bomFormat: CycloneDX`).
    CycloneDxJson,
    /// CycloneDX XML (`<bom xmlns="http://cyclonedx.org/schema/bom/1.x">`).
    CycloneDxXml,
    /// SPDX 2.x JSON (`spdxVersion: SPDX-2.3`).
    SpdxJson,
    /// SPDX 2.x tag-value (`SPDXVersion: SPDX-2.3` lines).
    SpdxTagValue,
}

impl Format {
    /// A stable lower-case name (`cyclonedx-json`, `cyclonedx-xml`, `spdx-json`,
    /// `spdx-tag-value`) for JSON output and command-line options.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::CycloneDxJson => "cyclonedx-json",
            Format::CycloneDxXml => "cyclonedx-xml",
            Format::SpdxJson => "spdx-json",
            Format::SpdxTagValue => "spdx-tag-value",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a component is, from CycloneDX `type` or SPDX `primaryPackagePurpose`.
///
/// Matchers can use it to skip things that cannot carry advisories (files, data) or to pick
/// a CPE part (`a`, `o`, `h`) for components without a PURL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    Application,
    Framework,
    Library,
    Container,
    Platform,
    OperatingSystem,
    Device,
    DeviceDriver,
    Firmware,
    File,
    Source,
    Archive,
    Install,
    Data,
    MachineLearningModel,
    CryptographicAsset,
    /// A kind the document names that none of the above covers.
    Other,
    /// The document does not say.
    Unspecified,
}

impl ComponentKind {
    /// Reads a CycloneDX `type` or SPDX `primaryPackagePurpose`, case-insensitively and with
    /// `-`/`_` treated alike, so `operating-system` and `OPERATING_SYSTEM` agree.
    pub fn from_name(name: &str) -> ComponentKind {
        let norm: String = name
            .trim()
            .chars()
            .map(|c| {
                if c == '_' {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        match norm.as_str() {
            "application" => ComponentKind::Application,
            "framework" => ComponentKind::Framework,
            "library" => ComponentKind::Library,
            "container" => ComponentKind::Container,
            "platform" => ComponentKind::Platform,
            "operating-system" => ComponentKind::OperatingSystem,
            "device" => ComponentKind::Device,
            "device-driver" => ComponentKind::DeviceDriver,
            "firmware" => ComponentKind::Firmware,
            "file" => ComponentKind::File,
            "source" => ComponentKind::Source,
            "archive" => ComponentKind::Archive,
            "install" => ComponentKind::Install,
            "data" => ComponentKind::Data,
            "machine-learning-model" => ComponentKind::MachineLearningModel,
            "cryptographic-asset" => ComponentKind::CryptographicAsset,
            "" => ComponentKind::Unspecified,
            _ => ComponentKind::Other,
        }
    }
}

/// One component of the product, whatever format it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// The document-local identifier: CycloneDX `bom-ref` or SPDX `SPDXID`. VEX documents and
    /// dependency graphs refer to components by it.
    pub id: Option<String>,
    /// The component name as written (for CycloneDX without its `group`).
    pub name: String,
    /// CycloneDX `group` (Maven group id, npm scope, vendor); `None` for SPDX.
    pub group: Option<String>,
    /// The version as written; `None` when absent or `NOASSERTION`.
    pub version: Option<String>,
    /// The parsed PURL with its original text; `None` when absent or invalid (see
    /// [`Sbom::warnings`]).
    pub purl: Option<Purl>,
    /// CPE 2.2 URIs or CPE 2.3 formatted strings, as written.
    pub cpes: Vec<String>,
    /// Who supplies the component: CycloneDX `supplier.name` (else `manufacturer.name`,
    /// `publisher`, `author`), SPDX `supplier` without its `Organization:`/`Person:` prefix.
    pub supplier: Option<String>,
    /// What the component is.
    pub kind: ComponentKind,
    /// The source package a distribution package was built from, from the PURL's
    /// `upstream` qualifier or the generator's own fields (see [`SourcePackage`]).
    pub source: Option<SourcePackage>,
}

/// What the SBOM describes: the CycloneDX `metadata.component`, or for SPDX the document
/// name. Reports and VEX exports name the product with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<Purl>,
}

/// A parsed SBOM: the product it describes and its components in document order, nested
/// CycloneDX components flattened (a parent comes before its children).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbom {
    pub format: Format,
    /// The specification version as the document states it: `1.5` for CycloneDX, `SPDX-2.3`
    /// for SPDX.
    pub spec_version: String,
    pub subject: Option<Subject>,
    pub components: Vec<Component>,
    /// Problems that did not stop the parse (an invalid PURL, for instance), each naming the
    /// component by line or field path.
    pub warnings: Vec<String>,
}

impl Sbom {
    /// Reads and parses an SBOM file, recognising its format from its content (not its name).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Sbom, SbomError> {
        Sbom::collect(|each| Sbom::stream_path(path, each))
    }

    /// [`Sbom::from_path`], handing each component to `each` as soon as it is read instead
    /// of keeping it: a CycloneDX JSON document's components arrive while the rest of it is
    /// still being read (other formats' when it has been read), so that what the caller
    /// does with them (a vulnerability scan) overlaps the parse. The SBOM returned has no
    /// `components`. After an error, the components handed over so far came from a
    /// document that is not valid: the caller must discard what it made of them.
    pub fn stream_path(
        path: impl AsRef<Path>,
        each: &mut dyn FnMut(Component),
    ) -> Result<Sbom, SbomError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| SbomError::io(path, e))?;
        Sbom::read(None, &bytes, &path.display().to_string(), each)
    }

    /// Parses an SBOM held in memory; `origin` names it in errors (usually the file path).
    pub fn from_slice(bytes: &[u8], origin: &str) -> Result<Sbom, SbomError> {
        Sbom::collect(|each| Sbom::read(None, bytes, origin, each))
    }

    /// Parses `bytes` as the given format, for callers that already know it.
    pub fn parse_as(format: Format, bytes: &[u8], origin: &str) -> Result<Sbom, SbomError> {
        Sbom::collect(|each| Sbom::read(Some(format), bytes, origin, each))
    }

    /// A streamed parse's components gathered into its SBOM.
    fn collect(
        parse: impl FnOnce(&mut dyn FnMut(Component)) -> Result<Sbom, SbomError>,
    ) -> Result<Sbom, SbomError> {
        let mut components = Vec::new();
        let mut sbom = parse(&mut |c| components.push(c))?;
        sbom.components = components;
        Ok(sbom)
    }

    /// Parses `bytes` as `expected`, or as what its content shows when `None`.
    fn read(
        expected: Option<Format>,
        bytes: &[u8],
        origin: &str,
        each: &mut dyn FnMut(Component),
    ) -> Result<Sbom, SbomError> {
        let body = strip_bom(bytes);
        let first = body.iter().position(|b| !b.is_ascii_whitespace());
        let sbom = match (expected, first.map(|i| body[i])) {
            (Some(Format::CycloneDxJson | Format::SpdxJson), _) | (None, Some(b'{')) => {
                return crate::json::parse(expected, body, origin, each)
            }
            (Some(Format::CycloneDxXml), _) | (None, Some(b'<')) => {
                crate::cyclonedx_xml::parse(body, origin)
            }
            (Some(Format::SpdxTagValue), _) => crate::spdx_tv::parse(body, origin),
            (None, Some(_)) if crate::spdx_tv::looks_like_tag_value(body) => {
                crate::spdx_tv::parse(body, origin)
            }
            (None, Some(_)) => Err(SbomError::format(
                origin,
                "not a CycloneDX (JSON, XML) or SPDX (JSON, tag-value) document",
            )),
            (None, None) => Err(SbomError::format(origin, "the file is empty")),
        }?;
        Ok(sbom.hand_over(each))
    }

    /// This SBOM with its components handed to `each`.
    pub(crate) fn hand_over(mut self, each: &mut dyn FnMut(Component)) -> Sbom {
        for c in std::mem::take(&mut self.components) {
            each(c);
        }
        self
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}
