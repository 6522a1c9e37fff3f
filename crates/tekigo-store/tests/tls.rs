//! TLS to a real PostgreSQL (`scripts/setup/60-postgres.sh`; Debian's cluster serves TLS
//! with the machine's snakeoil certificate, issued to `localhost`): each `sslmode` gives
//! the connection PostgreSQL itself reports in `pg_stat_ssl`, and every certificate that
//! must not be trusted stops the connection.

use std::path::Path;
use std::process::Command;
use tekigo_store::testing::fresh_postgres_url;
use tekigo_store::{Store, StoreError};

/// `url` with `params` appended to its query.
fn with(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

/// What PostgreSQL says about this store's connection: `plain` or `TLSv1.x`.
fn transport(store: &Store) -> String {
    store
        .read(|c| {
            c.query(
                "SELECT CASE WHEN ssl THEN version ELSE 'plain' END FROM pg_stat_ssl \
                 WHERE pid = pg_backend_pid()",
                &[],
            )?
            .first()
            .expect("a pg_stat_ssl row for this backend")
            .text(0)
        })
        .expect("query pg_stat_ssl")
}

/// The test server's URL (with a fresh schema) and a copy of its certificate, which the
/// server must be serving.
fn server() -> (String, tempfile::TempDir) {
    let url = fresh_postgres_url().expect("test schema on PostgreSQL");
    let store = Store::open(&with(&url, "sslmode=disable")).expect("plain connection");
    assert_eq!(transport(&store), "plain");
    let file = store
        .read(|c| c.query("SHOW ssl_cert_file", &[])?[0].text(0))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("root.crt");
    std::fs::copy(&file, &copy).unwrap_or_else(|e| {
        panic!("the test reads the server's certificate {file} as the trust anchor: {e}")
    });
    (url, dir)
}

fn open_err(url: &str) -> String {
    match Store::open(url) {
        Ok(_) => panic!("{url} connected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn sslmode_decides_whether_the_connection_is_encrypted() {
    let (url, _dir) = server();
    for mode in ["require", "prefer"] {
        let store = Store::open(&with(&url, &format!("sslmode={mode}"))).unwrap();
        let t = transport(&store);
        assert!(t.starts_with("TLSv1."), "sslmode={mode}: {t}");
        assert!(t == "TLSv1.2" || t == "TLSv1.3", "sslmode={mode}: {t}");
    }
    // No sslmode is libpq's default, prefer: encrypted when the server offers TLS.
    assert!(transport(&Store::open(&url).unwrap()).starts_with("TLSv1."));
}

#[test]
fn verify_full_checks_the_chain_and_the_host_name() {
    let (url, dir) = server();
    assert!(
        url.contains("@127.0.0.1:"),
        "the test compares host 127.0.0.1 and localhost: {url}"
    );
    let root = dir.path().join("root.crt");
    let anchor = format!("sslrootcert={}", root.display());
    let localhost = url.replace("@127.0.0.1:", "@localhost:");

    let full = with(&localhost, &format!("sslmode=verify-full&{anchor}"));
    assert!(transport(&Store::open(&full).unwrap()).starts_with("TLSv1."));
    // The certificate names localhost, not 127.0.0.1: verify-full refuses, verify-ca
    // (the chain only) accepts.
    let err = open_err(&with(&url, &format!("sslmode=verify-full&{anchor}")));
    assert!(err.contains("not valid for name \"127.0.0.1\""), "{err}");
    let ca = with(&url, &format!("sslmode=verify-ca&{anchor}"));
    assert!(transport(&Store::open(&ca).unwrap()).starts_with("TLSv1."));

    // Another anchor: every verifying mode refuses the server.
    let other = dir.path().join("other.crt");
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=another anchor", "-keyout"])
        .arg(dir.path().join("other.key"))
        .arg("-out")
        .arg(&other)
        .output()
        .expect("openssl");
    assert!(made.status.success());
    let anchor = format!("sslrootcert={}", other.display());
    for (base, mode) in [
        (&localhost, "verify-full"),
        (&url, "verify-ca"),
        (&url, "require"),
    ] {
        let err = open_err(&with(base, &format!("sslmode={mode}&{anchor}")));
        assert!(err.contains("UnknownIssuer"), "sslmode={mode}: {err}");
    }
}

#[test]
fn unsupported_or_unreadable_tls_settings_are_refused_by_name() {
    let url = "postgres://u:p@127.0.0.1:1/db";
    let url_err = |params: &str| match Store::open(&with(url, params)) {
        Err(StoreError::Url(m)) => m,
        Err(other) => panic!("{params}: {other}"),
        Ok(_) => panic!("{params}: opened"),
    };
    let missing = Path::new("/nonexistent/root.crt");
    let m = url_err(&format!(
        "sslmode=verify-full&sslrootcert={}",
        missing.display()
    ));
    assert!(m.contains("/nonexistent/root.crt"), "{m}");
    let m = url_err("sslmode=allow");
    assert!(m.contains("sslmode=allow is not supported"), "{m}");
    let m = url_err("sslmode=verify-ca&sslcert=client.crt");
    assert!(m.contains("sslcert is not supported"), "{m}");
    // A file that is not a certificate.
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk%20name.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let m = url_err(&format!(
        "sslmode=verify-ca&sslrootcert={}",
        dir.path().join("junk%2520name.pem").display()
    ));
    assert!(
        m.contains(&*junk.to_string_lossy()) && m.contains("no PEM CERTIFICATE"),
        "{m}"
    );
}

/// A Unix socket has no host name for TLS; PostgreSQL declines TLS there, and the
/// connection goes on to the server's own authentication (peer, on Debian's cluster) in
/// every mode that allows a plain connection.
#[test]
fn a_unix_socket_is_not_stopped_by_tls() {
    let url = tekigo_store::testing::postgres_url();
    let port = url
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .expect("a port in the test URL")
        .to_string();
    for mode in ["prefer", "disable"] {
        let socket = format!(
            "postgres://nobody_{mode}@%2Fvar%2Frun%2Fpostgresql:{port}/tekigo_test?sslmode={mode}"
        );
        let err = open_err(&socket);
        assert!(
            err.contains("authentication failed") || err.contains("does not exist"),
            "sslmode={mode}: the server must have answered: {err}"
        );
    }
}
