//! `tekigo probe` against real services: OpenSSH of the test images in a good and a bad
//! configuration, BusyBox telnetd and httpd, `openssl s_server` with a weak and a strong
//! configuration, each in a network namespace of its own made by scripts/probe-lab.sh,
//! whose only interface is its loopback. Needs root and the images of
//! scripts/setup/30-images.sh; without them the tests skip, and fail under CI=true.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A namespace with services, removed when dropped.
struct Lab {
    name: String,
}

static LABS: AtomicUsize = AtomicUsize::new(0);

impl Lab {
    /// None (a skip) without root or `ip`; a failure under CI=true.
    fn up(services: &[&str]) -> Option<Lab> {
        let have_ip = Command::new("ip").arg("-V").output().is_ok();
        if !is_root() || !have_ip {
            assert!(!ci(), "the probe tests need root and iproute2");
            eprintln!("skipping: the probe tests need root and iproute2");
            return None;
        }
        let name = format!(
            "tkp{}-{}",
            std::process::id(),
            LABS.fetch_add(1, Ordering::Relaxed)
        );
        let out = Command::new(repo().join("scripts/probe-lab.sh"))
            .arg("up")
            .arg(&name)
            .args(services)
            .output()
            .expect("run scripts/probe-lab.sh");
        let lab = Lab { name };
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            if err.contains("image") && err.contains("missing") && !ci() {
                eprintln!("skipping: {err}");
                return None;
            }
            panic!("probe-lab up failed: {err}");
        }
        Some(lab)
    }

    /// The lab's state directory (scripts/probe-lab.sh).
    fn state(&self) -> PathBuf {
        PathBuf::from(
            std::env::var_os("TEKIGO_LAB_DIR").unwrap_or_else(|| "/run/tekigo-probe-lab".into()),
        )
        .join(&self.name)
    }

    fn password_file(&self) -> PathBuf {
        self.state().join("operator.password")
    }

    /// `tekigo ARGS` run inside the namespace.
    fn tekigo(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", &self.name, env!("CARGO_BIN_EXE_tekigo")])
            .args(args)
            .env_remove("TEKIGO_LANG")
            .output()
            .expect("run tekigo in the namespace")
    }

    fn probe_json(&self, args: &[&str]) -> (Value, i32) {
        let mut all = vec!["probe", "--target", "127.0.0.1", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.tekigo(&all);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}); stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (v, out.status.code().unwrap())
    }
}

impl Lab {
    /// A probe of `ports` as the lab's operator account, with the lockout test (6 wrong
    /// passwords) and `extra` arguments.
    fn probe_with_lockout(&self, ports: &str, extra: &[&str]) -> (Value, i32) {
        let pw = self.password_file();
        let mut args = vec![
            "--ports",
            ports,
            "--ssh-user",
            "operator",
            "--ssh-password-file",
            pw.to_str().unwrap(),
            "--allow-lockout-test",
            "--lockout-attempts",
            "6",
        ];
        args.extend_from_slice(extra);
        self.probe_json(&args)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/probe-lab.sh"))
            .args(["down", &self.name])
            .output();
    }
}

fn result<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no result {check}"))
}

fn verdict(report: &Value, check: &str) -> String {
    result(report, check)["verdict"]
        .as_str()
        .unwrap()
        .to_string()
}

fn requirements(report: &Value, check: &str) -> Vec<String> {
    result(report, check)["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn evidence_ports(report: &Value, check: &str) -> Vec<u64> {
    result(report, check)["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["port"].as_u64())
        .collect()
}

#[test]
fn the_bad_sshd_takes_a_default_password_never_locks_and_offers_weak_algorithms() {
    let Some(lab) = Lab::up(&["sshd-bad:22"]) else {
        return;
    };
    let pw = lab.password_file();
    let (report, code) = lab.probe_with_lockout("1-1024", &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["schema_version"], "1.1");
    assert_eq!(report["target"]["kind"], "host");
    assert_eq!(report["facts"]["address"], "127.0.0.1");
    assert!(report["facts"]["service.22/tcp"]
        .as_str()
        .unwrap()
        .starts_with("ssh: SSH-2.0-OpenSSH_9.2"));

    let creds = result(&report, "probe.default-credentials");
    assert_eq!(creds["verdict"], "fail", "{creds:#}");
    assert!(requirements(&report, "probe.default-credentials").contains(&"CR 1.5".to_string()));
    let detail = creds["detail"].as_str().unwrap();
    assert!(detail.contains("port 22"), "{detail}");
    assert!(
        detail.contains("root") && detail.contains("admin"),
        "{detail}"
    );
    assert!(evidence_ports(&report, "probe.default-credentials").contains(&22));
    assert_eq!(creds["origin"], "probe");

    let lockout = result(&report, "probe.lockout");
    assert_eq!(lockout["verdict"], "fail", "{lockout:#}");
    assert_eq!(requirements(&report, "probe.lockout"), ["CR 1.11"]);
    assert!(lockout["detail"]
        .as_str()
        .unwrap()
        .contains("after 6 wrong passwords the right one was still accepted"));

    let algos = result(&report, "probe.ssh-algorithms");
    assert_eq!(algos["verdict"], "fail");
    let d = algos["detail"].as_str().unwrap();
    for weak in [
        "diffie-hellman-group14-sha1",
        "aes128-cbc",
        "hmac-sha1",
        "ssh-rsa",
    ] {
        assert!(d.contains(weak), "{weak} not in {d}");
    }
    assert_eq!(verdict(&report, "probe.login-banner"), "fail");
    // Checks with nothing to test say so.
    assert_eq!(verdict(&report, "probe.tls-versions"), "not_applicable");
    assert_eq!(verdict(&report, "probe.idle-session"), "not_applicable");

    // No password sent is in the report: not the operator's, not a default one.
    let text = report.to_string();
    let operator = std::fs::read_to_string(&pw).unwrap();
    assert!(!text.contains(operator.trim()));
    assert!(text.contains("password=********"));
    assert!(!text.contains("password=admin") && !text.contains("password=root"));
}

#[test]
fn the_good_sshd_refuses_default_passwords_locks_the_account_and_ends_idle_sessions() {
    let Some(lab) = Lab::up(&["sshd-good:2222"]) else {
        return;
    };
    let scanner = env!("CARGO_BIN_EXE_tekigo");
    let (report, code) =
        lab.probe_with_lockout("2222", &["--idle-wait", "30", "--scanner", scanner]);
    let creds = result(&report, "probe.default-credentials");
    assert_eq!(creds["verdict"], "pass", "{creds:#}");
    assert!(creds["detail"].as_str().unwrap().contains("refused"));
    let lockout = result(&report, "probe.lockout");
    assert_eq!(lockout["verdict"], "pass", "{lockout:#}");
    assert!(lockout["detail"]
        .as_str()
        .unwrap()
        .contains("the right one was refused"));
    assert_eq!(verdict(&report, "probe.login-banner"), "pass");
    assert!(result(&report, "probe.login-banner")["detail"]
        .as_str()
        .unwrap()
        .contains("Authorised use only"));
    assert_eq!(verdict(&report, "probe.ssh-algorithms"), "pass");
    assert_eq!(verdict(&report, "probe.idle-session"), "pass", "{report:#}");
    // Every behavioural test passes; the findings come from the configuration, read over
    // SSH by the scanner, which sees what the probe saw: passwords are accepted.
    let results = report["results"].as_array().unwrap();
    assert!(results
        .iter()
        .filter(|r| r["origin"] == "probe")
        .all(|r| r["verdict"] == "pass" || r["verdict"] == "not_applicable"));
    let config = result(&report, "ssh.password-authentication");
    assert_eq!(config["origin"], "scan");
    assert_eq!(config["verdict"], "fail");
    assert!(report["facts"]["configuration"]
        .as_str()
        .unwrap()
        .starts_with("tekigo scan run over SSH on port 2222 as operator"));
    assert_eq!(code, 1, "{report:#}");
    // The scanner's temporary directory is gone from the device.
    let tmp = lab.state().join("sshd-2222/upper/tmp");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left in /tmp: {left:?}");
}

#[test]
fn a_server_accepting_tls_1_0_fails_naming_the_port_and_a_strong_one_passes() {
    let Some(lab) = Lab::up(&["tls-weak:4433", "tls-strong:8443"]) else {
        return;
    };
    let (weak, code) = lab.probe_json(&["--ports", "4433"]);
    assert_eq!(code, 1);
    let versions = result(&weak, "probe.tls-versions");
    assert_eq!(versions["verdict"], "fail", "{versions:#}");
    let d = versions["detail"].as_str().unwrap();
    assert!(d.starts_with("port 4433: accepts TLS 1.0"), "{d}");
    assert!(evidence_ports(&weak, "probe.tls-versions")
        .iter()
        .all(|p| *p == 4433));
    assert!(requirements(&weak, "probe.tls-versions").contains(&"CR 4.3".to_string()));
    assert_eq!(verdict(&weak, "probe.tls-certificate-key"), "fail");
    assert_eq!(verdict(&weak, "probe.tls-certificate-signature"), "fail");
    assert_eq!(verdict(&weak, "probe.tls-certificate-hostname"), "fail");

    let (strong, code) = lab.probe_json(&["--ports", "8443"]);
    for check in [
        "probe.tls-versions",
        "probe.tls-ciphers",
        "probe.tls-certificate-key",
        "probe.tls-certificate-signature",
        "probe.tls-certificate-validity",
        "probe.tls-certificate-hostname",
    ] {
        assert_eq!(verdict(&strong, check), "pass", "{check}: {strong:#}");
    }
    assert!(result(&strong, "probe.tls-versions")["detail"]
        .as_str()
        .unwrap()
        .contains("accepts only TLS 1.2, TLS 1.3"));
    assert!(strong["facts"]["service.8443/tcp"]
        .as_str()
        .unwrap()
        .starts_with("http over TLS"));
    assert_eq!(code, 0, "{strong:#}");
}

#[test]
fn telnet_and_a_plain_http_login_form_carry_credentials_in_clear() {
    let Some(lab) = Lab::up(&["telnet:23", "http:8080"]) else {
        return;
    };
    let (report, code) = lab.probe_json(&["--ports", "1-9000", "--declared-ports", "8080"]);
    assert_eq!(code, 1);
    let clear = result(&report, "probe.cleartext-login");
    assert_eq!(clear["verdict"], "fail");
    let d = clear["detail"].as_str().unwrap();
    assert!(d.contains("port 23: Telnet asks for a user name"), "{d}");
    assert!(
        d.contains("port 8080: plain HTTP serves a login form"),
        "{d}"
    );
    // BusyBox root/root over Telnet.
    let creds = result(&report, "probe.default-credentials");
    assert_eq!(creds["verdict"], "fail", "{creds:#}");
    assert!(creds["detail"].as_str().unwrap().contains("port 23"));
    assert_eq!(verdict(&report, "probe.login-banner"), "pass");
    // Port 23 is open but only 8080 is declared.
    let open = result(&report, "probe.open-ports");
    assert_eq!(open["verdict"], "fail");
    assert!(open["detail"]
        .as_str()
        .unwrap()
        .contains("port 23: telnet is open but not declared in --declared-ports"));

    // An assessment takes the probe as it takes a scan, and says where the answer came from.
    let dir = tempfile::tempdir().unwrap();
    let run = |cwd: &Path, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tekigo"))
            .args(args)
            .current_dir(cwd)
            .env_remove("TEKIGO_LANG")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(
        dir.path(),
        &[
            "init",
            "gw",
            "--product",
            "GW",
            "--component",
            "gw:embedded:1.0",
        ],
    );
    let project = dir.path().join("gw");
    std::fs::write(project.join("probe.json"), report.to_string()).unwrap();
    run(
        &project,
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-2",
            "--component",
            "gw",
            "--sl-t",
            "2",
            "--id",
            "A",
        ],
    );
    let out = run(&project, &["assess", "import-scan", "A", "probe.json"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("answers suggested from the probe"));
    let text = std::fs::read_to_string(project.join("assessments/A.yaml")).unwrap();
    assert!(
        text.contains("Suggested by the device probe (confirm before relying on it):")
            && text.contains("not met"),
        "{text}"
    );
    assert!(text.contains("assessor: tekigo probe"), "{text}");
    assert!(text.contains("tcp/23"), "{text}");
}

#[test]
fn the_namespace_has_only_loopback_and_an_unroutable_target_fails_cleanly() {
    let Some(lab) = Lab::up(&[]) else {
        return;
    };
    let links = Command::new("ip")
        .args(["-n", &lab.name, "-o", "link", "show"])
        .output()
        .unwrap();
    let links = String::from_utf8_lossy(&links.stdout);
    let names: Vec<&str> = links
        .lines()
        .map(|l| l.split(':').nth(1).unwrap().trim())
        .collect();
    assert_eq!(names, ["lo"], "{links}");
    let routes = Command::new("ip")
        .args(["-n", &lab.name, "route", "show"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&routes.stdout).trim(), "");

    // 192.0.2.1 (TEST-NET-1) has no route from here: the probe says so and exits 2.
    let out = lab.tekigo(&["probe", "--target", "192.0.2.1", "--ports", "22,80"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot reach 192.0.2.1") && err.contains("unreachable"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // Nothing listens on the namespace's loopback.
    let out = lab.tekigo(&["probe", "--target", "127.0.0.1", "--ports", "1-2000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no open TCP port on 127.0.0.1"));
}

/// Runs outside any namespace: these never send a packet.
#[test]
fn a_dry_run_sends_nothing_and_bad_arguments_are_errors() {
    let tekigo = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tekigo"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = tekigo(&[
        "probe",
        "--target",
        "192.0.2.1",
        "--dry-run",
        "--ports",
        "22,80,8000-8100",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("dry run: nothing is sent"), "{text}");
    assert!(text.contains("TCP connect to 103 port(s) of 192.0.2.1 (22,80,8000-8100)"));
    let out = tekigo(&["probe", "--target", "192.0.2.1", "--ports", "22,ssh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ports: \"ssh\""));
    let out = tekigo(&["probe", "--target", "192.0.2.1", "--allow-lockout-test"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-lockout-test needs"));
    let out = tekigo(&["probe", "--target", "no-such-host.invalid", "--ports", "22"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-host.invalid: cannot resolve"));
}

/// The CI entry point: scripts/probe-image.sh boots a BusyBox device (dropbear, telnetd,
/// httpd; root/root) under QEMU behind a TAP interface in a namespace of its own and
/// probes it.
#[test]
fn a_booted_device_image_is_probed_from_outside() {
    let have_qemu = Command::new("qemu-system-x86_64")
        .arg("--version")
        .output()
        .is_ok();
    if !is_root() || !have_qemu {
        assert!(
            !ci(),
            "needs root and qemu-system-x86 (scripts/setup/80-probe.sh)"
        );
        eprintln!("skipping: needs root and qemu-system-x86");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("probe.json");
    let out = Command::new(repo().join("scripts/probe-image.sh"))
        .args(["--tekigo", env!("CARGO_BIN_EXE_tekigo"), "--"])
        .args(["--ports", "1-1024", "--format", "json", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("images") && err.contains("missing") && !ci() {
        eprintln!("skipping: {err}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{err}");
    let report: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["facts"]["address"], "192.168.76.2");
    assert!(report["facts"]["service.22/tcp"]
        .as_str()
        .unwrap()
        .contains("dropbear"));
    let creds = result(&report, "probe.default-credentials");
    assert_eq!(creds["verdict"], "fail");
    assert!(creds["detail"]
        .as_str()
        .unwrap()
        .contains("port 22: accepts a default password for root"));
    assert_eq!(verdict(&report, "probe.cleartext-login"), "fail");
}
