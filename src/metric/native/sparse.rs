//! The populated buckets of one sign: a map from bucket key to count that writers update and
//! extend without a lock.
//!
//! Keys live in open-addressing tables that are never more than half full. A writer finds its key
//! in a probe or two and adds to its count; a key not yet present claims the first empty slot with
//! one compare-and-swap. A table that would pass half full gets a larger one chained after it,
//! which later keys go to; the chain is folded back into one table while nobody writes to it (see
//! [`Sparse::compact`]). Memory is proportional to the populated buckets, not to the span of
//! their keys: a histogram that saw 1e-300 and 1e300 holds two buckets.
//!
//! A key may end up in two tables of a chain (two writers racing past a filling table); both
//! counts are kept and readers add them up.

use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU64, AtomicUsize, Ordering};

/// No key: bucket keys stay within ±(1100 · 256) + 1.
const EMPTY: i32 = i32::MIN;
/// The first table's slots; enough for the buckets of a typical latency histogram.
const FIRST_CAPACITY: usize = 32;

struct Slot {
    key: AtomicI32,
    count: AtomicU64,
}

struct Table {
    mask: usize,
    /// Slots claimed, or being claimed.
    occupied: AtomicUsize,
    next: AtomicPtr<Table>,
    slots: Box<[Slot]>,
}

impl Table {
    fn boxed(capacity: usize) -> *mut Table {
        let capacity = capacity.next_power_of_two().max(FIRST_CAPACITY);
        Box::into_raw(Box::new(Table {
            mask: capacity - 1,
            occupied: AtomicUsize::new(0),
            next: AtomicPtr::new(std::ptr::null_mut()),
            slots: (0..capacity)
                .map(|_| Slot {
                    key: AtomicI32::new(EMPTY),
                    count: AtomicU64::new(0),
                })
                .collect(),
        }))
    }

    #[inline]
    fn start(&self, key: i32) -> usize {
        start(key, self.mask)
    }

    /// The slot holding `key` (and `true`), or the empty slot where it would go (and `false`);
    /// `None` past a full probe.
    #[inline]
    fn probe(&self, key: i32) -> Option<(&Slot, bool)> {
        let mut index = self.start(key);
        for _ in 0..=self.mask {
            let slot = &self.slots[index];
            let found = slot.key.load(Ordering::Acquire);
            if found == key {
                return Some((slot, true));
            }
            if found == EMPTY {
                return Some((slot, false));
            }
            index = (index + 1) & self.mask;
        }
        None
    }
}

/// Where the probe for `key` starts in a table of `mask + 1` slots: Fibonacci hashing spreads
/// neighbouring keys over the table.
#[inline]
fn start(key: i32, mask: usize) -> usize {
    ((key as u32).wrapping_mul(0x9e37_79b9) >> 7) as usize & mask
}

/// The buckets of one sign of one half of a native histogram.
pub(super) struct Sparse {
    head: AtomicPtr<Table>,
    /// The first table's slots and mask, beside the head so that [`Sparse::find`] reaches a slot
    /// without first loading the table. They change only with `head`, at rest.
    first_slots: AtomicPtr<Slot>,
    first_mask: AtomicUsize,
}

impl Sparse {
    pub(super) fn new() -> Self {
        let sparse = Sparse {
            head: AtomicPtr::new(std::ptr::null_mut()),
            first_slots: AtomicPtr::new(std::ptr::null_mut()),
            first_mask: AtomicUsize::new(0),
        };
        sparse.install(Table::boxed(FIRST_CAPACITY));
        sparse
    }

    /// Makes `table` the first; returns the chain it replaces.
    fn install(&self, table: *mut Table) -> *mut Table {
        // SAFETY: a fresh table, owned by this map from now on.
        let fresh = unsafe { &*table };
        self.first_slots
            .store(fresh.slots.as_ptr().cast_mut(), Ordering::Relaxed);
        self.first_mask.store(fresh.mask, Ordering::Relaxed);
        self.head.swap(table, Ordering::AcqRel)
    }

    /// The count of bucket `key` in the first table, if the key is there: the common case,
    /// without claiming anything.
    #[inline]
    pub(super) fn find(&self, key: i32) -> Option<&AtomicU64> {
        let mask = self.first_mask.load(Ordering::Relaxed);
        let slots = self.first_slots.load(Ordering::Relaxed);
        // SAFETY: `first_slots` holds `mask + 1` slots of the first table, which lives as long
        // as `head` names it (see `add`); both were set, at rest, before any writer came.
        let slot = unsafe { &*slots.add(start(key, mask)) };
        (slot.key.load(Ordering::Acquire) == key).then_some(&slot.count)
    }

    /// Adds `delta` to bucket `key` (Release: a reader that sees the count sees what the writer
    /// did before). Says whether the key was new to this map.
    #[inline]
    pub(super) fn add(&self, key: i32, delta: u64) -> bool {
        // SAFETY: tables are freed only by `compact` and `drop`, which run while no writer uses
        // this map.
        let mut table = unsafe { &*self.head.load(Ordering::Acquire) };
        loop {
            if let Some((slot, found)) = table.probe(key) {
                if found {
                    slot.count.fetch_add(delta, Ordering::Release);
                    return false;
                }
                let next = table.next.load(Ordering::Acquire);
                if next.is_null() {
                    match Self::claim(table, slot, key, delta) {
                        Claim::Done(new) => return new,
                        Claim::Retry => continue,
                        Claim::Full => {}
                    }
                }
            }
            table = unsafe { &*Self::next_table(table) };
        }
    }

    /// Takes the empty `slot` for `key`, unless the table is half full or another writer took it.
    #[cold]
    fn claim(table: &Table, slot: &Slot, key: i32, delta: u64) -> Claim {
        if table.occupied.fetch_add(1, Ordering::Relaxed) >= table.slots.len() / 2 {
            table.occupied.fetch_sub(1, Ordering::Relaxed);
            return Claim::Full;
        }
        // The count first, the key last: a writer that finds the key finds a slot to add to.
        match slot
            .key
            .compare_exchange(EMPTY, key, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {
                slot.count.fetch_add(delta, Ordering::Release);
                Claim::Done(true)
            }
            Err(_) => {
                table.occupied.fetch_sub(1, Ordering::Relaxed);
                Claim::Retry
            }
        }
    }

    /// The table chained after `table`, made (twice as large) when there is none.
    #[cold]
    fn next_table(table: &Table) -> *mut Table {
        let next = table.next.load(Ordering::Acquire);
        if !next.is_null() {
            return next;
        }
        let fresh = Table::boxed(table.slots.len() * 2);
        match table.next.compare_exchange(
            std::ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => fresh,
            Err(installed) => {
                // SAFETY: `fresh` was never shared.
                drop(unsafe { Box::from_raw(fresh) });
                installed
            }
        }
    }

    /// Calls `visit(key, count)` for each key with a count above zero, a key in two tables
    /// twice.
    pub(super) fn for_each(&self, mut visit: impl FnMut(i32, u64)) {
        let mut table = self.head.load(Ordering::Acquire);
        while !table.is_null() {
            // SAFETY: as in `add`.
            let current = unsafe { &*table };
            for slot in current.slots.iter() {
                let key = slot.key.load(Ordering::Acquire);
                if key != EMPTY {
                    let count = slot.count.load(Ordering::Acquire);
                    if count > 0 {
                        visit(key, count);
                    }
                }
            }
            table = current.next.load(Ordering::Acquire);
        }
    }

    /// The sum of all counts.
    pub(super) fn total(&self) -> u64 {
        let mut total = 0;
        self.for_each(|_, count| total += count);
        total
    }

    /// The keys and counts, sorted by key, a key in two tables once.
    pub(super) fn sorted(&self) -> Vec<(i32, u64)> {
        let mut pairs = Vec::new();
        self.for_each(|key, count| pairs.push((key, count)));
        pairs.sort_unstable_by_key(|(key, _)| *key);
        pairs.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                earlier.1 += later.1;
            }
            same
        });
        pairs
    }

    /// The number of slots claimed, over the whole chain.
    pub(super) fn populated(&self) -> usize {
        let mut populated = 0;
        let mut table = self.head.load(Ordering::Acquire);
        while !table.is_null() {
            // SAFETY: as in `add`.
            let current = unsafe { &*table };
            populated += current.occupied.load(Ordering::Relaxed);
            table = current.next.load(Ordering::Acquire);
        }
        populated
    }

    /// Empties the map and leaves one table, with room for `expected` keys at half load. Only
    /// while no writer uses the map.
    pub(super) fn compact(&self, expected: usize) {
        free_chain(self.install(Table::boxed(expected * 2)));
    }

    /// Sets every count to zero and keeps the keys, so that the writes to come find their slots;
    /// a chain is folded into one table. Only while no writer uses the map.
    pub(super) fn zero(&self) {
        let head = unsafe { &*self.head.load(Ordering::Acquire) };
        if head.next.load(Ordering::Acquire).is_null() {
            for slot in head.slots.iter() {
                slot.count.store(0, Ordering::Relaxed);
            }
            return;
        }
        let keys = self.sorted();
        self.compact(keys.len());
        for (key, _) in keys {
            self.add(key, 0);
        }
    }
}

enum Claim {
    Done(bool),
    Retry,
    Full,
}

fn free_chain(mut table: *mut Table) {
    while !table.is_null() {
        // SAFETY: the chain is no longer reachable by anyone.
        let owned = unsafe { Box::from_raw(table) };
        table = owned.next.load(Ordering::Acquire);
    }
}

impl Drop for Sparse {
    fn drop(&mut self) {
        free_chain(*self.head.get_mut());
    }
}

// SAFETY: the raw pointers are owned tables of atomics, shared by design.
unsafe impl Send for Sparse {}
unsafe impl Sync for Sparse {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn adds_and_reads_back_sorted() {
        let map = Sparse::new();
        assert!(map.add(5, 1));
        assert!(!map.add(5, 2));
        assert!(map.add(-3, 1));
        assert_eq!(map.sorted(), [(-3, 1), (5, 3)]);
        assert_eq!(map.total(), 4);
        assert_eq!(map.populated(), 2);
    }

    #[test]
    fn a_filling_table_chains_and_compacting_folds_it() {
        let map = Sparse::new();
        for key in 0..1000 {
            map.add(key * 7 - 3000, 1);
        }
        assert_eq!(map.total(), 1000);
        assert_eq!(map.sorted().len(), 1000);
        map.zero();
        assert_eq!(map.total(), 0);
        // The keys stayed: adding finds them without claiming.
        assert!(!map.add(-3000, 1));
        map.compact(0);
        assert_eq!(map.total(), 0);
        assert!(map.add(-3000, 1));
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let map = Arc::new(Sparse::new());
        let writers: Vec<_> = (0..4)
            .map(|t| {
                let map = map.clone();
                std::thread::spawn(move || {
                    for i in 0..50_000i32 {
                        map.add((i * 31 + t) % 997, 1);
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let pairs = map.sorted();
        assert_eq!(pairs.iter().map(|(_, c)| c).sum::<u64>(), 200_000);
        assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(pairs.len(), 997);
    }
}
