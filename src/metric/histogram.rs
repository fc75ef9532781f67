//! Histogram: observations counted in cumulative buckets.
//!
//! Writers never lock: an observation is two atomic operations, the sum (added first) and its
//! bucket (added last, with release ordering). The count is not kept apart: it is the sum of the
//! buckets, read in one pass, so a collection always sees cumulative counts that never decrease
//! and a `+Inf` bucket equal to its count. It reads the buckets before the sum, so the sum covers
//! at least every observation counted; an observation in flight at that very moment may be in the
//! sum and not yet in a bucket. (client_golang's hot and cold halves close that gap at the price
//! of a third atomic operation per observation, about 3 ns here.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use super::exemplar_slot::ExemplarSlot;
use super::expiry::Activity;
use super::native::{Native, NativeConfig, NativeRead, SharedNative};
use super::shared_cells::SharedCells;
use super::value::AtomicF64;
use super::{ChildMetric, unix_now};
use crate::error::{Error, Result};
use crate::snapshot::{Exemplar, MetricType, NativeBuckets, PointValue};
use crate::store::layout::histogram_exemplars;
use crate::store::{GaugeMode, Store, StoreKind};
use crate::util::cumulate;

/// client_python's default buckets: client_golang's plus 0.075, 0.75 and 7.5, then `+Inf`.
pub const DEFAULT_BUCKETS: [f64; 15] = [
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
    f64::INFINITY,
];

/// `count` buckets of width `width` starting at `start`.
pub fn linear_buckets(start: f64, width: f64, count: usize) -> Result<Vec<f64>> {
    if count < 1 {
        return Err(Error::InvalidConfig(
            "linear_buckets needs count >= 1".into(),
        ));
    }
    if width.is_nan() || width <= 0.0 || !width.is_finite() || !start.is_finite() {
        return Err(Error::InvalidConfig(
            "linear_buckets needs a finite start and a finite width > 0".into(),
        ));
    }
    check_bucket_count("linear_buckets", count)?;
    let bounds: Vec<f64> = (0..count).map(|i| start + width * i as f64).collect();
    finite_bounds("linear_buckets", bounds)
}

/// More buckets than any histogram needs; a larger count is a mistake that would otherwise cost
/// memory in proportion to it.
pub const MAX_BUCKETS: usize = 100_000;

fn check_bucket_count(function: &str, count: usize) -> Result<()> {
    if count > MAX_BUCKETS {
        return Err(Error::InvalidConfig(format!(
            "{function} needs count <= {MAX_BUCKETS}, not {count}"
        )));
    }
    Ok(())
}

/// Refuses bounds that overflowed to infinity: `+Inf` is the implicit last bucket, not a bound.
fn finite_bounds(function: &str, bounds: Vec<f64>) -> Result<Vec<f64>> {
    match bounds.iter().position(|b| !b.is_finite()) {
        Some(index) => Err(Error::InvalidConfig(format!(
            "{function}: bound {index} overflows to {}",
            bounds[index]
        ))),
        None => Ok(bounds),
    }
}

/// `count` buckets starting at `start`, each `factor` times the previous.
pub fn exponential_buckets(start: f64, factor: f64, count: usize) -> Result<Vec<f64>> {
    if count < 1 {
        return Err(Error::InvalidConfig(
            "exponential_buckets needs count >= 1".into(),
        ));
    }
    if start.is_nan() || start <= 0.0 || !start.is_finite() {
        return Err(Error::InvalidConfig(
            "exponential_buckets needs a finite start > 0".into(),
        ));
    }
    if factor.is_nan() || factor <= 1.0 || !factor.is_finite() {
        return Err(Error::InvalidConfig(
            "exponential_buckets needs a finite factor > 1".into(),
        ));
    }
    check_bucket_count("exponential_buckets", count)?;
    let bounds = (0..count)
        .scan(start, |next, _| {
            let bound = *next;
            *next *= factor;
            Some(bound)
        })
        .collect();
    finite_bounds("exponential_buckets", bounds)
}

/// The buckets every child of a histogram family shares: classic bucket bounds, native buckets,
/// or both.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramConfig {
    /// Empty for a native-only histogram.
    bounds: Arc<[f64]>,
    native: Option<NativeConfig>,
}

impl Default for HistogramConfig {
    fn default() -> Self {
        HistogramConfig {
            bounds: Arc::from(&DEFAULT_BUCKETS[..]),
            native: None,
        }
    }
}

impl HistogramConfig {
    /// Validates upper bounds (strictly increasing, no NaN, not empty) and appends `+Inf` when
    /// missing.
    pub fn new(bounds: &[f64]) -> Result<Self> {
        if bounds.is_empty() {
            return Err(Error::InvalidConfig(
                "a histogram needs at least one bucket".into(),
            ));
        }
        if bounds.iter().any(|b| b.is_nan()) {
            return Err(Error::InvalidConfig("bucket bound is NaN".into()));
        }
        if let Some(pair) = bounds.windows(2).find(|w| w[0] >= w[1]) {
            return Err(Error::InvalidConfig(format!(
                "buckets must be strictly increasing: {} is followed by {}",
                pair[0], pair[1]
            )));
        }
        let mut all = bounds.to_vec();
        if all.last() != Some(&f64::INFINITY) {
            all.push(f64::INFINITY);
        }
        Ok(HistogramConfig {
            bounds: all.into(),
            native: None,
        })
    }

    /// A native-only histogram: no classic buckets (the text formats without native histograms
    /// show only its `+Inf` bucket, `_count` and `_sum`, as client_golang's do).
    pub fn native(native: NativeConfig) -> Result<Self> {
        Ok(HistogramConfig {
            bounds: Arc::from(Vec::new()),
            native: Some(native.validated()?),
        })
    }

    /// These classic buckets and native buckets too.
    pub fn with_native(self, native: NativeConfig) -> Result<Self> {
        Ok(HistogramConfig {
            native: Some(native.validated()?),
            ..self
        })
    }

    /// The classic upper bounds, ending with `+Inf`; empty for a native-only histogram.
    pub fn bounds(&self) -> &[f64] {
        &self.bounds
    }

    /// The native bucket configuration, if the histogram has native buckets.
    pub fn native_config(&self) -> Option<&NativeConfig> {
        self.native.as_ref()
    }
}

/// With this many bounds or fewer, the bucket is found by counting the bounds below the value
/// (no branch to mispredict, and the compiler vectorises it); beyond, by binary search.
const LINEAR_SEARCH_MAX: usize = 32;

/// One histogram series.
#[derive(Debug)]
pub struct Histogram {
    bounds: Arc<[f64]>,
    /// Per-bucket (not cumulative) counts of a classic histogram; empty with native buckets,
    /// whose state holds the classic counts too.
    /// A count per classic bucket, then the sum's bits: one block, in this process or in a
    /// shared store.
    cells: SharedCells<AtomicU64>,
    created: AtomicF64,
    exemplars: OnceLock<Box<[ExemplarSlot]>>,
    native: Option<Box<NativeState>>,
    activity: Activity,
}

/// A histogram's native buckets: this process's, or every process's in a shared store.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // boxed whole by `Histogram::native`
enum NativeState {
    Local(Native),
    Shared(SharedNative),
}

/// A consistent read of a histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramSnapshot {
    pub cumulative: Vec<u64>,
    pub sum: f64,
    pub count: u64,
}

impl Histogram {
    pub fn new(config: &HistogramConfig) -> Self {
        let len = config.bounds.len();
        let native = config
            .native
            .as_ref()
            .map(|native| Box::new(NativeState::Local(Native::new(native, len))));
        let classic = if native.is_some() { 0 } else { len };
        Histogram {
            bounds: config.bounds.clone(),
            cells: SharedCells::local(classic + 1),
            created: AtomicF64::new(unix_now()),
            exemplars: OnceLock::new(),
            native,
            activity: Activity::default(),
        }
    }

    /// Records one observation. NaN is rejected and changes nothing. `±Inf` are counted (in the
    /// first bucket for `-Inf`, in `+Inf` for `+Inf`) and added to the sum with IEEE arithmetic,
    /// as client_golang does: once both have been observed the sum is NaN.
    #[inline]
    pub fn observe(&self, value: f64) -> Result<()> {
        let bucket = self.bucket_of(value)?;
        self.record(bucket, value)
    }

    /// Records `value` unless it is NaN and says whether it did: the rule of
    /// [`Histogram::observe`] without building an error, for callers with their own error reporting.
    #[inline]
    pub(crate) fn try_observe(&self, value: f64) -> bool {
        if value.is_nan() {
            false
        } else {
            self.record(self.bucket_index(value), value).is_ok()
        }
    }

    /// Records one observation with an exemplar for its bucket.
    pub fn observe_with_exemplar(&self, value: f64, exemplar: Exemplar) -> Result<()> {
        let bucket = self.bucket_of(value)?;
        self.record(bucket, value)?;
        if let Some(native) = &self.native {
            // Native exemplars need a time: client_golang stamps each one.
            let mut stamped = exemplar.clone();
            stamped.timestamp = stamped.timestamp.or_else(|| Some(unix_now()));
            match &**native {
                NativeState::Local(native) => native.store_exemplar(stamped),
                // In a store, one exemplar per classic bucket serves both.
                NativeState::Shared(native) => return native.store_exemplar(bucket, &stamped),
            }
        }
        if let Some((store, slots)) = self.exemplars_in_store() {
            return store.set_exemplar(slots + bucket as u64 * 8, &exemplar);
        }
        if let Some(slot) = self
            .exemplars
            .get_or_init(|| {
                (0..self.bounds.len())
                    .map(|_| ExemplarSlot::default())
                    .collect()
            })
            .get(bucket)
        {
            slot.store(exemplar);
        }
        Ok(())
    }

    #[inline]
    fn bucket_of(&self, value: f64) -> Result<usize> {
        if value.is_nan() {
            return Err(nan_observation());
        }
        Ok(self.bucket_index(value))
    }

    /// The bucket of a value that is not NaN: the first whose bound is not below it. The last
    /// bound is +Inf, so every such value finds one.
    #[inline]
    fn bucket_index(&self, value: f64) -> usize {
        if self.bounds.len() <= LINEAR_SEARCH_MAX {
            self.bounds.iter().filter(|bound| **bound < value).count()
        } else {
            self.bounds.partition_point(|bound| *bound < value)
        }
    }

    /// The per-bucket counts of a classic histogram (empty with native buckets).
    #[inline(always)]
    fn buckets(&self) -> &[AtomicU64] {
        let cells = &*self.cells;
        &cells[..cells.len() - 1]
    }

    /// The sum of the observations.
    #[inline(always)]
    fn sum_cell(&self) -> &AtomicF64 {
        let cells = &*self.cells;
        AtomicF64::from_bits_ref(&cells[cells.len() - 1])
    }

    #[inline]
    fn record(&self, bucket: usize, value: f64) -> Result<()> {
        self.activity.touch();
        if let Some(native) = &self.native {
            return match &**native {
                NativeState::Local(native) => {
                    native.observe(value, bucket, &self.created);
                    Ok(())
                }
                NativeState::Shared(native) => native.observe(value, bucket),
            };
        }
        self.sum_cell().add_with(value, Ordering::Relaxed);
        // Release: a collection that sees this increment also sees the sum above.
        // `bucket_index` is below `bounds.len()`, the number of buckets: never `None`.
        if let Some(count) = self.buckets().get(bucket) {
            count.fetch_add(1, Ordering::Release);
        }
        Ok(())
    }

    /// Everything the native buckets hold, and for a histogram in a store the latest exemplar
    /// per classic bucket.
    fn native_read(&self, native: &NativeState) -> (NativeRead, Option<Vec<Option<Exemplar>>>) {
        match native {
            NativeState::Local(native) => (native.read(&self.created), None),
            NativeState::Shared(native) => {
                let (read, exemplars) = native.read();
                (read, Some(exemplars))
            }
        }
    }

    /// A consistent view: cumulative counts whose last one is the count, and a sum that covers at
    /// least those observations.
    pub fn snapshot(&self) -> HistogramSnapshot {
        if let Some(native) = &self.native {
            let (read, _) = self.native_read(native);
            return HistogramSnapshot {
                cumulative: cumulate(&read.classic),
                sum: read.sum,
                count: read.count,
            };
        }
        let mut cumulative = Vec::with_capacity(self.buckets().len());
        let mut running = 0u64;
        for bucket in self.buckets().iter() {
            // Acquire: the sums of the observations counted here are visible below.
            running += bucket.load(Ordering::Acquire);
            cumulative.push(running);
        }
        HistogramSnapshot {
            cumulative,
            sum: self.sum_cell().get(),
            count: running,
        }
    }

    pub fn count(&self) -> u64 {
        self.snapshot().count
    }

    pub fn sum(&self) -> f64 {
        self.snapshot().sum
    }

    /// The classic upper bounds, ending with `+Inf`; empty for a native-only histogram.
    pub fn bounds(&self) -> &[f64] {
        &self.bounds
    }

    /// The native buckets, for a histogram that has them.
    pub fn native_buckets(&self) -> Option<NativeBuckets> {
        self.native
            .as_ref()
            .map(|native| self.native_read(native).0.buckets)
    }

    /// Seconds since the Unix epoch when the histogram was created.
    pub fn created(&self) -> f64 {
        self.created.get()
    }

    /// For a histogram in a shared store, the store and where its buckets' exemplar records
    /// are kept, a word per bucket.
    fn exemplars_in_store(&self) -> Option<(&Arc<Store>, u64)> {
        let (store, block) = self.cells.placed()?;
        Some((store, block + histogram_exemplars(self.bounds.len() as u32)))
    }

    /// The latest exemplar of each bucket, or an empty vector when none was ever recorded.
    pub fn exemplars(&self) -> Vec<Option<Exemplar>> {
        if let Some(native) = &self.native
            && let NativeState::Shared(native) = &**native
        {
            return native.read().1;
        }
        if let Some((store, slots)) = self.exemplars_in_store() {
            let found: Vec<Option<Exemplar>> = (0..self.bounds.len() as u64)
                .map(|i| store.exemplar(slots + i * 8).ok().flatten())
                .collect();
            return match found.iter().any(Option::is_some) {
                true => found,
                false => Vec::new(),
            };
        }
        self.exemplars
            .get()
            .map(|slots| slots.iter().map(ExemplarSlot::load).collect())
            .unwrap_or_default()
    }
}

#[cold]
#[inline(never)]
fn nan_observation() -> Error {
    Error::InvalidValue("histogram observation is NaN".into())
}

impl ChildMetric for Histogram {
    type Config = HistogramConfig;
    const TYPE: MetricType = MetricType::Histogram;

    fn new_child(config: &HistogramConfig) -> Self {
        Histogram::new(config)
    }

    fn store_kind(config: &HistogramConfig, _: GaugeMode) -> Option<StoreKind> {
        match &config.native {
            None => Some(StoreKind::Histogram(config.bounds.clone())),
            // Resets and a widening zero bucket rebuild the buckets in place, which other
            // processes' writers would race with: such a family stays out of the store.
            Some(native)
                if native.min_reset_duration.is_zero() && native.max_zero_threshold == 0.0 =>
            {
                Some(StoreKind::NativeHistogram {
                    bounds: config.bounds.clone(),
                    schema: native.schema(),
                    zero_threshold: native.effective_zero_threshold(),
                    max_buckets: native.max_bucket_number,
                })
            }
            Some(_) => None,
        }
    }

    fn in_store(
        config: &HistogramConfig,
        store: &Arc<Store>,
        kind: &StoreKind,
        block: u64,
    ) -> Result<Self> {
        if config.native.is_some() {
            // Not `Histogram::new`: its in-process buckets would be made only to be dropped.
            let shared = SharedNative::new(store, kind, block)?;
            return Ok(Histogram {
                bounds: config.bounds.clone(),
                cells: SharedCells::local(1),
                created: AtomicF64::new(unix_now()),
                exemplars: OnceLock::new(),
                native: Some(Box::new(NativeState::Shared(shared))),
                activity: Activity::default(),
            });
        }
        let mut histogram = Histogram::new(config);
        // SAFETY: a histogram block is a count per bucket, then the sum's bits: atomic words
        // (see `store::layout::histogram_block`).
        histogram.cells = unsafe { SharedCells::in_store(store, block, config.bounds.len() + 1) }?;
        Ok(histogram)
    }

    fn activity(&self) -> &Activity {
        &self.activity
    }

    fn point(&self, _: &HistogramConfig) -> PointValue {
        if let Some(native) = &self.native {
            let (read, exemplars) = self.native_read(native);
            return PointValue::Histogram {
                bounds: self.bounds.clone(),
                cumulative: cumulate(&read.classic),
                sum: read.sum,
                count: read.count,
                created: Some(self.created()),
                exemplars: exemplars.unwrap_or_else(|| self.exemplars()),
                native: Some(Box::new(read.buckets)),
            };
        }
        let snapshot = self.snapshot();
        PointValue::Histogram {
            bounds: self.bounds.clone(),
            cumulative: snapshot.cumulative,
            sum: snapshot.sum,
            count: snapshot.count,
            created: Some(self.created()),
            exemplars: self.exemplars(),
            native: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_buckets_end_with_inf() {
        let config = HistogramConfig::default();
        assert_eq!(config.bounds().len(), 15);
        assert_eq!(config.bounds()[0], 0.005);
        assert_eq!(*config.bounds().last().unwrap(), f64::INFINITY);
    }

    #[test]
    fn custom_buckets_are_validated() {
        assert_eq!(
            HistogramConfig::new(&[1.0, 2.0]).unwrap().bounds(),
            &[1.0, 2.0, f64::INFINITY]
        );
        assert_eq!(
            HistogramConfig::new(&[1.0, f64::INFINITY])
                .unwrap()
                .bounds(),
            &[1.0, f64::INFINITY]
        );
        assert!(HistogramConfig::new(&[]).is_err());
        assert!(HistogramConfig::new(&[2.0, 1.0]).is_err());
        assert!(HistogramConfig::new(&[1.0, 1.0]).is_err());
        assert!(HistogramConfig::new(&[1.0, f64::NAN]).is_err());
    }

    #[test]
    fn bucket_helpers() {
        assert_eq!(linear_buckets(1.0, 2.0, 3).unwrap(), [1.0, 3.0, 5.0]);
        assert_eq!(
            exponential_buckets(1.0, 10.0, 3).unwrap(),
            [1.0, 10.0, 100.0]
        );
        assert!(linear_buckets(0.0, 0.0, 3).is_err());
        assert!(linear_buckets(0.0, 1.0, 0).is_err());
        assert!(exponential_buckets(0.0, 2.0, 3).is_err());
        assert!(exponential_buckets(1.0, 1.0, 3).is_err());
        // Overflow to infinity is refused, not returned as a bound.
        assert!(exponential_buckets(1e300, 1e10, 3).is_err());
        assert!(linear_buckets(f64::MAX, f64::MAX, 3).is_err());
        assert!(linear_buckets(0.0, 1.0, MAX_BUCKETS + 1).is_err());
        assert!(exponential_buckets(1.0, 2.0, usize::MAX).is_err());
    }

    #[test]
    fn infinite_observations_follow_ieee_arithmetic_in_the_sum() {
        let h = Histogram::new(&HistogramConfig::new(&[1.0]).unwrap());
        h.observe(f64::INFINITY).unwrap();
        assert_eq!(h.sum(), f64::INFINITY);
        h.observe(f64::NEG_INFINITY).unwrap();
        assert!(h.sum().is_nan(), "+Inf + -Inf is NaN, as in client_golang");
        assert_eq!(h.count(), 2);
    }

    #[test]
    fn observations_land_in_cumulative_buckets() {
        let h = Histogram::new(&HistogramConfig::new(&[0.1, 0.5, 1.0]).unwrap());
        for v in [0.05, 0.1, 0.3, 2.0, 0.7] {
            h.observe(v).unwrap();
        }
        let s = h.snapshot();
        assert_eq!(s.cumulative, [2, 3, 4, 5]);
        assert_eq!(s.count, 5);
        assert!((s.sum - 3.15).abs() < 1e-12);
        // A second read sees the same state: the fold into the hot half lost nothing.
        assert_eq!(h.snapshot(), s);
        h.observe(f64::INFINITY).unwrap();
        assert_eq!(h.snapshot().cumulative, [2, 3, 4, 6]);
    }

    #[test]
    fn nan_is_rejected() {
        let h = Histogram::new(&HistogramConfig::default());
        h.observe(1.0).unwrap();
        assert!(h.observe(f64::NAN).is_err());
        assert_eq!(h.count(), 1);
        assert_eq!(h.sum(), 1.0);
    }

    #[test]
    fn exemplars_attach_to_their_bucket() {
        let h = Histogram::new(&HistogramConfig::new(&[1.0, 2.0]).unwrap());
        assert!(h.exemplars().is_empty());
        let ex = Exemplar::new(&[("trace_id", "x")], 1.5, None).unwrap();
        h.observe_with_exemplar(1.5, ex.clone()).unwrap();
        assert_eq!(h.exemplars(), vec![None, Some(ex), None]);
    }

    #[test]
    fn collections_during_writes_are_never_torn() {
        let h = Arc::new(Histogram::new(
            &HistogramConfig::new(&[1.0, 2.0, 3.0]).unwrap(),
        ));
        let writers: Vec<_> = (0..4)
            .map(|t| {
                let h = h.clone();
                std::thread::spawn(move || {
                    for i in 0..200_000u64 {
                        h.observe(((i + t) % 4) as f64).unwrap();
                    }
                })
            })
            .collect();
        let mut reads = 0;
        while writers.iter().any(|w| !w.is_finished()) || reads < 10 {
            let s = h.snapshot();
            assert_eq!(*s.cumulative.last().unwrap(), s.count);
            assert!(s.cumulative.windows(2).all(|w| w[0] <= w[1]));
            reads += 1;
        }
        for w in writers {
            w.join().unwrap();
        }
        let s = h.snapshot();
        assert_eq!(s.count, 800_000);
        assert_eq!(s.sum, 4.0 * 200_000.0 / 4.0 * (0.0 + 1.0 + 2.0 + 3.0));
    }
}
