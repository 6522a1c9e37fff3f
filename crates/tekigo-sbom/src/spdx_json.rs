//! SPDX 2.x JSON: packages become components.

use serde::Deserialize;

use crate::error::SbomError;
use crate::model::{Format, Sbom};
use crate::spdx_tv::{check_spdx_version, ExternalRefs, Package, Relationship};

#[derive(Deserialize)]
pub(crate) struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    name: String,
    #[serde(rename = "versionInfo")]
    version_info: Option<String>,
    supplier: Option<String>,
    #[serde(rename = "externalRefs", default)]
    external_refs: Vec<SpdxExternalRef>,
    #[serde(rename = "primaryPackagePurpose")]
    purpose: Option<String>,
    #[serde(rename = "sourceInfo")]
    source_info: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct SpdxRelationship {
    #[serde(rename = "spdxElementId")]
    element: Option<String>,
    #[serde(rename = "relationshipType")]
    kind: Option<String>,
    #[serde(rename = "relatedSpdxElement")]
    related: Option<String>,
}

#[derive(Deserialize)]
struct SpdxExternalRef {
    #[serde(rename = "referenceCategory")]
    category: String,
    #[serde(rename = "referenceType")]
    ty: String,
    #[serde(rename = "referenceLocator")]
    locator: String,
}

pub(crate) fn into_sbom(
    spdx_version: String,
    name: Option<String>,
    packages: Vec<SpdxPackage>,
    relationships: Vec<SpdxRelationship>,
    origin: &str,
) -> Result<Sbom, SbomError> {
    check_spdx_version(&spdx_version).map_err(|m| SbomError::at_field(origin, "spdxVersion", m))?;
    let packages: Vec<Package> = packages
        .into_iter()
        .map(|p| {
            let mut refs = ExternalRefs::default();
            for r in &p.external_refs {
                refs.add(&r.category, &r.ty, &r.locator);
            }
            Package {
                id: p.spdx_id,
                name: p.name,
                version: p.version_info,
                supplier: p.supplier,
                purpose: p.purpose,
                refs,
                source_info: p.source_info,
            }
        })
        .collect();
    Ok(crate::spdx_tv::into_sbom(
        Format::SpdxJson,
        spdx_version,
        name,
        packages,
        &relationships
            .into_iter()
            .filter_map(|r| {
                Some(Relationship {
                    element: r.element?,
                    kind: r.kind?,
                    related: r.related?,
                })
            })
            .collect::<Vec<_>>(),
        |i, _| format!("packages[{i}].externalRefs"),
    ))
}
