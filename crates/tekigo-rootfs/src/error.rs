use std::io;
use std::path::{Path, PathBuf};

use rustix::io::Errno;

use crate::meta::FileType;

/// Why a path in the image could not be read.
///
/// Every variant names the path *inside the image*, since that is what a finding reports and
/// what a user can look up in the firmware. The variants are distinct so a check can tell
/// "the file is not there" (a finding about the device) from "the scanner may not read it"
/// (a limit of the scan, to be reported as such).
#[derive(Debug, thiserror::Error)]
pub enum RootError {
    /// The root directory itself could not be opened.
    #[error("cannot open {} as the root of a filesystem: {source}", host_path.display())]
    OpenRoot {
        /// The path on the scanning host.
        host_path: PathBuf,
        source: io::Error,
    },
    #[error("{}: not found in the image", path.display())]
    NotFound { path: PathBuf },
    /// The scanner lacks the permission; the file may well exist.
    #[error("{}: permission denied (the scan could not read it)", path.display())]
    PermissionDenied { path: PathBuf },
    /// A component before the last one is not a directory.
    #[error("{}: not a directory", path.display())]
    NotADirectory { path: PathBuf },
    /// Only regular files are read; devices, FIFOs and sockets are never opened.
    #[error("{}: not a regular file but a {file_type}, not opened", path.display())]
    NotRegular { path: PathBuf, file_type: FileType },
    #[error("{}: not a symbolic link", path.display())]
    NotASymlink { path: PathBuf },
    /// More than `limit` symbolic links on the way, most likely a loop.
    #[error("{}: more than {limit} symbolic links followed (a loop?)", path.display())]
    TooManyLinks { path: PathBuf, limit: usize },
    /// The file is larger than the caller allowed for a read that must be complete.
    #[error("{}: {size} bytes, more than the limit of {limit}", path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    /// A directory has more entries than allowed, or a walk reached its entry limit; what
    /// follows was not examined.
    #[error("{}: more than {limit} entries, the rest was not examined", path.display())]
    TooManyEntries { path: PathBuf, limit: usize },
    /// A walk did not descend into a directory because it is deeper than allowed.
    #[error("{}: deeper than {max_depth} levels, not examined", path.display())]
    TooDeep { path: PathBuf, max_depth: usize },
    /// The file changed between the check of its type and the open, so it was not read.
    #[error("{}: changed while being read, not read", path.display())]
    Changed { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl RootError {
    /// The path inside the image the error is about (the host path for [`Self::OpenRoot`]).
    pub fn path(&self) -> &Path {
        match self {
            RootError::OpenRoot {
                host_path: path, ..
            }
            | RootError::NotFound { path }
            | RootError::PermissionDenied { path }
            | RootError::NotADirectory { path }
            | RootError::NotRegular { path, .. }
            | RootError::NotASymlink { path }
            | RootError::TooManyLinks { path, .. }
            | RootError::TooLarge { path, .. }
            | RootError::TooManyEntries { path, .. }
            | RootError::TooDeep { path, .. }
            | RootError::Changed { path }
            | RootError::Io { path, .. } => path,
        }
    }

    /// True when the path does not exist in the image (including a component on the way
    /// that is not a directory), as opposed to existing but being unreadable.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            RootError::NotFound { .. } | RootError::NotADirectory { .. }
        )
    }

    /// Classifies a failed system call on `path`.
    pub(crate) fn from_errno(path: PathBuf, errno: Errno) -> Self {
        match errno {
            Errno::NOENT => RootError::NotFound { path },
            Errno::ACCESS | Errno::PERM => RootError::PermissionDenied { path },
            Errno::NOTDIR => RootError::NotADirectory { path },
            // Every open uses O_NOFOLLOW on a name that was just seen not to be a link, so
            // a link there now means it was swapped under us.
            Errno::LOOP => RootError::Changed { path },
            _ => RootError::Io {
                path,
                source: io::Error::from(errno),
            },
        }
    }

    pub(crate) fn from_io(path: PathBuf, error: io::Error) -> Self {
        match error.raw_os_error() {
            Some(raw) => Self::from_errno(path, Errno::from_raw_os_error(raw)),
            None => RootError::Io {
                path,
                source: error,
            },
        }
    }
}
