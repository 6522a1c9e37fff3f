//! Version strings come from SBOMs and advisories. Under every ecosystem's rules: parsing
//! never panics, and two versions that parse compare consistently (reflexive, antisymmetric).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::cmp::Ordering;
use tekigo_versions::{Ecosystem, Version};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, "1.0"));
    for eco in Ecosystem::ALL {
        let (Ok(va), Ok(vb)) = (Version::parse(eco, a), Version::parse(eco, b)) else {
            continue;
        };
        assert_eq!(va.compare(&va), Some(Ordering::Equal), "{eco} {a:?}");
        let ab = va.compare(&vb).expect("same ecosystem");
        let ba = vb.compare(&va).expect("same ecosystem");
        assert_eq!(ab, ba.reverse(), "{eco} {a:?} {b:?}");
    }
});
