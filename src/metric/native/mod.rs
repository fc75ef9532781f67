//! Native (sparse, exponential) histogram buckets, with client_golang's semantics: a schema picked
//! from a bucket factor, a zero bucket, positive and negative buckets created as observations
//! need them, and a limit on their number kept by resetting, widening the zero bucket or halving
//! the resolution.
//!
//! Observing takes no lock. The state is kept twice, in a hot and a cold half, as client_golang
//! does: a writer announces itself on one counter that also says which half is hot (one atomic
//! addition), adds to the sum, the classic bucket when there are classic buckets, and last the
//! native bucket. A collection, under a lock, makes the hot half cold, waits until every writer
//! that announced itself there has finished (until the half's buckets add up to the announced
//! count), reads it at rest, and adds it into the new hot half. So a collection never sees a torn
//! histogram: its count is exactly the sum of its buckets, and its sum covers exactly those
//! observations. The reductions that move counts between buckets work the same way, on the half
//! at rest.
//!
//! Memory grows with the populated buckets only: each takes a 16-byte slot in a table at most half
//! full, in both halves, so 32 to 64 bytes a bucket, plus about 1.3 KiB per series for the two
//! halves' first tables. A new bucket costs an allocation only when its table fills (every
//! doubling); once a histogram's buckets exist, observing allocates nothing.

mod exemplars;
pub mod key;
mod shared;
mod sparse;

pub(crate) use shared::SharedNative;

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use self::exemplars::NativeExemplars;
use self::key::{DEFAULT_ZERO_THRESHOLD, SCHEMA_MIN, key_of, schema_for_factor, upper_bound};
use self::sparse::Sparse;
use super::value::AtomicF64;
use crate::error::{Error, Result};
use crate::snapshot::{Exemplar, NativeBuckets};
use crate::sync::Mutex;

/// How a histogram keeps native buckets (client_golang's `NativeHistogram*` options).
#[derive(Clone, Debug, PartialEq)]
pub struct NativeConfig {
    /// Each bucket's upper bound is at most this factor times its lower bound (above 1); the
    /// schema is the coarsest whose buckets grow no faster.
    pub bucket_factor: f64,
    /// Observations within `±zero_threshold` count in the zero bucket. 0 is the default, 2^-128;
    /// a negative value is a threshold of exactly 0.
    pub zero_threshold: f64,
    /// The most buckets (positive and negative) to keep before reducing them; 0 for no limit.
    pub max_bucket_number: u32,
    /// How long after a reset the histogram may be reset again to keep the bucket limit; zero
    /// never resets.
    pub min_reset_duration: Duration,
    /// How far the zero bucket may be widened to keep the bucket limit; 0 never widens it.
    pub max_zero_threshold: f64,
}

impl NativeConfig {
    /// Native buckets growing by `bucket_factor`, everything else at client_golang's defaults.
    pub fn new(bucket_factor: f64) -> Result<Self> {
        NativeConfig {
            bucket_factor,
            zero_threshold: 0.0,
            max_bucket_number: 0,
            min_reset_duration: Duration::ZERO,
            max_zero_threshold: 0.0,
        }
        .validated()
    }

    /// Checks every field.
    pub fn validated(self) -> Result<Self> {
        if !(self.bucket_factor > 1.0 && self.bucket_factor.is_finite()) {
            return Err(Error::InvalidConfig(format!(
                "native histogram bucket factor must be finite and above 1, not {}",
                self.bucket_factor
            )));
        }
        if !self.zero_threshold.is_finite() {
            return Err(Error::InvalidConfig(format!(
                "native histogram zero threshold must be finite, not {}",
                self.zero_threshold
            )));
        }
        if !(self.max_zero_threshold >= 0.0 && self.max_zero_threshold.is_finite()) {
            return Err(Error::InvalidConfig(format!(
                "native histogram max zero threshold must be finite and not negative, not {}",
                self.max_zero_threshold
            )));
        }
        Ok(self)
    }

    /// The schema the factor picks.
    pub fn schema(&self) -> i32 {
        schema_for_factor(self.bucket_factor)
    }

    /// The zero threshold in effect.
    pub fn effective_zero_threshold(&self) -> f64 {
        if self.zero_threshold > 0.0 {
            self.zero_threshold
        } else if self.zero_threshold == 0.0 {
            DEFAULT_ZERO_THRESHOLD
        } else {
            0.0
        }
    }
}

/// How long a swap in a forked child waits for writers before taking them for the parent's
/// threads, which the child does not have: far beyond any live writer's few nanoseconds, unless
/// it was descheduled.
const FORK_WAIT: Duration = Duration::from_millis(100);

/// The low 63 bits of the announcement counter count observations; the top bit is the hot half.
const HOT_BIT: u64 = 1 << 63;

/// One copy of the state.
struct Half {
    sum: AtomicF64,
    zero: AtomicU64,
    schema: AtomicI32,
    zero_threshold: AtomicU64,
    /// Per-bucket (not cumulative) classic counts; empty for a native-only histogram.
    classic: Box<[AtomicU64]>,
    positive: Sparse,
    negative: Sparse,
}

impl Half {
    fn new(classic: usize, schema: i32, zero_threshold: f64) -> Self {
        Half {
            sum: AtomicF64::new(0.0),
            zero: AtomicU64::new(0),
            schema: AtomicI32::new(schema),
            zero_threshold: AtomicU64::new(zero_threshold.to_bits()),
            classic: (0..classic).map(|_| AtomicU64::new(0)).collect(),
            positive: Sparse::new(),
            negative: Sparse::new(),
        }
    }

    fn schema(&self) -> i32 {
        self.schema.load(Ordering::Relaxed)
    }

    fn zero_threshold(&self) -> f64 {
        f64::from_bits(self.zero_threshold.load(Ordering::Relaxed))
    }

    /// Observations completed here: each ends with exactly one native or zero bucket increment.
    fn completed(&self) -> u64 {
        self.zero.load(Ordering::Acquire) + self.positive.total() + self.negative.total()
    }

    /// Counts one observation whose key at `schema` is `key` (computed before the writer
    /// announced itself, so that the work overlaps; recomputed if this half's schema differs).
    /// Says whether it created a bucket.
    #[inline]
    fn record(&self, value: f64, classic_index: usize, schema: i32, key: i32) -> bool {
        let threshold = self.zero_threshold();
        let sign = if value > threshold {
            &self.positive
        } else if value < -threshold {
            &self.negative
        } else {
            self.add_sum_and_classic(value, classic_index);
            // Release, last: a collection that sees this increment sees the writes above.
            self.zero.fetch_add(1, Ordering::Release);
            return false;
        };
        let current = self.schema();
        let key = if current == schema {
            key
        } else {
            key_of(value, current)
        };
        // The bucket is looked up before the sum is added: the look-up's loads then do not
        // wait behind the sum's atomic operation.
        match sign.find(key) {
            Some(count) => {
                self.add_sum_and_classic(value, classic_index);
                count.fetch_add(1, Ordering::Release);
                false
            }
            None => {
                self.add_sum_and_classic(value, classic_index);
                sign.add(key, 1)
            }
        }
    }

    #[inline]
    fn add_sum_and_classic(&self, value: f64, classic_index: usize) {
        self.sum.add_with(value, Ordering::Relaxed);
        if let Some(count) = self.classic.get(classic_index) {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Empties this half (at rest) and gives it these parameters; `keep_keys` keeps the buckets'
    /// slots (at zero) when the parameters do not change, so that writes find them.
    fn clear(&self, schema: i32, zero_threshold: f64, keep_keys: bool) {
        self.sum.set(0.0);
        self.zero.store(0, Ordering::Relaxed);
        for count in self.classic.iter() {
            count.store(0, Ordering::Relaxed);
        }
        if keep_keys {
            self.positive.zero();
            self.negative.zero();
        } else {
            self.positive.compact(0);
            self.negative.compact(0);
        }
        self.schema.store(schema, Ordering::Relaxed);
        self.zero_threshold
            .store(zero_threshold.to_bits(), Ordering::Relaxed);
    }

    /// Adds everything of `other` (at rest) into this half, each bucket key mapped by `map`:
    /// `None` sends it to the zero bucket.
    fn absorb(&self, other: &Half, map: impl Fn(i32) -> Option<i32>) {
        self.sum.add(other.sum.get());
        for (ours, theirs) in self.classic.iter().zip(other.classic.iter()) {
            ours.fetch_add(theirs.load(Ordering::Relaxed), Ordering::Relaxed);
        }
        let mut to_zero = other.zero.load(Ordering::Relaxed);
        for (source, target) in [
            (&other.positive, &self.positive),
            (&other.negative, &self.negative),
        ] {
            source.for_each(|key, count| match map(key) {
                Some(key) => {
                    target.add(key, count);
                }
                None => to_zero += count,
            });
        }
        self.zero.fetch_add(to_zero, Ordering::Release);
    }
}

/// What the lock guards: the bookkeeping of resets.
struct Control {
    /// `crate::sync::forks()` at the last swap: a fork since may have left writers that never
    /// finish.
    forks: u64,
    /// Observations announced and then dropped by resets (or by writers lost to a fork).
    discarded: u64,
    last_reset: Instant,
    /// When a scheduled reset is due (after a reduction, with a minimum reset duration).
    reset_at: Option<Instant>,
}

/// The native state of one histogram series.
pub(crate) struct Native {
    schema: i32,
    zero_threshold: f64,
    max_buckets: usize,
    min_reset: Duration,
    max_zero_threshold: f64,
    announced: AtomicU64,
    halves: [Half; 2],
    control: Mutex<Control>,
    /// Set while `Control::reset_at` is: writers then look at the clock.
    reset_scheduled: AtomicBool,
    /// Set while a reduction left more buckets than the limit: every observation then tries
    /// again, as client_golang's do, not only those that create a bucket.
    over_limit: AtomicBool,
    exemplars: NativeExemplars,
}

/// One collection's view of the state: classic per-bucket counts, sum, count, native buckets.
pub(crate) struct NativeRead {
    pub classic: Vec<u64>,
    pub sum: f64,
    pub count: u64,
    pub buckets: NativeBuckets,
}

impl Native {
    pub(crate) fn new(config: &NativeConfig, classic_buckets: usize) -> Self {
        let (schema, zero_threshold) = (config.schema(), config.effective_zero_threshold());
        Native {
            schema,
            zero_threshold,
            max_buckets: config.max_bucket_number as usize,
            min_reset: config.min_reset_duration,
            max_zero_threshold: config.max_zero_threshold,
            announced: AtomicU64::new(0),
            halves: [
                Half::new(classic_buckets, schema, zero_threshold),
                Half::new(classic_buckets, schema, zero_threshold),
            ],
            control: Mutex::new(Control {
                forks: crate::sync::forks(),
                discarded: 0,
                last_reset: Instant::now(),
                reset_at: None,
            }),
            reset_scheduled: AtomicBool::new(false),
            over_limit: AtomicBool::new(false),
            exemplars: NativeExemplars::default(),
        }
    }

    /// Records one observation (not NaN); `classic_index` is its classic bucket, if any.
    /// `created` is the series' start time, which a reset moves.
    #[inline]
    pub(crate) fn observe(&self, value: f64, classic_index: usize, created: &AtomicF64) {
        if self.reset_scheduled.load(Ordering::Relaxed) {
            self.reset_if_due(created);
        }
        let created_bucket = self.record(value, classic_index);
        if self.max_buckets > 0 && (created_bucket || self.over_limit.load(Ordering::Relaxed)) {
            self.limit_buckets(value, classic_index, created);
        }
    }

    /// Records an exemplar of an observation already recorded.
    pub(crate) fn store_exemplar(&self, exemplar: Exemplar) {
        self.exemplars.store(exemplar);
    }

    #[inline]
    fn record(&self, value: f64, classic_index: usize) -> bool {
        // The key, at the schema of the half that is hot now: nearly always the one written.
        let guess = &self.halves[(self.announced.load(Ordering::Relaxed) >> 63) as usize];
        let schema = guess.schema();
        let key = key_of(value, schema);
        // AcqRel: ordered with a collection's swap, so each writer is on the half it was told.
        let announced = self.announced.fetch_add(1, Ordering::AcqRel);
        self.halves[(announced >> 63) as usize].record(value, classic_index, schema, key)
        // Nothing of the half may be touched past here: a collection may be rebuilding it.
    }

    /// Makes the hot half cold and waits for its writers to finish; returns the now-cold half,
    /// the now-hot one, and the number of observations the cold one holds.
    ///
    /// One wait is bounded: in a child process, writers that were mid-observation in the
    /// parent's other threads at `fork()` never finish. After a fork, a wait that has lasted
    /// [`FORK_WAIT`] gives up on them: their observations are dropped from the count (their
    /// buckets never received them), so the count stays the sum of the buckets.
    fn swap(&self, control: &mut Control) -> (&Half, &Half, u64) {
        let announced = self.announced.fetch_add(HOT_BIT, Ordering::AcqRel);
        let was_hot = (announced >> 63) as usize;
        let expected = (announced & !HOT_BIT) - control.discarded;
        let (cold, hot) = (&self.halves[was_hot], &self.halves[1 - was_hot]);
        let forked = crate::sync::forks() != control.forks;
        let mut waits = 0u32;
        let mut yielding_since: Option<Instant> = None;
        let count = loop {
            let completed = cold.completed();
            if completed >= expected {
                break completed;
            }
            waits += 1;
            if waits < 64 {
                std::hint::spin_loop();
                continue;
            }
            let since = *yielding_since.get_or_insert_with(Instant::now);
            if forked && since.elapsed() > FORK_WAIT {
                control.discarded += expected - completed;
                break completed;
            }
            std::thread::yield_now();
        };
        control.forks = crate::sync::forks();
        (cold, hot, count)
    }

    /// A consistent read of everything observed.
    pub(crate) fn read(&self, created: &AtomicF64) -> NativeRead {
        let mut control = self.control.lock();
        self.reset_if_due_locked(&mut control, created);
        let (cold, hot, count) = self.swap(&mut control);
        let read = NativeRead {
            classic: cold
                .classic
                .iter()
                .map(|c| c.load(Ordering::Relaxed))
                .collect(),
            sum: cold.sum.get(),
            count,
            buckets: NativeBuckets::from_sorted(
                cold.schema(),
                cold.zero_threshold(),
                cold.zero.load(Ordering::Relaxed),
                &cold.positive.sorted(),
                &cold.negative.sorted(),
                self.exemplars.load(),
            ),
        };
        hot.absorb(cold, Some);
        cold.clear(cold.schema(), cold.zero_threshold(), true);
        read
    }

    /// Runs a scheduled reset whose time has come.
    #[cold]
    fn reset_if_due(&self, created: &AtomicF64) {
        let mut control = self.control.lock();
        self.reset_if_due_locked(&mut control, created);
    }

    fn reset_if_due_locked(&self, control: &mut Control, created: &AtomicF64) {
        if control.reset_at.is_some_and(|at| Instant::now() >= at) {
            self.reset(control, created);
        }
    }

    /// Drops every observation and restores the configured schema and zero threshold.
    fn reset(&self, control: &mut Control, created: &AtomicF64) {
        let cold = self.cold();
        cold.clear(self.schema, self.zero_threshold, false);
        let (old, _, count) = self.swap(control);
        control.discarded += count;
        old.clear(self.schema, self.zero_threshold, false);
        control.last_reset = Instant::now();
        control.reset_at = None;
        self.reset_scheduled.store(false, Ordering::Relaxed);
        created.set(crate::util::unix_now());
    }

    fn hot(&self) -> &Half {
        &self.halves[(self.announced.load(Ordering::Acquire) >> 63) as usize]
    }

    fn cold(&self) -> &Half {
        &self.halves[1 - (self.announced.load(Ordering::Acquire) >> 63) as usize]
    }

    /// Keeps the number of buckets within the limit, after an observation created one: reset if
    /// allowed, else widen the zero bucket if allowed, else halve the resolution.
    #[cold]
    fn limit_buckets(&self, value: f64, classic_index: usize, created: &AtomicF64) {
        let mut control = self.control.lock();
        if !self.over_the_limit() {
            self.over_limit.store(false, Ordering::Relaxed);
            return;
        }
        let now = Instant::now();
        if !self.min_reset.is_zero()
            && control.reset_at.is_none()
            && now.duration_since(control.last_reset) >= self.min_reset
        {
            self.reset(&mut control, created);
            // The observation that crossed the limit starts the new period.
            self.record(value, classic_index);
            self.over_limit.store(false, Ordering::Relaxed);
            return;
        }
        if !self.min_reset.is_zero() && control.reset_at.is_none() {
            control.reset_at = Some(control.last_reset + self.min_reset);
            self.reset_scheduled.store(true, Ordering::Relaxed);
        }
        if !self.widen_zero_bucket(&mut control) {
            self.halve_resolution(&mut control);
        }
        self.over_limit
            .store(self.over_the_limit(), Ordering::Relaxed);
    }

    /// Whether the hot half holds more buckets than the limit (under the lock).
    fn over_the_limit(&self) -> bool {
        let hot = self.hot();
        hot.positive.populated() + hot.negative.populated() > self.max_buckets
    }

    /// Moves the bucket closest to zero into the zero bucket, if the wider threshold (that
    /// bucket's upper bound) stays within the maximum.
    fn widen_zero_bucket(&self, control: &mut Control) -> bool {
        let hot = self.hot();
        let threshold = hot.zero_threshold();
        if threshold >= self.max_zero_threshold {
            return false;
        }
        let mut smallest = i32::MAX;
        for sign in [&hot.positive, &hot.negative] {
            sign.for_each(|key, _| smallest = smallest.min(key));
        }
        if smallest == i32::MAX {
            return false;
        }
        let schema = hot.schema();
        let widened = upper_bound(smallest, schema);
        if widened > self.max_zero_threshold {
            return false;
        }
        // Keys below it, created since the scan, belong in the zero bucket too.
        self.rebuild(control, schema, widened, |key| {
            (key > smallest).then_some(key)
        });
        true
    }

    /// Merges each pair of neighbouring buckets (bucket `k` becomes `ceil(k/2)` one schema down),
    /// unless the resolution is already the coarsest.
    fn halve_resolution(&self, control: &mut Control) {
        let hot = self.hot();
        let schema = hot.schema();
        if schema <= SCHEMA_MIN {
            return;
        }
        self.rebuild(control, schema - 1, hot.zero_threshold(), |key| {
            Some((key >> 1) + (key & 1))
        });
    }

    /// Gives the state new parameters, moving every count to the bucket `map` names for it.
    fn rebuild(
        &self,
        control: &mut Control,
        schema: i32,
        zero_threshold: f64,
        map: impl Fn(i32) -> Option<i32>,
    ) {
        self.cold().clear(schema, zero_threshold, false);
        let (old, new, _) = self.swap(control);
        new.absorb(old, map);
        old.clear(schema, zero_threshold, false);
    }
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Native")
            .field("schema", &self.schema)
            .field("zero_threshold", &self.zero_threshold)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
