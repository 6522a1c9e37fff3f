//! The store's promises, on SQLite and on PostgreSQL: migrations, optimistic versions,
//! lockout counting, and an audit chain that notices tampering and deletion.

use tekigo_store::conn::{Conn, Val};
use tekigo_store::{audit, records, testing, users, Store, StoreError};

fn both(test: impl Fn(&Store)) {
    let dir = tempfile::tempdir().unwrap();
    test(&testing::sqlite(dir.path()));
    test(&testing::postgres());
}

fn seed(store: &Store) {
    store
        .write(|tx| {
            users::create(tx, "setup", "u1", "alice", "$argon2id$x", (true, false))?;
            records::project_create(tx, "alice", "plant", "{}")?;
            records::assessment_create(tx, "alice", "plant", "gw", "{\"id\":\"gw\"}")
        })
        .unwrap();
}

#[test]
fn migrations_apply_once_and_a_reopened_store_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    seed(&testing::sqlite(dir.path()));
    let again = testing::sqlite(dir.path());
    let n = again.read(|c| users::count(c)).unwrap();
    assert_eq!(n, 1);

    let url = testing::fresh_postgres_url().unwrap();
    seed(&Store::open(&url).unwrap());
    let again = Store::open(&url).unwrap();
    assert_eq!(again.read(|c| users::count(c)).unwrap(), 1);
}

#[test]
fn a_database_from_a_newer_tekigo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = testing::sqlite(dir.path());
    store
        .write(|tx| {
            tx.exec(
                "INSERT INTO schema_migrations (version, name, applied) VALUES (99, 'x', 'y')",
                &[],
            )
        })
        .unwrap();
    drop(store);
    let err = Store::open(dir.path().join("tekigo.db").to_str().unwrap())
        .err()
        .expect("refused");
    assert!(err.to_string().contains("schema 99"), "{err}");
}

#[test]
fn a_stale_version_is_refused_and_nothing_is_overwritten() {
    both(|store| {
        seed(store);
        let key = ("plant", "gw", "CR 1.1");
        let v1 = store
            .write(|tx| records::answer_put(tx, "alice", key, "{\"a\":1}", 0))
            .unwrap();
        assert_eq!(v1, 1);
        // Bob started from "no answer" too: refused.
        let err = store
            .write(|tx| records::answer_put(tx, "bob", key, "{\"b\":1}", 0))
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { current: 1, .. }),
            "{err}"
        );
        let v2 = store
            .write(|tx| records::answer_put(tx, "bob", key, "{\"b\":2}", 1))
            .unwrap();
        assert_eq!(v2, 2);
        let row = store
            .read(|c| records::answer(c, "plant", "gw", "CR 1.1"))
            .unwrap()
            .unwrap();
        assert_eq!((row.body.as_str(), row.version), ("{\"b\":2}", 2));
        assert_eq!(row.updated_by, "bob");
    });
}

#[test]
fn a_failed_write_leaves_no_change_and_no_audit_entry() {
    both(|store| {
        seed(store);
        let before = store.read(|c| audit::verify(c)).unwrap();
        let err = store
            .write(|tx| {
                records::answer_put(tx, "alice", ("plant", "gw", "CR 1.2"), "{}", 0)?;
                // Second part of the same change fails: the first must be rolled back.
                records::project_create(tx, "alice", "plant", "{}")
            })
            .unwrap_err();
        assert!(matches!(err, StoreError::Exists(_)), "{err}");
        let after = store.read(|c| audit::verify(c)).unwrap();
        assert_eq!(before.entries, after.entries);
        assert!(store
            .read(|c| records::answer(c, "plant", "gw", "CR 1.2"))
            .unwrap()
            .is_none());
    });
}

#[test]
fn lockout_after_repeated_failures() {
    both(|store| {
        seed(store);
        let mut taken = Vec::new();
        for _ in 0..6 {
            taken.push(
                store
                    .write(|tx| users::login_attempt(tx, "alice", 1000, 5, 900))
                    .unwrap(),
            );
        }
        let (t, f) = (Some(true), Some(false));
        assert_eq!(taken, [f, f, f, f, t, None]);
        // The window ends: five more checks.
        let after = store
            .write(|tx| users::login_attempt(tx, "alice", 1900, 5, 900))
            .unwrap();
        assert_eq!(after, f);
    });
}

fn tamper(store: &Store, sql: &str) -> Vec<String> {
    store.write(|tx| tx.exec(sql, &[])).unwrap();
    store.read(|c| audit::verify(c)).unwrap().problems
}

#[test]
fn the_audit_chain_detects_edits_and_deletions() {
    both(|store| {
        seed(store);
        for i in 0..3 {
            store
                .write(|tx| {
                    records::answer_put(tx, "alice", ("plant", "gw", "CR 2.1"), "{}", i).map(drop)
                })
                .unwrap();
        }
        let clean = store.read(|c| audit::verify(c)).unwrap();
        assert!(clean.problems.is_empty(), "{:?}", clean.problems);
        assert_eq!(clean.entries, 6);
        assert_eq!(clean.head_seq, 6);

        let problems = tamper(
            store,
            "UPDATE audit SET after_value = 'forged' WHERE seq = 4",
        );
        assert!(
            problems.iter().any(|p| p.contains("entry 4")),
            "{problems:?}"
        );
    });
    both(|store| {
        seed(store);
        let problems = tamper(store, "DELETE FROM audit WHERE seq = 2");
        assert!(
            problems.iter().any(|p| p.contains("missing")),
            "{problems:?}"
        );
    });
    both(|store| {
        seed(store);
        let problems = tamper(store, "DELETE FROM audit WHERE seq = 3");
        assert!(problems.iter().any(|p| p.contains("head")), "{problems:?}");
    });
}

#[test]
fn audit_entries_of_a_project_list_newest_first() {
    both(|store| {
        seed(store);
        let entries = store
            .read(|c| audit::list(c, "project/plant/", 10))
            .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["assessment.create", "project.create"]);
        let user = store.read(|c| users::by_name(c, "alice")).unwrap().unwrap();
        let users_json = store.read(|c| audit::list(c, "user/", 10)).unwrap();
        assert!(!users_json[0].after.contains(&user.password_hash));
    });
}

#[test]
fn values_round_trip_with_unicode_and_large_integers() {
    both(|store| {
        let rows = store
            .read(|c| {
                c.query(
                    "SELECT CAST($1 AS TEXT), CAST($2 AS BIGINT)",
                    &[Val::from("制御ゾーン 'quoted'"), Val::Int(i64::MAX)],
                )
            })
            .unwrap();
        assert_eq!(rows[0].text(0).unwrap(), "制御ゾーン 'quoted'");
        assert_eq!(rows[0].int(1).unwrap(), i64::MAX);
    });
}

#[test]
fn triage_decisions_are_versioned_and_sboms_listed_newest_first() {
    both(|store| {
        seed(store);
        let key = ("plant", "CVE-2024-3651", "pkg:pypi/idna@3.6");
        let v = store
            .write(|tx| records::triage_put(tx, "alice", key, "{\"state\":\"affected\"}", 0))
            .unwrap();
        assert_eq!(v, 1);
        let err = store
            .write(|tx| records::triage_put(tx, "bob", key, "{}", 0))
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { current: 1, .. }),
            "{err}"
        );
        let rows = store.read(|c| records::triage(c, "plant")).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].body, "{\"state\":\"affected\"}");
        for (id, created) in [
            ("s1", "2026-01-01T00:00:00Z"),
            ("s2", "2026-02-01T00:00:00Z"),
        ] {
            let row = records::SbomRow {
                id: id.into(),
                name: "gw.cdx.json".into(),
                sha256: "0".repeat(64),
                components: 3,
                uploaded_by: "alice".into(),
                created: created.into(),
            };
            store
                .write(|tx| records::sbom_add(tx, "alice", "plant", &row))
                .unwrap();
        }
        let ids: Vec<String> = store
            .read(|c| records::sboms(c, "plant"))
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, ["s2", "s1"]);
    });
}

#[test]
fn the_zone_and_conduit_model_is_versioned_and_audited() {
    both(|store| {
        seed(store);
        assert_eq!(
            store.read(|c| records::risk_model(c, "plant")).unwrap(),
            None
        );
        let v = store
            .write(|tx| records::risk_model_put(tx, "alice", "plant", "format: 1\n", 0))
            .unwrap();
        assert_eq!(v, 1);
        let err = store
            .write(|tx| records::risk_model_put(tx, "bob", "plant", "format: 2\n", 0))
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { current: 1, .. }),
            "{err}"
        );
        let v = store
            .write(|tx| records::risk_model_put(tx, "bob", "plant", "format: 1 # b\n", 1))
            .unwrap();
        assert_eq!(v, 2);
        assert_eq!(
            store.read(|c| records::risk_model(c, "plant")).unwrap(),
            Some(("format: 1 # b\n".to_string(), 2))
        );
        let actions: Vec<String> = store
            .read(|c| audit::list(c, "project/plant/risk", 10))
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["risk.set", "risk.set"]);
        assert!(store.read(audit::verify).unwrap().problems.is_empty());
    });
}
