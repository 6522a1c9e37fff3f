//! One way to talk to SQLite and PostgreSQL, so that every query is written once.
//!
//! Queries use PostgreSQL's `$1` placeholders; for SQLite they become `?1`, which means the
//! same. Values are only text and 64-bit integers, the two types the schema uses.

use crate::StoreError;
use std::sync::{Condvar, Mutex};

/// A query parameter or a column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Int(i64),
    Text(String),
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Val {
        Val::Text(s.clone())
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Val {
        Val::Int(i)
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Val>);

impl Row {
    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.0.get(i) {
            Some(Val::Text(s)) => Ok(s.clone()),
            other => Err(StoreError::Schema(format!(
                "column {i}: expected text, found {other:?}"
            ))),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.0.get(i) {
            Some(Val::Int(n)) => Ok(*n),
            other => Err(StoreError::Schema(format!(
                "column {i}: expected integer, found {other:?}"
            ))),
        }
    }
}

/// A connection or a transaction of either database.
pub trait Conn {
    /// Runs a statement and returns the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError>;
    /// Runs several statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// For the few statements the two databases spell differently (row locks).
    fn is_postgres(&self) -> bool;
}

/// `$1` -> `?1`. Placeholders never occur inside string literals in tekigo's queries.
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

pub(crate) struct Sqlite<'a>(pub &'a rusqlite::Connection);

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Val::Int(i) => i.to_sql(),
            Val::Text(s) => s.to_sql(),
        }
    }
}

impl Conn for Sqlite<'_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(&sqlite_sql(sql))?;
        Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.0.prepare_cached(&sqlite_sql(sql))?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut vals = Vec::with_capacity(n);
            for i in 0..n {
                vals.push(match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Integer(v) => Val::Int(v),
                    rusqlite::types::ValueRef::Text(t) => {
                        Val::Text(String::from_utf8_lossy(t).into_owned())
                    }
                    other => {
                        return Err(StoreError::Schema(format!(
                            "column {i}: unexpected SQLite type {:?}",
                            other.data_type()
                        )))
                    }
                });
            }
            out.push(Row(vals));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.0.execute_batch(sql)?)
    }

    fn is_postgres(&self) -> bool {
        false
    }
}

pub(crate) struct Postgres<'a, C: postgres::GenericClient>(pub &'a mut C);

fn pg_params(params: &[Val]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|v| match v {
            Val::Int(i) => i as &(dyn postgres::types::ToSql + Sync),
            Val::Text(s) => s as &(dyn postgres::types::ToSql + Sync),
        })
        .collect()
}

impl<C: postgres::GenericClient> Conn for Postgres<'_, C> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        Ok(self.0.execute(sql, &pg_params(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        use postgres::types::Type;
        let rows = self.0.query(sql, &pg_params(params))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut vals = Vec::with_capacity(row.len());
            for (i, col) in row.columns().iter().enumerate() {
                vals.push(match *col.type_() {
                    Type::INT8 => Val::Int(row.try_get(i)?),
                    Type::INT4 => Val::Int(i64::from(row.try_get::<_, i32>(i)?)),
                    Type::TEXT | Type::VARCHAR => Val::Text(row.try_get(i)?),
                    ref other => {
                        return Err(StoreError::Schema(format!(
                            "column {}: unexpected PostgreSQL type {other}",
                            col.name()
                        )))
                    }
                });
            }
            out.push(Row(vals));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.0.batch_execute(sql)?)
    }

    fn is_postgres(&self) -> bool {
        true
    }
}

/// A fixed-size pool of connections: at most `max` exist, callers wait for a free one.
pub(crate) struct Pool<C: Send + 'static> {
    state: Mutex<PoolState<C>>,
    freed: Condvar,
    max: usize,
    connect: Box<dyn Fn() -> Result<C, StoreError> + Send + Sync>,
}

struct PoolState<C> {
    idle: Vec<C>,
    open: usize,
}

impl<C: Send + 'static> Pool<C> {
    pub fn new(
        max: usize,
        connect: impl Fn() -> Result<C, StoreError> + Send + Sync + 'static,
    ) -> Pool<C> {
        Pool {
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
            max,
            connect: Box::new(connect),
        }
    }

    /// Runs `f` with a connection. A connection whose use failed is dropped, not reused:
    /// it may be broken (a PostgreSQL restart, say).
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut C) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.take()?;
        let result = f(&mut conn);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if result.is_ok() {
            state.idle.push(conn);
        } else {
            state.open -= 1;
        }
        self.freed.notify_one();
        result
    }

    fn take(&self) -> Result<C, StoreError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(c) = state.idle.pop() {
                return Ok(c);
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return (self.connect)().inspect_err(|_| {
                    let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                    state.open -= 1;
                });
            }
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl<C: Send + 'static> Drop for Pool<C> {
    /// Closes the connections on a thread of their own: closing a PostgreSQL client blocks,
    /// which must not happen on a thread that drives async tasks (a server shutting down).
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        let idle = std::mem::take(&mut state.idle);
        let _ = std::thread::spawn(move || drop(idle)).join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_sqlite_parameters() {
        assert_eq!(
            sqlite_sql("SELECT a FROM t WHERE b = $2 AND c = $1"),
            "SELECT a FROM t WHERE b = ?2 AND c = ?1"
        );
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let rows = Sqlite(&conn)
            .query("SELECT $2, $1", &[Val::Int(1), Val::from("two")])
            .unwrap();
        assert_eq!(rows[0].0, vec![Val::from("two"), Val::Int(1)]);
    }
}
