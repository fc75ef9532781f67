//! The HTTP exporter: serves a registry at `/metrics` for Prometheus to scrape.
//!
//! ```no_run
//! use prometheus_emulator::exporter::{Exporter, ExporterOptions};
//!
//! let exporter = Exporter::start(ExporterOptions::new("127.0.0.1:0"))?;
//! println!("scrape http://127.0.0.1:{}/metrics", exporter.port());
//! exporter.stop(); // joins every thread the exporter started
//! # Ok::<(), prometheus_emulator::exporter::ExporterError>(())
//! ```
//!
//! What it serves:
//! - `GET` and `HEAD /metrics`: the registry in the format the `Accept` header negotiates
//!   (OpenMetrics 1.0 or Prometheus text 0.0.4, each with its exact `Content-Type`), gzipped when
//!   `Accept-Encoding` allows, restricted to the families named by repeated `name[]` query
//!   parameters when there are any. Other methods get `405` with `Allow: GET, HEAD`.
//! - `/`: a short HTML page linking to `/metrics`. Anything else: `404`.
//! - Optional basic auth (`401` with `WWW-Authenticate: Basic realm="metrics"` otherwise) and
//!   TLS from PEM files.
//! - Collection under the scrape's deadline: a request carrying
//!   `X-Prometheus-Scrape-Timeout-Seconds` (as Prometheus sends it) has its custom collectors and
//!   callbacks collected on the exporter's collector threads and is answered, at the timeout less
//!   a margin, with what returned by then; `prometheus_emulator_collector_timeout_total
//!   {collector="…"}` counts each collector left out. See [`ExporterOptions::scrape_timeout_margin`]
//!   and the `deadline` module's docs for the rules.
//!
//! # Why not tiny_http
//!
//! The design called for `tiny_http`, but tiny_http 0.12 runs an accept thread and a pool of
//! per-connection threads that it never joins: after its server is dropped they linger for up to
//! five seconds, or until a stalled client's socket times out. A host that stops the exporter and
//! then `dlclose()`s the library would unmap code those threads still run. So this module is a
//! small HTTP/1.1 server of the library's own whose every thread is joined by [`Exporter::stop`]:
//! - one event-loop thread (`mio`: epoll) owns every socket: it accepts, reads request heads,
//!   writes answers and enforces each connection's deadline without blocking, so a client that
//!   connects and sends nothing, trickles its head (or TLS handshake) or reads slowly costs a
//!   socket and a small buffer, never a thread; stop wakes it through a `mio::Waker`;
//! - a fixed pool of workers (4 by default) renders answers to complete, valid requests (heads
//!   parsed by `httparse`), taken from a bounded queue, and writes a plain answer itself while the
//!   client keeps up (a few milliseconds at most); when the queue is full the request is answered
//!   `503` at once;
//! - deadlines on the whole of each operation: the first head and the TLS handshake before it
//!   (read timeout, 10 s by default), the idle time between keep-alive requests, each later head,
//!   each answer (write timeout); a bound on the request head (16 KiB and 100 fields: larger gets
//!   `431`), `400` for a malformed request, `505` for another HTTP version;
//! - a cap on open connections, in all and per peer address (1024 by default): at the cap the
//!   oldest idle connection is closed to make room, and a new one is refused with `503` at once
//!   only when every connection is busy with an answer.
//!
//! After `fork()`, the child has none of the exporter's threads: an inherited exporter is
//! stopped there, and stopping it (or dropping it) joins nothing and leaves the parent's
//! connections alone.
//!
//! Two details matter to C hosts. Writes never raise SIGPIPE (C programs do not ignore it as Rust
//! programs do): plain sockets are written with `send(MSG_NOSIGNAL)`, and TLS goes through a
//! wrapper that keeps rustls off `writev(2)`. And std's thread spawning registers a thread-local
//! destructor on the thread that calls [`Exporter::start`]; glibc keeps a library mapped after
//! `dlclose()` until every thread with a pending destructor of it has exited, so the unmapping
//! happens when that thread exits. That is safe, only later; `tests/exporter_ffi.rs` starts the
//! exporter from a short-lived thread and checks that `dlclose()` really unmaps the library.

mod auth;
mod connection;
mod deadline;
#[doc(hidden)]
pub mod fuzz;
mod handler;
mod http;
mod reactor;
mod server;
mod shared;
mod tls;

use std::fmt;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

pub use auth::BasicAuth;
pub use handler::METRICS_PATH;
pub use tls::TlsOptions;

use crate::registry::{Registry, default_registry};
use deadline::DeadlinePolicy;
use server::Server;
use shared::{Limits, Shared};

/// Worker threads when not configured: enough that one slow client does not hold up scrapes.
pub const DEFAULT_WORKERS: usize = 4;
/// Connections that may wait for a worker before new ones are refused with `503`.
pub const DEFAULT_MAX_PENDING_CONNECTIONS: usize = 64;
/// Read and write timeout when not configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head (request line and header fields) accepted when not configured.
pub const DEFAULT_MAX_HEAD_BYTES: usize = 16 * 1024;
/// Requests served on one keep-alive connection before it is closed, when not configured.
pub const DEFAULT_MAX_REQUESTS_PER_CONNECTION: usize = 1000;
/// Connections open at once when not configured (in all, and from one peer address): beyond it
/// the oldest idle connection is closed to make room.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// What is taken off the scrape timeout a scraper sends when not configured: time for encoding
/// and the network (the blackbox exporter's `--timeout-offset` default).
pub const DEFAULT_SCRAPE_TIMEOUT_MARGIN: Duration = Duration::from_millis(500);
/// Threads that collect under a scrape deadline, at most, when not configured.
pub const DEFAULT_COLLECTOR_THREADS: usize = 8;

/// The registry an exporter serves.
#[derive(Clone, Default)]
pub(crate) enum ServedRegistry {
    /// The process-wide [`default_registry`], with the process collector registered in it.
    #[default]
    Default,
    /// A registry of the caller's.
    Shared(Arc<Registry>),
}

impl fmt::Debug for ServedRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServedRegistry::Default => "Default",
            ServedRegistry::Shared(_) => "Shared",
        })
    }
}

impl ServedRegistry {
    /// The registry itself.
    pub(crate) fn get(&self) -> &Registry {
        match self {
            ServedRegistry::Default => default_registry(),
            ServedRegistry::Shared(registry) => registry,
        }
    }
}

/// How to start an exporter. Every setting but the address has a default.
#[derive(Clone, Debug)]
pub struct ExporterOptions {
    address: String,
    registry: ServedRegistry,
    workers: usize,
    max_pending_connections: usize,
    read_timeout: Duration,
    write_timeout: Duration,
    idle_timeout: Duration,
    max_head_bytes: usize,
    max_requests_per_connection: usize,
    max_connections: usize,
    max_connections_per_peer: usize,
    basic_auth: Option<BasicAuth>,
    tls: Option<TlsOptions>,
    scrape_timeout_margin: Duration,
    default_collection_timeout: Option<Duration>,
    max_collection_timeout: Option<Duration>,
    collector_threads: usize,
}

impl ExporterOptions {
    /// Options for an exporter listening on `address` (`host:port`; port 0 picks a free port,
    /// which [`Exporter::port`] reports). `0.0.0.0:9100` listens on every IPv4 interface,
    /// `[::]:9100` on every IPv6 one, `127.0.0.1:9100` on loopback only.
    /// The default registry is served unless [`registry`](Self::registry) names another.
    pub fn new(address: impl Into<String>) -> Self {
        ExporterOptions {
            address: address.into(),
            registry: ServedRegistry::Default,
            workers: DEFAULT_WORKERS,
            max_pending_connections: DEFAULT_MAX_PENDING_CONNECTIONS,
            read_timeout: DEFAULT_TIMEOUT,
            write_timeout: DEFAULT_TIMEOUT,
            idle_timeout: DEFAULT_TIMEOUT,
            max_head_bytes: DEFAULT_MAX_HEAD_BYTES,
            max_requests_per_connection: DEFAULT_MAX_REQUESTS_PER_CONNECTION,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_peer: DEFAULT_MAX_CONNECTIONS,
            basic_auth: None,
            tls: None,
            scrape_timeout_margin: DEFAULT_SCRAPE_TIMEOUT_MARGIN,
            default_collection_timeout: None,
            max_collection_timeout: None,
            collector_threads: DEFAULT_COLLECTOR_THREADS,
        }
    }

    /// Serves this registry instead of the default one.
    pub fn registry(mut self, registry: Arc<Registry>) -> Self {
        self.registry = ServedRegistry::Shared(registry);
        self
    }

    /// Number of worker threads rendering answers (1 to 1024). Connections are watched by one
    /// event-loop thread besides them, so idle or slow clients occupy no worker.
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Complete requests that may wait for a worker (1 to 65536); beyond that, requests are
    /// answered `503` at once.
    pub fn max_pending_connections(mut self, max: usize) -> Self {
        self.max_pending_connections = max;
        self
    }

    /// How long a request head may take to arrive in full (including the TLS handshake for the
    /// first request). A client that connects and sends nothing is closed after this.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// How long writing one answer may take in all; a client that reads too slowly is
    /// disconnected after it.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// How long a keep-alive connection may stay idle between requests.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The largest request head accepted (at least 1024 bytes); a larger one gets `431`.
    pub fn max_head_bytes(mut self, max: usize) -> Self {
        self.max_head_bytes = max;
        self
    }

    /// Requests served on one keep-alive connection before it is closed (at least 1).
    pub fn max_requests_per_connection(mut self, max: usize) -> Self {
        self.max_requests_per_connection = max;
        self
    }

    /// Connections open at once (1 to 1,000,000). At the cap the oldest idle connection (one that
    /// has sent nothing of a request) is closed to make room, then the oldest still sending its
    /// head; when every connection is busy with an answer, the new one is refused with `503`.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// The same cap for the connections of one peer address (1 to 1,000,000); by default, the
    /// total cap.
    pub fn max_connections_per_peer(mut self, max: usize) -> Self {
        self.max_connections_per_peer = max;
        self
    }

    /// Requires HTTP basic auth with these credentials on every path.
    pub fn basic_auth(mut self, auth: BasicAuth) -> Self {
        self.basic_auth = Some(auth);
        self
    }

    /// Serves HTTPS instead of HTTP.
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = Some(tls);
        self
    }

    /// What is taken off the timeout a scrape announces in `X-Prometheus-Scrape-Timeout-Seconds`
    /// to give the collectors their budget, leaving time to encode and send the answer: 0.5 s by
    /// default, and never more than half the timeout (a 1 s timeout gives collectors 0.5 s, a
    /// 0.5 s one 0.25 s). Within the budget the custom collectors and callbacks run on the
    /// exporter's collector threads, and one that has not returned by its end is left out of the
    /// answer and counted in `prometheus_emulator_collector_timeout_total{collector="…"}` (its
    /// label is [`Collector::name`](crate::collector::Collector::name)); the built-in families,
    /// read in place, are always there. Such a collector is not started again until it returns:
    /// later scrapes wait for the run in progress, within their own budget.
    ///
    /// [`Exporter::stop`] waits for every collector still running to return, so that no code of
    /// the exporter runs after it (a collector that never returns keeps it waiting, as it would
    /// keep a scrape without a deadline from ending).
    pub fn scrape_timeout_margin(mut self, margin: Duration) -> Self {
        self.scrape_timeout_margin = margin;
        self
    }

    /// The collection budget of a scrape that announces no timeout (no
    /// `X-Prometheus-Scrape-Timeout-Seconds`, or not a positive number of seconds): a `curl`,
    /// another scraper. Without it (the default) such a scrape collects every collector inline,
    /// on the worker, as long as they take, and no collector thread is started for it.
    pub fn default_collection_timeout(mut self, timeout: Duration) -> Self {
        self.default_collection_timeout = Some(timeout);
        self
    }

    /// The largest collection budget, whatever timeout a scrape announces (a scraper may send
    /// `3600`); by default the announced timeout less the margin, up to a year.
    pub fn max_collection_timeout(mut self, timeout: Duration) -> Self {
        self.max_collection_timeout = Some(timeout);
        self
    }

    /// Threads that collect under a deadline, at most (1 to 1024; 8 by default). They start as
    /// scrapes need them (one per collector running at once, none before the first scrape under
    /// a deadline) and stay until stop. A collector that overran holds its thread until it
    /// returns; when every thread is held, the other collectors wait their turn and time out like
    /// slow ones.
    pub fn collector_threads(mut self, threads: usize) -> Self {
        self.collector_threads = threads;
        self
    }

    /// The rules of collection under a deadline these options give.
    pub(crate) fn deadline_policy(&self) -> DeadlinePolicy {
        DeadlinePolicy {
            margin: self.scrape_timeout_margin,
            default: self.default_collection_timeout,
            max: self.max_collection_timeout,
        }
    }

    fn validate(&self) -> Result<(), ExporterError> {
        let invalid = |what: &str| Err(ExporterError::InvalidOptions(what.into()));
        if !(1..=1024).contains(&self.workers) {
            return invalid("workers must be between 1 and 1024");
        }
        // The queue's slots are allocated up front.
        if !(1..=65_536).contains(&self.max_pending_connections) {
            return invalid("max_pending_connections must be between 1 and 65536");
        }
        let timeouts = [self.read_timeout, self.write_timeout, self.idle_timeout];
        if timeouts.iter().any(Duration::is_zero) {
            return invalid("timeouts must be greater than zero");
        }
        if self.max_head_bytes < 1024 {
            return invalid("max_head_bytes must be at least 1024");
        }
        if self.max_requests_per_connection == 0 {
            return invalid("max_requests_per_connection must be at least 1");
        }
        if !(1..=1024).contains(&self.collector_threads) {
            return invalid("collector_threads must be between 1 and 1024");
        }
        let collection = [self.default_collection_timeout, self.max_collection_timeout];
        if collection.iter().flatten().any(Duration::is_zero) {
            return invalid("collection timeouts must be greater than zero");
        }
        let caps = [self.max_connections, self.max_connections_per_peer];
        if caps.iter().any(|cap| !(1..=1_000_000).contains(cap)) {
            return invalid(
                "max_connections and max_connections_per_peer must be between 1 and 1000000",
            );
        }
        Ok(())
    }
}

/// Why an exporter could not start.
#[derive(Debug)]
pub enum ExporterError {
    /// An option out of range, or malformed credentials.
    InvalidOptions(String),
    /// The address could not be resolved or bound (in use, not local, no permission).
    Bind {
        address: String,
        source: std::io::Error,
    },
    /// The certificate or key could not be read or used.
    Tls(String),
    /// A thread could not be started.
    Spawn(std::io::Error),
}

impl fmt::Display for ExporterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExporterError::InvalidOptions(what) => write!(f, "invalid exporter options: {what}"),
            ExporterError::Bind { address, source } => {
                write!(f, "cannot listen on {address}: {source}")
            }
            ExporterError::Tls(what) => write!(f, "TLS setup failed: {what}"),
            ExporterError::Spawn(source) => write!(f, "cannot start exporter thread: {source}"),
        }
    }
}

impl std::error::Error for ExporterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExporterError::Bind { source, .. } | ExporterError::Spawn(source) => Some(source),
            _ => None,
        }
    }
}

/// A running exporter. [`stop`](Exporter::stop) (or dropping it) stops accepting, closes every
/// connection and joins every thread it started; after that no code of the exporter runs.
/// Several exporters may run in one process, on different ports or registries.
pub struct Exporter {
    server: Server,
}

impl fmt::Debug for Exporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exporter")
            .field("local_addr", &self.local_addr())
            .finish_non_exhaustive()
    }
}

impl Exporter {
    /// Binds the address and starts serving. Returns once the socket listens, so a scrape can
    /// follow at once.
    pub fn start(options: ExporterOptions) -> Result<Exporter, ExporterError> {
        options.validate()?;
        let tls = options
            .tls
            .as_ref()
            .map(TlsOptions::server_config)
            .transpose()?;
        let listener =
            TcpListener::bind(options.address.as_str()).map_err(|source| ExporterError::Bind {
                address: options.address.clone(),
                source,
            })?;
        let limits = Limits {
            read_timeout: options.read_timeout,
            write_timeout: options.write_timeout,
            idle_timeout: options.idle_timeout,
            max_head_bytes: options.max_head_bytes,
            max_requests_per_connection: options.max_requests_per_connection,
            max_connections: options.max_connections,
            max_connections_per_peer: options
                .max_connections_per_peer
                .min(options.max_connections),
        };
        let deadline = options.deadline_policy();
        let shared = Arc::new(Shared::new(
            options.registry,
            options.basic_auth,
            tls,
            limits,
            deadline,
            options.collector_threads,
        ));
        let server = Server::start(
            listener,
            shared,
            options.workers,
            options.max_pending_connections,
        )
        .map_err(ExporterError::Spawn)?;
        Ok(Exporter { server })
    }

    /// The address the exporter listens on, with the port actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// The port the exporter listens on: the one asked for, or the one picked for port 0.
    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// Stops the exporter and joins its threads. In-flight connections are shut down, not
    /// drained: a scrape in progress fails, as it would if the process exited. A collector still
    /// running on a collector thread (one that overran a scrape's deadline) is waited for: stop
    /// returns once it has, so that no code of the exporter runs afterwards.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        self.server.stop();
    }
}

/// Starts an exporter for the default registry on `address`, as client_python's
/// `start_http_server` does.
pub fn start_http_server(address: &str) -> Result<Exporter, ExporterError> {
    Exporter::start(ExporterOptions::new(address))
}
