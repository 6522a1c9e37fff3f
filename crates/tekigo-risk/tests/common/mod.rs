//! A small consistent model the tests break one rule at a time, and helpers around it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;
use tekigo_catalog::Catalog;
use tekigo_risk::{Document, RiskModel, Violation};

/// Two zones (a: h1, h2; b: p1), one conduit c1 carrying Modbus from a to b, two flows,
/// two threats and four register lines, every residual risk tolerable.
pub const BASE: &str = r#"
format: 1
system: {name: Test plant, boundary: "From the plant firewall down"}
matrix:
  likelihood:
    - {id: low, label: {en: Low, ja: 低}}
    - {id: high, label: {en: High, ja: 高}}
  consequence:
    - {id: minor, label: {en: Minor, ja: 小}}
    - {id: major, label: {en: Major, ja: 大}}
  risk:
    - {id: r1, label: {en: Acceptable, ja: 許容}}
    - {id: r2, label: {en: Serious, ja: 重大}}
    - {id: r3, label: {en: Critical, ja: 危機的}}
  cells:
    low: [r1, r2]
    high: [r2, r3]
  tolerable: r1
derivation:
  rows:
    - {risk: r1, sl: 1}
    - {risk: r2, sl: 2}
    - {risk: r3, sl: 4}
  threat_types:
    - {id: access, name: {en: Access, ja: アクセス}, frs: {IAC: 0, UC: 0, SI: -1}}
    - {id: dos, name: {en: DoS, ja: サービス妨害}, frs: {RA: 0, RDF: -2}}
assets:
  - {id: h1, name: HMI, type: hmi, criticality: high, component: gw}
  - {id: h2, name: Historian, type: server, criticality: medium}
  - {id: p1, name: PLC, type: plc, criticality: critical, component: gw}
zones:
  - {id: a, name: Supervisory, level: 2, assets: [h1, h2]}
  - {id: b, name: Control, level: 1, assets: [p1]}
conduits:
  - id: c1
    name: Supervisory to control
    zones: [a, b]
    channels:
      - {protocol: modbus-tcp, port: 502, from: a, to: b}
flows:
  - {id: f1, from: h1, to: p1, protocol: modbus-tcp, port: 502}
  - {id: f2, from: h2, to: h1, protocol: opc-ua}
threats:
  - {id: t1, title: Stolen password, type: access}
  - {id: t2, title: Flooding, type: dos}
risks:
  - {id: r-a, threat: t1, target: a, initial: {likelihood: high, consequence: minor}, residual: {likelihood: low, consequence: minor}}
  - {id: r-b1, threat: t1, target: b, initial: {likelihood: high, consequence: major}, residual: {likelihood: low, consequence: minor}}
  - {id: r-b2, threat: t2, target: b, initial: {likelihood: low, consequence: major}, residual: {likelihood: low, consequence: minor}}
  - {id: r-c, threat: t2, target: c1, initial: {likelihood: high, consequence: major}, residual: {likelihood: low, consequence: minor}}
steps:
  "ZCR 1": {state: done}
  "ZCR 3": {state: in-progress, notes: "zones drafted"}
"#;

pub fn catalog() -> &'static Catalog {
    Catalog::builtin().unwrap()
}

pub fn parse(text: &str) -> Document {
    Document::parse(Path::new("risk/system.yaml"), text.to_string())
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn base() -> Document {
    parse(BASE)
}

/// The document with its model changed by `f` (the text stays, for line numbers).
pub fn with(f: impl FnOnce(&mut RiskModel)) -> Document {
    let mut doc = base();
    f(&mut doc.model);
    doc
}

pub fn check(doc: &Document) -> Vec<Violation> {
    tekigo_risk::check(doc, catalog(), &["gw".to_string()]).unwrap()
}

/// The (rule, element) pairs a document breaks.
pub fn broken(doc: &Document) -> BTreeSet<(String, String)> {
    check(doc)
        .into_iter()
        .map(|v| (v.rule, v.element))
        .collect()
}

pub fn pair(rule: &str, element: &str) -> BTreeSet<(String, String)> {
    [(rule.to_string(), element.to_string())]
        .into_iter()
        .collect()
}

/// The example project's model, as shipped.
pub fn example_text() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/water-treatment-risk.yaml");
    std::fs::read_to_string(path).unwrap()
}
