//! End to end: a real Prometheus server (Debian's `prometheus`) scrapes the exporter, and its
//! HTTP API must report `up == 1` and exactly the values we exposed: a labelled counter, a gauge,
//! histogram buckets.
//!
//! Prometheus 2.x asks for OpenMetrics first (and gzip), so this also proves the OpenMetrics
//! output is what Prometheus's own parser accepts. The server runs on a free loopback port with
//! a generated configuration (scrape interval 1 s) and a temporary storage directory, and is
//! killed and reaped even when the test fails.

/// The exporter tests use ureq 2 (renamed: ureq 3 is the push client of the library itself).
use ureq2 as ureq;

mod support;
use support::exporter as exporter_support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use prometheus_emulator::exposition::{Format, encode_text};
use serde_json::Value;

use exporter_support::*;

const PROMETHEUS: &str = "/usr/bin/prometheus";
/// How long Prometheus may take to start and complete its first scrape.
const STARTUP_LIMIT: Duration = Duration::from_secs(30);

/// A running Prometheus server, killed and reaped on drop.
struct PrometheusServer {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl PrometheusServer {
    fn start(dir: &Path, target_port: u16) -> Self {
        let program = std::env::var("PROMETHEUS").unwrap_or_else(|_| PROMETHEUS.into());
        assert!(
            Path::new(&program).exists(),
            "`{program}` is missing: {MAKE_DEPS}"
        );
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
                 scrape_configs:\n  - job_name: exporter\n    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n"
            ),
        )
        .unwrap();
        let port = free_port();
        let log = dir.join("prometheus.log");
        let child = Command::new(&program)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e} ({MAKE_DEPS})"));
        PrometheusServer { child, port, log }
    }

    /// The end of the server's log, for failure messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Runs an instant query; the `data.result` array, or `None` if the server is not answering
    /// yet.
    fn query(&self, promql: &str) -> Option<Vec<Value>> {
        let url = format!(
            "http://127.0.0.1:{}/api/v1/query?query={}",
            self.port,
            encode_query(promql)
        );
        let body = ureq::get(&url)
            .timeout(Duration::from_secs(5))
            .call()
            .ok()?
            .into_string()
            .ok()?;
        let json: Value = serde_json::from_str(&body).expect("Prometheus answers JSON");
        assert_eq!(json["status"], "success", "{body}");
        Some(json["data"]["result"].as_array().unwrap().clone())
    }

    /// The single value a query returns.
    fn value(&self, promql: &str) -> f64 {
        let result = self.query(promql).expect("Prometheus answers");
        assert_eq!(result.len(), 1, "{promql}: {result:?}");
        sample_value(&result[0])
    }

    /// Waits until Prometheus has scraped the target successfully.
    fn wait_until_up(&mut self) {
        let began = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("Prometheus exited ({status}):\n{}", self.log_tail());
            }
            if let Some(result) = self.query("up") {
                if result.len() == 1 && sample_value(&result[0]) == 1.0 {
                    return;
                }
            }
            assert!(
                began.elapsed() < STARTUP_LIMIT,
                "up did not reach 1 within {STARTUP_LIMIT:?}:\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Percent-encodes a query parameter value.
fn encode_query(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The number in an instant-vector element: `{"metric": {...}, "value": [time, "12.5"]}`.
fn sample_value(element: &Value) -> f64 {
    element["value"][1]
        .as_str()
        .expect("value string")
        .parse()
        .expect("a number")
}

#[test]
fn prometheus_scrapes_the_exporter() {
    let registry = sample_registry();
    let exporter = start(registry.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut prometheus = PrometheusServer::start(dir.path(), exporter.port());
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
