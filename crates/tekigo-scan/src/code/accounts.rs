//! Account checks on passwd and shadow, including default passwords verified against the
//! real crypt(3) hashes.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::crypt::{self, Scheme};
use crate::ctx::{Ctx, Eval, Mode, Outcome, TextFile, Unreadable};
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
    let found: Vec<(&Shadow, Option<String>, bool)> = try_on_each(&usable, |s| {
        let mut candidates: Vec<&str> = creds.passwords.iter().map(String::as_str).collect();
        if creds.username_as_password {
            candidates.push(&s.name);
        }
        match first_opening(&candidates, &s.hash) {
            Tried::Opened(c) => (Some(describe(c, &s.name)), true),
            Tried::Closed => (None, true),
            Tried::Unverifiable => (None, false),
        }
    })
    .into_iter()
    .map(|(s, (matched, verifiable))| (s, matched, verifiable))
    .collect();
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
    all_verifiable_or_unreadable(&unverifiable, usable.len())?;
    Ok(Outcome::new(
        Verdict::Pass,
        format!(
            "none of {} account password(s) is one of {tried} known defaults",
            usable.len()
        ),
        vec![ev],
    ))
}

/// The pre-login messages: shown to anyone at the console (`/etc/issue`), before a network
/// login (`/etc/issue.net`) or right after one (`/etc/motd`).
const PRE_LOGIN: [&str; 3] = ["/etc/issue", "/etc/issue.net", "/etc/motd"];
/// Characters that join a user and a password or a key and a value inside one word
/// (`root/root`, `pw=secret`, `パスワード：root`); a word is also tried whole.
const JOINERS: &[char] = &[
    ':', '=', '/', ',', ';', '(', ')', '[', ']', '{', '}', '<', '>', '"', '\'', '|', '`', '：',
    '、', '。', '（', '）', '「', '」', '＝',
];
/// Candidate lengths in characters: shorter is no password, longer no word of a banner.
const TOKEN_CHARS: std::ops::RangeInclusive<usize> = 3..=64;
/// How many distinct candidates are tried on each account at most. Every try is one
/// deliberately slow hash computation, so the bound is what keeps a hostile megabyte of
/// motd from making a scan take minutes (docs/PERFORMANCE.md has the figures).
const MAX_CANDIDATES: usize = 64;
/// Words after which a credential usually follows, in English and Japanese.
const CREDENTIAL_WORDS: [&str; 7] = [
    "pass",
    "pw",
    "login",
    "user",
    "root",
    "パスワード",
    "ユーザ",
];

/// One distinct candidate from the messages, with where it first appears.
struct Candidate {
    text: String,
    file: usize,
    line: usize,
    /// 0: a known default password; 1: near a credential word; 2: any other word.
    tier: u8,
}

/// The candidates of the messages, in the order they are tried: known default passwords,
/// then words within three words after a credential word, then the rest in reading order.
/// Every whitespace-separated word is a candidate whole, without the punctuation around
/// it, and split at [`JOINERS`].
fn candidates(texts: &[Rc<TextFile>], defaults: &[String]) -> Vec<Candidate> {
    let mut seen = std::collections::HashMap::new();
    let mut out: Vec<Candidate> = Vec::new();
    let trim = |w: &str| -> String {
        w.trim_matches(|c: char| JOINERS.contains(&c) || matches!(c, '.' | '!' | '?'))
            .to_string()
    };
    for (f, text) in texts.iter().enumerate() {
        for (n, line) in text.lines() {
            let mut since_keyword = usize::MAX;
            for word in line.split_whitespace() {
                let lower = word.to_lowercase();
                let near = since_keyword < 3;
                since_keyword = if CREDENTIAL_WORDS.iter().any(|k| lower.contains(k)) {
                    0
                } else {
                    since_keyword.saturating_add(1)
                };
                let parts = std::iter::once(word.to_string())
                    .chain(std::iter::once(trim(word)))
                    .chain(word.split(JOINERS).map(trim));
                for part in parts {
                    if !TOKEN_CHARS.contains(&part.chars().count()) {
                        continue;
                    }
                    let tier = if defaults.contains(&part) {
                        0
                    } else if near {
                        1
                    } else {
                        2
                    };
                    match seen.get(&part) {
                        Some(&i) => {
                            let c: &mut Candidate = &mut out[i];
                            c.tier = c.tier.min(tier);
                        }
                        None => {
                            seen.insert(part.clone(), out.len());
                            out.push(Candidate {
                                text: part,
                                file: f,
                                line: n,
                                tier,
                            });
                        }
                    }
                }
            }
        }
    }
    // Stable: reading order within a tier.
    out.sort_by_key(|c| c.tier);
    out
}

/// Pre-login messages that reveal a working password, whatever their wording: every word of
/// `/etc/issue`, `/etc/issue.net` and `/etc/motd` (split as [`candidates`] says, at most
/// [`MAX_CANDIDATES`] of them) is tried as the password of every account with a password
/// hash in `/etc/shadow`. A word that opens an account is a `fail` naming the account, the
/// file and the line; the evidence masks the word, so the report never carries the
/// password. A banner that shows a password no account accepts passes: the check is about
/// access, not wording.
pub fn issue_secrets(ctx: &Ctx) -> Eval {
    let mut texts = Vec::new();
    for path in PRE_LOGIN {
        if let Some(t) = ctx.text(path)? {
            texts.push(t);
        }
    }
    if texts.is_empty() {
        return Ok(Outcome::new(
            Verdict::Pass,
            format!("none of {} exists", PRE_LOGIN.join(", ")),
            vec![],
        ));
    }
    let file_evidence = || texts.iter().map(|t| t.evidence()).collect::<Vec<_>>();
    let acc = ctx.accounts()?;
    let usable: Vec<&Shadow> = match shadow(&acc)? {
        Some(entries) => entries.iter().filter(|s| s.usable()).collect(),
        None => Vec::new(),
    };
    if usable.is_empty() {
        return Ok(Outcome::new(
            Verdict::Pass,
            "no account has a password the messages could reveal",
            file_evidence(),
        ));
    }
    let all = candidates(&texts, &ctx.data.credentials.passwords);
    let tried = &all[..all.len().min(MAX_CANDIDATES)];
    let words: Vec<&str> = tried.iter().map(|c| c.text.as_str()).collect();
    let results = try_on_each(&usable, |s| first_opening(&words, &s.hash));
    let mut opened = Vec::new();
    let mut evidence = Vec::new();
    let mut unverifiable = Vec::new();
    for (s, result) in &results {
        match result {
            Tried::Opened(word) => {
                let Some(c) = tried.iter().find(|c| c.text == *word) else {
                    continue;
                };
                let text = &texts[c.file];
                opened.push(format!("{} ({}:{})", s.name, text.path, c.line));
                let line = text.text.lines().nth(c.line - 1).unwrap_or("");
                evidence.push(
                    text.evidence()
                        .with_line(c.line, mask_secrets(line, word))
                        .with_value("account", s.name.clone()),
                );
            }
            Tried::Closed => {}
            Tried::Unverifiable => {
                unverifiable.push(format!("{} ({})", s.name, Scheme::of(&s.hash).name()));
            }
        }
    }
    if !opened.is_empty() {
        return Ok(Outcome::new(
            Verdict::Fail,
            format!(
                "a word of the pre-login messages is the password of: {}",
                opened.join(", ")
            ),
            evidence,
        ));
    }
    all_verifiable_or_unreadable(&unverifiable, usable.len())?;
    let mut evidence = file_evidence();
    if let Some(first) = evidence.first_mut() {
        first
            .values
            .insert("words_tried".into(), tried.len().to_string());
        first
            .values
            .insert("accounts_with_password".into(), usable.len().to_string());
        if all.len() > tried.len() {
            first.values.insert(
                "words_not_tried".into(),
                (all.len() - tried.len()).to_string(),
            );
        }
        if !unverifiable.is_empty() {
            first
                .values
                .insert("unverifiable".into(), unverifiable.join(", "));
        }
    }
    let mut detail = format!(
        "none of {} word(s) of the pre-login messages opens any of {} account(s)",
        tried.len(),
        usable.len()
    );
    if all.len() > tried.len() {
        detail.push_str(&format!(
            "; {} further word(s) were not tried (at most {MAX_CANDIDATES} are)",
            all.len() - tried.len()
        ));
    }
    Ok(Outcome::new(Verdict::Pass, detail, evidence))
}

/// A line of a pre-login message as evidence: the password that opened an account masked
/// wherever it appears, and anything shaped like a crypt(3) hash too (a hostile image can
/// make `/etc/issue` a link to `/etc/shadow`: hashes are secrets as well).
fn mask_secrets(line: &str, password: &str) -> String {
    let line = line.replace(password, "********");
    let mut out = String::with_capacity(line.len());
    let mut field = String::new();
    let flush = |field: &mut String, out: &mut String| {
        if field.starts_with('$') && Scheme::of(field) != Scheme::Unknown {
            out.push_str("<hash>");
        } else {
            out.push_str(field);
        }
        field.clear();
    };
    for ch in line.chars() {
        if ch == ':' || ch.is_whitespace() {
            flush(&mut field, &mut out);
            out.push(ch);
        } else {
            field.push(ch);
        }
    }
    flush(&mut field, &mut out);
    out.trim().to_string()
}

/// Nothing to say when no account's hash could be verified: an `unreadable` naming the
/// schemes, not a pass.
fn all_verifiable_or_unreadable(unverifiable: &[String], usable: usize) -> Result<(), Unreadable> {
    if usable > 0 && unverifiable.len() == usable {
        return Err(Unreadable {
            path: "/etc/shadow".into(),
            reason: format!(
                "hash scheme(s) this scanner cannot verify: {}",
                unverifiable.join(", ")
            ),
        });
    }
    Ok(())
}

/// What trying candidate passwords on one hash gave.
enum Tried<'c> {
    Opened(&'c str),
    Closed,
    /// The hash's scheme cannot be verified here (see [`crypt::verify`]).
    Unverifiable,
}

/// The first of `candidates` that opens `hash`.
fn first_opening<'c>(candidates: &[&'c str], hash: &str) -> Tried<'c> {
    for c in candidates {
        match crypt::verify(c, hash) {
            Some(true) => return Tried::Opened(c),
            Some(false) => {}
            None => return Tried::Unverifiable,
        }
    }
    Tried::Closed
}

/// `each` on every account, one thread per account: crypt(3) schemes such as yescrypt are
/// slow on purpose, and accounts are independent.
fn try_on_each<'s, T: Send>(
    accounts: &[&'s Shadow],
    each: impl Fn(&Shadow) -> T + Sync,
) -> Vec<(&'s Shadow, T)> {
    let each = &each;
    std::thread::scope(|scope| {
        let handles: Vec<_> = accounts
            .iter()
            .map(|s| scope.spawn(move || (*s, each(s))))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_lines_mask_the_password_and_hashes() {
        assert_eq!(
            mask_secrets("  (login: operator/Gw-Op7) ", "Gw-Op7"),
            "(login: operator/********)"
        );
        assert_eq!(
            mask_secrets(
                "root:$1$tekigo1$abcdefghijklmnopqrstu.:19000:0:99999:7:::",
                "root"
            ),
            "********:<hash>:19000:0:99999:7:::"
        );
        assert_eq!(mask_secrets("echo $HOME", "x"), "echo $HOME");
    }
}
