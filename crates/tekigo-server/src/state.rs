//! What every request handler shares: the store, the catalog, the data directory and the
//! settings. Database work is blocking (both drivers are synchronous), so it runs on
//! tokio's blocking threads through [`AppState::db`], never on the request threads.

use crate::error::AppError;
use crate::Settings;
use std::path::PathBuf;
use std::sync::Arc;
use tekigo_catalog::Catalog;
use tekigo_store::Store;

#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    /// As many blocking jobs at a time as there are database connections. Requests beyond
    /// that wait here, as cheap async tasks, instead of as parked threads fighting over
    /// the connection pool: under 200 concurrent clients that fight cost more than the
    /// queries.
    workers: Arc<tokio::sync::Semaphore>,
}

pub struct Shared {
    pub store: Store,
    pub catalog: &'static Catalog,
    /// Holds `evidence/` (the content store shared by all projects) and, by default, the
    /// SQLite file.
    pub data_dir: PathBuf,
    pub settings: Settings,
    /// The advisory database, memory-mapped once and shared by every request (`None`
    /// without `--vulndb`).
    pub vulndb: Option<tekigo_vulndb::Db>,
}

/// Blocking jobs that may run at once: the SQLite reader pool's size (PostgreSQL's pool is
/// larger, but the machine's cores are the limit there).
const WORKERS: usize = 8;

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState {
            shared: Arc::new(shared),
            workers: Arc::new(tokio::sync::Semaphore::new(WORKERS)),
        }
    }

    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Runs blocking work (database, files, report rendering) off the async threads.
    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Shared) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .workers
            .acquire()
            .await
            .map_err(|e| AppError::Internal(format!("worker: {e}")))?;
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || f(&shared))
            .await
            .map_err(|e| AppError::Internal(format!("worker: {e}")))?
    }
}
