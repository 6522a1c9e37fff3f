//! Licensed-text imports are files from outside: arbitrary bytes as CSV, TSV or XLSX must
//! give a result or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tekigo_catalog::licensed::parse_import;
use tekigo_catalog::Catalog;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(catalog) = Catalog::builtin() else {
        return;
    };
    let name = ["import.csv", "import.tsv", "import.xlsx"][usize::from(pick) % 3];
    let _ = parse_import(catalog, name, rest, None);
});
