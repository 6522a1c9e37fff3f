//! dpkg and opkg databases come from the image under scan, which is hostile: any text as
//! a dpkg status file, a distroless status.d file, an opkg status file or an os-release
//! must give packages and problems, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tekigo_pkgdb::parse;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let os = parse::os_release(Path::new("/etc/os-release"), &text, String::new());
    let path = Path::new("/var/lib/dpkg/status");
    let parsed = match pick % 3 {
        0 => parse::dpkg_status(path, &text, Some(&os)),
        1 => parse::dpkg_status_d(path, &text, Some(&os)),
        _ => parse::opkg_status(path, &text, Some(&os)),
    };
    for package in parsed.packages {
        assert!(!package.name.is_empty() && !package.version.is_empty());
        assert!(package.purl.starts_with("pkg:"));
    }
});
