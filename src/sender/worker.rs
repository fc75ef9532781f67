//! The sender's thread: every interval it gathers the registry, encodes what it gathered (stamped
//! with the time of the collection) and queues it; it sends the queued batches oldest first, one
//! request at a time, waiting between failed attempts; and it answers flush and stop, which wake
//! it through a condition variable rather than waiting for the interval.
//!
//! Everything the thread works with (the queue, the backoff, the protocol in use) is its own; the
//! control block it shares with the [`Sender`](super::Sender) holds only requests (flush, stop)
//! and what is reported back (progress, the last error), under a short lock that is never held
//! while collecting or sending.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::backoff::Backoff;
use super::options::{SenderOptions, SenderProtocol};
use super::queue::{Batch, Queue};
use super::self_metrics::{DropReason, RequestOutcome, SelfMetrics, add};
use super::transport::{Answer, Transport};
use crate::exposition::remote::{EncodeOptions, Protocol, encode};
use crate::registry::{Registry, default_registry};
use crate::snapshot::MetricFamily;

/// What the sender's handle and its thread share.
pub(crate) struct Shared {
    control: Mutex<Control>,
    /// Wakes the thread: a flush or a stop was asked for.
    wake: Condvar,
    /// Wakes the callers of flush and stop: the thread made progress or finished.
    done: Condvar,
}

/// Requests to the thread and its reports, under [`Shared::control`].
#[derive(Debug)]
pub(crate) struct Control {
    /// How many flushes (stop counts as one) were asked for.
    pub flush_requested: u64,
    /// The last flush whose collection the thread made and whose queue it then emptied.
    pub flush_done: u64,
    /// When stop was asked for, its deadline.
    pub stop_deadline: Option<Instant>,
    /// The thread has returned (or is about to: nothing more will change).
    pub finished: bool,
    pub pending_batches: usize,
    /// Batches given up so far, for any reason (queue full, rejected, stopped).
    pub dropped_batches: u64,
    /// Batches still queued when stop's deadline passed, given up.
    pub abandoned_batches: usize,
    pub last_error: Option<String>,
    /// What the thread encodes with now (Remote Write 2.0 until a fallback).
    pub protocol: Protocol,
}

impl Shared {
    pub fn new(protocol: Protocol) -> Self {
        Shared {
            control: Mutex::new(Control {
                flush_requested: 0,
                flush_done: 0,
                stop_deadline: None,
                finished: false,
                pending_batches: 0,
                dropped_batches: 0,
                abandoned_batches: 0,
                last_error: None,
                protocol,
            }),
            wake: Condvar::new(),
            done: Condvar::new(),
        }
    }

    /// The control block (a panic elsewhere cannot leave it inconsistent: every change is a
    /// plain field store).
    pub fn lock(&self) -> MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn wake_thread(&self) {
        self.wake.notify_all();
    }

    /// Waits for the thread's progress until `deadline` (`None`: as long as it takes).
    pub fn wait_done<'a>(
        &self,
        guard: MutexGuard<'a, Control>,
        deadline: Option<Instant>,
    ) -> MutexGuard<'a, Control> {
        match deadline {
            None => self
                .done
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.done
                    .wait_timeout(guard, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
        }
    }
}

thread_local! {
    /// On a sender's thread, the address of its `Shared`; 0 elsewhere. A plain integer with a
    /// const initialiser: no thread-local destructor is registered (see `exporter::server`).
    static SENDING: Cell<usize> = const { Cell::new(0) };
}

/// Whether the calling thread is the thread of the sender sharing `shared` (which cannot join
/// itself: a collector that stops its own sender runs there).
pub(crate) fn on_own_thread(shared: &Arc<Shared>) -> bool {
    SENDING.get() == Arc::as_ptr(shared) as usize
}

/// The protocol a sender starts with.
pub(crate) fn initial_protocol(protocol: SenderProtocol) -> Protocol {
    match protocol {
        SenderProtocol::RemoteWrite => Protocol::RemoteWriteV2,
        SenderProtocol::RemoteWriteV1 => Protocol::RemoteWriteV1,
        SenderProtocol::Otlp => Protocol::Otlp,
    }
}

/// The thread's own state.
pub(crate) struct Worker {
    shared: Arc<Shared>,
    registry: Option<Arc<Registry>>,
    transport: Transport,
    metrics: Arc<SelfMetrics>,
    queue: Queue,
    backoff: Backoff,
    configured: SenderProtocol,
    protocol: Protocol,
    /// Whether the destination took a Remote Write 2.0 request: from then on batches keep no
    /// families for a re-encoding.
    accepted_v2: bool,
    encode_options: EncodeOptions,
    interval: Duration,
    max_retry_after: Duration,
    /// When the oldest batch may be sent again, after a failure.
    retry_at: Option<Instant>,
}

impl Worker {
    pub fn new(
        shared: Arc<Shared>,
        registry: Option<Arc<Registry>>,
        transport: Transport,
        metrics: Arc<SelfMetrics>,
        options: &SenderOptions,
    ) -> Self {
        let resource_attributes = match options.protocol {
            SenderProtocol::Otlp => options.effective_resource_attributes(),
            _ => Vec::new(),
        };
        Worker {
            shared,
            registry,
            transport,
            metrics,
            queue: Queue::new(options.max_queue_bytes, options.max_queue_batches),
            backoff: Backoff::new(options.backoff_min, options.backoff_max),
            configured: options.protocol,
            protocol: initial_protocol(options.protocol),
            accepted_v2: false,
            encode_options: EncodeOptions {
                external_labels: options.external_labels.clone(),
                resource_attributes,
                timestamp_ms: 0,
            },
            interval: options.interval,
            max_retry_after: options.max_retry_after,
            retry_at: None,
        }
    }

    /// The thread's body: returns once stop was asked for and the queue is empty, or stop's
    /// deadline passed.
    pub fn run(mut self) {
        SENDING.set(Arc::as_ptr(&self.shared) as usize);
        // Whatever happens (a bug that panics included), the callers waiting in flush or stop
        // learn that the thread is done.
        let _finish = Finish(self.shared.clone());
        let mut collected = 0u64;
        let mut next_collection = Instant::now() + self.interval;
        loop {
            let (flush, stop) = {
                let control = self.shared.lock();
                (control.flush_requested, control.stop_deadline)
            };
            let now = Instant::now();
            if stop.is_some_and(|deadline| now >= deadline) {
                self.abandon();
                return;
            }
            let asked = flush > collected;
            if asked || now >= next_collection {
                self.collect();
                collected = flush;
                next_collection = if asked {
                    now + self.interval
                } else {
                    // A collection made late (a slow request held the thread) does not make the
                    // next ones bunch up.
                    (next_collection + self.interval).max(now + self.interval / 2)
                };
            }
            if !self.queue.is_empty() && self.retry_at.is_none_or(|at| now >= at) {
                let limit = stop.map(|deadline| deadline.saturating_duration_since(now));
                self.send_oldest(limit);
                self.publish();
                continue;
            }
            if self.queue.is_empty() {
                let mut control = self.shared.lock();
                if control.flush_done < collected {
                    control.flush_done = collected;
                    self.shared.done.notify_all();
                }
                if stop.is_some() {
                    return;
                }
            }
            let mut wake_at = next_collection;
            if let (false, Some(at)) = (self.queue.is_empty(), self.retry_at) {
                wake_at = wake_at.min(at);
            }
            if let Some(deadline) = stop {
                wake_at = wake_at.min(deadline);
            }
            let mut control = self.shared.lock();
            while control.flush_requested == flush && control.stop_deadline == stop {
                let now = Instant::now();
                if now >= wake_at {
                    break;
                }
                control = self
                    .shared
                    .wake
                    .wait_timeout(control, wake_at - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
    }

    fn registry(&self) -> &Registry {
        self.registry
            .as_deref()
            .unwrap_or_else(|| default_registry())
    }

    /// Gathers, encodes and queues one batch.
    fn collect(&mut self) {
        // A collector that panics costs this collection, not the sender.
        let families = match catch_unwind(AssertUnwindSafe(|| self.registry().gather())) {
            Ok(families) => families,
            Err(_) => {
                self.shared.lock().last_error =
                    Some("a collector panicked: this collection is skipped".into());
                return;
            }
        };
        // Strictly after the last collection's: two collections in one millisecond (a flush
        // right after an interval's) would give a series two values at one timestamp, which a
        // receiver refuses as a duplicate sample ("overrides not allowed").
        self.encode_options.timestamp_ms = unix_millis().max(self.encode_options.timestamp_ms + 1);
        let batch = self.encode(families, self.encode_options.timestamp_ms);
        if batch.samples + batch.histograms == 0 {
            return;
        }
        let displaced = self.queue.push(batch);
        if displaced.batches > 0 {
            self.metrics.dropped(
                DropReason::QueueFull,
                displaced.samples + displaced.histograms,
            );
            let mut control = self.shared.lock();
            control.dropped_batches += displaced.batches as u64;
            control.last_error = Some(format!(
                "the queue is full: {} batch(es) dropped, oldest first",
                displaced.batches
            ));
        }
        self.publish();
    }

    /// A batch of `families` in the protocol in use.
    ///
    /// A Remote Write 2.0 batch keeps its families until the destination has taken a 2.0
    /// request: should it answer 415 instead, the batch (and every other queued one) is encoded
    /// again as 1.0 from them, with the timestamp of its collection, so nothing collected is lost
    /// to the fallback. Re-gathering instead would lose what changed since (a counter's earlier
    /// value, a gauge's), and decoding our own 2.0 bodies back would need a decoder. Their cost
    /// counts in the queue's bytes, so the bound holds; it lasts only until the first 2.0
    /// success, and Remote Write 1.0 and OTLP batches never pay it.
    fn encode(&self, families: Vec<MetricFamily>, timestamp_ms: i64) -> Batch {
        let options = EncodeOptions {
            timestamp_ms,
            ..self.encode_options.clone()
        };
        let encoded = encode(self.protocol, &families, &options);
        let keep = self.protocol == Protocol::RemoteWriteV2 && !self.accepted_v2;
        let mut batch = Batch {
            body: encoded.body,
            content_type: encoded.content_type,
            headers: encoded.headers,
            protocol: self.protocol,
            samples: encoded.samples,
            histograms: encoded.histograms,
            timestamp_ms,
            families: keep.then_some(families),
            bytes: 0,
        };
        batch.account();
        batch
    }

    /// One request for the oldest batch, and what its answer means for the queue.
    fn send_oldest(&mut self, limit: Option<Duration>) {
        if limit.is_some_and(|left| left.is_zero()) {
            return;
        }
        let Some(batch) = self.queue.front() else {
            return;
        };
        let (samples, histograms, sent_as) = (batch.samples, batch.histograms, batch.protocol);
        match self.transport.send(batch, limit) {
            Answer::Delivered => {
                self.queue.pop();
                self.metrics.request(RequestOutcome::Success);
                add(&self.metrics.samples_sent, samples);
                add(&self.metrics.histograms_sent, histograms);
                self.metrics.last_success.set_to_current_time();
                self.backoff.reset();
                self.retry_at = None;
                if sent_as == Protocol::RemoteWriteV2 && !self.accepted_v2 {
                    self.accepted_v2 = true;
                    self.queue.rewrite(|batch| batch.families = None);
                }
            }
            Answer::Retry {
                outcome,
                retry_after,
                message,
            } => {
                self.metrics.request(outcome);
                add(&self.metrics.samples_failed, samples + histograms);
                self.metrics.retries.inc_one();
                let backoff = self.backoff.fail();
                let asked = retry_after.map_or(Duration::ZERO, |d| d.min(self.max_retry_after));
                self.retry_at = Some(Instant::now() + backoff.max(asked));
                self.shared.lock().last_error = Some(message);
            }
            Answer::Unsupported { message }
                if sent_as == Protocol::RemoteWriteV2
                    && self.configured == SenderProtocol::RemoteWrite =>
            {
                self.metrics.request(RequestOutcome::Unsupported);
                self.fall_back(&message);
            }
            Answer::Unsupported { message } | Answer::Rejected { message } => {
                self.queue.pop();
                self.metrics.request(RequestOutcome::Rejected);
                self.metrics
                    .dropped(DropReason::Rejected, samples + histograms);
                self.backoff.reset();
                self.retry_at = None;
                let mut control = self.shared.lock();
                control.dropped_batches += 1;
                control.last_error = Some(message);
            }
        }
    }

    /// The destination does not take Remote Write 2.0: every queued 2.0 batch is encoded again
    /// as 1.0 from its families, and later collections are encoded as 1.0 (for the life of this
    /// sender). Reported once, in the last error and in `requests_total{outcome="unsupported"}`
    /// (once per sender: every later batch is 1.0, so no 2.0 request is refused again).
    fn fall_back(&mut self, message: &str) {
        self.protocol = Protocol::RemoteWriteV1;
        let options = self.encode_options.clone();
        self.queue.rewrite(|batch| {
            if batch.protocol != Protocol::RemoteWriteV2 {
                return;
            }
            let Some(families) = batch.families.take() else {
                return;
            };
            let encoded = encode(
                Protocol::RemoteWriteV1,
                &families,
                &EncodeOptions {
                    timestamp_ms: batch.timestamp_ms,
                    ..options.clone()
                },
            );
            batch.body = encoded.body;
            batch.content_type = encoded.content_type;
            batch.headers = encoded.headers;
            batch.protocol = Protocol::RemoteWriteV1;
            batch.samples = encoded.samples;
            batch.histograms = encoded.histograms;
        });
        // A 2.0 batch without its families (the destination took 2.0 before, and now refuses
        // it) cannot be encoded again: it is dropped, as a rejected one.
        let lost = self
            .queue
            .remove_where(|batch| batch.protocol == Protocol::RemoteWriteV2);
        self.retry_at = None;
        let mut control = self.shared.lock();
        if lost.batches > 0 {
            self.metrics
                .dropped(DropReason::Rejected, lost.samples + lost.histograms);
            control.dropped_batches += lost.batches as u64;
        }
        control.protocol = Protocol::RemoteWriteV1;
        control.last_error = Some(format!(
            "{message}: falling back to Remote Write 1.0 for this destination"
        ));
    }

    /// Stop's deadline passed: what is still queued is given up.
    fn abandon(&mut self) {
        let batches = self.queue.len();
        let (samples, histograms) = self.queue.pending();
        while self.queue.pop().is_some() {}
        self.publish();
        if batches > 0 {
            self.metrics
                .dropped(DropReason::Stopped, samples + histograms);
            let mut control = self.shared.lock();
            control.dropped_batches += batches as u64;
            control.abandoned_batches = batches;
        }
    }

    /// The queue's size, for the gauges and for flush and stop.
    fn publish(&self) {
        self.metrics.queue(self.queue.len(), self.queue.bytes());
        self.shared.lock().pending_batches = self.queue.len();
    }
}

/// Marks the thread finished when it returns or unwinds.
struct Finish(Arc<Shared>);

impl Drop for Finish {
    fn drop(&mut self) {
        let mut control = self.0.lock();
        control.finished = true;
        self.0.done.notify_all();
    }
}

fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
