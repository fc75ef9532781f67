//! Collection under a scrape deadline, over real HTTP: a scrape that sends
//! `X-Prometheus-Scrape-Timeout-Seconds` is answered within it with the families that were
//! ready and `prometheus_emulator_collector_timeout_total` counting the collector left out, which
//! is not started again until it returns; without the header collection is inline, as before.
//!
//! The slow collectors wait for a gate rather than sleep, so no assertion depends on timing:
//! each test releases them before stopping its exporter.

mod support;
use support::exporter as exporter_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use prometheus_emulator::exporter::{Exporter, ExporterError, ExporterOptions};
use prometheus_emulator::{CallbackMetric, Opts, Registry};

use exporter_support::*;

/// A scrape of `path` with these header lines; the answer's status and body.
fn scrape(exporter: &Exporter, path: &str, headers: &str) -> (u16, String) {
    let request = get_request(path, &format!("Connection: close\r\n{headers}"));
    let response = raw_exchange(exporter.local_addr(), &request, false);
    (response.status, response.text())
}

/// Prometheus's header for a scrape timeout of `seconds`.
fn timeout_header(seconds: &str) -> String {
    format!("X-Prometheus-Scrape-Timeout-Seconds: {seconds}\r\n")
}

fn timeout_line(collector: &str, count: u32) -> String {
    format!("\nprometheus_emulator_collector_timeout_total{{collector=\"{collector}\"}} {count}\n")
}

/// The sample registry, a fast callback gauge and a custom collector held until released.
fn registry_with(slow: &Arc<SlowCollector>) -> Arc<Registry> {
    let registry = sample_registry();
    let depth = CallbackMetric::gauge(Opts::new("queue_depth", "Items queued."), || 3.0).unwrap();
    registry.register(Arc::new(depth)).unwrap();
    registry.register(slow.clone()).unwrap();
    registry
}

#[test]
fn a_slow_collector_costs_its_families_not_the_scrape() {
    let slow = SlowCollector::new("deadline_slow_inventory", false);
    let exporter = start(registry_with(&slow));

    // A 1 s scrape timeout: the collectors get 0.5 s, the slow one holds on for 30.
    let (status, body) = scrape(&exporter, "/metrics", &timeout_header("1"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\ntemperature_celsius 21.5\n"), "{body}");
    assert!(body.contains("\nqueue_depth 3\n"), "{body}");
    assert!(body.contains(r#"http_requests_total{method="GET",code="200"} 7"#));
    assert!(!body.contains("deadline_slow_inventory 1"), "{body}");
    assert!(
        body.contains(&timeout_line("deadline_slow_inventory", 1)),
        "{body}"
    );
    // The normal order: families sorted by name.
    let position = |name: &str| body.find(&format!("# HELP {name} ")).unwrap();
    assert!(
        position("http_requests_total") < position("prometheus_emulator_collector_timeout_total")
    );
    assert!(position("prometheus_emulator_collector_timeout_total") < position("queue_depth"));

    // Still running: not started again, counted again; OpenMetrics as asked.
    let (status, body) = scrape(
        &exporter,
        "/metrics",
        &format!(
            "Accept: application/openmetrics-text; version=1.0.0\r\n{}",
            timeout_header("1")
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.ends_with("\n# EOF\n"), "{body}");
    assert!(body.contains("\nqueue_depth 3\n"), "{body}");
    assert!(body.contains(
        r#"prometheus_emulator_collector_timeout_total{collector="deadline_slow_inventory"} 2"#
    ));
    assert_eq!(slow.calls(), 1, "started again while running");
    assert!(
        slow.threads()[0].starts_with("pe-exporter-col"),
        "{:?}",
        slow.threads()
    );

    // Once it returns, its families are back and the count stays.
    slow.release();
    slow.wait_for_returns(1);
    let (status, body) = scrape(&exporter, "/metrics", &timeout_header("10"));
    assert_eq!(status, 200);
    assert!(body.contains("\ndeadline_slow_inventory 1\n"), "{body}");
    assert!(
        body.contains(&timeout_line("deadline_slow_inventory", 2)),
        "{body}"
    );
    assert_eq!(slow.calls(), 2);
    exporter.stop();
}

#[test]
fn name_filters_apply_under_a_deadline() {
    let slow = SlowCollector::new("deadline_filtered", false);
    let exporter = start(registry_with(&slow));
    let (status, body) = scrape(
        &exporter,
        "/metrics?name[]=temperature_celsius&name[]=deadline_filtered",
        &timeout_header("0.5"),
    );
    assert_eq!(status, 200);
    assert_eq!(
        body,
        "# HELP temperature_celsius Current temperature.\n# TYPE temperature_celsius gauge\n\
         temperature_celsius 21.5\n"
    );
    let (_, body) = scrape(
        &exporter,
        "/metrics?name[]=prometheus_emulator_collector_timeout_total",
        &timeout_header("0.5"),
    );
    assert!(
        body.starts_with("# HELP prometheus_emulator_collector_timeout_total "),
        "{body}"
    );
    assert!(
        body.contains(&timeout_line("deadline_filtered", 2)),
        "{body}"
    );
    slow.release();
    exporter.stop();
}

#[test]
fn without_the_header_collection_is_inline_as_before() {
    let collector = SlowCollector::new("deadline_inline", true);
    let exporter = start(registry_with(&collector));
    for headers in [
        "",
        "X-Prometheus-Scrape-Timeout-Seconds: soon\r\n",
        &timeout_header("0"),
    ] {
        let (status, body) = scrape(&exporter, "/metrics", headers);
        assert_eq!(status, 200);
        assert!(body.contains("\ndeadline_inline 1\n"), "{body}");
    }
    // Each on the worker that answered, none on a collector thread.
    let threads = collector.threads();
    assert_eq!(threads.len(), 3);
    assert!(
        threads.iter().all(|t| t.starts_with("pe-exporter-wor")),
        "{threads:?}"
    );
    // Under a deadline, a collector thread collects it.
    let (_, body) = scrape(&exporter, "/metrics", &timeout_header("10"));
    assert!(body.contains("\ndeadline_inline 1\n"), "{body}");
    assert!(collector.threads()[3].starts_with("pe-exporter-col"));
    exporter.stop();
}

#[test]
fn a_default_collection_timeout_covers_scrapes_without_the_header() {
    let slow = SlowCollector::new("deadline_default", false);
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(registry_with(&slow))
            .default_collection_timeout(Duration::from_millis(500))
            .max_collection_timeout(Duration::from_millis(500)),
    );
    let (status, body) = scrape(&exporter, "/metrics", "");
    assert_eq!(status, 200);
    assert!(body.contains("\nqueue_depth 3\n"), "{body}");
    assert!(
        body.contains(&timeout_line("deadline_default", 1)),
        "{body}"
    );
    // The maximum caps a long announced timeout: this scrape is answered too.
    let (status, body) = scrape(&exporter, "/metrics", &timeout_header("3600"));
    assert_eq!(status, 200);
    assert!(
        body.contains(&timeout_line("deadline_default", 2)),
        "{body}"
    );
    assert_eq!(slow.calls(), 1);
    slow.release();
    exporter.stop();
}

#[test]
fn stop_returns_once_the_overrunning_collector_has() {
    let slow = SlowCollector::new("deadline_stop", false);
    let exporter = start(registry_with(&slow));
    let (status, _) = scrape(&exporter, "/metrics", &timeout_header("0.5"));
    assert_eq!(status, 200);
    let stopped = Arc::new(AtomicBool::new(false));
    let stopper = {
        let (slow, stopped) = (slow.clone(), stopped.clone());
        std::thread::spawn(move || {
            exporter.stop();
            stopped.store(true, Ordering::SeqCst);
            // What had returned when stop did.
            slow.returned()
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !stopped.load(Ordering::SeqCst),
        "stop left a collector running"
    );
    slow.release();
    assert_eq!(stopper.join().unwrap(), 1);
}

#[test]
fn the_deadline_options_are_checked() {
    let refused = |options: ExporterOptions| match Exporter::start(options) {
        Err(ExporterError::InvalidOptions(what)) => what,
        other => panic!("accepted: {other:?}"),
    };
    let options = || ExporterOptions::new("127.0.0.1:0");
    assert!(refused(options().collector_threads(0)).contains("collector_threads"));
    assert!(refused(options().collector_threads(1025)).contains("collector_threads"));
    assert!(refused(options().default_collection_timeout(Duration::ZERO)).contains("collection"));
    assert!(refused(options().max_collection_timeout(Duration::ZERO)).contains("collection"));
    // No margin at all is a margin.
    start_with(options().scrape_timeout_margin(Duration::ZERO)).stop();
}
