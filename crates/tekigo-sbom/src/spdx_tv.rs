//! SPDX 2.x tag-value, and the helpers SPDX JSON shares with it.
//!
//! A tag-value document is a sequence of `Tag: value` lines; a value may span lines inside
//! `<text>...</text>`. A package starts at `PackageName:` and ends where the next package,
//! file, snippet or extracted licence starts, which is how the fields are attributed.

use crate::error::SbomError;
use crate::model::{Component, ComponentKind, Format, Sbom, Subject};
use crate::purl::{lenient, Purl};
use crate::source::{self, SourcePackage};

/// SPDX 2.2 and 2.3 share the package fields this crate reads; SPDX 3 is a different
/// (JSON-LD) model.
pub(crate) fn check_spdx_version(version: &str) -> Result<(), String> {
    match version.trim() {
        "SPDX-2.2" | "SPDX-2.3" => Ok(()),
        other => Err(format!(
            "{other:?} is not supported (SPDX-2.3 is; SPDX-2.2 is read too)"
        )),
    }
}

/// `NOASSERTION` and `NONE` mean "no value" in SPDX.
pub(crate) fn assertion(value: Option<String>) -> Option<String> {
    value.filter(|v| {
        let v = v.trim();
        !v.is_empty() && v != "NOASSERTION" && v != "NONE"
    })
}

/// `Organization: ACME (sec@acme.example)` becomes `ACME (sec@acme.example)`.
pub(crate) fn supplier(value: Option<String>) -> Option<String> {
    let value = assertion(value)?;
    let rest = ["Organization:", "Person:", "Tool:"]
        .iter()
        .find_map(|p| value.strip_prefix(p))
        .unwrap_or(&value)
        .trim();
    (!rest.is_empty()).then(|| rest.to_string())
}

/// The external references of one package that identify it: the first PURL and all CPEs.
#[derive(Default)]
pub(crate) struct ExternalRefs {
    purl: Option<String>,
    pub(crate) cpes: Vec<String>,
}

impl ExternalRefs {
    pub(crate) fn add(&mut self, category: &str, ty: &str, locator: &str) {
        let category = category.trim();
        let locator = locator.trim();
        let package_manager = category == "PACKAGE-MANAGER" || category == "PACKAGE_MANAGER";
        if package_manager && ty.trim() == "purl" && self.purl.is_none() {
            self.purl = Some(locator.to_string());
        } else if category == "SECURITY" && matches!(ty.trim(), "cpe22Type" | "cpe23Type") {
            self.cpes.push(locator.to_string());
        }
    }

    pub(crate) fn purl(
        &self,
        place: impl FnOnce() -> String,
        warnings: &mut Vec<String>,
    ) -> Option<Purl> {
        lenient(self.purl.as_deref(), place, warnings)
    }
}

/// True when some line starts with `SPDXVersion:`, the one tag every document has.
pub(crate) fn looks_like_tag_value(body: &[u8]) -> bool {
    body.split(|&b| b == b'\n')
        .any(|line| line.trim_ascii_start().starts_with(b"SPDXVersion:"))
}

/// An SPDX package as both serialisations give it, before conversion.
#[derive(Default)]
pub(crate) struct Package {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) version: Option<String>,
    pub(crate) supplier: Option<String>,
    pub(crate) purpose: Option<String>,
    pub(crate) refs: ExternalRefs,
    pub(crate) source_info: Option<String>,
}

/// An SPDX relationship `element TYPE related` as both serialisations give it.
pub(crate) struct Relationship {
    pub(crate) element: String,
    pub(crate) kind: String,
    pub(crate) related: String,
}

/// The source package each package was built from, by index: SPDX says it with
/// `BIN GENERATED_FROM SRC` or `SRC GENERATES BIN` between two packages of the document.
fn generated_from(packages: &[Package], relationships: &[Relationship]) -> Vec<Option<usize>> {
    use std::collections::HashMap;
    let index: HashMap<&str, usize> = packages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((p.id.as_deref()?, i)))
        .collect();
    let mut from = vec![None; packages.len()];
    for r in relationships {
        let (binary, source) = match r.kind.trim() {
            "GENERATED_FROM" => (r.element.as_str(), r.related.as_str()),
            "GENERATES" => (r.related.as_str(), r.element.as_str()),
            _ => continue,
        };
        if let (Some(&b), Some(&s)) = (index.get(binary.trim()), index.get(source.trim())) {
            if b != s && from[b].is_none() {
                from[b] = Some(s);
            }
        }
    }
    from
}

/// Turns SPDX packages into an [`Sbom`]; `place` names a package (by index) in warnings.
pub(crate) fn into_sbom(
    format: Format,
    spec_version: String,
    document_name: Option<String>,
    packages: Vec<Package>,
    relationships: &[Relationship],
    place: impl Fn(usize, &Package) -> String,
) -> Sbom {
    let mut warnings = Vec::new();
    // The source package by relationship, named before the packages are consumed.
    let related: Vec<Option<SourcePackage>> = generated_from(&packages, relationships)
        .into_iter()
        .map(|s| {
            let p = &packages[s?];
            SourcePackage::new(&p.name, assertion(p.version.clone()).as_deref())
        })
        .collect();
    let components = packages
        .into_iter()
        .zip(related)
        .enumerate()
        .map(|(i, (p, related))| {
            let purl = p.refs.purl(|| place(i, &p), &mut warnings);
            let source = purl
                .as_ref()
                .and_then(SourcePackage::from_purl)
                .or_else(|| {
                    p.source_info
                        .as_deref()
                        .and_then(source::from_spdx_source_info)
                })
                .or(related);
            Component {
                id: p.id,
                name: p.name,
                group: None,
                version: assertion(p.version),
                purl,
                cpes: p.refs.cpes,
                supplier: supplier(p.supplier),
                kind: p
                    .purpose
                    .as_deref()
                    .map_or(ComponentKind::Unspecified, ComponentKind::from_name),
                source,
            }
        })
        .collect();
    Sbom {
        format,
        spec_version,
        subject: document_name.map(|name| Subject {
            name,
            version: None,
            purl: None,
        }),
        components,
        warnings,
    }
}

pub(crate) fn parse(body: &[u8], origin: &str) -> Result<Sbom, SbomError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        SbomError::at_line(
            origin,
            crate::error::line_of(body, e.valid_up_to()),
            "not valid UTF-8",
        )
    })?;
    let mut spec_version: Option<String> = None;
    let mut document_name = None;
    let mut packages: Vec<Package> = Vec::new();
    let mut relationships: Vec<Relationship> = Vec::new();
    let mut package_lines: Vec<usize> = Vec::new();
    let mut in_package = false;
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = trimmed.split_once(':') else {
            return Err(SbomError::at_line(
                origin,
                n,
                format!("expected `Tag: value`, found {trimmed:?}"),
            ));
        };
        let tag = tag.trim();
        let mut value = value.trim().to_string();
        if let Some(rest) = value.strip_prefix("<text>") {
            value = match rest.split_once("</text>") {
                Some((inner, _)) => inner.to_string(),
                None => {
                    let mut acc = rest.to_string();
                    loop {
                        let Some((_, more)) = lines.next() else {
                            return Err(SbomError::at_line(
                                origin,
                                n,
                                format!("the <text> value of {tag} is never closed by </text>"),
                            ));
                        };
                        acc.push('\n');
                        if let Some((inner, _)) = more.split_once("</text>") {
                            acc.push_str(inner);
                            break acc;
                        }
                        acc.push_str(more);
                    }
                }
            };
        }
        match tag {
            "SPDXVersion" => {
                check_spdx_version(&value).map_err(|m| SbomError::at_line(origin, n, m))?;
                spec_version = Some(value);
            }
            "DocumentName" if document_name.is_none() => document_name = Some(value),
            "PackageName" => {
                in_package = true;
                packages.push(Package {
                    name: value,
                    ..Package::default()
                });
                package_lines.push(n);
            }
            "FileName" | "SnippetSPDXID" | "LicenseID" => in_package = false,
            "Relationship" => {
                let mut parts = value.split_whitespace();
                if let (Some(element), Some(kind), Some(related)) =
                    (parts.next(), parts.next(), parts.next())
                {
                    relationships.push(Relationship {
                        element: element.to_string(),
                        kind: kind.to_string(),
                        related: related.to_string(),
                    });
                }
            }
            _ if !in_package => {}
            _ => {
                let Some(p) = packages.last_mut() else {
                    continue;
                };
                match tag {
                    "SPDXID" if p.id.is_none() => p.id = Some(value),
                    "PackageVersion" => p.version = Some(value),
                    "PackageSupplier" => p.supplier = Some(value),
                    "PrimaryPackagePurpose" => p.purpose = Some(value),
                    "PackageSourceInfo" => p.source_info = Some(value),
                    "ExternalRef" => {
                        let mut parts = value.split_whitespace();
                        match (parts.next(), parts.next(), parts.next()) {
                            (Some(cat), Some(ty), Some(loc)) => p.refs.add(cat, ty, loc),
                            _ => {
                                return Err(SbomError::at_line(
                                    origin,
                                    n,
                                    format!(
                                        "ExternalRef needs `CATEGORY TYPE LOCATOR`, found {value:?}"
                                    ),
                                ))
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let spec_version = spec_version
        .ok_or_else(|| SbomError::format(origin, "no `SPDXVersion:` line: not an SPDX document"))?;
    Ok(into_sbom(
        Format::SpdxTagValue,
        spec_version,
        document_name,
        packages,
        &relationships,
        |i, p| format!("line {} (package {})", package_lines[i], p.name),
    ))
}
