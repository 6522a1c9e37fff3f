//! The Debian security tracker's export is a large outside document: parsing never panics,
//! and every advisory it gives names a Debian release.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(advisories) = tekigo_vulndb::parse::debian_tracker(data) {
        for adv in advisories {
            assert!(adv.id.starts_with("DEBIAN-"));
        }
    }
});
