//! The database file: an immutable, memory-mapped file rebuilt by every import.
//!
//! Why not SQLite: a scan looks up every component of an SBOM; measured on the reference
//! machine, 10,000 indexed SQLite lookups with a prepared statement took 43-69 ms, while a
//! lookup in a sorted key table takes about a microsecond,
//! so the scan stays within a few times the cost of parsing the SBOM. The file is written
//! whole to a temporary file and renamed over the old one, so a failed import leaves the
//! previous database untouched and a running scan keeps reading the file it opened.
//!
//! Layout (little-endian):
//!
//! ```text
//! header (80 bytes): magic "TKVULNDB", version u32, 0 u32, n_records u64, record_table u64,
//!                    n_keys u64, keys_end u64, meta_offset u64, meta_len u64,
//!                    sample_offset u64, sample_len u64
//! record i:          sha256 [32] | key_len u32 | key | json_len u32 | json (Advisory)
//! key entry:         key_len u32 | key | postings u64   (keys in byte order, up to keys_end)
//! postings:          n u32 | n x (record u32 | len u32 | payload)   (in key order, up to
//!                    the record table)
//! record table:      n_records x u64 offsets
//! key sample:        ceil(n_keys / 64) x (key_len u32 | key | entry u64): keys 0, 64,
//!                    128, ... and where their key entries are
//! meta:              JSON (counts, creation time)
//! ```
//!
//! The key sample is copied into memory when the file is opened (a few hundred kilobytes
//! for 700,000 keys). A lookup searches it for the block of 64 key entries that can hold
//! its key, walks that block in the map (blocks are mapped sixteen at a time in one call
//! and stay mapped, with every sixteenth entry marked so that a walk starts near its key)
//! and then reads the key's postings with `pread`. The profile of issue 20 showed a binary
//! search over the mapped table (~20 scattered pages per lookup, each a page fault) and the
//! unmapping that kept those pages out of the resident size costing several times the
//! search itself, hence the blocks mapped in runs and the postings read, not mapped.
//! Records (NVD, CSAF, KEV and kernel matches, imports) are read from the map.

use crate::index;
use crate::input::{self, Format, InputError};
use crate::model::{Advisory, Source};
use memmap2::Mmap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

const MAGIC: &[u8; 8] = b"TKVULNDB";
const VERSION: u32 = 4;
const HEADER_LEN: usize = 80;
/// Every this many keys of the sorted keys, one is in the key sample.
const SAMPLE_EVERY: usize = 64;
/// The file name used when `--db` names a directory, and under the data directory.
pub const FILE_NAME: &str = "advisories.tkvdb";

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a usable tekigo advisory database: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{path}: another import is running on this database")]
    Locked { path: PathBuf },
    /// A database written by another version of tekigo: `vulndb import` rebuilds it.
    #[error(
        "{path}: written in database format {found}, this tekigo reads format {VERSION}: \
         run `tekigo vulndb import` again to rebuild it"
    )]
    OtherFormat { path: PathBuf, found: u32 },
    #[error(transparent)]
    Input(#[from] InputError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DbError + '_ {
    move |source| DbError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `path` itself, or `path/advisories.tkvdb` when `path` is a directory.
pub fn resolve_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(FILE_NAME)
    } else {
        path.to_path_buf()
    }
}

/// Counts kept in the file so `vulndb stats` needs no scan of the records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub records: BTreeMap<String, u64>,
    pub needs_review: u64,
    pub keys: u64,
    pub created_unix: u64,
}

/// An open database. Lookups read the memory map; nothing is loaded up front.
pub struct Db {
    path: PathBuf,
    map: Mmap,
    n_records: usize,
    record_table: usize,
    n_keys: usize,
    keys_end: usize,
    /// The key sample (see the module doc) as stored, and where each key is in it.
    sample: Vec<u8>,
    sample_keys: Vec<Sampled>,
    /// The file, for the lookups' `pread`s.
    file: File,
    /// The runs of key blocks mapped so far ([`RUN_BLOCKS`] blocks each, by the first
    /// block's number divided by that; see [`Db::postings`]), with their marks, and how
    /// many bytes they span.
    runs: Vec<OnceLock<Run>>,
    mapped_bytes: AtomicUsize,
    /// [`MAPPED_MAX_BYTES`] (a test lowers it).
    mapped_max_bytes: usize,
    meta: Meta,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .field("records", &self.n_records)
            .field("keys", &self.n_keys)
            .finish()
    }
}

/// One stored record, borrowed from the map.
pub struct RawRecord<'a> {
    pub hash: &'a [u8],
    pub key: &'a str,
    pub json: &'a [u8],
}

impl Db {
    /// Opens and checks a database file (a directory means its `advisories.tkvdb`).
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let path = resolve_path(path);
        let file = File::open(&path).map_err(io(&path))?;
        // SAFETY: the map is read-only and tekigo never writes a database file in place:
        // imports write a new file and rename it over the old one, so the mapped inode does
        // not change while it is mapped. Every read below is bounds-checked against the map.
        let map = unsafe { Mmap::map(&file) }.map_err(io(&path))?;
        // Lookups jump around the file: without this hint the kernel maps 64 KiB around every
        // touched page, which tripled the resident size of a 10,000-component scan.
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Random);
        let corrupt = |reason: &str| DbError::Corrupt {
            path: path.clone(),
            reason: reason.to_string(),
        };
        if map.len() < HEADER_LEN || &map[..8] != MAGIC {
            return Err(corrupt("wrong magic number"));
        }
        let u64_at = |off: usize| -> usize {
            u64::from_le_bytes(map[off..off + 8].try_into().unwrap_or([0; 8])) as usize
        };
        let version = u32::from_le_bytes(map[8..12].try_into().unwrap_or([0; 4]));
        if version != VERSION {
            return Err(DbError::OtherFormat {
                path,
                found: version,
            });
        }
        let (n_records, record_table, n_keys, keys_end, meta_off, meta_len) = (
            u64_at(16),
            u64_at(24),
            u64_at(32),
            u64_at(40),
            u64_at(48),
            u64_at(56),
        );
        let (sample_off, sample_len) = (u64_at(64), u64_at(72));
        let fits = |off: usize, n: usize, size: usize| {
            n.checked_mul(size)
                .and_then(|len| off.checked_add(len))
                .is_some_and(|end| end <= map.len())
        };
        if !fits(record_table, n_records, 8)
            || keys_end > record_table
            || !fits(meta_off, meta_len, 1)
            || !fits(sample_off, sample_len, 1)
        {
            return Err(corrupt("tables point outside the file (truncated?)"));
        }
        let sample = map[sample_off..sample_off + sample_len].to_vec();
        let sample_keys = sample_keys(&sample, n_keys.div_ceil(SAMPLE_EVERY), keys_end)
            .ok_or_else(|| corrupt("key sample is damaged"))?;
        let meta: Meta = serde_json::from_slice(&map[meta_off..meta_off + meta_len])
            .map_err(|e| corrupt(&format!("metadata: {e}")))?;
        Ok(Db {
            path,
            map,
            n_records,
            record_table,
            n_keys,
            keys_end,
            runs: (0..sample_keys.len().div_ceil(RUN_BLOCKS))
                .map(|_| OnceLock::new())
                .collect(),
            mapped_bytes: AtomicUsize::new(0),
            mapped_max_bytes: MAPPED_MAX_BYTES,
            sample,
            sample_keys,
            file,
            meta,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    pub fn len(&self) -> usize {
        self.n_records
    }

    pub fn is_empty(&self) -> bool {
        self.n_records == 0
    }

    fn corrupt(&self, reason: &str) -> DbError {
        DbError::Corrupt {
            path: self.path.clone(),
            reason: reason.to_string(),
        }
    }

    fn u32_at(&self, off: usize) -> Option<usize> {
        let b = self.map.get(off..off.checked_add(4)?)?;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    }

    fn u64_at(&self, off: usize) -> Option<usize> {
        let b = self.map.get(off..off.checked_add(8)?)?;
        Some(u64::from_le_bytes(b.try_into().ok()?) as usize)
    }

    fn bytes_at(&self, off: usize) -> Option<(&[u8], usize)> {
        let len = self.u32_at(off)?;
        let start = off + 4;
        let b = self.map.get(start..start.checked_add(len)?)?;
        Some((b, start + len))
    }

    /// The stored bytes of record `i`.
    pub fn raw(&self, i: usize) -> Result<RawRecord<'_>, DbError> {
        let bad = || self.corrupt(&format!("record {i} is damaged"));
        if i >= self.n_records {
            return Err(bad());
        }
        let off = self.u64_at(self.record_table + i * 8).ok_or_else(bad)?;
        let after_hash = off.checked_add(32).ok_or_else(bad)?;
        let hash = self.map.get(off..after_hash).ok_or_else(bad)?;
        let (key, next) = self.bytes_at(after_hash).ok_or_else(bad)?;
        let (json, _) = self.bytes_at(next).ok_or_else(bad)?;
        let key = std::str::from_utf8(key).map_err(|_| bad())?;
        Ok(RawRecord { hash, key, json })
    }

    /// Record `i`, decoded.
    pub fn record(&self, i: usize) -> Result<Advisory, DbError> {
        let raw = self.raw(i)?;
        serde_json::from_slice(raw.json)
            .map_err(|e| self.corrupt(&format!("record {} ({}): {e}", i, raw.key)))
    }

    /// Unmaps the pages of the file this process has touched so far (they stay in the page
    /// cache: the next read maps them again without I/O). A scan calls it now and then so
    /// that its resident size does not grow with every page it has ever read: on a kernel
    /// that caches files in large folios, each touched page maps its whole folio, and a
    /// 10,000-component scan counted 151 MB of the file as resident (its own memory: 41 MB).
    /// The key table stays: the blocks of it a scan keeps mapped are bounded on their own
    /// (24 MB; see the lookup of a key's postings).
    pub fn release_pages(&self) {
        // SAFETY: the map is a read-only shared mapping of a file that is never written in
        // place (see `open`): after MADV_DONTNEED the next access faults the same bytes back
        // in from the file, so slices borrowed from the map keep their contents.
        #[cfg(unix)]
        unsafe {
            let keys = self.sample_keys.first().map_or(self.keys_end, |k| k.entry);
            let _ = self
                .map
                .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, keys);
            let _ = self.map.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                self.keys_end,
                self.map.len() - self.keys_end,
            );
        }
    }

    /// Reads bytes `start..end` of the file into `buf`, checked against the file's length.
    fn read_into(&self, start: usize, end: usize, buf: &mut Vec<u8>) -> Option<()> {
        use std::os::unix::fs::FileExt;
        if start > end || end > self.map.len() {
            return None;
        }
        buf.resize(end - start, 0);
        self.file.read_exact_at(buf, start as u64).ok()
    }

    /// Where the key entries needed for the blocks before block `n` end: past block `n`'s
    /// first entry, whose postings offset ends the postings of the key before it (the end
    /// of the key table after the last block).
    fn block_end(&self, n: usize) -> usize {
        match self.sample_keys.get(n) {
            Some(next) => next.entry + 4 + next.key.len() + 8,
            None => self.keys_end,
        }
    }

    /// The postings stored under `key`: (record number, payload), the payloads read into
    /// `buf`. Empty when the key is unknown; an error only for a damaged file.
    ///
    /// The blocks of key entries are read from the memory map, [`RUN_BLOCKS`] at a time
    /// mapped in one call and kept mapped for every later lookup, of any thread (up to
    /// [`MAPPED_MAX_BYTES`]; [`Db::release_pages`] leaves them). A large SBOM's components
    /// fall into nearly every block (the 12,500 of the benchmark into all 2,126 blocks of
    /// its 136,023 keys): read block by block with `pread` and kept in allocations, they
    /// were 4.7 MB copied twice and as many pages of the heap faulted in, 1,100 of the
    /// scan's 7,600 page faults (issue 20). The postings themselves are still read with
    /// `pread`: a key's are a kilobyte or so, and mapped they faulted a page at a time.
    pub(crate) fn postings<'b>(
        &self,
        key: &str,
        buf: &'b mut Vec<u8>,
    ) -> Result<Postings<'b>, DbError> {
        let bad = || self.corrupt("key table is damaged");
        let target = key.as_bytes();
        // The sampled keys up to `target`: the last of them starts the only block of
        // SAMPLE_EVERY keys that can hold it.
        let before = self
            .sample_keys
            .partition_point(|k| &self.sample[k.key.clone()] <= target);
        let Some(n) = before.checked_sub(1) else {
            return Ok(Postings::NONE);
        };
        let run = n / RUN_BLOCKS;
        let first = self.sample_keys[run * RUN_BLOCKS].entry;
        // The run's blocks, and the next run's first entry: its postings offset is where
        // the postings of this run's last key end.
        let end = self.block_end((run + 1) * RUN_BLOCKS);
        let bytes = self.map.get(first..end).ok_or_else(bad)?;
        let in_run = |r: &Run| {
            let from = self.sample_keys[n].entry - first;
            r.find(bytes, n % RUN_BLOCKS, from, target, self.record_table)
        };
        let found = match self.runs[run].get() {
            Some(r) => in_run(r),
            None => {
                let size = bytes.len();
                if self.mapped_bytes.fetch_add(size, Ordering::Relaxed) + size
                    <= self.mapped_max_bytes
                {
                    // Mapped in one call rather than a page fault at a time; should the
                    // kernel not know the advice, the walk below faults them in.
                    #[cfg(target_os = "linux")]
                    let _ = self
                        .map
                        .advise_range(memmap2::Advice::PopulateRead, first, size);
                    let r = Run::new(bytes).ok_or_else(bad)?;
                    let found = in_run(&r);
                    let _ = self.runs[run].set(r);
                    found
                } else {
                    // Past the cap: this lookup's block alone, read again next time.
                    self.mapped_bytes.fetch_sub(size, Ordering::Relaxed);
                    let start = self.sample_keys[n].entry;
                    self.read_into(start, self.block_end(n + 1), buf)
                        .ok_or_else(bad)?;
                    find_postings(buf, target, self.record_table)
                }
            }
        };
        let Some((start, postings_end)) = found.ok_or_else(bad)? else {
            return Ok(Postings::NONE);
        };
        self.read_into(start, postings_end, buf).ok_or_else(bad)?;
        // Checked whole before any is handed out, so that a damaged list is an error
        // rather than a shorter list.
        let mut r = index::Reader { buf, pos: 0 };
        let n = r.u32().ok_or_else(bad)?;
        for _ in 0..n {
            r.u32().ok_or_else(bad)?;
            r.bytes().ok_or_else(bad)?;
        }
        Ok(Postings {
            r: index::Reader { buf, pos: 4 },
            left: n,
        })
    }
}

/// The postings of one key, (record number, payload), read from a list
/// [`Db::postings`] has checked: an iterator rather than a vector, which cost an
/// allocation for every lookup of a scan.
pub(crate) struct Postings<'b> {
    r: index::Reader<'b>,
    left: usize,
}

impl Postings<'_> {
    const NONE: Postings<'static> = Postings {
        r: index::Reader { buf: &[], pos: 0 },
        left: 0,
    };
}

impl<'b> Iterator for Postings<'b> {
    type Item = (usize, &'b [u8]);

    fn next(&mut self) -> Option<(usize, &'b [u8])> {
        self.left = self.left.checked_sub(1)?;
        Some((self.r.u32()?, self.r.bytes()?))
    }
}

/// Key blocks mapped at once, and kept together (see [`Db::postings`]): 16 blocks of 64
/// entries, about 35 KB on the benchmark's database.
const RUN_BLOCKS: usize = 16;

/// At most this many bytes of key blocks are kept mapped (see [`Db::postings`]): every
/// block of 700,000 keys, three times the benchmark's 500,000 advisories; past it blocks
/// are read again for each lookup rather than grow past the scan's memory target.
const MAPPED_MAX_BYTES: usize = 24 << 20;

/// Key entries between two marks of a [`Run`]: a quarter of a block.
const MARK_EVERY: usize = SAMPLE_EVERY / 4;

/// A run of key blocks mapped together (see [`Db::postings`]): where every
/// [`MARK_EVERY`]th entry of it starts, so that a lookup walks from the last mark at or
/// before its key instead of from its block's first entry. The walk through a block, 32
/// entries on average, was 5.7 % of the CPU time of the benchmark's 15k scan in `perf`,
/// nearly all of it two loads waiting on memory: 4.7 MB of blocks do not stay in a core's
/// cache, so each entry's line came from far (issue 20).
struct Run {
    /// Offsets from the run's start of entries 0, MARK_EVERY, 2 * MARK_EVERY, ... (the
    /// run's first entry is a block's first).
    marks: Vec<u32>,
}

impl Run {
    /// The marks of the run whose entries are `bytes`; `None` when they do not parse (a
    /// damaged file).
    fn new(bytes: &[u8]) -> Option<Run> {
        let mut marks = Vec::with_capacity(RUN_BLOCKS * SAMPLE_EVERY / MARK_EVERY + 1);
        let mut r = index::Reader { buf: bytes, pos: 0 };
        let mut i = 0;
        while r.pos < bytes.len() {
            if i % MARK_EVERY == 0 {
                marks.push(u32::try_from(r.pos).ok()?);
            }
            r.bytes()?;
            r.u64()?;
            i += 1;
        }
        Some(Run { marks })
    }

    /// [`find_postings`] of `target` in the run's block `block` (which starts at `from` of
    /// the run's entries, `bytes`), from the last mark of that block whose key is not
    /// after `target`.
    fn find(
        &self,
        bytes: &[u8],
        block: usize,
        from: usize,
        target: &[u8],
        default_end: usize,
    ) -> Option<Option<(usize, usize)>> {
        let per_block = SAMPLE_EVERY / MARK_EVERY;
        let in_block = self.marks.get(block * per_block..)?;
        let mut start = from;
        // The block's first mark is `from` itself, whose key is not after `target`.
        for &mark in in_block.iter().take(per_block).skip(1) {
            let mark = mark as usize;
            let mut r = index::Reader {
                buf: bytes,
                pos: mark,
            };
            if r.bytes()? > target {
                break;
            }
            start = mark;
        }
        find_postings(bytes.get(start..)?, target, default_end)
    }
}

/// Where the postings of `target` are in the file, from its block of key entries:
/// `Some(None)` when the block does not hold it, `None` when the block is damaged.
/// `default_end` ends the postings of the last key of the file.
fn find_postings(
    block: &[u8],
    target: &[u8],
    default_end: usize,
) -> Option<Option<(usize, usize)>> {
    let mut r = index::Reader { buf: block, pos: 0 };
    let mut found = None;
    while r.pos < block.len() {
        let k = r.bytes()?;
        let at = r.u64()?;
        if let Some(start) = found {
            return Some(Some((start, at)));
        }
        match k.cmp(target) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => found = Some(at),
            std::cmp::Ordering::Greater => return Some(None),
        }
    }
    Some(found.map(|start| (start, default_end)))
}

/// A key of the key sample: where it is in the sample and where its key entry is in the file.
struct Sampled {
    key: std::ops::Range<usize>,
    entry: usize,
}

/// The `n` keys of a stored key sample, or `None` when the bytes are not exactly `n` of
/// them, in order, each pointing at an entry before `keys_end`.
fn sample_keys(buf: &[u8], n: usize, keys_end: usize) -> Option<Vec<Sampled>> {
    let mut keys: Vec<Sampled> = Vec::with_capacity(n.min(buf.len() / 12));
    let mut r = index::Reader { buf, pos: 0 };
    for _ in 0..n {
        let len = r.u32()?;
        let key = r.pos..r.pos.checked_add(len)?;
        r.pos = key.end;
        let entry = r.u64()?;
        if entry >= keys_end || keys.last().is_some_and(|k| k.entry >= entry) {
            return None;
        }
        keys.push(Sampled { key, entry });
    }
    (r.pos == buf.len()).then_some(keys)
}

/// What an import did, for the user and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub documents: u64,
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Imported records with at least one `needs_review` note.
    pub needs_review: u64,
    /// Documents refused (only with `keep_going`), each with file and reason.
    pub rejected: Vec<String>,
    /// Records per detected format.
    pub by_format: BTreeMap<String, u64>,
    /// Total records in the database afterwards.
    pub total: u64,
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Skip documents that do not parse (listing them in the report) instead of refusing
    /// the whole import.
    pub keep_going: bool,
    /// A bar to count the records read on, with the name of the file being read as its
    /// message (the caller makes it, in its user's language, and only for a terminal).
    pub progress: Option<indicatif::ProgressBar>,
}

enum Pending {
    Old(usize),
    New {
        hash: [u8; 32],
        /// Where the record's JSON and index entries are in the spool.
        at: u64,
        source: Source,
        review: bool,
    },
}

/// The import's spool: every new record's JSON and index entries, written as they are parsed
/// and read back once while the database is written, so an import holds per record only
/// its key and a few numbers, not its text (500,000 OSV advisories held in memory peaked at
/// 1.14 GB). Reads are `pread`s, not a memory map: mapped pages would count as the
/// process's memory. The file lives next to the database and is removed when dropped.
///
/// Record layout: `json_len u32 | json | n u32 | n x (key_len u32 | key | len u32 | payload)`.
struct Spool {
    path: PathBuf,
    writer: BufWriter<File>,
    reader: File,
    pos: u64,
}

impl Spool {
    fn create(db_path: &Path) -> Result<Spool, DbError> {
        let path = db_path.with_extension(format!("{}.spool", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .create_new(true)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        let reader = file.try_clone().map_err(io(&path))?;
        Ok(Spool {
            writer: BufWriter::with_capacity(1 << 20, file),
            reader,
            pos: 0,
            path,
        })
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), DbError> {
        self.writer.write_all(bytes).map_err(io(&self.path))?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    fn put_bytes(&mut self, bytes: &[u8]) -> Result<(), DbError> {
        self.put(&(bytes.len() as u32).to_le_bytes())?;
        self.put(bytes)
    }

    /// Appends index entries; returns where each payload is: (key, offset, length).
    fn put_entries(
        &mut self,
        entries: Vec<(String, Vec<u8>)>,
    ) -> Result<Vec<(String, u64, u32)>, DbError> {
        self.put(&(entries.len() as u32).to_le_bytes())?;
        let mut out = Vec::with_capacity(entries.len());
        for (key, payload) in entries {
            self.put_bytes(key.as_bytes())?;
            out.push((key, self.pos + 4, payload.len() as u32));
            self.put_bytes(&payload)?;
        }
        Ok(out)
    }

    /// Appends one new record; returns its offset.
    fn put_record(&mut self, json: &[u8], entries: Vec<(String, Vec<u8>)>) -> Result<u64, DbError> {
        let at = self.pos;
        self.put_bytes(json)?;
        self.put_entries(entries)?;
        Ok(at)
    }

    fn flush(&mut self) -> Result<(), DbError> {
        self.writer.flush().map_err(io(&self.path))
    }

    /// Reads `buf.len()` bytes at `at` (written and flushed before).
    fn read_at(&self, at: u64, buf: &mut [u8]) -> Result<(), DbError> {
        use std::os::unix::fs::FileExt;
        self.reader.read_exact_at(buf, at).map_err(io(&self.path))
    }

    fn read_u32(&self, at: u64) -> Result<u32, DbError> {
        let mut b = [0u8; 4];
        self.read_at(at, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Reads the length-prefixed bytes at `at` into `buf`; returns the offset after them.
    fn read_bytes(&self, at: u64, buf: &mut Vec<u8>) -> Result<u64, DbError> {
        let len = self.read_u32(at)? as usize;
        buf.resize(len, 0);
        self.read_at(at + 4, buf)?;
        Ok(at + 4 + len as u64)
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

struct LockGuard(File);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = rustix::fs::flock(&self.0, rustix::fs::FlockOperation::Unlock);
    }
}

fn lock(db: &Path) -> Result<LockGuard, DbError> {
    let lock_path = db.with_extension("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io(&lock_path))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).map_err(
        |_| DbError::Locked {
            path: db.to_path_buf(),
        },
    )?;
    Ok(LockGuard(file))
}

/// Imports every document under `inputs` into the database at `db_path` (created when
/// missing). Records whose content hash is unchanged are kept as they are; nothing is
/// written when nothing changed. The new file replaces the old one only once it is complete.
pub fn import(
    db_path: &Path,
    inputs: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportReport, DbError> {
    let db_path = resolve_path(db_path);
    if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let _lock = lock(&db_path)?;
    // A database of another format version is rebuilt from the inputs: its records cannot
    // be carried over, and refusing would leave the user no way forward but deleting it.
    let old = match Db::open(&db_path) {
        Ok(db) => Some(db),
        Err(DbError::OtherFormat { .. }) => None,
        Err(_) if !db_path.exists() => None,
        Err(e) => return Err(e),
    };
    let mut pending: BTreeMap<String, Pending> = BTreeMap::new();
    if let Some(old) = &old {
        for i in 0..old.len() {
            let raw = old.raw(i)?;
            pending.insert(raw.key.to_string(), Pending::Old(i));
            release_now_and_then(old, i);
        }
    }
    let bar = options
        .progress
        .clone()
        .unwrap_or_else(indicatif::ProgressBar::hidden);
    let mut report = ImportReport::default();
    let mut failure: Option<InputError> = None;
    let mut spool_error: Option<DbError> = None;
    let mut spool = Spool::create(&db_path)?;
    let mut compared = 0;
    input::read_all(inputs, &mut |origin, parsed| {
        let (format, advisories) = match parsed {
            Ok(ok) => ok,
            Err(e) if options.keep_going => {
                report.rejected.push(e.to_string());
                return true;
            }
            Err(e) => {
                failure = Some(e);
                return false;
            }
        };
        report.documents += 1;
        *report
            .by_format
            .entry(format_name(format).to_string())
            .or_default() += advisories.len() as u64;
        for adv in advisories {
            let json = match serde_json::to_vec(&adv) {
                Ok(json) => json,
                Err(e) => {
                    failure = Some(InputError {
                        origin: origin.to_string(),
                        message: e.to_string(),
                    });
                    return false;
                }
            };
            let hash: [u8; 32] = Sha256::digest(&json).into();
            let key = adv.key();
            let review = !adv.needs_review.is_empty();
            if review {
                report.needs_review += 1;
            }
            let same = match pending.get(&key) {
                Some(Pending::Old(i)) => match &old {
                    Some(old) => {
                        compared += 1;
                        release_now_and_then(old, compared);
                        old.raw(*i).map(|r| r.hash == hash).unwrap_or(false)
                    }
                    None => false,
                },
                Some(Pending::New { hash: h, .. }) => *h == hash,
                None => {
                    report.added += 1;
                    false
                }
            };
            if same {
                report.unchanged += 1;
                continue;
            }
            if pending.contains_key(&key) {
                report.updated += 1;
            }
            let at = match spool.put_record(&json, index::entries(&adv)) {
                Ok(at) => at,
                Err(e) => {
                    spool_error = Some(e);
                    return false;
                }
            };
            pending.insert(
                key,
                Pending::New {
                    hash,
                    at,
                    source: adv.source,
                    review,
                },
            );
            bar.inc(1);
        }
        bar.set_message(origin.rsplit(['/', '!']).next().unwrap_or("").to_string());
        true
    })?;
    bar.finish_and_clear();
    if let Some(e) = spool_error {
        return Err(e);
    }
    if let Some(e) = failure {
        return Err(DbError::Input(e));
    }
    report.total = pending.len() as u64;
    if report.added + report.updated == 0 && old.is_some() {
        return Ok(report);
    }
    write(&db_path, &pending, old.as_ref(), &mut spool)?;
    Ok(report)
}

/// Unmaps the old database's pages every few thousand records read from it
/// ([`Db::release_pages`]): an import reads every old record (its key, its hash, and its
/// JSON when carried over), and without this the whole 460 MB file of the benchmark
/// counted as resident, an import that changed nothing peaking at 413 MB (issue 20).
fn release_now_and_then(old: &Db, records_read: usize) {
    if records_read % 4096 == 4095 {
        old.release_pages();
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Osv => "osv",
        Format::Nvd => "nvd",
        Format::Csaf => "csaf",
        Format::Kev => "kev",
        Format::Cve5 => "cve",
        Format::DebianTracker => "debian-tracker",
    }
}

fn write(
    db_path: &Path,
    pending: &BTreeMap<String, Pending>,
    old: Option<&Db>,
    spool: &mut Spool,
) -> Result<(), DbError> {
    let dir = db_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        db_path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(FILE_NAME),
        std::process::id()
    ));
    let result = write_file(&tmp, pending, old, spool).and_then(|()| {
        std::fs::rename(&tmp, db_path).map_err(io(db_path))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

struct CountingWriter<W: Write> {
    inner: W,
    pos: u64,
}

impl<W: Write> CountingWriter<W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }
    fn put_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.put(&(bytes.len() as u32).to_le_bytes())?;
        self.put(bytes)
    }
}

/// One posting while the file is written: the key's number among the distinct keys, the
/// record number, and where its payload is in the spool.
type PostingRef = (u32, u32, u64, u32);

fn write_file(
    tmp: &Path,
    pending: &BTreeMap<String, Pending>,
    old: Option<&Db>,
    spool: &mut Spool,
) -> Result<(), DbError> {
    spool.flush()?;
    let file = File::create(tmp).map_err(io(tmp))?;
    let mut w = CountingWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        pos: 0,
    };
    let e = io(tmp);
    let mut meta = Meta::default();
    let mut record_offsets = Vec::with_capacity(pending.len());
    // Keys are interned: a posting is 20 bytes, its key and payload stay in the spool.
    let mut key_ids: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut key_names: Vec<String> = Vec::new();
    let mut postings: Vec<PostingRef> = Vec::with_capacity(pending.len() * 2);
    let mut intern = |key: String| -> u32 {
        if let Some(id) = key_ids.get(&key) {
            return *id;
        }
        let id = key_names.len() as u32;
        key_names.push(key.clone());
        key_ids.insert(key, id);
        id
    };
    let mut json_buf = Vec::new();
    let mut key_buf = Vec::new();
    w.put(&[0u8; HEADER_LEN]).map_err(e)?;
    for (i, (key, p)) in pending.iter().enumerate() {
        record_offsets.push(w.pos);
        let (source, review) = match p {
            Pending::New {
                hash,
                at,
                source,
                review,
            } => {
                let mut pos = spool.read_bytes(*at, &mut json_buf)?;
                let n = spool.read_u32(pos)?;
                pos += 4;
                for _ in 0..n {
                    pos = spool.read_bytes(pos, &mut key_buf)?;
                    let len = spool.read_u32(pos)?;
                    let k = String::from_utf8_lossy(&key_buf).into_owned();
                    postings.push((intern(k), i as u32, pos + 4, len));
                    pos += 4 + u64::from(len);
                }
                w.put(hash)
                    .and_then(|()| w.put_bytes(key.as_bytes()))
                    .and_then(|()| w.put_bytes(&json_buf))
                    .map_err(io(tmp))?;
                (*source, *review)
            }
            Pending::Old(j) => {
                let old = old.ok_or_else(|| DbError::Corrupt {
                    path: tmp.to_path_buf(),
                    reason: "internal: old record without database".into(),
                })?;
                release_now_and_then(old, i);
                let raw = old.raw(*j)?;
                let adv = old.record(*j)?;
                for (k, payload_at, len) in spool.put_entries(index::entries(&adv))? {
                    postings.push((intern(k), i as u32, payload_at, len));
                }
                w.put(raw.hash)
                    .and_then(|()| w.put_bytes(key.as_bytes()))
                    .and_then(|()| w.put_bytes(raw.json))
                    .map_err(io(tmp))?;
                (adv.source, !adv.needs_review.is_empty())
            }
        };
        *meta.records.entry(source.to_string()).or_default() += 1;
        meta.needs_review += review as u64;
    }
    spool.flush()?;
    drop(key_ids);
    // Keys in byte order, postings by key then record.
    let mut order: Vec<u32> = (0..key_names.len() as u32).collect();
    order.sort_unstable_by(|a, b| key_names[*a as usize].cmp(&key_names[*b as usize]));
    let mut rank = vec![0u32; key_names.len()];
    for (r, id) in order.iter().enumerate() {
        rank[*id as usize] = r as u32;
    }
    postings.sort_unstable_by_key(|p| (rank[p.0 as usize], p.1));
    // Group by key; the keys go first, each pointing at its postings block after them.
    let mut groups = Vec::new();
    let mut i = 0;
    while i < postings.len() {
        let mut j = i;
        while j < postings.len() && postings[j].0 == postings[i].0 {
            j += 1;
        }
        groups.push(i..j);
        i = j;
    }
    let name = |g: &std::ops::Range<usize>| key_names[postings[g.start].0 as usize].as_bytes();
    let keys_len: u64 = groups.iter().map(|g| 4 + name(g).len() as u64 + 8).sum();
    let mut key_offsets = Vec::with_capacity(groups.len());
    let mut block = w.pos + keys_len;
    for g in &groups {
        key_offsets.push(w.pos);
        w.put_bytes(name(g))
            .and_then(|()| w.put(&block.to_le_bytes()))
            .map_err(io(tmp))?;
        block += 4 + postings[g.clone()]
            .iter()
            .map(|p| 8 + u64::from(p.3))
            .sum::<u64>();
    }
    let keys_end = w.pos;
    let mut payload = Vec::new();
    for g in &groups {
        w.put(&(g.len() as u32).to_le_bytes()).map_err(io(tmp))?;
        for &(_, rec, at, len) in &postings[g.clone()] {
            payload.resize(len as usize, 0);
            spool.read_at(at, &mut payload)?;
            w.put(&rec.to_le_bytes())
                .and_then(|()| w.put_bytes(&payload))
                .map_err(io(tmp))?;
        }
    }
    debug_assert_eq!(w.pos, block);
    meta.keys = key_offsets.len() as u64;
    meta.created_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let record_table = w.pos;
    let res = (|| -> std::io::Result<(u64, u64, u64, u64)> {
        for off in &record_offsets {
            w.put(&off.to_le_bytes())?;
        }
        let sample_off = w.pos;
        for (g, entry) in groups.iter().zip(&key_offsets).step_by(SAMPLE_EVERY) {
            w.put_bytes(name(g))?;
            w.put(&entry.to_le_bytes())?;
        }
        let sample_len = w.pos - sample_off;
        let meta_off = w.pos;
        let meta_json = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
        w.put(&meta_json)?;
        Ok((sample_off, sample_len, meta_off, meta_json.len() as u64))
    })();
    let (sample_off, sample_len, meta_off, meta_len) = res.map_err(io(tmp))?;
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    header.extend_from_slice(&0u32.to_le_bytes());
    for v in [
        record_offsets.len() as u64,
        record_table,
        key_offsets.len() as u64,
        keys_end,
        meta_off,
        meta_len,
        sample_off,
        sample_len,
    ] {
        header.extend_from_slice(&v.to_le_bytes());
    }
    let mut file = w.inner.into_inner().map_err(|e| DbError::Io {
        path: tmp.to_path_buf(),
        source: e.into_error(),
    })?;
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.write_all(&header))
        .and_then(|()| file.sync_all())
        .map_err(io(tmp))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of a database of 2,100 keys (three runs of blocks, the last block short)
    /// and a key before, after and between each two of them: [`Db::postings`] finds what
    /// a plain walk of the whole key table finds, through the runs and their marks, and
    /// the same again with no run kept (the path past [`MAPPED_MAX_BYTES`]).
    #[test]
    fn lookups_find_what_a_walk_of_the_key_table_finds() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir(&src).unwrap();
        let n = 2_100;
        assert!(n > 2 * RUN_BLOCKS * SAMPLE_EVERY && n % SAMPLE_EVERY != 0);
        for i in 0..n {
            let rec = format!(
                r#"{{"id":"T-{i}","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"npm","name":"p{i:05}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.0.0"}}]}}]}}]}}"#
            );
            std::fs::write(src.join(format!("{i}.json")), rec).unwrap();
        }
        let path = dir.path().join("db");
        import(&path, &[src], &ImportOptions::default()).unwrap();
        let mut db = Db::open(&path).unwrap();
        assert_eq!(db.n_keys, n);
        assert_eq!(db.runs.len(), 3);

        // The plain recomputation: every entry of the key table in order, each key's
        // postings ending where the next key's begin.
        let table = &db.map[db.sample_keys[0].entry..db.keys_end];
        let mut r = index::Reader { buf: table, pos: 0 };
        let mut entries = Vec::new();
        while r.pos < table.len() {
            let key = r.bytes().unwrap().to_vec();
            entries.push((key, r.u64().unwrap()));
        }
        assert_eq!(entries.len(), n);
        let mut want = BTreeMap::new();
        for (i, (key, start)) in entries.iter().enumerate() {
            let end = entries.get(i + 1).map_or(db.record_table, |e| e.1);
            want.insert(key.clone(), db.map[*start..end].to_vec());
        }
        let mut asked: Vec<Vec<u8>> = Vec::new();
        for (key, _) in &entries {
            let mut before = key.clone();
            before.pop();
            let mut after = key.clone();
            after.push(b'!');
            asked.extend([key.clone(), before, after]);
        }
        asked.extend([b"".to_vec(), b"~".to_vec()]);

        for cap in [MAPPED_MAX_BYTES, 0] {
            db.mapped_max_bytes = cap;
            let mut buf = Vec::new();
            for key in &asked {
                let key = std::str::from_utf8(key).unwrap();
                let got: Vec<(usize, Vec<u8>)> = db
                    .postings(key, &mut buf)
                    .unwrap()
                    .map(|(rec, payload)| (rec, payload.to_vec()))
                    .collect();
                let expected: Vec<(usize, Vec<u8>)> = match want.get(key.as_bytes()) {
                    None => Vec::new(),
                    Some(list) => {
                        let mut r = index::Reader { buf: list, pos: 0 };
                        (0..r.u32().unwrap())
                            .map(|_| (r.u32().unwrap(), r.bytes().unwrap().to_vec()))
                            .collect()
                    }
                };
                assert_eq!(got, expected, "key {key:?} with a cap of {cap} bytes");
            }
        }
        assert!(db.runs.iter().all(|r| r.get().is_some()));
    }
}
