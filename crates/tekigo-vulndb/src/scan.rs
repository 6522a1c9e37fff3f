//! Scans: every component's query matched on worker threads, findings handed on in
//! component order.
//!
//! A scan may start before its queries are all known ([`QueryFeed`]): `tekigo vuln scan`
//! parses the SBOM on one thread and matches its first components on the others while the
//! rest is read, since the parse alone takes as long as the matching of thousands of
//! components (issue 20).

use crate::matcher::{platforms, Matcher, Platform, Platforms};
use crate::query::Query;
use crate::store::{Db, DbError};
use crate::Finding;
use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

/// Components per chunk: enough that handing a chunk over costs nothing measurable, few
/// enough that a chunk's output (a few hundred findings) stays small.
const CHUNK: usize = 256;
/// Components matched between two `Db::release_pages` (which bounds the resident size).
const RELEASE_EVERY: usize = 128;
/// How many chunks the workers may match ahead of the one being emitted (at least two per
/// worker).
const WINDOW: usize = 8;
/// The same while the feed is still open: nothing is emitted before it is closed (the
/// document it comes from may yet turn out invalid), so the workers hold what they match
/// meanwhile, up to this many chunks (8,192 components). At 16, the one worker that
/// matches while the SBOM of 12,500 components is read waited on the reader when the
/// components had no findings (56.8 ms against 49.0 at 32), and the peak with 15,152
/// findings was the same (about 38.5 MB); 64 chunks, with findings, peaked at 49 MB
/// instead of 40 MB (issue 20).
const WINDOW_WHILE_FED: usize = 32;

/// The queries of a scan, given to it while they are being made, each with whatever the
/// caller wants back with its findings (`T`: the query itself, or the component it came
/// from). Chunks of queries are matched as soon as they are complete; the scan emits
/// nothing until the feed is closed.
///
/// Whoever feeds must end with [`QueryFeed::close`] or [`QueryFeed::abandon`] (dropping a
/// [`Feeding`] abandons it), or the scan waits for ever.
pub struct QueryFeed<T> {
    state: Mutex<FeedState<T>>,
    grown: Condvar,
    /// The CPEs every component states, known once the feed is closed: NVD platform
    /// conditions may be satisfied by any component of the list. Made by the first match
    /// that needs them ([`Platforms`]), not when the feed closes: parsing 12,500
    /// components' CPEs took 1.9 ms on the reader's thread while every worker waited for
    /// the close, for a database without NVD records that never asks (issue 20).
    platforms: OnceLock<Vec<Platform>>,
    /// How the feed ended, once it has: what the threads waiting for the end wait on (not
    /// `grown`, which wakes its waiters at every chunk).
    ended: OnceLock<FeedEnd>,
}

struct FeedState<T> {
    chunks: Vec<Arc<Vec<T>>>,
    filling: Vec<T>,
    end: Option<FeedEnd>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FeedEnd {
    Closed,
    Abandoned,
}

impl<T: Borrow<Query>> QueryFeed<T> {
    /// An open feed.
    pub fn new() -> QueryFeed<T> {
        QueryFeed {
            state: Mutex::new(FeedState {
                chunks: Vec::new(),
                filling: Vec::with_capacity(CHUNK),
                end: None,
            }),
            grown: Condvar::new(),
            platforms: OnceLock::new(),
            ended: OnceLock::new(),
        }
    }

    /// A feed of these items, closed.
    pub fn of(items: impl IntoIterator<Item = T>) -> QueryFeed<T> {
        let feed = QueryFeed::new();
        for item in items {
            feed.push(item);
        }
        feed.close();
        feed
    }

    fn lock(&self) -> MutexGuard<'_, FeedState<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds the next component's item (none is taken after the feed has ended).
    pub fn push(&self, item: T) {
        let mut s = self.lock();
        if s.end.is_some() {
            return;
        }
        s.filling.push(item);
        if s.filling.len() == CHUNK {
            let full = std::mem::replace(&mut s.filling, Vec::with_capacity(CHUNK));
            s.chunks.push(Arc::new(full));
            self.grown.notify_all();
        }
    }

    /// No more items: the scan matches the last chunk and emits what it found.
    pub fn close(&self) {
        self.end(FeedEnd::Closed);
    }

    /// The items given so far belong to nothing valid (the SBOM turned out broken): the scan
    /// stops and emits nothing.
    pub fn abandon(&self) {
        self.end(FeedEnd::Abandoned);
    }

    fn end(&self, end: FeedEnd) {
        let mut s = self.lock();
        if s.end.is_some() {
            return;
        }
        if !s.filling.is_empty() {
            let last = std::mem::take(&mut s.filling);
            s.chunks.push(Arc::new(last));
        }
        s.end = Some(end);
        let _ = self.ended.set(end);
        self.grown.notify_all();
    }

    /// Whether the feed was abandoned.
    pub fn abandoned(&self) -> bool {
        self.lock().end == Some(FeedEnd::Abandoned)
    }

    /// The items given, in chunks, taken out of the feed (for a caller that keeps them
    /// past the scan).
    pub fn take_chunks(&self) -> Vec<Arc<Vec<T>>> {
        std::mem::take(&mut self.lock().chunks)
    }

    /// Chunk `n`, waiting until it is complete; `None` when the feed ends before it.
    fn chunk(&self, n: usize) -> Option<Arc<Vec<T>>> {
        let mut s = self.lock();
        loop {
            if s.end == Some(FeedEnd::Abandoned) {
                return None;
            }
            if let Some(c) = s.chunks.get(n) {
                return Some(c.clone());
            }
            if s.end.is_some() {
                return None;
            }
            s = self.grown.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// How the feed ended and with how many chunks, once it has.
    fn ended(&self) -> Option<(FeedEnd, usize)> {
        let s = self.lock();
        s.end.map(|e| (e, s.chunks.len()))
    }

    /// Waits until the feed has ended.
    fn wait_end(&self) -> (FeedEnd, usize) {
        let end = *self.ended.wait();
        (end, self.lock().chunks.len())
    }
}

impl<T: Borrow<Query> + Send + Sync> Platforms for QueryFeed<T> {
    fn platforms(&self) -> &[Platform] {
        self.platforms.get_or_init(|| {
            if self.wait_end().0 == FeedEnd::Abandoned {
                return Vec::new();
            }
            // Outside the lock, which the workers take for every chunk.
            let chunks = self.lock().chunks.clone();
            platforms(chunks.iter().flat_map(|c| c.iter().map(T::borrow)))
        })
    }
}

impl<T: Borrow<Query>> Default for QueryFeed<T> {
    fn default() -> Self {
        QueryFeed::new()
    }
}

/// Abandons the feed when dropped without [`Feeding::close`]: a feeder that fails or
/// panics cannot leave the scan waiting.
pub struct Feeding<'f, T: Borrow<Query>>(pub &'f QueryFeed<T>);

impl<T: Borrow<Query>> Feeding<'_, T> {
    pub fn close(self) {
        self.0.close();
    }
}

impl<T: Borrow<Query>> Drop for Feeding<'_, T> {
    fn drop(&mut self) {
        self.0.abandon();
    }
}

/// Findings of a scan and the problems met on the way (invalid versions and the like).
#[derive(Debug, Default)]
pub struct ScanResult {
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
}

/// Matches every query; findings come in query order, one per (component, vulnerability).
pub fn scan(db: &Db, queries: &[Query]) -> Result<ScanResult, DbError> {
    let (findings, warnings) = scan_map(db, queries, |f| f)?;
    Ok(ScanResult { findings, warnings })
}

/// [`scan`], with each finding turned into an `R` by `each` on the thread that found it:
/// turning thousands of findings into report rows is as much work as finding them.
pub fn scan_map<R: Send>(
    db: &Db,
    queries: &[Query],
    each: impl Fn(Finding) -> R + Sync,
) -> Result<(Vec<R>, Vec<String>), DbError> {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    scan_ordered(
        db,
        &QueryFeed::of(queries),
        Vec::new,
        |rows: &mut Vec<R>, _, f| rows.push(each(f)),
        |rows, w| {
            out.append(rows);
            warnings.extend_from_slice(w);
            Ok::<(), DbError>(())
        },
    )?;
    Ok((out, warnings))
}

/// [`scan`] for output written while matching goes on, of queries that may still be coming
/// (see [`QueryFeed`]): the components are matched in chunks on worker threads, each
/// finding folded into an `S` by `each` with its component's item (and dropped at once),
/// and `emit` gets every chunk's `S` and matcher warnings on the calling thread, in
/// component order, once the feed is closed. `emit` must leave the `S` empty: it goes back
/// to the workers for a later chunk, so a scan of any size reuses a few buffers instead of
/// holding its whole output (15,000 findings' JSON, 22 MB, cost a page fault per 4 KB and
/// the copies of a growing buffer: a tenth of the scan in the profile of issue 20).
///
/// Workers run at most a few chunks ahead of `emit`, so memory stays bounded when the
/// output is slow. While the feed is open one worker waits: the feeder (the SBOM's reader)
/// is a thread too, and with one worker per core beside it, it got two thirds of a core
/// and ended 13 ms later (46 instead of 33 ms on 12,500 components, the scan 7 % slower).
/// The result does not depend on the number of threads. The first error, of the database
/// or of `emit`, stops the scan. An abandoned feed stops it too, with nothing emitted and
/// no error: the feeder has its own to tell.
pub fn scan_ordered<T, S, E>(
    db: &Db,
    feed: &QueryFeed<T>,
    init: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, &T, Finding) + Sync,
    mut emit: impl FnMut(&mut S, &[String]) -> Result<(), E>,
) -> Result<(), E>
where
    T: Borrow<Query> + Send + Sync,
    S: Send,
    E: From<DbError> + Send,
{
    let match_chunk = |m: &mut Matcher<'_>,
                       n: usize,
                       chunk: &[T],
                       state: &mut S|
     -> Result<Vec<String>, DbError> {
        let mut found = Vec::new();
        for (i, item) in chunk.iter().enumerate() {
            m.match_query(item.borrow(), &mut found)?;
            for mut f in found.drain(..) {
                f.component_index = n * CHUNK + i;
                each(state, item, f);
            }
            if i % RELEASE_EVERY == RELEASE_EVERY - 1 {
                db.release_pages();
            }
        }
        Ok(std::mem::take(&mut m.warnings))
    };
    let workers = match feed.ended() {
        Some((_, chunks)) => threads().min(chunks),
        None => threads(),
    };
    if workers <= 1 {
        // One thread: nothing to overlap, and nothing is emitted before the feed ends.
        let (FeedEnd::Closed, chunks) = feed.wait_end() else {
            return Ok(());
        };
        let mut m = Matcher::new(db, feed);
        let mut state = init();
        for n in 0..chunks {
            let Some(chunk) = feed.chunk(n) else { break };
            let warnings = match_chunk(&mut m, n, &chunk, &mut state)?;
            emit(&mut state, &warnings)?;
        }
        return Ok(());
    }
    /// What the workers and the emitting thread share.
    struct Shared<S, E> {
        /// The next chunk a worker takes.
        next: usize,
        /// Chunks emitted so far.
        emitted: usize,
        /// Matched chunks waiting for their turn.
        done: BTreeMap<usize, (S, Vec<String>)>,
        /// Emptied states, for the next chunks.
        free: Vec<S>,
        failed: Option<E>,
        /// Set when the emitting thread is done, or a thread panicked: the others leave.
        stopped: bool,
    }
    let window = WINDOW.max(2 * workers);
    let shared = Mutex::new(Shared {
        next: 0,
        emitted: 0,
        done: BTreeMap::new(),
        free: Vec::new(),
        failed: None,
        stopped: false,
    });
    let turn = Condvar::new();
    let lock = || shared.lock().unwrap_or_else(PoisonError::into_inner);
    let wait = |g| turn.wait(g).unwrap_or_else(PoisonError::into_inner);
    // A thread that panics stops the others, which would otherwise wait for it for ever
    // (`std::thread::scope` joins them before passing the panic on).
    let stop = || {
        lock().stopped = true;
        turn.notify_all();
    };
    // Workers count themselves as they start: the last waits for the feed to end.
    let started = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let _stop = OnPanic(&stop);
                if started.fetch_add(1, Ordering::Relaxed) == workers - 1 {
                    feed.wait_end();
                }
                let mut m = Matcher::new(db, feed);
                loop {
                    let (n, state) = {
                        let mut g = lock();
                        loop {
                            let ahead = match feed.ended() {
                                Some(_) => window,
                                None => WINDOW_WHILE_FED,
                            };
                            if g.failed.is_some() || g.stopped {
                                return;
                            }
                            if g.next < g.emitted + ahead {
                                break;
                            }
                            g = wait(g);
                        }
                        let n = g.next;
                        g.next += 1;
                        (n, g.free.pop())
                    };
                    let Some(chunk) = feed.chunk(n) else {
                        // The feed ended before chunk n: the emitting thread may be waiting
                        // to learn that.
                        let _g = lock();
                        turn.notify_all();
                        return;
                    };
                    let mut s = state.unwrap_or_else(&init);
                    let result = match_chunk(&mut m, n, &chunk, &mut s);
                    let mut g = lock();
                    match result {
                        Ok(w) => {
                            g.done.insert(n, (s, w));
                        }
                        Err(e) => {
                            g.failed.get_or_insert(E::from(e));
                        }
                    }
                    turn.notify_all();
                }
            });
        }
        let _stop = OnPanic(&stop);
        // Nothing is emitted before the feed ends: the workers match meanwhile.
        let (end, chunks) = feed.wait_end();
        let mut g = lock();
        while end == FeedEnd::Closed && g.failed.is_none() && !g.stopped && g.emitted < chunks {
            let emitted = g.emitted;
            let Some((mut s, w)) = g.done.remove(&emitted) else {
                g = wait(g);
                continue;
            };
            drop(g);
            let result = emit(&mut s, &w);
            g = lock();
            match result {
                Ok(()) => {
                    g.free.push(s);
                    g.emitted += 1;
                }
                Err(e) => {
                    g.failed.get_or_insert(e);
                }
            }
            turn.notify_all();
        }
        g.stopped = true;
        drop(g);
        turn.notify_all();
    });
    let g = shared.into_inner().unwrap_or_else(PoisonError::into_inner);
    match g.failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// How many threads match: those of the rayon pool the scan is called in (tests vary it
/// so), else one per core. Not rayon's global pool: asking it its size starts its threads,
/// which then spin a while (`sched_yield`) for work that never comes.
fn threads() -> usize {
    if rayon::current_thread_index().is_some() {
        rayon::current_num_threads()
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Calls its function when dropped by a panic.
struct OnPanic<'f>(&'f dyn Fn());

impl Drop for OnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            (self.0)();
        }
    }
}
