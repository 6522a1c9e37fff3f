//! Safe, bounded, read-only access to the root filesystem of a device: either an unpacked
//! firmware image on the scanning host, or the live system the scanner runs on.
//!
//! An unpacked image is hostile input. Its symlinks were written by whoever built the
//! firmware, and a link such as `etc/shadow -> /etc/shadow` must mean the *image's*
//! shadow file, never the host's. Its device nodes and FIFOs must never be opened: opening a
//! tape device rewinds it, opening a FIFO with no writer blocks forever. Every scanner check
//! reads through a [`Root`] so that these rules are enforced in one place instead of being
//! re-implemented (and forgotten) in each check.
//!
//! # Guarantees
//!
//! - **Reads stay inside the root.** Paths are resolved the way the kernel resolves them in a
//!   chroot at the root: absolute paths and absolute symlink targets start at the root, `..`
//!   at the root stays at the root, and relative symlink targets are relative to the link's
//!   directory inside the image. Resolution walks one component at a time with
//!   `openat(2)`/`fstatat(2)` relative to directory descriptors it holds, never following a
//!   link by path, so the host's `/` is never reached through the image. At most
//!   [`MAX_SYMLINKS`] links are followed per lookup, as on Linux; a loop is
//!   [`RootError::TooManyLinks`].
//! - **Special files are never opened.** Only regular files are opened for reading, and only
//!   after `fstatat` without following links said the name is a regular file. The open uses
//!   `O_NOFOLLOW | O_NONBLOCK | O_NOCTTY`, and the descriptor is checked again with `fstat`
//!   (type, device and inode) before a single byte is read. Directories are opened only to
//!   list them.
//! - **Reads are bounded.** Every read takes a byte limit and says whether it truncated;
//!   directory listings and [walks](Root::walk) have entry and depth limits and report with
//!   an error item when a limit cut them short, so a scan never silently covers less than it
//!   claims.
//! - **Nothing is executed and nothing is written.** No file under the root is ever opened
//!   for writing, created, renamed, removed or executed, and no helper program is run.
//!
//! # Limits
//!
//! - **Races.** Each component is opened relative to a descriptor already checked, with
//!   `O_NOFOLLOW`, so swapping a directory on the way for a symlink while a lookup runs
//!   cannot redirect it outside the root: the swap makes the lookup fail instead. One window
//!   remains: between the `fstatat` that found a regular file and the `open`, a concurrent
//!   writer could replace the file with a device node or FIFO. `O_NONBLOCK` keeps a FIFO from
//!   blocking and the `fstat` check refuses to read from either, but the device's open
//!   routine will already have run. An unpacked image nobody else writes to has no such
//!   writer; on a live system, the scanner should run with no untrusted process writing to
//!   the paths it reads.
//! - **Access times.** Reading a file may update its access time, as any read does.
//! - **Mount points.** On a live system, a walk crosses into other mounted filesystems
//!   except those under the skipped paths, unless
//!   [`WalkOptions::same_filesystem`] is set.
//! - **Unix only.** The crate relies on `openat(2)` and friends. On Linux, directories on
//!   the way are opened with `O_PATH`, so a directory that is searchable but not readable
//!   can still be traversed; elsewhere such a directory is reported as
//!   [`RootError::PermissionDenied`].
//! - **Not root.** When the scanner is not running as root, files it may not read are
//!   reported as [`RootError::PermissionDenied`], so a check can say "could not read"
//!   instead of guessing.

mod error;
mod meta;
mod root;
mod walk;

pub use error::RootError;
pub use meta::{FileType, Metadata};
pub use root::{DirEntry, FileRead, Resolved, Root, TextRead, MAX_DIR_ENTRIES, MAX_SYMLINKS};
pub use walk::{Entry, Walk, WalkOptions};
