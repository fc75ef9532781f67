//! End to end: real Prometheus servers (Debian's 2.42, and 3.16 when built) scrape, every second
//! with a 1 s scrape timeout, an exporter whose registry holds a collector that does not return
//! for 30 s. Prometheus sends `X-Prometheus-Scrape-Timeout-Seconds: 1`, so the exporter answers
//! within 0.5 s with the other families: the target stays `up`, the fast metrics are stored, the
//! slow collector's are not, `prometheus_emulator_collector_timeout_total` counts one per scrape,
//! and the slow collector ran once, not once per scrape.

mod support;
use support::exporter as exporter_support;
use support::prometheus::{PrometheusServer, prometheus3};

use std::path::Path;
use std::time::{Duration, Instant};

use exporter_support::*;

/// The scrape configuration of one target, as `PrometheusServer::debian` writes it.
fn one_target(port: u16) -> String {
    format!("  - job_name: exporter\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n")
}

/// Runs the scenario against the Prometheus `start` gives for the exporter's port.
fn a_slow_collector_keeps_the_target_up(
    collector: &str,
    start_prometheus: impl FnOnce(&Path, u16) -> PrometheusServer,
) {
    let slow = SlowCollector::new(collector, false);
    let registry = sample_registry();
    registry.register(slow.clone()).unwrap();
    let exporter = start(registry);
    let dir = tempfile::tempdir().unwrap();
    let mut prometheus = start_prometheus(dir.path(), exporter.port());
    prometheus.wait_until_up();

    // Three scrapes counted: each went without the slow collector, none failed.
    let counted =
        format!("prometheus_emulator_collector_timeout_total{{collector=\"{collector}\"}}");
    let began = Instant::now();
    loop {
        let result = prometheus
            .query(&format!("{counted} >= 3"))
            .unwrap_or_default();
        if result.len() == 1 {
            break;
        }
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "{counted}: {:?}, up: {:?}\n{}",
            prometheus.query(&counted),
            prometheus.query("up"),
            prometheus.log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(prometheus.value("up"), 1.0, "{}", prometheus.log_tail());
    assert_eq!(prometheus.value("temperature_celsius"), 21.5);
    assert_eq!(
        prometheus.value(r#"http_requests_total{method="GET",code="200"}"#),
        7.0
    );
    let stored = prometheus.query(collector).unwrap();
    assert!(stored.is_empty(), "{stored:?}");
    assert_eq!(slow.calls(), 1, "the slow collector was started again");

    slow.release();
    drop(prometheus);
    exporter.stop();
}

#[test]
fn prometheus_2_keeps_a_target_with_a_slow_collector_up() {
    a_slow_collector_keeps_the_target_up("p2_slow_inventory", |dir, port| {
        PrometheusServer::debian(dir, port)
    });
}

#[test]
fn prometheus_3_keeps_a_target_with_a_slow_collector_up() {
    let Some(program) = prometheus3() else {
        return;
    };
    a_slow_collector_keeps_the_target_up("p3_slow_inventory", |dir, port| {
        PrometheusServer::start(&program, dir, &one_target(port), &[])
    });
}
