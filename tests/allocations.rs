//! The hot paths allocate nothing: a counting allocator (per thread, so the harness's other
//! threads do not count) sees no allocation across many updates once a series and, for a native
//! histogram, its buckets exist.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use prometheus_emulator::{CounterFamily, HistogramConfig, HistogramFamily, NativeConfig, Opts};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a thread-local cell.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations `work` made on this thread.
fn allocations(work: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    work();
    ALLOCATIONS.with(Cell::get) - before
}

fn values() -> Vec<f64> {
    (1..=1000).map(|i| f64::from(i) / 997.0 - 0.25).collect()
}

#[test]
fn a_warm_native_histogram_observes_without_allocating() {
    let mut config = NativeConfig::new(1.1).unwrap();
    config.zero_threshold = 0.001;
    let family = HistogramFamily::with_config(
        Opts::new("latency", "h"),
        HistogramConfig::new(&[0.1, 0.5])
            .unwrap()
            .with_native(config)
            .unwrap(),
    )
    .unwrap();
    let histogram = family.with_label_values::<&str>(&[]).unwrap();
    let values = values();
    // Warm: every bucket these values need exists, in both halves (a collection moves the
    // counts of one half into the other).
    for value in &values {
        histogram.observe(*value).unwrap();
    }
    histogram.native_buckets().unwrap();
    for value in &values {
        histogram.observe(*value).unwrap();
    }
    let made = allocations(|| {
        for _ in 0..100 {
            for value in &values {
                histogram.observe(*value).unwrap();
            }
        }
    });
    assert_eq!(made, 0);
    assert_eq!(histogram.count(), 102 * values.len() as u64);
}

#[test]
fn counters_and_classic_histograms_update_without_allocating() {
    let counter = CounterFamily::new(Opts::new("requests", "h").labels(&["code"])).unwrap();
    let child = counter.with_label_values(&["200"]).unwrap();
    let histogram = HistogramFamily::new(Opts::new("size", "h")).unwrap();
    let series = histogram.with_label_values::<&str>(&[]).unwrap();
    let made = allocations(|| {
        for value in values() {
            child.inc_one();
            series.observe(value).unwrap();
        }
    });
    // `values()` itself allocates its vector once.
    assert_eq!(made, 1);
}
