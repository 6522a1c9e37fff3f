//! Property: whatever tree of directories, files and symlinks an image holds, and whatever
//! path is looked up in it, the lookup lands on a file of the image or fails; never on a file
//! outside it.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Component, Path, PathBuf};

use proptest::prelude::*;
use tekigo_rootfs::{Root, RootError};

#[derive(Debug, Clone)]
enum Node {
    Dir,
    File,
    Link {
        absolute: bool,
        target: Vec<&'static str>,
    },
}

fn name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["a", "b", "c", "etc"])
}

/// Link targets and lookups mix names of the image, names that exist only outside it (the
/// decoys next to the root, and the host's own `/etc`, `/tmp`), `..` and `.`.
fn step() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a", "b", "c", "etc", "tmp", "shadow", "..", "..", ".", "decoy",
    ])
}

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        Just(Node::Dir),
        Just(Node::File),
        (any::<bool>(), prop::collection::vec(step(), 0..6))
            .prop_map(|(absolute, target)| Node::Link { absolute, target }),
    ]
}

fn join(absolute: bool, parts: &[&str]) -> PathBuf {
    let mut path = PathBuf::from(if absolute { "/" } else { "" });
    path.extend(parts);
    path
}

/// Whether `root/rel` can be created without the test itself following a link planted by an
/// earlier step: every parent must be a real directory.
fn parents_are_real_dirs(root: &Path, rel: &[&str]) -> bool {
    let mut path = root.to_path_buf();
    for part in &rel[..rel.len() - 1] {
        path.push(part);
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_dir() => {}
            _ => return false,
        }
    }
    fs::symlink_metadata(root.join(join(false, rel))).is_err()
}

/// Device and inode of everything in the tree, links not followed.
fn inodes(path: &Path, into: &mut HashSet<(u64, u64)>) {
    let meta = fs::symlink_metadata(path).unwrap();
    into.insert((meta.dev(), meta.ino()));
    if meta.file_type().is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            inodes(&entry.unwrap().path(), into);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn lookups_never_leave_the_root(
        nodes in prop::collection::vec((prop::collection::vec(name(), 1..4), node()), 1..25),
        lookups in prop::collection::vec((any::<bool>(), prop::collection::vec(step(), 0..8)), 1..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root_path = dir.path().join("root");
        fs::create_dir(&root_path).unwrap();
        // Decoys a resolver climbing out of the root would find.
        for decoy in ["a", "b", "decoy", "etc"] {
            fs::create_dir(dir.path().join(decoy)).unwrap();
            fs::write(dir.path().join(decoy).join("shadow"), b"OUTSIDE").unwrap();
        }
        for (rel, node) in &nodes {
            if !parents_are_real_dirs(&root_path, rel) {
                continue;
            }
            let path = root_path.join(join(false, rel));
            match node {
                Node::Dir => fs::create_dir(&path).unwrap(),
                Node::File => fs::write(&path, b"INSIDE").unwrap(),
                // Linux refuses to create a link with an empty target.
                Node::Link { absolute, target } => {
                    let _ = symlink(join(*absolute, target), &path);
                }
            }
        }
        let mut inside = HashSet::new();
        inodes(&root_path, &mut inside);

        let root = Root::open(&root_path).unwrap();
        for (absolute, parts) in &lookups {
            let lookup = join(*absolute, parts);
            match root.resolve(&lookup) {
                Ok(resolved) => {
                    let m = resolved.metadata;
                    prop_assert!(inside.contains(&(m.dev, m.ino)), "{lookup:?} left the root: {resolved:?}");
                    prop_assert!(resolved.path.has_root());
                    prop_assert!(resolved
                        .path
                        .components()
                        .all(|c| matches!(c, Component::RootDir | Component::Normal(_))));
                    // The path reported contains no link, so the host sees the same file there.
                    let host = fs::symlink_metadata(&resolved.host_path).unwrap();
                    prop_assert_eq!((host.dev(), host.ino()), (m.dev, m.ino));
                    if m.is_file() {
                        prop_assert_eq!(root.read(&lookup, 64).unwrap().bytes, b"INSIDE");
                    }
                }
                Err(RootError::NotFound { .. })
                | Err(RootError::NotADirectory { .. })
                | Err(RootError::TooManyLinks { .. }) => {}
                Err(other) => prop_assert!(false, "{lookup:?}: unexpected {other:?}"),
            }
        }
        for item in root.walk(Default::default()) {
            let entry = item.unwrap();
            prop_assert!(inside.contains(&(entry.metadata.dev, entry.metadata.ino)));
        }
    }
}
