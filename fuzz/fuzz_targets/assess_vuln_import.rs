//! `tekigo assess import-vulns` reads a scan JSON a user hands it: errors are fine, panics
//! are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tekigo_assess::vuln_import::parse(data);
});
