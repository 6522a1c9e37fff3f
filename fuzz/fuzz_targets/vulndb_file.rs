//! The advisory database file is mapped and read in place (records) and read with pread
//! (key sample, key blocks, postings); a damaged or planted file must give errors, never a
//! panic or a read outside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tekigo_vulndb::{Db, Query};

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("tekigo-fuzz-vulndb-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("advisories.tkvdb");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Ok(db) = Db::open(&path) else { return };
    for i in 0..db.len().min(8) {
        let _ = db.record(i);
    }
    // The packages of the seed database (the tekigo-vulndb test fixtures), so mutations of
    // it reach the postings, heads and records.
    let mut queries: Vec<Query> = [
        "pkg:apk/alpine/liblzma@5.6.1-r1?distro=alpine-3.20.1&upstream=xz",
        "pkg:deb/debian/libc6@2.36-9?distro=debian-12&upstream=glibc",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
    ]
    .iter()
    .filter_map(|p| Query::from_purl(p).ok())
    .collect();
    queries.push(Query {
        label: "xz".into(),
        name: "xz".into(),
        version: Some("5.6.0".into()),
        cpes: vec!["cpe:2.3:a:tukaani:xz:5.6.0:*:*:*:*:*:*:*".into()],
        ..Query::default()
    });
    queries.push(Query {
        label: "FactoryTalk Activation Manager".into(),
        name: "FactoryTalk Activation Manager".into(),
        version: Some("4.00".into()),
        ..Query::default()
    });
    let _ = tekigo_vulndb::scan(&db, &queries);
});
