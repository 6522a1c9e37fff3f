//! SBOM upload, vulnerabilities and triage over the API, on SQLite and on PostgreSQL, with
//! an advisory database imported from a real OSV record (log4j's GHSA-jfh8-c2jp-5v3q).

mod common;

use axum::http::{Method, StatusCode};
use common::{blocking, repo_root, App, Client, Db, BOTH};
use serde_json::{json, Value};
use tekigo_server::Settings;

const PURL: &str = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";
const LOG4J: &str = "GHSA-jfh8-c2jp-5v3q.json";

const SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
 {"type":"library","group":"org.apache.logging.log4j","name":"log4j-core","version":"2.14.1",
  "purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
 {"type":"library","name":"zlib","version":"1.3.1"}
]}"#;

/// An app whose server matches SBOMs against a database built from an OSV fixture of
/// tekigo-vulndb.
fn app_with_vulndb(db: Db, record: &str) -> App {
    let fixture = repo_root()
        .join("crates/tekigo-vulndb/tests/fixtures/osv")
        .join(record);
    app_with_advisories(db, fixture)
}

/// An app whose server matches SBOMs against a database imported from `advisories` (a
/// file or a directory of them).
fn app_with_advisories(db: Db, advisories: std::path::PathBuf) -> App {
    blocking(|| {
        let dir = tempfile::tempdir().unwrap();
        let vulndb = dir.path().join("vulndb");
        let opts = tekigo_vulndb::ImportOptions {
            keep_going: false,
            progress: None,
        };
        tekigo_vulndb::import(&vulndb, &[advisories], &opts).unwrap();
        let settings = Settings {
            vulndb: Some(vulndb),
            ..Settings::default()
        };
        App::create(db, dir, settings)
    })
}

/// Sends a `not_affected` decision for log4j, starting from `version`.
async fn put_triage(
    admin: &mut Client,
    version: i64,
    justification: Option<&str>,
) -> (StatusCode, Value) {
    let decision = json!({
        "version": version,
        "vulnerability": "GHSA-jfh8-c2jp-5v3q",
        "component": PURL,
        "state": "not_affected",
        "justification": justification,
        "note": "JNDI lookups are disabled in the gateway build",
    });
    admin
        .send(Method::PUT, "/api/projects/plant/triage", Some(decision))
        .await
}

fn findings(v: &Value) -> Vec<Value> {
    v["sboms"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn upload_sbom_list_findings_and_triage() {
    for db in BOTH {
        triage_flow(db).await;
    }
}

async fn triage_flow(db: Db) {
    let app = app_with_vulndb(db, LOG4J);
    app.import_gateway();
    let mut admin = app.admin().await;

    let (status, _, out) = admin
        .raw(
            Method::POST,
            "/api/projects/plant/sboms?name=gw-firmware",
            Some(b"{\"bomFormat\": \"CycloneDX\", \"components\": 7}".to_vec()),
            "application/octet-stream",
        )
        .await;
    let out = String::from_utf8_lossy(&out);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{db:?}: {out}");
    assert!(out.contains("SBOM") && out.contains("gw-firmware"), "{out}");

    let (status, _, out) = admin
        .raw(
            Method::POST,
            "/api/projects/plant/sboms?name=gw-firmware",
            Some(SBOM.as_bytes().to_vec()),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&out));
    let row: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(row["components"], 2);
    let (status, list) = admin
        .send(Method::GET, "/api/projects/plant/sboms", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");

    let (status, vulns) = admin
        .send(Method::GET, "/api/projects/plant/vulnerabilities", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{vulns}");
    assert!(vulns["vulndb"].is_string(), "{vulns}");
    let found = findings(&vulns);
    assert_eq!(found.len(), 1, "{db:?}: {vulns}");
    let f = &found[0];
    assert_eq!(f["vulnerability"], "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(f["component"], PURL);
    assert_eq!(f["fixed_version"], "2.15.0");
    assert_eq!(f["severity"]["kind"], "CVSS_V3");
    assert_eq!(f["triage"], Value::Null);
    assert_eq!(
        f["triage_key"],
        json!({"vulnerability": "GHSA-jfh8-c2jp-5v3q", "component": PURL, "version": 0})
    );

    let (status, body) = put_triage(&mut admin, 0, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("justification"),
        "{body}"
    );

    let justified = Some("vulnerable_code_not_in_execute_path");
    let (status, body) = put_triage(&mut admin, 0, justified).await;
    assert_eq!(status, StatusCode::OK, "{db:?}: {body}");
    assert_eq!(body["version"], 1);

    let (_, vulns) = admin
        .send(Method::GET, "/api/projects/plant/vulnerabilities", None)
        .await;
    let f = &findings(&vulns)[0];
    assert_eq!(f["triage"]["state"], "not_affected", "{vulns}");
    assert_eq!(
        f["triage"]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(f["triage"]["author"], "root-admin");
    assert_eq!(f["triage_key"]["version"], 1);

    let (status, body) = put_triage(&mut admin, 0, justified).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["current_version"], 1);

    // The decision travels with the project directory, both ways.
    let out = app.dir.path().join("exported");
    let shared = app.state.shared();
    blocking(|| tekigo_server::sync::export_project(shared, "plant", &out).unwrap());
    let triage = tekigo_vex::Triage::load(&out).unwrap();
    assert_eq!(triage.records().len(), 1);
    assert_eq!(triage.records()[0].author, "root-admin");
    blocking(|| tekigo_server::sync::import_project(shared, "test", &out, "plant-copy").unwrap());
    let rows = blocking(|| {
        shared
            .store
            .read(|c| tekigo_store::records::triage(c, "plant-copy"))
            .unwrap()
    });
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].vulnerability.as_str(), rows[0].component.as_str()),
        ("GHSA-jfh8-c2jp-5v3q", PURL)
    );
}

#[tokio::test]
async fn without_an_advisory_database_the_list_says_so() {
    let app = App::new(Db::Sqlite);
    app.import_gateway();
    let mut admin = app.admin().await;
    let (status, body) = admin
        .send(Method::GET, "/api/projects/plant/vulnerabilities", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["vulndb"], Value::Null);
    assert!(
        body["warnings"][0].as_str().unwrap().contains("--vulndb"),
        "{body}"
    );
}

#[tokio::test]
async fn the_page_lists_findings_and_takes_triage_from_its_form() {
    let app = app_with_vulndb(Db::Sqlite, LOG4J);
    app.import_gateway();
    let mut admin = app.admin().await;
    let (_, _, project) = admin.raw(Method::GET, "/p/plant", None, "").await;
    assert!(String::from_utf8_lossy(&project).contains("href=\"/p/plant/vulnerabilities\""));
    let (status, _, _) = admin
        .raw(
            Method::POST,
            "/api/projects/plant/sboms?name=gw-firmware",
            Some(SBOM.as_bytes().to_vec()),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, html) = admin
        .raw(Method::GET, "/p/plant/vulnerabilities?lang=ja", None, "")
        .await;
    let html = String::from_utf8_lossy(&html);
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("GHSA-jfh8-c2jp-5v3q") && html.contains("2.15.0"),
        "{html}"
    );
    assert!(
        html.contains("未トリアージ") && html.contains("name=\"justification\""),
        "{html}"
    );

    // A broken SBOM through the page's form: refused, the gist and serde's detail in
    // Japanese, the field as written, nothing stored.
    let broken = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","version":7}]}"#;
    let (body, ct) = common::multipart(&[("name", "broken")], ("bad.cdx.json", broken));
    let (status, _, html) = admin
        .raw(Method::POST, "/p/plant/sboms?lang=ja", Some(body), &ct)
        .await;
    let html = String::from_utf8_lossy(&html);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("フォームに受け付けられない値があります")
            && html
                .contains("components[0].version: 型が違います: 整数 `7`（期待される型: 文字列）"),
        "{html}"
    );
    assert!(!html.contains(">broken<"), "nothing stored: {html}");

    let form = |justification: &str| {
        format!(
            "version=0&vulnerability=GHSA-jfh8-c2jp-5v3q&component={}&state=not_affected\
             &justification={justification}&action=&note=no+JNDI",
            common::seg(PURL)
        )
        .into_bytes()
    };
    let url = "/p/plant/vulnerabilities/triage?lang=ja";
    let urlencoded = "application/x-www-form-urlencoded";
    let (status, _, html) = admin
        .raw(Method::POST, url, Some(form("")), urlencoded)
        .await;
    let html = String::from_utf8_lossy(&html);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    // The gist in Japanese, as on the error pages; the detail names the field.
    assert!(
        html.contains("フォームに受け付けられない値があります") && html.contains("justification"),
        "{html}"
    );
    let (status, _, html) = admin
        .raw(
            Method::POST,
            url,
            Some(form("component_not_present")),
            urlencoded,
        )
        .await;
    let html = String::from_utf8_lossy(&html);
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("影響なし") && html.contains("no JNDI"),
        "{html}"
    );
    assert!(html.contains("name=\"version\" value=\"1\""), "{html}");
}

/// A real syft SBOM of a distroless Debian 11 image (libc6 2.31-13+deb11u6, source glibc
/// named only in the PURL's `upstream`) against Debian's glibc advisory fixed in
/// 2.31-13+deb11u7: the page shows the finding on libc6, and says it came through glibc.
#[tokio::test]
async fn the_page_names_the_source_package_a_finding_came_through() {
    let app = app_with_vulndb(Db::Sqlite, "DSA-5514-1.json");
    app.import_gateway();
    let mut admin = app.admin().await;
    let sbom = std::fs::read(
        repo_root().join("crates/tekigo-sbom/tests/fixtures/syft-0.78-distroless.cdx.json"),
    )
    .unwrap();
    let (status, _, _) = admin
        .raw(
            Method::POST,
            "/api/projects/plant/sboms?name=distroless",
            Some(sbom),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (lang, label) in [
        ("en", "through its source package"),
        ("ja", "ソースパッケージ経由:"),
    ] {
        let (status, _, html) = admin
            .raw(
                Method::GET,
                &format!("/p/plant/vulnerabilities?lang={lang}"),
                None,
                "",
            )
            .await;
        let html = String::from_utf8_lossy(&html);
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("DSA-5514-1"), "{html}");
        // The component as the SBOM names it (the page escapes its slashes).
        assert!(html.contains("libc6@2.31-13+deb11u6?arch=amd64"), "{html}");
        assert!(
            html.contains(&format!("{label} glibc 2.31-13+deb11u6")),
            "{html}"
        );
        assert!(html.contains("2.31-13+deb11u7"), "{html}");
    }
}

/// The CVSS 3.1 vectors of the synthetic advisories, by level, and their base scores.
const VECTORS: [(&str, f64); 4] = [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3),
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),
];

/// 120 OSV advisories of the PyPI package `bulk` before 2.0, `PYSEC-2099-000` to `-119`:
/// advisory `i` critical, high, medium, low or without a severity as `i % 5` says.
fn bulk_advisories(dir: &std::path::Path) {
    for i in 0..120 {
        let severity = match VECTORS.get(i % 5) {
            Some((vector, _)) => json!([{"type": "CVSS_V3", "score": vector}]),
            None => json!([]),
        };
        let id = format!("PYSEC-2099-{i:03}");
        let record = json!({
            "schema_version": "1.6.0",
            "id": id,
            "modified": "2026-01-01T00:00:00Z",
            "published": "2026-01-01T00:00:00Z",
            "summary": format!("Synthetic advisory {i} of bulk"),
            "severity": severity,
            "affected": [{
                "package": {"ecosystem": "PyPI", "name": "bulk"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]
            }]
        });
        std::fs::write(dir.join(format!("{id}.json")), record.to_string()).unwrap();
    }
}

/// The page at `url` (see `common::page`), with `/` and `&` as written: the templates
/// escape them.
async fn view(admin: &mut common::Client, url: &str) -> String {
    unescaped(&common::page(admin, url).await)
}

fn unescaped(html: &str) -> String {
    html.replace("&#x2f;", "/").replace("&amp;", "&")
}

/// The ids of the finding rows of a page, top to bottom.
fn listed(html: &str) -> Vec<String> {
    html.split("<td>PYSEC-")
        .skip(1)
        .map(|rest| format!("PYSEC-{}", &rest[..8]))
        .collect()
}

/// A device SBOM brings thousands of findings: the page lists one SBOM's in pages of 50,
/// in the order to work in, filtered by the query string, and a decision posted from a
/// filtered page comes back to that page. Each expectation is recomputed plainly from the
/// API's list of the same findings.
#[tokio::test]
async fn the_page_lists_findings_in_pages_filtered_and_in_order() {
    let records = tempfile::tempdir().unwrap();
    bulk_advisories(records.path());
    let app = app_with_advisories(Db::Sqlite, records.path().to_path_buf());
    app.import_gateway();
    let mut admin = app.admin().await;
    let sbom = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
      {"type":"library","name":"bulk","version":"1.0","purl":"pkg:pypi/bulk@1.0"}]}"#;
    for name in ["device", "other"] {
        let (status, _, _) = admin
            .raw(
                Method::POST,
                &format!("/api/projects/plant/sboms?name={name}"),
                Some(sbom.as_bytes().to_vec()),
                "application/octet-stream",
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, vulns) = admin
        .send(Method::GET, "/api/projects/plant/vulnerabilities", None)
        .await;
    let all: Vec<Value> = vulns["sboms"][0]["findings"].as_array().unwrap().clone();
    assert_eq!(all.len(), 120, "{vulns}");
    // The order, recomputed: the level (none counting as critical), then the score
    // (highest first, none last), then the order of the API's list.
    let score = |f: &Value| f["severity"]["score"].as_f64();
    let rank = |f: &Value| match score(f) {
        Some(s) if s >= 9.0 => 0,
        Some(s) if s >= 7.0 => 1,
        Some(s) if s >= 4.0 => 2,
        Some(_) => 3,
        None => 0,
    };
    let mut expected: Vec<&Value> = all.iter().collect();
    expected.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then_with(|| {
            let (x, y) = (score(a).unwrap_or(-1.0), score(b).unwrap_or(-1.0));
            y.total_cmp(&x)
        })
    });
    let ids = |list: &[&Value]| -> Vec<String> {
        list.iter()
            .map(|f| f["vulnerability"].as_str().unwrap().to_string())
            .collect()
    };
    let expected = ids(&expected);

    let html = view(&mut admin, "/p/plant/vulnerabilities?lang=ja").await;
    assert_eq!(listed(&html), expected[..50], "{html}");
    assert!(html.contains("120 件中 1–50 件目"), "{html}");
    assert!(html.contains("1 / 3 ページ"), "{html}");
    assert!(
        html.contains("href=\"/p/plant/vulnerabilities?sbom=device&page=2\""),
        "{html}"
    );
    assert_eq!(html.matches("name=\"vulnerability\"").count(), 50);
    let html = view(&mut admin, "/p/plant/vulnerabilities?sbom=device&page=2").await;
    assert_eq!(listed(&html), expected[50..100]);
    // Past the last page, the last page; not a number, the first.
    let html = view(&mut admin, "/p/plant/vulnerabilities?sbom=device&page=99").await;
    assert_eq!(listed(&html), expected[100..]);
    assert!(html.contains("Findings 101–120 of 120"), "{html}");
    let html = view(&mut admin, "/p/plant/vulnerabilities?page=x").await;
    assert_eq!(listed(&html), expected[..50]);

    // Each level, and the findings without a severity.
    for (level, keep) in [
        ("critical", 0),
        ("high", 1),
        ("medium", 2),
        ("low", 3),
        ("unknown", 4),
    ] {
        let want: Vec<String> = expected
            .iter()
            .filter(|id| id[11..].parse::<usize>().unwrap() % 5 == keep)
            .cloned()
            .collect();
        assert_eq!(want.len(), 24);
        let html = view(
            &mut admin,
            &format!("/p/plant/vulnerabilities?sbom=device&severity={level}"),
        )
        .await;
        assert_eq!(listed(&html), want, "{level}");
        assert!(
            html.contains("Findings 1–24 of 24 (120 in this SBOM)"),
            "{html}"
        );
    }
    // Text, ignoring case; one that matches nothing says so.
    let html = view(&mut admin, "/p/plant/vulnerabilities?q=pysec-2099-007").await;
    assert_eq!(listed(&html), ["PYSEC-2099-007"]);
    let html = view(&mut admin, "/p/plant/vulnerabilities?q=log4j&lang=ja").await;
    assert!(
        listed(&html).is_empty() && html.contains("条件に合う指摘事項はありません"),
        "{html}"
    );

    // A decision from page 1 of the high findings of the second SBOM: the answer is that
    // page again, with the decision on it, and the other filters count it.
    let high = "PYSEC-2099-006";
    let form = format!(
        "version=0&vulnerability={high}&component={}&state=not_affected\
         &justification=vulnerable_code_not_present&action=&note=",
        common::seg("pkg:pypi/bulk@1.0")
    );
    let (status, _, html) = admin
        .raw(
            Method::POST,
            "/p/plant/vulnerabilities/triage?sbom=other&severity=high&lang=ja",
            Some(form.into_bytes()),
            "application/x-www-form-urlencoded",
        )
        .await;
    let html = unescaped(&String::from_utf8_lossy(&html));
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("トリアージを保存しました"), "{html}");
    assert!(
        html.contains("<h2>other</h2>") && html.contains("24 件中 1–24 件目"),
        "{html}"
    );
    assert!(
        html.contains("triage?sbom=other&severity=high\""),
        "the forms post back to this view: {html}"
    );
    // The decision is by component, so both SBOMs' findings carry it.
    for (triage, count) in [("open", 119), ("untriaged", 119), ("not_affected", 1)] {
        let html = view(
            &mut admin,
            &format!("/p/plant/vulnerabilities?triage={triage}"),
        )
        .await;
        assert!(
            html.contains(&format!("of {count} (120 in this SBOM)")),
            "{triage}: {html}"
        );
    }
    let html = view(&mut admin, "/p/plant/vulnerabilities?triage=not_affected").await;
    assert_eq!(listed(&html), [high]);
}

/// `serve --demo` without an advisory database builds a small one of public advisories and
/// uploads the example gateway's SBOM: the page has findings to show, Log4Shell first (in
/// the KEV catalog) and glibc through its source package; a second start adds nothing.
#[tokio::test]
async fn the_demo_shows_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (db, n) = blocking({
        let data = dir.path().join("data");
        move || tekigo_server::demo::advisories(&data).unwrap()
    });
    assert_eq!(n, 4);
    let settings = Settings {
        vulndb: Some(db),
        ..Settings::default()
    };
    let app = blocking(|| App::create(Db::Sqlite, dir, settings));
    for _ in 0..2 {
        blocking(|| tekigo_server::demo::load(app.state.shared()).unwrap());
    }
    let mut admin = app.admin().await;
    let (status, vulns) = admin
        .send(Method::GET, "/api/projects/gateway/vulnerabilities", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{vulns}");
    assert_eq!(vulns["sboms"].as_array().unwrap().len(), 1, "{vulns}");
    let found = findings(&vulns);
    let ids: Vec<&str> = found
        .iter()
        .map(|f| f["vulnerability"].as_str().unwrap())
        .collect();
    // The API in the SBOM's order (libc6 comes first), the page in the order to work in.
    assert_eq!(ids, ["DSA-5514-1", "GHSA-jfh8-c2jp-5v3q"], "{vulns}");
    assert_eq!(
        found[0]["explanation"]["via_source"],
        "glibc 2.36-9+deb12u1"
    );
    assert_eq!(found[1]["kev"], true);
    let html = view(&mut admin, "/p/gateway/vulnerabilities?lang=ja").await;
    assert_eq!(listed_ids(&html), ["GHSA-jfh8-c2jp-5v3q", "DSA-5514-1"]);
    assert!(html.contains("KEV 2021-12-10"), "{html}");
}

/// The ids of the finding rows of a page, top to bottom, whatever their prefix.
fn listed_ids(html: &str) -> Vec<String> {
    html.split("<tr>\n        <td>")
        .skip(1)
        .map(|rest| rest.split(['<', '\n']).next().unwrap_or("").to_string())
        .collect()
}
