//! A checklist as a workbook in the shape of the check sheet people already keep (seed 004):
//! one sheet per FR, the requirement, its Japanese title, and empty columns for the check,
//! the reason for the choice (選択理由) and the evidence (エビデンス).

use crate::record::ItemRecord;
use crate::ExportError;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet};

const COLUMNS: [(&str, f64); 11] = [
    ("ID", 16.0),
    ("Title", 42.0),
    ("和訳 (Japanese title)", 34.0),
    ("Min SL", 8.0),
    ("Type", 10.0),
    ("Summary", 60.0),
    ("Phases", 22.0),
    ("Confidence", 18.0),
    ("✓", 5.0),
    ("Reason (選択理由)", 40.0),
    ("Evidence (エビデンス)", 40.0),
];

/// `title` heads every sheet (product, standard, type and target vector, say).
pub fn checklist_workbook(title: &str, records: &[ItemRecord]) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let mut groups: Vec<(String, Vec<&ItemRecord>)> = Vec::new();
    for r in records {
        let key = r.fr.clone().unwrap_or_else(|| "Requirements".to_string());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    if groups.is_empty() {
        groups.push(("Requirements".to_string(), Vec::new()));
    }
    for (name, rows) in &groups {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(name))?;
        write_sheet(sheet, title, name, rows)?;
    }
    Ok(book.save_to_buffer()?)
}

/// A group name as Excel accepts it for a sheet; shared with the assessment workbook.
pub fn sheet_name(group: &str) -> String {
    // Excel allows 31 characters and no []:*?/\ in a sheet name.
    group
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

fn write_sheet(
    sheet: &mut Worksheet,
    title: &str,
    group: &str,
    rows: &[&ItemRecord],
) -> Result<(), ExportError> {
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDE4EE");
    let wrap = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    sheet.write_with_format(0, 0, title, &bold)?;
    sheet.write_with_format(1, 0, group, &bold)?;
    let head_row = 3;
    for (col, (name, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, *width)?;
        sheet.write_with_format(head_row, col, *name, &header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = head_row + 1 + i as u32;
        let cells = [
            r.id.clone(),
            r.title_en.clone(),
            r.title_ja.clone(),
            r.min_sl.map(|l| l.to_string()).unwrap_or_default(),
            r.component_type.clone().unwrap_or_default(),
            r.summary.clone(),
            r.phases.join(", "),
            r.confidence_label(),
            String::new(),
            String::new(),
            String::new(),
        ];
        for (col, value) in cells.iter().enumerate() {
            sheet.write_with_format(row, col as u16, value.as_str(), &wrap)?;
        }
    }
    let last = head_row + rows.len() as u32;
    sheet.autofilter(head_row, 0, last, COLUMNS.len() as u16 - 1)?;
    sheet.set_freeze_panes(head_row + 1, 1)?;
    Ok(())
}

/// A cell of the summary sheet: levels and counts are numbers, so that a reader's formulas
/// and charts work on them.
#[derive(Debug, Clone, PartialEq)]
pub enum SummaryCell {
    Text(String),
    Number(f64),
}

/// The first sheet a reader of an assessment workbook sees: the levels (one row per FR,
/// practice or SPE, one column per level vector) and the counts behind them. Headers are
/// given by the caller in both languages, as the rest of the workbook writes them.
pub struct Summary<'a> {
    pub title: &'a str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SummaryCell>>,
    pub counts: Vec<(String, SummaryCell)>,
}

/// Writes `summary` on `sheet`: the title, the level table with a header row, then the
/// counts as label and value.
pub fn write_summary(
    sheet: &mut Worksheet,
    summary: &Summary,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDE4EE");
    let cell = Format::new().set_border(FormatBorder::Thin);
    sheet.write_with_format(0, 0, summary.title, &bold)?;
    sheet.set_column_width(0, 36.0)?;
    for (col, name) in summary.columns.iter().enumerate() {
        if col > 0 {
            sheet.set_column_width(col as u16, 18.0)?;
        }
        sheet.write_with_format(2, col as u16, name.as_str(), &header)?;
    }
    let write = |sheet: &mut Worksheet, row: u32, col: u16, value: &SummaryCell| match value {
        SummaryCell::Text(t) => sheet
            .write_with_format(row, col, t.as_str(), &cell)
            .map(|_| ()),
        SummaryCell::Number(n) => sheet.write_with_format(row, col, *n, &cell).map(|_| ()),
    };
    for (i, cells) in summary.rows.iter().enumerate() {
        for (col, value) in cells.iter().enumerate() {
            write(sheet, 3 + i as u32, col as u16, value)?;
        }
    }
    let start = 4 + summary.rows.len() as u32;
    for (i, (label, value)) in summary.counts.iter().enumerate() {
        let row = start + i as u32;
        sheet.write_with_format(row, 0, label.as_str(), &bold)?;
        write(sheet, row, 1, value)?;
    }
    Ok(())
}
