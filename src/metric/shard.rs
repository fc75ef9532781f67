//! Thread numbers, for values kept in several cells where no CPU number is at hand.
//!
//! Where restartable sequences work (see [`super::rseq`]) an update goes to the cell of the CPU it
//! runs on. Otherwise each thread is given a number once, round-robin, and updates the cell of its
//! number: threads started one after another land in different cells.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_get_distinct_numbers() {
        let here = thread_number();
        assert_eq!(thread_number(), here);
        let there = std::thread::spawn(thread_number).join().unwrap();
        assert_ne!(here, there);
    }
}
