//! Two writers of `watch/findings.json` at once (two watches, or a watch and a webhook
//! delivery) lose nothing: every change holds the file's lock from read to write.

use tekigo_release::watch::{load_findings, update_findings, WatchFinding};

fn finding(writer: usize, n: usize) -> WatchFinding {
    WatchFinding {
        release: format!("{writer}.0"),
        vulnerability: format!("CVE-2026-{n:05}"),
        aliases: Vec::new(),
        component: "pkg:npm/lodash@4.17.20".to_string(),
        first_seen: "2026-12-03T00:00:00Z".to_string(),
        kev: false,
        kev_date_added: None,
        delivered_at: None,
    }
}

#[test]
fn concurrent_writers_keep_every_finding() {
    const WRITERS: usize = 4;
    const EACH: usize = 60;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let root = root.clone();
            std::thread::spawn(move || {
                for n in 0..EACH {
                    update_findings(&root, |file| {
                        file.findings.push(finding(w, n));
                        (true, ())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let file = load_findings(&root).unwrap();
    assert_eq!(file.findings.len(), WRITERS * EACH);
    for w in 0..WRITERS {
        for n in 0..EACH {
            assert!(file.findings.contains(&finding(w, n)), "{w} {n} lost");
        }
    }
}
