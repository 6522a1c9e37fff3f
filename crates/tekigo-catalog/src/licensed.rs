//! The licensed text of the standards, which users import from the copy they own.
//!
//! tekigo never ships normative text. A user with a licence can import it from a CSV or
//! XLSX file (an id column and a text column in English, Japanese or both); it is kept in
//! the user's data directory, outside any repository, and shown next to the catalog facts.
//! An import either applies completely or not at all.

use crate::error::Problem;
use crate::model::{Lang, Text};
use crate::Catalog;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "licensed-text.json";

/// Imported text by item id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LicensedText {
    version: u32,
    items: BTreeMap<String, Text>,
}

#[derive(Debug, thiserror::Error)]
pub enum LicensedError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a licensed-text store: {source}", path.display())]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{} problem(s) in the import; nothing was imported:\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Import(Vec<Problem>),
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub english: usize,
    pub japanese: usize,
    /// Rows with an id but no text, left alone.
    pub empty_rows: usize,
}

impl LicensedText {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(FILE_NAME)
    }

    /// The store in `data_dir`; empty when nothing was imported yet.
    pub fn load(data_dir: &Path) -> Result<LicensedText, LicensedError> {
        let path = Self::path(data_dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| LicensedError::Corrupt { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LicensedText::default()),
            Err(source) => Err(LicensedError::Io { path, source }),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Text> {
        self.items.get(id)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Reads `file`, checks every row against the catalog, and only then merges the rows
    /// into this store and writes it atomically to `data_dir`.
    pub fn import(
        &mut self,
        catalog: &Catalog,
        file: &Path,
        lang: Option<Lang>,
        data_dir: &Path,
    ) -> Result<ImportReport, LicensedError> {
        let display = file.display().to_string();
        let bytes = std::fs::read(file).map_err(|e| {
            LicensedError::Import(vec![Problem {
                file: display.clone(),
                line: None,
                message: format!("cannot read: {e}"),
            }])
        })?;
        let (entries, report) = parse_import(catalog, &display, &bytes, lang)?;
        let mut next = self.clone();
        next.version = 1;
        for (id, lang, text) in entries {
            let slot = next.items.entry(id).or_default();
            match lang {
                Lang::En => slot.en = text,
                Lang::Ja => slot.ja = text,
            }
        }
        next.save(data_dir)?;
        *self = next;
        Ok(report)
    }

    fn save(&self, data_dir: &Path) -> Result<(), LicensedError> {
        let io = |source| LicensedError::Io {
            path: data_dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        let bytes = serde_json::to_vec_pretty(self).expect("the store serializes");
        let mut tmp = tempfile_in(data_dir).map_err(io)?;
        tmp.1
            .write_all(&bytes)
            .and_then(|_| tmp.1.sync_all())
            .map_err(io)?;
        std::fs::rename(&tmp.0, Self::path(data_dir)).map_err(io)
    }
}

/// A private temporary file next to the destination, so the final rename is atomic.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let path = dir.join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&path).map(|f| (path, f))
}

/// A row of the import file: its 1-based line (CSV) or row (XLSX) and where it came from.
struct Row {
    at: String,
    line: usize,
    cells: Vec<String>,
}

/// Checks an import file given as bytes (`name` decides the format by its extension and
/// names the file in errors) and returns what it would import: (id, language, text).
/// Nothing is stored; [`LicensedText::import`] stores.
pub fn parse_import(
    catalog: &Catalog,
    name: &str,
    bytes: &[u8],
    lang: Option<Lang>,
) -> Result<(Entries, ImportReport), LicensedError> {
    let rows = read_rows(name, bytes)?;
    check_rows(catalog, &rows, name, lang)
}

/// The rows of an import file, read through the one bounded reader of tables from outside
/// (`tekigo-workbook`), which refuses hostile workbooks before they cost memory.
fn read_rows(display: &str, bytes: &[u8]) -> Result<Vec<Row>, LicensedError> {
    let book = tekigo_workbook::read(display, bytes).map_err(|e| {
        LicensedError::Import(vec![Problem {
            file: e.file,
            line: e.line,
            message: e.message,
        }])
    })?;
    let mut rows = Vec::new();
    for sheet in book.sheets {
        let at = if book.is_workbook {
            format!("{display} [sheet {}]", sheet.name)
        } else {
            display.to_string()
        };
        rows.extend(sheet.rows.into_iter().map(|row| Row {
            at: at.clone(),
            line: row.number,
            cells: row.cells,
        }));
    }
    Ok(rows)
}

#[derive(Clone, Copy, PartialEq)]
enum Column {
    Id,
    Text(Option<Lang>),
}

fn column_of(header: &str) -> Option<Column> {
    let h = header.trim().to_lowercase();
    let h = h.as_str();
    match h {
        "id" | "ref" | "ref_id" | "ref id" | "requirement id" | "番号" | "no" | "no." => {
            Some(Column::Id)
        }
        "text_en" | "en" | "english" | "text (en)" | "原文" | "要件" => {
            Some(Column::Text(Some(Lang::En)))
        }
        "text_ja" | "ja" | "japanese" | "text (ja)" | "和訳" | "日本語" => {
            Some(Column::Text(Some(Lang::Ja)))
        }
        "text" | "description" | "本文" => Some(Column::Text(None)),
        _ => None,
    }
}

fn looks_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x4E00..=0x9FFF))
}

/// What an import would store: (id, language, text).
type Entries = Vec<(String, Lang, String)>;

/// The columns of one sheet (or CSV file), read from its header row.
struct Header {
    id: usize,
    /// (column, language when the header names one).
    texts: Vec<(usize, Option<Lang>)>,
}

impl Header {
    /// A header row has an id column (by name, or an unnamed first column as in the check
    /// sheets people keep) and at least one text column.
    fn parse(cells: &[String]) -> Option<Header> {
        let cols: Vec<Option<Column>> = cells.iter().map(|c| column_of(c)).collect();
        let texts: Vec<(usize, Option<Lang>)> = cols
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c {
                Some(Column::Text(lang)) => Some((i, *lang)),
                _ => None,
            })
            .collect();
        let id = cols
            .iter()
            .position(|c| *c == Some(Column::Id))
            .or_else(|| cells.first().filter(|c| c.trim().is_empty()).map(|_| 0))?;
        (!texts.is_empty()).then_some(Header { id, texts })
    }
}

/// Turns rows into (id, language, text), or the list of every problem found.
fn check_rows(
    catalog: &Catalog,
    rows: &[Row],
    file: &str,
    lang: Option<Lang>,
) -> Result<(Entries, ImportReport), LicensedError> {
    let mut problems = Vec::new();
    let mut entries: Entries = Vec::new();
    let mut report = ImportReport::default();
    let mut any_header = false;
    // Rows arrive sheet after sheet; each sheet has its own header.
    for sheet in rows.chunk_by(|a, b| a.at == b.at) {
        let found = sheet
            .iter()
            .enumerate()
            .find_map(|(i, r)| Header::parse(&r.cells).map(|h| (i, h)));
        let Some((start, header)) = found else {
            // A sheet without a header is skipped (a cover page, say), unless it holds
            // requirement ids: those rows would be lost without a word.
            if let Some(row) = sheet
                .iter()
                .find(|r| r.cells.iter().any(|c| catalog.find(c).is_some()))
            {
                problems.push(Problem {
                    file: row.at.clone(),
                    line: Some(row.line),
                    message: "catalog ids but no header row above them; name the columns (id, text_en, text_ja, 原文, 和訳)".into(),
                });
            }
            continue;
        };
        any_header = true;
        for row in &sheet[start + 1..] {
            let cell = |i: usize| row.cells.get(i).map(|c| c.trim()).unwrap_or("");
            let raw_id = cell(header.id);
            if raw_id.is_empty() {
                continue;
            }
            let problem = |message: String| Problem {
                file: row.at.clone(),
                line: Some(row.line),
                message,
            };
            let Some((_, item)) = catalog.find(raw_id) else {
                problems.push(problem(format!("unknown id {raw_id:?}")));
                continue;
            };
            let mut any = false;
            for &(col, col_lang) in &header.texts {
                let text = cell(col);
                if text.is_empty() {
                    continue;
                }
                let lang = col_lang.or(lang).unwrap_or(if looks_japanese(text) {
                    Lang::Ja
                } else {
                    Lang::En
                });
                if let Some((_, _, earlier)) = entries
                    .iter()
                    .find(|(id, l, _)| *id == item.id && *l == lang)
                {
                    if earlier != text {
                        problems.push(problem(format!(
                            "{} has a second, different {lang:?} text",
                            item.id
                        )));
                    }
                    continue;
                }
                match lang {
                    Lang::En => report.english += 1,
                    Lang::Ja => report.japanese += 1,
                }
                entries.push((item.id.clone(), lang, text.to_string()));
                any = true;
            }
            if !any {
                report.empty_rows += 1;
            }
        }
    }
    if !any_header && problems.is_empty() {
        problems.push(Problem {
            file: file.to_string(),
            line: None,
            message: "no header row with an id column (id, ref, 番号) and a text column (text, text_en, text_ja, 原文, 和訳)".into(),
        });
    }
    if problems.is_empty() {
        Ok((entries, report))
    } else {
        Err(LicensedError::Import(problems))
    }
}
