//! What the exporter's threads share (the registry, the credentials, the limits, the collection
//! deadline and its threads, the stop flag) and the messages between them: a complete request for a worker, an encoded answer for the
//! event loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls::ServerConfig;

use super::ServedRegistry;
use super::auth::BasicAuth;
use super::deadline::{CollectorPool, DeadlinePolicy};
use super::http::{self, Request, Response};

/// Limits that apply to every connection.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    /// How long a request head (and, on a new TLS connection, the handshake before it) may take
    /// to arrive, from the first byte awaited to the last.
    pub read_timeout: Duration,
    /// How long writing one answer may take, from its first byte to its last.
    pub write_timeout: Duration,
    /// How long a keep-alive connection may stay idle between requests.
    pub idle_timeout: Duration,
    pub max_head_bytes: usize,
    pub max_requests_per_connection: usize,
    /// Connections open at once; beyond it the oldest idle one is closed, or the new one refused.
    pub max_connections: usize,
    /// The same, for the connections of one peer address.
    pub max_connections_per_peer: usize,
}

/// What the threads share.
pub(crate) struct Shared {
    pub registry: ServedRegistry,
    pub basic_auth: Option<BasicAuth>,
    pub tls: Option<Arc<ServerConfig>>,
    pub limits: Limits,
    /// How long a scrape may collect.
    pub deadline: DeadlinePolicy,
    /// The threads that collect under a deadline, started on demand.
    pub collectors: Arc<CollectorPool>,
    stopping: AtomicBool,
}

impl Shared {
    pub fn new(
        registry: ServedRegistry,
        basic_auth: Option<BasicAuth>,
        tls: Option<Arc<ServerConfig>>,
        limits: Limits,
        deadline: DeadlinePolicy,
        collector_threads: usize,
    ) -> Self {
        Shared {
            registry,
            basic_auth,
            tls,
            limits,
            deadline,
            collectors: Arc::new(CollectorPool::new(collector_threads)),
            stopping: AtomicBool::new(false),
        }
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Tells every thread to finish.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }
}

/// A complete request, for a worker to answer.
pub(crate) struct Job {
    pub connection: usize,
    /// The connection's socket when it is plain: the worker writes what it can of the answer
    /// at once, without waiting for the event loop to wake.
    pub socket: Option<Arc<mio::net::TcpStream>>,
    pub request: Request,
    /// When the request's head was complete: a scrape's deadline counts from here.
    pub received: Instant,
    /// Whether the connection closes after this answer.
    pub close: bool,
}

/// A worker's encoded answer, for the event loop to write.
pub(crate) struct Answer {
    pub connection: usize,
    pub head: Vec<u8>,
    pub body: Vec<u8>,
    /// Bytes of `head` then `body` the worker already wrote.
    pub sent: usize,
    pub close: bool,
}

/// Bodies up to this size go out in the same buffer as the head.
const COALESCE_BYTES: usize = 16 * 1024;

/// The bytes of an answer: its head, and its body (empty for `HEAD`, or when it fits in the
/// head's buffer).
pub(crate) fn encode_answer(
    response: Response,
    head_only: bool,
    close: bool,
) -> (Vec<u8>, Vec<u8>) {
    let mut head = Vec::with_capacity(256);
    http::write_head(&mut head, &response, close);
    if head_only {
        return (head, Vec::new());
    }
    if response.body.len() <= COALESCE_BYTES {
        head.extend_from_slice(&response.body);
        return (head, Vec::new());
    }
    (head, response.body)
}
