//! Databases for tests, in this crate and in the crates that use the store.
//!
//! PostgreSQL tests need a server: `scripts/setup/60-postgres.sh` starts one and writes its
//! URL to `~/.cache/tekigo/postgres-url` (or set `TEKIGO_TEST_POSTGRES`). Each call gets
//! a fresh schema of its own, so tests run in parallel without seeing each other.
//!
//! A store does not know it belongs to a test, so nothing drops the schema when the test
//! ends. Its name carries the time it was made (`t_<unix seconds, hex>_<random>`), and the
//! set-up script drops the test schemas older than a day: left to pile up, they grew one
//! server to 90,000 files whose start after an unclean stop outlasted `pg_ctl`'s wait.

use crate::{Store, StoreError};
use std::path::Path;

/// The URL of the test server. Panics with what to run when there is none: a PostgreSQL
/// test that quietly passes without PostgreSQL would prove nothing.
pub fn postgres_url() -> String {
    if let Ok(url) = std::env::var("TEKIGO_TEST_POSTGRES") {
        return url;
    }
    let cache = std::env::var_os("TEKIGO_CACHE_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/tekigo")))
        .unwrap_or_default();
    let file = cache.join("postgres-url");
    match std::fs::read_to_string(&file) {
        Ok(url) => url.trim().to_string(),
        Err(e) => panic!(
            "no PostgreSQL for tests ({}: {e}); run scripts/setup/60-postgres.sh or set \
             TEKIGO_TEST_POSTGRES",
            file.display()
        ),
    }
}

/// A URL on the test server whose `search_path` is a new, empty schema.
pub fn fresh_postgres_url() -> Result<String, StoreError> {
    let url = postgres_url();
    let (config, tls) = crate::tls::connect_options(&url)?;
    let mut client = config.connect(tls)?;
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| StoreError::Schema(e.to_string()))?;
    let made = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let schema: String = std::iter::once(format!("t_{made:x}_"))
        .chain(bytes.iter().map(|b| format!("{b:02x}")))
        .collect();
    client.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}options=-c%20search_path%3D{schema}"))
}

/// A fresh PostgreSQL store.
pub fn postgres() -> Store {
    let url = fresh_postgres_url().expect("test schema on PostgreSQL");
    Store::open(&url).expect("open PostgreSQL store")
}

/// A fresh SQLite store in `dir`.
pub fn sqlite(dir: &Path) -> Store {
    Store::open(dir.join("tekigo.db").to_str().expect("UTF-8 path")).expect("open SQLite store")
}
