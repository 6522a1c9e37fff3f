//! JSON documents: one pass that reads either CycloneDX or SPDX, then the format's own
//! conversion. A single pass keeps sniffing free: the top-level keys decide the format.
//!
//! CycloneDX components are converted while the document is read when `bomFormat` comes
//! before `components` (as every generator writes it): each top-level component, flattened,
//! goes to the caller's sink at once, so a scan can match the first components while the
//! last are still being read (`Sbom::stream_path`). Otherwise they are held until the
//! format is known, as SPDX packages always are.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

use crate::cyclonedx_json::{CdxComponent, CdxMetadata, Converter};
use crate::error::SbomError;
use crate::model::{Component, Format, Sbom};
use crate::spdx_json::{SpdxPackage, SpdxRelationship};

/// The union of the top-level fields this crate reads from either format; everything else
/// is skipped without being stored.
#[derive(Default)]
struct TopLevel {
    bom_format: Option<String>,
    spdx_version: Option<String>,
    context: bool,
    // CycloneDX
    spec_version: Option<String>,
    metadata: Option<CdxMetadata>,
    /// Components held because the format was not known when they were read.
    components: Vec<CdxComponent>,
    // SPDX
    name: Option<String>,
    packages: Vec<SpdxPackage>,
    relationships: Vec<SpdxRelationship>,
}

/// Reads the top-level object, converting CycloneDX components as they come (see the
/// module doc). Written out rather than derived for that one field; the errors are those a
/// derived `Deserialize` gives (duplicate and mistyped fields).
struct Reader<'s> {
    expected: Option<Format>,
    convert: Converter<'s>,
    /// The top-level components converted so far (the next one's index).
    streamed: usize,
}

impl<'de> DeserializeSeed<'de> for &mut Reader<'_> {
    type Value = TopLevel;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<TopLevel, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Reader<'_> {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an SBOM document (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut top = TopLevel::default();
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            match key.as_str() {
                "bomFormat" => top.bom_format = map.next_value()?,
                "spdxVersion" => top.spdx_version = map.next_value()?,
                "@context" => {
                    map.next_value::<IgnoredAny>()?;
                    top.context = true;
                }
                "specVersion" => top.spec_version = map.next_value()?,
                "metadata" => {
                    top.metadata = map.next_value()?;
                    if self.streamed > 0 {
                        // Components came first: the subject's children follow them.
                        if let Some(m) = top.metadata.take() {
                            self.convert.metadata(m);
                        }
                    }
                }
                "components" => {
                    let cyclonedx = top.bom_format.as_deref() == Some("CycloneDX")
                        && top.spdx_version.is_none()
                        && self.expected.is_none_or(|f| f == Format::CycloneDxJson);
                    if cyclonedx {
                        if let Some(m) = top.metadata.take() {
                            self.convert.metadata(m);
                        }
                        map.next_value_seed(Components(self))?;
                    } else {
                        top.components = map.next_value::<Option<_>>()?.unwrap_or_default();
                    }
                }
                "name" => top.name = map.next_value()?,
                "packages" => top.packages = map.next_value::<Option<_>>()?.unwrap_or_default(),
                "relationships" => {
                    top.relationships = map.next_value::<Option<_>>()?.unwrap_or_default()
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            }
            seen.push(key);
        }
        Ok(top)
    }
}

/// The `components` list of a CycloneDX document, each converted as it is read.
struct Components<'r, 's>(&'r mut Reader<'s>);

impl<'de> DeserializeSeed<'de> for Components<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Components<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence of components")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let reader = self.0;
        while let Some(c) = seq.next_element::<CdxComponent>()? {
            let path = format!("components[{}]", reader.streamed);
            reader.convert.top_level(path, c);
            reader.streamed += 1;
        }
        Ok(())
    }
}

/// Reads a JSON SBOM, handing every component to `each` in document order (see
/// `Sbom::stream_path`); the returned SBOM has no components of its own.
pub(crate) fn parse(
    expected: Option<Format>,
    body: &[u8],
    origin: &str,
    each: &mut dyn FnMut(Component),
) -> Result<Sbom, SbomError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let mut reader = Reader {
        expected,
        convert: Converter::new(each),
        streamed: 0,
    };
    let mut track = serde_path_to_error::Track::new();
    let top = (&mut reader)
        .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
        .map_err(|e| {
            let path = track.path().to_string();
            let mut err = json_error(origin, &e);
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
            (None, None) if top.context => {
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
            let mut convert = reader.convert;
            if let Some(m) = top.metadata {
                convert.metadata(m);
            }
            for (i, c) in top.components.into_iter().enumerate() {
                convert.top_level(format!("components[{i}]"), c);
            }
            convert.finish(top.spec_version, origin)
        }
        _ => crate::spdx_json::into_sbom(
            top.spdx_version.unwrap_or_default(),
            top.name,
            top.packages,
            top.relationships,
            origin,
        )
        .map(|sbom| sbom.hand_over(reader.convert.into_sink())),
    }
}

fn json_error(origin: &str, e: &serde_json::Error) -> SbomError {
    // serde_json appends " at line L column C"; the error carries those as fields.
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    SbomError::at_line(origin, e.line(), message).with_column(e.column())
}
