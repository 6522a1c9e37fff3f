//! The acceptance points of the device scanner's read layer, each against a hostile image
//! built in a temporary directory.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use rustix::fs::{Mode, CWD};
use sha2::{Digest, Sha256};
use tekigo_rootfs::{FileType, Root, RootError, WalkOptions, MAX_SYMLINKS};
use tempfile::TempDir;

const MARKER: &[u8] = b"root:IMAGE-MARKER:19000:0:99999:7:::\n";

/// A temporary directory holding `root/` (the image) next to decoy files that a resolver
/// climbing out of the image would find.
struct Image {
    _dir: TempDir,
    root: PathBuf,
}

impl Image {
    fn new() -> Image {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        fs::create_dir(&root).unwrap();
        fs::create_dir(dir.path().join("etc")).unwrap();
        fs::write(dir.path().join("etc/shadow"), b"OUTSIDE THE IMAGE").unwrap();
        Image { _dir: dir, root }
    }

    fn dir(&self, rel: &str) -> &Self {
        fs::create_dir_all(self.root.join(rel)).unwrap();
        self
    }

    fn file(&self, rel: &str, contents: &[u8]) -> &Self {
        fs::write(self.root.join(rel), contents).unwrap();
        self
    }

    fn link(&self, rel: &str, target: &str) -> &Self {
        symlink(target, self.root.join(rel)).unwrap();
        self
    }

    fn open(&self) -> Root {
        Root::open(&self.root).unwrap()
    }
}

/// Runs `f` on another thread and fails the test instead of hanging if it blocks.
fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the operation blocked")
}

#[test]
fn absolute_link_to_etc_shadow_reads_the_image_file() {
    let image = Image::new();
    image
        .dir("etc")
        .file("etc/shadow", MARKER)
        .link("etc/evil", "/etc/shadow");
    image.link("evil", "/etc/shadow");
    let root = image.open();

    for path in ["/etc/evil", "etc/evil", "/evil", "/etc/../evil"] {
        let read = root.read(path, 4096).unwrap();
        assert_eq!(read.bytes, MARKER, "{path}");
        assert_eq!(read.path, Path::new("/etc/shadow"));
        assert!(!read.truncated);
        assert_eq!(read.sha256, <[u8; 32]>::from(Sha256::digest(MARKER)));
    }
    let resolved = root.resolve("/etc/evil").unwrap();
    assert_eq!(resolved.path, Path::new("/etc/shadow"));
    assert_eq!(resolved.host_path, image.root.join("etc/shadow"));
    assert_eq!(
        root.read_link("/etc/evil").unwrap(),
        Path::new("/etc/shadow")
    );
    assert_eq!(
        root.symlink_metadata("/etc/evil").unwrap().file_type,
        FileType::Symlink
    );
    assert_eq!(
        root.metadata("/etc/evil").unwrap().file_type,
        FileType::Regular
    );
}

#[test]
fn absolute_link_to_a_file_missing_in_the_image_is_not_found() {
    let image = Image::new();
    image.dir("etc").link("etc/evil", "/etc/shadow");
    let root = image.open();
    match root.read("/etc/evil", 4096) {
        Err(RootError::NotFound { path }) => assert_eq!(path, Path::new("/etc/shadow")),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(!root.exists("/etc/evil").unwrap());
    assert!(root.exists("/etc").unwrap());

    // Without even an etc directory in the image.
    let bare = Image::new();
    bare.link("evil", "/etc/shadow");
    let err = bare.open().read("/evil", 4096).unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.path(), Path::new("/etc"));
}

#[test]
fn dot_dot_and_relative_links_are_clamped_at_the_root() {
    let image = Image::new();
    image
        .dir("etc")
        .file("etc/shadow", MARKER)
        .dir("usr/lib/deep");
    image.link("up", "../../..");
    image.link("a", "../../../../etc");
    image.link("usr/lib/deep/x", "../../../../../../../etc/shadow");
    image.link("usr/lib/rel", "../../etc/shadow");
    let root = image.open();
    let root_meta = root.metadata("/").unwrap();

    let up = root.resolve("/up").unwrap();
    assert_eq!(up.path, Path::new("/"));
    assert_eq!(
        (up.metadata.dev, up.metadata.ino),
        (root_meta.dev, root_meta.ino)
    );

    for path in [
        "/a/shadow",
        "/up/etc/shadow",
        "/up/up/up/a/shadow",
        "/usr/lib/deep/x",
        "/usr/lib/rel",
        "/../../../etc/shadow",
        "../../etc/shadow",
        "/usr/../../../../etc/./shadow",
    ] {
        let read = root
            .read(path, 4096)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(read.bytes, MARKER, "{path}");
        assert_eq!(read.path, Path::new("/etc/shadow"), "{path}");
    }
    assert_eq!(root.resolve("../..").unwrap().path, Path::new("/"));
    assert_eq!(root.resolve("/usr/lib/..").unwrap().path, Path::new("/usr"));
}

#[test]
fn link_loops_are_too_many_links() {
    let image = Image::new();
    image
        .link("a", "b")
        .link("b", "a")
        .link("self", "self")
        .link("dirloop", "dirloop/x");
    let root = image.open();
    for path in ["/a", "/self", "/dirloop", "/a/x"] {
        match root.read(path, 10) {
            Err(RootError::TooManyLinks { limit, .. }) => assert_eq!(limit, MAX_SYMLINKS),
            other => panic!("{path}: expected TooManyLinks, got {other:?}"),
        }
    }
    // exists() does not hide a loop as "absent".
    assert!(matches!(
        root.exists("/a"),
        Err(RootError::TooManyLinks { .. })
    ));
}

#[test]
fn a_chain_of_exactly_the_limit_resolves_one_more_does_not() {
    let image = Image::new();
    image.file("target", b"end");
    // l0 -> l1 -> ... -> l{n-1} -> target is n links.
    let n = MAX_SYMLINKS + 1;
    for i in 0..n {
        let next = if i + 1 == n {
            "target".to_string()
        } else {
            format!("l{}", i + 1)
        };
        image.link(&format!("l{i}"), &next);
    }
    let root = image.open();
    assert_eq!(root.read("/l1", 10).unwrap().bytes, b"end");
    assert!(matches!(
        root.read("/l0", 10),
        Err(RootError::TooManyLinks { .. })
    ));
}

#[test]
fn a_fifo_is_never_opened_and_the_read_does_not_block() {
    let image = Image::new();
    image.dir("run");
    rustix::fs::mknodat(
        CWD,
        image.root.join("run/fifo"),
        rustix::fs::FileType::Fifo,
        Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
    image.link("fifo-link", "/run/fifo");
    let root = image.open();
    let result = within_seconds(move || {
        (
            root.read("/run/fifo", 10).unwrap_err(),
            root.read_to_string("/fifo-link", 10).unwrap_err(),
        )
    });
    for err in [result.0, result.1] {
        match err {
            RootError::NotRegular { path, file_type } => {
                assert_eq!(path, Path::new("/run/fifo"));
                assert_eq!(file_type, FileType::Fifo);
            }
            other => panic!("expected NotRegular, got {other:?}"),
        }
    }

    // A walk reports the FIFO without opening it, and does not block either.
    let root = image.open();
    let fifo = within_seconds(move || {
        let options = WalkOptions {
            skip: vec![],
            ..WalkOptions::default()
        };
        root.walk(options)
            .filter_map(Result::ok)
            .find(|e| e.path == Path::new("/run/fifo"))
    });
    assert_eq!(fifo.unwrap().metadata.file_type, FileType::Fifo);
}

#[test]
fn a_link_to_dev_null_is_resolved_inside_the_image() {
    let image = Image::new();
    image.dir("dev").link("null-link", "/dev/null");
    let root = image.open();
    // The image has no /dev/null: the host's must not be reached.
    assert!(root.read("/null-link", 10).unwrap_err().is_not_found());
    assert!(root.read("/null-link/..", 10).is_err());
}

#[test]
fn a_character_device_in_the_image_is_never_opened() {
    let image = Image::new();
    image.dir("dev").link("null-link", "/dev/null");
    let made = rustix::fs::mknodat(
        CWD,
        image.root.join("dev/null"),
        rustix::fs::FileType::CharacterDevice,
        Mode::from_raw_mode(0o666),
        rustix::fs::makedev(1, 3),
    );
    if made.is_err() {
        eprintln!("cannot create device nodes here (not root?); covered by the link test only");
        return;
    }
    let root = image.open();
    for path in ["/dev/null", "/null-link"] {
        match root.read(path, 10) {
            Err(RootError::NotRegular { file_type, path }) => {
                assert_eq!(file_type, FileType::CharDevice);
                assert_eq!(path, Path::new("/dev/null"));
            }
            other => panic!("{path}: expected NotRegular, got {other:?}"),
        }
    }
    let meta = root.metadata("/null-link").unwrap();
    assert_eq!(meta.rdev, rustix::fs::makedev(1, 3));
}

#[test]
fn directories_are_not_read_as_files() {
    let image = Image::new();
    image.dir("etc");
    let root = image.open();
    for path in ["/etc", "/"] {
        assert!(matches!(
            root.read(path, 10),
            Err(RootError::NotRegular {
                file_type: FileType::Directory,
                ..
            })
        ));
    }
}

#[test]
fn the_size_limit_truncates_and_says_so() {
    let image = Image::new();
    let contents: Vec<u8> = (0..100u8).collect();
    image.file("big", &contents);
    let root = image.open();

    let read = root.read("/big", 10).unwrap();
    assert!(read.truncated);
    assert_eq!(read.bytes, &contents[..10]);
    assert_eq!(read.metadata.size, 100);
    assert_eq!(
        read.sha256,
        <[u8; 32]>::from(Sha256::digest(&contents[..10]))
    );
    assert_eq!(read.sha256_hex().len(), 64);

    let exact = root.read("/big", 100).unwrap();
    assert!(!exact.truncated);
    assert_eq!(exact.bytes, contents);

    let nothing = root.read("/big", 0).unwrap();
    assert!(nothing.truncated && nothing.bytes.is_empty());

    assert!(root.read("/big", u64::MAX).is_ok_and(|r| !r.truncated));

    match root.read_all("/big", 99) {
        Err(RootError::TooLarge { size, limit, path }) => {
            assert_eq!((size, limit), (100, 99));
            assert_eq!(path, Path::new("/big"));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(root.read_all("/big", 100).unwrap().bytes.len(), 100);
}

#[test]
fn text_reads_flag_invalid_utf8() {
    let image = Image::new();
    image
        .file("good", "héllo".as_bytes())
        .file("bad", b"ab\xffcd");
    let root = image.open();
    let good = root.read_to_string("/good", 100).unwrap();
    assert_eq!((good.text.as_str(), good.lossy), ("héllo", false));
    let bad = root.read_to_string("/bad", 100).unwrap();
    assert_eq!((bad.text.as_str(), bad.lossy), ("ab\u{fffd}cd", true));
    // Cutting the two-byte é in half is lossy too.
    let cut = root.read_to_string("/good", 2).unwrap();
    assert!(cut.truncated && cut.lossy);
}

#[test]
fn a_file_on_the_way_is_not_a_directory() {
    let image = Image::new();
    image.dir("etc").file("etc/passwd", b"x");
    let root = image.open();
    assert!(matches!(
        root.read("/etc/passwd/x", 10),
        Err(RootError::NotADirectory { .. })
    ));
    assert!(!root.exists("/etc/passwd/x").unwrap());
    assert!(matches!(
        root.read_dir("/etc/passwd"),
        Err(RootError::NotADirectory { .. })
    ));
    assert!(matches!(
        root.read_link("/etc/passwd"),
        Err(RootError::NotASymlink { .. })
    ));
}

#[test]
fn read_dir_lists_without_following() {
    let image = Image::new();
    image
        .dir("etc/init.d")
        .file("etc/passwd", b"x")
        .link("etc/escape", "/");
    image.link("etc-link", "etc");
    let root = image.open();
    let entries = root.read_dir("/etc-link").unwrap();
    let seen: Vec<(String, FileType)> = entries
        .iter()
        .map(|e| (e.name.to_string_lossy().into_owned(), e.file_type))
        .collect();
    assert_eq!(
        seen,
        [
            ("escape".to_string(), FileType::Symlink),
            ("init.d".to_string(), FileType::Directory),
            ("passwd".to_string(), FileType::Regular),
        ]
    );
    assert_eq!(entries[0].path, Path::new("/etc/escape"));
    // Listing through the escaping link lists the image root, not the host's.
    let top: Vec<_> = root
        .read_dir("/etc/escape")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(top, ["etc", "etc-link"]);
}

fn walk_image() -> Image {
    let image = Image::new();
    image
        .dir("bin")
        .dir("usr/sbin")
        .dir("proc/1")
        .dir("sys/kernel")
        .dir("tmp")
        .dir("home/user");
    image
        .file("bin/su", b"su")
        .file("usr/sbin/plain", b"p")
        .file("proc/1/status", b"s");
    fs::set_permissions(
        image.root.join("bin/su"),
        fs::Permissions::from_mode(0o4755),
    )
    .unwrap();
    fs::set_permissions(
        image.root.join("usr/sbin/plain"),
        fs::Permissions::from_mode(0o2775),
    )
    .unwrap();
    fs::set_permissions(image.root.join("tmp"), fs::Permissions::from_mode(0o1777)).unwrap();
    image
        .link("host", "/")
        .link("up", "../..")
        .link("home/user/sbin", "/usr/sbin");
    image
}

#[test]
fn walk_reports_modes_and_does_not_follow_links_or_enter_proc() {
    let image = walk_image();
    let root = image.open();
    let entries: Vec<_> = root
        .walk(WalkOptions::default())
        .collect::<Result<_, _>>()
        .unwrap();
    let paths: Vec<&Path> = entries.iter().map(|e| e.path.as_path()).collect();
    assert_eq!(
        paths,
        [
            "/",
            "/bin",
            "/bin/su",
            "/home",
            "/home/user",
            "/home/user/sbin",
            "/host",
            "/proc",
            "/sys",
            "/tmp",
            "/up",
            "/usr",
            "/usr/sbin",
            "/usr/sbin/plain",
        ]
        .map(Path::new)
    );
    let get = |p: &str| entries.iter().find(|e| e.path == Path::new(p)).unwrap();
    assert!(get("/bin/su").metadata.is_setuid());
    assert!(!get("/bin/su").metadata.is_setgid());
    assert!(get("/usr/sbin/plain").metadata.is_setgid());
    assert!(get("/tmp").metadata.is_sticky() && get("/tmp").metadata.is_world_writable());
    assert!(!get("/usr/sbin/plain").metadata.is_world_writable());
    assert_eq!(get("/host").metadata.file_type, FileType::Symlink);
    assert!(!get("/host").metadata.is_world_writable());
    assert_eq!(get("/usr/sbin/plain").depth, 3);
    assert_eq!(get("/bin/su").metadata.size, 2);

    // With no skip list, /proc is entered.
    let all = WalkOptions {
        skip: vec![],
        ..WalkOptions::default()
    };
    assert!(root
        .walk(all)
        .any(|e| e.is_ok_and(|e| e.path == Path::new("/proc/1/status"))));

    // Starting below the root, through a link.
    let start = WalkOptions {
        start: "/home/user/sbin".into(),
        ..WalkOptions::default()
    };
    let below: Vec<_> = root.walk(start).map(|e| e.unwrap().path).collect();
    assert_eq!(
        below,
        [PathBuf::from("/usr/sbin"), PathBuf::from("/usr/sbin/plain")]
    );
}

#[test]
fn walk_limits_are_reported_not_silent() {
    let image = walk_image();
    let root = image.open();

    let shallow = WalkOptions {
        max_depth: 1,
        ..WalkOptions::default()
    };
    let items: Vec<_> = root.walk(shallow).collect();
    assert!(items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .all(|e| e.depth <= 1));
    let too_deep: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Err(RootError::TooDeep { path, max_depth: 1 }) => Some(path.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        too_deep,
        ["/bin", "/home", "/tmp", "/usr"].map(PathBuf::from)
    );

    let few = WalkOptions {
        max_entries: 3,
        ..WalkOptions::default()
    };
    let items: Vec<_> = root.walk(few).collect();
    assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 3);
    assert!(matches!(
        items.last(),
        Some(Err(RootError::TooManyEntries { limit: 3, .. }))
    ));
}

#[test]
fn walk_of_a_missing_start_is_one_error() {
    let image = Image::new();
    let root = image.open();
    let start = WalkOptions {
        start: "/nope".into(),
        ..WalkOptions::default()
    };
    let items: Vec<_> = root.walk(start).collect();
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().is_err_and(RootError::is_not_found));
}

#[test]
fn unreadable_directories_are_reported_and_skipped() {
    let image = Image::new();
    image.dir("a/locked").file("a/locked/secret", b"s").dir("b");
    let locked = image.root.join("a/locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read_dir(&locked).is_ok() {
        // Running as root (or with CAP_DAC_READ_SEARCH): permissions do not stop us.
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("permissions are not enforced for this user; skipping");
        return;
    }
    let root = image.open();
    let items: Vec<_> = root.walk(WalkOptions::default()).collect();
    let secret = root.read("/a/locked/secret", 1);
    // Restored before asserting, so that the temporary directory can be removed.
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(items.iter().any(
        |i| matches!(i, Err(RootError::PermissionDenied { path }) if path == Path::new("/a/locked"))
    ));
    assert!(items
        .iter()
        .any(|i| i.as_ref().is_ok_and(|e| e.path == Path::new("/b"))));
    match secret {
        Err(RootError::PermissionDenied { path }) => {
            assert_eq!(path, Path::new("/a/locked/secret"))
        }
        other => panic!("expected PermissionDenied, got {other:?}"),
    }
}

#[test]
fn the_live_root_resolves_like_the_system() {
    let root = Root::live().unwrap();
    assert_eq!(root.resolve("/../..").unwrap().path, Path::new("/"));
    assert!(root.metadata("/").unwrap().is_dir());
}

#[test]
fn opening_a_missing_root_fails_with_the_host_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    match Root::open(&missing) {
        Err(RootError::OpenRoot { host_path, .. }) => assert_eq!(host_path, missing),
        other => panic!("expected OpenRoot, got {other:?}"),
    }
}
