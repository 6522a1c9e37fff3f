//! Delivery of the watch's new findings to a webhook.
//!
//! Each finding is one JSON POST ([`payload`]: the finding, the project, and for a KEV
//! finding the CRA clock). The body is signed with the shared secret: the header
//! `X-Tekigo-Signature: sha256=HEX` carries HMAC-SHA256(secret, body) (RFC 2104), which the
//! receiver recomputes over the bytes it received; `X-Tekigo-Delivery` names the finding so
//! a receiver can drop a repeat. A delivery is retried with doubling waits on a connection
//! error or a status other than 2xx. A finding is marked `delivered_at` in
//! `watch/findings.json` as soon as the webhook accepts it, so each finding is delivered
//! once across runs; one that fails stays pending for the next run.
//!
//! **Triage decides what is delivered.** A finding the project's triage (`tekigo vex`)
//! says the product is not affected by (state `not_affected`, which a CycloneDX analysis
//! `false_positive` is imported as) is recorded by the watch like any other, but not
//! delivered as new: a person has already decided it. It stays pending, so it is
//! delivered should the triage later say anything else. Any other triage state, or none,
//! is delivered.
//!
//! The secret is read from a file and never printed: errors name the URL and the status,
//! not the headers.

use crate::watch::{load_findings, update_findings, WatchFinding};
use crate::ReleaseError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Duration;

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The value of the `X-Tekigo-Signature` header for `body`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    format!(
        "sha256={}",
        tekigo_assess::evidence::hex(&hmac_sha256(secret, body))
    )
}

#[derive(Debug, Serialize)]
pub struct Payload<'a> {
    pub event: &'static str,
    pub project: &'a str,
    pub finding: &'a WatchFinding,
    /// For a KEV finding: the CRA Art. 14 deadlines (see `watch`'s module docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cra: Option<CraClock>,
}

#[derive(Debug, Serialize)]
pub struct CraClock {
    pub actively_exploited: bool,
    pub early_warning_due: String,
    pub notification_due: String,
}

/// The JSON body for one finding.
pub fn payload<'a>(project: &'a str, finding: &'a WatchFinding) -> Payload<'a> {
    Payload {
        event: "tekigo.watch.finding",
        project,
        finding,
        cra: finding.cra_clock().map(|(early, notify)| CraClock {
            actively_exploited: true,
            early_warning_due: early,
            notification_due: notify,
        }),
    }
}

/// Where and how to deliver.
pub struct Webhook {
    pub url: String,
    pub secret: Vec<u8>,
    /// Tries per finding (at least 1).
    pub attempts: u32,
    /// The wait before the second try; it doubles for each further one.
    pub backoff: Duration,
}

impl Webhook {
    /// A webhook whose secret is the content of `secret_file` (surrounding whitespace
    /// removed); an empty secret is refused.
    pub fn new(url: &str, secret_file: &Path) -> Result<Webhook, ReleaseError> {
        if !url.starts_with("http://") {
            return Err(crate::invalid(
                Path::new("--webhook"),
                format!(
                    "{url}: only http:// URLs are delivered (put a TLS-terminating proxy on the \
                     same host in front of an https:// receiver)"
                ),
            ));
        }
        let raw = std::fs::read(secret_file).map_err(crate::io(secret_file))?;
        let secret = raw.trim_ascii().to_vec();
        if secret.is_empty() {
            return Err(crate::invalid(
                secret_file,
                "the webhook secret file is empty",
            ));
        }
        Ok(Webhook {
            url: url.to_string(),
            secret,
            attempts: 4,
            backoff: Duration::from_secs(1),
        })
    }

    /// POSTs `body` until the receiver answers 2xx or the tries run out; the last error.
    fn post(&self, body: &[u8], delivery: &str) -> Result<(), String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let sig = signature(&self.secret, body);
        let mut wait = self.backoff;
        let mut last = String::new();
        for attempt in 0..self.attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait *= 2;
            }
            let sent = agent
                .post(&self.url)
                .header("Content-Type", "application/json")
                .header("X-Tekigo-Signature", &sig)
                .header("X-Tekigo-Delivery", delivery)
                .send(body);
            match sent {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) => last = format!("{}: HTTP {}", self.url, r.status().as_u16()),
                Err(e) => last = format!("{}: {e}", self.url),
            }
        }
        Err(last)
    }
}

/// What a delivery run did.
#[derive(Debug, Default, Serialize)]
pub struct Delivered {
    pub sent: usize,
    /// Pending findings held back because the triage says not affected (module docs).
    pub not_affected: usize,
    /// One line per finding that could not be delivered (it stays pending).
    pub failed: Vec<String>,
}

/// The id a receiver can drop repeats by: the finding's key, hashed.
fn delivery_id(f: &WatchFinding) -> String {
    let key = format!("{}\n{}\n{}", f.release, f.vulnerability, f.component);
    tekigo_assess::evidence::sha256_bytes(key.as_bytes())[..32].to_string()
}

/// Delivers every finding of `watch/findings.json` not yet delivered and not triaged
/// `not_affected` (module docs), marking each as it is accepted. The posts happen outside
/// the file's lock (a receiver that retries for minutes must not hold up a watch); each
/// mark re-reads the file under it (`update_findings`), so what a watch records meanwhile
/// is kept. The price: two deliveries running at once can both post a finding that was
/// pending when they started; `X-Tekigo-Delivery` lets the receiver drop the repeat.
pub fn deliver_pending(
    root: &Path,
    project: &str,
    hook: &Webhook,
    now: &str,
) -> Result<Delivered, ReleaseError> {
    let triage = tekigo_vex::Triage::load(root)?;
    let pending: Vec<WatchFinding> = load_findings(root)?
        .findings
        .into_iter()
        .filter(|f| f.delivered_at.is_none())
        .collect();
    let mut out = Delivered::default();
    for f in &pending {
        if triaged_not_affected(&triage, f) {
            out.not_affected += 1;
            continue;
        }
        let body = serde_json::to_vec(&payload(project, f))
            .map_err(|e| crate::invalid(Path::new(crate::watch::FINDINGS_FILE), e.to_string()))?;
        match hook.post(&body, &delivery_id(f)) {
            Ok(()) => {
                update_findings(root, |file| {
                    let mut marked = false;
                    for g in &mut file.findings {
                        if g.delivered_at.is_none()
                            && (&g.release, &g.vulnerability, &g.component)
                                == (&f.release, &f.vulnerability, &f.component)
                        {
                            g.delivered_at = Some(now.to_string());
                            marked = true;
                        }
                    }
                    (marked, ())
                })?;
                out.sent += 1;
            }
            Err(e) => out.failed.push(format!(
                "{} {} ({}): {e}",
                f.vulnerability, f.component, f.release
            )),
        }
    }
    Ok(out)
}

/// Whether the triage says the product is not affected by `f` (see the module docs).
pub fn triaged_not_affected(triage: &tekigo_vex::Triage, f: &WatchFinding) -> bool {
    let ids: Vec<&str> = std::iter::once(f.vulnerability.as_str())
        .chain(f.aliases.iter().map(String::as_str))
        .collect();
    tekigo_vex::ComponentRef::from_label(&f.component)
        .and_then(|component| triage.lookup(&ids, &component))
        .is_some_and(|r| r.state == tekigo_vex::State::NotAffected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than the block).
    #[test]
    fn hmac_matches_rfc_4231() {
        let hex = |b: [u8; 32]| tekigo_assess::evidence::hex(&b);
        assert_eq!(
            hex(hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_kev_finding_carries_the_cra_clock() {
        let mut f = WatchFinding {
            release: "1.0".into(),
            vulnerability: "CVE-2026-1".into(),
            aliases: vec![],
            component: "pkg:deb/debian/x@1".into(),
            first_seen: "2026-12-03T10:15:00Z".into(),
            kev: true,
            kev_date_added: Some("2026-12-01".into()),
            delivered_at: None,
        };
        let v = serde_json::to_value(payload("p", &f)).unwrap();
        assert_eq!(v["cra"]["early_warning_due"], "2026-12-04T10:15:00Z");
        assert_eq!(v["cra"]["notification_due"], "2026-12-06T10:15:00Z");
        f.kev = false;
        let v = serde_json::to_value(payload("p", &f)).unwrap();
        assert!(v.get("cra").is_none());
    }
}
