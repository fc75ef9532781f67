//! Counter: a value that only goes up, added per CPU.

use std::sync::atomic::{AtomicU64, Ordering};

use super::cpu_slots::{CounterCells, CounterSlots};
use super::exemplar_slot::ExemplarSlot;
use super::expiry::Activity;
use super::rseq;
use super::shard::thread_number;
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

/// A monotonically increasing value.
///
/// Each CPU adds whole numbers into a 4-byte word of its own (a cache line written by that CPU
/// alone, shared with fifteen other series' words of that CPU: see [`super::cpu_slots`]), so two
/// threads incrementing one counter scale instead of contending; [`Counter::get`] sums the words.
/// The per-CPU words are written only by restartable sequences (the adds, and the take that
/// empties a word about to carry), never otherwise, not even by
/// [`Counter::reset`], so that no write can race with one of those adds; everything else goes to
/// the `whole` word (one `fetch_add`) or the `fraction` word (fractions, huge values, `+Inf`).
#[derive(Debug)]
pub struct Counter {
    cells: CounterCells,
    /// The sum of the per-CPU words when the counter started or was last reset, subtracted from
    /// it when read.
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
    /// A counter on its own (a family's children share their per-CPU lines instead).
    pub fn new() -> Self {
        Counter::with_cells(CounterSlots::default().take())
    }

    fn with_cells(cells: CounterCells) -> Self {
        Counter {
            // Words handed out again keep what their last owner added there.
            on_cpu_at_reset: AtomicU64::new(cells.on_cpu_sum()),
            cells,
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
                self.cells.add_on_cpu(whole)
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
                AtomicF64::from_bits_ref(self.cells.fraction(self.pair())).add(amount);
            }
        }
        true
    }

    /// Adds one.
    #[inline]
    pub fn inc_one(&self) {
        self.activity.touch();
        if !self.cells.add_on_cpu(1) {
            self.add_whole_locked(1);
        }
    }

    /// A whole number added with a `fetch_add` on the thread's `whole` word, where no per-CPU
    /// add was made: the moment to empty a per-CPU word about to carry. Not cold: where there are
    /// no restartable sequences (other platforms, valgrind) every whole increment comes here.
    fn add_whole_locked(&self, whole: u64) {
        self.cells
            .whole(self.pair())
            .fetch_add(whole, Ordering::Relaxed);
        self.cells.drain_if_full();
    }

    /// Where a binding may add to the counter directly (the first `whole` and `fraction` words,
    /// the distance in bytes from one cell to the next, how many cells), under the cell protocol
    /// of `pe_counter_get_cells()`: a whole amount below 2^53 to any `whole` word with an atomic
    /// add, as [`Counter::add_whole_locked`] does, any other valid amount to any `fraction` word
    /// with a compare-and-swap loop, as [`Counter::try_inc_other`] does.
    pub(crate) fn shared_cells(&self) -> (&AtomicU64, &AtomicU64, usize, usize) {
        self.cells.binding_cells()
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
        Some((store, block + counter_exemplar(self.cells.n_whole() as u32)))
    }

    /// Which `whole`/`fraction` pair the calling thread updates, where a counter has several (in
    /// a shared store): its CPU's where the kernel tells it (a load, where a thread-local number
    /// can take a call in a shared library), else its number's.
    #[inline]
    fn pair(&self) -> usize {
        if self.cells.n_whole() == 1 {
            0
        } else {
            rseq::current_cpu().unwrap_or_else(thread_number)
        }
    }

    /// The current value: the per-CPU words since the base, and the `whole` and `fraction` words.
    pub fn get(&self) -> f64 {
        self.cells.consistent(|| {
            // The base first: the words read after it are at least what the reset that stored it
            // read, less what a drain moved to `whole` since, which is read after them: the
            // wrapping sum below cannot go below zero.
            let at_reset = self.on_cpu_at_reset.load(Ordering::Acquire);
            let on_cpu = self.on_cpu_sum().wrapping_sub(at_reset);
            let pairs = 0..self.cells.n_whole();
            let whole = pairs.clone().fold(0u64, |sum, i| {
                sum.wrapping_add(self.cells.whole(i).load(Ordering::Relaxed))
            });
            let fraction: f64 = pairs
                .map(|i| AtomicF64::from_bits_ref(self.cells.fraction(i)).get())
                .sum();
            let (by_bindings, fraction_by_bindings) = self.cells.binding_sum();
            on_cpu.wrapping_add(whole).wrapping_add(by_bindings) as f64
                + (fraction + fraction_by_bindings)
        })
    }

    fn on_cpu_sum(&self) -> u64 {
        self.cells.on_cpu_sum()
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
        self.cells.consistent(|| {
            self.on_cpu_at_reset
                .store(self.on_cpu_sum(), Ordering::Release);
            for i in 0..self.cells.n_whole() {
                self.cells.whole(i).store(0, Ordering::Relaxed);
                AtomicF64::from_bits_ref(self.cells.fraction(i)).set(0.0);
            }
        });
        self.cells.binding_reset();
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
    type Config = CounterSlots;
    const TYPE: MetricType = MetricType::Counter;

    fn new_child(slots: &CounterSlots) -> Self {
        Counter::with_cells(slots.take())
    }

    fn store_kind(_: &CounterSlots, _: GaugeMode) -> Option<StoreKind> {
        Some(StoreKind::Counter)
    }

    fn in_store(_: &CounterSlots, store: &Arc<Store>, _: &StoreKind, block: u64) -> Result<Self> {
        // A counter block is `shards` lines of three atomic words, 64-aligned (see
        // `store::layout::counter_block`), written by every process only as here.
        Ok(Counter::with_cells(CounterCells::in_store(
            store,
            block,
            store.shards(),
        )?))
    }

    #[inline]
    fn prefetch_indirect(&self) {
        self.cells.prefetch();
    }

    fn activity(&self) -> &Activity {
        &self.activity
    }

    fn point(&self, _: &CounterSlots) -> PointValue {
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
    use crate::metric::cpu_slots;
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
    fn a_counter_on_words_handed_out_again_starts_at_zero() {
        let slots = CounterSlots::default();
        let first = Counter::new_child(&slots);
        for _ in 0..100 {
            first.inc_one();
            first.inc(2.5).unwrap();
        }
        drop(first);
        let second = Counter::new_child(&slots);
        assert_eq!(second.get(), 0.0);
        second.inc_one();
        second.inc(0.5).unwrap();
        assert_eq!(second.get(), 1.5);
    }

    #[test]
    fn series_sharing_lines_count_apart_under_threads() {
        let slots = CounterSlots::default();
        let series: Vec<Counter> = (0..16).map(|_| Counter::new_child(&slots)).collect();
        std::thread::scope(|s| {
            for t in 0..4 {
                let series = &series;
                s.spawn(move || {
                    for round in 0..50_000 {
                        for (k, c) in series.iter().enumerate() {
                            if (k + t + round) % 5 == 0 {
                                c.inc(0.5).unwrap();
                            } else {
                                c.inc_one();
                            }
                        }
                    }
                });
            }
        });
        for c in &series {
            // Per thread and series: 40,000 ones and 10,000 halves.
            assert_eq!(c.get(), 4.0 * 45_000.0);
        }
    }

    /// A counter whose per-CPU words start at `left` on every CPU, as a previous owner of its
    /// slot left them.
    fn counter_on_words_holding(slots: &CounterSlots, left: u32) -> Counter {
        let previous = slots.take();
        previous.fill_on_cpu(left);
        drop(previous);
        Counter::new_child(slots)
    }

    #[test]
    fn per_cpu_words_about_to_carry_are_emptied_and_nothing_is_lost() {
        let slots = CounterSlots::default();
        let c = counter_on_words_holding(&slots, u32::MAX - 100);
        assert_eq!(c.get(), 0.0);
        for _ in 0..1000 {
            c.inc_one();
        }
        c.inc(3e9).unwrap();
        c.inc(4e9).unwrap();
        assert_eq!(c.get(), 1000.0 + 7e9);
        if rseq::current_cpu().is_some() {
            assert!(c.cells.drains_started() > 0);
            // Every CPU this thread ran on was emptied once at least: none holds near 2^32 now
            // (the previous owner's words were moved to `whole` too, and subtracted as the base).
            assert!(c.on_cpu_sum() < u64::from(u32::MAX - 100) * cpu_slots() as u64);
        }
    }

    #[test]
    fn reads_never_go_down_while_words_drain_under_threads() {
        let slots = CounterSlots::default();
        let c = counter_on_words_holding(&slots, 0);
        // 2^31 at a time: every second add on a CPU would carry, so words drain all the time.
        let big = f64::from(1u32 << 31);
        let finished = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for i in 0..200_000 {
                        c.inc(if i % 3 == 0 { 1.0 } else { big }).unwrap();
                    }
                    finished.fetch_add(1, Ordering::Release);
                });
            }
            s.spawn(|| {
                let mut last = 0.0;
                while finished.load(Ordering::Acquire) < 2 {
                    let now = c.get();
                    assert!(now >= last, "{now} after {last}");
                    last = now;
                }
            });
        });
        assert_eq!(c.get(), 2.0 * (66_667.0 + 133_333.0 * big));
        if rseq::current_cpu().is_some() {
            assert!(
                c.cells.drains_started() > 1000,
                "{}",
                c.cells.drains_started()
            );
        }
    }

    /// Adds as a binding does under the cell protocol: whole amounts with an atomic add, the
    /// rest with a compare-and-swap on a fraction word.
    fn add_as_a_binding(c: &Counter, cell: usize, amount: f64) {
        let (whole, fraction, stride, n) = c.shared_cells();
        let at = (cell % n) * stride;
        if amount.fract() == 0.0 {
            // SAFETY: cell `cell % n` of the protocol, kept alive by `c`.
            let w = unsafe { &*(whole as *const AtomicU64).byte_add(at) };
            w.fetch_add(amount as u64, Ordering::Relaxed);
        } else {
            // SAFETY: as above, the fraction word of that cell.
            let f = unsafe { &*(fraction as *const AtomicU64).byte_add(at) };
            AtomicF64::from_bits_ref(f).add(amount);
        }
    }

    #[test]
    fn a_binding_gets_cells_a_line_apart_off_the_per_cpu_words() {
        let slots = CounterSlots::for_cpus(4);
        let c = Counter::new_child(&slots);
        let (whole, fraction, stride, n) = c.shared_cells();
        assert_eq!(n, 16, "four cells per CPU");
        assert!(stride >= 64);
        let per_cpu = c.cells.per_cpu().first as usize;
        let mut lines = std::collections::HashSet::new();
        for cpu in 0..4 {
            lines.insert((per_cpu + cpu * 64) / 64);
        }
        for i in 0..n {
            let w = whole as *const AtomicU64 as usize + i * stride;
            let f = fraction as *const AtomicU64 as usize + i * stride;
            assert!(lines.insert(w / 64), "cell {i}'s whole word shares a line");
            assert!(lines.insert(f / 64) || f / 64 == w / 64);
        }
        // Asked twice, the same cells.
        assert_eq!(c.shared_cells().0 as *const _, whole as *const _);
    }

    #[test]
    fn what_a_binding_adds_is_read_reset_and_not_inherited() {
        let slots = CounterSlots::for_cpus(2);
        let c = Counter::new_child(&slots);
        c.inc_one();
        add_as_a_binding(&c, 0, 3.0);
        add_as_a_binding(&c, 1, 0.25);
        add_as_a_binding(&c, 5, 2.0);
        assert_eq!(c.get(), 6.25);
        c.reset();
        assert_eq!(c.get(), 0.0);
        add_as_a_binding(&c, 1, 4.0);
        assert_eq!(c.get(), 4.0);
        drop(c);
        let next = Counter::new_child(&slots);
        assert_eq!(next.get(), 0.0);
    }

    #[test]
    fn a_binding_and_the_library_adding_at_once_add_up() {
        let slots = CounterSlots::for_cpus(2);
        let series: Vec<Counter> = (0..3).map(|_| Counter::new_child(&slots)).collect();
        std::thread::scope(|s| {
            for t in 0..4 {
                let series = &series;
                s.spawn(move || {
                    for round in 0..20_000 {
                        for c in series {
                            if t % 2 == 0 {
                                add_as_a_binding(
                                    c,
                                    t + round,
                                    if round % 4 == 0 { 0.5 } else { 1.0 },
                                );
                            } else {
                                c.inc_one();
                            }
                        }
                    }
                });
            }
        });
        for c in &series {
            // Two binding threads: 15,000 ones and 5,000 halves each; two library threads: 20,000.
            assert_eq!(c.get(), 2.0 * 17_500.0 + 2.0 * 20_000.0);
        }
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
