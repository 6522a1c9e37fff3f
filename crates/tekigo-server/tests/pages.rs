//! The server-rendered pages: login redirects, the check sheet and its filters, languages,
//! roles on forms, optimistic versions, and escaping of what people type.

mod common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use common::{seg, App, Client, Db, PASSWORD};
use serde_json::json;
use tekigo_server::auth;
use tower::ServiceExt;

const SHEET: &str = "/p/plant/a/gw-100-4-2";

/// A browser-like request: the client's session cookie and CSRF token, plus `extra`
/// headers; returns status, headers and the body as text.
async fn get_page(
    app: &App,
    who: Option<&Client>,
    method: Method,
    uri: &str,
    extra: &[(&str, &str)],
    form: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = who {
        if let Some(cookie) = &c.cookie {
            req = req.header(header::COOKIE, format!("{}={cookie}", auth::SESSION_COOKIE));
        }
        if let Some(csrf) = &c.csrf {
            req = req.header("x-csrf-token", csrf);
        }
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let body = match form {
        Some(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_string())
        }
        None => Body::empty(),
    };
    let resp = app
        .router
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn get(app: &App, who: &Client, uri: &str) -> String {
    let (status, _, body) = get_page(app, Some(who), Method::GET, uri, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

/// The requirement ids of the check sheet's rows, in order.
fn row_ids(html: &str) -> Vec<String> {
    html.split("<tr class=\"st-")
        .skip(1)
        .map(|row| {
            let link = row.split("<a href=\"").nth(1).unwrap();
            let text = link.split('>').nth(1).unwrap();
            text.split('<').next().unwrap().to_string()
        })
        .collect()
}

/// The text of the first `<output class="{class}">`.
fn output(html: &str, class: &str) -> String {
    let start = format!("<output class=\"{class}\">");
    html.split(&start)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string()
}

fn version_of(html: &str) -> i64 {
    html.split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", seg(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn add_user(admin: &mut Client, name: &str, role: &str) {
    let (status, body) = admin
        .send(
            Method::POST,
            "/api/users",
            Some(json!({"name": name, "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let uri = format!("/api/projects/plant/members/{name}");
    let (status, body) = admin
        .send(Method::PUT, &uri, Some(json!({ "role": role })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn pages_send_a_caller_without_a_session_to_the_login_form() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    for uri in ["/", "/p/plant", SHEET, "/p/plant/a/gw-100-4-2/r/CR%201.1"] {
        let (status, headers, _) = get_page(&app, None, Method::GET, uri, &[], None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(
            headers[header::LOCATION],
            format!("/login?next={}", seg(uri)).as_str(),
            "{uri}"
        );
    }
    // htmx is told to navigate, so the login form does not land inside the table.
    let (status, headers, _) = get_page(
        &app,
        None,
        Method::GET,
        SHEET,
        &[("hx-request", "true")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["hx-redirect"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));
    let (status, _, body) = get_page(&app, None, Method::GET, "/login", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("name=\"password\"") && body.contains("type=\"password\""));
}

#[tokio::test]
async fn the_login_and_setup_forms_open_a_session_and_return_to_the_page() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    // The command the explanation names is code, not text between backticks.
    let (status, _, body) = get_page(
        &app,
        None,
        Method::GET,
        "/setup",
        &[("accept-language", "ja")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<code>tekigo serve</code> の起動時") && !body.contains('`'),
        "{body}"
    );
    // A password the rules refuse, said in the page's language (the API's text is English).
    let weak = form(&[
        ("token", &app.setup_token),
        ("username", "chief"),
        ("password", "chief-of-the-plant-2026"),
    ]);
    for (accept, said) in [
        ("en", "Password refused: it contains the user name."),
        (
            "ja",
            "このパスワードは使えません。ユーザー名を含んでいます。",
        ),
    ] {
        let (status, _, body) = get_page(
            &app,
            None,
            Method::POST,
            "/setup",
            &[("accept-language", accept)],
            Some(&weak),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains(said), "{accept}: {body}");
        assert!(!body.contains("password refused"), "{accept}: {body}");
    }
    let setup = form(&[
        ("token", &app.setup_token),
        ("username", "chief"),
        ("password", PASSWORD),
    ]);
    let (status, headers, _) =
        get_page(&app, None, Method::POST, "/setup", &[], Some(&setup)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/");
    assert!(headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("HttpOnly"));

    let wrong = form(&[
        ("username", "chief"),
        ("password", "not the password at all"),
    ]);
    let (status, _, body) = get_page(
        &app,
        None,
        Method::POST,
        "/login?next=%2Fp%2Fplant",
        &[],
        Some(&wrong),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Wrong user name or password."), "{body}");
    // In the page's language (the API still answers `wrong user name or password`).
    let (status, _, body) = get_page(
        &app,
        None,
        Method::POST,
        "/login?next=%2Fp%2Fplant",
        &[("accept-language", "ja")],
        Some(&wrong),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("ユーザー名またはパスワードが違います。") && !body.contains("wrong user"),
        "{body}"
    );

    let right = form(&[("username", "chief"), ("password", PASSWORD)]);
    let (status, headers, _) = get_page(
        &app,
        None,
        Method::POST,
        "/login?next=%2Fp%2Fplant",
        &[],
        Some(&right),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/p/plant");
    // A `next` that leaves the server is ignored.
    let (_, headers, _) = get_page(
        &app,
        None,
        Method::POST,
        "/login?next=%2F%2Fevil.example",
        &[],
        Some(&right),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/");
    // A form posted from another site is refused before the password is checked.
    let (status, _, _) = get_page(
        &app,
        None,
        Method::POST,
        "/login",
        &[("origin", "https://evil.example"), ("host", "tekigo.local")],
        Some(&right),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = get_page(
        &app,
        None,
        Method::POST,
        "/login",
        &[("sec-fetch-site", "cross-site")],
        Some(&right),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Chromium's own form under `Referrer-Policy: no-referrer`: `Origin: null`.
    let (status, _, _) = get_page(
        &app,
        None,
        Method::POST,
        "/login",
        &[("origin", "null"), ("sec-fetch-site", "same-origin")],
        Some(&right),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    let mut c = app.anonymous();
    c.cookie = Some(token.to_string());
    let home = get(&app, &c, "/").await;
    assert!(
        home.contains("GW-100 gateway") && home.contains("<svg"),
        "{home}"
    );
    // The logout form carries the session's CSRF token: without it, a cross-site form
    // could log the user out.
    let (status, _, _) = get_page(&app, Some(&c), Method::POST, "/logout", &[], Some("")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = home
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the logout form's CSRF field");
    let (status, headers, _) = get_page(
        &app,
        Some(&c),
        Method::POST,
        "/logout",
        &[],
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login");
    let (status, _, _) = get_page(&app, Some(&c), Method::GET, "/", &[], None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session ended");
}

#[tokio::test]
async fn the_check_sheet_lists_every_requirement_and_its_filters_remove_rows() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let admin = app.admin().await;
    let page = get(&app, &admin, &format!("{SHEET}?scope=all")).await;
    let all = row_ids(&page);
    let catalog = tekigo_catalog::Catalog::builtin().unwrap();
    let standard = catalog.standard("62443-4-2").unwrap();
    let mut expected: Vec<&tekigo_catalog::Item> = standard
        .items
        .iter()
        .filter(|i| {
            tekigo_assess::results::applies_at_some_level(
                i,
                Some(tekigo_catalog::ComponentType::Embedded),
            )
        })
        .collect();
    // FR by FR, catalog order within an FR (component rows after the CRs of their FR).
    expected.sort_by_key(|i| i.fr.map_or(usize::MAX, |fr| fr.index()));
    let expected: Vec<&str> = expected.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(all, expected, "every level, FR by FR");
    assert!(page.contains(&format!("<output id=\"row-count\">{}</output>", all.len())));
    assert!(output(&page, "sl-a").starts_with('{'));
    assert!(output(&page, "sl-projected").starts_with('{'));
    assert!(output(&page, "sl-with-compensating").starts_with('{'));
    assert!(page.contains("report?format=pdf"));

    let fr1 = row_ids(&get(&app, &admin, &format!("{SHEET}?fr=1")).await);
    assert!(!fr1.is_empty() && fr1.len() < all.len());
    for id in &fr1 {
        let item = standard.item(id).unwrap();
        assert_eq!(item.fr.unwrap().number(), 1, "{id}");
    }
    let sl3 = row_ids(&get(&app, &admin, &format!("{SHEET}?sl=3&scope=all")).await);
    assert!(
        !sl3.is_empty()
            && sl3
                .iter()
                .all(|id| standard.item(id).unwrap().min_sl == Some(3))
    );
    let unanswered = row_ids(&get(&app, &admin, &format!("{SHEET}?status=none")).await);
    let satisfied = row_ids(&get(&app, &admin, &format!("{SHEET}?status=satisfied")).await);
    assert!(!satisfied.is_empty() && satisfied.len() < all.len());
    assert!(satisfied.iter().all(|id| !unanswered.contains(id)));
    let phase = row_ids(&get(&app, &admin, &format!("{SHEET}?phase=operation")).await);
    assert!(phase.len() < all.len());
    assert!(phase.iter().all(|id| standard
        .item(id)
        .unwrap()
        .phases
        .contains(&tekigo_catalog::Phase::Operation)));
    let draft = row_ids(&get(&app, &admin, &format!("{SHEET}?review=draft")).await);
    let none = row_ids(&get(&app, &admin, &format!("{SHEET}?review=none")).await);
    assert_eq!(none, unanswered);
    assert!(draft
        .iter()
        .all(|id| satisfied.contains(id) || !unanswered.contains(id)));
    let both = row_ids(&get(&app, &admin, &format!("{SHEET}?fr=1&status=satisfied")).await);
    assert!(both
        .iter()
        .all(|id| fr1.contains(id) && satisfied.contains(id)));

    // htmx asks for the table alone.
    let (status, _, table) = get_page(
        &app,
        Some(&admin),
        Method::GET,
        &format!("{SHEET}?fr=1"),
        &[("hx-request", "true"), ("hx-target", "sheet")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(table.starts_with("<section id=\"sheet\">") && !table.contains("<html"));
    assert_eq!(row_ids(&table), fr1);

    let (status, _, body) = get_page(
        &app,
        Some(&admin),
        Method::GET,
        &format!("{SHEET}?status=great"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("status=&quot;great&quot;"), "{body}");
}

#[tokio::test]
async fn japanese_comes_from_lang_the_cookie_or_accept_language() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let admin = app.admin().await;
    let catalog = tekigo_catalog::Catalog::builtin().unwrap();
    let (_, cr11) = catalog.find("CR 1.1").unwrap();
    assert!(!cr11.title.ja.is_empty());

    let (status, headers, ja) = get_page(
        &app,
        Some(&admin),
        Method::GET,
        &format!("{SHEET}?lang=ja"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ja.contains("<html lang=\"ja\">"));
    assert!(ja.contains("チェックシート") && ja.contains("未回答") && ja.contains("ログアウト"));
    assert!(ja.contains(&cr11.title.ja), "catalog titles in Japanese");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.starts_with("tekigo_lang=ja;"), "{cookie}");

    let en = get(&app, &admin, SHEET).await;
    assert!(en.contains("Check sheet") && !en.contains("チェックシート"));
    assert!(en.contains(&cr11.title.en));

    let with_cookie = format!(
        "tekigo_lang=ja; {}={}",
        auth::SESSION_COOKIE,
        admin.cookie.as_deref().unwrap()
    );
    let (_, _, body) = get_page(
        &app,
        None,
        Method::GET,
        SHEET,
        &[("cookie", &with_cookie)],
        None,
    )
    .await;
    assert!(body.contains("チェックシート"));
    let (_, _, body) = get_page(
        &app,
        Some(&admin),
        Method::GET,
        "/",
        &[("accept-language", "ja-JP,ja;q=0.9,en;q=0.5")],
        None,
    )
    .await;
    assert!(body.contains("プロジェクト"));
    let (_, _, body) = get_page(&app, None, Method::GET, "/login?lang=ja", &[], None).await;
    assert!(body.contains("ユーザー名"));
}

#[tokio::test]
async fn a_viewer_sees_no_forms_and_their_posts_are_refused() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    add_user(&mut admin, "vera", "viewer").await;
    add_user(&mut admin, "assia", "assessor").await;
    let viewer = app.anonymous().login("vera", PASSWORD).await;
    let assessor = app.anonymous().login("assia", PASSWORD).await;
    let req = format!("{SHEET}/r/{}", seg("CR 1.1"));

    let page = get(&app, &viewer, &req).await;
    assert!(page.contains("CR 1.1") && page.contains("id=\"answer\""));
    assert!(!page.contains("id=\"answer-form\"") && !page.contains("id=\"evidence-form\""));
    let project = get(&app, &viewer, "/p/plant").await;
    assert!(!project.contains("id=\"scan-form\""));
    // The component under evaluation as tekigo.yaml describes it.
    for text in [
        "GW-100 rev C (no radio)",
        "Physical access to the cabinet",
        "eth1",
    ] {
        assert!(project.contains(text), "{text} not on the project page");
    }
    let page = get(&app, &assessor, &req).await;
    assert!(page.contains("id=\"answer-form\"") && page.contains("id=\"evidence-form\""));

    let body = form(&[
        ("version", &version_of(&page).to_string()),
        ("status", "not-satisfied"),
        ("reason", "viewer try"),
    ]);
    let (status, _, out) = get_page(
        &app,
        Some(&viewer),
        Method::POST,
        &req,
        &[("hx-request", "true")],
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{out}");
    assert!(out.contains("vera is viewer"), "{out}");
    let (status, _, _) = get_page(
        &app,
        Some(&viewer),
        Method::POST,
        &format!("{req}/review"),
        &[],
        Some("version=1"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Without the CSRF token even the assessor is refused.
    let mut no_csrf = app.anonymous();
    no_csrf.cookie = assessor.cookie.clone();
    let (status, _, _) = get_page(&app, Some(&no_csrf), Method::POST, &req, &[], Some(&body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let unchanged = get(&app, &viewer, &req).await;
    assert!(!unchanged.contains("viewer try"));
    // The assessor answers, then cannot review her own answer: told on the page in its
    // language, without the command line's wording.
    let (status, _, out) = get_page(
        &app,
        Some(&assessor),
        Method::POST,
        &req,
        &[("hx-request", "true")],
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let version = version_of(&get(&app, &assessor, &req).await).to_string();
    for (accept, said) in [
        (
            "en",
            "CR 1.1: the reviewer must be someone other than the assessor.",
        ),
        (
            "ja",
            "CR 1.1: レビューは評価者とは別の人が行う必要があります。",
        ),
    ] {
        let (status, _, out) = get_page(
            &app,
            Some(&assessor),
            Method::POST,
            &format!("{req}/review"),
            &[("hx-request", "true"), ("accept-language", accept)],
            Some(&form(&[("version", &version)])),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
        assert!(out.contains(said), "{accept}: {out}");
    }
    // An outsider is told the project does not exist.
    add_user(&mut admin, "otto", "viewer").await;
    let (status, _) = admin
        .send(
            Method::PUT,
            "/api/projects/plant/members/otto",
            Some(json!({"role": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let outsider = app.anonymous().login("otto", PASSWORD).await;
    let (status, _, _) = get_page(&app, Some(&outsider), Method::GET, SHEET, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn answers_are_escaped_versioned_and_move_the_achieved_vector() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let admin = app.admin().await;
    let req = format!("{SHEET}/r/{}", seg("CR 5.1"));
    let page = get(&app, &admin, &req).await;
    let before = output(&page, "sl-projected");
    let version = version_of(&page);

    let script = "<script>alert('x')</script> & \"quoted\"";
    let body = form(&[
        ("version", &version.to_string()),
        ("status", "not-satisfied"),
        ("reason", script),
    ]);
    let (status, _, section) = get_page(
        &app,
        Some(&admin),
        Method::POST,
        &req,
        &[("hx-request", "true"), ("hx-target", "answer")],
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{section}");
    assert!(section.starts_with("<section id=\"answer\""));
    assert!(
        section.contains("hx-swap-oob=\"true\""),
        "the overview follows out of band"
    );
    let after = output(&section, "sl-projected");
    assert_ne!(
        before, after,
        "CR 5.1 not satisfied lowers the projected FR 5 (RDF) to 0"
    );
    assert!(after.starts_with("{0 0 0 0 0 "), "{before} -> {after}");

    let page = get(&app, &admin, &req).await;
    assert!(
        !page.contains("<script>alert"),
        "typed markup must not reach the page"
    );
    assert!(
        page.contains(
            "&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; &amp; &quot;quoted&quot;"
        ) || page.contains("&lt;script&gt;alert("),
        "{page}"
    );
    assert_eq!(version_of(&page), version + 1);
    assert_eq!(
        output(&get(&app, &admin, SHEET).await, "sl-projected"),
        after
    );

    // Saving from the old version again: someone else was first.
    let stale = form(&[
        ("version", &version.to_string()),
        ("status", "satisfied"),
        ("reason", "my stale edit"),
    ]);
    let (status, _, section) = get_page(
        &app,
        Some(&admin),
        Method::POST,
        &req,
        &[("hx-request", "true")],
        Some(&stale),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        section.contains("id=\"conflict\"") && section.contains("Someone else changed this answer")
    );
    assert!(
        section.contains("my stale edit"),
        "the unsaved input is shown"
    );
    assert_eq!(
        version_of(&section),
        version + 1,
        "the form now starts from the new version"
    );

    // A rule of the assessment refuses, and the form keeps what was typed.
    let bad = form(&[
        ("version", &(version + 1).to_string()),
        ("status", "compensating"),
        ("reason", "typed text"),
    ]);
    let (status, _, section) = get_page(
        &app,
        Some(&admin),
        Method::POST,
        &req,
        &[("hx-request", "true")],
        Some(&bad),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{section}");
    assert!(section.contains("class=\"error\"") && section.contains(">typed text</textarea>"));
}

#[tokio::test]
async fn the_check_sheet_switches_to_regime_views() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let admin = app.admin().await;
    let cra = format!("{SHEET}/regime/eu-cra");
    // Attribute values come HTML-escaped, slashes included.
    let href = |path: &str| format!("href=\"{}\"", path.replace('/', "&#x2f;"));
    assert!(get(&app, &admin, SHEET).await.contains(&href(&cra)));
    // The dashboard offers the same switcher under the assessment's tile.
    let home = get(&app, &admin, "/").await;
    assert!(home.contains(&href(&cra)), "{home}");
    assert!(home.contains(&href(&format!("{SHEET}/regime/jc-star-1"))));
    let page = get(&app, &admin, &cra).await;
    assert!(page.contains("EU Cyber Resilience Act"), "{page}");
    // Every CRA requirement is a row; I.2(d) rests on the gateway's CR 1.1, linked.
    let rows = page.matches("<tr id=\"req-").count();
    assert_eq!(rows, 31);
    let d = page.split("<tr id=\"req-CRA I.2(d)\">").nth(1).unwrap();
    let d = d.split("</tr>").next().unwrap();
    assert!(
        d.contains(&href(&format!("{SHEET}/r/{}", seg("CR 1.1")))),
        "{d}"
    );
    let ja = get(&app, &admin, &format!("{cra}?lang=ja")).await;
    assert!(ja.contains("EU サイバーレジリエンス法") && ja.contains("62443 の対応なし"));
    let (status, _, _) = get_page(
        &app,
        Some(&admin),
        Method::GET,
        &format!("{SHEET}/regime/62443-4-1"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only regimes have a view");
}

/// The verification method (issue 13: the column a certification body reads) can be given
/// on the answer page as on the command line: stored, shown in Japanese, kept by an edit
/// that does not touch it, and a made-up method refused.
#[tokio::test]
async fn the_answer_form_records_the_verification_method() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let admin = app.admin().await;
    let req = format!("{SHEET}/r/{}", seg("CR 1.2"));
    let post = |body: String| {
        let (app, admin, req) = (&app, &admin, req.clone());
        async move {
            get_page(
                app,
                Some(admin),
                Method::POST,
                &req,
                &[("hx-request", "true"), ("hx-target", "answer")],
                Some(&body),
            )
            .await
        }
    };
    let version = version_of(&get(&app, &admin, &req).await);
    let (status, _, section) = post(form(&[
        ("version", &version.to_string()),
        ("status", "satisfied"),
        (
            "reason",
            "Tested on the bench: certificate login of the OPC UA client.",
        ),
        ("method", "test"),
    ]))
    .await;
    assert_eq!(status, StatusCode::OK, "{section}");
    let stored = |app: &App| {
        let shared = app.state.shared();
        let a = tekigo_server::service::load(shared, "plant", "gw-100-4-2").unwrap();
        a.assessment.answers["CR 1.2"].method
    };
    assert_eq!(stored(&app), Some(tekigo_assess::Method::Test));
    let page = get(&app, &admin, &format!("{req}?lang=ja")).await;
    assert!(
        page.contains("<dd id=\"current-method\">試験</dd>"),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"test\" selected>"),
        "the form shows it"
    );

    // A made-up method: refused, nothing changed.
    let version = version_of(&page);
    let (status, _, _) = post(form(&[
        ("version", &version.to_string()),
        ("status", "satisfied"),
        ("reason", "x"),
        ("method", "guesswork"),
    ]))
    .await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(stored(&app), Some(tekigo_assess::Method::Test));
}
