//! A scripted HTTP receiver for the sender tests: a std `TcpListener` thread (plain or TLS) that
//! records every request (headers, body, when it came) and answers each from a script (a status,
//! a body, `Retry-After`, an answer that takes longer than any timeout, a connection closed
//! without an answer); once the script is used up it answers 200. One thread per connection, so
//! a slow answer holds up no other; every thread ends when the receiver is dropped.
//!
//! Also a decoder for what the sender sends: Remote Write bodies are snappy-compressed
//! protobuf, whose strings (label names and values) appear verbatim once decompressed, so a test
//! can look for them without decoding protobuf.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// One answer of the script.
#[derive(Clone, Debug)]
pub enum Reply {
    /// This status, with a short body.
    Status(u16),
    /// This status and body.
    Body(u16, &'static str),
    /// This status with `Retry-After: <value>`.
    RetryAfter(u16, String),
    /// 200 after this long (longer than the sender's timeout: no answer in time).
    Slow(Duration),
    /// The connection closed without an answer.
    Close,
}

/// A request as received, with the answer it got.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
    pub reply: Reply,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the answer was a success.
    pub fn accepted(&self) -> bool {
        match &self.reply {
            Reply::Status(s) | Reply::Body(s, _) | Reply::RetryAfter(s, _) => {
                (200..300).contains(s)
            }
            Reply::Slow(_) | Reply::Close => false,
        }
    }

    /// The body, snappy-decompressed when it is a snappy block, as is otherwise.
    pub fn decoded(&self) -> Vec<u8> {
        match self.header("content-encoding") {
            Some(e) if e.eq_ignore_ascii_case("snappy") => {
                snappy_decompress(&self.body).unwrap_or_else(|| self.body.clone())
            }
            _ => self.body.clone(),
        }
    }

    /// Whether the decoded body holds `needle` verbatim.
    pub fn mentions(&self, needle: &str) -> bool {
        let body = self.decoded();
        body.windows(needle.len()).any(|w| w == needle.as_bytes())
    }
}

struct State {
    script: VecDeque<Reply>,
    requests: Vec<Request>,
}

/// A running receiver; stopped (its threads joined) when dropped.
pub struct Receiver {
    pub port: u16,
    pub tls: bool,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Receiver {
    /// A plain HTTP receiver on a free loopback port.
    pub fn start(script: Vec<Reply>) -> Receiver {
        Receiver::start_on(0, script, None)
    }

    /// An HTTPS receiver with this certificate and key (PEM files).
    pub fn start_tls(
        script: Vec<Reply>,
        cert: &std::path::Path,
        key: &std::path::Path,
    ) -> Receiver {
        use rustls_pki_types::pem::PemObject;
        let certs: Vec<_> = rustls_pki_types::CertificateDer::pem_file_iter(cert)
            .unwrap()
            .map(|c| c.unwrap())
            .collect();
        let key = rustls_pki_types::PrivateKeyDer::from_pem_file(key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        Receiver::start_on(0, script, Some(Arc::new(config)))
    }

    /// A receiver on `port` (0: a free one).
    pub fn start_on(
        port: u16,
        script: Vec<Reply>,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the receiver");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            requests: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let is_tls = tls.is_some();
        let accept = {
            let (state, stop) = (state.clone(), stop.clone());
            thread::spawn(move || accept_loop(listener, state, stop, tls))
        };
        Receiver {
            port,
            tls: is_tls,
            state,
            stop,
            accept: Some(accept),
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}/api/v1/write", self.port)
    }

    /// Adds answers at the end of the script.
    pub fn script(&self, replies: Vec<Reply>) {
        self.state.lock().unwrap().script.extend(replies);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The requests, once there are at least `n` (panics after `limit`).
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Request> {
        let began = Instant::now();
        loop {
            let requests = self.requests();
            if requests.len() >= n {
                return requests;
            }
            assert!(
                began.elapsed() < limit,
                "only {} of {n} requests within {limit:?}",
                requests.len()
            );
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// A loopback port with nothing listening (connections are refused), free for a receiver later.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn accept_loop(
    listener: TcpListener,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    let mut connections = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                let (state, stop, tls) = (state.clone(), stop.clone(), tls.clone());
                connections.push(thread::spawn(move || {
                    serve(stream, peer, &state, &stop, tls)
                }));
            }
            Err(_) => thread::sleep(Duration::from_millis(2)),
        }
    }
    for connection in connections {
        let _ = connection.join();
    }
}

fn serve(
    stream: TcpStream,
    _peer: SocketAddr,
    state: &Mutex<State>,
    stop: &AtomicBool,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    match tls {
        None => serve_stream(stream, state, stop),
        Some(config) => {
            let connection = rustls::ServerConnection::new(config).unwrap();
            serve_stream(rustls::StreamOwned::new(connection, stream), state, stop)
        }
    }
}

/// Serves requests on one connection (keep-alive) until it closes or the receiver stops.
fn serve_stream(mut stream: impl Read + Write, state: &Mutex<State>, stop: &AtomicBool) {
    let mut buffer = Vec::new();
    loop {
        let Some((path, headers, body)) = read_request(&mut stream, &mut buffer, stop) else {
            return;
        };
        let reply = state
            .lock()
            .unwrap()
            .script
            .pop_front()
            .unwrap_or(Reply::Status(200));
        state.lock().unwrap().requests.push(Request {
            path,
            headers,
            body,
            at: Instant::now(),
            reply: reply.clone(),
        });
        let (status, body, extra) = match reply {
            Reply::Status(status) => (status, format!("status {status}"), String::new()),
            Reply::Body(status, body) => (status, body.to_string(), String::new()),
            Reply::RetryAfter(status, value) => (
                status,
                "later".to_string(),
                format!("Retry-After: {value}\r\n"),
            ),
            Reply::Slow(delay) => {
                let began = Instant::now();
                while began.elapsed() < delay && !stop.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(5));
                }
                (200, String::new(), String::new())
            }
            Reply::Close => return,
        };
        let answer = format!(
            "HTTP/1.1 {status} Scripted\r\nContent-Length: {}\r\n{extra}\r\n{body}",
            body.len()
        );
        if stream.write_all(answer.as_bytes()).is_err() || stream.flush().is_err() {
            return;
        }
    }
}

/// A request's path, header fields (names in lower case) and body.
type Parsed = (String, Vec<(String, String)>, Vec<u8>);

/// Reads one request (head and `Content-Length` body); `None` when the connection ends first.
fn read_request(stream: &mut impl Read, buffer: &mut Vec<u8>, stop: &AtomicBool) -> Option<Parsed> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(head)) = request.parse(buffer) {
            let path = request.path.unwrap_or_default().to_string();
            let fields: Vec<(String, String)> = request
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_ascii_lowercase(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect();
            let length: usize = fields
                .iter()
                .find(|(n, _)| n == "content-length")
                .and_then(|(_, v)| v.trim().parse().ok())
                .unwrap_or(0);
            while buffer.len() < head + length {
                match read_some(stream, &mut chunk, stop)? {
                    0 => return None,
                    n => buffer.extend_from_slice(&chunk[..n]),
                }
            }
            let body = buffer[head..head + length].to_vec();
            buffer.drain(..head + length);
            return Some((path, fields, body));
        }
        match read_some(stream, &mut chunk, stop)? {
            0 => return None,
            n => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A read that retries its timeouts until the receiver stops.
fn read_some(stream: &mut impl Read, chunk: &mut [u8], stop: &AtomicBool) -> Option<usize> {
    loop {
        match stream.read(chunk) {
            Ok(n) => return Some(n),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                if stop.load(Ordering::SeqCst) {
                    return None;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// Decompresses a snappy block (the raw format Remote Write uses, not the framed one); `None`
/// when the bytes are not one.
pub fn snappy_decompress(input: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let mut length = 0usize;
    let mut shift = 0;
    loop {
        let byte = *input.get(at)?;
        at += 1;
        length |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 35 {
            return None;
        }
    }
    let mut out = Vec::with_capacity(length.min(64 << 20));
    while at < input.len() {
        let tag = input[at];
        at += 1;
        let (copy_length, offset) = match tag & 3 {
            0 => {
                let mut literal = usize::from(tag >> 2);
                if literal >= 60 {
                    let extra = literal - 59;
                    let bytes = input.get(at..at + extra)?;
                    literal = bytes
                        .iter()
                        .rev()
                        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
                    at += extra;
                }
                let bytes = input.get(at..at + literal + 1)?;
                out.extend_from_slice(bytes);
                at += literal + 1;
                continue;
            }
            1 => {
                let next = usize::from(*input.get(at)?);
                at += 1;
                (
                    usize::from((tag >> 2) & 7) + 4,
                    (usize::from(tag >> 5) << 8) | next,
                )
            }
            2 => {
                let bytes = input.get(at..at + 2)?;
                at += 2;
                (
                    usize::from(tag >> 2) + 1,
                    usize::from(u16::from_le_bytes([bytes[0], bytes[1]])),
                )
            }
            _ => {
                let bytes = input.get(at..at + 4)?;
                at += 4;
                (
                    usize::from(tag >> 2) + 1,
                    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize,
                )
            }
        };
        if offset == 0 || offset > out.len() {
            return None;
        }
        for _ in 0..copy_length {
            out.push(out[out.len() - offset]);
        }
    }
    (out.len() == length).then_some(out)
}
