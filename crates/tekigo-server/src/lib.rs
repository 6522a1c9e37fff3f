//! `tekigo serve`: assessments as team work, over HTTP.
//!
//! Where to start reading:
//! - [`router`] lists every route: pages at `/`, the REST API under `/api/`, login and
//!   first-start setup outside it.
//! - [`auth`] (who is asking) and [`access`] (what their role allows) guard every route.
//! - [`service`] is what the application does, shared by the API and the pages;
//!   [`projects`] edits a project's `tekigo.yaml` and members, [`zones`] computes its
//!   zones and conduits (IEC 62443-3-2) from the stored `risk/system.yaml`;
//!   [`sync`] moves projects between the server and the project directory format;
//!   [`upkeep`] computes what is due and keeps the certificates (tekigo-upkeep's rules).
//! - The database is `tekigo-store`; the rules of assessments are `tekigo-assess`, the
//!   same code the command line runs, so the server cannot accept a record the command
//!   line would refuse.

pub mod access;
pub mod account;
pub mod api;
pub mod auth;
pub mod demo;
pub mod error;
pub mod limit;
pub mod pages;
pub mod projects;
pub mod service;
pub mod state;
pub mod sync;
pub mod tls;
pub mod upkeep;
pub mod upload;
pub mod watch;
pub mod zones;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use state::{AppState, Shared};
use std::path::PathBuf;
use tekigo_store::Store;

/// How the server runs; the command line fills it in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Seconds of inactivity after which a session ends.
    pub session_idle_secs: i64,
    /// Seconds of disuse after which an API token stops working (a CI job or device
    /// that runs nightly keeps its token; one forgotten dies).
    pub token_idle_secs: i64,
    /// Largest upload (evidence, scan reports, SBOMs) in bytes.
    pub max_upload_bytes: usize,
    /// Fonts for PDF reports, besides the system's.
    pub font_dir: Option<PathBuf>,
    /// The advisory database SBOMs are matched against (opened once, at start).
    pub vulndb: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            session_idle_secs: 30 * 60,
            token_idle_secs: 90 * 24 * 3600,
            max_upload_bytes: 64 * 1024 * 1024,
            font_dir: None,
            vulndb: None,
        }
    }
}

/// Opens the data directory: the SQLite file in it (unless `database` names a
/// PostgreSQL server) and its evidence store.
pub fn open(
    data_dir: PathBuf,
    database: Option<&str>,
    settings: Settings,
) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| anyhow::anyhow!("{}: {e}", data_dir.display()))?;
    restrict_permissions(&data_dir)?;
    let url = match database {
        Some(url) => url.to_string(),
        None => data_dir
            .join("tekigo.db")
            .to_str()
            .ok_or_else(|| anyhow::anyhow!("{}: not UTF-8", data_dir.display()))?
            .to_string(),
    };
    let store = Store::open(&url).map_err(|e| anyhow::anyhow!("database: {e}"))?;
    let catalog = tekigo_catalog::Catalog::builtin()?;
    let vulndb = match &settings.vulndb {
        Some(path) => Some(
            tekigo_vulndb::Db::open(path)
                .map_err(|e| anyhow::anyhow!("advisory database (--vulndb): {e}"))?,
        ),
        None => None,
    };
    Ok(AppState::new(Shared {
        store,
        catalog,
        data_dir,
        settings,
        vulndb,
    }))
}

/// The data directory holds the database and every project's evidence: only its owner
/// reads it.
#[cfg(unix)]
fn restrict_permissions(dir: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))
}

#[cfg(not(unix))]
fn restrict_permissions(_dir: &std::path::Path) -> anyhow::Result<()> {
    Ok(())
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    let max_upload = state.shared().settings.max_upload_bytes;
    let api = api::router().layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_principal,
    ));
    Router::new()
        .route("/healthz", get(healthz))
        // `/login`, `/setup` and `/logout` are in the pages' router: forms and JSON.
        .nest("/api", api)
        .merge(pages::router(max_upload))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Liveness and the database's reachability, for monitoring; says nothing else.
async fn healthz(State(state): State<AppState>) -> Result<&'static str, error::AppError> {
    state
        .db(|s| Ok(s.store.read(tekigo_store::users::count)?))
        .await?;
    Ok("ok\n")
}

/// Headers every answer carries: nothing is framed, sniffed, or loaded from elsewhere.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// What [`serve`] tells the person who started it, in words the caller chooses (their
/// language): the `listening on` and `setup token:` lines stay as they are, for the scripts
/// that read them.
pub enum Notice<'a> {
    /// No user exists yet: where to create the administrator (the one-time token follows
    /// on a line of its own).
    FirstStart { setup_url: &'a str },
    /// Plain HTTP on an address other machines reach: session cookies are `Secure`, so
    /// browsers will not send them back, and logging in will not work.
    PlainHttpOnNetwork { addr: &'a str },
}

/// Runs the server until Ctrl-C or SIGTERM; prints the one-time setup token while no
/// user exists, after the [`Notice::FirstStart`] sentence that `words` makes. With `tls`
/// (see [`tls::server_config`]) it speaks only HTTPS and every answer carries
/// `Strict-Transport-Security`, so a browser that has been here once never tries plain
/// HTTP to this host again.
pub async fn serve(
    state: AppState,
    bind: std::net::SocketAddr,
    tls: Option<tokio_rustls::rustls::ServerConfig>,
    words: impl Fn(Notice<'_>) -> String,
) -> anyhow::Result<()> {
    // Only here, not in `open`: the commands that open the data directory beside a running
    // server must not remove its directories.
    let data_dir = &state.shared().data_dir;
    upkeep::sweep(data_dir).map_err(|e| anyhow::anyhow!("{}: {e}", data_dir.display()))?;
    let token = state.db(auth::first_start_token).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("bind {bind}: {e}"))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("tekigo serve: listening on {scheme}://{addr}");
    if let Some(token) = token {
        let setup_url = format!("{scheme}://{addr}/setup");
        println!(
            "{}",
            words(Notice::FirstStart {
                setup_url: &setup_url
            })
        );
        println!("setup token: {token}");
    }
    if tls.is_none() && !addr.ip().is_loopback() {
        let addr = addr.to_string();
        eprintln!("{}", words(Notice::PlainHttpOnNetwork { addr: &addr }));
    }
    let sweeper = state.clone();
    tokio::spawn(async move { expire_sessions(sweeper).await });
    let app = router(state);
    match tls {
        Some(config) => {
            let app = app.layer(middleware::map_response(strict_transport_security));
            axum::serve(tls::TlsListener::new(listener, config)?, app)
                .with_graceful_shutdown(shutdown())
                .await?
        }
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown())
                .await?
        }
    }
    Ok(())
}

/// HSTS for a year: sent only when this server terminates TLS itself (behind a proxy,
/// the proxy decides).
async fn strict_transport_security(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    );
    response
}

/// Removes idle sessions every minute, so that a stolen, forgotten token dies on time.
async fn expire_sessions(state: AppState) {
    let idle = state.shared().settings.session_idle_secs;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let cutoff = tekigo_store::now_unix() - idle;
        let swept = state
            .db(move |s| {
                Ok(s.store
                    .write(|tx| tekigo_store::users::sessions_expire(tx, cutoff))?)
            })
            .await;
        if let Err(e) = swept {
            eprintln!("tekigo serve: expiring sessions: {e}");
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
