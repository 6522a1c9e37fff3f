//! apk's installed database comes from the image under scan, which is hostile: any text
//! must give packages and problems, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tekigo_pkgdb::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = parse::apk_installed(Path::new("/lib/apk/db/installed"), &text, None);
    for package in parsed.packages {
        assert!(!package.name.is_empty() && !package.version.is_empty());
    }
});
