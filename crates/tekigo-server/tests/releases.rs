//! Frozen releases in the server: brought in by import and written back by export byte for
//! byte, a tampered release refused, and the release list and diff pages in English and
//! Japanese showing what `tekigo release diff` computes.

mod common;

use common::{blocking, page, repo_root, App, Db, BOTH};
use tekigo_server::sync;

const BOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
    {"type":"library","name":"zlib1g","version":"1.2.13","purl":"pkg:deb/debian/zlib1g@1.2.13?arch=amd64"}
    COMPONENTS]}"#;

/// The gateway example with releases 1.0 and 1.1 frozen; 1.1 adds OpenSSH.
fn project_with_releases(root: &std::path::Path) -> std::path::PathBuf {
    let dir = root.join("gateway");
    common::copy_dir(&repo_root().join("examples/gateway"), &dir);
    let project = tekigo_assess::Project::open(&dir).unwrap();
    let catalog = tekigo_catalog::Catalog::builtin().unwrap();
    for (version, extra) in [
        ("1.0", ""),
        (
            "1.1",
            r#",{"type":"library","name":"openssh-server","version":"9.2p1","purl":"pkg:deb/debian/openssh-server@9.2p1?arch=amd64"}"#,
        ),
    ] {
        let sbom = root.join(format!("bom-{version}.json"));
        std::fs::write(&sbom, BOM.replace("COMPONENTS", extra)).unwrap();
        let sboms = [sbom];
        let opts = tekigo_release::FreezeOptions {
            sboms: &sboms,
            support_until: Some("2030-12-31".into()),
            frozen_at: format!(
                "2026-12-0{}T00:00:00Z",
                if version == "1.0" { 1 } else { 2 }
            ),
            ..Default::default()
        };
        tekigo_release::freeze(&project, catalog, version, &opts).unwrap();
    }
    dir
}

#[test]
fn import_then_export_keeps_releases_byte_for_byte_and_refuses_a_tampered_one() {
    for db in BOTH {
        let app = App::new(db);
        let dir = project_with_releases(app.dir.path());
        let shared = app.state.shared();
        blocking(|| sync::import_project(shared, "test", &dir, "gw").unwrap());
        let out = app.dir.path().join("exported");
        blocking(|| sync::export_project(shared, "gw", &out).unwrap());
        for v in ["1.0", "1.1"] {
            for name in ["release.json", &format!("bom-{v}.json")] {
                let a = std::fs::read(dir.join("releases").join(v).join(name)).unwrap();
                let b = std::fs::read(out.join("releases").join(v).join(name)).unwrap();
                assert_eq!(a, b, "{db:?}: releases/{v}/{name} changed on the way");
            }
            let check = tekigo_release::verify(&out, v, None).unwrap();
            assert!(check.ok(), "{:?}", check.failures);
        }
        // A release changed after its freeze does not come in, nor does anything else.
        let bad = app.dir.path().join("tampered");
        common::copy_dir(&dir, &bad);
        std::fs::write(
            bad.join("releases/1.1/bom-1.1.json"),
            BOM.replace("COMPONENTS", ""),
        )
        .unwrap();
        let err = blocking(|| sync::import_project(shared, "test", &bad, "bad").unwrap_err());
        assert!(err.to_string().contains("release 1.1"), "{err}");
        let project = blocking(|| {
            shared
                .store
                .read(|c| tekigo_store::records::project(c, "bad"))
                .unwrap()
        });
        assert!(project.is_none());
    }
}

#[tokio::test]
async fn the_release_pages_show_the_list_and_the_classified_diff_in_both_languages() {
    let app = App::new(Db::Sqlite);
    let dir = project_with_releases(app.dir.path());
    let shared = app.state.shared();
    blocking(|| sync::import_project(shared, "test", &dir, "gw").unwrap());
    let mut admin = app.admin().await;
    let html = page(&mut admin, "/p/gw").await;
    assert!(
        html.contains("href=\"/p/gw/releases\""),
        "the project links its releases"
    );
    let html = page(&mut admin, "/p/gw/releases").await;
    assert!(html.contains("<td>1.0</td>") && html.contains("<td>1.1</td>"));
    assert!(html.contains("2030-12-31"));

    // The diff as `tekigo release diff` computes it from the same files.
    let (a, b) = (
        tekigo_release::load(&dir, "1.0").unwrap(),
        tekigo_release::load(&dir, "1.1").unwrap(),
    );
    let d = tekigo_release::diff::diff(&dir, &a, &b, tekigo_catalog::Lang::En).unwrap();
    assert_eq!(
        d.classification.verdict,
        tekigo_release::diff::Verdict::NotifyCertificationBody
    );
    let html = page(&mut admin, "/p/gw/releases?from=1.0&to=1.1&lang=en").await;
    assert!(html.contains("notify the certification body"), "{html}");
    assert!(html.contains("<code>notify-certification-body</code>"));
    assert!(html.contains("<strong>N4</strong>"));
    assert!(html.contains("openssh-server?arch=amd64@9.2p1"));
    let ja = page(&mut admin, "/p/gw/releases?from=1.0&to=1.1&lang=ja").await;
    assert!(ja.contains("認証機関への通知が必要"), "{ja}");
    assert!(ja.contains("SBOMのコンポーネントが追加または削除された"));

    let (status, _, _) = admin
        .raw(
            axum::http::Method::GET,
            "/p/gw/releases?from=1.0&to=9.9",
            None,
            "",
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::NOT_FOUND);
}

/// The upkeep's files (issue 16): a certificate, the CRA record and the watch's findings
/// come back from `server export` byte for byte, and an import of a broken certificate is
/// refused with its file named and nothing stored.
#[test]
fn import_then_export_keeps_the_upkeep_files_byte_for_byte() {
    const CERT: &str = "# issued by the lab\nid: csa-1\nscheme: ISASecure CSA\nbody: Example Lab\nnumber: CSA-0042\nstandard: 62443-4-2\nlevel: '{2 2 2 2 2 2 2}'\ncomponent: gw-100\nissued: 2026-01-15\nexpires: 2029-01-14\nsurveillance_months: 12\nrenewal_items:\n- item: Re-test after a major release\n  due: 2027-06-30\n";
    const CRA: &str = "format: 1\nvulnerabilities:\n- vulnerability: CVE-2024-3094\n  component: gw-100\n  aware_at: 2026-12-01T09:00:00Z\n  reported:\n    early-warning: 2026-12-01T20:00:00Z\n";
    const WATCH: &str = r#"{"format":1,"findings":[{"release":"1.0","vulnerability":"CVE-2024-3094","aliases":[],"component":"pkg:deb/debian/xz-utils@5.6.0","first_seen":"2026-12-01T08:00:00Z","kev":true,"kev_date_added":"2024-03-29"}]}"#;
    let files = [
        ("certificates/csa-1.yaml", CERT),
        ("cra/exploited.yaml", CRA),
        ("watch/findings.json", WATCH),
    ];
    for db in BOTH {
        let app = App::new(db);
        let dir = app.dir.path().join("gateway");
        common::copy_dir(&repo_root().join("examples/gateway"), &dir);
        for (rel, text) in files {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let shared = app.state.shared();
        blocking(|| sync::import_project(shared, "test", &dir, "gw").unwrap());
        let out = app.dir.path().join("exported");
        blocking(|| sync::export_project(shared, "gw", &out).unwrap());
        for (rel, text) in files {
            let back = std::fs::read_to_string(out.join(rel))
                .unwrap_or_else(|e| panic!("{db:?}: {rel} not exported: {e}"));
            assert_eq!(back, text, "{db:?}: {rel} changed on the way");
        }

        // A certificate for a component the project does not have: refused, named, and the
        // project is not created.
        let bad = app.dir.path().join("bad");
        common::copy_dir(&dir, &bad);
        std::fs::write(
            bad.join("certificates/csa-1.yaml"),
            CERT.replace("component: gw-100", "component: no-such-device"),
        )
        .unwrap();
        let err = blocking(|| sync::import_project(shared, "test", &bad, "gw2").unwrap_err());
        assert!(err.to_string().contains("csa-1.yaml"), "{db:?}: {err}");
        let again = app.dir.path().join("exported-2");
        assert!(
            blocking(|| sync::export_project(shared, "gw2", &again)).is_err(),
            "{db:?}: the refused project was stored"
        );
    }
}
