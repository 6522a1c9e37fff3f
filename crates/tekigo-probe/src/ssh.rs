//! SSH: the algorithms a server offers (its KEXINIT, read in clear before any key
//! exchange), and logins through russh: default passwords, the use notification banner,
//! lockout, idle session termination, the concurrent session limit, and the scanner run
//! over the connection.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client::{self, Handle, KeyboardInteractiveAuthResponse};
use russh::{ChannelMsg, MethodKind};
use tekigo_verdict::{Evidence, Verdict};

use crate::checks::{self, Credentials, Outcome};
use crate::cleartext::try_defaults;
use crate::net::{Net, Transcript, MASK};

// ---------------------------------------------------------------------------------------
// Algorithms offered

/// The name lists of a server's SSH_MSG_KEXINIT (RFC 4253 section 7.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KexInit {
    pub kex: Vec<String>,
    pub host_key: Vec<String>,
    pub ciphers: Vec<String>,
    pub macs: Vec<String>,
}

/// Parses the payload of a KEXINIT packet (message number 20 first).
pub fn parse_kexinit(payload: &[u8]) -> Option<KexInit> {
    if payload.first() != Some(&20) {
        return None;
    }
    let mut i = 17;
    let mut lists = Vec::new();
    for _ in 0..10 {
        let len = u32::from_be_bytes(payload.get(i..i + 4)?.try_into().ok()?) as usize;
        let text = std::str::from_utf8(payload.get(i + 4..i + 4 + len)?).ok()?;
        lists.push(
            text.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>(),
        );
        i += 4 + len;
    }
    let merge = |a: &Vec<String>, b: &Vec<String>| {
        let mut out = a.clone();
        for x in b {
            if !out.contains(x) {
                out.push(x.clone());
            }
        }
        out
    };
    Some(KexInit {
        kex: lists[0].clone(),
        host_key: lists[1].clone(),
        ciphers: merge(&lists[2], &lists[3]),
        macs: merge(&lists[4], &lists[5]),
    })
}

/// Why an algorithm is weak, or None. Key exchange and host keys with SHA-1, CBC and RC4
/// ciphers, MD5 and SHA-1 MACs, and `none`.
pub fn weakness(kind: &str, name: &str) -> Option<&'static str> {
    match kind {
        "kex" => match name {
            "diffie-hellman-group1-sha1" => Some("1024-bit group with SHA-1"),
            "diffie-hellman-group14-sha1" | "diffie-hellman-group-exchange-sha1" => {
                Some("SHA-1 key exchange")
            }
            n if n.starts_with("gss-") && n.contains("sha1") => Some("SHA-1 key exchange"),
            _ => None,
        },
        "host_key" => match name {
            "ssh-rsa" => Some("RSA signatures with SHA-1"),
            "ssh-dss" => Some("DSA (1024-bit, SHA-1)"),
            n if n.starts_with("ssh-rsa-cert") || n.starts_with("ssh-dss-cert") => {
                Some("certificate signatures with SHA-1")
            }
            _ => None,
        },
        "cipher" => match name {
            "none" => Some("no encryption"),
            n if n.contains("-cbc") || n == "rijndael-cbc@lysator.liu.se" => Some("CBC mode"),
            n if n.starts_with("arcfour") => Some("RC4"),
            _ => None,
        },
        "mac" => match name {
            "none" => Some("no integrity protection"),
            n if n.contains("md5") => Some("MD5"),
            n if n.starts_with("hmac-sha1") => Some("SHA-1"),
            n if n.starts_with("hmac-ripemd160") => Some("RIPEMD-160"),
            n if n.starts_with("umac-64") => Some("64-bit tag"),
            _ => None,
        },
        _ => None,
    }
}

/// Most bytes of identification lines accepted before the SSH version line (RFC 4253
/// allows other lines first).
const MAX_IDENT: usize = 8192;

/// Reads the server's identification and KEXINIT on a new connection.
pub fn algorithms(net: &Net, port: u16) -> Outcome {
    let mut conn = match net.connect(port) {
        Ok(c) => c,
        Err(e) => {
            return Outcome::new(
                checks::SSH_ALGORITHMS,
                Some(port),
                Verdict::Unreadable,
                format!("cannot connect: {e}"),
            )
        }
    };
    let ident = match conn.read_some(MAX_IDENT, |b| {
        b.windows(4).any(|w| w == b"SSH-") && b.ends_with(b"\n")
    }) {
        Ok(b) => b,
        Err(e) => {
            let ev = conn.evidence();
            return Outcome::new(
                checks::SSH_ALGORITHMS,
                Some(port),
                Verdict::Unreadable,
                format!("no identification: {e}"),
            )
            .with_evidence(ev);
        }
    };
    let server_id = String::from_utf8_lossy(&ident)
        .lines()
        .find(|l| l.starts_with("SSH-"))
        .unwrap_or("")
        .trim()
        .to_string();
    let _ = conn.send(b"SSH-2.0-tekigo_probe\r\n");
    // The KEXINIT may have arrived with the identification.
    let start = ident
        .windows(2)
        .rposition(|w| w == b"\r\n" || w[1] == b'\n')
        .map(|p| p + 2)
        .unwrap_or(ident.len())
        .min(ident.len());
    let mut packet = ident[start..].to_vec();
    let kex = loop {
        if packet.len() >= 5 {
            let len = u32::from_be_bytes(packet[..4].try_into().unwrap_or_default()) as usize;
            if len > 35000 {
                break None;
            }
            if packet.len() >= 4 + len {
                let padding = packet[4] as usize;
                break packet
                    .get(5..4 + len - padding.min(len.saturating_sub(1)))
                    .and_then(parse_kexinit);
            }
        }
        match conn.read_some(35004, |_| true) {
            Ok(more) if !more.is_empty() => packet.extend_from_slice(&more),
            _ => break None,
        }
    };
    let mut ev = conn
        .evidence()
        .with_value("identification", server_id.clone());
    let Some(kex) = kex else {
        return Outcome::new(
            checks::SSH_ALGORITHMS,
            Some(port),
            Verdict::Unreadable,
            "the server sent no readable KEXINIT",
        )
        .with_evidence(ev);
    };
    let mut weak = Vec::new();
    for (kind, list) in [
        ("kex", &kex.kex),
        ("host_key", &kex.host_key),
        ("cipher", &kex.ciphers),
        ("mac", &kex.macs),
    ] {
        ev = ev.with_value(kind, list.join(","));
        for name in list {
            if let Some(why) = weakness(kind, name) {
                weak.push(format!("{name} ({why})"));
            }
        }
    }
    let outcome = if weak.is_empty() {
        Outcome::new(
            checks::SSH_ALGORITHMS,
            Some(port),
            Verdict::Pass,
            format!("{server_id}: no weak algorithm offered"),
        )
    } else {
        Outcome::new(
            checks::SSH_ALGORITHMS,
            Some(port),
            Verdict::Fail,
            format!("{server_id} offers {}", weak.join(", ")),
        )
    };
    outcome.with_evidence(ev)
}

// ---------------------------------------------------------------------------------------
// Logins

/// The russh client: accepts any host key (the probe judges the device, it does not trust
/// it) and keeps the authentication banner.
struct Client {
    banner: Arc<Mutex<Option<String>>>,
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &russh::keys::PublicKey,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }

    async fn auth_banner(
        &mut self,
        banner: &str,
        _session: &mut client::Session,
    ) -> Result<(), Self::Error> {
        let mut b = self.banner.lock().unwrap_or_else(|e| e.into_inner());
        b.get_or_insert_with(String::new).push_str(banner);
        Ok(())
    }
}

/// A login attempt's result.
struct Attempt {
    /// None when the server offers neither password nor keyboard-interactive logins.
    accepted: Option<bool>,
    methods: Vec<String>,
    banner: Option<String>,
    transcript: Transcript,
    /// The connection, kept open when the login succeeded and the caller wants it.
    handle: Option<Handle<Client>>,
}

/// SSH logins to one port of the target.
pub struct Ssh<'a> {
    net: &'a Net,
    port: u16,
    rt: tokio::runtime::Runtime,
}

impl<'a> Ssh<'a> {
    pub fn new(net: &'a Net, port: u16) -> Result<Ssh<'a>, String> {
        // Two workers: the default-password tries of several accounts run at once, each
        // from its own thread.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("async runtime: {e}"))?;
        Ok(Ssh { net, port, rt })
    }

    fn config(&self, inactivity: Option<Duration>) -> Arc<client::Config> {
        Arc::new(client::Config {
            client_id: russh::SshId::Standard("SSH-2.0-tekigo_probe".into()),
            inactivity_timeout: inactivity,
            ..client::Config::default()
        })
    }

    /// Logs in as `user` with `password` on a new connection; `keep` keeps the connection
    /// open after a success. Without a password only the `none` method is tried: it learns
    /// the methods and the banner and counts as no failed password anywhere.
    async fn attempt(
        &self,
        user: &str,
        password: Option<&str>,
        keep: bool,
    ) -> Result<Attempt, String> {
        let wait = self.net.reserve().map_err(|e| e.to_string())?;
        tokio::time::sleep(wait).await;
        let timeout = self
            .net
            .bound(self.net.timeout)
            .map_err(|e| e.to_string())?;
        let mut t = Transcript::default();
        let stream = tokio::time::timeout(
            timeout,
            tokio::net::TcpStream::connect(self.net.addr(self.port)),
        )
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
        let banner = Arc::new(Mutex::new(None));
        let handler = Client {
            banner: banner.clone(),
        };
        t.sent_text("SSH-2.0-tekigo_probe");
        let session_timeout = if keep { None } else { Some(timeout * 4) };
        let mut handle = tokio::time::timeout(
            timeout * 2,
            client::connect_stream(self.config(session_timeout), stream, handler),
        )
        .await
        .map_err(|_| "key exchange timed out".to_string())?
        .map_err(|e| format!("key exchange: {e}"))?;
        t.event("key exchange done");
        let step = timeout * 3;
        t.sent_text(&format!("USERAUTH_REQUEST user={user} method=none"));
        let none = tokio::time::timeout(step, handle.authenticate_none(user))
            .await
            .map_err(|_| "authentication timed out".to_string())?
            .map_err(|e| format!("authentication: {e}"))?;
        let methods: Vec<String> = match &none {
            russh::client::AuthResult::Success => {
                t.received_text("USERAUTH_SUCCESS (no password needed)");
                return Ok(Attempt {
                    accepted: Some(true),
                    methods: vec!["none".into()],
                    banner: banner.lock().unwrap_or_else(|e| e.into_inner()).clone(),
                    transcript: t,
                    handle: keep.then_some(handle),
                });
            }
            russh::client::AuthResult::Failure {
                remaining_methods, ..
            } => remaining_methods
                .iter()
                .map(|m| <&str>::from(m).to_string())
                .collect(),
        };
        t.received_text(&format!("USERAUTH_FAILURE methods={}", methods.join(",")));
        let has = |k: MethodKind| methods.iter().any(|m| m == <&str>::from(&k));
        let offered = has(MethodKind::Password) || has(MethodKind::KeyboardInteractive);
        let accepted = match password {
            _ if !offered => None,
            // The survey: no password sent; "refused" only means "not logged in".
            None => Some(false),
            Some(password) if has(MethodKind::Password) => {
                t.sent_text(&format!(
                    "USERAUTH_REQUEST user={user} method=password password={MASK}"
                ));
                let r = tokio::time::timeout(step, handle.authenticate_password(user, password))
                    .await
                    .map_err(|_| "authentication timed out".to_string())?
                    .map_err(|e| format!("authentication: {e}"))?;
                Some(r.success())
            }
            Some(password) => {
                Some(keyboard_interactive(&mut handle, user, password, &mut t, step).await?)
            }
        };
        match (accepted, password) {
            (Some(true), _) => t.received_text("USERAUTH_SUCCESS"),
            (Some(false), Some(_)) => t.received_text("USERAUTH_FAILURE"),
            (Some(false), None) => {}
            (None, _) => t.event("no password login offered"),
        }
        let handle = if accepted == Some(true) && keep {
            Some(handle)
        } else {
            let _ = handle
                .disconnect(russh::Disconnect::ByApplication, "", "en")
                .await;
            None
        };
        let banner = banner.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Ok(Attempt {
            accepted,
            methods,
            banner,
            transcript: t,
            handle,
        })
    }

    fn evidence(&self, t: Transcript) -> Evidence {
        t.evidence(self.port)
    }

    /// Use notification banner and default passwords.
    pub fn logins(&self, creds: &Credentials, max_tries: usize, survey_user: &str) -> Vec<Outcome> {
        let port = Some(self.port);
        let survey = self.rt.block_on(self.attempt(survey_user, None, false));
        // The survey sends no password (method none): it learns the methods and the
        // banner, and finds an account that needs no password at all.
        let survey = match survey {
            Ok(a) => a,
            Err(e) => {
                let detail = format!("cannot log in to survey the service: {e}");
                return vec![
                    Outcome::new(checks::LOGIN_BANNER, port, Verdict::Unreadable, &detail),
                    Outcome::new(
                        checks::DEFAULT_CREDENTIALS,
                        port,
                        Verdict::Unreadable,
                        &detail,
                    ),
                ];
            }
        };
        let mut out = Vec::new();
        let banner = survey.banner.clone().filter(|b| !b.trim().is_empty());
        out.push(match &banner {
            Some(b) => Outcome::new(
                checks::LOGIN_BANNER,
                port,
                Verdict::Pass,
                format!("banner before authentication: {:?}", first_line(b)),
            ),
            None => Outcome::new(
                checks::LOGIN_BANNER,
                port,
                Verdict::Fail,
                "no banner is sent before authentication",
            ),
        });
        let methods = survey.methods.join(",");
        let survey_ev = self
            .evidence(survey.transcript)
            .with_value("methods", methods.clone());
        if let Some(last) = out.last_mut() {
            last.evidence.push(survey_ev.clone());
        }
        if survey.accepted.is_none() {
            out.push(
                Outcome::new(
                    checks::DEFAULT_CREDENTIALS,
                    port,
                    Verdict::Pass,
                    format!("no password login is offered (methods: {methods})"),
                )
                .with_evidence(survey_ev),
            );
            return out;
        }
        out.push(try_defaults(
            self.port,
            creds,
            max_tries,
            |user, password| {
                let a = self
                    .rt
                    .block_on(self.attempt(user, Some(password), false))?;
                Ok((a.accepted, self.evidence(a.transcript)))
            },
        ));
        out
    }

    /// Lockout: the credentials must work; then `wrong` wrong passwords; then the right
    /// password must be refused. Leaves the account locked for the device's lock period.
    pub fn lockout(&self, user: &str, password: &str, wrong: u32) -> Outcome {
        let port = Some(self.port);
        let before = self.rt.block_on(self.attempt(user, Some(password), false));
        match &before {
            Ok(a) if a.accepted == Some(true) => {}
            Ok(a) if a.accepted.is_none() => {
                return Outcome::new(
                    checks::LOCKOUT,
                    port,
                    Verdict::NotApplicable,
                    "no password login is offered",
                )
            }
            Ok(_) => {
                return Outcome::new(
                    checks::LOCKOUT,
                    port,
                    Verdict::Unreadable,
                    format!("the given password for {user} was refused before the test; nothing else was sent"),
                )
            }
            Err(e) => {
                return Outcome::new(
                    checks::LOCKOUT,
                    port,
                    Verdict::Unreadable,
                    format!("cannot log in as {user} before the test: {e}"),
                )
            }
        }
        let mut transcript = Transcript::default();
        transcript.event(&format!(
            "login as {user} with the given password: accepted"
        ));
        let mut sent = 0;
        for i in 1..=wrong {
            // Derived from the real password, so it is masked like it in the transcript.
            let bad = format!("{password}-wrong-{i}");
            match self.rt.block_on(self.attempt(user, Some(&bad), false)) {
                Ok(a) => {
                    sent += 1;
                    transcript.event(&format!(
                        "wrong password {i}: {}",
                        match a.accepted {
                            Some(true) => "accepted (!)",
                            Some(false) => "refused",
                            None => "password login no longer offered",
                        }
                    ));
                }
                Err(e) => {
                    transcript.event(&format!("wrong password {i}: {e}"));
                    return Outcome::new(
                        checks::LOCKOUT,
                        port,
                        Verdict::Pass,
                        format!(
                            "after {sent} wrong password(s) the device stopped taking connections ({e})"
                        ),
                    )
                    .with_evidence(self.evidence(transcript));
                }
            }
        }
        let after = self.rt.block_on(self.attempt(user, Some(password), false));
        let (verdict, detail) = match after {
            Ok(a) if a.accepted == Some(true) => {
                transcript.event("the right password again: accepted");
                (
                    Verdict::Fail,
                    format!("after {sent} wrong passwords the right one was still accepted for {user}: no lockout"),
                )
            }
            Ok(_) => {
                transcript.event("the right password again: refused");
                (
                    Verdict::Pass,
                    format!("after {sent} wrong passwords the right one was refused for {user}: the account is locked for the device's lock period"),
                )
            }
            Err(e) => {
                transcript.event(&format!("the right password again: {e}"));
                (
                    Verdict::Pass,
                    format!("after {sent} wrong passwords the device refused the connection ({e})"),
                )
            }
        };
        Outcome::new(checks::LOCKOUT, port, verdict, detail)
            .with_evidence(self.evidence(transcript).with_value("account", user))
    }

    /// Opens an interactive shell (with a terminal) on a logged-in connection.
    async fn shell(handle: &Handle<Client>) -> Result<russh::Channel<client::Msg>, String> {
        let ch = handle
            .channel_open_session()
            .await
            .map_err(|e| format!("session refused: {e}"))?;
        ch.request_pty(false, "vt100", 80, 24, 0, 0, &[])
            .await
            .map_err(|e| format!("terminal refused: {e}"))?;
        ch.request_shell(true)
            .await
            .map_err(|e| format!("shell refused: {e}"))?;
        Ok(ch)
    }

    /// Idle session termination: a shell is opened and nothing is sent for `wait`.
    pub fn idle(&self, user: &str, password: &str, wait: Duration) -> Outcome {
        let port = Some(self.port);
        let r: Result<(Option<Duration>, Transcript), String> = self.rt.block_on(async {
            let a = self.attempt(user, Some(password), true).await?;
            let mut t = a.transcript;
            let Some(handle) = a.handle else {
                return Err(format!("the login as {user} was refused"));
            };
            let mut ch = Self::shell(&handle).await?;
            t.event(&format!(
                "shell opened; sending nothing for up to {} s",
                wait.as_secs()
            ));
            let start = std::time::Instant::now();
            let ended = tokio::time::timeout(wait, async {
                while let Some(msg) = ch.wait().await {
                    if matches!(
                        msg,
                        ChannelMsg::Close | ChannelMsg::Eof | ChannelMsg::ExitStatus { .. }
                    ) {
                        return;
                    }
                }
            })
            .await
            .is_ok();
            let elapsed = start.elapsed();
            let _ = handle
                .disconnect(russh::Disconnect::ByApplication, "", "en")
                .await;
            Ok((ended.then_some(elapsed), t))
        });
        match r {
            Ok((Some(after), mut t)) => {
                t.event(&format!(
                    "the device ended the session after {} s",
                    after.as_secs()
                ));
                Outcome::new(
                    checks::IDLE_SESSION,
                    port,
                    Verdict::Pass,
                    format!(
                        "the idle session was ended after {} s (limit given: {} s)",
                        after.as_secs(),
                        wait.as_secs()
                    ),
                )
                .with_evidence(self.evidence(t))
            }
            Ok((None, mut t)) => {
                t.event(&format!("still open after {} s", wait.as_secs()));
                Outcome::new(
                    checks::IDLE_SESSION,
                    port,
                    Verdict::Fail,
                    format!("the idle session was still open after {} s", wait.as_secs()),
                )
                .with_evidence(self.evidence(t))
            }
            Err(e) => Outcome::new(checks::IDLE_SESSION, port, Verdict::Unreadable, e),
        }
    }

    /// Concurrent sessions: up to `limit + 1` shells are opened and kept; the last must be
    /// refused (a refused login, channel or shell, or a shell the device closes at once).
    pub fn session_limit(&self, user: &str, password: &str, limit: u32) -> Outcome {
        let port = Some(self.port);
        let r: Result<(u32, Option<String>, Transcript), String> = self.rt.block_on(async {
            let mut open = Vec::new();
            let mut t = Transcript::default();
            let mut refused = None;
            for n in 1..=limit + 1 {
                let outcome: Result<(), String> = async {
                    let a = self.attempt(user, Some(password), true).await?;
                    let handle = a.handle.ok_or_else(|| "login refused".to_string())?;
                    let mut ch = Self::shell(&handle).await?;
                    // A session limit in PAM closes the shell right after it opens.
                    let closed = tokio::time::timeout(Duration::from_secs(2), async {
                        while let Some(msg) = ch.wait().await {
                            if matches!(msg, ChannelMsg::Close | ChannelMsg::Eof) {
                                return true;
                            }
                        }
                        true
                    })
                    .await
                    .unwrap_or(false);
                    if closed {
                        return Err("the shell was closed at once".into());
                    }
                    open.push((handle, ch));
                    Ok(())
                }
                .await;
                match outcome {
                    Ok(()) => t.event(&format!("session {n}: open")),
                    Err(e) => {
                        t.event(&format!("session {n}: {e}"));
                        refused = Some(e);
                        break;
                    }
                }
            }
            let n = open.len() as u32;
            for (h, _) in open {
                let _ = h
                    .disconnect(russh::Disconnect::ByApplication, "", "en")
                    .await;
            }
            Ok((n, refused, t))
        });
        match r {
            Ok((0, Some(e), t)) => Outcome::new(
                checks::SESSION_LIMIT,
                port,
                Verdict::Unreadable,
                format!("not even one session could be opened: {e}"),
            )
            .with_evidence(self.evidence(t)),
            Ok((n, Some(e), t)) => Outcome::new(
                checks::SESSION_LIMIT,
                port,
                Verdict::Pass,
                format!("{n} concurrent session(s) open, the next was refused ({e}); limit given: {limit}"),
            )
            .with_evidence(self.evidence(t)),
            Ok((n, None, t)) => Outcome::new(
                checks::SESSION_LIMIT,
                port,
                Verdict::Fail,
                format!("{n} concurrent sessions were accepted for {user}, more than the limit given ({limit})"),
            )
            .with_evidence(self.evidence(t)),
            Err(e) => Outcome::new(checks::SESSION_LIMIT, port, Verdict::Unreadable, e),
        }
    }

    /// Runs `command` after sending `input` on its standard input; the standard output
    /// (at most `max` bytes) and the exit status.
    pub fn run(
        &self,
        user: &str,
        password: &str,
        command: &str,
        input: &[u8],
        max: usize,
    ) -> Result<(Vec<u8>, Option<u32>), String> {
        self.rt.block_on(async {
            let a = self.attempt(user, Some(password), true).await?;
            let handle = a
                .handle
                .ok_or_else(|| format!("the login as {user} was refused"))?;
            let mut ch = handle
                .channel_open_session()
                .await
                .map_err(|e| format!("session refused: {e}"))?;
            ch.exec(true, command)
                .await
                .map_err(|e| format!("exec refused: {e}"))?;
            ch.data(input).await.map_err(|e| format!("sending: {e}"))?;
            ch.eof().await.map_err(|e| format!("sending: {e}"))?;
            let mut out = Vec::new();
            let mut status = None;
            while let Some(msg) = ch.wait().await {
                match msg {
                    ChannelMsg::Data { data } => {
                        if out.len() + data.len() > max {
                            return Err(format!("more than {max} bytes of output"));
                        }
                        out.extend_from_slice(&data);
                    }
                    ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
                    ChannelMsg::Close => break,
                    _ => {}
                }
            }
            let _ = handle
                .disconnect(russh::Disconnect::ByApplication, "", "en")
                .await;
            Ok((out, status))
        })
    }
}

async fn keyboard_interactive(
    handle: &mut Handle<Client>,
    user: &str,
    password: &str,
    t: &mut Transcript,
    step: Duration,
) -> Result<bool, String> {
    t.sent_text(&format!(
        "USERAUTH_REQUEST user={user} method=keyboard-interactive"
    ));
    let mut r = tokio::time::timeout(
        step,
        handle.authenticate_keyboard_interactive_start(user, None),
    )
    .await
    .map_err(|_| "authentication timed out".to_string())?
    .map_err(|e| format!("authentication: {e}"))?;
    // A password prompt is answered; at most three rounds (PAM conversations are short).
    for _ in 0..3 {
        match r {
            KeyboardInteractiveAuthResponse::Success => return Ok(true),
            KeyboardInteractiveAuthResponse::Failure { .. } => return Ok(false),
            KeyboardInteractiveAuthResponse::InfoRequest { prompts, .. } => {
                let answers: Vec<String> = prompts
                    .iter()
                    .map(|p| {
                        t.received_text(&format!("prompt: {}", p.prompt));
                        if p.prompt.to_ascii_lowercase().contains("assword") {
                            password.to_string()
                        } else {
                            String::new()
                        }
                    })
                    .collect();
                t.sent_text(&format!(
                    "INFO_RESPONSE ({} answer(s), {MASK})",
                    answers.len()
                ));
                r = tokio::time::timeout(
                    step,
                    handle.authenticate_keyboard_interactive_respond(answers),
                )
                .await
                .map_err(|_| "authentication timed out".to_string())?
                .map_err(|e| format!("authentication: {e}"))?;
            }
        }
    }
    Ok(matches!(r, KeyboardInteractiveAuthResponse::Success))
}

fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    line.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_list(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&(s.len() as u32).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    }

    #[test]
    fn kexinit_lists_are_read_and_weak_algorithms_named() {
        let mut p = vec![20u8];
        p.extend_from_slice(&[0u8; 16]);
        for s in [
            "curve25519-sha256,diffie-hellman-group14-sha1",
            "rsa-sha2-512,ssh-rsa",
            "aes128-ctr,aes128-cbc",
            "aes128-ctr",
            "hmac-sha2-256,hmac-sha1",
            "hmac-sha2-256",
            "none",
            "none",
            "",
            "",
        ] {
            name_list(&mut p, s);
        }
        p.extend_from_slice(&[0, 0, 0, 0, 0]);
        let k = parse_kexinit(&p).unwrap();
        assert_eq!(k.host_key, ["rsa-sha2-512", "ssh-rsa"]);
        assert_eq!(k.ciphers, ["aes128-ctr", "aes128-cbc"]);
        let weak: Vec<&str> = [
            ("kex", &k.kex),
            ("host_key", &k.host_key),
            ("cipher", &k.ciphers),
            ("mac", &k.macs),
        ]
        .iter()
        .flat_map(|(kind, l)| {
            l.iter()
                .filter(|n| weakness(kind, n).is_some())
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
        })
        .collect();
        assert_eq!(
            weak,
            [
                "diffie-hellman-group14-sha1",
                "ssh-rsa",
                "aes128-cbc",
                "hmac-sha1"
            ]
        );
        assert!(parse_kexinit(&p[..40]).is_none());
        assert!(parse_kexinit(&[21, 0, 0]).is_none());
    }
}
