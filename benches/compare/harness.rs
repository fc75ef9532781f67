//! The timing harness: calibrated batches, interleaved contestants, medians.
//!
//! Every contestant of a row runs the same operation. A sample is one batch of `iters` calls,
//! timed as a whole; batches are sized so that one takes about [`Settings::batch`], which makes
//! the clock's own cost and resolution negligible. Samples of all contestants are interleaved
//! (round-robin, starting with a different contestant each round), so a burst of load from other
//! processes on this shared machine hits every contestant alike, and ratios measured in one run
//! stay meaningful even when absolute numbers drift. Each figure is the median of the samples.
//!
//! In smoke mode every contestant runs its operation once (a batch of one), nothing is timed
//! meaningfully, and the harness only proves that every row still builds and runs.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// How long and how often to measure.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// One iteration each, no calibration: the harness's own test.
    pub smoke: bool,
    /// Samples per contestant for per-call rows.
    pub samples: usize,
    /// Target duration of one batch.
    pub batch: Duration,
    /// Samples per contestant for thread-throughput rows.
    pub thread_samples: usize,
    /// Increments per thread per throughput sample.
    pub thread_ops: u64,
}

impl Settings {
    pub fn full() -> Self {
        Settings {
            smoke: false,
            samples: 101,
            batch: Duration::from_micros(500),
            thread_samples: 15,
            thread_ops: 4_000_000,
        }
    }

    pub fn smoke() -> Self {
        Settings {
            smoke: true,
            samples: 1,
            batch: Duration::ZERO,
            thread_samples: 1,
            thread_ops: 1,
        }
    }
}

/// A contestant of a per-call row: runs the operation `iters` times.
pub type Op<'a> = Box<dyn FnMut(u64) + 'a>;

pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Finds how many iterations fill one batch: doubling until a batch takes `target`.
fn calibrate(op: &mut Op<'_>, target: Duration) -> u64 {
    let mut iters = 1u64;
    loop {
        let start = Instant::now();
        op(iters);
        let elapsed = start.elapsed();
        if elapsed >= target || iters >= 1 << 40 {
            // Scale to the target from the last measurement.
            let per = elapsed.as_secs_f64() / iters as f64;
            return ((target.as_secs_f64() / per.max(1e-12)) as u64).max(1);
        }
        iters = if elapsed < target / 16 {
            iters * 8
        } else {
            iters * 2
        };
    }
}

/// Median nanoseconds per call of each contestant.
pub fn per_call(settings: &Settings, contestants: &mut [(&'static str, Op<'_>)]) -> Vec<f64> {
    per_call_with(settings, contestants, false)
}

/// [`per_call`], optionally with one untimed call before each sample: for operations so long that
/// a batch is a single call (encoding 10k series), `warm` measures each contestant with its own
/// data in the caches, as back-to-back benchmarks (criterion's) do; without it, each sample
/// follows the other contestants' work and starts from cold caches, as a scrape every 15 s does.
pub fn per_call_with(
    settings: &Settings,
    contestants: &mut [(&'static str, Op<'_>)],
    warm: bool,
) -> Vec<f64> {
    let n = contestants.len();
    let iters: Vec<u64> = contestants
        .iter_mut()
        .map(|(_, op)| {
            if settings.smoke {
                1
            } else {
                // Warm up (caches, lazy initialisation, branch predictors), then calibrate.
                calibrate(op, settings.batch / 4);
                calibrate(op, settings.batch)
            }
        })
        .collect();
    let mut samples = vec![Vec::with_capacity(settings.samples); n];
    for round in 0..settings.samples {
        for k in 0..n {
            let i = (round + k) % n;
            let op = &mut contestants[i].1;
            if warm && !settings.smoke {
                op(1);
            }
            let start = Instant::now();
            op(iters[i]);
            let elapsed = start.elapsed();
            samples[i].push(elapsed.as_secs_f64() * 1e9 / iters[i] as f64);
        }
    }
    samples.iter_mut().map(|s| median(s)).collect()
}

/// A contestant of a throughput row: runs `ops` increments on the shared metric.
pub type ThreadOp = Arc<dyn Fn(u64) + Send + Sync>;

/// Median throughput (million operations per second, all threads together) of each contestant
/// with `threads` threads updating one metric.
pub fn throughput(
    settings: &Settings,
    threads: usize,
    contestants: &[(&'static str, ThreadOp)],
) -> Vec<f64> {
    let n = contestants.len();
    let mut samples = vec![Vec::new(); n];
    let ops = settings.thread_ops;
    let rounds = if settings.smoke {
        settings.thread_samples
    } else {
        settings.thread_samples + 1
    };
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let op = contestants[i].1.clone();
            let barrier = Arc::new(Barrier::new(threads + 1));
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let op = op.clone();
                    let barrier = barrier.clone();
                    std::thread::spawn(move || {
                        barrier.wait();
                        op(ops);
                    })
                })
                .collect();
            barrier.wait();
            let start = Instant::now();
            for worker in workers {
                worker.join().expect("benchmark thread panicked");
            }
            let elapsed = start.elapsed().as_secs_f64();
            // The first round only warms up.
            if settings.smoke || round > 0 {
                samples[i].push((threads as u64 * ops) as f64 / elapsed / 1e6);
            }
        }
    }
    samples.iter_mut().map(|s| median(s)).collect()
}

/// Bytes the C allocator has handed out and not taken back (`mallinfo2`): small blocks from the
/// arenas plus large `mmap`ed ones. Rust's global allocator here is the system `malloc`.
pub fn heap_in_use() -> usize {
    unsafe extern "C" {
        fn mallinfo2() -> MallInfo2;
    }
    #[repr(C)]
    struct MallInfo2 {
        arena: usize,
        ordblks: usize,
        smblks: usize,
        hblks: usize,
        hblkhd: usize,
        usmblks: usize,
        fsmblks: usize,
        uordblks: usize,
        fordblks: usize,
        keepcost: usize,
    }
    // SAFETY: glibc's mallinfo2 takes no arguments and returns the struct by value.
    let info = unsafe { mallinfo2() };
    info.uordblks + info.hblkhd
}
