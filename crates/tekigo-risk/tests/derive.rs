//! SL-T derivation: worked by hand on the base model, then inheritance, overrides, skipped
//! lines, and the example project.

mod common;

use common::*;
use tekigo_risk::model::{ConduitInherit, SlOverride, Words};
use tekigo_risk::{derive, Step};

#[test]
fn zone_sl_t_is_the_highest_mapped_level_per_fr() {
    let d = derive(&base().model);
    // Zone a: r-a is t1 (access: IAC 0, UC 0, SI -1), high × minor = r2, row r2 = SL 2:
    // IAC 2, UC 2, SI 1.
    let a = d.zone("a").unwrap();
    assert_eq!(a.sl_t, [2, 2, 1, 0, 0, 0, 0]);
    // Zone b: r-b1 is t1 at high × major = r3 -> SL 4: IAC 4, UC 4, SI 3;
    // r-b2 is t2 (dos: RA 0, RDF -2) at low × major = r2 -> SL 2: RA 2, RDF 0.
    let b = d.zone("b").unwrap();
    assert_eq!(b.sl_t, [4, 4, 3, 0, 0, 0, 2]);
    assert_eq!(b.derived, b.sl_t);
    let by: Vec<Option<&str>> = b.decided_by.iter().map(|s| s.as_deref()).collect();
    assert_eq!(
        by,
        [
            Some("r-b1"),
            Some("r-b1"),
            Some("r-b1"),
            None,
            None,
            None,
            Some("r-b2")
        ]
    );
    match &b.steps[1] {
        Step::Risk {
            risk,
            threat,
            threat_type,
            cell,
            row_sl,
            offsets,
            contribution,
            ..
        } => {
            assert_eq!(
                (risk.as_str(), threat.as_str(), threat_type.as_str()),
                ("r-b2", "t2", "dos")
            );
            assert_eq!((cell.as_str(), *row_sl), ("r2", 2));
            assert_eq!(*offsets, [None, None, None, None, Some(-2), None, Some(0)]);
            assert_eq!(*contribution, [0, 0, 0, 0, 0, 0, 2]);
        }
        other => panic!("{other:?}"),
    }
    // Conduit c1: r-c is t2 at high × major = r3 -> SL 4: RA 4, RDF 2. No inheritance.
    assert_eq!(d.conduit("c1").unwrap().sl_t, [0, 0, 0, 0, 2, 0, 4]);
}

#[test]
fn conduits_can_inherit_the_highest_level_of_their_zones() {
    let mut m = base().model;
    m.derivation.conduits_inherit = ConduitInherit::MaxOfZones;
    let d = derive(&m);
    let c1 = d.conduit("c1").unwrap();
    // max(own [0 0 0 0 2 0 4], a [2 2 1 0 0 0 0], b [4 4 3 0 0 0 2])
    assert_eq!(c1.sl_t, [4, 4, 3, 0, 2, 0, 4]);
    assert!(
        matches!(&c1.steps[1], Step::Inherit { zone, contribution } if zone == "a" && *contribution == [2, 2, 1, 0, 0, 0, 0])
    );
    assert_eq!(c1.decided_by[0].as_deref(), Some("zone:b"));
    assert_eq!(c1.decided_by[6].as_deref(), Some("r-c"));
}

#[test]
fn an_override_replaces_the_result_and_keeps_the_derivation() {
    let mut m = base().model;
    m.zones[0].sl_t_override = Some(SlOverride {
        sl_t: [3, 3, 3, 3, 3, 3, 3],
        justification: Words::One("policy".into()),
    });
    m.derivation.conduits_inherit = ConduitInherit::MaxOfZones;
    let d = derive(&m);
    let a = d.zone("a").unwrap();
    assert_eq!(a.sl_t, [3; 7]);
    assert_eq!(a.derived, [2, 2, 1, 0, 0, 0, 0]);
    // Conduits inherit the level in force, the override.
    assert_eq!(d.conduit("c1").unwrap().sl_t, [4, 4, 3, 3, 3, 3, 4]);
}

#[test]
fn the_matrix_and_rule_are_data() {
    // Re-map r2 to SL 3: zone a follows without any code change.
    let text = BASE.replace("{risk: r2, sl: 2}", "{risk: r2, sl: 3}");
    let d = derive(&parse(&text).model);
    assert_eq!(d.zone("a").unwrap().sl_t, [3, 3, 2, 0, 0, 0, 0]);
    // Make high × minor critical: zone a now gets SL 4 from the same register line.
    let text = BASE.replace("high: [r2, r3]", "high: [r3, r3]");
    let d = derive(&parse(&text).model);
    assert_eq!(d.zone("a").unwrap().sl_t, [4, 4, 3, 0, 0, 0, 0]);
}

#[test]
fn lines_that_cannot_be_followed_are_kept_as_skipped() {
    let mut m = base().model;
    m.risks[0].threat = "ghost".into();
    let d = derive(&m);
    let a = d.zone("a").unwrap();
    assert_eq!(a.sl_t, [0; 7]);
    assert!(
        matches!(&a.steps[0], Step::Skipped { risk, reason } if risk == "r-a" && reason == "unknown-threat")
    );
}

#[test]
fn the_example_plant_by_hand() {
    let d = derive(&parse(&example_text()).model);
    let sl = |id: &str| d.zone(id).or_else(|| d.conduit(id)).unwrap().sl_t;
    // control: R6 dosing manipulation, possible × severe = high -> 3 on IAC, UC, SI; RDF, TRE 2.
    assert_eq!(sl("control"), [3, 3, 3, 0, 2, 2, 0]);
    // supervisory: R5 vendor credentials possible × major = high -> 3 (IAC, UC; SI, RDF,
    // TRE 2); R14 insider unlikely × major = medium -> 2 (lower everywhere).
    assert_eq!(sl("supervisory"), [3, 3, 2, 0, 2, 2, 0]);
    // dmz: R2 ransomware possible × moderate = medium -> 2 (SI, RDF, RA 2; UC, TRE 1);
    // R3 exfiltration possible × minor = medium -> 2 (DC 2; UC, RDF 1).
    assert_eq!(sl("dmz"), [0, 1, 2, 2, 2, 1, 2]);
    // safety: overridden, derived from R8 (unlikely × severe = high -> 3) kept beside it.
    let safety = d.zone("safety").unwrap();
    assert_eq!(safety.derived, [3, 3, 3, 0, 2, 2, 0]);
    assert_eq!(safety.sl_t, [3, 3, 3, 1, 3, 2, 3]);
    // Outside the SUC, no register line: 0.
    assert_eq!(sl("vendor"), [0; 7]);
    // Conduits: max of their own lines and their zones. c-vendor: R4 likely × major = high
    // -> [3 3 2 0 2 2 0], dmz [0 1 2 2 2 1 2], vendor 0.
    assert_eq!(sl("c-vendor"), [3, 3, 2, 2, 2, 2, 2]);
    // c-sup-sis: supervisory and the safety override.
    assert_eq!(sl("c-sup-sis"), [3, 3, 3, 1, 3, 2, 3]);
    // c-radio: R9 likely × major = high -> [3 3 3 0 2 2 0]; R10 jamming possible ×
    // moderate = medium -> RA 2, RDF 1, TRE 1; remote-sites R11 high -> [3 3 3 0 2 2 0].
    assert_eq!(sl("c-radio"), [3, 3, 3, 0, 2, 2, 2]);
}
