//! Unpacking an image archive (`.tar`, `.tar.gz`, `.tar.xz`, `.tar.zst`) into a private
//! temporary directory so it can be scanned like a directory.
//!
//! The archive is hostile. Entries are written only below the temporary directory: names
//! with `..` are refused, leading `/` is dropped, and every directory on the way to an
//! entry is checked to be a real directory created by the unpacking (never a symlink the
//! archive planted), so a symlink entry followed by a file "through" it cannot write
//! outside. Symlinks are created as they are (reading them later goes through
//! [`tekigo_rootfs::Root`], which keeps them inside the root). Hard links must point at a
//! regular file already unpacked. Device nodes and FIFOs are never created. Sizes are
//! bounded. Compression is detected from the first bytes, not the file name; all
//! decompressors are pure Rust.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use tar::EntryType;

/// Refuse archives that unpack to more than this.
pub const MAX_UNPACKED_BYTES: u64 = 32 << 30;
/// Refuse archives with more entries than this.
pub const MAX_ENTRIES: usize = 2_000_000;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: not a tar archive (plain, gzip, xz or zstd): {reason}", path.display())]
    Format { path: PathBuf, reason: String },
    #[error("{}: {what} exceeds the limit of {limit}", path.display())]
    TooLarge {
        path: PathBuf,
        what: &'static str,
        limit: u64,
    },
}

/// An unpacked archive; the directory is removed when this is dropped.
#[derive(Debug)]
pub struct Unpacked {
    /// Holds the temporary directory; the tree is in `root` below it.
    pub dir: tempfile::TempDir,
    /// The unpacked tree, kept apart from the decompressed temporary file of an xz archive.
    pub root: PathBuf,
    /// Entries not unpacked, with the reason (device nodes, `..` paths, links out).
    pub skipped: Vec<String>,
    /// File owners from the archive were applied (only possible as root).
    pub ownership_preserved: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Xz,
    Zstd,
}

fn sniff(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Compression::Xz
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Whether `path` looks like an archive this module unpacks (by its first bytes).
pub fn is_archive(path: &Path) -> bool {
    let Ok(mut f) = File::open(path) else {
        return false;
    };
    let mut head = [0u8; 512];
    let n = f.read(&mut head).unwrap_or(0);
    sniff(&head[..n]) != Compression::None || (n >= 262 && &head[257..262] == b"ustar")
}

/// Unpacks `archive` into a new temporary directory (under `TMPDIR`).
pub fn unpack(archive: &Path) -> Result<Unpacked, ArchiveError> {
    let io_err = |source| ArchiveError::Io {
        path: archive.to_path_buf(),
        source,
    };
    let mut file = File::open(archive).map_err(io_err)?;
    let mut head = [0u8; 8];
    let n = file.read(&mut head).map_err(io_err)?;
    file.seek(SeekFrom::Start(0)).map_err(io_err)?;
    let dir = tempfile::Builder::new()
        .prefix("tekigo-scan-")
        .tempdir()
        .map_err(io_err)?;
    let reader: Box<dyn Read> = match sniff(&head[..n]) {
        Compression::None => Box::new(BufReader::new(file)),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file))),
        Compression::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(BufReader::new(file)).map_err(|e| {
                ArchiveError::Format {
                    path: archive.to_path_buf(),
                    reason: e.to_string(),
                }
            })?,
        ),
        Compression::Xz => {
            // lzma-rs decodes into a writer: decode to a file beside the tree, bounded.
            let tmp_path = dir.path().join(".tekigo-archive.tar");
            let mut out = Bounded {
                inner: File::create(&tmp_path).map_err(io_err)?,
                left: MAX_UNPACKED_BYTES,
            };
            lzma_rs::xz_decompress(&mut BufReader::new(file), &mut out).map_err(|e| {
                ArchiveError::Format {
                    path: archive.to_path_buf(),
                    reason: e.to_string(),
                }
            })?;
            let f = File::open(&tmp_path).map_err(io_err)?;
            fs::remove_file(&tmp_path).map_err(io_err)?;
            Box::new(BufReader::new(f))
        }
    };
    let root = dir.path().join("root");
    fs::create_dir(&root).map_err(io_err)?;
    let mut unpacker = Unpacker {
        archive: archive.to_path_buf(),
        root: root.clone(),
        skipped: Vec::new(),
        as_root: rustix::process::geteuid().is_root(),
        dir_modes: Vec::new(),
        total: 0,
    };
    unpacker.run(reader)?;
    Ok(Unpacked {
        ownership_preserved: unpacker.as_root,
        skipped: unpacker.skipped,
        root,
        dir,
    })
}

struct Bounded<W> {
    inner: W,
    left: u64,
}

impl<W: io::Write> io::Write for Bounded<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len() as u64;
        if n > self.left {
            return Err(io::Error::other("archive unpacks to more than the limit"));
        }
        self.left -= n;
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

struct Unpacker {
    archive: PathBuf,
    root: PathBuf,
    skipped: Vec<String>,
    as_root: bool,
    /// Directory modes applied at the end, so a read-only directory does not stop the
    /// unpacking of its contents.
    dir_modes: Vec<(PathBuf, u32)>,
    total: u64,
}

impl Unpacker {
    fn io(&self, path: &Path, source: io::Error) -> ArchiveError {
        ArchiveError::Io {
            path: if path.as_os_str().is_empty() {
                self.archive.clone()
            } else {
                path.to_path_buf()
            },
            source,
        }
    }

    fn run(&mut self, reader: Box<dyn Read>) -> Result<(), ArchiveError> {
        let mut archive = tar::Archive::new(reader);
        let entries = archive.entries().map_err(|e| self.io(Path::new(""), e))?;
        for (count, entry) in entries.enumerate() {
            if count >= MAX_ENTRIES {
                return Err(ArchiveError::TooLarge {
                    path: self.archive.clone(),
                    what: "number of entries",
                    limit: MAX_ENTRIES as u64,
                });
            }
            let mut entry = entry.map_err(|e| ArchiveError::Format {
                path: self.archive.clone(),
                reason: e.to_string(),
            })?;
            let raw = entry
                .path()
                .map_err(|e| self.io(Path::new(""), e))?
                .into_owned();
            let Some(rel) = sanitize(&raw) else {
                self.skipped
                    .push(format!("{}: path leaves the root", raw.display()));
                continue;
            };
            if rel.as_os_str().is_empty() {
                continue;
            }
            self.entry(&mut entry, &rel)?;
        }
        // Deepest first, so a directory's mode is set after its children's.
        self.dir_modes.sort_by(|a, b| b.0.cmp(&a.0));
        for (path, mode) in std::mem::take(&mut self.dir_modes) {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode))
                .map_err(|e| self.io(&path, e))?;
        }
        Ok(())
    }

    fn entry<R: Read>(
        &mut self,
        entry: &mut tar::Entry<R>,
        rel: &Path,
    ) -> Result<(), ArchiveError> {
        let header = entry.header();
        let kind = header.entry_type();
        let mode = header.mode().unwrap_or(0o644) & 0o7777;
        let owner = (header.uid().unwrap_or(0), header.gid().unwrap_or(0));
        let Some(parent) = self.parent_dir(rel)? else {
            self.skipped.push(format!(
                "{}: a parent is not a directory of the archive",
                rel.display()
            ));
            return Ok(());
        };
        let name = rel.file_name().expect("sanitized paths end in a name");
        let dest = parent.join(name);
        match kind {
            EntryType::Directory => {
                match fs::symlink_metadata(&dest) {
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => {
                        self.replace(&dest)?;
                        fs::create_dir(&dest).map_err(|e| self.io(&dest, e))?;
                    }
                    Err(_) => fs::create_dir(&dest).map_err(|e| self.io(&dest, e))?,
                }
                fs::set_permissions(&dest, fs::Permissions::from_mode(0o700 | mode))
                    .map_err(|e| self.io(&dest, e))?;
                self.chown(&dest, owner)?;
                self.dir_modes.push((dest, mode));
            }
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                self.total = self.total.saturating_add(entry.size());
                if self.total > MAX_UNPACKED_BYTES {
                    return Err(ArchiveError::TooLarge {
                        path: self.archive.clone(),
                        what: "unpacked size",
                        limit: MAX_UNPACKED_BYTES,
                    });
                }
                self.replace(&dest)?;
                let mut out = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
                    .mode(0o600)
                    .open(&dest)
                    .map_err(|e| self.io(&dest, e))?;
                io::copy(entry, &mut out).map_err(|e| self.io(&dest, e))?;
                self.chown(&dest, owner)?;
                // After chown, which clears set-id bits.
                fs::set_permissions(&dest, fs::Permissions::from_mode(mode))
                    .map_err(|e| self.io(&dest, e))?;
            }
            EntryType::Symlink => {
                let Some(target) = entry.link_name().map_err(|e| self.io(&dest, e))? else {
                    self.skipped
                        .push(format!("{}: symlink without target", rel.display()));
                    return Ok(());
                };
                self.replace(&dest)?;
                std::os::unix::fs::symlink(&target, &dest).map_err(|e| self.io(&dest, e))?;
                self.chown(&dest, owner)?;
            }
            EntryType::Link => {
                let target = entry
                    .link_name()
                    .map_err(|e| self.io(&dest, e))?
                    .and_then(|t| sanitize(&t));
                let source = match target {
                    Some(t) => self.existing_file(&t)?,
                    None => None,
                };
                let Some(source) = source else {
                    self.skipped.push(format!(
                        "{}: hard link to something that is not a file of the archive",
                        rel.display()
                    ));
                    return Ok(());
                };
                self.replace(&dest)?;
                fs::hard_link(&source, &dest).map_err(|e| self.io(&dest, e))?;
            }
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                self.skipped.push(format!(
                    "{}: device node or FIFO, not created",
                    rel.display()
                ));
            }
            // PAX and GNU long-name headers are consumed by the tar crate.
            _ => self
                .skipped
                .push(format!("{}: entry type not unpacked", rel.display())),
        }
        Ok(())
    }

    /// The directory `rel` goes in, created as needed; `None` when something on the way
    /// is not a directory made by this unpacking (a symlink, a file).
    fn parent_dir(&self, rel: &Path) -> Result<Option<PathBuf>, ArchiveError> {
        let mut dir = self.root.clone();
        let Some(parent) = rel.parent() else {
            return Ok(Some(dir));
        };
        for c in parent.components() {
            dir.push(c);
            match fs::symlink_metadata(&dir) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    fs::create_dir(&dir).map_err(|e| self.io(&dir, e))?;
                }
                Err(e) => return Err(self.io(&dir, e)),
            }
        }
        Ok(Some(dir))
    }

    /// A regular file already unpacked at `rel`, reached through real directories only.
    fn existing_file(&self, rel: &Path) -> Result<Option<PathBuf>, ArchiveError> {
        let mut path = self.root.clone();
        for c in rel.components() {
            path.push(c);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() || m.is_file() => {}
                _ => return Ok(None),
            }
        }
        Ok(fs::symlink_metadata(&path)
            .is_ok_and(|m| m.is_file())
            .then_some(path))
    }

    /// Removes what a later entry replaces (tar semantics: the last entry wins), but never
    /// a directory with contents.
    fn replace(&self, dest: &Path) -> Result<(), ArchiveError> {
        match fs::symlink_metadata(dest) {
            Ok(m) if m.is_dir() => fs::remove_dir(dest).map_err(|e| self.io(dest, e)),
            Ok(_) => fs::remove_file(dest).map_err(|e| self.io(dest, e)),
            Err(_) => Ok(()),
        }
    }

    fn chown(&self, path: &Path, (uid, gid): (u64, u64)) -> Result<(), ArchiveError> {
        if !self.as_root {
            return Ok(());
        }
        let (Ok(uid), Ok(gid)) = (u32::try_from(uid), u32::try_from(gid)) else {
            return Ok(());
        };
        std::os::unix::fs::lchown(path, Some(uid), Some(gid)).map_err(|e| self.io(path, e))
    }
}

/// The archive path as a relative path without `.` or leading `/`; `None` when it has
/// `..` (it would leave the root, or could, through a symlink made earlier).
fn sanitize(raw: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in raw.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_names() {
        assert_eq!(
            sanitize(Path::new("./etc/passwd")),
            Some("etc/passwd".into())
        );
        assert_eq!(
            sanitize(Path::new("/etc/passwd")),
            Some("etc/passwd".into())
        );
        assert_eq!(sanitize(Path::new("etc/../../x")), None);
        assert_eq!(sanitize(Path::new("./")), Some(PathBuf::new()));
    }

    #[test]
    fn sniffs_compression() {
        assert_eq!(sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(sniff(b"\xfd7zXZ\0"), Compression::Xz);
        assert_eq!(sniff(&[0x28, 0xb5, 0x2f, 0xfd]), Compression::Zstd);
        assert_eq!(sniff(b"etc/"), Compression::None);
    }
}
