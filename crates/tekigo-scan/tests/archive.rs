//! Unpacking hostile archives: `..` names, absolute names, symlinks followed by entries
//! "through" them, hard links out, device nodes. Nothing may be written outside the
//! temporary directory.

use std::io::Write;
use std::path::Path;

use tekigo_scan::archive;

/// A raw ustar header, so that names the tar crate's builder refuses can be written.
fn header(name: &str, kind: u8, size: usize, link: &str, mode: u32) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(format!("{mode:07o}").as_bytes());
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    h
}

fn entry(out: &mut Vec<u8>, name: &str, kind: u8, data: &[u8], link: &str) {
    out.extend_from_slice(&header(name, kind, data.len(), link, 0o644));
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn hostile(outside: &Path) -> Vec<u8> {
    let o = outside.display().to_string();
    let mut t = Vec::new();
    entry(&mut t, "etc/", b'5', b"", "");
    entry(
        &mut t,
        "etc/passwd",
        b'0',
        b"root:x:0:0:root:/root:/bin/sh\n",
        "",
    );
    entry(&mut t, "../escape-dotdot", b'0', b"x", "");
    entry(&mut t, "etc/../../escape-inner", b'0', b"x", "");
    entry(&mut t, "/abs-file", b'0', b"inside", "");
    // An absolute symlink to a real host directory, then a file through it.
    entry(&mut t, "abslink", b'2', b"", &o);
    entry(&mut t, "abslink/pwned-abs", b'0', b"x", "");
    // A climbing symlink, then a file through it.
    entry(&mut t, "uplink", b'2', b"", "../../../../../../../../..");
    entry(&mut t, &format!("uplink{o}/pwned-up"), b'0', b"x", "");
    // A file replaced by a symlink, then written again: must not write through the link.
    entry(
        &mut t,
        "etc/shadow",
        b'2',
        b"",
        &format!("{o}/pwned-shadow"),
    );
    entry(&mut t, "etc/shadow", b'0', b"root:*:1::::::\n", "");
    // Hard links out of the tree.
    entry(&mut t, "hard-out", b'1', b"", "../../../etc/hostname");
    entry(&mut t, "hard-abs", b'1', b"", "/etc/passwd");
    // Device node and FIFO.
    entry(&mut t, "dev-console", b'3', b"", "");
    entry(&mut t, "fifo", b'6', b"", "");
    t.extend_from_slice(&[0u8; 1024]);
    t
}

#[test]
fn hostile_tar_entries_cannot_write_outside() {
    let outside = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let tar_path = work.path().join("image.tar.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&tar_path).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(&hostile(outside.path())).unwrap();
    gz.finish().unwrap();

    let unpacked = archive::unpack(&tar_path).unwrap();
    let root = &unpacked.root;
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        0,
        "something was written outside the root"
    );
    assert!(!work.path().join("escape-dotdot").exists());
    assert!(!unpacked.dir.path().join("escape-dotdot").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("abs-file")).unwrap(),
        "inside"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("etc/passwd")).unwrap(),
        "root:x:0:0:root:/root:/bin/sh\n"
    );
    // The later regular entry replaced the link instead of writing through it.
    let shadow = std::fs::symlink_metadata(root.join("etc/shadow")).unwrap();
    assert!(shadow.is_file());
    // The hard link to an archive member stays; the one out of the tree is skipped.
    assert!(!root.join("hard-out").exists());
    assert!(root.join("hard-abs").exists());
    assert!(!root.join("dev-console").exists() && !root.join("fifo").exists());
    let skipped = unpacked.skipped.join("\n");
    for name in [
        "../escape-dotdot",
        "abslink/pwned-abs",
        "hard-out",
        "dev-console",
        "fifo",
    ] {
        assert!(
            skipped.contains(name),
            "{name} not reported as skipped:\n{skipped}"
        );
    }
}

#[test]
fn not_an_archive_is_a_clear_error() {
    let work = tempfile::tempdir().unwrap();
    let p = work.path().join("junk.tar.xz");
    std::fs::write(&p, b"\xfd7zXZ\0garbage").unwrap();
    let err = archive::unpack(&p).unwrap_err().to_string();
    assert!(err.contains("junk.tar.xz"), "{err}");
}
