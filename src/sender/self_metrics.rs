//! The sender's self-metrics, registered in the registry it sends (at start, unregistered at
//! stop), every series labelled `destination`:
//!
//! | metric | type | what |
//! | --- | --- | --- |
//! | `prometheus_emulator_sender_samples_sent_total` | counter | samples delivered (2xx) |
//! | `prometheus_emulator_sender_histograms_sent_total` | counter | histograms delivered |
//! | `prometheus_emulator_sender_samples_failed_total` | counter | samples of requests that failed and are retried (5xx, 429, network), once per failed attempt |
//! | `prometheus_emulator_sender_samples_dropped_total{reason}` | counter | samples given up: `queue_full` (displaced by a newer batch), `rejected` (another 4xx), `stopped` (still queued when stop's deadline passed) |
//! | `prometheus_emulator_sender_retries_total` | counter | requests retried |
//! | `prometheus_emulator_sender_requests_total{outcome}` | counter | requests by outcome: `success`, `server_error` (5xx), `throttled` (429), `network_error` (no connection, timeout, broken), `rejected` (other 4xx), `unsupported` (415 on 2.0: the fallback to 1.0) |
//! | `prometheus_emulator_sender_queue_bytes` | gauge | bytes queued |
//! | `prometheus_emulator_sender_queue_batches` | gauge | batches queued |
//! | `prometheus_emulator_sender_last_success_timestamp_seconds` | gauge | when a request last succeeded |
//!
//! The collector describes no family, so that several senders (to different destinations) can
//! share a registry: their families of one name are merged by the registry. Every child is bound
//! at start, so the sender's thread updates them without a lock.

use std::sync::Arc;

use crate::collector::{Collector, Descriptor};
use crate::error::Result;
use crate::metric::{Counter, Family, Gauge, Opts};
use crate::snapshot::MetricFamily;

/// The prefix of every self-metric.
pub const PREFIX: &str = "prometheus_emulator_sender_";

/// The reasons of `samples_dropped_total`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum DropReason {
    QueueFull,
    Rejected,
    Stopped,
}

/// The outcomes of `requests_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestOutcome {
    Success,
    ServerError,
    Throttled,
    NetworkError,
    Rejected,
    Unsupported,
}

const OUTCOMES: [&str; 6] = [
    "success",
    "server_error",
    "throttled",
    "network_error",
    "rejected",
    "unsupported",
];
const REASONS: [&str; 3] = ["queue_full", "rejected", "stopped"];

/// The families (what the registry collects) and their bound children (what the thread updates).
pub(crate) struct SelfMetrics {
    families: Families,
    pub samples_sent: Arc<Counter>,
    pub histograms_sent: Arc<Counter>,
    pub samples_failed: Arc<Counter>,
    dropped: [Arc<Counter>; 3],
    pub retries: Arc<Counter>,
    requests: [Arc<Counter>; 6],
    pub queue_bytes: Arc<Gauge>,
    pub queue_batches: Arc<Gauge>,
    pub last_success: Arc<Gauge>,
}

struct Families {
    counters: Vec<Arc<Family<Counter>>>,
    gauges: Vec<Arc<Family<Gauge>>>,
}

fn counter(name: &str, help: &str, labels: &[&str]) -> Result<Arc<Family<Counter>>> {
    Ok(Arc::new(Family::new(
        Opts::new(format!("{PREFIX}{name}"), help).labels(labels),
    )?))
}

fn gauge(name: &str, help: &str) -> Result<Arc<Family<Gauge>>> {
    Ok(Arc::new(Family::new(
        Opts::new(format!("{PREFIX}{name}"), help).labels(&["destination"]),
    )?))
}

impl SelfMetrics {
    pub fn new(destination: &str) -> Result<SelfMetrics> {
        let d = destination;
        let sent = counter(
            "samples_sent_total",
            "Samples delivered to the destination.",
            &["destination"],
        )?;
        let histograms = counter(
            "histograms_sent_total",
            "Histograms delivered to the destination.",
            &["destination"],
        )?;
        let failed = counter(
            "samples_failed_total",
            "Samples of requests that failed and are retried, once per failed attempt.",
            &["destination"],
        )?;
        let dropped = counter(
            "samples_dropped_total",
            "Samples given up: displaced from a full queue, rejected by the destination, or \
             still queued when the sender stopped.",
            &["destination", "reason"],
        )?;
        let retries = counter(
            "retries_total",
            "Requests sent again after a failure.",
            &["destination"],
        )?;
        let requests = counter(
            "requests_total",
            "Requests to the destination by outcome.",
            &["destination", "outcome"],
        )?;
        let queue_bytes = gauge("queue_bytes", "Bytes of the batches waiting to be sent.")?;
        let queue_batches = gauge("queue_batches", "Batches waiting to be sent.")?;
        let last_success = gauge(
            "last_success_timestamp_seconds",
            "When a request to the destination last succeeded, in seconds since the epoch.",
        )?;
        let by = |family: &Family<Counter>, second: &str| family.with_label_values(&[d, second]);
        Ok(SelfMetrics {
            samples_sent: sent.with_label_values(&[d])?,
            histograms_sent: histograms.with_label_values(&[d])?,
            samples_failed: failed.with_label_values(&[d])?,
            dropped: [
                by(&dropped, REASONS[0])?,
                by(&dropped, REASONS[1])?,
                by(&dropped, REASONS[2])?,
            ],
            retries: retries.with_label_values(&[d])?,
            requests: [
                by(&requests, OUTCOMES[0])?,
                by(&requests, OUTCOMES[1])?,
                by(&requests, OUTCOMES[2])?,
                by(&requests, OUTCOMES[3])?,
                by(&requests, OUTCOMES[4])?,
                by(&requests, OUTCOMES[5])?,
            ],
            queue_bytes: queue_bytes.with_label_values(&[d])?,
            queue_batches: queue_batches.with_label_values(&[d])?,
            last_success: last_success.with_label_values(&[d])?,
            families: Families {
                counters: vec![sent, histograms, failed, dropped, retries, requests],
                gauges: vec![queue_bytes, queue_batches, last_success],
            },
        })
    }

    pub fn dropped(&self, reason: DropReason, samples: usize) {
        let child = &self.dropped[reason as usize];
        let _ = child.inc(samples as f64);
    }

    pub fn request(&self, outcome: RequestOutcome) {
        self.requests[outcome as usize].inc_one();
    }

    /// The queue's size, as the gauges show it.
    pub fn queue(&self, batches: usize, bytes: usize) {
        let _ = self.queue_batches.set(batches as f64);
        let _ = self.queue_bytes.set(bytes as f64);
    }
}

impl Collector for SelfMetrics {
    fn describe(&self) -> Vec<Descriptor> {
        // Nothing: see the module docs.
        Vec::new()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        for family in &self.families.counters {
            family.collect(out);
        }
        for family in &self.families.gauges {
            family.collect(out);
        }
    }

    fn name(&self) -> String {
        "prometheus_emulator_sender".into()
    }
}

/// Adds `amount` to a counter (a count of samples is never negative or NaN).
pub(crate) fn add(counter: &Counter, amount: usize) {
    if amount > 0 {
        let _ = counter.inc(amount as f64);
    }
}
