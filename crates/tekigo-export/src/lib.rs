//! Catalog items and checklists in the formats people exchange: JSON and CSV for scripts,
//! XLSX for the check-sheet crowd, OSCAL for GRC tools.
//!
//! Every format is fed the same [`ItemRecord`], so a field added there shows up in all of
//! them and the formats cannot drift apart.

mod oscal;
mod record;
mod xlsx;

pub use oscal::{oscal_catalog, token as oscal_token};
pub use record::ItemRecord;
pub use xlsx::{checklist_workbook, sheet_name, write_summary, Summary, SummaryCell};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Records as CSV with a header row; lists are joined with `; `.
pub fn to_csv(records: &[ItemRecord]) -> Result<Vec<u8>, ExportError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(ItemRecord::CSV_HEADER)?;
    for r in records {
        out.write_record(r.csv_row())?;
    }
    out.into_inner()
        .map_err(|e| ExportError::Io(e.into_error()))
}

/// Now, as the RFC 3339 UTC timestamp that OSCAL and the reports carry.
pub fn timestamp_now() -> String {
    use time::format_description::well_known::Rfc3339;
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}
