//! Regression tests of the security review (issue 15): each test failed on the code before
//! its fix. `docs/SECURITY.md` names the defence each one shows.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{add_user, blocking, seg, App, Db, BOTH, PASSWORD};
use serde_json::json;
use tekigo_server::Settings;
use tekigo_store::conn::Conn;

const WRONG: &str = "not the password at all";

/// Sends `n` logins for `name` at once, the right password at the positions in `right`,
/// and returns every status in order.
async fn login_flood(app: &App, name: &str, n: usize, right: &[usize]) -> Vec<StatusCode> {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let mut c = app.anonymous();
        let password = if right.contains(&i) { PASSWORD } else { WRONG };
        let body = json!({"username": name, "password": password});
        set.spawn(async move { (i, c.send(Method::POST, "/login", Some(body)).await.0) });
    }
    let mut out = vec![StatusCode::OK; n];
    while let Some(done) = set.join_next().await {
        let (i, status) = done.unwrap();
        out[i] = status;
    }
    out
}

/// Wrong guesses whose password was checked: the audit trail records each one.
fn checked_guesses(app: &App, name: &str) -> usize {
    let object = format!("user/{name}");
    blocking(|| {
        app.state
            .shared()
            .store
            .read(|c| tekigo_store::audit::list(c, &object, 10_000))
            .unwrap()
    })
    .iter()
    .filter(|e| e.object == object && matches!(e.action.as_str(), "login.failed" | "login.locked"))
    .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_logins_check_at_most_five_guesses_and_the_right_one_is_refused() {
    for db in BOTH {
        let app = App::new(db);
        app.admin().await;
        let statuses = login_flood(&app, "root-admin", 64, &[]).await;
        assert!(
            checked_guesses(&app, "root-admin") <= 5,
            "{db:?}: {} wrong guesses were checked",
            checked_guesses(&app, "root-admin")
        );
        let forbidden = statuses
            .iter()
            .filter(|s| **s == StatusCode::FORBIDDEN)
            .count();
        assert!(forbidden <= 4, "{db:?}: {forbidden} answers of 403");
        // After the flood the account is locked, for the right password too: no late write
        // of a stale count unlocked it.
        let after = login_flood(&app, "root-admin", 1, &[0]).await;
        assert_eq!(after, [StatusCode::TOO_MANY_REQUESTS], "{db:?}");
    }
}

#[tokio::test]
async fn unknown_names_are_locked_like_known_ones() {
    let app = App::new(Db::Sqlite);
    app.admin().await;
    let known = login_flood(&app, "root-admin", 6, &[]).await;
    let mut unknown = Vec::new();
    for _ in 0..6 {
        unknown.extend(login_flood(&app, "nobody-here", 1, &[]).await);
    }
    let mut known_sorted = known.clone();
    known_sorted.sort();
    let mut unknown_sorted = unknown.clone();
    unknown_sorted.sort();
    assert_eq!(known_sorted, unknown_sorted, "{known:?} / {unknown:?}");
    assert!(unknown.contains(&StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn attaching_evidence_does_not_make_the_contributor_the_assessor() {
    for db in BOTH {
        let app = App::new(db);
        app.import_gateway();
        let mut admin = app.admin().await;
        add_user(&mut admin, "alice", "plant", Some("assessor")).await;
        add_user(&mut admin, "carl", "plant", Some("contributor")).await;
        let mut alice = admin.login("alice", PASSWORD).await;
        let mut carl = admin.login("carl", PASSWORD).await;
        let uri = format!(
            "/api/projects/plant/assessments/gw-100-4-2/answers/{}",
            seg("CR 1.1")
        );
        let (_, current) = alice.send(Method::GET, &uri, None).await;
        let v = current["version"].as_i64().unwrap();
        let (status, out) = alice
            .send(
                Method::PUT,
                &uri,
                Some(json!({"version": v, "status": "satisfied", "reason": "checked in the lab"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{out}");
        let v = out["version"].as_i64().unwrap();
        let (status, _) = alice
            .send(
                Method::PUT,
                &uri,
                Some(json!({"version": v, "review": true})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{db:?}");
        let (status, out) = carl
            .send(
                Method::PUT,
                &uri,
                Some(json!({"version": v, "urls": ["https://example.com/test-report"]})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{out}");
        assert_eq!(out["answer"]["assessor"], "alice", "{db:?}: {out}");
        let v = out["version"].as_i64().unwrap();
        let (status, out) = alice
            .send(
                Method::PUT,
                &uri,
                Some(json!({"version": v, "review": true})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{db:?}: the assessor reviewed her own answer: {out}"
        );
    }
}

/// A server whose uploads are at most 1 KiB.
fn small_uploads(db: Db) -> App {
    let settings = Settings {
        max_upload_bytes: 1024,
        ..Settings::default()
    };
    blocking(|| App::create(db, tempfile::tempdir().unwrap(), settings))
}

#[tokio::test]
async fn uploads_are_authorised_before_the_body_is_read() {
    let app = small_uploads(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    add_user(&mut admin, "outsider", "plant", None).await;
    add_user(&mut admin, "watcher", "plant", Some("viewer")).await;
    let big = vec![b'x'; 64 * 1024];
    for (who, expected) in [
        ("outsider", StatusCode::NOT_FOUND),
        ("watcher", StatusCode::FORBIDDEN),
    ] {
        let mut c = admin.login(who, PASSWORD).await;
        for uri in [
            "/api/projects/plant/evidence?name=a.txt",
            "/api/projects/plant/scans?device=d1",
            "/api/projects/plant/sboms?name=fw",
            "/api/projects/plant/assessments/gw-100-4-2/scan",
        ] {
            let (status, _, out) = c
                .raw(
                    Method::POST,
                    uri,
                    Some(big.clone()),
                    "application/octet-stream",
                )
                .await;
            assert_eq!(
                status,
                expected,
                "{who} {uri}: {}",
                String::from_utf8_lossy(&out)
            );
        }
    }
    // Someone allowed still meets the limit, as a clear 413.
    let (status, _, _) = admin
        .raw(
            Method::POST,
            "/api/projects/plant/evidence?name=a.txt",
            Some(big),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _, out) = admin
        .raw(
            Method::POST,
            "/api/projects/plant/evidence?name=a.txt",
            Some(b"small evidence".to_vec()),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&out));
}

#[tokio::test]
async fn a_scan_report_with_a_non_ascii_hash_is_refused_before_anything_is_stored() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    let (_, before) = admin
        .send(Method::GET, "/api/projects/plant/evidence", None)
        .await;
    let hostile = json!({
        "schema_version": "1.0",
        "results": [{
            "check": "ssh-root-login",
            "requirements": ["CR 1.1"],
            "verdict": "fail",
            "evidence": [{"path": "/etc/ssh/sshd_config", "sha256": "ああああああああああああ"}]
        }]
    })
    .to_string()
    .into_bytes();
    for uri in [
        "/api/projects/plant/assessments/gw-100-4-2/scan",
        "/api/projects/plant/scans?device=d1",
    ] {
        let (status, _, out) = admin
            .raw(Method::POST, uri, Some(hostile.clone()), "application/json")
            .await;
        let text = String::from_utf8_lossy(&out);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {text}");
        assert!(text.contains("sha256"), "{text}");
    }
    let (_, after) = admin
        .send(Method::GET, "/api/projects/plant/evidence", None)
        .await;
    assert_eq!(before, after, "nothing was stored");
}

/// The `Location` of a form login with `next`.
async fn login_redirect(app: &App, next: &str) -> String {
    let mut c = app.anonymous();
    let body = format!(
        "username=root-admin&password={}",
        PASSWORD.replace(' ', "+")
    );
    let (status, headers, _) = c
        .raw(
            Method::POST,
            &format!("/login?next={next}"),
            Some(body.into_bytes()),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    headers[header::LOCATION].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_login_redirect_stays_on_this_server() {
    let app = App::new(Db::Sqlite);
    app.admin().await;
    for hostile in [
        "/%09/evil.example/phish",
        "/%0A/evil.example",
        "/%5C/evil.example",
        "//evil.example",
        "https://evil.example/",
        "/%20/evil.example",
    ] {
        assert_eq!(login_redirect(&app, hostile).await, "/", "{hostile}");
    }
    assert_eq!(
        login_redirect(&app, "/p/plant/a/gw-100-4-2").await,
        "/p/plant/a/gw-100-4-2"
    );
}

#[tokio::test]
async fn logout_needs_the_csrf_token_and_the_cookie_is_host_only() {
    let app = App::new(Db::Sqlite);
    let mut admin = app.admin().await;
    assert!(tekigo_server::auth::SESSION_COOKIE.starts_with("__Host-"));
    let csrf = admin.csrf.take();
    let (status, _) = admin.send(Method::POST, "/logout", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a forged logout");
    let (status, _) = admin.send(Method::GET, "/api/me", None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the session survived the forged logout"
    );
    admin.csrf = csrf;
    let (status, _) = admin.send(Method::POST, "/logout", None).await;
    assert_eq!(status, StatusCode::OK);
    admin.csrf = None;
    let (status, _) = admin.send(Method::GET, "/api/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_cross_site_origin_is_refused_without_a_host_header() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let app = App::new(Db::Sqlite);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("username=a&password=b"))
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&body).contains("cross-site"),
        "{}",
        String::from_utf8_lossy(&body)
    );
}

#[tokio::test]
async fn tokens_are_listed_revoked_and_expire_and_passwords_change() {
    for db in BOTH {
        let app = App::new(db);
        let mut admin = app.admin().await;
        let (status, made) = admin
            .send(
                Method::POST,
                "/api/tokens",
                Some(json!({"name": "ci", "expires_days": 1})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{made}");
        let mut ci = app.anonymous();
        ci.bearer = Some(made["token"].as_str().unwrap().to_string());
        assert_eq!(
            ci.send(Method::GET, "/api/me", None).await.0,
            StatusCode::OK
        );
        let (_, list) = admin.send(Method::GET, "/api/tokens", None).await;
        assert_eq!(list[0]["id"], made["id"], "{list}");
        assert!(list[0]["last_used"].as_i64().unwrap() > 0, "{list}");
        assert!(list
            .to_string()
            .find(made["token"].as_str().unwrap())
            .is_none());
        let (status, out) = admin
            .send(
                Method::POST,
                "/api/tokens",
                Some(json!({"name": "forever", "expires_days": 100000})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");

        // An expired token stops working: the clock is moved by editing its expiry.
        let id = made["id"].as_str().unwrap().to_string();
        blocking(|| {
            app.state
                .shared()
                .store
                .write(|tx| {
                    tx.exec(
                        "UPDATE api_tokens SET expires = 1 WHERE substr(token_hash, 1, 16) = $1",
                        &[id.as_str().into()],
                    )
                })
                .unwrap()
        });
        assert_eq!(
            ci.send(Method::GET, "/api/me", None).await.0,
            StatusCode::UNAUTHORIZED
        );
        let (_, second) = admin
            .send(Method::POST, "/api/tokens", Some(json!({"name": "ci2"})))
            .await;
        ci.bearer = Some(second["token"].as_str().unwrap().to_string());
        assert_eq!(
            ci.send(Method::GET, "/api/me", None).await.0,
            StatusCode::OK
        );
        let uri = format!("/api/tokens/{}", second["id"].as_str().unwrap());
        let (status, out) = admin.send(Method::DELETE, &uri, None).await;
        assert_eq!((status, &out["revoked"]), (StatusCode::OK, &json!(true)));
        assert_eq!(
            ci.send(Method::GET, "/api/me", None).await.0,
            StatusCode::UNAUTHORIZED
        );

        // Changing one's password needs the current one and ends every session.
        let (status, _) = admin
            .send(
                Method::PUT,
                "/api/me/password",
                Some(
                    json!({"current": "a wrong password here", "new": "violet harbour 93 compass"}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, out) = admin
            .send(
                Method::PUT,
                "/api/me/password",
                Some(json!({"current": PASSWORD, "new": "violet harbour 93 compass"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{out}");
        assert_eq!(
            admin.send(Method::GET, "/api/me", None).await.0,
            StatusCode::UNAUTHORIZED
        );
        admin.login("root-admin", "violet harbour 93 compass").await;
    }
}

#[tokio::test]
async fn an_administrator_set_password_must_be_changed_and_disabled_users_are_out() {
    let app = App::new(Db::Sqlite);
    let mut admin = app.admin().await;
    add_user(&mut admin, "dora", "plant", None).await;
    let mut dora = admin.login("dora", PASSWORD).await;
    let (_, t) = dora
        .send(Method::POST, "/api/tokens", Some(json!({"name": "ci"})))
        .await;
    let mut dora_ci = app.anonymous();
    dora_ci.bearer = Some(t["token"].as_str().unwrap().to_string());

    // Disabled: the session and the token stop working, and the password is refused.
    let (status, out) = admin
        .send(
            Method::PUT,
            "/api/users/dora",
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["disabled"], true);
    for c in [&mut dora, &mut dora_ci] {
        assert_eq!(
            c.send(Method::GET, "/api/me", None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, _) = app
        .anonymous()
        .send(
            Method::POST,
            "/login",
            Some(json!({"username": "dora", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin
        .send(
            Method::PUT,
            "/api/users/root-admin",
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no self-lockout");

    // Enabled with a password the administrator chose: dora may only change it.
    let (status, out) = admin
        .send(
            Method::PUT,
            "/api/users/dora",
            Some(json!({"disabled": false, "password": "mauve ladder 51 ferry"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["must_change_password"], true);
    let mut dora = admin.login("dora", "mauve ladder 51 ferry").await;
    let (status, out) = dora.send(Method::GET, "/api/projects", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{out}");
    assert!(out["error"].as_str().unwrap().contains("change it first"));
    let (status, _, page) = dora.raw(Method::GET, "/", None, "text/html").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        String::from_utf8_lossy(&page)
    );
    let (status, _) = dora.send(Method::GET, "/api/me", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, out) = dora
        .send(
            Method::PUT,
            "/api/me/password",
            Some(json!({"current": "mauve ladder 51 ferry", "new": "sienna kettle 77 orbit"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let mut dora = admin.login("dora", "sienna kettle 77 orbit").await;
    let (status, _) = dora.send(Method::GET, "/api/projects", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_credential_pages_work_in_japanese() {
    let app = App::new(Db::Sqlite);
    let mut admin = app.admin().await;
    for (uri, words) in [
        ("/account?lang=ja", ["パスワードを変更", "API トークン"]),
        ("/admin/users?lang=ja", ["ユーザーを作成", "管理者"]),
    ] {
        let (status, _, page) = admin.raw(Method::GET, uri, None, "text/html").await;
        let page = String::from_utf8(page).unwrap();
        assert_eq!(status, StatusCode::OK, "{uri}: {page}");
        for w in words {
            assert!(page.contains(w), "{uri}: {w}");
        }
        assert!(!page.contains("Change password"), "{uri}: English left");
    }
    // A token made on the page is shown once, and works.
    let (status, _, page) = admin
        .raw(
            Method::POST,
            "/account/tokens?lang=ja",
            Some(b"name=nightly&days=7".to_vec()),
            "application/x-www-form-urlencoded",
        )
        .await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = page
        .split(r#"<code id="new-token">"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the new token on the page");
    let mut ci = app.anonymous();
    ci.bearer = Some(token.to_string());
    assert_eq!(
        ci.send(Method::GET, "/api/me", None).await.0,
        StatusCode::OK
    );
    // A user made on the users page must change the password at the first login.
    let (status, _, page) = admin
        .raw(
            Method::POST,
            "/admin/users",
            Some(b"name=erin&password=page+chosen+64+secret".to_vec()),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&page));
    let (_, users) = admin.send(Method::GET, "/api/users", None).await;
    let erin = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "erin")
        .unwrap();
    assert_eq!(erin["must_change_password"], true);
}

#[tokio::test]
async fn an_active_session_outlives_its_idle_timeout_and_the_cookie_has_no_lifetime() {
    let settings = Settings {
        session_idle_secs: 3,
        ..Settings::default()
    };
    let app = blocking(|| App::create(Db::Sqlite, tempfile::tempdir().unwrap(), settings));
    let mut c = app.anonymous();
    let (status, headers, _) = c
        .raw(
            Method::POST,
            "/setup",
            Some(
                json!({"token": app.setup_token, "username": "root-admin", "password": PASSWORD})
                    .to_string()
                    .into_bytes(),
            ),
            "application/json",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(!cookie.contains("Max-Age"), "{cookie}");
    // Requests one second apart for longer than the timeout: each one keeps it alive.
    for _ in 0..5 {
        std::thread::sleep(std::time::Duration::from_millis(1000));
        assert_eq!(c.send(Method::GET, "/api/me", None).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn an_evidence_name_given_in_one_project_stays_out_of_another_projects_report() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    let (status, out) = admin
        .send(
            Method::POST,
            "/api/projects",
            Some(
                json!({"id": "other", "config": {"format": 1, "product": {"name": "Other"},
                "standards": ["62443-4-2"], "language": "en"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    // Bytes the gateway's report cites, uploaded to the other project under a secret name.
    let dir = common::repo_root().join("examples/gateway/evidence");
    let sha = "0c9c533fd50b61ddc4c3934d6b883cc2e58709c7e8ecb876ceb01553fc6a915c";
    let bytes = std::fs::read(dir.join(sha)).unwrap();
    let (status, _, out) = admin
        .raw(
            Method::POST,
            "/api/projects/other/evidence?name=merger-plan-confidential.pdf",
            Some(bytes),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&out));
    let (status, _, report) = admin
        .raw(
            Method::GET,
            "/api/projects/plant/assessments/gw-100-4-2/report?format=html",
            None,
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let report = String::from_utf8(report).unwrap();
    assert!(report.contains(&sha[..12]), "the report cites the file");
    assert!(
        !report.contains("merger-plan-confidential"),
        "another project's name for the same bytes leaked into the report"
    );
}
