//! An in-process server for the API tests, on SQLite or on PostgreSQL, with a client that
//! keeps a session cookie and its CSRF token like a browser, or sends an API token like CI.

#![allow(dead_code)] // each test file uses a different part of this module

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tekigo_server::state::AppState;
use tekigo_server::{auth, Settings};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub const BOTH: [Db; 2] = [Db::Sqlite, Db::Postgres];

/// A strong password that passes the rules.
pub const PASSWORD: &str = "orange kettle 42 lantern";

pub struct App {
    pub router: Router,
    pub state: AppState,
    pub setup_token: String,
    pub dir: tempfile::TempDir,
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs blocking database work from a test's async body: the PostgreSQL driver must not
/// block a thread that drives async tasks.
pub fn blocking<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

impl App {
    pub fn new(db: Db) -> App {
        blocking(|| App::create(db, tempfile::tempdir().unwrap(), Settings::default()))
    }

    /// A server in `dir` (which may hold other test data, such as an advisory database).
    pub fn create(db: Db, dir: tempfile::TempDir, settings: Settings) -> App {
        let database = match db {
            Db::Sqlite => None,
            Db::Postgres => Some(tekigo_store::testing::fresh_postgres_url().unwrap()),
        };
        let state =
            tekigo_server::open(dir.path().join("data"), database.as_deref(), settings).unwrap();
        let setup_token = auth::first_start_token(state.shared()).unwrap().unwrap();
        App {
            router: tekigo_server::router(state.clone()),
            state,
            setup_token,
            dir,
        }
    }

    pub fn anonymous(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    /// Creates the first administrator with the setup token and returns their session.
    pub async fn admin(&self) -> Client {
        let mut c = self.anonymous();
        let (status, body) = c
            .send(
                Method::POST,
                "/setup",
                Some(json!({"token": self.setup_token, "username": "root-admin", "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        c
    }

    /// Imports examples/gateway as project `plant`.
    pub fn import_gateway(&self) {
        blocking(|| {
            tekigo_server::sync::import_project(
                self.state.shared(),
                "test",
                &repo_root().join("examples/gateway"),
                "plant",
            )
            .unwrap()
        });
    }
}

pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl Client {
    pub async fn login(&self, name: &str, password: &str) -> Client {
        let mut c = Client {
            router: self.router.clone(),
            cookie: None,
            csrf: None,
            bearer: None,
        };
        let (status, body) = c
            .send(
                Method::POST,
                "/login",
                Some(json!({"username": name, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {name}: {body}");
        c
    }

    pub async fn send(
        &mut self,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let bytes = body.map(|b| b.to_string().into_bytes());
        let (status, _, out) = self.raw(method, uri, bytes, "application/json").await;
        let value = serde_json::from_slice(&out)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&out).into_owned()));
        (status, value)
    }

    pub async fn raw(
        &mut self,
        method: Method,
        uri: &str,
        body: Option<Vec<u8>>,
        content_type: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(cookie) = &self.cookie {
            req = req.header(header::COOKIE, format!("{}={cookie}", auth::SESSION_COOKIE));
        }
        if let Some(csrf) = &self.csrf {
            req = req.header("x-csrf-token", csrf);
        }
        if let Some(token) = &self.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, content_type);
        }
        let req = req.body(body.map(Body::from).unwrap_or_default()).unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            if let Some(rest) = text.strip_prefix(&format!("{}=", auth::SESSION_COOKIE)) {
                let v = rest.split(';').next().unwrap_or("");
                self.cookie = (!v.is_empty()).then(|| v.to_string());
            }
        }
        let out = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        if let Ok(v) = serde_json::from_slice::<Value>(&out) {
            if let Some(csrf) = v.get("csrf").and_then(Value::as_str) {
                self.csrf = Some(csrf.to_string());
            }
        }
        (status, headers, out)
    }
}

/// URL-encodes a path segment (requirement ids have spaces and parentheses).
pub fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Creates user `name` (with [`PASSWORD`]) as the administrator `admin`, with `role` in
/// `project` when given.
pub async fn add_user(admin: &mut Client, name: &str, project: &str, role: Option<&str>) {
    let (status, body) = admin
        .send(
            Method::POST,
            "/api/users",
            Some(json!({"name": name, "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    if let Some(role) = role {
        let (status, body) = admin
            .send(
                Method::PUT,
                &format!("/api/projects/{project}/members/{name}"),
                Some(json!({ "role": role })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// Copies a directory tree (an example project to change in a test).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A multipart form with one file field `file` and text fields.
pub fn multipart(fields: &[(&str, &str)], file: (&str, &[u8])) -> (Vec<u8>, String) {
    let boundary = "tekigo-test-boundary-7d1f";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend(file.1);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// The page at `uri`, which must answer 200 (the body in the failure message).
pub async fn page(who: &mut Client, uri: &str) -> String {
    let (status, _, body) = who.raw(Method::GET, uri, None, "").await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}
