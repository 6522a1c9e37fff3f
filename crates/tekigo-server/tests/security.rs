//! Regression tests of the security review (issue 15): each test failed on the code before
//! its fix. `docs/SECURITY.md` names the defence each one shows.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{add_user, blocking, seg, App, Db, BOTH, PASSWORD};
use serde_json::json;
use tekigo_server::Settings;

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
