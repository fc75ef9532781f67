//! Summary: count and sum over all time, quantiles over a sliding time window.
//!
//! As in client_golang, the window is `age_buckets` CKMS streams ([`CkmsStream`]). Every
//! observation goes into all of them; every `max_age / age_buckets` the oldest is emptied and
//! becomes the newest. Queries read the oldest, which holds everything observed since it was last
//! emptied: never more than `max_age` ago and, once the summary is that old, at least
//! `max_age − max_age / age_buckets` ago.
//!
//! Inserting into a stream costs a pass over it, so `observe` does not insert. It claims a slot
//! in a fixed buffer with one atomic increment and stores the value there; the observation that
//! fills the buffer, or the next read, sorts the buffer and merges it into the streams under a
//! mutex. `observe` also reads the monotonic clock, as client_golang does: the one that finds a
//! rotation due performs it, so that buffered observations always land on the right side of a
//! rotation.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::sync::Mutex;

use super::expiry::Activity;
use super::quantile::{CkmsStream, validate_target};
use super::shared_cells::SharedCells;
use super::value::AtomicF64;
use super::{ChildMetric, FamilySchema, unix_now};
use crate::error::{Error, Result};
use crate::snapshot::{MetricType, PointValue};
use crate::store::{GaugeMode, Store, StoreKind};
use std::sync::Arc;

/// Observations buffered before they are merged into the streams (client_golang's size).
const BUFFER_SLOTS: usize = 500;

/// Each age bucket is a full stream that every observation updates; more than this is a mistake.
const MAX_AGE_BUCKETS: u32 = 1024;

/// Objectives and window of a summary family.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryConfig {
    /// `(quantile, allowed rank error)` pairs, in increasing quantile order.
    pub objectives: Vec<(f64, f64)>,
    /// How long an observation counts towards the quantiles.
    pub max_age: Duration,
    /// How many streams the window rotates through: the window slides in steps of
    /// `max_age / age_buckets`.
    pub age_buckets: u32,
    /// Whether the exposition shows the quantiles. Without, a summary shows `_count` and `_sum`
    /// only, as client_python's does, and [`Summary::quantile`] still answers from the window.
    pub expose_quantiles: bool,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            objectives: vec![(0.5, 0.05), (0.9, 0.01), (0.99, 0.001)],
            max_age: Duration::from_secs(600),
            age_buckets: 5,
            expose_quantiles: true,
        }
    }
}

impl SummaryConfig {
    /// Validates and sorts the objectives (quantile in `[0, 1]`, error finite and in `(0, 1)`, no
    /// quantile twice), and checks `max_age > 0` and `1 ≤ age_buckets ≤ 1024`. No
    /// objectives is allowed: the summary then exposes only its count and sum.
    pub fn new(objectives: &[(f64, f64)], max_age: Duration, age_buckets: u32) -> Result<Self> {
        let mut sorted = Vec::with_capacity(objectives.len());
        for &(q, e) in objectives {
            validate_target(q, e)
                .map_err(|err| Error::InvalidConfig(format!("summary objective: {err}")))?;
            // -0.0 is a valid quantile; store it as 0.0 so it prints and compares as one.
            sorted.push((q + 0.0, e));
        }
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(pair) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::InvalidConfig(format!(
                "summary objective quantile {} is given twice",
                pair[0].0
            )));
        }
        if max_age.is_zero() {
            return Err(Error::InvalidConfig("summary max_age must be > 0".into()));
        }
        if !(1..=MAX_AGE_BUCKETS).contains(&age_buckets) {
            return Err(Error::InvalidConfig(format!(
                "summary age_buckets is {age_buckets}, must be in 1..={MAX_AGE_BUCKETS}"
            )));
        }
        Ok(SummaryConfig {
            objectives: sorted,
            max_age,
            age_buckets,
            expose_quantiles: true,
        })
    }

    /// Keeps the quantiles out of the exposition (see [`SummaryConfig::expose_quantiles`]).
    pub fn hide_quantiles(mut self) -> Self {
        self.expose_quantiles = false;
        self
    }

    /// The valid objectives, sorted, keeping the tightest error of a repeated quantile. Lets
    /// [`Summary::new`] accept a config built field by field without failing or panicking.
    fn usable_objectives(&self) -> Vec<(f64, f64)> {
        let mut usable: Vec<(f64, f64)> = self
            .objectives
            .iter()
            .filter(|(q, e)| validate_target(*q, *e).is_ok())
            .map(|&(q, e)| (q + 0.0, e))
            .collect();
        usable.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        usable.dedup_by(|later, earlier| later.0 == earlier.0);
        usable
    }

    /// Nanoseconds between rotations, at least 1.
    fn rotation_period(&self) -> u64 {
        let buckets = self.age_buckets.clamp(1, MAX_AGE_BUCKETS);
        let nanos = u64::try_from(self.max_age.as_nanos()).unwrap_or(u64::MAX);
        (nanos / u64::from(buckets)).max(1)
    }
}

/// Where the window's time comes from: the monotonic clock, or a hand-driven one in tests.
#[derive(Debug)]
enum Clock {
    Monotonic(Instant),
    #[cfg(test)]
    Manual(std::sync::Arc<AtomicU64>),
}

impl Clock {
    /// Nanoseconds since the summary was created.
    #[inline]
    fn now(&self) -> u64 {
        match self {
            Clock::Monotonic(start) => {
                u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
            }
            #[cfg(test)]
            Clock::Manual(nanos) => nanos.load(Ordering::Relaxed),
        }
    }
}

/// The result of trying to put an observation in the buffer.
enum Claim {
    Stored,
    /// Stored, and it was the last free slot: the caller flushes.
    Filled,
    /// No slot: the buffer is full or being drained.
    Full,
}

/// The streams, and what rotating them needs.
#[derive(Debug)]
struct Streams {
    ring: Box<[CkmsStream]>,
    /// The stream that has been filling longest: the one queries read, and the next one reset.
    oldest: usize,
    period: u64,
    next_rotation: u64,
    /// Where drained values are sorted; allocated once.
    batch: Vec<f64>,
}

impl Streams {
    fn insert_batch(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        self.batch.sort_unstable_by(f64::total_cmp);
        for stream in self.ring.iter_mut() {
            stream.insert_sorted(&self.batch);
        }
        self.batch.clear();
    }

    /// Performs every rotation due by `now`. After a long idle time that is more than there are
    /// streams, and all of them are emptied once instead of looping per missed period.
    fn rotate(&mut self, now: u64) {
        if now < self.next_rotation {
            return;
        }
        let due = (now - self.next_rotation) / self.period + 1;
        let len = self.ring.len();
        for _ in 0..due.min(len as u64) {
            self.ring[self.oldest].reset();
            self.oldest = (self.oldest + 1) % len;
        }
        self.next_rotation = self
            .next_rotation
            .saturating_add(due.saturating_mul(self.period));
    }

    fn oldest(&self) -> &CkmsStream {
        &self.ring[self.oldest]
    }
}

/// Observations on their way to the streams: writers claim slots without a lock; draining is
/// done by one thread at a time (the caller of `drain_into` holds a lock).
#[derive(Debug)]
struct Buffer {
    slots: Box<[AtomicU64]>,
    /// Slots handed out in the current round. At or past the slot count, claims fail.
    claimed: AtomicUsize,
    /// Slots whose value is stored. A drain waits for it to catch up with `claimed`, so a value
    /// whose slot is claimed but not yet written is neither lost nor read half-done.
    written: AtomicUsize,
}

impl Buffer {
    fn new(slots: usize) -> Self {
        Buffer {
            slots: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            claimed: AtomicUsize::new(0),
            written: AtomicUsize::new(0),
        }
    }

    #[inline]
    fn claim(&self, value: f64) -> Claim {
        let slot = self.claimed.fetch_add(1, Ordering::Acquire);
        let Some(cell) = self.slots.get(slot) else {
            return Claim::Full;
        };
        cell.store(value.to_bits(), Ordering::Relaxed);
        // Release: the drain that sees this count also sees the value stored above.
        if self.written.fetch_add(1, Ordering::Release) + 1 == self.slots.len() {
            Claim::Filled
        } else {
            Claim::Stored
        }
    }

    /// Empties the buffer into `batch`. Callers serialise drains with a lock.
    fn drain_into(&self, batch: &mut Vec<f64>) {
        if self.claimed.load(Ordering::Relaxed) == 0 {
            return;
        }
        // Close the round: later claims fail, and their writers wait for the caller's lock.
        let claimed = self
            .claimed
            .swap(self.slots.len(), Ordering::Acquire)
            .min(self.slots.len());
        self.wait_for_writers(claimed);
        batch.extend(
            self.slots[..claimed]
                .iter()
                .map(|slot| f64::from_bits(slot.load(Ordering::Relaxed))),
        );
        self.written.store(0, Ordering::Relaxed);
        // Release: a writer that claims slot 0 of the new round also sees `written` reset.
        self.claimed.store(0, Ordering::Release);
    }

    /// Waits until the writers holding the first `claimed` slots have stored their values: a few
    /// instructions, unless one was descheduled in between.
    fn wait_for_writers(&self, claimed: usize) {
        let mut spins = 0u32;
        while self.written.load(Ordering::Acquire) != claimed {
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// The sliding window behind a summary's quantiles.
#[derive(Debug)]
struct Window {
    buffer: Buffer,
    /// `Streams::next_rotation`, readable without the lock.
    deadline: AtomicU64,
    clock: Clock,
    streams: Mutex<Streams>,
}

impl Window {
    fn new(objectives: &[(f64, f64)], config: &SummaryConfig, clock: Clock) -> Self {
        // Cannot fail: the objectives passed the same validation.
        let stream = CkmsStream::new(objectives).unwrap_or_default();
        let period = config.rotation_period();
        let buckets = config.age_buckets.clamp(1, MAX_AGE_BUCKETS) as usize;
        Window {
            buffer: Buffer::new(BUFFER_SLOTS),
            deadline: AtomicU64::new(period),
            clock,
            streams: Mutex::new(Streams {
                ring: vec![stream; buckets].into(),
                oldest: 0,
                period,
                next_rotation: period,
                batch: Vec::with_capacity(BUFFER_SLOTS + 1),
            }),
        }
    }

    #[inline]
    fn observe(&self, value: f64) {
        let now = self.clock.now();
        if now >= self.deadline.load(Ordering::Relaxed) {
            // Flushes what was observed before the rotation into the streams it belongs to.
            self.flush(now);
        }
        match self.buffer.claim(value) {
            Claim::Stored => {}
            Claim::Filled => self.flush(now),
            Claim::Full => self.observe_locked(value),
        }
    }

    /// The slow path, when the buffer had no slot: whoever held the lock has likely drained it.
    fn observe_locked(&self, value: f64) {
        let mut streams = self.streams.lock();
        match self.buffer.claim(value) {
            Claim::Stored => {}
            Claim::Filled => self.sync(&mut streams, self.clock.now()),
            Claim::Full => {
                streams.batch.push(value);
                self.sync(&mut streams, self.clock.now());
            }
        }
    }

    fn flush(&self, now: u64) {
        self.sync(&mut self.streams.lock(), now);
    }

    /// Moves buffered values into the streams, then rotates. In that order: every buffered value
    /// was observed before the pending rotation, since the observation that finds a rotation due
    /// performs it first.
    fn sync(&self, streams: &mut Streams, now: u64) {
        self.buffer.drain_into(&mut streams.batch);
        streams.insert_batch();
        if now >= streams.next_rotation {
            streams.rotate(now);
            self.deadline
                .store(streams.next_rotation, Ordering::Relaxed);
        }
    }

    /// Runs `read` on the stream queries read, after bringing it up to date.
    fn read<T>(&self, read: impl FnOnce(&CkmsStream) -> T) -> T {
        let now = self.clock.now();
        let mut streams = self.streams.lock();
        self.sync(&mut streams, now);
        read(streams.oldest())
    }
}

/// One summary series: count and sum of every observation, and quantiles of those in the window.
///
/// `observe` takes no lock and allocates nothing: two atomic adds for count and sum, a clock read,
/// and two atomic increments to buffer the value. One observation in 500, or the next read, pays
/// for merging the buffer into the streams.
#[derive(Debug)]
pub struct Summary {
    /// The count, then the sum's bits: in this process, or in a shared store (where the
    /// quantile window stays per process).
    totals: SharedCells<AtomicU64>,
    created: f64,
    objectives: Box<[(f64, f64)]>,
    /// `None` without objectives: nothing would read it.
    window: Option<Window>,
    activity: Activity,
}

impl Summary {
    /// A summary for `config`. A config assembled from its public fields is not validated here
    /// (families validate theirs); invalid objectives are skipped, a repeated quantile keeps its
    /// tightest error, and the window is at least 1 ns long with 1 to 1024 buckets.
    pub fn new(config: &SummaryConfig) -> Self {
        Self::with_clock(config, Clock::Monotonic(Instant::now()))
    }

    fn with_clock(config: &SummaryConfig, clock: Clock) -> Self {
        let objectives = config.usable_objectives();
        let window = (!objectives.is_empty()).then(|| Window::new(&objectives, config, clock));
        Summary {
            totals: SharedCells::local(2),
            created: unix_now(),
            objectives: objectives.into(),
            window,
            activity: Activity::default(),
        }
    }

    /// Records one observation. NaN is rejected and changes nothing; infinities are kept.
    #[inline]
    pub fn observe(&self, value: f64) -> Result<()> {
        if self.try_observe(value) {
            Ok(())
        } else {
            Err(Error::InvalidValue("summary observation is NaN".into()))
        }
    }

    /// Records `value` unless it is NaN and says whether it did: the rule of [`Summary::observe`]
    /// without building an error, for callers with their own error reporting.
    #[inline]
    pub(crate) fn try_observe(&self, value: f64) -> bool {
        if value.is_nan() {
            return false;
        }
        self.activity.touch();
        AtomicF64::from_bits_ref(&self.totals[1]).add(value);
        self.totals[0].fetch_add(1, Ordering::Relaxed);
        if let Some(window) = &self.window {
            window.observe(value);
        }
        true
    }

    /// Observations ever made.
    pub fn count(&self) -> u64 {
        self.totals[0].load(Ordering::Relaxed)
    }

    /// Sum of every observation ever made.
    pub fn sum(&self) -> f64 {
        AtomicF64::from_bits_ref(&self.totals[1]).get()
    }

    /// The `q`-quantile of the observations in the window, within the objectives' error bounds
    /// (see [`CkmsStream`] for the bound of a `q` that is not an objective). `q` = 0 and 1 give
    /// the window's exact minimum and maximum. NaN when the window is empty or the summary has no
    /// objectives (it then keeps no window); an error when `q` is NaN or outside `[0, 1]`.
    pub fn quantile(&self, q: f64) -> Result<f64> {
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::InvalidValue(format!(
                "quantile {q} is not in [0, 1]"
            )));
        }
        Ok(self
            .window
            .as_ref()
            .map_or(f64::NAN, |window| window.read(|stream| stream.query(q))))
    }

    /// Seconds since the Unix epoch when the summary was created.
    pub fn created(&self) -> f64 {
        self.created
    }

    /// The `(quantile, allowed rank error)` objectives, in increasing quantile order.
    pub fn objectives(&self) -> &[(f64, f64)] {
        &self.objectives
    }

    /// The objectives' quantiles, all read from the same state of the window.
    fn objective_values(&self) -> Vec<(f64, f64)> {
        let Some(window) = &self.window else {
            return Vec::new();
        };
        window.read(|stream| {
            self.objectives
                .iter()
                .map(|&(q, _)| (q, stream.query(q)))
                .collect()
        })
    }

    /// How many observations the queried stream holds, and its minimum and maximum.
    #[cfg(test)]
    fn window_contents(&self) -> (u64, Option<(f64, f64)>) {
        self.window.as_ref().map_or((0, None), |window| {
            window.read(|stream| (stream.count(), stream.min_max()))
        })
    }
}

impl ChildMetric for Summary {
    type Config = SummaryConfig;
    const TYPE: MetricType = MetricType::Summary;

    fn new_child(config: &SummaryConfig) -> Self {
        Summary::new(config)
    }

    fn store_kind(_: &SummaryConfig, _: GaugeMode) -> Option<StoreKind> {
        Some(StoreKind::Summary)
    }

    fn in_store(
        config: &SummaryConfig,
        store: &Arc<Store>,
        _: &StoreKind,
        block: u64,
    ) -> Result<Self> {
        let mut summary = Summary::new(config);
        // SAFETY: a summary block is the count and the sum's bits, atomic words (see
        // `store::layout::SUMMARY_BLOCK`).
        summary.totals = unsafe { SharedCells::in_store(store, block, 2) }?;
        Ok(summary)
    }

    fn activity(&self) -> &Activity {
        &self.activity
    }

    fn point(&self, config: &SummaryConfig) -> PointValue {
        let quantiles = if config.expose_quantiles {
            self.objective_values()
        } else {
            Vec::new()
        };
        PointValue::Summary {
            quantiles,
            sum: self.sum(),
            count: self.count(),
            created: Some(self.created),
        }
    }

    /// Validates a config that may have been built from its public fields, and sorts it.
    fn prepare(config: SummaryConfig, _family: &FamilySchema) -> Result<SummaryConfig> {
        let checked = SummaryConfig::new(&config.objectives, config.max_age, config.age_buckets)?;
        Ok(SummaryConfig {
            expose_quantiles: config.expose_quantiles,
            ..checked
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use std::sync::Arc;

    const SECOND: u64 = 1_000_000_000;

    /// A summary whose clock only moves when the test moves it.
    fn manual(config: &SummaryConfig) -> (Summary, Arc<AtomicU64>) {
        let time = Arc::new(AtomicU64::new(0));
        (
            Summary::with_clock(config, Clock::Manual(time.clone())),
            time,
        )
    }

    fn window(max_age_secs: u64, age_buckets: u32) -> SummaryConfig {
        SummaryConfig {
            max_age: Duration::from_secs(max_age_secs),
            age_buckets,
            ..SummaryConfig::default()
        }
    }

    #[test]
    fn default_config() {
        let config = SummaryConfig::default();
        assert_eq!(config.objectives, [(0.5, 0.05), (0.9, 0.01), (0.99, 0.001)]);
        assert_eq!(config.max_age, Duration::from_secs(600));
        assert_eq!(config.age_buckets, 5);
        let valid = SummaryConfig::new(&config.objectives, config.max_age, config.age_buckets);
        assert_eq!(valid.unwrap(), config);
    }

    #[test]
    fn config_is_validated_and_sorted() {
        let minute = Duration::from_secs(60);
        let config = SummaryConfig::new(&[(0.9, 0.01), (-0.0, 0.1), (0.5, 0.05)], minute, 3);
        assert_eq!(
            config.unwrap().objectives,
            [(0.0, 0.1), (0.5, 0.05), (0.9, 0.01)]
        );
        assert!(
            SummaryConfig::new(&[], minute, 1)
                .unwrap()
                .objectives
                .is_empty()
        );
        let bad_objectives: [&[(f64, f64)]; 9] = [
            &[(1.5, 0.01)],
            &[(-0.1, 0.01)],
            &[(f64::NAN, 0.01)],
            &[(0.5, 0.0)],
            &[(0.5, 1.0)],
            &[(0.5, -0.01)],
            &[(0.5, f64::NAN)],
            &[(0.5, f64::INFINITY)],
            &[(0.5, 0.05), (0.9, 0.01), (0.5, 0.01)],
        ];
        for objectives in bad_objectives {
            assert!(
                matches!(
                    SummaryConfig::new(objectives, minute, 5),
                    Err(Error::InvalidConfig(_))
                ),
                "{objectives:?}"
            );
        }
        let defaults = &SummaryConfig::default().objectives;
        assert!(SummaryConfig::new(defaults, Duration::ZERO, 5).is_err());
        assert!(SummaryConfig::new(defaults, minute, 0).is_err());
        assert!(SummaryConfig::new(defaults, minute, MAX_AGE_BUCKETS + 1).is_err());
        assert!(SummaryConfig::new(defaults, Duration::from_nanos(1), MAX_AGE_BUCKETS).is_ok());
    }

    #[test]
    fn families_validate_configs_built_from_fields() {
        let desc = FamilySchema {
            name: "s".into(),
            label_names: Arc::from(Vec::new()),
        };
        let unsorted = SummaryConfig {
            objectives: vec![(0.9, 0.01), (0.1, 0.01)],
            ..SummaryConfig::default()
        };
        let prepared = Summary::prepare(unsorted, &desc).unwrap();
        assert_eq!(prepared.objectives, [(0.1, 0.01), (0.9, 0.01)]);
        let invalid = SummaryConfig {
            age_buckets: 0,
            ..SummaryConfig::default()
        };
        assert!(Summary::prepare(invalid, &desc).is_err());
    }

    #[test]
    fn hidden_quantiles_are_left_out_of_the_point_and_still_answer() {
        let config = SummaryConfig::default().hide_quantiles();
        let family = crate::metric::Family::<Summary>::with_config(
            crate::metric::Opts::new("hidden", "h"),
            config,
        )
        .unwrap();
        let child = family.with_label_values::<&str>(&[]).unwrap();
        child.observe(3.0).unwrap();
        let point = family.collect_family().points.remove(0).value;
        assert!(
            matches!(point, PointValue::Summary { ref quantiles, count: 1, .. } if quantiles.is_empty())
        );
        assert_eq!(child.quantile(0.5).unwrap(), 3.0);
    }

    #[test]
    fn invalid_fields_do_not_panic_a_direct_summary() {
        let config = SummaryConfig {
            objectives: vec![(f64::NAN, 0.1), (0.9, 0.05), (0.5, 2.0), (0.9, 0.01)],
            max_age: Duration::ZERO,
            age_buckets: 0,
            expose_quantiles: true,
        };
        let (s, time) = manual(&config);
        assert_eq!(s.objectives(), [(0.9, 0.01)]);
        s.observe(1.0).unwrap();
        // A zero window keeps nothing for longer than a nanosecond.
        assert_eq!(s.quantile(0.9).unwrap(), 1.0);
        time.store(1, Ordering::Relaxed);
        assert!(s.quantile(0.9).unwrap().is_nan());
        assert_eq!(s.count(), 1);
        let huge = SummaryConfig {
            age_buckets: u32::MAX,
            max_age: Duration::MAX,
            ..SummaryConfig::default()
        };
        let s = Summary::new(&huge);
        s.observe(2.0).unwrap();
        assert_eq!(s.quantile(0.5).unwrap(), 2.0);
    }

    #[test]
    fn observe_counts_sums_and_rejects_nan() {
        let s = Summary::new(&SummaryConfig::default());
        s.observe(1.5).unwrap();
        s.observe(2.5).unwrap();
        assert!(matches!(s.observe(f64::NAN), Err(Error::InvalidValue(_))));
        assert_eq!(s.count(), 2);
        assert_eq!(s.sum(), 4.0);
        assert_eq!(s.window_contents(), (2, Some((1.5, 2.5))));
        s.observe(f64::INFINITY).unwrap();
        s.observe(f64::NEG_INFINITY).unwrap();
        assert_eq!(s.count(), 4);
        assert!(s.sum().is_nan());
        assert_eq!(s.quantile(0.0).unwrap(), f64::NEG_INFINITY);
        assert_eq!(s.quantile(1.0).unwrap(), f64::INFINITY);
        assert!(s.quantile(0.5).unwrap().is_finite());
    }

    #[test]
    fn quantile_argument_is_validated_and_empty_is_nan() {
        let s = Summary::new(&SummaryConfig::default());
        for q in [f64::NAN, -0.01, 1.01, f64::INFINITY] {
            assert!(matches!(s.quantile(q), Err(Error::InvalidValue(_))), "{q}");
        }
        assert!(s.quantile(0.5).unwrap().is_nan());
        assert!(s.quantile(0.0).unwrap().is_nan());
        s.observe(3.0).unwrap();
        // Read right after a single observation: the buffered value is seen.
        assert_eq!(s.quantile(0.5).unwrap(), 3.0);
        assert_eq!(s.quantile(0.123).unwrap(), 3.0);
    }

    #[test]
    fn quantiles_are_within_the_objectives() {
        let (s, _time) = manual(&SummaryConfig::default());
        let mut rng = StdRng::seed_from_u64(7);
        let mut values: Vec<f64> = (0..30_000)
            .map(|_| -(1.0 - rng.random::<f64>()).ln())
            .collect();
        for &v in &values {
            s.observe(v).unwrap();
        }
        values.sort_by(f64::total_cmp);
        let n = values.len() as f64;
        let PointValue::Summary {
            quantiles, count, ..
        } = s.point(&SummaryConfig::default())
        else {
            panic!("not a summary point");
        };
        assert_eq!(count, 30_000);
        for ((q, value), (objective, error)) in quantiles.into_iter().zip(s.objectives()) {
            assert_eq!(q, *objective);
            let lowest = values.partition_point(|v| *v < value) as f64 + 1.0;
            let highest = values.partition_point(|v| *v <= value) as f64;
            assert!(
                lowest <= (q + error) * n && highest >= (q - error) * n,
                "q={q}: ranks {lowest}..={highest}"
            );
        }
    }

    #[test]
    fn old_observations_leave_the_window_but_stay_counted() {
        // Rotations every 2 s.
        let (s, time) = manual(&window(10, 5));
        let at = |secs: f64| time.store((secs * SECOND as f64) as u64, Ordering::Relaxed);
        for _ in 0..1_000 {
            s.observe(100.0).unwrap();
        }
        at(5.0);
        assert_eq!(s.quantile(0.5).unwrap(), 100.0);
        for _ in 0..10 {
            s.observe(1.0).unwrap();
        }
        at(9.9);
        assert_eq!(s.quantile(0.5).unwrap(), 100.0);
        // The 100s were observed at 0: at 10 s they are max_age old.
        at(10.0);
        assert_eq!(s.quantile(0.5).unwrap(), 1.0);
        assert_eq!(s.quantile(1.0).unwrap(), 1.0);
        assert_eq!(s.count(), 1_010);
        assert_eq!(s.sum(), 100_010.0);
        // The 1s (observed at 5 s) stay for at least max_age − period = 8 s.
        at(13.0);
        assert_eq!(s.quantile(0.5).unwrap(), 1.0);
        at(15.0);
        assert!(s.quantile(0.5).unwrap().is_nan());
        assert_eq!(s.window_contents(), (0, None));
        assert_eq!(s.count(), 1_010);
    }

    #[test]
    fn a_rotation_due_is_performed_by_the_next_observation() {
        // Nothing reads between the two batches: the writer that crosses the rotation time must
        // flush what came before it, or the 5s would count as observed after the rotation.
        let (s, time) = manual(&window(4, 2));
        for _ in 0..10 {
            s.observe(5.0).unwrap();
        }
        time.store(2 * SECOND, Ordering::Relaxed);
        s.observe(7.0).unwrap();
        time.store(4 * SECOND, Ordering::Relaxed);
        assert_eq!(s.window_contents(), (1, Some((7.0, 7.0))));
    }

    #[test]
    fn a_long_idle_time_empties_the_window_without_looping() {
        let (s, time) = manual(&window(600, 5));
        s.observe(1.0).unwrap();
        // Five hundred years of missed two-minute rotations.
        time.store(500 * 365 * 24 * 3600 * SECOND, Ordering::Relaxed);
        assert!(s.quantile(0.5).unwrap().is_nan());
        s.observe(2.0).unwrap();
        assert_eq!(s.quantile(0.5).unwrap(), 2.0);
        time.store(u64::MAX, Ordering::Relaxed);
        assert!(s.quantile(0.5).unwrap().is_nan());
        s.observe(3.0).unwrap();
        assert_eq!(s.count(), 3);
    }

    #[test]
    fn point_lists_objectives_in_order() {
        let config = SummaryConfig::new(
            &[(0.99, 0.001), (0.0, 0.01), (1.0, 0.01), (0.5, 0.05)],
            Duration::from_secs(60),
            2,
        )
        .unwrap();
        let s = Summary::new(&config);
        for v in 1..=100 {
            s.observe(f64::from(v)).unwrap();
        }
        let PointValue::Summary {
            quantiles,
            sum,
            count,
            created,
        } = s.point(&config)
        else {
            panic!("not a summary point");
        };
        let qs: Vec<f64> = quantiles.iter().map(|(q, _)| *q).collect();
        assert_eq!(qs, [0.0, 0.5, 0.99, 1.0]);
        assert_eq!(quantiles[0].1, 1.0);
        assert!((45.0..=55.0).contains(&quantiles[1].1), "{quantiles:?}");
        // 0.001·100 is below one rank: the nearest rank, exactly.
        assert_eq!(quantiles[2].1, 99.0);
        assert_eq!(quantiles[3].1, 100.0);
        assert_eq!((sum, count, created), (5050.0, 100, Some(s.created())));
        assert!(s.created() > 1.6e9);
    }

    #[test]
    fn without_objectives_only_count_and_sum() {
        let config = SummaryConfig::new(&[], Duration::from_secs(60), 1).unwrap();
        let s = Summary::new(&config);
        s.observe(2.0).unwrap();
        s.observe(3.0).unwrap();
        assert!(s.quantile(0.5).unwrap().is_nan());
        assert!(s.quantile(2.0).is_err());
        assert_eq!(
            s.point(&config),
            PointValue::Summary {
                quantiles: vec![],
                sum: 5.0,
                count: 2,
                created: Some(s.created()),
            }
        );
    }

    /// Hands values to a buffer the way `Window::observe` does, draining into `sink` where the
    /// window would flush.
    fn buffer_record(buffer: &Buffer, sink: &Mutex<Vec<f64>>, value: f64) {
        match buffer.claim(value) {
            Claim::Stored => {}
            Claim::Filled => buffer.drain_into(&mut sink.lock()),
            Claim::Full => {
                let mut sink = sink.lock();
                match buffer.claim(value) {
                    Claim::Stored => {}
                    Claim::Filled => buffer.drain_into(&mut sink),
                    Claim::Full => {
                        sink.push(value);
                        buffer.drain_into(&mut sink);
                    }
                }
            }
        }
    }

    #[test]
    fn the_buffer_loses_and_repeats_nothing_under_contention() {
        const THREADS: u64 = 6;
        const EACH: u64 = 40_000;
        // A tiny buffer, drained constantly, so that drains often meet writers between claiming
        // a slot and storing into it.
        let buffer = Arc::new(Buffer::new(4));
        let sink = Arc::new(Mutex::new(Vec::new()));
        let writers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (buffer, sink) = (buffer.clone(), sink.clone());
                std::thread::spawn(move || {
                    for i in 0..EACH {
                        buffer_record(&buffer, &sink, (t * EACH + i) as f64);
                    }
                })
            })
            .collect();
        while writers.iter().any(|w| !w.is_finished()) {
            buffer.drain_into(&mut sink.lock());
        }
        for w in writers {
            w.join().unwrap();
        }
        buffer.drain_into(&mut sink.lock());
        let mut seen = std::mem::take(&mut *sink.lock());
        seen.sort_by(f64::total_cmp);
        let expected: Vec<f64> = (0..THREADS * EACH).map(|v| v as f64).collect();
        assert!(seen == expected, "{} values drained", seen.len());
    }

    #[test]
    fn concurrent_observations_are_all_counted_and_all_reach_the_window() {
        const THREADS: u64 = 8;
        const EACH: u64 = 100_000;
        let (s, _time) = manual(&window(600, 2));
        let s = Arc::new(s);
        let writers: Vec<_> = (0..THREADS)
            .map(|t| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for i in 0..EACH {
                        // Thread t observes t·EACH .. (t+1)·EACH − 1, each value once.
                        s.observe((t * EACH + i) as f64).unwrap();
                    }
                })
            })
            .collect();
        let mut reads = 0;
        while writers.iter().any(|w| !w.is_finished()) || reads < 10 {
            let (seen, _) = s.window_contents();
            assert!(seen <= s.count());
            assert!(s.quantile(0.9).is_ok());
            reads += 1;
        }
        for w in writers {
            w.join().unwrap();
        }
        let total = THREADS * EACH;
        assert_eq!(s.count(), total);
        assert_eq!(s.sum(), (total * (total - 1) / 2) as f64);
        let (seen, min_max) = s.window_contents();
        assert_eq!(seen, total);
        assert_eq!(min_max, Some((0.0, (total - 1) as f64)));
        let median = s.quantile(0.5).unwrap();
        assert!((median - total as f64 / 2.0).abs() <= 0.05 * total as f64);
    }
}
