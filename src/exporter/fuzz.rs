//! Entry points for the fuzz harness (`tests/fuzz.rs`): what a client's bytes reach before any
//! socket is involved. Not part of the API.

use std::sync::Arc;

use super::auth::BasicAuth;
use super::handler::{self, Scratch};
use super::http;
use super::shared::{Limits, Shared};
use super::{
    DEFAULT_COLLECTOR_THREADS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEAD_BYTES, DEFAULT_TIMEOUT,
    ExporterOptions, ServedRegistry,
};
use crate::registry::Registry;

/// Handles `bytes` as a client's input: finds the head's end as the event loop does (within the
/// head limit), parses it, and answers it from `registry` (behind basic auth, when `auth` is
/// set). Returns the status of the answer, or `None` when the input holds no complete head.
pub fn request(bytes: &[u8], registry: &Arc<Registry>, auth: bool) -> Option<u16> {
    let window = &bytes[..bytes.len().min(DEFAULT_MAX_HEAD_BYTES)];
    let end = http::find_head_end(window, 0)?;
    let request = match http::parse_head(&window[..end]) {
        Ok(request) => request,
        Err(http::ParseError::BadRequest(_)) => return Some(400),
        Err(http::ParseError::VersionNotSupported) => return Some(505),
        Err(http::ParseError::TooManyFields) => return Some(431),
    };
    let shared = Shared::new(
        ServedRegistry::Shared(registry.clone()),
        auth.then(|| BasicAuth::new("user", "secret").expect("valid credentials")),
        None,
        Limits {
            read_timeout: DEFAULT_TIMEOUT,
            write_timeout: DEFAULT_TIMEOUT,
            idle_timeout: DEFAULT_TIMEOUT,
            max_head_bytes: DEFAULT_MAX_HEAD_BYTES,
            max_requests_per_connection: 1,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_peer: DEFAULT_MAX_CONNECTIONS,
        },
        ExporterOptions::new("fuzz").deadline_policy(),
        DEFAULT_COLLECTOR_THREADS,
    );
    let response = handler::respond(
        &shared,
        &request,
        std::time::Instant::now(),
        &mut Scratch::default(),
    );
    // A scrape-timeout header may have started collector threads: end them.
    shared.collectors.begin_stop();
    shared.collectors.join();
    let mut head = Vec::new();
    http::write_head(&mut head, &response, request.wants_close());
    assert!(head.starts_with(b"HTTP/1.1 ") && head.ends_with(b"\r\n\r\n"));
    Some(response.status)
}
