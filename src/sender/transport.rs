//! One request: a batch `POST`ed to the receiver, and the answer sorted into what the sender does
//! next (done, retry when, drop, fall back to Remote Write 1.0).
//!
//! The agent is the sender's own (not the Pushgateway client's process-wide one), so that
//! [`Sender::stop`](super::Sender::stop) can shut it down: a request blocked on a slow receiver
//! then fails at once instead of holding stop past its deadline.

use std::io::Read;
use std::time::{Duration, SystemTime};

use super::backoff::parse_retry_after;
use super::options::{SenderAuth, SenderOptions};
use super::queue::Batch;
use super::self_metrics::RequestOutcome;
use crate::http_client::{basic_authorization, is_connect_failure, new_agent, tls_failure};

/// How much of an error answer's body is kept for the last error.
const MAX_ERROR_BODY: u64 = 64 * 1024;
/// How much of a success answer is read (to reuse the connection) before it is abandoned.
const MAX_SUCCESS_BODY: u64 = 1024 * 1024;

/// What the receiver's answer (or its absence) means.
#[derive(Debug)]
pub(crate) enum Answer {
    /// 2xx.
    Delivered,
    /// 5xx, 429 or no answer: the batch is sent again after a wait; `retry_after` is the
    /// receiver's own request, uncapped.
    Retry {
        outcome: RequestOutcome,
        retry_after: Option<Duration>,
        message: String,
    },
    /// 415: the receiver does not take this protocol.
    Unsupported { message: String },
    /// Any other status: the batch is dropped.
    Rejected { message: String },
}

/// The settings every request carries.
pub(crate) struct Transport {
    agent: ureq::Agent,
    url: String,
    authorization: Option<String>,
    headers: Vec<(String, String)>,
    tls: Option<ureq::tls::TlsConfig>,
    timeout: Duration,
    connect_timeout: Duration,
}

impl Transport {
    /// The transport for these (validated) options; reads the CA file.
    pub fn new(options: &SenderOptions) -> Result<Transport, String> {
        let tls = match &options.ca_file {
            Some(path) => Some(crate::http_client::tls_with_roots(path)?),
            None => None,
        };
        let authorization = options.auth.as_ref().map(|auth| match auth {
            SenderAuth::Basic { username, password } => basic_authorization(username, password),
            SenderAuth::Bearer(token) => format!("Bearer {token}"),
        });
        Ok(Transport {
            agent: new_agent(),
            url: options.url.clone(),
            authorization,
            headers: options.headers.clone(),
            tls,
            timeout: options.timeout,
            connect_timeout: options.connect_timeout.min(options.timeout),
        })
    }

    /// A handle on the agent, for shutting down a request in flight from another thread.
    pub fn agent(&self) -> ureq::Agent {
        self.agent.clone()
    }

    /// Sends `batch`, within `limit` (the time left before stop's deadline) when given.
    pub fn send(&self, batch: &Batch, limit: Option<Duration>) -> Answer {
        let timeout = limit.map_or(self.timeout, |limit| limit.min(self.timeout));
        let connect_timeout = self.connect_timeout.min(timeout);
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", batch.content_type);
        for (name, value) in batch.headers {
            request = request.header(*name, *value);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some(value) = &self.authorization {
            request = request.header("Authorization", value);
        }
        let mut config = request
            .config()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(connect_timeout));
        if let Some(tls) = &self.tls {
            config = config.tls_config(tls.clone());
        }
        let response = match config.build().send(&batch.body[..]) {
            Ok(response) => response,
            Err(error) => {
                return Answer::Retry {
                    outcome: RequestOutcome::NetworkError,
                    retry_after: None,
                    message: self.transport_message(error, timeout, connect_timeout),
                };
            }
        };
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            // Reading the answer to its end lets the agent reuse the connection.
            let _ = std::io::copy(
                &mut response.into_body().into_reader().take(MAX_SUCCESS_BODY),
                &mut std::io::sink(),
            );
            return Answer::Delivered;
        }
        let retry_after = response
            .headers()
            .get("Retry-After")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let mut body = Vec::new();
        // A body that cannot be read still leaves the status to report.
        let _ = response
            .into_body()
            .into_reader()
            .take(MAX_ERROR_BODY)
            .read_to_end(&mut body);
        let body = String::from_utf8_lossy(&body);
        let body = body.trim();
        let mut message = format!("POST {}: the receiver answered {status}", self.url);
        if !body.is_empty() {
            message.push_str(": ");
            message.push_str(body);
        }
        match status {
            429 => Answer::Retry {
                outcome: RequestOutcome::Throttled,
                retry_after,
                message,
            },
            500..=599 => Answer::Retry {
                outcome: RequestOutcome::ServerError,
                retry_after,
                message,
            },
            415 => Answer::Unsupported { message },
            _ => Answer::Rejected { message },
        }
    }

    /// Why a request got no answer, for the last error.
    fn transport_message(
        &self,
        error: ureq::Error,
        timeout: Duration,
        connect_timeout: Duration,
    ) -> String {
        use ureq::Error as E;
        let url = &self.url;
        let what = match error {
            E::Timeout(ureq::Timeout::Connect) => {
                format!("no connection within the connect timeout of {connect_timeout:?}")
            }
            E::Timeout(_) => format!("no answer within the timeout of {timeout:?}"),
            E::Io(ref io) if is_connect_failure(io.kind()) => format!("cannot connect: {io}"),
            E::Io(ref io) if tls_failure(io).is_some() => {
                format!(
                    "cannot connect: TLS: {}",
                    tls_failure(io).unwrap_or_default()
                )
            }
            E::Io(ref io) if io.kind() == std::io::ErrorKind::TimedOut => {
                format!("no answer within the timeout of {timeout:?}")
            }
            E::HostNotFound => "cannot connect: host not found".into(),
            other => format!("the connection failed: {other}"),
        };
        format!("POST {url}: {what}")
    }
}
