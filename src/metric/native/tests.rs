use crate::snapshot::BucketSpan;
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::metric::value::AtomicF64;
use crate::metric::{Histogram, HistogramConfig};

fn native(factor: f64) -> Histogram {
    Histogram::new(&HistogramConfig::native(NativeConfig::new(factor).unwrap()).unwrap())
}

fn with(config: NativeConfig) -> Histogram {
    Histogram::new(&HistogramConfig::native(config).unwrap())
}

fn positive(buckets: &NativeBuckets) -> Vec<(i32, u64)> {
    NativeBuckets::buckets(&buckets.positive_spans, &buckets.positive_counts)
}

fn negative(buckets: &NativeBuckets) -> Vec<(i32, u64)> {
    NativeBuckets::buckets(&buckets.negative_spans, &buckets.negative_counts)
}

#[test]
fn observations_fill_their_buckets() {
    let h = native(2.0);
    for v in [1.0, 1.5, 2.0, 3.0, 3.0, 100.0, -0.75, 0.0, 1e-40] {
        h.observe(v).unwrap();
    }
    let b = h.native_buckets().unwrap();
    assert_eq!(b.schema, 0);
    assert_eq!(b.zero_threshold, key::DEFAULT_ZERO_THRESHOLD);
    assert_eq!(b.zero_count, 2, "0 and 1e-40 are within the threshold");
    assert_eq!(positive(&b), [(0, 1), (1, 2), (2, 2), (7, 1)]);
    assert_eq!(negative(&b), [(0, 1)]);
    assert_eq!(
        b.positive_spans,
        [
            BucketSpan {
                offset: 0,
                length: 3
            },
            BucketSpan {
                offset: 4,
                length: 1
            }
        ]
    );
    let s = h.snapshot();
    assert_eq!(s.count, 9);
    assert_eq!(s.count, b.total());
    assert!((s.sum - 109.75).abs() < 1e-9);
    assert!(s.cumulative.is_empty(), "no classic buckets");
}

#[test]
fn reading_twice_sees_the_same_state() {
    let h = native(1.1);
    for i in 1..=100 {
        h.observe(f64::from(i) / 10.0).unwrap();
    }
    let first = h.native_buckets().unwrap();
    assert_eq!(first.schema, 3);
    assert_eq!(h.native_buckets().unwrap(), first);
    assert_eq!(h.native_buckets().unwrap(), first);
    h.observe(0.5).unwrap();
    let later = h.native_buckets().unwrap();
    assert_eq!(later.total(), 101);
}

#[test]
fn zero_threshold_options() {
    let mut config = NativeConfig::new(2.0).unwrap();
    config.zero_threshold = 0.5;
    let h = with(config.clone());
    for v in [0.5, -0.5, 0.51] {
        h.observe(v).unwrap();
    }
    let b = h.native_buckets().unwrap();
    assert_eq!((b.zero_threshold, b.zero_count), (0.5, 2));
    config.zero_threshold = -1.0;
    let h = with(config);
    h.observe(1e-300).unwrap();
    h.observe(0.0).unwrap();
    let b = h.native_buckets().unwrap();
    assert_eq!((b.zero_threshold, b.zero_count), (0.0, 1));
    assert_eq!(positive(&b).len(), 1);
}

#[test]
fn infinities_have_their_own_buckets_and_nan_is_refused() {
    let h = native(2.0);
    h.observe(f64::INFINITY).unwrap();
    h.observe(f64::MAX).unwrap();
    h.observe(f64::NEG_INFINITY).unwrap();
    assert!(h.observe(f64::NAN).is_err());
    let b = h.native_buckets().unwrap();
    assert_eq!(positive(&b), [(1024, 1), (1025, 1)]);
    assert_eq!(negative(&b), [(1025, 1)]);
    assert_eq!(h.count(), 3);
    assert!(h.sum().is_nan());
}

#[test]
fn classic_and_native_buckets_count_the_same_observations() {
    let config = HistogramConfig::new(&[1.0, 10.0])
        .unwrap()
        .with_native(NativeConfig::new(1.5).unwrap())
        .unwrap();
    let h = Histogram::new(&config);
    for v in [0.5, 5.0, 50.0, 7.0] {
        h.observe(v).unwrap();
    }
    let s = h.snapshot();
    assert_eq!(s.cumulative, [1, 3, 4]);
    assert_eq!(s.count, 4);
    assert_eq!(h.native_buckets().unwrap().total(), 4);
}

#[test]
fn the_bucket_limit_halves_the_resolution() {
    let mut config = NativeConfig::new(1.01).unwrap();
    config.max_bucket_number = 8;
    let h = with(config);
    assert_eq!(h.native_buckets().unwrap().schema, 7);
    for i in 0..200 {
        h.observe(1.0 + f64::from(i) * 0.05).unwrap();
    }
    let b = h.native_buckets().unwrap();
    assert!(b.schema < 7, "schema {}", b.schema);
    assert!(
        positive(&b).len() <= 8,
        "{} buckets at schema {}",
        positive(&b).len(),
        b.schema
    );
    assert_eq!(b.total(), 200);
    assert_eq!(h.count(), 200);
    // Every observation is still in a bucket whose bounds hold it: 1 .. 10.95.
    let buckets = positive(&b);
    assert!(key::upper_bound(buckets[0].0 - 1, b.schema) < 1.0);
    assert!(key::upper_bound(buckets.last().unwrap().0, b.schema) >= 10.95);
}

#[test]
fn the_bucket_limit_widens_the_zero_bucket_first_when_allowed() {
    let mut config = NativeConfig::new(2.0).unwrap();
    config.max_bucket_number = 3;
    config.max_zero_threshold = 0.3;
    let h = with(config);
    for v in [0.1, 0.2, 1.0, 2.0] {
        h.observe(v).unwrap();
    }
    let b = h.native_buckets().unwrap();
    assert_eq!(b.schema, 0);
    // 0.1 was in (1/16, 1/8]: that bucket moved into the zero bucket.
    assert_eq!(b.zero_threshold, 0.125);
    assert_eq!(b.zero_count, 1);
    assert_eq!(positive(&b), [(-2, 1), (0, 1), (1, 1)]);
    h.observe(0.05).unwrap();
    assert_eq!(h.native_buckets().unwrap().zero_count, 2);
}

#[test]
fn the_bucket_limit_resets_after_the_minimum_duration() {
    let mut config = NativeConfig::new(2.0).unwrap();
    config.max_bucket_number = 2;
    config.min_reset_duration = Duration::from_millis(50);
    let h = with(config);
    let created = h.created();
    std::thread::sleep(Duration::from_millis(60));
    for v in [1.0, 2.0] {
        h.observe(v).unwrap();
    }
    assert_eq!(h.count(), 2);
    // A third bucket, past the minimum duration: everything goes but the last observation.
    h.observe(4.0).unwrap();
    let b = h.native_buckets().unwrap();
    assert_eq!(positive(&b), [(2, 1)]);
    assert_eq!(h.count(), 1);
    assert_eq!(h.sum(), 4.0);
    assert!(h.created() > created);
}

#[test]
fn a_reduction_before_the_minimum_duration_schedules_a_reset() {
    let mut config = NativeConfig::new(2.0).unwrap();
    config.max_bucket_number = 2;
    config.min_reset_duration = Duration::from_millis(100);
    let h = with(config);
    for v in [1.0, 2.0, 4.0] {
        h.observe(v).unwrap();
    }
    let reduced = h.native_buckets().unwrap();
    assert_eq!(reduced.schema, -1, "halved, not reset: too soon");
    assert_eq!(reduced.total(), 3);
    std::thread::sleep(Duration::from_millis(120));
    // The reset was due: a collection finds the histogram empty, back at its own schema.
    let b = h.native_buckets().unwrap();
    assert_eq!((b.schema, b.total()), (0, 0));
    h.observe(3.0).unwrap();
    assert_eq!(h.count(), 1);
}

#[test]
fn bad_configurations_are_refused() {
    for factor in [1.0, 0.5, f64::NAN, f64::INFINITY, -2.0] {
        assert!(NativeConfig::new(factor).is_err(), "{factor}");
    }
    let mut config = NativeConfig::new(2.0).unwrap();
    config.max_zero_threshold = -1.0;
    assert!(HistogramConfig::native(config.clone()).is_err());
    config.max_zero_threshold = 0.0;
    config.zero_threshold = f64::NAN;
    assert!(HistogramConfig::native(config).is_err());
}

#[test]
fn exemplars_are_kept_with_a_time() {
    let h = native(2.0);
    let exemplar = Exemplar::new(&[("trace_id", "a")], 1.5, None).unwrap();
    h.observe_with_exemplar(1.5, exemplar).unwrap();
    let b = h.native_buckets().unwrap();
    assert_eq!(b.exemplars.len(), 1);
    assert!(b.exemplars[0].timestamp.is_some());
    for i in 0..20 {
        let exemplar = Exemplar::new(&[("i", i.to_string())], f64::from(i), Some(1.0)).unwrap();
        h.observe_with_exemplar(f64::from(i), exemplar).unwrap();
    }
    let b = h.native_buckets().unwrap();
    assert_eq!(b.exemplars.len(), exemplars::MAX_NATIVE_EXEMPLARS);
    assert!(b.exemplars.windows(2).all(|w| w[0].value <= w[1].value));
}

#[test]
fn collections_during_writes_are_never_torn() {
    let mut config = NativeConfig::new(1.05).unwrap();
    config.max_bucket_number = 20;
    let h = Arc::new(with(config));
    let writers: Vec<_> = (0..3)
        .map(|t| {
            let h = h.clone();
            std::thread::spawn(move || {
                for i in 0..100_000u32 {
                    let v = f64::from((i * 7 + t) % 5000) / 100.0 - 10.0;
                    h.observe(v).unwrap();
                }
            })
        })
        .collect();
    let mut reads = 0;
    while writers.iter().any(|w| !w.is_finished()) || reads < 10 {
        let point = crate::metric::ChildMetric::point(&*h, &HistogramConfig::default());
        let crate::snapshot::PointValue::Histogram { count, native, .. } = point else {
            unreachable!()
        };
        assert_eq!(native.unwrap().total(), count);
        reads += 1;
    }
    for w in writers {
        w.join().unwrap();
    }
    let b = h.native_buckets().unwrap();
    assert_eq!(b.total(), 300_000);
    assert!(positive(&b).len() + negative(&b).len() <= 20 + 3);
}

#[test]
fn a_histogram_left_over_the_limit_reduces_again_on_any_observation() {
    let mut config = NativeConfig::new(2.0).unwrap();
    config.max_bucket_number = 1;
    config.max_zero_threshold = 0.0;
    let h = with(config);
    // Keys 0 and 1 at schema 0: (0.5, 1] and (1, 2]; 1.0 sits on a boundary at every schema,
    // so halving never merges them and the histogram stays over the limit.
    h.observe(1.0).unwrap();
    h.observe(2.0).unwrap();
    let first = h.native_buckets().unwrap().schema;
    assert_eq!(first, -1);
    // Into an existing bucket: client_golang reduces again, and so do we.
    h.observe(1.0).unwrap();
    assert_eq!(h.native_buckets().unwrap().schema, -2);
    assert_eq!(h.count(), 3);
}

#[test]
fn a_collection_after_fork_stops_waiting_for_the_parents_writers() {
    let native = Native::new(&NativeConfig::new(2.0).unwrap(), 0);
    let created = AtomicF64::new(0.0);
    native.observe(1.5, 0, &created);
    // A writer of the parent announced itself and never finished: its thread is not in the
    // child.
    native.announced.fetch_add(1, Ordering::AcqRel);
    // As after a fork: the process's fork count differs from the one at the last swap.
    native.control.lock().forks = u64::MAX;
    let started = std::time::Instant::now();
    let read = native.read(&created);
    assert!(started.elapsed() >= FORK_WAIT);
    assert_eq!(read.count, 1);
    assert_eq!(read.buckets.total(), 1);
    // From then on the count is what the buckets hold, without waiting.
    native.observe(3.0, 0, &created);
    let started = std::time::Instant::now();
    let read = native.read(&created);
    assert!(started.elapsed() < FORK_WAIT);
    assert_eq!((read.count, read.buckets.total()), (2, 2));
}
