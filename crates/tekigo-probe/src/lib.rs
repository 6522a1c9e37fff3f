//! `tekigo probe`: behavioural tests of a running device from the network. Where `tekigo
//! scan` reads what a device is configured to do, the probe checks what it does: whether
//! a default password opens SSH, whether wrong passwords lock an account, whether TLS 1.0
//! is still accepted, whether a port nobody declared is open. Each test answers for IEC
//! 62443-4-2 requirements with the scanner's verdicts and evidence (the transcript of
//! what was sent and received), in the same report format (`tekigo_verdict`), so an
//! assessment imports a probe as it imports a scan.
//!
//! Safety, which the structure enforces rather than promises:
//! - one target: [`net::Net`] holds one address (a name that resolves to several uses
//!   one, and the report says which); no other address can be contacted;
//! - a rate limit on new connections and a global time limit over everything;
//! - default passwords are a short fixed list, a few per account (default 4, below the
//!   usual lockout threshold of 5), never a dictionary;
//! - the one test that changes state (the lockout test locks the account) runs only with
//!   `allow_lockout_test` and the account's credentials, and last;
//! - a password sent is never in the evidence: transcripts mask it;
//! - [`plan`] says what would be sent without sending anything (`--dry-run`).

pub mod checks;
mod cleartext;
pub mod discover;
pub mod net;
mod ssh;
pub mod tls;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tekigo_catalog::{Catalog, Lang, Text};
use tekigo_verdict::{Origin, Report, Target as ReportTarget, Tool, Verdict, PROBE_SCHEMA_VERSION};

use crate::checks::{Checks, Credentials, Outcome};
use crate::discover::Kind;
use crate::net::{Net, Target};

/// Why a probe could not run. Findings are verdicts, not errors.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("{0}")]
    Target(String),
    #[error("cannot reach {0}: {1}")]
    Unreachable(String, String),
    #[error(
        "no open TCP port on {0} among the {1} port(s) probed ({2} closed, {3} without answer)"
    )]
    NothingOpen(String, usize, usize, usize),
    #[error("the global time limit (--max-time) was reached")]
    TimeLimit,
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("{0}")]
    Data(String),
    #[error("{0}")]
    Options(String),
}

impl ProbeError {
    pub(crate) fn io(what: &str) -> impl FnOnce(std::io::Error) -> ProbeError + '_ {
        move |e| ProbeError::Io(what.to_string(), e)
    }
}

/// An account the user gave the probe (for lockout, sessions and the configuration scan).
#[derive(Clone)]
pub struct Login {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Login {{ user: {:?}, password: {} }}",
            self.user,
            net::MASK
        )
    }
}

/// How a probe runs. [`ProbeOptions::new`] gives the defaults of the command line.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    pub target: String,
    pub ports: Vec<u16>,
    /// Also SNMP on UDP 161.
    pub udp: bool,
    /// New connections per second, at most.
    pub rate: u32,
    /// Connections open at once during port discovery, at most.
    pub concurrency: usize,
    pub max_time: Duration,
    /// One connect or one read, at most.
    pub timeout: Duration,
    /// Default passwords tried per account and service, at most.
    pub max_tries: usize,
    pub login: Option<Login>,
    pub allow_lockout_test: bool,
    /// Wrong passwords sent by the lockout test.
    pub lockout_attempts: u32,
    /// With a login: the idle wait of the session termination test.
    pub idle_wait: Option<Duration>,
    /// With a login: the concurrent session limit the device should enforce.
    pub session_limit: Option<u32>,
    /// Ports the project declares for the component; None when it declares none.
    pub declared_ports: Option<Vec<u16>>,
    /// Where the declared ports come from, for the report.
    pub declared_source: Option<String>,
    /// With a login: a static tekigo binary to copy to the device, run as `tekigo scan`
    /// and remove, so one report holds configuration and behaviour.
    pub scanner: Option<PathBuf>,
}

impl ProbeOptions {
    pub fn new(target: impl Into<String>) -> ProbeOptions {
        ProbeOptions {
            target: target.into(),
            ports: (1..=65535).collect(),
            udp: false,
            rate: 500,
            concurrency: 64,
            max_time: Duration::from_secs(900),
            timeout: Duration::from_secs(3),
            max_tries: 4,
            login: None,
            allow_lockout_test: false,
            lockout_attempts: 10,
            idle_wait: None,
            session_limit: None,
            declared_ports: None,
            declared_source: None,
            scanner: None,
        }
    }

    fn validate(&self) -> Result<(), ProbeError> {
        if self.rate == 0 || self.concurrency == 0 || self.max_tries == 0 {
            return Err(ProbeError::Options(
                "--rate, --concurrency and --max-tries must be at least 1".into(),
            ));
        }
        if self.allow_lockout_test && self.login.is_none() {
            return Err(ProbeError::Options(
                "--allow-lockout-test needs the account's credentials (--ssh-user and --ssh-password-file)".into(),
            ));
        }
        if self.ports.is_empty() {
            return Err(ProbeError::Options("no port to probe".into()));
        }
        Ok(())
    }
}

/// The texts of [`plan`], `checks/plan.yaml`.
const PLAN_YAML: &str = include_str!("../checks/plan.yaml");

/// Everything sent, step by step, without contacting the device (`--dry-run`), in `lang`;
/// the first line says that nothing is sent.
pub fn plan(options: &ProbeOptions, lang: Lang) -> Result<Vec<String>, ProbeError> {
    options.validate()?;
    let texts: BTreeMap<String, Text> = serde_norway::from_str(PLAN_YAML)
        .map_err(|e| ProbeError::Data(format!("checks/plan.yaml: {e}")))?;
    let line = |key: &str, values: &[(&str, String)]| -> String {
        let mut s = texts.get(key).map_or(key, |t| t.get(lang)).to_string();
        for (k, v) in values {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    };
    let target = Target::resolve(&options.target)?;
    let creds = Credentials::builtin()?;
    let mut out = vec![
        line("header", &[]),
        line(
            "target",
            &[
                ("name", target.name.clone()),
                ("addr", target.addr.to_string()),
            ],
        ),
    ];
    if !target.not_probed.is_empty() {
        out.push(line("not_probed", &[("addrs", join(&target.not_probed))]));
    }
    out.push(line(
        "discover",
        &[
            ("count", options.ports.len().to_string()),
            ("addr", target.addr.to_string()),
            ("ports", ranges(&options.ports)),
            ("rate", options.rate.to_string()),
            ("concurrency", options.concurrency.to_string()),
            ("max_time", options.max_time.as_secs().to_string()),
        ],
    ));
    if options.udp {
        out.push(line("udp", &[]));
    }
    out.push(line("identify", &[]));
    let survey = options.login.as_ref().map_or("root", |l| l.user.as_str());
    out.push(line("ssh", &[("user", survey.to_string())]));
    let accounts = creds.accounts();
    let count: usize = accounts
        .iter()
        .map(|a| creds.passwords_for(a, options.max_tries).len())
        .sum();
    out.push(line(
        "passwords",
        &[
            ("max_tries", options.max_tries.to_string()),
            ("accounts", accounts.join(", ")),
            ("count", count.to_string()),
            ("mask", net::MASK.to_string()),
        ],
    ));
    out.push(line("ftp_http", &[]));
    out.push(line("tls", &[]));
    if let Some(login) = &options.login {
        let user = ("user", login.user.clone());
        if let Some(w) = options.idle_wait {
            out.push(line(
                "idle",
                &[user.clone(), ("seconds", w.as_secs().to_string())],
            ));
        }
        if let Some(n) = options.session_limit {
            out.push(line(
                "sessions",
                &[user.clone(), ("count", (n + 1).to_string())],
            ));
        }
        if let Some(s) = &options.scanner {
            out.push(line(
                "scanner",
                &[user.clone(), ("binary", s.display().to_string())],
            ));
        }
        if options.allow_lockout_test {
            out.push(line(
                "lockout",
                &[user, ("count", options.lockout_attempts.to_string())],
            ));
        }
    }
    Ok(out)
}

fn join<T: std::fmt::Display>(v: &[T]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1-1024,8080` for a sorted port list.
pub fn ranges(ports: &[u16]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ports.len() {
        let start = ports[i];
        let mut end = start;
        while i + 1 < ports.len() && ports[i + 1] == end + 1 {
            i += 1;
            end = ports[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(",")
}

/// Runs the probe and returns the report. Errors only when the probe cannot run at all
/// (no such host, no route, nothing open); everything found is a verdict.
pub fn probe(options: &ProbeOptions) -> Result<Report, ProbeError> {
    options.validate()?;
    let catalog = Catalog::builtin().map_err(|e| ProbeError::Data(e.to_string()))?;
    let checks = Checks::builtin(catalog)?;
    let creds = Credentials::builtin()?;
    let target = Target::resolve(&options.target)?;
    let started = net::now();
    let clock = Instant::now();
    let net = Net::new(target, options.rate, options.max_time, options.timeout);

    let ports = discover::tcp(&net, &options.ports, options.concurrency)?;
    let mut facts = BTreeMap::new();
    facts.insert("address".to_string(), net.target.addr.to_string());
    if !net.target.not_probed.is_empty() {
        facts.insert("addresses_not_probed".into(), join(&net.target.not_probed));
    }
    facts.insert(
        "ports_probed".into(),
        format!(
            "{} TCP ({}): {} open, {} closed, {} without answer, {} not tried (time limit)",
            options.ports.len(),
            ranges(&options.ports),
            ports.open.len(),
            ports.closed,
            ports.silent,
            ports.not_tried
        ),
    );
    if ports.open.is_empty() && !options.udp {
        return Err(ProbeError::NothingOpen(
            net.target.addr.to_string(),
            options.ports.len(),
            ports.closed,
            ports.silent,
        ));
    }
    let services = discover::identify_all(&net, &ports.open, options.concurrency);
    for s in &services {
        facts.insert(format!("service.{}/tcp", s.port), s.describe());
    }

    let mut outcomes: Vec<Outcome> = Vec::new();
    outcomes.extend(open_ports(options, &services));
    let mut unfinished: Vec<String> = Vec::new();
    // Each service's tests run unless the time limit is reached; those not run are named.
    let mut run =
        |unfinished: &mut Vec<String>, name: String, f: &mut dyn FnMut() -> Vec<Outcome>| {
            if net.expired() {
                unfinished.push(name);
                return;
            }
            outcomes.extend(f());
        };
    let ssh_ports: Vec<u16> = services
        .iter()
        .filter(|s| s.kind == Kind::Ssh && !s.tls)
        .map(|s| s.port)
        .collect();
    for s in &services {
        let port = s.port;
        match (s.kind, s.tls) {
            (Kind::Ssh, false) => {
                run(&mut unfinished, format!("ssh {port}"), &mut || {
                    let mut v = vec![ssh::algorithms(&net, port)];
                    match ssh::Ssh::new(&net, port) {
                        Ok(client) => {
                            let survey = options.login.as_ref().map_or("root", |l| l.user.as_str());
                            v.extend(client.logins(&creds, options.max_tries, survey));
                            if let Some(login) = &options.login {
                                if let Some(w) = options.idle_wait {
                                    v.push(client.idle(&login.user, &login.password, w));
                                }
                                if let Some(n) = options.session_limit {
                                    v.push(client.session_limit(&login.user, &login.password, n));
                                }
                            }
                        }
                        Err(e) => v.push(Outcome::new(
                            checks::DEFAULT_CREDENTIALS,
                            Some(port),
                            Verdict::Unreadable,
                            e,
                        )),
                    }
                    v
                });
            }
            (Kind::Telnet, false) => run(&mut unfinished, format!("telnet {port}"), &mut || {
                cleartext::telnet(&net, port, &creds, options.max_tries)
            }),
            (Kind::Ftp, false) => run(&mut unfinished, format!("ftp {port}"), &mut || {
                cleartext::ftp(&net, port, &creds, options.max_tries)
            }),
            (Kind::Http, false) => run(&mut unfinished, format!("http {port}"), &mut || {
                vec![cleartext::http(&net, port)]
            }),
            _ => {}
        }
        if s.tls {
            run(&mut unfinished, format!("tls {port}"), &mut || {
                tls::check(&net, port)
            });
        }
    }
    if options.udp {
        run(&mut unfinished, "snmp 161/udp".into(), &mut || {
            vec![cleartext::snmp(&net, 161)]
        });
    }

    // Configuration over SSH, then the lockout test, which locks the account, last.
    let mut scanned = Vec::new();
    if let (Some(login), Some(&port)) = (&options.login, ssh_ports.first()) {
        if let Some(binary) = &options.scanner {
            if net.expired() {
                unfinished.push("configuration scan".into());
            } else {
                match remote_scan(&net, port, login, binary) {
                    Ok((results, remote_facts)) => {
                        facts.insert(
                            "configuration".into(),
                            format!("tekigo scan run over SSH on port {port} as {}", login.user),
                        );
                        for (k, v) in remote_facts {
                            facts.insert(format!("scan.{k}"), v);
                        }
                        scanned = results;
                    }
                    Err(e) => {
                        facts.insert("configuration".into(), format!("not read: {e}"));
                    }
                }
            }
        }
        if options.allow_lockout_test {
            run(
                &mut unfinished,
                format!("lockout {port}"),
                &mut || match ssh::Ssh::new(&net, port) {
                    Ok(c) => {
                        vec![c.lockout(&login.user, &login.password, options.lockout_attempts)]
                    }
                    Err(e) => vec![Outcome::new(
                        checks::LOCKOUT,
                        Some(port),
                        Verdict::Unreadable,
                        e,
                    )],
                },
            );
        }
    }
    if !unfinished.is_empty() {
        facts.insert("not_run_time_limit".into(), unfinished.join(", "));
    }
    let has = |k: Kind, tls: bool| services.iter().any(|s| s.kind == k && s.tls == tls);
    let any_tls = services.iter().any(|s| s.tls);
    let any_login = has(Kind::Ssh, false) || has(Kind::Telnet, false) || has(Kind::Ftp, false);
    let time_out = !unfinished.is_empty();
    let reason = |id: &str| -> String {
        if time_out {
            return format!(
                "not run: the time limit was reached ({})",
                unfinished.join(", ")
            );
        }
        match id {
            checks::LOCKOUT if options.login.is_none() || !options.allow_lockout_test => {
                "not run: it locks the account; give --allow-lockout-test with --ssh-user and --ssh-password-file".into()
            }
            checks::IDLE_SESSION if options.login.is_none() || options.idle_wait.is_none() => {
                "not run: give --ssh-user, --ssh-password-file and --idle-wait SECONDS".into()
            }
            checks::SESSION_LIMIT if options.login.is_none() || options.session_limit.is_none() => {
                "not run: give --ssh-user, --ssh-password-file and --session-limit N".into()
            }
            checks::LOCKOUT | checks::IDLE_SESSION | checks::SESSION_LIMIT => "no SSH service found".into(),
            checks::OPEN_PORTS => "no declared port list: give --declared-ports or --project with components[].ports".into(),
            id if id.starts_with("probe.tls") && !any_tls => "no TLS service found".into(),
            checks::SSH_ALGORITHMS => "no SSH service found".into(),
            checks::DEFAULT_CREDENTIALS | checks::LOGIN_BANNER if !any_login => {
                "no login service (SSH, Telnet, FTP) found".into()
            }
            checks::CLEARTEXT_LOGIN => "no Telnet, FTP, plain HTTP or SNMP service found".into(),
            _ => "nothing to test on this device".into(),
        }
    };
    let mut results = checks::combine(&checks, outcomes, reason);
    results.extend(scanned);
    facts.insert("started".into(), started);
    facts.insert(
        "elapsed_seconds".into(),
        format!("{:.1}", clock.elapsed().as_secs_f64()),
    );
    let summary = tekigo_verdict::summarize(catalog, &results);
    Ok(Report {
        schema_version: PROBE_SCHEMA_VERSION.into(),
        tool: Tool {
            name: "tekigo".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: ReportTarget {
            kind: "host".into(),
            path: net.target.name.clone(),
            ownership_preserved: true,
            skipped_entries: Vec::new(),
        },
        facts,
        results,
        summary,
        baseline: None,
    })
}

/// CR 7.7: open ports against the declared list.
fn open_ports(options: &ProbeOptions, services: &[discover::Service]) -> Vec<Outcome> {
    let Some(declared) = &options.declared_ports else {
        return Vec::new();
    };
    let source = options
        .declared_source
        .clone()
        .unwrap_or_else(|| "--declared-ports".into());
    services
        .iter()
        .map(|s| {
            let ev = tekigo_verdict::Evidence {
                port: Some(s.port),
                protocol: Some("tcp".into()),
                ..Default::default()
            }
            .with_value("service", s.describe())
            .with_value("declared", format!("{} ({source})", ranges(declared)));
            if declared.contains(&s.port) {
                Outcome::new(
                    checks::OPEN_PORTS,
                    Some(s.port),
                    Verdict::Pass,
                    format!("{} is declared", s.describe()),
                )
            } else {
                Outcome::new(
                    checks::OPEN_PORTS,
                    Some(s.port),
                    Verdict::Fail,
                    format!("{} is open but not declared in {source}", s.describe()),
                )
            }
            .with_evidence(ev)
        })
        .collect()
}

/// Most bytes of scan JSON read back from the device.
const MAX_SCAN_JSON: usize = 64 * 1024 * 1024;

/// Copies `binary` to a new temporary directory on the device, runs `tekigo scan --format
/// json` (the running system, read-only), removes the directory, and returns the results
/// marked as configuration evidence.
fn remote_scan(
    net: &Net,
    port: u16,
    login: &Login,
    binary: &std::path::Path,
) -> Result<(Vec<tekigo_verdict::CheckResult>, BTreeMap<String, String>), String> {
    let bytes = std::fs::read(binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    let client = ssh::Ssh::new(net, port)?;
    // The directory is removed whatever the scan's exit status; the exit status of the
    // scan is kept (0 nothing found, 1 findings, 2 error).
    let command = "d=$(mktemp -d) || exit 2; trap 'rm -rf \"$d\"' EXIT; cat > \"$d/tekigo\" && chmod 700 \"$d/tekigo\" && \"$d/tekigo\" scan --format json";
    let (out, status) = client.run(&login.user, &login.password, command, &bytes, MAX_SCAN_JSON)?;
    match status {
        Some(0) | Some(1) => {}
        other => {
            return Err(format!(
                "the scanner on the device ended with {}",
                other.map_or("no exit status".to_string(), |s| format!("exit status {s}"))
            ))
        }
    }
    let report: Report = serde_json::from_slice(&out).map_err(|e| {
        format!(
            "the scanner's output is not a scan report: line {} column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    let results = report
        .results
        .into_iter()
        .map(|mut r| {
            r.origin = Some(Origin::Scan);
            r
        })
        .collect();
    Ok((results, report.facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_are_compact() {
        assert_eq!(ranges(&[1, 2, 3, 22, 80, 81]), "1-3,22,80-81");
        assert_eq!(ranges(&(1..=65535).collect::<Vec<_>>()), "1-65535");
    }

    #[test]
    fn a_dry_run_names_the_target_and_masks_passwords() {
        let mut o = ProbeOptions::new("127.0.0.1");
        o.login = Some(Login {
            user: "operator".into(),
            password: "s3cret-pass".into(),
        });
        o.allow_lockout_test = true;
        let plan = plan(&o, Lang::En).unwrap().join("\n");
        assert!(plan.starts_with("dry run: nothing is sent\ntarget 127.0.0.1 = 127.0.0.1"));
        assert!(!plan.contains('{'), "a placeholder was left: {plan}");
        assert!(plan.contains("locks operator"));
        assert!(!plan.contains("s3cret"));
        assert!(!format!("{o:?}").contains("s3cret"));
        let ja = super::plan(&o, Lang::Ja).unwrap().join("\n");
        assert!(ja.starts_with("ドライラン: 何も送信しません"));
        assert!(ja.contains("operator を機器のロック期間だけロック"));
        assert!(!ja.contains('{'), "a placeholder was left: {ja}");
    }

    #[test]
    fn the_lockout_test_needs_credentials() {
        let mut o = ProbeOptions::new("127.0.0.1");
        o.allow_lockout_test = true;
        assert!(matches!(probe(&o), Err(ProbeError::Options(_))));
    }
}
