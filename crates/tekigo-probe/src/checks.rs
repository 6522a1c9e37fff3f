//! The probe's checks as people read them (`checks/probe.yaml`: ids, catalog ids, English
//! and Japanese texts) and the reference data shared with the scanner (the default
//! credentials of `crates/tekigo-scan/data/default-credentials.yaml`, one list for both
//! tools). The tests themselves are code; each names its check by one of the ids below.

use serde::Deserialize;
use tekigo_catalog::{Catalog, Text};
use tekigo_verdict::{CheckResult, Evidence, Origin, Verdict};

use crate::ProbeError;

pub const OPEN_PORTS: &str = "probe.open-ports";
pub const DEFAULT_CREDENTIALS: &str = "probe.default-credentials";
pub const LOCKOUT: &str = "probe.lockout";
pub const LOGIN_BANNER: &str = "probe.login-banner";
pub const IDLE_SESSION: &str = "probe.idle-session";
pub const SESSION_LIMIT: &str = "probe.session-limit";
pub const TLS_VERSIONS: &str = "probe.tls-versions";
pub const TLS_CIPHERS: &str = "probe.tls-ciphers";
pub const TLS_KEY: &str = "probe.tls-certificate-key";
pub const TLS_SIGNATURE: &str = "probe.tls-certificate-signature";
pub const TLS_VALIDITY: &str = "probe.tls-certificate-validity";
pub const TLS_HOSTNAME: &str = "probe.tls-certificate-hostname";
pub const SSH_ALGORITHMS: &str = "probe.ssh-algorithms";
pub const CLEARTEXT_LOGIN: &str = "probe.cleartext-login";

/// Every check, in report order.
pub const ALL: [&str; 14] = [
    OPEN_PORTS,
    DEFAULT_CREDENTIALS,
    LOCKOUT,
    LOGIN_BANNER,
    IDLE_SESSION,
    SESSION_LIMIT,
    TLS_VERSIONS,
    TLS_CIPHERS,
    TLS_KEY,
    TLS_SIGNATURE,
    TLS_VALIDITY,
    TLS_HOSTNAME,
    SSH_ALGORITHMS,
    CLEARTEXT_LOGIN,
];

const CHECKS_YAML: &str = include_str!("../checks/probe.yaml");
const CREDENTIALS_YAML: &str = include_str!("../../tekigo-scan/data/default-credentials.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckText {
    pub id: String,
    pub requirements: Vec<String>,
    pub title: Text,
    pub explanation: Text,
    pub remediation: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecksFile {
    checks: Vec<CheckText>,
}

/// The known default passwords (the scanner's list; the scanner also reads
/// `vendor_accounts` and `username_as_password` from the same file).
#[derive(Debug, Clone, Deserialize)]
pub struct Credentials {
    pub passwords: Vec<String>,
    pub username_as_password: bool,
    pub vendor_accounts: Vec<String>,
}

impl Credentials {
    pub fn builtin() -> Result<Credentials, ProbeError> {
        serde_norway::from_str(CREDENTIALS_YAML).map_err(|e| {
            ProbeError::Data(format!("tekigo-scan/data/default-credentials.yaml: {e}"))
        })
    }

    /// The accounts tried: root, then the vendor accounts, each once.
    pub fn accounts(&self) -> Vec<String> {
        let mut out = vec!["root".to_string()];
        for a in &self.vendor_accounts {
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
        out
    }

    /// The passwords tried for `account`, at most `max`: its own name first (when the list
    /// says so), then the list in order. A short, fixed list, never a dictionary.
    pub fn passwords_for(&self, account: &str, max: usize) -> Vec<String> {
        let mut out = Vec::new();
        if self.username_as_password {
            out.push(account.to_string());
        }
        for p in &self.passwords {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
        out.truncate(max);
        out
    }
}

/// The check texts, checked against the catalog.
#[derive(Debug, Clone)]
pub struct Checks {
    pub list: Vec<CheckText>,
}

impl Checks {
    /// The built-in checks. Fails, naming every problem, when an id the code uses is
    /// missing from the file, an entry is not used by the code, a text is missing, or a
    /// requirement is not in the catalog.
    pub fn builtin(catalog: &Catalog) -> Result<Checks, ProbeError> {
        let file: ChecksFile = serde_norway::from_str(CHECKS_YAML)
            .map_err(|e| ProbeError::Data(format!("checks/probe.yaml: {e}")))?;
        let mut problems = Vec::new();
        for id in ALL {
            if !file.checks.iter().any(|c| c.id == id) {
                problems.push(format!("{id}: used by the probe but not defined"));
            }
        }
        for c in &file.checks {
            if !ALL.contains(&c.id.as_str()) {
                problems.push(format!(
                    "{}: defined but no test of the probe uses it",
                    c.id
                ));
            }
            if c.requirements.is_empty() {
                problems.push(format!("{}: no requirement", c.id));
            }
            for r in &c.requirements {
                if catalog.find(r).is_none() {
                    problems.push(format!("{}: requirement {r:?} is not in the catalog", c.id));
                }
            }
            for (what, t) in [
                ("title", &c.title),
                ("explanation", &c.explanation),
                ("remediation", &c.remediation),
            ] {
                if t.en.trim().is_empty() || t.ja.trim().is_empty() {
                    problems.push(format!("{}: {what} needs English and Japanese", c.id));
                }
            }
        }
        if !problems.is_empty() {
            return Err(ProbeError::Data(format!(
                "checks/probe.yaml: {}",
                problems.join("; ")
            )));
        }
        let mut list = file.checks;
        list.sort_by_key(|c| ALL.iter().position(|id| *id == c.id));
        Ok(Checks { list })
    }

    pub fn get(&self, id: &str) -> &CheckText {
        self.list
            .iter()
            .find(|c| c.id == id)
            .expect("Checks::builtin verified every id")
    }
}

/// What one test concluded about one service (one port), before results are combined per
/// check.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub check: &'static str,
    pub port: Option<u16>,
    pub verdict: Verdict,
    pub detail: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    pub fn new(
        check: &'static str,
        port: Option<u16>,
        verdict: Verdict,
        detail: impl Into<String>,
    ) -> Outcome {
        Outcome {
            check,
            port,
            verdict,
            detail: detail.into(),
            evidence: Vec::new(),
        }
    }

    pub fn with_evidence(mut self, evidence: Evidence) -> Outcome {
        self.evidence.push(evidence);
        self
    }

    pub fn with_all_evidence(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Outcome {
        self.evidence.extend(evidence);
        self
    }
}

/// The order in which verdicts decide a combined result: a failure anywhere is a failure;
/// then a missing mechanism; then evidence that could not be read (a pass on one port
/// does not make up for a port that could not be judged); then a pass.
fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::Fail => 4,
        Verdict::Absent => 3,
        Verdict::Unreadable => 2,
        Verdict::Pass => 1,
        Verdict::NotApplicable => 0,
    }
}

/// One result per check: the worst verdict over the services it was run on, the details
/// of each service (findings first) and all their evidence. A check with no outcome is
/// `not_applicable` for `reason_absent(check)`.
pub fn combine(
    checks: &Checks,
    outcomes: Vec<Outcome>,
    reason_absent: impl Fn(&str) -> String,
) -> Vec<CheckResult> {
    checks
        .list
        .iter()
        .map(|text| {
            let mut mine: Vec<&Outcome> = outcomes.iter().filter(|o| o.check == text.id).collect();
            mine.sort_by_key(|o| (std::cmp::Reverse(severity(o.verdict)), o.port));
            let (verdict, detail) = match mine.first() {
                None => (Verdict::NotApplicable, reason_absent(&text.id)),
                Some(first) => (
                    first.verdict,
                    mine.iter()
                        .map(|o| match o.port {
                            Some(p) => format!("port {p}: {}", o.detail),
                            None => o.detail.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            CheckResult {
                check: text.id.clone(),
                requirements: text.requirements.clone(),
                verdict,
                title: text.title.clone(),
                detail,
                evidence: mine.iter().flat_map(|o| o.evidence.clone()).collect(),
                explanation: text.explanation.clone(),
                remediation: text.remediation.clone(),
                origin: Some(Origin::Probe),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_is_defined_in_both_languages_and_maps_to_catalog_ids() {
        let catalog = Catalog::builtin().unwrap();
        let checks = Checks::builtin(catalog).unwrap();
        assert_eq!(checks.list.len(), ALL.len());
        for (c, id) in checks.list.iter().zip(ALL) {
            assert_eq!(c.id, id);
            for r in &c.requirements {
                let (_, item) = catalog.find(r).unwrap();
                assert_eq!(&item.id, r);
            }
        }
    }

    #[test]
    fn the_credential_list_is_the_scanners_and_bounded_per_account() {
        let creds = Credentials::builtin().unwrap();
        assert!(creds.passwords.iter().any(|p| p == "CIPsecurity@123"));
        let accounts = creds.accounts();
        assert_eq!(accounts[0], "root");
        assert!(accounts.contains(&"admin".to_string()));
        let tried = creds.passwords_for("admin", 4);
        assert_eq!(tried.len(), 4);
        assert_eq!(tried[0], "admin");
        assert_eq!(
            creds.passwords_for("root", 100).len(),
            creds.passwords.len()
        );
    }

    #[test]
    fn combined_results_take_the_worst_verdict_and_name_each_port() {
        let catalog = Catalog::builtin().unwrap();
        let checks = Checks::builtin(catalog).unwrap();
        let results = combine(
            &checks,
            vec![
                Outcome::new(TLS_VERSIONS, Some(443), Verdict::Pass, "TLS 1.2, 1.3"),
                Outcome::new(TLS_VERSIONS, Some(4433), Verdict::Fail, "accepts TLS 1.0"),
                Outcome::new(SSH_ALGORITHMS, Some(22), Verdict::Unreadable, "no KEXINIT"),
                Outcome::new(SSH_ALGORITHMS, Some(2222), Verdict::Pass, "strong"),
            ],
            |id| format!("{id}: nothing to test"),
        );
        let get = |id: &str| results.iter().find(|r| r.check == id).unwrap();
        let tls = get(TLS_VERSIONS);
        assert_eq!(tls.verdict, Verdict::Fail);
        assert_eq!(
            tls.detail,
            "port 4433: accepts TLS 1.0; port 443: TLS 1.2, 1.3"
        );
        assert_eq!(get(SSH_ALGORITHMS).verdict, Verdict::Unreadable);
        let lockout = get(LOCKOUT);
        assert_eq!(lockout.verdict, Verdict::NotApplicable);
        assert_eq!(lockout.detail, "probe.lockout: nothing to test");
        assert!(results.iter().all(|r| r.origin == Some(Origin::Probe)));
    }
}
