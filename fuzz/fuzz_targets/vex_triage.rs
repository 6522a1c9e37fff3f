//! The triage file is edited by hand and merged in git: arbitrary text must load or fail
//! with an error, never panic; what loads must export to both formats without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tekigo_vex::{DocumentMeta, Triage};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(triage) = Triage::parse(text, "fuzz") else {
        return;
    };
    let meta = DocumentMeta {
        id: "urn:uuid:00000000-0000-0000-0000-000000000000".into(),
        author: "fuzz".into(),
        publisher_namespace: "https://example.com".into(),
        title: "fuzz".into(),
        timestamp: time::OffsetDateTime::UNIX_EPOCH,
        version: 1,
    };
    let _ = tekigo_vex::openvex::export(triage.records(), &meta);
    let _ = tekigo_vex::csaf::export(triage.records(), &meta);
});
