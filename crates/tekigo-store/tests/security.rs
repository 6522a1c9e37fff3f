//! Regression tests of the security review (issue 15) in the store, on SQLite and on
//! PostgreSQL: the lockout is one atomic update, and the audit verification sees changes
//! made to the live tables behind the application's back.

use tekigo_store::conn::Conn;
use tekigo_store::{audit, records, testing, users, Store};

fn both(mut test: impl FnMut(&Store)) {
    let dir = tempfile::tempdir().unwrap();
    test(&testing::sqlite(dir.path()));
    test(&testing::postgres());
}

fn seed(store: &Store) {
    store
        .write(|tx| {
            let alice = users::create(tx, "setup", "u1", "alice", "$argon2id$a", (true, false))?;
            users::create(tx, "alice", "u2", "bob", "$argon2id$b", (false, false))?;
            records::project_create(tx, "alice", "plant", "{}")?;
            records::assessment_create(tx, "alice", "plant", "gw", "{\"id\":\"gw\"}")?;
            let b = bob(tx);
            users::set_role(tx, "alice", "plant", &b, Some(users::Role::Viewer))?;
            users::token_create(tx, &alice, &"ab".repeat(32), "ci", 0)?;
            records::project_file_add(tx, "alice", "plant", "certificates/c1.yaml", "id: c1\n")?;
            records::project_file_put(
                tx,
                "alice",
                "plant",
                "certificates/c1.yaml",
                Some("id: c1\n"),
                "id: c1\nexpires: 2030-01-01\n",
            )?;
            records::answer_put(tx, "alice", ("plant", "gw", "CR 2.1"), "{\"s\":1}", 0).map(drop)
        })
        .unwrap();
}

fn bob(c: &mut dyn Conn) -> users::User {
    users::by_name(c, "bob").unwrap().unwrap()
}

#[test]
fn parallel_guesses_take_at_most_five_checks_per_window() {
    both(|store| {
        seed(store);
        for name in ["alice", "nobody"] {
            let taken: Vec<Option<bool>> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..64)
                    .map(|_| {
                        s.spawn(|| {
                            store
                                .write(|tx| users::login_attempt(tx, name, 5000, 5, 900))
                                .unwrap()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let checks = taken.iter().filter(|t| t.is_some()).count();
            let locks = taken.iter().filter(|t| **t == Some(true)).count();
            assert_eq!((checks, locks), (5, 1), "{name}: {taken:?}");
        }
    });
}

/// Runs `sql` on the live tables and returns what verification finds.
fn tampered(sql: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    both(|store| {
        seed(store);
        let clean = store.read(|c| audit::verify(c)).unwrap();
        assert!(clean.problems.is_empty(), "{:?}", clean.problems);
        store.write(|tx| tx.exec(sql, &[])).unwrap();
        out.push(store.read(|c| audit::verify(c)).unwrap().problems);
    });
    out
}

#[test]
fn direct_changes_to_live_tables_are_reported() {
    for (sql, object) in [
        (
            "UPDATE answers SET body = '{\"s\":2}' WHERE requirement = 'CR 2.1'",
            "answer/CR 2.1",
        ),
        (
            "UPDATE members SET role = 'admin' WHERE user_id = 'u2'",
            "member/bob",
        ),
        (
            "UPDATE users SET is_admin = 1 WHERE name = 'bob'",
            "user/bob",
        ),
        (
            "UPDATE users SET password_hash = '$argon2id$mine' WHERE name = 'alice'",
            "user/alice",
        ),
        ("DELETE FROM members WHERE user_id = 'u2'", "member/bob"),
        (
            "INSERT INTO api_tokens (token_hash, user_id, name, created, expires, last_used)
             VALUES ('cdcdcdcdcdcdcdcdcdcd', 'u2', 'x', '2026-01-01T00:00:00Z', 0, 0)",
            "user/bob/token/cdcdcdcdcdcdcdcd",
        ),
        (
            // Multi-byte text where a hash should be: reported, never a panic.
            "INSERT INTO api_tokens (token_hash, user_id, name, created, expires, last_used)
             VALUES ('ああああああああああああああああああ', 'u2', 'x', '2026-01-01T00:00:00Z', 0, 0)",
            "user/bob/token/ああ",
        ),
        (
            "UPDATE assessments SET header = '{\"id\":\"forged\"}'",
            "assessment/gw",
        ),
        ("UPDATE projects SET config = '{\"x\":1}'", "project/plant/"),
        (
            // A certificate's expiry moved in the table, not through the application.
            "UPDATE project_files SET body = 'id: c1\nexpires: 2099-01-01\n'",
            "project/plant/file/certificates/c1.yaml",
        ),
        (
            "DELETE FROM project_files",
            "project/plant/file/certificates/c1.yaml",
        ),
    ] {
        for problems in tampered(sql) {
            assert!(
                problems.iter().any(|p| p.contains(object)),
                "{sql}: {problems:?}"
            );
        }
    }
}

#[test]
fn changes_through_the_application_keep_the_state_and_the_chain_agreeing() {
    both(|store| {
        seed(store);
        store
            .write(|tx| {
                let b = bob(tx);
                users::set_role(tx, "alice", "plant", &b, Some(users::Role::Assessor))?;
                let b = users::set_password(tx, "alice", &b, "$argon2id$new", true)?;
                users::set_disabled(tx, "alice", &b, true)?;
                users::set_role(tx, "alice", "plant", &b, None)?;
                let alice = users::by_name(tx, "alice")?.unwrap();
                let id = users::tokens(tx, &alice)?[0].id.clone();
                assert!(users::token_revoke(tx, "alice", &alice, &id)?);
                Ok(())
            })
            .unwrap();
        let v = store.read(|c| audit::verify(c)).unwrap();
        assert!(v.problems.is_empty(), "{:?}", v.problems);
    });
}
