//! Locks that a forked child can always take: `parking_lot`'s, behind a fork gate.
//!
//! `fork()` copies only the calling thread. A lock another thread held at that moment stays held
//! forever in the child, and whatever it guarded may be half-changed: an exporter mid-scrape (a
//! family's child map read-locked) or a thread adding a series (write-locked) would leave the
//! child hanging in its first update of that family. So every lock of the core is taken through
//! a gate that `fork()` closes: a `pthread_atfork` prepare handler shuts the gate and waits until
//! no thread holds any of these locks (a thread already holding one may take more, so nested
//! locking never waits at the gate and cannot deadlock against it); the parent and the child
//! then reopen it. The child thus starts with every lock free and every guarded structure whole.
//!
//! The cost is on the locked paths only (a labelled lookup, a registration, a scrape): a
//! thread-local depth and an uncontended add on a counter of the calling thread's own cache
//! line. The lock-free hot paths (an update on a bound child) never see the gate. A fork waits
//! for the locks held when it begins; none of them is held while user code runs (collectors are
//! called outside them), so that wait is as short as the longest critical section, a scrape of
//! one family. Should a holder still not have let go after [`FORK_WAIT_LIMIT`], the fork goes
//! ahead rather than hang the parent.

use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Gate counters, one per cache line: a thread counts itself on the slot of its number, so
/// threads on different slots never share a line.
const SLOTS: usize = 64;

#[repr(align(64))]
struct Slot(AtomicUsize);

static HOLDERS: [Slot; SLOTS] = [const { Slot(AtomicUsize::new(0)) }; SLOTS];
static FORKING: AtomicBool = AtomicBool::new(false);
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();

/// How long a fork waits for the locks held when it begins.
pub const FORK_WAIT_LIMIT: Duration = Duration::from_secs(5);

thread_local! {
    /// The calling thread's gate slot (`usize::MAX` until assigned) and how many of these locks
    /// it holds. Const-initialised with no destructor, so a host may `dlclose()` the library.
    static THREAD: Cell<(usize, usize)> = const { Cell::new((usize::MAX, 0)) };
}

/// Installs the fork handlers, once per process (a child inherits them). glibc ties handlers
/// registered from a shared library to it and drops them when it is unloaded.
fn install() {
    INSTALL.call_once(|| {
        // SAFETY: the handlers are `extern "C"` functions that neither unwind nor allocate.
        unsafe { libc::pthread_atfork(Some(prepare), Some(reopen), Some(reopen_in_child)) };
    });
}

extern "C" fn prepare() {
    FORKING.store(true, Ordering::SeqCst);
    // The forking thread may itself hold locks (a collector that forks): those stay held in the
    // child by the same thread, which is sound.
    let (slot, depth) = THREAD.with(Cell::get);
    let own = |index: usize| usize::from(index == slot && depth > 0);
    let began = Instant::now();
    let mut spins = 0u32;
    while HOLDERS
        .iter()
        .enumerate()
        .any(|(index, held)| held.0.load(Ordering::SeqCst) > own(index))
    {
        if began.elapsed() > FORK_WAIT_LIMIT {
            break;
        }
        spins += 1;
        if spins < 64 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(Duration::from_micros(50));
        }
    }
}

extern "C" fn reopen() {
    FORKING.store(false, Ordering::SeqCst);
}

/// In the child only the forking thread exists: no count but its own is real. (Others remain
/// only when the fork stopped waiting for a holder, whose lock then stays held.)
extern "C" fn reopen_in_child() {
    let (slot, depth) = THREAD.with(Cell::get);
    for (index, held) in HOLDERS.iter().enumerate() {
        held.0
            .store(usize::from(index == slot && depth > 0), Ordering::SeqCst);
    }
    reopen();
}

/// A pass through the gate: while one lives, `fork()` waits. Taken before the lock, dropped
/// after it.
struct Pass;

impl Pass {
    #[inline]
    fn enter() -> Pass {
        let (slot, depth) = THREAD.with(Cell::get);
        if depth > 0 {
            THREAD.with(|t| t.set((slot, depth + 1)));
            return Pass;
        }
        Pass::enter_gate(slot)
    }

    #[cold]
    fn enter_gate(slot: usize) -> Pass {
        let slot = if slot == usize::MAX {
            NEXT_SLOT.fetch_add(1, Ordering::Relaxed) % SLOTS
        } else {
            slot
        };
        loop {
            // SeqCst on both sides: either the prepare handler sees this count, or this thread
            // sees the gate shut.
            HOLDERS[slot].0.fetch_add(1, Ordering::SeqCst);
            if !FORKING.load(Ordering::SeqCst) {
                break;
            }
            HOLDERS[slot].0.fetch_sub(1, Ordering::SeqCst);
            while FORKING.load(Ordering::SeqCst) {
                std::thread::yield_now();
            }
        }
        THREAD.with(|t| t.set((slot, 1)));
        Pass
    }
}

impl Drop for Pass {
    #[inline]
    fn drop(&mut self) {
        let (slot, depth) = THREAD.with(Cell::get);
        THREAD.with(|t| t.set((slot, depth - 1)));
        if depth == 1 {
            HOLDERS[slot].0.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A mutual-exclusion lock whose holders a `fork()` waits for.
#[derive(Default)]
pub struct Mutex<T> {
    inner: parking_lot::Mutex<T>,
}

/// A reader-writer lock whose holders a `fork()` waits for.
#[derive(Default)]
pub struct RwLock<T> {
    inner: parking_lot::RwLock<T>,
}

/// Access to what a lock guards; the lock is released, then the gate passed, when it drops.
pub struct Guard<G> {
    // Field order is drop order: the lock first, then the pass.
    guard: G,
    _pass: Pass,
}

impl<G: Deref> Deref for Guard<G> {
    type Target = G::Target;
    fn deref(&self) -> &G::Target {
        &self.guard
    }
}

impl<G: DerefMut> DerefMut for Guard<G> {
    fn deref_mut(&mut self) -> &mut G::Target {
        &mut self.guard
    }
}

pub type MutexGuard<'a, T> = Guard<parking_lot::MutexGuard<'a, T>>;
pub type ReadGuard<'a, T> = Guard<parking_lot::RwLockReadGuard<'a, T>>;
pub type WriteGuard<'a, T> = Guard<parking_lot::RwLockWriteGuard<'a, T>>;

impl<T> Mutex<T> {
    pub fn new(value: T) -> Self {
        install();
        Mutex {
            inner: parking_lot::Mutex::new(value),
        }
    }

    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        let pass = Pass::enter();
        Guard {
            guard: self.inner.lock(),
            _pass: pass,
        }
    }

    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T> RwLock<T> {
    pub fn new(value: T) -> Self {
        install();
        RwLock {
            inner: parking_lot::RwLock::new(value),
        }
    }

    #[inline]
    pub fn read(&self) -> ReadGuard<'_, T> {
        let pass = Pass::enter();
        Guard {
            guard: self.inner.read(),
            _pass: pass,
        }
    }

    #[inline]
    pub fn write(&self) -> WriteGuard<'_, T> {
        let pass = Pass::enter();
        Guard {
            guard: self.inner.write(),
            _pass: pass,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holders() -> usize {
        HOLDERS.iter().map(|s| s.0.load(Ordering::SeqCst)).sum()
    }

    #[test]
    fn nested_locks_count_the_thread_once() {
        let (a, b) = (RwLock::new(1), Mutex::new(2));
        let before = THREAD.with(Cell::get).1;
        {
            let _read = a.read();
            let _locked = b.lock();
            assert_eq!(THREAD.with(Cell::get).1, before + 2);
            assert!(holders() >= 1);
        }
        assert_eq!(THREAD.with(Cell::get).1, before);
    }

    /// The child's wait status, or `None` (after killing it) when it runs past `limit`.
    fn wait_for_child(pid: libc::pid_t, limit: Duration) -> Option<i32> {
        let began = Instant::now();
        loop {
            let mut status = 0;
            // SAFETY: polling a child of this process.
            if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
                return Some(status);
            }
            if began.elapsed() > limit {
                // SAFETY: as above; the child is reaped after the kill.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, &mut status, 0);
                }
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_forked_child_takes_a_lock_another_thread_held_at_fork() {
        use std::sync::Arc;
        use std::sync::atomic::AtomicBool;
        let lock = Arc::new(RwLock::new(0u64));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (lock, stop) = (lock.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    *lock.write() += 1;
                    let _held = lock.read();
                }
            })
        };
        for _ in 0..20 {
            // SAFETY: the child only takes the lock and exits with `_exit`.
            let pid = unsafe { libc::fork() };
            if pid == 0 {
                let value = *lock.write() + 1;
                let code = if value > 0 { 0 } else { 1 };
                unsafe { libc::_exit(code) };
            }
            assert!(pid > 0, "fork failed");
            let status = wait_for_child(pid, Duration::from_secs(10));
            assert!(
                status.is_some_and(|s| libc::WIFEXITED(s) && libc::WEXITSTATUS(s) == 0),
                "the child hung or failed: {status:?}"
            );
        }
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
    }
}
