//! Shards, so that threads updating one counter do not fight over one cache line.
//!
//! A sharded value keeps one cache-line-sized cell per shard, as many as CPUs (rounded up to a
//! power of two); readers sum the cells. Where restartable sequences work (see [`super::rseq`]) an
//! update goes to the cell of the CPU it runs on. Otherwise each thread is given a number once,
//! round-robin, and updates the cell of its number: threads started one after another land in
//! different cells.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A value padded to its own cache line. `repr(C)`: the value is at offset 0.
#[derive(Debug, Default)]
#[repr(C, align(64))]
pub struct CachePadded<T>(pub T);

static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static THREAD_NUMBER: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// The calling thread's number, assigned on first use.
#[inline]
pub fn thread_number() -> usize {
    let current = THREAD_NUMBER.with(Cell::get);
    if current != usize::MAX {
        current
    } else {
        assign_thread_number()
    }
}

/// The first call on a thread: out of line, so the hot path is a load and a compare.
#[cold]
#[inline(never)]
fn assign_thread_number() -> usize {
    let assigned = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
    THREAD_NUMBER.with(|n| n.set(assigned));
    assigned
}

/// How many shards a sharded value has: the CPU count rounded up to a power of two, at least 2,
/// at most 32.
pub fn shard_count() -> usize {
    static COUNT: OnceLock<usize> = OnceLock::new();
    *COUNT.get_or_init(|| {
        // Every sharded value asks this before its first update: the moment to look for rseq.
        super::rseq::init();
        crate::util::shard_count_for_cpus()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_get_distinct_numbers() {
        let here = thread_number();
        assert_eq!(thread_number(), here);
        let there = std::thread::spawn(thread_number).join().unwrap();
        assert_ne!(here, there);
        assert!(shard_count().is_power_of_two() && shard_count() >= 2);
    }
}
