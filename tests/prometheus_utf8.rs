//! End to end: OpenTelemetry-style names (`app.requests_total`, label `http.method`) scraped by
//! both generations of Prometheus from one exporter, each in the form it asked for.
//!
//! Prometheus 3.16 with its default scrape protocols asks for OpenMetrics 1.0 with
//! `escaping=allow-utf-8` and stores the names as they are: `{"app.requests_total"}` answers
//! over its query API. Prometheus 2.42 cannot read UTF-8 names and sends no `escaping`, so it gets
//! them escaped with underscores (`app_requests_total{http_method="GET"}`), values intact. A
//! legacy-named series beside them reads the same in both.

mod support;
use support::exporter as exporter_support;
use support::prometheus::{PrometheusServer, prometheus3, sample_value};

use std::sync::Arc;

use prometheus_emulator::{Counter, Family, Gauge, Histogram, HistogramConfig, Opts, Registry};

fn registry() -> Arc<Registry> {
    let registry = Arc::new(Registry::new());
    let requests = Arc::new(
        Family::<Counter>::new(
            Opts::new("app.requests_total", "Requests.").labels(&["http.method"]),
        )
        .unwrap(),
    );
    requests
        .with_label_values(&["GET"])
        .unwrap()
        .inc(7.0)
        .unwrap();
    requests
        .with_label_values(&["POST"])
        .unwrap()
        .inc(2.0)
        .unwrap();
    registry.register(requests).unwrap();

    let temperature =
        Arc::new(Family::<Gauge>::new(Opts::new("room.temperature", "Degrees.")).unwrap());
    temperature
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(21.5)
        .unwrap();
    registry.register(temperature).unwrap();

    let duration = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("http.server.request.duration", "Latency.")
                .unit("seconds")
                .labels(&["url.scheme"]),
            HistogramConfig::new(&[0.1, 1.0]).unwrap(),
        )
        .unwrap(),
    );
    let https = duration.with_label_values(&["https"]).unwrap();
    for value in [0.05, 0.5, 0.5, 3.0] {
        https.observe(value).unwrap();
    }
    registry.register(duration).unwrap();

    let legacy = Arc::new(Family::<Counter>::new(Opts::new("legacy_jobs_total", "Jobs.")).unwrap());
    legacy
        .with_label_values::<&str>(&[])
        .unwrap()
        .inc(5.0)
        .unwrap();
    registry.register(legacy).unwrap();
    registry
}

/// Bucket counts by bound, sorted.
fn buckets(prometheus: &PrometheusServer, query: &str) -> Vec<(String, f64)> {
    let mut buckets: Vec<(String, f64)> = prometheus
        .query(query)
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["metric"]["le"].as_str().unwrap().to_owned(),
                sample_value(b),
            )
        })
        .collect();
    buckets.sort_by(|a, b| a.0.cmp(&b.0));
    buckets
}

fn expected_buckets() -> Vec<(String, f64)> {
    vec![
        ("+Inf".into(), 4.0),
        ("0.1".into(), 1.0),
        ("1.0".into(), 3.0),
    ]
}

#[test]
fn prometheus_3_keeps_utf8_names_and_prometheus_2_gets_them_escaped() {
    let Some(prometheus3) = prometheus3() else {
        return;
    };
    let exporter = exporter_support::start(registry());
    let port = exporter.port();

    let dir3 = tempfile::tempdir().unwrap();
    let scrape =
        format!("  - job_name: utf8\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n");
    let mut modern = PrometheusServer::start(&prometheus3, dir3.path(), &scrape, &[]);
    let dir2 = tempfile::tempdir().unwrap();
    let mut legacy = PrometheusServer::debian(dir2.path(), port);
    modern.wait_until_up();
    legacy.wait_until_up();

    assert_eq!(
        modern.value(r#"{"app.requests_total", "http.method"="GET"}"#),
        7.0
    );
    assert_eq!(
        modern.value(r#"{"app.requests_total", "http.method"="POST"}"#),
        2.0
    );
    assert_eq!(modern.value(r#"{"room.temperature"}"#), 21.5);
    assert_eq!(
        buckets(
            &modern,
            r#"{"http.server.request.duration_seconds_bucket", "url.scheme"="https"}"#
        ),
        expected_buckets()
    );
    assert_eq!(
        modern.value(r#"{"http.server.request.duration_seconds_count"}"#),
        4.0
    );
    assert_eq!(modern.value("legacy_jobs_total"), 5.0);
    // Nothing was escaped for the scraper that reads UTF-8.
    assert_eq!(
        modern.query("app_requests_total").unwrap(),
        Vec::<serde_json::Value>::new()
    );

    assert_eq!(
        legacy.value(r#"app_requests_total{http_method="GET"}"#),
        7.0
    );
    assert_eq!(
        legacy.value(r#"app_requests_total{http_method="POST"}"#),
        2.0
    );
    assert_eq!(legacy.value("room_temperature"), 21.5);
    assert_eq!(
        buckets(
            &legacy,
            r#"http_server_request_duration_seconds_bucket{url_scheme="https"}"#
        ),
        expected_buckets()
    );
    assert!((legacy.value("http_server_request_duration_seconds_sum") - 4.05).abs() < 1e-9);
    assert_eq!(legacy.value("legacy_jobs_total"), 5.0);
}
