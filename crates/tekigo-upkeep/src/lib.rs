//! Upkeep: what a project must do, and by when, to keep the conformity it won.
//!
//! Certificates expire and are audited ([`certificate`], `certificates/ID.yaml`), evidence
//! grows old (`tekigo_assess::freshness`), answers wait for review, vulnerabilities the
//! watch found wait for triage, actively exploited ones start the EU CRA reporting clocks
//! ([`cra`], `cra/exploited.yaml`), and releases reach the end of their support period
//! ([`inputs`]). [`upkeep`] reads all of it and lists each thing that is due soon or
//! overdue, with the rule that made it; [`ical`] renders the list for a calendar.
//!
//! # States
//!
//! A date rule is **overdue** when today is after its due date and **due soon** when the
//! due date is today or within the window (`within` days); an hour clock (the CRA early
//! warning and notification) is overdue when now is after its due time. Anything further
//! off is not listed. `--today` replaces the clock for every rule: a date stands for its
//! first moment (00:00 UTC).
//!
//! # The rules
//!
//! Stated once, in `data/rules.yaml`; every item carries its rule's sentence:
#![doc = concat!("```yaml\n", include_str!("../data/rules.yaml"), "```")]

pub mod certificate;
pub mod cra;
pub mod ical;
pub mod inputs;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tekigo_assess::freshness::{add_months, ymd};
use tekigo_assess::{AssessError, Project, Review};
use tekigo_catalog::{Catalog, Lang};
use time::{Date, Duration, OffsetDateTime};

/// The upkeep's files of a project directory (certificates, the CRA record, the watch's
/// findings) as (path inside the project, text), each checked first as `tekigo upkeep`
/// reads it. A store that keeps a project elsewhere (the server) keeps these texts, so a
/// project moved through it loses none of them and nothing it would refuse gets in.
pub fn project_files(
    project: &Project,
    catalog: &Catalog,
) -> Result<Vec<(String, String)>, AssessError> {
    certificate::load_all(project, catalog)?;
    cra::load(project)?;
    inputs::watch_findings(project)?;
    let mut paths: Vec<String> = certificate::ids(project)?
        .iter()
        .map(|id| format!("{}/{id}.yaml", certificate::CERTIFICATES_DIR))
        .collect();
    paths.push(cra::CRA_FILE.to_string());
    paths.push(inputs::FINDINGS_FILE.to_string());
    let mut files = Vec::new();
    for rel in paths {
        let path = project.root.join(&rel);
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((rel, text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(AssessError::io(&path, e)),
        }
    }
    Ok(files)
}

/// Days a vulnerability may stay untriaged when tekigo.yaml does not say (the default of
/// `assess import-vulns --max-age-days` too).
pub const DEFAULT_TRIAGE_DAYS: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Overdue,
    DueSoon,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Overdue => "overdue",
            State::DueSoon => "due-soon",
        }
    }
}

/// One thing due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The rule's key in `data/rules.yaml`.
    pub kind: &'static str,
    pub subject: String,
    /// YYYY-MM-DD, or an RFC 3339 time for the hour clocks.
    pub due: String,
    pub state: State,
    /// Whole days from today to the due date (negative when overdue).
    pub days_left: i64,
    /// For the hour clocks: whole hours from now to the due time, rounded down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_left: Option<i64>,
    /// The file the item comes from, relative to the project.
    pub source: String,
    /// The rule's sentence in the reader's language.
    pub rule: String,
}

#[derive(Deserialize)]
struct RuleText {
    title: tekigo_catalog::Text,
    rule: tekigo_catalog::Text,
}

fn rules() -> &'static BTreeMap<String, RuleText> {
    static RULES: OnceLock<BTreeMap<String, RuleText>> = OnceLock::new();
    // Compiled in and parsed by a unit test.
    RULES.get_or_init(|| {
        serde_norway::from_str(include_str!("../data/rules.yaml")).unwrap_or_default()
    })
}

/// Every rule's kind, in the order of `data/rules.yaml`'s statement.
pub const KINDS: [&str; 10] = [
    "certificate-expiry",
    "surveillance-audit",
    "renewal-item",
    "stale-evidence",
    "unreviewed-answer",
    "untriaged-vulnerability",
    "cra-early-warning",
    "cra-notification",
    "cra-final-report",
    "support-end",
];

/// The title of a rule in `lang`.
pub fn title(kind: &str, lang: Lang) -> &'static str {
    rules().get(kind).map_or("?", |r| r.title.get(lang))
}

/// The sentence of a rule in `lang`.
pub fn rule(kind: &str, lang: Lang) -> &'static str {
    rules().get(kind).map_or("?", |r| r.rule.get(lang))
}

/// The moment upkeep judges at, and how far ahead it looks.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: OffsetDateTime,
    pub within_days: u32,
}

impl Clock {
    pub fn today(&self) -> Date {
        self.now.date()
    }

    /// "This month", as the server's upkeep page and dashboard count it: due soon is due
    /// from today up to the last day of the current calendar month (UTC).
    pub fn this_month(now: OffsetDateTime) -> Clock {
        let now = now.to_offset(time::UtcOffset::UTC);
        let last = now.month().length(now.year());
        Clock {
            now,
            within_days: u32::from(last - now.day()),
        }
    }

    /// A date rule's state: overdue after the due date, due soon up to `within` days ahead.
    pub fn date_state(&self, due: Date) -> Option<State> {
        let today = self.today();
        if today > due {
            Some(State::Overdue)
        } else if due <= today.saturating_add(Duration::days(self.within_days.into())) {
            Some(State::DueSoon)
        } else {
            None
        }
    }

    /// An hour clock's state: overdue after the due moment, due soon when it falls on a
    /// day up to `within` days ahead (today included), as for a date.
    pub fn time_state(&self, due: OffsetDateTime) -> Option<State> {
        if self.now > due {
            Some(State::Overdue)
        } else {
            self.date_state(due.to_offset(time::UtcOffset::UTC).date())
        }
    }
}

/// The clock `--today` gives: a date (its first moment, UTC) or an RFC 3339 time.
pub fn parse_now(text: &str) -> Result<OffsetDateTime, String> {
    if let Some(d) = tekigo_assess::parse_date(text.trim()) {
        return Ok(d.midnight().assume_utc());
    }
    cra::parse_time(text)
        .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"))
}

struct Collector {
    clock: Clock,
    lang: Lang,
    items: Vec<Item>,
}

impl Collector {
    fn date(&mut self, kind: &'static str, subject: String, due: Date, source: &str) {
        if let Some(state) = self.clock.date_state(due) {
            self.push(
                kind,
                subject,
                ymd(due),
                state,
                (due - self.clock.today()).whole_days(),
                None,
                source,
            );
        }
    }

    fn time(&mut self, kind: &'static str, subject: String, due: OffsetDateTime, source: &str) {
        if let Some(state) = self.clock.time_state(due) {
            let left = due - self.clock.now;
            let hours = left.whole_seconds().div_euclid(3600);
            let day = due.to_offset(time::UtcOffset::UTC).date();
            let days = (day - self.clock.today()).whole_days();
            self.push(
                kind,
                subject,
                cra::format_time(due),
                state,
                days,
                Some(hours),
                source,
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: &'static str,
        subject: String,
        due: String,
        state: State,
        days_left: i64,
        hours_left: Option<i64>,
        source: &str,
    ) {
        self.items.push(Item {
            kind,
            subject,
            due,
            state,
            days_left,
            hours_left,
            source: source.to_string(),
            rule: rule(kind, self.lang).to_string(),
        });
    }
}

/// Everything due soon or overdue in the project at `clock`, overdue first, then by due.
pub fn upkeep(
    project: &Project,
    catalog: &Catalog,
    clock: Clock,
    lang: Lang,
) -> Result<Vec<Item>, AssessError> {
    let mut c = Collector {
        clock,
        lang,
        items: Vec::new(),
    };
    certificates(&mut c, project, catalog)?;
    assessments(&mut c, project, catalog)?;
    let findings = inputs::watch_findings(project)?;
    let triage = tekigo_vex::Triage::load(&project.root)
        .map_err(|e| AssessError::message(project.root.join(tekigo_vex::TRIAGE_FILE), e))?;
    untriaged(&mut c, project, &findings, &triage);
    cra_clocks(&mut c, project, &findings, &triage)?;
    support(&mut c, project)?;
    let mut items = c.items;
    items.sort_by(|a, b| {
        (a.state, a.days_left, &a.due, a.kind, &a.subject).cmp(&(
            b.state,
            b.days_left,
            &b.due,
            b.kind,
            &b.subject,
        ))
    });
    Ok(items)
}

/// The surveillance audit due next in the current period: audit k (k = audits recorded
/// + 1) at issue + k×N months, if that is before expiry.
pub fn next_surveillance(cert: &certificate::Certificate) -> Option<(u32, Date)> {
    let n = cert.surveillance_months?;
    let issued = certificate::date(&cert.issued)?;
    let expires = certificate::date(&cert.expires)?;
    let k = u32::try_from(cert.audits.len()).ok()? + 1;
    let due = add_months(issued, k.checked_mul(n)?);
    (due < expires).then_some((k, due))
}

fn certificates(
    c: &mut Collector,
    project: &Project,
    catalog: &Catalog,
) -> Result<(), AssessError> {
    for cert in certificate::load_all(project, catalog)? {
        let source = format!("{}/{}.yaml", certificate::CERTIFICATES_DIR, cert.id);
        let name = match &cert.number {
            Some(n) => format!("{} ({} {n})", cert.id, cert.scheme),
            None => format!("{} ({})", cert.id, cert.scheme),
        };
        if let Some(expires) = certificate::date(&cert.expires) {
            c.date("certificate-expiry", name.clone(), expires, &source);
        }
        if let Some((k, due)) = next_surveillance(&cert) {
            c.date("surveillance-audit", format!("{name} #{k}"), due, &source);
        }
        for r in cert.renewal_items.iter().filter(|r| r.done.is_none()) {
            if let Some(due) = certificate::date(&r.due) {
                c.date("renewal-item", format!("{name}: {}", r.item), due, &source);
            }
        }
    }
    Ok(())
}

/// Stale evidence and unreviewed answers, one item per assessment and due date (a scan
/// import dates a hundred answers the same day).
fn assessments(c: &mut Collector, project: &Project, catalog: &Catalog) -> Result<(), AssessError> {
    let unreviewed = project.config.upkeep.unreviewed_days;
    for id in project.assessment_ids()? {
        let a = project.load_assessment(catalog, &id)?;
        let source = format!("assessments/{id}.yaml");
        let mut stale: BTreeMap<Date, Vec<String>> = BTreeMap::new();
        for age in tekigo_assess::freshness::answer_ages(project, &a)? {
            stale.entry(age.last_day).or_default().push(age.id);
        }
        for (due, ids) in stale {
            c.date("stale-evidence", group(&id, &ids), due, &source);
        }
        let Some(days) = unreviewed else { continue };
        let mut drafts: BTreeMap<Date, Vec<String>> = BTreeMap::new();
        for (req, answer) in &a.answers {
            if answer.review == Review::Draft {
                if let Some(d) = tekigo_assess::parse_date(&answer.date) {
                    let due = d.saturating_add(Duration::days(days.into()));
                    drafts.entry(due).or_default().push(req.clone());
                }
            }
        }
        for (due, ids) in drafts {
            c.date("unreviewed-answer", group(&id, &ids), due, &source);
        }
    }
    Ok(())
}

/// `A: CR 1.1, CR 2.1` (at most five ids, then the count).
fn group(assessment: &str, ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
    let more = ids.len().saturating_sub(5);
    if more > 0 {
        format!("{assessment}: {} (+{more})", shown.join(", "))
    } else {
        format!("{assessment}: {}", shown.join(", "))
    }
}

/// Watch findings without a triage record, once per vulnerability and component (the
/// earliest first sighting counts, whichever release it was in).
fn untriaged(
    c: &mut Collector,
    project: &Project,
    findings: &[inputs::WatchFinding],
    triage: &tekigo_vex::Triage,
) {
    let days = project
        .config
        .upkeep
        .triage_days
        .unwrap_or(DEFAULT_TRIAGE_DAYS);
    let mut open: BTreeMap<(String, String), OffsetDateTime> = BTreeMap::new();
    for f in findings {
        let Some(component) = tekigo_vex::ComponentRef::from_label(&f.component) else {
            continue;
        };
        if triage.lookup(&f.ids(), &component).is_some() {
            continue;
        }
        let Some(seen) = cra::parse_time(&f.first_seen) else {
            continue;
        };
        let key = (f.vulnerability.clone(), f.component.clone());
        let first = open.entry(key).or_insert(seen);
        *first = (*first).min(seen);
    }
    for ((vuln, component), seen) in open {
        let due = seen.date().saturating_add(Duration::days(days.into()));
        c.date(
            "untriaged-vulnerability",
            format!("{vuln} ({component})"),
            due,
            inputs::FINDINGS_FILE,
        );
    }
}

/// The Art. 14(2) clocks of every actively exploited vulnerability: flagged in
/// `cra/exploited.yaml` or in KEV according to the watch. A KEV finding that the project's
/// triage says the product is not affected by starts no clock (the obligation is for a
/// vulnerability contained in the product); a person's flag always does.
fn cra_clocks(
    c: &mut Collector,
    project: &Project,
    findings: &[inputs::WatchFinding],
    triage: &tekigo_vex::Triage,
) -> Result<(), AssessError> {
    let file = cra::load(project)?;
    // Upper-cased id -> (display id, component, awareness).
    let mut clocks: BTreeMap<String, (String, Option<String>, Option<OffsetDateTime>)> =
        BTreeMap::new();
    for v in &file.vulnerabilities {
        clocks.insert(
            v.vulnerability.to_ascii_uppercase(),
            (v.vulnerability.clone(), v.component.clone(), v.aware()),
        );
    }
    let not_affected = |f: &inputs::WatchFinding| {
        tekigo_vex::ComponentRef::from_label(&f.component)
            .and_then(|component| triage.lookup(&f.ids(), &component))
            .is_some_and(|r| r.state == tekigo_vex::State::NotAffected)
    };
    for f in findings.iter().filter(|f| f.kev && !not_affected(f)) {
        let Some(seen) = cra::parse_time(&f.first_seen) else {
            continue;
        };
        // The same vulnerability flagged under an alias is one clock.
        let key = f
            .ids()
            .iter()
            .map(|i| i.to_ascii_uppercase())
            .find(|k| clocks.contains_key(k))
            .unwrap_or_else(|| f.vulnerability.to_ascii_uppercase());
        let entry = clocks
            .entry(key)
            .or_insert_with(|| (f.vulnerability.clone(), Some(f.component.clone()), None));
        entry.2 = Some(entry.2.map_or(seen, |a| a.min(seen)));
        if entry.1.is_none() {
            entry.1 = Some(f.component.clone());
        }
    }
    for (key, (vuln, component, aware)) in clocks {
        let record = file
            .vulnerabilities
            .iter()
            .find(|v| v.vulnerability.to_ascii_uppercase() == key);
        let reported = |s: cra::Stage| record.is_some_and(|r| r.reported.contains_key(&s));
        let subject = match &component {
            Some(comp) => format!("{vuln} ({comp})"),
            None => vuln.clone(),
        };
        if let Some(aware) = aware {
            if !reported(cra::Stage::EarlyWarning) {
                c.time(
                    "cra-early-warning",
                    subject.clone(),
                    aware + Duration::hours(24),
                    cra::CRA_FILE,
                );
            }
            if !reported(cra::Stage::Notification) {
                c.time(
                    "cra-notification",
                    subject.clone(),
                    aware + Duration::hours(72),
                    cra::CRA_FILE,
                );
            }
        }
        let fix = record
            .and_then(|r| r.fix_available.as_deref())
            .and_then(tekigo_assess::parse_date);
        if let (Some(fix), false) = (fix, reported(cra::Stage::Final)) {
            c.date(
                "cra-final-report",
                subject,
                fix.saturating_add(Duration::days(14)),
                cra::CRA_FILE,
            );
        }
    }
    Ok(())
}

/// The end of each release's support period; after it, the release is no longer listed.
fn support(c: &mut Collector, project: &Project) -> Result<(), AssessError> {
    use tekigo_assess::releases::{release_headers, support_end, RELEASES_DIR};
    let product = project.config.product.support_until.as_deref();
    for r in release_headers(&project.root)? {
        let Some(end) =
            support_end(r.support_until.as_deref(), product).and_then(tekigo_assess::parse_date)
        else {
            continue;
        };
        if c.clock.today() <= end {
            let source = format!("{RELEASES_DIR}/{}/release.json", r.version);
            c.date("support-end", r.version.clone(), end, &source);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_stated_in_both_languages() {
        let keys: Vec<&str> = rules().keys().map(String::as_str).collect();
        let mut kinds = KINDS.to_vec();
        kinds.sort();
        assert_eq!(keys, kinds);
        for k in KINDS {
            for l in [Lang::En, Lang::Ja] {
                assert!(!title(k, l).is_empty() && title(k, l) != "?");
                assert!(rule(k, l).len() > 20);
            }
        }
    }

    /// The states against a plain recomputation in day numbers.
    #[test]
    fn states_at_the_boundaries() {
        let base = Date::from_calendar_date(2026, time::Month::December, 1).unwrap();
        for within in [0u32, 1, 30] {
            for offset in -40i64..40 {
                let today = base.saturating_add(Duration::days(offset));
                let clock = Clock {
                    now: today.midnight().assume_utc(),
                    within_days: within,
                };
                let (d, t) = (base.to_julian_day() as i64, today.to_julian_day() as i64);
                let want = if t > d {
                    Some(State::Overdue)
                } else if d - t <= within as i64 {
                    Some(State::DueSoon)
                } else {
                    None
                };
                assert_eq!(clock.date_state(base), want, "{today} within {within}");
            }
        }
        let due = base.midnight().assume_utc() + Duration::hours(10);
        let at = |h: i64| Clock {
            now: base.midnight().assume_utc() + Duration::hours(h),
            within_days: 0,
        };
        assert_eq!(at(10).time_state(due), Some(State::DueSoon));
        assert_eq!(at(11).time_state(due), Some(State::Overdue));
        assert_eq!(at(0).time_state(due), Some(State::DueSoon));
        assert_eq!(at(-1).time_state(due), None);
        assert_eq!(at(-24).time_state(due), None);
    }

    /// This month ends on its last day, in every month and in a leap year's February.
    #[test]
    fn this_month_ends_on_the_last_day_of_the_month() {
        for (now, last) in [
            (time::macros::datetime!(2026-12-03 10:00 UTC), "2026-12-31"),
            (time::macros::datetime!(2026-12-31 23:59 UTC), "2026-12-31"),
            (time::macros::datetime!(2028-02-01 00:00 UTC), "2028-02-29"),
            (time::macros::datetime!(2026-02-14 00:00 UTC), "2026-02-28"),
            (
                time::macros::datetime!(2026-04-30 00:00 +09:00),
                "2026-04-30",
            ),
        ] {
            let clock = Clock::this_month(now);
            let last = tekigo_assess::parse_date(last).unwrap();
            assert_eq!(clock.date_state(last), Some(State::DueSoon), "{now}");
            assert_eq!(clock.date_state(last.next_day().unwrap()), None, "{now}");
        }
    }

    #[test]
    fn the_clock_takes_a_date_or_a_time() {
        assert_eq!(
            parse_now("2026-12-03").unwrap(),
            time::macros::datetime!(2026-12-03 00:00 UTC)
        );
        assert_eq!(
            parse_now("2026-12-03T10:30:00+09:00").unwrap(),
            time::macros::datetime!(2026-12-03 01:30 UTC)
        );
        assert!(parse_now("03/12/2026").is_err());
    }
}
