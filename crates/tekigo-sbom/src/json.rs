//! JSON documents: one pass that reads either CycloneDX or SPDX, then the format's own
//! conversion. A single pass keeps sniffing free: the top-level keys decide the format.

use serde::Deserialize;

use crate::cyclonedx_json::{CdxComponent, CdxMetadata};
use crate::error::SbomError;
use crate::model::{Format, Sbom};
use crate::spdx_json::{SpdxPackage, SpdxRelationship};

/// The union of the top-level fields this crate reads from either format; everything else
/// is skipped without being stored. (Not `#[serde(flatten)]`: that buffers the document and
/// loses serde_json's line numbers.)
#[derive(Deserialize)]
struct TopLevel {
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<String>,
    #[serde(rename = "@context")]
    context: Option<serde::de::IgnoredAny>,
    // CycloneDX
    #[serde(rename = "specVersion")]
    spec_version: Option<String>,
    metadata: Option<CdxMetadata>,
    #[serde(default)]
    components: Vec<CdxComponent>,
    // SPDX
    name: Option<String>,
    #[serde(default)]
    packages: Vec<SpdxPackage>,
    #[serde(default)]
    relationships: Vec<SpdxRelationship>,
}

pub(crate) fn parse(
    expected: Option<Format>,
    body: &[u8],
    origin: &str,
) -> Result<Sbom, SbomError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let top: TopLevel = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let mut err = json_error(origin, e.inner());
        if path != "." {
            err.field = Some(path);
        }
        err
    })?;
    de.end().map_err(|e| json_error(origin, &e))?;
    let found =
        match (&top.bom_format, &top.spdx_version) {
            (Some(f), None) if f == "CycloneDX" => Format::CycloneDxJson,
            (Some(f), None) => {
                return Err(SbomError::at_field(
                    origin,
                    "bomFormat",
                    format!("expected \"CycloneDX\", found {f:?}"),
                ))
            }
            (None, Some(_)) => Format::SpdxJson,
            (Some(_), Some(_)) => return Err(SbomError::format(
                origin,
                "has both bomFormat (CycloneDX) and spdxVersion (SPDX); cannot tell which it is",
            )),
            (None, None) if top.context.is_some() => {
                return Err(SbomError::format(
                    origin,
                    "looks like JSON-LD (SPDX 3 or similar), which is not supported; \
                 use CycloneDX 1.4-1.6 or SPDX 2.3",
                ))
            }
            (None, None) => {
                return Err(SbomError::format(
                    origin,
                    "JSON without bomFormat (CycloneDX) or spdxVersion (SPDX) at the top level",
                ))
            }
        };
    if let Some(want) = expected.filter(|w| *w != found) {
        return Err(SbomError::format(
            origin,
            format!("expected {want}, but the document is {found}"),
        ));
    }
    match found {
        Format::CycloneDxJson => {
            crate::cyclonedx_json::into_sbom(top.spec_version, top.metadata, top.components, origin)
        }
        _ => crate::spdx_json::into_sbom(
            top.spdx_version.unwrap_or_default(),
            top.name,
            top.packages,
            top.relationships,
            origin,
        ),
    }
}

fn json_error(origin: &str, e: &serde_json::Error) -> SbomError {
    // serde_json appends " at line L column C"; the error carries those as fields.
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    SbomError::at_line(origin, e.line(), message).with_column(e.column())
}
