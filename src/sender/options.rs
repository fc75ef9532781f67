//! [`SenderOptions`]: where a sender sends, how, how often, and how much it may hold while the
//! receiver does not take it. A builder like [`crate::push::PushOptions`]: `SenderOptions::new(url)`
//! gives the defaults, each method changes one setting, [`SenderOptions::validate`] checks them
//! all before a thread starts.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::SenderError;
use crate::name::{NameValidation, validate_label_name};

/// Time between two collections when not configured, as Prometheus's default scrape interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15);
/// The shortest interval accepted (for tests; a real receiver wants seconds).
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);
/// Total time one request may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time connecting (TCP and TLS) may take by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Bytes the queue may hold by default (encoded bodies, and the families kept for a fallback).
pub const DEFAULT_MAX_QUEUE_BYTES: usize = 16 << 20;
/// Batches (one per collection) the queue may hold by default: 16 minutes at 15 s.
pub const DEFAULT_MAX_QUEUE_BATCHES: usize = 64;
/// The first retry's delay by default; each failure doubles it.
pub const DEFAULT_BACKOFF_MIN: Duration = Duration::from_millis(50);
/// The longest delay between retries by default.
pub const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(5);
/// The longest `Retry-After` honoured by default: a receiver asking for more is retried after
/// this long (a misconfigured proxy answering `Retry-After: 86400` must not silence a sender for
/// a day).
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// What a sender speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SenderProtocol {
    /// Prometheus Remote Write 2.0 (`io.prometheus.write.v2.Request`), falling back to 1.0 for
    /// this destination when the receiver answers `415 Unsupported Media Type`, as the 2.0 spec
    /// allows: that batch and every later one go as 1.0.
    #[default]
    RemoteWrite,
    /// Prometheus Remote Write 1.0 only (`prometheus.WriteRequest`).
    RemoteWriteV1,
    /// OTLP/HTTP metrics (`ExportMetricsServiceRequest`, binary protobuf), to a URL ending in
    /// `/v1/metrics`.
    Otlp,
}

/// How a sender authenticates.
#[derive(Clone, PartialEq, Eq)]
pub enum SenderAuth {
    /// `Authorization: Basic …`.
    Basic { username: String, password: String },
    /// `Authorization: Bearer …`.
    Bearer(String),
}

impl fmt::Debug for SenderAuth {
    // Secrets stay out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SenderAuth::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            SenderAuth::Bearer(_) => f.write_str("Bearer(<redacted>)"),
        }
    }
}

/// Where and how a [`Sender`](super::Sender) sends. Every setting but the URL has a default.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SenderOptions {
    /// The receiver's endpoint: an `http://` or `https://` URL (Prometheus's
    /// `/api/v1/write`, an OTLP collector's `/v1/metrics`), query allowed, no credentials.
    pub url: String,
    pub protocol: SenderProtocol,
    /// Time between two collections.
    pub interval: Duration,
    /// Total time for one request: connecting, sending, reading the answer.
    pub timeout: Duration,
    /// Time for connecting (TCP and TLS); the total timeout applies as well.
    pub connect_timeout: Duration,
    /// Labels added to every series (a series' own label of the same name wins).
    pub external_labels: Vec<(String, String)>,
    /// OTLP resource attributes; `service.name` defaults to the `job` external label, else the
    /// program's name.
    pub resource_attributes: Vec<(String, String)>,
    /// Header fields sent with every request.
    pub headers: Vec<(String, String)>,
    pub auth: Option<SenderAuth>,
    /// A PEM file of CA certificates that an `https://` receiver is verified against instead of
    /// the Mozilla roots; read once, at start.
    pub ca_file: Option<PathBuf>,
    /// Bytes the queue may hold; beyond, the oldest batches are dropped.
    pub max_queue_bytes: usize,
    /// Batches the queue may hold; beyond, the oldest are dropped.
    pub max_queue_batches: usize,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// The longest `Retry-After` honoured.
    pub max_retry_after: Duration,
    /// The `destination` label of the sender's self-metrics; the URL when not set.
    pub destination: Option<String>,
}

/// Header fields the sender writes itself (or that belong to the connection): a custom header
/// may not set them. The same list Prometheus's remote write configuration refuses.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "host",
    "content-encoding",
    "content-length",
    "content-type",
    "user-agent",
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "www-authenticate",
    "retry-after",
    "transfer-encoding",
    "x-prometheus-remote-write-version",
];

impl SenderOptions {
    /// The defaults for `url`: Remote Write 2.0 with fallback, every 15 s, 10 s per request (5 s
    /// to connect), a queue of 64 batches or 16 MiB, backoff from 50 ms doubling to 5 s.
    pub fn new(url: impl Into<String>) -> Self {
        SenderOptions {
            url: url.into(),
            protocol: SenderProtocol::default(),
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            external_labels: Vec::new(),
            resource_attributes: Vec::new(),
            headers: Vec::new(),
            auth: None,
            ca_file: None,
            max_queue_bytes: DEFAULT_MAX_QUEUE_BYTES,
            max_queue_batches: DEFAULT_MAX_QUEUE_BATCHES,
            backoff_min: DEFAULT_BACKOFF_MIN,
            backoff_max: DEFAULT_BACKOFF_MAX,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            destination: None,
        }
    }

    pub fn protocol(mut self, protocol: SenderProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Time between two collections (at least [`MIN_INTERVAL`]).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Total time of one request (not zero).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time connecting may take (not zero).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Adds a label to every series sent (a series' own label of that name wins). Names follow
    /// the label name rules and may not repeat.
    pub fn external_label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.external_labels.push((name.into(), value.into()));
        self
    }

    /// Adds an OTLP resource attribute (ignored by Remote Write).
    pub fn resource_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.resource_attributes.push((key.into(), value.into()));
        self
    }

    /// Adds a header field to every request (not one the sender writes itself: see the docs of
    /// [`SenderOptions::validate`]).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `Authorization: Basic …` with these credentials.
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Some(SenderAuth::Basic {
            username: username.into(),
            password: password.into(),
        });
        self
    }

    /// Sends `Authorization: Bearer <token>`.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(SenderAuth::Bearer(token.into()));
        self
    }

    /// Verifies an `https://` receiver against the CA certificates of this PEM file only.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Bytes the queue may hold (at least 1).
    pub fn max_queue_bytes(mut self, max: usize) -> Self {
        self.max_queue_bytes = max;
        self
    }

    /// Batches the queue may hold (at least 1).
    pub fn max_queue_batches(mut self, max: usize) -> Self {
        self.max_queue_batches = max;
        self
    }

    /// The first and the longest delay between retries (not zero, `min <= max`).
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff_min = min;
        self.backoff_max = max;
        self
    }

    /// The longest `Retry-After` honoured.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The `destination` label of the self-metrics (the URL by default).
    pub fn destination(mut self, name: impl Into<String>) -> Self {
        self.destination = Some(name.into());
        self
    }

    /// The `destination` label the self-metrics get.
    pub fn destination_label(&self) -> &str {
        self.destination.as_deref().unwrap_or(&self.url)
    }

    /// Checks every setting: an `http(s)://` URL with a host and without credentials, fragment
    /// or whitespace; an interval of at least [`MIN_INTERVAL`]; non-zero timeouts, queue bounds
    /// and backoff with `min <= max`; external label names that follow the label name rules
    /// (UTF-8) without repeats; header names that are HTTP tokens, values without control
    /// characters, and none of the fields the sender writes itself (`Authorization` (use
    /// [`basic_auth`](Self::basic_auth) or [`bearer_token`](Self::bearer_token)), `Host`,
    /// `Content-Type`, `Content-Encoding`, `Content-Length`, `User-Agent`,
    /// `X-Prometheus-Remote-Write-Version`, hop-by-hop fields).
    pub fn validate(&self) -> Result<(), SenderError> {
        let invalid = |what: String| Err(SenderError::InvalidOptions(what));
        validate_url(&self.url).map_err(|reason| {
            SenderError::InvalidOptions(format!("invalid URL {:?}: {reason}", self.url))
        })?;
        if self.interval < MIN_INTERVAL {
            return invalid(format!("the interval must be at least {MIN_INTERVAL:?}"));
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return invalid("timeouts must be greater than zero".into());
        }
        if self.max_queue_bytes == 0 || self.max_queue_batches == 0 {
            return invalid("the queue bounds must be at least 1".into());
        }
        if self.backoff_min.is_zero() || self.backoff_min > self.backoff_max {
            return invalid("the backoff needs 0 < min <= max".into());
        }
        for (i, (name, _)) in self.external_labels.iter().enumerate() {
            validate_label_name(name, NameValidation::Utf8).map_err(|e| {
                SenderError::InvalidOptions(format!("external label {name:?}: {e}"))
            })?;
            if self.external_labels[..i].iter().any(|(n, _)| n == name) {
                return invalid(format!("external label {name:?} appears twice"));
            }
        }
        for (name, value) in &self.headers {
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return invalid(format!("header name {name:?} is not an HTTP token"));
            }
            if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                return invalid(format!("header {name:?} is set by the sender itself"));
            }
            if value.chars().any(|c| c.is_control() && c != '\t') {
                return invalid(format!(
                    "the value of header {name:?} has a control character"
                ));
            }
        }
        match &self.auth {
            Some(SenderAuth::Basic { username, .. }) if username.contains(':') => {
                invalid("a basic auth user name may not contain ':'".into())
            }
            Some(SenderAuth::Bearer(token)) if token.is_empty() || token.contains(['\r', '\n']) => {
                invalid("the bearer token must be non-empty, on one line".into())
            }
            _ => Ok(()),
        }
    }

    /// The OTLP resource attributes to send: the configured ones, with `service.name` from the
    /// `job` external label, else the program's name, when not configured.
    pub(crate) fn effective_resource_attributes(&self) -> Vec<(String, String)> {
        let mut attributes = self.resource_attributes.clone();
        if !attributes.iter().any(|(key, _)| key == "service.name") {
            let job = self.external_labels.iter().find(|(name, _)| name == "job");
            let service = match job {
                Some((_, value)) => value.clone(),
                None => program_name(),
            };
            attributes.insert(0, ("service.name".into(), service));
        }
        attributes
    }
}

/// The running program's file name (`unknown_service` when it cannot be told, as OpenTelemetry
/// names a service without one).
fn program_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|arg0| {
            std::path::Path::new(&arg0)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown_service".into())
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// An `http://` or `https://` URL with a host, no credentials, fragment or whitespace.
fn validate_url(url: &str) -> Result<(), &'static str> {
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("http://") {
        &url["http://".len()..]
    } else if lower.starts_with("https://") {
        &url["https://".len()..]
    } else {
        return Err("only http:// and https:// URLs are supported");
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains whitespace");
    }
    if url.contains('#') {
        return Err("a fragment has no place in it");
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err("the host is missing");
    }
    if authority.contains('@') {
        // Credentials in the URL would end up in error messages and self-metric labels.
        return Err("credentials in the URL are not supported: use the basic auth option");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_settings_are_refused() {
        assert!(
            SenderOptions::new("http://127.0.0.1:9090/api/v1/write")
                .validate()
                .is_ok()
        );
        assert!(
            SenderOptions::new("https://h/p?tenant=a")
                .validate()
                .is_ok()
        );
        for url in [
            "",
            "ftp://h",
            "http://",
            "http:///x",
            "http://u:p@h/",
            "http://h/#f",
            "h:1",
        ] {
            assert!(SenderOptions::new(url).validate().is_err(), "{url:?}");
        }
        let ok = || SenderOptions::new("http://h/");
        let bad = [
            ok().interval(Duration::from_millis(1)),
            ok().timeout(Duration::ZERO),
            ok().max_queue_batches(0),
            ok().max_queue_bytes(0),
            ok().backoff(Duration::from_secs(2), Duration::from_secs(1)),
            ok().external_label("a", "1").external_label("a", "2"),
            ok().external_label("", "1"),
            ok().header("Content-Type", "x"),
            ok().header("authorization", "x"),
            ok().header("bad name", "x"),
            ok().header("X-Ok", "a\r\nb"),
            ok().basic_auth("a:b", "c"),
            ok().bearer_token(""),
        ];
        for options in bad {
            assert!(options.validate().is_err(), "{options:?}");
        }
        assert!(ok().header("X-Scope-OrgID", "tenant-1").validate().is_ok());
    }

    #[test]
    fn service_name_comes_from_the_job_label_or_the_program() {
        let options = SenderOptions::new("http://h/").external_label("job", "batch");
        assert_eq!(
            options.effective_resource_attributes(),
            [("service.name".to_string(), "batch".to_string())]
        );
        let options = SenderOptions::new("http://h/").resource_attribute("service.name", "x");
        assert_eq!(options.effective_resource_attributes()[0].1, "x");
        let unnamed = SenderOptions::new("http://h/").effective_resource_attributes();
        assert!(!unnamed[0].1.is_empty());
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let options = SenderOptions::new("http://h/").bearer_token("s3cret");
        assert!(!format!("{options:?}").contains("s3cret"));
        let options = SenderOptions::new("http://h/").basic_auth("u", "s3cret");
        assert!(!format!("{options:?}").contains("s3cret"));
    }
}
