//! Check sheets come back from suppliers and certification bodies: arbitrary bytes as an
//! XLSX workbook or CSV, read through the bounded reader and placed into an assessment
//! (`assess import-sheet`), must give a result or an error, never a panic, an abort or an
//! allocation beyond the reader's limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tekigo_assess::edit::{new_assessment, NewAssessment};
use tekigo_assess::sheet_import::{plan, SheetMap};
use tekigo_catalog::{Catalog, ComponentType};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(catalog) = Catalog::builtin() else {
        return;
    };
    let name = ["sheet.xlsx", "sheet.csv"][usize::from(pick) % 2];
    let Ok(book) = tekigo_workbook::read(name, rest) else {
        return;
    };
    let Ok(a) = new_assessment(
        catalog,
        NewAssessment {
            id: "A".into(),
            standard: "62443-4-2".into(),
            subject: "gw".into(),
            component_type: Some(ComponentType::Embedded),
            version: None,
            target_sl: "2".parse().ok(),
            target_ml: None,
        },
    ) else {
        return;
    };
    let _ = plan(
        catalog,
        &a,
        &book,
        &SheetMap::default(),
        Path::new(name),
        Path::new("/nonexistent"),
    );
});
