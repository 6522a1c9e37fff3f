//! Reference data the code rules use, from the YAML files under `data/` (embedded at build
//! time): known default passwords, known public test keys, the set-id allowlist.

use serde::Deserialize;

use crate::defs::{data_file, DefsError};

/// Passwords devices ship with. Tried against every account's crypt(3) hash.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub passwords: Vec<String>,
    /// Also try each account's own name as its password.
    pub username_as_password: bool,
    /// Account names that vendors ship; such an account with a usable password is a
    /// shared default account.
    pub vendor_accounts: Vec<String>,
}

/// A key published for testing (firmware test keys, "snakeoil" keys) that must never sign
/// or verify anything on a product.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestKey {
    pub name: String,
    /// Where the key is published, so a user can check the fingerprint.
    pub source: String,
    /// SHA-256 of the certificate's DER encoding.
    #[serde(default)]
    pub cert_sha256: Option<String>,
    /// SHA-256 of the DER SubjectPublicKeyInfo: matches any certificate or public key
    /// file carrying the same key.
    #[serde(default)]
    pub spki_sha256: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestKeys {
    pub keys: Vec<TestKey>,
}

/// Set-id programs a Debian, Yocto or BusyBox system normally carries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetidAllowlist {
    pub allowed: Vec<String>,
}

/// All reference data, loaded once per scanner.
#[derive(Debug, Clone)]
pub struct Data {
    pub credentials: Credentials,
    pub test_keys: TestKeys,
    pub setid: SetidAllowlist,
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, problems: &mut Vec<String>) -> Option<T> {
    let Some(text) = data_file(name) else {
        problems.push(format!("data/{name}: missing"));
        return None;
    };
    serde_norway::from_str(text)
        .map_err(|e| problems.push(format!("data/{name}: {e}")))
        .ok()
}

impl Data {
    pub fn builtin() -> Result<Data, DefsError> {
        let mut problems = Vec::new();
        let credentials = parse("default-credentials.yaml", &mut problems);
        let test_keys: Option<TestKeys> = parse("test-keys.yaml", &mut problems);
        let setid = parse("setid-allowlist.yaml", &mut problems);
        if let Some(keys) = &test_keys {
            for k in &keys.keys {
                for h in [&k.cert_sha256, &k.spki_sha256].into_iter().flatten() {
                    if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                        problems.push(format!(
                            "data/test-keys.yaml: {}: {h:?} is not a SHA-256 in hex",
                            k.name
                        ));
                    }
                }
            }
        }
        match (credentials, test_keys, setid) {
            (Some(credentials), Some(test_keys), Some(setid)) if problems.is_empty() => Ok(Data {
                credentials,
                test_keys,
                setid,
            }),
            _ => Err(DefsError { problems }),
        }
    }
}
