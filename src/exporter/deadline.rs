//! Collection under a scrape deadline: custom collectors and callbacks are user code and can be
//! slow, so a scrape that says how long it may take (Prometheus sends
//! `X-Prometheus-Scrape-Timeout-Seconds`) collects them on threads of the exporter's own and
//! answers at its deadline with what has returned, rather than fail or hang.
//!
//! - **The budget** ([`DeadlinePolicy`]) is the scrape timeout less a margin (0.5 s by default,
//!   at most half the timeout, so that a 0.5 s timeout still leaves collectors 0.25 s), capped by
//!   the exporter's maximum if it has one. A request without the header (or with one that is not
//!   a positive number of seconds) gets the exporter's default collection timeout, and without
//!   one it is collected inline on the worker, exactly as before: no thread, no extra cost.
//! - **The live families** (every built-in `Family`) are rendered in place on the worker, as
//!   always: they take no user code and cannot overrun. Every other collector goes to the pool
//!   ([`CollectorPool`]), all of them at once, and the worker waits for them until the deadline.
//! - **A collector that has not returned by then** is left out of the answer, which otherwise is
//!   the usual one (same order, same format), and `prometheus_emulator_collector_timeout_total
//!   {collector="<its name>"}` counts one. Each scrape that goes without a collector's families
//!   counts once, so the counter's rate is the rate of incomplete scrapes, whether the collector
//!   is slow again or still stuck in the same call. The counter is the process's, in the default
//!   registry; an exporter serving a registry that does not hold it adds to its answer the
//!   series of the collectors it counted itself ([`OwnTimeouts`]), so that a private registry's
//!   timeouts show where it is scraped, and an exporter that never timed out answers as before.
//! - **A collector is never run twice at once by the pool.** While a run of it has not returned,
//!   a scrape that needs it waits for that same run (until its own deadline) rather than start
//!   another: an overrunning collector is not started again until it returns, and two scrapes at
//!   once (two Prometheus replicas) share one collection. Its result then reflects the moment
//!   that run began. A scrape without a deadline does not consult the pool and collects inline,
//!   as before; set a default collection timeout to put every scrape under the rule.
//! - **Threads** are started as scrapes need them, one per collector running at once, at most
//!   the exporter's `collector_threads` (8 by default), none before the first scrape under a
//!   deadline. They stay until stop. A collector stuck for good holds one of them; when all are
//!   held, the other collectors wait in the queue and time out like a slow one.
//! - **Stop** wakes the scrapes waiting here at once, then joins every pool thread, which means
//!   waiting for each collector still running to return: the exporter promises that none of its
//!   code runs once stop returns (so a host may `dlclose()` the library), and a thread that is
//!   still inside a collector cannot be ended from outside. A collector that never returns thus
//!   keeps stop from returning, as it would keep an inline scrape (and so the worker stop joins)
//!   from ending. A collector that stops the exporter itself runs on a pool thread, which cannot
//!   join itself: that one ends on its own as soon as the collector returns.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::collector::{Collector, Descriptor};
use crate::collectors::timeout::{collector_timeout_collector, collector_timeouts, count_timeout};
use crate::snapshot::MetricFamily;

/// The request header Prometheus sends with each scrape: its scrape timeout, in seconds.
pub(crate) const SCRAPE_TIMEOUT_HEADER: &str = "x-prometheus-scrape-timeout-seconds";

/// The longest budget: as good as none, and far enough from overflowing the clock whatever a
/// scraper sends (`1e19` seconds is a valid `Duration`, not a valid deadline).
const LONGEST_BUDGET: Duration = Duration::from_secs(365 * 24 * 3600);

/// How long a scrape may spend collecting, from the exporter's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DeadlinePolicy {
    /// Taken off the scrape timeout the scraper sends, for encoding and the network.
    pub margin: Duration,
    /// The budget of a scrape that sends no timeout; `None` collects it inline.
    pub default: Option<Duration>,
    /// The largest budget, whatever the scraper sends.
    pub max: Option<Duration>,
}

impl DeadlinePolicy {
    /// The collection budget of a request whose scrape-timeout header is `header`; `None` to
    /// collect inline, without a deadline.
    pub fn budget(&self, header: Option<&str>) -> Option<Duration> {
        let budget = match header.and_then(parse_timeout) {
            Some(timeout) => timeout - self.margin.min(timeout / 2),
            None => self.default?,
        };
        let max = self.max.unwrap_or(LONGEST_BUDGET).min(LONGEST_BUDGET);
        Some(budget.min(max))
    }
}

/// A scrape timeout as Prometheus writes it (`10`, `0.5`); `None` for anything but a positive,
/// finite number of seconds.
fn parse_timeout(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    if seconds > 0.0 {
        Duration::try_from_secs_f64(seconds).ok()
    } else {
        None
    }
}

/// Collects `collectors` on `pool` until `deadline`, for [`crate::registry::CollectAll`]: each
/// one's families, in order. The collector-timeout self-metric is collected last, on the
/// calling thread, so that it includes the timeouts of this very scrape.
pub(crate) fn collect_until(
    pool: &Arc<CollectorPool>,
    collectors: &[Arc<dyn Collector>],
    deadline: Instant,
) -> Vec<Vec<MetricFamily>> {
    let own: Arc<dyn Collector> = pool.own_timeouts.clone();
    let is_self_metric = |c: &Arc<dyn Collector>| {
        identity(c) == identity(collector_timeout_collector()) || identity(c) == identity(&own)
    };
    let others: Vec<Arc<dyn Collector>> = collectors
        .iter()
        .filter(|c| !is_self_metric(c))
        .cloned()
        .collect();
    let mut others = pool.collect_all(&others, deadline).into_iter();
    collectors
        .iter()
        .map(|collector| {
            if is_self_metric(collector) {
                let mut families = Vec::new();
                collector.collect(&mut families);
                families
            } else {
                others.next().unwrap_or_default()
            }
        })
        .collect()
}

fn identity(collector: &Arc<dyn Collector>) -> usize {
    Arc::as_ptr(collector) as *const () as usize
}

/// The series of `prometheus_emulator_collector_timeout_total` one exporter counted: what it adds
/// to the answer of a registry that does not hold the self-metric. Nothing until it counts one.
#[derive(Default)]
pub(crate) struct OwnTimeouts {
    /// The `collector` label values counted.
    names: Mutex<BTreeSet<String>>,
}

impl OwnTimeouts {
    fn names(&self) -> MutexGuard<'_, BTreeSet<String>> {
        self.names.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Collector for OwnTimeouts {
    fn describe(&self) -> Vec<Descriptor> {
        collector_timeouts().describe()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        let names = self.names();
        if names.is_empty() {
            return;
        }
        let mut families = Vec::new();
        collector_timeouts().collect(&mut families);
        for mut family in families {
            family.points.retain(|point| {
                point
                    .labels
                    .get("collector")
                    .is_some_and(|n| names.contains(n))
            });
            out.push(family);
        }
    }
}

/// The exporter's collector threads and the runs they work on (see the module docs).
pub(crate) struct CollectorPool {
    /// The self-metric's series this pool counted.
    pub own_timeouts: Arc<OwnTimeouts>,
    max_threads: usize,
    state: Mutex<State>,
    /// Signalled when a run is queued, and at stop.
    queued: Condvar,
    /// Signalled when a run returns, and at stop.
    finished: Condvar,
    /// Every thread started, joined by [`CollectorPool::join`].
    threads: Mutex<Vec<JoinHandle<()>>>,
}

#[derive(Default)]
struct State {
    /// The run of each collector queued or running, by the collector's identity: what a scrape
    /// joins instead of starting another.
    in_flight: HashMap<usize, Arc<Run>>,
    queue: VecDeque<Arc<Run>>,
    /// Threads waiting for a run.
    idle: usize,
    /// Threads started (or being started) and not ended.
    threads: usize,
    /// Scrapes waiting for runs to return.
    waiting: usize,
    stopping: bool,
}

/// One call of one collector's `collect`, shared by every scrape waiting for it.
struct Run {
    collector: Arc<dyn Collector>,
    /// Its families once it returned, `None` if it panicked; set under the pool's lock.
    result: OnceLock<Option<Vec<MetricFamily>>>,
}

impl Run {
    /// The families, moved out when no one else waits for them.
    fn take(self: Arc<Self>) -> Option<Option<Vec<MetricFamily>>> {
        match Arc::try_unwrap(self) {
            Ok(run) => run.result.into_inner(),
            Err(shared) => shared.result.get().cloned(),
        }
    }
}

thread_local! {
    /// On a pool thread, the address of its pool; 0 elsewhere. A plain integer with a const
    /// initialiser, so no thread-local destructor is registered (see `server::SERVING`).
    static COLLECTING: Cell<usize> = const { Cell::new(0) };
}

impl CollectorPool {
    /// A pool of at most `max_threads` threads, none started yet.
    pub fn new(max_threads: usize) -> Self {
        CollectorPool {
            own_timeouts: Arc::default(),
            max_threads: max_threads.max(1),
            state: Mutex::new(State::default()),
            queued: Condvar::new(),
            finished: Condvar::new(),
            threads: Mutex::new(Vec::new()),
        }
    }

    /// The lock is never held while user code runs, so a panic cannot poison it; should one
    /// happen anyway, the state is still consistent between statements.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Collects `collectors` on the pool's threads, waiting for them until `deadline` (or until
    /// stop begins): each one's families, in order, and nothing for one that had not returned
    /// (counted in the collector-timeout self-metric) or that panicked (not counted: it did not
    /// overrun, and a panic is the collector's bug to report).
    pub fn collect_all(
        self: &Arc<Self>,
        collectors: &[Arc<dyn Collector>],
        deadline: Instant,
    ) -> Vec<Vec<MetricFamily>> {
        if collectors.is_empty() {
            return Vec::new();
        }
        let (runs, spawn) = {
            let mut state = self.state();
            if state.stopping {
                return vec![Vec::new(); collectors.len()];
            }
            let State {
                in_flight, queue, ..
            } = &mut *state;
            let runs: Vec<Arc<Run>> = collectors
                .iter()
                .map(|collector| {
                    in_flight
                        .entry(identity(collector))
                        .or_insert_with(|| {
                            let run = Arc::new(Run {
                                collector: collector.clone(),
                                result: OnceLock::new(),
                            });
                            queue.push_back(run.clone());
                            run
                        })
                        .clone()
                })
                .collect();
            let wanted = state.queue.len().saturating_sub(state.idle);
            let spawn = wanted.min(self.max_threads.saturating_sub(state.threads));
            state.threads += spawn;
            (runs, spawn)
        };
        self.queued.notify_all();
        for _ in 0..spawn {
            self.spawn_thread();
        }

        let mut state = self.state();
        state.waiting += 1;
        while !state.stopping && runs.iter().any(|run| run.result.get().is_none()) {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            state = self
                .finished
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        state.waiting -= 1;
        let stopping = state.stopping;
        drop(state);
        runs.into_iter()
            .zip(collectors)
            .map(|(run, collector)| match run.take() {
                Some(families) => families.unwrap_or_default(),
                None => {
                    // At stop the answer is not sent: nothing overran.
                    if !stopping {
                        let name = collector.name();
                        count_timeout(&name);
                        self.own_timeouts.names().insert(name);
                    }
                    Vec::new()
                }
            })
            .collect()
    }

    /// Starts one thread, already counted in `State::threads`. On failure the count is given
    /// back: the queued runs wait for another thread (the next scrape tries again) or time out.
    fn spawn_thread(self: &Arc<Self>) {
        // Under the handles' lock, so that stop, which drains them under it after setting
        // `stopping`, cannot miss a thread started now.
        let mut threads = self.threads.lock().unwrap_or_else(|e| e.into_inner());
        let spawned = if self.state().stopping {
            None
        } else {
            let pool = self.clone();
            thread::Builder::new()
                .name(format!("pe-exporter-collector-{}", threads.len()))
                .spawn(move || pool.run_loop())
                .ok()
        };
        match spawned {
            Some(handle) => threads.push(handle),
            None => self.state().threads -= 1,
        }
    }

    /// A pool thread: takes queued runs one at a time until stop.
    fn run_loop(&self) {
        COLLECTING.set(self as *const CollectorPool as usize);
        let mut state = self.state();
        loop {
            if state.stopping {
                state.threads -= 1;
                return;
            }
            let Some(run) = state.queue.pop_front() else {
                state.idle += 1;
                state = self.queued.wait(state).unwrap_or_else(|e| e.into_inner());
                state.idle -= 1;
                continue;
            };
            drop(state);
            let families = panic::catch_unwind(AssertUnwindSafe(|| {
                let mut families = Vec::new();
                run.collector.collect(&mut families);
                families
            }))
            .ok();
            state = self.state();
            let _ = run.result.set(families);
            let id = identity(&run.collector);
            if state
                .in_flight
                .get(&id)
                .is_some_and(|current| Arc::ptr_eq(current, &run))
            {
                state.in_flight.remove(&id);
            }
            drop(run);
            self.finished.notify_all();
        }
    }

    /// The first half of stop: queued runs are dropped, waiting scrapes return at once, idle
    /// threads end; a thread inside a collector ends when the collector returns.
    pub fn begin_stop(&self) {
        let mut state = self.state();
        state.stopping = true;
        state.queue.clear();
        state.in_flight.clear();
        drop(state);
        self.queued.notify_all();
        self.finished.notify_all();
    }

    /// The second half of stop: joins every thread, waiting for the collectors still running to
    /// return (see the module docs), except the calling thread when it is one of the pool's (a
    /// collector that stops the exporter), which ends on its own once the collector returns.
    pub fn join(&self) {
        let on_own_thread = COLLECTING.get() == self as *const CollectorPool as usize;
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        for handle in threads {
            if !(on_own_thread && handle.thread().id() == thread::current().id()) {
                let _ = handle.join();
            }
        }
    }

    /// Threads started and not ended, for tests.
    #[cfg(test)]
    fn thread_count(&self) -> usize {
        self.state().threads
    }

    /// Scrapes waiting for runs, for tests.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.state().waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collector::Descriptor;
    use crate::collectors::timeout::{COLLECTOR_TIMEOUTS, collector_timeouts};
    use crate::snapshot::{LabelSet, MetricPoint, MetricType, PointValue};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn policy(margin_ms: u64, default_ms: Option<u64>, max_ms: Option<u64>) -> DeadlinePolicy {
        DeadlinePolicy {
            margin: Duration::from_millis(margin_ms),
            default: default_ms.map(Duration::from_millis),
            max: max_ms.map(Duration::from_millis),
        }
    }

    #[test]
    fn the_budget_is_the_scrape_timeout_less_the_margin() {
        let p = policy(500, None, None);
        assert_eq!(p.budget(Some("10")), Some(Duration::from_millis(9500)));
        assert_eq!(p.budget(Some(" 2.5 ")), Some(Duration::from_millis(2000)));
        // The margin is at most half the timeout.
        assert_eq!(p.budget(Some("0.5")), Some(Duration::from_millis(250)));
        assert_eq!(p.budget(Some("1")), Some(Duration::from_millis(500)));
        // No header, or one that is not a positive number of seconds: inline.
        for bad in [
            None,
            Some(""),
            Some("ten"),
            Some("0"),
            Some("-3"),
            Some("NaN"),
            Some("inf"),
        ] {
            assert_eq!(p.budget(bad), None, "{bad:?}");
        }
        assert_eq!(
            policy(0, None, None).budget(Some("3")),
            Some(Duration::from_secs(3))
        );
        // However large, a deadline the clock can hold.
        assert_eq!(p.budget(Some("1e19")), Some(LONGEST_BUDGET));
        assert_eq!(
            policy(0, Some(u64::MAX), None).budget(None),
            Some(LONGEST_BUDGET)
        );
    }

    #[test]
    fn the_default_applies_without_a_header_and_the_maximum_to_both() {
        let p = policy(500, Some(2000), Some(4000));
        assert_eq!(p.budget(None), Some(Duration::from_secs(2)));
        assert_eq!(p.budget(Some("nonsense")), Some(Duration::from_secs(2)));
        assert_eq!(p.budget(Some("3")), Some(Duration::from_millis(2500)));
        assert_eq!(p.budget(Some("60")), Some(Duration::from_secs(4)));
        assert_eq!(
            policy(500, Some(9000), Some(1000)).budget(None),
            Some(Duration::from_secs(1))
        );
    }

    /// A gauge family `name` whose collection blocks until the gate opens, counting its calls.
    struct Gated {
        name: &'static str,
        calls: AtomicUsize,
        open: Mutex<bool>,
        opened: Condvar,
    }

    impl Gated {
        fn new(name: &'static str, open: bool) -> Arc<Self> {
            Arc::new(Gated {
                name,
                calls: AtomicUsize::new(0),
                open: Mutex::new(open),
                opened: Condvar::new(),
            })
        }

        fn open(&self) {
            *self.open.lock().unwrap() = true;
            self.opened.notify_all();
        }
    }

    impl Collector for Gated {
        fn describe(&self) -> Vec<Descriptor> {
            vec![Descriptor::new(self.name, MetricType::Gauge)]
        }

        fn collect(&self, out: &mut Vec<MetricFamily>) {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let mut open = self.open.lock().unwrap();
            while !*open {
                open = self.opened.wait(open).unwrap();
            }
            out.push(MetricFamily {
                name: self.name.into(),
                help: "gated".into(),
                kind: MetricType::Gauge,
                unit: None,
                points: vec![MetricPoint {
                    labels: LabelSet::empty(),
                    value: PointValue::Gauge { value: 1.0 },
                    timestamp: None,
                }],
            });
        }
    }

    struct Panics;

    impl Collector for Panics {
        fn describe(&self) -> Vec<Descriptor> {
            vec![Descriptor::new("pool_tests_panics", MetricType::Gauge)]
        }

        fn collect(&self, _out: &mut Vec<MetricFamily>) {
            panic!("a collector's bug");
        }
    }

    fn timeouts_of(name: &str) -> f64 {
        collector_timeouts()
            .get(&[name])
            .unwrap()
            .map_or(0.0, |child| child.get())
    }

    fn names(results: &[Vec<MetricFamily>]) -> Vec<Vec<String>> {
        results
            .iter()
            .map(|families| families.iter().map(|f| f.name.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_slow_collector_is_left_out_counted_and_not_started_again_until_it_returns() {
        let pool = Arc::new(CollectorPool::new(4));
        let fast = Gated::new("pool_tests_fast", true);
        let slow = Gated::new("pool_tests_slow", false);
        let collectors: Vec<Arc<dyn Collector>> = vec![fast.clone(), slow.clone()];
        // Long enough for the fast one on a loaded machine; the slow one waits for its gate.
        let budget = || Instant::now() + Duration::from_secs(1);

        let first = pool.collect_all(&collectors, budget());
        assert_eq!(names(&first), [vec!["pool_tests_fast"], vec![]]);
        assert_eq!(timeouts_of("pool_tests_slow"), 1.0);

        // Still running: the next scrape waits for the same run, and misses it again.
        let second = pool.collect_all(&collectors, budget());
        assert_eq!(names(&second), [vec!["pool_tests_fast"], vec![]]);
        assert_eq!(slow.calls.load(Ordering::SeqCst), 1);
        assert_eq!(fast.calls.load(Ordering::SeqCst), 2);
        assert_eq!(timeouts_of("pool_tests_slow"), 2.0);

        // Once it returns, a scrape gets its families (from that run, or a new one).
        slow.open();
        let third = pool.collect_all(&collectors, Instant::now() + Duration::from_secs(60));
        assert_eq!(
            names(&third),
            [vec!["pool_tests_fast"], vec!["pool_tests_slow"]]
        );
        assert!(slow.calls.load(Ordering::SeqCst) <= 2);
        assert_eq!(timeouts_of("pool_tests_slow"), 2.0);
        assert!(pool.thread_count() <= 2);
        pool.begin_stop();
        pool.join();
        assert_eq!(pool.thread_count(), 0);
    }

    #[test]
    fn a_panicking_collector_is_left_out_without_a_timeout() {
        let pool = Arc::new(CollectorPool::new(2));
        let fast = Gated::new("pool_tests_beside_panics", true);
        let collectors: Vec<Arc<dyn Collector>> = vec![Arc::new(Panics), fast];
        // Both return long before the deadline, so the scrape does not wait for it.
        let results = pool.collect_all(&collectors, Instant::now() + Duration::from_secs(600));
        assert_eq!(names(&results), [vec![], vec!["pool_tests_beside_panics"]]);
        assert_eq!(timeouts_of("pool_tests_panics"), 0.0);
        pool.begin_stop();
        pool.join();
    }

    #[test]
    fn two_scrapes_at_once_share_one_run() {
        let pool = Arc::new(CollectorPool::new(2));
        let gated = Gated::new("pool_tests_shared", false);
        let collectors: Vec<Arc<dyn Collector>> = vec![gated.clone()];
        let scrapes: Vec<_> = (0..2)
            .map(|_| {
                let (pool, collectors) = (pool.clone(), collectors.clone());
                thread::spawn(move || {
                    pool.collect_all(&collectors, Instant::now() + Duration::from_secs(60))
                })
            })
            .collect();
        while pool.waiting() < 2 {
            thread::sleep(Duration::from_millis(1));
        }
        gated.open();
        for scrape in scrapes {
            assert_eq!(names(&scrape.join().unwrap()), [vec!["pool_tests_shared"]]);
        }
        assert_eq!(gated.calls.load(Ordering::SeqCst), 1);
        pool.begin_stop();
        pool.join();
    }

    #[test]
    fn stop_wakes_waiting_scrapes_and_joins_after_the_collector_returns() {
        let pool = Arc::new(CollectorPool::new(1));
        let gated = Gated::new("pool_tests_stop", false);
        let collectors: Vec<Arc<dyn Collector>> = vec![gated.clone()];
        let scrape = {
            let (pool, collectors) = (pool.clone(), collectors.clone());
            thread::spawn(move || {
                pool.collect_all(&collectors, Instant::now() + Duration::from_secs(600))
            })
        };
        while gated.calls.load(Ordering::SeqCst) == 0 {
            thread::sleep(Duration::from_millis(1));
        }
        pool.begin_stop();
        // The scrape returns without waiting its 600 s, and stop counts no timeout.
        assert_eq!(names(&scrape.join().unwrap()), [Vec::<String>::new()]);
        assert_eq!(timeouts_of("pool_tests_stop"), 0.0);
        // After stop began, nothing is started.
        assert_eq!(
            names(&pool.collect_all(&collectors, Instant::now())),
            [Vec::<String>::new()]
        );
        gated.open();
        pool.join();
        assert_eq!(pool.thread_count(), 0);
        assert_eq!(gated.calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_self_metric_is_collected_after_the_timeouts_it_counts() {
        let pool = Arc::new(CollectorPool::new(2));
        let slow = Gated::new("pool_tests_self_metric", false);
        let own: Arc<dyn Collector> = pool.own_timeouts.clone();
        let mut nothing = Vec::new();
        own.collect(&mut nothing);
        assert!(
            nothing.is_empty(),
            "an exporter that counted nothing adds nothing"
        );
        let collectors: Vec<Arc<dyn Collector>> =
            vec![collector_timeout_collector().clone(), slow.clone(), own];
        let results = collect_until(
            &pool,
            &collectors,
            Instant::now() + Duration::from_millis(30),
        );
        let labels = |families: &[MetricFamily]| -> Vec<String> {
            families
                .iter()
                .flat_map(|family| &family.points)
                .filter_map(|point| point.labels.get("collector").map(str::to_owned))
                .collect()
        };
        assert_eq!(
            results[0][0].name.as_ref(),
            COLLECTOR_TIMEOUTS.trim_end_matches("_total")
        );
        // The process's series include this one; the exporter's own hold only what it counted.
        assert!(labels(&results[0]).contains(&"pool_tests_self_metric".to_owned()));
        assert!(results[1].is_empty());
        assert_eq!(labels(&results[2]), ["pool_tests_self_metric"]);
        slow.open();
        pool.begin_stop();
        pool.join();
    }
}
