//! CycloneDX XML, read as a stream of events with an explicit stack (no recursion, no DOM).
//!
//! Only `bom/metadata/component` (the subject) and `bom/components/component`, recursively
//! through `component/components/component`, are components; a `component` anywhere else
//! (pedigree ancestors, variants) is not part of the product and is skipped with its subtree,
//! except the name and version of a component's first pedigree ancestor, which name its
//! source package (as do its `properties`).

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::cyclonedx_json::{check_spec_version, cyclonedx_source};
use crate::error::{line_of, LineCounter, SbomError};
use crate::model::{Component, ComponentKind, Format, Sbom, Subject};
use crate::purl::lenient;

const NAMESPACE_PREFIX: &str = "http://cyclonedx.org/schema/bom/";

/// The fields of a component read from child elements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Version,
    Group,
    Purl,
    Cpe,
    Publisher,
    Author,
    SupplierName,
    ManufacturerName,
    /// `properties/property`, whose `name` attribute waits in `Parser::property`.
    Property,
    AncestorName,
    AncestorVersion,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Bom,
    Metadata,
    /// A `components` list whose `component` children belong to the product.
    Components,
    /// A component being read; the index into `drafts`.
    Component(usize),
    /// `supplier` (true) or `manufacturer` (false) of the innermost component.
    Entity(bool),
    Properties,
    Pedigree,
    Ancestors,
    /// The first ancestor of the innermost component's pedigree.
    Ancestor,
    Field(Field),
    Ignored,
}

#[derive(Default)]
struct Draft {
    /// Byte offset of the start tag; turned into a line only for messages (counting lines
    /// for every component would make parsing quadratic).
    offset: usize,
    subject: bool,
    id: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    version: Option<String>,
    group: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
    publisher: Option<String>,
    author: Option<String>,
    supplier: Option<String>,
    manufacturer: Option<String>,
    properties: Vec<(String, String)>,
    ancestor_name: Option<String>,
    ancestor_version: Option<String>,
    /// An ancestor was read; later ones are skipped.
    ancestor_seen: bool,
}

impl Draft {
    /// Where a field's text goes; `None` for a property, which is pushed to a list.
    fn slot(&mut self, field: Field) -> Option<&mut Option<String>> {
        Some(match field {
            Field::Name => &mut self.name,
            Field::Version => &mut self.version,
            Field::Group => &mut self.group,
            Field::Purl => &mut self.purl,
            Field::Cpe => &mut self.cpe,
            Field::Publisher => &mut self.publisher,
            Field::Author => &mut self.author,
            Field::SupplierName => &mut self.supplier,
            Field::ManufacturerName => &mut self.manufacturer,
            Field::AncestorName => &mut self.ancestor_name,
            Field::AncestorVersion => &mut self.ancestor_version,
            Field::Property => return None,
        })
    }
}

struct Parser<'a> {
    body: &'a [u8],
    origin: &'a str,
    stack: Vec<Ctx>,
    /// Components in document order (parents first); the subject is among them, flagged.
    drafts: Vec<Draft>,
    /// Indexes of open components, innermost last.
    open: Vec<usize>,
    spec_version: Option<String>,
    text: String,
    /// The `name` attribute of the `property` being read.
    property: Option<String>,
}

pub(crate) fn parse(body: &[u8], origin: &str) -> Result<Sbom, SbomError> {
    let mut p = Parser {
        body,
        origin,
        stack: Vec::new(),
        drafts: Vec::new(),
        open: Vec::new(),
        spec_version: None,
        text: String::new(),
        property: None,
    };
    // No `trim_text`: it would trim the text on either side of an entity reference
    // (`M&#xFC;ller &amp; S&#xF6;hne`); field values are trimmed whole instead.
    let mut reader = Reader::from_reader(body);
    loop {
        let event = reader.read_event().map_err(|e| {
            SbomError::at_line(
                origin,
                line_of(body, reader.error_position() as usize),
                e.to_string(),
            )
        })?;
        // The end of the event just read: for a start tag, the line of its `>`.
        let pos = (reader.buffer_position() as usize).saturating_sub(1);
        match event {
            Event::Start(e) => p.start(&e, pos, false)?,
            Event::Empty(e) => p.start(&e, pos, true)?,
            Event::End(_) => p.end(pos)?,
            Event::Text(t) => {
                if matches!(p.stack.last(), Some(Ctx::Field(_))) {
                    p.text
                        .push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
                }
            }
            Event::CData(t) => {
                if matches!(p.stack.last(), Some(Ctx::Field(_))) {
                    p.text.push_str(&t);
                }
            }
            Event::GeneralRef(r) => {
                if matches!(p.stack.last(), Some(Ctx::Field(_))) {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        Ok(None) => {
                            quick_xml::escape::resolve_predefined_entity(&r).map(str::to_string)
                        }
                        Err(_) => None,
                    };
                    let Some(resolved) = resolved else {
                        return Err(SbomError::at_line(
                            origin,
                            line_of(body, pos),
                            format!("unknown entity &{};", &*r),
                        ));
                    };
                    p.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    p.finish()
}

impl Parser<'_> {
    fn err(&self, pos: usize, message: impl Into<String>) -> SbomError {
        SbomError::at_line(self.origin, line_of(self.body, pos), message)
    }

    fn start(&mut self, e: &BytesStart<'_>, pos: usize, empty: bool) -> Result<(), SbomError> {
        let local = e.local_name();
        let name = local.as_ref();
        let ctx = match (self.stack.last().copied(), name) {
            (None, "bom") => {
                self.read_namespace(e, pos)?;
                Ctx::Bom
            }
            (None, "RDF") => {
                return Err(self.err(
                    pos,
                    "SPDX RDF/XML is not supported; use SPDX JSON or tag-value",
                ))
            }
            (None, other) => {
                return Err(self.err(
                    pos,
                    format!("the root element is <{}>, not a CycloneDX <bom>", other),
                ))
            }
            (Some(Ctx::Bom), "metadata") => Ctx::Metadata,
            (Some(Ctx::Bom), "components") | (Some(Ctx::Component(_)), "components") => {
                Ctx::Components
            }
            (Some(Ctx::Metadata), "component") | (Some(Ctx::Components), "component") => {
                let subject = self.stack.last() == Some(&Ctx::Metadata);
                let mut draft = Draft {
                    offset: pos,
                    subject,
                    ..Draft::default()
                };
                for attr in e.attributes() {
                    let attr = attr.map_err(|err| self.err(pos, err.to_string()))?;
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|err| self.err(pos, err.to_string()))?;
                    match attr.key.local_name().as_ref() {
                        "type" => draft.kind = Some(value.into_owned()),
                        "bom-ref" => draft.id = Some(value.into_owned()),
                        _ => {}
                    }
                }
                self.drafts.push(draft);
                self.open.push(self.drafts.len() - 1);
                Ctx::Component(self.drafts.len() - 1)
            }
            (Some(Ctx::Component(_)), field) => match field {
                "name" => Ctx::Field(Field::Name),
                "version" => Ctx::Field(Field::Version),
                "group" => Ctx::Field(Field::Group),
                "purl" => Ctx::Field(Field::Purl),
                "cpe" => Ctx::Field(Field::Cpe),
                "publisher" => Ctx::Field(Field::Publisher),
                "author" => Ctx::Field(Field::Author),
                "supplier" => Ctx::Entity(true),
                "manufacturer" => Ctx::Entity(false),
                "properties" => Ctx::Properties,
                "pedigree" => Ctx::Pedigree,
                _ => Ctx::Ignored,
            },
            (Some(Ctx::Entity(true)), "name") => Ctx::Field(Field::SupplierName),
            (Some(Ctx::Entity(false)), "name") => Ctx::Field(Field::ManufacturerName),
            (Some(Ctx::Properties), "property") => {
                self.property = None;
                for attr in e.attributes() {
                    let attr = attr.map_err(|err| self.err(pos, err.to_string()))?;
                    if attr.key.local_name().as_ref() == "name" {
                        let value = attr
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|err| self.err(pos, err.to_string()))?;
                        self.property = Some(value.into_owned());
                    }
                }
                Ctx::Field(Field::Property)
            }
            (Some(Ctx::Pedigree), "ancestors") => Ctx::Ancestors,
            (Some(Ctx::Ancestors), "component") => match self.open.last() {
                Some(&i) if !self.drafts[i].ancestor_seen => {
                    self.drafts[i].ancestor_seen = true;
                    Ctx::Ancestor
                }
                _ => Ctx::Ignored,
            },
            (Some(Ctx::Ancestor), "name") => Ctx::Field(Field::AncestorName),
            (Some(Ctx::Ancestor), "version") => Ctx::Field(Field::AncestorVersion),
            _ => Ctx::Ignored,
        };
        self.stack.push(ctx);
        self.text.clear();
        if empty {
            self.end(pos)?;
        }
        Ok(())
    }

    fn read_namespace(&mut self, e: &BytesStart<'_>, pos: usize) -> Result<(), SbomError> {
        for attr in e.attributes().flatten() {
            let key = attr.key.as_ref();
            if key != "xmlns" && !key.starts_with("xmlns:") {
                continue;
            }
            let value = attr.value.to_string();
            if let Some(version) = value.strip_prefix(NAMESPACE_PREFIX) {
                if !check_spec_version(version) {
                    return Err(self.err(
                        pos,
                        format!("CycloneDX {version:?} is not supported (1.4, 1.5, 1.6 are)"),
                    ));
                }
                self.spec_version = Some(version.to_string());
                return Ok(());
            }
        }
        Err(self.err(
            pos,
            format!("<bom> has no CycloneDX namespace ({NAMESPACE_PREFIX}1.x)"),
        ))
    }

    fn end(&mut self, pos: usize) -> Result<(), SbomError> {
        match self.stack.pop() {
            Some(Ctx::Field(field)) => {
                let Some(&i) = self.open.last() else {
                    return Ok(());
                };
                let value = std::mem::take(&mut self.text).trim().to_string();
                match self.drafts[i].slot(field) {
                    Some(slot) => *slot = Some(value),
                    None => {
                        if let Some(name) = self.property.take() {
                            self.drafts[i].properties.push((name, value));
                        }
                    }
                }
            }
            Some(Ctx::Component(i)) => {
                self.open.pop();
                if self.drafts[i].name.as_deref().is_none_or(str::is_empty) {
                    return Err(self.err(self.drafts[i].offset, "<component> without a <name>"));
                }
            }
            None => return Err(self.err(pos, "closing tag without an open element")),
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Sbom, SbomError> {
        if !self.stack.is_empty() {
            return Err(SbomError::at_line(
                self.origin,
                line_of(self.body, self.body.len()),
                "the document ends before </bom>",
            ));
        }
        let spec_version = self
            .spec_version
            .ok_or_else(|| SbomError::format(self.origin, "no <bom> element"))?;
        let mut warnings = Vec::new();
        let mut subject = None;
        let mut components = Vec::with_capacity(self.drafts.len());
        let mut lines = LineCounter::new(self.body);
        for d in self.drafts {
            let name = d.name.unwrap_or_default();
            let place = || format!("line {} (component {name})", lines.line_at(d.offset));
            let purl = lenient(d.purl.as_deref(), place, &mut warnings);
            let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
            let ancestor = nonempty(d.ancestor_name).map(|n| (n, nonempty(d.ancestor_version)));
            let source = cyclonedx_source(purl.as_ref(), &d.properties, ancestor);
            if d.subject {
                subject = Some(Subject {
                    name,
                    version: nonempty(d.version),
                    purl,
                });
                continue;
            }
            components.push(Component {
                id: d.id,
                name,
                group: nonempty(d.group),
                version: nonempty(d.version),
                purl,
                cpes: nonempty(d.cpe).into_iter().collect(),
                supplier: nonempty(d.supplier)
                    .or(nonempty(d.manufacturer))
                    .or(nonempty(d.publisher))
                    .or(nonempty(d.author)),
                kind: d
                    .kind
                    .as_deref()
                    .map_or(ComponentKind::Unspecified, ComponentKind::from_name),
                source,
            });
        }
        Ok(Sbom {
            format: Format::CycloneDxXml,
            spec_version,
            subject,
            components,
            warnings,
        })
    }
}
