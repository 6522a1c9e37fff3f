//! The audit trail: who changed what, when, from which value to which, as a hash chain.
//!
//! Entry `n` stores `hash = SHA-256(hash of entry n-1 || JSON of entry n's fields)`, and
//! `audit_head` stores the newest sequence number and hash. Editing an entry breaks its
//! hash; deleting one breaks the sequence and the next entry's link; deleting the newest
//! ones leaves the head pointing past the end. Someone who can rewrite the whole database
//! can also recompute the chain, which is why [`verify`] prints the head: an operator who
//! records it elsewhere (a ticket, a signed report) can later prove nothing was rewritten.

use crate::conn::{Conn, Row, Val};
use crate::StoreError;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A write transaction with the audit chain's head locked.
pub struct Tx<'a> {
    conn: &'a mut dyn Conn,
    seq: i64,
    hash: String,
    dirty: bool,
}

impl<'a> Tx<'a> {
    pub(crate) fn begin(conn: &'a mut dyn Conn) -> Result<Tx<'a>, StoreError> {
        // FOR UPDATE is PostgreSQL's row lock; SQLite's immediate transaction already holds
        // the database lock, and SQLite does not know the clause.
        let sql = if conn.is_postgres() {
            "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
        } else {
            "SELECT seq, hash FROM audit_head WHERE id = 1"
        };
        let rows = conn.query(sql, &[])?;
        let head = rows
            .first()
            .ok_or_else(|| StoreError::Schema("audit_head has no row".into()))?;
        Ok(Tx {
            seq: head.int(0)?,
            hash: head.text(1)?,
            conn,
            dirty: false,
        })
    }

    /// Records one change. `before` and `after` are the object's JSON (empty when it did
    /// not exist before or does not exist after).
    pub fn audit(
        &mut self,
        actor: &str,
        action: &str,
        object: &str,
        before: &str,
        after: &str,
    ) -> Result<(), StoreError> {
        let entry = Entry {
            seq: self.seq + 1,
            at: crate::now_rfc3339(),
            actor: actor.to_string(),
            action: action.to_string(),
            object: object.to_string(),
            before: before.to_string(),
            after: after.to_string(),
        };
        let hash = entry.hash(&self.hash);
        self.conn.exec(
            "INSERT INTO audit (seq, at_time, actor, action, object, before_value, after_value,
                                prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                Val::Int(entry.seq),
                entry.at.into(),
                entry.actor.into(),
                entry.action.into(),
                entry.object.into(),
                entry.before.into(),
                entry.after.into(),
                Val::from(&self.hash),
                Val::from(&hash),
            ],
        )?;
        self.seq += 1;
        self.hash = hash;
        self.dirty = true;
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<(), StoreError> {
        if self.dirty {
            self.conn.exec(
                "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
                &[Val::Int(self.seq), Val::Text(self.hash)],
            )?;
        }
        Ok(())
    }
}

impl Conn for Tx<'_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        self.conn.exec(sql, params)
    }
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        self.conn.query(sql, params)
    }
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.batch(sql)
    }
    fn is_postgres(&self) -> bool {
        self.conn.is_postgres()
    }
}

/// One audit entry as the API and `tekigo audit` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub before: String,
    pub after: String,
}

impl Entry {
    fn hash(&self, prev: &str) -> String {
        // A JSON array of the fields: unambiguous where plain concatenation is not.
        let fields = serde_json::json!([
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.object,
            self.before,
            self.after
        ]);
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(fields.to_string().as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn from_row(r: &Row) -> Result<Entry, StoreError> {
        Ok(Entry {
            seq: r.int(0)?,
            at: r.text(1)?,
            actor: r.text(2)?,
            action: r.text(3)?,
            object: r.text(4)?,
            before: r.text(5)?,
            after: r.text(6)?,
        })
    }
}

const ENTRY_COLUMNS: &str = "seq, at_time, actor, action, object, before_value, after_value";

/// Entries touching `object` (a prefix such as `project/plant/`), newest first.
pub fn list(c: &mut dyn Conn, object_prefix: &str, limit: i64) -> Result<Vec<Entry>, StoreError> {
    c.query(
        &format!(
            "SELECT {ENTRY_COLUMNS} FROM audit WHERE substr(object, 1, length($1)) = $1
             ORDER BY seq DESC LIMIT $2"
        ),
        &[object_prefix.into(), Val::Int(limit)],
    )?
    .iter()
    .map(Entry::from_row)
    .collect()
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: String,
    /// Empty when the chain is intact.
    pub problems: Vec<String>,
}

/// Recomputes the whole chain, and compares the live records with the state the chain
/// says they have ([`crate::state`]). Reads the chain in pages so that a long trail does
/// not sit in memory.
pub fn verify(c: &mut dyn Conn) -> Result<Verification, StoreError> {
    let head = c.query("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?;
    let head = head
        .first()
        .ok_or_else(|| StoreError::Schema("audit_head has no row".into()))?;
    let (head_seq, head_hash) = (head.int(0)?, head.text(1)?);
    let mut problems = Vec::new();
    let mut expected = crate::state::Expected::default();
    let (mut expected_seq, mut prev, mut entries) = (1, String::new(), 0);
    loop {
        let page = c.query(
            &format!(
                "SELECT {ENTRY_COLUMNS}, prev_hash, hash FROM audit WHERE seq >= $1
                 ORDER BY seq LIMIT 1000"
            ),
            &[Val::Int(expected_seq)],
        )?;
        if page.is_empty() {
            break;
        }
        for row in &page {
            let e = Entry::from_row(row)?;
            let (stored_prev, stored_hash) = (row.text(7)?, row.text(8)?);
            if e.seq != expected_seq {
                problems.push(format!(
                    "entries {expected_seq}..{} are missing (deleted)",
                    e.seq - 1
                ));
            }
            if stored_prev != prev {
                problems.push(format!(
                    "entry {}: its link to the previous entry does not match",
                    e.seq
                ));
            }
            if e.hash(&stored_prev) != stored_hash {
                problems.push(format!(
                    "entry {} ({} {} by {}): its content was changed after it was written",
                    e.seq, e.action, e.object, e.actor
                ));
            }
            expected.apply(&e.action, &e.object, &e.after);
            prev = stored_hash;
            expected_seq = e.seq + 1;
            entries += 1;
        }
    }
    if expected_seq - 1 != head_seq || prev != head_hash {
        problems.push(format!(
            "the chain ends at entry {} but the head says {head_seq}: entries were deleted \
             from the end, or the head was changed",
            expected_seq - 1
        ));
    }
    problems.extend(expected.differences(&crate::state::live(c)?));
    Ok(Verification {
        entries,
        head_seq,
        head_hash,
        problems,
    })
}
