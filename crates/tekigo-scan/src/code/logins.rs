//! Login paths: PAM lockout and password quality, sshd semantics that depend on the
//! OpenSSH version, dropbear's command line, serial consoles, cleartext services.

use std::rc::Rc;

use crate::ctx::{Ctx, Eval, Mode, Outcome, TextFile, Unreadable};
use crate::defs::parse_int;
use crate::facts::config_lines;
use crate::facts::pam::{self, PamLine};
use crate::facts::sshd::{OpensshVersion, Setting};
use crate::model::{Evidence, Verdict};

fn no_pam() -> Outcome {
    Outcome::new(
        Verdict::Absent,
        "no PAM configuration (/etc/pam.d missing): the login programs have no such mechanism",
        vec![],
    )
}

/// Every resolved line of every PAM service, once per file line.
fn all_pam_lines(ctx: &Ctx) -> Result<Vec<(String, PamLine)>, Unreadable> {
    let mut out: Vec<(String, PamLine)> = Vec::new();
    for service in pam::services(ctx)? {
        if let Some(res) = pam::resolve(ctx, &service)? {
            for l in res.lines {
                if !out
                    .iter()
                    .any(|(_, o)| o.file.path == l.file.path && o.number == l.number)
                {
                    out.push((service.clone(), l));
                }
            }
        }
    }
    Ok(out)
}

/// `key = value` settings of a pam-style configuration file and its `.d` directory.
/// A `key = value` line: file, line number, key, value.
type ConfSetting = (Rc<TextFile>, usize, String, String);

fn conf_settings(ctx: &Ctx, file: &str) -> Result<Vec<ConfSetting>, Unreadable> {
    let mut out = Vec::new();
    let mut texts: Vec<Rc<TextFile>> = ctx.text(file)?.into_iter().collect();
    for p in ctx.dir_files(&format!("{file}.d"), "*.conf")? {
        texts.extend(ctx.text(&p)?);
    }
    for t in texts {
        for (n, line) in config_lines(&t.text) {
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            out.push((t.clone(), n, k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(out)
}

/// A setting from module arguments first, then the module's configuration file.
fn setting(line: &PamLine, conf: &[ConfSetting], key: &str) -> Option<(String, Evidence)> {
    if let Some(v) = line.arg(key) {
        return Some((v.to_string(), line.evidence()));
    }
    conf.iter()
        .rev()
        .find(|(_, _, k, _)| k == key)
        .map(|(t, n, k, v)| {
            let text = if v.is_empty() {
                k.clone()
            } else {
                format!("{k} = {v}")
            };
            (v.clone(), t.evidence().with_line(*n, text))
        })
}

pub fn faillock_settings(ctx: &Ctx) -> Eval {
    if !pam::has_pam(ctx)? {
        return Ok(no_pam());
    }
    let lines = all_pam_lines(ctx)?;
    let Some((_, line)) = lines.iter().find(|(_, l)| {
        l.ty == "auth" && (l.module == "pam_faillock.so" || l.module == "pam_tally2.so")
    }) else {
        return Ok(Outcome::new(
            Verdict::Absent,
            "neither pam_faillock nor pam_tally2 is in any auth stack",
            vec![],
        ));
    };
    let conf = if line.module == "pam_faillock.so" {
        conf_settings(ctx, "/etc/security/faillock.conf")?
    } else {
        Vec::new()
    };
    // pam_faillock: deny 3 and unlock_time 600 by default; pam_tally2: no lockout by default.
    let (deny_default, unlock_default) = if line.module == "pam_faillock.so" {
        (Some(3), Some(600))
    } else {
        (None, Some(0))
    };
    let mut evidence = vec![line.evidence()];
    let mut get = |key: &str, default: Option<i64>| -> Option<i64> {
        match setting(line, &conf, key) {
            Some((v, ev)) => {
                if !evidence.contains(&ev) {
                    evidence.push(ev);
                }
                parse_int(&v)
            }
            None => default,
        }
    };
    let deny = get("deny", deny_default);
    let unlock = get("unlock_time", unlock_default);
    let detail = format!(
        "{}: deny={} unlock_time={}",
        line.module,
        deny.map_or("unset".into(), |d| d.to_string()),
        unlock.map_or("unset".into(), |d| d.to_string())
    );
    let ok =
        deny.is_some_and(|d| (1..=10).contains(&d)) && unlock.is_some_and(|u| u == 0 || u >= 60);
    Ok(Outcome::new(
        if ok { Verdict::Pass } else { Verdict::Fail },
        format!("{detail} (expected deny 1-10, unlock_time 0 or >= 60 s)"),
        evidence,
    ))
}

/// The password-quality module of the password stack and its effective minimum length and
/// root enforcement.
struct Quality {
    module: String,
    min_length: Option<i64>,
    enforce_root: bool,
    evidence: Vec<Evidence>,
}

fn quality(ctx: &Ctx) -> Result<Option<Quality>, Unreadable> {
    const MODULES: [&str; 3] = ["pam_pwquality.so", "pam_passwdqc.so", "pam_cracklib.so"];
    let lines = all_pam_lines(ctx)?;
    let Some((_, line)) = lines
        .iter()
        .find(|(_, l)| l.ty == "password" && MODULES.contains(&l.module.as_str()))
    else {
        return Ok(None);
    };
    let mut evidence = vec![line.evidence()];
    let (min_length, enforce_root) = match line.module.as_str() {
        "pam_pwquality.so" => {
            let conf = conf_settings(ctx, "/etc/security/pwquality.conf")?;
            let min = match setting(line, &conf, "minlen") {
                Some((v, ev)) => {
                    evidence.push(ev);
                    parse_int(&v)
                }
                None => Some(8),
            };
            let root = match setting(line, &conf, "enforce_for_root") {
                Some((_, ev)) => {
                    evidence.push(ev);
                    true
                }
                None => false,
            };
            (min, root)
        }
        "pam_cracklib.so" => (
            line.arg("minlen").map_or(Some(9), parse_int),
            line.arg("enforce_for_root").is_some(),
        ),
        _ => {
            // passwdqc: min=N0,N1,N2,N3,N4; the smallest enabled value is what a user
            // can get away with. enforce=everyone is the default.
            let min = line
                .arg("min")
                .unwrap_or("disabled,24,11,8,7")
                .split(',')
                .filter_map(parse_int)
                .min();
            let enforce = line.arg("enforce").unwrap_or("everyone");
            (min, enforce == "everyone")
        }
    };
    Ok(Some(Quality {
        module: line.module.clone(),
        min_length,
        enforce_root,
        evidence,
    }))
}

fn no_quality() -> Outcome {
    Outcome::new(
        Verdict::Absent,
        "no pam_pwquality, pam_passwdqc or pam_cracklib in any password stack",
        vec![],
    )
}

pub fn password_quality(ctx: &Ctx) -> Eval {
    if !pam::has_pam(ctx)? {
        return Ok(no_pam());
    }
    let Some(q) = quality(ctx)? else {
        return Ok(no_quality());
    };
    let ok = q.min_length.is_some_and(|m| m >= 8);
    Ok(Outcome::new(
        if ok { Verdict::Pass } else { Verdict::Fail },
        format!(
            "{}: minimum length {} (expected >= 8)",
            q.module,
            q.min_length.map_or("unknown".into(), |m| m.to_string())
        ),
        q.evidence,
    ))
}

pub fn password_quality_root(ctx: &Ctx) -> Eval {
    if !pam::has_pam(ctx)? {
        return Ok(no_pam());
    }
    let Some(q) = quality(ctx)? else {
        return Ok(no_quality());
    };
    Ok(Outcome::new(
        if q.enforce_root {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        format!(
            "{}: rules {} for root",
            q.module,
            if q.enforce_root {
                "enforced"
            } else {
                "only advisory"
            }
        ),
        q.evidence,
    ))
}

const MFA_MODULES: [&str; 6] = [
    "pam_google_authenticator.so",
    "pam_oath.so",
    "pam_u2f.so",
    "pam_pkcs11.so",
    "pam_yubico.so",
    "pam_duo.so",
];

/// A second factor in the sshd or login auth stack, without `nullok` (which lets users
/// without a configured second factor in on the password alone).
pub fn mfa(ctx: &Ctx) -> Eval {
    if !pam::has_pam(ctx)? {
        return Ok(no_pam());
    }
    let mut evidence = Vec::new();
    let mut weak = Vec::new();
    let mut found = false;
    for service in ["sshd", "login"] {
        let Some(res) = pam::resolve(ctx, service)? else {
            continue;
        };
        for l in res
            .lines
            .iter()
            .filter(|l| l.ty == "auth" && MFA_MODULES.contains(&l.module.as_str()))
        {
            found = true;
            evidence.push(l.evidence().with_value("service", service));
            if l.arg("nullok").is_some() {
                weak.push(format!("{service}: {} nullok", l.module));
            }
        }
        let is_mfa = |l: &PamLine| MFA_MODULES.contains(&l.module.as_str());
        if res.lines.iter().any(|l| l.ty == "auth" && is_mfa(l))
            && pam::bypassed(&res, "auth", is_mfa) == Some(true)
        {
            weak.push(format!(
                "{service}: the auth stack can succeed without the second factor"
            ));
        }
    }
    if let Some(cfg) = ctx.sshd()?.as_ref() {
        // Two methods in a row (`publickey,password`) in every connection context; a
        // Match block that drops the second one makes the factor optional for some.
        let settings = cfg.settings("authenticationmethods");
        let two = |s: &Setting| {
            s.entry
                .is_some_and(|e| e.value.split_whitespace().all(|m| m.contains(',')))
        };
        if settings.iter().any(two) {
            // Without a PAM second factor, connections outside the sshd contexts that ask
            // for two methods get in with one.
            let pam_factor = found;
            found = true;
            for s in &settings {
                if let Some(e) = s.entry {
                    evidence.extend(e.evidence());
                }
                match (s.context, two(s)) {
                    (_, true) => {}
                    (Some(m), false) => {
                        weak.push(format!("sshd: one factor suffices under {}", m.label()))
                    }
                    (None, false) if !pam_factor => weak.push(
                        "sshd: one factor suffices for connections no Match block selects"
                            .to_string(),
                    ),
                    (None, false) => {}
                }
            }
        }
    }
    if !found {
        return Ok(Outcome::new(
            Verdict::Absent,
            "no second authentication factor in the sshd or login stack",
            evidence,
        ));
    }
    if weak.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            "a second factor is required",
            evidence,
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!(
                "second factor optional for users without one: {}",
                weak.join(", ")
            ),
            evidence,
        ))
    }
}

fn no_sshd() -> Outcome {
    Outcome::new(
        Verdict::NotApplicable,
        "no OpenSSH server installed",
        vec![],
    )
}

/// ClientAliveInterval and ClientAliveCountMax with their meaning for the OpenSSH version:
/// since 8.2 a count of 0 disables termination of unresponsive sessions. Judged in every
/// connection context a Match block creates; the worst decides.
pub fn ssh_client_alive(ctx: &Ctx) -> Eval {
    let sshd = ctx.sshd()?;
    let Some(cfg) = sshd.as_ref() else {
        return Ok(no_sshd());
    };
    let version = ctx.openssh_version()?;
    let keys = ["clientaliveinterval", "clientalivecountmax"];
    let mut evidence = Vec::new();
    let mut outcomes = Vec::new();
    for context in cfg.contexts(&keys) {
        let mut value = |key: &str, default: i64| -> i64 {
            match cfg.value_in(key, context) {
                Some(e) => {
                    evidence.extend(e.evidence());
                    parse_int(e.value.split_whitespace().next().unwrap_or("")).unwrap_or(default)
                }
                None => default,
            }
        };
        let interval = value(keys[0], 0);
        let count = value(keys[1], 3);
        let mut facts = format!("ClientAliveInterval {interval}, ClientAliveCountMax {count}");
        if let Some(m) = context {
            facts = format!("{facts} under {}", m.label());
        }
        outcomes.push(client_alive_meaning(
            &facts,
            interval,
            count,
            version.as_ref().as_ref(),
        ));
    }
    if let Some(v) = version.as_ref() {
        evidence.push(v.evidence.clone().with_value("openssh", v.version.clone()));
    }
    if evidence.is_empty() {
        evidence.extend(cfg.file_evidence());
    }
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|(v, _)| *v == Verdict::Fail)
        .map(|(_, d)| d.clone())
        .collect();
    if failed.is_empty() {
        let (verdict, detail) = outcomes.swap_remove(0);
        Ok(Outcome::new(verdict, detail, evidence))
    } else {
        Ok(Outcome::new(Verdict::Fail, failed.join("; "), evidence))
    }
}

/// What the two client-alive values do on the OpenSSH version found.
fn client_alive_meaning(
    facts: &str,
    interval: i64,
    count: i64,
    version: Option<&OpensshVersion>,
) -> (Verdict, String) {
    if interval <= 0 {
        return (
            Verdict::Fail,
            format!("{facts}: sshd never checks whether the client is still there"),
        );
    }
    if count == 0 {
        return match version {
            Some(v) if v.at_least(8, 2) => (
                Verdict::Fail,
                format!(
                    "{facts}: since OpenSSH 8.2 a count of 0 disables termination (found {})",
                    v.version
                ),
            ),
            Some(v) => (
                Verdict::Pass,
                format!(
                    "{facts}: OpenSSH {} ends sessions idle for {interval} s",
                    v.version
                ),
            ),
            None => (
                Verdict::Fail,
                format!(
                    "{facts}: OpenSSH version unknown; from 8.2 on a count of 0 disables termination"
                ),
            ),
        };
    }
    (
        Verdict::Pass,
        format!(
            "{facts}: unresponsive sessions end after {} s",
            interval * count
        ),
    )
}

/// A banner file set in sshd and not empty, for every connection context.
pub fn ssh_banner(ctx: &Ctx) -> Eval {
    let sshd = ctx.sshd()?;
    let Some(cfg) = sshd.as_ref() else {
        return Ok(no_sshd());
    };
    let mut evidence = Vec::new();
    let mut failed = Vec::new();
    let mut shown = String::new();
    for setting in cfg.settings("banner") {
        let under = setting
            .context
            .map(|m| format!(" under {}", m.label()))
            .unwrap_or_default();
        let Some(entry) = setting.entry else {
            evidence.extend(cfg.file_evidence());
            failed.push("Banner not set (OpenSSH default: none)".to_string());
            continue;
        };
        evidence.extend(entry.evidence());
        if entry.value.eq_ignore_ascii_case("none") {
            failed.push(format!("Banner none{under}"));
            continue;
        }
        match ctx.text(&entry.value)? {
            Some(t) if !t.text.trim().is_empty() => {
                let first = t.text.lines().next().unwrap_or("").to_string();
                evidence.push(t.evidence().with_line(1, first));
                if setting.context.is_none() {
                    shown = format!("Banner {}", entry.value);
                }
            }
            Some(t) => {
                evidence.push(t.evidence());
                failed.push(format!("Banner {} is empty{under}", entry.value));
            }
            None => failed.push(format!("Banner {} does not exist{under}", entry.value)),
        }
    }
    if failed.is_empty() {
        Ok(Outcome::new(Verdict::Pass, shown, evidence))
    } else {
        Ok(Outcome::new(Verdict::Fail, failed.join("; "), evidence))
    }
}

/// SSH host private keys shipped in an image are shared by every device made from it.
pub fn ssh_host_keys_in_image(ctx: &Ctx) -> Eval {
    if ctx.mode == Mode::Live {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "a running device's host keys are its own",
            vec![],
        ));
    }
    let mut keys = ctx.dir_files("/etc/ssh", "ssh_host_*_key")?;
    keys.extend(ctx.dir_files("/etc/dropbear", "dropbear_*_host_key")?);
    let has_server = ctx.sshd()?.is_some() || !dropbear_binary(ctx)?.is_empty();
    if keys.is_empty() {
        if !has_server {
            return Ok(no_sshd());
        }
        return Ok(Outcome::new(
            Verdict::Pass,
            "no SSH host private key in the image (made on first boot)",
            vec![],
        ));
    }
    let evidence = keys
        .iter()
        .map(|k| crate::eval::file_evidence(ctx, k))
        .collect();
    Ok(Outcome::new(
        Verdict::Fail,
        format!("host private keys in the image: {}", keys.join(", ")),
        evidence,
    ))
}

const DROPBEAR_BINARIES: [&str; 3] = ["/usr/sbin/dropbear", "/usr/bin/dropbear", "/sbin/dropbear"];

fn dropbear_binary(ctx: &Ctx) -> Result<String, Unreadable> {
    Ok(ctx
        .first_existing(&DROPBEAR_BINARIES)?
        .unwrap_or_default()
        .to_string())
}

/// dropbear's command-line flags, from the files that start it.
struct Dropbear {
    flags: Vec<(String, Option<String>)>,
    evidence: Vec<Evidence>,
}

fn dropbear(ctx: &Ctx) -> Result<Option<Dropbear>, Unreadable> {
    if dropbear_binary(ctx)?.is_empty() {
        return Ok(None);
    }
    let mut files: Vec<String> = vec!["/etc/default/dropbear".into(), "/etc/inittab".into()];
    files.extend(ctx.dir_files("/etc/init.d", "*dropbear*")?);
    for dir in [
        "/etc/systemd/system",
        "/lib/systemd/system",
        "/usr/lib/systemd/system",
    ] {
        files.extend(ctx.dir_files(dir, "dropbear*.service")?);
    }
    let mut flags = Vec::new();
    let mut evidence = Vec::new();
    for f in files {
        let Some(t) = ctx.text(&f)? else { continue };
        let mut ev = t.evidence();
        for (n, line) in config_lines(&t.text) {
            let args = if let Some((k, v)) = line.split_once('=') {
                let k = k.trim();
                if k.contains("DROPBEAR") && k.contains("ARGS") {
                    Some(v.trim().trim_matches(['"', '\'']))
                } else if k == "ExecStart" && v.contains("dropbear") {
                    v.split_once("dropbear").map(|(_, r)| r)
                } else {
                    None
                }
            } else {
                line.split_once("dropbear ").map(|(_, r)| r)
            };
            if let Some(args) = args {
                ev = ev.with_line(n, line);
                flags.extend(parse_flags(args));
            }
        }
        if !ev.lines.is_empty() {
            evidence.push(ev);
        }
    }
    if evidence.is_empty() {
        evidence.push(Evidence::note(
            "dropbear is installed; no file passes it arguments, so its defaults apply",
        ));
    }
    Ok(Some(Dropbear { flags, evidence }))
}

/// `-B -R -p 22 -I 300` or `-BR` into (flag, value) pairs; flags taking a value are the
/// ones dropbear documents with one.
fn parse_flags(args: &str) -> Vec<(String, Option<String>)> {
    const WITH_VALUE: &str = "bcdrpPIKWTJ";
    let mut out = Vec::new();
    let mut words = args.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let Some(chars) = w.strip_prefix('-') else {
            continue;
        };
        for (i, c) in chars.char_indices() {
            if WITH_VALUE.contains(c) {
                let rest = &chars[i + c.len_utf8()..];
                let value = if rest.is_empty() {
                    words.next().map(String::from)
                } else {
                    Some(rest.to_string())
                };
                out.push((c.to_string(), value));
                break;
            }
            out.push((c.to_string(), None));
        }
    }
    out
}

fn no_dropbear() -> Outcome {
    Outcome::new(Verdict::NotApplicable, "dropbear is not installed", vec![])
}

pub fn dropbear_blank_password(ctx: &Ctx) -> Eval {
    let Some(d) = dropbear(ctx)? else {
        return Ok(no_dropbear());
    };
    if d.flags.iter().any(|(f, _)| f == "B") {
        Ok(Outcome::new(
            Verdict::Fail,
            "dropbear -B: logins with a blank password allowed",
            d.evidence,
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Pass,
            "dropbear refuses blank passwords (no -B)",
            d.evidence,
        ))
    }
}

pub fn dropbear_idle_timeout(ctx: &Ctx) -> Eval {
    let Some(d) = dropbear(ctx)? else {
        return Ok(no_dropbear());
    };
    match d
        .flags
        .iter()
        .find(|(f, _)| f == "I")
        .and_then(|(_, v)| v.as_deref().and_then(parse_int))
    {
        Some(t) if t > 0 => Ok(Outcome::new(
            Verdict::Pass,
            format!("dropbear -I {t}: idle sessions end"),
            d.evidence,
        )),
        _ => Ok(Outcome::new(
            Verdict::Fail,
            "dropbear without -I: idle sessions never end",
            d.evidence,
        )),
    }
}

pub fn dropbear_root_login(ctx: &Ctx) -> Eval {
    let Some(d) = dropbear(ctx)? else {
        return Ok(no_dropbear());
    };
    if d.flags.iter().any(|(f, _)| f == "w" || f == "g") {
        Ok(Outcome::new(
            Verdict::Pass,
            "dropbear -w/-g: no root password login",
            d.evidence,
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            "dropbear without -w or -g: root may log in with a password",
            d.evidence,
        ))
    }
}

/// A console that starts a shell without asking who is there: BusyBox `getty -n -l
/// /bin/sh`, a shell respawned on a tty, agetty `--autologin`.
pub fn serial_autologin(ctx: &Ctx) -> Eval {
    let mut sources = 0;
    let mut evidence = Vec::new();
    if let Some(t) = ctx.text("/etc/inittab")? {
        sources += 1;
        let mut ev = t.evidence();
        for (n, line) in config_lines(&t.text) {
            let fields: Vec<&str> = line.splitn(4, ':').collect();
            let (Some(id), Some(process)) = (fields.first(), fields.get(3)) else {
                continue;
            };
            let words: Vec<&str> = process.split_whitespace().collect();
            let is_getty = words.first().is_some_and(|w| w.ends_with("getty"));
            let autologin = is_getty
                && (words.contains(&"-a")
                    || words.iter().any(|w| w.starts_with("--autologin"))
                    || (words.contains(&"-n")
                        && words
                            .windows(2)
                            .any(|w| w[0] == "-l" && !w[1].ends_with("login"))));
            let bare_shell = !id.is_empty()
                && words
                    .first()
                    .is_some_and(|w| w.trim_start_matches('-').ends_with("sh"));
            if autologin || bare_shell {
                ev = ev.with_line(n, line);
            }
        }
        if !ev.lines.is_empty() {
            evidence.push(ev);
        }
    }
    for dir_pattern in ["serial-getty@*.service.d", "getty@*.service.d"] {
        let dirs = match ctx.root.read_dir("/etc/systemd/system") {
            Ok(d) => d,
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        for d in dirs {
            let name = d.name.to_string_lossy();
            if !crate::glob::matches(dir_pattern, &name) {
                continue;
            }
            sources += 1;
            for f in ctx.dir_files(&d.path.display().to_string(), "*.conf")? {
                let Some(t) = ctx.text(&f)? else { continue };
                let mut ev = t.evidence();
                for (n, line) in config_lines(&t.text) {
                    if line.contains("--autologin") || line.contains(" -a ") {
                        ev = ev.with_line(n, line);
                    }
                }
                if !ev.lines.is_empty() {
                    evidence.push(ev);
                }
            }
        }
    }
    if ctx.exists("/lib/systemd/system/serial-getty@.service")? {
        sources += 1;
    }
    if sources == 0 {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no inittab and no systemd getty: no login console configured",
            vec![],
        ));
    }
    if evidence.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            "every console asks for a login",
            vec![],
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            "a console starts a shell without authentication",
            evidence,
        ))
    }
}

/// Daemons that send credentials in clear: telnet, ftp, tftp, rsh/rlogin/rexec.
pub fn cleartext_services(ctx: &Ctx) -> Eval {
    const NAMES: [&str; 8] = [
        "telnetd",
        "ftpd",
        "tftpd",
        "rshd",
        "rlogind",
        "rexecd",
        "in.telnetd",
        "vsftpd",
    ];
    let is_cleartext = |w: &str| {
        let base = w.rsplit('/').next().unwrap_or(w);
        NAMES
            .iter()
            .any(|n| base == *n || base.starts_with(&format!("{n}.")))
            || base.starts_with("in.tftpd")
            || base.starts_with("in.rshd")
    };
    let mut evidence = Vec::new();
    for f in ["/etc/inittab", "/etc/inetd.conf", "/etc/xinetd.conf"] {
        let Some(t) = ctx.text(f)? else { continue };
        let mut ev = t.evidence();
        for (n, line) in config_lines(&t.text) {
            let inetd_service = f.ends_with("inetd.conf")
                && ["telnet", "ftp", "tftp", "shell", "login", "exec"]
                    .contains(&line.split_whitespace().next().unwrap_or(""));
            if inetd_service || line.split([' ', ':', '\t']).any(is_cleartext) {
                ev = ev.with_line(n, line);
            }
        }
        if !ev.lines.is_empty() {
            evidence.push(ev);
        }
    }
    for dir in [
        "/etc/systemd/system/multi-user.target.wants",
        "/etc/systemd/system/sockets.target.wants",
        "/etc/rc5.d",
        "/etc/rc3.d",
        "/etc/init.d",
    ] {
        let entries = match ctx.root.read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        for e in entries {
            let name = e.name.to_string_lossy();
            let stem = name.trim_start_matches(|c: char| c == 'S' || c.is_ascii_digit());
            let stem = stem.split('.').next().unwrap_or(stem);
            let stem = stem.split('@').next().unwrap_or(stem);
            if [
                "telnet",
                "telnetd",
                "tftpd-hpa",
                "vsftpd",
                "proftpd",
                "rsh",
                "tftp",
                "inetutils-telnetd",
            ]
            .contains(&stem)
                && (dir != "/etc/init.d" || name.starts_with('S'))
            {
                evidence.push(Evidence::path(e.path.display().to_string()).with_note("enabled"));
            }
        }
    }
    if evidence.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            "no telnet, ftp, tftp or r-service is started",
            vec![],
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            "a cleartext login or file-transfer service is started",
            evidence,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_flags;

    #[test]
    fn dropbear_flags() {
        let f = parse_flags("-B -R -p 2222 -I300 -wg");
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["B", "R", "p", "I", "w", "g"]);
        assert_eq!(f[2].1.as_deref(), Some("2222"));
        assert_eq!(f[3].1.as_deref(), Some("300"));
    }
}
