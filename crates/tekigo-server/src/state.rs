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
    /// Argon2 runs (19 MiB each) apart from the workers: a login flood queues here, as
    /// cheap tasks, and neither grows memory nor takes the slots other requests need.
    argon2: Arc<tokio::sync::Semaphore>,
    /// Logins per client address.
    pub login_limit: Arc<crate::limit::LoginLimit>,
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

/// Password hashes computed at once: 2 x 19 MiB.
pub const ARGON2_SLOTS: usize = 2;

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState {
            shared: Arc::new(shared),
            workers: Arc::new(tokio::sync::Semaphore::new(WORKERS)),
            argon2: Arc::new(tokio::sync::Semaphore::new(ARGON2_SLOTS)),
            login_limit: Default::default(),
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
        let shared = self.shared.clone();
        blocking(&self.workers, move || f(&shared)).await?
    }

    /// Runs a password hash or verification in one of the [`ARGON2_SLOTS`].
    pub async fn argon2<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        blocking(&self.argon2, f).await
    }
}

/// Runs `f` on a blocking thread once `slots` has room.
async fn blocking<T: Send + 'static>(
    slots: &tokio::sync::Semaphore,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _permit = slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("worker: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("worker: {e}")))
}
