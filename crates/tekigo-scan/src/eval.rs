//! The generic evaluators behind the data-driven rule kinds of [`crate::defs::Rule`].

use std::collections::BTreeSet;
use std::rc::Rc;

use crate::ctx::{Ctx, Eval, Mode, Outcome, TextFile, Unreadable};
use crate::defs::{Dropin, Expect, Precedence, Re, Rule, Syntax, VersionedDefault};
use crate::facts::{config_lines, pam, sshd};
use crate::model::{Evidence, Verdict};

/// At most this many matching lines are kept as evidence of one check.
const MAX_LINES: usize = 25;

pub fn evaluate(ctx: &Ctx, rule: &Rule) -> Eval {
    match rule {
        Rule::FilePresent {
            paths,
            present,
            missing,
        } => file_present(ctx, paths, *present, *missing),
        Rule::FileMode {
            paths,
            max_mode,
            owners,
            groups,
            missing,
        } => file_mode(ctx, paths, max_mode, owners, groups, *missing),
        Rule::ConfigValue {
            files,
            dropins,
            syntax,
            key,
            precedence,
            expect,
            default,
            no_file,
            missing,
        } => config_value(
            ctx,
            &ConfigQuery {
                files,
                dropins,
                syntax: *syntax,
                key,
                precedence: *precedence,
            },
            expect,
            default.as_deref(),
            *no_file,
            *missing,
        ),
        Rule::Sysctl {
            key,
            expect,
            default,
        } => sysctl(ctx, key, expect, default.as_deref()),
        Rule::Pattern {
            files,
            dropins,
            regex,
            found,
            not_found,
            no_file,
        } => pattern(ctx, files, dropins, regex, *found, *not_found, *no_file),
        Rule::SshdOption {
            option,
            expect,
            defaults,
        } => sshd_option(ctx, option, expect, defaults),
        Rule::PamModule {
            services,
            stack,
            modules,
        } => pam_module(ctx, services, stack, modules),
        Rule::PamArgAbsent { modules, args } => pam_arg_absent(ctx, modules, args),
        Rule::AuditRule { all_of } => audit_rule(ctx, all_of),
        Rule::ModprobeDisabled { modules } => modprobe_disabled(ctx, modules),
        Rule::MountOptions {
            mount_point,
            options,
            missing,
        } => mount_options(ctx, mount_point, options, *missing),
        Rule::Code { name } => crate::code::run(ctx, name),
    }
}

/// Expands a path whose last component may be a glob.
pub fn expand(ctx: &Ctx, path: &str) -> Result<Vec<String>, Unreadable> {
    match path.rsplit_once('/') {
        Some((dir, name)) if name.contains(['*', '?', '[']) => {
            ctx.dir_files(if dir.is_empty() { "/" } else { dir }, name)
        }
        _ => Ok(if ctx.exists(path)? {
            vec![path.to_string()]
        } else {
            Vec::new()
        }),
    }
}

/// Evidence for a file that exists: its hash when it is a small regular file.
pub fn file_evidence(ctx: &Ctx, path: &str) -> Evidence {
    match ctx.root.read(path, 1 << 20) {
        Ok(read) if !read.truncated => Evidence {
            path: Some(read.path.display().to_string()),
            sha256: Some(read.sha256_hex()),
            ..Evidence::default()
        },
        Ok(read) => Evidence::path(read.path.display().to_string())
            .with_value("size", read.metadata.size.to_string()),
        Err(_) => Evidence::path(path),
    }
}

/// The paths (globs expanded) that exist, or the `missing` outcome when none does.
fn existing(
    ctx: &Ctx,
    paths: &[String],
    missing: Verdict,
) -> Result<Result<Vec<String>, Outcome>, Unreadable> {
    let mut found = Vec::new();
    for p in paths {
        found.extend(expand(ctx, p)?);
    }
    if found.is_empty() {
        return Ok(Err(Outcome::new(
            missing,
            format!("none of {} exists", paths.join(", ")),
            vec![],
        )));
    }
    Ok(Ok(found))
}

fn file_present(ctx: &Ctx, paths: &[String], present: Verdict, missing: Verdict) -> Eval {
    let found = match existing(ctx, paths, missing)? {
        Ok(found) => found,
        Err(outcome) => return Ok(outcome),
    };
    let evidence = found.iter().map(|p| file_evidence(ctx, p)).collect();
    Ok(Outcome::new(
        present,
        format!("found {}", found.join(", ")),
        evidence,
    ))
}

fn file_mode(
    ctx: &Ctx,
    paths: &[String],
    max_mode: &str,
    owners: &[String],
    groups: &[String],
    missing: Verdict,
) -> Eval {
    let max = u32::from_str_radix(max_mode, 8).unwrap_or(0);
    let accounts = ctx.accounts()?;
    let ids = |names: &[String], lookup: &dyn Fn(&str) -> Option<u32>| -> Vec<u32> {
        names
            .iter()
            .filter_map(|n| n.parse().ok().or_else(|| lookup(n)))
            .collect()
    };
    let uids = ids(owners, &|n| accounts.uid_of(n));
    let gids = ids(groups, &|n| accounts.gid_of(n));
    let found = match existing(ctx, paths, missing)? {
        Ok(found) => found,
        Err(outcome) => return Ok(outcome),
    };
    if !ctx.ownership_preserved && (!owners.is_empty() || !groups.is_empty()) {
        return Err(Unreadable {
            path: found[0].clone(),
            reason: "file owners were not kept when the archive was unpacked without root \
                     privileges"
                .into(),
        });
    }
    let mut bad = Vec::new();
    let mut evidence = Vec::new();
    for p in &found {
        let Some(m) = ctx.metadata(p)? else { continue };
        let owner_ok = uids.is_empty() || uids.contains(&m.uid);
        let group_ok = gids.is_empty() || gids.contains(&m.gid);
        let mode_ok = m.mode & !max == 0;
        let ev = Evidence::path(p.clone())
            .with_value("mode", format!("{:04o}", m.mode))
            .with_value(
                "owner",
                accounts
                    .user_name(m.uid)
                    .map_or(m.uid.to_string(), String::from),
            )
            .with_value(
                "group",
                accounts
                    .group_name(m.gid)
                    .map_or(m.gid.to_string(), String::from),
            );
        if !(owner_ok && group_ok && mode_ok) {
            bad.push(format!("{p} ({:04o} {}:{})", m.mode, m.uid, m.gid));
        }
        evidence.push(ev);
    }
    let want = format!(
        "at most {max_mode}{}{}",
        if owners.is_empty() {
            String::new()
        } else {
            format!(", owner {}", owners.join("|"))
        },
        if groups.is_empty() {
            String::new()
        } else {
            format!(", group {}", groups.join("|"))
        }
    );
    if bad.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!("{} file(s) {want}", found.len()),
            evidence,
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!("expected {want}: {}", bad.join(", ")),
            evidence,
        ))
    }
}

struct ConfigQuery<'a> {
    files: &'a [String],
    dropins: &'a [Dropin],
    syntax: Syntax,
    key: &'a str,
    precedence: Precedence,
}

/// A key's setting in a file: the file, line number, line, value.
type Setting = (Rc<TextFile>, usize, String, String);

fn find_setting(texts: &[Rc<TextFile>], q: &ConfigQuery) -> Option<Setting> {
    let mut found = None;
    for t in texts {
        for (n, line) in config_lines(&t.text) {
            let kv = match q.syntax {
                Syntax::Equals => line.split_once('='),
                Syntax::Space => line.split_once(char::is_whitespace),
            };
            // A bare word (such as `enforce_for_root`) is a flag set to itself.
            let (k, v) = kv.unwrap_or((line, ""));
            if k.trim().eq_ignore_ascii_case(q.key) {
                let setting = (t.clone(), n, line.to_string(), v.trim().to_string());
                if q.precedence == Precedence::First {
                    return Some(setting);
                }
                found = Some(setting);
            }
        }
    }
    found
}

fn config_value(
    ctx: &Ctx,
    q: &ConfigQuery,
    expect: &Expect,
    default: Option<&str>,
    no_file: Verdict,
    missing: Verdict,
) -> Eval {
    let texts = ctx.texts_with_dropins(q.files, q.dropins)?;
    if texts.is_empty() {
        return Ok(Outcome::new(
            no_file,
            format!("none of {} exists", q.files.join(", ")),
            vec![],
        ));
    }
    match find_setting(&texts, q) {
        Some((file, n, line, value)) => {
            let ok = expect.accepts(&value);
            Ok(Outcome::new(
                if ok { Verdict::Pass } else { Verdict::Fail },
                format!("{} = {value} (expected {expect})", q.key),
                vec![file.evidence().with_line(n, line)],
            ))
        }
        None => {
            let evidence: Vec<Evidence> = texts.iter().map(|t| t.evidence()).collect();
            match default {
                Some(d) => {
                    let ok = expect.accepts(d);
                    Ok(Outcome::new(
                        if ok { Verdict::Pass } else { Verdict::Fail },
                        format!("{} not set, default {d} (expected {expect})", q.key),
                        evidence,
                    ))
                }
                None => Ok(Outcome::new(
                    missing,
                    format!("{} not set (expected {expect})", q.key),
                    evidence,
                )),
            }
        }
    }
}

/// sysctl.d directories in the order systemd-sysctl gives them precedence.
const SYSCTL_DIRS: [&str; 5] = [
    "/etc/sysctl.d",
    "/run/sysctl.d",
    "/usr/local/lib/sysctl.d",
    "/usr/lib/sysctl.d",
    "/lib/sysctl.d",
];

/// The value files set for `key`, applied as `sysctl --system` and systemd-sysctl do:
/// files by name across the directories (a name in an earlier directory hides the same
/// name later), `/etc/sysctl.conf` last, the last assignment winning.
pub fn sysctl_setting(ctx: &Ctx, key: &str) -> Result<Option<Setting>, Unreadable> {
    let mut by_name: std::collections::BTreeMap<String, String> = Default::default();
    for dir in SYSCTL_DIRS {
        for path in ctx.dir_files(dir, "*.conf")? {
            let name = path.rsplit('/').next().unwrap_or_default().to_string();
            by_name.entry(name).or_insert(path);
        }
    }
    let mut paths: Vec<String> = by_name.into_values().collect();
    paths.push("/etc/sysctl.conf".into());
    let key = key.replace('/', ".");
    let mut found = None;
    let mut seen = BTreeSet::new();
    for p in paths {
        let Some(t) = ctx.text(&p)? else { continue };
        // 99-sysctl.conf is usually a link to /etc/sysctl.conf: read each file once.
        if !seen.insert(t.path.clone()) {
            continue;
        }
        for (n, line) in t.lines() {
            let l = line.trim();
            if l.starts_with('#') || l.starts_with(';') {
                continue;
            }
            let Some((k, v)) = l.split_once('=') else {
                continue;
            };
            let k = k.trim().trim_start_matches('-').replace('/', ".");
            if k == key {
                found = Some((t.clone(), n, l.to_string(), v.trim().to_string()));
            }
        }
    }
    Ok(found)
}

fn sysctl(ctx: &Ctx, key: &str, expect: &Expect, default: Option<&str>) -> Eval {
    if ctx.mode == Mode::Live {
        let proc_path = format!("/proc/sys/{}", key.replace('.', "/"));
        if let Some(t) = ctx.text(&proc_path)? {
            let value = t.text.trim().to_string();
            let ok = expect.accepts(&value);
            return Ok(Outcome::new(
                if ok { Verdict::Pass } else { Verdict::Fail },
                format!("{key} = {value} in the running kernel (expected {expect})"),
                vec![Evidence::path(proc_path).with_value(key, value)],
            ));
        }
    }
    match sysctl_setting(ctx, key)? {
        Some((file, n, line, value)) => {
            let ok = expect.accepts(&value);
            Ok(Outcome::new(
                if ok { Verdict::Pass } else { Verdict::Fail },
                format!("{key} = {value} (expected {expect})"),
                vec![file.evidence().with_line(n, line)],
            ))
        }
        None => {
            match default {
                Some(d) => {
                    let ok = expect.accepts(d);
                    Ok(Outcome::new(
                    if ok { Verdict::Pass } else { Verdict::Fail },
                    format!("{key} not set by any sysctl file; kernel default {d} (expected {expect})"),
                    vec![Evidence::note("no sysctl.d file or /etc/sysctl.conf sets it")
                        .with_value(key, d)],
                ))
                }
                None => Ok(Outcome::new(
                    Verdict::Fail,
                    format!("{key} not set by any sysctl file (expected {expect})"),
                    vec![Evidence::note(
                        "no sysctl.d file or /etc/sysctl.conf sets it",
                    )],
                )),
            }
        }
    }
}

fn pattern(
    ctx: &Ctx,
    files: &[String],
    dropins: &[Dropin],
    regex: &Re,
    found: Verdict,
    not_found: Verdict,
    no_file: Verdict,
) -> Eval {
    let mut paths = Vec::new();
    for f in files {
        paths.extend(expand(ctx, f)?);
    }
    let texts = ctx.texts_with_dropins(&paths, dropins)?;
    if texts.is_empty() {
        return Ok(Outcome::new(
            no_file,
            format!("none of {} exists", files.join(", ")),
            vec![],
        ));
    }
    let mut evidence = Vec::new();
    let mut hits = 0;
    for t in &texts {
        let mut ev = t.evidence();
        for (n, line) in t.lines() {
            if line.trim_start().starts_with('#') || !regex.0.is_match(line) {
                continue;
            }
            hits += 1;
            if ev.lines.len() < MAX_LINES {
                ev.lines.push(crate::model::Line {
                    number: n,
                    text: line.trim().to_string(),
                });
            }
        }
        if !ev.lines.is_empty() || hits == 0 {
            evidence.push(ev);
        }
    }
    if hits > 0 {
        evidence.retain(|e| !e.lines.is_empty());
        Ok(Outcome::new(
            found,
            format!("{hits} line(s) match /{}/", regex.0.as_str()),
            evidence,
        ))
    } else {
        Ok(Outcome::new(
            not_found,
            format!("no line matches /{}/", regex.0.as_str()),
            evidence,
        ))
    }
}

/// The default of an sshd option for the OpenSSH version found (the newest default when
/// the version is unknown, with a note saying so).
fn sshd_default<'a>(
    defaults: &'a [VersionedDefault],
    version: Option<&sshd::OpensshVersion>,
) -> Option<&'a str> {
    let applies = |d: &VersionedDefault| match (&d.since, version) {
        (None, _) => true,
        (Some(_), None) => true,
        (Some(s), Some(v)) => {
            sshd::OpensshVersion::parse(s).is_some_and(|s| v.at_least(s.major, s.minor))
        }
    };
    defaults
        .iter()
        .find(|d| applies(d))
        .map(|d| d.value.as_str())
}

fn sshd_option(ctx: &Ctx, option: &str, expect: &Expect, defaults: &[VersionedDefault]) -> Eval {
    let sshd = ctx.sshd()?;
    let Some(cfg) = sshd.as_ref() else {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no OpenSSH server installed",
            vec![],
        ));
    };
    let version = ctx.openssh_version()?;
    let default = sshd_default(defaults, version.as_ref().as_ref());
    let key = option.to_ascii_lowercase();
    let mut evidence = Vec::new();
    let mut bad = Vec::new();
    let mut global_value = String::new();
    // Each connection context: the global one first, then every Match block that sets the
    // option; the verdict is the worst of them.
    for setting in cfg.settings(&key) {
        let value = match (setting.entry, default) {
            (Some(e), _) => {
                evidence.extend(e.evidence());
                e.value.clone()
            }
            (None, Some(d)) => {
                evidence.extend(cfg.file_evidence());
                evidence.push(
                    Evidence::note(format!("{option} not set: OpenSSH default applies"))
                        .with_value(option, d),
                );
                d.to_string()
            }
            (None, None) => {
                evidence.extend(cfg.file_evidence());
                bad.push(format!("{option} not set"));
                continue;
            }
        };
        match setting.context {
            None => {
                if !expect.accepts(&value) {
                    bad.push(format!("{option} {value}"));
                }
                global_value = value;
            }
            Some(m) if !expect.accepts(&value) => {
                bad.push(format!("{option} {value} under {}", m.label()));
            }
            Some(_) => {}
        }
    }
    if let Some(v) = version.as_ref() {
        evidence.push(v.evidence.clone().with_value("openssh", v.version.clone()));
    }
    if bad.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!("{option} {global_value} (expected {expect})"),
            evidence,
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!("{} (expected {expect})", bad.join("; ")),
            evidence,
        ))
    }
}

fn pam_module(ctx: &Ctx, services: &[String], stack: &str, modules: &[String]) -> Eval {
    if !pam::has_pam(ctx)? {
        return Ok(Outcome::new(
            Verdict::Absent,
            "no PAM configuration (/etc/pam.d missing): the login programs have no such mechanism",
            vec![],
        ));
    }
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    let mut checked = Vec::new();
    for service in services {
        let Some(res) = pam::resolve(ctx, service)? else {
            continue;
        };
        checked.push(service.clone());
        let lines: Vec<&pam::PamLine> = res.lines.iter().filter(|l| l.ty == stack).collect();
        let hits: Vec<&&pam::PamLine> = lines
            .iter()
            .filter(|l| modules.contains(&l.module))
            .collect();
        for hit in &hits {
            if !pam::module_exists(ctx, hit)? {
                missing.push(format!(
                    "{service}: {} is not installed (typo?)",
                    hit.module
                ));
            }
            evidence.push(hit.evidence().with_value("service", service.clone()));
        }
        // Listed is not enough: control values may jump over the module on the way to a
        // successful login.
        let bypassed = !hits.is_empty()
            && pam::bypassed(&res, stack, |l| modules.contains(&l.module)) == Some(true);
        if bypassed {
            missing.push(format!(
                "{service}: the {stack} stack can succeed without running {} (jumped over or ended before it)",
                modules.join(" or ")
            ));
        }
        if hits.is_empty() || bypassed {
            if hits.is_empty() {
                missing.push(format!(
                    "{service}: none of {} in its {stack} stack",
                    modules.join(", ")
                ));
            }
            // The stack as resolved, one evidence item per file it came from.
            let mut by_file: Vec<Evidence> = Vec::new();
            for l in lines.iter().take(MAX_LINES) {
                match by_file
                    .iter_mut()
                    .find(|e| e.path.as_ref() == Some(&l.file.path))
                {
                    Some(e) => e.lines.push(crate::model::Line {
                        number: l.number,
                        text: l.text.clone(),
                    }),
                    None => by_file.push(l.evidence().with_value("service", service.clone())),
                }
            }
            evidence.extend(by_file);
        }
        for note in res.notes {
            evidence.push(Evidence::note(note));
        }
    }
    if checked.is_empty() {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            format!(
                "none of the PAM services {} is configured",
                services.join(", ")
            ),
            evidence,
        ));
    }
    if missing.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!(
                "{} in the {stack} stack of {}",
                modules.join(" or "),
                checked.join(", ")
            ),
            evidence,
        ))
    } else {
        Ok(Outcome::new(Verdict::Fail, missing.join("; "), evidence))
    }
}

fn pam_arg_absent(ctx: &Ctx, modules: &[String], args: &[String]) -> Eval {
    if !pam::has_pam(ctx)? {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no PAM configuration (/etc/pam.d missing)",
            vec![],
        ));
    }
    let mut seen = BTreeSet::new();
    let mut evidence = Vec::new();
    let mut users: Vec<String> = Vec::new();
    for service in pam::services(ctx)? {
        let Some(res) = pam::resolve(ctx, &service)? else {
            continue;
        };
        for l in &res.lines {
            if modules.contains(&l.module) && args.iter().any(|a| l.arg(a).is_some()) {
                if !users.contains(&service) {
                    users.push(service.clone());
                }
                if seen.insert((l.file.path.clone(), l.number)) {
                    evidence.push(l.evidence());
                }
            }
        }
    }
    if evidence.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!("no {} line has {}", modules.join("/"), args.join("/")),
            vec![],
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!(
                "{} used with {} by the services {}",
                modules.join("/"),
                args.join("/"),
                users.join(", ")
            ),
            evidence,
        ))
    }
}

/// The audit rules auditd loads at boot: augenrules merges /etc/audit/rules.d/*.rules;
/// without that directory, /etc/audit/audit.rules. `None` when auditd is not installed.
pub fn audit_rules(ctx: &Ctx) -> Result<Option<Vec<Rc<TextFile>>>, Unreadable> {
    if ctx
        .first_existing(&["/sbin/auditd", "/usr/sbin/auditd"])?
        .is_none()
    {
        return Ok(None);
    }
    let mut texts = Vec::new();
    for p in ctx.dir_files("/etc/audit/rules.d", "*.rules")? {
        texts.extend(ctx.text(&p)?);
    }
    if texts.is_empty() {
        texts.extend(ctx.text("/etc/audit/audit.rules")?);
    }
    Ok(Some(texts))
}

fn audit_rule(ctx: &Ctx, all_of: &[Vec<Re>]) -> Eval {
    let Some(texts) = audit_rules(ctx)? else {
        return Ok(Outcome::new(
            Verdict::Absent,
            "auditd is not installed",
            vec![],
        ));
    };
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for group in all_of {
        let mut hit = None;
        'files: for t in &texts {
            for (n, line) in config_lines(&t.text) {
                if group.iter().any(|r| r.0.is_match(line)) {
                    hit = Some(t.evidence().with_line(n, line));
                    break 'files;
                }
            }
        }
        match hit {
            Some(ev) => evidence.push(ev),
            None => missing.push(
                group
                    .iter()
                    .map(|r| format!("/{}/", r.0.as_str()))
                    .collect::<Vec<_>>()
                    .join(" or "),
            ),
        }
    }
    if texts.is_empty() {
        evidence.push(Evidence::note(
            "no audit rules file (rules.d/*.rules or audit.rules)",
        ));
    }
    if missing.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!("{} required rule(s) present", all_of.len()),
            evidence,
        ))
    } else {
        evidence.extend(texts.iter().map(|t| t.evidence()));
        Ok(Outcome::new(
            Verdict::Fail,
            format!("no audit rule matches {}", missing.join("; ")),
            evidence,
        ))
    }
}

const MODPROBE_DIRS: [&str; 4] = [
    "/etc/modprobe.d",
    "/run/modprobe.d",
    "/usr/lib/modprobe.d",
    "/lib/modprobe.d",
];

fn modprobe_disabled(ctx: &Ctx, modules: &[String]) -> Eval {
    let norm = |m: &str| m.replace('-', "_");
    let mut disabled: Vec<(String, Evidence)> = Vec::new();
    let mut files = 0;
    for dir in MODPROBE_DIRS {
        for p in ctx.dir_files(dir, "*.conf")? {
            let Some(t) = ctx.text(&p)? else { continue };
            files += 1;
            for (n, line) in config_lines(&t.text) {
                let w: Vec<&str> = line.split_whitespace().collect();
                let module = match w.as_slice() {
                    ["blacklist", m] => Some(*m),
                    ["install", m, cmd, ..]
                        if ["/bin/false", "/bin/true", "/usr/bin/false", "/usr/bin/true"]
                            .contains(cmd) =>
                    {
                        Some(*m)
                    }
                    _ => None,
                };
                if let Some(m) = module {
                    disabled.push((norm(m), t.evidence().with_line(n, line)));
                }
            }
        }
    }
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for m in modules {
        match disabled.iter().find(|(d, _)| *d == norm(m)) {
            Some((_, ev)) => evidence.push(ev.clone()),
            None => missing.push(m.clone()),
        }
    }
    if missing.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!("{} disabled", modules.join(", ")),
            evidence,
        ))
    } else {
        if files == 0 {
            evidence.push(Evidence::note("no modprobe.d configuration file"));
        }
        Ok(Outcome::new(
            Verdict::Fail,
            format!("not disabled: {}", missing.join(", ")),
            evidence,
        ))
    }
}

fn mount_options(ctx: &Ctx, mount_point: &str, options: &[String], missing: Verdict) -> Eval {
    let check = |opts: &str, ev: Evidence| -> Outcome {
        let have: Vec<&str> = opts.split(',').map(str::trim).collect();
        let lacking: Vec<&str> = options
            .iter()
            .map(String::as_str)
            .filter(|o| !have.contains(o))
            .collect();
        if lacking.is_empty() {
            Outcome::new(
                Verdict::Pass,
                format!("{mount_point} mounted with {}", options.join(",")),
                vec![ev],
            )
        } else {
            Outcome::new(
                Verdict::Fail,
                format!("{mount_point} mounted without {}", lacking.join(",")),
                vec![ev],
            )
        }
    };
    if let Some(t) = ctx.text("/etc/fstab")? {
        for (n, line) in config_lines(&t.text) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.get(1) == Some(&mount_point) {
                return Ok(check(
                    f.get(3).unwrap_or(&""),
                    t.evidence().with_line(n, line),
                ));
            }
        }
    }
    let unit = format!(
        "{}.mount",
        mount_point.trim_start_matches('/').replace('/', "-")
    );
    for dir in [
        "/etc/systemd/system",
        "/usr/lib/systemd/system",
        "/lib/systemd/system",
    ] {
        if let Some(t) = ctx.text(&format!("{dir}/{unit}"))? {
            for (n, line) in config_lines(&t.text) {
                if let Some(opts) = line.strip_prefix("Options=") {
                    return Ok(check(opts, t.evidence().with_line(n, line)));
                }
            }
        }
    }
    Ok(Outcome::new(
        missing,
        format!("{mount_point} is not a separate mount (no fstab line, no {unit})"),
        vec![],
    ))
}
