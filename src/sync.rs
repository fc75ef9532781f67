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
//! The cost is on the locked paths only (a labelled lookup, a registration, a scrape), and it is
//! kept to plain memory operations: each of the first [`EXCLUSIVE_SLOTS`] threads that take a
//! lock owns a flag on a cache line of its own, which it sets with a plain store, and the fork
//! side pays for the ordering instead, with `membarrier(2)` (the asymmetric form of Dekker's
//! handshake: the prepare handler's barrier runs on every thread of the process, so either it
//! sees a thread's flag or that thread sees the gate shut). Where `membarrier` is not available
//! (seccomp, old kernels; `PE_FORK_GATE_NO_MEMBARRIER` set in the environment forces it), and for
//! threads beyond the owned flags, each side uses an atomic read-modify-write instead. The lock-free hot paths (an update on a bound child) never see the
//! gate.
//!
//! A fork waits for the locks held when it begins; none of them is held while user code runs
//! (collectors are called outside them), so that wait is as short as the longest critical
//! section, a scrape of one family. Should a holder still not have let go after
//! [`FORK_WAIT_LIMIT`], the fork goes ahead rather than hang the parent.

use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, compiler_fence};
use std::time::{Duration, Instant};

/// Threads that get a flag of their own (one cache line each).
pub const EXCLUSIVE_SLOTS: usize = 256;
/// Counters shared by the threads beyond those, one cache line each.
const SHARED_SLOTS: usize = 64;

#[repr(align(64))]
struct Slot(AtomicUsize);

/// Flags of the threads that own one: 1 while the thread holds any of these locks.
static OWNED: [Slot; EXCLUSIVE_SLOTS] = [const { Slot(AtomicUsize::new(0)) }; EXCLUSIVE_SLOTS];
/// Holder counts of the other threads, `thread slot - EXCLUSIVE_SLOTS` modulo their number.
static SHARED: [Slot; SHARED_SLOTS] = [const { Slot(AtomicUsize::new(0)) }; SHARED_SLOTS];
static FORKING: AtomicBool = AtomicBool::new(false);
/// Whether `membarrier(2)` orders the two sides, so owned flags take plain stores.
static ASYMMETRIC: AtomicBool = AtomicBool::new(false);
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();
/// How many times this process has been forked off from a parent (counted in the child).
static FORKS: AtomicU64 = AtomicU64::new(0);

/// How many `fork()`s led to this process, for state that threads of a parent may have left
/// half-written: they do not exist in the child. Counted once any lock of this module exists.
pub fn forks() -> u64 {
    FORKS.load(Ordering::Acquire)
}

/// How long a fork waits for the locks held when it begins.
pub const FORK_WAIT_LIMIT: Duration = Duration::from_secs(5);

/// A thread with no slot yet.
const UNASSIGNED: usize = usize::MAX;

thread_local! {
    /// The calling thread's slot (`UNASSIGNED` until its first lock) and how many of these locks
    /// it holds. Const-initialised with no destructor, so a host may `dlclose()` the library.
    static THREAD: Cell<(usize, usize)> = const { Cell::new((UNASSIGNED, 0)) };
}

#[cfg(target_os = "linux")]
mod barrier {
    const MEMBARRIER_CMD_PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
    const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_long = 1 << 4;

    /// Registers the process for expedited barriers; `false` when the kernel refuses.
    pub fn register() -> bool {
        // SAFETY: a system call with integer arguments.
        unsafe {
            libc::syscall(
                libc::SYS_membarrier,
                MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
                0,
            ) == 0
        }
    }

    /// A full memory barrier on every running thread of the process.
    pub fn everywhere() -> bool {
        // SAFETY: as above.
        unsafe { libc::syscall(libc::SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0 }
    }
}

#[cfg(not(target_os = "linux"))]
mod barrier {
    pub fn register() -> bool {
        false
    }

    pub fn everywhere() -> bool {
        false
    }
}

/// Installs the fork handlers, once per process (a child inherits them). glibc ties handlers
/// registered from a shared library to it and drops them when it is unloaded.
fn install() {
    INSTALL.call_once(|| {
        // The fallback is what a sandbox without `membarrier` gets; tests take it on purpose.
        let fallback = std::env::var_os("PE_FORK_GATE_NO_MEMBARRIER").is_some();
        ASYMMETRIC.store(!fallback && barrier::register(), Ordering::SeqCst);
        // SAFETY: the handlers are `extern "C"` functions that neither unwind nor allocate.
        unsafe { libc::pthread_atfork(Some(prepare), Some(reopen), Some(reopen_in_child)) };
    });
}

/// Whether a thread other than the caller (on slot `own`, holding `depth` of these locks) holds
/// one of these locks.
fn held_by_others(own: usize, depth: usize) -> bool {
    let mine = |index: usize| usize::from(index == own && depth > 0);
    OWNED
        .iter()
        .enumerate()
        .any(|(index, flag)| flag.0.load(Ordering::SeqCst) > mine(index))
        || SHARED
            .iter()
            .enumerate()
            .any(|(index, held)| held.0.load(Ordering::SeqCst) > mine(index + EXCLUSIVE_SLOTS))
}

extern "C" fn prepare() {
    FORKING.store(true, Ordering::SeqCst);
    if ASYMMETRIC.load(Ordering::SeqCst) && !barrier::everywhere() {
        // Cannot happen once registered; should it, a fork still waits, only less surely.
        ASYMMETRIC.store(false, Ordering::SeqCst);
    }
    // The forking thread may itself hold locks (a collector that forks): those stay held in the
    // child by the same thread, which is sound.
    let (own, depth) = THREAD.with(Cell::get);
    let began = Instant::now();
    let mut spins = 0u32;
    while held_by_others(own, depth) {
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

/// In the child only the forking thread exists: no flag or count but its own is real. (Others
/// remain only when the fork stopped waiting for a holder, whose lock then stays held.) The
/// barrier registration belongs to the parent's address space: the child registers anew.
extern "C" fn reopen_in_child() {
    let (own, depth) = THREAD.with(Cell::get);
    let mine = |index: usize| usize::from(index == own && depth > 0);
    for (index, flag) in OWNED.iter().enumerate() {
        flag.0.store(mine(index), Ordering::SeqCst);
    }
    for (index, held) in SHARED.iter().enumerate() {
        held.0
            .store(mine(index + EXCLUSIVE_SLOTS), Ordering::SeqCst);
    }
    if ASYMMETRIC.load(Ordering::SeqCst) {
        ASYMMETRIC.store(barrier::register(), Ordering::SeqCst);
    }
    FORKS.fetch_add(1, Ordering::AcqRel);
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
        if slot < EXCLUSIVE_SLOTS && ASYMMETRIC.load(Ordering::Relaxed) {
            let flag = &OWNED[slot].0;
            flag.store(1, Ordering::Relaxed);
            // Only the compiler must keep the store before the load: the prepare handler's
            // `membarrier` orders them on the processor.
            compiler_fence(Ordering::SeqCst);
            if !FORKING.load(Ordering::Relaxed) {
                THREAD.with(|t| t.set((slot, 1)));
                return Pass;
            }
            flag.store(0, Ordering::Relaxed);
        }
        Pass::enter_gate(slot)
    }

    /// The first lock of a thread, a fork in progress, or no `membarrier`: the full protocol.
    #[cold]
    fn enter_gate(slot: usize) -> Pass {
        let slot = if slot == UNASSIGNED {
            NEXT_SLOT
                .fetch_add(1, Ordering::Relaxed)
                .min(EXCLUSIVE_SLOTS + SHARED_SLOTS * 1024)
        } else {
            slot
        };
        let slot = if slot < EXCLUSIVE_SLOTS {
            slot
        } else {
            EXCLUSIVE_SLOTS + (slot - EXCLUSIVE_SLOTS) % SHARED_SLOTS
        };
        loop {
            // SeqCst read-modify-writes and loads on both sides: either the prepare handler
            // sees this thread, or this thread sees the gate shut.
            if slot < EXCLUSIVE_SLOTS {
                OWNED[slot].0.swap(1, Ordering::SeqCst);
            } else {
                SHARED[slot - EXCLUSIVE_SLOTS]
                    .0
                    .fetch_add(1, Ordering::SeqCst);
            }
            if !FORKING.load(Ordering::SeqCst) {
                break;
            }
            Pass::leave(slot);
            while FORKING.load(Ordering::SeqCst) {
                std::thread::yield_now();
            }
        }
        THREAD.with(|t| t.set((slot, 1)));
        Pass
    }

    #[inline]
    fn leave(slot: usize) {
        if slot < EXCLUSIVE_SLOTS {
            OWNED[slot].0.store(0, Ordering::Release);
        } else {
            SHARED[slot - EXCLUSIVE_SLOTS]
                .0
                .fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Pass {
    #[inline]
    fn drop(&mut self) {
        let (slot, depth) = THREAD.with(Cell::get);
        THREAD.with(|t| t.set((slot, depth - 1)));
        if depth == 1 {
            Pass::leave(slot);
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
        OWNED
            .iter()
            .chain(SHARED.iter())
            .map(|s| s.0.load(Ordering::SeqCst))
            .sum()
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
