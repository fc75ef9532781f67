//! Stop joins every thread the exporter started (event loop, workers, collector threads): after
//! it returns, no exporter thread exists,
//! which is what lets a host `dlclose()` the library. Its own test binary, so no other test's
//! exporter threads are counted.

mod support;
use support::exporter as exporter_support;

use std::io::Write;
use std::time::{Duration, Instant};

use prometheus_emulator::exporter::ExporterOptions;

use exporter_support::*;

/// Threads of this process whose name starts with `pe-exporter` (Linux truncates names to 15
/// bytes, which keeps the prefix).
fn exporter_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc is mounted")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with("pe-exporter"))
        .count()
}

/// Waits (briefly) until `exporter_threads()` is `expected`, and returns the last count. A new
/// thread names itself once it runs, and a joined thread's /proc entry goes a moment after
/// `pthread_join` returns (the kernel wakes the joiner before it reaps the thread), so counts
/// are polled; `tests/exporter_ffi.rs` proves the joins strictly, by unmapping the library.
fn settle(expected: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let count = exporter_threads();
        if count == expected || Instant::now() > deadline {
            return count;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn stop_and_drop_join_every_thread() {
    assert_eq!(
        exporter_threads(),
        0,
        "no thread exists before an exporter starts"
    );
    let first = start(sample_registry());
    let second = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(sample_registry())
            .workers(2),
    );
    assert_eq!(settle((1 + 4) + (1 + 2)), (1 + 4) + (1 + 2));

    // Clients in every state: mid-head, idle, silent.
    let mut partial = connect(first.local_addr());
    partial.write_all(b"GET /metrics HTTP/1.1\r\n").unwrap();
    let mut idle = connect(second.local_addr());
    idle.write_all(&get_request("/metrics", "")).unwrap();
    read_response(&mut idle, false).unwrap();
    let _silent = connect(second.local_addr());
    std::thread::sleep(Duration::from_millis(50));

    first.stop();
    assert_eq!(
        exporter_threads(),
        1 + 2,
        "stop joined the first exporter's threads"
    );
    drop(second);
    assert_eq!(
        exporter_threads(),
        0,
        "drop joined the second exporter's threads"
    );

    // Collector threads start with the first scrape under a deadline, one per collector at
    // once, and stop joins them, once the collector that overran has returned.
    let slow = SlowCollector::new("threads_slow", false);
    let registry = sample_registry();
    registry
        .register(SlowCollector::new("threads_fast", true))
        .unwrap();
    let third = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(registry.clone())
            .workers(1)
            .collector_threads(2),
    );
    let without_deadline = get_request("/metrics", "Connection: close\r\n");
    raw_exchange(third.local_addr(), &without_deadline, false);
    assert_eq!(
        settle(1 + 1),
        1 + 1,
        "no collector thread without a deadline"
    );
    registry.register(slow.clone()).unwrap();
    let with_deadline = get_request(
        "/metrics",
        "Connection: close\r\nX-Prometheus-Scrape-Timeout-Seconds: 0.5\r\n",
    );
    assert_eq!(
        raw_exchange(third.local_addr(), &with_deadline, false).status,
        200
    );
    assert_eq!(settle(1 + 1 + 2), 1 + 1 + 2);
    raw_exchange(third.local_addr(), &with_deadline, false);
    assert_eq!(
        exporter_threads(),
        1 + 1 + 2,
        "no more than collector_threads"
    );
    slow.release();
    third.stop();
    assert_eq!(settle(0), 0, "stop joined the collector threads");
}
