//! `tekigo-detail` reads error messages that quote what a user's file held (`invalid type:
//! string "..."`): any text must come back told or unchanged, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tekigo_catalog::Lang;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = tekigo_detail::detail(Lang::Ja, text);
    }
});
