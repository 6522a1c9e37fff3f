//! Account checks on passwd and shadow, including default passwords verified against the
//! real crypt(3) hashes.

use std::collections::BTreeMap;

use crate::crypt::{self, Scheme};
use crate::ctx::{Ctx, Eval, Mode, Outcome, Unreadable};
use crate::facts::accounts::{Accounts, Shadow};
use crate::model::{Evidence, Verdict};

/// The shadow entries, or why they cannot be read.
fn shadow(accounts: &Accounts) -> Result<Option<&[Shadow]>, Unreadable> {
    match &accounts.shadow_file {
        Ok(Some(_)) => Ok(Some(&accounts.shadow)),
        Ok(None) => Ok(None),
        Err(e) => Err(e.clone()),
    }
}

fn no_accounts() -> Outcome {
    Outcome::new(
        Verdict::NotApplicable,
        "no /etc/passwd: the image defines no accounts",
        vec![],
    )
}

/// Accounts that can log in and have no password at all.
pub fn empty_password(ctx: &Ctx) -> Eval {
    let acc = ctx.accounts()?;
    if acc.passwd.is_none() {
        return Ok(no_accounts());
    }
    let mut evidence = Vec::new();
    let mut names = Vec::new();
    // A passwd entry with an empty password field and no shadow entry has no password.
    for u in acc.users.iter().filter(|u| u.can_log_in()) {
        let line = acc
            .passwd
            .as_ref()
            .map_or("", |f| f.text.lines().nth(u.line - 1).unwrap_or(""));
        if line.split(':').nth(1) == Some("") {
            names.push(u.name.clone());
            evidence.push(acc.passwd_line(u));
        }
    }
    if let Some(entries) = shadow(&acc)? {
        for s in entries.iter().filter(|s| s.hash.is_empty()) {
            if acc.user(&s.name).is_some_and(|u| u.can_log_in()) {
                names.push(s.name.clone());
                evidence.extend(acc.shadow_line(s));
            }
        }
    }
    if names.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            "no login-capable account has an empty password",
            vec![acc
                .passwd
                .as_ref()
                .map_or_else(Evidence::default, |f| f.evidence())],
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!("empty password: {}", names.join(", ")),
            evidence,
        ))
    }
}

pub fn uid0(ctx: &Ctx) -> Eval {
    let acc = ctx.accounts()?;
    if acc.passwd.is_none() {
        return Ok(no_accounts());
    }
    let zero: Vec<_> = acc.users.iter().filter(|u| u.uid == 0).collect();
    let evidence = zero.iter().map(|u| acc.passwd_line(u)).collect();
    if zero.iter().all(|u| u.name == "root") {
        Ok(Outcome::new(Verdict::Pass, "only root has UID 0", evidence))
    } else {
        let names: Vec<&str> = zero.iter().map(|u| u.name.as_str()).collect();
        Ok(Outcome::new(
            Verdict::Fail,
            format!("UID 0 shared by {}", names.join(", ")),
            evidence,
        ))
    }
}

/// Duplicate user names, UIDs, group names or GIDs.
pub fn unique(ctx: &Ctx) -> Eval {
    let acc = ctx.accounts()?;
    if acc.passwd.is_none() {
        return Ok(no_accounts());
    }
    let mut dups = Vec::new();
    let mut evidence = Vec::new();
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut by_uid: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, u) in acc.users.iter().enumerate() {
        by_name.entry(&u.name).or_default().push(i);
        by_uid.entry(u.uid).or_default().push(i);
    }
    for (what, groups) in [
        ("user name", by_name.values().cloned().collect::<Vec<_>>()),
        ("UID", by_uid.values().cloned().collect()),
    ] {
        for idx in groups.iter().filter(|g| g.len() > 1) {
            let names: Vec<&str> = idx.iter().map(|&i| acc.users[i].name.as_str()).collect();
            dups.push(format!(
                "{what} {} shared by {}",
                if what == "UID" {
                    acc.users[idx[0]].uid.to_string()
                } else {
                    acc.users[idx[0]].name.clone()
                },
                names.join(", ")
            ));
            evidence.extend(idx.iter().map(|&i| acc.passwd_line(&acc.users[i])));
        }
    }
    let mut gid_seen: BTreeMap<u32, &str> = BTreeMap::new();
    let mut gname_seen: BTreeMap<&str, u32> = BTreeMap::new();
    for g in &acc.groups {
        if let Some(other) = gid_seen.insert(g.gid, &g.name) {
            dups.push(format!("GID {} shared by {other}, {}", g.gid, g.name));
        }
        if gname_seen.insert(&g.name, g.gid).is_some() {
            dups.push(format!("group name {} defined twice", g.name));
        }
    }
    if dups.is_empty() {
        let ev = acc.passwd.as_ref().map(|f| f.evidence()).into_iter();
        let ev = ev.chain(acc.group_file.as_ref().map(|f| f.evidence()));
        Ok(Outcome::new(
            Verdict::Pass,
            format!(
                "{} users and {} groups, all names and ids unique",
                acc.users.len(),
                acc.groups.len()
            ),
            ev.collect(),
        ))
    } else {
        Ok(Outcome::new(Verdict::Fail, dups.join("; "), evidence))
    }
}

/// Accounts whose password hash matches a known default password.
pub fn default_credentials(ctx: &Ctx) -> Eval {
    let acc = ctx.accounts()?;
    let Some(entries) = shadow(&acc)? else {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no /etc/shadow",
            vec![],
        ));
    };
    let creds = &ctx.data.credentials;
    let usable: Vec<&Shadow> = entries.iter().filter(|s| s.usable()).collect();
    // Each candidate list is tried in a thread per account: yescrypt is slow on purpose.
    let found: Vec<(&Shadow, Option<String>, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = usable
            .iter()
            .map(|s| {
                scope.spawn(move || {
                    let mut candidates: Vec<&str> =
                        creds.passwords.iter().map(String::as_str).collect();
                    if creds.username_as_password {
                        candidates.push(&s.name);
                    }
                    let mut verifiable = true;
                    for c in candidates {
                        match crypt::verify(c, &s.hash) {
                            Some(true) => return (*s, Some(describe(c, &s.name)), true),
                            Some(false) => {}
                            None => {
                                verifiable = false;
                                break;
                            }
                        }
                    }
                    (*s, None, verifiable)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut evidence = Vec::new();
    let mut hits = Vec::new();
    let mut unverifiable = Vec::new();
    for (s, matched, verifiable) in &found {
        if let Some(what) = matched {
            hits.push(format!("{} ({what})", s.name));
            if let Some(ev) = acc.shadow_line(s) {
                evidence.push(ev.with_value(s.name.clone(), what.clone()));
            }
        } else if !verifiable {
            unverifiable.push(format!("{} ({})", s.name, Scheme::of(&s.hash).name()));
        }
    }
    if !hits.is_empty() {
        return Ok(Outcome::new(
            Verdict::Fail,
            format!("known default password: {}", hits.join(", ")),
            evidence,
        ));
    }
    let tried = creds.passwords.len() + usize::from(creds.username_as_password);
    let mut ev = acc
        .shadow_evidence()
        .with_value("accounts_with_password", usable.len().to_string())
        .with_value("candidates_tried", tried.to_string());
    if !unverifiable.is_empty() {
        ev = ev.with_value("unverifiable", unverifiable.join(", "));
    }
    if usable.is_empty() {
        return Ok(Outcome::new(
            Verdict::Pass,
            "no account has a password that could match",
            vec![ev],
        ));
    }
    if unverifiable.len() == usable.len() {
        return Err(Unreadable {
            path: "/etc/shadow".into(),
            reason: format!(
                "hash scheme(s) this scanner cannot verify: {}",
                unverifiable.join(", ")
            ),
        });
    }
    Ok(Outcome::new(
        Verdict::Pass,
        format!(
            "none of {} account password(s) is one of {tried} known defaults",
            usable.len()
        ),
        vec![ev],
    ))
}

/// Which entry of the list matched, without repeating a password that is not a known one.
fn describe(candidate: &str, user: &str) -> String {
    if candidate == user {
        "password is the account name".into()
    } else {
        format!("known default password {candidate:?}")
    }
}

pub fn hash_scheme(ctx: &Ctx) -> Eval {
    let acc = ctx.accounts()?;
    let Some(entries) = shadow(&acc)? else {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no /etc/shadow",
            vec![],
        ));
    };
    let mut weak = Vec::new();
    let mut evidence = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in entries.iter().filter(|s| s.usable()) {
        let scheme = Scheme::of(&s.hash);
        *counts.entry(scheme.name()).or_default() += 1;
        if !scheme.is_strong() {
            weak.push(format!("{} ({})", s.name, scheme.name()));
            evidence.extend(acc.shadow_line(s));
        }
    }
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    if weak.is_empty() {
        let mut ev = acc.shadow_evidence();
        for (k, v) in &counts {
            ev = ev.with_value(*k, v.to_string());
        }
        Ok(Outcome::new(
            Verdict::Pass,
            if counts.is_empty() {
                "no account has a password hash".to_string()
            } else {
                format!("strong hashes only ({})", summary.join(", "))
            },
            vec![ev],
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!("weak password hashes: {}", weak.join(", ")),
            evidence,
        ))
    }
}

/// Vendor default account names (admin, pi, ...) that have a usable password.
pub fn vendor_accounts(ctx: &Ctx) -> Eval {
    let acc = ctx.accounts()?;
    if acc.passwd.is_none() {
        return Ok(no_accounts());
    }
    let shadow = shadow(&acc)?.unwrap_or(&[]);
    let mut found = Vec::new();
    let mut evidence = Vec::new();
    for name in &ctx.data.credentials.vendor_accounts {
        let Some(u) = acc.user(name) else { continue };
        let usable = shadow.iter().any(|s| s.name == *name && s.usable());
        if u.can_log_in() && usable {
            found.push(name.clone());
            evidence.push(acc.passwd_line(u));
        }
    }
    if found.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            "no vendor default account with a password",
            vec![],
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!(
                "vendor default accounts with a password: {}",
                found.join(", ")
            ),
            evidence,
        ))
    }
}

/// In an image, every password set at build time should be changed at first login
/// (last change day 0), so devices do not share it.
pub fn forced_change(ctx: &Ctx) -> Eval {
    if ctx.mode == Mode::Live {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "only meaningful for images",
            vec![],
        ));
    }
    let acc = ctx.accounts()?;
    let Some(entries) = shadow(&acc)? else {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no /etc/shadow",
            vec![],
        ));
    };
    let mut not_forced = Vec::new();
    let mut evidence = Vec::new();
    let mut forced = 0;
    for s in entries.iter().filter(|s| s.usable()) {
        if s.last_change == Some(0) {
            forced += 1;
            evidence.extend(acc.shadow_line(s));
        } else {
            not_forced.push(s.name.clone());
            evidence.extend(acc.shadow_line(s));
        }
    }
    if not_forced.is_empty() && forced == 0 {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no account has a password in the image",
            vec![],
        ));
    }
    if not_forced.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!("{forced} password(s) must be changed at first login"),
            evidence,
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!(
                "passwords baked into the image without a forced change: {}",
                not_forced.join(", ")
            ),
            evidence,
        ))
    }
}

/// System accounts (UID 1-999) with a shell that can run commands.
pub fn system_shells(ctx: &Ctx) -> Eval {
    let acc = ctx.accounts()?;
    if acc.passwd.is_none() {
        return Ok(no_accounts());
    }
    let bad: Vec<_> = acc
        .users
        .iter()
        .filter(|u| (1..1000).contains(&u.uid) && u.can_log_in())
        .collect();
    if bad.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            "no system account has a login shell",
            vec![acc
                .passwd
                .as_ref()
                .map_or_else(Evidence::default, |f| f.evidence())],
        ))
    } else {
        let names: Vec<String> = bad
            .iter()
            .map(|u| format!("{} ({})", u.name, u.shell))
            .collect();
        Ok(Outcome::new(
            Verdict::Fail,
            format!("system accounts with a login shell: {}", names.join(", ")),
            bad.iter().map(|u| acc.passwd_line(u)).collect(),
        ))
    }
}
