//! One client connection of the event loop: its socket (plain or TLS), what it has sent of a
//! request head, what remains to be written to it, and the phase it is in. Every operation is
//! non-blocking and returns at once; the event loop calls them when the socket is ready and
//! when a phase's deadline passes.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, Shutdown};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use rustls::{ServerConfig, ServerConnection};

use super::http;

/// Input drained from a half-closed connection before it is dropped, so that closing does not
/// reset the connection and destroy the answer before the client has read it.
const LINGER_BYTES: usize = 1 << 20;

/// Where a connection is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting for a request head (or, over TLS, the handshake before it).
    Head,
    /// A worker is rendering the answer to a complete request.
    Rendering,
    /// Writing an answer; then the connection closes (`close`) or waits for the next request.
    Writing { close: bool },
    /// Half-closed after the last answer: unread input is discarded until the client closes.
    Lingering,
}

/// What reading from a connection in the [`Phase::Head`] phase found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeadProgress {
    /// Nothing complete yet; wait for more.
    Waiting,
    /// A complete head of this many bytes starts the input.
    Complete(usize),
    /// The head outgrew the limit: answer 431.
    TooLarge,
    /// The peer closed, or the connection failed: drop it.
    Closed,
}

/// A client connection.
pub(crate) struct Connection {
    /// Shared with the worker rendering an answer, which may write a plain answer itself (see
    /// [`write_now`]); the descriptor closes when both have let go of it.
    pub socket: Arc<TcpStream>,
    pub peer: IpAddr,
    tls: Option<Box<ServerConnection>>,
    pub phase: Phase,
    /// When the current phase must be over.
    pub deadline: Instant,
    /// When the current phase began: the oldest idle connection is the first to be closed when
    /// the connection caps are reached.
    pub since: Instant,
    /// Requests answered on this connection.
    pub served: usize,
    /// Whether the event loop asks to hear when the socket is writable: only while an answer (or
    /// a TLS handshake message) waits for room, or a worker's writes would wake it for nothing.
    pub watching_writes: bool,
    /// Bytes received and not yet consumed: a partial head, or a pipelined next request.
    input: Vec<u8>,
    /// How much of `input` was already searched for a head's end.
    scanned: usize,
    /// Whether any byte (over TLS: any record byte) of the awaited request has arrived.
    pub started: bool,
    head: Vec<u8>,
    body: Vec<u8>,
    /// Bytes of `head` then `body` already written.
    sent: usize,
    discarded: usize,
}

/// The socket as rustls writes to it. rustls writes with `write_vectored`, which on a TCP socket
/// is `writev(2)`: a write to a connection the peer has closed then raises SIGPIPE, and a C host
/// that has not ignored SIGPIPE (Rust programs do, C programs do not) would die of it. This
/// wrapper keeps the default `write_vectored`, which goes through `write`, which std implements
/// with `send(MSG_NOSIGNAL)`: the failure is an `EPIPE` error instead.
struct NoSigpipe<'a>(&'a TcpStream);

impl Read for NoSigpipe<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&mut &*self.0).read(buf)
    }
}

impl Write for NoSigpipe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&mut &*self.0).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What a non-blocking write of everything pending achieved.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Flushed {
    /// Everything is out.
    Done,
    /// The socket is full; write again when it is writable.
    Blocked,
    /// The connection failed.
    Failed,
}

impl Connection {
    /// A freshly accepted connection, waiting for its first request until `deadline`.
    pub fn new(
        socket: TcpStream,
        peer: IpAddr,
        tls: Option<&Arc<ServerConfig>>,
        now: Instant,
        deadline: Instant,
    ) -> io::Result<Connection> {
        let tls = match tls {
            None => None,
            Some(config) => {
                let mut tls = ServerConnection::new(config.clone()).map_err(io::Error::other)?;
                // The whole answer is handed over at once; the event loop meters it out.
                tls.set_buffer_limit(None);
                Some(Box::new(tls))
            }
        };
        // Head and body go out in one or two writes; Nagle's algorithm would only delay them.
        let _ = socket.set_nodelay(true);
        Ok(Connection {
            socket: Arc::new(socket),
            peer,
            tls,
            phase: Phase::Head,
            deadline,
            since: now,
            served: 0,
            watching_writes: false,
            input: Vec::new(),
            scanned: 0,
            started: false,
            head: Vec::new(),
            body: Vec::new(),
            sent: 0,
            discarded: 0,
        })
    }

    /// Whether closing this connection loses nothing a client is waiting for: it waits for a
    /// request nobody has begun to send, or it is lingering after its last answer.
    pub fn is_idle(&self) -> bool {
        match self.phase {
            Phase::Head => !self.started,
            Phase::Lingering => true,
            Phase::Rendering | Phase::Writing { .. } => false,
        }
    }

    /// Whether the event loop may close this connection to make room for another: it is in no
    /// worker's hands and owes the client no answer in progress.
    pub fn is_evictable(&self) -> bool {
        matches!(self.phase, Phase::Head | Phase::Lingering)
    }

    /// Enters `phase`, to be over by `deadline`.
    pub fn enter(&mut self, phase: Phase, now: Instant, deadline: Instant) {
        self.phase = phase;
        self.since = now;
        self.deadline = deadline;
    }

    /// Reads what the socket has (decrypting over TLS, and answering the handshake) and looks
    /// for a complete head, buffering at most `limit` bytes of it.
    pub fn read_head(&mut self, limit: usize) -> HeadProgress {
        if let Some(end) = self.complete_head() {
            return HeadProgress::Complete(end);
        }
        let progress = match self.tls.is_some() {
            false => self.read_plain(limit),
            true => self.read_tls(limit),
        };
        if let Some(end) = self.complete_head() {
            return HeadProgress::Complete(end);
        }
        if self.input.len() >= limit {
            return HeadProgress::TooLarge;
        }
        progress
    }

    fn complete_head(&mut self) -> Option<usize> {
        let end = http::find_head_end(&self.input, self.scanned);
        self.scanned = http::rescan_from(self.input.len());
        end
    }

    fn read_plain(&mut self, limit: usize) -> HeadProgress {
        while self.input.len() < limit {
            let filled = self.input.len();
            self.input.resize(limit.min(filled + 4096), 0);
            let result = (&*self.socket).read(&mut self.input[filled..]);
            self.input.truncate(filled + *result.as_ref().unwrap_or(&0));
            match result {
                Ok(0) => return HeadProgress::Closed,
                Ok(_) => self.started = true,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return HeadProgress::Closed,
            }
        }
        HeadProgress::Waiting
    }

    fn read_tls(&mut self, limit: usize) -> HeadProgress {
        let Some(tls) = self.tls.as_deref_mut() else {
            return HeadProgress::Closed;
        };
        loop {
            match tls.read_tls(&mut NoSigpipe(&self.socket)) {
                Ok(0) => return HeadProgress::Closed,
                Ok(_) => self.started = true,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return HeadProgress::Closed,
            }
            let state = match tls.process_new_packets() {
                Ok(state) => state,
                Err(_) => {
                    // Send the alert rustls prepared, best effort, then give up.
                    let _ = tls.write_tls(&mut NoSigpipe(&self.socket));
                    return HeadProgress::Closed;
                }
            };
            let waiting = state.plaintext_bytes_to_read();
            if waiting > 0 {
                let room = limit.saturating_sub(self.input.len());
                let filled = self.input.len();
                self.input.resize(filled + waiting.min(room), 0);
                let n = tls.reader().read(&mut self.input[filled..]).unwrap_or(0);
                self.input.truncate(filled + n);
                if self.input.len() >= limit {
                    break;
                }
            }
        }
        // Handshake messages (or a key update) to answer.
        if self.flush_tls() == Flushed::Failed {
            return HeadProgress::Closed;
        }
        HeadProgress::Waiting
    }

    /// Takes the head of `len` bytes off the input; what follows it stays for the next request.
    pub fn take_head(&mut self, len: usize) -> Vec<u8> {
        let rest = self.input.split_off(len);
        let head = std::mem::replace(&mut self.input, rest);
        self.scanned = 0;
        // A pipelined next request has begun already; otherwise the next one has not.
        self.started = !self.input.is_empty();
        head
    }

    /// The socket for a worker to write a plain answer to; `None` over TLS, whose state only the
    /// event loop touches.
    pub fn plain_socket(&self) -> Option<Arc<TcpStream>> {
        self.tls.is_none().then(|| self.socket.clone())
    }

    /// Starts writing an answer: `head`, then `body`, of which a worker wrote the first
    /// `already_sent` bytes (plain connections only).
    pub fn start_answer(&mut self, head: Vec<u8>, body: Vec<u8>, already_sent: usize) -> Flushed {
        self.sent = already_sent;
        match self.tls.as_deref_mut() {
            None => {
                self.head = head;
                self.body = body;
            }
            Some(tls) => {
                // Unbounded buffer (set at creation): these writes take everything.
                let mut writer = tls.writer();
                if writer.write_all(&head).is_err() || writer.write_all(&body).is_err() {
                    return Flushed::Failed;
                }
            }
        }
        self.flush()
    }

    /// Writes what is pending until done or until the socket is full.
    pub fn flush(&mut self) -> Flushed {
        if self.tls.is_some() {
            return self.flush_tls();
        }
        loop {
            let (part, offset) = if self.sent < self.head.len() {
                (&self.head, self.sent)
            } else if self.sent - self.head.len() < self.body.len() {
                (&self.body, self.sent - self.head.len())
            } else {
                // Done: give the buffers back, keeping none of an answer's size.
                self.head = Vec::new();
                self.body = Vec::new();
                return Flushed::Done;
            };
            match (&*self.socket).write(&part[offset..]) {
                Ok(0) => return Flushed::Failed,
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Flushed::Blocked,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Flushed::Failed,
            }
        }
    }

    fn flush_tls(&mut self) -> Flushed {
        let Some(tls) = self.tls.as_deref_mut() else {
            return Flushed::Done;
        };
        while tls.wants_write() {
            match tls.write_tls(&mut NoSigpipe(&self.socket)) {
                Ok(0) => return Flushed::Failed,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Flushed::Blocked,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Flushed::Failed,
            }
        }
        Flushed::Done
    }

    /// Half-closes after the last answer: TLS `close_notify` (best effort), then a TCP FIN.
    pub fn half_close(&mut self) {
        if let Some(tls) = self.tls.as_deref_mut() {
            tls.send_close_notify();
            let _ = self.flush_tls();
        }
        let _ = self.socket.shutdown(Shutdown::Write);
    }

    /// Reads and discards input while lingering; `false` once the client has closed, the
    /// connection failed, or enough was discarded.
    pub fn discard_input(&mut self) -> bool {
        let mut sink = [0u8; 8192];
        while self.discarded < LINGER_BYTES {
            match (&*self.socket).read(&mut sink) {
                Ok(0) => return false,
                Ok(n) => self.discarded += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        false
    }

    /// Whether TLS output (a handshake message, an alert) waits for room in the socket.
    pub fn tls_wants_write(&self) -> bool {
        self.tls.as_deref().is_some_and(|tls| tls.wants_write())
    }

    /// Whether this is a TLS connection.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Whether a TLS connection has finished its handshake (plain ones have none).
    pub fn handshake_done(&self) -> bool {
        self.tls.as_deref().is_none_or(|tls| !tls.is_handshaking())
    }
}

/// How long a worker may wait for a socket to take more of its answer, each time and in all,
/// before it hands the rest to the event loop: a reader that keeps up (Prometheus on a LAN) gets
/// the whole answer from the worker, a slow one holds the worker for a few milliseconds at most.
const WORKER_WRITE_STALL: Duration = Duration::from_millis(1);
const WORKER_WRITE_BUDGET: Duration = Duration::from_millis(5);

/// Writes `head` then `body` while the socket keeps taking them, and returns how much it took: a
/// worker's own attempt at its answer, so the client need not wait for the event loop to wake.
/// Errors are left for the event loop's own write to meet again.
pub(crate) fn write_now(socket: &TcpStream, head: &[u8], body: &[u8]) -> usize {
    let deadline = Instant::now() + WORKER_WRITE_BUDGET;
    let mut sent = 0;
    for part in [head, body] {
        let mut offset = 0;
        while offset < part.len() {
            match (&*socket).write(&part[offset..]) {
                Ok(0) => return sent,
                Ok(n) => {
                    offset += n;
                    sent += n;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if !writable_within(socket, left.min(WORKER_WRITE_STALL)) {
                        return sent;
                    }
                }
                Err(_) => return sent,
            }
        }
    }
    sent
}

/// Whether the socket can take more within `wait`.
fn writable_within(socket: &TcpStream, wait: Duration) -> bool {
    use std::os::fd::AsRawFd;
    let mut poll = libc::pollfd {
        fd: socket.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
    };
    let millis = wait.as_millis().clamp(0, 1000) as libc::c_int;
    // SAFETY: one valid pollfd for the duration of the call.
    let ready = unsafe { libc::poll(&mut poll, 1, millis) };
    ready == 1 && poll.revents & libc::POLLOUT != 0
}
