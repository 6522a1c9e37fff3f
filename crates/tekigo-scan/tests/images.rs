//! The scanner against real root filesystems built by scripts/images/build.sh: Debian
//! bookworm minbase as debootstrap ships it, a hardened variant with real packages, and a
//! BusyBox system. Verdicts must differ where the configurations differ, with evidence at
//! the deciding lines; planted links must never lead out of the root.

mod common;

use std::process::Command;

use common::{has_line, image, result, scan_dir, verdict};
use tekigo_scan::{Report, Verdict};

fn scans() -> Option<(Report, Report)> {
    let minbase = image("minbase")?;
    let hardened = image("hardened")?;
    Some((scan_dir(&minbase), scan_dir(&hardened)))
}

#[test]
fn minbase_and_hardened_differ_where_their_configuration_differs() {
    let Some((min, hard)) = scans() else { return };
    // (check, minbase verdict, hardened verdict, hardened evidence path, text on the line)
    let cases: &[(&str, Verdict, Verdict, &str, &str)] = &[
        ("pam.nullok", Verdict::Fail, Verdict::Pass, "", ""),
        (
            "pam.lockout",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/pam.d/common-auth",
            "pam_faillock.so preauth",
        ),
        (
            "pam.lockout-account-stack",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/pam.d/common-account",
            "pam_faillock.so",
        ),
        (
            "pam.lockout-settings",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/security/faillock.conf",
            "deny = 5",
        ),
        (
            "pam.password-quality",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/security/pwquality.conf",
            "minlen = 12",
        ),
        (
            "pam.password-quality-root",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/security/pwquality.conf",
            "enforce_for_root",
        ),
        (
            "pam.password-history",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/pam.d/common-password",
            "pam_pwhistory.so remember=5",
        ),
        (
            "pam.su-wheel",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/pam.d/su",
            "pam_wheel.so",
        ),
        (
            "accounts.password-max-age",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/login.defs",
            "PASS_MAX_DAYS\t90",
        ),
        (
            "accounts.password-min-age",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/login.defs",
            "PASS_MIN_DAYS\t1",
        ),
        (
            "login.banner",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/issue",
            "Authorised use only",
        ),
        (
            "login.session-timeout",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/profile.d/tmout.sh",
            "TMOUT=900",
        ),
        ("audit.daemon", Verdict::Absent, Verdict::Pass, "", ""),
        (
            "audit.rules-identity",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/audit/rules.d/50-tekigo.rules",
            "-w /etc/shadow -p wa",
        ),
        (
            "audit.rules-immutable",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/audit/rules.d/50-tekigo.rules",
            "-e 2",
        ),
        (
            "audit.rules-access-failures",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/audit/rules.d/50-tekigo.rules",
            "exit=-EACCES",
        ),
        (
            "time.sync",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/chrony/sources.d/tekigo.sources",
            "server time.cloudflare.com",
        ),
        (
            "time.authenticated",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/chrony/sources.d/tekigo.sources",
            "nts",
        ),
        (
            "net.firewall",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/nftables.conf",
            "policy drop",
        ),
        (
            "net.rate-limit",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/nftables.conf",
            "limit rate",
        ),
        (
            "net.accept-redirects",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/sysctl.d/90-tekigo.conf",
            "accept_redirects = 0",
        ),
        (
            "kernel.sysrq",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/sysctl.d/90-tekigo.conf",
            "kernel.sysrq = 0",
        ),
        (
            "kernel.usb-storage-disabled",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/modprobe.d/tekigo-blacklist.conf",
            "usb-storage",
        ),
        (
            "fs.tmp-noexec",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/fstab",
            "noexec",
        ),
        (
            "ssh.client-alive",
            Verdict::NotApplicable,
            Verdict::Pass,
            "/etc/ssh/sshd_config.d/10-tekigo-hardening.conf",
            "ClientAliveCountMax 2",
        ),
        (
            "ssh.permit-root-login",
            Verdict::NotApplicable,
            Verdict::Pass,
            "/etc/ssh/sshd_config.d/10-tekigo-hardening.conf",
            "PermitRootLogin no",
        ),
        (
            "ssh.max-auth-tries",
            Verdict::NotApplicable,
            Verdict::Pass,
            "/etc/ssh/sshd_config.d/10-tekigo-hardening.conf",
            "MaxAuthTries 3",
        ),
        // The main file says X11Forwarding yes after the Include: the drop-in's value wins.
        (
            "ssh.x11-forwarding",
            Verdict::NotApplicable,
            Verdict::Pass,
            "/etc/ssh/sshd_config.d/10-tekigo-hardening.conf",
            "X11Forwarding no",
        ),
        (
            "ssh.banner",
            Verdict::NotApplicable,
            Verdict::Pass,
            "/etc/ssh/sshd_config.d/10-tekigo-hardening.conf",
            "Banner /etc/issue.net",
        ),
        (
            "ssh.host-keys-in-image",
            Verdict::NotApplicable,
            Verdict::Pass,
            "",
            "",
        ),
        (
            "logs.persistent",
            Verdict::NotApplicable,
            Verdict::Pass,
            "/etc/systemd/journald.conf.d/tekigo.conf",
            "Storage=persistent",
        ),
        (
            "logs.remote-forwarding",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/rsyslog.d/60-remote.conf",
            "omfwd",
        ),
        (
            "sys.watchdog",
            Verdict::Absent,
            Verdict::Pass,
            "/etc/systemd/system.conf.d/tekigo-watchdog.conf",
            "RuntimeWatchdogSec=30s",
        ),
        ("certs.trust-store", Verdict::Absent, Verdict::Pass, "", ""),
        (
            "sys.mandatory-access-control",
            Verdict::Absent,
            Verdict::Pass,
            "",
            "",
        ),
        (
            "sys.resource-limits",
            Verdict::Fail,
            Verdict::Pass,
            "/etc/security/limits.d/tekigo.conf",
            "maxlogins",
        ),
    ];
    let mut wrong = Vec::new();
    for (check, want_min, want_hard, path, text) in cases {
        let (got_min, got_hard) = (verdict(&min, check), verdict(&hard, check));
        if got_min != *want_min || got_hard != *want_hard {
            wrong.push(format!(
                "{check}: minbase {got_min} (want {want_min}), hardened {got_hard} (want {want_hard}): {} / {}",
                result(&min, check).detail,
                result(&hard, check).detail
            ));
            continue;
        }
        if !path.is_empty() && !has_line(&hard, check, path, text) {
            wrong.push(format!(
                "{check}: hardened evidence lacks {path}: {text:?}: {:?}",
                result(&hard, check).evidence
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The minbase findings point at Debian's own lines.
    assert!(has_line(
        &min,
        "pam.nullok",
        "/etc/pam.d/common-auth",
        "pam_unix.so nullok"
    ));
    assert!(has_line(
        &min,
        "accounts.password-max-age",
        "/etc/login.defs",
        "PASS_MAX_DAYS\t99999"
    ));
    // The OpenSSH version comes from the hardened image's dpkg database.
    assert!(hard.facts["openssh_version"].starts_with("9."));
    let findings = |r: &Report| r.results.iter().filter(|c| c.verdict.is_finding()).count();
    assert!(
        findings(&hard) + 20 < findings(&min),
        "{} vs {}",
        findings(&hard),
        findings(&min)
    );
}

#[test]
fn hardened_accounts_verify_against_real_yescrypt_hashes() {
    let Some(hardened) = image("hardened") else {
        return;
    };
    let report = scan_dir(&hardened);
    let creds = result(&report, "accounts.default-credentials");
    assert_eq!(creds.verdict, Verdict::Pass, "{}", creds.detail);
    assert_eq!(creds.evidence[0].values["accounts_with_password"], "1");
    assert_eq!(verdict(&report, "accounts.hash-scheme"), Verdict::Pass);
    assert!(result(&report, "accounts.hash-scheme")
        .detail
        .contains("yescrypt: 1"));
    assert_eq!(verdict(&report, "accounts.forced-change"), Verdict::Pass);
    assert_eq!(verdict(&report, "sys.machine-id"), Verdict::Pass);
}

#[test]
fn busybox_image_mistakes_are_found() {
    let Some(busybox) = image("busybox") else {
        return;
    };
    let report = scan_dir(&busybox);
    let creds = result(&report, "accounts.default-credentials");
    assert_eq!(creds.verdict, Verdict::Fail);
    assert!(
        creds.detail.contains("root") && creds.detail.contains("admin"),
        "{}",
        creds.detail
    );
    assert_eq!(verdict(&report, "accounts.hash-scheme"), Verdict::Fail);
    // "login: root  password: root": root's md5crypt hash accepts the word; the evidence
    // names the account and the line with the word masked.
    assert!(has_line(
        &report,
        "login.issue-secrets",
        "/etc/issue",
        "password: ********"
    ));
    let issue = result(&report, "login.issue-secrets");
    assert_eq!(issue.verdict, Verdict::Fail);
    assert!(
        issue.detail.contains("root (/etc/issue:2)"),
        "{}",
        issue.detail
    );
    assert_eq!(verdict(&report, "login.serial-autologin"), Verdict::Fail);
    assert!(has_line(
        &report,
        "login.serial-autologin",
        "/etc/inittab",
        "getty -n -l /bin/sh"
    ));
    assert_eq!(verdict(&report, "services.cleartext"), Verdict::Fail);
    assert!(has_line(
        &report,
        "services.cleartext",
        "/etc/inittab",
        "telnetd"
    ));
    assert_eq!(verdict(&report, "dropbear.blank-password"), Verdict::Fail);
    assert!(has_line(
        &report,
        "dropbear.blank-password",
        "/etc/init.d/S50dropbear",
        "-B -R"
    ));
    assert_eq!(verdict(&report, "dropbear.idle-timeout"), Verdict::Fail);
    let keys = result(&report, "keys.known-test-keys");
    assert_eq!(keys.verdict, Verdict::Fail);
    assert_eq!(
        keys.evidence[0].path.as_deref(),
        Some("/etc/swupdate/public.pem")
    );
    // No PAM: lockout and password quality are absent, not passed; nullok does not apply.
    assert_eq!(verdict(&report, "pam.lockout"), Verdict::Absent);
    assert_eq!(verdict(&report, "pam.password-quality"), Verdict::Absent);
    assert_eq!(verdict(&report, "pam.nullok"), Verdict::NotApplicable);
    assert_eq!(verdict(&report, "sys.package-inventory"), Verdict::Absent);
}

/// A copy of the BusyBox image with links planted to the host's shadow file and up the
/// tree: every read must stay in the copy.
#[test]
fn planted_links_never_lead_out_of_the_root() {
    let Some(busybox) = image("busybox") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("root");
    let status = Command::new("cp")
        .arg("-a")
        .arg(&busybox)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    let link = |target: &str, at: &str| {
        let p = copy.join(at);
        let _ = std::fs::remove_file(&p);
        std::os::unix::fs::symlink(target, p).unwrap();
    };
    // Absolute link to "/etc/shadow": must mean the image's shadow, never the host's.
    link("/etc/shadow", "etc/issue");
    // Climbing link: `..` at the root stays at the root.
    link("../../../../../../../../../etc/shadow", "etc/motd");
    // A directory link up the tree, and the shadow file replaced by a link to itself
    // through the top: the host's /etc/pam.d and /etc/shadow must not be read.
    link("../../../../../../../../..", "root/escape");
    link("../../../../../../../../../../etc/pam.d", "etc/pam.d");
    let report = scan_dir(&copy);
    let image_shadow = std::fs::read(copy.join("etc/shadow")).unwrap();
    let image_hash = hex(&sha(&image_shadow));
    let issue = result(&report, "login.issue-secrets");
    for e in &issue.evidence {
        if let Some(p) = &e.path {
            assert!(
                p == "/etc/shadow" || p == "/etc/issue.net" || p == "/etc/motd",
                "{p}"
            );
        }
        if e.path.as_deref() == Some("/etc/shadow") {
            assert_eq!(e.sha256.as_deref(), Some(image_hash.as_str()));
        }
    }
    // /etc/issue now shows the image's shadow file, whose `root` opens root: a failure
    // whose evidence carries neither the password nor any hash.
    assert_eq!(issue.verdict, Verdict::Fail, "{}", issue.detail);
    let image_text = String::from_utf8_lossy(&image_shadow).into_owned();
    let issue_json = serde_json::to_string(issue).unwrap();
    for hash in image_text.lines().filter_map(|l| l.split(':').nth(1)) {
        assert!(
            hash.len() < 2 || !issue_json.contains(hash),
            "{hash} leaked"
        );
    }
    if let Ok(host) = std::fs::read("/etc/shadow") {
        let json = serde_json::to_string(&report).unwrap();
        if host != image_shadow {
            assert!(
                !json.contains(&hex(&sha(&host))),
                "the host's shadow was read"
            );
        }
    }
    // The pam.d link loops inside the root (it resolves to itself): no PAM stack is read
    // from the host, the lookup is reported.
    assert_ne!(verdict(&report, "pam.lockout"), Verdict::Pass);
    assert_ne!(verdict(&report, "pam.lockout"), Verdict::Fail);
    // The walk does not follow the directory link: it examined the copy only.
    let files: usize = report.facts["files_examined"].parse().unwrap();
    assert!(files < 2_000, "{files} files: the walk left the root");
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
