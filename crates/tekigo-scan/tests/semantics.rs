//! Semantics on small hand-made trees: PAM chains, sshd Include/Match and version-aware
//! meaning, crypt(3) verification against hashes made by real tools, dropbear, the
//! catalog mapping. The real images are exercised in images.rs.

mod common;

use std::process::Command;

use common::{has_line, result, scan_dir, tree, verdict};
use tekigo_catalog::Catalog;
use tekigo_scan::{crypt, Scanner, Verdict};

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
admin:x:1000:1000:admin:/home/admin:/bin/bash\n";
const GROUP: &str = "root:x:0:\nshadow:x:42:\nadmin:x:1000:\n";

#[test]
fn every_requirement_is_in_the_catalog_and_the_issue_list_is_covered() {
    let catalog = Catalog::builtin().unwrap();
    let scanner = Scanner::builtin().unwrap();
    assert!(
        scanner.checks().len() >= 60,
        "{} checks",
        scanner.checks().len()
    );
    let mut covered = std::collections::BTreeSet::new();
    for check in scanner.checks() {
        for req in &check.requirements {
            let (std, item) = catalog
                .find(req)
                .unwrap_or_else(|| panic!("{}: {req} not in the catalog", check.id));
            assert_eq!(std.info.id, "62443-4-2", "{}: {req}", check.id);
            assert_eq!(&item.id, req, "{}: ids are stored canonical", check.id);
            // An RE counts for its base requirement too.
            covered.insert(req.split(" RE(").next().unwrap().to_string());
        }
    }
    let required = [
        "CR 1.1", "CR 1.2", "CR 1.3", "CR 1.4", "CR 1.5", "CR 1.7", "CR 1.8", "CR 1.9", "CR 1.11",
        "CR 1.12", "CR 2.1", "CR 2.6", "CR 2.8", "CR 2.9", "CR 2.10", "CR 2.11", "CR 2.12",
        "CR 3.1", "CR 3.4", "CR 3.9", "CR 4.1", "CR 4.3", "CR 5.1", "CR 6.1", "CR 6.2", "CR 7.1",
        "CR 7.2", "CR 7.4", "CR 7.6", "CR 7.7", "CR 7.8", "EDR 2.13", "EDR 3.2", "EDR 3.10",
        "EDR 3.12", "EDR 3.14",
    ];
    let missing: Vec<&str> = required
        .iter()
        .filter(|r| !covered.contains(**r))
        .copied()
        .collect();
    assert!(missing.is_empty(), "not covered: {missing:?}");
}

#[test]
fn bad_definitions_are_refused_with_file_and_check() {
    let catalog = Catalog::builtin().unwrap();
    let bad = "checks:\n  - id: x.one\n    requirements: [\"CR 99.9\"]\n    title: {en: a, ja: あ}\n    explanation: {en: a, ja: あ}\n    remediation: {en: a, ja: あ}\n    rule: {kind: code, name: nope}\n";
    let err = tekigo_scan::defs::load([("bad.yaml", bad)], catalog).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("checks/bad.yaml: check x.one: CR 99.9 is not in the catalog"),
        "{text}"
    );
    assert!(text.contains("no code rule named \"nope\""), "{text}");
    let typo = "checks:\n  - id: x.two\n    requirements: [\"CR 1.1\"]\n    title: {en: a, ja: あ}\n    explanation: {en: a, ja: あ}\n    remediation: {en: a, ja: あ}\n    rule: {kind: file_present, pathz: [/x], present: pass, missing: fail}\n";
    let text = tekigo_scan::defs::load([("typo.yaml", typo)], catalog)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("checks/typo.yaml") && text.contains("pathz"),
        "{text}"
    );
    assert!(text.contains("line"), "serde location missing: {text}");
}

/// A Debian-like PAM tree where sshd reaches pam_faillock only through a substack and an
/// @include, and login through @include common-auth.
#[test]
fn pam_chains_are_resolved_through_include_substack_and_at_include() {
    let dir = tree(&[
        ("/etc/passwd", PASSWD),
        ("/etc/group", GROUP),
        (
            "/etc/pam.d/sshd",
            "# sshd\nauth substack password-auth\naccount include password-auth\n\
             session required pam_loginuid.so\n",
        ),
        ("/etc/pam.d/password-auth", "@include common-auth\n@include common-account\n"),
        (
            "/etc/pam.d/common-auth",
            "auth required pam_faillock.so preauth deny=4 unlock_time=900\n\
             auth [success=1 default=ignore] pam_unix.so \\\n    nullok\nauth requisite pam_deny.so\n",
        ),
        ("/etc/pam.d/common-account", "account required pam_faillock.so\n"),
        ("/etc/pam.d/login", "@include common-auth\n@include common-account\nsession required pam_loginuid.so\n"),
        ("/lib/x86_64-linux-gnu/security/pam_faillock.so", ""),
        ("/lib/x86_64-linux-gnu/security/pam_loginuid.so", ""),
    ]);
    let report = scan_dir(dir.path());
    assert_eq!(verdict(&report, "pam.lockout"), Verdict::Pass);
    assert!(has_line(
        &report,
        "pam.lockout",
        "/etc/pam.d/common-auth",
        "pam_faillock.so preauth"
    ));
    assert_eq!(verdict(&report, "pam.lockout-account-stack"), Verdict::Pass);
    assert_eq!(verdict(&report, "pam.lockout-settings"), Verdict::Pass);
    assert!(result(&report, "pam.lockout-settings")
        .detail
        .contains("deny=4"));
    // nullok on a continued line, reached from sshd and login.
    assert_eq!(verdict(&report, "pam.nullok"), Verdict::Fail);
    let nullok = result(&report, "pam.nullok");
    assert!(nullok.evidence[0].lines[0].text.contains("nullok"));
    assert_eq!(nullok.evidence[0].lines[0].number, 2);
    assert_eq!(verdict(&report, "pam.loginuid"), Verdict::Pass);
}

#[test]
fn a_misspelt_pam_module_is_not_a_lockout() {
    let dir = tree(&[
        (
            "/etc/pam.d/login",
            "auth required pam_faillock.so preauth\n",
        ),
        ("/lib/security/pam_unix.so", ""),
    ]);
    let report = scan_dir(dir.path());
    assert_eq!(verdict(&report, "pam.lockout"), Verdict::Fail);
    assert!(result(&report, "pam.lockout")
        .detail
        .contains("not installed"));
}

#[test]
fn pam_tally2_and_faillock_conf_defaults() {
    let dir = tree(&[
        (
            "/etc/pam.d/login",
            "auth required pam_tally2.so onerr=fail\n",
        ),
        ("/lib/security/pam_tally2.so", ""),
    ]);
    let report = scan_dir(dir.path());
    assert_eq!(verdict(&report, "pam.lockout"), Verdict::Pass);
    // pam_tally2 without deny= never locks.
    assert_eq!(verdict(&report, "pam.lockout-settings"), Verdict::Fail);
}

#[test]
fn password_quality_modules_and_their_settings() {
    let pwq = tree(&[
        (
            "/etc/pam.d/common-password",
            "password requisite pam_pwquality.so retry=3\n",
        ),
        ("/etc/pam.d/passwd", "@include common-password\n"),
        ("/etc/security/pwquality.conf", "# comment\nminlen = 6\n"),
    ]);
    let report = scan_dir(pwq.path());
    assert_eq!(verdict(&report, "pam.password-quality"), Verdict::Fail);
    assert!(has_line(
        &report,
        "pam.password-quality",
        "/etc/security/pwquality.conf",
        "minlen = 6"
    ));
    assert_eq!(verdict(&report, "pam.password-quality-root"), Verdict::Fail);

    let qc = tree(&[(
        "/etc/pam.d/common-password",
        "password requisite pam_passwdqc.so min=disabled,24,12,10,8 enforce=everyone\n",
    )]);
    let report = scan_dir(qc.path());
    assert_eq!(verdict(&report, "pam.password-quality"), Verdict::Pass);
    assert_eq!(verdict(&report, "pam.password-quality-root"), Verdict::Pass);

    let crack = tree(&[(
        "/etc/pam.d/system-auth",
        "password requisite pam_cracklib.so minlen=14 enforce_for_root\n",
    )]);
    let report = scan_dir(crack.path());
    assert_eq!(verdict(&report, "pam.password-quality"), Verdict::Pass);
    assert_eq!(verdict(&report, "pam.password-quality-root"), Verdict::Pass);
}

const DPKG_SSH: &str =
    "Package: openssh-server\nStatus: install ok installed\nVersion: 1:9.2p1-2+deb12u3\n\n";

/// sshd reads the Include at the top first: the first value wins over the main file's.
#[test]
fn sshd_include_first_value_wins_and_match_blocks_count() {
    let dir = tree(&[
        ("/usr/sbin/sshd", "\0OpenSSH_9.2p1\0"),
        ("/var/lib/dpkg/status", DPKG_SSH),
        (
            "/etc/ssh/sshd_config",
            "Include sshd_config.d/*.conf\nPermitRootLogin yes\nX11Forwarding yes\n\
             ClientAliveInterval 300\nClientAliveCountMax 0\nMatch User backup\n  PermitEmptyPasswords yes\n",
        ),
        ("/etc/ssh/sshd_config.d/10-a.conf", "PermitRootLogin no\n"),
        ("/etc/ssh/sshd_config.d/20-b.conf", "PermitRootLogin yes\nX11Forwarding=no\n"),
        ("/etc/ssh/sshd_config.d/ignored.txt", "PermitRootLogin yes\n"),
    ]);
    let report = scan_dir(dir.path());
    assert_eq!(verdict(&report, "ssh.permit-root-login"), Verdict::Pass);
    assert!(has_line(
        &report,
        "ssh.permit-root-login",
        "/etc/ssh/sshd_config.d/10-a.conf",
        "PermitRootLogin no"
    ));
    assert_eq!(verdict(&report, "ssh.x11-forwarding"), Verdict::Pass);
    // The Match block weakens it for one user.
    assert_eq!(
        verdict(&report, "ssh.permit-empty-passwords"),
        Verdict::Fail
    );
    assert!(result(&report, "ssh.permit-empty-passwords")
        .detail
        .contains("Match User backup"));
    // CountMax 0 on OpenSSH 9.2 disables termination.
    assert_eq!(verdict(&report, "ssh.client-alive"), Verdict::Fail);
    assert!(has_line(
        &report,
        "ssh.client-alive",
        "/etc/ssh/sshd_config",
        "ClientAliveCountMax 0"
    ));
    assert_eq!(
        report.facts.get("openssh_version").map(String::as_str),
        Some("9.2p1")
    );
}

#[test]
fn client_alive_count_zero_means_timeout_before_openssh_8_2() {
    // No package database: the version comes from the string in the binary.
    let old = tree(&[
        ("/usr/sbin/sshd", "\x7fELF junk OpenSSH_7.4p1 Debian\0"),
        (
            "/etc/ssh/sshd_config",
            "ClientAliveInterval 600\nClientAliveCountMax 0\n",
        ),
    ]);
    let report = scan_dir(old.path());
    assert_eq!(verdict(&report, "ssh.client-alive"), Verdict::Pass);
    assert!(result(&report, "ssh.client-alive").detail.contains("7.4p1"));
    // Defaults: ClientAliveInterval 0 never checks; PermitRootLogin prohibit-password since 7.0.
    let defaults = tree(&[
        ("/usr/sbin/sshd", "OpenSSH_8.9p1"),
        ("/etc/ssh/sshd_config", "# empty\n"),
    ]);
    let report = scan_dir(defaults.path());
    assert_eq!(verdict(&report, "ssh.client-alive"), Verdict::Fail);
    assert_eq!(verdict(&report, "ssh.permit-root-login"), Verdict::Pass);
    assert_eq!(verdict(&report, "ssh.banner"), Verdict::Fail);
}

#[test]
fn no_ssh_server_is_not_applicable() {
    let dir = tree(&[("/etc/passwd", PASSWD)]);
    let report = scan_dir(dir.path());
    for check in [
        "ssh.client-alive",
        "ssh.permit-root-login",
        "ssh.banner",
        "dropbear.idle-timeout",
    ] {
        assert_eq!(verdict(&report, check), Verdict::NotApplicable, "{check}");
    }
    // No PAM at all: the lockout mechanism is absent, not passed.
    assert_eq!(verdict(&report, "pam.lockout"), Verdict::Absent);
}

#[test]
fn dropbear_arguments_from_an_init_script() {
    let dir = tree(&[
        ("/usr/sbin/dropbear", "ELF"),
        (
            "/etc/init.d/S50dropbear",
            "#!/bin/sh\nDROPBEAR_ARGS=\"-R -I 600 -w\"\n",
        ),
        ("/etc/default/dropbear", "DROPBEAR_EXTRA_ARGS=\"-B\"\n"),
    ]);
    let report = scan_dir(dir.path());
    assert_eq!(verdict(&report, "dropbear.blank-password"), Verdict::Fail);
    assert!(has_line(
        &report,
        "dropbear.blank-password",
        "/etc/default/dropbear",
        "-B"
    ));
    assert_eq!(verdict(&report, "dropbear.idle-timeout"), Verdict::Pass);
    assert_eq!(verdict(&report, "dropbear.root-login"), Verdict::Pass);
}

fn tool(cmd: &str, args: &[&str]) -> Option<String> {
    match Command::new(cmd).args(args).output() {
        Ok(out) if out.status.success() => {
            Some(String::from_utf8(out.stdout).unwrap().trim().to_string())
        }
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{cmd} missing: scripts/setup/30-images.sh installs it"
            );
            eprintln!("skipping: {cmd} not available");
            None
        }
    }
}

/// Hashes made by openssl and mkpasswd (Debian's whois) verify, wrong passwords do not.
#[test]
fn crypt_hashes_from_real_tools_verify() {
    let Some(sha512) = tool("openssl", &["passwd", "-6", "s3cret-Pw"]) else {
        return;
    };
    let Some(md5) = tool("openssl", &["passwd", "-1", "s3cret-Pw"]) else {
        return;
    };
    let Some(sha256) = tool("openssl", &["passwd", "-5", "s3cret-Pw"]) else {
        return;
    };
    let Some(yescrypt) = tool("mkpasswd", &["-m", "yescrypt", "s3cret-Pw"]) else {
        return;
    };
    for (scheme, hash) in [
        (crypt::Scheme::Sha512, &sha512),
        (crypt::Scheme::Md5, &md5),
        (crypt::Scheme::Sha256, &sha256),
        (crypt::Scheme::Yescrypt, &yescrypt),
    ] {
        assert_eq!(crypt::Scheme::of(hash), scheme, "{hash}");
        assert_eq!(crypt::verify("s3cret-Pw", hash), Some(true), "{hash}");
        assert_eq!(crypt::verify("s3cret-pw", hash), Some(false), "{hash}");
    }
}

#[test]
fn default_credentials_are_found_in_yescrypt_and_md5_hashes() {
    let Some(y) = tool("mkpasswd", &["-m", "yescrypt", "admin"]) else {
        return;
    };
    let Some(m) = tool("openssl", &["passwd", "-1", "toor"]) else {
        return;
    };
    let Some(strong) = tool("mkpasswd", &["-m", "yescrypt", "Xq7-vR2p-Lm9w"]) else {
        return;
    };
    let shadow = format!(
        "root:{m}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nadmin:{y}:19000:0:99999:7:::\n"
    );
    let dir = tree(&[
        ("/etc/passwd", PASSWD),
        ("/etc/group", GROUP),
        ("/etc/shadow", &shadow),
    ]);
    let report = scan_dir(dir.path());
    let r = result(&report, "accounts.default-credentials");
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        r.detail.contains("root") && r.detail.contains("admin"),
        "{}",
        r.detail
    );
    // The hash itself never appears in the evidence.
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(&y) && !json.contains(&m));
    assert!(has_line(
        &report,
        "accounts.default-credentials",
        "/etc/shadow",
        "root:<md5crypt hash>:19000"
    ));
    assert_eq!(verdict(&report, "accounts.hash-scheme"), Verdict::Fail);
    assert_eq!(verdict(&report, "accounts.vendor-accounts"), Verdict::Fail);

    let shadow = format!("root:!:19000::::::\nadmin:{strong}:0:0:99999:7:::\n");
    let dir = tree(&[
        ("/etc/passwd", PASSWD),
        ("/etc/group", GROUP),
        ("/etc/shadow", &shadow),
    ]);
    let report = scan_dir(dir.path());
    assert_eq!(
        verdict(&report, "accounts.default-credentials"),
        Verdict::Pass
    );
    assert_eq!(verdict(&report, "accounts.forced-change"), Verdict::Pass);
    assert_eq!(verdict(&report, "accounts.hash-scheme"), Verdict::Pass);
}

#[test]
fn an_unreadable_shadow_is_reported_not_guessed() {
    if rustix::process::geteuid().is_root() {
        eprintln!("skipping: root reads every file");
        return;
    }
    let dir = tree(&[("/etc/passwd", PASSWD), ("/etc/shadow", "root:x:1::::::\n")]);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.path().join("etc/shadow"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let report = scan_dir(dir.path());
    assert_eq!(
        verdict(&report, "accounts.default-credentials"),
        Verdict::Unreadable
    );
}

#[test]
fn sysctl_files_merge_in_systemd_order() {
    let dir = tree(&[
        (
            "/usr/lib/sysctl.d/50-default.conf",
            "kernel.sysrq = 16\nfs.protected_symlinks = 1\n",
        ),
        ("/etc/sysctl.d/50-default.conf", "kernel.sysrq = 0\n"),
        ("/etc/sysctl.d/99-late.conf", "net/ipv4/ip_forward = 1\n"),
        ("/etc/sysctl.conf", "net.ipv4.tcp_syncookies=0\n"),
    ]);
    let report = scan_dir(dir.path());
    // /etc/sysctl.d/50-default.conf hides the one in /usr/lib.
    assert_eq!(verdict(&report, "kernel.sysrq"), Verdict::Pass);
    assert!(has_line(
        &report,
        "kernel.sysrq",
        "/etc/sysctl.d/50-default.conf",
        "kernel.sysrq = 0"
    ));
    // ...so fs.protected_symlinks from the hidden file does not count.
    assert_eq!(verdict(&report, "kernel.protected-links"), Verdict::Fail);
    assert_eq!(verdict(&report, "net.ip-forward"), Verdict::Fail);
    assert_eq!(verdict(&report, "net.syncookies"), Verdict::Fail);
}

/// Debian 12's stock /etc/ssh/sshd_config (Include of sshd_config.d at the top).
const DEBIAN_SSHD_CONFIG: &str = include_str!("fixtures/debian12-sshd_config");

const HARDENING_DROP_IN: &str = "PermitRootLogin no\nPasswordAuthentication no\n\
    ClientAliveInterval 300\nClientAliveCountMax 2\nBanner /etc/issue.net\n";

fn sshd_tree(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files = vec![
        ("/usr/sbin/sshd", "\0OpenSSH_9.2p1\0"),
        ("/var/lib/dpkg/status", DPKG_SSH),
        ("/etc/ssh/sshd_config", DEBIAN_SSHD_CONFIG),
        ("/etc/issue.net", "Authorised use only.\n"),
        (
            "/etc/ssh/sshd_config.d/10-hardening.conf",
            HARDENING_DROP_IN,
        ),
    ];
    files.extend_from_slice(extra);
    tree(&files)
}

/// Whether one evidence item of `check` in `path` holds both the Match line and the line
/// under it: the reader sees which connections get the value.
fn names_match(report: &tekigo_scan::Report, check: &str, path: &str, m: &str, line: &str) -> bool {
    result(report, check).evidence.iter().any(|e| {
        e.path.as_deref() == Some(path)
            && e.lines.iter().any(|l| l.text == m)
            && e.lines.iter().any(|l| l.text == line)
            && e.values.get("match").map(String::as_str) == m.strip_prefix("Match ")
    })
}

#[test]
fn match_blocks_that_weaken_a_setting_fail_and_name_the_match_line() {
    let lab = "/etc/ssh/sshd_config.d/50-lab.conf";
    let dir = sshd_tree(&[(
        lab,
        "# the lab network may still use passwords\n\
         Match Address 10.0.0.0/8\n    PasswordAuthentication yes\n\
         Match User root\n    PermitRootLogin yes\n    MaxAuthTries 2\n",
    )]);
    let report = scan_dir(dir.path());
    // Globally the drop-in says no; connections from 10/8 get passwords anyway.
    let pw = result(&report, "ssh.password-authentication");
    assert_eq!(pw.verdict, Verdict::Fail, "{}", pw.detail);
    assert!(
        pw.detail
            .contains("PasswordAuthentication yes under Match Address 10.0.0.0/8 (")
            && pw.detail.contains("50-lab.conf:2)"),
        "{}",
        pw.detail
    );
    assert!(names_match(
        &report,
        "ssh.password-authentication",
        lab,
        "Match Address 10.0.0.0/8",
        "PasswordAuthentication yes"
    ));
    // The global value is evidence too.
    assert!(has_line(
        &report,
        "ssh.password-authentication",
        "/etc/ssh/sshd_config.d/10-hardening.conf",
        "PasswordAuthentication no"
    ));
    let root = result(&report, "ssh.permit-root-login");
    assert_eq!(root.verdict, Verdict::Fail);
    assert!(root.detail.contains("Match User root"), "{}", root.detail);
    assert!(!root.detail.contains("Address"), "{}", root.detail);
    assert!(names_match(
        &report,
        "ssh.permit-root-login",
        lab,
        "Match User root",
        "PermitRootLogin yes"
    ));
    // A Match block that tightens a value does not fail the check, and is still shown.
    assert_eq!(verdict(&report, "ssh.max-auth-tries"), Verdict::Fail); // default 6 globally
    let dir = sshd_tree(&[
        (lab, "Match User root\n    MaxAuthTries 2\n"),
        ("/etc/ssh/sshd_config.d/20-tries.conf", "MaxAuthTries 3\n"),
    ]);
    let report = scan_dir(dir.path());
    assert_eq!(verdict(&report, "ssh.max-auth-tries"), Verdict::Pass);
    assert!(names_match(
        &report,
        "ssh.max-auth-tries",
        lab,
        "Match User root",
        "MaxAuthTries 2"
    ));
}

#[test]
fn the_first_value_among_matching_blocks_wins_and_match_all_applies_to_everyone() {
    // Under `Match all` the value replaces the global one for every connection, and it
    // comes before the root block, so root connections get `no` as well.
    let dir = sshd_tree(&[(
        "/etc/ssh/sshd_config.d/50-all.conf",
        "Match all\n  PermitRootLogin no\n  X11Forwarding yes\n\
         Match User root\n  PermitRootLogin yes\n",
    )]);
    let report = scan_dir(dir.path());
    assert_eq!(verdict(&report, "ssh.permit-root-login"), Verdict::Pass);
    let x11 = result(&report, "ssh.x11-forwarding");
    assert_eq!(x11.verdict, Verdict::Fail, "{}", x11.detail);
    // The global drop-in has no X11Forwarding: Debian's own `X11Forwarding yes` in the main
    // file would decide, but `Match all` decides first.
    assert!(names_match(
        &report,
        "ssh.x11-forwarding",
        "/etc/ssh/sshd_config.d/50-all.conf",
        "Match all",
        "X11Forwarding yes"
    ));
}

#[test]
fn an_include_inside_a_match_block_belongs_to_the_block() {
    let dir = sshd_tree(&[
        (
            "/etc/ssh/sshd_config.d/60-sftp.conf",
            "Match Group sftp-only\n    Include /etc/ssh/sftp.d/*.conf\n",
        ),
        (
            "/etc/ssh/sftp.d/a.conf",
            "ClientAliveCountMax 0\nBanner none\n",
        ),
    ]);
    let report = scan_dir(dir.path());
    let alive = result(&report, "ssh.client-alive");
    assert_eq!(alive.verdict, Verdict::Fail, "{}", alive.detail);
    assert!(
        alive
            .detail
            .contains("ClientAliveCountMax 0 under Match Group sftp-only")
            && alive.detail.contains("disables termination"),
        "{}",
        alive.detail
    );
    // The Match line lives in another file than the setting: two evidence items.
    assert!(has_line(
        &report,
        "ssh.client-alive",
        "/etc/ssh/sshd_config.d/60-sftp.conf",
        "Match Group sftp-only"
    ));
    assert!(has_line(
        &report,
        "ssh.client-alive",
        "/etc/ssh/sftp.d/a.conf",
        "ClientAliveCountMax 0"
    ));
    let banner = result(&report, "ssh.banner");
    assert_eq!(banner.verdict, Verdict::Fail);
    assert!(
        banner
            .detail
            .contains("Banner none under Match Group sftp-only"),
        "{}",
        banner.detail
    );
    // Without the block everything passes: the failures come from the Match context alone.
    let dir = sshd_tree(&[]);
    let report = scan_dir(dir.path());
    for check in [
        "ssh.client-alive",
        "ssh.banner",
        "ssh.password-authentication",
        "ssh.permit-root-login",
    ] {
        assert_eq!(verdict(&report, check), Verdict::Pass, "{check}");
    }
}

/// Debian 12's common-auth as pam-auth-update writes it (pam_unix, then the fallback).
const DEBIAN_COMMON_AUTH: &str = include_str!("fixtures/debian12-common-auth");
/// Debian 12's /etc/pam.d/sshd: `@include common-auth` and the rest.
const DEBIAN_PAM_SSHD: &str = include_str!("fixtures/debian12-pam-sshd");
const STOCK_PRIMARY: &str = "auth\t[success=1 default=ignore]\tpam_unix.so nullok\n";

/// Debian's common-auth with its primary block replaced by `primary`.
fn common_auth(primary: &str) -> String {
    assert!(DEBIAN_COMMON_AUTH.contains(STOCK_PRIMARY));
    DEBIAN_COMMON_AUTH.replace(STOCK_PRIMARY, primary)
}

fn pam_tree(common_auth: &str, sshd: &str) -> tempfile::TempDir {
    tree(&[
        ("/etc/passwd", PASSWD),
        ("/etc/group", GROUP),
        ("/etc/pam.d/common-auth", common_auth),
        (
            "/etc/pam.d/common-account",
            "account required pam_unix.so\n",
        ),
        ("/etc/pam.d/sshd", sshd),
        ("/usr/lib/x86_64-linux-gnu/security/pam_faillock.so", ""),
        ("/usr/lib/x86_64-linux-gnu/security/pam_tally2.so", ""),
        ("/usr/lib/x86_64-linux-gnu/security/pam_unix.so", ""),
        ("/usr/lib/x86_64-linux-gnu/security/pam_deny.so", ""),
        ("/usr/lib/x86_64-linux-gnu/security/pam_permit.so", ""),
    ])
}

fn lockout(common_auth: &str, sshd: &str) -> tekigo_scan::CheckResult {
    let dir = pam_tree(common_auth, sshd);
    result(&scan_dir(dir.path()), "pam.lockout").clone()
}

#[test]
fn faillock_as_its_manual_page_places_it_is_reached_on_every_successful_login() {
    // pam_faillock(8): preauth first, authfail on the failure path, authsucc on success.
    let r = lockout(
        &common_auth(
            "auth\trequired\t\t\tpam_faillock.so preauth\n\
             auth\t[success=1 default=ignore]\tpam_unix.so nullok\n\
             auth\t[default=die]\t\t\tpam_faillock.so authfail\n\
             auth\tsufficient\t\t\tpam_faillock.so authsucc\n",
        ),
        DEBIAN_PAM_SSHD,
    );
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.detail);
    // Only authfail and authsucc: authsucc is still on the success path.
    let r = lockout(
        &common_auth(
            "auth\t[success=1 default=ignore]\tpam_unix.so nullok\n\
             auth\t[default=die]\t\t\tpam_faillock.so authfail\n\
             auth\tsufficient\t\t\tpam_faillock.so authsucc\n",
        ),
        DEBIAN_PAM_SSHD,
    );
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.detail);
}

#[test]
fn a_faillock_line_jumped_over_on_success_is_no_lockout() {
    // success=2 skips the faillock line and pam_deny, landing on pam_permit: a correct
    // password never passes pam_faillock, so a locked account still gets in.
    let r = lockout(
        &common_auth(
            "auth\t[success=2 default=ignore]\tpam_unix.so nullok\n\
             auth\t[default=die]\t\t\tpam_faillock.so authfail\n",
        ),
        DEBIAN_PAM_SSHD,
    );
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.detail);
    assert!(
        r.detail
            .contains("sshd: the auth stack can succeed without running pam_faillock.so"),
        "{}",
        r.detail
    );
    // The evidence shows the stack with the jump that skips it.
    assert!(r.evidence.iter().any(|e| {
        e.path.as_deref() == Some("/etc/pam.d/common-auth")
            && e.lines.iter().any(|l| l.text.contains("success=2"))
            && e.lines.iter().any(|l| l.text.contains("pam_permit.so"))
    }));
    // `sufficient` before the module ends the stack on success just the same.
    let r = lockout(
        &common_auth(
            "auth\tsufficient\tpam_unix.so nullok\n\
             auth\trequired\tpam_faillock.so preauth\n",
        ),
        DEBIAN_PAM_SSHD,
    );
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.detail);
    // With the jump counted right (success=1 over pam_deny), faillock after the block is
    // reached on success.
    let r = lockout(
        &format!("{DEBIAN_COMMON_AUTH}auth\trequired\tpam_faillock.so authsucc\n"),
        DEBIAN_PAM_SSHD,
    );
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.detail);
}

#[test]
fn a_substack_keeps_its_jumps_and_done_inside() {
    // `sufficient` in common-auth ends the whole stack when included, only the substack
    // when it is a substack: pam_tally2 after it runs in the second case alone.
    let auth = common_auth("auth\tsufficient\tpam_unix.so nullok\n");
    let sshd = |how: &str| {
        format!("auth {how} common-auth\nauth required pam_tally2.so deny=5 onerr=fail\n")
    };
    let r = lockout(&auth, &sshd("include"));
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.detail);
    let r = lockout(&auth, &sshd("substack"));
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.detail);
    // [default=die] dies on success too (success is not named): the substack fails, the
    // `required` substack makes the stack fail, and nothing gets past it.
    let r = lockout(
        "auth [default=die] pam_unix.so\nauth required pam_permit.so\n",
        "auth substack common-auth\nauth required pam_faillock.so preauth\n",
    );
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.detail);
}

/// Pre-login text that reveals a working password is caught whatever its wording, against
/// real sha512crypt and yescrypt hashes: the report names the account, file and line, and
/// never the password.
#[test]
fn issue_words_that_open_an_account_fail_whatever_the_wording() {
    // A sha512crypt hash by openssl, a yescrypt one by mkpasswd (Debian's whois).
    let hashes = [
        tool("openssl", &["passwd", "-6", "Gw-Op7-Kitakyushu"]),
        tool("mkpasswd", &["-m", "yescrypt", "fieldbus42"]),
    ];
    let [Some(operator), Some(service)] = hashes else {
        return;
    };
    let shadow = format!(
        "root:*:19000:0:99999:7:::\noperator:{operator}:19000:0:99999:7:::\nadmin:{service}:19000:0:99999:7:::\n"
    );
    let passwd = format!("{PASSWD}operator:x:1001:1001::/home/operator:/bin/sh\n");
    let scan = |issue: &str, issue_net: &str, motd: &str| {
        let dir = tree(&[
            ("/etc/passwd", &passwd),
            ("/etc/group", GROUP),
            ("/etc/shadow", &shadow),
            ("/etc/issue", issue),
            ("/etc/issue.net", issue_net),
            ("/etc/motd", motd),
        ]);
        scan_dir(dir.path())
    };
    // The wording the old regular expression missed, on the console banner.
    let report = scan(
        "Gateway GW-100 service build\n(login: operator/Gw-Op7-Kitakyushu)\n",
        "Authorised use only.\n",
        "",
    );
    let r = result(&report, "login.issue-secrets");
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.detail);
    assert!(r.detail.contains("operator (/etc/issue:2)"), "{}", r.detail);
    assert_eq!(r.evidence[0].values["account"], "operator");
    assert!(has_line(
        &report,
        "login.issue-secrets",
        "/etc/issue",
        "(login: operator/********)"
    ));
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("Gw-Op7-Kitakyushu"), "the password leaked");

    // Japanese wording in the motd, yescrypt, a full-width colon.
    let report = scan(
        "Welcome\n",
        "",
        "保守用アカウント admin パスワード：fieldbus42\n",
    );
    let r = result(&report, "login.issue-secrets");
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.detail);
    assert!(r.detail.contains("admin (/etc/motd:1)"), "{}", r.detail);
    assert!(!serde_json::to_string(&report)
        .unwrap()
        .contains("fieldbus42"));

    // A banner that shows a password no account accepts passes: access, not wording.
    let report = scan(
        "Demo unit. login: operator password: changeme-please\n",
        "",
        "",
    );
    let r = result(&report, "login.issue-secrets");
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.detail);
    assert_eq!(r.evidence[0].values["accounts_with_password"], "2");
}

/// A hostile megabyte of motd: at most 64 words are tried per account and the rest are
/// counted, so the scan stays short; a password among the first words is still found
/// because words near "password" come first.
#[test]
fn issue_words_tried_are_bounded() {
    let Some(hash) = tool("openssl", &["passwd", "-6", "Plant-Secret-9"]) else {
        return;
    };
    let shadow = format!("root:*:19000:0:99999:7:::\nadmin:{hash}:19000:0:99999:7:::\n");
    let mut motd = String::new();
    let mut n = 0;
    while motd.len() < 1 << 20 {
        motd.push_str(&format!("word{n:06} "));
        n += 1;
        if n % 12 == 0 {
            motd.push('\n');
        }
    }
    let scan = |motd: &str| {
        let dir = tree(&[
            ("/etc/passwd", PASSWD),
            ("/etc/group", GROUP),
            ("/etc/shadow", &shadow),
            ("/etc/motd", motd),
        ]);
        scan_dir(dir.path())
    };
    let report = scan(&motd);
    let r = result(&report, "login.issue-secrets");
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.detail);
    let values = &r.evidence[0].values;
    assert_eq!(values["words_tried"], "64");
    assert_eq!(values["words_not_tried"], (n - 64).to_string());

    // The same flood with the password after a credential word at its end: tried first.
    let report = scan(&format!("{motd}\nservice password Plant-Secret-9\n"));
    let r = result(&report, "login.issue-secrets");
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.detail);
    assert!(r.detail.contains("admin (/etc/motd:"), "{}", r.detail);
}
