//! The web application's database.
//!
//! One schema and one set of queries for both databases: an SQLite file in the data
//! directory, the default that needs nothing installed, and PostgreSQL for a portfolio
//! that outgrows one file. [`conn`] hides the difference.
//!
//! Every change goes through [`Store::write`], which runs it in one transaction together
//! with its audit entry ([`audit`]): a change is either committed with its trail or not at
//! all, and writes are serialised so that the hash chain has one order. Reads use separate
//! connections and never wait for writers (SQLite in WAL mode; PostgreSQL MVCC).
//!
//! The store knows rows, not IEC 62443: answers and assessment headers are JSON that the
//! server validates with `tekigo-assess` before they reach it.

pub mod audit;
pub mod conn;
pub mod records;
pub mod state;
pub mod testing;
pub mod tls;
pub mod users;

use conn::{Conn, Pool, Postgres, Sqlite, Val};
use std::path::Path;
use std::sync::Mutex;

/// Why the database refused or failed. Messages never contain secrets: tokens and
/// passwords are hashed before they reach a query.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {}", with_causes(.0))]
    Postgres(#[from] postgres::Error),
    #[error("database content: {0}")]
    Schema(String),
    /// The database URL asks for something that cannot be done (see [`tls`]).
    #[error("database URL: {0}")]
    Url(String),
    /// Optimistic concurrency: the row changed since the caller read it.
    #[error("{object} was changed by someone else (now version {current}); reload and retry")]
    Conflict { object: String, current: i64 },
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0} not found")]
    NotFound(String),
}

/// An error and its causes: tokio-postgres keeps the reason in `source()` ("error
/// performing TLS handshake" alone does not say that the certificate was refused).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Migrations in order. Applied ones are recorded in `schema_migrations`; a database from
/// a newer tekigo is refused rather than guessed at.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (
        2,
        "vulnerabilities",
        include_str!("../migrations/0002_vulnerabilities.sql"),
    ),
    (3, "risk", include_str!("../migrations/0003_risk.sql")),
    (
        4,
        "security",
        include_str!("../migrations/0004_security.sql"),
    ),
    (
        5,
        "releases",
        include_str!("../migrations/0005_releases.sql"),
    ),
    (
        6,
        "project files",
        include_str!("../migrations/0006_project_files.sql"),
    ),
    (
        7,
        "evidence public",
        include_str!("../migrations/0007_evidence_public.sql"),
    ),
];

pub struct Store {
    backend: Backend,
}

enum Backend {
    Sqlite {
        /// SQLite has one writer at a time; holding it here makes writers queue in the
        /// application instead of failing with SQLITE_BUSY.
        writer: Mutex<rusqlite::Connection>,
        readers: Pool<rusqlite::Connection>,
    },
    Postgres(Pool<postgres::Client>),
}

/// Which database a store uses, for messages and the health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Store {
    /// Opens (and migrates) `postgres://...` or an SQLite file path.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let (config, tls) = tls::connect_options(url)?;
            let pool = Pool::new(16, move || Ok(config.connect(tls.clone())?));
            Store {
                backend: Backend::Postgres(pool),
            }
        } else {
            let path = url.strip_prefix("sqlite:").unwrap_or(url).to_string();
            let writer = open_sqlite(Path::new(&path))?;
            let readers = Pool::new(8, move || open_sqlite(Path::new(&path)));
            Store {
                backend: Backend::Sqlite {
                    writer: Mutex::new(writer),
                    readers,
                },
            }
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn kind(&self) -> Kind {
        match self.backend {
            Backend::Sqlite { .. } => Kind::Sqlite,
            Backend::Postgres(_) => Kind::Postgres,
        }
    }

    fn migrate(&self) -> Result<(), StoreError> {
        self.transaction(|c| {
            c.batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)",
            )?;
            let applied = c
                .query(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    &[],
                )?
                .first()
                .map(|r| r.int(0))
                .transpose()?
                .unwrap_or(0);
            let newest = MIGRATIONS.last().map_or(0, |m| m.0);
            if applied > newest {
                return Err(StoreError::Schema(format!(
                    "the database is at schema {applied}, this tekigo knows up to {newest}; \
                     use a newer tekigo"
                )));
            }
            for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > applied) {
                c.batch(sql)?;
                c.exec(
                    "INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)",
                    &[
                        Val::Int(*version),
                        Val::from(*name),
                        Val::from(now_rfc3339()),
                    ],
                )?;
            }
            // A database from before schema 4 has records whose audit entries do not
            // carry their full state: the chain takes them as they are now, once.
            if (1..4).contains(&applied) {
                let mut tx = audit::Tx::begin(c)?;
                state::baseline(&mut tx)?;
                tx.finish()?;
            }
            Ok(())
        })
    }

    /// Runs read-only queries.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite { readers, .. } => readers.with(|c| f(&mut Sqlite(c))),
            Backend::Postgres(pool) => pool.with(|c| f(&mut Postgres(c))),
        }
    }

    /// Runs a change in one transaction with its audit entries. Writers are serialised:
    /// SQLite by the one writer connection, PostgreSQL by a row lock on the chain's head,
    /// taken first so that two writers cannot deadlock.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut audit::Tx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.transaction(|c| {
            let mut tx = audit::Tx::begin(c)?;
            let value = f(&mut tx)?;
            tx.finish()?;
            Ok(value)
        })
    }

    fn transaction<T>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite { writer, .. } => {
                let mut conn = writer.lock().unwrap_or_else(|e| e.into_inner());
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let value = f(&mut Sqlite(&tx))?;
                tx.commit()?;
                Ok(value)
            }
            Backend::Postgres(pool) => pool.with(|client| {
                let mut tx = client.transaction()?;
                let value = f(&mut Postgres(&mut tx))?;
                tx.commit()?;
                Ok(value)
            }),
        }
    }
}

fn open_sqlite(path: &Path) -> Result<rusqlite::Connection, StoreError> {
    let conn = rusqlite::Connection::open(path)?;
    // WAL: readers never block the writer. synchronous=NORMAL in WAL mode keeps every
    // committed transaction across a crash of the process (kill -9); only a power loss
    // may lose the last ones.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
    )?;
    Ok(conn)
}

/// Now, as RFC 3339 in UTC with seconds.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Now, in Unix seconds.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// SHA-256 of `bytes`, hex-encoded.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
