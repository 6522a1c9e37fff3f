//! A user-supplied catalog directory is outside data: replace one built-in file with
//! arbitrary text and load. Loading may fail; it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tekigo_catalog::Catalog;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let files: Vec<(String, String)> = Catalog::builtin_files()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let victim = usize::from(pick) % files.len();
    let text = String::from_utf8_lossy(rest).into_owned();
    let files = files.into_iter().enumerate().map(|(i, (n, t))| {
        if i == victim {
            (n, text.clone())
        } else {
            (n, t)
        }
    });
    let _ = Catalog::from_files(files);
});
