//! A check sheet tekigo did not make, read into an assessment (`tekigo assess
//! import-sheet`).
//!
//! Teams already keep 62443 check sheets in Excel, in the shape of seed 004: a requirement
//! id column (`CR1.1`, `CR 1.1 (1)`, `CR 1.1(1)(2)`, `CR 1.1 RE 1`), the title (要件, 原文,
//! 和訳), a check column (✓), the reason (選択した理由 or 選択理由) and the evidence
//! (エビデンス), or the English Requirement, Check, Reason/Rationale, Evidence, Status. The
//! rules:
//!
//! - **Tables.** A header row is a row where at least two cells name a known column and
//!   one of them is an answer column (check, status, ×, N/A, reason); its table runs to the
//!   next header row. A table whose header starts with `SL` is the security-level table of
//!   seed 004 and holds no answers. Rows above the first header are titles. A map file
//!   (`--map`) names the columns instead, by letter or header text.
//! - **The id column** is the one named ID (ID, No, 番号, 項番), else the column outside the
//!   answer columns where most rows hold a catalog id. `CR 1.1(1)(2)` answers RE(1) and
//!   RE(2); a cell may continue after the id with the title.
//! - **Marks.** In the check column ✓ ✔ ☑ ○ 〇 ◯ Y yes x 1 TRUE mean satisfied; × ✗ N no
//!   mean not satisfied; - N/A 対象外 mean not applicable; △ means partial. In a column
//!   headed ×, N/A or △, any mark means that status. A status column takes tekigo's status
//!   names in English or Japanese as well. Two columns that say different things, a mark
//!   not in this list, a reason with no mark, a not-applicable row without a reason, an
//!   unknown id, a row whose cells are merged with the next row's: each is a problem
//!   reported with its sheet and row, and then nothing is imported.
//! - **Evidence.** Each line of the evidence cell: a URL is cited as a link; a file that
//!   exists next to the workbook is stored in the evidence store and cited; anything else
//!   is kept as written, stored as a short text under that name, so nothing the sheet said
//!   is lost.
//! - **Answers** become a person's answers in draft (the importer is the assessor);
//!   requirements the sheet leaves blank keep what they had.

use crate::assessment::{Assessment, EvidenceRef, Status};
use crate::edit::{self, AnswerUpdate};
use crate::{problem, Problem};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tekigo_catalog::Catalog;
use tekigo_workbook::{column_index, column_name, Row, Sheet, Workbook};

/// A map file: where the columns are, when the headers are not ones tekigo knows.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetMap {
    /// Only these sheets (default: every sheet).
    #[serde(default)]
    pub sheets: Vec<String>,
    /// The 1-based row of the header (default: found by its names).
    #[serde(default)]
    pub header_row: Option<usize>,
    /// Columns by letter (`A`) or by header text.
    #[serde(default)]
    pub columns: BTreeMap<Role, String>,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Id,
    Check,
    Status,
    NotSatisfied,
    NotApplicable,
    Partial,
    Reason,
    Evidence,
    /// The security-level table's first column (`SL`).
    #[serde(skip)]
    Level,
    /// Titles and text: 要件, 和訳, 原文, Requirement, Title.
    #[serde(skip)]
    Text,
}

impl Role {
    fn is_answer(self) -> bool {
        matches!(
            self,
            Role::Check
                | Role::Status
                | Role::NotSatisfied
                | Role::NotApplicable
                | Role::Partial
                | Role::Reason
        )
    }
}

/// Header names, compared after [`normal`]ising case and spaces.
const HEADERS: &[(Role, &[&str])] = &[
    (
        Role::Id,
        &[
            "id",
            "要件id",
            "要件番号",
            "requirementid",
            "reqid",
            "no",
            "no.",
            "番号",
            "項番",
        ],
    ),
    (Role::Level, &["sl"]),
    (
        Role::Check,
        &[
            "✓",
            "✔",
            "☑",
            "check",
            "checked",
            "チェック",
            "適合",
            "適否",
            "met",
            "ok",
            "○",
            "〇",
        ],
    ),
    (
        Role::Status,
        &["status", "状態", "判定", "結果", "ステータス"],
    ),
    (
        Role::NotSatisfied,
        &["×", "✗", "✕", "ng", "notmet", "不適合", "未充足"],
    ),
    (
        Role::NotApplicable,
        &[
            "-",
            "－",
            "n/a",
            "na",
            "対象外",
            "該当なし",
            "適用外",
            "notapplicable",
        ],
    ),
    (Role::Partial, &["△", "partial", "一部"]),
    (
        Role::Reason,
        &[
            "選択した理由",
            "選択理由",
            "理由",
            "reason",
            "rationale",
            "justification",
            "根拠",
            "判断理由",
        ],
    ),
    (
        Role::Evidence,
        &["エビデンス", "evidence", "証跡", "証拠", "根拠資料"],
    ),
    (
        Role::Text,
        &[
            "要件",
            "和訳",
            "原文",
            "requirement",
            "title",
            "要求事項",
            "説明",
            "description",
        ],
    ),
];

/// Lower case, no spaces (ASCII or full-width).
fn normal(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The role a header cell names: the whole cell, or any word of a short cell (tekigo's own
/// sheets say `Reason 選択理由`).
fn role_of(header: &str) -> Option<Role> {
    let find = |word: &str| {
        let w = normal(word);
        HEADERS
            .iter()
            .find(|(_, names)| names.contains(&w.as_str()))
            .map(|(r, _)| *r)
    };
    let words = header.split_whitespace().count();
    find(header).or_else(|| {
        (words <= 3).then_some(())?;
        header
            .split(|c: char| c.is_whitespace() || matches!(c, '/' | '／' | '(' | ')' | '（' | '）'))
            .filter(|w| !w.is_empty())
            .find_map(find)
    })
}

/// What a mark means.
fn mark_status(mark: &str) -> Option<Status> {
    let m = normal(mark);
    Some(match m.as_str() {
        "✓" | "✔" | "☑" | "○" | "〇" | "◯" | "●" | "y" | "yes" | "x" | "1" | "true" | "ok"
        | "済" | "はい" | "適合" => Status::Satisfied,
        "×" | "✗" | "✕" | "✖" | "n" | "no" | "0" | "false" | "ng" | "いいえ" | "不適合" => {
            Status::NotSatisfied
        }
        "-" | "－" | "—" | "–" | "n/a" | "na" | "対象外" | "該当なし" | "適用外" => {
            Status::NotApplicable
        }
        "△" | "▲" | "partial" | "一部" => Status::Partial,
        _ => return None,
    })
}

/// A status column: tekigo's names in either language, or a mark.
fn status_of(text: &str) -> Option<Status> {
    Status::parse(text.trim())
        .or_else(|| {
            Some(match normal(text).as_str() {
                "充足" => Status::Satisfied,
                "部分的に充足" | "部分充足" => Status::Partial,
                "未充足" => Status::NotSatisfied,
                "適用外" => Status::NotApplicable,
                "補償対策" => Status::Compensating,
                _ => return None,
            })
        })
        .or_else(|| mark_status(text))
}

/// One piece of evidence a row cites, before anything is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlannedEvidence {
    Url(String),
    /// Bytes to store under a name: a file next to the workbook, or the text as written.
    Stored {
        name: String,
        bytes: Vec<u8>,
    },
}

/// One answer the sheet gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAnswer {
    pub id: String,
    pub status: Status,
    pub reason: String,
    pub evidence: Vec<PlannedEvidence>,
    /// Where it was read: `sheet "FR1" row 7`.
    pub at: String,
}

/// What a sheet would change, checked in full before anything is written.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub answers: Vec<PlannedAnswer>,
    /// Rows read but deliberately not imported (the security-level table), for the user.
    pub notes: Vec<String>,
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetSummary {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Reads every table of `book` into answers for `a`, or every problem with sheet and row.
/// `base` is the workbook's directory, where evidence files are looked for.
pub fn plan(
    catalog: &Catalog,
    a: &Assessment,
    book: &Workbook,
    map: &SheetMap,
    file: &Path,
    base: &Path,
) -> Result<Plan, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut plan = Plan::default();
    for name in &map.sheets {
        if book.sheet(name).is_none() {
            problems.push(problem(
                file,
                None,
                format!("the map names sheet {name:?}, which the workbook does not have"),
            ));
        }
    }
    let mut tables = 0;
    for sheet in &book.sheets {
        if !map.sheets.is_empty() && !map.sheets.contains(&sheet.name) {
            continue;
        }
        let ctx = SheetCtx {
            catalog,
            a,
            sheet,
            file,
            base,
            is_workbook: book.is_workbook,
        };
        tables += ctx.read(map, &mut plan, &mut problems);
    }
    if tables == 0 && problems.is_empty() {
        problems.push(problem(
            file,
            None,
            "no table with a check or reason column found: name the columns with --map MAP.yaml \
             (columns: {id: A, check: D, reason: E})",
        ));
    }
    // Two rows answering one requirement must agree.
    let mut by_id: BTreeMap<&str, &PlannedAnswer> = BTreeMap::new();
    for p in &plan.answers {
        match by_id.get(p.id.as_str()) {
            Some(first) if first.status != p.status => problems.push(problem(
                file,
                None,
                format!(
                    "{}: {} says {} but {} says {}",
                    p.id,
                    first.at,
                    first.status.as_str(),
                    p.at,
                    p.status.as_str()
                ),
            )),
            Some(_) => {}
            None => {
                by_id.insert(&p.id, p);
            }
        }
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    }
}

struct SheetCtx<'a> {
    catalog: &'a Catalog,
    a: &'a Assessment,
    sheet: &'a Sheet,
    file: &'a Path,
    base: &'a Path,
    is_workbook: bool,
}

/// A table's columns: role by column index.
type Columns = BTreeMap<usize, Role>;

impl SheetCtx<'_> {
    fn at(&self, row: usize) -> String {
        if self.is_workbook {
            format!("sheet {:?} row {row}", self.sheet.name)
        } else {
            format!("line {row}")
        }
    }

    fn problem(&self, row: usize, message: String) -> Problem {
        problem(self.file, Some(row), format!("{}: {message}", self.at(row)))
    }

    /// Reads the sheet's tables; returns how many answer tables it found.
    fn read(&self, map: &SheetMap, plan: &mut Plan, problems: &mut Vec<Problem>) -> usize {
        let rows = &self.sheet.rows;
        // Header rows and their columns.
        let mut headers: Vec<(usize, Columns)> = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if map.header_row.is_some_and(|h| h != row.number) {
                continue;
            }
            match self.header(row, map) {
                Ok(Some(cols)) => headers.push((i, cols)),
                Ok(None) => {}
                Err(message) => problems.push(self.problem(row.number, message)),
            }
        }
        if headers.is_empty() && !map.columns.is_empty() && map.header_row.is_none() {
            // Columns by letter only: the whole sheet is one table.
            if let Ok(Some(cols)) = self.header(&Row::default(), map) {
                headers.push((usize::MAX, cols));
            }
        }
        let mut tables = 0;
        for (n, (start, cols)) in headers.iter().enumerate() {
            let first = start.wrapping_add(1);
            let end = headers.get(n + 1).map_or(rows.len(), |(next, _)| *next);
            let body = &rows[first.min(rows.len())..end.max(first.min(rows.len()))];
            if cols.values().any(|r| *r == Role::Level) {
                for row in body.iter().filter(|r| self.has_answer(r, cols)) {
                    plan.notes.push(format!(
                        "{}: {:?} is a row of the security-level table, not a requirement; not imported",
                        self.at(row.number),
                        row.cells.iter().find(|c| !c.trim().is_empty()).map_or("", |c| c.trim())
                    ));
                }
                continue;
            }
            tables += 1;
            let id_col = self.id_column(cols, body);
            for row in body {
                self.row(row, cols, id_col, plan, problems);
            }
        }
        tables
    }

    /// The columns of a header row, `None` when the row is not a header.
    fn header(&self, row: &Row, map: &SheetMap) -> Result<Option<Columns>, String> {
        let mut cols = Columns::new();
        if !map.columns.is_empty() {
            for (role, name) in &map.columns {
                let col = column_index(name)
                    .or_else(|| row.cells.iter().position(|c| normal(c) == normal(name)));
                match col {
                    Some(c) => {
                        cols.insert(c, *role);
                    }
                    None if map.header_row.is_some() => {
                        return Err(format!(
                            "the map's column {name:?} is neither a column letter nor a header of this row"
                        ))
                    }
                    None => return Ok(None),
                }
            }
            return Ok(Some(cols));
        }
        // A row naming a requirement or a level (`CR 1.1`, `SL 2`) is data, whatever else
        // its cells say.
        if row
            .cells
            .iter()
            .any(|c| looks_like_id(c.trim()) || !self.ids(c).is_empty())
        {
            return Ok(None);
        }
        for (c, cell) in row.cells.iter().enumerate() {
            if let Some(role) = role_of(cell) {
                cols.entry(c).or_insert(role);
            }
        }
        let named = cols.len();
        let level = cols.get(&0) == Some(&Role::Level);
        let answers = cols.values().any(|r| r.is_answer());
        Ok((named >= 2 && (answers || level)).then_some(cols))
    }

    /// The id column: named so, else the non-answer column where most rows hold an id.
    fn id_column(&self, cols: &Columns, body: &[Row]) -> Option<usize> {
        if let Some((c, _)) = cols.iter().find(|(_, r)| **r == Role::Id) {
            return Some(*c);
        }
        let width = body.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        (0..width)
            .filter(|c| {
                !cols
                    .get(c)
                    .is_some_and(|r| r.is_answer() || *r == Role::Evidence)
            })
            .map(|c| {
                let hits = body
                    .iter()
                    .filter(|r| !self.ids(r.get(c)).is_empty())
                    .count();
                (hits, std::cmp::Reverse(c))
            })
            .max()
            .filter(|(hits, _)| *hits > 0)
            .map(|(_, std::cmp::Reverse(c))| c)
    }

    /// The catalog ids a cell names: one id, the REs of `CR 1.1(1)(2)`, or none.
    fn ids(&self, cell: &str) -> Vec<String> {
        let cell = cell.trim();
        if cell.is_empty() || !cell.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Vec::new();
        }
        if let Some((_, item)) = self.catalog.find(cell) {
            return vec![item.id.clone()];
        }
        // `CR 1.1(1)(2)`: the enhancements named, each.
        if let Some(open) = cell.find('(') {
            let base = cell[..open].trim();
            let res: Vec<&str> = cell[open..]
                .split(['(', ')'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if res.len() > 1 && res.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
                let ids: Vec<String> = res
                    .iter()
                    .filter_map(|n| self.catalog.find(&format!("{base} RE({n})")))
                    .map(|(_, i)| i.id.clone())
                    .collect();
                if ids.len() == res.len() {
                    return ids;
                }
            }
        }
        // An id followed by the title: the longest leading run of words that is an id.
        let words: Vec<&str> = cell.split_whitespace().collect();
        (1..words.len().min(5))
            .rev()
            .find_map(|n| self.catalog.find(&words[..n].join(" ")))
            .map(|(_, i)| vec![i.id.clone()])
            .unwrap_or_default()
    }

    /// Whether a row writes anything into an answer column.
    fn has_answer(&self, row: &Row, cols: &Columns) -> bool {
        cols.iter()
            .any(|(c, r)| (r.is_answer() || *r == Role::Evidence) && !row.get(*c).is_empty())
    }

    fn row(
        &self,
        row: &Row,
        cols: &Columns,
        id_col: Option<usize>,
        plan: &mut Plan,
        problems: &mut Vec<Problem>,
    ) {
        let id_text = id_col.map_or("", |c| row.get(c));
        let ids = self.ids(id_text);
        let answered = self.has_answer(row, cols);
        if ids.is_empty() {
            if answered && looks_like_id(id_text) {
                problems.push(self.problem(
                    row.number,
                    format!(
                        "{id_text:?} is not a requirement id tekigo knows (see `tekigo checklist`)"
                    ),
                ));
            } else if answered {
                problems.push(self.problem(
                    row.number,
                    format!(
                        "the row is filled in but names no requirement in column {}",
                        id_col.map_or("?".to_string(), column_name)
                    ),
                ));
            }
            return;
        }
        // A requirement row whose cells are merged with other rows cannot say which
        // requirement the merged text belongs to.
        let mut merged = self.sheet.merged.iter().filter(|m| {
            m.first_row != m.last_row
                && (m.first_row..=m.last_row).contains(&row.number)
                && cols
                    .iter()
                    .filter(|(_, r)| r.is_answer() || **r == Role::Evidence)
                    .any(|(c, _)| (m.first_column..=m.last_column).contains(c))
        });
        if let Some(m) = merged.next() {
            problems.push(self.problem(
                row.number,
                format!("cells {m} are merged across rows: unmerge them so that each requirement has its own cells"),
            ));
            return;
        }
        let mut statuses: Vec<(Status, String)> = Vec::new();
        let mut reason = String::new();
        let mut evidence_cell = "";
        for (c, role) in cols {
            let text = row.get(*c);
            if text.is_empty() {
                continue;
            }
            let head = column_name(*c);
            let status = match role {
                Role::Check => match mark_status(text) {
                    Some(s) => Some(s),
                    None => {
                        problems.push(self.problem(
                            row.number,
                            format!(
                                "mark {text:?} in column {head} is not understood: use ✓ ○ Y yes x (satisfied), × N no (not satisfied), - N/A (not applicable) or △ (partial)"
                            ),
                        ));
                        return;
                    }
                },
                Role::Status => match status_of(text) {
                    Some(s) => Some(s),
                    None => {
                        problems.push(self.problem(
                            row.number,
                            format!(
                                "status {text:?} in column {head} is not understood: use satisfied, partial, not-satisfied, not-applicable, compensating (充足, 部分的に充足, 未充足, 適用外, 補償対策) or a mark"
                            ),
                        ));
                        return;
                    }
                },
                Role::NotSatisfied | Role::NotApplicable | Role::Partial => {
                    if mark_status(text).is_none() && role_of(text) != Some(*role) {
                        problems.push(self.problem(
                            row.number,
                            format!("mark {text:?} in column {head} is not understood: put ✓ or x there, or leave it empty"),
                        ));
                        return;
                    }
                    Some(match role {
                        Role::NotSatisfied => Status::NotSatisfied,
                        Role::NotApplicable => Status::NotApplicable,
                        _ => Status::Partial,
                    })
                }
                Role::Reason => {
                    if !reason.is_empty() {
                        reason.push('\n');
                    }
                    reason.push_str(text);
                    None
                }
                Role::Evidence => {
                    evidence_cell = text;
                    None
                }
                Role::Id | Role::Level | Role::Text => None,
            };
            if let Some(s) = status {
                statuses.push((s, head));
            }
        }
        statuses.dedup_by_key(|(s, _)| *s);
        let status = match statuses.as_slice() {
            [] if !answered => return,
            [] => {
                problems.push(self.problem(
                    row.number,
                    format!(
                        "{}: a reason or evidence but no mark: mark the check column, or leave the row empty",
                        ids.join(", ")
                    ),
                ));
                return;
            }
            [(s, _)] => *s,
            [(a, ca), (b, cb), ..] => {
                problems.push(self.problem(
                    row.number,
                    format!(
                        "column {ca} says {} but column {cb} says {}",
                        a.as_str(),
                        b.as_str()
                    ),
                ));
                return;
            }
        };
        if status == Status::NotApplicable && reason.is_empty() {
            problems.push(self.problem(
                row.number,
                format!(
                    "{}: not applicable needs a justification in the reason column",
                    ids.join(", ")
                ),
            ));
            return;
        }
        if status == Status::Compensating {
            problems.push(self.problem(
                row.number,
                format!("{}: a compensating countermeasure needs its description: answer it with `tekigo assess set --countermeasure`", ids.join(", ")),
            ));
            return;
        }
        let evidence = match self.evidence(evidence_cell) {
            Ok(e) => e,
            Err(message) => {
                problems.push(self.problem(row.number, message));
                return;
            }
        };
        for id in ids {
            match edit::requirement_id(self.catalog, self.a, &id) {
                Ok(id) => plan.answers.push(PlannedAnswer {
                    id,
                    status,
                    reason: reason.clone(),
                    evidence: evidence.clone(),
                    at: self.at(row.number),
                }),
                Err(e) => problems.push(self.problem(row.number, e.message)),
            }
        }
    }

    fn evidence(&self, cell: &str) -> Result<Vec<PlannedEvidence>, String> {
        let mut out = Vec::new();
        for line in cell.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if line.starts_with("https://") || line.starts_with("http://") {
                out.push(PlannedEvidence::Url(line.to_string()));
                continue;
            }
            let path: PathBuf = self.base.join(line);
            let inside = !line.starts_with('/') && !line.split(['/', '\\']).any(|p| p == "..");
            if inside && path.is_file() {
                let bytes = std::fs::read(&path)
                    .map_err(|e| format!("evidence file {}: {e}", path.display()))?;
                let name = path
                    .file_name()
                    .map_or(line.to_string(), |n| n.to_string_lossy().into_owned());
                out.push(PlannedEvidence::Stored { name, bytes });
            } else {
                out.push(PlannedEvidence::Stored {
                    name: line.chars().take(120).collect(),
                    bytes: line.as_bytes().to_vec(),
                });
            }
        }
        Ok(out)
    }
}

/// Two to four letters, an optional space or hyphen, a digit: `CR 1.1`, `SR1.2`, `SM-1`.
fn looks_like_id(text: &str) -> bool {
    let letters = text.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let rest = text[letters..].trim_start_matches([' ', '-']);
    (2..=4).contains(&letters) && rest.starts_with(|c: char| c.is_ascii_digit())
}

/// Stores bytes under a name in the evidence store and gives their SHA-256.
pub type StoreFn<'a> = dyn Fn(&str, &[u8]) -> Result<String, crate::AssessError> + 'a;

/// Applies a plan: every answer as a person's draft by `assessor`. Evidence to store is
/// given to `store` only after the whole result passed the assessment's rules, so a plan
/// that breaks one leaves nothing behind.
pub fn apply(
    catalog: &Catalog,
    a: &Assessment,
    plan: &Plan,
    assessor: Option<&str>,
    date: &str,
    store: &StoreFn<'_>,
) -> Result<(Assessment, SheetSummary), crate::AssessError> {
    let file = PathBuf::from(format!("assessments/{}.yaml", a.id));
    let refs = |p: &PlannedAnswer, sha: &StoreFn<'_>| {
        p.evidence
            .iter()
            .map(|e| {
                Ok(match e {
                    PlannedEvidence::Url(url) => EvidenceRef::Url { url: url.clone() },
                    PlannedEvidence::Stored { name, bytes } => EvidenceRef::File {
                        sha256: sha(name, bytes)?,
                        name: name.clone(),
                    },
                })
            })
            .collect::<Result<Vec<_>, crate::AssessError>>()
    };
    let build = |sha: &StoreFn<'_>| {
        let mut next = a.clone();
        let mut summary = SheetSummary::default();
        for p in &plan.answers {
            let evidence = refs(p, sha)?;
            let before = next.answers.get(&p.id);
            let same = before.is_some_and(|b| {
                b.status == p.status
                    && (p.reason.is_empty() || b.reason == p.reason)
                    && evidence.iter().all(|e| b.evidence.contains(e))
            });
            let list = match (before, same) {
                (None, _) => &mut summary.added,
                // The same answer stays as it was, with its date and review.
                (Some(_), true) => &mut summary.unchanged,
                (Some(_), false) => &mut summary.changed,
            };
            if !list.contains(&p.id) {
                list.push(p.id.clone());
            }
            if same {
                continue;
            }
            edit::set_answer(
                &mut next,
                &p.id,
                AnswerUpdate {
                    status: Some(p.status),
                    reason: (!p.reason.is_empty()).then(|| p.reason.clone()),
                    evidence,
                    assessor: assessor.map(str::to_string),
                    date: date.to_string(),
                    ..AnswerUpdate::default()
                },
            )
            .map_err(|e| crate::AssessError::message(&file, format!("{}: {e}", p.at)))?;
        }
        Ok::<_, crate::AssessError>((next, summary))
    };
    // First with hashes only: the rules are checked before anything is stored.
    let (next, _) = build(&|_, bytes| Ok(crate::evidence::sha256_bytes(bytes)))?;
    crate::check(catalog, &next)?;
    build(store)
}
