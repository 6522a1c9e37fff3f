use std::fmt;

use rustix::fs::Stat;

/// The type of a file, as stored in the image (links are not followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    Regular,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
    /// A type the platform reports that none of the above covers.
    Unknown,
}

impl FileType {
    pub(crate) fn from_rustix(t: rustix::fs::FileType) -> Self {
        use rustix::fs::FileType as T;
        match t {
            T::RegularFile => FileType::Regular,
            T::Directory => FileType::Directory,
            T::Symlink => FileType::Symlink,
            T::CharacterDevice => FileType::CharDevice,
            T::BlockDevice => FileType::BlockDevice,
            T::Fifo => FileType::Fifo,
            T::Socket => FileType::Socket,
            _ => FileType::Unknown,
        }
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileType::Regular => "regular file",
            FileType::Directory => "directory",
            FileType::Symlink => "symbolic link",
            FileType::CharDevice => "character device",
            FileType::BlockDevice => "block device",
            FileType::Fifo => "FIFO",
            FileType::Socket => "socket",
            FileType::Unknown => "file of unknown type",
        })
    }
}

/// What the scanner checks about a file, taken from `lstat`/`fstat` without following links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata {
    pub file_type: FileType,
    /// Permission bits including setuid, setgid and sticky (`st_mode & 0o7777`).
    pub mode: u32,
    /// Owner as a number: names live in the image's `/etc/passwd`, not the host's.
    pub uid: u32,
    pub gid: u32,
    /// Size in bytes (for a symlink, the length of its target).
    pub size: u64,
    pub nlink: u64,
    /// Device number of a character or block device node.
    pub rdev: u64,
    /// Device and inode identify the file on the scanning host, to notice a file that
    /// changed between two system calls and to recognise hard links.
    pub dev: u64,
    pub ino: u64,
}

impl Metadata {
    // The field types of `struct stat` differ between platforms, so some of these
    // conversions are identities on one platform and widenings on another.
    #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
    pub(crate) fn from_stat(st: &Stat) -> Self {
        let raw_mode = st.st_mode as u32;
        Metadata {
            file_type: FileType::from_rustix(rustix::fs::FileType::from_raw_mode(st.st_mode)),
            mode: raw_mode & 0o7777,
            uid: st.st_uid as u32,
            gid: st.st_gid as u32,
            size: u64::try_from(st.st_size).unwrap_or(0),
            nlink: st.st_nlink as u64,
            rdev: st.st_rdev as u64,
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
        }
    }

    pub fn is_dir(&self) -> bool {
        self.file_type == FileType::Directory
    }

    pub fn is_file(&self) -> bool {
        self.file_type == FileType::Regular
    }

    pub fn is_symlink(&self) -> bool {
        self.file_type == FileType::Symlink
    }

    pub fn is_setuid(&self) -> bool {
        self.mode & 0o4000 != 0
    }

    pub fn is_setgid(&self) -> bool {
        self.mode & 0o2000 != 0
    }

    pub fn is_sticky(&self) -> bool {
        self.mode & 0o1000 != 0
    }

    /// Writable by any user. Symlinks are always reported 0o777 by Linux and their mode
    /// means nothing, so they are never world-writable here.
    pub fn is_world_writable(&self) -> bool {
        self.file_type != FileType::Symlink && self.mode & 0o002 != 0
    }

    /// Same file on the scanning host.
    pub(crate) fn same_file(&self, other: &Metadata) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}
