//! Layered conformity (issue 17) through the command: a platform exports a signed
//! conformity package, a product inherits it, overrides and defers, and a newer package
//! sends what changed upstream back to review.
#![cfg(feature = "full")]

mod common;

use common::{ok, stderr, stdout, tekigo};
use serde_json::Value;
use std::path::Path;

/// A platform project: 4-2 embedded at SL-T 2, every SL 2 requirement satisfied except a
/// few (one not satisfied, one compensating, one not applicable), one answer with a file
/// as evidence, one draft a scan would have left (origin scan is not settable here, so a
/// reviewed and an unreviewed answer stand in for the mix).
fn platform(dir: &Path) {
    ok(
        dir,
        &[
            "init",
            ".",
            "--product",
            "Base layer",
            "--component",
            "base:embedded:1.0",
        ],
    );
    ok(
        dir,
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-2",
            "--component",
            "base",
            "--sl-t",
            "2",
            "--id",
            "B",
        ],
    );
    let list = ok(
        dir,
        &[
            "checklist",
            "--standard",
            "62443-4-2",
            "--type",
            "embedded",
            "--sl-t",
            "2",
            "--format",
            "json",
        ],
    );
    let items: Value = serde_json::from_slice(&list.stdout).unwrap();
    let ids: Vec<String> = items
        .as_array()
        .or_else(|| items["items"].as_array())
        .expect("checklist items")
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() > 40, "{}", ids.len());
    std::fs::write(
        dir.join("hardening.txt"),
        "sshd: PasswordAuthentication no\n",
    )
    .unwrap();
    for id in &ids {
        let mut args = vec!["assess", "set", "B", id.as_str()];
        match id.as_str() {
            "CR 7.6" => args.extend(["--status", "not-satisfied", "--reason", "defaults only"]),
            "CR 5.1" => args.extend([
                "--status",
                "compensating",
                "--reason",
                "zone boundary",
                "--countermeasure",
                "firewall at the conduit",
            ]),
            "CR 1.1" => args.extend([
                "--status",
                "satisfied",
                "--reason",
                "PAM",
                "--evidence",
                "hardening.txt",
            ]),
            _ => args.extend(["--status", "satisfied", "--reason", "base layer"]),
        }
        ok(dir, &args);
    }
    ok(dir, &["keygen", "platform.key"]);
}

fn show(dir: &Path, id: &str) -> Value {
    let out = ok(dir, &["assess", "show", id, "--format", "json"]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn answer<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no answer {id}"))
}

fn product(dir: &Path) {
    ok(
        dir,
        &[
            "init",
            ".",
            "--product",
            "Gateway",
            "--component",
            "gw:embedded:2.0",
        ],
    );
}

#[test]
fn a_product_inherits_the_platform_overrides_defers_and_reviews_upstream_changes() {
    let up = tempfile::tempdir().unwrap();
    let up = up.path();
    platform(up);
    let pkg = up.join("base-1.pkg");
    ok(
        up,
        &[
            "assess",
            "export-package",
            "B",
            "-o",
            pkg.to_str().unwrap(),
            "--sign-key",
            "platform.key",
            "--with-evidence",
        ],
    );
    let verified = ok(
        up,
        &[
            "assess",
            "verify-package",
            pkg.to_str().unwrap(),
            "--trust",
            "platform.key.pub",
            "--format",
            "json",
        ],
    );
    let verified: Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(verified["evidence_carried"], 1);
    let source = show(up, "B");

    let down = tempfile::tempdir().unwrap();
    let down = down.path();
    product(down);
    let trust = up.join("platform.key.pub");
    let new_inheriting = |dir: &Path, package: &Path, key: &Path| {
        tekigo(
            dir,
            &[
                "assess",
                "new",
                "--standard",
                "62443-4-2",
                "--component",
                "gw",
                "--type",
                "embedded",
                "--sl-t",
                "2",
                "--inherit",
                package.to_str().unwrap(),
                "--trust",
                key.to_str().unwrap(),
                "--id",
                "P",
            ],
        )
    };

    // A package altered after signing, or signed by another key: exit 2, nothing written.
    let bytes = std::fs::read(&pkg).unwrap();
    let altered = down.join("altered.pkg");
    let mut changed = bytes.clone();
    let at = bytes.windows(9).position(|w| w == b"base laye").unwrap();
    changed[at] = b'B';
    std::fs::write(&altered, &changed).unwrap();
    let out = new_inheriting(down, &altered, &trust);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("altered"), "{}", stderr(&out));
    ok(down, &["keygen", "other.key"]);
    let out = new_inheriting(down, &pkg, &down.join("other.key.pub"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not the trusted key"),
        "{}",
        stderr(&out)
    );
    assert!(!down.join("assessments/P.yaml").exists());
    assert_eq!(std::fs::read_dir(down.join("evidence")).unwrap().count(), 0);

    // Inherited with no local answers: the source's levels, every answer inherited.
    let out = new_inheriting(down, &pkg, &trust);
    assert!(out.status.success(), "{}", stderr(&out));
    let p = show(down, "P");
    for v in ["achieved", "projected", "with_compensating"] {
        assert_eq!(p[v], source[v], "{v}");
    }
    assert_ne!(p["achieved"], serde_json::json!([0, 0, 0, 0, 0, 0, 0]));
    let cr11 = answer(&p, "CR 1.1");
    assert_eq!(cr11["origin"], "inherited");
    assert_eq!(cr11["owner"], "platform-supplier");
    assert_eq!(cr11["upstream"]["package"], "base-1.pkg");
    assert_eq!(
        cr11["upstream"]["package_sha256"],
        verified["sha256"].as_str().unwrap()
    );
    assert_eq!(cr11["upstream"]["signer"], verified["signer"]);
    // The evidence came along and the package is kept as evidence.
    assert!(std::fs::read_dir(down.join("evidence")).unwrap().count() >= 2);
    assert!(p["answers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["origin"] == "inherited"));
    let shown = stdout(&ok(down, &["assess", "show", "P"]));
    assert!(shown.contains("inherited"), "{shown}");

    // A local answer overrides the inherited one, even a weaker one.
    let fr1 = source["achieved"][0].as_u64().unwrap();
    assert!(fr1 >= 1);
    ok(
        down,
        &[
            "assess",
            "set",
            "P",
            "CR 1.1",
            "--status",
            "not-satisfied",
            "--reason",
            "the product enables a service login that bypasses PAM",
        ],
    );
    let p = show(down, "P");
    assert_eq!(p["achieved"][0], 0);
    assert_eq!(answer(&p, "CR 1.1")["origin"], "person");
    assert_eq!(answer(&p, "CR 1.1")["upstream"]["status"], "satisfied");

    // Deferred to the integrator: not met here, an obligation of the next layer.
    let fr3 = p["achieved"][2].as_u64().unwrap();
    assert!(fr3 >= 1, "{p}");
    ok(
        down,
        &[
            "assess",
            "set",
            "P",
            "CR 3.1",
            "--deferred-to",
            "integrator",
            "--reason",
            "communication integrity is the plant network's (VPN at the conduit)",
        ],
    );
    let p = show(down, "P");
    assert_eq!(p["achieved"][2], 0);
    assert_eq!(answer(&p, "CR 3.1")["deferred_to"], "integrator");
    assert_eq!(answer(&p, "CR 3.1")["status"], "not-satisfied");
    assert_eq!(p["progress"]["deferred"], 1);
    assert_eq!(p["progress"]["own"], 1);
    let obligations = ok(down, &["assess", "obligations", "P", "--format", "json"]);
    let obligations: Value = serde_json::from_slice(&obligations.stdout).unwrap();
    assert_eq!(obligations[0]["id"], "CR 3.1");
    assert_eq!(obligations[0]["deferred_to"], "integrator");
    // A deferred requirement cannot be claimed as met at the same time.
    let out = tekigo(
        down,
        &[
            "assess",
            "set",
            "P",
            "CR 3.2",
            "--deferred-to",
            "integrator",
            "--status",
            "satisfied",
            "--reason",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2));

    // A newer package: CR 2.1 (inherited) and CR 1.1 (overridden) change upstream.
    let before = show(down, "P");
    ok(
        up,
        &[
            "assess",
            "set",
            "B",
            "CR 2.1",
            "--status",
            "partial",
            "--reason",
            "roles cut",
        ],
    );
    ok(
        up,
        &[
            "assess",
            "set",
            "B",
            "CR 1.1",
            "--status",
            "satisfied",
            "--reason",
            "PAM and MFA",
        ],
    );
    let pkg2 = up.join("base-2.pkg");
    ok(
        up,
        &[
            "assess",
            "export-package",
            "B",
            "-o",
            pkg2.to_str().unwrap(),
            "--sign-key",
            "platform.key",
        ],
    );
    let out = ok(
        down,
        &[
            "assess",
            "inherit",
            "P",
            pkg2.to_str().unwrap(),
            "--trust",
            trust.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["changed"], serde_json::json!(["CR 2.1"]));
    assert_eq!(summary["override_changed"], serde_json::json!(["CR 1.1"]));
    let p = show(down, "P");
    let cr21 = answer(&p, "CR 2.1");
    assert_eq!(cr21["origin"], "inherited");
    assert_eq!(cr21["status"], "partial");
    assert_eq!(cr21["review"], "draft");
    assert_eq!(cr21["upstream"]["changed_upstream"], true);
    assert_eq!(cr21["upstream"]["package"], "base-2.pkg");
    assert_eq!(answer(&p, "CR 2.2")["upstream"]["package"], "base-2.pkg");
    assert_eq!(answer(&p, "CR 1.1")["status"], "not-satisfied");
    assert_eq!(answer(&p, "CR 1.1")["upstream"]["changed_upstream"], true);
    assert_ne!(p["achieved"], before["achieved"]);
    // Looked at here: the changed answer counts again, as upstream says.
    ok(
        down,
        &["assess", "set", "P", "CR 2.1", "--reviewed-by", "Reviewer"],
    );
    assert_eq!(
        answer(&show(down, "P"), "CR 2.1")["upstream"]["changed_upstream"],
        Value::Null
    );
}

/// Every byte of a package is covered: flipping any one of them makes it refused.
#[test]
fn every_byte_of_a_package_is_covered_by_the_signature() {
    let up = tempfile::tempdir().unwrap();
    let up = up.path();
    ok(
        up,
        &[
            "init",
            ".",
            "--product",
            "Base",
            "--component",
            "base:embedded",
        ],
    );
    ok(
        up,
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-2",
            "--component",
            "base",
            "--sl-t",
            "1",
            "--id",
            "B",
        ],
    );
    std::fs::write(up.join("e.txt"), "evidence").unwrap();
    ok(
        up,
        &[
            "assess",
            "set",
            "B",
            "CR 1.1",
            "--status",
            "satisfied",
            "--reason",
            "PAM",
            "--evidence",
            "e.txt",
        ],
    );
    std::fs::create_dir(up.join("certificates")).unwrap();
    std::fs::write(
        up.join("certificates/c1.yaml"),
        "id: c1\nscheme: IECEE\nbody: TUV\nnumber: \"1\"\nstandard: 62443-4-2\nlevel: \"{1 1 1 1 1 1 1}\"\ncomponent: base\nissued: 2026-01-01\nexpires: 2029-01-01\nrenewal_items: []\n",
    )
    .unwrap();
    ok(up, &["keygen", "k"]);
    let pkg = up.join("p.pkg");
    ok(
        up,
        &[
            "assess",
            "export-package",
            "B",
            "-o",
            pkg.to_str().unwrap(),
            "--sign-key",
            "k",
            "--with-evidence",
        ],
    );
    let catalog = tekigo_catalog::Catalog::builtin().unwrap();
    let key = tekigo_sign::read_public_key(&up.join("k.pub")).unwrap();
    let good = tekigo_sign::package::verify(catalog, &pkg, &key).unwrap();
    assert_eq!(good.payload.certificates.len(), 1);
    assert_eq!(good.payload.certificates[0].name, "c1.yaml");
    assert!(good.payload.evidence[0].content.is_some());
    let bytes = std::fs::read(&pkg).unwrap();
    let flipped = up.join("flipped.pkg");
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        std::fs::write(&flipped, &b).unwrap();
        assert!(
            tekigo_sign::package::verify(catalog, &flipped, &key).is_err(),
            "byte {i} ({:?}) flipped and still accepted",
            bytes[i] as char
        );
    }
    // Truncated, extended, empty: refused with the file named.
    for b in [
        &bytes[..bytes.len() - 1],
        &[bytes.as_slice(), b"x"].concat(),
        &[][..],
    ] {
        std::fs::write(&flipped, b).unwrap();
        let e = tekigo_sign::package::verify(catalog, &flipped, &key).unwrap_err();
        assert!(e.to_string().contains("flipped.pkg"), "{e}");
    }
    // Through the command: exit 2 and the reason.
    let mut b = bytes.clone();
    let last = b.len() - 10;
    b[last] ^= 0x01;
    std::fs::write(&flipped, &b).unwrap();
    let out = tekigo(
        up,
        &[
            "assess",
            "verify-package",
            "flipped.pkg",
            "--trust",
            "k.pub",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// examples/layers.sh end to end: platform, gateway, water treatment plant.
#[test]
fn the_three_layer_example_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("layers");
    let run = std::process::Command::new(common::repo().join("examples/layers.sh"))
        .arg(env!("CARGO_BIN_EXE_tekigo"))
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}{}", stdout(&run), stderr(&run));

    // The gateway's report states whose answers they are, per requirement and in shares.
    let html = std::fs::read_to_string(out.join("gateway.html")).unwrap();
    assert!(html.contains("% inherited"), "no shares in the report");
    assert!(html.contains("inherited from Base layer&#x2f;base-4-2"));
    assert!(html.contains("deferred to: integrator"));
    let gw = show(&out.join("gateway"), "gw-100-4-2");
    assert_eq!(gw["progress"]["deferred"], 2);
    assert!(gw["progress"]["inherited"].as_u64().unwrap() > 40);

    // The plant: the inherited gateway takes the zones' SL-T and is judged against them,
    // the certified PLC by its supplier's claim.
    let water = out.join("water");
    // Exit 1: some zone has a gap.
    let f = tekigo(&water, &["risk", "feasibility", "--format", "json"]);
    assert!(matches!(f.status.code(), Some(0 | 1)), "{}", stderr(&f));
    let f: Value = serde_json::from_slice(&f.stdout).unwrap();
    let zones = f.as_array().unwrap();
    let mut expected = [0u64; 7];
    let mut claim_seen = false;
    for z in zones {
        for c in z["components"].as_array().unwrap() {
            if c["component"] == "gw-100" {
                assert_eq!(c["assessment"], "gw-100-4-2");
                for (i, l) in z["sl_t"].as_array().unwrap().iter().enumerate() {
                    expected[i] = expected[i].max(l.as_u64().unwrap());
                }
            }
            if c["component"] == "filter-plc" {
                assert_eq!(c["claim"], "certificate: fw 4.x");
                assert_eq!(c["achieved"], serde_json::json!([2, 2, 1, 2, 2, 1, 2]));
                claim_seen = true;
            }
        }
    }
    assert!(claim_seen);
    assert_ne!(expected, [0; 7]);
    let inherited = show(&water, "gw-100-4-2");
    assert_eq!(inherited["target"], serde_json::json!(expected));
    // Three layers down, the gateway's levels are still the gateway's.
    assert_eq!(inherited["achieved"], gw["achieved"]);
    let obligations = ok(
        &water,
        &["assess", "obligations", "gw-100-4-2", "--format", "json"],
    );
    let obligations: Value = serde_json::from_slice(&obligations.stdout).unwrap();
    assert_eq!(obligations.as_array().unwrap().len(), 2);

    // The zone where the gateways sit: a 3-3 assessment prefilled from their 4-2 results.
    let zone = show(&water, "remote-sites-3-3");
    let sr11 = answer(&zone, "SR 1.1");
    // The product's weaker login (CR 1.1 not satisfied) is the zone's gap too.
    assert_eq!(
        (&sr11["origin"], &sr11["status"]),
        (&Value::from("components"), &Value::from("not-satisfied"))
    );
    // It names what it rests on: the gateway's assessment and the 4-2 id.
    let basis = &sr11["components"][0];
    assert_eq!(basis["assessment"], "gw-100-4-2");
    assert_eq!(basis["requirements"], serde_json::json!(["CR 1.1"]));
    assert_eq!(basis["verdict"], "not-met");
    // The gateway's deferrals closed by the zone's countermeasures at the conduit.
    for id in ["SR 3.1", "SR 5.1"] {
        assert_eq!(answer(&zone, id)["status"], "compensating");
        assert_eq!(answer(&zone, id)["owner"], "integrator");
    }
    let answered = ok(
        &water,
        &[
            "assess",
            "obligations",
            "remote-sites-3-3",
            "--format",
            "json",
        ],
    );
    let answered: Value = serde_json::from_slice(&answered.stdout).unwrap();
    assert_eq!(answered, serde_json::json!([]));

    // Prefilled again: the deferrals are open obligations of the integrator, and nothing a
    // person has not confirmed counts toward SL-A.
    let new_zone = |standard: &str, zone: &str, id: &[&str]| {
        let mut args = vec!["assess", "new", "--standard", standard, "--zone", zone];
        args.extend(id);
        tekigo(&water, &args)
    };
    let made = new_zone("62443-3-3", "remote-sites", &["--id", "fresh"]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let fresh = show(&water, "fresh");
    assert_eq!(fresh["target"], zone["target"]);
    assert_eq!(fresh["achieved"], serde_json::json!([0, 0, 0, 0, 0, 0, 0]));
    assert_ne!(fresh["projected"], fresh["achieved"]);
    let open = ok(
        &water,
        &["assess", "obligations", "fresh", "--format", "json"],
    );
    let open: Value = serde_json::from_slice(&open.stdout).unwrap();
    let ids: Vec<&str> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["SR 3.1", "SR 5.1"]);
    assert_eq!(open[0]["deferred_to"], "integrator");
    assert_eq!(
        open[0]["picked_up"],
        serde_json::json!(["gw-100-4-2 CR 3.1"])
    );
    // A deferral no 3-3 requirement carries (EDR 3.12 maps to none) is not lost: the zone's
    // obligations list it as the component's own for as long as the component defers it.
    ok(
        &water,
        &[
            "assess",
            "set",
            "gw-100-4-2",
            "EDR 3.12",
            "--deferred-to",
            "integrator",
            "--reason",
            "Roots of trust are provisioned by the integrator.",
        ],
    );
    let open = ok(
        &water,
        &["assess", "obligations", "fresh", "--format", "json"],
    );
    let open: Value = serde_json::from_slice(&open.stdout).unwrap();
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 3, "{open:?}");
    // The suggestion says that the mapping it rests on is unreviewed.
    assert!(
        open[0]["reason"]
            .as_str()
            .unwrap()
            .contains("has not been reviewed by anyone holding both standards"),
        "{}",
        open[0]
    );
    assert!(open[..2].iter().all(|o| o.get("uncarried").is_none()));
    assert_eq!(open[2]["id"], "EDR 3.12");
    assert_eq!(open[2]["uncarried"], true);
    assert_eq!(open[2]["deferred_to"], "integrator");
    assert_eq!(
        open[2]["picked_up"],
        serde_json::json!(["gw-100-4-2 EDR 3.12"])
    );
    let table = ok(&water, &["assess", "obligations", "fresh"]);
    let table = stdout(&table);
    assert!(
        table.contains("EDR 3.12 (component's, no 3-3 requirement")
            && table.contains("carries it)"),
        "{table}"
    );
    // The reviewed zone reaches what the fresh one only projects.
    assert!(zone["achieved"][5].as_u64().unwrap() > 0);

    // Feasibility: SL-A against SL-T per zone, and the radio conduit nobody assessed.
    let f = tekigo(&water, &["risk", "feasibility", "--format", "json"]);
    let f: Value = serde_json::from_slice(&f.stdout).unwrap();
    let rs = f
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == "remote-sites")
        .unwrap();
    let level = rs["system"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["assessment"] == "remote-sites-3-3")
        .unwrap();
    assert_eq!(level["sl_a"], zone["achieved"]);
    for i in 0..7 {
        let (t, a) = (
            rs["sl_t"][i].as_u64().unwrap(),
            zone["achieved"][i].as_u64().unwrap(),
        );
        assert_eq!(level["gap"][i].as_u64().unwrap(), t.saturating_sub(a));
    }
    assert_eq!(rs["conduits_short"], serde_json::json!(["c-radio"]));
    assert_eq!(rs["feasible"], false);
    // The zone's report says per requirement what the components suggested, and the shares.
    let report = std::fs::read_to_string(out.join("remote-sites.html")).unwrap();
    assert!(report.contains("suggested from the zone&#x27;s components: gw-100 (gw-100-4-2)"));
    assert!(report.contains("% inherited") && report.contains("Suggested from the zone"));
    let html = std::fs::read_to_string(out.join("water-risk.html")).unwrap();
    assert!(html.contains("remote-sites-3-3") && html.contains("no 3-3 assessment"));

    // The components change: the gateway now meets CR 3.1 itself and CR 1.1 again. A
    // refresh replaces the unreviewed suggestion (and the obligation goes), sends the
    // reviewed one whose basis changed back to review, and leaves a person's answer alone.
    for id in ["CR 3.1", "CR 1.1"] {
        ok(
            &water,
            &[
                "assess",
                "set",
                "gw-100-4-2",
                id,
                "--status",
                "satisfied",
                "--reason",
                "Verified on release 2.2.",
            ],
        );
    }
    let refresh = |id: &str| -> Value {
        let out = ok(&water, &["assess", "prefill", id, "--format", "json"]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let r = refresh("fresh");
    assert!(
        r["replaced"].as_array().unwrap().contains(&"SR 3.1".into()),
        "{r}"
    );
    assert!(
        r["replaced"].as_array().unwrap().contains(&"SR 1.1".into()),
        "{r}"
    );
    assert_eq!(r["back_to_review"], serde_json::json!([]), "{r}");
    let after = show(&water, "fresh");
    assert_eq!(answer(&after, "SR 3.1")["status"], "satisfied");
    let open = ok(
        &water,
        &["assess", "obligations", "fresh", "--format", "json"],
    );
    let open: Value = serde_json::from_slice(&open.stdout).unwrap();
    let ids: Vec<&str> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["SR 5.1", "EDR 3.12"]);
    assert_eq!(
        refresh("fresh")["unchanged"],
        r["unchanged"].as_u64().unwrap() + 2
    );
    let reviewed = refresh("remote-sites-3-3");
    assert!(
        reviewed["back_to_review"]
            .as_array()
            .unwrap()
            .contains(&"SR 1.1".into()),
        "{reviewed}"
    );
    let zone_after = show(&water, "remote-sites-3-3");
    assert_eq!(answer(&zone_after, "SR 1.1")["status"], "satisfied");
    assert_eq!(answer(&zone_after, "SR 1.1")["review"], "draft");
    assert_eq!(answer(&zone_after, "SR 3.1")["status"], "compensating");
    // A component assessment is no zone's.
    let bad = tekigo(&water, &["assess", "prefill", "gw-100-4-2"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));

    // A zone or conduit the model lacks, and a zone given to a component standard.
    let bad = new_zone("62443-3-3", "nowhere", &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("nowhere") && stderr(&bad).contains("remote-sites"));
    let bad = new_zone("62443-4-2", "remote-sites", &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(!water.join("assessments/remote-sites-4-2.yaml").exists());
}

#[test]
fn a_package_with_public_evidence_carries_only_the_public_files() {
    let up = tempfile::tempdir().unwrap();
    let up = up.path();
    platform(up);
    std::fs::write(up.join("datasheet.txt"), "public datasheet\n").unwrap();
    ok(
        up,
        &[
            "assess",
            "set",
            "B",
            "CR 1.2",
            "--evidence",
            "datasheet.txt",
            "--public",
        ],
    );
    let carried = |scope: &[&str]| {
        let mut args = vec![
            "assess",
            "export-package",
            "B",
            "-o",
            "b.pkg",
            "--sign-key",
            "platform.key",
        ];
        args.extend(scope);
        ok(up, &args);
        let v = ok(
            up,
            &[
                "assess",
                "verify-package",
                "b.pkg",
                "--trust",
                "platform.key.pub",
                "--format",
                "json",
            ],
        );
        let v: Value = serde_json::from_slice(&v.stdout).unwrap();
        (
            v["evidence"].as_u64().unwrap(),
            v["evidence_carried"].as_u64().unwrap(),
        )
    };
    assert_eq!(carried(&[]), (2, 0));
    assert_eq!(carried(&["--with-evidence"]), (2, 2));
    assert_eq!(carried(&["--with-evidence", "all"]), (2, 2));
    // Only the public file's bytes; the other keeps its hash, and the package verifies.
    assert_eq!(carried(&["--with-evidence", "public"]), (2, 1));
    let down = tempfile::tempdir().unwrap();
    let down = down.path();
    product(down);
    let pkg = up.join("b.pkg");
    let key = up.join("platform.key.pub");
    ok(
        down,
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-2",
            "--component",
            "gw",
            "--sl-t",
            "2",
            "--id",
            "G",
            "--inherit",
            pkg.to_str().unwrap(),
            "--trust",
            key.to_str().unwrap(),
        ],
    );
    let stored: Vec<String> = std::fs::read_dir(down.join("evidence"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(stored.iter().any(|t| t == "public datasheet\n"));
    assert!(!stored.iter().any(|t| t.contains("PasswordAuthentication")));
    // --public marks only what --evidence brings.
    let bad = tekigo(up, &["assess", "set", "B", "CR 1.2", "--public"]);
    assert_eq!(bad.status.code(), Some(2));
}
