//! `tekigo cert`, `tekigo upkeep` and `tekigo cra` through the binary on temporary
//! projects: every rule of upkeep at its boundaries (the day before, the day of, the day
//! after) with `--today`, the exit codes CI relies on, the iCalendar export, and bad input.

mod common;

use common::{ok, project, stderr, stdout, tekigo};
use serde_json::Value;
use std::path::Path;

/// `tekigo upkeep --today DAY --format json` with `extra` arguments: the items as
/// (kind, subject, due, state), after checking that the exit code says whether any is
/// overdue.
fn upkeep(dir: &Path, today: &str, extra: &[&str]) -> Vec<(String, String, String, String)> {
    let mut args = vec!["upkeep", "--today", today, "--format", "json"];
    args.extend_from_slice(extra);
    let out = tekigo(dir, &args);
    let items: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", stdout(&out), stderr(&out)));
    let items: Vec<(String, String, String, String)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            for key in ["kind", "subject", "due", "state", "rule"] {
                assert!(i[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {i}");
            }
            let s = |k: &str| i[k].as_str().unwrap().to_string();
            (s("kind"), s("subject"), s("due"), s("state"))
        })
        .collect();
    let overdue = items.iter().any(|i| i.3 == "overdue");
    assert_eq!(
        out.status.code(),
        Some(if overdue { 1 } else { 0 }),
        "{items:?} {}",
        stderr(&out)
    );
    items
}

/// The state of the one item of `kind` on `today`, `None` when it is not listed.
fn state(dir: &Path, kind: &str, today: &str) -> Option<String> {
    let items: Vec<_> = upkeep(dir, today, &[])
        .into_iter()
        .filter(|i| i.0 == kind)
        .collect();
    assert!(items.len() <= 1, "{items:?}");
    items.first().map(|i| i.3.clone())
}

/// The day before, the day of and the day after `due` for a date rule listed until done.
fn boundaries(dir: &Path, kind: &str, before: &str, day: &str, after: &str) {
    assert_eq!(
        state(dir, kind, before).as_deref(),
        Some("due-soon"),
        "{kind} {before}"
    );
    assert_eq!(
        state(dir, kind, day).as_deref(),
        Some("due-soon"),
        "{kind} {day}"
    );
    assert_eq!(
        state(dir, kind, after).as_deref(),
        Some("overdue"),
        "{kind} {after}"
    );
}

/// Runs `args`, which must fail as bad input (exit 2) with `naming` in the error.
fn fails_naming(dir: &Path, args: &[&str], naming: &str) {
    let out = tekigo(dir, args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(stderr(&out).contains(naming), "{args:?}: {}", stderr(&out));
}

/// Adds `text` at the end of a file (a section of tekigo.yaml).
fn append(path: &Path, text: &str) {
    let old = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, old + text).unwrap();
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn add_cert(dir: &Path, id: &str, issued: &str, expires: &str, extra: &[&str]) {
    let mut args = vec![
        "cert",
        "add",
        "--scheme",
        "ISASecure CSA",
        "--standard",
        "62443-4-2",
        "--level",
        "2",
        "--component",
        "gw-100",
        "--issued",
        issued,
        "--expires",
        expires,
        "--id",
        id,
    ];
    args.extend_from_slice(extra);
    ok(dir, &args);
}

#[test]
fn certificates_expiry_surveillance_and_renewal_items() {
    let p = project("en", "GW");
    let dir = p.path();
    std::fs::write(dir.join("cert.pdf"), b"%PDF-1.7 the certificate").unwrap();
    add_cert(
        dir,
        "csa-1",
        "2026-01-01",
        "2027-06-30",
        &[
            "--body",
            "Example Lab",
            "--number",
            "CSA-0042",
            "--file",
            "cert.pdf",
            "--renewal-item",
            "Annual SDLA report@2026-12-15",
        ],
    );
    let file: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(dir.join("certificates/csa-1.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(file["level"].as_str(), Some("{2 2 2 2 2 2 2}"));
    assert_eq!(file["component"].as_str(), Some("gw-100"));
    assert_eq!(file["body"].as_str(), Some("Example Lab"));
    let sha = file["evidence"][0].as_str().unwrap();
    assert!(dir.join("evidence").join(sha).is_file());
    assert_eq!(file["renewal_items"][0]["due"].as_str(), Some("2026-12-15"));

    boundaries(
        dir,
        "certificate-expiry",
        "2027-06-29",
        "2027-06-30",
        "2027-07-01",
    );
    boundaries(
        dir,
        "renewal-item",
        "2026-12-14",
        "2026-12-15",
        "2026-12-16",
    );
    // Out of the window: not listed; with a wider window, listed.
    assert_eq!(state(dir, "certificate-expiry", "2027-05-30"), None);
    assert!(upkeep(dir, "2027-05-30", &["--within", "31"])
        .iter()
        .any(|i| i.0 == "certificate-expiry" && i.2 == "2027-06-30"));
    assert!(!upkeep(dir, "2027-06-29", &["--within", "0"])
        .iter()
        .any(|i| i.0 == "certificate-expiry"));

    // A renewal item recorded done leaves the list; a typo names the open items and
    // changes nothing; the item cannot be completed twice.
    fails_naming(
        dir,
        &[
            "cert",
            "done",
            "csa-1",
            "--item",
            "Annual SDLA",
            "--date",
            "2026-12-10",
        ],
        "(open: Annual SDLA report)",
    );
    assert_eq!(
        state(dir, "renewal-item", "2026-12-16").as_deref(),
        Some("overdue")
    );
    ok(
        dir,
        &[
            "cert",
            "done",
            "csa-1",
            "--item",
            "Annual SDLA report",
            "--date",
            "2026-12-10",
        ],
    );
    assert_eq!(state(dir, "renewal-item", "2026-12-16"), None);
    let file: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(dir.join("certificates/csa-1.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        file["renewal_items"][0]["done"].as_str(),
        Some("2026-12-10")
    );
    fails_naming(
        dir,
        &[
            "cert",
            "done",
            "csa-1",
            "--item",
            "Annual SDLA report",
            "--date",
            "2026-12-11",
        ],
        "(open: -)",
    );

    // Surveillance every 1 month from the 31st of January: the first audit is due on the
    // last day of February; once recorded, the next one is due on 31 March.
    add_cert(
        dir,
        "csa-2",
        "2026-01-31",
        "2026-06-30",
        &["--surveillance-months", "1"],
    );
    let surveillance = |today: &str| {
        upkeep(dir, today, &["--within", "3"])
            .into_iter()
            .filter(|i| i.0 == "surveillance-audit")
            .map(|i| (i.1, i.2, i.3))
            .collect::<Vec<_>>()
    };
    let s = |subject: &str, due: &str, state: &str| {
        vec![(subject.to_string(), due.to_string(), state.to_string())]
    };
    assert_eq!(
        surveillance("2026-02-27"),
        s("csa-2 (ISASecure CSA) #1", "2026-02-28", "due-soon")
    );
    assert_eq!(
        surveillance("2026-02-28"),
        s("csa-2 (ISASecure CSA) #1", "2026-02-28", "due-soon")
    );
    assert_eq!(
        surveillance("2026-03-01"),
        s("csa-2 (ISASecure CSA) #1", "2026-02-28", "overdue")
    );
    ok(dir, &["cert", "audit", "csa-2", "--date", "2026-03-01"]);
    assert_eq!(surveillance("2026-03-01"), vec![]);
    assert_eq!(
        surveillance("2026-04-01"),
        s("csa-2 (ISASecure CSA) #2", "2026-03-31", "overdue")
    );
    // No audit is due on or after expiry (audit 5 would be on 30 June).
    for _ in 0..3 {
        ok(dir, &["cert", "audit", "csa-2", "--date", "2026-04-01"]);
    }
    assert_eq!(surveillance("2026-06-29"), vec![]);

    // Renewal: a new period, the old one kept.
    ok(
        dir,
        &[
            "cert",
            "renew",
            "csa-1",
            "--issued",
            "2027-06-01",
            "--expires",
            "2030-06-30",
            "--number",
            "CSA-0099",
        ],
    );
    assert!(!upkeep(dir, "2027-07-01", &[])
        .iter()
        .any(|i| i.0 == "certificate-expiry" && i.1.starts_with("csa-1")));
    let shown: Value =
        serde_json::from_slice(&ok(dir, &["cert", "show", "csa-1", "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(shown["expires"], "2030-06-30");
    assert_eq!(shown["number"], "CSA-0099");
    assert_eq!(shown["history"][0]["expires"], "2027-06-30");
    assert_eq!(shown["history"][0]["number"], "CSA-0042");
    assert_eq!(
        shown["history"][0]["renewal_items"][0]["item"],
        "Annual SDLA report"
    );
    let list: Value =
        serde_json::from_slice(&ok(dir, &["cert", "list", "--format", "json"]).stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let table = stdout(&ok(dir, &["--lang", "ja", "cert", "show", "csa-1"]));
    assert!(
        table.contains("以前の有効期間") && table.contains("CSA-0042"),
        "{table}"
    );
}

#[test]
fn certificates_refuse_bad_input_with_file_and_field() {
    let p = project("en", "GW");
    let dir = p.path();
    // On the command line: nothing is written.
    for (args, says) in [
        (vec!["--level", "5"], "--level"),
        (
            vec!["--component", "nope"],
            "not a component in tekigo.yaml",
        ),
        (vec!["--expires", "2025-01-01"], "is not after issued"),
        (vec!["--expires", "2027-02-30"], "has no day 30"),
        (vec!["--id", "../x"], "certificate id"),
        (vec!["--standard", "62443-9-9"], "not a standard"),
    ] {
        let mut all = vec!["cert", "add"];
        for (flag, value) in [
            ("--scheme", "S"),
            ("--standard", "62443-4-2"),
            ("--level", "2"),
            ("--component", "gw-100"),
            ("--issued", "2026-01-01"),
            ("--expires", "2027-01-01"),
            ("--id", "c"),
        ] {
            let given = args.iter().position(|a| *a == flag);
            all.extend([flag, given.map_or(value, |i| args[i + 1])]);
        }
        let out = tekigo(dir, &all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        assert!(stderr(&out).contains(says), "{all:?}: {}", stderr(&out));
        assert!(!dir.join("certificates/c.yaml").exists());
    }
    // A hand edit that breaks a rule: upkeep and cert show name the file, line and field.
    add_cert(
        dir,
        "c",
        "2026-01-01",
        "2027-01-01",
        &["--surveillance-months", "6"],
    );
    let file = dir.join("certificates/c.yaml");
    edit(&file, "expires: 2027-01-01", "expires: 2027-13-01");
    for args in [
        vec!["upkeep", "--today", "2026-06-01"],
        vec!["cert", "show", "c"],
    ] {
        let out = tekigo(dir, &args);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(
            err.contains("certificates/c.yaml:") && err.contains("expires:"),
            "{err}"
        );
    }
    edit(&file, "expires: 2027-13-01", "expires: [oops");
    fails_naming(dir, &["cert", "list"], "certificates/c.yaml");
    // A bad clock is bad input.
    let out = tekigo(dir, &["upkeep", "--today", "03/12/2026"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--today"), "{}", stderr(&out));
}

#[test]
fn unreviewed_answers_and_support_periods() {
    let p = project("en", "GW");
    let dir = p.path();
    let config = dir.join("tekigo.yaml");
    edit(
        &config,
        "product:\n",
        "product:\n  support_until: 2028-12-31\n",
    );
    append(&config, "upkeep:\n  unreviewed_days: 10\n");
    ok(
        dir,
        &[
            "assess",
            "set",
            "A",
            "CR 1.1",
            "--status",
            "satisfied",
            "--reason",
            "keys only",
        ],
    );
    let a = dir.join("assessments/A.yaml");
    let text = std::fs::read_to_string(&a).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("date:") && l.contains(&today()))
        .unwrap_or_else(|| panic!("no answer date in {text}"))
        .to_string();
    edit(&a, &line, &line.replace(&today(), "2026-11-01"));
    boundaries(
        dir,
        "unreviewed-answer",
        "2026-11-10",
        "2026-11-11",
        "2026-11-12",
    );
    assert!(upkeep(dir, "2026-11-12", &[])
        .iter()
        .any(|i| i.0 == "unreviewed-answer" && i.1 == "A: CR 1.1"));
    edit(&a, "review: draft", "review: reviewed");
    assert_eq!(state(dir, "unreviewed-answer", "2026-11-12"), None);

    // A release with its own end, one that inherits the product's.
    for (v, json) in [
        (
            "1.0",
            r#"{"version":"1.0","frozen_at":"2026-01-10T00:00:00Z","support_until":"2027-03-31","sboms":[]}"#,
        ),
        (
            "2.0",
            r#"{"version":"2.0","frozen_at":"2026-06-10T00:00:00Z","support_until":null,"sboms":[]}"#,
        ),
    ] {
        std::fs::create_dir_all(dir.join("releases").join(v)).unwrap();
        std::fs::write(dir.join("releases").join(v).join("release.json"), json).unwrap();
    }
    let support = |today: &str| {
        upkeep(dir, today, &[])
            .into_iter()
            .filter(|i| i.0 == "support-end")
            .map(|i| (i.1, i.2, i.3))
            .collect::<Vec<_>>()
    };
    let one = |v: &str, due: &str| vec![(v.to_string(), due.to_string(), "due-soon".to_string())];
    assert_eq!(support("2027-03-30"), one("1.0", "2027-03-31"));
    assert_eq!(support("2027-03-31"), one("1.0", "2027-03-31"));
    assert_eq!(support("2027-04-01"), vec![]);
    assert_eq!(support("2028-12-30"), one("2.0", "2028-12-31"));
    assert_eq!(support("2028-12-31"), one("2.0", "2028-12-31"));
    assert_eq!(support("2029-01-01"), vec![]);
    // A broken release.json is bad input, named.
    std::fs::write(
        dir.join("releases/1.0/release.json"),
        r#"{"version":"1.0","support_until":"2027-02-30"}"#,
    )
    .unwrap();
    fails_naming(dir, &["upkeep"], "releases/1.0/release.json");
}

fn today() -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn write_watch(dir: &Path, findings: &str) {
    std::fs::create_dir_all(dir.join("watch")).unwrap();
    std::fs::write(
        dir.join("watch/findings.json"),
        format!(r#"{{"format":1,"findings":[{findings}]}}"#),
    )
    .unwrap();
}

#[test]
fn untriaged_vulnerabilities_past_the_projects_deadline() {
    let p = project("en", "GW");
    let dir = p.path();
    write_watch(
        dir,
        r#"{"release":"1.0","vulnerability":"CVE-2026-1111","aliases":["GHSA-aaaa-bbbb-cccc"],
            "component":"pkg:deb/debian/openssl@3.0.11-1","first_seen":"2026-11-10T08:00:00Z",
            "kev":false,"kev_date_added":null}"#,
    );
    // 30 days unless the project says.
    boundaries(
        dir,
        "untriaged-vulnerability",
        "2026-12-09",
        "2026-12-10",
        "2026-12-11",
    );
    let config = dir.join("tekigo.yaml");
    append(&config, "upkeep:\n  triage_days: 5\n");
    boundaries(
        dir,
        "untriaged-vulnerability",
        "2026-11-14",
        "2026-11-15",
        "2026-11-16",
    );
    // A triage record (under the alias) ends it.
    ok(
        dir,
        &[
            "vex",
            "set",
            "pkg:deb/debian/openssl@3.0.11-1",
            "GHSA-aaaa-bbbb-cccc",
            "--status",
            "under_investigation",
            "--author",
            "sato",
        ],
    );
    assert_eq!(state(dir, "untriaged-vulnerability", "2026-12-11"), None);
    // A broken findings file is bad input, named.
    write_watch(dir, r#"{"release":"1.0"}"#);
    fails_naming(dir, &["upkeep"], "watch/findings.json");
}

#[test]
fn cra_clocks_from_a_flag_and_from_kev() {
    let p = project("en", "GW");
    let dir = p.path();
    ok(
        dir,
        &[
            "cra",
            "flag",
            "CVE-2026-2222",
            "--component",
            "gw-100",
            "--aware-at",
            "2026-12-01T10:00:00Z",
        ],
    );
    let clocks = |now: &str| {
        upkeep(dir, now, &["--within", "0"])
            .into_iter()
            .filter(|i| i.0.starts_with("cra-"))
            .map(|i| (i.0, i.2, i.3))
            .collect::<Vec<_>>()
    };
    let c = |k: &str, due: &str, s: &str| (k.to_string(), due.to_string(), s.to_string());
    // 24 h: due 2 December 10:00 UTC. The day before, the day of (from its first moment),
    // the day after; and the second before and after.
    let early = |now: &str| {
        clocks(now)
            .into_iter()
            .filter(|x| x.0 == "cra-early-warning")
            .collect::<Vec<_>>()
    };
    assert_eq!(early("2026-12-01"), vec![]);
    assert_eq!(
        early("2026-12-02"),
        vec![c("cra-early-warning", "2026-12-02T10:00:00Z", "due-soon")]
    );
    assert_eq!(
        early("2026-12-02T10:00:00Z"),
        vec![c("cra-early-warning", "2026-12-02T10:00:00Z", "due-soon")]
    );
    assert_eq!(
        early("2026-12-02T10:00:01Z"),
        vec![c("cra-early-warning", "2026-12-02T10:00:00Z", "overdue")]
    );
    assert_eq!(
        early("2026-12-03"),
        vec![c("cra-early-warning", "2026-12-02T10:00:00Z", "overdue")]
    );
    // 72 h: due 4 December 10:00 UTC.
    let notification = |now: &str| {
        clocks(now)
            .into_iter()
            .filter(|x| x.0 == "cra-notification")
            .map(|x| x.2)
            .collect::<Vec<_>>()
    };
    assert_eq!(notification("2026-12-03"), Vec::<String>::new());
    assert_eq!(notification("2026-12-04"), vec!["due-soon"]);
    assert_eq!(notification("2026-12-04T09:59:59+00:00"), vec!["due-soon"]);
    assert_eq!(notification("2026-12-04T19:00:01+09:00"), vec!["overdue"]);
    assert_eq!(notification("2026-12-05"), vec!["overdue"]);
    // Hours left, in JSON.
    let out = tekigo(
        dir,
        &[
            "upkeep",
            "--today",
            "2026-12-02T04:30:00Z",
            "--format",
            "json",
        ],
    );
    let items: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ew = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "cra-early-warning")
        .unwrap();
    assert_eq!(ew["hours_left"], 5);
    assert!(ew["rule"].as_str().unwrap().contains("Art. 14(2)(a)"));
    // A report recorded stops its clock only.
    ok(
        dir,
        &[
            "cra",
            "reported",
            "cve-2026-2222",
            "--stage",
            "early-warning",
        ],
    );
    assert_eq!(early("2026-12-03"), vec![]);
    assert_eq!(notification("2026-12-05"), vec!["overdue"]);
    ok(
        dir,
        &[
            "cra",
            "reported",
            "CVE-2026-2222",
            "--stage",
            "notification",
        ],
    );
    assert_eq!(clocks("2026-12-05"), vec![]);
    // The final report: 14 days after the fix is available.
    ok(
        dir,
        &[
            "cra",
            "flag",
            "CVE-2026-2222",
            "--fix-available",
            "2026-12-10",
        ],
    );
    boundaries(
        dir,
        "cra-final-report",
        "2026-12-23",
        "2026-12-24",
        "2026-12-25",
    );
    ok(
        dir,
        &["cra", "reported", "CVE-2026-2222", "--stage", "final"],
    );
    assert_eq!(state(dir, "cra-final-report", "2026-12-25"), None);
    // Reporting what nobody flagged is refused.
    let out = tekigo(
        dir,
        &["cra", "reported", "CVE-2026-9999", "--stage", "final"],
    );
    assert_eq!(out.status.code(), Some(2));

    // KEV from the watch: awareness is when the watch first saw it; the same vulnerability
    // in two releases is one clock.
    write_watch(
        dir,
        r#"{"release":"1.0","vulnerability":"CVE-2026-3333","aliases":[],"component":"busybox@1.36.1",
            "first_seen":"2026-11-30T06:00:00Z","kev":true,"kev_date_added":"2026-11-29"},
           {"release":"2.0","vulnerability":"CVE-2026-3333","aliases":[],"component":"busybox@1.36.1",
            "first_seen":"2026-12-01T06:00:00Z","kev":true,"kev_date_added":"2026-11-29"}"#,
    );
    assert_eq!(
        early("2026-12-01"),
        vec![c("cra-early-warning", "2026-12-01T06:00:00Z", "due-soon")]
    );
    assert_eq!(
        early("2026-12-02"),
        vec![c("cra-early-warning", "2026-12-01T06:00:00Z", "overdue")]
    );
    // Triaged not_affected, the KEV finding starts no clock...
    ok(
        dir,
        &[
            "vex",
            "set",
            "busybox@1.36.1",
            "CVE-2026-3333",
            "--status",
            "not_affected",
            "--justification",
            "vulnerable_code_not_present",
            "--author",
            "sato",
        ],
    );
    assert_eq!(early("2026-12-02"), vec![]);
    // ...but a person's flag always does, and an earlier flag moves awareness earlier;
    // reporting a KEV finding needs no flag.
    ok(
        dir,
        &[
            "cra",
            "flag",
            "CVE-2026-3333",
            "--component",
            "busybox",
            "--aware-at",
            "2026-11-29T00:00:00Z",
        ],
    );
    assert_eq!(
        early("2026-11-30"),
        vec![c("cra-early-warning", "2026-11-30T00:00:00Z", "due-soon")]
    );
    ok(
        dir,
        &[
            "cra",
            "reported",
            "CVE-2026-3333",
            "--stage",
            "early-warning",
        ],
    );
    assert_eq!(early("2026-12-02"), vec![]);
    // The file a person reads.
    let text = std::fs::read_to_string(dir.join("cra/exploited.yaml")).unwrap();
    assert!(
        text.contains("early-warning:") && text.contains("fix_available: 2026-12-10"),
        "{text}"
    );
    // A hand edit that breaks it is named.
    edit(
        &dir.join("cra/exploited.yaml"),
        "fix_available: 2026-12-10",
        "fix_available: soon",
    );
    fails_naming(dir, &["upkeep"], "cra/exploited.yaml");
}

#[test]
fn stale_evidence_by_kind() {
    let p = project("en", "GW");
    let dir = p.path();
    std::fs::write(dir.join("pentest.pdf"), b"penetration test report").unwrap();
    ok(
        dir,
        &[
            "assess",
            "set",
            "A",
            "CR 1.1",
            "--status",
            "satisfied",
            "--reason",
            "tested",
            "--evidence",
            "pentest.pdf",
        ],
    );
    let config = dir.join("tekigo.yaml");
    append(&config, "freshness:\n  file: 1y\n  scan: 30d\n");
    // The evidence entered the project on 31 January 2026: current through 31 January 2027.
    let meta = std::fs::read_dir(dir.join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    let text = std::fs::read_to_string(&meta).unwrap();
    let added = text.lines().find(|l| l.starts_with("added:")).unwrap();
    edit(&meta, added, "added: 2026-01-31T09:00:00Z");
    boundaries(
        dir,
        "stale-evidence",
        "2027-01-30",
        "2027-01-31",
        "2027-02-01",
    );
    assert!(upkeep(dir, "2027-02-01", &[])
        .iter()
        .any(|i| i.1 == "A: CR 1.1" && i.2 == "2027-01-31"));
    // Today (the real clock), evidence from 2020 is stale in assess show and gaps --stale.
    edit(
        &meta,
        "added: 2026-01-31T09:00:00Z",
        "added: 2020-01-31T09:00:00Z",
    );
    let out = tekigo(dir, &["assess", "gaps", "A", "--stale", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let stale: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stale[0]["id"], "CR 1.1");
    assert_eq!(stale[0]["current_through"], "2021-01-31");
    assert_eq!(stale[0]["evidence"][0]["kind"], "file");
    let shown: Value =
        serde_json::from_slice(&ok(dir, &["assess", "show", "A", "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(shown["stale"][0]["id"], "CR 1.1");
    let table = stdout(&tekigo(
        dir,
        &["--lang", "ja", "assess", "gaps", "A", "--stale"],
    ));
    assert!(table.contains("古くなったエビデンス"), "{table}");
    edit(
        &meta,
        "added: 2020-01-31T09:00:00Z",
        "added: 2026-01-31T09:00:00Z",
    );
    // Only scans have a limit: a file is never stale.
    edit(&config, "  file: 1y\n", "");
    assert_eq!(state(dir, "stale-evidence", "2030-01-01"), None);
    // The default covers kinds without their own entry.
    append(&config, "  default: 6m\n");
    boundaries(
        dir,
        "stale-evidence",
        "2026-07-30",
        "2026-07-31",
        "2026-08-01",
    );
    // An unknown kind or age is refused with the field.
    edit(&config, "  default: 6m\n", "  pentest: 1y\n");
    fails_naming(dir, &["upkeep"], "freshness.pentest");
    edit(&config, "  pentest: 1y\n", "  file: soon\n");
    let out = tekigo(dir, &["upkeep"]);
    assert!(stderr(&out).contains("freshness.file"), "{}", stderr(&out));
}

#[test]
fn tables_in_japanese_and_a_calendar_to_subscribe_to() {
    let p = project("ja", "ゲートウェイ");
    let dir = p.path();
    add_cert(
        dir,
        "csa-1",
        "2026-01-01",
        "2026-12-31",
        &["--renewal-item", "年次報告@2026-12-01"],
    );
    ok(
        dir,
        &[
            "cra",
            "flag",
            "CVE-2026-2222",
            "--component",
            "gw-100",
            "--aware-at",
            "2026-12-01T10:00:00Z",
        ],
    );
    let out = tekigo(dir, &["upkeep", "--today", "2026-12-03"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for want in [
        "期限超過",
        "期限間近",
        "認証の有効期限",
        "CRA 早期警告",
        "第14条(2)(a)",
        "ルール",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // Nothing due: exit 0 and a sentence saying so.
    let out = tekigo(dir, &["upkeep", "--today", "2026-01-02", "--within", "1"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("期限超過のものもありません"),
        "{}",
        stdout(&out)
    );

    let out = tekigo(
        dir,
        &["upkeep", "--today", "2026-12-03", "--format", "ical"],
    );
    assert_eq!(out.status.code(), Some(1));
    let ics = String::from_utf8(out.stdout).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "a bare LF");
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    let unfolded = ics.replace("\r\n ", "");
    let events: Vec<&str> = unfolded.split("BEGIN:VEVENT\r\n").skip(1).collect();
    assert_eq!(events.len(), 4, "{unfolded}"); // expiry, renewal item, 24 h, 72 h
    let mut uids = std::collections::BTreeSet::new();
    for e in &events {
        let prop = |name: &str| {
            e.lines()
                .find(|l| l.starts_with(name))
                .unwrap_or_else(|| panic!("{name} missing in {e}"))
        };
        assert!(uids.insert(prop("UID:").to_string()));
        assert_eq!(prop("DTSTAMP:"), "DTSTAMP:20261203T000000Z");
        prop("DTSTART");
        prop("SUMMARY:");
    }
    assert!(unfolded.contains("DTSTART;VALUE=DATE:20261231"));
    assert!(unfolded.contains("DTSTART:20261202T100000Z"));
    // The same items on another day keep their UIDs, so a calendar updates them.
    let again = stdout(&tekigo(
        dir,
        &["upkeep", "--today", "2026-12-04", "--format", "ical"],
    ))
    .replace("\r\n ", "");
    for uid in &uids {
        assert!(again.contains(uid.as_str()), "{uid}");
    }
    // Written to a file with -o.
    tekigo(
        dir,
        &[
            "upkeep",
            "--today",
            "2026-12-03",
            "--format",
            "ical",
            "-o",
            "upkeep.ics",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("upkeep.ics")).unwrap(),
        ics
    );
}
