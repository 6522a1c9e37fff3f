//! The pages a team does its daily work in: a project, its components, members and
//! assessments made through forms; the zones and conduits of a project (held by the server,
//! kept by import and export); the answer page (evidence detached, scan evidence shown as
//! its check, previous and next, a warning when an answer contradicts its scan evidence);
//! the check sheet's scope; and errors as pages.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{blocking, multipart, repo_root, App, Client, Db, BOTH, PASSWORD};
use serde_json::json;
use tekigo_server::sync;

const WATER: &str = "examples/water-treatment";

/// A page or a form post as a browser sends it; the body as text.
async fn call(
    who: &mut Client,
    method: Method,
    uri: &str,
    form: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let (status, headers, body) = who
        .raw(
            method,
            uri,
            form.map(|f| f.as_bytes().to_vec()),
            "application/x-www-form-urlencoded",
        )
        .await;
    (
        status,
        headers,
        unescape_slashes(String::from_utf8(body).unwrap()),
    )
}

/// The pages escape `/` as `&#x2f;` (browsers read both alike); the tests look for paths.
fn unescape_slashes(html: String) -> String {
    html.replace("&#x2f;", "/")
}

async fn page(who: &mut Client, uri: &str) -> String {
    let (status, _, body) = call(who, Method::GET, uri, None).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

/// Posts a form with htmx and returns where it sends the browser (`HX-Redirect`).
async fn post_redirect(who: &mut Client, uri: &str, form: &str) -> String {
    let (status, headers, body) = call(who, Method::POST, uri, Some(form)).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    headers
        .get("hx-redirect")
        .unwrap_or_else(|| panic!("{uri}: no HX-Redirect; body: {body}"))
        .to_str()
        .unwrap()
        .to_string()
}

fn import(app: &App, dir: &str, id: &str) {
    let shared = app.state.shared();
    blocking(|| sync::import_project(shared, "test", &repo_root().join(dir), id).unwrap());
}

#[test]
fn import_then_export_keeps_the_zone_and_conduit_model() {
    for db in BOTH {
        let app = App::new(db);
        import(&app, WATER, "wt");
        let out = app.dir.path().join("exported");
        let shared = app.state.shared();
        blocking(|| sync::export_project(shared, "wt", &out).unwrap());
        let original = std::fs::read(repo_root().join(WATER).join("risk/system.yaml")).unwrap();
        let exported = std::fs::read(out.join("risk/system.yaml"))
            .unwrap_or_else(|e| panic!("{db:?}: export wrote no risk/system.yaml: {e}"));
        assert_eq!(exported, original, "{db:?}: the model changed on the way");
        // And back in: the copy has the same model.
        blocking(|| sync::import_project(shared, "test", &out, "wt-copy").unwrap());
        let copy = blocking(|| {
            shared
                .store
                .read(|c| tekigo_store::records::risk_model(c, "wt-copy"))
                .unwrap()
        });
        assert_eq!(copy.map(|(t, _)| t.into_bytes()), Some(original));
    }
}

#[test]
fn a_project_without_a_model_exports_none_and_a_broken_model_is_not_imported() {
    let app = App::new(Db::Sqlite);
    import(&app, "examples/gateway", "plant");
    let out = app.dir.path().join("exported");
    let shared = app.state.shared();
    blocking(|| sync::export_project(shared, "plant", &out).unwrap());
    assert!(!out.join("risk").exists());

    // A model the risk crate refuses is refused at import, naming the file and line.
    let dir = app.dir.path().join("broken");
    common::copy_dir(&repo_root().join(WATER), &dir);
    let path = dir.join("risk/system.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("format: 1", "format: 9", 1)).unwrap();
    let err = blocking(|| sync::import_project(shared, "test", &dir, "broken").unwrap_err());
    let msg = err.to_string();
    assert!(
        msg.contains("system.yaml:") && msg.contains("format 9"),
        "{msg}"
    );
    let project = blocking(|| {
        shared
            .store
            .read(|c| tekigo_store::records::project(c, "broken"))
            .unwrap()
    });
    assert!(project.is_none(), "nothing of a refused import is kept");
}

#[tokio::test]
async fn the_zones_page_shows_the_drawing_sl_t_derivation_check_and_feasibility() {
    let app = App::new(Db::Sqlite);
    import(&app, WATER, "wt");
    let mut admin = app.admin().await;
    let html = page(&mut admin, "/p/wt/zones?lang=ja").await;
    assert!(html.contains("<svg"), "the drawing is on the page");
    assert!(html.contains("ゾーンとコンジット") && html.contains("企業ネットワーク"));

    // The same model read by tekigo-risk from the example directory: every zone and
    // conduit is listed with the SL-T it derives.
    let doc = tekigo_risk::Document::load(&repo_root().join(WATER)).unwrap();
    let derivation = tekigo_risk::derive(&doc.model);
    for t in derivation.zones.iter().chain(&derivation.conduits) {
        let sl_t = tekigo_catalog::SlVector(t.sl_t).to_string();
        let row = html
            .split(&format!("<code>{}</code>", t.id))
            .nth(1)
            .unwrap_or_else(|| panic!("{} is not on the page", t.id));
        let cell = row.split("class=\"sl-t\">").nth(1).unwrap();
        assert!(cell.starts_with(&sl_t), "{}: expected {sl_t}", t.id);
    }
    // The feasibility names the PLC's assessment, with a link to its check sheet.
    assert!(
        html.contains("href=\"/p/wt/a/filter-plc-4-2\""),
        "feasibility links the assessment"
    );
    // Each zone's own SL-A (or the command that prefills a 3-3 assessment when it has
    // none) and its conduits, short or not, as tekigo-risk's feasibility says from the
    // example directory.
    let catalog = tekigo_catalog::Catalog::builtin().unwrap();
    let project = tekigo_assess::Project::open(&repo_root().join(WATER)).unwrap();
    let feasibility = tekigo_risk::feasibility(&project, catalog, &doc.model, &derivation).unwrap();
    let section = html.split("id=\"zones-feasibility\"").nth(1).unwrap();
    for f in &feasibility {
        let zone = section
            .split("<h3><code>")
            .find(|z| z.starts_with(&format!("{}</code>", f.zone)))
            .unwrap_or_else(|| panic!("{} has no feasibility section", f.zone));
        assert_eq!(zone.contains("未達"), !f.feasible, "{}", f.zone);
        if f.system.is_empty() {
            assert!(
                zone.contains(&format!("--standard 62443-3-3 --zone {}", f.zone)),
                "{}",
                f.zone
            );
        }
        for c in &f.conduits {
            let row = zone
                .split(&format!("<tr><td><code>{}</code>", c.conduit))
                .nth(1)
                .unwrap_or_else(|| panic!("{}: conduit {} not shown", f.zone, c.conduit))
                .split("</tr>")
                .next()
                .unwrap();
            assert_eq!(
                row.contains("不足"),
                c.short,
                "{} {}: {row}",
                f.zone,
                c.conduit
            );
        }
    }
    assert!(
        feasibility
            .iter()
            .any(|f| f.conduits.iter().any(|c| c.short)),
        "the example has a conduit that falls short, so the check above can fail"
    );
    // The rule check ran: either it lists violations with their ZCR, or says none.
    let names = ["filter-plc", "telemetry-rtu", "scada-hmi"].map(String::from);
    let violations = tekigo_risk::check(&doc, catalog, &names).unwrap();
    if violations.is_empty() {
        assert!(html.contains("違反はありません"));
    } else {
        for v in &violations {
            assert!(
                html.contains(&format!("<code>{}</code>", v.element)),
                "{}",
                v.element
            );
        }
    }

    // The report downloads as a file, HTML and PDF.
    let (status, headers, _) = admin
        .raw(Method::GET, "/p/wt/zones/report?format=html", None, "")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
}

#[tokio::test]
async fn a_model_is_uploaded_through_the_page_and_a_broken_one_is_refused_with_its_line() {
    let app = App::new(Db::Sqlite);
    import(&app, "examples/gateway", "plant");
    let mut admin = app.admin().await;
    let html = page(&mut admin, "/p/plant/zones").await;
    assert!(
        html.contains("id=\"zones-empty\""),
        "a project without a model says what to do"
    );

    let good = std::fs::read(repo_root().join(WATER).join("risk/system.yaml")).unwrap();
    let mut broken = String::from_utf8(good.clone()).unwrap();
    broken = broken.replacen("tolerable:", "tolerable: nonsense\n  ignored:", 1);
    let (body, ct) = multipart(&[("version", "0")], ("system.yaml", broken.as_bytes()));
    let (status, _, out) = admin
        .raw(Method::POST, "/p/plant/zones", Some(body), &ct)
        .await;
    let out = unescape_slashes(String::from_utf8(out).unwrap());
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert!(
        out.contains("risk/system.yaml:42: matrix: unknown field `ignored`"),
        "the error names the file and line: {out}"
    );
    assert!(out.contains("id=\"zones-empty\""), "nothing was stored");

    let (body, ct) = multipart(&[("version", "0")], ("system.yaml", &good));
    let (status, _, out) = admin
        .raw(Method::POST, "/p/plant/zones", Some(body), &ct)
        .await;
    let out = String::from_utf8(out).unwrap();
    assert_eq!(status, StatusCode::OK, "{out}");
    assert!(out.contains("<svg") && out.contains("zones-outcome"));
    // A second upload from the same version is someone else's change.
    let (body, ct) = multipart(&[("version", "0")], ("system.yaml", &good));
    let (status, _, _) = admin
        .raw(Method::POST, "/p/plant/zones", Some(body), &ct)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_team_sets_up_a_project_component_assessment_and_members_through_the_pages() {
    for db in BOTH {
        let app = App::new(db);
        let mut admin = app.admin().await;
        let home = page(&mut admin, "/?lang=ja").await;
        assert!(home.contains("id=\"new-project-link\""), "{db:?}");
        assert!(
            home.contains("プロジェクトはまだありません"),
            "empty state says what to do"
        );

        let to = post_redirect(
            &mut admin,
            "/projects",
            "id=pump&product=Pump+controller&vendor=ACME&language=ja&standard=62443-4-2",
        )
        .await;
        assert_eq!(to, "/p/pump/settings");
        let settings = page(&mut admin, &to).await;
        assert!(settings.contains("id=\"no-components\""));

        // A refused form says why, and changes nothing.
        let (status, _, body) = call(
            &mut admin,
            Method::POST,
            "/projects",
            Some("id=-bad&product=x&language=en"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("Project id &quot;-bad&quot;: use 1-64"),
            "{body}"
        );
        // In Japanese, the id a Japanese team is likely to try.
        let (status, _, body) = call(
            &mut admin,
            Method::POST,
            "/projects?lang=ja",
            Some("id=%E3%82%B2%E3%83%BC%E3%83%88%E3%82%A6%E3%82%A7%E3%82%A4&product=x&language=ja"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("プロジェクト ID「ゲートウェイ」は使えません。"),
            "{body}"
        );

        let (status, _, body) = call(
            &mut admin,
            Method::POST,
            "/p/pump/components",
            Some("name=pump-plc&type=embedded&version=1.2&ports=22+443"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("<td>pump-plc</td>"), "{body}");
        let config =
            blocking(|| tekigo_server::service::project_config(app.state.shared(), "pump"))
                .unwrap();
        assert_eq!(config.components.len(), 1);
        assert_eq!(config.components[0].ports, [22, 443]);
        assert_eq!(config.language, tekigo_catalog::Lang::Ja);
        // A second component of the same name is refused.
        let (status, _, _) = call(
            &mut admin,
            Method::POST,
            "/p/pump/components",
            Some("name=pump-plc&type=host"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // The assessment: the type comes from the component, SL-T is seven levels.
        let form = "id=plc-4-2&standard=62443-4-2&subject=pump-plc&type=\
                    &sl_t=2&sl_t=2&sl_t=1&sl_t=2&sl_t=2&sl_t=1&sl_t=2&ml_t=2";
        let to = post_redirect(&mut admin, "/p/pump/assessments/new", form).await;
        assert_eq!(to, "/p/pump/a/plc-4-2");
        let sheet = page(&mut admin, &to).await;
        assert!(
            sheet.contains("{2 2 1 2 2 1 2}"),
            "the target is on the sheet"
        );
        let a = blocking(|| tekigo_server::service::load(app.state.shared(), "pump", "plc-4-2"))
            .unwrap()
            .assessment;
        assert_eq!(
            a.subject.component_type,
            Some(tekigo_catalog::ComponentType::Embedded)
        );
        // The component of an assessment keeps its name and cannot be removed.
        let (status, _, body) = call(
            &mut admin,
            Method::POST,
            "/p/pump/components/remove",
            Some("name=pump-plc"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // A member: a user the administrator made (through the API here; the users page
        // is another branch's), given a role, sees the project and not its settings.
        let (status, body) = admin
            .send(
                Method::POST,
                "/api/users",
                Some(json!({"name": "kenji", "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _, body) = call(
            &mut admin,
            Method::POST,
            "/p/pump/members",
            Some("user=kenji&role=viewer"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("<td>kenji</td>"), "{body}");
        let mut kenji = app.anonymous().login("kenji", PASSWORD).await;
        let project = page(&mut kenji, "/p/pump").await;
        assert!(project.contains("plc-4-2") && !project.contains("id=\"settings-link\""));
        let (status, _, _) = call(&mut kenji, Method::GET, "/p/pump/settings", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = call(&mut kenji, Method::GET, "/p/pump/assessments/new", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // An unknown user is named.
        let (status, _, body) = call(
            &mut admin,
            Method::POST,
            "/p/pump/members",
            Some("user=nobody&role=viewer"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("nobody"));
    }
}

const CR11: &str = "/p/plant/a/gw-100-4-2/r/CR%201.1";

#[tokio::test]
async fn the_answer_page_links_scan_checks_warns_on_contradiction_and_detaches_evidence() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    let html = page(&mut admin, CR11).await;
    // Previous and next in sheet order: CR 1.1 is the first requirement.
    assert!(!html.contains("id=\"previous-requirement\""));
    assert!(html.contains("id=\"next-requirement\""));
    // The chart once, and small.
    assert_eq!(html.matches("<svg").count(), 1);
    assert!(html.contains("overview compact"));

    // A scan evidence link opens the check, with its verdict and deciding lines.
    let link = html
        .split("href=\"")
        .find(|s| s.starts_with("/p/plant/scan/") && s.contains("accounts.empty-password"))
        .expect("a link to the accounts.empty-password check")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let check = page(&mut admin, &format!("{link}?lang=ja")).await;
    assert!(check.contains("id=\"verdict\">合格<"), "{check}");
    assert!(check.contains("<code>/etc/passwd</code>"));
    assert!(check.contains("no login-capable account has an empty password"));

    // Not satisfied while citing passing scan evidence: a warning.
    let a = blocking(|| tekigo_server::service::load(app.state.shared(), "plant", "gw-100-4-2"))
        .unwrap();
    let version = a.versions["CR 1.1"];
    let evidence = a.assessment.answers["CR 1.1"].evidence.len();
    let (status, _, body) = call(
        &mut admin,
        Method::POST,
        CR11,
        Some(&format!(
            "version={version}&status=not-satisfied&reason=console+login+is+open"
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("id=\"scan-contradiction\""), "{body}");

    // Detach every passing scan result: the warning goes; the answer is a draft again.
    let mut version = version + 1;
    loop {
        let a =
            blocking(|| tekigo_server::service::load(app.state.shared(), "plant", "gw-100-4-2"))
                .unwrap();
        let answer = &a.assessment.answers["CR 1.1"];
        let Some(i) = answer.evidence.iter().position(
            |e| matches!(e, tekigo_assess::EvidenceRef::Scan { verdict, .. } if verdict == "pass"),
        ) else {
            break;
        };
        let (status, _, body) = call(
            &mut admin,
            Method::POST,
            &format!("{CR11}/evidence/detach"),
            Some(&format!("version={version}&index={i}")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        version += 1;
        if !body.contains("id=\"scan-contradiction\"") {
            let left = blocking(|| {
                tekigo_server::service::load(app.state.shared(), "plant", "gw-100-4-2")
            })
            .unwrap()
            .assessment
            .answers["CR 1.1"]
                .clone();
            assert!(left.evidence.len() < evidence);
            assert_eq!(left.review, tekigo_assess::Review::Draft);
            assert!(!left.evidence.iter().any(|e| matches!(e,
                tekigo_assess::EvidenceRef::Scan { verdict, .. } if verdict == "pass")));
            return;
        }
    }
    panic!("the warning never went away");
}

#[tokio::test]
async fn a_stale_detach_is_refused_and_changes_nothing() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    let (status, _, body) = call(
        &mut admin,
        Method::POST,
        &format!("{CR11}/evidence/detach"),
        Some("version=99&index=0"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _, _) = call(
        &mut admin,
        Method::POST,
        &format!("{CR11}/evidence/detach"),
        Some("version=1&index=999"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_check_sheet_shows_the_target_by_default_fr_by_fr_and_all_levels_on_request() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    let a = blocking(|| tekigo_server::service::load(app.state.shared(), "plant", "gw-100-4-2"))
        .unwrap()
        .assessment;
    let catalog = tekigo_catalog::Catalog::builtin().unwrap();
    let standard = catalog.standard("62443-4-2").unwrap();
    // A plain recomputation: an item is in scope when its level is at most the target of
    // its FR; items without a level are not.
    let target = match a.target {
        tekigo_assess::Target::SecurityLevels(t) => t,
        _ => unreachable!(),
    };
    let rows = tekigo_assess::results::rows(standard, &a);
    let in_scope: Vec<&str> = rows
        .iter()
        .filter(
            |r| matches!((r.item.min_sl, r.item.fr), (Some(l), Some(fr)) if l <= target.get(fr)),
        )
        .map(|r| r.item.id.as_str())
        .collect();
    let sheet = page(&mut admin, "/p/plant/a/gw-100-4-2").await;
    let shown = row_ids(&sheet);
    assert_eq!(shown.len(), in_scope.len());
    assert!(shown.iter().all(|id| in_scope.contains(&id.as_str())));
    let all = page(&mut admin, "/p/plant/a/gw-100-4-2?scope=all").await;
    assert_eq!(row_ids(&all).len(), rows.len());
    // Component rows sit under their FR: every row's FR is never lower than the one before.
    let frs: Vec<usize> = row_ids(&all)
        .iter()
        .map(|id| {
            standard
                .item(id)
                .and_then(|i| i.fr)
                .map_or(usize::MAX, |fr| fr.index())
        })
        .collect();
    assert!(frs.windows(2).all(|w| w[0] <= w[1]), "{frs:?}");
    assert!(all.contains("class=\"fr-head\""));
    let (status, _, _) = call(
        &mut admin,
        Method::GET,
        "/p/plant/a/gw-100-4-2?scope=x",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
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

#[tokio::test]
async fn report_errors_are_pages_in_the_readers_language() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    for uri in [
        "/p/plant/a/gw-100-4-2/report?format=docx&lang=ja",
        "/p/plant/a/nope/report?format=pdf&lang=ja",
        "/p/plant/zones/report?format=pdf&lang=ja",
    ] {
        let (status, headers, body) = call(&mut admin, Method::GET, uri, None).await;
        assert!(status.is_client_error(), "{uri}: {status}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{uri}"
        );
        assert!(
            body.contains("<html lang=\"ja\"") && body.contains("エラー"),
            "{uri}"
        );
    }
    let (status, headers, _) = admin
        .raw(
            Method::GET,
            "/p/plant/a/gw-100-4-2/report?format=xlsx",
            None,
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("gw-100-4-2.xlsx"));
}

#[tokio::test]
async fn a_failure_inside_the_server_is_a_page_in_the_readers_language() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    // A project record the server cannot read: rendering the PDF fails inside the server.
    let shared = app.state.shared();
    blocking(|| {
        shared
            .store
            .write(|tx| tekigo_store::records::project_set_config(tx, "test", "plant", "{"))
            .unwrap()
    });
    let (status, headers, body) = call(
        &mut admin,
        Method::GET,
        "/p/plant/a/gw-100-4-2/report?format=pdf&lang=ja",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(body.contains("サーバーで問題が発生しました"), "{body}");
    assert!(
        !body.contains("EOF while parsing"),
        "no internals reach the reader"
    );
}

/// A 4-2 report made by the server rests on the project's 4-1 assessments as the command
/// line's does (`tekigo_assess::project::ProcessBasis`): it names them, and says "none"
/// only when the project has none.
#[tokio::test]
async fn a_server_report_names_the_process_assessment_it_rests_on() {
    let app = App::new(Db::Sqlite);
    let dir = app.dir.path().join("gateway");
    common::copy_dir(&repo_root().join("examples/gateway"), &dir);
    let none = "No IEC 62443-4-1 assessment of the development process exists";
    import(&app, dir.to_str().unwrap(), "plant");
    let mut admin = app.admin().await;
    let uri = "/p/plant/a/gw-100-4-2/report?format=html&lang=en";
    let (status, _, html) = call(&mut admin, Method::GET, uri, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(none), "a project without one says so");

    std::fs::write(
        dir.join("assessments/sdl-4-1.yaml"),
        "format: 1\nid: sdl-4-1\nstandard: 62443-4-1\nsubject:\n  kind: organisation\n  \
         name: ACME product development\ntarget: 2\ncreated: 2026-01-10\n",
    )
    .unwrap();
    import(&app, dir.to_str().unwrap(), "plant2");
    let uri = "/p/plant2/a/gw-100-4-2/report?format=html&lang=en";
    let (status, _, html) = call(&mut admin, Method::GET, uri, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains(none), "{html}");
    let process = html.split("id=\"process\"").nth(1).unwrap();
    assert!(process.contains("sdl-4-1"), "{process}");
}
