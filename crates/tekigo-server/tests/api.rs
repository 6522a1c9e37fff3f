//! The REST API on SQLite and on PostgreSQL: authentication, the team workflow, and a test
//! of every route against every role, driven by the OpenAPI document the server serves.

mod common;

use axum::http::{Method, StatusCode};
use common::{add_user, seg, App, Db, BOTH, PASSWORD};
use serde_json::{json, Value};

fn openapi() -> Value {
    serde_json::from_str(include_str!("../assets/openapi.json")).unwrap()
}

/// Every (method, path template, operation) of the OpenAPI document.
fn operations() -> Vec<(Method, String, Value)> {
    let doc = openapi();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((
                method.to_uppercase().parse().unwrap(),
                path.clone(),
                op.clone(),
            ));
        }
    }
    out
}

#[tokio::test]
async fn without_a_session_every_api_route_answers_401_and_healthz_200() {
    let app = App::new(Db::Sqlite);
    let mut anon = app.anonymous();
    let (status, _) = anon.send(Method::GET, "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    let mut paths: Vec<(Method, String)> = operations()
        .into_iter()
        .map(|(m, p, _)| (m, p.replace('{', "x").replace('}', "")))
        .collect();
    paths.push((Method::GET, "/api/no/such/route".into()));
    paths.push((Method::DELETE, "/api/projects".into()));
    for (method, path) in paths {
        let (status, body) = anon.send(method.clone(), &path, Some(json!({}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
    }
    // A made-up token is no better.
    anon.bearer = Some("tk_0000".into());
    let (status, _) = anon.send(Method::GET, "/api/projects", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_served_openapi_document_is_the_file_and_each_documented_route_is_routed() {
    let app = App::new(Db::Sqlite);
    let mut admin = app.admin().await;
    let (status, served) = admin.send(Method::GET, "/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served, openapi());
    // Every documented route exists: an unknown route answers "no such API route".
    for (method, path, _) in operations() {
        let uri = path
            .replace("{project}", "nope")
            .replace("{assessment}", "nope")
            .replace("{requirement}", "CR%201.1")
            .replace("{user}", "nope")
            .replace("{sha256}", &"0".repeat(64));
        let (status, body) = admin.send(method.clone(), &uri, Some(json!({}))).await;
        assert!(
            !body.to_string().contains("no such API route")
                && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but not routed: {status} {body}"
        );
    }
}

#[tokio::test]
async fn the_setup_token_works_once_and_weak_passwords_are_refused() {
    let app = App::new(Db::Sqlite);
    let mut anon = app.anonymous();
    let (status, body) = anon
        .send(
            Method::POST,
            "/setup",
            Some(
                json!({"token": app.setup_token, "username": "admin", "password": "password1234"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = anon
        .send(
            Method::POST,
            "/setup",
            Some(json!({"token": "setup_wrong", "username": "admin2", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    app.admin().await;
    let (status, _) = anon
        .send(
            Method::POST,
            "/setup",
            Some(json!({"token": app.setup_token, "username": "intruder", "password": PASSWORD})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a used token must not work twice"
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_for_the_right_one() {
    let app = App::new(Db::Sqlite);
    app.admin().await;
    let mut anon = app.anonymous();
    let attempt = |pw: &'static str| json!({"username": "root-admin", "password": pw});
    for _ in 0..4 {
        let (status, _) = anon
            .send(Method::POST, "/login", Some(attempt("wrong password here")))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = anon
        .send(Method::POST, "/login", Some(attempt("wrong password here")))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = anon
        .send(Method::POST, "/login", Some(attempt(PASSWORD)))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Unknown users get the same answer as wrong passwords.
    let (status, body) = anon
        .send(
            Method::POST,
            "/login",
            Some(json!({"username": "nobody", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "wrong user name or password");
}

#[tokio::test]
async fn session_writes_need_the_csrf_token_and_a_same_origin() {
    let app = App::new(Db::Sqlite);
    let mut admin = app.admin().await;
    let body = json!({"name": "ci"});
    let csrf = admin.csrf.take();
    let (status, _) = admin
        .send(Method::POST, "/api/tokens", Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    admin.csrf = Some("forged".into());
    let (status, _) = admin
        .send(Method::POST, "/api/tokens", Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    admin.csrf = csrf;
    let (status, out) = admin.send(Method::POST, "/api/tokens", Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    // The API token needs no CSRF token: it is not sent by browsers on their own.
    let mut ci = app.anonymous();
    ci.bearer = Some(out["token"].as_str().unwrap().to_string());
    let (status, me) = ci.send(Method::GET, "/api/me", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"], "root-admin");
}

fn vector(v: &Value, key: &str) -> Vec<u64> {
    v["results"][key]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_u64().unwrap())
        .collect()
}

/// The claimed level.
fn achieved(v: &Value) -> Vec<u64> {
    vector(v, "achieved")
}

#[tokio::test]
async fn the_team_workflow_on_sqlite_and_postgresql() {
    for db in BOTH {
        team_workflow(db).await;
    }
}

async fn team_workflow(db: Db) {
    let app = App::new(db);
    app.import_gateway();
    let mut admin = app.admin().await;
    add_user(&mut admin, "alice", "plant", Some("assessor")).await;
    add_user(&mut admin, "bob", "plant", Some("assessor")).await;
    add_user(&mut admin, "dev", "plant", Some("contributor")).await;
    let mut alice = admin.login("alice", PASSWORD).await;
    let mut bob = admin.login("bob", PASSWORD).await;
    let mut dev = admin.login("dev", PASSWORD).await;

    let base = "/api/projects/plant/assessments/gw-100-4-2";
    let (_, before) = alice.send(Method::GET, base, None).await;
    // The example's answers are mostly scan suggestions nobody confirmed: they count in the
    // projected level, not in the claimed SL-C.
    assert_eq!(achieved(&before), [0; 7], "{db:?}");
    assert_eq!(
        vector(&before, "projected"),
        [0, 0, 0, 0, 4, 4, 1],
        "{db:?}"
    );
    assert_eq!(before["warnings"], json!([]), "{db:?}");

    // The imported example's gaps in FR 1 are closed one answer at a time: the achieved
    // vector is recomputed from the stored answers.
    let gaps: Vec<String> = before["results"]["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| {
            g["fr"].as_str().unwrap().starts_with("FR 1 ") && g["min_sl"].as_u64() <= Some(1)
        })
        .map(|g| g["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!gaps.is_empty());
    for id in &gaps {
        let uri = format!("{base}/answers/{}", seg(id));
        let (_, current) = alice.send(Method::GET, &uri, None).await;
        let version = current["version"].as_i64().unwrap();
        let (status, body) = alice
            .send(
                Method::PUT,
                &uri,
                Some(json!({"version": version, "status": "satisfied", "reason": "verified in the lab"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{id}: {body}");
    }
    let (_, after) = alice.send(Method::GET, base, None).await;
    assert!(achieved(&after)[0] >= 1, "{db:?}: {:?}", achieved(&after));
    // An SL-C is now claimed in a project with no 4-1 assessment (CCSC 4).
    assert_eq!(after["warnings"], json!(["no-4-1-assessment"]), "{db:?}");

    // Bob edits from a stale version: refused, Alice's answer stays.
    let uri = format!("{base}/answers/{}", seg(&gaps[0]));
    let (_, current) = bob.send(Method::GET, &uri, None).await;
    let stale = current["version"].as_i64().unwrap() - 1;
    let (status, body) = bob
        .send(
            Method::PUT,
            &uri,
            Some(json!({"version": stale, "status": "not-satisfied", "reason": "old view"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["current_version"], current["version"]);
    let (_, still) = bob.send(Method::GET, &uri, None).await;
    assert_eq!(still["answer"]["status"], "satisfied");

    // Bob reviews Alice's answer; Alice cannot review her own.
    let v = still["version"].clone();
    let (status, _) = alice
        .send(
            Method::PUT,
            &uri,
            Some(json!({"version": v, "review": true})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = bob
        .send(
            Method::PUT,
            &uri,
            Some(json!({"version": v, "review": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["answer"]["review"], "reviewed");

    // The developer uploads evidence and attaches it, but cannot judge.
    let (status, _, out) = dev
        .raw(
            Method::POST,
            "/api/projects/plant/evidence?name=..%2F..%2Fetc%2Fpasswd",
            Some(b"test report: all accounts unique".to_vec()),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let ev: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        ev["name"], "passwd",
        "the upload name is reduced to a file name"
    );
    let sha = ev["sha256"].as_str().unwrap().to_string();
    let (_, current) = dev.send(Method::GET, &uri, None).await;
    let v = current["version"].clone();
    let (status, body) = dev
        .send(
            Method::PUT,
            &uri,
            Some(json!({"version": v, "evidence": [sha]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["answer"]["review"], "draft",
        "new evidence needs a new review"
    );
    let v = body["version"].clone();
    let (status, _) = dev
        .send(
            Method::PUT,
            &uri,
            Some(json!({"version": v, "status": "satisfied"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Downloads: the bytes back, as an attachment under the safe name.
    let (status, headers, bytes) = alice
        .raw(
            Method::GET,
            &format!("/api/projects/plant/evidence/{sha}"),
            None,
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, b"test report: all accounts unique");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"passwd\""),
        "{disposition}"
    );
    let (status, headers, html) = alice
        .raw(Method::GET, &format!("{base}/report?format=html"), None, "")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(String::from_utf8_lossy(&html).contains("GW-100"));

    // Every change is in the audit trail, and the chain is intact.
    let (status, v) = admin.send(Method::GET, "/api/audit/verify", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["problems"], json!([]), "{db:?}");
    let (_, entries) = alice
        .send(Method::GET, "/api/projects/plant/audit", None)
        .await;
    let actors: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "answer.set")
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert!(actors.contains(&"alice") && actors.contains(&"bob") && actors.contains(&"dev"));
}

#[tokio::test]
async fn scan_uploads_from_ci_with_an_api_token_and_import_into_answers() {
    for db in BOTH {
        let app = App::new(db);
        app.import_gateway();
        let mut admin = app.admin().await;
        add_user(&mut admin, "ci", "plant", Some("contributor")).await;
        let mut ci_session = admin.login("ci", PASSWORD).await;
        let (_, t) = ci_session
            .send(Method::POST, "/api/tokens", Some(json!({"name": "fleet"})))
            .await;
        let mut ci = app.anonymous();
        ci.bearer = Some(t["token"].as_str().unwrap().to_string());
        let scan =
            std::fs::read(common::repo_root().join("examples/gateway-inputs/scan.json")).unwrap();
        let (status, _, out) = ci
            .raw(
                Method::POST,
                "/api/projects/plant/scans?device=gw-0001",
                Some(scan.clone()),
                "application/json",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&out));
        let (_, scans) = ci
            .send(Method::GET, "/api/projects/plant/scans", None)
            .await;
        assert_eq!(scans[0]["device"], "gw-0001");
        let summary: Value = serde_json::from_str(scans[0]["summary"].as_str().unwrap()).unwrap();
        assert!(summary["pass"].as_u64().unwrap() > 0, "{summary}");
        // Not valid scan JSON: refused with the position.
        let (status, _, out) = ci
            .raw(
                Method::POST,
                "/api/projects/plant/scans?device=x",
                Some(b"{\"results\": [".to_vec()),
                "application/json",
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(String::from_utf8_lossy(&out).contains("line"));
        // A contributor cannot turn a scan into answers; an administrator can.
        let (status, _, _) = ci
            .raw(
                Method::POST,
                "/api/projects/plant/assessments/gw-100-4-2/scan",
                Some(scan.clone()),
                "application/json",
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, out) = admin
            .raw(
                Method::POST,
                "/api/projects/plant/assessments/gw-100-4-2/scan",
                Some(scan),
                "application/json",
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let summary: Value = serde_json::from_slice(&out).unwrap();
        assert!(
            !summary["kept"].as_array().unwrap().is_empty(),
            "people's answers are kept: {summary}"
        );
    }
}

/// Roles from least to most, as the OpenAPI document's `x-tekigo-need` orders them.
const ROLES: [&str; 6] = [
    "outsider",
    "viewer",
    "contributor",
    "assessor",
    "admin",
    "server-admin",
];

fn rank(need: &str) -> usize {
    match need {
        "any" => 0,
        "read" => 1,
        "contribute" => 2,
        "assess" => 3,
        "manage" => 4,
        "server-admin" => 5,
        other => panic!("unknown x-tekigo-need {other:?}"),
    }
}

#[tokio::test]
async fn every_route_against_every_role() {
    for db in BOTH {
        role_matrix(db).await;
    }
}

async fn role_matrix(db: Db) {
    let app = App::new(db);
    app.import_gateway();
    let mut admin = app.admin().await;
    add_user(&mut admin, "carol", "plant", None).await;
    for role in &ROLES[..5] {
        let project_role = (*role != "outsider").then_some(*role);
        add_user(&mut admin, role, "plant", project_role).await;
    }
    let (_, _, out) = admin
        .raw(
            Method::POST,
            "/api/projects/plant/evidence?name=a.txt",
            Some(b"evidence".to_vec()),
            "application/octet-stream",
        )
        .await;
    let sha = serde_json::from_slice::<Value>(&out).unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let scan =
        std::fs::read(common::repo_root().join("examples/gateway-inputs/scan.json")).unwrap();

    for (i, role) in ROLES.iter().enumerate() {
        let mut client = if *role == "server-admin" {
            admin.login("root-admin", PASSWORD).await
        } else {
            admin.login(role, PASSWORD).await
        };
        for (method, path, op) in operations() {
            let need = op["x-tekigo-need"].as_str().unwrap();
            let mut uri = path
                .replace("{project}", "plant")
                .replace("{assessment}", "gw-100-4-2")
                .replace("{requirement}", "CR%201.1")
                .replace("{user}", "carol")
                .replace("{token}", "0123456789abcdef")
                .replace("{sha256}", &sha);
            let query: Vec<String> = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "query" && p["required"] == true)
                .map(|p| {
                    format!(
                        "{}={}",
                        p["name"].as_str().unwrap(),
                        p["example"].as_str().unwrap()
                    )
                })
                .collect();
            if !query.is_empty() {
                uri = format!("{uri}?{}", query.join("&"));
            }
            let body = match op["requestBody"]["content"].as_object() {
                None => None,
                Some(c) if path.ends_with("/scan") || path.ends_with("/scans") => {
                    assert!(c.contains_key("application/json"));
                    Some(scan.clone())
                }
                Some(c) => c.values().next().map(|m| match &m["example"] {
                    Value::String(s) => s.clone().into_bytes(),
                    v => {
                        // Names that must be new for each role that may create them.
                        v.to_string()
                            .replace("\"carol\"", &format!("\"carol-{role}\""))
                            .replace("\"plant2\"", &format!("\"plant-{role}\""))
                            .replace("\"gw2\"", &format!("\"gw-{role}\""))
                            .into_bytes()
                    }
                }),
            };
            let (status, _, out) = client
                .raw(method.clone(), &uri, body, "application/json")
                .await;
            let out = String::from_utf8_lossy(&out);
            let allowed = i >= rank(need);
            if allowed {
                assert!(
                    ![
                        StatusCode::UNAUTHORIZED,
                        StatusCode::FORBIDDEN,
                        StatusCode::NOT_FOUND
                    ]
                    .contains(&status),
                    "{db:?} {role} {method} {path} (needs {need}) was refused: {status} {out}"
                );
            } else {
                assert!(
                    [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
                    "{db:?} {role} {method} {path} (needs {need}) was let through: {status} {out}"
                );
            }
        }
    }
    // Nothing a refused caller sent left a trace but their logins.
    let entries = common::blocking(|| {
        app.state
            .shared()
            .store
            .read(|c| tekigo_store::audit::list(c, "", 10_000))
            .unwrap()
    });
    for e in entries {
        if ["outsider", "viewer"].contains(&e.actor.as_str()) {
            // Logging in, making one's own API token and trying to change one's own
            // password (the example's current password is wrong) are theirs to do.
            assert!(
                ["login", "token.create", "login.failed"].contains(&e.action.as_str()),
                "{db:?}: {e:?}"
            );
        }
    }
}
