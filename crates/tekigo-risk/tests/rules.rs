//! Every rule of `check`, each with a model that breaks exactly that rule; the consistent
//! base model and the shipped example break none; loading refuses what cannot add up.

mod common;

use common::*;
use std::path::Path;
use tekigo_catalog::ItemKind;
use tekigo_risk::model::{
    Acceptance, Asset, Channel, Conduit, Criticality, Flow, Rating, StepState, StepStatus, Words,
    Zone,
};
use tekigo_risk::{Document, RiskError};

fn asset(id: &str) -> Asset {
    Asset {
        id: id.into(),
        name: Words::One(id.into()),
        asset_type: "device".into(),
        criticality: Criticality::Medium,
        safety: false,
        business: false,
        temporary: false,
        wireless: false,
        external: false,
        component: None,
        description: Words::default(),
    }
}

fn zone(id: &str, assets: &[&str]) -> Zone {
    Zone {
        id: id.into(),
        name: Words::One(id.into()),
        description: Words::default(),
        level: None,
        safety: false,
        assets: assets.iter().map(|s| s.to_string()).collect(),
        sl_t_override: None,
    }
}

fn conduit(id: &str, zones: &[&str], protocol: &str) -> Conduit {
    Conduit {
        id: id.into(),
        name: Words::One(id.into()),
        description: Words::default(),
        zones: zones.iter().map(|s| s.to_string()).collect(),
        channels: vec![Channel {
            protocol: protocol.into(),
            port: None,
            from: None,
            to: None,
            bidirectional: false,
            wireless: false,
        }],
        sl_t_override: None,
    }
}

fn flow(id: &str, from: &str, to: &str, protocol: &str) -> Flow {
    Flow {
        id: id.into(),
        from: from.into(),
        to: to.into(),
        protocol: protocol.into(),
        port: None,
        conduit: None,
        description: Words::default(),
    }
}

#[test]
fn the_base_model_and_the_example_are_consistent() {
    assert_eq!(check(&base()), vec![]);
    let example = parse(&example_text());
    let components = ["filter-plc", "telemetry-rtu", "scada-hmi"].map(String::from);
    let v = tekigo_risk::check(&example, catalog(), &components).unwrap();
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn unique_id() {
    let doc = with(|m| m.assets.push(asset("h2")));
    assert_eq!(broken(&doc), pair("unique-id", "h2"));
    // Zones and conduits share one namespace, since a risk may target either.
    let doc = with(|m| m.zones.push(zone("c1", &[])));
    assert_eq!(broken(&doc), pair("unique-id", "c1"));
}

#[test]
fn reference_resolves() {
    let doc = with(|m| m.zones[0].assets.push("ghost".into()));
    assert_eq!(broken(&doc), pair("reference-resolves", "a"));
    let doc = with(|m| m.assets[1].component = Some("not-in-tekigo-yaml".into()));
    assert_eq!(broken(&doc), pair("reference-resolves", "h2"));
    let doc = with(|m| m.risks[0].target = "nowhere".into());
    assert_eq!(broken(&doc), pair("reference-resolves", "r-a"));
    let doc = with(|m| m.risks[0].initial.likelihood = "sometimes".into());
    assert_eq!(broken(&doc), pair("reference-resolves", "r-a"));
    let doc = with(|m| m.threats[0].threat_type = "magic".into());
    assert_eq!(broken(&doc), pair("reference-resolves", "t1"));
    let doc = with(|m| {
        let mut ch = m.conduits[0].channels[0].clone();
        ch.to = Some("z".into());
        m.conduits[0].channels.push(ch);
    });
    assert_eq!(broken(&doc), pair("reference-resolves", "c1"));
    let doc = with(|m| {
        m.steps.insert(
            "ZCR 9".into(),
            StepState {
                state: StepStatus::Done,
                notes: Words::default(),
            },
        );
    });
    assert_eq!(broken(&doc), pair("reference-resolves", "ZCR 9"));
    // A requirement id is not a step.
    let doc = with(|m| {
        let s = m.steps.remove("ZCR 1").unwrap();
        m.steps.insert("ZCR 1.1".into(), s);
    });
    assert_eq!(broken(&doc), pair("reference-resolves", "ZCR 1.1"));
}

#[test]
fn asset_in_one_zone() {
    let doc = with(|m| m.assets.push(asset("lonely")));
    let v = check(&doc);
    assert_eq!(broken(&doc), pair("asset-in-one-zone", "lonely"));
    assert_eq!(v[0].zcr.as_deref(), Some("ZCR 3.1"));
    assert_eq!(v[0].message.en, "asset lonely is in no zone");
    assert!(v[0].message.ja.contains("lonely") && v[0].message.ja.contains("ゾーン"));

    let doc = with(|m| m.zones[1].assets.push("h2".into()));
    let v = check(&doc);
    assert_eq!(broken(&doc), pair("asset-in-one-zone", "h2"));
    assert!(
        v[0].message.en.contains("2 zones (a, b)"),
        "{}",
        v[0].message.en
    );
}

#[test]
fn conduit_joins_two_zones() {
    let doc = with(|m| m.conduits.push(conduit("c2", &["a", "a"], "https")));
    assert_eq!(broken(&doc), pair("conduit-joins-two-zones", "c2"));
}

#[test]
fn flow_through_conduit() {
    let doc = with(|m| {
        m.assets.push(asset("p2"));
        m.zones.push(zone("z", &["p2"]));
        m.flows.push(flow("f3", "h1", "p2", "modbus-tcp"));
    });
    assert_eq!(broken(&doc), pair("flow-through-conduit", "f3"));
    // A flow that names a conduit must use that one.
    let doc = with(|m| {
        m.assets.push(asset("p2"));
        m.zones.push(zone("z", &["p2"]));
        m.conduits.push(conduit("c2", &["a", "z"], "https"));
        m.flows.push(flow("f3", "h1", "p1", "modbus-tcp"));
        m.flows[2].conduit = Some("c2".into());
    });
    assert_eq!(broken(&doc), pair("flow-through-conduit", "f3"));
}

#[test]
fn flow_protocol_in_conduit() {
    let doc = with(|m| m.flows.push(flow("f3", "h1", "p1", "s7comm")));
    assert_eq!(broken(&doc), pair("flow-protocol-in-conduit", "f3"));
    // The channel carries Modbus from a to b only: the reverse direction is not listed.
    let doc = with(|m| m.flows.push(flow("f3", "p1", "h2", "modbus-tcp")));
    assert_eq!(broken(&doc), pair("flow-protocol-in-conduit", "f3"));
    // ... unless the channel is bidirectional.
    let doc = with(|m| {
        m.flows.push(flow("f3", "p1", "h2", "modbus-tcp"));
        m.conduits[0].channels[0].bidirectional = true;
    });
    assert_eq!(check(&doc), vec![]);
    // A port that differs from the channel's is not listed either.
    let doc = with(|m| {
        let mut f = flow("f3", "h1", "p1", "modbus-tcp");
        f.port = Some(5020);
        m.flows.push(f);
    });
    assert_eq!(broken(&doc), pair("flow-protocol-in-conduit", "f3"));
}

#[test]
fn business_separated() {
    let doc = with(|m| m.assets[1].business = true);
    assert_eq!(broken(&doc), pair("business-separated", "a"));
}

#[test]
fn safety_separated() {
    // A safety asset among others.
    let doc = with(|m| m.assets[1].safety = true);
    let v = check(&doc);
    assert_eq!(broken(&doc), pair("safety-separated", "a"));
    assert_eq!(v[0].zcr.as_deref(), Some("ZCR 3.3"));
    // Alone in its zone, but the zone is not marked as a safety zone.
    let doc = with(|m| m.assets[2].safety = true);
    assert_eq!(broken(&doc), pair("safety-separated", "b"));
    let doc = with(|m| {
        m.assets[2].safety = true;
        m.zones[1].safety = true;
    });
    assert_eq!(check(&doc), vec![]);
    // A safety zone holding a non-safety asset.
    let doc = with(|m| m.zones[1].safety = true);
    assert_eq!(broken(&doc), pair("safety-separated", "b"));
}

#[test]
fn temporary_separated() {
    let doc = with(|m| m.assets[1].temporary = true);
    assert_eq!(broken(&doc), pair("temporary-separated", "a"));
}

#[test]
fn wireless_separated() {
    let doc = with(|m| m.assets[1].wireless = true);
    let v = check(&doc);
    assert_eq!(broken(&doc), pair("wireless-separated", "a"));
    assert_eq!(v[0].zcr.as_deref(), Some("ZCR 3.5"));
}

#[test]
fn wireless_dedicated_conduit() {
    let doc = with(|m| {
        let mut radio = m.conduits[0].channels[0].clone();
        radio.protocol = "dnp3".into();
        radio.wireless = true;
        m.conduits[0].channels.push(radio);
    });
    assert_eq!(broken(&doc), pair("wireless-dedicated-conduit", "c1"));
}

#[test]
fn external_separated() {
    let doc = with(|m| m.assets[1].external = true);
    let v = check(&doc);
    assert_eq!(broken(&doc), pair("external-separated", "a"));
    assert_eq!(v[0].zcr.as_deref(), Some("ZCR 3.6"));
}

#[test]
fn external_dedicated_conduit() {
    let doc = with(|m| {
        let mut vendor = asset("vendor");
        vendor.external = true;
        m.assets.push(vendor);
        m.zones.push(zone("x", &["vendor"]));
        m.conduits.push(conduit("cx", &["x", "a", "b"], "vpn"));
    });
    assert_eq!(broken(&doc), pair("external-dedicated-conduit", "cx"));
    let doc = with(|m| {
        let mut vendor = asset("vendor");
        vendor.external = true;
        m.assets.push(vendor);
        m.zones.push(zone("x", &["vendor"]));
        m.conduits.push(conduit("cx", &["x", "a"], "vpn"));
    });
    assert_eq!(check(&doc), vec![]);
}

#[test]
fn residual_risk_tolerable() {
    // Unmitigated r2 (not tolerable) and no residual rating.
    let doc = with(|m| m.risks[0].residual = None);
    assert_eq!(broken(&doc), pair("residual-risk-tolerable", "r-a"));
    // Residual r2 is above the tolerable r1 ...
    let high = Rating {
        likelihood: "high".into(),
        consequence: "minor".into(),
    };
    let doc = with(|m| m.risks[0].residual = Some(high.clone()));
    let v = check(&doc);
    assert_eq!(broken(&doc), pair("residual-risk-tolerable", "r-a"));
    assert_eq!(v[0].zcr.as_deref(), Some("ZCR 5.11"));
    // ... unless the asset owner accepted it by name.
    let doc = with(|m| {
        m.risks[0].residual = Some(high);
        m.risks[0].accepted = Some(Acceptance {
            by: "plant manager".into(),
            reason: Words::One("replacement budgeted".into()),
        });
    });
    assert_eq!(check(&doc), vec![]);
}

#[test]
fn violations_name_their_line() {
    let text = BASE.replace("[h1, h2]", "[h1, h2, ghost]");
    let v = check(&parse(&text));
    assert_eq!(v.len(), 1);
    let line = text
        .lines()
        .position(|l| l.contains("{id: a, name: Supervisory"))
        .unwrap()
        + 1;
    assert_eq!(v[0].line, Some(line));
}

#[test]
fn every_rule_stands_for_a_catalog_step_requirement() {
    #[derive(serde::Deserialize)]
    struct Rule {
        zcr: Option<String>,
        title: tekigo_catalog::Text,
        messages: std::collections::BTreeMap<String, tekigo_catalog::Text>,
    }
    let rules: std::collections::BTreeMap<String, Rule> =
        serde_norway::from_str(include_str!("../data/rules.yaml")).unwrap();
    let std32 = catalog().standard("62443-3-2").unwrap();
    assert_eq!(rules.len(), 14);
    for (id, r) in &rules {
        let zcr = r.zcr.as_deref().unwrap();
        let item = std32
            .item(zcr)
            .unwrap_or_else(|| panic!("{id}: {zcr} is not in the catalog"));
        assert_eq!(item.kind, ItemKind::Requirement, "{id}: {zcr}");
        assert!(!r.title.en.is_empty() && !r.title.ja.is_empty());
        for (variant, t) in &r.messages {
            assert!(!t.en.is_empty() && !t.ja.is_empty(), "{id}/{variant}");
            // The same placeholders in both languages.
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split('}').next())
                    .map(String::from)
                    .collect();
                v.sort();
                v
            };
            assert_eq!(holes(&t.en), holes(&t.ja), "{id}/{variant}");
        }
    }
}

fn load_error(text: &str) -> String {
    match Document::parse(Path::new("risk/system.yaml"), text.to_string()) {
        Err(e @ RiskError::Input(tekigo_assess::AssessError::Invalid(_))) => e.to_string(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("loaded"),
    }
}

#[test]
fn loading_refuses_what_cannot_be_read_with_file_and_line() {
    let e = load_error(&BASE.replace("criticality: medium}", "criticality: medium, colour: red}"));
    let line = BASE.lines().position(|l| l.contains("id: h2")).unwrap() + 1;
    assert!(e.starts_with(&format!("risk/system.yaml:{line}:")), "{e}");
    assert!(e.contains("colour"), "{e}");

    let e = load_error(&BASE.replace("high: [r2, r3]", "high: [r2]"));
    assert!(
        e.contains("matrix.cells.high: 1 cells for 2 consequence levels"),
        "{e}"
    );
    let line = BASE
        .lines()
        .position(|l| l.contains("high: [r2, r3]"))
        .unwrap()
        + 1;
    assert!(e.starts_with(&format!("risk/system.yaml:{line}:")), "{e}");

    let e = load_error(&BASE.replace("tolerable: r1", "tolerable: r9"));
    assert!(
        e.contains("matrix.tolerable: \"r9\" is not a risk level"),
        "{e}"
    );

    let e = load_error(&BASE.replace("    - {risk: r3, sl: 4}\n", ""));
    assert!(
        e.contains("risk level \"r3\" needs exactly one row, has 0"),
        "{e}"
    );

    let e = load_error(&BASE.replace("RDF: -2", "RDF: 1"));
    assert!(
        e.contains("offset 1 for RDF must be between -4 and 0"),
        "{e}"
    );
    let e = load_error(&BASE.replace("RDF: -2", "XYZ: 0"));
    assert!(e.contains("unknown FR \"XYZ\""), "{e}");

    let e = load_error(&BASE.replace(
        "{id: b, name: Control, level: 1, assets: [p1]}",
        "{id: b, name: Control, level: 1, assets: [p1], sl_t_override: {sl_t: [1,1,1,1,1,1,1], justification: \"\"}}",
    ));
    assert!(e.contains("b: sl_t_override needs a justification"), "{e}");

    let e = load_error(&BASE.replace("format: 1", "format: 2"));
    assert!(e.contains("format 2 is not supported"), "{e}");
}

#[test]
fn a_missing_model_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = Document::load(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("risk/system.yaml") && e.contains("no zone and conduit model"),
        "{e}"
    );
}

/// The separation rules cite the ZCR that the reference data (with its sources, in
/// catalogs/sources/) gives for what they separate: 3.4 temporarily connected devices,
/// 3.5 wireless, 3.6 external networks. A renumbering in the catalog or in data/rules.yaml
/// that breaks this fails here.
#[test]
fn separation_rules_cite_the_zcr_of_the_reference_data() {
    let reference = include_str!("../../../catalogs/sources/iec62443-3-2_zcr.csv");
    let title_of = |zcr: &str| {
        reference
            .lines()
            .find(|l| l.starts_with(&format!("{zcr},requirement,")))
            .and_then(|l| l.split(',').nth(3))
            .unwrap_or_else(|| panic!("{zcr} is not in the reference data"))
            .to_lowercase()
    };
    let rules: std::collections::BTreeMap<String, serde_norway::Value> =
        serde_norway::from_str(include_str!("../data/rules.yaml")).unwrap();
    let std32 = catalog().standard("62443-3-2").unwrap();
    for (rule, zcr, word) in [
        ("business-separated", "ZCR 3.2", "business"),
        ("safety-separated", "ZCR 3.3", "safety"),
        ("temporary-separated", "ZCR 3.4", "temporarily connected"),
        ("wireless-separated", "ZCR 3.5", "wireless"),
        ("wireless-dedicated-conduit", "ZCR 3.5", "wireless"),
        ("external-separated", "ZCR 3.6", "external networks"),
        ("external-dedicated-conduit", "ZCR 3.6", "external networks"),
        ("residual-risk-tolerable", "ZCR 5.11", "residual risk"),
    ] {
        assert_eq!(rules[rule]["zcr"].as_str(), Some(zcr), "{rule}");
        assert!(title_of(zcr).contains(word), "{zcr}: {}", title_of(zcr));
        let item = std32.item(zcr).unwrap();
        assert_eq!(item.title.en.to_lowercase(), title_of(zcr), "{zcr}");
    }
}
