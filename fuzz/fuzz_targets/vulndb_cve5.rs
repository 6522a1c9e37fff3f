//! CVE JSON 5 records come from a feed: parsing never panics, and a record that parses
//! keeps a CVE id.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(adv) = tekigo_vulndb::parse::cve5(data) {
        assert!(adv.id.starts_with("CVE-"));
    }
});
