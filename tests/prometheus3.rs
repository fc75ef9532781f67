//! End to end: a real Prometheus 3.16 scrapes native histograms from a C, a Python and a Go
//! program, each through protobuf (what `scrape_native_histograms: true` asks for first) and
//! through OpenMetrics 2.0 (`--enable-feature=openmetrics2`, `scrape_protocols:
//! [OpenMetricsText2.0.0]`), and its query API must answer `histogram_count`, `histogram_sum`
//! and `histogram_quantile(0.5, …)` for what the programs observed.
//!
//! Each program observes 1 ms, 2 ms, ... 1000 ms in a native histogram with bucket factor 1.1
//! (schema 3: buckets grow by 2^(1/8) ≈ 1.09), so the median is 0.5 s and Prometheus's estimate
//! must lie within one bucket's growth of it.

mod support;
use support::c as common;
use support::prometheus::{PrometheusServer, prometheus3, sample_value};

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Link, build_c, root};

/// The growth of one bucket at schema 3.
const BUCKET_GROWTH: f64 = 1.090_507_732_665_257_7;

/// A program serving its exporter, stopped (stdin closed, then killed) on drop.
struct Target {
    child: Child,
    port: u16,
}

impl Target {
    /// Runs `command` and waits for the `port N` line it prints once it serves.
    fn start(mut command: Command, what: &str) -> Target {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {what} program: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .strip_prefix("port ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the {what} program printed {line:?}, not its port"));
        Target { child, port }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let began = Instant::now();
        while began.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn c_program() -> Target {
    let binary = build_c(
        "prometheus3_native",
        &[root().join("tests/prometheus3/native.c")],
        Link::Static,
    );
    Target::start(Command::new(binary), "C")
}

/// The Python binding from this tree, on the shared library this test run built.
fn python_program() -> Target {
    let mut command = Command::new("python3");
    command
        .arg(root().join("tests/prometheus3/native.py"))
        .env("PYTHONPATH", root().join("bindings/python"))
        .env("PROMETHEUS_EMULATOR_LIB", common::shared_lib());
    Target::start(command, "Python")
}

/// The Go binding's example, linked (through a pkg-config file written here) with the static
/// library this test run built.
fn go_program(dir: &Path) -> Target {
    let pc = dir.join("prometheus_emulator.pc");
    std::fs::write(
        &pc,
        format!(
            "Name: prometheus_emulator\nDescription: this test's build\nVersion: 0\n\
             Cflags: -I{}\nLibs: {} -lpthread -ldl -lm\n",
            root().join("include").display(),
            common::static_lib().display()
        ),
    )
    .unwrap();
    let binary = dir.join("nativehistogram");
    let mut build = Command::new("go");
    build
        .current_dir(root().join("bindings/go"))
        .args(["build", "-tags", "promemu_pkgconfig", "-o"])
        .arg(&binary)
        .arg("./examples/nativehistogram")
        .env("PKG_CONFIG_PATH", dir);
    common::run(build, "building the Go program");
    Target::start(Command::new(binary), "Go")
}

/// Two scrape jobs per target: protobuf and OpenMetrics 2.0.
fn scrape_configs(targets: &[(&str, u16)]) -> String {
    let mut config = String::new();
    for (name, port) in targets {
        for (protocol, job) in [
            ("PrometheusProto", "protobuf"),
            ("OpenMetricsText2.0.0", "om2"),
        ] {
            config.push_str(&format!(
                "  - job_name: {name}_{job}\n    scrape_native_histograms: true\n    \
                 scrape_protocols: [{protocol}]\n    static_configs:\n      \
                 - targets: ['127.0.0.1:{port}']\n"
            ));
        }
    }
    config
}

#[test]
fn prometheus_3_reads_native_histograms_from_c_python_and_go() {
    let Some(prometheus) = prometheus3() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let targets = [
        ("c", c_program()),
        ("python", python_program()),
        ("go", go_program(dir.path())),
    ];
    let ports: Vec<(&str, u16)> = targets.iter().map(|(n, t)| (*n, t.port)).collect();
    let mut server = PrometheusServer::start(
        &prometheus,
        dir.path(),
        &scrape_configs(&ports),
        &["--enable-feature=openmetrics2"],
    );
    server.wait_until_targets_up(2 * targets.len());
    // Every job has stored its native histogram (a scrape after `up` may still be in flight).
    let began = Instant::now();
    let query = "histogram_count(request_latency_seconds)";
    while server.query(query).map_or(0, |r| r.len()) < 2 * targets.len() {
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "{query}: {:?}\n{}",
            server.query(query),
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for (name, _) in &targets {
        for job in ["protobuf", "om2"] {
            let selector = format!("request_latency_seconds{{job=\"{name}_{job}\"}}");
            assert_eq!(
                server.value(&format!("histogram_count({selector})")),
                1000.0,
                "{name} {job}"
            );
            let sum = server.value(&format!("histogram_sum({selector})"));
            assert!((sum - 500.5).abs() < 1e-6, "{name} {job}: sum {sum}");
            let median = server.value(&format!("histogram_quantile(0.5, {selector})"));
            assert!(
                (0.5 / BUCKET_GROWTH..=0.5 * BUCKET_GROWTH).contains(&median),
                "{name} {job}: median {median}"
            );
            // A native histogram, not classic buckets: no `_bucket` series were stored.
            let buckets = server
                .query(&format!(
                    "request_latency_seconds_bucket{{job=\"{name}_{job}\"}}"
                ))
                .unwrap();
            assert!(buckets.is_empty(), "{name} {job}: {buckets:?}");
        }
    }
    let scraped: Vec<f64> = server
        .query("scrape_samples_scraped")
        .unwrap()
        .iter()
        .map(sample_value)
        .collect();
    assert_eq!(scraped.len(), 2 * targets.len());
    drop(targets);
}
