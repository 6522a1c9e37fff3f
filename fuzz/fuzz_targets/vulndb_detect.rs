//! Format detection plus every importer, as `tekigo vulndb import` runs them on one file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tekigo_vulndb::parse_document(data);
});
