use std::collections::VecDeque;
use std::ffi::OsString;
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;

use rustix::fs::AtFlags;

use crate::error::RootError;
use crate::meta::Metadata;
use crate::root::{list_names, open_checked, Root, WAY_FLAGS};

/// What a [walk](Root::walk) covers. The defaults suit an unpacked image and a live system
/// alike.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Where to start, as a path in the image.
    pub start: PathBuf,
    /// Directories reported but not entered, as absolute paths in the image. On a live
    /// system these are kernel interfaces whose contents are not files of the device, and
    /// reading some of them has side effects; in an image they should be empty anyway.
    pub skip: Vec<PathBuf>,
    /// Entries deeper than this below `start` are not reported; a directory at this depth is
    /// reported with a [`RootError::TooDeep`] item instead of being entered.
    pub max_depth: usize,
    /// The walk stops with a [`RootError::TooManyEntries`] item after this many entries.
    pub max_entries: usize,
    /// Do not enter directories on another filesystem than `start` (mount points).
    pub same_filesystem: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            start: PathBuf::from("/"),
            skip: ["/proc", "/sys", "/dev", "/run"]
                .iter()
                .map(PathBuf::from)
                .collect(),
            max_depth: 64,
            max_entries: 1_000_000,
            same_filesystem: false,
        }
    }
}

/// One file met by a walk, as stored (links are reported, never followed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path inside the image.
    pub path: PathBuf,
    /// 0 for `start`, 1 for its entries, and so on.
    pub depth: usize,
    pub metadata: Metadata,
}

/// A directory being walked: held open for lookups, with the names still to visit.
struct Level {
    fd: OwnedFd,
    path: PathBuf,
    depth: usize,
    names: std::vec::IntoIter<OsString>,
}

/// A depth-first walk in name order; see [`Root::walk`]. Problems with single entries come
/// out as error items and the walk goes on; only the entry limit ends it early.
pub struct Walk<'r> {
    root: &'r Root,
    options: WalkOptions,
    levels: Vec<Level>,
    /// Items decided ahead, yielded before the walk moves on.
    queued: VecDeque<Result<Entry, RootError>>,
    seen: usize,
    start_dev: u64,
    done: bool,
}

impl<'r> Walk<'r> {
    pub(crate) fn new(root: &'r Root, options: WalkOptions) -> Self {
        let mut walk = Walk {
            root,
            options,
            levels: Vec::new(),
            queued: VecDeque::new(),
            seen: 1,
            start_dev: 0,
            done: false,
        };
        let found = match walk.root.locate(&walk.options.start, true) {
            Ok(found) => found,
            Err(e) => {
                walk.queued.push_back(Err(e));
                walk.done = true;
                return walk;
            }
        };
        let entry = Entry {
            path: found.image_path(),
            depth: 0,
            metadata: found.metadata,
        };
        walk.start_dev = found.metadata.dev;
        walk.queued.push_back(Ok(entry.clone()));
        match enter(&walk.options, walk.start_dev, &entry) {
            Ok(true) => match found.open_dir(WAY_FLAGS) {
                Ok(fd) => walk.list(fd, &entry),
                Err(e) => walk.queued.push_back(Err(e)),
            },
            Ok(false) => {}
            Err(e) => walk.queued.push_back(Err(e)),
        }
        walk
    }

    /// Reads the names in the directory `fd` of `entry` and makes it the current level, or
    /// queues why not.
    fn list(&mut self, fd: OwnedFd, entry: &Entry) {
        match list_names(fd.as_fd(), &entry.path, self.options.max_entries) {
            Ok(names) => self.levels.push(Level {
                fd,
                path: entry.path.clone(),
                depth: entry.depth,
                names: names.into_iter(),
            }),
            Err(e) => self.queued.push_back(Err(e)),
        }
    }

    fn next_entry(&mut self) -> Option<Result<Entry, RootError>> {
        loop {
            let level = self.levels.last_mut()?;
            let Some(name) = level.names.next() else {
                self.levels.pop();
                continue;
            };
            let path = level.path.join(&name);
            let depth = level.depth + 1;
            self.seen += 1;
            if self.seen > self.options.max_entries {
                self.done = true;
                return Some(Err(RootError::TooManyEntries {
                    path: self.options.start.clone(),
                    limit: self.options.max_entries,
                }));
            }
            let st =
                match rustix::fs::statat(&level.fd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => st,
                    Err(e) => return Some(Err(RootError::from_errno(path, e))),
                };
            let entry = Entry {
                path,
                depth,
                metadata: Metadata::from_stat(&st),
            };
            let opened = match enter(&self.options, self.start_dev, &entry) {
                Ok(true) => Some(open_checked(
                    level.fd.as_fd(),
                    &name,
                    WAY_FLAGS,
                    &entry.metadata,
                    &entry.path,
                )),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            };
            match opened {
                Some(Ok(fd)) => self.list(fd, &entry),
                Some(Err(e)) => self.queued.push_back(Err(e)),
                None => {}
            }
            return Some(Ok(entry));
        }
    }

    /// The options the walk runs with.
    pub fn options(&self) -> &WalkOptions {
        &self.options
    }
}

/// Whether the walk enters `entry`: a directory not skipped, not on another filesystem when
/// that is asked for, and not too deep (which is an error item, since part of the tree goes
/// unexamined).
fn enter(options: &WalkOptions, start_dev: u64, entry: &Entry) -> Result<bool, RootError> {
    if !entry.metadata.is_dir()
        || options.skip.iter().any(|s| s == &entry.path)
        || (options.same_filesystem && entry.metadata.dev != start_dev)
    {
        return Ok(false);
    }
    if entry.depth >= options.max_depth {
        return Err(RootError::TooDeep {
            path: entry.path.clone(),
            max_depth: options.max_depth,
        });
    }
    Ok(true)
}

impl Iterator for Walk<'_> {
    type Item = Result<Entry, RootError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.queued.pop_front() {
            return Some(item);
        }
        if self.done {
            return None;
        }
        self.next_entry()
    }
}
