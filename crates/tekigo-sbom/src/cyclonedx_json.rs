//! CycloneDX JSON: the component fields the model needs, nested components flattened.

use serde::Deserialize;

use crate::error::SbomError;
use crate::model::{Component, ComponentKind, Format, Sbom, Subject};
use crate::purl::lenient;
use crate::source::{self, SourcePackage};

#[derive(Deserialize)]
pub(crate) struct CdxMetadata {
    component: Option<CdxComponent>,
}

#[derive(Deserialize)]
struct CdxEntity {
    name: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct CdxComponent {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    supplier: Option<CdxEntity>,
    manufacturer: Option<CdxEntity>,
    publisher: Option<String>,
    author: Option<String>,
    group: Option<String>,
    name: String,
    version: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
    #[serde(default)]
    components: Vec<CdxComponent>,
    #[serde(default)]
    properties: Vec<CdxProperty>,
    pedigree: Option<CdxPedigree>,
}

#[derive(Deserialize)]
struct CdxProperty {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
struct CdxPedigree {
    #[serde(default)]
    ancestors: Vec<CdxAncestor>,
}

/// A pedigree ancestor: only what names the package it derives from.
#[derive(Deserialize)]
struct CdxAncestor {
    name: Option<String>,
    version: Option<String>,
}

/// Accepted CycloneDX versions: 1.4-1.6 are what the project supports and tests; 1.2 and 1.3
/// JSON have the same component shape and are read as well.
pub(crate) fn check_spec_version(version: &str) -> bool {
    matches!(version, "1.2" | "1.3" | "1.4" | "1.5" | "1.6")
}

/// Turns CycloneDX components into model components and hands each to a sink, in document
/// order (a parent before its children), collecting the warnings of the conversion.
pub(crate) struct Converter<'s> {
    each: &'s mut dyn FnMut(Component),
    subject: Option<Subject>,
    warnings: Vec<String>,
}

impl<'s> Converter<'s> {
    pub(crate) fn new(each: &'s mut dyn FnMut(Component)) -> Converter<'s> {
        Converter {
            each,
            subject: None,
            warnings: Vec::new(),
        }
    }

    /// `metadata.component`: the subject; its nested components are components.
    pub(crate) fn metadata(&mut self, metadata: CdxMetadata) {
        let Some(top) = metadata.component else {
            return;
        };
        let mut children = Vec::new();
        let c = convert(
            top,
            "metadata.component".to_string(),
            &mut self.warnings,
            &mut children,
        );
        self.subject = Some(Subject {
            name: c.name,
            version: c.version,
            purl: c.purl,
        });
        self.flatten(children);
    }

    /// One element of the top-level `components`, at `path`, with its nested components.
    pub(crate) fn top_level(&mut self, path: String, c: CdxComponent) {
        self.flatten(vec![(path, c)]);
    }

    /// Flattens without recursion, so depth is bounded only by serde_json's own nesting
    /// limit.
    fn flatten(&mut self, top: Vec<(String, CdxComponent)>) {
        let mut stack: Vec<(String, CdxComponent)> = top.into_iter().rev().collect();
        while let Some((path, c)) = stack.pop() {
            let mut children = Vec::new();
            (self.each)(convert(c, path, &mut self.warnings, &mut children));
            stack.extend(children.into_iter().rev());
        }
    }

    /// The SBOM (its components went to the sink), once the document is known to be a
    /// CycloneDX version this crate reads.
    pub(crate) fn finish(
        self,
        spec_version: Option<String>,
        origin: &str,
    ) -> Result<Sbom, SbomError> {
        let spec_version =
            spec_version.ok_or_else(|| SbomError::at_field(origin, "specVersion", "missing"))?;
        if !check_spec_version(&spec_version) {
            return Err(SbomError::at_field(
                origin,
                "specVersion",
                format!("CycloneDX {spec_version:?} is not supported (1.4, 1.5, 1.6 are)"),
            ));
        }
        Ok(Sbom {
            format: Format::CycloneDxJson,
            spec_version,
            subject: self.subject,
            components: Vec::new(),
            warnings: self.warnings,
        })
    }

    /// The sink, for the components of a document that turned out not to be CycloneDX.
    pub(crate) fn into_sink(self) -> &'s mut dyn FnMut(Component) {
        self.each
    }
}

fn convert(
    c: CdxComponent,
    path: String,
    warnings: &mut Vec<String>,
    children: &mut Vec<(String, CdxComponent)>,
) -> Component {
    let purl = lenient(c.purl.as_deref(), || format!("{path}.purl"), warnings);
    let supplier = c
        .supplier
        .and_then(|e| e.name)
        .or(c.manufacturer.and_then(|e| e.name))
        .or(c.publisher)
        .or(c.author)
        .filter(|s| !s.trim().is_empty());
    children.extend(
        c.components
            .into_iter()
            .enumerate()
            .map(|(i, child)| (format!("{path}.components[{i}]"), child)),
    );
    let properties: Vec<(String, String)> = c
        .properties
        .into_iter()
        .filter_map(|p| Some((p.name?, p.value?)))
        .collect();
    let ancestor = c
        .pedigree
        .and_then(|p| p.ancestors.into_iter().next())
        .and_then(|a| Some((a.name?, a.version)));
    let source = cyclonedx_source(purl.as_ref(), &properties, ancestor);
    Component {
        id: c.bom_ref,
        name: c.name,
        group: c.group.filter(|g| !g.is_empty()),
        version: c.version.filter(|v| !v.is_empty()),
        purl,
        cpes: c.cpe.into_iter().filter(|s| !s.is_empty()).collect(),
        supplier,
        kind: c
            .kind
            .as_deref()
            .map_or(ComponentKind::Unspecified, ComponentKind::from_name),
        source,
    }
}

/// A CycloneDX component's source package, JSON or XML: the PURL's `upstream` qualifier,
/// else the generator's properties, else the first pedigree ancestor (name, version).
pub(crate) fn cyclonedx_source(
    purl: Option<&crate::Purl>,
    properties: &[(String, String)],
    ancestor: Option<(String, Option<String>)>,
) -> Option<SourcePackage> {
    purl.and_then(SourcePackage::from_purl)
        .or_else(|| source::from_properties(properties, purl))
        .or_else(|| {
            let (name, version) = ancestor?;
            SourcePackage::new(&name, version.as_deref())
        })
}
