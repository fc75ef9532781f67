//! Helpers shared by the exporter tests: a registry with known values, a raw HTTP/1.1 client for
//! the cases a real client refuses to produce, and the external tools.

#![allow(dead_code)] // Each test binary uses a different subset.

/// The exporter tests use ureq 2 (renamed: ureq 3 is the push client of the library itself).
use ureq2 as ureq;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use prometheus_emulator::exporter::{Exporter, ExporterOptions};
use prometheus_emulator::{
    CounterFamily, GaugeFamily, HistogramConfig, HistogramFamily, Opts, Registry, SummaryFamily,
};

pub const MAKE_DEPS: &str = "run `make deps` (it installs Debian's `prometheus` package, which \
                             brings promtool and the Prometheus server)";

/// What Prometheus 3 sends by default (quoted in ARCHITECTURE.md).
pub const PROMETHEUS_3_ACCEPT: &str = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
/// What Prometheus 2 sends by default.
pub const PROMETHEUS_2_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// A registry with a labelled counter, a gauge, a histogram and a summary, at known values:
/// - `http_requests_total{method="GET",code="200"}` 7, `{method="POST",code="500"}` 2
/// - `temperature_celsius` 21.5
/// - `request_duration_seconds` buckets 0.1, 0.5, 1 with observations 0.05, 0.3, 0.3, 0.7, 2
/// - `response_size_bytes` (summary) with observations 100 and 300
pub fn sample_registry() -> Arc<Registry> {
    let registry = Arc::new(Registry::new());
    let requests = Arc::new(
        CounterFamily::new(
            Opts::new("http_requests_total", "Requests handled.").labels(&["method", "code"]),
        )
        .unwrap(),
    );
    requests
        .with_label_values(&["GET", "200"])
        .unwrap()
        .inc(7.0)
        .unwrap();
    requests
        .with_label_values(&["POST", "500"])
        .unwrap()
        .inc(2.0)
        .unwrap();
    let temperature = Arc::new(
        GaugeFamily::new(Opts::new("temperature_celsius", "Current temperature.")).unwrap(),
    );
    temperature
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(21.5)
        .unwrap();
    let duration = Arc::new(
        HistogramFamily::with_config(
            Opts::new("request_duration_seconds", "Request latency."),
            HistogramConfig::new(&[0.1, 0.5, 1.0]).unwrap(),
        )
        .unwrap(),
    );
    let child = duration.with_label_values::<&str>(&[]).unwrap();
    for value in [0.05, 0.3, 0.3, 0.7, 2.0] {
        child.observe(value).unwrap();
    }
    let size =
        Arc::new(SummaryFamily::new(Opts::new("response_size_bytes", "Response sizes.")).unwrap());
    let child = size.with_label_values::<&str>(&[]).unwrap();
    child.observe(100.0).unwrap();
    child.observe(300.0).unwrap();
    registry.register(requests).unwrap();
    registry.register(temperature).unwrap();
    registry.register(duration).unwrap();
    registry.register(size).unwrap();
    registry
}

/// Starts an exporter for `registry` on a free loopback port.
pub fn start(registry: Arc<Registry>) -> Exporter {
    start_with(ExporterOptions::new("127.0.0.1:0").registry(registry))
}

pub fn start_with(options: ExporterOptions) -> Exporter {
    Exporter::start(options).expect("exporter starts")
}

pub fn url(exporter: &Exporter, path: &str) -> String {
    format!("http://{}{path}", exporter.local_addr())
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
}

/// Connects with a read timeout, so a test that expects an answer fails instead of hanging.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Sends `request` as is and reads one response (no body when `head` is set, whatever
/// `Content-Length` says).
pub fn raw_exchange(addr: SocketAddr, request: &[u8], head: bool) -> RawResponse {
    let mut stream = connect(addr);
    stream.write_all(request).expect("send request");
    read_response(&mut stream, head).expect("a complete response")
}

/// Reads one response from a connection that may carry more.
pub fn read_response(stream: &mut TcpStream, head: bool) -> std::io::Result<RawResponse> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte up to the blank line, so nothing of a following response is consumed.
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!(
                    "connection closed after {} bytes of head: {:?}",
                    buf.len(),
                    String::from_utf8_lossy(&buf)
                ),
            ));
        }
        buf.push(byte[0]);
    }
    let head_text = String::from_utf8(buf).expect("ASCII head");
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().unwrap();
    let mut parts = status_line.splitn(3, ' ');
    assert_eq!(parts.next(), Some("HTTP/1.1"), "{status_line}");
    let status = parts.next().unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (n, v) = l.split_once(':').expect("header field");
            (n.to_owned(), v.trim().to_owned())
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .expect("Content-Length is always set");
    let mut body = vec![0u8; if head { 0 } else { length }];
    stream.read_exact(&mut body)?;
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

/// A GET request for `path` with extra header lines (each ending in `\r\n`).
pub fn get_request(path: &str, extra_headers: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n{extra_headers}\r\n").into_bytes()
}

/// A plain GET through a real client (ureq), with the given headers.
pub fn ureq_get(url: &str, headers: &[(&str, &str)]) -> Result<ureq::Response, Box<ureq::Error>> {
    let mut request = ureq::get(url).timeout(Duration::from_secs(10));
    for (name, value) in headers {
        request = request.set(name, value);
    }
    request.call().map_err(Box::new)
}

/// Whether a program can be run at all.
fn runnable(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `promtool`, or a failure telling how to install it. Never a skip.
pub fn promtool() -> Command {
    let program = std::env::var("PROMTOOL").unwrap_or_else(|_| "/usr/bin/promtool".into());
    assert!(runnable(&program), "`{program}` cannot be run: {MAKE_DEPS}");
    Command::new(program)
}

/// `promtool check metrics` on `exposition`: (exit code, what it said).
pub fn promtool_check(exposition: &[u8]) -> (i32, String) {
    let mut child = promtool()
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs");
    child.stdin.take().unwrap().write_all(exposition).unwrap();
    let output = child.wait_with_output().unwrap();
    let mut said = String::from_utf8_lossy(&output.stdout).into_owned();
    said.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), said)
}

/// A self-signed certificate for 127.0.0.1 and localhost, written to `dir`: the certificate's
/// and key's paths, and the certificate in DER for a client's trust store.
pub fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();
    (cert_path, key_path, certified.cert.der().to_vec())
}

/// An HTTPS client (ureq 2) trusting only `cert_der`.
pub fn tls_agent(cert_der: Vec<u8>) -> ureq::Agent {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(cert_der))
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    ureq::AgentBuilder::new()
        .tls_config(Arc::new(config))
        .timeout(Duration::from_secs(10))
        .build()
}

/// Raises this process's descriptor limit to its hard limit, which must allow `at_least`.
pub fn raise_fd_limit(at_least: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain calls with a valid struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    assert!(
        limit.rlim_cur >= at_least,
        "need {at_least} descriptors, have {}",
        limit.rlim_cur
    );
}

/// A collector that takes its time, so a scrape (and its connection) stays busy.
pub struct Slow(pub Duration);

impl prometheus_emulator::Collector for Slow {
    fn describe(&self) -> Vec<prometheus_emulator::Descriptor> {
        Vec::new()
    }

    fn collect(&self, _: &mut Vec<prometheus_emulator::MetricFamily>) {
        std::thread::sleep(self.0);
    }
}

/// A custom collector exposing the gauge `name` at 1, whose collection waits until
/// [`SlowCollector::release`] (30 s at most, so that a failing test ends), counting its calls and
/// noting the thread each one ran on: the slow user code a scrape deadline guards against.
pub struct SlowCollector {
    name: String,
    state: std::sync::Mutex<SlowState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct SlowState {
    released: bool,
    calls: usize,
    returned: usize,
    threads: Vec<String>,
}

impl SlowCollector {
    /// Held until released; `released` makes it return at once (a fast collector that still
    /// counts its calls and threads).
    pub fn new(name: &str, released: bool) -> Arc<Self> {
        Arc::new(SlowCollector {
            name: name.into(),
            state: std::sync::Mutex::new(SlowState {
                released,
                ..SlowState::default()
            }),
            changed: std::sync::Condvar::new(),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SlowState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lets every collection held, and every later one, return.
    pub fn release(&self) {
        self.state().released = true;
        self.changed.notify_all();
    }

    /// How many collections began.
    pub fn calls(&self) -> usize {
        self.state().calls
    }

    /// How many collections returned.
    pub fn returned(&self) -> usize {
        self.state().returned
    }

    /// The names of the threads the collections ran on.
    pub fn threads(&self) -> Vec<String> {
        self.state().threads.clone()
    }

    /// Waits (10 s at most) until `count` collections have begun.
    pub fn wait_for_calls(&self, count: usize) {
        self.wait_until("calls", count, |s| s.calls);
    }

    /// Waits (10 s at most) until `count` collections have returned.
    pub fn wait_for_returns(&self, count: usize) {
        self.wait_until("returns", count, |s| s.returned);
    }

    fn wait_until(&self, what: &str, count: usize, seen: impl Fn(&SlowState) -> usize) {
        let state = self.state();
        let (state, _) = self
            .changed
            .wait_timeout_while(state, Duration::from_secs(10), |s| seen(s) < count)
            .unwrap();
        assert!(seen(&state) >= count, "{} {what} of {count}", seen(&state));
    }
}

impl prometheus_emulator::Collector for SlowCollector {
    fn describe(&self) -> Vec<prometheus_emulator::Descriptor> {
        vec![prometheus_emulator::Descriptor::new(
            self.name.clone(),
            prometheus_emulator::MetricType::Gauge,
        )]
    }

    fn collect(&self, out: &mut Vec<prometheus_emulator::MetricFamily>) {
        let thread = std::thread::current().name().unwrap_or("").to_owned();
        let mut state = self.state();
        state.calls += 1;
        state.threads.push(thread);
        self.changed.notify_all();
        let (mut state, _) = self
            .changed
            .wait_timeout_while(state, Duration::from_secs(30), |s| !s.released)
            .unwrap();
        state.returned += 1;
        self.changed.notify_all();
        drop(state);
        out.push(prometheus_emulator::MetricFamily {
            name: self.name.as_str().into(),
            help: "A collector that takes its time.".into(),
            kind: prometheus_emulator::MetricType::Gauge,
            unit: None,
            points: vec![prometheus_emulator::MetricPoint {
                labels: prometheus_emulator::LabelSet::empty(),
                value: prometheus_emulator::PointValue::Gauge { value: 1.0 },
                timestamp: None,
            }],
        });
    }
}
