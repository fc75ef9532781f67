//! End to end: the library's sender pushing to real Prometheus receivers, then the query API
//! reading back what the program recorded. From Rust (`sender::Sender` over a registry) and from
//! a C service (tests/remote_write/service.c, the C API): Remote Write 2.0 into a Prometheus 3.16
//! that takes both messages, the fallback to 1.0 against one that takes only
//! `prometheus.WriteRequest` (it answers 415 to 2.0), OTLP into 3.16's OTLP receiver, and Remote
//! Write 1.0 into Debian's 2.42.

mod support;
use support::c::{Link, build_c, root};
use support::prometheus::{PrometheusServer, prometheus3};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_emulator::exposition::remote::Protocol;
use prometheus_emulator::sender::{Sender, SenderOptions, SenderProtocol};
use prometheus_emulator::{
    Counter, Family, Gauge, Histogram, HistogramConfig, NativeConfig, Opts, Registry,
};

const WRITE_PATH: &str = "/api/v1/write";
const OTLP_PATH: &str = "/api/v1/otlp/v1/metrics";
const BOTH_MESSAGES: &[&str] = &[
    "--web.enable-remote-write-receiver",
    "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest",
    "--web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request",
];
const ONLY_1_0: &[&str] = &[
    "--web.enable-remote-write-receiver",
    "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest",
];
const OTLP_CONFIG: &str = "otlp:\n  translation_strategy: UnderscoreEscapingWithSuffixes\n";

fn url(server: &PrometheusServer, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", server.port())
}

/// Queries until the result is `want` or 20 s pass (a push is stored once it is answered, but a
/// query may still race the head block's append on a loaded machine).
fn eventually(server: &PrometheusServer, promql: &str, want: f64) {
    let began = Instant::now();
    loop {
        let got = server
            .query(promql)
            .and_then(|r| r.first().map(support::prometheus::sample_value));
        if got == Some(want) {
            return;
        }
        assert!(
            began.elapsed() < Duration::from_secs(20),
            "{promql} = {got:?}, want {want}\n{}",
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A registry as a Rust program keeps it: a labelled counter, a gauge and a native histogram.
struct Program {
    registry: Arc<Registry>,
    requests: Arc<Family<Counter>>,
    temperature: Arc<Gauge>,
    wait: Arc<Histogram>,
}

impl Program {
    fn new() -> Self {
        let registry = Arc::new(Registry::new());
        let requests = Arc::new(
            Family::<Counter>::new(Opts::new("requests", "Requests.").labels(&["code"])).unwrap(),
        );
        registry.register(requests.clone()).unwrap();
        let temperature_family =
            Arc::new(Family::<Gauge>::new(Opts::new("temperature", "Temperature.")).unwrap());
        registry.register(temperature_family.clone()).unwrap();
        let wait_family = Arc::new(
            Family::<Histogram>::with_config(
                Opts::new("wait_seconds", "Wait."),
                HistogramConfig::native(NativeConfig::new(1.1).unwrap()).unwrap(),
            )
            .unwrap(),
        );
        registry.register(wait_family.clone()).unwrap();
        Program {
            registry,
            requests,
            temperature: temperature_family.with_label_values::<&str>(&[]).unwrap(),
            wait: wait_family.with_label_values::<&str>(&[]).unwrap(),
        }
    }

    /// One round of updates: the counter grows by 3, the gauge is `round`, the histogram gets 4
    /// observations summing to 3.
    fn update(&self, round: u32) {
        self.requests
            .with_label_values(&["200"])
            .unwrap()
            .inc(3.0)
            .unwrap();
        self.temperature.set(f64::from(round)).unwrap();
        for value in [0.5, 0.5, 4.0, -2.0] {
            self.wait.observe(value).unwrap();
        }
    }
}

fn start(program: &Program, url: String, protocol: SenderProtocol, job: &str) -> Sender {
    let options = SenderOptions::new(url)
        .protocol(protocol)
        .interval(Duration::from_millis(50))
        .external_label("job", job)
        .external_label("instance", "rust:1")
        .resource_attribute("service.name", job)
        .resource_attribute("service.instance.id", "rust:1");
    Sender::start(Some(program.registry.clone()), options).unwrap()
}

/// Two rounds of updates, each flushed: the receiver ends with the second round's totals.
fn run_rounds(program: &Program, sender: &Sender) {
    for round in 1..=2 {
        program.update(round);
        sender.flush(Duration::from_secs(10)).unwrap();
    }
}

fn assert_program_values(server: &PrometheusServer, job: &str) {
    eventually(
        server,
        &format!(r#"requests_total{{code="200",job="{job}",instance="rust:1"}}"#),
        6.0,
    );
    eventually(server, &format!(r#"temperature{{job="{job}"}}"#), 2.0);
    eventually(
        server,
        &format!(r#"histogram_count(wait_seconds{{job="{job}"}})"#),
        8.0,
    );
    eventually(
        server,
        &format!(r#"histogram_sum(wait_seconds{{job="{job}"}})"#),
        6.0,
    );
}

#[test]
fn a_rust_program_sends_remote_write_2_to_prometheus3() {
    let Some(prometheus) = prometheus3() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = PrometheusServer::receiver(&prometheus, dir.path(), "", BOTH_MESSAGES);
    let program = Program::new();
    let sender = start(
        &program,
        url(&server, WRITE_PATH),
        SenderProtocol::RemoteWrite,
        "rust-v2",
    );
    run_rounds(&program, &sender);
    assert_eq!(sender.stats().unwrap().protocol, Protocol::RemoteWriteV2);
    sender.stop(Duration::from_secs(10)).unwrap();
    assert_program_values(&server, "rust-v2");
    // The sender reports on itself in the registry it sends: its counters arrived too.
    let sent = server
        .query(r#"prometheus_emulator_sender_samples_sent_total{job="rust-v2"}"#)
        .unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
}

#[test]
fn a_rust_program_falls_back_to_remote_write_1_after_a_415() {
    let Some(prometheus) = prometheus3() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = PrometheusServer::receiver(&prometheus, dir.path(), "", ONLY_1_0);
    let program = Program::new();
    let sender = start(
        &program,
        url(&server, WRITE_PATH),
        SenderProtocol::RemoteWrite,
        "rust-fallback",
    );
    run_rounds(&program, &sender);
    assert_eq!(sender.stats().unwrap().protocol, Protocol::RemoteWriteV1);
    sender.stop(Duration::from_secs(10)).unwrap();
    assert_program_values(&server, "rust-fallback");
    // The 415 was answered once and counted as such.
    eventually(
        &server,
        r#"prometheus_emulator_sender_requests_total{job="rust-fallback",outcome="unsupported"}"#,
        1.0,
    );
}

#[test]
fn a_rust_program_sends_otlp_to_prometheus3() {
    let Some(prometheus) = prometheus3() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = PrometheusServer::receiver(
        &prometheus,
        dir.path(),
        OTLP_CONFIG,
        &["--web.enable-otlp-receiver"],
    );
    let program = Program::new();
    let sender = start(
        &program,
        url(&server, OTLP_PATH),
        SenderProtocol::Otlp,
        "rust-otlp",
    );
    run_rounds(&program, &sender);
    sender.stop(Duration::from_secs(10)).unwrap();
    assert_program_values(&server, "rust-otlp");
}

#[test]
fn a_rust_program_sends_remote_write_1_to_prometheus2() {
    let dir = tempfile::tempdir().unwrap();
    let server = PrometheusServer::receiver(
        Path::new("/usr/bin/prometheus"),
        dir.path(),
        "",
        &[
            "--web.enable-remote-write-receiver",
            "--enable-feature=native-histograms",
        ],
    );
    let program = Program::new();
    let sender = start(
        &program,
        url(&server, WRITE_PATH),
        SenderProtocol::RemoteWriteV1,
        "rust-v1",
    );
    run_rounds(&program, &sender);
    sender.stop(Duration::from_secs(10)).unwrap();
    assert_program_values(&server, "rust-v1");
}

fn c_service() -> PathBuf {
    build_c(
        "remote_write_service",
        &[root().join("tests/remote_write/service.c")],
        Link::Static,
    )
}

/// Runs the C service against `url`; it must flush twice and stop cleanly.
fn run_c_service(url: &str, protocol: &str, job: &str) {
    let output = Command::new(c_service())
        .args([url, protocol, job])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout, "flushed 1\nflushed 2\nstopped\n");
}

/// What the C service recorded, in two rounds.
fn assert_c_values(server: &PrometheusServer, job: &str, otlp: bool) {
    let q = |promql: &str, want: f64| eventually(server, &promql.replace("JOB", job), want);
    q(
        r#"requests_total{code="200",job="JOB",instance="c-service:1"}"#,
        4.0,
    );
    q(r#"requests_total{code="500",job="JOB"}"#, 2.0);
    q(r#"in_flight{job="JOB"}"#, 21.0);
    // The OTLP receiver writes bounds in Go's shortest form.
    let one = if otlp { "1" } else { "1.0" };
    q(
        &format!(r#"latency_seconds_bucket{{le="{one}",job="JOB"}}"#),
        2.0,
    );
    q(r#"latency_seconds_bucket{le="+Inf",job="JOB"}"#, 4.0);
    q(r#"latency_seconds_sum{job="JOB"}"#, 8.125);
    q(r#"histogram_count(wait_seconds{job="JOB"})"#, 10.0);
    q(r#"histogram_sum(wait_seconds{job="JOB"})"#, 6.5);
    q(r#"rpc_seconds_count{job="JOB"}"#, 2.0);
    q(r#"rpc_seconds_sum{job="JOB"}"#, 0.5);
}

#[test]
fn a_c_service_sends_remote_write_2_then_falls_back_to_1_and_sends_otlp() {
    let Some(prometheus) = prometheus3() else {
        return;
    };
    let both_dir = tempfile::tempdir().unwrap();
    let both = PrometheusServer::receiver(&prometheus, both_dir.path(), "", BOTH_MESSAGES);
    run_c_service(&url(&both, WRITE_PATH), "rw", "c-v2");
    assert_c_values(&both, "c-v2", false);

    let only_1_dir = tempfile::tempdir().unwrap();
    let only_1 = PrometheusServer::receiver(&prometheus, only_1_dir.path(), "", ONLY_1_0);
    run_c_service(&url(&only_1, WRITE_PATH), "rw", "c-fallback");
    assert_c_values(&only_1, "c-fallback", false);

    let otlp_dir = tempfile::tempdir().unwrap();
    let otlp = PrometheusServer::receiver(
        &prometheus,
        otlp_dir.path(),
        OTLP_CONFIG,
        &["--web.enable-otlp-receiver"],
    );
    run_c_service(&url(&otlp, OTLP_PATH), "otlp", "c-otlp");
    assert_c_values(&otlp, "c-otlp", true);
}
