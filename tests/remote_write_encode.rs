//! End to end: bodies made by `exposition::remote::encode` from a real registry, POSTed to real
//! Prometheus receivers, then read back through the query API: Remote Write 2.0 and 1.0 into
//! Prometheus 3.16 (`--web.enable-remote-write-receiver`), OTLP into 3.16's OTLP receiver
//! (`--web.enable-otlp-receiver`, `/api/v1/otlp/v1/metrics`), Remote Write 1.0 into Debian's 2.42
//! (native histograms there need `--enable-feature=native-histograms`), and the 415 a 3.16 that
//! accepts only `prometheus.WriteRequest` answers to a 2.0 body, which a sender's fallback to
//! 1.0 relies on.
//!
//! Every observed value is exact in binary, so sums compare exactly.

mod support;
use support::prometheus::{PrometheusServer, prometheus3};

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_emulator::exposition::remote::{EncodeOptions, Encoded, Protocol, encode};
use prometheus_emulator::{
    Counter, Exemplar, Family, Gauge, Histogram, HistogramConfig, Info, MetricFamily, NativeConfig,
    Opts, Registry, Summary, SummaryConfig,
};

const WRITE_PATH: &str = "/api/v1/write";
const OTLP_PATH: &str = "/api/v1/otlp/v1/metrics";

/// A counter, a gauge with a unit, a classic histogram, a native histogram, a summary and an
/// info metric, with values the tests check.
fn families() -> Vec<MetricFamily> {
    let registry = Registry::new();
    let requests = Arc::new(
        Family::<Counter>::new(Opts::new("requests", "Requests.").labels(&["code"])).unwrap(),
    );
    let ok = requests.with_label_values(&["200"]).unwrap();
    ok.inc(2.0).unwrap();
    let exemplar = Exemplar::new(&[("trace_id", "abc123")], 1.0, None).unwrap();
    ok.inc_with_exemplar(1.0, exemplar).unwrap();
    registry.register(requests).unwrap();

    let temperature = Arc::new(
        Family::<Gauge>::new(Opts::new("temperature_celsius", "Temperature.").unit("celsius"))
            .unwrap(),
    );
    temperature
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(21.5)
        .unwrap();
    registry.register(temperature).unwrap();

    let latency = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("latency_seconds", "Latency.").unit("seconds"),
            HistogramConfig::new(&[0.1, 1.0]).unwrap(),
        )
        .unwrap(),
    );
    let child = latency.with_label_values::<&str>(&[]).unwrap();
    for value in [0.0625, 0.5, 4.0] {
        child.observe(value).unwrap();
    }
    registry.register(latency).unwrap();

    let wait = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("wait_seconds", "Wait."),
            HistogramConfig::native(NativeConfig::new(1.1).unwrap()).unwrap(),
        )
        .unwrap(),
    );
    let child = wait.with_label_values::<&str>(&[]).unwrap();
    for value in [0.25, 0.5, 0.5, 4.0, -2.0] {
        child.observe(value).unwrap();
    }
    registry.register(wait).unwrap();

    let rpc = Arc::new(
        Family::<Summary>::with_config(
            Opts::new("rpc_seconds", "RPC."),
            SummaryConfig::new(&[(0.5, 0.05)], Duration::from_secs(600), 5).unwrap(),
        )
        .unwrap(),
    );
    let child = rpc.with_label_values::<&str>(&[]).unwrap();
    for _ in 0..3 {
        child.observe(0.25).unwrap();
    }
    registry.register(rpc).unwrap();

    let build = Arc::new(Family::<Info>::new(Opts::new("build", "Build.")).unwrap());
    build
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(&[("version", "1.2")])
        .unwrap();
    registry.register(build).unwrap();
    registry.gather()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn remote_write_options(job: &str) -> EncodeOptions {
    EncodeOptions {
        external_labels: vec![
            ("job".into(), job.into()),
            ("instance".into(), "host:9".into()),
        ],
        timestamp_ms: now_ms(),
        ..EncodeOptions::default()
    }
}

/// POSTs an encoded body as a sender would; the status, the written samples, histograms and
/// exemplars the receiver reports, and the response body.
fn post(server: &PrometheusServer, path: &str, encoded: &Encoded) -> (u16, Vec<String>, String) {
    let mut headers = vec![("Content-Type", encoded.content_type)];
    headers.extend_from_slice(encoded.headers);
    server.post(
        path,
        &headers,
        &encoded.body,
        &[
            "X-Prometheus-Remote-Write-Samples-Written",
            "X-Prometheus-Remote-Write-Histograms-Written",
            "X-Prometheus-Remote-Write-Exemplars-Written",
        ],
    )
}

/// Checks what the registry recorded, as Remote Write names it, for series with `job`.
fn assert_remote_write_values(server: &PrometheusServer, job: &str, native: bool) {
    let value = |promql: &str| server.value(&promql.replace("JOB", job));
    assert_eq!(
        value(r#"requests_total{code="200",job="JOB",instance="host:9"}"#),
        3.0
    );
    assert_eq!(value(r#"temperature_celsius{job="JOB"}"#), 21.5);
    assert_eq!(value(r#"latency_seconds_bucket{le="0.1",job="JOB"}"#), 1.0);
    assert_eq!(value(r#"latency_seconds_bucket{le="1.0",job="JOB"}"#), 2.0);
    assert_eq!(value(r#"latency_seconds_bucket{le="+Inf",job="JOB"}"#), 3.0);
    assert_eq!(value(r#"latency_seconds_count{job="JOB"}"#), 3.0);
    assert_eq!(value(r#"latency_seconds_sum{job="JOB"}"#), 4.5625);
    assert_eq!(value(r#"rpc_seconds{quantile="0.5",job="JOB"}"#), 0.25);
    assert_eq!(value(r#"rpc_seconds_count{job="JOB"}"#), 3.0);
    assert_eq!(value(r#"rpc_seconds_sum{job="JOB"}"#), 0.75);
    assert_eq!(value(r#"build_info{version="1.2",job="JOB"}"#), 1.0);
    assert!(
        server
            .query(&r#"requests_created{job="JOB"}"#.replace("JOB", job))
            .unwrap()
            .is_empty(),
        "no _created series"
    );
    if native {
        assert_eq!(value(r#"histogram_count(wait_seconds{job="JOB"})"#), 5.0);
        assert_eq!(value(r#"histogram_sum(wait_seconds{job="JOB"})"#), 3.25);
        assert_native_buckets(server, &r#"wait_seconds{job="JOB"}"#.replace("JOB", job));
    }
}

/// The buckets Prometheus stored for `wait_seconds` (schema 3, observations 0.25, 0.5, 0.5,
/// 4 and -2), bounds and counts: where each observation landed shows the spans arrived right.
fn assert_native_buckets(server: &PrometheusServer, selector: &str) {
    let result = server.query(selector).unwrap();
    assert_eq!(result.len(), 1, "{result:?}");
    let histogram = &result[0]["histogram"][1];
    assert_eq!(histogram["count"], "5", "{histogram}");
    let number = |v: &serde_json::Value| v.as_str().unwrap().parse::<f64>().unwrap();
    let buckets: Vec<(f64, f64, f64)> = histogram["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (number(&b[1]), number(&b[2]), number(&b[3])))
        .collect();
    let bound = |key: i32| 2f64.powf(f64::from(key) / 8.0);
    let expected = [
        (-2.0, -bound(7), 1.0),
        (bound(-17), 0.25, 1.0),
        (bound(-9), 0.5, 2.0),
        (bound(15), 4.0, 1.0),
    ];
    assert_eq!(buckets.len(), expected.len(), "{histogram}");
    for (got, want) in buckets.iter().zip(&expected) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
        assert!(
            close(got.0, want.0) && close(got.1, want.1) && got.2 == want.2,
            "{got:?} != {want:?} in {histogram}"
        );
    }
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn receiver(program: &Path, dir: &Path, flags: &[&str]) -> PrometheusServer {
    PrometheusServer::receiver(program, dir, "", flags)
}

#[test]
fn prometheus3_stores_remote_write_2_and_1_bodies() {
    let Some(program) = prometheus3() else { return };
    let dir = temp_dir();
    let server = receiver(
        &program,
        dir.path(),
        &[
            "--web.enable-remote-write-receiver",
            "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest",
            "--web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request",
            "--enable-feature=exemplar-storage",
        ],
    );
    let families = families();

    let v2 = encode(
        Protocol::RemoteWriteV2,
        &families,
        &remote_write_options("v2"),
    );
    let (status, written, body) = post(&server, WRITE_PATH, &v2);
    assert_eq!(status, 204, "{body}\n{}", server.log_tail());
    // 2.0 receivers confirm what they wrote.
    let counts = [v2.samples, v2.histograms, v2.exemplars].map(|n| n.to_string());
    assert_eq!(written, counts);
    assert_eq!((v2.histograms, v2.exemplars), (1, 1));
    assert_remote_write_values(&server, "v2", true);
    assert_exemplar(&server, "v2");

    let v1 = encode(
        Protocol::RemoteWriteV1,
        &families,
        &remote_write_options("v1"),
    );
    let (status, written, body) = post(&server, WRITE_PATH, &v1);
    assert_eq!(status, 204, "{body}\n{}", server.log_tail());
    assert_eq!(
        written,
        ["", "", ""],
        "1.0 receivers say nothing of what they wrote"
    );
    assert_remote_write_values(&server, "v1", true);
    assert_exemplar(&server, "v1");
}

/// The counter's exemplar, stored with the series' sample time.
fn assert_exemplar(server: &PrometheusServer, job: &str) {
    let found = server.exemplars(&format!(r#"requests_total{{job="{job}"}}"#));
    assert_eq!(found.len(), 1, "{found:?}");
    let exemplars = found[0]["exemplars"].as_array().unwrap();
    assert_eq!(exemplars.len(), 1, "{found:?}");
    assert_eq!(exemplars[0]["labels"]["trace_id"], "abc123");
    assert_eq!(exemplars[0]["value"], "1");
}

#[test]
fn prometheus3_accepting_only_remote_write_1_answers_415_to_a_2_body() {
    let Some(program) = prometheus3() else { return };
    let dir = temp_dir();
    let server = receiver(
        &program,
        dir.path(),
        &[
            "--web.enable-remote-write-receiver",
            "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest",
        ],
    );
    let families = families();
    let v2 = encode(
        Protocol::RemoteWriteV2,
        &families,
        &remote_write_options("v2"),
    );
    let (status, _, body) = post(&server, WRITE_PATH, &v2);
    assert_eq!(status, 415, "{body}");
    assert!(
        server
            .query(r#"requests_total{job="v2"}"#)
            .unwrap()
            .is_empty(),
        "nothing written"
    );
    // The fallback: the same families as 1.0.
    let v1 = encode(
        Protocol::RemoteWriteV1,
        &families,
        &remote_write_options("v1"),
    );
    let (status, _, body) = post(&server, WRITE_PATH, &v1);
    assert_eq!(status, 204, "{body}");
    assert_remote_write_values(&server, "v1", true);
}

#[test]
fn prometheus3_stores_otlp_bodies() {
    let Some(program) = prometheus3() else { return };
    let dir = temp_dir();
    // The default strategy, spelled out: names escaped to the legacy set, `_total` and unit
    // suffixes added where missing (ours are never missing).
    let config = "otlp:\n  translation_strategy: UnderscoreEscapingWithSuffixes\n";
    let server = PrometheusServer::receiver(
        &program,
        dir.path(),
        config,
        &["--web.enable-otlp-receiver"],
    );
    let options = EncodeOptions {
        resource_attributes: vec![
            ("service.name".into(), "otlp-app".into()),
            ("service.instance.id".into(), "i1".into()),
        ],
        timestamp_ms: now_ms(),
        ..EncodeOptions::default()
    };
    let otlp = encode(Protocol::Otlp, &families(), &options);
    let (status, _, body) = post(&server, OTLP_PATH, &otlp);
    assert_eq!(status, 200, "{body}\n{}", server.log_tail());
    let value = |promql: &str| server.value(promql);
    // `service.name` and `service.instance.id` become `job` and `instance`.
    assert_eq!(
        value(r#"requests_total{code="200",job="otlp-app",instance="i1"}"#),
        3.0
    );
    assert_eq!(value(r#"temperature_celsius{job="otlp-app"}"#), 21.5);
    // The OTLP receiver writes `le` and `quantile` in Go's shortest form (`1`, not `1.0`).
    assert_eq!(value(r#"latency_seconds_bucket{le="0.1"}"#), 1.0);
    assert_eq!(value(r#"latency_seconds_bucket{le="1"}"#), 2.0);
    assert_eq!(value(r#"latency_seconds_bucket{le="+Inf"}"#), 3.0);
    assert_eq!(value("latency_seconds_count"), 3.0);
    assert_eq!(value("latency_seconds_sum"), 4.5625);
    assert_eq!(value("histogram_count(wait_seconds)"), 5.0);
    assert_eq!(value("histogram_sum(wait_seconds)"), 3.25);
    assert_native_buckets(&server, "wait_seconds");
    assert_eq!(value(r#"rpc_seconds{quantile="0.5"}"#), 0.25);
    assert_eq!(value("rpc_seconds_count"), 3.0);
    assert_eq!(value("rpc_seconds_sum"), 0.75);
    assert_eq!(value(r#"build_info{version="1.2"}"#), 1.0);
}

#[test]
fn prometheus2_stores_remote_write_1_bodies() {
    let program = std::env::var("PROMETHEUS").unwrap_or_else(|_| "/usr/bin/prometheus".into());
    let dir = temp_dir();
    let server = receiver(
        Path::new(&program),
        dir.path(),
        &[
            "--web.enable-remote-write-receiver",
            "--enable-feature=native-histograms",
        ],
    );
    let v1 = encode(
        Protocol::RemoteWriteV1,
        &families(),
        &remote_write_options("v1"),
    );
    let (status, _, body) = post(&server, WRITE_PATH, &v1);
    assert_eq!(status, 204, "{body}\n{}", server.log_tail());
    assert_remote_write_values(&server, "v1", true);
}
