//! The example projects in `examples/` stay loadable and keep computing what their scripts
//! showed when they were made.

use std::path::Path;
use tekigo_assess::{compute, Project};
use tekigo_catalog::Catalog;

fn example(name: &str) -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    Project::open(&root).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn achieved(project: &Project, id: &str) -> [u8; 7] {
    let catalog = Catalog::builtin().unwrap();
    let a = project
        .load_assessment(catalog, id)
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let standard = catalog.standard(&a.standard).unwrap();
    for sha in a.evidence_hashes() {
        assert!(
            project.evidence().verify(sha).unwrap(),
            "{id}: evidence {sha} changed"
        );
    }
    compute(standard, &a).achieved.unwrap()
}

#[test]
fn every_example_assessment_loads_with_intact_evidence() {
    for name in ["gateway", "tekigo-self", "water-treatment"] {
        let p = example(name);
        let ids = p.assessment_ids().unwrap();
        assert!(!ids.is_empty(), "{name} has no assessment");
        for id in ids {
            achieved(&p, &id);
        }
    }
}

#[test]
fn the_examples_reach_the_levels_their_scripts_printed() {
    // examples/gateway.sh and examples/tekigo-self.sh print these vectors.
    assert_eq!(
        achieved(&example("gateway"), "gw-100-4-2"),
        [0, 0, 0, 0, 4, 4, 1]
    );
    assert_eq!(
        achieved(&example("tekigo-self"), "tekigo-4-2"),
        [0, 0, 0, 0, 4, 0, 0]
    );
}
