//! The kev importer of tekigo-vulndb on arbitrary bytes (advisory feeds are outside data):
//! errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tekigo_vulndb::parse::kev(data);
});
