//! Eight threads, a million updates each, on every metric type: totals must be exact.

use std::sync::Arc;
use std::thread;

use prometheus_emulator::{
    CounterFamily, GaugeFamily, HistogramConfig, HistogramFamily, Opts, Registry, SummaryFamily,
};

const THREADS: usize = 8;
const UPDATES: usize = 1_000_000;

fn run_threads(work: impl Fn(usize) + Send + Sync + 'static) {
    let work = Arc::new(work);
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let work = work.clone();
            thread::spawn(move || work(t))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

#[test]
fn counter_bound_child_and_one_shot() {
    let family = Arc::new(CounterFamily::new(Opts::new("c_total", "h").labels(&["k"])).unwrap());
    let f = family.clone();
    run_threads(move |t| {
        let bound = f.with_label_values(&["bound"]).unwrap();
        let own = format!("t{t}");
        for i in 0..UPDATES {
            bound.inc_one();
            if i % 10 == 0 {
                f.apply(&[own.as_str()], |c| c.inc(2.0)).unwrap().unwrap();
            }
        }
    });
    let bound = family.with_label_values(&["bound"]).unwrap().get();
    assert_eq!(bound, (THREADS * UPDATES) as f64);
    assert_eq!(
        family.sum_over_children(|c| c.get()),
        (THREADS * UPDATES) as f64 + (THREADS * UPDATES / 10 * 2) as f64
    );
}

#[test]
fn gauge_inc_and_dec_balance() {
    let family = Arc::new(GaugeFamily::new(Opts::new("g", "h")).unwrap());
    let f = family.clone();
    run_threads(move |t| {
        let g = f.with_label_values::<&str>(&[]).unwrap();
        for _ in 0..UPDATES {
            if t % 2 == 0 {
                g.inc(3.0).unwrap();
            } else {
                g.dec(1.0).unwrap();
            }
        }
    });
    let expected = (THREADS / 2 * UPDATES) as f64 * 3.0 - (THREADS / 2 * UPDATES) as f64;
    assert_eq!(
        family.with_label_values::<&str>(&[]).unwrap().get(),
        expected
    );
}

#[test]
fn histogram_counts_every_observation_while_scraped() {
    let family = Arc::new(
        HistogramFamily::with_config(
            Opts::new("h", "h"),
            HistogramConfig::new(&[0.5, 1.5, 2.5]).unwrap(),
        )
        .unwrap(),
    );
    let registry = Arc::new(Registry::new());
    registry.register(family.clone()).unwrap();
    let scraper = {
        let family = family.clone();
        thread::spawn(move || {
            for _ in 0..200 {
                let snapshot = family.with_label_values::<&str>(&[]).unwrap().snapshot();
                assert_eq!(snapshot.cumulative.last(), Some(&snapshot.count));
            }
        })
    };
    let f = family.clone();
    run_threads(move |t| {
        let h = f.with_label_values::<&str>(&[]).unwrap();
        for i in 0..UPDATES {
            h.observe(((i + t) % 3) as f64).unwrap();
        }
    });
    scraper.join().unwrap();
    let total = (THREADS * UPDATES) as f64;
    assert_eq!(registry.get_sample_value("h_count", &[]), Some(total));
    assert_eq!(
        registry.get_sample_value("h_bucket", &[("le", "+Inf")]),
        Some(total)
    );
    let snapshot = family.with_label_values::<&str>(&[]).unwrap().snapshot();
    // Each thread observes 0, 1, 2 in turn: a third of everything lands in each finite bucket.
    let per_value: u64 = (0..THREADS)
        .map(|t| (0..UPDATES).filter(|i| (i + t) % 3 == 0).count() as u64)
        .sum();
    assert_eq!(snapshot.cumulative[0], per_value);
}

#[test]
fn summary_counts_and_sums_exactly() {
    let family = Arc::new(SummaryFamily::new(Opts::new("s", "h")).unwrap());
    let f = family.clone();
    run_threads(move |_| {
        let s = f.with_label_values::<&str>(&[]).unwrap();
        for _ in 0..UPDATES / 10 {
            s.observe(2.0).unwrap();
        }
    });
    let s = family.with_label_values::<&str>(&[]).unwrap();
    assert_eq!(s.count(), (THREADS * UPDATES / 10) as u64);
    assert_eq!(s.sum(), (THREADS * UPDATES / 10) as f64 * 2.0);
}
