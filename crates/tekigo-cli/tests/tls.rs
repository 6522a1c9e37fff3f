//! `tekigo serve --tls-cert --tls-key` as a real process, with a certificate `openssl req`
//! makes for the test, talked to by `openssl s_client`: TLS 1.2 and 1.3 handshakes that
//! verify the certificate, TLS 1.1 refused, HSTS on every answer, the session cookie
//! `Secure`; and certificate or key files that cannot be used stop the command with exit 2
//! and the file's name before anything is written.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// `openssl ARGS` in `dir`, which must succeed.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is needed by this test");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A self-signed P-256 certificate for 127.0.0.1 as `NAME.crt` and its key `NAME.key`.
fn certificate(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=tekigo test",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
        ],
    );
}

fn serve_command(data: &Path, cert: &Path, key: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tekigo"));
    cmd.env_remove("TEKIGO_DATABASE_URL")
        .env_remove("TEKIGO_LANG")
        .args(["serve", "--bind", "127.0.0.1:0", "--data"])
        .arg(data)
        .arg("--tls-cert")
        .arg(cert)
        .arg("--tls-key")
        .arg(key);
    cmd
}

/// The server, killed when the test ends however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server; returns it, its `host:port` and the one-time setup token.
fn start(data: &Path, cert: &Path, key: &Path) -> (Running, String, String) {
    let mut child = serve_command(data, cert, key)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start tekigo serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let server = Running(child);
    let mut next = || {
        lines
            .next()
            .expect("tekigo serve ended before it printed its address and token")
            .expect("read tekigo serve's output")
    };
    let first = next();
    let addr = first
        .strip_prefix("tekigo serve: listening on https://")
        .unwrap_or_else(|| panic!("not an https address: {first}"))
        .to_string();
    let token = loop {
        if let Some(t) = next().strip_prefix("setup token: ") {
            break t.to_string();
        }
    };
    // Keep draining stdout so the server never blocks writing to it.
    std::thread::spawn(move || lines.for_each(drop));
    (server, addr, token)
}

/// One HTTP/1.1 request through `openssl s_client` with `version` (e.g. `-tls1_2`),
/// verifying the certificate against `ca` and the address 127.0.0.1. Returns the exit
/// status, what came back (stdout) and the client's report (stderr).
fn s_client(addr: &str, ca: &Path, version: &[&str], request: &str) -> (bool, String, String) {
    let mut child = Command::new("openssl")
        .args(["s_client", "-connect", addr, "-brief", "-ign_eof"])
        .args(["-verify_return_error", "-verify_ip", "127.0.0.1", "-CAfile"])
        .arg(ca)
        .args(version)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl s_client");
    // A refused handshake can end the client before it reads the request: its pipe is
    // then closed, which is the refusal being tested, not a failure of the test.
    if let Err(e) = child.stdin.take().unwrap().write_all(request.as_bytes()) {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "write the request: {e}"
        );
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("openssl s_client output");
    (
        status.success(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
}

fn post_json(path: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// The value of `name` in an HTTP answer's head, case-insensitively.
fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = answer.split("\r\n\r\n").next()?;
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn serve_speaks_tls_1_2_and_1_3_with_hsts_and_refuses_tls_1_1() {
    let dir = tempfile::tempdir().unwrap();
    certificate(dir.path(), "server");
    let (cert, key) = (dir.path().join("server.crt"), dir.path().join("server.key"));
    let (_server, addr, token) = start(&dir.path().join("data"), &cert, &key);

    for (flag, name) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        let (ok, answer, report) = s_client(&addr, &cert, &[flag], &get("/healthz"));
        assert!(ok, "{flag}: {report}");
        assert!(
            report.contains(&format!("Protocol version: {name}")),
            "{flag}: {report}"
        );
        assert!(
            report.contains("Verification: OK"),
            "{flag}: the certificate must verify: {report}"
        );
        assert!(
            answer.starts_with("HTTP/1.1 200 OK\r\n"),
            "{flag}: {answer}"
        );
        assert!(answer.ends_with("\r\n\r\nok\n"), "{flag}: {answer}");
        assert_eq!(
            header(&answer, "strict-transport-security"),
            Some("max-age=31536000"),
            "{flag}: {answer}"
        );
    }

    // TLS 1.1 and 1.0, with every cipher this openssl would allow, get no session: the
    // refusal is the server's, not the client's security level.
    for flag in ["-tls1_1", "-tls1"] {
        let (ok, answer, report) = s_client(
            &addr,
            &cert,
            &[flag, "-cipher", "DEFAULT@SECLEVEL=0"],
            &get("/healthz"),
        );
        assert!(!ok, "{flag} was accepted: {report}");
        assert!(!answer.contains("HTTP/1.1"), "{flag}: {answer}");
        assert!(
            report.contains("alert protocol version") || report.contains("alert handshake failure"),
            "{flag}: the server must answer with an alert: {report}"
        );
    }

    // An error page carries HSTS too, and a session made over TLS is a Secure cookie.
    let (_, missing, _) = s_client(&addr, &cert, &[], &get("/no-such-page"));
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    assert!(
        header(&missing, "strict-transport-security").is_some(),
        "{missing}"
    );
    let password = "tls only kettle 9 orbit";
    let setup = format!(r#"{{"token":"{token}","username":"admin","password":"{password}"}}"#);
    let (_, created, _) = s_client(&addr, &cert, &[], &post_json("/setup", &setup));
    assert!(created.starts_with("HTTP/1.1 20"), "{created}");
    let login = format!(r#"{{"username":"admin","password":"{password}"}}"#);
    let (_, session, _) = s_client(&addr, &cert, &[], &post_json("/login", &login));
    let cookie = header(&session, "set-cookie").unwrap_or_else(|| panic!("no cookie: {session}"));
    assert!(cookie.starts_with("__Host-tekigo_session="), "{cookie}");
    assert!(cookie.split(';').any(|a| a.trim() == "Secure"), "{cookie}");
}

/// Runs `tekigo serve` with files that cannot serve TLS; it must exit 2, print `names`
/// and never create the data directory.
fn refused(cert: &Path, key: &Path, names: &[&Path]) {
    let data = key.parent().unwrap().join("never-created");
    let out = serve_command(&data, cert, key).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for name in names {
        assert!(
            err.contains(&*name.to_string_lossy()),
            "{} is not named: {err}",
            name.display()
        );
    }
    assert!(!data.exists(), "a refused start must not create {data:?}");
}

#[test]
fn unusable_certificate_or_key_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    certificate(dir.path(), "a");
    certificate(dir.path(), "b");
    let p = |n: &str| dir.path().join(n);
    // The key file does not exist.
    refused(&p("a.crt"), &p("missing.key"), &[&p("missing.key")]);
    // The certificate file does not exist.
    refused(&p("missing.crt"), &p("a.key"), &[&p("missing.crt")]);
    // A key given as the certificate: no certificate in it.
    refused(&p("a.key"), &p("a.key"), &[&p("a.key")]);
    // A certificate given as the key: no key in it.
    refused(&p("a.crt"), &p("a.crt"), &[&p("a.crt")]);
    // Another certificate's key.
    refused(&p("a.crt"), &p("b.key"), &[&p("a.crt"), &p("b.key")]);
    // Not PEM at all.
    std::fs::write(p("junk.crt"), b"\x00\xff not a certificate\n").unwrap();
    refused(&p("junk.crt"), &p("a.key"), &[&p("junk.crt")]);
    // In Japanese, the sentence is Japanese and still names both files.
    let out = serve_command(&p("never-created"), &p("a.crt"), &p("missing.key"))
        .env("TEKIGO_LANG", "ja")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with(&format!(
            "エラー: 証明書 {} と秘密鍵 {} では HTTPS を提供できません",
            p("a.crt").display(),
            p("missing.key").display()
        )),
        "{err}"
    );
}
