//! The upkeep in the server (issue 16): the upkeep page and the dashboard's counts,
//! certificates added and renewed through the forms with the command line's checks (roles,
//! CSRF, errors that name the field), written back by `server export` as `tekigo cert`
//! writes them, the calendar, and the watch after a database import (a supported release
//! matched, a release past its support period not, the webhook told once).

mod common;

use axum::http::{Method, StatusCode};
use common::{add_user, blocking, copy_dir, page, repo_root, App, Client, Db, PASSWORD};
use tekigo_server::sync;

#[path = "../../../tests/receiver.rs"]
mod receiver;

/// An `application/x-www-form-urlencoded` body.
fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", common::seg(k), common::seg(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

async fn post_form(
    who: &mut Client,
    uri: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    let (status, headers, body) = who
        .raw(
            Method::POST,
            uri,
            Some(form(fields)),
            "application/x-www-form-urlencoded",
        )
        .await;
    (status, headers, String::from_utf8(body).unwrap())
}

/// The overdue count of project `p` in the dashboard's upkeep table.
fn overdue_on_dashboard(home: &str, p: &str) -> usize {
    let row = home
        .split(&format!("data-project=\"{p}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no upkeep row for {p}: {home}"));
    let cells: Vec<&str> = row.split("<td").skip(2).take(1).collect();
    let text = cells[0]
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    text.trim().parse().unwrap()
}

/// The overdue items of project `plant` from the file `source`, as (kind, due), computed by
/// the server at the pages' clock.
fn overdue_of(shared: &tekigo_server::state::Shared, source: &str) -> Vec<(String, String)> {
    let o = blocking(|| {
        tekigo_server::upkeep::overview(
            shared,
            "plant",
            tekigo_server::upkeep::this_month(),
            tekigo_catalog::Lang::En,
        )
        .unwrap()
    });
    o.items
        .into_iter()
        .filter(|i| i.state == tekigo_upkeep::State::Overdue && i.source == source)
        .map(|i| (i.kind.to_string(), i.due))
        .collect()
}

const EXPIRED: &[(&str, &str)] = &[
    ("id", "isa-2024"),
    ("scheme", "ISASecure CSA"),
    ("body", "Example Certification Body"),
    ("number", "CSA-0042"),
    ("standard", "62443-4-2"),
    ("level", "2"),
    ("component", "gw-100"), // examples/gateway's component
    ("releases", "1.x"),
    ("issued", "2024-01-15"),
    ("expires", "2025-01-14"),
    ("surveillance_months", "12"),
    (
        "renewal_items",
        "Penetration test report@2024-12-01\nSBOM update@2024-12-15",
    ),
];

#[tokio::test]
async fn certificates_through_the_forms_make_the_upkeep_page_and_the_dashboard() {
    for db in common::BOTH {
        certificate_flow(db).await;
    }
}

async fn certificate_flow(db: Db) {
    let app = App::new(db);
    app.import_gateway();
    let mut admin = app.admin().await;
    let fields = EXPIRED.to_vec();
    let before = overdue_on_dashboard(&page(&mut admin, "/").await, "plant");

    // A viewer may read the pages but not add a certificate.
    add_user(&mut admin, "vera", "plant", Some("viewer")).await;
    let mut vera = app.anonymous().login("vera", PASSWORD).await;
    page(&mut vera, "/p/plant/certificates").await;
    let (status, _, body) = post_form(&mut vera, "/p/plant/certificates", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{db:?}: {body}");
    assert!(!page(&mut vera, "/p/plant/certificates")
        .await
        .contains("isa-2024"));

    // Without the session's CSRF token the form is refused.
    let csrf = admin.csrf.take();
    let (status, _, _) = post_form(&mut admin, "/p/plant/certificates", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{db:?}: no CSRF token");
    admin.csrf = csrf;

    // The command line's checks, with the field named; nothing stored.
    let mut bad = fields.clone();
    bad.iter_mut().find(|(k, _)| *k == "expires").unwrap().1 = "2023-12-31";
    let (status, _, body) = post_form(&mut admin, "/p/plant/certificates", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{db:?}: {body}");
    assert!(
        body.contains("certificates&#x2f;isa-2024.yaml:")
            && body.contains("expires: 2023-12-31 is not after issued"),
        "{body}"
    );
    assert!(
        !body.contains(&app.dir.path().display().to_string()),
        "no server path: {body}"
    );
    let mut bad = fields.clone();
    bad.iter_mut()
        .find(|(k, _)| *k == "renewal_items")
        .unwrap()
        .1 = "no date here";
    let (status, _, body) = post_form(&mut admin, "/p/plant/certificates", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("renewal_items line 1"), "{body}");
    assert!(!page(&mut admin, "/p/plant/certificates")
        .await
        .contains("isa-2024"));

    // An assessor adds it; the browser is sent to its page.
    let (status, headers, body) = post_form(&mut admin, "/p/plant/certificates", &fields).await;
    assert_eq!(status, StatusCode::OK, "{db:?}: {body}");
    assert_eq!(headers["hx-redirect"], "/p/plant/certificates/isa-2024");
    let one = page(&mut admin, "/p/plant/certificates/isa-2024").await;
    for text in [
        "ISASecure CSA",
        "Example Certification Body",
        "CSA-0042",
        "62443-4-2",
        "{2 2 2 2 2 2 2}",
        "2024-01-15",
        "2025-01-14",
        "Penetration test report",
        "2024-12-15",
    ] {
        assert!(one.contains(text), "{db:?}: {text} missing");
    }
    // Added twice is a conflict.
    let (status, _, _) = post_form(&mut admin, "/p/plant/certificates", &fields).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The upkeep page lists it as overdue, with the rule, in Japanese too.
    let upkeep = page(&mut admin, "/p/plant/upkeep?lang=ja").await;
    let row = upkeep
        .split("<tr class=\"upkeep-overdue\">")
        .find(|r| r.contains("isa-2024 (ISASecure CSA CSA-0042)") && r.contains("2025-01-14"))
        .unwrap_or_else(|| panic!("{db:?}: no overdue expiry row: {upkeep}"));
    assert!(row.contains("期限超過"), "{row}");
    assert!(
        row.contains(tekigo_upkeep::rule(
            "certificate-expiry",
            tekigo_catalog::Lang::Ja
        )),
        "{row}"
    );
    // Overdue renewal items too; the dashboard counts the new overdue items.
    assert!(upkeep.contains("isa-2024 (ISASecure CSA CSA-0042): SBOM update"));
    let after = overdue_on_dashboard(&page(&mut admin, "/").await, "plant");
    let shared = app.state.shared();
    let overdue_cert = overdue_of(shared, "certificates/isa-2024.yaml").len();
    assert_eq!(overdue_cert, 3, "expiry and two renewal items");
    assert_eq!(after, before + overdue_cert, "{db:?}");

    // A renewal item recorded done through its form leaves the overdue list; an item that
    // is not open is refused naming the open ones; a viewer cannot record it.
    let one = page(&mut admin, "/p/plant/certificates/isa-2024").await;
    assert!(one.contains("id=\"done-form\""), "{db:?}: {one}");
    let done = [("item", "SBOM update"), ("date", "2024-12-20")];
    let (status, _, _) = post_form(&mut vera, "/p/plant/certificates/isa-2024/done", &done).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = post_form(
        &mut admin,
        "/p/plant/certificates/isa-2024/done",
        &[("item", "SBOM"), ("date", "2024-12-20")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("Penetration test report | SBOM update"),
        "{body}"
    );
    let (status, _, body) =
        post_form(&mut admin, "/p/plant/certificates/isa-2024/done", &done).await;
    assert_eq!(status, StatusCode::OK, "{db:?}: {body}");
    let kinds: Vec<String> = overdue_of(shared, "certificates/isa-2024.yaml")
        .into_iter()
        .map(|(kind, due)| format!("{kind} {due}"))
        .collect();
    assert_eq!(
        kinds,
        ["renewal-item 2024-12-01", "certificate-expiry 2025-01-14"],
        "{db:?}"
    );
    assert_eq!(
        overdue_on_dashboard(&page(&mut admin, "/").await, "plant"),
        before + 2,
        "{db:?}"
    );
    let one = page(&mut admin, "/p/plant/certificates/isa-2024").await;
    assert!(
        one.contains("<td>SBOM update</td><td>2024-12-15</td><td>2024-12-20</td>"),
        "{one}"
    );

    // Renewed: a new period, the old one in the history, nothing overdue from it.
    let (status, _, body) = post_form(
        &mut admin,
        "/p/plant/certificates/isa-2024/renew",
        &[
            ("issued", "2025-01-10"),
            ("expires", "2099-01-09"),
            ("number", "CSA-0043"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let one = page(&mut admin, "/p/plant/certificates/isa-2024").await;
    let history = one.split("id=\"history\"").nth(1).unwrap();
    assert!(
        history.contains("CSA-0042") && history.contains("2025-01-14"),
        "{history}"
    );
    // What stays overdue of it is the new period's first surveillance audit (12 months
    // after 2025-01-10), which the dashboard counts.
    let overdue = overdue_of(shared, "certificates/isa-2024.yaml");
    assert_eq!(
        overdue,
        [("surveillance-audit".to_string(), "2026-01-10".to_string())],
        "{db:?}"
    );
    // The certificate page marks that audit overdue too, as the upkeep page does.
    assert!(
        one.contains("#1: 2026-01-10 <strong class=\"overdue\">"),
        "{db:?}: {one}"
    );
    assert_eq!(
        overdue_on_dashboard(&page(&mut admin, "/").await, "plant"),
        before + 1,
        "{db:?}"
    );
    // The audit recorded through its form (a date that is none refused, naming the field):
    // audit 1 is no longer due; audit 2 falls 24 months after issue.
    let (status, _, body) = post_form(
        &mut admin,
        "/p/plant/certificates/isa-2024/audit",
        &[("date", "2026-13-01")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("audits[0]"), "{body}");
    let (status, _, body) = post_form(
        &mut admin,
        "/p/plant/certificates/isa-2024/audit",
        &[("date", "2026-01-12")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let overdue = overdue_of(shared, "certificates/isa-2024.yaml");
    assert!(
        overdue
            .iter()
            .all(|(kind, due)| kind == "surveillance-audit" && due == "2027-01-10"),
        "{overdue:?}"
    );
    assert_eq!(
        overdue_on_dashboard(&page(&mut admin, "/").await, "plant"),
        before + overdue.len(),
        "{db:?}"
    );
    // A viewer can neither renew nor record an audit.
    let (status, _, _) = post_form(
        &mut vera,
        "/p/plant/certificates/isa-2024/audit",
        &[("date", "2026-01-12")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = post_form(
        &mut vera,
        "/p/plant/certificates/isa-2024/renew",
        &[("issued", "2025-01-10"), ("expires", "2099-01-09")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Export writes the file `tekigo cert` writes, and `tekigo cert`'s loader reads it.
    let out = app.dir.path().join("exported");
    blocking(|| sync::export_project(shared, "plant", &out).unwrap());
    let project = tekigo_assess::Project::open(&out).unwrap();
    let catalog = tekigo_catalog::Catalog::builtin().unwrap();
    let cert = tekigo_upkeep::certificate::load(&project, catalog, "isa-2024").unwrap();
    assert_eq!(cert.history.len(), 1);
    assert_eq!(cert.number.as_deref(), Some("CSA-0043"));
    assert_eq!(
        std::fs::read_to_string(out.join("certificates/isa-2024.yaml")).unwrap(),
        tekigo_upkeep::certificate::to_yaml(&cert).unwrap()
    );
    // And it comes back in: import then export keeps it.
    blocking(|| sync::import_project(shared, "test", &out, "plant-copy").unwrap());
    let copy = page(&mut admin, "/p/plant-copy/certificates/isa-2024").await;
    assert!(copy.contains("CSA-0043"));
}

#[tokio::test]
async fn the_calendar_is_a_download_for_readers_only() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    let fields = EXPIRED.to_vec();
    let (status, _, body) = post_form(&mut admin, "/p/plant/certificates", &fields).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The API gives the items as `tekigo upkeep --format json` does.
    let (status, items) = admin
        .send(Method::GET, "/api/projects/plant/upkeep?within=0", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{items}");
    let expiry = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "certificate-expiry")
        .unwrap_or_else(|| panic!("{items}"));
    assert_eq!(expiry["state"], "overdue");
    assert_eq!(expiry["due"], "2025-01-14");
    assert_eq!(expiry["source"], "certificates/isa-2024.yaml");
    let (status, certs) = admin
        .send(Method::GET, "/api/projects/plant/certificates", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(certs[0]["level"], "{2 2 2 2 2 2 2}");
    let (status, headers, body) = admin
        .raw(Method::GET, "/p/plant/upkeep.ics", None, "")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    let text = String::from_utf8(body).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.contains("DTSTART;VALUE=DATE:20250114"), "{text}");
    let mut nobody = app.anonymous();
    let (status, headers, _) = nobody
        .raw(Method::GET, "/p/plant/upkeep.ics", None, "")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers["location"].to_str().unwrap().starts_with("/login"));
    // Someone without a role in the project is told it does not exist.
    add_user(&mut admin, "otto", "plant", None).await;
    let mut otto = app.anonymous().login("otto", PASSWORD).await;
    let (status, _, _) = otto.raw(Method::GET, "/p/plant/upkeep.ics", None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_watch_after_an_import_records_once_and_skips_releases_past_support() {
    let app = App::new(Db::Sqlite);
    let root = app.dir.path();
    // Two releases of the gateway with the same SBOM: 1.0's support ended in 2020.
    let dir = root.join("gateway");
    common::copy_dir(&repo_root().join("examples/gateway"), &dir);
    let project = tekigo_assess::Project::open(&dir).unwrap();
    let catalog = tekigo_catalog::Catalog::builtin().unwrap();
    let bom = root.join("bom.json");
    std::fs::write(
        &bom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
        {"type":"library","name":"lodash","version":"4.17.20","purl":"pkg:npm/lodash@4.17.20"}]}"#,
    )
    .unwrap();
    for (version, until) in [("1.0", Some("2020-12-31")), ("2.0", None)] {
        let sboms = [bom.clone()];
        let opts = tekigo_release::FreezeOptions {
            sboms: &sboms,
            support_until: until.map(str::to_string),
            frozen_at: "2020-01-01T00:00:00Z".into(),
            ..Default::default()
        };
        tekigo_release::freeze(&project, catalog, version, &opts).unwrap();
    }
    let shared = app.state.shared();
    blocking(|| sync::import_project(shared, "test", &dir, "gw").unwrap());
    // The project's webhook, as the operator configures it in the data directory.
    let hook = receiver::receiver();
    let (url, got) = (hook.url.clone(), hook.got.clone());
    let hooks = shared.data_dir.join(tekigo_server::watch::WEBHOOKS_DIR);
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(hooks.join("gw.url"), format!("{url}\n")).unwrap();
    std::fs::write(hooks.join("gw.secret"), "plant-secret\n").unwrap();

    // A database with an advisory for lodash that CISA lists as exploited.
    let advisory = root.join("a.json");
    std::fs::write(
        &advisory,
        serde_json::json!({
            "id": "GHSA-aaaa-bbbb-cccc", "modified": "2026-12-01T00:00:00Z",
            "aliases": ["CVE-2026-0001"], "summary": "a test advisory",
            "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]
        })
        .to_string(),
    )
    .unwrap();
    let kev = root.join("kev.json");
    std::fs::write(
        &kev,
        serde_json::json!({
            "title": "CISA Catalog of Known Exploited Vulnerabilities",
            "catalogVersion": "2026.12.02", "dateReleased": "2026-12-02T12:00:00.000Z", "count": 1,
            "vulnerabilities": [{
                "cveID": "CVE-2026-0001", "vendorProject": "Test", "product": "lodash",
                "vulnerabilityName": "a test entry", "dateAdded": "2026-12-02",
                "shortDescription": "a test entry", "requiredAction": "update",
                "dueDate": "2026-12-23", "knownRansomwareCampaignUse": "Unknown", "notes": ""
            }]
        })
        .to_string(),
    )
    .unwrap();
    let dbfile = root.join("advisories");
    let opts = tekigo_vulndb::ImportOptions {
        keep_going: false,
        progress: None,
    };
    tekigo_vulndb::import(&dbfile, &[advisory, kev], &opts).unwrap();
    let vulndb = tekigo_vulndb::Db::open(&dbfile).unwrap();
    let now = tekigo_store::now_rfc3339();

    let runs = blocking(|| tekigo_server::watch::run(shared, "test", &vulndb, &now).unwrap());
    let gw = runs.iter().find(|r| r.project == "gw").unwrap();
    assert_eq!(gw.watched, ["2.0"], "1.0 is past its support period");
    assert_eq!(
        gw.past_support,
        [("1.0".to_string(), "2020-12-31".to_string())]
    );
    assert_eq!(gw.new.len(), 1, "{:?}", gw.new);
    assert_eq!(gw.new[0].vulnerability, "GHSA-aaaa-bbbb-cccc");
    assert!(gw.new[0].kev);
    assert_eq!(gw.delivered.as_ref().unwrap().sent, 1);
    {
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 1);
        let body: serde_json::Value = serde_json::from_slice(&got[0].1).unwrap();
        assert_eq!(body["finding"]["release"], "2.0");
        assert_eq!(body["finding"]["vulnerability"], "GHSA-aaaa-bbbb-cccc");
        assert!(body["cra"]["early_warning_due"].is_string(), "{body}");
        assert!(got[0]
            .0
            .to_ascii_lowercase()
            .contains("x-tekigo-signature: sha256="));
        assert!(!got[0].0.contains("plant-secret"));
    }
    // Nothing new on the next import: nothing recorded or sent again.
    let runs = blocking(|| tekigo_server::watch::run(shared, "test", &vulndb, &now).unwrap());
    assert!(runs.iter().all(|r| r.new.is_empty()));
    assert_eq!(got.lock().unwrap().len(), 1, "the webhook is told once");

    // The stored file is the contract's, delivered, and starts the CRA clocks.
    let out = root.join("exported");
    blocking(|| sync::export_project(shared, "gw", &out).unwrap());
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("watch/findings.json")).unwrap()).unwrap();
    assert_eq!(file["format"], 1);
    assert_eq!(file["findings"].as_array().unwrap().len(), 1);
    assert_eq!(file["findings"][0]["kev"], true);
    assert_eq!(file["findings"][0]["first_seen"], now.as_str());
    assert!(file["findings"][0]["delivered_at"].is_string());
    let clock = tekigo_upkeep::Clock {
        now: time::OffsetDateTime::now_utc(),
        within_days: 30,
    };
    let o = blocking(|| {
        tekigo_server::upkeep::overview(shared, "gw", clock, tekigo_catalog::Lang::En).unwrap()
    });
    let kinds: Vec<&str> = o.items.iter().map(|i| i.kind).collect();
    for k in [
        "cra-early-warning",
        "cra-notification",
        "untriaged-vulnerability",
    ] {
        assert!(kinds.contains(&k), "{k}: {kinds:?}");
    }
    // The upkeep page and the dashboard show the new finding.
    let mut admin = app.admin().await;
    let upkeep = page(&mut admin, "/p/gw/upkeep").await;
    let watch = upkeep.split("id=\"watch-findings\"").nth(1).unwrap();
    assert!(
        watch.contains("GHSA-aaaa-bbbb-cccc") && watch.contains("pkg:npm&#x2f;lodash@4.17.20"),
        "{watch}"
    );
    let home = page(&mut admin, "/").await;
    let row = home.split("data-project=\"gw\"").nth(1).unwrap();
    assert!(
        row.split("</tr>").next().unwrap().contains("1 (KEV 1)"),
        "{row}"
    );
}

/// Evidence keeps the date the project first had it through import and export, so the
/// freshness rule judges it on the server as on the command line.
#[test]
fn evidence_keeps_its_date_and_public_mark_through_import_and_export() {
    let app = App::new(Db::Sqlite);
    // A copy of the gateway with one evidence file marked public (`evidence add --public`).
    let copy = app.dir.path().join("gateway");
    copy_dir(&repo_root().join("examples/gateway"), &copy);
    let source = tekigo_assess::Project::open(&copy).unwrap();
    let catalog = tekigo_catalog::Catalog::builtin().unwrap();
    let marked = source
        .assessment_ids()
        .unwrap()
        .iter()
        .find_map(|id| {
            let a = source.load_assessment(catalog, id).unwrap();
            let first = a.evidence_hashes().into_iter().next().map(str::to_string);
            first
        })
        .expect("the gateway cites evidence");
    source.evidence().mark_public(&marked).unwrap();
    let shared = app.state.shared();
    blocking(|| sync::import_project(shared, "test", &copy, "plant").unwrap());
    let out = app.dir.path().join("exported");
    blocking(|| sync::export_project(shared, "plant", &out).unwrap());
    let exported = tekigo_assess::Project::open(&out).unwrap();
    let mut compared = 0;
    for entry in std::fs::read_dir(out.join("evidence")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(sha) = name.strip_suffix(".yaml") else {
            continue;
        };
        let before = source.evidence().meta(sha).unwrap().unwrap();
        let after = exported.evidence().meta(sha).unwrap().unwrap();
        assert_eq!(after.added, before.added, "{sha}");
        assert_eq!(after.names[0], before.names[0], "{sha}");
        assert_eq!(after.public, sha == marked, "{sha}");
        compared += 1;
    }
    assert!(compared > 1);
}
