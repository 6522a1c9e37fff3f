//! Freshness: how long a piece of evidence keeps supporting an answer.
//!
//! A scan from last year says little about today's image; a penetration test or a
//! training record is good for longer. A project states per evidence kind how long that is,
//! and answers whose evidence has outlived it are **stale**.
//!
//! # The rule (stated here once)
//!
//! - `freshness:` in tekigo.yaml maps an evidence kind (the `kind:` of an answer's
//!   evidence: `file`, `url`, `scan`) or `default` to a maximum age: a whole number and a
//!   unit, `d` days, `w` weeks, `m` calendar months, `y` calendar years (`30d`, `1y`). A
//!   kind without an entry takes `default`; with neither it never goes stale.
//! - A piece of evidence is dated by when it entered the project: a stored file or scan
//!   report by its first addition to the evidence store (`added` in `evidence/SHA.yaml`),
//!   a link by the date of the answer that cites it.
//! - It is current up to and including its date plus the maximum age (a month or year
//!   added to the 31st ends on the last day of a shorter month); from the next day it is
//!   stale.
//! - An answer is stale when any evidence it cites is stale; it needs fresh evidence by the
//!   earliest of its evidence's last current days.
//!
//! Staleness is shown beside the levels (`assess show`, `assess gaps --stale`, `tekigo
//! upkeep`); it does not change them, because the answer's status is still the assessor's
//! judgement and only a person can say the evidence no longer holds.

use crate::assessment::{Assessment, EvidenceRef};
use crate::project::Project;
use crate::AssessError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration, Month};

/// The evidence kinds an age can be set for, and the fallback key.
pub const KINDS: [&str; 4] = ["file", "url", "scan", "default"];

/// The `freshness:` section of tekigo.yaml, kept as written so that it round-trips.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Freshness(BTreeMap<String, String>);

impl Freshness {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Why an entry cannot be used, for the error that names the field.
    pub fn check_entry(kind: &str, age: &str) -> Result<(), String> {
        if !KINDS.contains(&kind) {
            return Err(format!(
                "{kind:?} is not an evidence kind; use one of {}",
                KINDS.join(", ")
            ));
        }
        MaxAge::parse(age).map(|_| ())
    }

    /// The maximum age of `kind`, else the default; `None` when neither is set. Entries are
    /// checked when tekigo.yaml is loaded, so one that does not parse is not set.
    pub fn max_age(&self, kind: &str) -> Option<MaxAge> {
        self.0
            .get(kind)
            .or_else(|| self.0.get("default"))
            .and_then(|a| MaxAge::parse(a).ok())
    }
}

/// A maximum age: a number of days or of calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxAge {
    Days(u32),
    Months(u32),
}

impl MaxAge {
    /// `30d`, `2w`, `6m`, `1y`.
    pub fn parse(text: &str) -> Result<MaxAge, String> {
        let t = text.trim();
        let bad = || format!("{text:?} is not an age such as 30d, 2w, 6m or 1y");
        let unit = t.chars().last().ok_or_else(bad)?;
        let n: u32 = t[..t.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
        if n == 0 || n > 1200 {
            return Err(format!("{text:?}: the number must be 1 to 1200"));
        }
        match unit {
            'd' => Ok(MaxAge::Days(n)),
            'w' => Ok(MaxAge::Days(n * 7)),
            'm' => Ok(MaxAge::Months(n)),
            'y' => Ok(MaxAge::Months(n * 12)),
            _ => Err(bad()),
        }
    }

    /// The last day a piece of evidence dated `date` is current.
    pub fn last_current_day(self, date: Date) -> Date {
        match self {
            MaxAge::Days(n) => date.saturating_add(Duration::days(i64::from(n))),
            MaxAge::Months(n) => add_months(date, n),
        }
    }
}

impl std::fmt::Display for MaxAge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MaxAge::Days(n) => write!(f, "{n}d"),
            MaxAge::Months(n) if n % 12 == 0 => write!(f, "{}y", n / 12),
            MaxAge::Months(n) => write!(f, "{n}m"),
        }
    }
}

/// `date` plus `n` calendar months; the 29th to 31st of a month become the last day of a
/// shorter target month (2027-01-31 + 1 month = 2027-02-28).
pub fn add_months(date: Date, n: u32) -> Date {
    let index = date.year() as i64 * 12 + (u8::from(date.month()) as i64 - 1) + i64::from(n);
    let year = index.div_euclid(12) as i32;
    let month = Month::try_from((index.rem_euclid(12) + 1) as u8).unwrap_or(Month::December);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(Date::MAX)
}

/// One piece of evidence with a maximum age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceAge {
    /// `file`, `url` or `scan`.
    pub kind: String,
    /// The SHA-256 of stored evidence, or the link.
    pub reference: String,
    /// The date the evidence entered the project (YYYY-MM-DD).
    pub dated: String,
    pub max_age: String,
    /// The last day it is current (YYYY-MM-DD).
    pub current_through: String,
    #[serde(skip)]
    last_day: Date,
}

/// An answer's evidence with maximum ages, and the last day all of it is current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerAge {
    pub id: String,
    /// The earliest last current day of its evidence (YYYY-MM-DD).
    pub current_through: String,
    pub evidence: Vec<EvidenceAge>,
    #[serde(skip)]
    pub last_day: Date,
}

impl AnswerAge {
    /// Stale on `today`: some evidence's last current day has passed. The evidence listed
    /// is then only the stale part.
    pub fn stale_on(&self, today: Date) -> Option<AnswerAge> {
        if self.last_day >= today {
            return None;
        }
        let mut out = self.clone();
        out.evidence.retain(|e| e.last_day < today);
        Some(out)
    }
}

/// Every answer of `a` that cites evidence with a maximum age, in answer-id order. Stored
/// evidence whose record cannot be read is an error naming the file.
pub fn answer_ages(project: &Project, a: &Assessment) -> Result<Vec<AnswerAge>, AssessError> {
    let f = &project.config.freshness;
    if f.is_empty() {
        return Ok(Vec::new());
    }
    let store = project.evidence();
    let mut out = Vec::new();
    for (id, answer) in &a.answers {
        let mut evidence = Vec::new();
        for e in &answer.evidence {
            let (kind, reference, dated) = match e {
                EvidenceRef::Url { url } => ("url", url.clone(), answer.date.clone()),
                EvidenceRef::File { sha256, .. } | EvidenceRef::Scan { sha256, .. } => {
                    let kind = if matches!(e, EvidenceRef::File { .. }) {
                        "file"
                    } else {
                        "scan"
                    };
                    let meta_file = project
                        .root
                        .join(crate::evidence::EVIDENCE_DIR)
                        .join(format!("{sha256}.yaml"));
                    let meta = store
                        .meta(sha256)
                        .map_err(|err| AssessError::io(&meta_file, err))?
                        .ok_or_else(|| {
                            AssessError::message(&meta_file, "the evidence record is missing")
                        })?;
                    (kind, sha256.clone(), meta.added.chars().take(10).collect())
                }
            };
            let Some(max_age) = f.max_age(kind) else {
                continue;
            };
            let Some(date) = crate::parse_date(&dated) else {
                return Err(AssessError::message(
                    &project.root,
                    format!("answer {id}: evidence {reference} has no date ({dated:?})"),
                ));
            };
            let last_day = max_age.last_current_day(date);
            evidence.push(EvidenceAge {
                kind: kind.to_string(),
                reference,
                dated,
                max_age: max_age.to_string(),
                current_through: ymd(last_day),
                last_day,
            });
        }
        if let Some(last_day) = evidence.iter().map(|e| e.last_day).min() {
            out.push(AnswerAge {
                id: id.clone(),
                current_through: ymd(last_day),
                evidence,
                last_day,
            });
        }
    }
    Ok(out)
}

/// The stale answers of `a` on `today` (see the module docs).
pub fn stale(
    project: &Project,
    a: &Assessment,
    today: Date,
) -> Result<Vec<AnswerAge>, AssessError> {
    Ok(answer_ages(project, a)?
        .iter()
        .filter_map(|x| x.stale_on(today))
        .collect())
}

/// A date as YYYY-MM-DD.
pub fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn ages_parse_and_print() {
        assert_eq!(MaxAge::parse("30d"), Ok(MaxAge::Days(30)));
        assert_eq!(MaxAge::parse("2w"), Ok(MaxAge::Days(14)));
        assert_eq!(MaxAge::parse("6m"), Ok(MaxAge::Months(6)));
        assert_eq!(MaxAge::parse("1y"), Ok(MaxAge::Months(12)));
        assert_eq!(MaxAge::Months(12).to_string(), "1y");
        for bad in [
            "", "d", "30", "0d", "-1d", "1.5y", "30 days", "９d", "9999y",
        ] {
            assert!(MaxAge::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Freshness::check_entry("pentest", "1y").is_err());
    }

    /// Month arithmetic against a plain recomputation: step through the calendar day by day.
    #[test]
    fn months_are_calendar_months() {
        assert_eq!(add_months(date!(2027 - 01 - 31), 1), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 12 - 03), 12), date!(2027 - 12 - 03));
        let mut d = date!(2026 - 01 - 01);
        while d < date!(2029 - 01 - 01) {
            for n in [1u32, 6, 12, 25] {
                let got = add_months(d, n);
                // Plain: count months by walking day by day to the first of the month n
                // months on, then take the same day or the month's last.
                let mut first = d.replace_day(1).unwrap();
                for _ in 0..n {
                    first = first
                        .saturating_add(Duration::days(32))
                        .replace_day(1)
                        .unwrap();
                }
                let mut want = first;
                while want.month() == first.month() && want.day() < d.day() {
                    match want.next_day() {
                        Some(next) if next.month() == first.month() => want = next,
                        _ => break,
                    }
                }
                assert_eq!(got, want, "{d} + {n} months");
            }
            d = d.next_day().unwrap();
        }
    }
}
