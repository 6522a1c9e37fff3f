//! `tekigo serve` as a real process: killed with SIGKILL in the middle of a write loop, it
//! must come back with every write it acknowledged, and `tekigo audit verify` must find
//! the hash chain intact. Also: `tekigo audit verify` exits 1 once an entry was edited
//! behind the server's back. Runs on SQLite and on PostgreSQL
//! (`scripts/setup/60-postgres.sh`).

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

const PROJECT: &str = "plant";
const ASSESSMENT: &str = "gw-100-4-2";
const ADMIN: &str = "admin";
const PASSWORD: &str = "crash-proof kettle 7 orbit";
/// Acknowledged writes before the kill: enough that the loop runs at full speed, with
/// several requests in flight, when the signal lands.
const ACKS_BEFORE_KILL: usize = 60;
/// Answer writers; each owns two requirements, so its writes to them are sequential.
const ANSWER_WRITERS: usize = 4;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The tekigo binary with nothing inherited
/// from the user's environment that could point it elsewhere.
fn tekigo(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tekigo"));
    cmd.env("TEKIGO_DATA_DIR", data)
        .env_remove("TEKIGO_DATABASE_URL")
        .env_remove("TEKIGO_LANG");
    cmd
}

/// `ARGS --data DATA [--database URL]`.
fn run(data: &Path, database: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = tekigo(data);
    cmd.args(args).arg("--data").arg(data);
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    cmd.output().expect("run tekigo")
}

fn import_gateway(data: &Path, database: Option<&str>) {
    let dir = repo().join("examples/gateway");
    let out = run(
        data,
        database,
        &["server", "import", dir.to_str().unwrap(), "--id", PROJECT],
    );
    assert!(
        out.status.success(),
        "server import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `tekigo audit verify`: its exit code and what it printed.
fn audit_verify(data: &Path, database: Option<&str>) -> (Option<i32>, String) {
    let out = run(data, database, &["audit", "verify"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// A running `tekigo serve`.
struct Server {
    child: Child,
    base: String,
    setup_token: Option<String>,
}

impl Server {
    /// Starts the server on a free port and waits for the address it prints (and, on a
    /// first start, the one-time setup token).
    fn start(data: &Path, database: Option<&str>, first_start: bool) -> Server {
        let mut cmd = tekigo(data);
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--data"])
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(url) = database {
            cmd.arg("--database").arg(url);
        }
        let mut child = cmd.spawn().expect("start tekigo serve");
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        // Drains stdout for the server's whole life, so that it never blocks on the pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            base: String::new(),
            setup_token: None,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while server.base.is_empty() || (first_start && server.setup_token.is_none()) {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines
                .recv_timeout(left)
                .expect("tekigo serve printed no address (and setup token) within 60 s");
            if let Some(url) = line.strip_prefix("tekigo serve: listening on ") {
                server.base = url.trim().to_string();
            } else if let Some(token) = line.strip_prefix("setup token: ") {
                server.setup_token = Some(token.trim().to_string());
            }
        }
        server
    }

    fn kill(&mut self) {
        // std's Child::kill is SIGKILL on Unix: no shutdown code runs.
        self.child.kill().expect("kill -9 tekigo serve");
        self.child.wait().expect("reap tekigo serve");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A logged-in API client: the session cookie and its CSRF token.
#[derive(Clone)]
struct Client {
    agent: ureq::Agent,
    base: String,
    cookie: String,
    csrf: String,
}

/// What the server answered, or why no answer came.
type Reply = Result<(u16, Vec<u8>), ureq::Error>;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn read(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_vec()?;
    Ok((status, body))
}

fn json_of(what: &str, (status, body): (u16, Vec<u8>)) -> Value {
    assert_eq!(status, 200, "{what}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"))
}

impl Client {
    /// Logs in through `/setup` (with the token) or `/login`.
    fn login(base: &str, setup_token: Option<&str>) -> Client {
        let agent = agent();
        let (path, form) = match setup_token {
            Some(token) => (
                "/setup",
                json!({ "token": token, "username": ADMIN, "password": PASSWORD }),
            ),
            None => ("/login", json!({ "username": ADMIN, "password": PASSWORD })),
        };
        let response = agent
            .post(format!("{base}{path}"))
            .send_json(&form)
            .expect("log in");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|kv| kv.starts_with("__Host-tekigo_session="))
            .expect("session cookie")
            .to_string();
        let body = json_of(path, read(response).expect("read login answer"));
        Client {
            agent,
            base: base.to_string(),
            cookie,
            csrf: body["csrf"].as_str().expect("csrf token").to_string(),
        }
    }

    fn get(&self, path: &str) -> Reply {
        read(
            self.agent
                .get(format!("{}{path}", self.base))
                .header("Cookie", &self.cookie)
                .call()?,
        )
    }

    fn put_json(&self, path: &str, body: &Value) -> Reply {
        read(
            self.agent
                .put(format!("{}{path}", self.base))
                .header("Cookie", &self.cookie)
                .header("X-CSRF-Token", &self.csrf)
                .send_json(body)?,
        )
    }

    fn post_bytes(&self, path: &str, body: &[u8]) -> Reply {
        read(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("Cookie", &self.cookie)
                .header("X-CSRF-Token", &self.csrf)
                .send(body)?,
        )
    }
}

fn answer_path(requirement: &str) -> String {
    format!(
        "/api/projects/{PROJECT}/assessments/{ASSESSMENT}/answers/{}",
        requirement.replace(' ', "%20")
    )
}

/// One requirement's writes as one writer saw them.
#[derive(Debug, Default)]
struct AnswerLog {
    /// The newest acknowledged (version, reason).
    acked: Option<(i64, String)>,
    /// A write sent but never answered: it may or may not have committed.
    unanswered: Option<(i64, String)>,
}

/// Rewrites the reasons of its requirements in turn, each from the version the server
/// returned last, until the server stops answering.
fn answer_writer(
    client: Client,
    writer: usize,
    start: Vec<(String, i64)>,
    acks: Arc<AtomicUsize>,
) -> BTreeMap<String, AnswerLog> {
    let mut version: BTreeMap<String, i64> = start.iter().cloned().collect();
    let mut log: BTreeMap<String, AnswerLog> = BTreeMap::new();
    for round in 0..100_000 {
        let (req, _) = &start[round % start.len()];
        let reason = format!("crash test: writer {writer}, round {round}");
        let from = version[req];
        match client.put_json(
            &answer_path(req),
            &json!({ "version": from, "reason": reason }),
        ) {
            Ok(reply) => {
                let body = json_of(&format!("PUT {req}"), reply);
                let v = body["version"].as_i64().expect("version");
                assert_eq!(v, from + 1, "{req}: {body}");
                version.insert(req.clone(), v);
                log.entry(req.clone()).or_default().acked = Some((v, reason));
                acks.fetch_add(1, Ordering::SeqCst);
            }
            Err(_) => {
                log.entry(req.clone()).or_default().unanswered = Some((from + 1, reason));
                return log;
            }
        }
    }
    panic!("writer {writer}: the server was never killed");
}

/// Uploads distinct evidence files until the server stops answering; returns the
/// acknowledged (sha256, bytes).
fn evidence_writer(client: Client, acks: Arc<AtomicUsize>) -> Vec<(String, Vec<u8>)> {
    let mut stored = Vec::new();
    for n in 0..100_000 {
        let bytes = format!("crash test evidence {n}\n{}", "x".repeat(4096 + n)).into_bytes();
        let path = format!("/api/projects/{PROJECT}/evidence?name=crash-{n}.txt");
        match client.post_bytes(&path, &bytes) {
            Ok(reply) => {
                let row = json_of("evidence upload", reply);
                let sha = row["sha256"].as_str().expect("sha256").to_string();
                stored.push((sha, bytes));
                acks.fetch_add(1, Ordering::SeqCst);
            }
            Err(_) => return stored,
        }
    }
    panic!("evidence writer: the server was never killed");
}

fn kill_during_writes_loses_no_acknowledged_write(database: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    import_gateway(&data, database);
    let mut server = Server::start(&data, database, true);
    let token = server
        .setup_token
        .clone()
        .expect("first start prints a token");
    let client = Client::login(&server.base, Some(&token));

    // The requirements to rewrite, with their versions after the import.
    let list = json_of(
        "answers",
        client
            .get(&format!(
                "/api/projects/{PROJECT}/assessments/{ASSESSMENT}/answers"
            ))
            .unwrap(),
    );
    let answers: Vec<(String, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["requirement"].as_str().unwrap().to_string(),
                a["version"].as_i64().unwrap(),
            )
        })
        .take(ANSWER_WRITERS * 2)
        .collect();
    assert_eq!(answers.len(), ANSWER_WRITERS * 2, "{list}");

    let acks = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = answers
        .chunks(2)
        .enumerate()
        .map(|(w, reqs)| {
            let (client, reqs, acks) = (client.clone(), reqs.to_vec(), acks.clone());
            std::thread::spawn(move || answer_writer(client, w, reqs, acks))
        })
        .collect();
    let uploader = {
        let (client, acks) = (client.clone(), acks.clone());
        std::thread::spawn(move || evidence_writer(client, acks))
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while acks.load(Ordering::SeqCst) < ACKS_BEFORE_KILL {
        assert!(Instant::now() < deadline, "the write loop is too slow");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();
    let mut logs = BTreeMap::new();
    for w in writers {
        logs.extend(w.join().expect("answer writer"));
    }
    let evidence = uploader.join().expect("evidence writer");
    assert!(!evidence.is_empty(), "no evidence upload was acknowledged");

    // The same data directory (and database), a new process.
    let server = Server::start(&data, database, false);
    assert!(server.setup_token.is_none());
    let client = Client::login(&server.base, None);
    let mut in_flight_committed = 0;
    for (req, log) in &logs {
        let now = json_of(req, client.get(&answer_path(req)).unwrap());
        let found = (
            now["version"].as_i64().unwrap(),
            now["answer"]["reason"].as_str().unwrap_or("").to_string(),
        );
        let acked = log.acked.clone();
        if acked.as_ref() == Some(&found) {
            continue;
        }
        // Otherwise the only acceptable state is the write that was in flight, committed
        // just before the kill but never answered.
        assert_eq!(
            log.unanswered.as_ref(),
            Some(&found),
            "{req}: acknowledged {acked:?}, found {found:?} after the restart"
        );
        in_flight_committed += 1;
    }
    for (sha, bytes) in &evidence {
        let (status, body) = client
            .get(&format!("/api/projects/{PROJECT}/evidence/{sha}"))
            .unwrap();
        assert_eq!(status, 200, "evidence {sha}");
        assert!(
            body == *bytes,
            "evidence {sha}: other bytes after the restart"
        );
    }
    // Each acknowledged answer has its audit entry with the content it wrote.
    let trail = json_of(
        "audit",
        client
            .get(&format!("/api/projects/{PROJECT}/audit"))
            .unwrap(),
    );
    for (req, log) in &logs {
        if let Some((_, reason)) = &log.acked {
            assert!(
                trail.as_array().unwrap().iter().any(|e| {
                    e["object"]
                        .as_str()
                        .unwrap()
                        .ends_with(&format!("/answer/{req}"))
                        && e["after"].as_str().unwrap().contains(reason.as_str())
                }),
                "{req}: no audit entry for {reason:?}"
            );
        }
    }
    drop(server);
    let (code, text) = audit_verify(&data, database);
    assert_eq!(code, Some(0), "audit verify after kill -9: {text}");
    assert!(text.contains("audit trail intact"), "{text}");
    eprintln!(
        "{} acknowledged writes ({} evidence) survived kill -9; {in_flight_committed} \
         unanswered writes had committed",
        acks.load(Ordering::SeqCst),
        evidence.len()
    );
}

#[test]
fn kill_9_during_writes_on_sqlite_loses_no_acknowledged_write() {
    kill_during_writes_loses_no_acknowledged_write(None);
}

#[test]
fn kill_9_during_writes_on_postgres_loses_no_acknowledged_write() {
    let url = tekigo_store::testing::fresh_postgres_url().expect("test schema on PostgreSQL");
    kill_during_writes_loses_no_acknowledged_write(Some(&url));
}

#[test]
fn audit_verify_exits_1_after_an_entry_is_edited_in_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    import_gateway(&data, None);
    let (code, text) = audit_verify(&data, None);
    assert_eq!(code, Some(0), "{text}");

    // Someone with the database file rewrites what an entry says was changed.
    let db = rusqlite::Connection::open(data.join("tekigo.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE audit SET after_value = '{\"status\":\"satisfied\"}' WHERE seq = 3",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let (code, text) = audit_verify(&data, None);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("BROKEN") && text.contains("entry 3 "),
        "{text}"
    );
}

#[test]
fn audit_verify_exits_1_after_the_newest_entry_is_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    import_gateway(&data, None);
    let db = rusqlite::Connection::open(data.join("tekigo.db")).unwrap();
    let changed = db
        .execute(
            "DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let (code, text) = audit_verify(&data, None);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("the chain ends at entry"), "{text}");
}

/// Issue 15, finding 6: the chain is intact, but the live tables were changed behind the
/// application's back; each change is reported.
#[test]
fn audit_verify_exits_1_after_a_direct_change_to_a_role_a_user_or_an_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    import_gateway(&data, None);
    let db = rusqlite::Connection::open(data.join("tekigo.db")).unwrap();
    db.execute_batch(&format!(
        "UPDATE answers SET body = replace(body, 'not-satisfied', 'satisfied')
             WHERE requirement = (SELECT MIN(requirement) FROM answers
                                  WHERE body LIKE '%not-satisfied%');
         INSERT INTO users (id, name, password_hash, is_admin, failed_logins, locked_until,
                            created, disabled, must_change)
             VALUES ('u_x', 'mallory', '$argon2id$x', 1, 0, 0, '2026-01-01T00:00:00Z', 0, 0);
         INSERT INTO members (project_id, user_id, role) VALUES ('{PROJECT}', 'u_x', 'admin');"
    ))
    .unwrap();
    drop(db);
    let (code, text) = audit_verify(&data, None);
    assert_eq!(code, Some(1), "{text}");
    for object in ["/answer/", "user/mallory", "member/mallory"] {
        assert!(text.contains(object), "{object}: {text}");
    }
}
