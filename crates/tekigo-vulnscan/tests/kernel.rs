//! The state rule of the crate docs for kernel findings, on the real Kbuild files and the
//! generated arm64 configuration of tekigo-kconfig's fixtures: every file of a fix not
//! built gives not_affected, one built gives affected, anything undecided gives unknown.

use std::path::{Path, PathBuf};
use tekigo_vulnscan::{FindingState, Kernel};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tekigo-kconfig/tests/fixtures")
}

fn kernel() -> Kernel {
    let config =
        tekigo_kconfig::Config::read(&fixtures().join("config/arm64-6.1.192.config")).unwrap();
    let tree = tekigo_kconfig::Tree::open(&fixtures().join("linux-6.1.192")).unwrap();
    Kernel::new(config, tree)
}

#[test]
fn the_state_of_a_fix_by_its_files() {
    let k = kernel();
    let files = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Two files of one gated directory: not affected, the gate cited once.
    let (state, evidence, reason) = k.decide(&files(&["fs/ntfs3/inode.c", "fs/ntfs3/super.c"]));
    assert_eq!(state, FindingState::NotAffected);
    let cited: Vec<(String, usize)> = evidence
        .iter()
        .map(|l| (l.file.rsplit('/').next().unwrap().to_string(), l.number))
        .collect();
    assert_eq!(
        cited,
        [
            ("Makefile".to_string(), 99),
            ("arm64-6.1.192.config".to_string(), 9139)
        ]
    );
    assert_eq!(reason, None);
    // One built file is enough.
    let (state, _, _) = k.decide(&files(&["fs/ntfs3/inode.c", "net/ipv4/tcp.c"]));
    assert_eq!(state, FindingState::Affected);
    // Not built and undecided: unknown, with the reason.
    let (state, evidence, reason) = k.decide(&files(&["fs/ntfs3/inode.c", "include/net/tcp.h"]));
    assert_eq!(state, FindingState::Unknown);
    assert!(evidence.is_empty());
    assert!(reason.unwrap().starts_with("include/net/tcp.h: "));
}
