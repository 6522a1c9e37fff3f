//! Services that carry credentials in clear text: Telnet and FTP logins (also tried with
//! the default passwords), login forms and Basic authentication over plain HTTP, and
//! SNMP v1/v2c with a default community.

use std::time::Duration;

use tekigo_verdict::{Evidence, Verdict};

use crate::checks::{self, Credentials, Outcome};
use crate::discover::host_header;
use crate::net::{Conn, Net};

const PROMPT_WAIT: Duration = Duration::from_secs(4);

/// Answers every Telnet option negotiation with a refusal (WONT/DONT), so the server
/// falls back to a plain line-mode terminal, and returns the data without the commands.
fn telnet_filter(conn: &mut Conn, data: &[u8]) -> Vec<u8> {
    let mut text = Vec::new();
    let mut reply = Vec::new();
    let mut i = 0;
    while i < data.len() {
        if data[i] == 0xff && i + 1 < data.len() {
            match data[i + 1] {
                0xfb | 0xfc if i + 2 < data.len() => {
                    // WILL/WONT x: we accept the server echoing (1) and suppressing go-ahead
                    // (3), refuse the rest.
                    let opt = data[i + 2];
                    let answer = if data[i + 1] == 0xfb && (opt == 1 || opt == 3) {
                        0xfd
                    } else {
                        0xfe
                    };
                    reply.extend_from_slice(&[0xff, answer, opt]);
                    i += 3;
                }
                0xfd | 0xfe if i + 2 < data.len() => {
                    reply.extend_from_slice(&[0xff, 0xfc, data[i + 2]]);
                    i += 3;
                }
                0xfa => {
                    // Subnegotiation: skip to IAC SE.
                    let end = data[i..]
                        .windows(2)
                        .position(|w| w == [0xff, 0xf0])
                        .map_or(data.len(), |p| i + p + 2);
                    i = end;
                }
                0xff => {
                    text.push(0xff);
                    i += 2;
                }
                _ => i += 2,
            }
        } else {
            text.push(data[i]);
            i += 1;
        }
    }
    if !reply.is_empty() {
        let _ = conn.send(&reply);
    }
    text
}

fn ends_with_prompt(text: &[u8], prompts: &[&str]) -> bool {
    let t = without_escapes(&String::from_utf8_lossy(text)).to_ascii_lowercase();
    let t = t.trim_end();
    prompts.iter().any(|p| t.ends_with(p))
}

/// Reads Telnet text until one of `prompts` ends it.
fn telnet_until(conn: &mut Conn, prompts: &[&str], wait: Duration) -> Vec<u8> {
    let mut text = Vec::new();
    let end = std::time::Instant::now() + wait;
    while std::time::Instant::now() < end {
        let left = end.saturating_duration_since(std::time::Instant::now());
        let Ok(raw) = conn.read_until(left.min(Duration::from_millis(800)), 8192, |_| true) else {
            break;
        };
        if raw.is_empty() {
            if ends_with_prompt(&text, prompts) {
                break;
            }
            continue;
        }
        text.extend(telnet_filter(conn, &raw));
        if ends_with_prompt(&text, prompts) {
            break;
        }
    }
    text
}

const LOGIN_PROMPTS: &[&str] = &["login:", "username:", "user:", "user name:"];
const PASSWORD_PROMPTS: &[&str] = &["password:"];

/// The outcome of one Telnet login: Some(true) logged in, Some(false) refused, None no
/// login prompt; the text before the prompt.
fn telnet_login(
    net: &Net,
    port: u16,
    user: &str,
    password: &str,
) -> Result<(Option<bool>, String, Evidence), String> {
    let mut conn = net.connect(port).map_err(|e| e.to_string())?;
    let pre = telnet_until(&mut conn, LOGIN_PROMPTS, PROMPT_WAIT);
    let pre_text = String::from_utf8_lossy(&pre).into_owned();
    if !ends_with_prompt(&pre, LOGIN_PROMPTS) {
        return Ok((None, pre_text, conn.evidence()));
    }
    conn.send(format!("{user}\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let asked = telnet_until(&mut conn, PASSWORD_PROMPTS, PROMPT_WAIT);
    if !ends_with_prompt(&asked, PASSWORD_PROMPTS) {
        // Logged in without a password, or something else.
        let logged = looks_logged_in(&asked);
        return Ok((Some(logged), pre_text, conn.evidence()));
    }
    conn.send_secret(format!("{password}\r\n").as_bytes(), password)
        .map_err(|e| e.to_string())?;
    let after = telnet_until(
        &mut conn,
        &["login:", "$", "#", ">", "incorrect", "failed", "denied"],
        PROMPT_WAIT,
    );
    let logged = looks_logged_in(&after);
    if logged {
        let _ = conn.send(b"exit\r\n");
    }
    Ok((Some(logged), pre_text, conn.evidence()))
}

/// `text` without terminal escape sequences (ESC [ ... letter), which shells send after
/// their prompt.
fn without_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// A shell prompt after the password, and no refusal or new login prompt.
fn looks_logged_in(text: &[u8]) -> bool {
    let t = without_escapes(&String::from_utf8_lossy(text)).to_ascii_lowercase();
    let t = t.trim_end();
    let refused = ["incorrect", "failed", "denied", "invalid"]
        .iter()
        .any(|w| t.contains(w))
        || t.ends_with("login:");
    !refused && (t.ends_with('#') || t.ends_with('$') || t.ends_with('>'))
}

/// Telnet: cleartext login, use notification before the prompt, default passwords.
pub fn telnet(net: &Net, port: u16, creds: &Credentials, max_tries: usize) -> Vec<Outcome> {
    let p = Some(port);
    let mut out = Vec::new();
    let first = telnet_login(net, port, "root", "");
    let (has_login, pre, ev) = match first {
        Ok((r, pre, ev)) => (r.is_some(), pre, ev),
        Err(e) => {
            return vec![Outcome::new(
                checks::CLEARTEXT_LOGIN,
                p,
                Verdict::Unreadable,
                format!("telnet: {e}"),
            )]
        }
    };
    out.push(
        Outcome::new(
            checks::CLEARTEXT_LOGIN,
            p,
            Verdict::Fail,
            if has_login {
                "Telnet asks for a user name and password in clear text"
            } else {
                "Telnet is open: everything, credentials included, travels in clear text"
            },
        )
        .with_evidence(ev.clone()),
    );
    if !has_login {
        return out;
    }
    // Text other than the prompt line before it: a use notification.
    let notice: Vec<&str> = pre
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !ends_with_prompt(l.as_bytes(), LOGIN_PROMPTS))
        .collect();
    out.push(
        if notice.join(" ").len() >= 20 {
            Outcome::new(
                checks::LOGIN_BANNER,
                p,
                Verdict::Pass,
                format!("text before the login prompt: {:?}", notice[0]),
            )
        } else {
            Outcome::new(
                checks::LOGIN_BANNER,
                p,
                Verdict::Fail,
                "no notice before the Telnet login prompt",
            )
        }
        .with_evidence(ev),
    );
    out.push(try_defaults(port, creds, max_tries, |u, pw| {
        telnet_login(net, port, u, pw).map(|(r, _, ev)| (r, ev))
    }));
    out
}

/// How many accounts are tried at once (each account's passwords one after another).
const PARALLEL_ACCOUNTS: usize = 4;

/// What trying one account's default passwords gave.
enum Tried {
    Accepted(usize, Evidence),
    Refused(usize, Option<Evidence>),
    Error(String),
}

/// Tries the default passwords through `login` (Some(true) accepted, Some(false)
/// refused, None: no login there), at most `max_tries` per account, a few accounts at
/// once.
pub(crate) fn try_defaults(
    port: u16,
    creds: &Credentials,
    max_tries: usize,
    login: impl Fn(&str, &str) -> Result<(Option<bool>, Evidence), String> + Sync,
) -> Outcome {
    let (check, p) = (checks::DEFAULT_CREDENTIALS, Some(port));
    let accounts = creds.accounts();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let tried: std::sync::Mutex<Vec<(String, Tried)>> = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..PARALLEL_ACCOUNTS.min(accounts.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(account) = accounts.get(i) else {
                    return;
                };
                let mut refused = 0;
                let mut sample = None;
                let mut result = None;
                for (n, pw) in creds.passwords_for(account, max_tries).iter().enumerate() {
                    match login(account, pw) {
                        Ok((Some(true), ev)) => {
                            result = Some(Tried::Accepted(n + 1, ev));
                            break;
                        }
                        Ok((Some(false), ev)) => {
                            refused += 1;
                            sample.get_or_insert(ev);
                        }
                        Ok((None, _)) => break,
                        Err(e) => {
                            result = Some(Tried::Error(e));
                            break;
                        }
                    }
                }
                let r = result.unwrap_or(Tried::Refused(refused, sample));
                tried
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((account.clone(), r));
            });
        }
    });
    let mut tried = tried.into_inner().unwrap_or_else(|e| e.into_inner());
    tried.sort_by_key(|(a, _)| accounts.iter().position(|x| x == a));
    let mut accepted = Vec::new();
    let mut evidence = Vec::new();
    let mut refused = 0;
    let mut errors = Vec::new();
    let mut sample = None;
    for (account, r) in tried {
        match r {
            Tried::Accepted(n, ev) => {
                accepted.push(format!("{account} (entry {n} of the default list)"));
                evidence.push(ev.with_value("account", account));
            }
            Tried::Refused(n, ev) => {
                refused += n;
                if sample.is_none() {
                    sample = ev;
                }
            }
            Tried::Error(e) => errors.push(format!("{account}: {e}")),
        }
    }
    if !accepted.is_empty() {
        Outcome::new(
            check,
            p,
            Verdict::Fail,
            format!("accepts a default password for {}", accepted.join(", ")),
        )
        .with_all_evidence(evidence)
    } else if refused == 0 || !errors.is_empty() {
        Outcome::new(
            check,
            p,
            Verdict::Unreadable,
            format!("{refused} refused; not finished: {}", errors.join("; ")),
        )
    } else {
        Outcome::new(
            check,
            p,
            Verdict::Pass,
            format!(
                "{refused} default password(s) refused over {} account(s), at most {max_tries} per account",
                accounts.len()
            ),
        )
        .with_all_evidence(sample)
    }
}

fn ftp_reply(conn: &mut Conn) -> Result<(u16, String), String> {
    let b = conn
        .read_until(PROMPT_WAIT, 8192, |b| {
            // A reply ends with a line "NNN text" (a space after the code).
            String::from_utf8_lossy(b)
                .lines()
                .last()
                .is_some_and(|l| l.len() >= 4 && l.as_bytes()[3] == b' ')
                && b.ends_with(b"\n")
        })
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&b).into_owned();
    let code = text
        .lines()
        .last()
        .and_then(|l| l.get(..3))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| "no FTP reply".to_string())?;
    Ok((code, text))
}

fn ftp_login(
    net: &Net,
    port: u16,
    user: &str,
    password: &str,
) -> Result<(Option<bool>, Evidence), String> {
    let mut conn = net.connect(port).map_err(|e| e.to_string())?;
    let (code, _) = ftp_reply(&mut conn)?;
    if code != 220 {
        return Ok((None, conn.evidence()));
    }
    conn.send(format!("USER {user}\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let (code, _) = ftp_reply(&mut conn)?;
    let logged = match code {
        230 => true,
        331 | 332 => {
            conn.send_secret(format!("PASS {password}\r\n").as_bytes(), password)
                .map_err(|e| e.to_string())?;
            ftp_reply(&mut conn)?.0 == 230
        }
        _ => false,
    };
    let _ = conn.send(b"QUIT\r\n");
    Ok((Some(logged), conn.evidence()))
}

/// FTP: cleartext login unless TLS is required, anonymous login, default passwords.
pub fn ftp(net: &Net, port: u16, creds: &Credentials, max_tries: usize) -> Vec<Outcome> {
    let p = Some(port);
    let mut out = Vec::new();
    let features = (|| -> Result<(bool, Evidence), String> {
        let mut conn = net.connect(port).map_err(|e| e.to_string())?;
        ftp_reply(&mut conn)?;
        conn.send(b"FEAT\r\n").map_err(|e| e.to_string())?;
        let (_, feat) = ftp_reply(&mut conn)?;
        // A server that requires TLS refuses USER before AUTH TLS with 530 or 534.
        conn.send(b"USER anonymous\r\n")
            .map_err(|e| e.to_string())?;
        let (code, _) = ftp_reply(&mut conn)?;
        let _ = conn.send(b"QUIT\r\n");
        let tls_required =
            feat.to_ascii_uppercase().contains("AUTH TLS") && matches!(code, 530 | 534);
        Ok((tls_required, conn.evidence()))
    })();
    match features {
        Ok((true, ev)) => out.push(
            Outcome::new(
                checks::CLEARTEXT_LOGIN,
                p,
                Verdict::Pass,
                "FTP requires TLS (AUTH TLS) before a login",
            )
            .with_evidence(ev),
        ),
        Ok((false, ev)) => out.push(
            Outcome::new(
                checks::CLEARTEXT_LOGIN,
                p,
                Verdict::Fail,
                "FTP takes USER and PASS in clear text",
            )
            .with_evidence(ev),
        ),
        Err(e) => out.push(Outcome::new(
            checks::CLEARTEXT_LOGIN,
            p,
            Verdict::Unreadable,
            format!("ftp: {e}"),
        )),
    }
    let mut anonymous = ftp_login(net, port, "anonymous", "tekigo-probe@");
    if let Ok((Some(true), ev)) = anonymous.as_mut().map(|(r, ev)| (*r, ev.clone())) {
        out.push(
            Outcome::new(
                checks::DEFAULT_CREDENTIALS,
                p,
                Verdict::Fail,
                "accepts anonymous FTP logins",
            )
            .with_evidence(ev),
        );
    }
    out.push(try_defaults(port, creds, max_tries, |u, pw| {
        ftp_login(net, port, u, pw)
    }));
    out
}

/// Plain HTTP: a login form or Basic authentication is a cleartext login; a redirect to
/// https is what a device should do.
pub fn http(net: &Net, port: u16) -> Outcome {
    let p = Some(port);
    let r = (|| -> Result<(Vec<u8>, Evidence), String> {
        let mut conn = net.connect(port).map_err(|e| e.to_string())?;
        conn.send(
            format!(
                "GET / HTTP/1.0\r\nHost: {}\r\nUser-Agent: tekigo-probe\r\n\r\n",
                host_header(net, port)
            )
            .as_bytes(),
        )
        .map_err(|e| e.to_string())?;
        let b = conn
            .read_until(PROMPT_WAIT, 256 * 1024, |_| false)
            .map_err(|e| e.to_string())?;
        Ok((b, conn.evidence()))
    })();
    let (body, ev) = match r {
        Ok(x) => x,
        Err(e) => {
            return Outcome::new(
                checks::CLEARTEXT_LOGIN,
                p,
                Verdict::Unreadable,
                format!("http: {e}"),
            )
        }
    };
    let text = String::from_utf8_lossy(&body);
    let lower = text.to_ascii_lowercase();
    let (head, page) = lower.split_once("\r\n\r\n").unwrap_or((&lower, ""));
    let status = head.lines().next().unwrap_or("").to_string();
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location:").map(|v| v.trim().to_string()));
    if head
        .lines()
        .any(|l| l.starts_with("www-authenticate:") && l.contains("basic"))
    {
        return Outcome::new(
            checks::CLEARTEXT_LOGIN,
            p,
            Verdict::Fail,
            "plain HTTP asks for Basic authentication: the password travels in clear (base64)",
        )
        .with_evidence(ev.with_value("status", status));
    }
    if page.contains("type=\"password\"")
        || page.contains("type='password'")
        || page.contains("type=password")
    {
        return Outcome::new(
            checks::CLEARTEXT_LOGIN,
            p,
            Verdict::Fail,
            "plain HTTP serves a login form with a password field",
        )
        .with_evidence(ev.with_value("status", status));
    }
    match location {
        Some(l) if l.starts_with("https://") => Outcome::new(
            checks::CLEARTEXT_LOGIN,
            p,
            Verdict::Pass,
            format!("plain HTTP redirects to {l}"),
        )
        .with_evidence(ev),
        _ => Outcome::new(
            checks::CLEARTEXT_LOGIN,
            p,
            Verdict::Pass,
            "plain HTTP, but no login form or password prompt on /",
        )
        .with_evidence(ev.with_value("status", status)),
    }
}

/// BER: one TLV.
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if body.len() < 128 {
        out.push(body.len() as u8);
    } else {
        out.extend_from_slice(&[0x82, (body.len() >> 8) as u8, body.len() as u8]);
    }
    out.extend_from_slice(body);
    out
}

/// SNMP GetRequest for sysDescr.0 with `community`, version 0 (v1) or 1 (v2c).
pub fn snmp_get(version: u8, community: &str) -> Vec<u8> {
    let oid = [0x2b, 6, 1, 2, 1, 1, 1, 0]; // 1.3.6.1.2.1.1.1.0
    let varbind = tlv(0x30, &[tlv(0x06, &oid), vec![0x05, 0x00]].concat());
    let pdu = tlv(
        0xa0,
        &[
            tlv(0x02, &[0x74, 0x6b]),
            tlv(0x02, &[0]),
            tlv(0x02, &[0]),
            tlv(0x30, &varbind),
        ]
        .concat(),
    );
    tlv(
        0x30,
        &[tlv(0x02, &[version]), tlv(0x04, community.as_bytes()), pdu].concat(),
    )
}

/// A GetResponse (tag 0xa2) without error for our request id.
fn snmp_answered(b: &[u8]) -> bool {
    b.first() == Some(&0x30)
        && b.contains(&0xa2)
        && b.windows(4).any(|w| w == [0x02, 0x02, 0x74, 0x6b])
}

/// SNMP v1 and v2c on UDP `port` with the communities devices ship with.
pub fn snmp(net: &Net, port: u16) -> Outcome {
    let p = Some(port);
    let mut accepted = Vec::new();
    let mut evidence = Vec::new();
    let mut errors = Vec::new();
    for (version, vname) in [(0u8, "v1"), (1u8, "v2c")] {
        for community in ["public", "private"] {
            let mut t = crate::net::Transcript::default();
            let shown = format!("SNMP {vname} GetRequest sysDescr.0 community={community}");
            match net.udp_request(port, &snmp_get(version, community), &mut t, &shown) {
                Ok(Some(answer)) if snmp_answered(&answer) => {
                    accepted.push(format!("{vname} community {community:?}"));
                    let mut ev = t.evidence(port);
                    ev.protocol = Some("udp".into());
                    evidence.push(ev);
                }
                Ok(_) => {}
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    if !accepted.is_empty() {
        Outcome::new(
            checks::CLEARTEXT_LOGIN,
            p,
            Verdict::Fail,
            format!("SNMP answers with the default {}", accepted.join(", ")),
        )
        .with_all_evidence(evidence)
    } else if !errors.is_empty() {
        Outcome::new(
            checks::CLEARTEXT_LOGIN,
            p,
            Verdict::Unreadable,
            format!("snmp: {}", errors.join("; ")),
        )
    } else {
        Outcome::new(
            checks::CLEARTEXT_LOGIN,
            p,
            Verdict::Pass,
            "SNMP v1/v2c did not answer the communities public and private",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snmp_requests_are_well_formed_ber() {
        let r = snmp_get(1, "public");
        assert_eq!(r[0], 0x30);
        assert_eq!(r[1] as usize, r.len() - 2);
        assert_eq!(&r[2..5], &[0x02, 0x01, 0x01]);
        assert_eq!(&r[5..13], b"\x04\x06public");
    }

    #[test]
    fn shell_prompts_after_the_password_mean_logged_in() {
        assert!(looks_logged_in(b"\r\n~ # "));
        assert!(looks_logged_in(
            b"BusyBox v1.35.0 built-in shell (ash)\r\n\r\n~ # \x1b[6n"
        ));
        assert!(looks_logged_in(b"Last login: today\r\nadmin@dev:~$ "));
        assert!(!looks_logged_in(b"\r\nLogin incorrect\r\ndevice-1 login: "));
        assert!(!looks_logged_in(b""));
    }
}
