//! An OSCAL 1.1 catalog of one standard, for GRC tools that speak OSCAL.
//!
//! Security-level standards are grouped by FR; enhancements and component-specific rows
//! nest under the requirement they belong to, as OSCAL control enhancements do. Standards
//! with practices, SPEs or steps keep that structure as groups. The security-level facts
//! travel as properties in tekigo's namespace; tekigo's summaries as `guidance` parts. The
//! licensed text appears (as the `statement` part) only when the caller passes it.

use serde_json::{json, Map, Value};
use tekigo_catalog::licensed::LicensedText;
use tekigo_catalog::{Fr, Item, ItemKind, Lang, LevelScheme, Standard};

/// The namespace of tekigo's own OSCAL properties.
pub const NAMESPACE: &str = "urn:tekigo:oscal";
const OSCAL_VERSION: &str = "1.1.3";

/// The catalog document. `licensed` adds the user's imported text; leave it out for
/// anything that leaves the organisation that owns the licence.
pub fn oscal_catalog(
    std: &Standard,
    lang: Lang,
    licensed: Option<&LicensedText>,
    generated_at: &str,
) -> Value {
    let ctx = Ctx {
        std,
        lang,
        licensed,
    };
    let groups: Vec<Value> = if std.info.levels == LevelScheme::Security {
        Fr::ALL
            .iter()
            .filter_map(|&fr| {
                let controls: Vec<Value> = std
                    .items
                    .iter()
                    .filter(|i| i.parent.is_none() && i.fr == Some(fr))
                    .map(|i| ctx.control(i))
                    .collect();
                (!controls.is_empty()).then(|| {
                    json!({
                        "id": format!("fr-{}", fr.number()),
                        "class": "foundational-requirement",
                        "title": fr.label(),
                        "props": [prop("label", &fr.label())],
                        "controls": controls,
                    })
                })
            })
            .collect()
    } else {
        std.items
            .iter()
            .filter(|i| i.parent.is_none() && is_group(i.kind))
            .map(|i| ctx.group(i))
            .collect()
    };
    let loose: Vec<Value> = if std.info.levels == LevelScheme::Security {
        Vec::new()
    } else {
        std.items
            .iter()
            .filter(|i| i.parent.is_none() && !is_group(i.kind))
            .map(|i| ctx.control(i))
            .collect()
    };
    let uuid = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!(
            "urn:tekigo:catalog:{}:{}",
            std.info.id,
            env!("CARGO_PKG_VERSION")
        )
        .as_bytes(),
    );
    let mut catalog = Map::new();
    catalog.insert("uuid".into(), json!(uuid.to_string()));
    catalog.insert(
        "metadata".into(),
        json!({
            "title": format!("IEC {} ({}): {}", std.info.id, std.info.edition, std.info.title.get(lang)),
            "last-modified": generated_at,
            "version": format!("tekigo-{}", env!("CARGO_PKG_VERSION")),
            "oscal-version": OSCAL_VERSION,
            "props": [prop("standard", &std.info.id)],
            "remarks": "Identifiers, titles, structure and security levels of the standard, with summaries \
                        written by the tekigo project. No normative text of the standard is included unless \
                        the user imported their own licensed copy.",
        }),
    );
    if !groups.is_empty() {
        catalog.insert("groups".into(), Value::Array(groups));
    }
    if !loose.is_empty() {
        catalog.insert("controls".into(), Value::Array(loose));
    }
    json!({ "catalog": catalog })
}

struct Ctx<'a> {
    std: &'a Standard,
    lang: Lang,
    licensed: Option<&'a LicensedText>,
}

impl Ctx<'_> {
    fn group(&self, item: &Item) -> Value {
        let mut g = Map::new();
        g.insert("id".into(), json!(token(&item.id)));
        g.insert("class".into(), json!(item.kind.name()));
        g.insert("title".into(), json!(item.title.get(self.lang)));
        g.insert("props".into(), json!([prop("label", &item.id)]));
        self.insert_parts(&mut g, item);
        let (groups, controls): (Vec<&Item>, Vec<&Item>) =
            self.std.children(&item.id).partition(|c| is_group(c.kind));
        if !groups.is_empty() {
            g.insert(
                "groups".into(),
                groups.into_iter().map(|c| self.group(c)).collect(),
            );
        }
        if !controls.is_empty() {
            g.insert(
                "controls".into(),
                controls.into_iter().map(|c| self.control(c)).collect(),
            );
        }
        Value::Object(g)
    }

    fn control(&self, item: &Item) -> Value {
        let mut c = Map::new();
        c.insert("id".into(), json!(token(&item.id)));
        c.insert("class".into(), json!(item.kind.name()));
        c.insert("title".into(), json!(item.title.get(self.lang)));
        let mut props = vec![prop("label", &item.id)];
        let mut ours = |name: &str, value: String| {
            props.push(json!({"name": name, "ns": NAMESPACE, "value": value}))
        };
        if let Some(level) = item.min_sl {
            ours("min-sl-c", level.to_string());
        }
        for level in &item.disputed_levels {
            ours("disputed-sl-c", level.to_string());
        }
        if let Some(ty) = item.component_type {
            ours("component-type", ty.name().to_string());
        }
        for target in &item.defers_to {
            ours("defers-to", target.clone());
        }
        if item.no_component_requirement {
            ours("no-component-requirement", "true".into());
        }
        for phase in &item.phases {
            ours("lifecycle-phase", phase.name().to_string());
        }
        if let Some(conf) = item.confidence {
            ours("confidence", format!("{conf:?}").to_lowercase());
        }
        c.insert("props".into(), Value::Array(props));
        self.insert_parts(&mut c, item);
        let children: Vec<Value> = self
            .std
            .children(&item.id)
            .map(|ch| self.control(ch))
            .collect();
        if !children.is_empty() {
            c.insert("controls".into(), Value::Array(children));
        }
        Value::Object(c)
    }

    fn insert_parts(&self, node: &mut Map<String, Value>, item: &Item) {
        let mut parts = Vec::new();
        if let Some(text) = self
            .licensed
            .and_then(|l| l.get(&item.id))
            .map(|t| t.get(self.lang))
        {
            if !text.is_empty() {
                parts.push(json!({"id": format!("{}_smt", token(&item.id)), "name": "statement", "prose": text}));
            }
        }
        let summary = item.summary.get(self.lang);
        if !summary.is_empty() {
            parts.push(json!({"id": format!("{}_gdn", token(&item.id)), "name": "guidance", "prose": summary}));
        }
        if !parts.is_empty() {
            node.insert("parts".into(), Value::Array(parts));
        }
    }
}

fn is_group(kind: ItemKind) -> bool {
    matches!(
        kind,
        ItemKind::Practice | ItemKind::Spe | ItemKind::Element | ItemKind::Step | ItemKind::Family
    )
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

/// An OSCAL token (letters, digits, `.`, `-`, `_`, starting with a letter or `_`):
/// `CR 1.1 RE(1)` becomes `cr-1.1-re-1`, `3.1.1` becomes `id-3.1.1`. Public so that
/// OSCAL documents about a catalog (assessment results) name its controls the same way.
pub fn token(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 3);
    for c in id.chars() {
        match c {
            c if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') => {
                out.extend(c.to_lowercase())
            }
            ')' => {}
            _ => {
                if !out.ends_with('-') {
                    out.push('-');
                }
            }
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out
    } else {
        format!("id-{out}")
    }
}

#[cfg(test)]
mod tests {
    use super::token;

    #[test]
    fn tokens() {
        assert_eq!(token("CR 1.1 RE(1)"), "cr-1.1-re-1");
        assert_eq!(token("EDR 3.14"), "edr-3.14");
        assert_eq!(token("3.1.1"), "id-3.1.1");
        assert_eq!(token("PR.AC-1"), "pr.ac-1");
        assert_eq!(token("Practice 1"), "practice-1");
    }
}
