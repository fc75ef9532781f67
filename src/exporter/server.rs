//! The exporter's threads: one accept thread and a fixed pool of workers, every one of them
//! joined by [`Server::stop`].
//!
//! The accept thread hands each connection to the workers through a bounded queue. When the
//! queue is full it answers `503` itself and closes, so a flood is refused cleanly instead of
//! piling up sockets. A worker serves one connection at a time, keep-alive included, but gives an
//! idle keep-alive connection up as soon as another connection is waiting, so idle clients cannot
//! starve new ones. Every open connection is registered with a clone of its socket, so stop can
//! shut them all down: a stalled or malicious client cannot delay it.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use super::ServedRegistry;
use super::auth::BasicAuth;
use super::handler::{self, Scratch};
use super::http::{self, ParseError, ReadError, Response, TimedRead};

/// How long an idle keep-alive connection is polled at a time, between checks for stop and for
/// connections waiting in the queue.
const IDLE_POLL: Duration = Duration::from_millis(50);
/// How long the accept thread waits for a refused client's request before answering 503: long
/// enough for a request already in flight, short enough that a silent client barely delays
/// accepting.
const REFUSAL_READ_WAIT: Duration = Duration::from_millis(50);
/// After an error answer, unread input is drained for at most this long (and this many bytes)
/// before closing, so the close does not reset the connection and destroy the answer before the
/// client has read it.
const LINGER_TIME: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 1 << 20;
/// Bodies up to this size go out in the same write as the head.
const COALESCE_BYTES: usize = 16 * 1024;

/// Limits that apply to every connection.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    /// How long a request head may take to arrive, from the first byte awaited to the last.
    pub read_timeout: Duration,
    /// How long one blocked write may take.
    pub write_timeout: Duration,
    /// How long a keep-alive connection may stay idle between requests.
    pub idle_timeout: Duration,
    pub max_head_bytes: usize,
    pub max_requests_per_connection: usize,
}

/// What the threads share.
pub(crate) struct Shared {
    pub registry: ServedRegistry,
    pub basic_auth: Option<BasicAuth>,
    pub tls: Option<Arc<ServerConfig>>,
    pub limits: Limits,
    stopping: AtomicBool,
    /// Connections in the queue, not yet taken by a worker.
    pending: AtomicUsize,
    connections: Mutex<Connections>,
}

/// The sockets of connections being served, so stop can shut them down.
#[derive(Default)]
struct Connections {
    closed: bool,
    next_id: u64,
    open: HashMap<u64, TcpStream>,
}

impl Shared {
    pub fn new(
        registry: ServedRegistry,
        basic_auth: Option<BasicAuth>,
        tls: Option<Arc<ServerConfig>>,
        limits: Limits,
    ) -> Self {
        Shared {
            registry,
            basic_auth,
            tls,
            limits,
            stopping: AtomicBool::new(false),
            pending: AtomicUsize::new(0),
            connections: Mutex::new(Connections::default()),
        }
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    fn connections(&self) -> std::sync::MutexGuard<'_, Connections> {
        // A poisoned lock only means a worker panicked while holding it; the map is still sound.
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a connection being served; `None` once stop has begun (the connection is then
    /// dropped unanswered) or when the socket cannot be cloned.
    fn register(&self, stream: &TcpStream) -> Option<Registration<'_>> {
        let clone = stream.try_clone().ok()?;
        let mut connections = self.connections();
        if connections.closed {
            return None;
        }
        let id = connections.next_id;
        connections.next_id += 1;
        connections.open.insert(id, clone);
        Some(Registration { shared: self, id })
    }

    /// Shuts down every connection being served and refuses new registrations: blocked reads
    /// and writes return at once.
    fn close_connections(&self) {
        let mut connections = self.connections();
        connections.closed = true;
        for stream in connections.open.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// Removes a connection from the registry when its worker is done with it, panic or not.
struct Registration<'a> {
    shared: &'a Shared,
    id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.shared.connections().open.remove(&self.id);
    }
}

/// A running server: its threads and what stop needs to end them.
pub(crate) struct Server {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    /// A duplicate of the listening socket: the fallback way to unblock `accept`, and it keeps
    /// the port bound until stop releases it.
    listener: Option<TcpListener>,
    accept: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Starts `workers` worker threads and the accept thread on `listener`. On failure every
    /// thread already started is stopped and joined.
    pub fn start(
        listener: TcpListener,
        shared: Arc<Shared>,
        workers: usize,
        max_pending: usize,
    ) -> io::Result<Server> {
        let local_addr = listener.local_addr()?;
        let mut server = Server {
            shared,
            local_addr,
            listener: Some(listener.try_clone()?),
            accept: None,
            workers: Vec::with_capacity(workers),
        };
        let (sender, receiver) = sync_channel::<TcpStream>(max_pending);
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..workers {
            let (shared, receiver) = (server.shared.clone(), receiver.clone());
            let spawned = thread::Builder::new()
                .name(format!("pe-exporter-worker-{index}"))
                .spawn(move || worker_loop(&shared, &receiver));
            match spawned {
                Ok(handle) => server.workers.push(handle),
                Err(e) => {
                    // Dropping the sender ends the workers already started.
                    drop(sender);
                    server.stop();
                    return Err(e);
                }
            }
        }
        let shared = server.shared.clone();
        let spawned = thread::Builder::new()
            .name("pe-exporter-accept".into())
            .spawn(move || accept_loop(&listener, &sender, &shared));
        match spawned {
            Ok(handle) => server.accept = Some(handle),
            Err(e) => {
                server.stop();
                return Err(e);
            }
        }
        Ok(server)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, shuts down every open connection and joins every thread. Idempotent.
    pub fn stop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.close_connections();
        if let Some(accept) = self.accept.take() {
            self.wake_accept();
            let _ = accept.join();
        }
        // The accept thread has dropped the queue's sender: each worker finishes (its socket is
        // shut down), drops what is left in the queue, and returns. A worker cannot join itself
        // (a collector that stops the exporter runs on one): that one is left to return on its
        // own as soon as this call unwinds back to it.
        let on_own_worker = SERVING.get() == Arc::as_ptr(&self.shared) as usize;
        for worker in self.workers.drain(..) {
            if !(on_own_worker && worker.thread().id() == thread::current().id()) {
                let _ = worker.join();
            }
        }
        self.listener = None;
    }

    /// Unblocks the accept thread's `accept` by connecting to the listening address (loopback
    /// when bound to an unspecified one). Should that fail (a firewall, say), shutting the
    /// listening socket down wakes `accept` on Linux.
    fn wake_accept(&self) {
        let ip = match self.local_addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let target = SocketAddr::new(ip, self.local_addr.port());
        if TcpStream::connect_timeout(&target, Duration::from_secs(1)).is_err() {
            #[cfg(unix)]
            if let Some(listener) = &self.listener {
                use std::os::fd::AsRawFd;
                // SAFETY: the descriptor is owned by `listener`, open for the whole call.
                unsafe { libc::shutdown(listener.as_raw_fd(), libc::SHUT_RDWR) };
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(listener: &TcpListener, queue: &SyncSender<TcpStream>, shared: &Shared) {
    loop {
        let accepted = listener.accept();
        if shared.stopping() {
            return;
        }
        match accepted {
            Ok((stream, _)) => {
                shared.pending.fetch_add(1, Ordering::SeqCst);
                match queue.try_send(stream) {
                    Ok(()) => {}
                    Err(TrySendError::Full(stream)) => {
                        shared.pending.fetch_sub(1, Ordering::SeqCst);
                        refuse(stream, shared);
                    }
                    // Every worker is gone (they catch panics, so this should not happen):
                    // stop listening rather than accept connections nobody serves.
                    Err(TrySendError::Disconnected(_)) => return,
                }
            }
            Err(e) => match e.kind() {
                ErrorKind::ConnectionAborted
                | ErrorKind::ConnectionReset
                | ErrorKind::Interrupted
                | ErrorKind::WouldBlock => {}
                // Out of descriptors, say: back off instead of spinning on the error.
                _ => thread::sleep(Duration::from_millis(20)),
            },
        }
    }
}

/// Answers a connection the queue has no room for with `503` and closes it. Over TLS there is
/// no way to answer without a handshake, which the accept thread must not wait for: the
/// connection is just closed.
fn refuse(stream: TcpStream, shared: &Shared) {
    if shared.tls.is_some() {
        let _ = stream.shutdown(Shutdown::Both);
        return;
    }
    // Read the request first, or closing with it unread would reset the connection and the
    // client could lose the answer.
    let _ = stream.set_read_timeout(Some(REFUSAL_READ_WAIT));
    let _ = stream.set_write_timeout(Some(REFUSAL_READ_WAIT));
    let deadline = Instant::now() + REFUSAL_READ_WAIT;
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    while seen.len() < shared.limits.max_head_bytes
        && Instant::now() < deadline
        && !seen.windows(4).any(|w| w == b"\r\n\r\n")
    {
        match (&stream).read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
        }
    }
    let response = Response::text(503, "Service Unavailable: too many connections")
        .with_header("Retry-After", "1");
    let mut out = Vec::new();
    http::write_head(&mut out, &response, true);
    out.extend_from_slice(&response.body);
    let _ = (&stream).write_all(&out);
    let _ = stream.shutdown(Shutdown::Write);
}

thread_local! {
    /// On a worker thread, the address of the `Shared` it serves; 0 elsewhere. A plain integer
    /// with a const initialiser, so no thread-local destructor is registered: `thread::current()`
    /// would register one on the caller's thread, and glibc keeps a library loaded after
    /// `dlclose()` while any thread has a pending destructor of it.
    static SERVING: Cell<usize> = const { Cell::new(0) };
}

fn worker_loop(shared: &Shared, queue: &Mutex<Receiver<TcpStream>>) {
    SERVING.set(shared as *const Shared as usize);
    let mut scratch = Scratch::default();
    loop {
        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(stream) = next else {
            return;
        };
        shared.pending.fetch_sub(1, Ordering::SeqCst);
        if shared.stopping() {
            continue;
        }
        // A bug must cost one connection, not a worker.
        let served = panic::catch_unwind(AssertUnwindSafe(|| {
            serve_connection(shared, stream, &mut scratch)
        }));
        if served.is_err() {
            scratch = Scratch::default();
        }
    }
}

/// The socket under a TLS connection. rustls writes with `write_vectored`, which on a
/// `TcpStream` is `writev(2)`: a write to a connection the peer has closed then raises SIGPIPE,
/// and a C host that has not ignored SIGPIPE (Rust programs do, C programs do not) would die of
/// it. This wrapper keeps the default `write_vectored`, which goes through `write`, which std
/// implements with `send(MSG_NOSIGNAL)`: the failure is an `EPIPE` error instead.
struct NoSigpipe(TcpStream);

impl Read for NoSigpipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for NoSigpipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// A connection, plain or TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, NoSigpipe>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(stream) => stream,
            Stream::Tls(tls) => &tls.sock.0,
        }
    }

    /// Whether decrypted bytes of a next request already wait inside the TLS layer.
    fn has_buffered_plaintext(&mut self) -> bool {
        match self {
            Stream::Plain(_) => false,
            Stream::Tls(tls) => tls
                .conn
                .process_new_packets()
                .is_ok_and(|state| state.plaintext_bytes_to_read() > 0),
        }
    }

    /// Sends everything written so far and half-closes: TLS `close_notify`, then a TCP FIN.
    fn finish(&mut self) {
        let _ = self.tcp().set_write_timeout(Some(LINGER_TIME));
        if let Stream::Tls(tls) = self {
            tls.conn.send_close_notify();
        }
        let _ = self.flush();
        let _ = self.tcp().shutdown(Shutdown::Write);
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(stream) => stream.read(buf),
            Stream::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(stream) => stream.write(buf),
            Stream::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(stream) => stream.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}

impl TimedRead for Stream {
    fn set_read_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        self.tcp().set_read_timeout(Some(timeout))
    }
}

/// Serves requests on one connection until it closes, fails, or keep-alive ends.
fn serve_connection(shared: &Shared, stream: TcpStream, scratch: &mut Scratch) {
    let Some(_registration) = shared.register(&stream) else {
        return;
    };
    let limits = &shared.limits;
    // Head and body go out in one or two writes; Nagle's algorithm would only delay the second.
    let _ = stream.set_nodelay(true);
    let mut conn = match &shared.tls {
        None => Stream::Plain(stream),
        Some(config) => match ServerConnection::new(config.clone()) {
            Ok(tls) => Stream::Tls(Box::new(StreamOwned::new(tls, NoSigpipe(stream)))),
            Err(_) => return,
        },
    };
    let mut input = Vec::new();
    let mut output = Vec::new();
    let mut served = 0;
    loop {
        let deadline = Instant::now() + limits.read_timeout;
        let head_len = match http::read_head(&mut conn, &mut input, limits.max_head_bytes, deadline)
        {
            Ok(len) => len,
            Err(ReadError::Idle | ReadError::Io) => return,
            Err(ReadError::TooLarge) => {
                let message = format!(
                    "Request Header Fields Too Large: the limit is {} bytes",
                    limits.max_head_bytes
                );
                return reject(&mut conn, 431, &message, limits);
            }
            Err(ReadError::TimedOut) => {
                return reject(&mut conn, 408, "Request Timeout", limits);
            }
        };
        let parsed = http::parse_head(&input[..head_len]);
        input.drain(..head_len);
        let request = match parsed {
            Ok(request) => request,
            Err(ParseError::BadRequest(why)) => {
                return reject(&mut conn, 400, &format!("Bad Request: {why}"), limits);
            }
            Err(ParseError::VersionNotSupported) => {
                return reject(&mut conn, 505, "HTTP Version Not Supported", limits);
            }
        };
        served += 1;
        let close = request.wants_close()
            || request.has_body()
            || served >= limits.max_requests_per_connection
            || shared.stopping();
        let response = panic::catch_unwind(AssertUnwindSafe(|| {
            handler::respond(shared, &request, scratch)
        }))
        .unwrap_or_else(|_| Response::text(500, "Internal Server Error: collection failed"));
        let head_only = request.method == "HEAD";
        if send(
            &mut conn,
            &mut output,
            &response,
            head_only,
            close,
            limits.write_timeout,
        )
        .is_err()
        {
            return;
        }
        if close {
            // An unread body would turn the close into a reset.
            if request.has_body() {
                linger_close(&mut conn);
            } else {
                conn.finish();
            }
            return;
        }
        if !wait_for_next_request(shared, &mut conn, &input) {
            return;
        }
    }
}

/// Writes a response. The whole response must go out within the write timeout: a client that
/// reads a byte now and then cannot hold a worker longer than that.
fn send(
    conn: &mut Stream,
    output: &mut Vec<u8>,
    response: &Response,
    head_only: bool,
    close: bool,
    write_timeout: Duration,
) -> io::Result<()> {
    let deadline = Instant::now() + write_timeout;
    output.clear();
    http::write_head(output, response, close);
    let body: &[u8] = if head_only { &[] } else { &response.body };
    if body.len() <= COALESCE_BYTES {
        output.extend_from_slice(body);
        write_all_by(conn, output, deadline)?;
    } else {
        write_all_by(conn, output, deadline)?;
        write_all_by(conn, body, deadline)?;
    }
    set_write_deadline(conn, deadline)?;
    conn.flush()
}

fn set_write_deadline(conn: &Stream, deadline: Instant) -> io::Result<()> {
    let now = Instant::now();
    if now >= deadline {
        return Err(ErrorKind::TimedOut.into());
    }
    conn.tcp().set_write_timeout(Some(deadline - now))
}

/// `write_all`, with each blocking write limited to the time left until `deadline`.
fn write_all_by(conn: &mut Stream, mut data: &[u8], deadline: Instant) -> io::Result<()> {
    while !data.is_empty() {
        set_write_deadline(conn, deadline)?;
        match conn.write(data) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Answers an error that ends the connection, then closes without resetting it.
fn reject(conn: &mut Stream, status: u16, message: &str, limits: &Limits) {
    let response = Response::text(status, message);
    let mut output = Vec::new();
    if send(
        conn,
        &mut output,
        &response,
        false,
        true,
        limits.write_timeout,
    )
    .is_ok()
    {
        linger_close(conn);
    }
}

/// Half-closes, then reads and discards what the client is still sending (a huge header, a
/// body) for a bounded time, so the kernel does not answer that input with a reset, which can
/// destroy the response before the client reads it.
fn linger_close(conn: &mut Stream) {
    conn.finish();
    let tcp = conn.tcp();
    let deadline = Instant::now() + LINGER_TIME;
    let mut discarded = 0;
    let mut sink = [0u8; 8192];
    while discarded < LINGER_BYTES {
        let now = Instant::now();
        if now >= deadline || tcp.set_read_timeout(Some(deadline - now)).is_err() {
            return;
        }
        match (&*tcp).read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => discarded += n,
        }
    }
}

/// Waits for the first byte of a next request on a keep-alive connection. Gives up (and the
/// connection closes) when it stays idle past the idle timeout, on stop, or as soon as another
/// connection waits in the queue: an idle client must not hold a worker someone else needs.
fn wait_for_next_request(shared: &Shared, conn: &mut Stream, input: &[u8]) -> bool {
    if !input.is_empty() || conn.has_buffered_plaintext() {
        return true;
    }
    let deadline = Instant::now() + shared.limits.idle_timeout;
    let tcp = conn.tcp();
    loop {
        if shared.stopping() || shared.pending.load(Ordering::SeqCst) > 0 {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        if tcp
            .set_read_timeout(Some(IDLE_POLL.min(deadline - now)))
            .is_err()
        {
            return false;
        }
        match tcp.peek(&mut [0u8; 1]) {
            Ok(0) => return false,
            Ok(_) => return true,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(_) => return false,
        }
    }
}
