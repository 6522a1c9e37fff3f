use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags, CWD};
use sha2::{Digest, Sha256};

use crate::error::RootError;
use crate::meta::{FileType, Metadata};
use crate::walk::{Walk, WalkOptions};

/// How many symbolic links one lookup follows before giving up, as Linux does (`ELOOP`).
pub const MAX_SYMLINKS: usize = 40;

/// How many entries [`Root::read_dir`] returns at most; a directory with more is refused
/// rather than listed in part.
pub const MAX_DIR_ENTRIES: usize = 100_000;

/// Flags to open a directory on the way: never a link, never anything but a directory.
/// On Linux `O_PATH` opens it for lookups only, which needs search permission but not read
/// permission, and cannot have side effects.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) const WAY_FLAGS: OFlags = OFlags::PATH
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) const WAY_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// Flags to open a directory to list it.
const LIST_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// Flags to open a regular file: `O_NONBLOCK` so that a FIFO swapped in at the last moment
/// cannot block, `O_NOCTTY` so that a terminal cannot become ours.
const FILE_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::NOFOLLOW)
    .union(OFlags::NONBLOCK)
    .union(OFlags::NOCTTY)
    .union(OFlags::CLOEXEC);

/// The root directory of a target filesystem. Every read of the target goes through it.
#[derive(Debug)]
pub struct Root {
    fd: OwnedFd,
    host: PathBuf,
}

/// Where a path in the image leads.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The path inside the image after following links: absolute, without `.` or `..`.
    pub path: PathBuf,
    /// The same file as a path on the scanning host, for messages only: opening it by this
    /// path would follow links on the host and lose every guarantee of this crate.
    pub host_path: PathBuf,
    pub metadata: Metadata,
}

/// The result of reading a regular file.
#[derive(Debug, Clone)]
pub struct FileRead {
    /// The path inside the image after following links.
    pub path: PathBuf,
    /// At most the limit the caller gave.
    pub bytes: Vec<u8>,
    /// The file had more bytes than the limit; `bytes` holds the first `limit`.
    pub truncated: bool,
    /// SHA-256 of `bytes` (of what was read, not of the whole file when truncated).
    pub sha256: [u8; 32],
    /// Metadata of the open file; `metadata.size` is the size of the whole file.
    pub metadata: Metadata,
}

impl FileRead {
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

/// The result of reading a regular file as text.
#[derive(Debug, Clone)]
pub struct TextRead {
    pub path: PathBuf,
    pub text: String,
    /// The bytes were not valid UTF-8 and invalid sequences were replaced with U+FFFD. A
    /// truncated read that cut a multi-byte character in two is lossy too.
    pub lossy: bool,
    pub truncated: bool,
    /// SHA-256 of the bytes read, before any replacement.
    pub sha256: [u8; 32],
    pub metadata: Metadata,
}

impl TextRead {
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: OsString,
    /// The path inside the image.
    pub path: PathBuf,
    /// The type of the entry itself; a symlink is reported as a symlink.
    pub file_type: FileType,
}

impl Root {
    /// Opens `path` on the scanning host as the root of a target filesystem. Links in
    /// `path` itself are followed: the user chose it. Nothing below it is followed out.
    pub fn open(path: impl AsRef<Path>) -> Result<Root, RootError> {
        let host = path.as_ref().to_path_buf();
        let fd = rustix::fs::openat(
            CWD,
            &host,
            WAY_FLAGS.difference(OFlags::NOFOLLOW),
            Mode::empty(),
        )
        .map_err(|e| RootError::OpenRoot {
            host_path: host.clone(),
            source: e.into(),
        })?;
        Ok(Root { fd, host })
    }

    /// The live system the scanner runs on, rooted at `/`.
    pub fn live() -> Result<Root, RootError> {
        Root::open("/")
    }

    /// The root as a path on the scanning host, for messages.
    pub fn host_path(&self) -> &Path {
        &self.host
    }

    /// Resolves `path` as the image would see it, following every link (like `stat`).
    pub fn resolve(&self, path: impl AsRef<Path>) -> Result<Resolved, RootError> {
        let found = self.locate(path.as_ref(), true)?;
        Ok(self.resolved(&found))
    }

    /// Metadata of the file `path` leads to, following links (like `stat`).
    pub fn metadata(&self, path: impl AsRef<Path>) -> Result<Metadata, RootError> {
        Ok(self.locate(path.as_ref(), true)?.metadata)
    }

    /// Metadata of `path` itself: a final symlink is not followed (like `lstat`). Links on
    /// the way are followed.
    pub fn symlink_metadata(&self, path: impl AsRef<Path>) -> Result<Metadata, RootError> {
        Ok(self.locate(path.as_ref(), false)?.metadata)
    }

    /// Whether `path` leads to a file. A permission error is an error, not `false`: the
    /// scanner cannot know, and must say so.
    pub fn exists(&self, path: impl AsRef<Path>) -> Result<bool, RootError> {
        match self.locate(path.as_ref(), true) {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The raw target of the symlink `path`, as stored in the image (links on the way are
    /// followed, the final one is not).
    pub fn read_link(&self, path: impl AsRef<Path>) -> Result<PathBuf, RootError> {
        let found = self.locate(path.as_ref(), false)?;
        let (Some(name), true) = (&found.name, found.metadata.is_symlink()) else {
            return Err(RootError::NotASymlink {
                path: found.image_path(),
            });
        };
        let target = rustix::fs::readlinkat(found.dir(), name.as_os_str(), Vec::new())
            .map_err(|e| RootError::from_errno(found.image_path(), e))?;
        Ok(PathBuf::from(OsStr::from_bytes(target.to_bytes())))
    }

    /// Lists the directory `path` leads to, sorted by name, without following the entries.
    /// A directory with more than [`MAX_DIR_ENTRIES`] entries is refused.
    pub fn read_dir(&self, path: impl AsRef<Path>) -> Result<Vec<DirEntry>, RootError> {
        let found = self.locate(path.as_ref(), true)?;
        let dir_path = found.image_path();
        if !found.metadata.is_dir() {
            return Err(RootError::NotADirectory { path: dir_path });
        }
        let way = found.open_dir(WAY_FLAGS)?;
        let names = list_names(way.as_fd(), &dir_path, MAX_DIR_ENTRIES)?;
        if names.len() > MAX_DIR_ENTRIES {
            return Err(RootError::TooManyEntries {
                path: dir_path,
                limit: MAX_DIR_ENTRIES,
            });
        }
        names
            .into_iter()
            .map(|name| {
                let path = dir_path.join(&name);
                let st =
                    rustix::fs::statat(way.as_fd(), name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)
                        .map_err(|e| RootError::from_errno(path.clone(), e))?;
                let file_type = Metadata::from_stat(&st).file_type;
                Ok(DirEntry {
                    name,
                    path,
                    file_type,
                })
            })
            .collect()
    }

    /// Reads at most `limit` bytes of the regular file `path` leads to. Anything but a
    /// regular file is refused without being opened.
    pub fn read(&self, path: impl AsRef<Path>, limit: u64) -> Result<FileRead, RootError> {
        let found = self.locate(path.as_ref(), true)?;
        let path = found.image_path();
        if !found.metadata.is_file() {
            return Err(RootError::NotRegular {
                path,
                file_type: found.metadata.file_type,
            });
        }
        // A regular file is never the root, so it has a name in its parent directory.
        let Some(name) = &found.name else {
            return Err(RootError::NotRegular {
                path,
                file_type: found.metadata.file_type,
            });
        };
        let fd = rustix::fs::openat(found.dir(), name.as_os_str(), FILE_FLAGS, Mode::empty())
            .map_err(|e| RootError::from_errno(path.clone(), e))?;
        let st = rustix::fs::fstat(&fd).map_err(|e| RootError::from_errno(path.clone(), e))?;
        let metadata = Metadata::from_stat(&st);
        if !metadata.is_file() {
            return Err(RootError::NotRegular {
                path,
                file_type: metadata.file_type,
            });
        }
        if !metadata.same_file(&found.metadata) {
            return Err(RootError::Changed { path });
        }
        // One byte past the limit tells a file of exactly `limit` bytes from a longer one.
        let capacity = usize::try_from(metadata.size.min(limit))
            .unwrap_or(0)
            .min(1 << 20);
        let mut bytes = Vec::with_capacity(capacity);
        File::from(fd)
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| RootError::from_io(path.clone(), e))?;
        let truncated = u64::try_from(bytes.len()).map_or(true, |n| n > limit);
        if truncated {
            bytes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        let sha256 = Sha256::digest(&bytes).into();
        Ok(FileRead {
            path,
            bytes,
            truncated,
            sha256,
            metadata,
        })
    }

    /// Reads the whole regular file `path` leads to, refusing with
    /// [`RootError::TooLarge`] if it has more than `limit` bytes: for parsers that would
    /// draw wrong conclusions from part of a file.
    pub fn read_all(&self, path: impl AsRef<Path>, limit: u64) -> Result<FileRead, RootError> {
        let read = self.read(path, limit)?;
        if read.truncated {
            return Err(RootError::TooLarge {
                path: read.path,
                size: read.metadata.size,
                limit,
            });
        }
        Ok(read)
    }

    /// Reads at most `limit` bytes of a regular file as text, replacing invalid UTF-8 and
    /// saying so rather than failing: configuration files in images are not always UTF-8.
    pub fn read_to_string(
        &self,
        path: impl AsRef<Path>,
        limit: u64,
    ) -> Result<TextRead, RootError> {
        let FileRead {
            path,
            bytes,
            truncated,
            sha256,
            metadata,
        } = self.read(path, limit)?;
        let (text, lossy) = match String::from_utf8(bytes) {
            Ok(text) => (text, false),
            Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
        };
        Ok(TextRead {
            path,
            text,
            lossy,
            truncated,
            sha256,
            metadata,
        })
    }

    /// One walk over the filesystem, for all checks to share. See [`WalkOptions`].
    pub fn walk(&self, options: WalkOptions) -> Walk<'_> {
        Walk::new(self, options)
    }

    pub(crate) fn resolved(&self, found: &Found<'_>) -> Resolved {
        let path = found.image_path();
        let host_path = self.host.join(path.strip_prefix("/").unwrap_or(&path));
        Resolved {
            path,
            host_path,
            metadata: found.metadata,
        }
    }

    /// Walks `path` one component at a time from the root, the way the kernel would in a
    /// chroot here, holding a descriptor for each directory on the way.
    pub(crate) fn locate(&self, path: &Path, follow_last: bool) -> Result<Found<'_>, RootError> {
        let mut pending: VecDeque<OsString> = components(path).collect();
        let mut way = Way {
            root: self,
            dirs: Vec::new(),
        };
        let mut links = 0usize;
        while let Some(name) = pending.pop_front() {
            if name == ".." {
                // At the root, `..` is the root: the image cannot climb out.
                way.dirs.pop();
                continue;
            }
            let is_last = pending.is_empty();
            let st = rustix::fs::statat(way.dir(), name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)
                .map_err(|e| RootError::from_errno(way.path_with(&name), e))?;
            let metadata = Metadata::from_stat(&st);
            match metadata.file_type {
                FileType::Symlink if !is_last || follow_last => {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(RootError::TooManyLinks {
                            path: image_path(path),
                            limit: MAX_SYMLINKS,
                        });
                    }
                    let target = rustix::fs::readlinkat(way.dir(), name.as_os_str(), Vec::new())
                        .map_err(|e| RootError::from_errno(way.path_with(&name), e))?;
                    let target = Path::new(OsStr::from_bytes(target.to_bytes()));
                    if target.as_os_str().is_empty() {
                        // Linux treats an empty target as a link to nowhere.
                        return Err(RootError::NotFound {
                            path: way.path_with(&name),
                        });
                    }
                    if target.has_root() {
                        way.dirs.clear();
                    }
                    for component in components(target).collect::<Vec<_>>().into_iter().rev() {
                        pending.push_front(component);
                    }
                }
                FileType::Directory if !is_last => {
                    let dir_path = way.path_with(&name);
                    let fd = open_checked(way.dir(), &name, WAY_FLAGS, &metadata, &dir_path)?;
                    way.dirs.push((name, fd));
                }
                _ if is_last => {
                    return Ok(Found {
                        way,
                        name: Some(name),
                        metadata,
                    })
                }
                _ => {
                    return Err(RootError::NotADirectory {
                        path: way.path_with(&name),
                    })
                }
            }
        }
        // The path ended on a directory already open: the root, or after a `..`.
        let st = rustix::fs::fstat(way.dir()).map_err(|e| RootError::from_errno(way.path(), e))?;
        Ok(Found {
            way,
            name: None,
            metadata: Metadata::from_stat(&st),
        })
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// The directories from the root to where a lookup stands, each held open.
pub(crate) struct Way<'r> {
    root: &'r Root,
    dirs: Vec<(OsString, OwnedFd)>,
}

impl Way<'_> {
    fn dir(&self) -> BorrowedFd<'_> {
        self.dirs
            .last()
            .map_or_else(|| self.root.fd(), |(_, fd)| fd.as_fd())
    }

    fn path(&self) -> PathBuf {
        let mut path = PathBuf::from("/");
        path.extend(self.dirs.iter().map(|(name, _)| name));
        path
    }

    fn path_with(&self, name: &OsStr) -> PathBuf {
        let mut path = self.path();
        path.push(name);
        path
    }
}

/// A file a lookup found: its directory, held open, and its name there (none when the
/// lookup ended on a directory on the way, such as the root).
pub(crate) struct Found<'r> {
    way: Way<'r>,
    name: Option<OsString>,
    pub(crate) metadata: Metadata,
}

impl Found<'_> {
    fn dir(&self) -> BorrowedFd<'_> {
        self.way.dir()
    }

    pub(crate) fn image_path(&self) -> PathBuf {
        match &self.name {
            Some(name) => self.way.path_with(name),
            None => self.way.path(),
        }
    }

    /// Opens the directory found, checking it is the one that was looked up.
    pub(crate) fn open_dir(&self, flags: OFlags) -> Result<OwnedFd, RootError> {
        let name = self.name.as_deref().unwrap_or(OsStr::new("."));
        open_checked(self.dir(), name, flags, &self.metadata, &self.image_path())
    }
}

/// Opens `name` in `dir` and checks with `fstat` that it is still the file `expected`
/// describes, so a swap between the check and the open is caught.
pub(crate) fn open_checked(
    dir: BorrowedFd<'_>,
    name: &OsStr,
    flags: OFlags,
    expected: &Metadata,
    path: &Path,
) -> Result<OwnedFd, RootError> {
    let fd = rustix::fs::openat(dir, name, flags, Mode::empty())
        .map_err(|e| RootError::from_errno(path.to_path_buf(), e))?;
    let st = rustix::fs::fstat(&fd).map_err(|e| RootError::from_errno(path.to_path_buf(), e))?;
    if !Metadata::from_stat(&st).same_file(expected) {
        return Err(RootError::Changed {
            path: path.to_path_buf(),
        });
    }
    Ok(fd)
}

/// The names in the directory `way` (opened for lookups), sorted so that reports come out
/// in the same order every time; at most `limit + 1` of them so a caller can tell that
/// there were more than `limit`.
pub(crate) fn list_names(
    way: BorrowedFd<'_>,
    path: &Path,
    limit: usize,
) -> Result<Vec<OsString>, RootError> {
    let fd = rustix::fs::openat(way, ".", LIST_FLAGS, Mode::empty())
        .map_err(|e| RootError::from_errno(path.to_path_buf(), e))?;
    let dir = rustix::fs::Dir::new(fd).map_err(|e| RootError::from_errno(path.to_path_buf(), e))?;
    let mut names = Vec::new();
    for entry in dir {
        let entry = entry.map_err(|e| RootError::from_errno(path.to_path_buf(), e))?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        names.push(OsStr::from_bytes(name).to_os_string());
        if names.len() > limit {
            break;
        }
    }
    names.sort();
    Ok(names)
}

/// The components of a path to look up: names and `..`; the root and `.` say nothing.
fn components(path: &Path) -> impl Iterator<Item = OsString> + '_ {
    path.components().filter_map(|c| match c {
        Component::Normal(name) => Some(name.to_os_string()),
        Component::ParentDir => Some(OsString::from("..")),
        Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
    })
}

/// A path as the caller asked for it, made absolute for messages.
fn image_path(path: &Path) -> PathBuf {
    Path::new("/").join(path)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
