//! Counter: a value that only goes up, sharded per thread.

use std::sync::atomic::{AtomicU64, Ordering};

use super::exemplar_slot::ExemplarSlot;
use super::shard::{CachePadded, shard_count, thread_number};
use super::value::AtomicF64;
use super::{ChildMetric, unix_now};
use crate::error::{Error, Result};
use crate::snapshot::{Exemplar, MetricType, PointValue};

/// Largest increment kept in the integer part: beyond 2^53 an `f64` no longer holds every integer.
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0;

#[derive(Debug, Default)]
struct Cell {
    /// Whole-number increments, the common case: a single `fetch_add`, no compare-and-swap loop.
    whole: AtomicU64,
    /// Everything else (fractions, huge values, `+Inf`).
    fraction: AtomicF64,
}

/// A monotonically increasing value.
///
/// Each thread adds into its own cache line, so two threads incrementing one counter scale instead
/// of contending; [`Counter::get`] sums the cells.
#[derive(Debug)]
pub struct Counter {
    cells: Box<[CachePadded<Cell>]>,
    mask: usize,
    created: AtomicF64,
    exemplar: ExemplarSlot,
}

impl Default for Counter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter {
    pub fn new() -> Self {
        let shards = shard_count();
        Counter {
            cells: (0..shards).map(|_| CachePadded::default()).collect(),
            mask: shards - 1,
            created: AtomicF64::new(unix_now()),
            exemplar: ExemplarSlot::default(),
        }
    }

    /// Adds `amount`, which must be `>= 0` (`+Inf` is allowed). A negative or NaN amount is an
    /// error and leaves the value unchanged.
    #[inline]
    pub fn inc(&self, amount: f64) -> Result<()> {
        if self.try_inc(amount) {
            Ok(())
        } else {
            Err(invalid_increment(amount))
        }
    }

    /// Adds `amount` when it is valid (`>= 0`, so not NaN) and says whether it did: the rule of
    /// [`Counter::inc`] without building an error, for callers with their own error reporting.
    #[inline]
    pub(crate) fn try_inc(&self, amount: f64) -> bool {
        // `>= 0` is false for NaN.
        if amount >= 0.0 {
            self.add_valid(amount);
            true
        } else {
            false
        }
    }

    /// Adds one.
    #[inline]
    pub fn inc_one(&self) {
        self.cell().whole.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `amount` and records an exemplar for it.
    pub fn inc_with_exemplar(&self, amount: f64, exemplar: Exemplar) -> Result<()> {
        self.inc(amount)?;
        self.exemplar.store(exemplar);
        Ok(())
    }

    /// Adds `amount`, already known to be `>= 0` (so not NaN).
    #[inline]
    fn add_valid(&self, amount: f64) {
        // Below 2^53 the conversion to i64 and back is exact for whole numbers and is one
        // instruction each way (the unsigned or saturating ones are several); `fract()` would be a
        // libm call. The kind of increment is decided before the shard is looked up, so that the
        // value need not be kept across that lookup.
        if amount < MAX_EXACT_INT {
            // SAFETY: 0 <= amount < 2^53, in range of i64.
            let whole = unsafe { amount.to_int_unchecked::<i64>() };
            if whole as f64 == amount {
                self.cell().whole.fetch_add(whole as u64, Ordering::Relaxed);
                return;
            }
        }
        self.cell().fraction.add(amount);
    }

    #[inline]
    fn cell(&self) -> &Cell {
        let index = thread_number() & self.mask;
        debug_assert!(index < self.cells.len());
        // SAFETY: `mask` is `cells.len() - 1` and the length is a power of two, so `index` is in
        // bounds; skipping the check keeps the hot path to the increment alone.
        unsafe { &self.cells.get_unchecked(index).0 }
    }

    /// The current value: the sum of every thread's cell.
    pub fn get(&self) -> f64 {
        let whole: u64 = self
            .cells
            .iter()
            .map(|c| c.0.whole.load(Ordering::Relaxed))
            .sum();
        let fraction: f64 = self.cells.iter().map(|c| c.0.fraction.get()).sum();
        whole as f64 + fraction
    }

    /// Sets the value back to zero, forgets the exemplar and restarts the creation time.
    pub fn reset(&self) {
        for cell in self.cells.iter() {
            cell.0.whole.store(0, Ordering::Relaxed);
            cell.0.fraction.set(0.0);
        }
        self.exemplar.clear();
        self.created.set(unix_now());
    }

    /// Seconds since the Unix epoch when the counter was created or last reset.
    pub fn created(&self) -> f64 {
        self.created.get()
    }

    /// The most recent exemplar, if any.
    pub fn exemplar(&self) -> Option<Exemplar> {
        self.exemplar.load()
    }
}

/// Built out of line, so that a valid increment stays a compare and an add.
#[cold]
#[inline(never)]
fn invalid_increment(amount: f64) -> Error {
    Error::InvalidValue(format!(
        "counters can only increase: increment {amount} is negative or NaN"
    ))
}

impl ChildMetric for Counter {
    type Config = ();
    const TYPE: MetricType = MetricType::Counter;

    fn new_child(_: &()) -> Self {
        Counter::new()
    }

    #[inline]
    fn prefetch_indirect(&self) {
        super::prefetch(self.cells.as_ptr());
        super::prefetch(&self.cells[self.cells.len() - 1]);
    }

    fn point(&self, _: &()) -> PointValue {
        PointValue::Counter {
            value: self.get(),
            created: Some(self.created()),
            exemplar: self.exemplar(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn increments_add_up() {
        let c = Counter::new();
        assert_eq!(c.get(), 0.0);
        c.inc_one();
        c.inc(5.0).unwrap();
        c.inc(0.5).unwrap();
        assert_eq!(c.get(), 6.5);
    }

    #[test]
    fn negative_and_nan_are_rejected_and_change_nothing() {
        let c = Counter::new();
        c.inc(2.0).unwrap();
        assert!(matches!(c.inc(-1.0), Err(Error::InvalidValue(_))));
        assert!(matches!(c.inc(f64::NAN), Err(Error::InvalidValue(_))));
        assert!(c.inc(f64::NEG_INFINITY).is_err());
        assert_eq!(c.get(), 2.0);
    }

    #[test]
    fn infinity_and_huge_values_are_kept() {
        let c = Counter::new();
        c.inc(1e300).unwrap();
        assert_eq!(c.get(), 1e300);
        c.inc(f64::INFINITY).unwrap();
        assert_eq!(c.get(), f64::INFINITY);
    }

    #[test]
    fn reset_zeroes_and_restarts_created() {
        let c = Counter::new();
        let created = c.created();
        c.inc(3.0).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        c.reset();
        assert_eq!(c.get(), 0.0);
        assert!(c.created() > created);
    }

    #[test]
    fn exemplar_is_kept_with_the_increment() {
        let c = Counter::new();
        let ex = Exemplar::new(&[("trace_id", "abc")], 2.0, Some(1.5)).unwrap();
        c.inc_with_exemplar(2.0, ex.clone()).unwrap();
        assert_eq!(c.exemplar(), Some(ex));
        assert_eq!(c.get(), 2.0);
    }

    #[test]
    fn eight_threads_a_million_each_is_exact() {
        let c = Arc::new(Counter::new());
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for _ in 0..1_000_000 {
                        if i % 2 == 0 {
                            c.inc_one();
                        } else {
                            c.inc(1.0).unwrap();
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(c.get(), 8_000_000.0);
    }
}
