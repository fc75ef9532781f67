//! Native histogram buckets in the store: per sign, a chain of open-addressing tables of
//! `(key, count)` entries in which any process claims a key with one compare-and-swap and
//! counts with one atomic add, no lock. Only a new table (the first of a series, or one twice
//! as large when the last is three-quarters full) takes the store's lock.
//!
//! The buckets are kept at the family's schema; the bucket limit is applied when they are read,
//! by halving the resolution until they fit (merging neighbours is exact), because a reduction
//! that moved counts in place could not be made atomic against other processes' writers.

use std::sync::atomic::{AtomicU64, Ordering};

use super::layout::*;
use super::lock::SharedGuard;
use super::{Store, corrupt};
use crate::error::Result;
use crate::snapshot::{Exemplar, NativeBuckets};

/// The coarsest schema a read reduces to.
const SCHEMA_MIN: i32 = -4;

/// A native histogram series read from the store.
pub struct NativeSnapshot {
    /// Per-bucket (not cumulative) classic counts.
    pub classic: Vec<u64>,
    pub sum: f64,
    /// Every observation counted in a native or the zero bucket.
    pub count: u64,
    pub buckets: NativeBuckets,
    /// The latest exemplar per classic bucket (one slot when there are none), empty when none.
    pub exemplars: Vec<Option<Exemplar>>,
}

/// What a native histogram family keeps: its classic bounds, schema, zero threshold and limit.
pub struct NativeShape<'a> {
    pub bounds: &'a [f64],
    pub schema: i32,
    pub zero_threshold: f64,
    pub max_buckets: u32,
}

/// `(key, count)` native buckets of one sign.
type Buckets = Vec<(i32, u64)>;

fn tag(key: i32) -> u64 {
    u64::from(key as u32) | 1 << 32
}

fn start(key: i32, mask: u64) -> u64 {
    u64::from((key as u32).wrapping_mul(0x9e37_79b1)) & mask
}

impl Store {
    /// The count of native bucket `key` in the tables whose first one's offset is the word at
    /// `head` (inside a value block), its entry claimed if it has none. The caller adds to it
    /// last, after the sum: a reader that sees the count sees the sum.
    pub fn native_bucket(&self, head: u64, key: i32) -> Result<&AtomicU64> {
        let head = self.at::<AtomicU64>(head)?;
        let mut offset = head.load(Ordering::Acquire);
        if offset == 0 {
            offset = self.native_table(head, NATIVE_FIRST_TABLE)?;
        }
        let tag = tag(key);
        for _ in 0..48 {
            let table = self.at::<NativeTable>(offset)?;
            let capacity = self.table_capacity(offset, table)?;
            let entries = offset + std::mem::size_of::<NativeTable>() as u64;
            let mut index = start(key, capacity - 1);
            for _ in 0..capacity {
                let entry = self.at::<NativeEntry>(entries + index * 16)?;
                let current = entry.key.load(Ordering::Acquire);
                if current == tag {
                    return Ok(&entry.count);
                }
                if current == 0 {
                    // A key is at the first free entry of its probe sequence, or in a later
                    // table: past a free entry it is not in this one.
                    if table.used.load(Ordering::Relaxed) >= capacity / 4 * 3 {
                        break;
                    }
                    match entry
                        .key
                        .compare_exchange(0, tag, Ordering::AcqRel, Ordering::Acquire)
                    {
                        Ok(_) => {
                            table.used.fetch_add(1, Ordering::Relaxed);
                            return Ok(&entry.count);
                        }
                        Err(other) if other == tag => return Ok(&entry.count),
                        Err(_) => {}
                    }
                }
                index = (index + 1) & (capacity - 1);
            }
            let mut next = table.next.load(Ordering::Acquire);
            if next == 0 {
                next = self.native_table(&table.next, capacity * 2)?;
            }
            offset = next;
        }
        Err(corrupt(&self.path, "a native bucket table chain loops"))
    }

    /// The table `word` points to, made (with `capacity` entries) if it points to none.
    fn native_table(&self, word: &AtomicU64, capacity: u64) -> Result<u64> {
        let guard = self.lock.lock()?;
        let current = word.load(Ordering::Acquire);
        if current != 0 {
            return Ok(current);
        }
        let len = std::mem::size_of::<NativeTable>() as u64 + capacity * 16;
        // Fresh bytes of the file are zero: every entry free.
        let offset = self.alloc(len, BLOCK_ALIGN, &guard)?;
        self.at::<NativeTable>(offset)?
            .capacity
            .store(capacity, Ordering::Relaxed);
        word.store(offset, Ordering::Release);
        Ok(offset)
    }

    fn table_capacity(&self, offset: u64, table: &NativeTable) -> Result<u64> {
        let capacity = table.capacity.load(Ordering::Relaxed);
        if !capacity.is_power_of_two() || capacity > self.capacity / 16 {
            return Err(corrupt(
                &self.path,
                format!("a native bucket table at {offset} is damaged"),
            ));
        }
        Ok(capacity)
    }

    /// The `(key, count)` buckets of the tables whose first one's offset is the word at
    /// `head`, by key, those without observations left out.
    fn native_buckets(&self, head: u64) -> Result<Buckets> {
        let mut offset = self.at::<AtomicU64>(head)?.load(Ordering::Acquire);
        let mut out: Buckets = Vec::new();
        let mut hops = 0;
        while offset != 0 {
            let table = self.at::<NativeTable>(offset)?;
            let capacity = self.table_capacity(offset, table)?;
            let entries = offset + std::mem::size_of::<NativeTable>() as u64;
            for index in 0..capacity {
                let entry = self.at::<NativeEntry>(entries + index * 16)?;
                let key = entry.key.load(Ordering::Acquire);
                let count = entry.count.load(Ordering::Acquire);
                if key != 0 && count != 0 {
                    out.push((key as u32 as i32, count));
                }
            }
            hops += 1;
            if hops > 48 {
                return Err(corrupt(&self.path, "a native bucket table chain loops"));
            }
            offset = table.next.load(Ordering::Acquire);
        }
        Ok(merged(out))
    }

    /// A native histogram series whose value block is `block`, read under the lock (its
    /// exemplars need it).
    pub fn native_histogram(&self, block: u64, shape: &NativeShape<'_>) -> Result<NativeSnapshot> {
        let guard = self.lock.lock()?;
        self.native_locked(block, shape, &guard)
    }

    pub(crate) fn native_locked(
        &self,
        block: u64,
        shape: &NativeShape<'_>,
        guard: &SharedGuard<'_>,
    ) -> Result<NativeSnapshot> {
        let n = shape.bounds.len() as u32;
        let words = self.words(block, native_block(n))?;
        let fixed = &words[n as usize..];
        let classic: Vec<u64> = words[..n as usize]
            .iter()
            .map(|w| w.load(Ordering::Acquire))
            .collect();
        let zero = fixed[NATIVE_ZERO as usize].load(Ordering::Acquire);
        let positive = self.native_buckets(block + (u64::from(n) + NATIVE_POSITIVE) * 8)?;
        let negative = self.native_buckets(block + (u64::from(n) + NATIVE_NEGATIVE) * 8)?;
        let sum = f64::from_bits(fixed[NATIVE_SUM as usize].load(Ordering::Relaxed));
        let count = zero
            + positive.iter().map(|(_, c)| c).sum::<u64>()
            + negative.iter().map(|(_, c)| c).sum::<u64>();
        let (schema, positive, negative) =
            reduced(shape.schema, positive, negative, shape.max_buckets);
        let slots = block + native_exemplars(n);
        let mut exemplars = Vec::new();
        if words[(native_exemplars(n) / 8) as usize..]
            .iter()
            .any(|w| w.load(Ordering::Acquire) != 0)
        {
            for i in 0..u64::from(n.max(1)) {
                exemplars.push(self.exemplar_locked(slots + i * 8, guard)?);
            }
        }
        let mut native_exemplars: Vec<Exemplar> = exemplars.iter().flatten().cloned().collect();
        native_exemplars.sort_by(|a, b| a.value.total_cmp(&b.value));
        if n == 0 {
            exemplars.clear();
        }
        Ok(NativeSnapshot {
            classic,
            sum,
            count,
            buckets: NativeBuckets::from_sorted(
                schema,
                shape.zero_threshold,
                zero,
                &positive,
                &negative,
                native_exemplars,
            ),
            exemplars,
        })
    }
}

/// Sorted by key, a key's counts from several tables added together.
fn merged(mut buckets: Buckets) -> Buckets {
    buckets.sort_unstable_by_key(|(key, _)| *key);
    let mut out: Buckets = Vec::with_capacity(buckets.len());
    for (key, count) in buckets {
        match out.last_mut() {
            Some((last, total)) if *last == key => *total += count,
            _ => out.push((key, count)),
        }
    }
    out
}

/// The buckets at the finest schema, from `schema` down, whose number is within `max_buckets`
/// (0: no limit): each step merges bucket `k` into `ceil(k/2)`, as client_golang's reduction.
fn reduced(
    mut schema: i32,
    mut positive: Buckets,
    mut negative: Buckets,
    max_buckets: u32,
) -> (i32, Buckets, Buckets) {
    while max_buckets > 0
        && positive.len() + negative.len() > max_buckets as usize
        && schema > SCHEMA_MIN
    {
        let halve = |buckets: Buckets| {
            merged(
                buckets
                    .into_iter()
                    .map(|(key, count)| ((key >> 1) + (key & 1), count))
                    .collect(),
            )
        };
        positive = halve(positive);
        negative = halve(negative);
        schema -= 1;
    }
    (schema, positive, negative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduction_halves_until_the_buckets_fit() {
        let positive = vec![(1, 1), (2, 1), (3, 1), (4, 1)];
        let negative = vec![(-1, 2), (0, 1)];
        let (schema, p, n) = reduced(3, positive.clone(), negative.clone(), 0);
        assert_eq!((schema, p.len(), n.len()), (3, 4, 2));
        let (schema, p, n) = reduced(3, positive, negative, 4);
        assert_eq!(schema, 2);
        assert_eq!(p, vec![(1, 2), (2, 2)]);
        assert_eq!(n, vec![(0, 3)]);
    }

    #[test]
    fn merging_adds_the_counts_of_one_key() {
        assert_eq!(merged(vec![(3, 1), (-2, 4), (3, 2)]), vec![(-2, 4), (3, 3)]);
    }
}
