//! The one walk of the filesystem that every check needing one shares: set-id files,
//! world-writable files and directories, files without a known owner, and candidate key
//! and certificate files (read afterwards, bounded).

use std::collections::HashSet;

use tekigo_rootfs::{Entry, WalkOptions};

use crate::ctx::{Ctx, Mode};

/// Files with names like these are read to look for keys and certificates.
const KEY_SUFFIXES: [&str; 9] = [
    ".pem", ".crt", ".cer", ".der", ".key", ".pub", "_key", ".p8", ".asc",
];
const KEY_NAMES: [&str; 4] = ["id_rsa", "id_ecdsa", "id_ed25519", "id_dsa"];
/// Key files bigger than this are not keys (a certificate bundle is read up to the limit).
pub const KEY_FILE_LIMIT: u64 = 1 << 20;

#[derive(Debug, Default)]
pub struct Inventory {
    pub entries: usize,
    pub setid: Vec<Entry>,
    pub world_writable_files: Vec<Entry>,
    /// World-writable directories without the sticky bit: anyone may delete others' files.
    pub world_writable_dirs: Vec<Entry>,
    pub unowned: Vec<Entry>,
    pub key_candidates: Vec<String>,
    /// Problems that made the walk skip part of the tree, as (path, reason).
    pub problems: Vec<(String, String)>,
}

impl Inventory {
    pub(crate) fn collect(ctx: &Ctx) -> Inventory {
        let (uids, gids): (HashSet<u32>, HashSet<u32>) = match ctx.accounts() {
            Ok(a) => (
                a.users.iter().map(|u| u.uid).collect(),
                a.groups.iter().map(|g| g.gid).collect(),
            ),
            Err(_) => Default::default(),
        };
        let mut options = WalkOptions::default();
        if ctx.mode == Mode::Live {
            // Pseudo and volatile filesystems of the running system hold no device files.
            options
                .skip
                .extend(["/tmp", "/var/tmp", "/var/cache", "/var/lib/docker"].map(Into::into));
        }
        let mut inv = Inventory::default();
        for item in ctx.root.walk(options) {
            let entry = match item {
                Ok(e) => e,
                Err(e) => {
                    inv.problems
                        .push((e.path().display().to_string(), e.to_string()));
                    continue;
                }
            };
            inv.entries += 1;
            if inv.entries % 20_000 == 0 {
                ctx.report_progress(crate::Step::Walked(inv.entries));
            }
            let m = &entry.metadata;
            if m.is_file() && (m.is_setuid() || m.is_setgid()) {
                inv.setid.push(entry.clone());
            }
            if m.is_world_writable() {
                if m.is_file() {
                    inv.world_writable_files.push(entry.clone());
                } else if m.is_dir() && !m.is_sticky() {
                    inv.world_writable_dirs.push(entry.clone());
                }
            }
            if ctx.ownership_preserved
                && !uids.is_empty()
                && !m.is_symlink()
                && (!uids.contains(&m.uid) || !gids.contains(&m.gid))
            {
                inv.unowned.push(entry.clone());
            }
            if m.is_file() && m.size <= KEY_FILE_LIMIT && is_key_name(&entry) {
                inv.key_candidates.push(entry.path.display().to_string());
            }
        }
        inv
    }
}

fn is_key_name(entry: &Entry) -> bool {
    let Some(name) = entry.path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    // Documentation and test data of packages are not the device's keys.
    let path = entry.path.to_string_lossy();
    if path.starts_with("/usr/share/doc/") || path.starts_with("/usr/lib/python") {
        return false;
    }
    KEY_SUFFIXES.iter().any(|s| name.ends_with(s)) || KEY_NAMES.contains(&name.as_ref())
}
