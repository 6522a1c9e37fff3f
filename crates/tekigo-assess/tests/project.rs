//! A project on disk: files, evidence, the Excel round trip, scan import, hand edits.

use std::path::Path;
use tekigo_assess::edit::{
    new_assessment, requirement_id, set_answer, AnswerUpdate, NewAssessment,
};
use tekigo_assess::project::{Component, Product};
use tekigo_assess::{
    scan_import, sheet, EvidenceRef, Origin, Project, ProjectConfig, Review, ReviewPolicy, Status,
};
use tekigo_catalog::{Catalog, ComponentType, Lang, SlVector};

fn catalog() -> &'static Catalog {
    Catalog::builtin().unwrap()
}

fn project(dir: &Path) -> Project {
    Project::init(
        dir,
        ProjectConfig {
            format: 1,
            product: Product {
                name: "Gateway".into(),
                vendor: None,
                version: None,
                description: None,
                support_until: None,
            },
            components: vec![Component::new("gw", ComponentType::Embedded, Some("1.0"))],
            standards: vec!["62443-4-2".into()],
            language: Lang::Ja,
            report: Default::default(),
            review: Default::default(),
            freshness: Default::default(),
            upkeep: Default::default(),
        },
    )
    .unwrap()
}

fn new_42(p: &Project) -> tekigo_assess::Assessment {
    let a = new_assessment(
        catalog(),
        NewAssessment {
            id: "A".into(),
            standard: "62443-4-2".into(),
            subject: "gw".into(),
            component_type: Some(ComponentType::Embedded),
            version: None,
            target_sl: Some(SlVector::uniform(2)),
            target_ml: None,
        },
    )
    .unwrap();
    p.save_assessment(catalog(), &a).unwrap();
    a
}

fn update(status: Status, reason: &str) -> AnswerUpdate {
    AnswerUpdate {
        status: Some(status),
        reason: Some(reason.into()),
        date: "2026-11-23".into(),
        assessor: Some("sato".into()),
        ..Default::default()
    }
}

#[test]
fn answers_round_trip_through_the_file_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut a = new_42(&p);
    let file = dir.path().join("sshd_config");
    std::fs::write(&file, "PermitRootLogin no\n").unwrap();
    let stored = p.evidence().add_file(&file).unwrap();
    // The same bytes under another name are stored once, with both names.
    let copy = dir.path().join("copy.txt");
    std::fs::write(&copy, "PermitRootLogin no\n").unwrap();
    assert_eq!(p.evidence().add_file(&copy).unwrap().sha256, stored.sha256);
    assert_eq!(
        p.evidence().meta(&stored.sha256).unwrap().unwrap().names,
        ["sshd_config", "copy.txt"]
    );

    let id = requirement_id(catalog(), &a, "cr1.1").unwrap();
    let mut u = update(Status::Satisfied, "PAM による認証");
    u.evidence = vec![EvidenceRef::File {
        sha256: stored.sha256.clone(),
        name: "sshd_config".into(),
    }];
    set_answer(&mut a, &id, u).unwrap();
    p.save_assessment(catalog(), &a).unwrap();
    let loaded = p.load_assessment(catalog(), "A").unwrap();
    assert_eq!(loaded, a);
    assert!(p.evidence().verify(&stored.sha256).unwrap());

    // A stored file that changes no longer verifies.
    std::fs::write(
        p.evidence().path_of(&stored.sha256).unwrap(),
        "PermitRootLogin yes\n",
    )
    .unwrap();
    assert!(!p.evidence().verify(&stored.sha256).unwrap());
}

#[test]
fn ids_are_checked_against_the_standard_and_the_component_type() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let a = new_42(&p);
    assert_eq!(
        requirement_id(catalog(), &a, "CR 1.1 RE(1)").unwrap(),
        "CR 1.1 RE(1)"
    );
    let e = requirement_id(catalog(), &a, "CR 2.13").unwrap_err();
    assert!(e.message.contains("EDR 2.13"), "{e}");
    assert!(requirement_id(catalog(), &a, "SAR 2.4")
        .unwrap_err()
        .message
        .contains("no requirement"));
    assert!(requirement_id(catalog(), &a, "SR 1.1")
        .unwrap_err()
        .message
        .contains("62443-3-3"));
    assert!(requirement_id(catalog(), &a, "CR 99.1").is_err());
    // Ids that would name a path outside assessments/ are refused.
    for bad in ["../x", ".hidden", "a/b", ""] {
        assert!(p.assessment_path(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_hand_edited_file_with_problems_is_refused_with_every_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut a = new_42(&p);
    set_answer(&mut a, "CR 1.1", update(Status::Satisfied, "ok")).unwrap();
    p.save_assessment(catalog(), &a).unwrap();
    let path = p.assessment_path("A").unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replace(
        "  CR 1.1:\n",
        "  CR 1.1:\n    status: satisfied\n    reason: ok\n    date: 2026-13-40\n  CR 2.13:\n",
    );
    std::fs::write(
        &path,
        broken.replacen(
            "    status: satisfied\n    reason: ok\n    date: 2026-11-23\n",
            "",
            1,
        ),
    )
    .unwrap();
    let err = p.load_assessment(catalog(), "A").unwrap_err().to_string();
    assert!(err.contains("A.yaml:"), "{err}");
    assert!(err.contains("2026-13-40"), "{err}");
    assert!(err.contains("CR 2.13") && err.contains("EDR 2.13"), "{err}");

    // A not-applicable answer without justification cannot be saved.
    let mut a = a.clone();
    set_answer(&mut a, "CR 1.2", update(Status::NotApplicable, "")).unwrap();
    let err = p.save_assessment(catalog(), &a).unwrap_err().to_string();
    assert!(err.contains("justification"), "{err}");
    // ...and nothing was written: the broken file from above is still there.
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("2026-13-40"));
}

#[test]
fn review_needs_a_second_person_and_an_edit_returns_to_draft() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut a = new_42(&p);
    set_answer(&mut a, "CR 1.1", update(Status::Satisfied, "ok")).unwrap();
    let own = AnswerUpdate {
        reviewed_by: Some("sato".into()),
        date: "2026-11-23".into(),
        ..Default::default()
    };
    assert!(set_answer(&mut a, "CR 1.1", own).is_err());
    let other = AnswerUpdate {
        reviewed_by: Some("suzuki".into()),
        date: "2026-11-23".into(),
        ..Default::default()
    };
    set_answer(&mut a, "CR 1.1", other).unwrap();
    assert_eq!(a.answers["CR 1.1"].review, Review::Reviewed);
    set_answer(&mut a, "CR 1.1", update(Status::Partial, "changed")).unwrap();
    assert_eq!(a.answers["CR 1.1"].review, Review::Draft);
    assert_eq!(a.answers["CR 1.1"].reviewer, None);
}

fn workbook_cells(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::Reader;
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (n, rows)
        })
        .collect()
}

/// Writes a workbook with the given cells (as calamine read them), so a test can "edit in
/// Excel" without Excel.
fn workbook_from(cells: &[(String, Vec<Vec<String>>)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in cells {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write(r as u32, c as u16, v.as_str()).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn edit_cell(
    cells: &mut [(String, Vec<Vec<String>>)],
    sheet: &str,
    id: &str,
    col: usize,
    value: &str,
) {
    let (_, rows) = cells.iter_mut().find(|(n, _)| n == sheet).unwrap();
    let row = rows
        .iter_mut()
        .find(|r| r.get(1).map(String::as_str) == Some(id))
        .unwrap();
    while row.len() <= col {
        row.push(String::new());
    }
    row[col] = value.into();
}

#[test]
fn excel_round_trip_keeps_everything_and_applies_edits() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut a = new_42(&p);
    let file = dir.path().join("audit.rules");
    std::fs::write(&file, "-w /etc/shadow -p wa\n").unwrap();
    let sha = p.evidence().add_file(&file).unwrap().sha256;
    let mut u = update(Status::Satisfied, "監査ルールあり\n二行目");
    u.evidence = vec![
        EvidenceRef::File {
            sha256: sha.clone(),
            name: "audit.rules".into(),
        },
        EvidenceRef::Url {
            url: "https://example.com/doc".into(),
        },
    ];
    u.finding = Some(tekigo_assess::Finding {
        issue: "ログ保存期間".into(),
        impact: "中".into(),
        recommendation: "90日".into(),
        due: Some("2027-01-31".into()),
    });
    set_answer(&mut a, "CR 2.8", u).unwrap();
    let mut c = update(Status::Compensating, "外部FW");
    c.countermeasure = Some("上位のファイアウォール".into());
    set_answer(&mut a, "CR 1.2", c).unwrap();
    a.answers.get_mut("CR 1.2").unwrap().origin = Origin::Scan;
    a.answers
        .get_mut("CR 1.2")
        .unwrap()
        .evidence
        .push(EvidenceRef::Scan {
            check: "ssh-root".into(),
            verdict: "pass".into(),
            sha256: sha.clone(),
            details: vec!["/etc/ssh/sshd_config:3: PermitRootLogin no".into()],
        });
    p.save_assessment(catalog(), &a).unwrap();
    let standard = catalog().standard("62443-4-2").unwrap();

    // Unchanged: nothing changes.
    let bytes = sheet::export(standard, &a, ReviewPolicy::Optional).unwrap();
    let (same, summary) =
        sheet::import(standard, &a, &p.evidence(), Path::new("A.xlsx"), &bytes).unwrap();
    assert_eq!(same, a);
    assert_eq!(summary, Default::default());

    // A workbook rewritten cell by cell (as another program would save it) still round-trips.
    let mut cells = workbook_cells(&bytes);
    let (same, _) = sheet::import(
        standard,
        &a,
        &p.evidence(),
        Path::new("A.xlsx"),
        &workbook_from(&cells),
    )
    .unwrap();
    assert_eq!(same, a);

    // Edits show up: a new answer by check mark only, a changed reason, a removed finding.
    edit_cell(&mut cells, "FR 1 IAC", "CR 1.3", 4, "✓");
    edit_cell(&mut cells, "FR 2 UC", "CR 2.8", 7, "変更後の理由");
    cells
        .iter_mut()
        .find(|(n, _)| n.starts_with("Findings"))
        .unwrap()
        .1
        .truncate(1);
    let (next, summary) = sheet::import(
        standard,
        &a,
        &p.evidence(),
        Path::new("A.xlsx"),
        &workbook_from(&cells),
    )
    .unwrap();
    assert_eq!(summary.added, ["CR 1.3"]);
    assert_eq!(summary.changed, ["CR 2.8"]);
    assert_eq!(next.answers["CR 1.3"].status, Status::Satisfied);
    assert_eq!(next.answers["CR 2.8"].reason, "変更後の理由");
    assert!(next.answers["CR 2.8"].findings.is_empty());

    // A broken sheet: every problem with its sheet and row, and nothing applied.
    let mut broken = workbook_cells(&bytes);
    edit_cell(&mut broken, "FR 1 IAC", "CR 1.1", 2, "勝手に変えた");
    edit_cell(&mut broken, "FR 1 IAC", "CR 1.4", 5, "done");
    edit_cell(&mut broken, "FR 2 UC", "CR 2.8", 11, "yesterday");
    edit_cell(
        &mut broken,
        "FR 2 UC",
        "CR 2.8",
        9,
        "file:0000000000000000000000000000000000000000000000000000000000000000 gone.txt",
    );
    edit_cell(&mut broken, "FR 1 IAC", "CR 1.5", 1, "CR 42.1");
    // The same requirement answered twice, differently.
    let (_, rows) = broken.iter_mut().find(|(n, _)| n == "FR 1 IAC").unwrap();
    let mut dup = rows
        .iter()
        .find(|r| r.get(1).map(String::as_str) == Some("CR 1.2"))
        .unwrap()
        .clone();
    dup[5] = "not-satisfied".into();
    dup[4] = String::new();
    rows.push(dup);
    let problems = sheet::import(
        standard,
        &a,
        &p.evidence(),
        Path::new("A.xlsx"),
        &workbook_from(&broken),
    )
    .unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("CR 1.1: fixed column \"要件\" was changed"),
        "{text:#?}"
    );
    assert!(has("CR 1.4: status \"done\""), "{text:#?}");
    assert!(has("date \"yesterday\"") || has("0000000000"), "{text:#?}");
    assert!(has("\"CR 42.1\" is not a requirement"), "{text:#?}");
    assert!(has("CR 1.2 is answered differently on row"), "{text:#?}");
    assert!(
        text.iter()
            .all(|t| t.starts_with("A.xlsx:") && t.contains("sheet \"")),
        "{text:#?}"
    );

    // A workbook of another assessment is refused before any row is read.
    let mut other = a.clone();
    other.id = "B".into();
    let problems =
        sheet::import(standard, &other, &p.evidence(), Path::new("A.xlsx"), &bytes).unwrap_err();
    assert!(problems[0].message.contains("\"A\""), "{problems:?}");
}

const SCAN: &str = r#"{
  "schema_version": "1",
  "results": [
    {"check": "ssh-permit-root-login", "requirements": ["CR 1.1", "CR 2.1"], "verdict": "pass",
     "evidence": [{"path": "/etc/ssh/sshd_config", "sha256": "ab12000000000000000000000000000000000000000000000000000000000000", "lines": [{"number": 3, "text": "PermitRootLogin no"}]}]},
    {"check": "pam-nullok", "requirements": ["CR 1.1"], "verdict": "fail", "title": {"en": "PAM refuses empty passwords", "ja": "PAM が空パスワードを拒否"}, "explanation": {"en": "nullok allows empty passwords", "ja": "空パスワード"}},
    {"check": "auditd", "requirements": ["CR 2.8"], "verdict": "unreadable"},
    {"check": "secure-boot", "requirements": ["EDR 3.14", "HDR 3.14", "CR 3.14"], "verdict": "absent"},
    {"check": "ntp", "requirements": ["CR 2.11"], "verdict": "pass"}
  ]
}"#;

#[test]
fn scan_import_suggests_and_never_overwrites_a_person_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut a = new_42(&p);
    set_answer(
        &mut a,
        "CR 2.11",
        update(Status::NotSatisfied, "手動で確認した"),
    )
    .unwrap();
    let report = scan_import::parse(SCAN.as_bytes()).unwrap();
    let sha = p
        .evidence()
        .add_bytes("scan.json", SCAN.as_bytes())
        .unwrap()
        .sha256;
    let s = scan_import::apply(catalog(), &mut a, &report, &sha, false, "2026-11-23");
    assert_eq!(s.suggested, ["CR 1.1", "CR 2.1", "EDR 3.14"]);
    assert_eq!(s.kept, ["CR 2.11"]);
    // HDR 3.14 binds host devices, CR 3.14 defers to the component rows; CR 2.8 was unreadable.
    let skipped: Vec<&str> = s.skipped.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(skipped, ["HDR 3.14", "CR 3.14", "CR 2.8"]);
    // One failing check outweighs a passing one.
    assert_eq!(a.answers["CR 1.1"].status, Status::NotSatisfied);
    assert_eq!(a.answers["CR 1.1"].origin, Origin::Scan);
    // The reason is a sentence from the check's title and verdict.
    assert!(
        a.answers["CR 1.1"]
            .reason
            .contains("“PAM refuses empty passwords”: not met."),
        "{}",
        a.answers["CR 1.1"].reason
    );
    assert_eq!(a.answers["CR 2.1"].status, Status::Satisfied);
    assert_eq!(a.answers["EDR 3.14"].status, Status::NotSatisfied);
    assert_eq!(a.answers["CR 2.11"].reason, "手動で確認した");
    let EvidenceRef::Scan { details, .. } = &a.answers["CR 2.1"].evidence[0] else {
        panic!("scan evidence")
    };
    assert_eq!(
        details,
        &["/etc/ssh/sshd_config | sha256:ab12000000000000 | 3: PermitRootLogin no"]
    );
    p.save_assessment(catalog(), &a).unwrap();

    let s = scan_import::apply(catalog(), &mut a, &report, &sha, true, "2026-11-23");
    assert!(s.kept.is_empty());
    assert_eq!(a.answers["CR 2.11"].status, Status::Satisfied);

    let err = scan_import::parse(br#"{"schema_version": 1, "results": [{"check": "x", "requirements": [], "verdict": "maybe"}]}"#).unwrap_err();
    assert!(err.contains("maybe"), "{err}");
    let err = scan_import::parse(b"{\n  \"results\": 3\n}").unwrap_err();
    assert!(err.contains("line 2"), "{err}");
}

/// The fields a report prints from tekigo.yaml: kept through a save and a load, and every
/// bad value named by file, field and line.
#[test]
fn report_fields_of_tekigo_yaml_are_kept_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/gateway/tekigo.yaml");
    let good = std::fs::read_to_string(&example).unwrap();
    std::fs::write(dir.path().join("tekigo.yaml"), &good).unwrap();
    let p = Project::open(dir.path()).unwrap();
    let gw = p.component("gw-100").unwrap();
    assert_eq!(gw.interfaces.len(), 3);
    assert_eq!(
        gw.hardware_version.as_deref(),
        Some("GW-100 rev C (no radio)")
    );
    assert!(gw.assumptions.len() >= 3);
    let r = &p.config.report;
    assert_eq!(r.document_id.as_deref(), Some("EXD-GW100-SEC-0042"));
    assert_eq!(r.approvals.len(), 3);
    assert_eq!(r.approvals[2].date, None);
    // Saved again (as `tekigo init` and the server write it) and read back: the same.
    let again = tempfile::tempdir().unwrap();
    Project::init(again.path(), p.config.clone()).unwrap();
    assert_eq!(Project::open(again.path()).unwrap().config, p.config);

    let broken = |from: &str, to: &str| {
        assert!(good.contains(from), "{from}");
        std::fs::write(dir.path().join("tekigo.yaml"), good.replacen(from, to, 1)).unwrap();
        let err = Project::open(dir.path()).unwrap_err().to_string();
        let line = good
            .lines()
            .position(|l| l.contains(from.lines().next().unwrap()))
            .unwrap()
            + 1;
        (err, line)
    };
    let (err, line) = broken("date: 2026-11-24", "date: 2026-02-30");
    assert!(err.contains("tekigo.yaml"), "{err}");
    assert!(
        err.contains(&format!(":{line}:")) || err.contains(&format!("line {line}")),
        "{err}"
    );
    assert!(
        err.contains("report.approvals[1].date") && err.contains("no day 30"),
        "{err}"
    );
    let (err, _) = broken("document_id: EXD-GW100-SEC-0042", "document_id: \"A\\nB\"");
    assert!(
        err.contains("report.document_id: must be one line"),
        "{err}"
    );
    let (err, _) = broken(
        "    version: \"1.1\"",
        "    version: \"1.1\"\n    sha256: abc",
    );
    assert!(
        err.contains("report.references[1].sha256") && err.contains("\"abc\""),
        "{err}"
    );
    let (err, _) = broken(
        "  - Time is synchronised",
        "  - \"\"\n  - Time is synchronised",
    );
    assert!(
        err.contains("components[0].assumptions[2]: is empty"),
        "{err}"
    );
    let (err, _) = broken("  hardware_version:", "  hardware_revision:");
    assert!(err.contains("hardware_revision"), "{err}");
    let (err, _) = broken(
        "  classification:",
        "  process_assessment: ../x\n  classification:",
    );
    assert!(err.contains("report.process_assessment"), "{err}");
}

/// The workbook's summary sheet holds the levels and counts `results` computes, as numbers,
/// and an edited workbook with it is still imported.
#[test]
fn the_workbook_summary_sheet_holds_the_levels_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut a = new_42(&p);
    let standard = catalog().standard("62443-4-2").unwrap();
    // Every FR-1 requirement at SL 1 met: IAC reaches at least 1, the others stay at 0.
    let ids: Vec<String> = tekigo_assess::results::rows(standard, &a)
        .iter()
        .filter(|r| r.item.fr.is_some_and(|f| f.number() == 1) && r.item.min_sl == Some(1))
        .map(|r| r.item.id.clone())
        .collect();
    for id in ids {
        set_answer(&mut a, &id, update(Status::Satisfied, "ok")).unwrap();
    }
    let results = tekigo_assess::compute(standard, &a);
    let achieved = results.achieved.unwrap();
    assert!(achieved[0] >= 1);
    let bytes = sheet::export(standard, &a, ReviewPolicy::Optional).unwrap();
    let cells = workbook_cells(&bytes);
    assert_eq!(
        cells[1].0, "Summary 概要",
        "the summary is the second sheet"
    );
    let rows = &cells[1].1;
    let header = rows
        .iter()
        .find(|r| r.first().map(String::as_str) == Some("FR"))
        .unwrap();
    let col = |name: &str| header.iter().position(|h| h.starts_with(name)).unwrap();
    let (t, c) = (col("Target"), col("Claimed"));
    for (i, fr) in ["FR 1", "FR 2", "FR 3", "FR 4", "FR 5", "FR 6", "FR 7"]
        .iter()
        .enumerate()
    {
        let row = rows
            .iter()
            .find(|r| {
                r.first()
                    .is_some_and(|x| x.starts_with(fr) || x.contains(&results.frs[i].fr))
            })
            .unwrap_or_else(|| panic!("no row for {fr}"));
        assert_eq!(row[t], results.target.unwrap()[i].to_string());
        assert_eq!(row[c], achieved[i].to_string(), "{fr}");
    }
    let count = |label: &str| {
        rows.iter()
            .find(|r| r.first().is_some_and(|x| x.starts_with(label)))
            .map(|r| r[1].clone())
            .unwrap()
    };
    assert_eq!(
        count("Requirements in scope"),
        results.progress.in_scope.to_string()
    );
    assert_eq!(count("Met "), results.progress.met.to_string());
    assert_eq!(count("Gaps"), results.gaps.len().to_string());
    // Under `review: required` the summary claims what the report claims: unreviewed
    // answers do not count.
    let required = tekigo_assess::compute_with(standard, &a, ReviewPolicy::Required);
    assert_ne!(
        required.achieved, results.achieved,
        "the rule changes this case"
    );
    let strict = workbook_cells(&sheet::export(standard, &a, ReviewPolicy::Required).unwrap());
    let claimed_fr1 = strict[1]
        .1
        .iter()
        .find(|r| r.first().is_some_and(|x| x.starts_with("FR 1")))
        .map(|r| r[c].clone())
        .unwrap();
    assert_eq!(claimed_fr1, required.achieved.unwrap()[0].to_string());
    // Imported back unchanged, summary sheet and all.
    let (same, summary) =
        sheet::import(standard, &a, &p.evidence(), Path::new("A.xlsx"), &bytes).unwrap();
    assert_eq!(same, a);
    assert!(summary.changed.is_empty() && summary.added.is_empty());
}
