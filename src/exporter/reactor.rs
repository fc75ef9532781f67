//! The exporter's event loop: one thread that accepts connections, reads request heads, hands
//! complete requests to the workers, writes their answers, and enforces every deadline, all
//! without blocking on any one client.
//!
//! Each connection has one deadline for the phase it is in: a new connection must deliver its
//! first head (TLS handshake included) within the read timeout; a keep-alive connection may stay
//! idle for the idle timeout, and once the next head begins it must arrive within the read
//! timeout; an answer must be written within the write timeout. Each is enforced on the whole
//! operation, however the bytes trickle. The number of open connections is capped, in all and
//! per peer address: at the cap the oldest idle connection (one that has sent nothing of a
//! request) is closed to make room, then the oldest one that is still sending a head; when every
//! connection is busy with an answer the new one is refused with `503` at once.

use std::collections::HashMap;
use std::io::{self, ErrorKind};
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError};
use std::time::{Duration, Instant};

use std::os::fd::AsRawFd;

use mio::net::TcpListener;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};

use super::connection::{Connection, Flushed, HeadProgress, Phase};
use super::http::{self, ParseError, Response};
use super::shared::{Answer, Job, Shared, encode_answer};

/// The listening socket's token.
const LISTENER: Token = Token(usize::MAX - 1);
/// The token of the waker that workers and stop use.
pub(crate) const WAKER: Token = Token(usize::MAX);

/// How long a connection that was answered and closed (an error, `Connection: close`) lingers,
/// reading and discarding what the client still sends, so the close does not reset the
/// connection and destroy the answer before the client has read it.
const LINGER_TIME: Duration = Duration::from_millis(500);
/// Refused connections (answered 503 and lingering) allowed beyond the connection cap; past it a
/// refused connection is just closed.
const REFUSAL_ALLOWANCE: usize = 256;
/// How long to wait before accepting again after `accept` failed for want of descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// The event loop's state.
pub(crate) struct Reactor {
    poll: Poll,
    listener: TcpListener,
    shared: Arc<Shared>,
    jobs: SyncSender<Job>,
    answers: Receiver<Answer>,
    connections: HashMap<usize, Connection>,
    per_peer: HashMap<IpAddr, usize>,
    next_id: usize,
    /// When accepting failed for want of descriptors: accept again after the backoff.
    accept_paused_until: Option<Instant>,
}

impl Reactor {
    pub fn new(
        poll: Poll,
        mut listener: TcpListener,
        shared: Arc<Shared>,
        jobs: SyncSender<Job>,
        answers: Receiver<Answer>,
    ) -> io::Result<Reactor> {
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        Ok(Reactor {
            poll,
            listener,
            shared,
            jobs,
            answers,
            connections: HashMap::new(),
            per_peer: HashMap::new(),
            next_id: 0,
            accept_paused_until: None,
        })
    }
}

/// Runs the loop until stop. Returning drops every connection (closing it) and the job queue's
/// sender, which ends the workers.
pub(crate) fn run(mut reactor: Reactor) {
    let mut events = Events::with_capacity(1024);
    while !reactor.shared.stopping() {
        let timeout = reactor.next_timeout(Instant::now());
        if let Err(e) = reactor.poll.poll(&mut events, timeout) {
            if e.kind() != ErrorKind::Interrupted {
                // The poller itself failed (it does not, short of a kernel bug): stop serving
                // rather than spin.
                return;
            }
        }
        if reactor.shared.stopping() {
            return;
        }
        for event in events.iter() {
            match event.token() {
                LISTENER => reactor.accept_all(),
                WAKER => {}
                Token(id) => reactor.on_ready(id),
            }
        }
        reactor.take_answers();
        let now = Instant::now();
        reactor.expire(now);
        // Connections left in the backlog by a failed accept announce themselves no more.
        if reactor
            .accept_paused_until
            .is_some_and(|until| now >= until)
        {
            reactor.accept_all();
        }
    }
}

impl Reactor {
    /// How long the loop may sleep: until the earliest deadline, or the end of an accept backoff.
    fn next_timeout(&self, now: Instant) -> Option<Duration> {
        let earliest = self
            .connections
            .values()
            .filter(|c| c.phase != Phase::Rendering)
            .map(|c| c.deadline)
            .chain(self.accept_paused_until)
            .min()?;
        // Round up, so the loop wakes after the deadline rather than just before it.
        Some(earliest.saturating_duration_since(now) + Duration::from_millis(1))
    }

    fn accept_all(&mut self) {
        if let Some(until) = self.accept_paused_until {
            if Instant::now() < until {
                return;
            }
            self.accept_paused_until = None;
        }
        loop {
            match self.listener.accept() {
                Ok((socket, peer)) => self.admit(socket, peer.ip()),
                Err(e) => match e.kind() {
                    ErrorKind::WouldBlock => return,
                    ErrorKind::ConnectionAborted
                    | ErrorKind::ConnectionReset
                    | ErrorKind::Interrupted => {}
                    // Out of descriptors, say: the connection stays in the backlog; retry
                    // after a pause instead of spinning on the error.
                    _ => {
                        self.accept_paused_until = Some(Instant::now() + ACCEPT_BACKOFF);
                        return;
                    }
                },
            }
        }
    }

    /// Takes a new connection in, making room under the caps or refusing it.
    fn admit(&mut self, socket: mio::net::TcpStream, peer: IpAddr) {
        let limits = &self.shared.limits;
        let (per_peer_cap, cap) = (limits.max_connections_per_peer, limits.max_connections);
        let now = Instant::now();
        let deadline = now + limits.read_timeout;
        let peer_count = self.per_peer.get(&peer).copied().unwrap_or(0);
        let room = if peer_count >= per_peer_cap {
            self.evict(Some(peer))
        } else if self.connections.len() >= cap {
            self.evict(None)
        } else {
            true
        };
        let tls = self.shared.tls.as_ref();
        let Ok(connection) = Connection::new(socket, peer, tls, now, deadline) else {
            return;
        };
        let id = self.insert(connection);
        if room {
            // The request may be here already.
            self.on_ready(id);
        } else {
            self.refuse(id, now);
        }
    }

    /// Registers a connection with the poller; it is dropped (closed) if that fails.
    fn insert(&mut self, connection: Connection) -> usize {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1) % (usize::MAX - 2);
        if self
            .poll
            .registry()
            .register(
                &mut SourceFd(&connection.socket.as_raw_fd()),
                Token(id),
                Interest::READABLE,
            )
            .is_err()
        {
            return id;
        }
        *self.per_peer.entry(connection.peer).or_insert(0) += 1;
        self.connections.insert(id, connection);
        id
    }

    fn remove(&mut self, id: usize) {
        if let Some(connection) = self.connections.remove(&id) {
            let fd = connection.socket.as_raw_fd();
            let _ = self.poll.registry().deregister(&mut SourceFd(&fd));
            if let Some(count) = self.per_peer.get_mut(&connection.peer) {
                *count -= 1;
                if *count == 0 {
                    self.per_peer.remove(&connection.peer);
                }
            }
        }
    }

    /// Closes the connection that loses least (of `peer`'s, or of all): the oldest idle one,
    /// else the oldest still sending its head. `false` when every candidate is busy.
    fn evict(&mut self, peer: Option<IpAddr>) -> bool {
        let victim = self
            .connections
            .iter()
            .filter(|(_, c)| c.is_evictable() && peer.is_none_or(|p| c.peer == p))
            .min_by_key(|(_, c)| (!c.is_idle(), c.since))
            .map(|(id, _)| *id);
        match victim {
            Some(id) => {
                self.remove(id);
                true
            }
            None => false,
        }
    }

    /// Answers 503 at once and closes, within an allowance beyond the cap; past it, just closes.
    /// Over TLS there is no answering without a handshake, which the loop must not wait for.
    fn refuse(&mut self, id: usize, now: Instant) {
        let over = self.connections.len() > self.shared.limits.max_connections + REFUSAL_ALLOWANCE;
        let tls = self.connections.get(&id).is_some_and(Connection::is_tls);
        if over || tls {
            return self.remove(id);
        }
        let response = Response::text(503, "Service Unavailable: too many connections")
            .with_header("Retry-After", "1");
        self.answer(id, response, now);
    }

    /// Writes an answer the loop makes itself (an error, a refusal), then closes.
    fn answer(&mut self, id: usize, response: Response, now: Instant) {
        let (head, body) = encode_answer(response, false, true);
        self.start_writing(id, (head, body, 0), true, now);
    }

    /// Writes `head` then `body` from byte `already_sent` on (what a worker wrote already).
    fn start_writing(
        &mut self,
        id: usize,
        (head, body, already_sent): (Vec<u8>, Vec<u8>, usize),
        close: bool,
        now: Instant,
    ) {
        let write_timeout = self.shared.limits.write_timeout;
        let Some(connection) = self.connections.get_mut(&id) else {
            return;
        };
        connection.enter(Phase::Writing { close }, now, now + write_timeout);
        let flushed = connection.start_answer(head, body, already_sent);
        self.after_flush(id, flushed, now);
    }

    /// Asks (or stops asking) to hear when the connection's socket is writable.
    fn watch_writes(&mut self, id: usize, on: bool) {
        let Some(connection) = self.connections.get_mut(&id) else {
            return;
        };
        if connection.watching_writes == on {
            return;
        }
        let interest = if on {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        };
        let fd = connection.socket.as_raw_fd();
        if self
            .poll
            .registry()
            .reregister(&mut SourceFd(&fd), Token(id), interest)
            .is_ok()
        {
            connection.watching_writes = on;
        }
    }

    /// Moves a connection on after a write: done writing, it closes or waits for its next
    /// request; blocked, it waits to be writable; failed, it is dropped.
    fn after_flush(&mut self, id: usize, flushed: Flushed, now: Instant) {
        let limits = &self.shared.limits;
        let (idle_timeout, stopping) = (limits.idle_timeout, self.shared.stopping());
        let Some(connection) = self.connections.get_mut(&id) else {
            return;
        };
        let Phase::Writing { close } = connection.phase else {
            return;
        };
        self.watch_writes(id, flushed == Flushed::Blocked);
        let Some(connection) = self.connections.get_mut(&id) else {
            return;
        };
        match flushed {
            Flushed::Blocked => {}
            Flushed::Failed => self.remove(id),
            Flushed::Done if close || stopping => {
                connection.half_close();
                connection.enter(Phase::Lingering, now, now + LINGER_TIME);
                self.on_ready(id);
            }
            Flushed::Done => {
                connection.enter(Phase::Head, now, now + idle_timeout);
                // A pipelined request may be buffered already, and the edge that announced
                // new input may have come while the answer was being written.
                self.on_ready(id);
            }
        }
    }

    /// Does whatever the connection's phase calls for now that its socket may be ready.
    fn on_ready(&mut self, id: usize) {
        let now = Instant::now();
        let limits = &self.shared.limits;
        let (max_head, read_timeout) = (limits.max_head_bytes, limits.read_timeout);
        let Some(connection) = self.connections.get_mut(&id) else {
            return;
        };
        match connection.phase {
            Phase::Head => {
                let was_started = connection.started;
                let progress = connection.read_head(max_head);
                if !was_started && connection.started && connection.served > 0 {
                    // The next request has begun: it must arrive within the read timeout.
                    connection.enter(Phase::Head, now, now + read_timeout);
                }
                let handshake_output = connection.tls_wants_write();
                self.watch_writes(id, handshake_output);
                match progress {
                    HeadProgress::Waiting => {}
                    HeadProgress::Closed => self.remove(id),
                    HeadProgress::TooLarge => {
                        let message = format!(
                            "Request Header Fields Too Large: the limit is {max_head} bytes"
                        );
                        self.answer(id, Response::text(431, &message), now);
                    }
                    HeadProgress::Complete(len) => self.dispatch(id, len, now),
                }
            }
            Phase::Writing { .. } => {
                let flushed = connection.flush();
                self.after_flush(id, flushed, now);
            }
            Phase::Lingering => {
                if !connection.discard_input() {
                    self.remove(id);
                }
            }
            Phase::Rendering => {}
        }
    }

    /// Parses a complete head and hands the request to a worker, or answers an error.
    fn dispatch(&mut self, id: usize, len: usize, now: Instant) {
        let limits = &self.shared.limits;
        let (max_requests, max_head) = (limits.max_requests_per_connection, limits.max_head_bytes);
        let stopping = self.shared.stopping();
        let Some(connection) = self.connections.get_mut(&id) else {
            return;
        };
        let head = connection.take_head(len);
        let request = match http::parse_head(&head) {
            Ok(request) => request,
            Err(error) => {
                let response = match error {
                    ParseError::BadRequest(why) => {
                        Response::text(400, &format!("Bad Request: {why}"))
                    }
                    ParseError::VersionNotSupported => {
                        Response::text(505, "HTTP Version Not Supported")
                    }
                    ParseError::TooManyFields => Response::text(
                        431,
                        &format!(
                            "Request Header Fields Too Large: at most {} fields of {max_head} bytes",
                            http::MAX_HEADER_FIELDS
                        ),
                    ),
                };
                return self.answer(id, response, now);
            }
        };
        connection.served += 1;
        let close = request.wants_close()
            || request.has_body()
            || connection.served >= max_requests
            || stopping;
        connection.enter(Phase::Rendering, now, now);
        let job = Job {
            connection: id,
            socket: connection.plain_socket(),
            request,
            received: now,
            close,
        };
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let response = Response::text(503, "Service Unavailable: too many requests")
                    .with_header("Retry-After", "1");
                self.answer(id, response, now);
            }
            // Every worker is gone (they catch panics, so this should not happen).
            Err(TrySendError::Disconnected(_)) => self.remove(id),
        }
    }

    /// Starts writing every answer the workers have finished.
    fn take_answers(&mut self) {
        loop {
            match self.answers.try_recv() {
                Ok(answer) => {
                    let now = Instant::now();
                    let rendering = self
                        .connections
                        .get(&answer.connection)
                        .is_some_and(|c| c.phase == Phase::Rendering);
                    if rendering {
                        let Answer {
                            connection,
                            head,
                            body,
                            sent,
                            close,
                        } = answer;
                        self.start_writing(connection, (head, body, sent), close, now);
                    }
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
            }
        }
    }

    /// Acts on every deadline that has passed.
    fn expire(&mut self, now: Instant) {
        let expired: Vec<usize> = self
            .connections
            .iter()
            .filter(|(_, c)| c.phase != Phase::Rendering && c.deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            let Some(connection) = self.connections.get(&id) else {
                continue;
            };
            // Part of a head came, then time ran out: say so. A client that sent nothing (or
            // never finished its TLS handshake) is closed without a word.
            let partial_head = connection.phase == Phase::Head
                && connection.started
                && connection.handshake_done();
            if partial_head {
                self.answer(id, Response::text(408, "Request Timeout"), now);
                // The 408 gets a write deadline of its own; the loop must not revisit it now.
            } else {
                self.remove(id);
            }
        }
    }
}
