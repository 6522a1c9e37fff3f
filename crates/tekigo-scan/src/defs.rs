//! Check definitions as data: the YAML files under `checks/` (embedded at build time) say
//! what each check reads, what it expects, which requirements it bears on, and what to
//! tell the user in English and Japanese. Logic that cannot be data (PAM chains, sshd's
//! effective configuration, crypt(3) verification) is named by a `code` rule.

use std::collections::HashSet;
use std::fmt;

use regex::Regex;
use serde::{Deserialize, Deserializer};
use tekigo_catalog::{Catalog, Text};

use crate::model::Verdict;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// A check as defined in a data file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    pub id: String,
    /// Catalog ids; canonicalised by [`load`] (`CR1.1` becomes `CR 1.1`).
    pub requirements: Vec<String>,
    pub title: Text,
    pub explanation: Text,
    pub remediation: Text,
    /// Run the rule only when one of these paths exists; otherwise give `otherwise`.
    #[serde(default)]
    pub requires: Option<Requires>,
    /// Where the check means something.
    #[serde(default)]
    pub scope: Scope,
    pub rule: Rule,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    pub any_of: Vec<String>,
    pub otherwise: Verdict,
}

/// Image-only checks are about what every device made from an image shares; live-only
/// checks read kernel state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    #[default]
    Any,
    Image,
    Live,
}

/// A directory whose matching files are read after the main file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dropin {
    pub dir: String,
    #[serde(default = "default_pattern")]
    pub pattern: String,
}

fn default_pattern() -> String {
    "*.conf".into()
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    /// `key = value` (auditd.conf, pwquality.conf, journald, chrony-style with `=`).
    #[default]
    Equals,
    /// `key value` (login.defs, sshd_config-like files).
    Space,
}

/// Which occurrence of a repeated key counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precedence {
    First,
    #[default]
    Last,
}

/// A default value of an sshd option that holds from an OpenSSH version on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionedDefault {
    /// First OpenSSH version (`7.0`) with this default; none means any version.
    #[serde(default)]
    pub since: Option<String>,
    pub value: String,
}

/// What a value must be. Comparisons of words ignore ASCII case.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Expect {
    Equals(String),
    OneOf(Vec<String>),
    NoneOf(Vec<String>),
    Min(i64),
    Max(i64),
    Matches(Re),
    /// A comma-separated list none of whose items matches any of the expressions.
    ListNoneMatch(Vec<Re>),
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Equals(v) => write!(f, "= {v}"),
            Expect::OneOf(v) => write!(f, "one of {}", v.join(", ")),
            Expect::NoneOf(v) => write!(f, "none of {}", v.join(", ")),
            Expect::Min(v) => write!(f, ">= {v}"),
            Expect::Max(v) => write!(f, "<= {v}"),
            Expect::Matches(r) => write!(f, "matching /{}/", r.0.as_str()),
            Expect::ListNoneMatch(r) => write!(
                f,
                "no item matching {}",
                r.iter()
                    .map(|r| format!("/{}/", r.0.as_str()))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    }
}

impl Expect {
    /// Whether `value` meets the expectation. A value that is not a number never meets a
    /// numeric bound.
    pub fn accepts(&self, value: &str) -> bool {
        let v = value.trim();
        let num = || parse_int(v);
        match self {
            Expect::Equals(e) => v.eq_ignore_ascii_case(e),
            Expect::OneOf(list) => list.iter().any(|e| v.eq_ignore_ascii_case(e)),
            Expect::NoneOf(list) => !list.iter().any(|e| v.eq_ignore_ascii_case(e)),
            Expect::Min(m) => num().is_some_and(|n| n >= *m),
            Expect::Max(m) => num().is_some_and(|n| n <= *m),
            Expect::Matches(r) => r.0.is_match(v),
            Expect::ListNoneMatch(res) => !v
                .split(',')
                .map(str::trim)
                .any(|item| res.iter().any(|r| r.0.is_match(item))),
        }
    }
}

/// Parses a decimal integer, also with a sign; hexadecimal with `0x`.
pub fn parse_int(v: &str) -> Option<i64> {
    let v = v.trim();
    if let Some(h) = v.strip_prefix("0x") {
        return i64::from_str_radix(h, 16).ok();
    }
    v.parse().ok()
}

/// A regular expression checked when the definitions load.
#[derive(Debug, Clone)]
pub struct Re(pub Regex);

impl<'de> Deserialize<'de> for Re {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Regex::new(&s).map(Re).map_err(serde::de::Error::custom)
    }
}

/// How a check decides. Each kind is one generic evaluator driven by the fields here.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// One of `paths` exists.
    FilePresent {
        paths: Vec<String>,
        present: Verdict,
        missing: Verdict,
    },
    /// Each of `paths` that exists has at most `max_mode` and an allowed owner and group
    /// (names are looked up in the image's passwd and group files).
    FileMode {
        paths: Vec<String>,
        /// Octal, such as `"0640"`.
        max_mode: String,
        #[serde(default)]
        owners: Vec<String>,
        #[serde(default)]
        groups: Vec<String>,
        missing: Verdict,
    },
    /// A key in a configuration file (and its drop-ins) has an expected value.
    ConfigValue {
        files: Vec<String>,
        #[serde(default)]
        dropins: Vec<Dropin>,
        #[serde(default)]
        syntax: Syntax,
        key: String,
        #[serde(default)]
        precedence: Precedence,
        expect: Expect,
        /// The value the program uses when the key is not set.
        #[serde(default)]
        default: Option<String>,
        /// Verdict when no file exists.
        no_file: Verdict,
        /// Verdict when the files exist but the key is not set and there is no default.
        missing: Verdict,
    },
    /// A kernel parameter as set by sysctl.d files (or read from /proc/sys on a live system).
    Sysctl {
        key: String,
        expect: Expect,
        /// The kernel's own value when no file sets the key.
        #[serde(default)]
        default: Option<String>,
    },
    /// A regular expression over the lines of files (comments are skipped).
    Pattern {
        files: Vec<String>,
        #[serde(default)]
        dropins: Vec<Dropin>,
        regex: Re,
        found: Verdict,
        not_found: Verdict,
        no_file: Verdict,
    },
    /// An option of sshd's effective configuration (Include and Match resolved).
    SshdOption {
        option: String,
        expect: Expect,
        #[serde(default)]
        defaults: Vec<VersionedDefault>,
    },
    /// One of `modules` is in the `stack` (auth, account, password, session) of every
    /// PAM service of `services` that the device has.
    PamModule {
        services: Vec<String>,
        stack: String,
        modules: Vec<String>,
    },
    /// No line of any PAM service's resolved stack uses one of `modules` with one of `args`.
    PamArgAbsent {
        modules: Vec<String>,
        args: Vec<String>,
    },
    /// The audit rules (rules.d or audit.rules) contain a line matching each group: every
    /// entry of `all_of` is a list of alternatives.
    AuditRule { all_of: Vec<Vec<Re>> },
    /// Each kernel module is blacklisted or its loading replaced by /bin/false.
    ModprobeDisabled { modules: Vec<String> },
    /// `mount_point` is mounted (fstab or a systemd mount unit) with all of `options`.
    MountOptions {
        mount_point: String,
        options: Vec<String>,
        missing: Verdict,
    },
    /// Logic in code, named here.
    Code { name: String },
}

/// Why the definitions could not be loaded; every problem names its file.
#[derive(Debug, thiserror::Error)]
#[error("invalid check definitions:\n{}", .problems.join("\n"))]
pub struct DefsError {
    pub problems: Vec<String>,
}

/// Parses check files given as (file name, YAML text), validates them against `catalog`,
/// and returns the checks in file order.
pub fn load<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    catalog: &Catalog,
) -> Result<Vec<CheckDef>, DefsError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CheckFile {
        checks: Vec<CheckDef>,
    }
    let mut problems = Vec::new();
    let mut checks: Vec<CheckDef> = Vec::new();
    let mut seen = HashSet::new();
    for (name, text) in files {
        let file: CheckFile = match serde_norway::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("checks/{name}: {e}"));
                continue;
            }
        };
        for mut check in file.checks {
            let at = format!("checks/{name}: check {}", check.id);
            if !seen.insert(check.id.clone()) {
                problems.push(format!("{at}: duplicate id"));
            }
            if check.requirements.is_empty() {
                problems.push(format!("{at}: no requirements"));
            }
            for req in &mut check.requirements {
                match catalog.find(req) {
                    Some((std, item)) if std.info.id == "62443-4-2" => req.clone_from(&item.id),
                    Some((std, _)) => problems.push(format!(
                        "{at}: {req} is in {}, not IEC 62443-4-2",
                        std.info.id
                    )),
                    None => problems.push(format!("{at}: {req} is not in the catalog")),
                }
            }
            for (field, text) in [
                ("title", &check.title),
                ("explanation", &check.explanation),
                ("remediation", &check.remediation),
            ] {
                if text.en.trim().is_empty() || text.ja.trim().is_empty() {
                    problems.push(format!("{at}: {field} needs both en and ja"));
                }
            }
            if let Rule::FileMode { max_mode, .. } = &check.rule {
                if u32::from_str_radix(max_mode, 8).is_err() {
                    problems.push(format!("{at}: max_mode {max_mode:?} is not octal"));
                }
            }
            if let Rule::Code { name } = &check.rule {
                if !crate::code::exists(name) {
                    problems.push(format!("{at}: no code rule named {name:?}"));
                }
            }
            checks.push(check);
        }
    }
    if problems.is_empty() {
        Ok(checks)
    } else {
        Err(DefsError { problems })
    }
}

/// The built-in checks, validated against `catalog`.
pub fn builtin(catalog: &Catalog) -> Result<Vec<CheckDef>, DefsError> {
    load(embedded::CHECK_FILES.iter().copied(), catalog)
}

/// The built-in check files, as (file name, YAML text).
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    embedded::CHECK_FILES
}

/// A data file under `data/` by name.
pub(crate) fn data_file(name: &str) -> Option<&'static str> {
    embedded::DATA_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
}
