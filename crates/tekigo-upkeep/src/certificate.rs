//! Certificates a component holds, one file each: `certificates/ID.yaml`.
//!
//! A certificate is what a scheme (ISASecure CSA/SDLA, IECEE CB, a national or private
//! scheme) says about a component at a level, for a period, on conditions: surveillance
//! audits every N months and the renewal items the scheme names. The file keeps the current
//! period at the top and every earlier one in `history`, so a renewal never loses what was
//! certified before.
//!
//! The fields other tools read (`id`, `scheme`, `body`, `number`, `standard`, `level`,
//! `component`, `releases`, `issued`, `expires`, `surveillance_months`, `renewal_items`,
//! `evidence`) keep their names; `audits` and `history` are tekigo's own.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tekigo_assess::{AssessError, Problem, Project};
use tekigo_catalog::{Catalog, LevelScheme, SlVector};

pub const CERTIFICATES_DIR: &str = "certificates";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    pub id: String,
    /// The certification scheme, e.g. `ISASecure CSA`, `IECEE CB`.
    pub scheme: String,
    /// The certification body that issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The certificate number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Catalog id of the standard, e.g. `62443-4-2`.
    pub standard: String,
    /// An SL-C vector (`{2 2 2 2 2 2 2}`) for a standard with security levels, `ML2` for one
    /// with maturity levels.
    pub level: String,
    /// The component's name in tekigo.yaml.
    pub component: String,
    /// The releases covered, in the scheme's words (`2.1.x`, `from 2.1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases: Option<String>,
    /// YYYY-MM-DD.
    pub issued: String,
    /// YYYY-MM-DD, the last day of validity.
    pub expires: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surveillance_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renewal_items: Vec<RenewalItem>,
    /// SHA-256 of evidence in the project's store: the certificate file, audit reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Dates of the surveillance audits held in the current period, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audits: Vec<String>,
    /// Earlier validity periods, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Period>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalItem {
    pub item: String,
    /// YYYY-MM-DD.
    pub due: String,
    /// YYYY-MM-DD once done; a done item is no longer due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<String>,
}

impl RenewalItem {
    /// `TEXT@YYYY-MM-DD`, as `tekigo cert add --renewal-item` and the server's certificate
    /// form take a renewal item.
    pub fn parse(s: &str) -> Result<RenewalItem, String> {
        let Some((item, due)) = s.rsplit_once('@') else {
            return Err(format!("{s:?} is not TEXT@YYYY-MM-DD"));
        };
        if let Some(m) = tekigo_assess::date_error(due.trim()) {
            return Err(m);
        }
        if item.trim().is_empty() {
            return Err(format!("{s:?} has no text before the @"));
        }
        Ok(RenewalItem {
            item: item.trim().to_string(),
            due: due.trim().to_string(),
            done: None,
        })
    }
}

/// A validity period replaced by a renewal, as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub level: String,
    pub issued: String,
    pub expires: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audits: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renewal_items: Vec<RenewalItem>,
    /// YYYY-MM-DD: when the renewal was recorded.
    pub renewed: String,
}

/// A new period for `tekigo cert renew`.
pub struct Renewal {
    pub issued: String,
    pub expires: String,
    pub number: Option<String>,
    pub level: Option<String>,
    pub renewal_items: Vec<RenewalItem>,
    pub today: String,
}

impl Certificate {
    /// Records the open renewal item whose text is `item` done on `date` (YYYY-MM-DD, checked
    /// when the certificate is saved). A done item is no longer due, so this is how a
    /// renewal item leaves `tekigo upkeep`; an item already done, or of an earlier period,
    /// cannot be completed again. `Err` carries the texts of the open items, for the message.
    pub fn complete_item(&mut self, item: &str, date: &str) -> Result<(), Vec<String>> {
        let item = item.trim();
        if let Some(r) = self
            .renewal_items
            .iter_mut()
            .find(|r| r.done.is_none() && r.item == item)
        {
            r.done = Some(date.trim().to_string());
            return Ok(());
        }
        Err(self
            .renewal_items
            .iter()
            .filter(|r| r.done.is_none())
            .map(|r| r.item.clone())
            .collect())
    }

    /// Starts a new validity period; the current one goes to `history` with its audits
    /// and renewal items.
    pub fn renew(&mut self, r: Renewal) {
        self.history.push(Period {
            number: self.number.clone(),
            level: self.level.clone(),
            issued: std::mem::replace(&mut self.issued, r.issued),
            expires: std::mem::replace(&mut self.expires, r.expires),
            audits: std::mem::take(&mut self.audits),
            renewal_items: std::mem::replace(&mut self.renewal_items, r.renewal_items),
            renewed: r.today,
        });
        if r.number.is_some() {
            self.number = r.number;
        }
        if let Some(level) = r.level {
            self.level = level;
        }
    }
}

/// The level as a certificate file writes it, from what a person types: `2` or seven
/// levels for a standard with security levels, `2` or `ML2` for one with maturity levels.
pub fn level_text(catalog: &Catalog, standard: &str, given: &str) -> Result<String, String> {
    match scheme_of(catalog, standard)? {
        LevelScheme::Security => given.parse::<SlVector>().map(|v| v.to_string()),
        _ => {
            let t = given.trim();
            let digits = t
                .strip_prefix("ML")
                .or_else(|| t.strip_prefix("ml"))
                .unwrap_or(t);
            match digits.trim().parse::<u8>() {
                Ok(n @ 1..=4) => Ok(format!("ML{n}")),
                _ => Err(format!(
                    "{given:?} is not a maturity level: give 1-4 or ML1-ML4"
                )),
            }
        }
    }
}

fn scheme_of(catalog: &Catalog, standard: &str) -> Result<LevelScheme, String> {
    let s = catalog
        .standard(standard)
        .ok_or_else(|| format!("{standard:?} is not a standard in the catalog"))?;
    match s.info.levels {
        LevelScheme::None => Err(format!(
            "{standard} has no security or maturity levels to certify"
        )),
        l => Ok(l),
    }
}

/// Whether `id` can name a certificate file (the rule of assessment ids).
pub fn check_id(id: &str) -> Result<(), String> {
    tekigo_assess::project::check_file_id("certificate", id)
}

pub fn path(project: &Project, id: &str) -> Result<PathBuf, AssessError> {
    let dir = project.root.join(CERTIFICATES_DIR);
    check_id(id).map_err(|m| AssessError::message(&dir, m))?;
    Ok(dir.join(format!("{id}.yaml")))
}

/// The ids of the project's certificates, sorted.
pub fn ids(project: &Project) -> Result<Vec<String>, AssessError> {
    let dir = project.root.join(CERTIFICATES_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AssessError::io(&dir, e)),
    };
    let mut ids: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".yaml").map(str::to_string)
        })
        .filter(|id| check_id(id).is_ok())
        .collect();
    ids.sort();
    Ok(ids)
}

/// Loads and checks one certificate; every problem names the file and line.
pub fn load(project: &Project, catalog: &Catalog, id: &str) -> Result<Certificate, AssessError> {
    let path = path(project, id)?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            AssessError::message(&path, format!("no certificate {id:?} in this project"))
        } else {
            AssessError::io(&path, e)
        }
    })?;
    let cert: Certificate = tekigo_assess::parse_yaml(&path, &text)?;
    let mut problems = check(project, catalog, &cert, &path, &text);
    if cert.id != id {
        problems.push(tekigo_assess::problem(
            &path,
            tekigo_assess::line_of_key(&text, "id"),
            format!("the file is named {id:?} but holds id {:?}", cert.id),
        ));
    }
    AssessError::from_problems(problems)?;
    Ok(cert)
}

/// Every certificate of the project.
pub fn load_all(project: &Project, catalog: &Catalog) -> Result<Vec<Certificate>, AssessError> {
    ids(project)?
        .iter()
        .map(|id| load(project, catalog, id))
        .collect()
}

/// Checks and writes a certificate; on any problem nothing is written.
pub fn save(project: &Project, catalog: &Catalog, cert: &Certificate) -> Result<(), AssessError> {
    let path = path(project, &cert.id)?;
    let text = to_yaml(cert).map_err(|e| AssessError::message(&path, e))?;
    AssessError::from_problems(check(project, catalog, cert, &path, &text))?;
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .map_err(|e| AssessError::io(&path, e))?;
    tekigo_assess::write_atomically(&path, text.as_bytes())
}

pub fn to_yaml(cert: &Certificate) -> Result<String, serde_norway::Error> {
    Ok(format!(
        "# tekigo certificate {}: {} for {}. Edit with `tekigo cert` or by hand.\n{}",
        cert.id,
        cert.scheme,
        cert.component,
        serde_norway::to_string(cert)?
    ))
}

/// The rules a certificate keeps beyond its shape, each problem with the field and its line.
pub fn check(
    project: &Project,
    catalog: &Catalog,
    c: &Certificate,
    path: &Path,
    text: &str,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut bad = |key: &str, nth: usize, field: String, message: String| {
        problems.push(tekigo_assess::problem(
            path,
            nth_line(text, key, nth),
            format!("{field}: {message}"),
        ));
    };
    if let Err(m) = check_id(&c.id) {
        bad("id", 0, "id".into(), m);
    }
    for (key, value) in [
        ("scheme", Some(&c.scheme)),
        ("body", c.body.as_ref()),
        ("number", c.number.as_ref()),
        ("component", Some(&c.component)),
        ("releases", c.releases.as_ref()),
    ] {
        if let Some(m) = value.map(String::as_str).and_then(one_line_error) {
            bad(key, 0, key.into(), m);
        }
    }
    match level_text(catalog, &c.standard, &c.level) {
        Err(m) if catalog.standard(&c.standard).is_none() => {
            bad("standard", 0, "standard".into(), m)
        }
        Err(m) => bad("level", 0, "level".into(), m),
        Ok(canonical) if canonical != c.level => bad(
            "level",
            0,
            "level".into(),
            format!("write it as {canonical:?}"),
        ),
        Ok(_) => {}
    }
    if project.component(&c.component).is_none() {
        let known: Vec<&str> = project
            .config
            .components
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        bad(
            "component",
            0,
            "component".into(),
            format!(
                "{:?} is not a component in tekigo.yaml ({})",
                c.component,
                known.join(", ")
            ),
        );
    }
    let issued = date(&c.issued);
    let expires = date(&c.expires);
    for (key, value, parsed) in [
        ("issued", &c.issued, issued),
        ("expires", &c.expires, expires),
    ] {
        if parsed.is_none() {
            let m = tekigo_assess::date_error(value).unwrap_or_default();
            bad(key, 0, key.into(), m);
        }
    }
    if let (Some(i), Some(e)) = (issued, expires) {
        if e <= i {
            bad(
                "expires",
                0,
                "expires".into(),
                format!("{} is not after issued {}", c.expires, c.issued),
            );
        }
    }
    if let Some(n) = c.surveillance_months.filter(|n| !(1..=120).contains(n)) {
        bad(
            "surveillance_months",
            0,
            "surveillance_months".into(),
            format!("{n} is not a number of months from 1 to 120"),
        );
    }
    for (i, r) in c.renewal_items.iter().enumerate() {
        if let Some(m) = one_line_error(&r.item) {
            bad("item", i, format!("renewal_items[{i}].item"), m);
        }
        if let Some(m) = tekigo_assess::date_error(&r.due) {
            bad("due", i, format!("renewal_items[{i}].due"), m);
        }
        if let Some(m) = r.done.as_deref().and_then(tekigo_assess::date_error) {
            bad("done", i, format!("renewal_items[{i}].done"), m);
        }
    }
    let store = project.evidence();
    for (i, h) in c.evidence.iter().enumerate() {
        if !tekigo_assess::evidence::is_sha256(h) {
            bad(
                "evidence",
                0,
                format!("evidence[{i}]"),
                format!("{h:?} is not a SHA-256 (64 lower-case hex digits)"),
            );
        } else if !store.contains(h) {
            bad(
                "evidence",
                0,
                format!("evidence[{i}]"),
                format!("{h} is not in the evidence store"),
            );
        }
    }
    for (i, a) in c.audits.iter().enumerate() {
        if let Some(m) = tekigo_assess::date_error(a) {
            bad("audits", 0, format!("audits[{i}]"), m);
        }
    }
    for (i, p) in c.history.iter().enumerate() {
        for (key, value) in [
            ("issued", &p.issued),
            ("expires", &p.expires),
            ("renewed", &p.renewed),
        ] {
            if let Some(m) = tekigo_assess::date_error(value) {
                bad("history", 0, format!("history[{i}].{key}"), m);
            }
        }
    }
    problems
}

pub(crate) fn date(s: &str) -> Option<time::Date> {
    tekigo_assess::parse_date(s)
}

fn one_line_error(v: &str) -> Option<String> {
    if v.trim().is_empty() {
        Some("is empty".into())
    } else if v.chars().count() > 200 {
        Some("is longer than 200 characters".into())
    } else if v.chars().any(char::is_control) {
        Some("must be one line without control characters".into())
    } else {
        None
    }
}

/// The line of the `nth` (0-based) `key:` in the file, else the first, else none.
fn nth_line(text: &str, key: &str, nth: usize) -> Option<usize> {
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            l.trim_start()
                .trim_start_matches("- ")
                .starts_with(&format!("{key}:"))
        })
        .map(|(i, _)| i + 1)
        .collect();
    lines.get(nth).or(lines.first()).copied()
}
