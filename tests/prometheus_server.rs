//! End to end: a real Prometheus server (Debian's `prometheus`) scrapes the exporter, and its
//! HTTP API must report `up == 1` and exactly the values we exposed: a labelled counter, a gauge,
//! histogram buckets.
//!
//! Prometheus 2.x asks for OpenMetrics first (and gzip), so this also proves the OpenMetrics
//! output is what Prometheus's own parser accepts. The server runs on a free loopback port with
//! a generated configuration (scrape interval 1 s) and a temporary storage directory, and is
//! killed and reaped even when the test fails.

mod support;
use support::exporter as exporter_support;
use support::prometheus::{PrometheusServer, sample_value};

use prometheus_emulator::exposition::{Format, encode_text};

use exporter_support::*;

#[test]
fn prometheus_scrapes_the_exporter() {
    let registry = sample_registry();
    let exporter = start(registry.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut prometheus = PrometheusServer::debian(dir.path(), exporter.port());
    prometheus.wait_until_up();

    assert_eq!(
        prometheus.value(r#"http_requests_total{method="GET",code="200"}"#),
        7.0
    );
    assert_eq!(
        prometheus.value(r#"http_requests_total{method="POST",code="500"}"#),
        2.0
    );
    assert_eq!(prometheus.value("temperature_celsius"), 21.5);

    // Observations 0.05, 0.3, 0.3, 0.7, 2 in buckets 0.1, 0.5, 1.
    let buckets = prometheus.query("request_duration_seconds_bucket").unwrap();
    let mut by_bound: Vec<(f64, f64)> = buckets
        .iter()
        .map(|b| {
            let le = b["metric"]["le"].as_str().unwrap();
            let bound = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().unwrap()
            };
            (bound, sample_value(b))
        })
        .collect();
    by_bound.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(
        by_bound,
        [(0.1, 1.0), (0.5, 3.0), (1.0, 4.0), (f64::INFINITY, 5.0)]
    );
    assert_eq!(prometheus.value("request_duration_seconds_count"), 5.0);
    assert!((prometheus.value("request_duration_seconds_sum") - 3.35).abs() < 1e-9);

    // Only OpenMetrics carries `_created` samples, which Prometheus 2.x stores as series of
    // their own: their presence shows the scrape negotiated OpenMetrics.
    let created = prometheus.value(r#"http_requests_created{method="GET",code="200"}"#);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!((now - 600.0..=now + 1.0).contains(&created), "{created}");
    // Prometheus read every sample of the OpenMetrics exposition.
    let exposed = encode_text(&registry.gather(), Format::OpenMetrics)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count();
    assert_eq!(prometheus.value("scrape_samples_scraped"), exposed as f64);
}
