//! A family's cardinality cap holds: exactly under 8 threads racing to create series, and in
//! memory when a million distinct label sets are offered; and a family with an idle TTL that
//! creates a million series keeps only the recent ones (a counting allocator measures the heap
//! in use, as live bytes).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Arc, Barrier};

use prometheus_emulator::metric::limits::series_dropped;
use std::time::Duration;

use prometheus_emulator::metric::{ManualClock, OVERFLOW_VALUE, Overflow};
use prometheus_emulator::{CounterFamily, Error, Opts, default_registry};

struct Live;

/// Bytes allocated and not yet freed, by every thread.
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator; the count is an atomic.
unsafe impl GlobalAlloc for Live {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Live = Live;

const THREADS: usize = 8;

/// The heap count is process-wide: the tests take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn capped(name: &str, max: usize, overflow: Overflow) -> CounterFamily {
    CounterFamily::new(
        Opts::new(name, "h")
            .labels(&["id"])
            .max_series(max)
            .overflow(overflow),
    )
    .unwrap()
}

fn dropped(family: &str) -> f64 {
    series_dropped()
        .get(&[family])
        .unwrap()
        .map_or(0.0, |counter| counter.get())
}

#[test]
fn the_cap_holds_exactly_under_racing_threads() {
    let _serial = serial();
    for overflow in [Overflow::Fold, Overflow::Refuse] {
        let name = format!("race_{overflow:?}").to_lowercase();
        let family = Arc::new(capped(&name, 100, overflow));
        let barrier = Arc::new(Barrier::new(THREADS));
        let refused: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|thread| {
                    let (family, barrier) = (family.clone(), barrier.clone());
                    scope.spawn(move || {
                        barrier.wait();
                        let mut refused = 0;
                        for i in 0..1000 {
                            let id = (thread * 1000 + i).to_string();
                            match family.apply(&[id.as_str()], |c| c.inc_one()) {
                                Ok(()) => {}
                                Err(Error::Cardinality { max: 100, .. }) => refused += 1,
                                Err(other) => panic!("{other}"),
                            }
                        }
                        refused
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        let offered = THREADS * 1000;
        let kept: f64 = family.collect_family().points.len() as f64;
        match overflow {
            Overflow::Fold => {
                assert_eq!(kept, 101.0, "100 series and the overflow one");
                let folded = family.get(&[OVERFLOW_VALUE]).unwrap().unwrap().get();
                assert_eq!(folded, (offered - 100) as f64);
                assert_eq!(refused, 0);
            }
            Overflow::Refuse => {
                assert_eq!(kept, 100.0);
                assert_eq!(refused, offered - 100);
            }
        }
        assert_eq!(dropped(&name), (offered - 100) as f64);
    }
}

#[test]
fn a_million_label_sets_leave_the_heap_at_the_caps_worth() {
    let _serial = serial();
    const CAP: usize = 1000;
    const OFFERED: usize = 1_000_000;
    let family = capped("million", CAP, Overflow::Fold);
    // Touch the self-metric's child first, so that its one allocation is not counted.
    family.apply(&["warm"], |c| c.inc_one()).unwrap();
    family.remove(&["warm"]).unwrap();
    let before = LIVE.load(Ordering::Relaxed);
    for i in 0..CAP {
        family
            .apply(&[i.to_string().as_str()], |c| c.inc_one())
            .unwrap();
    }
    let at_cap = LIVE.load(Ordering::Relaxed) - before;
    let mut id = String::new();
    for i in CAP..OFFERED {
        id.clear();
        id.push_str(itoa::Buffer::new().format(i));
        family.apply(&[id.as_str()], |c| c.inc_one()).unwrap();
    }
    let after = LIVE.load(Ordering::Relaxed) - before;
    let per_series = at_cap as f64 / CAP as f64;
    eprintln!(
        "{CAP} series: {at_cap} B ({per_series:.0} B each); after {OFFERED} label sets offered: \
         {after} B"
    );
    // The overflow series and the self-metric's child for this family, and nothing per offer.
    assert!(
        after - at_cap < 4096,
        "the heap grew by {} B past the cap",
        after - at_cap
    );
    assert_eq!(family.collect_family().points.len(), CAP + 1);
    assert_eq!(dropped("million"), (OFFERED - CAP) as f64);
}

#[test]
fn the_self_metric_is_in_the_default_registry() {
    let _serial = serial();
    let family = capped("self_metric", 0, Overflow::Refuse);
    assert!(family.with_label_values(&["x"]).is_err());
    let families = default_registry().gather();
    let dropped = families
        .iter()
        .find(|f| &*f.name == "prometheus_emulator_series_dropped")
        .expect("registered");
    assert!(
        dropped
            .points
            .iter()
            .any(|p| p.labels.get("family") == Some("self_metric"))
    );
}

#[test]
fn a_million_series_under_a_ttl_leave_the_heap_at_the_live_ones_worth() {
    let _serial = serial();
    const PER_SECOND: usize = 1000;
    const SECONDS: usize = 1000;
    const TTL: u64 = 10;
    const SCRAPE_EVERY: usize = 5;
    let clock = ManualClock::at(1_000_000.0);
    let family = CounterFamily::new(
        Opts::new("expiring", "h")
            .labels(&["id"])
            .series_ttl(Duration::from_secs(TTL))
            .expiry_clock(clock.clone()),
    )
    .unwrap();
    let before = LIVE.load(Ordering::Relaxed);
    let mut peak = 0;
    let mut peak_series = 0;
    let mut id = String::new();
    for second in 0..SECONDS {
        for i in 0..PER_SECOND {
            id.clear();
            id.push_str(itoa::Buffer::new().format(second * PER_SECOND + i));
            family.apply(&[id.as_str()], |c| c.inc_one()).unwrap();
        }
        if second % SCRAPE_EVERY == 0 {
            drop(family.collect_family());
        }
        peak = peak.max(LIVE.load(Ordering::Relaxed) - before);
        peak_series = peak_series.max(family.len());
        clock.advance(Duration::from_secs(1));
    }
    // Idle for two TTLs, scraped: everything goes.
    for _ in 0..3 {
        clock.advance(Duration::from_secs(TTL));
        drop(family.collect_family());
    }
    let after = LIVE.load(Ordering::Relaxed) - before;
    eprintln!(
        "{} series made, {PER_SECOND}/s, TTL {TTL} s, scraped every {SCRAPE_EVERY} s: at most \
         {peak_series} alive, peak heap {peak} B ({:.0} B per live series); after idling: {after} \
         B, {} series",
        PER_SECOND * SECONDS,
        peak as f64 / peak_series as f64,
        family.len()
    );
    // Alive at most: the last TTL's series, those the last scrape had not yet seen idle, and
    // one scrape interval more.
    assert!(peak_series <= PER_SECOND * (TTL as usize + 2 * SCRAPE_EVERY + 1));
    assert!(peak < (400 * PER_SECOND * (TTL as usize + 2 * SCRAPE_EVERY + 1)) as isize);
    assert_eq!(family.len(), 0);
    // Nothing per series is left (8 B in a release run alone); the allowance is for what the test
    // harness allocates meanwhile for the other tests of this file, which the count includes.
    assert!(after < 64 << 10, "{after} B left");
}
