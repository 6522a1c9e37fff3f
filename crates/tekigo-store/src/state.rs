//! What the audit chain says the live tables hold, and what they do hold.
//!
//! A hash chain proves that no entry was changed, but a change made to a live table
//! directly (`UPDATE members SET role = 'admin'`) leaves the chain intact. Every record
//! that decides what someone may do or what an assessment says is therefore audited with
//! its whole state as the entry's `after` value (empty: the record was removed), and
//! [`crate::audit::verify`] replays the chain and compares: the state of a record is the
//! `after` of the newest entry of its object whose action is one of [`STATE_ACTIONS`].
//!
//! The records: users (their rights and a digest of the password hash, not the lockout
//! counters), API tokens, project members, projects, assessment headers, answers, triage
//! decisions and the project files of the upkeep (certificates, the CRA record, the
//! watch's findings: `records::project_file_put`). Evidence bytes are checked by their hash elsewhere; sessions are
//! short-lived and end with the password.

use crate::audit::Tx;
use crate::conn::{Conn, Row};
use crate::users;
use crate::StoreError;
use std::collections::BTreeMap;

/// The actions whose `after` value is the full state of their object.
pub const STATE_ACTIONS: &[&str] = &[
    "user.create",
    "user.password",
    "user.update",
    "token.create",
    "token.revoke",
    "member.role",
    "project.create",
    "project.config",
    "assessment.create",
    "answer.set",
    "triage.set",
    "file.add",
    "file.set",
    BASELINE,
];

/// The entry that takes a record as it is, written once when a database from before
/// schema 4 (the security migration) is migrated.
const BASELINE: &str = "state.baseline";

/// Every audited record as it is now, by its audit object.
pub fn live(c: &mut dyn Conn) -> Result<BTreeMap<String, String>, StoreError> {
    let mut out = BTreeMap::new();
    for user in users::list(c)? {
        out.insert(user.object(), user.audit_json());
    }
    let rows = |c: &mut dyn Conn, sql: &str| -> Result<Vec<Row>, StoreError> { c.query(sql, &[]) };
    for r in rows(
        c,
        "SELECT u.name, t.token_hash, t.expires FROM api_tokens t JOIN users u ON u.id = t.user_id",
    )? {
        let hash = r.text(1)?;
        out.insert(
            users::token_object(&r.text(0)?, &hash),
            users::token_state(&hash, r.int(2)?),
        );
    }
    for r in rows(
        c,
        "SELECT m.project_id, u.name, m.role FROM members m JOIN users u ON u.id = m.user_id",
    )? {
        out.insert(users::member_object(&r.text(0)?, &r.text(1)?), r.text(2)?);
    }
    for r in rows(c, "SELECT id, config FROM projects")? {
        out.insert(format!("project/{}/", r.text(0)?), r.text(1)?);
    }
    for r in rows(c, "SELECT project_id, id, header FROM assessments")? {
        out.insert(
            format!("project/{}/assessment/{}", r.text(0)?, r.text(1)?),
            r.text(2)?,
        );
    }
    for r in rows(
        c,
        "SELECT project_id, assessment_id, requirement, body FROM answers",
    )? {
        out.insert(
            format!(
                "project/{}/assessment/{}/answer/{}",
                r.text(0)?,
                r.text(1)?,
                r.text(2)?
            ),
            r.text(3)?,
        );
    }
    for r in rows(
        c,
        "SELECT project_id, vulnerability, component, body FROM triage",
    )? {
        out.insert(
            format!(
                "project/{}/triage/{}/{}",
                r.text(0)?,
                r.text(1)?,
                r.text(2)?
            ),
            r.text(3)?,
        );
    }
    for r in rows(c, "SELECT project_id, path, body FROM project_files")? {
        out.insert(
            format!("project/{}/file/{}", r.text(0)?, r.text(1)?),
            r.text(2)?,
        );
    }
    Ok(out)
}

/// The records as the chain says they should be, built entry by entry.
#[derive(Default)]
pub struct Expected(BTreeMap<String, String>);

impl Expected {
    /// Takes one entry of the chain, in order.
    pub fn apply(&mut self, action: &str, object: &str, after: &str) {
        if !STATE_ACTIONS.contains(&action) {
            return;
        }
        if after.is_empty() {
            self.0.remove(object);
        } else {
            self.0.insert(object.to_string(), after.to_string());
        }
    }

    /// Every difference between the chain's records and the live ones.
    pub fn differences(&self, live: &BTreeMap<String, String>) -> Vec<String> {
        let mut out = Vec::new();
        for (object, value) in live {
            match self.0.get(object) {
                None => out.push(format!(
                    "{object}: in the database but not in the audit trail (added directly)"
                )),
                Some(expected) if expected != value => out.push(format!(
                    "{object}: differs from the audit trail's last entry for it (changed \
                     directly)"
                )),
                Some(_) => {}
            }
        }
        for object in self.0.keys().filter(|o| !live.contains_key(*o)) {
            out.push(format!(
                "{object}: in the audit trail but not in the database (removed directly)"
            ));
        }
        out
    }
}

/// Takes every record as it is now into the chain (see [`BASELINE`]).
pub(crate) fn baseline(tx: &mut Tx) -> Result<(), StoreError> {
    for (object, value) in live(tx)? {
        tx.audit("tekigo", BASELINE, &object, "", &value)?;
    }
    Ok(())
}
