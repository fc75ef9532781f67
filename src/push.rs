//! Pushgateway client: batch jobs that end before a scrape push their registry to a Prometheus
//! Pushgateway, which keeps the metrics for Prometheus to scrape.
//!
//! Three calls, as client_python's `push_to_gateway`, `pushadd_to_gateway` and
//! `delete_from_gateway` and client_golang's `push` package have them:
//!
//! | call | method | effect on the group (job + grouping key) |
//! | --- | --- | --- |
//! | [`push`] | `PUT` | replaces every metric of the group |
//! | [`pushadd`] | `POST` | replaces only the metrics with the names pushed |
//! | [`delete`] | `DELETE` | removes the group |
//!
//! ```no_run
//! use std::sync::Arc;
//! use prometheus_emulator::push::{self, PushOptions};
//! use prometheus_emulator::{Family, Gauge, Opts, Registry};
//!
//! let registry = Registry::new();
//! let opts = Opts::new("job_last_success_unixtime", "Last time the batch job succeeded.");
//! let last_success = Arc::new(Family::<Gauge>::new(opts).unwrap());
//! registry.register(last_success.clone()).unwrap();
//! last_success.with_label_values::<&str>(&[]).unwrap().set_to_current_time();
//!
//! let options = PushOptions::new().basic_auth("pusher", "secret");
//! push::push("localhost:9091", "batch_job", &[("instance", "db-1")], &registry, &options)
//!     .unwrap_or_else(|e| eprintln!("push failed: {e}"));
//! ```
//!
//! **The gateway** is `host:port` (plain HTTP is assumed, as both reference clients do) or a full
//! `http://` or `https://` URL, which may carry a path prefix for a gateway behind a reverse proxy
//! (`https://gw.example.org/pushgateway`). HTTPS uses rustls with the Mozilla root certificates,
//! or only the CA certificates of [`PushOptions::ca_file`] for a gateway with a private CA.
//! Proxies are taken from the usual environment variables (`HTTP_PROXY`, `HTTPS_PROXY`,
//! `ALL_PROXY`, `NO_PROXY`).
//!
//! **The URL** follows the Pushgateway's rules: `/metrics/job/<job>{/<label>/<value>}`, each part
//! percent-encoded, and a job or value that contains `/` (or is `.` or `..`, which path cleaning
//! would resolve), or a value that is empty, written as `<label>@base64/<URL-safe base64>` (an
//! empty value as a single `=`, which the Pushgateway requires so that the path keeps its
//! segment). The job must not be empty; grouping label names
//! follow the label name rules of [`crate::name`], may not be `job` and may not repeat.
//!
//! **The body** is Prometheus text format 0.0.4 with its `Content-Type`. The Pushgateway sets the
//! `job` and grouping labels on every pushed sample, overwriting any that the metrics carry.
//!
//! **Failures** come back as a [`PushError`]: bad arguments are refused before any I/O, a refused
//! connection or an unknown host is [`PushError::Connect`], a timeout [`PushError::Timeout`], and a
//! non-2xx answer [`PushError::Http`] with the status and the gateway's explanation (its body).
//! Every request is bounded by [`PushOptions::timeout`] (10 s by default), so a dead gateway
//! fails fast and nothing blocks forever. The one part outside that bound is resolving a host
//! name, which runs on the calling thread and is bounded by the system resolver's own timeouts
//! (a push starts no thread: see `http_client::CallingThreadResolver`). Redirects are not followed: a `PUT`
//! redirected by a proxy would otherwise arrive as a `GET`, so a 3xx is reported as the error it
//! is.

use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::exposition::{Format, encode_registry};
use crate::http_client::{
    basic_authorization, is_connect_failure, new_agent, tls_failure, tls_with_roots,
};
use crate::name::{NameValidation, validate_label_name};
use crate::registry::Registry;

/// Total time a request may take by default, from connecting to the end of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time the connection (TCP and any TLS handshake) may take by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How much of an error answer's body is kept: enough for any Pushgateway explanation, bounded so
/// that a misconfigured URL pointing at something large cannot make an error message huge.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// The basic-auth credentials a push sends with every request (the exporter's `BasicAuth` is
/// what it requires of scrapers).
#[derive(Clone, PartialEq, Eq)]
pub struct PushCredentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for PushCredentials {
    // The password stays out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// How a push is sent. `PushOptions::default()` gives the defaults; the builder methods change
/// one setting each, so new settings can be added without breaking callers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushOptions {
    /// Total time for one request: connecting, sending, reading the answer.
    pub timeout: Duration,
    /// Time for connecting (TCP and TLS); the total timeout applies as well.
    pub connect_timeout: Duration,
    /// Credentials for a gateway behind basic auth.
    pub basic_auth: Option<PushCredentials>,
    /// A PEM file of CA certificates that `https://` gateways are verified against, instead of
    /// the Mozilla roots: for a gateway with a certificate from a private CA.
    pub ca_file: Option<PathBuf>,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            basic_auth: None,
            ca_file: None,
        }
    }
}

impl PushOptions {
    /// The defaults: 10 s in total, 5 s to connect, no authentication, the Mozilla roots.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the total timeout of a request (must not be zero).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the connect timeout (must not be zero).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sends `Authorization: Basic …` with these credentials.
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some(PushCredentials {
            username: username.into(),
            password: password.into(),
        });
        self
    }

    /// Verifies `https://` gateways against the CA certificates in this PEM file only. The file
    /// is read at each push, so a renewed CA is picked up without a restart.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    fn validate(&self) -> Result<(), PushError> {
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(PushError::InvalidOptions(
                "timeouts must be greater than zero".into(),
            ));
        }
        Ok(())
    }
}

/// Why a push, pushadd or delete failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PushError {
    /// The gateway is neither `host:port` nor an `http://` or `https://` URL without query,
    /// fragment or credentials.
    InvalidGateway { gateway: String, reason: String },
    /// The job name is empty (the Pushgateway has no group without a job).
    InvalidJob(String),
    /// A grouping label name that breaks the label name rules, is `job`, or is repeated.
    InvalidGroupingKey { name: String, reason: String },
    /// A zero timeout, or a CA file that cannot be read or holds no certificate.
    InvalidOptions(String),
    /// No connection: refused, unknown host, unreachable network, failed TLS handshake.
    Connect {
        method: &'static str,
        url: String,
        message: String,
    },
    /// The request did not complete within the timeout that is named.
    Timeout {
        method: &'static str,
        url: String,
        /// Which limit ran out: `"connect"` or `"total"`.
        which: &'static str,
        after: Duration,
    },
    /// The connection failed while the request was under way.
    Transport {
        method: &'static str,
        url: String,
        message: String,
    },
    /// The gateway answered with a status other than 2xx.
    Http {
        method: &'static str,
        url: String,
        status: u16,
        /// The gateway's explanation: the answer's body, at most 64 KiB, invalid UTF-8 replaced.
        body: String,
    },
}

impl PushError {
    /// The HTTP status of a non-2xx answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            PushError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The body of a non-2xx answer.
    pub fn body(&self) -> Option<&str> {
        match self {
            PushError::Http { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::InvalidGateway { gateway, reason } => {
                write!(f, "invalid Pushgateway address {gateway:?}: {reason}")
            }
            PushError::InvalidJob(reason) => write!(f, "invalid job name: {reason}"),
            PushError::InvalidGroupingKey { name, reason } => {
                write!(f, "invalid grouping key label {name:?}: {reason}")
            }
            PushError::InvalidOptions(reason) => write!(f, "invalid push options: {reason}"),
            PushError::Connect {
                method,
                url,
                message,
            } => write!(
                f,
                "{method} {url}: cannot connect to the Pushgateway: {message}"
            ),
            PushError::Timeout {
                method,
                url,
                which,
                after,
            } => write!(
                f,
                "{method} {url}: no answer from the Pushgateway within the {which} timeout of {after:?}"
            ),
            PushError::Transport {
                method,
                url,
                message,
            } => write!(
                f,
                "{method} {url}: connection to the Pushgateway failed: {message}"
            ),
            PushError::Http {
                method,
                url,
                status,
                body,
            } => {
                write!(f, "{method} {url}: the Pushgateway answered {status}")?;
                let body = body.trim();
                if !body.is_empty() {
                    write!(f, ": {body}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for PushError {}

/// Pushes every metric of `registry` to the group `job` + `grouping_key`, replacing all metrics
/// the group held before (HTTP `PUT`). An empty registry empties the group.
pub fn push<K: AsRef<str>, V: AsRef<str>>(
    gateway: &str,
    job: &str,
    grouping_key: &[(K, V)],
    registry: &Registry,
    options: &PushOptions,
) -> Result<(), PushError> {
    send(
        Method::Put,
        gateway,
        job,
        grouping_key,
        Some(registry),
        options,
    )
}

/// Pushes every metric of `registry` to the group, replacing only the group's metrics that have
/// the same names as pushed ones (HTTP `POST`).
pub fn pushadd<K: AsRef<str>, V: AsRef<str>>(
    gateway: &str,
    job: &str,
    grouping_key: &[(K, V)],
    registry: &Registry,
    options: &PushOptions,
) -> Result<(), PushError> {
    send(
        Method::Post,
        gateway,
        job,
        grouping_key,
        Some(registry),
        options,
    )
}

/// Deletes the group `job` + `grouping_key` from the gateway (HTTP `DELETE`). Deleting a group
/// that does not exist succeeds.
pub fn delete<K: AsRef<str>, V: AsRef<str>>(
    gateway: &str,
    job: &str,
    grouping_key: &[(K, V)],
    options: &PushOptions,
) -> Result<(), PushError> {
    send(Method::Delete, gateway, job, grouping_key, None, options)
}

/// The URL that [`push`], [`pushadd`] and [`delete`] send to for this group, after checking the
/// gateway, the job and the grouping key.
pub fn group_url<K: AsRef<str>, V: AsRef<str>>(
    gateway: &str,
    job: &str,
    grouping_key: &[(K, V)],
) -> Result<String, PushError> {
    let mut url = gateway_base(gateway)?;
    if job.is_empty() {
        return Err(PushError::InvalidJob(
            "the job name must not be empty".into(),
        ));
    }
    url.push_str("/metrics");
    push_segment_pair(&mut url, "job", job);
    for (i, (name, value)) in grouping_key.iter().enumerate() {
        let name = name.as_ref();
        validate_grouping_name(name, &grouping_key[..i])?;
        push_segment_pair(&mut url, name, value.as_ref());
    }
    Ok(url)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Put,
    Post,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// The agent of the process that created it.
struct ProcessAgent {
    pid: u32,
    agent: ureq::Agent,
}

/// The current process's agent, created on first use.
static AGENT: AtomicPtr<ProcessAgent> = AtomicPtr::new(std::ptr::null_mut());

/// One agent per process, so repeated pushes to one gateway reuse their connection. A forked
/// child gets an agent of its own: the parent's pooled connection is shared with the parent
/// across `fork()`, and pushing through it from both would mix up their answers. The parent's
/// agent is never touched in the child (its pool's lock may be held by a thread that does not
/// exist there) and is left allocated. Status codes are answers to inspect, not transport
/// errors, and redirects are not followed (see the module docs); timeouts are set per request.
fn agent() -> &'static ureq::Agent {
    let pid = std::process::id();
    loop {
        let current = AGENT.load(Ordering::Acquire);
        // SAFETY: a published agent is never freed (see above), so the pointer stays valid.
        if let Some(existing) = unsafe { current.as_ref() } {
            if existing.pid == pid {
                return &existing.agent;
            }
        }
        let fresh = Box::into_raw(Box::new(ProcessAgent {
            pid,
            agent: new_agent(),
        }));
        match AGENT.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            // SAFETY: just published, and never freed.
            Ok(_) => return unsafe { &(*fresh).agent },
            // Another thread published one first: use that (the loop reads it back).
            // SAFETY: `fresh` was never shared.
            Err(_) => drop(unsafe { Box::from_raw(fresh) }),
        }
    }
}

fn send<K: AsRef<str>, V: AsRef<str>>(
    method: Method,
    gateway: &str,
    job: &str,
    grouping_key: &[(K, V)],
    registry: Option<&Registry>,
    options: &PushOptions,
) -> Result<(), PushError> {
    options.validate()?;
    let url = group_url(gateway, job, grouping_key)?;
    let authorization = options
        .basic_auth
        .as_ref()
        .map(|auth| basic_authorization(&auth.username, &auth.password));
    // The connect limit cannot outlast the total one; ureq applies both, this only keeps the
    // error naming the limit that was actually reached.
    let connect_timeout = options.connect_timeout.min(options.timeout);

    let tls = match &options.ca_file {
        Some(path) => Some(tls_with_roots(path).map_err(PushError::InvalidOptions)?),
        None => None,
    };
    let settings = RequestSettings {
        authorization: authorization.as_deref(),
        timeout: options.timeout,
        connect_timeout,
        tls: tls.as_ref(),
    };
    let result = match method {
        Method::Put | Method::Post => {
            let request = match method {
                Method::Put => agent().put(&url),
                _ => agent().post(&url),
            };
            // In the registry's style, as its expositions are (client_python's numbers, say).
            let mut body = Vec::new();
            if let Some(registry) = registry {
                encode_registry(registry, Format::Prometheus, &mut body);
            }
            settings
                .apply(request.header("Content-Type", Format::Prometheus.content_type()))
                .send(body)
        }
        // The Pushgateway wants no body on DELETE, not even an empty one.
        Method::Delete => settings.apply(agent().delete(&url)).call(),
    };

    let context = ErrorContext {
        method: method.as_str(),
        url: &url,
        gateway,
        timeout: options.timeout,
        connect_timeout,
    };
    let response = result.map_err(|e| context.transport_error(e))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        // Reading the (empty) answer to its end lets the agent reuse the connection.
        let _ = std::io::copy(
            &mut response.into_body().into_reader().take(MAX_ERROR_BODY),
            &mut std::io::sink(),
        );
        return Ok(());
    }
    let mut body = Vec::new();
    // A body that cannot be read (cut off, timed out) still leaves the status to report.
    let _ = response
        .into_body()
        .into_reader()
        .take(MAX_ERROR_BODY)
        .read_to_end(&mut body);
    Err(PushError::Http {
        method: method.as_str(),
        url,
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// What every request of a push carries, whatever its method.
struct RequestSettings<'a> {
    authorization: Option<&'a str>,
    timeout: Duration,
    connect_timeout: Duration,
    tls: Option<&'a ureq::tls::TlsConfig>,
}

impl RequestSettings<'_> {
    fn apply<B>(&self, mut request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        if let Some(value) = self.authorization {
            request = request.header("Authorization", value);
        }
        let mut config = request
            .config()
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout));
        if let Some(tls) = self.tls {
            config = config.tls_config(tls.clone());
        }
        config.build()
    }
}

struct ErrorContext<'a> {
    method: &'static str,
    url: &'a str,
    gateway: &'a str,
    timeout: Duration,
    connect_timeout: Duration,
}

impl ErrorContext<'_> {
    /// Sorts ureq's errors into what a caller can act on: unreachable, too slow, broken midway,
    /// or a gateway address that is not a URL after all.
    fn transport_error(&self, error: ureq::Error) -> PushError {
        use ureq::Error as E;
        let method = self.method;
        let url = self.url.to_owned();
        match error {
            E::Timeout(which) => {
                let (which, after) = match which {
                    ureq::Timeout::Connect => ("connect", self.connect_timeout),
                    _ => ("total", self.timeout),
                };
                PushError::Timeout {
                    method,
                    url,
                    which,
                    after,
                }
            }
            E::Io(ref io) if is_connect_failure(io.kind()) => PushError::Connect {
                method,
                url,
                message: io.to_string(),
            },
            // A failed TLS handshake (an untrusted certificate, say) arrives wrapped in io.
            E::Io(ref io) if tls_failure(io).is_some() => PushError::Connect {
                method,
                url,
                message: format!("TLS: {}", tls_failure(io).unwrap_or_default()),
            },
            // Name resolution fails with an uncategorised kind; std's message is the only mark.
            E::Io(ref io) if io.to_string().contains("lookup address") => PushError::Connect {
                method,
                url,
                message: io.to_string(),
            },
            E::Io(ref io) if io.kind() == std::io::ErrorKind::TimedOut => PushError::Timeout {
                method,
                url,
                which: "total",
                after: self.timeout,
            },
            E::HostNotFound => PushError::Connect {
                method,
                url,
                message: "host not found".into(),
            },
            E::ConnectionFailed | E::Tls(_) | E::Rustls(_) | E::Pem(_) | E::TlsRequired => {
                PushError::Connect {
                    method,
                    url,
                    message: error.to_string(),
                }
            }
            E::BadUri(reason) => PushError::InvalidGateway {
                gateway: self.gateway.to_owned(),
                reason,
            },
            E::Http(e) => PushError::InvalidGateway {
                gateway: self.gateway.to_owned(),
                reason: e.to_string(),
            },
            E::Io(io) => PushError::Transport {
                method,
                url,
                message: io.to_string(),
            },
            other => PushError::Transport {
                method,
                url,
                message: other.to_string(),
            },
        }
    }
}

/// The gateway as `scheme://authority[/prefix]`, without a trailing slash.
fn gateway_base(gateway: &str) -> Result<String, PushError> {
    let invalid = |reason: &str| PushError::InvalidGateway {
        gateway: gateway.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = gateway.trim();
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    let lower = trimmed.to_ascii_lowercase();
    let (scheme, rest) = if lower.starts_with("http://") {
        ("http", &trimmed["http://".len()..])
    } else if lower.starts_with("https://") {
        ("https", &trimmed["https://".len()..])
    } else if lower.contains("://") {
        return Err(invalid("only http:// and https:// are supported"));
    } else {
        // `host:port`, as client_python and client_golang accept it: plain HTTP.
        ("http", trimmed)
    };
    if rest.contains(['?', '#']) {
        return Err(invalid(
            "a query or fragment has no place in the gateway URL",
        ));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("it contains whitespace"));
    }
    let (authority, prefix) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return Err(invalid("the host is missing"));
    }
    if authority.contains('@') {
        // Credentials in the URL would end up in error messages and logs.
        return Err(invalid(
            "credentials in the URL are not supported: use the basic auth option",
        ));
    }
    Ok(format!(
        "{scheme}://{authority}{}",
        prefix.trim_end_matches('/')
    ))
}

fn validate_grouping_name<K: AsRef<str>, V: AsRef<str>>(
    name: &str,
    earlier: &[(K, V)],
) -> Result<(), PushError> {
    let invalid = |reason: String| PushError::InvalidGroupingKey {
        name: name.to_owned(),
        reason,
    };
    validate_label_name(name, NameValidation::Legacy).map_err(|e| invalid(e.to_string()))?;
    if name == "job" {
        return Err(invalid(
            "the job is given separately, not in the grouping key".into(),
        ));
    }
    if earlier.iter().any(|(other, _)| other.as_ref() == name) {
        return Err(invalid("the label appears twice".into()));
    }
    Ok(())
}

/// Appends `/<name>/<value>`, or `/<name>@base64/<value in base64>` where the Pushgateway needs
/// it: a `/` would split the segment (even percent-encoded, since the gateway's router decodes
/// before splitting), and an empty segment would be merged away by path cleaning, so empty is
/// written as `=`, the one form the Pushgateway documents for it.
fn push_segment_pair(url: &mut String, name: &str, value: &str) {
    url.push('/');
    url.push_str(name);
    if value.is_empty() {
        url.push_str("@base64/=");
    } else if needs_base64(value) {
        url.push_str("@base64/");
        URL_SAFE_NO_PAD.encode_string(value, url);
    } else {
        url.push('/');
        percent_encode_into(url, value);
    }
}

/// Values the percent-encoded form cannot carry: any `/`, and `.` and `..`, which path cleaning
/// would resolve as directory steps (percent-encoding does not help, `%2E` decodes first).
fn needs_base64(value: &str) -> bool {
    value.contains('/') || value == "." || value == ".."
}

/// Percent-encodes every byte outside RFC 3986's unreserved set, so the value is one opaque path
/// segment whatever it holds (spaces, `%`, `?`, `#`, UTF-8).
fn percent_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xF)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_KEY: &[(&str, &str)] = &[];

    #[test]
    fn host_port_is_plain_http() {
        assert_eq!(
            group_url("localhost:9091", "batch", NO_KEY).unwrap(),
            "http://localhost:9091/metrics/job/batch"
        );
        assert_eq!(
            group_url("[::1]:9091", "batch", NO_KEY).unwrap(),
            "http://[::1]:9091/metrics/job/batch"
        );
    }

    #[test]
    fn full_urls_keep_scheme_and_prefix() {
        assert_eq!(
            group_url("https://gw.example.org/", "j", NO_KEY).unwrap(),
            "https://gw.example.org/metrics/job/j"
        );
        assert_eq!(
            group_url("HTTP://gw:80/a/prefix//", "j", NO_KEY).unwrap(),
            "http://gw:80/a/prefix/metrics/job/j"
        );
    }

    #[test]
    fn bad_gateways_are_refused() {
        for bad in [
            "",
            "  ",
            "ftp://gw",
            "http://",
            "http:///path",
            "gw:9091?x=1",
            "http://gw#frag",
            "http://user:pw@gw",
            "gw 9091",
        ] {
            assert!(
                matches!(
                    group_url(bad, "j", NO_KEY),
                    Err(PushError::InvalidGateway { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn job_and_values_are_escaped() {
        let url = group_url(
            "gw:1",
            "my job",
            &[("instance", "host:80"), ("name", "Προμηθεύς"), ("p", "50%")],
        )
        .unwrap();
        assert_eq!(
            url,
            "http://gw:1/metrics/job/my%20job/instance/host%3A80/\
             name/%CE%A0%CF%81%CE%BF%CE%BC%CE%B7%CE%B8%CE%B5%CF%8D%CF%82/p/50%25"
        );
    }

    #[test]
    fn slashes_and_empty_values_use_base64() {
        // The Pushgateway README's own examples.
        assert_eq!(
            group_url("gw:1", "directory_cleaner", &[("path", "/var/tmp")]).unwrap(),
            "http://gw:1/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA"
        );
        assert_eq!(
            group_url(
                "gw:1",
                "example",
                &[("first_label", ""), ("second_label", "foobar")]
            )
            .unwrap(),
            "http://gw:1/metrics/job/example/first_label@base64/=/second_label/foobar"
        );
        assert_eq!(
            group_url("gw:1", "a/b", NO_KEY).unwrap(),
            "http://gw:1/metrics/job@base64/YS9i"
        );
        assert_eq!(
            group_url("gw:1", "j", &[("d", ".."), ("e", ".")]).unwrap(),
            "http://gw:1/metrics/job/j/d@base64/Li4/e@base64/Lg"
        );
        // URL-safe alphabet: `?>` encodes to `Pz4` in both, `??>` shows the `-`/`_` difference.
        assert_eq!(
            group_url("gw:1", "j", &[("v", "/??>")]).unwrap(),
            "http://gw:1/metrics/job/j/v@base64/Lz8_Pg"
        );
    }

    #[test]
    fn grouping_names_are_checked() {
        let err = |key: &[(&str, &str)]| group_url("gw:1", "j", key).unwrap_err();
        assert!(matches!(
            err(&[("job", "x")]),
            PushError::InvalidGroupingKey { name, .. } if name == "job"
        ));
        for bad in ["", "1a", "a-b", "__name__", "é"] {
            assert!(
                matches!(err(&[(bad, "x")]), PushError::InvalidGroupingKey { .. }),
                "{bad:?}"
            );
        }
        assert!(matches!(
            err(&[("a", "1"), ("b", "2"), ("a", "3")]),
            PushError::InvalidGroupingKey { name, .. } if name == "a"
        ));
        assert_eq!(
            group_url("gw:1", "", NO_KEY),
            Err(PushError::InvalidJob(
                "the job name must not be empty".into()
            ))
        );
    }

    #[test]
    fn zero_timeouts_are_refused_before_any_io() {
        let options = PushOptions::new().timeout(Duration::ZERO);
        assert!(matches!(
            delete("gw:1", "j", NO_KEY, &options),
            Err(PushError::InvalidOptions(_))
        ));
    }

    #[test]
    fn http_errors_show_status_and_body() {
        let e = PushError::Http {
            method: "PUT",
            url: "http://gw:1/metrics/job/j".into(),
            status: 400,
            body: "pushed metrics are invalid\n".into(),
        };
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.body(), Some("pushed metrics are invalid\n"));
        assert_eq!(
            e.to_string(),
            "PUT http://gw:1/metrics/job/j: the Pushgateway answered 400: pushed metrics are invalid"
        );
    }

    #[test]
    fn passwords_stay_out_of_debug_output() {
        let options = PushOptions::new().basic_auth("user", "secret");
        assert!(!format!("{options:?}").contains("secret"));
    }
}
