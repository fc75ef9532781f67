//! The Remote Write / OTLP sender against a scripted receiver (tests/support/receiver.rs): what
//! arrives (headers, auth, labels, TLS), retries and their order, drops, the 2.0 to 1.0
//! fallback, the queue's bounds while the receiver is down, flush and stop within their
//! deadlines, and the self-metrics. No timing is asserted beyond generous deadlines, and the
//! one lower bound a `Retry-After` sets.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use prometheus_emulator::collector::{Collector, Descriptor};
use prometheus_emulator::exposition::remote::Protocol;
use prometheus_emulator::sender::{Sender, SenderError, SenderOptions, SenderProtocol};
use prometheus_emulator::snapshot::{LabelSet, MetricFamily, MetricPoint, MetricType, PointValue};
use prometheus_emulator::{Family, Gauge, Opts, Registry};
use support::receiver::{Receiver, Reply, Request, closed_port};

const LONG: Duration = Duration::from_secs(3600);
const GENEROUS: Duration = Duration::from_secs(10);

/// A collector whose one family is named after how many times it was collected
/// (`batch_seq_000001`, …): each batch can be told apart in any encoding, since names are
/// strings that protobuf writes verbatim.
struct Sequence(AtomicU64);

impl Collector for Sequence {
    fn describe(&self) -> Vec<Descriptor> {
        Vec::new()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        out.push(MetricFamily {
            name: format!("batch_seq_{n:06}").into(),
            help: "h".into(),
            kind: MetricType::Gauge,
            unit: None,
            points: vec![MetricPoint {
                labels: LabelSet::empty(),
                value: PointValue::Gauge { value: n as f64 },
                timestamp: None,
            }],
        });
    }
}

fn sequence(request: &Request) -> Option<u64> {
    let body = request.decoded();
    let needle = b"batch_seq_";
    let at = body.windows(needle.len()).position(|w| w == needle)? + needle.len();
    std::str::from_utf8(body.get(at..at + 6)?)
        .ok()?
        .parse()
        .ok()
}

/// A registry with a gauge and the sequence collector.
fn registry() -> (Arc<Registry>, Arc<Sequence>) {
    let registry = Arc::new(Registry::new());
    let gauge = Arc::new(Family::<Gauge>::new(Opts::new("app_temperature", "h")).unwrap());
    gauge
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(21.5)
        .unwrap();
    registry.register(gauge).unwrap();
    let sequence = Arc::new(Sequence(AtomicU64::new(0)));
    registry.register(sequence.clone()).unwrap();
    (registry, sequence)
}

fn options(url: &str) -> SenderOptions {
    SenderOptions::new(url)
        .interval(LONG)
        .destination("test")
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
}

fn value(registry: &Registry, name: &str, extra: &[(&str, &str)]) -> Option<f64> {
    let mut labels = vec![("destination", "test")];
    labels.extend_from_slice(extra);
    registry.get_sample_value(name, &labels)
}

#[test]
fn flush_sends_now_with_headers_auth_and_external_labels() {
    let receiver = Receiver::start(vec![]);
    let (registry, _) = registry();
    let options = options(&receiver.url())
        .header("X-Scope-OrgID", "tenant-7")
        .bearer_token("t0ken")
        .external_label("cluster", "eu-west-9");
    let sender = Sender::start(Some(registry.clone()), options).unwrap();
    let began = Instant::now();
    sender.flush(GENEROUS).unwrap();
    assert!(began.elapsed() < GENEROUS);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1, "one collection, one request");
    let request = &requests[0];
    assert_eq!(request.path, "/api/v1/write");
    assert_eq!(request.header("x-scope-orgid"), Some("tenant-7"));
    assert_eq!(request.header("authorization"), Some("Bearer t0ken"));
    assert_eq!(request.header("content-encoding"), Some("snappy"));
    assert!(
        request
            .header("content-type")
            .is_some_and(|t| t.contains("io.prometheus.write.v2.Request")),
        "{:?}",
        request.headers
    );
    assert!(
        request
            .header("x-prometheus-remote-write-version")
            .is_some_and(|v| v.starts_with("2.")),
        "{:?}",
        request.headers
    );
    assert!(
        request
            .header("user-agent")
            .is_some_and(|v| v.starts_with("prometheus_emulator/"))
    );
    assert!(request.mentions("app_temperature"));
    assert!(request.mentions("cluster") && request.mentions("eu-west-9"));
    sender.stop(GENEROUS).unwrap();
}

#[test]
fn basic_auth_arrives() {
    let receiver = Receiver::start(vec![]);
    let (registry, _) = registry();
    let sender = Sender::start(
        Some(registry),
        options(&receiver.url()).basic_auth("writer", "s3cret"),
    )
    .unwrap();
    sender.flush(GENEROUS).unwrap();
    // "writer:s3cret" in base64.
    assert_eq!(
        receiver.requests()[0].header("authorization"),
        Some("Basic d3JpdGVyOnMzY3JldA==")
    );
}

#[test]
fn retries_then_success_deliver_every_batch_once_in_order() {
    let receiver = Receiver::start(vec![
        Reply::Status(500),
        Reply::Status(503),
        Reply::Close,
        Reply::RetryAfter(429, "0".into()),
        Reply::Status(502),
    ]);
    let (registry, sequence) = registry();
    let options = options(&receiver.url()).interval(Duration::from_millis(20));
    let sender = Sender::start(Some(registry.clone()), options).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    sender.flush(GENEROUS).unwrap();
    sender.stop(GENEROUS).unwrap();
    let collected = sequence.0.load(Ordering::SeqCst);
    let delivered: Vec<u64> = receiver
        .requests()
        .iter()
        .filter(|r| r.accepted())
        .map(sequence_of)
        .collect();
    // Collections after stop's (the last one) are not sent; every other one is, once, in order.
    let expected: Vec<u64> = (1..=collected).collect();
    assert_eq!(delivered, expected);
    let failed: Vec<u64> = receiver
        .requests()
        .iter()
        .filter(|r| !r.accepted())
        .map(sequence_of)
        .collect();
    assert_eq!(failed.len(), 5);
    assert!(
        failed.iter().all(|s| *s == 1),
        "the oldest batch is retried first: {failed:?}"
    );
}

fn sequence_of(request: &Request) -> u64 {
    sequence(request).expect("a batch_seq family in every batch")
}

#[test]
fn retries_are_counted_in_the_self_metrics() {
    let receiver = Receiver::start(vec![Reply::Status(500), Reply::Status(429)]);
    let (registry, _) = registry();
    let sender = Sender::start(Some(registry.clone()), options(&receiver.url())).unwrap();
    sender.flush(GENEROUS).unwrap();
    let get = |name: &str, extra: &[(&str, &str)]| value(&registry, name, extra);
    assert_eq!(
        get("prometheus_emulator_sender_retries_total", &[]),
        Some(2.0)
    );
    let outcome = |o| {
        get(
            "prometheus_emulator_sender_requests_total",
            &[("outcome", o)],
        )
    };
    assert_eq!(outcome("server_error"), Some(1.0));
    assert_eq!(outcome("throttled"), Some(1.0));
    assert_eq!(outcome("success"), Some(1.0));
    let sent = get("prometheus_emulator_sender_samples_sent_total", &[]).unwrap();
    let failed = get("prometheus_emulator_sender_samples_failed_total", &[]).unwrap();
    assert!(sent > 0.0);
    assert_eq!(failed, 2.0 * sent, "each failed attempt counts its samples");
    assert_eq!(
        get("prometheus_emulator_sender_queue_batches", &[]),
        Some(0.0)
    );
    assert_eq!(
        get("prometheus_emulator_sender_queue_bytes", &[]),
        Some(0.0)
    );
    let last = get(
        "prometheus_emulator_sender_last_success_timestamp_seconds",
        &[],
    )
    .unwrap();
    assert!(last > 1.7e9, "{last}");
    sender.stop(GENEROUS).unwrap();
    // Unregistered at stop.
    assert_eq!(get("prometheus_emulator_sender_retries_total", &[]), None);
}

#[test]
fn retry_after_is_honoured_and_capped() {
    let receiver = Receiver::start(vec![Reply::RetryAfter(503, "1".into())]);
    let (registry, _) = registry();
    let sender = Sender::start(Some(registry.clone()), options(&receiver.url())).unwrap();
    sender.flush(GENEROUS).unwrap();
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at - requests[0].at;
    assert!(
        waited >= Duration::from_millis(900),
        "retried after {waited:?}"
    );

    // A day is capped to the configured maximum.
    let receiver = Receiver::start(vec![Reply::RetryAfter(429, "86400".into())]);
    let options = options(&receiver.url()).max_retry_after(Duration::from_millis(100));
    let sender = Sender::start(Some(registry), options).unwrap();
    sender.flush(GENEROUS).unwrap();
    assert_eq!(receiver.requests().len(), 2);
}

#[test]
fn a_400_drops_the_batch_and_keeps_the_body_as_last_error() {
    let receiver = Receiver::start(vec![Reply::Body(400, "out of order sample")]);
    let (registry, _) = registry();
    let sender = Sender::start(Some(registry.clone()), options(&receiver.url())).unwrap();
    let error = sender.flush(GENEROUS).unwrap_err();
    let SenderError::Dropped {
        batches,
        last_error,
    } = &error
    else {
        panic!("{error}");
    };
    assert_eq!(*batches, 1);
    let last_error = last_error.as_deref().unwrap();
    assert!(
        last_error.contains("400") && last_error.contains("out of order sample"),
        "{last_error}"
    );
    assert_eq!(receiver.requests().len(), 1, "a 400 is not retried");
    let dropped = value(
        &registry,
        "prometheus_emulator_sender_samples_dropped_total",
        &[("reason", "rejected")],
    );
    assert!(dropped.is_some_and(|d| d > 0.0), "{dropped:?}");
    assert_eq!(
        value(
            &registry,
            "prometheus_emulator_sender_requests_total",
            &[("outcome", "rejected")]
        ),
        Some(1.0)
    );
    // The next batch goes through.
    sender.flush(GENEROUS).unwrap();
    assert_eq!(receiver.requests().len(), 2);
    assert!(sender.stats().unwrap().last_error.unwrap().contains("400"));
}

#[test]
fn a_415_to_remote_write_2_falls_back_to_1_for_good() {
    let receiver = Receiver::start(vec![Reply::Status(415)]);
    let (registry, _) = registry();
    let sender = Sender::start(Some(registry.clone()), options(&receiver.url())).unwrap();
    sender.flush(GENEROUS).unwrap();
    sender.flush(GENEROUS).unwrap();
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3);
    let version = |r: &Request| {
        r.header("x-prometheus-remote-write-version")
            .unwrap_or_default()
            .to_string()
    };
    assert!(version(&requests[0]).starts_with("2."));
    assert!(
        requests[0]
            .header("content-type")
            .unwrap()
            .contains("write.v2")
    );
    for retry in &requests[1..] {
        assert!(version(retry).starts_with("0.1"), "{:?}", retry.headers);
        assert!(!retry.header("content-type").unwrap().contains("write.v2"));
        assert!(retry.mentions("app_temperature"));
    }
    // The batch that got 415 is the one sent again.
    assert_eq!(sequence(&requests[0]), sequence(&requests[1]));
    assert_eq!(sender.stats().unwrap().protocol, Protocol::RemoteWriteV1);
    assert_eq!(
        value(
            &registry,
            "prometheus_emulator_sender_requests_total",
            &[("outcome", "unsupported")]
        ),
        Some(1.0)
    );
}

#[test]
fn a_415_to_remote_write_1_is_a_rejection() {
    let receiver = Receiver::start(vec![Reply::Status(415)]);
    let (registry, _) = registry();
    let options = options(&receiver.url()).protocol(SenderProtocol::RemoteWriteV1);
    let sender = Sender::start(Some(registry), options).unwrap();
    assert!(matches!(
        sender.flush(GENEROUS),
        Err(SenderError::Dropped { batches: 1, .. })
    ));
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0]
            .header("x-prometheus-remote-write-version")
            .unwrap()
            .starts_with("0.1")
    );
}

#[test]
fn otlp_sends_protobuf_with_a_service_name() {
    let receiver = Receiver::start(vec![]);
    let (registry, _) = registry();
    let options = options(&receiver.url())
        .protocol(SenderProtocol::Otlp)
        .external_label("job", "nightly-batch");
    let sender = Sender::start(Some(registry), options).unwrap();
    sender.flush(GENEROUS).unwrap();
    let request = &receiver.requests()[0];
    assert_eq!(
        request.header("content-type"),
        Some("application/x-protobuf")
    );
    assert_eq!(request.header("x-prometheus-remote-write-version"), None);
    assert!(request.mentions("service.name") && request.mentions("nightly-batch"));
}

#[test]
fn the_queue_stays_bounded_while_the_receiver_is_down() {
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/api/v1/write");
    let (registry, sequence) = registry();
    let options = options(&url)
        .interval(Duration::from_millis(10))
        .max_queue_batches(3)
        .max_queue_bytes(1 << 20);
    let sender = Sender::start(Some(registry.clone()), options).unwrap();
    let get = |name: &str, extra: &[(&str, &str)]| value(&registry, name, extra).unwrap_or(0.0);
    let began = Instant::now();
    while sequence.0.load(Ordering::SeqCst) < 15 {
        assert!(get("prometheus_emulator_sender_queue_batches", &[]) <= 3.0);
        assert!(began.elapsed() < GENEROUS, "collections go on while down");
        std::thread::sleep(Duration::from_millis(5));
    }
    let dropped = get(
        "prometheus_emulator_sender_samples_dropped_total",
        &[("reason", "queue_full")],
    );
    assert!(dropped > 0.0);
    assert!(
        get(
            "prometheus_emulator_sender_requests_total",
            &[("outcome", "network_error")]
        ) > 0.0
    );
    let error = sender.stats().unwrap().last_error.unwrap();
    assert!(
        error.contains("queue is full") || error.contains("connect"),
        "{error}"
    );

    // Up again: only the newest batches are left, and they arrive in order.
    let receiver = Receiver::start_on(port, vec![], None);
    let _ = sender.flush(GENEROUS);
    sender.stop(GENEROUS).unwrap();
    let delivered: Vec<u64> = receiver.requests().iter().map(sequence_of).collect();
    assert!(delivered.len() >= 3, "{delivered:?}");
    assert!(delivered.windows(2).all(|w| w[0] < w[1]), "{delivered:?}");
    assert!(delivered[0] > 1, "the oldest were dropped: {delivered:?}");
}

#[test]
fn the_byte_bound_holds() {
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/api/v1/write");
    let (registry, sequence) = registry();
    let max_bytes = 4096;
    let options = options(&url)
        .interval(Duration::from_millis(10))
        .max_queue_batches(1000)
        .max_queue_bytes(max_bytes);
    let sender = Sender::start(Some(registry.clone()), options).unwrap();
    let began = Instant::now();
    while sequence.0.load(Ordering::SeqCst) < 30 {
        let bytes = value(&registry, "prometheus_emulator_sender_queue_bytes", &[]).unwrap_or(0.0);
        assert!(bytes <= max_bytes as f64, "{bytes}");
        assert!(began.elapsed() < GENEROUS);
        std::thread::sleep(Duration::from_millis(5));
    }
    let batches = value(&registry, "prometheus_emulator_sender_queue_batches", &[]).unwrap();
    assert!(batches < 30.0, "{batches} batches held in 4 KiB");
    let dropped = value(
        &registry,
        "prometheus_emulator_sender_samples_dropped_total",
        &[("reason", "queue_full")],
    );
    assert!(dropped.is_some_and(|d| d > 0.0));
    drop(sender);
}

#[test]
fn stop_returns_within_its_deadline_with_a_slow_receiver() {
    let receiver = Receiver::start(vec![Reply::Slow(Duration::from_secs(60)); 4]);
    let (registry, _) = registry();
    let options = options(&receiver.url()).timeout(Duration::from_secs(30));
    let sender = Sender::start(Some(registry.clone()), options).unwrap();
    assert!(matches!(
        sender.flush(Duration::from_millis(300)),
        Err(SenderError::DeadlinePassed { .. })
    ));
    let began = Instant::now();
    let result = sender.stop(Duration::from_millis(500));
    let took = began.elapsed();
    assert!(took < Duration::from_secs(3), "stop took {took:?}");
    assert!(
        matches!(result, Err(SenderError::DeadlinePassed { pending_batches, .. }) if pending_batches >= 1),
        "{result:?}"
    );
    // Stopped: a second stop is a no-op, flush is refused, the self-metrics are gone.
    sender.stop(Duration::ZERO).unwrap();
    assert!(matches!(
        sender.flush(GENEROUS),
        Err(SenderError::Stopped(_))
    ));
    assert_eq!(
        value(&registry, "prometheus_emulator_sender_queue_batches", &[]),
        None
    );
}

#[test]
fn stop_returns_within_its_deadline_with_a_dead_receiver() {
    let url = format!("http://127.0.0.1:{}/api/v1/write", closed_port());
    let (registry, _) = registry();
    let sender = Sender::start(Some(registry), options(&url)).unwrap();
    let began = Instant::now();
    let result = sender.stop(Duration::from_secs(1));
    assert!(began.elapsed() < Duration::from_secs(5));
    let Err(SenderError::DeadlinePassed { last_error, .. }) = result else {
        panic!("{result:?}");
    };
    assert!(last_error.unwrap().contains("connect"));
}

#[test]
fn a_request_beyond_the_timeout_is_retried() {
    let receiver = Receiver::start(vec![Reply::Slow(Duration::from_secs(30))]);
    let (registry, _) = registry();
    let options = options(&receiver.url()).timeout(Duration::from_millis(200));
    let sender = Sender::start(Some(registry.clone()), options).unwrap();
    sender.flush(GENEROUS).unwrap();
    assert_eq!(receiver.requests().len(), 2);
    assert!(
        value(
            &registry,
            "prometheus_emulator_sender_requests_total",
            &[("outcome", "network_error")]
        )
        .is_some_and(|v| v >= 1.0)
    );
}

#[test]
fn https_with_a_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = support::exporter::self_signed(dir.path());
    let receiver = Receiver::start_tls(vec![], &cert, &key);
    let (registry, _) = registry();
    let sender = Sender::start(
        Some(registry.clone()),
        options(&receiver.url()).ca_file(&cert),
    )
    .unwrap();
    sender.flush(GENEROUS).unwrap();
    assert_eq!(receiver.requests().len(), 1);
    // Stop's last collection is sent too.
    sender.stop(GENEROUS).unwrap();
    assert_eq!(receiver.requests().len(), 2);

    // Without the CA the certificate is not trusted: no request gets through.
    let sender = Sender::start(Some(registry), options(&receiver.url())).unwrap();
    let error = sender.flush(Duration::from_secs(2)).unwrap_err();
    let SenderError::DeadlinePassed { last_error, .. } = error else {
        panic!("{error}");
    };
    assert!(last_error.unwrap().contains("TLS"));
    assert_eq!(receiver.requests().len(), 2);
}

#[test]
fn bad_options_are_refused_before_anything_starts() {
    let registry = Arc::new(Registry::new());
    for options in [
        SenderOptions::new("not a url"),
        SenderOptions::new("http://h/").interval(Duration::ZERO),
        SenderOptions::new("http://h/").ca_file("/nonexistent/ca.pem"),
        SenderOptions::new("http://h/").header("Content-Type", "text/plain"),
    ] {
        let error = Sender::start(Some(registry.clone()), options).unwrap_err();
        assert!(matches!(error, SenderError::InvalidOptions(_)), "{error}");
    }
    assert!(registry.gather().is_empty(), "no self-metrics left behind");
}

#[test]
fn two_senders_share_a_registry() {
    let (a, b) = (Receiver::start(vec![]), Receiver::start(vec![]));
    let (registry, _) = registry();
    let first = Sender::start(Some(registry.clone()), options(&a.url()).destination("a")).unwrap();
    let second = Sender::start(Some(registry.clone()), options(&b.url()).destination("b")).unwrap();
    first.flush(GENEROUS).unwrap();
    second.flush(GENEROUS).unwrap();
    for destination in ["a", "b"] {
        assert_eq!(
            registry.get_sample_value(
                "prometheus_emulator_sender_requests_total",
                &[("destination", destination), ("outcome", "success")]
            ),
            Some(1.0)
        );
    }
    // Each sender's batches carry both senders' self-metrics.
    assert!(b.requests()[0].mentions("prometheus_emulator_sender_requests"));
}

#[test]
fn a_forked_child_gets_a_stopped_sender() {
    let receiver = Receiver::start(vec![]);
    let (registry, _) = registry();
    let sender = Sender::start(Some(registry.clone()), options(&receiver.url())).unwrap();
    sender.flush(GENEROUS).unwrap();
    // SAFETY: the child uses only the sender and the registry, then leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let flushed = matches!(sender.flush(GENEROUS), Err(SenderError::Stopped(_)));
        let stopped = sender.stop(GENEROUS).is_ok();
        let unregistered =
            value(&registry, "prometheus_emulator_sender_queue_batches", &[]).is_none();
        let code = if flushed && stopped && unregistered {
            0
        } else {
            1
        };
        unsafe { libc::_exit(code) };
    }
    assert!(pid > 0);
    let mut status = 0;
    let began = Instant::now();
    loop {
        // SAFETY: polling our own child.
        if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
            break;
        }
        if began.elapsed() > GENEROUS {
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            panic!("the child hung");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{status}"
    );
    // The parent's sender is untouched.
    sender.flush(GENEROUS).unwrap();
    assert_eq!(receiver.requests().len(), 2);
}

#[test]
fn a_415_after_2_was_taken_drops_that_batch_and_goes_on_in_1() {
    let receiver = Receiver::start(vec![Reply::Status(200), Reply::Status(415)]);
    let (registry, _) = registry();
    let sender = Sender::start(Some(registry), options(&receiver.url())).unwrap();
    sender.flush(GENEROUS).unwrap();
    // Once 2.0 was taken, batches keep no families to encode again: this one is lost.
    assert!(matches!(
        sender.flush(GENEROUS),
        Err(SenderError::Dropped { batches: 1, .. })
    ));
    sender.flush(GENEROUS).unwrap();
    let versions: Vec<String> = receiver
        .requests()
        .iter()
        .map(|r| {
            r.header("x-prometheus-remote-write-version")
                .unwrap_or_default()
                .chars()
                .take(2)
                .collect()
        })
        .collect();
    assert_eq!(versions, ["2.", "2.", "0."]);
    assert_eq!(sender.stats().unwrap().protocol, Protocol::RemoteWriteV1);
}
