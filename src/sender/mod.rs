//! The push sender: a thread of the library's own that collects a registry every interval and
//! sends it to a Prometheus Remote Write receiver (2.0, falling back to 1.0) or an OTLP/HTTP
//! metrics endpoint.
//!
//! ```no_run
//! use std::time::Duration;
//! use prometheus_emulator::sender::{Sender, SenderOptions};
//!
//! let options = SenderOptions::new("http://prometheus:9090/api/v1/write")
//!     .interval(Duration::from_secs(15))
//!     .external_label("job", "batch");
//! let sender = Sender::start(None, options)?; // None: the default registry
//! // … the program updates its metrics; nothing it does waits for the sender …
//! sender.stop(Duration::from_secs(5))?; // a last collection, sent within 5 s; the thread joined
//! # Ok::<(), prometheus_emulator::sender::SenderError>(())
//! ```
//!
//! **What it sends.** Every interval the thread gathers the registry ([`Registry::gather`]),
//! encodes it (`crate::exposition::remote`) with the time of the collection as every point's
//! timestamp, and queues the batch; it sends queued batches oldest first, one request at a time.
//! [`Sender::flush`] collects at once and waits until everything queued is sent;
//! [`Sender::stop`] does the same within its deadline and then joins the thread.
//!
//! **Failures.** `5xx`, `429` and requests without an answer (no connection, timeout, broken
//! connection) are retried after a jittered backoff that doubles from
//! [`SenderOptions::backoff`]'s minimum to its maximum, or after the receiver's `Retry-After`
//! (seconds or an HTTP-date) when that is longer, capped by [`SenderOptions::max_retry_after`].
//! Any other status drops the batch (counted, the answer's body kept as the last error), except
//! `415 Unsupported Media Type` to a Remote Write 2.0 request, which switches this destination to
//! Remote Write 1.0: that batch and the queued ones are encoded again as 1.0 and sent, and so is
//! every later one. Redirects are not followed.
//!
//! **Bounded.** The queue holds at most [`SenderOptions::max_queue_batches`] batches and
//! [`SenderOptions::max_queue_bytes`] bytes (bodies, plus the families a 2.0 batch keeps for a
//! fallback until the destination has taken one 2.0 request). A new batch that does not fit
//! displaces the oldest: while the receiver is down every collection still happens, and the
//! queue keeps the most recent ones. An update of a metric never waits for the sender; the one
//! lock the sender shares with other threads guards its small control block and is never held
//! while collecting or sending.
//!
//! **Self-metrics** (see `self_metrics`): `prometheus_emulator_sender_*` series labelled
//! `destination`, registered in the registry the sender collects at start and unregistered at
//! stop, so they travel with the data.
//!
//! **Threads and timing.** The thread collects, so custom collectors and callback metrics run
//! on it; one that blocks holds up the sender (not the program). A collection waits for a
//! request in flight (at most the request timeout). Stop's deadline bounds the requests it waits
//! for: when it passes, the request in flight is cut (the sender's agent is shut down) and what
//! is still queued is dropped and counted. Two waits are outside every deadline: resolving a host
//! name (on the sender's thread, bounded by the system resolver's timeouts) and a TCP connect in
//! progress (bounded by the connect timeout).
//!
//! **fork().** A child process forked while a sender runs has no sender thread: the handle it
//! inherited is stopped there. In the child, [`Sender::flush`] fails with
//! [`SenderError::Stopped`], [`Sender::stop`] (and dropping the handle) joins nothing, touches
//! none of the parent's state (the control block's lock may have been held by the parent's thread
//! at the fork) and only unregisters the self-metrics from the child's registry, which otherwise
//! show the values of the moment of the fork. The child starts a sender of its own if it wants one.

mod backoff;
mod options;
mod queue;
pub mod self_metrics;
mod transport;
mod worker;

use std::fmt;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

pub use options::{
    DEFAULT_BACKOFF_MAX, DEFAULT_BACKOFF_MIN, DEFAULT_CONNECT_TIMEOUT, DEFAULT_INTERVAL,
    DEFAULT_MAX_QUEUE_BATCHES, DEFAULT_MAX_QUEUE_BYTES, DEFAULT_MAX_RETRY_AFTER, DEFAULT_TIMEOUT,
    MIN_INTERVAL, SenderAuth, SenderOptions, SenderProtocol,
};

use crate::collector::Collector;
use crate::exposition::remote::Protocol;
use crate::registry::{Registry, default_registry};
use self_metrics::SelfMetrics;
use transport::Transport;
use worker::{Shared, Worker, initial_protocol, on_own_thread};

/// How long dropping a running sender lets it send what is pending.
pub const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a sender did not start, or a flush or stop did not deliver everything.
#[derive(Debug)]
#[non_exhaustive]
pub enum SenderError {
    /// A setting out of range, a bad URL or header, an unreadable CA file.
    InvalidOptions(String),
    /// The thread could not be started.
    Spawn(std::io::Error),
    /// The deadline passed with batches still unsent (for stop: dropped, and counted).
    DeadlinePassed {
        pending_batches: usize,
        last_error: Option<String>,
    },
    /// Everything was taken off the queue in time, but some batches were dropped instead of
    /// delivered: rejected by the receiver (a 4xx), or displaced from a full queue.
    Dropped {
        batches: u64,
        last_error: Option<String>,
    },
    /// The sender is stopped, or this process is a child forked from the one that started it.
    Stopped(String),
}

impl fmt::Display for SenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = |f: &mut fmt::Formatter<'_>, last: &Option<String>| match last {
            Some(last) => write!(f, " (last error: {last})"),
            None => Ok(()),
        };
        match self {
            SenderError::InvalidOptions(what) => write!(f, "invalid sender options: {what}"),
            SenderError::Spawn(source) => write!(f, "cannot start the sender thread: {source}"),
            SenderError::DeadlinePassed {
                pending_batches,
                last_error,
            } => {
                write!(
                    f,
                    "the deadline passed with {pending_batches} batch(es) unsent"
                )?;
                last(f, last_error)
            }
            SenderError::Dropped {
                batches,
                last_error,
            } => {
                write!(f, "{batches} batch(es) dropped instead of delivered")?;
                last(f, last_error)
            }
            SenderError::Stopped(why) => write!(f, "the sender is stopped: {why}"),
        }
    }
}

impl std::error::Error for SenderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SenderError::Spawn(source) => Some(source),
            _ => None,
        }
    }
}

/// What a sender reports of itself (besides its self-metrics).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SenderStats {
    /// Batches waiting to be sent.
    pub pending_batches: usize,
    /// Batches given up so far (queue full, rejected, abandoned at stop).
    pub dropped_batches: u64,
    /// What the sender encodes with now: Remote Write 2.0 until a fallback to 1.0.
    pub protocol: Protocol,
    /// The last failure: a receiver's answer with its body, a connection error, a full queue.
    pub last_error: Option<String>,
}

/// A running sender. [`stop`](Sender::stop) (or dropping it, which allows
/// [`DEFAULT_STOP_TIMEOUT`]) makes a last collection, sends what is pending within the deadline
/// and joins the thread; after that no code of the sender runs, so a C host may `dlclose()` the
/// library. Every method takes `&self` and may be called from any thread.
pub struct Sender {
    shared: Arc<Shared>,
    /// The thread, until stop joins it; held by stop for its whole length, so a second stop
    /// returns once the first has joined.
    thread: std::sync::Mutex<Option<JoinHandle<()>>>,
    /// A handle on the thread's agent, to cut a request in flight when stop's deadline passes.
    agent: ureq::Agent,
    /// The process that started the sender: in any other (a forked child) its thread does not
    /// exist.
    pid: u32,
    registry: Option<Arc<Registry>>,
    self_metrics: Arc<dyn Collector>,
    destination: String,
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("destination", &self.destination)
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// Starts a sender for `registry` (`None`: the default registry). Returns once the thread
    /// runs; its first collection is one interval later (or at the first [`flush`](Self::flush)).
    /// The options are checked first, and the CA file read, so nothing starts with bad ones.
    pub fn start(
        registry: Option<Arc<Registry>>,
        options: SenderOptions,
    ) -> Result<Sender, SenderError> {
        options.validate()?;
        let transport = Transport::new(&options).map_err(SenderError::InvalidOptions)?;
        let agent = transport.agent();
        let destination = options.destination_label().to_owned();
        let metrics = Arc::new(SelfMetrics::new(&destination).map_err(|e| {
            SenderError::InvalidOptions(format!("destination {destination:?}: {e}"))
        })?);
        let self_metrics: Arc<dyn Collector> = metrics.clone();
        let target = registry.as_deref().unwrap_or_else(|| default_registry());
        target
            .register(self_metrics.clone())
            .map_err(|e| SenderError::InvalidOptions(format!("self-metrics: {e}")))?;
        let shared = Arc::new(Shared::new(initial_protocol(options.protocol)));
        let worker = Worker::new(
            shared.clone(),
            registry.clone(),
            transport,
            metrics,
            &options,
        );
        let spawned = thread::Builder::new()
            .name("pe-sender".into())
            .spawn(move || worker.run());
        let handle = match spawned {
            Ok(handle) => handle,
            Err(e) => {
                let _ = target.unregister(&self_metrics);
                return Err(SenderError::Spawn(e));
            }
        };
        Ok(Sender {
            shared,
            thread: std::sync::Mutex::new(Some(handle)),
            agent,
            pid: std::process::id(),
            registry,
            self_metrics,
            destination,
        })
    }

    /// The `destination` label of the self-metrics.
    pub fn destination(&self) -> &str {
        &self.destination
    }

    fn in_forked_child(&self) -> bool {
        self.pid != std::process::id()
    }

    fn forked() -> SenderError {
        SenderError::Stopped(
            "this process is a child forked from the one that started the sender, whose thread \
             is not here"
                .into(),
        )
    }

    /// Collects now and waits until everything queued (this collection included) has been
    /// taken off the queue, or `timeout` has passed. `Ok` when every batch was delivered;
    /// [`SenderError::DeadlinePassed`] when batches are still pending (they stay queued and are
    /// sent later); [`SenderError::Dropped`] when some were dropped meanwhile (rejected, or
    /// displaced). Retries keep their backoff: a flush does not make the sender hammer a
    /// receiver that asked it to wait.
    pub fn flush(&self, timeout: Duration) -> Result<(), SenderError> {
        if self.in_forked_child() {
            return Err(Self::forked());
        }
        let deadline = Instant::now() + timeout;
        let mut control = self.shared.lock();
        if control.finished || control.stop_deadline.is_some() {
            return Err(SenderError::Stopped("stop was called".into()));
        }
        control.flush_requested += 1;
        let asked = control.flush_requested;
        let dropped_before = control.dropped_batches;
        self.shared.wake_thread();
        if on_own_thread(&self.shared) {
            // A collector flushing its own sender cannot wait for itself.
            return Ok(());
        }
        loop {
            if control.flush_done >= asked {
                break;
            }
            if control.finished {
                return Err(SenderError::Stopped("stop was called".into()));
            }
            if Instant::now() >= deadline {
                return Err(SenderError::DeadlinePassed {
                    pending_batches: control.pending_batches.max(1),
                    last_error: control.last_error.clone(),
                });
            }
            control = self.shared.wait_done(control, Some(deadline));
        }
        if control.dropped_batches > dropped_before {
            return Err(SenderError::Dropped {
                batches: control.dropped_batches - dropped_before,
                last_error: control.last_error.clone(),
            });
        }
        Ok(())
    }

    /// Stops the sender: a last collection, then what is queued is sent until it is all sent or
    /// `timeout` has passed; then the request in flight is cut, what is left is dropped (and
    /// counted), the thread is joined and the self-metrics unregistered. `Ok` when everything was
    /// delivered; [`SenderError::DeadlinePassed`] or [`SenderError::Dropped`] otherwise. A
    /// sender stopped already returns `Ok` at once. In a forked child, see the module docs.
    pub fn stop(&self, timeout: Duration) -> Result<(), SenderError> {
        if self.in_forked_child() {
            self.abandon_in_child();
            return Ok(());
        }
        let mut thread = self.thread.lock().unwrap_or_else(|e| e.into_inner());
        let Some(handle) = thread.take() else {
            return Ok(());
        };
        let deadline = Instant::now() + timeout;
        let mut control = self.shared.lock();
        control.stop_deadline = Some(deadline);
        control.flush_requested += 1;
        let dropped_before = control.dropped_batches;
        self.shared.wake_thread();
        if on_own_thread(&self.shared) {
            // A collector stopping its own sender: the thread ends right after it returns.
            drop(control);
            std::mem::forget(handle);
            self.unregister();
            return Ok(());
        }
        while !control.finished && Instant::now() < deadline {
            control = self.shared.wait_done(control, Some(deadline));
        }
        if !control.finished {
            // Cut the request in flight; the thread then sees the deadline passed and returns.
            self.agent.clone().shutdown();
            while !control.finished {
                control = self.shared.wait_done(control, None);
            }
        }
        let result = if control.abandoned_batches > 0 {
            Err(SenderError::DeadlinePassed {
                pending_batches: control.abandoned_batches,
                last_error: control.last_error.clone(),
            })
        } else if control.dropped_batches > dropped_before {
            Err(SenderError::Dropped {
                batches: control.dropped_batches - dropped_before,
                last_error: control.last_error.clone(),
            })
        } else {
            Ok(())
        };
        drop(control);
        let _ = handle.join();
        self.unregister();
        result
    }

    /// What the sender reports of itself now.
    pub fn stats(&self) -> Result<SenderStats, SenderError> {
        if self.in_forked_child() {
            return Err(Self::forked());
        }
        let control = self.shared.lock();
        Ok(SenderStats {
            pending_batches: control.pending_batches,
            dropped_batches: control.dropped_batches,
            protocol: control.protocol,
            last_error: control.last_error.clone(),
        })
    }

    fn unregister(&self) {
        let registry = self
            .registry
            .as_deref()
            .unwrap_or_else(|| default_registry());
        let _ = registry.unregister(&self.self_metrics);
    }

    /// Stop in a forked child: the thread is the parent's and does not exist here, and the
    /// control block's lock may have been held by it at the fork, so neither is touched; the
    /// thread's handle is forgotten (never joined or detached).
    fn abandon_in_child(&self) {
        if let Ok(mut thread) = self.thread.try_lock() {
            std::mem::forget(thread.take());
        }
        self.unregister();
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.stop(DEFAULT_STOP_TIMEOUT);
    }
}
