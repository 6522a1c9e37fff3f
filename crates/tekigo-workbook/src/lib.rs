//! Tables that come from outside — check sheets returned by suppliers and certification
//! bodies, licensed text a user owns — read as rows of text within fixed bounds.
//!
//! Every importer of XLSX, CSV or TSV in tekigo (`assess import-xlsx`, `assess
//! import-sheet`, `catalog import-text`, the web application's uploads) reads through
//! [`read`], so one set of limits holds everywhere. A workbook is a zip archive of XML parts,
//! and calamine, which parses them, trusts them: its `Range` allocates the whole rectangle
//! between the first and the last cell (a 1.6 KB workbook with cells at A1 and XFD1048576
//! asked for 512 GiB and aborted the process), and it inflates whatever the archive holds
//! (a 4.2 MB workbook with 1.35 GB of sheet XML took 3 GB and 30 s). So, before calamine
//! sees a byte:
//!
//! - the file is at most [`Limits::file_bytes`], its archive has at most
//!   [`Limits::entries`] members (counted in the end-of-archive record, before the archive
//!   is indexed);
//! - every member is inflated once into nothing, counting the bytes it really gives (a
//!   member's declared size may lie): each at most [`Limits::entry_bytes`], all together at
//!   most [`Limits::total_bytes`], and none more than [`Limits::ratio`] times its
//!   compressed size once past one MiB;
//!
//! and then the sheets are read cell by cell with calamine's streaming reader, never as a
//! `Range`: the declared dimension and the rectangle the cells really span (from column A,
//! as rows are handed out) are at most [`Limits::area`] cells, at most [`Limits::cells`]
//! cells and [`Limits::text_bytes`] bytes of text are kept, and no cell lies outside
//! Excel's grid (1,048,576 rows, 16,384 columns).
//!
//! Anything over a limit is an error naming the file and the limit, never an abort. With
//! these limits a workbook costs at most a few hundred MB of memory (measured in
//! docs/PERFORMANCE.md).

use calamine::{DataRef, Reader, SheetType, Xlsx};
use std::fmt;
use std::io::{Cursor, Read};
use std::path::Path;

/// The bounds a workbook must stay within. [`LIMITS`] are the ones tekigo uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the file as given.
    pub file_bytes: u64,
    /// Members of the zip archive.
    pub entries: u64,
    /// Inflated size of one member.
    pub entry_bytes: u64,
    /// Inflated size of all members together.
    pub total_bytes: u64,
    /// Inflated size over compressed size, for members larger than one MiB.
    pub ratio: u64,
    /// Non-empty cells kept, over all sheets.
    pub cells: u64,
    /// Cells of the rectangle a sheet declares or spans.
    pub area: u64,
    /// Bytes of cell text kept, over all sheets.
    pub text_bytes: u64,
}

/// tekigo's limits: far above any check sheet or licensed-text table (a 62443-4-2 sheet
/// has a few hundred rows of twenty columns), far below what hurts the machine.
pub const LIMITS: Limits = Limits {
    file_bytes: 32 << 20,
    entries: 10_000,
    entry_bytes: 32 << 20,
    total_bytes: 128 << 20,
    ratio: 200,
    cells: 1_000_000,
    area: 2_000_000,
    text_bytes: 32 << 20,
};

/// Excel's grid: rows and columns a cell reference may name.
const MAX_ROWS: u32 = 1 << 20;
const MAX_COLUMNS: u32 = 1 << 14;
/// Members smaller than this are never judged by their compression ratio.
const RATIO_FLOOR: u64 = 1 << 20;

/// Why a table could not be read. The message names the file (and the line of a CSV
/// error, the sheet of a workbook error, or the limit that was passed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", file, line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct WorkbookError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

/// The tables of one file: the sheets of a workbook, or the one table of a CSV/TSV file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Workbook {
    pub sheets: Vec<Sheet>,
    /// Whether the file was a workbook (sheets and rows) or CSV/TSV (lines).
    pub is_workbook: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sheet {
    /// The sheet's name; for CSV/TSV, the file name.
    pub name: String,
    /// The rows that hold any text, in order.
    pub rows: Vec<Row>,
    /// Merged regions of a workbook sheet.
    pub merged: Vec<Region>,
}

/// One row: its cells from column A to the last non-empty one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// 1-based: the sheet's row number, or the line a CSV record starts on.
    pub number: usize,
    pub cells: Vec<String>,
}

impl Row {
    /// The trimmed text of a column, empty when the row is shorter.
    pub fn get(&self, column: usize) -> &str {
        self.cells.get(column).map_or("", |c| c.trim())
    }
}

/// A rectangle of cells, rows 1-based as Excel shows them, columns 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub first_row: usize,
    pub last_row: usize,
    pub first_column: usize,
    pub last_column: usize,
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}:{}{}",
            column_name(self.first_column),
            self.first_row,
            column_name(self.last_column),
            self.last_row
        )
    }
}

impl Sheet {
    pub fn row(&self, number: usize) -> Option<&Row> {
        self.rows.iter().find(|r| r.number == number)
    }
}

impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }
}

/// Excel's name of a 0-based column: A, B, ..., Z, AA, ...
pub fn column_name(column: usize) -> String {
    let mut n = column + 1;
    let mut name = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        name.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// The 0-based column of an Excel column name (`A`, `ad`), if it is one.
pub fn column_index(name: &str) -> Option<usize> {
    let name = name.trim();
    if name.is_empty() || name.len() > 3 || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let n = name
        .to_ascii_uppercase()
        .bytes()
        .fold(0usize, |n, b| n * 26 + usize::from(b - b'A' + 1));
    (n <= MAX_COLUMNS as usize).then(|| n - 1)
}

/// Reads a table file by its name's extension: `.xlsx`/`.xlsm` as a workbook, `.csv`/`.txt`
/// as comma-separated and `.tsv` as tab-separated text. `name` also names the file in
/// errors.
pub fn read(name: &str, bytes: &[u8]) -> Result<Workbook, WorkbookError> {
    read_with(name, bytes, &LIMITS)
}

/// [`read`] with other limits (tests use small ones).
pub fn read_with(name: &str, bytes: &[u8], limits: &Limits) -> Result<Workbook, WorkbookError> {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" => read_xlsx(name, bytes, limits),
        "csv" | "txt" => read_csv(name, bytes, b',', limits),
        "tsv" => read_csv(name, bytes, b'\t', limits),
        "xls" | "ods" | "xlsb" => Err(error(
            name,
            format!(".{ext} is not read: save the file as .xlsx (Excel workbook) or .csv"),
        )),
        _ => Err(error(
            name,
            "unsupported file type: use .xlsx, .csv or .tsv",
        )),
    }
}

/// Reads `bytes` as an XLSX workbook whatever the name says (`import-xlsx` reads the
/// workbooks tekigo wrote, under any name).
pub fn read_workbook(name: &str, bytes: &[u8]) -> Result<Workbook, WorkbookError> {
    read_xlsx(name, bytes, &LIMITS)
}

fn error(file: &str, message: impl Into<String>) -> WorkbookError {
    WorkbookError {
        file: file.to_string(),
        line: None,
        message: message.into(),
    }
}

fn limit(file: &str, what: impl fmt::Display, limit: impl fmt::Display) -> WorkbookError {
    error(
        file,
        format!("{what}, over the limit of {limit}; nothing was read"),
    )
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

/// CSV or TSV: one sheet named after the file, rows numbered by the line they start on.
fn read_csv(
    name: &str,
    bytes: &[u8],
    delimiter: u8,
    limits: &Limits,
) -> Result<Workbook, WorkbookError> {
    if bytes.len() as u64 > limits.file_bytes {
        return Err(limit(
            name,
            format!("the file has {} bytes", bytes.len()),
            mib(limits.file_bytes),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut cells = 0u64;
    for record in reader.records() {
        let record = record.map_err(|e| WorkbookError {
            file: name.to_string(),
            line: e.position().map(|p| p.line() as usize),
            message: e.to_string(),
        })?;
        cells += record.len() as u64;
        if cells > limits.cells {
            return Err(limit(
                name,
                format!("more than {} cells", limits.cells),
                limits.cells,
            ));
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(Row {
            number: record.position().map_or(0, |p| p.line() as usize),
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(Workbook {
        sheets: vec![Sheet {
            name: Path::new(name)
                .file_name()
                .map_or(name.to_string(), |n| n.to_string_lossy().into_owned()),
            rows,
            merged: Vec::new(),
        }],
        is_workbook: false,
    })
}

/// An XLSX workbook: the archive checked first ([`check_archive`]), then every worksheet
/// read cell by cell.
fn read_xlsx(name: &str, bytes: &[u8], limits: &Limits) -> Result<Workbook, WorkbookError> {
    check_archive(name, bytes, limits)?;
    let fail = |e: calamine::XlsxError| error(name, format!("not a readable workbook: {e}"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(fail)?;
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let mut budget = Budget {
        cells: limits.cells,
        text: limits.text_bytes,
    };
    let mut sheets = Vec::new();
    for sheet in names {
        let at = |message: String| error(name, format!("sheet {sheet:?}: {message}"));
        let merged = book
            .merge_cells_by_sheet_name(&sheet)
            .map_err(|e| at(e.to_string()))?;
        if merged.len() as u64 > limits.cells {
            return Err(limit(
                name,
                format!("sheet {sheet:?} has {} merged regions", merged.len()),
                limits.cells,
            ));
        }
        let merged = merged
            .iter()
            .map(|d| Region {
                first_row: d.start.0 as usize + 1,
                last_row: d.end.0 as usize + 1,
                first_column: d.start.1 as usize,
                last_column: d.end.1 as usize,
            })
            .collect();
        let rows = read_sheet(name, &sheet, &mut book, limits, &mut budget)?;
        sheets.push(Sheet {
            name: sheet,
            rows,
            merged,
        });
    }
    Ok(Workbook {
        sheets,
        is_workbook: true,
    })
}

/// What is left of the cells and text a workbook may keep.
struct Budget {
    cells: u64,
    text: u64,
}

fn read_sheet(
    file: &str,
    sheet: &str,
    book: &mut Xlsx<Cursor<&[u8]>>,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<Vec<Row>, WorkbookError> {
    let at = |message: String| error(file, format!("sheet {sheet:?}: {message}"));
    let mut reader = book
        .worksheet_cells_reader(sheet)
        .map_err(|e| at(e.to_string()))?;
    let declared = reader.dimensions();
    let declared_area = (u64::from(declared.end.0) + 1)
        .saturating_sub(u64::from(declared.start.0))
        .saturating_mul(
            (u64::from(declared.end.1) + 1).saturating_sub(u64::from(declared.start.1)),
        );
    if declared_area > limits.area {
        return Err(limit(
            file,
            format!(
                "sheet {sheet:?} declares the range {} ({declared_area} cells)",
                Region {
                    first_row: declared.start.0 as usize + 1,
                    last_row: declared.end.0 as usize + 1,
                    first_column: declared.start.1 as usize,
                    last_column: declared.end.1 as usize,
                }
            ),
            format!("{} cells", limits.area),
        ));
    }
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    let (mut first_row, mut last_row, mut last_col) = (u32::MAX, 0u32, 0u32);
    while let Some(cell) = reader.next_cell().map_err(|e| at(e.to_string()))? {
        let (row, col) = cell.get_position();
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(at(format!(
                "a cell at row {} column {} lies outside Excel's grid of {MAX_ROWS} rows and {MAX_COLUMNS} columns",
                u64::from(row) + 1,
                u64::from(col) + 1
            )));
        }
        let text = text_of(cell.get_value());
        if text.trim().is_empty() {
            continue;
        }
        if budget.cells == 0 {
            return Err(limit(
                file,
                format!(
                    "the workbook has more than {} non-empty cells",
                    limits.cells
                ),
                limits.cells,
            ));
        }
        budget.cells -= 1;
        match budget.text.checked_sub(text.len() as u64) {
            Some(left) => budget.text = left,
            None => {
                return Err(limit(
                    file,
                    "the workbook's cells hold more text than allowed",
                    mib(limits.text_bytes),
                ))
            }
        }
        first_row = first_row.min(row);
        last_row = last_row.max(row);
        last_col = last_col.max(col);
        cells.push((row, col, text));
    }
    if cells.is_empty() {
        return Ok(Vec::new());
    }
    let area = (u64::from(last_row) - u64::from(first_row) + 1) * (u64::from(last_col) + 1);
    if area > limits.area {
        return Err(limit(
            file,
            format!(
                "the cells of sheet {sheet:?} span {} ({area} cells)",
                Region {
                    first_row: first_row as usize + 1,
                    last_row: last_row as usize + 1,
                    first_column: 0,
                    last_column: last_col as usize,
                }
            ),
            format!("{} cells", limits.area),
        ));
    }
    // Stream order is row order in files Excel writes, but nothing promises it; a later
    // cell at the same position wins, as it would in Excel.
    cells.sort_by_key(|(r, c, _)| (*r, *c));
    let mut rows: Vec<Row> = Vec::new();
    for (r, c, text) in cells {
        let number = r as usize + 1;
        if rows.last().is_none_or(|last| last.number != number) {
            rows.push(Row {
                number,
                cells: Vec::new(),
            });
        }
        if let Some(row) = rows.last_mut() {
            let c = c as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, String::new());
            }
            row.cells[c] = text;
        }
    }
    Ok(rows)
}

fn text_of(value: &DataRef) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// The archive's own bounds, before anything else reads it: size, member count, and what
/// every member really inflates to.
pub fn check_archive(name: &str, bytes: &[u8], limits: &Limits) -> Result<(), WorkbookError> {
    if bytes.len() as u64 > limits.file_bytes {
        return Err(limit(
            name,
            format!("the file has {} bytes", bytes.len()),
            mib(limits.file_bytes),
        ));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(error(
            name,
            "not an XLSX workbook (an .xlsx file is a zip archive; this one is not)",
        ));
    }
    match declared_entries(bytes) {
        Some(n) if n > limits.entries => {
            return Err(limit(
                name,
                format!("the archive has {n} members"),
                limits.entries,
            ))
        }
        Some(_) => {}
        None => {
            return Err(error(
                name,
                "not an XLSX workbook: the zip archive has no end record (is the file cut short?)",
            ))
        }
    }
    let corrupt = |e: zip::result::ZipError| error(name, format!("not a readable workbook: {e}"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if zip.len() as u64 > limits.entries {
        return Err(limit(
            name,
            format!("the archive has {} members", zip.len()),
            limits.entries,
        ));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut member = zip.by_index(i).map_err(corrupt)?;
        let member_name = member
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("#{}", i + 1));
        let compressed = member.compressed_size();
        if member.size() > limits.entry_bytes {
            return Err(limit(
                name,
                format!("member {member_name:?} declares {} bytes", member.size()),
                mib(limits.entry_bytes),
            ));
        }
        let inflated = std::io::copy(
            &mut (&mut member).take(limits.entry_bytes + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| error(name, format!("member {member_name:?} cannot be read: {e}")))?;
        if inflated > limits.entry_bytes {
            return Err(limit(
                name,
                format!(
                    "member {member_name:?} inflates to more than {}",
                    mib(limits.entry_bytes)
                ),
                mib(limits.entry_bytes),
            ));
        }
        if inflated > RATIO_FLOOR && inflated / compressed.max(1) > limits.ratio {
            return Err(limit(
                name,
                format!(
                    "member {member_name:?} inflates {} times ({compressed} to {inflated} bytes)",
                    inflated / compressed.max(1)
                ),
                format!("{} times", limits.ratio),
            ));
        }
        total += inflated;
        if total > limits.total_bytes {
            return Err(limit(
                name,
                format!(
                    "the archive inflates to more than {}",
                    mib(limits.total_bytes)
                ),
                mib(limits.total_bytes),
            ));
        }
    }
    Ok(())
}

/// The member count of the last end-of-central-directory record, the one zip readers use;
/// `None` when there is none. A zip64 archive (count 0xFFFF) counts as too many: no
/// workbook within the limits needs one.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let search_from = bytes.len().saturating_sub(22 + 0xFFFF);
    let tail = &bytes[search_from..];
    let at = tail.windows(4).rposition(|w| w == EOCD)?;
    let record = tail.get(at..at + 22)?;
    let total = u16::from_le_bytes([record[10], record[11]]);
    Some(if total == 0xFFFF {
        u64::MAX
    } else {
        u64::from(total)
    })
}

#[cfg(test)]
mod tests;
