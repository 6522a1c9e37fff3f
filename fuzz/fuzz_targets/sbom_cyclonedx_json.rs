//! SBOMs come from suppliers: arbitrary bytes parsed as CycloneDxJson must give an SBOM or an error
//! naming the input, never a panic. Also exercises format sniffing on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tekigo_sbom::{Format, Sbom};

fuzz_target!(|data: &[u8]| {
    let _ = Sbom::parse_as(Format::CycloneDxJson, data, "fuzz");
    let _ = Sbom::from_slice(data, "fuzz");
});
