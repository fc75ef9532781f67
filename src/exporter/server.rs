//! The exporter's threads: one event-loop thread that owns every socket, and a fixed pool of
//! workers that render answers, every one of them joined by [`Server::stop`].
//!
//! The event loop ([`super::reactor`]) accepts, reads request heads, writes answers and enforces
//! every deadline without blocking, so a client that connects and sends nothing, trickles its
//! head or reads its answer slowly costs a socket and a few hundred bytes, never a thread. Only a
//! complete, valid request reaches a worker: the workers take rendering jobs from a bounded queue
//! and hand the encoded answer back to the loop, which writes what is left of it. Over plain HTTP
//! a worker first writes the answer itself for as long as the socket takes it (a few milliseconds
//! at most), so a client that keeps up does not wait for the loop to wake.
//!
//! After `fork()` the child has none of these threads. [`Server::stop`] in a child (a process
//! other than the one that started the server) therefore joins nothing and touches no socket the
//! parent still serves: it closes the child's copies of the listening socket and of the loop's
//! descriptors, and leaves the rest of the parent's state to the child's exit.

use std::cell::Cell;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{Receiver, Sender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use mio::{Poll, Waker};

use super::connection::write_now;
use super::handler::{self, Scratch};
use super::http::Response;
use super::reactor::{self, Reactor, WAKER};
use super::shared::{Answer, Job, Shared, encode_answer};

/// A running server: its threads and what stop needs to end them.
pub(crate) struct Server {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    waker: Arc<Waker>,
    /// The process that started the server: in any other (a forked child) its threads do not
    /// exist.
    pid: u32,
    /// The listening socket and the loop's own descriptors, which a forked child closes on stop.
    inherited_fds: Vec<RawFd>,
    event_loop: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Starts `workers` worker threads and the event loop on `listener`. On failure every
    /// thread already started is stopped and joined.
    pub fn start(
        listener: std::net::TcpListener,
        shared: Arc<Shared>,
        workers: usize,
        max_pending: usize,
    ) -> io::Result<Server> {
        let local_addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let listener = mio::net::TcpListener::from_std(listener);
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let inherited_fds = vec![listener.as_raw_fd(), poll.as_raw_fd()];
        let mut server = Server {
            shared,
            local_addr,
            waker,
            pid: std::process::id(),
            inherited_fds,
            event_loop: None,
            workers: Vec::with_capacity(workers),
        };
        let (jobs, job_queue) = sync_channel::<Job>(max_pending);
        let job_queue = Arc::new(Mutex::new(job_queue));
        let (answers, answer_queue) = channel::<Answer>();
        for index in 0..workers {
            let (shared, queue, answers, waker) = (
                server.shared.clone(),
                job_queue.clone(),
                answers.clone(),
                server.waker.clone(),
            );
            let spawned = thread::Builder::new()
                .name(format!("pe-exporter-worker-{index}"))
                .spawn(move || worker_loop(&shared, &queue, &answers, &waker));
            if let Err(e) = spawned.map(|handle| server.workers.push(handle)) {
                // Dropping the job sender ends the workers already started.
                drop(jobs);
                server.stop();
                return Err(e);
            }
        }
        drop(answers);
        let reactor = Reactor::new(poll, listener, server.shared.clone(), jobs, answer_queue)?;
        let spawned = thread::Builder::new()
            .name("pe-exporter-loop".into())
            .spawn(move || reactor::run(reactor));
        match spawned {
            Ok(handle) => server.event_loop = Some(handle),
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

    /// Stops accepting, closes every connection and joins every thread. Idempotent. In a forked
    /// child it joins nothing (see the module docs).
    pub fn stop(&mut self) {
        if self.pid != std::process::id() {
            return self.abandon_in_child();
        }
        self.shared.stop();
        // Scrapes waiting for collectors return at once.
        self.shared.collectors.begin_stop();
        // The loop sees the flag when it wakes, drops every connection and the job queue's
        // sender, and returns.
        let _ = self.waker.wake();
        if let Some(event_loop) = self.event_loop.take() {
            let _ = event_loop.join();
        }
        // Each worker finishes the answer it is rendering, if any, finds the job queue closed
        // and returns. A worker cannot join itself (a collector that stops the exporter runs on
        // one): that one is left to return on its own as soon as this call unwinds back to it.
        let on_own_worker = SERVING.get() == Arc::as_ptr(&self.shared) as usize;
        for worker in self.workers.drain(..) {
            if !(on_own_worker && worker.thread().id() == thread::current().id()) {
                let _ = worker.join();
            }
        }
        // Last, the collector threads, each once its collector returns (see `deadline`).
        self.shared.collectors.join();
    }

    /// Stop in a forked child: the threads are the parent's and do not exist here, and the
    /// sockets are shared with the parent, so shutting one down would cut the parent's
    /// connection. Only this process's copies of the listening socket and of the loop's
    /// descriptors are closed (so the port is free once the parent closes it too); the handles
    /// of the parent's threads are forgotten, never joined or detached. The collector threads'
    /// handles stay in the shared state, which the parent's workers (absent here) keep a
    /// reference to, so it is never dropped in the child, and its lock is never taken here.
    fn abandon_in_child(&mut self) {
        for fd in self.inherited_fds.drain(..) {
            // SAFETY: these descriptors were opened by the server and are closed only here; the
            // objects owning them live on the parent's threads, which never run in this process.
            unsafe { libc::close(fd) };
        }
        std::mem::forget(self.event_loop.take());
        for worker in self.workers.drain(..) {
            std::mem::forget(worker);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

thread_local! {
    /// On a worker thread, the address of the `Shared` it serves; 0 elsewhere. A plain integer
    /// with a const initialiser, so no thread-local destructor is registered: `thread::current()`
    /// would register one on the caller's thread, and glibc keeps a library loaded after
    /// `dlclose()` while any thread has a pending destructor of it.
    static SERVING: Cell<usize> = const { Cell::new(0) };
}

fn worker_loop(
    shared: &Shared,
    jobs: &Mutex<Receiver<Job>>,
    answers: &Sender<Answer>,
    waker: &Waker,
) {
    SERVING.set(shared as *const Shared as usize);
    let mut scratch = Scratch::default();
    loop {
        let next = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(job) = next else {
            return;
        };
        // A bug must cost one answer, not a worker.
        let response = panic::catch_unwind(AssertUnwindSafe(|| {
            handler::respond(shared, &job.request, job.received, &mut scratch)
        }))
        .unwrap_or_else(|_| {
            scratch = Scratch::default();
            Response::text(500, "Internal Server Error: collection failed")
        });
        let head_only = job.request.method == "HEAD";
        let (head, body) = encode_answer(response, head_only, job.close);
        // Not once stop has begun: in-flight connections are cut, not answered (a collector
        // that stops the exporter runs here, and this worker goes on after the stop).
        let sent = match job.socket.as_deref() {
            Some(socket) if !shared.stopping() => write_now(socket, &head, &body),
            _ => 0,
        };
        let answer = Answer {
            connection: job.connection,
            head,
            body,
            sent,
            close: job.close,
        };
        if answers.send(answer).is_err() {
            return;
        }
        let _ = waker.wake();
    }
}
