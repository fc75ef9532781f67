//! What the library's HTTP clients share: the Pushgateway client ([`crate::push`]) and the
//! Remote Write / OTLP sender ([`crate::sender`]) build their ureq agents, trust a private CA and
//! sort ureq's transport errors with these, so both behave alike (no redirects followed, status
//! codes returned as answers, host names resolved on the calling thread).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A new agent: status codes are answers to inspect, not transport errors, and redirects are not
/// followed (a `POST` or `PUT` redirected by a proxy would arrive as a `GET`, so a 3xx is
/// reported as the error it is); timeouts are set per request. Host names are resolved on the
/// calling thread (see [`CallingThreadResolver`]).
pub(crate) fn new_agent() -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .user_agent(concat!("prometheus_emulator/", env!("CARGO_PKG_VERSION")))
        .build();
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::new(),
        CallingThreadResolver::default(),
    )
}

/// Resolves host names on the calling thread.
///
/// With a timeout set, ureq's own resolver runs each lookup on a helper thread that it abandons
/// when the timeout runs out. The library promises C hosts that it runs no thread of its own
/// outside the exporter and the sender, and joins those (so that they may `dlclose()` it), so
/// lookups stay on the caller's thread instead: an IP address or an `/etc/hosts` name costs
/// nothing, and a DNS lookup is bounded by the system resolver's own timeouts rather than by the
/// request timeout, which applies from connecting on.
#[derive(Debug, Default)]
pub(crate) struct CallingThreadResolver(ureq::unversioned::resolver::DefaultResolver);

impl ureq::unversioned::resolver::Resolver for CallingThreadResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        _timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        // Without a deadline the default resolver looks up synchronously.
        let no_deadline = ureq::unversioned::transport::NextTimeout::default();
        self.0.resolve(uri, config, no_deadline)
    }
}

/// The `Authorization` header value of HTTP basic auth.
pub(crate) fn basic_authorization(username: &str, password: &str) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{username}:{password}"))
    )
}

/// A TLS configuration trusting only the CA certificates of a PEM file; the error says which
/// file and why.
pub(crate) fn tls_with_roots(path: &Path) -> Result<ureq::tls::TlsConfig, String> {
    let invalid = |reason: String| format!("CA file {}: {reason}", path.display());
    let pem = crate::bounded_file::read_bounded(path, crate::bounded_file::MAX_PEM_BYTES)
        .map_err(|e| invalid(e.to_string()))?;
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item.map_err(|e| invalid(e.to_string()))? {
            ureq::tls::PemItem::Certificate(certificate) => certificates.push(certificate),
            // A bundle may carry keys or other blocks; only certificates are roots.
            _ => continue,
        }
    }
    if certificates.is_empty() {
        return Err(invalid("no PEM certificate in it".into()));
    }
    Ok(ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&certificates))
        .build())
}

/// The rustls error inside an I/O error, as ureq hands back a failed TLS handshake.
pub(crate) fn tls_failure(io: &std::io::Error) -> Option<String> {
    io.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .map(|e| e.to_string())
}

/// Whether an I/O error means no connection was made.
pub(crate) fn is_connect_failure(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        kind,
        K::ConnectionRefused
            | K::AddrNotAvailable
            | K::NetworkUnreachable
            | K::HostUnreachable
            | K::NetworkDown
    )
}
