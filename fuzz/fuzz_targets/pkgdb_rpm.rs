//! rpm header blobs and whole rpmdb.sqlite files come from the image under scan, which is
//! hostile: any bytes must give a package, nothing, or a problem, never a panic. The first
//! byte picks a header blob or a database file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tekigo_pkgdb::parse;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let path = Path::new("/var/lib/rpm/rpmdb.sqlite");
    if pick % 2 == 0 {
        let _ = parse::rpm_header(path, 1, rest, None);
    } else {
        let _ = parse::rpm_sqlite(path, rest.to_vec(), None);
    }
});
