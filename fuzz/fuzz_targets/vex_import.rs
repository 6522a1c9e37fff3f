//! VEX documents (OpenVEX, CSAF, CycloneDX) come from other parties: arbitrary bytes must
//! import or fail with an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tekigo_vex::import::from_slice(data, "fuzz");
});
