//! CycloneDX 1.6 JSON SBOM of an [`Inventory`]: the evidence IEC 62443-4-2 CR 7.8 asks
//! for, in the format vulnerability tools (tekigo's own included) read.
//!
//! The document holds:
//! - `metadata`: the time, tekigo as the tool, and the scanned system as the component
//!   (`operating-system`, named from os-release), with each package database read and its
//!   SHA-256 as properties;
//! - `components`: one per installed package (`library` for libraries, `application`
//!   otherwise) with `bom-ref`, name, version, PURL, supplier, licences, CPE when the
//!   package declares one, and the source package as properties; and one per Linux
//!   kernel the image holds (`operating-system`, named `linux`, `pkg:generic/linux@VERSION`,
//!   with its release, where the version came from and `/boot/config-RELEASE` with its hash
//!   as properties: see `kernel.rs`);
//! - `dependencies`: the system depends on every package;
//! - `compositions`: `complete` when every database was read without a problem,
//!   `incomplete` when something was not (each problem is listed in the metadata
//!   properties), `unknown` when no package database was found at all.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Inventory, Package};

/// What the document says beyond the inventory itself.
#[derive(Debug, Clone)]
pub struct BomOptions {
    /// `metadata.timestamp`; fixed in tests, the current time otherwise.
    pub timestamp: OffsetDateTime,
}

impl BomOptions {
    pub fn now() -> Self {
        BomOptions {
            timestamp: OffsetDateTime::now_utc(),
        }
    }
}

const SYSTEM_REF: &str = "system";

/// The SBOM as a JSON value.
pub fn to_json(inventory: &Inventory, options: &BomOptions) -> Value {
    let timestamp = options
        .timestamp
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(options.timestamp)
        .format(&Rfc3339)
        .unwrap_or_default();

    let mut refs = HashSet::new();
    let mut components: Vec<Value> = inventory
        .packages
        .iter()
        .map(|p| component(p, unique_ref(&mut refs, &p.purl)))
        .collect();
    for k in &inventory.kernels {
        let bom_ref = unique_ref(&mut refs, &format!("kernel-{}", k.release));
        components.push(kernel_component(k, bom_ref));
    }
    let depends_on: Vec<Value> = components.iter().map(|c| c["bom-ref"].clone()).collect();

    let aggregate = if inventory.databases.is_empty() {
        "unknown"
    } else if inventory.problems.is_empty() {
        "complete"
    } else {
        "incomplete"
    };

    let mut properties: Vec<Value> = Vec::new();
    for db in &inventory.databases {
        let format = serde_json::to_value(db.format).unwrap_or_default();
        let format = format.as_str().unwrap_or_default();
        let value = format!("{format} {} sha256:{}", db.path.display(), db.sha256);
        properties.push(property("tekigo:package-database", value));
    }
    for problem in &inventory.problems {
        properties.push(property("tekigo:inventory-problem", problem.to_string()));
    }

    let serial = serial_number(inventory, &timestamp);
    let mut metadata = json!({
        "timestamp": timestamp,
        "tools": {
            "components": [{
                "type": "application",
                "name": "tekigo",
                "version": env!("CARGO_PKG_VERSION"),
            }]
        },
        "component": system_component(inventory),
    });
    if !properties.is_empty() {
        metadata["properties"] = Value::Array(properties);
    }
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{serial}"),
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": [{ "ref": SYSTEM_REF, "dependsOn": depends_on }],
        "compositions": [{ "aggregate": aggregate, "assemblies": [SYSTEM_REF] }],
    })
}

/// The kernel as a component: named `linux`, typed `operating-system`, with a generic PURL,
/// which is how tekigo-vulndb recognises a kernel (`Query::kernel_version`); its release,
/// where the version came from and its configuration as properties.
fn kernel_component(k: &crate::kernel::Kernel, bom_ref: String) -> Value {
    let purl = packageurl::PackageUrl::new("generic", "linux")
        .map(|mut p| {
            let _ = p.with_version(k.version.as_str());
            p.to_string()
        })
        .unwrap_or_default();
    let mut properties = vec![
        property("tekigo:kernel:release", k.release.clone()),
        property("tekigo:kernel:found-by", k.found_by.clone()),
    ];
    if let Some((path, sha256)) = &k.config {
        properties.push(property(
            "tekigo:kernel:config",
            format!("{path} sha256:{sha256}"),
        ));
    }
    json!({
        "type": "operating-system",
        "bom-ref": bom_ref,
        "name": "linux",
        "version": k.version,
        "purl": purl,
        "properties": properties,
    })
}

/// The SBOM as pretty-printed JSON text, ending with a newline.
pub fn to_string(inventory: &Inventory, options: &BomOptions) -> String {
    let mut text = serde_json::to_string_pretty(&to_json(inventory, options))
        .expect("a serde_json::Value always serializes");
    text.push('\n');
    text
}

/// Writes the SBOM to `path` atomically: a temporary file in the same directory, renamed
/// over the destination only once complete, so a reader never sees half a document.
pub fn write_file(inventory: &Inventory, options: &BomOptions, path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(to_string(inventory, options).as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn system_component(inventory: &Inventory) -> Value {
    let os = inventory.os_release.as_ref();
    let name = os
        .and_then(|os| os.name.clone().or_else(|| os.id.clone()))
        .unwrap_or_else(|| "unknown operating system".to_string());
    let mut component = json!({
        "type": "operating-system",
        "bom-ref": SYSTEM_REF,
        "name": name,
    });
    if let Some(os) = os {
        if let Some(version) = os.version_id.as_ref().or(os.version_codename.as_ref()) {
            component["version"] = json!(version);
        }
        if let Some(pretty) = &os.pretty_name {
            component["description"] = json!(pretty);
        }
    }
    component
}

fn component(package: &Package, bom_ref: String) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), json!(component_type(package)));
    c.insert("bom-ref".into(), json!(bom_ref));
    c.insert("name".into(), json!(package.name));
    c.insert("version".into(), json!(package.version));
    if let Some(supplier) = &package.supplier {
        c.insert("supplier".into(), organization(supplier));
    }
    if !package.licenses.is_empty() {
        let licenses: Vec<Value> = package
            .licenses
            .iter()
            .map(|name| json!({ "license": { "name": name } }))
            .collect();
        c.insert("licenses".into(), Value::Array(licenses));
    }
    if let Some(cpe) = &package.cpe {
        c.insert("cpe".into(), json!(cpe));
    }
    c.insert("purl".into(), json!(package.purl));
    let mut properties = vec![property(
        "tekigo:package-database",
        package.database.display().to_string(),
    )];
    if let Some(name) = &package.source_name {
        properties.push(property("tekigo:source-name", name.clone()));
    }
    if let Some(version) = &package.source_version {
        properties.push(property("tekigo:source-version", version.clone()));
    }
    c.insert("properties".into(), Value::Array(properties));
    Value::Object(c)
}

/// Libraries by the distributions' own classification (Debian's `libs`/`libdevel`
/// sections, rpm's `.../Libraries` groups) or by their naming conventions (Debian and
/// Alpine `libfoo`, rpm `foo-libs`).
fn component_type(package: &Package) -> &'static str {
    let section = package
        .section
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = &package.name;
    if name.starts_with("lib") || name.ends_with("-libs") || section.contains("lib") {
        "library"
    } else {
        "application"
    }
}

/// `Debian OpenSSH Maintainers <debian-ssh@lists.debian.org>` as an organizational
/// entity with a contact; a plain name stays a name.
fn organization(text: &str) -> Value {
    if let Some((name, rest)) = text.split_once('<') {
        let email = rest.trim_end().trim_end_matches('>').trim();
        let name = name.trim();
        let valid = email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty());
        if valid && !name.is_empty() {
            return json!({ "name": name, "contact": [{ "name": name, "email": email }] });
        }
    }
    json!({ "name": text.trim() })
}

fn property(name: &str, value: String) -> Value {
    json!({ "name": name, "value": value })
}

/// The PURL, made unique if two databases list the same package.
fn unique_ref(seen: &mut HashSet<String>, purl: &str) -> String {
    let mut candidate = purl.to_string();
    let mut n = 1;
    while !seen.insert(candidate.clone()) {
        n += 1;
        candidate = format!("{purl}#{n}");
    }
    candidate
}

/// A UUID derived from what the document describes and when, so that the same scan
/// written twice gets the same serial number and different scans different ones.
fn serial_number(inventory: &Inventory, timestamp: &str) -> Uuid {
    let mut seed = timestamp.as_bytes().to_vec();
    for db in &inventory.databases {
        seed.extend(db.path.as_os_str().as_encoded_bytes());
        seed.extend(db.sha256.as_bytes());
    }
    if let Some(os) = &inventory.os_release {
        seed.extend(os.sha256.as_bytes());
    }
    Uuid::new_v5(&Uuid::NAMESPACE_URL, &seed)
}
