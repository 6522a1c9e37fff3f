//! The assessment as an Excel workbook in the shape of seed 004, and back.
//!
//! Suppliers and certification bodies work in Excel; tekigo meets them there without
//! letting the sheet become the record. Export writes one sheet per FR (per practice or
//! SPE for maturity standards) with one row per requirement and level, the fixed columns
//! (SL, ID, titles) greyed, and a `Findings` sheet. Import reads the workbook back and
//! refuses it, row by row, if an id is unknown, a fixed column was edited, a status or date
//! does not parse, evidence is not in the store, or two rows answer one requirement
//! differently. An import applies as a whole or not at all.

use crate::assessment::{Answer, Assessment, EvidenceRef, Finding, Origin, Review, Status, Target};
use crate::evidence::{is_sha256, EvidenceStore};
use crate::results::{rows, Row};
use crate::{problem, Problem};
use rust_xlsxwriter::{DataValidation, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use std::collections::BTreeMap;
use std::path::Path;
use tekigo_catalog::{Lang, LevelScheme, Standard};
use tekigo_export::{sheet_name, write_summary, Summary, SummaryCell};

const ABOUT_SHEET: &str = "tekigo";
const SUMMARY_SHEET: &str = "Summary 概要";
const FINDINGS_SHEET: &str = "Findings 所見";
const MARKER: &str = "tekigo assessment";

/// Columns of a requirement sheet: header text and width. Import finds them by header.
const COLUMNS: [(&str, f64); 15] = [
    ("SL", 5.0),
    ("ID", 16.0),
    ("要件", 30.0),
    ("Requirement", 30.0),
    ("✓", 4.0),
    ("Status 状態", 16.0),
    ("Maturity 成熟度", 10.0),
    ("Reason 選択理由", 40.0),
    ("Countermeasure 補償対策", 30.0),
    ("Evidence エビデンス", 40.0),
    ("Assessor 評価者", 14.0),
    ("Date 日付", 12.0),
    ("Review レビュー", 11.0),
    ("Reviewer レビュー者", 14.0),
    ("Origin 由来", 9.0),
];
const FIXED: usize = 4; // SL, ID, 要件, Requirement
const C_CHECK: usize = 4;
const C_STATUS: usize = 5;
const C_MATURITY: usize = 6;
const C_REASON: usize = 7;
const C_COUNTER: usize = 8;
const C_EVIDENCE: usize = 9;
const C_ASSESSOR: usize = 10;
const C_DATE: usize = 11;
const C_REVIEW: usize = 12;
const C_REVIEWER: usize = 13;
const C_ORIGIN: usize = 14;
const FINDING_COLUMNS: [(&str, f64); 5] = [
    ("ID", 16.0),
    ("Issue 問題", 40.0),
    ("Impact 影響", 30.0),
    ("Recommendation 推奨", 40.0),
    ("Due 期限", 12.0),
];
const CHECK: &str = "✓";

/// The sheet a requirement row belongs on.
fn group_of(standard: &Standard, row: &Row) -> String {
    match (standard.info.levels, row.item.fr) {
        (LevelScheme::Security, Some(fr)) => fr.label(),
        (LevelScheme::Maturity, _) => {
            let mut id = row.item.id.as_str();
            while let Some(p) = standard.item(id).and_then(|i| i.parent.as_deref()) {
                id = p;
            }
            id.to_string()
        }
        _ => "Requirements".to_string(),
    }
}

/// Writes the workbook of an assessment. Its summary's levels follow the project's review
/// rule (`review:` in tekigo.yaml), as the report's and `assess show`'s do.
pub fn export(
    standard: &Standard,
    a: &Assessment,
    policy: crate::results::ReviewPolicy,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    write_about(book.add_worksheet(), standard, a)?;
    let summary = book.add_worksheet();
    summary.set_name(SUMMARY_SHEET)?;
    write_summary(summary, &summary_of(standard, a, policy))?;
    let all = rows(standard, a);
    let mut groups: Vec<(String, Vec<&Row>)> = Vec::new();
    for row in &all {
        let g = group_of(standard, row);
        match groups.iter_mut().find(|(k, _)| *k == g) {
            Some((_, list)) => list.push(row),
            None => groups.push((g, vec![row])),
        }
    }
    for (name, rows) in &groups {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(name))?;
        write_requirements(sheet, standard, name, rows)?;
    }
    write_findings(book.add_worksheet(), &all)?;
    book.save_to_buffer()
}

/// The levels and counts of [`crate::results`], for the summary sheet. One column per
/// level vector the results carry: the claimed level today.
fn summary_of(
    standard: &Standard,
    a: &Assessment,
    policy: crate::results::ReviewPolicy,
) -> Summary<'static> {
    use SummaryCell::{Number, Text};
    let r = crate::results::compute_with(standard, a, policy);
    let n = |v: usize| Number(v as f64);
    let level = |l: u8| Number(f64::from(l));
    let (columns, rows) = match (r.target, r.achieved) {
        (Some(_), Some(_)) => {
            let vectors = [
                ("Claimed 主張 (SL-C/SL-A)", r.achieved),
                ("Projected 見込み", r.projected),
                ("With compensating 補償対策込み", r.with_compensating),
            ];
            let vectors: Vec<_> = vectors.into_iter().filter(|(_, v)| v.is_some()).collect();
            let mut columns = vec!["FR".to_string(), "Target 目標 (SL-T)".to_string()];
            columns.extend(vectors.iter().map(|(h, _)| h.to_string()));
            columns.extend(["Met / in scope 充足/対象", "Compensating 補償対策"].map(String::from));
            let rows = r
                .frs
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let mut row = vec![Text(f.fr.clone()), level(f.target)];
                    row.extend(vectors.iter().map(|(_, v)| level(v.map_or(0, |v| v[i]))));
                    row.push(Text(format!("{} / {}", f.met, f.in_scope)));
                    row.push(n(f.compensating.len()));
                    row
                })
                .collect();
            (columns, rows)
        }
        _ => {
            let columns = [
                "Practice / element プラクティス/要素",
                "Target 目標 (ML)",
                "Achieved 達成 (ML)",
                "Met / requirements 充足/要件",
            ];
            let rows = r
                .groups
                .iter()
                .map(|g| {
                    vec![
                        Text(g.id.clone()),
                        r.target_ml.map_or(Text(String::new()), level),
                        level(g.achieved_ml),
                        Text(format!("{} / {}", g.met, g.requirements)),
                    ]
                })
                .collect();
            (columns.map(String::from).to_vec(), rows)
        }
    };
    let p = &r.progress;
    let counts = [
        ("Requirements in scope 対象要件数", n(p.in_scope)),
        ("Answered 回答済み", n(p.answered)),
        ("Met 充足", n(p.met)),
        ("Reviewed レビュー済み", n(p.reviewed)),
        ("Suggested by a scan スキャンによる提案", n(p.from_scan)),
        ("Gaps 未充足", n(r.gaps.len())),
        ("Met share (%) 充足率", Number(p.met_percent)),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec();
    Summary {
        title: "Summary 概要",
        columns,
        rows,
        counts,
    }
}

fn write_about(
    sheet: &mut Worksheet,
    standard: &Standard,
    a: &Assessment,
) -> Result<(), XlsxError> {
    sheet.set_name(ABOUT_SHEET)?;
    let bold = Format::new().set_bold();
    sheet.set_column_width(0, 22.0)?;
    sheet.set_column_width(1, 60.0)?;
    let target = match a.target {
        Target::SecurityLevels(v) => v.to_string(),
        Target::MaturityLevel(l) => format!("ML {l}"),
        Target::None => String::new(),
    };
    let lines = [
        (MARKER, "1".to_string()),
        ("id", a.id.clone()),
        ("standard", standard.info.id.clone()),
        ("subject", a.subject.name.clone()),
        (
            "type",
            a.subject
                .component_type
                .map(|t| t.name().to_string())
                .unwrap_or_default(),
        ),
        ("target", target),
        (
            "note",
            "Edit the white columns only. SL, ID and the titles are fixed; tekigo checks them on \
             import. 白い列だけを編集してください。SL・ID・要件名は固定です。"
                .to_string(),
        ),
    ];
    for (i, (k, v)) in lines.iter().enumerate() {
        sheet.write_with_format(i as u32, 0, *k, &bold)?;
        sheet.write(i as u32, 1, v.as_str())?;
    }
    Ok(())
}

fn write_requirements(
    sheet: &mut Worksheet,
    standard: &Standard,
    group: &str,
    rows: &[&Row],
) -> Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDE4EE");
    let fixed = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color("#EEEEEE");
    let open = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let maturity = standard.info.levels == LevelScheme::Maturity;
    sheet.write_with_format(0, 0, group, &Format::new().set_bold())?;
    let head = 1u32;
    for (col, (name, width)) in COLUMNS.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
        sheet.write_with_format(head, col as u16, *name, &header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = head + 1 + i as u32;
        let cells = cells_of(r, maturity);
        for (col, value) in cells.iter().enumerate() {
            let format = if col < FIXED { &fixed } else { &open };
            sheet.write_with_format(row, col as u16, value.as_str(), format)?;
        }
    }
    if !rows.is_empty() {
        let last = head + rows.len() as u32;
        let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        let v = DataValidation::new().allow_list_strings(&statuses)?;
        sheet.add_data_validation(head + 1, C_STATUS as u16, last, C_STATUS as u16, &v)?;
        sheet.autofilter(head, 0, last, COLUMNS.len() as u16 - 1)?;
    }
    sheet.set_freeze_panes(head + 1, 2)?;
    Ok(())
}

/// The text of every column of a requirement row, as export writes it and import expects it.
fn cells_of(r: &Row, maturity: bool) -> [String; 15] {
    let a = r.answer;
    let text = |f: &dyn Fn(&Answer) -> String| a.map(f).unwrap_or_default();
    [
        if maturity {
            String::new()
        } else {
            r.item.min_sl.map(|l| l.to_string()).unwrap_or_default()
        },
        r.item.id.clone(),
        r.item.title.get(Lang::Ja).to_string(),
        r.item.title.get(Lang::En).to_string(),
        text(&|a| {
            if a.status.is_met() {
                CHECK.into()
            } else {
                String::new()
            }
        }),
        text(&|a| a.status.as_str().into()),
        text(&|a| a.maturity.map(|m| m.to_string()).unwrap_or_default()),
        text(&|a| a.reason.clone()),
        text(&|a| a.countermeasure.clone().unwrap_or_default()),
        text(&|a| {
            a.evidence
                .iter()
                .map(evidence_text)
                .collect::<Vec<_>>()
                .join("\n")
        }),
        text(&|a| a.assessor.clone().unwrap_or_default()),
        text(&|a| a.date.clone()),
        text(&|a| match a.review {
            Review::Draft => "draft".into(),
            Review::Reviewed => "reviewed".into(),
        }),
        text(&|a| a.reviewer.clone().unwrap_or_default()),
        text(&|a| a.origin.as_str().into()),
    ]
}

fn write_findings(sheet: &mut Worksheet, rows: &[Row]) -> Result<(), XlsxError> {
    sheet.set_name(FINDINGS_SHEET)?;
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDE4EE");
    let wrap = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    for (col, (name, width)) in FINDING_COLUMNS.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
        sheet.write_with_format(0, col as u16, *name, &header)?;
    }
    let mut n = 1u32;
    for r in rows {
        for f in r.answer.map(|a| a.findings.as_slice()).unwrap_or_default() {
            let cells = [
                r.item.id.as_str(),
                &f.issue,
                &f.impact,
                &f.recommendation,
                f.due.as_deref().unwrap_or(""),
            ];
            for (col, v) in cells.iter().enumerate() {
                sheet.write_with_format(n, col as u16, *v, &wrap)?;
            }
            n += 1;
        }
    }
    Ok(())
}

/// One evidence reference as a line of the evidence cell. Scan details follow on lines that
/// start with two spaces.
fn evidence_text(e: &EvidenceRef) -> String {
    match e {
        EvidenceRef::File { sha256, name } => format!("file:{sha256} {name}"),
        EvidenceRef::Url { url } => url.clone(),
        EvidenceRef::Scan {
            check,
            verdict,
            sha256,
            details,
        } => {
            let mut s = format!("scan:{sha256} {check} = {verdict}");
            for d in details {
                s.push_str("\n  ");
                s.push_str(d);
            }
            s
        }
    }
}

fn parse_evidence(cell: &str) -> Result<Vec<EvidenceRef>, String> {
    let mut out: Vec<EvidenceRef> = Vec::new();
    for line in cell.lines() {
        if let Some(detail) = line.strip_prefix("  ") {
            match out.last_mut() {
                Some(EvidenceRef::Scan { details, .. }) => details.push(detail.to_string()),
                _ => return Err(format!("indented line {line:?} follows no scan result")),
            }
            continue;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("file:") {
            let (sha, name) = rest.split_once(' ').unwrap_or((rest, ""));
            if !is_sha256(sha) {
                return Err(format!("{sha:?} is not a SHA-256 (file:HASH NAME)"));
            }
            out.push(EvidenceRef::File {
                sha256: sha.into(),
                name: name.trim().into(),
            });
        } else if let Some(rest) = line.strip_prefix("scan:") {
            let parsed = rest.split_once(' ').and_then(|(sha, r)| {
                let (check, verdict) = r.split_once(" = ")?;
                Some((sha, check, verdict))
            });
            match parsed {
                Some((sha, check, verdict)) if is_sha256(sha) => out.push(EvidenceRef::Scan {
                    check: check.into(),
                    verdict: verdict.into(),
                    sha256: sha.into(),
                    details: Vec::new(),
                }),
                _ => return Err(format!("{line:?} is not `scan:HASH CHECK = VERDICT`")),
            }
        } else if line.starts_with("https://") || line.starts_with("http://") {
            out.push(EvidenceRef::Url { url: line.into() });
        } else {
            return Err(format!(
                "{line:?} is not evidence: write a URL, or add the file with `tekigo assess set --evidence` and use its file:HASH line"
            ));
        }
    }
    Ok(out)
}

/// What an import changed, for the person who ran it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

/// Reads an edited workbook back into a copy of the assessment. On any problem the
/// assessment is left untouched and every problem is returned with sheet and row.
pub fn import(
    standard: &Standard,
    current: &Assessment,
    store: &EvidenceStore,
    file: &Path,
    bytes: &[u8],
) -> Result<(Assessment, ImportSummary), Vec<Problem>> {
    let book = tekigo_workbook::read_workbook(&file.display().to_string(), bytes)
        .map_err(|e| vec![problem(file, e.line, e.message)])?;
    let mut problems = Vec::new();
    let at = |sheet: &str, row: usize, msg: String| {
        problem(file, Some(row), format!("sheet {sheet:?} row {row}: {msg}"))
    };

    // The about sheet says which assessment this workbook belongs to.
    match book.sheet(ABOUT_SHEET) {
        Some(about) => {
            let value = |key: &str| {
                about
                    .rows
                    .iter()
                    .find(|r| r.get(0) == key)
                    .map(|r| r.get(1).to_string())
            };
            if value(MARKER).is_none() {
                problems.push(problem(file, None, format!("sheet {ABOUT_SHEET:?} lacks the {MARKER:?} marker")));
            }
            for (key, expected) in [("id", &current.id), ("standard", &standard.info.id)] {
                if value(key).as_deref() != Some(expected.as_str()) {
                    problems.push(problem(
                        file,
                        None,
                        format!(
                            "the workbook's {key} is {:?}, this assessment's is {expected:?}",
                            value(key).unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        None => problems.push(problem(
            file,
            None,
            format!("no sheet {ABOUT_SHEET:?}: export the workbook with `tekigo report ID --format xlsx`"),
        )),
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let expected: BTreeMap<&str, Row> = rows(standard, current)
        .into_iter()
        .map(|r| (r.item.id.as_str(), r))
        .collect();
    let maturity = standard.info.levels == LevelScheme::Maturity;
    let mut answers: BTreeMap<String, Answer> = BTreeMap::new();
    let mut seen: BTreeMap<String, (String, usize)> = BTreeMap::new();

    for sheet in &book.sheets {
        let name = &sheet.name;
        if name == ABOUT_SHEET || name == FINDINGS_SHEET || name == SUMMARY_SHEET {
            continue;
        }
        let mut columns: Option<Vec<usize>> = None;
        for cells in &sheet.rows {
            let row_no = cells.number;
            let text = &cells.cells;
            let Some(cols) = &columns else {
                if text.iter().any(|t| t == "ID") {
                    match header_columns(text) {
                        Ok(c) => columns = Some(c),
                        Err(missing) => {
                            problems.push(at(
                                name,
                                row_no,
                                format!("header lacks column {missing:?}"),
                            ));
                            break;
                        }
                    }
                }
                continue;
            };
            let get = |c: usize| text.get(cols[c]).map(|s| s.trim()).unwrap_or("");
            let id = get(1);
            let Some(row) = expected.get(id) else {
                problems.push(at(
                    name,
                    row_no,
                    format!("{id:?} is not a requirement of this assessment"),
                ));
                continue;
            };
            let fixed = cells_of(row, maturity);
            for c in 0..FIXED {
                if get(c) != fixed[c].trim() {
                    problems.push(at(
                        name,
                        row_no,
                        format!(
                            "{id}: fixed column {:?} was changed from {:?} to {:?}",
                            COLUMNS[c].0,
                            fixed[c],
                            get(c)
                        ),
                    ));
                }
            }
            match answer_from_row(&get, row.answer, store) {
                Ok(None) => {}
                Ok(Some(answer)) => {
                    let rendered = cells_of(
                        &Row {
                            answer: Some(&answer),
                            ..*row
                        },
                        maturity,
                    );
                    let key = rendered[FIXED..].join("\u{1f}");
                    match seen.get(id) {
                        Some((other, prev_row)) if *other != key => problems.push(at(
                            name,
                            row_no,
                            format!("{id} is answered differently on row {prev_row}"),
                        )),
                        Some(_) => {}
                        None => {
                            seen.insert(id.to_string(), (key, row_no));
                            answers.insert(id.to_string(), answer);
                        }
                    }
                }
                Err(msg) => problems.push(at(name, row_no, format!("{id}: {msg}"))),
            }
        }
        if columns.is_none() && !sheet.rows.is_empty() {
            problems.push(problem(
                file,
                None,
                format!("sheet {name:?} has no header row with an ID column"),
            ));
        }
    }

    // Findings: the sheet holds all of them; absent from the sheet means removed.
    if let Some(findings) = book.sheet(FINDINGS_SHEET) {
        let mut found: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
        for row in findings.rows.iter().filter(|r| r.number > 1) {
            let row_no = row.number;
            let get = |c: usize| row.get(c).to_string();
            let id = get(0);
            if !answers.contains_key(&id) {
                problems.push(at(
                    FINDINGS_SHEET,
                    row_no,
                    format!("finding for {id:?}, which has no answer"),
                ));
                continue;
            }
            let due = Some(get(4)).filter(|d| !d.is_empty());
            if let Some(e) = due.as_deref().and_then(crate::date_error) {
                problems.push(at(FINDINGS_SHEET, row_no, format!("due date {e}")));
            }
            found.entry(id).or_default().push(Finding {
                issue: get(1),
                impact: get(2),
                recommendation: get(3),
                due,
            });
        }
        for (id, a) in answers.iter_mut() {
            a.findings = found.remove(id).unwrap_or_default();
        }
    } else {
        problems.push(problem(file, None, format!("no sheet {FINDINGS_SHEET:?}")));
    }

    if !problems.is_empty() {
        return Err(problems);
    }

    let mut summary = ImportSummary::default();
    let mut next = current.clone();
    for (id, mut answer) in answers {
        match current.answers.get(&id) {
            None => summary.added.push(id.clone()),
            Some(old) if *old == answer => {}
            Some(old) => {
                // A changed answer that still claims the old review goes back to draft: the
                // reviewer saw something else.
                if answer.review == Review::Reviewed
                    && old.review == Review::Reviewed
                    && content_differs(old, &answer)
                {
                    answer.review = Review::Draft;
                    answer.reviewer = None;
                    answer.origin = Origin::Person;
                }
                summary.changed.push(id.clone());
            }
        }
        next.answers.insert(id, answer);
    }
    let kept: Vec<String> = next.answers.keys().cloned().collect();
    for id in kept {
        if !seen.contains_key(&id) && expected.contains_key(id.as_str()) {
            next.answers.remove(&id);
            summary.removed.push(id);
        }
    }
    Ok((next, summary))
}

fn content_differs(a: &Answer, b: &Answer) -> bool {
    a.status != b.status
        || a.reason != b.reason
        || a.countermeasure != b.countermeasure
        || a.maturity != b.maturity
        || a.evidence != b.evidence
}

fn header_columns(text: &[String]) -> Result<Vec<usize>, &'static str> {
    COLUMNS
        .iter()
        .map(|(name, _)| text.iter().position(|t| t.trim() == *name).ok_or(*name))
        .collect()
}

/// The answer a row gives, `None` for a row left blank.
fn answer_from_row<'a>(
    get: &dyn Fn(usize) -> &'a str,
    previous: Option<&Answer>,
    store: &EvidenceStore,
) -> Result<Option<Answer>, String> {
    let editable = [
        C_CHECK, C_STATUS, C_MATURITY, C_REASON, C_COUNTER, C_EVIDENCE, C_ASSESSOR, C_DATE,
        C_REVIEW, C_REVIEWER,
    ];
    if editable.iter().all(|c| get(*c).is_empty()) {
        return Ok(None);
    }
    let checked = match get(C_CHECK) {
        "" => false,
        "✓" | "✔" | "x" | "X" | "○" | "〇" | "1" | "TRUE" | "true" => true,
        other => {
            return Err(format!(
                "check column holds {other:?}; use ✓ or leave it empty"
            ))
        }
    };
    let status = match (get(C_STATUS), checked) {
        ("", true) => Status::Satisfied,
        ("", false) => return Err("a status is needed (satisfied, partial, not-satisfied, not-applicable, compensating)".into()),
        (s, _) => Status::parse(s).ok_or_else(|| format!("status {s:?} is not one of satisfied, partial, not-satisfied, not-applicable, compensating"))?,
    };
    if checked != status.is_met() && !get(C_CHECK).is_empty() {
        return Err(format!(
            "the check mark says met but the status is {}",
            status.as_str()
        ));
    }
    if !checked
        && !get(C_STATUS).is_empty()
        && status.is_met()
        && previous.is_some_and(|p| p.status.is_met())
    {
        return Err(format!(
            "the check mark was removed but the status is still {}",
            status.as_str()
        ));
    }
    let maturity = match get(C_MATURITY) {
        "" => None,
        m => Some(
            m.parse::<u8>()
                .ok()
                .filter(|l| (1..=4).contains(l))
                .ok_or_else(|| format!("maturity {m:?} is not 1-4"))?,
        ),
    };
    let evidence = parse_evidence(get(C_EVIDENCE))?;
    for sha in evidence.iter().filter_map(EvidenceRef::stored_sha256) {
        if !store.contains(sha) {
            return Err(format!("evidence {sha} is not in the evidence store"));
        }
    }
    let date = match get(C_DATE) {
        "" => previous
            .map(|p| p.date.clone())
            .unwrap_or_else(crate::today),
        d => match crate::date_error(d) {
            None => d.to_string(),
            Some(e) => return Err(format!("date {e}")),
        },
    };
    let review = match get(C_REVIEW) {
        "" | "draft" => Review::Draft,
        "reviewed" => Review::Reviewed,
        r => return Err(format!("review {r:?} is not draft or reviewed")),
    };
    let origin = match get(C_ORIGIN) {
        "" | "person" => Origin::Person,
        "scan" => Origin::Scan,
        // Only a package makes an answer inherited; the sheet may keep it so.
        "inherited" if previous.is_some_and(|p| p.origin == Origin::Inherited) => Origin::Inherited,
        // Only a prefill makes an answer a components suggestion; the sheet may keep it so.
        "components" if previous.is_some_and(|p| p.origin == Origin::Components) => {
            Origin::Components
        }
        o => return Err(format!("origin {o:?} is not person or scan")),
    };
    if let Some(p) = previous.filter(|_| origin == Origin::Inherited) {
        if p.status != status || p.reason != get(C_REASON) {
            return Err(
                "an inherited answer changes only by overriding it: set its origin to person"
                    .into(),
            );
        }
    }
    let opt = |c: usize| Some(get(c).to_string()).filter(|s| !s.is_empty());
    Ok(Some(Answer {
        status,
        reason: get(C_REASON).to_string(),
        countermeasure: opt(C_COUNTER),
        maturity,
        method: previous.and_then(|p| p.method),
        evidence,
        assessor: opt(C_ASSESSOR),
        date,
        review,
        reviewer: opt(C_REVIEWER),
        origin,
        // Filled from the findings sheet.
        findings: Vec::new(),
        // Not columns of the sheet: kept as they were.
        inherited: previous.and_then(|p| p.inherited.clone()),
        owner: previous.and_then(|p| p.owner),
        deferred_to: previous.and_then(|p| p.deferred_to),
        components: previous.map(|p| p.components.clone()).unwrap_or_default(),
    }))
}
