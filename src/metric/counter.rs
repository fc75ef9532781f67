//! Counter: a value that only goes up, sharded per thread.

use std::sync::atomic::{AtomicU64, Ordering};

use super::exemplar_slot::ExemplarSlot;
use super::expiry::Activity;
use super::rseq;
use super::shard::{CachePadded, shard_count, thread_number};
use super::shared_cells::SharedCells;
use super::value::AtomicF64;
use super::{ChildMetric, unix_now};
use crate::error::{Error, Result};
use crate::snapshot::{Exemplar, MetricType, PointValue};
use crate::store::layout::counter_exemplar;
use crate::store::{GaugeMode, Store, StoreKind};
use std::sync::Arc;

/// Increments below this are kept in the integer part: beyond 2^53 an `f64` no longer holds every
/// integer.
const MAX_EXACT_INT: u64 = 1 << 53;

/// `amount` as an integer when it is a whole number in `0..2^53`, the common increment; `None` for
/// anything else (fractions, negative, huge, infinite, NaN).
#[inline(always)]
fn whole_amount(amount: f64) -> Option<u64> {
    // One truncating conversion and a round trip decide it: NaN and out-of-range values come back
    // as i64::MIN (x86-64) or saturated (elsewhere), which never round-trips to `amount` or lands
    // below 2^53 as an unsigned number; negative whole numbers land far above it.
    #[cfg(target_arch = "x86_64")]
    #[allow(unused_unsafe)]
    // SAFETY: SSE2 is part of x86-64; the intrinsic is defined for every input.
    let whole = unsafe {
        use std::arch::x86_64::{_mm_cvttsd_si64, _mm_set_sd};
        _mm_cvttsd_si64(_mm_set_sd(amount))
    };
    #[cfg(not(target_arch = "x86_64"))]
    let whole = amount as i64;
    if whole as f64 == amount && (whole as u64) < MAX_EXACT_INT {
        Some(whole as u64)
    } else {
        None
    }
}

/// One shard. `repr(C)`: `on_cpu` is at offset 0, as [`rseq::PerCpuCells`] needs.
#[derive(Debug, Default)]
#[repr(C)]
struct Cell {
    /// Whole-number increments made on this cell's CPU in a restartable sequence: a plain add,
    /// written by that CPU alone (see [`rseq`]). Never written otherwise, not even by
    /// [`Counter::reset`], so that no write can race with one of those adds.
    on_cpu: AtomicU64,
    /// Other whole-number increments: a single `fetch_add`, no compare-and-swap loop.
    whole: AtomicU64,
    /// Everything else (fractions, huge values, `+Inf`).
    fraction: AtomicF64,
}

/// One cell per cache line: the per-CPU adds step from one to the next by this much.
const _: () = assert!(std::mem::size_of::<CachePadded<Cell>>() == rseq::STRIDE);

/// A monotonically increasing value.
///
/// Each CPU (or, without restartable sequences, each thread) adds into its own cache line, so two
/// threads incrementing one counter scale instead of contending; [`Counter::get`] sums the cells.
#[derive(Debug)]
pub struct Counter {
    cells: SharedCells<CachePadded<Cell>>,
    mask: usize,
    /// The sum of the `on_cpu` cells at the last reset, subtracted from it when read.
    on_cpu_at_reset: AtomicU64,
    created: AtomicF64,
    exemplar: ExemplarSlot,
    activity: Activity,
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
            cells: SharedCells::local(shards),
            mask: shards - 1,
            on_cpu_at_reset: AtomicU64::new(0),
            created: AtomicF64::new(unix_now()),
            exemplar: ExemplarSlot::default(),
            activity: Activity::default(),
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
        self.try_inc_fast(amount) || self.try_inc_other(amount)
    }

    /// Adds `amount` in the common case only, a whole number in `0..2^53` added on the current
    /// CPU's cell, and says whether it did; anything else is left to [`Counter::try_inc`]. Nothing
    /// here calls a function, so a caller that falls back to another function for the rest (as a
    /// tail call) needs no stack frame.
    #[inline]
    pub(crate) fn try_inc_fast(&self, amount: f64) -> bool {
        match whole_amount(amount) {
            Some(whole) => {
                self.activity.touch();
                // SAFETY: the `on_cpu` cells, written only this way.
                unsafe { rseq::add_on_current_cpu(self.per_cpu(), whole) }
            }
            None => false,
        }
    }

    /// Everything [`Counter::try_inc_fast`] leaves: fractions, huge values, `+Inf`, whole numbers
    /// where no per-CPU add was possible, and the invalid amounts (`false`).
    #[cold]
    #[inline(never)]
    fn try_inc_other(&self, amount: f64) -> bool {
        // `>= 0` is false for NaN.
        let valid = amount >= 0.0;
        if !valid {
            return false;
        }
        self.activity.touch();
        match whole_amount(amount) {
            Some(whole) => self.add_whole_locked(whole),
            None => {
                self.cell().fraction.add(amount);
            }
        }
        true
    }

    /// Adds one.
    #[inline]
    pub fn inc_one(&self) {
        self.activity.touch();
        // SAFETY: the `on_cpu` cells, written only this way.
        if !unsafe { rseq::add_on_current_cpu(self.per_cpu(), 1) } {
            self.add_whole_locked(1);
        }
    }

    /// A whole number added with a `fetch_add` on the thread's cell.
    fn add_whole_locked(&self, whole: u64) {
        self.cell().whole.fetch_add(whole, Ordering::Relaxed);
    }

    /// The `on_cpu` cells, for [`rseq::add_on_current_cpu`].
    #[inline(always)]
    fn per_cpu(&self) -> rseq::PerCpuCells {
        rseq::PerCpuCells {
            // `on_cpu` is at offset 0 of each cell (both types are `repr(C)`).
            first: self.cells.as_ptr() as *const u64,
            last_cpu: self.mask,
        }
    }

    /// Where the cells' `whole` and `fraction` words are (the first of each, the distance in bytes
    /// from one cell to the next, how many cells), for bindings that add to them directly (the
    /// cell protocol of `pe_counter_get_cells()`): a whole amount below 2^53 to any `whole` word
    /// with an atomic add, as [`Counter::add_whole_locked`] does, any other valid amount to any
    /// `fraction` word with a compare-and-swap loop, as [`Counter::try_inc_other`] does.
    pub(crate) fn shared_cells(&self) -> (&AtomicU64, &AtomicU64, usize, usize) {
        let first = &self.cells[0].0;
        (
            &first.whole,
            first.fraction.bits(),
            rseq::STRIDE,
            self.cells.len(),
        )
    }

    /// The activity word an update touches (see [`Activity::word`]).
    pub(crate) fn activity_word(&self) -> &AtomicU64 {
        self.activity.word()
    }

    /// Adds `amount` and records an exemplar for it.
    pub fn inc_with_exemplar(&self, amount: f64, exemplar: Exemplar) -> Result<()> {
        self.inc(amount)?;
        match self.exemplar_in_store() {
            Some((store, slot)) => store.set_exemplar(slot, &exemplar)?,
            None => self.exemplar.store(exemplar),
        }
        Ok(())
    }

    /// For a counter in a shared store, the store and where its exemplar's record is kept.
    fn exemplar_in_store(&self) -> Option<(&Arc<Store>, u64)> {
        let (store, block) = self.cells.placed()?;
        Some((store, block + counter_exemplar(self.cells.len() as u32)))
    }

    /// The calling thread's cell, for the updates that take a locked instruction: its CPU's where
    /// the kernel tells it (a load, where a thread-local number can take a call in a shared
    /// library), else its number's.
    #[inline]
    fn cell(&self) -> &Cell {
        let index = rseq::current_cpu().unwrap_or_else(thread_number) & self.mask;
        debug_assert!(index < self.cells.len());
        // SAFETY: `mask` is `cells.len() - 1` and the length is a power of two, so `index` is in
        // bounds; skipping the check keeps the hot path to the increment alone.
        unsafe { &self.cells.get_unchecked(index).0 }
    }

    /// The current value: the sum of every thread's cell.
    pub fn get(&self) -> f64 {
        // The base first: the cells read after it are at least what the reset that stored it
        // read (each only grows), so the difference cannot go below zero.
        let at_reset = self.on_cpu_at_reset.load(Ordering::Acquire);
        let on_cpu = self.on_cpu_sum().saturating_sub(at_reset);
        let whole: u64 = self
            .cells
            .iter()
            .map(|c| c.0.whole.load(Ordering::Relaxed))
            .sum();
        let fraction: f64 = self.cells.iter().map(|c| c.0.fraction.get()).sum();
        on_cpu.wrapping_add(whole) as f64 + fraction
    }

    fn on_cpu_sum(&self) -> u64 {
        self.cells.iter().fold(0, |sum, c| {
            sum.wrapping_add(c.0.on_cpu.load(Ordering::Relaxed))
        })
    }

    /// Sets the value back to zero, forgets the exemplar and restarts the creation time.
    ///
    /// A counter in a shared store keeps its value, which is every process's: only its exemplar
    /// and creation time restart.
    pub fn reset(&self) {
        if let Some((store, slot)) = self.exemplar_in_store() {
            // A store that cannot be written keeps its exemplar: nothing else to lose here.
            let _ = store.clear_exemplar(slot);
            self.created.set(unix_now());
            return;
        }
        self.on_cpu_at_reset
            .store(self.on_cpu_sum(), Ordering::Release);
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
        match self.exemplar_in_store() {
            Some((store, slot)) => store.exemplar(slot).ok().flatten(),
            None => self.exemplar.load(),
        }
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

    fn store_kind(_: &(), _: GaugeMode) -> Option<StoreKind> {
        Some(StoreKind::Counter)
    }

    fn in_store(_: &(), store: &Arc<Store>, _: &StoreKind, block: u64) -> Result<Self> {
        let shards = store.shards();
        // SAFETY: a counter block is `shards` cells of three atomic words, 64-aligned (see
        // `store::layout::counter_block`), written by every process only as here.
        let cells = unsafe { SharedCells::in_store(store, block, shards) }?;
        Ok(Counter {
            cells,
            mask: shards - 1,
            on_cpu_at_reset: AtomicU64::new(0),
            created: AtomicF64::new(unix_now()),
            exemplar: ExemplarSlot::default(),
            activity: Activity::default(),
        })
    }

    #[inline]
    fn prefetch_indirect(&self) {
        crate::util::prefetch(self.cells.as_ptr());
        crate::util::prefetch(&self.cells[self.cells.len() - 1]);
    }

    fn activity(&self) -> &Activity {
        &self.activity
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

    #[test]
    fn reset_forgets_per_cpu_and_locked_increments_alike_and_counts_on() {
        let c = Counter::new();
        for _ in 0..100 {
            c.inc(2.0).unwrap();
            c.inc(0.25).unwrap();
        }
        c.reset();
        assert_eq!(c.get(), 0.0);
        c.inc(3.0).unwrap();
        c.inc_one();
        assert_eq!(c.get(), 4.0);
        c.reset();
        c.reset();
        assert_eq!(c.get(), 0.0);
    }

    #[test]
    fn whole_amounts_are_told_apart_from_the_rest() {
        assert_eq!(whole_amount(0.0), Some(0));
        assert_eq!(whole_amount(-0.0), Some(0));
        assert_eq!(whole_amount(7.0), Some(7));
        assert_eq!(whole_amount(9_007_199_254_740_991.0), Some((1 << 53) - 1));
        for other in [
            0.5,
            -1.0,
            -0.5,
            9_007_199_254_740_992.0,
            1e19,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ] {
            assert_eq!(whole_amount(other), None, "{other}");
        }
    }

    #[test]
    fn the_common_increment_takes_the_per_cpu_path_where_rseq_works() {
        // CI machines have restartable sequences (Linux, glibc 2.36): the per-CPU path must be the
        // one taken there, or the hot path silently falls back to locked adds.
        let c = Counter::new();
        let took_fast = c.try_inc_fast(1.0);
        if std::env::var_os("CI").is_some() && cfg!(target_arch = "x86_64") {
            assert!(took_fast, "restartable sequences unavailable in CI");
        }
        if took_fast {
            assert_eq!(c.on_cpu_sum(), 1);
        }
        assert_eq!(c.get(), if took_fast { 1.0 } else { 0.0 });
        assert!(!c.try_inc_fast(0.5) && !c.try_inc_fast(-1.0) && !c.try_inc_fast(f64::NAN));
    }
}
