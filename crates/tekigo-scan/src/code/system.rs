//! System-wide mechanisms: time synchronisation, firewall, boot integrity, package
//! inventory, encrypted swap, audit daemon, watchdog.

use std::rc::Rc;

use crate::ctx::{Ctx, Eval, Mode, Outcome, TextFile, Unreadable};
use crate::eval::{expand, file_evidence};
use crate::facts::config_lines;
use crate::model::{Evidence, Verdict};

/// A time source line: (file, line number, text).
type Source = (Rc<TextFile>, usize, String);

/// chrony's configuration: the main file, then `confdir` (*.conf) and `sourcedir`
/// (*.sources) directories it names.
fn chrony_files(ctx: &Ctx) -> Result<Vec<Rc<TextFile>>, Unreadable> {
    let Some(main_path) = ctx.first_existing(&["/etc/chrony/chrony.conf", "/etc/chrony.conf"])?
    else {
        return Ok(Vec::new());
    };
    let mut files: Vec<Rc<TextFile>> = ctx.text(main_path)?.into_iter().collect();
    let main = files.first().cloned();
    if let Some(main) = main {
        for (_, line) in config_lines(&main.text) {
            let mut w = line.split_whitespace();
            let (Some(kw), Some(dir)) = (w.next(), w.next()) else {
                continue;
            };
            let pattern = match kw {
                "confdir" => "*.conf",
                "sourcedir" => "*.sources",
                _ => continue,
            };
            for p in ctx.dir_files(dir, pattern)? {
                files.extend(ctx.text(&p)?);
            }
        }
    }
    Ok(files)
}

/// Configured time sources and which daemon has them.
fn time_sources(ctx: &Ctx) -> Result<(Vec<&'static str>, Vec<Source>), Unreadable> {
    let mut daemons = Vec::new();
    let mut sources = Vec::new();
    let mut collect = |name: &'static str, files: Vec<Rc<TextFile>>, kws: &[&str]| {
        let before = sources.len();
        for t in files {
            for (n, line) in config_lines(&t.text) {
                if kws.contains(&line.split_whitespace().next().unwrap_or("")) {
                    sources.push((t.clone(), n, line.to_string()));
                }
            }
        }
        if sources.len() > before {
            daemons.push(name);
        }
    };
    if ctx
        .first_existing(&["/usr/sbin/chronyd", "/sbin/chronyd"])?
        .is_some()
    {
        collect(
            "chrony",
            chrony_files(ctx)?,
            &["server", "pool", "peer", "refclock"],
        );
    }
    if ctx.first_existing(&["/usr/sbin/ntpd"])?.is_some() {
        let files = ["/etc/ntpsec/ntp.conf", "/etc/ntp.conf"]
            .iter()
            .map(|p| ctx.text(p))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        collect("ntpd", files, &["server", "pool", "peer"]);
    }
    let timesyncd = ctx.first_existing(&[
        "/lib/systemd/systemd-timesyncd",
        "/usr/lib/systemd/systemd-timesyncd",
    ])?;
    if timesyncd.is_some()
        && ctx.exists("/etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service")?
    {
        let mut files: Vec<Rc<TextFile>> = ctx
            .text("/etc/systemd/timesyncd.conf")?
            .into_iter()
            .collect();
        for p in ctx.dir_files("/etc/systemd/timesyncd.conf.d", "*.conf")? {
            files.extend(ctx.text(&p)?);
        }
        let before = sources.len();
        for t in &files {
            for (n, line) in config_lines(&t.text) {
                if line.starts_with("NTP=") && line.len() > 4 {
                    sources.push((t.clone(), n, line.to_string()));
                }
            }
        }
        if sources.len() == before {
            // systemd-timesyncd falls back to compiled-in servers.
            if let Some(t) = files.first() {
                sources.push((t.clone(), 0, "FallbackNTP (compiled-in default)".into()));
            }
        }
        daemons.push("systemd-timesyncd");
    }
    // BusyBox ntpd started from inittab or an init script.
    let mut boot_files: Vec<String> = vec!["/etc/inittab".into()];
    boot_files.extend(ctx.dir_files("/etc/init.d", "*ntp*")?);
    for f in boot_files {
        let Some(t) = ctx.text(&f)? else { continue };
        for (n, line) in config_lines(&t.text) {
            if line.contains("ntpd") && line.contains("-p") {
                sources.push((t.clone(), n, line.to_string()));
                if !daemons.contains(&"busybox ntpd") {
                    daemons.push("busybox ntpd");
                }
            }
        }
    }
    Ok((daemons, sources))
}

fn source_evidence(sources: &[Source]) -> Vec<Evidence> {
    sources
        .iter()
        .map(|(t, n, l)| {
            if *n == 0 {
                t.evidence().with_note(l.clone())
            } else {
                t.evidence().with_line(*n, l.clone())
            }
        })
        .collect()
}

pub fn time_sync(ctx: &Ctx) -> Eval {
    let (daemons, sources) = time_sources(ctx)?;
    if sources.is_empty() {
        return Ok(Outcome::new(
            Verdict::Absent,
            "no time synchronisation daemon with a configured source",
            vec![],
        ));
    }
    Ok(Outcome::new(
        Verdict::Pass,
        format!("{} with {} source(s)", daemons.join(", "), sources.len()),
        source_evidence(&sources),
    ))
}

/// Every time source authenticated: chrony `nts` or `key`, ntpd `key`/`autokey`.
pub fn time_authenticated(ctx: &Ctx) -> Eval {
    let (daemons, sources) = time_sources(ctx)?;
    if sources.is_empty() {
        return Ok(Outcome::new(
            Verdict::Absent,
            "no time synchronisation configured",
            vec![],
        ));
    }
    let unauthenticated: Vec<&Source> = sources
        .iter()
        .filter(|(_, _, l)| {
            let w: Vec<&str> = l.split_whitespace().collect();
            !(w.contains(&"nts")
                || w.contains(&"key")
                || w.contains(&"autokey")
                || l.starts_with("refclock"))
        })
        .collect();
    if unauthenticated.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!("{}: every source authenticated", daemons.join(", ")),
            source_evidence(&sources),
        ))
    } else {
        let list: Vec<Source> = unauthenticated.into_iter().cloned().collect();
        Ok(Outcome::new(
            Verdict::Fail,
            format!("{} unauthenticated time source(s)", list.len()),
            source_evidence(&list),
        ))
    }
}

/// Whether a systemd unit or SysV script starts at boot.
fn enabled(ctx: &Ctx, unit: &str) -> Result<Option<String>, Unreadable> {
    for target in [
        "multi-user.target",
        "sysinit.target",
        "basic.target",
        "network-pre.target",
    ] {
        let p = format!("/etc/systemd/system/{target}.wants/{unit}.service");
        if ctx.root.symlink_metadata(&p).is_ok() {
            return Ok(Some(p));
        }
    }
    for rc in ["/etc/rc2.d", "/etc/rc3.d", "/etc/rc5.d", "/etc/rcS.d"] {
        let found = ctx.dir_files(rc, &format!("S*{unit}"))?.into_iter().next();
        if found.is_some() {
            return Ok(found);
        }
    }
    let init = ctx.dir_files("/etc/init.d", &format!("S*{unit}*"))?;
    Ok(init.into_iter().next())
}

pub fn firewall_default_drop(ctx: &Ctx) -> Eval {
    let mut evidence = Vec::new();
    let mut found_config = false;
    // nftables: a base chain on the input hook with policy drop.
    if let Some(path) =
        ctx.first_existing(&["/etc/nftables.conf", "/etc/sysconfig/nftables.conf"])?
    {
        let mut files: Vec<Rc<TextFile>> = ctx.text(path)?.into_iter().collect();
        if let Some(main) = files.first().cloned() {
            for (_, line) in config_lines(&main.text) {
                if let Some(inc) = line.strip_prefix("include") {
                    for p in expand(ctx, inc.trim().trim_matches('"'))? {
                        files.extend(ctx.text(&p)?);
                    }
                }
            }
        }
        for t in files {
            found_config = true;
            let mut in_input = false;
            for (n, line) in config_lines(&t.text) {
                if line.contains("hook input") {
                    in_input = true;
                }
                if in_input && line.contains("policy drop") {
                    evidence.push(t.evidence().with_line(n, line));
                    in_input = false;
                }
                if line.starts_with('}') {
                    in_input = false;
                }
            }
        }
        if !evidence.is_empty() {
            return Ok(match enabled(ctx, "nftables")? {
                Some(link) => {
                    evidence.push(Evidence::path(link).with_note("loaded at boot"));
                    Outcome::new(
                        Verdict::Pass,
                        "nftables input chain with policy drop, loaded at boot",
                        evidence,
                    )
                }
                None => Outcome::new(
                    Verdict::Fail,
                    "nftables ruleset with policy drop, but nftables is not enabled at boot",
                    evidence,
                ),
            });
        }
    }
    for path in [
        "/etc/iptables/rules.v4",
        "/etc/sysconfig/iptables",
        "/etc/iptables.rules",
    ] {
        if let Some(t) = ctx.text(path)? {
            found_config = true;
            for (n, line) in config_lines(&t.text) {
                if line.starts_with(":INPUT DROP") {
                    return Ok(Outcome::new(
                        Verdict::Pass,
                        "iptables INPUT policy DROP",
                        vec![t.evidence().with_line(n, line)],
                    ));
                }
            }
            evidence.push(t.evidence());
        }
    }
    if found_config {
        Ok(Outcome::new(
            Verdict::Fail,
            "a firewall ruleset exists but incoming traffic is not dropped by default",
            evidence,
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Absent,
            "no firewall ruleset (nftables, iptables) is configured",
            vec![],
        ))
    }
}

pub fn machine_id_in_image(ctx: &Ctx) -> Eval {
    if ctx.mode == Mode::Live {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "a running device's machine id is its own",
            vec![],
        ));
    }
    match ctx.text("/etc/machine-id")? {
        Some(t) => {
            let id = t.text.trim();
            if id.is_empty() || id == "uninitialized" {
                Ok(Outcome::new(
                    Verdict::Pass,
                    "machine id empty: each device makes its own at first boot",
                    vec![t.evidence()],
                ))
            } else {
                Ok(Outcome::new(
                    Verdict::Fail,
                    "a machine id is baked into the image: every device shares it",
                    vec![t.evidence().with_line(1, id.to_string())],
                ))
            }
        }
        None => Ok(Outcome::new(
            Verdict::Pass,
            "no machine id in the image",
            vec![],
        )),
    }
}

/// Whether a PE/COFF image (an EFI binary) carries an Authenticode signature: its
/// certificate table data directory is not empty.
pub fn pe_signed(bytes: &[u8]) -> Option<bool> {
    let u16_at = |o: usize| {
        bytes
            .get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |o: usize| {
        bytes
            .get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if bytes.get(0..2)? != b"MZ" {
        return None;
    }
    let pe = u32_at(0x3c)? as usize;
    if bytes.get(pe..pe + 4)? != b"PE\0\0" {
        return None;
    }
    let opt = pe + 24;
    let dirs = match u16_at(opt)? {
        0x10b => opt + 96,
        0x20b => opt + 112,
        _ => return None,
    };
    let size = u32_at(dirs + 4 * 8 + 4)?;
    Some(size > 0)
}

pub fn secure_boot(ctx: &Ctx) -> Eval {
    if ctx.mode == Mode::Live {
        let var = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";
        if let Some(bytes) = ctx.bytes(var, 64)? {
            let on = bytes.get(4) == Some(&1);
            return Ok(Outcome::new(
                if on { Verdict::Pass } else { Verdict::Fail },
                format!(
                    "UEFI Secure Boot {}",
                    if on { "enabled" } else { "disabled" }
                ),
                vec![Evidence::path(var)
                    .with_value("SecureBoot", bytes.get(4).map_or(0, |b| *b).to_string())],
            ));
        }
        if !ctx.exists("/sys/firmware/efi")? {
            return Ok(Outcome::new(
                Verdict::Absent,
                "booted without UEFI and no other verified boot evidence readable",
                vec![],
            ));
        }
    }
    let mut signed = Vec::new();
    let mut unsigned = Vec::new();
    for dir in ["/boot/efi/EFI", "/efi/EFI", "/boot/EFI"] {
        let entries = match ctx.root.read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        for vendor in entries {
            for f in ctx.dir_files(&vendor.path.display().to_string(), "*.[eE][fF][iI]")? {
                let Some(bytes) = ctx.bytes(&f, 64 << 20)? else {
                    continue;
                };
                match pe_signed(&bytes) {
                    Some(true) => signed.push(f),
                    Some(false) => unsigned.push(f),
                    None => {}
                }
            }
        }
    }
    for f in ctx
        .dir_files("/boot", "*.itb")?
        .into_iter()
        .chain(ctx.dir_files("/boot", "fitImage*")?)
    {
        let Some(bytes) = ctx.bytes(&f, 128 << 20)? else {
            continue;
        };
        let has = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
        if has(b"key-name-hint") {
            signed.push(f);
        } else {
            unsigned.push(f);
        }
    }
    let mut evidence: Vec<Evidence> = signed
        .iter()
        .map(|f| file_evidence(ctx, f).with_value("signed", "yes"))
        .collect();
    evidence.extend(
        unsigned
            .iter()
            .map(|f| file_evidence(ctx, f).with_value("signed", "no")),
    );
    if !unsigned.is_empty() {
        return Ok(Outcome::new(
            Verdict::Fail,
            format!("unsigned boot images: {}", unsigned.join(", ")),
            evidence,
        ));
    }
    if !signed.is_empty() {
        return Ok(Outcome::new(
            Verdict::Pass,
            format!("{} signed boot image(s)", signed.len()),
            evidence,
        ));
    }
    Ok(Outcome::new(
        Verdict::Absent,
        "no signed EFI binary or FIT image in the root filesystem",
        evidence,
    ))
}

/// The package databases a device may have, with the installed package count.
pub fn package_inventory(ctx: &Ctx) -> Eval {
    if let Some(dpkg) = ctx.dpkg()?.as_ref() {
        return Ok(Outcome::new(
            Verdict::Pass,
            format!("dpkg database: {} installed packages", dpkg.packages.len()),
            vec![Evidence {
                path: Some(dpkg.path.clone()),
                sha256: Some(dpkg.sha256.clone()),
                ..Evidence::default()
            }
            .with_value("packages", dpkg.packages.len().to_string())],
        ));
    }
    for (path, field, kind) in [
        ("/var/lib/opkg/status", "Package:", "opkg"),
        ("/usr/lib/opkg/status", "Package:", "opkg"),
        ("/lib/apk/db/installed", "P:", "apk"),
    ] {
        if let Some(t) = ctx.text(path)? {
            let n = t.text.lines().filter(|l| l.starts_with(field)).count();
            return Ok(Outcome::new(
                Verdict::Pass,
                format!("{kind} database: {n} installed packages"),
                vec![t.evidence().with_value("packages", n.to_string())],
            ));
        }
    }
    for path in [
        "/var/lib/rpm/rpmdb.sqlite",
        "/var/lib/rpm/Packages",
        "/usr/lib/sysimage/rpm/rpmdb.sqlite",
    ] {
        if ctx.exists(path)? {
            return Ok(Outcome::new(
                Verdict::Pass,
                "rpm database present",
                vec![file_evidence(ctx, path)],
            ));
        }
    }
    Ok(Outcome::new(
        Verdict::Absent,
        "no package database (dpkg, opkg, apk, rpm): the software inventory cannot be read from the device",
        vec![],
    ))
}

/// OpenSSL 1.0 and 1.1 get no more security fixes.
pub fn eol_crypto_libraries(ctx: &Ctx) -> Eval {
    let mut evidence = Vec::new();
    if let Some(dpkg) = ctx.dpkg()?.as_ref() {
        for (name, version, line) in &dpkg.packages {
            if name.starts_with("libssl1.0") || name == "libssl1.1" {
                evidence.push(
                    Evidence {
                        path: Some(dpkg.path.clone()),
                        sha256: Some(dpkg.sha256.clone()),
                        ..Evidence::default()
                    }
                    .with_line(*line, format!("Package: {name}"))
                    .with_value(name.clone(), version.clone()),
                );
            }
        }
    }
    for dir in [
        "/lib",
        "/usr/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib/arm-linux-gnueabihf",
        "/lib/x86_64-linux-gnu",
        "/lib/aarch64-linux-gnu",
    ] {
        for f in ctx.dir_files(dir, "libssl.so.1.[01]*")? {
            evidence.push(Evidence::path(f).with_note("end-of-life OpenSSL library"));
        }
    }
    if evidence.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            "no end-of-life OpenSSL (1.0, 1.1) installed",
            vec![],
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            "an end-of-life OpenSSL (1.0 or 1.1) is installed",
            evidence,
        ))
    }
}

/// Swap keeps memory contents on disk: it must be encrypted (a crypttab mapping) or absent.
pub fn swap_encrypted(ctx: &Ctx) -> Eval {
    let Some(fstab) = ctx.text("/etc/fstab")? else {
        return Ok(Outcome::new(
            Verdict::Pass,
            "no /etc/fstab: no swap configured",
            vec![],
        ));
    };
    let crypttab = ctx.text("/etc/crypttab")?;
    let mapped: Vec<String> = crypttab
        .as_ref()
        .map(|t| {
            config_lines(&t.text)
                .filter_map(|(_, l)| {
                    l.split_whitespace()
                        .next()
                        .map(|n| format!("/dev/mapper/{n}"))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut plain = Vec::new();
    let mut evidence = Vec::new();
    for (n, line) in config_lines(&fstab.text) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.get(2) != Some(&"swap") {
            continue;
        }
        evidence.push(fstab.evidence().with_line(n, line));
        if !mapped.iter().any(|m| m == f[0]) {
            plain.push(f[0].to_string());
        }
    }
    if evidence.is_empty() {
        return Ok(Outcome::new(
            Verdict::Pass,
            "no swap configured",
            vec![fstab.evidence()],
        ));
    }
    if plain.is_empty() {
        evidence.extend(crypttab.map(|t| t.evidence()));
        Ok(Outcome::new(Verdict::Pass, "swap is encrypted", evidence))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!("unencrypted swap: {}", plain.join(", ")),
            evidence,
        ))
    }
}

pub fn audit_daemon_enabled(ctx: &Ctx) -> Eval {
    let Some(bin) = ctx.first_existing(&["/sbin/auditd", "/usr/sbin/auditd"])? else {
        return Ok(Outcome::new(
            Verdict::Absent,
            "auditd is not installed",
            vec![],
        ));
    };
    let mut evidence = vec![Evidence::path(bin)];
    match enabled(ctx, "auditd")? {
        Some(link) => {
            evidence.push(Evidence::path(link).with_note("started at boot"));
            Ok(Outcome::new(
                Verdict::Pass,
                "auditd installed and started at boot",
                evidence,
            ))
        }
        None => Ok(Outcome::new(
            Verdict::Fail,
            "auditd installed but not started at boot",
            evidence,
        )),
    }
}

/// A hardware watchdog served by systemd, the watchdog daemon or BusyBox.
pub fn watchdog(ctx: &Ctx) -> Eval {
    let mut files: Vec<String> = vec!["/etc/systemd/system.conf".into()];
    files.extend(ctx.dir_files("/etc/systemd/system.conf.d", "*.conf")?);
    for f in &files {
        let Some(t) = ctx.text(f)? else { continue };
        for (n, line) in config_lines(&t.text) {
            if let Some(v) = line.strip_prefix("RuntimeWatchdogSec=") {
                let v = v.trim();
                if !(v.is_empty() || v == "0" || v == "off") {
                    return Ok(Outcome::new(
                        Verdict::Pass,
                        format!("systemd serves the hardware watchdog ({line})"),
                        vec![t.evidence().with_line(n, line)],
                    ));
                }
            }
        }
    }
    if let Some(t) = ctx.text("/etc/watchdog.conf")? {
        if ctx.exists("/usr/sbin/watchdog")? {
            for (n, line) in config_lines(&t.text) {
                if line.starts_with("watchdog-device") {
                    return Ok(Outcome::new(
                        Verdict::Pass,
                        "watchdog daemon configured with a device",
                        vec![t.evidence().with_line(n, line)],
                    ));
                }
            }
        }
    }
    let mut boot: Vec<String> = vec!["/etc/inittab".into()];
    boot.extend(ctx.dir_files("/etc/init.d", "*")?);
    for f in boot {
        let Some(t) = ctx.text(&f)? else { continue };
        for (n, line) in config_lines(&t.text) {
            if line.split_whitespace().any(|w| w.ends_with("watchdog"))
                && line.contains("/dev/watchdog")
            {
                return Ok(Outcome::new(
                    Verdict::Pass,
                    "a watchdog is started at boot",
                    vec![t.evidence().with_line(n, line)],
                ));
            }
        }
    }
    Ok(Outcome::new(
        Verdict::Absent,
        "no watchdog configured (systemd RuntimeWatchdogSec, watchdog daemon, BusyBox watchdog)",
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::pe_signed;

    #[test]
    fn pe_certificate_directory() {
        let mut pe = vec![0u8; 512];
        pe[0..2].copy_from_slice(b"MZ");
        pe[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        let opt = 0x80 + 24;
        pe[opt..opt + 2].copy_from_slice(&0x20bu16.to_le_bytes());
        assert_eq!(pe_signed(&pe), Some(false));
        let cert_size = opt + 112 + 4 * 8 + 4;
        pe[cert_size..cert_size + 4].copy_from_slice(&1024u32.to_le_bytes());
        assert_eq!(pe_signed(&pe), Some(true));
        assert_eq!(pe_signed(b"not a PE file"), None);
    }
}
