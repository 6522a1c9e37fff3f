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
    /// Argon2 runs (19 MiB each) on [`ARGON2_SLOTS`] threads of their own: a login flood
    /// queues here, as cheap tasks, and neither grows memory nor takes the slots other
    /// requests need. Always the same threads, so that the allocator reuses their 19 MiB
    /// instead of every blocking thread keeping an arena of its own.
    argon2: Arc<std::sync::Mutex<std::sync::mpsc::Sender<Job>>>,
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

type Job = Box<dyn FnOnce() + Send>;

/// Starts the Argon2 threads; they end when the last sender is dropped.
fn argon2_threads() -> std::sync::mpsc::Sender<Job> {
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    let rx = Arc::new(std::sync::Mutex::new(rx));
    for i in 0..ARGON2_SLOTS {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || loop {
                let job = match rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
        if let Err(e) = spawned {
            eprintln!("tekigo serve: argon2 thread: {e}");
        }
    }
    tx
}

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState {
            shared: Arc::new(shared),
            workers: Arc::new(tokio::sync::Semaphore::new(WORKERS)),
            argon2: Arc::new(std::sync::Mutex::new(argon2_threads())),
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

    /// Runs a password hash or verification on one of the [`ARGON2_SLOTS`] threads.
    pub async fn argon2<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.argon2
            .lock()
            .map_err(|_| AppError::Internal("argon2 threads: poisoned".into()))?
            .send(job)
            .map_err(|_| AppError::Internal("argon2 threads: stopped".into()))?;
        rx.await
            .map_err(|_| AppError::Internal("argon2 threads: job lost".into()))
    }
}
